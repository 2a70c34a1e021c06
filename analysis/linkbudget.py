"""Per-tower received level and path loss, as radius-limited windows of the DEM.

``level_dbm = EIRP − path_loss − pattern_attenuation + receiver_gain − margins − clutter``

* ``EIRP`` is the boresight EIRP (dBm); the pattern attenuation is relative to boresight
  (:mod:`analysis.antenna`): omni, 3GPP sector with horizontal/vertical beamwidth, front-to-back
  ratio, mechanical and electrical tilt, or a measured MSI pattern.
* path loss from :mod:`analysis.propagation` (model per :class:`LinkParams`), computed by the radial
  sweep in one pass over rays (O(log n) per cell).
* margins: ``margin_db + body_loss_db + indoor_loss_db`` (the pipeline passes body + indoor summed in
  ``margin_db``; the separate fields default to 0).
* ``clutter_db``: optional DEM-shaped raster of extra loss (dB) at the receiver cell (e.g. from a land-cover
  map); NaN cells count as 0.

Windows: ``CoverageWindow(values, row0, col0)``: the window's top-left cell in the DEM; cells farther
than ``max_distance_m`` from the site (cell-centre distance) are NaN. Row/col of a site are cell indices;
fractional values (``Grid.rowcol`` returns centre-referenced fractions) are rounded to the nearest cell.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from analysis import AnalysisError
from analysis import antenna as _antenna
from analysis import propagation as _prop
from analysis.viewshed import _check_cell, _check_dem, _finite

INT16_NODATA = -32768


@dataclass
class RadioSite:
    """A transmitter on the grid. ``azimuth_deg=None`` → omni. ``pattern`` an :class:`antenna.Pattern`."""

    row: float
    col: float
    height_m: float
    frequency_mhz: float
    eirp_dbm: float
    azimuth_deg: float | None = None
    beamwidth_deg: float = 65.0
    front_to_back_db: float = 25.0
    mech_tilt_deg: float = 0.0
    elec_tilt_deg: float = 0.0
    vertical_beamwidth_deg: float = 10.0
    pattern: _antenna.Pattern | None = None


@dataclass
class LinkParams:
    """Propagation model and receiver side of the link budget (see :mod:`analysis.propagation`)."""

    model: str = "deygout"
    k: float = 4.0 / 3.0
    max_distance_m: float = 35000.0
    receiver_height_m: float = 1.5
    receiver_gain_dbi: float = 0.0
    margin_db: float = 0.0
    vegetation_db_per_km: float = 0.0
    vegetation_max_db: float = 0.0
    body_loss_db: float = 0.0
    indoor_loss_db: float = 0.0
    vegetation_height_m: float = 15.0
    hata_environment: str = "rural"

    def validate(self) -> None:
        _prop.model_code(self.model)
        _finite("k (effective earth radius factor)", self.k, lo=0.0, lo_open=True, allow_inf=True)
        _finite("max_distance_m", self.max_distance_m, lo=0.0, lo_open=True)
        _finite("receiver_height_m", self.receiver_height_m, lo=0.0)
        _finite("receiver_gain_dbi", self.receiver_gain_dbi)
        for name in ("margin_db", "body_loss_db", "indoor_loss_db"):
            _finite(name, getattr(self, name))
        _finite("vegetation_db_per_km", self.vegetation_db_per_km, lo=0.0)
        _finite("vegetation_max_db", self.vegetation_max_db, lo=0.0)
        _finite("vegetation_height_m", self.vegetation_height_m, lo=0.0)
        if self.hata_environment not in _prop.ENVIRONMENTS:
            raise AnalysisError(f"hata_environment must be one of {', '.join(_prop.ENVIRONMENTS)}, "
                                f"got {self.hata_environment!r}")

    @property
    def total_margin_db(self) -> float:
        return float(self.margin_db) + float(self.body_loss_db) + float(self.indoor_loss_db)


@dataclass
class VegetationGrid:
    """Per-cell vegetation at the receiver (e.g. from a land-cover map), DEM-shaped arrays.

    ``db_per_km``: specific attenuation γ (dB/km); ``max_db``: the cap ``Am`` (dB, 0 = none); ``height_m``:
    canopy height (m). A receiving cell uses its own three values in the P.833-style model of
    :mod:`analysis.propagation`, in place of the constant ``LinkParams.vegetation_*``. The arrays are
    validated and stored as float32 copies once, on construction (the caller's arrays are not kept or
    modified), so one grid serves any number of sites.
    """

    db_per_km: np.ndarray
    max_db: np.ndarray
    height_m: np.ndarray

    def __post_init__(self):
        shape = np.shape(self.db_per_km)
        for name in ("db_per_km", "max_db", "height_m"):
            arr = np.array(getattr(self, name), dtype=np.float32, order="C")  # a copy
            if arr.ndim != 2 or arr.shape != shape:
                raise AnalysisError(f"vegetation {name} must be 2-D with db_per_km's shape {shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise AnalysisError(f"vegetation {name} must be finite and ≥ 0 everywhere (fill no-data cells first)")
            setattr(self, name, arr)
        self._per_m = self.db_per_km / np.float32(1000.0)  # what the sweep reads: γ in dB/m

    def at(self, row, col) -> tuple:
        """(db_per_km, max_db, height_m) of one cell (floats), or of cells ``row``/``col`` (integer index arrays:
        float64 arrays), e.g. for :func:`analysis.propagation.point_to_point_losses`."""
        return tuple(a[row, col].astype(float) for a in (self.db_per_km, self.max_db, self.height_m))

    def fingerprint(self) -> str:
        """Hash of the three arrays (e.g. for a cache key)."""
        h = hashlib.sha256()
        for a in (self.db_per_km, self.max_db, self.height_m):
            h.update(a.tobytes())
        return h.hexdigest()[:16]

    def checked(self, shape) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(γ dB/m, cap dB, canopy m)`` float32 arrays for the sweep, after checking the DEM ``shape``."""
        if self.db_per_km.shape != tuple(shape):
            raise AnalysisError(f"vegetation db_per_km must have the DEM's shape {tuple(shape)}, "
                                f"got {self.db_per_km.shape}")
        return self._per_m, self.max_db, self.height_m


@dataclass
class CoverageWindow:
    """A radius-limited window of a DEM-shaped raster.

    ``level_dbm``: float32 2-D values; for :func:`received_level` the received level (dBm), for
    :func:`path_loss_window` the path loss (dB) — ``quantity`` says which ("level_dbm" or "loss_db") and
    ``loss_db`` is the explicit accessor for the latter. ``row0``/``col0``: DEM cell of ``[0, 0]``. NaN =
    outside the radius / not computed.
    """

    level_dbm: np.ndarray
    row0: int
    col0: int
    quantity: str = "level_dbm"

    @property
    def values(self) -> np.ndarray:
        return self.level_dbm

    @property
    def loss_db(self) -> np.ndarray:
        if self.quantity != "loss_db":
            raise AnalysisError("this window holds received levels (dBm), not path loss; use .level_dbm")
        return self.level_dbm

    @property
    def shape(self) -> tuple[int, int]:
        return self.level_dbm.shape

    @property
    def slices(self) -> tuple[slice, slice]:
        """Slices of the DEM covered by the window: ``full[w.slices]`` is the window's area."""
        h, w = self.level_dbm.shape
        return slice(self.row0, self.row0 + h), slice(self.col0, self.col0 + w)

    def to_full(self, shape, fill=np.nan) -> np.ndarray:
        """The window pasted into a new array of the DEM's ``shape`` (``fill`` elsewhere)."""
        full = np.full(shape, fill, dtype=np.float32)
        full[self.slices] = self.level_dbm
        return full

    def to_int16(self, step_db: float = 0.01) -> np.ndarray:
        """Compact storage: values rounded to ``step_db`` in int16, NaN → -32768 (±327 dB at 0.01 dB)."""
        q = np.round(self.level_dbm.astype(np.float64) / step_db)
        bad = ~np.isfinite(q)
        if np.any(np.abs(q[~bad]) > 32767):
            raise AnalysisError(f"values exceed the int16 range at {step_db} dB steps; use a coarser step_db (e.g. 0.1)")
        out = np.where(bad, INT16_NODATA, q).astype(np.int16)
        return out

    @classmethod
    def from_int16(cls, data, row0: int, col0: int, step_db: float = 0.01, quantity: str = "level_dbm"):
        arr = np.asarray(data)
        values = arr.astype(np.float32) * np.float32(step_db)
        values[arr == INT16_NODATA] = np.nan
        return cls(values, int(row0), int(col0), quantity)


def _site_tables(site: RadioSite):
    _finite("site height_m", site.height_m)
    if site.azimuth_deg is not None:
        _finite("site azimuth_deg", site.azimuth_deg)
    return _antenna.tables(azimuth_deg=site.azimuth_deg, beamwidth_deg=site.beamwidth_deg,
                           front_to_back_db=site.front_to_back_db,
                           vertical_beamwidth_deg=site.vertical_beamwidth_deg,
                           mech_tilt_deg=site.mech_tilt_deg, elec_tilt_deg=site.elec_tilt_deg, pattern=site.pattern)


def received_level(dem, site: RadioSite, params: LinkParams, *, cellsize, clutter_db=None,
                   vegetation: VegetationGrid | None = None) -> CoverageWindow:
    """Received level (dBm, float32) around one site: window of ``dem``, NaN beyond ``max_distance_m``.

    ``dem`` float 2-D (row 0 north, square cells of ``cellsize`` metres), never modified. ``vegetation``:
    per-cell vegetation at the receivers (:class:`VegetationGrid`) instead of the constant one. Raises
    :class:`AnalysisError` on bad arguments (message names the quantity). Thread-safe, releases the GIL.
    """
    arr = _check_dem(dem)
    if not isinstance(site, RadioSite):
        raise AnalysisError(f"site must be an analysis.linkbudget.RadioSite, got {type(site).__name__}")
    if not isinstance(params, LinkParams):
        raise AnalysisError(f"params must be an analysis.linkbudget.LinkParams, got {type(params).__name__}")
    params.validate()
    cs = _finite("cellsize", cellsize, lo=0.0, lo_open=True)
    r0, c0 = _check_cell(arr, site.row, site.col, "site")
    freq = _finite("site frequency_mhz", site.frequency_mhz, lo=0.0, lo_open=True)
    eirp = _finite("site eirp_dbm", site.eirp_dbm)
    h_tx = _finite("site height_m", site.height_m, lo=0.0)
    tables = _site_tables(site)
    # level = offset − (loss + pattern), written by the kernel
    offset = eirp + float(params.receiver_gain_dbi) - params.total_margin_db
    out, wr0, wc0, _ = _prop.sweep_loss(
        arr, r0, c0, cellsize=cs, tx_height_m=h_tx, rx_height_m=float(params.receiver_height_m),
        frequency_mhz=freq, max_distance_m=params.max_distance_m, k=params.k, model=params.model,
        environment=params.hata_environment, vegetation_db_per_km=params.vegetation_db_per_km,
        vegetation_max_db=params.vegetation_max_db, vegetation_height_m=params.vegetation_height_m,
        pattern_tables=tables, level_offset=offset, **_veg_kw(vegetation, arr.shape))
    if clutter_db is not None:
        cl = np.asarray(clutter_db)
        if cl.shape != arr.shape:
            raise AnalysisError(f"clutter_db must have the DEM's shape {arr.shape}, got {cl.shape}")
        h, w = out.shape
        win = cl[wr0:wr0 + h, wc0:wc0 + w].astype(np.float32)
        np.subtract(out, np.nan_to_num(win, nan=0.0), out=out)
    return CoverageWindow(out, wr0, wc0, "level_dbm")


def path_loss_window(dem, row, col, *, tx_height_m, rx_height_m, frequency_mhz, params: LinkParams,
                     cellsize, vegetation: VegetationGrid | None = None) -> CoverageWindow:
    """Basic path loss (dB, no antenna pattern, no margins) from (row, col) to every cell in range.

    The "transmitter" at (row, col) is ``tx_height_m`` above ground, each receiving cell ``rx_height_m``.
    The models are reciprocal, so with a station at 1.5 m as transmitter and a mast height as receiver the
    window gives the loss from a mast on any cell to the station (used by placement). Vegetation applies
    on the ``rx_height_m`` side (per cell with ``vegetation``). Returns a :class:`CoverageWindow` with ``quantity="loss_db"``.
    """
    arr = _check_dem(dem)
    if not isinstance(params, LinkParams):
        raise AnalysisError(f"params must be an analysis.linkbudget.LinkParams, got {type(params).__name__}")
    params.validate()
    cs = _finite("cellsize", cellsize, lo=0.0, lo_open=True)
    r0, c0 = _check_cell(arr, row, col, "transmitter")
    freq = _finite("frequency_mhz", frequency_mhz, lo=0.0, lo_open=True)
    h_tx = _finite("tx_height_m", tx_height_m, lo=0.0)
    h_rx = _finite("rx_height_m", rx_height_m, lo=0.0)
    out, wr0, wc0, _ = _prop.sweep_loss(
        arr, r0, c0, cellsize=cs, tx_height_m=h_tx, rx_height_m=h_rx, frequency_mhz=freq,
        max_distance_m=params.max_distance_m, k=params.k, model=params.model,
        environment=params.hata_environment, vegetation_db_per_km=params.vegetation_db_per_km,
        vegetation_max_db=params.vegetation_max_db, vegetation_height_m=params.vegetation_height_m,
        **_veg_kw(vegetation, arr.shape))
    return CoverageWindow(out, wr0, wc0, "loss_db")


def _veg_kw(vegetation, shape) -> dict:
    if vegetation is None:
        return {}
    if not isinstance(vegetation, VegetationGrid):
        raise AnalysisError(f"vegetation must be an analysis.linkbudget.VegetationGrid, got {type(vegetation).__name__}")
    return {"vegetation_grid": vegetation.checked(shape)}
