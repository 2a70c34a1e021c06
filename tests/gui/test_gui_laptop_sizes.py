"""The main window at an ordinary laptop size (1280×720) in Vietnamese and English: nothing cut, elided or
outside its panel — tool bar, results counts, the Parameters form, the status bar — also right after a
language switch (the labels of the other language are ~20 % longer or shorter)."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFontMetrics
from PyQt6.QtWidgets import QScrollArea, QToolButton

from gui import i18n
from gui.docks import RESULT_TABS

LAPTOP = (1280, 720)
OTHER = {"vi": "en", "en": "vi"}


def _toolbar_problems(w) -> list[str]:
    """Tool bar actions whose button is narrower than its text needs (Qt elides it: 'Open…ject'); an action
    without a visible button must be in the overflow menu, whose button is then shown."""
    tb = w.toolbar
    ext = tb.findChild(QToolButton, "qt_toolbar_ext_button")
    problems = []
    for a in tb.actions():
        if a.isSeparator():
            continue
        button = tb.widgetForAction(a)
        if button is None or not button.isVisible():
            if ext is None or not ext.isVisible():
                problems.append(f"{a.iconText()!r}: hidden, no overflow menu")
            continue
        need = button.fontMetrics().horizontalAdvance(a.iconText())
        if button.width() < button.sizeHint().width() or button.contentsRect().width() < need:
            problems.append(f"{a.iconText()!r}: {button.width()} px < {button.sizeHint().width()} px")
    return problems


def _count_problems(w) -> list[str]:
    """Row counts ('5 of 5' / '5 / 5') of the results tables that are shown, narrower than their text."""
    problems = []
    for key, table in w.results_dock.tables.items():
        label = table.count
        if label.isVisible():
            need = label.fontMetrics().horizontalAdvance(label.text())
            if label.contentsRect().width() < need:
                problems.append(f"{key}: {label.text()!r} in {label.contentsRect().width()} px < {need} px")
    return problems


def _check_window(w, qtbot) -> None:
    assert _toolbar_problems(w) == []
    assert _count_problems(w) == []
    tabs = w.results_dock.tabs
    for i, (key, *_rest) in enumerate(RESULT_TABS):  # every tab's count, as it is shown when opened
        tabs.setCurrentIndex(i)
        assert w.results_dock.tables[key].count.isVisible()
        assert _count_problems(w) == [], key
    tabs.setCurrentIndex(0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_toolbar_and_counts_fit_at_1280x720_also_right_after_a_language_switch(make_window, tiny, qtbot, lang):
    """The QA case: English after Vietnamese at 1300 px showed 'Open…ject' and '5 of' until the next event-loop
    turn; a window grabbed (or painted) right after the switch showed them so. Checked with no wait."""
    w = make_window(OTHER[lang], size=LAPTOP)
    with qtbot.waitSignal(w.resultsShown, timeout=10000):
        w.show_results(tiny)
    qtbot.wait(50)
    assert (w.width(), w.height()) == LAPTOP
    _check_window(w, qtbot)
    w.set_language(lang)  # no wait: what a paint or grab right after the switch shows
    assert w.act_open.text() == i18n.tr("Open project…")
    _check_window(w, qtbot)
    qtbot.wait(50)  # and after the event loop ran
    _check_window(w, qtbot)


def _opened(make_window, project, qtbot, lang, dock):
    """A laptop-sized window with ``project`` open (its input check done) and the ``dock`` tab in front."""
    w = make_window(lang, size=LAPTOP)
    with qtbot.waitSignal(w.runner.idle, timeout=60000):
        assert w.open_project(project)
    w.docks[dock].raise_()
    qtbot.wait(50)
    return w


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_parameter_form_fits_its_panel_at_1280x720(make_window, project_copy, qtbot, lang):
    """Every parameter field lies inside the panel (no horizontal scrolling to reach a value) and every label
    shows its whole text: a long label goes above its field."""
    w = _opened(make_window, project_copy, qtbot, lang, "parameters")
    dock = w.params_dock
    assert dock.editors
    scroll = dock.findChild(QScrollArea)
    viewport = scroll.viewport()
    assert not scroll.horizontalScrollBar().isVisible()
    for path, editor in dock.editors.items():
        right = editor.mapTo(viewport, editor.rect().topRight()).x()
        assert right < viewport.width(), (path, right, viewport.width())
        label = dock.labels[path]
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text()), path
    # the choice shown in the propagation-model box is whole
    combo = dock.editors[("radio", "model")]
    assert combo.width() > combo.fontMetrics().horizontalAdvance(combo.currentText()) + 20


def test_status_text_too_long_for_the_status_bar_is_elided_with_a_tooltip(make_window, qtbot):
    """The placement stage's Vietnamese progress message (the run's own, translated) did not fit beside the
    progress bar and the coordinates at 1280 px and was cut at its end: it is elided in the middle, whole in
    the tooltip, and the progress bar stays beside it."""
    w = make_window("vi", size=LAPTOP)
    w._show_progress(True)
    w._on_progress("placement", 0.9, "Contingency: 51 sites are the only server of a polling station", float("nan"))
    qtbot.wait(50)
    label = w.stage_label
    message = label.text()
    assert message.startswith("Bố trí trạm: ") and "51" in message and "Contingency" not in message
    assert label.fontMetrics().horizontalAdvance(message) > label.contentsRect().width()  # too long whole
    shown = label.shown_text()
    assert "…" in shown and shown.startswith("Bố trí") and shown.endswith(message[-8:])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.toolTip() == message
    assert label.geometry().right() < w.progress.geometry().left()
    assert w.progress.isVisible() and w.cancel_button.isVisible()
    w._show_progress(False)
    w.stage_label.setText(i18n.tr("Ready"))  # a text that fits is shown whole, with no tooltip
    assert label.shown_text() == i18n.tr("Ready") and label.toolTip() == ""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_inputs_state_is_in_view_at_the_default_panel_width(make_window, project_copy, qtbot, lang):
    """QA: at the default left panel width the found/missing column was entirely off to the right of the Inputs
    list. The state is now a mark in the first column: for every row it lies inside the list's viewport with no
    horizontal scrolling, the input's name is whole, some of the file name shows, and the mark tells a found file
    from a missing one (its words in the tooltip, in the window's language)."""
    (project_copy.parent / "roads.geojson").unlink()  # one input whose file is gone
    w = _opened(make_window, project_copy, qtbot, lang, "inputs")
    dock = w.inputs_dock
    tree = dock.tree
    viewport = tree.viewport()
    assert dock.width() < 300  # the default panel width this is about
    assert not tree.horizontalScrollBar().isVisible()
    header = tree.header()
    state_right = header.sectionViewportPosition(0) + header.sectionSize(0)
    file_left = header.sectionViewportPosition(2)
    assert state_right <= viewport.width() and file_left + 40 <= viewport.width(), (state_right, file_left)
    marks = {}
    for i in range(tree.topLevelItemCount()):
        it = tree.topLevelItem(i)
        rect = tree.visualItemRect(it)
        assert 0 <= rect.top() and rect.bottom() <= viewport.height(), it.text(1)  # every row shown, no scrolling
        assert QFontMetrics(it.font(0)).horizontalAdvance(it.text(0)) <= header.sectionSize(0)
        assert QFontMetrics(tree.font()).horizontalAdvance(it.text(1)) <= header.sectionSize(1), it.text(1)
        marks[it.data(0, Qt.ItemDataRole.UserRole)] = (it.text(0), it.toolTip(0))
    assert dock.state("towers") == "found" and dock.state("roads") == "file not found"
    assert dock.state("candidates") == "not used"
    assert marks["towers"][0] != marks["roads"][0] != marks["candidates"][0] != marks["towers"][0]
    assert i18n.tr("found") in marks["towers"][1] and i18n.tr("file not found") in marks["roads"][1]
    assert str(project_copy.parent / "roads.geojson") in marks["roads"][1]  # the whole path too
    if lang == "vi":
        assert "có tệp" in marks["towers"][1] and "không tìm thấy tệp" in marks["roads"][1]


def test_no_red_marks_before_a_project_is_open(make_window):
    """An empty window lists the inputs without a state: nothing is missing before a project names its files."""
    w = make_window("vi", size=LAPTOP)
    tree = w.inputs_dock.tree
    assert tree.topLevelItemCount() > 4
    assert {tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())} == {""}
    assert w.inputs_dock.state("towers") == "no project"
