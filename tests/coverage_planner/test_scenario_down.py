"""A failure scenario's tower ids (``--down``, ``[scenario] down``): stripped, each once, a site id expanded to
its sectors, unknown ids named with "did you mean", towers that are not on air warned about."""

from __future__ import annotations

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

from coverage_planner.cli import main
from coverage_planner.errors import ParameterError, UnknownTowerError
from coverage_planner.inputs import normalise_down, resolve_down

from .tiny_project import write_project


def _towers(rows):
    """rows: (id, operator, x, y, status) in metres."""
    return gpd.GeoDataFrame({"id": [r[0] for r in rows], "operator": [r[1] for r in rows],
                             "status": [r[4] for r in rows]},
                            geometry=[Point(r[2], r[3]) for r in rows], crs="EPSG:32648")


TOWERS = _towers([
    ("VTL-DBP-011", "Viettel", 0, 0, "on_air"),
    ("VTL-DBP-012", "Viettel", 5000, 0, "on_air"),
    ("VTL-DBP-042-A", "Viettel", 10000, 0, "on_air"),
    ("VTL-DBP-042-B", "Viettel", 10000, 0, "on_air"),
    ("VTL-DBP-042-C", "Viettel", 10005, 0, "on_air"),
    ("VTL-DBP-068", "Viettel", 20000, 0, "planned"),
    ("VTL-DBP-025-A", "Viettel", 30000, 0, "down"),
    ("VTL-DBP-025-B", "Viettel", 30000, 0, "down"),
    ("VTL-DBP-046-A", "Viettel", 40000, 0, "planned"),
    ("VTL-DBP-046-B", "Viettel", 40000, 0, "on_air"),
    ("MIX-1-A", "Viettel", 50000, 0, "on_air"),  # "sectors" of one name on two masts: not one site
    ("MIX-1-B", "Viettel", 60000, 0, "on_air"),
])


def test_ids_are_stripped_and_each_taken_once_in_order():
    assert normalise_down([" B ", "A", "B", "", "  "]) == ("B", "A")
    assert normalise_down(["B, A", " C,B"], split_commas=True) == ("B", "A", "C")
    got = resolve_down([" VTL-DBP-012", "VTL-DBP-011 ", "VTL-DBP-012", "VTL-DBP-011"], TOWERS)
    assert got.ids == ("VTL-DBP-012", "VTL-DBP-011") and not got.notes and not got.warnings


def test_a_site_id_takes_all_its_sectors_down_with_a_note():
    got = resolve_down(["VTL-DBP-011", "VTL-DBP-042", "VTL-DBP-042-B"], TOWERS)
    assert got.ids == ("VTL-DBP-011", "VTL-DBP-042-A", "VTL-DBP-042-B", "VTL-DBP-042-C")
    assert len(got.notes) == 1
    assert "VTL-DBP-042 is a site" in got.notes[0] and "VTL-DBP-042-A, VTL-DBP-042-B, VTL-DBP-042-C" in got.notes[0]


@pytest.mark.parametrize("bad", ["VTL-DBP", "VTL", "VTL-DBP-04", "MIX-1"])
def test_only_the_sectors_of_one_mast_make_a_site(bad):
    """"VTL-DBP" is not the site of the towers VTL-DBP-011, VTL-DBP-012 …; MIX-1-A/-B stand on two masts."""
    with pytest.raises(UnknownTowerError) as ei:
        resolve_down([bad], TOWERS)
    assert ei.value.unknown == [bad]


def test_unknown_ids_are_named_with_did_you_mean():
    with pytest.raises(ParameterError) as ei:  # UnknownTowerError is a ParameterError
        resolve_down(["vtl-dbp-011", "XX-9", "VTL-DBP-012", "vtl-dbp-042"], TOWERS)
    exc = ei.value
    assert isinstance(exc, UnknownTowerError) and exc.unknown == ["vtl-dbp-011", "XX-9", "vtl-dbp-042"]
    msg = str(exc)
    assert "'vtl-dbp-011' (did you mean 'VTL-DBP-011'?)" in msg
    assert "'vtl-dbp-042' (did you mean 'VTL-DBP-042'?)" in msg  # a site id, too
    assert "'XX-9', " in msg and "'XX-9' (did you mean" not in msg  # no guess for an id that matches nothing
    assert "VTL-DBP-012" not in msg.split(". Use")[0]  # a known id is not listed as unknown
    assert "site id such as VTL-DBP-042" in msg  # how to take a whole site down


def test_towers_not_on_air_are_left_out_with_a_warning():
    """QA: a planned tower given to --down was drawn on the map as a failed tower (red ✕, "Down") and named
    first in the title; it is left out of the scenario (with the warning)."""
    got = resolve_down(["VTL-DBP-068", "VTL-DBP-025", "VTL-DBP-046", "VTL-DBP-011"], TOWERS)
    assert got.ids == ("VTL-DBP-046-B", "VTL-DBP-011")
    assert got.warnings == [
        "VTL-DBP-068 is planned, not on air: taking it down changes nothing",
        "VTL-DBP-025 is already down in the towers file: taking it down changes nothing",  # the whole site
        "VTL-DBP-046-A is planned, not on air: taking it down changes nothing",  # one sector of two
    ]


def test_project_file_ids_are_stripped_and_deduplicated(tmp_path):
    from coverage_planner.inputs import load_inputs
    from coverage_planner.project import load_project

    proj = write_project(tmp_path / "p", extra='\n[scenario]\ndown = [" VTL-001 ", "VTL-001", "VNP-001"]\n')
    p = load_project(proj)
    assert p.scenario.down == ["VTL-001", "VNP-001"]
    load_inputs(p)  # " VTL-001 " is tower VTL-001, not an unknown id


def test_project_file_unknown_id_says_did_you_mean(tmp_path):
    from coverage_planner.errors import InputError
    from coverage_planner.inputs import load_inputs
    from coverage_planner.project import load_project

    proj = write_project(tmp_path / "p", extra='\n[scenario]\ndown = ["vtl-001"]\n')
    with pytest.raises(InputError) as ei:
        load_inputs(load_project(proj))
    assert "'vtl-001' (did you mean 'VTL-001'?)" in str(ei.value) and "scenario.down" in str(ei.value)


@pytest.fixture(scope="module")
def tiny_sectors(tmp_path_factory):
    """The tiny project with a two-sector site VTL-002 (-A, -B) on one mast."""
    proj = write_project(tmp_path_factory.mktemp("sectors") / "p", k=1)
    towers = proj.parent / "towers.csv"
    lines = towers.read_text(encoding="utf-8").splitlines()
    vtl = next(line for line in lines if line.startswith("VTL-001,")).split(",")
    for sector, az in (("A", "0"), ("B", "180")):
        lines.append(",".join([f"VTL-002-{sector}", *vtl[1:7], az, vtl[8]]))
    towers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return proj


def _invoke(args):
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("cmd", ["run", "map", "report"])
def test_unknown_down_id_is_a_usage_error(tiny_sectors, tmp_path, cmd):
    extra = ["--no-map", "--no-report"] if cmd == "run" else []
    res = _invoke([cmd, str(tiny_sectors), "--out", str(tmp_path / "o"), "-q", *extra,
                   "--down", "vtl-001,XX-9"])
    assert res.exit_code == 2, res.output
    assert "--down" in res.output and "'vtl-001' (did you mean 'VTL-001'?)" in res.output and "XX-9" in res.output
    assert "Traceback" not in res.output


def test_site_id_duplicates_and_not_on_air_towers_on_the_console_and_in_the_results(tiny_sectors, tmp_path):
    out = tmp_path / "o"
    res = _invoke(["run", str(tiny_sectors), "--out", str(out), "-q", "--no-map", "--lang", "en",
                   "--down", "VTL-002, VTL-002-A", "--down", "MBF-001,MBF-001", "--k", "0"])
    assert res.exit_code == 0, res.output
    assert "(down: VTL-002-A, VTL-002-B)" in res.output  # MBF-001 is not on air: left out, warned
    assert "note: VTL-002 is a site: all its 2 sectors are taken down (VTL-002-A, VTL-002-B)" in res.output
    assert "warning: MBF-001 is already down in the towers file: taking it down changes nothing" in res.output
    # the report lists it under the warnings (pdftotext when available)
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out / "gap_report_en.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "MBF-001 is already down in the towers file" in " ".join(text.split())
    res = _invoke(["report", str(tiny_sectors), "--out", str(out), "-q", "--down", "MBF-001"])
    assert res.exit_code == 0, res.output
    assert "warning: MBF-001 is already down in the towers file" in res.output


def test_pipeline_expands_the_site_and_warns(tiny_sectors, tmp_path):
    from coverage_planner import pipeline
    from coverage_planner.project import load_project
    from coverage_planner.results import Scenario

    res = pipeline.run(load_project(tiny_sectors), Scenario("mast", ("VTL-002", "MBF-001")), placement=False,
                       cache_dir=tmp_path / "c")
    assert res.scenario.name == "mast" and res.scenario.down == ("VTL-002-A", "VTL-002-B")
    assert res.scenario.notes and "VTL-002 is a site" in res.scenario.notes[0]
    assert res.warnings[0] == "MBF-001 is already down in the towers file: taking it down changes nothing"
    st = res.towers.set_index("id")["status"]
    assert st["VTL-002-A"] == st["VTL-002-B"] == "down" and st["VTL-001"] == "on_air"
