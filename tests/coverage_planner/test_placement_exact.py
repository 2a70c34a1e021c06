"""The placement's exact check on a real run of the tiny project (tests/coverage_planner/tiny_project.py).

:func:`coverage_planner.pipeline.site_reach` needed one reciprocal window per station in need (slow after a run
that placed no site). Reach is recounted here independently: every station in need within the computation
radius, ``point_to_point_loss`` on the straight profile against the good threshold.
"""

from __future__ import annotations

import numpy as np
import pytest


def _cell(grid, x, y) -> tuple[int, int]:
    r, c = grid.rowcol(x, y)
    return int(np.floor(float(r) + 0.5)), int(np.floor(float(c) + 0.5))


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """(project, context) of the tiny project with k = 1."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    from .tiny_project import write_project

    folder = tmp_path_factory.mktemp("placement_exact")
    project = load_project(write_project(folder / "proj", k=1))
    return project, pipeline.prepare(project, cache_dir=folder / "cache")


def test_a_station_on_the_sites_own_cell(real, monkeypatch):
    """A candidate on a station's cell (KV-E1 sits on the road, so C50_95 is one): its exact check gives that
    station free space over half a cell (before: "points A and B are the same cell" — the run or the drag
    failed whenever the solver or the user chose that cell)."""
    from coverage_planner import pipeline

    project, ctx = real
    project.placement.eirp_dbm = 46.0
    crow, ccol, cids = pipeline._candidates(ctx, ctx.inputs.communes)
    res0 = pipeline.run(project, context=ctx, placement=False)
    st = res0.stations.set_index("id")
    r, c = _cell(res0.grid, st.loc["KV-E1"].geometry.x, st.loc["KV-E1"].geometry.y)
    j = np.flatnonzero((crow == r) & (ccol == c))
    assert len(j) == 1, "premise: a candidate on KV-E1's cell"
    monkeypatch.setattr(pipeline, "_candidates", lambda *_a, **_k: (crow[j], ccol[j], [cids[j[0]]]))
    res = pipeline.run(project, context=ctx)
    reach = res.proposals.iloc[0]["stations_in_reach"].split(";")
    assert "KV-E1" in reach
    x, y = (float(v) for v in res.grid.xy(r, c))
    assert pipeline.site_reach(ctx, res.stations, x, y) == reach


def test_site_reach_needs_no_reciprocal_window(tmp_path, monkeypatch):
    """After a run with k = 0 (no reciprocal window cached), on a fresh context, a user's site reach is counted
    without any sweep — at most one exact profile per station in need — and equals the independent recount,
    east of the ridge and with another mast height."""
    from analysis import linkbudget as lb
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    from .tiny_project import write_project

    project = load_project(write_project(tmp_path / "proj", k=1))
    project.placement.k = 0  # as `run --k 0`: placement off (the contingency plan still runs)
    project.placement.eirp_dbm = 46.0
    res = pipeline.run(project, context=pipeline.prepare(project, cache_dir=tmp_path / "cache"))
    assert res.placement_summary == {} and res.proposals is None
    ctx = pipeline.prepare(project, cache_dir=tmp_path / "cache")

    def no_sweep(*_a, **_k):
        raise AssertionError("site_reach computed a path-loss window")

    calls = []
    real_p2p = pipeline._prop.point_to_point_loss

    def counting(*a, **k):
        calls.append(1)
        return real_p2p(*a, **k)

    monkeypatch.setattr(lb, "path_loss_window", no_sweep)
    monkeypatch.setattr(pipeline._prop, "point_to_point_loss", counting)
    params = pipeline.mobile_link_params(project)
    max_loss = pipeline._mobile_max_loss(project, params)
    need = res.stations[res.stations["status"] != "good"]
    reached_any = 0
    for mast in (None, 8.0):
        h = project.placement.mast_height_m if mast is None else mast
        for r in range(10, 120, 25):
            for c in range(70, 120, 12):
                x, y = (float(v) for v in res.grid.xy(r, c))
                calls.clear()
                got = pipeline.site_reach(ctx, res.stations, x, y, mast_height_m=mast)
                assert len(calls) <= len(need)
                want = []
                for s in need.itertuples():
                    a, b = _cell(res.grid, s.geometry.x, s.geometry.y)
                    if np.hypot(a - r, b - c) * res.grid.cellsize > project.placement.coverage_radius_m:
                        continue
                    loss = real_p2p(ctx.dem, r, c, a, b, a_height_m=h, b_height_m=params.receiver_height_m,
                                    frequency_mhz=project.placement_frequency_mhz(), cellsize=res.grid.cellsize,
                                    model=params.model, k=params.k)
                    if loss <= max_loss:
                        want.append(str(s.id))
                assert got == want, (r, c, mast)
                reached_any += bool(got)
    assert reached_any >= 5  # premise: the places test something
