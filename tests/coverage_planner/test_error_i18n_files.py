"""Errors beyond a table's rows in Vietnamese: reading the file itself (encoding, format, sheet), the terrain and
land-cover rasters, coordinate reference systems, the project's analysis CRS and failure scenario; and the warnings
of a real project. As in test_error_i18n.py, each error is made by the real code on a tiny broken input, so the
patterns of coverage_planner.i18n are checked against what the code says today (a pattern no error here or there
produces fails ``test_every_pattern_matches_a_message_the_code_produces``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from coverage_planner import i18n
from coverage_planner.errors import InputError
from coverage_planner.i18n import error_text, translate_message
from coverage_planner.inputs import load_communes, load_inputs, load_lines, load_towers
from coverage_planner.io import merge_rasters, read_raster, read_table
from coverage_planner.landcover import WORLDCOVER, load_landcover
from coverage_planner.project import load_project, project_from_dict
from coverage_planner.results import Grid
from coverage_planner.terrain import fill_voids, load_terrain, utm_crs_for_lonlat

from . import test_error_i18n as rows_corpus
from .conftest import (
    STATION_HEADER,
    STATION_ROWS,
    TOWER_HEADER,
    TOWER_ROWS,
    build_project,
    commune_features,
    write_csv,
    write_geojson,
    write_plane_dem,
)
from .tiny_project import CELL, CRS, X0, Y0, N

UTM = "EPSG:32648"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "dien_bien" / "project.toml"
#: English words that must not be left in a Vietnamese warning or error (ids, file names, CRS codes, GDAL/QGIS menu
#: paths and project-file keys are not words of this list).
ENGLISH = ("the ", " file", " is ", " are ", " not ", " and ", " or ", " with ", " without ", " cell", " row",
           " column", "How to fix", "validate", " found", " must ", " cannot ", "terrain", "raster has",
           " outside", " tower", " station", " commune", " blank", " formula", " used ", " read ")


def _raised(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as ei:
        fn(*args, **kwargs)
    return ei.value


def _tif(path: Path, data, *, crs=UTM, x0=X0, y0=Y0, cell=CELL, nodata=None) -> Path:
    import rasterio
    from affine import Affine

    data = np.asarray(data)
    kw = {"crs": crs} if crs else {}
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype=data.dtype.name, transform=Affine(cell, 0, x0, 0, -cell, y0), nodata=nodata,
                       **kw) as dst:  # fmt: skip
        dst.write(data, 1)
    return path


def _gpkg(path: Path, geoms, crs) -> Path:
    import geopandas as gpd

    gpd.GeoDataFrame({"name": [f"Xã {i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs).to_file(path)
    return path


def _geojson(path: Path, polygon_coords, crs: str | None = None) -> Path:
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Xã Tây"},
          "geometry": {"type": "Polygon", "coordinates": [polygon_coords]}}]}  # fmt: skip
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return write_geojson(path, fc)


METRES = [[300000, 2360000], [310000, 2360000], [310000, 2370000], [300000, 2370000], [300000, 2360000]]
DEGREES = [[103.0, 21.35], [103.05, 21.35], [103.05, 21.4], [103.0, 21.4], [103.0, 21.35]]


def _file_errors(tmp_path: Path) -> list[InputError]:
    """Errors of reading a file, before its rows: each with a message and hint of our own words only."""
    import openpyxl
    from shapely.geometry import Polygon

    errs = []
    (tmp_path / "folder.csv").mkdir()
    errs.append(_raised(load_towers, tmp_path / "folder.csv", crs=UTM))
    (tmp_path / "towers.dat").write_text("id,lon,lat\nT1,103,21.4\n", encoding="utf-8")
    errs.append(_raised(load_towers, tmp_path / "towers.dat", crs=UTM))
    (tmp_path / "towers").write_text("id,lon,lat\nT1,103,21.4\n", encoding="utf-8")
    errs.append(_raised(load_towers, tmp_path / "towers", crs=UTM))
    (tmp_path / "utf16.csv").write_bytes("id,lon,lat\nT1,103,21.4\n".encode("utf-16-le"))  # no byte-order mark
    errs.append(_raised(load_towers, tmp_path / "utf16.csv", crs=UTM))
    tcvn3 = [["T1", "B\xb6n M\xadêng Ph\xa8ng", 103.0, 21.4], ["T2", "X\xb7 \xa7\xabng", 103.1, 21.4],
             ["T3", "M\xadêng Lay", 103.2, 21.4]]  # .VnTime text (TCVN3) read as Unicode
    errs.append(_raised(load_towers, write_csv(tmp_path / "vn3.csv", ["id", "ten", "lon", "lat"], tcvn3), crs=UTM))
    wb = openpyxl.Workbook()
    wb.active.title = "Trạm"
    wb.active.append(["id", "lon", "lat"])
    wb.save(tmp_path / "towers.xlsx")
    errs.append(_raised(read_table, tmp_path / "towers.xlsx", layer="Sheet1", what="towers"))
    fc = commune_features()
    fc["features"] = []
    errs.append(_raised(load_communes, write_geojson(tmp_path / "none.geojson", fc), crs=UTM))
    # positions and CRS of tables and vector layers
    errs.append(_raised(load_towers, write_csv(tmp_path / "xy.csv", ["id", "x", "y"], [["T1", 5e5, 2.4e6]]), crs=UTM))
    # a polling-station list given as the towers file
    errs.append(_raised(load_towers, write_csv(tmp_path / "kvbp.csv", ["id", "xa", "kinh_do", "vi_do", "cu_tri"],
                                               [["KV1", "Xã Thanh Nưa", 103.0, 21.4, 300]]), crs=UTM))
    errs.append(_raised(load_towers, write_csv(tmp_path / "ll.csv", TOWER_HEADER, TOWER_ROWS), crs=UTM, source_crs=UTM))
    errs.append(_raised(load_towers, write_csv(tmp_path / "pos.csv", ["id", "toado"], [["T1", "103 21"]]), crs=UTM))
    metres = [["T1", 310000.5, 2360000.5], ["T2", 311000.5, 2361000.5]]  # VN-2000 metres under lon/lat headers
    errs.append(_raised(load_towers, write_csv(tmp_path / "m.csv", ["id", "lon", "lat"], metres), crs=UTM))
    errs.append(_raised(load_towers, tmp_path / "m.csv", crs=UTM, extent_lonlat=(102.9, 21.2, 103.2, 21.5)))
    northing_first = [["T1", 2360000.5, 310000.5], ["T2", 2361000.5, 311000.5]]  # X = northing (survey tables)
    errs.append(_raised(load_towers, write_csv(tmp_path / "xn.csv", ["id", "x", "y"], northing_first), crs=UTM,
                        source_crs="EPSG:3405", extent_lonlat=(102.9, 21.2, 103.2, 21.5)))
    table = write_csv(tmp_path / "communes.csv", ["name", "lon", "lat"], [["Xã Tây", 103.0, 21.4]])
    errs.append(_raised(load_communes, table, crs=UTM))
    errs.append(_raised(load_lines, table, crs=UTM, what="roads"))
    errs.append(_raised(load_communes, _gpkg(tmp_path / "nocrs.gpkg", [Polygon(METRES)], None), crs=UTM))
    wrong = _gpkg(tmp_path / "wrong.gpkg", [Polygon(METRES)], "EPSG:4326")  # metres labelled as degrees
    errs.append(_raised(load_communes, wrong, crs=UTM, source_crs=UTM))  # the declared CRS fits: fix the file
    right = _gpkg(tmp_path / "right.gpkg", [Polygon(DEGREES)], "EPSG:4326")
    errs.append(_raised(load_communes, right, crs=UTM, source_crs=UTM))  # the file's CRS fits: drop the declaration
    errs.append(_raised(load_communes, wrong, crs=UTM))  # the file says degrees, the coordinates are metres
    errs.append(_raised(load_communes, _gpkg(tmp_path / "deg.gpkg", [Polygon(DEGREES)], UTM), crs=UTM))  # and back
    metres = _geojson(tmp_path / "metres.geojson", METRES)  # no "crs" member: read as WGS 84
    errs.append(_raised(load_communes, metres, crs=UTM))
    errs.append(_raised(load_communes, metres, crs=UTM, source_crs="EPSG:4326"))
    errs.append(_raised(load_communes, _geojson(tmp_path / "deg.geojson", DEGREES), crs=UTM, source_crs=UTM))
    # rasters: the file, the tiles, the terrain, the land cover
    dem = write_plane_dem(tmp_path / "dem.tif")
    errs.append(_raised(load_terrain, tmp_path / "absent.tif", resolution_m=100))
    errs.append(_raised(load_terrain, tmp_path / "folder.csv", resolution_m=100))
    (tmp_path / "empty.tif").write_bytes(b"")
    errs.append(_raised(load_terrain, tmp_path / "empty.tif", resolution_m=100))
    errs.append(_raised(read_raster, dem, band=2, what="terrain"))
    flat = np.full((20, 20), 500, np.float32)
    errs.append(_raised(merge_rasters, [dem, _tif(tmp_path / "nocrs.tif", flat, crs=None)], what="terrain"))
    errs.append(_raised(merge_rasters, [dem, _tif(tmp_path / "utm.tif", flat)], what="terrain"))
    errs.append(_raised(load_terrain, tmp_path / "nocrs.tif", resolution_m=100))
    errs.append(_raised(utm_crs_for_lonlat, 500000.0, 2400000.0))
    labelled = _tif(tmp_path / "dem_deg.tif", flat, crs="EPSG:4326")  # metre corners, labelled WGS 84
    errs.append(_raised(load_terrain, labelled, crs=UTM, resolution_m=100))
    errs.append(_raised(load_terrain, labelled, resolution_m=100))
    errs.append(_raised(load_terrain, [], resolution_m=100))
    errs.append(_raised(load_terrain, dem, resolution_m=0))
    nodata = np.full((20, 20), -32768, np.float32)
    errs.append(_raised(load_terrain, _tif(tmp_path / "void.tif", nodata, nodata=-32768), resolution_m=100))
    errs.append(_raised(load_terrain, dem, crs="EPSG:4326", resolution_m=100))
    errs.append(_raised(load_terrain, dem, crs="EPSG:2227", resolution_m=100))  # US survey feet
    errs.append(_raised(load_terrain, dem, crs=UTM, bounds=(0, 0, 1000, 1000), resolution_m=100))
    errs.append(_raised(load_terrain, dem, crs=UTM, resolution_m=0.01))
    west = write_plane_dem(tmp_path / "west_void.tif", void=(0, 180, 0, 90))
    errs.append(_raised(load_terrain, west, crs=UTM, bounds=(289000, 2363000, 293000, 2367000), resolution_m=100))
    errs.append(_raised(fill_voids, np.full((3, 3), np.nan, np.float32)))
    grid = Grid(x0=X0, y0=Y0, cellsize=CELL, shape=(N, N), crs=CRS)
    codes = np.full((N, N), 10, np.uint8)
    errs.append(_raised(load_landcover, _tif(tmp_path / "lc_nocrs.tif", codes, crs=None), grid, WORLDCOVER))
    ndvi = np.full((N, N), 0.25, np.float32)
    errs.append(_raised(load_landcover, _tif(tmp_path / "ndvi.tif", ndvi, crs=CRS), grid, WORLDCOVER))
    errs.append(_raised(load_landcover, _tif(tmp_path / "far.tif", codes, x0=0), grid, WORLDCOVER))
    codes[:10] = 12  # a code WorldCover does not have
    errs.append(_raised(load_landcover, _tif(tmp_path / "lc12.tif", codes), grid, WORLDCOVER))
    # the project: its analysis CRS, a failure scenario naming unknown towers, a station far off the DEM
    for crs in ("EPSG:4326", "EPSG:3857"):
        errs.append(_raised(project_from_dict, {"project": {"crs": crs}}, tmp_path / "p.toml"))
    errs.append(_raised(load_inputs, load_project(build_project(tmp_path / "down", extra='[scenario]\ndown = ["NOPE"]\n'))))
    far = build_project(tmp_path / "far")
    write_csv(far.parent / "polling_stations.csv", STATION_HEADER, [*STATION_ROWS[:2], ["KV09", "Bản Xa", "Xã Tây", 104.9,
              21.41, 100, 1]])  # fmt: skip
    errs.append(_raised(load_inputs, load_project(far)))
    return errs


def _library_errors(tmp_path: Path) -> list[InputError]:
    """Errors that carry a library's own English text (GDAL, openpyxl, the csv module, PROJ): our words around it
    are translated, the library's are kept as it wrote them."""
    errs = []
    bad16 = b"\xff\xfe" + "id,lon\n".encode("utf-16-le") + b"\x00\xdc"  # a lone low surrogate
    (tmp_path / "bad16.csv").write_bytes(bad16)
    errs.append(_raised(load_towers, tmp_path / "bad16.csv", crs=UTM))
    (tmp_path / "huge.csv").write_text('id,lon,lat\n"' + "a" * 200_000 + '",103,21.4\n', encoding="utf-8")
    errs.append(_raised(load_towers, tmp_path / "huge.csv", crs=UTM))  # beyond the csv module's field limit
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip archive")
    errs.append(_raised(load_towers, tmp_path / "broken.xlsx", crs=UTM))
    (tmp_path / "broken.geojson").write_text("{not json", encoding="utf-8")
    errs.append(_raised(load_communes, tmp_path / "broken.geojson", crs=UTM))
    (tmp_path / "broken.tif").write_bytes(b"II*\x00 truncated")
    errs.append(_raised(load_terrain, tmp_path / "broken.tif", resolution_m=100))
    errs.append(_raised(project_from_dict, {"project": {"crs": "EPSG:999999"}}, tmp_path / "p.toml"))
    import rasterio.merge

    def refuse(*args, **kwargs):  # GDAL refusing a mosaic (seen with tiles of different band types)
        raise ValueError("cannot mosaic these datasets")

    dem = write_plane_dem(tmp_path / "dem.tif")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rasterio.merge, "merge", refuse)
        errs.append(_raised(load_terrain, [dem, dem], resolution_m=100))
    return errs


def _no_crs_dem_in_a_project(tmp_path: Path) -> InputError:
    proj = build_project(tmp_path / "nocrsdem")
    _tif(proj.parent / "dem.tif", np.full((20, 20), 500, np.float32), crs=None)
    return _raised(load_inputs, load_project(proj))


@pytest.fixture(scope="module")
def file_errors(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("files")
    return [*_file_errors(tmp), _no_crs_dem_in_a_project(tmp)]


@pytest.fixture(scope="module")
def library_errors(tmp_path_factory):
    return _library_errors(tmp_path_factory.mktemp("library"))


def _texts(errors) -> list[str]:
    return [t for e in errors for t in rows_corpus._parts(e)]


def test_every_pattern_matches_a_message_the_code_produces(file_errors, library_errors, tmp_path):
    """The error table, the sub-tables of a CRS's source, of the likely real CRS and of the TOML reader's messages
    cannot rot: each pattern matches a message made here, by test_error_i18n.py's broken tables or by
    test_error_i18n_project.py's broken project files (a pattern whose message the code no longer writes fails)."""
    from . import test_error_i18n_project as project_corpus

    (tmp_path / "project").mkdir()
    texts = _texts([*file_errors, *library_errors, *rows_corpus._errors(tmp_path),
                    *project_corpus._project_errors(tmp_path / "project")])  # fmt: skip
    unused = [rx.pattern for rx, _ in i18n._ERRORS_VI if not any(rx.fullmatch(t) for t in texts)]
    assert not unused, unused
    for table in (i18n._CRS_SOURCE_VI, i18n._REAL_CRS_VI, i18n._TOML_VI):  # found at the start / inside a message
        unused = [rx.pattern for rx, _ in table if not any(rx.search(t) for t in texts)]
        assert not unused, unused


def test_file_terrain_crs_and_land_cover_errors_are_in_vietnamese(file_errors):
    """Every part has a pattern, and no English word is left in the whole text (paths, ids, CRS codes, commands
    and menu paths of GDAL/QGIS stay as they are)."""
    assert len(file_errors) >= 45
    for e in file_errors:
        for part in rows_corpus._parts(e):
            assert translate_message(part, "vi") != part, part
        vi = error_text(e, "vi", recheck="mở lại dự án")
        # the text without what is quoted from the user's files and commands (paths, CLI lines, QGIS menus)
        plain = re.sub(r"/\S+|'[^']*'|\"[^\"]*\"|`[^`]*`|\w+ = \{[^}]*\}|\w+ = |\[[\w.]+\] \w+|(?:gdal_translate|ogr2ogr) [^(,)]+|QGIS: [^)]+"
                       r"|Excel[^)]*|[\w-]+\.(?:csv|xlsx|tif|gpkg|geojson|shp|toml)\b", "", vi)  # fmt: skip
        for english in ENGLISH:
            assert english not in plain, (english, vi)
        assert error_text(e, "en") == str(e)


def test_library_messages_are_kept_inside_vietnamese_words(library_errors):
    """A library's own message (GDAL, openpyxl, csv, PROJ) is quoted as it is; the sentence around it and the
    hint are Vietnamese."""
    vi = [error_text(e, "vi") for e in library_errors]
    for e, text in zip(library_errors, vi, strict=True):
        for part in rows_corpus._parts(e):
            assert translate_message(part, "vi") != part, part
        assert "How to fix" not in text and "Cách sửa: " in text
    assert "không giải mã được tệp trạm BTS theo bảng mã UTF-16" in vi[0]
    assert "không đọc được tệp trạm BTS dạng CSV: field larger than field limit" in vi[1]
    assert "không đọc được tệp trạm BTS dạng bảng tính: " in vi[2]
    assert "không đọc được tệp xã/phường: " in vi[3]
    assert "không đọc được tệp địa hình dạng raster (GDAL: " in vi[4]
    assert "hệ toạ độ 'EPSG:999999' không xác định được (" in vi[5]
    assert "không ghép được các mảnh địa hình (GDAL: cannot mosaic these datasets)" in vi[6]
    assert vi[6].endswith("Cách sửa: kiểm tra mọi mảnh đều đọc được (mở được trong QGIS)")


def test_crs_errors_read_naturally(file_errors):
    """The CRS messages a user meets most (a DEM or a layer labelled with the wrong CRS) in full."""
    by_text = {str(e): e for e in file_errors}

    def vi(fragment: str) -> str:
        return error_text(next(e for t, e in by_text.items() if fragment in t), "vi")

    dem = vi("dem_deg.tif: the terrain raster says it is in EPSG:4326 (degrees) but its extent (x 400000")
    assert "raster địa hình ghi hệ toạ độ EPSG:4326 (đơn vị độ) nhưng phạm vi của nó (x 400000 … 401800, y 2398200 … " \
           "2400000) không thể tính bằng độ" in dem
    assert "; nếu đọc theo hệ toạ độ EPSG:32648 của dự án thì raster phủ kinh độ 104,033…104,051, vĩ độ 21,684…21,701" in dem
    assert "Cách sửa: tạo một bản sao mang đúng hệ toạ độ thực" in dem and "gdal_translate -a_srs EPSG:32648 " in dem
    layer = vi("wrong.gpkg: the file says EPSG:4326 (degrees)")
    assert ("tệp ghi hệ toạ độ EPSG:4326 (đơn vị độ) nhưng toạ độ xã/phường (x 300000 … 310000, y 2360000 … "
            "2370000) lên tới 2370000, có vẻ tính bằng mét") in layer
    assert "tệp có lẽ ở một hệ toạ độ phẳng đơn vị mét (VN-2000, ví dụ EPSG:3405, hoặc UTM, ví dụ EPSG:32648)" in layer
    declared = vi("metres.geojson: the project declares EPSG:4326 for it")
    assert declared.startswith(f"{next(t for t in by_text if 'metres.geojson: the project' in t).split(':')[0]}: "
                               "tệp dự án khai báo cho tệp này hệ toạ độ EPSG:4326 (đơn vị độ)")
    assert "nếu tệp ở hệ toạ độ của dự án (EPSG:32648)" in declared
    assert "kịch bản sự cố có mã trạm không có trong tệp trạm BTS towers.csv: 'NOPE'" in vi("failure scenario")
    assert "1 mã lớp phủ mặt đất trong raster không có trong bảng lớp của dự án: 12 (1.200 ô)" in vi("class table")
    assert "raster lớp phủ mặt đất chứa giá trị không phải số nguyên (ví dụ 0,25)" in vi("non-integer")


def test_setting_names_in_hints_are_vietnamese(tmp_path):
    """A misspelt setting: the hint keeps the keys to type and says what each is."""
    e = _raised(project_from_dict, {"radio": {"max_distanse_m": 1}}, tmp_path / "p.toml")
    vi = error_text(e, "vi")
    assert "có phải là 'max_distance_m' (bán kính tính tối đa)? Được phép dùng: model (mô hình truyền sóng), " in vi
    assert "receiver_height_m (độ cao máy thu)" in vi and "allowed" not in vi
    e = _raised(project_from_dict, {"inputs": {"tower": "t.csv"}}, tmp_path / "p.toml")
    assert "towers (trạm BTS), stations (điểm bỏ phiếu)" in error_text(e, "vi")


def test_formula_cells_warning_is_in_vietnamese(tmp_path):
    """An XLSX written by a script (formulas without a saved value): the towers warning of the QA's file."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(TOWER_HEADER)
    for r in TOWER_ROWS:
        ws.append(r)
    ws["G3"] = "=900*2"
    wb.save(tmp_path / "towers.xlsx")
    warnings: list[str] = []
    load_towers(tmp_path / "towers.xlsx", crs=UTM, warnings=warnings)
    formula = next(w for w in warnings if "formula" in w)
    assert translate_message(formula, "vi") == (
        "Trạm BTS: towers.xlsx, cột 'tan_so_mhz': 1 ô có công thức nhưng chưa có giá trị đã lưu, được đọc là ô "
        "trống (dòng 3): hãy mở tệp bằng Excel rồi lưu lại")


@pytest.mark.skipif(not SAMPLE.is_file(), reason="the sample project is not in this checkout")
def test_every_warning_of_the_sample_project_is_in_vietnamese():
    """Loading the embedded sample gives warnings (towers down, DEM voids): each is fully Vietnamese."""
    inputs = load_inputs(load_project(SAMPLE))
    assert inputs.warnings
    for w in inputs.warnings:
        vi = translate_message(w, "vi")
        assert vi != w, w
        plain = re.sub(r"'[^']*'|[A-Z]{2,}[\w-]*", "", vi)  # ids ("VTL-DBP-025-A") and quoted names
        for english in ENGLISH:
            assert english not in plain, (english, vi)
