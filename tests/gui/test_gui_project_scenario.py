"""A project's ``[scenario]``: opening it ticks its ``down`` towers in the Scenario tab, so the first run is that
scenario under its name; the name goes with that set of towers only."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt

from tests.coverage_planner.tiny_project import write_project

NAMED = '\n[scenario]\nname = "Sạt lở Mường Nhà"\ndown = ["VTL-001", " VTL-001"]\n'


@pytest.fixture
def named(tmp_path):
    return write_project(tmp_path / "named", extra=NAMED)


def _open(window, path, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        assert window.open_project(path)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)


def _run(window, qtbot, run=None):
    with qtbot.waitSignal(window.resultsShown, timeout=600000):  # first run may compile numba kernels
        assert (run or window.run_analysis)()
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    return window.session.results


def _checked(dock) -> set[str]:
    items = [dock.towers.item(i) for i in range(dock.towers.count())]
    return {it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked}


def _tick(dock, tower_id, on=True):
    item = next(dock.towers.item(i) for i in range(dock.towers.count())
                if dock.towers.item(i).data(Qt.ItemDataRole.UserRole) == tower_id)
    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def test_project_scenario_is_ticked_and_the_first_run_is_that_scenario(window, named, qtbot, tmp_path):
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    _open(window, named, qtbot)
    dock = window.scenario_dock
    assert window.session.down_towers == {"VTL-001"}
    assert _checked(dock) == {"VTL-001"}  # listed from the checked inputs, before any run
    res = _run(window, qtbot)
    assert res.scenario.name == "Sạt lở Mường Nhà" and res.scenario.down == ("VTL-001",)
    ref = pipeline.run(load_project(named), placement=False, cache_dir=tmp_path / "c")  # as the CLI computes it
    assert res.station_counts() == ref.station_counts() and res.newly_uncovered == ref.newly_uncovered
    assert res.newly_uncovered and _checked(dock) == {"VTL-001"}
    assert "Sạt lở Mường Nhà – down: VTL-001" in window.results_dock.summary.text()
    # the name goes with that set of towers: other ticks are the GUI's own what-if …
    _tick(dock, "VNP-001")
    res = _run(window, qtbot, window.run_scenario)
    assert res.scenario.name == "what-if" and res.scenario.down == ("VNP-001", "VTL-001")
    # … back to the project's towers, its name again; none down: baseline
    _tick(dock, "VNP-001", False)
    assert window.current_scenario().name == "Sạt lở Mường Nhà"
    _tick(dock, "VTL-001", False)
    assert window.current_scenario().name == "baseline" and window.current_scenario().down == ()


def test_project_site_id_is_ticked_as_its_sectors(window, tmp_path, qtbot):
    """A site id in [scenario] down ticks its sectors once the inputs are read, and keeps the project's name."""
    proj = write_project(tmp_path / "p", extra='\n[scenario]\nname = "Mất điện"\ndown = ["VTL-002"]\n')
    towers = proj.parent / "towers.csv"
    lines = towers.read_text(encoding="utf-8").splitlines()
    vtl = next(line for line in lines if line.startswith("VTL-001,")).split(",")
    lines += [",".join([f"VTL-002-{s}", *vtl[1:7], az, vtl[8]]) for s, az in (("A", "0"), ("B", "180"))]
    towers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _open(window, proj, qtbot)
    assert window.session.down_towers == {"VTL-002-A", "VTL-002-B"}
    assert _checked(window.scenario_dock) == {"VTL-002-A", "VTL-002-B"}
    assert window.current_scenario().name == "Mất điện"
