"""What-if mobile sites: the proposals and totals as they stand after the user moved or added sites.

The results keep the optimiser's proposal unchanged; these helpers give the *current* picture after the user
dragged proposed sites or added sites on the map (the desktop app): the proposals table with moved sites at
their new place (position, elevation, commune, backhaul) and the reach of every site recounted, the totals of
all current sites, and :func:`current_plan`, the results as the sites now stand, for the exports.
``user_sites`` maps site ids to objects with ``x``, ``y``, ``origin`` ("proposal" or "added"), ``level`` (None
while being computed), ``covered`` (the ids of the stations in need it reaches, from
:func:`coverage_planner.pipeline.site_reach`: the optimiser's rule, exact terrain profile per station, so a
proposal moved by 0 m keeps its ``stations_in_reach``) and optionally ``backhaul`` (a dict from
:func:`coverage_planner.pipeline.site_backhaul`), e.g. ``gui.session.UserSite``.

Counting, as the optimiser counts: every site lists the stations it reaches that no site before it in the
table (lower rank; added sites come last) reaches, so the counts add up to the distinct stations reached.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from coverage_planner.errors import ParameterError

#: Backhaul of a moved site: the pipeline checked it at the proposed place only.
NOT_CHECKED = "not checked"

#: ``placed_by`` values of :func:`current_plan`'s proposals.
BY_OPTIMISER = "optimiser"
MOVED_BY_USER = "moved by user"
ADDED_BY_USER = "added by user"


def _ids(text) -> list[str]:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return []
    return [t for t in str(text).split(";") if t]


#: The backhaul columns of the proposals (``coverage_planner.pipeline.site_backhaul``'s keys).
BACKHAUL_COLUMNS = ("backhaul", "backhaul_tower", "backhaul_distance_km", "backhaul_clearance")


def backhaul_of(site) -> dict:
    """The backhaul columns of a moved or added site: its own check (``site.backhaul``, a dict from
    :func:`coverage_planner.pipeline.site_backhaul`) or "not checked" while there is none."""
    bh = getattr(site, "backhaul", None)
    if bh:
        return dict(bh)
    return {"backhaul": NOT_CHECKED, "backhaul_tower": "", "backhaul_distance_km": np.nan,
            "backhaul_clearance": np.nan}


def _moved(user_sites: dict) -> dict:
    return {sid: s for sid, s in user_sites.items() if s.origin == "proposal"}


def _added(user_sites: dict) -> list:
    return [s for s in user_sites.values() if s.origin != "proposal"]


def _proposal_reach(row) -> list[str]:
    """Every station in need an unmoved proposal reaches (``stations_in_reach``; results without that column:
    the ones it newly covers)."""
    reach = row.get("stations_in_reach") if hasattr(row, "get") else None
    if reach is None or (isinstance(reach, float) and math.isnan(reach)):
        reach = row.get("stations_covered") if hasattr(row, "get") else None
    return _ids(reach)


def _voters(results) -> dict:
    s = getattr(results, "stations", None)
    if s is None or "voters" not in s.columns:
        return {}
    return dict(zip(s["id"].astype(str), s["voters"], strict=True))


def _site_updates(results, site, to_ll) -> dict:
    """Position, elevation, commune and backhaul of a user's site (``to_ll``: analysis CRS → WGS 84)."""
    from shapely.geometry import Point

    lon, lat = to_ll.transform(site.x, site.y)
    out = {"x": round(float(site.x), 1), "y": round(float(site.y), 1), "lon": round(lon, 6), "lat": round(lat, 6),
           "geometry": Point(site.x, site.y), "elevation_m": np.nan, "commune": ""}
    r, c = results.grid.rowcol(site.x, site.y)
    r, c = int(math.floor(float(r) + 0.5)), int(math.floor(float(c) + 0.5))
    if results.dem is not None and 0 <= r < results.dem.shape[0] and 0 <= c < results.dem.shape[1]:
        out["elevation_m"] = round(float(results.dem[r, c]), 1)
    if results.communes is not None and len(results.communes):
        inside = results.communes.geometry.contains(out["geometry"]).to_numpy()
        out["commune"] = str(results.communes["name"].to_numpy()[inside][0]) if inside.any() else ""
    out["weight_covered"] = np.nan
    out.update(backhaul_of(site))
    return out


def _frame(results, user_sites: dict, *, with_added: bool):
    """The proposals as the sites stand (see :func:`current_proposals`), with a ``placed_by`` column and the
    added sites as extra rows when ``with_added``."""
    import pandas as pd
    from pyproj import Transformer

    to_ll = Transformer.from_crs(results.grid.crs, "EPSG:4326", always_xy=True)
    props = results.proposals
    moved = _moved(user_sites)
    added = _added(user_sites) if with_added else []
    out = props.copy().sort_values("rank", kind="stable") if props is not None and len(props) else None
    cols = list(props.columns) if props is not None else []
    if out is None:
        if not added:
            return props
        out = pd.DataFrame(columns=cols)
    for col in ("weight_covered", "backhaul_distance_km", "backhaul_clearance", "elevation_m", "x", "y", "lon",
                "lat"):
        if col in out.columns:
            out[col] = out[col].astype(float)
    # object columns: counts stay whole numbers and may be NaN (shown "—") while a site is being computed
    for col in ("n_stations", "voters_covered", "commune", "stations_covered", "backhaul", "backhaul_tower"):
        if col in out.columns:
            out[col] = out[col].astype(object)
    records = out.to_dict("records")
    for rec in records:
        site = moved.get(str(rec.get("site_id")))
        rec["placed_by"] = BY_OPTIMISER
        rec["_reach"] = _proposal_reach(rec)
        if site is not None:
            rec.update(_site_updates(results, site, to_ll))
            rec["placed_by"] = MOVED_BY_USER
            rec["_reach"] = None if site.level is None else list(site.covered)
    rank = max([int(r["rank"]) for r in records], default=0)
    for site in added:
        rank += 1
        rec = {c: np.nan for c in cols}
        rec.update(rank=rank, site_id=site.site_id, candidate="", placed_by=ADDED_BY_USER,
                   _reach=None if site.level is None else list(site.covered))
        rec.update(_site_updates(results, site, to_ll))
        records.append(rec)
    # recount in table order: each site lists what no site before it reaches
    voters = _voters(results)
    already: set[str] = set()
    for rec in records:
        reach = rec.pop("_reach")
        if rec["placed_by"] != BY_OPTIMISER and "stations_in_reach" in cols:  # its own reach, not the proposal's
            rec["stations_in_reach"] = "" if reach is None else ";".join(dict.fromkeys(reach))
        if reach is None:  # still being computed
            rec.update(n_stations=np.nan, stations_covered="", voters_covered=np.nan)
            continue
        new = [s for s in dict.fromkeys(reach) if s not in already]
        already.update(new)
        if rec["placed_by"] == BY_OPTIMISER and new == _ids(rec.get("stations_covered")):
            continue  # unchanged: keep the optimiser's row as it was
        rec.update(n_stations=len(new), stations_covered=";".join(new),
                   voters_covered=sum(int(voters.get(s, 0)) for s in new))
        if rec["placed_by"] == BY_OPTIMISER:
            rec["weight_covered"] = np.nan  # the optimiser's weight was for its own plan
    names = list(dict.fromkeys([*cols, *(key for rec in records for key in rec)]))
    frame = pd.DataFrame.from_records(records, columns=names)
    if "geometry" in frame.columns:
        import geopandas as gpd

        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=getattr(props, "crs", None) or results.grid.crs)
    return frame


def current_proposals(results, user_sites: dict):
    """``results.proposals`` with the moved sites at their current place: position (x, y, lon, lat, geometry),
    elevation, commune, backhaul (the site's own check, ``site.backhaul``, or ``"not checked"``) and a
    ``placed_by`` column ("optimiser" / "moved by user"); the reach of every row is recounted in rank order (NaN
    while a moved site is being computed). The frame itself when nothing moved (or None without proposals)."""
    props = getattr(results, "proposals", None)
    if props is None or not len(props) or not _moved(user_sites):
        return props
    return _frame(results, user_sites, with_added=False)


def current_sites(results, user_sites: dict):
    """The proposed-sites table as the sites now stand, as the exports list them (:func:`current_plan`'s
    ``proposals``): the optimiser's sites, the moved ones at their new place and the added ones as extra rows
    after the last rank, with ``placed_by``, backhaul and reach recounted in rank order (NaN while a site is
    being computed). ``results.proposals`` itself when the user changed nothing."""
    if not user_sites:
        return getattr(results, "proposals", None)
    return _frame(results, user_sites, with_added=True)


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
        for rec in props.to_dict("records"):
            if str(rec["site_id"]) not in moved:
                reached.update(_proposal_reach(rec))
                k += 1
    pending = False
    for site in user_sites.values():
        k += 1
        if site.level is None:
            pending = True
        reached.update(site.covered)
    voters = _voters(results)
    return k, len(reached), int(sum(int(voters.get(s, 0)) for s in reached)), pending


def current_plan(results, user_sites: dict, proposal_level=None):
    """The results as the mobile sites now stand, for the exports (map, report, GIS files).

    ``proposals``: the optimiser's sites, the moved ones at their new place and the added ones as extra rows
    (rank after the last), with ``placed_by`` ("optimiser" / "moved by user" / "added by user") and the reach
    recounted in rank order; ``proposal_level``: ``proposal_level`` (the best level of the current sites, as the
    desktop map shows it); ``placement_summary`` gains ``user_moved`` / ``user_added`` (site ids) and the
    totals of the current sites (``current_sites``, ``current_stations``, ``current_voters``). The optimiser's
    figures (objective, proven gap) stay: they describe its own proposal. Everything else is ``results``'s.
    Returns ``results`` itself when the user changed nothing. Raises :class:`ParameterError` while a site's
    coverage is still being computed.
    """
    if not user_sites:
        return results
    pending = sorted(sid for sid, s in user_sites.items() if s.level is None)
    if pending:
        raise ParameterError(f"the coverage of site(s) {', '.join(pending)} is still being computed; "
                             "export again when it is done")
    if proposal_level is not None and tuple(np.shape(proposal_level)) != tuple(results.grid.shape):
        raise ParameterError(f"proposal level has shape {np.shape(proposal_level)} but the results grid is "
                             f"{results.grid.shape}")
    frame = _frame(results, user_sites, with_added=True)
    k, n, v, _ = current_totals(results, user_sites)
    summary = dict(results.placement_summary or {})
    summary.update(user_moved=sorted(_moved(user_sites)), user_added=[s.site_id for s in _added(user_sites)],
                   current_sites=k, current_stations=n, current_voters=v)
    return dataclasses.replace(results, proposals=frame,
                               proposal_level=results.proposal_level if proposal_level is None else proposal_level,
                               placement_summary=summary)
