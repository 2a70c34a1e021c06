"""User-facing strings of the map, the report (and the GUI, which may reuse them) in Vietnamese and English.

``t(key, lang, **fields)`` looks a string up and fills ``{fields}``; Vietnamese is the default language.
Numbers and dates are formatted the way each language writes them (``fmt_int(12345, "vi") == "12.345"``).
All strings are NFC-normalised so diacritics are single code points in PDFs and HTML.
"""

from __future__ import annotations

import datetime as _dt
import math
import unicodedata

from coverage_planner.errors import ParameterError

LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"

_STRINGS: dict[str, dict[str, str]] = {
    # --- shared -------------------------------------------------------------------------------------------
    "status.good": {"vi": "Tốt", "en": "Good"},
    "status.weak": {"vi": "Yếu", "en": "Weak"},
    "status.none": {"vi": "Không có sóng", "en": "No signal"},
    "tower_status.on_air": {"vi": "Đang phát sóng", "en": "On air"},
    "tower_status.planned": {"vi": "Quy hoạch", "en": "Planned"},
    "tower_status.down": {"vi": "Ngừng hoạt động", "en": "Down"},
    "backhaul.ok": {"vi": "Vi ba tới trạm", "en": "Microwave to tower"},
    "backhaul.needs satellite": {"vi": "Cần truyền dẫn vệ tinh", "en": "Needs satellite"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "border": {"vi": "Biên giới", "en": "Border"},
    "remote": {"vi": "Vùng sâu, vùng xa", "en": "Remote"},
    "name": {"vi": "Tên", "en": "Name"},
    "commune": {"vi": "Xã/phường", "en": "Commune"},
    "voters": {"vi": "Cử tri", "en": "Voters"},
    "status": {"vi": "Trạng thái", "en": "Status"},
    "level": {"vi": "Mức thu", "en": "Level"},
    "best_server": {"vi": "Trạm phục vụ tốt nhất", "en": "Best server"},
    "operator": {"vi": "Nhà mạng", "en": "Operator"},
    "technology": {"vi": "Công nghệ", "en": "Technology"},
    "height": {"vi": "Độ cao anten", "en": "Antenna height"},
    "tower": {"vi": "Trạm", "en": "Tower"},
    "nearest_tower": {"vi": "Trạm gần nhất", "en": "Nearest tower"},
    "distance": {"vi": "Khoảng cách", "en": "Distance"},
    "date": {"vi": "Ngày", "en": "Date"},
    "province": {"vi": "Tỉnh", "en": "Province"},
    "scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "scenario.baseline": {"vi": "Hiện trạng (tất cả trạm hoạt động theo dữ liệu)",
                          "en": "Baseline (towers as in the input data)"},
    "scenario.down": {"vi": "Giả định ngừng hoạt động: {towers}", "en": "Assumed off air: {towers}"},
    "none_dash": {"vi": "—", "en": "—"},
    "km": {"vi": "km", "en": "km"},
    # --- map ----------------------------------------------------------------------------------------------
    "map.title": {"vi": "Vùng phủ sóng di động tại các điểm bỏ phiếu – {province}",
                  "en": "Mobile coverage of polling stations – {province}"},
    "map.layer.terrain": {"vi": "Địa hình (bóng đổ, ngoại tuyến)", "en": "Terrain hillshade (offline)"},
    "map.layer.osm": {"vi": "OpenStreetMap (cần internet)", "en": "OpenStreetMap (needs internet)"},
    "map.layer.coverage": {"vi": "Mức thu tốt nhất (dBm)", "en": "Best received level (dBm)"},
    "map.layer.gaps": {"vi": "Vùng lõm sóng", "en": "Coverage gaps"},
    "map.layer.gaps_min": {"vi": "(≥ {area} km²; vùng nhỏ hơn xem lớp mức thu)",
                           "en": "(≥ {area} km²; smaller ones: see the level layer)"},
    "map.layer.communes": {"vi": "Xã/phường", "en": "Communes"},
    "map.layer.towers": {"vi": "Trạm BTS – {operator} ({n})", "en": "Towers – {operator} ({n})"},
    "map.layer.stations": {"vi": "Điểm bỏ phiếu ({n})", "en": "Polling stations ({n})"},
    "map.layer.proposals": {"vi": "Trạm lưu động đề xuất ({n})", "en": "Proposed mobile stations ({n})"},
    "map.layer.proposal_cov": {"vi": "Vùng phủ bổ sung của trạm đề xuất",
                               "en": "Added coverage of proposed stations"},
    "map.layer.backhaul": {"vi": "Tuyến truyền dẫn", "en": "Backhaul links"},
    "map.layer.border": {"vi": "Đường biên giới quốc gia", "en": "National border"},
    "map.legend": {"vi": "Chú giải", "en": "Legend"},
    "map.legend.level": {"vi": "Mức thu tốt nhất (dBm)", "en": "Best level (dBm)"},
    "map.legend.nolevel": {"vi": "không tính được / ngoài bán kính", "en": "not reached / out of range"},
    "map.legend.stations": {"vi": "Điểm bỏ phiếu", "en": "Polling stations"},
    "map.legend.gap_none": {"vi": "Lõm sóng (không có sóng)", "en": "Gap (no signal)"},
    "map.legend.gap_weak": {"vi": "Sóng yếu", "en": "Weak signal"},
    "map.legend.tower_down": {"vi": "Trạm ngừng hoạt động", "en": "Tower down"},
    "map.legend.proposal": {"vi": "Trạm lưu động đề xuất", "en": "Proposed mobile station"},
    "map.legend.added": {"vi": "Vùng phủ bổ sung", "en": "Added coverage"},
    "map.legend.commune_border": {"vi": "Xã biên giới", "en": "Border commune"},
    "map.legend.commune_remote": {"vi": "Xã vùng sâu, vùng xa", "en": "Remote commune"},
    "map.legend.border": {"vi": "Biên giới quốc gia", "en": "National border"},
    "map.params": {"vi": "Tham số tính toán", "en": "Parameters used"},
    "map.created": {"vi": "Lập ngày {date}", "en": "Made on {date}"},
    "map.proposal": {"vi": "Trạm đề xuất #{rank}", "en": "Proposed station #{rank}"},
    "map.stations_covered": {"vi": "Điểm bỏ phiếu được phủ", "en": "Stations covered"},
    "map.voters_covered": {"vi": "Cử tri được phủ", "en": "Voters covered"},
    "map.backhaul": {"vi": "Truyền dẫn", "en": "Backhaul"},
    "map.elevation": {"vi": "Độ cao", "en": "Elevation"},
    "map.servers": {"vi": "Số trạm phục vụ", "en": "Servers"},
    # --- report -------------------------------------------------------------------------------------------
    "report.title": {"vi": "Báo cáo vùng lõm sóng di động tại các điểm bỏ phiếu",
                     "en": "Mobile coverage gap report for polling stations"},
    "report.subtitle": {"vi": "Dự án: {project}", "en": "Project: {project}"},
    "report.prepared": {"vi": "Lập bằng coverage-planner {version}", "en": "Made with coverage-planner {version}"},
    "report.page": {"vi": "Trang {n}", "en": "Page {n}"},
    "report.key_figures": {"vi": "Số liệu chính", "en": "Key figures"},
    "report.kf.stations": {"vi": "Tổng số điểm bỏ phiếu", "en": "Polling stations analysed"},
    "report.kf.good": {"vi": "Điểm có sóng tốt", "en": "Stations with good signal"},
    "report.kf.weak": {"vi": "Điểm có sóng yếu", "en": "Stations with weak signal"},
    "report.kf.none": {"vi": "Điểm không có sóng", "en": "Stations with no signal"},
    "report.kf.voters_total": {"vi": "Tổng số cử tri", "en": "Voters in total"},
    "report.kf.voters_affected": {"vi": "Cử tri tại điểm sóng yếu hoặc không có sóng",
                                  "en": "Voters at stations with weak or no signal"},
    "report.kf.spof": {"vi": "Điểm chỉ có một trạm phục vụ", "en": "Stations served by a single tower"},
    "report.kf.proposals": {"vi": "Trạm lưu động đề xuất", "en": "Proposed mobile stations"},
    "report.kf.prop_voters": {"vi": "Cử tri được phủ thêm nhờ trạm đề xuất",
                              "en": "Voters newly covered by the proposed stations"},
    "report.kf.newly": {"vi": "Điểm mất sóng trong kịch bản", "en": "Stations losing signal in this scenario"},
    "report.kf.what": {"vi": "Chỉ tiêu", "en": "Figure"},
    "report.kf.value": {"vi": "Giá trị", "en": "Value"},
    "report.overview": {"vi": "Bản đồ tổng quan", "en": "Overview map"},
    "report.overview.caption": {
        "vi": "Nền: địa hình bóng đổ. Màu: mức thu tốt nhất (dBm). Chấm: điểm bỏ phiếu theo trạng thái "
              "(xanh = tốt, cam = yếu, đỏ = không có sóng). Sao tím: trạm lưu động đề xuất. "
              "Đường đỏ đậm: biên giới quốc gia. Toạ độ UTM ({crs}), đơn vị km.",
        "en": "Base: terrain hillshade. Colours: best received level (dBm). Dots: polling stations by status "
              "(green = good, orange = weak, red = none). Purple stars: proposed mobile stations. "
              "Thick red line: national border. UTM coordinates ({crs}), km.",
    },
    "report.communes": {"vi": "Theo xã/phường", "en": "By commune"},
    "report.communes.note": {
        "vi": "Xã biên giới và xã vùng sâu, vùng xa được liệt kê trước. Diện tích: % diện tích xã có sóng "
              "tốt / yếu / không có sóng.",
        "en": "Border and remote communes are listed first. Area: % of the commune with good / weak / no signal.",
    },
    "report.col.type": {"vi": "Loại", "en": "Type"},
    "report.col.area": {"vi": "Diện tích % T/Y/K", "en": "Area % G/W/N"},
    "report.col.stations": {"vi": "Điểm T/Y/K", "en": "Stations G/W/N"},
    "report.col.voters_aff": {"vi": "Cử tri sóng yếu/không", "en": "Voters weak/none"},
    "report.col.level": {"vi": "Mức thu (dBm)", "en": "Level (dBm)"},
    "report.col.nearest": {"vi": "Trạm gần nhất (km)", "en": "Nearest tower (km)"},
    "report.col.rank": {"vi": "#", "en": "#"},
    "report.col.site": {"vi": "Vị trí", "en": "Site"},
    "report.col.latlon": {"vi": "Vĩ độ, kinh độ (WGS 84)", "en": "Lat, lon (WGS 84)"},
    "report.col.utm": {"vi": "UTM {zone} (E, N)", "en": "UTM {zone} (E, N)"},
    "report.col.covered": {"vi": "Điểm / cử tri được phủ", "en": "Stations / voters covered"},
    "report.col.backhaul": {"vi": "Truyền dẫn", "en": "Backhaul"},
    "report.col.only_server": {"vi": "Trạm duy nhất", "en": "Only server"},
    "report.col.reason": {"vi": "Lý do", "en": "Reason"},
    "report.type.border_remote": {"vi": "BG, VS", "en": "B, R"},
    "report.type.border": {"vi": "BG", "en": "B"},
    "report.type.remote": {"vi": "VS", "en": "R"},
    "report.type.legend": {"vi": "BG = xã biên giới, VS = xã vùng sâu, vùng xa; T/Y/K = tốt/yếu/không có sóng.",
                           "en": "B = border commune, R = remote commune; G/W/N = good/weak/no signal."},
    "report.gaps": {"vi": "Điểm bỏ phiếu sóng yếu hoặc không có sóng",
                    "en": "Polling stations with weak or no signal"},
    "report.gaps.none": {"vi": "Tất cả điểm bỏ phiếu đều có sóng tốt.",
                         "en": "Every polling station has a good signal."},
    "report.proposals": {"vi": "Trạm phát sóng lưu động đề xuất", "en": "Proposed mobile base stations"},
    "report.proposals.none": {"vi": "Không có trạm lưu động nào được đề xuất.",
                              "en": "No mobile station was proposed."},
    "report.proposals.note": {
        "vi": "Xếp theo thứ tự ưu tiên. Truyền dẫn: khoảng cách tới trạm BTS và độ hở Fresnel "
              "(tỷ lệ bán kính miền Fresnel thứ nhất).",
        "en": "In order of priority. Backhaul: distance to the tower and Fresnel clearance "
              "(fraction of the first Fresnel zone radius).",
    },
    "report.unreachable": {"vi": "Điểm không vị trí nào phủ được", "en": "Stations no candidate site can reach"},
    "report.spof": {"vi": "Điểm chỉ có một trạm phục vụ (điểm lỗi đơn)",
                    "en": "Single points of failure (stations served by one tower)"},
    "report.spof.note": {
        "vi": "Nếu trạm này mất điện hoặc sự cố, điểm bỏ phiếu mất sóng. Nên chuẩn bị phương án dự phòng.",
        "en": "If this tower fails (power cut, landslide), the station loses signal. Plan a fallback.",
    },
    "report.spof.none": {"vi": "Không có điểm nào chỉ phụ thuộc vào một trạm.",
                         "en": "No station depends on a single tower."},
    "report.newly": {"vi": "Điểm mất sóng trong kịch bản này", "en": "Stations losing signal in this scenario"},
    "report.methods": {"vi": "Phương pháp và tham số", "en": "Methods and parameters"},
    "report.methods.intro": {
        "vi": "Mức thu được tính cho từng ô lưới từ mọi trạm BTS đang phát sóng theo mô hình truyền sóng dưới "
              "đây, có tính địa hình. Mỗi điểm bỏ phiếu được xếp loại theo mức thu tốt nhất so với ngưỡng của "
              "công nghệ. Trạm lưu động được chọn để phủ nhiều cử tri nhất (bài toán phủ tối đa), ưu tiên xã "
              "biên giới và vùng sâu, vùng xa.",
        "en": "The received level is computed on every grid cell from every on-air tower with the propagation "
              "model below, over the terrain. Each polling station is classed by its best level against the "
              "thresholds of the technology. Mobile stations are placed to cover the most voters (maximal "
              "covering), weighting border and remote communes.",
    },
    "report.m.model": {"vi": "Mô hình truyền sóng", "en": "Propagation model"},
    "report.m.k": {"vi": "Hệ số bán kính Trái Đất hiệu dụng k", "en": "Effective Earth radius factor k"},
    "report.m.max_distance": {"vi": "Bán kính tính tối đa", "en": "Maximum distance"},
    "report.m.rx_height": {"vi": "Độ cao máy thu", "en": "Receiver height"},
    "report.m.thresholds": {"vi": "Ngưỡng tốt / yếu", "en": "Good / weak thresholds"},
    "report.m.terrain": {"vi": "Dữ liệu địa hình", "en": "Terrain source"},
    "report.m.resolution": {"vi": "Độ phân giải lưới", "en": "Grid resolution"},
    "report.m.crs": {"vi": "Hệ toạ độ phân tích", "en": "Analysis CRS"},
    "report.m.grid": {"vi": "Kích thước lưới", "en": "Grid size"},
    "report.m.placement": {"vi": "Chọn vị trí trạm lưu động", "en": "Mobile station placement"},
    "report.m.placement_val": {
        "vi": "k = {k}; tham lam {greedy}, tối ưu {exact} (chênh {gap} %); bộ giải {solver}",
        "en": "k = {k}; greedy {greedy}, exact {exact} (gap {gap} %); solver {solver}",
    },
    "report.m.software": {"vi": "Phần mềm", "en": "Software"},
    "report.m.date": {"vi": "Ngày chạy phân tích", "en": "Analysis run on"},
    "report.m.other": {"vi": "Toàn bộ tham số như đã ghi", "en": "All parameters as recorded"},
    "report.m.warnings": {"vi": "Cảnh báo khi phân tích", "en": "Warnings from the analysis"},
    "report.m.param": {"vi": "Tham số", "en": "Parameter"},
    "report.m.value": {"vi": "Giá trị", "en": "Value"},
    "report.model.free_space": {"vi": "Không gian tự do", "en": "Free space"},
    "report.model.knife_edge": {"vi": "Nhiễu xạ lưỡi dao đơn", "en": "Single knife edge"},
    "report.model.deygout": {"vi": "Nhiễu xạ nhiều vật cản (Deygout)", "en": "Multiple knife edge (Deygout)"},
    "report.model.hata": {"vi": "Okumura–Hata", "en": "Okumura–Hata"},
    "report.model.cost231": {"vi": "COST-231 Hata", "en": "COST-231 Hata"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise :class:`ParameterError` naming the choices."""
    if lang not in LANGUAGES:
        raise ParameterError(
            f"Unknown language {lang!r} for maps and reports. How to fix: use one of {', '.join(LANGUAGES)} "
            "(vi = Vietnamese, en = English)."
        )
    return lang


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text))


def t(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    """The string ``key`` in ``lang`` with ``{fields}`` filled in (NFC-normalised)."""
    check_lang(lang)
    try:
        entry = _STRINGS[key]
    except KeyError:
        raise KeyError(f"no user-facing string {key!r} in coverage_planner.i18n") from None
    text = entry[lang]
    if fields:
        text = text.format(**fields)
    return nfc(text)


def has(key: str) -> bool:
    return key in _STRINGS


def status_label(status: str, lang: str = DEFAULT_LANG) -> str:
    key = f"status.{status}"
    return t(key, lang) if has(key) else nfc(status)


def fmt_int(n, lang: str = DEFAULT_LANG) -> str:
    """12345 → "12.345" (vi) or "12,345" (en)."""
    check_lang(lang)
    s = f"{int(n):,}"
    return s.replace(",", ".") if lang == "vi" else s


def fmt_float(x, digits: int = 1, lang: str = DEFAULT_LANG, empty: str = "—") -> str:
    """Decimal comma in Vietnamese, point in English; NaN/None → ``empty``."""
    check_lang(lang)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return empty
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return nfc(x)
    if math.isnan(xf):
        return empty
    s = f"{xf:,.{digits}f}"
    if lang == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_date(d: _dt.date | _dt.datetime, lang: str = DEFAULT_LANG, *, time: bool = False) -> str:
    """dd/mm/yyyy (vi) or yyyy-mm-dd (en), optionally with HH:MM."""
    check_lang(lang)
    s = d.strftime("%d/%m/%Y") if lang == "vi" else d.strftime("%Y-%m-%d")
    if time and isinstance(d, _dt.datetime):
        s += d.strftime(" %H:%M")
    return s
