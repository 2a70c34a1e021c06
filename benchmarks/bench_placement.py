"""Placement benchmark: covers-matrix build, lazy greedy, exact MILP (HiGHS) and LSCP on synthetic instances.

Synthetic but shaped like the real problem: a 600 × 600 grid of 90 m cells (54 km square), ``--candidates``
candidate cells drawn at random (default 15 000), ``n`` uncovered polling stations, and per station a
reciprocal path-loss window of radius ``--radius-km`` (free-space loss at 900 MHz plus a spatially correlated
"terrain shadow" field of several dB); a station is covered from a candidate when the loss is below
``--max-loss``. Defaults give each station a few hundred covering candidates. Weights are voters (100–1500)
× 1.5 for a random 30 % of "border/remote" stations.

Run:  .venv/bin/python benchmarks/bench_placement.py            (sizes 100 and 500)
      .venv/bin/python benchmarks/bench_placement.py --sizes 100 --k 10 --time-limit 60
Nothing here is jitted, so there is no compilation time to exclude.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.placement import MaximalCovering, SetCovering, covers_from_loss_windows  # noqa: E402


def make_instance(n_stations: int, n_candidates: int, seed: int, radius_km: float, shape=(600, 600), cs=90.0):
    rng = np.random.default_rng(seed)
    nr, nc = shape
    shadow = ndimage.gaussian_filter(rng.normal(0.0, 1.0, shape), 6.0)
    shadow *= 12.0 / shadow.std()  # ~12 dB standard deviation, correlated over ~0.5 km
    flat = rng.choice(nr * nc, size=n_candidates, replace=False)
    cand_r, cand_c = np.divmod(flat, nc)
    st_r = rng.integers(40, nr - 40, n_stations)
    st_c = rng.integers(40, nc - 40, n_stations)
    rad = int(round(radius_km * 1000 / cs))
    yy, xx = np.mgrid[-rad : rad + 1, -rad : rad + 1]
    dist_km = np.maximum(np.hypot(yy, xx) * cs, cs / 2) / 1000.0
    fspl = 32.45 + 20 * np.log10(900.0) + 20 * np.log10(dist_km)
    fspl[np.hypot(yy, xx) > rad] = np.nan
    windows = []
    for r, c in zip(st_r, st_c, strict=True):
        r0, c0 = int(r) - rad, int(c) - rad
        rs = slice(max(r0, 0), min(r0 + 2 * rad + 1, nr))
        cs_ = slice(max(c0, 0), min(c0 + 2 * rad + 1, nc))
        win = np.full(fspl.shape, np.nan, np.float32)
        sub = (slice(rs.start - r0, rs.stop - r0), slice(cs_.start - c0, cs_.stop - c0))
        # shadow of the path ~ shadow at both ends (symmetric in the two ends, like reciprocity)
        win[sub] = fspl[sub] + 0.5 * (shadow[rs, cs_] + shadow[r, c]) + 15.0
        windows.append((win, r0, c0))
    voters = rng.integers(100, 1500, n_stations).astype(float)
    prio = np.where(rng.random(n_stations) < 0.3, 1.5, 1.0)
    return windows, cand_r, cand_c, voters * prio


def run(n: int, args) -> dict:
    windows, cr, cc, w = make_instance(n, args.candidates, args.seed + n, args.radius_km)
    t0 = time.perf_counter()
    covers, stats = covers_from_loss_windows(windows, cr, cc, args.max_loss, return_stats=True)
    t_cov = time.perf_counter() - t0
    per_station = stats.n_covering
    k = args.k if args.k else max(5, n // 20)
    p = MaximalCovering.from_arrays(covers, w, k)
    t0 = time.perf_counter()
    p.solve_greedy()
    t_greedy = time.perf_counter() - t0
    t0 = time.perf_counter()
    p.solve_exact(time_limit=args.time_limit)
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = SetCovering.from_arrays(covers, w).solve(time_limit=args.time_limit)
    t_lscp = time.perf_counter() - t0
    return {
        "n": n,
        "cands": covers.shape[1],
        "nnz": covers.nnz,
        "reach_med": int(np.median(per_station)),
        "uncov": int((per_station == 0).sum()),
        "k": k,
        "t_covers": t_cov,
        "t_greedy": t_greedy,
        "t_exact": t_exact,
        "reduced": f"{p.reduction.shape[0]}x{p.reduction.shape[1]}",
        "greedy": p.greedy_objective,
        "exact": p.exact_objective,
        "bound": p.upper_bound,
        "gap_pct": 100 * p.gap,
        "exact_gap_pct": 100 * p.exact_gap,
        "lscp": f"{s.n_sites} (greedy {s.greedy_sites}, lb {s.lower_bound:.0f})",
        "t_lscp": t_lscp,
        "status": p.status,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    ap.add_argument("--candidates", type=int, default=15_000)
    ap.add_argument("--radius-km", type=float, default=5.0)
    ap.add_argument("--max-loss", type=float, default=128.0)
    ap.add_argument("--k", type=int, default=0, help="sites (default n/20, at least 5)")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    rows = [run(n, args) for n in args.sizes]
    head = (
        f"{'n':>4} {'cands':>6} {'nnz':>7} {'reach':>5} {'uncov':>5} {'k':>3} {'covers s':>8} {'greedy s':>8} "
        f"{'exact s':>8} {'reduced':>10} {'greedy obj':>11} {'exact obj':>11} {'bound':>11} {'gap %':>6} "
        f"{'ex.gap%':>7} "
        f"{'LSCP s':>7}  LSCP sites"
    )
    print(head)
    for r in rows:
        print(
            f"{r['n']:>4} {r['cands']:>6} {r['nnz']:>7} {r['reach_med']:>5} {r['uncov']:>5} {r['k']:>3} "
            f"{r['t_covers']:>8.3f} {r['t_greedy']:>8.3f} {r['t_exact']:>8.3f} {r['reduced']:>10} "
            f"{r['greedy']:>11.0f} {r['exact']:>11.0f} {r['bound']:>11.0f} {r['gap_pct']:>6.2f} "
            f"{r['exact_gap_pct']:>7.2f} "
            f"{r['t_lscp']:>7.2f}  {r['lscp']}"
        )
    print(
        "gap % = proven gap of the greedy plan, (bound - greedy) / bound; ex.gap % = same for the MILP plan"
    )
    for r in rows:
        print(f"n={r['n']}: {r['status']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
