"""Path-loss models against textbook values, the exact profile methods, and the fast sweep."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import AnalysisError
from analysis import linkbudget as lb
from analysis import propagation as pr


# --------------------------------------------------------------------------------------------------------
# textbook values
# --------------------------------------------------------------------------------------------------------
def test_free_space_900mhz_10km():
    # 32.45 + 20·log10(900) + 20·log10(10) = 111.53 dB
    assert pr.free_space_loss(10_000.0, 900.0) == pytest.approx(111.53, abs=0.01)
    assert pr.free_space_loss(20_000.0, 900.0) - pr.free_space_loss(10_000.0, 900.0) == pytest.approx(6.02, abs=0.01)


@pytest.mark.parametrize("nu, expected, tol", [(-1.0, 0.0, 1e-9), (0.0, 6.03, 0.02), (1.0, 13.95, 0.05),
                                               (2.4, 20.54, 0.05)])
def test_knife_edge_j(nu, expected, tol):
    # P.526 eq. (31): J(ν) = 6.9 + 20 log(√((ν−0.1)²+1) + ν − 0.1); textbook J(0) ≈ 6 dB, J(1) ≈ 14 dB,
    # J(2.4) ≈ 20.5 dB (Lee's approximation 20·log(0.225/ν) gives −20.6 dB gain there)
    assert float(pr.knife_edge_loss(nu)) == pytest.approx(expected, abs=tol)


def test_hata_900mhz_1km_30m():
    # Okumura–Hata, f = 900 MHz, hb = 30 m, hm = 1.5 m, d = 1 km: urban (small/medium city) 126.42 dB,
    # suburban 116.47 dB (−2·log²(f/28) − 5.4), open/rural 97.93 dB (−4.78·log²f + 18.33·log f − 40.94)
    assert float(pr.hata_loss(1.0, 900.0, 30.0, 1.5, "urban")) == pytest.approx(126.42, abs=0.05)
    assert float(pr.hata_loss(1.0, 900.0, 30.0, 1.5, "suburban")) == pytest.approx(116.47, abs=0.05)
    assert float(pr.hata_loss(1.0, 900.0, 30.0, 1.5, "rural")) == pytest.approx(97.93, abs=0.05)
    # distance slope 44.9 − 6.55·log10(30) = 35.22 dB/decade
    assert float(pr.hata_loss(10.0, 900.0, 30.0, 1.5) - pr.hata_loss(1.0, 900.0, 30.0, 1.5)) == pytest.approx(35.22, abs=0.01)


def test_cost231_1800mhz():
    # COST-231-Hata, 1800 MHz, hb 30 m, hm 1.5 m, 1 km, medium city: 46.3 + 33.9·log f − 13.82·log hb − a(hm)
    a_hm = (1.1 * math.log10(1800) - 0.7) * 1.5 - (1.56 * math.log10(1800) - 0.8)
    expected = 46.3 + 33.9 * math.log10(1800) - 13.82 * math.log10(30) - a_hm
    assert expected == pytest.approx(136.20, abs=0.01)
    assert float(pr.cost231_loss(1.0, 1800.0, 30.0, 1.5, "suburban")) == pytest.approx(expected, abs=1e-9)
    assert float(pr.cost231_loss(1.0, 1800.0, 30.0, 1.5, "urban")) == pytest.approx(expected + 3.0, abs=1e-9)


def test_vegetation_cap():
    assert float(pr.vegetation_loss(100.0, 100.0, 0.0)) == pytest.approx(10.0)  # uncapped: γ·d
    capped = float(pr.vegetation_loss(100.0, 100.0, 20.0))
    assert capped == pytest.approx(20.0 * (1 - math.exp(-0.5)), rel=1e-9)
    assert float(pr.vegetation_loss(1e6, 100.0, 20.0)) == pytest.approx(20.0)


# --------------------------------------------------------------------------------------------------------
# exact profile methods
# --------------------------------------------------------------------------------------------------------
def test_single_ridge_deygout_equals_knife_edge():
    """A single ridge: Deygout = single edge = J(ν) with ν from the geometry (flat earth, receiver at
    10 m so that the ground near it stays out of the Fresnel zone of the ridge→Rx sub-path)."""
    d = np.linspace(0.0, 10_000.0, 101)
    h = np.zeros_like(d)
    h[40] = 80.0  # ridge 4 km from Tx
    f = 900.0
    lam = 299.792458 / f
    hl = 30.0 + (10.0 - 30.0) * 0.4  # direct path height over the ridge
    nu = (80.0 - hl) * math.sqrt(2 * 10_000.0 / (lam * 4000.0 * 6000.0))
    j = float(pr.knife_edge_loss(nu))
    assert j > 15
    assert pr.deygout_loss(d, h, 30.0, 10.0, f, k=math.inf) == pytest.approx(j, abs=1e-9)
    assert pr.deygout_loss(d, h, 30.0, 10.0, f, k=math.inf, max_edges=1) == pytest.approx(j, abs=1e-9)
    total = pr.profile_loss(d, h, 30.0, 10.0, f, model="deygout", k=math.inf)
    assert total == pytest.approx(float(pr.free_space_loss(10_000.0, f)) + j, abs=1e-9)
    # at 1.5 m the flat ground 100 m before the receiver grazes the ridge→Rx Fresnel zone (ν ≈ −0.69)
    low = pr.deygout_loss(d, h, 30.0, 1.5, f, k=math.inf)
    single = pr.deygout_loss(d, h, 30.0, 1.5, f, k=math.inf, max_edges=1)
    assert single < low < single + 1.0


def test_two_ridges_deygout_adds_secondary():
    d = np.linspace(0.0, 10_000.0, 101)
    h = np.zeros_like(d)
    h[30], h[70] = 90.0, 70.0
    single = pr.deygout_loss(d, h, 30.0, 1.5, 900.0, max_edges=1)
    three = pr.deygout_loss(d, h, 30.0, 1.5, 900.0)
    assert three > single + 3.0


def test_exact_deygout_is_reciprocal(mountains):
    dem = mountains(129, seed=8)
    rng = np.random.default_rng(1)
    for _ in range(20):
        row = dem[int(rng.integers(0, 129))].astype(float)
        d = np.arange(row.size) * 30.0
        fwd = pr.profile_loss(d, row, 30.0, 1.5, 1800.0)
        rev = pr.profile_loss(d, row[::-1], 1.5, 30.0, 1800.0)
        assert fwd == pytest.approx(rev, abs=1e-9)


def test_profile_validation():
    with pytest.raises(AnalysisError, match="start at 0"):
        pr.deygout_loss([1.0, 2.0], [0.0, 0.0], 10, 1.5, 900)
    with pytest.raises(AnalysisError, match="model"):
        pr.profile_loss([0.0, 100.0], [0.0, 0.0], 10, 1.5, 900, model="itm")


# --------------------------------------------------------------------------------------------------------
# fast sweep against the exact method on the same ray profiles
# --------------------------------------------------------------------------------------------------------
def ray_profile(dem, r0, c0, dr, dc, R, cs):
    """Profile of the sweep's ray that owns cell (r0+dr, c0+dc), sampled as the sweep samples it:
    terrain linearly interpolated where the ray crosses the centre lines of the major axis, ending at the
    target cell centre (its distance and height). Written independently of the kernel."""
    if abs(dc) >= abs(dr):
        i, j, sgn = abs(dc), dr, (1 if dc > 0 else -1)

        def cell(u, m):
            return r0 + m, c0 + sgn * u
    else:
        i, j, sgn = abs(dr), dc, (1 if dr > 0 else -1)

        def cell(u, m):
            return r0 + sgn * u, c0 + m
    k = (2 * j * R + i) // (2 * i)  # nearest ray: round(j·R/i)
    t = k / R
    D = math.hypot(i, j) * cs
    ds, hs = [0.0], [float(dem[r0, c0])]
    for u in range(1, i):
        m = u * t
        fa = math.floor(m)
        w = m - fa
        za, zb = float(dem[cell(u, fa)]), float(dem[cell(u, fa + 1)])
        ds.append(u * cs * math.sqrt(1 + t * t))
        hs.append(za + w * (zb - za))
    ds.append(D)
    hs.append(float(dem[r0 + dr, c0 + dc]))
    return np.array(ds), np.array(hs)


@pytest.fixture(scope="module")
def sweep_case(mountains):
    dem = mountains(201, seed=21)
    cs, maxd = 30.0, 2900.0
    R = int(maxd // cs)
    rng = np.random.default_rng(0)
    cells = []
    while len(cells) < 300:
        dr, dc = (int(v) for v in rng.integers(-R, R + 1, 2))
        if 0 < dr * dr + dc * dc <= R * R:
            cells.append((dr, dc))
    return dem, cs, maxd, R, cells


@pytest.mark.parametrize("model", ["free_space", "knife_edge", "deygout", "hata"])
def test_sweep_matches_exact_profile_method(sweep_case, model):
    """Fast sweep vs the brute-force profile method on the very profiles of the sweep's rays.

    free space, knife edge, Hata: identical on these cells (≤ 0.01 dB; the J(ν) table is good to 0.001 dB);
    in general knife edge can miss a point under the hull in the Fresnel zone of a clear path (approximation 2
    of the module notes, J ≤ 6.03 dB), which none of these cells has.
    Deygout-3: the hull search can miss an edge that intrudes into the Fresnel zone from below the hull
    on a clear (sub-)path (each such J ≤ 6.03 dB): measured here 93.5 % of cells within 0.5 dB, p95 2.0 dB,
    max 7.4 dB; asserted: ≥ 90 % within 0.5 dB, p95 ≤ 3 dB, max ≤ 12.1 dB (two missed secondaries), and
    never more than the exact value + 0.01 dB (the sweep only ever misses edges).
    """
    dem, cs, maxd, R, cells = sweep_case
    params = lb.LinkParams(model=model, max_distance_m=maxd)
    w = lb.path_loss_window(dem, 100, 100, tx_height_m=30.0, rx_height_m=1.5, frequency_mhz=900.0,
                            params=params, cellsize=cs)
    diffs = []
    for dr, dc in cells:
        d, h = ray_profile(dem, 100, 100, dr, dc, R, cs)
        exact = pr.profile_loss(d, h, 30.0, 1.5, 900.0, model=model)
        fast = float(w.loss_db[100 + dr - w.row0, 100 + dc - w.col0])
        diffs.append(fast - exact)
    diffs = np.array(diffs)
    if model != "deygout":
        assert np.abs(diffs).max() <= 0.01
    else:
        a = np.abs(diffs)
        assert (a <= 0.5).mean() >= 0.90
        assert np.percentile(a, 95) <= 3.0
        assert a.max() <= 12.1
        assert diffs.max() <= 0.01  # the sweep only ever misses edges



def test_sweep_ray_ties_take_the_documented_ray(mountains):
    """Cells whose centre lies exactly half-way between two rays (j·R/i = k + ½) take ray k + 1 (round half
    up, as documented in analysis._profile), whatever the block boundaries: the kernel must not let
    floating-point rounding pick the other ray. On obstructed paths knife edge equals the exact method on
    that ray's profile. (R = 147: 26 of its ties are cases where (2jR + i)·(1/(2i)) rounds below the integer.)"""
    dem = mountains(301, seed=31)
    cs, R = 30.0, 147
    params = lb.LinkParams(model="knife_edge", max_distance_m=R * cs + 1.0)
    w = lb.path_loss_window(dem, 150, 150, tx_height_m=30.0, rx_height_m=1.5, frequency_mhz=900.0,
                            params=params, cellsize=cs)
    ties = []
    for i in range(1, R + 1):
        for j in range(-i, i + 1):
            if (2 * j * R + i) % (2 * i) == 0 and i * i + j * j <= R * R:
                ties += [(j, i), (j, -i), (i, j), (-i, j)]  # (dr, dc) on the four sides
    assert len(ties) > 100
    diffs = []
    for dr, dc in ties:
        if abs(dr) == abs(dc):
            continue  # diagonal cells belong to the east/west sides only
        d, h = ray_profile(dem, 150, 150, dr, dc, R, cs)
        exact = pr.profile_loss(d, h, 30.0, 1.5, 900.0, model="knife_edge")
        if exact - float(pr.free_space_loss(d[-1], 900.0)) >= 6.1:  # obstructed: the sweep is exact there
            diffs.append(float(w.loss_db[150 + dr - w.row0, 150 + dc - w.col0]) - exact)
    assert len(diffs) > 500
    assert np.abs(diffs).max() <= 0.01


@pytest.mark.parametrize("model", ["knife_edge", "deygout"])
def test_sweep_long_hulls_beyond_the_radio_horizon(model):
    """Gentle terrain seen beyond the radio horizon: the earth bulge puts long runs of hull vertices above
    the direct path (the hull edge searches scan them). Obstructed paths (exact J ≥ 6.1 dB, ν > 0):
    knife edge identical to the exact profile method (≤ 0.01 dB); everywhere the sweep is never above the
    exact value + 0.01 dB; Deygout misses at most the edges of clear (sub-)paths (J ≤ 6.03 dB each)."""
    n, cs = 161, 300.0
    yy, xx = np.mgrid[0:n, 0:n].astype(float)
    dem = (100.0 + 4.0 * np.sin(xx / 7.0) * np.cos(yy / 5.0) + 0.02 * xx).astype(np.float32)
    R = 80
    maxd = R * cs
    params = lb.LinkParams(model=model, max_distance_m=maxd)
    w = lb.path_loss_window(dem, 80, 80, tx_height_m=10.0, rx_height_m=1.5, frequency_mhz=900.0,
                            params=params, cellsize=cs)
    rng = np.random.default_rng(5)
    diffs, obstructed = [], []
    while len(diffs) < 250:
        dr, dc = (int(v) for v in rng.integers(-R, R + 1, 2))
        if not 0 < dr * dr + dc * dc <= R * R:
            continue
        d, h = ray_profile(dem, 80, 80, dr, dc, R, cs)
        exact = pr.profile_loss(d, h, 10.0, 1.5, 900.0, model=model)
        j_exact = pr.profile_loss(d, h, 10.0, 1.5, 900.0, model="knife_edge") - float(pr.free_space_loss(d[-1], 900.0))
        diffs.append(float(w.loss_db[80 + dr - w.row0, 80 + dc - w.col0]) - exact)
        obstructed.append(j_exact >= 6.1)
    diffs, obstructed = np.array(diffs), np.array(obstructed)
    assert obstructed.sum() >= 50  # the case exercises long obstructed runs
    assert diffs.max() <= 0.01
    if model == "knife_edge":
        assert np.abs(diffs[obstructed]).max() <= 0.01
    else:  # on smooth ground the edges of a clear (sub-)path often lie under the hull: missed
        assert np.abs(diffs).max() <= 18.1  # (main and two secondaries, each missed J ≤ 6.03 dB)

def test_path_geometry_single_ridge():
    dem = np.zeros((41, 121), np.float32)
    dem[:, 60] = 60.0  # wall 40 cells east of the Tx at column 20
    g = pr.path_geometry(dem, 20, 20, cellsize=30.0, tx_height_m=30.0, rx_height_m=1.5, frequency_mhz=900.0,
                         max_distance_m=90 * 30.0, k=math.inf)
    r, c = 20 - g["row0"], 100 - g["col0"]  # target 80 cells east, same row
    hl = 30.0 + (1.5 - 30.0) * 0.5
    assert g["clearance_m"][r, c] == pytest.approx(hl - 60.0, abs=1e-3)
    nu = (60.0 - hl) * math.sqrt(2 * 2400.0 / ((299.792458 / 900.0) * 1200.0 * 1200.0))
    assert g["nu"][r, c] == pytest.approx(nu, rel=1e-4)
    assert g["distance_m"][r, c] == pytest.approx(2400.0)


# --------------------------------------------------------------------------------------------------------
# point to point (exact straight-line profile)
# --------------------------------------------------------------------------------------------------------
def test_point_to_point_is_exactly_reciprocal(mountains):
    dem = mountains(161, seed=23)
    rng = np.random.default_rng(9)
    for _ in range(30):
        a = rng.integers(0, 161, 2)
        b = rng.integers(0, 161, 2)
        if np.all(a == b):
            continue
        for model in ("deygout", "knife_edge", "hata"):
            fwd = pr.point_to_point_loss(dem, *a, *b, a_height_m=1.5, b_height_m=30.0, frequency_mhz=900.0,
                                         cellsize=30.0, model=model)
            rev = pr.point_to_point_loss(dem, *b, *a, a_height_m=30.0, b_height_m=1.5, frequency_mhz=900.0,
                                         cellsize=30.0, model=model)
            assert fwd == pytest.approx(rev, abs=1e-6)


def test_point_to_point_matches_the_sweep_on_ray_aligned_cells(mountains):
    """Along rows/columns/diagonals the sweep's ray runs through the cell centres: same samples."""
    dem = mountains(161, seed=23)
    params = lb.LinkParams(model="knife_edge", max_distance_m=75 * 30.0)
    w = lb.path_loss_window(dem, 80, 80, tx_height_m=30.0, rx_height_m=1.5, frequency_mhz=900.0, params=params,
                            cellsize=30.0)
    for dr, dc in [(0, 37), (-50, 0), (23, 23), (-40, 40), (0, -70), (52, -52)]:
        p2p = pr.point_to_point_loss(dem, 80, 80, 80 + dr, 80 + dc, a_height_m=30.0, b_height_m=1.5,
                                     frequency_mhz=900.0, cellsize=30.0, model="knife_edge")
        assert float(w.loss_db[80 + dr - w.row0, 80 + dc - w.col0]) == pytest.approx(p2p, abs=0.01)
    with pytest.raises(AnalysisError, match="same cell"):
        pr.point_to_point_loss(dem, 5, 5, 5, 5, a_height_m=1, b_height_m=1, frequency_mhz=900, cellsize=30)


def test_sweep_elevation_arctangent_is_accurate():
    """The sweep's antenna elevation angle (polynomial atan, a series branch below |x| = 0.25): < 1e-3° from
    math.atan across both branches and their boundaries (the vertical pattern is tabulated every 0.1°)."""
    xs = np.concatenate([np.linspace(-20.0, 20.0, 40001), np.linspace(-0.3, 0.3, 6001), [0.25, -0.25, 1.0, -1.0]])
    err = max(abs(pr._atan_deg(float(x)) - math.degrees(math.atan(x))) for x in xs)
    assert err < 1e-3


# --------------------------------------------------------------------------------------------------------
# compiled point to point (many receivers of one transmitter) against the Python method
# --------------------------------------------------------------------------------------------------------
def _p2p_oracle(dem, a, bs, veg=(0.0, 0.0, 15.0), **kw):
    """point_to_point_loss per pair (the reference); ``veg``: three scalars or three per-pair arrays."""
    g, am, hv = (np.broadcast_to(np.asarray(v, float), (len(bs),)) for v in veg)
    return np.array([pr.point_to_point_loss(dem, a[0], a[1], int(b[0]), int(b[1]), vegetation_db_per_km=float(g[i]),
                                            vegetation_max_db=float(am[i]), vegetation_height_m=float(hv[i]), **kw)
                     for i, b in enumerate(bs)])


@pytest.mark.parametrize("model", pr.MODELS)
def test_point_to_point_losses_match_the_python_method(mountains, model):
    """Seeded mountains, random sites and receivers, every vegetation form (none, constant uncapped and capped,
    per-receiver values including receivers above their canopy), Earth k = 4/3 and ∞, both antenna orders:
    within 1e-9 dB of point_to_point_loss (in practice bit-for-bit), and the terms the model adds are there."""
    rng = np.random.default_rng(40 + pr.MODELS.index(model))
    freq = 1800.0 if model == "cost231" else 900.0
    worst = 0.0
    n_pairs = n_obstructed = n_veg = 0
    for seed, n in ((23, 161), (5, 97)):
        dem = mountains(n, seed=seed, relief=1400.0 if seed == 5 else 900.0)
        for trial in range(3):
            a = rng.integers(0, n, 2)
            bs = rng.integers(0, n, (90, 2))
            bs = bs[np.any(bs != a, axis=1)]
            per_pair = (rng.uniform(0.0, 400.0, len(bs)) * (rng.random(len(bs)) < 0.8),
                        rng.choice([0.0, 8.0, 25.0], len(bs)), rng.choice([0.5, 10.0, 20.0], len(bs)))
            for veg in ((0.0, 0.0, 15.0), (300.0, 0.0, 15.0), (120.0, 20.0, 12.0), per_pair):
                h_a, h_b = (30.0, 1.5) if trial != 1 else (1.5, 25.0)
                kw = dict(a_height_m=h_a, b_height_m=h_b, frequency_mhz=freq, cellsize=30.0, model=model,
                          k=math.inf if trial == 2 else 4 / 3, environment=("urban", "suburban", "rural")[trial])
                got = pr.point_to_point_losses(dem, a[0], a[1], bs[:, 0], bs[:, 1], vegetation_db_per_km=veg[0],
                                               vegetation_max_db=veg[1], vegetation_height_m=veg[2], **kw)
                ref = _p2p_oracle(dem, a, bs, veg, **kw)
                assert got.shape == ref.shape and np.all(np.isfinite(got))
                worst = max(worst, float(np.max(np.abs(got - ref))))
                n_pairs += len(bs)
                if veg[0] is not per_pair[0] and np.all(np.asarray(veg[0]) == 0.0):
                    fs = pr.free_space_loss(np.hypot(*(bs - a).T) * 30.0, freq)
                    n_obstructed += int(np.sum(got > fs + 1.0))
                elif model != "free_space":
                    bare = _p2p_oracle(dem, a, bs, **kw)
                    n_veg += int(np.sum(got > bare + 0.1))
    assert worst <= 1e-9, worst
    assert n_pairs > 1500
    if model != "free_space":  # premise: diffraction and vegetation terms are exercised
        assert n_obstructed > 50 and n_veg > 50, (n_obstructed, n_veg)


def test_point_to_point_losses_edge_cases(mountains):
    """Own cell (free space over half a cell), the 8 neighbours, whole rows/columns/diagonals through the site,
    receivers on the four DEM borders and corners and a site in a corner: the same as point_to_point_loss for
    Deygout with vegetation (the model with the most branches) and knife edge; the inputs are not modified."""
    n = 121
    dem = mountains(n, seed=31)
    dem_copy = dem.copy()
    kw = dict(a_height_m=25.0, b_height_m=1.5, frequency_mhz=900.0, cellsize=30.0)
    r0, c0 = 60, 47
    bs = [(r0 + dr, c0 + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
    bs += [(r0, c) for c in range(n) if c != c0] + [(r, c0) for r in range(n) if r != r0]
    bs += [(r0 + t, c0 + t) for t in range(-r0, n - r0) if 0 <= c0 + t < n and t != 0]
    bs += [(r0 + t, c0 - t) for t in range(-r0, n - r0) if 0 <= c0 - t < n and t != 0]
    bs += [(0, c) for c in range(0, n, 7)] + [(n - 1, c) for c in range(3, n, 7)]
    bs += [(r, 0) for r in range(0, n, 9)] + [(r, n - 1) for r in range(5, n, 9)] + [(n - 1, n - 1)]
    bs = np.array(bs)
    rows, cols = bs[:, 0].copy(), bs[:, 1].copy()
    for model, veg in (("deygout", (150.0, 15.0, 20.0)), ("knife_edge", (0.0, 0.0, 15.0))):
        vkw = dict(vegetation_db_per_km=veg[0], vegetation_max_db=veg[1], vegetation_height_m=veg[2])
        got = pr.point_to_point_losses(dem, r0, c0, rows, cols, model=model, **vkw, **kw)
        assert np.max(np.abs(got - _p2p_oracle(dem, (r0, c0), bs, veg, model=model, **kw))) <= 1e-9
        # site in the corner: receivers along the last row/column use the clamped neighbour (weight 0)
        corner = np.array([(n - 1, c) for c in range(0, n - 1, 4)] + [(r, n - 1) for r in range(0, n - 1, 4)]
                          + [(r, r * 2 // 3) for r in range(0, n - 1, 3)])
        got = pr.point_to_point_losses(dem, n - 1, n - 1, corner[:, 0], corner[:, 1], model=model, **vkw, **kw)
        assert np.max(np.abs(got - _p2p_oracle(dem, (n - 1, n - 1), corner, veg, model=model, **kw))) <= 1e-9
    own = pr.point_to_point_losses(dem, r0, c0, [r0, r0 + 1], [c0, c0], model="deygout", **kw)
    assert own[0] == float(pr.free_space_loss(15.0, 900.0))
    assert own[1] == pr.point_to_point_loss(dem, r0, c0, r0 + 1, c0, model="deygout", **kw)
    assert pr.point_to_point_losses(dem, r0, c0, [], [], **kw).shape == (0,)
    np.testing.assert_array_equal(dem, dem_copy)
    np.testing.assert_array_equal(rows, bs[:, 0])
    np.testing.assert_array_equal(cols, bs[:, 1])


def test_point_to_point_losses_nodata_as_the_python_method(mountains):
    """A NaN on the straight profile raises, as point_to_point_loss does — also a NaN in the neighbour the
    interpolation weighs 0, which still propagates (NaN·0) — a NaN off the profile does not; a site on nodata
    or a receiver outside the DEM is refused."""
    dem = mountains(81, seed=4)
    dem[40, 50] = np.nan
    kw = dict(a_height_m=30.0, b_height_m=1.5, frequency_mhz=900.0, cellsize=30.0, model="deygout")
    with pytest.raises(AnalysisError, match="nodata"):
        pr.point_to_point_loss(dem, 40, 20, 40, 70, **kw)
    with pytest.raises(AnalysisError, match=r"row 40, col 70\).*nodata"):
        pr.point_to_point_losses(dem, 40, 20, [10, 40, 60], [70, 70, 70], **kw)
    # A (39, 20) → B (39, 70): rows are exact, the row-40 neighbour has weight 0 but NaN·0 = NaN
    with pytest.raises(AnalysisError, match="nodata"):
        pr.point_to_point_loss(dem, 39, 20, 39, 70, **kw)
    with pytest.raises(AnalysisError, match="nodata"):
        pr.point_to_point_losses(dem, 39, 20, [39], [70], **kw)
    off = np.array([(10, 70), (70, 70), (45, 60), (20, 40)])
    got = pr.point_to_point_losses(dem, 40, 20, off[:, 0], off[:, 1], **kw)
    assert np.array_equal(got, _p2p_oracle(dem, (40, 20), off, **kw))
    with pytest.raises(AnalysisError, match="nodata"):
        pr.point_to_point_losses(dem, 40, 50, [10], [10], **kw)
    with pytest.raises(AnalysisError, match="outside the DEM"):
        pr.point_to_point_losses(dem, 40, 20, [10, 81], [10, 10], **kw)
    with pytest.raises(AnalysisError, match="model"):
        pr.point_to_point_losses(dem, 40, 20, [10], [10], **{**kw, "model": "itm"})
