"""GIS and table outputs of a run: GeoTIFFs, one GeoPackage, CSV and XLSX tables.

Every file is written atomically through :mod:`coverage_planner.io`. Layer and attribute names are
documented for QGIS users in docs/OUTPUTS.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coverage_planner import io
from coverage_planner.errors import OutputError
from coverage_planner.results import Results

LEVEL_NODATA = -9999.0


#: Names of every file a run may write into its output folder (plus ``best_level_<group>_dbm.tif``).
OUTPUT_NAMES = frozenset({
    "best_level_dbm.tif", "best_server.tif", "server_count.tif", "proposed_sites_level_dbm.tif", "coverage.gpkg",
    "polling_stations.csv", "communes.csv", "towers.csv", "proposed_sites.csv", "unreachable_stations.csv",
    "placement_summary.csv", "contingency_plan.csv", "coverage_tables.xlsx", "coverage_map.html", "gap_report_vi.pdf", "gap_report_en.pdf",
})  # fmt: skip
_GROUP_RASTER = re.compile(r"^best_level_.+_dbm\.tif$")


def check_output_folder(out_dir: str | Path, project) -> None:
    """Refuse, before any work, an output folder where a run would replace one of the project's input files
    (e.g. ``--out`` = the project folder whose stations file is named ``polling_stations.csv``)."""
    import os

    out = Path(out_dir)
    if not out.is_dir():
        return
    for _key, ref in project.inputs.refs():
        path = Path(ref)
        name = path.name
        if (name in OUTPUT_NAMES or _GROUP_RASTER.match(name)) and path.exists() and (out / name).exists() \
                and os.path.samefile(out / name, path):
            raise OutputError(
                f"the output folder {out} holds the input file {name}, which the run would replace with its own "
                f"{name}; inputs are never overwritten. How to fix: choose another output folder (--out, or "
                "output_dir in the project file)"
            )


#: The files of :func:`export_all` (the GIS and table outputs), without the map and the reports.
GIS_NAMES = OUTPUT_NAMES - {"coverage_map.html", "gap_report_vi.pdf", "gap_report_en.pdf"}


def run_outputs(outputs, lang: str) -> tuple[list[str], list[str]]:
    """(names, name patterns) of the files a run writes into its output folder: ``outputs`` holds "gis", "map"
    and/or "report" (the report of language ``lang``). For :func:`coverage_planner.io.claimed_outputs`."""
    names: set[str] = set()
    if "gis" in outputs:
        names |= GIS_NAMES
    if "map" in outputs:
        names.add("coverage_map.html")
    if "report" in outputs:
        names.add(f"gap_report_{lang}.pdf")
    return sorted(names), ([_GROUP_RASTER.pattern] if "gis" in outputs else [])


def export_targets(kind: str, dest: str | Path) -> tuple[Path, list[str], list[str]]:
    """What one export writes: (folder, names, name patterns), for :func:`coverage_planner.io.foreign_outputs`
    (files there the tool did not write, before writing) and :func:`coverage_planner.io.claimed_outputs` (list
    what it wrote). ``kind`` "gis": ``dest`` is the folder of :func:`export_all`'s files (the names of
    :func:`run_outputs`, as the command line's run); "map" or "report": ``dest`` is the one file, under whatever
    name the user chose."""
    if kind == "gis":
        return (Path(dest), *run_outputs({"gis"}, "en"))  # no report: the language changes no name
    if kind in ("map", "report"):
        return Path(dest).parent, [Path(dest).name], []
    raise ValueError(f"unknown export kind {kind!r}: gis, map or report")


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()


def _level(arr: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(arr), arr, LEVEL_NODATA).astype(np.float32)


def write_rasters(results: Results, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    g = results.grid
    files: dict[str, Path] = {}
    if results.best_level is None:
        return files
    tags = {"units": "dBm", "software": results.parameters.get("software", "coverage-planner")}
    files["best_level"] = io.write_geotiff(out / "best_level_dbm.tif", _level(results.best_level), g.transform, g.crs,
                                           nodata=LEVEL_NODATA, tags=tags)
    files["best_server"] = io.write_geotiff(out / "best_server.tif", results.best_server.astype(np.int32), g.transform,
                                            g.crs, nodata=-1, tags={"values": "row index in the towers layer (fid - 1)"})
    files["server_count"] = io.write_geotiff(out / "server_count.tif", results.n_servers.astype(np.uint16), g.transform,
                                             g.crs, nodata=None, tags={"values": "towers at or above the weak threshold"})
    for name, arr in sorted(results.group_levels.items()):
        key = "best_level_" + _safe(name)
        files[key] = io.write_geotiff(out / f"{key}_dbm.tif", _level(arr), g.transform, g.crs, nodata=LEVEL_NODATA, tags=tags)
    if results.proposal_level is not None:
        files["proposal_level"] = io.write_geotiff(out / "proposed_sites_level_dbm.tif", _level(results.proposal_level),
                                                   g.transform, g.crs, nodata=LEVEL_NODATA, tags=tags)
    return files


def _plain_table(gdf) -> pd.DataFrame:
    df = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name], errors="ignore")) if hasattr(gdf, "geometry") else pd.DataFrame(gdf)
    for c in df.columns:
        if df[c].dtype == bool:
            df[c] = df[c].astype(int)
    return df


def layers(results: Results) -> dict:
    """The vector layers of the GeoPackage, in the analysis CRS."""
    import geopandas as gpd

    out = {
        "towers": results.towers,
        "polling_stations": results.stations,
        "communes": results.communes,
    }
    if results.gaps is not None and len(results.gaps):
        out["gap_areas"] = results.gaps
    if results.proposals is not None and len(results.proposals):
        out["proposed_sites"] = results.proposals
    if results.contingency is not None and len(results.contingency):
        out["contingency_sites"] = results.contingency  # point: the mobile site that restores (empty: none)
    if results.border is not None and len(results.border):
        out["national_border"] = results.border
    if results.roads is not None and len(results.roads):
        out["roads"] = results.roads
    if results.unreachable is not None and len(results.unreachable):
        st = results.stations.set_index("id")
        un = results.unreachable.copy()
        out["unreachable_stations"] = gpd.GeoDataFrame(un, geometry=list(st.loc[un["id"], "geometry"]),
                                                       crs=results.stations.crs)
    clean = {}
    for name, gdf in out.items():
        gdf = gdf.copy()
        for c in gdf.columns:
            if c != gdf.geometry.name and gdf[c].dtype == object:
                gdf[c] = gdf[c].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        clean[name] = gdf
    return clean


def write_tables(results: Results, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    tables = {
        "polling_stations": _plain_table(results.stations),
        "communes": _plain_table(results.communes),
        "towers": _plain_table(results.towers),
    }
    if results.proposals is not None:
        tables["proposed_sites"] = _plain_table(results.proposals)
    if results.unreachable is not None:
        tables["unreachable_stations"] = pd.DataFrame(results.unreachable)
    if results.contingency is not None:
        tables["contingency_plan"] = _plain_table(results.contingency)
    if results.placement_summary:
        tables["placement_summary"] = pd.DataFrame(
            {"item": list(results.placement_summary), "value": [str(v) for v in results.placement_summary.values()]}
        )
    files = {name: io.write_csv(df, out / f"{name}.csv") for name, df in tables.items()}
    files["xlsx"] = io.write_xlsx(tables, out / "coverage_tables.xlsx")
    return files


def export_all(results: Results, out_dir: str | Path) -> dict[str, Path]:
    """Write every GIS and table output into ``out_dir``; returns {name: path}."""
    out = Path(out_dir)
    planned = [out / n for n in OUTPUT_NAMES]
    planned += [out / f"best_level_{_safe(name)}_dbm.tif" for name in results.group_levels]
    io.refuse_inputs(planned)  # before the first file: a refused export leaves nothing behind
    files = write_rasters(results, out)
    files["gpkg"] = io.write_gpkg(layers(results), out / "coverage.gpkg")
    files.update(write_tables(results, out))
    return files
