"""Viewshed of one observer on a DEM grid.

:func:`viewshed` is an R2 radial sweep (Franklin & Ray): one ray to every perimeter cell of the
radius window, terrain linearly interpolated where the ray crosses the grid lines through cell
centres, a running maximum of the elevation angle along the ray. Each cell is decided by the single
ray passing closest to its centre (see :mod:`analysis._profile`), compiled with numba
(``nogil``, parallel over rays). :func:`viewshed_r3` is the slow exact R3 reference: one line of sight
per target, checked against every crossing with both row and column centre lines.

Conventions (both functions):

* heights are above ground; the observer's eye is at ``dem[row, col] + observer_height``, a target at
  ``dem[r, c] + target_height`` (its cell centre);
* earth curvature with effective radius ``k·R`` (R = 6371 km): a point at distance d is lowered by
  ``d² / (2kR)`` (``k = inf`` for a flat earth). GDAL's ``-cc`` equals ``1/k``;
* a target is visible when its elevation angle is at least the largest angle of the terrain strictly
  between (grazing counts as visible);
* output ``uint8``, shape of ``dem``: 1 visible, 0 hidden, 255 outside ``max_distance`` (cell centre
  distance), outside the optional sector, or nodata (NaN) cells. The observer cell is 1.
* ``sector=(start_deg, end_deg)``: azimuths clockwise from grid north, the sector running clockwise
  from start to end (``(300, 60)`` spans north). Cells outside are 255.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

from analysis import AnalysisError
from analysis._intrinsics import prefetch
from analysis._profile import EARTH_RADIUS_M, PREFETCH_CELLS, PREFETCH_ROWS, block_of, cell_offset, ray_blocks

# numba: a subscript cast to unsigned compiles without the negative-index wraparound code
U64 = np.uint64

VISIBLE = 1
HIDDEN = 0
OUTSIDE = 255


# --------------------------------------------------------------------------------------------------------
# validation shared by viewshed, viewshed_r3 and the link budget
# --------------------------------------------------------------------------------------------------------
def _finite(name, value, *, lo=None, hi=None, lo_open=False, allow_inf=False):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise AnalysisError(f"{name} must be finite, got {value!r}")
    if lo is not None and (v < lo or (lo_open and v <= lo)):
        op = ">" if lo_open else "≥"
        raise AnalysisError(f"{name} must be {op} {lo}, got {v}")
    if hi is not None and v > hi:
        raise AnalysisError(f"{name} must be ≤ {hi}, got {v}")
    return v


def _check_dem(dem) -> np.ndarray:
    arr = np.asarray(dem)
    if arr.ndim != 2:
        raise AnalysisError(f"dem must be a 2-D array (rows, cols), got shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise AnalysisError(f"dem is empty (shape {arr.shape})")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise AnalysisError(f"dem must hold numbers, got dtype {arr.dtype}")
    # float32 C-contiguous view when possible (no copy for the project's DEMs); never written to
    return np.ascontiguousarray(arr, dtype=np.float32)


def _check_cell(dem: np.ndarray, row, col, what="observer") -> tuple[int, int]:
    """Cell index of a (possibly fractional, centre-referenced) row/col: nearest cell."""
    r = _finite(f"{what} row", row)
    c = _finite(f"{what} col", col)
    ri = int(math.floor(r + 0.5))
    ci = int(math.floor(c + 0.5))
    nr, nc = dem.shape
    if not (0 <= ri < nr and 0 <= ci < nc):
        raise AnalysisError(
            f"{what} cell (row {row}, col {col}) is outside the DEM (shape {nr}×{nc}); "
            "check the coordinates are in the DEM's CRS and inside its extent"
        )
    if not math.isfinite(float(dem[ri, ci])):
        raise AnalysisError(f"{what} cell (row {ri}, col {ci}) is nodata in the DEM; move it onto valid terrain")
    return ri, ci


def _inv_2kr(k) -> float:
    kk = _finite("k (effective earth radius factor)", k, lo=0.0, lo_open=True, allow_inf=True)
    return 0.0 if math.isinf(kk) else 1.0 / (2.0 * kk * EARTH_RADIUS_M)


def _check_sector(sector):
    if sector is None:
        return False, 0.0, 360.0
    try:
        a, b = sector
    except (TypeError, ValueError):
        raise AnalysisError(f"sector must be (start_deg, end_deg) or None, got {sector!r}") from None
    a = _finite("sector start azimuth", a) % 360.0
    b = _finite("sector end azimuth", b) % 360.0
    span = (b - a) % 360.0
    if span == 0.0:
        return False, 0.0, 360.0  # full circle
    return True, a, span


def _common(dem, row, col, cellsize, observer_height, target_height, max_distance, k, sector):
    arr = _check_dem(dem)
    cs = _finite("cellsize", cellsize, lo=0.0, lo_open=True)
    hobs = _finite("observer_height", observer_height)
    htgt = _finite("target_height", target_height)
    maxd = _finite("max_distance", max_distance, lo=0.0, lo_open=True)
    inv = _inv_2kr(k)
    use_sector, s0, span = _check_sector(sector)
    r0, c0 = _check_cell(arr, row, col)
    return arr, r0, c0, cs, hobs, htgt, maxd / cs, inv, use_sector, s0, span


# --------------------------------------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------------------------------------
@njit(nogil=True, cache=True, inline="always")
def _in_sector(dr, dc, s0, span):
    az = math.degrees(math.atan2(dc, -dr)) % 360.0
    return (az - s0) % 360.0 <= span


@njit(nogil=True, cache=True, parallel=True, fastmath={"contract"})  # FMA only: no NaN/inf assumptions
def _r2_kernel(dem, r0, c0, cs, hobs, htgt, rad_cells, inv2kr, use_sector, s0, span, out):
    # Performance notes (measured, see benchmarks/bench_radio.py): flat indexing with precomputed strides,
    # every index cast to unsigned at the subscript (numba then emits no negative-index wraparound code:
    # ~25 % fewer instructions in the inner loops), truncation instead of floor on non-negative offsets, a
    # clamp-free ray advance when all of a step's crossings are strictly inside the DEM, guard rays on both
    # sides of the block so that the horizon lookup needs no clamping, a branch-free running maximum, and
    # fused multiply-add (fastmath 'contract' only, NaN semantics kept), and software prefetch of the
    # terrain a ray will cross a few steps ahead (east/west rays walk down columns: every row is its own
    # cache line, a pattern the hardware prefetchers miss; ~25 % on those sides).
    nr, nc = dem.shape
    R = int(math.floor(rad_cells))
    if R < 1:
        return
    flat = dem.ravel()  # C-contiguous: views, no copies
    oflat = out.ravel()
    rad2 = rad_cells * rad_cells
    zobs = float(dem[r0, c0]) + hobs
    cs2 = cs * cs
    base0 = r0 * nc + c0
    nblocks = ray_blocks(R)
    for blk in prange(nblocks):
        side, k_lo, nb = block_of(blk, R)
        k_hi = k_lo + nb - 1
        # (row, col) = (r0 + a*i + b*m, c0 + e*i + f*m) for major offset i and minor offset m
        a, e = cell_offset(side, 1, 0)
        b, f = cell_offset(side, 0, 1)
        # minor offsets allowed by the grid: r0 + a*i + b*m in [0, nr), c0 + e*i + f*m in [0, nc)
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
        # the block's rays k_lo..k_hi plus a guard ray each side (k_lo - 1 and k_hi + 1, computed twice, by
        # this block and its neighbour; beyond a side's end it is a ray just past the diagonal): every owned
        # cell has the two rays that bracket its centre. Ray v is k = k_lo - 1 + v.
        nq = nb + 2
        maxs = np.full(nq, -1e30)  # running max of the elevation-angle tangent
        tq = np.empty(nq)
        inv_sl = np.empty(nq)  # 1 / step length
        curv = np.empty(nq)  # (step length)² / (2kR): curvature drop at step i is i²·curv
        for v in range(nq):
            t = (k_lo - 1 + v) / R
            tq[v] = t
            sl = cs * math.sqrt(1.0 + t * t)
            inv_sl[v] = 1.0 / sl
            curv[v] = sl * sl * inv2kr
        # beyond the radius along the block's straightest ray nothing is needed
        tmin = 0.0 if k_lo - 1 <= 0 <= k_hi + 1 else min(abs(k_lo - 1), abs(k_hi + 1)) / R
        i_stop = min(i_max, int(rad_cells / math.sqrt(1.0 + tmin * tmin)) + 2)
        for i in range(1, i_stop + 1):
            # 1) targets at major offset i owned by this block's rays: round(j*R/i) in [k_lo, k_hi]
            j_lo = -((-(2 * k_lo - 1) * i) // (2 * R))
            j_hi = -((-(2 * k_hi + 1) * i) // (2 * R)) - 1
            if side >= 2:  # diagonal cells belong to east/west
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
            # horizon at a cell centre: interpolated between the two rays either side of it, at position
            # x = j*R/i - (k_lo - 1) in [0.5, nb + 0.5) for owned cells: no clamping needed
            rpi = R / i
            x0 = 1.0 - k_lo
            ii2 = i * i
            idx = base0 + istride * i + mstride * j_lo
            for j in range(j_lo, j_hi + 1):
                x = j * rpi + x0
                q1 = int(x)
                w = x - q1
                m1 = maxs[U64(q1)]
                hz_ = m1 + w * (maxs[U64(q1 + 1)] - m1)
                dd2 = (ii2 + j * j) * cs2
                zt = flat[U64(idx)]
                num = zt + htgt - dd2 * inv2kr - zobs
                if zt != zt:  # nodata target
                    oflat[U64(idx)] = 255
                else:
                    oflat[U64(idx)] = 1 if num >= (hz_ - 1e-12) * math.sqrt(dd2) else 0
                idx += mstride
            # 2) advance every ray of the block to its crossing with the centre line at major offset i;
            #    terrain linearly interpolated (indices clamped to the grid: at the edge the single cell)
            base = base0 + istride * i
            # prefetch distance: one cache line (16 cells) ahead along a row, two rows ahead along a column
            pd = PREFETCH_CELLS * istride if side < 2 else PREFETCH_ROWS * istride
            inv_i = 1.0 / i
            i2 = float(ii2)
            fi = float(i)
            if i * (k_lo - 1) >= m_lo * R and i * (k_hi + 2) <= (m_hi - 1) * R:
                # every crossing and its right neighbour inside the grid: no clamping
                for v in range(nq):
                    mp = fi * tq[v] + fi  # minor offset + i ≥ 0: truncation is floor
                    fa = int(mp)
                    w = mp - fa
                    ia = base + mstride * (fa - i)
                    za = flat[U64(ia)]
                    z = za + w * (flat[U64(ia + mstride)] - za)
                    prefetch(flat, U64(ia + pd))  # a hint only: never faults, changes no result
                    s = (z - i2 * curv[v] - zobs) * (inv_i * inv_sl[v])
                    mq = maxs[v]
                    maxs[v] = s if s > mq else mq  # False for NaN (nodata): the horizon is unchanged
            else:
                for v in range(nq):
                    m = fi * tq[v]
                    fmf = math.floor(m)
                    w = m - fmf
                    fa = int(fmf)
                    ia = min(max(fa, m_lo), m_hi)
                    ib = min(max(fa + 1, m_lo), m_hi)
                    za = flat[U64(base + mstride * ia)]
                    zb = flat[U64(base + mstride * ib)]
                    z = za + w * (zb - za)
                    s = (z - i2 * curv[v] - zobs) * (inv_i * inv_sl[v])
                    if s > maxs[v]:
                        maxs[v] = s


@njit(nogil=True, cache=True, inline="always")
def _interp_line(dem, fixed, frac, along_rows):
    """Terrain on the centre line ``fixed`` (a column if along_rows else a row) at fractional position."""
    nr, nc = dem.shape
    f = math.floor(frac)
    w = frac - f
    a = int(f)
    if along_rows:  # fixed column, fractional row
        za = dem[a, fixed] if 0 <= a < nr else math.nan
        if w == 0.0:
            return za
        zb = dem[a + 1, fixed] if 0 <= a + 1 < nr else math.nan
    else:
        za = dem[fixed, a] if 0 <= a < nc else math.nan
        if w == 0.0:
            return za
        zb = dem[fixed, a + 1] if 0 <= a + 1 < nc else math.nan
    if za != za:
        return zb
    if zb != zb:
        return za
    return za + w * (zb - za)


@njit(nogil=True, cache=True, parallel=True)
def _r3_kernel(dem, r0, c0, cs, hobs, htgt, rad_cells, inv2kr, use_sector, s0, span, out):
    nr, nc = dem.shape
    R = int(math.floor(rad_cells))
    rad2 = rad_cells * rad_cells
    zobs = dem[r0, c0] + hobs
    rlo = max(0, r0 - R)
    rhi = min(nr - 1, r0 + R)
    for r in prange(rlo, rhi + 1):
        dr = r - r0
        for c in range(max(0, c0 - R), min(nc - 1, c0 + R) + 1):
            dc = c - c0
            dist2 = dr * dr + dc * dc
            if dist2 == 0 or dist2 > rad2:
                continue
            zt = dem[r, c]
            if zt != zt:
                continue
            if use_sector and not _in_sector(dr, dc, s0, span):
                continue
            dd = math.sqrt(dist2) * cs
            st = (zt + htgt - dd * dd * inv2kr - zobs) / dd
            vis = True
            # crossings with the centre lines of the columns strictly between
            adc = abs(dc)
            sgn = 1 if dc > 0 else -1
            for u in range(1, adc):
                f = u / adc
                z = _interp_line(dem, c0 + sgn * u, r0 + dr * f, True)
                if z == z:
                    d = f * dd
                    if (z - d * d * inv2kr - zobs) / d > st + 1e-12:
                        vis = False
                        break
            if vis:
                adr = abs(dr)
                sgn = 1 if dr > 0 else -1
                for u in range(1, adr):
                    f = u / adr
                    z = _interp_line(dem, r0 + sgn * u, c0 + dc * f, False)
                    if z == z:
                        d = f * dd
                        if (z - d * d * inv2kr - zobs) / d > st + 1e-12:
                            vis = False
                            break
            out[r, c] = 1 if vis else 0


def _finish(arr, out, r0, c0, rad, use_sector, s0, span):
    """Observer cell visible; cells outside the sector 255 (window only). Nodata targets are 255 from the kernel."""
    R = int(math.floor(rad))
    rs = slice(max(0, r0 - R), min(arr.shape[0], r0 + R + 1))
    cs_ = slice(max(0, c0 - R), min(arr.shape[1], c0 + R + 1))
    ow = out[rs, cs_]
    if use_sector:
        rr, cc = np.ogrid[rs, cs_]
        az = np.degrees(np.arctan2(cc - c0, -(rr - r0))) % 360.0
        ow[(az - s0) % 360.0 > span] = OUTSIDE
    out[r0, c0] = VISIBLE


# --------------------------------------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------------------------------------
def viewshed(dem, row, col, *, cellsize, observer_height, target_height=0.0, max_distance, k=4 / 3,
             sector=None) -> np.ndarray:
    """Visibility of every cell from an observer at cell (row, col): R2 radial sweep (fast).

    ``row``/``col`` are cell indices (fractional, centre-referenced values as returned by
    ``Grid.rowcol`` are rounded to the nearest cell). ``cellsize`` and distances in metres; heights in
    metres above ground. Returns ``uint8`` of ``dem.shape``: 1 visible, 0 hidden, 255 outside
    ``max_distance``/sector or nodata. ``dem`` is not modified. Raises :class:`AnalysisError` for bad
    arguments. Thread-safe and releases the GIL.
    """
    arr, r0, c0, cs, hobs, htgt, rad, inv, use_sector, s0, span = _common(
        dem, row, col, cellsize, observer_height, target_height, max_distance, k, sector)
    out = np.full(arr.shape, OUTSIDE, dtype=np.uint8)
    with numba.parallel_chunksize(1):  # blocks handed out one by one: robust when cores are shared
        _r2_kernel(arr, r0, c0, cs, hobs, htgt, rad, inv, use_sector, s0, span, out)
    _finish(arr, out, r0, c0, rad, use_sector, s0, span)
    return out


def viewshed_r3(dem, row, col, *, cellsize, observer_height, target_height=0.0, max_distance, k=4 / 3,
                sector=None) -> np.ndarray:
    """Exact R3 viewshed (reference oracle, O(n) per cell): same arguments and output as :func:`viewshed`.

    For every target the line of sight is checked at every crossing with the row and column lines
    through cell centres, terrain linearly interpolated between the two cells either side.
    """
    arr, r0, c0, cs, hobs, htgt, rad, inv, use_sector, s0, span = _common(
        dem, row, col, cellsize, observer_height, target_height, max_distance, k, sector)
    out = np.full(arr.shape, OUTSIDE, dtype=np.uint8)
    _r3_kernel(arr, r0, c0, cs, hobs, htgt, rad, inv, use_sector, s0, span, out)
    out[r0, c0] = VISIBLE
    return out
