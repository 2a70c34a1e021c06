"""The map canvas: a QGraphicsView over a scene in the analysis CRS (metres, y flipped: scene y = -northing).

Layers are root items whose children are the features (one graphics item per feature, carrying the layer id
and the feature's row index) or one pixmap for a raster. A layer's visibility, opacity and z-order are set
on its root item, so the layer panel controls whole layers at once.

Mouse: wheel zooms about the cursor, left-drag pans, a click (press and release within a few pixels) picks
the top-most feature (``featureClicked``) or, on empty map, reports the point (``mapClicked``). Features of a
*draggable* layer (proposed and user sites) can be dragged; ``featureDragged`` reports the drop point. In the
``add_site`` tool a click emits ``sitePicked`` instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PyQt6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
)
from PyQt6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
)

from gui.render import rgba_to_qimage

#: opacity (0-255) of the white box behind the scale bar
SCALE_BAR_BOX_ALPHA = 200

LAYER_KEY = 0
ROW_KEY = 1
CLICK_TOLERANCE_PX = 4
#: Unfilled polygons (communes) and lines (roads, border) are picked within this many pixels of their outline
#: only: a click inside a commune or inside the curve of a road is a click on the map (terrain, level).
PICK_TOLERANCE_PX = 5


def symbol_path(kind: str, size: float) -> QPainterPath:
    """A marker outline in device pixels centred on (0, 0)."""
    p = QPainterPath()
    r = size / 2.0
    if kind == "triangle":
        p.addPolygon(QPolygonF([QPointF(0, -r * 1.15), QPointF(r, r * 0.85), QPointF(-r, r * 0.85),
                                QPointF(0, -r * 1.15)]))
    elif kind == "diamond":  # a square on its corner (◆), as on the HTML map and the PDF
        p.addPolygon(QPolygonF([QPointF(0, -r), QPointF(r, 0), QPointF(0, r), QPointF(-r, 0), QPointF(0, -r)]))
    elif kind == "star":
        pts = []
        for i in range(11):
            a = -math.pi / 2 + i * math.pi / 5
            rr = r * 1.3 if i % 2 == 0 else r * 0.55
            pts.append(QPointF(rr * math.cos(a), rr * math.sin(a)))
        p.addPolygon(QPolygonF(pts))
    elif kind == "square":
        p.addRect(QRectF(-r, -r, 2 * r, 2 * r))
    elif kind == "x":  # a down tower's ✕ (the HTML map's and the PDF's): the plus turned by 45°
        return QTransform().rotate(45).map(symbol_path("plus", size * 1.15))
    elif kind == "plus":  # a cross (towns): squares, diamonds and circles are the polling stations' shapes
        w = r / 3.0
        p.addPolygon(QPolygonF([QPointF(-w, -r), QPointF(w, -r), QPointF(w, -w), QPointF(r, -w), QPointF(r, w),
                                QPointF(w, w), QPointF(w, r), QPointF(-w, r), QPointF(-w, w), QPointF(-r, w),
                                QPointF(-r, -w), QPointF(-w, -w), QPointF(-w, -r)]))
    else:
        p.addEllipse(QPointF(0, 0), r, r)
    p.closeSubpath()
    return p


def _ring(coords) -> QPolygonF:
    a = np.asarray(coords, dtype=float)
    return QPolygonF([QPointF(float(x), -float(y)) for x, y in a[:, :2]])


def geometry_path(geom) -> QPainterPath:
    """QPainterPath (scene coordinates) of a shapely Polygon/MultiPolygon/LineString/MultiLineString."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    if geom is None or geom.is_empty:
        return path
    gt = geom.geom_type
    if gt in ("Polygon", "MultiPolygon"):
        polys = [geom] if gt == "Polygon" else list(geom.geoms)
        for poly in polys:
            path.addPolygon(_ring(poly.exterior.coords))
            path.closeSubpath()
            for hole in poly.interiors:
                path.addPolygon(_ring(hole.coords))
                path.closeSubpath()
    elif gt in ("LineString", "MultiLineString", "LinearRing"):
        lines = [geom] if gt != "MultiLineString" else list(geom.geoms)
        for line in lines:
            pts = np.asarray(line.coords, dtype=float)
            if len(pts) == 0:
                continue
            path.moveTo(pts[0, 0], -pts[0, 1])
            for x, y in pts[1:, :2]:
                path.lineTo(float(x), -float(y))
    elif gt == "GeometryCollection":
        for g in geom.geoms:
            path.addPath(geometry_path(g))
    return path


def geometry_paths(frame) -> list:
    """One QPainterPath (or None for an empty geometry) per row of a GeoDataFrame.

    QPainterPath is reentrant, so the worker thread can build these and keep the GUI thread free.
    """
    if frame is None:
        return []
    out = []
    for geom in frame.geometry.values:
        out.append(None if geom is None or geom.is_empty else geometry_path(geom))
    return out


@dataclass
class MapLayer:
    """One layer of the canvas. ``frame`` is the (Geo)DataFrame behind a vector layer (row = position)."""

    layer_id: str
    title: str
    kind: str  # "raster" | "points" | "polygons" | "lines"
    root: QGraphicsItem
    frame: Any = None
    grid: Any = None
    draggable: bool = False
    items: list = field(default_factory=list)  # feature items by row (vector) or [pixmap item]

    @property
    def visible(self) -> bool:
        return self.root.isVisible()

    @property
    def opacity(self) -> float:
        return self.root.opacity()


class MapCanvas(QGraphicsView):
    cursorMoved = pyqtSignal(float, float)  # map x, y of the mouse
    featureClicked = pyqtSignal(str, int)  # layer id, row
    mapClicked = pyqtSignal(float, float)  # click on no feature
    sitePicked = pyqtSignal(float, float)  # click in the add_site tool
    featureDragged = pyqtSignal(str, int, float, float)  # layer id, row, new x, new y
    layersChanged = pyqtSignal()  # layers added/removed/reordered, visibility or opacity changed
    layerCompleted = pyqtSignal(str)  # a large layer's last feature items were created
    scaleChanged = pyqtSignal(float)  # metres per pixel

    MIN_M_PER_PX = 0.5
    MAX_M_PER_PX = 5000.0

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QBrush(QColor(236, 236, 232)))
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self._layers: list[MapLayer] = []  # top first
        self._home: QRectF | None = None
        self._user_moved = False
        self._press_pos = None
        self._last_pos = None
        self._panning = False
        self._drag: tuple[MapLayer, int, QGraphicsItem] | None = None
        self._tool = "pan"
        self._highlight: QGraphicsItem | None = None
        self._pending: dict[str, tuple] = {}

    # ------------------------------------------------------------------------------------------------------
    # layers
    # ------------------------------------------------------------------------------------------------------
    def layers(self) -> list[MapLayer]:
        """Layers, top-most first."""
        return list(self._layers)

    def layer(self, layer_id: str) -> MapLayer | None:
        for lyr in self._layers:
            if lyr.layer_id == layer_id:
                return lyr
        return None

    def clear_layers(self) -> None:
        self.clear_highlight()
        for lyr in self._layers:
            self._scene.removeItem(lyr.root)
        self._layers = []
        self.layersChanged.emit()

    def remove_layer(self, layer_id: str) -> None:
        lyr = self.layer(layer_id)
        if lyr is None:
            return
        if self._highlight is not None and self._highlight.data(LAYER_KEY) == layer_id:
            self.clear_highlight()
        self._scene.removeItem(lyr.root)
        self._layers.remove(lyr)
        self._restack()
        self.layersChanged.emit()

    def _new_root(self) -> QGraphicsRectItem:
        root = QGraphicsRectItem()
        root.setPen(QPen(Qt.PenStyle.NoPen))
        root.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self._scene.addItem(root)
        return root

    def _insert(self, layer: MapLayer, position: int | None, visible: bool, opacity: float) -> MapLayer:
        old = self.layer(layer.layer_id)
        if old is not None:  # replace in place, keeping order, visibility and opacity
            idx = self._layers.index(old)
            visible, opacity = old.visible, old.opacity
            self._scene.removeItem(old.root)
            self._layers[idx] = layer
        elif position is None:
            self._layers.insert(0, layer)
        else:
            self._layers.insert(min(max(position, 0), len(self._layers)), layer)
        layer.root.setVisible(visible)
        layer.root.setOpacity(opacity)
        self._restack()
        self.layersChanged.emit()
        return layer

    def _restack(self) -> None:
        n = len(self._layers)
        for i, lyr in enumerate(self._layers):
            lyr.root.setZValue(float(n - i))

    def add_raster(self, layer_id: str, title: str, rgba: np.ndarray, grid, *, position: int | None = None,
                   visible: bool = True, opacity: float = 1.0, smooth: bool = False) -> MapLayer:
        root = self._new_root()
        item = QGraphicsPixmapItem(QPixmap.fromImage(rgba_to_qimage(rgba)), root)
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation if smooth
                                   else Qt.TransformationMode.FastTransformation)
        item.setTransform(QTransform.fromScale(grid.cellsize, grid.cellsize))
        item.setPos(grid.x0, -grid.y0)
        item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        layer = MapLayer(layer_id, title, "raster", root, grid=grid, items=[item])
        self._set_home(grid.bounds)
        return self._insert(layer, position, visible, opacity)

    def update_raster(self, layer_id: str, rgba: np.ndarray) -> None:
        lyr = self.layer(layer_id)
        if lyr is None or lyr.kind != "raster":
            raise KeyError(layer_id)
        lyr.items[0].setPixmap(QPixmap.fromImage(rgba_to_qimage(rgba)))

    def add_points(self, layer_id: str, title: str, frame, *, symbol="circle", size=10.0,
                   fill=None, outline=None, outline_width=1.2, z=None, tooltips=None, draggable: bool = False,
                   position: int | None = None, visible: bool = True, opacity: float = 1.0) -> MapLayer:
        """Point features. ``fill`` is one QColor or a list with one per row; so are ``symbol`` (a
        :func:`symbol_path` kind, e.g. the polling stations' shape per status), ``size`` (pixels),
        ``outline`` (QColor), ``outline_width`` (pixels) and ``z`` (stacking within the layer: a higher value is
        drawn over the layer's other features, e.g. down towers over the working ones)."""
        root = self._new_root()
        paths: dict = {}  # (kind, size) → QPainterPath, shared by the items
        pens: dict = {}  # (rgba, width) → QPen

        def row(value, i):
            return value[i] if isinstance(value, (list, tuple)) else value

        items = []
        n = 0 if frame is None else len(frame)
        geoms = frame.geometry.values if n else []
        brushes: dict = {}
        for i in range(n):
            geom = geoms[i]
            if geom is None or geom.is_empty:
                items.append(None)
                continue
            key = (row(symbol, i), float(row(size, i)))
            path = paths.get(key)
            if path is None:
                path = paths[key] = symbol_path(*key)
            it = QGraphicsPathItem(path, root)
            it.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            it.setPos(geom.x, -geom.y)
            colour = fill[i] if isinstance(fill, (list, tuple)) else (fill or QColor(80, 80, 80))
            brush = brushes.get(colour.rgba())
            if brush is None:
                brush = brushes[colour.rgba()] = QBrush(colour)
            it.setBrush(brush)
            line = row(outline, i)
            line = line if line is not None else QColor(30, 30, 30)
            key = (line.rgba(), float(row(outline_width, i)))
            pen = pens.get(key)
            if pen is None:
                pen = pens[key] = QPen(line, key[1])
                pen.setCosmetic(True)
            it.setPen(pen)
            if z is not None:
                it.setZValue(float(row(z, i)))
            it.setData(LAYER_KEY, layer_id)
            it.setData(ROW_KEY, i)
            if tooltips is not None:
                it.setToolTip(tooltips[i])
            if draggable:
                it.setCursor(QCursor(Qt.CursorShape.OpenHandCursor))
            items.append(it)
        layer = MapLayer(layer_id, title, "points", root, frame=frame, draggable=draggable, items=items)
        return self._insert(layer, position, visible, opacity)

    def add_shapes(self, layer_id: str, title: str, frame, *, pen_colour=None,
                   pen_width: float = 1.2, fill=None, dash: bool = False, kind: str = "polygons",
                   tooltips=None, paths=None, position: int | None = None, visible: bool = True,
                   opacity: float = 1.0) -> MapLayer:
        """Polygon or line features; ``fill`` None, one QColor or one per row; ``pen_colour`` likewise.

        ``paths``: the features' QPainterPaths when already made (by :func:`geometry_paths` on a worker
        thread); else they are made here.
        """
        root = self._new_root()
        if pen_colour is None:
            pen_colour = QColor(60, 60, 60)
        if paths is None:
            paths = geometry_paths(frame)
        pens: dict = {}
        brushes: dict = {}

        def make(i):
            path = paths[i]
            if path is None:
                return None
            it = QGraphicsPathItem(path, root)
            pc = pen_colour[i] if isinstance(pen_colour, (list, tuple)) else pen_colour
            key = pc.rgba()
            pen = pens.get(key)
            if pen is None:
                pen = QPen(pc, pen_width)
                pen.setCosmetic(True)
                if dash:
                    pen.setStyle(Qt.PenStyle.DashLine)
                pens[key] = pen
            it.setPen(pen)
            f = fill[i] if isinstance(fill, (list, tuple)) else fill
            fkey = None if f is None else f.rgba()
            brush = brushes.get(fkey)
            if brush is None:
                brush = QBrush(f) if f is not None else QBrush(Qt.BrushStyle.NoBrush)
                brushes[fkey] = brush
            it.setBrush(brush)
            it.setData(LAYER_KEY, layer_id)
            it.setData(ROW_KEY, i)
            if tooltips is not None:
                it.setToolTip(tooltips[i])
            return it

        items: list = [None] * len(paths)
        layer = MapLayer(layer_id, title, kind, root, frame=frame, items=items)
        for i in range(min(len(paths), self.CHUNK)):
            items[i] = make(i)
        self._insert(layer, position, visible, opacity)
        if len(paths) > self.CHUNK:
            self._pending[layer_id] = (layer, make, self.CHUNK)
            QTimer.singleShot(self.CHUNK_PAUSE_MS, self._continue_pending)
        return layer

    # Layers with many features (the sample has 22,000 gap polygons) are filled CHUNK items per event-loop
    # turn, so showing results never blocks the window for long.
    CHUNK = 2000
    #: pause between chunks: a 0 ms timer re-armed from its own slot kept other timers and paints waiting
    CHUNK_PAUSE_MS = 15

    def _continue_pending(self) -> None:
        if not self._pending:
            return
        layer_id, (layer, make, start) = next(iter(self._pending.items()))
        if layer not in self._layers:  # removed or replaced meanwhile
            del self._pending[layer_id]
        else:
            end = min(start + self.CHUNK, len(layer.items))
            for i in range(start, end):
                layer.items[i] = make(i)
            if end >= len(layer.items):
                del self._pending[layer_id]
                self.layerCompleted.emit(layer_id)
            else:
                self._pending[layer_id] = (layer, make, end)
        if self._pending:
            QTimer.singleShot(self.CHUNK_PAUSE_MS, self._continue_pending)

    def pending_layers(self) -> list[str]:
        """Layers still being filled in the background."""
        return list(self._pending)

    def finish_pending(self) -> None:
        """Create every remaining feature item now (tests, before a screenshot)."""
        while self._pending:
            layer_id, (layer, make, start) = next(iter(self._pending.items()))
            del self._pending[layer_id]
            if layer in self._layers:
                for i in range(start, len(layer.items)):
                    layer.items[i] = make(i)
                self.layerCompleted.emit(layer_id)

    def set_layer_visible(self, layer_id: str, visible: bool) -> None:
        lyr = self.layer(layer_id)
        if lyr is not None and lyr.visible != visible:
            lyr.root.setVisible(visible)
            self.layersChanged.emit()

    def set_layer_opacity(self, layer_id: str, opacity: float) -> None:
        lyr = self.layer(layer_id)
        if lyr is not None:
            lyr.root.setOpacity(min(max(float(opacity), 0.0), 1.0))
            self.layersChanged.emit()

    def set_layer_order(self, layer_ids_top_first: list[str]) -> None:
        """Reorder layers; ids not listed keep their relative order below the listed ones."""
        by_id = {lyr.layer_id: lyr for lyr in self._layers}
        ordered = [by_id[i] for i in layer_ids_top_first if i in by_id]
        rest = [lyr for lyr in self._layers if lyr not in ordered]
        self._layers = ordered + rest
        self._restack()
        self.layersChanged.emit()

    def set_layer_title(self, layer_id: str, title: str) -> None:
        lyr = self.layer(layer_id)
        if lyr is not None:
            lyr.title = title
            self.layersChanged.emit()

    def set_feature_style(self, layer_id: str, row: int, *, fill: QColor, outline: QColor,
                          outline_width: float) -> None:
        """Recolour one point feature (e.g. a proposed site the user moved: drawn as the user's sites)."""
        lyr = self.layer(layer_id)
        if lyr is not None and 0 <= row < len(lyr.items) and lyr.items[row] is not None:
            pen = QPen(outline, outline_width)
            pen.setCosmetic(True)
            lyr.items[row].setBrush(QBrush(fill))
            lyr.items[row].setPen(pen)

    def move_feature(self, layer_id: str, row: int, x: float, y: float) -> None:
        lyr = self.layer(layer_id)
        if lyr is not None and 0 <= row < len(lyr.items) and lyr.items[row] is not None:
            lyr.items[row].setPos(x, -y)
            self._follow_highlight(layer_id, row, lyr.items[row].pos())

    def _follow_highlight(self, layer_id: str, row: int, pos: QPointF) -> None:
        """The selection ring of a point that moved goes with it (QA: after dragging a selected star the cyan
        ring stayed at its old place, marking nothing)."""
        if self._highlight is not None and self.highlighted() == (layer_id, row):
            self._highlight.setPos(pos)

    # ------------------------------------------------------------------------------------------------------
    # view
    # ------------------------------------------------------------------------------------------------------
    def _set_home(self, bounds) -> None:
        xmin, ymin, xmax, ymax = bounds
        rect = QRectF(xmin, -ymax, xmax - xmin, ymax - ymin)
        if self._home is None:
            self._home = rect
        else:
            self._home = self._home.united(rect)
        w, h = self._home.width(), self._home.height()
        margin = max(w, h) * 2.0
        self._scene.setSceneRect(self._home.adjusted(-margin, -margin, margin, margin))
        if not self._user_moved:
            self.fitInView(self._home, Qt.AspectRatioMode.KeepAspectRatio)

    def reset_home(self) -> None:
        self._home = None
        self._user_moved = False

    def zoom_home(self) -> None:
        if self._home is not None:
            self.fitInView(self._home, Qt.AspectRatioMode.KeepAspectRatio)
            self.scaleChanged.emit(self.metres_per_pixel())

    def zoom_to_bounds(self, xmin: float, ymin: float, xmax: float, ymax: float, min_size: float = 2000.0) -> None:
        """Fit a map rectangle (grown to at least ``min_size`` metres and by 20 %) in the view."""
        cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
        w = max(xmax - xmin, min_size) * 1.2
        h = max(ymax - ymin, min_size) * 1.2
        self._user_moved = True
        self.fitInView(QRectF(cx - w / 2, -(cy + h / 2), w, h), Qt.AspectRatioMode.KeepAspectRatio)
        self.scaleChanged.emit(self.metres_per_pixel())

    def zoom_to_feature(self, layer_id: str, row: int) -> bool:
        lyr = self.layer(layer_id)
        if lyr is None or lyr.frame is None or not (0 <= row < len(lyr.frame)):
            return False
        geom = lyr.frame.geometry.iloc[row]
        if geom is None or geom.is_empty:
            return False
        self.zoom_to_bounds(*geom.bounds)
        self.highlight(layer_id, row)
        return True

    def center_xy(self) -> tuple[float, float]:
        c = self.mapToScene(self.viewport().rect().center())
        return c.x(), -c.y()

    def metres_per_pixel(self) -> float:
        return 1.0 / max(self.transform().m11(), 1e-12)

    def map_xy(self, view_pos) -> tuple[float, float]:
        p = self.mapToScene(view_pos)
        return p.x(), -p.y()

    def view_pos(self, x: float, y: float):
        return self.mapFromScene(QPointF(x, -y))

    def zoom_by(self, factor: float, anchor=None) -> None:
        """Zoom by ``factor`` keeping the map point under view position ``anchor`` (default: centre) still."""
        mpp = self.metres_per_pixel() / factor
        if not (self.MIN_M_PER_PX <= mpp <= self.MAX_M_PER_PX):
            return
        self._user_moved = True
        before = self.mapToScene(anchor) if anchor is not None else None
        self.scale(factor, factor)
        if anchor is not None:
            delta = self.mapToScene(anchor) - before
            centre = self.mapToScene(self.viewport().rect().center())
            self.centerOn(centre - delta)
        self.scaleChanged.emit(self.metres_per_pixel())

    def highlight(self, layer_id: str, row: int) -> None:
        self.clear_highlight()
        lyr = self.layer(layer_id)
        if lyr is None or lyr.frame is None or not (0 <= row < len(lyr.items)) or lyr.items[row] is None:
            return
        src = lyr.items[row]
        pen = QPen(QColor(0, 220, 255), 3.0)
        pen.setCosmetic(True)
        if lyr.kind == "points":
            item = QGraphicsPathItem(symbol_path("circle", 22))
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            item.setPos(src.pos())
        else:
            item = QGraphicsPathItem(src.path())
        item.setPen(pen)
        item.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        item.setZValue(1e6)
        item.setData(LAYER_KEY, layer_id)
        item.setData(ROW_KEY, row)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._scene.addItem(item)
        self._highlight = item

    def highlighted(self) -> tuple[str, int] | None:
        if self._highlight is None:
            return None
        return self._highlight.data(LAYER_KEY), self._highlight.data(ROW_KEY)

    def clear_highlight(self) -> None:
        if self._highlight is not None:
            self._scene.removeItem(self._highlight)
            self._highlight = None

    # ------------------------------------------------------------------------------------------------------
    # tools and mouse
    # ------------------------------------------------------------------------------------------------------
    @property
    def tool(self) -> str:
        return self._tool

    def set_tool(self, tool: str) -> None:
        if tool not in ("pan", "add_site"):
            raise ValueError(f"unknown map tool {tool!r}")
        self._tool = tool
        self.viewport().setCursor(QCursor(Qt.CursorShape.CrossCursor if tool == "add_site"
                                          else Qt.CursorShape.ArrowCursor))

    def feature_at(self, view_pos) -> tuple[MapLayer, int, QGraphicsItem] | None:
        """The top-most feature of a visible layer under a view position.

        Points and filled shapes (gaps) are hit inside their symbol / area. Unfilled polygons (communes) and
        lines are hit only within :data:`PICK_TOLERANCE_PX` pixels of their outline: a QGraphicsPathItem's
        shape includes the interior even without a brush (for an open line, the area its curve encloses).
        """
        tol = PICK_TOLERANCE_PX
        exact = set(self.items(view_pos))
        near = self.items(QRect(view_pos.x() - tol, view_pos.y() - tol, 2 * tol + 1, 2 * tol + 1))
        scene_pt = self.mapToScene(view_pos)
        for item in near:
            if item is self._highlight:
                continue
            lid = item.data(LAYER_KEY)
            if lid is None:
                continue
            lyr = self.layer(lid)
            if lyr is None or not lyr.visible or lyr.opacity <= 0.0:
                continue
            if self._outline_only(lyr, item):
                if not self._near_outline(item, scene_pt, tol * self.metres_per_pixel()):
                    continue
            elif item not in exact:
                continue
            return lyr, int(item.data(ROW_KEY)), item
        return None

    @staticmethod
    def _outline_only(lyr: MapLayer, item: QGraphicsItem) -> bool:
        """True for features picked on their outline only: lines, and polygons drawn without a fill."""
        if lyr.kind == "lines":
            return True
        return (lyr.kind == "polygons" and isinstance(item, QGraphicsPathItem)
                and item.brush().style() == Qt.BrushStyle.NoBrush)

    @staticmethod
    def _near_outline(item: QGraphicsPathItem, scene_pt: QPointF, tolerance: float) -> bool:
        """Whether a scene point lies within ``tolerance`` scene units of the item's path (its outline)."""
        stroker = QPainterPathStroker()
        stroker.setWidth(2.0 * tolerance)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return stroker.createStroke(item.path()).contains(item.mapFromScene(scene_pt))

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps, event.position().toPoint())
        event.accept()

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position().toPoint()
        self._press_pos = self._last_pos = pos
        self._panning = False
        self._drag = None
        if self._tool == "pan":
            hit = self.feature_at(pos)
            if hit is not None and hit[0].draggable:
                self._drag = hit
                self.viewport().setCursor(QCursor(Qt.CursorShape.ClosedHandCursor))
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        pos = event.position().toPoint()
        x, y = self.map_xy(pos)
        self.cursorMoved.emit(x, y)
        if self._press_pos is not None and event.buttons() & Qt.MouseButton.LeftButton:
            moved = (pos - self._press_pos).manhattanLength() > CLICK_TOLERANCE_PX
            if self._drag is not None:
                if moved:
                    self._drag[2].setPos(QPointF(x, -y))
                    self._follow_highlight(self._drag[0].layer_id, self._drag[1], self._drag[2].pos())
            elif moved or self._panning:
                self._panning = True
                self._user_moved = True
                d = pos - self._last_pos
                self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
                self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            self._last_pos = pos
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press_pos is None:
            super().mouseReleaseEvent(event)
            return
        pos = event.position().toPoint()
        is_click = (pos - self._press_pos).manhattanLength() <= CLICK_TOLERANCE_PX and not self._panning
        drag = self._drag
        self._press_pos = self._last_pos = None
        self._panning = False
        self._drag = None
        self.viewport().setCursor(QCursor(Qt.CursorShape.CrossCursor if self._tool == "add_site"
                                          else Qt.CursorShape.ArrowCursor))
        x, y = self.map_xy(pos)
        if drag is not None and not is_click:
            self.featureDragged.emit(drag[0].layer_id, drag[1], x, y)
        elif is_click:
            if self._tool == "add_site":
                self.sitePicked.emit(x, y)
            else:
                hit = self.feature_at(pos)
                if hit is not None:
                    self.featureClicked.emit(hit[0].layer_id, hit[1])
                else:
                    self.mapClicked.emit(x, y)
        event.accept()

    def scale_bar(self) -> tuple[float, int]:
        """(length in metres, length in pixels) of a round-numbered scale bar about 120 px long."""
        mpp = self.metres_per_pixel()
        target = 120 * mpp
        exp = 10 ** math.floor(math.log10(target)) if target > 0 else 1
        length = max((m * exp for m in (1, 2, 5) if m * exp <= target), default=exp)
        return length, int(round(length / mpp))

    def drawForeground(self, painter, rect) -> None:
        """A scale bar in the bottom-left corner of the view (drawn in view pixels)."""
        if not self._layers:
            return
        length, px = self.scale_bar()
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
        painter.save()
        painter.resetTransform()
        h = self.viewport().height()
        x0, y0 = 12, h - 14
        # a translucent white box behind bar and label, so map symbols under it do not hide it
        text_w = painter.fontMetrics().horizontalAdvance(label)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, SCALE_BAR_BOX_ALPHA))
        painter.drawRoundedRect(QRectF(x0 - 6, y0 - 16, px + text_w + 24, 26), 3, 3)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(20, 20, 20), 2))
        painter.drawLine(x0, y0, x0 + px, y0)
        painter.drawLine(x0, y0 - 5, x0, y0)
        painter.drawLine(x0 + px, y0 - 5, x0 + px, y0)
        painter.drawText(x0 + px + 6, y0 + 4, label)
        painter.restore()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._user_moved and self._home is not None:
            self.fitInView(self._home, Qt.AspectRatioMode.KeepAspectRatio)
