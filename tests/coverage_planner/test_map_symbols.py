"""Map symbols shared by the HTML map and the PDF: the user's (moved / added) mobile sites are the optimiser's
marker hollow, and polling stations keep a dark edge that reads on the level colour of their own hue in
greyscale (a green ● good station on the green ≥ −65 dBm class)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coverage_planner import report, webmap
from coverage_planner.whatif import ADDED_BY_USER, BY_OPTIMISER, MOVED_BY_USER

from .test_webmap import calls, count_class, needs_chromium, run_chromium
from .tiny_results import tiny_results


@pytest.fixture(scope="module")
def res():
    return tiny_results()


@pytest.fixture(scope="module")
def edited(res):
    """The tiny results as exported after the user moved the first proposal (the others stay the optimiser's)
    and added a site: ``placed_by`` as ``whatif.current_plan`` writes it."""
    p = res.proposals
    assert len(p) >= 2
    extra = p.iloc[[-1]].copy()
    extra["site_id"] = "U01"
    extra["rank"] = int(p["rank"].max()) + 1
    extra["geometry"] = extra.geometry.translate(1500.0, 1500.0)
    extra["x"] = extra.geometry.x
    extra["y"] = extra.geometry.y
    props = pd.concat([p, extra], ignore_index=True)
    props["placed_by"] = [MOVED_BY_USER] + [BY_OPTIMISER] * (len(p) - 1) + [ADDED_BY_USER]
    return dataclasses.replace(res, proposals=props)


def _grey_figure(fig) -> np.ndarray:
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)
    return rgb @ [0.299, 0.587, 0.114]  # ITU-R 601 luma: what a greyscale print keeps


def _pixels(fig, x_m, y_m) -> np.ndarray:
    """(column, row) image pixels of map points (metres) on the overview figure."""
    xy = fig.axes[0].transData.transform(np.c_[np.asarray(x_m) / 1000, np.asarray(y_m) / 1000])
    height = fig.canvas.get_width_height()[1]
    return np.c_[xy[:, 0], height - xy[:, 1]]


def test_good_stations_stand_out_on_the_green_level_class_in_greyscale(res):
    """Every cell at −50 dBm (the green ≥ −65 class, the colour of a good station): in greyscale the marker
    (fill and edge, 4.5 px around its centre) is on average clearly darker than the level colour around it.
    The former 0.4 pt grey-black edge gave 57–70 grey levels here; the 0.8 pt black one 78–91."""
    green = dataclasses.replace(res, best_level=np.full(res.grid.shape, -50.0, np.float32))
    fig = report.overview_figure(green, "en", dpi=150)
    grey = _grey_figure(fig)
    st = green.stations[green.stations["status"] == "good"]
    assert len(st) >= 3
    rows, cols = np.mgrid[0:grey.shape[0], 0:grey.shape[1]]
    contrasts = []
    for cx, cy in _pixels(fig, st.geometry.x, st.geometry.y):
        d = np.hypot(cols - cx, rows - cy)
        around = np.median(grey[(d > 7) & (d <= 10)])
        contrasts.append(around - grey[d <= 4.5].mean())
    assert min(contrasts) >= 75, np.round(contrasts)


def test_pdf_draws_the_users_sites_as_hollow_stars(edited):
    fig = report.overview_figure(edited, "en", dpi=150)
    grey = _grey_figure(fig)
    p = edited.proposals
    user = p["placed_by"].isin([MOVED_BY_USER, ADDED_BY_USER]).to_numpy()
    centres = np.round(_pixels(fig, p.geometry.x, p.geometry.y)).astype(int)
    for (cx, cy), mine in zip(centres, user, strict=True):
        centre = grey[cy - 1:cy + 2, cx - 1:cx + 2].mean()
        # hollow: white inside (a greyscale print tells it from the optimiser's dark purple star)
        assert (centre > 230) if mine else (centre < 110), (mine, centre)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Mobile station moved / added by the user" in labels and "Proposed mobile station" in labels
    # without user sites the legend has no such entry
    plain = report.overview_figure(dataclasses.replace(edited, proposals=p[~user]), "en", dpi=60)
    assert "Mobile station moved / added by the user" not in [t.get_text() for t in plain.legends[0].get_texts()]


def test_html_map_marks_the_users_sites_and_keeps_the_station_edge(edited):
    page = webmap.build_map(edited, lang="en")
    opts = calls(page, "Proposals")[0][-1]
    user = np.flatnonzero(edited.proposals["placed_by"].isin([MOVED_BY_USER, ADDED_BY_USER]).to_numpy())
    assert opts == {"user": [int(i) for i in user]}
    assert "cp-legend-user" in page and "Mobile station moved / added by the user" in page
    assert f'CP_STATION_EDGE = ["{webmap.STATION_EDGE}",{webmap.STATION_EDGE_PX:g}]' in page
    # the legend's station shapes have the map's edge
    assert f"stroke='{webmap.STATION_EDGE}' stroke-width='{webmap.STATION_EDGE_PX:g}'" in webmap.shape_svg("good")
    plain = webmap.build_map(dataclasses.replace(edited, proposals=edited.proposals.iloc[1:-1]), lang="en")
    assert "cp-legend-user" not in plain and len(calls(plain, "Proposals")[0]) == 2  # no options argument


@needs_chromium
def test_html_map_draws_the_users_sites_hollow(edited):
    with tempfile.TemporaryDirectory() as d:
        path = webmap.write_map(edited, Path(d) / "map.html", lang="en")
        dom, _ = run_chromium(Path(path))
    n_user = int(edited.proposals["placed_by"].isin([MOVED_BY_USER, ADDED_BY_USER]).sum())
    assert count_class(dom, "cp-proposal-icon") == len(edited.proposals)
    assert count_class(dom, "cp-proposal-icon", "cp-proposal-user") == n_user == 2
