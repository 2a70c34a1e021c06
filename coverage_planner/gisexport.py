"""GIS and table outputs of a run: GeoTIFFs, one GeoPackage, CSV and XLSX tables.

Every file is written atomically through :mod:`coverage_planner.io`. Layer and attribute names are
documented for QGIS users in docs/OUTPUTS.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from coverage_planner import gisstyles, io
from coverage_planner.errors import OutputError
from coverage_planner.results import Results

LEVEL_NODATA = -9999.0


#: Names of every file a run may write into its output folder (plus ``best_level_<group>_dbm.tif`` and its
#: ``.qml``). A ``.qml`` next to a raster is its QGIS style (QGIS applies it when the raster is added).
OUTPUT_NAMES = frozenset({
    "best_level_dbm.tif", "best_server.tif", "server_count.tif", "proposed_sites_level_dbm.tif", "coverage.gpkg",
    "best_level_dbm.qml", "best_server.qml", "server_count.qml", "proposed_sites_level_dbm.qml",
    "polling_stations.csv", "communes.csv", "towers.csv", "proposed_sites.csv", "unreachable_stations.csv",
    "placement_summary.csv", "contingency_plan.csv", "coverage_tables.xlsx", "coverage_map.html", "gap_report_vi.pdf", "gap_report_en.pdf",
})  # fmt: skip
_GROUP_RASTER = re.compile(r"^best_level_.+_dbm\.(?:tif|qml)$")


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
    """The GeoTIFFs, each with its band described (what, unit) and a QGIS style ``<name>.qml`` next to it."""
    out = Path(out_dir)
    g = results.grid
    files: dict[str, Path] = {}
    if results.best_level is None:
        return files
    tags = {"units": "dBm", "software": results.parameters.get("software", "coverage-planner")}
    level_style = gisstyles.level_qml()

    def level(key: str, name: str, arr, what: str) -> None:
        files[key] = io.write_geotiff(out / f"{name}.tif", _level(arr), g.transform, g.crs, nodata=LEVEL_NODATA,
                                      tags=tags, description=what, units="dBm")
        files[key + "_style"] = io.write_text(out / f"{name}.qml", level_style)

    level("best_level", "best_level_dbm", results.best_level, "best received level over the on-air towers (dBm)")
    files["best_server"] = io.write_geotiff(
        out / "best_server.tif", results.best_server.astype(np.int32), g.transform, g.crs, nodata=-1,
        tags={"values": "row index in the towers layer (fid - 1) = raster_value in towers.csv"},
        description="best server: raster_value of the tower in the towers layer / towers.csv")
    files["best_server_style"] = io.write_text(out / "best_server.qml", gisstyles.server_qml(results.towers))
    files["server_count"] = io.write_geotiff(
        out / "server_count.tif", results.n_servers.astype(np.uint16), g.transform, g.crs, nodata=None,
        tags={"values": "towers at or above the weak threshold"},
        description="towers at or above the weak threshold of their technology", units="towers")
    files["server_count_style"] = io.write_text(out / "server_count.qml", gisstyles.server_count_qml())
    for name, arr in sorted(results.group_levels.items()):
        key = "best_level_" + _safe(name)
        level(key, f"{key}_dbm", arr, f"best received level, {name} (dBm)")
    if results.proposal_level is not None:
        level("proposal_level", "proposed_sites_level_dbm", results.proposal_level,
              "best received level from the proposed mobile stations (dBm)")
    return files


def _plain_table(gdf) -> pd.DataFrame:
    df = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name], errors="ignore")) if hasattr(gdf, "geometry") else pd.DataFrame(gdf)
    for c in df.columns:
        if df[c].dtype == bool:
            df[c] = df[c].astype(int)
    return df


#: Geometry type of each layer, for a layer written without features.
GEOMETRY_TYPES = {"towers": "Point", "polling_stations": "Point", "communes": "MultiPolygon", "gap_areas": "Polygon",
                  "proposed_sites": "Point", "contingency_sites": "Point", "national_border": "LineString",
                  "roads": "LineString", "unreachable_stations": "Point"}  # fmt: skip
#: Column types of the layers that may have no features (an empty table would make every column text).
_EMPTY_TYPES = {
    "rank": "int64", "lon": "float64", "lat": "float64", "x": "float64", "y": "float64", "elevation_m": "float64",
    "n_stations": "int64", "voters_covered": "int64", "weight_covered": "float64", "backhaul_distance_km": "float64",
    "backhaul_clearance": "float64", "area_km2": "float64", "nearest_tower_km": "float64",
}  # fmt: skip


def towers_table(towers) -> pd.DataFrame:
    """The towers with ``raster_value``: the value of the tower in best_server.tif (its row, from 0)."""
    out = towers.copy()
    out["raster_value"] = np.arange(len(out), dtype=np.int64)
    return out


def layers(results: Results) -> dict:
    """The vector layers of the GeoPackage, in the analysis CRS. When placement ran, ``gap_areas``,
    ``proposed_sites`` and ``unreachable_stations`` are there even without features (typed columns), so a QGIS
    project built on one run still opens on a run that proposes nothing."""
    import geopandas as gpd

    out = {
        "towers": towers_table(results.towers),
        "polling_stations": results.stations,
        "communes": results.communes,
    }
    if results.gaps is not None:
        out["gap_areas"] = results.gaps
    if results.proposals is not None:
        out["proposed_sites"] = results.proposals
    if results.contingency is not None and len(results.contingency):
        out["contingency_sites"] = results.contingency  # point: the mobile site that restores (empty: none)
    if results.border is not None and len(results.border):
        out["national_border"] = results.border
    if results.roads is not None and len(results.roads):
        out["roads"] = results.roads
    if results.unreachable is not None:
        st = results.stations.set_index("id")
        un = results.unreachable.copy()
        out["unreachable_stations"] = gpd.GeoDataFrame(un, geometry=list(st.loc[un["id"], "geometry"]),
                                                       crs=results.stations.crs)
    clean = {}
    for name, gdf in out.items():
        gdf = gdf.copy()
        for c in gdf.columns:
            if c == gdf.geometry.name:
                continue
            if len(gdf) == 0:
                gdf[c] = gdf[c].astype(_EMPTY_TYPES.get(c, "object"))
            elif gdf[c].dtype == object:
                gdf[c] = gdf[c].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        if gdf.crs is None:
            gdf = gdf.set_crs(results.stations.crs)
        clean[name] = gdf
    return clean


def _summary_value(v):
    """A placement_summary value as Excel and the CSV should hold it: 0/1 for yes/no, numbers as numbers."""
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v)
    return str(v)


#: Excel number format of a numeric column, by its name (the value is stored in full; only the display changes).
def number_format(col: str) -> str | None:
    if col.endswith(("lon", "lat")):
        return "0.00000"  # ~1 m, as the report and the console
    if col in ("x", "y") or col.endswith(("_x", "_y")):
        return "0"
    if col.endswith("_dbm"):
        return "0.0"
    if col.endswith("_m"):
        return "0.0"
    if col.endswith(("_km", "_km2", "_clearance")):
        return "0.00"
    if col.endswith("_pct"):
        return "0.0"
    if col.startswith(("voters", "n_")) or col in ("stations_good", "stations_weak", "stations_none"):
        return "#,##0"
    return None


def write_tables(results: Results, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    tables = {
        "polling_stations": _plain_table(results.stations),
        "communes": _plain_table(results.communes),
        "towers": _plain_table(towers_table(results.towers)),
    }
    if results.proposals is not None:
        tables["proposed_sites"] = _plain_table(results.proposals)
    if results.unreachable is not None:
        tables["unreachable_stations"] = pd.DataFrame(results.unreachable)
    if results.contingency is not None:
        tables["contingency_plan"] = _plain_table(results.contingency)
    if results.placement_summary:
        tables["placement_summary"] = pd.DataFrame(
            {"item": list(results.placement_summary),
             "value": pd.Series([_summary_value(v) for v in results.placement_summary.values()], dtype=object)}
        )
    files = {name: io.write_csv(df, out / f"{name}.csv") for name, df in tables.items()}
    files["xlsx"] = io.write_xlsx(tables, out / "coverage_tables.xlsx", number_format=number_format)
    return files


def export_all(results: Results, out_dir: str | Path) -> dict[str, Path]:
    """Write every GIS and table output into ``out_dir``; returns {name: path}."""
    out = Path(out_dir)
    planned = [out / n for n in OUTPUT_NAMES]
    planned += [out / f"best_level_{_safe(name)}_dbm.{ext}" for name in results.group_levels for ext in ("tif", "qml")]
    io.refuse_inputs(planned)  # before the first file: a refused export leaves nothing behind
    files = write_rasters(results, out)
    created = getattr(results, "created", None)
    files["gpkg"] = io.write_gpkg(layers(results), out / "coverage.gpkg", geometry_types=GEOMETRY_TYPES,
                                  styles=gisstyles.layer_styles(),
                                  style_time=created.strftime("%Y-%m-%dT%H:%M:%S") if created else None)
    files.update(write_tables(results, out))
    return files
