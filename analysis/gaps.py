"""Gap classification and zonal statistics.

Classes (int8): ``GOOD = 2`` (level >= good threshold), ``WEAK = 1`` (weak <= level < good),
``NONE = 0`` (level < weak threshold, or no level at all: NaN). Column ``k`` of every ``(n, 3)`` table
returned here is class ``k``, i.e. the columns are ``(none, weak, good)``.

Thresholds come from the project (``[thresholds.2G|3G|4G] good_dbm, weak_dbm``); the defaults and their
sources are documented in ``coverage_planner/project.py``. They may be scalars or arrays broadcasting against
the levels (e.g. one pair per station, from the technology of its best server).

Gap regions: :func:`label_gaps` labels 8-connected regions of one class (``none`` and ``weak`` separately) and
drops regions smaller than ``min_cells``; :func:`majority_zone` assigns each region the zone (commune) holding
most of its cells. Vectorising labels to polygons (``rasterio.features.shapes``) happens in the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from analysis import AnalysisError

__all__ = [
    "NONE",
    "WEAK",
    "GOOD",
    "classify",
    "zonal_class_shares",
    "group_class_totals",
    "shares",
    "label_gaps",
    "majority_zone",
    "GapLabels",
]

NONE, WEAK, GOOD = 0, 1, 2


def classify(levels, good_dbm, weak_dbm) -> np.ndarray:
    """Classify levels (dBm) into 2 good / 1 weak / 0 none (int8, same shape as the broadcast inputs).

    ``level >= good_dbm`` is good, ``weak_dbm <= level < good_dbm`` is weak, anything below ``weak_dbm`` or
    NaN is none. Thresholds broadcast against ``levels``; ``good_dbm >= weak_dbm`` is required everywhere.
    """
    lev = np.asarray(levels, dtype=np.float64)
    good = np.asarray(good_dbm, dtype=np.float64)
    weak = np.asarray(weak_dbm, dtype=np.float64)
    if not (np.all(np.isfinite(good)) and np.all(np.isfinite(weak))):
        raise AnalysisError(
            "good_dbm and weak_dbm must be finite dBm values (check [thresholds] in the project)"
        )
    try:
        lev_b, good_b, weak_b = np.broadcast_arrays(lev, good, weak)
    except ValueError as exc:
        raise AnalysisError(
            f"levels {lev.shape}, good_dbm {good.shape} and weak_dbm {weak.shape} do not broadcast together"
        ) from exc
    if np.any(good_b < weak_b):
        i = np.unravel_index(int(np.argmax(good_b < weak_b)), good_b.shape)
        raise AnalysisError(
            f"good_dbm ({good_b[i]}) is below weak_dbm ({weak_b[i]}); the good threshold must be the higher "
            "one (e.g. 4G good -100 dBm, weak -110 dBm)"
        )
    out = np.zeros(lev_b.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        out[lev_b >= weak_b] = WEAK
        out[lev_b >= good_b] = GOOD
    return out


def _check_classes(class_grid) -> np.ndarray:
    cls = np.asarray(class_grid)
    if not np.issubdtype(cls.dtype, np.integer):
        raise AnalysisError(f"class_grid has dtype {cls.dtype}; expected the int8 output of classify()")
    if cls.size and (cls.min() < 0 or cls.max() > 2):
        raise AnalysisError(f"class_grid values must be 0, 1 or 2, found {cls.min()}..{cls.max()}")
    return cls


def zonal_class_shares(class_grid, zone_ids, n_zones: int, valid_mask=None) -> np.ndarray:
    """Cell counts per zone and class: int64 array ``(n_zones, 3)``, columns (none, weak, good).

    ``zone_ids`` (same shape as ``class_grid``) holds each cell's zone index ``0..n_zones-1`` or a negative
    value for "outside every zone"; ``valid_mask`` (optional) excludes further cells (e.g. outside the DEM).
    Divide by the row sum (see :func:`shares`) for shares of area; multiply by the cell area for km².
    """
    cls = _check_classes(class_grid)
    zones = np.asarray(zone_ids)
    if zones.shape != cls.shape:
        raise AnalysisError(f"zone_ids shape {zones.shape} differs from class_grid shape {cls.shape}")
    if not np.issubdtype(zones.dtype, np.integer):
        raise AnalysisError(f"zone_ids has dtype {zones.dtype}; expected integers (-1 = outside every zone)")
    n_zones = int(n_zones)
    if n_zones < 0:
        raise AnalysisError(f"n_zones must be >= 0, got {n_zones}")
    if zones.size and zones.max() >= n_zones:
        raise AnalysisError(
            f"zone_ids contains {zones.max()} but n_zones is {n_zones}; ids must be < n_zones"
        )
    keep = zones >= 0
    if valid_mask is not None:
        vm = np.asarray(valid_mask, dtype=bool)
        if vm.shape != cls.shape:
            raise AnalysisError(f"valid_mask shape {vm.shape} differs from class_grid shape {cls.shape}")
        keep &= vm
    flat = zones[keep].astype(np.int64) * 3 + cls[keep].astype(np.int64)
    return np.bincount(flat, minlength=n_zones * 3).reshape(n_zones, 3)


def group_class_totals(classes, groups, n_groups: int, weights=None) -> np.ndarray:
    """Sum of ``weights`` (default 1 → counts) per group and class: float64 ``(n_groups, 3)``.

    For polling stations: ``classes`` from :func:`classify`, ``groups`` the commune index of each station
    (negative = no commune, ignored), ``weights`` the voters → voters per commune in none/weak/good.
    """
    cls = _check_classes(np.asarray(classes).ravel())
    g = np.asarray(groups).ravel()
    if g.shape != cls.shape:
        raise AnalysisError(f"groups has {g.size} entries for {cls.size} classes")
    n_groups = int(n_groups)
    if g.size and g.max() >= n_groups:
        raise AnalysisError(f"groups contains {g.max()} but n_groups is {n_groups}")
    if weights is None:
        w = np.ones(cls.shape, dtype=np.float64)
    else:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != cls.shape:
            raise AnalysisError(f"weights has {w.size} entries for {cls.size} classes")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise AnalysisError("weights (voters) must be finite and >= 0")
    keep = g >= 0
    flat = g[keep].astype(np.int64) * 3 + cls[keep].astype(np.int64)
    return np.bincount(flat, weights=w[keep], minlength=n_groups * 3).reshape(n_groups, 3)


def shares(totals) -> np.ndarray:
    """Row-normalise an ``(n, 3)`` table to shares summing to 1; rows with a zero total become NaN."""
    t = np.asarray(totals, dtype=np.float64)
    s = t.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, t / np.where(s > 0, s, 1.0), np.nan)


@dataclass
class GapLabels:
    """Labelled gap regions.

    ``labels`` int32 raster: 0 = not a gap (or a region smaller than ``min_cells``), ``1..n`` region ids.
    ``region_class[k]`` int8 class of region ``k + 1`` (0 none, 1 weak); ``n_cells[k]`` its size in cells.
    """

    labels: np.ndarray
    region_class: np.ndarray
    n_cells: np.ndarray

    @property
    def n(self) -> int:
        return int(self.region_class.size)


_STRUCT8 = np.ones((3, 3), dtype=bool)
_STRUCT4 = ndimage.generate_binary_structure(2, 1)


def label_gaps(
    class_grid,
    min_cells: int = 1,
    *,
    classes=(NONE, WEAK),
    valid_mask=None,
    connectivity: int = 8,
) -> GapLabels:
    """Label connected regions of each class in ``classes`` (each class separately) with at least ``min_cells``.

    Regions are numbered 1..n in class order, then in scipy's raster-scan order; cells outside ``valid_mask``
    (e.g. outside the province) are never part of a gap.
    """
    cls = _check_classes(class_grid)
    if cls.ndim != 2:
        raise AnalysisError(f"class_grid must be 2-D, got {cls.ndim}-D")
    if int(min_cells) < 1:
        raise AnalysisError(f"min_cells must be >= 1, got {min_cells}")
    if connectivity not in (4, 8):
        raise AnalysisError(f"connectivity must be 4 or 8, got {connectivity}")
    struct = _STRUCT8 if connectivity == 8 else _STRUCT4
    valid = np.ones(cls.shape, bool) if valid_mask is None else np.asarray(valid_mask, dtype=bool)
    if valid.shape != cls.shape:
        raise AnalysisError(f"valid_mask shape {valid.shape} differs from class_grid shape {cls.shape}")
    out = np.zeros(cls.shape, dtype=np.int32)
    region_class: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    next_id = 1
    for k in classes:
        if k not in (NONE, WEAK, GOOD):
            raise AnalysisError(f"classes must be among 0 (none), 1 (weak), 2 (good); got {k}")
        lab, n = ndimage.label((cls == k) & valid, structure=struct)
        if n == 0:
            continue
        cnt = np.bincount(lab.ravel(), minlength=n + 1)
        keep = np.flatnonzero(cnt[1:] >= int(min_cells)) + 1
        remap = np.zeros(n + 1, dtype=np.int32)
        remap[keep] = np.arange(next_id, next_id + keep.size, dtype=np.int32)
        sel = remap[lab]
        out = np.where(sel > 0, sel, out)
        region_class.append(np.full(keep.size, k, dtype=np.int8))
        sizes.append(cnt[keep].astype(np.int64))
        next_id += keep.size
    rc = np.concatenate(region_class) if region_class else np.zeros(0, np.int8)
    nc = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
    return GapLabels(out, rc, nc)


def majority_zone(labels, n_labels: int, zone_ids, n_zones: int) -> np.ndarray:
    """For each region ``1..n_labels`` the zone index holding most of its cells (-1 if none; ties → lowest).

    ``zone_ids`` negative = outside every zone.
    """
    lab = np.asarray(labels)
    zones = np.asarray(zone_ids)
    if lab.shape != zones.shape:
        raise AnalysisError(f"labels shape {lab.shape} differs from zone_ids shape {zones.shape}")
    n_labels, n_zones = int(n_labels), int(n_zones)
    if n_labels == 0:
        return np.zeros(0, dtype=np.int64)
    if n_zones == 0:
        return np.full(n_labels, -1, dtype=np.int64)
    keep = (lab > 0) & (zones >= 0)
    if zones.size and zones.max() >= n_zones:
        raise AnalysisError(f"zone_ids contains {zones.max()} but n_zones is {n_zones}")
    flat = (lab[keep].astype(np.int64) - 1) * n_zones + zones[keep].astype(np.int64)
    table = np.bincount(flat, minlength=n_labels * n_zones).reshape(n_labels, n_zones)
    out = table.argmax(axis=1).astype(np.int64)
    out[table.max(axis=1) == 0] = -1
    return out
