"""coverage_planner.project: TOML load/save round trip, defaults, validation messages, template."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from coverage_planner.errors import ProjectError
from coverage_planner.project import (
    K_AS_FEW_AS_NEEDED,
    InputRef,
    Project,
    load_project,
    project_template,
    save_project,
)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "project.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


FULL = """\
[project]
name = "Điện Biên 2026"
province = "Điện Biên"
crs = "EPSG:32648"
resolution_m = 30
output_dir = "ket_qua"

[inputs]
towers = "data/towers.xlsx"
stations = { path = "data/kvbp.csv", crs = "EPSG:32648" }
communes = { path = "data/admin.gpkg", layer = "xa" }
terrain = ["dem/N21E102.hgt", "dem/N21E103.hgt"]
border = "/abs/border.geojson"

[radio]
model = "hata"
k_factor = 1.2
max_distance_m = 20000
receiver_height_m = 1.8

[radio.defaults.2G]
eirp_dbm = 55
height_m = 25

[thresholds.4G]
good_dbm = -80
weak_dbm = -95

[communes]
border_distance_m = 3000

[placement]
k = 7
technology = "2g"
frequency_mhz = 950
backhaul_frequency_mhz = 8000

[scenario]
name = "landslide"
down = ["DBN001", 17]
"""


def test_full_file_values_and_relative_paths(tmp_path):
    p = load_project(write(tmp_path, FULL))
    assert p.path == p.path.resolve() and p.folder == tmp_path.resolve()
    assert (p.name, p.crs, p.resolution_m) == ("Điện Biên 2026", "EPSG:32648", 30.0)
    assert p.output_dir == tmp_path.resolve() / "ket_qua"
    assert p.inputs.towers.path == tmp_path.resolve() / "data" / "towers.xlsx"
    assert p.inputs.stations.crs == "EPSG:32648" and p.inputs.communes.layer == "xa"
    assert [r.path.name for r in p.inputs.terrain] == ["N21E102.hgt", "N21E103.hgt"]
    assert str(p.inputs.border.path) == "/abs/border.geojson"
    assert p.radio.model == "hata" and p.radio.k_factor == 1.2 and p.radio.receiver_height_m == 1.8
    assert p.radio.defaults["2G"].eirp_dbm == 55 and p.radio.defaults["2G"].height_m == 25
    assert p.radio.defaults["2G"].frequency_mhz == 900  # untouched default
    assert p.thresholds["4G"].good_dbm == -80 and p.thresholds["2G"].good_dbm == -85
    assert p.communes.border_distance_m == 3000 and p.communes.remote_distance_m == 10000
    assert p.placement.k == 7 and p.placement.technology == "2G"  # normalised case
    assert p.placement_frequency_mhz() == 950
    assert p.scenario.down == ["DBN001", "17"]
    # InputRef is path-like
    assert os.fspath(p.inputs.towers) == str(p.inputs.towers.path)


def test_round_trip_same_folder(tmp_path):
    p1 = load_project(write(tmp_path, FULL))
    out = save_project(p1, tmp_path / "copy.toml")
    p2 = load_project(out)
    assert p2.to_dict() == p1.to_dict()
    p2.path = p1.path
    assert p2 == p1


def test_round_trip_other_folder_rebases_relative_paths(tmp_path):
    p1 = load_project(write(tmp_path, FULL))
    before = {k: getattr(p1.inputs, k) for k in ("towers", "stations", "communes", "border")}
    before = {k: v.path for k, v in before.items()}
    terrain = [r.path for r in p1.inputs.terrain]
    out_dir = p1.output_dir
    p2 = load_project(save_project(p1, tmp_path / "sub" / "deeper" / "p.toml"))
    for k, path in before.items():
        assert Path(os.path.normpath(getattr(p2.inputs, k).path)) == Path(os.path.normpath(path)), k
    assert [Path(os.path.normpath(r.path)) for r in p2.inputs.terrain] == terrain
    assert p2.inputs.towers.raw == "../../data/towers.xlsx"
    assert p2.inputs.border.raw == "/abs/border.geojson"  # absolute stays absolute
    assert p2.inputs.stations.crs == "EPSG:32648"
    assert Path(os.path.normpath(p2.output_dir)) == out_dir


def test_defaults_when_sections_missing(tmp_path):
    p = load_project(write(tmp_path, '[project]\nname = "x"\n'))
    d = Project()
    assert p.radio == d.radio and p.thresholds == d.thresholds and p.placement == d.placement
    assert p.crs == "auto" and p.resolution_m == 90 and p.inputs.towers is None and p.inputs.terrain == []
    assert p.placement_frequency_mhz() == d.radio.defaults["4G"].frequency_mhz
    # defaults per technology as documented
    assert {t: v.frequency_mhz for t, v in d.radio.defaults.items()} == {"2G": 900, "3G": 2100, "4G": 1800}
    for t in ("2G", "3G", "4G"):
        assert d.thresholds[t].weak_dbm < d.thresholds[t].good_dbm


def test_template_loads_to_defaults(tmp_path):
    text = project_template("Mường Nhé")
    p = load_project(write(tmp_path, text))
    d = Project()
    assert p.name == "Mường Nhé" and p.province == "Điện Biên"
    assert p.radio == d.radio and p.thresholds == d.thresholds
    assert p.communes == d.communes and p.placement == d.placement and p.scenario == d.scenario
    assert p.inputs.towers.raw == "towers.csv" and p.inputs.terrain[0].raw == "dem.tif"


@pytest.mark.parametrize(
    "text,match,field",
    [
        ("[project]\nresolution_mm = 30\n", "unknown key 'resolution_mm' in section \\[project\\]", "project.resolution_mm"),
        ("[projet]\nname = 'x'\n", "unknown key 'projet'", None),
        ("[radio]\nmodle = 'hata'\n", "unknown key 'modle'", "radio.modle"),
        ("[radio.defaults.5G]\neirp_dbm = 50\n", "unknown key '5G'", None),
        ("[radio.defaults.4G]\neirp = 50\n", "unknown key 'eirp'", None),
        ("[inputs]\ntower = 'a.csv'\n", "unknown key 'tower'", None),
        ("[inputs]\ntowers = { path = 'a.csv', srs = 'EPSG:4326' }\n", "unknown key 'srs'", None),
    ],
)
def test_unknown_keys_name_key_section_and_suggest(tmp_path, text, match, field):
    with pytest.raises(ProjectError, match=match) as ei:
        load_project(write(tmp_path, text))
    msg = str(ei.value)
    assert "project.toml" in msg and "How to fix" in msg
    if field:
        assert ei.value.field == field
    if "resolution_mm" in text:
        assert "did you mean 'resolution_m'" in msg
    if "projet" in text:
        assert "did you mean 'project'" in msg
    if "modle" in text:
        assert "did you mean 'model'" in msg


@pytest.mark.parametrize(
    "text,match",
    [
        ("[project]\nresolution_m = 0\n", "out of range"),
        ("[project]\nresolution_m = 'ninety'\n", "must be a number"),
        ("[project]\ncrs = 'EPSG:4326'\n", "not projected"),
        ("[project]\ncrs = 'EPSG:999999'\n", "unknown CRS"),
        ("[project]\ncrs = 'EPSG:3857'\n", "Mercator projection: its metres are not ground metres"),
        ("[project]\ncrs = 'EPSG:3395'\n", "Mercator projection"),
        ("[radio]\nmodel = 'okumura'\n", "is not one of"),
        ("[radio.defaults.3G]\nfrequency_mhz = 100\n", "out of range"),
        ("[radio.defaults.3G]\nmech_tilt_deg = 45\n", "out of range"),
        ("[thresholds.2G]\ngood_dbm = -110\n", "must be below good_dbm"),
        ("[placement]\nk = 2.5\n", "whole number"),
        ("[placement]\nk = true\n", "must be a number"),
        ("[placement]\ntechnology = '5G'\n", "is not one of"),
        ("[scenario]\ndown = 'DBN001'\n", "list of tower ids"),
        ("[inputs]\nterrain = []\n", "terrain list is empty"),
        ("[inputs]\ntowers = 5\n", "must be a path"),
        ("[inputs]\ntowers = { crs = 'EPSG:4326' }\n", "missing 'path'"),
        ("[project]\nname = 'x'\nname = 'y'\n", "not valid TOML"),
        ("project = 3\n", "must be a table"),
    ],
)
def test_bad_values(tmp_path, text, match):
    with pytest.raises(ProjectError, match=match):
        load_project(write(tmp_path, text))


def test_k_minus_one_means_as_few_sites_as_needed(tmp_path):
    """k = -1 (the command line's --k -1, the desktop app's "as few sites as needed") is read and saved; any other
    number outside 1-1000 is refused with a hint that names -1, in English and Vietnamese."""
    from coverage_planner.i18n import error_text

    p = load_project(write(tmp_path, "[placement]\nk = -1\n"))
    assert p.placement.k == K_AS_FEW_AS_NEEDED == -1
    p.placement.k = 4
    save_project(p)
    assert load_project(p.path).placement.k == 4
    p.placement.k = -1
    save_project(p)
    assert load_project(p.path).placement.k == -1 and "k = -1" in p.path.read_text(encoding="utf-8")
    for bad in ("0", "-2", "1001"):
        with pytest.raises(ProjectError, match=r"out of range \[1, 1000\]") as exc:
            load_project(write(tmp_path, f"[placement]\nk = {bad}\n"))
        assert exc.value.hint == "choose a value between 1 and 1000, or -1 for as few sites as needed"
        assert "hoặc -1 để đặt ít trạm nhất" in error_text(exc.value, "vi")


def test_missing_file_and_non_utf8(tmp_path):
    with pytest.raises(ProjectError, match="not found"):
        load_project(tmp_path / "none.toml")
    p = tmp_path / "latin.toml"
    p.write_bytes('[project]\nname = "Đ"\n'.encode("utf-16"))
    with pytest.raises(ProjectError):
        load_project(p)


def test_set_input_and_save_new_project(tmp_path):
    p = Project(name="new")
    p.path = (tmp_path / "a" / "p.toml").resolve()
    p.set_input("towers", "towers.csv", crs="EPSG:32648")
    p.set_input("terrain", ["t1.tif", "t2.tif"])
    with pytest.raises(ProjectError, match="unknown input"):
        p.set_input("tower", "x.csv")
    out = save_project(p)
    q = load_project(out)
    assert q.inputs.towers == InputRef(tmp_path.resolve() / "a" / "towers.csv", "towers.csv", "EPSG:32648")
    assert [r.raw for r in q.inputs.terrain] == ["t1.tif", "t2.tif"]
    assert not list((tmp_path / "a").glob(".*tmp*"))  # atomic write left no temp


def test_output_dir_setter(tmp_path):
    p = load_project(write(tmp_path, FULL))
    p.output_dir = "elsewhere/out"
    assert p.output_dir == tmp_path.resolve() / "elsewhere" / "out"
    p.output_dir = tmp_path / "abs"
    assert p.output_dir == tmp_path / "abs"
    assert load_project(save_project(p)).output_dir == tmp_path / "abs"


def test_save_without_path_fails():
    with pytest.raises(ProjectError, match="no file"):
        save_project(Project())


def test_to_dict_is_plain_toml_data(tmp_path):
    import tomli_w

    d = load_project(write(tmp_path, FULL)).to_dict()
    assert d["inputs"]["stations"] == {"path": "data/kvbp.csv", "crs": "EPSG:32648"}
    assert d["radio"]["defaults"]["2G"]["eirp_dbm"] == 55
    assert "frequency_mhz" in d["placement"]
    tomli_w.dumps(d)  # serialisable


def test_transverse_mercator_analysis_crs_is_fine(tmp_path):
    for crs in ("EPSG:32648", "EPSG:3405"):  # UTM 48N, VN-2000 / UTM 48N
        assert load_project(write(tmp_path, f"[project]\ncrs = '{crs}'\n")).crs == crs


def test_save_changes_only_the_edited_values_and_keeps_comments(tmp_path):
    """The file is the template: comments, integers and untouched lines stay; defaults it never named are not
    added; edited values are written; a removed optional input is removed."""
    text = (
        "# Điện Biên — my notes, keep me\n"
        "[project]\n"
        "name = \"Điện Biên\"  # trailing comment\n"
        "resolution_m = 90\n"
        "\n"
        "[inputs]\n"
        "towers = \"towers.csv\"\n"
        "stations = \"stations.csv\"\n"
        "communes = \"communes.geojson\"\n"
        "terrain = [\"dem.tif\"]\n"
        "roads = \"roads.geojson\"\n"
        "\n"
        "[radio]\n"
        "# the model agreed with the operators\n"
        "model = \"deygout\"\n"
        "max_distance_m = 30000\n"
    )
    path = write(tmp_path, text)
    p = load_project(path)
    p.radio.k_factor = 1.2
    p.radio.max_distance_m = 25000.0
    p.inputs.roads = None
    save_project(p)
    out = path.read_text(encoding="utf-8")
    for kept in ("# Điện Biên — my notes, keep me", "# trailing comment", "resolution_m = 90\n",
                 "# the model agreed with the operators", 'model = "deygout"'):
        assert kept in out, kept
    assert "max_distance_m = 25000\n" in out and "k_factor = 1.2" in out
    assert "roads" not in out
    assert "[radio.defaults" not in out and "[scenario]" not in out and "[thresholds" not in out
    q = load_project(path)
    assert q.radio.k_factor == 1.2 and q.radio.max_distance_m == 25000.0 and q.inputs.roads is None
    assert q.to_dict() == p.to_dict()


def test_save_writes_inputs_inside_the_project_folder_relative(tmp_path):
    p = load_project(write(tmp_path, FULL))
    p.set_input("towers", str((tmp_path / "towers_v2.csv").resolve()))  # e.g. a file dropped in the GUI
    p.set_input("roads", "/elsewhere/roads.geojson")
    save_project(p)
    q = load_project(p.path)
    assert q.inputs.towers.raw == "towers_v2.csv"
    assert q.inputs.roads.raw == "/elsewhere/roads.geojson"  # outside the folder: stays absolute


def test_every_problem_of_a_project_file_is_reported_at_once(tmp_path):
    """A misspelt key, an out-of-range number and a bad choice in different sections: one error names the first
    (field, hint — what the desktop app's red field uses) and lists the others; one problem stays as it was."""
    text = ("[communes]\nborder_distance = 1000\n\n[radio]\nmax_distance_m = 5\nmodel = 'okumura'\n\n"
            "[placement]\nk = 2.5\n")
    with pytest.raises(ProjectError) as ei:
        load_project(write(tmp_path, text))
    e = ei.value
    assert "3 more problem(s)" in e.message and e.field and e.hint  # the first one, as a single error would be
    text = str(e)
    for fld, words in (("communes.border_distance", "did you mean 'border_distance_m'"),
                       ("radio.max_distance_m", "out of range"), ("radio.model", "okumura"),
                       ("placement.k", "whole number")):
        assert fld in text and words in text, fld
    with pytest.raises(ProjectError) as ei:
        load_project(write(tmp_path, "[radio]\nmax_distance_m = 5\n"))
    assert ei.value.field == "radio.max_distance_m" and not ei.value.problems
