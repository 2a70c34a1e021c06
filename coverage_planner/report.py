"""Printable A4 PDF gap report (reportlab platypus) of a :class:`~coverage_planner.results.Results`.

Vietnamese by default (``lang="en"`` for English; strings in :mod:`coverage_planner.i18n`). DejaVu Sans —
shipped inside matplotlib — is embedded, so every Vietnamese letter prints. Contents: cover (province, date,
scenario); key figures; overview map (matplotlib Agg); per-commune table (border and remote communes first);
stations with weak or no signal; proposed mobile stations (lat/lon and UTM, commune, stations and voters
covered, backhaul) and stations no site reaches; single points of failure; methods and parameters.

The PDF is reproducible: its creation date is ``results.created`` and its file ID is fixed, so the same
results give the same bytes.
"""

from __future__ import annotations

import functools
import io
import math
import os
from pathlib import Path

import numpy as np

from coverage_planner import __version__
from coverage_planner.errors import OutputError
from coverage_planner.i18n import (
    check_lang,
    edits_text,
    fmt_date,
    fmt_float,
    fmt_int,
    has,
    natural_key,
    nfc,
    parameter_rows,
    placement_text,
    province_name,
    short_list,
    short_station_name,
    site_label,
    sort_names,
    station_sort_key,
    status_label,
    t,
    translate_message,
)
from coverage_planner.io import atomic_path
from coverage_planner.progress import Progress, run_to_end
from coverage_planner.results import GENERIC_SCENARIO_NAMES
from coverage_planner.webmap import (
    DOWN_COLOUR,
    LEVEL_CLASSES,
    PROPOSAL_COLOUR,
    STATION_EDGE,
    STATUS_COLOURS,
    STATUS_SHAPES,
    USER_SITE_FILL,
    WRITE_STEP,
    _param,
    cell_text,
    hillshade,
    level_classes,
    level_legend,
    placed_by_user,
    study_mask,
    thresholds,
)

FONT = "DejaVuSans"
MAX_DOWN_LABELS = 6  # the overview map names a scenario's down towers when there are at most this many
OVERVIEW_BOX_IN = (7.0, 9.0)  # the overview map's box (w, h in inches) when no page gives one
MAP_MIN_HEIGHT_CM = 11.0  # the overview map is never drawn smaller; with less room it starts a new page
SECTION_MIN_SPACE_CM = 6.0  # a section starts on a new page when less than this is left on the current one
LAST_PAGE_MIN_CM = 8.0  # the last section leaves at least this much of itself for the last page (~⅓ of it)
HEADING_MIN_SPACE_CM = 3.5  # … and a sub-heading with the first rows of its table
CONTINGENCY_NAMES = 3  # a contingency row names this many of the lost stations ("(+7)" for the rest)
TABLE_PADDING = 3  # pt left and right of a table cell's text
ID_COLUMN_MAX_CM = 3.8  # a station id column is never wider (a longer id wraps); KVBP-MUONGTOONG-03 needs 3.6 cm
FONT_BOLD = "DejaVuSans-Bold"
#: Polling stations on the PDF maps and legend: a shape per status as well as a colour, so a report printed in
#: black and white still tells them apart (towers are ▲, down towers ✕, proposals ★: none of these).
#: status → (matplotlib marker of its shape in webmap.STATUS_SHAPES, scatter size in pt², legend marker size in pt)
_MPL_MARKERS = {"circle": "o", "diamond": "D", "square": "s"}
STATUS_MARKERS = {status: (_MPL_MARKERS[STATUS_SHAPES[status]], size, legend)
                  for status, size, legend in (("good", 16, 5.5), ("weak", 14, 5.0), ("none", 18, 5.5))}
#: The stations' black edge (pt; webmap.STATION_EDGE): about 1.7 px at the map's 150 dpi, a dark ring that reads
#: where a station's colour is the level colour under it (● good on the green class) once printed in greyscale.
STATION_EDGE_PT = 0.8
_fonts_registered = False


def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) from matplotlib's data folder with reportlab, once."""
    global _fonts_registered
    if not _fonts_registered:
        import matplotlib
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
        for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
            path = os.path.join(folder, file)
            if not os.path.exists(path):
                raise OutputError(f"The report font {path} is missing. How to fix: reinstall matplotlib "
                                  "(`.venv/bin/pip install --force-reinstall matplotlib`).")
            pdfmetrics.registerFont(TTFont(name, path))
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
        _fonts_registered = True
    return FONT, FONT_BOLD


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------
def _x(text) -> str:
    """Text → reportlab Paragraph markup (escaped, NFC)."""
    from xml.sax.saxutils import escape

    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return escape(nfc(text))


def utm_of(results, lon, lat, x=None, y=None) -> tuple[str, float, float]:
    """(zone label like "48N", easting, northing) of a point; uses the analysis grid when it is UTM."""
    from pyproj import CRS, Transformer

    crs = CRS.from_user_input(results.grid.crs)
    zone = crs.utm_zone
    if zone and x is not None and y is not None and np.isfinite(x) and np.isfinite(y):
        return zone, float(x), float(y)
    z = int((float(lon) + 180) // 6) + 1
    north = float(lat) >= 0
    epsg = (32600 if north else 32700) + z
    e, n = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform(float(lon), float(lat))
    return f"{z}{'N' if north else 'S'}", float(e), float(n)


def _commune_order(communes):
    """Border first, then remote, then the rest; within a group most affected voters first, then name."""
    c = communes.copy()
    b = c["border"].fillna(False).astype(bool) if "border" in c else False
    r = c["remote"].fillna(False).astype(bool) if "remote" in c else False
    c["_grp"] = np.where(b, 0, np.where(r, 1, 2))
    aff = c.get("voters_none", 0) + c.get("voters_weak", 0)
    c["_aff"] = -np.asarray(aff if not np.isscalar(aff) else np.zeros(len(c)), dtype=float)
    c["_nm"] = c["name"].map(natural_key)  # Vietnamese order: "Phường Điện Biên Phủ" before "Phường Mường Lay"
    return c.sort_values(["_grp", "_aff", "_nm"], kind="stable")


def key_figures(results) -> dict[str, int]:
    """The numbers on the key-figures page (also used by the CLI summary)."""
    counts = results.station_counts()
    voters = results.voter_counts()
    out = {
        "stations": int(len(results.stations)),
        "good": counts["good"], "weak": counts["weak"], "none": counts["none"],
        "voters_total": int(results.stations["voters"].sum()),
        "voters_affected": voters["weak"] + voters["none"],
        "spof": int(results.stations["spof"].fillna(False).astype(bool).sum()) if "spof" in results.stations else 0,
        "proposals": int(len(results.proposals)) if results.proposals is not None else 0,
        "prop_voters": int(results.proposals["voters_covered"].sum())
        if results.proposals is not None and len(results.proposals) else 0,
    }
    if results.newly_uncovered:
        out["newly"] = len(results.newly_uncovered)
        out["newly_voters"] = int(results.lost_stations()["voters"].sum())
        ps = results.placement_summary or {}
        if "lost_restored" in ps:  # how much of it the proposed mobile stations give back
            out["lost_restored"] = int(ps["lost_restored"])
            out["lost_voters_restored"] = int(ps["voters_lost_restored"])
    return out


# ----------------------------------------------------------------------------------------------------------
# overview map
# ----------------------------------------------------------------------------------------------------------
def overview_png(results, lang: str = "vi", *, width_in: float = OVERVIEW_BOX_IN[0],
                 height_in: float = OVERVIEW_BOX_IN[1], dpi: int = 150) -> bytes:
    """The overview map (:func:`overview_figure`) as PNG bytes, laid out in a ``width_in`` × ``height_in`` box."""
    return overview_map(results, lang, dpi=dpi).png(width_in, height_in)


class OverviewMap:
    """The overview map drawn once (:func:`overview_map`) and laid out for any box (:meth:`fit`): the report
    asks for the size of the room left on its page, and the picture is printed at 1:1, so the legend and the
    tick labels keep their point sizes (QA: a fixed 7 in figure scaled into the room printed them at half size,
    and a tall province left white either side of a map smaller than the page allowed)."""

    PAD_PX = 6.0  # white between the legend, the axis labels and the figure's top edge

    def __init__(self, fig, ax, handles):
        self.fig, self.ax, self.handles = fig, ax, handles
        self._box = None
        self._png: dict[tuple[float, float], bytes] = {}  # the PNG of each box drawn (each layout pass asks again)

    def fit(self, width_in: float, height_in: float) -> tuple[float, float]:
        """Lay the figure out in a ``width_in`` × ``height_in`` box; returns its size (w, h) in inches.

        The map keeps its aspect and is as large as the box allows, with the legend under it (in as many columns,
        five at most, as fit the width; QA: five columns were clipped at the right edge) or, when that gives a
        larger map — a tall extent in a low box —, in a column to its right. Map and legend are centred; the
        figure is the box's width and only as high as they need, so a wide extent leaves no white band."""
        if self._box != (width_in, height_in):
            below = self._layout(width_in, height_in, side=False)
            side = self._layout(width_in, height_in, side=True)
            if below[0] * below[1] >= side[0] * side[1]:
                self._layout(width_in, height_in, side=False)
            self._box = (width_in, height_in)
        w, h = self.fig.get_size_inches()
        return float(w), float(h)

    def _layout(self, width_in: float, height_in: float, *, side: bool) -> tuple[float, float]:
        """Lay the figure out with the legend under the map or at its side; returns the map's (w, h) in pixels."""
        fig, ax, pad = self.fig, self.ax, self.PAD_PX
        fig.set_size_inches(width_in, height_in)
        renderer = fig.canvas.get_renderer()
        width, box_h = fig.bbox.width, fig.bbox.height
        for old in list(fig.legends):
            old.remove()
        for ncol in ((1,) if side else (5, 4, 3, 2, 1)):
            legend = fig.legend(handles=self.handles, loc="lower left" if side else "lower center", ncol=ncol,
                                fontsize=6.5, frameon=False, bbox_to_anchor=(0.0, 0.0) if side else (0.5, 0.0),
                                borderaxespad=0.0 if side else 0.3, columnspacing=1.2)
            bb = legend.get_window_extent(renderer)
            if side or (bb.x0 >= 0.01 * width and bb.x1 <= 0.99 * width) or ncol == 1:
                break
            legend.remove()
        leg_w, leg_h = (bb.width + pad, bb.height) if side else (0.0, 0.0)  # a column right of the map
        under = 0.0 if side else bb.y1 + pad  # the legend's top (anchored at the bottom, whatever the height)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        aspect = (y1 - y0) / (x1 - x0)
        height = box_h
        for _ in range(3):  # the decorations depend a little on the axes' size (which ticks): measure again
            tight, frame = ax.get_tightbbox(renderer), ax.get_window_extent(renderer)
            left, right = frame.x0 - tight.x0, tight.x1 - frame.x1  # tick labels and "N (km)" left of the map …
            bottom, top = frame.y0 - tight.y0, tight.y1 - frame.y1  # … "E (km)" under it, half a label above
            map_w = max(1.0, width - left - right - leg_w - 2 * pad)
            map_h = max(1.0, box_h - under - bottom - top - 2 * pad)
            map_w, map_h = min(map_w, map_h / aspect), min(map_h, map_w * aspect)
            height = min(box_h, max(under + bottom + map_h + top, leg_h) + 2 * pad)
            fig.set_size_inches(width_in, height / fig.dpi)
            x = (width - left - map_w - right - leg_w) / 2 + left
            y = under + pad + bottom
            ax.set_position([x / width, y / height, map_w / width, map_h / height])
        if side:  # beside the map, its foot level with the map's
            legend.set_bbox_to_anchor(((x + map_w + right + pad) / width, min(y, height - pad - leg_h) / height),
                                      transform=fig.transFigure)
        return map_w, map_h

    def png(self, width_in: float, height_in: float) -> bytes:
        """The map laid out in the box (:meth:`fit`) as PNG bytes (no software stamp: the PDF is reproducible).
        A box drawn before gives the same bytes again, without drawing (2.2 s on the sample: the report's second
        layout pass drew it again)."""
        key = (float(width_in), float(height_in))
        if key not in self._png:
            self.fit(width_in, height_in)
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", dpi=self.fig.dpi, metadata={"Software": None})
            self._png[key] = buf.getvalue()
        return self._png[key]


def overview_figure(results, lang: str = "vi", *, width_in: float = OVERVIEW_BOX_IN[0],
                    height_in: float = OVERVIEW_BOX_IN[1], dpi: int = 150):
    """The overview map as a matplotlib Figure (Agg), laid out in a ``width_in`` × ``height_in`` box
    (:meth:`OverviewMap.fit`)."""
    m = overview_map(results, lang, dpi=dpi)
    m.fit(width_in, height_in)
    return m.fig


def overview_map(results, lang: str = "vi", *, dpi: int = 150) -> OverviewMap:
    """The overview map, drawn: hillshade, best level, communes, border, towers, stations by status, proposals
    and the legend's entries; :meth:`OverviewMap.fit` lays it out for a box."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    grid = results.grid
    xmin, ymin, xmax, ymax = (v / 1000.0 for v in grid.bounds)
    rows, cols = grid.shape
    step = max(1, int(math.ceil(max(rows, cols) / 1400)))
    fig = Figure(figsize=OVERVIEW_BOX_IN, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.08, 0.17, 0.9, 0.8])  # placed by OverviewMap.fit
    extent = (xmin, xmax, ymin, ymax)
    if results.dem is not None:
        shade = hillshade(results.dem, grid.cellsize)[::step, ::step]
        ax.imshow(shade, cmap="gray", vmin=0, vmax=1, extent=extent, interpolation="bilinear", zorder=0)
    if results.best_level is not None:
        classes = level_classes(results.best_level)
        mask = study_mask(results)
        if mask is not None:
            classes[~mask] = 0  # transparent outside the study area: the map shows the province only
        cls = classes[::step, ::step]
        cmap = ListedColormap(["#00000000"] + [c for _, c in LEVEL_CLASSES])
        ax.imshow(cls, cmap=cmap, vmin=-0.5, vmax=len(LEVEL_CLASSES) + 0.5, extent=extent, alpha=0.55,
                  interpolation="nearest", zorder=1)

    def km(gdf):
        g = gdf.copy()
        g["geometry"] = g.geometry.scale(0.001, 0.001, origin=(0, 0))
        return g

    if results.communes is not None and len(results.communes):
        c = km(results.communes)
        b = c["border"].fillna(False).astype(bool) if "border" in c else np.zeros(len(c), bool)
        r = c["remote"].fillna(False).astype(bool) if "remote" in c else np.zeros(len(c), bool)
        c[~b & ~r].boundary.plot(ax=ax, color="#333333", linewidth=0.5, zorder=3)
        if (r & ~b).any():
            c[r & ~b].boundary.plot(ax=ax, color="#5e3c99", linewidth=1.0, linestyle="--", zorder=3)
        if b.any():
            c[b].boundary.plot(ax=ax, color="#b2182b", linewidth=1.2, zorder=3)
    if results.border is not None and len(results.border):
        km(results.border).plot(ax=ax, color="#b2182b", linewidth=2.2, zorder=4)
    if results.towers is not None and len(results.towers):
        tw = results.towers
        status = tw["status"].astype(str).to_numpy() if "status" in tw else np.full(len(tw), "on_air")
        down, planned = status == "down", status == "planned"
        tx, ty = tw.geometry.x.to_numpy() / 1000, tw.geometry.y.to_numpy() / 1000
        on = ~down & ~planned
        ax.scatter(tx[on], ty[on], marker="^", s=22, c="black", edgecolors="white", linewidths=0.5, zorder=5)
        if planned.any():  # not on air: hollow, dashed outline (as on the HTML map)
            ax.scatter(tx[planned], ty[planned], marker="^", s=30, facecolors="white", edgecolors="black",
                       linewidths=0.9, linestyles=(0, (1.5, 1.0)), zorder=5)
        if down.any():  # on top of the stations and proposals, big, with a white halo: seen on red backgrounds
            ax.scatter(tx[down], ty[down], marker="X", s=110, c=DOWN_COLOUR, edgecolors="white", linewidths=1.1,
                       zorder=9)
            # the scenario's towers, when a few: named on the map (all of them are in the caption)
            scen = tw["id"].astype(str).isin({str(i) for i in results.scenario.down}).to_numpy() & down
            if 0 < scen.sum() <= MAX_DOWN_LABELS:
                import matplotlib.patheffects as pe

                for x, y, tid in zip(tx[scen], ty[scen], tw["id"].astype(str).to_numpy()[scen], strict=True):
                    ax.annotate(tid, (x, y), xytext=(6, -9), textcoords="offset points", fontsize=6.5,
                                color=DOWN_COLOUR, fontweight="bold", zorder=10,
                                path_effects=[pe.withStroke(linewidth=2.2, foreground="white")])
    st = results.stations
    for status in ("good", "weak", "none"):
        s = st[st["status"] == status]
        if len(s):
            marker, size, _ = STATUS_MARKERS[status]
            ax.scatter(s.geometry.x / 1000, s.geometry.y / 1000, marker=marker, s=size, c=STATUS_COLOURS[status],
                       edgecolors=STATION_EDGE, linewidths=STATION_EDGE_PT, zorder=6)
    user = np.zeros(0, bool)
    if results.proposals is not None and len(results.proposals):
        p = results.proposals
        # sites the user moved or added in the desktop app: the star hollow (☆), as on the HTML map and the app
        user = (np.array([placed_by_user(v) for v in p["placed_by"]], bool) if "placed_by" in p
                else np.zeros(len(p), bool))
        px, py = p.geometry.x.to_numpy() / 1000, p.geometry.y.to_numpy() / 1000
        ax.scatter(px[~user], py[~user], marker="*", s=180, c=PROPOSAL_COLOUR, edgecolors="white", linewidths=0.8,
                   zorder=7)
        if user.any():
            ax.scatter(px[user], py[user], marker="*", s=200, c=USER_SITE_FILL, edgecolors=PROPOSAL_COLOUR,
                       linewidths=1.4, zorder=7)
        for px, py, rank in zip(p.geometry.x / 1000, p.geometry.y / 1000, p["rank"], strict=True):
            ax.annotate(str(int(rank)), (px, py), xytext=(5, 5), textcoords="offset points", fontsize=8,
                        color=PROPOSAL_COLOUR, fontweight="bold", zorder=8)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("E (km)", fontsize=7)
    ax.set_ylabel("N (km)", fontsize=7)
    has_planned = results.towers is not None and "status" in results.towers and \
        bool((results.towers["status"].astype(str) == "planned").any())
    handles = [Patch(facecolor=c, alpha=0.7, label=lbl + " dBm") for c, lbl in level_legend(lang)]
    handles += [Line2D([], [], marker=STATUS_MARKERS[s][0], markersize=STATUS_MARKERS[s][2], ls="",
                       markerfacecolor=STATUS_COLOURS[s], markeredgecolor=STATION_EDGE, markeredgewidth=STATION_EDGE_PT,
                       label=status_label(s, lang)) for s in ("good", "weak", "none")]
    handles += [Line2D([], [], marker="*", ls="", markersize=11, markerfacecolor=PROPOSAL_COLOUR,
                       markeredgecolor=PROPOSAL_COLOUR, label=t("map.legend.proposal", lang)),
                *([Line2D([], [], marker="*", ls="", markersize=11, markerfacecolor=USER_SITE_FILL,
                          markeredgecolor=PROPOSAL_COLOUR, markeredgewidth=1.2,
                          label=t("map.legend.user_site", lang))] if user.any() else []),
                Line2D([], [], marker="^", ls="", markerfacecolor="black", markeredgecolor="black",
                       label=t("tower", lang)),
                *([Line2D([], [], marker="^", ls="", markerfacecolor="white", markeredgecolor="black",
                          label=t("map.legend.tower_planned", lang))] if has_planned else []),
                Line2D([], [], marker="X", ls="", markersize=8, markerfacecolor=DOWN_COLOUR, markeredgecolor="white",
                       label=t("map.legend.tower_down", lang)),
                Line2D([], [], color="#b2182b", lw=2.2, label=t("map.legend.border", lang)),
                # commune outlines as drawn on the map (no fill: alpha=0 would hide the edge as well)
                Patch(facecolor="none", edgecolor="#b2182b", lw=1.2, label=t("map.legend.commune_border", lang)),
                Patch(facecolor="none", edgecolor="#5e3c99", lw=1.0, ls="--",
                      label=t("map.legend.commune_remote", lang))]
    return OverviewMap(fig, ax, handles)


# ----------------------------------------------------------------------------------------------------------
# the document
# ----------------------------------------------------------------------------------------------------------
def _styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("cp-body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "small": ParagraphStyle("cp-small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cp-cell", parent=base, fontSize=7.8, leading=9.4),
        "cellr": ParagraphStyle("cp-cellr", parent=base, fontSize=7.8, leading=9.4, alignment=TA_RIGHT),
        "head": ParagraphStyle("cp-headcell", parent=base, fontName=FONT_BOLD, fontSize=7.8, leading=9.4,
                               textColor=colors.white),
        "h1": ParagraphStyle("cp-h1", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=4,
                             spaceAfter=8, textColor=colors.HexColor("#1f3b57")),
        "h2": ParagraphStyle("cp-h2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8,
                             spaceAfter=5, textColor=colors.HexColor("#1f3b57")),
        "title": ParagraphStyle("cp-title", parent=base, fontName=FONT_BOLD, fontSize=22, leading=28,
                                alignment=TA_CENTER, textColor=colors.HexColor("#1f3b57")),
        "cover": ParagraphStyle("cp-cover", parent=base, fontSize=13, leading=19, alignment=TA_CENTER),
        "coverbig": ParagraphStyle("cp-coverbig", parent=base, fontName=FONT_BOLD, fontSize=18, leading=24,
                                   alignment=TA_CENTER),
    }


def _lost_section(results, lang, styles, heading=None) -> list:
    """Flowables of the stations a failure scenario takes off the air: how many, how many voters, and a table
    with commune, voters, status before → now and the tower that served each one before the failure."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    lost = results.lost_stations()
    down = ", ".join(str(i) for i in results.scenario.down)
    out = [heading or P(_x(t("report.newly", lang)), styles["h1"]),
           P(_x(t("report.newly.summary_one" if len(results.scenario.down) == 1 else "report.newly.summary", lang,
                  n=fmt_int(len(lost), lang),
                  voters=fmt_int(int(lost["voters"].sum()), lang), towers=down)), styles["body"]),
           P(_x(t("report.newly.restored_by", lang)), styles["small"]),
           Spacer(1, 0.2 * cm)]
    restored_by = results.restored_by()  # which proposed mobile station gives each lost station back
    props = results.proposals
    placed_by = (dict(zip(props["site_id"].astype(str), props["placed_by"], strict=True))
                 if props is not None and "placed_by" in props else {})
    tw = results.towers
    operators = (dict(zip(tw["id"].astype(str), tw["operator"].astype(str), strict=True))
                 if tw is not None and "operator" in tw else {})
    now = status_label("none", lang)
    rows = []
    for r in sort_names(lost, "commune", "name").itertuples(index=False):
        before = str(getattr(r, "baseline_status", "") or "")
        change = f"{status_label(before, lang)} → {now}" if before else f"? → {now}"
        server = str(getattr(r, "baseline_server", "") or "")
        if server and operators.get(server):
            server += f" ({operators[server]})"
        site = restored_by.get(str(r.id))
        rows.append([_x(r.id), _x(short_station_name(r.name)), _x(r.commune),
                     P(_x(fmt_int(r.voters, lang)), styles["cellr"]),
                     _x(change), _x(server or "—"), _x(site_label(site, placed_by.get(site), lang) if site else "—")])
    rows.append(["", f"<b>{_x(t('report.total', lang))}</b>", "",  # under the names: the id column is narrow
                 P(f"<b>{_x(fmt_int(int(lost['voters'].sum()), lang))}</b>", styles["cellr"]), "", "", ""])
    widths = _with_id_column(lost["id"], [4.2, 2.6, 1.3, 3.6, 3.3, 2.0], styles,
                             give={1: 0.7, 3: 1.5, 4: 0.9, 5: 0.35})
    out.append(_table([t("station_id", lang), t("name", lang), t("commune", lang), t("voters", lang),
                       t("report.col.before_now", lang), t("report.col.served_before", lang),
                       t("report.col.restored_by", lang)], rows, widths, styles, align_right=(3,)))
    out += _kvbp_note(lost["name"], lang, styles)
    return out


def _contingency_section(results, lang, styles, heading, annex_ref: str = "") -> list:
    """Flowables of the contingency plan (none when no site alone serves a station): one row per site that
    fails — stations and voters lost, where to park a mobile station, what it restores, every station it does not
    restore (name, commune, id) and its backhaul. The lost stations one by one are in the annex
    (:func:`_spof_rows`, ``annex_ref``); QA: the rows named three lost stations each and "(+n)", six pages."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Spacer

    cp = results.contingency
    if cp is None or not len(cp):
        return []
    # "name (commune, id)": station names repeat across communes, the id is the one the console and CSV show
    st = results.stations
    labels = {str(i): f"{short_station_name(n)} ({c}, {i})"
              for i, n, c in zip(st["id"], st["name"], st["commune"], strict=True)}
    out = [heading,
           P(_x(t("report.contingency.note", lang)), styles["small"]),
           P(_x(t("report.contingency.summary", lang, sites=fmt_int(len(cp), lang),
                  n=fmt_int(int(cp["n_lost"].sum()), lang), voters=fmt_int(int(cp["voters_lost"].sum()), lang),
                  restored=fmt_int(int(cp["n_restored"].sum()), lang),
                  rvoters=fmt_int(int(cp["voters_restored"].sum()), lang))), styles["body"])]
    if annex_ref:
        out.append(P(_x(annex_ref), styles["small"]))
    out.append(Spacer(1, 0.2 * cm))
    rows = []
    order = station_sort_key(results.stations)  # as in the tables
    for r in cp.itertuples(index=False):
        lost_ids = sorted(_ids(r.stations_lost), key=order)
        restored_ids = set(_ids(r.stations_restored))
        kept = [labels.get(i, i) for i in lost_ids if i not in restored_ids]  # lost and not restored
        lost = _x(f"{fmt_int(r.n_lost, lang)} / {fmt_int(r.voters_lost, lang)}")
        if int(r.n_restored) > 0:
            where = f"{r.restore_lat:.5f}, {r.restore_lon:.5f}" + (f" – {r.commune}" if cell_text(r.commune) else "")
            bh = str(r.backhaul)
            bh_text = t(f"backhaul.{bh}", lang) if has(f"backhaul.{bh}") else bh
            if cell_text(r.backhaul_tower):  # "VTL-DBP-041-A (vi ba, 1,3 km)": two lines, not four
                bh_text = (f"{r.backhaul_tower} ({t('report.microwave', lang)}, "
                           f"{fmt_float(r.backhaul_distance_km, 1, lang)}\u00a0km)")
            restored = _x(f"{fmt_int(r.n_restored, lang)} / {fmt_int(r.voters_restored, lang)}")
        else:  # nothing restored: all of them are listed as still without signal
            where, bh_text, restored = translate_message(str(r.note), lang), "—", "0"
        still = f"<b>{_x(fmt_int(len(kept), lang))}</b>: {_x(', '.join(kept))}" if kept else "—"
        rows.append([_x(f"{r.site} ({r.operator})"), lost, _x(where), restored, still, _x(bh_text)])
    out.append(_table([t("report.col.site_fails", lang), t("report.col.lost", lang), t("report.col.restore", lang),
                       t("report.col.restored", lang), t("report.col.still_lost", lang),
                       t("report.col.backhaul", lang)], rows,
                      [2.4 * cm, 1.8 * cm, 3.3 * cm, 1.8 * cm, 4.7 * cm, 3.0 * cm], styles, align_right=(1, 3)))
    return out + _kvbp_note(st["name"][st["id"].astype(str).isin(
        {i for r in cp.itertuples(index=False) for i in _ids(r.stations_lost)})], lang, styles)


def _covered_by(props) -> dict[str, str]:
    """station id → the proposed site that newly covers it (``stations_covered``: each station once)."""
    out = {}
    if props is None or not len(props) or "stations_covered" not in props:
        return out
    for r in props.sort_values("rank").itertuples(index=False):
        for i in _ids(r.stations_covered):
            out.setdefault(i, str(r.site_id))
    return out


def _spof_order(results) -> dict[str, tuple[int, bool]]:
    """station id → (its site's row in the contingency plan, whether that plan's mobile station restores it)."""
    cp = results.contingency
    out = {}
    if cp is None:
        return out
    for k, r in enumerate(cp.itertuples(index=False)):
        restored = set(_ids(r.stations_restored))
        for i in _ids(r.stations_lost):
            out.setdefault(i, (k, i in restored))
    return out


def _ids(value) -> list[str]:
    """The ids of a ``;``-separated column value (none for blank or NaN)."""
    return [i for i in cell_text(value).split(";") if i]


def _with_id_column(ids, widths_cm, styles, *, give: dict[int, float], name: int = 0) -> list[float]:
    """Column widths (points) of a station table with its id column first (QA: the console, the CSV files and
    the map name stations by id; names repeat across wards). The id column is as wide as the longest id needs
    on one line (KVBP-MUONGTOONG-03 ≈ 3.6 cm with padding; at most :data:`ID_COLUMN_MAX_CM`, a longer id
    wraps). The room comes from the other columns (``widths_cm``, summing to the A4 frame's width): first from
    those in ``give`` = {column: cm it can spare and still hold its longest word, its text in two lines},
    in proportion, then from the ``name`` column, so the table keeps the frame's width."""
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    style = styles["cell"]
    need = max([stringWidth(nfc(i), style.fontName, style.fontSize) for i in ids if cell_text(i)] or [0.0])
    head = max(stringWidth(nfc(t("station_id", lang)), FONT_BOLD, styles["head"].fontSize) for lang in ("vi", "en"))
    width = min(max(need, head) + 2 * TABLE_PADDING + 1.0, ID_COLUMN_MAX_CM * cm)  # 1 pt: rounding
    out = [w * cm for w in widths_cm]
    spare = sum(give.values()) * cm
    taken = min(width, spare)
    for i, g in give.items():
        out[i] -= taken * g * cm / spare
    out[name] -= width - taken
    return [width, *out]


def _kvbp_note(names, lang, styles) -> list:
    """The line under a station table that says what "KVBP" stands for, when a name in it was abbreviated
    (:func:`coverage_planner.i18n.short_station_name`)."""
    from reportlab.platypus import Paragraph

    if not any(short_station_name(n) != nfc(cell_text(n)) for n in names):
        return []
    return [Paragraph(_x(t("report.kvbp", lang)), styles["small"])]


def _table(header, rows, col_widths, styles, *, align_right=()):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(_x(h), styles["head"]) for h in header]]
    right = set(align_right)  # cells are Paragraphs: their own style aligns them (the table's ALIGN does not)
    for r in rows:
        data.append([c if not isinstance(c, str) else Paragraph(c, styles["cellr" if i in right else "cell"])
                     for i, c in enumerate(r)])
    tbl = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3b57")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f0f3f6")]),
        ("LEFTPADDING", (0, 0), (-1, -1), TABLE_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for col in align_right:
        cmds.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    tbl.setStyle(TableStyle(cmds))
    return tbl


def _section_break(min_space_cm: float = SECTION_MIN_SPACE_CM):
    """Before a section: a new page only when less than ``min_space_cm`` is left on this one, so a short
    section (a few lost stations, three communes) shares a page instead of leaving one mostly blank, and a
    heading is never left alone at the foot of a page."""
    from reportlab.lib.units import cm
    from reportlab.platypus import CondPageBreak

    return CondPageBreak(min_space_cm * cm)


def last_section(flowables, *, min_tail: float, min_head: float):
    """A reportlab flowable holding the report's last section (see :func:`_last_section_class`): split across
    pages so the last page gets at least ``min_tail`` of it (points) and a page it starts on at least
    ``min_head``."""
    return _last_section_class()(list(flowables), min_tail=min_tail, min_head=min_head)


@functools.cache
def _last_section_class():
    """The flowable class of :func:`last_section` (made on first use: reportlab is imported only for a report)."""
    from reportlab.platypus import Flowable
    from reportlab.platypus.doctemplate import FrameBreak

    big = float(0x7FFFFFF)

    class LastSection(Flowable):
        """The report's last section, laid out so its last page is not nearly empty (QA: the last page held two
        rows of the parameter table). When the section does not fit in the room left, it breaks early enough
        that at least ``min_tail`` goes on to the next page — the page before ends a little higher instead —,
        and when that would leave less than ``min_head`` here (or a heading alone), the whole section starts
        on the next page. A section longer than a page is split as usual, with the same rule at its last break.
        Like KeepTogether it always asks to be split; its parts are the section's own flowables."""

        def __init__(self, content, *, min_tail: float, min_head: float):
            super().__init__()
            self.content, self.min_tail, self.min_head = content, min_tail, min_head

        def getSpaceBefore(self):  # noqa: N802 (reportlab's API)
            return self.content[0].getSpaceBefore() if self.content else 0

        def wrap(self, avail_width, avail_height):
            return avail_width, big  # force a split (draw never runs)

        def _heights(self, avail_width):
            """(flowable, space before it, its height) for each, the spaces merged as a frame merges them."""
            out, after = [], 0.0
            for i, f in enumerate(self.content):
                h = f.wrapOn(self.canv, avail_width, big)[1]
                out.append((f, max(f.getSpaceBefore() - after, 0.0) if i else f.getSpaceBefore(), h))
                after = f.getSpaceAfter()
            return out, after

        def split(self, avail_width, avail_height):
            items, last_after = self._heights(avail_width)
            total = sum(s + h + f.getSpaceAfter() for f, s, h in items) - last_after
            if total <= avail_height:
                return list(self.content)
            target = min(avail_height, total - self.min_tail)  # what stays on this page
            first, rest = self._cut(items, avail_width, target) if target >= self.min_head else ([], self.content)
            while first and _is_heading(first[-1]):  # a heading goes with what follows it
                rest = [first.pop(), *rest]
            if not first:
                if target >= avail_height:  # nothing fits even on its own: leave it to the frame
                    return list(self.content)
                return [FrameBreak(), LastSection(list(rest), min_tail=self.min_tail, min_head=self.min_head)]
            return [*first, FrameBreak(), LastSection(list(rest), min_tail=self.min_tail, min_head=self.min_head)]

        def _cut(self, items, avail_width, height):
            """The flowables that fit in ``height`` (the one across it split by its own rules) and the rest."""
            used = 0.0
            for i, (f, space, h) in enumerate(items):
                if used + space + h > height:
                    left = height - used - space
                    parts = f.splitOn(self.canv, avail_width, left) if left > 0 else []
                    rest = [it[0] for it in items[i + 1:]]
                    if len(parts) > 1:
                        return [it[0] for it in items[:i]] + [parts[0]], [*parts[1:], *rest]
                    return [it[0] for it in items[:i]], [f, *rest]
                used += space + h + f.getSpaceAfter()
            return [it[0] for it in items], []

    return LastSection


def _is_heading(flowable) -> bool:
    """Whether ``flowable`` is one of the report's headings (h1, h2)."""
    style = getattr(flowable, "style", None)
    return getattr(style, "name", "") in ("cp-h1", "cp-h2")


def map_block(heading, picture, caption, *, min_height: float, max_height: float):
    """A reportlab flowable: heading, map and caption as one block whose map takes the room left on the page
    (see :func:`_map_block_class`); ``picture`` is an :class:`OverviewMap` (anything with its ``fit(w, h)`` and
    ``png(w, h)``, sizes in inches); ``max_height`` = the height of an empty page's frame."""
    return _map_block_class()(heading, picture, caption, min_height=min_height, max_height=max_height)


@functools.cache
def _map_block_class():
    """The flowable class of :func:`map_block` (made on first use: reportlab is imported only for a report)."""
    from reportlab.platypus import Flowable

    class MapBlock(Flowable):
        """Heading, map and caption as one block whose map takes the room left on the page: the picture is laid
        out for the frame's width and the height under what precedes it (at most an empty page's,
        ``max_height``) and drawn at 1:1, never below ``min_height`` — with less room than that the block goes
        to the next page, where it is laid out full size. The heading, map and caption are never separated."""

        def __init__(self, heading, picture, caption, *, min_height: float, max_height: float):
            super().__init__()
            self.heading, self.caption, self.picture = heading, caption, picture
            self.min_height, self.max_height = min_height, max_height
            self.img_w = self.img_h = 0.0
            self.box = (0.0, 0.0)  # the box (points) the picture was laid out for
            self._parts = (0.0, 0.0, 0.0, 0.0)

        def getSpaceBefore(self):  # noqa: N802 (reportlab's API)
            return self.heading.getSpaceBefore()

        def _fit(self, width, height):
            self.box = (width, height)
            w_in, h_in = self.picture.fit(width / 72.0, height / 72.0)
            self.img_w, self.img_h = w_in * 72.0, h_in * 72.0

        def wrap(self, avail_width, avail_height):
            hh = self.heading.wrap(avail_width, avail_height)[1]
            ch = self.caption.wrap(avail_width, avail_height)[1]
            gap_h, gap_c = self.heading.getSpaceAfter(), max(self.caption.getSpaceBefore(), 4.0)
            text = hh + gap_h + gap_c + ch
            room = avail_height - text
            self._fit(avail_width, self.max_height - text)  # full size: as an empty page allows
            if self.img_h > room and room >= self.min_height:
                self._fit(avail_width, room)
            # else it fits full size, or does not fit at all: full size, so the frame moves it to the next page
            self._parts = (hh, gap_h, gap_c, ch)
            self.width, self.height = avail_width, hh + gap_h + self.img_h + gap_c + ch
            return self.width, self.height

        def split(self, avail_width, avail_height):
            return []  # heading, map and caption stay together

        def draw(self):
            from reportlab.platypus import Image

            hh, gap_h, gap_c, ch = self._parts
            y = self.height - hh
            self.heading.drawOn(self.canv, 0, y)
            y -= gap_h + self.img_h
            png = self.picture.png(self.box[0] / 72.0, self.box[1] / 72.0)
            Image(io.BytesIO(png), width=self.img_w, height=self.img_h).drawOn(
                self.canv, (self.width - self.img_w) / 2, y)
            y -= gap_c + ch
            self.caption.drawOn(self.canv, 0, y)

    return MapBlock


def _overview_caption(results, lang) -> str:
    """The overview map's caption; in a scenario it names the towers taken off air."""
    text = t("report.overview.caption", lang, crs=results.grid.crs)
    down = list(getattr(results.scenario, "down", ()) or ())
    if down:
        text += " " + t("report.overview.down", lang, n=fmt_int(len(down), lang), towers=short_list(down, lang, 30))
    return text


def _scenario_text(results, lang) -> str:
    scen = results.scenario
    text = (t("scenario.down", lang, towers=", ".join(scen.down)) if scen is not None and scen.down
            else t("scenario.baseline", lang))
    if scen is not None and scen.name and scen.name not in GENERIC_SCENARIO_NAMES:
        text = f"{scen.name} – {text}"
    return text


@functools.cache
def _heading_class():
    """The class of the report's headings: a Paragraph that notes the page it is drawn on (``marks[key]``), for
    the cover's contents and the body's "see Annex A, p. N" (made on first use, as reportlab is)."""
    from reportlab.platypus import Paragraph

    class Heading(Paragraph):
        def __init__(self, text, style, *args, key: str = "", marks: dict | None = None, **kwargs):
            super().__init__(text, style, *args, **kwargs)
            self.key, self.marks = key, marks

        def draw(self):
            if self.key and self.marks is not None:
                self.marks.setdefault(self.key, self.canv.getPageNumber())
            super().draw()

    return Heading


#: the cover's contents: (page mark, i18n key); a mark that is not in the document (no scenario) is left out
TOC = (("summary", "report.toc.summary"), ("lost", "report.toc.lost"), ("communes", "report.toc.communes"),
       ("proposals", "report.toc.proposals"), ("unreachable", "report.toc.unreachable"),
       ("contingency", "report.toc.contingency"), ("annex_a", "report.toc.annex_a"),
       ("annex_b", "report.toc.annex_b"), ("annex_c", "report.toc.annex_c"))
PAGE_PLACEHOLDER = 99  # a page number before the first layout has counted them (two digits, like most)


def _story(results, lang, styles, page_width, frame_height, *, picture=None, pages: dict | None = None,
           marks: dict | None = None):
    """The report's flowables. Body first — what a coordination meeting decides on: cover with contents, key
    figures and map, (a scenario's lost stations), communes with gaps, proposed mobile sites with backhaul, what
    cannot be reached, the contingency plan — then the annexes on new pages: A the complete list of stations
    with weak or no signal, B the stations one site alone serves (by site), C methods and parameters.
    ``pages`` = the page of each heading mark and ``"total"`` from a previous layout (:func:`build_report` lays
    the report out until they agree); the headings drawn record their pages in ``marks``."""
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    P = Paragraph  # noqa: N806
    H = _heading_class()  # noqa: N806
    pages = pages or {}
    marks = {} if marks is None else marks

    def page(key) -> str:
        return str(pages.get(key, PAGE_PLACEHOLDER))

    def see(letter, key) -> str:
        return t("report.see_annex", lang, letter=letter, page=page(key))

    def heading(text, style, key=""):
        return H(_x(text), styles[style], key=key, marks=marks)

    def annex(letter, title, key):  # "Annex A" over the title, which then fits one line
        return H(f"{_x(t('report.annex', lang, letter=letter))}<br/>{_x(title)}", styles["h1"], key=key, marks=marks)

    st = results.stations
    bad = st[st["status"].isin(["none", "weak"])].copy()
    props = results.proposals
    unr = results.unreachable
    cp = results.contingency
    has_lost = bool(results.newly_uncovered)
    has_cp = cp is not None and len(cp) > 0
    has_unr = unr is not None and len(unr) > 0
    s = []
    # --- cover, with the contents -------------------------------------------------------------------------
    s.append(Spacer(1, 2.5 * cm))
    s.append(P(_x(t("report.title", lang)), styles["title"]))
    s.append(Spacer(1, 0.9 * cm))
    s.append(P(_x(province_name(results.province, lang) if results.province else results.project_name),
               styles["coverbig"]))
    s.append(Spacer(1, 0.5 * cm))
    s.append(P(_x(t("report.subtitle", lang, project=results.project_name)), styles["cover"]))
    s.append(P(_x(f"{t('date', lang)}: {fmt_date(results.created, lang, time=True)}"), styles["cover"]))
    s.append(P(_x(f"{t('scenario', lang)}: {_scenario_text(results, lang)}"), styles["cover"]))
    s.append(Spacer(1, 1.2 * cm))
    present = {"summary", "communes", "proposals", "annex_a", "annex_b", "annex_c",
               *(("lost",) if has_lost else ()), *(("unreachable",) if has_unr else ()),
               *(("contingency",) if has_cp else ())}
    toc = [[_x(t(key, lang)), _x(page(mark))] for mark, key in TOC if mark in present]
    s.append(P(_x(t("report.toc", lang)), styles["h2"]))
    s.append(_table([t("report.toc", lang), t("report.toc.page", lang)], toc, [14.0 * cm, 2.0 * cm], styles,
                    align_right=(1,)))
    s.append(Spacer(1, 0.3 * cm))
    s.append(P(_x(t("report.toc.print", lang, end=int(page("annex_a")) - 1, first=page("annex_a"),
                    total=page("total"))), styles["body"]))
    s.append(Spacer(1, 0.8 * cm))
    s.append(P(_x(t("report.prepared", lang, version=__version__)), styles["cover"]))
    s.append(PageBreak())

    # --- key figures + overview map ------------------------------------------------------------------------
    kf = key_figures(results)
    s.append(heading(t("report.key_figures", lang), "h1", "summary"))
    labels = [("stations", "report.kf.stations"), ("good", "report.kf.good"), ("weak", "report.kf.weak"),
              ("none", "report.kf.none"), ("voters_total", "report.kf.voters_total"),
              ("voters_affected", "report.kf.voters_affected"), ("spof", "report.kf.spof"),
              ("proposals", "report.kf.proposals"), ("prop_voters", "report.kf.prop_voters"),
              ("newly", "report.kf.newly"), ("newly_voters", "report.kf.newly_voters"),
              ("lost_restored", "report.kf.lost_restored"), ("lost_voters_restored", "report.kf.lost_voters_restored")]
    rows = [[_x(t(key, lang)), f"<b>{_x(fmt_int(kf[k], lang))}</b>"] for k, key in labels if k in kf]
    s.append(_table([t("report.kf.what", lang), t("report.kf.value", lang)], rows, [11 * cm, 3.5 * cm], styles,
                    align_right=(1,)))
    s.append(Spacer(1, 0.4 * cm))
    # the map fills the rest of the key-figures page (QA: in a scenario the longer table pushed a fixed-size map
    # to the next page and left this one mostly blank)
    s.append(map_block(P(_x(t("report.overview", lang)), styles["h2"]), picture or overview_map(results, lang),
                       P(_x(_overview_caption(results, lang)), styles["small"]), min_height=MAP_MIN_HEIGHT_CM * cm,
                       max_height=frame_height))
    s.append(_section_break())

    # --- a failure scenario: the stations that lose all signal, right after the overview -------------------
    if has_lost:
        s.extend(_lost_section(results, lang, styles, heading(t("report.newly", lang), "h1", "lost")))
        s.append(_section_break())

    # --- communes with gaps, the most important first -------------------------------------------------------
    s.append(heading(t("report.communes", lang), "h1", "communes"))
    s.append(P(_x(t("report.communes.note", lang) + " " + t("report.type.legend", lang)), styles["small"]))
    s.append(Spacer(1, 0.2 * cm))
    covered_by = _covered_by(props)
    station_commune = dict(zip(st["id"].astype(str), st["commune"].astype(str), strict=True))
    per_commune: dict[str, dict[str, int]] = {}
    for sid, site in covered_by.items():
        c = per_commune.setdefault(station_commune.get(sid, ""), {})
        c[site] = c.get(site, 0) + 1
    rank = {str(r.site_id): int(r.rank) for r in props.itertuples(index=False)} if props is not None else {}
    rows, fine = [], []
    for c in _commune_order(results.communes).itertuples(index=False):
        n_bad = int(getattr(c, "stations_weak", 0)) + int(getattr(c, "stations_none", 0))
        if n_bad == 0:
            fine.append(c.name)
            continue
        b, r = bool(getattr(c, "border", False)), bool(getattr(c, "remote", False))
        typ = t("report.type.border_remote", lang) if b and r else (
            t("report.type.border", lang) if b else (t("report.type.remote", lang) if r else ""))
        area = " / ".join(fmt_float(getattr(c, f"area_{k}_pct", float("nan")), 0, lang) for k in
                          ("good", "weak", "none"))
        stn = " / ".join(str(int(getattr(c, f"stations_{k}", 0))) for k in ("good", "weak", "none"))
        vts = " / ".join(fmt_int(getattr(c, f"voters_{k}", 0), lang) for k in ("weak", "none"))
        sites = per_commune.get(str(c.name), {})
        prop = ", ".join(f"{site}\u00a0({n})" for site, n in sorted(sites.items(), key=lambda kv: rank.get(kv[0], 0)))
        left = n_bad - sum(sites.values())
        rows.append([_x(c.name), _x(typ), _x(area), _x(stn), _x(vts), _x(prop or "—"), _x(fmt_int(left, lang))])
    if rows:
        s.append(_table([t("commune", lang), t("report.col.type", lang), t("report.col.area", lang),
                         t("report.col.stations", lang), t("report.col.voters_aff", lang),
                         t("report.col.prop_in", lang), t("report.col.left", lang)], rows,
                        [4.0 * cm, 1.3 * cm, 2.5 * cm, 2.2 * cm, 2.6 * cm, 2.9 * cm, 1.5 * cm], styles,
                        align_right=(2, 3, 4, 6)))
    if fine:
        s.append(Spacer(1, 0.15 * cm))
        s.append(P(_x(t("report.communes.ok", lang, n=fmt_int(len(fine), lang), names=", ".join(fine))),
                   styles["small"]))
    if len(bad):
        s.append(P(_x(t("report.annex_a.ref", lang, n=fmt_int(len(bad), lang), see=see("A", "annex_a"))),
                   styles["small"]))

    # --- proposals -------------------------------------------------------------------------------------------
    s.append(_section_break())
    s.append(heading(t("report.proposals", lang), "h1", "proposals"))
    if props is None or len(props) == 0:
        s.append(P(_x(t("report.proposals.none", lang)), styles["body"]))
        note = (results.placement_summary or {}).get("note")
        if note:  # why nothing was proposed (e.g. every station in need has priority 0)
            s.append(P(_x(translate_message(note, lang)), styles["body"]))
    else:
        s.append(P(_x(t("report.proposals.note", lang)), styles["small"]))
        how = placement_text(results.placement_summary, lang)  # exact or not, converged or not: what was done
        if how:
            s.append(P(_x(how), styles["small"]))
        edits = edits_text(results.placement_summary, lang)
        if edits:
            s.append(P(_x(t("report.proposals.edited", lang, changes=edits)), styles["small"]))
        s.append(Spacer(1, 0.2 * cm))
        rows = []
        zone_label = None
        for r in props.sort_values("rank").itertuples(index=False):
            zone, e, n = utm_of(results, r.lon, r.lat, getattr(r, "x", None), getattr(r, "y", None))
            zone_label = zone_label or zone
            bh = str(getattr(r, "backhaul", ""))
            bh_text = t(f"backhaul.{bh}", lang) if has(f"backhaul.{bh}") else bh
            if getattr(r, "backhaul_tower", ""):  # no break inside "5,0 km" or "F1 0,62" (QA: "F1" / "41,46")
                bh_text += (f": {r.backhaul_tower}, {fmt_float(r.backhaul_distance_km, 1, lang)}\u00a0km, "
                            f"F1\u00a0{fmt_float(getattr(r, 'backhaul_clearance', float('nan')), 2, lang)}")
            rows.append([_x(int(r.rank)), _x(site_label(r.site_id, getattr(r, "placed_by", ""), lang)),
                         _x(f"{r.lat:.5f}, {r.lon:.5f}"),
                         _x(f"{e:.0f} E, {n:.0f} N" if zone == zone_label else f"{zone}: {e:.0f} E, {n:.0f} N"),
                         _x(r.commune), _x(f"{int(r.n_stations)} / {fmt_int(r.voters_covered, lang)}"), _x(bh_text)])
        s.append(_table([t("report.col.rank", lang), t("report.col.site", lang), t("report.col.latlon", lang),
                         t("report.col.utm", lang, zone=zone_label or ""), t("commune", lang),
                         t("report.col.covered", lang), t("report.col.backhaul", lang)], rows,
                        [0.7 * cm, 1.5 * cm, 3.0 * cm, 3.4 * cm, 2.6 * cm, 2.1 * cm, 3.7 * cm], styles,
                        align_right=(0, 5)))
    # --- what cannot be reached, and why ---------------------------------------------------------------------
    n_unr = len(unr) if has_unr else 0
    if len(bad) and props is not None and len(props):
        left = bad[~bad["id"].astype(str).isin(covered_by)]
        s.append(Spacer(1, 0.2 * cm))
        s.append(P(_x(t("report.remaining", lang, k=fmt_int(len(props), lang), n=fmt_int(len(left), lang),
                        voters=fmt_int(int(left["voters"].sum()), lang), unreach=fmt_int(n_unr, lang),
                        more=fmt_int(len(left) - n_unr, lang))), styles["body"]))
    if has_unr:
        s.append(_section_break(HEADING_MIN_SPACE_CM))  # the heading with its table's first rows
        s.append(heading(t("report.unreachable", lang), "h2", "unreachable"))
        rows = [[_x(r.get("id", "")), _x(short_station_name(r.get("name", r.get("id", "")))),
                 _x(r.get("commune", "")),
                 _x(translate_message(r.get("reason", ""), lang))]
                for _, r in sort_names(unr, "commune", "name").iterrows()]
        widths = _with_id_column(unr["id"] if "id" in unr else [], [5.0, 3.5, 8.5], styles,
                                 give={1: 1.4, 2: 2.0})
        s.append(_table([t("station_id", lang), t("name", lang), t("commune", lang), t("report.col.reason", lang)],
                        rows, widths, styles))
        s += _kvbp_note(unr["name"] if "name" in unr else [], lang, styles)
    summary = results.placement_summary or {}
    if summary.get("n_not_planned") and not summary.get("note"):  # the note already says it when it is all of them
        s.append(P(_x(t("report.not_planned", lang, n=fmt_int(summary["n_not_planned"], lang))), styles["small"]))

    # --- contingency plan: the body's last section, laid out so its last page is not nearly empty --------------
    spof = st[st["spof"].fillna(False).astype(bool)] if "spof" in st else st.iloc[0:0]
    contingency = _contingency_section(results, lang, styles,
                                       heading(t("report.contingency", lang), "h1", "contingency"),
                                       t("report.annex_b.ref", lang, see=see("B", "annex_b")) if len(spof) else "")
    if contingency:
        s.append(_section_break())
        end = len(s)
        s.extend(contingency)
        s[end:] = [last_section(s[end:], min_tail=LAST_PAGE_MIN_CM * cm, min_head=SECTION_MIN_SPACE_CM * cm)]

    # ==== annexes: on a page of their own, so the body prints alone ==========================================
    s.append(PageBreak())
    # --- A: stations with weak / no signal, complete -----------------------------------------------------------
    s.append(annex("A", t("report.gaps", lang), "annex_a"))
    if len(bad) == 0:
        s.append(P(_x(t("report.gaps.none", lang)), styles["body"]))
    else:
        bad["_o"] = bad["status"].map({"none": 0, "weak": 1})
        rows = []
        for r in sort_names(bad, "commune", "name", first="_o").itertuples(index=False):
            server = str(getattr(r, "best_server", "") or "")
            if server and str(getattr(r, "best_operator", "") or ""):
                server += f" ({r.best_operator})"
            nearest = ""
            if getattr(r, "nearest_tower", ""):
                nearest = f"{r.nearest_tower} ({fmt_float(getattr(r, 'nearest_tower_km', float('nan')), 2, lang)})"
            rows.append([_x(r.id), _x(short_station_name(r.name)), _x(r.commune), _x(fmt_int(r.voters, lang)),
                         _x(status_label(r.status, lang)), _x(server or "—"),
                         _x(fmt_float(getattr(r, "level_dbm", float("nan")), 1, lang)), _x(nearest)])
        widths = _with_id_column(bad["id"], [4.3, 2.8, 1.4, 1.9, 2.6, 1.6, 2.4], styles,
                                 give={1: 0.9, 2: 0.15, 3: 0.45, 4: 0.2, 5: 0.4})
        s.append(_table([t("station_id", lang), t("name", lang), t("commune", lang), t("voters", lang),
                         t("status", lang), t("best_server", lang), t("report.col.level", lang),
                         t("report.col.nearest", lang)], rows, widths, styles, align_right=(3, 6)))
        s += _kvbp_note(bad["name"], lang, styles)

    # --- B: single points of failure, by the site that fails (the contingency plan's order) -------------------
    s.append(_section_break())
    s.append(annex("B", t("report.spof", lang), "annex_b"))
    if len(spof) == 0:
        s.append(P(_x(t("report.spof.none", lang)), styles["body"]))
    else:
        s.append(P(_x(t("report.spof.note", lang)), styles["small"]))
        s.append(Spacer(1, 0.2 * cm))
        plan = _spof_order(results)
        spof = sort_names(spof, "commune", "name")
        spof = spof.assign(_site=[plan.get(str(i), (len(plan) + 1, False))[0] for i in spof["id"]])
        spof = spof.sort_values("_site", kind="stable")  # by site, each site's stations in the tables' order
        rows = []
        for r in spof.itertuples(index=False):
            server = str(getattr(r, "best_server", "") or "")
            if server and str(getattr(r, "best_operator", "") or ""):
                server += f" ({r.best_operator})"
            restored = plan.get(str(r.id))
            rows.append([_x(r.id), _x(short_station_name(r.name)), _x(r.commune), _x(fmt_int(r.voters, lang)),
                         _x(server or "—"),
                         _x(fmt_float(getattr(r, "level_dbm", float("nan")), 1, lang)),
                         _x(status_label(r.status, lang)),
                         _x("—" if restored is None else t("report.yes" if restored[1] else "report.no", lang))])
        widths = _with_id_column(spof["id"], [4.2, 2.8, 1.6, 2.8, 1.8, 2.1, 1.7], styles,
                                 give={1: 0.8, 2: 0.3, 3: 0.2, 4: 0.6, 5: 0.7})  # the sector id on one line
        s.append(_table([t("station_id", lang), t("name", lang), t("commune", lang), t("voters", lang),
                         t("report.col.only_server", lang), t("report.col.level", lang), t("status", lang),
                         t("report.col.restored_yn", lang)], rows, widths, styles, align_right=(3, 5)))
        s += _kvbp_note(spof["name"], lang, styles)

    # --- C: methods: the last section, laid out so the last page is not nearly empty ---------------------------
    s.append(_section_break())
    end = len(s)
    s.append(annex("C", t("report.methods", lang), "annex_c"))
    s.append(P(_x(t("report.methods.intro", lang)), styles["body"]))
    s.append(Spacer(1, 0.3 * cm))
    rows = []
    model = _param(results, "radio", "model")
    if model is not None:
        key = f"report.model.{model}"
        rows.append([t("report.m.model", lang), f"{t(key, lang)} ({model})" if has(key) else str(model)])
    k = _param(results, "radio", "k_factor")
    if k is not None:
        rows.append([t("report.m.k", lang), fmt_float(k, 3, lang)])
    md = _param(results, "radio", "max_distance_m")
    if md is not None:
        rows.append([t("report.m.max_distance", lang), f"{fmt_float(float(md) / 1000, 1, lang)} km"])
    rh = _param(results, "radio", "receiver_height_m")
    if rh is not None:
        rows.append([t("report.m.rx_height", lang), f"{fmt_float(rh, 1, lang)} m"])
    rows.append([t("report.m.levels", lang), t("report.m.levels_val", lang)])
    for tech, (good, weak) in sorted(thresholds(results).items()):
        rows.append([f"{t('report.m.thresholds', lang)} {tech}",
                     f"{fmt_float(good, 0, lang)} / {fmt_float(weak, 0, lang)} dBm"])
    rows.append([t("report.m.terrain", lang), translate_message(results.terrain_source, lang) or "—"])
    rows.append([t("report.m.resolution", lang), f"{fmt_float(results.grid.cellsize, 0, lang)} m"])
    rows.append([t("report.m.crs", lang), str(results.grid.crs)])
    rows.append([t("report.m.grid", lang), t("report.m.grid_val", lang, cols=results.grid.shape[1],
                                                rows=results.grid.shape[0])])
    ps = results.placement_summary or {}
    if ps:
        rows.append([t("report.m.placement", lang), t(
            "report.m.placement_val", lang, k=ps.get("k", "—"),
            greedy=fmt_float(ps.get("greedy_objective"), 1, lang), exact=fmt_float(ps.get("exact_objective"), 1, lang),
            gap=fmt_float(ps.get("gap_pct"), 2, lang), solver=ps.get("solver", "—"))])
    rows.append([t("report.m.software", lang), f"coverage-planner {__version__}"])
    rows.append([t("report.m.date", lang), fmt_date(results.created, lang, time=True)])
    s.append(_table([t("report.m.param", lang), t("report.m.value", lang)],
                    [[_x(a), _x(b)] for a, b in rows], [6.0 * cm, 11.0 * cm], styles))
    warnings = list(getattr(results, "warnings", None) or [])
    if warnings:
        s.append(P(_x(t("report.m.warnings", lang)), styles["h2"]))
        for w in warnings:
            s.append(P("• " + _x(translate_message(w, lang)), styles["small"]))
    other = parameter_rows(results.parameters, lang)
    if other:
        s.append(P(_x(t("report.m.other", lang)), styles["h2"]))
        s.append(_table([t("report.m.param", lang), t("report.m.value", lang)],
                        [[_x(a), _x(b)] for a, b in other], [6.0 * cm, 11.0 * cm], styles))
    s[end:] = [last_section(s[end:], min_tail=LAST_PAGE_MIN_CM * cm, min_head=SECTION_MIN_SPACE_CM * cm)]
    return s


def build_report(results, path, *, lang: str = "vi") -> Path:
    """Write the A4 gap report for ``results`` to ``path`` (atomically); returns the path
    (:func:`iter_build_report` run to the end)."""
    return run_to_end(iter_build_report(results, path, lang=lang))


#: The steps of :func:`iter_build_report` (its messages): the overview map, each layout pass, the write.
REPORT_MAP_STEP = "Report: overview map"
REPORT_LAYOUT_STEP = "Report: laying out the pages (pass {n})"
REPORT_PAGE_STEP = "Report: laying out page {p} (pass {n})"


def iter_doc_build(doc, flowables, on_page):
    """``doc.build(flowables, onFirstPage=on_page, onLaterPages=on_page)`` of a reportlab ``SimpleDocTemplate``
    as a generator: yields the number of each page as it begins (a cancel point: a layout pass of the sample's
    24-page report takes 3.5 s). The loop of reportlab 5.1's ``BaseDocTemplate.build`` (pinned in
    pyproject.toml; tests/coverage_planner/test_report_steps.py compares its bytes with ``doc.build``'s),
    without its progress callbacks and its traceback decoration."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus.doctemplate import NextPageTemplate, PageBegin, PageBreakIfNotEmpty, PageTemplate
    from reportlab.platypus.frames import Frame

    doc._calc()
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="normal")
    doc.addPageTemplates([PageTemplate(id="First", frames=frame, onPage=on_page, pagesize=doc.pagesize),
                          PageTemplate(id="Later", frames=frame, onPage=on_page, pagesize=doc.pagesize)])
    doc._startBuild(None, Canvas)
    canv = doc.canv
    saved_info = canv._doc.info
    page = doc.page
    try:
        canv._doctemplate = doc
        while len(flowables):
            if doc._hanging and doc._hanging[-1] is PageBegin and isinstance(flowables[0], PageBreakIfNotEmpty):
                npt = flowables[0].nextTemplate
                if npt and not doc._samePT(npt):
                    NextPageTemplate(npt).apply(doc)
                    doc._setPageTemplate()
                del flowables[0]
            doc.clean_hanging()
            doc.handle_flowable(flowables)
            if doc.page != page:
                page = doc.page
                yield page
    finally:
        del canv._doctemplate
    canv._doc.info = saved_info
    doc._endBuild()


def _layout_fraction(n: int) -> float:
    """The fraction of the report done when layout pass ``n`` (1, 2, …) starts: the map is the first 20 %, the
    usual two passes most of the rest (a third, rare, fits before the write's 95 %)."""
    return 0.2 + 0.7 * (1.0 - 0.5 ** (n - 1))


def iter_build_report(results, path, *, lang: str = "vi"):
    """Generator of :func:`build_report`: a :class:`~coverage_planner.progress.Progress` (stage "report") before
    the overview map, before each layout pass and before the write (the desktop app's cancel points: a closed
    generator writes nothing, the write being atomic); returns the path.

    The report is laid out until the page numbers it prints (contents, "see Annex A, p. N", "Page x of y")
    are those of the layout: the first layout counts them, the next one prints them (a third only if that moved
    a page break)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    check_lang(lang)
    yield Progress("report", 0.0, REPORT_MAP_STEP)
    register_fonts()
    dest = Path(path)
    styles = _styles()
    created = results.created
    pdf_date = created.strftime("D:%Y%m%d%H%M%S+00'00'")
    footer_left = nfc(f"{results.province or results.project_name} – {t('report.title', lang)}")
    footer_right = fmt_date(created, lang)
    picture = overview_map(results, lang)  # drawn once, laid out by each pass

    def layout(target, pages: dict, n: int):
        """Generator: lay the report out into ``target``, a progress item at each new page; returns the marks."""
        marks: dict = {}

        def on_page(canvas, doc):
            canvas.setDateFormatter(lambda *a: pdf_date)
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(colors.HexColor("#555555"))
            w, _ = A4
            canvas.drawString(2 * cm, 1.2 * cm, footer_left[:110])
            canvas.drawRightString(w - 2 * cm, 1.2 * cm, footer_right)
            canvas.drawCentredString(w / 2, 0.8 * cm, t("report.page", lang, n=doc.page,
                                                          total=pages.get("total", PAGE_PLACEHOLDER)))
            canvas.restoreState()
            marks["total"] = doc.page

        doc = SimpleDocTemplate(
            target, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
            bottomMargin=2 * cm, title=nfc(t("report.title", lang)), author="coverage-planner",
            subject=nfc(f"{results.province} – {results.project_name}"), creator=f"coverage-planner {__version__}",
            invariant=1, lang=lang, initialFontName=FONT, initialFontSize=9,
        )
        # a frame's usable height: the page within the margins less its padding (6 pt at top and bottom)
        story = _story(results, lang, styles, doc.width, doc.height - 12, picture=picture, pages=pages, marks=marks)
        start, end = _layout_fraction(n), _layout_fraction(n + 1)
        total = pages.get("total")
        for page in iter_doc_build(doc, story, on_page):
            done = min(page / total, 1.0) if total else 0.0
            yield Progress("report", start + (end - start) * done, REPORT_PAGE_STEP.format(p=page, n=n))
        return marks

    pages: dict = {}
    for n in range(1, 5):  # count the pages, print them; again only if printing them moved a break
        yield Progress("report", _layout_fraction(n), REPORT_LAYOUT_STEP.format(n=n))
        pdf = io.BytesIO()
        found = yield from layout(pdf, pages, n)
        if found == pages:
            break
        pages = found
    yield Progress("report", 0.95, WRITE_STEP)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as tmp:
            Path(tmp).write_bytes(pdf.getvalue())
    except OutputError:
        raise  # already says what and how to fix
    except OSError as exc:
        raise OutputError(f"Cannot write the report {dest}: {exc.strerror or exc}. How to fix: choose a writable "
                          "output folder (--out) and check the disk is not full.") from exc
    return dest
