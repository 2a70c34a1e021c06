"""Long computations off the GUI thread.

:class:`GeneratorWorker` iterates a progress generator (``coverage_planner.pipeline.iter_run`` or anything
that yields ``Progress(stage, fraction, message)`` and returns its result through ``StopIteration.value``) on
a :class:`QThread`. Each ``yield`` is a cancel point: :meth:`TaskRunner.cancel` sets a flag the worker checks
before asking for the next item, then it closes the generator (running its ``finally`` blocks) and emits
``cancelled``. Errors never escape the thread: they become ``failed(message)`` with the readable text of a
``CoveragePlannerError`` (a :class:`gui.i18n.ErrorMessage`: the window shows it in its language) or, for an
unexpected exception, its type, message and traceback.

:class:`TaskRunner` owns one thread at a time and forwards the worker's signals on the GUI thread.
"""

from __future__ import annotations

import math
import threading
import time
import traceback
from typing import Any, Callable

from PyQt6.QtCore import QObject, Qt, QThread, pyqtSignal, pyqtSlot

from coverage_planner.errors import CancelledError, CoveragePlannerError
from gui.i18n import ErrorMessage


def call_as_generator(fn: Callable[[], Any], stage: str = ""):
    """A generator that yields one progress item, then runs ``fn()`` and returns its value."""

    class _P:
        def __init__(self, stage, fraction, message):
            self.stage, self.fraction, self.message = stage, fraction, message

    yield _P(stage, 0.0, "")
    return fn()


def format_eta(seconds: float) -> str:
    """``'1:05'`` for 65 s, ``'1:02:03'`` above an hour, ``''`` when unknown."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class EtaEstimator:
    """Time remaining, shown only when it can be honest.

    The stages of a run go at very different paces (placement is slow for its share of the bar, gaps and
    resilience are fast), so the overall fraction alone mis-predicts badly. Rules:

    * a stage change resets the estimate: nothing (NaN) until the new stage has run ``warmup`` seconds with at
      least ``min_updates`` increasing fractions;
    * the pace is measured within the current stage only, and the estimate is smoothed (exponential average,
      ``alpha``) so it does not jump with each step;
    * when ``stages`` (the task's stage order) says a stage is still ahead, whose pace is unknown, an estimate
      under ``min_ahead`` seconds is not shown: a stage ahead never ends in "0:0x".
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, stages: tuple[str, ...] = (),
                 warmup: float = 3.0, min_updates: int = 3, alpha: float = 0.3, min_ahead: float = 15.0) -> None:
        self._clock = clock
        self._stages = tuple(stages)
        self._warmup, self._min_updates, self._alpha, self._min_ahead = warmup, min_updates, alpha, min_ahead
        self._stage: str | None = None
        self._t0 = self._f0 = 0.0
        self._last_f = -1.0
        self._updates = 0
        self._smooth = math.nan

    def _stages_ahead(self, stage: str) -> bool:
        return stage in self._stages and self._stages.index(stage) < len(self._stages) - 1

    def __call__(self, fraction: float, stage: str = "") -> float:
        now = self._clock()
        if fraction >= 1.0:
            return 0.0
        if stage != self._stage:  # a new stage: its pace is unknown
            self._stage, self._t0, self._f0 = stage, now, fraction
            self._last_f, self._updates, self._smooth = fraction, 0, math.nan
            return math.nan
        if fraction > self._last_f:
            self._updates += 1
            self._last_f = fraction
        elapsed, done = now - self._t0, fraction - self._f0
        if elapsed < self._warmup or self._updates < self._min_updates or done <= 0:
            return math.nan
        raw = elapsed * (1.0 - fraction) / done
        self._smooth = raw if math.isnan(self._smooth) else self._alpha * raw + (1 - self._alpha) * self._smooth
        if self._stages_ahead(stage) and self._smooth < self._min_ahead:
            return math.nan
        return self._smooth


class GeneratorWorker(QObject):
    """Iterates ``make_generator()`` on the thread it lives in."""

    progress = pyqtSignal(str, float, str, float)  # stage, fraction 0..1, message, seconds left (NaN unknown)
    finished = pyqtSignal(object)  # the generator's return value
    failed = pyqtSignal(object)  # readable message (str; a core error's is a gui.i18n.ErrorMessage)
    cancelled = pyqtSignal()
    done = pyqtSignal()  # after any of the three above

    def __init__(self, make_generator: Callable[[], Any], progress_interval: float = 0.05,
                 stages: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._make_generator = make_generator
        self._stages = tuple(stages)
        self._cancel = threading.Event()
        self._interval = float(progress_interval)
        # the last item the throttle held back, sent by the flusher thread if the generator then goes quiet
        self._lock = threading.Lock()
        self._held: tuple | None = None
        self._quit_flusher = threading.Event()

    def cancel(self) -> None:
        """Thread-safe: ask the worker to stop at the next cancel point."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def _emit_progress(self, args: tuple | None) -> None:
        """Send ``args`` (None: the held item, if any) and drop the held item. Under the lock, so the worker and
        the flusher never send items out of order."""
        with self._lock:
            if args is None:
                args, self._held = self._held, None
            else:
                self._held = None
            if args is not None:
                self.progress.emit(*args)

    def _flush_held(self) -> None:
        """The flusher thread: an item the throttle held back is sent one interval later if no newer one was.
        QA: the sample's 257 cached towers came in a few milliseconds; the throttle sent "Tower … (1/257)" and
        dropped the rest, and that message then stood for the 30 s of the composite step that followed."""
        while not self._quit_flusher.wait(self._interval):
            self._emit_progress(None)

    def _stop_flusher(self, flusher: threading.Thread | None) -> None:
        """Before the task's last signal: no progress may arrive after finished/failed/cancelled."""
        self._quit_flusher.set()
        if flusher is not None and flusher.ident is not None:  # started
            flusher.join()
        with self._lock:
            self._held = None

    @pyqtSlot()
    def run(self) -> None:
        flusher = threading.Thread(target=self._flush_held, name="progress-flusher", daemon=True)
        try:
            self._run(flusher)
        finally:
            self._stop_flusher(flusher)  # in case _run left early (its terminal signals stop it first)
            self.done.emit()

    def _run(self, flusher: threading.Thread) -> None:
        gen = None
        eta = EtaEstimator(stages=self._stages)
        last_emit, last_stage = -math.inf, None
        try:
            if self._cancel.is_set():
                self.cancelled.emit()
                return
            flusher.start()
            gen = self._make_generator()
            while True:
                if self._cancel.is_set():
                    gen.close()
                    gen = None
                    self._stop_flusher(flusher)
                    self.cancelled.emit()
                    return
                try:
                    item = next(gen)
                except StopIteration as stop:
                    gen = None
                    self._stop_flusher(flusher)
                    self.finished.emit(stop.value)
                    return
                fraction = float(getattr(item, "fraction", 0.0) or 0.0)
                fraction = min(max(fraction, 0.0), 1.0)
                stage = str(getattr(item, "stage", ""))
                seconds_left = eta(fraction, stage)  # every item: the estimator's pace needs them all
                now = time.monotonic()
                # Throttle: every queued signal makes the GUI thread wait for the GIL; a flood of them starves
                # its timers and paints (measured: 0.5 s stalls at ~700 signals/s). Stage changes always pass.
                args = (stage, fraction, str(getattr(item, "message", "")), seconds_left)
                if now - last_emit >= self._interval or stage != last_stage or fraction >= 1.0:
                    last_emit, last_stage = now, stage
                    self._emit_progress(args)
                else:  # held back: sent by the flusher unless a newer item comes first
                    with self._lock:
                        self._held = args
        except CancelledError:
            self._stop_flusher(flusher)
            self.cancelled.emit()
        except CoveragePlannerError as exc:
            self._stop_flusher(flusher)
            self.failed.emit(ErrorMessage(exc))  # English text, and the error for the translated one
        except MemoryError:
            self._stop_flusher(flusher)
            self.failed.emit("Out of memory. Use a coarser resolution_m or a smaller area in the project file.")
        except Exception as exc:  # noqa: BLE001 - any error must reach the user as a dialog, never a crash
            tb = traceback.format_exc(limit=8)
            self._stop_flusher(flusher)
            self.failed.emit(f"Unexpected error: {type(exc).__name__}: {exc}\n\nDetails:\n{tb}")
        finally:
            if gen is not None:
                try:
                    gen.close()
                except Exception:  # noqa: BLE001
                    pass


class TaskRunner(QObject):
    """Runs one generator task at a time on a fresh QThread and re-emits its signals on the GUI thread."""

    started = pyqtSignal(str)  # task name
    progress = pyqtSignal(str, float, str, float)
    finished = pyqtSignal(str, object)  # task name, result
    failed = pyqtSignal(str, object)  # task name, message (str, see GeneratorWorker.failed)
    cancelled = pyqtSignal(str)
    idle = pyqtSignal()  # the thread has ended

    def __init__(self, parent: QObject | None = None, progress_interval: float = 0.05) -> None:
        super().__init__(parent)
        self.progress_interval = progress_interval  # seconds between progress signals (stage changes always)
        self._thread: QThread | None = None
        self._worker: GeneratorWorker | None = None
        self._name = ""

    @property
    def thread(self) -> QThread | None:
        return self._thread

    @property
    def task_name(self) -> str:
        return self._name

    def is_running(self) -> bool:
        """True from :meth:`start` until ``idle`` (the thread has ended and been cleaned up)."""
        return self._thread is not None

    def start(self, name: str, make_generator: Callable[[], Any], stages: tuple[str, ...] = ()) -> bool:
        """Start ``make_generator()`` on a new thread; returns False if a task is already running.

        ``stages``: the task's stage names in order, if known (the time-left estimate then knows when a stage
        of unknown pace is still ahead)."""
        if self._thread is not None:
            return False
        self._name = name
        thread = QThread()
        thread.setObjectName(f"coverage-planner-{name}")
        worker = GeneratorWorker(make_generator, self.progress_interval, stages)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        # bound slots of this GUI-thread object => queued connections, delivered on the GUI thread
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        # direct: quit the thread's event loop from the worker thread itself (QThread.quit is thread-safe),
        # so wait() never depends on the GUI thread processing events
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()
        self.started.emit(name)
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the thread ends (for shutdown and tests). Returns False on timeout."""
        thread = self._thread
        if thread is None:
            return True
        ok = thread.wait(msecs)
        return bool(ok)

    @pyqtSlot(object)
    def _on_finished(self, result) -> None:
        self.finished.emit(self._name, result)

    @pyqtSlot(object)
    def _on_failed(self, message: str) -> None:
        self.failed.emit(self._name, message)

    @pyqtSlot()
    def _on_cancelled(self) -> None:
        self.cancelled.emit(self._name)

    @pyqtSlot()
    def _on_thread_finished(self) -> None:
        thread, worker = self._thread, self._worker
        self._thread = self._worker = None
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self.idle.emit()
