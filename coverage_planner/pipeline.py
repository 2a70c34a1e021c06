"""The analysis pipeline: load → coverage → gaps → resilience → placement.

:func:`iter_run` is a generator (napari's pattern): it yields :class:`Progress` and returns
:class:`~coverage_planner.results.Results`; every yield is a cancel point — stop iterating and call
``close()``. :func:`run` wraps it with a progress callback and a cancel event.

Per-tower received-level windows come from :mod:`analysis.linkbudget` (numba, parallel over rays: all
cores) and are cached on disk (:mod:`coverage_planner.cache`), so a re-run or a failure scenario recomputes
only towers whose inputs changed.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generator

import numpy as np

from analysis import antenna as _antenna
from analysis import backhaul as _backhaul
from analysis import coverage as _coverage
from analysis import gaps as _gaps
from analysis import linkbudget as _lb
from analysis import placement as _placement
from analysis import propagation as _prop
from analysis import terrain_ops as _terrain_ops
from coverage_planner import __version__
from coverage_planner.cache import LevelCache, make_key, terrain_fingerprint
from coverage_planner.errors import CancelledError, ParameterError
from coverage_planner.progress import Progress, run_to_end
from coverage_planner.results import STATUS_GOOD, STATUS_NONE, STATUS_WEAK, Grid, Results, Scenario

# Share of the progress bar given to each stage (sums to 1).
_STAGE_WEIGHTS = {"load": 0.10, "coverage": 0.55, "gaps": 0.10, "resilience": 0.05, "placement": 0.20}
#: placement: rounds of "solve, then check the chosen sites with the exact profile" at most
EXACT_ROUNDS = 8
#: placement with k = -1 ("as few as needed"): rounds at most, and seconds after which no new round starts. Its
#: plan is a cover of every reachable station by the fewest sites, with many equal alternatives: a round may find a
#: few more of its sites unchecked (on the sample 9, 4, 5, 3 in rounds 4-7, 8 rounds in all, before equal checked
#: sites were preferred: :func:`_prefer_checked`), so it gets rounds until the plan is all checked, guarded. Each
#: round checks at least one new site, so the loop ends; a round costs two MILPs (at most 2 × solver_time_limit_s)
EXACT_ROUNDS_MIN = 40
EXACT_TIME_MIN_S = 300.0
#: placement: per chosen site and round, unchecked candidates that the screen says would do better in its place
#: and that get the exact check too (so a list of equal screen claims is not walked one site per round)
EXACT_CHALLENGERS = 4
#: placement and contingency plan: (station, candidate) pairs the screen rejects by at most this many dB enter the
#: solve-and-check loop as claims still to check (:class:`_ExactColumns`), so a site the screen under-rates is not
#: missed. The screen is pessimistic by up to ~13 dB near a handset in a hollow; on the sample
#: (benchmarks/screen_misses.py) the exact check accepts 199 of the 4,117 pairs it rejects by 0–6 dB (4.8 %), 31 of
#: 5,876 by 6–12 dB and 18 of 11,646 by 12–20 dB. 6 dB finds every change a 20 dB band makes there (one proposed
#: site: +1.8 % weight; one contingency row: 3 stations restored instead of 2) for +777 profiles (800 before);
#: 12 dB +1,800 and one more round; 20 dB runs out of rounds
SCREEN_BAND_DB = 6.0
#: placement and contingency plan: per chosen site, exact-checked alternatives that cover the same stations
#: and get a backhaul check, so a tie goes to a site with a microwave link (:func:`_prefer_backhaul`)
BACKHAUL_ALTERNATIVES = 5
#: coverage stage: cached towers read from disk per parallel read, between two cancel points (the sample's 257 in
#: one read took 1.7 s)
PREFETCH_CHUNK = 32
#: coverage stage: share of its progress for the towers (computed or read), the rest for the composites (seconds)
_TOWERS_SHARE = 0.85
#: gap stage: communes outlined between two cancel points
GAP_COMMUNES_PER_STEP = 8
_CLASS_TO_STATUS = np.array([STATUS_NONE, STATUS_WEAK, STATUS_GOOD], dtype=object)


class _Stages:
    def __init__(self):
        self._start = {}
        acc = 0.0
        for name, w in _STAGE_WEIGHTS.items():
            self._start[name] = acc
            acc += w

    def at(self, stage: str, within: float, message: str = "") -> Progress:
        within = min(max(within, 0.0), 1.0)
        return Progress(stage, self._start[stage] + _STAGE_WEIGHTS[stage] * within, message)


# ----------------------------------------------------------------------------------------------------------
# Context: inputs + terrain + cache, reusable across runs (GUI keeps one; scenarios reuse it)
# ----------------------------------------------------------------------------------------------------------
@dataclass
class Context:
    project: Any
    inputs: Any
    cache: LevelCache
    terrain_fp: str

    @property
    def dem(self) -> np.ndarray:
        return self.inputs.terrain.dem

    @property
    def grid(self) -> Grid:
        return self.inputs.terrain.grid

    @property
    def vegetation(self):
        """Per-cell vegetation at the receiver from the land-cover raster (``[inputs] clutter``) and the
        project's class table, as an :class:`analysis.linkbudget.VegetationGrid`; ``None`` without land cover
        (the constant ``[radio] vegetation_*`` values apply). Rebuilt when the settings change."""
        lc = getattr(self.inputs, "landcover", None)
        if lc is None:
            return None
        r = self.project.radio
        fallback = (float(r.vegetation_db_per_km), float(r.vegetation_max_db), float(r.vegetation_height_m))
        state = (tuple(sorted(self.project.clutter_classes.items())), fallback)
        hit = getattr(self, "_vegetation", None)
        if hit is None or hit[0] != state:
            grid = lc.vegetation(self.project.clutter_classes, fallback)
            hit = self._vegetation = (state, grid, grid.fingerprint())
        return hit[1]

    @property
    def vegetation_fp(self) -> str | None:
        """Fingerprint of :attr:`vegetation` (part of the cache keys), ``None`` without land cover."""
        return None if self.vegetation is None else self._vegetation[2]

    @property
    def zone_ids(self) -> np.ndarray:
        """Commune index of every cell (-1 outside every commune), rasterised once per context."""
        z = getattr(self, "_zone_ids", None)
        if z is None:
            z = _rasterize_communes(self.inputs.communes.reset_index(drop=True), self.grid)
            self._zone_ids = z
        return z


def mobile_link_params(project) -> _lb.LinkParams:
    """Link parameters of the proposed mobile stations: the project's, with their own computation radius."""
    return dataclasses.replace(link_params(project), max_distance_m=float(project.placement.coverage_radius_m))


def link_params(project) -> _lb.LinkParams:
    r = project.radio
    return _lb.LinkParams(
        model=r.model,
        k=float(r.k_factor),
        max_distance_m=float(r.max_distance_m),
        receiver_height_m=float(r.receiver_height_m),
        receiver_gain_dbi=float(r.receiver_gain_dbi),
        body_loss_db=float(r.body_loss_db),
        indoor_loss_db=float(r.indoor_loss_db),
        vegetation_db_per_km=float(r.vegetation_db_per_km),
        vegetation_max_db=float(r.vegetation_max_db),
        vegetation_height_m=float(r.vegetation_height_m),
        hata_environment=r.hata_environment,
    )


def _nan_to(v, default):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(f) else f


def tower_site(tower, grid: Grid) -> _lb.RadioSite:
    row, col = grid.rowcol(tower.geometry.x, tower.geometry.y)
    az = _nan_to(tower.azimuth_deg, None)
    return _lb.RadioSite(
        row=float(row), col=float(col),
        height_m=float(tower.height_m), frequency_mhz=float(tower.frequency_mhz), eirp_dbm=float(tower.eirp_dbm),
        azimuth_deg=az,
        beamwidth_deg=_nan_to(tower.beamwidth_deg, 65.0),
        front_to_back_db=_nan_to(tower.front_to_back_db, 25.0),
        mech_tilt_deg=_nan_to(tower.mech_tilt_deg, 0.0),
        elec_tilt_deg=_nan_to(tower.elec_tilt_deg, 0.0),
        vertical_beamwidth_deg=_nan_to(tower.vertical_beamwidth_deg, 10.0),
    )


def _site_key(ctx: Context, site: _lb.RadioSite, params: _lb.LinkParams, kind: str = "level") -> str:
    return make_key(ctx.terrain_fp, kind=kind, site=dataclasses.asdict(site), params=dataclasses.asdict(params),
                    **_veg_key(ctx))


def _veg_key(ctx: Context) -> dict:
    """Cache-key part of the land cover (empty without it, so keys of projects without land cover are unchanged)."""
    fp = ctx.vegetation_fp
    return {} if fp is None else {"vegetation": fp}


def prepare(project, *, inputs=None, cache: LevelCache | None = None, cache_dir=None) -> Context:
    """Load inputs (unless given) and set up the cache. Raises InputError on bad input."""
    from coverage_planner.inputs import load_inputs

    if inputs is None:
        inputs = load_inputs(project)
    if cache is None:
        if cache_dir is None:
            cache_dir = Path(project.output_dir) / ".cache"
        cache = LevelCache(cache_dir)
    return Context(project, inputs, cache, terrain_fingerprint(inputs.terrain.dem, inputs.terrain.grid))


def _cached_level(ctx: Context, site: _lb.RadioSite, params: _lb.LinkParams, *, kind: str = "level", key=None):
    """Received-level window ``(level, row0, col0)`` of one site, from the cache or computed (then cached)."""
    if key is None:
        key = _site_key(ctx, site, params, kind=kind)
    hit = ctx.cache.get(key)
    if hit is not None:
        return hit
    w = _lb.received_level(ctx.dem, site, params, cellsize=ctx.grid.cellsize, vegetation=ctx.vegetation)
    return ctx.cache.put(key, w.level_dbm, w.row0, w.col0)  # as stored: cold and cached runs agree


def tower_window(ctx: Context, tower, params: _lb.LinkParams):
    """Received-level window of one tower, from cache or computed (then cached)."""
    return _cached_level(ctx, tower_site(tower, ctx.grid), params)


#: The mobile station's antenna: omni with no vertical pattern, its gain inside the EIRP — the same antenna the
#: placement's link budget assumes (path loss only), so the map of a proposed site and the stations the
#: placement says it covers agree. (A 10° vertical beam with no tilt on a hilltop would lose 12–20 dB towards
#: the valley stations below it.)
MOBILE_ANTENNA = _antenna.Pattern(np.zeros(360), np.zeros(360),
                                  name="mobile station: omni, no vertical pattern (gain in the EIRP)")


def site_coverage(ctx: Context, x: float, y: float, *, mast_height_m=None, eirp_dbm=None, frequency_mhz=None):
    """Forward coverage of one omni mobile site at map position (x, y): ``(level, row0, col0)``, with the
    :data:`MOBILE_ANTENNA` (the placement's link budget).

    Used by the GUI when a proposed site is dragged, and by tests to check placement claims.
    """
    p = ctx.project.placement
    row, col = ctx.grid.rowcol(x, y)
    site = _lb.RadioSite(
        row=float(row), col=float(col),
        height_m=float(mast_height_m if mast_height_m is not None else p.mast_height_m),
        frequency_mhz=float(frequency_mhz if frequency_mhz is not None else ctx.project.placement_frequency_mhz()),
        eirp_dbm=float(eirp_dbm if eirp_dbm is not None else p.eirp_dbm),
        pattern=MOBILE_ANTENNA,
    )
    return _cached_level(ctx, site, mobile_link_params(ctx.project), kind="mobile")


def levels_at(grid: Grid, window, x, y) -> np.ndarray:
    """Values of a ``(level, row0, col0)`` window at map points (x, y); NaN outside the window."""
    level, r0, c0 = window
    r, c = grid.rowcol(x, y)
    rr = np.floor(np.atleast_1d(r) + 0.5).astype(np.int64) - r0
    cc = np.floor(np.atleast_1d(c) + 0.5).astype(np.int64) - c0
    inside = (rr >= 0) & (rr < level.shape[0]) & (cc >= 0) & (cc < level.shape[1])
    out = np.full(rr.shape, np.nan, np.float32)
    out[inside] = level[rr[inside], cc[inside]]
    return out


def _thresholds(project, technologies) -> tuple[np.ndarray, np.ndarray]:
    good = np.array([project.thresholds[t].good_dbm for t in technologies], dtype=np.float32)
    weak = np.array([project.thresholds[t].weak_dbm for t in technologies], dtype=np.float32)
    return good, weak


def display_level(level) -> np.ndarray:
    """Levels (dBm) for tables, maps and reports: rounded *down* to 0.1 dB, so a shown value agrees with the
    class (thresholds are whole tenths): −75.01 dBm is weak against good ≥ −75 and shows as −75.1, not as
    a −75.0 that reads as good. Levels are whole hundredths (the cache's step); the 0.001 absorbs float error."""
    v = np.asarray(level, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.floor(v * 10.0 + 1e-3) / 10.0


def _towers_with_scenario(towers, scenario):
    """The towers as the outputs show them: those a failure scenario takes off air have status ``down`` (a copy;
    the loaded inputs, reused by the next run, are unchanged)."""
    if not scenario.down:
        return towers
    out = towers.copy()
    out.loc[out["id"].isin(set(scenario.down)), "status"] = "down"
    return out


def _threshold_groups(indices, good_thr, weak_thr) -> dict[tuple[float, float], list[int]]:
    """Tower indices grouped by their (good, weak) thresholds, i.e. by technology where thresholds differ."""
    groups: dict[tuple[float, float], list[int]] = {}
    for i in indices:
        groups.setdefault((float(good_thr[i]), float(weak_thr[i])), []).append(i)
    return groups


def _relay(steps, progress):
    """Run the generator ``steps`` (of :mod:`analysis`, yielding plain values between chunks of work), yielding
    ``progress(value)`` for each of its values: every one a cancel point. Returns its return value; closing this
    generator closes ``steps``."""
    try:
        while True:
            try:
                value = next(steps)
            except StopIteration as stop:
                return stop.value
            yield progress(value)
    finally:
        steps.close()


def _cell_index(grid: Grid, gdf) -> tuple[np.ndarray, np.ndarray]:
    r, c = grid.rowcol(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
    return np.floor(r + 0.5).astype(np.int64), np.floor(c + 0.5).astype(np.int64)


# ----------------------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------------------
def project_scenario(project) -> Scenario:
    """The project file's failure scenario: ``[scenario] down`` under ``[scenario] name`` ("Sạt lở Mường Nhà");
    towers down without a name of their own are called "scenario", none down "baseline" unless named."""
    s = getattr(project, "scenario", None)
    down = tuple(getattr(s, "down", ()) or ())
    name = str(getattr(s, "name", "") or "").strip() or "baseline"
    if down and name == "baseline":
        name = "scenario"
    return Scenario(name=name, down=down)


def iter_run(
    project,
    scenario: Scenario | None = None,
    *,
    context: Context | None = None,
    cache_dir=None,
    placement: bool = True,
    groups: bool = True,
) -> Generator[Progress, None, Results]:
    """Run the analysis; yields Progress, returns Results (``StopIteration.value``).

    ``placement=False`` skips the mobile-station placement; ``groups=False`` skips the per-operator and
    per-technology composites (a quick failure-scenario re-run needs neither).
    """
    st = _Stages()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if scenario is None:
        scenario = project_scenario(project)

    # ---- load ------------------------------------------------------------------------------------------
    yield st.at("load", 0.0, "Reading inputs and terrain")
    ctx = context if context is not None else prepare(project, cache_dir=cache_dir)
    inputs = ctx.inputs
    grid, dem = ctx.grid, ctx.dem
    towers = inputs.towers.reset_index(drop=True)
    # stripped, each once, a site id expanded to its sectors; unknown ids raise UnknownTowerError (naming them)
    from coverage_planner.inputs import resolve_down

    down = resolve_down(scenario.down, towers)
    scenario = dataclasses.replace(scenario, down=down.ids, notes=tuple(down.notes), warnings=tuple(down.warnings))
    timings["load"] = time.perf_counter() - t0
    yield st.at("load", 1.0, f"{len(towers)} towers, {len(inputs.stations)} stations, DEM {grid.shape[1]}×{grid.shape[0]}")

    # ---- coverage: every tower that is on air (and, for the scenario, not marked down) ---------------
    t1 = time.perf_counter()
    params = link_params(project)
    on_air = (towers["status"] == "on_air").to_numpy()
    n_on = int(on_air.sum())
    windows: list[tuple[np.ndarray, int, int] | None] = [None] * len(towers)
    live_rows = np.flatnonzero(on_air)
    sites = [tower_site(towers.iloc[i], grid) for i in live_rows]
    keys = [_site_key(ctx, site, params) for site in sites]
    for done, (i, site, key) in enumerate(zip(live_rows, sites, keys, strict=True), start=1):
        if (done - 1) % PREFETCH_CHUNK == 0:  # a parallel read of the next cached towers (a re-run from disk)
            ctx.cache.prefetch(keys[done - 1:done - 1 + PREFETCH_CHUNK])
        windows[i] = _cached_level(ctx, site, params, key=key)
        yield st.at("coverage", _TOWERS_SHARE * done / max(n_on, 1), f"Tower {towers.at[i, 'id']} ({done}/{n_on})")
    timings["coverage_towers"] = time.perf_counter() - t1

    tech = towers["technology"].to_numpy()
    good_thr, weak_thr = _thresholds(project, tech)
    base_idx = [i for i in range(len(towers)) if windows[i] is not None]
    scen_idx = [i for i in base_idx if towers.at[i, "id"] not in set(scenario.down)]

    # the composites, overall and per group: seconds on the sample, so they yield between chunks of towers (cancel
    # points; QA waited 13.6–24 s for "Cancelled" when they yielded only at the end)
    group_idx: dict[tuple[str, str], list[int]] = {}
    for col in ("operator", "technology") if groups else ():
        for value in sorted(towers[col].dropna().unique()):
            idx = [i for i in scen_idx if towers.at[i, col] == value]
            if idx:
                group_idx[(col, str(value))] = idx
    n_applied = len(scen_idx) + sum(len(idx) for idx in group_idx.values())  # window applications, all composites
    applied = 0

    def composite(indices, message, classes_out=None):
        """Best level, server and count (a generator of progress items; returns them); and, into ``classes_out``
        if given, the best class any tower gives at each cell by its own technology's thresholds (a 2G tower at
        −95 dBm serves, weak ≥ −100, where a stronger 4G one at −91 dBm does not, weak ≥ −90) — the cell
        counterpart of the stations' status. ``message(done, n, applied)`` is the progress item after ``done`` of
        the ``n`` towers (``applied``: windows applied in all composites so far); one comes after the last tower
        too, so there is a cancel point between two composites."""
        nonlocal applied
        if not indices:
            shape = grid.shape
            if classes_out is not None:
                classes_out[...] = 0
            return (np.full(shape, np.nan, np.float32), np.full(shape, -1, np.int32), np.zeros(shape, np.uint16))
        steps = _coverage.composite_steps(grid.shape, [windows[i] for i in indices], weak_thr[indices],
                                          good_dbm=None if classes_out is None else good_thr[indices],
                                          classes_out=classes_out, cells_per_step=_coverage.CELLS_PER_STEP)
        bl, bs, ns = yield from _relay(steps, lambda step: message(*step, applied + step[0]))
        applied += len(indices)
        yield message(len(indices), len(indices), applied)
        bs = np.where(bs >= 0, np.asarray(indices, dtype=np.int32)[np.maximum(bs, 0)], -1).astype(np.int32)
        return bl, bs, ns

    def composite_fraction(n_done: int) -> float:
        return _TOWERS_SHARE + (1.0 - _TOWERS_SHARE) * n_done / max(n_applied, 1)

    class_grid = np.zeros(grid.shape, np.int8)
    best_level, best_server, n_servers = yield from composite(
        scen_idx, lambda k, n, a: st.at("coverage", composite_fraction(a), f"Composite coverage: {k}/{n} towers"),
        class_grid)
    by_group: dict[str, np.ndarray] = {}
    for (col, value), idx in group_idx.items():
        if col == "operator":
            def message(k, n, a, value=value):
                return st.at("coverage", composite_fraction(a), f"Composite coverage, operator {value}: {k}/{n} towers")
        else:
            def message(k, n, a, value=value):
                return st.at("coverage", composite_fraction(a),
                             f"Composite coverage, technology {value}: {k}/{n} towers")
        by_group[f"{col}:{value}"] = (yield from composite(idx, message))[0]
    timings["coverage"] = time.perf_counter() - t1
    yield st.at("coverage", 1.0, "Composite coverage done")

    # ---- gaps ------------------------------------------------------------------------------------------
    t2 = time.perf_counter()
    stations = inputs.stations.reset_index(drop=True).copy()
    communes = inputs.communes.reset_index(drop=True).copy()
    srow, scol = _cell_index(grid, stations)

    def station_service(indices):
        n = len(stations)
        if not indices:
            return np.full(n, np.nan, np.float32), np.full(n, -1), np.zeros(n, int), np.full(n, -1)
        ps = _coverage.servers_at_points([windows[i] for i in indices], srow, scol, weak_thr[indices])
        idx = np.asarray(indices)
        best_t = np.where(ps.best_index >= 0, idx[np.maximum(ps.best_index, 0)], -1)
        second_t = np.where(ps.second_index >= 0, idx[np.maximum(ps.second_index, 0)], -1)
        return ps.best_level, best_t, ps.n_servers.astype(int), second_t

    def station_classes(indices):
        """Service class of each station by each tower's own thresholds (the best class any tower gives), its
        server (the strongest tower giving that class), level, server count and runner-up.

        With one threshold pair for every tower this is the class of the strongest tower. With several (2G, 3G
        and 4G thresholds differ), a 2G tower at −95 dBm serves (weak ≥ −100) where a 4G tower at −91 dBm
        does not (weak ≥ −90): the station is weak, served by the 2G tower, and is not "no signal"."""
        _, best_t, count, second_t = station_service(indices)
        cls = np.zeros(len(stations), np.int8)
        lv = np.full(len(stations), -np.inf)
        bt = np.full(len(stations), -1)
        for (g, w), idx in _threshold_groups(indices, good_thr, weak_thr).items():
            lg, bg, _, _ = station_service(idx)
            cg = _gaps.classify(lg, g, w)
            lgf = np.where(np.isfinite(lg), lg, -np.inf)
            better = (bg >= 0) & ((cg > cls) | ((cg == cls) & (lgf > lv)))
            cls = np.where(better, cg, cls)
            lv = np.where(better, lgf, lv)
            bt = np.where(better, bg, bt)
        # the strongest tower is the runner-up when another one serves better
        second = np.where((bt >= 0) & (bt != best_t), best_t, second_t)
        return cls, np.where(np.isfinite(lv), lv, np.nan).astype(np.float32), bt, count, second

    def classify_stations(indices):
        cls, lvl, best_t, count, second_t = station_classes(indices)
        return _CLASS_TO_STATUS[cls], lvl, best_t, count, second_t

    status, lvl, best_t, count, second_t = classify_stations(scen_idx)
    stations["status"] = status
    stations["level_dbm"] = display_level(lvl)
    ids = towers["id"].to_numpy()
    # a station with no signal has no server (its level_dbm is still the strongest tower's, below the threshold)
    served = (best_t >= 0) & (status != STATUS_NONE)
    stations["best_server"] = np.where(served, ids[np.maximum(best_t, 0)], "")
    stations["best_operator"] = np.where(served, towers["operator"].to_numpy()[np.maximum(best_t, 0)], "")
    stations["n_servers"] = count.astype(int)
    # nearest on-air tower (straight-line), useful for field teams whatever the coverage
    live = towers.iloc[scen_idx] if scen_idx else towers.iloc[:0]
    if len(live):
        tx, ty = live.geometry.x.to_numpy(), live.geometry.y.to_numpy()
        d = np.hypot(stations.geometry.x.to_numpy()[:, None] - tx[None, :], stations.geometry.y.to_numpy()[:, None] - ty[None, :])
        j = d.argmin(axis=1)
        stations["nearest_tower"] = live["id"].to_numpy()[j]
        stations["nearest_tower_km"] = np.round(d[np.arange(len(stations)), j] / 1000.0, 2)
    else:
        stations["nearest_tower"] = ""
        stations["nearest_tower_km"] = np.nan

    zone_ids = ctx.zone_ids
    valid = zone_ids >= 0
    counts = _gaps.zonal_class_shares(class_grid, np.where(valid, zone_ids, 0), len(communes), valid)
    cell_km2 = grid.cellsize**2 / 1e6
    tot = counts.sum(axis=1)
    communes["area_km2"] = np.round(tot * cell_km2, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, name in enumerate(("none", "weak", "good")):
            communes[f"area_{name}_pct"] = np.round(np.where(tot > 0, 100.0 * counts[:, k] / tot, 0.0), 1)
    for name in ("good", "weak", "none"):
        sel = stations["status"] == name
        by = stations[sel].groupby("commune")
        communes[f"stations_{name}"] = communes["name"].map(by.size()).fillna(0).astype(int)
        communes[f"voters_{name}"] = communes["name"].map(by["voters"].sum()).fillna(0).astype(int)
    gaps = yield from _relay(_iter_gap_polygons(class_grid, zone_ids, grid, communes, live), lambda step: st.at(
        "gaps", 0.2 + 0.8 * step[0] / max(step[1], 1), f"Outlining gap areas: {step[0]}/{step[1]} communes"))
    timings["gaps"] = time.perf_counter() - t2
    yield st.at("gaps", 1.0, f"{int((stations['status'] != STATUS_GOOD).sum())} stations with weak or no signal")

    # ---- resilience: single points of failure and scenario impact -------------------------------------
    # by *site* (an operator's sectors on one mast): a power cut or a landslide takes the whole mast, so a station
    # served by two sectors of one mast has no backup
    service = _station_service_matrix(grid, stations, towers, scen_idx, windows, weak_thr)
    n_sites = service.n_sites()
    stations["n_sites"] = n_sites
    stations["spof"] = n_sites == 1
    best_local = {int(t): k for k, t in enumerate(scen_idx)}
    backup = service.backup(np.array([best_local.get(int(t), -1) for t in best_t]), status != STATUS_NONE)
    stations["backup_server"] = (np.where(backup >= 0, service.ids[np.maximum(backup, 0)], "") if len(service.ids)
                                 else "")  # every tower down
    newly: list[str] = []
    if scenario.down:
        base_status, _, base_best, _, _ = classify_stations(base_idx)
        stations["baseline_status"] = base_status
        # the tower that served the station before the failure ("" if none): for the lost stations, a down one
        stations["baseline_server"] = np.where(base_best >= 0, ids[np.maximum(base_best, 0)], "")
        newly = stations.loc[(base_status != STATUS_NONE) & (stations["status"] == STATUS_NONE), "id"].tolist()
    yield st.at("resilience", 1.0, f"{int(stations['spof'].sum())} single points of failure")

    # ---- placement -------------------------------------------------------------------------------------
    proposals = None
    proposal_level = None
    unreachable = None
    summary: dict[str, Any] = {}
    contingency = None
    if placement:
        t3 = time.perf_counter()
        n_need = int((stations["status"] != STATUS_GOOD).sum())
        yield st.at("placement", 0.02, f"{n_need} stations need better signal; finding candidate sites")
        candidates = _candidates(ctx, communes)
        yield st.at("placement", 0.04, f"{len(candidates[0])} candidate sites")
        if int(project.placement.k) != 0:
            proposals, proposal_level, unreachable, summary = yield from _placement_stage(
                ctx, stations, communes, towers.iloc[scen_idx], mobile_link_params(project), st, candidates,
                lost=newly)
        timings["placement"] = time.perf_counter() - t3
        t4 = time.perf_counter()
        contingency = yield from _contingency_stage(ctx, stations, communes, service, mobile_link_params(project),
                                                    st, candidates)
        timings["contingency"] = time.perf_counter() - t4
    yield st.at("placement", 1.0, "Done")
    timings["total"] = time.perf_counter() - t0

    return Results(
        project_name=project.name,
        province=project.province,
        grid=grid,
        dem=dem,
        towers=_towers_with_scenario(towers, scenario),
        stations=stations,
        communes=communes,
        border=inputs.border,
        roads=inputs.roads,
        towns=inputs.towns,
        best_level=best_level,
        best_server=best_server,
        n_servers=n_servers,
        gaps=gaps,
        proposals=proposals,
        proposal_level=proposal_level,
        contingency=contingency,
        study_mask=ctx.zone_ids >= 0,
        unreachable=unreachable,
        placement_summary=summary,
        scenario=scenario,
        newly_uncovered=newly,
        parameters=_parameters(project, inputs),
        terrain_source=getattr(inputs.terrain, "source", ""),
        timings=timings,
        group_levels=by_group,
        warnings=list(scenario.warnings) + list(getattr(inputs, "warnings", []) or []),
    )


def run(
    project,
    scenario: Scenario | None = None,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    **kwargs,
) -> Results:
    """Run :func:`iter_run` to completion. Raises CancelledError when ``cancel`` is set."""
    gen = iter_run(project, scenario, **kwargs)
    try:
        while True:
            p = next(gen)
            if progress is not None:
                progress(p)
            if cancel is not None and cancel.is_set():
                gen.close()
                raise CancelledError("analysis cancelled by the user")
    except StopIteration as stop:
        return stop.value


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------
def _rasterize_communes(communes, grid: Grid) -> np.ndarray:
    from rasterio import features

    shapes = [(geom, i) for i, geom in enumerate(communes.geometry) if geom is not None and not geom.is_empty]
    if not shapes:
        return np.full(grid.shape, -1, np.int32)
    return features.rasterize(shapes, out_shape=grid.shape, transform=grid.transform, fill=-1, dtype="int32")


def _shapes_to_polygons(shapes):
    """``rasterio.features.shapes`` output → (array of shapely Polygons, int values), built in one call to
    ``shapely.from_ragged_array`` (the same polygons as ``shapely.geometry.shape`` on each GeoJSON mapping,
    whose per-ring Python conversion took ~1 s for the sample's 6,500 gap polygons)."""
    import shapely

    coords, ring_len, poly_rings, values = [], [], [], []
    for geom, val in shapes:
        rings = geom["coordinates"]
        for ring in rings:
            coords.extend(ring)
            ring_len.append(len(ring))
        poly_rings.append(len(rings))
        values.append(int(val))
    if not values:
        return np.empty(0, object), np.empty(0, np.int64)
    ring_off = np.concatenate([[0], np.cumsum(ring_len)]).astype(np.int64)
    poly_off = np.concatenate([[0], np.cumsum(poly_rings)]).astype(np.int64)
    xy = np.fromiter(itertools.chain.from_iterable(coords), dtype=float, count=2 * len(coords)).reshape(-1, 2)
    polys = shapely.from_ragged_array(shapely.GeometryType.POLYGON, xy, (ring_off, poly_off))
    return polys, np.asarray(values, np.int64)


def _gap_polygons(class_grid, zone_ids, grid: Grid, communes, live_towers, min_area_km2: float = 0.25):
    """:func:`_iter_gap_polygons` run to the end: the gap polygons."""
    return run_to_end(_iter_gap_polygons(class_grid, zone_ids, grid, communes, live_towers, min_area_km2))


def _iter_gap_polygons(class_grid, zone_ids, grid: Grid, communes, live_towers, min_area_km2: float = 0.25):
    """A generator: yields ``(communes outlined, communes with a gap)`` after the labelling and between chunks of
    communes (cancel points), returns the polygons.

    Vectorise 'none' and 'weak' areas per commune; area, commune and nearest tower for each polygon.

    Regions are connected cells of one class inside one commune (the commune raster splits them, so no
    polygon overlay is needed); regions smaller than ``min_area_km2`` are left out of the polygons (they
    still count in the commune statistics, which come from the raster). That holds for every polygon: a gap
    is first kept when it reaches ``min_area_km2`` as a whole (8-connected, across commune borders), but its
    parts cut by a commune border, or joined only at a corner (polygons are edge-connected), are polygons of
    their own, and a part below the minimum is left out too (docs/OUTPUTS.md: "of at least 0.25 km²").
    """
    import geopandas as gpd

    cols = ["status", "area_km2", "commune", "nearest_tower", "nearest_tower_km"]
    valid = zone_ids >= 0
    min_cells = max(1, math.ceil(min_area_km2 * 1e6 / grid.cellsize**2 - 1e-9))  # at least min_area_km2
    gl = _gaps.label_gaps(class_grid, min_cells, valid_mask=valid)
    if not gl.n:
        return gpd.GeoDataFrame(columns=cols, geometry=[], crs=grid.crs)
    kept_class = np.full(gl.labels.shape, -1, np.int32)
    lab = gl.labels
    kept_class[lab > 0] = gl.region_class[lab[lab > 0] - 1]
    # one value per (commune, class): shapes() then yields connected regions of one class within one commune
    code = np.where(kept_class >= 0, zone_ids * 2 + kept_class + 1, 0).astype(np.int32)
    geoms, values = yield from _iter_polygonize_by_zone(code, grid.transform, GAP_COMMUNES_PER_STEP)
    values = values - 1
    parts = gpd.GeoDataFrame(
        {"status": np.where(values % 2 == 0, STATUS_NONE, STATUS_WEAK),
         "commune": communes["name"].to_numpy()[values // 2]},
        geometry=geoms, crs=grid.crs,
    )
    # every polygon reaches the minimum, not only the gap it is a part of (a polygon's area is its whole cells'):
    # with min_area_km2 / 2 here, border parts down to 0.125 km² were kept, 464 of the sample's 1,568 polygons
    # under the documented 0.25 km², while smaller parts of the same gaps were left out all the same
    area = parts.geometry.area.to_numpy()
    parts = parts[area >= min_cells * grid.cellsize**2 * (1 - 1e-9)].reset_index(drop=True)
    parts["area_km2"] = np.round(parts.geometry.area / 1e6, 3)
    if len(live_towers) and len(parts):
        c = parts.geometry.representative_point()
        tx, ty = live_towers.geometry.x.to_numpy(), live_towers.geometry.y.to_numpy()
        d = np.hypot(c.x.to_numpy()[:, None] - tx[None, :], c.y.to_numpy()[:, None] - ty[None, :])
        j = d.argmin(axis=1)
        parts["nearest_tower"] = live_towers["id"].to_numpy()[j]
        parts["nearest_tower_km"] = np.round(d[np.arange(len(parts)), j] / 1000.0, 2)
    else:
        parts["nearest_tower"] = ""
        parts["nearest_tower_km"] = np.nan
    # a total order (ties of equal area by commune and position), whatever order the polygons were made in
    b = parts.geometry.bounds
    parts = parts.assign(_x=b["minx"].to_numpy(), _y=b["miny"].to_numpy()).sort_values(
        ["status", "area_km2", "commune", "_y", "_x"], ascending=[True, False, True, True, True], kind="stable"
    ).reset_index(drop=True)
    return parts[cols + ["geometry"]]


def _polygonize_by_zone(code, transform):
    """:func:`_iter_polygonize_by_zone` run to the end: (polygons, values)."""
    return run_to_end(_iter_polygonize_by_zone(code, transform))


def _iter_polygonize_by_zone(code, transform, per_step: int = GAP_COMMUNES_PER_STEP):
    """A generator: yields ``(zones done, zones)`` first and after every ``per_step`` zones (cancel points, ~0.1 s
    each on the sample), returns what :func:`_polygonize_by_zone` does.

    ``rasterio.features.shapes`` of ``code`` (0 = nothing; value v belongs to zone (v − 1) // 2) one zone
    window at a time: (polygons, values).

    Regions never cross zones (the value carries the zone), so the polygons are those of one call on the whole
    raster. GDAL's polygonize holds Python's GIL for the whole call (0.14–0.5 s on the sample): a call per commune
    keeps each hold to a few tens of milliseconds, so the desktop app stays responsive while a run is in its gap
    stage."""
    from affine import Affine
    from rasterio import features

    rows, cols = np.nonzero(code > 0)
    if not rows.size:
        return np.empty(0, object), np.empty(0, np.int64)
    zone = (code[rows, cols] - 1) // 2
    order = np.argsort(zone, kind="stable")
    zone, rows, cols = zone[order], rows[order], cols[order]
    starts = np.flatnonzero(np.r_[True, zone[1:] != zone[:-1]])
    ends = np.r_[starts[1:], zone.size]
    geoms, values = [], []
    yield 0, len(starts)
    for k, (a, e) in enumerate(zip(starts, ends, strict=True), start=1):
        z = int(zone[a])
        r0, r1 = int(rows[a:e].min()), int(rows[a:e].max()) + 1
        c0, c1 = int(cols[a:e].min()), int(cols[a:e].max()) + 1
        win = code[r0:r1, c0:c1]
        mask = (win == 2 * z + 1) | (win == 2 * z + 2)
        g, v = _shapes_to_polygons(features.shapes(np.ascontiguousarray(win), mask=mask,
                                                   transform=transform * Affine.translation(c0, r0)))
        geoms.append(g)
        values.append(v)
        if k % per_step == 0 or k == len(starts):
            yield k, len(starts)
    return np.concatenate(geoms), np.concatenate(values)


def _demand_weights(stations, communes, project) -> np.ndarray:
    p = project.placement
    flags = communes.set_index("name")[["border", "remote"]]
    border = stations["commune"].map(flags["border"]).fillna(False).to_numpy(bool)
    remote = stations["commune"].map(flags["remote"]).fillna(False).to_numpy(bool)
    voters = np.maximum(stations["voters"].to_numpy(float), 1.0)
    prio = stations["priority"].to_numpy(float)
    return voters * prio * np.where(border, p.border_weight, 1.0) * np.where(remote, p.remote_weight, 1.0)


def _candidates(ctx: Context, communes):
    """Candidate cells (rows, cols): valid terrain, slope limit, near a road, town or commune centre; thinned."""
    from rasterio import features

    project, grid, dem = ctx.project, ctx.grid, ctx.dem
    p = project.placement
    inputs = ctx.inputs
    near = np.zeros(grid.shape, bool)
    geoms = []
    for layer in (inputs.roads, inputs.towns):
        if layer is not None and len(layer):
            geoms.extend(g for g in layer.geometry if g is not None and not g.is_empty)
    if geoms:
        near |= features.rasterize(geoms, out_shape=grid.shape, transform=grid.transform, fill=0,
                                   default_value=1, dtype="uint8", all_touched=True).astype(bool)
    cr, cc = grid.rowcol(communes["centre_x"].to_numpy(float), communes["centre_y"].to_numpy(float))
    cr, cc = np.floor(cr + 0.5).astype(int), np.floor(cc + 0.5).astype(int)
    ok = (cr >= 0) & (cr < grid.shape[0]) & (cc >= 0) & (cc < grid.shape[1])
    near[cr[ok], cc[ok]] = True
    inside = ctx.zone_ids >= 0
    spacing = max(1, int(round(p.candidate_spacing_m / grid.cellsize)))
    mask = _terrain_ops.candidate_mask(
        dem, grid.cellsize, max_slope_deg=p.max_slope_deg, near_mask=near,
        max_distance_m=p.candidate_max_distance_m, valid_mask=inside, spacing_cells=spacing,
    )
    rows, cols = np.nonzero(mask)
    user = ctx.inputs.candidates
    ids = [f"C{r}_{c}" for r, c in zip(rows, cols, strict=True)]
    if user is not None and len(user):
        ur, uc = _cell_index(grid, user)
        inside_grid = (ur >= 0) & (ur < grid.shape[0]) & (uc >= 0) & (uc < grid.shape[1])
        rows = np.concatenate([ur[inside_grid], rows])
        cols = np.concatenate([uc[inside_grid], cols])
        ids = list(user["id"].astype(str).to_numpy()[inside_grid]) + ids
    return rows.astype(np.int64), cols.astype(np.int64), ids


def _mobile_max_loss(project, params) -> float:
    """Largest path loss (dB) at which a mobile site still gives the placement technology's good level."""
    p = project.placement
    return p.eirp_dbm + params.receiver_gain_dbi - params.total_margin_db - project.thresholds[p.technology].good_dbm


def _reciprocal_keys(ctx: Context, drow, dcol, params) -> list[str]:
    """Cache keys of the reciprocal path-loss windows of stations on cells (drow, dcol), for the project's mobile
    mast height (as the TOML gave it: 20 and 20.0 share one key)."""
    mast = ctx.project.placement.mast_height_m
    freq = ctx.project.placement_frequency_mhz()
    return [make_key(ctx.terrain_fp, kind="reciprocal", row=int(r), col=int(c), mast=mast, f=freq,
                     params=dataclasses.asdict(params), **_veg_key(ctx)) for r, c in zip(drow, dcol, strict=True)]


def _reciprocal_window(ctx: Context, key: str, row: int, col: int, params):
    """The reciprocal path-loss window of a station on cell (row, col) — the station at receiver height as
    transmitter, the project's mobile mast at every cell — from the cache or computed (then cached); ``key``
    from :func:`_reciprocal_keys`."""
    hit = ctx.cache.get(key)
    if hit is None:
        # vegetation here is the mast's (receiver side of this sweep), normally none: the station's own
        # vegetation is added by the exact check (_exact_losses), so this screen tends to under-estimate
        w = _lb.path_loss_window(ctx.dem, float(row), float(col), tx_height_m=params.receiver_height_m,
                                 rx_height_m=float(ctx.project.placement.mast_height_m),
                                 frequency_mhz=ctx.project.placement_frequency_mhz(), params=params,
                                 cellsize=ctx.grid.cellsize, vegetation=ctx.vegetation)
        hit = ctx.cache.put(key, w.loss_db, w.row0, w.col0)
    return hit


def _reciprocal_windows(ctx: Context, demand, params, st: _Stages, lo: float, hi: float, contingency=False):
    """Reciprocity: one path-loss window per ``demand`` station (the station at receiver height as transmitter,
    the mobile mast height at every cell), cached; progress between ``lo`` and ``hi`` of the placement stage."""
    drow, dcol = _cell_index(ctx.grid, demand)
    keys = _reciprocal_keys(ctx, drow, dcol, params)
    out = []
    for i in range(len(demand)):
        out.append(_reciprocal_window(ctx, keys[i], int(drow[i]), int(dcol[i]), params))
        if i % 5 == 0 or i == len(demand) - 1:
            frac = lo + (hi - lo) * (i + 1) / len(demand)
            if contingency:
                yield st.at("placement", frac, f"Contingency: reciprocal path loss {i + 1}/{len(demand)}")
            else:
                yield st.at("placement", frac, f"Reciprocal path loss {i + 1}/{len(demand)}")
    return out


def _exact_losses(ctx: Context, drow, dcol, r: int, c: int, max_loss: float, params,
                  mast_height_m=None) -> np.ndarray:
    """Exact profile loss (dB) from a mobile site on cell (r, c) to each station on cells (``drow``, ``dcol``)
    within the computation radius (``params.max_distance_m``, cell-centre distance, as the reciprocal windows);
    NaN for the others. The placement's rule for "a site reaches a station" is ``loss <= max_loss`` here, for
    the optimiser's exact check, the contingency plan and :func:`site_reach` alike, and it does not depend on the
    screen (the reciprocal windows only choose which sites get checked).

    Site → station: the vegetation loss applies at the station (the handset's end), with the station cell's
    land cover if any. A station on the site's own cell: free space over half a cell (as the sweep's own
    cell). A station whose free-space loss alone exceeds ``max_loss`` is not profiled (NaN): every model's loss
    is at least free space (:func:`analysis.propagation.profile_loss` adds only non-negative terms), so it
    cannot be reached. ``mast_height_m``: the site's mast (default the project's ``[placement] mast_height_m``)."""
    mast = float(ctx.project.placement.mast_height_m if mast_height_m is None else mast_height_m)
    cs = ctx.grid.cellsize
    freq = ctx.project.placement_frequency_mhz()
    veg = ctx.vegetation
    drow = np.asarray(drow, dtype=np.int64)
    dcol = np.asarray(dcol, dtype=np.int64)
    losses = np.full(len(drow), np.nan)
    dist = np.hypot(drow - int(r), dcol - int(c)) * cs
    nr, nc = ctx.grid.shape
    near = (dist <= float(params.max_distance_m)) & (drow >= 0) & (drow < nr) & (dcol >= 0) & (dcol < nc)
    same = near & (dist == 0)
    losses[same] = float(_prop.free_space_loss(0.5 * cs, freq))
    with np.errstate(divide="ignore"):
        fspl = _prop.free_space_loss(np.where(dist > 0, dist, 1.0), freq)
    todo = np.flatnonzero(near & ~same & (fspl <= max_loss))
    if todo.size == 0:
        return losses
    tr, tc = drow[todo], dcol[todo]
    if veg is None:
        g, am, hv = params.vegetation_db_per_km, params.vegetation_max_db, params.vegetation_height_m
    else:  # each station cell's land cover
        g, am, hv = veg.at(tr, tc)
    # one compiled call for the site's stations: the same values as point_to_point_loss per pair
    losses[todo] = _prop.point_to_point_losses(
        ctx.dem, int(r), int(c), tr, tc,
        a_height_m=mast, b_height_m=params.receiver_height_m, frequency_mhz=freq, cellsize=cs,
        model=params.model, k=params.k, environment=params.hata_environment,
        vegetation_db_per_km=g, vegetation_max_db=am, vegetation_height_m=hv)
    return losses


def _exact_reach(ctx: Context, drow, dcol, r: int, c: int, max_loss: float, params, mast_height_m=None):
    """Bool per station on cells (``drow``, ``dcol``): a mobile site on cell (r, c) reaches it (the placement's
    rule, :func:`_exact_losses` within ``max_loss``)."""
    losses = _exact_losses(ctx, drow, dcol, r, c, max_loss, params, mast_height_m=mast_height_m)
    return np.nan_to_num(losses, nan=np.inf) <= max_loss


def _covered_by_others(cov: np.ndarray, sites, j: int) -> np.ndarray:
    """Bool per row of ``cov``: covered by one of ``sites`` other than ``j``."""
    others = [int(t) for t in sites if int(t) != int(j)]
    return cov[:, others].any(axis=1) if others else np.zeros(cov.shape[0], bool)


def _exact_challengers(cov: np.ndarray, checked: np.ndarray, weights: np.ndarray, selected) -> list[int]:
    """Unchecked candidates that, as ``cov`` (exact columns and the screen's) has them, would add more weight in
    place of one of the ``selected`` sites than that site adds: the :data:`EXACT_CHALLENGERS` best of them per site
    (a tie sampled evenly over its members), sorted — the next exact checks of the solve-and-check loop
    (:meth:`_ExactColumns.solve`)."""
    import scipy.sparse as sp

    per_site = EXACT_CHALLENGERS
    if not len(selected) or per_site <= 0 or checked.all():
        return []
    mat = sp.csc_array(cov)
    out: set[int] = set()
    for s in selected:
        others = _covered_by_others(cov, selected, s)
        gain = np.asarray(mat.T @ np.where(others, 0.0, weights), dtype=float).ravel()
        cand = np.flatnonzero(~checked & (gain > gain[s]))
        picked: list[int] = []
        for g in np.unique(gain[cand])[::-1]:  # best claim first; within a tie, spread over the group: the
            group = cand[gain[cand] == g]      # screen's false claims come in clusters (one shadowed slope)
            want = min(per_site - len(picked), len(group))
            picked.extend(int(group[i]) for i in np.unique(np.linspace(0, len(group) - 1, want).round().astype(int)))
            if len(picked) >= per_site:
                break
        out.update(picked)
    return sorted(out)


def _prefer_checked(cov: np.ndarray, checked: np.ndarray, weights: np.ndarray, sites) -> list[int]:
    """``sites`` (a plan: candidate indices) with each unchecked site replaced, where there is one, by an
    exact-checked candidate outside the plan that covers, in ``cov``, every station of weight > 0 that only that
    site covers in the plan, and no station the plan leaves uncovered: the plan's covered stations — so its
    objective and every figure quoted of it — stay exactly as they are, with one site fewer resting on the screen.
    In place of the solver's arbitrary pick among equal covers (the "as few as needed" plan has many), which would
    cost one more round of checks per unchecked site. Sites are taken in index order (the result depends on the
    plan's set only), each swap seen by the next; a replacement is the lowest-index candidate that fits."""
    sel = [int(j) for j in sites]
    if not sel or checked[sel].all():
        return sel
    sub = cov[np.asarray(weights) > 0]
    covered = sub[:, sel].any(axis=1)
    pool = np.flatnonzero(checked)
    pool_cov = sub[:, pool]
    # within the plan's cover; the cover does not change with the swaps, so neither does this
    inside = ~(pool_cov & ~covered[:, None]).any(axis=0)
    for i in sorted(range(len(sel)), key=lambda i: sel[i]):
        j = sel[i]
        if checked[j]:
            continue
        need = sub[:, j] & ~_covered_by_others(sub, sel, j)
        fits = np.flatnonzero(inside & pool_cov[need].all(axis=0) & ~np.isin(pool, sel))
        if len(fits):
            sel[i] = int(pool[fits[0]])
    return sel


class _ExactColumns:
    """The covers matrix (stations × candidates) of a solve-and-check loop, shared by the placement and the
    contingency plan. It starts as the screen (reciprocal windows) and its near misses ``near`` (the pairs it
    rejects by at most :data:`SCREEN_BAND_DB`, ``covers_from_loss_windows(near_db=…)``: :attr:`maybe` until
    checked) as claims: the screen and the exact profile differ by several dB either way, so the solver sees
    every site that may be better than the screen says, and the bound it proves holds for the exact rule within
    the band. A candidate's column is replaced by its exact one (:func:`_exact_reach` to every station of the
    matrix) when it is checked and stays so for good, so a refuted claim is never chosen again and a confirmed
    one stays. ``cells``: the candidates' (rows, cols); ``progress(n_done, n, round)``: the :class:`Progress` to
    yield every few checks (a cancel point)."""

    def __init__(self, ctx: Context, covers, drow, dcol, cells, max_loss: float, params, progress, near=None):
        self.cov = np.asarray(covers.toarray() if hasattr(covers, "toarray") else covers, dtype=bool)
        self.checked = np.zeros(self.cov.shape[1], bool)
        # per station: the lowest exact loss of the checked candidates (inf: none profiled) and which one, for
        # the reasons of the stations nobody reaches (they quote the figure the decision was made on)
        self.best_loss = np.full(self.cov.shape[0], np.inf)
        self.best_site = np.full(self.cov.shape[0], -1, dtype=np.int64)
        self._near = (np.asarray(near.toarray() if hasattr(near, "toarray") else near, dtype=bool)
                      if near is not None else np.zeros_like(self.cov))
        self.maybe = self._near & ~self.cov  # the near misses not yet checked (never a screen claim)
        self.cov |= self.maybe
        self._ctx, self._drow, self._dcol, self._cells = ctx, drow, dcol, cells
        self._max_loss, self._params, self._progress = max_loss, params, progress

    def _record(self, which: np.ndarray, j: int, losses: np.ndarray) -> None:
        """Candidate ``j``'s exact ``losses`` to the stations ``which`` (row indices): their cells of the matrix
        by :func:`_exact_reach`'s rule, no longer near misses to check, and the lowest exact loss and its site
        per station (for the reasons of the stations nobody reaches)."""
        self.cov[which, j] = np.nan_to_num(losses, nan=np.inf) <= self._max_loss
        self.maybe[which, j] = False
        better = losses < self.best_loss[which]  # NaN (not profiled) never is
        self.best_loss[which[better]] = losses[better]
        self.best_site[which[better]] = j

    def check(self, cols, rounds: int):
        """Replace the columns of candidates ``cols`` by their exact ones (generator)."""
        crow, ccol = self._cells
        every = np.arange(self.cov.shape[0])
        for n_done, j in enumerate(cols, start=1):
            self._record(every, j, _exact_losses(self._ctx, self._drow, self._dcol, int(crow[j]), int(ccol[j]),
                                                 self._max_loss, self._params))
            self.checked[j] = True
            if n_done % 8 == 0 or n_done == len(cols):  # a cancel point every few sites
                yield self._progress(n_done, len(cols), rounds)

    def settle(self, rows, progress):
        """Check the near misses still unchecked of stations ``rows`` that have no other claim (generator):
        afterwards, a station of ``rows`` is in reach in :attr:`claims` exactly when some candidate reaches it
        (within the band) or the screen still claims one. Only those pairs are profiled (a few per station: the
        "no site reaches it" list), not the candidates' columns."""
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[~self.claims[rows].any(axis=1) & self.maybe[rows].any(axis=1)]
        crow, ccol = self._cells
        cols = np.flatnonzero(self.maybe[rows].any(axis=0))
        for n_done, j in enumerate(cols, start=1):
            which = rows[self.maybe[rows, j]]
            self._record(which, j, _exact_losses(self._ctx, self._drow[which], self._dcol[which], int(crow[j]),
                                                 int(ccol[j]), self._max_loss, self._params))
            if n_done % 64 == 0 or n_done == len(cols):
                yield progress(n_done, len(cols))

    @property
    def claims(self) -> np.ndarray:
        """The matrix without the near misses still unchecked: the exact columns and the screen's own claims
        (what the placement calls "in reach" and counts the minimum sites with)."""
        return self.cov & ~self.maybe

    def near_reached(self) -> tuple[int, int]:
        """(near misses, of those exact-checked and reached)."""
        return int(self._near.sum()), int((self._near & self.cov & ~self.maybe).sum())

    @property
    def cells(self):
        """The candidates' (rows, cols)."""
        return self._cells

    def column(self, j: int) -> np.ndarray:
        """Candidate ``j``'s exact column (bool per station of the matrix), without keeping it."""
        if self.checked[j]:
            return self.cov[:, j]
        crow, ccol = self._cells
        return _exact_reach(self._ctx, self._drow, self._dcol, int(crow[j]), int(ccol[j]), self._max_loss,
                            self._params)

    def order(self) -> np.ndarray:
        """Every candidate, the exact-checked ones first (each group in index order): a solver that takes the
        first of equal columns, given them in this order, lets a checked site win a tie of equal claims."""
        return np.concatenate([np.flatnonzero(self.checked), np.flatnonzero(~self.checked)])

    def unreachable_reason(self, i: int, window, cids) -> str:
        """Why no candidate reaches station ``i`` (a row of the matrix that no column covers), as the loop
        decided it: the checked candidates in range by their exact losses (the best one named, with its
        distance), the others by the screen (``window``: station ``i``'s reciprocal loss window); ``cids``: the
        candidates' ids (:func:`analysis.placement.unreachable_reason`)."""
        crow, ccol = self._cells
        cs = self._ctx.grid.cellsize
        r, c = int(self._drow[i]), int(self._dcol[i])
        dist = np.hypot(crow - r, ccol - c) * cs
        # profiled for this station: the checked columns and the near misses settle() checked pair by pair
        profiled = self.checked | (self._near[i] & ~self.maybe[i])
        n_exact = int((profiled & (dist <= float(self._params.max_distance_m))).sum())  # as _exact_losses
        screen = _placement.candidate_losses(window, crow[~profiled], ccol[~profiled])
        screen = screen[np.isfinite(screen)]
        j = int(self.best_site[i])
        return _placement.unreachable_reason(
            float(self._max_loss), n_screen=len(screen), screen_loss_db=float(screen.min()) if len(screen) else math.nan,
            n_exact=n_exact, exact_loss_db=float(self.best_loss[i]) if j >= 0 else math.nan,
            exact_site=str(cids[j]) if j >= 0 else "", exact_km=float(dist[j]) / 1000.0 if j >= 0 else math.nan)

    def only_checked(self) -> np.ndarray:
        """The matrix with the unchecked candidates' columns emptied."""
        return np.where(self.checked[None, :], self.cov, False)

    def solve(self, weights: np.ndarray, plan, max_rounds: int | None = None, time_limit_s: float | None = None):
        """Solve, check, solve again (generator; returns ``(selected, rounds, converged)``).

        ``plan(matrix)``: the solver — ``None`` when there is nothing to choose, else ``(selected, sites)``:
        the chosen candidates and every candidate the round's plans use (``selected`` among them); it should
        take ties from :meth:`order`. Each round checks the unchecked ``sites``, then the best unchecked
        challengers of each selected site by ``weights`` (:func:`_exact_challengers`: a list of equal screen
        claims is not walked one site per round), and stops when every site of its plans was already checked
        (``converged``). After ``max_rounds`` (default :data:`EXACT_ROUNDS`) rounds without that, or when
        ``time_limit_s`` seconds have passed at the end of a round, ``converged`` is False and the caller
        chooses among the checked sites only (:meth:`only_checked`). :attr:`stop` says why the loop ended
        ("converged", "rounds" or "time")."""
        max_rounds = EXACT_ROUNDS if max_rounds is None else int(max_rounds)
        t0 = time.perf_counter()
        selected: list[int] = []
        rows = np.flatnonzero(weights)  # the others add nothing (the contingency plan: one site's stations)
        self.stop = "rounds"
        for rounds in range(1, max_rounds + 1):
            got = plan(self.cov)
            if got is None:
                self.stop = "converged"
                return [], rounds, True
            selected, sites = got
            todo = sorted({int(j) for j in sites if not self.checked[j]})
            if not todo:
                self.stop = "converged"
                return selected, rounds, True
            yield from self.check(todo, rounds)
            yield from self.check(_exact_challengers(self.cov[rows], self.checked, weights[rows], selected), rounds)
            if time_limit_s is not None and rounds < max_rounds and time.perf_counter() - t0 > time_limit_s:
                self.stop = "time"
                return selected, rounds, False
        return selected, max_rounds, False


def _backhaul_rank(fields: dict[str, Any]) -> tuple[int, float, float]:
    """Sort key of a backhaul (smaller is better): microwave ("ok") first, then the shorter hop, then the
    better Fresnel clearance."""
    if fields["backhaul"] != "ok":
        return (1, 0.0, 0.0)
    return (0, float(fields["backhaul_distance_km"]), -float(fields["backhaul_clearance"]))


def _prefer_backhaul(exact: _ExactColumns, selected, rows, fields, tower_cells,
                     limit: int | None = None) -> tuple[list[int], dict[int, tuple[dict[str, Any], np.ndarray]], int]:
    """Among sites that are equally good, one with a microwave backhaul when the chosen one needs satellite.

    For each chosen site j of ``selected`` (in order, each swap seen by the next), the other candidates whose
    column of ``exact`` on ``rows`` (the stations that count), outside what the other chosen sites cover, is
    j's: putting one in j's place leaves the plan's covered stations — so its objective, gaps and every total
    — unchanged. The ``limit`` (default :data:`BACKHAUL_ALTERNATIVES`) of them nearest to a tower of
    ``tower_cells`` (rows, cols) are taken; one the screen claims is confirmed with its exact column first
    (:meth:`_ExactColumns.column`, not kept: the loop's matrix is left as it is), then gets the backhaul check
    ``fields(candidate)`` (:func:`_backhaul_fields`); j is replaced only by a strictly better backhaul
    (:func:`_backhaul_rank`: a link, then the shorter hop). A site whose own backhaul is a microwave link keeps
    it without looking further: re-ranking working links by hop length cost +2 s cold and +3.5 s on a warm
    re-run of the sample (every contingency row) for hops that already work.
    Returns (the sites; by site, its backhaul fields and exact column — the matrix keeps the screen's for a
    site taken that way; the number of backhaul checks of alternatives)."""
    limit = BACKHAUL_ALTERNATIVES if limit is None else int(limit)
    crow, ccol = exact.cells
    trow, tcol = (np.asarray(v, float) for v in tower_cells)
    rows = np.asarray(rows)
    sub = exact.cov[rows]
    sel = [int(j) for j in selected]
    out: dict[int, tuple[dict[str, Any], np.ndarray]] = {}
    n_checked = 0
    for i, j in enumerate(sel):
        best_j, best_f, best_col = j, fields(j), exact.cov[:, j]
        if limit > 0 and best_f["backhaul"] != "ok":
            others = _covered_by_others(sub, sel, j)
            mine = sub[:, j] & ~others
            pool = np.ones(sub.shape[1], bool)
            pool[sel] = False
            pool = np.flatnonzero(pool)
            same = pool[((sub[:, pool] & ~others[:, None]) == mine[:, None]).all(axis=0)]
            if len(trow) and len(same):  # nearest to a tower first: the likeliest short hops
                near = np.hypot(crow[same, None] - trow[None, :], ccol[same, None] - tcol[None, :]).min(axis=1)
                same = same[np.argsort(near, kind="stable")]
            for a in (int(v) for v in same[:limit]):
                col = exact.column(a)
                if not np.array_equal(col[rows] & ~others, mine):
                    continue  # the screen's claim, refuted
                f = fields(a)
                n_checked += 1
                if _backhaul_rank(f) < _backhaul_rank(best_f):
                    best_j, best_f, best_col = a, f, col
        sel[i] = best_j
        out[best_j] = (best_f, best_col)
    return sel, out, n_checked


def _site_cell(ctx: Context, x: float, y: float) -> tuple[int, int]:
    """The terrain cell (row, col) of a site at map position (x, y); :class:`ParameterError` outside the grid."""
    r, c = ctx.grid.rowcol(x, y)
    r, c = int(math.floor(float(r) + 0.5)), int(math.floor(float(c) + 0.5))
    nr, nc = ctx.grid.shape
    if not (0 <= r < nr and 0 <= c < nc):
        raise ParameterError(f"site at ({x:.0f}, {y:.0f}) is outside the terrain grid ({nc} × {nr} cells)")
    return r, c


def site_reach(ctx: Context, stations, x: float, y: float, *, mast_height_m=None) -> list[str]:
    """Ids of the stations in need (status not "good" in ``stations``, a run's ``results.stations``) that a
    mobile site at map position (x, y) reaches, by the placement stage's rule (:func:`_exact_reach`): the site
    on its cell, the :data:`MOBILE_ANTENNA` (path loss only, gain in the EIRP), the project's mast height (or
    ``mast_height_m``), EIRP, frequency, link parameters and computation radius, the good threshold of the
    placement technology, and every station within the radius checked with the exact terrain profile
    (:func:`analysis.propagation.point_to_point_losses`). The optimiser's ``stations_in_reach`` are this same
    rule at the proposal's cell, so a proposed site left at (or dragged by 0 m back to) its place lists exactly
    its ``stations_in_reach``; ids in the order of ``stations``.

    Used for the sites the desktop user moved or added (``coverage_planner.whatif``). No reciprocal window is
    needed: one exact profile per station in need within the radius whose free-space loss is within the budget
    (a few hundred at most, well under a second on the sample), whether or not a run placed sites; still, call
    it off the GUI thread. Raises :class:`ParameterError` for a position outside the terrain grid."""
    r, c = _site_cell(ctx, x, y)
    if stations is None or not len(stations) or "status" not in stations.columns:
        return []
    demand = stations[(stations["status"] != STATUS_GOOD).to_numpy()].reset_index(drop=True)
    if not len(demand):
        return []
    params = mobile_link_params(ctx.project)
    max_loss = _mobile_max_loss(ctx.project, params)
    drow, dcol = _cell_index(ctx.grid, demand)
    reached = _exact_reach(ctx, drow, dcol, r, c, max_loss, params, mast_height_m=mast_height_m)
    return [str(i) for i in demand["id"].to_numpy()[reached]]


def _placement_stage(ctx: Context, stations, communes, live_towers, params, st: _Stages, candidates, lost=()):
    """Mobile-site placement. ``lost``: ids of the stations a failure scenario cut off; their weight is
    multiplied by ``[placement] restore_weight`` (restoring them comes first) and the summary says how many
    of them the proposed sites restore."""
    import geopandas as gpd
    from pyproj import Transformer

    project, grid, dem = ctx.project, ctx.grid, ctx.dem
    p = project.placement
    thr = project.thresholds[p.technology]
    freq = project.placement_frequency_mhz()
    demand_mask = (stations["status"] != STATUS_GOOD).to_numpy()
    demand = stations[demand_mask].reset_index(drop=True)
    weights = _demand_weights(demand, communes, project)
    is_lost = demand["id"].astype(str).isin({str(i) for i in lost}).to_numpy()
    weights = np.where(is_lost, weights * float(p.restore_weight), weights)
    crow, ccol, cids = candidates
    summary: dict[str, Any] = {"k": p.k, "n_demand": len(demand), "n_candidates": len(crow),
                               "mast_height_m": p.mast_height_m, "eirp_dbm": p.eirp_dbm,
                               "technology": p.technology, "frequency_mhz": freq,
                               "threshold_dbm": thr.good_dbm,
                               # stations in need of weight 0 (priority 0): not planned for, not listed unreachable
                               "n_not_planned": int((weights <= 0).sum())}
    if len(demand) and not (weights > 0).any():  # nothing to gain: say why no site will be proposed
        summary["note"] = (f"all {len(demand)} stations that need better signal have priority 0: no mobile site is "
                           "proposed; give them a priority above 0 in the stations file to place sites")
    empty_cols = ["rank", "site_id", "lon", "lat", "x", "y", "commune", "elevation_m", "n_stations",
                  "stations_covered", "stations_in_reach", "voters_covered", "weight_covered", "backhaul", "backhaul_tower",
                  "backhaul_distance_km", "backhaul_clearance"]
    if len(demand) == 0 or len(crow) == 0:
        unreachable = demand.loc[weights > 0, ["id", "name", "commune"]].reset_index(drop=True).assign(
            reason="no candidate site passes the site constraints")
        return gpd.GeoDataFrame(columns=empty_cols, geometry=[], crs=grid.crs), None, unreachable, summary

    max_loss = _mobile_max_loss(project, params)
    drow, dcol = _cell_index(grid, demand)
    loss_windows = yield from _reciprocal_windows(ctx, demand, params, st, 0.05, 0.65)
    covers, near = _placement.covers_from_loss_windows(loss_windows, crow, ccol, max_loss, near_db=SCREEN_BAND_DB)
    yield st.at("placement", 0.7, "Solving: lazy greedy and exact MILP")
    # The sweep's Deygout is reciprocal only statistically (each direction samples its own rays, tails of many
    # dB in steep relief), so the covers matrix from the sweep is a screen. A candidate's column is replaced by
    # its exact one (_exact_reach: the straight-line profile to every station in the radius, exactly
    # reciprocal) when the solver picks it, and the problem is solved again until every site of the proposed
    # plan (and of the greedy plan) has an exact column. Exact columns are kept for good, so a refuted claim is
    # never proposed again and a confirmed one stays; they come first in the matrix the solver sees, so among
    # equal screen claims a confirmed site wins the tie (before, the solver went down a list of equal screen
    # claims one refuted site per round and stopped after 8 rounds on a site that had just been refuted). Each
    # round also checks the best few unchecked challengers of every chosen site (_exact_challengers). The screen
    # errs both ways, so the pairs it rejects by at most SCREEN_BAND_DB are claims too until checked (before, a
    # site it under-rated was never checked: on the sample the plan reached 1.8 % less weight than one it missed,
    # with a "proven" 0 % gap). The loop (_ExactColumns) is the contingency plan's too.
    exact = _ExactColumns(ctx, covers, drow, dcol, (crow, ccol), max_loss, params,
                          lambda n_done, n, rounds: st.at("placement", min(0.72 + 0.015 * rounds, 0.84),
                                                          f"Exact check of {n_done}/{n} sites (round {rounds})"),
                          near=near)
    cov, checked = exact.cov, exact.checked  # updated in place by the checks

    def solve(matrix, k):
        """The covering model on ``matrix`` with the exact-checked columns first (ties go to them); the
        column order, so that ``order[j]`` is the candidate of the model's column j."""
        order = exact.order()
        m = _placement.MaximalCovering.from_arrays(matrix[:, order], weights, k)
        m.solve_greedy()
        m.solve_exact(time_limit=p.solver_time_limit_s)
        return m, order

    planned = weights > 0

    def min_sites(matrix) -> _placement.SetCovering:
        """The fewest sites of ``matrix`` covering every station planned for that a site reaches (``selected``:
        column indices; ``lower_bound``: the proven minimum): the LSCP covers every row it is given whatever its
        weight, so the stations of weight 0 (priority 0, not planned for) are left out of it, as out of the
        unreachable list (a far one would cost a site of its own)."""
        return _placement.SetCovering.from_arrays(matrix[planned]).solve(time_limit=p.solver_time_limit_s)

    k_req = p.k
    minimum = k_req is not None and int(k_req) < 0  # "as few as needed": the minimum number of sites
    model = None
    ub = 0.0
    k = int(k_req) if int(k_req) > 0 else 0
    k_proven = False  # k < 0: the last round's k is the proven minimum of its matrix (the LSCP's bound)

    def plan(matrix):
        nonlocal model, ub, k, k_proven
        usable = int(matrix.any(axis=0).sum())
        if minimum:
            lscp = min_sites(matrix)
            k, k_proven = lscp.n_sites, lscp.lower_bound >= lscp.n_sites
        k_eff = min(k, usable)
        if k_eff <= 0:
            model = None
            return None
        model, order = solve(matrix, k_eff)
        ub = float(model.upper_bound)
        plans = [[int(order[j]) for j in sites or []]
                 for sites in (model.selected, model.greedy_selected, model.exact_selected)]
        if minimum:  # a cover by the fewest sites has many equal alternatives: the checked ones, where they fit
            plans = [_prefer_checked(matrix, checked, weights, sites) for sites in plans]
            sel = plans[0]  # ranked again (a swap may change a site's marginal weight)
            plans[0] = [sel[i] for i in _placement.order_by_gain(matrix[:, sel], weights)]
        return plans[0], set().union(*plans)

    selected, rounds, converged = yield from exact.solve(
        weights, plan, *((EXACT_ROUNDS_MIN, EXACT_TIME_MIN_S) if minimum else ()))
    if not converged:
        # rounds used up with unchecked sites still chosen: the plan from exact-checked sites only (what the
        # proposals claim is then what the objective counts); the bound is the whole matrix's (exact columns
        # and the screen's), at least the restricted one's, so the published gaps stay proven and conservative
        usable = int(cov.any(axis=0).sum())
        k_eff = min(k, usable)
        ub = float(solve(cov, k_eff)[0].upper_bound) if k_eff > 0 else 0.0
        only = exact.only_checked()
        k_eff = min(k, int(only.any(axis=0).sum()))
        if k_eff > 0:
            model, order = solve(only, k_eff)
            selected = [int(order[j]) for j in model.selected]
            ub = max(ub, float(model.upper_bound))
        else:
            model, selected = None, []
    # a station that only the unchecked near misses reach: check them, so "no site reaches it" is the exact rule's
    yield from exact.settle(np.flatnonzero(planned), lambda n_done, n: st.at(
        "placement", 0.845, f"Exact check of the stations out of the screen's reach: {n_done}/{n} sites"))
    summary["screen_band_db"] = SCREEN_BAND_DB
    summary["near_misses"], summary["near_misses_reached"] = exact.near_reached()
    # with k < 0 and the loop converged, the proposed sites are the minimum and every one of them is exact-checked:
    # the last round proved that no fewer sites cover the matrix (exact columns, the screen's claims and its near
    # misses, a superset of what the exact rule reaches within the band), and the plan of that many checked sites
    # covers every station it reaches. Otherwise most columns are the screen's, so the count is an estimate (an
    # exact-checked one may differ by a site or two). With k < 0 and the loop stopped by its guard, the count is
    # not confirmed: how many of its sites rest on the screen says how far from it is
    rows_planned = cov[planned]
    lscp_exact = bool(minimum and converged and k_proven and len(selected) == k  # k = 0: nothing to reach
                      and not (rows_planned.any(axis=1) & ~rows_planned[:, selected].any(axis=1)).any())
    lscp = list(selected) if lscp_exact else min_sites(exact.claims).selected
    summary["lscp_sites"] = len(lscp)
    summary["lscp_exact"] = lscp_exact
    summary["lscp_unchecked"] = int((~checked[np.asarray(lscp, dtype=int)]).sum())
    summary["exact_rounds"] = rounds
    summary["exact_columns"] = int(checked.sum())
    summary["exact_converged"] = bool(converged)
    # why the loop ended ("converged"; "rounds" or "time": its guard, EXACT_ROUNDS / EXACT_ROUNDS_MIN rounds or
    # EXACT_TIME_MIN_S). Not how long it took: the summary of two identical runs must be identical
    summary["exact_stop"] = exact.stop
    if model is not None and selected:
        greedy_obj = float(model.greedy_objective)
        summary.update(k=len(selected), k_requested=int(k_req) if k_req is not None else len(selected),
                       sites_without_gain=int(model.dropped_no_gain),
                       greedy_objective=greedy_obj,
                       exact_objective=float(model.exact_objective), upper_bound=ub,
                       # proven gap of the proposed plan (the better of greedy and exact) and of greedy alone
                       gap_pct=round(100.0 * max(ub - float(model.objective), 0.0) / ub, 3) if ub > 0 else 0.0,
                       greedy_gap_pct=round(100.0 * max(ub - greedy_obj, 0.0) / ub, 3) if ub > 0 else 0.0,
                       total_weight=float(weights.sum()), solver="HiGHS (scipy.optimize.milp)")
    yield st.at("placement", 0.85, f"{len(selected)} sites chosen; backhaul check")

    # per proposed site: stations covered, forward coverage, backhaul
    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    tower_rows, tower_cols = _cell_index(grid, live_towers) if len(live_towers) else (np.zeros(0, int), np.zeros(0, int))
    # a tie of equal sites goes to a microwave backhaul: swaps that leave the covered stations as they are
    before = list(selected)
    selected, backhauls, n_alt = _prefer_backhaul(
        exact, selected, np.arange(len(demand)),
        lambda j: _backhaul_fields(ctx, int(crow[j]), int(ccol[j]), live_towers, (tower_rows, tower_cols)),
        (tower_rows, tower_cols))
    summary.update(backhaul_alternatives=n_alt,
                   backhaul_swaps=sum(a != b for a, b in zip(before, selected, strict=True)))
    zone = ctx.zone_ids
    rows_out, windows = [], []
    already = np.zeros(len(demand), bool)
    for rank, j in enumerate(selected, start=1):
        r, c = int(crow[j]), int(ccol[j])
        x, y = grid.xy(r, c)
        windows.append(site_coverage(ctx, float(x), float(y)))  # forward raster, for the map
        covered = backhauls[j][1]  # exact (reciprocal) profile losses within the budget
        new = covered & ~already
        already |= covered
        lon, lat = to_ll.transform(float(x), float(y))
        rows_out.append({
            "rank": rank, "site_id": f"MS-{rank:02d}", "candidate": cids[j], "lon": round(lon, 6), "lat": round(lat, 6),
            "x": round(float(x), 1), "y": round(float(y), 1),
            "commune": communes["name"].iloc[zone[r, c]] if zone[r, c] >= 0 else "",
            "elevation_m": round(float(dem[r, c]), 1),
            "n_stations": int(new.sum()),
            "stations_covered": ";".join(demand.loc[new, "id"].astype(str)),
            "stations_in_reach": ";".join(demand.loc[covered, "id"].astype(str)),
            "voters_covered": int(demand.loc[new, "voters"].sum()),
            "weight_covered": round(float(weights[new].sum()), 1),
            **backhauls[j][0],
            "geometry": _point(x, y),
        })
    proposals = gpd.GeoDataFrame(rows_out, geometry="geometry", crs=grid.crs) if rows_out else \
        gpd.GeoDataFrame(columns=empty_cols, geometry=[], crs=grid.crs)
    proposal_level = None
    if windows:
        proposal_level = _coverage.composite(grid.shape, windows, np.full(len(windows), thr.weak_dbm, np.float32))[0]

    # stations nobody can reach, and why; a station of weight 0 (priority 0) is not planned for: no site was
    # sought for it, so it is not listed (summary n_not_planned counts them)
    reach = exact.claims.any(axis=1)
    order = np.flatnonzero(~reach & (weights > 0))
    unreachable = demand.loc[order, ["id", "name", "commune"]].reset_index(drop=True)
    names = list(cids)  # a proposed site by the id the report, the map and the exports show (MS-01, …)
    for rank, j in enumerate(selected, start=1):
        names[j] = f"MS-{rank:02d}"
    # a candidate that is not proposed has no row anywhere a user could look it up: its position goes with its id
    for j in sorted({int(exact.best_site[i]) for i in order} - set(map(int, selected)) - {-1}):
        lon, lat = to_ll.transform(*map(float, grid.xy(int(crow[j]), int(ccol[j]))))
        names[j] = f"{cids[j]} ({lat:.5f}, {lon:.5f})"
    reasons = [exact.unreachable_reason(int(i), loss_windows[i], names) for i in order]
    # a station far outside every commune was probably placed by mistyped coordinates: the likely cause comes
    # first (the computed reason, often "no candidate site within the computation radius", is its consequence)
    from coverage_planner.inputs import far_outside_communes

    for k, far in enumerate(far_outside_communes(demand.geometry.iloc[order], communes)):
        if far is not None:
            reasons[k] = _placement.outside_communes_reason(*far, reasons[k])
    unreachable["reason"] = reasons
    summary["n_unreachable"] = len(unreachable)
    summary["n_no_candidate_reaches"] = len(order)
    summary["covered_after"] = int(already.sum())
    # what "every reachable station" is, and how many of them the proposed (exact-checked) sites do cover
    summary["n_reachable"] = int((reach & (weights > 0)).sum())
    summary["reachable_covered"] = int((already & reach & (weights > 0)).sum())
    if is_lost.any():  # a failure scenario: how much of what it cut off the proposed sites give back
        summary.update(n_lost=int(is_lost.sum()), lost_restored=int((already & is_lost).sum()),
                       voters_lost=int(demand.loc[is_lost, "voters"].sum()),
                       voters_lost_restored=int(demand.loc[already & is_lost, "voters"].sum()),
                       restore_weight=float(p.restore_weight))
    return proposals, proposal_level, unreachable, summary


#: Columns of :attr:`Results.contingency` (see docs/OUTPUTS.md, ``contingency_plan``).
CONTINGENCY_COLUMNS = [
    "site", "operator", "towers", "site_lon", "site_lat", "n_lost", "voters_lost", "stations_lost", "restore_lon",
    "restore_lat", "restore_x", "restore_y", "commune", "elevation_m", "n_restored", "voters_restored",
    "stations_restored", "backhaul", "backhaul_tower", "backhaul_distance_km", "backhaul_clearance", "note"]


def _site_name(ids) -> str:
    """"VTL-DBP-001" for sectors VTL-DBP-001-A/-B/-C (the site id ``--down`` also accepts); a single tower's own
    id; the ids joined with "+" when they do not share one site id."""
    from coverage_planner.inputs import sector_site

    ids = [str(i) for i in ids]
    if len(ids) == 1:
        return ids[0]
    sites = {sector_site(i) for i in ids}
    return sites.pop() if len(sites) == 1 and None not in sites else "+".join(ids)


@dataclass
class _Service:
    """Which on-air tower serves which station: ``level`` (n_stations × n_live, dBm at the station cell, -inf
    out of reach), ``server`` (level ≥ the weak threshold of the tower's technology), the live towers' rows,
    ids and ``site_of`` (:func:`analysis.resilience.site_index`, 50 m)."""

    level: np.ndarray
    server: np.ndarray
    live: Any
    ids: np.ndarray
    site_of: np.ndarray

    def n_sites(self) -> np.ndarray:
        """Number of distinct sites serving each station."""
        from analysis import resilience as _resilience

        return _resilience.n_sites(self.server, self.site_of)

    def backup(self, best_local: np.ndarray, served: np.ndarray) -> np.ndarray:
        """Local index of the strongest serving tower on another site than ``best_local`` (-1: none)."""
        from analysis import resilience as _resilience

        return np.where(served, _resilience.backup_tower(self.level, self.server, self.site_of, best_local), -1)


def _station_service_matrix(grid: Grid, stations, towers, live_idx, windows, weak_thr) -> _Service:
    from analysis import resilience as _resilience

    live = towers.iloc[list(live_idx)].reset_index(drop=True)
    srow, scol = _cell_index(grid, stations)
    level = np.full((len(stations), len(live)), -np.inf)
    for k, t in enumerate(live_idx):
        lv, r0, c0 = windows[t]
        rr, cc = srow - r0, scol - c0
        ok = (rr >= 0) & (rr < lv.shape[0]) & (cc >= 0) & (cc < lv.shape[1])
        level[ok, k] = np.nan_to_num(lv[rr[ok], cc[ok]], nan=-np.inf)
    server = level >= np.asarray(weak_thr)[list(live_idx)][None, :] if len(live) else level.astype(bool)
    site_of = (_resilience.site_index(live["operator"].astype(str).to_numpy(), live.geometry.x.to_numpy(),
                                      live.geometry.y.to_numpy(), tolerance_m=SITE_TOLERANCE_M)
               if len(live) else np.zeros(0, np.int64))
    return _Service(level, server, live, live["id"].astype(str).to_numpy(), site_of)


#: Towers of one operator within this distance are one site (the sectors on one mast): they fail together.
SITE_TOLERANCE_M = 50.0


def _contingency_stage(ctx: Context, stations, communes, service: _Service, params, st: _Stages, candidates):
    """Contingency plan: for each site (the sectors of one operator on one mast) that is the only one serving
    some polling stations, the stations that lose all service when it fails (power cut, landslide) and the
    one mobile site that restores most of them (priority weight as in placement), checked with the exact
    terrain profile, with a backhaul to a tower of another site. A GeoDataFrame (geometry: the mobile site),
    most voters lost first; ``None`` when no site is the only server of any station."""
    import geopandas as gpd
    import pandas as pd
    from pyproj import Transformer

    from analysis import resilience as _resilience

    grid, dem = ctx.grid, ctx.dem
    live, site_of = service.live, service.site_of
    if not len(live) or not len(stations):
        return None
    lost = _resilience.lost_by_site(service.server, site_of)
    yield st.at("placement", 0.9, f"Contingency: {len(lost)} sites are the only server of a polling station")
    if not lost:
        return None
    at_risk = np.array(sorted({int(i) for v in lost.values() for i in v}), dtype=np.int64)
    risk = stations.iloc[at_risk].reset_index(drop=True)
    pos = {int(g): i for i, g in enumerate(at_risk)}
    weights = _demand_weights(risk, communes, ctx.project)
    voters = risk["voters"].to_numpy(float)
    crow, ccol, _cids = candidates
    max_loss = _mobile_max_loss(ctx.project, params)
    drow, dcol = _cell_index(grid, risk)
    loss_windows = yield from _reciprocal_windows(ctx, risk, params, st, 0.9, 0.98, contingency=True)
    covers, near = (_placement.covers_from_loss_windows(loss_windows, crow, ccol, max_loss, near_db=SCREEN_BAND_DB)
                    if len(crow) else (np.zeros((len(risk), 0), bool),) * 2)
    # the placement's solve-and-check loop, one site at a time (k = 1, the weight of that site's lost stations):
    # exact columns are kept across sites, a checked site wins a tie of equal claims and challengers get checked
    exact = _ExactColumns(ctx, covers, drow, dcol, (crow, ccol), max_loss, params,
                          lambda n_done, n, rounds: st.at("placement", 0.98, f"Contingency: exact check of "
                                                                             f"{n_done}/{n} sites (round {rounds})"),
                          near=near)

    def best(local, w, matrix):
        """The candidate with the most weight ``w`` of stations ``local`` in ``matrix`` (a checked one on a tie),
        or None."""
        score = w @ matrix[local]
        if not len(score) or score.max() <= 0:
            return None
        order = exact.order()
        j = int(order[np.argmax(score[order])])
        return [j], [j]

    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    ids = risk["id"].astype(str).to_numpy()
    rows_out, geoms = [], []
    zone = ctx.zone_ids
    trow, tcol = _cell_index(grid, live)  # the live towers' cells, once: each site's backhaul uses the others
    for s, members in lost.items():
        local = np.array([pos[int(i)] for i in members], dtype=np.int64)
        w = np.zeros(len(risk))
        w[local] = weights[local]
        selected, _rounds, converged = yield from exact.solve(w, functools.partial(best, local, weights[local]))
        if not converged:  # rounds used up: the best exact-checked site
            selected = (best(local, weights[local], exact.only_checked()) or ([], []))[0]
        chosen = selected[0] if selected else -1
        keep = site_of != s
        if chosen >= 0:  # a tie of sites restoring the same stations goes to a microwave backhaul
            others = live[keep].reset_index(drop=True)
            tcells = (trow[keep], tcol[keep])
            (chosen,), backhauls, _n = _prefer_backhaul(
                exact, [chosen], local,
                lambda j, others=others, tcells=tcells: _backhaul_fields(ctx, int(crow[j]), int(ccol[j]), others,
                                                                         tcells),
                tcells)
        sectors = live.index[site_of == s]
        first = live.iloc[int(sectors[0])]
        slon, slat = to_ll.transform(first.geometry.x, first.geometry.y)
        row = {"site": _site_name(live["id"].iloc[sectors]), "operator": str(first["operator"]),
               "towers": ";".join(live["id"].astype(str).iloc[sectors]),
               "site_lon": round(slon, 6), "site_lat": round(slat, 6),
               "n_lost": len(local), "voters_lost": int(voters[local].sum()),
               "stations_lost": ";".join(ids[local])}
        if chosen >= 0:
            r, c = int(crow[chosen]), int(ccol[chosen])
            x, y = (float(v) for v in grid.xy(r, c))
            lon, lat = to_ll.transform(x, y)
            got = local[backhauls[chosen][1][local]]
            row.update(restore_lon=round(lon, 6), restore_lat=round(lat, 6), restore_x=round(x, 1),
                       restore_y=round(y, 1), commune=communes["name"].iloc[zone[r, c]] if zone[r, c] >= 0 else "",
                       elevation_m=round(float(dem[r, c]), 1), n_restored=len(got),
                       voters_restored=int(voters[got].sum()), stations_restored=";".join(ids[got]),
                       **backhauls[chosen][0], note="")
            geoms.append(_point(x, y))
        else:  # nothing to restore: say why (a site whose stations all have priority weight 0 was not planned for)
            row.update(n_restored=0, voters_restored=0, stations_restored="",
                       note="no candidate site reaches these stations with a good level" if weights[local].any()
                       else "these stations have priority weight 0: not planned for")
            geoms.append(None)
        rows_out.append(row)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows_out, columns=CONTINGENCY_COLUMNS), geometry=geoms, crs=grid.crs)
    order = np.lexsort((frame["site"].to_numpy(), -frame["n_lost"].to_numpy(), -frame["voters_lost"].to_numpy()))
    yield st.at("placement", 0.99, f"Contingency plan: {len(frame)} sites")
    return frame.iloc[order].reset_index(drop=True)


def _backhaul_fields(ctx: Context, r: int, c: int, live_towers, tower_cells) -> dict[str, Any]:
    """The proposals' backhaul columns for a mobile site on cell (r, c): the nearest on-air tower in range with
    line of sight and the project's first-Fresnel-zone clearance (``analysis.backhaul.best_backhaul``)."""
    p = ctx.project.placement
    tower_rows, tower_cols = tower_cells
    ti, dist, ratio = -1, float("nan"), float("nan")
    if len(tower_rows):
        bh = _backhaul.best_backhaul(
            ctx.dem, ctx.grid.cellsize, (r, c), p.backhaul_mast_height_m,
            np.stack([tower_rows, tower_cols], axis=1), live_towers["height_m"].to_numpy(float),
            p.backhaul_frequency_mhz, p.backhaul_range_m, ctx.project.radio.k_factor)
        ti, dist, ratio = bh.index, bh.distance_m, bh.ratio
    return {"backhaul": "ok" if ti >= 0 else "needs satellite",
            "backhaul_tower": str(live_towers["id"].iloc[ti]) if ti >= 0 else "",
            "backhaul_distance_km": round(dist / 1000.0, 2) if ti >= 0 else np.nan,
            "backhaul_clearance": round(float(ratio), 2) if ti >= 0 else np.nan}


def site_backhaul(ctx: Context, towers, x: float, y: float) -> dict[str, Any]:
    """Backhaul of a mobile site at map position (x, y), by the placement stage's rule: ``{"backhaul": "ok" |
    "needs satellite", "backhaul_tower", "backhaul_distance_km", "backhaul_clearance"}``.

    ``towers``: the towers of a run's results (``results.towers``); only those on air (not planned, not down
    in the run's failure scenario) can carry the backhaul. Used for sites the user moved or added."""
    live = towers[towers["status"].astype(str) == "on_air"] if len(towers) else towers
    cells = _cell_index(ctx.grid, live) if len(live) else (np.zeros(0, int), np.zeros(0, int))
    r, c = _site_cell(ctx, x, y)
    return _backhaul_fields(ctx, r, c, live, cells)


def _point(x, y):
    from shapely.geometry import Point

    return Point(float(x), float(y))


def _parameters(project, inputs) -> dict[str, Any]:
    r = project.radio
    out = {
        "software": f"coverage-planner {__version__}",
        "crs": inputs.terrain.grid.crs,
        "resolution_m": inputs.terrain.grid.cellsize,
        "model": r.model,
        "k_factor": round(float(r.k_factor), 4),
        "max_distance_m": r.max_distance_m,
        "receiver_height_m": r.receiver_height_m,
        "margins_db": float(r.body_loss_db) + float(r.indoor_loss_db),
    }
    lc = getattr(inputs, "landcover", None)
    if lc is not None:
        veg = sum(n for c, n in lc.counts.items() if c in project.clutter_classes
                  and project.clutter_classes[c].has_vegetation)
        out["vegetation"] = f"land cover {lc.source}: {veg} of {lc.codes.size} cells with vegetation loss"
    elif float(r.vegetation_db_per_km) > 0:
        out["vegetation"] = (f"{r.vegetation_db_per_km:g} dB/km, cap {r.vegetation_max_db:g} dB, "
                             f"canopy {r.vegetation_height_m:g} m")
    for tech, t in sorted(project.thresholds.items()):
        out[f"threshold_{tech}"] = f"good ≥ {t.good_dbm:g} dBm, weak ≥ {t.weak_dbm:g} dBm"
    out["thresholds"] = {tech: {"good_dbm": float(t.good_dbm), "weak_dbm": float(t.weak_dbm)}
                         for tech, t in sorted(project.thresholds.items())}
    out["placement_technology"] = project.placement.technology
    p = project.placement
    out["placement"] = f"k={p.k}, mast {p.mast_height_m:g} m, EIRP {p.eirp_dbm:g} dBm, {p.technology} {project.placement_frequency_mhz():g} MHz"
    return out


__all__ = ["Progress", "Context", "prepare", "iter_run", "run", "site_coverage", "site_reach", "site_backhaul",
           "tower_window", "link_params", "levels_at"]
