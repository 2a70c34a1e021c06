"""A tiny but complete project on disk, built in code (rasterio's pattern: tiny rasters in fixtures).

Terrain: 120 × 120 cells of 90 m (10.8 km square) in UTM 48N near Điện Biên; a flat valley at 500 m on the
west, a north–south ridge (1,800 m) in the middle, a deep valley at 400 m on the east. Two towers sit in the
west valley, so stations east of the ridge have no signal; a town and a road in the east give candidate
sites for mobile stations. The east commune touches a national-border line (border commune).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
from pyproj import Transformer

X0, Y0, CELL, N = 400_000.0, 2_400_000.0, 90.0, 120
CRS = "EPSG:32648"
_to_ll = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


def ll(x, y):
    lon, lat = _to_ll.transform(x, y)
    return round(lon, 6), round(lat, 6)


def cell_xy(row, col):
    return X0 + (col + 0.5) * CELL, Y0 - (row + 0.5) * CELL


def make_dem() -> np.ndarray:
    cols = np.arange(N)
    ridge = 1800.0 * np.exp(-(((cols - 60) / 4.0) ** 2))
    base = np.where(cols < 60, 500.0, 400.0)
    dem = np.maximum(base, ridge)[None, :].repeat(N, axis=0)
    rng = np.random.default_rng(7)
    dem = dem + rng.normal(0, 2.0, dem.shape)
    return dem.astype(np.float32)


TOWERS = [
    # id, operator, tech, row, col, height, eirp, azimuth, status
    ("VTL-001", "Viettel", "4G", 60, 20, 30, 58, "", "on_air"),
    ("VNP-001", "VNPT", "2G", 30, 30, 30, 58, "", "on_air"),
    ("MBF-001", "MobiFone", "4G", 90, 25, 30, 58, "90", "down"),
]
STATIONS = [
    # id, name, commune, row, col, voters, priority
    ("KV-W1", "Bản Tây 1", "Xã Tây", 60, 30, 400, 1),
    ("KV-W2", "Bản Tây 2", "Xã Tây", 40, 25, 250, 1),
    ("KV-W3", "Bản Tây 3", "Xã Tây", 118, 2, 120, 1),  # beyond VNP-001's 8 km radius: VTL-001 only
    ("KV-E1", "Bản Đông 1", "Xã Đông", 50, 95, 600, 2),
    ("KV-E2", "Bản Đông 2", "Xã Đông", 70, 100, 300, 1),
    ("KV-E3", "Bản Đông 3", "Xã Đông", 20, 90, 150, 1),
]


def add_pit(dem: np.ndarray, row: int, col: int, depth_m: float = 300.0, radius_cells: float = 3.0) -> np.ndarray:
    """``dem`` with a steep round pit (a deep narrow valley) centred on cell (row, col): a station at its bottom
    is in the terrain shadow of every site outside it, and its walls are too steep for candidate sites."""
    rr, cc = np.mgrid[0:N, 0:N]
    bowl = depth_m * np.exp(-((np.hypot(rr - row, cc - col) / radius_cells) ** 4))
    return (dem - bowl).astype(np.float32)


def write_project(folder: Path, *, k: int = 2, extra: str = "", stations=None, dem=None) -> Path:
    """The project in ``folder``; ``stations``: rows as :data:`STATIONS` (default those), ``dem``: the terrain
    (default :func:`make_dem`), ``extra``: TOML appended to the ``[placement]`` section."""
    import rasterio
    from affine import Affine

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dem = make_dem() if dem is None else dem
    with rasterio.open(folder / "dem.tif", "w", driver="GTiff", width=N, height=N, count=1, dtype="float32",
                       crs=CRS, transform=Affine(CELL, 0, X0, 0, -CELL, Y0), nodata=-9999) as dst:
        dst.write(dem, 1)

    lines = ["ma_tram,nha_mang,cong_nghe,kinh_do,vi_do,do_cao_anten_m,eirp_dbm,phuong_vi,trang_thai"]
    for tid, op, tech, r, c, h, e, az, status in TOWERS:
        lon, lat = ll(*cell_xy(r, c))
        lines.append(f"{tid},{op},{tech},{lon},{lat},{h},{e},{az},{status}")
    (folder / "towers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = ["id,name,commune,lon,lat,voters,priority"]
    for sid, name, commune, r, c, v, p in (STATIONS if stations is None else stations):
        lon, lat = ll(*cell_xy(r, c))
        lines.append(f"{sid},{name},{commune},{lon},{lat},{v},{p}")
    (folder / "polling_stations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def poly(c0, c1):
        xs = [X0 + c0 * CELL, X0 + c1 * CELL]
        ys = [Y0 - N * CELL, Y0]
        ring = [ll(xs[0], ys[0]), ll(xs[1], ys[0]), ll(xs[1], ys[1]), ll(xs[0], ys[1]), ll(xs[0], ys[0])]
        return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}

    communes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Xã Tây"}, "geometry": poly(0, 60)},
        {"type": "Feature", "properties": {"name": "Xã Đông"}, "geometry": poly(60, N)},
    ]}
    (folder / "communes.geojson").write_text(json.dumps(communes, ensure_ascii=False), encoding="utf-8")

    east = X0 + (N + 5) * CELL
    border = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Vietnam-Laos"},
              "geometry": {"type": "LineString", "coordinates": [list(ll(east, Y0)), list(ll(east, Y0 - N * CELL))]}}]}
    (folder / "border.geojson").write_text(json.dumps(border), encoding="utf-8")

    road = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "QL-test"},
            "geometry": {"type": "LineString", "coordinates": [list(ll(*cell_xy(r, 95))) for r in (5, 60, 115)]}}]}
    (folder / "roads.geojson").write_text(json.dumps(road), encoding="utf-8")
    tlon, tlat = ll(*cell_xy(60, 100))
    (folder / "towns.csv").write_text(f"id,name,lon,lat\nT1,Thị trấn Đông,{tlon},{tlat}\n", encoding="utf-8")

    (folder / "project.toml").write_text(textwrap.dedent(f"""\
        [project]
        name = "Tiny test"
        province = "Điện Biên"
        crs = "{CRS}"
        resolution_m = 90
        output_dir = "output"

        [inputs]
        towers = "towers.csv"
        stations = "polling_stations.csv"
        communes = "communes.geojson"
        terrain = "dem.tif"
        border = "border.geojson"
        roads = "roads.geojson"
        towns = "towns.csv"

        [radio]
        model = "deygout"
        max_distance_m = 8000

        [communes]
        border_distance_m = 2000
        remote_distance_m = 50000

        [placement]
        k = {k}
        mast_height_m = 20
        technology = "4G"
        candidate_max_distance_m = 600
        candidate_spacing_m = 270
        max_slope_deg = 20
        """) + extra, encoding="utf-8")
    return folder / "project.toml"
