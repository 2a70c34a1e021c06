"""Desktop map symbols that must not read as a polling station's status (● good, ◆ weak, ■ none): the user's
sites (added, or proposals moved) are the proposals' star hollow (☆), down towers a red ✕ — as on the HTML map
and the PDF — and stations keep a dark edge that reads on the green level colour in greyscale."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
from PyQt6.QtGui import QColor
from shapely.geometry import Point

from gui import maplayers, render
from gui.canvas import MapCanvas, symbol_path
from gui.layerpanel import legend_html

STATION_SHAPES = ("circle", "diamond", "square")


def _added_site(tiny, dx=2500.0, dy=-2000.0):
    p = tiny.proposals.geometry.iloc[0]
    x, y = p.x + dx, p.y + dy
    return gpd.GeoDataFrame({"site_id": ["U01"], "x": [x], "y": [y]}, geometry=[Point(x, y)], crs=tiny.grid.crs)


def _alone(canvas, qtbot, layer_id, x, y, half=14):
    """RGB pixels (a 2·half+1 square) around map point (x, y), only ``layer_id`` shown, 600 m across."""
    for lyr in canvas.layers():
        canvas.set_layer_visible(lyr.layer_id, lyr.layer_id == layer_id)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.zoom_to_bounds(x - 300, y - 300, x + 300, y + 300)
    qtbot.wait(20)
    img = canvas.viewport().grab().toImage()
    p = canvas.view_pos(x, y)
    return np.array([[img.pixelColor(p.x() + dx, p.y() + dy).getRgb()[:3] for dx in range(-half, half + 1)]
                     for dy in range(-half, half + 1)], float)


def _off(rgb, bg: QColor) -> np.ndarray:
    return np.abs(rgb - np.array(bg.getRgb()[:3], float)).sum(-1) > 120


def test_user_and_moved_sites_are_hollow_stars(canvas, tiny):
    moved = str(tiny.proposals["site_id"].iloc[0])
    maplayers.set_user_sites(canvas, _added_site(tiny), moved=[moved])
    star = symbol_path("star", maplayers.PROPOSAL_SIZE)
    user = canvas.layer("user_sites").items[0]
    assert user.path() == star
    assert all(user.path() != symbol_path(k, user.path().boundingRect().width()) for k in STATION_SHAPES)
    assert user.brush().color() == render.USER_SITE_FILL == QColor("#ffffff")
    assert user.pen().color() == render.PROPOSAL_COLOUR and user.pen().widthF() >= 2.0
    for row, item in enumerate(canvas.layer("proposals").items):
        assert item.path() == star
        hollow = str(tiny.proposals["site_id"].iloc[row]) == moved
        assert item.brush().color() == (render.USER_SITE_FILL if hollow else render.PROPOSAL_COLOUR), row
    # a moved site put back (no longer moved): filled again
    maplayers.set_user_sites(canvas, None, moved=[])
    assert canvas.layer("user_sites") is None
    assert canvas.layer("proposals").items[0].brush().color() == render.PROPOSAL_COLOUR


def test_offscreen_user_site_is_a_white_star_edged_in_purple(canvas, tiny, qtbot):
    """Pixels: white inside, purple edge, and a star's footprint (about half its box: a square fills it all)."""
    site = _added_site(tiny)
    maplayers.set_user_sites(canvas, site)
    rgb = _alone(canvas, qtbot, "user_sites", float(site.x.iloc[0]), float(site.y.iloc[0]))
    h = rgb.shape[0] // 2
    assert (rgb[h - 1:h + 2, h - 1:h + 2] > 245).all()  # hollow: white centre
    purple = np.array(render.PROPOSAL_COLOUR.getRgb()[:3], float)
    assert (np.abs(rgb - purple).sum(-1) < 60).sum() >= 20  # the edge
    mask = _off(rgb, canvas.backgroundBrush().color())
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    fill = mask.sum() / ((rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1))
    assert 0.3 < fill < 0.65, fill


def test_down_towers_are_a_red_x_over_the_others(canvas, tiny, qtbot):
    t = tiny.towers
    down = (t["status"] == "down").to_numpy()
    assert down.sum() == 1 and (~down).sum() >= 3
    items = canvas.layer("towers").items
    for item, is_down in zip(items, down, strict=True):
        if is_down:
            assert item.path() == symbol_path("x", maplayers.DOWN_SIZE)
            assert item.brush().color() == render.DOWN_COLOUR == QColor("#d7191c")
            assert item.pen().color() == QColor("#ffffff")
            assert item.zValue() > max(i.zValue() for i, d in zip(items, down, strict=True) if not d)
        else:
            assert item.path() == symbol_path("triangle", maplayers.TOWER_SIZE)
    # a tower the scenario takes down is a ✕ too
    scen = dataclasses.replace(tiny.scenario, down=(str(t["id"].iloc[0]),))
    style = maplayers.tower_styles(dataclasses.replace(tiny, scenario=scen))
    assert style["symbol"][0] == "x" and style["symbol"][1] == "triangle"
    # pixels: an ✕ fills its diagonals and leaves the middle of each side empty (a triangle or square does not)
    g = t.geometry.iloc[int(np.flatnonzero(down)[0])]
    rgb = _alone(canvas, qtbot, "towers", g.x, g.y)
    h = rgb.shape[0] // 2
    red = np.array(render.DOWN_COLOUR.getRgb()[:3], float)
    assert np.abs(rgb[h, h] - red).sum() < 40
    mask = _off(rgb, canvas.backgroundBrush().color())
    k = 4  # px from the centre
    assert all(mask[h + sy * k, h + sx * k] for sy in (-1, 1) for sx in (-1, 1))  # the four arms
    assert not any(mask[h + dy, h + dx] for dy, dx in ((-6, 0), (6, 0), (0, -6), (0, 6)))  # between the arms


def test_legend_has_the_down_tower_and_the_users_sites():
    html = legend_html({"towers", "proposals"})
    assert f"<span style='color: {render.DOWN_COLOUR.name()}'><b>✕</b></span>" in html
    assert "☆" in html and "Sites you moved or added" in html
    assert "✕" not in legend_html({"stations"})


def test_good_station_edge_reads_on_the_green_level_in_greyscale(qtbot, tiny):
    """Every cell at −50 dBm (the level class of a good station's own green): in greyscale, the marker (fill
    and edge) is clearly darker on average than the level colour around it: 49–64 grey levels with the 1.6 px
    black edge, 30–42 with the former 1.2 px dark grey one."""
    green = dataclasses.replace(tiny, best_level=np.full(tiny.grid.shape, -50.0, np.float32))
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(900, 700)
    maplayers.build_layers(c, green)
    c.finish_pending()
    for lyr in c.layers():
        c.set_layer_visible(lyr.layer_id, lyr.layer_id in ("stations", "coverage", "terrain"))
    c.show()
    qtbot.waitExposed(c)
    st = green.stations
    contrasts = []
    for g in st.geometry[st["status"] == "good"]:
        c.zoom_to_bounds(g.x - 300, g.y - 300, g.x + 300, g.y + 300)
        qtbot.wait(20)
        img = c.viewport().grab().toImage()
        p = c.view_pos(g.x, g.y)
        grey = np.array([[QColor(img.pixel(p.x() + dx, p.y() + dy)).getRgb()[:3] for dx in range(-12, 13)]
                         for dy in range(-12, 13)], float) @ [0.299, 0.587, 0.114]
        d = np.hypot(*np.mgrid[-12:13, -12:13])
        contrasts.append(np.median(grey[(d > 8) & (d <= 12)]) - grey[d <= 5.5].mean())
    assert len(contrasts) >= 3 and min(contrasts) >= 45, np.round(contrasts)
