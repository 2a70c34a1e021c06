"""Imports point one way: gui -> coverage_planner -> analysis; no Qt outside gui/."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "analysis": ("coverage_planner", "gui", "PyQt6", "geopandas", "rasterio", "pyogrio", "fiona"),
    "coverage_planner": ("gui", "PyQt6"),
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    bad = []
    for path in sorted((REPO / package).rglob("*.py")):
        for lineno, name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(REPO)}:{lineno} imports {name}")
    assert not bad, "\n".join(bad)


def test_checker_sees_a_violation(tmp_path):
    """The checker itself must be able to fail."""
    f = tmp_path / "x.py"
    f.write_text("from PyQt6 import QtCore\nimport coverage_planner.pipeline\n")
    names = [n for _, n in _imports(f)]
    assert "PyQt6" in names and "coverage_planner.pipeline" in names
