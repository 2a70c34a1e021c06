"""Messy real-world inputs, QA round 4: voters written with the Vietnamese thousands separator ("1.234" from a
Vietnamese-locale Excel). Each case is built the way an office sends it, loaded by the real
loaders, and its warning or error is checked in English and Vietnamese."""

from __future__ import annotations

import pytest

from coverage_planner.errors import InputError
from coverage_planner.i18n import error_text, translate_message
from coverage_planner.inputs import load_stations

from .conftest import STATION_HEADER, STATION_ROWS, write_csv

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
