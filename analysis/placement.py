r"""Placement of mobile base stations: maximal covering (MCLP) and set covering (LSCP).

Notation. Demands ``i = 1..n`` (uncovered polling stations) with weights ``w_i >= 0`` (voters × priority
factors for border / remote communes, computed by the pipeline); candidates ``j = 1..m`` (cells where a mobile
station may park); ``a_ij = 1`` when a mast at ``j`` would serve ``i`` (the ``covers`` matrix,
``n × m``, dense bool or scipy.sparse). ``N_i = {j : a_ij = 1}``.

**MCLP** (Church & ReVelle 1974) — choose at most ``k`` sites maximising covered demand::

    max  Σ_i w_i y_i
    s.t. y_i ≤ Σ_{j ∈ N_i} x_j      ∀ i          (a demand counts only if a chosen site covers it)
         Σ_j x_j ≤ k
         x_j ∈ {0, 1},  0 ≤ y_i ≤ 1

``y`` need not be declared integer: for binary ``x`` an optimal ``y_i`` is ``min(1, Σ x)`` ∈ {0, 1}.

* :meth:`MaximalCovering.solve_greedy` is the lazy greedy (CELF; Minoux 1978, Leskovec et al. 2007): the
  covered weight ``f(S)`` is monotone submodular, so a candidate's marginal gain can only shrink as ``S``
  grows; gains sit in a max-heap and only the top entry is re-evaluated. Greedy guarantees
  ``f(S_greedy) ≥ (1 − (1 − 1/k)^k) · OPT ≥ (1 − 1/e) · OPT`` (Nemhauser, Wolsey & Fisher 1978). It also
  reports the data-dependent bound ``greedy_bound = min_t [ f(S_t) + Σ_{top k} Δ_j(S_t) ] ≥ OPT``
  (Minoux's "online" bound), usually much tighter than ``f/(1 − 1/e)``.
* :meth:`MaximalCovering.solve_exact` solves the MILP with HiGHS (:func:`scipy.optimize.milp`) on the
  *reduced* problem: demands of zero weight and demands no candidate covers are dropped (they cannot change
  the objective); demands with identical ``N_i`` are merged (weights added); candidates that cover nothing are
  dropped; identical columns are merged (lowest index kept); a candidate whose cover set is a strict subset of
  another's is dropped (swapping it for the superset never loses weight, so an optimum survives). HiGHS returns
  an incumbent and a proven dual bound ``UB ≥ OPT``. Reported: ``greedy_objective``, ``exact_objective``,
  ``upper_bound = UB`` and ``gap = (UB − greedy_objective) / UB`` — the *proven* optimality gap of the greedy
  plan (0 when greedy is optimal) — plus ``exact_gap = (UB − exact_objective) / UB`` (≈ 0 when HiGHS proved
  optimality, > 0 if it stopped at ``time_limit``).

**LSCP** (Toregas et al. 1971) — the fewest sites covering every *coverable* demand::

    min  Σ_j x_j     s.t.  Σ_{j ∈ N_i} x_j ≥ 1   ∀ i with N_i ≠ ∅,   x_j ∈ {0, 1}

:class:`SetCovering` runs the greedy set cover (most newly covered demands first, then redundant sites removed
in reverse order) as a fallback and as the value reported with the proven lower bound, then the MILP on the
reduced problem (uncoverable demands dropped, identical rows merged, a demand whose ``N_i`` contains another
demand's set dropped — covering the smaller set covers it —, identical and dominated columns dropped).
``MaximalCovering.from_arrays(..., k="min")`` delegates to it.

Reciprocity: path loss between two antennas is symmetric, so instead of one propagation run per candidate the
pipeline computes, per uncovered station, one path-loss window from the station (receiver height) to every cell
(mast height); :func:`covers_from_loss_windows` turns these windows into the sparse ``covers`` matrix (and, with
``near_db``, the pairs it rejects by at most that much: the sweep is a screen the caller checks, wrong both ways).

Results are attributes of the problem object after solving: ``selected`` (candidate indices in pick order —
for the exact solution, ordered greedily by marginal weight so rank 1 is the most valuable site),
``selected_ids``, ``covered`` (bool per demand), ``objective`` (covered weight of ``selected``), and the
greedy / exact / bound values above. Candidate indices always refer to the columns of the original ``covers``.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis import AnalysisError
from analysis.coverage import _unpack  # same window conventions as the composites

__all__ = [
    "MaximalCovering",
    "SetCovering",
    "Reduction",
    "ReachStats",
    "candidate_losses",
    "covers_from_loss_windows",
    "order_by_gain",
    "unreachable_reason",
    "outside_communes_reason",
    "uncoverable",
]


# --------------------------------------------------------------------------------------------------------------
# matrix helpers
# --------------------------------------------------------------------------------------------------------------
def _as_csc(covers) -> sp.csc_array:
    if sp.issparse(covers):
        if covers.ndim != 2:
            raise AnalysisError(f"covers must be 2-D (demands × candidates), got {covers.ndim}-D")
        m = sp.csc_array(covers)
        m.data = m.data != 0
        m.eliminate_zeros()
    else:
        a = np.asarray(covers)
        if a.ndim != 2:
            raise AnalysisError(f"covers must be 2-D (demands × candidates), got shape {a.shape}")
        if a.dtype != bool:
            if not np.all(np.isin(a, (0, 1))):
                raise AnalysisError("covers must be boolean (or 0/1): covers[i, j] = site j serves demand i")
            a = a.astype(bool)
        m = sp.csc_array(a)
    m = sp.csc_array(m.astype(bool))
    m.sum_duplicates()
    m.sort_indices()
    return m


def uncoverable(covers) -> np.ndarray:
    """Indices of demands (rows) that no candidate covers."""
    c = _as_csc(covers)
    deg = np.diff(sp.csr_array(c).indptr)
    return np.flatnonzero(deg == 0)


def _check_weights(weights, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != (n,):
        raise AnalysisError(
            f"weights has {w.size} values for {n} demands (rows of covers); give one per demand"
        )
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise AnalysisError(
            f"weights[{bad[0]}] = {w[bad[0]]}: demand weights (voters × priority) must be finite and >= 0"
        )
    return w


def _check_ids(candidate_ids, m: int) -> np.ndarray:
    if candidate_ids is None:
        return np.arange(m)
    ids = np.asarray(candidate_ids)
    if ids.shape != (m,):
        raise AnalysisError(f"candidate_ids has {ids.size} entries for {m} candidates (columns of covers)")
    return ids


def _unique_columns(c: sp.csc_array, cols: np.ndarray) -> np.ndarray:
    """Among ``cols`` keep the first of each group of identical columns (returns kept column indices)."""
    seen: dict[tuple, int] = {}
    keep = []
    for j in cols:
        key = tuple(c.indices[c.indptr[j] : c.indptr[j + 1]])
        if key not in seen:
            seen[key] = j
            keep.append(j)
    return np.asarray(keep, dtype=np.int64)


def _dominated_columns(c: sp.csc_array, kind: str, chunk: int = 2048) -> np.ndarray:
    """Mask of columns (assumed pairwise distinct and non-empty) that another column dominates.

    ``kind="subset"``: column ``j`` whose row set is a strict subset of some other column's (used for
    candidates: a site covering a subset of another's demands is never needed). ``kind="superset"``: column
    ``j`` whose set strictly contains some other column's (used for LSCP demand rows, transposed: covering the
    smaller set implies covering the larger). Uses intersection sizes ``CᵀC``, ``chunk`` columns at a time.
    """
    m = c.shape[1]
    size = np.diff(c.indptr)
    ci = sp.csc_array(c, dtype=np.int32)
    ct = sp.csr_array(ci.T)
    out = np.zeros(m, dtype=bool)
    for start in range(0, m, chunk):
        stop = min(start + chunk, m)
        block = sp.csr_array(ct[start:stop] @ ci)  # (chunk × m): |N_j ∩ N_j'|
        rows = np.repeat(np.arange(start, stop), np.diff(block.indptr))
        cols = block.indices
        other = size[rows] if kind == "subset" else size[cols]
        hit = (block.data == other) & (cols != rows)
        out[np.unique(rows[hit])] = True
    return out


@dataclass
class Reduction:
    """How a covering problem was reduced before the MILP.

    ``matrix`` is the reduced ``covers`` (merged demands × kept candidates), ``weights`` the merged weights,
    ``candidates`` the original column index of each kept column, ``demand_groups`` the original demand rows of
    each merged row.
    """

    matrix: sp.csc_array
    weights: np.ndarray
    candidates: np.ndarray
    demand_groups: list[np.ndarray]
    original_shape: tuple[int, int]

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.matrix.shape)


def _merge_rows(sub: sp.csc_array, wm: np.ndarray, members: list[np.ndarray]):
    """Merge rows with identical candidate sets (weights added, member lists joined)."""
    r = sp.csr_array(sub)
    groups: dict[tuple, list[int]] = {}
    for i in range(r.shape[0]):
        groups.setdefault(tuple(r.indices[r.indptr[i] : r.indptr[i + 1]]), []).append(i)
    if len(groups) == r.shape[0]:
        return sub, wm, members
    reps = [g[0] for g in groups.values()]
    new_members = [np.concatenate([members[i] for i in g]) for g in groups.values()]
    new_w = np.array([wm[g].sum() for g in groups.values()], dtype=np.float64)
    return sp.csc_array(r[reps]), new_w, new_members


def _reduce(c: sp.csc_array, w: np.ndarray, *, drop_zero_weight: bool, row_superset: bool) -> Reduction:
    """Alternate row and column reductions until nothing changes (see the module docstring)."""
    n, m = c.shape
    r = sp.csr_array(c)
    keep_d = np.diff(r.indptr) > 0
    if drop_zero_weight:
        keep_d &= w > 0
    rows = np.flatnonzero(keep_d)
    sub = sp.csc_array(r[rows]) if rows.size else sp.csc_array((0, m), dtype=bool)
    wm = w[rows].astype(np.float64)
    members = [np.array([i], dtype=np.int64) for i in rows]
    cols = np.arange(m)
    while True:
        before = sub.shape
        sub, wm, members = _merge_rows(sub, wm, members)
        if row_superset and sub.shape[0] > 1:
            # LSCP: a demand whose candidate set contains another demand's set is implied by it
            red = _dominated_columns(sp.csc_array(sp.csr_array(sub).T), "superset")
            keep_rows = np.flatnonzero(~red)
            sub = sp.csc_array(sp.csr_array(sub)[keep_rows])
            wm = wm[keep_rows]
            members = [members[i] for i in keep_rows]
        # candidates: drop empty columns, merge identical ones (first kept), drop strictly dominated ones
        local = _unique_columns(sub, np.flatnonzero(np.diff(sub.indptr) > 0))
        sub, cols = sp.csc_array(sub[:, local]), cols[local]
        if sub.shape[1] > 1:
            keep = np.flatnonzero(~_dominated_columns(sub, "subset"))
            sub, cols = sp.csc_array(sub[:, keep]), cols[keep]
        if sub.shape == before:
            break
    return Reduction(sub, wm, cols, members, (n, m))


# --------------------------------------------------------------------------------------------------------------
# greedy
# --------------------------------------------------------------------------------------------------------------
def _lazy_greedy(c: sp.csc_array, w: np.ndarray, k: int | None):
    """CELF lazy greedy. Returns (selected, gains, covered, evaluations, bound).

    With ``k=None`` runs until no candidate adds weight (greedy set cover when ``w`` > 0 on coverable rows).
    Ties go to the lowest candidate index. ``bound`` (only with ``k``) is Minoux's online upper bound
    ``min_t f(S_t) + Σ(k largest marginal gains at S_t)``, one sparse product per step.
    """
    n, m = c.shape
    covered = np.zeros(n, dtype=bool)
    indptr, indices = c.indptr, c.indices
    gains0 = np.asarray(c.T @ w, dtype=np.float64).ravel() if m else np.zeros(0)
    heap = [(-g, j) for j, g in enumerate(gains0) if g > 0]
    heapq.heapify(heap)
    last_eval = np.zeros(m, dtype=np.int64)  # greedy step at which the stored gain was computed
    selected: list[int] = []
    gains: list[float] = []
    evaluations = m
    f = 0.0
    bound = math.inf
    ct = sp.csr_array(c.T) if k is not None else None
    step = 0
    while True:
        if k is not None:
            bound = min(bound, f + _topk_sum(ct, covered, w, k))
            if len(selected) >= k:
                break
        # lazy evaluation: refresh the top until its gain is current
        while heap:
            _, j = heap[0]
            if last_eval[j] == step:
                break
            heapq.heappop(heap)
            rows = indices[indptr[j] : indptr[j + 1]]
            g = float(w[rows][~covered[rows]].sum())
            evaluations += 1
            last_eval[j] = step
            if g > 0:
                heapq.heappush(heap, (-g, j))
        if not heap:
            if k is not None:
                bound = min(bound, f)
            break
        neg, j = heapq.heappop(heap)
        selected.append(int(j))
        gains.append(-neg)
        f += -neg
        covered[indices[indptr[j] : indptr[j + 1]]] = True
        step += 1
    return selected, gains, covered, evaluations, bound


def _topk_sum(ct, covered, w, k) -> float:
    cur = np.asarray(ct @ np.where(covered, 0.0, w), dtype=np.float64).ravel()
    if cur.size > k:
        cur = np.partition(cur, cur.size - k)[cur.size - k :]
    return float(np.sum(cur[cur > 0]))


def _order_by_gain(c: sp.csc_array, w: np.ndarray, chosen: Sequence[int]) -> tuple[list[int], list[float]]:
    """Order a fixed set of sites greedily by marginal covered weight (rank 1 = most valuable)."""
    chosen = list(chosen)
    covered = np.zeros(c.shape[0], dtype=bool)
    order, gains = [], []
    while chosen:
        best, best_g = None, -1.0
        for j in chosen:
            rows = c.indices[c.indptr[j] : c.indptr[j + 1]]
            g = float(w[rows][~covered[rows]].sum())
            if g > best_g or (g == best_g and j < best):
                best, best_g = j, g
        chosen.remove(best)
        order.append(int(best))
        gains.append(best_g)
        covered[c.indices[c.indptr[best] : c.indptr[best + 1]]] = True
    return order, gains


def order_by_gain(covers, weights=None) -> list[int]:
    """The columns of ``covers`` (demands × sites, bool) ranked as a plan's sites are (``selected``): greedily by
    marginal covered weight, rank 1 the most valuable, a tie to the lower index. ``weights`` per demand
    (default 1)."""
    c = _as_csc(covers)
    return _order_by_gain(c, _check_weights(weights, c.shape[0]), range(c.shape[1]))[0]


def _covered_by(c: sp.csc_array, sel: Sequence[int]) -> np.ndarray:
    cov = np.zeros(c.shape[0], dtype=bool)
    for j in sel:
        cov[c.indices[c.indptr[j] : c.indptr[j + 1]]] = True
    return cov


def _rel_gap(bound: float, value: float) -> float:
    return 0.0 if bound == 0 else max(0.0, (bound - value) / abs(bound))


def _milp_options(time_limit: float, mip_rel_gap: float) -> dict:
    if not (time_limit > 0):
        raise AnalysisError(f"time_limit must be > 0 seconds, got {time_limit}")
    if not (0 <= mip_rel_gap < 1):
        raise AnalysisError(f"mip_rel_gap must be in [0, 1), got {mip_rel_gap}")
    return {"time_limit": float(time_limit), "mip_rel_gap": float(mip_rel_gap), "disp": False}


# --------------------------------------------------------------------------------------------------------------
# MCLP
# --------------------------------------------------------------------------------------------------------------
class MaximalCovering:
    """Maximal covering location problem (see the module docstring for the model and the bounds).

    Build with :meth:`from_arrays`, then :meth:`solve_greedy` and/or :meth:`solve_exact` (which runs the
    greedy first if needed, so both objectives and the gap are always available after it).
    """

    def __init__(self, covers: sp.csc_array, weights: np.ndarray, k, candidate_ids: np.ndarray):
        self.covers = covers
        self.weights = weights
        self.k = k
        self.candidate_ids = candidate_ids
        self.n_demands, self.n_candidates = covers.shape
        self.useful_candidates = int(np.count_nonzero(np.diff(covers.indptr)))
        # results
        self.selected: list[int] = []
        self.site_gains: list[float] = []
        self.covered = np.zeros(self.n_demands, dtype=bool)
        self.objective = float("nan")
        self.greedy_selected: list[int] | None = None
        self.greedy_objective = float("nan")
        self.greedy_bound = float("nan")
        self.greedy_evaluations = 0
        self.exact_selected: list[int] | None = None
        self.exact_objective = float("nan")
        self.upper_bound = float("nan")
        self.gap = float("nan")
        self.dropped_no_gain = 0
        self.exact_gap = float("nan")
        self.solver = ""
        self.status = ""
        self.reduction: Reduction | None = None
        self.timings: dict[str, float] = {}
        self._lscp: SetCovering | None = None
        # k="min" only (site counts)
        self.greedy_sites = -1
        self.exact_sites = -1
        self.lower_bound_sites = math.nan

    # ------------------------------------------------------------------------------------------------------
    @classmethod
    def from_arrays(cls, covers, weights=None, k=1, candidate_ids=None) -> MaximalCovering:
        """``covers`` bool (n_demand × n_candidates) array or scipy.sparse; ``weights`` per demand (default 1);
        ``k`` the number of mobile stations or ``"min"`` for the fewest sites covering every coverable demand.

        With ``k="min"`` both objectives are the covered weight (everything coverable), and the site counts are
        in ``greedy_sites``, ``exact_sites``, ``lower_bound_sites``; ``gap`` is then the proven gap in sites,
        ``(greedy_sites − lower_bound_sites) / greedy_sites``.
        """
        c = _as_csc(covers)
        n, m = c.shape
        w = _check_weights(weights, n)
        ids = _check_ids(candidate_ids, m)
        useful = int(np.count_nonzero(np.diff(c.indptr)))
        if isinstance(k, str):
            if k != "min":
                raise AnalysisError(f"k must be a positive integer or 'min', got {k!r}")
        else:
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
                raise AnalysisError(
                    f"k must be a positive integer number of mobile stations or 'min', got {k!r}"
                )
            k = int(k)
            if k > useful:
                raise AnalysisError(
                    f"k={k} sites but only {useful} of {m} candidates cover any station; "
                    f"use k <= {useful}, k='min', or widen the candidate constraints "
                    "(candidate_max_distance_m, max_slope_deg, mast_height_m)"
                )
        return cls(c, w, k, ids)

    @property
    def selected_ids(self) -> list[Any]:
        return [self.candidate_ids[j] for j in self.selected]

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    @property
    def coverable_weight(self) -> float:
        deg = np.diff(sp.csr_array(self.covers).indptr)
        return float(self.weights[deg > 0].sum())

    def _set_best(self, sel: Sequence[int], kind: str) -> None:
        """Make ``sel`` the reported plan, ordered by marginal weight (rank 1 = most valuable).

        For a budget ``k``, sites that add no weight to the ones ranked before them are left out (the MILP may
        fill an over-large k with them: k = 5000 when 102 sites already cover everything coverable); their
        number is ``dropped_no_gain``. The objective is unchanged by construction."""
        order, gains = _order_by_gain(self.covers, self.weights, sel)
        n = len(order)
        if self.k != "min":
            while n and gains[n - 1] <= 0.0:  # gains never increase along the order: zeros are at the end
                n -= 1
        self.dropped_no_gain = len(order) - n
        self.selected, self.site_gains = order[:n], gains[:n]
        self.covered = _covered_by(self.covers, self.selected)
        self.objective = float(self.weights[self.covered].sum())
        self.solver = kind

    # ------------------------------------------------------------------------------------------------------
    def solve_greedy(self) -> MaximalCovering:
        """Lazy greedy (CELF). Stops early when no candidate adds weight (then fewer than k sites).

        With ``k="min"`` this is the greedy set cover of :class:`SetCovering`.
        """
        t0 = time.perf_counter()
        if self.k == "min":
            if self._lscp is None:
                self._lscp = SetCovering(self.covers, self.weights, self.candidate_ids)
            self._lscp.solve_greedy()
            self.greedy_selected = list(self._lscp.greedy_selected)
            self.greedy_bound = self.coverable_weight
        else:
            sel, _, _, ev, bound = _lazy_greedy(self.covers, self.weights, self.k)
            self.greedy_selected = sel
            self.greedy_bound = float(bound)
            self.greedy_evaluations = ev
        self._set_best(self.greedy_selected, "greedy")
        self.greedy_selected = list(self.selected) if self.k == "min" else self.greedy_selected
        self.greedy_objective = self.objective
        self.timings["greedy_s"] = time.perf_counter() - t0
        if math.isnan(self.upper_bound):
            self.status = "greedy only: greedy_bound is the best proven upper bound"
        return self

    def solve_exact(self, time_limit: float = 60.0, mip_rel_gap: float = 1e-6) -> MaximalCovering:
        """Exact MILP (HiGHS) on the reduced problem; fills exact_objective, upper_bound, gap, exact_gap.

        The best of the MILP incumbent and the greedy plan becomes ``selected``; if HiGHS stops at
        ``time_limit`` without an incumbent the greedy plan is kept and ``status`` says so.
        """
        opts = _milp_options(time_limit, mip_rel_gap)
        if self.greedy_selected is None:
            self.solve_greedy()
        if self.k == "min":
            lscp = self._lscp
            lscp.solve_exact(time_limit=time_limit, mip_rel_gap=mip_rel_gap)
            self.exact_selected = list(lscp.exact_selected) if lscp.exact_selected is not None else None
            self.reduction = lscp.reduction
            if self.exact_selected is not None and len(self.exact_selected) <= len(self.greedy_selected):
                self._set_best(self.exact_selected, "exact")
            self.exact_objective = self.objective
            self.upper_bound = self.coverable_weight
            self.greedy_sites, self.exact_sites = lscp.greedy_sites, lscp.exact_sites
            self.lower_bound_sites = lscp.lower_bound
            self.gap = lscp.gap  # in sites: (greedy_sites - proven minimum) / greedy_sites
            self.exact_gap = _rel_gap(lscp.n_sites, lscp.lower_bound) if lscp.n_sites else 0.0
            self.status = lscp.status
            self.timings.update(lscp.timings)
            return self

        t0 = time.perf_counter()
        red = _reduce(self.covers, self.weights, drop_zero_weight=True, row_superset=False)
        self.reduction = red
        self.timings["reduce_s"] = time.perf_counter() - t0
        nd, nc = red.shape
        if nd == 0 or nc == 0:
            self.exact_selected = []
            self.exact_objective = 0.0
            self.upper_bound = 0.0
            self.gap = self.exact_gap = 0.0
            self.status = "trivial: no positive-weight demand is coverable"
            return self
        k = min(self.k, nc)
        if nc <= k:
            # every kept candidate fits: the optimum takes them all and covers every coverable demand
            chosen = [int(j) for j in red.candidates]
            obj = float(red.weights.sum())
            self.exact_selected = chosen
            self.exact_objective = obj
            self.upper_bound = obj
            self.status = f"optimal: {nc} non-dominated candidates <= k={self.k}"
        else:
            t1 = time.perf_counter()
            a = red.matrix.astype(np.float64)
            cost = np.concatenate([np.zeros(nc), -red.weights])
            cover_rows = sp.hstack([-sp.csr_array(a), sp.eye_array(nd, format="csr")], format="csr")
            card = sp.csr_array(np.concatenate([np.ones(nc), np.zeros(nd)])[None, :])
            cons = [
                LinearConstraint(cover_rows, -np.inf, 0.0),
                LinearConstraint(card, -np.inf, float(k)),
            ]
            integrality = np.concatenate([np.ones(nc), np.zeros(nd)])
            res = milp(cost, integrality=integrality, bounds=Bounds(0.0, 1.0), constraints=cons, options=opts)
            self.timings["milp_s"] = time.perf_counter() - t1
            bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else math.nan
            if res.x is not None:
                x = res.x[:nc] > 0.5
                chosen = [int(j) for j in red.candidates[x]]
                self.exact_selected = chosen
                self.exact_objective = float(self.weights[_covered_by(self.covers, chosen)].sum())
            else:
                self.exact_selected = None
                self.exact_objective = math.nan
            # the dual bound can never be below a known feasible value (greedy or incumbent)
            known = np.nanmax([self.greedy_objective, self.exact_objective])
            self.upper_bound = max(bound, known) if not math.isnan(bound) else math.nan
            self.status = f"HiGHS status {res.status}: {res.message}"
        # tightest proven bound: HiGHS's dual bound or greedy's online bound, never below a feasible value
        ub = (
            min(self.upper_bound, self.greedy_bound)
            if not math.isnan(self.upper_bound)
            else self.greedy_bound
        )
        ub = max(ub, np.nanmax([self.greedy_objective, self.exact_objective]))
        self.upper_bound = float(ub)
        self.gap = _rel_gap(ub, self.greedy_objective)
        self.exact_gap = math.nan if math.isnan(self.exact_objective) else _rel_gap(ub, self.exact_objective)
        if self.exact_selected is not None and self.exact_objective >= self.greedy_objective:
            self._set_best(self.exact_selected, "exact")
        else:
            self._set_best(self.greedy_selected, "greedy")
        return self

    def summary(self) -> dict[str, Any]:
        """Plain dict for ``Results.placement_summary``."""
        return {
            "k": self.k if self.k != "min" else len(self.selected),
            "greedy_objective": self.greedy_objective,
            "exact_objective": self.exact_objective,
            "upper_bound": self.upper_bound,
            "gap_pct": 100.0 * self.gap if not math.isnan(self.gap) else math.nan,
            "exact_gap_pct": 100.0 * self.exact_gap if not math.isnan(self.exact_gap) else math.nan,
            "greedy_bound": self.greedy_bound,
            "solver": self.solver,
            "status": self.status,
            "n_demands": self.n_demands,
            "n_candidates": self.n_candidates,
            "reduced_demands": self.reduction.shape[0] if self.reduction else math.nan,
            "reduced_candidates": self.reduction.shape[1] if self.reduction else math.nan,
        }


# --------------------------------------------------------------------------------------------------------------
# LSCP
# --------------------------------------------------------------------------------------------------------------
class SetCovering:
    """Location set covering: fewest sites covering every coverable demand (see the module docstring).

    ``weights`` (optional) only order the chosen sites (rank 1 covers the most weight) — every coverable demand
    must be covered whatever its weight. After :meth:`solve`: ``selected``, ``n_sites``, ``greedy_selected``,
    ``greedy_sites``, ``exact_sites``, ``lower_bound`` (proven) and ``gap = (greedy_sites − lower_bound) /
    greedy_sites``.
    """

    def __init__(self, covers: sp.csc_array, weights: np.ndarray, candidate_ids: np.ndarray):
        self.covers = covers
        self.weights = weights
        self.candidate_ids = candidate_ids
        self.n_demands, self.n_candidates = covers.shape
        deg = np.diff(sp.csr_array(covers).indptr)
        self.coverable = deg > 0
        self.selected: list[int] = []
        self.covered = np.zeros(self.n_demands, dtype=bool)
        self.greedy_selected: list[int] | None = None
        self.exact_selected: list[int] | None = None
        self.greedy_sites = -1
        self.exact_sites = -1
        self.lower_bound = math.nan
        self.gap = math.nan
        self.solver = ""
        self.status = ""
        self.reduction: Reduction | None = None
        self.timings: dict[str, float] = {}

    @classmethod
    def from_arrays(cls, covers, weights=None, candidate_ids=None) -> SetCovering:
        c = _as_csc(covers)
        return cls(c, _check_weights(weights, c.shape[0]), _check_ids(candidate_ids, c.shape[1]))

    @property
    def n_sites(self) -> int:
        return len(self.selected)

    @property
    def selected_ids(self) -> list[Any]:
        return [self.candidate_ids[j] for j in self.selected]

    def _finish(self, sel: list[int], kind: str) -> None:
        self.selected = _order_by_gain(self.covers, self.weights, sel)[0]
        self.covered = _covered_by(self.covers, self.selected)
        self.solver = kind

    def solve_greedy(self) -> SetCovering:
        """Greedy set cover (most newly covered demands per site), then drop redundant sites (reverse order)."""
        t0 = time.perf_counter()
        unit = self.coverable.astype(np.float64)
        sel, _, _, _, _ = _lazy_greedy(self.covers, unit, None)
        # remove sites made redundant by later picks
        counts = np.zeros(self.n_demands, dtype=np.int64)
        c = self.covers
        for j in sel:
            counts[c.indices[c.indptr[j] : c.indptr[j + 1]]] += 1
        kept = []
        for j in reversed(sel):
            rows = c.indices[c.indptr[j] : c.indptr[j + 1]]
            if np.all(counts[rows] >= 2):
                counts[rows] -= 1
            else:
                kept.append(j)
        self.greedy_selected = kept[::-1]
        self.greedy_sites = len(kept)
        self._finish(self.greedy_selected, "greedy")
        self.timings["greedy_s"] = time.perf_counter() - t0
        return self

    def solve_exact(self, time_limit: float = 60.0, mip_rel_gap: float = 0.0) -> SetCovering:
        """MILP on the reduced problem; the greedy cover is the fallback if HiGHS finds nothing in time."""
        opts = _milp_options(time_limit, mip_rel_gap)
        if self.greedy_selected is None:
            self.solve_greedy()
        t0 = time.perf_counter()
        red = _reduce(self.covers, np.ones(self.n_demands), drop_zero_weight=False, row_superset=True)
        self.reduction = red
        self.timings["reduce_s"] = time.perf_counter() - t0
        nd, nc = red.shape
        if nd == 0:
            self.exact_selected, self.exact_sites, self.lower_bound = [], 0, 0.0
            self.status = "trivial: no demand is coverable"
        else:
            t1 = time.perf_counter()
            res = milp(
                np.ones(nc),
                integrality=np.ones(nc),
                bounds=Bounds(0.0, 1.0),
                constraints=[LinearConstraint(sp.csr_array(red.matrix.astype(np.float64)), 1.0, np.inf)],
                options=opts,
            )
            self.timings["milp_s"] = time.perf_counter() - t1
            if res.x is not None:
                x = res.x > 0.5
                self.exact_selected = [int(j) for j in red.candidates[x]]
                self.exact_sites = len(self.exact_selected)
            bound = float(res.mip_dual_bound) if res.mip_dual_bound is not None else 0.0
            self.lower_bound = float(math.ceil(bound - 1e-6))
            self.status = f"HiGHS status {res.status}: {res.message}"
        if self.exact_selected is not None and len(self.exact_selected) <= self.greedy_sites:
            self._finish(self.exact_selected, "exact")
        else:
            self._finish(self.greedy_selected, "greedy")
        self.lower_bound = min(self.lower_bound, float(self.n_sites))
        g = self.greedy_sites
        self.gap = 0.0 if g == 0 else (g - self.lower_bound) / g
        return self

    def solve(self, time_limit: float = 60.0) -> SetCovering:
        return self.solve_exact(time_limit=time_limit)


# --------------------------------------------------------------------------------------------------------------
# covers from reciprocal path-loss windows
# --------------------------------------------------------------------------------------------------------------
@dataclass
class ReachStats:
    """Per demand: ``n_in_range`` candidates with a computed loss (inside the window, not NaN), ``n_covering``
    candidates within the loss budget, ``min_loss_db`` the lowest loss to any candidate (NaN if none) and the
    allowed ``max_loss_db``."""

    n_in_range: np.ndarray
    n_covering: np.ndarray
    min_loss_db: np.ndarray
    max_loss_db: np.ndarray
    notes: list[str] = field(default_factory=list)

    def reason(self, i: int) -> str:
        """Why demand ``i`` cannot be reached by the screen alone (empty string when some candidate covers it):
        :func:`unreachable_reason` with every candidate in range judged by these windows."""
        if self.n_covering[i] > 0:
            return ""
        return unreachable_reason(float(self.max_loss_db[i]), n_screen=int(self.n_in_range[i]),
                                  screen_loss_db=float(self.min_loss_db[i]))


#: How the reasons below end: what the user can change.
_REMEDY = " (raise mast_height_m or eirp_dbm)"


def unreachable_reason(max_loss_db: float, *, n_screen: int = 0, screen_loss_db: float = math.nan,
                       n_exact: int = 0, exact_loss_db: float = math.nan, exact_site: str = "",
                       exact_km: float = math.nan) -> str:
    """Why no candidate site reaches a demand, in the words of how each candidate in range was judged.

    ``n_exact`` candidates in range were checked with the exact terrain profile: the lowest loss among them
    ``exact_loss_db`` at ``exact_site``, ``exact_km`` away (NaN when none of them was profiled: free space
    alone loses more than ``max_loss_db`` at their distance); ``n_screen`` others in range were judged by the
    screen only (the reciprocal sweeps, a quick estimate), the lowest ``screen_loss_db``. The exact figure comes
    first when there is one: the screen's is an estimate (steep relief puts many dB on it either way) and a
    reason quoting it as the site's loss would not be the figure the decision was made on."""
    budget = f"the {max_loss_db:.1f} dB the mobile station's link budget allows"
    sites = {n: f"{int(n)} candidate site{'' if int(n) == 1 else 's'}" for n in (n_screen, n_exact)}
    if n_exact <= 0 and n_screen <= 0:
        return (
            "no candidate site within the computation radius (site constraints — distance to a road or "
            "commune centre, slope limit, valid terrain — leave none nearby)"
        )
    if n_exact <= 0:
        return (
            f"terrain shadow: the best of {sites[n_screen]} in range has {screen_loss_db:.1f} dB "
            f"path loss by the quick estimate (not checked with the exact terrain profile), more than {budget}"
            + _REMEDY
        )
    if math.isfinite(exact_loss_db):
        text = (f"terrain shadow: {sites[n_exact]} in range checked with the exact terrain profile; "
                f"the best, {exact_site} ({exact_km:.1f} km away), has {exact_loss_db:.1f} dB path loss, more than "
                f"{budget}")
    else:
        text = (f"out of reach: {sites[n_exact]} in range checked with the exact terrain profile "
                f"{'loses' if int(n_exact) == 1 else 'lose'} more than {budget} in free space alone")
    if n_screen > 0:
        text += (f"; the other {int(n_screen)} in range, not checked exactly, have at least {screen_loss_db:.1f} dB "
                 "by the quick estimate")
    return text + _REMEDY


def outside_communes_reason(distance_m: float, nearest: str, reason: str) -> str:
    """:func:`unreachable_reason` of a station lying ``distance_m`` outside every commune polygon (``nearest``:
    the closest commune's name): such a station was most likely placed by mistyped coordinates, so that likely
    cause comes first and the reason computed at the position given (``reason``) follows."""
    return (f"outside every commune polygon, {distance_m / 1000:.1f} km from the nearest ('{nearest}'): check the "
            f"station's coordinates (probably mistyped); at the position given: {reason}")


def candidate_losses(window: Any, cand_rows, cand_cols) -> np.ndarray:
    """The path loss (dB) of one loss window (as :func:`covers_from_loss_windows` takes them) at each candidate
    cell (``cand_rows``, ``cand_cols``); NaN outside the window or the computation radius."""
    loss, r0, c0 = _unpack(window, 0)
    rr = np.asarray(cand_rows, dtype=np.int64) - int(r0)
    cc = np.asarray(cand_cols, dtype=np.int64) - int(c0)
    out = np.full(rr.shape, np.nan)
    inside = (rr >= 0) & (rr < loss.shape[0]) & (cc >= 0) & (cc < loss.shape[1])
    out[inside] = loss[rr[inside], cc[inside]]
    return out


def _check_cells(cand_rows, cand_cols) -> tuple[np.ndarray, np.ndarray]:
    rows = np.asarray(cand_rows)
    cols = np.asarray(cand_cols)
    if rows.ndim != 1 or rows.shape != cols.shape:
        raise AnalysisError(
            f"cand_rows and cand_cols must be 1-D of equal length, got {rows.shape}, {cols.shape}"
        )
    return rows.astype(np.int64), cols.astype(np.int64)


def _check_budget(max_loss_db, n: int) -> np.ndarray:
    mx = np.asarray(max_loss_db, dtype=np.float64)
    if mx.ndim == 0:
        mx = np.full(n, float(mx))
    if mx.shape != (n,):
        raise AnalysisError(
            f"max_loss_db has {mx.size} values for {n} loss windows; give one or one per window"
        )
    if n and not np.all(np.isfinite(mx)):
        raise AnalysisError("max_loss_db must be finite (dB)")
    return mx


def _window_losses(wins, rows: np.ndarray, cols: np.ndarray):
    """Per loss window ``i`` with a candidate inside it: ``(i, candidates, losses)`` — the candidates' indices and
    their losses (NaN beyond the computation radius)."""
    # sort candidates by row so each window touches only its row band
    order = np.argsort(rows, kind="stable")
    rs, cs_ = rows[order], cols[order]
    for i, w in enumerate(wins):
        if getattr(w, "quantity", "loss_db") != "loss_db":
            raise AnalysisError(
                f"loss_windows[{i}] holds {w.quantity!r}, not path loss; pass analysis.linkbudget.path_loss_window "
                "results (station as transmitter at receiver height, cells at mast height)"
            )
        loss, r0, c0 = _unpack(w, i)
        h, wd = loss.shape
        lo, hi = np.searchsorted(rs, r0), np.searchsorted(rs, r0 + h)
        if hi <= lo:
            continue
        rr, cc = rs[lo:hi] - r0, cs_[lo:hi] - c0
        inside = (cc >= 0) & (cc < wd)
        if not inside.any():
            continue
        idx = np.flatnonzero(inside)
        yield i, order[lo + idx], loss[rr[idx], cc[idx]]


def _pairs_matrix(ii: list[np.ndarray], jj: list[np.ndarray], shape: tuple[int, int]) -> sp.csc_array:
    if ii:
        di, cj = np.concatenate(ii), np.concatenate(jj)
    else:
        di = cj = np.zeros(0, dtype=np.int64)
    out = sp.csc_array((np.ones(di.size, dtype=bool), (di, cj)), shape=shape)
    out.sort_indices()
    return out


def covers_from_loss_windows(
    loss_windows: Sequence[Any],
    cand_rows,
    cand_cols,
    max_loss_db,
    *,
    return_stats: bool = False,
    near_db: float | None = None,
):
    """Sparse ``covers`` (CSC bool, n_demand × n_candidates) from per-demand path-loss windows.

    ``loss_windows[i]`` is ``(loss2d, row0, col0)`` (or an object with ``level_dbm``/``loss_db``, ``row0``,
    ``col0``): the path loss (dB) from demand ``i`` (receiver height) to every cell at the mobile mast height,
    NaN outside the computation radius. By reciprocity this is the loss from a mast at that cell to the demand,
    so ``covers[i, j] = loss_i[cand_j] <= max_loss_db[i]`` (scalar or one per demand:
    ``EIRP + receiver gain − weak threshold − margins``).

    With ``near_db`` (dB ≥ 0) also returns, second, the *near misses*: the pairs rejected by at most that much,
    ``max_loss_db[i] < loss_i[cand_j] <= max_loss_db[i] + near_db`` (same shape and type). The windows come from
    the fast sweep, a screen: its loss differs from the exact straight-line profile by up to ~13 dB near a
    handset in a hollow, either way, so a caller that checks claims exactly has these rejections to check too.
    With ``return_stats=True`` also returns, last, :class:`ReachStats` (for the "stations no site can reach, and
    why" list; from the screen, ``covers``).
    """
    rows, cols = _check_cells(cand_rows, cand_cols)
    wins = list(loss_windows)
    n, m = len(wins), rows.size
    mx = _check_budget(max_loss_db, n)
    if near_db is not None and not (math.isfinite(float(near_db)) and float(near_db) >= 0):
        raise AnalysisError(f"near_db must be a finite number of dB >= 0, got {near_db}")
    ii: list[np.ndarray] = []
    jj: list[np.ndarray] = []
    near_i: list[np.ndarray] = []
    near_j: list[np.ndarray] = []
    n_in = np.zeros(n, dtype=np.int64)
    n_cov = np.zeros(n, dtype=np.int64)
    min_loss = np.full(n, np.nan)
    for i, cand, vals in _window_losses(wins, rows, cols):
        fin = np.isfinite(vals)
        n_in[i] = int(fin.sum())
        if n_in[i]:
            min_loss[i] = float(vals[fin].min())
        ok = fin & (vals <= mx[i])
        n_cov[i] = int(ok.sum())
        if n_cov[i]:
            jj.append(cand[ok])
            ii.append(np.full(n_cov[i], i, dtype=np.int64))
        if near_db is not None:
            near = fin & ~ok & (vals <= mx[i] + float(near_db))
            if near.any():
                near_j.append(cand[near])
                near_i.append(np.full(int(near.sum()), i, dtype=np.int64))
    out = (_pairs_matrix(ii, jj, (n, m)),)
    if near_db is not None:
        out += (_pairs_matrix(near_i, near_j, (n, m)),)
    if return_stats:
        out += (ReachStats(n_in, n_cov, min_loss, mx),)
    return out[0] if len(out) == 1 else out
