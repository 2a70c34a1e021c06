"""Messy real-world inputs, QA round 4: voters written with the Vietnamese thousands separator ("1.234" from a
Vietnamese-locale Excel), and section headings between the rows of an office list ("I. HUYỆN ĐIỆN BIÊN",
"Xã Thanh Nưa", "Tổng cộng: 12 khu vực"). Each case is built the way an office sends it, loaded by the real
loaders, and its warning or error is checked in English and Vietnamese."""

from __future__ import annotations

import pytest

from coverage_planner.errors import InputError
from coverage_planner.i18n import error_text, translate_message
from coverage_planner.inputs import load_stations, load_towers

from .conftest import STATION_HEADER, STATION_ROWS, TOWER_HEADER, TOWER_ROWS, write_csv

UTM = "EPSG:32648"


def _stations(voters: list[str]) -> list[list]:
    return [[*r[:5], v, r[6]] for r, v in zip(STATION_ROWS, voters, strict=True)]


# ------------------------------------------------------------------------------- 1. voters with a thousands separator
@pytest.mark.parametrize(("voters", "said"), [
    (["4.200", "3.100", "12.500", "950"], "3 value(s) written with '.' as the thousands separator read as whole "
                                           "numbers (e.g. 4.200 → 4200)"),
    (["4,200", "3,100", "12,500", "950"], "3 value(s) written with ',' as the thousands separator read as whole "
                                           "numbers (e.g. 4,200 → 4200)"),
    (["420", "1.250.000", "", "95"], "1 value(s) written with '.' as the thousands separator read as whole numbers "
                                     "(e.g. 1.250.000 → 1250000)"),
    (["4 200", "3\u00a0100", "12 500", "950"], "3 value(s) written with spaces as the thousands separator read as "
                                                "whole numbers (e.g. 4 200 → 4200)"),
])  # fmt: skip
def test_a_consistent_voters_column_with_a_thousands_separator_is_read(tmp_path, voters, said):
    """QA: a station list from a Vietnamese-locale Excel ("1.234") was refused, one problem per station with
    ≥ 1,000 voters. Voters are whole numbers: when every number of the column is grouped the same way they are read,
    with one warning for the column."""
    warnings: list[str] = []
    st = load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, _stations(voters)), crs=UTM, warnings=warnings)
    expected = [int(v.replace(".", "").replace(",", "").replace(" ", "").replace("\u00a0", "") or 0) for v in voters]
    assert st["voters"].tolist() == expected
    grouped = [w for w in warnings if "thousands separator" in w]
    assert grouped == [f"stations: s.csv, column 'voters': {said}"]
    vi = translate_message(grouped[0], "vi")
    assert vi.startswith("Điểm bỏ phiếu: s.csv, cột 'voters': ") and "phân cách hàng nghìn đã được đọc là số nguyên" in vi
    assert "value" not in vi and "written" not in vi


def test_plain_voters_give_no_warning(tmp_path):
    warnings: list[str] = []
    load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, STATION_ROWS), crs=UTM, warnings=warnings)
    assert not [w for w in warnings if "thousands" in w]


@pytest.mark.parametrize(("voters", "problems"), [
    # a decimal in the column: '.' may be a decimal mark there
    (["1.234", "1.5", "420", "95"],
     ["column 'voters': 1 value(s) grouped by thousands like '1.234' (row 2) were not read, since the column also "
      "has '1.5' (row 3): correct it, and the column is read as whole numbers",
      "row 3, column 'voters': '1.5' must be a whole number"]),
    # two separators in one column
    (["1.234", "310", "1,234", "95"],
     ["column 'voters': 1 value(s) grouped by thousands like '1.234' (row 2) were not read, since the column also "
      "has '1,234' (row 4): correct it, and the column is read as whole numbers",
      "row 4, column 'voters': '1,234' is ambiguous (thousands separator or decimal mark?): write 1234 without a "
      "thousands separator (the column also has '1.234' in row 2)"]),
    # grouped with a fraction: not a whole number, and the column's '.' is then no sure thousands separator
    (["2.000", "1,234.5", "1.500", "12,5"],
     ["column 'voters': 2 value(s) grouped by thousands like '2.000' (row 2) were not read, since the column also "
      "has '1,234.5' (row 3), '12,5' (row 5): correct these, and the column is read as whole numbers",
      "row 3, column 'voters': '1,234.5' must be a whole number",
      "row 5, column 'voters': '12,5' must be a whole number"]),
])  # fmt: skip
def test_an_ambiguous_or_mixed_voters_column_is_still_refused(tmp_path, voters, problems):
    """Refused, naming the values that break the column's pattern (one problem each) and, once, the grouped values
    left unread because of them: a stray '1.5' in the sample made so gave 3 problems, not 379."""
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, _stations(voters)), crs=UTM)
    assert ei.value.problems == problems
    assert "s.csv" in str(ei.value)
    vi = error_text(ei.value, "vi")
    assert "  - cột 'voters': " in vi and " giá trị viết có dấu phân cách hàng nghìn như '" in vi
    assert "vì cột này còn có '" in vi and "' (dòng " in vi
    assert "row " not in vi and "the column" not in vi and "value(s)" not in vi


def test_spaces_in_a_column_grouped_with_dots_are_read_and_not_blamed(tmp_path):
    """A space is never a decimal mark: '1 234' is read; the '.'-grouped values beside it are the ambiguous ones."""
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, _stations(["1 234", "2 500", "1.250", "95"])),
                      crs=UTM)  # fmt: skip
    assert ei.value.problems == [
        "row 4, column 'voters': '1.250' is ambiguous (thousands separator or decimal mark?): write 1250 without a "
        "thousands separator (the column also has '1 234' in row 2)"]


def test_a_word_in_the_column_does_not_make_the_grouped_numbers_ambiguous(tmp_path):
    """'abc' is its own problem; it says nothing about the separator of '1.234'."""
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, _stations(["1.234", "abc", "420", "95"])),
                      crs=UTM)  # fmt: skip
    assert ei.value.problems == ["row 3, column 'voters': 'abc' is not a number"]


# ------------------------------------------------------------------------------- 2. section headings between the rows
OFFICE_HEADER = ["STT", "Mã KVBP", "Tên khu vực bỏ phiếu", "Xã", "Kinh độ", "Vĩ độ", "Số cử tri", "Ưu tiên"]


def _office_rows() -> list[list]:
    """STATION_ROWS as an office writes them: numbered, grouped under a district and commune headings, a total."""
    body = [[str(k + 1), *r] for k, r in enumerate(STATION_ROWS)]
    return [
        ["I. HUYỆN ĐIỆN BIÊN", "", "", "", "", "", "", ""],
        ["1", "", "Xã Tây", "", "", "", "", ""],  # numbered heading: in the STT and name columns, not the id
        body[0], body[1],
        ["Xã Đông", "", "", "", "", "", "", ""],
        body[2], body[3],
        ["Tổng cộng: 4 khu vực", "", "", "", "", "", "", ""],
    ]


def test_section_headings_are_one_note_not_a_problem_per_row(tmp_path):
    """QA: such a list gave 'empty id (the row reads …)', 'empty longitude', 'empty latitude' for every heading
    (the sample made so: 165 problems for 55 headings). Now the stations are read and the headings said once."""
    warnings: list[str] = []
    st = load_stations(write_csv(tmp_path / "kvbp.csv", OFFICE_HEADER, _office_rows()), crs=UTM, warnings=warnings)
    assert st["id"].tolist() == ["KV01", "KV02", "KV03", "KV04"]
    assert st["source_row"].tolist() == [4, 5, 7, 8]  # the spreadsheet's row numbers are kept
    assert st["name"].tolist() == [r[1] for r in STATION_ROWS]  # "Tên khu vực bỏ phiếu" is the name column
    said = [w for w in warnings if "section headings" in w]
    assert said == [
        "stations: kvbp.csv: 4 row(s) look like section headings or totals (text in the first columns only, no id, "
        "no position) and were not read as stations (rows 2, 3, 6, 9): 'I. HUYỆN ĐIỆN BIÊN', '1 | Xã Tây', "
        "'Xã Đông' …"]
    assert translate_message(said[0], "vi") == (
        "Điểm bỏ phiếu: kvbp.csv: 4 dòng có vẻ là dòng tiêu đề nhóm hoặc dòng tổng cộng (chỉ có chữ ở các cột đầu, "
        "không có mã, không có toạ độ) nên không được đọc là điểm bỏ phiếu (dòng 2, 3, 6, 9): 'I. HUYỆN ĐIỆN BIÊN', "
        "'1 | Xã Tây', 'Xã Đông' …")
    assert not [w for w in warnings if "not recognised" in w or "without a name" in w]


def test_a_row_with_an_id_or_a_coordinate_is_never_left_out(tmp_path):
    """A station whose row lacks its id but has a coordinate, or has its id but no position, is a problem of
    that row as before: never taken for a heading. (A row with nothing but its id and STT is one problem that
    says it may be a heading in the id column: test_inputs_messy5.py.)"""
    rows = _office_rows()
    rows.insert(3, ["", "", "", "", "103.0", "", "", ""])  # a coordinate only
    rows.insert(4, ["Xã Tây", "KV09", "", "", "", "", "", ""])  # a heading written in the id column: an id
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "kvbp.csv", OFFICE_HEADER, rows), crs=UTM)
    assert ei.value.problems == [
        "row 5, column 'Mã KVBP' (id): empty id (the row reads: '103.0')",
        "row 5, column 'Vĩ độ' (lat): empty latitude",
        "row 6, column 'Mã KVBP' (id): 'Xã Tây | KV09' is all the row holds: a section heading typed in the id "
        "column? Delete the row, or move the text to the column 'Tên khu vực bỏ phiếu' (a row with text only there "
        "is left out as a heading); if it is one of the stations, fill in its position",
    ]


def test_a_total_with_a_figure_stays_a_problem(tmp_path):
    """The totals handling of the previous round: a total line with a figure in another column (the voters'
    sum) is not a heading; it is refused, named as a total line."""
    rows = _office_rows()
    rows[-1] = ["Tổng cộng", "", "", "", "", "", "975", ""]
    warnings: list[str] = []
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "kvbp.csv", OFFICE_HEADER, rows), crs=UTM, warnings=warnings)
    assert ei.value.problems[0] == ("row 9, column 'Mã KVBP' (id): empty id (the row reads: 'Tổng cộng | 975'; it "
                                    "looks like a total or footer line: delete it)")
    assert len(ei.value.problems) == 3  # id, lon, lat of that row only
    assert [w for w in warnings if "section headings" in w][0].endswith("(rows 2, 3, 6): 'I. HUYỆN ĐIỆN BIÊN', "
                                                                         "'1 | Xã Tây', 'Xã Đông'")


def test_tower_list_headings_per_operator(tmp_path):
    """A BTS list (id first) grouped by operator: the headings in the operator (and technology) columns are left
    out; one written in the id column is a tower id: its row is refused, with one problem saying it may be a heading
    (it gave "empty longitude" and "empty latitude")."""
    rows = [["", "VIETTEL", *[""] * 11], *TOWER_ROWS[:2], ["", "VinaPhone", "3G, 4G", *[""] * 10], *TOWER_ROWS[2:]]
    warnings: list[str] = []
    t = load_towers(write_csv(tmp_path / "bts.csv", TOWER_HEADER, rows), crs=UTM, warnings=warnings)
    assert t["id"].tolist() == [r[0] for r in TOWER_ROWS]
    assert [w for w in warnings if "section headings" in w] == [
        "towers: bts.csv: 2 row(s) look like section headings or totals (text in the first columns only, no id, no "
        "position) and were not read as towers (rows 2, 5): 'VIETTEL', 'VinaPhone | 3G, 4G'"]
    rows[0] = ["VIETTEL", *[""] * 12]
    with pytest.raises(InputError) as ei:
        load_towers(write_csv(tmp_path / "bts.csv", TOWER_HEADER, rows), crs=UTM)
    assert ei.value.problems == [
        "row 2, column 'ma_tram' (id): 'VIETTEL' is all the row holds: a section heading typed in the id column? "
        "Delete the row, or move the text to the column 'nha_mang' (a row with text only there is left out as a "
        "heading); if it is one of the towers, fill in its position"]


def test_an_office_workbook_with_headings_merged_across_the_row(tmp_path):
    """The headings of a real workbook are merged across the table (A5:H5): only the first cell holds the text,
    and the voters are numbers formatted with a thousands separator (read as numbers, no warning)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH KHU VỰC BỎ PHIẾU"])
    ws.merge_cells("A1:H1")
    ws.append(OFFICE_HEADER)
    for r in _office_rows():
        ws.append([int(v) if isinstance(v, int) else v for v in r])
        if r[1] == "":  # the heading's text merged over the rest of the row
            first = "A" if r[2] == "" else "C"
            ws.merge_cells(f"{first}{ws.max_row}:H{ws.max_row}")
    for row in ws.iter_rows(min_row=3, min_col=7, max_col=7):
        if row[0].value not in ("", None):
            row[0].value = int(row[0].value) * 10
            row[0].number_format = "#,##0"
    wb.save(tmp_path / "kvbp.xlsx")
    warnings: list[str] = []
    st = load_stations(tmp_path / "kvbp.xlsx", crs=UTM, warnings=warnings)
    assert st["voters"].tolist() == [4200, 3100, 1500, 950]
    assert [w for w in warnings if "section headings" in w] == [
        "stations: kvbp.xlsx: 4 row(s) look like section headings or totals (text in the first columns only, no "
        "id, no position) and were not read as stations (rows 3, 4, 7, 10): 'I. HUYỆN ĐIỆN BIÊN', '1 | Xã Tây', "
        "'Xã Đông' …"]
    assert not [w for w in warnings if "thousands" in w or "merged over several rows" in w]


# ------------------------------------------------------------------------------- 3. the name column of an office list
def test_the_name_column_of_an_office_list_is_recognised(tmp_path):
    """QA: "Tên khu vực bỏ phiếu" (the sample made into an office list) was not recognised: "655 row(s) without a
    name: the id is used as the name", and the column was listed as ignored."""
    header = ["Mã KVBP", "Tên khu vực bỏ phiếu", "Xã", "Kinh độ", "Vĩ độ", "Số cử tri"]
    warnings: list[str] = []
    st = load_stations(write_csv(tmp_path / "kvbp.csv", header, [r[:6] for r in STATION_ROWS]), crs=UTM,
                       warnings=warnings)  # fmt: skip
    assert st["name"].tolist() == [r[1] for r in STATION_ROWS]
    assert not [w for w in warnings if "without a name" in w or "not recognised" in w]
