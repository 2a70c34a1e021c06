"""``coverage-planner gui [PROJECT]``: open the desktop application.

The GUI package (PyQt6) is imported only when the command runs, so the core never imports Qt.
"""

from __future__ import annotations

import importlib
import sys

import click

from coverage_planner.cli import main


@main.command("gui", short_help="Open the desktop application.")
@click.argument("project", required=False, type=click.Path(exists=True, dir_okay=False), metavar="[PROJECT]")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Interface language (default: the saved choice, else Vietnamese on a Vietnamese system).")
@click.option("--run", "run_now", is_flag=True, help="Run the analysis as soon as the project is open (needs PROJECT).")
@click.option("--screenshot", type=click.Path(dir_okay=False), default=None, hidden=True,
              help="Save a picture of the window when the run finishes, then quit (documentation, CI).")
def gui_command(project, lang, run_now, screenshot):
    """Open the desktop application (map, layers, inputs, parameters, results).

    \b
    Example:
      coverage-planner gui data/sample/dien_bien/project.toml --lang en
    """
    try:
        app = importlib.import_module("gui.app")
    except ImportError as exc:  # PyQt6 or a Qt system library missing
        click.echo(f"Error: cannot start the desktop application: {exc}. Install PyQt6 (pip install PyQt6) "
                   "and, on Linux, the Qt system libraries (libegl1, libxkbcommon0, libxcb-cursor0).", err=True)
        sys.exit(1)
    sys.exit(app.main(project, lang=lang, run=run_now, screenshot=screenshot))
