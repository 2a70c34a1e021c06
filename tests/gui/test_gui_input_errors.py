"""Input errors in the window's language. QA: in Vietnamese the dialog and the Inputs dock showed a broken project's
errors in English, ending in the command line's "run validate again"."""

from __future__ import annotations


def _break(project):
    """Two broken files: towers (a longitude that is not a number, a duplicate id), stations (voters '1.250' and
    '1,250': two thousands separators in one column)."""
    towers = project.parent / "towers.csv"
    lines = towers.read_text(encoding="utf-8").splitlines()
    parts = lines[1].split(",")
    parts[3] = "abc"
    lines[1] = ",".join(parts)
    lines.append(lines[2])  # row 3's tower again, as row N
    towers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stations = project.parent / "polling_stations.csv"
    lines = stations.read_text(encoding="utf-8").splitlines()
    parts = lines[1].split(",")
    parts[5] = "1.250"
    lines[1] = ",".join(parts)
    parts = lines[2].split(",")
    parts[5] = '"1,250"'
    lines[2] = ",".join(parts)
    stations.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _open_broken(window, project, qtbot):
    with qtbot.waitSignal(window.errorShown, timeout=30000) as blocker:
        window.open_project(project)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    title, text = blocker.args
    box = window.last_error
    assert box.text() == text
    dock = window.inputs_dock.messages
    assert dock.count() == 1
    return title, text, dock.item(0).text()


def test_vietnamese_window_shows_input_errors_in_vietnamese(make_window, project_copy, qtbot):
    _break(project_copy)
    window = make_window("vi")
    title, text, listed = _open_broken(window, project_copy, qtbot)
    assert title == "Dữ liệu đầu vào có lỗi"
    assert listed == "✖ " + text  # the dock lists the same translated error
    assert text.startswith("2 tệp dữ liệu đầu vào có lỗi\n")
    assert "towers.csv: 2 lỗi trong tệp trạm BTS" in text and "polling_stations.csv: 2 lỗi trong tệp điểm bỏ phiếu" in text
    assert "dòng 2, cột 'kinh_do' (kinh độ): 'abc' không phải là số" in text
    assert "cột 'ma_tram' (mã): mã 'VNP-001' bị trùng (đã có ở dòng 3)" in text
    assert "cột 'voters': 1 giá trị viết có dấu phân cách hàng nghìn như '1.250' (dòng 2) chưa được đọc" in text
    assert "dòng 3, cột 'voters': '1,250' không rõ nghĩa" in text
    assert text.count("Cách sửa:") == 3 and text.count("rồi mở lại dự án (hoặc bấm Kiểm tra dữ liệu)") == 3
    for english in ("row ", "column", "How to fix", "validate", "problems", " file"):
        assert english not in text, english
    window.last_error.accept()
    # switching the language re-translates the listed error from its parts
    window.set_language("en")
    en = window.inputs_dock.messages.item(0).text()
    assert en.startswith("✖ 2 input files have problems\n") and "row 2, column 'kinh_do' (lon): 'abc' is not a number" in en
    assert "validate" not in en and en.count(", then open the project again (or press Check inputs)") == 3


def test_english_window_keeps_the_core_text_but_not_the_command_line_advice(make_window, project_copy, qtbot):
    _break(project_copy)
    window = make_window("en")
    title, text, listed = _open_broken(window, project_copy, qtbot)
    assert title == "The inputs have a problem" and listed == "✖ " + text
    error = window.session.input_messages[0][1].error  # the core's error, kept whole
    assert text == str(error).replace("run validate again", "open the project again (or press Check inputs)")
    assert "row 2, column 'kinh_do' (lon): 'abc' is not a number" in text
    window.last_error.accept()


def test_broken_project_file_reads_in_vietnamese(make_window, tmp_path, qtbot):
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nname = "x"\nresolution_m = "ninety"\n', encoding="utf-8")
    window = make_window("vi")
    with qtbot.waitSignal(window.errorShown, timeout=5000) as blocker:
        assert not window.open_project(bad)
    title, text = blocker.args
    assert title == "Không mở được dự án"
    assert text == f"{bad.resolve()}, trường 'project.resolution_m': phải là số, không phải 'ninety'\n" \
                   "Cách sửa: ghi ví dụ resolution_m = 90.0"
    window.last_error.accept()
