"""QA (fresh-eyes pass): numbers typed and shown in the form follow the GUI language (the mast height showed Qt's
"20.0", the parameters "1.5" in Vietnamese), and the window title's "*" counts the sites moved or added on the
map, which closing the window would lose (the close prompt already asked about them)."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from gui.session import UserSite
from tests.gui.test_gui_project import _open_and_check


# --------------------------------------------------------------------------------------------------------------
# the mast height of a site
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, whole, half", [("vi", "20", "22,5"), ("en", "20", "22.5")])
def test_mast_height_in_the_language_without_a_useless_zero(make_window, project_copy, qtbot, lang, whole, half):
    window = make_window(lang)
    _open_and_check(window, project_copy, qtbot)
    mast = window.placement_dock.mast
    assert window.session.project.placement.mast_height_m == 20.0
    assert mast.text() == whole
    mast.setValue(22.5)
    assert mast.text() == half
    assert window.session.project.placement.mast_height_m == 22.5


@pytest.mark.parametrize("typed", ["27,5", "27.5"])
def test_mast_height_typed_with_a_comma_or_a_point(make_window, project_copy, qtbot, typed):
    window = make_window("vi")
    _open_and_check(window, project_copy, qtbot)
    mast = window.placement_dock.mast
    mast.setFocus()
    mast.selectAll()
    QTest.keyClicks(mast, typed)
    QTest.keyClick(mast, Qt.Key.Key_Return)
    assert window.session.project.placement.mast_height_m == 27.5
    assert mast.text() == "27,5" and window.session.dirty


def test_mast_height_follows_a_language_switch(make_window, project_copy, qtbot):
    window = make_window("en")
    _open_and_check(window, project_copy, qtbot)
    window.placement_dock.mast.setValue(17.5)
    window.session._set_dirty(False)
    window.set_language("vi")
    assert window.placement_dock.mast.text() == "17,5"
    window.set_language("en")
    assert window.placement_dock.mast.text() == "17.5"
    assert not window.session.dirty and window.session.project.placement.mast_height_m == 17.5


# --------------------------------------------------------------------------------------------------------------
# the Parameters form
# --------------------------------------------------------------------------------------------------------------
def test_parameter_decimals_follow_the_language_and_a_switch(make_window, project_copy, qtbot):
    window = make_window("vi")
    _open_and_check(window, project_copy, qtbot)
    dock = window.params_dock
    path = ("radio", "receiver_height_m")
    assert window.session.project.radio.receiver_height_m == 1.5
    assert dock.editors[path].text() == "1,5"
    assert not dock._pending and not window.session.dirty  # shown in the language: not an edit
    window.set_language("en")
    assert dock.editors[path].text() == "1.5" and not dock._pending
    window.set_language("vi")
    assert dock.editors[path].text() == "1,5"
    # typing either separator applies the value; the field then shows it in the language
    assert dock.edit(path, "2.5") and window.session.project.radio.receiver_height_m == 2.5
    window.set_language("en")
    assert dock.editors[path].text() == "2.5"


def test_a_value_being_typed_survives_a_language_switch(make_window, project_copy, qtbot):
    window = make_window("en")
    _open_and_check(window, project_copy, qtbot)
    dock = window.params_dock
    path = ("radio", "receiver_height_m")
    dock.editors[path].setText("abc")
    dock.validate()
    assert path in dock.errors
    window.set_language("vi")
    assert dock.editors[path].text() == "abc" and path in dock.errors


# --------------------------------------------------------------------------------------------------------------
# the window title's "*"
# --------------------------------------------------------------------------------------------------------------
def test_title_star_for_sites_on_shown_results(shown):
    """As the close prompt, which asks about the sites whether a project file is open or not."""
    assert not shown.windowTitle().startswith("*")
    shown.session.put_site(UserSite("U01", 290_000.0, 2_370_000.0, 30.0, origin="added"))
    assert shown.windowTitle().startswith("*")


def test_title_star_appears_for_site_edits_and_goes_with_them(window, project_copy, qtbot):
    _open_and_check(window, project_copy, qtbot)
    assert not window.windowTitle().startswith("*")
    x, y = (float(v) for v in window.session.inputs.terrain.grid.xy(60, 97))
    window.session.put_site(UserSite("U01", x, y, 30.0, origin="added"))
    assert window.windowTitle().startswith("*") and not window.session.dirty
    assert window.has_unsaved_changes()
    window.session.remove_site("U01")
    assert not window.windowTitle().startswith("*") and not window.has_unsaved_changes()
    # saving the project keeps the "*" while sites are edited: saving does not keep them
    window.session.put_site(UserSite("U01", x, y, 30.0, origin="added"))
    window.placement_dock.mast.setValue(25.0)
    assert window.session.dirty
    assert window.save_project()
    assert not window.session.dirty and window.windowTitle().startswith("*")


# --------------------------------------------------------------------------------------------------------------
# the Inputs list marks a file the check rejected
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_rejected_input_file_is_not_marked_found(make_window, project_copy, qtbot, tmp_path, lang):
    """QA: a tower file replaced through the Inputs panel whose row 2 has no valid longitude kept its green
    ✔ "found" while the message below it said the file has an error."""
    from gui import i18n

    window = make_window(lang)
    _open_and_check(window, project_copy, qtbot)
    dock = window.inputs_dock
    assert dock.state("towers") == "found"
    good = project_copy.parent / "towers.csv"
    lines = good.read_text(encoding="utf-8").splitlines()
    parts = lines[1].split(",")
    parts[3] = "103.1x"
    lines[1] = ",".join(parts)
    bad = tmp_path / "towers_loi.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with qtbot.waitSignal(window.errorShown, timeout=30000) as blocker:
        assert window.replace_input("towers", [str(bad)])
    assert "towers_loi.csv" in blocker.args[1] and ("dòng 2" if lang == "vi" else "row 2") in blocker.args[1]
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    state = dock.state("towers")
    assert state == "file has errors (see the validation messages)"
    row = next(dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())
               if dock.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == "towers")
    assert row.text(0) == "✖" and i18n.tr(state) in row.toolTip(1)
    if lang == "vi":
        assert "tệp có lỗi" in row.toolTip(1)
    assert dock.state("stations") == "found"  # the other files keep their mark
    window.last_error.accept()
    # the fixed file checked again: found
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        assert window.replace_input("towers", [str(good)])
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    assert dock.state("towers") == "found"


# --------------------------------------------------------------------------------------------------------------
# the status bar after a language switch
# --------------------------------------------------------------------------------------------------------------
def test_status_bar_follows_a_language_switch(make_window, project_copy, qtbot):
    """QA: after an export in Vietnamese and a switch to English the status bar still said "Đã ghi: …", and the
    state "Phân tích xong" / "Đã kiểm tra dữ liệu" became "Ready" instead of its English words."""
    from tests.gui.test_gui_run import open_checked

    window = make_window("vi")
    open_checked(window, project_copy, qtbot)
    assert window.stage_label.text() == "Đã kiểm tra dữ liệu"
    window.set_language("en")
    assert window.stage_label.text() == "Inputs checked"
    window.set_language("vi")
    window.placement_dock.mast.setValue(25.0)
    assert window.save_project()
    assert window.statusBar().currentMessage() == f"Đã lưu {project_copy}"
    window.set_language("en")
    assert window.statusBar().currentMessage() == f"Saved {project_copy}"
    window.statusBar().clearMessage()  # a message gone is not shown again by a switch
    window.set_language("vi")
    assert window.statusBar().currentMessage() == ""
    assert window.stage_label.text() == "Đã kiểm tra dữ liệu"


def test_results_summary_before_a_run_does_not_ask_to_open_an_open_project(make_window, project_copy, qtbot):
    window = make_window("vi")
    qtbot.waitUntil(lambda: window.results_dock.summary.text() != "", timeout=5000)
    assert "mở dự án" in window.results_dock.summary.text()  # no project yet: open one
    from tests.gui.test_gui_run import open_checked

    open_checked(window, project_copy, qtbot)
    qtbot.waitUntil(lambda: "F5" in window.results_dock.summary.text(), timeout=5000)
    assert window.results_dock.summary.text() == "Chưa có kết quả: hãy chạy phân tích (Phân tích ▸ Chạy phân tích, F5)."
    window.set_language("en")
    assert window.results_dock.summary.text() == "No results yet: run the analysis (Analysis ▸ Run analysis, F5)."


# --------------------------------------------------------------------------------------------------------------
# tooltips of the parameters
# --------------------------------------------------------------------------------------------------------------
def test_every_parameter_help_has_a_vietnamese_translation():
    from gui import i18n
    from gui.docks import PARAM_HELP

    missing = [text for text in PARAM_HELP.values() if text not in i18n.VI]
    assert not missing


@pytest.mark.parametrize("lang, words", [("vi", "xã biên giới"), ("en", "border commune")])
def test_parameter_fields_explain_themselves_on_hover(make_window, project_copy, qtbot, lang, words):
    """QA: hovering "Border weight" / "Trọng số xã biên giới" showed only "placement.border_weight"; a valid field
    showed nothing at all."""
    window = make_window(lang)
    _open_and_check(window, project_copy, qtbot)
    dock = window.params_dock
    path = ("placement", "border_weight")
    for widget in (dock.labels[path], dock.editors[path]):
        tip = widget.toolTip()
        assert words in tip and "placement.border_weight" in tip
    # an invalid value shows its reason instead, and the help comes back once it is fixed
    assert not dock.edit(path, "-3")
    assert words not in dock.editors[path].toolTip()
    assert dock.edit(path, "3")
    assert words in dock.editors[path].toolTip()
