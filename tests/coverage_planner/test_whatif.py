"""What-if mobile sites (moved or added by the user): recounted reach, backhaul at the new place, and the plan
the exports write (map, report, GIS files)."""

from __future__ import annotations

import math
import shutil
import subprocess
from types import SimpleNamespace

import numpy as np
import pytest

from coverage_planner import whatif
from coverage_planner.errors import ParameterError

from .tiny_results import tiny_results

BH = {"backhaul": "ok", "backhaul_tower": "VT-001", "backhaul_distance_km": 7.25, "backhaul_clearance": 0.71}


def site(sid, x, y, origin, covered, *, backhaul=None, level="computed"):
    return SimpleNamespace(site_id=sid, x=float(x), y=float(y), origin=origin, covered=list(covered),
                           level=level, backhaul=backhaul)


def ids(text) -> list[str]:
    return [s for s in str(text).split(";") if s]


@pytest.fixture()
def res():
    """tiny_results with overlapping reach: MS-02 also reaches MS-01's first station (claimed by MS-01)."""
    r = tiny_results()
    p = r.proposals.copy()
    first = ids(p["stations_covered"].iloc[0])[0]
    p.loc[p.index[1], "stations_in_reach"] = ";".join(ids(p["stations_in_reach"].iloc[1]) + [first])
    r.proposals = p
    return r


def test_nothing_changed_is_the_results_themselves(res):
    assert whatif.current_plan(res, {}) is res
    assert whatif.current_proposals(res, {}) is res.proposals


def test_moved_site_at_its_new_place_with_its_own_backhaul(res):
    x, y = res.grid.xy(40, 60)
    x, y = float(x), float(y)
    first = ids(res.proposals["stations_covered"].iloc[0])
    plan = whatif.current_plan(res, {"MS-01": site("MS-01", x, y, "proposal", first[:1], backhaul=BH)})
    row = plan.proposals.set_index("site_id").loc["MS-01"]
    assert (row["x"], row["y"]) == (round(x, 1), round(y, 1))
    assert row.geometry.x == pytest.approx(x) and row.geometry.y == pytest.approx(y)
    assert row["elevation_m"] == pytest.approx(round(float(res.dem[40, 60]), 1))
    inside = res.communes[res.communes.geometry.contains(row.geometry)]["name"].tolist()
    assert row["commune"] == (inside[0] if inside else "")
    assert row["placed_by"] == whatif.MOVED_BY_USER
    assert {k: row[k] for k in BH} == BH
    assert row["n_stations"] == 1 and row["stations_covered"] == first[0]
    # the optimiser's own figures and rasters are unchanged
    assert plan.proposals.set_index("site_id").loc["MS-02", "placed_by"] == whatif.BY_OPTIMISER
    assert plan.placement_summary["user_moved"] == ["MS-01"] and plan.placement_summary["user_added"] == []
    assert res.proposals.set_index("site_id").loc["MS-01", "x"] != round(x, 1)  # the results are not modified
    assert "placed_by" not in res.proposals.columns


def test_without_its_own_check_the_backhaul_says_not_checked(res):
    props = whatif.current_proposals(res, {"MS-02": site("MS-02", res.proposals["x"].iloc[1] + 400,
                                                        res.proposals["y"].iloc[1], "proposal", [])})
    row = props.set_index("site_id").loc["MS-02"]
    assert row["backhaul"] == whatif.NOT_CHECKED and row["backhaul_tower"] == "" and math.isnan(row["backhaul_distance_km"])


def test_reach_is_recounted_so_no_station_is_lost_or_counted_twice(res):
    """MS-01 moved to where it reaches nothing: the station it claimed, which MS-02 also reaches, is now
    MS-02's (before the fix it was lost from the totals); the counts add up to the distinct stations."""
    first = ids(res.proposals["stations_covered"].iloc[0])[0]
    moved = {"MS-01": site("MS-01", res.proposals["x"].iloc[0] + 600, res.proposals["y"].iloc[0], "proposal", [])}
    plan = whatif.current_plan(res, moved)
    p = plan.proposals.set_index("site_id")
    assert p.loc["MS-01", "n_stations"] == 0 and p.loc["MS-01", "stations_covered"] == ""
    assert first in ids(p.loc["MS-02", "stations_covered"])
    assert math.isnan(p.loc["MS-02", "weight_covered"])  # the optimiser's weight no longer applies
    k, n, v, pending = whatif.current_totals(res, moved)
    assert (k, pending) == (2, False)
    listed = [s for t in p["stations_covered"] for s in ids(t)]
    assert len(listed) == len(set(listed)) == n
    assert int(p["voters_covered"].sum()) == v == int(res.stations.set_index("id").loc[listed, "voters"].sum())
    assert plan.placement_summary["current_stations"] == n and plan.placement_summary["current_voters"] == v


def test_added_site_is_ranked_last_and_lists_only_new_stations(res):
    claimed = ids(res.proposals["stations_covered"].iloc[0])
    others = [s for s in res.stations.loc[res.stations["status"] != "good", "id"]
              if s not in set(";".join(res.proposals["stations_in_reach"]).split(";"))]
    assert others, "the fixture needs a station no proposal reaches"
    x, y = (float(v) for v in res.grid.xy(70, 30))
    plan = whatif.current_plan(res, {"U01": site("U01", x, y, "added", claimed + others[:1], backhaul=BH)})
    p = plan.proposals
    assert list(p["site_id"]) == ["MS-01", "MS-02", "U01"] and list(p["rank"]) == [1, 2, 3]
    u = p.set_index("site_id").loc["U01"]
    assert u["placed_by"] == whatif.ADDED_BY_USER and u["candidate"] == ""
    assert ids(u["stations_covered"]) == others[:1] and u["n_stations"] == 1
    assert u["backhaul"] == "ok" and u["lon"] == pytest.approx(float(plan.proposals.to_crs(4326).geometry.x.iloc[2]),
                                                               abs=1e-6)
    assert plan.placement_summary["user_added"] == ["U01"] and plan.placement_summary["current_sites"] == 3
    # unmoved proposals keep the optimiser's rows
    for col in ("stations_covered", "weight_covered", "backhaul"):
        assert p[col].iloc[0] == res.proposals[col].iloc[0]


def test_added_site_without_any_proposal(res):
    res.proposals = res.proposals.iloc[:0]
    x, y = (float(v) for v in res.grid.xy(50, 50))
    plan = whatif.current_plan(res, {"U01": site("U01", x, y, "added", [], backhaul=BH)})
    assert list(plan.proposals["site_id"]) == ["U01"] and plan.proposals.crs == res.proposals.crs
    assert plan.proposals["x"].iloc[0] == round(x, 1)


def test_sites_being_computed_are_refused(res):
    with pytest.raises(ParameterError, match="U01.*still being computed"):
        whatif.current_plan(res, {"U01": site("U01", 0, 0, "added", [], level=None)})
    with pytest.raises(ParameterError, match="shape"):
        whatif.current_plan(res, {"U01": site("U01", *res.grid.xy(5, 5), "added", [])}, np.zeros((2, 2)))


def test_exports_mark_the_users_changes(res, tmp_path):
    from coverage_planner import gisexport, report, webmap

    x, y = (float(v) for v in res.grid.xy(40, 60))
    level = np.full(res.grid.shape, np.nan, np.float32)
    level[35:45, 55:65] = -70.0
    plan = whatif.current_plan(res, {"MS-01": site("MS-01", x, y, "proposal", [], backhaul=BH),
                                     "U01": site("U01", *res.grid.xy(70, 30), "added", [], backhaul=BH)}, level)
    assert plan.proposal_level is level
    page = webmap.write_map(plan, tmp_path / "m.html", lang="en").read_text(encoding="utf-8")
    assert "MS-01 (moved)" in page and "U01 (added)" in page
    assert "Mobile sites changed by the user" in page and "moved MS-01; added U01" in page
    base = webmap.write_map(res, tmp_path / "b.html", lang="en").read_text(encoding="utf-8")
    assert "(moved)" not in base and "changed by the user" not in base
    gisexport.export_all(plan, tmp_path / "gis")
    import pandas as pd

    table = pd.read_csv(tmp_path / "gis" / "proposed_sites.csv")
    assert list(table["placed_by"]) == ["moved by user", "optimiser", "added by user"]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    pdf = report.build_report(plan, tmp_path / "r.pdf", lang="en")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "changes made by the user in the desktop app: moved MS-01; added U01" in flat
    assert "U01 (added)" in flat and "MS-01 (moved)" in flat
    vi = report.build_report(plan, tmp_path / "r_vi.pdf", lang="vi")
    text = subprocess.run(["pdftotext", str(vi), "-"], capture_output=True, text=True, check=True).stdout
    assert "đã dời MS-01; đã thêm U01" in " ".join(text.split())


# --------------------------------------------------------------------------------------------------------------
# The reach of a user's site by the optimiser's rule (exact terrain profile per station), on a real run of the
# tiny project. Before: it was read off the site's forward raster, so dragging a proposal by 0 m could change its
# count by a station (QA: MS-04 8 → 7).
# --------------------------------------------------------------------------------------------------------------
def _cell(grid, x, y) -> tuple[int, int]:
    r, c = grid.rowcol(x, y)
    return int(np.floor(float(r) + 0.5)), int(np.floor(float(c) + 0.5))


def _recount(ctx, project, res, x, y, mast_height_m=None) -> list[str]:
    """Independent recount: every station in need within the mobile computation radius, its level from
    ``point_to_point_loss`` on the straight profile against the good threshold of the placement technology."""
    from analysis import propagation as pr
    from coverage_planner import pipeline

    pl, params = project.placement, pipeline.mobile_link_params(project)
    mast = pl.mast_height_m if mast_height_m is None else mast_height_m
    good = project.thresholds[pl.technology].good_dbm
    sr, sc = _cell(res.grid, x, y)
    out = []
    for s in res.stations.itertuples():
        if s.status == "good":
            continue
        r, c = _cell(res.grid, s.geometry.x, s.geometry.y)
        if np.hypot(r - sr, c - sc) * res.grid.cellsize > pl.coverage_radius_m:
            continue
        loss = pr.point_to_point_loss(ctx.dem, sr, sc, r, c, a_height_m=mast, b_height_m=params.receiver_height_m,
                                      frequency_mhz=project.placement_frequency_mhz(), cellsize=res.grid.cellsize,
                                      model=params.model, k=params.k, environment=params.hata_environment,
                                      vegetation_db_per_km=params.vegetation_db_per_km,
                                      vegetation_max_db=params.vegetation_max_db,
                                      vegetation_height_m=params.vegetation_height_m)
        if pl.eirp_dbm - loss + params.receiver_gain_dbi - params.total_margin_db >= good:
            out.append(str(s.id))
    return out


def _raster_reach(ctx, project, res, x, y) -> list[str]:
    """The old rule (the app's ``stations_reached``, gone since every reach is exact): the stations in need
    (status not good) that the site's forward raster (``pipeline.site_coverage``) shows at the good level of the
    placement technology."""
    from coverage_planner import pipeline

    good = project.thresholds[project.placement.technology].good_dbm
    s = res.stations
    lv = pipeline.levels_at(res.grid, pipeline.site_coverage(ctx, float(x), float(y)), s.geometry.x.to_numpy(),
                            s.geometry.y.to_numpy())
    ok = (np.nan_to_num(lv, nan=-np.inf) >= good) & (s["status"].to_numpy() != "good")
    return [str(i) for i in s["id"].to_numpy()[ok]]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The tiny project (tests/coverage_planner/tiny_project.py) run through the pipeline: (project, context)."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    from .tiny_project import write_project

    folder = tmp_path_factory.mktemp("whatif_real")
    project = load_project(write_project(folder / "proj", k=2))
    return project, pipeline.prepare(project, cache_dir=folder / "cache")


def _raster_disagrees(ctx, project, monkeypatch, n: int = 6):
    """Limit the placement's candidates to the first ``n`` (in the pipeline's order) where the forward raster
    and the exact rule reach different stations, so the optimiser has to propose one of them."""
    from coverage_planner import pipeline

    res = pipeline.run(project, context=ctx, placement=False)
    crow, ccol, cids = pipeline._candidates(ctx, ctx.inputs.communes)
    keep = []
    for j in range(len(crow)):
        x, y = (float(v) for v in res.grid.xy(int(crow[j]), int(ccol[j])))
        exact = pipeline.site_reach(ctx, res.stations, x, y)
        if exact and exact != _raster_reach(ctx, project, res, x, y):
            keep.append(j)
            if len(keep) == n:
                break
    assert keep, "premise: some candidate where the forward raster and the exact rule disagree"
    keep = np.asarray(keep)
    monkeypatch.setattr(pipeline, "_candidates",
                        lambda *_a, **_k: (crow[keep], ccol[keep], [cids[j] for j in keep]))


def test_a_proposal_moved_to_its_own_place_keeps_the_optimisers_stations(real, monkeypatch):
    """(a) Each proposal "moved" by 0 m (and within its own cell) reaches exactly the optimiser's
    ``stations_in_reach``, and the exported plan shows the optimiser's counts. Over several mobile EIRPs, so that
    the threshold falls near some station's level; and once with the candidates limited to places where the
    forward raster reaches a different list (the defect this guards against): the optimiser now prefers sites
    whose screen claims the exact check confirmed, where the raster tends to agree."""
    from coverage_planner import pipeline

    project, ctx = real
    raster_differs = 0
    checked = 0
    for eirp in (40.0, 43.0, 46.0, 49.0, 52.0, 55.0, None):
        if eirp is None:  # last: the candidates where the raster disagrees (EIRP 46 dBm)
            project.placement.eirp_dbm = 46.0
            _raster_disagrees(ctx, project, monkeypatch)
        else:
            project.placement.eirp_dbm = eirp
        res = pipeline.run(project, context=ctx)
        assert len(res.proposals) >= 1
        for rec in res.proposals.to_dict("records"):
            want = ids(rec["stations_in_reach"])
            for dx in (0.0, 0.3 * res.grid.cellsize):  # 0 m, and a nudge that stays on the site's cell
                x, y = rec["x"] + dx, rec["y"] - dx
                assert _cell(res.grid, x, y) == _cell(res.grid, rec["x"], rec["y"])
                got = pipeline.site_reach(ctx, res.stations, x, y, mast_height_m=project.placement.mast_height_m)
                assert got == want, (eirp, rec["site_id"], dx)
                plan = whatif.current_plan(res, {rec["site_id"]: site(rec["site_id"], x, y, "proposal", got,
                                                                      backhaul=BH)})
                row = plan.proposals.set_index("site_id").loc[rec["site_id"]]
                assert row["placed_by"] == whatif.MOVED_BY_USER
                assert ids(row["stations_in_reach"]) == want
                assert ids(row["stations_covered"]) == ids(rec["stations_covered"])
                assert row["n_stations"] == rec["n_stations"] and row["voters_covered"] == rec["voters_covered"]
                assert plan.placement_summary["current_stations"] == whatif.proposal_totals(res)[1]
                checked += 1
            raster_differs += _raster_reach(ctx, project, res, rec["x"], rec["y"]) != want
    assert checked >= 14
    assert raster_differs >= 1, "premise: the forward raster disagrees with the optimiser at some proposal"


def test_a_moved_site_reaches_what_an_exact_recount_finds(real):
    """(b) A site moved anywhere east of the ridge (where the stations in need are) lists the stations an
    independent recount with ``point_to_point_loss`` finds, in table order; with its own mast height too. Some
    of these places are ones where the forward raster gives another list."""
    from coverage_planner import pipeline

    project, ctx = real
    project.placement.eirp_dbm = 55.0
    res = pipeline.run(project, context=ctx)
    order = [str(s) for s in res.stations["id"]]
    raster_differs = reached = 0
    for r in range(4, 120, 13):
        for c in range(64, 120, 9):
            x, y = (float(v) for v in res.grid.xy(r, c))
            got = pipeline.site_reach(ctx, res.stations, x, y)
            want = _recount(ctx, project, res, x, y)
            assert got == want, (r, c)
            assert got == sorted(got, key=order.index)
            reached += bool(got)
            raster_differs += _raster_reach(ctx, project, res, x, y) != want
    assert reached >= 5 and raster_differs >= 1  # premise: the places test something
    # a site with another mast than the project's
    x, y = (float(v) for v in res.grid.xy(30, 100))
    for mast in (5.0, 40.0):
        assert pipeline.site_reach(ctx, res.stations, x, y, mast_height_m=mast) == _recount(ctx, project, res, x, y,
                                                                                            mast)
    with pytest.raises(ParameterError, match="outside the terrain grid"):
        pipeline.site_reach(ctx, res.stations, res.grid.bounds[0] - 500.0, y)


def test_an_exported_moved_site_lists_its_own_reach(res):
    """``stations_in_reach`` of a moved site is its own reach (not the proposal's), of an added one likewise;
    empty while being computed."""
    reach = ids(res.proposals["stations_in_reach"].iloc[1])[:1]
    x, y = (float(v) for v in res.grid.xy(40, 60))
    plan = whatif.current_plan(res, {"MS-01": site("MS-01", x, y, "proposal", reach),
                                     "U01": site("U01", x, y, "added", reach[::-1])})
    p = plan.proposals.set_index("site_id")
    assert ids(p.loc["MS-01", "stations_in_reach"]) == reach != ids(res.proposals["stations_in_reach"].iloc[0])
    assert ids(p.loc["U01", "stations_in_reach"]) == reach
    assert p.loc["MS-02", "stations_in_reach"] == res.proposals["stations_in_reach"].iloc[1]
    pending = whatif.current_proposals(res, {"MS-01": site("MS-01", x, y, "proposal", [], level=None)})
    assert pending.set_index("site_id").loc["MS-01", "stations_in_reach"] == ""
