"""GUI strings in English and Vietnamese (a small dict-based translator).

``tr("Open project…")`` returns the Vietnamese text when the current language is ``"vi"``; the English text
is the key. Vietnamese is the default when the system locale is Vietnamese, else English; the user switches
in the View ▸ Language menu (remembered in the settings). ``tests/gui`` checks that every literal passed to
``tr()`` in ``gui/`` has a Vietnamese translation.
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np

LANGUAGES = ("vi", "en")
_lang = "en"
_listeners: list = []


def default_language() -> str:
    from PyQt6.QtCore import QLocale

    return "vi" if QLocale.system().language() == QLocale.Language.Vietnamese else "en"


def language() -> str:
    return _lang


def set_language(lang: str) -> None:
    global _lang
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    if lang != _lang:
        _lang = lang
        for fn in list(_listeners):
            fn(lang)


def on_language_changed(fn) -> None:
    _listeners.append(fn)


def tr(source: str, **fields) -> str:
    out = VI.get(source, source) if _lang == "vi" else source
    if fields:
        out = out.format(**fields)
    return unicodedata.normalize("NFC", out)


_COLUMNS_EN = {
    "id": "ID", "name": "Name", "commune": "Commune", "voters": "Voters", "priority": "Priority",
    "lon": "Longitude", "lat": "Latitude", "source_row": "Source row", "status": "Status",
    "level_dbm": "Level (dBm)", "best_server": "Best server", "best_operator": "Operator",
    "n_servers": "Servers", "nearest_tower": "Nearest tower", "nearest_tower_km": "Nearest tower (km)",
    "spof": "Single site", "n_sites": "Sites", "border": "Border", "remote": "Remote", "centre_x": "Centre E", "centre_y": "Centre N",
    "area_km2": "Area (km²)", "area_good_pct": "Good area %", "area_weak_pct": "Weak area %",
    "area_none_pct": "No-signal area %", "stations_good": "Stations good", "stations_weak": "Stations weak",
    "stations_none": "Stations none", "voters_good": "Voters good", "voters_weak": "Voters weak",
    "voters_none": "Voters none", "rank": "Rank", "site_id": "Site", "x": "Easting", "y": "Northing",
    "elevation_m": "Elevation (m)", "n_stations": "Stations", "stations_covered": "Stations covered",
    "voters_covered": "Voters covered", "weight_covered": "Weight covered", "backhaul": "Backhaul",
    "backhaul_tower": "Backhaul tower", "backhaul_distance_km": "Backhaul (km)",
    "backhaul_clearance": "Fresnel clearance", "operator": "Operator", "technology": "Technology",
    "frequency_mhz": "Frequency (MHz)", "height_m": "Height (m)", "eirp_dbm": "EIRP (dBm)",
    "azimuth_deg": "Azimuth (°)", "reason": "Reason", "mast_height_m": "Mast height (m)", "origin": "Origin",
    "backup_server": "Backup server", "beamwidth_deg": "Beamwidth (°)", "front_to_back_db": "Front-to-back (dB)",
    "mech_tilt_deg": "Mechanical tilt (°)", "elec_tilt_deg": "Electrical tilt (°)",
    "vertical_beamwidth_deg": "Vertical beamwidth (°)", "candidate": "Candidate",
    "baseline_status": "Status before", "baseline_server": "Server before", "stations_in_reach": "Stations in reach", "placed_by": "Placed by",
    "site": "Site", "towers": "Sectors", "site_lon": "Site longitude", "site_lat": "Site latitude",
    "n_lost": "Stations losing signal", "voters_lost": "Voters losing signal", "stations_lost": "Stations lost",
    "restore_lon": "Mobile station longitude", "restore_lat": "Mobile station latitude",
    "restore_x": "Mobile station E", "restore_y": "Mobile station N", "n_restored": "Stations restored",
    "voters_restored": "Voters restored", "stations_restored": "Restored stations", "note": "Note",
}
_COLUMNS_VI = {
    "id": "Mã", "name": "Tên", "commune": "Xã/phường", "voters": "Cử tri", "priority": "Ưu tiên",
    "lon": "Kinh độ", "lat": "Vĩ độ", "source_row": "Dòng nguồn", "status": "Trạng thái",
    "level_dbm": "Mức thu (dBm)", "best_server": "Trạm phục vụ", "best_operator": "Nhà mạng",
    "n_servers": "Số trạm phủ", "nearest_tower": "Trạm gần nhất", "nearest_tower_km": "Trạm gần nhất (km)",
    "spof": "Chỉ một trạm (cột)", "n_sites": "Số trạm (cột)", "border": "Biên giới", "remote": "Vùng sâu", "centre_x": "Tâm E", "centre_y": "Tâm N",
    "area_km2": "Diện tích (km²)", "area_good_pct": "% diện tích tốt", "area_weak_pct": "% diện tích yếu",
    "area_none_pct": "% diện tích không sóng", "stations_good": "Điểm sóng tốt", "stations_weak": "Điểm sóng yếu",
    "stations_none": "Điểm không sóng", "voters_good": "Cử tri sóng tốt", "voters_weak": "Cử tri sóng yếu",
    "voters_none": "Cử tri không sóng", "rank": "Thứ tự", "site_id": "Vị trí", "x": "Tọa độ E", "y": "Tọa độ N",
    "elevation_m": "Độ cao (m)", "n_stations": "Số điểm", "stations_covered": "Điểm được phủ",
    "voters_covered": "Cử tri được phủ", "weight_covered": "Trọng số được phủ", "backhaul": "Truyền dẫn",
    "backhaul_tower": "Trạm truyền dẫn", "backhaul_distance_km": "Truyền dẫn (km)",
    "backhaul_clearance": "Độ hở Fresnel", "operator": "Nhà mạng", "technology": "Công nghệ",
    "frequency_mhz": "Tần số (MHz)", "height_m": "Độ cao (m)", "eirp_dbm": "EIRP (dBm)",
    "azimuth_deg": "Góc phương vị (°)", "reason": "Lý do", "mast_height_m": "Độ cao cột (m)",
    "origin": "Nguồn gốc",
    "backup_server": "Trạm dự phòng", "beamwidth_deg": "Độ rộng búp sóng (°)",
    "front_to_back_db": "Tỷ số trước/sau (dB)", "mech_tilt_deg": "Góc nghiêng cơ khí (°)",
    "elec_tilt_deg": "Góc nghiêng điện (°)", "vertical_beamwidth_deg": "Độ rộng búp sóng đứng (°)",
    "candidate": "Vị trí ứng viên", "baseline_status": "Trạng thái trước", "baseline_server": "Trạm phục vụ trước",
    "stations_in_reach": "Điểm trong vùng phủ", "placed_by": "Người đặt",
    "site": "Trạm", "towers": "Các sector", "site_lon": "Kinh độ trạm", "site_lat": "Vĩ độ trạm",
    "n_lost": "Số điểm mất sóng", "voters_lost": "Cử tri mất sóng", "stations_lost": "Điểm mất sóng",
    "restore_lon": "Kinh độ trạm lưu động", "restore_lat": "Vĩ độ trạm lưu động",
    "restore_x": "Trạm lưu động E", "restore_y": "Trạm lưu động N", "n_restored": "Số điểm khôi phục",
    "voters_restored": "Cử tri khôi phục", "stations_restored": "Điểm được khôi phục", "note": "Ghi chú",
}
_VALUES = {
    ("status", "good"): ("Good", "Tốt"),
    ("status", "weak"): ("Weak", "Yếu"),
    ("status", "none"): ("No signal", "Không có sóng"),
    ("baseline_status", "good"): ("Good", "Tốt"),
    ("baseline_status", "weak"): ("Weak", "Yếu"),
    ("baseline_status", "none"): ("No signal", "Không có sóng"),
    ("status", "on_air"): ("On air", "Đang phát sóng"),
    ("status", "planned"): ("Planned", "Quy hoạch"),
    ("status", "down"): ("Down", "Ngừng hoạt động"),
    ("backhaul", "ok"): ("Microwave OK", "Vi ba tới trạm"),
    ("backhaul", "needs satellite"): ("Needs satellite", "Cần truyền dẫn vệ tinh"),
    ("backhaul", "not checked"): ("Not checked yet", "Chưa kiểm tra"),
    ("placed_by", "optimiser"): ("Optimiser", "Bộ tối ưu"),
    ("placed_by", "moved by user"): ("Moved by you", "Bạn đã dời"),
    ("placed_by", "added by user"): ("Added by you", "Bạn đã thêm"),
    ("origin", "proposal"): ("Proposed site moved", "Trạm đề xuất đã dời"),
    ("origin", "added"): ("Added on the map", "Thêm trên bản đồ"),
}


class Msg:
    """A GUI message kept in English and translated each time it is shown, so it follows a language switch
    (``str(Msg("Inputs are valid: {t} towers…", t=3))``)."""

    def __init__(self, source: str, **fields) -> None:
        self.source, self.fields = source, fields

    def __str__(self) -> str:
        return tr(self.source, **self.fields)

    def __repr__(self) -> str:
        return f"Msg({self.source!r}, **{self.fields!r})"


class ErrorMessage(str):
    """A core error's English text (``str(error)``, what the command line prints) that keeps the error itself,
    so :func:`message_text` can show it in the current language from its parts, also after a language switch."""

    def __new__(cls, error):
        self = super().__new__(cls, str(error))
        self.error = error
        return self


#: The re-check step of the desktop app, in place of the command line's "run validate again" in error hints.
RECHECK = "open the project again (or press Check inputs)"


def message_text(message) -> str:
    """A message in the current language: a :class:`Msg` through ``tr``, a core error (an exception or an
    :class:`ErrorMessage`) through ``coverage_planner.i18n.error_text`` with the app's own re-check advice, a
    core warning (English text) through ``translate_message`` (unchanged when no pattern knows it)."""
    if isinstance(message, Msg):
        return str(message)
    from coverage_planner.i18n import error_text, translate_message

    error = message.error if isinstance(message, ErrorMessage) else message
    if isinstance(error, Exception):
        return error_text(error, _lang, recheck=tr(RECHECK))
    return translate_message(message, _lang)


#: Scenario names the GUI gives a run (shown in the Results summary), English; translated by tr().
SCENARIO_NAMES = {"baseline": "baseline", "what-if": "what-if"}


def scenario_label(name: str) -> str:
    """A run's scenario name as shown: the GUI's own names translated, a project's own name unchanged."""
    return tr(SCENARIO_NAMES[name]) if name in SCENARIO_NAMES else name


def num(n) -> str:
    """An integer with the current language's thousands separator: "6.534" (vi), "6,534" (en)."""
    from coverage_planner.i18n import fmt_int

    return fmt_int(n, _lang)


def decimal(x, digits: int) -> str:
    """A number with ``digits`` decimals in the current language's style: "-87,5" (vi), "-87.5" (en)."""
    from coverage_planner.i18n import fmt_float

    return fmt_float(x, digits, _lang)


#: Decimals of a number column, where one rule per column reads better than one per magnitude: whole metres of
#: elevation ("1.355", not "1.355,0"), levels and angles to 0.1, counts whole. Other columns: 1 decimal from 10
#: up, else 2 (distances in km, Fresnel clearance).
_DECIMALS = {"elevation_m": 0, "frequency_mhz": 0, "height_m": 1, "mast_height_m": 1, "weight_covered": 0}
#: Heights given to 0.1 m but mostly whole: a whole value without its useless ",0" ("20", "22,5"), as the mast
#: height field of the Placement panel shows it (QA: the Attributes of an added site said "Độ cao cột 20,0").
_TRIM_ZERO = frozenset({"height_m", "mast_height_m"})
#: Map coordinates (metres): whole, without thousands separator (pasted into GIS and GPS tools, like lon/lat).
_PLAIN_XY = frozenset({"x", "y", "centre_x", "centre_y", "restore_x", "restore_y"})
#: Whole numbers shown without a thousands separator: a row number of the input file (as a spreadsheet shows it).
_PLAIN_INT = frozenset({"source_row"})


def _count_column(column: str) -> bool:
    return (column in ("voters", "rank", "n_servers", "priority") or column.startswith(("n_", "voters_", "stations_"))
            and not column.endswith("_pct"))


def number_text(column: str, value) -> str:
    """A number of ``column`` as the tables and the Attributes panel show it, in the current language: grouped
    thousands and the decimal comma in Vietnamese ("1.355", "-87,5", "225.946"), with the column's decimals
    (:data:`_DECIMALS`); lon/lat with 5 decimals and a point and map coordinates whole, as the report and the
    GIS files; NaN "—"."""
    x = float(value)
    if math.isnan(x):
        return NO_VALUE
    if column in ("lon", "lat") or column.endswith(("_lon", "_lat")):
        return f"{x:.5f}"
    if column in _PLAIN_XY or column in _PLAIN_INT:
        return f"{x:.0f}"
    if isinstance(value, (int, np.integer)) or (_count_column(column) and x.is_integer()):
        return num(int(x))
    digits = _DECIMALS.get(column)
    if digits is None:
        digits = 1 if abs(x) >= 10 or column.endswith(("_pct", "_dbm", "_db", "_deg")) else 2
    if column in _TRIM_ZERO and round(x, digits).is_integer():
        digits = 0
    return decimal(x, digits)


def plural(n: int, one: str, many: str) -> str:
    """``tr(one)`` for n == 1 else ``tr(many)``, formatted with ``n`` (with the language's thousands separator;
    Vietnamese has one form for both)."""
    return tr(one if n == 1 else many, n=num(n))


def column_label(column: str) -> str:
    table = _COLUMNS_VI if _lang == "vi" else _COLUMNS_EN
    return table.get(column, column)


#: Columns naming a serving tower, with the number of servers (``n_servers``) a station needs for the value to
#: mean something: the pipeline keeps the strongest tower even when it is below the weak threshold.
SERVER_COLUMNS = {"best_server": 1, "best_operator": 1, "backup_server": 2}
NO_VALUE = "—"


def hide_server(column: str, n_servers) -> bool:
    """True when ``column`` (best/backup server) should be shown empty for a station with ``n_servers``."""
    need = SERVER_COLUMNS.get(column)
    if need is None or n_servers is None:
        return False
    try:
        n = float(n_servers)
    except (TypeError, ValueError):
        return False
    return n == n and n < need  # NaN (unknown) keeps the value


#: Columns whose values are sentences of the analysis core, written in English (why no site reaches a station,
#: ``results.unreachable``; why a failure has no restoring site, ``results.contingency``): shown in the GUI's
#: language through :func:`message_text`, the translation the PDF report uses.
MESSAGE_COLUMNS = frozenset({"reason", "note"})


def value_label(column: str, value: str) -> str:
    """A value as shown in a table: the GUI's label of a coded value (status, backhaul…), a core sentence
    (:data:`MESSAGE_COLUMNS`) translated; any other value unchanged."""
    if column in MESSAGE_COLUMNS:
        return message_text(value)
    pair = _VALUES.get((column, value))
    if pair is None:
        return value
    return pair[1] if _lang == "vi" else pair[0]


def backhaul_text(backhaul: dict) -> str:
    """One line for a site's backhaul check (``coverage_planner.pipeline.site_backhaul``): "Needs satellite", or
    "Microwave OK (VT-001, 12.4 km)" with the tower it links to."""
    text = value_label("backhaul", str(backhaul.get("backhaul")))
    tower, km = backhaul.get("backhaul_tower"), backhaul.get("backhaul_distance_km")
    if backhaul.get("backhaul") == "ok" and tower and km is not None and km == km:
        text += f" ({tower}, {number_text('backhaul_distance_km', km)} km)"
    return text


# English -> Vietnamese. Keep alphabetical-ish by area; tests check completeness against tr() calls.
VI: dict[str, str] = {
    # menus and actions
    "&File": "&Tệp", "&Analysis": "&Phân tích", "&View": "&Xem", "&Help": "&Trợ giúp",
    "About": "Giới thiệu", "Open project…": "Mở dự án…", "Open project": "Mở dự án",
    "Save project": "Lưu dự án", "Save project as…": "Lưu dự án thành…", "Save project as": "Lưu dự án thành",
    "Recent projects": "Dự án gần đây", "Export": "Xuất", "HTML map…": "Bản đồ HTML…",
    "PDF report…": "Báo cáo PDF…", "GIS files…": "Tệp GIS…", "Quit": "Thoát", "Run analysis": "Chạy phân tích",
    "Cancel": "Hủy", "Check inputs": "Kiểm tra dữ liệu", "Full extent": "Toàn cảnh", "Zoom in": "Phóng to",
    "Zoom out": "Thu nhỏ", "Add site": "Thêm vị trí", "Panels": "Khung", "Language": "Ngôn ngữ",
    "Tools": "Công cụ", "Add a candidate mobile site by clicking the map":
        "Thêm vị trí trạm lưu động bằng cách bấm lên bản đồ",
    "Coverage Planner {v}: mobile coverage of polling stations, gaps and temporary base-station placement.":
        "Coverage Planner {v}: vùng phủ sóng di động tại các điểm bỏ phiếu, vùng lõm sóng và bố trí trạm "
        "phát sóng lưu động.",
    # docks
    "Layers": "Lớp bản đồ", "Inputs": "Dữ liệu đầu vào", "Parameters": "Tham số", "Placement": "Bố trí trạm",
    "Scenario": "Kịch bản", "Attributes": "Thuộc tính", "Results": "Kết quả",
    # layer panel
    "Opacity": "Độ đục", "Move layer up": "Đưa lớp lên", "Move layer down": "Đưa lớp xuống",
    "Tick to show a layer; drag to change the drawing order":
        "Đánh dấu để hiện lớp; kéo thả để đổi thứ tự vẽ",
    # map layers
    "My sites": "Vị trí của tôi", "Proposed mobile sites": "Trạm lưu động đề xuất",
    "Polling stations": "Điểm bỏ phiếu", "Towers (BTS)": "Trạm BTS", "Towns": "Thị trấn",
    "National border": "Đường biên giới quốc gia", "Roads": "Đường giao thông", "Communes": "Xã/phường",
    "Coverage gaps": "Vùng lõm sóng", "Added coverage of proposed sites": "Vùng phủ bổ sung của trạm đề xuất",
    "Best received level (dBm)": "Mức thu tốt nhất (dBm)", "Terrain (hillshade)": "Địa hình (bóng đổ)",
    "Added coverage": "Vùng phủ bổ sung",
    "Sites you moved or added": "Trạm bạn đã dời / thêm", "Tower": "Trạm BTS",
    "Tower down": "Trạm ngừng hoạt động",
    "Added coverage: cells where the proposed sites give at least weak signal and the towers give less":
        "Vùng phủ bổ sung: nơi trạm đề xuất cho sóng từ mức yếu trở lên còn các trạm hiện có dưới mức yếu",
    # inputs dock
    "Terrain (DEM)": "Địa hình (DEM)", "Candidate sites": "Vị trí ứng viên", "Land cover": "Lớp phủ mặt đất",
    "Input": "Dữ liệu", "File": "Tệp", "State": "Tình trạng", "Open / replace file…": "Mở / thay tệp…",
    "Drop files here: onto a row to replace that input, or anywhere to let the name decide.":
        "Thả tệp vào đây: thả lên một dòng để thay dữ liệu đó, hoặc thả bất kỳ đâu để nhận theo tên tệp.",
    "Validation messages": "Thông báo kiểm tra", "required, missing": "bắt buộc, còn thiếu",
    "not used": "không dùng", "found": "có tệp", "file not found": "không tìm thấy tệp",
    "file has errors (see the validation messages)": "tệp có lỗi (xem thông báo kiểm tra)", "no project": "chưa mở dự án",
    "Data files": "Tệp dữ liệu", "All files": "Mọi tệp", "Choose terrain files": "Chọn tệp địa hình",
    "Choose a file": "Chọn tệp",
    "Could not tell which input {files} is: drop it onto the matching row.":
        "Không nhận ra {files} là dữ liệu nào: hãy thả tệp lên đúng dòng.",
    # parameters dock
    "Radio model": "Mô hình truyền sóng", "Signal thresholds": "Ngưỡng tín hiệu",
    "Placement of mobile stations": "Bố trí trạm lưu động", "Propagation model": "Mô hình truyền sóng",
    "Earth radius factor k": "Hệ số bán kính Trái Đất k", "Max distance (m)": "Khoảng cách tối đa (m)",
    "Receiver height (m)": "Độ cao máy thu (m)", "Receiver gain (dBi)": "Độ lợi máy thu (dBi)",
    "Body loss (dB)": "Suy hao cơ thể (dB)", "Indoor loss (dB)": "Suy hao trong nhà (dB)",
    "Vegetation loss (dB/km)": "Suy hao thực vật (dB/km)", "Vegetation loss max (dB)": "Suy hao thực vật tối đa (dB)",
    "Default technology": "Công nghệ mặc định", "Good from (dBm)": "Tốt từ (dBm)", "Weak from (dBm)": "Yếu từ (dBm)",
    "Border commune within (m)": "Xã biên giới trong phạm vi (m)",
    "Remote commune beyond (m)": "Xã vùng sâu khi xa hơn (m)", "Number of sites k": "Số trạm k",
    "As few sites as needed": "Ít trạm nhất có thể",
    "The smallest number of mobile sites that reaches every polling station a site can reach (k = -1 in the project "
    "file).": "Số trạm lưu động ít nhất đủ phủ mọi điểm bỏ phiếu mà một vị trí đặt trạm có thể phủ tới (k = -1 trong "
    "tệp dự án).",
    "Free space": "Không gian tự do", "Single knife edge": "Lưỡi dao đơn",
    "Deygout (multiple edges)": "Deygout (nhiều vật cản)", "Okumura–Hata": "Okumura–Hata",
    "COST-231 Hata": "COST-231 Hata", "Urban": "Đô thị", "Suburban": "Ngoại ô", "Rural": "Nông thôn",
    "Mast height (m)": "Độ cao cột (m)", "EIRP (dBm)": "EIRP (dBm)", "Technology": "Công nghệ",
    "Frequency (MHz, empty = default)": "Tần số (MHz, để trống = mặc định)", "Border weight": "Trọng số biên giới",
    "Remote weight": "Trọng số vùng sâu",
    "Weight of stations a failure cut off": "Trọng số điểm mất sóng do sự cố", "Candidate max distance to road (m)":
        "Khoảng cách tối đa tới đường (m)", "Max slope (°)": "Độ dốc tối đa (°)",
    "Candidate spacing (m)": "Khoảng cách giữa các ứng viên (m)", "Backhaul range (m)": "Cự ly truyền dẫn (m)",
    "Backhaul frequency (MHz)": "Tần số truyền dẫn (MHz)", "Backhaul mast height (m)": "Độ cao cột truyền dẫn (m)",
    "'{text}' is not a number": "'{text}' không phải là số",
    "Vegetation height (m)": "Chiều cao thảm thực vật (m)", "Hata environment": "Môi trường Hata",
    "Mobile site coverage radius (m)": "Bán kính phủ của trạm lưu động (m)",
    "Solver time limit (s)": "Giới hạn thời gian giải (s)",
    # placement dock
    "Run placement": "Chạy bố trí trạm", "Add a site on the map": "Thêm vị trí trên bản đồ",
    "Then click the map where a mobile station could stand": "Sau đó bấm lên bản đồ tại nơi có thể đặt trạm lưu động",
    "Remove site": "Xóa vị trí",
    "Optimiser's proposal: {totals}": "Đề xuất của bộ tối ưu: {totals}",
    "Current sites (with your changes): {totals}": "Các vị trí hiện tại (có thay đổi của bạn): {totals}",
    "{n} site": "{n} vị trí", "{n} sites": "{n} vị trí",
    "{n} more polling station reached": "phủ thêm {n} điểm bỏ phiếu",
    "{n} more polling stations reached": "phủ thêm {n} điểm bỏ phiếu",
    "{n} voter": "{n} cử tri", "{n} voters": "{n} cử tri",
    "{n} station reached": "phủ {n} điểm",
    "No proposed sites in these results.": "Kết quả này không có trạm đề xuất.", "computing…": "đang tính…",
    "{n} stations reached": "phủ {n} điểm",
    # scenario dock
    "Tick the towers that are off air (landslide, power cut), then re-run.":
        "Đánh dấu các trạm ngừng phát sóng (sạt lở, mất điện), rồi chạy lại.",
    "Filter towers…": "Lọc trạm…", "Re-run with towers down": "Chạy lại với các trạm ngừng",
    "All on air": "Tất cả hoạt động", "Marked down: {ids}": "Đánh dấu ngừng: {ids}",
    "Last run with {ids} down: {n} polling stations lose all signal ({voters}):":
        "Lần chạy gần nhất với {ids} ngừng: {n} điểm bỏ phiếu mất hoàn toàn sóng ({voters}):",
    "Last run with {ids} down: no polling station loses all signal.":
        "Lần chạy gần nhất với {ids} ngừng: không điểm bỏ phiếu nào mất hoàn toàn sóng.",
    "{name} ({commune}) — {voters}": "{name} ({commune}) — {voters}",
    # results dock
    "Proposed sites": "Trạm đề xuất", "Gaps": "Vùng lõm", "Unreachable": "Không thể phủ",
    "If a site fails": "Khi trạm gặp sự cố",
    "Filter (any column)…": "Lọc (mọi cột)…", "{shown} of {total}": "{shown} / {total}",
    "No results yet: open a project and run the analysis.": "Chưa có kết quả: hãy mở dự án và chạy phân tích.",
    # what a parameter does (gui.docks.PARAM_HELP)
    "Effective Earth radius factor for the terrain profiles (4/3 in a standard atmosphere).":
        "Hệ số bán kính Trái Đất hiệu dụng cho mặt cắt địa hình (4/3 với khí quyển chuẩn).",
    "A commune this close to the national border is a border commune: its polling stations weigh more in the "
    "placement.": "Xã cách đường biên giới quốc gia không quá khoảng này là xã biên giới: các điểm bỏ phiếu của xã "
                  "được ưu tiên hơn khi bố trí trạm.",
    "A commune whose centre is farther than this from every road and town is remote: its polling stations weigh "
    "more in the placement.": "Xã có trung tâm cách mọi đường giao thông và thị trấn xa hơn khoảng này là xã vùng "
                              "sâu, vùng xa: các điểm bỏ phiếu của xã được ưu tiên hơn khi bố trí trạm.",
    "Power radiated by a mobile station (EIRP), its antenna gain included.":
        "Công suất bức xạ của trạm lưu động (EIRP), đã gồm độ lợi anten.",
    "Multiplier of the weight of a polling station in a border commune.":
        "Hệ số nhân trọng số của điểm bỏ phiếu thuộc xã biên giới.",
    "Multiplier of the weight of a polling station in a remote commune.":
        "Hệ số nhân trọng số của điểm bỏ phiếu thuộc xã vùng sâu, vùng xa.",
    "With towers down: multiplier of the polling stations the failure cut off, so that restoring them comes first.":
        "Khi có trạm ngừng hoạt động: hệ số nhân của các điểm bỏ phiếu bị mất sóng, để ưu tiên khôi phục "
        "các điểm này trước.",
    "Steepest ground where a mobile station can be parked.": "Độ dốc lớn nhất của nơi có thể đỗ trạm lưu động.",
    "Longest microwave link from a mobile station to an on-air tower; beyond it, or without line of sight, the "
    "site needs satellite backhaul.": "Cự ly vi ba dài nhất từ trạm lưu động tới trạm BTS đang phát sóng; xa hơn, "
                                      "hoặc không có tầm nhìn thẳng, thì vị trí cần truyền dẫn vệ tinh.",
    "Distance up to which the coverage of a mobile station is computed.":
        "Khoảng cách tối đa tính vùng phủ của một trạm lưu động.",
    "Time allowed to each exact optimisation; the quick plan is kept if it is better.":
        "Thời gian cho mỗi lần tối ưu chính xác; nếu phương án nhanh tốt hơn thì giữ phương án nhanh.",
    "No results yet: run the analysis (Analysis ▸ Run analysis, F5).":
        "Chưa có kết quả: hãy chạy phân tích (Phân tích ▸ Chạy phân tích, F5).",
    "{n} stations, {v} voters": "{n} điểm, {v} cử tri", "down: {ids}": "ngừng: {ids}",
    "baseline": "hiện trạng", "what-if": "giả định",
    # attributes dock
    "Field": "Trường", "Value": "Giá trị", "Click an object on the map to see its attributes.":
        "Bấm vào một đối tượng trên bản đồ để xem thuộc tính.", "Map point": "Điểm trên bản đồ",
    "yes": "có", "no": "không",
    # tasks and status
    "Loading inputs": "Đang đọc dữ liệu", "Coverage": "Vùng phủ", "Resilience": "Khả năng dự phòng",
    "Checking inputs": "Đang kiểm tra dữ liệu", "Site coverage": "Vùng phủ vị trí",
    "Preparing the map": "Đang chuẩn bị bản đồ", "Ready": "Sẵn sàng", "Cancelling…": "Đang hủy…", "Cancelled": "Đã hủy", "Failed": "Thất bại",
    "{t} left": "còn {t}", "almost done": "sắp xong", "Inputs checked": "Đã kiểm tra dữ liệu", "Analysis finished": "Phân tích xong",
    "Running the analysis": "Đang chạy phân tích", "Exporting the HTML map": "Đang xuất bản đồ HTML",
    "Writing the PDF report": "Đang viết báo cáo PDF", "Exporting GIS files": "Đang xuất tệp GIS",
    "Site coverage updated": "Đã cập nhật vùng phủ vị trí", "Written: {path}": "Đã ghi: {path}",
    "Saved {path}": "Đã lưu {path}",
    "Inputs are valid: {t} towers, {s} polling stations, {c} communes.":
        "Dữ liệu hợp lệ: {t} trạm, {s} điểm bỏ phiếu, {c} xã/phường.",
    "Busy: wait for the current task or cancel it.": "Đang bận: hãy chờ tác vụ hiện tại hoặc hủy nó.",
    "Click the map where a mobile station could stand.": "Bấm lên bản đồ tại nơi có thể đặt trạm lưu động.",
    # errors
    "Unsaved changes": "Thay đổi chưa lưu",
    "The project has unsaved changes. Save them?": "Dự án có thay đổi chưa lưu. Lưu lại không?",
    "Busy": "Đang bận", "Wait for the current task to finish or cancel it first.":
        "Hãy chờ tác vụ hiện tại kết thúc hoặc hủy nó trước.",
    "Cannot open the project": "Không mở được dự án", "Cannot save the project": "Không lưu được dự án",
    "Cannot use this file": "Không dùng được tệp này", "No project": "Chưa có dự án",
    "Open a project file first (File ▸ Open project…).": "Hãy mở một tệp dự án trước (Tệp ▸ Mở dự án…).",
    "Invalid parameters": "Tham số không hợp lệ",
    "Correct the parameters marked in red first.": "Hãy sửa các tham số tô đỏ trước.",
    "How to fix": "Cách sửa", RECHECK: "mở lại dự án (hoặc bấm Kiểm tra dữ liệu)",
    "Esc puts back the value in use.": "Nhấn Esc để trả lại giá trị đang dùng.",
    "The inputs have a problem": "Dữ liệu đầu vào có lỗi", "The analysis failed": "Phân tích thất bại",
    "Site coverage failed": "Không tính được vùng phủ vị trí", "Export failed": "Xuất tệp thất bại",
    "Replace files coverage-planner did not write?": "Ghi đè các tệp không do coverage-planner tạo ra?",
    "The folder {folder} already holds files with the names of this export that coverage-planner did not write "
    "(or that changed since it wrote them):": "Thư mục {folder} đã có các tệp trùng tên với tệp sắp xuất mà "
    "coverage-planner không tạo ra (hoặc đã bị sửa sau khi tạo):",
    "Overwriting replaces them with the export; they cannot be recovered.":
        "Nếu ghi đè, các tệp này sẽ bị thay bằng tệp xuất và không khôi phục lại được.",
    "Overwrite": "Ghi đè", "Choose another folder…": "Chọn thư mục khác…", "… and {n} more": "… và {n} tệp khác",
    "Nothing to export": "Không có gì để xuất", "Run the analysis first.": "Hãy chạy phân tích trước.",
    "Sites still being computed": "Đang tính các vị trí trạm",
    "Outside the terrain": "Ngoài vùng địa hình",
    "A mobile station must stand on the terrain of the analysis: place it inside the DEM.":
        "Trạm lưu động phải đặt trên vùng địa hình của phân tích: hãy đặt trong phạm vi DEM.",
    "The coverage of a site you moved or added is still being computed; export again in a moment.":
        "Vùng phủ của vị trí trạm bạn vừa dời hoặc thêm đang được tính; hãy xuất lại sau giây lát.",
    "Run the analysis first": "Hãy chạy phân tích trước",
    "Moving or adding sites needs the terrain and radio settings of a run in this window: run the analysis, "
    "then move the sites again.":
        "Dời hoặc thêm vị trí cần địa hình và tham số vô tuyến của một lần chạy trong cửa sổ này: hãy chạy "
        "phân tích rồi dời lại vị trí.",
    "Project files": "Tệp dự án", "Export HTML map": "Xuất bản đồ HTML", "Export PDF report": "Xuất báo cáo PDF",
    "Export GIS files to folder": "Xuất tệp GIS vào thư mục",
    # the user's moved / added sites before a re-run, closing the window or opening a project
    "You moved or added mobile sites: {ids}.": "Bạn đã dời hoặc thêm trạm lưu động: {ids}.",
    "The re-run makes a new proposal with new site numbers, so a proposed site you moved ({ids}) cannot stay "
    "“moved”: if you keep it, it becomes a site you added, at the place you moved it to.":
        "Lần chạy lại đưa ra đề xuất mới với số hiệu vị trí mới, nên trạm đề xuất bạn đã dời ({ids}) không thể "
        "giữ là “đã dời”: nếu giữ lại, nó trở thành trạm bạn thêm, tại chỗ bạn đã dời đến.",
    "Kept sites are computed again with the new results.": "Các trạm được giữ sẽ được tính lại theo kết quả mới.",
    "Keep your sites for the re-run?": "Giữ các trạm của bạn khi chạy lại?",
    "Keep them as added sites": "Giữ lại như trạm bạn thêm",
    "They are not saved in the project file: closing the window or opening a project discards them. To keep "
    "them, export the map, the report or the GIS files first.":
        "Các trạm này không được lưu trong tệp dự án: đóng cửa sổ hoặc mở dự án sẽ bỏ chúng. Để giữ lại, hãy "
        "xuất bản đồ, báo cáo hoặc tệp GIS trước.",
    "Discard your sites?": "Bỏ các trạm của bạn?", "Discard them": "Bỏ các trạm",
    "Outside the new terrain, left out: {ids}": "Nằm ngoài vùng địa hình mới, đã bỏ: {ids}",
}

# --------------------------------------------------------------------------------------------------------------
# progress messages of the core (coverage_planner.pipeline / inputs / terrain yield English text)
# --------------------------------------------------------------------------------------------------------------
#: Stage names of ``Progress.stage`` (pipeline stages plus the GUI's own tasks), English; translated by tr().
STAGE_LABELS = {"load": "Loading inputs", "coverage": "Coverage", "gaps": "Gaps", "resilience": "Resilience",
                "placement": "Placement", "export": "Export", "check": "Checking inputs", "sites": "Site coverage",
                "display": "Preparing the map"}

#: Task names of ``TaskRunner.start`` (shown when a task starts), English; translated by tr().
TASK_LABELS = {"run": "Running the analysis", "check": "Checking inputs", "sites": "Site coverage",
               "export_html": "Exporting the HTML map", "export_pdf": "Writing the PDF report",
               "export_gis": "Exporting GIS files"}


def task_label(name: str) -> str:
    """Translated label of a task name (a stage name or the name itself when unknown)."""
    return tr(TASK_LABELS.get(name) or STAGE_LABELS.get(name) or name)


#: (regular expression matching the whole English message, Vietnamese template with the named groups).
#: Keep in step with the messages in coverage_planner/pipeline.py, inputs.py and terrain.py; a message that
#: matches none is not shown in Vietnamese (only the stage name and the percentage are).
PROGRESS_PATTERNS_VI: tuple[tuple[str, str], ...] = (
    (r"Reading inputs and terrain", "Đang đọc dữ liệu và địa hình"),
    (r"(?P<t>\d+) towers, (?P<s>\d+) stations, DEM (?P<w>\d+)×(?P<h>\d+)",
     "{t} trạm, {s} điểm bỏ phiếu, DEM {w}×{h}"),
    (r"Tower (?P<id>.+) \((?P<i>\d+)/(?P<n>\d+)\)", "Trạm {id} ({i}/{n})"),
    (r"Composite coverage: (?P<i>\d+)/(?P<n>\d+) towers", "Đang tổng hợp vùng phủ: {i}/{n} trạm"),
    (r"Composite coverage, operator (?P<v>.+): (?P<i>\d+)/(?P<n>\d+) towers",
     "Đang tổng hợp vùng phủ theo nhà mạng {v}: {i}/{n} trạm"),
    (r"Composite coverage, technology (?P<v>.+): (?P<i>\d+)/(?P<n>\d+) towers",
     "Đang tổng hợp vùng phủ theo công nghệ {v}: {i}/{n} trạm"),
    (r"Composite coverage done", "Đã tổng hợp vùng phủ"),
    (r"Outlining gap areas: (?P<i>\d+)/(?P<n>\d+) communes", "Đang khoanh vùng lõm sóng: {i}/{n} xã/phường"),
    (r"(?P<n>\d+) stations with weak or no signal", "{n} điểm bỏ phiếu sóng yếu hoặc không có sóng"),
    (r"(?P<n>\d+) single points of failure", "{n} điểm chỉ có một trạm phục vụ"),
    (r"(?P<n>\d+) stations need better signal; finding candidate sites",
     "{n} điểm cần sóng tốt hơn; đang tìm vị trí ứng viên"),
    (r"(?P<n>\d+) candidate sites", "{n} vị trí ứng viên"),
    (r"Reciprocal path loss (?P<i>\d+)/(?P<n>\d+)", "Suy hao đường truyền (thuận nghịch) {i}/{n}"),
    (r"Contingency: reciprocal path loss (?P<i>\d+)/(?P<n>\d+)",
     "Phương án ứng cứu: suy hao đường truyền (thuận nghịch) {i}/{n}"),
    (r"Solving: lazy greedy and exact MILP", "Đang giải: thuật toán tham lam và MILP chính xác"),
    (r"Exact check of (?P<i>\d+)/(?P<n>\d+) sites \(round (?P<r>\d+)\)",
     "Kiểm tra chính xác {i}/{n} vị trí (vòng {r})"),
    (r"Exact check of the stations out of the screen's reach: (?P<i>\d+)/(?P<n>\d+) sites",
     "Kiểm tra chính xác các điểm bỏ phiếu ngoài tầm của bước sàng lọc: {i}/{n} vị trí"),
    (r"Contingency: exact check of (?P<i>\d+)/(?P<n>\d+) sites \(round (?P<r>\d+)\)",
     "Phương án ứng cứu: kiểm tra chính xác {i}/{n} vị trí (vòng {r})"),
    (r"Solving(?:…|\.\.\.)?", "Đang giải…"),
    (r"(?P<n>\d+) sites chosen; backhaul check", "Đã chọn {n} vị trí; đang kiểm tra truyền dẫn"),
    (r"Contingency: (?P<n>\d+) sites are the only server of a polling station",
     "Phương án ứng cứu: {n} trạm là trạm phục vụ duy nhất của điểm bỏ phiếu"),
    (r"Contingency plan: (?P<n>\d+) sites", "Phương án ứng cứu: {n} trạm"),
    (r"Done", "Xong"),
    # coverage_planner.inputs.load_inputs
    (r"reading terrain extent", "đang đọc phạm vi địa hình"),
    (r"reading optional layers", "đang đọc các lớp tùy chọn"),
    (r"reading towers", "đang đọc danh sách trạm"),
    (r"reading polling stations", "đang đọc điểm bỏ phiếu"),
    (r"reading communes", "đang đọc xã/phường"),
    (r"reading land cover", "đang đọc lớp phủ mặt đất"),
    (r"checking consistency", "đang kiểm tra tính nhất quán"),
    (r"inputs loaded", "đã đọc xong dữ liệu"),
    # coverage_planner.terrain.load_terrain
    (r"reading (?P<n>\d+) terrain file\(s\)", "đang đọc {n} tệp địa hình"),
    (r"reprojecting terrain to (?P<crs>\S+) at (?P<cs>[\d.]+) m \((?P<r>\d+)×(?P<c>\d+)\)",
     "đang chiếu lại địa hình sang {crs}, ô {cs} m ({r}×{c})"),
    (r"filling (?P<n>\d+) void cell\(s\)", "đang lấp {n} ô trống"),
    (r"terrain ready", "địa hình sẵn sàng"),
    # the exports (coverage_planner.webmap.MAP_STEPS, report.iter_build_report) and the map's layers
    # (gui.maplayers.DISPLAY_STEP: a group named tr_… is an English text translated by tr())
    (r"Map: terrain and coverage images", "Bản đồ: ảnh địa hình và vùng phủ"),
    (r"Map: gap areas", "Bản đồ: vùng lõm sóng"),
    (r"Map: communes and border", "Bản đồ: xã/phường và đường biên giới"),
    (r"Map: towers and polling stations", "Bản đồ: trạm và điểm bỏ phiếu"),
    (r"Map: proposed sites", "Bản đồ: trạm di động đề xuất"),
    (r"Map: legend and parameters", "Bản đồ: chú giải và tham số"),
    (r"Map: assembling the page", "Bản đồ: đang ghép trang"),
    (r"Report: overview map", "Báo cáo: bản đồ tổng quan"),
    (r"Report: laying out the pages \(pass (?P<n>\d+)\)", "Báo cáo: đang dàn trang (lượt {n})"),
    (r"Report: laying out page (?P<p>\d+) \(pass (?P<n>\d+)\)", "Báo cáo: đang dàn trang {p} (lượt {n})"),
    (r"Writing the file", "Đang ghi tệp"),
    (r"(?P<tr_layer>.+) \(layer (?P<i>\d+)/(?P<n>\d+)\)", "{tr_layer} (lớp {i}/{n})"),
)
_PROGRESS_RE_VI = tuple((re.compile(p), vi) for p, vi in PROGRESS_PATTERNS_VI)


def progress_message(message: str) -> str:
    """A core progress message in the current language.

    English: unchanged. Vietnamese: translated by :data:`PROGRESS_PATTERNS_VI` (numbers and ids carried over);
    a message no pattern matches gives "" so no English appears inside the Vietnamese interface.
    """
    message = (message or "").strip()
    if _lang == "en" or not message:
        return message
    for rx, template in _PROGRESS_RE_VI:
        m = rx.fullmatch(message)
        if m:
            fields = {k: tr(v) if k.startswith("tr_") else v for k, v in m.groupdict().items()}
            return unicodedata.normalize("NFC", template.format(**fields))
    return ""


def progress_text(stage: str, message: str) -> str:
    """The status-bar text of a progress item: "<stage>: <message>" or the stage alone, in the current language."""
    label = tr(STAGE_LABELS.get(stage) or TASK_LABELS.get(stage) or stage) if stage else ""
    msg = progress_message(message)
    if label and msg:
        return f"{label}: {msg}"
    return label or msg


# Qt's own texts (standard dialog buttons, message-box details): Qt ships no Vietnamese translation, so a Vietnamese
# window showed "Save / Discard / Cancel" in English. Keyed by (Qt context, source text); contexts as in Qt 6.
QT_TEXTS_VI = {
    ("QPlatformTheme", "OK"): "OK",
    ("QPlatformTheme", "Save"): "Lưu",
    ("QPlatformTheme", "Save All"): "Lưu tất cả",
    ("QPlatformTheme", "Open"): "Mở",
    ("QPlatformTheme", "&Yes"): "&Có",
    ("QPlatformTheme", "Yes to &All"): "Có với &tất cả",
    ("QPlatformTheme", "&No"): "&Không",
    ("QPlatformTheme", "N&o to All"): "Không với tất &cả",
    ("QPlatformTheme", "Abort"): "Huỷ bỏ",
    ("QPlatformTheme", "Retry"): "Thử lại",
    ("QPlatformTheme", "Ignore"): "Bỏ qua",
    ("QPlatformTheme", "Close"): "Đóng",
    ("QPlatformTheme", "Cancel"): "Huỷ",
    ("QPlatformTheme", "Discard"): "Bỏ thay đổi",
    ("QPlatformTheme", "Don't Save"): "Không lưu",
    ("QPlatformTheme", "Help"): "Trợ giúp",
    ("QPlatformTheme", "Apply"): "Áp dụng",
    ("QPlatformTheme", "Reset"): "Đặt lại",
    ("QPlatformTheme", "Restore Defaults"): "Khôi phục mặc định",
    ("QMessageBox", "Show Details..."): "Xem chi tiết…",
    ("QMessageBox", "Hide Details..."): "Ẩn chi tiết…",
}

_qt_translator = None


def install_qt_translator(app) -> None:
    """Install (once per application) a translator that gives Qt's own dialog texts in the current language."""
    global _qt_translator
    if _qt_translator is not None and getattr(_qt_translator, "_app", None) is app:
        return
    from PyQt6.QtCore import QTranslator

    class _QtTexts(QTranslator):
        def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ARG002 (Qt's signature)
            if _lang == "vi":
                return QT_TEXTS_VI.get((context, source))
            return None  # a null string: Qt keeps its own (English) text

        def isEmpty(self):  # noqa: N802 (Qt's name)
            return False

    _qt_translator = _QtTexts(app)
    _qt_translator._app = app
    app.installTranslator(_qt_translator)
