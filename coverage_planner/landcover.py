"""Land cover ("clutter") raster → per-cell vegetation loss parameters on the analysis grid.

A land-cover raster (``[inputs] clutter``) holds one integer class code per pixel, e.g. ESA WorldCover
(10 m, free). Each class has the three parameters of the P.833-style vegetation loss of
:mod:`analysis.propagation` at a receiver standing in it:

* ``db_per_km``: specific attenuation γ of the vegetation (dB/km);
* ``max_db``: the cap ``Am`` of the loss (dB; 0 = no cap);
* ``height_m``: canopy height; a receiver above it, or a path above it, has no vegetation loss.

The class table is ``[clutter.classes]`` in the project file; by default the ESA WorldCover classes with the
values in :data:`WORLDCOVER` (in-leaf vegetation around 1–2 GHz, after ITU-R P.833: γ ≈ 0.1–0.4 dB/m in
woodland, ``Am`` ≈ 20–50 dB; adjust them to local measurements). Classes without vegetation have zeros.

The raster is resampled to the analysis grid by majority (``mode``): each analysis cell takes the class
covering most of it. Cells the raster does not cover, or marks as nodata, use the constant
``[radio] vegetation_*`` values. A class code missing from the table is an error that lists every missing
code with its pixel count and says how to add them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coverage_planner.errors import InputError, RasterError


@dataclass(frozen=True)
class ClutterClass:
    """Vegetation parameters of one land-cover class (see the module notes)."""

    name: str
    db_per_km: float = 0.0
    max_db: float = 0.0
    height_m: float = 0.0

    @property
    def has_vegetation(self) -> bool:
        return self.db_per_km > 0.0 and self.height_m > 0.0


#: ESA WorldCover 2020/2021 classes (https://esa-worldcover.org), defaults of ``[clutter.classes]``.
WORLDCOVER: dict[int, ClutterClass] = {
    10: ClutterClass("Tree cover", 300.0, 30.0, 15.0),
    20: ClutterClass("Shrubland", 150.0, 10.0, 3.0),
    30: ClutterClass("Grassland"),
    40: ClutterClass("Cropland", 100.0, 6.0, 2.0),
    50: ClutterClass("Built-up"),
    60: ClutterClass("Bare / sparse vegetation"),
    70: ClutterClass("Snow and ice"),
    80: ClutterClass("Permanent water bodies"),
    90: ClutterClass("Herbaceous wetland"),
    95: ClutterClass("Mangroves", 300.0, 30.0, 10.0),
    100: ClutterClass("Moss and lichen"),
}


@dataclass
class LandCover:
    """Land cover on the analysis grid: ``codes`` int32 class code per cell, −1 where the raster has no data;
    ``counts``: cells per class code; ``source``: file, CRS and pixel size."""

    codes: np.ndarray
    counts: dict[int, int]
    source: str
    warnings: list[str] = field(default_factory=list)

    def vegetation(self, classes: dict[int, ClutterClass], fallback: tuple[float, float, float]):
        """Per-cell vegetation as an :class:`analysis.linkbudget.VegetationGrid`: each cell its class's
        ``(db_per_km, max_db, height_m)``, ``fallback`` where there is no data.

        Raises :class:`InputError` if a code present in the raster is missing from ``classes``.
        """
        from analysis.linkbudget import VegetationGrid

        missing = [c for c in self.counts if c not in classes]
        if missing:
            raise _missing_error(missing, self.counts, self.source)
        out = [np.full(self.codes.shape, np.float32(v), np.float32) for v in fallback]
        for c in self.counts:
            cl = classes[c]
            m = self.codes == c
            for arr, v in zip(out, (cl.db_per_km, cl.max_db, cl.height_m), strict=True):
                arr[m] = v
        return VegetationGrid(*out)


def _missing_error(missing, counts, where, path=None) -> InputError:
    listing = ", ".join(f"{c} ({counts[c]} cells)" for c in missing)
    return InputError(
        f"{len(missing)} land-cover class code(s) in {where} are not in the project's class table: {listing}",
        path=path,
        field="clutter.classes",
        hint=(f'add them under [clutter.classes] in the project file, e.g. "{missing[0]}" = '
              '{ name = "…", db_per_km = 0, max_db = 0, height_m = 0 } (zeros: no vegetation loss)'),
    )


def load_landcover(path, grid, classes: dict[int, ClutterClass], *, what: str = "clutter (land cover)") -> LandCover:
    """Read a land-cover raster onto ``grid`` (majority resampling) and check its codes against ``classes``.

    Raises :class:`RasterError` (unreadable, no CRS, not overlapping, non-integer
    codes) or :class:`InputError` (codes missing from the table); the input file is only read.
    """
    from rasterio.crs import CRS as RioCRS
    from rasterio.enums import Resampling
    from rasterio.warp import reproject

    from coverage_planner.io import read_raster

    path = Path(path)
    array, transform, crs, nodata = read_raster(path, what=what)
    if crs is None:
        raise RasterError(f"{what} raster has no CRS", path=path,
                          hint="assign its CRS in QGIS (Raster > Projections > Assign Projection)")
    if array.size == 0:
        raise RasterError(f"{what} raster has no cells", path=path)
    src = np.asarray(array)
    valid = np.ones(src.shape, bool)
    if np.issubdtype(src.dtype, np.floating):
        valid &= np.isfinite(src)
        frac = valid & (src != np.round(np.where(valid, src, 0)))
        if frac.any():
            bad = np.unique(src[frac])[:5]
            raise RasterError(
                f"{what} raster holds non-integer values (e.g. {', '.join(f'{v:g}' for v in bad)}); "
                "it must hold land-cover class codes",
                path=path, field="inputs.clutter",
                hint="use a classified land-cover map such as ESA WorldCover, not a continuous raster")
    if nodata is not None and np.isfinite(nodata):
        valid &= src != nodata
    # class codes as int32, −1 = no data; the reprojection fills uncovered cells with −1 too
    codes_src = np.full(src.shape, -1, dtype=np.int32)
    codes_src[valid] = src[valid].astype(np.int32)
    rows, cols = grid.shape
    codes = np.full((rows, cols), -1, dtype=np.int32)
    reproject(
        source=codes_src,
        destination=codes,
        src_transform=transform,
        src_crs=RioCRS.from_user_input(crs),
        src_nodata=-1,
        dst_transform=grid.transform,
        dst_crs=RioCRS.from_user_input(grid.crs),
        dst_nodata=-1,
        resampling=Resampling.mode,
    )
    have = codes >= 0
    if not have.any():
        raise RasterError(
            f"{what} raster does not overlap the analysis area (or holds only nodata)",
            path=path, field="inputs.clutter",
            hint="use a land-cover map that covers the province, or remove [inputs] clutter")
    found, counts = np.unique(codes[have], return_counts=True)
    counts_d = {int(c): int(n) for c, n in zip(found, counts, strict=True)}
    missing = [c for c in counts_d if c not in classes]
    if missing:
        raise _missing_error(missing, counts_d, "the raster", path)
    warnings = []
    n_none = int((~have).sum())
    if n_none:
        warnings.append(f"clutter: {n_none} analysis cell(s) have no land-cover data and use the constant [radio] "
                        "vegetation values")
    src_desc = f"{path.name} ({crs}, {abs(transform.a):g} × {abs(transform.e):g})"
    return LandCover(codes=codes, counts=counts_d, source=src_desc, warnings=warnings)
