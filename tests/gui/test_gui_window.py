"""Main window with a hand-built Results: map layers, layer panel, results tables, clicks, zoom, language."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QWheelEvent
from PyQt6.QtTest import QTest

from gui import i18n
from gui.docks import RESULT_TABS, guess_input_key

REPO = Path(__file__).resolve().parents[2]


def _station_row(tiny, sid):
    return int(np.flatnonzero(tiny.stations["id"].to_numpy() == sid)[0])


def test_layers_are_built_in_drawing_order(shown, tiny):
    ids = [lyr.layer_id for lyr in shown.canvas.layers()]
    assert ids == ["proposals", "stations", "towers", "border", "communes", "gaps", "proposal_coverage",
                   "coverage", "terrain"]
    z = [lyr.root.zValue() for lyr in shown.canvas.layers()]
    assert z == sorted(z, reverse=True)
    assert len([i for i in shown.canvas.layer("stations").items if i is not None]) == len(tiny.stations)
    # the layer panel lists the same layers, top first, with visibility ticks
    assert shown.layer_panel.layer_ids() == ids
    gaps_item = shown.layer_panel.list.item(ids.index("gaps"))
    assert gaps_item.checkState() == Qt.CheckState.Unchecked  # gaps start hidden
    # the coverage raster sits on the analysis grid (scene y = -northing)
    pix = shown.canvas.layer("coverage").items[0]
    rect = pix.sceneBoundingRect()
    xmin, ymin, xmax, ymax = tiny.grid.bounds
    assert rect.left() == pytest.approx(xmin) and rect.right() == pytest.approx(xmax)
    assert rect.top() == pytest.approx(-ymax) and rect.bottom() == pytest.approx(-ymin)


def test_layer_panel_controls_visibility_opacity_and_order(shown):
    panel, canvas = shown.layer_panel, shown.canvas
    row = panel.layer_ids().index("stations")
    panel.list.item(row).setCheckState(Qt.CheckState.Unchecked)
    assert not canvas.layer("stations").visible
    panel.list.setCurrentRow(panel.layer_ids().index("coverage"))
    panel.opacity.setValue(30)
    assert canvas.layer("coverage").opacity == pytest.approx(0.30)
    before = panel.layer_ids()
    panel.list.setCurrentRow(before.index("coverage"))
    panel.move_selected(-1)  # up one
    after = [lyr.layer_id for lyr in canvas.layers()]
    i = before.index("coverage")
    assert after[i - 1] == "coverage" and after[i] == before[i - 1]
    assert canvas.layer("coverage").root.zValue() > canvas.layer(before[i - 1]).root.zValue()
    assert panel.layer_ids() == after


def test_results_table_matches_the_results(shown, tiny):
    table = shown.results_dock.table("stations")
    assert table.model.rowCount() == len(tiny.stations)
    assert table.displayed_column("id") == list(tiny.stations["id"])
    # status is shown translated, from the results' status column
    assert table.displayed_column("status") == [{"good": "Good", "weak": "Weak", "none": "No signal"}[s]
                                                for s in tiny.stations["status"]]
    counts = tiny.station_counts()
    assert f"{counts['none']} stations" in shown.results_dock.summary.text()
    props = shown.results_dock.table("proposals")
    assert props.displayed_column("site_id") == list(tiny.proposals["site_id"])


def test_results_table_sorts_numbers_as_numbers_and_filters(shown, tiny):
    table = shown.results_dock.table("stations")
    col = table.model.columns.index("voters")
    table.view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    shown_voters = [int(v) for v in table.displayed_column("voters")]
    assert shown_voters == sorted(tiny.stations["voters"], reverse=True)
    table.filter.setText("mường nhé")  # case-insensitive, any column (here: commune and a name)
    expected = tiny.stations[tiny.stations.apply(
        lambda r: any("mường nhé" in str(v).casefold() for k, v in r.items() if k != "geometry"), axis=1)]
    assert table.proxy.rowCount() == len(expected) > 0
    assert sorted(table.displayed_column("id")) == sorted(expected["id"])


def test_selecting_a_row_zooms_the_map_to_the_feature(shown, tiny, qtbot):
    table = shown.results_dock.table("stations")
    row = _station_row(tiny, "PS07")
    table.view.selectRow(row)
    geom = tiny.stations.geometry.iloc[row]
    cx, cy = shown.canvas.center_xy()
    assert abs(cx - geom.x) < 100 and abs(cy - geom.y) < 100
    assert shown.canvas.metres_per_pixel() < 20  # zoomed in well beyond the full extent (~40 m/px)
    assert shown.canvas.highlighted() == ("stations", row)


def test_clicking_a_station_shows_its_attributes_and_selects_its_row(shown, tiny, qtbot):
    row = _station_row(tiny, "PS04")
    geom = tiny.stations.geometry.iloc[row]
    pos = shown.canvas.view_pos(geom.x, geom.y)
    with qtbot.waitSignal(shown.canvas.featureClicked, timeout=2000) as blocker:
        QTest.mouseClick(shown.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["stations", row]
    attrs = shown.attributes_dock.items()
    assert attrs["id"] == "PS04"
    assert attrs["name"] == tiny.stations["name"].iloc[row]
    # to 0.1 dB, as the table shows it
    assert float(attrs["level_dbm"]) == pytest.approx(tiny.stations["level_dbm"].iloc[row], abs=0.051)
    table = shown.results_dock.table("stations")
    sel = table.view.selectionModel().selectedRows()
    assert len(sel) == 1 and table.displayed_column("id")[sel[0].row()] == "PS04"


def test_clicking_empty_map_shows_the_cell_values(shown, tiny, qtbot):
    x, y = 295_000.0, 2_372_000.0
    shown.canvas.set_layer_visible("communes", False)  # else the click picks the commune polygon
    with qtbot.waitSignal(shown.canvas.mapClicked, timeout=2000):
        QTest.mouseClick(shown.canvas.viewport(), Qt.MouseButton.LeftButton, pos=shown.canvas.view_pos(x, y))
    vals = shown.attributes_dock.values()
    assert vals["x"] == pytest.approx(x, abs=shown.canvas.metres_per_pixel())
    r, c = tiny.grid.rowcol(vals["x"], vals["y"])
    r, c = int(np.floor(r + 0.5)), int(np.floor(c + 0.5))
    assert vals["elevation_m"] == pytest.approx(float(tiny.dem[r, c]))
    assert vals["level_dbm"] == pytest.approx(float(tiny.best_level[r, c]))
    assert shown.attributes_dock.items()["elevation_m"] == f"{tiny.dem[r, c]:,.0f}"  # whole metres, grouped


def test_status_bar_shows_lat_lon_and_utm_of_the_cursor(shown, tiny, qtbot):
    x, y = 290_000.0, 2_370_000.0
    QTest.mouseMove(shown.canvas.viewport(), shown.canvas.view_pos(x, y))
    qtbot.waitUntil(lambda: "UTM" in shown.coord_label.text(), timeout=2000)
    text = shown.coord_label.text()
    mx, my = shown.canvas.map_xy(shown.canvas.view_pos(x, y))
    lon, lat = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True).transform(mx, my)
    assert f"{lat:.5f}° N" in text and f"{lon:.5f}° E" in text
    assert "UTM 48N" in text
    assert f"E {mx:,.0f}".replace(",", " ") in text


def test_wheel_zooms_about_the_cursor(shown, qtbot):
    canvas = shown.canvas
    pos = QPoint(canvas.viewport().width() // 3, canvas.viewport().height() // 3)
    before_xy = canvas.map_xy(pos)
    mpp = canvas.metres_per_pixel()
    ev = QWheelEvent(QPointF(pos), QPointF(canvas.viewport().mapToGlobal(pos)), QPoint(0, 0), QPoint(0, 240),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    canvas.wheelEvent(ev)
    assert canvas.metres_per_pixel() == pytest.approx(mpp / 1.25 ** 2, rel=1e-6)
    after_xy = canvas.map_xy(pos)
    assert abs(after_xy[0] - before_xy[0]) < 2 * mpp and abs(after_xy[1] - before_xy[1]) < 2 * mpp


def test_drag_pans_the_map(shown, qtbot):
    canvas = shown.canvas
    vp = canvas.viewport()
    canvas.zoom_by(4.0)
    cx0, cy0 = canvas.center_xy()
    mpp = canvas.metres_per_pixel()
    start = QPoint(vp.width() // 2 + 37, vp.height() // 2 + 11)  # a spot without features is not needed: pan
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):
        QTest.mouseMove(vp, start + QPoint(10 * step, 5 * step))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(100, 50))
    cx1, cy1 = canvas.center_xy()
    assert cx1 - cx0 == pytest.approx(-100 * mpp, abs=3 * mpp)  # content follows the mouse
    assert cy1 - cy0 == pytest.approx(50 * mpp, abs=3 * mpp)


def test_switching_to_vietnamese_translates_menus_docks_layers_and_headers(shown):
    shown.set_language("vi")
    assert shown.menu_file.title() == "&Tệp"
    assert shown.docks["results"].windowTitle() == "Kết quả"
    assert shown.canvas.layer("stations").title == "Điểm bỏ phiếu"
    assert shown.layer_panel.list.item(shown.layer_panel.layer_ids().index("stations")).text() == "Điểm bỏ phiếu"
    table = shown.results_dock.table("stations")
    headers = [table.model.headerData(c, Qt.Orientation.Horizontal) for c in range(table.model.columnCount())]
    assert "Trạng thái" in headers and "Cử tri" in headers
    assert "Không có sóng" in table.displayed_column("status")
    assert shown.settings.value("language") == "vi"
    shown.set_language("en")
    assert shown.menu_file.title() == "&File"
    assert shown.canvas.layer("stations").title == "Polling stations"


def test_default_language_follows_the_system_locale(monkeypatch):
    from PyQt6.QtCore import QLocale

    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.Vietnamese)))
    assert i18n.default_language() == "vi"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale(QLocale.Language.French)))
    assert i18n.default_language() == "en"


def test_every_gui_string_has_a_vietnamese_translation():
    from gui import docks, mainwindow, maplayers

    keys = set()
    for path in (REPO / "gui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if (isinstance(node, ast.Call) and name in ("tr", "Msg") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                keys.add(node.args[0].value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "plural":  # plural(n, one, many)
                keys |= {a.value for a in node.args[1:] if isinstance(a, ast.Constant)}
    for table in (docks.INPUT_LABELS, docks.PARAM_LABELS, docks.CHOICE_LABELS, docks.SECTION_LABELS,
                  maplayers.LAYER_TITLES, i18n.STAGE_LABELS, i18n.TASK_LABELS, i18n.SCENARIO_NAMES, mainwindow.DOCK_TITLES):
        keys |= set(table.values())
    assert len(keys) > 100
    missing = sorted(k for k in keys if k not in i18n.VI)
    assert not missing, missing
    # placeholders survive translation
    import re

    for en, vi in i18n.VI.items():
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", vi)), en


def test_window_remembers_its_layout(make_window, settings, qtbot):
    from gui.mainwindow import MainWindow

    w = make_window(size=(777, 555))  # the offscreen screen is 800x600: stay inside it
    w.docks["attributes"].hide()
    w.close()  # saves geometry and dock state
    assert settings.value("geometry") is not None
    w2 = MainWindow(settings=settings)  # restores in its constructor
    qtbot.addWidget(w2)
    assert (w2.size().width(), w2.size().height()) == (w.size().width(), w.size().height()) == (777, 555)
    assert w2.docks["attributes"].isHidden()
    assert not w2.docks["results"].isHidden()


@pytest.mark.parametrize("name,key", [("BTS_Viettel.csv", "towers"), ("polling_stations.xlsx", "stations"),
                                      ("ranh_gioi_xa.geojson", "communes"), ("N21E103.hgt", "terrain"),
                                      ("dem.tif", "terrain"), ("notes.csv", None)])
def test_dropped_files_are_recognised_by_name(name, key):
    assert guess_input_key(name) == key


def test_result_tabs_are_filled_when_first_opened(shown, tiny):
    dock = shown.results_dock
    assert dock.tables["gaps"].model.rowCount() == 0  # not opened yet: not filled
    dock.tabs.setCurrentIndex([key for key, *_ in RESULT_TABS].index("gaps"))
    assert dock.tables["gaps"].model.rowCount() == len(tiny.gaps) > 0


def test_layer_panel_shows_a_legend_in_the_map_palette(shown):
    from coverage_planner.webmap import LEVEL_CLASSES

    html = shown.layer_panel.legend.text()
    for _lo, colour in LEVEL_CLASSES:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert f"rgb({r},{g},{b})" in html
    assert "&lt; −105 dBm" in html and "No signal" in html
    shown.set_language("vi")
    assert "Không có sóng" in shown.layer_panel.legend.text()


def test_parameter_labels_for_keys_without_a_label_are_readable():
    from gui.docks import param_label

    assert param_label("mast_height_m") == "Mast height (m)"
    assert param_label("solver_time_limit_s") == "Solver time limit (s)"
    assert param_label("some_new_setting_dbm") == "Some new setting (dBm)"
    assert param_label("colour") == "Colour"


def test_scale_bar_has_a_round_length_matching_the_zoom(shown):
    canvas = shown.canvas
    for factor in (1.0, 3.0, 10.0):
        canvas.zoom_by(factor)
        length, px = canvas.scale_bar()
        mantissa = length / 10 ** np.floor(np.log10(length))
        assert mantissa in (1.0, 2.0, 5.0)
        assert px == pytest.approx(length / canvas.metres_per_pixel(), abs=1)
        assert 48 <= px <= 120
    img = canvas.viewport().grab().toImage()  # the bar is drawn (dark pixels near the bottom-left corner)
    c = img.pixelColor(12 + px // 2, img.height() - 14)
    assert c.red() < 80 and c.green() < 80 and c.blue() < 80
