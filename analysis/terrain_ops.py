"""Terrain derivatives and candidate-site masks (pure numpy/numba/scipy.ndimage).

Rasters follow the project convention: row 0 = north, square cells of ``cellsize`` metres, x east, y north.

* :func:`slope_deg` and :func:`hillshade` use Horn's (1981) 3×3 finite differences, as ``gdaldem`` does; edge
  cells use a ring extrapolated linearly from the border (``2·z_edge − z_inner``), exact on planes (the
  outermost ring may differ slightly from ``gdaldem -compute_edges``).
* :func:`hillshade` is Lambertian: ``255 · max(0, n · s)`` with ``n`` the unit surface normal and ``s`` the unit
  vector towards the sun (azimuth clockwise from north, altitude above the horizon). A flat surface gives
  ``255 · sin(altitude)``. (GDAL scales to ``1 + 254 · cos`` and reserves 0 for nodata.)
* :func:`candidate_mask` keeps cells where a mobile base station may park: valid terrain, slope limit, within a
  distance of a road / commune centre; then thins them to at most one per ``spacing_cells × spacing_cells``
  block, keeping the *highest* eligible cell of each block (a mast on the local high point sees the most), so a
  block that holds any eligible cell always keeps one — unlike a fixed lattice, a narrow road corridor is not
  lost between lattice points.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy import ndimage

from analysis import AnalysisError

__all__ = [
    "slope_deg",
    "hillshade",
    "distance_to_mask",
    "distance_mask",
    "thin_candidates",
    "candidate_mask",
]


def _check_dem(dem, cellsize) -> tuple[np.ndarray, float]:
    z = np.asarray(dem, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] < 1 or z.shape[1] < 1:
        raise AnalysisError(f"dem must be a non-empty 2-D array, got shape {z.shape}")
    cs = float(cellsize)
    if not np.isfinite(cs) or cs <= 0:
        raise AnalysisError(f"cellsize must be a positive number of metres, got {cellsize!r}")
    return z, cs


def _horn(z: np.ndarray, cs: float) -> tuple[np.ndarray, np.ndarray]:
    """dz/dx (east) and dz/dy (north) by Horn's method with linearly extrapolated edges."""
    if min(z.shape) >= 2:
        p = np.pad(z, 1, mode="reflect", reflect_type="odd")  # linear extrapolation: exact on planes
    else:
        p = np.pad(z, 1, mode="edge")
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * cs)
    # rows increase southwards: north-minus-south difference gives dz/dy with y north
    dzdy = ((a + 2 * b + c) - (g + 2 * h + i)) / (8.0 * cs)
    return dzdx, dzdy


def slope_deg(dem, cellsize: float) -> np.ndarray:
    """Slope in degrees (float32), Horn's method, border cells by linear extrapolation."""
    z, cs = _check_dem(dem, cellsize)
    dzdx, dzdy = _horn(z, cs)
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy))).astype(np.float32)


def hillshade(dem, cellsize: float, azimuth: float = 315.0, altitude: float = 45.0, z_factor: float = 1.0):
    """Lambertian hillshade (uint8, 0 = full shadow, 255 = facing the sun)."""
    z, cs = _check_dem(dem, cellsize)
    if not (0.0 <= float(altitude) <= 90.0):
        raise AnalysisError(f"altitude must be in 0..90 degrees, got {altitude}")
    dzdx, dzdy = _horn(z * float(z_factor), cs)
    az = np.radians(float(azimuth))
    alt = np.radians(float(altitude))
    sx, sy, sz = np.sin(az) * np.cos(alt), np.cos(az) * np.cos(alt), np.sin(alt)
    norm = np.sqrt(dzdx * dzdx + dzdy * dzdy + 1.0)
    cosi = (-dzdx * sx - dzdy * sy + sz) / norm
    return np.clip(np.round(255.0 * np.maximum(cosi, 0.0)), 0, 255).astype(np.uint8)


def distance_to_mask(mask, cellsize: float) -> np.ndarray:
    """Euclidean distance (m, float32) from each cell centre to the nearest True cell (0 on the mask).

    An all-False mask gives ``inf`` everywhere.
    """
    m = np.asarray(mask, dtype=bool)
    if m.ndim != 2:
        raise AnalysisError(f"mask must be 2-D, got shape {m.shape}")
    cs = float(cellsize)
    if not np.isfinite(cs) or cs <= 0:
        raise AnalysisError(f"cellsize must be a positive number of metres, got {cellsize!r}")
    if not m.any():
        return np.full(m.shape, np.inf, dtype=np.float32)
    return (ndimage.distance_transform_edt(~m) * cs).astype(np.float32)


def distance_mask(shape, rows, cols, cellsize: float, max_distance_m: float) -> np.ndarray:
    """True where a cell centre lies within ``max_distance_m`` of any of the cells ``(rows[i], cols[i])``.

    Points outside the raster are ignored (their distance is not propagated inside).
    """
    nr, nc = int(shape[0]), int(shape[1])
    r = np.asarray(rows, dtype=np.int64).ravel()
    c = np.asarray(cols, dtype=np.int64).ravel()
    if r.shape != c.shape:
        raise AnalysisError(f"rows ({r.size}) and cols ({c.size}) must have the same length")
    if not np.isfinite(max_distance_m) or max_distance_m < 0:
        raise AnalysisError(f"max_distance_m must be >= 0, got {max_distance_m}")
    inside = (r >= 0) & (r < nr) & (c >= 0) & (c < nc)
    m = np.zeros((nr, nc), dtype=bool)
    m[r[inside], c[inside]] = True
    return distance_to_mask(m, cellsize) <= max_distance_m


@njit(nogil=True, cache=True)
def _thin(mask, dem, spacing):
    nr, nc = mask.shape
    out = np.zeros_like(mask)
    for br in range(0, nr, spacing):
        for bc in range(0, nc, spacing):
            best_r = -1
            best_c = -1
            best_z = -np.inf
            for r in range(br, min(br + spacing, nr)):
                for c in range(bc, min(bc + spacing, nc)):
                    if mask[r, c] and (best_r < 0 or dem[r, c] > best_z):
                        best_r = r
                        best_c = c
                        best_z = dem[r, c]
            if best_r >= 0:
                out[best_r, best_c] = True
    return out


def thin_candidates(mask, dem, spacing_cells: int) -> np.ndarray:
    """Keep at most one True cell per ``spacing_cells``² block (blocks aligned at row/col 0): the highest one.

    Ties keep the first cell in raster order. ``spacing_cells = 1`` returns a copy of ``mask``.
    """
    m = np.asarray(mask, dtype=bool)
    z = np.asarray(dem, dtype=np.float64)
    if m.shape != z.shape or m.ndim != 2:
        raise AnalysisError(f"mask shape {m.shape} differs from dem shape {z.shape}")
    s = int(spacing_cells)
    if s != spacing_cells or s < 1:
        raise AnalysisError(f"spacing_cells must be a positive integer, got {spacing_cells!r}")
    if s == 1:
        return m.copy()
    return _thin(np.ascontiguousarray(m), np.ascontiguousarray(z), s)


def candidate_mask(
    dem,
    cellsize: float,
    *,
    max_slope_deg: float | None = None,
    near_mask=None,
    max_distance_m: float | None = None,
    valid_mask=None,
    spacing_cells: int = 1,
) -> np.ndarray:
    """Cells allowed as mobile-site candidates (bool), thinned to one per block.

    A cell qualifies when its elevation is finite, it is inside ``valid_mask`` (if given), its slope is at most
    ``max_slope_deg`` (if given) and, when ``near_mask`` is given (rasterised roads and commune centres), its
    centre is within ``max_distance_m`` of a True cell of ``near_mask``. Then :func:`thin_candidates`.
    """
    z, cs = _check_dem(dem, cellsize)
    ok = np.isfinite(z)
    if valid_mask is not None:
        vm = np.asarray(valid_mask, dtype=bool)
        if vm.shape != z.shape:
            raise AnalysisError(f"valid_mask shape {vm.shape} differs from dem shape {z.shape}")
        ok &= vm
    if max_slope_deg is not None:
        if not (0 <= float(max_slope_deg) <= 90):
            raise AnalysisError(f"max_slope_deg must be in 0..90, got {max_slope_deg}")
        zf = np.where(np.isfinite(z), z, np.nanmean(z) if np.isfinite(z).any() else 0.0)
        ok &= slope_deg(zf, cs) <= float(max_slope_deg)
    if near_mask is not None:
        nm = np.asarray(near_mask, dtype=bool)
        if nm.shape != z.shape:
            raise AnalysisError(f"near_mask shape {nm.shape} differs from dem shape {z.shape}")
        if max_distance_m is None or not np.isfinite(max_distance_m) or max_distance_m < 0:
            raise AnalysisError(
                f"max_distance_m must be a distance >= 0 in metres when near_mask is given, got {max_distance_m!r}"
                " (set [placement] candidate_max_distance_m)"
            )
        ok &= distance_to_mask(nm, cs) <= float(max_distance_m)
    zt = np.where(np.isfinite(z), z, -np.inf)
    return thin_candidates(ok, zt, spacing_cells)
