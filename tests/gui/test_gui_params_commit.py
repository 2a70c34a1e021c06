"""Parameters dock: checked on every keystroke, applied only when a field is finished and valid; Run and Save
wait for valid parameters; messages name the field; the error mark has a glyph; Results filters per project."""

from __future__ import annotations

import shutil

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QRawFont
from PyQt6.QtTest import QTest

from coverage_planner.project import load_project

GOOD = ("thresholds", "4G", "good_dbm")
WEAK = ("thresholds", "4G", "weak_dbm")
DIST = ("radio", "max_distance_m")


@pytest.fixture
def opened(window, project_copy, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        assert window.open_project(project_copy)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    return window


def _type(editor, text: str) -> None:
    """Select the field's text and type over it, key by key (no Enter)."""
    editor.setFocus()
    editor.selectAll()
    QTest.keyClicks(editor, text)


def _finish(editor) -> None:
    QTest.keyClick(editor, Qt.Key.Key_Return)


def _run_disabled_everywhere(w) -> bool:
    return not (w.act_run.isEnabled() or w.params_dock.run_button.isEnabled()
                or w.placement_dock.run_button.isEnabled())


def test_half_typed_values_are_not_applied_and_invalid_ones_are_not_saved(opened, project_copy, qtbot):
    w, dock = opened, opened.params_dock
    project = w.session.project
    good, dist = dock.editors[GOOD], dock.editors[DIST]
    _type(good, "-95")  # "-9" on the way is valid, "-95" is not (weak is -90)
    assert project.thresholds["4G"].good_dbm == -75.0  # nothing applied while typing
    assert GOOD in dock.errors and good.styleSheet() != ""
    _finish(good)
    assert project.thresholds["4G"].good_dbm == -75.0  # finished but invalid: the project keeps its value
    _type(dist, "250000")  # "25000" on the way is valid, "250000" is out of range
    _finish(dist)
    assert project.radio.max_distance_m == 8000.0
    assert not w.session.dirty
    # Save and every Run are disabled; saving anyway (e.g. from the unsaved-changes question) refuses
    assert not w.act_save.isEnabled() and not w.act_save_as.isEnabled()
    assert _run_disabled_everywhere(w)
    before = project_copy.read_text(encoding="utf-8")
    assert not w.save_project()
    assert project_copy.read_text(encoding="utf-8") == before
    # focus out leaves the field red, the project unchanged
    dist.clearFocus()
    assert DIST in dock.errors and project.radio.max_distance_m == 8000.0
    # fixed values are applied when finished, and then saved
    _type(dist, "12000")
    assert project.radio.max_distance_m == 8000.0
    _finish(dist)
    _type(good, "-80")
    _finish(good)
    assert project.radio.max_distance_m == 12000.0 and project.thresholds["4G"].good_dbm == -80.0
    assert not dock.errors and w.act_save.isEnabled() and w.act_run.isEnabled()
    assert w.save_project()
    again = load_project(project_copy)
    assert again.radio.max_distance_m == 12000.0 and again.thresholds["4G"].good_dbm == -80.0


def test_fixing_the_other_field_clears_the_error(opened, qtbot):
    w, dock = opened, opened.params_dock
    good, weak = dock.editors[GOOD], dock.editors[WEAK]
    _type(good, "-95")
    _finish(good)
    assert GOOD in dock.errors and not dock.run_button.isEnabled()
    _type(weak, "-100")  # the pair is valid as soon as it is typed: good is no longer red
    assert not dock.errors and good.styleSheet() == "" and dock.message.text() == ""
    assert dock.run_button.isEnabled() and w.act_run.isEnabled()
    _finish(weak)  # both values are applied together
    th = w.session.project.thresholds["4G"]
    assert (th.good_dbm, th.weak_dbm) == (-95.0, -100.0)
    assert w.session.dirty


def test_run_action_and_f5_wait_for_valid_parameters_and_messages_name_the_field(opened, qtbot):
    w, dock = opened, opened.params_dock
    editor = dock.editors[("radio", "k_factor")]
    shown = editor.text()
    _type(editor, "abc")
    assert dock.message.text() == "Earth radius factor k: 'abc' is not a number"
    assert not w.act_run.isEnabled() and not w.act_save.isEnabled()
    assert _run_disabled_everywhere(w)
    QTest.keyClick(w, Qt.Key.Key_F5)
    assert not w.runner.is_running()
    # the core's reason is prefixed with the field too
    _type(editor, "50")
    assert dock.message.text().startswith("Earth radius factor k: ") and "out of range" in dock.message.text()
    # Esc puts back the value in use
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.text() == shown and not dock.errors
    assert w.act_run.isEnabled() and w.act_save.isEnabled() and dock.run_button.isEnabled()
    assert w.session.project.radio.k_factor == pytest.approx(4 / 3)  # the shown 1.33333 was never applied
    assert not w.session.dirty


def test_a_valid_value_still_in_its_field_is_used_by_run(opened, qtbot):
    w, dock = opened, opened.params_dock
    _type(dock.editors[DIST], "9000")  # F5 does not take the focus: the field is not finished
    with qtbot.waitSignal(w.runner.finished, timeout=180000):
        QTest.keyClick(w, Qt.Key.Key_F5)
    assert w.session.project.radio.max_distance_m == 9000.0
    qtbot.waitUntil(lambda: not w.runner.is_running(), timeout=10000)


def test_error_mark_has_a_glyph_in_the_font(opened, qtbot):
    w = opened
    w.session.set_inputs(None, [("error", "towers.csv: broken"), ("warning", "w"), ("info", "i")])
    lst = w.inputs_dock.messages
    raw = QRawFont.fromFont(lst.font())
    for i in range(lst.count()):
        mark = lst.item(i).text()[0]
        assert raw.supportsCharacter(ord(mark)), f"{mark!r} (U+{ord(mark):04X}) has no glyph in {raw.familyName()}"


def test_results_filter_is_cleared_when_another_project_is_opened(opened, project_copy, tmp_path, qtbot):
    w = opened
    table = w.results_dock.tables["stations"]
    table.filter.setText("xyz")
    w.save_project()  # the same project saved: the filter stays
    assert table.filter.text() == "xyz"
    other = tmp_path / "other"
    shutil.copytree(project_copy.parent, other)
    with qtbot.waitSignal(w.runner.finished, timeout=30000):
        assert w.open_project(other / "project.toml")
    qtbot.waitUntil(lambda: not w.runner.is_running(), timeout=10000)
    assert table.filter.text() == ""
