"""QA round: everything follows a language switch, nothing is clipped, an honest time-left estimate, the scale
bar box, a legend of the layers that exist, Run buttons disabled while a task runs."""

from __future__ import annotations

import dataclasses
import math
import threading

import pytest
from PyQt6.QtCore import QTimer

from coverage_planner.results import Scenario
from gui import i18n
from gui.maplayers import layer_title
from gui.worker import EtaEstimator
from tests.coverage_planner.tiny_project import write_project


# ----------------------------------------------------------------------------------------------------------
# 1. language switch
# ----------------------------------------------------------------------------------------------------------
def test_attributes_title_follows_the_language(shown):
    shown._on_feature_clicked("towers", 0)
    title = shown.attributes_dock.title.text()
    assert layer_title("towers") in title and "Towers" in title
    shown.set_language("vi")
    title = shown.attributes_dock.title.text()
    assert layer_title("towers") in title and "Towers" not in title
    shown._on_map_clicked(*shown.session.results.grid.xy(0, 0))
    assert shown.attributes_dock.title.text() == i18n.VI["Map point"]
    shown.set_language("en")
    assert shown.attributes_dock.title.text() == "Map point"


def test_input_messages_follow_the_language(window):
    valid = "Inputs are valid: {t} towers, {s} polling stations, {c} communes."
    window.session.set_inputs(None, [("info", i18n.Msg(valid, t=267, s=655, c=45)),
                                     ("warning", "towers: 6 tower(s) with status down (not used): A, B")])
    msgs = window.inputs_dock.messages
    assert msgs.item(0).text() == "ℹ Inputs are valid: 267 towers, 655 polling stations, 45 communes."
    assert msgs.item(1).text().startswith("⚠ towers: 6 tower(s)")
    window.set_language("vi")
    assert msgs.item(0).text() == "ℹ " + i18n.VI[valid].format(t=267, s=655, c=45)
    assert "Trạm BTS" in msgs.item(1).text() and "tower(s)" not in msgs.item(1).text()
    assert msgs.item(1).text().endswith("A, B")


@pytest.mark.parametrize("scenario,en,vi", [
    (Scenario("baseline"), "(baseline)", "(hiện trạng)"),
    (Scenario("what-if", down=("VT-001",)), "(what-if – down: VT-001)", "(giả định – ngừng: VT-001)"),
])
def test_results_summary_scenario_name_follows_the_language(window, tiny, qtbot, scenario, en, vi):
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(dataclasses.replace(tiny, scenario=scenario))
    assert en in window.results_dock.summary.text()
    window.set_language("vi")
    assert vi in window.results_dock.summary.text()


# ----------------------------------------------------------------------------------------------------------
# 2. clipping
# ----------------------------------------------------------------------------------------------------------
def test_table_headers_fit_after_a_language_switch(shown):
    table = shown.results_dock.table("communes")
    shown.set_language("vi")
    header = table.view.horizontalHeader()
    for c, column in enumerate(table.model.columns):
        needed = header.fontMetrics().horizontalAdvance(i18n.column_label(column))
        assert header.sectionSize(c) >= min(needed, 260), column


def test_dock_tabs_show_their_full_titles(make_window, qtbot):
    w = make_window("vi")
    qtbot.wait(50)
    bars = w.dock_tab_bars()
    assert bars
    for bar in bars:
        for i in range(bar.count()):
            text = bar.tabText(i)
            assert bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(text), text
    w.set_language("en")
    qtbot.wait(50)
    for bar in w.dock_tab_bars():
        assert bar.elideMode().name == "ElideNone"


def test_layer_list_wraps_long_titles(shown):
    lst = shown.layer_panel.list
    assert lst.wordWrap()
    assert not lst.horizontalScrollBar().isVisible()


def test_results_dock_gets_a_sensible_default_height(make_window, qtbot):
    w = make_window(size=(1500, 950))
    qtbot.wait(50)
    assert w.height() == 950
    assert w.docks["results"].height() >= 0.28 * w.height()


# ----------------------------------------------------------------------------------------------------------
# 3. time left
# ----------------------------------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _feed(eta, clock, stage, f0, f1, seconds, steps=20):
    out = math.nan
    for i in range(steps + 1):
        clock.t += 0 if i == 0 else seconds / steps
        out = eta(f0 + (f1 - f0) * i / steps, stage)
    return out


def test_eta_waits_for_steady_progress_in_a_stage():
    clock = Clock()
    eta = EtaEstimator(clock)
    assert math.isnan(eta(0.0, "coverage"))
    assert math.isnan(_feed(eta, clock, "coverage", 0.0, 0.05, 2.0))  # under 3 s: no estimate
    left = _feed(eta, clock, "coverage", 0.05, 0.20, 6.0)  # 0.025 per s, steady
    assert left == pytest.approx(0.80 / 0.025, rel=0.15)
    assert eta(1.0, "coverage") == 0.0


def test_eta_is_hidden_when_the_stage_changes():
    clock = Clock()
    eta = EtaEstimator(clock)
    assert not math.isnan(_feed(eta, clock, "coverage", 0.1, 0.5, 10.0))
    clock.t += 0.1
    assert math.isnan(eta(0.66, "placement"))  # a new stage: pace unknown
    assert math.isnan(_feed(eta, clock, "placement", 0.66, 0.67, 2.0))


def test_eta_is_smoothed():
    clock = Clock()
    eta = EtaEstimator(clock)
    steady = _feed(eta, clock, "coverage", 0.0, 0.4, 16.0)
    clock.t += 0.05
    jumped = eta(0.6, "coverage")  # one big step
    raw = (16.05 * 0.4 / 0.6)
    assert raw < jumped < steady


def test_eta_never_shows_seconds_while_a_stage_of_unknown_pace_is_ahead():
    """The QA case: a fast stage right before the long placement must not say '0:01 left'."""
    stages = ("load", "coverage", "gaps", "resilience", "placement")
    clock = Clock()
    eta = EtaEstimator(clock, stages=stages)
    # resilience runs 5 s for 0.05 of the bar, then 3 % is left of the bar but placement is ahead
    left = _feed(eta, clock, "resilience", 0.60, 0.749, 5.0)
    assert math.isnan(left)
    # in the last stage the same pace is shown
    eta2 = EtaEstimator(clock, stages=stages)
    eta2(0.80, "placement")
    left2 = _feed(eta2, clock, "placement", 0.80, 0.95, 5.0)
    assert 1.0 < left2 < 3.0  # ~1.7 s at the stage's pace, smoothed


def test_run_passes_its_stages_to_the_estimate():
    from gui.mainwindow import RUN_STAGES

    assert RUN_STAGES[-1] == "placement" and "coverage" in RUN_STAGES


# ----------------------------------------------------------------------------------------------------------
# 4. scale bar box, legend, Run buttons while busy
# ----------------------------------------------------------------------------------------------------------
def test_scale_bar_has_a_white_box(shown, monkeypatch, qtbot):
    from gui import canvas as canvas_mod

    monkeypatch.setattr(canvas_mod, "SCALE_BAR_BOX_ALPHA", 255)
    shown.canvas.viewport().update()
    qtbot.wait(50)
    img = shown.canvas.viewport().grab().toImage()
    h = img.height()
    colour = img.pixelColor(9, h - 27)  # inside the box, above the bar, left of it
    assert (colour.red(), colour.green(), colour.blue()) == (255, 255, 255)


def test_legend_lists_only_the_layers_that_exist(window, tiny, qtbot):
    panel = window.layer_panel
    assert "dBm" not in panel.legend.text()
    assert i18n.tr("Proposed mobile sites") not in panel.legend.text()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.show_results(tiny)
    assert "dBm" in panel.legend.text()
    assert i18n.tr("Proposed mobile sites") in panel.legend.text()
    assert panel.legend.isVisibleTo(panel)


def test_run_buttons_are_disabled_while_a_task_runs(window, tmp_path, qtbot):
    write_project(tmp_path)
    with qtbot.waitSignal(window.runner.idle, timeout=60000):
        assert window.open_project(tmp_path / "project.toml")
    buttons = (window.params_dock.run_button, window.placement_dock.run_button)
    assert all(b.isEnabled() for b in buttons)
    release = threading.Event()

    def blocking():
        yield i18n.Msg("x")  # a progress item of no known stage
        release.wait(10)
        return None

    assert window._start("sites_test", blocking)
    assert not any(b.isEnabled() for b in buttons)
    assert not window.scenario_dock.run_button.isEnabled()
    with qtbot.waitSignal(window.runner.idle, timeout=10000):
        QTimer.singleShot(50, release.set)
    assert all(b.isEnabled() for b in buttons)
