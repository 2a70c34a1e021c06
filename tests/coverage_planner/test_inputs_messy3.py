"""Messy real-world inputs, QA round 3: positions in degrees-minutes-seconds, projected metres in lon/lat columns,
legacy TCVN3 text, spreadsheets with merged cells, hidden rows and several sheets. Each case is built the way an
office sends it, loaded by the real loaders, and its warning or error is checked in English and Vietnamese."""

from __future__ import annotations

import numpy as np
import pytest

from coverage_planner.errors import InputError
from coverage_planner.i18n import error_text, translate_message
from coverage_planner.inputs import load_stations, load_towers, parse_dms

from .conftest import STATION_HEADER, STATION_ROWS, TOWER_HEADER, TOWER_ROWS, write_csv

UTM = "EPSG:32648"


@pytest.mark.parametrize(("raw", "axis", "expected"), [
    ("103°11'05.2\"E", "lon", 103 + 11 / 60 + 5.2 / 3600),
    ("103°11′05.2″ E", "lon", 103 + 11 / 60 + 5.2 / 3600),  # typographic primes, a space before the letter
    ("103 11 5,2", "lon", 103 + 11 / 60 + 5.2 / 3600),  # spaces, a decimal comma
    ("N 21 23 10.5", "lat", 21 + 23 / 60 + 10.5 / 3600),
    ("21°22.5'", "lat", 21 + 22.5 / 60),  # degrees and decimal minutes (GPS units)
    ("21°23'10\"S", "lat", -(21 + 23 / 60 + 10 / 3600)),
    ("102°30'W", "lon", -102.5),
])  # fmt: skip
def test_dms_positions_are_read(raw, axis, expected):
    assert parse_dms(raw, axis) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("raw", "axis"), [
    ("21°23'10\"E", "lat"),  # a longitude letter on a latitude
    ("21°61'", "lat"),  # 61 minutes
    ("21°23'75\"", "lat"),  # 75 seconds
    ("21 23", "lat"),  # two numbers without a degree sign: not a position
    ("1 234 567", "lon"),  # a grouped number
    ("103.5", "lon"),  # a plain number is parse_number's
    ("21°23.5'10\"", "lat"),  # decimal minutes followed by seconds
])  # fmt: skip
def test_what_is_not_dms_is_refused(raw, axis):
    assert parse_dms(raw, axis) is None


def test_towers_in_dms_are_placed_where_the_decimal_ones_are(tmp_path):
    """QA: a BTS list with positions as 103°11'05.2"E gave 534 "is not a number" problems (two per tower)."""
    def dms(v, pos):
        d, rest = divmod(round(v * 360000), 360000)  # hundredths of a second
        m, cs = divmod(rest, 6000)
        return f"{d}°{m:02d}'{cs / 100:05.2f}\"{pos}"

    rows = [[*r[:3], dms(r[3], "E"), dms(r[4], "N"), *r[5:]] for r in TOWER_ROWS]
    rows[1][3:5] = ["103 3 0", "21 21 0"]  # spaces, as some GPS exports write it
    warnings: list[str] = []
    got = load_towers(write_csv(tmp_path / "dms.csv", TOWER_HEADER, rows), crs=UTM, warnings=warnings)
    ref = load_towers(write_csv(tmp_path / "dec.csv", TOWER_HEADER, TOWER_ROWS), crs=UTM)
    assert np.hypot(got.geometry.x - ref.geometry.x, got.geometry.y - ref.geometry.y).max() < 0.5  # metres
    said = [w for w in warnings if "degrees, minutes and seconds" in w]
    assert said == [
        "towers: dms.csv, column 'kinh_do': 3 value(s) in degrees, minutes and seconds read as decimal degrees "
        "(e.g. 103°00'00.00\"E → 103.000000)",
        "towers: dms.csv, column 'vi_do': 3 value(s) in degrees, minutes and seconds read as decimal degrees "
        "(e.g. 21°24'00.00\"N → 21.400000)",
    ]
    assert translate_message(said[0], "vi") == (
        "Trạm BTS: dms.csv, cột 'kinh_do': 3 giá trị dạng độ-phút-giây đã được đổi sang độ thập phân (ví dụ "
        "103°00'00.00\"E → 103,000000)")


def test_a_dms_value_with_the_wrong_letter_is_still_a_problem(tmp_path):
    rows = [list(r) for r in TOWER_ROWS]
    rows[0][4] = "21°24'00\"E"
    with pytest.raises(InputError) as ei:
        load_towers(write_csv(tmp_path / "t.csv", TOWER_HEADER, rows), crs=UTM)
    assert ei.value.problems == ["row 2, column 'vi_do' (lat): '21°24'00\"E' is not a number"]


def _in_metres(crs: str) -> list[list]:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return [[*r[:3], *(round(v, 1) for v in t.transform(r[3], r[4])), *r[5:]] for r in STATION_ROWS]


@pytest.mark.parametrize(("crs", "name"), [("EPSG:3405", "VN-2000 / UTM zone 48N"),
                                           ("EPSG:9205", "VN-2000 / TM-3 103-00")])  # Điện Biên's own zone
def test_metres_under_lonlat_headers_are_one_problem_naming_the_crs(tmp_path, crs, name):
    """QA: a stations file in VN-2000 metres under 'lon'/'lat' headers gave two problems per row (1,310 lines for
    the sample's 655 stations, all saying the same). Now one problem for the file: what the columns hold, and the
    VN-2000 CRS that puts the points on the terrain, in the line to write in the project."""
    path = write_csv(tmp_path / "kvbp.csv", STATION_HEADER, _in_metres(crs))
    with pytest.raises(InputError) as ei:
        load_stations(path, crs=UTM, extent_lonlat=(102.9, 21.2, 103.2, 21.5))
    (problem,) = ei.value.problems
    assert problem.startswith("the longitude and latitude columns hold metres, not degrees (all 4 rows): 'lon' holds ")
    assert f"; read as {crs} ({name}) they fall on the terrain. Rename the headers 'lon' and 'lat' to x and y " \
           f'(easting, northing) and declare their CRS in the project: stations = {{ path = "kvbp.csv", ' \
           f'crs = "{crs}" }}' in problem
    vi = error_text(ei.value, "vi")
    assert "hai cột kinh độ và vĩ độ chứa toạ độ tính bằng mét, không phải độ: cột 'lon' chứa " in vi
    assert f"đọc theo hệ toạ độ {crs} ({name}) thì các điểm nằm trên vùng địa hình. Hãy đổi tên hai tiêu đề cột" in vi
    # the advice works: renamed headers and the declared CRS give the stations where the degrees put them
    fixed = write_csv(tmp_path / "fixed.csv", [*STATION_HEADER[:3], "x", "y", *STATION_HEADER[5:]], _in_metres(crs))
    got = load_stations(fixed, crs=UTM, source_crs=crs)
    ref = load_stations(write_csv(tmp_path / "deg.csv", STATION_HEADER, STATION_ROWS), crs=UTM)
    assert np.hypot(got.geometry.x - ref.geometry.x, got.geometry.y - ref.geometry.y).max() < 1.0


def test_metres_under_lonlat_headers_without_a_terrain_still_one_problem(tmp_path):
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "kvbp.csv", STATION_HEADER, _in_metres("EPSG:3405")), crs=UTM)
    (problem,) = ei.value.problems
    assert "they fall on the terrain" not in problem and problem.endswith('crs = "EPSG:3405" }')
    assert "Hãy đổi tên hai tiêu đề cột 'lon' và 'lat' thành x và y" in error_text(ei.value, "vi")


def _office_workbook(path, *, cover: bool = True):
    """A polling-station list as a district office keeps it: a cover sheet first, a title above the header, the
    commune written once and merged down over its stations, one row hidden."""
    import openpyxl

    wb = openpyxl.Workbook()
    if cover:
        wb.active.title = "Tổng hợp"
        wb.active.append(["BÁO CÁO TỔNG HỢP"])
        wb.active.append(["Số khu vực bỏ phiếu", len(STATION_ROWS)])
        ws = wb.create_sheet("DS KVBP")
    else:
        ws = wb.active
    ws.append(["DANH SÁCH KHU VỰC BỎ PHIẾU"])
    ws.merge_cells("A1:G1")
    ws.append(["Mã KVBP", "Tên KVBP", "Xã/phường", "Kinh độ", "Vĩ độ", "Số cử tri", "Ưu tiên"])
    for r in STATION_ROWS:  # rows 3-6: Xã Tây, Xã Tây, Xã Đông, Xã Đông
        ws.append([r[0], r[1], r[2], str(r[3]), str(r[4]), str(r[5]), r[6]])  # numbers stored as text
    ws["C4"] = None
    ws["C6"] = None
    ws.merge_cells("C3:C4")
    ws.merge_cells("C5:C6")
    ws.row_dimensions[4].hidden = True
    wb.save(path)
    return path


def test_office_workbook_cover_sheet_merged_communes_hidden_row(tmp_path):
    """QA: such a workbook stopped at "missing required column(s) id … columns found: 'BÁO CÁO …'" (the cover
    sheet was read); with the sheet named, every station but the first of each commune came without its commune
    (the merged cell holds it in its first row only: 610 of the sample's 655 stations were then placed by
    polygon, dropping the commune written), and the hidden row was read without a word."""
    warnings: list[str] = []
    st = load_stations(_office_workbook(tmp_path / "kvbp.xlsx"), crs=UTM, warnings=warnings)
    assert st["commune"].tolist() == ["Xã Tây", "Xã Tây", "Xã Đông", "Xã Đông"]
    assert st["voters"].tolist() == [420, 310, 150, 95] and st["source_row"].tolist() == [3, 4, 5, 6]
    assert warnings[:3] == [
        "stations: kvbp.xlsx: the first sheet 'Tổng hợp' has no recognised header row; read the sheet 'DS KVBP' "
        "(set layer = \"DS KVBP\" for this input in the project to choose a sheet yourself)",
        "stations: kvbp.xlsx: 2 cell range(s) merged over several rows (C3:C4, C5:C6): each row of a merge was "
        "given its value",
        "stations: kvbp.xlsx: 1 row(s) hidden in the spreadsheet were read like the others (row 4); unhide them in "
        "Excel to check them, and delete any that does not belong",
    ]
    vi = [translate_message(w, "vi") for w in warnings[:3]]
    assert vi[0].startswith("Điểm bỏ phiếu: kvbp.xlsx: trang tính (sheet) đầu tiên 'Tổng hợp' không có dòng tiêu đề")
    assert vi[1] == ("Điểm bỏ phiếu: kvbp.xlsx: 2 vùng ô được gộp (merge) qua nhiều dòng (C3:C4, C5:C6): mỗi dòng "
                     "của vùng gộp được lấy giá trị của vùng đó")
    assert "1 dòng bị ẩn trong bảng tính vẫn được đọc như các dòng khác (dòng 4)" in vi[2]


def test_a_named_sheet_is_read_without_a_note_and_the_title_merge_is_harmless(tmp_path):
    path = _office_workbook(tmp_path / "kvbp.xlsx", cover=False)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active.row_dimensions[4].hidden = False
    wb.save(path)
    warnings: list[str] = []
    st = load_stations(type("Ref", (), {"__fspath__": lambda self: str(path), "layer": "Sheet"})(), crs=UTM,
                       warnings=warnings)  # fmt: skip
    assert st["commune"].tolist() == ["Xã Tây", "Xã Tây", "Xã Đông", "Xã Đông"]
    assert not [w for w in warnings if "sheet" in w or "hidden" in w]  # A1:G1 (one row) is not a fill either
    assert [w for w in warnings if "merged" in w] == [
        "stations: kvbp.xlsx: 2 cell range(s) merged over several rows (C3:C4, C5:C6): each row of a merge was "
        "given its value"]


#: The letters of STATION_ROWS' names as TCVN3 (ABC) stores them, read as Latin-1: what a file typed with .VnTime
#: fonts holds when opened as Unicode ("Xã Đông" → "X· §«ng").
_TCVN3 = {"ả": "\xb6", "ư": "\xad", "ờ": "\xea", "ă": "\xa8", "ã": "\xb7", "â": "\xa9", "Đ": "\xa7", "ô": "\xab",
          "ổ": "\xe6", "ế": "\xd5"}


def _tcvn3(text: str) -> str:
    return "".join(_TCVN3.get(ch, ch) for ch in text)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_tcvn3_text_is_refused_naming_a_cell_and_the_converter(tmp_path, suffix):
    """QA: a station list typed with .VnTime fonts was read without a word: 'B¶n M\\xadêng Ph¨ng' reached the map
    and the report, and no commune name matched. Now an error that names a cell and says how to convert."""
    rows = [[r[0], _tcvn3(r[1]), _tcvn3(r[2]), *r[3:]] for r in STATION_ROWS]
    if suffix == ".csv":
        path = write_csv(tmp_path / "kvbp.csv", STATION_HEADER, rows, encoding="cp1252")
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        for r in [STATION_HEADER, *rows]:
            wb.active.append(r)
        wb.save(path := tmp_path / "kvbp.xlsx")
    with pytest.raises(InputError) as ei:
        load_stations(path, crs=UTM)
    e = ei.value
    assert e.message == ("the stations file's text looks like TCVN3 (ABC), the encoding of the old .Vn fonts "
                         "(.VnTime), not Unicode: 8 of its 8 cells with accents read like row 2, column 'name': "
                         "'B\xb6n Him Lam'")
    assert "UniKey" in e.hint and "source TCVN3 (ABC), destination Unicode" in e.hint
    vi = error_text(e, "vi")
    assert "tệp điểm bỏ phiếu có vẻ được gõ bằng bảng mã TCVN3 (ABC)" in vi and "dòng 2, cột 'name': 'B\xb6n Him Lam'" in vi
    assert "Cách sửa: chuyển mã tệp sang Unicode bằng UniKey" in vi


def test_unicode_text_with_symbols_is_not_taken_for_tcvn3(tmp_path):
    rows = [[r[0], f"«{r[1]}» ®", r[2], *r[3:]] for r in STATION_ROWS]  # quotes and a sign next to letters
    rows[0][1] = "Điểm cao 1.200 m² (độ cao 35°)"
    assert len(load_stations(write_csv(tmp_path / "kvbp.csv", STATION_HEADER, rows), crs=UTM)) == 4


def test_x_as_northing_is_one_problem_saying_to_swap_the_headers(tmp_path):
    """QA: a VN-2000 table with 'Tọa độ X' = northing and 'Tọa độ Y' = easting (the Vietnamese survey convention)
    gave 655 "outside the terrain … probably mistyped" lines, 2,900 km away. Now one problem naming both headers."""
    rows = [[r[0], r[1], r[2], r[4], r[3], *r[5:]] for r in _in_metres("EPSG:3405")]  # northing first
    header = [*STATION_HEADER[:3], "Tọa độ X (m)", "Tọa độ Y (m)", *STATION_HEADER[5:]]
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "kvbp.csv", header, rows), crs=UTM, source_crs="EPSG:3405",
                      extent_lonlat=(102.9, 21.2, 103.2, 21.5))
    (problem,) = ei.value.problems
    assert problem.startswith("the x and y columns look exchanged (all 4 rows): 'Tọa độ X (m)' holds 23")
    assert problem.endswith("swap the headers 'Tọa độ X (m)' and 'Tọa độ Y (m)'")
    assert "hãy đổi tên hai tiêu đề cột 'Tọa độ X (m)' và 'Tọa độ Y (m)' cho nhau" in error_text(ei.value, "vi")
    # the right order loads, on the terrain
    fixed = [[r[0], r[1], r[2], r[4], r[3], *r[5:]] for r in rows]
    assert len(load_stations(write_csv(tmp_path / "ok.csv", header, fixed), crs=UTM, source_crs="EPSG:3405",
                             extent_lonlat=(102.9, 21.2, 103.2, 21.5))) == 4
