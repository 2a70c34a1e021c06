"""Self-contained, offline HTML map (folium/Leaflet) of a :class:`~coverage_planner.results.Results`.

The page needs no internet: Leaflet 1.9.3 and jQuery 3.7.1 come from the ``xstatic-leaflet`` /
``xstatic-jquery`` packages and are inlined, Leaflet's images become data URIs, and folium's CDN links
(Bootstrap, awesome-markers, Font Awesome) are removed. Rasters (terrain hillshade, best level, added coverage
of the proposed sites) are reprojected to Web Mercator, downsampled to at most :data:`MAX_RASTER_PX` pixels on
the long side and embedded as PNG data URIs. Points (stations, towers, proposals) are drawn by a small inline
script from compact JSON, so a province with a thousand stations stays around a megabyte.

Every text that comes from an input file is HTML-escaped (plus ``$``, backtick and backslash, so it is inert
inside JavaScript template literals too) before it reaches the page; JSON embedded in ``<script>`` has ``<``,
``>`` and ``&`` escaped as ``\\u003c`` etc.

Public API: :func:`build_map` (HTML text), :func:`write_map` (atomic file write), their generator variants
:func:`iter_build_map` / :func:`iter_write_map` (a :class:`Progress` item between the steps: the desktop app's
cancel points), :func:`hillshade`,
:func:`level_classes` / :data:`LEVEL_CLASSES` (the dBm classes shared with the PDF report).
"""

from __future__ import annotations

import base64
import html as _html
import io
import json
import math
import re
from pathlib import Path

import numpy as np

from coverage_planner import __version__
from coverage_planner.errors import OutputError, ParameterError
from coverage_planner.i18n import (
    check_lang,
    edits_text,
    fmt_date,
    fmt_float,
    fmt_int,
    fmt_value,
    has,
    natural_key,
    parameter_rows,
    short_list,
    site_label,
    station_labels,
    station_sort_key,
    status_label,
    t,
    translate_message,
)
from coverage_planner.io import atomic_path
from coverage_planner.progress import Progress, run_to_end
from coverage_planner.results import GENERIC_SCENARIO_NAMES
from coverage_planner.whatif import ADDED_BY_USER, MOVED_BY_USER

#: The map title lists the towers of a failure scenario up to this many; more are shortened (all are in the
#: parameters box).
MAX_TITLE_TOWERS = 4

#: Long side (pixels) of every raster embedded in the page.
MAX_RASTER_PX = 800

#: Best-level classes: (lower bound in dBm, colour). Cells below the last bound but finite use the last colour.
LEVEL_CLASSES: tuple[tuple[float, str], ...] = (
    (-65.0, "#1a9850"),
    (-75.0, "#66bd63"),
    (-85.0, "#d9ef8b"),
    (-95.0, "#fee08b"),
    (-105.0, "#fc8d59"),
    (-math.inf, "#d73027"),
)
STATUS_COLOURS = {"good": "#1a9850", "weak": "#f39c12", "none": "#d7191c"}
#: Polling stations have a shape per status as well as a colour (● good, ◆ weak, ■ no signal) on every map —
#: this page, the PDF report (``report.STATUS_MARKERS``) and the desktop app — so colour-blind readers and
#: black-and-white printouts tell them apart. Towers are triangles ▲ (as on the PDF and the desktop map), down
#: towers a red ✕, proposals purple stars on the PDF and the desktop map (numbered purple discs here).
STATUS_SHAPES = {"good": "circle", "weak": "diamond", "none": "square"}
#: The stations' outline on every map: black, thick enough to read on the level colour of the same hue (a green
#: ● good station on the green ≥ −65 dBm class, a red ■ on the red class) once printed in greyscale, where the
#: fill and the background are the same grey. Widths: :data:`STATION_EDGE_PX` here (CSS px) and on the desktop
#: map (screen px), ``report.STATION_EDGE_PT`` on the PDF.
STATION_EDGE = "#000000"
STATION_EDGE_PX = 1.6
GAP_COLOURS = {"weak": "#f39c12", "none": "#d7191c"}
PROPOSAL_COLOUR = "#7b3294"
#: Mobile sites the user moved or added in the desktop app (``placed_by`` "moved by user" / "added by user")
#: are the optimiser's marker hollow: white inside, a thick :data:`PROPOSAL_COLOUR` edge (☆ on the PDF and the
#: desktop map, a ringed disc here), told from the optimiser's filled ones in colour and in greyscale.
USER_SITE_FILL = "#ffffff"
#: Towers off air (down in the scenario): a red ✕ on every map.
DOWN_COLOUR = "#d7191c"
ADDED_COLOUR = (123, 50, 148)  # proposal coverage RGB
OPERATOR_COLOURS = {"viettel": "#e4002b", "vnpt": "#0066b3", "vinaphone": "#0066b3", "mobifone": "#00a1e4",
                    "vietnamobile": "#f58220", "gmobile": "#ffcc00", "itelecom": "#c8102e"}
_FALLBACK_COLOURS = ("#8c510a", "#01665e", "#762a83", "#1b7837", "#b35806", "#2166ac")


#: The steps of :func:`iter_build_map` (its messages, in order), then the write of :func:`iter_write_map`.
MAP_STEPS = ("Map: terrain and coverage images", "Map: gap areas", "Map: communes and border",
             "Map: towers and polling stations", "Map: proposed sites", "Map: legend and parameters",
             "Map: assembling the page")
WRITE_STEP = "Writing the file"


def placed_by_user(placed_by) -> bool:
    """Whether a proposals row's ``placed_by`` says the user moved or added the site (drawn hollow)."""
    return isinstance(placed_by, str) and placed_by in (MOVED_BY_USER, ADDED_BY_USER)


# ----------------------------------------------------------------------------------------------------------
# escaping
# ----------------------------------------------------------------------------------------------------------
def esc(value) -> str:
    """HTML-escape ``value`` and neutralise characters special in JS template literals (``$`` ` ``\\``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    s = _html.escape(str(value), quote=True)
    return s.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _json_for_script(obj) -> str:
    """JSON safe to embed inside a ``<script>`` element."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# ----------------------------------------------------------------------------------------------------------
# rasters
# ----------------------------------------------------------------------------------------------------------
def hillshade(dem: np.ndarray, cellsize: float, *, azimuth_deg: float = 315.0, altitude_deg: float = 45.0,
              z_factor: float = 1.0) -> np.ndarray:
    """Hillshade scaled to 0–1 (float32, 1 = facing the sun) from :func:`analysis.terrain_ops.hillshade`."""
    from analysis.terrain_ops import hillshade as _hs

    return (_hs(dem, cellsize, azimuth=azimuth_deg, altitude=altitude_deg, z_factor=z_factor)
            .astype(np.float32) / np.float32(255.0))


def level_classes(level: np.ndarray) -> np.ndarray:
    """uint8 class index per cell: 0 = NaN (not reached), k = ``LEVEL_CLASSES[k-1]``."""
    out = np.zeros(level.shape, np.uint8)
    finite = np.isfinite(level)
    assigned = ~finite
    for k, (lo, _) in enumerate(LEVEL_CLASSES, start=1):
        with np.errstate(invalid="ignore"):
            m = ~assigned & (level >= lo)
        out[m] = k
        assigned |= m
    return out


def study_mask(results) -> np.ndarray | None:
    """``results.study_mask`` as a bool array on ``results.grid`` (True = inside a commune), or None.

    None (hand-built results without a mask) means "show everything". Coverage overlays (best level, added
    coverage) are drawn only inside the mask so the maps show the province, not the neighbouring countries.
    """
    mask = getattr(results, "study_mask", None)
    if mask is None:
        return None
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != tuple(results.grid.shape):
        raise ParameterError(f"results.study_mask has shape {mask.shape} but the results grid is "
                          f"{tuple(results.grid.shape)}; rebuild the results with the pipeline")
    return mask


def level_legend(lang: str) -> list[tuple[str, str]]:
    """(colour, label) per class, strongest first."""
    items = []
    for k, (lo, colour) in enumerate(LEVEL_CLASSES):
        if k == 0:
            label = f"≥ {lo:.0f}"
        elif math.isinf(lo):
            label = f"< {LEVEL_CLASSES[k - 1][0]:.0f}"
        else:
            label = f"{lo:.0f} … {LEVEL_CLASSES[k - 1][0]:.0f}"
        items.append((colour, label.replace("-", "−")))
    return items


def shape_svg(status: str, *, lost: bool = False) -> str:
    """Inline SVG (13 px) of a polling station's marker for the legend and the title: its status's shape
    (:data:`STATUS_SHAPES`) in its colour, outlined as on the map (a thick black ring for ``lost``)."""
    shape = STATUS_SHAPES.get(status, "circle")
    colour = STATUS_COLOURS.get(status, "#777")
    stroke = "stroke='#000' stroke-width='2.6'" if lost else f"stroke='{STATION_EDGE}' stroke-width='{STATION_EDGE_PX:g}'"
    geom = {"circle": "<circle cx='7' cy='7' r='5'/>",
            "diamond": "<path d='M7 0.75L13.25 7L7 13.25L0.75 7z'/>",
            "square": "<rect x='2.55' y='2.55' width='8.9' height='8.9'/>"}[shape]
    return (f"<svg class='cp-shape cp-shape-{shape}{' cp-shape-lost' if lost else ''}' viewBox='0 0 14 14' "
            f"aria-hidden='true'><g fill='{colour}' {stroke}>{geom}</g></svg>")


#: A tower's triangle in a 14 × 14 box (the tower markers and their legend entries).
_TRIANGLE_PATH = "M7 1.2L13.2 12.6H0.8z"
#: The towers' outline: white, :data:`TOWER_EDGE_PX` wide, with a dark 1 px halo (CSS drop-shadow), so a red
#: Viettel ▲ stands out on the red < −105 dBm class and on the white legend alike. Planned towers are hollow: a
#: dashed edge in the operator's colour. One drawing (:func:`_triangle_svg`) for the markers and the legend.
TOWER_EDGE = "#ffffff"
TOWER_EDGE_PX = 1.5
#: Placeholder of the operator's colour in the triangle templates the page script fills in.
_COLOUR_SLOT = "@COLOUR@"


def _triangle_svg(colour: str, *, planned: bool = False, cls: str = "cp-tower-svg") -> str:
    """The tower triangle as SVG: the page script's markers use it as a template (``colour`` =
    :data:`_COLOUR_SLOT`), the legend as is."""
    fill, stroke, width = ("#fff", colour, 2.0) if planned else (colour, TOWER_EDGE, TOWER_EDGE_PX)
    dash = " stroke-dasharray='3 2'" if planned else ""
    return (f"<svg class='{cls}' viewBox='0 0 14 14' aria-hidden='true'><path d='{_TRIANGLE_PATH}' "
            f"fill='{fill}' stroke='{stroke}' stroke-width='{width:g}'{dash}/></svg>")


def tower_svg(colour: str, *, planned: bool = False) -> str:
    """Inline SVG of a tower marker for the legend: the map's triangle (:func:`_triangle_svg`) in the operator's
    colour, white-edged with a dark halo; ``planned``: hollow, dashed in the colour."""
    return f"<span class='cp-tri'>{_triangle_svg(colour, planned=planned)}</span>"


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _web_grid(grid, max_px: int):
    """Target Web-Mercator grid (transform, width, height) covering ``grid`` with ≤ ``max_px`` on the long side,
    and its Leaflet bounds [[south, west], [north, east]]."""
    from affine import Affine
    from pyproj import Transformer
    from rasterio.warp import transform_bounds

    left, bottom, right, top = transform_bounds(grid.crs, "EPSG:3857", *grid.bounds, densify_pts=21)
    rows, cols = grid.shape
    # keep roughly the source resolution, but never more than max_px on the long side
    res = max((right - left) / cols, (top - bottom) / rows)
    res = max(res, max(right - left, top - bottom) / max_px)
    width = max(1, int(math.ceil((right - left) / res)))
    height = max(1, int(math.ceil((top - bottom) / res)))
    right, bottom = left + width * res, top - height * res
    to_ll = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    west, south = to_ll.transform(left, bottom)
    east, north = to_ll.transform(right, top)
    return Affine(res, 0.0, left, 0.0, -res, top), width, height, [[south, west], [north, east]]


def _warp(arr: np.ndarray, grid, dst_transform, width: int, height: int, *, resampling: str,
          src_nodata, dst_nodata):
    from rasterio.warp import Resampling, reproject

    dst = np.full((height, width), dst_nodata, dtype=arr.dtype)
    reproject(source=np.ascontiguousarray(arr), destination=dst, src_transform=grid.transform, src_crs=grid.crs,
              src_nodata=src_nodata, dst_transform=dst_transform, dst_crs="EPSG:3857", dst_nodata=dst_nodata,
              resampling=getattr(Resampling, resampling))
    return dst


def _png_data_uri(arr: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG", compress_level=9)  # mode from the shape (RGBA)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _jpeg_data_uri(grey: np.ndarray, quality: int = 75) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def added_coverage(results, proposal_level=None) -> np.ndarray:
    """Cells where proposed (or what-if) sites add service: bool array on ``results.grid``.

    A cell counts when the sites' level reaches the weak threshold, beats the existing best level and the
    existing level is below weak: ``(level >= weak) & (level > before) & (before < weak)`` with ``before`` =
    ``results.best_level`` (NaN = no signal) and ``weak`` the placement technology's weak threshold (else the
    lowest one). Cells outside ``results.study_mask`` are False. ``proposal_level`` None uses
    ``results.proposal_level`` (all False when there is none). The HTML map and the desktop map both use this.
    """
    shape = tuple(results.grid.shape)
    level = results.proposal_level if proposal_level is None else proposal_level
    if level is None:
        return np.zeros(shape, bool)
    level = np.asarray(level, dtype=np.float32)
    if level.shape != shape:
        raise ParameterError(f"proposal level has shape {level.shape} but the results grid is {shape}")
    weak = _min_weak_threshold(results)
    with np.errstate(invalid="ignore"):
        before = np.where(np.isfinite(results.best_level), results.best_level, -np.inf) \
            if results.best_level is not None else np.full(shape, -np.inf)
        added = (level >= weak) & (level > before) & (before < weak)
    mask = study_mask(results)
    if mask is not None:
        added &= mask
    return added


def raster_layers(results, *, max_px: int = MAX_RASTER_PX) -> dict:
    """Web-ready rasters: ``bounds`` plus data URIs ``hillshade`` (JPEG), ``coverage`` and ``added`` (PNG;
    each may be None).

    Exposed for reuse (GUI preview); sizes in pixels are in ``size``.
    """
    grid = results.grid
    dst_t, w, h, bounds = _web_grid(grid, max_px)
    out = {"bounds": bounds, "size": (w, h), "hillshade": None, "coverage": None, "added": None}
    if results.dem is not None:
        shade = hillshade(results.dem, grid.cellsize)
        grey = np.round(60 + 195 * shade).astype(np.uint8)  # 60..255: shadows stay readable under overlays
        g = _warp(grey, grid, dst_t, w, h, resampling="average", src_nodata=None, dst_nodata=0)
        valid = _warp(np.ones(grey.shape, np.uint8), grid, dst_t, w, h, resampling="nearest",
                      src_nodata=None, dst_nodata=0)
        g[valid == 0] = 0xDD  # Leaflet's background grey: the corners outside the grid blend in
        # relief is photographic texture: JPEG is ~5x smaller than PNG at no visible cost
        out["hillshade"] = _jpeg_data_uri(g)
    mask = study_mask(results)
    if results.best_level is not None:
        classes = level_classes(results.best_level)
        if mask is not None:
            classes[~mask] = 0  # transparent outside the study area
        cls = _warp(classes, grid, dst_t, w, h, resampling="mode", src_nodata=0,
                    dst_nodata=0)
        lut = np.zeros((len(LEVEL_CLASSES) + 1, 4), np.uint8)
        for k, (_, colour) in enumerate(LEVEL_CLASSES, start=1):
            lut[k] = (*_hex_rgb(colour), 255)
        out["coverage"] = _png_data_uri(np.ascontiguousarray(lut[cls]))
    if results.proposal_level is not None and np.isfinite(results.proposal_level).any():
        added = added_coverage(results, results.proposal_level)
        a = _warp(added.astype(np.uint8), grid, dst_t, w, h, resampling="nearest", src_nodata=None,
                  dst_nodata=0)
        rgba = np.zeros(a.shape + (4,), np.uint8)
        rgba[a > 0] = (*ADDED_COLOUR, 255)
        out["added"] = _png_data_uri(rgba)
    return out


# ----------------------------------------------------------------------------------------------------------
# parameters (the pipeline stores the project's settings in results.parameters)
# ----------------------------------------------------------------------------------------------------------
def _param(results, *keys, default=None):
    """Nested lookup in ``results.parameters``; a flat key ("model") is also found for ("radio", "model")."""
    params = results.parameters or {}
    cur = params
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            cur = None
            break
        cur = cur[k]
    if cur is None and len(keys) > 1 and keys[-1] in params:
        cur = params[keys[-1]]
    return default if cur is None else cur


def thresholds(results) -> dict[str, tuple[float, float]]:
    """{technology: (good_dbm, weak_dbm)} from the pipeline's ``results.parameters["thresholds"]``."""
    out = {}
    for tech, v in ((results.parameters or {}).get("thresholds") or {}).items():
        out[str(tech)] = (float(v["good_dbm"]), float(v["weak_dbm"]))
    return out


def _min_weak_threshold(results) -> float:
    th = thresholds(results)
    tech = (results.parameters or {}).get("placement_technology")
    if tech in th:
        return th[tech][1]
    if th:
        return min(w for _, w in th.values())
    return LEVEL_CLASSES[-2][0]  # no thresholds recorded: the lowest finite class bound


# ----------------------------------------------------------------------------------------------------------
# offline assets
# ----------------------------------------------------------------------------------------------------------
def _asset_dirs() -> tuple[Path, Path]:
    try:
        import xstatic.pkg.jquery as xj
        import xstatic.pkg.leaflet as xl
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise OutputError(
            "The offline map needs the packages xstatic-leaflet and xstatic-jquery. How to fix: "
            "`.venv/bin/pip install xstatic-leaflet==1.9.3.0 xstatic-jquery==3.7.1.1`."
        ) from exc
    return Path(xl.BASE_DIR), Path(xj.BASE_DIR)


def _offline_head() -> str:
    leaflet_dir, jquery_dir = _asset_dirs()
    images = leaflet_dir / "images"

    def uri(name):
        return "data:image/png;base64," + base64.b64encode((images / name).read_bytes()).decode("ascii")

    css = (leaflet_dir / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((['\"]?)images/([\w.\-]+)\1\)", lambda m: f"url({uri(m.group(2))})", css)
    js_leaflet = (leaflet_dir / "leaflet.js").read_text(encoding="utf-8")
    js_jquery = (jquery_dir / "jquery.min.js").read_text(encoding="utf-8")
    # source-map comments would make devtools try to fetch files
    js_leaflet = re.sub(r"//# sourceMappingURL=\S+", "", js_leaflet)
    js_jquery = re.sub(r"//# sourceMappingURL=\S+", "", js_jquery)
    icons = (f"L.Icon.Default.prototype.options.iconUrl={json.dumps(uri('marker-icon.png'))};"
             f"L.Icon.Default.prototype.options.iconRetinaUrl={json.dumps(uri('marker-icon-2x.png'))};"
             f"L.Icon.Default.prototype.options.shadowUrl={json.dumps(uri('marker-shadow.png'))};"
             "L.Icon.Default.imagePath='';")
    # the tower markers' SVG (on air, planned) with a slot for the operator's colour: the legend's drawing
    triangles = [_triangle_svg(_COLOUR_SLOT, planned=planned, cls="cp-tower-icon") for planned in (False, True)]
    return (f"<style>{css}</style>\n<script>{js_jquery}</script>\n<script>{js_leaflet}</script>\n"
            f"<script>{icons}</script>\n<style>{_PAGE_CSS}</style>\n"
            f"<script>var CP_STATION_SHAPES = {_json_for_script(STATUS_SHAPES)}, "
            f"CP_STATION_EDGE = {_json_for_script([STATION_EDGE, STATION_EDGE_PX])}, "
            f"CP_TRIANGLE = {_json_for_script(triangles)}, "
            f"CP_COLOUR_SLOT = {_json_for_script(_COLOUR_SLOT)};\n{_PAGE_JS}</script>\n")


# colours of down towers and mobile sites from the shared constants (one table for every map)
_PAGE_CSS = """
.cp-box{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:5px;box-shadow:0 1px 5px rgba(0,0,0,.4);
 font:12px/1.35 "DejaVu Sans",Arial,sans-serif;color:#222}
.cp-title{position:absolute;top:10px;left:54px;z-index:1000;max-width:calc(100% - 420px);box-sizing:border-box;overflow-wrap:anywhere}
.cp-id{white-space:nowrap}
.leaflet-control-layers{font-size:12px}
.leaflet-control-layers-expanded{max-width:290px;box-sizing:border-box}
.leaflet-control-layers-list{overflow-y:auto;overflow-x:hidden}
.leaflet-control-layers label{padding-left:18px;text-indent:-18px}
.cp-title h1{font-size:16px;margin:0 0 2px 0}
.cp-legend{position:absolute;bottom:28px;right:10px;z-index:1000;max-width:270px;max-height:45%;overflow:auto;
 box-sizing:border-box}
.cp-legend summary{font-size:13px;font-weight:bold;cursor:pointer;margin:0 0 2px 0}
.cp-legend h3{font-size:12px;margin:6px 0 2px 0}
.cp-legend div{padding-left:20px;text-indent:-20px}.cp-legend div span{text-indent:0}
.cp-sw{display:inline-block;width:14px;height:11px;margin-right:5px;vertical-align:middle;border:1px solid #555}
.cp-dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:5px;vertical-align:middle;
 border:1px solid #333}
.cp-sw-down{width:11px;background:#fff;border:2px solid @DOWN@;border-radius:50%;color:@DOWN@;
 font:bold 9px/11px sans-serif;text-align:center}
.cp-shape{display:inline-block;width:13px;height:13px;margin-right:4px;vertical-align:middle;overflow:visible}
.cp-params{position:absolute;bottom:40px;left:10px;z-index:1000;max-width:340px;max-height:45%;overflow:auto}
.cp-params summary{cursor:pointer;font-weight:bold}
.cp-params table{border-collapse:collapse}.cp-params td{padding:0 6px 0 0;vertical-align:top}
.cp-pop table{border-collapse:collapse;font-size:12px}.cp-pop th{text-align:left;padding-right:8px;
 font-weight:normal;color:#555}.cp-pop b{font-size:13px}
.cp-tower-icon{display:block;width:14px;height:14px;overflow:visible}
.cp-tower-icon,.cp-tower-svg{filter:drop-shadow(0 0 1px #000)}
.cp-tri{display:inline-block;width:14px;height:13px;margin-right:5px;vertical-align:middle}
.cp-tri svg{width:14px;height:13px;overflow:visible}
.cp-tower-down .cp-x{width:18px;height:18px;border:3px solid @DOWN@;border-radius:50%;background:#fff;
 color:@DOWN@;text-align:center;font:bold 15px/18px sans-serif;box-shadow:0 0 0 1.5px #fff,0 0 4px 1px #000}
.cp-contingency-icon{background:#e66101;color:#fff;border:2px solid #fff;border-radius:3px;width:16px;height:16px;
 text-align:center;font:bold 11px/16px sans-serif;box-shadow:0 0 3px #000}
.cp-proposal-icon{background:@PROPOSAL@;color:#fff;border:2px solid #fff;border-radius:50%;width:20px;height:20px;
 text-align:center;font:bold 12px/20px sans-serif;box-shadow:0 0 3px #000}
.cp-proposal-user{background:#fff;color:@PROPOSAL@;border:3px solid @PROPOSAL@;width:18px;height:18px;line-height:18px;
 box-shadow:0 0 0 1px #fff,0 0 3px #000}
.cp-dot-user{background:#fff;border:2px solid @PROPOSAL@;width:9px;height:9px}
@media print{
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .leaflet-control-zoom,.leaflet-control-layers,.cp-params:not([open]){display:none}
 .folium-map{width:calc(100% - 262px)!important}
 .cp-title{left:10px;max-width:calc(100% - 282px)!important}
 .cp-legend{top:0;bottom:auto;right:0;width:252px;max-width:none;max-height:none!important;overflow:visible}
 .cp-box{box-shadow:none;border:1px solid #888}
}
""".replace("@DOWN@", DOWN_COLOUR).replace("@PROPOSAL@", PROPOSAL_COLOUR)

# Points are drawn from compact arrays. Every string in them (values AND labels) is already HTML-escaped in
# Python, so concatenating them into popup HTML is safe. Row layout: [label index, value, ...] pairs after the
# fixed leading fields; labels come once per layer in ``lab``.
_PAGE_JS = """
// Panels fit any window: the layer panel (top right) and the legend (bottom right) share the map's height,
// each scrolling when short of room (the layer panel gets at most 45 % when both are too tall); the title box
// ends left of the layer panel; popups open below the title box (autoPan padding).
function cpLayout(){
  var map = document.querySelector('.folium-map'), title = document.querySelector('.cp-title');
  var panel = document.querySelector('.leaflet-control-layers'), legend = document.querySelector('.cp-legend');
  if (!map) return;
  var box = map.getBoundingClientRect(), list = panel && panel.querySelector('.leaflet-control-layers-list');
  if (list) { list.style.height = ''; list.style.maxHeight = ''; list.classList.remove('leaflet-control-layers-scrollbar'); }
  if (legend) legend.style.maxHeight = 'none';
  var gap = 8, top = panel ? panel.getBoundingClientRect().top - box.top : 10;
  var room = box.height - top - 28 - gap;  // layer panel top .. legend bottom (28 px above the map's bottom)
  var ph = panel ? panel.offsetHeight : 0, lh = legend ? legend.offsetHeight : 0;
  if (list && ph + lh > room) {
    var cap = Math.max(room - lh, Math.min(ph, Math.round(room * 0.45)), 60);
    list.style.maxHeight = Math.max(40, list.offsetHeight - (ph - cap)) + 'px';
    ph = panel.offsetHeight;
  }
  if (legend) legend.style.maxHeight = Math.max(40, room - ph) + 'px';
  if (title && panel) {
    var left = panel.getBoundingClientRect().left - title.getBoundingClientRect().left - 12;
    title.style.maxWidth = Math.max(220, left) + 'px';
  }
  if (title && window.L) {  // popups pan clear of the title box (Leaflet reads these options when one opens)
    var below = Math.ceil(title.getBoundingClientRect().bottom - box.top) + 10;
    L.Popup.mergeOptions({autoPanPaddingTopLeft: L.point(10, below), autoPanPaddingBottomRight: L.point(10, 10)});
  }
}
L.Map.addInitHook(function(){ window.cpMap = this; });
// Printing (Ctrl+P): the print stylesheet hides the buttons and the layer panel and puts the whole legend in a
// column right of the map; the map is redrawn for the paper's size around the same centre, and again for the
// window afterwards.
function cpPrintLayout(){ if (window.cpMap) cpMap.invalidateSize({pan: true}); cpLayout(); }
// (at 'beforeprint' the map still has the window's size: the print media query's change comes with the paper's)
if (window.matchMedia) window.matchMedia('print').addEventListener('change', cpPrintLayout);
window.addEventListener('afterprint', cpPrintLayout);
window.addEventListener('load', cpLayout);
window.addEventListener('resize', cpLayout);
document.addEventListener('toggle', cpLayout, true);  // the legend or the parameters box folded / unfolded
function cpTable(lab, rows){
  var h = '<table>';
  for (var i = 0; i < rows.length; i += 2) {
    if (rows[i + 1] !== '') h += '<tr><th>' + lab[rows[i]] + '</th><td>' + rows[i + 1] + '</td></tr>';
  }
  return h + '</table>';
}
// A polling station is an SVG path like L.circleMarker (same pane, popups, tooltips, bringToFront) whose outline
// is its status's shape: circle, diamond or square of about the circle's area (CP_STATION_SHAPES, from Python).
var CpShapeMarker = L.CircleMarker.extend({
  options: {shape: 'circle'},
  _updatePath: function(){
    var shape = this.options.shape, R = this._renderer;
    if (shape === 'circle' || !R._setPath) { R._updateCircle(this); return; }  // the canvas renderer: circles
    if (this._empty()) { R._setPath(this, 'M0 0'); return; }
    var p = this._point, r = Math.max(this._radius, 1), x = p.x, y = p.y, d;
    if (shape === 'diamond') {
      var k = r * 1.25;  // half diagonal: the area of the circle (2k² = πr²)
      d = 'M' + x + ',' + (y - k) + 'L' + (x + k) + ',' + y + 'L' + x + ',' + (y + k) + 'L' + (x - k) + ',' + y + 'z';
    } else {
      var h = r * 0.89;  // half side: the area of the circle (4h² = πr²)
      d = 'M' + (x - h) + ',' + (y - h) + 'L' + (x + h) + ',' + (y - h) + 'L' + (x + h) + ',' + (y + h) +
          'L' + (x - h) + ',' + (y + h) + 'z';
    }
    R._setPath(this, d);
  }
});
function cpStations(group, lab, col, items, opts){
  var lost = {};  // item indices of the stations a failure scenario takes off the air: black ring, drawn on top
  ((opts && opts.lost) || []).forEach(function(i){ lost[i] = true; });
  items.forEach(function(s, i){
    var shape = CP_STATION_SHAPES[s[2]] || 'circle', cls = 'cp-station cp-station-' + s[2] + ' cp-shape-' + shape;
    var m = new CpShapeMarker([s[0], s[1]], lost[i] ?
      {radius: 7, color: '#000', weight: 3.5, fillColor: col[s[2]] || '#777', fillOpacity: 1, shape: shape,
       className: cls + ' cp-station-lost'} :
      {radius: 6, color: CP_STATION_EDGE[0], weight: CP_STATION_EDGE[1], fillColor: col[s[2]] || '#777',
      fillOpacity: 0.95, shape: shape, className: cls});
    m.bindPopup('<div class="cp-pop"><b>' + s[3] + '</b><br>' + cpTable(lab, s.slice(4)) + '</div>', {maxWidth: 320});
    m.bindTooltip(s[3]);
    m.addTo(group);
    if (lost[i]) group.on('add', function(){ m.bringToFront(); });
  });
}
function cpTriangle(colour, planned){  // webmap._triangle_svg, the legend's drawing too
  return CP_TRIANGLE[planned ? 1 : 0].split(CP_COLOUR_SLOT).join(colour);
}
function cpTowers(group, lab, colour, items){
  items.forEach(function(s){
    var down = s[2] === 'down', planned = s[2] === 'planned';  // planned: hollow dashed triangle, not on air
    // a triangle (▲, as on the PDF and the desktop map): squares are the polling stations without signal
    var icon = L.divIcon({className: 'cp-tower' + (down ? ' cp-tower-down' : '') + (planned ? ' cp-tower-planned' : ''),
      // down: a red ✕ in a white disc ringed in red (seen on red and green backgrounds), above the other towers
      iconSize: down ? [24, 24] : [14, 14],
      html: down ? '<div class="cp-x">\\u2715</div>' : cpTriangle(colour, planned)});
    var m = L.marker([s[0], s[1]], {icon: icon, zIndexOffset: down ? 500 : (planned ? 0 : 100)});
    m.bindPopup('<div class="cp-pop"><b>' + s[3] + '</b><br>' + cpTable(lab, s.slice(4)) + '</div>', {maxWidth: 320});
    m.bindTooltip(s[3]);
    m.addTo(group);
  });
}
function cpContingency(group, lab, items){
  items.forEach(function(s){
    var icon = L.divIcon({className: 'cp-contingency', iconSize: [20, 20],
      html: '<div class="cp-contingency-icon">!</div>'});
    L.polyline([[s[4], s[5]], [s[0], s[1]]], {color: '#e66101', weight: 2, dashArray: '4 4', opacity: 0.9})
      .addTo(group);
    var m = L.marker([s[0], s[1]], {icon: icon, zIndexOffset: 900});
    m.bindPopup('<div class="cp-pop"><b>' + s[3] + '</b><br>' + cpTable(lab, s.slice(6)) + '</div>', {maxWidth: 380, maxHeight: 360});
    m.bindTooltip(s[3]);
    m.addTo(group);
  });
}
function cpProposals(group, lab, items, opts){
  var user = {};  // item indices of the sites the user moved or added in the desktop app: a hollow disc
  ((opts && opts.user) || []).forEach(function(i){ user[i] = true; });
  items.forEach(function(s, i){
    var icon = L.divIcon({className: 'cp-proposal', iconSize: [24, 24],
      html: '<div class="cp-proposal-icon' + (user[i] ? ' cp-proposal-user' : '') + '">' + s[2] + '</div>'});
    var m = L.marker([s[0], s[1]], {icon: icon, zIndexOffset: 1000});
    m.bindPopup('<div class="cp-pop"><b>' + s[3] + '</b><br>' + cpTable(lab, s.slice(4)) + '</div>', {maxWidth: 340});
    m.bindTooltip(s[3]);
    m.addTo(group);
  });
}
"""


# ----------------------------------------------------------------------------------------------------------
# folium elements
# ----------------------------------------------------------------------------------------------------------
def _macro(template: str, **attrs):
    from branca.element import MacroElement
    from jinja2 import Template

    el = MacroElement()
    el._template = Template(template)
    for k, v in attrs.items():
        setattr(el, k, v)
    return el


def _points_element(kind: str, *args):
    """``cp<kind>(<feature group>, *args)`` with each argument as script-safe JSON."""
    return _macro(
        "{% macro script(this, kwargs) %}" + f"cp{kind}" +
        "({{ this._parent.get_name() }}, {{ this.payload }});{% endmacro %}",
        payload=", ".join(_json_for_script(a) for a in args),
    )


def _html_element(html_text: str):
    return _macro("{% macro html(this, kwargs) %}{{ this.content }}{% endmacro %}", content=html_text)


def _strip_cdn(element) -> None:
    """Remove CDN links from ``element`` and all its descendants (folium JSCSSMixin lists)."""
    stack = [element]
    while stack:
        el = stack.pop()
        if hasattr(el, "default_js"):
            el.default_js = []
        if hasattr(el, "default_css"):
            el.default_css = []
        stack.extend(getattr(el, "_children", {}).values())


def _num(x, digits, lang, unit=""):
    s = fmt_float(x, digits, lang)
    return esc(s + (f" {unit}" if unit and s != "—" else ""))


def _rounded(coords, nd=5):
    if isinstance(coords, (float, int)):
        return round(float(coords), nd)
    return [_rounded(c, nd) for c in coords]


def _feature_collection(gdf, props, *, simplify_m: float = 0.0, decimals: int = 5) -> dict:
    """GeoJSON (WGS 84, ``decimals`` digits: 5 ≈ 1 m) from a GeoDataFrame; ``props(row) -> dict``."""
    from shapely.geometry import mapping

    if gdf is None or len(gdf) == 0:
        return {"type": "FeatureCollection", "features": []}
    g = gdf
    if simplify_m > 0:
        g = g.copy()
        g["geometry"] = g.geometry.simplify(simplify_m, preserve_topology=True)
    g = g.to_crs("EPSG:4326")
    feats = []
    for row in g.itertuples(index=False):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        m = mapping(geom)
        gj = {"type": m["type"]}
        if m["type"] == "GeometryCollection":
            continue
        gj["coordinates"] = _rounded(m["coordinates"], decimals)
        feats.append({"type": "Feature", "geometry": gj, "properties": props(row)})
    return {"type": "FeatureCollection", "features": feats}


#: Vertex budget of the gap-polygon layer (≈ 25 bytes each in the page, tooltips included).
MAX_GAP_VERTICES = 40_000


def select_gaps(gaps, cellsize: float, *, max_vertices: int | None = None):
    """Gap polygons for the map: simplified by 1.5 cells, largest first, within ``max_vertices``.

    A province has tens of thousands of one- or two-cell gaps; drawing them all makes a 10+ MB page. The
    coverage overlay still shows every gap cell; the vector layer keeps the largest areas (with tooltips).
    Returns (GeoDataFrame, smallest area shown in km², or 0.0 when every gap is kept).
    """
    import shapely

    if max_vertices is None:
        max_vertices = MAX_GAP_VERTICES
    g = gaps.copy()
    g["geometry"] = g.geometry.simplify(1.5 * cellsize, preserve_topology=True)
    g = g[~g.geometry.is_empty]
    order = np.argsort(-g["area_km2"].to_numpy(float), kind="stable")
    g = g.iloc[order]
    verts = shapely.get_num_coordinates(g.geometry.to_numpy())
    keep = np.cumsum(verts) <= max_vertices
    if keep.all():
        return g, 0.0
    n = int(np.argmin(keep))  # first one over budget
    kept = g.iloc[:n]
    return kept, float(kept["area_km2"].min()) if n else float("inf")


def _ll(gdf):
    """lat, lon arrays of point geometries."""
    g = gdf.to_crs("EPSG:4326")
    return g.geometry.y.to_numpy(), g.geometry.x.to_numpy()


def _col(df, name, default):
    """Column as a numpy object array, or ``default`` repeated when the column is missing."""
    if name in df.columns:
        return df[name].to_numpy()
    return np.array([default] * len(df), dtype=object)


def cell_text(v) -> str:
    """Cell value as text; None/NaN → "" (also the PDF report's and the console's)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _int(v) -> int:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0
    return int(f) if math.isfinite(f) else 0


def _operator_colour(name: str, idx: int) -> str:
    return OPERATOR_COLOURS.get(str(name).strip().lower(), _FALLBACK_COLOURS[idx % len(_FALLBACK_COLOURS)])


def _bool(v) -> bool:
    try:
        return bool(v) and not (isinstance(v, float) and math.isnan(v))
    except (TypeError, ValueError):
        return False


def _nowrap_ids(html_text: str, ids) -> str:
    """``html_text`` (escaped) with every tower id of ``ids`` in a ``cp-id`` span, so a line never breaks inside
    an id ("VTL-DBP-" / "036")."""
    keys = sorted({esc(i) for i in ids if str(i)}, key=len, reverse=True)
    if not keys:
        return html_text
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])")
    return rx.sub(lambda m: f"<span class='cp-id'>{m.group(0)}</span>", html_text)


def build_map(results, *, title: str | None = None, lang: str = "vi", max_raster_px: int = MAX_RASTER_PX) -> str:
    """The complete offline HTML page (a ``str``) for ``results`` (:func:`iter_build_map` run to the end)."""
    return run_to_end(iter_build_map(results, title=title, lang=lang, max_raster_px=max_raster_px))


def iter_build_map(results, *, title: str | None = None, lang: str = "vi", max_raster_px: int = MAX_RASTER_PX,
                   steps: int | None = None):
    """Generator: a :class:`Progress` before each step of :data:`MAP_STEPS` (a cancel point: closing the
    generator there stops the export); returns the complete offline HTML page (a ``str``) for ``results``.
    ``steps``: the number of steps the fractions count (default: :data:`MAP_STEPS`; more when a caller has steps
    of its own after these).

    Layers: terrain hillshade (base, offline) and OpenStreetMap (base, needs internet); best level (dBm);
    gap polygons; communes; towers per operator; polling stations by status; proposed stations with their
    added coverage and backhaul links; national border. Plus layer control, scale bar, legend, title with
    date, and the parameters used.
    """
    import folium

    check_lang(lang)
    if max_raster_px < 16:
        raise ParameterError(f"max_raster_px must be at least 16 pixels, got {max_raster_px}")
    title = title if title is not None else t("map.title", lang, province=results.province or results.project_name)
    n_steps = steps or len(MAP_STEPS)
    step = iter(Progress("map", i / n_steps, msg) for i, msg in enumerate(MAP_STEPS))

    yield next(step)
    rast = raster_layers(results, max_px=max_raster_px)
    (south, west), (north, east) = rast["bounds"]
    # zoom in quarter levels: fitBounds can show the province as large as the window allows (whole levels left
    # Điện Biên in the middle half of a 1366 × 768 laptop screen: zoom 9 did not fit)
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None, control_scale=False,
                   zoom_start=10, prefer_canvas=False, zoom_snap=0.25)
    # metric-only scale bar (folium's control_scale=True would add miles too)
    m.add_child(_macro("{% macro script(this, kwargs) %}L.control.scale({imperial: false, maxWidth: 150})"
                       ".addTo({{ this._parent.get_name() }});{% endmacro %}"))
    m.get_root().header.add_child(folium.Element(_offline_head()), name="cp_offline_assets")
    m.get_root().header.add_child(folium.Element('<meta charset="utf-8">'), name="cp_charset")
    m.get_root().title = esc(title)  # branca renders <title>{{ title }}</title> without escaping

    # --- base layers ----------------------------------------------------------------------------------
    if rast["hillshade"] is not None:
        folium.raster_layers.ImageOverlay(rast["hillshade"], bounds=rast["bounds"], name=t("map.layer.terrain", lang),
                                          overlay=False, control=True, show=True, pixelated=False,
                                          zindex=1).add_to(m)
    folium.TileLayer("OpenStreetMap", name=t("map.layer.osm", lang), overlay=False, control=True,
                     show=rast["hillshade"] is None, attr="© OpenStreetMap contributors").add_to(m)

    # --- coverage + added coverage -----------------------------------------------------------------------
    if rast["coverage"] is not None:
        folium.raster_layers.ImageOverlay(rast["coverage"], bounds=rast["bounds"], opacity=0.5,
                                          name=t("map.layer.coverage", lang), pixelated=False,
                                          zindex=2).add_to(m)

    # --- gaps ---------------------------------------------------------------------------------------------
    yield next(step)
    if results.gaps is not None and len(results.gaps):
        def gap_props(r):
            lbl = (f"<b>{esc(status_label(r.status, lang))}</b>: {esc(r.commune)}, "
                   f"{esc(fmt_float(r.area_km2, 2, lang))} km²")
            if hasattr(r, "nearest_tower"):
                lbl += (f"<br>{esc(t('nearest_tower', lang))}: {esc(r.nearest_tower)} "
                        f"({_num(getattr(r, 'nearest_tower_km', float('nan')), 2, lang, 'km')})")
            return {"s": str(r.status), "label": lbl}

        shown, min_km2 = select_gaps(results.gaps, results.grid.cellsize)
        fc = _feature_collection(shown, gap_props, decimals=4)  # 4 decimals ≈ 10 m
        name = t("map.layer.gaps", lang)
        if min_km2 > 0:
            name += " " + t("map.layer.gaps_min", lang, area=fmt_float(min_km2, 2, lang))
        folium.GeoJson(
            fc, name=name,
            style_function=lambda f: {"color": GAP_COLOURS.get(f["properties"]["s"], "#d7191c"), "weight": 1,
                                      "fillColor": GAP_COLOURS.get(f["properties"]["s"], "#d7191c"),
                                      "fillOpacity": 0.35 if f["properties"]["s"] == "none" else 0.2,
                                      "dashArray": None if f["properties"]["s"] == "none" else "4 3"},
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(m)

    # --- communes -----------------------------------------------------------------------------------------
    yield next(step)
    if results.communes is not None and len(results.communes):
        def commune_props(r):
            tags = [t("border", lang)] if _bool(getattr(r, "border", False)) else []
            if _bool(getattr(r, "remote", False)):
                tags.append(t("remote", lang))
            lbl = f"<b>{esc(r.name)}</b>" + (f" ({esc(', '.join(tags))})" if tags else "")
            if hasattr(r, "stations_good"):
                lbl += (f"<br>{esc(t('map.legend.stations', lang))}: "
                        f"{esc(status_label('good', lang))} {int(r.stations_good)}, "
                        f"{esc(status_label('weak', lang))} {int(r.stations_weak)}, "
                        f"{esc(status_label('none', lang))} {int(r.stations_none)}")
            return {"b": _bool(getattr(r, "border", False)), "r": _bool(getattr(r, "remote", False)),
                    "label": lbl}

        fc = _feature_collection(results.communes, commune_props, simplify_m=results.grid.cellsize * 0.5)
        folium.GeoJson(
            fc, name=t("map.layer.communes", lang),
            style_function=lambda f: {
                "color": "#b2182b" if f["properties"]["b"] else ("#5e3c99" if f["properties"]["r"] else "#333"),
                "weight": 3 if f["properties"]["b"] else (2.5 if f["properties"]["r"] else 1.2),
                "dashArray": "6 4" if f["properties"]["r"] and not f["properties"]["b"] else None,
                "fill": True, "fillOpacity": 0.0},
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        ).add_to(m)

    # --- border --------------------------------------------------------------------------------------------
    if results.border is not None and len(results.border):
        fc = _feature_collection(results.border, lambda r: {"label": f"<b>{esc(getattr(r, 'name', ''))}</b>"})
        folium.GeoJson(fc, name=t("map.layer.border", lang),
                       style_function=lambda f: {"color": "#b2182b", "weight": 4, "opacity": 0.9,
                                                 "dashArray": "10 5 2 5"},
                       tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False)).add_to(m)

    # --- towers by operator --------------------------------------------------------------------------------
    yield next(step)
    towers = results.towers
    tlat = tlon = None
    if towers is not None and len(towers):
        tlat, tlon = _ll(towers)
        lab = [esc(t(k, lang)) for k in ("operator", "technology", "status", "height")]
        op_col = towers["operator"].astype(str).to_numpy()
        ids = towers["id"].astype(str).to_numpy()
        tech = _col(towers, "technology", "")
        status = _col(towers, "status", "on_air")
        height = _col(towers, "height_m", float("nan"))
        for oi, op in enumerate(sorted(set(op_col), key=natural_key)):
            items = []
            for k in np.flatnonzero(op_col == op):
                stt = str(status[k])
                stt_text = t(f"tower_status.{stt}", lang) if stt in ("on_air", "planned", "down") else stt
                items.append([round(float(tlat[k]), 5), round(float(tlon[k]), 5), esc(stt), esc(f"{ids[k]} – {op}"),
                              0, esc(op), 1, esc(tech[k]), 2, esc(stt_text), 3, _num(height[k], 0, lang, "m")])
            fg = folium.FeatureGroup(name=t("map.layer.towers", lang, operator=op, n=len(items)))
            fg.add_child(_points_element("Towers", lab, _operator_colour(op, oi), items))
            fg.add_to(m)

    # --- polling stations ------------------------------------------------------------------------------------
    st = results.stations
    if st is not None and len(st):
        slat, slon = _ll(st)
        lab = [esc(t(k, lang)) for k in ("commune", "voters", "status", "best_server", "level", "map.servers",
                                         "nearest_tower", "map.before", "map.restored_by", "station_id")]
        restored_by = results.restored_by()  # lost station → the proposed mobile station that restores it
        props = results.proposals
        placed_by = (dict(zip(props["site_id"].astype(str), props["placed_by"], strict=True))
                     if props is not None and "placed_by" in props else {})
        # a failure scenario: the stations that lose all signal get a black ring and "Before the failure: …"
        lost_ids = {str(i) for i in (results.newly_uncovered or [])}
        before = _col(st, "baseline_status", "")
        sid = _col(st, "id", "")
        lost_idx = []
        status = _col(st, "status", "none")
        names, communes = _col(st, "name", ""), _col(st, "commune", "")
        voters, level = _col(st, "voters", 0), _col(st, "level_dbm", float("nan"))
        server, operator = _col(st, "best_server", ""), _col(st, "best_operator", "")
        nserv = _col(st, "n_servers", None)
        near, near_km = _col(st, "nearest_tower", ""), _col(st, "nearest_tower_km", float("nan"))
        items = []
        for k in range(len(st)):
            stt = str(status[k])
            srv = cell_text(server[k])
            if srv and cell_text(operator[k]):
                srv = f"{srv} ({cell_text(operator[k])})"
            nearest = ""
            if stt != "good" and cell_text(near[k]):
                nearest = f"{esc(near[k])} ({_num(near_km[k], 2, lang, 'km')})"
            # the id first: the one the console, the CSV files and the report show (names repeat across wards)
            items.append([round(float(slat[k]), 5), round(float(slon[k]), 5), esc(stt), esc(cell_text(names[k])),
                          9, esc(cell_text(sid[k])), 0, esc(cell_text(communes[k])), 1, esc(fmt_int(_int(voters[k]), lang)),
                          2, esc(status_label(stt, lang)), 3, esc(srv) or "—",
                          4, _num(level[k], 1, lang, "dBm"), 5, "" if nserv[k] is None else esc(_int(nserv[k])),
                          6, nearest])
            if str(sid[k]) in lost_ids:
                lost_idx.append(k)
                b = cell_text(before[k])
                items[-1] += [7, esc(status_label(b, lang) if b in ("good", "weak", "none") else b),
                              8, esc(site_label(restored_by[str(sid[k])], placed_by.get(restored_by[str(sid[k])]),
                                                lang) if str(sid[k]) in restored_by else "—")]
        fg = folium.FeatureGroup(name=t("map.layer.stations", lang, n=len(items)))
        fg.add_child(_points_element("Stations", lab, STATUS_COLOURS, items,
                                     *([{"lost": lost_idx}] if lost_idx else [])))
        fg.add_to(m)

    # --- proposals, added coverage, backhaul -----------------------------------------------------------------
    yield next(step)
    props = results.proposals
    n_links = 0
    if rast["added"] is not None:
        folium.raster_layers.ImageOverlay(rast["added"], bounds=rast["bounds"], opacity=0.45,
                                          name=t("map.layer.proposal_cov", lang), pixelated=False,
                                          zindex=3).add_to(m)
    if props is not None and len(props):
        plat, plon = _ll(props)
        tower_ll = {}
        if tlat is not None:
            tower_ll = {str(i): (float(a), float(b)) for i, a, b in zip(towers["id"], tlat, tlon, strict=True)}
        lab = [esc(t(k, lang)) for k in ("commune", "report.col.latlon", "map.elevation", "map.stations_covered",
                                         "map.voters_covered", "map.backhaul")]
        items, user_idx = [], []
        bh = folium.FeatureGroup(name=t("map.layer.backhaul", lang))
        n_links = 0  # microwave links drawn (legend entry)
        for k in range(len(props)):
            r = props.iloc[k]
            rank = _int(r.get("rank", k + 1))
            if placed_by_user(r.get("placed_by")):
                user_idx.append(k)
            backhaul = cell_text(r.get("backhaul", ""))
            bh_text = t(f"backhaul.{backhaul}", lang) if has(f"backhaul.{backhaul}") else backhaul
            btower = cell_text(r.get("backhaul_tower", ""))
            bh_html = esc(bh_text) + (
                f" – {esc(btower)} ({_num(r.get('backhaul_distance_km', float('nan')), 1, lang, 'km')})"
                if btower else "")
            items.append([round(float(plat[k]), 5), round(float(plon[k]), 5), rank,
                          esc(f"{t('map.proposal', lang, rank=rank)}: "
                              f"{site_label(cell_text(r.get('site_id', '')), r.get('placed_by', ''), lang)}"),
                          0, esc(cell_text(r.get("commune", ""))), 1, esc(f"{plat[k]:.5f}, {plon[k]:.5f}"),
                          2, _num(r.get("elevation_m", float("nan")), 0, lang, "m"),
                          3, esc(fmt_int(_int(r.get("n_stations", 0)), lang)),
                          4, esc(fmt_int(_int(r.get("voters_covered", 0)), lang)), 5, bh_html])
            if btower in tower_ll:
                ok = backhaul == "ok"
                n_links += ok
                folium.PolyLine([[float(plat[k]), float(plon[k])], list(tower_ll[btower])],
                                color=PROPOSAL_COLOUR if ok else "#999", weight=3, opacity=0.9,
                                dash_array=None if ok else "6 6",
                                tooltip=esc(f"{cell_text(r.get('site_id', ''))} → {btower}: {bh_text}")).add_to(bh)
        fg = folium.FeatureGroup(name=t("map.layer.proposals", lang, n=len(items)))
        fg.add_child(_points_element("Proposals", lab, items, *([{"user": user_idx}] if user_idx else [])))
        fg.add_to(m)
        bh.add_to(m)

    # --- contingency plan: where a mobile station restores the stations of a failed site (off by default) -----
    cp = results.contingency
    if cp is not None and len(cp) and (cp["n_restored"].astype(float) > 0).any():
        labels = station_labels(st, with_id=True)  # "name (commune, id)": names repeat across communes
        # where first; then which stations stay without signal, then (the longest) those restored
        lab = [esc(t(k, lang)) for k in ("report.col.lost", "report.col.restored", "report.col.latlon",
                                         "map.elevation", "commune", "map.backhaul", "map.contingency.still_lost",
                                         "map.contingency.restored")]
        items = []
        order = station_sort_key(st)  # the report's order (commune, then name, Vietnamese collation)
        for r in cp[cp["n_restored"].astype(float) > 0].itertuples(index=False):
            restored_ids = sorted((i for i in cell_text(r.stations_restored).split(";") if i), key=order)
            restored = set(restored_ids)
            kept = sorted((i for i in cell_text(r.stations_lost).split(";") if i and i not in restored), key=order)
            bh = cell_text(r.backhaul)
            bh_text = t(f"backhaul.{bh}", lang) if has(f"backhaul.{bh}") else bh
            if cell_text(r.backhaul_tower):
                bh_text += f" – {r.backhaul_tower} ({_num(r.backhaul_distance_km, 1, lang, 'km')})"
            items.append([round(float(r.restore_lat), 5), round(float(r.restore_lon), 5), 0,
                          esc(t("map.contingency", lang, site=f"{r.site} ({r.operator})")),
                          round(float(r.site_lat), 5), round(float(r.site_lon), 5),
                          0, esc(f"{fmt_int(r.n_lost, lang)} / {fmt_int(r.voters_lost, lang)}"),
                          1, esc(f"{fmt_int(r.n_restored, lang)} / {fmt_int(r.voters_restored, lang)}"),
                          2, esc(f"{float(r.restore_lat):.5f}, {float(r.restore_lon):.5f}"),
                          3, _num(r.elevation_m, 0, lang, "m"), 4, esc(cell_text(r.commune)), 5, esc(bh_text),
                          6, esc(", ".join(labels.get(i, i) for i in kept) or "—"),
                          7, esc(", ".join(labels.get(i, i) for i in restored_ids))])
        fg = folium.FeatureGroup(name=t("map.layer.contingency", lang, n=len(items)), show=False)
        fg.add_child(_points_element("Contingency", lab, items))
        fg.add_to(m)

    # --- chrome: title, legend, parameters, layer control ---------------------------------------------------
    yield next(step)
    scen = results.scenario
    down = [str(i) for i in scen.down] if scen is not None and scen.down else []
    # the title names a few towers only ("52 towers: A, B, C … (+49)"); the parameters box has them all
    scen_text = (t("scenario.down", lang, towers=", ".join(down) if len(down) <= MAX_TITLE_TOWERS else
                   t("map.down_short", lang, n=fmt_int(len(down), lang), towers=short_list(down, lang, 3)))
                 if down else t("scenario.baseline", lang))
    if scen is not None and scen.name and scen.name not in GENERIC_SCENARIO_NAMES:
        scen_text = f"{scen.name}: {scen_text}"
    counts = results.station_counts() if st is not None and len(st) else {"good": 0, "weak": 0, "none": 0}
    lost_html = ""
    if results.newly_uncovered and st is not None and len(st):
        lost = results.lost_stations()
        lost_html = ("<br>" + shape_svg("none", lost=True)
                     + esc(t("map.lost", lang, n=fmt_int(len(lost), lang),
                             voters=fmt_int(int(lost["voters"].sum()), lang))))
    title_html = (f"<div class='cp-box cp-title'><h1>{esc(title)}</h1>"
                  f"{esc(t('map.created', lang, date=fmt_date(results.created, lang, time=True)))} · "
                  f"{esc(t('scenario', lang))}: {_nowrap_ids(esc(scen_text), down)}<br>"
                  + " · ".join(f"{shape_svg(s)}{esc(status_label(s, lang))}: <b class='cp-count-{s}'>{counts[s]}</b>"
                               for s in ("good", "weak", "none"))
                  + lost_html + "</div>")
    # a foldable legend (open): on a small window it scrolls, the layout script gives it the room left
    legend = [f"<details class='cp-box cp-legend' open><summary>{esc(t('map.legend', lang))}</summary>",
              f"<h3>{esc(t('map.legend.level', lang))}</h3>"]
    legend += [f"<div class='cp-level'><span class='cp-sw' style='background:{c};opacity:.75'></span>{esc(lbl)}</div>"
               for c, lbl in level_legend(lang)]
    legend.append(f"<div><span class='cp-sw' style='background:transparent'></span>"
                  f"{esc(t('map.legend.nolevel', lang))}</div>")
    legend.append(f"<h3>{esc(t('map.legend.stations', lang))}</h3>")
    legend += [f"<div class='cp-legend-station cp-legend-{s}'>{shape_svg(s)}{esc(status_label(s, lang))}</div>"
               for s in ("good", "weak", "none")]
    if lost_html:
        legend.append(f"<div class='cp-legend-station cp-legend-lost'>{shape_svg('none', lost=True)}"
                      f"{esc(t('map.legend.lost', lang))}</div>")
    legend.append(f"<h3>{esc(t('map.legend.gaps', lang))}</h3>")
    legend.append(f"<div><span class='cp-sw' style='background:{GAP_COLOURS['none']};opacity:.5'></span>"
                  f"{esc(t('map.legend.gap_none', lang))}</div>")
    legend.append(f"<div><span class='cp-sw' style='background:{GAP_COLOURS['weak']};opacity:.35;"
                  f"border-style:dashed'></span>{esc(t('map.legend.gap_weak', lang))}</div>")
    legend.append(f"<h3>{esc(t('map.legend.towers', lang))}</h3>")
    if towers is not None and len(towers):  # same operators and colours as the tower layers
        legend += [f"<div>{tower_svg(_operator_colour(op, oi))}{esc(op)}</div>"
                   for oi, op in enumerate(sorted(set(towers["operator"].astype(str)), key=natural_key))]
    legend.append("<div><span class='cp-sw cp-sw-down'>\u2715</span>"
                  f"{esc(t('map.legend.tower_down', lang))}</div>")
    if towers is not None and len(towers) and (_col(towers, "status", "on_air") == "planned").any():
        legend.append(f"<div>{tower_svg('#555', planned=True)}{esc(t('map.legend.tower_planned', lang))}</div>")
    legend.append(f"<h3>{esc(t('map.legend.proposals', lang))}</h3>")
    legend.append(f"<div><span class='cp-dot' style='background:{PROPOSAL_COLOUR}'></span>"
                  f"{esc(t('map.legend.proposal', lang))}</div>")
    if props is not None and "placed_by" in props and any(placed_by_user(v) for v in props["placed_by"]):
        legend.append(f"<div class='cp-legend-user'><span class='cp-dot cp-dot-user'></span>"
                      f"{esc(t('map.legend.user_site', lang))}</div>")
    legend.append("<div><span class='cp-sw' style='background:rgb(%d,%d,%d);opacity:.5'></span>%s</div>"
                  % (*ADDED_COLOUR, esc(t("map.legend.added", lang))))
    if n_links:  # the purple lines of the backhaul layer
        legend.append(f"<div class='cp-legend-backhaul'><span class='cp-sw' style='height:0;border:0;border-top:3px "
                      f"solid {PROPOSAL_COLOUR}'></span>{esc(t('map.legend.backhaul', lang))}</div>")
    if cp is not None and len(cp):
        legend.append("<div><span class='cp-sw' style='background:#e66101'></span>"
                      f"{esc(t('map.legend.contingency', lang))}</div>")
    legend.append(f"<h3>{esc(t('map.legend.boundaries', lang))}</h3>")
    legend.append("<div class='cp-legend-commune'><span class='cp-sw' style='border:1.2px solid #333;"
                  f"background:transparent'></span>{esc(t('map.legend.commune', lang))}</div>")
    legend.append("<div><span class='cp-sw' style='border:3px solid #b2182b;background:transparent'></span>"
                  f"{esc(t('map.legend.commune_border', lang))}</div>")
    legend.append("<div><span class='cp-sw' style='border:2px dashed #5e3c99;background:transparent'></span>"
                  f"{esc(t('map.legend.commune_remote', lang))}</div>")
    legend.append("<div><span class='cp-sw' style='height:0;border:0;border-top:4px dashed #b2182b'></span>"
                  f"{esc(t('map.legend.border', lang))}</div>")
    legend.append("</details>")
    params = [(t("scenario", lang), t("scenario.down", lang, towers=", ".join(down)))] if down else []
    params += [(t("report.m.levels", lang), t("report.m.levels_val", lang)),
               (t("report.m.terrain", lang), translate_message(results.terrain_source, lang) or "—"),
              (t("report.m.resolution", lang), fmt_value(float(results.grid.cellsize), lang, "m")),
              (t("report.m.crs", lang), str(results.grid.crs)),
              ("coverage-planner", __version__)]
    params += parameter_rows(results.parameters, lang, skip=("software", "crs", "resolution_m"))
    edits = edits_text(results.placement_summary, lang)
    if edits:  # exported from the desktop app after the user moved or added mobile sites
        params.append((t("map.user_edits", lang), edits))
    params_html = (f"<details class='cp-box cp-params'><summary>{esc(t('map.params', lang))}</summary><table>"
                   + "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in params)
                   + "</table></details>")
    m.get_root().html.add_child(folium.Element(title_html + "".join(legend) + params_html), name="cp_chrome")

    # Leaflet's layer panel shows the names as HTML: escape them (a tower layer is named after the operator of
    # the towers file, where `<img onerror=…>` would run)
    for child in m._children.values():
        if isinstance(getattr(child, "layer_name", None), str):
            child.layer_name = esc(child.layer_name)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.fit_bounds(rast["bounds"], padding=(20, 20))
    _strip_cdn(m)
    _strip_cdn(m.get_root())
    yield next(step)
    return m.get_root().render()


# ----------------------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------------------
def write_map(results, path, *, title: str | None = None, lang: str = "vi",
              max_raster_px: int = MAX_RASTER_PX) -> Path:
    """Write :func:`build_map` to ``path`` atomically (UTF-8); returns the path. Size: ``path.stat().st_size``."""
    return run_to_end(iter_write_map(results, path, title=title, lang=lang, max_raster_px=max_raster_px))


def iter_write_map(results, path, *, title: str | None = None, lang: str = "vi", max_raster_px: int = MAX_RASTER_PX):
    """Generator of :func:`write_map`: the steps of :func:`iter_build_map`, then :data:`WRITE_STEP` (the last
    cancel point; the write itself is atomic, so a closed generator leaves neither the file nor a temporary one);
    returns the path."""
    dest = Path(path)
    n_steps = len(MAP_STEPS) + 1
    page = yield from iter_build_map(results, title=title, lang=lang, max_raster_px=max_raster_px, steps=n_steps)
    yield Progress("map", (n_steps - 1) / n_steps, WRITE_STEP)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as tmp:
            Path(tmp).write_text(page, encoding="utf-8")
    except OutputError:
        raise  # already says what and how to fix
    except OSError as exc:
        raise OutputError(f"Cannot write the map {dest}: {exc.strerror or exc}. How to fix: choose a writable "
                          "output folder (--out) and check the disk is not full.") from exc
    return dest
