"""Benchmark: the full sample run (cold cache), a warm re-run, and failure scenarios from cache.

Run: .venv/bin/python benchmarks/bench_pipeline.py [--project data/sample/dien_bien/project.toml]

numba compilation is excluded from the cold-run figure by a warm-up run on the tiny test project first
(its time is printed separately). Peak memory is the process's maximum resident set size. Targets
(issue 4): sample end to end ≤ 60 s on 2 cores; scenario re-run ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--project", default=str(REPO / "data/sample/dien_bien/project.toml"))
    args = ap.parse_args()

    from coverage_planner import pipeline
    from coverage_planner.project import load_project
    from coverage_planner.results import Scenario
    from tests.coverage_planner.tiny_project import write_project

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tiny = load_project(write_project(Path(tmp) / "tiny"))
        t = time.perf_counter()
        pipeline.run(tiny, cache_dir=Path(tmp) / "tiny-cache")
        rows.append(("warm-up on tiny project (numba compile + imports)", time.perf_counter() - t, ""))

        project = load_project(args.project)
        cache_dir = Path(tmp) / "cache"
        t = time.perf_counter()
        ctx = pipeline.prepare(project, cache_dir=cache_dir)
        t_load = time.perf_counter() - t
        res = pipeline.run(project, context=ctx)
        t_cold = time.perf_counter() - t
        rows.append(("sample, cold cache, end to end (load + coverage + gaps + placement)", t_cold, "target ≤ 60 s"))
        for k, v in res.timings.items():
            rows.append((f"   stage {k}", v, ""))
        rows.append(("   of which input loading", t_load, ""))
        n_on = int((res.towers["status"] == "on_air").sum())
        rows.append(("   towers computed", float(n_on), "count"))
        rows.append(("peak memory after cold run (RSS)", peak_rss_mb(), "MB"))

        t = time.perf_counter()
        pipeline.run(project, context=ctx)
        rows.append(("warm re-run, same context (memory cache)", time.perf_counter() - t, ""))

        served = res.stations["best_server"].astype(str)
        busiest = served[served != ""].value_counts().index[:3].tolist()  # "" = no signal, not a tower
        scen = Scenario("three busiest towers down", tuple(busiest))
        t = time.perf_counter()
        sres = pipeline.run(project, scen, context=ctx, placement=False, groups=False)
        t_scen = time.perf_counter() - t
        rows.append((f"scenario re-run from memory cache ({', '.join(busiest)} down)", t_scen, "target ≤ 2 s"))
        rows.append(("   newly uncovered stations", float(len(sres.newly_uncovered)), "count"))

        ctx2 = pipeline.prepare(project, cache_dir=cache_dir)
        t = time.perf_counter()
        dres = pipeline.run(project, scen, context=ctx2, placement=False, groups=False)
        rows.append(("scenario re-run from disk cache (new context, inputs already loaded)", time.perf_counter() - t, "target ≤ 2 s"))
        for k, v in dres.timings.items():
            rows.append((f"   stage {k}", v, ""))
        rows.append(("peak memory overall (RSS)", peak_rss_mb(), "MB"))

    print(f"\ncoverage-planner pipeline benchmark — {os.cpu_count()} cores, project {args.project}")
    print(f"{'measure':78s} {'value':>10s}  note")
    for name, val, note in rows:
        unit = "" if note in ("MB", "count") else "s"
        print(f"{name:78s} {val:10.2f}{unit:1s} {note}")


if __name__ == "__main__":  # pragma: no cover
    main()
