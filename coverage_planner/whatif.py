"""What-if mobile sites: the proposals and totals as they stand after the user moved or added sites.

The results keep the optimiser's proposal unchanged; these helpers give the *current* picture after the user
dragged proposed sites or added sites on the map (the desktop app): the proposals table with moved sites at
their new place (position, elevation, commune) and their recomputed reach, and the totals of all current sites.
``user_sites`` maps site ids to objects with ``x``, ``y``, ``origin`` ("proposal" or "added"), ``level`` (None
while being computed) and ``covered`` (station ids), e.g. ``gui.session.UserSite``.
"""

from __future__ import annotations

import math

import numpy as np

#: Backhaul of a moved site: the pipeline checked it at the proposed place only.
NOT_CHECKED = "not checked"


def _ids(text) -> list[str]:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return []
    return [t for t in str(text).split(";") if t]


def _moved(user_sites: dict) -> dict:
    return {sid: s for sid, s in user_sites.items() if s.origin == "proposal"}


def current_proposals(results, user_sites: dict):
    """``results.proposals`` with the moved sites at their current place: position (x, y, lon, lat, geometry),
    elevation, commune and reached stations / voters (NaN while the site's coverage is being computed); their
    backhaul is marked ``"not checked"``. The frame itself when nothing moved (or None without proposals)."""
    props = getattr(results, "proposals", None)
    moved = _moved(user_sites)
    if props is None or not len(props) or not moved:
        return props
    from pyproj import Transformer
    from shapely.geometry import Point

    out = props.copy()
    for col in ("weight_covered", "backhaul_distance_km", "backhaul_clearance"):
        if col in out.columns:
            out[col] = out[col].astype(float)
    # object columns: counts stay whole numbers and may be NaN (shown "—") while a site is being computed
    for col in ("n_stations", "voters_covered", "commune", "stations_covered", "backhaul", "backhaul_tower"):
        if col in out.columns:
            out[col] = out[col].astype(object)
    to_ll = Transformer.from_crs(results.grid.crs, "EPSG:4326", always_xy=True)
    voters = dict(zip(results.stations["id"].astype(str), results.stations["voters"], strict=True)) \
        if results.stations is not None and "voters" in results.stations.columns else {}
    ids = out["site_id"].astype(str).to_numpy()
    geoms = list(out.geometry)
    for i, sid in enumerate(ids):
        site = moved.get(sid)
        if site is None:
            continue
        idx = out.index[i]
        lon, lat = to_ll.transform(site.x, site.y)
        geoms[i] = Point(site.x, site.y)
        updates = {"x": site.x, "y": site.y, "lon": round(lon, 6), "lat": round(lat, 6)}
        r, c = results.grid.rowcol(site.x, site.y)
        r, c = int(math.floor(float(r) + 0.5)), int(math.floor(float(c) + 0.5))
        if results.dem is not None and 0 <= r < results.dem.shape[0] and 0 <= c < results.dem.shape[1]:
            updates["elevation_m"] = round(float(results.dem[r, c]), 1)
        if results.communes is not None and len(results.communes):
            inside = results.communes.geometry.contains(geoms[i]).to_numpy()
            updates["commune"] = str(results.communes["name"].to_numpy()[inside][0]) if inside.any() else ""
        if site.level is None:
            updates.update(n_stations=np.nan, stations_covered="", voters_covered=np.nan)
        else:
            updates.update(n_stations=len(site.covered), stations_covered=";".join(site.covered),
                           voters_covered=sum(int(voters.get(s, 0)) for s in site.covered))
        updates.update(weight_covered=np.nan, backhaul=NOT_CHECKED, backhaul_tower="", backhaul_distance_km=np.nan,
                       backhaul_clearance=np.nan)
        for col, value in updates.items():
            if col in out.columns:
                out.at[idx, col] = value
    out = out.set_geometry(geoms, crs=props.crs) if hasattr(out, "set_geometry") else out
    return out


def proposal_totals(results) -> tuple[int, int, int]:
    """(sites, distinct stations reached, their voters) of the optimiser's proposal in ``results``."""
    k, n, v, _pending = current_totals(results, {})
    return k, n, v


def current_totals(results, user_sites: dict) -> tuple[int, int, int, bool]:
    """(sites, distinct stations reached, their voters, still computing) of the current sites: the unmoved
    proposals as the optimiser placed them, the moved ones at their new place and the added ones."""
    props = getattr(results, "proposals", None)
    moved = _moved(user_sites)
    reached: set[str] = set()
    k = 0
    if props is not None and len(props):
        for sid, covered in zip(props["site_id"].astype(str), props["stations_covered"], strict=True):
            if sid not in moved:
                reached.update(_ids(covered))
                k += 1
    pending = False
    for site in user_sites.values():
        k += 1
        if site.level is None:
            pending = True
        reached.update(site.covered)
    voters = 0
    s = getattr(results, "stations", None)
    if s is not None and reached and "voters" in s.columns:
        voters = int(s.loc[s["id"].astype(str).isin(reached), "voters"].sum())
    return k, len(reached), voters, pending
