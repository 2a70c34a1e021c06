"""``coverage-planner init`` / ``validate`` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coverage_planner.cli import main
from coverage_planner.project import Project, load_project

from .conftest import STATION_HEADER, STATION_ROWS, build_project, write_csv


@pytest.fixture()
def runner():
    return CliRunner()


def test_init_writes_loadable_template(runner, tmp_path):
    folder = tmp_path / "Mường Chà"
    res = runner.invoke(main, ["init", str(folder)])
    assert res.exit_code == 0, res.output
    p = load_project(folder / "project.toml")
    assert p.name == "Mường Chà" and p.radio == Project().radio
    assert "coverage-planner validate" in res.output


def test_init_refuses_to_overwrite_without_force(runner, tmp_path):
    assert runner.invoke(main, ["init", str(tmp_path), "--name", "A"]).exit_code == 0
    res = runner.invoke(main, ["init", str(tmp_path), "--name", "B"])
    assert res.exit_code == 1 and "already exists" in res.output and "--force" in res.output
    assert load_project(tmp_path / "project.toml").name == "A"
    res = runner.invoke(main, ["init", str(tmp_path), "--name", "B", "--force", "--province", "Lai Châu"])
    assert res.exit_code == 0
    p = load_project(tmp_path / "project.toml")
    assert (p.name, p.province) == ("B", "Lai Châu")


def test_validate_prints_summary(runner, mini_project):
    res = runner.invoke(main, ["validate", str(mini_project)])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Project: Mini Điện Biên (Điện Biên)" in out
    assert "Analysis CRS: EPSG:32648 (chosen automatically)" in out
    assert "Towers: 3" in out and "MobiFone 1, VNPT 1, Viettel 1" in out and "down 1, on_air 2" in out
    assert "Polling stations: 4 (975 voters)" in out
    assert "Communes: 2 (border 1, remote" in out
    assert "Extent: lon 102.9" in out and "Terrain: 1 raster (dem.tif), EPSG:4326" in out
    assert "void cell(s) filled" in out and "OK: the inputs are valid." in out
    assert "[100%]" in out  # progress (stderr is mixed into output by CliRunner)


def test_validate_quiet_and_json(runner, mini_project):
    res = runner.invoke(main, ["validate", "-q", "--json", str(mini_project)])
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["counts"]["stations"] == 4 and s["crs"] == "EPSG:32648" and s["project"] == "Mini Điện Biên"
    assert s["terrain"]["cellsize_m"] == 100 and isinstance(s["warnings"], list)


def test_validate_invalid_input_exit_1_names_file_row_field(runner, tmp_path):
    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in STATION_ROWS]
    rows[1][5] = "nhiều"
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    res = runner.invoke(main, ["validate", "-q", str(proj)])
    assert res.exit_code == 1
    assert "polling_stations.csv" in res.output
    assert "row 3, column 'voters': 'nhiều' is not a number" in res.output
    assert "How to fix" in res.output and "Traceback" not in res.output


def test_validate_bad_project_file_exit_1(runner, tmp_path):
    p = tmp_path / "project.toml"
    p.write_text("[project]\nresolution = 90\n")
    res = runner.invoke(main, ["validate", str(p)])
    assert res.exit_code == 1 and "unknown key 'resolution'" in res.output and "resolution_m" in res.output


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["validate"], "Missing argument 'PROJECT'"),
        (["validate", "does/not/exist.toml"], "does not exist"),
        (["validate", "--bogus", "x.toml"], "No such option"),
        (["init", "--name"], "requires an argument"),
    ],
)
def test_usage_errors_exit_2(runner, tmp_path, args, fragment):
    res = runner.invoke(main, args)
    assert res.exit_code == 2 and fragment in res.output and "Error:" in res.output


def test_validate_passes_on_sample(runner, sample_project_path):
    res = runner.invoke(main, ["validate", "-q", str(sample_project_path)])
    assert res.exit_code == 0, res.output
    assert "OK: the inputs are valid." in res.output and "EPSG:32648" in res.output


def test_output_into_a_closed_pipe_stops_quietly(mini_project):
    """`coverage-planner validate P | head -1`: the reader leaves early; no traceback, no 'Error: … Broken pipe'."""
    import subprocess
    import sys

    code = "import sys; from coverage_planner.cli import main; sys.argv = ['coverage-planner'] + sys.argv[1:]; main()"
    p = subprocess.Popen([sys.executable, "-c", code, "validate", "-q", str(mini_project)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.close()  # the reader is gone before the summary is printed
    err = p.stderr.read().decode()
    p.wait(timeout=120)
    assert "Traceback" not in err and "Broken pipe" not in err, err
