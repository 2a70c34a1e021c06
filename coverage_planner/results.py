"""The result of one analysis run: what the pipeline produces and exporters and the GUI consume.

Everything here is plain data (numpy arrays, (Geo)DataFrames, dicts); nothing knows about Qt.
Column names are part of the contract: see docs/ARCHITECTURE.md ("Results").
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

STATUS_GOOD = "good"
STATUS_WEAK = "weak"
STATUS_NONE = "none"
STATUSES = (STATUS_GOOD, STATUS_WEAK, STATUS_NONE)


@dataclass
class Grid:
    """The analysis raster grid: north-up, square cells, in a metric CRS.

    Cell (row, col) has its centre at ``x = x0 + (col + 0.5) * cellsize``, ``y = y0 - (row + 0.5) * cellsize``
    where (x0, y0) is the top-left corner.
    """

    x0: float
    y0: float
    cellsize: float
    shape: tuple[int, int]
    crs: str  # e.g. "EPSG:32648"

    @property
    def transform(self):
        from affine import Affine

        return Affine(self.cellsize, 0.0, self.x0, 0.0, -self.cellsize, self.y0)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax)"""
        rows, cols = self.shape
        return (self.x0, self.y0 - rows * self.cellsize, self.x0 + cols * self.cellsize, self.y0)

    def rowcol(self, x, y):
        """Fractional (row, col) of map coordinates, referenced to cell centres: a point at a cell's centre
        gives integer values, so the cell containing the point is ``floor(value + 0.5)``."""
        col = (np.asarray(x, dtype=float) - self.x0) / self.cellsize - 0.5
        row = (self.y0 - np.asarray(y, dtype=float)) / self.cellsize - 0.5
        return row, col

    def xy(self, row, col):
        """Map coordinates of cell centres."""
        x = self.x0 + (np.asarray(col, dtype=float) + 0.5) * self.cellsize
        y = self.y0 - (np.asarray(row, dtype=float) + 0.5) * self.cellsize
        return x, y


#: Scenario names the software gives by itself (no name of the user's): not shown in front of the towers down.
GENERIC_SCENARIO_NAMES = frozenset({"baseline", "scenario", "what-if"})


@dataclass
class Scenario:
    """A what-if: towers taken off air (landslide, power cut).

    ``down`` holds tower ids; the pipeline returns it resolved (a site id expanded to its sectors, repeated ids
    once, in the order given), with ``notes`` (e.g. which sectors a site id stands for) and ``warnings`` (a
    tower that is not on air anyway) about it.
    """

    name: str = "baseline"
    down: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class Results:
    """Outputs of :func:`coverage_planner.pipeline.iter_run`.

    Rasters share ``grid``. ``best_level`` is float32 dBm with NaN where no tower reaches;
    ``best_server`` int32 index into ``towers`` (-1 none); ``n_servers`` uint16 count of towers at or
    above the *weak* threshold of their technology.
    """

    project_name: str
    province: str
    grid: Grid
    dem: np.ndarray
    towers: Any  # GeoDataFrame, see ARCHITECTURE.md
    stations: Any  # GeoDataFrame with status columns
    communes: Any  # GeoDataFrame with statistics
    border: Any = None  # GeoDataFrame of lines or None
    roads: Any = None
    towns: Any = None
    best_level: np.ndarray | None = None
    best_server: np.ndarray | None = None
    n_servers: np.ndarray | None = None
    gaps: Any = None  # GeoDataFrame of gap polygons
    proposals: Any = None  # GeoDataFrame of proposed mobile sites
    proposal_level: np.ndarray | None = None  # best level of proposed sites only (NaN elsewhere)
    contingency: Any = None  # GeoDataFrame: per site that alone serves some stations, what fails and what restores
    study_mask: np.ndarray | None = None  # bool: cells inside a commune (the study area); renderers fade the rest
    unreachable: pd.DataFrame | None = None  # stations no candidate site can reach, with reason
    placement_summary: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario = field(default_factory=Scenario)
    newly_uncovered: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    terrain_source: str = ""
    created: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().replace(microsecond=0))
    timings: dict[str, float] = field(default_factory=dict)
    group_levels: dict[str, np.ndarray] = field(default_factory=dict)  # "operator:Viettel" -> best level
    warnings: list[str] = field(default_factory=list)

    def station_counts(self) -> dict[str, int]:
        s = self.stations["status"].value_counts()
        return {k: int(s.get(k, 0)) for k in STATUSES}

    def voter_counts(self) -> dict[str, int]:
        v = self.stations.groupby("status")["voters"].sum()
        return {k: int(v.get(k, 0)) for k in STATUSES}

    def lost_stations(self):
        """The rows of ``stations`` a failure scenario takes off the air (``newly_uncovered``), in that order;
        empty when there are none (ids missing from ``stations`` are left out)."""
        st = self.stations
        ids = [str(i) for i in self.newly_uncovered]
        if not ids or "id" not in st:
            return st.iloc[0:0]
        keyed = st.set_index(st["id"].astype(str))
        return keyed.loc[[i for i in ids if i in keyed.index]].reset_index(drop=True)

    def restored_by(self) -> dict[str, str]:
        """{station id: site id of the proposed mobile station that restores it} for the stations a failure
        scenario takes off the air (``newly_uncovered``): the site that newly covers it (``stations_covered``),
        else the best-ranked one that reaches it (``stations_in_reach``). Lost stations no site reaches are left
        out."""
        lost = {str(i) for i in self.newly_uncovered}
        props = self.proposals
        if not lost or props is None or not len(props) or "site_id" not in props:
            return {}
        if "rank" in props:
            props = props.sort_values("rank", kind="stable")
        out: dict[str, str] = {}
        for column in ("stations_covered", "stations_in_reach"):
            if column not in props:
                continue
            for site, ids in zip(props["site_id"].astype(str), props[column], strict=True):
                for i in (ids.split(";") if isinstance(ids, str) else ()):
                    if i in lost and i not in out:
                        out[i] = site
        return out
