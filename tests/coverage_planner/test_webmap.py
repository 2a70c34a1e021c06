"""Offline HTML map: self-contained, renders in headless Chromium, escapes input text, georeferences rasters."""

from __future__ import annotations

import base64
import io
import json
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from coverage_planner import webmap
from coverage_planner.errors import OutputError, ParameterError

from .tiny_results import HOSTILE_COMMUNE, HOSTILE_NAME, tiny_results

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian `chromium` not installed")


@pytest.fixture(scope="module")
def res():
    return tiny_results(hostile_names=True)


@pytest.fixture(scope="module")
def page(res):
    return webmap.build_map(res)


def run_chromium(html_path: Path, *, dump_dom: bool = True, screenshot: Path | None = None) -> tuple[str, str]:
    """Headless Chromium with name resolution disabled (= offline). Returns (stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as ud:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={ud}", "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars",
               "--window-size=1200,900", "--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0"]
        cmd += ["--dump-dom"] if dump_dom else [f"--screenshot={screenshot}"]
        cp = subprocess.run(cmd + [html_path.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    return cp.stdout, cp.stderr


def calls(page: str, kind: str) -> list[list]:
    """Arguments (after the layer) of every ``cp<kind>(layer, ...)`` call in the page, decoded from JSON."""
    return [json.loads("[" + a + "]") for a in re.findall(rf"cp{kind}\((?:\w+), (.*)\);$", page, re.M)]


def element_classes(dom: str) -> list[set[str]]:
    """The class sets of every element in a DOM dump (script text is not parsed as elements)."""
    from html.parser import HTMLParser

    out: list[set[str]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for k, v in attrs:
                if k == "class" and v:
                    out.append(set(v.split()))

        handle_startendtag = handle_starttag

    P().feed(dom)
    return out


def count_class(dom: str, *names: str) -> int:
    return sum(1 for c in element_classes(dom) if set(names) <= c)


def console_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if "CONSOLE" in ln]


# ---------------------------------------------------------------------------------------------------------
# static checks of the page
# ---------------------------------------------------------------------------------------------------------
def test_no_external_script_or_stylesheet(page):
    assert re.search(r"<script[^>]*\bsrc\s*=", page, re.I) is None
    assert re.search(r"<link[^>]*stylesheet", page, re.I) is None
    assert re.search(r"@import", page) is None
    assert re.search(r"url\(\s*['\"]?(https?:)?//", page) is None, "CSS url() pointing at the network"
    for cdn in ("cdn.jsdelivr", "code.jquery.com", "cdnjs.cloudflare", "bootstrapcdn", "fontawesome"):
        assert cdn not in page
    # Leaflet and jQuery are inlined, Leaflet's images are data URIs
    assert "Leaflet 1.9.3" in page and "jQuery v3.7.1" in page
    assert "url(images/" not in page
    assert page.count("data:image/png;base64,") >= 3 + 3  # 3 icon URIs + layers.png/-2x in CSS + rasters
    # the only network URL left is the optional OSM base layer
    hosts = set(re.findall(r"https?://([a-z0-9.{}-]+)", page))
    assert hosts <= {"tile.openstreetmap.org", "www.w3.org", "leafletjs.com", "bugzilla.mozilla.org",
                     "www.openstreetmap.org", "openstreetmap.org"}, hosts


def test_hostile_text_is_escaped_in_the_source(page, res):
    assert HOSTILE_NAME not in page
    assert "${alert(2)}" not in page
    assert "`tick`" not in page
    # the station's name travels HTML-escaped inside JSON that cannot close the <script> element
    payloads = calls(page, "Stations")
    assert len(payloads) == 1
    items = payloads[0][-1]
    names = [it[3] for it in items]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in names
    assert len(items) == len(res.stations)


def test_points_match_results(page, res):
    (lab, colours, items), = calls(page, "Stations")
    assert lab[0] == "Xã/phường" and colours == webmap.STATUS_COLOURS
    by_status = {s: sum(1 for it in items if it[2] == s) for s in ("good", "weak", "none")}
    assert by_status == res.station_counts()
    towers = [c[-1] for c in calls(page, "Towers")]
    assert len(towers) == res.towers["operator"].nunique()  # one layer per operator
    assert sum(len(t) for t in towers) == len(res.towers)
    assert sum(1 for t in towers for it in t if it[2] == "down") == int((res.towers["status"] == "down").sum())
    props = calls(page, "Proposals")[0][-1]
    assert [it[2] for it in props] == list(res.proposals["rank"])
    # a station marker sits where the station is
    k = int(np.flatnonzero(res.stations["id"] == "PS05")[0])
    assert items[k][0] == pytest.approx(res.stations["lat"].iloc[k], abs=1e-5)
    assert items[k][1] == pytest.approx(res.stations["lon"].iloc[k], abs=1e-5)
    # popup fields: commune, voters (Vietnamese thousands), status, server, level, nearest tower for bad ones
    row = dict(zip(items[k][4::2], items[k][5::2], strict=True))
    s = res.stations.iloc[k]
    assert row[0] == s.commune and row[1] == str(s.voters) and row[4] == f"{s.level_dbm:.1f} dBm".replace(".", ",")
    bad = int(np.flatnonzero(res.stations["status"] == "none")[0])
    row = dict(zip(items[bad][4::2], items[bad][5::2], strict=True))
    assert row[6].startswith(res.stations["nearest_tower"].iloc[bad] + " (")


def test_title_date_counts_and_parameters_are_shown(page, res):
    c = res.station_counts()
    for s in ("good", "weak", "none"):
        assert f"<b class='cp-count-{s}'>{c[s]}</b>" in page
    assert "28/11/2026 09:30" in page
    assert "Vùng phủ sóng di động tại các điểm bỏ phiếu – Điện Biên" in page
    assert "deygout" in page and "EPSG:32648" in page
    assert "L.control.scale" in page and "L.control.layers" in page


def test_english(res):
    page = webmap.build_map(res, lang="en", title="Test & <title>")
    assert "Polling stations (12)" in page
    assert "Terrain hillshade (offline)" in page
    assert "Test &amp; &lt;title&gt;" in page and "<title>Test &amp; &lt;title&gt;</title>" in page
    with pytest.raises(ParameterError, match="vi, en"):
        webmap.build_map(res, lang="fr")


def _png_layers(page):
    from PIL import Image

    out = []
    for b64 in re.findall(r'"data:image/(?:png|jpeg);base64,([A-Za-z0-9+/=]+)"', page):
        out.append(Image.open(io.BytesIO(base64.b64decode(b64))))
    return out


def test_rasters_downsampled_and_page_small(res):
    page = webmap.build_map(res, max_raster_px=120)
    sizes = {im.size for im in _png_layers(page) if max(im.size) > 60}  # skip the 25x41 Leaflet icons
    assert sizes and all(max(s) <= 120 for s in sizes)
    assert len(page.encode()) < 3_000_000
    with pytest.raises(ParameterError, match="max_raster_px"):
        webmap.build_map(res, max_raster_px=4)


def test_coverage_overlay_is_georeferenced():
    """One strong cell in an otherwise empty raster lands on the pixel of its lat/lon (checked with pyproj)."""
    from pyproj import Transformer

    res = tiny_results()
    level = np.full(res.grid.shape, np.nan, np.float32)
    r, c = 30, 100
    level[r - 1:r + 2, c - 1:c + 2] = -50.0  # 3x3 block so the mode resampling keeps it
    res.best_level = level
    res.proposal_level = None
    rast = webmap.raster_layers(res, max_px=400)
    from PIL import Image

    im = np.asarray(Image.open(io.BytesIO(base64.b64decode(rast["coverage"].split(",", 1)[1]))))
    ys, xs = np.nonzero(im[..., 3])
    assert len(ys) > 0
    assert tuple(im[ys[0], xs[0], :3]) == webmap._hex_rgb(webmap.LEVEL_CLASSES[0][1])
    (south, west), (north, east) = rast["bounds"]
    x, y = res.grid.xy(r, c)
    lon, lat = Transformer.from_crs(res.grid.crs, "EPSG:4326", always_xy=True).transform(x, y)
    merc = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (mx0, my0), (mx1, my1), (mx, my) = (merc.transform(west, north), merc.transform(east, south),
                                        merc.transform(lon, lat))
    h, w = im.shape[:2]
    exp_col = (mx - mx0) / (mx1 - mx0) * w
    exp_row = (my0 - my) / (my0 - my1) * h
    assert abs(xs.mean() + 0.5 - exp_col) < 1.5
    assert abs(ys.mean() + 0.5 - exp_row) < 1.5
    # the overlay covers the analysis grid
    corners = Transformer.from_crs(res.grid.crs, "EPSG:4326", always_xy=True).transform(
        [res.grid.bounds[0], res.grid.bounds[2]], [res.grid.bounds[1], res.grid.bounds[3]])
    assert west <= min(corners[0]) + 1e-9 and east >= max(corners[0]) - 1e-9
    assert south <= min(corners[1]) + 1e-9 and north >= max(corners[1]) - 1e-9


def test_added_coverage_only_where_it_helps():
    res = tiny_results()
    rast = webmap.raster_layers(res, max_px=10_000)  # no downsampling beyond the grid's own resolution
    from PIL import Image

    added = np.asarray(Image.open(io.BytesIO(base64.b64decode(rast["added"].split(",", 1)[1]))))[..., 3] > 0
    hs = np.asarray(Image.open(io.BytesIO(base64.b64decode(rast["hillshade"].split(",", 1)[1]))))
    assert rast["hillshade"].startswith("data:image/jpeg;base64,") and hs.ndim == 2
    assert added.any()
    assert added.shape == hs.shape
    # expected on the analysis grid: proposal level reaches weak where today's level does not
    with np.errstate(invalid="ignore"):
        before = np.where(np.isfinite(res.best_level), res.best_level, -np.inf)
        expected = (res.proposal_level >= -100.0) & (before < -100.0)
    frac_grid = expected.mean()
    dst_t, w, h, _ = webmap._web_grid(res.grid, 10_000)
    inside = webmap._warp(np.ones(res.grid.shape, np.uint8), res.grid, dst_t, w, h, resampling="nearest",
                          src_nodata=None, dst_nodata=0)
    frac_web = added.sum() / (inside > 0).sum()
    assert frac_web == pytest.approx(frac_grid, rel=0.1)


def test_level_classes_bounds():
    lv = np.array([[-65.0, -65.01, -104.99, -105.0, -105.01, -300.0, np.nan, -10.0]], np.float32)
    got = webmap.level_classes(lv)[0].tolist()
    assert got == [1, 2, 5, 5, 6, 6, 0, 1]
    labels = [lbl for _, lbl in webmap.level_legend("vi")]
    assert labels[0] == "≥ −65" and labels[-1] == "< −105" and len(labels) == len(webmap.LEVEL_CLASSES)


def test_esc_neutralises_html_and_template_literals():
    s = webmap.esc("<b>a</b> & ${x} `y` \\n \"q\" 'r'")
    for bad in ("<", ">", "${", "`", "\\", '"', "'"):
        assert bad not in s
    assert webmap.esc(float("nan")) == "" and webmap.esc(None) == ""
    j = webmap._json_for_script({"a": "</script><!--"})
    assert "</script" not in j and "<!--" not in j and json.loads(j) == {"a": "</script><!--"}


def test_thresholds_from_pipeline_parameters():
    res = tiny_results()
    assert webmap.thresholds(res) == {t: (-85.0, -100.0) for t in ("2G", "3G", "4G")}
    res.parameters = {"thresholds": {"4G": {"good_dbm": -95, "weak_dbm": -108}, "2G": {"good_dbm": -80, "weak_dbm": -95}},
                      "placement_technology": "4G"}
    assert webmap.thresholds(res) == {"4G": (-95.0, -108.0), "2G": (-80.0, -95.0)}
    assert webmap._min_weak_threshold(res) == -108.0
    res.parameters["placement_technology"] = "3G"  # not recorded: the lowest weak threshold
    assert webmap._min_weak_threshold(res) == -108.0
    res.parameters = {}
    assert webmap.thresholds(res) == {}
    assert math.isfinite(webmap._min_weak_threshold(res))


def test_write_map_atomic(tmp_path, res):
    dest = tmp_path / "sub" / "coverage_map.html"
    path = webmap.write_map(res, dest)
    assert path == dest and dest.stat().st_size > 100_000
    assert sorted(p.name for p in dest.parent.iterdir()) == ["coverage_map.html"]
    assert dest.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        webmap.write_map(res, blocker / "map.html")


# ---------------------------------------------------------------------------------------------------------
# rendering in a real browser
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered(res, tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian `chromium` not installed")
    d = tmp_path_factory.mktemp("map")
    p = webmap.write_map(res, d / "coverage_map.html")
    return run_chromium(p)


@needs_chromium
def test_renders_offline_without_console_errors(rendered, res):
    dom, stderr = rendered
    assert console_lines(stderr) == [], console_lines(stderr)
    assert count_class(dom, "leaflet-interactive", "cp-station") == len(res.stations)
    for s, n in res.station_counts().items():
        assert count_class(dom, "cp-station", f"cp-station-{s}") == n
    assert count_class(dom, "leaflet-marker-icon", "cp-tower") == len(res.towers)
    assert count_class(dom, "cp-tower-down") == int((res.towers["status"] == "down").sum())
    assert count_class(dom, "leaflet-marker-icon", "cp-proposal") == len(res.proposals)
    assert count_class(dom, "leaflet-image-layer") == 3  # hillshade base + coverage + added coverage
    assert count_class(dom, "leaflet-control-scale") == 1
    assert count_class(dom, "leaflet-control-layers") == 1
    assert count_class(dom, "leaflet-tile") == 0  # the OSM base is not on by default
    # gap and commune polygons, border and backhaul lines are SVG paths too
    n_paths = count_class(dom, "leaflet-interactive") - count_class(dom, "leaflet-marker-icon")
    n_backhaul = int((res.proposals["backhaul_tower"].astype(str) != "").sum())
    assert n_paths == len(res.stations) + len(res.gaps) + len(res.communes) + len(res.border) + n_backhaul


@needs_chromium
def test_console_errors_are_detected(tmp_path):
    """The console check above can fail: a page with a JS error is caught."""
    p = tmp_path / "bad.html"
    p.write_text("<html><body><script>undefinedFunction()</script></body></html>")
    _, stderr = run_chromium(p)
    assert any("undefinedFunction" in ln for ln in console_lines(stderr))


@needs_chromium
def test_hostile_names_stay_text_in_popups_and_tooltips(res, tmp_path):
    """Open every popup and tooltip in the browser: names show literally and no script runs."""
    page = webmap.build_map(res)
    map_var = re.search(r"var (map_[0-9a-f]+) = L\.map", page).group(1)
    probe = f"""<script>
    window.cpAlerts = 0; window.alert = function() {{ window.cpAlerts += 1; }};
    window.addEventListener('load', function() {{
      var out = [];
      {map_var}.eachLayer(function(l) {{
        if (l.getPopup && l.getPopup()) {{ l.openPopup(); out.push(l.getPopup().getElement().textContent); l.closePopup(); }}
        if (l.getTooltip && l.getTooltip()) {{ l.openTooltip(); var e = l.getTooltip().getElement();
          if (e) out.push(e.textContent); l.closeTooltip(); }}
      }});
      var pre = document.createElement('pre'); pre.id = 'cp-probe'; pre.textContent = 'alerts=' + window.cpAlerts + '\\n' + out.join('\\n');
      document.body.appendChild(pre);
    }});
    </script></body>"""
    p = tmp_path / "probe.html"
    p.write_text(page.replace("</body>", probe, 1), encoding="utf-8")
    dom, stderr = run_chromium(p)
    assert console_lines(stderr) == [], console_lines(stderr)
    text = re.search(r'<pre id="cp-probe">(.*?)</pre>', dom, re.S).group(1)
    assert text.startswith("alerts=0\n")
    import html

    text = html.unescape(text)
    assert HOSTILE_NAME in text  # shown as the literal characters, not executed or dropped
    assert HOSTILE_COMMUNE in text
    assert "Điểm bầu cử số 1 – Bản Na Sang" in text


def test_gap_layer_keeps_largest_within_vertex_budget():
    import shapely

    res = tiny_results()
    all_gaps, m0 = webmap.select_gaps(res.gaps, res.grid.cellsize)
    assert m0 == 0.0 and len(all_gaps) == len(res.gaps)
    total = int(shapely.get_num_coordinates(all_gaps.geometry.to_numpy()).sum())
    kept, min_km2 = webmap.select_gaps(res.gaps, res.grid.cellsize, max_vertices=total // 2)
    assert 0 < len(kept) < len(res.gaps)
    assert shapely.get_num_coordinates(kept.geometry.to_numpy()).sum() <= total // 2
    dropped = res.gaps.drop(index=kept.index)
    assert kept["area_km2"].min() == min_km2 >= dropped["area_km2"].max()
    # simplification (1.5 cells = 300 m here) keeps the area of gaps of 5 km² and more within 10 %
    big = all_gaps[all_gaps["area_km2"] >= 5.0]
    assert len(big) >= 5 and np.allclose(big.geometry.area / 1e6, big["area_km2"], rtol=0.1)


def layer_names(page: str) -> list[str]:
    """Names in the layer control (folium writes them as JSON strings)."""
    return [json.loads(n) for n in re.findall(r'^\s*("(?:[^"\\]|\\.)*") : \w+,?$', page, re.M)]


def test_gap_layer_name_says_when_small_gaps_are_left_out(res, monkeypatch):
    names = layer_names(webmap.build_map(res))
    assert "Vùng lõm sóng" in names and "Điểm bỏ phiếu (12)" in names
    monkeypatch.setattr(webmap, "MAX_GAP_VERTICES", 40)
    names = layer_names(webmap.build_map(res))
    gap = [n for n in names if n.startswith("Vùng lõm sóng")]
    assert len(gap) == 1 and re.fullmatch(r"Vùng lõm sóng \(≥ \d+,\d\d km²; vùng nhỏ hơn xem lớp mức thu\)", gap[0])


# --- study-area mask: coverage overlays only inside the communes ------------------------------------------
def _png_rgba(uri: str) -> np.ndarray:
    from PIL import Image

    raw = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGBA"))


def _east_half(res) -> np.ndarray:
    mask = np.zeros(res.grid.shape, bool)
    mask[:, res.grid.shape[1] // 2:] = True
    return mask


def test_tiny_results_carry_a_study_mask(res):
    assert res.study_mask is not None and res.study_mask.dtype == bool
    assert res.study_mask.shape == res.grid.shape and res.study_mask.any()


def test_coverage_overlays_transparent_outside_the_study_mask(res):
    import dataclasses

    masked = dataclasses.replace(res, study_mask=_east_half(res))
    unmasked = dataclasses.replace(res, study_mask=None)
    cov_m = _png_rgba(webmap.raster_layers(masked)["coverage"])
    cov_u = _png_rgba(webmap.raster_layers(unmasked)["coverage"])
    w = cov_m.shape[1]
    west, east = slice(0, int(w * 0.45)), slice(int(w * 0.55), w)
    # without a mask both halves show levels; with it the west half is fully transparent
    assert (cov_u[:, west, 3] > 0).mean() > 0.5
    assert (cov_m[:, west, 3] == 0).all()
    # inside the mask: the same pixels as without a mask (a level exists there -> opaque)
    np.testing.assert_array_equal(cov_m[:, east], cov_u[:, east])
    assert (cov_m[:, east, 3] > 0).mean() > 0.5
    # added coverage of the proposals: only inside the mask
    add_u = _png_rgba(webmap.raster_layers(unmasked)["added"])
    outside = np.zeros(res.grid.shape, bool)
    outside[:, res.grid.shape[1] // 2:] = True  # east half; masking it out removes the proposals' cover
    add_w = _png_rgba(webmap.raster_layers(dataclasses.replace(res, study_mask=~outside))["added"])
    assert (add_u[:, east, 3] > 0).sum() > 100  # the proposals' added coverage lies in the east here
    assert (add_w[:, east, 3] == 0).all()
    np.testing.assert_array_equal(add_w[:, west], add_u[:, west])
    add_e = _png_rgba(webmap.raster_layers(dataclasses.replace(res, study_mask=outside))["added"])
    np.testing.assert_array_equal(add_e[:, east], add_u[:, east])  # kept inside the mask


def test_study_mask_of_wrong_shape_is_rejected(res):
    import dataclasses

    bad = dataclasses.replace(res, study_mask=np.ones((3, 4), bool))
    with pytest.raises(ParameterError, match="study_mask has shape"):
        webmap.raster_layers(bad)


@needs_chromium
def test_planned_towers_are_drawn_hollow_and_explained(tmp_path):
    """A planned tower does not serve: hollow dashed square (class cp-tower-planned), listed in the legend."""
    res = tiny_results()
    on_air = res.towers.index[res.towers["status"] == "on_air"]
    res.towers.loc[on_air[0], "status"] = "planned"
    html = webmap.build_map(res, lang="en")
    assert "Planned tower (not on air)" in html
    assert "Planned tower" not in webmap.build_map(tiny_results(), lang="en")  # no planned tower, no entry
    path = tmp_path / "m.html"
    path.write_text(html, encoding="utf-8")
    dom, err = run_chromium(path)
    assert not console_lines(err), console_lines(err)
    assert count_class(dom, "leaflet-marker-icon", "cp-tower", "cp-tower-planned") == 1
    assert count_class(dom, "cp-tower-down") == int((res.towers["status"] == "down").sum())


def test_commune_tooltip_names_the_station_counts_without_empty_brackets():
    res = tiny_results()
    for lang, word in (("vi", "Điểm bỏ phiếu: "), ("en", "Polling stations: ")):
        html = webmap.build_map(res, lang=lang)
        assert word in html or json.dumps(word)[1:-1] in html  # the label may sit in JSON (\\u escapes)
        for bad in ("Polling stations ():", "Điểm bỏ phiếu ():"):
            assert bad not in html and json.dumps(bad)[1:-1] not in html


def test_stations_lost_in_a_scenario_stand_out():
    """QA: in a failure scenario the stations that lost service looked like any other red station. They carry
    "Before the failure: good/weak" in their popup, a black ring (class cp-station-lost), a legend entry and a
    count in the title; a baseline map has none of these."""
    res = tiny_results(scenario_down=("VT-002",))
    assert len(res.newly_uncovered) == 2
    html = webmap.build_map(res, lang="en")
    (lab, colours, items, opts), = calls(html, "Stations")
    assert lab[7] == "Before the failure"
    ids = res.stations["id"].tolist()
    assert sorted(opts["lost"]) == sorted(ids.index(i) for i in res.newly_uncovered)
    for k, it in enumerate(items):
        row = dict(zip(it[4::2], it[5::2], strict=True))
        if k in opts["lost"]:
            before = res.stations["baseline_status"].iloc[k]
            assert row[7] == {"good": "Good", "weak": "Weak"}[before] and it[2] == "none"
        else:
            assert 7 not in row
    lost = res.stations[res.stations["id"].isin(res.newly_uncovered)]
    assert f"Lost all signal in this scenario: {len(lost)} stations ({lost['voters'].sum():,} voters)" in html
    assert "Lost signal in this scenario (black ring)" in html
    vi = webmap.build_map(res)
    assert "Mất sóng do sự cố: 2 điểm" in vi and "Trước sự cố" in vi
    base = webmap.build_map(tiny_results(), lang="en")
    assert "(black ring)" not in base and "Lost all signal" not in base
    assert len(calls(base, "Stations")[0]) == 3  # no options argument without a scenario


@needs_chromium
def test_stations_lost_in_a_scenario_render_with_a_ring(tmp_path):
    res = tiny_results(scenario_down=("VT-002",))
    path = webmap.write_map(res, tmp_path / "m.html")
    dom, err = run_chromium(path)
    assert not console_lines(err), console_lines(err)
    assert count_class(dom, "cp-station", "cp-station-none", "cp-station-lost") == len(res.newly_uncovered)
    assert count_class(dom, "cp-station") == len(res.stations)


@needs_chromium
def test_down_towers_are_a_big_ringed_cross_above_the_other_towers(tmp_path):
    """QA: at province zoom the down marker (grey square, small red ✕) was lost among the red stations. Now a
    24 px white disc ringed in red with a red ✕, drawn above the other towers; the legend shows the same sign."""
    res = tiny_results(scenario_down=("VT-002",))
    html = webmap.build_map(res, lang="en")
    assert "<span class='cp-sw cp-sw-down'>\u2715</span>Tower down" in html
    assert re.search(r"\.cp-tower-down \.cp-x\{[^}]*border:3px solid #d7191c[^}]*background:#fff", html)
    path = tmp_path / "m.html"
    path.write_text(html, encoding="utf-8")
    dom, err = run_chromium(path)
    assert not console_lines(err), console_lines(err)
    n_down = int((res.towers["status"] == "down").sum())
    assert n_down == 2 and count_class(dom, "cp-tower-down") == n_down and count_class(dom, "cp-x") == n_down
    from html.parser import HTMLParser

    icons = []  # (classes, style) of every tower marker

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            cls = set((a.get("class") or "").split())
            if {"leaflet-marker-icon", "cp-tower"} <= cls:
                icons.append((cls, a.get("style") or ""))

    P().feed(dom)
    assert len(icons) == len(res.towers)

    def z(style):
        return int(re.search(r"z-index: (-?\d+)", style).group(1))

    def lift(style):  # Leaflet's z-index is the marker's y on screen + its zIndexOffset
        y = float(re.search(r"translate3d\([-\d.]+px, ([-\d.]+)px", style).group(1))
        return z(style) - round(y)

    down = [st for c, st in icons if "cp-tower-down" in c]
    others = [st for c, st in icons if "cp-tower-down" not in c]
    assert len(down) == n_down
    for style in down:
        assert "width: 24px" in style and "height: 24px" in style, style
        # above any other tower it can overlap, wherever on the screen: a larger offset than every other tower
        # (comparing z-indexes alone depended on the zoom: a tower 400 px further south had a larger y)
        assert lift(style) >= max(lift(o) for o in others) + 300


def _title_html(page: str, *, ids: bool = False) -> str:
    """The title box; its tower ids are each in a ``cp-id`` span, left out unless ``ids``."""
    html = re.search(r"<div class='cp-box cp-title'>.*?</div>", page, re.S).group(0)
    return html if ids else re.sub(r"<span class='cp-id'>(.*?)</span>", r"\1", html)


def _params_html(page: str) -> str:
    return re.search(r"<details class='cp-box cp-params'>.*?</details>", page, re.S).group(0)


def test_title_shortens_a_long_list_of_down_towers():
    """QA: with 52 towers down the title box ran under the layer panel and cut the id list. The title names the
    first three and the count; the parameters box has the full list."""
    import dataclasses

    from coverage_planner.results import Scenario

    ids = tuple(f"VTL-DBP-{i:03d}-A" for i in range(1, 53))
    res = dataclasses.replace(tiny_results(), scenario=Scenario(name="what-if", down=ids))
    page = webmap.build_map(res, lang="en")
    title = _title_html(page)
    assert "Assumed off air: 52 towers: VTL-DBP-001-A, VTL-DBP-002-A, VTL-DBP-003-A … (+49)" in title
    assert "VTL-DBP-004-A" not in title
    params = _params_html(page)
    assert f"<tr><td>Scenario</td><td>Assumed off air: {', '.join(ids)}</td></tr>" in params
    vi = webmap.build_map(res)
    assert "Giả định ngừng hoạt động: 52 trạm: VTL-DBP-001-A, VTL-DBP-002-A, VTL-DBP-003-A … (+49)" in _title_html(vi)
    # a few towers are all named in the title
    few = dataclasses.replace(res, scenario=Scenario(name="what-if", down=ids[:4]))
    assert f"Assumed off air: {', '.join(ids[:4])}" in _title_html(webmap.build_map(few, lang="en"))
    # baseline: no scenario row in the parameters box
    assert "<td>Scenario</td>" not in _params_html(webmap.build_map(tiny_results(), lang="en"))


@needs_chromium
@pytest.mark.parametrize("width", [1400, 1000])
def test_title_box_ends_left_of_the_layer_panel(tmp_path, width):
    import dataclasses

    from coverage_planner.results import Scenario

    ids = tuple(f"VTL-DBP-{i:03d}-A" for i in range(1, 53))
    res = dataclasses.replace(tiny_results(), scenario=Scenario(name="a long scenario name " * 3, down=ids))
    probe = """<script>window.addEventListener('load', function() { setTimeout(function() {
      var t = document.querySelector('.cp-title').getBoundingClientRect();
      var p = document.querySelector('.leaflet-control-layers').getBoundingClientRect();
      var pre = document.createElement('pre'); pre.id = 'cp-probe';
      pre.textContent = [t.left, t.right, t.bottom, p.left, p.top].join(' ');
      document.body.appendChild(pre); }, 0); });</script></body>"""
    path = tmp_path / "m.html"
    path.write_text(webmap.build_map(res, lang="en").replace("</body>", probe, 1), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="chromium-") as ud:
        cp = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={ud}",
                             "--host-resolver-rules=MAP * ~NOTFOUND", f"--window-size={width},800",
                             "--virtual-time-budget=5000", "--dump-dom", path.resolve().as_uri()],
                            capture_output=True, text=True, timeout=120)
    t_left, t_right, t_bottom, p_left, p_top = map(float, re.search(r'<pre id="cp-probe">(.*?)</pre>',
                                                                    cp.stdout).group(1).split())
    assert t_right <= p_left, (t_right, p_left)  # side by side, no overlap


def test_parameters_box_says_levels_are_total_carrier_power():
    res = tiny_results()
    params = _params_html(webmap.build_map(res, lang="en"))
    assert ("<tr><td>Received levels (dBm)</td><td>Total received power of the carrier (dBm), not RSRP/RSCP: "
            "for 4G, −75 dBm total ≈ RSRP −103 dBm at 10 MHz; for 3G, total ≈ RSCP + 10 dB. "
            "See docs/INPUTS.md.</td></tr>") in params
    vi = _params_html(webmap.build_map(res))
    assert "<tr><td>Mức thu (dBm)</td><td>Tổng công suất thu của sóng mang (dBm), không phải RSRP/RSCP" in vi


# --- panels fit small windows; popups open clear of the title ---------------------------------------------
_LAYOUT_PROBE = """<script>window.addEventListener('load', function() { setTimeout(function() {
  function r(el) { if (!el) return null; var b = el.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom]; }
  var legend = document.querySelector('.cp-legend'), out = {
    title: r(document.querySelector('.cp-title')), panel: r(document.querySelector('.leaflet-control-layers')),
    legend: r(legend), params: r(document.querySelector('.cp-params')),
    scale: r(document.querySelector('.leaflet-control-scale')), zoom: r(document.querySelector('.leaflet-control-zoom')),
    map: r(document.querySelector('.folium-map')),
    classes: Array.prototype.map.call(document.querySelectorAll('.cp-legend .cp-level'), r),
    ids: Array.prototype.map.call(document.querySelectorAll('.cp-title .cp-id'),
                                  function(e) { return e.getClientRects().length; })};
  function done() {
    var pre = document.createElement('pre'); pre.id = 'cp-probe'; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre); }
  %EXTRA%
  }, 50); });</script></body>"""


def probe_page(page: str, tmp_path: Path, width: int, height: int, extra: str = "done();") -> dict:
    """Render ``page`` in headless Chromium with a ``width`` × ``height`` window and return the probe's
    measurements. (The page's viewport is shorter than the window — 557 px at 700 — so the checks are
    stricter than the window size says.)"""
    path = tmp_path / f"probe_{width}x{height}.html"
    path.write_text(page.replace("</body>", _LAYOUT_PROBE.replace("%EXTRA%", extra), 1), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="chromium-") as ud:
        cp = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={ud}",
                             "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars",
                             f"--window-size={width},{height}", "--virtual-time-budget=5000", "--dump-dom",
                             path.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    import html

    return json.loads(html.unescape(re.search(r'<pre id="cp-probe">(.*?)</pre>', cp.stdout, re.S).group(1)))


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _long_scenario_results():
    """The tiny scene in a failure scenario, with as many layers and legend rows as a province run shows."""
    import dataclasses

    res = tiny_results(scenario_down=("VT-001",))
    extra = res.towers.iloc[[0, 1]].copy()  # two more operators: two more tower layers and legend rows
    extra["id"], extra["operator"] = ["VNM-1", "GM-1"], ["Vietnamobile", "Gmobile"]
    import pandas as pd

    towers = type(res.towers)(pd.concat([res.towers, extra], ignore_index=True), crs=res.towers.crs)
    return dataclasses.replace(res, towers=towers, scenario=dataclasses.replace(res.scenario, down=("VTL-DBP-036",)))


@needs_chromium
@pytest.mark.parametrize("size", [(1000, 700), (1400, 900), (800, 600)])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_panels_fit_small_windows_without_overlapping(tmp_path, monkeypatch, size, lang):
    """QA: at 1000×700 the layer list and the legend covered ~40 % of the map and hid the legend's dBm classes;
    at 1400×900 in a scenario the layer list covered the legend heading. Now the panels share the height (each
    scrolls when short of room), nothing overlaps, and the dBm classes show."""
    monkeypatch.setattr(webmap, "MAX_GAP_VERTICES", 40)  # the long gap layer name of a province
    res = _long_scenario_results()
    assert res.newly_uncovered
    out = probe_page(webmap.build_map(res, lang=lang), tmp_path, *size)
    boxes = {k: out[k] for k in ("title", "panel", "legend", "params", "scale", "zoom")}
    for a in boxes:
        for b in boxes:
            if a < b:
                assert not _overlap(boxes[a], boxes[b]), (a, boxes[a], b, boxes[b])
    w, h = size
    for k, box in boxes.items():  # inside the window
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= w and box[3] <= h, (k, box)
    legend = out["legend"]
    assert len(out["classes"]) == 6
    for c in out["classes"]:  # every dBm class row is visible inside the legend, without scrolling
        assert legend[1] <= c[1] and c[3] <= legend[3], (c, legend)
    if size == (1000, 700):  # the panels leave most of the map free
        panels = sum((b[2] - b[0]) * (b[3] - b[1]) for b in (out["panel"], out["legend"]))
        assert panels / (w * h) < 0.27, panels / (w * h)


def test_title_never_breaks_inside_a_tower_id():
    res = _long_scenario_results()
    title = _title_html(webmap.build_map(res), ids=True)
    assert "<span class='cp-id'>VTL-DBP-036</span>" in title
    assert re.search(r"\.cp-id\{[^}]*white-space:nowrap", webmap.build_map(res))


@needs_chromium
@pytest.mark.parametrize("width", [1000, 1400])
def test_title_ids_render_on_one_line(tmp_path, width):
    import dataclasses

    from coverage_planner.results import Scenario

    ids = ("VTL-DBP-036", "VTL-DBP-037-A", "VTL-DBP-038")
    res = dataclasses.replace(tiny_results(), scenario=Scenario(name="Sạt lở đèo Pha Đin, mất điện lưới " * 2,
                                                                down=ids))
    out = probe_page(webmap.build_map(res), tmp_path, width, 700)
    assert out["ids"] == [1, 1, 1]  # each id is one box: not split across lines


@needs_chromium
@pytest.mark.parametrize("size", [(1000, 700), (1400, 900)])
def test_popups_in_the_north_open_clear_of_the_title(tmp_path, size):
    """QA: the popup of a station near the top edge opened under the title box (its name hidden)."""
    res = tiny_results()
    page = webmap.build_map(res, lang="en")
    assert "autoPanPaddingTopLeft" in page
    map_var = re.search(r"var (map_[0-9a-f]+) = L\.map", page).group(1)
    lat = float(res.stations.to_crs("EPSG:4326").geometry.y.max())
    # once the first view has settled: the northernmost station just below the top edge, then open its popup
    extra = f"""setTimeout(function() {{
    var north = null; {map_var}.eachLayer(function(l) {{
      if (l.getPopup && l.getPopup() && l.getLatLng && Math.abs(l.getLatLng().lat - {lat}) < 1e-4) north = l; }});
    {map_var}.setView(north.getLatLng(), 12, {{animate: false}});
    {map_var}.panBy([0, {map_var}.latLngToContainerPoint(north.getLatLng()).y - 15], {{animate: false}});
    var panBy = {map_var}.panBy;  // the auto-pan without animation (headless timers are not reliable)
    {map_var}.panBy = function(offset) {{ return panBy.call(this, offset, {{animate: false}}); }};
    north.openPopup();
    setTimeout(function() {{
      out.popup = r(north.getPopup().getElement()); out.title = r(document.querySelector('.cp-title')); done();
    }}, 200); }}, 1000);"""
    out = probe_page(page, tmp_path, *size, extra=extra)
    assert out["popup"] is not None
    assert out["popup"][1] >= out["title"][3], (out["popup"], out["title"])  # opens below the title box


def _restoring_scenario():
    """The tiny scene with VT-002 down; the proposed MS-01 restores the lost PS03, nothing reaches PS10."""
    res = tiny_results(scenario_down=("VT-002",))
    assert res.newly_uncovered == ["PS03", "PS10"]
    p = res.proposals
    p.loc[p["site_id"] == "MS-01", ["stations_covered", "stations_in_reach"]] = ["PS06;PS07;PS03", "PS06;PS07;PS03"]
    return res


def test_lost_station_popup_says_which_proposed_station_restores_it():
    """QA: in a failure scenario the duty engineer could not see which mobile site restores which lost station."""
    res = _restoring_scenario()
    assert res.restored_by() == {"PS03": "MS-01"}
    ids = res.stations["id"].tolist()
    for lang, label in (("en", "Restored by proposed station"), ("vi", "Khôi phục bởi trạm đề xuất")):
        (lab, _colours, items, opts), = calls(webmap.build_map(res, lang=lang), "Stations")
        assert lab[8] == label
        rows = {ids[k]: dict(zip(it[4::2], it[5::2], strict=True)) for k, it in enumerate(items)}
        assert rows["PS03"][8] == "MS-01" and rows["PS10"][8] == "—"
        assert all(8 not in rows[i] for i in ids if i not in res.newly_uncovered)  # only the lost stations
    # a site the user moved in the desktop app says so
    res.proposals["placed_by"] = ["moved by user", "optimiser"]
    (lab, _colours, items, opts), = calls(webmap.build_map(res, lang="en"), "Stations")
    assert dict(zip(items[ids.index("PS03")][4::2], items[ids.index("PS03")][5::2], strict=True))[8] == "MS-01 (moved)"


# ---------------------------------------------------------------------------------------------------------
# polling stations: a shape per status as well as a colour (colour-blind readers, greyscale printouts)
# ---------------------------------------------------------------------------------------------------------
def _page_shapes(page: str) -> dict:
    return json.loads(re.search(r"var CP_STATION_SHAPES = (\{.*?\}),", page).group(1))


def _legend_html(page: str) -> str:
    return re.search(r"<details class='cp-box cp-legend' open>.*?</details>", page, re.S).group(0)


def test_station_shapes_are_those_of_the_pdf_report():
    from coverage_planner.report import STATUS_MARKERS

    assert webmap.STATUS_SHAPES == {"good": "circle", "weak": "diamond", "none": "square"}
    mpl = {"o": "circle", "D": "diamond", "s": "square"}
    assert {s: mpl[m[0]] for s, m in STATUS_MARKERS.items()} == webmap.STATUS_SHAPES


def test_station_markers_and_legend_use_the_status_shapes(page, res):
    """QA: the map told good / weak / no signal apart by colour only. Each status now has its shape (● ◆ ■, as
    the PDF): the page script gets the shapes and every station row its status; legend and title show them."""
    assert _page_shapes(page) == webmap.STATUS_SHAPES
    (_, colours, items), = calls(page, "Stations")
    assert {it[2] for it in items} == {"good", "weak", "none"}  # each shape is drawn
    assert "new CpShapeMarker(" in page and "L.circleMarker(" not in page
    legend = _legend_html(page)
    rows = re.findall(r"<div class='cp-legend-station cp-legend-(\w+)'><svg class='cp-shape cp-shape-(\w+)'"
                      r"[^>]*><g fill='(#[0-9a-f]+)'[^>]*><(\w+)", legend)
    assert rows == [("good", "circle", colours["good"], "circle"), ("weak", "diamond", colours["weak"], "path"),
                    ("none", "square", colours["none"], "rect")]
    # the title's counts carry the same shapes
    title = _title_html(page)
    assert re.findall(r"cp-shape-(\w+)'.*?cp-count-(\w+)", title) == [("circle", "good"), ("diamond", "weak"),
                                                                        ("square", "none")]
    # towers are triangles, not squares (a red Viettel square looked like a station without signal)
    assert "cp-tri" in legend and "cp-sw' style='background:#e4002b'" not in legend


def test_lost_stations_keep_their_square_with_a_black_ring():
    html = webmap.build_map(tiny_results(scenario_down=("VT-002",)), lang="en")
    legend = _legend_html(html)
    assert re.search(r"<div class='cp-legend-station cp-legend-lost'><svg class='cp-shape cp-shape-square "
                     r"cp-shape-lost'[^>]*><g fill='#d7191c' stroke='#000'", legend)
    assert "cp-shape-lost" in _title_html(html)


def _svg_paths(dom: str) -> list[tuple[set[str], str]]:
    """(classes, d) of every SVG <path> in a DOM dump."""
    from html.parser import HTMLParser

    out = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "path":
                a = dict(attrs)
                out.append((set((a.get("class") or "").split()), a.get("d") or ""))

        handle_startendtag = handle_starttag

    P().feed(dom)
    return out


def _vertices(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", d)]


@needs_chromium
def test_station_markers_render_with_their_shape(rendered, res):
    dom, _ = rendered
    paths = [(c, d) for c, d in _svg_paths(dom) if "cp-station" in c]
    assert len(paths) == len(res.stations)
    seen = {}
    for cls, d in paths:
        status = next(c[len("cp-station-"):] for c in cls if c.startswith("cp-station-") and c != "cp-station-lost")
        shape = webmap.STATUS_SHAPES[status]
        assert f"cp-shape-{shape}" in cls
        seen[status] = seen.get(status, 0) + 1
        if shape == "circle":  # Leaflet's circle: two arcs
            assert d.count("a") == 2 and "L" not in d, d
            continue
        v = _vertices(d)
        assert len(v) == 4 and d.endswith("z"), d
        xs, ys = sorted({x for x, _ in v}), sorted({y for _, y in v})
        if shape == "square":  # axis-aligned: two x and two y values, as wide as high
            assert len(xs) == 2 and len(ys) == 2 and xs[1] - xs[0] == pytest.approx(ys[1] - ys[0])
        else:  # diamond: top, right, bottom, left around a centre
            assert len(xs) == 3 and len(ys) == 3 and v[0][0] == v[2][0] and v[1][1] == v[3][1]
    assert seen == res.station_counts()


@needs_chromium
def test_tower_markers_render_as_triangles(rendered, res):
    dom, _ = rendered
    tri = [d for c, d in _svg_paths(dom) if not c and d == "M7 1.2L13.2 12.6H0.8z"]
    n_legend = res.towers["operator"].nunique()
    assert len(tri) == int((res.towers["status"] != "down").sum()) + n_legend
    assert count_class(dom, "cp-tower-icon") == int((res.towers["status"] != "down").sum())


def test_station_shapes_look_alike_in_size():
    """Circle, diamond and square of one station radius cover about the same area (no status looks bigger)."""
    js = webmap._PAGE_JS
    k = float(re.search(r"var k = r \* ([\d.]+)", js).group(1))
    h = float(re.search(r"var h = r \* ([\d.]+)", js).group(1))
    assert 2 * k * k == pytest.approx(math.pi, rel=0.02) and 4 * h * h == pytest.approx(math.pi, rel=0.02)


def test_page_css_takes_its_colours_from_the_shared_constants():
    """The page's CSS for down towers and mobile sites is built from webmap's colour constants (one table for the
    HTML map, the PDF and the desktop map), with no placeholder left over."""
    from coverage_planner import webmap

    css = webmap._PAGE_CSS
    assert re.search(r"@[A-Z]+@", css) is None  # (@media print is CSS, not a placeholder)
    assert f"border:3px solid {webmap.DOWN_COLOUR}" in css
    assert f".cp-proposal-icon{{background:{webmap.PROPOSAL_COLOUR}" in css
    assert f"border:3px solid {webmap.PROPOSAL_COLOUR}" in css


def _svg_path_attrs(dom: str, svg_class: str | None) -> list[dict]:
    """The attributes of the <path> of every <svg class="svg_class …"> (None: every <svg>) in a DOM dump."""
    from html.parser import HTMLParser

    out: list[dict] = []

    class P(HTMLParser):
        inside = False

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "svg":
                P.inside = svg_class is None or svg_class in (a.get("class") or "").split()
            elif tag == "path" and P.inside:
                out.append({k: v for k, v in a.items() if k != "class"})

        handle_startendtag = handle_starttag

        def handle_endtag(self, tag):
            if tag == "svg":
                P.inside = False

    P().feed(dom)
    return out


@needs_chromium
def test_tower_legend_triangle_is_drawn_like_the_map_markers(tmp_path):
    """QA: the legend's triangles had a grey 1 px outline, the map's a white 1.5 px one (two drawings of one
    symbol). Now both come from one SVG: the rendered markers and the legend entries have the same path, fill,
    outline colour and width (white, TOWER_EDGE_PX), on air and planned, and both carry the dark halo."""
    res = tiny_results()
    res.towers.loc[res.towers.index[res.towers["status"] == "on_air"][0], "status"] = "planned"
    path = tmp_path / "m.html"
    path.write_text(webmap.build_map(res, lang="en"), encoding="utf-8")
    dom, err = run_chromium(path)
    assert not console_lines(err), console_lines(err)
    markers = _svg_path_attrs(dom, "cp-tower-icon")
    legend_dom = re.search(r'<details class="cp-box cp-legend"[^>]*>.*?</details>', dom, re.S).group(0)
    legend = [a for a in _svg_path_attrs(legend_dom, None) if a["d"] == webmap._TRIANGLE_PATH]
    assert len(markers) == int((res.towers["status"] != "down").sum())
    assert len(legend) == res.towers["operator"].nunique() + 1  # one per operator + the planned entry

    def key(a):
        return a["d"], a["stroke"], float(a["stroke-width"]), a.get("stroke-dasharray")

    on_air = {key(a) for a in markers if a.get("stroke-dasharray") is None}
    assert on_air == {key(a) for a in legend if a.get("stroke-dasharray") is None}
    assert on_air == {(webmap._TRIANGLE_PATH, webmap.TOWER_EDGE, webmap.TOWER_EDGE_PX, None)}
    # the legend shows each operator colour the markers use (an operator whose towers are all down has no ▲)
    fills = {a["fill"] for a in markers if "stroke-dasharray" not in a}
    assert len(fills) >= 2 and fills <= {a["fill"] for a in legend if "stroke-dasharray" not in a}
    planned = [key(a) + (a["fill"],) for a in markers if a.get("stroke-dasharray")]
    planned_legend = [key(a) + (a["fill"],) for a in legend if a.get("stroke-dasharray")]
    # hollow, dashed, as wide (the legend's planned entry is grey: it stands for every operator)
    assert len(planned) == len(planned_legend) == 1
    assert planned[0][2:] == planned_legend[0][2:] == (2.0, "3 2", "#fff")
    # the halo that makes the white edge visible on the white legend box is on both
    css = webmap._PAGE_CSS
    assert re.search(r"\.cp-tower-icon,\.cp-tower-svg\{filter:drop-shadow", css)


HOSTILE_OPERATOR = "<img src=x onerror=\"document.title='PWNED'\">Opé & Co"


@needs_chromium
def test_layer_names_from_input_text_stay_text(tmp_path):
    """QA: a tower layer is named after the operator in the towers file, and Leaflet's layer panel inserts the
    names as HTML: an operator `<img src=x onerror=…>` ran its script when the map opened. The names are escaped
    now; the panel shows the operator's name as typed and no element comes from it."""
    res = tiny_results()
    ops = res.towers["operator"].astype(str)
    res.towers.loc[ops == ops.iloc[0], "operator"] = HOSTILE_OPERATOR
    page = webmap.build_map(res, lang="en")
    assert "<img src=x" not in page and "onerror=\\\"" not in page
    assert "&lt;img src=x onerror=&quot;document.title=&#x27;PWNED&#x27;&quot;&gt;Opé &amp; Co" in \
        " ".join(layer_names(page))
    path = tmp_path / "m.html"
    path.write_text(page, encoding="utf-8")
    dom, err = run_chromium(path)
    assert not console_lines(err), console_lines(err)
    assert "<title>PWNED</title>" not in dom
    panel = re.search(r'<section class="leaflet-control-layers-list"[^>]*>.*?</section>', dom, re.S).group(0)
    assert "<img" not in panel
    # the text the user reads: the name exactly as in the towers file (the DOM dump escapes < > & once)
    assert "&lt;img src=x onerror=\"document.title='PWNED'\"&gt;Opé &amp; Co (" in panel


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_legend_explains_backhaul_lines_and_ordinary_commune_borders(lang):
    """QA: the purple backhaul lines and the thin grey outline of an ordinary commune were on the map but not in
    the legend (only border / remote communes were). Both have an entry now, drawn like the map's lines; the
    backhaul entry only when a link is drawn."""
    from coverage_planner.i18n import t

    res = tiny_results()
    page = webmap.build_map(res, lang=lang)
    legend = _legend_html(page)
    n_lines = len(re.findall(rf'L\.polyline\(\s*\[\[[^]]*\], \[[^]]*\]\],\s*\{{[^}}]*"color": '
                             rf'"{webmap.PROPOSAL_COLOUR}"', page))
    assert n_lines == int((res.proposals["backhaul"] == "ok").sum()) == 1
    entry = re.search(r"<div class='cp-legend-backhaul'><span class='cp-sw' style='([^']*)'></span>([^<]*)</div>",
                      legend)
    assert entry and f"solid {webmap.PROPOSAL_COLOUR}" in entry.group(1) and "height:0" in entry.group(1)
    assert entry.group(2) == t("map.legend.backhaul", lang)
    commune = re.search(r"<div class='cp-legend-commune'><span class='cp-sw' style='([^']*)'></span>([^<]*)</div>",
                        legend)
    assert commune and "solid #333" in commune.group(1) and commune.group(2) == t("map.legend.commune", lang)
    # no drawn link (all need satellite): no backhaul entry
    res.proposals["backhaul"], res.proposals["backhaul_tower"] = "needs satellite", ""
    assert "cp-legend-backhaul" not in _legend_html(webmap.build_map(res, lang=lang))


@needs_chromium
@pytest.mark.parametrize("size", [(1366, 768), (1000, 700), (1600, 900)])
def test_first_view_fills_the_window_with_the_study_area(tmp_path, size):
    """QA: on a 1366 × 768 laptop the Điện Biên map opened at zoom 8 with the province in the middle half of the
    window (fitBounds could only pick whole zoom levels: 9 did not fit). Zoom levels snap to quarters now, so
    the first view shows the study area as large as fits (at least 84 % of the room on its tighter side)."""
    page = webmap.build_map(tiny_results(), lang="en")
    assert '"zoomSnap": 0.25' in page
    # once the first view's zoom animation is over: the hillshade's box = the grid's
    extra = "setTimeout(function() { out.area = r(document.querySelector('.leaflet-image-layer')); done(); }, 1000);"
    out = probe_page(page, tmp_path, *size, extra=extra)
    (x0, y0, x1, y1), (ml, mt, mr, mb) = out["area"], out["map"]
    pad = 2 * 20  # fit_bounds padding on both sides
    fill = max((x1 - x0) / (mr - ml - pad), (y1 - y0) / (mb - mt - pad))
    assert 0.84 <= fill <= 1.001, (fill, out["area"], out["map"])


def _pdf_words(pdf: Path) -> tuple[float, list[tuple[str, float, float, float, float]]]:
    """(page width, [(word, x0, y0, x1, y1)]) of a one-page PDF, from poppler's ``pdftotext -bbox``."""
    import html

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', out).group(1))
    words = [(html.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]
    return width, words


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_printed_map_has_its_whole_legend_beside_the_map(tmp_path):
    """QA: printing the map (Ctrl+P) gave the screen's layout squeezed onto the paper: the title ran under the
    layer panel, the legend was cut after a few rows (its scroll box), the zoom buttons and the layer panel were
    printed, and the map kept the window's size (the towers and stations off the paper's map, grey below). The
    print stylesheet hides the controls and puts the whole legend in a column right of the map, which Leaflet
    redraws for the paper around the same centre."""
    from coverage_planner.i18n import t

    res = tiny_results()
    path = tmp_path / "m.html"
    path.write_text(webmap.build_map(res, lang="en"), encoding="utf-8")
    pdf = tmp_path / "m.pdf"
    with tempfile.TemporaryDirectory(prefix="chromium-") as ud:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={ud}",
                        "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1200,900", "--virtual-time-budget=5000",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.resolve().as_uri()],
                       capture_output=True, timeout=120)
    width, words = _pdf_words(pdf)
    text = " ".join(w[0] for w in words)
    assert "hillshade" not in text and "Polling stations (" not in text  # no layer panel
    legend_x = next(w[1] for w in words if w[0] == t("map.legend.level", "en").split()[0]) - 2  # its text
    title = [w for w in words if w[2] < 100 and w[1] < legend_x]
    assert " ".join(w[0] for w in title).startswith(t("map.title", "en", province=res.province))
    assert max(w[3] for w in title) < legend_x - 8  # the title box ends left of the legend column
    # the whole legend, down to its last entry, in the column right of the map
    for entry in ("map.legend.level", "map.legend.commune", "map.legend.border"):
        first = t(entry, "en").split()[0]
        assert any(w[0] == first and w[1] >= legend_x for w in words), entry
    assert legend_x > width * 0.55
    # the map is drawn for the paper: the down tower's ✕ (the other ✕ is the legend's) sits in the map column
    crosses = [w for w in words if w[0] == "\u2715" and w[3] < legend_x - 20]
    assert len(crosses) == int((res.towers["status"] == "down").sum()) == 1
    assert 0 < crosses[0][1] and crosses[0][3] < legend_x - 20
