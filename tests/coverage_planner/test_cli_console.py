"""The command line as a terminal user meets it: a fast ``--help``, Ctrl-C, help texts, README's examples."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_help_imports_no_numerical_library():
    """``--help`` answers at once: building the command group imports neither numpy nor pandas (it imported both,
    ~1 s, 2+ s on a busy machine, for every ``--help`` and every usage error)."""
    out = _python("""
        import sys
        from coverage_planner.cli import main
        print(sorted(m for m in ("numpy", "pandas", "geopandas", "rasterio", "pyproj", "numba") if m in sys.modules))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
