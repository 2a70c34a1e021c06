"""The embedded Điện Biên sample: deterministic generator, committed files up to date, plausible content."""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.transform
import rasterio.warp
import shapely
from shapely.geometry import Point, shape

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "data" / "make_sample.py"
SAMPLE = REPO / "data" / "sample" / "dien_bien"
TIF = "dem.tif"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sample", mod)                          # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _files(d: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(d.iterdir()) if p.is_file()}


def _versions() -> str:
    import pyproj
    import scipy
    return (f"numpy {np.__version__}, scipy {scipy.__version__}, shapely {shapely.__version__} "
            f"(GEOS {shapely.geos_version_string}), pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
            f"rasterio {rasterio.__version__} (GDAL {rasterio.__gdal_version__})")


def _rows(p: Path) -> list[dict]:
    with open(p, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sample() -> Path:
    if not (SAMPLE / "project.toml").is_file():
        pytest.fail(f"{SAMPLE} is missing: run .venv/bin/python data/make_sample.py and commit the result")
    return SAMPLE


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    """Two independent processes generate the sample side by side (the machine has 2 cores).

    The second run reads a copy of data/inputs/ placed elsewhere: identical outputs then also show that a
    default run needs nothing but the script and its input tables."""
    outs = [tmp_path_factory.mktemp(f"run{i}") / "dien_bien" for i in (1, 2)]
    inputs_copy = tmp_path_factory.mktemp("inputs_copy") / "inputs"
    shutil.copytree(REPO / "data" / "inputs", inputs_copy)
    cmds = [[sys.executable, str(SCRIPT), "--out", str(outs[0]), "--quiet"],
            [sys.executable, str(SCRIPT), "--out", str(outs[1]), "--inputs", str(inputs_copy), "--quiet"]]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=outs[0].parent)
             for c in cmds]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, f"make_sample.py failed:\n{out}\n{err}"
    return outs[0], outs[1]


# ------------------------------------------------------------------------------------------- determinism
@pytest.mark.slow
def test_two_runs_are_byte_identical(two_runs):
    a, b = two_runs
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    assert {"project.toml", TIF, "communes.geojson", "border.geojson", "roads.geojson", "towns.csv",
            "towers.csv", "polling_stations.csv"} <= set(fa)
    diff = [n for n in fa if _sha(fa[n]) != _sha(fb[n])]
    assert diff == [], f"files differ between two runs: {diff}"


@pytest.mark.slow
def test_committed_sample_is_what_the_script_makes(two_runs, sample):
    gen, com = _files(two_runs[0]), _files(sample)
    assert sorted(gen) == sorted(com), "committed file set differs from a fresh run: re-run make_sample.py"
    stale = [n for n in gen if n != TIF and gen[n].read_bytes() != com[n].read_bytes()]
    assert stale == [], (f"committed files differ from a fresh run: {stale}. Re-run data/make_sample.py and "
                         f"commit, unless only library versions differ from those in data/README.md "
                         f"(here: {_versions()})")
    # The DEM must hold the same pixels and georeferencing. Its compressed bytes depend on the GDAL/zlib
    # build, so they are compared only when the build matches the one that wrote the committed file.
    with rasterio.open(gen[TIF]) as g, rasterio.open(com[TIF]) as c:
        assert g.profile == c.profile
        assert np.array_equal(g.read(1), c.read(1)), f"dem.tif differs from a fresh run ({_versions()})"
    if _sha(gen[TIF]) != _sha(com[TIF]):
        pytest.xfail("dem.tif pixels identical but compressed bytes differ (different GDAL/zlib build)")


def test_extract_facts_reproduces_committed_inputs(tmp_path, shared_real):
    ms = _load_script()
    ms.extract_facts(shared_real, tmp_path)
    for name in ("communes.csv", "towns.csv", "province_outline.csv", "border.csv"):
        assert (tmp_path / name).read_bytes() == (REPO / "data" / "inputs" / name).read_bytes(), name


# ------------------------------------------------------------------------------------------- content
def test_project_toml_points_at_existing_files(sample):
    with open(sample / "project.toml", "rb") as f:
        proj = tomllib.load(f)
    assert proj["project"]["crs"] == "EPSG:32648"
    assert proj["project"]["resolution_m"] == 90
    assert proj["radio"]["model"] == "deygout"
    assert proj["placement"]["technology"] == "4G"
    for key in ("towers", "stations", "communes", "terrain", "border", "roads", "towns"):
        assert (sample / proj["inputs"][key]).is_file(), key


def test_dem_georeferencing_and_encoding(sample):
    with rasterio.open(sample / TIF) as src:
        assert src.crs.to_epsg() == 32648
        assert src.res == (90.0, 90.0)
        assert src.dtypes[0] == "int16" and src.nodata == -32768
        assert src.profile["tiled"] and src.compression.name.upper() == "DEFLATE"
        assert src.tags(ns="IMAGE_STRUCTURE").get("PREDICTOR") == "2" or \
            src.tags(1, ns="IMAGE_STRUCTURE").get("PREDICTOR") == "2"
        assert "TIFFTAG_DATETIME" not in src.tags()
        assert 1600 <= src.width <= 1900 and 1950 <= src.height <= 2250
        lon0, lat0 = rasterio.warp.transform(src.crs, "EPSG:4326", [src.bounds.left], [src.bounds.top])
        lon1, lat1 = rasterio.warp.transform(src.crs, "EPSG:4326", [src.bounds.right], [src.bounds.bottom])
        assert lon0[0] < 102.15 and lon1[0] > 103.59 and lat1[0] < 20.90 and lat0[0] > 22.54


def _dem(sample):
    with rasterio.open(sample / TIF) as src:
        return src.read(1), src.transform


def test_elevation_statistics(sample):
    z, tr = _dem(sample)
    valid = z != -32768
    zv = z[valid]
    assert 1800 <= zv.max() <= 2300
    assert 150 <= zv.min() <= 450
    assert 700 <= np.median(zv) <= 1200
    # Mường Thanh plain around Điện Biên Phủ (103.02 E, 21.39 N): a broad, flat valley floor
    x, y = rasterio.warp.transform("EPSG:4326", "EPSG:32648", [103.023], [21.386])
    r, c = rasterio.transform.rowcol(tr, x[0], y[0])
    win = z[r - 22:r + 23, c - 22:c + 23].astype(float)               # ±2 km
    assert 430 <= np.median(win) <= 520
    assert np.percentile(win, 75) - np.percentile(win, 25) < 40
    # steep slopes exist, and a few small voids for the void filling
    gy, gx = np.gradient(np.where(valid, z, np.median(zv)).astype(float), 90.0)
    slope_deg = np.degrees(np.arctan(np.hypot(gx, gy)))
    assert np.mean(slope_deg[valid] > 30) > 0.05
    n_void = int((~valid).sum())
    assert 10 <= n_void <= 0.001 * z.size
    lab, n = __import__("scipy.ndimage", fromlist=["label"]).label(~valid)
    assert 3 <= n <= 10


def test_communes(sample, shared_real_or_none):
    with open(sample / "communes.geojson", encoding="utf-8") as f:
        feats = json.load(f)["features"]
    names = [ft["properties"]["name"] for ft in feats]
    assert len(feats) == 45 and len(set(names)) == 45
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert sum(ft["properties"]["unit_type"] == "ward" for ft in feats) == 3
    polys = [shape(ft["geometry"]) for ft in feats]
    assert all(p.is_valid and p.area > 0 for p in polys)
    union = shapely.union_all(polys)
    assert sum(p.area for p in polys) == pytest.approx(union.area, rel=1e-6)   # no overlaps
    pops = [ft["properties"]["population"] for ft in feats]
    assert 400_000 <= sum(pops) <= 900_000 and min(pops) > 1000
    if shared_real_or_none is not None:
        real = _rows(shared_real_or_none / "dien_bien_communes_osm_2025" / "dien_bien_commune_centres_2025.csv")
        assert sorted(names) == sorted(unicodedata.normalize("NFC", r["name"]) for r in real)


@pytest.fixture(scope="module")
def shared_real_or_none():
    p = REPO.parent / "shared" / "data" / "real"
    return p if p.is_dir() else None


def test_towers(sample):
    rows = _rows(sample / "towers.csv")
    assert 150 <= len(rows) <= 300
    assert list(rows[0]) == ["ma_tram", "nha_mang", "cong_nghe", "kinh_do", "vi_do", "do_cao_anten_m",
                             "tan_so_mhz", "eirp_dbm", "phuong_vi", "do_rong_bup_song", "goc_ngang_co",
                             "goc_ngang_dien", "trang_thai"]
    ids = [r["ma_tram"] for r in rows]
    assert len(set(ids)) == len(ids)
    sites = {}
    for r in rows:
        sites.setdefault(r["ma_tram"][:11], r["nha_mang"])
        assert r["cong_nghe"] in ("2G", "3G", "4G")
        assert int(r["tan_so_mhz"]) == {"2G": 900, "3G": 2100, "4G": 1800}[r["cong_nghe"]]
        assert 20 <= float(r["do_cao_anten_m"]) <= 45
        assert 55 <= float(r["eirp_dbm"]) <= 62
        assert 102.1 < float(r["kinh_do"]) < 103.65 and 20.85 < float(r["vi_do"]) < 22.6
        if r["phuong_vi"] == "":
            assert r["do_rong_bup_song"] == "360"
        else:
            assert r["do_rong_bup_song"] == "65" and 0 <= int(r["phuong_vi"]) < 360
        assert 0 <= int(r["goc_ngang_co"]) <= 6 and 0 <= int(r["goc_ngang_dien"]) <= 8
    by_op = {op: sum(v == op for v in sites.values()) for op in ("Viettel", "VinaPhone", "MobiFone")}
    assert set(sites.values()) == set(by_op)
    assert by_op["Viettel"] > by_op["VinaPhone"] > by_op["MobiFone"] > 0
    status = [r["trang_thai"] for r in rows]
    assert set(status) == {"on_air", "planned", "down"}
    assert status.count("on_air") / len(status) > 0.9
    assert any(r["phuong_vi"] == "" for r in rows)


def test_stations_inside_their_commune(sample):
    rows = _rows(sample / "polling_stations.csv")
    assert 500 <= len(rows) <= 800
    with open(sample / "communes.geojson", encoding="utf-8") as f:
        polys = {ft["properties"]["name"]: shape(ft["geometry"]) for ft in json.load(f)["features"]}
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    outside = [r["id"] for r in rows if not polys[r["commune"]].contains(Point(float(r["lon"]), float(r["lat"])))]
    assert outside == []
    assert all(100 <= int(r["voters"]) <= 900 for r in rows)
    assert {r["priority"] for r in rows} == {"1", "2"}
    assert {r["commune"] for r in rows if r["priority"] == "2"} == set(polys)   # one centre per commune
    assert all(r["name"].startswith("Khu vực bỏ phiếu số ") for r in rows)


def test_stations_reach_valleys_and_border_communes(sample):
    """Villages sit low; some stations are deep in valleys, some in communes on the Lao border."""
    rows = _rows(sample / "polling_stations.csv")
    z, tr = _dem(sample)
    xs, ys = rasterio.warp.transform("EPSG:4326", "EPSG:32648", [float(r["lon"]) for r in rows],
                                     [float(r["lat"]) for r in rows])
    rc = np.array([rasterio.transform.rowcol(tr, x, y) for x, y in zip(xs, ys, strict=False)])
    elev = z[rc[:, 0], rc[:, 1]]
    assert np.all(elev != -32768) or np.mean(elev == -32768) < 0.01
    zv = z[z != -32768]
    assert np.median(elev[elev != -32768]) < np.median(zv)
    with open(sample / "border.geojson", encoding="utf-8") as f:
        border = shapely.union_all([shape(ft["geometry"]) for ft in json.load(f)["features"]])
    near = [r for r in rows if border.distance(Point(float(r["lon"]), float(r["lat"]))) < 0.05]
    assert len(near) >= 30


def test_border_roads_towns(sample):
    with open(sample / "border.geojson", encoding="utf-8") as f:
        names = {ft["properties"]["name"] for ft in json.load(f)["features"]}
    assert names == {"Biên giới Việt Nam – Lào", "Biên giới Việt Nam – Trung Quốc"}
    with open(sample / "roads.geojson", encoding="utf-8") as f:
        roads = json.load(f)["features"]
    assert len(roads) >= 5 and all(len(ft["geometry"]["coordinates"]) >= 10 for ft in roads)
    towns = _rows(sample / "towns.csv")
    assert list(towns[0]) == ["id", "name", "lon", "lat"]
    assert "Điện Biên Phủ" in {t["name"] for t in towns} and len(towns) == 10


def test_data_folder_size(repo_root):
    """The committed data/ stays under 30 MB (analysis outputs under the sample's output/ are git-ignored)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "data"], cwd=repo_root, capture_output=True,
                                check=True).stdout.decode().split("\0")
        files = [repo_root / f for f in listed if f]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in (repo_root / "data").rglob("*")
                 if p.is_file() and not any(part == "output" or part.startswith(".") for part in p.parts)]
    total = sum(p.stat().st_size for p in files if p.is_file())
    assert total < 30 * 1024 * 1024
    assert any(p.name == "dem.tif" for p in files)


def test_border_communes_are_the_communes_on_the_national_border(sample):
    """With the sample's ``border_distance_m`` the app flags as border communes exactly those with a stretch of the
    national border (the facts table's ``border_km`` > 0, from OpenStreetMap and Natural Earth): not the inland
    communes and city wards a few km away, which would double their weight in the placement."""
    from coverage_planner.inputs import load_inputs
    from coverage_planner.project import load_project

    communes = load_inputs(load_project(sample / "project.toml")).communes
    flagged = set(communes.loc[communes["border"], "name"])
    facts = _rows(REPO / "data" / "inputs" / "communes.csv")
    on_border = {r["name"] for r in facts if float(r["border_km"]) > 0}
    assert len(on_border) == 15
    assert flagged == on_border, (sorted(flagged - on_border), sorted(on_border - flagged))
