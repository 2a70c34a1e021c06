"""Resilience: which polling stations lose all service when one site (a mast with its sectors) fails.

A power cut or a landslide takes a whole site off air, not one sector: a station served by sectors A and B
of the same mast has two servers but no backup. Pure functions on arrays.
"""

from __future__ import annotations

import numpy as np

from analysis import AnalysisError


def site_index(operators, x, y, *, tolerance_m: float = 50.0) -> np.ndarray:
    """Site number (0, 1, …) of each tower: towers of the same operator within ``tolerance_m`` of each other
    (sectors on one mast) share a site. Grouping is transitive (single linkage), in input order."""
    ops = np.asarray(operators, dtype=object)
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if not (ops.shape == xs.shape == ys.shape) or ops.ndim != 1:
        raise AnalysisError(f"operators, x and y must be 1-D of one length, got {ops.shape}, {xs.shape}, {ys.shape}")
    if not np.all(np.isfinite(xs)) or not np.all(np.isfinite(ys)):
        raise AnalysisError("tower positions must be finite")
    if not tolerance_m >= 0:
        raise AnalysisError(f"tolerance_m must be ≥ 0, got {tolerance_m!r}")
    n = len(ops)
    parent = np.arange(n)

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        near = np.flatnonzero((ops[i + 1:] == ops[i]) & (np.hypot(xs[i + 1:] - xs[i], ys[i + 1:] - ys[i]) <= tolerance_m))
        for j in near + i + 1:
            a, b = root(i), root(int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    # a root is its group's first tower (the smaller root wins a union): sorted roots number the sites in
    # order of their first tower
    roots = np.array([root(i) for i in range(n)], dtype=np.int64)
    return np.unique(roots, return_inverse=True)[1].astype(np.int64).reshape(n)


def _checked(server, site_of):
    srv = np.asarray(server, dtype=bool)
    so = np.asarray(site_of, dtype=np.int64)
    if srv.ndim != 2 or so.shape != (srv.shape[1],):
        raise AnalysisError(f"server must be (n_stations, n_towers) and site_of (n_towers,), got {srv.shape} and "
                            f"{so.shape}")
    return srv, so


def n_sites(server, site_of) -> np.ndarray:
    """Number of distinct sites serving each station (``server``, ``site_of`` as in :func:`lost_by_site`)."""
    srv, so = _checked(server, site_of)
    if srv.shape[1] == 0:
        return np.zeros(srv.shape[0], np.int64)
    s = np.sort(np.where(srv, so[None, :], -1), axis=1)
    return ((s[:, 1:] != s[:, :-1]) & (s[:, 1:] >= 0)).sum(axis=1) + (s[:, 0] >= 0)


def backup_tower(level, server, site_of, best) -> np.ndarray:
    """Per station, the strongest serving tower (largest ``level``) on another site than tower ``best`` (-1 for
    none, or when ``best`` is -1): what keeps the station on air when the best server's mast fails."""
    srv, so = _checked(server, site_of)
    best = np.asarray(best, dtype=np.int64)
    if srv.shape[1] == 0:
        return np.full(srv.shape[0], -1, np.int64)
    best_site = np.where(best >= 0, so[np.maximum(best, 0)], -1)
    lv = np.where(srv & (so[None, :] != best_site[:, None]), np.asarray(level, dtype=float), -np.inf)
    j = lv.argmax(axis=1)
    return np.where((best >= 0) & np.isfinite(lv[np.arange(len(j)), j]), j, -1)


def lost_by_site(server, site_of) -> dict[int, np.ndarray]:
    """Stations that lose every server when a site fails: ``{site: station indices}`` for each site that is the
    only one serving at least one station.

    ``server``: bool (n_stations, n_towers), ``True`` where the tower serves the station (weak threshold of its
    technology or better); ``site_of``: int (n_towers,) from :func:`site_index`. A station with no server is
    in no list (it has nothing to lose); one served by two sites is in none either.
    """
    srv, so = _checked(server, site_of)
    if srv.shape[1] == 0:
        return {}
    single = n_sites(srv, so) == 1
    only = np.where(srv, so[None, :], -1).max(axis=1)  # the one site, where there is one
    return {int(s): np.flatnonzero(single & (only == s)) for s in np.unique(only[single])}
