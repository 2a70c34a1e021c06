"""Fixtures for the GUI tests: an isolated QSettings file, a main window that must not leak threads."""

from __future__ import annotations

import pytest

pytest.importorskip("PyQt6")
pytest.importorskip("pytestqt")

from PyQt6.QtCore import QSettings  # noqa: E402

from gui import i18n  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()


@pytest.fixture
def make_window(qtbot, settings):
    """Factory for MainWindow instances; teardown cancels work, waits for the thread and checks none leaked."""
    from gui.mainwindow import MainWindow

    made = []

    def factory(lang: str = "en", size=(1300, 850)):
        i18n.set_language(lang)
        w = MainWindow(settings=settings)
        qtbot.addWidget(w)
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield factory
    for w in made:
        thread = w.runner.thread
        if w.runner.is_running():
            w.runner.cancel()
        assert w.runner.wait(60000), "worker thread did not stop within 60 s"
        assert thread is None or not thread.isRunning()
        w.close()
    i18n.set_language("en")


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture(scope="session")
def tiny():
    from tests.coverage_planner.tiny_results import tiny_results

    return tiny_results()


@pytest.fixture
def canvas(qtbot, tiny):
    """A bare map canvas (no window) with the tiny results' layers drawn."""
    from gui import maplayers
    from gui.canvas import MapCanvas

    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(900, 700)
    maplayers.build_layers(c, tiny)
    c.finish_pending()
    return c


@pytest.fixture
def shown(window, tiny, qtbot):
    """The main window showing the tiny results."""
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(tiny)
    return window


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """The tiny test project written once per test module (copy it before changing it: project_copy)."""
    from tests.coverage_planner.tiny_project import write_project

    folder = tmp_path_factory.mktemp("tiny_project")
    write_project(folder)
    return folder


@pytest.fixture
def project_copy(tiny_folder, tmp_path):
    """A private copy of the tiny project; returns its project.toml."""
    import shutil

    dest = tmp_path / "proj"
    shutil.copytree(tiny_folder, dest)
    return dest / "project.toml"
