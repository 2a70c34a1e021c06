"""The GIS and table exports as a GIS analyst opens them: the GeoPackage in QGIS (styles, empty layers, types),
the GeoTIFFs (band description, unit, QGIS style sidecars, best_server value → tower), the XLSX in Excel (bold
frozen header with filters, number formats, numbers as numbers) and the CSVs (0/1 for yes/no)."""

from __future__ import annotations

import csv
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio

from coverage_planner import gisexport
from tests.coverage_planner.tiny_results import tiny_results


@pytest.fixture(scope="module")
def res():
    r = tiny_results()
    r.placement_summary = {**r.placement_summary, "exact_converged": True, "lscp_exact": False, "near_misses": 7}
    return r


@pytest.fixture(scope="module")
def out(res, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gis")
    gisexport.export_all(res, folder)
    return folder


def _qml(text: str) -> ET.Element:
    return ET.fromstring(text.split("\n", 1)[1])  # after the DOCTYPE line


def test_gpkg_has_a_default_qgis_style_per_layer(out, res):
    """QGIS applies the layer_styles row marked default: stations by status with the map's shapes and colours."""
    con = sqlite3.connect(out / "coverage.gpkg")
    rows = {n: (g, d, q) for n, g, d, q in con.execute(
        "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles")}  # fmt: skip
    kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    con.close()
    layers = {name for name, _ in pyogrio.list_layers(out / "coverage.gpkg") if name != "layer_styles"}
    assert set(rows) == layers and kinds["layer_styles"] == "attributes"
    assert all(g == "geom" and d == 1 for g, d, _q in rows.values())
    stations = _qml(rows["polling_stations"][2]).find("renderer-v2")
    assert stations.get("type") == "categorizedSymbol" and stations.get("attr") == "status"
    cats = {c.get("value"): c for c in stations.iter("category")}
    assert set(cats) == set(res.stations["status"]) | {"good", "weak", "none"}
    assert cats["none"].get("label") == "Không có sóng / No signal"
    symbols = {s.get("name"): s for s in stations.iter("symbol")}
    none_sym = symbols[cats["none"].get("symbol")]
    props = {o.get("name"): o.get("value") for o in none_sym.iter("Option") if o.get("name")}
    assert props["name"] == "square" and props["color"] == "215,25,28,255"  # ■ #d7191c as on the map
    gaps = _qml(rows["gap_areas"][2]).find("renderer-v2")
    assert {c.get("value") for c in gaps.iter("category")} == {"none", "weak"}
    # the layers still read as before
    assert len(gpd.read_file(out / "coverage.gpkg", layer="polling_stations")) == len(res.stations)


def test_rasters_say_what_they_hold_and_come_with_qgis_styles(out, res):
    with rasterio.open(out / "best_level_dbm.tif") as ds:
        assert ds.units == ("dBm",) and "best received level" in ds.descriptions[0] and ds.nodata == -9999
        level = ds.read(1)
    expected = np.where(np.isfinite(res.best_level), res.best_level, -9999).astype(np.float32)
    assert np.array_equal(level, expected)
    with rasterio.open(out / "best_server.tif") as ds:
        server = ds.read(1)
        assert "raster_value" in ds.descriptions[0]
    assert np.array_equal(server, res.best_server.astype(np.int32))
    level_style = _qml((out / "best_level_dbm.qml").read_text(encoding="utf-8"))
    items = [i.get("value") for i in level_style.iter("item")]
    assert items == ["-105", "-95", "-85", "-75", "-65", "inf"]
    assert (out / "proposed_sites_level_dbm.qml").exists() and (out / "server_count.qml").exists()


def test_best_server_values_name_their_tower(out, res):
    """A value v of best_server.tif is the tower whose raster_value is v (towers.csv, the towers layer), and the
    QGIS style labels v with that tower's id."""
    towers = pd.read_csv(out / "towers.csv", encoding="utf-8-sig")
    assert list(towers["raster_value"]) == list(range(len(res.towers)))
    layer = gpd.read_file(out / "coverage.gpkg", layer="towers")
    assert list(layer["raster_value"]) == list(towers["raster_value"]) and list(layer["id"]) == list(towers["id"])
    palette = {int(e.get("value")): e.get("label")
               for e in _qml((out / "best_server.qml").read_text(encoding="utf-8")).iter("paletteEntry")}
    by_value = dict(zip(towers["raster_value"], towers["id"], strict=True))
    used = np.unique(res.best_server[res.best_server >= 0])
    assert len(used) >= 2
    for v in used:
        assert palette[int(v)].startswith(by_value[int(v)] + " (")


def test_xlsx_opens_ready_to_read_in_excel(out):
    import openpyxl

    wb = openpyxl.load_workbook(out / "coverage_tables.xlsx")
    for ws in wb:
        assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1]), ws.title
        assert ws.auto_filter.ref == ws.dimensions, ws.title
    ws = wb["polling_stations"]
    head = {c.value: c.column for c in ws[1]}
    lon = ws.cell(row=2, column=head["lon"])
    assert isinstance(lon.value, float) and lon.number_format == "0.00000"
    assert ws.cell(row=2, column=head["level_dbm"]).number_format == "0.0"
    assert ws.cell(row=2, column=head["voters"]).number_format == "#,##0"
    assert ws.cell(row=2, column=head["name"]).number_format == "General"
    summary = {r[0].value: r[1].value for r in wb["placement_summary"].iter_rows(min_row=2)}
    assert summary["k"] == 2 and summary["near_misses"] == 7 and summary["greedy_objective"] == 3
    assert summary["exact_converged"] == 1 and summary["lscp_exact"] == 0 and summary["solver"] == "HiGHS"


def test_placement_summary_csv_writes_yes_no_as_0_1(out):
    rows = dict(csv.reader((out / "placement_summary.csv").open(encoding="utf-8-sig")))
    assert rows["exact_converged"] == "1" and rows["lscp_exact"] == "0" and rows["k"] == "2"


def test_a_run_that_proposes_nothing_keeps_typed_empty_layers(tmp_path):
    """No proposals, no unreachable station, no gap: the layers are there with no features, their geometry type
    and numeric columns, so a QGIS project made on another run still opens."""
    r = tiny_results()
    cols = ["rank", "site_id", "lon", "lat", "x", "y", "commune", "elevation_m", "n_stations", "stations_covered",
            "stations_in_reach", "voters_covered", "weight_covered", "backhaul", "backhaul_tower",
            "backhaul_distance_km", "backhaul_clearance"]  # fmt: skip
    r.proposals = gpd.GeoDataFrame(columns=cols, geometry=[], crs=r.grid.crs)  # as the pipeline builds it
    r.unreachable = pd.DataFrame(columns=["id", "name", "commune", "reason"])
    r.gaps = gpd.GeoDataFrame(columns=["status", "area_km2", "commune", "nearest_tower", "nearest_tower_km"],
                              geometry=[], crs=r.grid.crs)
    gisexport.export_all(r, tmp_path)
    info = {name: kind for name, kind in pyogrio.list_layers(tmp_path / "coverage.gpkg")}
    assert info["proposed_sites"] == "Point" and info["unreachable_stations"] == "Point"
    assert info["gap_areas"] == "Polygon"
    meta = pyogrio.read_info(tmp_path / "coverage.gpkg", layer="proposed_sites")
    types = dict(zip(meta["fields"], meta["dtypes"], strict=True))
    assert meta["features"] == 0 and meta["crs"] == "EPSG:32648"
    assert types["rank"] == "int64" and types["voters_covered"] == "int64" and types["lat"] == "float64"
    assert types["site_id"] == "object"
    assert pyogrio.read_info(tmp_path / "coverage.gpkg", layer="gap_areas")["dtypes"][1] == "float64"


def test_geopackage_is_version_1_2_so_older_gdal_reads_it_without_warning(out):
    con = sqlite3.connect(out / "coverage.gpkg")
    (version,), (app,) = con.execute("PRAGMA user_version").fetchone(), con.execute("PRAGMA application_id").fetchone()
    con.close()
    assert version == 10200 and app == 0x47504B47  # "GPKG"
