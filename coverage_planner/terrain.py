"""Terrain: read a DEM (GeoTIFF, SRTM ``.hgt`` tiles, ESRI ASCII grid; any CRS), put it on the analysis grid.

The analysis grid is metric and north-up: the UTM zone of the data's centre unless the project names a CRS
(EPSG:32648 for Điện Biên), at the project's resolution. The DEM is resampled bilinearly
(``rasterio.warp.reproject``). Voids (nodata, or values below −1000 m, which no land on Earth has) are filled:
first by inverse-distance interpolation from the void's edge (GDAL ``FillNodata``), then any remainder with the
nearest valid cell. The result never contains NaN; how many cells were filled is reported.
Cells of the grid that the source raster does not cover at all (e.g. the corners of a lon/lat tile in UTM) are
filled the same way but counted separately and marked in ``Terrain.covered`` so that points there are reported
as outside the terrain rather than analysed on invented heights.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coverage_planner.errors import CRSError, RasterError
from coverage_planner.results import Grid

#: Elevations below this are treated as voids (e.g. −9999 or −32768 without a nodata tag).
MIN_VALID_ELEVATION = -1000.0
MAX_VALID_ELEVATION = 9000.0

Progress = Callable[[float, str], None]


@dataclass
class Terrain:
    """A DEM on the analysis grid.

    ``dem`` float32 (rows, cols), north-up, no NaN. ``covered`` is True where the source raster has data
    coverage (voids inside the coverage are filled and count in ``void_count``; cells outside it count in
    ``outside_count``). ``filled`` marks every cell whose height was interpolated.
    """

    dem: np.ndarray
    grid: Grid
    void_count: int
    void_filled: bool
    source: str
    covered: np.ndarray
    filled: np.ndarray
    outside_count: int = 0
    source_crs: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def crs(self) -> str:
        return self.grid.crs

    @property
    def cellsize(self) -> float:
        return self.grid.cellsize

    def cell_index(self, x, y):
        """Integer (row, col) of the cells holding map points x, y (may be outside the grid)."""
        r, c = self.grid.rowcol(x, y)
        return np.floor(np.asarray(r) + 0.5).astype(np.int64), np.floor(np.asarray(c) + 0.5).astype(np.int64)

    def contains(self, x, y) -> np.ndarray:
        """True where (x, y) lies inside the grid and on a cell the source raster covers."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        xmin, ymin, xmax, ymax = self.grid.bounds
        inside = (x >= xmin) & (x < xmax) & (y > ymin) & (y <= ymax) & np.isfinite(x) & np.isfinite(y)
        out = np.zeros(x.shape, dtype=bool)
        if inside.any():
            r, c = self.cell_index(x[inside], y[inside])
            rows, cols = self.grid.shape
            r = np.clip(r, 0, rows - 1)
            c = np.clip(c, 0, cols - 1)
            out[inside] = self.covered[r, c]
        return out

    def elevation_at(self, x, y) -> np.ndarray:
        """DEM height of the cells containing (x, y); NaN outside the grid."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        r, c = self.cell_index(x, y)
        rows, cols = self.grid.shape
        ok = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        out = np.full(x.shape, np.nan, dtype=np.float64)
        out[ok] = self.dem[r[ok], c[ok]]
        return out

    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        from pyproj import Transformer

        t = Transformer.from_crs(self.grid.crs, "EPSG:4326", always_xy=True)
        return tuple(t.transform_bounds(*self.grid.bounds))

    def summary(self) -> dict:
        return {
            "shape": self.grid.shape,
            "cellsize_m": self.grid.cellsize,
            "crs": self.grid.crs,
            "min_m": float(self.dem.min()),
            "max_m": float(self.dem.max()),
            "void_count": self.void_count,
            "outside_count": self.outside_count,
            "source": self.source,
        }


def utm_crs_for_lonlat(lon: float, lat: float) -> str:
    """EPSG code string of the WGS 84 UTM zone containing (lon, lat): 326zz north, 327zz south."""
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise CRSError(
            f"cannot choose a UTM zone for lon={lon}, lat={lat}: not valid WGS 84 degrees",
            hint="check the data CRS; lon must be within ±180 and lat within ±90",
        )
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def resolve_analysis_crs(crs: str, lon: float, lat: float) -> str:
    """``crs`` itself, or for ``"auto"`` the UTM zone of (lon, lat)."""
    if crs is None or str(crs).lower() == "auto":
        return utm_crs_for_lonlat(lon, lat)
    return str(crs)


def check_raster_crs_fits(path, src_crs, bounds, *, project_crs: str | None = None, what: str = "terrain") -> None:
    """Refuse a raster whose extent cannot be in its CRS: a degree CRS with bounds beyond ±180/±90, i.e. metre
    coordinates labelled WGS 84 (``gdal_translate -a_srs EPSG:4326`` on a UTM DEM). Without this check such a
    DEM only "does not overlap the area of the inputs", which says nothing of the cause.

    ``bounds`` = (west, south, east, north) in ``src_crs``. When the project names a projected CRS in which the
    extent is a valid place, the message says where the raster would lie in it (the likely real CRS).
    """
    from pyproj import CRS, Transformer

    if src_crs is None:
        return
    crs = CRS.from_user_input(src_crs)
    w, s, e, n = (float(v) for v in bounds)
    if not crs.is_geographic or (max(abs(w), abs(e)) <= 181.0 and max(abs(s), abs(n)) <= 91.0):
        return  # 1° of slack: a global DEM's edge cells may reach a little past ±180

    def f(v):
        return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.6g}"

    where = ""
    real, real_name = "EPSG:32648", "WGS 84 / UTM zone 48N"
    if project_crs and str(project_crs).lower() != "auto":
        try:
            pcrs = CRS.from_user_input(project_crs)
            if pcrs.is_projected:
                real, real_name = str(project_crs), pcrs.name
                lw, ls, le, ln = Transformer.from_crs(pcrs, "EPSG:4326", always_xy=True).transform_bounds(w, s, e, n)
                if all(math.isfinite(v) for v in (lw, ls, le, ln)) and abs(ls) <= 90 and abs(ln) <= 90:
                    where = (f"; read in the project's CRS {real} it would cover lon {lw:.3f}…{le:.3f}, "
                             f"lat {ls:.3f}…{ln:.3f}")
        except Exception:  # an invalid project CRS is reported elsewhere
            pass
    name = Path(path).name
    label = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
    raise CRSError(
        f"the {what} raster says it is in {label} (degrees) but its extent (x {f(w)} … {f(e)}, y {f(s)} … {f(n)}) "
        f"is impossible in degrees (longitude within ±180, latitude within ±90): the coordinates look like "
        f"metres and the CRS label is wrong{where}",
        path=path,
        hint=f"make a copy with its real CRS (probably the one the DEM was produced in, e.g. {real}, {real_name}, "
        f"or VN-2000 EPSG:3405): gdal_translate -a_srs {real} {name} {Path(name).stem}_fixed.tif (or QGIS: Raster > "
        "Projections > Assign Projection) and name the copy under [inputs] terrain; the original is not modified",
    )


def _tile_coverage(shape, transform, bounds) -> np.ndarray:
    """True on the cells of a mosaic (``shape``, ``transform``) that one of the tiles (their ``bounds`` in the
    mosaic's CRS) covers: the mosaic spans the tiles' bounding box, and a missing tile leaves a gap of nodata there
    that must not pass for a void inside the DEM (filled, its points analysed on invented heights)."""
    if len(bounds) == 1:
        return np.ones(shape, dtype=bool)
    out = np.zeros(shape, dtype=bool)
    for w, s, e, n in bounds:
        c0, c1 = (int(round((v - transform.c) / transform.a)) for v in (w, e))
        r0, r1 = (int(round((transform.f - v) / -transform.e)) for v in (n, s))
        out[max(r0, 0):max(r1, 0), max(c0, 0):max(c1, 0)] = True
    return out


def _describe(paths: list[Path], crs: str | None, res, unit: str = "") -> str:
    """"1 raster (dem.tif), EPSG:32648, cell 90×90 m": ``unit`` is the source cell size's unit ("m", "°")."""
    names = ", ".join(p.name for p in paths[:4]) + (f" … (+{len(paths) - 4})" if len(paths) > 4 else "")
    kind = {".hgt": "SRTM tile", ".asc": "ESRI ASCII grid"}.get(paths[0].suffix.lower(), "raster")
    plural = "s" if len(paths) > 1 else ""
    unit = "°" if unit == "°" else (f" {unit}" if unit else "")
    return f"{len(paths)} {kind}{plural} ({names}), {crs}, cell {res[0]:.6g}×{res[1]:.6g}{unit}"


def _cell_unit(crs) -> str:
    """Unit of a raster's cell size in ``crs`` (a rasterio CRS): "°", "m", or the CRS's own linear unit."""
    if crs.is_geographic:
        return "°"
    units = (crs.linear_units or "").strip().lower()
    return "m" if units in ("metre", "meter", "metres", "meters", "m") else units


def load_terrain(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    crs: str = "auto",
    resolution_m: float,
    bounds: tuple[float, float, float, float] | None = None,
    progress: Progress | None = None,
) -> Terrain:
    """Load one or several DEM files onto the analysis grid.

    ``crs``: ``"auto"`` (UTM zone of the data centre) or a metric CRS. ``resolution_m``: cell size.
    ``bounds``: optional (xmin, ymin, xmax, ymax) in the analysis CRS to restrict the grid to; by default
    the whole raster extent. ``progress(fraction, message)`` is called between steps.
    Raises :class:`RasterError` for unreadable, CRS-less or empty rasters.
    """
    from pyproj import CRS, Transformer
    from rasterio.crs import CRS as RioCRS
    from rasterio.enums import Resampling
    from rasterio.transform import array_bounds
    from rasterio.warp import reproject

    from coverage_planner.io import merge_rasters

    def report(f, msg):
        if progress is not None:
            progress(f, msg)

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise RasterError("no terrain file given", hint="set [inputs] terrain = \"dem.tif\" in the project")
    if not (resolution_m and resolution_m > 0 and math.isfinite(resolution_m)):
        raise RasterError(f"resolution_m must be a positive number, got {resolution_m!r}", field="resolution_m")

    report(0.0, f"reading {len(paths)} terrain file(s)")
    from coverage_planner.io import raster_info

    infos = []
    for p in paths:  # metadata only: a mislabelled file is named before any pixel is read
        infos.append(info := raster_info(p, what="terrain"))
        check_raster_crs_fits(p, info["crs"], info["bounds"], project_crs=crs)
    array, transform, src_crs, nodata = merge_rasters(paths, what="terrain")
    tiles = _tile_coverage(array.shape, transform, [i["bounds"] for i in infos])
    if src_crs is None:
        raise RasterError(
            "terrain raster has no CRS",
            path=paths[0],
            hint="assign its CRS in QGIS (Raster > Projections > Assign Projection) or add a .prj next to an .asc",
        )
    if array.size == 0:
        raise RasterError("terrain raster has no cells", path=paths[0])
    warnings: list[str] = []
    src = array.astype(np.float32, copy=True)
    invalid = ~np.isfinite(src)
    if nodata is not None and np.isfinite(nodata):
        invalid |= src == np.float32(nodata)
    low = ~invalid & ((src < MIN_VALID_ELEVATION) | (src > MAX_VALID_ELEVATION))
    if low.any():
        warnings.append(
            f"terrain: {int(low.sum())} source cells with heights outside "
            f"{MIN_VALID_ELEVATION:g}…{MAX_VALID_ELEVATION:g} m treated as voids (undeclared nodata?)"
        )
        invalid |= low
    if invalid.all():
        raise RasterError(
            "terrain raster contains no valid elevation (all cells are nodata)",
            path=paths[0],
            hint="use a DEM that covers the area (e.g. SRTM tiles of the province)",
        )
    src[invalid] = np.nan
    gap = int((~tiles).sum())
    if gap:
        warnings.append(
            f"terrain: the {len(paths)} tiles leave a gap that no tile covers ({100.0 * gap / tiles.size:.2g}% of "
            "the area they span: a tile missing?); points there are reported as outside the terrain"
        )
    src_rio = RioCRS.from_user_input(src_crs)
    res = (abs(transform.a), abs(transform.e))
    source = _describe(paths, src_crs, res, _cell_unit(src_rio))

    # analysis CRS
    sb = array_bounds(src.shape[0], src.shape[1], transform)  # (west, south, east, north)
    to_ll = Transformer.from_crs(CRS.from_user_input(src_crs), "EPSG:4326", always_xy=True)
    cx, cy = (sb[0] + sb[2]) / 2.0, (sb[1] + sb[3]) / 2.0
    clon, clat = to_ll.transform(cx, cy)
    dst_crs = resolve_analysis_crs(crs, clon, clat)
    dcrs = CRS.from_user_input(dst_crs)
    if not dcrs.is_projected:
        raise CRSError(
            f"analysis CRS {dst_crs} is not projected", hint='use crs = "auto" or a metric CRS such as "EPSG:32648"'
        )
    unit = dcrs.axis_info[0].unit_name if dcrs.axis_info else "metre"
    if unit not in ("metre", "meter"):
        raise CRSError(f"analysis CRS {dst_crs} has units '{unit}', not metres", hint='use crs = "auto"')

    fwd = Transformer.from_crs(CRS.from_user_input(src_crs), dcrs, always_xy=True)
    dem_bounds = fwd.transform_bounds(*sb, densify_pts=21)
    if bounds is None:
        bounds = dem_bounds
    else:  # the requested area, but no wider than the DEM
        bounds = (
            max(bounds[0], dem_bounds[0]),
            max(bounds[1], dem_bounds[1]),
            min(bounds[2], dem_bounds[2]),
            min(bounds[3], dem_bounds[3]),
        )
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    if not (xmax > xmin and ymax > ymin):
        raise RasterError(
            "the terrain does not overlap the area of the inputs",
            path=paths[0],
            hint="use DEM tiles that cover the towers, stations and communes",
        )
    cs = float(resolution_m)
    # Snap the grid to the source raster's cell corners when it is already in the analysis CRS (so a DEM at the
    # analysis resolution is used unchanged), otherwise to whole multiples of the cell size.
    same = CRS.from_user_input(src_crs).equals(dcrs)
    ax, ay = (transform.c, transform.f) if same else (0.0, 0.0)
    x0 = ax + math.floor((xmin - ax) / cs + 1e-9) * cs
    y0 = ay + math.ceil((ymax - ay) / cs - 1e-9) * cs
    cols = max(1, int(math.ceil((xmax - x0) / cs - 1e-9)))
    rows = max(1, int(math.ceil((y0 - ymin) / cs - 1e-9)))
    if rows * cols > 400_000_000:
        raise RasterError(
            f"analysis grid of {rows}×{cols} cells at {cs} m is too large",
            field="resolution_m",
            hint="increase [project] resolution_m or clip the terrain to the province",
        )
    grid = Grid(x0=x0, y0=y0, cellsize=cs, shape=(rows, cols), crs=dst_crs)

    # Crop the source to the grid (+2 source cells) so a DEM larger than the inputs costs nothing extra.
    from affine import Affine

    if transform.b == 0 and transform.d == 0 and transform.e < 0:
        inv = Transformer.from_crs(dcrs, CRS.from_user_input(src_crs), always_xy=True)
        gw, gs, ge, gn = inv.transform_bounds(*grid.bounds, densify_pts=21)
        c0 = max(0, int(math.floor((gw - transform.c) / transform.a)) - 2)
        c1 = min(src.shape[1], int(math.ceil((ge - transform.c) / transform.a)) + 2)
        r0 = max(0, int(math.floor((transform.f - gn) / -transform.e)) - 2)
        r1 = min(src.shape[0], int(math.ceil((transform.f - gs) / -transform.e)) + 2)
        if (r0, c0, r1, c1) != (0, 0, src.shape[0], src.shape[1]) and r1 > r0 and c1 > c0:
            src = src[r0:r1, c0:c1]
            tiles = tiles[r0:r1, c0:c1]
            transform = transform @ Affine.translation(c0, r0)
    report(0.3, f"reprojecting terrain to {dst_crs} at {cs:g} m ({rows}×{cols})")
    dem = np.full((rows, cols), np.nan, dtype=np.float32)
    reproject(
        source=src,
        destination=dem,
        src_transform=transform,
        src_crs=src_rio,
        src_nodata=np.nan,
        dst_transform=grid.transform,
        dst_crs=RioCRS.from_user_input(dst_crs),
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    # coverage footprint: where a source tile exists at all (data or void), not the gaps between tiles. (A one-pixel
    # source spanning the extent would save memory but GDAL mis-warps it near curved edges: up to 400 m off in tests.)
    foot = np.zeros((rows, cols), dtype=np.uint8)
    reproject(
        source=tiles.astype(np.uint8),
        destination=foot,
        src_transform=transform,
        src_crs=src_rio,
        src_nodata=0,
        dst_transform=grid.transform,
        dst_crs=RioCRS.from_user_input(dst_crs),
        dst_nodata=0,
        resampling=Resampling.nearest,
    )
    covered = foot.astype(bool)
    missing = ~np.isfinite(dem)
    void_mask = missing & covered
    outside_mask = missing & ~covered
    if not (~missing).any():
        raise RasterError(
            "terrain has no valid elevation inside the analysis area",
            path=paths[0],
            hint="the DEM does not cover the inputs: use tiles that cover the province",
        )
    void_count = int(void_mask.sum())
    outside_count = int(outside_mask.sum())
    if missing.any():
        report(0.7, f"filling {void_count} void cell(s)")
        dem = fill_voids(dem, covered)
    if void_count:
        warnings.append(f"terrain: {void_count} void cell(s) filled by interpolation ({100.0 * void_count / dem.size:.2g}%)")
    if outside_count:
        warnings.append(
            f"terrain: {outside_count} cell(s) at the edge of the analysis grid are not covered by the DEM "
            "(heights extrapolated; points there are reported as outside the terrain)"
        )
    report(1.0, "terrain ready")
    return Terrain(
        dem=dem,
        grid=grid,
        void_count=void_count,
        void_filled=bool(missing.any()),
        source=source,
        covered=covered,
        filled=missing,
        outside_count=outside_count,
        source_crs=src_crs,
        warnings=warnings,
    )


def fill_voids(dem: np.ndarray, covered: np.ndarray | None = None, max_search_cells: int = 100) -> np.ndarray:
    """Return a copy of ``dem`` with every NaN filled.

    Voids inside ``covered`` are interpolated by GDAL's inverse-distance ``FillNodata`` (search radius
    ``max_search_cells``), one window around each void so that a few voids in a large DEM cost little;
    whatever remains (large voids, cells outside the coverage) takes the value of the nearest valid cell
    (``scipy.ndimage.distance_transform_edt``). The input is not modified.
    """
    from rasterio.fill import fillnodata
    from scipy import ndimage

    src = np.asarray(dem, dtype=np.float32)
    out = np.array(src, dtype=np.float32, copy=True)
    missing = ~np.isfinite(out)
    if not missing.any():
        return out
    if missing.all():
        raise RasterError("cannot fill voids: the DEM has no valid cell")
    if covered is None:
        covered = np.ones(out.shape, dtype=bool)
    inner = missing & covered
    if inner.any():
        labels, _ = ndimage.label(inner)
        pad = int(max_search_cells)
        rows, cols = out.shape
        for i, sl in enumerate(ndimage.find_objects(labels), start=1):
            if sl is None:
                continue
            r0, r1 = max(0, sl[0].start - pad), min(rows, sl[0].stop + pad)
            c0, c1 = max(0, sl[1].start - pad), min(cols, sl[1].stop + pad)
            win = src[r0:r1, c0:c1]
            wmiss = ~np.isfinite(win)
            if wmiss.all():
                continue
            filled = fillnodata(
                np.where(wmiss, np.float32(0), win), mask=(~wmiss).astype(np.uint8),
                max_search_distance=float(pad), smoothing_iterations=0,
            )  # fmt: skip
            # FillNodata leaves cells beyond the search distance unchanged: keep only those it reached
            reached = ndimage.distance_transform_edt(wmiss) <= pad
            take = (labels[r0:r1, c0:c1] == i) & reached
            out[r0:r1, c0:c1][take] = filled[take]
    still = ~np.isfinite(out)
    if still.any():
        _, (ri, ci) = ndimage.distance_transform_edt(still, return_distances=True, return_indices=True)
        out[still] = out[ri[still], ci[still]]
    return out
