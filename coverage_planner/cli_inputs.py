"""``coverage-planner init`` and ``coverage-planner validate``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click

from coverage_planner.cli import ProgressPrinter, handle_errors, main, project_argument, quiet_option


@dataclass
class _Step:
    stage: str
    fraction: float
    message: str


@main.command("init", short_help="Write a project.toml template to fill in.")
@click.argument("directory", type=click.Path(file_okay=False), default=".", metavar="[DIR]")
@click.option("--name", default=None, help="Project name shown on the map and report, e.g. --name \"Bầu cử 2026\" "
                                          "(default: the folder name).")
@click.option("--province", default="Điện Biên", show_default=True, help="Province name for the map and report.")
@click.option("--force", is_flag=True, help="Overwrite an existing project.toml.")
@handle_errors
def init_command(directory: str, name: str | None, province: str, force: bool) -> None:
    """Write a project.toml template with every setting at its default into DIR (default: here).

    \b
    Example:
      coverage-planner init myproject/
    """
    from coverage_planner.io import write_text
    from coverage_planner.project import project_template

    folder = Path(directory)
    dest = folder / "project.toml"
    if dest.exists() and not force:
        raise click.ClickException(f"{dest} already exists; use --force to overwrite it")
    name = name or folder.resolve().name or "New project"
    write_text(dest, project_template(name, province))
    click.echo(f"Wrote {dest}")
    click.echo("Next: put your towers, polling stations, communes and terrain files next to it, edit [inputs],")
    click.echo(f"then run: coverage-planner validate {dest}")


def _fmt_counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "-"


@main.command("validate", short_help="Check every input of a project and print a summary.")
@project_argument
@quiet_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (for scripts).")
@handle_errors
def validate_command(project: str, quiet: bool, as_json: bool) -> None:
    """Load and check every input of PROJECT, then print a summary (counts, extent, CRS, warnings).

    \b
    Example:
      coverage-planner validate data/sample/dien_bien/project.toml
    """
    from coverage_planner.inputs import load_inputs
    from coverage_planner.project import load_project

    proj = load_project(project)
    printer = ProgressPrinter(quiet=quiet)
    try:
        inputs = load_inputs(proj, progress=lambda f, m: printer(_Step("validate", f, m)))
    finally:
        printer.close()
    s = inputs.summary()
    s["project"] = proj.name
    s["warnings"] = list(inputs.warnings)
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2, default=str))
        return
    c = s["counts"]
    w, so, e, n = s["extent_lonlat"]
    xmin, ymin, xmax, ymax = s["extent_xy"]
    lines = [
        f"Project: {proj.name} ({proj.province})" if proj.province else f"Project: {proj.name}",
        f"Analysis CRS: {s['crs']}" + (" (chosen automatically)" if proj.crs == "auto" else ""),
        f"Towers: {c['towers']}  by operator: {_fmt_counts(s['towers_by_operator'])}",
        f"        by technology: {_fmt_counts(s['towers_by_technology'])}; by status: {_fmt_counts(s['towers_by_status'])}",
        f"Polling stations: {c['stations']} ({s['voters']} voters)",
        f"Communes: {c['communes']} (border {s['border_communes']}, remote {s['remote_communes']})",
        "Other layers: " + (", ".join(f"{k} {c[k]}" for k in ("border", "roads", "towns", "candidates") if c[k]) or "-"),
        f"Extent: lon {w:.4f} … {e:.4f}, lat {so:.4f} … {n:.4f}",
        f"        x {xmin:.0f} … {xmax:.0f}, y {ymin:.0f} … {ymax:.0f} m ({s['crs']})",
    ]
    t = s.get("terrain")
    if t:
        rows, cols = t["shape"]
        lines += [
            f"Terrain: {t['source']}",
            f"         {cols} × {rows} cells (columns × rows) of {t['cellsize_m']:g} m, elevation {t['min_m']:.0f} … {t['max_m']:.0f} m, "
            f"{t['void_count']} void cell(s) filled",
        ]
    lc = s.get("landcover")
    if lc:
        lines.append(f"Land cover: {lc['source']}; cells by class: {_fmt_counts(lc['cells_by_class'])}")
    if s["warnings"]:
        lines.append(f"Warnings ({len(s['warnings'])}):")
        lines += [f"  - {msg}" for msg in s["warnings"]]
    else:
        lines.append("Warnings: none")
    lines.append("OK: the inputs are valid.")
    click.echo("\n".join(lines))
