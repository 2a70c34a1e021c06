"""Build the canvas layers from a :class:`~coverage_planner.results.Results` (styling = view logic)."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor

from coverage_planner import webmap as _webmap
from coverage_planner.progress import Progress, run_to_end
from gui import render
from gui.canvas import geometry_paths
from gui.i18n import tr

#: Layer ids, top-most first, with their English titles (translated with tr()).
LAYER_TITLES = {
    "user_sites": "My sites",
    "proposals": "Proposed mobile sites",
    "stations": "Polling stations",
    "towers": "Towers (BTS)",
    "towns": "Towns",
    "border": "National border",
    "roads": "Roads",
    "communes": "Communes",
    "gaps": "Coverage gaps",
    "proposal_coverage": "Added coverage of proposed sites",
    "coverage": "Best received level (dBm)",
    "terrain": "Terrain (hillshade)",
}
ORDER = list(LAYER_TITLES)


def layer_title(layer_id: str) -> str:
    return tr(LAYER_TITLES.get(layer_id, layer_id))


def _tooltips(frame, cols) -> list[str]:
    """'a – b – c' per row from the given columns (empty and NaN values left out); vectorised."""
    columns = [frame[c].astype(str).to_numpy() for c in cols if c in frame.columns]
    out = []
    for values in zip(*columns, strict=True) if columns else [()] * len(frame):
        out.append(" – ".join(v for v in values if v not in ("", "nan", "None", "<NA>")))
    return out


#: Mobile sites: the optimiser's proposals a purple star edged in white (★), the user's (added or moved) the
#: same star hollow (☆): white inside, a thick purple edge (``coverage_planner.webmap.USER_SITE_FILL``).
PROPOSAL_SIZE = 16
PROPOSAL_STYLE = {"fill": render.PROPOSAL_COLOUR, "outline": QColor(Qt.GlobalColor.white), "outline_width": 1.2}
USER_SITE_STYLE = {"fill": render.USER_SITE_FILL, "outline": render.PROPOSAL_COLOUR,
                   "outline_width": render.USER_SITE_EDGE_PX}
#: Towers: a triangle in the operator's colour (▲); planned (not on air) hollow; down a red ✕ edged in white,
#: bigger and over the other towers (the HTML map's and the PDF's symbols).
TOWER_SIZE = 11
DOWN_SIZE = 14


def is_down(results) -> np.ndarray:
    """Per tower: off air in this run (status "down", or taken down by the scenario)."""
    t = results.towers
    down = set(results.scenario.down) if getattr(results, "scenario", None) is not None else set()
    return np.array([str(st) == "down" or tid in down for tid, st in zip(t["id"], t["status"], strict=True)],
                    bool)


def tower_styles(results) -> dict:
    """``add_points`` keywords (one value per tower) of the towers layer: ▲ by operator, planned △, down ✕."""
    t = results.towers
    ops = list(dict.fromkeys(t["operator"].astype(str)))
    style = {k: [] for k in ("symbol", "size", "fill", "outline", "outline_width", "z")}
    for op, status, down in zip(t["operator"].astype(str), t["status"].astype(str), is_down(results), strict=True):
        colour = render.operator_colour(op, ops.index(op))
        if down:
            row = ("x", DOWN_SIZE, render.DOWN_COLOUR, QColor(Qt.GlobalColor.white), 1.5, 2.0)
        elif status != "on_air":  # planned: hollow, edged in the operator's colour
            row = ("triangle", TOWER_SIZE, QColor(Qt.GlobalColor.white), colour, 1.8, 0.0)
        else:
            row = ("triangle", TOWER_SIZE, colour, QColor(30, 30, 30), 1.2, 1.0)
        for k, value in zip(style, row, strict=True):
            style[k].append(value)
    return style


def station_symbols(statuses) -> list[str]:
    """The marker shape of each polling station by its status (● good, ◆ weak, ■ none; a circle otherwise)."""
    return [render.STATUS_SYMBOLS.get(str(st), "circle") for st in statuses]


#: Vector layers drawn as QPainterPaths (polygons and lines), by results attribute.
PATH_LAYERS = ("gaps", "communes", "roads", "border")


def proposal_level_with_sites(results, site_windows) -> np.ndarray | None:
    """Display raster of added coverage: the results' proposal level where no site moved, plus user windows.

    ``site_windows`` is None (show ``results.proposal_level``) or a list of (level, row0, col0) windows for
    every current site (moved proposals at their new place, unmoved ones, and added sites); the display is
    their cell-wise maximum (same as the core's composite best level).
    """
    if site_windows is None:
        return results.proposal_level
    out = np.full(results.grid.shape, np.nan, np.float32)
    rows, cols = out.shape
    for level, r0, c0 in site_windows:
        level = np.asarray(level, np.float32)
        r1, c1 = r0 + level.shape[0], c0 + level.shape[1]
        rr0, cc0 = max(r0, 0), max(c0, 0)
        rr1, cc1 = min(r1, rows), min(c1, cols)
        if rr1 <= rr0 or cc1 <= cc0:
            continue
        sub = level[rr0 - r0:rr1 - r0, cc0 - c0:cc1 - c0]
        out[rr0:rr1, cc0:cc1] = np.fmax(out[rr0:rr1, cc0:cc1], sub)
    return out


def coverage_rgba(results, level: np.ndarray | None, steps=render.LEVEL_STEPS) -> np.ndarray:
    """RGBA of a coverage raster on ``results.grid``, transparent outside ``results.study_mask`` (if set).

    ``level`` None gives a fully transparent image (no proposals yet).
    """
    if level is None:
        level = np.full(results.grid.shape, np.nan, np.float32)
    return render.level_rgba(level, steps, mask=_webmap.study_mask(results))


def added_rgba(results, level: np.ndarray | None = None) -> np.ndarray:
    """RGBA of the *added coverage* layer: only the cells where the sites add service (weak or better where
    the existing towers give less than weak), by the core's rule ``coverage_planner.webmap.added_coverage``,
    the same as the HTML map. ``level`` None = ``results.proposal_level`` (the optimiser's sites)."""
    return render.mask_rgba(_webmap.added_coverage(results, level))


def display_images(results, terrain_rgba: np.ndarray | None = None) -> dict:
    """RGBA images of the raster layers and QPainterPaths of the vector layers (key ``"paths"``):
    :func:`iter_display_images` run to the end.

    Pure numpy / reentrant Qt classes: the worker thread computes them, off the GUI thread (the sample's
    22,000 gap polygons take seconds to convert).
    """
    return run_to_end(iter_display_images(results, terrain_rgba))


#: The message of each step of :func:`iter_display_images` (the layer's English title is translated by the
#: status bar: ``gui.i18n.PROGRESS_PATTERNS_VI``).
DISPLAY_STEP = "{layer} (layer {i}/{n})"


def iter_display_images(results, terrain_rgba: np.ndarray | None = None, *, stage: str = "display",
                        fraction: float = 1.0):
    """Generator of :func:`display_images`: a progress item (``stage``, ``fraction``, "<title> (layer
    i/n)") before each layer is computed, a cancel point of the desktop app's run and check tasks; returns the
    images."""

    todo = [] if terrain_rgba is not None else ["terrain"]
    todo += [lid for lid in PATH_LAYERS if getattr(results, lid, None) is not None]
    if results.best_level is not None:
        todo += ["coverage", "proposal_coverage"]
    out = {"terrain": terrain_rgba, "paths": {}}
    for i, lid in enumerate(todo, 1):
        yield Progress(stage, fraction, DISPLAY_STEP.format(layer=LAYER_TITLES[lid], i=i, n=len(todo)))
        if lid == "terrain":
            out["terrain"] = render.hillshade_rgba(results.dem, results.grid.cellsize)
        elif lid in PATH_LAYERS:
            out["paths"][lid] = geometry_paths(getattr(results, lid))
        elif lid == "coverage":
            out["coverage"] = coverage_rgba(results, results.best_level)
        else:
            out["proposal_coverage"] = added_rgba(results)
    return out


def build_layers(canvas, results, *, images: dict[str, np.ndarray] | None = None, keep_view: bool = False) -> None:
    """Replace the canvas layers with those of ``results`` (keeps visibility/opacity of same-id layers).

    ``images``: the raster layers' RGBA from :func:`display_images` (computed here when missing).
    ``keep_view``: keep the current zoom and position (same area re-run, e.g. a scenario).
    """
    g = results.grid
    if images is None or "paths" not in images or ("coverage" not in images and results.best_level is not None):
        images = display_images(results, None if images is None else images.get("terrain"))
    paths = images["paths"]
    keep = {lyr.layer_id: (lyr.visible, lyr.opacity) for lyr in canvas.layers()}
    order_before = [lyr.layer_id for lyr in canvas.layers()]
    canvas.clear_layers()
    if not keep_view:  # a new area: fit it; a re-run of the same area keeps the user's zoom
        canvas.reset_home()

    def state(lid, visible=True, opacity=1.0):
        return keep.get(lid, (visible, opacity))

    v, o = state("terrain")
    canvas.add_raster("terrain", layer_title("terrain"), images["terrain"], g, visible=v, opacity=o, smooth=True)
    if "coverage" in images:
        v, o = state("coverage", True, 0.75)
        canvas.add_raster("coverage", layer_title("coverage"), images["coverage"], g, visible=v, opacity=o)
    if "proposal_coverage" in images:  # a run (not the input preview): sites can be moved and added
        v, o = state("proposal_coverage", True, 0.85)
        canvas.add_raster("proposal_coverage", layer_title("proposal_coverage"), images["proposal_coverage"], g,
                          visible=v, opacity=o)
    if results.gaps is not None and len(results.gaps):
        fills, outlines = {}, {}
        for status, colour in render.GAP_COLOURS.items():
            outlines[status] = QColor(colour)
            fills[status] = QColor(colour)
            fills[status].setAlpha(110)
        other = QColor(200, 0, 0)
        fill = [fills.get(s, other) for s in results.gaps["status"]]
        pens = [outlines.get(s, other) for s in results.gaps["status"]]
        v, o = state("gaps", False, 1.0)
        canvas.add_shapes("gaps", layer_title("gaps"), results.gaps, fill=fill, pen_colour=pens, pen_width=0.8,
                          tooltips=_tooltips(results.gaps, ["commune", "status", "area_km2"]), paths=paths["gaps"],
                          visible=v, opacity=o)
    if results.communes is not None and len(results.communes):
        pens = [QColor(123, 50, 148) if bool(b) else QColor(70, 70, 70) for b in results.communes.get(
            "border", [False] * len(results.communes))]
        v, o = state("communes")
        canvas.add_shapes("communes", layer_title("communes"), results.communes, pen_colour=pens, pen_width=1.4,
                          fill=None, tooltips=_tooltips(results.communes, ["name"]), paths=paths["communes"],
                          visible=v, opacity=o)
    for lid, frame, colour, width, dash in (("roads", results.roads, QColor(150, 110, 60), 1.0, False),
                                            ("border", results.border, QColor(160, 0, 120), 2.5, True)):
        if frame is not None and len(frame):
            v, o = state(lid)
            canvas.add_shapes(lid, layer_title(lid), frame, pen_colour=colour, pen_width=width, dash=dash,
                              kind="lines", tooltips=_tooltips(frame, ["name"]), paths=paths.get(lid),
                              visible=v, opacity=o)
    if results.towns is not None and len(results.towns):
        v, o = state("towns")
        # a cross: a square would read as a polling station without signal (■) in greyscale
        canvas.add_points("towns", layer_title("towns"), results.towns, symbol="plus", size=8,
                          fill=QColor(40, 40, 40), tooltips=_tooltips(results.towns, ["name"]), visible=v, opacity=o)
    t = results.towers
    if t is not None and len(t):
        v, o = state("towers")
        canvas.add_points("towers", layer_title("towers"), t, **tower_styles(results),
                          tooltips=_tooltips(t, ["id", "operator", "technology", "status"]), visible=v, opacity=o)
    s = results.stations
    if s is not None and len(s):
        fill = [render.STATUS_COLOURS.get(st, QColor(120, 120, 120)) for st in s["status"]]
        symbols = station_symbols(s["status"])
        v, o = state("stations")
        canvas.add_points("stations", layer_title("stations"), s, symbol=symbols,
                          size=[render.SYMBOL_SIZES[k] for k in symbols], fill=fill, outline=render.STATION_EDGE,
                          outline_width=render.STATION_EDGE_PX,
                          tooltips=_tooltips(s, ["id", "name", "status"]), visible=v, opacity=o)
    p = results.proposals
    if p is not None and len(p):
        v, o = state("proposals")
        canvas.add_points("proposals", layer_title("proposals"), p, symbol="star", size=PROPOSAL_SIZE,
                          **PROPOSAL_STYLE, tooltips=_tooltips(p, ["site_id", "commune", "n_stations"]),
                          draggable=True, visible=v, opacity=o)
    # restore a user-chosen order where the same layers exist, else the default order
    ids = [lyr.layer_id for lyr in canvas.layers()]
    order = [i for i in order_before if i in ids] if set(order_before) >= set(ids) else sorted(ids, key=ORDER.index)
    canvas.set_layer_order(order)


def set_user_sites(canvas, sites_frame, moved=()) -> None:
    """(Re)draw the user's added sites on top (draggable hollow stars ☆) and draw the proposed sites in
    ``moved`` (site ids) hollow too, the others filled (★): the user's sites, as the HTML map and the PDF show
    the "(added)" / "(moved)" ones."""
    p = canvas.layer("proposals")
    if p is not None and p.frame is not None and "site_id" in p.frame:
        moved = {str(i) for i in moved}
        for row, sid in enumerate(p.frame["site_id"].astype(str)):
            canvas.set_feature_style("proposals", row, **(USER_SITE_STYLE if sid in moved else PROPOSAL_STYLE))
    existing = canvas.layer("user_sites")
    visible, opacity = (existing.visible, existing.opacity) if existing is not None else (True, 1.0)
    if sites_frame is None or len(sites_frame) == 0:
        canvas.remove_layer("user_sites")
        return
    canvas.add_points("user_sites", layer_title("user_sites"), sites_frame, symbol="star", size=PROPOSAL_SIZE,
                      **USER_SITE_STYLE, tooltips=list(sites_frame["site_id"]), draggable=True, position=0,
                      visible=visible, opacity=opacity)
