"""Viewshed: analytic cases, R2 sweep against the exact R3 oracle, and against gdal_viewshed."""

from __future__ import annotations

import math
import shutil
import subprocess

import numpy as np
import pytest

from analysis import AnalysisError
from analysis.viewshed import viewshed, viewshed_r3

KR = 4.0 / 3.0 * 6_371_000.0
BOTH = pytest.mark.parametrize("fn", [viewshed, viewshed_r3], ids=["r2", "r3"])


def _dist(shape, r0, c0, cs):
    rr, cc = np.indices(shape)
    return np.hypot(rr - r0, cc - c0) * cs


@BOTH
def test_smooth_sphere_horizon(fn):
    """Flat DEM on a k=4/3 sphere: targets visible out to √(2kRh₁)+√(2kRh₂), within one cell."""
    cs, h1, h2 = 150.0, 30.0, 10.0
    dem = np.zeros((541, 541), np.float32)
    r0 = c0 = 270
    horizon = math.sqrt(2 * KR * h1) + math.sqrt(2 * KR * h2)  # ≈ 35.6 km
    vs = fn(dem, r0, c0, cellsize=cs, observer_height=h1, target_height=h2, max_distance=270 * cs)
    d = _dist(dem.shape, r0, c0, cs)
    inside = d <= 270 * cs
    assert np.all(vs[~inside] == 255)
    assert np.all(vs[inside & (d < horizon - cs)] == 1)
    assert np.all(vs[inside & (d > horizon + cs)] == 0)
    assert (vs[inside & (d > horizon + cs)]).size > 1000  # the test does look beyond the horizon


def _ridge_dem():
    dem = np.zeros((161, 261), np.float32)
    dem[:, 80 + 50] = 50.0  # a 50 m wall, one cell wide, 50 cells east of the observer
    return dem


@BOTH
def test_single_ridge_shadow(fn):
    """Observer 100 m up, 50 m ridge 1500 m east on flat ground (no curvature): the ground is hidden from
    the ridge out to twice its distance (similar triangles), visible beyond; the boundary within one cell.
    Checked where rays cross the wall on column lines (|Δrow| ≤ |Δcol|): steeper rays cross it between
    row lines, where the interpolated terrain model turns the one-cell wall into a ramp."""
    dem = _ridge_dem()
    r0, c0 = 80, 80
    vs = fn(dem, r0, c0, cellsize=30.0, observer_height=100.0, max_distance=5000.0, k=math.inf)
    rr, cc = np.indices(dem.shape)
    dr, dc = rr - r0, cc - c0
    d = np.hypot(dr, dc) * 30
    zone = (d <= 5000.0) & (np.abs(dr) <= np.abs(dc))  # rays cross the wall on column lines
    assert np.all(vs[zone & (dc >= 1) & (dc <= 49)] == 1)  # before the ridge
    assert np.all(vs[zone & (dc == 50)] == 1)  # the crest itself
    assert np.all(vs[zone & (dc >= 51) & (dc <= 98)] == 0)  # the shadow
    assert np.all(vs[zone & (dc >= 101)] == 1)  # beyond twice the distance
    assert np.all(vs[zone & (dc < 0)] == 1)  # nothing to the west


@BOTH
def test_observer_above_all_terrain_sees_everything(fn, mountains):
    dem = mountains(121, seed=4)
    vs = fn(dem, 60, 60, cellsize=30.0, observer_height=1.0e7, max_distance=60 * 30.0, k=math.inf)
    inside = _dist(dem.shape, 60, 60, 30.0) <= 60 * 30.0
    assert np.all(vs[inside] == 1)
    assert np.all(vs[~inside] == 255)


@BOTH
def test_cliff_top_observer(fn):
    """Plateau at 500 m, vertical cliff down to a 0 m plain. At the edge a 2 m observer sees the whole
    plain; one cell back the edge hides the plain until x ≥ 251 cells (502/2 · 1 cell). Checked where
    rays cross the cliff on column lines (|Δrow| ≤ |Δcol|); steeper lines of sight run along the
    interpolated cliff face (a ramp in the terrain model) and graze it."""
    dem = np.zeros((121, 431), np.float32)
    dem[:, :101] = 500.0
    edge = fn(dem, 60, 100, cellsize=30.0, observer_height=2.0, max_distance=320 * 30.0, k=math.inf)
    back = fn(dem, 60, 99, cellsize=30.0, observer_height=2.0, max_distance=320 * 30.0, k=math.inf)
    rr, cc = np.indices(dem.shape)
    inside_e = (_dist(dem.shape, 60, 100, 30.0) <= 320 * 30.0) & (np.abs(rr - 60) <= np.abs(cc - 100))
    plain = cc > 100
    assert np.all(edge[inside_e & plain] == 1)
    dr, dc = rr - 60, cc - 99
    zone = (_dist(dem.shape, 60, 99, 30.0) <= 320 * 30.0) & plain & (np.abs(dr) <= np.abs(dc))
    assert np.all(back[zone & (dc <= 249)] == 0)
    assert np.all(back[zone & (dc >= 252)] == 1)
    assert (zone & (dc >= 251)).sum() > 1000


@pytest.mark.parametrize("seed", [1, 3, 5, 7])
@pytest.mark.parametrize("height", [2.0, 30.0])
def test_r2_matches_r3_oracle_on_mountains(mountains, seed, height):
    """Seeded synthetic mountains (900 m relief, 30 m cells), observer at the centre or on the highest
    point near it: R2 agrees with exact R3 on ≥ 99.2 % of cells, IoU of visible cells ≥ 0.90."""
    dem = mountains(301, seed=seed)
    if seed in (3, 7):  # a hilltop, where towers stand
        sub = dem[100:201, 100:201]
        r, c = np.unravel_index(np.argmax(sub), sub.shape)
        r, c = int(r) + 100, int(c) + 100
    else:
        r, c = 150, 150
    a = viewshed(dem, r, c, cellsize=30.0, observer_height=height, max_distance=4500.0)
    b = viewshed_r3(dem, r, c, cellsize=30.0, observer_height=height, max_distance=4500.0)
    assert np.array_equal(a == 255, b == 255)
    m = b != 255
    agreement = (a[m] == b[m]).mean()
    iou = ((a == 1) & (b == 1)).sum() / ((a == 1) | (b == 1)).sum()
    assert (b[m] == 1).sum() > 500  # a non-trivial viewshed
    assert agreement >= 0.992, agreement
    assert iou >= 0.90, iou


@pytest.mark.parametrize("r, c", [(8, 12), (290, 5), (150, 296)])
def test_r2_matches_r3_near_the_dem_edge(mountains, r, c):
    """Observer near the DEM's edge, radius window clipped by it: the kernel's clamped crossings (at the
    grid edge) and its clamp-free fast path (inside) agree with exact R3; every cell in range is decided
    (none left at 255) and the window outside the radius stays 255. Measured agreement 98.8–99.6 % here
    (the same before the kernel's speed-up): R2 clamps crossings to the edge cell where R3 takes the one
    cell inside, so edge observers agree a little less than centred ones (≥ 99.2 %, test above)."""
    dem = mountains(301, seed=11)
    a = viewshed(dem, r, c, cellsize=30.0, observer_height=30.0, max_distance=4500.0)
    b = viewshed_r3(dem, r, c, cellsize=30.0, observer_height=30.0, max_distance=4500.0)
    inside = _dist(dem.shape, r, c, 30.0) <= 4500.0
    assert np.all(a[inside] != 255) and np.all(a[~inside] == 255)
    assert np.array_equal(a == 255, b == 255)
    m = b != 255
    assert (b[m] == 1).sum() > 300
    assert (a[m] == b[m]).mean() >= 0.985
    iou = ((a == 1) & (b == 1)).sum() / ((a == 1) | (b == 1)).sum()
    assert iou >= 0.90, iou


def test_inputs_not_modified_and_dtypes(mountains):
    dem64 = mountains(81, seed=2).astype(np.float64)
    before = dem64.copy()
    a = viewshed(dem64, 40, 40, cellsize=30.0, observer_height=10.0, max_distance=1000.0)
    b = viewshed(dem64.astype(np.float32), 40, 40, cellsize=30.0, observer_height=10.0, max_distance=1000.0)
    assert np.array_equal(dem64, before)
    assert a.dtype == np.uint8 and a.shape == dem64.shape
    assert np.array_equal(a, b)
    assert a[40, 40] == 1


def test_sector_and_nodata(mountains):
    dem = mountains(101, seed=6)
    full = viewshed(dem, 50, 50, cellsize=30.0, observer_height=20.0, max_distance=1500.0)
    sec = viewshed(dem, 50, 50, cellsize=30.0, observer_height=20.0, max_distance=1500.0, sector=(300, 60))
    rr, cc = np.indices(dem.shape)
    az = np.degrees(np.arctan2(cc - 50, -(rr - 50))) % 360
    in_sec = (az >= 300) | (az <= 60)
    assert np.all(sec[~in_sec] == 255)
    assert np.array_equal(sec[in_sec], full[in_sec])
    holed = dem.copy()
    holed[10:14, 50] = np.nan
    vs = viewshed(holed, 50, 50, cellsize=30.0, observer_height=20.0, max_distance=1500.0)
    assert np.all(vs[10:14, 50] == 255)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        (dict(row=500, col=5), "outside the DEM"),
        (dict(cellsize=-30.0), "cellsize"),
        (dict(max_distance=0.0), "max_distance"),
        (dict(k=0.0), "k (effective earth radius factor)"),
        (dict(sector=(10,)), "sector"),
        (dict(observer_height=float("nan")), "observer_height"),
    ],
)
def test_bad_arguments_raise_analysis_error(kwargs, fragment):
    dem = np.zeros((20, 20), np.float32)
    args = dict(row=5, col=5, cellsize=30.0, observer_height=2.0, max_distance=300.0)
    args.update(kwargs)
    row, col = args.pop("row"), args.pop("col")
    with pytest.raises(AnalysisError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        viewshed(dem, row, col, **args)


def test_nodata_observer_raises():
    dem = np.zeros((20, 20), np.float32)
    dem[5, 5] = np.nan
    with pytest.raises(AnalysisError, match="nodata"):
        viewshed(dem, 5, 5, cellsize=30.0, observer_height=2.0, max_distance=300.0)


# --------------------------------------------------------------------------------------------------------
# peer tool
# --------------------------------------------------------------------------------------------------------
def run_gdal_viewshed(tmp_path, dem, r, c, *, cs, h, max_distance, tz=0.0):
    """Run Debian's gdal_viewshed on ``dem`` (EPSG:32648 GeoTIFF) and return its result on the DEM grid
    (1 visible, 0 hidden, 255 out of range)."""
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    x0, y0 = 400000.0, 2400000.0
    tr = Affine(cs, 0, x0, 0, -cs, y0)
    src, dst = tmp_path / "dem.tif", tmp_path / "gdal_vs.tif"
    with rasterio.open(src, "w", driver="GTiff", width=dem.shape[1], height=dem.shape[0], count=1,
                       dtype="float32", crs="EPSG:32648", transform=tr) as ds:
        ds.write(dem.astype(np.float32), 1)
    x, y = x0 + (c + 0.5) * cs, y0 - (r + 0.5) * cs
    subprocess.run(["gdal_viewshed", "-q", "-ox", repr(x), "-oy", repr(y), "-oz", repr(h), "-tz", repr(tz),
                    "-md", repr(max_distance), "-cc", "0.75", "-vv", "1", "-iv", "0", "-ov", "255",
                    str(src), str(dst)], check=True, capture_output=True)
    with rasterio.open(dst) as ds:
        g0, gt = ds.read(1), ds.transform
    g = np.full(dem.shape, 255, np.uint8)  # gdal crops its output to the radius window
    ro, co = int(round((y0 - gt.f) / cs)), int(round((gt.c - x0) / cs))
    g[ro:ro + g0.shape[0], co:co + g0.shape[1]] = g0
    return g


@pytest.mark.peer
@pytest.mark.skipif(shutil.which("gdal_viewshed") is None, reason="gdal_viewshed (Debian gdal-bin) not installed")
@pytest.mark.parametrize("seed", [1, 3, 5])
def test_matches_gdal_viewshed(tmp_path, mountains, seed):
    """Against gdal_viewshed with k = 4/3 (-cc 0.75), 30 m tower at the centre: ≥ 98 % agreement.

    (On hilltop observers GDAL 3.6 agrees with us on 96.5–98 % only, and equally little with the exact R3
    oracle, which agrees with us on ≥ 99.3 %: GDAL's own approximation hides more cells. See the report.)
    """
    dem = np.asarray(mountains(301, seed=seed))
    ours = viewshed(dem, 150, 150, cellsize=30.0, observer_height=30.0, max_distance=4500.0, k=4 / 3)
    g = run_gdal_viewshed(tmp_path, dem, 150, 150, cs=30.0, h=30.0, max_distance=4500.0)
    assert np.array_equal(ours == 255, g == 255)
    m = ours != 255
    assert (ours[m] == 1).sum() > 300
    assert (ours[m] == g[m]).mean() >= 0.98
