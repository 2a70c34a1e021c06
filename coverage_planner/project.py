"""The project file: a TOML document that says which inputs to use and every analysis setting.

Paths in the file are relative to the file itself. :func:`load_project` validates keys (unknown keys are an
error, with a "did you mean" suggestion) and value ranges; :func:`save_project` writes it back atomically so that
``load → save → load`` gives an equal :class:`Project`. Defaults (and where they come from) are documented in
``docs/INPUTS.md``; each one can be overridden in the file.

Example::

    [project]
    name = "Điện Biên 2026"
    province = "Điện Biên"
    crs = "auto"            # or "EPSG:32648"
    resolution_m = 90
    output_dir = "output"

    [inputs]
    towers = "towers.csv"
    stations = "polling_stations.csv"
    communes = "communes.geojson"
    terrain = ["N21E102.hgt", "N21E103.hgt"]
    border = "border.geojson"
    roads = { path = "roads.csv", crs = "EPSG:32648" }     # per-input CRS for x/y tables

    [radio.defaults.4G]
    eirp_dbm = 56
"""

from __future__ import annotations

import contextvars
import copy
import difflib
import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from coverage_planner.errors import ProjectError
from coverage_planner.landcover import WORLDCOVER, ClutterClass

TECHNOLOGIES = ("2G", "3G", "4G")
MODELS = ("free_space", "knife_edge", "deygout", "hata", "cost231")
HATA_ENVIRONMENTS = ("urban", "suburban", "rural")
VECTOR_INPUTS = ("towers", "stations", "communes", "border", "roads", "towns", "candidates")
RASTER_INPUTS = ("terrain", "clutter")
INPUT_KEYS = ("towers", "stations", "communes", "terrain", "border", "roads", "towns", "candidates", "clutter")
#: The inputs as English messages name them (the desktop app's Inputs panel: gui/docks.py), not by their keys
INPUT_LABELS = {"towers": "Towers (BTS)", "stations": "Polling stations", "communes": "Communes",
                "terrain": "Terrain (DEM)", "border": "National border", "roads": "Roads", "towns": "Towns",
                "candidates": "Candidate sites", "clutter": "Land cover"}


# --------------------------------------------------------------------------------------------------------
# dataclasses
# --------------------------------------------------------------------------------------------------------
@dataclass
class InputRef:
    """One input file: ``path`` resolved against the project folder, ``raw`` as written in the file.

    ``crs`` declares the CRS of x/y columns (tables) or overrides a vector file's missing CRS; ``layer``
    picks a GeoPackage layer. An ``InputRef`` is path-like: ``open(ref)`` and ``Path(ref)`` work.
    """

    path: Path
    raw: str
    crs: str | None = None
    layer: str | None = None

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)

    def to_toml(self) -> str | dict:
        if self.crs is None and self.layer is None:
            return self.raw
        d: dict[str, Any] = {"path": self.raw}
        if self.crs is not None:
            d["crs"] = self.crs
        if self.layer is not None:
            d["layer"] = self.layer
        return d


@dataclass
class InputPaths:
    """``[inputs]``: towers, stations, communes and terrain are needed to run; the rest are optional."""

    towers: InputRef | None = None
    stations: InputRef | None = None
    communes: InputRef | None = None
    terrain: list[InputRef] = field(default_factory=list)
    border: InputRef | None = None
    roads: InputRef | None = None
    towns: InputRef | None = None
    candidates: InputRef | None = None
    clutter: InputRef | None = None

    def refs(self) -> list[tuple[str, InputRef]]:
        """Every input file the project names, as (key, reference), each terrain file on its own."""
        out: list[tuple[str, InputRef]] = []
        for key in INPUT_KEYS:
            val = getattr(self, key)
            if key == "terrain":
                out += [(key, r) for r in val]
            elif val is not None:
                out.append((key, val))
        return out


@dataclass
class TechDefaults:
    """Radio values used for a tower when its row leaves them empty (per technology)."""

    frequency_mhz: float
    height_m: float = 30.0
    eirp_dbm: float = 58.0
    antenna_gain_dbi: float = 17.0  # only used to turn a Tx power column into EIRP
    losses_db: float = 3.0  # feeder/connector losses, same use
    beamwidth_deg: float = 65.0
    front_to_back_db: float = 25.0
    vertical_beamwidth_deg: float = 7.0
    mech_tilt_deg: float = 2.0
    elec_tilt_deg: float = 0.0


def _default_tech() -> dict[str, TechDefaults]:
    return {
        "2G": TechDefaults(frequency_mhz=900.0),
        "3G": TechDefaults(frequency_mhz=2100.0),
        "4G": TechDefaults(frequency_mhz=1800.0),
    }


@dataclass
class RadioSettings:
    model: str = "deygout"
    k_factor: float = 4.0 / 3.0
    max_distance_m: float = 35000.0
    receiver_height_m: float = 1.5
    receiver_gain_dbi: float = 0.0
    body_loss_db: float = 3.0
    indoor_loss_db: float = 0.0
    vegetation_db_per_km: float = 0.0
    vegetation_max_db: float = 0.0
    vegetation_height_m: float = 15.0  # canopy height: vegetation loss applies where the path runs below it
    hata_environment: str = "rural"  # Hata/COST-231 only: urban, suburban, rural (open)
    default_technology: str = "4G"
    defaults: dict[str, TechDefaults] = field(default_factory=_default_tech)


@dataclass
class Thresholds:
    good_dbm: float
    weak_dbm: float


def _default_thresholds() -> dict[str, Thresholds]:
    return {
        "2G": Thresholds(good_dbm=-85.0, weak_dbm=-100.0),
        "3G": Thresholds(good_dbm=-85.0, weak_dbm=-100.0),
        "4G": Thresholds(good_dbm=-75.0, weak_dbm=-90.0),
    }


@dataclass
class CommuneSettings:
    border_distance_m: float = 5000.0
    remote_distance_m: float = 10000.0


@dataclass
class PlacementSettings:
    k: int = 10
    mast_height_m: float = 20.0
    eirp_dbm: float = 55.0
    technology: str = "4G"
    frequency_mhz: float | None = None  # None: the technology's default frequency
    border_weight: float = 2.0
    remote_weight: float = 1.5
    restore_weight: float = 5.0  # failure scenario: weight multiplier of the stations the failure cut off
    candidate_max_distance_m: float = 8000.0
    max_slope_deg: float = 15.0
    candidate_spacing_m: float = 500.0
    backhaul_range_m: float = 30000.0
    backhaul_frequency_mhz: float = 7000.0
    backhaul_mast_height_m: float = 20.0
    coverage_radius_m: float = 15000.0  # computation radius of a mobile station (reciprocal path-loss windows)
    solver_time_limit_s: float = 30.0  # per MILP solve (k sites, minimum sites); the greedy plan is kept if better


@dataclass
class ScenarioSettings:
    name: str = "baseline"
    down: list[str] = field(default_factory=list)


@dataclass
class Project:
    """A loaded project file. ``path`` is the file it came from (``None`` for a new project)."""

    path: Path | None = None
    name: str = "Untitled project"
    province: str = ""
    crs: str = "auto"
    resolution_m: float = 90.0
    output_dir_raw: str = "output"
    inputs: InputPaths = field(default_factory=InputPaths)
    radio: RadioSettings = field(default_factory=RadioSettings)
    thresholds: dict[str, Thresholds] = field(default_factory=_default_thresholds)
    communes: CommuneSettings = field(default_factory=CommuneSettings)
    placement: PlacementSettings = field(default_factory=PlacementSettings)
    scenario: ScenarioSettings = field(default_factory=ScenarioSettings)
    # [clutter.classes]: land-cover class code → vegetation parameters (used with [inputs] clutter)
    clutter_classes: dict[int, ClutterClass] = field(default_factory=lambda: dict(WORLDCOVER))

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def output_dir(self) -> Path:
        """The output folder, resolved against the project folder (``output_dir_raw`` as written in the file)."""
        p = Path(self.output_dir_raw).expanduser()
        return p if p.is_absolute() else (self.folder / p)

    @output_dir.setter
    def output_dir(self, value: str | os.PathLike) -> None:
        self.output_dir_raw = Path(value).as_posix() if not isinstance(value, str) else value

    def tech_defaults(self, technology: str) -> TechDefaults:
        return self.radio.defaults[technology]

    def placement_frequency_mhz(self) -> float:
        f = self.placement.frequency_mhz
        return float(f) if f is not None else self.radio.defaults[self.placement.technology].frequency_mhz

    def resolve(self, raw: str) -> Path:
        p = Path(raw).expanduser()
        return p if p.is_absolute() else (self.folder / p)

    def set_input(self, key: str, raw: str | list[str] | None, *, crs: str | None = None, layer: str | None = None):
        """Set (or clear with ``None``) an input path given relative to the project folder or absolute."""
        if key not in INPUT_KEYS:
            raise ProjectError(f"unknown input '{key}'", hint=_suggest(key, INPUT_KEYS))
        if key == "terrain":
            items = [] if raw is None else ([raw] if isinstance(raw, (str, os.PathLike)) else list(raw))
            self.inputs.terrain = [InputRef(self.resolve(str(r)), str(r)) for r in items]
        else:
            setattr(self.inputs, key, None if raw is None else InputRef(self.resolve(str(raw)), str(raw), crs, layer))

    def to_dict(self) -> dict:
        """The project as the nested dict written to TOML (relative paths as given)."""
        out: dict[str, Any] = {
            "project": {
                "name": self.name,
                "province": self.province,
                "crs": self.crs,
                "resolution_m": self.resolution_m,
                "output_dir": self.output_dir_raw,
            }
        }
        inputs: dict[str, Any] = {}
        for key in INPUT_KEYS:
            val = getattr(self.inputs, key)
            if key == "terrain":
                if len(val) == 1:
                    inputs[key] = val[0].to_toml()
                elif val:
                    inputs[key] = [v.to_toml() for v in val]
            elif val is not None:
                inputs[key] = val.to_toml()
        out["inputs"] = inputs
        radio = _plain(self.radio)
        radio["defaults"] = {t: _plain(d) for t, d in self.radio.defaults.items()}
        out["radio"] = radio
        out["thresholds"] = {t: _plain(v) for t, v in self.thresholds.items()}
        out["communes"] = _plain(self.communes)
        out["placement"] = _plain(self.placement)
        out["scenario"] = _plain(self.scenario)
        if self.clutter_classes != WORLDCOVER:  # the default table is not repeated in every file
            out["clutter"] = {"classes": {str(code): {"name": c.name, "db_per_km": c.db_per_km, "max_db": c.max_db,
                                                      "height_m": c.height_m}
                                          for code, c in sorted(self.clutter_classes.items())}}
        return out


def _plain(obj) -> dict:
    d = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if v is None or f.name == "defaults":
            continue
        d[f.name] = list(v) if isinstance(v, (list, tuple)) else v
    return d


# --------------------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------------------
def _suggest(key: str, allowed) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return hint + "allowed keys: " + ", ".join(allowed)


#: While :func:`project_from_dict` runs: the problems found so far, so that every one is reported at once (a
#: value that is wrong is replaced by its default and reading goes on). None outside it: problems raise at once.
_PROBLEMS: contextvars.ContextVar[list | None] = contextvars.ContextVar("project_problems", default=None)


def _problem(exc: ProjectError, default=None):
    """Record ``exc`` (and go on with ``default``) while a whole project file is read; else raise it."""
    found = _PROBLEMS.get()
    if found is None:
        raise exc
    found.append(exc)
    return default


class _Section:
    """Reads one TOML table, checking types, ranges and unknown keys."""

    def __init__(self, data: Any, name: str, path: Path | None, allowed):
        self.name = name
        self.path = path
        if data is None:
            data = {}
        if not isinstance(data, dict):
            _problem(ProjectError(f"[{name}] must be a table, got {type(data).__name__}", path=path,
                                  hint=f"write it as [{name}] key = value"))
            data = {}
        self.data = data
        for key in list(data) if allowed is not None else ():  # allowed None: any key (e.g. class codes)
            if key not in allowed:
                field = key if name == "top level" else f"{name}.{key}"  # a misspelt section: "placment"
                _problem(ProjectError(f"unknown key '{key}' in section [{name}]", path=path, field=field,
                                      hint=_suggest(key, allowed)))

    def _err(self, key, msg, hint=None):
        return ProjectError(msg, path=self.path, field=f"{self.name}.{key}", hint=hint)

    def number(self, key, default, lo=None, hi=None, *, integer=False, allow_none=False, range_hint=None):
        if key not in self.data:
            return default
        v = self.data[key]
        if allow_none and v in ("", "auto"):
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return _problem(self._err(key, f"must be a number, got {v!r}", hint=f"write e.g. {key} = {default}"), default)
        if integer and (not float(v).is_integer()):
            return _problem(self._err(key, f"must be a whole number, got {v!r}"), default)
        if not math.isfinite(v):
            return _problem(self._err(key, f"must be finite, got {v!r}"), default)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            hint = range_hint or f"choose a value between {lo} and {hi}"
            return _problem(self._err(key, f"{v} is out of range [{lo}, {hi}]", hint=hint), default)
        return int(v) if integer else float(v)

    def string(self, key, default, choices=None):
        if key not in self.data:
            return default
        v = self.data[key]
        if not isinstance(v, str):
            return _problem(self._err(key, f"must be a text in quotes, got {v!r}"), default)
        if choices is not None:
            norm = {c.lower(): c for c in choices}
            if v.lower() not in norm:
                return _problem(self._err(key, f"'{v}' is not one of {', '.join(choices)}", hint=_suggest(v, choices)), default)
            v = norm[v.lower()]
        return v


#: ``[placement] k`` meaning "as few sites as needed": the minimum number of mobile sites that reaches every
#: station a site can reach (the command line's ``--k -1``).
K_AS_FEW_AS_NEEDED = -1


def _sites_k(s: _Section, default: int) -> int:
    """``[placement] k``: a number of sites from 1 to 1000, or -1 (:data:`K_AS_FEW_AS_NEEDED`)."""
    v = s.data.get("k")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == K_AS_FEW_AS_NEEDED:
        return K_AS_FEW_AS_NEEDED
    return s.number("k", default, 1, 1000, integer=True,
                    range_hint="choose a value between 1 and 1000, or -1 for as few sites as needed")


def _check_crs(value: str, path, field_name: str) -> str:
    if value == "auto":
        return value
    from pyproj import CRS
    from pyproj.exceptions import CRSError as PyprojCRSError

    try:
        crs = CRS.from_user_input(value)
    except PyprojCRSError as exc:
        raise ProjectError(
            f"unknown CRS '{value}' ({exc})", path=path, field=field_name, hint='write crs = "auto" or e.g. "EPSG:32648"'
        ) from exc
    if field_name == "project.crs" and not crs.is_projected:
        raise ProjectError(
            f"analysis CRS '{value}' is not projected (metres are needed)",
            path=path,
            field=field_name,
            hint='use "auto" (UTM zone of the data) or a metric CRS such as "EPSG:32648" (UTM 48N)',
        )
    method = crs.coordinate_operation.method_name.lower() if crs.coordinate_operation else ""
    if field_name == "project.crs" and "mercator" in method and "transverse" not in method:
        # Web Mercator & co.: map metres are 1/cos(latitude) ground metres (7 % too long at 21° N), so every
        # distance, radius and cell size would be wrong
        raise ProjectError(
            f"analysis CRS '{value}' ({crs.name}) is a Mercator projection: its metres are not ground metres "
            "(about 7 % too long in Điện Biên), so radii, distances and areas would be wrong",
            path=path,
            field=field_name,
            hint='use "auto" (UTM zone of the data) or "EPSG:32648" (UTM 48N); VN-2000 (e.g. EPSG:3405) also works',
        )
    return value


def _input_ref(value, key, folder: Path, path) -> InputRef:
    if isinstance(value, str):
        if not value.strip():
            raise ProjectError("path is empty", path=path, field=f"inputs.{key}", hint="remove the key or give a file")
        return InputRef(_resolve(folder, value), value)
    if isinstance(value, dict):
        sec = _Section(value, f"inputs.{key}", path, ("path", "crs", "layer"))
        raw = sec.string("path", None)
        if not raw:
            raise ProjectError(
                "missing 'path'", path=path, field=f"inputs.{key}", hint=f'write {key} = {{ path = "file.csv", crs = "EPSG:32648" }}'
            )
        crs = sec.string("crs", None)
        if crs is not None:
            _check_crs(crs, path, f"inputs.{key}.crs")
        return InputRef(_resolve(folder, raw), raw, crs, sec.string("layer", None))
    raise ProjectError(
        f"must be a path in quotes, got {value!r}", path=path, field=f"inputs.{key}", hint=f'write {key} = "file.csv"'
    )


def _resolve(folder: Path, raw: str) -> Path:
    p = Path(raw).expanduser()
    return p if p.is_absolute() else folder / p


# --------------------------------------------------------------------------------------------------------
# load / save
# --------------------------------------------------------------------------------------------------------
_SECTIONS = ("project", "inputs", "radio", "thresholds", "communes", "placement", "scenario", "clutter")


def project_from_dict(data: dict, path: str | os.PathLike | None = None) -> Project:
    """Build and validate a :class:`Project` from the TOML dict (``path`` = where relative paths start).

    Every problem is reported at once: the :class:`ProjectError` raised names the first one (its ``field``,
    message and hint) and lists the others in ``problems``.
    """
    found: list[ProjectError] = []
    token = _PROBLEMS.set(found)
    try:
        project = _project_from_dict(data, path)
    except ProjectError as exc:  # a problem that stops the reading (the rest is not checked)
        found.append(exc)
    finally:
        _PROBLEMS.reset(token)
    if not found:
        return project
    first = found[0]
    if len(found) == 1:
        raise first
    others = [f"field '{e.field}': {e.message}" + (f" (how to fix: {e.hint})" if e.hint else "") if e.field
              else e.message for e in found[1:]]
    raise ProjectError(f"{first.message} — and {len(others)} more problem(s) in the project file:", path=first.path,
                       field=first.field, hint=first.hint, problems=others)


def _project_from_dict(data: dict, path: str | os.PathLike | None = None) -> Project:
    p = Path(path).resolve() if path is not None else None
    folder = p.parent if p is not None else Path.cwd()
    top = _Section(data, "top level", p, _SECTIONS)
    proj = Project(path=p)

    s = _Section(top.data.get("project"), "project", p, ("name", "province", "crs", "resolution_m", "output_dir"))
    proj.name = s.string("name", proj.name)
    proj.province = s.string("province", proj.province)
    proj.crs = _check_crs(s.string("crs", proj.crs), p, "project.crs")
    proj.resolution_m = s.number("resolution_m", proj.resolution_m, 5, 1000)
    proj.output_dir_raw = s.string("output_dir", proj.output_dir_raw)

    s = _Section(top.data.get("inputs"), "inputs", p, INPUT_KEYS)
    for key in INPUT_KEYS:
        if key not in s.data:
            continue
        v = s.data[key]
        if key == "terrain":
            items = v if isinstance(v, list) else [v]
            if not items:
                raise ProjectError("terrain list is empty", path=p, field="inputs.terrain", hint="give at least one DEM file")
            proj.inputs.terrain = [_input_ref(it, key, folder, p) for it in items]
        else:
            setattr(proj.inputs, key, _input_ref(v, key, folder, p))

    r = proj.radio
    tech_keys = tuple(f.name for f in fields(TechDefaults))
    s = _Section(top.data.get("radio"), "radio", p, tuple(f.name for f in fields(RadioSettings)))
    r.model = s.string("model", r.model, MODELS)
    r.k_factor = s.number("k_factor", r.k_factor, 0.5, 10)
    r.max_distance_m = s.number("max_distance_m", r.max_distance_m, 100, 200000)
    r.receiver_height_m = s.number("receiver_height_m", r.receiver_height_m, 0, 100)
    r.receiver_gain_dbi = s.number("receiver_gain_dbi", r.receiver_gain_dbi, -20, 30)
    r.body_loss_db = s.number("body_loss_db", r.body_loss_db, 0, 40)
    r.indoor_loss_db = s.number("indoor_loss_db", r.indoor_loss_db, 0, 60)
    r.vegetation_db_per_km = s.number("vegetation_db_per_km", r.vegetation_db_per_km, 0, 5000)  # woodland: 100–400
    r.vegetation_max_db = s.number("vegetation_max_db", r.vegetation_max_db, 0, 100)
    r.vegetation_height_m = s.number("vegetation_height_m", r.vegetation_height_m, 0, 60)
    r.hata_environment = s.string("hata_environment", r.hata_environment, HATA_ENVIRONMENTS)
    r.default_technology = s.string("default_technology", r.default_technology, TECHNOLOGIES)
    dsec = _Section(s.data.get("defaults"), "radio.defaults", p, TECHNOLOGIES)
    for tech in TECHNOLOGIES:
        t = _Section(dsec.data.get(tech), f"radio.defaults.{tech}", p, tech_keys)
        d = r.defaults[tech]
        d.frequency_mhz = t.number("frequency_mhz", d.frequency_mhz, 400, 6000)
        d.height_m = t.number("height_m", d.height_m, 1, 200)
        d.eirp_dbm = t.number("eirp_dbm", d.eirp_dbm, 10, 80)
        d.antenna_gain_dbi = t.number("antenna_gain_dbi", d.antenna_gain_dbi, -10, 30)
        d.losses_db = t.number("losses_db", d.losses_db, 0, 30)
        d.beamwidth_deg = t.number("beamwidth_deg", d.beamwidth_deg, 1, 360)
        d.front_to_back_db = t.number("front_to_back_db", d.front_to_back_db, 0, 60)
        d.vertical_beamwidth_deg = t.number("vertical_beamwidth_deg", d.vertical_beamwidth_deg, 1, 90)
        d.mech_tilt_deg = t.number("mech_tilt_deg", d.mech_tilt_deg, -20, 30)
        d.elec_tilt_deg = t.number("elec_tilt_deg", d.elec_tilt_deg, -20, 30)

    s = _Section(top.data.get("thresholds"), "thresholds", p, TECHNOLOGIES)
    for tech in TECHNOLOGIES:
        t = _Section(s.data.get(tech), f"thresholds.{tech}", p, ("good_dbm", "weak_dbm"))
        th = proj.thresholds[tech]
        th.good_dbm = t.number("good_dbm", th.good_dbm, -150, 0)
        th.weak_dbm = t.number("weak_dbm", th.weak_dbm, -150, 0)
        if th.weak_dbm >= th.good_dbm:
            raise ProjectError(
                f"weak_dbm ({th.weak_dbm:g}) must be below good_dbm ({th.good_dbm:g})",  # -100, not -100.0
                path=p,
                field=f"thresholds.{tech}",
                hint="a weak signal is a lower level than a good one, e.g. good_dbm = -85, weak_dbm = -100",
            )

    s = _Section(top.data.get("communes"), "communes", p, ("border_distance_m", "remote_distance_m"))
    c = proj.communes
    c.border_distance_m = s.number("border_distance_m", c.border_distance_m, 0, 100000)
    c.remote_distance_m = s.number("remote_distance_m", c.remote_distance_m, 0, 200000)

    pl = proj.placement
    s = _Section(top.data.get("placement"), "placement", p, tuple(f.name for f in fields(PlacementSettings)))
    pl.k = _sites_k(s, pl.k)
    pl.mast_height_m = s.number("mast_height_m", pl.mast_height_m, 1, 200)
    pl.eirp_dbm = s.number("eirp_dbm", pl.eirp_dbm, 10, 80)
    pl.technology = s.string("technology", pl.technology, TECHNOLOGIES)
    pl.frequency_mhz = s.number("frequency_mhz", pl.frequency_mhz, 400, 6000, allow_none=True)
    pl.border_weight = s.number("border_weight", pl.border_weight, 0, 100)
    pl.remote_weight = s.number("remote_weight", pl.remote_weight, 0, 100)
    pl.restore_weight = s.number("restore_weight", pl.restore_weight, 0, 1000)
    pl.candidate_max_distance_m = s.number("candidate_max_distance_m", pl.candidate_max_distance_m, 0, 100000)
    pl.max_slope_deg = s.number("max_slope_deg", pl.max_slope_deg, 0, 90)
    pl.candidate_spacing_m = s.number("candidate_spacing_m", pl.candidate_spacing_m, 1, 100000)
    pl.backhaul_range_m = s.number("backhaul_range_m", pl.backhaul_range_m, 0, 200000)
    pl.backhaul_frequency_mhz = s.number("backhaul_frequency_mhz", pl.backhaul_frequency_mhz, 100, 100000)
    pl.backhaul_mast_height_m = s.number("backhaul_mast_height_m", pl.backhaul_mast_height_m, 1, 200)
    pl.coverage_radius_m = s.number("coverage_radius_m", pl.coverage_radius_m, 500, 100000)
    pl.solver_time_limit_s = s.number("solver_time_limit_s", pl.solver_time_limit_s, 1, 3600)

    s = _Section(top.data.get("scenario"), "scenario", p, ("name", "down"))
    proj.scenario.name = s.string("name", proj.scenario.name)
    down = s.data.get("down", [])
    if not isinstance(down, list) or not all(isinstance(x, (str, int)) for x in down):
        raise ProjectError(
            f"must be a list of tower ids, got {down!r}", path=p, field="scenario.down", hint='write down = ["BTS001", "BTS002"]'
        )
    # spaces stripped and each id once, in the order written (as --down does): " VTL-1" is tower VTL-1
    proj.scenario.down = list(dict.fromkeys(str(x).strip() for x in down if str(x).strip()))

    s = _Section(top.data.get("clutter"), "clutter", p, ("classes",))
    if "classes" in s.data:
        proj.clutter_classes = _clutter_classes(s.data["classes"], p)
    return proj


def _clutter_classes(data, path) -> dict[int, ClutterClass]:
    """``[clutter.classes]``: ``"code" = { name, db_per_km, max_db, height_m }``; replaces the default table."""
    top = _Section(data, "clutter.classes", path, None)
    out: dict[int, ClutterClass] = {}
    for key, value in top.data.items():
        try:
            code = int(str(key).strip())
        except ValueError:
            code = -1
        if not (0 <= code <= 65535) or str(code) != str(key).strip():
            raise ProjectError(
                f"land-cover class code must be a whole number 0–65535, got '{key}'", path=path,
                field=f"clutter.classes.{key}", hint='write the raster\'s class code in quotes, e.g. "10" = { ... }')
        c = _Section(value, f"clutter.classes.{key}", path, ("name", "db_per_km", "max_db", "height_m"))
        out[code] = ClutterClass(
            name=c.string("name", f"class {code}"),
            db_per_km=c.number("db_per_km", 0.0, 0, 5000),
            max_db=c.number("max_db", 0.0, 0, 100),
            height_m=c.number("height_m", 0.0, 0, 100),
        )
    if not out:
        raise ProjectError("[clutter.classes] is empty", path=path, field="clutter.classes",
                           hint="list the land-cover classes of the raster, or remove the table to use ESA WorldCover's")
    return out


def load_project(path: str | os.PathLike) -> Project:
    """Read and validate a project TOML file. Raises :class:`ProjectError` naming the key and how to fix it."""
    path = Path(path)
    if not path.is_file():
        raise ProjectError("project file not found", path=path, hint="create one with `coverage-planner init`")
    full = path.resolve()
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ProjectError("the project file is UTF-16 text", path=full, hint="save the project file as UTF-8")
    try:
        # a byte-order mark (Windows Notepad) is not TOML: skip it
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(
            f"not valid TOML: {exc}", path=full, hint="check quotes around text and '=' between key and value"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ProjectError(
            f"not UTF-8 text (byte {exc.start})", path=full, hint="save the project file as UTF-8"
        ) from exc
    return project_from_dict(data, path)


def save_project(project: Project, path: str | os.PathLike | None = None) -> Path:
    """Write the project as TOML (atomically). Relative input paths are re-expressed relative to ``path``;
    an input inside the project's folder is always written relative to it (the folder can be moved).

    When the project came from a file, that file is the template: only the values that differ from what it
    says (or that were removed) are rewritten — its comments, order, number formats and untouched keys stay as
    the user wrote them, and defaults it never named are not added. ``project.path`` becomes ``path``.
    Returns the written path.
    """
    import tomli_w

    from coverage_planner.io import atomic_path

    if path is None:
        if project.path is None:
            raise ProjectError("the project has no file yet", hint="give a path to save it to")
        path = project.path
    old_path = project.path
    new = Path(path).resolve()
    if project.path is None or new.parent != project.path.parent:
        _rebase(project, new.parent)
    _relative_inside(project, new.parent)
    project.path = new
    data = project.to_dict()
    text = None
    if old_path is not None and Path(old_path).is_file():
        try:
            text = _update_toml(Path(old_path).read_bytes().decode("utf-8-sig"), data, Path(old_path))
        except (ProjectError, UnicodeDecodeError, ValueError):
            text = None  # the old file no longer reads as a project: write the whole project
    if text is None:
        text = tomli_w.dumps(data)
    with atomic_path(new) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return new


def _update_toml(original: str, data: dict, original_path: Path) -> str:
    """``original`` (a project file's text) with the values of ``data`` that differ from what the file means
    (its values as loaded, defaults included); keys the file had and ``data`` no longer has are removed."""
    import tomlkit

    doc = tomlkit.parse(original)
    base = project_from_dict(tomllib.loads(original), original_path).to_dict()

    def value(old_item, v):
        # keep an integer written as an integer (90, not 90.0)
        if isinstance(v, float) and v.is_integer() and isinstance(old_item, int) and not isinstance(old_item, bool):
            return int(v)
        return v

    def merge(tbl, new: dict, old: dict) -> None:
        for k, v in new.items():
            ov = old.get(k) if isinstance(old, dict) else None
            if isinstance(v, dict) and k in tbl and isinstance(tbl[k], dict):
                merge(tbl[k], v, ov if isinstance(ov, dict) else {})
            elif v != ov:
                tbl[k] = value(tbl.get(k), v)
        for k in [k for k in list(tbl.keys()) if k not in new and isinstance(old, dict) and k in old]:
            del tbl[k]

    merge(doc, data, base)
    return tomlkit.dumps(doc)


def _map_inputs(project: Project, fn) -> None:
    """Replace every input reference ``ref`` of the project by ``fn(ref)`` (terrain: each file)."""
    for key in INPUT_KEYS:
        val = getattr(project.inputs, key)
        if key == "terrain":
            project.inputs.terrain = [fn(v) for v in val]
        elif val is not None:
            setattr(project.inputs, key, fn(val))


def _relative_inside(project: Project, folder: Path) -> None:
    """Inputs (and the output folder) given as absolute paths inside ``folder`` become relative to it."""
    folder = Path(folder).resolve()

    def rel(ref: InputRef) -> InputRef:
        p = Path(ref.raw).expanduser()
        if not p.is_absolute():
            return ref
        try:
            raw = p.resolve().relative_to(folder)
        except ValueError:  # outside the project folder: stays absolute
            return ref
        return InputRef(folder / raw, raw.as_posix(), ref.crs, ref.layer)

    _map_inputs(project, rel)


def _rebase(project: Project, folder: Path) -> None:
    """Re-express relative paths against ``folder`` (absolute raws stay absolute)."""

    def rel(ref: InputRef) -> InputRef:
        if Path(ref.raw).expanduser().is_absolute():
            return ref
        try:
            raw = os.path.relpath(ref.path, folder)
        except ValueError:  # another drive on Windows
            raw = str(ref.path)
        return InputRef(Path(folder) / raw, Path(raw).as_posix(), ref.crs, ref.layer)

    _map_inputs(project, rel)
    if not Path(project.output_dir_raw).expanduser().is_absolute():
        old = project.output_dir
        project.output_dir_raw = Path(os.path.relpath(old, folder)).as_posix()


def default_project(name: str = "Untitled project") -> Project:
    p = Project(name=name)
    return copy.deepcopy(p)


def project_template(name: str = "New project", province: str = "Điện Biên") -> str:
    """TOML text of a new project with every setting at its default and comments (for ``coverage-planner init``)."""
    d = Project(name=name, province=province)
    r, pl, c = d.radio, d.placement, d.communes

    def fmt(v):
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, float):
            return repr(v)
        return str(v)

    lines = [
        "# coverage-planner project. Paths are relative to this file. See docs/INPUTS.md for formats and defaults.",
        "",
        "[project]",
        f"name = {fmt(d.name)}",
        f"province = {fmt(d.province)}",
        'crs = "auto"              # analysis CRS: "auto" = UTM zone of the data (EPSG:32648 for Điện Biên)',
        f"resolution_m = {fmt(d.resolution_m)}       # analysis cell size in metres",
        f"output_dir = {fmt(d.output_dir_raw)}",
        "",
        "[inputs]",
        '# towers: CSV/XLSX/GeoJSON/GPKG/SHP with id + lon/lat (or x/y: then towers = { path = "...", crs = "EPSG:..." })',
        'towers = "towers.csv"',
        'stations = "polling_stations.csv"   # khu vực bỏ phiếu: id, name, commune, lon/lat',
        'communes = "communes.geojson"       # polygons with a name column',
        'terrain = "dem.tif"                 # GeoTIFF, SRTM .hgt (or a list of tiles), ESRI ASCII .asc',
        '# border = "border.geojson"         # national border lines (marks border communes)',
        '# roads = "roads.geojson"           # roads and towns mark remote communes',
        '# towns = "towns.csv"',
        '# candidates = "candidates.csv"     # your own candidate sites for mobile stations',
        '# clutter = "worldcover.tif"        # land-cover classes (ESA WorldCover by default): vegetation loss per cell',
        "",
        "[radio]",
        f'model = {fmt(r.model)}              # free_space, knife_edge, deygout, hata, cost231',
        f"k_factor = {fmt(r.k_factor)}   # effective Earth radius factor",
        f"max_distance_m = {fmt(r.max_distance_m)}",
        f"receiver_height_m = {fmt(r.receiver_height_m)}",
        f"receiver_gain_dbi = {fmt(r.receiver_gain_dbi)}",
        f"body_loss_db = {fmt(r.body_loss_db)}",
        f"indoor_loss_db = {fmt(r.indoor_loss_db)}       # e.g. 10-15 to plan for indoor coverage",
        f"vegetation_db_per_km = {fmt(r.vegetation_db_per_km)}",
        f"vegetation_max_db = {fmt(r.vegetation_max_db)}",
        f"vegetation_height_m = {fmt(r.vegetation_height_m)}",
        "# with a land-cover raster the values above apply only where it has no data; its classes are in",
        '# [clutter.classes], e.g. "10" = { name = "Tree cover", db_per_km = 300, max_db = 30, height_m = 15 }',
        f"hata_environment = {fmt(r.hata_environment)}   # Hata/COST-231 only: urban, suburban, rural",
        f"default_technology = {fmt(r.default_technology)}  # for tower rows without a technology",
        "",
    ]
    for tech, td in r.defaults.items():
        lines.append(f"[radio.defaults.{tech}]   # used where a tower row leaves a value empty")
        for f in fields(TechDefaults):
            lines.append(f"{f.name} = {fmt(getattr(td, f.name))}")
        lines.append("")
    for tech, th in d.thresholds.items():
        lines.append(f"[thresholds.{tech}]   # total received level at the receiver, dBm")
        lines.append(f"good_dbm = {fmt(th.good_dbm)}")
        lines.append(f"weak_dbm = {fmt(th.weak_dbm)}")
        lines.append("")
    lines += [
        "[communes]",
        f"border_distance_m = {fmt(c.border_distance_m)}   # commune within this distance of the border line = border",
        f"remote_distance_m = {fmt(c.remote_distance_m)}  # commune centre farther than this from roads/towns = remote",
        "",
        "[placement]",
    ]
    for f in fields(PlacementSettings):
        v = getattr(pl, f.name)
        if v is None:
            lines.append(f"# {f.name} =    # default: the technology's frequency")
        else:
            lines.append(f"{f.name} = {fmt(v)}")
    lines += ["", "[scenario]", 'name = "baseline"', "down = []   # tower ids off air (what-if)", ""]
    return "\n".join(lines)
