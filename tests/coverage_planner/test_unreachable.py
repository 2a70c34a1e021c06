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
                   r"the best, (?P<site>\S+) \((?P<km>[\d.]+) km away\), has (?P<loss>[\d.]+) dB path loss, "
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
