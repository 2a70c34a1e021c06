"""Tiny input files built in code for the loader, terrain, project and CLI tests.

The "mini province" lies around Điện Biên Phủ: a DEM in WGS 84 (3″ cells, lon 102.95–103.10, lat 21.30–21.45)
whose height is a plane in lon/lat, so every resampled value has an exact expected value. Two communes split it
at lon 103.025; a border line runs along lon 103.095; a road in the west and a town mark the west commune as
not remote.
"""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

LON0, LAT1, DEG = 102.95, 21.45, 1.0 / 1200.0  # top-left corner and 3″ cell
NCOL, NROW = 180, 180
SPLIT_LON = 103.025
BORDER_LON = 103.095


def plane(lon, lat):
    """The DEM's exact height at (lon, lat)."""
    return 500.0 + 4000.0 * (np.asarray(lon) - LON0) + 3000.0 * (np.asarray(lat) - (LAT1 - NROW * DEG))


def write_plane_dem(path: Path, *, void=None, nodata=-32768.0, dtype="float32") -> Path:
    """GeoTIFF in EPSG:4326 holding :func:`plane` sampled at cell centres; ``void`` = (r0, r1, c0, c1) set to nodata."""
    import rasterio
    from affine import Affine

    cols = np.arange(NCOL)
    rows = np.arange(NROW)
    lon = LON0 + (cols + 0.5) * DEG
    lat = LAT1 - (rows + 0.5) * DEG
    z = plane(lon[None, :], lat[:, None]).astype(dtype)
    if void is not None:
        r0, r1, c0, c1 = void
        z[r0:r1, c0:c1] = nodata
    with rasterio.open(path, "w", driver="GTiff", width=NCOL, height=NROW, count=1, dtype=dtype, crs="EPSG:4326",
                       transform=Affine(DEG, 0, LON0, 0, -DEG, LAT1), nodata=nodata) as dst:  # fmt: skip
        dst.write(z, 1)
    return path


def write_csv(path: Path, header: list[str], rows: list[list], *, encoding="utf-8", delimiter=",") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


TOWER_HEADER = [
    "ma_tram", "nha_mang", "cong_nghe", "kinh_do", "vi_do", "do_cao_anten_m", "tan_so_mhz", "eirp_dbm", "phuong_vi",
    "do_rong_bup_song", "goc_ngang_co", "goc_ngang_dien", "trang_thai",
]  # fmt: skip
TOWER_ROWS = [
    ["DBN001", "Viettel", "4G", 103.000, 21.400, 30, 1800, 58, 120, 65, 2, 0, "phat_song"],
    ["DBN002", "VNPT", "2G", 103.050, 21.350, 25, 900, 55, "", "", "", "", "on air"],
    ["DBN003", "MobiFone", "3G", 103.080, 21.420, 35, 2100, 57, 240, 90, 3, 2, "mat_song"],
]
STATION_HEADER = ["id", "name", "commune", "lon", "lat", "voters", "priority"]
STATION_ROWS = [
    ["KV01", "Bản Him Lam", "Xã Tây", 102.990, 21.380, 420, 1],
    ["KV02", "Bản Mường Phăng", "Xã Tây", 103.010, 21.330, 310, 2],
    ["KV03", "Bản Na Sang", "Xã Đông", 103.060, 21.410, 150, 1],
    ["KV04", "Bản Huổi Lếch", "Xã Đông", 103.085, 21.320, 95, 1.5],
]


def commune_features():
    def box(w, e):
        s, n = LAT1 - NROW * DEG, LAT1
        return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}

    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "Xã Tây"}, "geometry": box(LON0, SPLIT_LON)},
            {"type": "Feature", "properties": {"name": "Xã Đông"}, "geometry": box(SPLIT_LON, LON0 + NCOL * DEG)},
        ],
    }


def write_geojson(path: Path, fc: dict) -> Path:
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


def line_fc(coords, name="line"):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "LineString", "coordinates": coords}}]}  # fmt: skip


def build_project(folder: Path, *, extra: str = "", towers_rows=None, crs: str = "auto") -> Path:
    """Write every input of the mini province plus a project.toml into ``folder``; return the project path."""
    folder.mkdir(parents=True, exist_ok=True)
    write_plane_dem(folder / "dem.tif", void=(100, 104, 60, 65))
    write_csv(folder / "towers.csv", TOWER_HEADER, towers_rows if towers_rows is not None else TOWER_ROWS)
    write_csv(folder / "polling_stations.csv", STATION_HEADER, STATION_ROWS)
    write_geojson(folder / "communes.geojson", commune_features())
    s, n = LAT1 - NROW * DEG, LAT1
    write_geojson(folder / "border.geojson", line_fc([[BORDER_LON, s], [BORDER_LON, n]], "Vietnam-Laos"))
    write_geojson(folder / "roads.geojson", line_fc([[102.96, s], [102.96, n]], "QL12"))
    write_csv(folder / "towns.csv", ["id", "name", "lon", "lat"], [["T1", "Điện Biên Phủ", 102.99, 21.39]])
    (folder / "project.toml").write_text(textwrap.dedent(f"""\
        [project]
        name = "Mini Điện Biên"
        province = "Điện Biên"
        crs = "{crs}"
        resolution_m = 100
        output_dir = "out"

        [inputs]
        towers = "towers.csv"
        stations = "polling_stations.csv"
        communes = "communes.geojson"
        terrain = "dem.tif"
        border = "border.geojson"
        roads = "roads.geojson"
        towns = "towns.csv"

        [communes]
        border_distance_m = 1000
        remote_distance_m = 5000
        """) + extra, encoding="utf-8")  # fmt: skip
    return folder / "project.toml"


@pytest.fixture()
def mini_project(tmp_path) -> Path:
    return build_project(tmp_path / "mini")


@pytest.fixture()
def towers_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "towers.csv", TOWER_HEADER, TOWER_ROWS)


@pytest.fixture()
def stations_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "polling_stations.csv", STATION_HEADER, STATION_ROWS)


@pytest.fixture()
def plane_dem(tmp_path) -> Path:
    return write_plane_dem(tmp_path / "dem.tif")
