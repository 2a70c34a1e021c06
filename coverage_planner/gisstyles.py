"""QGIS styles (QML) of the GIS outputs, so coverage.gpkg and the GeoTIFFs open in QGIS looking like the map.

Vector layers: the QML goes into the GeoPackage's ``layer_styles`` table (QGIS's own table; the style marked
default is applied when the layer is added). Rasters: a ``<name>.qml`` next to ``<name>.tif``, which QGIS loads
as the layer's default style. Colours and shapes are the map's and the report's (:mod:`coverage_planner.webmap`):
stations ● good green, ◆ weak orange, ■ no signal red; gap areas red / orange; proposed sites purple. Labels
are bilingual ("Tốt / Good"): the file is the same whatever the report's language.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from coverage_planner.i18n import t

#: Level classes of the map and of docs/OUTPUTS.md: (upper bound in dBm, colour), lowest class first.
LEVEL_CLASSES = (
    (-105.0, "#d73027"), (-95.0, "#fc8d59"), (-85.0, "#fee08b"), (-75.0, "#d9ef8b"), (-65.0, "#66bd63"),
    (float("inf"), "#1a9850"),
)  # fmt: skip
STATUS_COLOURS = {"good": "#1a9850", "weak": "#f39c12", "none": "#d7191c"}
STATUS_SHAPES = {"good": "circle", "weak": "diamond", "none": "square"}
PROPOSAL_COLOUR = "#7b3294"
CONTINGENCY_COLOUR = "#e66101"
#: Colours cycled over the towers of best_server.tif (neighbouring towers get different colours).
SERVER_PALETTE = ("#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a",
                  "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99")  # fmt: skip

_HEAD = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"


def both(key: str, **fields) -> str:
    """``"Tiếng Việt / English"`` of an i18n key."""
    vi, en = t(key, "vi", **fields), t(key, "en", **fields)
    return vi if vi == en else f"{vi} / {en}"


def _rgba(colour: str, alpha: int = 255) -> str:
    c = colour.lstrip("#")
    return f"{int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{alpha}"


def _options(props: dict) -> str:
    """A symbol layer's properties, written both as QGIS ≥ 3.26 ``<Option>`` and as the older ``<prop>``."""
    opts = "".join(f'<Option type="QString" name={quoteattr(k)} value={quoteattr(str(v))}/>' for k, v in props.items())
    old = "".join(f"<prop k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in props.items())
    return f'<Option type="Map">{opts}</Option>{old}'


def _marker(name: str, shape: str, fill: str, size: float = 2.6, outline: str = "#000000", fill_alpha: int = 255) -> str:
    props = {"name": shape, "color": _rgba(fill, fill_alpha), "outline_color": _rgba(outline), "outline_width": "0.3",
             "outline_style": "solid", "size": f"{size}", "size_unit": "MM", "joinstyle": "bevel"}  # fmt: skip
    return (f'<symbol type="marker" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleMarker" enabled="1" pass="0" locked="0">{_options(props)}</layer></symbol>')


def _fill(name: str, fill: str | None, outline: str, width: float = 0.3, style: str = "solid", alpha: int = 150) -> str:
    props = {"color": _rgba(fill, alpha) if fill else "0,0,0,0", "style": "solid" if fill else "no",
             "outline_color": _rgba(outline), "outline_width": f"{width}", "outline_width_unit": "MM",
             "outline_style": style, "joinstyle": "bevel"}  # fmt: skip
    return (f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleFill" enabled="1" pass="0" locked="0">{_options(props)}</layer></symbol>')


def _line(name: str, colour: str, width: float = 0.6, style: str = "solid") -> str:
    props = {"line_color": _rgba(colour), "line_width": f"{width}", "line_width_unit": "MM", "line_style": style,
             "capstyle": "square", "joinstyle": "bevel"}  # fmt: skip
    return (f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleLine" enabled="1" pass="0" locked="0">{_options(props)}</layer></symbol>')


def _categorized(attr: str, cats: list[tuple[str, str, str]]) -> str:
    """QML of a categorized renderer: ``cats`` = (value, label, symbol xml of name str(index))."""
    items = "".join(f'<category render="true" symbol="{i}" value={quoteattr(v)} label={quoteattr(label)}/>'
                    for i, (v, label, _sym) in enumerate(cats))  # fmt: skip
    symbols = "".join(sym for _v, _l, sym in cats)
    return (f'{_HEAD}<qgis version="3.28.0" styleCategories="Symbology|Labeling">'
            f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attr)} symbollevels="0" enableorderby="0" '
            f'forceraster="0"><categories>{items}</categories><symbols>{symbols}</symbols></renderer-v2>'
            "</qgis>\n")


def _rule_based(rules: list[tuple[str, str, str]]) -> str:
    """QML of a rule-based renderer (first matching rule only): ``rules`` = (filter, label, symbol xml)."""
    items = "".join(f'<rule key="r{i}" symbol="{i}" filter={quoteattr(f)} label={quoteattr(label)}/>'
                    for i, (f, label, _sym) in enumerate(rules))  # fmt: skip
    symbols = "".join(sym for _f, _l, sym in rules)
    return (f'{_HEAD}<qgis version="3.28.0" styleCategories="Symbology">'
            '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
            f'<rules key="root">{items}</rules><symbols>{symbols}</symbols></renderer-v2></qgis>\n')


def _single(symbol: str) -> str:
    return (f'{_HEAD}<qgis version="3.28.0" styleCategories="Symbology">'
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
            f"<symbols>{symbol}</symbols></renderer-v2></qgis>\n")


def layer_styles() -> dict[str, str]:
    """{GeoPackage layer name: QML} for the layers of :func:`coverage_planner.gisexport.layers`."""
    stations = [(s, both(f"status.{s}"), _marker(str(i), STATUS_SHAPES[s], STATUS_COLOURS[s]))
                for i, s in enumerate(("good", "weak", "none"))]  # fmt: skip
    gaps = [("none", both("map.legend.gap_none"), _fill("0", STATUS_COLOURS["none"], STATUS_COLOURS["none"])),
            ("weak", both("map.legend.gap_weak"), _fill("1", STATUS_COLOURS["weak"], STATUS_COLOURS["weak"], style="dash"))]
    towers = [("on_air", both("tower_status.on_air"), _marker("0", "triangle", "#333333", 2.4, "#ffffff")),
              ("planned", both("tower_status.planned"), _marker("1", "triangle", "#ffffff", 2.4, "#333333", 0)),
              ("down", both("tower_status.down"), _marker("2", "cross2", STATUS_COLOURS["none"], 3.2, STATUS_COLOURS["none"]))]
    communes = [('"border" = 1', both("map.legend.commune_border"), _fill("0", None, "#b2182b", 0.8)),
                ('"remote" = 1', both("map.legend.commune_remote"), _fill("1", None, "#5e3c99", 0.5, "dash")),
                ("ELSE", both("map.legend.commune"), _fill("2", None, "#555555", 0.2))]
    return {
        "polling_stations": _categorized("status", stations),
        "gap_areas": _categorized("status", gaps),
        "towers": _categorized("status", towers),
        "communes": _rule_based(communes),
        "proposed_sites": _single(_marker("0", "circle", PROPOSAL_COLOUR, 4.0, "#ffffff")),
        "contingency_sites": _single(_marker("0", "square", CONTINGENCY_COLOUR, 3.2, "#ffffff")),
        "unreachable_stations": _single(_marker("0", "cross_fill", "#000000", 3.0, "#ffffff")),
        "national_border": _single(_line("0", "#b2182b", 0.8, "dash dot")),
        "roads": _single(_line("0", "#8c6d31", 0.4)),
    }


def _raster(renderer: str) -> str:
    return f'{_HEAD}<qgis version="3.28.0" styleCategories="Symbology"><pipe>{renderer}</pipe></qgis>\n'


def _num(v: float) -> str:
    return f"{v:g}".replace("-", "−")


def level_qml() -> str:
    """Discrete dBm classes of the map (transparent at nodata), 50 % opaque, for the best-level rasters."""
    items, lower = [], None
    for upper, colour in LEVEL_CLASSES:
        if lower is None:
            label = f"< {_num(upper)} dBm"
        elif upper == float("inf"):
            label = f"≥ {_num(lower)} dBm"
        else:
            label = f"{_num(lower)} … {_num(upper)} dBm"
        value = "inf" if upper == float("inf") else f"{upper:g}"
        items.append(f'<item alpha="255" value="{value}" label={quoteattr(label)} color="{colour}"/>')
        lower = upper
    return _raster('<rasterrenderer type="singlebandpseudocolor" band="1" opacity="0.5" alphaBand="-1" '
                   'classificationMin="-105" classificationMax="-65" nodataColor="">'
                   '<rastershader><colorrampshader colorRampType="DISCRETE" classificationMode="1" clip="0">'
                   f'{"".join(items)}</colorrampshader></rastershader></rasterrenderer>')


def server_qml(towers) -> str:
    """Paletted style of best_server.tif: value i = the tower of row i of the towers layer, labelled with its
    id and operator (so the value → tower mapping shows in QGIS's legend and identify tool)."""
    entries = "".join(
        f'<paletteEntry value="{i}" alpha="255" color="{SERVER_PALETTE[i % len(SERVER_PALETTE)]}" '
        f"label={quoteattr(f'{tid} ({op})' if op else str(tid))}/>"
        for i, (tid, op) in enumerate(zip(towers["id"], towers.get("operator", [""] * len(towers)), strict=True))
    )
    return _raster('<rasterrenderer type="paletted" band="1" opacity="0.6" alphaBand="-1" nodataColor="">'
                   f"<colorPalette>{entries}</colorPalette></rasterrenderer>")


def server_count_qml() -> str:
    """server_count.tif: 0 red (no service), 1 orange (one tower: no backup), 2 and more green."""
    items = (f'<item alpha="255" value="0" label={quoteattr("0 – " + both("status.none"))} color="{STATUS_COLOURS["none"]}"/>'
             f'<item alpha="255" value="1" label="1" color="{STATUS_COLOURS["weak"]}"/>'
             f'<item alpha="255" value="inf" label="≥ 2" color="{STATUS_COLOURS["good"]}"/>')  # fmt: skip
    return _raster('<rasterrenderer type="singlebandpseudocolor" band="1" opacity="0.5" alphaBand="-1" '
                   'classificationMin="0" classificationMax="2" nodataColor="">'
                   '<rastershader><colorrampshader colorRampType="DISCRETE" classificationMode="1" clip="0">'
                   f"{items}</colorrampshader></rastershader></rasterrenderer>")
