"""QA defects of editing sites, selection and the window: moved and added sites survive (or are asked about before)
a re-run, closing the window or opening a project; Remove site needs a selected site; the selection ring follows
a dragged star; a proposed site selected in its table zooms to the stations it reaches; the Scenario filter is
cleared for another project; the first window fits the screen."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, QRect, Qt, QTimer
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QMessageBox

from gui.session import UserSite
from tests.gui.test_gui_run import open_checked, run_to_end


def _answer(window, monkeypatch, answer):
    """Replace the sites question by ``answer``; returns the list of the actions asked about."""
    asked = []

    def fake(action):
        asked.append(action)
        return answer

    monkeypatch.setattr(window, "ask_site_edits", fake)
    return asked


def _computed(window):
    return all(s.level is not None for s in window.session.user_sites.values())


# --------------------------------------------------------------------------------------------------------------
# 1. the user's sites and a re-run, closing the window, opening a project
# --------------------------------------------------------------------------------------------------------------
def test_rerun_keeps_moved_and_added_sites_as_added_sites_or_asks(window, project_copy, qtbot, monkeypatch):
    open_checked(window, project_copy, qtbot)
    run_to_end(window, qtbot)
    res = window.session.results
    sid = str(res.proposals["site_id"].iloc[0])
    mx, my = float(res.proposals["x"].iloc[0]) + 300.0, float(res.proposals["y"].iloc[0]) - 200.0
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        window._on_feature_dragged("proposals", 0, mx, my)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    ax, ay = (float(v) for v in res.grid.xy(60, 97))
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        added = window.add_site_at(ax, ay)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    window.confirm_unsaved = True
    try:
        # Cancel: nothing runs, the sites stay as they are
        asked = _answer(window, monkeypatch, window.CANCEL)
        assert not window.run_scenario()
        assert asked == ["rerun"] and not window.runner.is_running() and window.session.results is res
        assert {s.site_id: s.origin for s in window.session.user_sites.values()} == {sid: "proposal",
                                                                                    added.site_id: "added"}
        # Keep: both stand where the user left them, as added sites (the moved one with a new id), computed anew
        asked = _answer(window, monkeypatch, window.KEEP_SITES)
        run_to_end(window, qtbot)
        qtbot.waitUntil(lambda: not window.runner.is_running() and _computed(window), timeout=60000)
        new = window.session.results
        assert asked == ["rerun"] and new is not res
        sites = window.session.user_sites
        assert [s.origin for s in sites.values()] == ["added", "added"]
        assert (sites[added.site_id].x, sites[added.site_id].y) == (ax, ay)
        moved = next(s for s in sites.values() if s.site_id != added.site_id)
        assert moved.site_id not in set(new.proposals["site_id"]) and (moved.x, moved.y) == (mx, my)
        assert window.canvas.layer("user_sites") is not None
        assert sorted(window.canvas.layer("user_sites").frame["site_id"]) == sorted(sites)
        assert window.placement_dock.sites.count() == 2 and window.last_error is None
        # the new proposal's stars are the optimiser's again (none drawn as moved)
        assert window._moved == {}
        # Discard: the re-run shows the new proposal alone
        _answer(window, monkeypatch, window.DISCARD_SITES)
        run_to_end(window, qtbot)
        assert window.session.user_sites == {} and window.canvas.layer("user_sites") is None
    finally:
        window.confirm_unsaved = False  # the fixture's close must not ask


def test_rerun_without_confirmation_keeps_the_sites(window, project_copy, qtbot):
    """Tests and --screenshot do not ask: then nothing is lost silently either."""
    open_checked(window, project_copy, qtbot)
    run_to_end(window, qtbot)
    x, y = (float(v) for v in window.session.results.grid.xy(60, 97))
    window.session.put_site(UserSite("U01", x, y, 30.0, origin="added"))
    run_to_end(window, qtbot)
    assert list(window.session.user_sites) == ["U01"]


def test_closing_or_opening_a_project_asks_before_dropping_sites(shown, tiny, project_copy, monkeypatch):
    x, y = float(tiny.proposals["x"].iloc[0]), float(tiny.proposals["y"].iloc[0])
    shown.session.put_site(UserSite("U01", x + 500.0, y, 30.0, origin="added", level=object()))
    shown.confirm_unsaved = True
    try:
        asked = _answer(shown, monkeypatch, shown.CANCEL)
        assert not shown.close() and shown.isVisible()
        assert not shown.open_project(project_copy, check=False)
        assert asked == ["close", "close"] and "U01" in shown.session.user_sites
        _answer(shown, monkeypatch, shown.DISCARD_SITES)
        assert shown.open_project(project_copy, check=False)
        assert shown.session.user_sites == {}
        asked = _answer(shown, monkeypatch, shown.CANCEL)
        assert shown.maybe_discard_changes() and asked == []  # no sites: nothing to ask
    finally:
        shown.confirm_unsaved = False


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_rerun_question_names_the_sites_and_why_a_moved_one_becomes_added(shown, tiny, lang):
    from gui import i18n

    shown.set_language(lang)
    sid = str(tiny.proposals["site_id"].iloc[0])
    shown.session.put_site(UserSite(sid, 290_000.0, 2_370_000.0, 30.0, origin="proposal"))
    shown.session.put_site(UserSite("U01", 291_000.0, 2_370_000.0, 30.0, origin="added"))
    seen = {}

    def click_keep():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen["text"], seen["title"] = box.text(), box.windowTitle()
        seen["buttons"] = [b.text() for b in box.buttons()]
        next(b for b in box.buttons() if b.text() == i18n.tr("Keep them as added sites")).click()

    QTimer.singleShot(0, click_keep)
    assert shown.ask_site_edits("rerun") == shown.KEEP_SITES
    assert f"{sid}, U01" in seen["text"] and f"({sid})" in seen["text"]
    assert seen["title"] == i18n.tr("Keep your sites for the re-run?")
    assert seen["buttons"] and all(i18n.tr(t) in seen["buttons"] for t in ("Discard them", "Cancel"))
    if lang == "vi":
        assert "không thể giữ là “đã dời”" in seen["text"]


# --------------------------------------------------------------------------------------------------------------
# 2. Remove site acts on the selected site only
# --------------------------------------------------------------------------------------------------------------
def test_remove_site_needs_a_selected_site(shown, tiny, qtbot):
    dock = shown.placement_dock
    for n in (1, 2):
        shown.session.put_site(UserSite(f"U0{n}", 290_000.0 + 500 * n, 2_370_000.0, 30.0, origin="added",
                                        level=object()))
    assert dock.sites.count() == 2 and not dock.remove_button.isEnabled()
    dock._remove()  # even if called: nothing selected, nothing removed (QA: it removed the first site)
    assert set(shown.session.user_sites) == {"U01", "U02"}
    dock.sites.item(1).setSelected(True)
    assert dock.remove_button.isEnabled()
    # the list is rebuilt when a site changes (its coverage computed): the selection stays
    shown.session.put_site(UserSite("U01", 290_500.0, 2_370_000.0, 30.0, origin="added", level=object(),
                                    covered=["PS01"]))
    assert [it.data(Qt.ItemDataRole.UserRole) for it in dock.sites.selectedItems()] == ["U02"]
    with qtbot.waitSignal(dock.removeSiteRequested) as blocker:
        QTest.mouseClick(dock.remove_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["U02"]
    assert set(shown.session.user_sites) == {"U01"}
    assert not dock.remove_button.isEnabled()  # the removed one was the selection


# --------------------------------------------------------------------------------------------------------------
# 3. the selection ring follows a dragged star
# --------------------------------------------------------------------------------------------------------------
def test_highlight_ring_follows_a_dragged_star(canvas, tiny, qtbot):
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.highlight("proposals", 0)
    star = canvas.layer("proposals").items[0]
    ring = canvas._highlight
    start = canvas.view_pos(float(tiny.proposals["x"].iloc[0]), float(tiny.proposals["y"].iloc[0]))
    end = start + QPoint(-70, 30)
    vp = canvas.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 6):
        QTest.mouseMove(vp, start + (end - start) * (i / 5))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    x, y = canvas.map_xy(end)
    assert star.pos().x() == pytest.approx(x) and -star.pos().y() == pytest.approx(y)
    assert canvas.highlighted() == ("proposals", 0) and ring.pos() == star.pos()
    canvas.move_feature("proposals", 0, x + 1000.0, y)  # put back by the window (off terrain, removed)
    assert ring.pos() == star.pos() and ring.pos().x() == pytest.approx(x + 1000.0)
    canvas.move_feature("proposals", 1, x, y)  # another star: the ring stays on the selected one
    assert ring.pos().x() == pytest.approx(x + 1000.0)


# --------------------------------------------------------------------------------------------------------------
# 5. a proposed site selected in its table: the site and the stations it reaches in view
# --------------------------------------------------------------------------------------------------------------
def test_selecting_a_proposed_site_zooms_to_the_stations_it_reaches(window, tiny, qtbot):
    import copy

    # the tiny scene's sites reach stations close by; as MS-01 of the sample (11 stations km away), let the first
    # site reach the three stations farthest from it
    res = copy.copy(tiny)
    res.proposals = tiny.proposals.copy()
    row = 0
    sx, sy = float(res.proposals["x"].iloc[row]), float(res.proposals["y"].iloc[row])
    dist = (tiny.stations.geometry.x - sx) ** 2 + (tiny.stations.geometry.y - sy) ** 2
    far = tiny.stations.loc[dist.sort_values().index[-3:]]
    res.proposals.loc[res.proposals.index[row], "stations_in_reach"] = ";".join(far["id"])
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(res)
    xs, ys = [sx, *far.geometry.x], [sy, *far.geometry.y]
    assert max(max(xs) - min(xs), max(ys) - min(ys)) > 5000  # premise: km away, beyond a 2 km window
    window.results_dock.tabs.setCurrentIndex(2)
    window.results_dock.table("proposals").view.selectRow(row)
    view = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    margin = 10 * window.canvas.metres_per_pixel()  # each symbol wholly in view, not cut at the edge
    for x, y in zip(xs, ys, strict=True):
        assert view.left() + margin < x < view.right() - margin and view.top() + margin < -y < view.bottom() - margin
    # not zoomed out farther than the reach needs: one side of the view is the reach's box plus 20 % (at least the
    # 2 km of any feature's zoom), the other as the window's shape makes it
    want_w, want_h = (max(max(v) - min(v), 2000.0) * 1.2 for v in (xs, ys))
    assert min(view.width() / want_w, view.height() / want_h) == pytest.approx(1.0, abs=0.02)
    assert window.canvas.highlighted() == ("proposals", row)
    # a station still zooms to itself alone (about 2 km)
    window.results_dock.tabs.setCurrentIndex(0)
    window.results_dock.table("stations").view.selectRow(0)
    view = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert min(view.width(), view.height()) == pytest.approx(2400.0, rel=0.02)


# --------------------------------------------------------------------------------------------------------------
# 4. the Scenario tower filter belongs to a project
# --------------------------------------------------------------------------------------------------------------
def test_scenario_filter_is_cleared_for_another_project(window, project_copy, qtbot):
    open_checked(window, project_copy, qtbot)
    dock = window.scenario_dock
    n = dock.towers.count()
    dock.filter.setText("no such tower")
    assert n > 0 and all(dock.towers.item(i).isHidden() for i in range(n))
    assert window.save_project()  # the same project saved: the filter stays
    assert dock.filter.text() == "no such tower"
    open_checked(window, project_copy, qtbot)  # opened again: a new project
    assert dock.filter.text() == "" and dock.towers.count() == n
    assert not any(dock.towers.item(i).isHidden() for i in range(n))


# --------------------------------------------------------------------------------------------------------------
# 6. the first window fits the screen
# --------------------------------------------------------------------------------------------------------------
def _window_on(qtbot, settings, monkeypatch, avail: QRect):
    from gui.mainwindow import MainWindow

    monkeypatch.setattr(MainWindow, "available_geometry", lambda self: avail)
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    return w


def test_first_window_fits_a_1366x768_laptop(qtbot, settings, monkeypatch):
    from gui.mainwindow import MainWindow

    avail = QRect(0, 0, 1366, 728)  # 1366×768 less a 40 px task bar
    w = _window_on(qtbot, settings, monkeypatch, avail)
    fw, fh = MainWindow.FRAME_ROOM
    assert w.width() <= avail.width() - fw and w.height() + fh <= avail.height()
    assert w.height() >= 600  # still as large as the screen allows, not a small default
    assert avail.contains(QRect(w.x(), w.y(), w.width() + fw, w.height() + fh))
    big = _window_on(qtbot, settings, monkeypatch, QRect(0, 0, 1920, 1040))
    assert (big.width(), big.height()) == MainWindow.DEFAULT_SIZE  # room enough: the default size


def test_restored_geometry_is_clamped_to_a_smaller_screen(qtbot, settings, monkeypatch):
    from gui.mainwindow import MainWindow

    first = _window_on(qtbot, settings, monkeypatch, QRect(0, 0, 1920, 1040))
    first.move(500, 300)
    first.save_settings()  # saved on the big screen
    avail = QRect(0, 0, 1280, 680)
    w = _window_on(qtbot, settings, monkeypatch, avail)
    fw, fh = MainWindow.FRAME_ROOM
    assert w.width() + fw <= avail.width() and w.height() + fh <= avail.height()
    assert avail.contains(QRect(w.x(), w.y(), w.width() + fw, w.height() + fh))


def test_a_window_saved_on_a_larger_screen_opens_at_full_size_on_a_smaller_one(qtbot, settings, monkeypatch):
    """Qt's restoreGeometry() shrinks a window saved on a larger screen to 2/3 of the new one (682×565 on a
    1024×700 screen): the default size fitted to the screen is used instead."""
    from gui.mainwindow import MainWindow

    first = _window_on(qtbot, settings, monkeypatch, QRect(0, 0, 1920, 1040))
    first.save_settings()
    avail = QRect(0, 0, 1024, 660)
    w = _window_on(qtbot, settings, monkeypatch, avail)
    fw, fh = MainWindow.FRAME_ROOM
    assert (w.width(), w.height()) == (avail.width() - fw, avail.height() - fh)
    w.resize(700, 500)
    w.save_settings()  # a size that fits is restored as saved
    again = _window_on(qtbot, settings, monkeypatch, avail)
    assert (again.width(), again.height()) == (700, 500)


def test_a_restored_dock_layout_leaves_no_ghost_tab_bars(make_window, settings):
    """The second start restores the saved dock layout: the tab bars tabifying had made before restoreState()
    stayed on the window (ghost "Layers | Inputs" tabs over the legend). Exactly one tab bar per tabbed group."""
    first = make_window("vi")
    assert sorted(b.count() for b in first.dock_tab_bars() if b.isVisible()) == [2, 4]
    first.save_settings()
    second = make_window("vi")
    assert second._state_restored
    bars = [b for b in second.dock_tab_bars() if b.isVisible()]
    assert sorted(b.count() for b in bars) == [2, 4], [(b.count(), [b.tabText(i) for i in range(b.count())], b.geometry()) for b in bars]
