"""The application state, napari style: plain Python objects with callback signals and no Qt.

Views (the map canvas, the docks) subscribe to the session's signals and redraw themselves; they change the
state only through the session's methods. This keeps the state testable without a display and lets the
worker thread hand its result to the session on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


class Signal:
    """A minimal synchronous signal: ``connect(fn)``, ``disconnect(fn)``, ``emit(*args)``."""

    def __init__(self) -> None:
        self._slots: list[Callable] = []

    def connect(self, fn: Callable) -> Callable:
        if fn not in self._slots:
            self._slots.append(fn)
        return fn

    def disconnect(self, fn: Callable) -> None:
        if fn in self._slots:
            self._slots.remove(fn)

    def emit(self, *args: Any) -> None:
        for fn in list(self._slots):
            fn(*args)


@dataclass
class UserSite:
    """A site placed or moved by the user on the map (a proposed site dragged, or a candidate added by click).

    ``level`` is the site's received-level window (a ``CoverageWindow``-like object with ``level_dbm``,
    ``row0``, ``col0``) once computed; ``covered`` the ids of not-yet-good stations it reaches.
    """

    site_id: str
    x: float
    y: float
    mast_height_m: float
    origin: str = "added"  # "proposal" (a proposed site moved) or "added" (clicked on the map)
    level: Any = None
    covered: list[str] = field(default_factory=list)
    backhaul: dict | None = None  # coverage_planner.pipeline.site_backhaul at (x, y), once computed


class Session:
    """Everything the window shows: the project, its loaded inputs, the last results and the user's sites."""

    def __init__(self) -> None:
        self.project: Any = None
        self.project_path: Path | None = None
        self.inputs: Any = None
        self.input_messages: list[tuple[str, str]] = []  # (level "error"|"warning"|"info", text)
        self.results: Any = None
        self.down_towers: set[str] = set()
        self.user_sites: dict[str, UserSite] = {}
        self.dirty = False

        self.project_changed = Signal()  # ()
        self.project_opened = Signal()  # () another project (set_project), before project_changed
        self.inputs_changed = Signal()  # ()
        self.results_changed = Signal()  # ()
        self.scenario_changed = Signal()  # ()
        self.sites_changed = Signal()  # (site_id or None)
        self.dirty_changed = Signal()  # (bool)

    # --- project -------------------------------------------------------------------------------------------
    def set_project(self, project: Any, path: str | Path | None) -> None:
        self.project = project
        self.project_path = Path(path) if path is not None else None
        self.inputs = None
        self.input_messages = []
        self.results = None
        # the project file's failure scenario is ticked down, so the first run is that scenario
        self.down_towers = set(getattr(getattr(project, "scenario", None), "down", ()) or ())
        self.user_sites = {}
        self._set_dirty(False)
        self.project_opened.emit()
        self.project_changed.emit()
        self.inputs_changed.emit()
        self.results_changed.emit()
        self.scenario_changed.emit()
        self.sites_changed.emit(None)

    def mark_dirty(self) -> None:
        self._set_dirty(True)

    def mark_saved(self, path: str | Path) -> None:
        self.project_path = Path(path)
        self._set_dirty(False)
        self.project_changed.emit()

    def _set_dirty(self, value: bool) -> None:
        if value != self.dirty:
            self.dirty = value
            self.dirty_changed.emit(value)

    # --- inputs --------------------------------------------------------------------------------------------
    def set_inputs(self, inputs: Any, messages: list[tuple[str, str]]) -> None:
        self.inputs = inputs
        self.input_messages = list(messages)
        self.inputs_changed.emit()

    # --- results -------------------------------------------------------------------------------------------
    def set_results(self, results: Any) -> None:
        self.results = results
        self.user_sites = {}
        if results is not None and getattr(results, "scenario", None) is not None:
            self.down_towers = set(results.scenario.down)
        self.results_changed.emit()
        self.sites_changed.emit(None)

    # --- scenario ------------------------------------------------------------------------------------------
    def set_tower_down(self, tower_id: str, down: bool) -> None:
        before = set(self.down_towers)
        if down:
            self.down_towers.add(tower_id)
        else:
            self.down_towers.discard(tower_id)
        if before != self.down_towers:
            self.scenario_changed.emit()

    # --- user sites ----------------------------------------------------------------------------------------
    def put_site(self, site: UserSite) -> None:
        self.user_sites[site.site_id] = site
        self.sites_changed.emit(site.site_id)

    def remove_site(self, site_id: str) -> None:
        if self.user_sites.pop(site_id, None) is not None:
            self.sites_changed.emit(site_id)

    def next_site_id(self, taken=None) -> str:
        """The first free id "U01", "U02"… of an added site, free among ``taken`` (default: the user's sites)."""
        taken = self.user_sites if taken is None else taken
        n = 1
        while f"U{n:02d}" in taken:
            n += 1
        return f"U{n:02d}"
