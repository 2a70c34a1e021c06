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
    assert row[1] == ", ".join(res._lost["name"].iloc[:2])  # the names of the stations that lose signal
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
