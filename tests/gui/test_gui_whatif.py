"""After moving or adding sites, the Placement summary and the Proposed sites table show the current sites;
the status bar names tasks in the interface language and drops the previous task's message."""

from __future__ import annotations

import pytest

from gui.session import UserSite
from gui.tablemodel import ROW_ROLE


def _covered(tiny, row):
    return [s for s in str(tiny.proposals["stations_covered"].iloc[row]).split(";") if s]


def test_summary_and_table_follow_a_moved_proposed_site(shown, tiny):
    props = tiny.proposals
    union = set()
    for row in range(len(props)):
        union.update(_covered(tiny, row))
    text = shown.placement_dock.summary.text()
    assert text.startswith(f"Optimiser's proposal: {len(props)} sites · {len(union)} more polling station")
    assert "Current sites" not in text

    sid = str(props["site_id"].iloc[0])
    x, y = float(props["x"].iloc[0]) + 1500.0, float(props["y"].iloc[0]) - 800.0
    reached = [s for s in tiny.stations["id"] if s not in union][:1]  # the moved site now reaches one station
    shown.session.put_site(UserSite(sid, x, y, 30.0, origin="proposal", level=object(), covered=reached))

    others = set()
    for row in range(1, len(props)):
        others.update(_covered(tiny, row))
    current = others | set(reached)
    voters = int(tiny.stations.loc[tiny.stations["id"].isin(current), "voters"].sum())
    lines = shown.placement_dock.summary.text().split("\n")
    assert lines[0].startswith("Optimiser's proposal:")  # the optimiser's result is still stated as such
    assert lines[1] == (f"Current sites (with your changes): {len(props)} sites · {len(current)} more polling "
                        f"station{'s' if len(current) != 1 else ''} reached · {voters} voters")
    item = shown.placement_dock.sites.item(0).text()
    assert item == f"{sid} (Proposed site moved): 1 station reached"  # singular

    table = shown.results_dock.table("proposals")
    assert table.displayed_column("site_id")[0] == sid
    assert table.displayed_column("x")[0] == f"{x:.0f}" and table.displayed_column("y")[0] == f"{y:.0f}"
    assert table.displayed_column("n_stations")[0] == "1"
    assert table.displayed_column("backhaul")[0] == "Not checked yet"  # no check of its own (yet)
    assert table.displayed_column("x")[1] == f"{props['x'].iloc[1]:.0f}"  # unmoved sites unchanged
    # the map's attributes of the moved star say the same
    shown._on_feature_clicked("proposals", 0)
    assert shown.attributes_dock.values()["x"] == pytest.approx(x)
    assert shown.attributes_dock.values()["n_stations"] == 1
    # the results are not changed (display only); removing the site restores the proposal
    assert float(shown.session.results.proposals["x"].iloc[0]) == float(props["x"].iloc[0])
    shown.session.remove_site(sid)
    assert shown.results_dock.table("proposals").displayed_column("x")[0] == f"{props['x'].iloc[0]:.0f}"
    assert "Current sites" not in shown.placement_dock.summary.text()


def test_pending_site_is_marked_computing_and_vietnamese_has_one_form(shown, tiny):
    shown.session.put_site(UserSite("U01", float(tiny.proposals["x"].iloc[0]), float(tiny.proposals["y"].iloc[0]),
                                    30.0, origin="added"))
    assert "(computing…)" in shown.placement_dock.summary.text()
    shown.set_language("vi")
    shown.session.put_site(UserSite("U01", 290_000.0, 2_370_000.0, 30.0, origin="added", level=object(),
                                    covered=["PS06"]))
    assert shown.placement_dock.sites.item(0).text().endswith("phủ 1 điểm")
    assert "Các vị trí hiện tại" in shown.placement_dock.summary.text()


def test_export_waits_for_sites_being_computed(shown, tiny, tmp_path):
    shown.session.put_site(UserSite("U01", float(tiny.proposals["x"].iloc[0]), float(tiny.proposals["y"].iloc[0]),
                                    30.0, origin="added"))  # level None: still being computed
    errors = []
    shown.errorShown.connect(lambda title, text: errors.append(title))
    assert not shown.export_html(tmp_path / "m.html")
    assert errors == ["Sites still being computed"] and not (tmp_path / "m.html").exists()
    assert not shown.runner.is_running()


@pytest.mark.parametrize("lang,name,expected", [
    ("en", "run", "Running the analysis…"), ("vi", "run", "Đang chạy phân tích…"),
    ("en", "export_html", "Exporting the HTML map…"), ("vi", "export_pdf", "Đang viết báo cáo PDF…"),
    ("vi", "export_gis", "Đang xuất tệp GIS…"), ("vi", "check", "Đang kiểm tra dữ liệu…"),
])
def test_task_names_are_translated_in_the_status_bar(make_window, lang, name, expected):
    win = make_window(lang)
    win._on_task_started(name)
    assert win.stage_label.text() == expected


def test_new_task_clears_the_previous_written_message(window, tmp_path):
    window._on_task_finished("export_html", ("html", str(tmp_path / "map.html")))
    assert "map.html" in window.statusBar().currentMessage()
    window._on_task_started("export_pdf")
    assert window.statusBar().currentMessage() == ""
    assert window.stage_label.text() == "Writing the PDF report…"


def test_export_progress_names_the_export(make_window):
    win = make_window("vi")
    win._on_task_started("export_pdf")
    win._on_progress("export_pdf", 0.0, "", float("nan"))
    assert win.stage_label.text() == "Đang viết báo cáo PDF"


def test_a_site_outside_the_terrain_is_refused_at_the_click(shown, tiny):
    """QA: a site added outside the DEM stayed "computing…" forever and blocked every later site and export."""
    from types import SimpleNamespace

    if shown.session.project is None:  # results shown without a project: the mast height is all a site needs
        shown.session.project = SimpleNamespace(placement=SimpleNamespace(mast_height_m=20.0))
    errors = []
    shown.errorShown.connect(lambda title, text: errors.append(title))
    xmin, ymin, xmax, ymax = tiny.grid.bounds
    assert shown.add_site_at(xmax + 5000.0, ymax + 5000.0) is None
    assert errors == ["Outside the terrain"] and not shown.session.user_sites and not shown.runner.is_running()
    # dragging a proposed site off the terrain puts it back
    x0, y0 = float(tiny.proposals["x"].iloc[0]), float(tiny.proposals["y"].iloc[0])
    shown._on_feature_dragged("proposals", 0, xmin - 3000.0, y0)
    assert errors[-1] == "Outside the terrain" and not shown.session.user_sites
    item = shown.canvas.layer("proposals").items[0]
    assert item.pos().x() == pytest.approx(x0) and -item.pos().y() == pytest.approx(y0)


def test_added_site_shows_its_backhaul_and_reach_where_the_proposals_do(shown, tiny, qtbot):
    """QA: an added site's backhaul ("needs satellite") was computed but shown nowhere: not on click, not in the
    Proposed sites table (proposals only), not in the Placement list ("U01 (Added on the map): 0 stations")."""
    props = tiny.proposals
    reached = [str(tiny.stations["id"].iloc[-1])]
    satellite = {"backhaul": "needs satellite", "backhaul_tower": "", "backhaul_distance_km": float("nan"),
                 "backhaul_clearance": float("nan")}
    shown.session.put_site(UserSite("U01", float(props["x"].iloc[0]) + 900.0, float(props["y"].iloc[0]), 30.0,
                                    origin="added", level=object(), covered=reached, backhaul=satellite))
    microwave = {"backhaul": "ok", "backhaul_tower": "VT-001", "backhaul_distance_km": 12.34,
                 "backhaul_clearance": 0.8}
    sid = str(props["site_id"].iloc[1])
    shown.session.put_site(UserSite(sid, float(props["x"].iloc[1]) + 500.0, float(props["y"].iloc[1]), 30.0,
                                    origin="proposal", level=object(), covered=[], backhaul=microwave))
    shown._redraw_user_sites()  # as _apply_sites does when the worker's check arrives

    # the Placement list
    items = [shown.placement_dock.sites.item(i).text() for i in range(shown.placement_dock.sites.count())]
    assert items == ["U01 (Added on the map): 1 station reached · Needs satellite",
                     f"{sid} (Proposed site moved): 0 stations reached · Microwave OK (VT-001, 12.3 km)"]
    # the Proposed sites table: the added site after the proposals, with who placed each site, as the exports
    table = shown.results_dock.table("proposals")
    ids = table.displayed_column("site_id")
    assert ids[:len(props)] == [str(s) for s in props["site_id"]] and ids[len(props):] == ["U01"]
    placed = table.displayed_column("placed_by")
    assert placed[0] == "Optimiser" and placed[1] == "Moved by you" and placed[-1] == "Added by you"
    assert table.displayed_column("backhaul")[-1] == "Needs satellite"
    assert table.displayed_column("backhaul")[1] == "Microwave OK"
    assert table.displayed_column("backhaul_tower")[1] == "VT-001"
    assert table.displayed_column("stations_in_reach")[-1] == reached[0]
    # its row selects the added star on the map, and the star's click selects its row
    picked = []
    shown.results_dock.featureSelected.connect(lambda lid, row: picked.append((lid, row)))
    table.view.selectRow(table.proxy.mapFromSource(table.model.index(len(props), 0)).row())  # a user's click
    assert picked[-1] == ("user_sites", 0)
    table.view.selectRow(table.proxy.mapFromSource(table.model.index(0, 0)).row())
    assert picked[-1] == ("proposals", 0)
    # the attributes of the added star; the click selects its row in the table
    shown._on_feature_clicked("user_sites", 0)
    selected = table.view.selectionModel().selectedRows()
    assert [table.proxy.data(i, ROW_ROLE) for i in selected] == [len(props)]
    attrs = shown.attributes_dock.items()
    assert attrs["site_id"] == "U01" and attrs["backhaul"] == "Needs satellite"
    assert attrs["n_stations"] == "1"
    shown.set_language("vi")
    attrs = shown.attributes_dock.items()
    assert attrs["backhaul"] == "Cần truyền dẫn vệ tinh"
    assert shown.placement_dock.sites.item(0).text() == "U01 (Thêm trên bản đồ): phủ 1 điểm · Cần truyền dẫn vệ tinh"
    assert shown.results_dock.table("proposals").displayed_column("placed_by")[0] == "Bộ tối ưu"
