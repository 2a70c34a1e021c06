"""The minimum number of sites to cover every reachable station (placement summary ``lscp_sites``; with k = -1,
"as few as needed", the number of sites proposed) leaves out the stations of priority 0, which are not planned
for (``n_not_planned``), as the unreachable list does.

QA found the count still covered them: a priority-0 station that no site of the plan reaches raised it by the
site of its own it would need. On the tiny project (tests/coverage_planner/tiny_project.py) a wall across the
east valley shuts a station at its south end off from the sites that serve the three east stations; the same
project is run without that station and with it at priority 1 (it then costs a site: the setting is one where
the old count was wrong) and at priority 0.
"""

from __future__ import annotations

import re

import pytest

from .tiny_project import STATIONS, make_dem, write_project

#: South of the wall (rows 95-98), by the road (column 95): only a site south of the wall reaches it.
SOUTH = ("KV-S", "Bản Nam", "Xã Đông", 115, 95, 90)


def _wall_dem():
    dem = make_dem()
    dem[95:99, 61:] += 500.0  # 900 m across the whole east valley (400 m), west foot of the ridge to the edge
    return dem


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{(variant, k): results} for the variants "without" (no south station), "p1" and "p0" (its priority),
    k = 2 (the project's) and -1 (as few as needed)."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    folder = tmp_path_factory.mktemp("min_sites")
    dem = _wall_dem()
    out = {}
    for variant, extra in (("without", []), ("p1", [(*SOUTH, 1)]), ("p0", [(*SOUTH, 0)])):
        project = load_project(write_project(folder / variant, stations=STATIONS + extra, dem=dem))
        ctx = pipeline.prepare(project, cache_dir=folder / "cache")
        for k in (2, -1):
            project.placement.k = k  # -1: the CLI's --k -1 (the project file takes 1 to 1000)
            out[variant, k] = pipeline.run(project, context=ctx)
    return out


def _reached(res) -> set[str]:
    return {i for v in res.proposals["stations_in_reach"] for i in str(v).split(";") if i}


def test_the_south_station_needs_a_site_of_its_own(runs):
    """The setting: planned for, the south station costs one more site than the project without it."""
    for k in (2, -1):
        without, p1 = runs["without", k].placement_summary, runs["p1", k].placement_summary
        assert p1["lscp_sites"] == without["lscp_sites"] + 1
    assert "KV-S" in _reached(runs["p1", -1]) and "KV-S" not in _reached(runs["without", -1])
    assert len(runs["p1", -1].proposals) == len(runs["without", -1].proposals) + 1


@pytest.mark.parametrize("k", [2, -1])
def test_a_priority_0_station_does_not_count_in_the_minimum(runs, k):
    """At priority 0 the station is not planned for: the minimum is the project's without it."""
    s, without = runs["p0", k].placement_summary, runs["without", k].placement_summary
    assert s["n_not_planned"] == 1 and s["n_demand"] == without["n_demand"] + 1
    assert s["lscp_sites"] == without["lscp_sites"] < runs["p1", k].placement_summary["lscp_sites"]
    assert s["lscp_exact"] is (k < 0)


def test_as_few_as_needed_proposes_the_minimum_without_the_priority_0_station(runs):
    """k = -1: the sites proposed are the minimum, none of them left out for adding nothing (before, the
    solver was asked for the priority-0 station's site too and dropped it: k fell below the minimum)."""
    res, without = runs["p0", -1], runs["without", -1]
    s = res.placement_summary
    assert s["k"] == len(res.proposals) == s["lscp_sites"] == len(without.proposals)
    assert s["sites_without_gain"] == 0
    assert "KV-S" not in _reached(res)
    assert _reached(res) == _reached(without)


def test_console_quotes_the_minimum_without_the_priority_0_station(runs, capsys):
    from coverage_planner.cli_run import print_summary

    print_summary(runs["p0", -1], {}, 0.0)
    out = capsys.readouterr().out
    n = runs["without", -1].placement_summary["lscp_sites"]
    line = next(x for x in out.splitlines() if "Minimum mobile sites to cover every reachable polling station" in x)
    assert re.search(rf"(: | about ){n} \(", line), line  # the count without the priority-0 station's own site
    assert "stations not planned for (priority 0), not listed as unreachable: 1" in out
