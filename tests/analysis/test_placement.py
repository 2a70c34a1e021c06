"""MCLP greedy vs exact vs brute force, LSCP vs brute force, reductions, covers from loss windows, errors."""

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

from analysis import AnalysisError
from analysis.placement import (
    MaximalCovering,
    SetCovering,
    covers_from_loss_windows,
    order_by_gain,
    uncoverable,
)


def brute_mclp(C, w, k):
    best = 0.0
    m = C.shape[1]
    for r in range(1, min(k, m) + 1):
        for s in itertools.combinations(range(m), r):
            best = max(best, float(w[C[:, list(s)].any(axis=1)].sum()))
    return best


def brute_lscp(C):
    need = C.any(axis=1)
    m = C.shape[1]
    if not need.any():
        return 0
    for r in range(1, m + 1):
        for s in itertools.combinations(range(m), r):
            if np.all(C[need][:, list(s)].any(axis=1)):
                return r
    raise AssertionError("unreachable")


def plain_greedy(C, w, k):
    """Textbook greedy: recompute every gain each step, lowest index wins ties."""
    covered = np.zeros(C.shape[0], bool)
    sel = []
    for _ in range(k):
        gains = np.array([w[C[:, j] & ~covered].sum() for j in range(C.shape[1])])
        j = int(np.argmax(gains))
        if gains[j] <= 0:
            break
        sel.append(j)
        covered |= C[:, j]
    return sel, float(w[covered].sum())


def instance(seed, n=14, m=10, p=0.2):
    rng = np.random.default_rng(seed)
    C = rng.random((n, m)) < p
    w = rng.integers(0, 50, n).astype(float)
    return C, w


@pytest.mark.parametrize("seed", range(12))
def test_exact_equals_brute_force_and_greedy_guarantee(seed):
    C, w = instance(seed)
    k = 1 + seed % 4
    useful = int(C.any(axis=0).sum())
    k = min(k, useful)
    p = MaximalCovering.from_arrays(C, w, k).solve_exact(time_limit=20)
    opt = brute_mclp(C, w, k)
    assert p.exact_objective == pytest.approx(opt)
    assert p.exact_objective >= p.greedy_objective - 1e-9
    assert p.greedy_objective >= (1 - 1 / math.e) * p.exact_objective - 1e-9
    assert p.upper_bound >= opt - 1e-9 and p.greedy_bound >= opt - 1e-9
    assert p.gap == pytest.approx(
        (p.upper_bound - p.greedy_objective) / p.upper_bound if p.upper_bound else 0.0
    )
    # the claims are true of the plan: covered = union of selected columns, objective = its weight
    assert len(p.selected) <= k
    np.testing.assert_array_equal(
        p.covered, C[:, p.selected].any(axis=1) if p.selected else np.zeros(len(w), bool)
    )
    assert p.objective == pytest.approx(w[p.covered].sum())
    # the lazy greedy picks exactly what the textbook greedy picks
    sel, val = plain_greedy(C, w, k)
    assert p.greedy_selected == sel and p.greedy_objective == pytest.approx(val)


def test_greedy_is_suboptimal_on_the_classic_trap_and_gap_is_reported():
    # candidate 0 covers the middle (weight 6), candidates 1 and 2 cover halves (5 each) — greedy takes 0 first
    C = np.array(
        [[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], bool
    )
    w = np.array([1, 1, 1, 1, 1, 1, 2, 2], float)
    p = MaximalCovering.from_arrays(C, w, 2).solve_exact()
    assert p.greedy_selected[0] == 0
    assert p.greedy_objective == 8 and p.exact_objective == 10 == p.upper_bound
    assert p.gap == pytest.approx(0.2)
    assert sorted(p.selected) == [1, 2] and p.solver == "exact"
    assert p.objective == 10 and p.covered.all()
    assert p.site_gains == [5.0, 5.0]


def test_reduction_drops_dominated_duplicate_and_useless():
    # col 0 ⊂ col 1; col 2 == col 3; col 4 covers only an uncoverable-by-others zero-weight demand
    C = np.array([[1, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]], bool)
    w = np.array([3, 3, 4, 0, 9], float)
    p = MaximalCovering.from_arrays(C, w, 2).solve_exact()
    # after dropping col 0, demands 0 and 1 are both covered by col 1 only -> merged (weight 6)
    assert p.reduction.shape == (2, 2)
    assert sorted(p.reduction.weights) == [4, 6]
    assert sorted(p.reduction.candidates) == [1, 2]
    assert sorted(p.selected) == [1, 2] and p.objective == 10
    np.testing.assert_array_equal(uncoverable(C), [4])


@pytest.mark.parametrize("seed", range(6))
def test_larger_seeded_instances_bounds_hold(seed):
    rng = np.random.default_rng(100 + seed)
    n, m = 120, 400
    C = sp.random(n, m, density=0.03, random_state=rng, format="csc") > 0
    w = rng.integers(1, 500, n).astype(float)
    k = 6
    p = MaximalCovering.from_arrays(C, w, k).solve_exact(time_limit=30)
    assert "Optimal" in p.status or p.exact_gap < 1e-6
    assert p.exact_objective >= p.greedy_objective - 1e-9
    assert p.greedy_objective >= (1 - (1 - 1 / k) ** k) * p.exact_objective - 1e-9
    assert p.greedy_bound >= p.exact_objective - 1e-6
    assert p.upper_bound == pytest.approx(p.exact_objective, rel=1e-6)


@pytest.mark.parametrize("seed", range(10))
def test_lscp_minimum_equals_brute_force(seed):
    C, w = instance(seed + 50, n=10, m=9, p=0.25)
    s = SetCovering.from_arrays(C, w).solve()
    assert s.n_sites == brute_lscp(C)
    assert s.greedy_sites >= s.n_sites and s.lower_bound == s.n_sites
    need = C.any(axis=1)
    np.testing.assert_array_equal(s.covered, need)  # every coverable demand, nothing else possible
    m = MaximalCovering.from_arrays(C, w, "min").solve_exact()
    assert len(m.selected) == s.n_sites and m.objective == pytest.approx(w[need].sum())
    assert m.lower_bound_sites == s.n_sites


def test_lscp_greedy_trap_and_redundant_site_removal():
    # S0 = {1,2,3,4} is the biggest, so greedy takes it first, then S1 = {0,1,2} and S2 = {3,4,5};
    # the reverse pass then finds S0 redundant, leaving the optimum {S1, S2}
    C = np.zeros((6, 3), bool)
    C[[1, 2, 3, 4], 0] = True
    C[[0, 1, 2], 1] = True
    C[[3, 4, 5], 2] = True
    s = SetCovering.from_arrays(C).solve_greedy()
    assert sorted(s.greedy_selected) == [1, 2] and s.greedy_sites == 2
    s.solve_exact()
    assert s.n_sites == brute_lscp(C) == 2 and s.gap == 0.0
    # a case where greedy stays worse: 3 disjoint-ish pairs vs a greedy magnet
    C2 = np.zeros((8, 5), bool)
    C2[[0, 1, 2, 3], 0] = True  # greedy magnet
    C2[[0, 2, 4, 6], 1] = True
    C2[[1, 3, 5, 7], 2] = True
    C2[[4, 5], 3] = True
    C2[[6, 7], 4] = True
    g = SetCovering.from_arrays(C2).solve()
    assert g.n_sites == brute_lscp(C2) == 2
    assert g.greedy_sites >= g.n_sites and g.gap == pytest.approx((g.greedy_sites - 2) / g.greedy_sites)


def test_errors_name_quantities():
    C = np.zeros((3, 12), bool)
    C[0, :9] = True
    with pytest.raises(AnalysisError, match=r"k=12 sites but only 9 of 12 candidates cover any station"):
        MaximalCovering.from_arrays(C, [1, 1, 1], 12)
    with pytest.raises(AnalysisError, match="weights has 2 values for 3 demands"):
        MaximalCovering.from_arrays(C, [1, 1], 1)
    with pytest.raises(AnalysisError, match=r"weights\[1\] = -1"):
        MaximalCovering.from_arrays(C, [1, -1, 1], 1)
    with pytest.raises(AnalysisError, match="k must be"):
        MaximalCovering.from_arrays(C, None, 0)
    with pytest.raises(AnalysisError, match="k must be"):
        MaximalCovering.from_arrays(C, None, "all")
    with pytest.raises(AnalysisError, match="candidate_ids has 2 entries for 12"):
        MaximalCovering.from_arrays(C, None, 1, candidate_ids=["a", "b"])
    with pytest.raises(AnalysisError, match="2-D"):
        MaximalCovering.from_arrays(np.zeros(3, bool), None, 1)
    with pytest.raises(AnalysisError, match="time_limit"):
        MaximalCovering.from_arrays(C, None, 1).solve_exact(time_limit=0)


def test_candidate_ids_and_zero_weight_demands():
    C = np.array([[1, 0], [0, 1]], bool)
    p = MaximalCovering.from_arrays(C, [0, 5], 1, candidate_ids=np.array(["c7", "c9"])).solve_exact()
    assert p.selected_ids == ["c9"] and p.objective == 5


# ---------------------------------------------------------------------------------------------------------------
# covers from reciprocal loss windows
# ---------------------------------------------------------------------------------------------------------------
def test_covers_from_loss_windows_against_loop():
    rng = np.random.default_rng(7)
    shape = (30, 40)
    nd = 25
    windows = []
    for _ in range(nd):
        h, w_ = rng.integers(3, 15, 2)
        r0, c0 = rng.integers(-5, 30), rng.integers(-5, 40)
        loss = rng.uniform(100, 160, (h, w_)).astype(np.float32)
        loss[rng.random((h, w_)) < 0.2] = np.nan
        windows.append((loss, int(r0), int(c0)))
    cr = rng.integers(0, shape[0], 300)
    cc = rng.integers(0, shape[1], 300)
    mx = rng.uniform(120, 150, nd)
    covers, stats = covers_from_loss_windows(windows, cr, cc, mx, return_stats=True)
    assert covers.shape == (nd, 300)
    dense = covers.toarray()
    for i, (loss, r0, c0) in enumerate(windows):
        vals = []
        for j in range(300):
            a, b = cr[j] - r0, cc[j] - c0
            v = loss[a, b] if 0 <= a < loss.shape[0] and 0 <= b < loss.shape[1] else np.nan
            assert dense[i, j] == (np.isfinite(v) and v <= mx[i])
            if np.isfinite(v):
                vals.append(v)
        assert stats.n_in_range[i] == len(vals)
        assert stats.n_covering[i] == dense[i].sum()
        if vals:
            assert stats.min_loss_db[i] == pytest.approx(min(vals))
    # reasons
    j = np.flatnonzero(stats.n_in_range == 0)
    k = np.flatnonzero((stats.n_in_range > 0) & (stats.n_covering == 0))
    if j.size:
        assert "no candidate site" in stats.reason(int(j[0]))
    if k.size:
        assert "terrain shadow" in stats.reason(int(k[0]))
    assert stats.reason(int(np.flatnonzero(stats.n_covering > 0)[0])) == ""
    np.testing.assert_array_equal(uncoverable(covers), np.flatnonzero(stats.n_covering == 0))


def test_near_misses_from_loss_windows_against_loop():
    """``near_db``: the pairs rejected by at most that much (NaN never), besides the same ``covers`` and stats."""
    rng = np.random.default_rng(11)
    nd, m = 20, 200
    windows = []
    for _ in range(nd):
        h, w_ = rng.integers(3, 15, 2)
        loss = rng.uniform(110, 150, (h, w_)).astype(np.float32)
        loss[rng.random((h, w_)) < 0.2] = np.nan
        windows.append((loss, int(rng.integers(-5, 25)), int(rng.integers(-5, 35))))
    cr, cc = rng.integers(0, 30, m), rng.integers(0, 40, m)
    mx = rng.uniform(120, 140, nd)
    covers, near, stats = covers_from_loss_windows(windows, cr, cc, mx, near_db=6.0, return_stats=True)
    plain, plain_stats = covers_from_loss_windows(windows, cr, cc, mx, return_stats=True)
    assert (covers != plain).nnz == 0
    np.testing.assert_array_equal(stats.n_covering, plain_stats.n_covering)
    dense, close = covers.toarray(), near.toarray()
    for i, (loss, r0, c0) in enumerate(windows):
        for j in range(m):
            a, b = cr[j] - r0, cc[j] - c0
            v = loss[a, b] if 0 <= a < loss.shape[0] and 0 <= b < loss.shape[1] else np.nan
            assert close[i, j] == (np.isfinite(v) and mx[i] < v <= mx[i] + 6.0)
    assert close.any() and not (close & dense).any()
    assert covers_from_loss_windows(windows, cr, cc, mx, near_db=0.0)[1].nnz == 0
    with pytest.raises(AnalysisError, match="near_db must be a finite number"):
        covers_from_loss_windows(windows, cr, cc, mx, near_db=-1.0)


def test_loss_window_reason_texts():
    loss = np.array([[150.0, np.nan]], np.float32)
    covers, st = covers_from_loss_windows([(loss, 0, 0), (loss, 5, 5)], [0], [0], 140.0, return_stats=True)
    assert covers.nnz == 0
    # the screen's figure, named as the estimate it is (no candidate got the exact check)
    assert "the best of 1 candidate site in range has 150.0 dB path loss by the quick estimate (not checked" in st.reason(0)
    assert "more than the 140.0 dB" in st.reason(0)
    assert "no candidate site within" in st.reason(1)
    with pytest.raises(AnalysisError, match="max_loss_db has 3 values for 2 loss windows"):
        covers_from_loss_windows([(loss, 0, 0), (loss, 5, 5)], [0], [0], [1, 2, 3])


def test_unreachable_reason_names_how_each_candidate_was_judged():
    """The exact figure (site, distance) when some candidates in range got the exact check; the screen's figure
    for the others, labelled as the quick estimate; free space alone when the checked ones were too far to
    profile; no candidate in range at all."""
    from analysis.placement import unreachable_reason

    both = unreachable_reason(127.0, n_screen=40, screen_loss_db=129.04, n_exact=3, exact_loss_db=131.26,
                              exact_site="C5_7", exact_km=3.449)
    assert both.startswith("terrain shadow: 3 candidate sites in range checked with the exact terrain profile; "
                           "the best, C5_7 (3.4 km away), has 131.3 dB path loss, more than the 127.0 dB")
    assert "; the other 40 in range, not checked exactly, have at least 129.0 dB by the quick estimate (raise" in both
    only = unreachable_reason(127.0, n_exact=1, exact_loss_db=131.26, exact_site="C5_7", exact_km=3.449)
    assert "1 candidate site in range" in only and "quick estimate" not in only
    free = unreachable_reason(127.0, n_exact=2)
    assert free.startswith("out of reach: 2 candidate sites in range checked with the exact terrain profile lose "
                           "more than the 127.0 dB") and "free space alone" in free
    assert unreachable_reason(127.0).startswith("no candidate site within the computation radius")


def test_candidate_losses_reads_one_window_at_the_candidates():
    from analysis.placement import candidate_losses

    loss = np.array([[100.0, 101.0], [np.nan, 103.0]], np.float32)
    got = candidate_losses((loss, 10, 20), [10, 11, 11, 9, 10], [21, 20, 21, 20, 22])
    np.testing.assert_array_equal(got, [101.0, np.nan, 103.0, np.nan, np.nan])


def test_time_limit_without_incumbent_keeps_greedy_and_reports_bound(monkeypatch):
    """If HiGHS stops at the time limit with no incumbent, the greedy plan stays, with HiGHS's dual bound."""
    from scipy.optimize import OptimizeResult

    import analysis.placement as pl

    C, w = instance(3, n=30, m=25, p=0.15)
    calls = {}

    def fake_milp(c, **kw):
        calls["n"] = c.size
        return OptimizeResult(
            x=None, status=1, message="Time limit reached", mip_dual_bound=-1e9, success=False
        )

    monkeypatch.setattr(pl, "milp", fake_milp)
    p = MaximalCovering.from_arrays(C, w, 2).solve_exact(time_limit=1)
    assert calls["n"] > 0
    assert p.solver == "greedy" and p.exact_selected is None and math.isnan(p.exact_objective)
    assert p.selected == p.greedy_selected and p.objective == pytest.approx(p.greedy_objective)
    # the useless HiGHS bound (1e9) is replaced by greedy's own online bound, which is valid
    assert p.upper_bound == pytest.approx(p.greedy_bound) and p.upper_bound >= brute_mclp(C, w, 2)
    assert 0 <= p.gap < 1 and "Time limit" in p.status


def test_time_limit_with_incumbent_uses_better_plan(monkeypatch):
    import analysis.placement as pl

    real = pl.milp

    def limited(c, **kw):
        res = real(c, **kw)
        res.status, res.message = 1, "Time limit reached"
        return res

    monkeypatch.setattr(pl, "milp", limited)
    C = np.array(
        [[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], bool
    )
    w = np.array([1, 1, 1, 1, 1, 1, 2, 2], float)
    p = MaximalCovering.from_arrays(C, w, 2).solve_exact(time_limit=5)
    assert p.solver == "exact" and p.objective == 10 and p.exact_gap == 0.0


def test_an_over_large_k_never_proposes_sites_that_add_nothing():
    """k far above what covers every coverable demand: the plan keeps only sites with a positive marginal
    weight (the MILP may fill k with useless sites); the objective is the coverable total either way."""
    rng = np.random.default_rng(3)
    cov = rng.random((40, 60)) < 0.08
    cov[:, 50:] = False  # ten candidates that cover nothing
    w = rng.integers(1, 20, 40).astype(float)
    coverable = float(w[cov.any(axis=1)].sum())
    usable = int(cov.any(axis=0).sum())  # the largest k the model accepts
    m = MaximalCovering.from_arrays(cov, w, usable)
    m.solve_greedy()
    m.solve_exact(time_limit=30)
    assert m.objective == pytest.approx(coverable)
    assert all(g > 0 for g in m.site_gains) and len(m.selected) == len(m.site_gains) < usable
    # every kept site is needed by the ranked order: removing the last one loses weight
    last = m.selected[-1]
    rest = cov[:, [j for j in m.selected if j != last]].any(axis=1)
    assert float(w[rest].sum()) < coverable
    assert m.dropped_no_gain >= 0 and not set(m.selected) & set(range(50, 60))


def test_order_by_gain_ranks_columns_by_marginal_weight():
    """Rank 1 covers the most weight; then the most weight not yet covered (not the most weight alone); a tie
    goes to the lower index; a column adding nothing comes last. As a solved plan's ``selected`` is ordered."""
    C = np.array([[1, 1, 0, 0],
                  [1, 1, 0, 0],
                  [0, 1, 1, 0],
                  [0, 0, 1, 0]], bool)
    w = np.array([3.0, 3.0, 1.0, 2.0])
    # 1 covers 7; then 2 adds 2 (0 adds nothing more); then 0 and 3 add 0 (the lower index first)
    assert order_by_gain(C, w) == [1, 2, 0, 3]
    assert order_by_gain(C) == [1, 2, 0, 3]  # unit weights: 1 covers 3, 2 adds 1
    m = MaximalCovering.from_arrays(C, w, 2).solve_exact()
    assert order_by_gain(C[:, m.selected], w) == list(range(len(m.selected)))
    with pytest.raises(AnalysisError):
        order_by_gain(C, w[:3])
