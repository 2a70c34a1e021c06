"""Input errors in Vietnamese (coverage_planner.i18n.error_text): QA found the desktop app showing them in English,
ending in the command line's "run validate again". The errors here are made by the real loaders on broken files,
so the translation table is checked against what the code says today, not against copies of its messages."""

from __future__ import annotations

import re
import shutil

import pytest

from coverage_planner import i18n
from coverage_planner.errors import RECHECK_CLI, InputError
from coverage_planner.i18n import error_text, translate_hint
from coverage_planner.inputs import (
    load_communes,
    load_inputs,
    load_lines,
    load_points,
    load_stations,
    load_towers,
)
from coverage_planner.project import INPUT_KEYS, load_project, project_from_dict

from .conftest import (
    STATION_HEADER,
    STATION_ROWS,
    TOWER_HEADER,
    TOWER_ROWS,
    build_project,
    commune_features,
    line_fc,
    write_csv,
    write_geojson,
)

UTM = "EPSG:32648"
GUI_RECHECK = "mở lại dự án"


def _raised(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as ei:
        fn(*args, **kwargs)
    return ei.value


def _bad_towers(path):
    rows = [list(r) for r in TOWER_ROWS]
    rows.append(["DBN001", "Viettel", "5G", 103.01, 21.41, 300, 1800, 58, "", "", "", "", "Đang sửa chữa"])  # dup id
    rows.append(["DBN005", "Viettel", "4G", 21.40, 103.02, 30, "abc", 58, "", "", "", "", "on air"])  # swapped
    rows.append(["DBN006", "Viettel", "4G", "", "", 30, 1800, 58, "", "", "", "", "on air"])  # empty lon and lat
    rows.append(["DBN007", "Viettel", "4G", 250.0, -95.0, 30, 1800, 58, "", "", "", "", "on air"])  # out of range
    rows.append(["", "Tổng số: 7 trạm", "", "", "", "", "", "", "", "", "", "", ""])  # a footer line
    rows.append(["", "Viettel", "4G", 103.03, 21.42, 30, 1800, 58, "", "", "", "", "on air"])  # id forgotten
    return write_csv(path, TOWER_HEADER, rows)


def _errors(tmp_path) -> list[InputError]:
    """One error of each kind the loaders, load_inputs and the project reader raise for broken inputs."""
    errs = [_raised(load_towers, _bad_towers(tmp_path / "towers.csv"), crs=UTM)]
    eirp = write_csv(tmp_path / "towers_tx.csv", ["id", "lon", "lat", "tx_power_dbm", "antenna_gain_dbi"],
                     [["T1", 103.0, 21.4, 70, 30]])  # fmt: skip
    errs.append(_raised(load_towers, eirp, crs=UTM))
    xy = write_csv(tmp_path / "towers_xy.csv", ["id", "x", "y"], [["T1", "", 2360000], ["T2", 9.9e7, 9.9e7]])
    errs.append(_raised(load_towers, xy, crs=UTM, source_crs=UTM))
    errs.append(_raised(load_towers, write_csv(tmp_path / "noid.csv", ["name", "lon", "lat"], [["A", 103, 21.4]]),
                        crs=UTM))  # fmt: skip
    swapped = [[r[0], r[1], r[2], r[4], r[3], *r[5:]] for r in TOWER_ROWS]  # the lon and lat headers exchanged
    errs.append(_raised(load_towers, write_csv(tmp_path / "towers_swapped.csv", TOWER_HEADER, swapped), crs=UTM))
    errs.append(_raised(load_towers, tmp_path / "absent.csv", crs=UTM))
    (tmp_path / "empty.csv").write_bytes(b"")
    errs.append(_raised(load_towers, tmp_path / "empty.csv", crs=UTM))
    (tmp_path / "blank.csv").write_text("\n\n;;\n", encoding="utf-8")
    errs.append(_raised(load_towers, tmp_path / "blank.csv", crs=UTM))
    errs.append(_raised(load_towers, write_csv(tmp_path / "header.csv", TOWER_HEADER, []), crs=UTM))
    st = [list(r) for r in STATION_ROWS]
    st[0][5], st[1][5], st[2][5], st[3][6] = "1.250", "12.5", "abc", "1.500"  # voters ×3, priority
    st[2][6] = "1.000.000"  # a priority grouped twice: no decimal reading
    st[3][5] = "1,100"  # a second thousands separator in the voters column
    st.append(["", "Tổng cộng", "", "", "", "977", ""])  # a total line with the voters' sum
    errs.append(_raised(load_stations, write_csv(tmp_path / "stations.csv", STATION_HEADER, st), crs=UTM))
    # rows with more or fewer values than the header (decimal commas, a comma in a name, a value deleted with its
    # comma), headings typed in the id column: written as a text editor leaves them (write_csv would quote them)
    ragged = [",".join(STATION_HEADER), "KV01,Bản Him Lam,Xã Tây,102.990,21,380,420,1",
              "KV02,Bản Mường Phăng,Xã Tây,103,010,21,330,310,2", "I. HUYỆN ĐIỆN BIÊN,,,,,,",
              "KV03,Bản Na Sang, thôn 1,Xã Đông,103.060,21.410,150,1",
              "KV04,Bản Huổi Lếch, thôn 2,Xã Đông, huyện Điện Biên,103.085,21.320,95,1.5",
              "KV05,Bản Pa Có,103.02,21.39,200,1",
              *(f"KV{k:02d},Bản {k},Xã Đông,103.0{k % 10},21.3{k % 10},75,1" for k in range(6, 12))]
    (tmp_path / "ragged.csv").write_text("\n".join(ragged) + "\n", encoding="utf-8")
    errs.append(_raised(load_stations, tmp_path / "ragged.csv", crs=UTM))
    (tmp_path / "ids.csv").write_text("ma_tram,kinh_do,vi_do\nVIETTEL,,\nDBN001,103.0,21.4\n", encoding="utf-8")
    errs.append(_raised(load_towers, tmp_path / "ids.csv", crs=UTM))
    fc = commune_features()
    fc["features"][0]["properties"].update(border="maybe")
    fc["features"][1]["properties"].update(name="", border="0")
    fc["features"].append({"type": "Feature", "properties": {"name": "Xã Bắc", "border": "1"}, "geometry": None})
    fc["features"].append({"type": "Feature", "properties": {"name": "Xã Bắc", "border": "1"},
                           "geometry": {"type": "Point", "coordinates": [103.0, 21.4]}})  # fmt: skip
    errs.append(_raised(load_communes, write_geojson(tmp_path / "communes.geojson", fc), crs=UTM))
    pts = line_fc([[103.0, 21.3], [103.1, 21.4]])
    pts["features"].append({"type": "Feature", "properties": {"name": "x"}, "geometry": None})
    errs.append(_raised(load_points, write_geojson(tmp_path / "towns.geojson", pts), crs=UTM, what="towns"))
    lines = line_fc([[103.0, 21.3], [103.1, 21.4]])
    lines["features"][0]["geometry"] = {"type": "Point", "coordinates": [103.0, 21.4]}
    errs.append(_raised(load_lines, write_geojson(tmp_path / "roads.geojson", lines), crs=UTM, what="roads"))
    # the whole project: two broken files; files not found (one a folder); no towers named; towers off the DEM
    proj = build_project(tmp_path / "two")
    _bad_towers(proj.parent / "towers.csv")
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, [*STATION_ROWS, STATION_ROWS[0]])
    errs.append(_raised(load_inputs, load_project(proj)))
    proj = build_project(tmp_path / "gone")
    (proj.parent / "towns.csv").unlink()
    (proj.parent / "polling_stations.csv").unlink()
    (proj.parent / "polling_stations.csv").mkdir()
    errs.append(_raised(load_inputs, load_project(proj)))
    proj = build_project(tmp_path / "none")
    proj.write_text(proj.read_text(encoding="utf-8").replace('towers = "towers.csv"\n', ""), encoding="utf-8")
    errs.append(_raised(load_inputs, load_project(proj)))
    far = [list(r) for r in TOWER_ROWS] + [["DBN009", "Viettel", "4G", 103.5, 21.4, 30, 1800, 58, "", "", "", "",
                                            "on air"]]  # fmt: skip
    errs.append(_raised(load_inputs, load_project(build_project(tmp_path / "far", towers_rows=far))))
    # the project file: several wrong settings at once, then single ones (with and without a close match)
    data = {"project": {"resolution_m": "ninety"}, "radio": {"model": "deygut", "k_factor": 99.0, "zzzzzz": 1},
            "placement": {"k": 2.5}}  # fmt: skip
    errs.append(_raised(project_from_dict, data, tmp_path / "p.toml"))
    errs.append(_raised(project_from_dict, {"radio": {"max_distanse_m": 1}}, tmp_path / "p.toml"))
    errs.append(_raised(project_from_dict, {"placement": {"k": 0}}, tmp_path / "p.toml"))  # the hint names k = -1
    return errs


@pytest.fixture(scope="module")
def errors(tmp_path_factory):
    return _errors(tmp_path_factory.mktemp("broken"))


def _parts(error: InputError):
    """Every text the error is made of, as the table sees it: messages, listed problems (without a row
    problem's location), hints (without the re-check step); of the gathered errors too."""
    yield error.message
    for p in error.problems if not error.causes else ():
        row = i18n._ROW_PROBLEM.fullmatch(p)
        setting = re.fullmatch(r"field '[^']*': (?P<msg>.+?)(?: \(how to fix: (?P<hint>.+)\))?", p)  # project's
        if setting:
            yield from (t for t in (setting["msg"], setting["hint"]) if t)
        yield row["msg"] if row else p
    if error.hint:
        m = i18n._RECHECK_HINT.fullmatch(error.hint)
        yield m["fix"] if m else error.hint
    for cause in error.causes:
        yield from _parts(cause)


# The table cannot rot: test_error_i18n_files.test_every_pattern_matches_a_message_the_code_produces checks every
# pattern against the errors made here and there (file, raster, CRS errors) together.


def test_the_produced_errors_are_all_in_vietnamese(errors):
    """Each part of each error has a pattern (so the test above sees real messages), and the whole text names
    no English label: file, row, column, field and "How to fix" are Vietnamese, numbers have decimal commas."""
    for e in errors:
        for part in _parts(e):
            assert i18n.translate_message(part, "vi") != part, part
        vi = error_text(e, "vi", recheck=GUI_RECHECK)
        for english in ("How to fix", "row ", "column '", "field '", "validate", " is not ", " file"):
            assert english not in vi, (english, vi)
    swapped = next(e for e in errors if "towers.csv" in str(e) and "5G" in str(e))
    vi = error_text(swapped, "vi")
    assert "dòng 5, cột 'ma_tram' (mã): mã 'DBN001' bị trùng (đã có ở dòng 2)" in vi
    assert "dòng 6, cột 'vi_do' (vĩ độ): kinh độ 21,4 / vĩ độ 103,02 có vẻ bị đổi chỗ" in vi
    assert "cột 'trang_thai' (trạng thái): 'Đang sửa chữa' không phải trạng thái đã biết" in vi
    assert "Tổng số: 7 trạm" not in vi  # a footer with text only in the first columns is left out with a note
    stations = next(e for e in errors if "stations.csv" in str(e) and "1.250" in str(e))
    st_vi = error_text(stations, "vi")
    assert "mã trống (dòng này ghi: 'Tổng cộng | 977'; có vẻ là dòng tổng cộng hoặc chân trang: hãy xoá dòng này)" in st_vi
    assert ("'1,100' không rõ nghĩa (dấu phân cách hàng nghìn hay dấu thập phân?): hãy ghi 1100 không có dấu phân "
            "cách hàng nghìn (cột này còn có '1.250' ở dòng 2)") in st_vi
    assert ("cột 'voters': 1 giá trị viết có dấu phân cách hàng nghìn như '1.250' (dòng 2) chưa được đọc, vì cột này "
            "còn có '12.5' (dòng 3), '1,100' (dòng 5): hãy sửa (các) giá trị đó") in st_vi
    assert vi.endswith("Cách sửa: sửa các dòng đã liệt kê trong tệp, rồi chạy lại lệnh validate")


def test_english_is_the_command_lines_text(errors):
    """English without a re-check step of its own is exactly what the command line prints (str(error))."""
    for e in errors:
        assert error_text(e, "en") == str(e)


def test_the_app_gives_its_own_recheck_step(errors):
    """The command line's "run validate again" is replaced, in each language, by what the caller gives; the
    gathered files' hints too (the error of several files lists each file's)."""
    several = next(e for e in errors if e.causes)
    assert len(several.causes) == 2 and str(several).count(RECHECK_CLI) == 3
    en = error_text(several, "en", recheck="open the project again")
    assert RECHECK_CLI not in en and en.count(", then open the project again") == 3
    assert en.replace("open the project again", RECHECK_CLI) == str(several)  # nothing else changed
    vi = error_text(several, "vi", recheck=GUI_RECHECK)
    assert vi.startswith("2 tệp dữ liệu đầu vào có lỗi\n  - ") and vi.count(", rồi mở lại dự án") == 3
    assert "lỗi trong tệp trạm BTS" in vi and "lỗi trong tệp điểm bỏ phiếu" in vi
    assert translate_hint("check the DEM", "vi", recheck=GUI_RECHECK) == "check the DEM"  # no step: as it is


def test_unknown_messages_stay_readable_english():
    """A message no pattern knows is kept whole, in English, inside the Vietnamese labels."""
    e = InputError("a new problem nobody translated yet", path="x.csv", row=3, field="lat",
                   problems=["row 4, column 'Vĩ độ' (lat): something else new"], hint="do the new thing")  # fmt: skip
    assert error_text(e, "vi") == ("x.csv, dòng 3, trường 'lat': a new problem nobody translated yet\n"
                                   "  - dòng 4, cột 'Vĩ độ': something else new\nCách sửa: do the new thing")


def test_more_than_twenty_problems_are_counted_in_vietnamese():
    e = InputError("25 problems in the towers file", problems=[f"row {i}, column 'id': empty id" for i in range(2, 27)])
    vi = error_text(e, "vi")
    assert vi.count("  - dòng ") == 20 and vi.endswith("\n  … và 5 lỗi khác")
    assert error_text(e, "en") == str(e)


def test_input_keys_in_the_table_are_the_projects():
    assert set(i18n._INPUT_KEYS.split("|")) == set(INPUT_KEYS)


def test_sample_like_project_with_a_broken_file_reads_in_vietnamese(tmp_path):
    """The QA case on the tiny project: one broken file (no gathering): the message is about that file."""
    proj = build_project(tmp_path / "p")
    shutil.copy(_bad_towers(tmp_path / "t.csv"), proj.parent / "towers.csv")
    e = _raised(load_inputs, load_project(proj))
    vi = error_text(e, "vi", recheck=GUI_RECHECK)
    assert vi.startswith(f"{proj.parent / 'towers.csv'}: 11 lỗi trong tệp trạm BTS\n")  # the footer (3 before): a note
    assert vi.endswith("Cách sửa: sửa các dòng đã liệt kê trong tệp, rồi mở lại dự án")
