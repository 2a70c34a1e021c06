"""QA: numbers in the language's format (thousands separators, decimal comma in Vietnamese) and translated
choice labels in the Parameters panel."""

from __future__ import annotations

import dataclasses

import pytest
from PyQt6.QtCore import Qt

from gui import i18n
from gui.tablemodel import SORT_ROLE


@pytest.fixture
def big(tiny):
    """The tiny results with province-sized voter counts."""
    st = tiny.stations.copy()
    st["voters"] = st["voters"] * 53  # 420 → 22,260
    props = tiny.proposals.copy()
    props["voters_covered"] = props["voters_covered"] * 53
    return dataclasses.replace(tiny, stations=st, proposals=props)


def test_results_summary_groups_thousands(window, big, qtbot):
    """QA: "225946 cử tri" / "220984 voters" without separators (the Scenario panel shows "6.534"/"6,534")."""
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(big)
    vc, sc = big.voter_counts(), big.station_counts()
    assert vc["good"] >= 1000
    text = window.results_dock.summary.text()
    assert f"{sc['good']} stations, {vc['good']:,} voters" in text and f"{vc['good']} voters" not in text
    window.set_language("vi")
    text = window.results_dock.summary.text()
    assert f"{sc['good']} điểm, {vc['good']:,} cử tri".replace(f"{vc['good']:,}", f"{vc['good']:,}".replace(",", ".")) in text


def test_placement_summary_groups_thousands(window, big, qtbot):
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(big)
    v = int(big.proposals["voters_covered"].sum())
    assert v >= 1000
    assert f"{v:,} voters" in window.placement_dock.summary.text()
    window.set_language("vi")
    assert f"{v:,} cử tri".replace(",", ".") in window.placement_dock.summary.text()


def test_table_floats_use_the_decimal_comma_in_vietnamese_and_sort_as_numbers(shown, qtbot):
    """QA: the tables showed "-87.5" in Vietnamese where the report prints "-87,5"; sorting stays numeric."""
    table = shown.results_dock.table("stations")
    model = table.model
    col = model.columns.index("level_dbm")
    levels = model.frame["level_dbm"].to_numpy(float)
    assert ((levels < -10) & (levels > -100)).any() and (levels < -100).any()  # -87.5 and -100.3: not text order
    k = int(next(i for i, v in enumerate(levels) if v == v))
    assert model.data(model.index(k, col)) == f"{levels[k]:.1f}"
    shown.set_language("vi")
    shown_text = model.data(model.index(k, col))
    assert shown_text == f"{levels[k]:.1f}".replace(".", ",")
    lat = model.columns.index("lat")  # coordinates keep the point, as in the report and the GIS files
    assert "." in model.data(model.index(k, lat))
    proxy = table.view.model()
    proxy.sort(col, Qt.SortOrder.AscendingOrder)
    shown_order = [proxy.data(proxy.index(r, col), SORT_ROLE) for r in range(proxy.rowCount())]
    assert shown_order == sorted(shown_order)  # by value, not by the text "-100,3" < "-87,5" < "-9,5"
    texts = [proxy.data(proxy.index(r, col)) for r in range(proxy.rowCount())]
    assert texts[0] == "—" or texts[0].startswith("-1")  # NaN first, then the weakest levels


def test_parameter_choices_show_translated_labels_and_keep_the_values(window, project_copy, qtbot):
    """QA: the Parameters panel showed the raw choice values "deygout" / "rural" in Vietnamese."""
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        assert window.open_project(project_copy)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    dock = window.params_dock
    model, env = dock.editors[("radio", "model")], dock.editors[("radio", "hata_environment")]
    project = window.session.project
    assert model.currentData() == project.radio.model
    window.set_language("vi")
    labels = [model.itemText(i) for i in range(model.count())]
    assert "Deygout (nhiều vật cản)" in labels and "deygout" not in labels
    assert [env.itemText(i) for i in range(env.count())] == ["Đô thị", "Ngoại ô", "Nông thôn"]
    assert model.currentText() == i18n.VI[{"deygout": "Deygout (multiple edges)", "free_space": "Free space",
                                           "knife_edge": "Single knife edge", "hata": "Okumura–Hata",
                                           "cost231": "COST-231 Hata"}[project.radio.model]]
    # picking a label stores the value; the field is not marked as changed or invalid
    assert env.currentText() == "Nông thôn"  # the project's "rural"
    env.setCurrentIndex(env.findData("urban"))
    assert project.radio.hata_environment == "urban" and ("radio", "hata_environment") not in dock.errors
    model.setCurrentIndex(model.findData("hata"))
    assert project.radio.model == "hata"
    assert not model.property("pending")
    assert dock.edit(("radio", "model"), "cost231") and project.radio.model == "cost231"  # typed values still work
    assert window.save_project()
    text = project_copy.read_text(encoding="utf-8")
    assert 'model = "cost231"' in text and 'hata_environment = "urban"' in text  # the values, not the labels
    window.set_language("en")
    model, env = dock.editors[("radio", "model")], dock.editors[("radio", "hata_environment")]
    assert model.currentText() == "COST-231 Hata" and env.currentText() == "Urban" and env.currentData() == "urban"


@pytest.mark.parametrize(("lang", "column", "value", "expected"), [
    ("vi", "elevation_m", 1355.0, "1.355"),  # whole metres, grouped (was "1.355,0" in the table, "1355" on click)
    ("en", "elevation_m", 1355.4, "1,355"),
    ("vi", "level_dbm", -87.5, "-87,5"),
    ("vi", "level_dbm", -5.25, "-5,2"),  # levels to 0.1 dB whatever their size
    ("vi", "voters_covered", 11228, "11.228"),
    ("en", "voters_covered", 11228.0, "11,228"),  # a count made float by a missing value stays whole
    ("vi", "backhaul_distance_km", 4.256, "4,26"),
    ("vi", "backhaul_distance_km", 12.34, "12,3"),
    ("vi", "mast_height_m", 30.0, "30"),  # no useless ",0" (as the mast field of the Placement panel)
    ("vi", "mast_height_m", 22.5, "22,5"),
    ("en", "height_m", 30.04, "30"),
    ("en", "height_m", 32.5, "32.5"),
    ("vi", "lat", 21.001623, "21.00162"),  # coordinates keep the point, as in the report and the GIS files
    ("vi", "x", 311625.0, "311625"),
    ("vi", "source_row", 1204, "1204"),
    ("vi", "level_dbm", float("nan"), "—"),
    ("vi", "priority", 2.0, "2"),  # a whole priority weight (was "2,00")
    ("vi", "priority", 1.5, "1,50"),
])
def test_number_text_per_column(lang, column, value, expected):
    i18n.set_language(lang)
    try:
        assert i18n.number_text(column, value) == expected
    finally:
        i18n.set_language("en")


def test_tables_group_whole_numbers_and_show_whole_metres(window, big, qtbot):
    """QA: "7048" next to "225.946" (integers without separator) and elevation "1.355,0" in Vietnamese."""
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(big)
    window.set_language("vi")
    table = window.results_dock.table("stations")
    voters = dict(zip(big.stations["id"], big.stations["voters"], strict=True))
    big_one = next(sid for sid, v in voters.items() if v >= 1000)
    shown = dict(zip(table.displayed_column("id"), table.displayed_column("voters"), strict=True))
    assert shown[big_one] == f"{voters[big_one]:,}".replace(",", ".")
    props = window.results_dock.table("proposals")
    elev = big.proposals["elevation_m"].to_numpy(float)
    assert props.displayed_column("elevation_m")[0] == f"{elev[0]:,.0f}".replace(",", ".")
    assert all("," not in t for t in props.displayed_column("elevation_m"))


def test_attributes_panel_uses_the_language_number_format(window, big, qtbot):
    """QA: the Attributes panel showed "20.00", "-87.50", "1355", "11228" in Vietnamese."""
    props = big.proposals.copy()
    props["elevation_m"] = 1355.0
    res = dataclasses.replace(big, proposals=props)
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(res)
    window.set_language("vi")
    window._on_feature_clicked("proposals", 0)
    attrs = window.attributes_dock.items()
    assert attrs["elevation_m"] == "1.355"
    v = int(props["voters_covered"].iloc[0])
    assert v >= 1000 and attrs["voters_covered"] == f"{v:,}".replace(",", ".")
    st = res.stations
    row = int(next(i for i, lv in enumerate(st["level_dbm"]) if lv == lv and not float(lv).is_integer()))
    window._on_feature_clicked("stations", row)
    attrs = window.attributes_dock.items()
    assert attrs["level_dbm"] == f"{float(st['level_dbm'].iloc[row]):.1f}".replace(".", ",")
    assert attrs["lat"] == f"{float(st['lat'].iloc[row]):.5f}"
    window.set_language("en")  # follows a switch
    assert window.attributes_dock.items()["level_dbm"] == f"{float(st['level_dbm'].iloc[row]):.1f}"
