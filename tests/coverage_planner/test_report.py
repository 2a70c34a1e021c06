"""PDF gap report: Vietnamese/English text survives (pdftotext), counts match the analysis, fonts embedded."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from coverage_planner import report
from coverage_planner.errors import OutputError, ParameterError
from coverage_planner.i18n import fmt_int

from .tiny_results import HOSTILE_COMMUNE, HOSTILE_NAME, tiny_results

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")


def pdftotext(path, layout=True) -> str:
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdfinfo(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


@pytest.fixture(scope="module")
def res():
    return tiny_results(scenario_down=("VT-002",))


@pytest.fixture(scope="module")
def vi_pdf(res, tmp_path_factory):
    return report.build_report(res, tmp_path_factory.mktemp("rep") / "gap_report_vi.pdf")


@pytest.fixture(scope="module")
def vi_text(vi_pdf):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    return pdftotext(vi_pdf)


def _section(text: str, start: str, end: str | None) -> str:
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[i:j]


@needs_poppler
def test_vietnamese_headings(vi_text):
    for heading in ("Báo cáo vùng lõm sóng di động tại", "Tỉnh Điện Biên", "Số liệu chính", "Bản đồ tổng quan",
                    "Theo xã/phường", "Điểm bỏ phiếu sóng yếu hoặc không có sóng", "Trạm phát sóng lưu động đề xuất",
                    "Điểm chỉ có một trạm phục vụ (điểm lỗi đơn)", "Phương pháp và tham số",
                    "Kịch bản: Giả định ngừng hoạt động: VT-002", "Ngày: 28/11/2026 09:30"):
        assert heading in vi_text, heading
    assert "what-if" not in vi_text  # the software's own English scenario name is not printed


@needs_poppler
def test_key_figures_equal_the_analysis(vi_text, res):
    kf = _section(vi_text, "Số liệu chính", "Bản đồ tổng quan")
    c, v = res.station_counts(), res.voter_counts()

    def value(label):
        m = re.search(re.escape(label) + r"\s+([\d.]+)\s*$", kf, re.M)
        assert m, label
        return m.group(1)

    assert value("Tổng số điểm bỏ phiếu") == str(len(res.stations))
    assert value("Điểm có sóng tốt") == str(c["good"])
    assert value("Điểm có sóng yếu") == str(c["weak"])
    assert value("Điểm không có sóng") == str(c["none"])
    assert value("Cử tri tại điểm sóng yếu hoặc không có sóng") == fmt_int(v["weak"] + v["none"], "vi")
    assert value("Điểm chỉ có một trạm (một cột anten) phục vụ") == str(int(res.stations["spof"].sum()))
    assert value("Trạm lưu động đề xuất") == str(len(res.proposals))
    assert value("Cử tri được phủ thêm nhờ trạm đề xuất") == fmt_int(res.proposals["voters_covered"].sum(), "vi")
    assert value("Điểm mất sóng trong kịch bản") == str(len(res.newly_uncovered))
    lost_voters = int(res.stations.loc[res.stations["id"].isin(res.newly_uncovered), "voters"].sum())
    assert value("Cử tri tại các điểm mất sóng trong kịch bản") == fmt_int(lost_voters, "vi")
    assert c["weak"] > 0 and c["none"] > 0 and v["weak"] + v["none"] >= 1000  # the test data exercise "1.234"


@needs_poppler
def test_weak_and_no_signal_table_lists_exactly_those_stations(vi_text, res):
    sec = _section(vi_text, "Điểm bỏ phiếu sóng yếu hoặc không có sóng", "Điểm chỉ có một trạm phục vụ")
    for r in res.stations.itertuples():
        assert (r.name in sec) == (r.status != "good"), r.name
    bad = res.stations[res.stations["status"] != "good"]
    # level and nearest tower with distance, decimal comma
    r = bad[bad["level_dbm"].notna()].iloc[0]
    assert f"{r.level_dbm:.1f}".replace(".", ",") in sec
    assert f"{r.nearest_tower} ({r.nearest_tower_km:.2f})".replace(".", ",") in sec
    # "none" rows come before "weak" rows
    first_weak = min(sec.index(n) for n in bad.loc[bad.status == "weak", "name"])
    last_none = max(sec.index(n) for n in bad.loc[bad.status == "none", "name"])
    assert last_none < first_weak


@needs_poppler
def test_commune_table_puts_border_then_remote_first(res, tmp_path):
    r2 = tiny_results()
    # make the alphabetically last commune the border one, the first an ordinary one
    r2.communes["border"] = [False, False, True]
    r2.communes["remote"] = [False, True, False]
    text = pdftotext(report.build_report(r2, tmp_path / "r.pdf"))
    sec = _section(text, "Theo xã/phường", "Trạm phát sóng lưu động đề xuất")
    order = sorted(r2.communes["name"], key=lambda n: re.search(rf"^\s*{re.escape(n)}\s", sec, re.M).start())
    assert order == ["Thanh Xương", "Nà Hỳ", "Mường Nhé"]
    row = re.search(r"^\s*Thanh Xương\s+BG\s+(.*)$", sec, re.M).group(1)
    c = r2.communes.iloc[2]
    assert re.search(rf"\b{int(c.stations_good)}\s*/\s*{int(c.stations_weak)}\s*/\s*{int(c.stations_none)}\b", row)
    assert c.stations_none > 0


@needs_poppler
def test_proposals_with_utm_and_backhaul(vi_text, res):
    sec = _section(vi_text, "Trạm phát sóng lưu động đề xuất", "Điểm bỏ phiếu sóng yếu hoặc không có sóng")
    assert "UTM 48N (E, N)" in sec
    for p in res.proposals.itertuples():
        assert f"{p.x:.0f} E, {p.y:.0f} N" in sec
        assert f"{p.lat:.5f}," in sec and f"{p.lon:.5f}" in sec
        assert f"{int(p.n_stations)} / {fmt_int(p.voters_covered, 'vi')}" in sec
    assert "Cần truyền dẫn vệ tinh" in sec and "Vi ba tới trạm: VT-002" in sec
    for r in res.unreachable.itertuples():
        assert r.name in sec


@needs_poppler
def test_single_points_of_failure(vi_text, res):
    sec = _section(vi_text, "Điểm chỉ có một trạm phục vụ (điểm lỗi đơn)", "Phương pháp và tham số")
    spof = res.stations[res.stations["spof"]]
    assert len(spof) > 0
    for r in spof.itertuples():  # (a long name wraps in its cell: its first words start the row)
        first = r"\s+".join(map(re.escape, r.name.split()[:3]))
        assert re.search(rf"{re.escape(r.id)}\s+{first}.*\s{re.escape(r.commune)}\s+{r.voters}\s+"
                         rf"{re.escape(r.best_server)}", sec), r.name


@needs_poppler
def test_lost_stations_table_right_after_the_overview(vi_text, res, tmp_path):
    """QA: in a scenario the lost stations were a run-on paragraph of names near the end. Now a table on the page
    after the overview map: name, commune, voters, status before → now, the tower that served it, and a total."""
    i = vi_text.index("Điểm mất sóng trong kịch bản này")
    assert vi_text.index("Bản đồ tổng quan") < i < vi_text.index("Theo xã/phường")
    sec = _section(vi_text, "Điểm mất sóng trong kịch bản này", "Theo xã/phường")
    lost = res.stations[res.stations["id"].isin(res.newly_uncovered)]
    assert len(lost) == 2
    voters = int(lost["voters"].sum())
    assert f"Khi trạm VT-002 ngừng hoạt động, {len(lost)} điểm bỏ phiếu ({fmt_int(voters, 'vi')} cử tri)" in sec
    for r in lost.itertuples():
        before = {"good": "Tốt", "weak": "Yếu"}[r.baseline_status]
        assert re.search(rf"{re.escape(r.name)}\s+{re.escape(r.commune)}\s+{fmt_int(r.voters, 'vi')}\s+"
                         rf"{before} → Không có sóng\s+{r.baseline_server} \(Viettel\)", sec), r.name
    assert re.search(rf"^\s*Tổng\s+{re.escape(fmt_int(voters, 'vi'))}\s*$", sec, re.M)
    # English too; no such section without a scenario
    en = pdftotext(report.build_report(res, tmp_path / "en.pdf", lang="en"))
    sec = _section(en, "Stations losing signal in this scenario\n", "By commune")
    assert f"With VT-002 off air, {len(lost)} polling stations ({fmt_int(voters, 'en')} voters) lose" in sec
    assert "Good → No signal" in sec and "Served before by" in sec
    assert "Voters at the stations losing signal in this scenario" in en
    base = pdftotext(report.build_report(tiny_results(), tmp_path / "base.pdf"))
    assert "Điểm mất sóng trong kịch bản" not in base and "Trước → nay" not in base


@needs_poppler
def test_methods_page(vi_text, res):
    sec = _section(vi_text, "Phương pháp và tham số", None)
    assert "Nhiễu xạ nhiều vật cản (Deygout)" in sec
    assert "-85 / -100 dBm" in sec
    assert "Độ phân giải lưới" in sec and "200 m" in sec
    assert res.terrain_source in sec
    assert "coverage-planner 0.1.0" in sec
    assert "28/11/2026 09:30" in sec
    assert "Cảnh báo khi phân tích" in sec and res.warnings[0] in sec


@needs_poppler
def test_fonts_embedded_a4_page_numbers_and_reproducible(vi_pdf, res, tmp_path):
    fonts = subprocess.run(["pdffonts", str(vi_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows and {r[0].split("+")[-1] for r in rows} == {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(r[-5] == "yes" for r in rows)  # "emb" column
    info = pdfinfo(vi_pdf)
    assert "A4" in info["Page size"]
    pages = int(info["Pages"])
    assert pages >= 5
    text = pdftotext(vi_pdf, layout=False)
    assert [int(n) for n in re.findall(rf"Trang (\d+)/{pages}\b", text)] == list(range(1, pages + 1))
    again = report.build_report(res, tmp_path / "again.pdf")
    assert again.read_bytes() == vi_pdf.read_bytes()
    assert "2026" in info.get("CreationDate", "") and "Nov 28" in info.get("CreationDate", "")


@needs_poppler
def test_english(res, tmp_path):
    text = pdftotext(report.build_report(res, tmp_path / "gap_report_en.pdf", lang="en"))
    for heading in ("Mobile coverage gap report for", "Key figures", "Overview map", "By commune",
                    "Polling stations with weak or no signal", "Proposed mobile base stations",
                    "Single points of failure", "Methods and parameters", "Date: 2026-11-28 09:30"):
        assert heading in text, heading
    v = res.voter_counts()
    assert re.search(r"Voters at stations with weak or no signal\s+" + re.escape(f"{v['weak'] + v['none']:,}"), text)
    assert "Số liệu chính" not in text


@needs_poppler
def test_hostile_names_print_literally(tmp_path):
    r = tiny_results(hostile_names=True)
    text = pdftotext(report.build_report(r, tmp_path / "h.pdf"), layout=False)
    assert HOSTILE_NAME in text
    assert "Xã ${alert(2)} `tick`" in text and '& "q"' in text
    assert HOSTILE_COMMUNE.split("\\")[0] in text


def test_bad_language_and_unwritable(res, tmp_path):
    with pytest.raises(ParameterError, match="vi, en"):
        report.build_report(res, tmp_path / "x.pdf", lang="de")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        report.build_report(res, blocker / "r.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_no_weak_stations_no_proposals(tmp_path):
    """Edge case: everything covered, nothing proposed — the report still builds and says so."""
    r = tiny_results()
    r.stations["status"] = "good"
    r.stations["spof"] = False
    r.proposals = r.proposals.iloc[0:0]
    r.unreachable = r.unreachable.iloc[0:0]
    p = report.build_report(r, tmp_path / "ok.pdf")
    if shutil.which("pdftotext"):
        text = pdftotext(p)
        assert "Tất cả điểm bỏ phiếu đều có sóng tốt." in text
        assert "Không có trạm lưu động nào được đề xuất." in text
        assert "Không có điểm nào chỉ phụ thuộc vào một trạm." in text
    else:
        assert p.stat().st_size > 10_000


def test_number_and_date_formats():
    import datetime as dt

    from coverage_planner.i18n import fmt_date, fmt_float, t

    assert fmt_int(1234567, "vi") == "1.234.567" and fmt_int(1234567, "en") == "1,234,567"
    assert fmt_float(-95.26, 1, "vi") == "-95,3" and fmt_float(-95.26, 1, "en") == "-95.3"
    assert fmt_float(12345.5, 1, "vi") == "12.345,5" and fmt_float(12345.5, 1, "en") == "12,345.5"
    assert fmt_float(float("nan"), 1, "vi") == "—" and fmt_float(None, 1, "en") == "—"
    d = dt.datetime(2026, 3, 4, 5, 6)
    assert fmt_date(d, "vi", time=True) == "04/03/2026 05:06" and fmt_date(d, "en") == "2026-03-04"
    assert t("map.layer.towers", "vi", operator="Viettel", n=3) == "Trạm BTS – Viettel (3)"
    with pytest.raises(KeyError, match="no.such"):
        t("no.such.key")
    with pytest.raises(ParameterError):
        fmt_int(1, "fr")


def test_overview_map_hides_coverage_outside_the_study_mask(res):
    import dataclasses

    import numpy as np

    def pixels(r):
        from io import BytesIO

        from PIL import Image

        return np.asarray(Image.open(BytesIO(report.overview_png(r, width_in=4.0, dpi=60))).convert("RGB"))

    no_level = dataclasses.replace(res, best_level=np.full(res.grid.shape, np.nan, np.float32))
    nothing_inside = dataclasses.replace(res, study_mask=np.zeros(res.grid.shape, bool))
    everything = dataclasses.replace(res, study_mask=np.ones(res.grid.shape, bool))
    unmasked = dataclasses.replace(res, study_mask=None)
    # an empty study area draws no coverage at all; a full one draws the same as no mask
    np.testing.assert_array_equal(pixels(nothing_inside), pixels(no_level))
    np.testing.assert_array_equal(pixels(everything), pixels(unmasked))
    assert not np.array_equal(pixels(unmasked), pixels(no_level))  # the overlay is really drawn


@needs_poppler
def test_vietnamese_report_translates_the_core_messages(tmp_path):
    """Reasons, warnings, terrain source and recorded parameters of the core appear in Vietnamese (QA: English
    sentences were left in the vi report); the English report keeps the core's wording."""
    import dataclasses

    r = tiny_results()
    assert len(r.unreachable)  # the fixture has stations no site reaches
    r = dataclasses.replace(
        r,
        unreachable=r.unreachable.assign(reason=(
            "terrain shadow: the best of 819 candidate sites in range has 128.7 dB path loss, more than the 127.0 dB "
            "the mobile station's link budget allows (raise mast_height_m or eirp_dbm)")),
        warnings=["towers: 6 tower(s) with status down (not used): VT-001, VT-002",
                  "terrain: 172 void cell(s) filled by interpolation (0.0049%)",
                  "tiny_results: synthetic scene, not a real analysis"],
        terrain_source="1 raster (dem.tif), EPSG:32648, cell 90×90 m",
    )
    text = pdftotext(report.build_report(r, tmp_path / "vi.pdf"), layout=False)
    flat = " ".join(text.split())
    for english in ("tower(s)", "void cell", "terrain shadow", "cell 90×90", "good ≥", "mast 15", "1.3333",
                    "k_factor", "threshold_"):
        assert english not in flat, english
    for vietnamese in ("bị địa hình che khuất", "128,7 dB", "Trạm BTS: 6 trạm ở trạng thái ngừng hoạt động",
                       "Địa hình: 172 ô thiếu dữ liệu độ cao đã được nội suy (0,0049 %)", "ô lưới 90 × 90 m",
                       "tốt ≥ -85 dBm, yếu ≥ -100 dBm", "cột anten 15 m", "1,3333", "1,5 m",
                       "tiny_results: synthetic scene, not a real analysis"):  # unknown: unchanged
        assert vietnamese in flat, vietnamese
    en = " ".join(pdftotext(report.build_report(r, tmp_path / "en.pdf", lang="en"), layout=False).split())
    for english in ("terrain shadow: the best of 819", "6 tower(s) with status down", "cell 90×90 m", "1.3333",
                    "good ≥ -85 dBm"):
        assert english in en, english


@needs_poppler
def test_report_quotes_the_exact_reason_and_counts_the_stations_not_planned_for(tmp_path):
    """A reason with the exact check's figure reads in Vietnamese (decimal commas, the site and its distance);
    stations of priority 0 are counted under the unreachable table (they are not in it), in both languages."""
    import dataclasses

    from analysis.placement import unreachable_reason

    r = tiny_results()
    reason = unreachable_reason(127.0, n_screen=40, screen_loss_db=129.04, n_exact=3, exact_loss_db=131.26,
                                exact_site="C5_7", exact_km=3.449)
    r = dataclasses.replace(r, unreachable=r.unreachable.assign(reason=reason),
                            placement_summary=dict(r.placement_summary, n_not_planned=2))
    vi = " ".join(pdftotext(report.build_report(r, tmp_path / "vi.pdf"), layout=False).split())
    assert "vị trí tốt nhất, C5_7 (cách 3,4 km), có suy hao đường truyền 131,3 dB" in vi
    assert "ít nhất 129,0 dB theo ước tính nhanh" in vi and "terrain shadow" not in vi
    assert "2 điểm cần cải thiện sóng có mức ưu tiên 0 (trọng số 0): không được xét" in vi
    en = " ".join(pdftotext(report.build_report(r, tmp_path / "en.pdf", lang="en"), layout=False).split())
    assert "the best, C5_7 (3.4 km away), has 131.3 dB path loss" in en
    assert "2 stations that need better signal have priority 0 (weight 0): they are not planned for" in en
    r0 = dataclasses.replace(r, placement_summary=dict(r.placement_summary, n_not_planned=0))
    en0 = " ".join(pdftotext(report.build_report(r0, tmp_path / "en0.pdf", lang="en"), layout=False).split())
    assert "not planned for" not in en0


def test_overview_legend_has_border_and_remote_commune_symbols(res, monkeypatch):
    """Both commune kinds have a visible outline in the legend (the remote one had alpha=0: no symbol)."""
    from matplotlib.figure import Figure

    seen = []
    original = Figure.legend

    def spy(self, *args, **kwargs):
        seen.extend(kwargs.get("handles", []))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "legend", spy)
    report.overview_png(res, "vi", width_in=4.0, dpi=60)
    by_label = {h.get_label(): h for h in seen}
    for label, colour in (("Xã biên giới", "#b2182b"), ("Xã vùng sâu, vùng xa", "#5e3c99")):
        h = by_label[label]
        assert h.get_alpha() in (None, 1.0) and h.get_linewidth() > 0, label
        assert h.get_edgecolor()[3] > 0, label
        from matplotlib.colors import to_hex

        assert to_hex(h.get_edgecolor()) == colour


def test_down_towers_drawn_on_top_big_and_named(monkeypatch, tmp_path):
    """QA: the red ✕ of a down tower was drawn under the station dots, small, on red backgrounds. Now above
    stations and proposals, larger, with a white edge; the scenario's towers are named on the map and in the
    caption."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    res = tiny_results(scenario_down=("VT-002",))
    scatters, notes, legend = [], [], []
    original_scatter, original_annotate, original_legend = Axes.scatter, Axes.annotate, Figure.legend

    def scatter(self, x, y, *args, **kwargs):
        scatters.append((len(np.atleast_1d(x)), kwargs))
        return original_scatter(self, x, y, *args, **kwargs)

    def annotate(self, text, *args, **kwargs):
        notes.append(text)
        return original_annotate(self, text, *args, **kwargs)

    def spy_legend(self, *args, **kwargs):
        legend.extend(kwargs.get("handles", []))
        return original_legend(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "scatter", scatter)
    monkeypatch.setattr(Axes, "annotate", annotate)
    monkeypatch.setattr(Figure, "legend", spy_legend)
    report.overview_png(res, "vi", width_in=4.0, dpi=60)
    n_down = int((res.towers["status"] == "down").sum())
    down = [kw for n, kw in scatters if kw.get("marker") == "X"]
    assert len(down) == 1 and sum(n for n, kw in scatters if kw.get("marker") == "X") == n_down
    others = [kw for n, kw in scatters if kw.get("marker") != "X"]
    assert down[0]["zorder"] > max(kw.get("zorder", 0) for kw in others)  # above stations and proposals
    assert down[0]["s"] >= 4 * max(kw.get("s", 0) for kw in others if kw.get("marker") == "^")
    assert down[0]["edgecolors"] == "white"
    assert "VT-002" in notes and "MB-020" not in notes  # the scenario's tower is named, not the input's down one
    assert any(h.get_label() == "Trạm ngừng hoạt động" and h.get_marker() == "X" for h in legend)
    if shutil.which("pdftotext"):
        text = " ".join(pdftotext(report.build_report(res, tmp_path / "r.pdf"), layout=False).split())
        cap = text[text.index("Nền: địa hình bóng đổ"):]
        assert "Dấu ✕ đỏ: trạm ngừng hoạt động; trạm giả định ngừng trong kịch bản này (1): VT-002." in cap
        en = " ".join(pdftotext(report.build_report(res, tmp_path / "e.pdf", lang="en"), layout=False).split())
        assert "Red ✕: towers off air; taken off air in this scenario (1): VT-002." in en
        base = " ".join(pdftotext(report.build_report(tiny_results(), tmp_path / "b.pdf"), layout=False).split())
        assert "giả định ngừng trong kịch bản này" not in base


def test_short_list():
    from coverage_planner.i18n import short_list

    ids = [f"T{i}" for i in range(52)]
    assert short_list(ids, "en", 3) == "T0, T1, T2 … (+49)"
    assert short_list(ids[:3], "vi", 3) == "T0, T1, T2"
    assert short_list([f"T{i}" for i in range(1300)], "vi", 1).endswith("(+1.299)")


def test_planned_towers_are_hollow_on_the_overview_map(monkeypatch):
    """QA: planned towers (not on air) were drawn as on-air ▲. Now a hollow, dashed ▲ with a legend entry, as
    the HTML map does; no entry when no tower is planned."""
    from matplotlib.colors import to_hex

    res = tiny_results()
    on_air = res.towers.index[res.towers["status"] == "on_air"]
    res.towers.loc[on_air[0], "status"] = "planned"
    calls, legend = _spy_overview(monkeypatch, res, lambda x: len(np.atleast_1d(x)))
    triangles = [(n, kw) for n, kw in calls if kw.get("marker") == "^"]
    solid = [n for n, kw in triangles if kw.get("c") == "black"]
    hollow = [kw for n, kw in triangles if kw.get("facecolors") == "white"]
    assert solid == [len(on_air) - 1]  # the planned tower is not among the on-air ones
    assert len(hollow) == 1 and hollow[0]["edgecolors"] == "black" and hollow[0]["linestyles"] != "solid"
    h = {h.get_label(): h for h in legend}["Planned tower (not on air)"]
    assert h.get_marker() == "^" and to_hex(h.get_markerfacecolor()) == "#ffffff"
    calls.clear()
    report.overview_png(tiny_results(), "en", width_in=4.0, dpi=60)
    assert "Planned tower (not on air)" not in {h.get_label() for h in legend}
    assert not [kw for n, kw in calls if kw.get("facecolors") == "white"]


@needs_poppler
def test_methods_say_levels_are_total_carrier_power_not_rsrp(vi_text, res, tmp_path):
    """QA: the outputs never said what the dBm levels are. The methods table says: total received power of the
    carrier, not RSRP/RSCP, with the 4G example and a pointer to docs/INPUTS.md."""
    flat = " ".join(_section(vi_text, "Phương pháp và tham số", None).split())
    assert ("Mức thu (dBm) Tổng công suất thu của sóng mang (dBm), không phải RSRP/RSCP: với 4G, tổng −75 dBm ≈ "
            "RSRP −103 dBm") in flat
    assert "Xem docs/INPUTS.md." in flat
    en = " ".join(pdftotext(report.build_report(res, tmp_path / "en.pdf", lang="en"), layout=False).split())
    assert ("Received levels (dBm) Total received power of the carrier (dBm), not RSRP/RSCP: for 4G, −75 dBm "
            "total ≈ RSRP −103 dBm at 10 MHz; for 3G, total ≈ RSCP + 10 dB. See docs/INPUTS.md.") in en


def test_number_columns_are_right_aligned():
    """The cells are Paragraphs, whose own style aligns them: align_right must pick the right-aligned style
    (the table's ALIGN command had no effect, so every number column printed left-aligned)."""
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT

    report.register_fonts()
    styles = report._styles()
    tbl = report._table(["name", "voters"], [["Bản A", "1.234"], ["Bản B", "56"]], [100, 50], styles,
                        align_right=(1,))
    cells = tbl._cellvalues
    assert [c.style.alignment for c in (cells[1][0], cells[2][0])] == [TA_LEFT, TA_LEFT]
    assert [c.style.alignment for c in (cells[1][1], cells[2][1])] == [TA_RIGHT, TA_RIGHT]


@needs_poppler
def test_key_figures_say_how_many_lost_stations_the_sites_restore(res, tmp_path):
    import dataclasses

    assert "lost_restored" not in report.key_figures(res)  # a scenario run without placement: nothing claimed
    lost = res.lost_stations()
    summary = dict(res.placement_summary, n_lost=len(lost), lost_restored=1, voters_lost=int(lost["voters"].sum()),
                   voters_lost_restored=int(lost["voters"].iloc[0]))
    r2 = dataclasses.replace(res, placement_summary=summary)
    kf = report.key_figures(r2)
    assert (kf["lost_restored"], kf["lost_voters_restored"]) == (1, int(lost["voters"].iloc[0]))
    text = " ".join(pdftotext(report.build_report(r2, tmp_path / "en.pdf", lang="en")).split())
    assert "Of these, stations the proposed mobile stations restore 1" in text
    assert f"Voters at the restored stations {fmt_int(int(lost['voters'].iloc[0]), 'en')}" in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_legend_fits_inside_the_image(lang):
    """QA: the overview map's legend was clipped at the right edge ("Xã vùng sâu, vùng" instead of "…, vùng xa").
    Every legend entry lies inside the image, and below the axis label, in both languages."""
    res = tiny_results(scenario_down=("VT-002",))
    res.towers.loc[res.towers["id"] == "VNP-011", "status"] = "planned"  # the longest entry: planned towers
    fig = report.overview_figure(res, lang)
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    (legend,) = fig.legends
    width, height = fig.bbox.width, fig.bbox.height
    texts = [tx.get_text() for tx in legend.get_texts()]
    assert ("Xã vùng sâu, vùng xa" if lang == "vi" else "Remote commune") in texts
    for item in [legend, *legend.get_texts()]:
        bb = item.get_window_extent(renderer)
        assert 0 <= bb.x0 and bb.x1 <= width and 0 <= bb.y0 and bb.y1 <= height, (item, bb, width)
    ax = fig.axes[0]
    label = ax.xaxis.label.get_window_extent(renderer)
    assert legend.get_window_extent(renderer).y1 <= label.y0  # under the "E (km)" label, not over it


@needs_poppler
def test_baseline_label_does_not_claim_every_tower_is_on_air(tmp_path):
    """QA: "Hiện trạng (tất cả trạm hoạt động theo dữ liệu)" read as "all towers operating" while the input has
    towers down; it now says "the towers as in the input data", like the English."""
    from coverage_planner import webmap

    res = tiny_results()
    assert (res.towers["status"] == "down").any()
    for lang, label in (("vi", "Hiện trạng (các trạm theo dữ liệu đầu vào)"),
                        ("en", "Baseline (towers as in the input data)")):
        cover = " ".join(pdftotext(report.build_report(res, tmp_path / f"r_{lang}.pdf", lang=lang),
                                   layout=False).split("\f")[0].split())
        assert f": {label}" in cover
        title = re.search(r"<div class='cp-box cp-title'>.*?</div>", webmap.build_map(res, lang=lang), re.S).group(0)
        assert f": {label}<br>" in title
        assert "tất cả trạm hoạt động" not in cover + title


@needs_poppler
def test_lost_summary_singular_for_one_tower_and_province_cover(tmp_path):
    """QA: "Khi các trạm VTL-DBP-036 ngừng hoạt động" used the plural for one tower; the English cover said
    "Province Điện Biên"."""
    one = tiny_results(scenario_down=("VT-002",))
    text = " ".join(pdftotext(report.build_report(one, tmp_path / "one.pdf"), layout=False).split())
    assert "Khi trạm VT-002 ngừng hoạt động, " in text and "các trạm VT-002" not in text
    assert text.startswith("Báo cáo vùng lõm sóng di động tại các điểm bỏ phiếu Tỉnh Điện Biên ")
    two = tiny_results(scenario_down=("VT-002", "VNP-010"))
    text = " ".join(pdftotext(report.build_report(two, tmp_path / "two.pdf"), layout=False).split())
    assert "Khi các trạm VT-002, VNP-010 ngừng hoạt động, " in text
    en = " ".join(pdftotext(report.build_report(one, tmp_path / "en.pdf", lang="en"), layout=False).split())
    assert "Mobile coverage gap report for polling stations Điện Biên Province " in en
    assert "Province Điện Biên" not in en and "With VT-002 off air, " in en


def test_province_name():
    from coverage_planner.i18n import province_name

    assert province_name("Điện Biên", "vi") == "Tỉnh Điện Biên"
    assert province_name("Điện Biên", "en") == "Điện Biên Province"
    assert province_name("Tỉnh Lai Châu", "en") == "Tỉnh Lai Châu"  # already named: not doubled
    assert province_name("Thành phố Hà Nội", "vi") == "Thành phố Hà Nội"
    assert province_name("Lai Chau Province", "vi") == "Lai Chau Province"


@needs_poppler
def test_lost_stations_table_says_which_proposed_station_restores_each(tmp_path):
    """QA: the lost-stations table did not say which mobile site gives each station back."""
    from .test_webmap import _restoring_scenario

    res = _restoring_scenario()
    st = res.stations.set_index("id")
    for lang, head, note in (("vi", "Khôi phục bởi", "Cột “Khôi phục bởi”: trạm lưu động đề xuất phủ lại điểm này"),
                             ("en", "Restored by", "“Restored by”: the proposed mobile station that covers")):
        text = pdftotext(report.build_report(res, tmp_path / f"r_{lang}.pdf", lang=lang), layout=False)
        flat = " ".join(text.split())
        sec = flat[flat.index("Điểm mất sóng trong kịch bản này" if lang == "vi" else
                              "Stations losing signal in this scenario"):]
        assert note in sec and head in sec
        raw = " ".join(subprocess.run(["pdftotext", "-raw", str(tmp_path / f"r_{lang}.pdf"), "-"],
                                      capture_output=True, text=True, check=True).stdout.split())
        # a row reads: name commune voters before → now served-before restored-by
        for sid, site in (("PS03", "MS-01"), ("PS10", "—")):
            r = st.loc[sid]
            assert re.search(rf"{re.escape(r['name'])} {re.escape(r['commune'])} {fmt_int(r['voters'], lang)} "
                             rf".+? → .+? {re.escape(r['baseline_server'])} \(\w+\) {site}(?: |$)", raw), (sid, lang)


# ----------------------------------------------------------------------------------------------------------
# the tiny project through the pipeline, in a failure scenario (QA: report layout and wording)
# ----------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_scenario(tmp_path_factory):
    """The tiny project (tiny_project.py) analysed with its Viettel tower down: stations lose signal, so the
    report has the scenario's longer key-figures table and the lost-stations section."""
    from coverage_planner import pipeline
    from coverage_planner.project import load_project
    from coverage_planner.results import Scenario

    from .tiny_project import write_project

    folder = tmp_path_factory.mktemp("tiny_scenario")
    project = load_project(write_project(folder / "proj"))
    res = pipeline.run(project, Scenario("scenario", ("VTL-001",)), cache_dir=folder / "cache")
    assert res.newly_uncovered and len(res.proposals)
    return res


def page_fill(pdf, top_cm: float = 1.8, bottom_cm: float = 2.0, dpi: int = 30) -> list[float]:
    """Per page, how far down the page's frame (within the top and bottom margins, so without the footer) its
    content reaches: 0 = nothing printed, 1 = down to the bottom margin. Measured on the rendered page
    (pdftoppm): the lowest pixel row darker than light grey, so text, tables and pictures all count."""
    import tempfile
    from pathlib import Path

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        fills = []
        for page in pages:
            px = np.asarray(Image.open(page).convert("L"))
            top, bottom = round(top_cm / 2.54 * dpi), px.shape[0] - round(bottom_cm / 2.54 * dpi)
            dark = np.flatnonzero((px[top:bottom] < 200).any(axis=1))
            fills.append(0.0 if not len(dark) else (dark[-1] + 1) / (bottom - top))
    return fills


def test_page_fill_measures_how_far_down_content_reaches(tmp_path):
    """The measure itself: a page with one line at the top is nearly empty, a full table page is full."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    pdf = tmp_path / "fill.pdf"
    c = Canvas(str(pdf), pagesize=A4)
    w, h = A4
    for y_cm in (3.0, h / cm / 2, 2.5):  # a line 3 cm from the top, half-way, just above the bottom margin
        c.line(2 * cm, h - y_cm * cm if y_cm != 2.5 else 2.5 * cm, 10 * cm, h - y_cm * cm if y_cm != 2.5 else 2.5 * cm)
        c.drawString(2 * cm, 1 * cm, "footer, below the bottom margin: not counted")
        c.showPage()
    c.save()
    first, middle, last = page_fill(pdf)
    assert first < 0.1 and 0.4 < middle < 0.6 and last > 0.95


@needs_poppler
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_scenario_report_leaves_no_page_mostly_blank(tiny_scenario, lang, tmp_path):
    """QA: in a failure scenario the longer key-figures table pushed the overview map to the next page and left
    page 2 mostly blank (short sections each on their own page did the same). The map now fills the rest of
    the key-figures page and a section starts a new page only when little room is left: every page between
    the cover and the last is at least half filled, and page 2 holds the key figures and the whole map, printed
    at 1:1 (QA: scaled into the room, its legend printed at 5 pt). QA: the last page held two rows of the
    parameter table (7 % filled here): it now holds at least about a third of a page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm

    pdf = report.build_report(tiny_scenario, tmp_path / f"r_{lang}.pdf", lang=lang)
    fills = page_fill(pdf)
    assert len(fills) >= 3
    for n, fill in enumerate(fills[1:-1], start=2):
        assert fill >= 0.5, (n, [round(f, 2) for f in fills])
    frame = A4[1] / cm - 1.8 - 2.0  # the page within its margins, as page_fill measures it
    assert fills[-1] >= (report.LAST_PAGE_MIN_CM - 0.5) / frame, [round(f, 2) for f in fills]
    assert _map_on_page(pdf)[0] == pytest.approx(1.0, abs=0.02)  # print scale of the map picture
    page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    heads = ("Số liệu chính", "Bản đồ tổng quan", "Nền: địa hình bóng đổ") if lang == "vi" else (
        "Key figures", "Overview map", "Base: terrain hillshade")
    for head in heads:
        assert head in page2, head
    listing = subprocess.run(["pdfimages", "-f", "2", "-l", "2", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    images = [ln.split() for ln in listing if ln.split()[2] == "image"]
    assert len(images) == 1  # the map, on the same page
    height_cm = int(images[0][4]) / float(images[0][13]) * 2.54  # pixels / pixels per inch as placed
    assert height_cm >= report.MAP_MIN_HEIGHT_CM - 0.1, height_cm  # not shrunk to a stamp to fit


def _cropped(res, rows=slice(None), cols=slice(None)):
    """``res`` on a window of its grid (every grid-shaped array cut to it): a tall or a wide study area."""
    import dataclasses

    g = res.grid
    shape = np.zeros(g.shape, bool)[rows, cols].shape
    grid = dataclasses.replace(g, x0=g.x0 + (cols.start or 0) * g.cellsize,
                               y0=g.y0 - (rows.start or 0) * g.cellsize, shape=shape)
    arrays = {f.name: getattr(res, f.name)[..., rows, cols] for f in dataclasses.fields(res)
              if isinstance(getattr(res, f.name), np.ndarray) and getattr(res, f.name).shape[-2:] == g.shape}
    return dataclasses.replace(res, grid=grid, **arrays)


EXTENTS = {"tall": dict(cols=slice(45, 90)), "wide": dict(rows=slice(35, 65))}  # 9 × 20 km, 28 × 6 km


@pytest.mark.parametrize("extent", ["tall", "wide"])
def test_overview_map_fills_its_box_keeping_its_aspect(extent):
    """QA: the overview map was a fixed 7 in figure: a tall province left white either side of a map smaller
    than the page allowed. Laid out for a box, the map keeps its aspect, nothing leaves the figure or overlaps
    the legend, and the map reaches the box's width or its height (its tick labels and the legend included);
    a tall map in a low box puts its legend at its side and takes nearly the box's whole height."""
    from matplotlib.transforms import Bbox

    res = _cropped(tiny_results(scenario_down=("VT-002",)), **EXTENTS[extent])
    xmin, ymin, xmax, ymax = res.grid.bounds
    m = report.overview_map(res, "vi", dpi=60)
    pad = m.PAD_PX
    for box in ((6.5, 6.0), (6.5, 9.5)):  # the room under the key figures; an empty page
        w, h = m.fit(*box)
        fig, ax = m.fig, m.ax
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        assert w == pytest.approx(box[0]) and h <= box[1] + 1e-9
        frame, tight = ax.get_window_extent(renderer), ax.get_tightbbox(renderer)
        (legend,) = fig.legends
        leg = legend.get_window_extent(renderer)
        assert frame.height / frame.width == pytest.approx((ymax - ymin) / (xmax - xmin), rel=0.01)
        assert not leg.overlaps(tight)
        both = Bbox.union([tight, leg])
        assert both.x0 >= 0 and both.y0 >= 0 and both.x1 <= fig.bbox.width and both.y1 <= fig.bbox.height
        width_bound = both.width >= box[0] * fig.dpi - 2 * pad - 2
        height_bound = h == pytest.approx(box[1]) and both.height >= box[1] * fig.dpi - 2 * pad - 2
        assert width_bound or height_bound, (extent, box, both, fig.bbox)
        if extent == "tall" and box[1] < 7:
            assert leg.x0 >= tight.x1 and frame.height >= 0.85 * box[1] * fig.dpi
        if extent == "wide":  # trimmed: no white band above or below the map
            assert h < box[1] - 1 and width_bound


def test_overview_map_takes_the_room_left_never_less_than_the_minimum():
    """The map block: the picture laid out for the frame's width and the room left, printed at its own size;
    never below the minimum — then it asks for its full size, which moves it to the next page."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph

    report.register_fonts()
    styles = report._styles()
    picture = report.overview_map(_cropped(tiny_results(), **EXTENTS["tall"]), "vi", dpi=40)
    block = report.map_block(Paragraph("Map", styles["h2"]), picture, Paragraph("Caption", styles["small"]),
                             min_height=11 * cm, max_height=25 * cm)
    w, h = block.wrap(17 * cm, 40 * cm)  # lots of room: as large as an empty page allows
    text = h - block.img_h
    full = block.img_h
    assert block.box == pytest.approx((17 * cm, 25 * cm - text))
    assert full == pytest.approx(25 * cm - text)  # a tall map: as high as the page
    assert (block.img_w, block.img_h) == pytest.approx(tuple(72 * v for v in picture.fig.get_size_inches()))
    w, h = block.wrap(17 * cm, 14 * cm + text)  # 14 cm left: the picture is laid out for 14 cm
    assert block.box == pytest.approx((17 * cm, 14 * cm)) and h <= 14 * cm + text + 1e-6
    assert block.img_h == pytest.approx(14 * cm)
    w, h = block.wrap(17 * cm, 8 * cm + text)  # too little room: full size, so the frame starts a new page
    assert h > 8 * cm + text and block.img_h == pytest.approx(full)
    assert block.split(17 * cm, 8 * cm + text) == []


def _map_on_page(pdf, page=2):
    """(the map picture's print scale, the map's height as a share of the picture's, the map's w / h) on
    ``page``: the picture from pdfimages, the map = the rows and columns mostly painted (hillshade, coverage)."""
    import tempfile
    from pathlib import Path

    from PIL import Image

    listing = subprocess.run(["pdfimages", "-f", str(page), "-l", str(page), "-list", str(pdf)],
                             capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    (image,) = [ln.split() for ln in listing if ln.split()[2] == "image"]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdfimages", "-f", str(page), "-l", str(page), "-png", str(pdf), f"{tmp}/i"], check=True)
        px = np.asarray(Image.open(sorted(Path(tmp).glob("i-*.png"))[0]).convert("RGB"))
    dark = px.min(axis=2) < 245  # not white: the hillshade and the coverage colours over it
    cols = np.flatnonzero(dark.mean(axis=0) > 0.5)  # the map's columns, then its rows within them
    rows = np.flatnonzero(dark[:, cols[0]:cols[-1] + 1].mean(axis=1) > 0.5)
    map_w, map_h = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
    return 150 / float(image[12]), map_h / px.shape[0], map_w / map_h


@needs_poppler
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_tall_study_area_map_takes_the_page_at_full_scale(lang, tmp_path):
    """QA: the overview map of a tall province was a 7 in figure shrunk into the room under the key figures:
    legend and tick labels printed at 5 pt or less, white either side and a band under the map. Now the picture
    is printed at 1:1 (the legend at its 6.5 pt), reaches the foot of the page, and the map (its legend at the
    side) takes nearly all of its height, aspect kept."""
    res = _cropped(tiny_results(scenario_down=("VT-002",)), **EXTENTS["tall"])
    pdf = report.build_report(res, tmp_path / f"r_{lang}.pdf", lang=lang)
    scale, height_share, aspect = _map_on_page(pdf)
    xmin, ymin, xmax, ymax = res.grid.bounds
    assert scale == pytest.approx(1.0, abs=0.02), scale
    assert page_fill(pdf)[1] >= 0.95
    assert height_share >= 0.88, height_share
    assert aspect == pytest.approx((xmax - xmin) / (ymax - ymin), rel=0.03)


def _with_parameters(res, n):
    """``res`` with ``n`` more recorded parameters: one more row each in the report's last table."""
    import dataclasses

    return dataclasses.replace(res, parameters={**res.parameters, "extra": {f"p{i:02d}": i for i in range(n)}})


@needs_poppler
def test_last_page_is_never_nearly_empty(tiny_scenario, tmp_path, lang="vi"):
    """QA: the last page of the report held two rows of the parameter table. The tiny scenario's report is
    lengthened a few rows of its last table at a time, over a whole page, so that somewhere the table runs
    just over a page (where the old layout left a few rows alone): the last page always holds at least about a
    third of a page, and the pages between the cover and it stay at least half filled."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm

    frame = A4[1] / cm - 1.8 - 2.0  # the page within its margins, as page_fill measures it
    pages = set()
    for n in range(0, 64, 8):  # 8 one-line rows ≈ 3.8 cm a step, 56 rows > a page
        f = page_fill(report.build_report(_with_parameters(tiny_scenario, n), tmp_path / f"r{n}.pdf", lang=lang))
        pages.add(len(f))
        assert f[-1] >= (report.LAST_PAGE_MIN_CM - 0.5) / frame, (n, [round(x, 2) for x in f])
        assert min(f[1:-1]) >= 0.5, (n, [round(x, 2) for x in f])
    assert len(pages) == 2  # the sweep did cross a page break


def test_station_classes_have_distinct_marker_shapes(monkeypatch):
    """QA: printed in black and white, good / weak / no-signal stations were the same dots. Each class now has
    its own marker shape on the overview map and the same shape in its legend entry, and none of them is the
    tower's ▲, the down tower's ✕ or the proposal's ★."""
    from matplotlib.colors import to_hex

    from coverage_planner.webmap import STATUS_COLOURS

    res = tiny_results(scenario_down=("VT-002",))
    assert set(res.stations["status"]) == {"good", "weak", "none"}
    scatters, legend = _spy_overview(monkeypatch, res, lambda x: sorted(np.round(np.atleast_1d(x), 6)))
    st = res.stations
    drawn, others = {}, set()
    for xs, kw in scatters:  # a station layer is the scatter of exactly that class's stations, in its colour
        status = next((s for s in STATUS_COLOURS
                       if xs == sorted(np.round(st.geometry.x[st["status"] == s].to_numpy() / 1000, 6))), None)
        if status:
            assert to_hex(kw["c"]) == STATUS_COLOURS[status]
            drawn[status] = kw.get("marker", "o")  # matplotlib's default is a circle
        else:
            others.add(kw.get("marker", "o"))
    assert set(drawn) == {"good", "weak", "none"}
    assert len(set(drawn.values())) == 3, drawn  # three shapes
    assert {"^", "X", "*"} <= others and not others & set(drawn.values())  # none is a tower's or a proposal's
    handles = {h.get_label(): h for h in legend}
    for status, label in (("good", "Good"), ("weak", "Weak"), ("none", "No signal")):
        assert handles[label].get_marker() == drawn[status], status
        assert to_hex(handles[label].get_markerfacecolor()) == STATUS_COLOURS[status]


SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@needs_poppler
def test_vietnamese_report_names_no_parameter_identifiers(tiny_scenario, tmp_path):
    """QA: "(tăng mast_height_m hoặc eirp_dbm)" and other setting names printed in the Vietnamese report. The
    reasons, warnings and parameters the core writes (its own wording, not copies) come out with Vietnamese
    terms: no snake_case identifier is left in the text, except inside file names. The English report keeps the
    core's wording."""
    import dataclasses

    from analysis.placement import ReachStats

    stats = ReachStats(n_in_range=np.array([819, 0]), n_covering=np.array([0, 0]),
                       min_loss_db=np.array([128.7, np.nan]), max_loss_db=np.array([127.0, 127.0]))
    st = tiny_scenario.stations.iloc[:2]
    unreachable = st[["id", "name", "commune"]].assign(reason=[stats.reason(0), stats.reason(1)])
    warnings = [*tiny_scenario.warnings,
                "radio: COST-231-Hata has no rural (open area) form: hata_environment 'rural' uses the medium-city "
                "formula, about 30 dB more loss than Okumura-Hata's open area at 1800 MHz",
                "communes: 2 invalid polygon(s) repaired (make_valid)",
                "towers: 3 row(s) without height_m: used default 30 (4G)",
                "towers.csv: columns 'do_cao', 'height' all mean 'height_m'; using 'do_cao'"]
    params = dict(tiny_scenario.parameters, placement={"mast_height_m": 20.0, "eirp_dbm": 55.0})
    r = dataclasses.replace(tiny_scenario, unreachable=unreachable, warnings=warnings, parameters=params)
    text = " ".join(pdftotext(report.build_report(r, tmp_path / "vi.pdf"), layout=False).split())
    assert "chiều cao cột anten hoặc EIRP của trạm lưu động" in text  # the reason, in Vietnamese
    files = re.compile(r"\S+\.(?:csv|tif|tiff|hgt|asc|geojson|gpkg|shp|xlsx|md|py)\b")
    quoted = re.compile(r"'[^']*'")  # column names of the user's files, quoted as they are
    left = SNAKE_CASE.findall(quoted.sub("", files.sub("", text)))
    assert not left, sorted(set(left))
    en = " ".join(pdftotext(report.build_report(r, tmp_path / "en.pdf", lang="en"), layout=False).split())
    assert "(raise mast_height_m or eirp_dbm)" in en and "hata_environment 'rural'" in en
    assert "placement.mast_height_m" in en


def _spy_overview(monkeypatch, res, key):
    """Draw the PDF overview map of ``res`` and return what it drew: ``[(key(x), scatter kwargs), …]`` for every
    scatter call and the handles given to the figure legend."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    calls, legend = [], []
    original_scatter, original_legend = Axes.scatter, Figure.legend

    def scatter(self, x, y, *args, **kwargs):
        calls.append((key(x), kwargs))
        return original_scatter(self, x, y, *args, **kwargs)

    def spy_legend(self, *args, **kwargs):
        legend[:] = kwargs.get("handles", [])
        return original_legend(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "scatter", scatter)
    monkeypatch.setattr(Figure, "legend", spy_legend)
    report.overview_png(res, "en", width_in=4.0, dpi=60)
    return calls, legend


def _pages_text(pdf) -> list[str]:
    """The text of each page (pdftotext, form feeds between pages)."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")[:-1]


@needs_poppler
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_body_first_then_complete_annexes_with_true_page_references(res, lang, tmp_path):
    """QA (coordination meeting): the first pages were key figures and then ten pages of the weak/no-signal
    list, six of single points of failure; the proposed sites and the contingency plan came after page 13.
    Now the body — summary, communes with gaps, proposals with backhaul, what cannot be reached, contingency
    plan — comes first, and the per-station lists are annexes that start on a page of their own, so the body
    prints alone. The cover's contents, the body's "see Annex A, p. N" and the footer's "Page x of y" give the
    pages the sections are really on."""
    from coverage_planner.i18n import t

    pdf = report.build_report(res, tmp_path / f"r_{lang}.pdf", lang=lang)
    pages = _pages_text(pdf)
    n = len(pages)
    assert n == int(pdfinfo(pdf)["Pages"])

    def page_of(text) -> int:  # the first page (1-based) a heading line is on, the cover's contents aside
        return next(i for i, p in enumerate(pages[1:], start=2) if text in [ln.strip() for ln in p.splitlines()])

    body = [t(k, lang) for k in ("report.key_figures", "report.newly", "report.communes", "report.proposals",
                                 "report.unreachable")]
    annexes = [t("report.annex", lang, letter=x) for x in "ABC"]
    at = [page_of(h) for h in body + annexes]
    assert at == sorted(at), at  # body, then the annexes A, B, C
    a, b, c = at[-3:]
    assert t("report.gaps", lang) in pages[a - 1] and t("report.spof", lang) in pages[b - 1]
    assert t("report.methods", lang) in pages[c - 1]
    # Annex A starts a page: nothing of the body on it, and the page before it is the body's last
    first_line = next(ln for ln in pages[a - 1].splitlines() if ln.strip())
    assert first_line.strip() == annexes[0]
    # the complete list: every weak / no-signal station is in Annex A (between A and B), none dropped
    annex_a = "\f".join(pages[a - 1:b])
    annex_a = annex_a[annex_a.index(annexes[0]):annex_a.index(annexes[1])]
    bad = res.stations[res.stations["status"] != "good"]
    assert all(i in annex_a for i in bad["id"]) and len(bad) > 0
    # page references: the contents on the cover, the body's pointers, the footers
    flat = [" ".join(p.split()) for p in pages]
    see_a = t("report.see_annex", lang, letter="A", page=a)
    assert any(see_a in p for p in flat[:a - 1]), see_a
    assert t("report.toc.print", lang, end=a - 1, first=a, total=n) in flat[0]
    for key, page in (("report.toc.annex_a", a), ("report.toc.annex_b", b), ("report.toc.annex_c", c),
                      ("report.toc.proposals", page_of(t("report.proposals", lang)))):
        assert re.search(re.escape(t(key, lang)) + rf"\s+{page}\b", pages[0]), key
    footer = t("report.page", lang, n="X", total=n).replace("X", r"(\d+)")
    assert [int(m) for m in re.findall(footer, "\n".join(pages))] == list(range(1, n + 1))


@needs_poppler
def test_commune_table_lists_the_communes_with_gaps_and_the_sites_proposed_there(tmp_path):
    """QA: the commune table had every commune, those without a single weak or no-signal station too, and did
    not say what the plan does for a commune. Now it lists the communes with gaps (the others in one line under
    it), with the proposed sites covering stations there (how many each) and how many stay short of signal."""
    r = tiny_results()
    layout = pdftotext(report.build_report(r, tmp_path / "r.pdf", lang="en"))
    rows = _section(layout, "By commune", "Proposed mobile base stations")
    sec = " ".join(rows.split())
    st = r.stations
    covered = {i: s.site_id for s in r.proposals.itertuples() for i in s.stations_covered.split(";") if i}
    for c in r.communes.itertuples():
        bad = st[(st["commune"] == c.name) & (st["status"] != "good")]
        if not len(bad):
            assert re.search(r"Communes where every polling station has a good signal \(\d+\): [^.]*"
                             + re.escape(c.name), sec), c.name
            continue
        sites = sorted({covered[i] for i in bad["id"] if i in covered})
        for site in sites:
            n = sum(covered.get(i) == site for i in bad["id"])
            assert f"{site} ({n})" in sec, (c.name, site)
        left = sum(i not in covered for i in bad["id"])
        assert re.search(rf"^\s*{re.escape(c.name)}\s.*\s{left}\s*$", rows, re.M), c.name  # "Still short"
    assert len(covered) > 0


def test_backhaul_keeps_km_and_fresnel_values_with_their_units(res):
    """QA: in the proposals table "F1" ended a line and its value "41,46" began the next; a no-break space
    keeps "F1 0,62" and "5,0 km" on one line (in the table's cells, as reportlab wraps them)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Table

    from coverage_planner.i18n import fmt_float

    report.register_fonts()
    story = report._story(res, "vi", report._styles(), A4[0] - 4 * cm, A4[1] - 3.8 * cm - 12)
    cells = [c.text for tb in story if isinstance(tb, Table) for row in tb._cellvalues for c in row
             if hasattr(c, "text")]
    p = res.proposals[res.proposals["backhaul_tower"].astype(str) != ""].iloc[0]
    assert any(f"F1\u00a0{fmt_float(p.backhaul_clearance, 2, 'vi')}" in c for c in cells)
    assert any(f"{fmt_float(p.backhaul_distance_km, 1, 'vi')}\u00a0km" in c for c in cells)
    assert not any(re.search(r"F1 \d", c) for c in cells)  # (the check can fail: a plain space)
