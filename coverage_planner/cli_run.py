"""``coverage-planner run``: the whole analysis and every output."""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # pandas is imported only when a command runs, so `--help` answers at once
    from coverage_planner.results import Scenario


def run_project(project, out_dir: Path, *, scenario: Scenario | None, placement: bool, outputs: set[str],
                lang: str, printer: ProgressPrinter, cache_dir=None, force: bool = False):
    """Run the pipeline and write the requested outputs; returns (results, {name: path}). The level cache is
    ``cache_dir`` or the project's own (:func:`coverage_planner.cli.cache_folder`). Files of the output folder
    named like an output but not written by coverage-planner stop the run before any work unless ``force``
    (:func:`coverage_planner.io.claimed_outputs`)."""
    from coverage_planner import gisexport, io

    gisexport.check_output_folder(out_dir, project)
    with io.claimed_outputs(out_dir, *gisexport.run_outputs(outputs, lang), force=force):
        out_dir.mkdir(parents=True, exist_ok=True)  # an output folder that cannot be made fails now, not after
        return _run_and_write(project, out_dir, scenario=scenario, placement=placement, outputs=outputs, lang=lang,
                              printer=printer, cache=cache_folder(project, out_dir, cache_dir))


def _run_and_write(project, out_dir: Path, *, scenario, placement, outputs, lang, printer, cache):
    from coverage_planner import gisexport, pipeline

    try:
        with down_usage_errors():
            results = pipeline.run(project, scenario, progress=printer, placement=placement, cache_dir=cache)
    except KeyboardInterrupt:
        printer.close()
        raise CancelledError(f"Ctrl+C during the analysis; no output was written in {out_dir}") from None
    finally:
        printer.close()
    steps = []  # (label, file name or None, writer returning {name: path}); seconds each, none yields
    if "gis" in outputs:
        steps.append(("GIS files (GeoTIFF, GeoPackage, tables)", None, lambda: gisexport.export_all(results, out_dir)))
    if "map" in outputs:
        try:
            webmap = importlib.import_module("coverage_planner.webmap")
        except ModuleNotFoundError:
            webmap = None
        if webmap is not None:
            steps.append(("HTML map", "coverage_map.html", lambda: {
                "map": webmap.write_map(results, out_dir / "coverage_map.html", lang=lang)}))
    if "report" in outputs:
        try:
            report = importlib.import_module("coverage_planner.report")
        except ModuleNotFoundError:
            report = None
        if report is not None:
            name = f"gap_report_{lang}.pdf"
            steps.append(("PDF report", name, lambda: {
                "report": report.build_report(results, out_dir / name, lang=lang)}))
    files = {}
    before = _stamps(out_dir)
    for k, (label, _name, write) in enumerate(steps):
        printer.step("export", f"{k + 1}/{len(steps)} {label}")
        try:
            files.update(write())
        except KeyboardInterrupt:
            now = _stamps(out_dir)
            written = sorted(n for n, st in now.items() if before.get(n) != st)
            raise CancelledError(_cancelled_exports(out_dir, written, steps[k:])) from None
    return results, files


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, modification time) of the files in ``folder`` (not hidden ones: the cache, the manifest)."""
    try:
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()
                if p.is_file() and not p.name.startswith(".")}
    except OSError:
        return {}


def _cancelled_exports(out_dir: Path, written: list[str], not_written) -> str:
    """What Ctrl+C during the exports left: the files written (each complete: written to a temporary file and
    renamed), the outputs not written, and that files of their names in the folder are from an earlier run."""
    text = f"Ctrl+C while writing the {not_written[0][0]}. "
    if written:
        shown = ", ".join(written[:4]) + (", …" if len(written) > 4 else "")
        text += f"Written in {out_dir}, each complete: {len(written)} file{'s' if len(written) != 1 else ''} ({shown}). "
    else:
        text += f"Nothing was written in {out_dir}. "
    # the step cut short: a one-file output was not written; of the GIS files, those not listed above
    text += "Not written: " + ", ".join(("the rest of the " if k == 0 and written and name is None else "the ") + label
                                         for k, (label, name, _write) in enumerate(not_written)) + "."
    old = [name for _label, name, _write in not_written if name and (out_dir / name).exists()]
    if old:
        text += f" {', '.join(old)} in that folder {'is' if len(old) == 1 else 'are'} from an earlier run."
    return text + " Run again to write every output."


def _whole(v) -> str:
    try:
        return f"{int(v)}"
    except (TypeError, ValueError):
        return "—"


def proposal_lines(proposals) -> list[str]:
    """The proposed mobile sites as a compact table, one line per site in rank order: id, lon/lat (WGS 84, 5
    decimals, about 1 m), commune, stations and voters it newly covers (they add up to the plan's totals), and
    the backhaul verdict with its tower and distance. No lines without proposals."""
    from coverage_planner.webmap import cell_text

    if proposals is None or not len(proposals):
        return []
    rows = []
    for r in proposals.sort_values("rank", kind="stable").to_dict("records"):
        bh = cell_text(r.get("backhaul"))
        if cell_text(r.get("backhaul_tower")):
            km = r.get("backhaul_distance_km")
            bh += f" ({r['backhaul_tower']}" + (f", {float(km):.1f} km)" if cell_text(km) else ")")
        rows.append((cell_text(r.get("site_id")), f"{float(r['lon']):.5f}", f"{float(r['lat']):.5f}",
                     cell_text(r.get("commune")) or "—", _whole(r.get("n_stations")), _whole(r.get("voters_covered")),
                     bh or "—"))
    head = ("site", "lon", "lat", "commune", "stations", "voters", "backhaul")
    width = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]
    right = {1, 2, 4, 5}  # numbers

    def line(cells) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, width, strict=True))]
        return ("    " + "  ".join(out)).rstrip()

    return ["  proposed mobile sites (stations and voters newly covered; WGS 84):", line(head),
            *(line(x) for x in rows)]


def print_summary(results, files, elapsed: float) -> None:
    from coverage_planner.i18n import placement_text

    c = results.station_counts()
    v = results.voter_counts()
    n = len(results.stations)
    click.echo(f"{results.project_name} — scenario: {results.scenario.name}"
               + (f" (down: {', '.join(results.scenario.down)})" if results.scenario.down else ""))
    echo_scenario_notes(results, warnings=False)  # its warnings are the first of results.warnings, below
    click.echo(f"  polling stations: {n}  good {c['good']}  weak {c['weak']}  none {c['none']}")
    click.echo(f"  voters:           good {v['good']}  weak {v['weak']}  none {v['none']}")
    click.echo(f"  single points of failure (stations one site serves): {int(results.stations['spof'].sum())}")
    cp = results.contingency
    if cp is not None and len(cp):
        click.echo(f"  contingency plan: {len(cp)} sites each alone serve some stations — "
                   f"{int(cp['n_lost'].sum())} stations ({int(cp['voters_lost'].sum())} voters) lose all signal if "
                   f"theirs fails; one mobile site per failure restores {int(cp['n_restored'].sum())} of them "
                   f"({int(cp['voters_restored'].sum())} voters)")
    if results.newly_uncovered:
        lost_voters = int(results.lost_stations()["voters"].sum())
        click.echo(f"  newly uncovered by the scenario: {len(results.newly_uncovered)} stations "
                   f"({lost_voters} voters): "
                   + ", ".join(results.newly_uncovered[:15]) + (" …" if len(results.newly_uncovered) > 15 else ""))
    s = results.placement_summary
    if s:
        if "greedy_objective" in s:
            more = (f" (k = {s['k_requested']} asked: the others would reach no further station)"
                    if s.get("k_requested", 0) > s["k"] else "")
            asked = " (as few as needed, --k -1)" if s.get("k_requested", 0) < 0 else ""
            click.echo(f"  placement: {s['k']} mobile sites{asked}{more}; greedy {s['greedy_objective']:.0f} "
                       f"(gap {s.get('greedy_gap_pct', 0.0):.2f} %), exact {s['exact_objective']:.0f} "
                       f"(bound {s['upper_bound']:.0f}, gap {s['gap_pct']:.2f} %)")
            for text in proposal_lines(results.proposals):
                click.echo(text)
            # under the sites: what the minimum-sites figure is as this run made it (exact or not, converged or
            # not), the report's sentence in English
            click.echo(f"  {placement_text(s, 'en')}")
        if s.get("n_lost"):
            click.echo(f"  placement restores {s['lost_restored']} of the {s['n_lost']} stations the failure cut off "
                       f"({s['voters_lost_restored']} of {s['voters_lost']} voters; their weight × "
                       f"{s['restore_weight']:g}, [placement] restore_weight)")
        if s.get("note"):
            click.echo(f"  placement: {s['note']}")
        if s.get("n_unreachable"):
            click.echo(f"  stations no candidate site can reach: {s['n_unreachable']}")
        if s.get("n_not_planned") and not s.get("note"):  # the note says it when it is all of them
            click.echo(f"  stations not planned for (priority 0), not listed as unreachable: {s['n_not_planned']}")
    for w in results.warnings[:10]:
        click.echo(f"  warning: {w}")
    click.echo(f"  {len(files)} files written in {elapsed:.1f} s:")
    for path in files.values():
        click.echo(f"    {shown_path(path)}")


@main.command("run", short_help="Run the analysis and write every output (maps, tables, report).")
@project_argument
@out_option
@down_option
@scenario_name_option
@click.option("--k", "k", type=click.IntRange(min=-1), default=None, metavar="N",
              help="Number of mobile sites (cells on wheels) to propose, e.g. --k 8 (default: the project's "
                   "[placement] k); -1: as few as cover every reachable station; 0: no placement.")
@click.option("--no-map", is_flag=True, help="Skip the HTML map (coverage_map.html).")
@click.option("--no-report", is_flag=True, help="Skip the PDF report (gap_report_<lang>.pdf).")
@lang_option
@cache_option
@force_option
@quiet_option
@handle_errors
def run_cmd(project, out_dir, down, scenario_name, k, no_map, no_report, lang, cache_dir, force, quiet):
    """Run the analysis on PROJECT and write GeoTIFFs, a GeoPackage, CSV/XLSX tables, the map and the report.

    \b
    Examples:
      coverage-planner run data/sample/dien_bien/project.toml --out results/
      coverage-planner run data/sample/dien_bien/project.toml \\
          --out results-fail/ --down VTL-DBP-042 --k 3
    """
    from coverage_planner.project import load_project

    t0 = time.perf_counter()
    proj = load_project(project)
    if k is not None:
        proj.placement.k = k
    scenario = scenario_for(proj, down, scenario_name)
    out = Path(out_dir) if out_dir else proj.output_dir
    outputs = {"gis"} | (set() if no_map else {"map"}) | (set() if no_report else {"report"})
    results, files = run_project(proj, out, scenario=scenario, placement=proj.placement.k != 0, outputs=outputs,
                                 lang=lang, printer=ProgressPrinter(quiet), cache_dir=cache_dir, force=force)
    print_summary(results, files, time.perf_counter() - t0)
