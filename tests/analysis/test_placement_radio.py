"""Placement with the radio kernels: reciprocity, and proposed sites checked by forward coverage.

Placement builds its ``covers`` matrix from *reverse* path-loss windows (one per uncovered station, station at
receiver height → every cell at mast height). These tests check that shortcut against the forward computation
the pipeline would otherwise do (one received-level window per candidate mast) on a small synthetic hilly DEM.

The radio kernels compute losses along rays of a radial sweep, so the loss from A to B and from B to A are
sampled along slightly different profiles; agreement is therefore checked with a small tolerance (and a
claimed station must be served forward within that tolerance of the weak threshold).
"""

import numpy as np
import pytest

linkbudget = pytest.importorskip(
    "analysis.linkbudget",
    reason="analysis.linkbudget (received_level / path_loss_window) is not written yet by the radio engineer",
)

from analysis.placement import MaximalCovering, covers_from_loss_windows  # noqa: E402

CS = 90.0
MAST = 15.0
RX_H = 1.5
FREQ = 900.0
EIRP = 58.0
WEAK = -100.0
TOL_DB = 1.5  # allowed forward/reverse asymmetry from ray sampling


def _window_value(win, r, c):
    lev = np.asarray(win.level_dbm)
    i, j = r - win.row0, c - win.col0
    if 0 <= i < lev.shape[0] and 0 <= j < lev.shape[1]:
        return float(lev[i, j])
    return np.nan


@pytest.fixture(scope="module")
def hills():
    rng = np.random.default_rng(42)
    from scipy.ndimage import gaussian_filter

    z = gaussian_filter(rng.normal(0, 1, (90, 90)), 5.0)
    z = 600 + 300 * (z - z.min()) / (z.max() - z.min())
    return z.astype(np.float32)


@pytest.fixture(scope="module")
def params():
    return linkbudget.LinkParams(model="deygout", k=4 / 3, max_distance_m=4000.0, receiver_height_m=RX_H)


def _loss(dem, r, c, tx_h, rx_h, params):
    return linkbudget.path_loss_window(
        dem, r, c, tx_height_m=tx_h, rx_height_m=rx_h, frequency_mhz=FREQ, params=params, cellsize=CS
    )


def _reciprocity_diffs(dem, params):
    rng = np.random.default_rng(1)
    diffs = []
    for _ in range(8):
        a = rng.integers(20, 70, 2)
        rev = _loss(dem, int(a[0]), int(a[1]), RX_H, MAST, params)  # station -> cells at mast height
        for _ in range(10):
            b = np.clip(a + rng.integers(-30, 31, 2), 0, 89)
            fwd = _loss(dem, int(b[0]), int(b[1]), MAST, RX_H, params)  # mast -> station cell
            x = _window_value(rev, int(b[0]), int(b[1]))
            y = _window_value(fwd, int(a[0]), int(a[1]))
            if np.isfinite(x) and np.isfinite(y):
                diffs.append(abs(x - y))
    diffs = np.asarray(diffs)
    assert diffs.size >= 40, "too few pairs inside the computation radius"
    return diffs


def test_free_space_loss_is_exactly_reciprocal(hills):
    """Checks the window conventions (row0/col0, which end is which) with a model that ignores terrain."""
    params = linkbudget.LinkParams(model="free_space", max_distance_m=4000.0, receiver_height_m=RX_H)
    assert _reciprocity_diffs(hills, params).max() <= 0.01


def test_knife_edge_loss_is_reciprocal_within_sampling_tolerance(hills):
    params = linkbudget.LinkParams(model="knife_edge", max_distance_m=4000.0, receiver_height_m=RX_H)
    d = _reciprocity_diffs(hills, params)
    assert np.median(d) <= 0.5 and np.quantile(d, 0.9) <= TOL_DB


@pytest.mark.xfail(
    strict=True,
    reason="known: Deygout losses from the radial sweep differ by up to ~14 dB between the two directions on "
    "this DEM (90th percentile ~4 dB), although linkbudget.path_loss_window documents the models as "
    "reciprocal; remove this marker once the sweep is fixed",
)
def test_deygout_loss_is_reciprocal_within_sampling_tolerance(hills, params):
    d = _reciprocity_diffs(hills, params)
    assert np.median(d) <= 0.5 and np.quantile(d, 0.9) <= TOL_DB


def test_proposed_sites_cover_claimed_stations_forward(hills, params):
    rng = np.random.default_rng(7)
    stations = rng.integers(10, 80, (25, 2))
    cand = np.argwhere(np.ones((90, 90), bool))[::37]  # a sparse lattice of candidate cells
    windows = [_loss(hills, int(r), int(c), RX_H, MAST, params) for r, c in stations]
    max_loss = EIRP + params.receiver_gain_dbi - params.margin_db - WEAK
    covers = covers_from_loss_windows(
        [(w.level_dbm, w.row0, w.col0) for w in windows], cand[:, 0], cand[:, 1], max_loss
    )
    assert covers.nnz > 0
    p = MaximalCovering.from_arrays(covers, np.ones(len(stations)), k=3).solve_exact(time_limit=20)
    assert p.objective > 0
    dense = covers.toarray()
    for j in p.selected:
        site = linkbudget.RadioSite(int(cand[j, 0]), int(cand[j, 1]), MAST, FREQ, EIRP)
        fwd = linkbudget.received_level(hills, site, params, cellsize=CS)
        claimed = np.flatnonzero(dense[:, j])
        levels = np.array([_window_value(fwd, int(stations[i, 0]), int(stations[i, 1])) for i in claimed])
        assert np.all(np.isfinite(levels)), "a claimed station lies outside the site's forward window"
        assert np.all(levels >= WEAK - TOL_DB), (
            f"site {j} claims stations {claimed.tolist()} but forward levels are {np.round(levels, 1).tolist()}"
        )
