"""The worker thread: results, progress, cancel at a yield, readable errors, no frozen event loop."""

from __future__ import annotations

import math
import threading
import time
from collections import namedtuple

import pytest
from PyQt6.QtCore import QElapsedTimer, QTimer

from coverage_planner.errors import InputError
from gui.worker import EtaEstimator, TaskRunner, call_as_generator, format_eta

# the shape of coverage_planner.progress.Progress (kept local: the worker takes any item with these fields)
Progress = namedtuple("Progress", "stage fraction message")


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    thread = r.thread
    r.cancel()
    assert r.wait(10000)
    assert thread is None or not thread.isRunning()


def test_finished_carries_the_return_value_and_progress_in_order(qtbot, runner):
    runner.progress_interval = 0.0  # no throttling: every item arrives
    seen = []
    runner.progress.connect(lambda s, f, m, eta: seen.append((s, f, m)))

    def gen():
        for i in range(5):
            yield Progress("coverage", i / 5, f"tower {i}")
        return {"answer": 42}

    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        assert runner.start("run", gen)
    assert blocker.args == ["run", {"answer": 42}]
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert [f for _, f, _ in seen] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert seen[3] == ("coverage", 0.6, "tower 3")
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=5000)


def test_only_one_task_at_a_time(qtbot, runner):
    gate = threading.Event()

    def slow():
        while not gate.is_set():
            yield Progress("load", 0.0, "")
            time.sleep(0.005)
        return 1

    assert runner.start("a", slow)
    assert runner.start("b", slow) is False
    gate.set()
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=5000)


def test_cancel_stops_at_the_next_yield_and_closes_the_generator(qtbot, runner):
    closed = threading.Event()
    steps = []

    def endless():
        try:
            while True:
                steps.append(1)
                yield Progress("coverage", 0.5, "")
                time.sleep(0.01)
        finally:
            closed.set()

    with qtbot.waitSignal(runner.cancelled, timeout=5000) as blocker:
        runner.start("run", endless)
        qtbot.waitUntil(lambda: len(steps) >= 3, timeout=5000)
        runner.cancel()
    assert blocker.args == ["run"]
    assert closed.is_set(), "generator's finally block did not run: gen.close() was not called"
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=5000)
    n = len(steps)
    time.sleep(0.05)
    assert len(steps) == n  # nothing keeps iterating after the cancel


def test_input_error_becomes_its_readable_message(qtbot, runner):
    def broken():
        yield Progress("load", 0.0, "")
        raise InputError("'lat' is not a number", path="towers.csv", row=7, field="lat",
                         hint="write decimal degrees, e.g. 21.38")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start("check", broken)
    name, message = blocker.args
    assert name == "check"
    assert message.startswith("towers.csv, row 7, field 'lat': 'lat' is not a number")
    assert "How to fix: write decimal degrees" in message
    assert "Traceback" not in message


def test_unexpected_error_is_reported_not_raised(qtbot, runner):
    def bug():
        yield Progress("gaps", 0.1, "")
        return 1 / 0

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start("run", bug)
    assert blocker.args[1].startswith("Unexpected error: ZeroDivisionError")
    assert "Details:" in blocker.args[1]


def test_progress_is_throttled_but_stage_changes_always_arrive(qtbot, runner):
    seen = []
    runner.progress.connect(lambda s, f, m, eta: seen.append(s))

    def chatty():
        for i in range(2000):
            yield Progress("coverage", i / 4000, "")
        yield Progress("gaps", 0.6, "")
        return None

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start("run", chatty)
    qtbot.waitUntil(lambda: "gaps" in seen, timeout=5000)
    assert seen[0] == "coverage"
    assert len(seen) < 50  # 2001 items in well under a second: throttled to a few


def test_call_as_generator_runs_a_plain_function(qtbot, runner):
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.start("export", lambda: call_as_generator(lambda: "written.html", "export"))
    assert blocker.args == ["export", "written.html"]


def test_event_loop_keeps_turning_while_a_python_heavy_task_runs(qtbot, runner):
    """A pure-Python busy loop in the worker holds the GIL most of the time; the GUI must still get turns."""
    gaps = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)

    def tick():
        gaps.append(clock.restart())

    timer.timeout.connect(tick)

    def busy():
        t_end = time.monotonic() + 1.0
        x = 0
        while time.monotonic() < t_end:
            for i in range(20000):
                x += i * i
            yield Progress("coverage", 0.5, "")
        return x

    clock.start()
    timer.start()
    with qtbot.waitSignal(runner.finished, timeout=10000):
        runner.start("run", busy)
    timer.stop()
    assert len(gaps) > 20
    longest = max(gaps[1:])
    print(f"longest event-loop gap during a 1 s Python-heavy task: {longest} ms")
    assert longest < 250


def test_eta_is_extrapolated_from_the_pace_of_the_current_stage():
    now = [100.0]
    eta = EtaEstimator(clock=lambda: now[0])
    assert math.isnan(eta(0.0, "coverage"))  # a new stage: no estimate yet
    for i in range(1, 11):  # 0.025 per second for 10 s
        now[0] += 1.0
        left = eta(0.025 * i, "coverage")
    assert left == pytest.approx(0.75 / 0.025, rel=0.1)
    assert eta(1.0, "coverage") == 0.0


def test_format_eta():
    assert format_eta(65) == "1:05"
    assert format_eta(3723) == "1:02:03"
    assert format_eta(math.nan) == ""
    assert format_eta(-1) == ""


def test_the_last_held_back_item_arrives_while_the_next_step_is_long(qtbot, runner):
    """QA: the sample's 257 cached towers came within milliseconds; the throttle sent "Tower … (1/257)" and dropped
    the rest, so the status bar said "tower 1 of 257" through the 30 s composite step that followed. The last item
    held back now arrives one interval later, during the long step; nothing arrives after the end."""
    seen = []
    runner.progress.connect(lambda s, f, m, eta: seen.append(m))
    runner.finished.connect(lambda name, result: seen.append("FINISHED"))
    release = threading.Event()

    def burst_then_long_step():
        for i in range(1, 258):
            yield Progress("coverage", i / 257 * 0.5, f"Tower T{i} ({i}/257)")
        release.wait(10)  # the long step without a yield (the composite)
        yield Progress("coverage", 0.6, "Composite coverage done")
        return "ok"

    with qtbot.waitSignal(runner.finished, timeout=15000):
        runner.start("run", burst_then_long_step)
        qtbot.waitUntil(lambda: "Tower T257 (257/257)" in seen, timeout=3000)
        assert seen[0] == "Tower T1 (1/257)" and len(seen) < 20  # still throttled
        release.set()
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=5000)
    n = len(seen)
    qtbot.wait(200)
    assert len(seen) == n and seen[-2:] == ["Composite coverage done", "FINISHED"]
