"""User-facing strings of the map, the report (and the GUI, which may reuse them) in Vietnamese and English.

``t(key, lang, **fields)`` looks a string up and fills ``{fields}``; Vietnamese is the default language.
Numbers and dates are formatted the way each language writes them (``fmt_int(12345, "vi") == "12.345"``).
All strings are NFC-normalised so diacritics are single code points in PDFs and HTML.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import unicodedata

from coverage_planner.errors import RECHECK_CLI, InputError, ParameterError
from coverage_planner.project import INPUT_LABELS

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
    "station_id": {"vi": "Mã", "en": "ID"},  # as the desktop app's "id" column
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
    "province.name": {"vi": "Tỉnh {province}", "en": "{province} Province"},
    "scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "scenario.baseline": {"vi": "Hiện trạng (các trạm theo dữ liệu đầu vào)",
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
    "map.layer.contingency": {"vi": "Ứng cứu khi trạm sự cố ({n})", "en": "Contingency: if a site fails ({n})"},
    "map.contingency": {"vi": "Nếu trạm {site} sự cố: đặt trạm lưu động tại đây",
                        "en": "If {site} fails: place a mobile station here"},
    "map.legend.contingency": {"vi": "Trạm lưu động ứng cứu khi trạm sự cố (lớp tắt sẵn)",
                               "en": "Mobile station if a site fails (layer off by default)"},
    "map.layer.backhaul": {"vi": "Tuyến truyền dẫn", "en": "Backhaul links"},
    "map.layer.border": {"vi": "Đường biên giới quốc gia", "en": "National border"},
    "map.legend": {"vi": "Chú giải", "en": "Legend"},
    "map.legend.level": {"vi": "Mức thu tốt nhất (dBm)", "en": "Best level (dBm)"},
    "map.legend.nolevel": {"vi": "không tính được / ngoài bán kính", "en": "not reached / out of range"},
    "map.legend.stations": {"vi": "Điểm bỏ phiếu", "en": "Polling stations"},
    "map.legend.gap_none": {"vi": "Lõm sóng (không có sóng)", "en": "Gap (no signal)"},
    "map.legend.gap_weak": {"vi": "Sóng yếu", "en": "Weak signal"},
    "map.legend.tower_down": {"vi": "Trạm ngừng hoạt động", "en": "Tower down"},
    "map.legend.tower_planned": {"vi": "Trạm quy hoạch (chưa phát sóng)", "en": "Planned tower (not on air)"},
    "map.legend.proposal": {"vi": "Trạm lưu động đề xuất", "en": "Proposed mobile station"},
    "map.legend.user_site": {"vi": "Trạm lưu động người dùng đã dời / thêm",
                             "en": "Mobile station moved / added by the user"},
    "map.legend.added": {"vi": "Vùng phủ bổ sung", "en": "Added coverage"},
    "map.legend.commune": {"vi": "Ranh giới xã/phường", "en": "Commune boundary"},
    "map.legend.backhaul": {"vi": "Tuyến vi ba tới trạm BTS (truyền dẫn)", "en": "Microwave backhaul link to a tower"},
    "map.legend.commune_border": {"vi": "Xã biên giới", "en": "Border commune"},
    "map.legend.commune_remote": {"vi": "Xã vùng sâu, vùng xa", "en": "Remote commune"},
    "map.legend.border": {"vi": "Biên giới quốc gia", "en": "National border"},
    "map.legend.towers": {"vi": "Trạm BTS (màu nhà mạng)", "en": "Towers (operator colour)"},
    "map.legend.gaps": {"vi": "Vùng lõm sóng", "en": "Coverage gaps"},
    "map.legend.proposals": {"vi": "Đề xuất", "en": "Proposals"},
    "map.legend.boundaries": {"vi": "Ranh giới", "en": "Boundaries"},
    "map.user_edits": {"vi": "Trạm lưu động do người dùng thay đổi", "en": "Mobile sites changed by the user"},
    "map.params": {"vi": "Tham số tính toán", "en": "Parameters used"},
    "map.down_short": {"vi": "{n} trạm: {towers}", "en": "{n} towers: {towers}"},
    "map.created": {"vi": "Lập ngày {date}", "en": "Made on {date}"},
    "map.proposal": {"vi": "Trạm đề xuất #{rank}", "en": "Proposed station #{rank}"},
    "map.stations_covered": {"vi": "Điểm bỏ phiếu được phủ", "en": "Stations covered"},
    "map.voters_covered": {"vi": "Cử tri được phủ", "en": "Voters covered"},
    "map.backhaul": {"vi": "Truyền dẫn", "en": "Backhaul"},
    "map.elevation": {"vi": "Độ cao", "en": "Elevation"},
    "map.servers": {"vi": "Số trạm phục vụ", "en": "Servers"},
    "map.before": {"vi": "Trước sự cố", "en": "Before the failure"},
    "map.lost": {"vi": "Mất sóng do sự cố: {n} điểm ({voters} cử tri)",
                 "en": "Lost all signal in this scenario: {n} stations ({voters} voters)"},
    "map.legend.lost": {"vi": "Mất sóng do sự cố (viền đen)", "en": "Lost signal in this scenario (black ring)"},
    # --- report -------------------------------------------------------------------------------------------
    "report.title": {"vi": "Báo cáo vùng lõm sóng di động tại các điểm bỏ phiếu",
                     "en": "Mobile coverage gap report for polling stations"},
    "report.subtitle": {"vi": "Dự án: {project}", "en": "Project: {project}"},
    "report.prepared": {"vi": "Lập bằng coverage-planner {version}", "en": "Made with coverage-planner {version}"},
    "report.page": {"vi": "Trang {n}/{total}", "en": "Page {n} of {total}"},
    # the cover's contents (worded unlike the headings) and the body → annex references
    "report.toc": {"vi": "Nội dung", "en": "Contents"},
    "report.toc.page": {"vi": "Trang", "en": "Page"},
    "report.toc.summary": {"vi": "Tóm tắt: các con số và bản đồ", "en": "Summary figures and map"},
    "report.toc.lost": {"vi": "Điểm mất sóng do sự cố", "en": "Stations lost in the scenario"},
    "report.toc.communes": {"vi": "Các xã/phường có điểm lõm sóng", "en": "Communes with gaps"},
    "report.toc.proposals": {"vi": "Đề xuất trạm lưu động và truyền dẫn", "en": "Mobile sites proposed, backhaul"},
    "report.toc.unreachable": {"vi": "Điểm không thể phủ sóng và lý do", "en": "Stations that cannot be reached, why"},
    "report.toc.contingency": {"vi": "Ứng cứu khi trạm BTS hỏng", "en": "If a tower fails: contingency"},
    "report.toc.annex_a": {"vi": "Phụ lục A – Danh sách đầy đủ điểm sóng yếu, không sóng",
                           "en": "Annex A – Full list of weak / no-signal stations"},
    "report.toc.annex_b": {"vi": "Phụ lục B – Điểm phụ thuộc một trạm, theo trạm",
                           "en": "Annex B – Stations depending on one site, by site"},
    "report.toc.annex_c": {"vi": "Phụ lục C – Phương pháp, tham số", "en": "Annex C – Methods, parameters"},
    "report.toc.print": {
        "vi": "Phần chính (trang 1–{end}) đủ cho cuộc họp và có thể in riêng; các phụ lục (trang {first}–{total}) "
              "là danh sách đầy đủ từng điểm bỏ phiếu và các tham số tính toán.",
        "en": "The main part (pages 1–{end}) is what a meeting needs and can be printed on its own; the annexes "
              "(pages {first}–{total}) hold the complete per-station lists and the parameters.",
    },
    "report.annex": {"vi": "Phụ lục {letter}", "en": "Annex {letter}"},
    "report.see_annex": {"vi": "xem Phụ lục {letter}, trang {page}", "en": "see Annex {letter}, p. {page}"},
    "report.annex_a.ref": {
        "vi": "Danh sách đầy đủ {n} điểm sóng yếu hoặc không có sóng: {see}.",
        "en": "The complete list of the {n} stations with weak or no signal: {see}.",
    },
    "report.annex_b.ref": {
        "vi": "Từng điểm bỏ phiếu mất sóng khi trạm của nó hỏng, theo trạm, có được khôi phục hay không: {see}.",
        "en": "Each polling station that loses signal when its site fails, by site, and whether it is restored: "
              "{see}.",
    },
    "report.communes.ok": {"vi": "Xã/phường có mọi điểm bỏ phiếu sóng tốt ({n}): {names}.",
                           "en": "Communes where every polling station has a good signal ({n}): {names}."},
    "report.col.prop_in": {"vi": "Trạm đề xuất (số điểm phủ)", "en": "Proposed sites (stations covered)"},
    "report.col.left": {"vi": "Còn thiếu sóng", "en": "Still short"},
    "report.col.still_lost": {"vi": "Vẫn mất sóng", "en": "Still without signal"},
    "report.col.restored_yn": {"vi": "Được khôi phục", "en": "Restored"},
    "report.microwave": {"vi": "vi ba", "en": "microwave"},
    "report.yes": {"vi": "Có", "en": "Yes"},
    "report.no": {"vi": "Không", "en": "No"},
    "report.remaining": {
        "vi": "Sau khi đặt {k} trạm đề xuất, còn {n} điểm bỏ phiếu ({voters} cử tri) sóng yếu hoặc không có sóng: "
              "{unreach} điểm không vị trí nào phủ được (bảng dưới), {more} điểm cần thêm trạm lưu động.",
        "en": "With the {k} proposed sites, {n} polling stations ({voters} voters) still have weak or no signal: "
              "{unreach} that no candidate site can reach (table below), {more} that need more mobile sites.",
    },
    "report.key_figures": {"vi": "Số liệu chính", "en": "Key figures"},
    "report.kf.stations": {"vi": "Tổng số điểm bỏ phiếu", "en": "Polling stations analysed"},
    "report.kf.good": {"vi": "Điểm có sóng tốt", "en": "Stations with good signal"},
    "report.kf.weak": {"vi": "Điểm có sóng yếu", "en": "Stations with weak signal"},
    "report.kf.none": {"vi": "Điểm không có sóng", "en": "Stations with no signal"},
    "report.kf.voters_total": {"vi": "Tổng số cử tri", "en": "Voters in total"},
    "report.kf.voters_affected": {"vi": "Cử tri tại điểm sóng yếu hoặc không có sóng",
                                  "en": "Voters at stations with weak or no signal"},
    "report.kf.spof": {"vi": "Điểm chỉ có một trạm (một cột anten) phục vụ",
                       "en": "Stations served by a single site (one mast)"},
    "report.kf.proposals": {"vi": "Trạm lưu động đề xuất", "en": "Proposed mobile stations"},
    "report.kf.prop_voters": {"vi": "Cử tri được phủ thêm nhờ trạm đề xuất",
                              "en": "Voters newly covered by the proposed stations"},
    "report.kf.newly": {"vi": "Điểm mất sóng trong kịch bản", "en": "Stations losing signal in this scenario"},
    "report.kf.newly_voters": {"vi": "Cử tri tại các điểm mất sóng trong kịch bản",
                               "en": "Voters at the stations losing signal in this scenario"},
    "report.kf.lost_restored": {"vi": "Trong đó, điểm được trạm lưu động đề xuất khôi phục",
                                "en": "Of these, stations the proposed mobile stations restore"},
    "report.kf.lost_voters_restored": {"vi": "Cử tri tại các điểm được khôi phục",
                                       "en": "Voters at the restored stations"},
    "report.kf.what": {"vi": "Chỉ tiêu", "en": "Figure"},
    "report.kf.value": {"vi": "Giá trị", "en": "Value"},
    "report.overview": {"vi": "Bản đồ tổng quan", "en": "Overview map"},
    "report.overview.caption": {
        "vi": "Nền: địa hình bóng đổ. Màu: mức thu tốt nhất (dBm). Điểm bỏ phiếu theo trạng thái: "
              "● xanh = tốt, ◆ cam = yếu, ■ đỏ = không có sóng. Sao tím: trạm lưu động đề xuất. "
              "Đường đỏ đậm: biên giới quốc gia. Toạ độ UTM ({crs}), đơn vị km.",
        "en": "Base: terrain hillshade. Colours: best received level (dBm). Polling stations by status: "
              "● green = good, ◆ orange = weak, ■ red = no signal. Purple stars: proposed mobile stations. "
              "Thick red line: national border. UTM coordinates ({crs}), km.",
    },
    "report.overview.down": {"vi": "Dấu ✕ đỏ: trạm ngừng hoạt động; trạm giả định ngừng trong kịch bản này ({n}): "
                                   "{towers}.",
                             "en": "Red ✕: towers off air; taken off air in this scenario ({n}): {towers}."},
    "list.more": {"vi": "(+{n})", "en": "(+{n})"},
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
    "report.col.only_server": {"vi": "Trạm duy nhất (sector mạnh nhất)", "en": "Only site (best sector)"},
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
    "report.proposals.edited": {
        "vi": "Danh sách gồm các thay đổi của người dùng trên ứng dụng: {changes}. Vùng phủ và truyền dẫn của "
              "các trạm này được tính tại vị trí mới; số liệu của bộ tối ưu (số trạm tối thiểu, sai số tối ưu "
              "đã chứng minh) là của phương án đề xuất ban đầu.",
        "en": "This list includes changes made by the user in the desktop app: {changes}. The coverage and "
              "backhaul of these sites were computed at their new places; the optimiser's figures (minimum "
              "number of sites, proven optimality gap) describe its original proposal.",
    },
    # what the plan's "minimum sites" figure is, as the run made it (placement_text)
    "placement.minimum.estimate": {
        "vi": "Số trạm lưu động tối thiểu để phủ mọi điểm bỏ phiếu có thể phủ được: khoảng {n} (ước tính nhanh; "
              "chế độ “Ít trạm nhất có thể” của ứng dụng, hay k = -1 (--k -1) ở dòng lệnh, kiểm tra từng vị trí "
              "bằng mặt cắt địa hình chính xác).",
        "en": "Minimum mobile sites to cover every reachable polling station: about {n} (quick estimate; \"As few "
              "sites as needed\" in the desktop app, or k = -1 (--k -1) on the command line, checks every site with "
              "the exact terrain profile).",
    },
    "placement.minimum.exact": {
        "vi": "Số trạm lưu động tối thiểu để phủ mọi điểm bỏ phiếu có thể phủ được: {n} (chế độ “ít trạm nhất”, "
              "k = -1; mọi vị trí đề xuất đã được kiểm tra bằng mặt cắt địa hình chính xác, {rounds} vòng kiểm tra).",
        "en": "Minimum mobile sites to cover every reachable polling station: {n} (\"as few as needed\", k = -1; every "
              "proposed site checked with the exact terrain profile, {rounds} rounds of checks).",
    },
    "placement.minimum.unconfirmed": {
        "vi": "Số trạm lưu động tối thiểu để phủ mọi điểm bỏ phiếu có thể phủ được: chưa xác nhận được. Chế độ “ít "
              "trạm nhất” (k = -1) đã chạy nhưng việc kiểm tra chính xác chưa hội tụ sau {rounds} vòng: theo ước "
              "tính nhanh cần khoảng {n} trạm, trong đó {unchecked} vị trí chưa được kiểm tra chính xác. {k} trạm đề "
              "xuất đều đã được kiểm tra bằng mặt cắt địa hình chính xác và phủ {covered}/{reachable} điểm bỏ phiếu "
              "có thể phủ được",
        "en": "Minimum mobile sites to cover every reachable polling station: not confirmed. \"As few as needed\" "
              "(k = -1) was run, but the exact check did not converge in {rounds} rounds: about {n} sites by the quick "
              "estimate, {unchecked} of them not checked exactly. The {k} proposed sites are all checked with the "
              "exact terrain profile and cover {covered} of the {reachable} reachable polling stations",
    },
    "placement.minimum.unconfirmed.all": {
        "vi": ": một phương án đủ với {k} trạm, nhưng chưa chứng minh được là ít nhất.",
        "en": ": a plan that does it with {k} sites, not proven to be the fewest.",
    },
    "placement.not_converged": {
        "vi": "Việc kiểm tra chính xác chưa hội tụ sau {rounds} vòng: {k} trạm đề xuất được chọn chỉ trong số các vị "
              "trí đã kiểm tra chính xác (điểm bỏ phiếu chúng phủ là chính xác; một phương án dùng vị trí chưa kiểm "
              "tra có thể tốt hơn).",
        "en": "The exact check did not converge in {rounds} rounds: the {k} proposed sites were chosen among "
              "exact-checked sites only (the stations they cover are exact; a plan using unchecked sites may do "
              "better).",
    },
    "report.proposals.moved": {"vi": "đã dời {ids}", "en": "moved {ids}"},
    "report.proposals.added": {"vi": "đã thêm {ids}", "en": "added {ids}"},
    "placed_by.moved by user": {"vi": "đã dời", "en": "moved"},
    "placed_by.added by user": {"vi": "người dùng thêm", "en": "added"},
    "backhaul.not checked": {"vi": "Chưa kiểm tra", "en": "Not checked"},
    "report.contingency": {"vi": "Phương án ứng cứu khi một trạm gặp sự cố",
                           "en": "Contingency plan: if a site fails"},
    "report.contingency.note": {
        "vi": "Mỗi dòng là một trạm (các sector của một nhà mạng trên cùng một cột anten) là trạm duy nhất phục vụ "
              "một số điểm bỏ phiếu: nếu trạm mất điện hoặc bị sạt lở, các điểm này mất sóng hoàn toàn. Cột "
              "“Đặt trạm lưu động” là vị trí ứng viên khôi phục được tổng trọng số ưu tiên lớn nhất (số cử tri × "
              "mức ưu tiên của điểm, nhân thêm hệ số cho xã biên giới và xã vùng sâu, vùng xa, như khi chọn trạm "
              "lưu động; kiểm tra bằng mặt cắt địa hình, mức thu tốt), với tuyến truyền dẫn tới một trạm khác còn "
              "hoạt động. Cột “Vẫn mất sóng” ghi đủ các điểm trạm lưu động không khôi phục được.",
        "en": "Each row is a site (one operator's sectors on one mast) that alone serves some polling stations: "
              "if it loses power or is hit by a landslide, these stations lose all signal. “Place a mobile "
              "station” is the candidate site that restores the most priority weight (voters × the station's "
              "priority, raised for border and remote communes, as in the placement; checked on the terrain "
              "profile, at a good level), with a backhaul to another site that stays on air. “Still without signal” "
              "lists every station the mobile station does not restore.",
    },
    "report.contingency.summary": {
        "vi": "{sites} trạm là trạm phục vụ duy nhất của {n} điểm bỏ phiếu ({voters} cử tri). Với một trạm "
              "lưu động cho mỗi sự cố, khôi phục được {restored} điểm ({rvoters} cử tri).",
        "en": "{sites} sites are the only server of {n} polling stations ({voters} voters). One mobile station "
              "per failure restores {restored} of them ({rvoters} voters).",
    },
    "report.col.site_fails": {"vi": "Trạm gặp sự cố", "en": "Site that fails"},
    "report.col.lost": {"vi": "Mất sóng: điểm / cử tri", "en": "Lose signal: stations / voters"},
    "report.col.restore": {"vi": "Đặt trạm lưu động", "en": "Place a mobile station"},
    "report.col.restored": {"vi": "Khôi phục: điểm / cử tri", "en": "Restored: stations / voters"},
    "report.contingency.still_lost": {"vi": "Vẫn mất sóng ({n}):", "en": "Still without signal ({n}):"},
    "map.contingency.restored": {"vi": "Điểm được khôi phục", "en": "Stations restored"},
    "map.contingency.still_lost": {"vi": "Vẫn mất sóng", "en": "Still without signal"},
    "report.unreachable": {"vi": "Điểm không vị trí nào phủ được", "en": "Stations no candidate site can reach"},
    "report.not_planned": {  # stations in need of priority weight 0: the placement did not look for a site
        "vi": "{n} điểm cần cải thiện sóng có mức ưu tiên 0 (trọng số 0): không được xét khi bố trí trạm lưu động "
              "nên không có trong danh sách điểm không vị trí nào phủ được.",
        "en": "{n} stations that need better signal have priority 0 (weight 0): they are not planned for, so they "
              "are not listed among the stations no candidate site can reach.",
    },
    "report.spof": {"vi": "Điểm chỉ có một trạm phục vụ (điểm lỗi đơn)",
                    "en": "Single points of failure (stations served by one site)"},
    "report.spof.note": {
        "vi": "Một trạm là các sector của một nhà mạng trên cùng một cột anten (hai sector của một cột không dự "
              "phòng cho nhau). Nếu trạm mất điện hoặc bị sạt lở, điểm bỏ phiếu mất sóng. Xếp theo trạm, như bảng "
              "phương án ứng cứu; cột “Được khôi phục”: trạm lưu động của phương án đó phủ lại điểm này.",
        "en": "A site is one operator's sectors on one mast (two sectors of one mast are no backup for each "
              "other). If it fails (power cut, landslide), the station loses signal. Ordered by site, as the "
              "contingency plan; “Restored”: that plan's mobile station covers the station again.",
    },
    "report.spof.none": {"vi": "Không có điểm nào chỉ phụ thuộc vào một trạm.",
                         "en": "No station depends on a single site."},
    "report.newly": {"vi": "Điểm mất sóng trong kịch bản này", "en": "Stations losing signal in this scenario"},
    "report.newly.summary": {
        "vi": "Khi các trạm {towers} ngừng hoạt động, {n} điểm bỏ phiếu ({voters} cử tri) mất hoàn toàn sóng di động.",
        "en": "With {towers} off air, {n} polling stations ({voters} voters) lose all mobile signal.",
    },
    "report.newly.summary_one": {  # one tower down: "trạm", not the plural "các trạm"
        "vi": "Khi trạm {towers} ngừng hoạt động, {n} điểm bỏ phiếu ({voters} cử tri) mất hoàn toàn sóng di động.",
        "en": "With {towers} off air, {n} polling stations ({voters} voters) lose all mobile signal.",
    },
    "report.col.before_now": {"vi": "Trước → nay", "en": "Before → now"},
    "report.col.served_before": {"vi": "Trạm phục vụ trước sự cố", "en": "Served before by"},
    "report.col.restored_by": {"vi": "Khôi phục bởi", "en": "Restored by"},
    "report.newly.restored_by": {
        "vi": "Cột “Khôi phục bởi”: trạm lưu động đề xuất phủ lại điểm này (xem mục Trạm phát sóng lưu động đề "
              "xuất); “—”: không trạm đề xuất nào phủ tới.",
        "en": "“Restored by”: the proposed mobile station that covers the station again (see Proposed mobile base "
              "stations); “—”: no proposed station reaches it.",
    },
    "map.restored_by": {"vi": "Khôi phục bởi trạm đề xuất", "en": "Restored by proposed station"},
    "report.total": {"vi": "Tổng", "en": "Total"},
    "report.kvbp": {"vi": "KVBP: khu vực bỏ phiếu.", "en": "KVBP: khu vực bỏ phiếu (polling area)."},
    "report.methods": {"vi": "Phương pháp và tham số", "en": "Methods and parameters"},
    "report.methods.intro": {
        "vi": "Mức thu được tính cho từng ô lưới từ mọi trạm BTS đang phát sóng theo mô hình truyền sóng dưới "
              "đây, có tính địa hình. Mỗi điểm bỏ phiếu được xếp loại theo trạm phục vụ tốt nhất, mỗi trạm so "
              "với ngưỡng của công nghệ của trạm đó (2G, 3G, 4G). Trạm lưu động được chọn để phủ nhiều cử tri nhất (bài toán phủ tối đa), ưu tiên xã "
              "biên giới và vùng sâu, vùng xa.",
        "en": "The received level is computed on every grid cell from every on-air tower with the propagation "
              "model below, over the terrain. Each polling station is classed by its best server, each tower judged "
              "against the thresholds of its own technology (2G, 3G, 4G). Mobile stations are placed to cover the most voters (maximal "
              "covering), weighting border and remote communes.",
    },
    "report.m.model": {"vi": "Mô hình truyền sóng", "en": "Propagation model"},
    "report.m.k": {"vi": "Hệ số bán kính Trái Đất hiệu dụng k", "en": "Effective Earth radius factor k"},
    "report.m.max_distance": {"vi": "Bán kính tính tối đa", "en": "Maximum distance"},
    "report.m.rx_height": {"vi": "Độ cao máy thu", "en": "Receiver height"},
    "report.m.thresholds": {"vi": "Ngưỡng tốt / yếu", "en": "Good / weak thresholds"},
    "report.m.levels": {"vi": "Mức thu (dBm)", "en": "Received levels (dBm)"},
    "report.m.levels_val": {
        "vi": "Tổng công suất thu của sóng mang (dBm), không phải RSRP/RSCP: với 4G, tổng −75 dBm ≈ RSRP −103 dBm "
              "ở băng thông 10 MHz; với 3G, tổng ≈ RSCP + 10 dB. Xem docs/INPUTS.md.",
        "en": "Total received power of the carrier (dBm), not RSRP/RSCP: for 4G, −75 dBm total ≈ RSRP −103 dBm "
              "at 10 MHz; for 3G, total ≈ RSCP + 10 dB. See docs/INPUTS.md.",
    },
    "report.m.terrain": {"vi": "Dữ liệu địa hình", "en": "Terrain source"},
    "report.m.resolution": {"vi": "Độ phân giải lưới", "en": "Grid resolution"},
    "report.m.crs": {"vi": "Hệ toạ độ phân tích", "en": "Analysis CRS"},
    "report.m.grid": {"vi": "Kích thước lưới", "en": "Grid size"},
    "report.m.grid_val": {"vi": "{cols} cột × {rows} hàng", "en": "{cols} columns × {rows} rows"},
    "report.m.placement": {"vi": "Chọn vị trí trạm lưu động", "en": "Mobile station placement"},
    "report.m.placement_val": {
        "vi": "k = {k}; tham lam {greedy}, tối ưu {exact} (chênh {gap} %); bộ giải {solver}",
        "en": "k = {k}; greedy {greedy}, exact {exact} (gap {gap} %); solver {solver}",
    },
    "report.m.software": {"vi": "Phần mềm", "en": "Software"},
    "report.m.date": {"vi": "Ngày chạy phân tích", "en": "Analysis run on"},
    "report.m.other": {"vi": "Toàn bộ tham số đã dùng cho lần chạy", "en": "All parameters used for this run"},
    "report.m.warnings": {"vi": "Cảnh báo khi phân tích", "en": "Warnings from the analysis"},
    "report.m.param": {"vi": "Tham số", "en": "Parameter"},
    "report.m.value": {"vi": "Giá trị", "en": "Value"},
    "report.model.free_space": {"vi": "Không gian tự do", "en": "Free space"},
    "report.model.knife_edge": {"vi": "Nhiễu xạ lưỡi dao đơn", "en": "Single knife edge"},
    "report.model.deygout": {"vi": "Nhiễu xạ nhiều vật cản (Deygout)", "en": "Multiple knife edge (Deygout)"},
    "report.model.hata": {"vi": "Okumura–Hata", "en": "Okumura–Hata"},
    "report.model.cost231": {"vi": "COST-231 Hata", "en": "COST-231 Hata"},
    # --- input errors (error_text): the fixed parts of coverage_planner.errors.InputError's text ------------
    "error.row": {"vi": "dòng {row}", "en": "row {row}"},
    "error.column": {"vi": "cột '{column}'", "en": "column '{column}'"},
    "error.field": {"vi": "trường '{field}'", "en": "field '{field}'"},
    "error.more": {"vi": "… và {n} lỗi khác", "en": "… and {n} more"},
    "error.how_to_fix": {"vi": "Cách sửa", "en": "How to fix"},
    "error.then": {"vi": ", rồi ", "en": ", then "},
    "error.recheck": {"vi": "chạy lại lệnh validate", "en": RECHECK_CLI},
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


def province_name(province, lang: str = DEFAULT_LANG) -> str:
    """"Tỉnh Điện Biên" / "Điện Biên Province"; a name that already says it is a province or city ("Tỉnh …",
    "Thành phố …", "… Province") is kept as it is."""
    name = nfc(str(province or "")).strip()
    if not name or re.match(r"(?i)(tỉnh|thành phố|tp\.?)\s", name) or re.search(r"(?i)\b(province|city)$", name):
        return name
    return t("province.name", lang, province=name)


def station_label(name, commune=None, station_id=None) -> str:
    """A polling station's name with its commune, "Bản Na Sang (Xã Mường Nhé)": names repeat across communes;
    with ``station_id`` also the id the console and the CSV files show, "Bản Na Sang (Xã Mường Nhé,
    KVBP-MUONGNHE-03)", so a station can be found in every output."""
    def text(v) -> str:
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else nfc(v).strip()

    name, sid = text(name), text(station_id)
    name = name or sid  # a station without a name is shown by its id
    extra = [v for v in (text(commune), sid) if v and v != name]
    return f"{name} ({', '.join(extra)})" if extra and name else name


_KVBP = re.compile(r"^\s*khu\s+vực\s+bỏ\s+phiếu\b", re.IGNORECASE)


def short_station_name(name) -> str:
    """A station name for narrow table columns: the official "Khu vực bỏ phiếu số 17 – Tổ dân phố 17" with its
    standard abbreviation, "KVBP số 17 – Tổ dân phố 17" (every name starts so: the PDF's station rows took three
    lines for it). Other names unchanged; :data:`KVBP_NOTE` explains the abbreviation."""
    text = "" if name is None or (isinstance(name, float) and math.isnan(name)) else nfc(name)
    return _KVBP.sub("KVBP", text, count=1)


def station_labels(stations, *, with_id: bool = False) -> dict[str, str]:
    """{station id: :func:`station_label`} of a stations table (empty for None); ``with_id``: the labels
    name the id too."""
    if stations is None or "id" not in stations:
        return {}
    communes = stations["commune"] if "commune" in stations else [None] * len(stations)
    names = stations["name"] if "name" in stations else stations["id"]
    return {str(i): station_label(n, c, i if with_id else None)
            for i, n, c in zip(stations["id"], names, communes, strict=True)}


def station_sort_key(stations):
    """The sort key of station ids (str) in the tables' order: by commune, then name (:func:`natural_key`); ids
    missing from ``stations`` last, by id. Made once per table: a loop sorts many id lists with it."""
    known = {}
    if stations is not None and "id" in stations:
        communes = stations["commune"] if "commune" in stations else [""] * len(stations)
        names = stations["name"] if "name" in stations else stations["id"]
        known = {str(i): (0, natural_key(c), natural_key(n))
                 for i, n, c in zip(stations["id"], names, communes, strict=True)}
    return lambda i: (*known.get(i, (1, "", "")), natural_key(i))


def station_order(ids, stations) -> list[str]:
    """The station ``ids`` in the tables' order (:func:`station_sort_key`)."""
    return sorted((str(i) for i in ids), key=station_sort_key(stations))


def site_label(site_id, placed_by, lang: str = DEFAULT_LANG) -> str:
    """A mobile site's id, with "(moved)" / "(added)" when the user moved or added it in the desktop app."""
    key = f"placed_by.{placed_by}"
    return nfc(f"{site_id} ({t(key, lang)})") if isinstance(placed_by, str) and has(key) else nfc(str(site_id))


def edits_text(summary: dict, lang: str = DEFAULT_LANG) -> str:
    """"moved MS-02, MS-05; added U01" from a plan's ``user_moved`` / ``user_added`` (empty: no changes)."""
    parts = []
    for field, key in (("user_moved", "report.proposals.moved"), ("user_added", "report.proposals.added")):
        ids = list((summary or {}).get(field) or [])
        if ids:
            parts.append(t(key, lang, ids=", ".join(str(i) for i in ids)))
    return "; ".join(parts)


def placement_text(summary: dict, lang: str = DEFAULT_LANG) -> str:
    """What a plan's minimum number of sites (``lscp_sites``) is, as the run made it (console and report): a
    quick estimate with a fixed k; exact with k = -1 when the solve-and-check rounds converged; with k = -1 and the
    rounds used up, not confirmed — then how many of its sites are unchecked and what the proposed (all
    exact-checked) sites do cover. A fixed k whose rounds were used up says its plan is from checked sites only.
    Empty without a plan."""
    s = summary or {}
    if "lscp_sites" not in s or "greedy_objective" not in s:
        return ""
    n, rounds = fmt_int(int(s["lscp_sites"]), lang), fmt_int(int(s.get("exact_rounds", 0)), lang)
    k = fmt_int(int(s.get("k", 0)), lang)
    converged = bool(s.get("exact_converged", True))
    if int(s.get("k_requested", 0)) < 0:
        # lscp_exact: converged, and the solver proved the count (no time limit hit) and its plan covers it all
        if converged and bool(s.get("lscp_exact", True)):
            return t("placement.minimum.exact", lang, n=n, rounds=rounds)
        covered, reachable = int(s.get("reachable_covered", 0)), int(s.get("n_reachable", 0))
        text = t("placement.minimum.unconfirmed", lang, n=n, rounds=rounds, k=k,
                 unchecked=fmt_int(int(s.get("lscp_unchecked", 0)), lang), covered=fmt_int(covered, lang),
                 reachable=fmt_int(reachable, lang))
        return text + (t("placement.minimum.unconfirmed.all", lang, k=k) if covered >= reachable else ".")
    text = t("placement.minimum.estimate", lang, n=n)
    return text if converged else f"{text} {t('placement.not_converged', lang, rounds=rounds, k=k)}"


def short_list(items, lang: str = DEFAULT_LANG, limit: int = 3) -> str:
    """``items`` joined by ", ", the first ``limit`` only when there are more: "A, B, C … (+49)"."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + " … " + t("list.more", lang, n=fmt_int(len(items) - limit, lang))


#: The Vietnamese alphabet (with f, j, w, z of foreign names in their Latin places): a letter's primary weight.
VI_ALPHABET = ("a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô",
               "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z")
#: The tone marks in dictionary order (after the unmarked syllable): huyền, hỏi, ngã, sắc, nặng.
VI_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# a letter's weight is one character: letters of the alphabet from "A" on, any other letter itself (every
# non-ASCII letter sorts after z); "\x01" ends a syllable (before any letter: "Na" < "Nà" < "Nam"), the tone
# follows it; numbers are "\x02" + their length + their digits (before any letter, 2 before 10)
_VI_WEIGHT = {letter: chr(0x41 + i) for i, letter in enumerate(VI_ALPHABET)}
_VI_LETTER = {  # a letter with its Vietnamese modifier (breve, circumflex, horn) is its own letter
    ("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư"}
_VI_TOKEN = re.compile(r"\d+|[^\W\d_]+")  # runs of digits, runs of letters; the rest separates


@functools.lru_cache(maxsize=1 << 16)  # names repeat (communes, towers): a table of 20,000 rows sorts fast
def natural_key(text) -> str:
    """Sort key for names in Vietnamese order, shared by the report, the map, the exports and the desktop app.

    Letters in the Vietnamese alphabet a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; a
    syllable's tone orders it after the same syllable unmarked, in dictionary order (a, à, ả, ã, á, ạ, then ă),
    before a longer syllable ("Na" < "Nà" < "Nam"); case-insensitive; numbers compared as numbers ("số 2"
    before "số 10"), before letters; spaces and punctuation only separate words. Equal keys apart from that
    are ordered by the text itself, so the order never depends on the input's order.
    """
    text = nfc("" if text is None or (isinstance(text, float) and math.isnan(text)) else text)
    parts = []
    for token in _VI_TOKEN.findall(text.casefold()):
        if token[0].isdigit():
            digits = token.lstrip("0") or "0"
            parts.append("\x02" + chr(0x30 + min(len(digits), 0xFFFF)) + digits)
            continue
        # a run of letters, decomposed: each base letter with its marks (NFD puts them after it)
        tone, letters = 0, []
        for ch in unicodedata.normalize("NFD", token):
            if unicodedata.combining(ch):
                if ch in VI_TONES:
                    tone = max(tone, VI_TONES.index(ch) + 1)
                elif letters and (letters[-1], ch) in _VI_LETTER:
                    letters[-1] = _VI_LETTER[(letters[-1], ch)]
                continue  # other marks (foreign names: ç, ü, …) do not change the letter
            letters.append(ch)
        parts.append("".join(_VI_WEIGHT.get(ch, ch) for ch in letters) + "\x01" + chr(0x30 + tone))
    return "".join(parts) + "\x00" + text


def sort_names(frame, *columns: str, first=None):
    """``frame`` sorted by its text ``columns`` in :func:`natural_key` order (stable), after the column
    ``first`` as it is (e.g. a status rank) when given; columns it lacks are skipped."""
    by = [c for c in columns if c in frame]
    keys = {f"_sort{i}": frame[c].map(natural_key) for i, c in enumerate(by)}
    order = ([first] if first is not None else []) + list(keys)
    if not order:
        return frame
    return frame.assign(**keys).sort_values(order, kind="stable").drop(columns=list(keys))


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


# ----------------------------------------------------------------------------------------------------------
# messages of the core (warnings, reasons, descriptions) → Vietnamese
# ----------------------------------------------------------------------------------------------------------
# The analysis core writes its warnings (coverage_planner.inputs / terrain / landcover), the reasons why a
# station is unreachable (analysis.placement.ReachStats.reason, coverage_planner.pipeline) and the terrain
# source description (coverage_planner.terrain) in English. ``translate_message`` maps the known patterns to
# Vietnamese; anything else is returned unchanged (English), so a new core message never disappears.
#
# Template fields: ``{name}`` = the captured text as is (ids, file names, CRS); ``{name:n}`` = a number in the
# language's style (12345 → 12.345, 0.0049 → 0,0049); ``{name:d}`` = decimal comma only, no grouping (1800 MHz);
# ``{name:what}`` = an input kind ("towers" → "Trạm BTS"); ``{name:label}`` = an input as English messages name it
# ("Polling stations" → "Điểm bỏ phiếu"); ``{name:field}`` = a tower column; ``{name:kind}`` =
# a terrain file kind.

_NUM = r"-?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|nan|inf)"

_WHAT_VI = {
    "towers": "Trạm BTS", "stations": "Điểm bỏ phiếu", "communes": "Xã/phường", "terrain": "Địa hình",
    "scenario": "Kịch bản", "clutter": "Lớp phủ mặt đất", "border": "Biên giới", "roads": "Đường giao thông",
    "towns": "Thị trấn, khu dân cư", "candidates": "Vị trí ứng viên", "candidate sites": "Vị trí ứng viên",
    "lines": "Lớp đường", "points": "Lớp điểm", "clutter (land cover)": "Lớp phủ mặt đất",
}
#: Input columns (canonical names, coverage_planner.inputs) as the Vietnamese messages name them.
_FIELD_VI = {
    "frequency_mhz": "tần số (MHz)", "height_m": "độ cao anten (m)", "eirp_dbm": "EIRP (dBm)",
    "id": "mã", "name": "tên", "operator": "nhà mạng", "technology": "công nghệ", "status": "trạng thái",
    "tx_power_dbm": "công suất phát (dBm)", "antenna_gain_dbi": "độ lợi anten (dBi)", "losses_db": "suy hao (dB)",
    "azimuth_deg": "góc phương vị (°)", "beamwidth_deg": "độ rộng búp sóng (°)",
    "front_to_back_db": "tỉ số trước/sau (dB)", "vertical_beamwidth_deg": "độ rộng búp sóng dọc (°)",
    "mech_tilt_deg": "góc ngẩng cơ (°)", "elec_tilt_deg": "góc ngẩng điện (°)", "lon": "kinh độ", "lat": "vĩ độ",
    "x": "toạ độ X", "y": "toạ độ Y", "commune": "xã/phường", "voters": "số cử tri", "priority": "mức ưu tiên",
    "border": "xã biên giới", "remote": "xã vùng sâu, vùng xa",
}
#: Project settings (project.toml keys, the desktop app's Parameters panel) in the words an engineer uses, so
#: a Vietnamese message or parameter table never shows an identifier such as ``mast_height_m``.
PARAM_NAMES_VI = {
    "model": "mô hình truyền sóng", "k_factor": "hệ số bán kính Trái Đất k", "max_distance_m": "bán kính tính tối đa",
    "receiver_height_m": "độ cao máy thu", "receiver_gain_dbi": "độ lợi máy thu", "body_loss_db": "suy hao cơ thể",
    "indoor_loss_db": "suy hao trong nhà", "vegetation_db_per_km": "suy hao thực vật theo km",
    "vegetation_max_db": "suy hao thực vật tối đa", "vegetation_height_m": "chiều cao thảm thực vật",
    "hata_environment": "môi trường Hata", "default_technology": "công nghệ mặc định",
    "good_dbm": "ngưỡng tốt", "weak_dbm": "ngưỡng yếu",
    "border_distance_m": "khoảng cách xét xã biên giới", "remote_distance_m": "khoảng cách xét xã vùng sâu",
    "k": "số trạm k", "mast_height_m": "chiều cao cột anten", "eirp_dbm": "EIRP", "technology": "công nghệ",
    "frequency_mhz": "tần số", "border_weight": "trọng số xã biên giới", "remote_weight": "trọng số xã vùng sâu",
    "restore_weight": "trọng số điểm mất sóng do sự cố",
    "candidate_max_distance_m": "khoảng cách tối đa từ vị trí ứng viên tới đường", "max_slope_deg": "độ dốc tối đa",
    "candidate_spacing_m": "khoảng cách giữa các vị trí ứng viên", "backhaul_range_m": "cự ly truyền dẫn",
    "backhaul_frequency_mhz": "tần số truyền dẫn", "backhaul_mast_height_m": "chiều cao cột anten truyền dẫn",
    "coverage_radius_m": "bán kính tính phủ sóng của trạm lưu động",
    "solver_time_limit_s": "giới hạn thời gian giải", "resolution_m": "độ phân giải lưới",
    "radio": "vô tuyến", "communes": "xã/phường", "thresholds": "ngưỡng",  # the project file's sections
    "project": "thông tin dự án", "inputs": "dữ liệu đầu vào", "placement": "bố trí trạm lưu động",
    "scenario": "kịch bản sự cố",
}
_KIND_VI = {"raster": "raster", "rasters": "raster", "SRTM tile": "mảnh SRTM", "SRTM tiles": "mảnh SRTM",
            "ESRI ASCII grid": "lưới ESRI ASCII", "ESRI ASCII grids": "lưới ESRI ASCII"}

# pieces of the reasons why no candidate site reaches a station (analysis.placement.unreachable_reason)
_BUDGET = rf"the (?P<max>{_NUM}) dB the mobile station's link budget allows"
_REMEDY = r" \(raise mast_height_m or eirp_dbm\)"
_REMEDY_VI = " (tăng chiều cao cột anten hoặc EIRP của trạm lưu động)"
_EXACT_EN = (rf"terrain shadow: (?P<m>\d+) candidate sites? in range checked with the exact terrain profile; the "
             rf"best, (?P<site>.+?) \((?P<km>{_NUM}) km away\), has (?P<loss>{_NUM}) dB path loss, more than {_BUDGET}")
_EXACT_VI = ("bị địa hình che khuất: đã kiểm tra {m:n} vị trí ứng viên trong bán kính bằng mặt cắt địa hình chính "
             "xác; vị trí tốt nhất, {site} (cách {km:n} km), có suy hao đường truyền {loss:n} dB, vượt mức {max:n} dB "
             "mà quỹ đường truyền của trạm lưu động cho phép")
_FREE_EN = (rf"out of reach: (?P<m>\d+) candidate sites? in range checked with the exact terrain profile loses? more "
            rf"than {_BUDGET} in free space alone")
_FREE_VI = ("ngoài tầm phủ: đã kiểm tra {m:n} vị trí ứng viên trong bán kính bằng mặt cắt địa hình chính xác, chỉ "
            "riêng suy hao không gian tự do đã vượt mức {max:n} dB mà quỹ đường truyền của trạm lưu động cho phép")
_OTHERS_EN = rf"; the other (?P<u>\d+) in range, not checked exactly, have at least (?P<sloss>{_NUM}) dB by the quick estimate"
_OTHERS_VI = ("; {u:n} vị trí còn lại trong bán kính, chưa kiểm tra chính xác, có suy hao ít nhất {sloss:n} dB "
              "theo ước tính nhanh")

_MESSAGES_VI: list[tuple[re.Pattern[str], str]] = [(re.compile(rx), tpl) for rx, tpl in (
    # --- why a station cannot be reached (analysis.placement, coverage_planner.pipeline) ---------------------
    (rf"terrain shadow: the best of (?P<n>\d+) candidate sites in range has (?P<loss>{_NUM}) dB path loss, "
     rf"more than the (?P<max>{_NUM}) dB the mobile station's link budget allows \(raise mast_height_m or "
     r"eirp_dbm\)",
     "bị địa hình che khuất: vị trí tốt nhất trong {n:n} vị trí ứng viên trong bán kính có suy hao đường truyền "
     "{loss:n} dB, vượt mức {max:n} dB mà quỹ đường truyền của trạm lưu động cho phép (tăng chiều cao cột "
     "anten hoặc EIRP của trạm lưu động)"),
    # the same reasons (analysis.placement.unreachable_reason) naming how each candidate was judged: by the
    # quick estimate (the screen) only, by the exact terrain profile (best figure, site, distance), or both
    (rf"terrain shadow: the best of (?P<n>\d+) candidate sites? in range has (?P<loss>{_NUM}) dB path loss by the "
     rf"quick estimate \(not checked with the exact terrain profile\), more than {_BUDGET}{_REMEDY}",
     "bị địa hình che khuất: vị trí tốt nhất trong {n:n} vị trí ứng viên trong bán kính có suy hao đường truyền "
     "{loss:n} dB theo ước tính nhanh (chưa kiểm tra bằng mặt cắt địa hình chính xác), vượt mức {max:n} dB mà "
     "quỹ đường truyền của trạm lưu động cho phép" + _REMEDY_VI),
    (_EXACT_EN + _REMEDY, _EXACT_VI + _REMEDY_VI),
    (_EXACT_EN + _OTHERS_EN + _REMEDY, _EXACT_VI + _OTHERS_VI + _REMEDY_VI),
    (_FREE_EN + _REMEDY, _FREE_VI + _REMEDY_VI),
    (_FREE_EN + _OTHERS_EN + _REMEDY, _FREE_VI + _OTHERS_VI + _REMEDY_VI),
    (rf"outside every commune polygon, (?P<d>{_NUM}) km from the nearest \('(?P<c>.*)'\): check the station's "
     r"coordinates \(probably mistyped\); at the position given: (?P<r>.+)",
     "nằm ngoài mọi ranh giới xã, cách xã gần nhất ('{c}') {d:n} km: hãy kiểm tra toạ độ của điểm (có lẽ bị gõ "
     "sai); tại vị trí đã ghi: {r:msg}"),
    (r"these stations have priority weight 0: not planned for",
     "các điểm này có trọng số ưu tiên bằng 0: không được xét khi bố trí trạm lưu động"),
    (r"no candidate site within the computation radius \(site constraints — distance to a road or commune "
     r"centre, slope limit, valid terrain — leave none nearby\)",
     "không có vị trí ứng viên nào trong bán kính tính toán (các ràng buộc vị trí — khoảng cách tới đường hoặc "
     "trung tâm xã, giới hạn độ dốc, địa hình hợp lệ — loại hết các vị trí lân cận)"),
    (r"no candidate site passes the site constraints",
     "không có vị trí ứng viên nào đáp ứng các ràng buộc vị trí"),
    (r"no candidate site reaches these stations with a good level",
     "không có vị trí ứng viên nào phủ sóng tốt tới các điểm này"),
    (r"the candidate sites that seemed to reach it do not when checked with the exact terrain profile",
     "các vị trí ứng viên tưởng như phủ được điểm này nhưng không phủ được khi kiểm tra lại bằng mặt cắt địa "
     "hình chính xác"),
    (r"all (?P<n>\d+) stations that need better signal have priority 0: no mobile site is proposed; give them a "
     r"priority above 0 in the stations file to place sites",
     "cả {n:n} điểm cần cải thiện sóng đều có mức ưu tiên 0: không đề xuất trạm lưu động nào; hãy đặt mức ưu tiên "
     "lớn hơn 0 trong tệp điểm bỏ phiếu để bố trí trạm"),
    # --- failure scenario (coverage_planner.inputs.resolve_down) ------------------------------------------------
    (r"(?P<id>\S+) is planned, not on air: taking it down changes nothing",
     "{id} là trạm quy hoạch, chưa phát sóng: cho ngừng hoạt động không thay đổi gì"),
    (r"(?P<id>\S+) is already down in the towers file: taking it down changes nothing",
     "{id} đã ở trạng thái ngừng hoạt động trong tệp trạm: cho ngừng hoạt động không thay đổi gì"),
    # --- input warnings (coverage_planner.inputs) ---------------------------------------------------------------
    (r"radio: (?P<m>Okumura-Hata|COST-231-Hata) is valid for (?P<lo>\d+)–(?P<hi>\d+) MHz; (?P<n>\d+) tower\(s\) "
     r"transmit outside it \((?P<f>.+) MHz\): their levels are extrapolated; use model (?P<alt>\w+) for "
     r"(?P<alo>\d+)–(?P<ahi>\d+) MHz, or deygout",
     "Vô tuyến: mô hình {m} chỉ áp dụng cho {lo:d}–{hi:d} MHz; {n:n} trạm phát ngoài dải này ({f:d} MHz): mức "
     "thu của chúng là ngoại suy; hãy dùng mô hình {alt} cho {alo:d}–{ahi:d} MHz, hoặc deygout"),
    (r"radio: (?P<m>Okumura-Hata|COST-231-Hata) is valid for (?P<lo>\d+)–(?P<hi>\d+) MHz; (?P<n>\d+) tower\(s\) "
     r"transmit outside it \((?P<f>.+) MHz\): their levels are extrapolated; use model (?P<alt>\w+) below "
     r"(?P<alo>\d+) MHz, or deygout",
     "Vô tuyến: mô hình {m} chỉ áp dụng cho {lo:d}–{hi:d} MHz; {n:n} trạm phát ngoài dải này ({f:d} MHz): mức "
     "thu của chúng là ngoại suy; hãy dùng mô hình {alt} cho tần số dưới {alo:d} MHz, hoặc deygout"),
    (r"radio: COST-231-Hata has no rural \(open area\) form: hata_environment 'rural' uses the medium-city "
     r"formula, about 30 dB more loss than Okumura-Hata's open area at 1800 MHz",
     "Vô tuyến: COST-231-Hata không có dạng cho vùng nông thôn (địa hình trống): môi trường Hata 'nông thôn' (rural) dùng "
     "công thức thành phố vừa, suy hao lớn hơn khoảng 30 dB so với Okumura-Hata vùng trống ở 1800 MHz"),
    (r"towers: (?P<n>\d+) tower\(s\) with status down \(not used\): (?P<ids>.+)",
     "Trạm BTS: {n:n} trạm ở trạng thái ngừng hoạt động (không dùng trong tính toán): {ids}"),
    (r"towers: (?P<n>\d+) row\(s\) without technology: assumed (?P<tech>.+)",
     "Trạm BTS: {n:n} dòng không ghi công nghệ: coi là {tech}"),
    (r"towers: (?P<n>\d+) row\(s\) without (?P<fld>\w+): used default (?P<vals>.+)",
     "Trạm BTS: {n:n} dòng không có {fld:field}: dùng giá trị mặc định {vals:d}"),
    # a column the model uses is absent from the towers file: what every tower becomes
    (r"towers: (?P<file>.+?) has no technology column: every tower is taken as (?P<tech>\S+)",
     "Trạm BTS: {file} không có cột công nghệ: mọi trạm được coi là {tech}"),
    (r"towers: (?P<file>.+?) has no (?P<fld>\w+) column: every tower uses the default (?P<vals>.+)",
     "Trạm BTS: {file} không có cột {fld:field}: mọi trạm dùng giá trị mặc định {vals:d}"),
    (r"towers: (?P<file>.+?) has no operator column: every tower's operator is 'unknown'",
     "Trạm BTS: {file} không có cột nhà mạng: mọi trạm được ghi nhà mạng 'unknown' (không rõ)"),
    (r"towers: (?P<file>.+?) has no azimuth_deg column: every tower is treated as omnidirectional",
     "Trạm BTS: {file} không có cột góc phương vị: mọi trạm được coi là anten vô hướng"),
    (r"towers: (?P<file>.+?) has no status column: every tower is treated as on air",
     "Trạm BTS: {file} không có cột trạng thái: mọi trạm được coi là đang phát sóng"),
    (r"stations: (?P<n>\d+) row\(s\) without a name: the id is used as the name",
     "Điểm bỏ phiếu: {n:n} dòng không có tên: dùng mã điểm làm tên"),
    (r"stations: no voters column: every station counts 0 voters \(weights use priority only\)",
     "Điểm bỏ phiếu: không có cột số cử tri: mỗi điểm được tính 0 cử tri (trọng số chỉ theo mức ưu tiên)"),
    (r"stations: (?P<n>\d+) station\(s\) without a commune: taken from the commune polygons",
     "Điểm bỏ phiếu: {n:n} điểm không ghi xã: lấy theo ranh giới xã"),
    (r"stations: (?P<n>\d+) station\(s\) outside every commune polygon: (?P<ids>.+)",
     "Điểm bỏ phiếu: {n:n} điểm nằm ngoài mọi ranh giới xã: {ids:rows}"),
    # a station far from the commune of its row (inputs._stations_far_from_commune)
    (rf"stations: (?P<file>(?:\S.*? )?)row (?P<row>\d+), (?P<id>.+?) \(lon (?P<lon>{_NUM}), lat (?P<lat>{_NUM})\): "
     rf"the row says '(?P<w>[^']*)' but the point lies in '(?P<p>[^']*)', (?P<d>{_NUM}) km from '[^']*': the "
     r"coordinates are probably mistyped; it counts for '[^']*' as written \(its signal is computed at the point "
     r"given\): correct the coordinates \(or the commune\)",
     "Điểm bỏ phiếu: {file}dòng {row}, {id} (kinh độ {lon:d}, vĩ độ {lat:d}): dòng ghi xã '{w}' nhưng điểm nằm "
     "trong '{p}', cách '{w}' {d:n} km: toạ độ có lẽ bị gõ sai; điểm vẫn được tính cho '{w}' như đã ghi (mức sóng "
     "tính tại vị trí đã cho): hãy sửa toạ độ (hoặc tên xã)"),
    (rf"stations: (?P<file>(?:\S.*? )?)row (?P<row>\d+), (?P<id>.+?) \(lon (?P<lon>{_NUM}), lat (?P<lat>{_NUM})\): "
     rf"the row says '(?P<w>[^']*)' but the point lies outside every commune polygon, (?P<d>{_NUM}) km from "
     r"'[^']*': the coordinates are probably mistyped; it counts for '[^']*' as written \(its signal is computed "
     r"at the point given\): correct the coordinates \(or the commune\)",
     "Điểm bỏ phiếu: {file}dòng {row}, {id} (kinh độ {lon:d}, vĩ độ {lat:d}): dòng ghi xã '{w}' nhưng điểm nằm "
     "ngoài mọi ranh giới xã, cách '{w}' {d:n} km: toạ độ có lẽ bị gõ sai; điểm vẫn được tính cho '{w}' như đã "
     "ghi (mức sóng tính tại vị trí đã cho): hãy sửa toạ độ (hoặc tên xã)"),
    (rf"stations: (?P<file>(?:\S.*? )?)row (?P<row>\d+), (?P<id>.+?) \(lon (?P<lon>{_NUM}), lat (?P<lat>{_NUM})\): "
     rf"the point lies outside every commune polygon, (?P<d>{_NUM}) km from the nearest \('(?P<near>[^']*)'\): "
     r"the coordinates are probably mistyped; it counts for no commune: correct the coordinates",
     "Điểm bỏ phiếu: {file}dòng {row}, {id} (kinh độ {lon:d}, vĩ độ {lat:d}): điểm nằm ngoài mọi ranh giới xã, "
     "cách xã gần nhất ('{near}') {d:n} km: toạ độ có lẽ bị gõ sai; điểm không được tính cho xã nào: hãy sửa "
     "toạ độ"),
    (rf"stations: (?P<file>(?:\S.*? )?)(?P<n>\d+) more station\(s\) lie more than (?P<tol>{_NUM}) m outside the "
     r"commune written in their row, or every commune \((?P<rows>.+)\): check their coordinates",
     "Điểm bỏ phiếu: {file}thêm {n:n} điểm nằm ngoài xã ghi trong dòng (hoặc ngoài mọi xã) quá {tol:n} m "
     "({rows:rows}): hãy kiểm tra toạ độ"),
    (r"stations: (?P<n>\d+) station commune name\(s\) matched ignoring case, Unicode form and the prefix "
     r"Xã/Phường/Thị trấn/P\./X\./TT\.: (?P<list>.+)",
     "Điểm bỏ phiếu: {n:n} tên xã được khớp khi bỏ qua chữ hoa/thường, dạng Unicode và tiền tố "
     "Xã/Phường/Thị trấn/P./X./TT.: {list:rows}"),
    (r"stations: (?P<n>\d+) station commune name\(s\) matched ignoring case, prefix and accents \(the only "
     r"commune that matches\): (?P<list>.+)",
     "Điểm bỏ phiếu: {n:n} tên xã được khớp khi bỏ qua chữ hoa/thường, tiền tố và dấu (xã duy nhất khớp): "
     "{list:rows}"),
    (r"stations: (?P<n>\d+) station\(s\) name a commune not in the communes file: assigned to the commune "
     r"polygon they lie in: (?P<list>.+)\. To choose yourself, correct the commune names in the stations file",
     "Điểm bỏ phiếu: {n:n} điểm ghi tên xã không có trong tệp xã/phường: đã gán theo ranh giới xã chứa điểm: "
     "{list:rows}. Muốn tự chọn, hãy sửa tên xã trong tệp điểm bỏ phiếu"),
    (r"stations: commune name\(s\) not in the communes file \(and the station lies outside every commune "
     r"polygon, so it counts for no commune\): (?P<names>.+)",
     "Điểm bỏ phiếu: tên xã không có trong tệp xã/phường (và điểm nằm ngoài mọi ranh giới xã nên không thuộc "
     "xã nào): {names}"),
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) blank value\(s\) \((?P<rows>.+)\): "
     r"used 0 voters",
     "{what:what}: {file}, cột '{col}': {n:n} ô trống ({rows:rows}): tính 0 cử tri"),
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) blank value\(s\) \((?P<rows>.+)\): "
     r"used priority 1",
     "{what:what}: {file}, cột '{col}': {n:n} ô trống ({rows:rows}): dùng mức ưu tiên 1"),
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) blank value\(s\) \((?P<rows>.+)\): "
     r"used on_air \(on air\)",
     "{what:what}: {file}, cột '{col}': {n:n} ô trống ({rows:rows}): coi là đang phát sóng"),
    # an XLSX written by a script (never opened in Excel): its formulas have no saved value (coverage_planner.io)
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) formula cell\(s\) read as blank "
     r"\((?P<rows>.+)\): formula without a saved value; open and save the file in Excel",
     "{what:what}: {file}, cột '{col}': {n:n} ô có công thức nhưng chưa có giá trị đã lưu, được đọc là ô trống "
     "({rows:rows}): hãy mở tệp bằng Excel rồi lưu lại"),
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) value\(s\) in degrees, minutes and "
     r"seconds read as decimal degrees \(e\.g\. (?P<raw>.+) → (?P<v>-?\d+\.\d+)\)",
     "{what:what}: {file}, cột '{col}': {n:n} giá trị dạng độ-phút-giây đã được đổi sang độ thập phân (ví dụ "
     "{raw} → {v:d})"),
    # whole numbers with a thousands separator, section headings between the rows (coverage_planner.inputs._Rows)
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) value\(s\) written with '(?P<sep>[.,])' "
     r"as the thousands separator read as whole numbers \(e\.g\. (?P<raw>.+) → (?P<v>[+-]?\d+)\)",
     "{what:what}: {file}, cột '{col}': {n:n} giá trị viết với dấu '{sep}' phân cách hàng nghìn đã được đọc là số "
     "nguyên (ví dụ {raw} → {v})"),
    (r"(?P<what>[\w ]+): (?P<file>.+?), column '(?P<col>[^']*)': (?P<n>\d+) value\(s\) written with spaces as the "
     r"thousands separator read as whole numbers \(e\.g\. (?P<raw>.+) → (?P<v>[+-]?\d+)\)",
     "{what:what}: {file}, cột '{col}': {n:n} giá trị viết với dấu cách phân cách hàng nghìn đã được đọc là số "
     "nguyên (ví dụ {raw} → {v})"),
    (r"(?P<what>[\w ]+): (?P<file>.+?): (?P<n>\d+) row\(s\) look like section headings or totals \(text in the "
     r"first columns only, no id, no position\) and were not read as (?P<w2>[\w ]+) \((?P<rows>.+?)\): (?P<list>.+)",
     "{what:what}: {file}: {n:n} dòng có vẻ là dòng tiêu đề nhóm hoặc dòng tổng cộng (chỉ có chữ ở các cột đầu, "
     "không có mã, không có toạ độ) nên không được đọc là {w2:lc} ({rows:rows}): {list}"),
    # an XLSX as offices send it (coverage_planner.io): a cover sheet first, merged cells, hidden rows
    (r"(?P<what>[\w ]+): (?P<file>.+?): the first sheet '(?P<a>[^']*)' has no recognised header row; read the sheet "
     r"'(?P<b>[^']*)' \(set layer = \"(?P<c>[^\"]*)\" for this input in the project to choose a sheet yourself\)",
     "{what:what}: {file}: trang tính (sheet) đầu tiên '{a}' không có dòng tiêu đề nhận ra được; đã đọc trang tính "
     "'{b}' (khai báo layer = \"{c}\" cho dữ liệu này trong tệp dự án để tự chọn trang tính)"),
    (r"(?P<what>[\w ]+): (?P<file>.+?): (?P<n>\d+) cell range\(s\) merged over several rows \((?P<list>.+)\): each "
     r"row of a merge was given its value",
     "{what:what}: {file}: {n:n} vùng ô được gộp (merge) qua nhiều dòng ({list}): mỗi dòng của vùng gộp được lấy "
     "giá trị của vùng đó"),
    (r"(?P<what>[\w ]+): (?P<file>.+?): (?P<n>\d+) row\(s\) hidden in the spreadsheet were read like the others "
     r"\((?P<rows>.+)\); unhide them in Excel to check them, and delete any that does not belong",
     "{what:what}: {file}: {n:n} dòng bị ẩn trong bảng tính vẫn được đọc như các dòng khác ({rows:rows}); hãy bỏ ẩn "
     "(Unhide) trong Excel để kiểm tra, và xoá dòng nào không thuộc danh sách"),
    (r"(?P<what>[\w ]+): (?P<file>.+?) is not UTF-8; read as Windows-(?P<cp>\d+) \((?P<lang>\w+)\)\. Check that "
     r"names with accents look right, or save the file as CSV UTF-8 \(Excel: File > Save As > CSV UTF-8\) so "
     r"nothing has to be guessed",
     "{what:what}: {file} không phải UTF-8; đã đọc theo bảng mã Windows-{cp}. Hãy kiểm tra tên có dấu hiển thị "
     "đúng, hoặc lưu tệp dạng CSV UTF-8 (Excel: File > Save As > CSV UTF-8) để khỏi phải đoán bảng mã"),
    (r"(?P<what>[\w ]+): (?P<file>.+?): column '(?P<col>[^']*)' appears twice \(columns (?P<a>\d+) and "
     r"(?P<b>\d+)\); using the first",
     "{what:what}: {file}: cột '{col}' xuất hiện hai lần (cột {a} và {b}); dùng cột thứ nhất"),
    (r"communes: (?P<n>\d+) invalid polygon\(s\) repaired \(make_valid\)",
     "Xã/phường: đã tự động sửa {n:n} đa giác không hợp lệ"),
    (r"communes: no border column and no border layer: no commune is marked as border",
     "Xã/phường: không có cột biên giới và không có lớp đường biên giới: không xã nào được coi là xã biên giới"),
    (r"communes: no roads layer: remote derived from (?P<t>\d+) town\(s\) only \((?P<r>\d+) of (?P<n>\d+) "
     r"communes remote\); give a roads file or a remote column in the communes file",
     "Xã/phường: không có lớp đường giao thông: xã vùng sâu, vùng xa chỉ xác định theo {t:n} thị trấn, khu dân cư "
     "({r:n}/{n:n} xã là vùng sâu, vùng xa); hãy cung cấp tệp đường giao thông hoặc cột vùng sâu trong tệp xã"),
    (r"communes: no remote column and no roads/towns layer: no commune is marked as remote",
     "Xã/phường: không có cột vùng sâu, vùng xa và không có lớp đường giao thông/khu dân cư: không xã nào được "
     "coi là xã vùng sâu, vùng xa"),
    (r"(?P<what>[\w ]+): column\(s\) not recognised and ignored in (?P<file>.+?): (?P<cols>.+) "
     r"\(see docs/INPUTS\.md for accepted names\)",
     "{what:what}: cột không nhận dạng được, đã bỏ qua trong {file}: {cols} (tên cột hợp lệ: xem docs/INPUTS.md)"),
    (r"(?P<what>[\w ]+): (?P<n>\d+) polygon\(s\): their outlines are used as lines",
     "{what:what}: {n:n} đa giác: dùng đường bao của chúng làm đường"),
    (r"(?P<file>.+?): columns (?P<cols>.+) all mean '(?P<fld>[^']*)'; using '(?P<first>.*)'",
     "{file}: các cột {cols} cùng mang nghĩa '{fld:field}'; dùng cột '{first}'"),
    # --- terrain and land cover (coverage_planner.terrain, coverage_planner.landcover) --------------------------
    (r"terrain: (?P<n>\d+) void cell\(s\) filled by interpolation \((?P<pct>" + _NUM + r")%\)",
     "Địa hình: {n:n} ô thiếu dữ liệu độ cao đã được nội suy ({pct:n} %)"),
    (rf"terrain: (?P<n>\d+) source cells with heights outside (?P<lo>{_NUM})…(?P<hi>{_NUM}) m treated as voids "
     r"\(undeclared nodata\?\)",
     "Địa hình: {n:n} ô nguồn có độ cao ngoài khoảng {lo:n}…{hi:n} m được coi là ô thiếu dữ liệu (giá trị "
     "nodata chưa khai báo?)"),
    (r"terrain: the (?P<n>\d+) tiles leave a gap that no tile covers \((?P<pct>" + _NUM + r")% of the area they "
     r"span: a tile missing\?\); points there are reported as outside the terrain",
     "Địa hình: {n:n} mảnh DEM để hở một vùng không mảnh nào phủ ({pct:n} % diện tích các mảnh trải ra: thiếu một "
     "mảnh?); các điểm ở đó được báo là nằm ngoài vùng địa hình"),
    (r"terrain: (?P<n>\d+) cell\(s\) at the edge of the analysis grid are not covered by the DEM \(heights "
     r"extrapolated; points there are reported as outside the terrain\)",
     "Địa hình: {n:n} ô ở rìa lưới phân tích nằm ngoài DEM (độ cao được ngoại suy; các điểm ở đó được báo là "
     "nằm ngoài vùng địa hình)"),
    (r"clutter: (?P<n>\d+) analysis cell\(s\) have no land-cover data and use the constant \[radio\] "
     r"vegetation values",
     "Lớp phủ mặt đất: {n:n} ô lưới không có dữ liệu lớp phủ, dùng giá trị suy hao thực vật cố định trong [radio]"),
    (rf"(?P<n>\d+) (?P<kind>raster|SRTM tile|ESRI ASCII grid)s? \((?P<names>.*)\), (?P<crs>.+), "
     rf"cell (?P<a>{_NUM})×(?P<b>{_NUM})(?P<u>°| .+)?",
     "{n:n} {kind:kind} ({names}), {crs}, ô lưới {a:n} × {b:n}{u}"),
    # --- parameter values (coverage_planner.pipeline._parameters) ------------------------------------------
    (rf"good ≥ (?P<g>{_NUM}) dBm, weak ≥ (?P<w>{_NUM}) dBm", "tốt ≥ {g:n} dBm, yếu ≥ {w:n} dBm"),
    (rf"k=(?P<k>\d+), mast (?P<h>{_NUM}) m, EIRP (?P<e>{_NUM}) dBm, (?P<tech>\S+) (?P<f>{_NUM}) MHz",
     "k = {k}, cột anten {h:n} m, EIRP {e:n} dBm, {tech} {f:d} MHz"),
    (r"land cover (?P<src>.+): (?P<veg>\d+) of (?P<total>\d+) cells with vegetation loss",
     "lớp phủ mặt đất {src}: {veg:n}/{total:n} ô có suy hao do thực vật"),
    (rf"(?P<a>{_NUM}) dB/km, cap (?P<b>{_NUM}) dB, canopy (?P<c>{_NUM}) m",
     "{a:n} dB/km, tối đa {b:n} dB, tán cây cao {c:n} m"),
)]

# --- input errors (coverage_planner.inputs, io, project): messages, the row problems they list, hints -----------
# Matched on an InputError's parts (error_text takes the file, row and field apart), not on its whole text: a row
# problem's "row 12, column 'Mã trạm' (id): " is translated by error_text, its message here. Template kinds beyond
# the ones above: ``{what:file}`` = "the towers file" ("tệp trạm BTS"), ``{what:lc}`` = an input kind in running
# text ("trạm BTS"), ``{list:whats}`` / ``{list:fields}`` = comma lists of input kinds / columns, ``{m:msg}`` = a
# nested message, translated in turn. tests/coverage_planner/test_error_i18n.py makes the code produce a message
# for every pattern (a pattern the code no longer produces fails there).
#: An input kind as the loaders name it ("towers", "clutter (land cover)"), for ``{what:…}``.
_WHAT = r"(?P<what>clutter \(land cover\)|[\w ]+)"
#: A raster whose CRS says degrees but whose extent is metres (terrain.check_raster_crs_fits).
_RASTER_DEGREES = (rf"the {_WHAT} raster says it is in (?P<label>.+?) \(degrees\) but its extent \(x (?P<w>\S+) … "
                   r"(?P<e>\S+), y (?P<s>\S+) … (?P<n>\S+)\) is impossible in degrees \(longitude within ±180, "
                   r"latitude within ±90\): the coordinates look like metres and the CRS label is wrong")
_RASTER_DEGREES_VI = ("raster {what:lc} ghi hệ toạ độ {label} (đơn vị độ) nhưng phạm vi của nó (x {w:d} … {e:d}, y "
                      "{s:d} … {n:d}) không thể tính bằng độ (kinh độ trong khoảng ±180, vĩ độ trong khoảng ±90): "
                      "toạ độ có vẻ tính bằng mét và hệ toạ độ ghi trong tệp bị sai")
_QGIS_ASSIGN = r"or QGIS: Layer Properties > Source > Assigned CRS, then Export > Save Features As…"
_QGIS_ASSIGN_VI = "hoặc trong QGIS: Layer Properties > Source > Assigned CRS, rồi Export > Save Features As…"
#: The CRS a file's coordinates are probably in (inputs._check_coordinates_fit_crs), for ``{real:crsreal}``.
_REAL_CRS = (r"(?P<real>a projected CRS in metres \(VN-2000 e\.g\. EPSG:3405, or UTM e\.g\. \S+\)|WGS 84 "
             r"longitude/latitude)")
_REAL_CRS_VI = [(re.compile(rx), tpl) for rx, tpl in (
    (r"a projected CRS in metres \(VN-2000 e\.g\. EPSG:3405, or UTM e\.g\. (?P<ex>\S+)\)",
     "một hệ toạ độ phẳng đơn vị mét (VN-2000, ví dụ EPSG:3405, hoặc UTM, ví dụ {ex})"),
    (r"WGS 84 longitude/latitude", "kinh độ/vĩ độ WGS 84"),
)]
#: Where a vector file's CRS came from, at the start of inputs._check_coordinates_fit_crs's message
#: (``{src:crssrc}``). A Shapefile without .prj has no CRS at all (GDAL assumes none), so it is not here.
_CRS_SOURCE_VI = [(re.compile(rx), tpl) for rx, tpl in (
    (r"the project declares (?P<c>.+) for it", "tệp dự án khai báo cho tệp này hệ toạ độ {c}"),
    (r'the file has no "crs" member, so as GeoJSON it is read as (?P<c>.+)',
     'tệp không có mục "crs" nên theo chuẩn GeoJSON được đọc theo hệ toạ độ {c}'),
    (r"the file says (?P<c>.+)", "tệp ghi hệ toạ độ {c}"),
)]
#: The commonest messages of Python's TOML reader (tomllib) on a hand-edited project file, for ``{exc:toml}``;
#: one not listed here is quoted in English, as written.
_TOML_VI = [(re.compile(rx), tpl) for rx, tpl in (
    (r"Invalid value", "giá trị không hợp lệ (văn bản phải đặt trong dấu ngoặc kép)"),
    (r"Unterminated string", "thiếu dấu ngoặc kép đóng"),
    (r"Illegal character '\\n'", "xuống dòng giữa văn bản (thiếu dấu ngoặc kép đóng)"),
    (r"Cannot overwrite a value", "khoá được ghi hai lần"),
    (r"Cannot declare \((?P<k>.+?),?\) twice", "mục {k} được khai báo hai lần"),  # k: a tuple's repr
    (r"Expected '=' after a key in a key/value pair", "thiếu dấu '=' sau khoá"),
    (r"Expected newline or end of document after a statement", "sau một giá trị phải xuống dòng"),
    (r"Expected '\]' at the end of a table declaration", "thiếu dấu ']' đóng tên mục"),
)]
#: Python type names in "must be a table, got int" (``{t:pytype}``).
_PYTYPE_VI = {"int": "số nguyên", "float": "số thực", "str": "văn bản", "list": "danh sách", "bool": "giá trị đúng/sai",
              "datetime": "ngày giờ", "date": "ngày", "time": "giờ"}
_INPUT_KEYS = "towers|stations|communes|terrain|border|roads|towns|candidates|clutter"  # project.INPUT_KEYS
#: the inputs as English messages name them ("Polling stations", project.INPUT_LABELS) → their key
_LABEL_KEYS = {label: key for key, label in INPUT_LABELS.items()}
_INPUT_LABELS = "|".join(re.escape(label) for label in _LABEL_KEYS)
#: The fix of metre coordinates under longitude/latitude headers (coverage_planner.inputs._metres_in_lonlat).
_METRES_FIX = (r"Rename the headers '(?P<c1>[^']*)' and '(?P<c2>[^']*)' to x and y \(easting, northing\) and declare "
               r"their CRS in the project: (?P<decl>.+)")
_METRES_FIX_VI = ("Hãy đổi tên hai tiêu đề cột '{c1}' và '{c2}' thành x và y (toạ độ hướng đông, toạ độ hướng bắc) và "
                  "khai báo hệ toạ độ của chúng trong tệp dự án: {decl}")
_ERRORS_VI: list[tuple[re.Pattern[str], str]] = [(re.compile(rx, re.S), tpl) for rx, tpl in (
    # the project file's first problem with the count of the others (first: its message would swallow the rest)
    (r"(?P<first>.+) — and (?P<n>\d+) more problem\(s\) in the project file:",
     "{first:msg} — và {n:n} lỗi khác trong tệp dự án:"),
    # --- the row problems of a table (coverage_planner.inputs._Rows and the loaders) ------------------------------
    (r"'(?P<v>.*)' is ambiguous \(thousands separator or decimal mark\?\): write (?P<d>[+-]?\d+) without a "
     r"thousands separator",
     "'{v}' không rõ nghĩa (dấu phân cách hàng nghìn hay dấu thập phân?): hãy ghi {d} không có dấu phân cách "
     "hàng nghìn"),
    (rf"'(?P<v>.*)' is ambiguous \(thousands separator or decimal mark\?\): write (?P<d>[+-]?\d+) without a "
     rf"thousands separator, or (?P<x>{_NUM}) if a decimal was meant",
     "'{v}' không rõ nghĩa (dấu phân cách hàng nghìn hay dấu thập phân?): hãy ghi {d} không có dấu phân cách "
     "hàng nghìn, hoặc {x:d} nếu là số thập phân"),
    (r"'(?P<v>.*)' is ambiguous \(thousands separator or decimal mark\?\): write (?P<d>[+-]?\d+) without a "
     r"thousands separator \(the column also has '(?P<o>.*)' in row (?P<r>\d+)\)",
     "'{v}' không rõ nghĩa (dấu phân cách hàng nghìn hay dấu thập phân?): hãy ghi {d} không có dấu phân cách "
     "hàng nghìn (cột này còn có '{o}' ở dòng {r})"),
    (r"column '(?P<col>[^']*)'(?: \((?P<fld>\w+)\))?: (?P<n>\d+) value\(s\) grouped by thousands like '(?P<v>.*)' "
     r"\(row (?P<r>\d+)\) were not read, since the column also has (?P<list>.+): correct (?:these|it), and the "
     r"column is read as whole numbers",
     "cột '{col}': {n:n} giá trị viết có dấu phân cách hàng nghìn như '{v}' (dòng {r}) chưa được đọc, vì cột này "
     "còn có {list:rows}: hãy sửa (các) giá trị đó, khi đó cả cột sẽ được đọc là số nguyên"),
    (r"'(?P<v>.*)' is not a number", "'{v}' không phải là số"),
    (r"'(?P<v>.*)' must be a whole number", "'{v}' phải là số nguyên"),
    (rf"(?P<v>.+) is out of range \(allowed (?P<lo>{_NUM}) to (?P<hi>{_NUM})\)",
     "{v} nằm ngoài khoảng cho phép ({lo:d} đến {hi:d})"),
    (r"empty id \(the row reads: '(?P<t>.*)'\)", "mã trống (dòng này ghi: '{t}')"),
    (r"empty id \(the row reads: '(?P<t>.*)'; it looks like a total or footer line: delete it\)",
     "mã trống (dòng này ghi: '{t}'; có vẻ là dòng tổng cộng hoặc chân trang: hãy xoá dòng này)"),
    (r"duplicate id '(?P<v>.*)' \(also in row (?P<r>\d+)\)", "mã '{v}' bị trùng (đã có ở dòng {r})"),
    # a CSV row with more or fewer values than the header (a decimal comma, a separator in a text, a value
    # deleted), a heading typed in the id column (coverage_planner.inputs._Rows: one problem for the whole row)
    (r"(?P<n>\d+) values, the header has (?P<h>\d+): a decimal comma in a number\? '(?P<v>[^']*)' under "
     r"'(?P<c>[^']*)' was read as two values: write (?P<w>\S+), or put the value in quotes \(\"(?P<q>.*)\"\), or "
     r"save the file with ';' as the separator",
     "{n:n} giá trị trong khi dòng tiêu đề có {h:n} cột: có số viết với dấu phẩy thập phân? '{v}' ở cột '{c}' đã "
     "bị đọc thành hai giá trị: hãy ghi {w}, hoặc đặt giá trị trong dấu ngoặc kép (\"{q}\"), hoặc lưu tệp với "
     "dấu ';' làm dấu phân cách"),
    (r"(?P<n>\d+) values, the header has (?P<h>\d+): a decimal comma in a number\? '(?P<v>[^']*)' under "
     r"'(?P<c>[^']*)' was read as two values \((?P<m>\d+) more such values? in the row\): write (?P<w>\S+), or put "
     r"the value in quotes \(\"(?P<q>.*)\"\), or save the file with ';' as the separator",
     "{n:n} giá trị trong khi dòng tiêu đề có {h:n} cột: có số viết với dấu phẩy thập phân? '{v}' ở cột '{c}' đã "
     "bị đọc thành hai giá trị (dòng này còn {m:n} giá trị như vậy): hãy ghi {w}, hoặc đặt giá trị trong dấu ngoặc "
     "kép (\"{q}\"), hoặc lưu tệp với dấu ';' làm dấu phân cách"),
    (r"(?P<n>\d+) values, the header has (?P<h>\d+): a '(?P<s>[^']*)' inside a value\? '(?P<v>.*)' under "
     r"'(?P<c>[^']*)' was read as two values: put the value in quotes \(\"(?P<q>.*)\"\), or leave the "
     r"'(?P<s2>[^']*)' out of it",
     "{n:n} giá trị trong khi dòng tiêu đề có {h:n} cột: có dấu '{s}' nằm trong một giá trị? '{v}' ở cột '{c}' "
     "đã bị đọc thành hai giá trị: hãy đặt giá trị đó trong dấu ngoặc kép (\"{q}\"), hoặc bỏ dấu '{s2}' khỏi nó"),
    (r"(?P<n>\d+) values, the header has (?P<h>\d+): a '(?P<s>[^']*)' inside a value\? '(?P<v>.*)' under "
     r"'(?P<c>[^']*)' was read as two values \((?P<m>\d+) more such values? in the row\): put the value in quotes "
     r"\(\"(?P<q>.*)\"\), or leave the '(?P<s2>[^']*)' out of it",
     "{n:n} giá trị trong khi dòng tiêu đề có {h:n} cột: có dấu '{s}' nằm trong một giá trị? '{v}' ở cột '{c}' "
     "đã bị đọc thành hai giá trị (dòng này còn {m:n} giá trị như vậy): hãy đặt giá trị đó trong dấu ngoặc kép "
     "(\"{q}\"), hoặc bỏ dấu '{s2}' khỏi nó"),
    (r"(?P<n>\d+) values, the header has (?P<h>\d+), and they do not fit their columns: a value deleted with its "
     r"separator\? With an empty value under '(?P<c>[^']*)' the row fits: write every value under its column, "
     r"leaving an empty cell for one you do not have",
     "{n:n} giá trị trong khi dòng tiêu đề có {h:n} cột, và các giá trị không khớp với cột của chúng: có một giá "
     "trị bị xoá cùng dấu phân cách của nó? Thêm một ô trống ở cột '{c}' thì dòng này khớp: hãy ghi mỗi giá trị "
     "dưới đúng cột của nó, để trống ô nào không có giá trị"),
    (r"'(?P<t>.*)' is all the row holds: a section heading typed in the id column\? Delete the row, or move the "
     r"text to the column '(?P<c>[^']*)' \(a row with text only there is left out as a heading\); if it is one of "
     r"the (?P<what>[\w ]+), fill in its position",
     "dòng này chỉ có '{t}': có phải là tiêu đề nhóm được gõ vào cột mã? Hãy xoá dòng này, hoặc chuyển chữ đó sang "
     "cột '{c}' (dòng chỉ có chữ ở cột đó được bỏ qua như một tiêu đề nhóm); nếu đó đúng là {what:lc}, hãy điền vị "
     "trí của nó"),
    (r"'(?P<t>.*)' is all the row holds: a section heading typed in the id column\? Delete the row; if it is one "
     r"of the (?P<what>[\w ]+), fill in its position",
     "dòng này chỉ có '{t}': có phải là tiêu đề nhóm được gõ vào cột mã? Hãy xoá dòng này; nếu đó đúng là "
     "{what:lc}, hãy điền vị trí của nó"),
    (r"feature has no geometry", "đối tượng không có hình học"),
    (r"geometry is a (?P<g>\w+), expected a Point", "hình học là {g}, cần là điểm (Point)"),
    (r"geometry is a (?P<g>\w+), expected a Polygon or MultiPolygon",
     "hình học là {g}, cần là vùng (Polygon hoặc MultiPolygon)"),
    (r"geometry is a (?P<g>\w+), expected lines", "hình học là {g}, cần là đường (LineString)"),
    (r"empty coordinate", "toạ độ trống"),
    (rf"the longitude and latitude columns look swapped \((?:all (?P<n>\d+) rows|(?P<m>\d+) of (?P<t>\d+) rows)\): "
     rf"'(?P<a>[^']*)' holds (?P<a1>{_NUM}) … (?P<a2>{_NUM}) and '(?P<b>[^']*)' holds (?P<b1>{_NUM}) … (?P<b2>{_NUM}); "
     r"swap the headers '(?P<c>[^']*)' and '(?P<d>[^']*)'",
     "hai cột kinh độ và vĩ độ có vẻ bị đổi chỗ: cột '{a}' chứa {a1:d} … {a2:d}, cột '{b}' chứa {b1:d} … {b2:d}; "
     "hãy đổi tên hai tiêu đề cột '{c}' và '{d}' cho nhau"),
    (r"the longitude and latitude columns hold metres, not degrees \((?:all \d+ rows|\d+ of \d+ rows)\): "
     r"'(?P<a>[^']*)' holds (?P<a1>-?\d+) … (?P<a2>-?\d+) and '(?P<b>[^']*)' holds (?P<b1>-?\d+) … (?P<b2>-?\d+); "
     r"read as (?P<c>\S+) \((?P<cn>.+?)\) they fall on the terrain\. " + _METRES_FIX,
     "hai cột kinh độ và vĩ độ chứa toạ độ tính bằng mét, không phải độ: cột '{a}' chứa {a1} … {a2}, cột '{b}' "
     "chứa {b1} … {b2}; đọc theo hệ toạ độ {c} ({cn}) thì các điểm nằm trên vùng địa hình. " + _METRES_FIX_VI),
    (r"the longitude and latitude columns hold metres, not degrees \((?:all \d+ rows|\d+ of \d+ rows)\): "
     r"'(?P<a>[^']*)' holds (?P<a1>-?\d+) … (?P<a2>-?\d+) and '(?P<b>[^']*)' holds (?P<b1>-?\d+) … (?P<b2>-?\d+)\. "
     + _METRES_FIX,
     "hai cột kinh độ và vĩ độ chứa toạ độ tính bằng mét, không phải độ: cột '{a}' chứa {a1} … {a2}, cột '{b}' "
     "chứa {b1} … {b2}. " + _METRES_FIX_VI),
    (r"the x and y columns look exchanged \((?:all \d+ rows|\d+ of \d+ rows)\): '(?P<a>[^']*)' holds (?P<a1>-?\d+) … "
     r"(?P<a2>-?\d+) and '(?P<b>[^']*)' holds (?P<b1>-?\d+) … (?P<b2>-?\d+), which fall on the terrain read the "
     r"other way round \(x is the easting, y the northing; Vietnamese survey tables often write X for the "
     r"northing\): swap the headers '(?P<c>[^']*)' and '(?P<d>[^']*)'",
     "hai cột x và y có vẻ bị đổi chỗ: cột '{a}' chứa {a1} … {a2}, cột '{b}' chứa {b1} … {b2}; đọc ngược lại thì "
     "các điểm nằm trên vùng địa hình (ở đây x là toạ độ hướng đông, y là toạ độ hướng bắc; bảng toạ độ trắc địa "
     "Việt Nam thường ghi X là toạ độ hướng bắc): hãy đổi tên hai tiêu đề cột '{c}' và '{d}' cho nhau"),
    (rf"x=(?P<x>{_NUM}), y=(?P<y>{_NUM}) is not a valid position in (?P<crs>.+)",
     "x={x:d}, y={y:d} không phải vị trí hợp lệ trong hệ toạ độ {crs}"),
    (r"empty longitude", "kinh độ trống"),
    (r"empty latitude", "vĩ độ trống"),
    (rf"longitude (?P<lo>{_NUM}) / latitude (?P<la>{_NUM}) looks swapped \(as lon (?P<lo2>{_NUM}), lat "
     rf"(?P<la2>{_NUM}) it fits\); exchange the '(?P<a>[^']*)' and '(?P<b>[^']*)' values",
     "kinh độ {lo:d} / vĩ độ {la:d} có vẻ bị đổi chỗ (kinh độ {lo2:d}, vĩ độ {la2:d} mới nằm trong vùng); hãy "
     "đổi giá trị hai cột '{a}' và '{b}' cho nhau"),
    (rf"latitude (?P<v>{_NUM}) is out of range \(−90 to 90\)", "vĩ độ {v:d} nằm ngoài khoảng −90 đến 90"),
    (rf"longitude (?P<v>{_NUM}) is out of range \(−180 to 180\); if these are projected x/y, name the columns x "
     r"and y and declare the CRS",
     "kinh độ {v:d} nằm ngoài khoảng −180 đến 180; nếu đây là toạ độ phẳng x/y, hãy đặt tên cột là x và y và "
     "khai báo hệ toạ độ (CRS)"),
    (r"'(?P<v>.*)' is not a known technology \(use 2G/GSM, 3G/UMTS/WCDMA or 4G/LTE\)",
     "'{v}' không phải công nghệ đã biết (dùng 2G/GSM, 3G/UMTS/WCDMA hoặc 4G/LTE)"),
    (r"'(?P<v>.*)' is not a known status \(on air: on_air, Đang phát sóng, Hoạt động; planned: planned, Quy hoạch, "
     r"Dự kiến; down: down, Ngừng hoạt động, Mất sóng, Sự cố — any case, with or without accents\)",
     "'{v}' không phải trạng thái đã biết (đang phát sóng: on_air, Đang phát sóng, Hoạt động; quy hoạch: planned, "
     "Quy hoạch, Dự kiến; ngừng hoạt động: down, Ngừng hoạt động, Mất sóng, Sự cố — chữ hoa hay thường, có dấu hay "
     "không dấu đều được)"),
    (rf"EIRP from Tx power \+ gain − losses = (?P<e>{_NUM}) dBm is out of range \((?P<lo>{_NUM}) to "
     rf"(?P<hi>{_NUM})\)",
     "EIRP tính từ công suất phát + độ lợi − suy hao = {e:d} dBm nằm ngoài khoảng {lo:d} đến {hi:d}"),
    (r"'(?P<v>.*)' is not yes/no \(use 1/0, true/false, có/không\)",
     "'{v}' không phải có/không (dùng 1/0, true/false, có/không)"),
    (r"empty commune name", "tên xã trống"),
    (r"commune name '(?P<nm>.*)' is used twice \(features (?P<a>\d+) and (?P<b>\d+)\); names must be unique "
     r"within the communes file: rename one \(e\.g\. add the district\) or merge the two polygons",
     "tên xã '{nm}' bị dùng hai lần (đối tượng {a} và {b}); tên xã trong tệp xã/phường phải khác nhau: hãy đổi "
     "tên một xã (ví dụ thêm tên huyện) hoặc gộp hai vùng"),
    (rf"id '(?P<id>.*)' at lon (?P<lo>{_NUM}), lat (?P<la>{_NUM})", "mã '{id}' tại kinh độ {lo:d}, vĩ độ {la:d}"),
    # --- the project file itself (coverage_planner.project: load_project, project_from_dict, save_project) ------
    # before "… file not found" below, which would read "project" as an input kind
    (r"project file not found", "không tìm thấy tệp dự án"),
    (r"create one with `coverage-planner init`", "tạo tệp dự án bằng lệnh `coverage-planner init`"),
    (r"the project file is UTF-16 text", "tệp dự án được lưu dạng văn bản UTF-16"),
    (r"save the project file as UTF-8", "lưu lại tệp dự án với bảng mã UTF-8"),
    (r"not UTF-8 text \(byte (?P<b>\d+)\)", "tệp dự án không phải văn bản UTF-8 (lỗi tại byte {b})"),
    (r"not valid TOML: (?P<exc>.+) \(at line (?P<l>\d+), column (?P<c>\d+)\)",
     "tệp dự án sai cú pháp TOML ở dòng {l}, cột {c}: {exc:toml}"),
    (r"not valid TOML: (?P<exc>.+) \(at end of document\)", "tệp dự án sai cú pháp TOML ở cuối tệp: {exc:toml}"),
    (r"check quotes around text and '=' between key and value",
     "kiểm tra dấu ngoặc kép quanh văn bản và dấu '=' giữa khoá và giá trị"),
    (r"the project has no file yet", "dự án chưa được lưu vào tệp nào"),
    (r"give a path to save it to", "hãy chọn nơi lưu tệp dự án"),
    (r"unknown input '(?P<k>[^']*)'", "không có loại dữ liệu đầu vào '{k}'"),
    (r"\[(?P<sec>[^\]]+)\] must be a table, got (?P<t>\w+)", "[{sec}] phải là một mục (bảng), không phải {t:pytype}"),
    (r"write it as \[(?P<sec>[^\]]+)\] key = value", "ghi thành mục [{sec}] với các dòng khoá = giá trị bên dưới"),
    (r"unknown key '(?P<k>.*)' in section \[top level\]",
     "mục (hoặc khoá) '{k}' không có ở cấp ngoài cùng của tệp dự án"),
    (r"must be finite, got (?P<v>.+)", "phải là số hữu hạn, không phải {v}"),
    (r"must be a text in quotes, got (?P<v>.+)", "phải là văn bản đặt trong dấu ngoặc kép, không phải {v}"),
    (r"path is empty", "đường dẫn trống"),
    (r"remove the key or give a file", "bỏ khoá này hoặc ghi đường dẫn tới một tệp"),
    (r"missing 'path'", "thiếu khoá 'path' (đường dẫn tệp)"),
    (r"must be a path in quotes, got (?P<v>.+)", "phải là đường dẫn đặt trong dấu ngoặc kép, không phải {v}"),
    (r"write (?P<ex>\w+ = .+)", "ghi {ex}"),  # the line to type: 'towers = "file.csv"', 'down = [...]'
    (r"terrain list is empty", "danh sách tệp địa hình (DEM) trống"),
    (r"give at least one DEM file", "khai báo ít nhất một tệp DEM"),
    (rf"weak_dbm \((?P<w>{_NUM})\) must be below good_dbm \((?P<g>{_NUM})\)",
     "ngưỡng yếu weak_dbm ({w:d} dBm) phải thấp hơn ngưỡng tốt good_dbm ({g:d} dBm)"),
    (r"a weak signal is a lower level than a good one, e\.g\. (?P<ex>.+)",
     "tín hiệu yếu là mức thấp hơn tín hiệu tốt, ví dụ {ex}"),
    (r"must be a list of tower ids, got (?P<v>.+)", "phải là danh sách mã trạm, không phải {v}"),
    (r"land-cover class code must be a whole number 0–65535, got '(?P<k>.*)'",
     "mã lớp phủ mặt đất phải là số nguyên từ 0 đến 65535, không phải '{k}'"),
    (r'write the raster\'s class code in quotes, e\.g\. "10" = \{ \.\.\. \}',
     'ghi mã lớp của raster trong dấu ngoặc kép, ví dụ "10" = { ... }'),
    (r"\[clutter\.classes\] is empty", "mục [clutter.classes] trống"),
    (r"list the land-cover classes of the raster, or remove the table to use ESA WorldCover's",
     "liệt kê các lớp phủ mặt đất của raster, hoặc bỏ mục này để dùng bảng lớp của ESA WorldCover"),
    # --- a file's or the project's error --------------------------------------------------------------------------
    (r"(?P<n>\d+) problems? in the (?P<what>[\w ]+) file", "{n:n} lỗi trong {what:file}"),
    (r"(?P<n>\d+) input files have problems", "{n:n} tệp dữ liệu đầu vào có lỗi"),
    (r"(?P<n>\d+) input files? not found or not (?:a file|files)",
     "{n:n} tệp dữ liệu đầu vào không tìm thấy hoặc không phải là tệp"),
    (rf"(?P<k>{_INPUT_LABELS}): (?P<raw>.+) → (?P<path>.+) is a folder, not a file",
     "{k:label}: {raw} → {path} là thư mục, không phải tệp"),
    (rf"(?P<k>{_INPUT_LABELS}): (?P<raw>.+) → (?P<path>.+)", "{k:label}: {raw} → {path}"),
    (r"the project names no (?P<list>.+) file", "dự án chưa khai báo tệp {list:whats}"),
    (r"missing required column\(s\) (?P<cols>.+) in the (?P<what>[\w ]+) file; columns found: (?P<found>.+)",
     "thiếu cột bắt buộc ({cols:fields}) trong {what:file}; các cột có trong tệp: {found}"),
    (rf"(?P<n>\d+) (?P<what>[\w ]+) outside the terrain \(DEM covers lon (?P<w>{_NUM})…(?P<e>{_NUM}), lat "
     rf"(?P<s>{_NUM})…(?P<nn>{_NUM})\)",
     "{n:n} {what:lc} nằm ngoài vùng địa hình (DEM phủ kinh độ {w:d}…{e:d}, vĩ độ {s:d}…{nn:d})"),
    (r"(?P<what>[\w ]+) file not found", "không tìm thấy {what:file}"),
    (r"(?P<what>[\w ]+) file is empty", "{what:file} trống"),
    (r"(?P<what>[\w ]+) file has no data rows", "{what:file} không có dòng dữ liệu"),
    (r"must be a number, got (?P<v>.+)", "phải là số, không phải {v}"),
    (r"must be a whole number, got (?P<v>.+)", "phải là số nguyên, không phải {v:d}"),
    (rf"(?P<v>{_NUM}) is out of range \[(?P<lo>.+), (?P<hi>.+)\]", "{v:d} nằm ngoài khoảng {lo:d} đến {hi:d}"),
    (r"'(?P<v>.*)' is not one of (?P<choices>.+)", "'{v}' không phải một trong các giá trị {choices}"),
    (r"unknown key '(?P<k>.*)' in section \[(?P<sec>.+)\]", "khoá '{k}' không có trong mục [{sec}]"),
    (r"field '(?P<f>[^']*)': (?P<m>.+) \(how to fix: (?P<h>.+)\)", "trường '{f}': {m:msg} (cách sửa: {h:msg})"),
    (r"field '(?P<f>[^']*)': (?P<m>.+)", "trường '{f}': {m:msg}"),
    # --- reading a file (coverage_planner.io): the file itself, before its rows --------------------------------
    (rf"{_WHAT} path is a folder, not a file", "đường dẫn {what:file} là một thư mục, không phải tệp"),
    (rf"{_WHAT} path is a folder", "đường dẫn {what:file} là một thư mục, không phải tệp"),
    (rf"unsupported {_WHAT} format '\(no extension\)'",
     "{what:file} không có phần đuôi (.csv, .xlsx…): không nhận ra định dạng"),
    (rf"unsupported {_WHAT} format '(?P<ext>[^']*)'", "định dạng '{ext}' của {what:file} không được hỗ trợ"),
    (rf"cannot decode {_WHAT} file as UTF-16 \((?P<why>.+) at byte (?P<b>\d+)\)",
     "không giải mã được {what:file} theo bảng mã UTF-16 ({why} tại byte {b})"),
    (rf"the {_WHAT} file looks like UTF-16 text without a byte-order mark \(NUL bytes\)",
     "{what:file} có vẻ là văn bản UTF-16 không có dấu BOM (có byte NUL)"),
    (rf"the {_WHAT} file's text looks like TCVN3 \(ABC\), the encoding of the old \.Vn fonts \(\.VnTime\), not "
     r"Unicode: (?P<n>\d+) of its (?P<t>\d+) cells with accents read like row (?P<r>\d+), column '(?P<c>[^']*)': "
     r"'(?P<v>.*)'",
     "{what:file} có vẻ được gõ bằng bảng mã TCVN3 (ABC) của các phông chữ .Vn cũ (.VnTime), không phải Unicode: "
     "{n:n}/{t:n} ô có dấu đọc ra giống như dòng {r}, cột '{c}': '{v}'"),
    (r"convert the file to Unicode with UniKey \(right-click its icon > Công cụ… \[CS\+F6\]: source TCVN3 \(ABC\), "
     r"destination Unicode; copy the cells, convert the clipboard, paste them back\), then save it as \.xlsx or "
     r"CSV UTF-8",
     "chuyển mã tệp sang Unicode bằng UniKey (nhấn chuột phải vào biểu tượng UniKey > Công cụ… [CS+F6]: nguồn "
     "TCVN3 (ABC), đích Unicode; sao chép các ô, chuyển mã clipboard rồi dán lại), sau đó lưu tệp dạng .xlsx hoặc "
     "CSV UTF-8"),
    (rf"cannot parse {_WHAT} CSV: (?P<exc>.+)", "không đọc được {what:file} dạng CSV: {exc}"),
    (rf"cannot read {_WHAT} spreadsheet: (?P<exc>.+)", "không đọc được {what:file} dạng bảng tính: {exc}"),
    (rf"no sheet named '(?P<s>[^']*)' in the {_WHAT} workbook \(sheets: (?P<sheets>.*)\)",
     "không có trang tính (sheet) '{s}' trong {what:file} (các trang tính có: {sheets})"),
    (rf"cannot read {_WHAT} file: (?P<exc>.+)", "không đọc được {what:file}: {exc}"),
    (rf"{_WHAT} file has no features", "{what:file} không có đối tượng nào"),
    (rf"cannot read {_WHAT} raster \(GDAL: (?P<exc>.+)\)", "không đọc được {what:file} dạng raster (GDAL: {exc})"),
    (rf"{_WHAT} has (?P<n>\d+) band\(s\); band (?P<b>\d+) does not exist",
     "{what:file} có {n:n} kênh (band); không có kênh {b}"),
    (rf"{_WHAT} tile has no CRS", "một mảnh {what:lc} không có hệ toạ độ (CRS)"),
    (rf"{_WHAT} tiles are in different CRS: (?P<list>.+)", "các mảnh {what:lc} ở những hệ toạ độ khác nhau: {list}"),
    (rf"cannot mosaic {_WHAT} tiles \(GDAL: (?P<exc>.+)\)", "không ghép được các mảnh {what:lc} (GDAL: {exc})"),
    (r"check all tiles are readable", "kiểm tra mọi mảnh đều đọc được (mở được trong QGIS)"),
    (r"point to the file itself", "hãy trỏ đường dẫn tới chính tệp dữ liệu"),
    (r"point to the raster file itself", "hãy trỏ đường dẫn tới chính tệp raster"),
    (r"use CSV, XLSX, GeoJSON, GeoPackage \(\.gpkg\) or Shapefile \(\.shp\)",
     "dùng CSV, XLSX, GeoJSON, GeoPackage (.gpkg) hoặc Shapefile (.shp)"),
    (r"save it as CSV UTF-8 \(Excel: File > Save As > CSV UTF-8\)",
     "lưu lại tệp dạng CSV UTF-8 (Excel: File > Save As > CSV UTF-8)"),
    (r"save it as comma-separated UTF-8 CSV, one row per line",
     "lưu lại tệp dạng CSV UTF-8 phân cách bằng dấu phẩy, mỗi bản ghi một dòng"),
    (r"open it in Excel/LibreOffice and save as \.xlsx", "mở tệp bằng Excel/LibreOffice rồi lưu lại dạng .xlsx"),
    (r'set layer = "<sheet name>" for this input in the project',
     'khai báo layer = "<tên trang tính>" cho dữ liệu này trong tệp dự án'),
    (r"check it opens in QGIS; supported: GeoJSON, GeoPackage, Shapefile \(with \.shx/\.dbf/\.prj\)",
     "kiểm tra tệp mở được trong QGIS; hỗ trợ: GeoJSON, GeoPackage, Shapefile (kèm các tệp .shx/.dbf/.prj)"),
    (r"the layer must contain at least one feature", "lớp dữ liệu phải có ít nhất một đối tượng"),
    (r"check the path in the project file", "kiểm tra đường dẫn trong tệp dự án"),
    (r"download or export the raster again", "tải về hoặc xuất lại tệp raster"),
    (r"use GeoTIFF, SRTM \.hgt \(named like N21E102\.hgt\) or ESRI ASCII grid \(\.asc\); check the file is complete",
     "dùng GeoTIFF, SRTM .hgt (tên dạng N21E102.hgt) hoặc lưới ESRI ASCII (.asc); kiểm tra tệp còn nguyên vẹn "
     "(đã tải về đầy đủ)"),
    (r"assign one in QGIS \(Raster > Projections\) or use a GeoTIFF",
     "gán hệ toạ độ trong QGIS (Raster > Projections) hoặc dùng GeoTIFF"),
    (r"reproject all tiles to one CRS before mosaicking",
     "chuyển tất cả các mảnh về cùng một hệ toạ độ trước khi ghép"),
    # --- the terrain (coverage_planner.terrain, inputs._terrain_extent_lonlat) ---------------------------------------
    (rf"cannot choose a UTM zone for lon=(?P<lo>{_NUM}), lat=(?P<la>{_NUM}): not valid WGS 84 degrees",
     "không chọn được múi UTM cho kinh độ {lo:d}, vĩ độ {la:d}: đây không phải kinh độ/vĩ độ WGS 84 hợp lệ"),
    (r"check the data CRS; lon must be within ±180 and lat within ±90",
     "kiểm tra hệ toạ độ của dữ liệu; kinh độ phải trong khoảng ±180 và vĩ độ trong khoảng ±90"),
    (_RASTER_DEGREES + rf"; read in the project's CRS (?P<real>\S+) it would cover lon (?P<lw>{_NUM})…"
     rf"(?P<le>{_NUM}), lat (?P<ls>{_NUM})…(?P<ln>{_NUM})",
     _RASTER_DEGREES_VI + "; nếu đọc theo hệ toạ độ {real} của dự án thì raster phủ kinh độ {lw:d}…{le:d}, vĩ độ "
     "{ls:d}…{ln:d}"),
    (_RASTER_DEGREES, _RASTER_DEGREES_VI),
    (r"make a copy with its real CRS \(probably the one the DEM was produced in, e\.g\. (?P<real>\S+), "
     r"(?P<name>.+?), or VN-2000 EPSG:3405\): (?P<cmd>gdal_translate .+?) \(or QGIS: Raster > Projections > "
     r"Assign Projection\) and name the copy under \[inputs\] terrain; the original is not modified",
     "tạo một bản sao mang đúng hệ toạ độ thực (có lẽ là hệ toạ độ đã dùng khi tạo DEM, ví dụ {real}, {name}, hoặc "
     "VN-2000 EPSG:3405): {cmd} (hoặc trong QGIS: Raster > Projections > Assign Projection) rồi khai báo bản sao ở "
     "mục [inputs] terrain; tệp gốc không bị thay đổi"),
    (r"no terrain file given", "chưa khai báo tệp địa hình (DEM)"),
    (r'set \[inputs\] terrain = "dem\.tif" in the project', 'khai báo terrain = "dem.tif" ở mục [inputs] trong tệp dự án'),
    (r"resolution_m must be a positive number, got (?P<v>.+)",
     "độ phân giải lưới (resolution_m) phải là số dương, không phải {v:d}"),
    (rf"{_WHAT} raster has no CRS", "raster {what:lc} không có hệ toạ độ (CRS)"),
    (r"assign its CRS in QGIS \(Raster > Projections > Assign Projection\) or add a \.prj next to an \.asc",
     "gán hệ toạ độ cho tệp trong QGIS (Raster > Projections > Assign Projection) hoặc đặt tệp .prj cạnh tệp .asc"),
    (r"assign its CRS in QGIS or add a \.prj next to an \.asc grid",
     "gán hệ toạ độ cho tệp trong QGIS hoặc đặt tệp .prj cạnh tệp lưới .asc"),
    (r"assign its CRS in QGIS \(Raster > Projections > Assign Projection\)",
     "gán hệ toạ độ cho tệp trong QGIS (Raster > Projections > Assign Projection)"),
    (r"terrain raster contains no valid elevation \(all cells are nodata\)",
     "raster địa hình không có giá trị độ cao hợp lệ nào (mọi ô đều là nodata)"),
    (r"use a DEM that covers the area \(e\.g\. SRTM tiles of the province\)",
     "dùng DEM phủ khu vực (ví dụ các mảnh SRTM của tỉnh)"),
    (r"analysis CRS (?P<c>.+) is not projected", "hệ toạ độ phân tích {c} không phải hệ toạ độ phẳng (đơn vị mét)"),
    (r'use crs = "auto" or a metric CRS such as "EPSG:32648"',
     'dùng crs = "auto" hoặc một hệ toạ độ đơn vị mét như "EPSG:32648"'),
    (r"analysis CRS (?P<c>.+) has units '(?P<u>[^']*)', not metres",
     "hệ toạ độ phân tích {c} có đơn vị '{u}', không phải mét"),
    (r'use crs = "auto"', 'dùng crs = "auto"'),
    (r"the terrain does not overlap the area of the inputs",
     "địa hình (DEM) không phủ tới khu vực của dữ liệu đầu vào"),
    (r"use DEM tiles that cover the towers, stations and communes",
     "dùng các mảnh DEM phủ các trạm BTS, điểm bỏ phiếu và xã/phường"),
    (rf"analysis grid of (?P<r>\d+)×(?P<c>\d+) cells at (?P<cs>{_NUM}) m is too large",
     "lưới phân tích {r:n} × {c:n} ô với độ phân giải {cs:d} m quá lớn"),
    (r"increase \[project\] resolution_m or clip the terrain to the province",
     "tăng độ phân giải lưới resolution_m ở mục [project] hoặc cắt DEM theo phạm vi tỉnh"),
    (r"terrain has no valid elevation inside the analysis area",
     "địa hình không có giá trị độ cao hợp lệ trong khu vực phân tích"),
    (r"the DEM does not cover the inputs: use tiles that cover the province",
     "DEM không phủ dữ liệu đầu vào: dùng các mảnh DEM phủ toàn tỉnh"),
    (r"cannot fill voids: the DEM has no valid cell", "không nội suy được các ô thiếu dữ liệu: DEM không có ô hợp lệ nào"),
    # --- land cover (coverage_planner.landcover) -------------------------------------------------------------------
    (rf"{_WHAT} raster holds non-integer values \(e\.g\. (?P<v>.+)\); it must hold land-cover class codes",
     "raster {what:lc} chứa giá trị không phải số nguyên (ví dụ {v:nums}); raster phải chứa mã lớp phủ mặt đất"),
    (r"use a classified land-cover map such as ESA WorldCover, not a continuous raster",
     "dùng bản đồ lớp phủ mặt đất đã phân loại như ESA WorldCover, không dùng raster giá trị liên tục"),
    (rf"{_WHAT} raster does not overlap the analysis area \(or holds only nodata\)",
     "raster {what:lc} không chồng lên khu vực phân tích (hoặc chỉ chứa nodata)"),
    (r"use a land-cover map that covers the province, or remove \[inputs\] clutter",
     "dùng bản đồ lớp phủ mặt đất phủ toàn tỉnh, hoặc bỏ dòng clutter ở mục [inputs]"),
    (r"(?P<n>\d+) land-cover class code\(s\) in the raster are not in the project's class table: (?P<list>.+)",
     "{n:n} mã lớp phủ mặt đất trong raster không có trong bảng lớp của dự án: {list:cells}"),
    (r'add them under \[clutter\.classes\] in the project file, e\.g\. "(?P<c>-?\d+)" = \{ name = "…", '
     r"db_per_km = 0, max_db = 0, height_m = 0 \} \(zeros: no vegetation loss\)",
     'thêm các mã này vào mục [clutter.classes] trong tệp dự án, ví dụ "{c}" = { name = "…", db_per_km = 0, '
     "max_db = 0, height_m = 0 } (các giá trị 0: không có suy hao do thực vật)"),
    # --- coordinate reference systems of vector inputs and of position columns (coverage_planner.inputs) ----------
    (rf"the {_WHAT} file has no coordinate reference system", "{what:file} không có hệ toạ độ (CRS)"),
    (r'declare it in the project: (?P<ex>.+?) for longitude/latitude, or crs = "(?P<m>[^"]+)" for metres \(or '
     r"save the file with its CRS, e\.g\. a \.prj next to a \.shp\)",
     'khai báo hệ toạ độ trong tệp dự án: {ex} nếu toạ độ là kinh độ/vĩ độ, hoặc crs = "{m}" nếu toạ độ tính bằng '
     "mét (hoặc lưu tệp kèm hệ toạ độ, ví dụ tệp .prj cạnh tệp .shp)"),
    (rf"the {_WHAT} file states its CRS, (?P<label>.+?), but the project declares (?P<d>.+) for it",
     "{what:file} ghi hệ toạ độ {label}, nhưng tệp dự án khai báo {d} cho tệp này"),
    (r"the file's own CRS is wrong: its coordinates \((?P<ext>x .+?)\) fit (?P<d>\S+), not (?P<label>\S+)\. A CRS "
     r"the file states is never overridden: make a copy with the right one \((?P<cmd>ogr2ogr .+?), " + _QGIS_ASSIGN
     + r"\) and name the copy in the project, without crs",
     "hệ toạ độ ghi trong tệp bị sai: toạ độ của tệp ({ext:d}) hợp với {d}, không phải {label}. Hệ toạ độ ghi "
     "trong tệp không bao giờ bị thay bằng khai báo: hãy tạo bản sao mang đúng hệ toạ độ ({cmd}, " + _QGIS_ASSIGN_VI
     + ") rồi khai báo bản sao trong tệp dự án, không ghi crs"),
    (r'remove crs = "(?P<d>[^"]+)" from this input in the project: the file\'s own (?P<label>.+?) is used \(a CRS '
     r"the file states is never overridden\); or reproject the file to (?P<d2>.+)",
     'bỏ crs = "{d}" của dữ liệu này trong tệp dự án: hệ toạ độ {label} ghi trong tệp sẽ được dùng (hệ toạ độ ghi '
     "trong tệp không bao giờ bị thay bằng khai báo); hoặc chuyển đổi tệp sang hệ toạ độ {d2}"),
    (rf"(?P<src>.+?) \(degrees\) but the {_WHAT} coordinates \((?P<ext>x .+?)\) go up to (?P<max>\d+), which look "
     r"like metres",
     "{src:crssrc} (đơn vị độ) nhưng toạ độ {what:lc} ({ext:d}) lên tới {max:d}, có vẻ tính bằng mét"),
    (rf"(?P<src>.+?) \(projected, metres\) but the {_WHAT} coordinates \((?P<ext>x .+?)\) look like degrees of "
     r"longitude/latitude",
     "{src:crssrc} (hệ toạ độ phẳng, đơn vị mét) nhưng toạ độ {what:lc} ({ext:d}) có vẻ là kinh độ/vĩ độ tính "
     "bằng độ"),
    (r"the CRS the file states is wrong: the file is probably in " + _REAL_CRS + r"\. A declaration in the project "
     r"cannot override it: make a copy with the real CRS \((?P<cmd>ogr2ogr .+?), " + _QGIS_ASSIGN + r"\) and name "
     r"the copy in the project",
     "hệ toạ độ ghi trong tệp bị sai: tệp có lẽ ở {real:crsreal}. Khai báo trong tệp dự án không thay được hệ toạ "
     "độ này: hãy tạo bản sao mang đúng hệ toạ độ ({cmd}, " + _QGIS_ASSIGN_VI + ") rồi khai báo bản sao trong tệp "
     "dự án"),
    (r"the file is probably in " + _REAL_CRS + r": declare its real CRS for this input in the project, e\.g\. "
     r"(?P<decl>.+) if it is in the project's CRS \((?P<ex2>\S+)\)",
     "tệp có lẽ ở {real:crsreal}: hãy khai báo đúng hệ toạ độ của dữ liệu này trong tệp dự án, ví dụ {decl} nếu "
     "tệp ở hệ toạ độ của dự án ({ex2})"),
    (r"the file is probably in " + _REAL_CRS + r": declare its real CRS for this input in the project, e\.g\. "
     r"(?P<decl>.+)",
     "tệp có lẽ ở {real:crsreal}: hãy khai báo đúng hệ toạ độ của dữ liệu này trong tệp dự án, ví dụ {decl}"),
    (rf"the {_WHAT} file gives x/y coordinates \('(?P<x>[^']*)', '(?P<y>[^']*)'\) but no CRS is declared",
     "{what:file} ghi toạ độ x/y (cột '{x}', '{y}') nhưng chưa khai báo hệ toạ độ"),
    (r"declare `crs = \.\.\.` for this input in the project, e\.g\. (?P<ex>.+) \(VN-2000 / UTM 48N …\)",
     "khai báo `crs = ...` cho dữ liệu này trong tệp dự án, ví dụ {ex} (VN-2000 / UTM 48N …)"),
    (rf"the {_WHAT} file has longitude/latitude columns but the project declares the projected CRS (?P<c>.+) for it",
     "{what:file} có cột kinh độ/vĩ độ nhưng tệp dự án khai báo hệ toạ độ phẳng {c} cho tệp này"),
    (r"rename the columns to x and y if they are projected, or remove crs for this input",
     "đổi tên cột thành x và y nếu là toạ độ phẳng, hoặc bỏ khai báo crs của dữ liệu này"),
    (rf"no position columns in the {_WHAT} file; columns found: (?P<found>.+)",
     "{what:file} không có cột toạ độ; các cột có trong tệp: {found}"),
    (r"add longitude/latitude in WGS 84 \(accepted: (?P<lo>.+?) / (?P<la>.+?)\) or x/y \((?P<x>.+?) / (?P<y>.+?)\) "
     r"and declare the CRS in the project",
     "thêm cột kinh độ/vĩ độ WGS 84 (tên cột được chấp nhận: {lo} / {la}) hoặc x/y ({x} / {y}) và khai báo hệ toạ "
     "độ trong tệp dự án"),
    (r"communes must be polygons: a table has none",
     "xã/phường phải là đối tượng dạng vùng (polygon): tệp dạng bảng không chứa vùng nào"),
    (r"use a GeoJSON, GeoPackage or Shapefile of the commune boundaries",
     "dùng tệp GeoJSON, GeoPackage hoặc Shapefile ranh giới xã/phường"),
    (rf"{_WHAT} must be lines: a table has none", "{what:lc} phải là đối tượng dạng đường (LineString): tệp dạng bảng không chứa đường nào"),
    (r"use a GeoJSON, GeoPackage or Shapefile of lines", "dùng tệp GeoJSON, GeoPackage hoặc Shapefile dạng đường"),
    (rf"id '(?P<id>.*)' at lon (?P<lo>{_NUM}), lat (?P<la>{_NUM}), (?P<d>{_NUM}) km outside every commune polygon "
     r"too: the coordinates are probably mistyped",
     "mã '{id}' tại kinh độ {lo:d}, vĩ độ {la:d}, còn cách mọi ranh giới xã tới {d:n} km: toạ độ có lẽ bị gõ sai"),
    # --- the project's analysis CRS (coverage_planner.project) ------------------------------------------------------
    (r"unknown CRS '(?P<v>[^']*)' \((?P<exc>.+)\)", "hệ toạ độ '{v}' không xác định được ({exc})"),
    (r'write crs = "auto" or e\.g\. "EPSG:32648"', 'ghi crs = "auto" hoặc ví dụ "EPSG:32648"'),
    (r"analysis CRS '(?P<v>[^']*)' is not projected \(metres are needed\)",
     "hệ toạ độ phân tích '{v}' không phải hệ toạ độ phẳng (cần đơn vị mét)"),
    (r'use "auto" \(UTM zone of the data\) or a metric CRS such as "EPSG:32648" \(UTM 48N\)',
     'dùng "auto" (múi UTM của dữ liệu) hoặc một hệ toạ độ đơn vị mét như "EPSG:32648" (UTM 48N)'),
    (r"analysis CRS '(?P<v>[^']*)' \((?P<name>.+)\) is a Mercator projection: its metres are not ground metres "
     r"\(about 7 % too long in Điện Biên\), so radii, distances and areas would be wrong",
     "hệ toạ độ phân tích '{v}' ({name}) là phép chiếu Mercator: mét trên bản đồ không phải mét thực địa (dài hơn "
     "khoảng 7 % ở Điện Biên), nên bán kính, khoảng cách và diện tích sẽ bị sai"),
    (r'use "auto" \(UTM zone of the data\) or "EPSG:32648" \(UTM 48N\); VN-2000 \(e\.g\. EPSG:3405\) also works',
     'dùng "auto" (múi UTM của dữ liệu) hoặc "EPSG:32648" (UTM 48N); hệ VN-2000 (ví dụ EPSG:3405) cũng được'),
    # --- the failure scenario (coverage_planner.inputs.load_inputs) ------------------------------------------------
    (r"the failure scenario lists tower id\(s\) that are not in the towers file (?P<file>.+?): (?P<ids>.+)",
     "kịch bản sự cố có mã trạm không có trong tệp trạm BTS {file}: {ids:rows}"),
    (r"use ids from the towers file \(column id / ma_tram\) or a site id for all the sectors of one mast, or remove "
     r"them from \[scenario\] down",
     "dùng mã trạm có trong tệp trạm BTS (cột id / ma_tram) hoặc mã vị trí cho mọi sector trên một cột anten, hoặc "
     "bỏ các mã này khỏi down ở mục [scenario]"),
    (r"this looks like a list of polling stations, not of towers: it has (?P<cols>.+) and no radio column "
     r"\(operator, technology, frequency, antenna height, EIRP, azimuth\)",
     "tệp này có vẻ là danh sách điểm bỏ phiếu, không phải danh sách trạm BTS: có cột {cols} nhưng không có cột vô "
     "tuyến nào (nhà mạng, công nghệ, tần số, độ cao anten, EIRP, phương vị)"),
    (r"give the towers file here \(the polling stations go in \[inputs\] stations\)",
     "hãy chọn tệp trạm BTS ở đây (danh sách điểm bỏ phiếu khai báo ở mục [inputs] stations)"),
    # --- hints (the re-check step after ", then " is error_text's) ---------------------------------------------
    (r"correct the listed rows in the file", "sửa các dòng đã liệt kê trong tệp"),
    (r"correct the file as described", "sửa tệp như đã mô tả"),
    (r"fix each file as described", "sửa từng tệp như đã mô tả"),
    (r"paths in the project file are relative to the project file's folder; correct them under \[inputs\]",
     "đường dẫn trong tệp dự án tính từ thư mục chứa tệp dự án; hãy sửa trong mục [inputs]"),
    (r"add under \[inputs\], e\.g\. (?P<ex>.+)", "thêm vào mục [inputs], ví dụ {ex}"),
    (r"add or rename the column\(s\)\. Accepted names \(any case, with or without accents\): (?P<acc>.+)",
     "thêm hoặc đổi tên cột. Tên cột được chấp nhận (chữ hoa hay thường, có dấu hay không dấu đều được): {acc}"),
    (r"add DEM tiles that cover these (?P<what>[\w ]+), or correct their coordinates \(a point far from the others "
     r"is usually a typing mistake: a digit wrong or missing, lon and lat exchanged\)",
     "bổ sung mảnh DEM phủ các {what:lc} này, hoặc sửa lại toạ độ (một điểm nằm xa các điểm khác thường do gõ nhầm: "
     "sai hoặc thiếu một chữ số, kinh độ và vĩ độ bị đổi chỗ)"),
    (r"check the path in the project file \(paths are relative to it\)",
     "kiểm tra đường dẫn trong tệp dự án (đường dẫn tính từ thư mục chứa tệp dự án)"),
    (r"export the table again with a header row and data", "xuất lại bảng, có dòng tiêu đề và dữ liệu"),
    (r"add a header row and data rows", "thêm dòng tiêu đề và các dòng dữ liệu"),
    (r"add at least one row under the header row \(row (?P<r>\d+)\)",
     "thêm ít nhất một dòng dữ liệu dưới dòng tiêu đề (dòng {r})"),
    (r"write e\.g\. (?P<ex>.+)", "ghi ví dụ {ex}"),
    (r"choose a value between (?P<lo>\S+) and (?P<hi>\S+), or -1 for as few sites as needed",
     "chọn giá trị từ {lo:d} đến {hi:d}, hoặc -1 để đặt ít trạm nhất có thể"),
    (r"choose a value between (?P<lo>\S+) and (?P<hi>\S+)", "chọn giá trị từ {lo:d} đến {hi:d}"),
    (r"did you mean '(?P<c>.*)'\? allowed keys: (?P<keys>.+)", "có phải là {c:qkey}? Được phép dùng: {keys:keys}"),
    (r"allowed keys: (?P<keys>.+)", "được phép dùng: {keys:keys}"),
)]

_FIELD_RE = re.compile(r"\{(\w+)(?::(\w+))?\}")


def fmt_number_text(text: str, lang: str = DEFAULT_LANG, *, group: bool = True) -> str:
    """A number written the English way ("12345", "-95.5", "0.0049") in ``lang``'s style; ``group`` adds
    thousands separators to integers. Text that is not a number is returned unchanged."""
    check_lang(lang)
    s = str(text)
    if lang == "en":
        return s
    if group and re.fullmatch(r"-?\d+", s):
        return fmt_int(int(s), lang)
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _decimal_commas(text: str) -> str:
    """Decimal points between digits → commas ("43.5 (4G)" → "43,5 (4G)"); ids like "4G" are untouched."""
    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def _what_lc(what: str) -> str:
    """An input kind in running Vietnamese text: "towers" → "trạm BTS", "stations" → "điểm bỏ phiếu"."""
    name = _WHAT_VI.get(what, what)
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _rows_vi(text: str) -> str:
    """The English words of the core's row listings in Vietnamese ("row 5", "(18 rows)", "did you mean")."""
    text = re.sub(r"\((\d+) rows\)", lambda m: f"({fmt_int(int(m.group(1)), 'vi')} dòng)", text)
    text = re.sub(r"\brows? ", "dòng ", text)
    return text.replace("did you mean", "có phải là")


def _sub_table(table, text: str) -> str:
    """``text`` through a small table of (pattern, template) of plain ``{field}`` templates; unchanged if none fits."""
    for rx, tpl in table:
        m = rx.fullmatch(text)
        if m is not None:
            return tpl.format(**{k: v or "" for k, v in m.groupdict().items()})
    return text


def _key_vi(key: str, *, quote: bool = False) -> str:
    """A project-file key as a hint names it: the key itself (what the user types) and, when there is one, its
    Vietnamese name: "max_distance_m (bán kính tính tối đa)", "towers (trạm BTS)"."""
    name = PARAM_NAMES_VI.get(key) or (_what_lc(key) if key in _INPUT_KEYS.split("|") else None)
    shown = f"'{key}'" if quote else key
    return f"{shown} ({name})" if name else shown


def translate_message(message, lang: str = DEFAULT_LANG) -> str:
    """A warning or reason of the analysis core in ``lang``.

    English returns the message unchanged; Vietnamese uses the known patterns above with numbers re-formatted
    (decimal comma). A message no pattern knows is returned unchanged (English), never dropped.
    """
    check_lang(lang)
    if message is None or (isinstance(message, float) and math.isnan(message)):
        return ""
    text = nfc(message)
    if lang == "en":
        return text
    stripped = text.strip()
    for rx, template in (*_MESSAGES_VI, *_ERRORS_VI):
        m = rx.fullmatch(stripped)
        if m is None:
            continue
        fields = m.groupdict()

        def fill(f, fields=fields):
            value, how = fields.get(f.group(1)) or "", f.group(2)
            if how == "n":
                return fmt_number_text(value, lang)
            if how == "d":
                return _decimal_commas(value)
            if how == "what":
                return _WHAT_VI.get(value, value)
            if how == "label":  # an input as English messages name it ("Polling stations") → "Điểm bỏ phiếu"
                return _WHAT_VI.get(_LABEL_KEYS.get(value, value), value)
            if how == "field":
                return _FIELD_VI.get(value, value)
            if how == "kind":
                return _KIND_VI.get(value, value)
            if how == "rows":  # row lists inside a listing: "(rows 2, 3, … (18 rows))", "did you mean"
                return _rows_vi(value)
            if how in ("lc", "file"):  # "towers" → "trạm BTS" in running text, "tệp trạm BTS"
                return f"tệp {_what_lc(value)}" if how == "file" else _what_lc(value)
            if how == "whats":
                return ", ".join(_what_lc(w) for w in value.split(", "))
            if how == "fields":
                return ", ".join(_FIELD_VI.get(c, c) for c in value.split(", "))
            if how == "msg":  # a message inside a message (the project's problem list)
                return translate_message(value, lang)
            if how == "crssrc":  # where a file's CRS came from
                return _sub_table(_CRS_SOURCE_VI, value)
            if how == "crsreal":  # the CRS a file's coordinates are probably in
                return _sub_table(_REAL_CRS_VI, value)
            if how == "toml":  # the TOML reader's own message (common ones translated)
                return _sub_table(_TOML_VI, value)
            if how == "pytype":
                return _PYTYPE_VI.get(value, value)
            if how == "nums":  # "0.25, 10.25" → "0,25; 10,25" (a comma list of decimal-comma numbers is ambiguous)
                return "; ".join(_decimal_commas(v) for v in value.split(", "))
            if how == "cells":  # "12 (1060 cells), 20 (5 cells)" → "12 (1.060 ô); 20 (5 ô)"
                return "; ".join(re.sub(r"\((\d+) cells\)", lambda c: f"({fmt_int(int(c.group(1)), 'vi')} ô)", v)
                                 for v in value.split(", "))
            if how == "qkey":  # a project setting or input named in a hint: "'max_distance_m' (bán kính tính tối đa)"
                return _key_vi(value, quote=True)
            if how == "keys":
                return ", ".join(_key_vi(k) for k in value.split(", "))
            return value

        return nfc(_FIELD_RE.sub(fill, template))
    return text


#: A row problem as coverage_planner.inputs._Rows writes it: "row 12, column 'Mã trạm' (id): <message>" (the
#: canonical field in parentheses when the column is named otherwise; no column for a whole-row problem).
_ROW_PROBLEM = re.compile(r"row (?P<row>\d+)(?:, column '(?P<col>[^']*)'(?: \((?P<fld>\w+)\))?)?: (?P<msg>.+)", re.S)
_RECHECK_HINT = re.compile(r"(?P<fix>.+), then " + re.escape(RECHECK_CLI), re.S)


def translate_hint(hint, lang: str = DEFAULT_LANG, *, recheck: str | None = None) -> str:
    """An error's "how to fix" in ``lang``. A hint ending in the command line's re-check step (", then run
    validate again") gets ``recheck`` there instead when given (text in ``lang``: the desktop app's "open the
    project again"); the fix itself is translated like any message (unknown: left in English)."""
    check_lang(lang)
    m = _RECHECK_HINT.fullmatch(nfc(hint or "").strip())
    if m is None:
        return translate_message(hint, lang)
    step = recheck if recheck is not None else t("error.recheck", lang)
    return nfc(translate_message(m["fix"], lang) + t("error.then", lang) + step)


def _problem_text(problem: str, lang: str) -> str:
    """One listed problem in ``lang``: a row problem's location labels ("dòng 12, cột 'Mã trạm' (mã)") and its
    message translated apart; any other line as a whole message."""
    m = _ROW_PROBLEM.fullmatch(problem)
    if m is None:
        return translate_message(problem, lang)
    where = t("error.row", lang, row=m["row"])
    if m["col"] is not None:
        where += ", " + t("error.column", lang, column=m["col"])
        fld = _FIELD_VI.get(m["fld"], m["fld"]) if lang == "vi" and m["fld"] else m["fld"]
        if fld and nfc(fld).casefold() != nfc(m["col"]).casefold():  # not "cột 'Công nghệ' (công nghệ)"
            where += f" ({fld})"
    return nfc(f"{where}: {translate_message(m['msg'], lang)}")


def error_text(error, lang: str = DEFAULT_LANG, *, recheck: str | None = None) -> str:
    """An error as the user reads it, in ``lang``.

    An :class:`InputError` is rebuilt from its parts as ``str(error)`` lays them out (file, row, field, message,
    the listed problems, each gathered file's error, "How to fix"): the fixed words in ``lang``, the messages,
    row problems and hints through the patterns above (a message no pattern knows stays in English, whole).
    ``recheck``: the front end's own re-check step in place of the command line's "run validate again" (see
    :func:`translate_hint`). With ``lang="en"`` and no ``recheck`` this is exactly ``str(error)``, what the
    command line prints. Any other error: its text through :func:`translate_message`.
    """
    check_lang(lang)
    if not isinstance(error, InputError):
        return translate_message(str(error), lang)
    where = []
    if error.path:
        where.append(error.path)
    if error.row is not None:
        where.append(t("error.row", lang, row=error.row))
    if error.field:
        where.append(t("error.field", lang, field=error.field))
    text = (", ".join(where) + ": " if where else "") + translate_message(error.message, lang)
    if error.causes and len(error.causes) == len(error.problems):  # one per file: each rebuilt from its parts
        items = [error_text(c, lang, recheck=recheck).replace("\n", "\n    ") for c in error.causes]
    else:
        items = [_problem_text(p, lang) for p in error.problems]
    if items:
        shown = items[:20]
        text += "\n" + "\n".join(f"  - {p}" for p in shown)
        if len(items) > len(shown):
            text += "\n  " + t("error.more", lang, n=fmt_int(len(items) - len(shown), lang))
    if error.hint:
        text += f"\n{t('error.how_to_fix', lang)}: {translate_hint(error.hint, lang, recheck=recheck)}"
    return nfc(text)


# ----------------------------------------------------------------------------------------------------------
# the recorded parameters (results.parameters) as labelled, formatted rows
# ----------------------------------------------------------------------------------------------------------
_PARAM_LABELS: dict[str, dict[str, str]] = {
    "software": {"vi": "Phần mềm", "en": "Software"},
    "crs": {"vi": "Hệ toạ độ phân tích", "en": "Analysis CRS"},
    "resolution_m": {"vi": "Độ phân giải lưới", "en": "Grid resolution"},
    "model": {"vi": "Mô hình truyền sóng", "en": "Propagation model"},
    "k_factor": {"vi": "Hệ số bán kính Trái Đất hiệu dụng k", "en": "Effective Earth radius factor k"},
    "max_distance_m": {"vi": "Bán kính tính tối đa", "en": "Maximum distance"},
    "receiver_height_m": {"vi": "Độ cao máy thu", "en": "Receiver height"},
    "margins_db": {"vi": "Suy hao cơ thể và trong nhà", "en": "Body and indoor losses"},
    "vegetation": {"vi": "Suy hao do thực vật", "en": "Vegetation loss"},
    "threshold": {"vi": "Ngưỡng {tech}", "en": "Thresholds {tech}"},
    "thresholds.good_dbm": {"vi": "Ngưỡng tốt {tech}", "en": "Good threshold {tech}"},
    "thresholds.weak_dbm": {"vi": "Ngưỡng yếu {tech}", "en": "Weak threshold {tech}"},
    "placement_technology": {"vi": "Công nghệ của trạm lưu động", "en": "Mobile station technology"},
    "placement": {"vi": "Thông số trạm lưu động", "en": "Mobile station settings"},
}
#: Display order of the known keys (pipeline._parameters order); unknown keys follow, alphabetically.
_PARAM_ORDER = ("software", "crs", "resolution_m", "model", "k_factor", "max_distance_m", "receiver_height_m",
                "margins_db", "vegetation", "threshold_", "thresholds", "placement_technology", "placement")
_UNITS = (("_dbm", "dBm"), ("_db", "dB"), ("_mhz", "MHz"), ("_km", "km"), ("_m", "m"), ("_deg", "°"))


def fmt_value(value, lang: str = DEFAULT_LANG, unit: str = "") -> str:
    """A recorded parameter value for display: numbers in ``lang``'s style (as many digits as recorded, up to
    six significant), texts through :func:`translate_message`, lists joined with "; " (vi) or ", " (en)."""
    check_lang(lang)
    if isinstance(value, bool):
        text = t("yes" if value else "no", lang)
    elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer()
                                    and abs(value) < 1e15):
        text = fmt_int(value, lang)
    elif isinstance(value, float):
        text = fmt_number_text(f"{value:.6g}", lang, group=False)
    elif isinstance(value, (list, tuple)):
        text = ("; " if lang == "vi" else ", ").join(fmt_value(v, lang) for v in value)  # "1,5; 2" not "1,5, 2"
    else:
        text = translate_message(value, lang)
    return f"{text} {unit}" if unit and text else text


def parameter_rows(parameters, lang: str = DEFAULT_LANG, *, skip=()) -> list[tuple[str, str]]:
    """``results.parameters`` as (label, value) rows in ``lang``: known keys get a label, numbers the
    language's decimal separator and a unit, the core's English value texts are translated. The nested
    ``thresholds`` entries are left out when the ``threshold_<tech>`` summary of the same technology is there.
    Unknown keys are shown as recorded (dotted path) with formatted values. ``skip`` = top-level keys to leave
    out."""
    check_lang(lang)
    params = dict(parameters or {})
    rows: list[tuple[str, str]] = []

    def unit_of(key: str) -> str:
        return next((u for suffix, u in _UNITS if key.endswith(suffix)), "")

    def shown(path: str) -> str:
        """A recorded key (dotted for nested ones) as shown: in Vietnamese the project settings' terms
        ("placement.mast_height_m" → "Thông số trạm lưu động – chiều cao cột anten"); a key with an unknown
        part is shown as recorded."""
        if lang != "vi":
            return path
        words = []
        for part in path.split("."):
            if part in _PARAM_LABELS and "{" not in _PARAM_LABELS[part]["vi"]:
                words.append(_PARAM_LABELS[part]["vi"])
            elif part in PARAM_NAMES_VI:
                words.append(PARAM_NAMES_VI[part])
            else:
                return path
        text = " – ".join(words)
        return text[:1].upper() + text[1:]

    def walk(prefix: str, v) -> None:
        if isinstance(v, dict):
            for k in sorted(v, key=str):
                walk(f"{prefix}.{k}" if prefix else str(k), v[k])
        else:
            rows.append((shown(prefix), fmt_value(v, lang, unit_of(prefix.rsplit(".", 1)[-1]))))

    order = {k: i for i, k in enumerate(_PARAM_ORDER)}

    def sort_key(key):
        k = str(key)
        base = "threshold_" if k.startswith("threshold_") else k
        return (order.get(base, len(order)), k)

    for key in sorted(params, key=sort_key):
        if key in skip:
            continue
        value = params[key]
        if key == "model" and has(f"report.model.{value}"):
            rows.append((t("report.m.model", lang), f"{t(f'report.model.{value}', lang)} ({value})"))
        elif key.startswith("threshold_") and key[len("threshold_"):]:
            rows.append((_PARAM_LABELS["threshold"][lang].format(tech=key[len("threshold_"):]), fmt_value(value, lang)))
        elif key == "thresholds" and isinstance(value, dict):
            for tech in sorted(value, key=str):
                if f"threshold_{tech}" in params or not isinstance(value[tech], dict):
                    continue
                for sub in sorted(value[tech], key=str):
                    label = _PARAM_LABELS.get(f"thresholds.{sub}")
                    rows.append((label[lang].format(tech=tech) if label else f"thresholds.{tech}.{sub}",
                                 fmt_value(value[tech][sub], lang, unit_of(str(sub)))))
        elif key in _PARAM_LABELS and not isinstance(value, dict):
            rows.append((_PARAM_LABELS[key][lang], fmt_value(value, lang, unit_of(key))))
        else:
            walk(key, value)
    return [(nfc(a), nfc(b)) for a, b in rows]
