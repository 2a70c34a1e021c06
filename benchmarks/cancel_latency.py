"""Benchmark: how long Cancel can take at each stage of a run (the gaps between cancel points).

Run: .venv/bin/python benchmarks/cancel_latency.py [--project data/sample/dien_bien/project.toml] [--cache DIR]
     [--no-exports] [--repo OTHER_CHECKOUT]

``pipeline.iter_run`` is a generator and every yield is a cancel point: the desktop app's worker stops at the next
one after Cancel. The first table gives, per stage, the longest interval between two consecutive yields (the
worst wait after pressing Cancel there) and the messages of the yields that opened and closed it.

The command line is cancelled with Ctrl+C, which Python handles only when the main thread runs Python code again
(not inside one long numba, GDAL or numpy call). The second table gives the longest such stretch, measured with a
SIGALRM every 20 ms whose handler notes the time: the gaps between handler calls, per phase of the run — the
analysis stages and the ``run`` command's exports after it (GIS files, HTML map, PDF report), which yield nothing.

Use a warm level cache (``--cache`` a folder of an earlier run of the same project) to measure what the QA tester
measured (a re-run); without it the towers are computed first (cold, several minutes). numba compilation is done
first on the tiny test project. Timings depend on the machine's load: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TICK_S = 0.02


class SignalGaps:
    """Longest stretch without a Python signal handler call, per phase (the Ctrl+C latency)."""

    def __init__(self):
        self.phase = "start"
        self.last = time.perf_counter()
        self.worst: dict[str, float] = {}

    def _tick(self, _signum, _frame):
        now = time.perf_counter()
        gap = now - self.last
        if gap > self.worst.get(self.phase, 0.0):
            self.worst[self.phase] = gap
        self.last = now

    def set_phase(self, phase: str) -> None:
        self._tick(None, None)  # the gap up to here belongs to the phase that ends
        self.phase = phase

    def __enter__(self):
        self._old = signal.signal(signal.SIGALRM, self._tick)
        signal.setitimer(signal.ITIMER_REAL, TICK_S, TICK_S)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, self._old)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default=str(REPO / "data/sample/dien_bien/project.toml"))
    ap.add_argument("--cache", default=None, help="level cache folder (warm: of an earlier run of the project)")
    ap.add_argument("--over", type=float, default=0.5, help="also list every interval longer than this (s)")
    ap.add_argument("--no-exports", action="store_true", help="skip the run command's exports (GIS, map, PDF)")
    ap.add_argument("--repo", default=str(REPO), help="the checkout to measure (default: this one), e.g. the "
                                                       "main branch's for a before/after table")
    args = ap.parse_args()
    sys.path.insert(0, str(args.repo))

    from coverage_planner import gisexport, pipeline, report, webmap
    from coverage_planner.project import load_project
    from tests.coverage_planner.tiny_project import write_project

    with tempfile.TemporaryDirectory() as tmp:
        tiny = load_project(write_project(Path(tmp) / "tiny"))
        pipeline.run(tiny, cache_dir=Path(tmp) / "tiny-cache")  # numba compile + imports

        project = load_project(args.project)
        cache_dir = Path(args.cache) if args.cache else Path(tmp) / "cache"
        ctx = pipeline.prepare(project, cache_dir=cache_dir)
        # cancel points: (stage, longest interval, message before, message after)
        worst: dict[str, tuple[float, str, str]] = {}
        n_yields: dict[str, int] = {}
        long: list[tuple[float, str, str, str]] = []  # every interval over --over seconds
        gen = pipeline.iter_run(project, context=ctx)
        t0 = time.perf_counter()
        with SignalGaps() as sig:
            last_t, last_msg = time.perf_counter(), "(start)"
            while True:
                try:
                    p = next(gen)
                except StopIteration as stop:
                    results = stop.value
                    break
                now = time.perf_counter()
                dt = now - last_t
                n_yields[p.stage] = n_yields.get(p.stage, 0) + 1
                if dt > args.over:
                    long.append((dt, p.stage, last_msg, p.message))
                if dt > worst.get(p.stage, (-1.0,))[0]:
                    worst[p.stage] = (dt, last_msg, p.message)
                sig.set_phase(f"analysis: {p.stage}")
                last_t, last_msg = now, p.message
            t_run = time.perf_counter() - t0
            exports = []
            if not args.no_exports:
                out = Path(tmp) / "out"
                out.mkdir()
                for name, write in (("gis", lambda: gisexport.export_all(results, out)),
                                    ("map", lambda: webmap.write_map(results, out / "coverage_map.html", lang="vi")),
                                    ("report", lambda: report.build_report(results, out / "gap_report_vi.pdf",
                                                                           lang="vi"))):
                    sig.set_phase(f"export: {name}")
                    t = time.perf_counter()
                    write()
                    exports.append((name, time.perf_counter() - t))
            sig.set_phase("end")

    print(f"\ncancel latency — {args.repo}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, project "
          f"{args.project}, cache {'warm: ' + str(cache_dir) if args.cache else 'cold'}; run {t_run:.1f} s")
    print("\n1. desktop app (Cancel): longest interval between two yields of iter_run, per stage")
    print(f"{'stage':12s} {'yields':>6s} {'longest':>8s}  from → to (the yields around it)")
    for stage, (dt, before, after) in worst.items():
        print(f"{stage:12s} {n_yields[stage]:6d} {dt:7.2f}s  {before!r} → {after!r}")
    for name, dt in exports:
        print(f"{'export ' + name:12s} {0:6d} {dt:7.2f}s  (the run command's export: no cancel point)")
    print(f"\n   every interval over {args.over:g} s, in run order:")
    for dt, stage, before, after in long:
        print(f"   {stage:12s} {dt:7.2f}s  {before!r} → {after!r}")
    print(f"\n2. command line (Ctrl+C): longest stretch without running Python signal handlers, per phase "
          f"(SIGALRM every {TICK_S * 1000:.0f} ms)")
    for phase, gap in sig.worst.items():
        if phase not in ("start", "end"):
            print(f"{phase:24s} {gap:7.2f}s")


if __name__ == "__main__":  # pragma: no cover
    main()
