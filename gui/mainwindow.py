"""The main window: map canvas in the middle, layer panel and docks around it, menus, tool bar, status bar.

Long work (loading inputs, the analysis, site coverage, exports) runs on a worker thread through
:class:`~gui.worker.TaskRunner`; the window shows a progress bar with stage, message, time remaining and a
Cancel button, and every error ends in a readable dialog.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from PyQt6.QtCore import QByteArray, QCoreApplication, QEvent, QRect, QSettings, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup, QFont, QKeySequence, QPainter
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabBar,
    QToolBar,
)

# Imported here, on the GUI thread at start-up: importing them inside a worker holds the GIL (extension
# modules, numba set-up) and froze the window for ~0.5 s at the start of the first check and run.
from coverage_planner import gisexport, report, webmap
from coverage_planner import inputs as cp_inputs
from coverage_planner import io as cp_io
from coverage_planner import pipeline as cp_pipeline
from coverage_planner import project as cp_project
from coverage_planner.errors import ParameterError
from coverage_planner.progress import Progress
from coverage_planner.results import Results, Scenario
from coverage_planner.whatif import BACKHAUL_COLUMNS, backhaul_of, current_plan, current_proposals
from gui import i18n
from gui.canvas import MapCanvas
from gui.docks import AttributesDock, InputsDock, ParametersDock, PlacementDock, ResultsDock, ScenarioDock
from gui.i18n import progress_text, task_label, tr
from gui.layerpanel import LayerPanel
from gui.maplayers import (
    added_rgba,
    build_layers,
    iter_display_images,
    layer_title,
    proposal_level_with_sites,
    set_user_sites,
)
from gui.session import Session, UserSite
from gui.worker import TaskRunner, format_eta

ORGANISATION = "coverage-planner"
APPLICATION = "coverage-planner"
MAX_RECENT = 8

#: the stages of a run in order (coverage_planner.pipeline's; the GUI's short "display" step follows)
RUN_STAGES = ("load", "coverage", "gaps", "resilience", "placement")

DOCK_TITLES = {"layers": "Layers", "inputs": "Inputs", "parameters": "Parameters", "placement": "Placement",
               "scenario": "Scenario", "attributes": "Attributes", "results": "Results"}


def default_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def _preview_results(project, inputs) -> Results:
    stations = inputs.stations.copy()
    if "status" not in stations.columns:
        stations["status"] = ""
    return Results(project_name=project.name, province=project.province, grid=inputs.terrain.grid,
                   dem=inputs.terrain.dem, towers=inputs.towers, stations=stations, communes=inputs.communes,
                   border=inputs.border, roads=inputs.roads, towns=inputs.towns)


def _run_generator(project, scenario, context, inputs=None, terrain_rgba=None):
    """Prepare the pipeline context if needed (reusing checked inputs), then run; returns (context, results)."""
    if context is None:
        yield Progress("load", 0.0, "Reading inputs and terrain")
        context = cp_pipeline.prepare(project, inputs=inputs)
    results = yield from cp_pipeline.iter_run(project, scenario, context=context)
    return context, results, (yield from iter_display_images(results, terrain_rgba))


#: Below this estimate (s) the status bar says "almost done": a few seconds left cannot be timed honestly (the
#: sample's run showed "0:00 left" for 2–4 s while the last exact checks ran).
ALMOST_DONE_S = 5.0


def _check_generator(project):
    """Load and validate every input (``coverage_planner.inputs.load_inputs``); returns (Inputs, images)."""
    yield Progress("check", 0.0, "Reading inputs and terrain")
    inputs = cp_inputs.load_inputs(project)
    return inputs, (yield from iter_display_images(_preview_results(project, inputs)))


def _sites_generator(context, proposals, moved: dict, sites: list, towers=None, stations=None):
    """Coverage windows of every current site (unmoved proposals, moved proposals, added sites), and for the
    user's sites the backhaul check (against the run's on-air ``towers``) and the stations they reach (the
    optimiser's rule, ``coverage_planner.pipeline.site_reach``, against the run's ``stations``):
    ``(windows, {id: window}, {id: backhaul}, {id: station ids})``."""
    windows, per_site, backhaul, reach = [], {}, {}, {}
    n = (0 if proposals is None else len(proposals)) + len(sites)
    done = 0
    if proposals is not None:
        for sid, x, y in zip(proposals["site_id"], proposals["x"], proposals["y"], strict=True):
            if sid in moved:
                continue
            windows.append(cp_pipeline.site_coverage(context, float(x), float(y)))
            done += 1
            yield Progress("sites", done / max(n, 1), str(sid))
    for site in sites:
        w = cp_pipeline.site_coverage(context, site.x, site.y, mast_height_m=site.mast_height_m)
        windows.append(w)
        per_site[site.site_id] = w
        if towers is not None:  # a site that did not move keeps its check (a moved one is a new UserSite)
            backhaul[site.site_id] = site.backhaul or cp_pipeline.site_backhaul(context, towers, site.x, site.y)
        if stations is not None:  # likewise its reach, once computed (level set)
            reach[site.site_id] = (list(site.covered) if site.level is not None else
                                   cp_pipeline.site_reach(context, stations, site.x, site.y,
                                                          mast_height_m=site.mast_height_m))
        done += 1
        yield Progress("sites", done / max(n, 1), site.site_id)
    return windows, per_site, backhaul, reach


class ElidingLabel(QLabel):
    """A one-line label that shows as much of its text as fits, with '…' in the middle, and the whole text in
    its tooltip. The status bar's stage text: a Vietnamese progress message of the placement stage (~515 px)
    did not fit beside the progress bar and the coordinates at 1280 px and was cut at its end; the middle
    keeps the stage in front and the counter or file name at the end. :meth:`text` stays the whole text."""

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())  # may get narrower than its text: it elides

    def shown_text(self) -> str:
        """The text as drawn at the label's current width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_tooltip()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        self.setToolTip(self.text() if self.shown_text() != self.text() else "")

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.shown_text())


class MainWindow(QMainWindow):
    projectOpened = pyqtSignal(str)
    resultsShown = pyqtSignal()
    errorShown = pyqtSignal(str, str)  # title, text

    def __init__(self, settings: QSettings | None = None, parent=None, *, confirm_unsaved: bool = False) -> None:
        super().__init__(parent)
        i18n.install_qt_translator(QApplication.instance())  # Qt's own button texts in Vietnamese too
        #: ask before discarding unsaved parameter changes (the app sets it; tests leave it off: no blocking)
        self.confirm_unsaved = confirm_unsaved
        self.setFont(QFont("DejaVu Sans", 9))
        self.settings = settings if settings is not None else default_settings()
        self.session = Session()
        self.runner = TaskRunner(self)
        self.context = None  # coverage_planner.pipeline.Context, reused across runs
        self.last_error: QMessageBox | None = None
        self.last_exports: dict[str, Path] = {}
        self._moved: dict[str, tuple[float, float]] = {}
        self._keep_sites = True  # the running run puts the user's sites back onto its results
        #: best level of the current mobile sites as the map shows it (None: the results' proposal level)
        self.displayed_proposal_level: np.ndarray | None = None
        self._sites_pending = False
        self._terrain_rgba: np.ndarray | None = None  # hillshade image of the current terrain
        self._pending_images: dict | None = None  # raster images computed by the worker for the next results
        self._shown_grid = None  # grid of what the map shows (keep the zoom when re-running the same area)
        self._preview = None
        self._transformer = None
        self._utm_label = ""
        self._state_restored = False  # a saved dock layout was restored (then keep its sizes)
        self._sized_docks = False
        self._stage = i18n.Msg("Ready")  # the status bar's last state, re-translated on a language switch
        self._flashed: tuple[i18n.Msg, str] | None = None  # the last passing message and its text as shown

        self.canvas = MapCanvas(self)
        self.setCentralWidget(self.canvas)
        self._make_docks()
        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_statusbar()
        self._connect()
        self.retranslate()
        self._restore_settings()
        self._update_actions()

    # ======================================================================================================
    # construction
    # ======================================================================================================
    def _dock(self, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(tr(DOCK_TITLES[name]), self)  # titled before tabifying (retranslate() renames)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _make_docks(self) -> None:
        L, R, B = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                   Qt.DockWidgetArea.BottomDockWidgetArea)
        self.layer_panel = LayerPanel(self.canvas)
        self.inputs_dock = InputsDock(self.session)
        self.params_dock = ParametersDock(self.session)
        self.placement_dock = PlacementDock(self.session)
        self.scenario_dock = ScenarioDock(self.session)
        self.results_dock = ResultsDock(self.session)
        self.attributes_dock = AttributesDock()
        self.docks = {
            "layers": self._dock("layers", self.layer_panel, L),
            "inputs": self._dock("inputs", self.inputs_dock, L),
            "parameters": self._dock("parameters", self.params_dock, R),
            "placement": self._dock("placement", self.placement_dock, R),
            "scenario": self._dock("scenario", self.scenario_dock, R),
            "attributes": self._dock("attributes", self.attributes_dock, R),
            "results": self._dock("results", self.results_dock, B),
        }
        state = self.settings.value("windowState")
        if not (isinstance(state, QByteArray) and not state.isEmpty()):
            self._default_dock_layout()  # else _restore_settings() restores the saved one (it falls back to this)

    def _default_dock_layout(self) -> None:
        """The docks' first layout, when no saved one is restored. Not done before restoreState(): the tab bars
        that tabifying creates were left on the window after restoreState() made its own (ghost "Layers | Inputs"
        and "Parameters | …" tabs drawn over the legend and the form, on every start after the first)."""
        self.tabifyDockWidget(self.docks["parameters"], self.docks["placement"])
        self.tabifyDockWidget(self.docks["placement"], self.docks["scenario"])
        self.tabifyDockWidget(self.docks["scenario"], self.docks["attributes"])
        self.tabifyDockWidget(self.docks["layers"], self.docks["inputs"])
        self.docks["layers"].raise_()
        self.docks["parameters"].raise_()
        self.resizeDocks([self.docks["layers"], self.docks["parameters"]], [270, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["results"]], [230], Qt.Orientation.Vertical)

    #: share of the window height the Results dock gets when no saved layout exists (~9 table rows at 950 px)
    RESULTS_HEIGHT_SHARE = 0.32

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized_docks:
            self._sized_docks = True
            if not self._state_restored:  # sizes relative to the real window size, known only now
                h = max(230, int(self.height() * self.RESULTS_HEIGHT_SHARE))
                self.resizeDocks([self.docks["results"]], [h], Qt.Orientation.Vertical)
            self._fit_dock_tabs()

    def dock_tab_bars(self) -> list[QTabBar]:
        """The tab bars of the tabified docks (QMainWindow's own, not those inside the docks)."""
        return [b for b in self.findChildren(QTabBar) if b.parent() is self]

    def _fit_dock_tabs(self) -> None:
        """Tabified docks show their full titles: no eliding, so the tab bar's minimum width (and with it the
        dock area's) is that of the whole titles; a window too narrow for them gets scroll buttons."""
        for bar in self.dock_tab_bars():
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setExpanding(False)
            bar.setUsesScrollButtons(False)
        self._hide_stray_tab_bars()
        self.update()

    def _hide_stray_tab_bars(self) -> None:
        """Hide dock tab bars QMainWindow no longer uses but left visible: after the first layout passes (and
        after restoreState()) a duplicate "Layers | Inputs" bar stayed drawn over the legend, where the group's
        bar had been before the dock area was resized. A bar in use sits beside its docks, never on one; Qt shows
        a hidden bar again if it takes it back into use."""
        docks = [d for d in self.docks.values() if d.isVisible() and not d.isFloating()]
        for bar in self.dock_tab_bars():
            if bar.isVisible() and any(d.geometry().intersects(bar.geometry()) for d in docks):
                bar.hide()

    def _action(self, slot, shortcut=None, checkable=False) -> QAction:
        a = QAction(self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        return a

    def _make_actions(self) -> None:
        self.act_open = self._action(lambda: self.open_project(), QKeySequence.StandardKey.Open)
        self.act_save = self._action(lambda: self.save_project(), QKeySequence.StandardKey.Save)
        self.act_save_as = self._action(lambda: self.save_project_as(), QKeySequence.StandardKey.SaveAs)
        self.act_export_html = self._action(lambda: self.export_html())
        self.act_export_pdf = self._action(lambda: self.export_pdf())
        self.act_export_gis = self._action(lambda: self.export_gis())
        self.act_quit = self._action(self.close, QKeySequence.StandardKey.Quit)
        self.act_run = self._action(lambda: self.run_analysis(), "F5")
        self.act_cancel = self._action(self.cancel_task, "Esc")
        self.act_check = self._action(lambda: self.check_inputs())
        self.act_home = self._action(self.canvas.zoom_home, "Home")
        self.act_zoom_in = self._action(lambda: self.canvas.zoom_by(1.5), QKeySequence.StandardKey.ZoomIn)
        self.act_zoom_out = self._action(lambda: self.canvas.zoom_by(1 / 1.5), QKeySequence.StandardKey.ZoomOut)
        self.act_add_site = self._action(self._toggle_add_site, None, checkable=True)
        self.act_about = self._action(self._about)
        self.lang_group = QActionGroup(self)
        self.act_lang = {}
        for lang in i18n.LANGUAGES:
            a = QAction(self)
            a.setCheckable(True)
            a.triggered.connect(lambda _=False, code=lang: self.set_language(code))
            self.lang_group.addAction(a)
            self.act_lang[lang] = a

    def _make_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_file.addAction(self.act_open)
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_file.addAction(self.act_save)
        self.menu_file.addAction(self.act_save_as)
        self.menu_file.addSeparator()
        self.menu_export = self.menu_file.addMenu("")
        self.menu_export.addAction(self.act_export_html)
        self.menu_export.addAction(self.act_export_pdf)
        self.menu_export.addAction(self.act_export_gis)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_analysis = mb.addMenu("")
        for a in (self.act_check, self.act_run, self.act_cancel, self.act_add_site):
            self.menu_analysis.addAction(a)
        self.menu_view = mb.addMenu("")
        for a in (self.act_home, self.act_zoom_in, self.act_zoom_out):
            self.menu_view.addAction(a)
        self.menu_view.addSeparator()
        self.menu_docks = self.menu_view.addMenu("")
        for dock in self.docks.values():
            self.menu_docks.addAction(dock.toggleViewAction())
        self.menu_lang = self.menu_view.addMenu("")
        for a in self.act_lang.values():
            self.menu_lang.addAction(a)
        self.menu_help = mb.addMenu("")
        self.menu_help.addAction(self.act_about)

    def _make_toolbar(self) -> None:
        tb = QToolBar(self)
        tb.setObjectName("main_toolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.act_open, self.act_save, None, self.act_run, self.act_cancel, None, self.act_home,
                  self.act_add_site, None, self.act_export_html, self.act_export_pdf, self.act_export_gis):
            if a is None:
                tb.addSeparator()
            else:
                tb.addAction(a)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

    def _make_statusbar(self) -> None:
        sb = self.statusBar()
        self.stage_label = ElidingLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(True)
        self.eta_label = QLabel(self)
        self.cancel_button = QPushButton(self)
        self.coord_label = QLabel(self)
        self.coord_label.setMinimumWidth(420)
        sb.addWidget(self.stage_label, 1)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.eta_label)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.coord_label)
        self.cancel_button.clicked.connect(self.cancel_task)
        self._show_progress(False)

    def _connect(self) -> None:
        self.runner.started.connect(self._on_task_started)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_task_finished)
        self.runner.failed.connect(self._on_task_failed)
        self.runner.cancelled.connect(self._on_task_cancelled)
        self.runner.idle.connect(self._on_idle)
        self.canvas.cursorMoved.connect(self._on_cursor)
        self.canvas.featureClicked.connect(self._on_feature_clicked)
        self.canvas.mapClicked.connect(self._on_map_clicked)
        self.canvas.sitePicked.connect(self.add_site_at)
        self.canvas.featureDragged.connect(self._on_feature_dragged)
        self.results_dock.featureSelected.connect(self._on_table_selected)
        self.params_dock.runRequested.connect(lambda: self.run_analysis())
        self.params_dock.validityChanged.connect(self._update_actions)  # Run and Save wait for valid parameters
        self.placement_dock.runRequested.connect(lambda: self.run_analysis())
        self.placement_dock.addSiteToggled.connect(self._set_add_site)
        self.placement_dock.removeSiteRequested.connect(self.remove_site)
        self.scenario_dock.runRequested.connect(self.run_scenario)
        self.inputs_dock.replaceRequested.connect(self.replace_input)
        self.inputs_dock.projectDropped.connect(self.open_project)
        self.inputs_dock.checkRequested.connect(lambda: self.check_inputs())
        self.session.results_changed.connect(self._on_results_changed)
        self.session.dirty_changed.connect(lambda *_: self._update_title())
        self.session.sites_changed.connect(lambda *_: self._update_title())  # moved/added sites count as unsaved
        self.session.project_changed.connect(self._update_title)
        self.session.project_changed.connect(self._update_actions)
        self.session.results_changed.connect(self._update_actions)
        self.session.sites_changed.connect(self._sync_proposals_frame)

    # ======================================================================================================
    # language
    # ======================================================================================================
    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)
        self.settings.setValue("language", lang)
        self.retranslate()

    def retranslate(self) -> None:
        lang = i18n.language()
        for code, a in self.act_lang.items():
            a.setChecked(code == lang)
        self.act_lang["vi"].setText("Tiếng Việt")
        self.act_lang["en"].setText("English")
        texts = {
            self.act_open: tr("Open project…"), self.act_save: tr("Save project"),
            self.act_save_as: tr("Save project as…"), self.act_export_html: tr("HTML map…"),
            self.act_export_pdf: tr("PDF report…"), self.act_export_gis: tr("GIS files…"),
            self.act_quit: tr("Quit"), self.act_run: tr("Run analysis"), self.act_cancel: tr("Cancel"),
            self.act_check: tr("Check inputs"), self.act_home: tr("Full extent"), self.act_zoom_in: tr("Zoom in"),
            self.act_zoom_out: tr("Zoom out"), self.act_add_site: tr("Add site"), self.act_about: tr("About"),
        }
        for a, text in texts.items():
            a.setText(text)
        self.act_add_site.setToolTip(tr("Add a candidate mobile site by clicking the map"))
        self.menu_file.setTitle(tr("&File"))
        self.menu_recent.setTitle(tr("Recent projects"))
        self.menu_export.setTitle(tr("Export"))
        self.menu_analysis.setTitle(tr("&Analysis"))
        self.menu_view.setTitle(tr("&View"))
        self.menu_docks.setTitle(tr("Panels"))
        self.menu_lang.setTitle(tr("Language"))
        self.menu_help.setTitle(tr("&Help"))
        for key, dock in self.docks.items():
            dock.setWindowTitle(tr(DOCK_TITLES[key]))
        self.toolbar.setWindowTitle(tr("Tools"))
        self.cancel_button.setText(tr("Cancel"))
        for w in (self.layer_panel, self.inputs_dock, self.params_dock, self.placement_dock, self.scenario_dock,
                  self.results_dock, self.attributes_dock):
            w.retranslate()
        for lyr in self.canvas.layers():
            self.canvas.set_layer_title(lyr.layer_id, layer_title(lyr.layer_id))
        self._rebuild_recent_menu()
        self._update_title()
        QTimer.singleShot(0, self._fit_dock_tabs)  # after the dock area re-laid out its tabs with the new titles
        if not self.runner.is_running():
            self.stage_label.setText(str(self._stage))  # "Analysis finished" stayed "Phân tích xong"… or became "Ready"
        if self._flashed is not None and self.statusBar().currentMessage() == self._flashed[1]:
            self._flash(self._flashed[0], 4000)  # a passing message ("Written: …") in the new language too
        self.settle_layout()

    def _set_stage(self, msg: i18n.Msg) -> None:
        """The status bar's state after a task (shown again in the new language on a switch)."""
        self._stage = msg
        self.stage_label.setText(str(msg))

    def _flash(self, msg: i18n.Msg, msecs: int) -> None:
        """A passing status bar message (shown again in the new language on a switch while it is shown)."""
        self._flashed = (msg, str(msg))
        self.statusBar().showMessage(str(msg), msecs)

    def settle_layout(self) -> None:
        """Lay the window out now for the texts just set. Qt re-lays out only on the next event-loop turn:
        until then the tool buttons and labels keep the widths of the other language, so a frame drawn (or
        grabbed) in between showed 'Open…ject', 'C…l' and a count cut to '12 of 1' (English after Vietnamese).
        Each pass lets one level of nested layouts pass its new size up; 8 is deeper than the window's."""
        for _ in range(8):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _update_title(self, *_) -> None:
        name = tr("No project")
        if self.session.project is not None:
            name = self.session.project.name
            if self.session.project_path is not None:
                name += f" – {self.session.project_path.name}"
        # "*": something closing the window would lose — parameter changes not saved, or sites the user moved or
        # added (never saved in the project file; the close prompt asks about them, see maybe_discard_changes)
        star = "*" if self.has_unsaved_changes() else ""
        self.setWindowTitle(f"{star}{name} — Coverage Planner")

    def has_unsaved_changes(self) -> bool:
        """Parameter changes not saved yet, or mobile sites moved or added on the map (which only an export keeps)."""
        return bool(self.session.user_sites) or (self.session.dirty and self.session.project is not None)

    def _about(self) -> None:
        from coverage_planner import __version__

        QMessageBox.about(self, tr("About"), tr("Coverage Planner {v}: mobile coverage of polling stations, gaps "
                                                "and temporary base-station placement.", v=__version__))

    # ======================================================================================================
    # settings: geometry, dock layout, recent projects, language
    # ======================================================================================================
    #: the first window's size when the screen has room for it (no saved geometry)
    DEFAULT_SIZE = (1360, 860)
    #: room left for the window frame (title bar, borders), which Qt knows only once the window is shown
    FRAME_ROOM = (16, 40)

    def available_geometry(self) -> QRect | None:
        """The screen area a window may use (without task bars), of the screen the window is on."""
        if QApplication.platformName() == "offscreen":
            return None  # no physical screen (tests, --screenshot): its nominal 800×600 bounds no window
        screen = self.screen() or QApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def _fit_to_screen(self) -> None:
        """Keep the whole window, status bar (with Cancel) included, on the screen: QA's first window of 1360×860
        on a 1366×768 laptop put the status bar below the screen. Shrinks to the available area less the frame
        and moves the window inside it; a window that fits is left as it is."""
        avail = self.available_geometry()
        if avail is None or avail.isEmpty() or self.isMaximized() or self.isFullScreen():
            return  # a maximised window is the screen's size already
        w = min(self.width(), max(avail.width() - self.FRAME_ROOM[0], 1))
        h = min(self.height(), max(avail.height() - self.FRAME_ROOM[1], 1))
        if (w, h) != (self.width(), self.height()):
            self.resize(w, h)
        x = min(max(self.x(), avail.left()), avail.right() + 1 - self.width() - self.FRAME_ROOM[0])
        y = min(max(self.y(), avail.top()), avail.bottom() + 1 - self.height() - self.FRAME_ROOM[1])
        x, y = max(x, avail.left()), max(y, avail.top())
        if (x, y) != (self.x(), self.y()):
            self.move(x, y)

    def _restore_settings(self) -> None:
        geom = self.settings.value("geometry")
        if isinstance(geom, QByteArray) and not geom.isEmpty() and self._saved_size_fits():
            self.restoreGeometry(geom)
        else:  # first start, or saved on a larger screen (Qt would shrink it to 2/3 of this one): the default
            self.resize(*self.DEFAULT_SIZE)
        self._fit_to_screen()
        state = self.settings.value("windowState")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self._state_restored = bool(self.restoreState(state))
            if not self._state_restored:  # unreadable (another version): the first layout after all
                self._default_dock_layout()

    def _saved_size_fits(self) -> bool:
        """The saved window size (``windowSize``; none saved: True) fits this screen's available area."""
        size, avail = self.settings.value("windowSize"), self.available_geometry()
        if not isinstance(size, QSize) or avail is None or avail.isEmpty():
            return True
        return (size.width() + self.FRAME_ROOM[0] <= avail.width()
                and size.height() + self.FRAME_ROOM[1] <= avail.height())

    def save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowSize", self.size())
        self.settings.setValue("windowState", self.saveState())
        self.settings.sync()

    def recent_projects(self) -> list[str]:
        value = self.settings.value("recentProjects", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [x for x in self.recent_projects() if x != p]
        items.insert(0, p)
        self.settings.setValue("recentProjects", items[:MAX_RECENT])
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.menu_recent.clear()
        items = self.recent_projects()
        for p in items:
            a = self.menu_recent.addAction(p)
            a.triggered.connect(lambda _=False, path=p: self.open_project(path))
        self.menu_recent.setEnabled(bool(items))

    def maybe_discard_changes(self) -> bool:
        """True if the project may be replaced or the window closed (saved, discarded, or nothing to save)."""
        if self.session.project is not None:
            self.params_dock.commit()  # a valid value still in its field is a change too
        # the sites the user moved or added are not in the project file (saving does not keep them): ask apart
        if (self.confirm_unsaved and self.session.user_sites
                and self.ask_site_edits("close") != self.DISCARD_SITES):
            return False
        if not (self.confirm_unsaved and self.session.dirty and self.session.project is not None):
            return True
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, tr("Unsaved changes"),
                                      tr("The project has unsaved changes. Save them?"), buttons,
                                      QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_project()
        return answer == QMessageBox.StandardButton.Discard

    #: answers of :meth:`ask_site_edits` (and :attr:`CANCEL`)
    KEEP_SITES, DISCARD_SITES = "keep", "discard"

    def ask_site_edits(self, action: str) -> str:
        """The user moved or added sites and ``action`` would drop them: ``"rerun"`` (a new run replaces the
        proposal) or ``"close"`` (closing the window or opening a project). Returns :attr:`KEEP_SITES` (re-run
        only: keep them as added sites), :attr:`DISCARD_SITES` or :attr:`CANCEL` (keep editing, nothing done)."""
        sites = list(self.session.user_sites.values())
        ids = ", ".join(s.site_id for s in sites)
        moved = [s.site_id for s in sites if s.origin == "proposal"]
        if action == "rerun":
            text = tr("You moved or added mobile sites: {ids}.", ids=ids)
            if moved:
                text += " " + tr("The re-run makes a new proposal with new site numbers, so a proposed site you "
                                 "moved ({ids}) cannot stay “moved”: if you keep it, it becomes a site you added, "
                                 "at the place you moved it to.", ids=", ".join(moved))
            text += "\n\n" + tr("Kept sites are computed again with the new results.")
            box = QMessageBox(QMessageBox.Icon.Question, tr("Keep your sites for the re-run?"), text, parent=self)
            keep = box.addButton(tr("Keep them as added sites"), QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(keep)
        else:
            text = (tr("You moved or added mobile sites: {ids}.", ids=ids) + " "
                    + tr("They are not saved in the project file: closing the window or opening a project "
                         "discards them. To keep them, export the map, the report or the GIS files first."))
            box = QMessageBox(QMessageBox.Icon.Warning, tr("Discard your sites?"), text, parent=self)
            keep = None
        box.setTextFormat(Qt.TextFormat.PlainText)
        discard = box.addButton(tr("Discard them"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(cancel)
        if keep is None:
            box.setDefaultButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        return (self.KEEP_SITES if keep is not None and clicked is keep
                else self.DISCARD_SITES if clicked is discard else self.CANCEL)

    def closeEvent(self, event) -> None:
        if not self.maybe_discard_changes():
            event.ignore()
            return
        if self.runner.is_running():
            self.runner.cancel()
            self.runner.wait(60000)
        self.save_settings()
        super().closeEvent(event)

    # ======================================================================================================
    # errors
    # ======================================================================================================
    def show_error(self, title: str, text) -> QMessageBox:
        """A non-blocking, window-modal error dialog with the readable message (details folded away). ``text``:
        a str, or a core error (an exception or :class:`gui.i18n.ErrorMessage`) shown in the current language."""
        if isinstance(text, (Exception, i18n.ErrorMessage)):
            text = i18n.message_text(text)
        main, _, details = text.partition("\n\nDetails:\n")
        box = QMessageBox(QMessageBox.Icon.Critical, title, main, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.last_error = box
        box.open()
        self.errorShown.emit(title, main)
        return box

    # ======================================================================================================
    # project
    # ======================================================================================================
    def open_project(self, path: str | os.PathLike | None = None, *, check: bool = True) -> bool:
        if path is None:
            start = str(self.session.project_path.parent) if self.session.project_path else str(Path.home())
            path, _ = QFileDialog.getOpenFileName(self, tr("Open project"), start,
                                                  tr("Project files") + " (*.toml)")
            if not path:
                return False
        if self.runner.is_running():
            self.show_error(tr("Busy"), tr("Wait for the current task to finish or cancel it first."))
            return False
        if not self.maybe_discard_changes():
            return False
        try:
            project = cp_project.load_project(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_error(tr("Cannot open the project"), exc)
            return False
        self.context = None
        self._moved = {}
        self._terrain_rgba = None
        self._shown_grid = None
        self._preview = None
        self.canvas.clear_layers()
        self.canvas.reset_home()
        self.attributes_dock.show_attributes("", [])
        self.session.set_project(project, path)
        self._add_recent(Path(path))
        self.projectOpened.emit(str(path))
        if check:
            self.check_inputs()
        return True

    def save_project(self, path: str | os.PathLike | None = None) -> bool:
        project = self.session.project
        if project is None:
            return False
        self.params_dock.commit()  # a valid value still being typed counts; an invalid one is never saved
        if self.params_dock.has_errors():
            self.show_error(tr("Invalid parameters"), tr("Correct the parameters marked in red first."))
            return False
        if path is None and self.session.project_path is None:
            return self.save_project_as()
        try:
            written = cp_project.save_project(project, path if path is not None else self.session.project_path)
        except Exception as exc:  # noqa: BLE001
            self.show_error(tr("Cannot save the project"), str(exc))
            return False
        self.session.mark_saved(written)
        self._add_recent(written)
        self._flash(i18n.Msg("Saved {path}", path=str(written)), 5000)
        return True

    def save_project_as(self, path: str | os.PathLike | None = None) -> bool:
        if self.session.project is None:
            return False
        if path is None:
            start = str(self.session.project_path) if self.session.project_path else "project.toml"
            path, _ = QFileDialog.getSaveFileName(self, tr("Save project as"), start,
                                                  tr("Project files") + " (*.toml)")
            if not path:
                return False
        return self.save_project(path)

    def replace_input(self, key: str, paths: list) -> bool:
        project = self.session.project
        if project is None or not paths:
            return False
        try:
            if key == "terrain":
                project.set_input(key, [str(Path(p).resolve()) for p in paths])
            else:
                project.set_input(key, str(Path(paths[0]).resolve()))
        except Exception as exc:  # noqa: BLE001
            self.show_error(tr("Cannot use this file"), str(exc))
            return False
        self.context = None  # inputs changed: the pipeline context must be rebuilt
        self.session.mark_dirty()
        self.session.project_changed.emit()
        self.inputs_dock.refresh()
        self.check_inputs()
        return True

    # ======================================================================================================
    # tasks
    # ======================================================================================================
    def _start(self, name: str, make_gen, stages: tuple[str, ...] = ()) -> bool:
        if self.runner.is_running():
            self._flash(i18n.Msg("Busy: wait for the current task or cancel it."), 4000)
            return False
        return self.runner.start(name, make_gen, stages)

    def check_inputs(self) -> bool:
        project = self.session.project
        if project is None:
            return False
        return self._start("check", lambda: _check_generator(project))

    def run_analysis(self, scenario: Scenario | None = None) -> bool:
        project = self.session.project
        if project is None:
            self.show_error(tr("No project"), tr("Open a project file first (File ▸ Open project…)."))
            return False
        self.params_dock.commit()  # F5 / the tool bar do not take the focus: apply a finished-looking edit
        if self.params_dock.has_errors():
            self.show_error(tr("Invalid parameters"), tr("Correct the parameters marked in red first."))
            return False
        if self.runner.is_running():
            self._flash(i18n.Msg("Busy: wait for the current task or cancel it."), 4000)
            return False
        keep = self._keep_sites_on_rerun()
        if keep is None:
            return False
        if scenario is None:
            scenario = self.current_scenario()
        ctx = self.context
        inputs = self.session.inputs if ctx is None else None
        terrain = self._terrain_rgba
        self._keep_sites = keep
        return self._start("run", lambda: _run_generator(project, scenario, ctx, inputs, terrain), RUN_STAGES)

    def _keep_sites_on_rerun(self) -> bool | None:
        """Whether the user's sites go onto the new results of a run (None: the user cancelled the run). QA: a
        re-run dropped moved and added sites without a word. Asked when the app confirms (:attr:`confirm_unsaved`);
        otherwise they are kept, so nothing is lost silently."""
        if not self.session.user_sites:
            return True
        answer = self.ask_site_edits("rerun") if self.confirm_unsaved else self.KEEP_SITES
        return None if answer == self.CANCEL else answer == self.KEEP_SITES

    def _sites_as_added(self) -> list[UserSite]:
        """The user's sites as added sites, for new results: sites are positions, so they can stay; a moved
        proposed site becomes an added one with a new id (the new proposal has its own numbering). Their coverage,
        reach and backhaul are computed again."""
        sites = list(self.session.user_sites.values())
        kept = [UserSite(s.site_id, s.x, s.y, s.mast_height_m, origin="added") for s in sites if s.origin == "added"]
        used = {s.site_id for s in kept}
        for s in sites:
            if s.origin == "proposal":
                sid = self.session.next_site_id(used)
                used.add(sid)
                kept.append(UserSite(sid, s.x, s.y, s.mast_height_m, origin="added"))
        return kept

    def _restore_sites(self, kept: list[UserSite]) -> None:
        """After a run: the kept sites (:meth:`_sites_as_added`) on the new results, their coverage computed once
        the worker is free. A site off the new terrain (another DEM) cannot be computed: it is left out and the
        status bar says so."""
        res = self.session.results
        if not kept or res is None:
            return
        dropped = []
        for site in kept:
            if self._is_on_terrain(site.x, site.y):
                self.session.put_site(site)
            else:
                dropped.append(site.site_id)
        self._redraw_user_sites()
        self._sites_pending = bool(self.session.user_sites)  # computed once the run's thread has ended
        if dropped:
            self._flash(i18n.Msg("Outside the new terrain, left out: {ids}", ids=", ".join(dropped)), 8000)

    def run_scenario(self) -> bool:
        return self.run_analysis(self.current_scenario())

    def current_scenario(self) -> Scenario:
        """The scenario the next run computes: the towers ticked down in the Scenario tab (a project opens with its
        ``[scenario] down`` ticked). The project's ``[scenario] name`` is used only while the ticked towers are
        that list (as written, or with site ids expanded to their sectors, as a run returns them); any other
        set is the GUI's "what-if" (none down: "baseline")."""
        down = tuple(sorted(self.session.down_towers))
        own = cp_pipeline.project_scenario(self.session.project)
        if set(down) in self._project_down_sets(own.down):
            name = own.name if own.name != "scenario" else ("what-if" if down else "baseline")
        else:
            name = "what-if" if down else "baseline"
        return Scenario(name=name, down=down)

    def _project_down_sets(self, down) -> list[set[str]]:
        """The project's scenario towers as written and, when the towers are loaded, resolved (site ids expanded)."""
        sets = [set(down)]
        # the towers as loaded (the results' towers carry the last scenario's "down" status, and towers not on
        # air are left out of a scenario: resolved against those, the project's list would vanish)
        towers = getattr(getattr(self.context, "inputs", None), "towers", None)
        if towers is None:
            towers = getattr(self.session.inputs, "towers", None)
        if towers is None:
            towers = getattr(self.session.results, "towers", None)
        if down and towers is not None:
            try:
                sets.append(set(cp_inputs.resolve_down(down, towers).ids))
            except ParameterError:  # an unknown id: the run reports it
                pass
        return [s for s in sets if s]

    def cancel_task(self) -> None:
        if self.runner.is_running():
            self.runner.cancel()
            self._set_stage(i18n.Msg("Cancelling…"))
        self._set_add_site(False)

    def _show_progress(self, visible: bool) -> None:
        for w in (self.progress, self.eta_label, self.cancel_button):
            w.setVisible(visible)

    def _on_task_started(self, name: str) -> None:
        self.progress.setValue(0)
        self.eta_label.setText("")
        self.statusBar().clearMessage()  # a previous task's "Written: …" would hide this task's progress
        self.stage_label.setText(task_label(name) + "…")
        self._show_progress(True)
        self._update_actions()

    def _on_progress(self, stage: str, fraction: float, message: str, eta: float) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        self.progress.setFormat(f"{fraction * 100:.0f} %")
        self.stage_label.setText(progress_text(stage, message))
        text = format_eta(eta)  # "" while unknown (new stage, not yet steady): shown as nothing, never a guess
        if text and eta < ALMOST_DONE_S:  # "0:00 left" stayed for seconds while the last steps ran
            text = tr("almost done")
        elif text:
            text = tr("{t} left", t=text)
        self.eta_label.setText(text)

    def _on_task_finished(self, name: str, result) -> None:
        if name == "check":
            self.context = None
            inputs, images = result
            self._terrain_rgba = images["terrain"]
            msgs = [("warning", w) for w in (getattr(inputs, "warnings", None) or [])]
            msgs.insert(0, ("info", i18n.Msg("Inputs are valid: {t} towers, {s} polling stations, {c} communes.",
                                             t=len(inputs.towers), s=len(inputs.stations), c=len(inputs.communes))))
            own = cp_pipeline.project_scenario(self.session.project).down
            if self.session.results is None and own and self.session.down_towers == set(own):
                try:  # the project's site ids ticked as their sectors (as the run will take them down)
                    self.session.down_towers = set(cp_inputs.resolve_down(own, inputs.towers).ids)
                except ParameterError:  # an unknown id: the run reports it
                    pass
            self.session.set_inputs(inputs, msgs)
            if self.session.results is None:
                self._draw_preview(inputs, images)
            self._set_stage(i18n.Msg("Inputs checked"))
        elif name == "run":
            ctx, results, images = result
            self.context = ctx
            self._moved = {}
            self._terrain_rgba = images["terrain"]
            self._pending_images = images
            # the sites as they are now (the user may have moved one while the run worked), kept if they said so
            kept = self._sites_as_added() if self._keep_sites else []
            self.session.set_results(results)
            self._restore_sites(kept)
            self._set_stage(i18n.Msg("Analysis finished"))
        elif name == "sites":
            self._apply_sites(*result)
            self._set_stage(i18n.Msg("Site coverage updated"))
        elif name.startswith("export"):
            kind, path = result
            self.last_exports[kind] = Path(path)
            self._set_stage(i18n.Msg("Written: {path}", path=str(path)))
            self._flash(i18n.Msg("Written: {path}", path=str(path)), 8000)

    def _on_task_failed(self, name: str, message: str) -> None:
        titles = {"check": tr("The inputs have a problem"), "run": tr("The analysis failed"),
                  "sites": tr("Site coverage failed")}
        # a core error is kept whole (the Inputs dock translates it on each language switch)
        readable = message if isinstance(message, i18n.ErrorMessage) else message.partition("\n\nDetails:\n")[0]
        if name == "check":  # the inputs are not usable: a run must load them again
            self.context = None
            self.session.set_inputs(None, [("error", readable)])
        elif name == "run":
            self.session.set_inputs(self.session.inputs, self.session.input_messages + [("error", readable)])
        self._set_stage(i18n.Msg("Failed"))
        self.show_error(titles.get(name, tr("Export failed")), message)

    def _on_task_cancelled(self, name: str) -> None:
        self._set_stage(i18n.Msg("Cancelled"))
        self._flash(i18n.Msg("Cancelled"), 4000)

    def _on_idle(self) -> None:
        self._show_progress(False)
        self._update_actions()
        if self._sites_pending:
            self._sites_pending = False
            self._compute_sites()

    def _update_actions(self, *_) -> None:
        busy = self.runner.is_running()
        has_project = self.session.project is not None
        has_results = self.session.results is not None
        invalid = self.params_dock.has_errors()  # a parameter marked red: no run, no save until it is fixed
        self.act_run.setEnabled(has_project and not busy and not invalid)
        self.act_check.setEnabled(has_project and not busy)
        self.act_cancel.setEnabled(busy)
        self.act_save.setEnabled(has_project and not invalid)
        self.act_save_as.setEnabled(has_project and not invalid)
        for a in (self.act_export_html, self.act_export_pdf, self.act_export_gis):
            a.setEnabled(has_results and not busy)
        self.act_add_site.setEnabled(has_results)
        self.params_dock.set_busy(busy)  # the docks' Run buttons follow the Run action
        for dock in (self.placement_dock, self.scenario_dock):
            dock.set_busy(busy, invalid)

    # ======================================================================================================
    # results on the map
    # ======================================================================================================
    def _set_crs(self, grid) -> None:
        from pyproj import CRS, Transformer

        try:
            crs = CRS.from_user_input(grid.crs)
            self._transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            zone = crs.utm_zone
            self._utm_label = f"UTM {zone}" if zone else crs.name
        except Exception:  # noqa: BLE001 - the status bar then shows map coordinates only
            self._transformer = None
            self._utm_label = str(grid.crs)

    def _draw_preview(self, inputs, images) -> None:
        preview = _preview_results(self.session.project, inputs)
        self._set_crs(preview.grid)
        build_layers(self.canvas, preview, images=images)
        self._shown_grid = preview.grid
        self._preview = preview

    def show_results(self, results: Results) -> None:
        """Show results that did not come from a run in this window (tests, a loaded run)."""
        self.session.set_results(results)

    def _on_results_changed(self) -> None:
        res = self.session.results
        self._moved = {}
        self.displayed_proposal_level = None
        if res is None:
            return
        self._set_crs(res.grid)
        images, self._pending_images = self._pending_images, None
        if images is None and self._terrain_rgba is not None and self._terrain_rgba.shape[:2] == res.dem.shape:
            images = {"terrain": self._terrain_rgba}
        shown = self._shown_grid
        same_area = shown is not None and tuple(shown.bounds) == tuple(res.grid.bounds)
        build_layers(self.canvas, res, images=images, keep_view=same_area)
        self._shown_grid = res.grid
        set_user_sites(self.canvas, None)
        QTimer.singleShot(40, self._results_shown)  # after the Results dock's deferred refresh (20 ms)

    def _results_shown(self) -> None:
        if self.session.results is not None:
            self.resultsShown.emit()

    def _on_cursor(self, x: float, y: float) -> None:
        if self._transformer is None:
            self.coord_label.setText(f"E {x:,.0f}  N {y:,.0f}")
            return
        lon, lat = self._transformer.transform(x, y)
        self.coord_label.setText(f"{lat:.5f}° N, {lon:.5f}° E   |   {self._utm_label}  E {x:,.0f}  N {y:,.0f}"
                                 .replace(",", " "))

    def _on_feature_clicked(self, layer_id: str, row: int) -> None:
        lyr = self.canvas.layer(layer_id)
        if lyr is None or lyr.frame is None:
            return
        rec = lyr.frame.iloc[row]
        n_servers = rec.get("n_servers")
        items = [(k, i18n.NO_VALUE if i18n.hide_server(k, n_servers) else _plain(v))
                 for k, v in rec.items() if k != "geometry"]
        name = rec.get("name", rec.get("site_id", rec.get("id", "")))
        self.attributes_dock.show_attributes(lambda: f"<b>{layer_title(layer_id)}</b>: {name}", items)
        self.docks["attributes"].raise_()
        self.canvas.highlight(layer_id, row)
        self.results_dock.select_feature(layer_id, row)

    def _on_map_clicked(self, x: float, y: float) -> None:
        res = self.session.results or self._preview
        items: list[tuple[str, object]] = [("x", x), ("y", y)]
        if self._transformer is not None:
            lon, lat = self._transformer.transform(x, y)
            items += [("lon", lon), ("lat", lat)]
        if res is not None:
            r, c = res.grid.rowcol(x, y)
            r, c = int(math.floor(float(r) + 0.5)), int(math.floor(float(c) + 0.5))
            if 0 <= r < res.grid.shape[0] and 0 <= c < res.grid.shape[1]:
                items.append(("elevation_m", float(res.dem[r, c])))
                if res.best_level is not None:
                    items.append(("level_dbm", float(res.best_level[r, c])))
                n_cell = int(res.n_servers[r, c]) if res.n_servers is not None else None
                if res.best_server is not None and res.best_server[r, c] >= 0:
                    items.append(("best_server", i18n.NO_VALUE if i18n.hide_server("best_server", n_cell)
                                  else str(res.towers["id"].iloc[int(res.best_server[r, c])])))
                if n_cell is not None:
                    items.append(("n_servers", n_cell))
        self.canvas.clear_highlight()
        self.attributes_dock.show_attributes(lambda: tr("Map point"), items)

    def _on_table_selected(self, layer_id: str, row: int) -> None:
        if layer_id == "proposals" and self._zoom_to_site_reach(row):
            return
        self.canvas.zoom_to_feature(layer_id, row)

    def _zoom_to_site_reach(self, row: int) -> bool:
        """Zoom to a proposed site together with the polling stations it reaches, highlighted. QA: the 2 km window
        around the star showed one station of the eleven MS-01 serves, several km away. The stations are those of
        the map's proposals layer (it follows a moved site): ``stations_in_reach``, else ``stations_covered``.
        False if the site lists none (then the plain zoom to the feature)."""
        res = self.session.results
        lyr = self.canvas.layer("proposals")
        if res is None or lyr is None or lyr.frame is None or not (0 <= row < len(lyr.frame)):
            return False
        rec = lyr.frame.iloc[row]
        ids: list[str] = []
        for col in ("stations_in_reach", "stations_covered"):
            value = rec.get(col)
            if isinstance(value, str) and value.strip():
                ids = [s for s in value.split(";") if s]
                break
        stations = res.stations[res.stations["id"].astype(str).isin(ids)] if ids else None
        if stations is None or not len(stations):
            return False
        xs = [float(rec.geometry.x), *stations.geometry.x.astype(float)]
        ys = [float(rec.geometry.y), *stations.geometry.y.astype(float)]
        self.canvas.zoom_to_bounds(min(xs), min(ys), max(xs), max(ys))  # grown by 20 %: a margin round them
        self.canvas.highlight("proposals", row)
        return True

    # ======================================================================================================
    # placement interaction: drag a proposed site, add a site by clicking
    # ======================================================================================================
    def _toggle_add_site(self, checked: bool) -> None:
        self._set_add_site(checked)

    def _set_add_site(self, on: bool) -> None:
        on = bool(on) and self.session.results is not None
        self.canvas.set_tool("add_site" if on else "pan")
        for w in (self.act_add_site, self.placement_dock.add_button):
            w.blockSignals(True)
            w.setChecked(on)
            w.blockSignals(False)
        if on:
            self._flash(i18n.Msg("Click the map where a mobile station could stand."), 6000)

    def _is_on_terrain(self, x: float, y: float) -> bool:
        """Whether (x, y) is on valid terrain of the results' grid (a site elsewhere cannot be computed)."""
        res = self.session.results
        r, c = (int(np.floor(float(v) + 0.5)) for v in res.grid.rowcol(x, y))
        rows, cols = res.grid.shape
        return 0 <= r < rows and 0 <= c < cols and bool(np.isfinite(res.dem[r, c]))

    def _on_terrain(self, x: float, y: float) -> bool:
        """Whether (x, y) is on valid terrain of the results' grid; else says so (a site there cannot be computed:
        QA found one outside the DEM blocked every later site and export)."""
        if self._is_on_terrain(x, y):
            return True
        self.show_error(tr("Outside the terrain"),
                        tr("A mobile station must stand on the terrain of the analysis: place it inside the DEM."))
        return False

    def add_site_at(self, x: float, y: float) -> UserSite | None:
        if self.session.project is None or self.session.results is None:
            return None
        if not self._on_terrain(x, y):
            self._set_add_site(False)
            return None
        site = UserSite(self.session.next_site_id(), float(x), float(y),
                        float(self.session.project.placement.mast_height_m), origin="added")
        self.session.put_site(site)
        self._redraw_user_sites()
        self._set_add_site(False)
        self._compute_sites()
        return site

    def remove_site(self, site_id: str) -> None:
        site = self.session.user_sites.get(site_id)
        if site is None:
            return
        if site.origin == "proposal":
            self._moved.pop(site_id, None)
            props = self.session.results.proposals
            row = int(np.flatnonzero(props["site_id"].to_numpy() == site_id)[0])
            self.canvas.move_feature("proposals", row, float(props["x"].iloc[row]), float(props["y"].iloc[row]))
        self.session.remove_site(site_id)
        self._redraw_user_sites()
        self._compute_sites()

    def _on_feature_dragged(self, layer_id: str, row: int, x: float, y: float) -> None:
        res = self.session.results
        if res is None or self.session.project is None:
            return
        mast = float(self.session.project.placement.mast_height_m)
        if not self._on_terrain(x, y):  # put the marker back where it was
            if layer_id == "proposals":
                sid = str(res.proposals["site_id"].iloc[row])
                site = self.session.user_sites.get(sid)
                px, py = (site.x, site.y) if site is not None else (float(res.proposals["x"].iloc[row]),
                                                                  float(res.proposals["y"].iloc[row]))
                self.canvas.move_feature("proposals", row, px, py)
            else:
                self._redraw_user_sites()
            return
        if layer_id == "proposals":
            sid = str(res.proposals["site_id"].iloc[row])
            self._moved[sid] = (x, y)
            self.session.put_site(UserSite(sid, x, y, mast, origin="proposal"))
            self._redraw_user_sites()  # the moved star turns hollow at once (a user's site)
        elif layer_id == "user_sites":
            lyr = self.canvas.layer("user_sites")
            sid = str(lyr.frame["site_id"].iloc[row])
            old = self.session.user_sites[sid]
            self.session.put_site(UserSite(sid, x, y, old.mast_height_m, origin=old.origin))
            self._redraw_user_sites()
        else:
            return
        self._compute_sites()

    def _sync_proposals_frame(self, *_) -> None:
        """The proposals layer's attributes follow the moved sites (position, reach), like the table."""
        res = self.session.results
        lyr = self.canvas.layer("proposals")
        if res is None or lyr is None or res.proposals is None:
            return
        lyr.frame = current_proposals(res, self.session.user_sites)

    def user_sites_frame(self):
        import geopandas as gpd
        from shapely.geometry import Point

        sites = [s for s in self.session.user_sites.values() if s.origin == "added"]
        crs = self.session.results.grid.crs if self.session.results is not None else None
        # the backhaul check of each site (or "not checked" while computing), as the proposals show theirs
        backhaul = [backhaul_of(s) for s in sites]
        return gpd.GeoDataFrame(
            {"site_id": [s.site_id for s in sites], "x": [s.x for s in sites], "y": [s.y for s in sites],
             "mast_height_m": [s.mast_height_m for s in sites], "origin": [s.origin for s in sites],
             "n_stations": [len(s.covered) for s in sites],
             "stations_covered": [";".join(s.covered) for s in sites],
             **{col: [b[col] for b in backhaul] for col in BACKHAUL_COLUMNS}},
            geometry=[Point(s.x, s.y) for s in sites], crs=crs)

    def _redraw_user_sites(self) -> None:
        frame = self.user_sites_frame()
        moved = [s.site_id for s in self.session.user_sites.values() if s.origin == "proposal"]
        set_user_sites(self.canvas, frame if len(frame) else None, moved)

    def _compute_sites(self) -> bool:
        res = self.session.results
        if res is None:
            return False
        if self.context is None:
            self.show_error(tr("Run the analysis first"),
                            tr("Moving or adding sites needs the terrain and radio settings of a run in this "
                               "window: run the analysis, then move the sites again."))
            return False
        if self.runner.is_running():
            self._sites_pending = True
            return False
        sites = list(self.session.user_sites.values())
        ctx, props, moved, towers, stations = (self.context, res.proposals, dict(self._moved), res.towers,
                                               res.stations)
        return self._start("sites", lambda: _sites_generator(ctx, props, moved, sites, towers, stations))

    def _apply_sites(self, windows, per_site, backhaul=None, reach=None) -> None:
        """Show the worker's results (``_sites_generator``): nothing is computed here, on the GUI thread."""
        res = self.session.results
        for sid, w in per_site.items():
            site = self.session.user_sites.get(sid)
            if site is None:
                continue
            site.level = w
            site.covered = list((reach or {}).get(sid, []))
            site.backhaul = (backhaul or {}).get(sid)
            self.session.put_site(site)
        level = proposal_level_with_sites(res, windows)
        if level is None:
            level = np.full(res.grid.shape, np.nan, np.float32)
        self.canvas.update_raster("proposal_coverage", added_rgba(res, level))
        self.displayed_proposal_level = level
        self._redraw_user_sites()

    # ======================================================================================================
    # exports
    # ======================================================================================================
    #: GUI export kind → the core's (:func:`coverage_planner.gisexport.export_targets`)
    _EXPORT_KINDS = {"html": "map", "pdf": "report", "gis": "gis"}
    #: answers of :meth:`ask_foreign_files`
    OVERWRITE, CHOOSE_ANOTHER, CANCEL = "overwrite", "choose", "cancel"

    def _export(self, kind: str, path, writer) -> bool:
        res = self.session.results
        if res is None:
            self.show_error(tr("Nothing to export"), tr("Run the analysis first."))
            return False
        if self.session.user_sites:  # what the map shows: the sites as the user moved and added them
            try:
                res = current_plan(res, self.session.user_sites, self.displayed_proposal_level)
            except ParameterError:
                self.show_error(tr("Sites still being computed"),
                                tr("The coverage of a site you moved or added is still being computed; export "
                                   "again in a moment."))
                return False
        # the command line's rule: replace only files coverage-planner wrote there (the folder's manifest); the
        # user's own files of an output's name are replaced only if they say so
        force = False
        while True:
            folder, names, patterns = gisexport.export_targets(self._EXPORT_KINDS[kind], path)
            foreign, _ = cp_io.foreign_outputs(folder, names, patterns)
            if not foreign:
                break
            answer = self.ask_foreign_files(folder, foreign)
            if answer == self.OVERWRITE:
                force = True
                break
            path = self._choose_destination(kind, folder) if answer == self.CHOOSE_ANOTHER else None
            if not path:
                return False

        def write():
            """The export's steps (each a cancel point), shown under the task's name."""
            with cp_io.claimed_outputs(folder, names, patterns, force=force):  # lists what it wrote, as a run does
                steps = writer(res, path)
                while True:
                    try:
                        item = next(steps)
                    except StopIteration as stop:
                        return kind, stop.value
                    yield Progress(f"export_{kind}", item.fraction, item.message)

        return self._start(f"export_{kind}", write)

    def ask_foreign_files(self, folder, names: list[str]) -> str:
        """The export would replace ``names`` in ``folder``, files coverage-planner did not write (or that changed
        since): ask whether to overwrite them, choose another folder (the default) or cancel. Returns
        :attr:`OVERWRITE`, :attr:`CHOOSE_ANOTHER` or :attr:`CANCEL`."""
        shown = "\n".join(f"  • {n}" for n in names[:12])
        if len(names) > 12:
            shown += "\n  " + tr("… and {n} more", n=len(names) - 12)
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Replace files coverage-planner did not write?"),
                          tr("The folder {folder} already holds files with the names of this export that "
                             "coverage-planner did not write (or that changed since it wrote them):",
                             folder=str(folder)) + "\n\n" + shown + "\n\n"
                          + tr("Overwriting replaces them with the export; they cannot be recovered."), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # file names are shown as they are, never as markup
        overwrite = box.addButton(tr("Overwrite"), QMessageBox.ButtonRole.DestructiveRole)
        choose = box.addButton(tr("Choose another folder…"), QMessageBox.ButtonRole.AcceptRole)
        box.setEscapeButton(box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole))  # in the app's language
        box.setDefaultButton(choose)
        box.exec()
        clicked = box.clickedButton()
        return self.OVERWRITE if clicked is overwrite else self.CHOOSE_ANOTHER if clicked is choose else self.CANCEL

    def _default_out(self) -> Path:
        p = self.session.project
        return p.output_dir if p is not None else Path.home()

    def _choose_destination(self, kind: str, start: str | os.PathLike | None = None) -> str:
        """The file (map, report) or folder (GIS files) the user picks for an export, starting in ``start`` (the
        project's output folder); "" if they cancel. The file dialog does not ask before replacing a file:
        :meth:`_export` asks, and only about files coverage-planner did not write."""
        folder = Path(start) if start is not None else self._default_out()
        if kind == "gis":
            return QFileDialog.getExistingDirectory(self, tr("Export GIS files to folder"), str(folder))
        title, name, filt = {"html": (tr("Export HTML map"), "map.html", "HTML (*.html)"),
                             "pdf": (tr("Export PDF report"), "report.pdf", "PDF (*.pdf)")}[kind]
        path, _ = QFileDialog.getSaveFileName(self, title, str(folder / name), filt,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        return path

    def export_html(self, path: str | os.PathLike | None = None) -> bool:
        path = path or self._choose_destination("html")
        if not path:
            return False
        lang = i18n.language()

        def write(res, dest):
            return webmap.iter_write_map(res, dest, lang=lang)

        return self._export("html", path, write)

    def export_pdf(self, path: str | os.PathLike | None = None) -> bool:
        path = path or self._choose_destination("pdf")
        if not path:
            return False
        lang = i18n.language()

        def write(res, dest):
            out = yield from report.iter_build_report(res, dest, lang=lang)
            return out if out is not None else dest

        return self._export("pdf", path, write)

    def export_gis(self, out_dir: str | os.PathLike | None = None) -> bool:
        out_dir = out_dir or self._choose_destination("gis")
        if not out_dir:
            return False

        def write(res, dest):
            yield Progress("export_gis", 0.0, "")
            gisexport.export_all(res, dest)
            return dest

        return self._export("gis", out_dir, write)

    # ======================================================================================================
    def wait_idle(self, msecs: int = 60000) -> bool:
        """Tests: block until the current task's thread ended (events are not processed)."""
        return self.runner.wait(msecs)


def _plain(v):
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if v is pd.NA:
        return None
    return v
