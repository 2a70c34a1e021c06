"""The command line on Ctrl+C and during the exports (`coverage-planner run`, `map`, through click's CliRunner on the
tiny project)."""

from __future__ import annotations

from click.testing import CliRunner

from coverage_planner.cli import main

from .tiny_project import write_project


def test_exports_are_shown_as_steps(tmp_path):
    """After the analysis's 100 % the exports took ~18 s on the sample with nothing on the console; each is a
    line of its own."""
    proj = write_project(tmp_path / "p")
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(tmp_path / "out"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    steps = [x for x in lines if x.startswith("[export]")]
    assert steps == ["[export] 1/3 GIS files (GeoTIFF, GeoPackage, tables)", "[export] 2/3 HTML map",
                     "[export] 3/3 PDF report"]
    analysis = [k for k, x in enumerate(lines) if x.endswith("%]", 0, 6)]  # "[ 80%] placement: …"
    assert analysis and lines.index(steps[0]) > max(analysis)


def test_ctrl_c_during_the_analysis_writes_nothing_and_says_so(tmp_path, monkeypatch):
    """Ctrl+C inside the composite step (KeyboardInterrupt from the kernel call): exit 130 with a sentence, not
    click's bare "Aborted!", and no output in the folder."""
    from analysis import coverage

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(coverage, "_update_window", interrupted)
    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(out), "-q"])
    assert res.exit_code == 130, res.output
    assert res.stderr.strip() == f"Cancelled: Ctrl+C during the analysis; no output was written in {out}"
    assert "Aborted" not in res.output and "Traceback" not in res.output
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []
    # the map command alike
    res = CliRunner().invoke(main, ["map", str(proj), "--out", str(out), "-q"])
    assert res.exit_code == 130 and "Cancelled: Ctrl+C during the analysis" in res.stderr


def test_ctrl_c_during_the_exports_lists_what_was_written(tmp_path, monkeypatch):
    """Ctrl+C while the map is written: the GIS files are written (whole), the map and report are not, and the
    older map of an earlier run in the folder is named as such; no temporary file is left."""
    from coverage_planner import webmap

    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(proj), "--out", str(out), "-q", "--k", "0", "--lang", "en"]).exit_code == 0
    old_map = (out / "coverage_map.html").read_bytes()

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(webmap, "write_map", interrupted)
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), "-q", "--k", "0", "--lang", "en"])
    assert res.exit_code == 130, res.output
    msg = res.stderr.strip()
    assert msg.startswith(f"Cancelled: Ctrl+C while writing the HTML map. Written in {out}, each complete: ")
    assert "best_level_dbm.tif" in msg and "coverage.gpkg" not in msg.split("(")[0]
    assert msg.endswith("Not written: the HTML map, the PDF report. coverage_map.html, gap_report_en.pdf in that "
                        "folder are from an earlier run. Run again to write every output.")
    assert (out / "coverage_map.html").read_bytes() == old_map
    assert not [p for p in out.iterdir() if ".tmp" in p.name]
