"""Messy real-world inputs found by QA: duplicate commune names, wrong declared CRS, thousands separators,
commune names spelt differently, blank cells with defaults, delimiter guessing, BOMs, repeated headers, UTF-16."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from coverage_planner import io
from coverage_planner.errors import CRSError, InputError, ProjectError
from coverage_planner.inputs import (
    _match_commune_names,
    commune_key,
    load_communes,
    load_inputs,
    load_lines,
    load_stations,
    load_towers,
)
from coverage_planner.project import load_project

from .conftest import (
    STATION_HEADER,
    STATION_ROWS,
    TOWER_HEADER,
    TOWER_ROWS,
    build_project,
    commune_features,
    write_csv,
    write_geojson,
)

UTM = "EPSG:32648"


def problems_of(exc_info) -> str:
    return "\n".join(exc_info.value.problems)


# ------------------------------------------------------------------------------------------ 1. duplicate communes
def test_duplicate_commune_names_are_an_error(tmp_path):
    fc = commune_features()
    fc["features"][1]["properties"]["name"] = fc["features"][0]["properties"]["name"]
    path = write_geojson(tmp_path / "communes.geojson", fc)
    with pytest.raises(InputError) as ei:
        load_communes(path, crs=UTM)
    assert "communes.geojson" in str(ei.value)
    text = problems_of(ei)
    assert "row 2, column 'name': commune name 'Xã Tây' is used twice (features 1 and 2)" in text
    assert "names must be unique within the communes file" in text


def test_duplicate_commune_names_stop_load_inputs(tmp_path):
    proj = build_project(tmp_path / "p")
    fc = commune_features()
    fc["features"][1]["properties"]["name"] = "Xã Tây"
    write_geojson(proj.parent / "communes.geojson", fc)
    with pytest.raises(InputError, match="used twice"):
        load_inputs(load_project(proj))


# ------------------------------------------------------------------------------------------ 2. declared CRS plausibility
def _shp_without_crs(tmp_path, name, geoms):
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"name": [f"N{i}" for i in range(len(geoms))], "id": [f"P{i}" for i in range(len(geoms))]},
                           geometry=geoms, crs=None)  # fmt: skip
    path = tmp_path / name
    with pytest.warns(UserWarning):
        gdf.to_file(path)
    return path


def test_declared_degrees_on_metre_polygons_refused(tmp_path):
    from shapely.geometry import box

    p = _shp_without_crs(tmp_path, "communes.shp", [box(300000, 2360000, 310000, 2370000)])
    with pytest.raises(CRSError) as ei:
        load_communes(p, crs=UTM, source_crs="EPSG:4326")
    msg = str(ei.value)
    assert "communes.shp" in msg and "project declares EPSG:4326" in msg and "look like metres" in msg
    assert "x 300000 … 310000, y 2360000 … 2370000" in msg and "projected CRS in metres" in msg


def test_declared_degrees_on_metre_points_and_lines_refused(tmp_path):
    from shapely.geometry import LineString, Point

    p = _shp_without_crs(tmp_path, "towers.shp", [Point(300000, 2360000)])
    with pytest.raises(CRSError, match="look like metres"):
        load_towers(p, crs=UTM, source_crs="EPSG:4326")
    line = _shp_without_crs(tmp_path, "roads.shp", [LineString([(300000, 2360000), (301000, 2361000)])])
    with pytest.raises(CRSError, match="look like metres"):
        load_lines(line, crs=UTM, source_crs="EPSG:4326")


def test_declared_metres_on_degree_points_refused(tmp_path):
    from shapely.geometry import Point

    p = _shp_without_crs(tmp_path, "towers.shp", [Point(103.0, 21.4), Point(103.05, 21.35)])
    with pytest.raises(CRSError) as ei:
        load_towers(p, crs=UTM, source_crs="EPSG:32648")
    assert "look like degrees" in str(ei.value) and 'crs = "EPSG:4326"' in str(ei.value)
    # the right declaration is accepted
    t = load_towers(p, crs=UTM, source_crs="EPSG:4326")
    assert t["lon"].tolist() == pytest.approx([103.0, 103.05])


# ------------------------------------------------------------------------------------------ 3. thousands separators
@pytest.mark.parametrize("raw,digits", [("2.000", "2000"), ("1.250.000", "1250000"), ("2,000", "2000"),
                                        ("12.500", "12500")])  # fmt: skip
def test_grouped_integer_voters_is_ambiguous_in_a_column_with_a_decimal(tmp_path, raw, digits):
    """Voters grouped in a column that also has a decimal ("9.5") are not read; a column grouped throughout is
    (test_inputs_messy4.py)."""
    rows = [r[:] for r in STATION_ROWS]
    rows[1][5] = raw
    rows[3][5] = "9.5"
    p = write_csv(tmp_path / "s.csv", STATION_HEADER, rows)
    with pytest.raises(InputError) as ei:
        load_stations(p, crs=UTM)
    text = problems_of(ei)
    assert f"column 'voters': 1 value(s) grouped by thousands like '{raw}' (row 3) were not read, since the column " \
           "also has '9.5' (row 5)" in text
    assert "row 5, column 'voters': '9.5' must be a whole number" in text
    assert "s.csv" in str(ei.value)
    rows[3][5] = "95"
    assert load_stations(write_csv(tmp_path / "t.csv", STATION_HEADER, rows), crs=UTM)["voters"][1] == int(digits)


def test_grouped_priority_is_ambiguous_but_decimals_still_read(tmp_path):
    rows = [r[:] for r in STATION_ROWS]
    rows[0][6] = "1.500"
    p = write_csv(tmp_path / "s.csv", STATION_HEADER, rows)
    with pytest.raises(InputError) as ei:
        load_stations(p, crs=UTM)
    assert "write 1500 without a thousands separator, or 1.5 if a decimal was meant" in problems_of(ei)
    rows[0][6] = "1,5"  # decimal comma in a float field: unchanged
    rows[0][3] = "102,99"
    s = load_stations(write_csv(tmp_path / "t.csv", STATION_HEADER, rows), crs=UTM)
    assert s["priority"][0] == 1.5 and s["lon"][0] == pytest.approx(102.99)


# ------------------------------------------------------------------------------------------ 4. commune name matching
def test_commune_key():
    assert commune_key("PHƯỜNG  Mường Thanh") == "mường thanh"
    assert commune_key("Xã Tây") == commune_key("x. tây") == commune_key("X.Tây") == "tây"
    assert commune_key("Thị trấn Tủa Chùa") == commune_key("TT. Tủa Chùa") == "tủa chùa"
    assert commune_key("Xãtây") == "xãtây"  # no space after the prefix: not a prefix


def test_match_commune_names_unique_only():
    names = ["Xã Tây", "Xã Đông", "Phường Na", "Xã Na"]
    m = _match_commune_names(["Xã Tây", "XÃ TÂY", "Tay", "x. đông", "Na", "Xa Bac"], names)
    assert m["Xã Tây"] == ("Xã Tây", "exact")
    assert m["XÃ TÂY"] == ("Xã Tây", "spelling")
    assert m["x. đông"] == ("Xã Đông", "spelling")
    assert m["Tay"] == ("Xã Tây", "accents")
    assert "Na" not in m  # two communes named Na: never guess
    assert "Xa Bac" not in m


def test_station_communes_matched_and_assigned_by_polygon(tmp_path):
    import unicodedata

    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in STATION_ROWS]
    rows[0][2] = "XÃ TÂY"  # case
    rows[1][2] = "Xa Tay"  # accents
    rows[2][2] = unicodedata.normalize("NFD", "x. Đông")  # decomposed + abbreviated prefix
    rows[3][2] = "Xã Không Có"  # unknown: the polygon it lies in (east)
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    inp = load_inputs(load_project(proj))
    s = inp.stations
    assert s["commune"].tolist() == ["Xã Tây", "Xã Tây", "Xã Đông", "Xã Đông"]
    assert s["commune_source"].tolist() == ["XÃ TÂY", "Xa Tay", "x. Đông", "Xã Không Có"]
    w = "\n".join(inp.warnings)
    assert "'XÃ TÂY' → 'Xã Tây' (row 2)" in w and "'Xa Tay' → 'Xã Tây' (row 3)" in w
    assert "ignoring case, prefix and accents" in w
    assert "assigned to the commune polygon they lie in: 'Xã Không Có' → 'Xã Đông' (row 5)" in w


def test_station_communes_exact_keep_the_columns(tmp_path):
    inp = load_inputs(load_project(build_project(tmp_path / "p")))
    assert "commune_source" not in inp.stations.columns
    assert not any("commune" in w for w in inp.warnings)


# ------------------------------------------------------------------------------------------ 5. blanks with defaults
def test_blank_values_with_defaults_are_reported(tmp_path):
    rows = [r[:] for r in STATION_ROWS]
    rows[0][5] = ""
    rows[2][5] = ""
    rows[3][6] = ""
    warnings = []
    s = load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, rows), crs=UTM, warnings=warnings)
    assert s["voters"].tolist() == [0, 310, 0, 95] and s["priority"][3] == 1.0
    w = "\n".join(warnings)
    assert "s.csv, column 'voters': 2 blank value(s) (rows 2, 4): used 0 voters" in w
    assert "s.csv, column 'priority': 1 blank value(s) (row 5): used priority 1" in w
    trows = [r[:] for r in TOWER_ROWS]
    trows[0][12] = ""
    warnings = []
    t = load_towers(write_csv(tmp_path / "t.csv", TOWER_HEADER, trows), crs=UTM, warnings=warnings)
    assert t["status"][0] == "on_air"
    assert any("t.csv, column 'trang_thai': 1 blank value(s) (row 2): used on_air" in x for x in warnings)


def test_blank_rows_listing_is_cut_with_a_count(tmp_path):
    rows = [[f"K{i}", f"B{i}", "Xã Tây", 103.0, 21.4, "", 1] for i in range(25)]
    warnings = []
    load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, rows), crs=UTM, warnings=warnings)
    assert any("25 blank value(s) (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (25 rows))" in x for x in warnings)


def test_xlsx_formula_without_saved_value_is_blank_with_warning(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(STATION_HEADER)
    for r in STATION_ROWS:
        ws.append(r)
    ws["F3"] = "=100+210"  # openpyxl saves formulas without a cached value
    path = tmp_path / "kvbp.xlsx"
    wb.save(path)
    warnings = []
    s = load_stations(path, crs=UTM, warnings=warnings)
    assert s["voters"].tolist() == [420, 0, 150, 95]
    w = "\n".join(warnings)
    assert "kvbp.xlsx, column 'voters': 1 formula cell(s) read as blank (row 3)" in w
    assert "formula without a saved value; open and save the file in Excel" in w
    assert "column 'voters': 1 blank value(s) (row 3): used 0 voters" in w


# ------------------------------------------------------------------------------------------ 6. delimiter
def test_semicolon_file_with_commas_in_text_and_decimal_commas(tmp_path):
    p = tmp_path / "s.csv"
    p.write_bytes("id;name;commune;lon;lat;voters;priority\r\n"
                  "K1;Bản A, B, C, D, E, F;Xã Tây;102,99;21,38;662;2\r\n"
                  "K2;Tổ 2;Xã Đông;103,06;21,41;573;1\r\n".encode())  # fmt: skip
    s = load_stations(p, crs=UTM)
    assert s["name"].tolist() == ["Bản A, B, C, D, E, F", "Tổ 2"]
    assert s["lon"].tolist() == pytest.approx([102.99, 103.06]) and s["voters"].tolist() == [662, 573]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_every_delimiter_is_recognised(tmp_path, sep):
    p = write_csv(tmp_path / "s.csv", STATION_HEADER, STATION_ROWS, delimiter=sep)
    s = load_stations(p, crs=UTM)
    assert s["id"].tolist() == ["KV01", "KV02", "KV03", "KV04"] and s["voters"].sum() == 975


def test_delimiter_by_consistency_without_header_test(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a;b;c\n1,5;2;x, y\n3;4,5;z\n", encoding="utf-8")
    df, _ = io.read_table(p)
    assert list(df.columns) == ["a", "b", "c"] and df.loc[2, "c"] == "x, y"


# ------------------------------------------------------------------------------------------ 7. project.toml BOM
def test_project_toml_with_bom(tmp_path):
    proj = build_project(tmp_path / "p")
    proj.write_bytes(b"\xef\xbb\xbf" + proj.read_bytes())
    assert load_project(proj).name == "Mini Điện Biên"


def test_project_toml_error_shows_full_path(tmp_path, monkeypatch):
    (tmp_path / "project.toml").write_text('[project\nname = "x"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectError) as ei:
        load_project("project.toml")
    assert str(ei.value).startswith(str(tmp_path.resolve() / "project.toml") + ": not valid TOML")


# ------------------------------------------------------------------------------------------ 8. repeated header
def test_repeated_header_reported_as_such(tmp_path):
    header = STATION_HEADER + ["voters"]
    rows = [r + [999] for r in STATION_ROWS]
    warnings = []
    s = load_stations(write_csv(tmp_path / "s.csv", header, rows), crs=UTM, warnings=warnings)
    assert s["voters"].tolist() == [420, 310, 150, 95]  # the first column
    w = "\n".join(warnings)
    assert "column 'voters' appears twice (columns 6 and 8); using the first" in w
    assert "voters.2" not in w and "not recognised" not in w


# ------------------------------------------------------------------------------------------ 9. UTF-16
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(tmp_path, encoding):
    text = "\ufeff" + "\t".join(STATION_HEADER) + "\r\n" + "".join(
        "\t".join(str(v) for v in r) + "\r\n" for r in STATION_ROWS)
    p = tmp_path / "kvbp.txt"
    p.write_bytes(text.encode(encoding))
    s = load_stations(p, crs=UTM)
    assert s["name"].tolist()[0] == "Bản Him Lam" and s["voters"].sum() == 975


def test_utf16_without_bom_is_an_error(tmp_path):
    p = tmp_path / "kvbp.csv"
    p.write_bytes("id,lon,lat\r\nK1,103,21.4\r\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="UTF-16") as ei:
        load_stations(p, crs=UTM)
    assert "CSV UTF-8" in str(ei.value)


def test_match_commune_names_prefix_without_accents():
    names = ["Xã Xa Dung", "Xã Tây"]
    m = _match_commune_names(["Xa Dung", "xa xa dung", "Xa Tay", "Phuong Tay"], names)
    assert m["Xa Dung"] == ("Xã Xa Dung", "spelling")  # only the prefix is missing
    assert m["xa xa dung"] == ("Xã Xa Dung", "accents")
    assert m["Xa Tay"] == ("Xã Tây", "accents") and m["Phuong Tay"] == ("Xã Tây", "accents")


def test_station_commune_warnings_split_rows_by_target_suggest_and_translate(tmp_path):
    """One misspelt name whose stations lie in two communes: each target lists only its own rows; a close
    commune name is suggested; every warning of the load has a Vietnamese form (no English left in the vi
    report)."""
    from coverage_planner.i18n import translate_message

    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in STATION_ROWS]
    names = [r[2] for r in rows]
    west, east = names[0], names[-1]
    assert west != east, "the fixture needs stations in two communes"
    typo = west[:-1] + ("x" if west[-1] != "x" else "y")  # one letter off the west commune's name
    for r in rows:
        r[2] = typo
    rows[0][5] = ""  # and a blank voters cell
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    inp = load_inputs(load_project(proj))
    w = next(x for x in inp.warnings if "assigned to the commune polygon" in x)
    for target in {west, east}:
        own = [i + 2 for i, n in enumerate(names) if n == target]
        listed = w.split(f"'{typo}' → '{target}' (")[1].split(")")[0]
        assert listed == ("row " if len(own) == 1 else "rows ") + ", ".join(map(str, own)), listed
    assert f"did you mean '{west}'?" in w
    for msg in inp.warnings:
        vi = translate_message(msg, "vi")
        assert vi != msg, f"no Vietnamese for: {msg}"
        assert "station(s)" not in vi and "blank value" not in vi and "rows " not in vi, vi


def test_remote_flags_from_towns_only_are_warned(tmp_path):
    """No roads layer: remote communes come from the towns alone, which marks many remote — say so, with the
    count; with roads there is no such warning."""
    proj = build_project(tmp_path / "p")
    with_roads = load_inputs(load_project(proj))
    assert not any("no roads layer" in w for w in with_roads.warnings)
    text = proj.read_text(encoding="utf-8").replace('roads = "roads.geojson"\n', "")
    proj.write_text(text, encoding="utf-8")
    inp = load_inputs(load_project(proj))
    n_remote = int(inp.communes["remote"].sum())
    w = next(x for x in inp.warnings if "no roads layer" in x)
    assert f"from 1 town(s) only ({n_remote} of {len(inp.communes)} communes remote)" in w


def test_a_footer_row_is_named_as_such(tmp_path):
    rows = [r[:] for r in STATION_ROWS] + [["", "Tổng số: 4 điểm", "", "", "", "1235", ""]]
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, rows), crs=UTM, warnings=[])
    msg = str(ei.value)
    assert "row 6" in msg and "empty id (the row reads: 'Tổng số: 4 điểm | 1235'" in msg
    assert "looks like a total or footer line: delete it" in msg


# ------------------------------------------------------------------------------------------ 6. whole columns swapped
def test_swapped_position_headers_are_one_problem_for_the_file(tmp_path):
    """Stations and towers files whose lon/lat headers are exchanged: one problem naming both headers, not one
    per row; a row with another position problem keeps its own problem after it."""
    header = ["id", "name", "commune", "lat", "lon", "voters", "priority"]  # lat/lon exchanged, values not
    rows = [r[:] for r in STATION_ROWS]
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", header, rows), crs=UTM)
    assert ei.value.problems == [
        "the longitude and latitude columns look swapped (all 4 rows): 'lon' holds 21.32 … 21.41 and 'lat' holds "
        "102.99 … 103.085; swap the headers 'lon' and 'lat'"
    ]
    assert "correct the file as described" in str(ei.value)
    rows += [[f"KV{i:02d}", "Bản", "Xã Tây", 103.0 + i / 1000, 21.35, 10, 1] for i in range(5, 30)]
    rows[10][4] = 950.0  # and one latitude value (column 'lon' here) that is nothing
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", header, rows), crs=UTM)
    first, *rest = ei.value.problems
    assert first.startswith("the longitude and latitude columns look swapped (28 of 29 rows): 'lon' holds 21.32")
    assert [p.split(":")[0] for p in rest] == ["row 12, column 'lat'", "row 12, column 'lon'"]
    assert "longitude 950 is out of range" in rest[1]
    theader = [{"kinh_do": "vi_do", "vi_do": "kinh_do"}.get(h, h) for h in TOWER_HEADER]
    with pytest.raises(InputError) as ei:
        load_towers(write_csv(tmp_path / "t.csv", theader, TOWER_ROWS), crs=UTM)
    assert len(ei.value.problems) == 1
    assert "look swapped (all 3 rows)" in ei.value.problems[0]
    assert "swap the headers 'kinh_do' and 'vi_do'" in ei.value.problems[0]


def test_a_few_swapped_rows_are_still_listed_row_by_row(tmp_path):
    rows = [r[:] for r in STATION_ROWS]
    rows[2][3], rows[2][4] = rows[2][4], rows[2][3]
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, rows), crs=UTM)
    assert len(ei.value.problems) == 1
    assert ei.value.problems[0].startswith("row 4, column 'lat': longitude 21.41 / latitude 103.06 looks swapped")


def test_problems_are_listed_in_row_order(tmp_path):
    """The QA file listed rows 10, 45, 5, 43, 44 (grouped by check): the user goes through the file top down."""
    rows = [r[:] for r in STATION_ROWS] + [r[:] for r in STATION_ROWS]
    for i, r in enumerate(rows[4:]):
        r[0] = f"KV{i + 5:02d}"
    rows[6][0] = "KV02"  # row 8: duplicate id (the first check)
    rows[5][3] = ""  # row 7: empty longitude (a later check)
    rows[1][5] = "abc"  # row 3: voters (the last check)
    rows[1][3] = ""  # row 3 too: empty longitude, checked before voters
    with pytest.raises(InputError) as ei:
        load_stations(write_csv(tmp_path / "s.csv", STATION_HEADER, rows), crs=UTM)
    assert [p.split(":")[0] for p in ei.value.problems] == [
        "row 3, column 'lon'", "row 3, column 'voters'", "row 7, column 'lon'", "row 8, column 'id'"]


# ------------------------------------------------------------------------------------------ 7. station in the wrong place
def _distance_m(lon, lat, west, east, north=None):
    """Distance (m, UTM 48N) from (lon, lat) to the mini province's box of longitudes west … east (latitudes up
    to ``north``, default the whole DEM)."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    from .conftest import LAT1, NROW

    box_ll = box(west, LAT1 - NROW * DEG, east, LAT1 if north is None else north)
    g = gpd.GeoSeries([Point(lon, lat), box_ll], crs="EPSG:4326").to_crs(UTM)
    return float(g.iloc[0].distance(g.iloc[1]))


DEG = 1.0 / 1200.0


def test_station_in_another_commune_is_warned_and_keeps_its_written_commune(tmp_path):
    from coverage_planner.i18n import translate_message

    from .conftest import LON0, NCOL, SPLIT_LON

    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in STATION_ROWS]
    rows[0][3] = 103.080  # KV01, row 2, says Xã Tây (west of 103.025) but is typed well inside Xã Đông
    rows[1][3] = SPLIT_LON + 0.002  # KV02, row 3: ~200 m across the boundary, a normal mismatch
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    inp = load_inputs(load_project(proj))
    assert inp.stations["commune"].tolist() == ["Xã Tây", "Xã Tây", "Xã Đông", "Xã Đông"]  # as written
    w = [x for x in inp.warnings if "KV0" in x]
    assert len(w) == 1, w  # not KV02
    d_km = _distance_m(103.080, 21.380, LON0, SPLIT_LON) / 1000
    assert 5.0 < d_km < 6.5
    assert w[0] == (
        "stations: polling_stations.csv row 2, KV01 (lon 103.08000, lat 21.38000): the row says 'Xã Tây' but the "
        f"point lies in 'Xã Đông', {d_km:.1f} km from 'Xã Tây': the coordinates are probably mistyped; it counts "
        "for 'Xã Tây' as written (its signal is computed at the point given): correct the coordinates (or the "
        "commune)"
    )
    assert translate_message(w[0], "vi") != w[0]
    assert LON0 + NCOL * DEG > 103.080  # the point is on the DEM: only the commune check can see it


def test_station_far_outside_every_commune_is_probably_mistyped(tmp_path):
    """Communes that cover only the south of the DEM: a station 4 km north of them (on the DEM) is flagged, with
    the commune it counts for (the written one, or none when the row names none); one 200 m out is not."""
    from .conftest import LAT1, LON0, NCOL, NROW, SPLIT_LON

    proj = build_project(tmp_path / "p")
    fc = commune_features()
    north = LAT1 - 0.06  # communes end 0.06° (6.7 km) south of the DEM's top
    for f in fc["features"]:
        ring = f["geometry"]["coordinates"][0]
        f["geometry"]["coordinates"][0] = [[x, min(y, north)] for x, y in ring]
    write_geojson(proj.parent / "communes.geojson", fc)
    rows = [r[:] for r in STATION_ROWS]
    rows[0][4] = north + 0.04  # KV01 (Xã Tây): ~4.4 km north of every commune
    rows[1][4] = north + 0.0018  # KV02: ~200 m north, at the edge
    rows[2][2], rows[2][4] = "", north + 0.03  # KV03: no commune written, ~3.3 km north
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    inp = load_inputs(load_project(proj))
    w = "\n".join(inp.warnings)
    d1 = _distance_m(102.990, north + 0.04, LON0, SPLIT_LON, north) / 1000
    d3 = _distance_m(103.060, north + 0.03, SPLIT_LON, LON0 + NCOL * DEG, north) / 1000
    assert (f"row 2, KV01 (lon 102.99000, lat {north + 0.04:.5f}): the row says 'Xã Tây' but the point lies outside "
            f"every commune polygon, {d1:.1f} km from 'Xã Tây': the coordinates are probably mistyped; it counts "
            "for 'Xã Tây' as written") in w
    assert (f"row 4, KV03 (lon 103.06000, lat {north + 0.03:.5f}): the point lies outside every commune polygon, "
            f"{d3:.1f} km from the nearest ('Xã Đông'): the coordinates are probably mistyped; it counts for no "
            "commune") in w
    # the station at the edge keeps the short note; the far ones are not repeated in it
    assert "stations: 1 station(s) outside every commune polygon: KV02 (row 3)" in inp.warnings
    assert inp.stations["commune"].tolist()[:3] == ["Xã Tây", "Xã Tây", ""]
    assert LAT1 - NROW * DEG < north + 0.04 < LAT1  # on the DEM


def test_station_off_the_dem_and_every_commune_is_called_mistyped(tmp_path):
    proj = build_project(tmp_path / "p")
    rows = [r[:] for r in STATION_ROWS]
    rows[3][3] = 100.085  # KV04: a digit wrong, 300 km west
    write_csv(proj.parent / "polling_stations.csv", STATION_HEADER, rows)
    with pytest.raises(InputError, match="1 stations outside the terrain") as ei:
        load_inputs(load_project(proj))
    (line,) = ei.value.problems
    assert line.startswith("row 5: id 'KV04' at lon 100.08500, lat 21.32000, ")
    assert line.endswith(" km outside every commune polygon too: the coordinates are probably mistyped")
    assert "a typing mistake" in str(ei.value)


# ------------------------------------------------------------------------------------------ Vietnamese tower columns
def test_vietnamese_status_and_tilt_headers_are_read(tmp_path):
    """QA: 'Tình trạng', 'Góc nghiêng cơ', 'Góc nghiêng điện' were ignored ("column(s) not recognised"): the
    down tower counted as on air and the default tilts were used. Accents, case, spaces and a unit in the
    header do not matter."""
    renamed = {"trang_thai": "Tình trạng", "goc_ngang_co": "Góc nghiêng cơ (độ)", "goc_ngang_dien": "GOC NGHIENG DIEN",
               "phuong_vi": "Phương vị (độ)", "do_cao_anten_m": "Chiều cao anten (m)", "eirp_dbm": "EIRP (dBm)",
               "tan_so_mhz": "Băng tần (MHz)", "nha_mang": "Nhà khai thác"}  # fmt: skip
    header = [renamed.get(h, h) for h in TOWER_HEADER]
    warnings = []
    t = load_towers(write_csv(tmp_path / "bts.csv", header, TOWER_ROWS), crs=UTM, warnings=warnings).set_index("id")
    assert t["status"].tolist() == ["on_air", "on_air", "down"]
    assert t.loc["DBN003", "mech_tilt_deg"] == 3 and t.loc["DBN003", "elec_tilt_deg"] == 2  # defaults: 2 and 0
    assert t.loc["DBN001", "mech_tilt_deg"] == 2 and t.loc["DBN001", "elec_tilt_deg"] == 0
    assert t.loc["DBN003", "azimuth_deg"] == 240 and t.loc["DBN003", "height_m"] == 35
    assert t.loc["DBN001", "frequency_mhz"] == 1800 and t.loc["DBN003", "operator"] == "MobiFone"
    assert not any("not recognised" in w or "has no" in w for w in warnings), warnings


def test_status_labels_the_tool_prints_are_accepted(tmp_path):
    """QA: 'Đang phát sóng' and 'Ngừng hoạt động' (the tool's own labels, coverage_planner.i18n tower_status.*)
    were refused. Every label it prints, in both languages, with or without accents and in any case, reads back
    as its status; a word that is none of them is still refused, naming the Vietnamese labels."""
    from coverage_planner import i18n

    values, expected = [], []
    for status in ("on_air", "planned", "down"):
        for lang in i18n.LANGUAGES:
            label = i18n.t(f"tower_status.{status}", lang)
            plain = "".join(c for c in unicodedata.normalize("NFD", label.replace("Đ", "D"))
                            if not unicodedata.combining(c))  # typed without accents
            values += [label, label.upper(), f"  {label.lower()} ", plain]
            expected += [status] * 4
    values += [i18n.t("map.legend.tower_down", "vi"), i18n.t("map.legend.tower_planned", "vi"),
               "Ngung hoat dong", "TẠM NGỪNG", "chưa phát sóng"]  # fmt: skip
    expected += ["down", "planned", "down", "down", "planned"]
    rows = [[f"T{i}", 103.0 + i * 1e-3, 21.4, v] for i, v in enumerate(values)]
    t = load_towers(write_csv(tmp_path / "t.csv", ["id", "lon", "lat", "Trạng thái"], rows), crs=UTM, warnings=[])
    assert t["status"].tolist() == expected
    bad = write_csv(tmp_path / "b.csv", ["id", "lon", "lat", "Trạng thái"], [["A", 103.0, 21.4, "bảo dưỡng"]])
    with pytest.raises(InputError) as ei:
        load_towers(bad, crs=UTM)
    assert "'bảo dưỡng' is not a known status" in problems_of(ei) and "Ngừng hoạt động" in problems_of(ei)


def test_missing_model_columns_are_warned_naming_the_file(tmp_path):
    """A towers file without the columns the model uses says, naming the file, what every tower becomes."""
    p = write_csv(tmp_path / "bts_min.csv", ["Mã trạm", "Kinh độ", "Vĩ độ", "Công nghệ"],
                  [["A", 103.0, 21.4, "4G"], ["B", 103.01, 21.41, "2G"]])  # fmt: skip
    warnings = []
    t = load_towers(p, crs=UTM, warnings=warnings)
    assert "towers: bts_min.csv has no status column: every tower is treated as on air" in warnings
    assert "towers: bts_min.csv has no azimuth_deg column: every tower is treated as omnidirectional" in warnings
    assert "towers: bts_min.csv has no operator column: every tower's operator is 'unknown'" in warnings
    assert "towers: bts_min.csv has no mech_tilt_deg column: every tower uses the default 2 (2G), 2 (4G)" in warnings
    assert "towers: bts_min.csv has no elec_tilt_deg column: every tower uses the default 0 (2G), 0 (4G)" in warnings
    assert "towers: bts_min.csv has no frequency_mhz column: every tower uses the default 1800 (4G), 900 (2G)" in warnings
    assert not any("beamwidth" in w for w in warnings)  # omni towers: a beamwidth means nothing
    assert t["status"].tolist() == ["on_air", "on_air"] and t["mech_tilt_deg"].tolist() == [2, 2]
    # the columns present: no such warning
    warnings = []
    load_towers(write_csv(tmp_path / "full.csv", TOWER_HEADER, TOWER_ROWS), crs=UTM, warnings=warnings)
    assert not any(" has no " in w for w in warnings), warnings


# ------------------------------------------------------------------------------------------ implied vs explicit CRS
def _utm_communes(path, *, crs_member=None):
    """The mini province's communes in UTM 48N metres, written as GeoJSON with the given ``crs`` member (or
    none: RFC 7946 then means WGS 84)."""
    from pyproj import Transformer

    fc = commune_features()
    to_utm = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
    for f in fc["features"]:
        f["geometry"]["coordinates"] = [[list(to_utm.transform(*xy)) for xy in ring]
                                        for ring in f["geometry"]["coordinates"]]  # fmt: skip
    if crs_member:
        fc["crs"] = {"type": "name", "properties": {"name": crs_member}}
    return write_geojson(path, fc)


def test_declared_crs_overrides_the_one_geojson_implies(tmp_path):
    """QA: a GeoJSON in metres without a crs member: validate said "declare it for this input in the project";
    declaring it then said "the file is in EPSG:4326 but the project declares EPSG:32648 — remove crs". The
    declaration now overrides the implied WGS 84, and the first message gives the line that makes it work."""
    proj = build_project(tmp_path / "p", crs=UTM)
    _utm_communes(proj.parent / "communes_utm.geojson")
    text = proj.read_text(encoding="utf-8").replace('communes = "communes.geojson"', 'communes = "communes_utm.geojson"')
    proj.write_text(text, encoding="utf-8")
    with pytest.raises(CRSError) as ei:
        load_inputs(load_project(proj))
    msg = str(ei.value)
    assert 'no "crs" member, so as GeoJSON it is read as EPSG:4326' in msg and "look like metres" in msg
    line = 'communes = { path = "communes_utm.geojson", crs = "EPSG:32648" }'
    assert line in msg
    proj.write_text(text.replace('communes = "communes_utm.geojson"', line), encoding="utf-8")  # follow the advice
    inp = load_inputs(load_project(proj))
    ref = load_communes(proj.parent / "communes.geojson", crs=UTM)
    assert inp.communes["name"].tolist() == ["Xã Tây", "Xã Đông"]
    assert inp.communes.total_bounds == pytest.approx(ref.total_bounds, abs=0.01)


def test_declared_crs_against_a_stated_one_is_an_error_with_working_advice(tmp_path):
    """A CRS the file states is never overridden. When the file's CRS fits its coordinates the advice is to
    remove the declaration (which then loads); when it cannot (metres labelled WGS 84) but the declared one
    fits, the advice is to correct a copy of the file."""
    p = _utm_communes(tmp_path / "c32648.geojson", crs_member="urn:ogc:def:crs:EPSG::32648")
    with pytest.raises(CRSError) as ei:
        load_communes(p, crs=UTM, source_crs="EPSG:3405")
    msg = str(ei.value)
    assert "the communes file states its CRS, EPSG:32648, but the project declares EPSG:3405" in msg
    assert 'remove crs = "EPSG:3405" from this input' in msg
    assert load_communes(p, crs=UTM)["name"].tolist() == ["Xã Tây", "Xã Đông"]  # the advice works
    wrong = _utm_communes(tmp_path / "c_wrong.geojson", crs_member="urn:ogc:def:crs:OGC:1.3:CRS84")
    with pytest.raises(CRSError) as ei:
        load_communes(wrong, crs=UTM, source_crs=UTM)
    msg = str(ei.value)
    assert "states its CRS, EPSG:4326, but the project declares EPSG:32648" in msg
    assert "the file's own CRS is wrong" in msg and "fit EPSG:32648, not EPSG:4326" in msg
    assert "ogr2ogr -a_srs EPSG:32648 fixed.geojson c_wrong.geojson" in msg
    # without the declaration the stated-but-wrong CRS is refused with the same way out (not "declare it")
    with pytest.raises(CRSError) as ei:
        load_communes(wrong, crs=UTM)
    assert "look like metres" in str(ei.value) and "ogr2ogr -a_srs EPSG:32648" in str(ei.value)
    assert "declare its real CRS" not in str(ei.value)


# ------------------------------------------------------------------------------------------ DEM with a wrong CRS
#: Top-left corner (UTM 48N metres) of a 30 km DEM covering the mini province (x 287558…302906,
#: y 2356537…2373342) with a margin.
DEM_X0, DEM_Y0, DEM_N = 281000.0, 2380000.0, 300


def _utm_dem(path, crs):
    """A DEM of 100 m cells at UTM 48N metre coordinates over the mini province, labelled ``crs``."""
    import rasterio
    from affine import Affine

    z = np.full((DEM_N, DEM_N), 600.0, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=DEM_N, height=DEM_N, count=1, dtype="float32", crs=crs,
                       transform=Affine(100.0, 0, DEM_X0, 0, -100.0, DEM_Y0)) as dst:  # fmt: skip
        dst.write(z, 1)
    return path


def test_dem_with_degrees_label_on_metre_coordinates(tmp_path):
    """QA: a UTM DEM labelled EPSG:4326 (gdal_translate -a_srs EPSG:4326) only got "the terrain does not
    overlap the area of the inputs". Its extent is impossible in degrees: say so, where it would lie in the
    project's CRS, and how to make a correct copy."""
    from coverage_planner.terrain import load_terrain

    wrong = _utm_dem(tmp_path / "dem_wrongcrs.tif", "EPSG:4326")
    with pytest.raises(CRSError) as ei:
        load_terrain(wrong, crs=UTM, resolution_m=100)
    msg = str(ei.value)
    assert "dem_wrongcrs.tif" in msg and "says it is in EPSG:4326 (degrees)" in msg
    assert "x 281000 … 311000, y 2350000 … 2380000" in msg and "look like metres" in msg
    assert "gdal_translate -a_srs EPSG:32648 dem_wrongcrs.tif dem_wrongcrs_fixed.tif" in msg
    assert "does not overlap" not in msg
    # in a whole project: the first error, naming the place the DEM would cover in the project's CRS
    proj = build_project(tmp_path / "p", crs=UTM)
    _utm_dem(proj.parent / "dem.tif", "EPSG:4326")
    with pytest.raises(CRSError) as ei:
        load_inputs(load_project(proj))
    from pyproj import Transformer

    w, s, e, n = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform_bounds(
        DEM_X0, DEM_Y0 - 100 * DEM_N, DEM_X0 + 100 * DEM_N, DEM_Y0)
    assert f"read in the project's CRS EPSG:32648 it would cover lon {w:.3f}…{e:.3f}, lat {s:.3f}…{n:.3f}" in str(
        ei.value)
    # the same grid labelled with its real CRS loads
    ok = load_terrain(_utm_dem(tmp_path / "dem_fixed.tif", UTM), crs=UTM, resolution_m=100)
    assert ok.dem.shape == (DEM_N, DEM_N) and float(ok.dem.max()) == 600.0
    proj.parent.joinpath("dem.tif").unlink()
    _utm_dem(proj.parent / "dem.tif", UTM)
    assert len(load_inputs(load_project(proj)).towers) == 3
