"""Stations are found by id in every output, and names sort in Vietnamese order.

QA: the console and the CSV files name stations by id ("newly uncovered: KVBP-PUNHUNG-01 …") but the PDF and
the HTML map had no id at all, and station names repeat across wards. The PDF tables listed "số 10…19" before
"số 2", "Phường Điện Biên Phủ" after "Phường Mường Thanh" and "Mường Luân" before "Mường Lạn" (raw code-point
order). One key, :func:`coverage_planner.i18n.natural_key`, now orders names everywhere.
"""

from __future__ import annotations

import dataclasses
import random
import re
import shutil
import subprocess
import unicodedata

import pandas as pd
import pytest

from coverage_planner import report, webmap
from coverage_planner.i18n import natural_key, short_station_name, sort_names, station_label, station_order

from .test_webmap import calls
from .tiny_results import tiny_results

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")


def _shuffled_sort(items, seed=1):
    items = list(items)
    random.Random(seed).shuffle(items)
    return sorted(items, key=natural_key)


# ----------------------------------------------------------------------------------------------------------
# the collation key
# ----------------------------------------------------------------------------------------------------------
def test_letters_in_the_vietnamese_alphabet_order():
    alphabet = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ", "p",
                "q", "r", "s", "t", "u", "ư", "v", "x", "y"]
    assert _shuffled_sort(alphabet) == alphabet
    assert _shuffled_sort([c.upper() for c in alphabet]) == [c.upper() for c in alphabet]
    # đ is a letter of its own after d (raw order puts it after every ASCII letter)
    assert _shuffled_sort(["Điện Biên", "Dền", "Mường", "Ea Súp"]) == ["Dền", "Điện Biên", "Ea Súp", "Mường"]
    # ơ, ư after o, u and their circumflex: "Ong" < "Ôm" < "Ơn" < "Uông" < "Ưng"
    assert _shuffled_sort(["Ưng", "Ơn", "Uông", "Ôm", "Ong"]) == ["Ong", "Ôm", "Ơn", "Uông", "Ưng"]


def test_tones_order_a_syllable_after_the_same_syllable_unmarked():
    # dictionary order of the tones: none, huyền, hỏi, ngã, sắc, nặng; all before the next letter (ă)
    assert _shuffled_sort(["ạ", "á", "ã", "ả", "à", "a", "ă"]) == ["a", "à", "ả", "ã", "á", "ạ", "ă"]
    assert _shuffled_sort(["ự", "ừ", "ư", "u", "ụ"]) == ["u", "ụ", "ư", "ừ", "ự"]
    # a syllable with a tone still comes before a longer syllable: Na < Nà < Nam; tủa < tuần
    assert _shuffled_sort(["Nam", "Nà", "Na"]) == ["Na", "Nà", "Nam"]
    assert _shuffled_sort(["Xã Tuần Giáo", "Xã Tủa Chùa", "Xã Tìa Dình"]) == [
        "Xã Tìa Dình", "Xã Tủa Chùa", "Xã Tuần Giáo"]
    # QA's case: Mường Lạn before Mường Luân (raw order: "u" < "ạ")
    assert _shuffled_sort(["Xã Mường Luân", "Xã Mường Lạn", "Xã Mường Ảng"]) == [
        "Xã Mường Ảng", "Xã Mường Lạn", "Xã Mường Luân"]
    # a tone under a modified vowel (NFD puts the dot below before the circumflex): "ậ" is â with nặng
    assert _shuffled_sort(["Nậm", "Nấm", "Nâm", "Nam"]) == ["Nam", "Nâm", "Nấm", "Nậm"]


def test_numbers_compare_as_numbers_case_and_normalisation_do_not_matter():
    names = [f"Khu vực bỏ phiếu số {n} – Tổ dân phố {n}" for n in (1, 2, 3, 9, 10, 11, 19, 20, 100)]
    assert _shuffled_sort(names) == names
    assert _shuffled_sort(["Bản 2b", "bản 2a", "Bản 10", "BẢN 02"]) == ["BẢN 02", "bản 2a", "Bản 2b", "Bản 10"]
    # the same name typed decomposed (NFD, as some Excel exports) or in capitals sorts as the same name
    nfd = unicodedata.normalize("NFD", "Phường Điện Biên Phủ")
    assert natural_key(nfd) == natural_key("Phường Điện Biên Phủ")
    assert natural_key("XÃ MƯỜNG NHÉ") < natural_key("xã mường nhé 2") < natural_key("Xã Nà Hỳ")
    # equal but for case: ordered by the text, so the input's order does not matter
    assert _shuffled_sort(["b", "B", "a"], 1) == _shuffled_sort(["b", "B", "a"], 2) == ["a", "B", "b"]
    assert natural_key(None) == natural_key("") and natural_key(float("nan")) == natural_key("")


def test_province_communes_in_vietnamese_order():
    raw = sorted(["Phường Mường Lay", "Phường Mường Thanh", "Phường Điện Biên Phủ", "Xã Mường Luân", "Xã Mường Lạn",
                  "Xã Sín Thầu", "Xã Sính Phình", "Xã Si Pa Phìn"])
    assert raw.index("Phường Điện Biên Phủ") > raw.index("Phường Mường Thanh")  # the old order
    assert _shuffled_sort(raw) == ["Phường Điện Biên Phủ", "Phường Mường Lay", "Phường Mường Thanh", "Xã Mường Lạn",
                                   "Xã Mường Luân", "Xã Si Pa Phìn", "Xã Sín Thầu", "Xã Sính Phình"]


def test_sort_names_and_station_order():
    st = pd.DataFrame({"id": ["A3", "A1", "B1", "A2"], "status": ["weak", "none", "none", "none"],
                       "commune": ["Phường Mường Thanh", "Phường Mường Thanh", "Phường Điện Biên Phủ",
                                   "Phường Mường Thanh"],
                       "name": ["số 2", "số 10", "số 1", "số 2"]})
    assert list(sort_names(st, "commune", "name")["id"]) == ["B1", "A3", "A2", "A1"]
    ranked = st.assign(_o=st["status"].map({"none": 0, "weak": 1}))
    out = sort_names(ranked, "commune", "name", first="_o")
    assert list(out["id"]) == ["B1", "A2", "A1", "A3"] and list(out.columns) == list(ranked.columns)
    # same ward and name: by id; an id not in the table: last
    assert station_order(["A1", "ZZ", "A3", "B1", "A2"], st) == ["B1", "A2", "A3", "A1", "ZZ"]


def test_station_label_names_the_id():
    assert station_label("Bản Na Sang", "Xã Mường Nhé", "KVBP-MUONGNHE-03") == \
        "Bản Na Sang (Xã Mường Nhé, KVBP-MUONGNHE-03)"
    assert station_label("Bản Na Sang", "Xã Mường Nhé") == "Bản Na Sang (Xã Mường Nhé)"
    assert station_label(float("nan"), "Xã Mường Nhé", "KV01") == "KV01 (Xã Mường Nhé)"


# ----------------------------------------------------------------------------------------------------------
# the outputs
# ----------------------------------------------------------------------------------------------------------
COMMUNES = {"Mường Nhé": "Phường Mường Thanh", "Nà Hỳ": "Phường Điện Biên Phủ", "Thanh Xương": "Xã Mường Lạn"}
COMMUNE_RANK = {"Phường Điện Biên Phủ": 0, "Phường Mường Thanh": 1, "Xã Mường Lạn": 2}  # Vietnamese order, by hand
NUMBERS = [10, 2, 11, 3, 1, 12, 20, 4, 21, 5, 13, 6]  # "số 10" first in the input and in raw order
ID_COMMUNE = {"Phường Mường Thanh": "MUONGTHANH", "Phường Điện Biên Phủ": "DIENBIENPHU", "Xã Mường Lạn": "MUONGLAN"}


@pytest.fixture(scope="module")
def res():
    """The tiny scene with the province's naming: long ids (KVBP-DIENBIENPHU-10), "Khu vực bỏ phiếu số N"
    names, ward names whose raw order is not the Vietnamese one."""
    r = tiny_results(scenario_down=("VT-002",))
    st = r.stations
    st["commune"] = st["commune"].map(COMMUNES)
    st["name"] = [f"Khu vực bỏ phiếu số {n} – Tổ dân phố {n}" for n in NUMBERS]
    new = {old: f"KVBP-{ID_COMMUNE[c]}-{n:02d}" for old, c, n in zip(st["id"], st["commune"], NUMBERS, strict=True)}
    st["id"] = st["id"].map(new)
    r.communes["name"] = r.communes["name"].map(COMMUNES)
    r.newly_uncovered = [new[i] for i in r.newly_uncovered]
    for col in ("stations_covered", "stations_in_reach"):
        r.proposals[col] = [";".join(new[i] for i in v.split(";") if i) for v in r.proposals[col]]
    r.proposals["commune"] = r.proposals["commune"].map(COMMUNES)
    r.gaps["commune"] = r.gaps["commune"].map(COMMUNES)
    ids = [new[i] for i in r.unreachable["id"]]
    r.unreachable = st.set_index("id").loc[ids, ["name", "commune"]].reset_index().assign(
        reason=list(r.unreachable["reason"]))
    assert len(r.newly_uncovered) >= 2 and len(r.unreachable) >= 2 and st["spof"].sum() >= 3
    return r


def _expected(frame) -> list[str]:
    """Station ids in the tables' order, worked out by hand: ward (COMMUNE_RANK), then the number."""
    num = frame["name"].str.extract(r"số (\d+)")[0].astype(int)
    return list(frame.assign(_c=frame["commune"].map(COMMUNE_RANK), _n=num).sort_values(["_c", "_n"])["id"])


def _raw_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _ids_in(text: str, ids) -> list[str]:
    found = sorted((m.start(), m.group(0)) for i in ids for m in re.finditer(rf"{re.escape(i)}(?![\w-])", text))
    return [i for _, i in found]


@needs_pdftotext
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_station_tables_list_ids_in_vietnamese_order(res, lang, tmp_path):
    from coverage_planner.i18n import t

    text = _raw_text(report.build_report(res, tmp_path / f"r_{lang}.pdf", lang=lang))

    def section(start, end):
        i = text.index(t(start, lang))
        return text[i:text.index(t(end, lang), i + 1)]

    st = res.stations
    head = t("station_id", lang)
    # weak / no signal: no-signal rows first, then weak ones; each group by ward, then number
    bad = st[st["status"] != "good"]
    want = _expected(bad[bad["status"] == "none"]) + _expected(bad[bad["status"] == "weak"])
    sec = section("report.gaps", "report.spof")
    assert head in sec and _ids_in(sec, st["id"]) == want
    # single points of failure
    sec = section("report.spof", "report.methods")
    assert head in sec and _ids_in(sec, st["id"]) == _expected(st[st["spof"]])
    # the scenario's lost stations
    sec = section("report.newly", "report.communes")
    assert head in sec and _ids_in(sec, st["id"]) == _expected(st[st["id"].isin(res.newly_uncovered)])
    # stations no site can reach
    sec = section("report.unreachable", "report.gaps")
    assert head in sec and _ids_in(sec, st["id"]) == _expected(res.unreachable)
    # each id next to its station's name (which may wrap; "Khu vực bỏ phiếu" abbreviated KVBP in the tables)
    for r in bad.itertuples():
        name = r"\s+".join(re.escape(w) for w in short_station_name(r.name).split(" – ")[0].split())
        assert re.search(rf"{re.escape(r.id)}\s+{name}\s", text), r.id


def _words_too_wide(table) -> list[tuple[str, float, float]]:
    """(word, its width, the room in its column) of every word of a table's cells that does not fit on a line
    of its column (reportlab would split it: "KVBP-MUONGTOO" / "NG-03")."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    out = []
    for row in table._cellvalues:
        for col, cell in enumerate(row):
            if not isinstance(cell, Paragraph):
                continue
            room = table._colWidths[col] - 2 * report.TABLE_PADDING
            for frag in cell.frags:
                for word in getattr(frag, "text", "").split():
                    w = stringWidth(word, frag.fontName, frag.fontSize)
                    if w > room:
                        out.append((word, w, room))
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_station_tables_fit_the_page_and_split_no_id(res, lang):
    """The id column holds the longest id on one line; the table keeps the A4 frame's width (17 cm) and no
    word of any cell (ids, tower ids, headers, the total) is split."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Table

    report.register_fonts()
    frame_w = A4[0] - 4 * cm
    tables = [f for f in report._story(res, lang, report._styles(), frame_w, A4[1] - 3.8 * cm - 12)
              if isinstance(f, Table)]
    station_tables = [tb for tb in tables if tb._cellvalues[0][0].getPlainText() == report.t("station_id", lang)]
    assert len(station_tables) == 4  # lost stations, weak / none, unreachable, single points of failure
    for tb in tables:
        assert sum(tb._colWidths) <= frame_w + 0.01, [round(w / cm, 2) for w in tb._colWidths]
        assert _words_too_wide(tb) == []
    # (the check can fail: an id column sized for short ids splits the long ones)
    tb = station_tables[0]
    narrow = Table(tb._cellvalues, colWidths=[1.5 * cm, *tb._colWidths[1:]])
    assert any(w.startswith("KVBP-") for w, _, _ in _words_too_wide(narrow))


def test_map_station_popups_give_the_id_escaped(res):
    lab, _, items, *_ = calls(webmap.build_map(res, lang="vi"), "Stations")[0]
    assert "Mã" in lab
    for st, item in zip(res.stations.itertuples(), items, strict=True):
        row = dict(zip(item[4::2], item[5::2], strict=True))
        assert item[3] == st.name and row[lab.index("Mã")] == st.id
        assert list(row)[0] == lab.index("Mã")  # the first row of the popup
    lab, _, items, *_ = calls(webmap.build_map(res, lang="en"), "Stations")[0]
    assert dict(zip(items[0][4::2], items[0][5::2], strict=True))[lab.index("ID")] == res.stations["id"].iloc[0]
    # an id is text from the input file: escaped like the name
    st = res.stations.copy()
    st.loc[0, "id"] = "<img src=x onerror=alert(1)>&"
    page = webmap.build_map(dataclasses.replace(res, stations=st, newly_uncovered=[], contingency=None), lang="en")
    assert "<img src=x" not in page
    lab, _, items, *_ = calls(page, "Stations")[0]
    assert dict(zip(items[0][4::2], items[0][5::2], strict=True))[lab.index("ID")] == \
        "&lt;img src=x onerror=alert(1)&gt;&amp;"


def test_map_contingency_lists_stations_in_the_tables_order(res):
    import geopandas as gpd
    from shapely.geometry import Point

    from coverage_planner.pipeline import CONTINGENCY_COLUMNS

    st = res.stations
    ids = sorted(st["id"])  # the plan lists ids in id order: MUONGLAN before MUONGTHANH, 10 before 2
    row = dict(site="VT-001", operator="Viettel", towers="VT-001", site_lon=103.1, site_lat=21.5, n_lost=len(ids),
               voters_lost=int(st["voters"].sum()), stations_lost=";".join(ids), restore_lon=103.12,
               restore_lat=21.52, restore_x=300100.0, restore_y=2370100.0, commune="Xã A", elevation_m=812.0,
               n_restored=6, voters_restored=1, stations_restored=";".join(ids[:6]), backhaul="ok",
               backhaul_tower="VT-002", backhaul_distance_km=6.4, backhaul_clearance=1.3, note="")
    cp = gpd.GeoDataFrame(pd.DataFrame([row], columns=CONTINGENCY_COLUMNS), geometry=[Point(300100.0, 2370100.0)],
                          crs=res.grid.crs)
    (lab, items), = calls(webmap.build_map(dataclasses.replace(res, contingency=cp), lang="en"), "Contingency")
    cells = dict(zip(items[0][6::2], items[0][7::2], strict=True))
    restored = cells[lab.index("Stations restored")]
    kept = cells[lab.index("Still without signal")]
    assert _ids_in(restored, ids) == _expected(st[st["id"].isin(ids[:6])])
    assert _ids_in(kept, ids) == _expected(st[st["id"].isin(ids[6:])])


def test_commune_table_order_within_a_group_is_vietnamese():
    communes = pd.DataFrame({"name": ["Xã Mường Luân", "Phường Mường Thanh", "Xã Mường Lạn", "Phường Điện Biên Phủ"],
                             "border": False, "remote": False, "voters_none": 0, "voters_weak": 0})
    assert list(report._commune_order(communes)["name"]) == [
        "Phường Điện Biên Phủ", "Phường Mường Thanh", "Xã Mường Lạn", "Xã Mường Luân"]


@pytest.mark.parametrize(("name", "short"), [
    ("Khu vực bỏ phiếu số 17 – Tổ dân phố 17", "KVBP số 17 – Tổ dân phố 17"),
    ("khu vực bỏ phiếu số 2 – Bản Na Sang", "KVBP số 2 – Bản Na Sang"),  # any case
    (unicodedata.normalize("NFD", "Khu vực bỏ phiếu số 3"), "KVBP số 3"),  # decomposed accents
    ("Bản Khu vực bỏ phiếu", "Bản Khu vực bỏ phiếu"),  # only a leading one
    ("Nhà văn hoá bản Mường Lay", "Nhà văn hoá bản Mường Lay"),
    (None, ""),
])
def test_short_station_name(name, short):
    assert short_station_name(name) == short


def test_pdf_station_rows_use_the_kvbp_abbreviation_with_its_note(tmp_path):
    """The sample's names all start "Khu vực bỏ phiếu số …": in the PDF's narrow name column they took three
    lines per row (25 → 29 pages with the id column); abbreviated as Vietnamese documents do, with a note."""

    res = tiny_results()
    res.stations["name"] = "Khu vực bỏ phiếu số 9 – " + res.stations["name"].astype(str)
    for lang, note in (("vi", "KVBP: khu vực bỏ phiếu."), ("en", "KVBP: khu vực bỏ phiếu (polling area).")):
        out = tmp_path / f"r_{lang}.pdf"
        report.build_report(res, out, lang=lang)
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "KVBP số 9" in text and "Khu vực bỏ phiếu số 9" not in text
        assert note in " ".join(text.split())
