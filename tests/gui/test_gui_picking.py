"""Picking on the map: unfilled polygons (communes) and lines (roads, border) are hit near their outline only,
so a click inside a commune (or inside the curve of a road) reports the cell (terrain height, signal level)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtTest import QTest
from shapely.geometry import LineString, Point

from gui.canvas import PICK_TOLERANCE_PX, MapCanvas


def _inner_point(tiny, canvas):
    """A point inside a commune, far (in pixels) from its outline and from every point symbol."""
    mpp = canvas.metres_per_pixel()
    points = [g for frame in (tiny.stations, tiny.towers, tiny.proposals) for g in frame.geometry]
    for poly in tiny.communes.geometry:
        xmin, ymin, xmax, ymax = poly.bounds
        for x in np.linspace(xmin, xmax, 25)[1:-1]:
            for y in np.linspace(ymin, ymax, 25)[1:-1]:
                p = Point(x, y)
                if (poly.contains(p) and poly.boundary.distance(p) > 30 * mpp
                        and min(p.distance(q) for q in points) > 30 * mpp
                        and (tiny.border is None or tiny.border.distance(p).min() > 30 * mpp)):
                    return float(x), float(y), poly
    raise AssertionError("no inner point found")


def test_click_inside_a_commune_shows_the_cell_not_the_commune(shown, tiny, qtbot):
    canvas = shown.canvas
    assert canvas.layer("communes").visible
    x, y, _poly = _inner_point(tiny, canvas)
    with qtbot.waitSignal(canvas.mapClicked, timeout=2000):
        QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.view_pos(x, y))
    vals = shown.attributes_dock.values()
    assert "elevation_m" in vals and "level_dbm" in vals
    r, c = tiny.grid.rowcol(vals["x"], vals["y"])
    r, c = int(np.floor(r + 0.5)), int(np.floor(c + 0.5))
    assert vals["elevation_m"] == pytest.approx(float(tiny.dem[r, c]))


def test_click_on_a_commune_outline_picks_the_commune(shown, tiny, qtbot):
    canvas = shown.canvas
    x, y, poly = _inner_point(tiny, canvas)
    near = poly.exterior.interpolate(poly.exterior.project(Point(x, y)))
    row = int(np.flatnonzero([g.equals(poly) for g in tiny.communes.geometry])[0])
    pos = canvas.view_pos(near.x, near.y)
    pos.setX(pos.x() + 2)  # a couple of pixels off the line still picks it
    assert canvas.feature_at(pos)[:2] == (canvas.layer("communes"), row)
    with qtbot.waitSignal(canvas.featureClicked, timeout=2000) as blocker:
        QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["communes", row]


def test_lines_are_picked_near_the_line_only_not_inside_their_curve(qtbot):
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 600)
    canvas.show()
    qtbot.waitExposed(canvas)
    # a U-shaped road 10 km wide: its inside is "enclosed" by the open path
    u = LineString([(0, 10_000), (0, 0), (10_000, 0), (10_000, 10_000)])
    frame = gpd.GeoDataFrame({"name": ["U road"]}, geometry=[u], crs="EPSG:32648")
    canvas.add_shapes("roads", "Roads", frame, pen_colour=QColor(0, 0, 0), kind="lines")
    canvas._set_home((0, 0, 10_000, 10_000))
    canvas.zoom_home()
    mpp = canvas.metres_per_pixel()
    assert canvas.feature_at(canvas.view_pos(5_000, 5_000)) is None  # inside the U
    hit = canvas.feature_at(canvas.view_pos(5_000, (PICK_TOLERANCE_PX - 2) * mpp))  # just above the bottom
    assert hit is not None and hit[0].layer_id == "roads" and hit[1] == 0
    assert canvas.feature_at(canvas.view_pos(5_000, (PICK_TOLERANCE_PX + 4) * mpp)) is None


def test_filled_polygons_keep_interior_picking(shown, tiny, qtbot):
    canvas = shown.canvas
    canvas.set_layer_visible("gaps", True)
    canvas.finish_pending()
    gaps = tiny.gaps
    mpp = canvas.metres_per_pixel()
    for row, poly in enumerate(gaps.geometry):
        p = poly.representative_point()
        if poly.boundary.distance(p) > 10 * mpp:
            hit = canvas.feature_at(canvas.view_pos(p.x, p.y))
            if hit is not None and hit[0].kind == "points":
                continue
            assert hit is not None and hit[0].layer_id == "gaps" and hit[1] == row
            return
    pytest.skip("no gap polygon large enough at this zoom")
