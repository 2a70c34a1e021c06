"""Attributes and tables: a station without a server shows no best/backup server; fields have readable,
translated labels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from gui import i18n


@pytest.fixture
def shown_servers(window, tiny, qtbot):
    """The tiny results with the pipeline's columns for stations without a server: the strongest tower (below
    the weak threshold) in best_server / backup_server, as the real pipeline writes them."""
    st = tiny.stations.copy()
    st["best_server"] = np.where(st["n_servers"] == 0, "VT-001", st["best_server"])
    st["best_operator"] = np.where(st["n_servers"] == 0, "Viettel", st["best_operator"])
    st["backup_server"] = "VNP-010"
    res = dataclasses.replace(tiny, stations=st)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(res)
    return window, res


def _row(frame, sid):
    return int(np.flatnonzero(frame["id"].to_numpy() == sid)[0])


def test_station_without_server_shows_no_best_or_backup_server(shown_servers, qtbot):
    window, res = shown_servers
    st = res.stations
    none_id = st.loc[st["n_servers"] == 0, "id"].iloc[0]
    row = _row(st, none_id)
    geom = st.geometry.iloc[row]
    with qtbot.waitSignal(window.canvas.featureClicked, timeout=2000):
        QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton,
                         pos=window.canvas.view_pos(geom.x, geom.y))
    attrs = window.attributes_dock.items()
    assert attrs["id"] == none_id
    assert attrs["best_server"] == attrs["backup_server"] == attrs["best_operator"] == "—"
    table = window.results_dock.table("stations")
    ids = table.displayed_column("id")
    best, backup = table.displayed_column("best_server"), table.displayed_column("backup_server")
    n = dict(zip(st["id"], st["n_servers"], strict=True))
    for sid, b, bk in zip(ids, best, backup, strict=True):
        assert (b == "—") == (n[sid] == 0)
        assert (bk == "—") == (n[sid] < 2)  # a backup is a second server
    served = st.loc[st["n_servers"] >= 2, "id"].iloc[0]
    assert backup[ids.index(served)] == "VNP-010"
    assert best[ids.index(served)] == st.loc[st["id"] == served, "best_server"].iloc[0]
    # display only: the data keeps its columns
    assert (window.session.results.stations["best_server"] == st["best_server"]).all()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_tower_and_proposal_fields_have_translated_labels(lang):
    i18n.set_language(lang)
    try:
        for col in ("backup_server", "beamwidth_deg", "front_to_back_db", "mech_tilt_deg", "elec_tilt_deg",
                    "vertical_beamwidth_deg", "candidate", "baseline_status"):
            label = i18n.column_label(col)
            assert label != col and "_" not in label
    finally:
        i18n.set_language("en")
    assert i18n._COLUMNS_EN.keys() == i18n._COLUMNS_VI.keys()


def test_clicked_tower_attributes_use_labels(window, tiny, qtbot):
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(tiny)
    window.set_language("vi")
    window._on_feature_clicked("towers", 0)
    labels = [window.attributes_dock.table.item(r, 0).text() for r in range(window.attributes_dock.table.rowCount())]
    assert "Độ rộng búp sóng (°)" in labels
    assert not [t for t in labels if "_" in t]


def test_vietnamese_wording_matches_the_report_and_reads_naturally(window):
    """QA wording: the GUI said "Độ thông Fresnel" where the PDF says "độ hở Fresnel", "Tối ưu hóa" (a process) for
    who placed a site where the report says "bộ tối ưu", "Khi trạm sự cố" for the failure tab, and "Bảng" (a
    table) for the dock panels."""
    from coverage_planner.i18n import t

    window.set_language("vi")
    try:
        clearance = i18n.column_label("backhaul_clearance")
        assert clearance.lower() in t("report.proposals.note", "vi").lower()
        optimiser = i18n.value_label("placed_by", "optimiser")
        assert optimiser.lower() in t("report.proposals.edited", "vi", changes="").lower()
        assert i18n.tr("If a site fails") == "Khi trạm gặp sự cố"
        assert window.results_dock.tabs.tabText(window.results_dock.tabs.count() - 1) == "Khi trạm gặp sự cố"
        assert window.menu_docks.title() == i18n.tr("Panels") != "Bảng"
    finally:
        i18n.set_language("en")
