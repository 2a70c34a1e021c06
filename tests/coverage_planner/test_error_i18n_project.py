"""The project file's own errors in Vietnamese: the desktop app shows them when a project is opened (a file saved
as UTF-16 or in a legacy code page, a TOML syntax slip, a section written as a value, thresholds the wrong way
round, an empty path, an empty [clutter.classes]…). Each is made here by the real code (load_project,
project_from_dict, save_project, Project.set_input), so the patterns of coverage_planner.i18n are checked against
what the code writes today; test_error_i18n_files.py adds these errors to its "every pattern matches a message"
corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coverage_planner.errors import InputError
from coverage_planner.i18n import error_text, translate_message
from coverage_planner.project import Project, load_project, project_from_dict, save_project

from . import test_error_i18n as rows_corpus
from .test_error_i18n_files import ENGLISH

GUI_RECHECK = "mở lại dự án"


def _raised(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as ei:
        fn(*args, **kwargs)
    return ei.value


def _file(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _project_errors(tmp_path: Path) -> list[InputError]:
    """One error of each kind the project file's reader and writer raise, each from a file or dict a user could
    have written (by hand in Notepad, or saved from another tool)."""
    errs = [_raised(load_project, tmp_path / "absent.toml")]
    load = [  # the file itself: its encoding, then TOML syntax slips (the reader's line and column are kept)
        ("utf16.toml", "[project]\nname = 'Mini'\n".encode("utf-16")),  # Notepad's "Unicode"
        ("cp1258.toml", '[project]\nname = "Sông Đà"\n'.encode("cp1258")),  # a Vietnamese Windows code page
        ("unquoted.toml", "[project]\nname = Mini\n"),
        ("open_quote.toml", '[project]\nname = "Mini\ncrs = "auto"\n'),
        ("open_quote_end.toml", '[project]\nname = "Mini'),
        ("open_list.toml", '[scenario]\ndown = ["BTS1",'),
        ("no_equals.toml", '[project]\nname "Mini"\n'),
        ("two_on_a_line.toml", '[project]\nname = "Mini" crs = "auto"\n'),
        ("twice.toml", '[project]\nname = "A"\nname = "B"\n'),
        ("section_twice.toml", "[radio]\nk_factor = 1.33\n[radio]\n"),
        ("open_section.toml", "[project\nname = 'Mini'\n"),
    ]
    errs += [_raised(load_project, _file(tmp_path, name, content)) for name, content in load]
    errs.append(_raised(save_project, Project()))  # a new project saved without a path
    errs.append(_raised(Project().set_input, "tower", "towers.csv"))
    path = tmp_path / "project.toml"
    for data in (
        {"radio": 5},  # "radio = 5" instead of a [radio] section
        {"placment": {"k": 3}},  # a misspelt section
        {"project": {"resolution_m": float("inf")}},
        {"project": {"name": 5}},
        {"inputs": {"towers": " "}},
        {"inputs": {"towers": {"crs": "EPSG:4326"}}},
        {"inputs": {"towers": 5}},
        {"inputs": {"terrain": []}},
        {"thresholds": {"4G": {"good_dbm": -100, "weak_dbm": -90}}},
        {"scenario": {"down": "BTS1"}},
        {"clutter": {"classes": {"ten": {"name": "Cây"}}}},
        {"clutter": {"classes": {}}},
        {"clutter": {"classes": 5}, "radio": {"model": "deygut"}},  # several problems at once
    ):
        errs.append(_raised(project_from_dict, data, path))
    return errs


@pytest.fixture(scope="module")
def project_errors(tmp_path_factory):
    return _project_errors(tmp_path_factory.mktemp("project"))


def test_project_file_errors_are_in_vietnamese(project_errors):
    """Every part has a pattern and no English word is left (keys, paths and the lines to type stay as they
    are); English is unchanged."""
    assert len(project_errors) >= 25
    for e in project_errors:
        for part in rows_corpus._parts(e):
            assert translate_message(part, "vi") != part, part
        vi = error_text(e, "vi", recheck=GUI_RECHECK)
        # without what the user typed or will type: paths, quoted keys and values, `commands`, "key = value" lines,
        # the keys a hint lists before their Vietnamese names ("terrain (địa hình)")
        plain = re.sub(r"/\S+|'[^']*'|\"[^\"]*\"|`[^`]*`|\w+ = \{[^}]*\}|\w+ = \S+|\[[\w.]+\]|\b[a-z_]+(?= \()", "",
                       vi)
        for english in (*ENGLISH, " got ", " must ", " key", " value", " empty", " section", "TOML:"):
            assert english not in plain, (english, vi)
        assert error_text(e, "en") == str(e)


def test_project_file_errors_read_naturally(project_errors):
    """The ones an engineer editing project.toml by hand meets most, in full."""
    vi = {str(e): error_text(e, "vi", recheck=GUI_RECHECK) for e in project_errors}

    def one(fragment: str) -> str:
        return next(text for en, text in vi.items() if fragment in en)

    assert one("absent.toml").endswith("absent.toml: không tìm thấy tệp dự án\n"
                                       "Cách sửa: tạo tệp dự án bằng lệnh `coverage-planner init`")
    assert one("utf16.toml").endswith(": tệp dự án được lưu dạng văn bản UTF-16\n"
                                      "Cách sửa: lưu lại tệp dự án với bảng mã UTF-8")
    assert "tệp dự án không phải văn bản UTF-8 (lỗi tại byte " in one("cp1258.toml")
    assert ("unquoted.toml: tệp dự án sai cú pháp TOML ở dòng 2, cột 8: giá trị không hợp lệ (văn bản phải đặt "
            "trong dấu ngoặc kép)\nCách sửa: kiểm tra dấu ngoặc kép quanh văn bản và dấu '=' giữa khoá và giá trị"
            ) in one("unquoted.toml")
    assert "ở cuối tệp: thiếu dấu ngoặc kép đóng" in one("open_quote_end.toml")
    assert "mục 'radio' được khai báo hai lần" in one("section_twice.toml")
    assert ("trường 'thresholds.4G': ngưỡng yếu weak_dbm (-90 dBm) phải thấp hơn ngưỡng tốt good_dbm (-100 dBm)\n"
            "Cách sửa: tín hiệu yếu là mức thấp hơn tín hiệu tốt, ví dụ good_dbm = -85, weak_dbm = -100"
            ) in one("must be below good_dbm")
    assert ("trường 'placment': mục (hoặc khoá) 'placment' không có ở cấp ngoài cùng của tệp dự án\n"
            "Cách sửa: có phải là 'placement' (bố trí trạm lưu động)? ") in one("'placment'")
    assert "[radio] phải là một mục (bảng), không phải số nguyên" in one("[radio] must be a table")
    assert 'Cách sửa: ghi towers = { path = "file.csv", crs = "EPSG:32648" }' in one("missing 'path'")
    listed = one("more problem(s)")  # the first problem, then the others with their own fix
    assert listed.split("\n")[0].endswith("trường 'radio.model': 'deygut' không phải một trong các giá trị "
                                          "free_space, knife_edge, deygout, hata, cost231 — và 2 lỗi khác trong tệp "
                                          "dự án:")
    assert "\n  - [clutter.classes] phải là một mục (bảng), không phải số nguyên\n" in listed
    assert ("  - trường 'clutter.classes': mục [clutter.classes] trống (cách sửa: liệt kê các lớp phủ mặt đất của "
            "raster, hoặc bỏ mục này để dùng bảng lớp của ESA WorldCover)") in listed
