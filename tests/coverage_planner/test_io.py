"""coverage_planner.io: atomic writes, table readers, raster readers/writers."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine

from coverage_planner import io
from coverage_planner.errors import InputError, OutputError, RasterError

from .conftest import write_csv


# ---------------------------------------------------------------------------------------------- atomic writes
def test_atomic_path_renames_on_success(tmp_path):
    dest = tmp_path / "sub" / "out.txt"
    with io.atomic_path(dest) as tmp:
        assert tmp.parent == dest.parent and tmp != dest and tmp.suffix == ".txt"
        tmp.write_text("new")
        assert not dest.exists()
    assert dest.read_text() == "new"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["out.txt"]


def test_atomic_path_keeps_old_file_and_removes_temp_on_error(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old")
    with pytest.raises(RuntimeError):
        with io.atomic_path(dest) as tmp:
            tmp.write_text("half")
            raise RuntimeError("writer crashed")
    assert dest.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_path_errors_when_nothing_written(tmp_path):
    with pytest.raises(OutputError, match="no file"):
        with io.atomic_path(tmp_path / "x.bin"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_write_text_and_csv_atomic(tmp_path):
    import pandas as pd

    p = io.write_text(tmp_path / "a.txt", "Điện Biên")
    assert p.read_text(encoding="utf-8") == "Điện Biên"
    df = pd.DataFrame({"ten": ["Mường Nhé"], "n": [3]})
    io.write_csv(df, tmp_path / "a.csv")
    back, kind = io.read_table(tmp_path / "a.csv")
    assert kind == "table" and back.loc[2, "ten"] == "Mường Nhé" and back.loc[2, "n"] == "3"


def test_file_sha256_changes_with_content(tmp_path):
    p = io.write_text(tmp_path / "a.txt", "a")
    h1 = io.file_sha256(p)
    io.write_text(p, "b")
    assert io.file_sha256(p) != h1 and len(h1) == 64


# ---------------------------------------------------------------------------------------------- tables
def test_read_csv_keeps_text_and_spreadsheet_rows(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["id", "vi_do"], [["007", "21.5"], ["", ""], ["8", "21,25"]])
    df, kind = io.read_table(p)
    assert kind == "table"
    assert list(df.index) == [2, 4]  # blank row 3 dropped, numbering kept
    assert df.loc[2, "id"] == "007"  # leading zeros kept: ids are text
    assert df.loc[4, "vi_do"] == "21,25"


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("cp1258", "\t")])
def test_read_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    import unicodedata

    text = delimiter.join(["Mã trạm", "Tên"]) + "\n" + delimiter.join(["A1", "Tủa Chùa"]) + "\n"
    p = tmp_path / "t.csv"
    if encoding == "cp1258":  # Windows Vietnamese: ê/ơ/ư… precomposed, tone marks as combining characters
        data = b""
        for ch in text:
            try:
                data += ch.encode("cp1258")
            except UnicodeEncodeError:
                base, *marks = unicodedata.normalize("NFD", ch)
                head = unicodedata.normalize("NFC", base + "".join(marks[:-1]))
                data += (head + marks[-1]).encode("cp1258")
        p.write_bytes(data)
        assert "Tủa".encode() not in data
    else:
        p.write_bytes(text.encode(encoding))
    df, _ = io.read_table(p)
    # text comes back composed (NFC) whatever the file used
    assert list(df.columns) == ["Mã trạm", "Tên"]
    assert df.loc[2, "Tên"] == "Tủa Chùa"


def test_read_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ma_tram", "vi_do", "ghi_chu"])
    ws.append([101, 21.4, None])
    ws.append(["B2", 21.0, "x"])
    wb.save(tmp_path / "t.xlsx")
    df, kind = io.read_table(tmp_path / "t.xlsx")
    assert kind == "table"
    assert df.loc[2, "ma_tram"] == "101" and df.loc[2, "vi_do"] == "21.4" and df.loc[2, "ghi_chu"] == ""
    assert df.loc[3, "vi_do"] == "21"


def test_read_vector_numbers_features_from_one(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(103, 21), Point(103.1, 21.1)], crs="EPSG:4326").to_file(
        tmp_path / "p.geojson"
    )
    gdf, kind = io.read_table(tmp_path / "p.geojson")
    assert kind == "vector" and list(gdf.index) == [1, 2] and gdf.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    "name,content,match",
    [
        ("empty.csv", b"", "empty"),
        ("header.csv", b"id,lon,lat\n", "no data rows"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("t.dbf", b"x", "unsupported"),
        ("bad.xlsx", b"not a zip", "cannot read"),
        ("bad.geojson", b"{not json", "cannot read"),
    ],
)
def test_read_table_errors(tmp_path, name, content, match):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError, match=match) as ei:
        io.read_table(p, what="towers")
    assert str(p) in str(ei.value) and "How to fix" in str(ei.value)


def test_read_table_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        io.read_table(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------------------------- rasters
def test_write_geotiff_round_trip_deflate(tmp_path):
    import rasterio

    a = np.arange(20, dtype=np.float32).reshape(4, 5)
    a[0, 0] = -9999
    tr = Affine(90, 0, 400000, 0, -90, 2400000)
    p = io.write_geotiff(tmp_path / "a.tif", a, tr, "EPSG:32648", nodata=-9999)
    arr, tr2, crs, nodata = io.read_raster(p)
    np.testing.assert_array_equal(arr, a)
    assert tr2 == tr and crs == "EPSG:32648" and nodata == -9999
    with rasterio.open(p) as ds:
        assert ds.compression.name.lower() == "deflate"
    assert [f.name for f in tmp_path.iterdir()] == ["a.tif"]


def test_write_geotiff_bands_and_bool(tmp_path):
    import rasterio

    tr = Affine(1, 0, 0, 0, -1, 0)
    io.write_geotiff(tmp_path / "b.tif", np.ones((3, 2, 2), dtype=np.uint8), tr, None)
    with rasterio.open(tmp_path / "b.tif") as ds:
        assert ds.count == 3 and ds.crs is None
    io.write_geotiff(tmp_path / "m.tif", np.eye(3, dtype=bool), tr, "EPSG:4326")
    arr, *_ = io.read_raster(tmp_path / "m.tif")
    assert arr.dtype == np.uint8 and arr.sum() == 3
    with pytest.raises(OutputError, match="2-D or 3-D"):
        io.write_geotiff(tmp_path / "bad.tif", np.zeros(4), tr, None)


@pytest.mark.parametrize("content,match", [(b"", "empty"), (b"garbage that is no raster" * 10, "GDAL")])
def test_read_raster_unreadable(tmp_path, content, match):
    p = tmp_path / "dem.tif"
    p.write_bytes(content)
    with pytest.raises(RasterError, match=match) as ei:
        io.read_raster(p, what="terrain")
    assert "dem.tif" in str(ei.value)


def test_read_raster_missing(tmp_path):
    with pytest.raises(RasterError, match="not found"):
        io.read_raster(tmp_path / "none.tif")


def write_hgt(path, fill):
    """A 3″ SRTM tile (1201×1201 big-endian int16), named like N21E103.hgt."""
    a = np.full((1201, 1201), fill, dtype=">i2") if np.isscalar(fill) else np.asarray(fill, dtype=">i2")
    path.write_bytes(a.tobytes())
    return path


def test_read_hgt_has_implicit_wgs84_and_nodata(tmp_path):
    z = np.full((1201, 1201), 700, dtype=np.int16)
    z[10, 20] = -32768
    p = write_hgt(tmp_path / "N21E103.hgt", z)
    arr, tr, crs, nodata = io.read_raster(p)
    assert crs == "EPSG:4326" and nodata == -32768
    assert arr.shape == (1201, 1201) and arr[0, 0] == 700 and arr[10, 20] == -32768
    # tile corner: N21 E103 is the south-west corner of the cell centres' grid
    assert tr.c == pytest.approx(103 - 0.5 / 1200) and tr.f == pytest.approx(22 + 0.5 / 1200)


def test_merge_two_hgt_tiles(tmp_path):
    a = write_hgt(tmp_path / "N21E102.hgt", 300)
    b = write_hgt(tmp_path / "N21E103.hgt", 900)
    arr, tr, crs, nodata = io.merge_rasters([a, b])
    assert crs == "EPSG:4326" and arr.shape == (1201, 2401)
    assert arr[600, 0] == 300 and arr[600, -1] == 900


def test_merge_refuses_mixed_crs(tmp_path):
    tr = Affine(1, 0, 0, 0, -1, 0)
    io.write_geotiff(tmp_path / "a.tif", np.ones((2, 2), np.float32), tr, "EPSG:32648")
    io.write_geotiff(tmp_path / "b.tif", np.ones((2, 2), np.float32), tr, "EPSG:32647")
    with pytest.raises(RasterError, match="different CRS"):
        io.merge_rasters([tmp_path / "a.tif", tmp_path / "b.tif"])


def test_raster_info(tmp_path):
    io.write_geotiff(tmp_path / "a.tif", np.ones((3, 4), np.int16), Affine(30, 0, 0, 0, -30, 90), "EPSG:32648", nodata=0)
    info = io.raster_info(tmp_path / "a.tif")
    assert (info["width"], info["height"], info["crs"], info["nodata"]) == (4, 3, "EPSG:32648", 0)
    assert info["bounds"] == (0.0, 0.0, 120.0, 90.0)


# ---------------------------------------------------------------------------------------------- multi-part outputs
def test_write_gpkg_layers_round_trip(tmp_path):
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    a = gpd.GeoDataFrame({"ten": ["Mường Nhé"]}, geometry=[Point(300000, 2400000)], crs="EPSG:32648")
    b = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:32648")
    p = io.write_gpkg({"towers": a, "polling_stations": b}, tmp_path / "out.gpkg")
    assert sorted(name for name, _ in pyogrio.list_layers(p)) == ["polling_stations", "towers"]
    back = gpd.read_file(p, layer="towers")
    assert back["ten"][0] == "Mường Nhé" and back.crs.to_epsg() == 32648
    assert sorted(f.name for f in tmp_path.iterdir()) == ["out.gpkg"]
    with pytest.raises(OutputError, match="no layers"):
        io.write_gpkg({}, tmp_path / "none.gpkg")


def test_write_xlsx_sheets(tmp_path):
    import openpyxl
    import pandas as pd

    long = "a_very_long_sheet_name_over_31_characters"
    p = io.write_xlsx({"stations": pd.DataFrame({"ten": ["Tủa Chùa"], "n": [3]}), long: pd.DataFrame({"x": [1]}),
                       long + "_2": pd.DataFrame({"y": [2]})}, tmp_path / "t.xlsx")  # fmt: skip
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames[0] == "stations" and len(wb.sheetnames) == 3
    assert all(len(n) <= 31 for n in wb.sheetnames) and len(set(wb.sheetnames)) == 3
    assert wb["stations"]["A2"].value == "Tủa Chùa" and wb["stations"].freeze_panes == "A2"
    df, _ = io.read_table(p)
    assert df.loc[2, "ten"] == "Tủa Chùa"


def test_header_found_below_title_lines(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("DANH SÁCH TRẠM BTS TỈNH ĐIỆN BIÊN\nNgày 01/05/2026\n\nma_tram,kinh_do,vi_do\nA,103,21.4\n,,\nB,103.1,21.5\n",
                 encoding="utf-8")  # fmt: skip
    df, _ = io.read_table(p, is_header=lambda cells: "kinh_do" in cells)
    assert list(df.columns) == ["ma_tram", "kinh_do", "vi_do"]
    assert list(df.index) == [5, 7] and df.loc[7, "ma_tram"] == "B"  # spreadsheet rows
    # without a header test the first non-blank row is the header (no data below it that fits)
    df2, _ = io.read_table(p)
    assert df2.columns[0] == "DANH SÁCH TRẠM BTS TỈNH ĐIỆN BIÊN"


def test_ragged_rows_and_unnamed_columns(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,lon,lat,\nA,103,21.4,\nB,103,21.5,x,extra\n", encoding="utf-8")
    df, _ = io.read_table(p)
    assert list(df.columns) == ["id", "lon", "lat", "(column 4)", "(column 5)"]
    assert df.loc[3, "(column 5)"] == "extra" and df.loc[2, "(column 4)"] == ""
    p.write_text("id,lon,lat,,\nA,103,21.4,,\n", encoding="utf-8")
    df, _ = io.read_table(p)
    assert list(df.columns) == ["id", "lon", "lat"]  # empty trailing columns dropped


def test_xlsx_sheet_by_name(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Ghi chú"
    wb.active.append(["Bảng này để trống"])
    ws = wb.create_sheet("Trạm")
    ws.append(["ma_tram", "vi_do"])
    ws.append(["A1", 21.5])
    wb.save(tmp_path / "t.xlsx")
    df, _ = io.read_table(tmp_path / "t.xlsx", layer="Trạm")
    assert df.loc[2, "ma_tram"] == "A1" and df.loc[2, "vi_do"] == "21.5"
    with pytest.raises(InputError, match="no sheet named 'BTS'.*Ghi chú, Trạm"):
        io.read_table(tmp_path / "t.xlsx", layer="BTS")


def test_exported_tables_never_carry_formulas(tmp_path):
    """A name typed as a formula stays text: XLSX cell type string with the exact text, CSV with a leading
    apostrophe (Excel would run it); numbers, numeric text and ordinary text are unchanged."""
    import csv

    import openpyxl
    import pandas as pd

    from coverage_planner import io

    evil = '=HYPERLINK("http://evil.example","click")'
    df = pd.DataFrame({"name": [evil, "+cmd", "@SUM(A1)", "-88.3", "Bản Nà Pen", "-x"], "level": [-88.3, 1, 2, 3, 4, 5]})
    x = io.write_xlsx({"stations": df}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(x)["stations"]
    names = [ws.cell(row=r, column=1) for r in range(2, 8)]
    assert [c.value for c in names] == list(df["name"])
    assert all(c.data_type == "s" for c in names)
    assert ws.cell(row=2, column=2).value == -88.3
    c = io.write_csv(df, tmp_path / "t.csv")
    rows = list(csv.reader(c.open(encoding="utf-8-sig")))
    assert [r[0] for r in rows[1:]] == ["'" + evil, "'+cmd", "'@SUM(A1)", "-88.3", "Bản Nà Pen", "'-x"]
    assert rows[1][1] == "-88.3"
    assert df["name"].iloc[0] == evil  # the caller's frame is not changed


def test_legacy_encodings_are_told_apart_and_reported(tmp_path):
    """Not UTF-8: Windows-1258 (Vietnamese, tone marks as combining characters) unless marks are left over after
    NFC, then Windows-1252; either way a warning says which was assumed. UTF-8 gives no warning."""
    import unicodedata

    from coverage_planner import io

    header = "id,name,lon,lat\n"
    vn = tmp_path / "vn.csv"
    def cp1258(text):  # as Windows tools write it: precomposed base letters, tone marks as combining characters
        out = []
        for ch in text:
            try:
                ch.encode("cp1258")
                out.append(ch)
            except UnicodeEncodeError:
                d = unicodedata.normalize("NFD", ch)
                out.append(unicodedata.normalize("NFC", d[:-1]) + d[-1])
        return "".join(out).encode("cp1258")

    vn.write_bytes(cp1258(header + "A,Mường Nhé,103.1,21.5\n"))
    df, _ = io.read_table(vn, what="stations")
    assert df.iloc[0]["name"] == "Mường Nhé"
    assert any("Windows-1258" in w for w in df.attrs["read_warnings"])
    west = tmp_path / "west.csv"
    west.write_bytes((header + "B,Ìle Saint-Louis,103.1,21.5\n").encode("cp1252"))
    df, _ = io.read_table(west, what="stations")
    assert df.iloc[0]["name"] == "Ìle Saint-Louis"
    assert any("Windows-1252" in w for w in df.attrs["read_warnings"])
    utf = tmp_path / "utf.csv"
    utf.write_text(header + "C,Mường Nhé,103.1,21.5\n", encoding="utf-8")
    df, _ = io.read_table(utf, what="stations")
    assert not any("UTF-8" in w for w in df.attrs.get("read_warnings", []))
