"""Among equally good sites the plan takes one with a microwave backhaul (``pipeline._prefer_backhaul``).

On the sample, proposal MS-05 and contingency rows flipped between "needs satellite" and a microwave link with
the order of equal candidates. Now each chosen site is compared with the other candidates that cover exactly the
same stations in the plan (so nothing the plan covers changes) when it needs satellite, and the best backhaul
wins: "ok" first, then the shorter hop, then the better clearance; a site with a working link keeps it.
"""

from __future__ import annotations

import numpy as np
import pytest

from .test_contingency_exact import EAST_TOWER, _east_row
from .tiny_project import cell_xy, ll, write_project


def _prepared(folder, east_tower: bool):
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    path = write_project(folder / "proj", k=1)
    if east_tower:  # as test_contingency_exact: an omni tower on cell (60, 108) alone serves the east
        towers = path.parent / "towers.csv"
        lon, lat = ll(*cell_xy(60, 108))
        towers.write_text(towers.read_text(encoding="utf-8") + EAST_TOWER.format(lon=lon, lat=lat), encoding="utf-8")
    project = load_project(path)
    return project, pipeline.prepare(project, cache_dir=folder / "cache")


@pytest.fixture(scope="module")
def real_placement(tmp_path_factory):
    """(project, context) of the tiny project with k = 1 (as test_placement_exact)."""
    return _prepared(tmp_path_factory.mktemp("ties_placement"), east_tower=False)


@pytest.fixture(scope="module")
def real_contingency(tmp_path_factory):
    """(project, context) of the tiny project with the east tower (as test_contingency_exact)."""
    return _prepared(tmp_path_factory.mktemp("ties_contingency"), east_tower=True)


def _fields(ok: dict[int, float]):
    """A backhaul check: candidate j has a microwave link of ``ok[j]`` km, the others need satellite."""
    calls: list[int] = []

    def fields(j):
        calls.append(int(j))
        if j in ok:
            return {"backhaul": "ok", "backhaul_tower": f"T{j}", "backhaul_distance_km": ok[j],
                    "backhaul_clearance": 1.0}
        return {"backhaul": "needs satellite", "backhaul_tower": "", "backhaul_distance_km": np.nan,
                "backhaul_clearance": np.nan}

    return fields, calls


def _exact(cov, checked=None):
    from coverage_planner import pipeline

    cov = np.asarray(cov, bool)
    n = cov.shape[1]
    ex = pipeline._ExactColumns(None, cov, None, None, (np.zeros(n, int), np.arange(n) * 10), 0.0, None, None)
    ex.checked[:] = True if checked is None else checked
    return ex


# stations × candidates: 0 and 1 chosen; 2 covers what 0 covers; 3 is 0 plus a station of 1 (the plan still
# covers the same); 4 has 0's weight on another station; 5 is 0 plus a station nobody covers
COV = [
    # 0  1  2  3  4  5
    [1, 0, 1, 1, 0, 1],
    [1, 0, 1, 1, 0, 1],
    [0, 1, 0, 1, 0, 0],
    [0, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
]


def test_a_site_covering_the_same_stations_with_microwave_backhaul_wins():
    from coverage_planner import pipeline

    ex = _exact(COV)
    fields, _calls = _fields({2: 9.0})
    sel, got, n = pipeline._prefer_backhaul(ex, [0, 1], np.arange(6), fields, ([], []))
    assert sel == [2, 1]
    assert got[2][0]["backhaul"] == "ok" and got[1][0]["backhaul"] == "needs satellite"
    assert n == 2  # 2 and 3 are the only alternatives that keep what the plan covers
    before = np.asarray(COV, bool)[:, [0, 1]].any(axis=1)
    assert (np.stack([got[j][1] for j in sel], axis=1).any(axis=1) == before).all()


def test_a_swap_that_would_change_what_the_plan_covers_is_never_made():
    from coverage_planner import pipeline

    ex = _exact(COV)
    fields, calls = _fields({4: 1.0, 5: 1.0})  # 4: same count, other station; 5: one station more
    sel, _got, n = pipeline._prefer_backhaul(ex, [0, 1], np.arange(6), fields, ([], []))
    assert sel == [0, 1] and n == 2
    assert 4 not in calls and 5 not in calls


def test_the_shorter_hop_wins_and_a_working_link_is_kept():
    from coverage_planner import pipeline

    ex = _exact(COV)
    sel, got, _ = pipeline._prefer_backhaul(ex, [0, 1], np.arange(6), _fields({2: 6.0, 3: 4.0})[0], ([], []))
    assert sel == [3, 1] and got[3][0]["backhaul_distance_km"] == 4.0
    # 0 already has a link: no alternative is checked, even a shorter one
    fields, calls = _fields({0: 9.0, 2: 4.0, 3: 6.0})
    sel, got, n = pipeline._prefer_backhaul(ex, [0, 1], np.arange(6), fields, ([], []))
    assert sel == [0, 1] and got[0][0]["backhaul_distance_km"] == 9.0
    assert 2 not in calls and 3 not in calls


def test_at_most_the_limit_nearest_a_tower_are_checked_and_a_refuted_screen_claim_is_skipped():
    from coverage_planner import pipeline

    cov = np.zeros((2, 12), bool)
    cov[0, :] = True  # candidate 0 chosen; 1..11 claim the same station
    ex = _exact(cov)
    fields, calls = _fields({11: 1.0})
    # candidates sit on cells (0, 10 j); a tower at column 110 (candidate 11) puts 11 first
    sel, _, n = pipeline._prefer_backhaul(ex, [0], [0, 1], fields, ([0], [110]), limit=3)
    assert sel == [11] and n == 3 and calls[0] == 0 and calls[1:] == [11, 10, 9]
    # 11 only on the screen's word, and the exact check refutes it: 10 then
    ex = _exact(cov, checked=np.arange(12) != 11)
    ex.column = lambda j: np.zeros(2, bool) if j == 11 else ex.cov[:, j]
    fields, calls = _fields({10: 2.0, 11: 1.0})
    sel, got, n = pipeline._prefer_backhaul(ex, [0], [0, 1], fields, ([0], [110]), limit=3)
    assert sel == [10] and 11 not in calls and n == 2


def _record(monkeypatch, ok_cells=frozenset()):
    """Run-wide: the fake backhaul (microwave only on ``ok_cells``) and, per _prefer_backhaul call, the cells
    of its incumbent and of the alternatives it checked."""
    from coverage_planner import pipeline

    log: list[list[tuple[int, int]]] = []
    real_prefer = pipeline._prefer_backhaul

    def fake_fields(_ctx, r, c, _towers, _cells):
        if (r, c) in ok_cells:
            return {"backhaul": "ok", "backhaul_tower": "FAKE", "backhaul_distance_km": 3.0,
                    "backhaul_clearance": 1.0}
        return {"backhaul": "needs satellite", "backhaul_tower": "", "backhaul_distance_km": np.nan,
                "backhaul_clearance": np.nan}

    def prefer(exact, selected, rows, fields, tower_cells, limit=None):
        crow, ccol = exact.cells
        log.append([])

        def logged(j):
            log[-1].append((int(crow[j]), int(ccol[j])))
            return fields(j)

        return real_prefer(exact, selected, rows, logged, tower_cells, limit)

    monkeypatch.setattr(pipeline, "_backhaul_fields", fake_fields)
    monkeypatch.setattr(pipeline, "_prefer_backhaul", prefer)
    return log


def _cell(grid, x, y) -> tuple[int, int]:
    r, c = grid.rowcol(x, y)
    return int(np.floor(float(r) + 0.5)), int(np.floor(float(c) + 0.5))


def test_on_a_real_run_the_proposal_moves_to_the_equal_site_with_microwave(real_placement, monkeypatch):
    """The tiny project, k = 1 (test_placement_exact): every east site needs satellite; then the last
    alternative checked for the proposal gets a microwave link: the proposal moves there, and the objective,
    the bound, the covered stations and voters stay as they were."""
    from coverage_planner import pipeline

    project, ctx = real_placement
    project.placement.eirp_dbm = 46.0
    log = _record(monkeypatch)
    res0 = pipeline.run(project, context=ctx)
    p0 = res0.proposals.iloc[0]
    calls = log[0]
    assert calls[0] == _cell(res0.grid, p0["x"], p0["y"])
    assert len(calls) >= 2, "premise: the proposal has an equally good alternative"
    assert p0["backhaul"] == "needs satellite"

    monkeypatch.undo()
    _record(monkeypatch, frozenset({calls[-1]}))
    res1 = pipeline.run(project, context=ctx)
    p1 = res1.proposals.iloc[0]
    assert _cell(res1.grid, p1["x"], p1["y"]) == calls[-1]
    assert p1["backhaul"] == "ok" and p1["backhaul_tower"] == "FAKE"
    for col in ("n_stations", "stations_covered", "voters_covered", "weight_covered"):
        assert p1[col] == p0[col], col
    s0, s1 = res0.placement_summary, res1.placement_summary
    for key in ("exact_objective", "greedy_objective", "upper_bound", "gap_pct", "covered_after", "n_unreachable"):
        assert s1[key] == s0[key], key
    assert (s0["backhaul_swaps"], s1["backhaul_swaps"]) == (0, 1)
    # what the proposal lists is what its new place reaches by the independent rule
    assert pipeline.site_reach(ctx, res1.stations, p1["x"], p1["y"]) == p1["stations_in_reach"].split(";")


def test_on_a_real_run_the_contingency_row_moves_to_the_equal_site_with_microwave(real_contingency,
                                                                                 monkeypatch):
    """The tiny project with the east tower (test_contingency_exact): the east row's site needs satellite; then
    the last alternative checked for it gets a microwave link: the row moves there and restores the same."""
    from coverage_planner import pipeline

    project, ctx = real_contingency
    project.placement.eirp_dbm = 46.0
    log = _record(monkeypatch)
    res0 = pipeline.run(project, context=ctx)
    east0 = _east_row(res0)
    at = _cell(res0.grid, east0["restore_x"], east0["restore_y"])
    calls = [c for c in log if c[0] == at and len(c) >= 2]
    assert calls, "premise: the east row has an equally good alternative"
    assert east0["backhaul"] == "needs satellite"

    monkeypatch.undo()
    _record(monkeypatch, frozenset({calls[-1][-1]}))
    res1 = pipeline.run(project, context=ctx)
    east1 = _east_row(res1)
    assert _cell(res1.grid, east1["restore_x"], east1["restore_y"]) == calls[-1][-1]
    assert east1["backhaul"] == "ok" and east1["backhaul_tower"] == "FAKE"
    for col in ("n_restored", "voters_restored", "stations_restored", "n_lost", "voters_lost"):
        assert east1[col] == east0[col], col
    for col in ("site", "n_restored", "voters_restored", "stations_restored"):
        assert res1.contingency[col].tolist() == res0.contingency[col].tolist(), col
