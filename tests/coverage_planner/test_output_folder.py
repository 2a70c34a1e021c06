"""The output folder may hold the user's own files: a run replaces only what coverage-planner wrote there."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coverage_planner import io
from coverage_planner.cli import main
from coverage_planner.errors import ForeignFilesError

from .tiny_project import write_project

QUICK = ["-q", "--no-map", "--no-report", "--k", "0"]


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_users_own_tables_in_the_output_folder_stop_the_run_before_any_work(tmp_path):
    """QA: --out DIR holding the user's towers.csv and polling_stations.csv (not inputs of the run) had both
    replaced by the exported tables. Now: exit 2 naming them, nothing written; --force replaces them; re-runs into
    the folder work; a file of the tool's that the user changed since is the user's again."""
    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    out.mkdir()
    (out / "towers.csv").write_text("my,own\ntable,1\n", encoding="utf-8")
    (out / "polling_stations.csv").write_text("notes\nkeep me\n", encoding="utf-8")
    (out / "readme.txt").write_text("unrelated", encoding="utf-8")
    before = _files(out)
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), *QUICK])
    assert res.exit_code == 2, res.output
    assert "polling_stations.csv, towers.csv" in res.output and "--force" in res.output and "--out" in res.output
    assert "earlier version" in res.output  # no manifest in that folder: it may be an old version's outputs
    assert _files(out) == before  # nothing replaced, nothing added (no cache, no manifest)
    # --force: the user asked for it
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), *QUICK, "--force"])
    assert res.exit_code == 0, res.output
    assert "VTL-001" in (out / "towers.csv").read_text(encoding="utf-8-sig")
    listed = json.loads((out / io.OUTPUTS_MANIFEST).read_text(encoding="utf-8"))["files"]
    assert {"towers.csv", "polling_stations.csv", "best_level_dbm.tif", "coverage.gpkg"} <= set(listed)
    assert "readme.txt" not in listed and (out / "readme.txt").read_text(encoding="utf-8") == "unrelated"
    # re-running into the same folder works as before, and a map written later is listed too
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), *QUICK])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["map", str(proj), "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert "coverage_map.html" in json.loads((out / io.OUTPUTS_MANIFEST).read_text(encoding="utf-8"))["files"]
    # the user edits an output in place (saved from a spreadsheet): theirs now, not replaced silently
    (out / "communes.csv").write_text("edited by hand\n", encoding="utf-8")
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), *QUICK])
    assert res.exit_code == 2 and "communes.csv" in res.output and "towers.csv" not in res.output, res.output
    assert "earlier version" not in res.output
    assert (out / "communes.csv").read_text(encoding="utf-8") == "edited by hand\n"


@pytest.mark.parametrize("cmd, name", [(["map"], "coverage_map.html"), (["report", "--lang", "en"], "gap_report_en.pdf"),
                                       (["run"], "best_level_technology_4g_dbm.tif")])
def test_map_report_and_group_rasters_are_protected_too(tmp_path, cmd, name):
    """The single-output commands check their one file; run also checks the per-group level rasters, whose names
    depend on the towers (a pattern)."""
    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(b"mine")
    res = CliRunner().invoke(main, [cmd[0], str(proj), "--out", str(out), "-q", *cmd[1:]])
    assert res.exit_code == 2 and name in res.output, res.output
    assert _files(out) == {name: b"mine"}


def test_outputs_written_before_a_failure_are_listed(tmp_path):
    """A run that fails half-way still lists what it wrote (the next run may replace it), but not the files
    that were there and untouched."""
    (tmp_path / "user.csv").write_text("x", encoding="utf-8")
    with pytest.raises(RuntimeError), io.claimed_outputs(tmp_path, ["a.csv", "b.csv", "user.csv"], force=True):
        io.write_text(tmp_path / "a.csv", "written")
        raise RuntimeError("crash before b.csv")
    assert set(json.loads((tmp_path / io.OUTPUTS_MANIFEST).read_text(encoding="utf-8"))["files"]) == {"a.csv"}
    with pytest.raises(ForeignFilesError) as err:
        with io.claimed_outputs(tmp_path, ["a.csv", "user.csv"]):
            pass
    assert err.value.names == ["user.csv"] and err.value.has_manifest
    # a manifest that cannot be read lists nothing: every output-named file is the user's until --force
    (tmp_path / io.OUTPUTS_MANIFEST).write_text("{not json", encoding="utf-8")
    assert io.foreign_outputs(tmp_path, ["a.csv"]) == (["a.csv"], True)


def test_export_targets_name_what_one_export_writes(tmp_path):
    """The desktop app's exports check and list their files with the run's own names (gisexport.export_targets):
    the GIS files are the run's without the map and report; a map or report is the one file the user named."""
    from coverage_planner import gisexport

    folder, names, patterns = gisexport.export_targets("gis", tmp_path)
    assert folder == tmp_path and set(names) == gisexport.GIS_NAMES and patterns == [r"^best_level_.+_dbm\.(?:tif|qml)$"]
    assert gisexport.export_targets("gis", tmp_path)[1:] == gisexport.run_outputs({"gis"}, "vi")
    assert gisexport.export_targets("map", tmp_path / "ban_do.html") == (tmp_path, ["ban_do.html"], [])
    assert gisexport.export_targets("report", tmp_path / "r.pdf") == (tmp_path, ["r.pdf"], [])
    with pytest.raises(ValueError, match="unknown export kind"):
        gisexport.export_targets("png", tmp_path)
    # the user's group raster is one of the GIS export's names; their own notes are not
    (tmp_path / "best_level_viettel_dbm.tif").write_bytes(b"mine")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert io.foreign_outputs(*gisexport.export_targets("gis", tmp_path)) == (["best_level_viettel_dbm.tif"], False)
    assert io.foreign_outputs(*gisexport.export_targets("map", tmp_path / "notes.txt")) == (["notes.txt"], False)
