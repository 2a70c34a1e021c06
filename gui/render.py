"""Display colouring (view logic only): dBm levels and hillshade to RGBA, numpy to QImage.

The hillshade itself is computed by the core (``coverage_planner.webmap.hillshade``); colours are the HTML
map's palette so the desktop map, the web map and the PDF agree.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QColor, QImage

from coverage_planner import webmap as _webmap


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


# The same palette as the HTML map and the PDF report (coverage_planner.webmap), so the three agree.
#: Colour steps for received level (dBm): a cell gets the colour of the highest step it reaches.
LEVEL_STEPS: tuple[tuple[float, tuple[int, int, int, int]], ...] = tuple(
    (lo, _rgb(colour) + (185,)) for lo, colour in _webmap.LEVEL_CLASSES
)
#: Added coverage of proposed / user sites: the cells where they add service
#: (``coverage_planner.webmap.added_coverage``), in the HTML map's colour.
ADDED_RGBA: tuple[int, int, int, int] = tuple(_webmap.ADDED_COLOUR) + (200,)

STATUS_COLOURS = {k: QColor(v) for k, v in _webmap.STATUS_COLOURS.items()}
#: Polling stations: a shape per status as well as the colour (● good, ◆ weak, ■ no signal; the HTML map's and
#: the PDF's, ``coverage_planner.webmap.STATUS_SHAPES``), so colour-blind users and greyscale screenshots tell
#: them apart. Kinds of :func:`gui.canvas.symbol_path`.
STATUS_SYMBOLS = dict(_webmap.STATUS_SHAPES)
#: Symbol size (pixels) per shape: the three cover about the same area (a 9 px circle), so none looks bigger.
SYMBOL_SIZES = {"circle": 9.0, "diamond": 11.0, "square": 8.0}
#: Legend glyph per shape (coloured text in the layer panel's legend).
SYMBOL_GLYPHS = {"circle": "●", "diamond": "◆", "square": "■"}
GAP_COLOURS = {k: QColor(v) for k, v in _webmap.GAP_COLOURS.items()}
#: The stations' outline (``coverage_planner.webmap.STATION_EDGE``): black, 1.6 px, so a ● good station reads on
#: the green level colour (and a ■ on the red one) in a greyscale screenshot or print.
STATION_EDGE = QColor(_webmap.STATION_EDGE)
STATION_EDGE_PX = float(_webmap.STATION_EDGE_PX)
PROPOSAL_COLOUR = QColor(_webmap.PROPOSAL_COLOUR)
#: Sites the user added or moved: the proposals' star hollow (white inside, a thick purple edge), as the HTML map
#: and the PDF draw "(added)" / "(moved)" sites; a square would read as a polling station without signal (■).
USER_SITE_FILL = QColor(_webmap.USER_SITE_FILL)
USER_SITE_EDGE_PX = 2.2
#: Towers off air (down in the scenario, or marked down in the input): a red ✕ edged in white, drawn over the
#: working towers, as on the HTML map and the PDF.
DOWN_COLOUR = QColor(_webmap.DOWN_COLOUR)
_FALLBACK = [QColor(c) for c in _webmap._FALLBACK_COLOURS]


def level_rgba(level: np.ndarray, steps=LEVEL_STEPS, mask: np.ndarray | None = None) -> np.ndarray:
    """uint8 RGBA (rows, cols, 4) for a dBm raster: transparent where NaN or below the lowest step.

    ``mask`` (bool, same shape; e.g. ``Results.study_mask``): cells where it is False stay transparent, so the
    overlay shows the study area only. None = no mask.
    """
    level = np.asarray(level, dtype=np.float32)
    out = np.zeros(level.shape + (4,), np.uint8)
    done = np.zeros(level.shape, bool)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != level.shape:
            raise ValueError(f"study mask shape {mask.shape} differs from the level raster's {level.shape}")
        done |= ~mask
    with np.errstate(invalid="ignore"):
        for threshold, colour in steps:
            m = (level >= threshold) & ~done
            out[m] = colour
            done |= m
    return out


def mask_rgba(mask: np.ndarray, colour=ADDED_RGBA) -> np.ndarray:
    """uint8 RGBA (rows, cols, 4): ``colour`` where ``mask`` is True, transparent elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    out = np.zeros(mask.shape + (4,), np.uint8)
    out[mask] = colour
    return out


def hillshade(dem: np.ndarray, cellsize: float) -> np.ndarray:
    """Illumination 0..1 of a DEM, computed by the core (``coverage_planner.webmap.hillshade``)."""
    return np.asarray(_webmap.hillshade(dem, cellsize), dtype=np.float32)


def hillshade_rgba(dem: np.ndarray, cellsize: float) -> np.ndarray:
    """Opaque grey-brown hillshade RGBA image, tinted slightly by elevation so valleys read as valleys."""
    shade = hillshade(dem, cellsize)
    dem = np.asarray(dem, dtype=np.float32)
    lo, hi = np.nanpercentile(dem, [2, 98]) if dem.size else (0.0, 1.0)
    t = np.clip((dem - lo) / max(hi - lo, 1e-6), 0, 1)
    # low = green-grey, high = light brown
    base = np.stack([150 + 70 * t, 170 + 35 * t, 140 + 40 * t], axis=-1)
    rgb = base * (0.35 + 0.65 * shade[..., None])
    out = np.empty(dem.shape + (4,), np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    out[..., 3] = 255
    return out


def rgba_to_qimage(rgba: np.ndarray) -> QImage:
    """A QImage owning a copy of a (rows, cols, 4) uint8 array."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def operator_colour(operator: str, index: int) -> QColor:
    """The operator's brand colour used by the HTML map, else a fallback colour by index."""
    known = _webmap.OPERATOR_COLOURS.get(str(operator).strip().lower())
    return QColor(known) if known else _FALLBACK[index % len(_FALLBACK)]
