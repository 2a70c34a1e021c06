"""`coverage-planner run` through click's CliRunner on the tiny project."""

from __future__ import annotations

from click.testing import CliRunner

from coverage_planner.cli import main

from .tiny_project import write_project


def test_run_writes_everything_and_prints_a_summary(tmp_path):
    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(out), "-q", "--lang", "en"])
    assert res.exit_code == 0, res.output
    for name in ("best_level_dbm.tif", "coverage.gpkg", "coverage_tables.xlsx", "polling_stations.csv",
                 "coverage_map.html", "gap_report_en.pdf"):
        assert (out / name).stat().st_size > 0, name
    assert "polling stations: 6" in res.output and "placement:" in res.output
    # no baseline cache in the project's own output folder yet: the cache is in --out, nothing written there
    assert list((out / ".cache").rglob("*.lvl")) and not (proj.parent / "output").exists()


def test_run_scenario_and_errors(tmp_path):
    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--no-report", "--k", "0",
                               "--down", "VTL-001", "--scenario-name", "landslide"])
    assert res.exit_code == 0, res.output
    assert "scenario: landslide (down: VTL-001)" in res.output
    assert "newly uncovered by the scenario" in res.output and "KV-W3" in res.output
    # with the voters of those stations (QA): the stations that had service and lost it
    import pandas as pd

    st = pd.read_csv(out / "polling_stations.csv", keep_default_na=False)
    lost = st[(st["baseline_status"] != "none") & (st["status"] == "none")]
    assert set(lost["baseline_server"]) == {"VTL-001"}
    assert f"newly uncovered by the scenario: {len(lost)} stations ({int(lost['voters'].sum())} voters): " \
        in res.output
    assert not (out / "proposed_sites.csv").exists() or "MS-" not in (out / "proposed_sites.csv").read_text()
    # an unknown tower id is a usage error: exit 2 with the id in the message
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--no-report", "--down", "XX-9"])
    assert res.exit_code == 2 and "XX-9" in res.output and "--down" in res.output
    # usage errors exit 2 with click's message
    res = runner.invoke(main, ["run", str(proj), "--k", "-5"])
    assert res.exit_code == 2 and "--k" in res.output
    res = runner.invoke(main, ["run", str(tmp_path / "missing.toml")])
    assert res.exit_code == 2 and "does not exist" in res.output


def test_unwritable_output_folder_is_a_message_not_a_traceback(tmp_path):
    """An output folder that cannot be created (here: below a regular file; a read-only mount behaves alike)
    gives exit 1 and one message naming the path, not a Python traceback."""
    proj = write_project(tmp_path / "p")
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(blocker / "out"), "-q", "--no-map",
                                    "--no-report", "--k", "0"])
    assert res.exit_code == 1, res.output
    assert "Error: cannot write" in res.output and "a_file" in res.output and "--out" in res.output
    assert "Traceback" not in res.output and not isinstance(res.exception, OSError)
    assert blocker.read_text() == "not a folder"


def test_output_folder_holding_the_inputs_is_refused_before_any_work(tmp_path):
    """--out = the project folder, whose stations and towers files carry the names of exported tables: exit 1
    before the analysis, nothing written, every input byte for byte unchanged."""
    proj = write_project(tmp_path / "p")
    folder = proj.parent
    before = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    for cmd in (["run", str(proj), "--out", str(folder), "-q"], ["map", str(proj), "--out", str(folder), "-q"],
                ["report", str(proj), "--out", str(folder), "-q"]):
        res = CliRunner().invoke(main, cmd)
        assert res.exit_code == 1, res.output
        assert "inputs are never overwritten" in res.output and "towers.csv" in res.output
    after = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    assert after == before and not (folder / ".cache").exists()


def test_no_writer_replaces_a_file_read_as_input(tmp_path):
    """The io backstop: once a file was read as an input, writing any output over it is an OutputError."""
    import pytest

    from coverage_planner import io
    from coverage_planner.errors import OutputError

    src = tmp_path / "stations.csv"
    src.write_text("id,lon,lat\nA,103.0,21.5\n", encoding="utf-8")
    io.read_table(src, what="stations")
    with pytest.raises(OutputError, match="stations input file"):
        io.write_text(src, "replaced")
    assert src.read_text(encoding="utf-8").startswith("id,lon,lat")
    io.write_text(tmp_path / "other.csv", "fine")  # any other path is written as usual


def test_priority_zero_everywhere_says_why_no_site_is_proposed(tmp_path):
    """Every station in need has priority 0: no site, and the summary, console and report say why."""
    import subprocess

    proj = write_project(tmp_path / "p")
    st = proj.parent / "polling_stations.csv"
    lines = st.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    pi = head.index("priority") if "priority" in head else None
    if pi is None:  # add the column
        lines = [lines[0] + ",priority"] + [ln + ",0" for ln in lines[1:]]
    else:
        lines = [lines[0]] + [",".join(c if j != pi else "0" for j, c in enumerate(ln.split(","))) for ln in lines[1:]]
    st.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "have priority 0: no mobile site is proposed" in res.output
    text = subprocess.run(["pdftotext", str(out / "gap_report_en.pdf"), "-"], capture_output=True, text=True).stdout
    if text:  # poppler-utils present
        assert "priority 0" in " ".join(text.split())


def test_python_m_coverage_planner_cli_runs_the_command_group():
    """``python -m coverage_planner.cli --help`` prints the help with every sub-command (it printed nothing)."""
    import subprocess
    import sys

    for module in ("coverage_planner.cli", "coverage_planner"):
        out = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "Commands:" in out.stdout and "run" in out.stdout and "validate" in out.stdout, out.stdout


def _entries(folder):
    return {f: f.stat().st_mtime_ns for f in folder.rglob("*.lvl")}


def test_a_scenario_written_to_a_new_folder_reuses_the_project_cache(tmp_path):
    """The baseline `run P` (the project's output folder), then `run --out B --down …`: B's run reads every tower
    from the project's cache (nothing recomputed or rewritten, no cache of its own); map and report share it
    too; --cache DIR chooses another."""
    proj = write_project(tmp_path / "p")
    cache = proj.parent / "output" / ".cache"
    runner = CliRunner()
    args = ["-q", "--no-map", "--no-report", "--k", "0"]
    res = runner.invoke(main, ["run", str(proj), *args])
    assert res.exit_code == 0, res.output
    before = _entries(cache)
    assert len(before) >= 2  # the on-air towers
    res = runner.invoke(main, ["run", str(proj), "--out", str(tmp_path / "B"), *args, "--down", "VTL-001"])
    assert res.exit_code == 0, res.output
    assert _entries(cache) == before and not (tmp_path / "B" / ".cache").exists()
    for cmd in ("map", "report"):
        res = runner.invoke(main, [cmd, str(proj), "--out", str(tmp_path / "C"), "-q", "--down", "VTL-001"])
        assert res.exit_code == 0, res.output
        assert {f: t for f, t in _entries(cache).items() if f in before} == before
        assert not (tmp_path / "C" / ".cache").exists()
    # --cache DIR: that folder, not the project's
    own = tmp_path / "own-cache"
    res = runner.invoke(main, ["run", str(proj), "--out", str(tmp_path / "D"), *args, "--cache", str(own)])
    assert res.exit_code == 0, res.output
    assert len(_entries(own)) == len(before) and not (tmp_path / "D" / ".cache").exists()
    # a file is not a cache folder (usage error)
    res = runner.invoke(main, ["run", str(proj), *args, "--cache", str(proj.parent / "towers.csv")])
    assert res.exit_code == 2 and "--cache" in res.output


def test_a_first_run_elsewhere_keeps_its_cache_in_out(tmp_path):
    """With --out and no cache in the project's output folder yet, the cache goes to <out>/.cache and nothing is
    created at the project's output_dir (a copied sample's output_dir points out of its folder: QA found 300 MB
    of cache written to /output/sample)."""
    proj = write_project(tmp_path / "p")
    out = tmp_path / "A"
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--no-report",
                                    "--k", "0"])
    assert res.exit_code == 0, res.output
    assert _entries(out / ".cache") and not (proj.parent / "output").exists()
    assert "re-using the level cache" not in res.output


def _site_lines(output: str) -> tuple[list[str], list[str]]:
    """The console lines of the proposed-sites table (header, rows) and the lines before it."""
    lines = output.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("  proposed mobile sites"))
    rows = []
    for ln in lines[start + 2:]:
        if not ln.startswith("    ") or ln.startswith("    /"):
            break
        rows.append(ln)
    return lines[:start], [lines[start + 1], *rows]


def test_run_summary_lists_the_proposed_sites(tmp_path):
    """After the placement line, one line per proposed site: id, lon/lat to 5 decimals, commune, stations and
    voters newly covered and the backhaul verdict — the values of proposed_sites.csv."""
    import pandas as pd

    proj = write_project(tmp_path / "p", k=2)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--no-report"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "proposed_sites.csv", keep_default_na=False)
    assert len(table) >= 1
    before, (head, *rows) = _site_lines(res.output)
    assert before[-1].startswith("  placement: ")  # right after the placement line
    assert head.split() == ["site", "lon", "lat", "commune", "stations", "voters", "backhaul"]
    assert len(rows) == len(table)
    for line, r in zip(rows, table.sort_values("rank").itertuples(), strict=True):
        cells = line.split()
        assert cells[:3] == [r.site_id, f"{r.lon:.5f}", f"{r.lat:.5f}"]
        assert line.split(f"{r.lat:.5f}", 1)[1].split()[:len(r.commune.split())] == r.commune.split()
        assert f" {r.n_stations} " in line and f" {r.voters_covered} " in line
        assert line.rstrip().endswith(r.backhaul if not r.backhaul_tower else
                                      f"{r.backhaul} ({r.backhaul_tower}, {r.backhaul_distance_km:.1f} km)")
    # no placement: no table
    res = CliRunner().invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--no-report",
                                    "--k", "0"])
    assert res.exit_code == 0, res.output
    assert "placement" not in res.output and "proposed mobile sites" not in res.output


def test_proposal_lines_are_aligned_and_name_the_backhaul():
    """Several sites (the hand-built tiny results: one with a microwave link, one needing satellite): one line
    each in rank order, the columns aligned, the link's tower and distance given."""
    from coverage_planner.cli_run import proposal_lines

    from .tiny_results import tiny_results

    res = tiny_results()
    props = res.proposals.iloc[::-1]  # rank order is restored
    title, head, *rows = proposal_lines(props)
    assert "proposed mobile sites" in title and len(rows) == len(props)
    for line, r in zip(rows, res.proposals.sort_values("rank").itertuples(), strict=True):
        assert line.split()[:3] == [r.site_id, f"{r.lon:.5f}", f"{r.lat:.5f}"] and r.commune in line
        if r.backhaul_tower:
            assert line.endswith(f"ok ({r.backhaul_tower}, {r.backhaul_distance_km:.1f} km)")
        else:
            assert line.endswith("needs satellite")
    # numbers are right-aligned under their heading: each ends where the heading ends
    lat_end, voters_end = head.index(" lat") + len(" lat"), head.index(" voters") + len(" voters")
    for line, r in zip(rows, res.proposals.sort_values("rank").itertuples(), strict=True):
        assert line[:lat_end].endswith(f" {r.lat:.5f}") and line[:voters_end].endswith(f" {r.voters_covered}")
    assert proposal_lines(None) == [] and proposal_lines(props.iloc[:0]) == []


def _pdf_text(path) -> str:
    import subprocess

    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())


def test_k_minus_one_says_whether_the_minimum_was_confirmed(tmp_path, monkeypatch):
    """QA: --k -1 whose exact check ran out of rounds printed "about N (screening estimate; --k -1 checks every site
    exactly)" — telling the user to run what they had just run — and nothing said the check did not converge. Now
    the console and the report (vi and en) say what was done: exact when the rounds converge; else not confirmed,
    with the estimate, its unchecked sites and what the (exact-checked) proposed sites do cover."""
    import pandas as pd

    from coverage_planner import pipeline

    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--k", "-1", "--lang", "en"])
    assert res.exit_code == 0, res.output
    s = dict(pd.read_csv(out / "placement_summary.csv", keep_default_na=False).itertuples(index=False))
    assert s["exact_converged"] == "1" and s["lscp_exact"] == "1"  # yes/no as 1/0 (docs/OUTPUTS.md)
    assert f"Minimum mobile sites to cover every reachable polling station: {s['lscp_sites']} (" in res.output
    assert "every proposed site checked with the exact terrain profile" in res.output and "about" not in res.output
    # one round only (k = -1 has its own round guard): the first round always has unchecked sites, so the loop
    # cannot converge
    monkeypatch.setattr(pipeline, "EXACT_ROUNDS_MIN", 1)
    for lang in ("en", "vi"):
        res = runner.invoke(main, ["run", str(proj), "--out", str(out), "-q", "--no-map", "--k", "-1", "--lang", lang])
        assert res.exit_code == 0, res.output
        s = dict(pd.read_csv(out / "placement_summary.csv", keep_default_na=False).itertuples(index=False))
        assert s["exact_converged"] == "0" and s["lscp_exact"] == "0" and s["exact_rounds"] == "1"
        console = " ".join(res.output.split())
        assert "--k -1), checks every site" not in console and "not confirmed" in console
        assert (f"did not converge in 1 rounds: about {s['lscp_sites']} sites by the quick estimate, "
                f"{s['lscp_unchecked']} of them not checked exactly. The {s['k']} proposed sites are all checked "
                f"with the exact terrain profile and cover {s['reachable_covered']} of the {s['n_reachable']} "
                "reachable polling stations") in console
        text = _pdf_text(out / f"gap_report_{lang}.pdf")
        if text:  # poppler-utils present
            want = {"en": ["not confirmed", "did not converge in 1 rounds"],
                    "vi": ["chưa xác nhận được", "chưa hội tụ sau 1 vòng"]}[lang]
            assert all(w in text for w in want), text[-2000:]
            assert "quick estimate;" not in text and "ước tính nhanh;" not in text


def test_written_files_are_listed_without_dot_dot(tmp_path):
    """A project whose output_dir climbs out of its folder (the sample's is ../../../output/sample): the summary
    and `map` list the files by their real path (they showed …/p/../out/best_level_dbm.tif)."""
    proj = write_project(tmp_path / "p")
    text = proj.read_text(encoding="utf-8")
    assert 'output_dir = "output"' in text
    proj.write_text(text.replace('output_dir = "output"', 'output_dir = "../shared/out"'), encoding="utf-8")
    (tmp_path / "shared").mkdir()
    runner = CliRunner()
    res = runner.invoke(main, ["run", str(proj), "-q", "--no-map", "--no-report", "--k", "0"])
    assert res.exit_code == 0, res.output
    listed = [ln.strip() for ln in res.output.splitlines() if ln.startswith("    /")]
    assert str((tmp_path / "shared" / "out" / "best_level_dbm.tif").resolve()) in listed, res.output
    assert ".." not in res.output
    res = runner.invoke(main, ["map", str(proj), "-q", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert f"map written: {(tmp_path / 'shared' / 'out' / 'coverage_map.html').resolve()} (" in res.output
