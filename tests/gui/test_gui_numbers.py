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
