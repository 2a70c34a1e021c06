"""Which stations lose all service when one site (a mast with its sectors) fails: against a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import AnalysisError
from analysis.resilience import lost_by_site, site_index


def test_sectors_of_one_mast_are_one_site_and_operators_stay_apart():
    ops = ["V", "V", "V", "M", "V", "V"]
    x = [0.0, 0.0, 10.0, 0.0, 5000.0, 5030.0]
    y = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    s = site_index(ops, x, y, tolerance_m=50.0)
    assert list(s) == [0, 0, 0, 1, 2, 2]  # numbered by first tower; M on V's mast is M's own site
    # single linkage: 0–40–80 m is one site at 50 m although the ends are 80 m apart
    assert list(site_index(["V"] * 3, [0.0, 40.0, 80.0], [0.0] * 3, tolerance_m=50.0)) == [0, 0, 0]
    assert list(site_index(["V"] * 3, [0.0, 40.0, 80.0], [0.0] * 3, tolerance_m=30.0)) == [0, 1, 2]
    with pytest.raises(AnalysisError, match="finite"):
        site_index(["V"], [np.nan], [0.0])
    with pytest.raises(AnalysisError, match="one length"):
        site_index(["V", "V"], [0.0], [0.0])


def brute(server, site_of):
    out = {}
    for i, row in enumerate(server):
        sites = {int(site_of[t]) for t in np.flatnonzero(row)}
        if len(sites) == 1:
            out.setdefault(sites.pop(), []).append(i)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("seed", range(5))
def test_lost_by_site_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_st, n_tw = 300, 40
    site_of = np.sort(rng.integers(0, 15, n_tw))
    server = rng.random((n_st, n_tw)) < rng.uniform(0.01, 0.08)
    got = lost_by_site(server, site_of)
    want = brute(server, site_of)
    assert got.keys() == want.keys() and len(got) > 0
    for k in want:
        np.testing.assert_array_equal(got[k], want[k])
    # no station without a server, none served by two sites
    every = np.concatenate(list(got.values()))
    assert server[every].any(axis=1).all()


def test_two_sectors_of_one_mast_are_no_backup():
    server = np.array([[True, True, False],   # two sectors of site 0: lost with site 0
                       [True, False, True],   # sites 0 and 1: safe
                       [False, False, False],  # no service: nothing to lose
                       [False, False, True]])  # site 1 only
    assert {k: list(v) for k, v in lost_by_site(server, [0, 0, 1]).items()} == {0: [0], 1: [3]}
    assert lost_by_site(np.zeros((3, 0), bool), np.zeros(0, int)) == {}
    with pytest.raises(AnalysisError, match="n_towers"):
        lost_by_site(server, [0, 1])


@pytest.mark.parametrize("seed", range(3))
def test_site_counts_and_backup_match_brute_force(seed):
    from analysis.resilience import backup_tower, n_sites

    rng = np.random.default_rng(seed)
    n_st, n_tw = 200, 30
    site_of = np.sort(rng.integers(0, 12, n_tw))
    server = rng.random((n_st, n_tw)) < 0.1
    level = rng.normal(-90.0, 10.0, (n_st, n_tw))
    best = np.array([int(np.flatnonzero(r)[np.argmax(lv[r])]) if r.any() else -1
                     for r, lv in zip(server, level, strict=True)])
    got_n, got_b = n_sites(server, site_of), backup_tower(level, server, site_of, best)
    for i in range(n_st):
        assert got_n[i] == len({int(site_of[t]) for t in np.flatnonzero(server[i])})
        others = [t for t in np.flatnonzero(server[i]) if best[i] >= 0 and site_of[t] != site_of[best[i]]]
        assert got_b[i] == (max(others, key=lambda t: level[i, t]) if others else -1)
    assert (got_n >= 2).any() and (got_b >= 0).any()
