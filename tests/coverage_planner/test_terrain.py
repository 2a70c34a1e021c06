"""coverage_planner.terrain: formats, reprojection against an analytic plane, void filling, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer

from coverage_planner import io
from coverage_planner.errors import CRSError, RasterError
from coverage_planner.terrain import fill_voids, load_terrain, resolve_analysis_crs, utm_crs_for_lonlat

from .conftest import DEG, LAT1, LON0, NCOL, NROW, plane, write_plane_dem


@pytest.mark.parametrize(
    "lon,lat,expected",
    [
        (103.02, 21.38, "EPSG:32648"),  # Điện Biên Phủ
        (101.99, 22.0, "EPSG:32647"),  # west of 102°E
        (102.0, 22.0, "EPSG:32648"),  # zone edge belongs to the east zone
        (106.8, -6.2, "EPSG:32748"),  # Jakarta: southern hemisphere
        (-179.9, 10, "EPSG:32601"),
        (180.0, 10, "EPSG:32601"),
    ],
)
def test_utm_zone(lon, lat, expected):
    assert utm_crs_for_lonlat(lon, lat) == expected


def test_utm_zone_rejects_bad_degrees():
    with pytest.raises(CRSError):
        utm_crs_for_lonlat(500000.0, 2400000.0)
    assert resolve_analysis_crs("EPSG:3405", 103, 21) == "EPSG:3405"
    assert resolve_analysis_crs("auto", 103, 21) == "EPSG:32648"


@pytest.mark.parametrize("res,tol", [(50, 0.06), (100, 0.5)])
def test_geographic_dem_reprojected_matches_plane(plane_dem, res, tol):
    t = load_terrain(plane_dem, resolution_m=res)
    assert t.grid.crs == "EPSG:32648" and t.grid.cellsize == res
    assert t.dem.dtype == np.float32 and not np.isnan(t.dem).any()
    assert t.void_count == 0 and t.outside_count > 0  # a lon/lat rectangle does not fill a UTM rectangle
    # compare every covered cell away from the edge with the analytic plane at the cell centre
    rows, cols = np.nonzero(t.covered)
    x, y = t.grid.xy(rows, cols)
    lon, lat = Transformer.from_crs(t.grid.crs, "EPSG:4326", always_xy=True).transform(x, y)
    margin = 2 * DEG
    inner = (lon > LON0 + margin) & (lon < LON0 + NCOL * DEG - margin) & (lat < LAT1 - margin)
    inner &= lat > LAT1 - NROW * DEG + margin
    err = np.abs(t.dem[rows[inner], cols[inner]] - plane(lon[inner], lat[inner]))
    assert inner.sum() > 0.8 * t.covered.sum()
    # Bilinear interpolation of a plane is exact when refining (50 m < ~90 m source cells); when coarsening GDAL
    # widens the kernel and the cell's heights vary by ~6 m, of which the error stays a small fraction.
    assert err.max() < tol and err.mean() < 0.2
    # bounds in lon/lat are those of the source
    w, s, e, n = t.bounds_lonlat()
    assert w == pytest.approx(LON0, abs=0.01) and n == pytest.approx(LAT1, abs=0.01) and w <= LON0 and n >= LAT1


def test_same_crs_same_resolution_is_unchanged(tmp_path):
    a = np.random.default_rng(1).uniform(300, 1800, (40, 50)).astype(np.float32)
    tr = Affine(90, 0, 400010, 0, -90, 2400020)  # not a multiple of 90: grid must still align to the source
    io.write_geotiff(tmp_path / "utm.tif", a, tr, "EPSG:32648")
    t = load_terrain(tmp_path / "utm.tif", resolution_m=90, crs="EPSG:32648")
    assert (t.grid.x0, t.grid.y0, t.grid.shape) == (400010, 2400020, (40, 50))
    np.testing.assert_array_equal(t.dem, a)
    assert t.covered.all() and t.void_count == 0 and t.outside_count == 0 and not t.void_filled


def test_void_counted_and_filled(tmp_path):
    a = np.full((60, 60), 800.0, dtype=np.float32)
    a += np.arange(60, dtype=np.float32)[None, :]  # linear ramp west → east
    a[20:25, 30:36] = -9999
    io.write_geotiff(tmp_path / "v.tif", a, Affine(50, 0, 500000, 0, -50, 2400000), "EPSG:32648", nodata=-9999)
    src = io.file_sha256(tmp_path / "v.tif")
    t = load_terrain(tmp_path / "v.tif", resolution_m=50)
    assert t.void_count == 30 and t.void_filled
    assert t.filled.sum() == 30 and t.filled[20:25, 30:36].all()
    assert not np.isnan(t.dem).any()
    filled = t.dem[20:25, 30:36]
    assert filled.min() >= 800 + 29 and filled.max() <= 800 + 36  # between the void's edge values
    assert any("30 void cell(s) filled" in w for w in t.warnings)
    assert io.file_sha256(tmp_path / "v.tif") == src  # input untouched


def test_fill_voids_constant_field_exact_and_input_untouched():
    a = np.full((30, 30), 412.5, dtype=np.float32)
    a[5:25, 5:25] = np.nan
    before = a.copy()
    out = fill_voids(a, max_search_cells=3)  # most of the void is beyond the search radius → nearest fill
    np.testing.assert_array_equal(out, 412.5)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(before))  # caller's array not modified
    with pytest.raises(RasterError):
        fill_voids(np.full((3, 3), np.nan, np.float32))


def test_undeclared_nodata_treated_as_void(tmp_path):
    a = np.full((20, 20), 650.0, dtype=np.float32)
    a[3, 4] = -32768  # no nodata tag in the file
    io.write_geotiff(tmp_path / "n.tif", a, Affine(100, 0, 400000, 0, -100, 2400000), "EPSG:32648")
    t = load_terrain(tmp_path / "n.tif", resolution_m=100)
    assert t.void_count == 1 and t.dem[3, 4] == pytest.approx(650.0)
    assert any("treated as voids" in w for w in t.warnings)
    assert t.source.endswith(", EPSG:32648, cell 100×100 m")  # the cell size says its unit (QA)


def write_hgt(path, z):
    path.write_bytes(np.asarray(z, dtype=">i2").tobytes())
    return path


def test_hgt_tiles_mosaicked(tmp_path):
    """Two 3″ SRTM tiles, west at 300 m and east at 900 m: the seam at 103°E lies inside one grid."""
    a = write_hgt(tmp_path / "N21E102.hgt", np.full((1201, 1201), 300))
    b = write_hgt(tmp_path / "N21E103.hgt", np.full((1201, 1201), 900))
    x0, _ = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(102.9, 21.5)
    x1, y1 = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(103.1, 21.6)
    t = load_terrain([a, b], resolution_m=500, bounds=(x0, y1 - 10000, x1, y1))
    assert t.grid.crs == "EPSG:32648"
    assert "2 SRTM tiles" in t.source and "N21E102.hgt" in t.source
    assert re.search(r"cell 0\.000833\d*×0\.000833\d*°$", t.source), t.source  # 3″ tiles: degrees, not metres
    west = t.elevation_at(x0 + 2000, y1 - 5000)[0]
    east = t.elevation_at(x1 - 2000, y1 - 5000)[0]
    assert west == pytest.approx(300) and east == pytest.approx(900)
    assert t.covered.all()


def test_hgt_voids(tmp_path):
    z = np.full((1201, 1201), 1000, dtype=np.int16)
    z[600:610, 600:610] = -32768
    p = write_hgt(tmp_path / "N21E103.hgt", z)
    t = load_terrain(p, resolution_m=90)
    assert t.void_count > 50 and not np.isnan(t.dem).any()
    assert t.dem[t.filled & t.covered] == pytest.approx(1000)


ASC = """ncols 4
nrows 3
xllcorner 400000
yllcorner 2399700
cellsize 100
NODATA_value -9999
1 2 3 4
5 -9999 7 8
9 10 11 12
"""


def test_esri_ascii_grid_with_prj(tmp_path):
    from pyproj import CRS

    (tmp_path / "dem.asc").write_text(ASC)
    (tmp_path / "dem.prj").write_text(CRS.from_epsg(32648).to_wkt("WKT1_ESRI"))
    t = load_terrain(tmp_path / "dem.asc", resolution_m=100, crs="EPSG:32648")
    assert t.grid.shape == (3, 4) and (t.grid.x0, t.grid.y0) == (400000, 2400000)
    assert t.void_count == 1 and 2 <= t.dem[1, 1] <= 10
    np.testing.assert_array_equal(t.dem[0], [1, 2, 3, 4])


def test_esri_ascii_without_crs_is_an_error(tmp_path):
    (tmp_path / "dem.asc").write_text(ASC)
    with pytest.raises(RasterError, match="no CRS") as ei:
        load_terrain(tmp_path / "dem.asc", resolution_m=100)
    assert "dem.asc" in str(ei.value) and "How to fix" in str(ei.value)


def test_all_nodata_raster(tmp_path):
    io.write_geotiff(tmp_path / "e.tif", np.full((5, 5), -9999, np.float32), Affine(1, 0, 4e5, 0, -1, 2.4e6),
                     "EPSG:32648", nodata=-9999)  # fmt: skip
    with pytest.raises(RasterError, match="no valid elevation"):
        load_terrain(tmp_path / "e.tif", resolution_m=1)


def test_unreadable_raster_names_file_and_gdal(tmp_path):
    p = tmp_path / "broken.tif"
    p.write_bytes(b"II*\x00" + b"\x00" * 50)
    with pytest.raises(RasterError, match="GDAL") as ei:
        load_terrain(p, resolution_m=90)
    assert "broken.tif" in str(ei.value)


def test_bad_arguments(plane_dem, tmp_path):
    with pytest.raises(RasterError, match="resolution_m"):
        load_terrain(plane_dem, resolution_m=0)
    with pytest.raises(RasterError, match="no terrain file"):
        load_terrain([], resolution_m=90)
    with pytest.raises(CRSError, match="not projected"):
        load_terrain(plane_dem, resolution_m=90, crs="EPSG:4326")
    with pytest.raises(RasterError, match="does not overlap"):
        load_terrain(plane_dem, resolution_m=90, bounds=(0, 0, 1000, 1000))


def test_contains_and_elevation_at(plane_dem):
    t = load_terrain(plane_dem, resolution_m=100)
    fwd = Transformer.from_crs("EPSG:4326", t.crs, always_xy=True)
    inside = fwd.transform(103.02, 21.38)
    corner = fwd.transform(LON0 - 0.002, LAT1 + 0.002)  # inside the grid's bounding box? maybe; never covered
    far = fwd.transform(104.0, 21.38)
    got = t.contains([inside[0], corner[0], far[0]], [inside[1], corner[1], far[1]])
    assert got.tolist() == [True, False, False]
    assert t.elevation_at(*inside)[0] == pytest.approx(plane(103.02, 21.38), abs=3.0)  # cell centre ≤ 71 m away
    assert np.isnan(t.elevation_at(*far)[0])


def test_progress_called(plane_dem):
    calls = []
    load_terrain(plane_dem, resolution_m=200, progress=lambda f, m: calls.append((f, m)))
    fr = [f for f, _ in calls]
    assert fr[0] == 0.0 and fr[-1] == 1.0 and fr == sorted(fr)


def test_void_plane_dem_written_by_fixture(tmp_path):
    p = write_plane_dem(tmp_path / "v.tif", void=(10, 20, 10, 20))
    t = load_terrain(p, resolution_m=100)
    # 10×10 source cells of ~86 m × 93 m ≈ 0.8 km²: about 80 analysis cells of 1 ha
    assert 60 <= t.void_count <= 100


def test_coverage_footprint_matches_analytic_extent(plane_dem):
    """``covered`` = analysis cells whose centre falls inside the source raster's lon/lat rectangle."""
    t = load_terrain(plane_dem, resolution_m=100)
    rows, cols = np.indices(t.grid.shape)
    x, y = t.grid.xy(rows.ravel(), cols.ravel())
    lon, lat = Transformer.from_crs(t.grid.crs, "EPSG:4326", always_xy=True).transform(x, y)
    lon, lat = lon.reshape(t.grid.shape), lat.reshape(t.grid.shape)
    w, e, n, s = LON0, LON0 + NCOL * DEG, LAT1, LAT1 - NROW * DEG
    expected = (lon > w) & (lon < e) & (lat > s) & (lat < n)
    # GDAL's approximate transformer may err by 1/8 source cell: ignore cells that close to the edge
    near_edge = np.minimum.reduce([np.abs(lon - w), np.abs(lon - e), np.abs(lat - n), np.abs(lat - s)]) < 0.2 * DEG
    assert expected.size > expected.sum() > 0.5 * expected.size
    assert not (t.covered != expected)[~near_edge].any()


def test_mosaic_of_four_tiles_counts_only_real_voids(tmp_path):
    """2×2 SRTM tiles, one 20×20-cell void each: only those are voids, the curved UTM edges are 'outside'."""
    paths = []
    for name in ("N21E102", "N21E103", "N22E102", "N22E103"):
        z = np.full((1201, 1201), 800, dtype=np.int16)
        z[500:520, 600:620] = -32768
        paths.append(write_hgt(tmp_path / f"{name}.hgt", z))
    t = load_terrain(paths, resolution_m=300)
    # each void ≈ 1.85 km × 1.72 km ≈ 318 ha ≈ 35 cells of 9 ha → ≈ 140 in all
    assert 100 <= t.void_count <= 180
    assert t.outside_count > 0 and np.allclose(t.dem, 800)


def test_large_dem_cropped_to_requested_bounds(plane_dem):
    """Only the part of the DEM under the requested bounds is warped; heights there are unchanged."""
    full = load_terrain(plane_dem, resolution_m=100)
    x0, y0 = full.grid.x0 + 3000, full.grid.y0 - 3000
    part = load_terrain(plane_dem, resolution_m=100, bounds=(x0, y0 - 4000, x0 + 5000, y0))
    assert part.grid.shape == (40, 50) and (part.grid.x0, part.grid.y0) == (x0, y0)
    r0, c0 = 30, 30
    # equal up to GDAL's approximate transformer (interpolation nodes depend on the source window)
    np.testing.assert_allclose(part.dem, full.dem[r0 : r0 + 40, c0 : c0 + 50], atol=0.25)


def test_a_missing_tile_is_a_gap_not_a_void(tmp_path):
    """QA: three SRTM tiles of a 2×2 block (N22E102 forgotten): the missing tile counted as a void "filled by
    interpolation" (a quarter of the grid) and a station there was analysed on invented heights. Now the gap is
    outside the terrain (contains() is False there, so load_inputs lists such stations), with a warning."""
    paths = []
    for name in ("N21E102", "N21E103", "N22E103"):
        paths.append(write_hgt(tmp_path / f"{name}.hgt", np.full((1201, 1201), 800, dtype=np.int16)))
    t = load_terrain(paths, resolution_m=1000)
    to_utm = Transformer.from_crs("EPSG:4326", t.crs, always_xy=True)
    assert not t.contains(*to_utm.transform(102.5, 22.5))[0]  # in the missing tile
    assert t.contains(*to_utm.transform(103.5, 22.5))[0] and t.contains(*to_utm.transform(102.5, 21.5))[0]
    assert t.void_count == 0
    (gap,) = [w for w in t.warnings if "gap" in w]
    assert gap.startswith("terrain: the 3 tiles leave a gap that no tile covers (25% of the area they span")
    full = load_terrain([*paths, write_hgt(tmp_path / "N22E102.hgt", np.full((1201, 1201), 800, np.int16))],
                        resolution_m=1000)
    assert full.contains(*to_utm.transform(102.5, 22.5))[0] and not [w for w in full.warnings if "gap" in w]
