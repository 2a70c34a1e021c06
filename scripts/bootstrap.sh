#!/usr/bin/env bash
# Create .venv and install what is missing (Debian packages too when run as root).
# Sourced or run by scripts/run-sample.sh and scripts/test.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian packages: Qt's xcb pieces and Xvfb (screenshots), poppler (pdftotext/pdftoppm),
# gdal-bin (gdal_viewshed, the peer tool for tests and benchmarks), chromium (HTML map tests).
APT_PKGS="xvfb xauth libxcb-icccm4 libxcb-keysyms1 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-dejavu-core poppler-utils gdal-bin chromium"
if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for p in $APT_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ]; then
      echo "[bootstrap] installing Debian packages:$missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "[bootstrap] some system packages are missing; install them with:"
      echo "  sudo apt-get install -y --no-install-recommends$missing"
      echo "[bootstrap] continuing: tests that need them will be skipped."
    fi
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
STAMP=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$STAMP" ]; then
  echo "[bootstrap] installing Python packages into .venv (first time takes about a minute)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  # pip's build chatter (setuptools warnings) goes to a log, shown only if the install fails
  if ! .venv/bin/python -m pip install -q -e ".[test]" > .venv/pip-install.log 2>&1; then
    cat .venv/pip-install.log >&2
    echo "[bootstrap] pip install failed (log above, also in .venv/pip-install.log)" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$STAMP"
fi
