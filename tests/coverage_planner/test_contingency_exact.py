"""The contingency plan's choice of mobile site on a real run of the tiny project with one more tower.

VTL-002 stands in the east valley (tests/coverage_planner/tiny_project.py has no tower there): it alone serves
the three east stations, so its row of the plan lists them as lost and the mobile site must come from the east
candidates — where the screen (reciprocal sweeps) over-claims the stations behind the ridge for many
candidates, as in tests/coverage_planner/test_placement_exact.py. The plan's loop took the screen's best claim,
checked it, and after 8 refuted claims in a row settled for the best checked site: 2 of the 3 stations while
sites restoring all 3 exist. Reach is recounted here independently: every lost station within the computation
radius, ``point_to_point_loss`` on the straight profile (free space over half a cell on the site's own cell)
against the good threshold of the placement technology.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import propagation as pr

from .test_placement_exact import _cell
from .tiny_project import cell_xy, ll, write_project

EAST_TOWER = "VTL-002,Viettel,4G,{lon},{lat},30,50,,on_air\n"


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """(project, context) of the tiny project with an omni tower on cell (60, 108) that alone serves the east."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    folder = tmp_path_factory.mktemp("contingency_exact")
    path = write_project(folder / "proj", k=1)
    towers = path.parent / "towers.csv"
    lon, lat = ll(*cell_xy(60, 108))
    towers.write_text(towers.read_text(encoding="utf-8") + EAST_TOWER.format(lon=lon, lat=lat), encoding="utf-8")
    project = load_project(path)
    return project, pipeline.prepare(project, cache_dir=folder / "cache")


class Truth:
    """For one row of the plan: per candidate, which of its lost stations the screen claims and which the
    exact recount confirms (bool, lost × candidate), and their weights (as the placement's)."""

    def __init__(self, project, ctx, res, row):
        from analysis import placement as pl
        from coverage_planner import pipeline

        st = res.stations.set_index("id")
        self.ids = row["stations_lost"].split(";")
        lost = res.stations[res.stations["id"].isin(self.ids)].reset_index(drop=True)
        assert list(lost["id"]) == self.ids  # the plan lists them in table order
        self.weights = pipeline._demand_weights(lost, ctx.inputs.communes, project)
        params = pipeline.mobile_link_params(project)
        max_loss = pipeline._mobile_max_loss(project, params)
        self.crow, self.ccol, _ = pipeline._candidates(ctx, ctx.inputs.communes)
        cells = [_cell(res.grid, st.loc[i].geometry.x, st.loc[i].geometry.y) for i in self.ids]
        keys = pipeline._reciprocal_keys(ctx, [a for a, _ in cells], [b for _, b in cells], params)
        windows = [pipeline._reciprocal_window(ctx, key, a, b, params) for key, (a, b) in zip(keys, cells, strict=True)]
        self.screen = pl.covers_from_loss_windows(windows, self.crow, self.ccol, max_loss).toarray()
        self.exact = np.zeros_like(self.screen)
        pl_, cs, freq = project.placement, res.grid.cellsize, project.placement_frequency_mhz()
        for j, (r, c) in enumerate(zip(self.crow, self.ccol, strict=True)):
            for i, (a, b) in enumerate(cells):
                d = np.hypot(a - r, b - c) * cs
                if d > pl_.coverage_radius_m:
                    continue
                loss = pr.free_space_loss(0.5 * cs, freq) if d == 0 else pr.point_to_point_loss(
                    ctx.dem, int(r), int(c), a, b, a_height_m=pl_.mast_height_m, b_height_m=params.receiver_height_m,
                    frequency_mhz=freq, cellsize=cs, model=params.model, k=params.k)
                self.exact[i, j] = loss <= max_loss

    def at(self, res, x, y) -> np.ndarray:
        r, c = _cell(res.grid, x, y)
        return self.exact[:, int(np.flatnonzero((self.crow == r) & (self.ccol == c))[0])]


def _east_row(res):
    cp = res.contingency.set_index("site")
    row = cp.loc["VTL-002"]
    assert row["stations_lost"] == "KV-E1;KV-E2;KV-E3"  # premise: the east tower alone serves the east
    return row


def test_each_restore_site_is_exact_and_as_good_as_any_site_screen_and_exact_agree_on(real):
    """Over several mobile EIRPs: the row's restored stations are what the recount finds at its site, and weigh
    at least as much as the lost stations any candidate restores whose screen claims the recount confirms."""
    from coverage_planner import pipeline

    project, ctx = real
    traps = 0
    for eirp in (40.0, 43.0, 46.0, 52.0):
        project.placement.eirp_dbm = eirp
        res = pipeline.run(project, context=ctx)
        row = _east_row(res)
        truth = Truth(project, ctx, res, row)
        agree = (truth.screen == truth.exact).all(axis=0) & truth.exact.any(axis=0)
        best_agreed = max(float(truth.weights @ truth.exact[:, j]) for j in np.flatnonzero(agree))
        traps += int((((truth.weights @ truth.screen) >= best_agreed) & ~agree).sum())
        reached = truth.at(res, row["restore_x"], row["restore_y"])
        restored = [s for s in row["stations_restored"].split(";") if s]
        assert restored == [i for i, ok in zip(truth.ids, reached, strict=True) if ok], eirp
        assert row["n_restored"] == len(restored)
        got = float(truth.weights @ reached)
        assert got >= best_agreed - 1e-6, (eirp, restored, got, best_agreed)
    # premise: many more screen claims the recount refutes, at the top of the screen's ranking, than rounds
    assert traps >= 4 * pipeline.EXACT_ROUNDS


def test_when_the_rounds_run_out_the_restore_site_is_still_exact(real, monkeypatch):
    """One round and no challengers: the screen's best claim is checked and there is no round left to confirm
    the choice. The row then comes from exact-checked sites only: what it restores is what the recount finds
    there, with the voters of those stations."""
    from coverage_planner import pipeline

    project, ctx = real
    project.placement.eirp_dbm = 46.0
    monkeypatch.setattr(pipeline, "EXACT_ROUNDS", 1)
    monkeypatch.setattr(pipeline, "EXACT_CHALLENGERS", 0)
    res = pipeline.run(project, context=ctx)
    row = _east_row(res)
    truth = Truth(project, ctx, res, row)
    reached = truth.at(res, row["restore_x"], row["restore_y"])
    restored = [s for s in row["stations_restored"].split(";") if s]
    assert restored == [i for i, ok in zip(truth.ids, reached, strict=True) if ok]
    assert row["voters_restored"] == int(res.stations.set_index("id").loc[restored, "voters"].sum())
