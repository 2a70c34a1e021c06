"""Start the desktop application: ``coverage-planner gui [PROJECT]`` or ``python -m gui.app [PROJECT]``."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtCore import QSettings, QTimer
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QApplication

from gui import i18n
from gui.mainwindow import APPLICATION, ORGANISATION, MainWindow, default_settings


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Coverage Planner")
    app.setFont(QFont("DejaVu Sans", 9))
    return app


def initial_language(settings: QSettings, requested: str | None = None) -> str:
    """The ``--lang`` option, else the saved choice, else Vietnamese on a Vietnamese system, else English."""
    if requested:
        return requested
    saved = settings.value("language")
    if saved in i18n.LANGUAGES:
        return str(saved)
    return i18n.default_language()


def make_window(project: str | Path | None = None, *, lang: str | None = None, settings: QSettings | None = None,
                run: bool = False, confirm_unsaved: bool = False) -> MainWindow:
    settings = settings if settings is not None else default_settings()
    i18n.set_language(initial_language(settings, lang))
    if lang:
        settings.setValue("language", lang)  # an explicit choice is remembered, like the menu's
    window = MainWindow(settings=settings, confirm_unsaved=confirm_unsaved)
    if project is not None:
        if window.open_project(project, check=not run) and run:
            window.run_analysis()
    return window


def main(project: str | Path | None = None, *, lang: str | None = None, run: bool = False,
         screenshot: str | None = None) -> int:
    """Open the main window (optionally a project, optionally run it) and enter the event loop.

    ``screenshot``: after the run (or the project check) finishes, save the window image there and quit.
    """
    app = create_app()
    window = make_window(project, lang=lang, run=run, confirm_unsaved=screenshot is None)
    window.show()
    if screenshot is not None:
        def shoot():
            if window.runner.is_running():
                QTimer.singleShot(500, shoot)
                return
            window.grab().save(str(screenshot))
            window.close()

        QTimer.singleShot(1500, shoot)
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    args = sys.argv[1:]
    sys.exit(main(args[0] if args else None))
