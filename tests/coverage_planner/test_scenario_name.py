"""The scenario's name: the project's ``[scenario] name`` for its ``[scenario] down`` towers, or
``--scenario-name``, shown on the console, in the map and in the report; ``--down`` replaces the project's list
(with a note) and is then not called by the project's name."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from coverage_planner.cli import main

from .tiny_project import write_project

NAMED = '\n[scenario]\nname = "Sạt lở Mường Nhà"\ndown = ["VTL-001"]\n'


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("named") / "p", extra=NAMED)


def _run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output + repr(res.exception)
    return res.output


def test_pipeline_uses_the_project_scenario_name(named, tmp_path):
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    res = pipeline.run(load_project(named), placement=False, cache_dir=tmp_path / "c")
    assert res.scenario.name == "Sạt lở Mường Nhà" and res.scenario.down == ("VTL-001",)


def test_run_shows_the_project_name_and_scenario_name_option(named, tmp_path):
    out = _run("run", named, "--out", tmp_path / "a", "-q", "--no-map", "--no-report", "--k", "0")
    assert "scenario: Sạt lở Mường Nhà (down: VTL-001)" in out and "note:" not in out
    out = _run("run", named, "--out", tmp_path / "a", "-q", "--no-map", "--no-report", "--k", "0",
               "--scenario-name", "Mất điện")
    assert "scenario: Mất điện (down: VTL-001)" in out
    # the project's own towers given again with --down keep its name
    out = _run("run", named, "--out", tmp_path / "a", "-q", "--no-map", "--no-report", "--k", "0",
               "--down", "VTL-001")
    assert "scenario: Sạt lở Mường Nhà (down: VTL-001)" in out and "note:" not in out


def test_down_replaces_the_project_list_with_a_note_and_a_neutral_name(named, tmp_path):
    out = _run("run", named, "--out", tmp_path / "a", "-q", "--no-map", "--no-report", "--k", "0",
               "--down", "VNP-001")
    assert "note: --down replaces the project's [scenario] down (VTL-001) and its name 'Sạt lở Mường Nhà'" in out
    assert "scenario: scenario (down: VNP-001)" in out and "Sạt lở Mường Nhà (down" not in out
    out = _run("run", named, "--out", tmp_path / "a", "-q", "--no-map", "--no-report", "--k", "0",
               "--down", "VNP-001", "--scenario-name", "Mất điện")
    assert "scenario: Mất điện (down: VNP-001)" in out and "note: --down replaces" in out


def test_project_list_with_a_bad_id_is_not_checked_when_down_replaces_it(tmp_path):
    proj = write_project(tmp_path / "p", extra='\n[scenario]\nname = "x"\ndown = ["NO-SUCH"]\n')
    out = _run("run", proj, "--out", tmp_path / "a", "-q", "--no-map", "--no-report", "--k", "0",
               "--down", "VNP-001")
    assert "scenario: scenario (down: VNP-001)" in out


def test_help_says_down_replaces_the_project_list():
    for cmd in ("run", "map", "report"):
        out = " ".join(_run(cmd, "--help").split())
        assert "Replaces the project's [scenario] down" in out and "--scenario-name" in out, cmd


def test_map_and_report_show_the_name(named, tmp_path):
    out = _run("map", named, "--out", tmp_path, "-q", "--lang", "en")
    page = (tmp_path / "coverage_map.html").read_text(encoding="utf-8")
    assert "Sạt lở Mường Nhà: Assumed off air: <span class='cp-id'>VTL-001</span>" in page  # (an id never breaks)
    _run("map", named, "--out", tmp_path, "-q", "--lang", "en", "--scenario-name", "Mất điện")
    assert ("Mất điện: Assumed off air: <span class='cp-id'>VTL-001</span>"
            in (tmp_path / "coverage_map.html").read_text(encoding="utf-8"))
    out = _run("report", named, "--out", tmp_path, "-q", "--scenario-name", "Mất điện")
    assert "report written" in out
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "gap_report_vi.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Mất điện – Giả định ngừng hoạt động: VTL-001" in " ".join(text.split())
