"""coverage_planner.inputs: every loader on good input and on each error case; load_inputs on a mini project."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from coverage_planner import i18n, io
from coverage_planner.errors import CRSError, InputError, ProjectError
from coverage_planner.inputs import (
    STATION_COLUMNS,
    TOWER_COLUMNS,
    check_points_in_terrain,
    load_communes,
    load_inputs,
    load_lines,
    load_points,
    load_stations,
    load_towers,
    normalise_name,
    parse_number,
)
from coverage_planner.project import RadioSettings, load_project

from .conftest import (
    BORDER_LON,
    STATION_HEADER,
    STATION_ROWS,
    TOWER_HEADER,
    TOWER_ROWS,
    build_project,
    commune_features,
    line_fc,
    write_csv,
    write_geojson,
)

UTM = "EPSG:32648"
TO_UTM = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
EXTENT = (102.95, 21.30, 103.10, 21.45)


def problems_of(exc_info) -> str:
    return "\n".join(exc_info.value.problems)


# ------------------------------------------------------------------------------------------ names and numbers
@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Kinh độ", "kinh_do"),
        ("VĨ ĐỘ", "vi_do"),
        ("  Mã trạm ", "ma_tram"),
        ("Độ cao anten (m)", "do_cao_anten_m"),
        ("Tần-số MHz", "tan_so_mhz"),
        ("đ", "d"),
        ("Longitude", "longitude"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "raw,expected", [("21.5", 21.5), ("21,5", 21.5), (" 1 200 ", 1200.0), ("103.05°", 103.05), ("abc", None),
                     ("", None), ("1,234.5", None), ("nan", None), (7, 7.0),
                     # a space only as a thousands separator: "4 5" is a typo, not 45
                     ("4 5", None), ("12 34", None), ("1 2345", None), ("1\u00a0234", 1234.0), ("12 500,5", 12500.5),
                     ("-1 000", -1000.0), ("103.05 °", 103.05)],
)  # fmt: skip
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


# ------------------------------------------------------------------------------------------ towers
def test_towers_sample_columns(towers_csv):
    warnings = []
    before = io.file_sha256(towers_csv)
    t = load_towers(towers_csv, crs=UTM, warnings=warnings)
    assert list(t.columns) == TOWER_COLUMNS and t.crs.to_string() == UTM
    assert t["id"].tolist() == ["DBN001", "DBN002", "DBN003"]
    assert t["technology"].tolist() == ["4G", "2G", "3G"]
    assert t["status"].tolist() == ["on_air", "on_air", "down"]
    assert t["source_row"].tolist() == [2, 3, 4]
    r = t.set_index("id")
    assert r.loc["DBN001", "height_m"] == 30 and r.loc["DBN001", "azimuth_deg"] == 120
    # DBN002 leaves azimuth/beamwidth/tilts empty: omni + 2G defaults
    d2 = RadioSettings().defaults["2G"]
    assert np.isnan(r.loc["DBN002", "azimuth_deg"])
    assert r.loc["DBN002", "beamwidth_deg"] == d2.beamwidth_deg and r.loc["DBN002", "mech_tilt_deg"] == d2.mech_tilt_deg
    assert r.loc["DBN003", "elec_tilt_deg"] == 2 and r.loc["DBN003", "front_to_back_db"] == 25
    # positions: exact UTM transform of lon/lat
    x, y = TO_UTM.transform(103.0, 21.4)
    assert r.loc["DBN001"].geometry.x == pytest.approx(x, abs=1e-6) and r.loc["DBN001"].geometry.y == pytest.approx(y)
    assert r.loc["DBN001", "lon"] == 103.0 and r.loc["DBN001", "lat"] == 21.4
    assert any("status down" in w and "DBN003" in w for w in warnings)
    assert io.file_sha256(towers_csv) == before  # loaders never change input files


def test_towers_vietnamese_headers_with_accents_and_values(tmp_path):
    p = write_csv(
        tmp_path / "t.csv",
        ["Mã trạm", "Nhà mạng", "Công nghệ", "Kinh độ", "Vĩ độ", "Trạng thái", "Công suất phát", "Độ lợi", "Suy hao"],
        [
            ["A", "Viettel", "LTE", "103,01", "21,40", "Hoạt động", 43, 18, 3],
            ["B", "VNPT", "GSM", "103.02", "21.41", "Mất sóng", 40, "", ""],
            ["C", "MobiFone", "wcdma", "103.03", "21.42", "dự kiến", "", "", ""],
        ],
    )
    warnings = []
    defaults = RadioSettings().defaults
    t = load_towers(p, crs=UTM, warnings=warnings).set_index("id")
    assert t["technology"].tolist() == ["4G", "2G", "3G"]
    assert t["status"].tolist() == ["on_air", "down", "planned"]
    assert t.loc["A", "eirp_dbm"] == 43 + 18 - 3  # EIRP from Tx power + gain − losses
    assert t.loc["B", "eirp_dbm"] == 40 + defaults["2G"].antenna_gain_dbi - defaults["2G"].losses_db
    assert t.loc["C", "eirp_dbm"] == defaults["3G"].eirp_dbm
    assert t.loc["A", "frequency_mhz"] == 1800 and t.loc["B", "frequency_mhz"] == 900
    assert t.loc["A", "lon"] == pytest.approx(103.01)
    assert "towers: t.csv has no frequency_mhz column: every tower uses the default 1800 (4G), 2100 (3G), 900 (2G)" in warnings


def test_towers_xlsx_with_title_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH TRẠM BTS"])
    ws.append([None])
    ws.append(["STT", "Mã trạm", "Kinh độ", "Vĩ độ", "Công nghệ"])
    ws.append([1, "A", 103.0, 21.4, "4G"])
    ws.append([2, "B", 103.1, "21,45x", "2G"])
    wb.save(tmp_path / "bts.xlsx")
    with pytest.raises(InputError) as ei:
        load_towers(tmp_path / "bts.xlsx", crs=UTM)
    assert problems_of(ei) == "row 5, column 'Vĩ độ' (lat): '21,45x' is not a number"


def test_towers_default_technology_and_omni_word(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["id", "lon", "lat", "azimuth"], [["A", 103, 21.4, "omni"], ["B", 103, 21.41, 360]])
    warnings = []
    t = load_towers(p, crs=UTM, default_technology="2G", warnings=warnings)
    assert t["technology"].tolist() == ["2G", "2G"]
    assert np.isnan(t["azimuth_deg"][0]) and t["azimuth_deg"][1] == 0
    assert t["operator"].tolist() == ["unknown", "unknown"]
    assert "towers: t.csv has no technology column: every tower is taken as 2G" in warnings
    assert not any("not recognised" in w for w in warnings)
    p = write_csv(tmp_path / "u.csv", ["STT", "id", "lon", "lat", "tan_s", "Kiểu", "Ghi chú"], [[1, "A", 103, 21.4, 900, "x", ""]])
    warnings = []
    load_towers(p, crs=UTM, warnings=warnings)
    assert any("not recognised and ignored in u.csv: 'tan_s', 'Kiểu' (see" in w for w in warnings)


def _tower_gdf():
    import geopandas as gpd
    from shapely.geometry import Point

    rows = [dict(zip(TOWER_HEADER, r, strict=True)) for r in TOWER_ROWS]
    geoms = [Point(r.pop("kinh_do"), r.pop("vi_do")) for r in rows]
    for r in rows:  # vector files store numbers as numbers
        for k in ("do_cao_anten_m", "tan_so_mhz", "eirp_dbm"):
            r[k] = float(r[k])
        for k in ("phuong_vi", "do_rong_bup_song", "goc_ngang_co", "goc_ngang_dien"):
            r[k] = float(r[k]) if r[k] != "" else None
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".xlsx"])
def test_towers_every_format_gives_the_same_table(tmp_path, towers_csv, suffix):
    ref = load_towers(towers_csv, crs=UTM)
    path = tmp_path / f"towers{suffix}"
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        wb.active.append(TOWER_HEADER)
        for r in TOWER_ROWS:
            wb.active.append([None if v == "" else v for v in r])
        wb.save(path)
    else:
        gdf = _tower_gdf()
        if suffix == ".shp":  # dBase: column names ≤ 10 characters
            gdf = gdf.rename(columns={"do_cao_anten_m": "do_cao", "do_rong_bup_song": "beamwidth",
                                      "goc_ngang_co": "mech_tilt", "goc_ngang_dien": "elec_tilt"})  # fmt: skip
        gdf.to_file(path)
    got = load_towers(path, crs=UTM)
    cols = ["id", "technology", "status", "frequency_mhz", "height_m", "eirp_dbm", "beamwidth_deg", "mech_tilt_deg"]
    assert got[cols].equals(ref[cols])
    np.testing.assert_allclose(got["azimuth_deg"], ref["azimuth_deg"])
    np.testing.assert_allclose(got.geometry.x, ref.geometry.x, atol=1e-6)
    np.testing.assert_allclose(got.geometry.y, ref.geometry.y, atol=1e-6)
    assert got["source_row"].tolist() == ([2, 3, 4] if suffix == ".xlsx" else [1, 2, 3])


def test_towers_xy_with_declared_crs(tmp_path):
    x, y = TO_UTM.transform(103.0, 21.4)
    p = write_csv(tmp_path / "t.csv", ["id", "easting", "northing"], [["A", f"{x:.3f}", f"{y:.3f}"]])
    t = load_towers(p, crs=UTM, source_crs=UTM)
    assert t["lon"][0] == pytest.approx(103.0, abs=1e-7) and t["lat"][0] == pytest.approx(21.4, abs=1e-7)
    # the same through a project InputRef
    from coverage_planner.project import InputRef

    t2 = load_towers(InputRef(p, "t.csv", crs=UTM), crs="EPSG:32647")
    assert t2.crs.to_string() == "EPSG:32647" and t2["lon"][0] == pytest.approx(103.0, abs=1e-7)


def test_towers_xy_without_crs(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["id", "x", "y"], [["A", 500000, 2370000]])
    with pytest.raises(CRSError, match="declare `crs = ...` for this input") as ei:
        load_towers(p, crs=UTM)
    assert "t.csv" in str(ei.value)


def test_towers_lonlat_with_projected_declared_crs(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["id", "lon", "lat"], [["A", 103, 21.4]])
    with pytest.raises(CRSError, match="projected"):
        load_towers(p, crs=UTM, source_crs=UTM)


def test_towers_all_row_problems_in_one_error(tmp_path):
    rows = [
        ["A", "Viettel", "4G", "103.0", "21.4", "30", "18OO", "58", "", "", "", "", "on_air"],  # letter O in 1800
        ["B", "Viettel", "5G", "103.0", "21.4", "30", "", "", "", "", "", "", "broken"],
        ["A", "VNPT", "2G", "103.0", "21.4", "300", "", "95", "400", "0", "-25", "31", ""],  # dup + ranges
        ["", "VNPT", "2G", "", "21.4", "", "", "", "", "", "", "", ""],
        ["E", "VNPT", "2G", "203.0", "21.4", "", "", "", "", "", "", "", ""],
        ["F", "VNPT", "2G", "103.0", "-95", "", "", "", "", "", "", "", ""],
    ]
    p = write_csv(tmp_path / "towers.csv", TOWER_HEADER, rows)
    with pytest.raises(InputError) as ei:
        load_towers(p, crs=UTM)
    e = ei.value
    assert e.path == str(p) and "towers.csv" in str(e) and "problems in the towers file" in str(e)
    text = problems_of(ei)
    expected = [
        "row 2, column 'tan_so_mhz' (frequency_mhz): '18OO' is not a number",
        "row 3, column 'cong_nghe' (technology): '5G' is not a known technology",
        "row 3, column 'trang_thai' (status): 'broken' is not a known status",
        "row 4, column 'ma_tram' (id): duplicate id 'A' (also in row 2)",
        "row 4, column 'do_cao_anten_m' (height_m): 300 is out of range (allowed 1 to 200)",
        "row 4, column 'eirp_dbm': 95 is out of range (allowed 10 to 80)",
        "row 4, column 'phuong_vi' (azimuth_deg): 400 is out of range",
        "row 4, column 'do_rong_bup_song' (beamwidth_deg): 0 is out of range",
        "row 4, column 'goc_ngang_co' (mech_tilt_deg): -25 is out of range",
        "row 4, column 'goc_ngang_dien' (elec_tilt_deg): 31 is out of range",
        "row 5, column 'ma_tram' (id): empty id",
        "row 5, column 'kinh_do' (lon): empty longitude",
        "row 6, column 'kinh_do' (lon): longitude 203 is out of range",
        "row 7, column 'vi_do' (lat): latitude -95 is out of range",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    assert len(e.problems) == len(expected)


def test_towers_swapped_columns_detected(tmp_path):
    """Every row swapped: the headers are, one problem for the file (see test_inputs_messy for the rows' case)."""
    p = write_csv(tmp_path / "t.csv", ["id", "lon", "lat"], [["A", 21.4, 103.0], ["B", 21.41, 103.02]])
    with pytest.raises(InputError) as ei:
        load_towers(p, crs=UTM)
    assert ei.value.problems == ["the longitude and latitude columns look swapped (all 2 rows): 'lon' holds "
                                 "21.4 … 21.41 and 'lat' holds 103 … 103.02; swap the headers 'lon' and 'lat'"]


def test_towers_swapped_inside_range_detected_with_extent(tmp_path):
    """Both orders are valid degrees (lon 50, lat 20 vs lon 20, lat 50): only the expected extent can tell."""
    ext = (19.0, 49.0, 21.0, 51.0)
    p = write_csv(tmp_path / "t.csv", ["id", "lon", "lat"], [["A", 50.0, 20.0], ["B", 20.5, 50.5]])
    with pytest.raises(InputError) as ei:
        load_towers(p, crs="EPSG:32634", extent_lonlat=ext)
    assert problems_of(ei).count("looks swapped") == 1 and "row 2" in problems_of(ei)
    # without an extent nothing can be said
    assert len(load_towers(p, crs="EPSG:32634")) == 2


def test_towers_missing_id_column_lists_found_and_accepted(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["ten", "lon", "lat"], [["A", 103, 21.4]])
    with pytest.raises(InputError, match="missing required column") as ei:
        load_towers(p, crs=UTM)
    msg = str(ei.value)
    assert "'ten', 'lon', 'lat'" in msg and "ma_tram" in msg and "site_id" in msg


def test_towers_missing_position_columns(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["id", "toado"], [["A", "103 21"]])
    with pytest.raises(InputError, match="no position columns") as ei:
        load_towers(p, crs=UTM)
    assert "kinh_do" in str(ei.value) and "'toado'" in str(ei.value)


@pytest.mark.parametrize("content", [b"", b"ma_tram,kinh_do,vi_do\n"])
def test_towers_empty_file(tmp_path, content):
    p = tmp_path / "t.csv"
    p.write_bytes(content)
    with pytest.raises(InputError, match="empty|no data rows"):
        load_towers(p, crs=UTM)


def test_towers_tx_power_makes_eirp_out_of_range(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["id", "lon", "lat", "tx_power_dbm", "gain"], [["A", 103, 21.4, 65, 25]])
    with pytest.raises(InputError) as ei:
        load_towers(p, crs=UTM)
    assert "EIRP from Tx power + gain − losses = 87.0 dBm is out of range" in problems_of(ei)


# ------------------------------------------------------------------------------------------ vector CRS checks
def _points_file(tmp_path, name, crs, coords=((103.0, 21.4),)):
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(coords))]}, geometry=[Point(c) for c in coords], crs=crs)
    path = tmp_path / name
    gdf.to_file(path)
    return path


def test_vector_without_crs(tmp_path):
    p = _points_file(tmp_path, "t.shp", None)
    with pytest.raises(CRSError, match="no coordinate reference system") as ei:
        load_towers(p, crs=UTM)
    assert ".prj" in str(ei.value)
    # declared in the project: accepted
    t = load_towers(p, crs=UTM, source_crs="EPSG:4326")
    assert t["lon"][0] == pytest.approx(103.0)


def test_vector_crs_mismatch_with_declared(tmp_path):
    p = _points_file(tmp_path, "t.gpkg", "EPSG:4326")
    with pytest.raises(CRSError, match="states its CRS, EPSG:4326, but the project declares EPSG:32648") as ei:
        load_towers(p, crs=UTM, source_crs=UTM)
    assert 'remove crs = "EPSG:32648" from this input' in str(ei.value)  # the file's degrees fit its own CRS


def test_vector_degrees_crs_with_metre_coordinates(tmp_path):
    p = _points_file(tmp_path, "t.geojson", "EPSG:4326", coords=((500000.0, 2370000.0),))
    with pytest.raises(CRSError, match="look like metres"):
        load_towers(p, crs=UTM)


def test_vector_non_point_geometry(tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    gdf = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(103, 21.4), LineString([(103, 21), (103.1, 21)])],
                           crs="EPSG:4326")  # fmt: skip
    gdf.to_file(tmp_path / "t.geojson")
    with pytest.raises(InputError) as ei:
        load_towers(tmp_path / "t.geojson", crs=UTM)
    assert "row 2: geometry is a LineString, expected a Point" in problems_of(ei)


# ------------------------------------------------------------------------------------------ stations
def test_stations_good(stations_csv):
    s = load_stations(stations_csv, crs=UTM)
    assert list(s.columns) == STATION_COLUMNS
    assert s["voters"].dtype == np.int64 and s["voters"].tolist() == [420, 310, 150, 95]
    assert s["priority"].tolist() == [1.0, 2.0, 1.0, 1.5]
    assert s["name"][0] == "Bản Him Lam" and s["commune"][3] == "Xã Đông"


def test_stations_aliases_and_defaults(tmp_path):
    p = write_csv(tmp_path / "s.csv", ["Mã KVBP", "Tên KVBP", "Xã", "Kinh độ", "Vĩ độ"],
                  [["K1", "", "Xã Tây", 103.0, 21.4], ["K2", "Bản B", "", 103.01, 21.41]])  # fmt: skip
    warnings = []
    s = load_stations(p, crs=UTM, warnings=warnings)
    assert s["id"].tolist() == ["K1", "K2"] and s["name"].tolist() == ["K1", "Bản B"]
    assert s["voters"].tolist() == [0, 0] and s["priority"].tolist() == [1.0, 1.0]
    assert s["commune"].tolist() == ["Xã Tây", ""]
    assert any("without a name" in w for w in warnings) and any("no voters column" in w for w in warnings)


def test_stations_commune_name_column_not_taken_as_station_name(tmp_path):
    p = write_csv(tmp_path / "s.csv", ["ma_kvbp", "ten_xa", "ten_diem", "lon", "lat"],
                  [["K1", "Xã Nà Tấu", "Bản Co Cượm", 103.0, 21.4]])  # fmt: skip
    s = load_stations(p, crs=UTM)
    assert s["name"][0] == "Bản Co Cượm" and s["commune"][0] == "Xã Nà Tấu"


def test_towers_cell_id_preferred_to_site_id(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["site_id", "cell_id", "lon", "lat", "azimuth"],
                  [["S1", "S1-A", 103, 21.4, 0], ["S1", "S1-B", 103, 21.4, 120]])  # fmt: skip
    warnings = []
    t = load_towers(p, crs=UTM, warnings=warnings)
    assert t["id"].tolist() == ["S1-A", "S1-B"]
    assert any("all mean 'id'; using 'cell_id'" in w for w in warnings)


def test_stations_errors(tmp_path):
    rows = [r[:] for r in STATION_ROWS]
    rows[0][5] = "12.5"  # fractional voters
    rows[1][5] = "-3"
    rows[2][6] = "cao"  # priority not a number
    rows[3][0] = "KV01"  # duplicate
    p = write_csv(tmp_path / "kvbp.csv", STATION_HEADER, rows)
    with pytest.raises(InputError) as ei:
        load_stations(p, crs=UTM)
    text = problems_of(ei)
    assert "row 2, column 'voters': '12.5' must be a whole number" in text
    assert "row 3, column 'voters': -3 is out of range" in text
    assert "row 4, column 'priority': 'cao' is not a number" in text
    assert "row 5, column 'id': duplicate id 'KV01' (also in row 2)" in text
    assert len(ei.value.problems) == 4


# ------------------------------------------------------------------------------------------ communes
def test_communes_flags_derived(tmp_path):
    c = write_geojson(tmp_path / "c.geojson", commune_features())
    border = load_lines(write_geojson(tmp_path / "b.geojson", line_fc([[BORDER_LON, 21.3], [BORDER_LON, 21.45]])), crs=UTM)
    roads = load_lines(write_geojson(tmp_path / "r.geojson", line_fc([[102.96, 21.3], [102.96, 21.45]])), crs=UTM)
    g = load_communes(c, crs=UTM, border=border, roads=roads, border_distance_m=1000, remote_distance_m=5000)
    r = g.set_index("name")
    # east commune reaches lon 103.10; the border at 103.095 lies inside it
    assert r.loc["Xã Đông", "border"] and not r.loc["Xã Tây", "border"]
    # west centre ~103.0 is ~4.2 km from the road at 102.96; east centre ~103.06 is ~10 km away
    assert not r.loc["Xã Tây", "remote"] and r.loc["Xã Đông", "remote"]
    assert g.crs.to_string() == UTM and g.geometry.geom_type.tolist() == ["Polygon", "Polygon"]
    import geopandas as gpd

    assert g.geometry.contains(gpd.GeoSeries(gpd.points_from_xy(g.centre_x, g.centre_y), crs=UTM)).all()
    # a border farther than the distance: not border
    g2 = load_communes(c, crs=UTM, border=border, border_distance_m=0)
    assert g2.set_index("name").loc["Xã Đông", "border"]  # the line is inside: distance 0
    far = load_lines(write_geojson(tmp_path / "f.geojson", line_fc([[103.2, 21.3], [103.2, 21.45]])), crs=UTM)
    g3 = load_communes(c, crs=UTM, border=far, border_distance_m=5000)
    assert not g3["border"].any()
    g4 = load_communes(c, crs=UTM, border=far, border_distance_m=12000)
    assert g4["border"].tolist() == [False, True]


def test_communes_flags_given_and_no_layers(tmp_path):
    fc = commune_features()
    fc["features"][0]["properties"].update({"bien_gioi": "có", "vung_sau": 0})
    fc["features"][1]["properties"].update({"bien_gioi": "không", "vung_sau": 1})
    g = load_communes(write_geojson(tmp_path / "c.geojson", fc), crs=UTM)
    assert g["border"].tolist() == [True, False] and g["remote"].tolist() == [False, True]
    warnings = []
    g = load_communes(write_geojson(tmp_path / "d.geojson", commune_features()), crs=UTM, warnings=warnings)
    assert not g["border"].any() and not g["remote"].any()
    assert any("no border column and no border layer" in w for w in warnings)


def test_communes_errors(tmp_path):
    fc = commune_features()
    fc["features"][0]["properties"]["name"] = ""
    fc["features"][1]["geometry"] = {"type": "Point", "coordinates": [103, 21.4]}
    fc["features"][1]["properties"]["bien_gioi"] = "maybe"
    with pytest.raises(InputError) as ei:
        load_communes(write_geojson(tmp_path / "c.geojson", fc), crs=UTM)
    text = problems_of(ei)
    assert "row 1, column 'name': empty commune name" in text
    assert "row 2: geometry is a Point, expected a Polygon or MultiPolygon" in text
    assert "row 2, column 'bien_gioi' (border): 'maybe' is not yes/no" in text
    p = write_csv(tmp_path / "c.csv", ["name", "lon", "lat"], [["A", 103, 21]])
    with pytest.raises(InputError, match="communes must be polygons"):
        load_communes(p, crs=UTM)
    fc = commune_features()
    for f in fc["features"]:
        f["properties"] = {"dien_tich": 1}
    with pytest.raises(InputError, match="missing required column"):
        load_communes(write_geojson(tmp_path / "e.geojson", fc), crs=UTM)


def test_communes_invalid_polygon_repaired(tmp_path):
    fc = commune_features()
    # a bow-tie (self-intersecting) ring
    fc["features"][0]["geometry"]["coordinates"] = [[[103.0, 21.3], [103.02, 21.35], [103.02, 21.3], [103.0, 21.35],
                                                     [103.0, 21.3]]]  # fmt: skip
    warnings = []
    g = load_communes(write_geojson(tmp_path / "c.geojson", fc), crs=UTM, warnings=warnings)
    assert g.geometry.is_valid.all() and g.geometry.area.iloc[0] > 0
    assert any("repaired" in w for w in warnings)


# ------------------------------------------------------------------------------------------ lines and points
def test_lines_polygons_become_outlines_and_points_rejected(tmp_path):
    warnings = []
    g = load_lines(write_geojson(tmp_path / "c.geojson", commune_features()), crs=UTM, what="border", warnings=warnings)
    assert set(g.geometry.geom_type) <= {"LineString", "MultiLineString"} and len(g) == 2
    assert any("outlines" in w for w in warnings)
    p = _points_file(tmp_path, "p.geojson", "EPSG:4326")
    with pytest.raises(InputError, match="expected lines"):
        load_lines(p, crs=UTM)
    with pytest.raises(InputError, match="must be lines"):
        load_lines(write_csv(tmp_path / "l.csv", ["id", "lon", "lat"], [["a", 103, 21]]), crs=UTM)


def test_points_towns_and_candidates(tmp_path):
    p = write_csv(tmp_path / "towns.csv", ["ten", "kinh_do", "vi_do"], [["Mường Lay", 103.15, 22.04], ["Tuần Giáo", 103.42, 21.59]])
    g = load_points(p, crs=UTM, what="towns")
    assert g["id"].tolist() == ["2", "3"] and g["name"].tolist() == ["Mường Lay", "Tuần Giáo"]
    p = write_csv(tmp_path / "cand.csv", ["id", "lon", "lat"], [["C1", 103, 21.4], ["C1", 103, 21.5]])
    with pytest.raises(InputError, match="duplicate id 'C1'"):
        load_points(p, crs=UTM, what="candidates")


# ------------------------------------------------------------------------------------------ terrain check
def test_check_points_in_terrain_lists_every_id(towers_csv, plane_dem):
    from coverage_planner.terrain import load_terrain

    terrain = load_terrain(plane_dem, resolution_m=200)
    t = load_towers(towers_csv, crs=UTM)
    check_points_in_terrain(t, terrain, "towers")  # all inside: no error
    rows = [r[:] for r in TOWER_ROWS]
    rows[0][3] = 104.5  # far east
    rows[2][4] = 22.9  # far north
    p = write_csv(towers_csv.parent / "t2.csv", TOWER_HEADER, rows)
    t2 = load_towers(p, crs=UTM)
    with pytest.raises(InputError, match="2 towers outside the terrain") as ei:
        check_points_in_terrain(t2, terrain, "towers", path=p)
    text = problems_of(ei)
    assert "row 2: id 'DBN001' at lon 104.50000" in text and "row 4: id 'DBN003'" in text
    assert "DBN002" not in text and len(t2) == 3  # nothing dropped


# ------------------------------------------------------------------------------------------ load_inputs
def test_load_inputs_mini_project(mini_project):
    folder = mini_project.parent
    hashes = {p.name: io.file_sha256(p) for p in folder.iterdir() if p.is_file()}
    project = load_project(mini_project)
    calls = []
    inp = load_inputs(project, progress=lambda f, m: calls.append(f))
    assert inp.crs == "EPSG:32648"  # auto: UTM zone of the data
    assert len(inp.towers) == 3 and len(inp.stations) == 4 and len(inp.communes) == 2
    assert len(inp.border) == 1 and len(inp.roads) == 1 and len(inp.towns) == 1 and inp.candidates is None
    assert inp.terrain.grid.crs == inp.crs and inp.terrain.grid.cellsize == 100
    assert inp.terrain.void_count > 0 and any("void cell(s) filled" in w for w in inp.warnings)
    assert any("DBN003" in w and "down" in w for w in inp.warnings)
    c = inp.communes.set_index("name")
    assert c.loc["Xã Đông", "border"] and not c.loc["Xã Tây", "border"]
    assert not c.loc["Xã Tây", "remote"]
    # towers and stations are on covered terrain
    assert inp.terrain.contains(inp.towers.geometry.x, inp.towers.geometry.y).all()
    s = inp.summary()
    assert s["counts"]["towers"] == 3 and s["towers_by_status"] == {"down": 1, "on_air": 2}
    assert s["voters"] == 420 + 310 + 150 + 95 and s["border_communes"] == 1
    w, so, e, n = s["extent_lonlat"]
    assert 102.94 < w < 102.96 and 103.09 < e < 103.11
    assert calls[0] == 0.0 and calls[-1] == 1.0 and calls == sorted(calls)
    after = {p.name: io.file_sha256(p) for p in folder.iterdir() if p.is_file()}
    assert after == hashes  # nothing written next to the inputs, nothing changed


def test_load_inputs_fills_station_commune_and_warns(tmp_path):
    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in STATION_ROWS]
    rows[0][2] = ""  # commune left empty: taken from the polygon
    rows[1][2] = "Xã Không Có"
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    inp = load_inputs(load_project(proj))
    assert inp.stations.loc[0, "commune"] == "Xã Tây"
    assert any("taken from the commune polygons" in w for w in inp.warnings)
    assert any("Xã Không Có" in w for w in inp.warnings)


def test_load_inputs_collects_errors_of_several_files(tmp_path):
    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in TOWER_ROWS]
    rows[1][6] = "abc"
    write_csv(proj.parent / "towers.csv", TOWER_HEADER, rows)
    srows = [r[:] for r in STATION_ROWS]
    srows[2][3] = "104.9"  # outside the DEM
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, srows)
    with pytest.raises(InputError, match="2 input files have problems") as ei:
        load_inputs(load_project(proj))
    text = str(ei.value)
    assert "towers.csv" in text and "row 3, column 'tan_so_mhz' (frequency_mhz): 'abc' is not a number" in text
    assert "polling_stations.csv" in text and "stations outside the terrain" in text and "KV03" in text


def test_load_inputs_towers_outside_terrain(tmp_path):
    rows = [r[:] for r in TOWER_ROWS]
    rows[0][3], rows[0][4] = 103.5, 21.4
    proj = build_project(tmp_path / "p", towers_rows=rows)
    with pytest.raises(InputError, match="1 towers outside the terrain") as ei:
        load_inputs(load_project(proj))
    assert "DBN001" in str(ei.value) and "towers.csv" in str(ei.value)


def test_load_inputs_missing_files_listed_together(tmp_path):
    proj = build_project(tmp_path / "p")
    (proj.parent / "towers.csv").unlink()
    (proj.parent / "dem.tif").unlink()
    with pytest.raises(InputError, match="2 input files not found or not files") as ei:
        load_inputs(load_project(proj))
    assert "towers.csv" in str(ei.value) and "dem.tif" in str(ei.value)
    # named as the Vietnamese message names them (QA: "stations: …", "6 input file(s)"), not by internal keys
    assert [p.split(" → ")[0] for p in ei.value.problems] == ["Towers (BTS): towers.csv", "Terrain (DEM): dem.tif"]
    vi = i18n.error_text(ei.value, "vi")
    assert "2 tệp dữ liệu đầu vào không tìm thấy" in vi
    assert "Trạm BTS: towers.csv → " in vi and "Địa hình: dem.tif → " in vi and "Towers (BTS)" not in vi
    (proj.parent / "dem.tif").write_bytes(b"")
    with pytest.raises(InputError, match=r": 1 input file not found or not a file\n  - Towers \(BTS\): towers\.csv → ") as ei:
        load_inputs(load_project(proj))
    assert i18n.error_text(ei.value, "vi").startswith(
        f"{proj}: 1 tệp dữ liệu đầu vào không tìm thấy hoặc không phải là tệp\n  - Trạm BTS: towers.csv → ")
    # a path naming a folder says so
    (proj.parent / "towers.csv").mkdir()
    with pytest.raises(InputError) as ei:
        load_inputs(load_project(proj))
    assert "towers.csv" in str(ei.value) and "is a folder, not a file" in str(ei.value)


def test_load_inputs_requires_core_inputs(tmp_path):
    p = tmp_path / "project.toml"
    p.write_text('[inputs]\ntowers = "t.csv"\n')
    with pytest.raises(ProjectError, match="no stations, communes, terrain file"):
        load_inputs(load_project(p))


def test_load_inputs_scenario_unknown_tower(tmp_path):
    proj = build_project(tmp_path / "p", extra='\n[scenario]\ndown = ["DBN001", "NOPE"]\n')
    with pytest.raises(InputError, match="not in the towers file") as ei:
        load_inputs(load_project(proj))
    msg = str(ei.value)
    assert "NOPE" in msg and "DBN001" not in msg.split("How to fix")[0].split(":")[-1]
    assert "scenario.down" in msg and "project.toml" in msg


def test_load_inputs_real_communes(shared_real, tmp_path):
    """The real OSM commune polygons of Điện Biên load and the border communes are found from Natural Earth."""
    communes = next((shared_real / "dien_bien_communes_osm_2025").glob("*communes*.geojson"), None)
    border = shared_real / "borders_naturalearth_10m" / "vn_la_cn_borders.geojson"
    if communes is None or not border.exists():
        pytest.skip("real commune/border files not found")
    b = load_lines(border, crs=UTM, what="border")
    g = load_communes(communes, crs=UTM, border=b, border_distance_m=5000)
    assert 40 <= len(g) <= 50
    assert 5 <= int(g["border"].sum()) < len(g)


@pytest.mark.parametrize("model,env,expected", [
    ("hata", "rural", ["Okumura-Hata is valid for 150–1500 MHz; 2 tower(s) transmit outside it (1800 MHz)"]),
    ("cost231", "rural", ["COST-231-Hata is valid for 1500–2000 MHz; 1 tower(s) transmit outside it (900 MHz)",
                          "COST-231-Hata has no rural (open area) form"]),
    ("cost231", "urban", ["COST-231-Hata is valid for 1500–2000 MHz; 1 tower(s) transmit outside it (900 MHz)"]),
    ("deygout", "rural", []),
])
def test_hata_models_outside_their_range_are_warned(tmp_path, model, env, expected):
    """The tiny project has 4G towers at 1800 MHz (one down, still counted: it is not planned) and a 2G tower at
    900 MHz; the mobile sites are 4G (1800 MHz)."""
    from coverage_planner.inputs import load_inputs

    from .tiny_project import write_project

    path = write_project(tmp_path / "p")
    text = path.read_text(encoding="utf-8").replace('model = "deygout"', f'model = "{model}"\nhata_environment = "{env}"')
    path.write_text(text, encoding="utf-8")
    warnings = [w for w in load_inputs(load_project(path)).warnings if w.startswith("radio:")]
    assert len(warnings) == len(expected)
    for w, e in zip(warnings, expected, strict=True):
        assert e in w
