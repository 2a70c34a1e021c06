"""The ``coverage-planner`` command line (click).

Sub-commands live in ``cli_*.py`` modules that register themselves on :data:`main`; shared options are
defined once here. Errors from the application become a one-paragraph message and exit code 1; usage
errors exit with code 2 (click's convention).
"""

from __future__ import annotations

import contextlib
import functools
import sys

import click

from coverage_planner import __version__
from coverage_planner.errors import CancelledError, CoveragePlannerError, ForeignFilesError

#: exit status of a command stopped by Ctrl+C (128 + SIGINT, the shell's convention)
EXIT_CANCELLED = 130

_EPILOG = """\b
Examples (the sample project; any project.toml works the same way):
  coverage-planner validate data/sample/dien_bien/project.toml
  coverage-planner run data/sample/dien_bien/project.toml --out results/
  coverage-planner run data/sample/dien_bien/project.toml \\
      --out results-landslide/ --down VTL-DBP-012
  coverage-planner map data/sample/dien_bien/project.toml --out results/ --lang en

Exit codes: 0 done; 1 an input or output problem (the message names the file, row and field and how to fix it);
2 a usage error (a wrong option or value, e.g. an unknown --down tower id); 130 cancelled with Ctrl-C.
'coverage-planner COMMAND --help' explains a command's options."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@click.version_option(__version__, prog_name="coverage-planner")
def main() -> None:
    """Mobile coverage, gap analysis and temporary base-station placement for polling stations."""


def handle_errors(func):
    """Turn CoveragePlannerError into a clean message and exit code 1 (2 for an output folder holding the user's
    files: a usage error, fixed by another --out or --force; 130 for Ctrl+C, with what was written, if anything,
    instead of click's bare "Aborted!")."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ForeignFilesError as exc:  # the user's files in the output folder: a usage error, like click's
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except CancelledError as exc:  # Ctrl+C, as the command that was interrupted tells it
            click.echo(f"Cancelled: {exc}", err=True)
            sys.exit(EXIT_CANCELLED)
        except KeyboardInterrupt:
            click.echo("Cancelled (Ctrl+C).", err=True)
            sys.exit(EXIT_CANCELLED)
        except CoveragePlannerError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except BrokenPipeError:  # `coverage-planner run … | head`: the reader left; stop quietly, like cat
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # e.g. a read-only or full output folder: a message, not a traceback
            where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            click.echo(f"Error: cannot write or read{where}: {exc.strerror or exc}. How to fix: choose an output "
                       "folder you can write to (--out) with free space, and check the input files can be read.",
                       err=True)
            sys.exit(1)

    return wrapper


class FiniteFloat(click.FloatRange):
    """A float option that refuses NaN (and infinity unless ``allow_inf``) as a usage error (exit 2)."""

    name = "finite float"

    def __init__(self, *args, allow_inf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_inf = allow_inf

    def _describe_range(self) -> str:
        # no bounds: say nothing in --help (click printed "[x<=None]")
        return "" if self.min is None and self.max is None else super()._describe_range()

    def convert(self, value, param, ctx):
        v = super().convert(value, param, ctx)
        if v != v or (not self.allow_inf and v in (float("inf"), float("-inf"))):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return v


def shown_path(path) -> str:
    """A path as the console shows it: as given, unless it climbs with ``..`` (the sample's output_dir is
    ``../../../output/sample``, so files were listed as ``…/dien_bien/../../../output/sample/…``): then the real
    absolute path."""
    from pathlib import Path

    p = Path(path)
    return str(p.resolve()) if ".." in p.parts else str(p)


def refuse_overwriting_inputs(out, *inputs, param_hint: str = "OUT") -> None:
    """Usage error (exit 2) when the output path is one of the input files: inputs are never modified."""
    import os

    for src in inputs:
        if src is not None and os.path.exists(out) and os.path.samefile(out, src):
            raise click.BadParameter(f"{out} is the input file {src}; inputs are never overwritten: choose another "
                                     "output file name", param_hint=param_hint)


project_argument = click.argument(
    "project", type=click.Path(exists=True, dir_okay=False, readable=True), metavar="PROJECT"
)
out_option = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
    help="Output folder, created if needed, e.g. --out results/ (default: the project's [project] output_dir).",
)
cache_option = click.option(
    "--cache", "cache_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
    help="Folder of the per-tower level cache, e.g. --cache /data/cp-cache (default: .cache in the project's "
         "output_dir when a run made one there, so runs written to any --out share it; else .cache in the output "
         "folder).",
)
force_option = click.option(
    "--force", is_flag=True,
    help="Replace files in the output folder that are named like outputs but were not written by "
         "coverage-planner (or changed since); without it the run stops before any work and names them.")
quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="No progress lines (on standard error); the summary and errors are still printed.")
lang_option = click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
                           help="Language of the map and report: vi = Vietnamese, en = English.")
down_option = click.option("--down", multiple=True, metavar="IDS",
                           help="Tower ids taken off air for a failure scenario, comma-separated or repeated, e.g. "
                                "--down VTL-DBP-012,VNP-DBP-019-B. A site id (VTL-DBP-042 for sectors "
                                "VTL-DBP-042-A/-B/-C) takes all its sectors down. Replaces the project's [scenario] "
                                "down (default: that list).")
scenario_name_option = click.option(
    "--scenario-name", default=None, metavar="TEXT",
    help="Name shown for the scenario (console, map, report), e.g. --scenario-name \"Sạt lở\". Default: the "
         "project's [scenario] name for its own [scenario] down towers, else \"scenario\".")


def cache_folder(project, out_dir, cache_dir=None):
    """The level cache of a run: ``--cache DIR``; else, when ``--out`` is another folder and the project's own
    ``output_dir`` already holds a cache (a baseline run was made there), that cache — so a scenario written to a
    new folder re-uses the computed towers (the keys hold the terrain fingerprint and every parameter, so sharing
    is safe), with a note; else ``<out>/.cache``. A cache folder is never created outside ``--out`` unasked (a
    copied project whose ``output_dir`` points elsewhere must not write hundreds of MB there). Call it after the
    output-folder check. The cache writes only its own hashed ``.lvl`` entries."""
    import os
    from pathlib import Path

    if cache_dir is not None:
        return Path(cache_dir)
    own = Path(out_dir) / ".cache"
    shared = Path(project.output_dir) / ".cache"
    try:
        same = own.resolve() == shared.resolve()
    except OSError:
        same = False
    if not same and shared.is_dir() and os.access(shared, os.W_OK):
        click.echo(f"note: re-using the level cache of the project's output folder ({shown_path(shared)}); --cache DIR "
                   "chooses another")
        return shared
    return own


def scenario_for(project, down, name: str | None = None):
    """The run's Scenario: the ``--down`` towers (comma-separated or repeated; stripped, each id once, in order),
    which replace the project's ``[scenario] down``, or else the project's own. Named ``--scenario-name``, else
    the project's ``[scenario] name`` when the towers are the project's, else "scenario". A note is printed when
    ``--down`` replaces a different project list."""
    from coverage_planner.inputs import normalise_down
    from coverage_planner.pipeline import project_scenario
    from coverage_planner.results import Scenario

    own = project_scenario(project)
    ids = normalise_down(down, split_commas=True)
    if not ids:
        return Scenario(name=name or own.name, down=own.down)
    same = set(ids) == set(own.down)
    if own.down and not same:
        click.echo(f"note: --down replaces the project's [scenario] down ({', '.join(own.down)})"
                   + (f" and its name '{own.name}'" if own.name != "scenario" and not name else ""))
    project.scenario.down = []  # replaced: the project file's ids are neither used nor checked in this run
    return Scenario(name=name or (own.name if same else "scenario"), down=ids)


@contextlib.contextmanager
def down_usage_errors():
    """Unknown ``--down`` tower ids are a usage error (exit 2, click's convention), with the message naming them
    (and "did you mean" for a case slip)."""
    from coverage_planner.errors import UnknownTowerError

    try:
        yield
    except UnknownTowerError as exc:
        raise click.BadParameter(exc.message, param_hint="'--down'") from exc


def echo_scenario_notes(results, *, warnings: bool) -> None:
    """The scenario's notes (a site id expanded to its sectors) and, if ``warnings``, its warnings (a tower down
    that is not on air anyway) as console lines."""
    scen = results.scenario
    for note in getattr(scen, "notes", ()):
        click.echo(f"  note: {note}")
    for w in getattr(scen, "warnings", ()) if warnings else ():
        click.echo(f"  warning: {w}")


class ProgressPrinter:
    """Terminal progress for pipeline generators: one updating line on a TTY, plain lines otherwise.

    The updating line is cut to the terminal's width less one column: a longer one wraps, and the carriage return
    then goes back only to the start of its last row, so every update left a new row (it was padded to 120
    columns, which filled an 80-column terminal with a row per tower)."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self._last_stage = None
        self._last_pct = -1
        self._line_open = False  # a TTY line written with \r and not yet ended

    def _tty(self) -> bool:
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def _width(self) -> int:
        import shutil

        return max(20, shutil.get_terminal_size((80, 24)).columns - 1)

    def __call__(self, progress) -> None:
        if self.quiet:
            return
        pct = int(round(100 * progress.fraction))
        if self._tty():
            width = self._width()
            text = f"[{pct:3d}%] {progress.stage}: {progress.message}"
            if len(text) > width:
                text = text[:width - 1] + "…"
            self.stream.write("\r" + text.ljust(width))
            self.stream.flush()
            self._line_open = True
        elif progress.stage != self._last_stage or pct >= self._last_pct + 10:
            self.stream.write(f"[{pct:3d}%] {progress.stage}: {progress.message}\n")
            self._last_pct = pct
        self._last_stage = progress.stage

    def step(self, stage: str, message: str) -> None:
        """A step shown whatever the throttle (the run command's exports: seconds each, after the analysis's
        100 %), as "[stage] message" on a line of its own."""
        if self.quiet:
            return
        self.close()
        self.stream.write(f"[{stage}] {message}\n")
        self.stream.flush()
        self._last_stage = stage

    def close(self) -> None:
        """End the updating line (on a terminal); again is harmless."""
        if not self.quiet and self._line_open:
            self.stream.write("\n")
            self._line_open = False


def _register_subcommands() -> None:
    import importlib

    for name in ("cli_inputs", "cli_radio", "cli_run", "cli_outputs", "cli_gui"):
        try:
            importlib.import_module(f"coverage_planner.{name}")
        except ModuleNotFoundError as exc:  # a module not written yet
            if exc.name != f"coverage_planner.{name}":
                raise


_register_subcommands()


if __name__ == "__main__":  # `python -m coverage_planner.cli` (like `python -m coverage_planner`)
    # This file runs as ``__main__``; the sub-command modules registered themselves on the group of the module
    # imported by its own name, coverage_planner.cli, so run that one.
    from coverage_planner.cli import main as _main

    _main()
