"""Progress messages of the core shown in the interface language (gui.i18n.progress_text)."""

from __future__ import annotations

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


def test_every_core_progress_message_has_a_pattern():
    """The literal/f-string messages yielded by the core all match a Vietnamese pattern (after substituting
    sample values into the f-string fields), so the Vietnamese status bar never drops them silently."""
    sources = {
        "coverage_planner/pipeline.py": r'st\.at\("\w+",[^\n]*?f?"([^"]+)"\)',
        "coverage_planner/inputs.py": r'report\([\d.]+, f?"([^"]+)"\)',
        "coverage_planner/terrain.py": r'report\([\d.]+, f?"([^"]+)"\)',
    }
    samples = {"len(towers)": "85", "len(inputs.stations)": "655", "grid.shape[1]": "1400",
               "grid.shape[0]": "1600", "tw['id']": "VTL-1", "done": "3", "n_on": "80", "i + 1": "4",
               "len(demand)": "250", "len(selected)": "8", "len(paths)": "2", "dst_crs": "EPSG:32648",
               "cs:g": "90", "rows": "1200", "cols": "900", "void_count": "172"}
    found = 0
    for rel, rx in sources.items():
        text = (REPO / rel).read_text(encoding="utf-8")
        for msg in re.findall(rx, text):
            filled = re.sub(r"{([^{}]+)}", lambda m: samples.get(m.group(1), "7"), msg)
            assert any(re.fullmatch(p, filled) for p, _ in i18n.PROGRESS_PATTERNS_VI), (rel, msg, filled)
            found += 1
    assert found >= 15


def test_status_bar_shows_translated_progress(make_window, qtbot):
    win = make_window("vi")
    win._on_progress("coverage", 0.25, "Tower VTL-DBP-001-A (3/120)", 12.0)
    assert win.stage_label.text() == "Vùng phủ: Trạm VTL-DBP-001-A (3/120)"
    win._on_progress("placement", 0.5, "Unrecognised English text", 5.0)
    assert win.stage_label.text() == "Bố trí trạm"
