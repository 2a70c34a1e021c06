"""Polling stations on the desktop map have a shape per status as well as a colour (● good, ◆ weak, ■ no
signal), as on the HTML map and the PDF, so colour-blind users and greyscale screenshots tell them apart."""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QColor

from coverage_planner import webmap
from gui import maplayers, render
from gui.canvas import symbol_path
from gui.layerpanel import legend_html


def test_station_symbols_are_those_of_the_html_map_and_the_pdf():
    assert render.STATUS_SYMBOLS == webmap.STATUS_SHAPES == {"good": "circle", "weak": "diamond", "none": "square"}
    assert maplayers.station_symbols(["good", "weak", "none", "odd"]) == ["circle", "diamond", "square", "circle"]
    # the three shapes cover about the same area: no status looks bigger
    areas = {"circle": np.pi * (render.SYMBOL_SIZES["circle"] / 2) ** 2,
             "diamond": render.SYMBOL_SIZES["diamond"] ** 2 / 2, "square": render.SYMBOL_SIZES["square"] ** 2}
    assert max(areas.values()) / min(areas.values()) < 1.1, areas


def test_each_station_is_drawn_with_its_status_shape(canvas, tiny):
    layer = canvas.layer("stations")
    statuses = list(tiny.stations["status"])
    assert set(statuses) == {"good", "weak", "none"}
    for item, status in zip(layer.items, statuses, strict=True):
        shape = webmap.STATUS_SHAPES[status]
        assert item.path() == symbol_path(shape, render.SYMBOL_SIZES[shape]), status
        assert item.brush().color() == render.STATUS_COLOURS[status]
    # no other point layer uses a station shape: towers ▲, proposals ★, towns +
    for lid in ("towers", "proposals", "towns"):
        lyr = canvas.layer(lid)
        if lyr is None:
            continue
        for item in lyr.items:
            if item is not None:
                assert all(item.path() != symbol_path(k, item.path().boundingRect().width())
                           for k in ("circle", "diamond", "square")), lid


def test_legend_shows_the_station_shapes():
    html = legend_html({"stations"})
    for status, glyph in (("good", "●"), ("weak", "◆"), ("none", "■")):
        assert f"<span style='color: {render.STATUS_COLOURS[status].name()}'>{glyph}</span>" in html


def _off(c: QColor, bg: QColor) -> bool:
    return abs(c.red() - bg.red()) + abs(c.green() - bg.green()) + abs(c.blue() - bg.blue()) > 120


def test_offscreen_render_shows_the_shapes(canvas, tiny, qtbot):
    """Pixels: each status's marker fills its bounding box like its shape (square ≈ 1, circle ≈ π/4, diamond
    ≈ 1/2, a little more once pixelated), drawn alone on the canvas background."""
    for lyr in canvas.layers():
        canvas.set_layer_visible(lyr.layer_id, lyr.layer_id == "stations")
    canvas.show()
    qtbot.waitExposed(canvas)
    bg = canvas.backgroundBrush().color()
    st = tiny.stations
    found = {}
    for status in ("good", "weak", "none"):
        # a station of this status at least 20 px from every other station
        for k in np.flatnonzero(st["status"] == status):
            g = st.geometry.iloc[k]
            canvas.zoom_to_bounds(g.x - 300, g.y - 300, g.x + 300, g.y + 300)  # 600 m across
            qtbot.wait(20)
            img = canvas.viewport().grab().toImage()
            p = canvas.view_pos(g.x, g.y)
            half = 12
            # pixels clearly off the background (faint antialiased edges left out)
            mask = np.array([[_off(img.pixelColor(p.x() + dx, p.y() + dy), bg)
                              for dx in range(-half, half + 1)] for dy in range(-half, half + 1)])
            if mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any():
                continue  # another marker nearby
            rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            h, w = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
            found[status] = (mask.sum() / (h * w), h, w)
            centre = img.pixelColor(p.x(), p.y())
            assert centre == QColor(render.STATUS_COLOURS[status]), (status, centre.name())
            break
    assert set(found) == {"good", "weak", "none"}, found
    fill = {s: v[0] for s, v in found.items()}
    assert fill["none"] > 0.9 and 0.7 < fill["good"] < 0.88 and fill["weak"] < 0.7, found
    assert all(abs(h - w) <= 1 for _, h, w in found.values()), found
