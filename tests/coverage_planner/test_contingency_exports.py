"""The contingency plan in the exports: GIS table and layer, PDF section, HTML map layer."""

from __future__ import annotations

import re
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage_planner import gisexport, report, webmap
from coverage_planner.pipeline import CONTINGENCY_COLUMNS

from .test_webmap import calls
from .tiny_results import tiny_results


@pytest.fixture()
def res():
    r = tiny_results()
    st = r.stations
    lost = st[st["status"] != "none"].iloc[:3]
    rows = [dict(site="VT-001", operator="Viettel", towers="VT-001", site_lon=103.1, site_lat=21.5, n_lost=2,
                 voters_lost=int(lost["voters"].iloc[:2].sum()), stations_lost=";".join(lost["id"].iloc[:2]),
                 restore_lon=103.12, restore_lat=21.52, restore_x=300100.0, restore_y=2370100.0, commune="Xã A",
                 elevation_m=812.0, n_restored=1, voters_restored=int(lost["voters"].iloc[0]),
                 stations_restored=lost["id"].iloc[0], backhaul="ok", backhaul_tower="VT-002",
                 backhaul_distance_km=6.4, backhaul_clearance=1.3, note=""),
            dict(site="MB-001", operator="MobiFone", towers="MB-001-A;MB-001-B", site_lon=103.0, site_lat=21.4,
                 n_lost=1, voters_lost=int(lost["voters"].iloc[2]), stations_lost=lost["id"].iloc[2],
                 restore_lon=np.nan, restore_lat=np.nan, restore_x=np.nan, restore_y=np.nan, commune=np.nan,
                 elevation_m=np.nan, n_restored=0, voters_restored=0, stations_restored="", backhaul=np.nan,
                 backhaul_tower=np.nan, backhaul_distance_km=np.nan, backhaul_clearance=np.nan,
                 note="no candidate site reaches these stations with a good level")]
    r.contingency = gpd.GeoDataFrame(pd.DataFrame(rows, columns=CONTINGENCY_COLUMNS),
                                     geometry=[Point(300100.0, 2370100.0), None], crs=r.grid.crs)
    r._lost = lost
    return r


def test_gis_files_carry_the_plan(res, tmp_path):
    gisexport.export_all(res, tmp_path)
    table = pd.read_csv(tmp_path / "contingency_plan.csv", keep_default_na=False)
    assert list(table["site"]) == ["VT-001", "MB-001"] and list(table["n_restored"]) == [1, 0]
    layer = gpd.read_file(tmp_path / "coverage.gpkg", layer="contingency_sites")
    assert len(layer) == 2 and layer.geometry.iloc[0].x == pytest.approx(300100.0) and layer.geometry.iloc[1] is None
    assert "contingency_plan" in pd.ExcelFile(tmp_path / "coverage_tables.xlsx").sheet_names


def test_map_has_an_off_by_default_layer_for_restorable_sites(res, tmp_path):
    page = webmap.write_map(res, tmp_path / "m.html", lang="en").read_text(encoding="utf-8")
    (lab, items), = calls(page, "Contingency")
    assert len(items) == 1 and items[0][3] == "If VT-001 (Viettel) fails: place a mobile station here"
    assert items[0][:2] == [21.52, 103.12] and items[0][4:6] == [21.5, 103.1]
    row = dict(zip(items[0][6::2], items[0][7::2], strict=True))
    lost = [f"{n} ({c}, {i})" for n, c, i in zip(res._lost["name"], res._lost["commune"], res._lost["id"], strict=True)]
    assert row[7] == lost[0] and row[6] == lost[1]  # restored / still without signal, with communes and ids
    # a layer of its own, listed in the layer control but not drawn until ticked (off by default)
    group = re.search(r'"Contingency: if a site fails \(1\)" : (feature_group_\w+)', page).group(1)
    assert f"cpContingency({group}," in page and f"{group}.addTo(" not in page
    proposals = re.search(r'"Proposed mobile stations \(2\)" : (feature_group_\w+)', page).group(1)
    assert f"{proposals}.addTo(" in page  # (the check can fail: other layers are drawn at once)
    assert "Mobile station if a site fails" in page


def test_report_section(res, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    for lang, title, note in (("en", "Contingency plan: if a site fails", "no candidate site"),
                              ("vi", "Phương án ứng cứu khi một trạm gặp sự cố", "không có vị trí ứng viên")):
        pdf = report.build_report(res, tmp_path / f"r_{lang}.pdf", lang=lang)
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())
        assert title in text and note in text
        assert "VT-001 (Viettel)" in text and "MB-001 (MobiFone)" in text
        assert res._lost["name"].iloc[2] in text
    assert "2 sites are the only server of 3 polling stations" in " ".join(subprocess.run(
        ["pdftotext", str(tmp_path / "r_en.pdf"), "-"], capture_output=True, text=True, check=True).stdout.split())


def _raw_text(pdf) -> str:
    """pdftotext -raw: the text in drawing order, so a table cell's lines stay together."""
    return " ".join(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_map_popup_of_a_contingency_site_says_where_and_which_stations(res, tmp_path):
    """QA: the popup gave neither the restore point's coordinates and elevation nor which stations it restores
    and which stay without signal."""
    for lang, labels in (("en", ["Lose signal: stations / voters", "Restored: stations / voters",
                                 "Lat, lon (WGS 84)", "Elevation", "Commune", "Backhaul", "Still without signal",
                                 "Stations restored"]),
                         ("vi", ["Mất sóng: điểm / cử tri", "Khôi phục: điểm / cử tri", "Vĩ độ, kinh độ (WGS 84)",
                                 "Độ cao", "Xã/phường", "Truyền dẫn", "Vẫn mất sóng", "Điểm được khôi phục"])):
        (lab, items), = calls(webmap.build_map(res, lang=lang), "Contingency")
        assert lab == labels
        row = {lab[k]: v for k, v in zip(items[0][6::2], items[0][7::2], strict=True)}
        lost = [f"{n} ({c}, {i})"
                for n, c, i in zip(res._lost["name"], res._lost["commune"], res._lost["id"], strict=True)]
        assert row[labels[7]] == lost[0] and row[labels[6]] == lost[1]
        assert row[labels[2]] == "21.52000, 103.12000"
        assert row[labels[3]] == "812 m"
    # every lost station restored: "—" under "still without signal"
    res.contingency.loc[0, ["n_restored", "stations_restored"]] = [2, res.contingency.loc[0, "stations_lost"]]
    (lab, items), = calls(webmap.build_map(res, lang="en"), "Contingency")
    row = {lab[k]: v for k, v in zip(items[0][6::2], items[0][7::2], strict=True)}
    assert row["Still without signal"] == "—" and row["Stations restored"].count(" (") == 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_report_rows_name_the_stations_still_without_signal_with_their_commune(res, tmp_path):
    """QA: a row listed five lost stations and "(+7)", not which ones the mobile site leaves without signal, and
    names without their commune (names repeat across communes). The note said the site "restores the most
    voters" though it maximises the priority weight. QA: no station id to match the console and the map; the
    stations listed in id order, not as the tables (commune, then name)."""
    from coverage_planner.i18n import natural_key

    st = res.stations
    lbl = {i: f"{n} ({c}, {i})" for i, n, c in zip(st["id"], st["name"], st["commune"], strict=True)}
    key = {i: (natural_key(c), natural_key(n)) for i, n, c in zip(st["id"], st["name"], st["commune"], strict=True)}
    ids = sorted(st["id"].iloc[:9], key=key.get)  # the tables' order
    assert ids != list(st["id"].iloc[:9])  # (the check can fail: id order differs)
    # a site whose failure cuts 9 stations, 2 of them restored
    res.contingency.loc[0, ["n_lost", "stations_lost", "n_restored", "stations_restored"]] = [
        9, ";".join(sorted(ids)), 2, ";".join(sorted(ids[3:5]))]  # the plan lists ids in id order
    text = _raw_text(report.build_report(res, tmp_path / "r_en.pdf", lang="en"))
    sec = text[text.index("Contingency plan: if a site fails"):text.index("Polling stations with weak or no signal")]
    assert "restores the most priority weight (voters × the station's priority, raised for border and remote" in sec
    assert "restores the most voters" not in text
    # QA (meeting layout): the row gives counts, not three names and "(+6)"; the 7 not restored all listed, with
    # their communes and ids, under "Still without signal"; every lost station is in Annex B, by site
    assert f"9 / {res.contingency.loc[0, 'voters_lost']}" in sec and "(+6)" not in sec
    kept = [lbl[i] for i in ids if i not in ids[3:5]]
    assert "Still without signal" in sec and "7: " + ", ".join(kept) in sec
    # nothing restored: the row lists them all as still without signal
    gone = res._lost.iloc[2]
    assert f"1: {gone['name']} ({gone['commune']}, {gone['id']})" in sec
    assert "see Annex B, p. " in sec
    vi = _raw_text(report.build_report(res, tmp_path / "r_vi.pdf", lang="vi"))
    sec = vi[vi.index("Phương án ứng cứu khi một trạm gặp sự cố"):vi.index("Điểm bỏ phiếu sóng yếu hoặc không có sóng")]
    assert "khôi phục được tổng trọng số ưu tiên lớn nhất (số cử tri × mức ưu tiên của điểm" in sec
    assert "khôi phục được nhiều cử tri nhất" not in vi
    assert "Vẫn mất sóng" in sec and "7: " + ", ".join(kept) in sec
