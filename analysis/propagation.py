"""Path-loss models and the radial path-loss sweep.

Models (``LinkParams.model``)
-----------------------------
``free_space``
    Friis: ``L = 20·log10(d_m) + 20·log10(f_MHz) − 27.55`` (terrain ignored).
``knife_edge``
    Free space + ITU-R P.526 single knife-edge loss ``J(ν)`` of the dominant obstacle (the profile point
    with the largest Fresnel–Kirchhoff parameter ν over the direct path).
``deygout``
    Free space + the Deygout construction for up to three edges with P.526 knife-edge losses: main edge
    ``p`` (largest ν over Tx→Rx), then the largest-ν edge ``t`` between Tx and ``p`` and ``r`` between
    ``p`` and Rx, each against its own sub-path: ``J(νp) + J(νt) + J(νr)`` (classic Deygout; the secondary
    edges only when J(νp) > 0). A lone ridge gives exactly the single knife-edge loss. P.526's empirical
    variant with ``T·(… + C)`` is not applied.
``hata`` / ``cost231``
    Okumura–Hata (150–1500 MHz) / COST-231-Hata (1500–2000 MHz), small/medium-city mobile correction
    ``a(hm)``, environment ``urban`` | ``suburban`` | ``rural`` (Hata: suburban and open-area corrections;
    COST-231: ``Cm = 3 dB`` for urban, 0 otherwise; it defines no open-area form). For comparison only:
    the loss is floored at free space and, as a LOS/NLOS terrain correction, the single knife-edge loss
    ``J(ν)`` of the dominant obstacle is added (0 on a clear path, so LOS cells keep plain Hata).
    The base-station height ``hb`` is the higher antenna of the link and ``hm`` the lower one, which
    keeps the model reciprocal.

Terrain geometry
----------------
Profiles use effective heights ``z − d²/(2kR)`` measured from the transmitter; heights above any chord
of that profile then include the earth bulge ``d1·d2/(2kR)`` of that chord exactly. ν for a point at
height ``h`` above the chord of a (sub-)path of length ``d1 + d2``: ``ν = h·√(2(d1+d2)/(λ·d1·d2))``.

Vegetation (P.833-style)
------------------------
``A = Am·(1 − exp(−γ·d/Am))`` (``γ`` dB/km, ``Am`` the cap; ``Am = 0`` means no cap, ``A = γ·d``), with
``d`` the length of the last part of the path that runs inside the canopy (``vegetation_height_m`` above
the receiver's ground): the path is followed back from the receiver towards its effective source — the
transmitter on a clear path, the last diffracting edge otherwise — and ``d`` is where its height above the
receiver's ground stays below the canopy (flat ground assumed around the receiver), at most the whole
segment. Receivers above the canopy get no vegetation loss.

Fast sweep (:func:`sweep_loss`, used by :mod:`analysis.linkbudget`)
-------------------------------------------------------------------
The same R2 rays as the viewshed (see :mod:`analysis._profile`). Along each ray we keep the upper
convex hull of the profile (transmitter antenna first, then the interpolated terrain at every crossing).
Any point maximising the height above a line lies on that hull, and the hull before (after) a hull
vertex is the hull of the points before (after) it, so for every target cell:

* main edge: the chord Tx→target starts at the first hull vertex (the antenna), so the height above the
  chord is concave along the hull and 0 at its start: the vertices above the chord are the run of hull
  vertices right after the antenna, found by scanning until the first one at or below the chord, and on an
  obstructed path the largest-ν point is always one of them; on a clear path the highest hull vertex is
  the first one after the antenna, and ν is taken there and at the next vertex;
* Deygout secondary edges: the same search on the hull before (cached per hull vertex, it does not
  depend on the target) and after the main edge (whose chords start at hull vertices too).

Every vertex of the run is scored (one division per vertex, branch-free best-so-far update; the best
vertex is usually inside the run, not at an end, and the runs are short on real relief: about 7 vertices
for the main edge on the benchmark DEM). Hulls are stored per block in flat arrays, one row per ray (rows
an odd number of cache lines apart), indexed with unsigned integers so that numba emits no
negative-index wraparound code.

The antenna pattern is ``min(h(azimuth) + v(elevation), cap)``: where the horizontal attenuation alone
reaches the cap (the back lobe of a sector, about half the cells) and the vertical table holds no gain
(v ≥ 0), the result is the cap and the elevation angle is not computed. The cells' terrain, geometry
tables and output lines are prefetched a cache line ahead (east/west rays walk down columns). With
``level_offset`` the kernel writes the received level (``offset − loss``) directly.

Approximations against the exact profile method (:func:`profile_loss`): (1) the profile is the one of the
ray nearest the cell centre (at most half a cell to the side), not the exact line to the centre;
(2) on a clear (sub-)path the edge is searched only among the two hull vertices after its start (the
highest ones), so a point under the hull that intrudes into the Fresnel zone (−0.78 < ν < 0, J up to
6 dB) can be missed. Tests compare the sweep with :func:`profile_loss` on profiles sampled along the same
rays and state the tolerance (see tests/analysis/test_propagation.py).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

from analysis import AnalysisError
from analysis._intrinsics import prefetch
from analysis._profile import (
    EARTH_RADIUS_M,
    J_INV_STEP,
    J_N,
    J_NU0,
    J_TABLE,
    PREFETCH_CELLS,
    PREFETCH_ROWS,
    SPEED_OF_LIGHT_MHZ_M,
    block_of,
    cell_offset,
    knife_edge_j_fast,
    ray_blocks,
)

MODELS = ("free_space", "knife_edge", "deygout", "hata", "cost231")
ENVIRONMENTS = ("urban", "suburban", "rural")
_MODEL_CODE = {m: i for i, m in enumerate(MODELS)}


# --------------------------------------------------------------------------------------------------------
# scalar / vectorised models
# --------------------------------------------------------------------------------------------------------
def wavelength_m(frequency_mhz: float) -> float:
    return SPEED_OF_LIGHT_MHZ_M / float(frequency_mhz)


def free_space_loss(distance_m, frequency_mhz):
    """Free-space basic transmission loss (dB): ``20 log10(d_m) + 20 log10(f_MHz) − 27.55``."""
    d = np.asarray(distance_m, dtype=float)
    # −27.552 = 20·log10(4π / 299.792458): c in m·MHz
    return 20.0 * np.log10(d) + 20.0 * math.log10(float(frequency_mhz)) - 27.552


def knife_edge_loss(nu):
    """ITU-R P.526 knife-edge diffraction loss ``J(ν)`` (dB), 0 for ``ν ≤ −0.78``; array-friendly."""
    nu = np.asarray(nu, dtype=float)
    x = nu - 0.1
    j = 6.9 + 20.0 * np.log10(np.sqrt(x * x + 1.0) + x)
    return np.where(nu > -0.78, j, 0.0)


def fresnel_nu(h, d1, d2, frequency_mhz):
    """Fresnel–Kirchhoff parameter ν for an edge ``h`` metres above the direct path at d1/d2 metres."""
    lam = wavelength_m(frequency_mhz)
    h, d1, d2 = (np.asarray(v, dtype=float) for v in (h, d1, d2))
    return h * np.sqrt(2.0 * (d1 + d2) / (lam * d1 * d2))


def _log(x):
    return math.log10(x)


def hata_constants(frequency_mhz, hb_m, hm_m, environment="rural", cost231=False) -> tuple[float, float]:
    """(A, B) such that the Hata loss is ``A + B·log10(d_km)``."""
    f = float(frequency_mhz)
    hb = max(float(hb_m), 1.0)
    hm = max(float(hm_m), 1.0)
    if environment not in ENVIRONMENTS:
        raise AnalysisError(f"Hata environment must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    a_hm = (1.1 * _log(f) - 0.7) * hm - (1.56 * _log(f) - 0.8)
    b = 44.9 - 6.55 * _log(hb)
    if cost231:
        a = 46.3 + 33.9 * _log(f) - 13.82 * _log(hb) - a_hm + (3.0 if environment == "urban" else 0.0)
    else:
        a = 69.55 + 26.16 * _log(f) - 13.82 * _log(hb) - a_hm
        if environment == "suburban":
            a -= 2.0 * _log(f / 28.0) ** 2 + 5.4
        elif environment == "rural":
            a -= 4.78 * _log(f) ** 2 - 18.33 * _log(f) + 40.94
    return a, b


def hata_loss(distance_km, frequency_mhz, hb_m, hm_m, environment="urban"):
    """Okumura–Hata median path loss (dB) for a small/medium city mobile correction."""
    a, b = hata_constants(frequency_mhz, hb_m, hm_m, environment, cost231=False)
    return a + b * np.log10(np.asarray(distance_km, dtype=float))


def cost231_loss(distance_km, frequency_mhz, hb_m, hm_m, environment="urban"):
    """COST-231-Hata median path loss (dB); ``Cm = 3`` dB for urban."""
    a, b = hata_constants(frequency_mhz, hb_m, hm_m, environment, cost231=True)
    return a + b * np.log10(np.asarray(distance_km, dtype=float))


def vegetation_loss(length_m, db_per_km, max_db):
    """P.833-style vegetation loss ``Am·(1 − exp(−γ·d/Am))``; ``max_db = 0`` → uncapped ``γ·d``."""
    d_km = np.asarray(length_m, dtype=float) / 1000.0
    g = float(db_per_km)
    am = float(max_db)
    if am > 0.0:
        return am * (1.0 - np.exp(-g * d_km / am))
    return g * d_km


def canopy_length(segment_m, descent, h_rx, canopy_m):
    """Length of the last part of a path inside the canopy (see the module notes)."""
    if h_rx >= canopy_m or segment_m <= 0.0:
        return 0.0
    if descent <= 0.0:
        return segment_m
    return min(segment_m, (canopy_m - h_rx) / descent)


# --------------------------------------------------------------------------------------------------------
# exact profile methods (references)
# --------------------------------------------------------------------------------------------------------
def _profile_arrays(profile_d, profile_h, k):
    d = np.asarray(profile_d, dtype=float)
    h = np.asarray(profile_h, dtype=float)
    if d.ndim != 1 or d.shape != h.shape or d.size < 2:
        raise AnalysisError(
            f"profile_d and profile_h must be 1-D of the same length ≥ 2 (got {d.shape} and {h.shape})")
    if not np.all(np.isfinite(d)) or not np.all(np.isfinite(h)):
        raise AnalysisError("profile distances and heights must be finite (fill nodata first)")
    if d[0] != 0.0 or np.any(np.diff(d) <= 0):
        raise AnalysisError("profile_d must start at 0 (the transmitter) and increase strictly")
    kk = float(k)
    if not kk > 0:
        raise AnalysisError(f"k must be > 0, got {k}")
    inv = 0.0 if math.isinf(kk) else 1.0 / (2.0 * kk * EARTH_RADIUS_M)
    return d, h - d * d * inv


def _edge(d, he, lo, hi, z_lo, z_hi, lam):
    """Interior point strictly between indices lo and hi with the largest ν over chord (d[lo],z_lo)→(d[hi],z_hi)."""
    if hi - lo < 2:
        return -1, -math.inf, -math.inf
    x = d[lo + 1:hi]
    d1 = x - d[lo]
    d2 = d[hi] - x
    h = he[lo + 1:hi] - (z_lo + (z_hi - z_lo) * d1 / (d[hi] - d[lo]))
    nu = h * np.sqrt(2.0 * (d[hi] - d[lo]) / (lam * d1 * d2))
    m = int(np.argmax(nu))
    return lo + 1 + m, float(nu[m]), float(h[m])


def deygout_loss(profile_d, profile_h, h_tx, h_rx, frequency_mhz, k=4 / 3, max_edges=3):
    """Exact diffraction loss (dB, excess over free space) of a terrain profile.

    ``profile_d``: distances from the transmitter (m, starting at 0, last = receiver); ``profile_h``:
    ground heights (m) at those points; ``h_tx``/``h_rx`` antenna heights above ground at the two ends.
    ``max_edges=3``: P.526 Deygout with up to three edges (see the module notes); ``max_edges=1``: the
    single knife edge with the largest ν. Brute force O(n): the reference for the fast sweep.
    """
    if max_edges not in (1, 3):
        raise AnalysisError(f"max_edges must be 1 or 3, got {max_edges}")
    d, he = _profile_arrays(profile_d, profile_h, k)
    lam = wavelength_m(frequency_mhz)
    n = d.size
    z_tx = he[0] + float(h_tx)
    z_rx = he[-1] + float(h_rx)
    p, nu_p, _ = _edge(d, he, 0, n - 1, z_tx, z_rx, lam)
    if p < 0:
        return 0.0
    jp = float(knife_edge_loss(nu_p))
    if max_edges == 1 or jp <= 0.0:
        return jp
    _, nu_t, _ = _edge(d, he, 0, p, z_tx, he[p], lam)
    _, nu_r, _ = _edge(d, he, p, n - 1, he[p], z_rx, lam)
    jt = float(knife_edge_loss(nu_t)) if nu_t > -math.inf else 0.0
    jr = float(knife_edge_loss(nu_r)) if nu_r > -math.inf else 0.0
    return jp + jt + jr


def profile_loss(profile_d, profile_h, h_tx, h_rx, frequency_mhz, *, model="deygout", k=4 / 3,
                 environment="rural", vegetation_db_per_km=0.0, vegetation_max_db=0.0,
                 vegetation_height_m=15.0):
    """Total basic path loss (dB) of one terrain profile with the exact (brute-force) edge search.

    Same models and conventions as the fast sweep; the reference it is tested against.
    """
    if model not in MODELS:
        raise AnalysisError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    d, he = _profile_arrays(profile_d, profile_h, k)
    lam = wavelength_m(frequency_mhz)
    D = d[-1]
    loss = float(free_space_loss(D, frequency_mhz))
    if model == "free_space":
        return loss
    n = d.size
    z_tx = he[0] + float(h_tx)
    z_rx = he[-1] + float(h_rx)
    p, nu_p, _ = _edge(d, he, 0, n - 1, z_tx, z_rx, lam)
    jp = float(knife_edge_loss(nu_p)) if p >= 0 else 0.0
    src_x, src_z = 0.0, z_tx
    if p >= 0 and nu_p > 0.0:
        src_x, src_z = d[p], he[p]
    if model in ("hata", "cost231"):
        a, b = hata_constants(frequency_mhz, max(h_tx, h_rx), min(h_tx, h_rx), environment, model == "cost231")
        loss = max(loss, a + b * math.log10(D / 1000.0)) + jp
    elif model == "knife_edge":
        loss += jp
    else:
        diff = deygout_loss(profile_d, profile_h, h_tx, h_rx, frequency_mhz, k=k)
        loss += diff
        if p >= 0 and jp > 0.0 and nu_p > 0.0:
            r, nu_r, _ = _edge(d, he, p, n - 1, he[p], z_rx, lam)
            if r >= 0 and nu_r > -0.78:
                src_x, src_z = d[r], he[r]
    if vegetation_db_per_km > 0.0:
        seg = D - src_x
        desc = (src_z - z_rx) / seg if seg > 0 else 0.0
        length = canopy_length(seg, desc, float(h_rx), float(vegetation_height_m))
        loss += float(vegetation_loss(length, vegetation_db_per_km, vegetation_max_db))
    return loss


# --------------------------------------------------------------------------------------------------------
# fast radial sweep
# --------------------------------------------------------------------------------------------------------
@njit(nogil=True, cache=True, parallel=True)
def _geometry_tables_kernel(R, dist_db, az10):
    n = 2 * R + 1
    for r in prange(n):
        dr = r - R
        for c in range(n):
            dc = c - R
            d2 = dr * dr + dc * dc
            dist_db[r, c] = 10.0 * math.log10(d2) if d2 > 0 else 0.0
            a = int(math.floor(math.degrees(math.atan2(dc, -dr)) * 10.0 + 0.5))
            az10[r, c] = a % 3600


_GEOM_CACHE: dict = {}


def geometry_tables(R: int):
    """Per-offset tables for a window of half-size R (cached, read-only): ``10·log10(dr²+dc²)`` and the
    azimuth in tenths of a degree (clockwise from north)."""
    hit = _GEOM_CACHE.get(R)
    if hit is None:
        n = 2 * R + 1
        dist_db = np.empty((n, n), np.float32)
        az10 = np.empty((n, n), np.int16)
        _geometry_tables_kernel(R, dist_db, az10)
        dist_db.flags.writeable = False
        az10.flags.writeable = False
        if len(_GEOM_CACHE) >= 2:
            _GEOM_CACHE.pop(next(iter(_GEOM_CACHE)))
        hit = _GEOM_CACHE[R] = (dist_db, az10)
    return hit


_COS10 = np.cos(np.radians(np.arange(3600) * 0.1))


@njit(nogil=True, cache=True, inline="always")
def _atan_deg(x):
    """atan(x) in degrees (error < 1e-3°): for |x| ≤ 0.25 (elevations within ±14°, nearly every cell) the
    odd series to x⁷ (error < 0.25⁹/9 rad = 2.4e-5°), a real branch so that the general path's division
    is not executed; otherwise a minimax polynomial on [0, 1] with atan(x) = 90° − atan(1/x) above 1."""
    ax = abs(x)
    if ax <= 0.25:
        x2 = x * x
        return x * (57.29577951308232 + x2 * (-19.09859317102744 + x2 * (11.459155902616464
                                                                            - 8.185111359011761 * x2)))
    inv = ax > 1.0
    if inv:
        ax = 1.0 / ax
    x2 = ax * ax
    r = ax * (0.99997726 + x2 * (-0.33262347 + x2 * (0.19354346 + x2 * (-0.11643287
                                                                      + x2 * (0.05265332 - 0.01172120 * x2)))))
    if inv:
        r = 1.5707963267948966 - r
    r = r * 57.29577951308232
    return r if x >= 0.0 else -r


@njit(nogil=True, cache=True, inline="always")
def _veg(seg, desc, h_rx, veg_height, veg_gamma_per_m, veg_max_db):
    if seg <= 0.0:
        return 0.0
    x_in = seg
    if desc > 0.0:
        x_in = min(seg, (veg_height - h_rx) / desc)
    if veg_max_db > 0.0:
        return veg_max_db * (1.0 - math.exp(-veg_gamma_per_m * x_in / veg_max_db))
    return veg_gamma_per_m * x_in



@njit(nogil=True, cache=True, inline="always")
def _knife_edge_j(nu, table):
    """:func:`analysis._profile.knife_edge_j_fast` with a select instead of a branch for ν ≤ −0.78 (same
    values; the Deygout secondary edges' ν falls on either side unpredictably)."""
    x = (nu - J_NU0) * J_INV_STEP
    if x >= J_N:
        y = nu - 0.1
        return 6.9 + 20.0 * math.log10(math.sqrt(y * y + 1.0) + y)
    xc = max(x, 0.0)
    i = int(xc)
    w = xc - i
    v = table[np.uint64(i)] + w * (table[np.uint64(i + 1)] - table[np.uint64(i)])
    return v if nu > J_NU0 else 0.0


@njit(nogil=True, cache=True, inline="always")
def _hull_push(hx, hz, off, n, d, z):
    """Append (d, z) (increasing d) to the upper convex hull stored at ``off``..``off + n − 1`` of hx/hz; new n.

    (flat arrays: indices are cast to uint64 so numba emits no
    negative-index wraparound code.)"""
    while n >= 2:
        ia = np.uint64(off + n - 2)
        ib = np.uint64(off + n - 1)
        ax = hx[ia]
        az = hz[ia]
        bx = hx[ib]
        bz = hz[ib]
        # drop B unless it lies strictly above the chord A→C
        if (bz - az) * (d - bx) <= (z - bz) * (bx - ax):
            n -= 1
        else:
            break
    hx[np.uint64(off + n)] = d
    hz[np.uint64(off + n)] = z
    return n + 1


@njit(nogil=True, cache=True, inline="always")
def _chord_best_edge(hx, hz, off, lo, hi, x0, z0, x1, z1, two_over_lambda):
    """Hull vertex in [lo, hi] (hull at ``off`` of hx/hz) with the largest Fresnel parameter ν over the chord
    (x0,z0)→(x1,z1), where (x0, z0) is hull vertex ``lo − 1`` itself (the transmitter or a diffracting edge).

    The chord starts on the hull, so the height above it is concave along the hull and 0 at vertex lo − 1:
    the vertices above the chord are the run lo..m (m found by the scan), the largest-ν point of an
    obstructed path is among them; on a clear path the highest vertex is lo, and ν is taken on lo and lo + 1.
    Returns (vertex, ν, height above chord); (-1, -inf, -inf) when the range is empty.
    """
    if lo > hi or x1 <= x0:
        return -1, -math.inf, -math.inf
    s = (z1 - z0) / (x1 - x0)
    # largest ν ⇔ largest key = h·|h|/(d1·d2). Hull abscissae increase strictly and every vertex in
    # [lo, hi] lies strictly between the chord's ends (callers ensure it), so d1, d2 > 0.
    best = -1
    best_key = -math.inf
    best_h = -math.inf
    u = lo
    while u <= hi:
        iu = np.uint64(off + u)
        x = hx[iu]
        d1 = x - x0
        h = hz[iu] - (z0 + s * d1)
        if not h > 0.0:
            break
        key = h * h / (d1 * (x1 - x))
        better = key > best_key  # branch-free update
        best = u if better else best
        best_h = h if better else best_h
        best_key = key if better else best_key
        u += 1
    if u == lo:  # clear path
        for w in range(lo, min(hi, lo + 1) + 1):
            iw = np.uint64(off + w)
            x = hx[iw]
            d1 = x - x0
            h = hz[iw] - (z0 + s * d1)
            key = h * abs(h) / (d1 * (x1 - x))
            if key > best_key:
                best = w
                best_key = key
                best_h = h
    if best < 0:
        return -1, -math.inf, -math.inf
    nu = math.sqrt((x1 - x0) * abs(best_key) * two_over_lambda)
    return best, (nu if best_key >= 0.0 else -nu), best_h


@njit(nogil=True, cache=True, parallel=True, fastmath={"contract"})  # FMA only: no NaN/inf assumptions
def _sweep_kernel(dem, r0, c0, cs, h_tx, h_rx, rad_cells, inv2kr, two_over_lambda, model, fspl_const,
                  hata_a, hata_b, veg_gamma_per_m, veg_max_db, veg_height, veg_grid, vg_flat, vam_flat, vh_flat,
                  use_pattern, h_table, v_table, bore10, mech_tilt, pat_cap, v_nonneg, cos10,
                  dist_db, az10, j_table,
                  wr0, wc0, out, level_sign, level_offset, want_geom, out_nu, out_clear):
    nr, nc = dem.shape
    R = int(math.floor(rad_cells))
    if R < 1:
        return
    rad2 = rad_cells * rad_cells
    ztx = float(dem[r0, c0]) + h_tx
    use_veg = veg_gamma_per_m > 0.0 and h_rx < veg_height
    fspl0 = fspl_const + 20.0 * math.log10(cs)
    flat = dem.ravel()  # C-contiguous: views
    dist_flat = dist_db.ravel()
    az_flat = az10.ravel()
    out_flat = out.ravel()
    nu_flat = out_nu.ravel()
    clear_flat = out_clear.ravel()
    gw = 2 * R + 1  # geometry tables' row length
    ow = out.shape[1]
    base0 = r0 * nc + c0
    gbase0 = R * gw + R  # the Tx in the geometry tables
    obase0 = (r0 - wr0) * ow + (c0 - wc0)  # the Tx in the output window
    nblocks = ray_blocks(R)
    for blk in prange(nblocks):
        side, k_lo, nb = block_of(blk, R)
        k_hi = k_lo + nb - 1
        a, e = cell_offset(side, 1, 0)
        b, f = cell_offset(side, 0, 1)
        if side < 2:
            m_lo = -r0
            m_hi = nr - 1 - r0
            i_max = min(R, nc - 1 - c0) if side == 0 else min(R, c0)
        else:
            m_lo = -c0
            m_hi = nc - 1 - c0
            i_max = min(R, nr - 1 - r0) if side == 2 else min(R, r0)
        mstride = b * nc + f  # flat-index step of one minor cell
        istride = a * nc + e  # flat-index step of one major cell
        gmstride = b * gw + f  # the same in the geometry tables and the output window
        gistride = a * gw + e
        omstride = b * ow + f
        oistride = a * ow + e
        steplen = np.empty(nb)
        tq = np.empty(nb)
        # hull of ray q: vertices off..off+hn[q]-1 of hx/hz, off = q·hs (contiguous per ray: the edge
        # searches walk along it)
        hs = (i_max + 2 + 15) // 16 * 16 + 8  # rows an odd number of cache lines apart: no set conflicts
        hx = np.empty(nb * hs)
        hz = np.empty(nb * hs)
        hn = np.ones(nb, np.int64)
        # cached ν of the Tx-side Deygout edge of each hull vertex (NaN: not yet)
        nut = np.empty(nb * hs if model == 2 else 1)
        tmin = 1.0
        for q in range(nb):
            t = (k_lo + q) / R
            tq[q] = t
            steplen[q] = cs * math.sqrt(1.0 + t * t)
            hx[q * hs] = 0.0
            hz[q * hs] = ztx
            tmin = min(tmin, abs(t))
        # beyond the radius along the block's straightest ray nothing is needed
        i_stop = min(i_max, int(rad_cells / math.sqrt(1.0 + tmin * tmin)) + 2)
        for i in range(1, i_stop + 1):
            j_lo = -((-(2 * k_lo - 1) * i) // (2 * R))
            j_hi = -((-(2 * k_hi + 1) * i) // (2 * R)) - 1
            if side >= 2:
                j_lo = max(j_lo, -i + 1)
                j_hi = min(j_hi, i - 1)
            j_lo = max(j_lo, m_lo)
            j_hi = min(j_hi, m_hi)
            rem_r = rad2 - i * i
            if rem_r < 0:
                break
            jr = int(math.floor(math.sqrt(rem_r)))
            j_lo = max(j_lo, -jr)
            j_hi = min(j_hi, jr)
            inv2i = 1.0 / (2 * i)
            ibase = base0 + istride * i
            gbase = gbase0 + gistride * i
            obase = obase0 + oistride * i
            # software prefetch of the lines the next steps' cells and crossings use: east/west rays walk down
            # columns (one row per cache line: 16 cells ahead is the next line), north/south along rows (two
            # rows ahead); a hint only, it never faults and changes no result
            pd = PREFETCH_CELLS * istride if side < 2 else PREFETCH_ROWS * istride
            gpd = PREFETCH_CELLS * gistride if side < 2 else PREFETCH_ROWS * gistride
            opd = PREFETCH_CELLS * oistride if side < 2 else PREFETCH_ROWS * oistride
            for j in range(j_lo, j_hi + 1):
                # nearest ray, round(j·R/i) half up; + 1e-9: (2jR + i)/(2i) is an integer at a tie and the
                # product may round just below it, while any other value is ≥ 1/(2R) from an integer
                q = min(max(int(math.floor((2 * j * R + i) * inv2i + 1e-9)) - k_lo, 0), nb - 1)
                ci = np.uint64(ibase + mstride * j)
                gi = np.uint64(gbase + gmstride * j)
                oi = np.uint64(obase + omstride * j)
                prefetch(flat, ci + np.uint64(pd))  # (uint64 wraparound: a negative step works)
                prefetch(dist_flat, gi + np.uint64(gpd))
                prefetch(az_flat, gi + np.uint64(gpd))
                prefetch(out_flat, oi + np.uint64(opd))
                zg = flat[ci]
                if zg != zg:
                    continue
                if veg_grid:  # per-cell vegetation at this receiver (e.g. from land cover)
                    cg = float(vg_flat[ci])
                    cam = float(vam_flat[ci])
                    chv = float(vh_flat[ci])
                    uv = cg > 0.0 and h_rx < chv
                else:
                    cg = veg_gamma_per_m
                    cam = veg_max_db
                    chv = veg_height
                    uv = use_veg
                dist = math.sqrt(i * i + j * j) * cs
                zr = zg + h_rx - dist * dist * inv2kr
                loss = fspl0 + dist_flat[gi]
                nu_p = -math.inf
                h_p = -math.inf
                if model != 0:
                    off = q * hs
                    n = hn[q]
                    if n > 1 and hx[np.uint64(off + n - 1)] >= dist - 0.25 * cs:
                        n -= 1  # a crossing level with the target is not between the antennas
                    p, nu_p, h_p = _chord_best_edge(hx, hz, off, 1, n - 1, 0.0, ztx, dist, zr, two_over_lambda)
                    jp = knife_edge_j_fast(nu_p, j_table) if p > 0 else 0.0
                    src_x = 0.0
                    src_z = ztx
                    if uv and p > 0 and nu_p > 0.0:
                        src_x = hx[np.uint64(off + p)]
                        src_z = hz[np.uint64(off + p)]
                    if model == 1:
                        loss += jp
                    elif model == 2:
                        if jp > 0.0:
                            ip = np.uint64(off + p)
                            xp = hx[ip]
                            zp = hz[ip]
                            # the Tx-side edge depends only on the hull before p, fixed while p stays: cache it
                            nu_t = nut[ip]
                            if nu_t != nu_t:
                                _, nu_t, _h = _chord_best_edge(hx, hz, off, 1, p - 1, 0.0, ztx, xp, zp, two_over_lambda)
                                nut[ip] = nu_t
                            rr, nu_r, _h = _chord_best_edge(hx, hz, off, p + 1, n - 1, xp, zp, dist, zr, two_over_lambda)
                            loss += jp + _knife_edge_j(nu_t, j_table) + _knife_edge_j(nu_r, j_table)
                            if uv and rr > 0 and nu_p > 0.0 and nu_r > -0.78:
                                src_x = hx[np.uint64(off + rr)]
                                src_z = hz[np.uint64(off + rr)]
                    else:
                        hl = hata_a + hata_b * math.log10(dist * 1e-3)
                        if hl > loss:
                            loss = hl
                        loss += jp
                    if uv:
                        seg = dist - src_x
                        loss += _veg(seg, (src_z - zr) / seg if seg > 0.0 else 0.0, h_rx, chv, cg, cam)
                elif uv:
                    loss += _veg(dist, (ztx - zr) / dist, h_rx, chv, cg, cam)
                if use_pattern:
                    ih = az_flat[gi] - bore10
                    if ih < 0:
                        ih += 3600
                    att_h = h_table[np.uint64(ih)]
                    if att_h >= pat_cap and v_nonneg:
                        loss += pat_cap  # back lobe: min(h + v, cap) = cap for any v ≥ 0, no elevation needed
                    else:
                        theta = _atan_deg((ztx - zr) / dist) - mech_tilt * cos10[np.uint64(ih)]
                        iv = int(theta * 10.0 + 900.5)
                        iv = min(max(iv, 0), 1800)
                        att = att_h + v_table[np.uint64(iv)]
                        loss += att if att < pat_cap else pat_cap
                out_flat[oi] = level_offset + level_sign * loss
                if want_geom:
                    nu_flat[oi] = nu_p if nu_p > -math.inf else math.nan
                    clear_flat[oi] = -h_p if h_p > -math.inf else math.nan
            # advance the rays: interpolated terrain at the crossing, pushed on each ray's hull (free space
            # needs no terrain)
            if model == 0:
                continue
            fi = float(i)
            inside = i * k_lo >= m_lo * R and i * (k_hi + 1) <= (m_hi - 1) * R
            for q in range(nb):
                if inside:  # crossing and its right neighbour inside the grid: no clamping
                    mp = fi * tq[q] + fi  # minor offset + i ≥ 0: truncation is floor
                    fa = int(mp)
                    w = mp - fa
                    ia = ibase + mstride * (fa - i)
                    za = flat[np.uint64(ia)]
                    z = za + w * (flat[np.uint64(ia + mstride)] - za)
                    prefetch(flat, np.uint64(ia + pd))
                else:
                    m = fi * tq[q]
                    fmf = math.floor(m)
                    w = m - fmf
                    fa = int(fmf)
                    za = flat[np.uint64(ibase + mstride * min(max(fa, m_lo), m_hi))]
                    z = za + w * (flat[np.uint64(ibase + mstride * min(max(fa + 1, m_lo), m_hi))] - za)
                if z == z:
                    d = fi * steplen[q]
                    off = q * hs
                    nq = _hull_push(hx, hz, off, hn[q], d, z - d * d * inv2kr)
                    if model == 2:
                        nut[np.uint64(off + nq - 1)] = math.nan
                    hn[q] = nq


def model_code(model: str) -> int:
    if model not in _MODEL_CODE:
        raise AnalysisError(f"propagation model must be one of {', '.join(MODELS)}, got {model!r}")
    return _MODEL_CODE[model]


def sweep_loss(dem32, r0, c0, *, cellsize, tx_height_m, rx_height_m, frequency_mhz, max_distance_m, k,
               model, environment="rural", vegetation_db_per_km=0.0, vegetation_max_db=0.0,
               vegetation_height_m=15.0, pattern_tables=None, want_geometry=False, vegetation_grid=None,
               level_offset=None):
    """Run the fast sweep on an already validated float32 C-contiguous DEM (internal entry point).

    ``level_offset``: if given, the window holds ``level_offset − loss`` (a received level: the link budget's
    EIRP + gains − margins) instead of the loss, written by the kernel in the same pass.

    ``vegetation_grid``: ``(γ dB/m, cap dB, canopy m)`` DEM-shaped float32 arrays read at each receiving cell,
    in place of the constant vegetation values. Returns ``(window_loss, row0, col0, geometry)``: path loss (dB)
    plus, when ``pattern_tables`` =
    ``(h_table, v_table, boresight_deg, mech_tilt_deg, cap_db)`` is given, the antenna attenuation;
    NaN outside ``max_distance_m``. ``geometry`` is ``None`` or ``{"nu": ..., "clearance_m": ...}``.
    """
    nr, nc = dem32.shape
    rad = float(max_distance_m) / float(cellsize)
    R = int(math.floor(rad))
    wr0, wr1 = max(0, r0 - R), min(nr, r0 + R + 1)
    wc0, wc1 = max(0, c0 - R), min(nc, c0 + R + 1)
    out = np.full((wr1 - wr0, wc1 - wc0), np.nan, dtype=np.float32)
    if want_geometry:
        out_nu = np.full(out.shape, np.nan, dtype=np.float32)
        out_clear = np.full(out.shape, np.nan, dtype=np.float32)
    else:
        out_nu = out_clear = np.empty((1, 1), dtype=np.float32)
    kk = float(k)
    inv = 0.0 if math.isinf(kk) else 1.0 / (2.0 * kk * EARTH_RADIUS_M)
    code = model_code(model)
    hata_a = hata_b = 0.0
    if code >= 3:
        hata_a, hata_b = hata_constants(frequency_mhz, max(tx_height_m, rx_height_m),
                                        min(tx_height_m, rx_height_m), environment, cost231=(code == 4))
    if pattern_tables is None:
        h_table = np.zeros(3600, np.float32)
        v_table = np.zeros(1801, np.float32)
        bore = tilt = 0.0
        cap = 0.0
        use_pattern = False
    else:
        h_table, v_table, bore, tilt, cap = pattern_tables
        use_pattern = True
    # attenuation = min(h + v, cap): where h alone reaches the cap (back lobe) v is not needed if v ≥ 0
    v_nonneg = bool(use_pattern and np.all(np.asarray(v_table) >= 0.0))
    sign, offset = (1.0, 0.0) if level_offset is None else (-1.0, float(level_offset))
    bore10 = int(math.floor(float(bore) * 10.0 + 0.5)) % 3600
    fspl_const = 20.0 * math.log10(float(frequency_mhz)) - 27.552
    dist_db, az10 = geometry_tables(max(R, 1))
    if vegetation_grid is None:
        vg = vam = vh = np.zeros(1, np.float32)
    else:  # (γ in dB/m, cap dB, canopy m), float32 C-contiguous of the DEM's shape (linkbudget.VegetationGrid)
        vg, vam, vh = vegetation_grid
        if vg.shape != dem32.shape or vam.shape != dem32.shape or vh.shape != dem32.shape:
            raise AnalysisError(f"vegetation grids must have the DEM's shape {dem32.shape}")
        vg, vam, vh = (np.ascontiguousarray(a, np.float32) for a in (vg, vam, vh))
    with numba.parallel_chunksize(1):  # blocks handed out one by one: robust when cores are shared
        _sweep_kernel(dem32, r0, c0, float(cellsize), float(tx_height_m), float(rx_height_m), rad, inv,
                      2.0 / wavelength_m(frequency_mhz), code, fspl_const, hata_a, hata_b,
                      float(vegetation_db_per_km) / 1000.0, float(vegetation_max_db), float(vegetation_height_m),
                      vegetation_grid is not None, vg.ravel(), vam.ravel(), vh.ravel(),
                      use_pattern, np.ascontiguousarray(h_table, np.float32),
                      np.ascontiguousarray(v_table, np.float32), bore10, float(tilt), float(cap), v_nonneg, _COS10,
                      dist_db, az10, J_TABLE, wr0, wc0, out, sign, offset, want_geometry, out_nu, out_clear)
    # the antenna's own cell: free space over half a cell
    out[r0 - wr0, c0 - wc0] = offset + sign * (fspl_const + 20.0 * math.log10(0.5 * float(cellsize)))
    geom = {"nu": out_nu, "clearance_m": out_clear} if want_geometry else None
    return out, wr0, wc0, geom


def path_geometry(dem, row, col, *, cellsize, tx_height_m, rx_height_m, frequency_mhz, max_distance_m, k=4 / 3):
    """Per-cell geometry along the sweep's rays, as windows of the DEM.

    Returns ``dict(distance_m, nu, clearance_m, row0, col0)``: distance to the cell centre, ν of the
    dominant obstacle (largest ν over the Tx→Rx path; NaN where there is no terrain in between) and the
    clearance of the direct path above that obstacle in metres (negative = obstructed).
    """
    from analysis.viewshed import _check_cell, _check_dem, _finite

    arr = _check_dem(dem)
    r0, c0 = _check_cell(arr, row, col, "transmitter")
    cs = _finite("cellsize", cellsize, lo=0.0, lo_open=True)
    _finite("frequency_mhz", frequency_mhz, lo=0.0, lo_open=True)
    _finite("max_distance_m", max_distance_m, lo=0.0, lo_open=True)
    _, wr0, wc0, geom = sweep_loss(arr, r0, c0, cellsize=cs, tx_height_m=_finite("tx_height_m", tx_height_m),
                                   rx_height_m=_finite("rx_height_m", rx_height_m), frequency_mhz=frequency_mhz,
                                   max_distance_m=max_distance_m, k=k, model="knife_edge", want_geometry=True)
    h, w = geom["nu"].shape
    rr, cc = np.ogrid[wr0:wr0 + h, wc0:wc0 + w]
    dist = (np.sqrt((rr - r0) ** 2 + (cc - c0) ** 2) * cs).astype(np.float32)
    dist[dist > float(max_distance_m)] = np.nan
    return {"distance_m": dist, "nu": geom["nu"], "clearance_m": geom["clearance_m"], "row0": wr0, "col0": wc0}


def line_profile(dem, a_row, a_col, b_row, b_col, *, cellsize):
    """Terrain profile on the straight line between two cell centres: ``(distances_m, heights_m)``.

    Sampled where the line crosses the centre lines of its major axis (one sample per cell step), terrain
    linearly interpolated between the two cells either side — the sweep's sampling, but aimed exactly at
    the far cell centre. Sampling B→A gives the same points in reverse order, so losses computed from
    these profiles are exactly reciprocal.
    """
    from analysis.viewshed import _check_cell, _check_dem, _finite

    arr = _check_dem(dem)
    ra, ca = _check_cell(arr, a_row, a_col, "point A")
    rb, cb = _check_cell(arr, b_row, b_col, "point B")
    cs = _finite("cellsize", cellsize, lo=0.0, lo_open=True)
    dr, dc = rb - ra, cb - ca
    n = max(abs(dr), abs(dc))
    if n == 0:
        raise AnalysisError("points A and B are the same cell; a profile needs two different cells")
    u = np.arange(n + 1, dtype=float)
    rows = ra + dr * u / n
    cols = ca + dc * u / n
    if abs(dc) >= abs(dr):  # columns are the major axis: interpolate along rows
        r0 = np.floor(rows).astype(int)
        w = rows - r0
        r1 = np.minimum(r0 + 1, arr.shape[0] - 1)
        ci = np.rint(cols).astype(int)
        h = arr[r0, ci] * (1 - w) + arr[r1, ci] * w
    else:
        c0 = np.floor(cols).astype(int)
        w = cols - c0
        c1 = np.minimum(c0 + 1, arr.shape[1] - 1)
        ri = np.rint(rows).astype(int)
        h = arr[ri, c0] * (1 - w) + arr[ri, c1] * w
    d = u / n * math.hypot(dr, dc) * cs
    return d, h.astype(float)


def point_to_point_loss(dem, a_row, a_col, b_row, b_col, *, a_height_m, b_height_m, frequency_mhz, cellsize,
                        model="deygout", k=4 / 3, environment="rural", vegetation_db_per_km=0.0,
                        vegetation_max_db=0.0, vegetation_height_m=15.0) -> float:
    """Basic path loss (dB) between two cells with the exact profile method on the straight line.

    A is the "transmitter" (``a_height_m`` above ground), B the "receiver" (vegetation, if any, applies at
    B). Free space, knife edge, Deygout and Hata are exactly reciprocal here (swap A/B and the heights).
    O(distance in cells): meant for checking individual links (e.g. placement claims), not for rasters.
    """
    d, h = line_profile(dem, a_row, a_col, b_row, b_col, cellsize=cellsize)
    if not np.all(np.isfinite(h)):
        raise AnalysisError("the profile between A and B crosses nodata cells; fill the DEM voids first")
    return profile_loss(d, h, float(a_height_m), float(b_height_m), float(frequency_mhz), model=model, k=k,
                        environment=environment, vegetation_db_per_km=vegetation_db_per_km,
                        vegetation_max_db=vegetation_max_db, vegetation_height_m=vegetation_height_m)


# --------------------------------------------------------------------------------------------------------
# compiled point to point: many receivers of one transmitter
# --------------------------------------------------------------------------------------------------------
@njit(nogil=True, cache=True)
def _p2p_edge(d, he, lo, hi, z_lo, z_hi, lam):
    """:func:`_edge` on the scratch profile (same operations in the same order; first index of the largest ν)."""
    if hi - lo < 2:
        return -1, -math.inf
    span = d[hi] - d[lo]
    best = -1
    best_nu = -math.inf
    for i in range(lo + 1, hi):
        x = d[i]
        d1 = x - d[lo]
        d2 = d[hi] - x
        h = he[i] - (z_lo + (z_hi - z_lo) * d1 / span)
        nu = h * math.sqrt(2.0 * span / (lam * d1 * d2))
        if best < 0 or nu > best_nu:  # np.argmax: the first of equal maxima
            best = i
            best_nu = nu
    return best, best_nu


@njit(nogil=True, cache=True)
def _p2p_j(nu):
    """:func:`knife_edge_loss` of one ν."""
    x = nu - 0.1
    j = 6.9 + 20.0 * math.log10(math.sqrt(x * x + 1.0) + x)
    return j if nu > -0.78 else 0.0


@njit(nogil=True, cache=True)
def _p2p_kernel(dem, ra, ca, rows, cols, cs, h_tx, h_rx, lam, inv, f20, model, hata_a, hata_b,
                veg_g, veg_am, veg_h, out):
    """Loss from cell (ra, ca) to each cell (rows[i], cols[i]) into ``out``: :func:`line_profile` then
    :func:`profile_loss`, operation for operation (no fastmath: the same IEEE results as numpy's, which
    calls the same libm for log10/exp). Returns the index of the first pair whose profile holds a NaN
    (``out`` is then incomplete), or −1."""
    nr, nc = dem.shape
    nmax = 1
    for i in range(rows.size):
        nmax = max(nmax, abs(rows[i] - ra), abs(cols[i] - ca))
    d = np.empty(nmax + 1)  # scratch profile, reused by every pair
    he = np.empty(nmax + 1)
    for i in range(rows.size):
        dr = rows[i] - ra
        dc = cols[i] - ca
        n = max(abs(dr), abs(dc))
        if n == 0:  # the transmitter's own cell: free space over half a cell (the sweep's convention)
            out[i] = 20.0 * math.log10(0.5 * cs) + f20 - 27.552
            continue
        hyp = math.sqrt(float(dr * dr + dc * dc))  # = math.hypot for integers (exact sum, correctly rounded)
        for s in range(n + 1):
            u = float(s)
            if abs(dc) >= abs(dr):  # columns are the major axis: interpolate along rows
                rr = ra + dr * u / n
                r0 = int(math.floor(rr))
                w = rr - r0
                r1 = min(r0 + 1, nr - 1)
                ci = int(np.rint(ca + dc * u / n))
                z = float(dem[r0, ci]) * (1 - w) + float(dem[r1, ci]) * w
            else:
                cc = ca + dc * u / n
                c0 = int(math.floor(cc))
                w = cc - c0
                c1 = min(c0 + 1, nc - 1)
                ri = int(np.rint(ra + dr * u / n))
                z = float(dem[ri, c0]) * (1 - w) + float(dem[ri, c1]) * w
            if not math.isfinite(z):
                return i
            x = u / n * hyp * cs
            d[s] = x
            he[s] = z - x * x * inv
        D = d[n]
        loss = 20.0 * math.log10(D) + f20 - 27.552
        if model == 0:  # profile_loss: free space has no vegetation term
            out[i] = loss
            continue
        z_tx = he[0] + h_tx
        z_rx = he[n] + h_rx
        p, nu_p = _p2p_edge(d, he, 0, n, z_tx, z_rx, lam)
        jp = _p2p_j(nu_p) if p >= 0 else 0.0
        src_x = 0.0
        src_z = z_tx
        if p >= 0 and nu_p > 0.0:
            src_x = d[p]
            src_z = he[p]
        if model >= 3:
            hl = hata_a + hata_b * math.log10(D / 1000.0)
            loss = (hl if hl > loss else loss) + jp  # max(loss, hl): loss on a tie
        elif model == 1:
            loss += jp
        else:  # deygout_loss, then the vegetation source of profile_loss
            diff = 0.0
            r = -1
            nu_r = -math.inf
            if p >= 0:
                diff = jp
                if jp > 0.0:
                    _t, nu_t = _p2p_edge(d, he, 0, p, z_tx, he[p], lam)
                    r, nu_r = _p2p_edge(d, he, p, n, he[p], z_rx, lam)
                    jt = _p2p_j(nu_t) if nu_t > -math.inf else 0.0
                    jr = _p2p_j(nu_r) if nu_r > -math.inf else 0.0
                    diff = jp + jt + jr
            loss += diff
            if p >= 0 and jp > 0.0 and nu_p > 0.0 and r >= 0 and nu_r > -0.78:
                src_x = d[r]
                src_z = he[r]
        g = veg_g[i]
        if g > 0.0:  # canopy_length, vegetation_loss
            seg = D - src_x
            desc = (src_z - z_rx) / seg if seg > 0 else 0.0
            canopy = veg_h[i]
            length = 0.0
            if not (h_rx >= canopy or seg <= 0.0):
                length = seg
                if desc > 0.0:
                    x_in = (canopy - h_rx) / desc
                    length = x_in if x_in < seg else seg
            d_km = length / 1000.0
            am = veg_am[i]
            loss += am * (1.0 - math.exp(-g * d_km / am)) if am > 0.0 else g * d_km
        out[i] = loss
    return -1


def point_to_point_losses(dem, a_row, a_col, b_rows, b_cols, *, a_height_m, b_height_m, frequency_mhz, cellsize,
                          model="deygout", k=4 / 3, environment="rural", vegetation_db_per_km=0.0,
                          vegetation_max_db=0.0, vegetation_height_m=15.0) -> np.ndarray:
    """:func:`point_to_point_loss` from one cell A to many cells B, compiled: a few µs per B on the sample
    (100–170-cell profiles) against 0.15–0.25 ms per :func:`point_to_point_loss` call.

    Same values as calling :func:`point_to_point_loss` per pair (the tests hold it to 1e-9 dB; it is
    bit-for-bit on the tests' terrains). ``b_rows``/``b_cols``: 1-D, same length; the vegetation parameters
    may be scalars or one value per B (e.g. each station cell's land cover). A B on A's own cell gets free
    space over half a cell (as the sweep's own cell; :func:`point_to_point_loss` refuses it). Raises
    :class:`AnalysisError` as :func:`point_to_point_loss` does: a cell outside the DEM or on nodata, a profile
    crossing nodata (naming the first such B), bad parameters.
    """
    from analysis.viewshed import _check_cell, _check_dem, _finite

    if model not in MODELS:
        raise AnalysisError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    arr = _check_dem(dem)
    ra, ca = _check_cell(arr, a_row, a_col, "point A")
    cs = _finite("cellsize", cellsize, lo=0.0, lo_open=True)
    f = _finite("frequency_mhz", frequency_mhz, lo=0.0, lo_open=True)
    h_tx = _finite("a_height_m", a_height_m)
    h_rx = _finite("b_height_m", b_height_m)
    kk = float(k)
    if not kk > 0:
        raise AnalysisError(f"k must be > 0, got {k}")
    inv = 0.0 if math.isinf(kk) else 1.0 / (2.0 * kk * EARTH_RADIUS_M)
    br = np.asarray(b_rows)
    bc = np.asarray(b_cols)
    if br.ndim != 1 or br.shape != bc.shape:
        raise AnalysisError(f"b_rows and b_cols must be 1-D of the same length (got {br.shape} and {bc.shape})")
    if br.dtype.kind in "iu" and bc.dtype.kind in "iu":  # cell indices already (the pipeline's case)
        rows = br.astype(np.int64)  # a copy or a new array: the kernel only reads it anyway
        cols = bc.astype(np.int64)
    else:
        br, bc = br.astype(float), bc.astype(float)
        if not (np.all(np.isfinite(br)) and np.all(np.isfinite(bc))):
            raise AnalysisError("point B rows/cols must be finite")
        rows = np.floor(br + 0.5).astype(np.int64)  # nearest cell, as _check_cell
        cols = np.floor(bc + 0.5).astype(np.int64)
    nr, nc = arr.shape
    outside = (rows < 0) | (rows >= nr) | (cols < 0) | (cols >= nc)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise AnalysisError(f"point B cell (row {b_rows[i]}, col {b_cols[i]}) is outside the DEM (shape {nr}×{nc})")
    veg = [np.full(br.shape, float(v)) if np.ndim(v) == 0
           else np.ascontiguousarray(np.broadcast_to(np.asarray(v, dtype=float), br.shape))
           for v in (vegetation_db_per_km, vegetation_max_db, vegetation_height_m)]
    code = model_code(model)
    hata_a = hata_b = 0.0
    if code >= 3:
        hata_a, hata_b = hata_constants(f, max(h_tx, h_rx), min(h_tx, h_rx), environment, cost231=(code == 4))
    out = np.empty(br.shape)
    bad = _p2p_kernel(arr, ra, ca, rows, cols, cs, h_tx, h_rx, wavelength_m(f), inv, 20.0 * math.log10(f), code,
                      hata_a, hata_b, veg[0], veg[1], veg[2], out)
    if bad >= 0:
        raise AnalysisError(f"the profile between A and B (row {rows[bad]}, col {cols[bad]}) crosses nodata cells; "
                            "fill the DEM voids first")
    return out
