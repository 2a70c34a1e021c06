"""Messy real-world inputs, QA round 5: CSV rows with more values than the header, or fewer, and a section heading
typed in the id column.

A CSV row is a list of values, not cells in fixed columns: a latitude typed with a decimal comma in a comma-separated
file ("…,103.0234,21,9,…") or a comma in an unquoted name adds a value and shifts the rest of the row right; a value
deleted with its separator shifts it left. The row's values then stand under the wrong headers: five problems about
the wrong fields (trang_thai, tan_so_mhz, …), or worse, none (a station moved to latitude 22 with 3700 voters and
priority 424). Each case is built the way a user makes it (a sample file edited in a text editor), loaded by the real
loaders, and checked in English and Vietnamese."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coverage_planner.errors import InputError
from coverage_planner.i18n import error_text
from coverage_planner.inputs import load_points, load_stations, load_towers

from .conftest import STATION_HEADER, TOWER_HEADER

UTM = "EPSG:32648"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "dien_bien"
STATIONS = [
    "KV01,Bản Him Lam,Xã Tây,102.990,21.380,420,1",
    "KV02,Bản Mường Phăng,Xã Tây,103.010,21.330,310,2",
    "KV03,Bản Na Sang,Xã Đông,103.060,21.410,150,1",
    "KV04,Bản Huổi Lếch,Xã Đông,103.085,21.320,95,1.5",
]
TOWERS = [
    "DBN001,Viettel,4G,103.000,21.400,30,1800,58,120,65,2,0,phat_song",
    "DBN002,VNPT,2G,103.050,21.350,25,900,55,,,,,on air",
    "DBN003,MobiFone,3G,103.080,21.420,35,2100,57,240,90,3,2,mat_song",
]


def _write(path: Path, lines: list[str], header: list[str] | str = STATION_HEADER) -> Path:
    text = header if isinstance(header, str) else ",".join(header)
    path.write_text("\n".join([text, *lines]) + "\n", encoding="utf-8")
    return path


def _problems(fn, path, **kwargs) -> InputError:
    with pytest.raises(InputError) as ei:
        fn(path, crs=UTM, **kwargs)
    return ei.value


# ------------------------------------------------------------------------ 1. a decimal comma in a comma-separated file
def test_a_decimal_comma_in_the_sample_towers_is_one_problem_of_its_row(tmp_path):
    """QA: the sample's towers.csv with one latitude typed '21,37383' (row 6) gave five problems about the fields
    after it ('3' is not a known status, 33 MHz, 37383 m, 1800 dBm, tilt 65); now one, naming the row, the counts,
    the value and its column, and the fixes."""
    lines = (SAMPLE / "towers.csv").read_text(encoding="utf-8").splitlines()
    assert lines[5].startswith("VTL-DBP-002-B,") and ",21.37383," in lines[5]
    lines[5] = lines[5].replace(",21.37383,", ",21,37383,")
    path = tmp_path / "towers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    e = _problems(load_towers, path)
    assert e.problems == [
        "row 6: 14 values, the header has 13: a decimal comma in a number? '21,37383' under 'vi_do' was read as two "
        "values: write 21.37383, or put the value in quotes (\"21,37383\"), or save the file with ';' as the separator"
    ]
    vi = error_text(e, "vi")
    assert ("dòng 6: 14 giá trị trong khi dòng tiêu đề có 13 cột: có số viết với dấu phẩy thập phân? '21,37383' ở "
            "cột 'vi_do' đã bị đọc thành hai giá trị: hãy ghi 21.37383, hoặc đặt giá trị trong dấu ngoặc kép "
            "(\"21,37383\"), hoặc lưu tệp với dấu ';' làm dấu phân cách") in vi
    # quoted, the same value is one (a decimal comma is read), and the file loads
    lines[5] = lines[5].replace(",21,37383,", ',"21,37383",')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    towers = load_towers(path, crs=UTM)
    assert len(towers) == 267 and towers.loc[towers["id"] == "VTL-DBP-002-B", "lat"].item() == pytest.approx(21.37383)


def test_a_shifted_station_is_no_longer_read_silently(tmp_path):
    """QA: a station's latitude '22,03700' shifted voters and priority by one, and every value still fitted: the
    station was read at latitude 22 with 3700 voters and priority 424, without a word. Now it is refused."""
    lines = (SAMPLE / "polling_stations.csv").read_text(encoding="utf-8").splitlines()
    assert lines[3].endswith(",103.11870,22.03700,424,1")
    lines[3] = lines[3].replace(",22.03700,", ",22,03700,")
    e = _problems(load_stations, _write(tmp_path / "kvbp.csv", lines[1:], lines[0]))
    assert e.problems == [
        "row 4: 8 values, the header has 7: a decimal comma in a number? '22,03700' under 'lat' was read as two "
        "values: write 22.03700, or put the value in quotes (\"22,03700\"), or save the file with ';' as the separator"
    ]


def test_two_decimal_commas_and_one_in_the_last_column(tmp_path):
    rows = [*STATIONS, "KV05,Bản Pa Có,Xã Đông,103,02,21,39,200,1", "KV06,Bản Co Mỵ,Xã Tây,103.0,21.4,80,1,5"]
    e = _problems(load_stations, _write(tmp_path / "s.csv", rows))
    assert e.problems == [
        "row 6: 9 values, the header has 7: a decimal comma in a number? '103,02' under 'lon' was read as two values "
        "(1 more such value in the row): write 103.02, or put the value in quotes (\"103,02\"), or save the file with "
        "';' as the separator",
        "row 7: 8 values, the header has 7: a decimal comma in a number? '1,5' under 'priority' was read as two "
        "values: write 1.5, or put the value in quotes (\"1,5\"), or save the file with ';' as the separator",
    ]
    assert "(dòng này còn 1 giá trị như vậy)" in error_text(e, "vi")


def test_a_whole_file_with_decimal_commas_is_one_problem_per_row(tmp_path):
    """Every number with a decimal comma in a comma-separated file: 1240 problems about the wrong fields for the
    sample's 267 towers before; one per row now, each with its likely cause."""
    lines = (SAMPLE / "towers.csv").read_text(encoding="utf-8").splitlines()
    path = _write(tmp_path / "towers.csv", [ln.replace(".", ",") for ln in lines[1:]], lines[0])
    e = _problems(load_towers, path)
    assert len(e.problems) == 267
    assert e.problems[0].startswith("row 2: 16 values, the header has 13: a decimal comma in a number? '103,18471' "
                                    "under 'kinh_do' was read as two values (2 more such values in the row)")
    assert all("a decimal comma in a number?" in p for p in e.problems)


# ------------------------------------------------------------------------------------ 2. a separator inside a text
def test_a_comma_in_an_unquoted_name(tmp_path):
    e = _problems(load_stations, _write(tmp_path / "s.csv", [*STATIONS, "KV05,Bản Pa Có, thôn 2,Xã Đông,103.02,21.39,200,1"]))
    assert e.problems == [
        "row 6: 8 values, the header has 7: a ',' inside a value? 'Bản Pa Có, thôn 2' under 'name' was read as two "
        "values: put the value in quotes (\"Bản Pa Có, thôn 2\"), or leave the ',' out of it"
    ]
    assert "có dấu ',' nằm trong một giá trị? 'Bản Pa Có, thôn 2' ở cột 'name'" in error_text(e, "vi")
    ok = load_stations(_write(tmp_path / "q.csv", [*STATIONS, 'KV05,"Bản Pa Có, thôn 2",Xã Đông,103.02,21.39,200,1']),
                       crs=UTM)  # fmt: skip
    assert ok["name"].iloc[-1] == "Bản Pa Có, thôn 2" and ok["lat"].iloc[-1] == pytest.approx(21.39)


def test_a_semicolon_in_a_text_of_a_semicolon_file(tmp_path):
    """Semicolon files (a Vietnamese Excel's CSV) have decimal commas inside values: fine; a ';' inside a name is
    the extra value, and quoting or leaving it out is the fix."""
    rows = [ln.replace(",", ";").replace(".", ",") for ln in STATIONS]
    rows.append("KV05;Bản Pa Có; Bản Pa Nậm;Xã Đông;103,02;21,39;200;1;")
    rows.append("KV06;Bản Nà Ten;Xã Đông;103,03;21,38;200;1;")  # a trailing separator: nothing is missing
    e = _problems(load_stations, _write(tmp_path / "s.csv", rows, ";".join(STATION_HEADER)))
    assert e.problems == [
        "row 6: 8 values, the header has 7: a ';' inside a value? 'Bản Pa Có; Bản Pa Nậm' under 'name' was read as "
        "two values: put the value in quotes (\"Bản Pa Có; Bản Pa Nậm\"), or leave the ';' out of it"
    ]


# ------------------------------------------------------------------------------------------- 3. a value deleted
def test_a_value_deleted_with_its_separator(tmp_path):
    """A station without its commune and its comma: the longitude stood under 'commune', the latitude under 'lon',
    the voters under 'lat' ('latitude 200 is out of range'); now one problem naming the column that is missing."""
    e = _problems(load_stations, _write(tmp_path / "s.csv", [*STATIONS, "KV05,Bản Pa Có,103.02,21.39,200,1"]))
    assert e.problems == [
        "row 6: 6 values, the header has 7, and they do not fit their columns: a value deleted with its separator? "
        "With an empty value under 'commune' the row fits: write every value under its column, leaving an empty cell "
        "for one you do not have"
    ]
    assert "Thêm một ô trống ở cột 'commune' thì dòng này khớp" in error_text(e, "vi")


def test_missing_last_values_are_read_empty_as_before(tmp_path):
    """Excel leaves out the trailing separators of rows whose last cells are empty (after the 16th row), and a
    hand-typed list may stop at the last value it has: the missing columns are empty, as before."""
    warnings: list[str] = []
    st = load_stations(_write(tmp_path / "s.csv", [*STATIONS, "KV05,Bản Pa Có,Xã Đông,103.02,21.39",
                                                   "KV06,Bản Nà Ten,Xã Đông,103.03,21.38,75"]),
                       crs=UTM, warnings=warnings)  # fmt: skip
    assert st["voters"].tolist()[-2:] == [0, 75] and st["priority"].tolist()[-2:] == [1.0, 1.0]
    assert any("column 'priority': 2 blank value(s) (rows 6, 7): used priority 1" in w for w in warnings)


# ---------------------------------------------------------------------------- 4. what is fine stays fine
@pytest.mark.parametrize("trailing", [("", ","), (",", ","), (",,", ",,")])
def test_trailing_separators_on_every_line(tmp_path, trailing):
    """Excel writes a separator after the last value of every line when a column right of the table was used:
    nothing is missing or extra; a decimal comma is still found, and counted against the named columns."""
    head, tail = trailing
    st = load_stations(_write(tmp_path / "s.csv", [r + tail for r in STATIONS], ",".join(STATION_HEADER) + head),
                       crs=UTM)  # fmt: skip
    assert st["lat"].tolist() == pytest.approx([21.38, 21.33, 21.41, 21.32])
    rows = [r + tail for r in STATIONS] + ["KV05,Bản Pa Có,Xã Đông,103.02,21,39,200,1" + tail]
    e = _problems(load_stations, _write(tmp_path / "s2.csv", rows, ",".join(STATION_HEADER) + head))
    assert [p[:40] for p in e.problems] == ["row 6: 8 values, the header has 7: a dec"]


def test_a_column_without_a_header_is_still_only_a_warning(tmp_path):
    """Notes right of the table, under no header, in every row or in a few, or a number in every row: values
    beyond the header that fit as they stand are no shifted row; the column is said as not recognised, as before."""
    for rows in ([r + ",đã kiểm tra" for r in STATIONS], [STATIONS[0] + ",đã kiểm tra", *STATIONS[1:]],
                 [r + ",2" for r in STATIONS]):  # fmt: skip
        warnings: list[str] = []
        st = load_stations(_write(tmp_path / "s.csv", rows), crs=UTM, warnings=warnings)
        assert st["lat"].tolist() == pytest.approx([21.38, 21.33, 21.41, 21.32])
        assert any("not recognised and ignored in s.csv: '(column 8)'" in w for w in warnings)


def test_towns_and_xlsx_rows(tmp_path):
    """Other CSV inputs read through the same rows (towns) are judged the same way; an XLSX has cells, not a
    count of values, and nothing changes for it."""
    e = _problems(load_points, _write(tmp_path / "t.csv", ["T1,Điện Biên Phủ,102.99,21,39", "T2,Mường Ảng,103.2,21.5"],
                                      ["id", "name", "lon", "lat"]), what="towns")  # fmt: skip
    assert e.problems == [
        "row 2: 5 values, the header has 4: a decimal comma in a number? '21,39' under 'lat' was read as two values: "
        "write 21.39, or put the value in quotes (\"21,39\"), or save the file with ';' as the separator"
    ]
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(STATION_HEADER)
    for r in STATIONS:
        wb.active.append(r.split(","))
    wb.active.append(["KV05", "Bản Pa Có", "", "103.02", "21.39"])
    wb.save(tmp_path / "s.xlsx")
    assert len(load_stations(tmp_path / "s.xlsx", crs=UTM)) == 5


# ------------------------------------------------------------------------- 5. a heading typed in the id column
def test_a_heading_in_the_id_column_is_one_problem(tmp_path):
    """QA: 'VIETTEL' or 'I. HUYỆN ĐIỆN BIÊN' typed in column A of a list whose first column is the id, the rest of
    the row empty, gave 'empty longitude' and 'empty latitude' (and 'duplicate id' when repeated). The row has an
    id, so it is never left out; it is one problem saying it looks like a heading, and how to fix it."""
    towers = ["VIETTEL" + "," * 12, *TOWERS[:1], "VINAPHONE", *TOWERS[1:], "VIETTEL" + "," * 12]
    e = _problems(load_towers, _write(tmp_path / "bts.csv", towers, TOWER_HEADER))
    said = ("'{}' is all the row holds: a section heading typed in the id column? Delete the row, or move the text to "
            "the column 'nha_mang' (a row with text only there is left out as a heading); if it is one of the towers, "
            "fill in its position")
    assert e.problems == [f"row {r}, column 'ma_tram' (id): " + said.format(t)
                          for r, t in ((2, "VIETTEL"), (4, "VINAPHONE"), (7, "VIETTEL"))]  # fmt: skip
    vi = error_text(e, "vi")
    assert ("dòng 2, cột 'ma_tram' (mã): dòng này chỉ có 'VIETTEL': có phải là tiêu đề nhóm được gõ vào cột mã? Hãy "
            "xoá dòng này, hoặc chuyển chữ đó sang cột 'nha_mang' (dòng chỉ có chữ ở cột đó được bỏ qua như một tiêu "
            "đề nhóm); nếu đó đúng là trạm BTS, hãy điền vị trí của nó") in vi
    # the fix the problem gives: the text moved to the operator column, the row is left out as a heading
    warnings: list[str] = []
    moved = [",VIETTEL" + "," * 11, *TOWERS]
    assert len(load_towers(_write(tmp_path / "bts2.csv", moved, TOWER_HEADER), crs=UTM, warnings=warnings)) == 3
    assert any("1 row(s) look like section headings" in w for w in warnings)


def test_a_heading_in_the_id_column_of_a_station_list(tmp_path):
    rows = ["I. HUYỆN ĐIỆN BIÊN,,,,,,", *STATIONS[:2], "II. HUYỆN TUẦN GIÁO,,,,,,", *STATIONS[2:]]
    e = _problems(load_stations, _write(tmp_path / "s.csv", rows))
    assert [p.split(": ", 1)[0] for p in e.problems] == ["row 2, column 'id'", "row 5, column 'id'"]
    assert e.problems[1].endswith("'II. HUYỆN TUẦN GIÁO' is all the row holds: a section heading typed in the id "
                                  "column? Delete the row, or move the text to the column 'name' (a row with text only "
                                  "there is left out as a heading); if it is one of the stations, fill in its position")


def test_a_heading_in_a_list_of_ids_and_positions_only(tmp_path):
    """No other column to move the text to: delete the row. A station with its name but no position is a station
    without a position, as before; a file of ids only is not taken for headings."""
    e = _problems(load_stations, _write(tmp_path / "s.csv", ["VIETTEL,,", "KV01,102.99,21.38"], ["id", "lon", "lat"]))
    assert e.problems == ["row 2, column 'id': 'VIETTEL' is all the row holds: a section heading typed in the id "
                          "column? Delete the row; if it is one of the stations, fill in its position"]
    assert "Hãy xoá dòng này; nếu đó đúng là điểm bỏ phiếu, hãy điền vị trí của nó" in error_text(e, "vi")
    e = _problems(load_stations, _write(tmp_path / "s2.csv", ["KV05,Bản Pa Có,,,,,", *STATIONS]))
    assert e.problems == ["row 2, column 'lon': empty longitude", "row 2, column 'lat': empty latitude"]
    e = _problems(load_stations, _write(tmp_path / "s3.csv", ["KV01,,", "KV02,,"], ["id", "lon", "lat"]))
    assert len(e.problems) == 4 and "empty longitude" in e.problems[0]


def test_the_sample_project_files_load_unchanged(tmp_path):
    """The sample's files (no ragged row) load as before, and reading never changes them."""
    for name in ("towers.csv", "polling_stations.csv"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    before = {n: (tmp_path / n).read_bytes() for n in ("towers.csv", "polling_stations.csv")}
    assert len(load_towers(tmp_path / "towers.csv", crs=UTM)) == 267
    assert len(load_stations(tmp_path / "polling_stations.csv", crs=UTM)) == 655
    assert before == {n: (tmp_path / n).read_bytes() for n in before}


def test_a_polling_station_list_given_as_the_towers_file_is_refused(tmp_path):
    """QA: ``coverage --tower-file polling_stations.csv`` read the sample's 655 stations as towers on default radio
    values (warnings only). A file with no radio column and the stations' own columns is refused, naming them;
    a bare id/lon/lat tower list (no station column) is still read, on the defaults."""
    sample = Path(__file__).resolve().parents[2] / "data" / "sample" / "dien_bien" / "polling_stations.csv"
    before = sample.read_bytes()
    with pytest.raises(InputError) as ei:
        load_towers(sample, crs="EPSG:32648")
    msg = str(ei.value)
    assert "looks like a list of polling stations, not of towers" in msg and "'voters'" in msg, msg
    assert "[inputs] stations" in msg
    vi = error_text(ei.value, "vi")
    assert "có vẻ là danh sách điểm bỏ phiếu" in vi and "looks like" not in vi, vi
    assert sample.read_bytes() == before  # the input is never changed
    bare = tmp_path / "bare.csv"
    bare.write_text("id,lon,lat\nT1,103.0,21.4\nT2,103.1,21.5\n", encoding="utf-8")
    towers = load_towers(bare, crs="EPSG:32648")
    assert list(towers["id"]) == ["T1", "T2"]
