"""Land cover ("clutter") raster: loading onto the analysis grid, the class table, errors, project settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from coverage_planner.errors import InputError, RasterError
from coverage_planner.landcover import WORLDCOVER, ClutterClass, load_landcover
from coverage_planner.project import load_project, project_from_dict, save_project
from coverage_planner.results import Grid

from .tiny_project import CELL, CRS, X0, Y0, N

FINE = 30.0  # land-cover pixels: 3 per analysis cell


def write_landcover(path: Path, codes: np.ndarray, *, cell=FINE, x0=X0, y0=Y0, crs=CRS, nodata=0, dtype="uint8"):
    import rasterio
    from affine import Affine

    kw = {"crs": crs} if crs else {}
    with rasterio.open(path, "w", driver="GTiff", width=codes.shape[1], height=codes.shape[0], count=1, dtype=dtype,
                       transform=Affine(cell, 0, x0, 0, -cell, y0), nodata=nodata, **kw) as dst:
        dst.write(codes.astype(dtype), 1)
    return path


def forest_west_grass_east(n_fine=N * 3) -> np.ndarray:
    """Tree cover (10) west of the tiny project's ridge, grassland (30) east; the top 3 analysis rows nodata (0);
    a few stray cropland pixels (40) that majority resampling must not pick."""
    codes = np.where(np.arange(n_fine)[None, :] < 60 * 3, 10, 30).repeat(n_fine, axis=0).astype(np.uint8)
    codes[: 3 * 3, :] = 0
    codes[30:33:3, 30:200:3] = 40  # one pixel in nine: never the majority
    return codes


def grid() -> Grid:
    return Grid(x0=X0, y0=Y0, cellsize=CELL, shape=(N, N), crs=CRS)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_majority_resampling_classes_counts_and_no_data(tmp_path):
    src = write_landcover(tmp_path / "lc.tif", forest_west_grass_east())
    before = sha(src)
    lc = load_landcover(src, grid(), WORLDCOVER)
    assert sha(src) == before  # the input is only read
    assert lc.codes.shape == (N, N)
    assert np.all(lc.codes[:3] == -1)  # nodata rows
    assert np.all(lc.codes[3:, :60] == 10) and np.all(lc.codes[3:, 60:] == 30)
    assert lc.counts == {10: (N - 3) * 60, 30: (N - 3) * 60}
    assert lc.warnings == [f"clutter: {3 * N} analysis cell(s) have no land-cover data and use the constant "
                           "[radio] vegetation values"]
    assert "lc.tif" in lc.source


def test_vegetation_arrays_use_the_class_table_and_fallback(tmp_path):
    lc = load_landcover(write_landcover(tmp_path / "lc.tif", forest_west_grass_east()), grid(), WORLDCOVER)
    v = lc.vegetation(WORLDCOVER, fallback=(7.0, 3.0, 2.5))
    tree = WORLDCOVER[10]
    assert v.at(50, 10) == (tree.db_per_km, tree.max_db, tree.height_m)
    assert v.at(50, 100) == (0.0, 0.0, 0.0)  # grassland
    assert v.at(0, 10) == (7.0, 3.0, 2.5)  # no data: the [radio] constants
    assert all(a.dtype == np.float32 for a in (v.db_per_km, v.max_db, v.height_m))
    other = {**WORLDCOVER, 10: ClutterClass("Dense forest", 400.0, 35.0, 20.0)}
    assert lc.vegetation(other, (7.0, 3.0, 2.5)).fingerprint() != v.fingerprint()
    assert lc.vegetation(dict(WORLDCOVER), (7.0, 3.0, 2.5)).fingerprint() == v.fingerprint()


def test_unknown_class_codes_are_listed_with_counts_and_how_to_fix(tmp_path):
    codes = forest_west_grass_east()
    codes[200:, 300:] = 12  # not a WorldCover class
    src = write_landcover(tmp_path / "my_landcover.tif", codes)
    with pytest.raises(InputError) as exc:
        load_landcover(src, grid(), WORLDCOVER)
    msg = str(exc.value)
    assert "my_landcover.tif" in msg and "12 (" in msg and "cells" in msg
    assert "[clutter.classes]" in msg and '"12" = {' in msg
    assert exc.value.field == "clutter.classes"


@pytest.mark.parametrize("case, fragment", [
    ("continuous", "non-integer"),
    ("no_crs", "no CRS"),
    ("elsewhere", "does not overlap"),
])
def test_bad_rasters_raise_raster_errors_naming_the_file(tmp_path, case, fragment):
    codes = forest_west_grass_east()
    if case == "continuous":
        src = write_landcover(tmp_path / "lc.tif", codes.astype(np.float32) + 0.25, dtype="float32", nodata=None)
    elif case == "no_crs":
        src = write_landcover(tmp_path / "lc.tif", codes, crs=None)
    else:
        src = write_landcover(tmp_path / "lc.tif", codes, x0=X0 + 500_000.0)
    with pytest.raises(RasterError, match=fragment) as exc:
        load_landcover(src, grid(), WORLDCOVER)
    assert "lc.tif" in str(exc.value)


def test_project_clutter_classes_round_trip_and_defaults(tmp_path):
    p = project_from_dict({"clutter": {"classes": {"10": {"name": "Rừng", "db_per_km": 250, "max_db": 25,
                                                          "height_m": 18}, "30": {"name": "Cỏ"}}}})
    assert p.clutter_classes == {10: ClutterClass("Rừng", 250, 25, 18), 30: ClutterClass("Cỏ")}
    path = save_project(p, tmp_path / "p.toml")
    assert load_project(path).clutter_classes == p.clutter_classes
    # the default table (ESA WorldCover) is not written into every project file
    q = project_from_dict({})
    assert q.clutter_classes == WORLDCOVER
    text = save_project(q, tmp_path / "q.toml").read_text(encoding="utf-8")
    assert "[clutter" not in text
    assert load_project(tmp_path / "q.toml").clutter_classes == WORLDCOVER


@pytest.mark.parametrize("classes, fragment", [
    ({"ten": {}}, "whole number"),
    ({"10": {"db_per_km": -5}}, "out of range"),
    ({"10": {"height": 3}}, "unknown key 'height'"),
    ({}, "is empty"),
])
def test_project_clutter_class_errors(classes, fragment):
    from coverage_planner.errors import ProjectError

    with pytest.raises(ProjectError, match=fragment):
        project_from_dict({"clutter": {"classes": classes}})



# --------------------------------------------------------------------------------------------------------
# the pipeline uses it
# --------------------------------------------------------------------------------------------------------
def _tiny_with_landcover(folder: Path, codes: np.ndarray) -> Path:
    from .tiny_project import write_project

    path = write_project(folder)
    write_landcover(folder / "lc.tif", codes)
    text = path.read_text(encoding="utf-8").replace('towns = "towns.csv"\n', 'towns = "towns.csv"\nclutter = "lc.tif"\n')
    path.write_text(text, encoding="utf-8")
    return path


def test_pipeline_applies_land_cover_vegetation_at_the_receiver(tmp_path):
    """Tree cover west of the ridge lowers the level there (by at most the class cap), grassland east of it and
    the no-data rows (constant vegetation 0) keep exactly the level without land cover; the cache keys differ,
    and changing the class table recomputes."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project

    from .tiny_project import write_project

    plain = load_project(write_project(tmp_path / "plain"))
    wooded = load_project(_tiny_with_landcover(tmp_path / "wooded", forest_west_grass_east()))
    ra = pipeline.run(plain, cache_dir=tmp_path / "cache")
    ctx = pipeline.prepare(wooded, cache_dir=tmp_path / "cache")  # same cache folder: keys must not collide
    rb = pipeline.run(wooded, context=ctx)
    a, b = ra.best_level, rb.best_level
    both = np.isfinite(a) & np.isfinite(b)
    west = both & (np.arange(N)[None, :] < 58) & (np.arange(N)[:, None] >= 3)
    east = both & (np.arange(N)[None, :] >= 62)
    drop = a[west] - b[west]
    q = 0.01 + 1e-3  # levels are stored in hundredths of a dB: a difference of two may exceed the cap by 0.01
    assert drop.min() >= -q and drop.max() <= WORLDCOVER[10].max_db + q
    assert np.median(drop) > 5.0  # a handset at 1.5 m under a 15 m canopy loses many dB
    np.testing.assert_allclose(b[east], a[east], atol=1e-3)
    np.testing.assert_allclose(b[:3][both[:3]], a[:3][both[:3]], atol=1e-3)
    assert "land cover lc.tif" in rb.parameters["vegetation"]
    # a station in the forest has a lower level than without land cover
    la = ra.stations.set_index("id")["level_dbm"]
    lb_ = rb.stations.set_index("id")["level_dbm"]
    assert lb_["KV-W1"] < la["KV-W1"] - 5.0
    # a lighter forest in the class table: recomputed (not a stale cache hit), the loss shrinks
    wooded.clutter_classes = {**WORLDCOVER, 10: ClutterClass("Light forest", 50.0, 5.0, 15.0)}
    rc = pipeline.run(wooded, context=ctx)
    d2 = (a - rc.best_level)[west]
    assert d2.max() <= 5.0 + q and np.median(d2) < np.median(drop)
