"""The ``coverage-planner gui`` command: lazy Qt import, options, a real start-and-quit in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from coverage_planner.cli import main
from tests.coverage_planner.tiny_project import write_project


def test_gui_command_is_registered_with_its_options():
    result = CliRunner().invoke(main, ["gui", "--help"])
    assert result.exit_code == 0
    assert "--lang [vi|en]" in result.output and "--run" in result.output
    assert "[PROJECT]" in result.output


def test_missing_project_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["gui", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_the_core_cli_does_not_import_qt():
    code = "import sys, coverage_planner.cli; print('PyQt6' in sys.modules, 'gui' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["False", "False"]


def test_gui_command_opens_a_project_and_saves_a_screenshot(tmp_path):
    project = write_project(tmp_path / "proj")
    shot = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-m", "coverage_planner", "gui", "--lang", "vi", "--screenshot", str(shot),
                          str(project)], capture_output=True, text=True, timeout=180, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    from PyQt6.QtGui import QImage

    img = QImage(str(shot))
    assert img.width() >= 800 and img.height() >= 500
    # the saved settings remember the language and the project
    from PyQt6.QtCore import QSettings

    ini = next((tmp_path / "config").rglob("*.ini"))
    saved = QSettings(str(ini), QSettings.Format.IniFormat)
    assert saved.value("language") == "vi"
    assert saved.value("recentProjects") == [str(project.resolve())]
