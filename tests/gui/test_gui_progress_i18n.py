"""Progress messages of the core shown in the interface language (gui.i18n.progress_text)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gui import i18n

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def vi():
    before = i18n.language()
    i18n.set_language("vi")
    yield
    i18n.set_language(before)


@pytest.fixture
def en():
    before = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.mark.parametrize(("stage", "message", "expected"), [
    ("coverage", "Tower VTL-DBP-001-A (3/120)", "Vùng phủ: Trạm VTL-DBP-001-A (3/120)"),
    ("placement", "Reciprocal path loss 17/250", "Bố trí trạm: Suy hao đường truyền (thuận nghịch) 17/250"),
    # the cancel points inside the composites, the gap outlines and after the candidate sites
    ("coverage", "Composite coverage: 120/257 towers", "Vùng phủ: Đang tổng hợp vùng phủ: 120/257 trạm"),
    ("coverage", "Composite coverage, operator Viettel: 19/167 towers",
     "Vùng phủ: Đang tổng hợp vùng phủ theo nhà mạng Viettel: 19/167 trạm"),
    ("coverage", "Composite coverage, technology 4G: 213/213 towers",
     "Vùng phủ: Đang tổng hợp vùng phủ theo công nghệ 4G: 213/213 trạm"),
    ("gaps", "Outlining gap areas: 8/45 communes", "Vùng lõm: Đang khoanh vùng lõm sóng: 8/45 xã/phường"),
    ("placement", "27696 candidate sites", "Bố trí trạm: 27696 vị trí ứng viên"),
    ("placement", "Solving: lazy greedy and exact MILP",
     "Bố trí trạm: Đang giải: thuật toán tham lam và MILP chính xác"),
    ("placement", "Solving…", "Bố trí trạm: Đang giải…"),
    ("placement", "Done", "Bố trí trạm: Xong"),
    ("load", "85 towers, 655 stations, DEM 1400×1600", "Đang đọc dữ liệu: 85 trạm, 655 điểm bỏ phiếu, DEM 1400×1600"),
    ("gaps", "270 stations with weak or no signal", "Vùng lõm: 270 điểm bỏ phiếu sóng yếu hoặc không có sóng"),
    ("resilience", "98 single points of failure", "Khả năng dự phòng: 98 điểm chỉ có một trạm phục vụ"),
    ("check", "reprojecting terrain to EPSG:32648 at 90 m (1200×900)",
     "Đang kiểm tra dữ liệu: đang chiếu lại địa hình sang EPSG:32648, ô 90 m (1200×900)"),
])
def test_vietnamese_progress_messages(vi, stage, message, expected):
    assert i18n.progress_text(stage, message) == expected


def test_unknown_message_is_hidden_in_vietnamese_and_shown_in_english(vi):
    assert i18n.progress_text("coverage", "Something new in English") == "Vùng phủ"
    assert i18n.progress_text("coverage", "") == "Vùng phủ"
    # a prefix match is not a translation: "Tower … (i/n) extra" must not be half translated
    assert i18n.progress_text("coverage", "Tower A (1/2) extra words") == "Vùng phủ"
    i18n.set_language("en")
    assert i18n.progress_text("coverage", "Something new in English") == "Coverage: Something new in English"
    assert i18n.progress_text("coverage", "Tower T1 (1/2)") == "Coverage: Tower T1 (1/2)"
    assert i18n.progress_text("unknown_stage", "") == "unknown_stage"


def _core_progress_messages():
    """Every literal or f-string progress message of the core, found in the syntax tree (a message split over
    lines, inside a lambda or made of two adjacent f-strings included): the message argument of
    ``st.at(stage, fraction, message)`` in pipeline.py and of ``report(fraction, message)`` in inputs.py and
    terrain.py. f-string fields are filled with "12" (every field is a count, an id or a CRS: a number matches
    the patterns' ``\\d+``, ``.+``, ``\\S+`` and ``[\\d.]+`` alike). Yields (file, line, message)."""
    calls = {"coverage_planner/pipeline.py": ("at", 2), "coverage_planner/inputs.py": ("report", 1),
             "coverage_planner/terrain.py": ("report", 1)}
    for rel, (name, pos) in calls.items():
        tree = ast.parse((REPO / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) <= pos:
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[pos]
            if called != name or not isinstance(arg, (ast.Constant, ast.JoinedStr)):
                continue  # report(f, msg) forwarding another function's message: that one is found at its source
            if isinstance(arg, ast.Constant):
                yield rel, node.lineno, str(arg.value)
            else:
                yield rel, node.lineno, "".join(str(v.value) if isinstance(v, ast.Constant) else "12"
                                                for v in arg.values)


def test_every_core_progress_message_has_a_pattern():
    """The messages yielded by the core all match a Vietnamese pattern, so the Vietnamese status bar never
    drops them silently (QA: the exact checks at the end of a run showed the stage name alone for seconds)."""
    found = list(_core_progress_messages())
    messages = [m for _rel, _line, m in found]
    # the multi-line calls inside lambdas, which a line-based regex missed, are found
    assert "Exact check of 12/12 sites (round 12)" in messages
    assert "Contingency: exact check of 12/12 sites (round 12)" in messages
    assert "Exact check of the stations out of the screen's reach: 12/12 sites" in messages
    assert len(found) >= 25
    missing = [(rel, line, m) for rel, line, m in found
               if not any(re.fullmatch(p, m) for p, _ in i18n.PROGRESS_PATTERNS_VI)]
    assert not missing
    # and every pattern still has a message (a stale one hides a renamed message)
    messages += list(_export_and_display_messages())  # the exports' steps are constants, not literal calls
    stale = [p for p, _ in i18n.PROGRESS_PATTERNS_VI
             if p not in _GUI_ONLY_PATTERNS and not any(re.fullmatch(p, m) for m in messages)]
    assert not stale


#: Patterns of messages that are not the core's literal calls: "Solving…" (older runs), the GUI's own steps.
_GUI_ONLY_PATTERNS = {r"Solving(?:…|\.\.\.)?"}


@pytest.mark.parametrize(("message", "expected"), [
    ("Exact check of 40/120 sites (round 2)", "Bố trí trạm: Kiểm tra chính xác 40/120 vị trí (vòng 2)"),
    ("Contingency: exact check of 3/9 sites (round 1)",
     "Bố trí trạm: Phương án ứng cứu: kiểm tra chính xác 3/9 vị trí (vòng 1)"),
])
def test_exact_check_messages_in_vietnamese(vi, message, expected):
    assert i18n.progress_text("placement", message) == expected


@pytest.mark.parametrize(("lang", "eta", "expected"), [
    ("vi", 65.0, "còn 1:05"), ("vi", 0.2, "sắp xong"), ("vi", 3.0, "sắp xong"), ("vi", float("nan"), ""),
    ("en", 0.0, "almost done"), ("en", 12.0, "0:12 left"),
])
def test_time_left_never_shows_zero_while_work_goes_on(make_window, lang, eta, expected):
    """QA: "còn 0:00" stayed 2–4 s at the end of a run while the last checks ran."""
    win = make_window(lang)
    win._on_progress("placement", 0.99, "Done", eta)
    assert win.eta_label.text() == expected


def test_status_bar_shows_translated_progress(make_window, qtbot):
    win = make_window("vi")
    win._on_progress("coverage", 0.25, "Tower VTL-DBP-001-A (3/120)", 12.0)
    assert win.stage_label.text() == "Vùng phủ: Trạm VTL-DBP-001-A (3/120)"
    win._on_progress("placement", 0.5, "Unrecognised English text", 5.0)
    assert win.stage_label.text() == "Bố trí trạm"


def _export_and_display_messages():
    """The steps of the exports (coverage_planner.webmap, report) and of 'Preparing the map' (gui.maplayers)."""
    from coverage_planner import report, webmap
    from gui import maplayers

    yield from webmap.MAP_STEPS
    yield webmap.WRITE_STEP
    yield report.REPORT_MAP_STEP
    yield report.REPORT_LAYOUT_STEP.format(n=2)
    yield report.REPORT_PAGE_STEP.format(p=17, n=2)
    for title in maplayers.LAYER_TITLES.values():
        yield maplayers.DISPLAY_STEP.format(layer=title, i=3, n=7)


@pytest.mark.parametrize("message", list(_export_and_display_messages()))
def test_export_and_display_steps_in_vietnamese(vi, message):
    text = i18n.progress_message(message)
    assert text and text != message
    # no English word of the message is left (the layer's title is translated too)
    assert not re.search(r"\b(Map|Report|layer|pass|page|Writing|Coverage|Terrain|Communes|Roads|border)\b", text)


def test_layer_step_in_both_languages(vi):
    assert i18n.progress_text("display", "Coverage gaps (layer 2/7)") == \
        "Đang chuẩn bị bản đồ: Vùng lõm sóng (lớp 2/7)"
    assert i18n.progress_text("export_pdf", "Report: laying out page 5 (pass 2)") == \
        "Đang viết báo cáo PDF: Báo cáo: đang dàn trang 5 (lượt 2)"
    i18n.set_language("en")
    assert i18n.progress_text("display", "Coverage gaps (layer 2/7)") == "Preparing the map: Coverage gaps (layer 2/7)"
