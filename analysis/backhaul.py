r"""Backhaul check: line of sight with first Fresnel-zone clearance between two antennas over the DEM.

A microwave backhaul hop from a proposed mobile site to an existing tower is taken as workable when the
terrain (plus the earth bulge) stays clear of at least 60 % of the first Fresnel-zone radius everywhere
along the path (the usual planning rule, e.g. ITU-R P.530 for k = 4/3 and standard refraction).

Along the straight path from ``A`` to ``B`` (total length ``d``), at a point ``d1`` from A and ``d2 = d − d1``
from B::

    terrain(d1)  = DEM bilinearly interpolated at the point (cell centres are the grid nodes)
                   + d1·d2 / (2 k R)                  earth bulge, R = 6 371 km, k = effective-earth factor
    ray(d1)      = zA + hA + (zB + hB − zA − hA)·d1/d  straight line between the antennas
    F1(d1)       = sqrt(λ·d1·d2 / d),  λ = c / f
    ratio(d1)    = (ray − terrain) / F1

:func:`fresnel_clearance` returns ``min ratio`` along the path (end points excluded; evaluated at every
crossing of a grid line, at the terrain's highest point inside each cell and 4 points per cell) and whether the ray clears the terrain everywhere (``ray ≥ terrain``). The check passes when
``min ratio ≥ 0.6``. ``k = inf`` switches the earth bulge off.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from analysis import AnalysisError

__all__ = ["fresnel_clearance", "best_backhaul", "BackhaulChoice", "EARTH_RADIUS_M", "MIN_CLEARANCE"]

EARTH_RADIUS_M = 6_371_000.0
C_M_PER_S = 299_792_458.0
#: The usual rule: 60 % of the first Fresnel zone must be clear.
MIN_CLEARANCE = 0.6


@njit(nogil=True, cache=True)
def _bilinear(dem, r, c):
    nr, nc = dem.shape
    if nr == 1:
        r0 = 0
        fr = 0.0
    else:
        r0 = min(max(int(math.floor(r)), 0), nr - 2)
        fr = r - r0
    if nc == 1:
        c0 = 0
        fc = 0.0
    else:
        c0 = min(max(int(math.floor(c)), 0), nc - 2)
        fc = c - c0
    r1 = r0 + 1 if nr > 1 else 0
    c1 = c0 + 1 if nc > 1 else 0
    top = dem[r0, c0] * (1.0 - fc) + dem[r0, c1] * fc
    bot = dem[r1, c0] * (1.0 - fc) + dem[r1, c1] * fc
    return top * (1.0 - fr) + bot * fr


@njit(nogil=True, cache=True)
def _ratio_at(dem, t, ar, ac, br, bc, za, zb, d, wavelength, inv_2kr):
    d1 = t * d
    d2 = d - d1
    ground = _bilinear(dem, ar + t * (br - ar), ac + t * (bc - ac)) + d1 * d2 * inv_2kr
    h = za + t * (zb - za) - ground
    return h / math.sqrt(wavelength * d1 * d2 / d), h


@njit(nogil=True, cache=True)
def _clearance(dem, cellsize, ar, ac, ah, br, bc, bh, wavelength, inv_2kr):
    """Minimum of ``ratio`` (and of the clearance in metres) along the path, end points excluded.

    The interpolated terrain is bilinear inside each cell, so along the path it is a quadratic between two
    crossings of grid lines, with kinks at the crossings, where ridges peak. It is evaluated at every
    crossing, at the vertex of each piece's quadratic (the highest terrain inside a cell), and at 4 points per
    piece for the slowly varying ray, bulge and Fresnel radius. (Samples every half cell missed peaks: a 22 km
    hop read 1.13 where the surface gives 0.59, below the 0.6 rule.)"""
    za = _bilinear(dem, ar, ac) + ah
    zb = _bilinear(dem, br, bc) + bh
    dist_cells = math.hypot(br - ar, bc - ac)
    d = dist_cells * cellsize
    if dist_cells < 0.5:
        return np.inf, np.inf
    nr, nc = dem.shape
    # path parameters t of the grid-line crossings (cell centres are the nodes: integer rows/cols)
    r_lo, r_hi = min(ar, br), max(ar, br)
    c_lo, c_hi = min(ac, bc), max(ac, bc)
    k_r0 = max(int(math.ceil(r_lo)), 0)
    k_r1 = min(int(math.floor(r_hi)), nr - 1)
    k_c0 = max(int(math.ceil(c_lo)), 0)
    k_c1 = min(int(math.floor(c_hi)), nc - 1)
    n_r = max(k_r1 - k_r0 + 1, 0) if br != ar else 0
    n_c = max(k_c1 - k_c0 + 1, 0) if bc != ac else 0
    ts = np.empty(n_r + n_c + 2)
    ts[0] = 0.0
    ts[1] = 1.0
    m = 2
    for k in range(n_r):
        ts[m] = (k_r0 + k - ar) / (br - ar)
        m += 1
    for k in range(n_c):
        ts[m] = (k_c0 + k - ac) / (bc - ac)
        m += 1
    ts = np.sort(ts)
    best_ratio = np.inf
    min_clear = np.inf
    for p in range(len(ts) - 1):
        t0 = ts[p]
        t1 = ts[p + 1]
        if not t1 - t0 > 1e-12:
            continue
        # the terrain's quadratic on this piece, from three samples: its vertex if inside the piece
        tm = 0.5 * (t0 + t1)
        g0 = _bilinear(dem, ar + t0 * (br - ar), ac + t0 * (bc - ac))
        gm = _bilinear(dem, ar + tm * (br - ar), ac + tm * (bc - ac))
        g1 = _bilinear(dem, ar + t1 * (br - ar), ac + t1 * (bc - ac))
        curv = g0 - 2.0 * gm + g1
        for j in range(5):
            if j < 4:
                t = t0 + (t1 - t0) * j / 4.0
            elif curv < 0.0:  # a maximum of the terrain inside the piece
                t = tm + 0.25 * (t1 - t0) * (g0 - g1) / curv
                if not (t0 < t < t1):
                    continue
            else:
                continue
            if t <= 0.0 or t >= 1.0:
                continue
            ratio, h = _ratio_at(dem, t, ar, ac, br, bc, za, zb, d, wavelength, inv_2kr)
            if ratio < best_ratio:
                best_ratio = ratio
            if h < min_clear:
                min_clear = h
    return best_ratio, min_clear


def _check(dem, cellsize, frequency_mhz, k):
    z = np.asarray(dem, dtype=np.float64)
    if z.ndim != 2 or z.size == 0:
        raise AnalysisError(f"dem must be a non-empty 2-D array, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise AnalysisError("dem contains NaN/inf; fill voids before the backhaul check")
    cs = float(cellsize)
    if not (np.isfinite(cs) and cs > 0):
        raise AnalysisError(f"cellsize must be a positive number of metres, got {cellsize!r}")
    f = float(frequency_mhz)
    if not (np.isfinite(f) and f > 0):
        raise AnalysisError(f"frequency_mhz must be > 0 (backhaul_frequency_mhz), got {frequency_mhz!r}")
    kk = float(k)
    if not (kk > 0):
        raise AnalysisError(f"k (effective earth radius factor) must be > 0, got {k!r}")
    inv_2kr = 0.0 if math.isinf(kk) else 1.0 / (2.0 * kk * EARTH_RADIUS_M)
    return np.ascontiguousarray(z), cs, C_M_PER_S / (f * 1e6), inv_2kr


def _rc(dem, rc, name):
    try:
        r, c = float(rc[0]), float(rc[1])
    except (TypeError, ValueError, IndexError) as exc:
        raise AnalysisError(f"{name} must be a (row, col) pair, got {rc!r}") from exc
    nr, nc = dem.shape
    if not (0 <= r <= nr - 1 and 0 <= c <= nc - 1):
        raise AnalysisError(f"{name} = ({r}, {c}) is outside the DEM (rows 0..{nr - 1}, cols 0..{nc - 1})")
    return r, c


def fresnel_clearance(dem, cellsize, a_rc, a_h, b_rc, b_h, frequency_mhz, k=4.0 / 3.0) -> tuple[float, bool]:
    """Minimum clearance as a fraction of the first Fresnel radius between A and B, and line of sight.

    ``a_rc``/``b_rc`` are (row, col) positions (fractional allowed; integer = cell centre); ``a_h``/``b_h``
    antenna heights above ground (m). Returns ``(min_ratio, los_ok)``; ``min_ratio`` is negative when the
    terrain cuts the ray, ``inf`` when A and B are less than half a cell apart.
    """
    z, cs, lam, inv_2kr = _check(dem, cellsize, frequency_mhz, k)
    ar, ac = _rc(z, a_rc, "a_rc")
    br, bc = _rc(z, b_rc, "b_rc")
    for name, h in (("a_h", a_h), ("b_h", b_h)):
        if not np.isfinite(h):
            raise AnalysisError(f"{name} (antenna height above ground, m) must be finite, got {h!r}")
    ratio, clear = _clearance(z, cs, ar, ac, float(a_h), br, bc, float(b_h), lam, inv_2kr)
    return float(ratio), bool(clear >= 0.0)


class BackhaulChoice(NamedTuple):
    """``index`` of the chosen tower (-1 if none passes), its ``distance_m`` and clearance ``ratio``.

    When no tower passes, ``distance_m``/``ratio`` describe the best-clearance tower in range (NaN if no
    tower is in range), so the report can say how close the nearest attempt came.
    """

    index: int
    distance_m: float
    ratio: float
    n_in_range: int


def best_backhaul(
    dem,
    cellsize,
    site_rc,
    site_h,
    towers_rc,
    towers_h,
    frequency_mhz,
    max_range_m,
    k=4.0 / 3.0,
    *,
    min_ratio: float = MIN_CLEARANCE,
    prefer: str = "closest",
) -> BackhaulChoice:
    """Pick an existing tower for the backhaul hop from a proposed site.

    Towers farther than ``max_range_m`` are ignored. Among towers whose path has ``ratio ≥ min_ratio``,
    ``prefer="closest"`` takes the nearest (ties: lowest index), ``prefer="clearance"`` the largest ratio.
    ``towers_rc`` is an (n, 2) array of (row, col); ``towers_h`` antenna heights above ground (scalar or per
    tower).
    """
    z, cs, lam, inv_2kr = _check(dem, cellsize, frequency_mhz, k)
    sr, sc = _rc(z, site_rc, "site_rc")
    t = np.asarray(towers_rc, dtype=np.float64).reshape(-1, 2) if np.size(towers_rc) else np.zeros((0, 2))
    n = t.shape[0]
    th = np.broadcast_to(np.asarray(towers_h, dtype=np.float64), (n,)) if n else np.zeros(0)
    if prefer not in ("closest", "clearance"):
        raise AnalysisError(f"prefer must be 'closest' or 'clearance', got {prefer!r}")
    if not (max_range_m > 0):
        raise AnalysisError(f"max_range_m (backhaul_range_m) must be > 0, got {max_range_m!r}")
    dist = np.hypot(t[:, 0] - sr, t[:, 1] - sc) * cs
    nr, nc = z.shape
    inside = (t[:, 0] >= 0) & (t[:, 0] <= nr - 1) & (t[:, 1] >= 0) & (t[:, 1] <= nc - 1)
    cand = np.flatnonzero((dist <= max_range_m) & inside & np.isfinite(th))
    cand = cand[np.argsort(dist[cand], kind="stable")]
    best_pass = (-1, math.nan, -math.inf)
    best_any = (-1, math.nan, -math.inf)
    for i in cand:
        ratio, _ = _clearance(z, cs, sr, sc, float(site_h), t[i, 0], t[i, 1], float(th[i]), lam, inv_2kr)
        if ratio > best_any[2]:
            best_any = (int(i), float(dist[i]), float(ratio))
        if ratio >= min_ratio:
            if prefer == "closest":
                return BackhaulChoice(int(i), float(dist[i]), float(ratio), int(cand.size))
            if ratio > best_pass[2]:
                best_pass = (int(i), float(dist[i]), float(ratio))
    if best_pass[0] >= 0:
        return BackhaulChoice(*best_pass, int(cand.size))
    if best_any[0] < 0:
        return BackhaulChoice(-1, math.nan, math.nan, 0)
    return BackhaulChoice(-1, best_any[1], best_any[2], int(cand.size))
