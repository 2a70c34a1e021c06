#!/usr/bin/env bash
# The whole test suite (creates the environment first if needed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
.venv/bin/lint-imports
exec .venv/bin/python -m pytest -q "$@"
