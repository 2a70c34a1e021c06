"""The desktop app's tables and the scenario's list of lost stations sort names in Vietnamese order, as the
report and the map (QA: "số 10" before "số 2", "Phường Điện Biên Phủ" after "Phường Mường Thanh")."""

from __future__ import annotations

import dataclasses

import pandas as pd
from PyQt6.QtCore import Qt

from gui.tablemodel import DataFrameModel, FrameFilterProxy


def test_table_sorts_names_in_vietnamese_order(qtbot):
    names = ["Phường Mường Thanh", "Xã Mường Luân", "Phường Điện Biên Phủ", "Xã Mường Lạn", "Bản số 10", "Bản số 2",
             "bản số 1"]
    model = DataFrameModel(pd.DataFrame({"name": names, "voters": [5, 40, 300, 2, 10, 1, 7]}))
    proxy = FrameFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    shown = [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    assert shown == ["bản số 1", "Bản số 2", "Bản số 10", "Phường Điện Biên Phủ", "Phường Mường Thanh", "Xã Mường Lạn",
                     "Xã Mường Luân"]
    proxy.sort(1, Qt.SortOrder.AscendingOrder)  # numbers stay numbers
    assert [proxy.data(proxy.index(r, 1)) for r in range(proxy.rowCount())] == ["1", "2", "5", "7", "10", "40", "300"]


def test_scenario_dock_lists_lost_stations_by_ward_then_number(window, qtbot):
    from tests.coverage_planner.tiny_results import tiny_results

    res = tiny_results(scenario_down=("VT-002",))
    st = res.stations.copy()
    lost = st["id"].isin(res.newly_uncovered).to_numpy()
    assert lost.sum() == 2
    # two lost stations whose raw order (code points) is the wrong one: Mường Thanh, then Điện Biên Phủ
    st.loc[lost, "commune"] = ["Phường Mường Thanh", "Phường Điện Biên Phủ"]
    st.loc[lost, "name"] = ["Khu vực bỏ phiếu số 2", "Khu vực bỏ phiếu số 10"]
    ids = list(st.loc[lost, "id"])
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(dataclasses.replace(res, stations=st))
    dock = window.scenario_dock.lost
    assert [dock.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dock.count())] == ids[::-1]
