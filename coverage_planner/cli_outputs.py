"""``coverage-planner map`` and ``coverage-planner report``: the meeting outputs.

Both run the analysis (the pipeline's disk cache makes re-runs fast) and write one file into the output
folder: ``coverage_map.html`` (offline, self-contained) or ``gap_report_<lang>.pdf`` (A4).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from coverage_planner.cli import (
    ProgressPrinter,
    cache_folder,
    cache_option,
    down_option,
    down_usage_errors,
    echo_scenario_notes,
    force_option,
    handle_errors,
    lang_option,
    main,
    out_option,
    project_argument,
    quiet_option,
    scenario_for,
    scenario_name_option,
    shown_path,
)
from coverage_planner.errors import CancelledError


@contextlib.contextmanager
def _analysed(project_path: str, out_dir: str | None, down, quiet: bool, scenario_name: str | None = None,
              cache_dir: str | None = None, *, output: str, force: bool = False):
    """Load the project, run the pipeline; yields (results, output folder) for the command to write ``output``
    (a file name) there. A file of that name that coverage-planner did not write stops the command before any
    work unless ``force``; the written file is listed as the tool's (:func:`coverage_planner.io.claimed_outputs`)."""
    from coverage_planner import io
    from coverage_planner.gisexport import check_output_folder
    from coverage_planner.project import load_project

    proj = load_project(project_path)
    out = Path(out_dir) if out_dir else Path(proj.output_dir)
    check_output_folder(out, proj)
    with io.claimed_outputs(out, [output], force=force):
        yield _analyse(proj, out, down, quiet, scenario_name, cache_dir), out


def _analyse(proj, out: Path, down, quiet: bool, scenario_name: str | None, cache_dir: str | None):
    from coverage_planner import pipeline

    out.mkdir(parents=True, exist_ok=True)  # an output folder that cannot be made fails now, not after the run
    cache = cache_folder(proj, out, cache_dir)
    printer = ProgressPrinter(quiet)
    try:
        with down_usage_errors():
            results = pipeline.run(proj, scenario_for(proj, down, scenario_name), progress=printer,
                                   cache_dir=cache)
    except KeyboardInterrupt:
        printer.close()
        raise CancelledError(f"Ctrl+C during the analysis; no output was written in {out}") from None
    finally:
        printer.close()
    return results


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def _counts_line(results) -> str:
    c = results.station_counts()
    return f"polling stations: good {c['good']}, weak {c['weak']}, none {c['none']}"


@main.command("map", short_help="Run the analysis and write the offline HTML map.")
@project_argument
@out_option
@lang_option
@down_option
@scenario_name_option
@click.option("--title", default=None, help="Map title, e.g. --title \"Bầu cử 2026 – Mường Nhé\" (default: built "
                                           "from the province).")
@cache_option
@force_option
@quiet_option
@handle_errors
def map_cmd(project, out_dir, lang, down, scenario_name, title, cache_dir, force, quiet):
    """Run the analysis on PROJECT and write the offline HTML map coverage_map.html.

    \b
    Example:
      coverage-planner map data/sample/dien_bien/project.toml --out results/ --lang en
    """
    from coverage_planner import webmap

    with _analysed(project, out_dir, down, quiet, scenario_name, cache_dir, output="coverage_map.html",
                   force=force) as (results, out):
        path = webmap.write_map(results, out / "coverage_map.html", title=title, lang=lang)
    click.echo(_counts_line(results))
    echo_scenario_notes(results, warnings=True)
    click.echo(f"map written: {shown_path(path)} ({_size(path)}; opens without internet)")


@main.command("report", short_help="Run the analysis and write the A4 PDF gap report.")
@project_argument
@out_option
@lang_option
@down_option
@scenario_name_option
@cache_option
@force_option
@quiet_option
@handle_errors
def report_cmd(project, out_dir, lang, down, scenario_name, cache_dir, force, quiet):
    """Run the analysis on PROJECT and write the A4 PDF gap report gap_report_<lang>.pdf.

    \b
    Example:
      coverage-planner report data/sample/dien_bien/project.toml --out results/ --lang vi
    """
    from coverage_planner import report

    name = f"gap_report_{lang}.pdf"
    with _analysed(project, out_dir, down, quiet, scenario_name, cache_dir, output=name, force=force) as (results, out):
        path = report.build_report(results, out / name, lang=lang)
    click.echo(_counts_line(results))
    echo_scenario_notes(results, warnings=True)
    click.echo(f"report written: {shown_path(path)} ({_size(path)})")
