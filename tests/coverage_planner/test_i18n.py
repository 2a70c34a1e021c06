"""Vietnamese translation of the core's English messages (warnings, unreachable reasons, terrain source) and of
the recorded parameters, with Vietnamese number formatting; unknown messages pass through unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coverage_planner import i18n
from coverage_planner.errors import ParameterError
from coverage_planner.i18n import fmt_number_text, fmt_value, parameter_rows, translate_message

from .tiny_results import tiny_results


def _reason(n_in_range: int, min_loss: float, max_loss: float = 127.0) -> str:
    """The core's own wording (analysis.placement.ReachStats.reason) for one station."""
    from analysis.placement import ReachStats

    stats = ReachStats(n_in_range=np.array([n_in_range]), n_covering=np.array([0]),
                       min_loss_db=np.array([min_loss]), max_loss_db=np.array([max_loss]))
    return stats.reason(0)


def _exact_reason(**kw) -> str:
    """The core's wording (analysis.placement.unreachable_reason) with exact-checked candidates in range."""
    from analysis.placement import unreachable_reason

    return unreachable_reason(127.0, **kw)


def _outside_reason(distance_m, nearest, reason) -> str:
    from analysis.placement import outside_communes_reason

    return outside_communes_reason(distance_m, nearest, reason)


def _terrain_source(paths, crs, res, unit="") -> str:
    from coverage_planner.terrain import _describe

    return _describe([Path(p) for p in paths], crs, res, unit)


#: (English message as the core writes it, expected Vietnamese) — one or more per known pattern.
CASES = [
    (_reason(819, 128.7),
     "bị địa hình che khuất: vị trí tốt nhất trong 819 vị trí ứng viên trong bán kính có suy hao đường truyền "
     "128,7 dB theo ước tính nhanh (chưa kiểm tra bằng mặt cắt địa hình chính xác), vượt mức 127,0 dB mà quỹ "
     "đường truyền của trạm lưu động cho phép (tăng chiều cao cột anten hoặc EIRP của trạm lưu động)"),
    # the pre-exact-figure wording (results saved by an earlier version) still translates
    ("terrain shadow: the best of 819 candidate sites in range has 128.7 dB path loss, more than the 127.0 dB the "
     "mobile station's link budget allows (raise mast_height_m or eirp_dbm)",
     "bị địa hình che khuất: vị trí tốt nhất trong 819 vị trí ứng viên trong bán kính có suy hao đường truyền "
     "128,7 dB, vượt mức 127,0 dB mà quỹ đường truyền của trạm lưu động cho phép (tăng chiều cao cột anten hoặc "
     "EIRP của trạm lưu động)"),
    (_exact_reason(n_exact=1, exact_loss_db=131.24, exact_site="C12_95", exact_km=3.456),
     "bị địa hình che khuất: đã kiểm tra 1 vị trí ứng viên trong bán kính bằng mặt cắt địa hình chính xác; vị trí "
     "tốt nhất, C12_95 (cách 3,5 km), có suy hao đường truyền 131,2 dB, vượt mức 127,0 dB mà quỹ đường truyền của "
     "trạm lưu động cho phép (tăng chiều cao cột anten hoặc EIRP của trạm lưu động)"),
    (_exact_reason(n_exact=3, exact_loss_db=131.24, exact_site="Đồi Pa Có 2", exact_km=12.0, n_screen=1250,
                   screen_loss_db=129.0),
     "bị địa hình che khuất: đã kiểm tra 3 vị trí ứng viên trong bán kính bằng mặt cắt địa hình chính xác; vị trí "
     "tốt nhất, Đồi Pa Có 2 (cách 12,0 km), có suy hao đường truyền 131,2 dB, vượt mức 127,0 dB mà quỹ đường "
     "truyền của trạm lưu động cho phép; 1.250 vị trí còn lại trong bán kính, chưa kiểm tra chính xác, có suy hao "
     "ít nhất 129,0 dB theo ước tính nhanh (tăng chiều cao cột anten hoặc EIRP của trạm lưu động)"),
    (_exact_reason(n_exact=2),
     "ngoài tầm phủ: đã kiểm tra 2 vị trí ứng viên trong bán kính bằng mặt cắt địa hình chính xác, chỉ riêng suy "
     "hao không gian tự do đã vượt mức 127,0 dB mà quỹ đường truyền của trạm lưu động cho phép (tăng chiều cao cột "
     "anten hoặc EIRP của trạm lưu động)"),
    (_exact_reason(n_exact=1, n_screen=5, screen_loss_db=140.04),
     "ngoài tầm phủ: đã kiểm tra 1 vị trí ứng viên trong bán kính bằng mặt cắt địa hình chính xác, chỉ riêng suy "
     "hao không gian tự do đã vượt mức 127,0 dB mà quỹ đường truyền của trạm lưu động cho phép; 5 vị trí còn lại "
     "trong bán kính, chưa kiểm tra chính xác, có suy hao ít nhất 140,0 dB theo ước tính nhanh (tăng chiều cao cột "
     "anten hoặc EIRP của trạm lưu động)"),
    # a station far outside every commune (mistyped coordinates): the likely cause, then the reason at its position
    (_outside_reason(12345.0, "Xã Mường Nhé", _reason(0, float("nan"))),
     "nằm ngoài mọi ranh giới xã, cách xã gần nhất ('Xã Mường Nhé') 12,3 km: hãy kiểm tra toạ độ của điểm (có lẽ "
     "bị gõ sai); tại vị trí đã ghi: không có vị trí ứng viên nào trong bán kính tính toán (các ràng buộc vị trí — "
     "khoảng cách tới đường hoặc trung tâm xã, giới hạn độ dốc, địa hình hợp lệ — loại hết các vị trí lân cận)"),
    ("these stations have priority weight 0: not planned for",
     "các điểm này có trọng số ưu tiên bằng 0: không được xét khi bố trí trạm lưu động"),
    (_reason(0, float("nan")),
     "không có vị trí ứng viên nào trong bán kính tính toán (các ràng buộc vị trí — khoảng cách tới đường hoặc "
     "trung tâm xã, giới hạn độ dốc, địa hình hợp lệ — loại hết các vị trí lân cận)"),
    ("no candidate site passes the site constraints", "không có vị trí ứng viên nào đáp ứng các ràng buộc vị trí"),
    ("the candidate sites that seemed to reach it do not when checked with the exact terrain profile",
     "các vị trí ứng viên tưởng như phủ được điểm này nhưng không phủ được khi kiểm tra lại bằng mặt cắt địa "
     "hình chính xác"),
    ("VTL-DBP-068 is planned, not on air: taking it down changes nothing",
     "VTL-DBP-068 là trạm quy hoạch, chưa phát sóng: cho ngừng hoạt động không thay đổi gì"),
    ("VTL-DBP-025 is already down in the towers file: taking it down changes nothing",
     "VTL-DBP-025 đã ở trạng thái ngừng hoạt động trong tệp trạm: cho ngừng hoạt động không thay đổi gì"),
    ("towers: 6 tower(s) with status down (not used): VTL-DBP-025-A, VNP-DBP-016-C",
     "Trạm BTS: 6 trạm ở trạng thái ngừng hoạt động (không dùng trong tính toán): VTL-DBP-025-A, VNP-DBP-016-C"),
    ("towers: 2 row(s) without technology: assumed 4G", "Trạm BTS: 2 dòng không ghi công nghệ: coi là 4G"),
    ("towers: 3 row(s) without height_m: used default 30 (2G), 42.5 (4G)",
     "Trạm BTS: 3 dòng không có độ cao anten (m): dùng giá trị mặc định 30 (2G), 42,5 (4G)"),
    ("towers: bts.xlsx has no technology column: every tower is taken as 4G",
     "Trạm BTS: bts.xlsx không có cột công nghệ: mọi trạm được coi là 4G"),
    ("towers: t.csv has no mech_tilt_deg column: every tower uses the default 2 (4G), 2.5 (2G)",
     "Trạm BTS: t.csv không có cột góc ngẩng cơ (°): mọi trạm dùng giá trị mặc định 2 (4G), 2,5 (2G)"),
    ("towers: t.csv has no operator column: every tower's operator is 'unknown'",
     "Trạm BTS: t.csv không có cột nhà mạng: mọi trạm được ghi nhà mạng 'unknown' (không rõ)"),
    ("towers: t.csv has no azimuth_deg column: every tower is treated as omnidirectional",
     "Trạm BTS: t.csv không có cột góc phương vị: mọi trạm được coi là anten vô hướng"),
    ("towers: towers_tilt.csv has no status column: every tower is treated as on air",
     "Trạm BTS: towers_tilt.csv không có cột trạng thái: mọi trạm được coi là đang phát sóng"),
    ("stations: 4 row(s) without a name: the id is used as the name",
     "Điểm bỏ phiếu: 4 dòng không có tên: dùng mã điểm làm tên"),
    ("stations: no voters column: every station counts 0 voters (weights use priority only)",
     "Điểm bỏ phiếu: không có cột số cử tri: mỗi điểm được tính 0 cử tri (trọng số chỉ theo mức ưu tiên)"),
    ("stations: 1234 station(s) without a commune: taken from the commune polygons",
     "Điểm bỏ phiếu: 1.234 điểm không ghi xã: lấy theo ranh giới xã"),
    ("stations: 2 station(s) outside every commune polygon: PS-1, PS-2",
     "Điểm bỏ phiếu: 2 điểm nằm ngoài mọi ranh giới xã: PS-1, PS-2"),
    ("stations: s.csv row 3, KV-02 (lon 102.37868, lat 22.20711): the row says 'Phường Mường Lay' but the point "
     "lies in 'Xã Mường Nhé', 74.1 km from 'Phường Mường Lay': the coordinates are probably mistyped; it counts "
     "for 'Phường Mường Lay' as written (its signal is computed at the point given): correct the coordinates (or "
     "the commune)",
     "Điểm bỏ phiếu: s.csv dòng 3, KV-02 (kinh độ 102,37868, vĩ độ 22,20711): dòng ghi xã 'Phường Mường Lay' "
     "nhưng điểm nằm trong 'Xã Mường Nhé', cách 'Phường Mường Lay' 74,1 km: toạ độ có lẽ bị gõ sai; điểm vẫn được "
     "tính cho 'Phường Mường Lay' như đã ghi (mức sóng tính tại vị trí đã cho): hãy sửa toạ độ (hoặc tên xã)"),
    ("stations: row 33, KV 14 (lon 102.25000, lat 21.05000): the row says 'Xã Tây' but the point lies outside "
     "every commune polygon, 1282.6 km from 'Xã Tây': the coordinates are probably mistyped; it counts for 'Xã "
     "Tây' as written (its signal is computed at the point given): correct the coordinates (or the commune)",
     "Điểm bỏ phiếu: dòng 33, KV 14 (kinh độ 102,25000, vĩ độ 21,05000): dòng ghi xã 'Xã Tây' nhưng điểm nằm "
     "ngoài mọi ranh giới xã, cách 'Xã Tây' 1282,6 km: toạ độ có lẽ bị gõ sai; điểm vẫn được tính cho 'Xã Tây' "
     "như đã ghi (mức sóng tính tại vị trí đã cho): hãy sửa toạ độ (hoặc tên xã)"),
    ("stations: my stations.csv row 9, KV9 (lon -1.50000, lat 21.05000): the point lies outside every commune "
     "polygon, 3.2 km from the nearest ('Xã Đông'): the coordinates are probably mistyped; it counts for no "
     "commune: correct the coordinates",
     "Điểm bỏ phiếu: my stations.csv dòng 9, KV9 (kinh độ -1,50000, vĩ độ 21,05000): điểm nằm ngoài mọi ranh "
     "giới xã, cách xã gần nhất ('Xã Đông') 3,2 km: toạ độ có lẽ bị gõ sai; điểm không được tính cho xã nào: hãy "
     "sửa toạ độ"),
    ("stations: s.csv 15 more station(s) lie more than 500 m outside the commune written in their row, or every "
     "commune (rows 12, 13, … (15 rows)): check their coordinates",
     "Điểm bỏ phiếu: s.csv thêm 15 điểm nằm ngoài xã ghi trong dòng (hoặc ngoài mọi xã) quá 500 m (dòng 12, 13, "
     "… (15 dòng)): hãy kiểm tra toạ độ"),
    ("stations: 3 station commune name(s) matched ignoring case, Unicode form and the prefix "
     "Xã/Phường/Thị trấn/P./X./TT.: 'xa tay' → 'Xã Tây' (rows 2, 3, 4)",
     "Điểm bỏ phiếu: 3 tên xã được khớp khi bỏ qua chữ hoa/thường, dạng Unicode và tiền tố "
     "Xã/Phường/Thị trấn/P./X./TT.: 'xa tay' → 'Xã Tây' (dòng 2, 3, 4)"),
    ("stations: 1 station commune name(s) matched ignoring case, prefix and accents (the only commune that "
     "matches): 'Xa Tay' → 'Xã Tây' (row 7)",
     "Điểm bỏ phiếu: 1 tên xã được khớp khi bỏ qua chữ hoa/thường, tiền tố và dấu (xã duy nhất khớp): "
     "'Xa Tay' → 'Xã Tây' (dòng 7)"),
    ("stations: 18 station(s) name a commune not in the communes file: assigned to the commune polygon they lie "
     "in: 'Xã Mường Mùm' → 'Xã Mường Mùn' (rows 171, 173, … (16 rows)) ('Xã Mường Mùm': did you mean "
     "'Xã Mường Mùn'?). To choose yourself, correct the commune names in the stations file",
     "Điểm bỏ phiếu: 18 điểm ghi tên xã không có trong tệp xã/phường: đã gán theo ranh giới xã chứa điểm: "
     "'Xã Mường Mùm' → 'Xã Mường Mùn' (dòng 171, 173, … (16 dòng)) ('Xã Mường Mùm': có phải là "
     "'Xã Mường Mùn'?). Muốn tự chọn, hãy sửa tên xã trong tệp điểm bỏ phiếu"),
    ("stations: commune name(s) not in the communes file (and the station lies outside every commune polygon, "
     "so it counts for no commune): Xã A",
     "Điểm bỏ phiếu: tên xã không có trong tệp xã/phường (và điểm nằm ngoài mọi ranh giới xã nên không thuộc xã "
     "nào): Xã A"),
    ("stations: polling_stations.csv, column 'voters': 100 blank value(s) (rows 2, 3, … (100 rows)): used 0 voters",
     "Điểm bỏ phiếu: polling_stations.csv, cột 'voters': 100 ô trống (dòng 2, 3, … (100 dòng)): tính 0 cử tri"),
    ("stations: s.csv, column 'priority': 2 blank value(s) (rows 4, 9): used priority 1",
     "Điểm bỏ phiếu: s.csv, cột 'priority': 2 ô trống (dòng 4, 9): dùng mức ưu tiên 1"),
    ("towers: t.csv, column 'status': 1 blank value(s) (row 5): used on_air (on air)",
     "Trạm BTS: t.csv, cột 'status': 1 ô trống (dòng 5): coi là đang phát sóng"),
    ("stations: kvbp.xlsx, column 'voters': 12 formula cell(s) read as blank (rows 2, 3, … (12 rows)): formula without "
     "a saved value; open and save the file in Excel",
     "Điểm bỏ phiếu: kvbp.xlsx, cột 'voters': 12 ô có công thức nhưng chưa có giá trị đã lưu, được đọc là ô trống "
     "(dòng 2, 3, … (12 dòng)): hãy mở tệp bằng Excel rồi lưu lại"),
    ("towers: bts.csv, column 'Kinh độ': 267 value(s) in degrees, minutes and seconds read as decimal degrees (e.g. "
     "103°11'05.0\"E → 103.184722)",
     "Trạm BTS: bts.csv, cột 'Kinh độ': 267 giá trị dạng độ-phút-giây đã được đổi sang độ thập phân (ví dụ "
     "103°11'05.0\"E → 103,184722)"),
    ("stations: kvbp.csv, column 'Số cử tri': 379 value(s) written with '.' as the thousands separator read as "
     "whole numbers (e.g. 1.324 → 1324)",
     "Điểm bỏ phiếu: kvbp.csv, cột 'Số cử tri': 379 giá trị viết với dấu '.' phân cách hàng nghìn đã được đọc là "
     "số nguyên (ví dụ 1.324 → 1324)"),
    ("stations: kvbp.csv, column 'Số cử tri': 12 value(s) written with spaces as the thousands separator read as "
     "whole numbers (e.g. 1 324 → 1324)",
     "Điểm bỏ phiếu: kvbp.csv, cột 'Số cử tri': 12 giá trị viết với dấu cách phân cách hàng nghìn đã được đọc là "
     "số nguyên (ví dụ 1 324 → 1324)"),
    ("stations: kvbp.csv: 55 row(s) look like section headings or totals (text in the first columns only, no id, "
     "no position) and were not read as stations (rows 4, 5, 22, … (55 rows)): 'I. CỤM XÃ SỐ 1', 'Phường Mường "
     "Lay', 'Phường Mường Thanh' …",
     "Điểm bỏ phiếu: kvbp.csv: 55 dòng có vẻ là dòng tiêu đề nhóm hoặc dòng tổng cộng (chỉ có chữ ở các cột đầu, "
     "không có mã, không có toạ độ) nên không được đọc là điểm bỏ phiếu (dòng 4, 5, 22, … (55 dòng)): 'I. CỤM XÃ SỐ "
     "1', 'Phường Mường Lay', 'Phường Mường Thanh' …"),
    ("stations: kvbp.xlsx: the first sheet 'Bìa' has no recognised header row; read the sheet 'DS' (set layer = "
     "\"DS\" for this input in the project to choose a sheet yourself)",
     "Điểm bỏ phiếu: kvbp.xlsx: trang tính (sheet) đầu tiên 'Bìa' không có dòng tiêu đề nhận ra được; đã đọc trang "
     "tính 'DS' (khai báo layer = \"DS\" cho dữ liệu này trong tệp dự án để tự chọn trang tính)"),
    ("stations: kvbp.xlsx: 45 cell range(s) merged over several rows (C4:C19, C20:C49 …): each row of a merge was "
     "given its value",
     "Điểm bỏ phiếu: kvbp.xlsx: 45 vùng ô được gộp (merge) qua nhiều dòng (C4:C19, C20:C49 …): mỗi dòng của vùng "
     "gộp được lấy giá trị của vùng đó"),
    ("stations: kvbp.xlsx: 12 row(s) hidden in the spreadsheet were read like the others (rows 2, 3, … (12 rows)); "
     "unhide them in Excel to check them, and delete any that does not belong",
     "Điểm bỏ phiếu: kvbp.xlsx: 12 dòng bị ẩn trong bảng tính vẫn được đọc như các dòng khác (dòng 2, 3, … (12 "
     "dòng)); hãy bỏ ẩn (Unhide) trong Excel để kiểm tra, và xoá dòng nào không thuộc danh sách"),
    ("stations: s.csv is not UTF-8; read as Windows-1258 (Vietnamese). Check that names with accents look right, "
     "or save the file as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) so nothing has to be guessed",
     "Điểm bỏ phiếu: s.csv không phải UTF-8; đã đọc theo bảng mã Windows-1258. Hãy kiểm tra tên có dấu hiển thị "
     "đúng, hoặc lưu tệp dạng CSV UTF-8 (Excel: File > Save As > CSV UTF-8) để khỏi phải đoán bảng mã"),
    ("stations: s.csv: column 'voters' appears twice (columns 6 and 8); using the first",
     "Điểm bỏ phiếu: s.csv: cột 'voters' xuất hiện hai lần (cột 6 và 8); dùng cột thứ nhất"),
    ("communes: no roads layer: remote derived from 9 town(s) only (26 of 45 communes remote); give a roads "
     "file or a remote column in the communes file",
     "Xã/phường: không có lớp đường giao thông: xã vùng sâu, vùng xa chỉ xác định theo 9 thị trấn, khu dân cư "
     "(26/45 xã là vùng sâu, vùng xa); hãy cung cấp tệp đường giao thông hoặc cột vùng sâu trong tệp xã"),
    ("all 12 stations that need better signal have priority 0: no mobile site is proposed; give them a priority "
     "above 0 in the stations file to place sites",
     "cả 12 điểm cần cải thiện sóng đều có mức ưu tiên 0: không đề xuất trạm lưu động nào; hãy đặt mức ưu tiên "
     "lớn hơn 0 trong tệp điểm bỏ phiếu để bố trí trạm"),
    ("radio: Okumura-Hata is valid for 150–1500 MHz; 3 tower(s) transmit outside it (1800, 2100 MHz): their "
     "levels are extrapolated; use model cost231 for 1500–2000 MHz, or deygout",
     "Vô tuyến: mô hình Okumura-Hata chỉ áp dụng cho 150–1500 MHz; 3 trạm phát ngoài dải này (1800, 2100 MHz): "
     "mức thu của chúng là ngoại suy; hãy dùng mô hình cost231 cho 1500–2000 MHz, hoặc deygout"),
    ("radio: COST-231-Hata is valid for 1500–2000 MHz; 2 tower(s) transmit outside it (900, 2100 MHz): their "
     "levels are extrapolated; use model hata below 1500 MHz, or deygout",
     "Vô tuyến: mô hình COST-231-Hata chỉ áp dụng cho 1500–2000 MHz; 2 trạm phát ngoài dải này (900, 2100 MHz): "
     "mức thu của chúng là ngoại suy; hãy dùng mô hình hata cho tần số dưới 1500 MHz, hoặc deygout"),
    ("radio: COST-231-Hata has no rural (open area) form: hata_environment 'rural' uses the medium-city formula, "
     "about 30 dB more loss than Okumura-Hata's open area at 1800 MHz",
     "Vô tuyến: COST-231-Hata không có dạng cho vùng nông thôn (địa hình trống): môi trường Hata 'nông thôn' "
     "(rural) dùng công thức thành phố vừa, suy hao lớn hơn khoảng 30 dB so với Okumura-Hata vùng trống ở 1800 MHz"),
    ("no candidate site reaches these stations with a good level",
     "không có vị trí ứng viên nào phủ sóng tốt tới các điểm này"),
    ("communes: 3 invalid polygon(s) repaired (make_valid)", "Xã/phường: đã tự động sửa 3 đa giác không hợp lệ"),
    ("communes: no border column and no border layer: no commune is marked as border",
     "Xã/phường: không có cột biên giới và không có lớp đường biên giới: không xã nào được coi là xã biên giới"),
    ("communes: no remote column and no roads/towns layer: no commune is marked as remote",
     "Xã/phường: không có cột vùng sâu, vùng xa và không có lớp đường giao thông/khu dân cư: không xã nào được "
     "coi là xã vùng sâu, vùng xa"),
    ("towers: column(s) not recognised and ignored in towers.csv: 'ghi chu 2', 'xx' (see docs/INPUTS.md for "
     "accepted names)",
     "Trạm BTS: cột không nhận dạng được, đã bỏ qua trong towers.csv: 'ghi chu 2', 'xx' (tên cột hợp lệ: xem "
     "docs/INPUTS.md)"),
    ("roads: 2 polygon(s): their outlines are used as lines",
     "Đường giao thông: 2 đa giác: dùng đường bao của chúng làm đường"),
    ("towers.csv: columns 'lat', 'vi_do' all mean 'lat'; using 'lat'",
     "towers.csv: các cột 'lat', 'vi_do' cùng mang nghĩa 'vĩ độ'; dùng cột 'lat'"),
    ("stations.csv: columns 'so_cu_tri', 'voters' all mean 'voters'; using 'so_cu_tri'",
     "stations.csv: các cột 'so_cu_tri', 'voters' cùng mang nghĩa 'số cử tri'; dùng cột 'so_cu_tri'"),
    ("terrain: the 3 tiles leave a gap that no tile covers (25% of the area they span: a tile missing?); points "
     "there are reported as outside the terrain",
     "Địa hình: 3 mảnh DEM để hở một vùng không mảnh nào phủ (25 % diện tích các mảnh trải ra: thiếu một mảnh?); "
     "các điểm ở đó được báo là nằm ngoài vùng địa hình"),
    ("terrain: 172 void cell(s) filled by interpolation (0.0049%)",
     "Địa hình: 172 ô thiếu dữ liệu độ cao đã được nội suy (0,0049 %)"),
    ("terrain: 12 source cells with heights outside -500…9000 m treated as voids (undeclared nodata?)",
     "Địa hình: 12 ô nguồn có độ cao ngoài khoảng -500…9.000 m được coi là ô thiếu dữ liệu (giá trị nodata chưa "
     "khai báo?)"),
    ("terrain: 40 cell(s) at the edge of the analysis grid are not covered by the DEM (heights extrapolated; "
     "points there are reported as outside the terrain)",
     "Địa hình: 40 ô ở rìa lưới phân tích nằm ngoài DEM (độ cao được ngoại suy; các điểm ở đó được báo là nằm "
     "ngoài vùng địa hình)"),
    ("clutter: 99 analysis cell(s) have no land-cover data and use the constant [radio] vegetation values",
     "Lớp phủ mặt đất: 99 ô lưới không có dữ liệu lớp phủ, dùng giá trị suy hao thực vật cố định trong [radio]"),
    (_terrain_source(["dem.tif"], "EPSG:32648", (90.0, 90.0), "m"), "1 raster (dem.tif), EPSG:32648, ô lưới 90 × 90 m"),
    (_terrain_source(["N21E102.hgt", "N22E102.hgt"], "EPSG:4326", (1 / 3600, 1 / 3600), "°"),
     "2 mảnh SRTM (N21E102.hgt, N22E102.hgt), EPSG:4326, ô lưới 0,000277778 × 0,000277778°"),
    (_terrain_source(["dem.tif"], "EPSG:32648", (90.0, 90.0)), "1 raster (dem.tif), EPSG:32648, ô lưới 90 × 90"),
    ("good ≥ -85 dBm, weak ≥ -100.5 dBm", "tốt ≥ -85 dBm, yếu ≥ -100,5 dBm"),
    ("k=8, mast 20 m, EIRP 55.5 dBm, 4G 1800 MHz", "k = 8, cột anten 20 m, EIRP 55,5 dBm, 4G 1800 MHz"),
    ("land cover lc.tif (EPSG:32648, 30 × 30): 1500 of 20000 cells with vegetation loss",
     "lớp phủ mặt đất lc.tif (EPSG:32648, 30 × 30): 1.500/20.000 ô có suy hao do thực vật"),
    ("0.4 dB/km, cap 12 dB, canopy 15 m", "0,4 dB/km, tối đa 12 dB, tán cây cao 15 m"),
]


@pytest.mark.parametrize(("english", "vietnamese"), CASES, ids=[c[0][:40] for c in CASES])
def test_known_message_translates_to_vietnamese(english, vietnamese):
    assert translate_message(english, "vi") == vietnamese
    assert translate_message(english, "en") == english  # the English report keeps the core's text


#: A snake_case identifier (``mast_height_m``, ``make_valid``): never in the Vietnamese text itself.
SNAKE = r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"


def test_vietnamese_templates_name_no_identifiers():
    """QA: "tăng mast_height_m hoặc eirp_dbm" in the Vietnamese report. The templates' own words name settings
    and operations in Vietnamese; only the captured fields (ids, file names, column names) pass as they are."""
    import re

    for rx, template in i18n._MESSAGES_VI:
        words = i18n._FIELD_RE.sub("", template)
        assert not re.findall(SNAKE, words), (rx.pattern[:60], re.findall(SNAKE, words))


def test_every_input_field_and_project_setting_has_a_vietnamese_name():
    """Messages name an input column by its canonical field ({fld:field}); each has a Vietnamese name, and every
    project setting has a term for the messages and the parameter table."""
    import dataclasses
    import re

    from coverage_planner import inputs, project

    fields = set(inputs.TOWER_ALIASES) | set(inputs.STATION_ALIASES) | set(inputs.COMMUNE_ALIASES)
    assert fields <= set(i18n._FIELD_VI), fields - set(i18n._FIELD_VI)
    settings = {f.name for cls in (project.RadioSettings, project.CommuneSettings, project.PlacementSettings)
                for f in dataclasses.fields(cls)} - {"defaults"}
    assert settings <= set(i18n.PARAM_NAMES_VI), settings - set(i18n.PARAM_NAMES_VI)
    for term in (*i18n._FIELD_VI.values(), *i18n.PARAM_NAMES_VI.values()):
        assert not re.search(SNAKE, term), term


def test_every_pattern_has_a_case():
    used = {next(i for i, (rx, _) in enumerate(i18n._MESSAGES_VI) if rx.fullmatch(e)) for e, _ in CASES}
    assert used == set(range(len(i18n._MESSAGES_VI)))


@pytest.mark.parametrize("message", [
    "tiny_results: synthetic scene, not a real analysis",
    "terrain shadow: something the core will say one day",
    "towers: 6 tower(s) with status down",  # truncated: no full match, so no half-translated text
    "",
])
def test_unknown_message_passes_through_unchanged(message):
    assert translate_message(message, "vi") == message
    assert translate_message(message, "en") == message


def test_none_nan_and_bad_language():
    assert translate_message(None, "vi") == "" and translate_message(float("nan"), "vi") == ""
    with pytest.raises(ParameterError):
        translate_message("x", "fr")


def test_numbers_use_decimal_commas_in_vietnamese():
    assert fmt_number_text("128.7", "vi") == "128,7" and fmt_number_text("128.7", "en") == "128.7"
    assert fmt_number_text("30000", "vi") == "30.000" and fmt_number_text("30000", "en") == "30000"
    assert fmt_number_text("1800", "vi", group=False) == "1800"
    assert fmt_value(1.3333, "vi") == "1,3333" and fmt_value(1.3333, "en") == "1.3333"
    assert fmt_value(1.5, "vi", "m") == "1,5 m" and fmt_value(90.0, "vi", "m") == "90 m"
    assert fmt_value(30000, "vi", "m") == "30.000 m" and fmt_value(30000, "en", "m") == "30,000 m"
    assert fmt_value([1.5, 2], "vi") == "1,5; 2" and fmt_value([1.5, 2], "en") == "1.5, 2"
    assert fmt_value(True, "vi") == "Có"


def test_parameter_rows_are_labelled_and_formatted():
    params = tiny_results().parameters
    vi = dict(parameter_rows(params, "vi"))
    assert vi["Hệ số bán kính Trái Đất hiệu dụng k"] == "1,3333"
    assert vi["Độ cao máy thu"] == "1,5 m"
    assert vi["Mô hình truyền sóng"] == "Nhiễu xạ nhiều vật cản (Deygout) (deygout)"
    assert vi["Ngưỡng 4G"] == "tốt ≥ -85 dBm, yếu ≥ -100 dBm"
    assert vi["Thông số trạm lưu động"] == "k = 2, cột anten 15 m, EIRP 58 dBm, 4G 1800 MHz"
    text = " ".join(a + " " + b for a, b in vi.items())
    for english in ("k_factor", "receiver_height_m", "threshold_", "thresholds.", "good ≥", "mast ", "1.3333"):
        assert english not in text, english
    en = dict(parameter_rows(params, "en"))
    assert en["Effective Earth radius factor k"] == "1.3333" and en["Thresholds 4G"] == "good ≥ -85 dBm, weak ≥ -100 dBm"
    # nested thresholds only when there is no summary row; unknown keys stay as recorded
    rows = dict(parameter_rows({"thresholds": {"5G": {"good_dbm": -95.5, "weak_dbm": -110.0}}, "new_gain_db": 2.5},
                               "vi"))
    assert rows == {"Ngưỡng tốt 5G": "-95,5 dBm", "Ngưỡng yếu 5G": "-110 dBm", "new_gain_db": "2,5 dB"}
    assert "Phần mềm" not in dict(parameter_rows(params, "vi", skip=("software",)))
    # settings recorded as a table (nested keys): Vietnamese terms, not "placement.mast_height_m"; English as is
    nested = {"placement": {"mast_height_m": 20.0, "eirp_dbm": 55.5}, "radio": {"hata_environment": "rural"}}
    assert dict(parameter_rows(nested, "vi")) == {"Thông số trạm lưu động – chiều cao cột anten": "20 m",
                                                  "Thông số trạm lưu động – EIRP": "55,5 dBm",
                                                  "Vô tuyến – môi trường Hata": "rural"}
    assert dict(parameter_rows(nested, "en"))["placement.mast_height_m"] == "20 m"


def test_map_parameter_box_and_legend_are_translated():
    from coverage_planner import webmap

    res = tiny_results()
    res.warnings = ["terrain: 172 void cell(s) filled by interpolation (0.0049%)"]
    page = webmap.build_map(res, lang="vi")
    start = page.index("class='cp-box cp-params'")
    box = page[start:page.index("</details>", start)]
    assert "Tham số tính toán" in box and "1,3333" in box and "tốt ≥ -85 dBm" in box and "cột anten 15 m" in box
    for english in ("k_factor", "threshold_4G", "good ≥", "mast 15", "1.3333", "receiver_height_m"):
        assert english not in box, english
    legend = page[page.index("class='cp-box cp-legend'"):start]
    assert "<h3>&nbsp;</h3>" not in legend
    for op in sorted(set(res.towers["operator"].astype(str))):
        assert f"</span>{op}</div>" in legend, op
    assert "Trạm BTS (màu nhà mạng)" in legend
    en = webmap.build_map(res, lang="en")
    assert "Effective Earth radius factor k" in en and "good ≥ -85 dBm" in en and "Towers (operator colour)" in en
