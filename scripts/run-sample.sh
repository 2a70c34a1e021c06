#!/usr/bin/env bash
# Main job on the embedded Điện Biên sample: analysis, GIS outputs, HTML map and PDF report.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
OUT="${1:-output/sample}"
.venv/bin/coverage-planner run data/sample/dien_bien/project.toml --out "$OUT"
echo "[run-sample] outputs are in $ROOT/$OUT"
