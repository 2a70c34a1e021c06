"""The core's sentences in the result tables (why no site reaches a station, why a failure has no restoring site)
shown in the GUI's language, as the PDF report shows them.

QA found the "Unreachable" tab listing its reasons in English in a Vietnamese window. The reasons and notes
here are the core's own wording: :func:`analysis.placement.unreachable_reason` for the unreachable stations,
the contingency stage's notes for the plan (``coverage_planner.pipeline._contingency_stage``).
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
from PyQt6.QtCore import Qt

from analysis.placement import unreachable_reason
from coverage_planner.i18n import translate_message
from coverage_planner.pipeline import CONTINGENCY_COLUMNS


def _reasons(n: int) -> list[str]:
    """``n`` reasons in the core's words, one of each kind (cycled): exact loss at a proposed site with the
    quick estimate for the others, free space alone, the quick estimate only, no candidate in the radius."""
    kinds = [
        dict(n_exact=3, exact_loss_db=141.26, exact_site="MS-01", exact_km=4.26, n_screen=812, screen_loss_db=139.04),
        dict(n_exact=1),
        dict(n_screen=96, screen_loss_db=150.55),
        dict(),
        dict(n_exact=2, exact_loss_db=133.5, exact_site="C12_95", exact_km=9.95),
    ]
    return [unreachable_reason(127.35, **kinds[i % len(kinds)]) for i in range(n)]


#: The contingency plan's notes (pipeline._contingency_stage): none when a site restores the stations.
NOTES = ["", "no candidate site reaches these stations with a good level",
         "these stations have priority weight 0: not planned for"]


@pytest.fixture(scope="module")
def res():
    """The tiny results with the core's reasons and a contingency plan of three failing sites."""
    from tests.coverage_planner.tiny_results import tiny_results

    base = tiny_results()
    unreachable = base.unreachable.assign(reason=_reasons(len(base.unreachable)))
    rows = [{c: "" for c in CONTINGENCY_COLUMNS} | dict(site=f"VTL-00{i + 1}", operator="viettel", n_lost=i + 1,
                                                        voters_lost=100 * (i + 1), n_restored=0, note=note)
            for i, note in enumerate(NOTES)]
    contingency = gpd.GeoDataFrame(pd.DataFrame(rows, columns=CONTINGENCY_COLUMNS), geometry=[None] * len(rows))
    return dataclasses.replace(base, unreachable=unreachable, contingency=contingency)


def _show(window, res, qtbot):
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(res)


def test_unreachable_reasons_follow_the_gui_language(make_window, res, qtbot, tmp_path):
    reasons = list(res.unreachable["reason"])
    vi = [translate_message(r, "vi") for r in reasons]
    assert all(v != r for v, r in zip(vi, reasons, strict=True))  # every kind has a Vietnamese pattern
    w = make_window("vi")
    _show(w, res, qtbot)
    dock = w.results_dock
    dock.tabs.setCurrentIndex(next(i for i in range(dock.tabs.count()) if dock.tabs.widget(i) is dock.tables["unreachable"]))
    table = dock.table("unreachable")
    assert table.model.headerData(table.model.columns.index("reason"), Qt.Orientation.Horizontal) == "Lý do"
    assert table.displayed_column("reason") == vi
    assert table.displayed_column("reason")[0].startswith("bị địa hình che khuất: đã kiểm tra 3 vị trí ứng viên")
    assert "MS-01 (cách 4,3 km)" in vi[0]  # numbers the Vietnamese way, as in the PDF
    # the reasons fill the table's width (other columns stop at 260 px), the whole sentence is in the tooltip
    c = table.model.columns.index("reason")
    hdr = table.view.horizontalHeader()
    qtbot.waitUntil(lambda: hdr.sectionViewportPosition(c) + hdr.sectionSize(c) == table.view.viewport().width())
    assert hdr.sectionSize(c) > 400
    tip = table.proxy.data(table.proxy.index(0, c), Qt.ItemDataRole.ToolTipRole)
    assert vi[0] in tip and "terrain shadow" not in tip
    # the filter finds the shown (Vietnamese) words
    table.filter.setText("ngoài tầm phủ")
    assert table.proxy.rowCount() == sum(v.startswith("ngoài tầm phủ") for v in vi) >= 1
    table.filter.clear()
    w.grab().save(str(tmp_path / "unreachable_vi.png"))
    # switching to English shows the core's own words; back to Vietnamese, translated again
    w.set_language("en")
    assert table.displayed_column("reason") == reasons
    assert "terrain shadow" in table.proxy.data(table.proxy.index(0, c), Qt.ItemDataRole.ToolTipRole)
    w.grab().save(str(tmp_path / "unreachable_en.png"))
    w.set_language("vi")
    assert table.displayed_column("reason") == vi


def test_contingency_notes_follow_the_gui_language(make_window, res, qtbot):
    w = make_window("vi")
    _show(w, res, qtbot)
    table = w.results_dock.table("contingency")
    shown = table.displayed_column("note")
    assert shown == [translate_message(n, "vi") for n in NOTES]
    assert shown[0] == "" and all(s and s != n for s, n in zip(shown[1:], NOTES[1:], strict=True))
    assert shown[2].startswith("các điểm này có trọng số ưu tiên bằng 0")
    w.set_language("en")
    assert table.displayed_column("note") == NOTES


def test_an_unknown_sentence_is_shown_as_it_is(make_window, res, qtbot):
    """A reason no pattern knows (a newer core) is shown in English rather than dropped."""
    odd = "a reason this version does not know"
    w = make_window("vi")
    _show(w, dataclasses.replace(res, unreachable=res.unreachable.assign(reason=odd)), qtbot)
    assert set(w.results_dock.table("unreachable").displayed_column("reason")) == {odd}
