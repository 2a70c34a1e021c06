"""A small but complete, internally consistent :class:`coverage_planner.results.Results` built by hand.

Used by the map/report tests and importable by any other test that needs a ``Results`` without running the
pipeline::

    from tests.coverage_planner.tiny_results import tiny_results
    res = tiny_results()

The scene is a 28 km x 20 km patch near Điện Biên Phủ (EPSG:32648, 200 m cells): a synthetic DEM, five towers
of three operators (one ``down``), twelve polling stations, three communes (one border + remote, one remote,
one ordinary), gap polygons, two proposed mobile sites (one needing satellite backhaul) and a border line.

Every derived column is *computed* from the rasters and tables here (statuses from the level at the station
cell, commune statistics from the rasters, gap polygons by polygonising the status raster, …), so the counts
a report or map shows can be checked against ``res.station_counts()`` / ``res.communes`` rather than against
numbers typed into a test.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from rasterio import features
from shapely.geometry import LineString, Point, box, shape

from coverage_planner.results import Grid, Results, Scenario

CRS = "EPSG:32648"
CELL = 200.0
SHAPE = (100, 140)  # rows, cols -> 20 km x 28 km
X0 = 280_000.0
Y0 = 2_378_000.0
GOOD_DBM = -85.0
WEAK_DBM = -100.0
MAX_DISTANCE_M = 12_000.0

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_COMMUNE = "Xã ${alert(2)} `tick` \\u0041 & \"q\""

_TOWERS = [
    # id, operator, technology, frequency, height, eirp, x, y, status
    ("VT-001", "Viettel", "4G", 1800.0, 40.0, 60.0, 286_000.0, 2_371_000.0, "on_air"),
    ("VT-002", "Viettel", "2G", 900.0, 35.0, 58.0, 297_000.0, 2_366_000.0, "on_air"),
    ("VNP-010", "VNPT", "3G", 2100.0, 30.0, 57.0, 291_500.0, 2_364_500.0, "on_air"),
    ("MB-020", "MobiFone", "4G", 1800.0, 30.0, 60.0, 300_500.0, 2_374_500.0, "down"),
    ("VNP-011", "VNPT", "4G", 1800.0, 45.0, 61.0, 283_000.0, 2_362_000.0, "on_air"),
]

_STATIONS = [
    # id, name, x, y, voters
    ("PS01", "Điểm bầu cử số 1 – Bản Na Sang", 286_400.0, 2_371_300.0, 420),
    ("PS02", "Nhà văn hoá bản Huổi Lếch", 289_000.0, 2_368_500.0, 310),
    ("PS03", "Trường tiểu học Mường Nhé", 296_600.0, 2_366_400.0, 530),
    ("PS04", "UBND xã Nà Hỳ", 292_100.0, 2_364_200.0, 610),
    ("PS05", "Bản Pá Lùng", 283_500.0, 2_362_600.0, 250),
    ("PS06", "Bản Nậm Kè", 304_500.0, 2_376_500.0, 180),
    ("PS07", "Bản Sen Thượng", 306_500.0, 2_375_000.0, 140),
    ("PS08", "Bản Leng Su Sìn", 305_000.0, 2_360_500.0, 95),
    ("PS09", "Đồn biên phòng Sín Thầu", 281_200.0, 2_376_800.0, 60),
    ("PS10", "Bản Chung Chải", 293_500.0, 2_369_800.0, 275),
    ("PS11", "Bản Huổi Khon", 301_000.0, 2_369_000.0, 0),
    ("PS12", "Bản Ma Thì Hồ", 280_800.0, 2_359_200.0, 330),
]


def _grid() -> Grid:
    return Grid(x0=X0, y0=Y0, cellsize=CELL, shape=SHAPE, crs=CRS)


def _dem(grid: Grid) -> np.ndarray:
    rows, cols = grid.shape
    r, c = np.mgrid[0:rows, 0:cols].astype(np.float64)
    x, y = grid.xy(r, c)
    dem = 450.0 + 0.004 * (x - X0)
    for cx, cy, h, s in [(290_000, 2_372_000, 900, 3500), (302_000, 2_364_000, 1100, 4000),
                         (282_000, 2_368_000, 600, 2500), (299_000, 2_375_000, 700, 3000)]:
        dem += h * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    dem += 40.0 * np.sin(x / 1700.0) * np.cos(y / 2300.0)
    return dem.astype(np.float32)


def _tower_level(grid: Grid, dem: np.ndarray, tx: float, ty: float, freq: float, eirp: float) -> np.ndarray:
    """A synthetic received level: free-space loss plus a terrain penalty (higher terrain between = more loss)."""
    rows, cols = grid.shape
    r, c = np.mgrid[0:rows, 0:cols].astype(np.float64)
    x, y = grid.xy(r, c)
    d = np.hypot(x - tx, y - ty)
    dkm = np.maximum(d, 50.0) / 1000.0
    fspl = 32.45 + 20 * np.log10(dkm) + 20 * np.log10(freq)
    tr, tc = grid.rowcol(tx, ty)
    h_tx = float(dem[int(np.floor(tr)), int(np.floor(tc))])
    penalty = 30.0 + np.clip((dem - h_tx) / 10.0, 0.0, 40.0) + 2.5 * dkm
    level = eirp - fspl - penalty
    level[d > MAX_DISTANCE_M] = np.nan
    return level.astype(np.float32)


def _classify(level: np.ndarray) -> np.ndarray:
    """0 = none (incl. NaN), 1 = weak, 2 = good."""
    out = np.zeros(level.shape, np.uint8)
    with np.errstate(invalid="ignore"):
        out[level >= WEAK_DBM] = 1
        out[level >= GOOD_DBM] = 2
    return out


def _sample(grid: Grid, arr: np.ndarray, x, y):
    r, c = grid.rowcol(x, y)
    return arr[np.floor(r).astype(int), np.floor(c).astype(int)]


def tiny_results(*, hostile_names: bool = False, scenario_down: tuple[str, ...] = ()) -> Results:
    """Build the tiny scene.

    ``hostile_names=True`` renames station PS03 to ``<script>alert(1)</script>`` and the second commune to a
    string with ``${…}``, a backtick, a backslash escape, ``&`` and quotes (for escaping tests).
    ``scenario_down`` takes extra towers off air (what-if); their stations' losses appear in ``newly_uncovered``.
    """
    grid = _grid()
    dem = _dem(grid)
    to_ll = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

    # --- towers -----------------------------------------------------------------------------------------
    rows = []
    for i, (tid, op, tech, f, h, eirp, x, y, status) in enumerate(_TOWERS, start=2):
        lon, lat = to_ll.transform(x, y)
        rows.append(dict(id=tid, operator=op, technology=tech, frequency_mhz=f, height_m=h, eirp_dbm=eirp,
                         azimuth_deg=np.nan, beamwidth_deg=360.0, front_to_back_db=0.0, mech_tilt_deg=0.0,
                         elec_tilt_deg=0.0, vertical_beamwidth_deg=10.0,
                         status="down" if tid in scenario_down else status,
                         lon=lon, lat=lat, source_row=i, geometry=Point(x, y)))
    towers = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)

    def composite(active: pd.Series):
        levels = np.full((len(towers),) + grid.shape, np.nan, np.float32)
        for k, t in towers.iterrows():
            if active[k]:
                levels[k] = _tower_level(grid, dem, t.geometry.x, t.geometry.y, t.frequency_mhz, t.eirp_dbm)
        filled = np.where(np.isnan(levels), -np.inf, levels)
        best_server = np.argmax(filled, axis=0).astype(np.int32)
        best = np.max(filled, axis=0)
        best_server[~np.isfinite(best)] = -1
        best = np.where(np.isfinite(best), best, np.nan).astype(np.float32)
        with np.errstate(invalid="ignore"):
            n = np.sum(levels >= WEAK_DBM, axis=0).astype(np.uint16)
        return best, best_server, n

    best_level, best_server, n_servers = composite(towers["status"] == "on_air")
    classes = _classify(best_level)

    # --- communes: three vertical strips ------------------------------------------------------------------
    xmin, ymin, xmax, ymax = grid.bounds
    names = ["Mường Nhé", HOSTILE_COMMUNE if hostile_names else "Nà Hỳ", "Thanh Xương"]
    cuts = [xmin, 288_000.0, 298_000.0, xmax]
    polys = [box(cuts[i], ymin, cuts[i + 1], ymax) for i in range(3)]
    communes = gpd.GeoDataFrame(
        dict(name=names, border=[True, False, False], remote=[True, True, False],
             centre_x=[p.centroid.x for p in polys], centre_y=[p.centroid.y for p in polys]),
        geometry=polys, crs=CRS,
    )
    commune_id = features.rasterize(((p, i + 1) for i, p in enumerate(polys)), out_shape=grid.shape,
                                    transform=grid.transform, fill=0, dtype="uint8")

    # --- stations -------------------------------------------------------------------------------------
    on_air = towers[towers["status"] == "on_air"]
    srows = []
    for i, (sid, name, x, y, voters) in enumerate(_STATIONS, start=2):
        if hostile_names and sid == "PS03":
            name = HOSTILE_NAME
        lon, lat = to_ll.transform(x, y)
        lvl = float(_sample(grid, best_level, x, y))
        srv = int(_sample(grid, best_server, x, y))
        nsv = int(_sample(grid, n_servers, x, y))
        cls = int(_sample(grid, classes, x, y))
        status = ("none", "weak", "good")[cls]
        d = np.hypot(on_air.geometry.x - x, on_air.geometry.y - y)
        k = int(np.argmin(d.to_numpy()))
        commune = names[int(_sample(grid, commune_id, x, y)) - 1]
        srows.append(dict(
            id=sid, name=name, commune=commune, voters=int(voters), priority=1.0, lon=lon, lat=lat,
            source_row=i, status=status, level_dbm=lvl,
            best_server=towers.loc[srv, "id"] if srv >= 0 and status != "none" else "",
            best_operator=towers.loc[srv, "operator"] if srv >= 0 and status != "none" else "",
            n_servers=nsv, nearest_tower=on_air.iloc[k]["id"], nearest_tower_km=float(d.iloc[k]) / 1000.0,
            spof=nsv == 1, geometry=Point(x, y),
        ))
    stations = gpd.GeoDataFrame(srows, geometry="geometry", crs=CRS)

    # --- commune statistics -------------------------------------------------------------------------------
    cell_km2 = CELL * CELL / 1e6
    stats = []
    for i, name in enumerate(names):
        m = commune_id == i + 1
        n = int(m.sum())
        st = stations[stations["commune"] == name]
        row = dict(area_km2=n * cell_km2)
        for code, s in ((2, "good"), (1, "weak"), (0, "none")):
            row[f"area_{s}_pct"] = 100.0 * float(np.sum(m & (classes == code))) / n
            row[f"stations_{s}"] = int((st["status"] == s).sum())
            row[f"voters_{s}"] = int(st.loc[st["status"] == s, "voters"].sum())
        stats.append(row)
    communes = pd.concat([communes, pd.DataFrame(stats)], axis=1)
    communes = gpd.GeoDataFrame(communes, geometry="geometry", crs=CRS)

    # --- gaps: polygonise weak/none per commune -----------------------------------------------------------
    gap_code = np.where(classes == 2, 0, np.where(classes == 1, 1, 2)).astype(np.uint8) * 10 + commune_id
    grows = []
    for geom, val in features.shapes(gap_code, mask=(classes < 2) & (commune_id > 0), transform=grid.transform):
        val = int(val)
        g = shape(geom)
        status = "weak" if val // 10 == 1 else "none"
        cx, cy = g.representative_point().x, g.representative_point().y
        d = np.hypot(on_air.geometry.x - cx, on_air.geometry.y - cy)
        k = int(np.argmin(d.to_numpy()))
        grows.append(dict(status=status, area_km2=g.area / 1e6, commune=names[val % 10 - 1],
                          nearest_tower=on_air.iloc[k]["id"], nearest_tower_km=float(d.iloc[k]) / 1000.0,
                          geometry=g))
    gaps = gpd.GeoDataFrame(grows, geometry="geometry", crs=CRS)

    # --- proposals: two mobile sites --------------------------------------------------------------------
    # (site id, candidate id, x, y, backhaul tower or "" when only satellite backhaul works)
    sites = [("MS-01", "C-07", 305_200.0, 2_375_600.0, "VT-002"), ("MS-02", "C-12", 281_400.0, 2_360_000.0, "")]
    prop_level = np.full(grid.shape, np.nan, np.float32)
    prows = []
    uncovered = stations[stations["status"] != "good"]
    claimed: set = set()
    for rank, (sid, cand, x, y, bh_tower) in enumerate(sites, start=1):
        lvl = _tower_level(grid, dem, x, y, 1800.0, 58.0)
        prop_level = np.fmax(prop_level, lvl)
        covered = [s.id for s in uncovered.itertuples() if float(_sample(grid, lvl, s.geometry.x, s.geometry.y))
                   >= WEAK_DBM]
        in_reach, covered = covered, [s for s in covered if s not in claimed]  # newly covered: not by a site before
        claimed.update(covered)
        cov = stations[stations["id"].isin(covered)]
        lon, lat = to_ll.transform(x, y)
        if bh_tower:
            bt = towers[towers["id"] == bh_tower].iloc[0]
            bh_km = float(np.hypot(bt.geometry.x - x, bt.geometry.y - y)) / 1000.0
        prows.append(dict(
            rank=rank, site_id=sid, candidate=cand, lon=lon, lat=lat, x=x, y=y,
            commune=names[int(_sample(grid, commune_id, x, y)) - 1],
            elevation_m=float(_sample(grid, dem, x, y)), n_stations=len(covered),
            stations_covered=";".join(covered), stations_in_reach=";".join(in_reach), voters_covered=int(cov["voters"].sum()),
            weight_covered=float(cov["priority"].sum()), backhaul="ok" if bh_tower else "needs satellite",
            backhaul_tower=bh_tower, backhaul_distance_km=bh_km if bh_tower else np.nan,
            backhaul_clearance=0.82 if bh_tower else np.nan, geometry=Point(x, y),
        ))
    proposals = gpd.GeoDataFrame(prows, geometry="geometry", crs=CRS)
    all_covered = set(";".join(proposals["stations_covered"]).split(";")) - {""}
    unr = uncovered[~uncovered["id"].isin(all_covered)]
    unreachable = pd.DataFrame(dict(id=unr["id"].to_list(), name=unr["name"].to_list(),
                                    commune=unr["commune"].to_list(),
                                    reason=["no candidate site within 10 km reaches it"] * len(unr)))

    border = gpd.GeoDataFrame(dict(name=["Biên giới Việt Nam – Lào"]),
                              geometry=[LineString([(xmin + 600, ymax), (xmin + 1500, ymin + 9000),
                                                    (xmin + 300, ymin)])], crs=CRS)

    newly_uncovered: list[str] = []
    if scenario_down:
        b0, bs0, _ = composite(pd.Series([s == "on_air" or t in scenario_down
                                          for s, t in zip(towers["status"], towers["id"], strict=True)]))
        before = _classify(b0)
        base_status, base_server = [], []
        for s in stations.itertuples():
            cls0 = int(_sample(grid, before, s.geometry.x, s.geometry.y))
            srv0 = int(_sample(grid, bs0, s.geometry.x, s.geometry.y))
            base_status.append(("none", "weak", "good")[cls0])
            base_server.append(towers.loc[srv0, "id"] if srv0 >= 0 and cls0 > 0 else "")
            if cls0 > 0 and s.status == "none":
                newly_uncovered.append(s.id)
        # as the pipeline: status and best server before the failure, only in a scenario
        stations["baseline_status"] = base_status
        stations["baseline_server"] = base_server

    return Results(
        project_name="Tiny Điện Biên test",
        province="Điện Biên",
        grid=grid,
        dem=dem,
        towers=towers,
        stations=stations,
        communes=communes,
        border=border,
        best_level=best_level,
        best_server=best_server,
        n_servers=n_servers,
        gaps=gaps,
        proposals=proposals,
        proposal_level=prop_level,
        study_mask=commune_id > 0,
        unreachable=unreachable,
        placement_summary=dict(k=2, greedy_objective=float(proposals["weight_covered"].sum()),
                               exact_objective=float(proposals["weight_covered"].sum()), gap_pct=0.0,
                               lscp_sites=3, solver="HiGHS"),
        scenario=Scenario(name="what-if" if scenario_down else "baseline", down=tuple(scenario_down)),
        newly_uncovered=newly_uncovered,
        # same shape as coverage_planner.pipeline._parameters produces
        parameters={
            "software": "coverage-planner (tiny_results)",
            "crs": CRS,
            "resolution_m": CELL,
            "model": "deygout",
            "k_factor": 1.3333,
            "max_distance_m": MAX_DISTANCE_M,
            "receiver_height_m": 1.5,
            "margins_db": 3.0,
            **{f"threshold_{t}": f"good ≥ {GOOD_DBM:g} dBm, weak ≥ {WEAK_DBM:g} dBm" for t in ("2G", "3G", "4G")},
            "thresholds": {t: {"good_dbm": GOOD_DBM, "weak_dbm": WEAK_DBM} for t in ("2G", "3G", "4G")},
            "placement_technology": "4G",
            "placement": "k=2, mast 15 m, EIRP 58 dBm, 4G 1800 MHz",
        },
        terrain_source="synthetic test DEM (tests/coverage_planner/tiny_results.py)",
        created=dt.datetime(2026, 11, 28, 9, 30, 0),
        timings={"coverage": 0.1},
        warnings=["tiny_results: synthetic scene, not a real analysis"],
    )
