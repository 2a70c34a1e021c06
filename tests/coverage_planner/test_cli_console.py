"""The command line as a terminal user meets it: a fast ``--help``, Ctrl-C, help texts, README's examples."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import click
from click.testing import CliRunner

from coverage_planner.cli import EXIT_CANCELLED, main

from .tiny_project import write_project

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_help_imports_no_numerical_library():
    """``--help`` answers at once: building the command group imports neither numpy nor pandas (it imported both,
    ~1 s, 2+ s on a busy machine, for every ``--help`` and every usage error)."""
    out = _python("""
        import sys
        from coverage_planner.cli import main
        print(sorted(m for m in ("numpy", "pandas", "geopandas", "rasterio", "pyproj", "numba") if m in sys.modules))
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# a real SIGINT, sent by the process to itself once the first of the tiny project's two towers is computed
_CTRL_C = """
    import os, signal, sys
    from coverage_planner.cli import ProgressPrinter, main

    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if started with SIGINT ignored
    shown = ProgressPrinter.__call__

    def progress(self, p):
        shown(self, p)
        if p.stage == "coverage" and p.message.endswith("(1/2)"):
            os.kill(os.getpid(), signal.SIGINT)

    ProgressPrinter.__call__ = progress
    sys.argv = ["coverage-planner", *sys.argv[1:]]
    main()
"""


def _entries(folder: Path) -> dict[Path, int]:
    return {f: f.stat().st_mtime_ns for f in folder.rglob("*.lvl")}


def test_ctrl_c_during_run_is_a_clean_cancel_and_the_cache_is_kept(tmp_path):
    """A real SIGINT mid-run (not a raised KeyboardInterrupt): "Cancelled" and exit code 130, no traceback, no
    temporary file left; the next run re-uses the tower computed before the cancel."""
    proj = write_project(tmp_path / "p")
    out = tmp_path / "out"
    args = ["run", str(proj), "--out", str(out), "--k", "0"]
    res = _python(_CTRL_C, *args)
    assert res.returncode == EXIT_CANCELLED == 130, res.stdout + res.stderr
    assert "Cancelled" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and "Aborted" not in res.stderr
    assert not [p for p in out.rglob("*") if "tmp" in p.name]
    assert not list(out.glob("*.tif")) and not (out / "coverage.gpkg").exists()  # cancelled before any output
    kept = _entries(out / ".cache")
    assert len(kept) == 1  # the first tower
    res = CliRunner().invoke(main, [*args, "-q", "--no-map", "--no-report"])
    assert res.exit_code == 0, res.output
    after = _entries(out / ".cache")
    assert len(after) == 2 and {f: after[f] for f in kept} == kept  # re-used, not recomputed


def _commands():
    return sorted(main.commands)


def _help(*args: str) -> str:
    res = CliRunner().invoke(main, [*args, "--help"], terminal_width=100)
    assert res.exit_code == 0, res.output
    return res.output


def _examples(text: str) -> list[list[str]]:
    """The example command lines of a help text (a trailing backslash continues a line), as argument lists."""
    import shlex

    lines, out = text.splitlines(), []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("coverage-planner ") and "COMMAND" not in line:
            while line.endswith("\\"):
                i += 1
                line = line[:-1] + " " + lines[i].strip()
            out.append(shlex.split(line)[1:])
        i += 1
    return out


def test_every_option_is_explained_with_a_unit_or_an_example():
    """Every option of every command has a help text, numbers name their unit (it showed "FINITE FLOAT", and
    "--receiver-gain FINITE FLOAT  dBi", "--model" had no help at all) and the command list is not cut with "..."."""
    top = _help()
    assert "..." not in top.split("Commands:")[1], top
    for name in _commands():
        cmd = main.commands[name]
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name != "help" and not p.hidden:
                assert p.help, f"{name} {p.opts} has no help"
        text = _help(name)
        assert "FINITE FLOAT" not in text and "1.3333" not in text, text
        assert "Example" in text, name
    assert "--max-distance METRES" in _help("viewshed") and "--receiver-gain DBI" in _help("coverage")
    assert "default: the project's [placement] k" in " ".join(_help("run").split())


def test_help_examples_are_valid_commands():
    """Every example in the help texts names a real command with real options, and its input files exist in the
    repository (the examples are written against the sample)."""
    found = []
    for text in [_help(), *(_help(name) for name in _commands())]:
        for args in _examples(text):
            found.append(args)
            name, rest = args[0], args[1:]
            ctx = main.commands[name].make_context(name, list(rest))  # raises a UsageError for a wrong option
            for value in ctx.params.values():
                if isinstance(value, str) and value.startswith("data/sample/"):
                    assert (ROOT / value).exists(), value
    assert {a[0] for a in found} == set(_commands()), found  # every command shows one


class _Terminal:
    """A stream that says it is a terminal and records what is written."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_terminal_progress_line_fits_the_terminal(monkeypatch):
    """On an 80-column terminal every update stays on one row: at most 79 columns between carriage returns (it
    padded each update to 120 columns, which wrapped, so each of the sample's 257 towers left a row)."""
    import os
    import shutil
    from types import SimpleNamespace

    from coverage_planner.cli import ProgressPrinter

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(80, 24): os.terminal_size((80, 24)))
    term = _Terminal()
    printer = ProgressPrinter(stream=term)
    for i, msg in enumerate(["Tower VTL-DBP-001-A (1/257)", "Contingency: reciprocal path loss 176/184 " * 3]):
        printer(SimpleNamespace(stage="coverage", fraction=i / 2, message=msg))
    printer.close()
    rows = term.text.split("\r")[1:]
    assert len(rows) == 2 and "\n" not in rows[0]
    assert all(len(r.rstrip("\n")) <= 79 for r in rows), [len(r) for r in rows]
    assert rows[0].startswith("[  0%] coverage: Tower VTL-DBP-001-A (1/257)")
    assert rows[1].rstrip().endswith("…") and term.text.endswith("\n")


def _readme_commands() -> list[list[str]]:
    """The command lines of README's "Using it" block, $P replaced by its value, continuations joined."""
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    env, out = {}, []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 1 and "=" in words[0]:
            name, value = words[0].split("=", 1)
            env[name] = value
        elif words:
            out.append([env.get(w[1:], w) if w.startswith("$") else w for w in words])
    return out


def test_readme_examples_run_as_written_against_the_sample():
    """Each line of README's "Using it" runs as written: the program is the venv's, every option exists, every
    input is in the repository and every tower id is the sample's. They used placeholders (P, DEM, OUT, X, Y,
    towers.csv), a validate of the bare init template (which has no input files) and a bare `coverage-planner`
    after `;` that is on no PATH."""
    import csv

    lines = _readme_commands()
    assert len(lines) >= 10
    with open(ROOT / "data/sample/dien_bien/towers.csv", encoding="utf-8") as fh:
        sample_ids = {r["ma_tram"] for r in csv.DictReader(fh)}
    seen = set()
    for words in lines:
        assert words[0] == ".venv/bin/coverage-planner", words
        name, rest = words[1], words[2:]
        seen.add(name)
        ctx = main.commands[name].make_context(name, list(rest))  # a wrong option or value raises here
        for key, value in ctx.params.items():
            if isinstance(value, str) and value.startswith("data/"):
                assert (ROOT / value).exists(), value
            if key in ("down", "tower_ids"):
                for tid in filter(None, ",".join(value).split(",")):
                    assert tid in sample_ids or any(i.startswith(tid + "-") for i in sample_ids), tid
        if name == "validate":
            assert ctx.params["project"].startswith("data/sample/")  # not the bare init template
    assert seen == set(main.commands), seen
