"""The stations no mobile site can reach, and why, on a real run of the tiny project
(tests/coverage_planner/tiny_project.py) with two steep pits dug in the east valley.

QA found two defects: a station of priority 0 (the user asked not to plan for it) was listed as unreachable
with a terrain reason, and every reason quoted the screen's lowest loss (the quick sweep estimate) although the
decision for the candidates that got the exact terrain-profile check was made on their exact loss. Here the
pit stations are in the terrain shadow of every candidate (the pits' walls are too steep for a site), and the
proposed site, which got the exact check, is within the computation radius of both. The exact losses are
recounted independently with ``point_to_point_loss``.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import numpy as np
import pytest

from analysis import propagation as pr

from .tiny_project import STATIONS, add_pit, make_dem, write_project

#: Two pit stations, alike but for the priority; KV-W3 (which only VTL-001 serves) gets priority 0 too.
PIT = (25, 75)
STATIONS_PITS = [s if s[0] != "KV-W3" else (*s[:6], 0) for s in STATIONS] + [
    ("KV-P1", "Bản Hố 1", "Xã Đông", *PIT, 80, 1),
    ("KV-P0", "Bản Hố 0", "Xã Đông", 95, 75, 80, 0),
]

EXACT = re.compile(r"terrain shadow: (?P<m>\d+) candidate sites? in range checked with the exact terrain profile; "
                   r"the best, (?P<site>\S+)(?: \((?P<lat>[\d.]+), (?P<lon>[\d.]+)\))? \((?P<km>[\d.]+) km away\), has (?P<loss>[\d.]+) dB path loss, "
                   r"more than the (?P<max>[\d.]+) dB the mobile station's link budget allows"
                   r"(?:; the other (?P<u>\d+) in range, not checked exactly, have at least (?P<sloss>[\d.]+) dB by "
                   r"the quick estimate)? \(raise mast_height_m or eirp_dbm\)")


@pytest.fixture(scope="module")
def pits(tmp_path_factory):
    """(project, context, results) of the tiny project with the two pits."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    folder = tmp_path_factory.mktemp("unreachable")
    dem = add_pit(add_pit(make_dem(), *PIT), 95, 75)
    project = load_project(write_project(folder / "proj", stations=STATIONS_PITS, dem=dem))
    ctx = pipeline.prepare(project, cache_dir=folder / "cache")
    return project, ctx, pipeline.run(project, context=ctx)


def _exact_loss(project, ctx, site, station) -> float:
    """The exact profile loss from a mobile site on cell ``site`` to a station on cell ``station``."""
    from coverage_planner import pipeline

    params = pipeline.mobile_link_params(project)
    return float(pr.point_to_point_loss(
        ctx.dem, *site, *station, a_height_m=project.placement.mast_height_m, b_height_m=params.receiver_height_m,
        frequency_mhz=project.placement_frequency_mhz(), cellsize=ctx.grid.cellsize, model=params.model,
        k=params.k, environment=params.hata_environment, vegetation_db_per_km=params.vegetation_db_per_km,
        vegetation_max_db=params.vegetation_max_db, vegetation_height_m=params.vegetation_height_m))


def test_a_priority_0_station_is_not_listed_as_unreachable(pits):
    """The two pit stations are alike (the same pit, the same screen verdict); the one of priority 0 is not
    planned for, so it is not in the unreachable list, and the summary counts it apart."""
    _project, _ctx, res = pits
    st = res.stations.set_index("id")
    assert st.loc["KV-P0", "status"] != "good" and st.loc["KV-P1", "status"] != "good"  # both in need
    assert list(res.unreachable["id"]) == ["KV-P1"]
    s = res.placement_summary
    assert s["n_unreachable"] == s["n_no_candidate_reaches"] == 1
    assert s["n_not_planned"] == 1
    assert "KV-P0" not in ";".join(res.proposals["stations_in_reach"])  # and indeed no site reaches it


def test_the_reason_quotes_the_exact_loss_of_the_best_checked_site(pits):
    """The proposed site got the exact check and is in range of the pit station: the reason quotes the lowest
    exact loss (recounted here at the site it names — a proposed one by its MS- id —, with its distance), not
    the screen's estimate, which it labels as such for the candidates left unchecked."""
    from coverage_planner import pipeline

    project, ctx, res = pits
    reason = res.unreachable.set_index("id").loc["KV-P1", "reason"]
    m = EXACT.fullmatch(reason)
    assert m, reason
    props = res.proposals.set_index("site_id")
    cell = (props.loc[m["site"], "candidate"] if m["site"] in props.index else m["site"])  # MS-01 or C<row>_<col>
    site = tuple(int(v) for v in re.fullmatch(r"C(\d+)_(\d+)", cell).groups())
    max_loss = pipeline._mobile_max_loss(project, pipeline.mobile_link_params(project))
    assert float(m["max"]) == pytest.approx(max_loss, abs=0.05)
    exact = _exact_loss(project, ctx, site, PIT)
    assert float(m["loss"]) == pytest.approx(exact, abs=0.05) and exact > max_loss
    assert float(m["km"]) == pytest.approx(math.hypot(site[0] - PIT[0], site[1] - PIT[1]) * 0.09, abs=0.05)
    assert int(m["m"]) >= len(res.proposals) >= 1
    for rec in res.proposals.itertuples():  # every proposed site was checked: none does better than the best
        r, c = (int(np.floor(float(v) + 0.5)) for v in ctx.grid.rowcol(rec.x, rec.y))
        assert _exact_loss(project, ctx, (r, c), PIT) >= exact - 0.05
    assert m["u"] is not None and float(m["sloss"]) > max_loss  # the unchecked ones: the screen's figure, named


def test_contingency_says_priority_0_instead_of_no_site_reaches(pits):
    """VTL-001 alone serves KV-W3, here of priority 0: the contingency plan restores nothing for it and says
    that it was not planned for (a site does reach it: with priority 1 the tiny project restores it)."""
    _project, _ctx, res = pits
    row = res.contingency.set_index("site").loc["VTL-001"]
    assert row["stations_lost"] == "KV-W3" and row["n_restored"] == 0
    assert row["note"] == "these stations have priority weight 0: not planned for"


def test_console_counts_the_stations_not_planned_for(pits, capsys):
    from coverage_planner.cli_run import print_summary

    print_summary(pits[2], {}, 0.0)
    out = capsys.readouterr().out
    assert "stations no candidate site can reach: 1" in out
    assert "stations not planned for (priority 0), not listed as unreachable: 1" in out


# --- a station far outside every commune: its coordinates are probably mistyped ------------------------------
#: Xã Đông ends at column 105 here (the DEM goes on to 120): KV-X (column 118) lies 13.5 cells = 1.2 km outside
#: every commune, KV-N (column 109) 4.5 cells = 405 m, within inputs.COMMUNE_TOLERANCE_M. Both sit in a pit, so
#: that no site reaches them, like KV-P1 inside the commune.
EAST_EDGE = 105
STATIONS_FAR = [*STATIONS, ("KV-P1", "Bản Hố 1", "Xã Đông", *PIT, 80, 1), ("KV-X", "Bản Xa", "Xã Đông", 75, 118, 80, 1),
                ("KV-N", "Bản Gần", "Xã Đông", 100, 109, 80, 1)]  # fmt: skip


@pytest.fixture(scope="module")
def far(tmp_path_factory):
    """(project, results) of the tiny project whose east commune stops short of KV-X and KV-N."""
    import json

    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    from .tiny_project import CELL, X0, Y0, N, ll

    folder = tmp_path_factory.mktemp("far") / "proj"
    dem = add_pit(add_pit(add_pit(make_dem(), *PIT), 75, 118), 100, 109)
    path = write_project(folder, stations=STATIONS_FAR, dem=dem)

    def poly(c0, c1):
        x0, x1, y0, y1 = X0 + c0 * CELL, X0 + c1 * CELL, Y0 - N * CELL, Y0
        return {"type": "Polygon", "coordinates": [[list(ll(x, y)) for x, y in ((x0, y0), (x1, y0), (x1, y1),
                                                                              (x0, y1), (x0, y0))]]}  # fmt: skip

    communes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Xã Tây"}, "geometry": poly(0, 60)},
        {"type": "Feature", "properties": {"name": "Xã Đông"}, "geometry": poly(60, EAST_EDGE)}]}  # fmt: skip
    (folder / "communes.geojson").write_text(json.dumps(communes, ensure_ascii=False), encoding="utf-8")
    project = load_project(path)
    return project, pipeline.run(project, cache_dir=folder / "cache")


FAR = re.compile(r"outside every commune polygon, (?P<km>[\d.]+) km from the nearest \('(?P<c>[^']*)'\): check the "
                 r"station's coordinates \(probably mistyped\); at the position given: (?P<reason>.+)")


def test_a_station_far_outside_every_commune_is_said_to_have_mistyped_coordinates(far):
    """KV-X's reason starts with the likely cause (the distance recounted from the commune polygon as read), then
    says what was computed at the position given; KV-N (within the tolerance) and KV-P1 (inside) keep the
    terrain reason alone."""
    from coverage_planner.inputs import COMMUNE_TOLERANCE_M

    from .tiny_project import cell_xy

    project, res = far
    reasons = res.unreachable.set_index("id")["reason"]
    assert set(reasons.index) == {"KV-P1", "KV-X", "KV-N"}
    m = FAR.fullmatch(reasons["KV-X"])
    assert m, reasons["KV-X"]
    communes = res.communes.set_index("name")
    gap = communes.loc["Xã Đông"].geometry.exterior.distance(_point(*cell_xy(75, 118)))
    assert gap > COMMUNE_TOLERANCE_M and m["c"] == "Xã Đông"
    assert float(m["km"]) == pytest.approx(gap / 1000, abs=0.05)
    assert EXACT.fullmatch(m["reason"]), m["reason"]  # what was computed there, as for any station
    near = communes.geometry.distance(_point(*cell_xy(100, 109))).min()
    assert 0 < near <= COMMUNE_TOLERANCE_M
    for sid in ("KV-N", "KV-P1"):
        assert EXACT.fullmatch(reasons[sid]), reasons[sid]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_the_mistyped_coordinates_reason_in_vietnamese_report(far, tmp_path):
    """The PDF report (and the desktop app's table, through the same translate_message) translate the reason
    like the others: the cause first, the computed reason after it, no English left."""
    from coverage_planner import report
    from coverage_planner.i18n import translate_message

    _project, res = far
    reason = res.unreachable.set_index("id").loc["KV-X", "reason"]
    vi = translate_message(reason, "vi")
    assert vi.startswith("nằm ngoài mọi ranh giới xã, cách xã gần nhất ('Xã Đông') 1,2 km: hãy kiểm tra toạ độ của "
                         "điểm (có lẽ bị gõ sai); tại vị trí đã ghi: bị địa hình che khuất: đã kiểm tra ")
    assert not re.search(r"\b(the|terrain|outside|check|station)\b", vi), vi
    pdf = report.build_report(res, tmp_path / "gap_report_vi.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "nằm ngoài mọi ranh giới xã, cách xã gần nhất" in " ".join(text.split())


def _point(x, y):
    from shapely.geometry import Point

    return Point(x, y)


def test_a_candidate_not_proposed_is_named_with_its_position(far):
    """A reason that names a candidate no proposal uses (C<row>_<col>, a grid cell id no table lists) gives its
    latitude and longitude too, so that the user can find the place (QA: "C406_201 (2.4 km away)" in the sample's
    report could not be looked up); a proposed site is named by its MS- id alone."""
    from pyproj import Transformer

    project, res = far
    named = {}
    for reason in res.unreachable["reason"]:
        m = re.search(EXACT.pattern.split("the best, ")[1].split(" has ")[0], reason)
        if m:
            named[m["site"]] = m
    assert named, list(res.unreachable["reason"])
    assert any(not s.startswith("MS-") for s in named), named  # the case this test is about occurs
    from .tiny_project import cell_xy

    to_ll = Transformer.from_crs(res.communes.crs, "EPSG:4326", always_xy=True)
    for site, m in named.items():
        if site.startswith("MS-"):
            assert m["lat"] is None and site in set(res.proposals["site_id"])
            continue
        r, c = (int(v) for v in re.fullmatch(r"C(\d+)_(\d+)", site).groups())
        lon, lat = to_ll.transform(*cell_xy(r, c))
        assert float(m["lat"]) == pytest.approx(lat, abs=2e-5) and float(m["lon"]) == pytest.approx(lon, abs=2e-5)
