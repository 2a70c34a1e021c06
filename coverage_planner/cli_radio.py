"""``coverage-planner viewshed`` and ``coverage-planner coverage``: the radio engine on one DEM.

``viewshed`` mirrors ``gdal_viewshed`` so results can be compared with peers::

    coverage-planner viewshed DEM OUT --x X --y Y --observer-height H --target-height T --max-distance D --k K

X/Y are in the DEM's CRS (which must be projected, in metres, north-up with square cells). OUT is a
uint8 GeoTIFF on the DEM grid: 1 visible, 0 hidden, 255 outside the radius, outside the sector or nodata
(255 is also declared as the file's nodata value). ``--k`` is the effective earth radius factor
(gdal_viewshed's ``-cc`` is ``1/k``: k = 4/3 ↔ ``-cc 0.75``).

``coverage`` writes the received level (dBm, float32, NaN = not reached) of one tower from a towers
file, as a GeoTIFF of the radius window around it (same grid as the DEM). ``--tower-id`` may be repeated
(the sectors of one site): the result is then the best level per cell over the union of their windows.
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from coverage_planner.cli import FiniteFloat, handle_errors, main, refuse_overwriting_inputs
from coverage_planner.errors import CRSError, InputError, ParameterError, RasterError

MODELS = ("free_space", "knife_edge", "deygout", "hata", "cost231")


def _load_dem(path: str):
    """DEM as float32 (nodata → NaN), its cell size, transform, CRS. Checks grid and CRS."""
    import numpy as np
    from pyproj import CRS

    from coverage_planner import io

    array, transform, crs, nodata = io.read_raster(path, what="DEM")
    if crs is None:
        raise CRSError("the DEM has no CRS", path=path,
                       hint="assign its projected CRS (e.g. EPSG:32648) in QGIS or with gdal_edit.py -a_srs")
    try:
        crs_obj = CRS.from_user_input(crs)
    except Exception as exc:  # pragma: no cover - a CRS rasterio read but pyproj cannot parse
        raise CRSError(f"the DEM's CRS is not understood ({exc})", path=path) from exc
    if not crs_obj.is_projected:
        raise CRSError(f"the DEM is in a geographic CRS ({crs}); viewshed distances need metres", path=path,
                       hint="reproject it to UTM first, e.g. gdalwarp -t_srs EPSG:32648 dem.tif dem_utm.tif")
    unit = crs_obj.axis_info[0].unit_name if crs_obj.axis_info else "metre"
    if unit not in ("metre", "meter", "m"):
        raise CRSError(f"the DEM's CRS unit is {unit!r}, not metres", path=path,
                       hint="reproject the DEM to a metric CRS such as UTM")
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        raise RasterError("the DEM is rotated or not north-up", path=path,
                          hint="warp it to a north-up grid (gdalwarp) first")
    if not math.isclose(abs(transform.a), abs(transform.e), rel_tol=1e-6):
        raise RasterError(f"the DEM's cells are not square ({transform.a:g} × {abs(transform.e):g} m)", path=path,
                          hint="resample it to square cells, e.g. gdalwarp -tr 30 30")
    dem = np.asarray(array, dtype=np.float32)  # a new array when the file is not float32; never the file's data
    if dem is array:
        dem = dem.copy()
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        dem[array == nodata] = np.nan
    return dem, float(transform.a), transform, crs


def _cell(transform, x: float, y: float) -> tuple[int, int]:
    col = (x - transform.c) / transform.a - 0.5
    row = (transform.f - y) / -transform.e - 0.5
    return int(math.floor(row + 0.5)), int(math.floor(col + 0.5))


def _inside(transform, shape, x: float, y: float) -> bool:
    r, c = _cell(transform, x, y)
    return 0 <= r < shape[0] and 0 <= c < shape[1]


def _cell_of(transform, shape, x: float, y: float, path, what: str, crs=None, *,
             options: bool = False) -> tuple[int, int]:
    """The DEM cell (row, col) of the point (x, y) in the DEM's CRS; :class:`InputError` when it is outside,
    giving the DEM's extent in whole metres and, for a point that reads as longitude/latitude and falls inside
    the DEM once projected, the X/Y to type instead (``options``: the point came from --x/--y)."""
    r, c = _cell(transform, x, y)
    if 0 <= r < shape[0] and 0 <= c < shape[1]:
        return r, c
    x0, y1 = transform.c, transform.f
    x1, y0 = x0 + shape[1] * transform.a, y1 + shape[0] * transform.e
    given = f"--x {x:g} --y {y:g}" if options else f"({x:.0f}, {y:.0f})"
    hint = ("give --x/--y in the DEM's CRS (metres), inside its extent" if options
            else "check the tower's coordinates, or use a DEM that covers it")
    if options and crs is not None and -180.0 <= x <= 180.0 and -90.0 <= y <= 90.0:
        from pyproj import Transformer

        px, py = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(x, y)
        if math.isfinite(px) and math.isfinite(py) and _inside(transform, shape, px, py):
            hint = (f"--x {x:g} --y {y:g} look like longitude/latitude; in the DEM's CRS that point is "
                    f"--x {px:.0f} --y {py:.0f}")
    where = f"x {x0:.0f} … {x1:.0f}, y {y0:.0f} … {y1:.0f} m" + (f" in {crs}" if crs is not None else "")
    raise InputError(f"{what} {given} is outside the DEM ({where})", path=path, hint=hint)


def _id_key(tower_id: str) -> str:
    """A tower id as typing slips leave it alike: case, the separator (- _ . space) and leading zeros of numbers
    ignored ('vtl_dbp_01-a' and 'VTL-DBP-001-A' have the same key)."""
    import re

    parts = re.split(r"[-_. ]+", tower_id.strip().casefold())
    return "-".join(p.lstrip("0") or "0" if p.isdigit() else p for p in parts)


def _select_towers(towers, tower_ids, tower_file) -> list[str]:
    """The tower ids ``--tower-id`` names (repeated or comma-separated), each once, in order. A site id
    (``VTL-DBP-001`` for the sectors ``VTL-DBP-001-A/-B/-C`` on one mast) stands for all its sectors, as with
    ``run --down``. An unknown id is a usage error (exit 2, as for ``--down``) naming it with "did you mean" for
    an id that differs in case or by a typing slip, and some ids of the file."""
    import difflib

    from coverage_planner.inputs import _sites, normalise_down

    ids = towers["id"].astype(str).tolist()
    known = set(ids)
    sites = {site: sectors for site, sectors in _sites(towers).items() if site not in known}
    chosen: dict[str, None] = {}
    unknown = []
    for tid in normalise_down(tower_ids, split_commas=True):
        if tid in known:
            chosen.setdefault(tid, None)
        elif tid in sites:
            chosen.update(dict.fromkeys(sites[tid]))
            click.echo(f"note: {tid} is a site: its {len(sites[tid])} sectors ({', '.join(sites[tid])}), best level "
                       "per cell")
        else:
            unknown.append(tid)
    if not unknown:
        return list(chosen)
    names = [*ids, *sites]
    folded: dict[str, list[str]] = {}
    for name in names:
        folded.setdefault(_id_key(name), []).append(name)
    listing = []
    for u in unknown[:10]:
        same = folded.get(_id_key(u), [])
        near = same if len(same) == 1 else difflib.get_close_matches(u, names, n=3, cutoff=0.85)
        listing.append(f"'{u}'" + (f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""))
    shown = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
    example = next(iter(sites), None)
    raise click.BadParameter(
        f"no tower with id {', '.join(listing)}{' …' if len(unknown) > 10 else ''} in {tower_file} (column id / "
        f"ma_tram; {len(ids)} towers: {shown})"
        + (f"; a site id such as {example} takes all its sectors" if example else ""),
        param_hint="'--tower-id'")


def _analysis(fn, *args, **kwargs):
    from analysis import AnalysisError

    try:
        return fn(*args, **kwargs)
    except AnalysisError as exc:
        raise ParameterError(str(exc)) from exc


@main.command("viewshed", short_help="Visibility from one point on a DEM (like gdal_viewshed).")
@click.argument("dem", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--x", "x", type=FiniteFloat(), required=True, metavar="METRES",
              help="Observer X (easting) in the DEM's CRS, e.g. --x 292670; not a longitude.")
@click.option("--y", "y", type=FiniteFloat(), required=True, metavar="METRES",
              help="Observer Y (northing) in the DEM's CRS, e.g. --y 2367738; not a latitude.")
@click.option("--observer-height", type=FiniteFloat(min=0.0), default=2.0, show_default=True, metavar="METRES",
              help="Observer (antenna) height above ground, like gdal_viewshed -oz, e.g. 30.")
@click.option("--target-height", type=FiniteFloat(min=0.0), default=0.0, show_default=True, metavar="METRES",
              help="Target height above ground, like -tz, e.g. 1.5 for a handset.")
@click.option("--max-distance", type=FiniteFloat(min=0.0, min_open=True), required=True, metavar="METRES",
              help="Radius, like -md, e.g. 30000.")
@click.option("--k-factor", "--k", "k", type=FiniteFloat(min=0.0, min_open=True, allow_inf=True), default=4.0 / 3.0,
              metavar="FACTOR",
              help="Effective earth radius factor (the project file's k_factor), default 4/3 (gdal_viewshed -cc = "
                   "1/k: 0.75; inf = flat earth). --k is the same option (in `run`, --k is the number of mobile sites).")
@click.option("--sector", nargs=2, type=FiniteFloat(), default=None, metavar="START END",
              help="Only azimuths from START clockwise to END, degrees from grid north, e.g. --sector 300 60.")
@handle_errors
def viewshed_command(dem, out, x, y, observer_height, target_height, max_distance, k, sector):
    """Visibility from one observer: uint8 GeoTIFF, 1 visible, 0 hidden, 255 outside/nodata.

    DEM is a projected (metre) north-up raster; OUT the GeoTIFF to write (its folder is created if needed).

    \b
    Example (the sample's DEM, a 30 m mast near Điện Biên Phủ):
      coverage-planner viewshed data/sample/dien_bien/dem.tif viewshed.tif \\
          --x 292670 --y 2367738 --observer-height 30 --max-distance 30000
    """
    from analysis.viewshed import viewshed
    from coverage_planner import io

    refuse_overwriting_inputs(out, dem)
    arr, cs, transform, crs = _load_dem(dem)
    r, c = _cell_of(transform, arr.shape, x, y, dem, "the observer", crs, options=True)
    vs = _analysis(viewshed, arr, r, c, cellsize=cs, observer_height=observer_height, target_height=target_height,
                   max_distance=max_distance, k=k, sector=tuple(sector) if sector else None)
    io.write_geotiff(out, vs, transform, crs, nodata=255,
                     tags={"observer_x": x, "observer_y": y, "observer_height": observer_height,
                           "target_height": target_height, "max_distance": max_distance, "k": k})
    n_in = int((vs != 255).sum())
    n_vis = int((vs == 1).sum())
    click.echo(f"{out}: {n_vis} of {n_in} cells visible ({100.0 * n_vis / max(n_in, 1):.1f} %)")


@main.command("coverage", short_help="Received level (dBm) of one tower or site on a DEM.")
@click.argument("dem", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--tower-file", type=click.Path(exists=True, dir_okay=False, readable=True), required=True,
              help="Towers table (CSV/XLSX/GeoJSON/GPKG/SHP), as the project's, e.g. --tower-file towers.csv.")
@click.option("--tower-id", "tower_ids", required=True, multiple=True, metavar="ID",
              help="Tower id, e.g. --tower-id VTL-DBP-001-A; a site id (VTL-DBP-001) takes all its sectors; "
                   "repeat or comma-separate for several (best level per cell).")
@click.option("--model", type=click.Choice(MODELS), default="deygout", show_default=True,
              help="Path-loss model: deygout = free space + up to 3 terrain edges (ITU-R P.526), as `run`; "
                   "knife_edge = one edge; free_space = terrain ignored; hata / cost231 = Okumura-Hata "
                   "(150-1500 MHz) / COST-231 (1500-2000 MHz), for comparison.")
@click.option("--max-distance", type=FiniteFloat(min=0.0, min_open=True), default=35000.0, show_default=True,
              metavar="METRES", help="Radius around the tower, e.g. 30000.")
@click.option("--k-factor", "--k", "k", type=FiniteFloat(min=0.0, min_open=True, allow_inf=True), default=4.0 / 3.0,
              metavar="FACTOR", help="Effective earth radius factor (the project file's k_factor), default 4/3 (inf = "
                                     "flat earth). --k is the same option (in `run`, --k is the number of mobile sites).")
@click.option("--receiver-height", type=FiniteFloat(min=0.0), default=1.5, show_default=True, metavar="METRES",
              help="Receiver (handset) height above ground.")
@click.option("--receiver-gain", type=FiniteFloat(), default=0.0, show_default=True, metavar="DBI",
              help="Receiver antenna gain (dBi).")
@click.option("--margin", type=FiniteFloat(), default=3.0, show_default=True, metavar="DB",
              help="Body + indoor margins (dB); 3 = the project's default body loss, so levels match `run`.")
@click.option("--source-crs", default=None, metavar="CRS",
              help="CRS of the x/y columns of the towers file, e.g. EPSG:32648 for UTM 48N metres "
                   "(default: lon/lat, WGS 84).")
@handle_errors
def coverage_command(dem, out, tower_file, tower_ids, model, max_distance, k, receiver_height, receiver_gain, margin,
                     source_crs):
    """Received level (dBm) of one tower: float32 GeoTIFF of its radius window, NaN = not reached.

    DEM is a projected (metre) north-up raster; OUT the GeoTIFF to write (its folder is created if needed).

    \b
    Example (the sample's DEM and towers, the three sectors of one site):
      coverage-planner coverage data/sample/dien_bien/dem.tif level.tif \\
          --tower-file data/sample/dien_bien/towers.csv --tower-id VTL-DBP-001
    """
    import numpy as np

    from analysis.linkbudget import LinkParams, RadioSite, received_level
    from coverage_planner import io
    from coverage_planner.inputs import load_towers

    refuse_overwriting_inputs(out, dem, tower_file)
    if source_crs is not None:
        from pyproj import CRS

        try:
            CRS.from_user_input(source_crs)
        except Exception as exc:
            raise click.BadParameter(f"unknown CRS {source_crs!r} ({exc}); e.g. EPSG:4326 or EPSG:32648",
                                     param_hint="--source-crs") from exc
    arr, cs, transform, crs = _load_dem(dem)
    towers = load_towers(tower_file, crs=crs, source_crs=source_crs)
    chosen = _select_towers(towers, tower_ids, tower_file)
    rows = towers[towers["id"].astype(str).isin(chosen)]
    tower_id = ",".join(chosen)
    params = LinkParams(model=model, k=k, max_distance_m=max_distance, receiver_height_m=receiver_height,
                        receiver_gain_dbi=receiver_gain, margin_db=margin)
    windows = []
    for _, t in rows.iterrows():
        r, c = _cell_of(transform, arr.shape, float(t.geometry.x), float(t.geometry.y), tower_file,
                        f"tower {t.id} (row {t.source_row})", crs)
        az = float(t.azimuth_deg)
        site = RadioSite(row=r, col=c, height_m=float(t.height_m), frequency_mhz=float(t.frequency_mhz),
                         eirp_dbm=float(t.eirp_dbm), azimuth_deg=None if math.isnan(az) else az,
                         beamwidth_deg=float(t.beamwidth_deg), front_to_back_db=float(t.front_to_back_db),
                         mech_tilt_deg=float(t.mech_tilt_deg), elec_tilt_deg=float(t.elec_tilt_deg),
                         vertical_beamwidth_deg=float(t.vertical_beamwidth_deg))
        windows.append(_analysis(received_level, arr, site, params, cellsize=cs))
    # union of the sectors' windows, best level per cell
    r0 = min(w.row0 for w in windows)
    c0 = min(w.col0 for w in windows)
    r1 = max(w.row0 + w.shape[0] for w in windows)
    c1 = max(w.col0 + w.shape[1] for w in windows)
    lv = np.full((r1 - r0, c1 - c0), np.nan, np.float32)
    for w in windows:
        sl = (slice(w.row0 - r0, w.row0 - r0 + w.shape[0]), slice(w.col0 - c0, w.col0 - c0 + w.shape[1]))
        lv[sl] = np.fmax(lv[sl], w.level_dbm)
    from affine import Affine

    io.write_geotiff(out, lv, transform @ Affine.translation(c0, r0), crs, nodata=float("nan"),
                     tags={"tower_id": tower_id, "model": model, "units": "dBm", "sectors": len(windows)})
    click.echo(f"{Path(out)}: {lv.shape[1]}×{lv.shape[0]} cells, level {np.nanmin(lv):.1f} … {np.nanmax(lv):.1f} dBm")
