"""Slope/hillshade against analytic planes and gdaldem; distance masks; candidate thinning."""

import shutil
import subprocess

import numpy as np
import pytest

from analysis import AnalysisError
from analysis.terrain_ops import (
    candidate_mask,
    distance_mask,
    distance_to_mask,
    hillshade,
    slope_deg,
    thin_candidates,
)


def plane(shape, cs, gx, gy, z0=500.0):
    """z = z0 + gx * x + gy * y, x east, y north (row 0 = north)."""
    r, c = np.mgrid[0 : shape[0], 0 : shape[1]]
    x = (c + 0.5) * cs
    y = -(r + 0.5) * cs
    return z0 + gx * x + gy * y


def test_slope_of_planes_is_exact_including_edges():
    for gx, gy in [(0.0, 0.0), (0.1, 0.0), (0.0, -0.3), (0.2, 0.2)]:
        s = slope_deg(plane((6, 7), 30.0, gx, gy), 30.0)
        np.testing.assert_allclose(s, np.degrees(np.arctan(np.hypot(gx, gy))), atol=1e-4)
        assert s.dtype == np.float32


def test_hillshade_flat_and_plane_facing_sun():
    flat = hillshade(np.full((4, 4), 100.0), 90.0, azimuth=315, altitude=45)
    assert np.all(flat == round(255 * np.sin(np.radians(45))))
    # a plane rising away from a sun in the south-west at 30 degrees: slope 60 facing south-west -> cos i = 1
    g = np.tan(np.radians(60))
    # facing azimuth 225 means the surface descends toward south-west: z grows toward north-east
    e = g * np.sin(np.radians(45))
    facing = hillshade(plane((5, 5), 30.0, e, e), 30.0, azimuth=225, altitude=30)
    assert np.all(facing[1:-1, 1:-1] == 255)
    # the same plane lit from the north-east is in shadow
    back = hillshade(plane((5, 5), 30.0, e, e), 30.0, azimuth=45, altitude=30)
    assert np.all(back[1:-1, 1:-1] == 0)


@pytest.mark.peer
@pytest.mark.skipif(shutil.which("gdaldem") is None, reason="gdaldem (Debian gdal-bin) not installed")
def test_slope_and_hillshade_match_gdaldem(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    rng = np.random.default_rng(5)
    base = rng.normal(0, 40, (40, 50))
    from scipy.ndimage import gaussian_filter

    dem = (800 + gaussian_filter(base, 2) * 20).astype(np.float32)
    cs = 90.0
    asc = tmp_path / "dem.asc"
    with open(asc, "w") as f:
        f.write(f"ncols {dem.shape[1]}\nnrows {dem.shape[0]}\nxllcorner 500000\nyllcorner 2300000\n")
        f.write(f"cellsize {cs}\n")
        for row in dem:
            f.write(" ".join(f"{v:.4f}" for v in row) + "\n")
    subprocess.run(["gdaldem", "slope", "-q", str(asc), str(tmp_path / "s.tif")], check=True)
    subprocess.run(["gdaldem", "hillshade", "-q", str(asc), str(tmp_path / "h.tif")], check=True)
    with rasterio.open(tmp_path / "s.tif") as src:
        ref_s = src.read(1)
    with rasterio.open(tmp_path / "h.tif") as src:
        ref_h = src.read(1).astype(float)
    inner = (slice(1, -1), slice(1, -1))  # gdaldem leaves the border as nodata without -compute_edges
    np.testing.assert_allclose(slope_deg(dem, cs)[inner], ref_s[inner], atol=1e-3)
    ours = hillshade(dem, cs).astype(float) / 255.0
    theirs = (ref_h - 1.0) / 254.0  # gdal: 1 + 254 * cos(i), 0 = nodata
    np.testing.assert_allclose(ours[inner], np.clip(theirs[inner], 0, 1), atol=0.01)


def test_distance_to_mask_and_points():
    m = np.zeros((5, 5), bool)
    m[2, 2] = True
    d = distance_to_mask(m, 100.0)
    assert d[2, 2] == 0 and d[2, 4] == pytest.approx(200.0) and d[0, 0] == pytest.approx(np.hypot(200, 200))
    assert np.all(np.isinf(distance_to_mask(np.zeros((2, 2), bool), 10.0)))
    dm = distance_mask((5, 5), [2, 99], [2, 99], 100.0, 150.0)  # second point outside the raster, ignored
    assert dm.sum() == 9 and dm[2, 2] and dm[1, 1] and not dm[0, 2]


def test_thin_keeps_highest_per_block_and_never_empties_a_block():
    mask = np.zeros((4, 6), bool)
    dem = np.arange(24, dtype=float).reshape(4, 6)
    mask[0, 0] = mask[1, 1] = True  # block (0,0): keep (1,1), the higher
    mask[3, 5] = True  # block (1,2): single cell kept
    out = thin_candidates(mask, dem, 2)
    assert set(zip(*np.nonzero(out), strict=True)) == {(1, 1), (3, 5)}
    np.testing.assert_array_equal(thin_candidates(mask, dem, 1), mask)
    with pytest.raises(AnalysisError, match="spacing_cells"):
        thin_candidates(mask, dem, 0)


def test_candidate_mask_constraints():
    cs = 100.0
    dem = np.zeros((6, 6))
    dem[:, 4:] = np.arange(2) * 300.0 + 300  # a steep step on the east side
    roads = np.zeros((6, 6), bool)
    roads[0, :] = True
    valid = np.ones((6, 6), bool)
    valid[1, 0] = False
    cand = candidate_mask(dem, cs, max_slope_deg=20, near_mask=roads, max_distance_m=150, valid_mask=valid)
    expected = np.zeros((6, 6), bool)
    expected[0:2, :] = True  # within 150 m of the road row
    expected[1, 0] = False  # invalid
    expected &= slope_deg(dem, cs) <= 20
    np.testing.assert_array_equal(cand, expected)
    assert not cand[:, 3:].any()  # the step makes columns 3.. too steep
    with pytest.raises(AnalysisError, match="max_distance_m"):
        candidate_mask(dem, cs, near_mask=roads)
    with pytest.raises(AnalysisError, match="cellsize"):
        slope_deg(dem, 0)
