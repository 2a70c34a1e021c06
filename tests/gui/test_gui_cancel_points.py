"""Cancel in the desktop app's worker during the composite step of a real run (the tiny project).

QA: 13.6 s and 24 s from Cancel to "Đã hủy" on the sample, the composites yielding only at their end. The worker
checks its cancel flag before each next(): with a cancel point inside the composite, the run stops there.
"""

from __future__ import annotations

import threading

import pytest

from gui.worker import TaskRunner
from tests.coverage_planner.tiny_project import write_project


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    r.progress_interval = 0.0
    yield r
    r.cancel()
    assert r.wait(10000)


def test_cancel_during_a_composite_stops_the_worker_there(qtbot, runner, tmp_path, monkeypatch,
                                                         composite_updates):
    from analysis import coverage
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    monkeypatch.setattr(coverage, "CELLS_PER_STEP", 1, raising=False)  # a cancel point after every window
    project = load_project(write_project(tmp_path / "proj"))
    ctx = pipeline.prepare(project, cache_dir=tmp_path / "cache")
    applied = composite_updates
    threads = set(threading.enumerate())
    files = sorted(p for p in tmp_path.rglob("*") if "cache" not in p.parts)
    seen = []

    def run():
        """The run as the window starts it; Cancel is pressed when the first composite has one tower done (from
        here, so the moment is exact; TaskRunner.cancel is thread-safe)."""
        for item in pipeline.iter_run(project, context=ctx):
            seen.append(item.message)
            if item.message == "Composite coverage: 1/2 towers":
                runner.cancel()
            yield item

    with qtbot.waitSignal(runner.cancelled, timeout=20000) as blocker:
        assert runner.start("run", run)
    assert blocker.args == ["run"]
    qtbot.waitUntil(lambda: not runner.is_running(), timeout=5000)
    assert runner.thread is None or not runner.thread.isRunning()
    assert seen[-1] == "Composite coverage: 1/2 towers"
    assert applied == [0]  # the worker closed the run at that cancel point: no other window was applied
    assert sorted(p for p in tmp_path.rglob("*") if "cache" not in p.parts) == files
    # no Python thread of the task is left (the progress flusher); the QThread itself, checked above, stays listed
    # by Python as a "dummy" entry after its end
    qtbot.waitUntil(lambda: not [t for t in set(threading.enumerate()) - threads
                                 if type(t).__name__ != "_DummyThread"], timeout=5000)
