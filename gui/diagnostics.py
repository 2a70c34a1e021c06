"""Measure how responsive the window stays during a whole check + run of a project.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m gui.diagnostics data/sample/dien_bien/project.toml [--fresh]
        [--screenshot out.png]

A 10 ms QTimer records the gaps between its ticks on the GUI thread while the inputs are checked and the
analysis runs; the longest gap is the worst freeze a user would feel. Prints the longest gaps with the
stage shown at that moment. ``--fresh`` copies the project (without its output folder, so without the level
cache) to a temporary folder first: a first run, the slow case.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PyQt6.QtCore import QElapsedTimer, QSettings, QTimer


def measure(project: Path, *, screenshot: str | None = None, lang: str = "en") -> dict:
    from gui import i18n
    from gui.app import create_app
    from gui.mainwindow import MainWindow

    app = create_app()
    i18n.set_language(lang)
    settings_dir = tempfile.mkdtemp(prefix="cp-diag-")
    window = MainWindow(settings=QSettings(str(Path(settings_dir) / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    gaps: list[tuple[float, int, str]] = []
    clock = QElapsedTimer()
    t0 = time.monotonic()

    def tick():
        gaps.append((time.monotonic() - t0, clock.restart(), window.stage_label.text()))

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    state = {"phase": "check", "error": None}
    gc_pauses: list[tuple[float, float, int]] = []
    _gc_start = {}

    def on_gc(phase, info):
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        if phase == "start":
            _gc_start["t"] = time.monotonic()
        elif "t" in _gc_start:
            gc_pauses.append((time.monotonic() - t0, (time.monotonic() - _gc_start.pop("t")) * 1000,
                              info.get("generation", -1)))

    import gc

    gc.callbacks.append(on_gc)

    def next_step():
        if state["phase"] == "check":
            state["phase"] = "run"
            if window.session.inputs is None or not window.run_analysis():
                state["error"] = window.stage_label.text()
                app.quit()
        else:
            app.quit()

    window.runner.idle.connect(lambda: QTimer.singleShot(0, next_step))
    window.errorShown.connect(lambda title, text: state.update(error=f"{title}: {text}"))
    clock.start()
    timer.start()
    window.open_project(project)
    app.exec()
    timer.stop()
    gc.callbacks.remove(on_gc)
    total = time.monotonic() - t0
    if screenshot:
        window.canvas.finish_pending()
        window.grab().save(screenshot)
    worst = sorted(gaps, key=lambda g: -g[1])
    window.close()
    return {"total_s": total, "ticks": len(gaps), "longest_ms": worst[0][1] if worst else None,
            "worst": worst[:10], "error": state["error"],
            "gc": sorted(gc_pauses, key=lambda g: -g[1])[:5],
            "counts": window.session.results.station_counts() if window.session.results is not None else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project")
    ap.add_argument("--fresh", action="store_true", help="run a copy without the level cache")
    ap.add_argument("--screenshot")
    ap.add_argument("--lang", default="en", choices=["en", "vi"])
    args = ap.parse_args(argv)
    project = Path(args.project).resolve()
    if args.fresh:
        dest = Path(tempfile.mkdtemp(prefix="cp-fresh-")) / project.parent.name
        shutil.copytree(project.parent, dest, ignore=shutil.ignore_patterns("output"))
        project = dest / project.name
    out = measure(project, screenshot=args.screenshot, lang=args.lang)
    print(f"project: {project}")
    print(f"check + run: {out['total_s']:.1f} s, {out['ticks']} timer ticks; station counts {out['counts']}")
    print(f"longest event-loop stall: {out['longest_ms']} ms")
    for t, ms, stage in out["worst"]:
        print(f"  {ms:5d} ms at {t:6.1f} s  [{stage[:80]}]")
    for t, ms, gen in out["gc"]:
        print(f"  garbage collection on the GUI thread: {ms:.0f} ms (generation {gen}) at {t:.1f} s")
    if out["error"]:
        print(f"error: {out['error']}")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
