"""CLI: ``coverage-planner viewshed`` / ``coverage`` (click CliRunner) and a comparison with gdal_viewshed."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

rasterio = pytest.importorskip("rasterio")
from affine import Affine  # noqa: E402

from analysis import linkbudget as lb  # noqa: E402
from analysis.viewshed import viewshed  # noqa: E402
from coverage_planner.cli import main  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from conftest import fractal_dem  # noqa: E402

X0, Y0, CS = 400000.0, 2400000.0, 30.0


def write_dem(path, dem, crs="EPSG:32648", cs=CS, nodata=None):
    tr = Affine(cs, 0, X0, 0, -cs, Y0)
    with rasterio.open(path, "w", driver="GTiff", width=dem.shape[1], height=dem.shape[0], count=1,
                       dtype=dem.dtype.name, crs=crs, transform=tr, nodata=nodata) as ds:
        ds.write(dem, 1)
    return path


def centre(r, c):
    return X0 + (c + 0.5) * CS, Y0 - (r + 0.5) * CS


@pytest.fixture(scope="module")
def dem_arr():
    return fractal_dem(161, seed=31)


def test_viewshed_command_writes_the_kernel_result(tmp_path, dem_arr):
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    out = tmp_path / "vs.tif"
    x, y = centre(80, 70)
    res = CliRunner().invoke(main, ["viewshed", str(src), str(out), "--x", str(x), "--y", str(y),
                                    "--observer-height", "25", "--target-height", "2", "--max-distance", "2000",
                                    "--k", "1.3333333333"])
    assert res.exit_code == 0, res.output
    assert "cells visible" in res.output
    with rasterio.open(out) as ds:
        got, nodata, crs, tr = ds.read(1), ds.nodata, ds.crs, ds.transform
    want = viewshed(dem_arr, 80, 70, cellsize=CS, observer_height=25.0, target_height=2.0, max_distance=2000.0,
                    k=1.3333333333)
    assert got.dtype == np.uint8 and nodata == 255 and crs.to_epsg() == 32648 and tr.c == X0
    assert np.array_equal(got, want)
    assert set(np.unique(got)) <= {0, 1, 255} and (got == 1).sum() > 50


def test_viewshed_nodata_becomes_255(tmp_path, dem_arr):
    dem = np.round(dem_arr).astype(np.int16)
    dem[10:15, 80] = -32768
    src = write_dem(tmp_path / "dem16.tif", dem, nodata=-32768)
    out = tmp_path / "vs.tif"
    x, y = centre(80, 80)
    res = CliRunner().invoke(main, ["viewshed", str(src), str(out), "--x", str(x), "--y", str(y),
                                    "--max-distance", "3000"])
    assert res.exit_code == 0, res.output
    with rasterio.open(out) as ds:
        got = ds.read(1)
    assert np.all(got[10:15, 80] == 255)
    assert np.all(got[20:30, 80] != 255)


@pytest.mark.parametrize(
    "args",
    [
        ["--y", "2397000", "--max-distance", "1000"],  # --x missing
        ["--x", "402000", "--y", "2397000", "--max-distance", "-5"],
        ["--x", "abc", "--y", "2397000", "--max-distance", "1000"],
        ["--x", "402000", "--y", "2397000", "--max-distance", "1000", "--k", "0"],
        # NaN / infinity are usage errors, not tracebacks or application errors
        ["--x", "nan", "--y", "2397000", "--max-distance", "1000"],
        ["--x", "402000", "--y", "inf", "--max-distance", "1000"],
        ["--x", "402000", "--y", "2397000", "--max-distance", "inf"],
        ["--x", "402000", "--y", "2397000", "--max-distance", "nan"],
        ["--x", "402000", "--y", "2397000", "--max-distance", "1000", "--observer-height", "nan"],
        ["--x", "402000", "--y", "2397000", "--max-distance", "1000", "--sector", "nan", "10"],
        ["--x", "402000", "--y", "2397000", "--max-distance", "1000", "--k", "nan"],
    ],
)
def test_viewshed_usage_errors_exit_2(tmp_path, dem_arr, args):
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    res = CliRunner().invoke(main, ["viewshed", str(src), str(tmp_path / "o.tif"), *args])
    assert res.exit_code == 2
    assert not (tmp_path / "o.tif").exists()


def test_viewshed_input_errors_exit_1(tmp_path, dem_arr):
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    res = CliRunner().invoke(main, ["viewshed", str(src), str(tmp_path / "o.tif"), "--x", "10", "--y", "10",
                                    "--max-distance", "1000"])
    assert res.exit_code == 1
    assert "outside the DEM" in res.output and "How to fix" in res.output
    geo = tmp_path / "geo.tif"
    with rasterio.open(geo, "w", driver="GTiff", width=20, height=20, count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(0.001, 0, 103.0, 0, -0.001, 21.5)) as ds:
        ds.write(np.zeros((20, 20), np.float32), 1)
    res = CliRunner().invoke(main, ["viewshed", str(geo), str(tmp_path / "o.tif"), "--x", "103.01", "--y", "21.49",
                                    "--max-distance", "500"])
    assert res.exit_code == 1
    assert "geographic CRS" in res.output and "reproject" in res.output
    assert not (tmp_path / "o.tif").exists()


@pytest.mark.peer
@pytest.mark.skipif(shutil.which("gdal_viewshed") is None, reason="gdal_viewshed (Debian gdal-bin) not installed")
def test_viewshed_command_agrees_with_gdal_viewshed(tmp_path):
    dem = fractal_dem(241, seed=5)
    src = write_dem(tmp_path / "dem.tif", dem)
    x, y = centre(120, 120)
    ours, theirs = tmp_path / "ours.tif", tmp_path / "gdal.tif"
    res = CliRunner().invoke(main, ["viewshed", str(src), str(ours), "--x", repr(x), "--y", repr(y),
                                    "--observer-height", "30", "--max-distance", "3500", "--k", str(4 / 3)])
    assert res.exit_code == 0, res.output
    subprocess.run(["gdal_viewshed", "-q", "-ox", repr(x), "-oy", repr(y), "-oz", "30", "-tz", "0", "-md", "3500",
                    "-cc", "0.75", "-vv", "1", "-iv", "0", "-ov", "255", str(src), str(theirs)],
                   check=True, capture_output=True)
    with rasterio.open(ours) as a, rasterio.open(theirs) as b:
        va, vb0, tb = a.read(1), b.read(1), b.transform
    vb = np.full(va.shape, 255, np.uint8)  # gdal crops to the radius window
    ro, co = int(round((Y0 - tb.f) / CS)), int(round((tb.c - X0) / CS))
    vb[ro:ro + vb0.shape[0], co:co + vb0.shape[1]] = vb0
    m = va != 255
    assert np.array_equal(m, vb != 255)
    assert (va[m] == 1).sum() > 300
    assert (va[m] == vb[m]).mean() >= 0.98


def _towers_csv(path, rows):
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)
    lines = ["id,operator,technology,lon,lat,height_m,frequency_mhz,eirp_dbm,azimuth_deg,beamwidth_deg,"
             "front_to_back_db,mech_tilt_deg,elec_tilt_deg,vertical_beamwidth_deg,status"]
    for tid, r, c, az in rows:
        lon, lat = tr.transform(*centre(r, c))
        lines.append(f"{tid},Viettel,4G,{lon:.8f},{lat:.8f},30,1800,60,{az},65,25,2,2,8,on_air")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_coverage_command(tmp_path, dem_arr):
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    towers = _towers_csv(tmp_path / "towers.csv", [("T1", 80, 80, "omni"), ("S-A", 60, 90, 0), ("S-B", 60, 90, 180)])
    out = tmp_path / "lvl.tif"
    res = CliRunner().invoke(main, ["coverage", str(src), str(out), "--tower-file", str(towers), "--tower-id", "T1",
                                    "--max-distance", "1500", "--model", "knife_edge"])
    assert res.exit_code == 0, res.output
    with rasterio.open(out) as ds:
        got, tr = ds.read(1), ds.transform
    params = lb.LinkParams(model="knife_edge", max_distance_m=1500.0, margin_db=3.0)  # the default --margin
    w = lb.received_level(dem_arr, lb.RadioSite(80, 80, 30.0, 1800.0, 60.0, azimuth_deg=None, mech_tilt_deg=2.0,
                                                elec_tilt_deg=2.0, vertical_beamwidth_deg=8.0), params, cellsize=CS)
    assert (tr.c, tr.f) == (X0 + w.col0 * CS, Y0 - w.row0 * CS)
    assert np.allclose(got, w.level_dbm, equal_nan=True)
    # two sectors of one site: best of both per cell
    res = CliRunner().invoke(main, ["coverage", str(src), str(out), "--tower-file", str(towers), "--tower-id", "S-A",
                                    "--tower-id", "S-B", "--max-distance", "1500", "--model", "free_space"])
    assert res.exit_code == 0, res.output
    with rasterio.open(out) as ds:
        both = ds.read(1)
    p2 = lb.LinkParams(model="free_space", max_distance_m=1500.0, margin_db=3.0)
    kw = dict(mech_tilt_deg=2.0, elec_tilt_deg=2.0, vertical_beamwidth_deg=8.0)
    north = lb.received_level(dem_arr, lb.RadioSite(60, 90, 30, 1800, 60, azimuth_deg=0.0, **kw), p2, cellsize=CS)
    south = lb.received_level(dem_arr, lb.RadioSite(60, 90, 30, 1800, 60, azimuth_deg=180.0, **kw), p2, cellsize=CS)
    assert np.allclose(both, np.fmax(north.level_dbm, south.level_dbm), equal_nan=True)
    assert not math.isclose(float(np.nanmax(north.level_dbm - south.level_dbm)), 0.0)
    # --margin 0: 3 dB more everywhere than the default (the project's 3 dB body loss)
    res = CliRunner().invoke(main, ["coverage", str(src), str(tmp_path / "m0.tif"), "--tower-file", str(towers),
                                    "--tower-id", "S-A", "--tower-id", "S-B", "--max-distance", "1500", "--model",
                                    "free_space", "--margin", "0"])
    with rasterio.open(tmp_path / "m0.tif") as ds:
        m0 = ds.read(1)
    assert np.array_equal(np.isnan(m0), np.isnan(both))
    assert np.allclose((m0 - both)[~np.isnan(both)], 3.0, atol=1e-4)


def test_coverage_unknown_tower_and_bad_model(tmp_path, dem_arr):
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    towers = _towers_csv(tmp_path / "towers.csv", [("T1", 80, 80, "omni")])
    res = CliRunner().invoke(main, ["coverage", str(src), str(tmp_path / "o.tif"), "--tower-file", str(towers),
                                    "--tower-id", "T9"])
    assert res.exit_code == 2  # a usage error, as an unknown `run --down` id
    assert "no tower with id 'T9'" in res.output and "T1" in res.output
    res = CliRunner().invoke(main, ["coverage", str(src), str(tmp_path / "o.tif"), "--tower-file", str(towers)])
    assert res.exit_code == 2  # --tower-id missing
    res = CliRunner().invoke(main, ["coverage", str(src), str(tmp_path / "o.tif"), "--tower-file", str(towers),
                                    "--tower-id", "T1", "--model", "itm"])
    assert res.exit_code == 2


def test_output_cannot_overwrite_an_input(tmp_path, dem_arr):
    """OUT naming the DEM (or the towers file) is a usage error; the input stays byte for byte."""
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    before = src.read_bytes()
    x, y = centre(80, 70)
    res = CliRunner().invoke(main, ["viewshed", str(src), str(src), "--x", str(x), "--y", str(y),
                                    "--max-distance", "1000"])
    assert res.exit_code == 2 and "never overwritten" in res.output
    towers = _towers_csv(tmp_path / "towers.csv", [("T1", 80, 80, "omni")])
    tbefore = towers.read_bytes()
    for out in (src, towers, tmp_path / "." / "dem.tif"):
        res = CliRunner().invoke(main, ["coverage", str(src), str(out), "--tower-file", str(towers),
                                        "--tower-id", "T1", "--max-distance", "500"])
        assert res.exit_code == 2 and "never overwritten" in res.output, res.output
    assert src.read_bytes() == before and towers.read_bytes() == tbefore


def test_coverage_bad_source_crs_and_infinite_margin_are_usage_errors(tmp_path, dem_arr):
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    towers = _towers_csv(tmp_path / "towers.csv", [("T1", 80, 80, "omni")])
    base = ["coverage", str(src), str(tmp_path / "o.tif"), "--tower-file", str(towers), "--tower-id", "T1"]
    res = CliRunner().invoke(main, [*base, "--source-crs", "EPSG:9999999"])
    assert res.exit_code == 2 and "--source-crs" in res.output and "Traceback" not in res.output
    for opt in (["--margin", "inf"], ["--receiver-gain", "nan"]):
        res = CliRunner().invoke(main, [*base, *opt])
        assert res.exit_code == 2 and "finite" in res.output
    assert not (tmp_path / "o.tif").exists()


def test_help_shows_no_empty_ranges():
    """Unbounded number options said "[x<=None; required]" in --help."""
    from coverage_planner.cli import main

    for cmd in ("viewshed", "coverage"):
        out = CliRunner().invoke(main, [cmd, "--help"]).output
        assert "None" not in out and "[required]" in out, cmd
    assert "[default: 2.0; x>=0.0]" in CliRunner().invoke(main, ["viewshed", "--help"]).output  # bounds still shown


def test_coverage_tower_id_typing_slips_say_did_you_mean(tmp_path, dem_arr):
    """A case slip, another separator or a missing zero names the tower meant; an id like nothing in the file
    guesses nothing. It said only "no tower with id 'vtl-001-a'" with the first 15 ids of the file, exit 1."""
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    towers = _towers_csv(tmp_path / "towers.csv", [("VTL-001-A", 60, 90, 0), ("VTL-001-B", 60, 90, 180),
                                                   ("VTL-017", 80, 80, "omni")])
    base = ["coverage", str(src), str(tmp_path / "o.tif"), "--tower-file", str(towers), "--max-distance", "900"]
    for typed, meant in (("vtl-001-a", "VTL-001-A"), ("VTL_01_B", "VTL-001-B"), ("vtl-17", "VTL-017"),
                         ("vtl-1", "VTL-001")):
        res = CliRunner().invoke(main, [*base, "--tower-id", typed])
        assert res.exit_code == 2, res.output
        assert f"'{typed}' (did you mean '{meant}'?)" in res.output and "--tower-id" in res.output, res.output
    res = CliRunner().invoke(main, [*base, "--tower-id", "XX-9"])
    assert res.exit_code == 2 and "'XX-9' in" in res.output and "did you mean" not in res.output
    assert "VTL-017" in res.output  # the file's ids
    assert not (tmp_path / "o.tif").exists()


def test_coverage_site_id_or_commas_take_all_sectors(tmp_path, dem_arr):
    """A site id stands for its sectors (as `run --down` does), and ids may be comma-separated: both give the file
    that repeating --tower-id for each sector gives."""
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    towers = _towers_csv(tmp_path / "towers.csv", [("S-A", 60, 90, 0), ("S-B", 60, 90, 180), ("T1", 80, 80, "omni")])
    base = ["coverage", str(src), "--tower-file", str(towers), "--max-distance", "900"]
    got = {}
    for name, ids in (("rep", ["--tower-id", "S-A", "--tower-id", "S-B"]), ("site", ["--tower-id", "S"]),
                      ("comma", ["--tower-id", "S-A, S-B"])):
        res = CliRunner().invoke(main, [base[0], base[1], str(tmp_path / f"{name}.tif"), *base[2:], *ids])
        assert res.exit_code == 0, res.output
        assert ("S is a site: its 2 sectors (S-A, S-B)" in res.output) == (name == "site"), res.output
        with rasterio.open(tmp_path / f"{name}.tif") as ds:
            got[name] = (ds.read(1), ds.transform, ds.tags()["sectors"])
    for name in ("site", "comma"):
        assert np.array_equal(got[name][0], got["rep"][0], equal_nan=True) and got[name][1:] == got["rep"][1:]
    assert got["rep"][2] == "2"


def test_viewshed_lon_lat_instead_of_metres_says_which_x_y_to_type(tmp_path, dem_arr):
    """--x/--y typed as longitude/latitude: the message gives the DEM's extent in whole metres (it printed
    "y 2.39517e+06…2.4e+06") and the projected X/Y of that point, which then work."""
    from pyproj import Transformer

    src = write_dem(tmp_path / "dem.tif", dem_arr)
    lon, lat = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True).transform(*centre(80, 70))
    out = tmp_path / "o.tif"
    res = CliRunner().invoke(main, ["viewshed", str(src), str(out), "--x", f"{lon:.5f}", "--y", f"{lat:.5f}",
                                    "--max-distance", "1000"])
    assert res.exit_code == 1 and "e+06" not in res.output, res.output
    assert f"y {Y0 - len(dem_arr) * CS:.0f} … {Y0:.0f} m in EPSG:32648" in res.output
    assert "look like longitude/latitude" in res.output
    hinted = res.output.split("that point is ")[1].split()
    assert hinted[0] == "--x" and hinted[2] == "--y"
    assert abs(float(hinted[1]) - centre(80, 70)[0]) < 2 and abs(float(hinted[3]) - centre(80, 70)[1]) < 2
    res = CliRunner().invoke(main, ["viewshed", str(src), str(out), "--x", hinted[1], "--y", hinted[3],
                                    "--max-distance", "1000"])
    assert res.exit_code == 0, res.output
    # far off in metres: no such hint
    res = CliRunner().invoke(main, ["viewshed", str(src), str(out), "--x", "10", "--y", "10", "--max-distance", "1000"])
    assert res.exit_code == 1 and "longitude" not in res.output and "--x 10 --y 10" in res.output


def test_k_factor_is_the_radio_commands_k(tmp_path, dem_arr):
    """`--k` is the number of mobile sites in `run` but the earth-radius factor in `viewshed`/`coverage`: these take
    `--k-factor` (the project file's name, k_factor) too, the same option; the help says which is which."""
    src = write_dem(tmp_path / "dem.tif", dem_arr)
    x, y = centre(80, 70)
    base = ["viewshed", str(src), None, "--x", str(x), "--y", str(y), "--observer-height", "25", "--max-distance", "2500"]
    out = {}
    for opt in ("--k", "--k-factor"):
        args = [*base, opt, "0.05"]
        args[2] = str(tmp_path / f"vs{opt}.tif")
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0, res.output
        with rasterio.open(args[2]) as ds:
            out[opt] = ds.read(1)
    want = viewshed(dem_arr, 80, 70, cellsize=CS, observer_height=25.0, target_height=0.0, max_distance=2500.0, k=0.05)
    assert np.array_equal(out["--k"], want) and np.array_equal(out["--k-factor"], want)
    assert not np.array_equal(want, viewshed(dem_arr, 80, 70, cellsize=CS, observer_height=25.0, target_height=0.0,
                                             max_distance=2500.0))  # the factor matters here
    for name in ("viewshed", "coverage"):
        text = " ".join(CliRunner().invoke(main, [name, "--help"]).output.split())
        assert "--k-factor, --k FACTOR" in text and "in `run`, --k is the number of mobile sites" in text, text
