"""Load and validate every vector input into the canonical tables of docs/ARCHITECTURE.md.

Towers, polling stations (khu vực bỏ phiếu), communes, lines (national border, roads) and points (towns,
candidate sites) come from CSV, XLSX, GeoJSON, GeoPackage or Shapefile. Column names are matched through
aliases in Vietnamese and English, ignoring case, accents (đ → d), spaces and punctuation
(see :func:`normalise_name` and docs/INPUTS.md). Every problem of a file is collected and raised as one
:class:`~coverage_planner.errors.InputError` whose ``problems`` list names the row (spreadsheet numbering,
header = row 1; feature number for vector files), the column and the bad value. Input files are only read.

:func:`load_inputs` loads everything a project names, puts it in the analysis CRS, loads the terrain and checks
that towers and stations lie on it (listing every id outside; nothing is dropped silently).
"""

from __future__ import annotations

import functools
import math
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coverage_planner.errors import CRSError, InputError, ProjectError

WGS84 = "EPSG:4326"
Progress = Callable[[float, str], None]

# --------------------------------------------------------------------------------------------------------
# column names
# --------------------------------------------------------------------------------------------------------
ID_ALIASES = ("id", "ma", "ma_tram", "site_id", "cell_id", "station_id", "ma_kvbp", "code")
LON_ALIASES = ("lon", "lng", "long", "longitude", "kinh_do", "x_lon")
LAT_ALIASES = ("lat", "latitude", "vi_do", "y_lat")
X_ALIASES = ("x", "easting", "toa_do_x")
Y_ALIASES = ("y", "northing", "toa_do_y")
#: Tower ids: a cell (sector) id is preferred to a site id when a file has both (one row = one sector).
TOWER_ID_ALIASES = ("id", "cell_id", "ma_cell", "ma", "ma_tram", "site_id", "station_id", "code")
NAME_ALIASES = ("name", "ten", "ten_kvbp", "ten_khu_vuc_bo_phieu", "ten_khu_vuc", "ten_diem", "ten_dia_diem",
                "ten_tram")

#: Tower columns: the English names, the Vietnamese ones of BTS lists (with or without accents: "Góc nghiêng cơ",
#: "goc nghieng co", "Tình trạng"), and a unit in the header is optional ("Phương vị (độ)", see :func:`_unit_key`).
TOWER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": TOWER_ID_ALIASES,
    "operator": ("operator", "carrier", "nha_mang", "nha_mang_di_dong", "ten_nha_mang", "mang_di_dong",
                 "nha_cung_cap", "doanh_nghiep", "doanh_nghiep_vien_thong", "nha_khai_thac", "don_vi_khai_thac"),
    "technology": ("technology", "tech", "cong_nghe", "cong_nghe_mang", "loai_cong_nghe", "the_he_mang", "rat"),
    "frequency_mhz": ("frequency_mhz", "frequency", "freq", "freq_mhz", "tan_so", "tan_so_mhz", "tan_so_phat",
                      "bang_tan", "bang_tan_mhz", "dai_tan"),
    "height_m": ("height_m", "height", "antenna_height", "antenna_height_m", "do_cao", "do_cao_anten",
                 "do_cao_anten_m", "chieu_cao_anten", "do_cao_treo_anten", "do_cao_lap_dat_anten"),
    "eirp_dbm": ("eirp_dbm", "eirp", "cong_suat_buc_xa", "cong_suat_buc_xa_dang_huong",
                 "cong_suat_buc_xa_dang_huong_tuong_duong"),
    "tx_power_dbm": ("tx_power_dbm", "tx_power", "power_dbm", "cong_suat_phat", "cong_suat_phat_dbm",
                     "cong_suat_may_phat"),
    "antenna_gain_dbi": ("antenna_gain_dbi", "antenna_gain", "gain", "do_loi", "do_loi_dbi", "do_loi_anten",
                         "tang_ich", "tang_ich_anten"),
    "losses_db": ("losses_db", "losses", "feeder_loss", "suy_hao", "suy_hao_db", "suy_hao_feeder", "suy_hao_cap"),
    "azimuth_deg": ("azimuth_deg", "azimuth", "az", "phuong_vi", "goc_phuong_vi", "huong", "huong_anten",
                    "huong_phat_song"),
    "beamwidth_deg": ("beamwidth_deg", "beamwidth", "horizontal_beamwidth", "do_rong_bup_song",
                      "do_rong_bup_song_ngang", "goc_mo", "goc_mo_ngang"),
    "front_to_back_db": ("front_to_back_db", "front_to_back", "ti_so_truoc_sau", "ty_so_truoc_sau"),
    "vertical_beamwidth_deg": ("vertical_beamwidth_deg", "vertical_beamwidth", "do_rong_bup_song_dung",
                               "do_rong_bup_song_doc", "goc_mo_dung", "goc_mo_doc"),
    # tilt: "góc ngẩng" (the tool's own word), "góc nghiêng", "độ nghiêng", "tilt cơ/điện", M-tilt/E-tilt
    "mech_tilt_deg": ("mech_tilt_deg", "mechanical_tilt", "mech_tilt", "m_tilt", "mtilt", "tilt", "goc_ngang_co",
                      "goc_nghieng_co", "do_nghieng_co", "tilt_co", "goc_chuc_co"),
    "elec_tilt_deg": ("elec_tilt_deg", "electrical_tilt", "elec_tilt", "e_tilt", "etilt", "goc_ngang_dien",
                      "goc_nghieng_dien", "do_nghieng_dien", "tilt_dien", "goc_chuc_dien"),
    "status": ("status", "state", "trang_thai", "tinh_trang", "trang_thai_tram", "tinh_trang_tram",
               "trang_thai_hoat_dong", "tinh_trang_hoat_dong", "trang_thai_phat_song"),
}
STATION_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ID_ALIASES,
    "name": NAME_ALIASES,
    "commune": ("commune", "xa", "xa_phuong", "ten_xa"),
    "voters": ("voters", "cu_tri", "so_cu_tri"),
    "priority": ("priority", "uu_tien"),
}
COMMUNE_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "ten", "ten_xa", "xa", "xa_phuong", "commune", "name_vi", "ten_don_vi"),
    "border": ("border", "bien_gioi", "xa_bien_gioi", "is_border"),
    "remote": ("remote", "vung_sau", "vung_xa", "vung_sau_vung_xa", "is_remote"),
}
POINT_ALIASES: dict[str, tuple[str, ...]] = {"id": ID_ALIASES, "name": NAME_ALIASES}
LINE_ALIASES: dict[str, tuple[str, ...]] = {"name": NAME_ALIASES + ("border", "ref", "highway")}

TECHNOLOGY_VALUES = {
    "2g": "2G", "gsm": "2G", "2g_gsm": "2G", "gsm900": "2G", "dcs": "2G", "dcs1800": "2G",
    "3g": "3G", "umts": "3G", "wcdma": "3G", "3g_umts": "3G", "3g_wcdma": "3G", "hspa": "3G",
    "4g": "4G", "lte": "4G", "4g_lte": "4G", "lte_a": "4G",
}  # fmt: skip
STATUS_VALUES = {
    "on_air": "on_air", "onair": "on_air", "active": "on_air", "hoat_dong": "on_air", "phat_song": "on_air",
    "dang_hoat_dong": "on_air", "dang_phat_song": "on_air", "da_phat_song": "on_air", "binh_thuong": "on_air",
    "in_service": "on_air", "operational": "on_air", "on": "on_air",
    "planned": "planned", "du_kien": "planned", "quy_hoach": "planned", "plan": "planned",
    "chua_phat_song": "planned", "chua_hoat_dong": "planned", "dang_xay_dung": "planned", "xay_moi": "planned",
    "down": "down", "off": "down", "mat_song": "down", "hong": "down", "su_co": "down", "off_air": "down",
    "ngung_hoat_dong": "down", "ngung_phat_song": "down", "tam_ngung": "down", "tam_ngung_hoat_dong": "down",
    "tam_dung": "down", "khong_hoat_dong": "down", "mat_dien": "down", "out_of_service": "down",
}  # fmt: skip


@functools.lru_cache(maxsize=1)
def _status_table() -> dict[str, str]:
    """Accepted status values (normalised) → status: :data:`STATUS_VALUES` and the tool's own labels."""
    return {**_tool_status_labels(), **STATUS_VALUES}


def _tool_status_labels() -> dict[str, str]:
    """The tower status labels the tool itself prints (map popups, legends, desktop tables) in every language,
    normalised → status: a table exported by the tool and read back keeps its statuses."""
    from coverage_planner import i18n

    keys = {f"tower_status.{s}": s for s in ("on_air", "planned", "down")}
    keys |= {"map.legend.tower_down": "down", "map.legend.tower_planned": "planned"}
    return {normalise_name(i18n.t(k, lang)): s for k, s in keys.items() for lang in i18n.LANGUAGES}


TRUE_VALUES = {"1", "true", "yes", "y", "co", "x", "t"}
FALSE_VALUES = {"0", "false", "no", "n", "khong", "f", ""}

#: Accepted ranges of radio and station values (inclusive).
RANGES = {
    "frequency_mhz": (400.0, 6000.0),
    "height_m": (1.0, 200.0),
    "eirp_dbm": (10.0, 80.0),
    "tx_power_dbm": (0.0, 70.0),
    "antenna_gain_dbi": (-10.0, 30.0),
    "losses_db": (0.0, 30.0),
    "azimuth_deg": (0.0, 360.0),
    "beamwidth_deg": (1.0, 360.0),
    "front_to_back_db": (0.0, 60.0),
    "vertical_beamwidth_deg": (1.0, 90.0),
    "mech_tilt_deg": (-20.0, 30.0),
    "elec_tilt_deg": (-20.0, 30.0),
    "voters": (0.0, 1e7),
    "priority": (0.0, 1e6),
}

#: Tower fields whose absence from the file is said as a warning (the default then applies to every tower).
#: The antenna pattern's front-to-back ratio and vertical beamwidth are data-sheet values a BTS list rarely
#: has: their defaults are documented (docs/INPUTS.md) and not repeated for every file.
_SAID_WHEN_ABSENT = ("frequency_mhz", "height_m", "eirp_dbm", "beamwidth_deg", "mech_tilt_deg", "elec_tilt_deg")

TOWER_COLUMNS = [
    "id", "operator", "technology", "frequency_mhz", "height_m", "eirp_dbm", "azimuth_deg", "beamwidth_deg",
    "front_to_back_db", "mech_tilt_deg", "elec_tilt_deg", "vertical_beamwidth_deg", "status", "lon", "lat",
    "source_row", "geometry",
]  # fmt: skip
STATION_COLUMNS = ["id", "name", "commune", "voters", "priority", "lon", "lat", "source_row", "geometry"]
COMMUNE_COLUMNS = ["name", "border", "remote", "centre_x", "centre_y", "geometry"]


@functools.lru_cache(maxsize=8192)
def _normalise_cached(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.strip().lower().replace("đ", "d").replace("Đ", "d"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def normalise_name(text: Any) -> str:
    """Lower case, no accents (đ → d), every run of non-alphanumerics → ``_``: ``"Độ cao (m)"`` → ``"do_cao_m"``."""
    return _normalise_cached(str(text))


#: A unit at the end of a normalised column name: "(m)", "(MHz)", "(dBm)", "(dBi)", "(dB)", "(độ)", "(deg)", "(°)"
#: leaves nothing, so it needs no pattern.
_UNIT_SUFFIX = re.compile(r"_(?:m|mhz|dbm|dbi|db|do|deg|degrees?)$")


def _unit_key(name: str) -> str:
    """A normalised column name without its unit: ``"phuong_vi_do"`` (Phương vị (độ)) → ``"phuong_vi"``, so
    each alias need not be listed with every unit a spreadsheet may write after it."""
    return _UNIT_SUFFIX.sub("", name)


# --------------------------------------------------------------------------------------------------------
# row-level parsing with collected problems
# --------------------------------------------------------------------------------------------------------
class _Rows:
    """Access to a text table's columns by canonical field, collecting problems per row."""

    def __init__(self, df, path: Path, what: str, aliases: dict[str, tuple[str, ...]], warnings: list[str]):
        self.df = df
        self.path = path
        self.what = what
        self.problems: list[str] = []
        self._problem_rows: list[int] = []  # row of each problem: they are listed in row order, not by check
        self.warnings = warnings
        self.rows = np.asarray(df.index, dtype=np.int64)
        self.n = len(df)
        self.columns: dict[str, str] = {}
        norm = {}
        for col in df.columns:
            if col == "geometry":
                continue
            norm.setdefault(normalise_name(col), []).append(col)
        self._norm = norm
        # the same names without a unit ("Phương vị (độ)"); never a position column ("Kinh độ" is not "kinh")
        self._norm_unit: dict[str, list[str]] = {}
        for key, cols in norm.items():
            if _unit_key(key) != key and key not in _POSITION_NAMES:
                self._norm_unit.setdefault(_unit_key(key), []).extend(cols)
        self.duplicates = dict(getattr(df, "attrs", {}).get("duplicate_columns", {}))
        warnings.extend(getattr(df, "attrs", {}).get("read_warnings", []))
        for fld, names in aliases.items():
            self.columns.update(self._find(fld, names))
        for fld, names in aliases.items():  # then by name without unit, among the columns still unclaimed
            if fld not in self.columns:
                self.columns.update(self._find(fld, names, units=True))
        #: row → (field, message): the one problem of a row whose values cannot be read column by column (a CSV row
        #: shifted by a decimal comma, a heading typed in the id column); the row's other problems are not listed
        self._whole_row: dict[int, tuple[str | None, str]] = {}
        self._whole_said: set[int] = set()
        self._judge_ragged_rows(getattr(df, "attrs", {}).get("ragged_rows"))

    def _find(self, fld: str, names, *, units: bool = False) -> dict[str, str]:
        if units:
            used = set(self.columns.values())
            found = list(dict.fromkeys(c for name in names for c in self._norm_unit.get(name, []) if c not in used))
        else:
            found = [c for name in names for c in self._norm.get(name, [])]
        if not found:
            return {}
        if len(found) > 1:
            self.warnings.append(
                f"{self.path.name}: columns {', '.join(repr(c) for c in found)} all mean '{fld}'; using '{found[0]}'"
            )
        return {fld: found[0]}

    def find(self, fld: str, names) -> str | None:
        self.columns.update(self._find(fld, names) or self._find(fld, names, units=True))
        return self.columns.get(fld)

    def has(self, fld: str) -> bool:
        return fld in self.columns

    def text(self, fld: str, default: str = "") -> np.ndarray:
        if fld not in self.columns:
            return np.array([default] * self.n, dtype=object)
        vals = self.df[self.columns[fld]].to_numpy(dtype=object)
        return np.array([v if v != "" else default for v in vals], dtype=object)

    def note_blank(self, fld: str, default: str, mask: np.ndarray | None = None) -> None:
        """Warn that blank cells of ``fld`` (or the rows of ``mask``) get ``default``: file, column, rows, count."""
        if fld not in self.columns:
            return
        if mask is None:
            mask = self.text(fld) == ""
        rws = [int(r) for r in self.rows[np.asarray(mask, dtype=bool)]]
        if rws:
            self.warnings.append(
                f"{self.what}: {self.path.name}, column '{self.columns[fld]}': {len(rws)} blank value(s) "
                f"({_rows_text(rws)}): {default}"
            )

    def problem(self, row: int, fld: str | None, message: str) -> None:
        whole = self._whole_row.get(int(row))
        if whole is not None:  # the row's own problem says it all: its values are not where their columns are
            if int(row) not in self._whole_said:
                self._whole_said.add(int(row))
                self._problem(row, *whole)
            return
        self._problem(row, fld, message)

    def _whole_row_problem(self, row: int, fld: str | None, message: str) -> None:
        """``message`` is the row's only problem: said now, and its other problems are not listed."""
        self._whole_row[int(row)] = (fld, message)
        self.problem(row, fld, message)

    def _problem(self, row: int, fld: str | None, message: str) -> None:
        where = f"row {row}"
        if fld is not None:
            col = self.columns.get(fld, fld)
            where += f", column '{col}'" + (f" ({fld})" if normalise_name(col) != fld else "")
        self.problems.append(f"{where}: {message}")
        self._problem_rows.append(int(row))

    def file_problem(self, message: str) -> None:
        """A problem of the whole file (swapped columns): listed before the rows' problems."""
        self.problems.append(message)
        self._problem_rows.append(0)

    def number(self, fld: str, *, lo=None, hi=None, integer=False, grouped=False, blank_words=(),
               dms: str | None = None) -> np.ndarray:
        """Parsed floats (NaN where empty); unparseable or out-of-range values become problems.

        ``grouped``: a value written with a thousands separator ("2.000", "1.250.000", "2,000") is a problem
        (is "2.000" two or two thousand?), for fields that hold whole numbers. ``dms`` ("lon" or "lat"): values in
        degrees-minutes-seconds are read too (:func:`parse_dms`); how many is said as a warning.
        """
        import pandas as pd

        out = np.full(self.n, np.nan)
        if fld not in self.columns:
            return out
        if lo is None and fld in RANGES:
            lo, hi = RANGES[fld]
        raw = self.text(fld)
        empty = raw == ""
        if blank_words:
            empty |= np.array([normalise_name(v) in blank_words for v in raw], dtype=bool)
        # fast path for plain numbers, then the lenient parser for the rest ("21,5", "1 200", "103°")
        fast = np.array(pd.to_numeric(pd.Series(np.where(empty, "nan", raw)), errors="coerce"), dtype=float)
        if grouped and integer:
            self._grouped_whole_numbers(fld, raw, empty, fast)
        elif grouped:
            for i in np.flatnonzero(~empty):
                if _GROUPED_INT.match(raw[i]):
                    digits = re.sub(r"[^0-9+-]", "", raw[i])
                    alt = f", or {float(raw[i].replace(',', '.')):g} if a decimal was meant" \
                        if raw[i].count(".") + raw[i].count(",") == 1 else ""
                    self.problem(self.rows[i], fld, _ambiguous(raw[i], digits) + alt)
                    empty[i] = True
        n_dms, example = 0, ""
        for i in np.flatnonzero(~empty & ~np.isfinite(fast)):
            v = parse_number(raw[i])
            if v is None and dms is not None:
                v = parse_dms(raw[i], dms)
                if v is not None:
                    n_dms, example = n_dms + 1, example or f"{raw[i]} → {v:.6f}"
            if v is None:
                self.problem(self.rows[i], fld, f"'{raw[i]}' is not a number")
                empty[i] = True  # reported; not checked further
            else:
                fast[i] = v
        if n_dms:
            self.warnings.append(
                f"{self.what}: {self.path.name}, column '{self.columns[fld]}': {n_dms} value(s) in degrees, minutes "
                f"and seconds read as decimal degrees (e.g. {example})"
            )
        check = ~empty
        if integer:
            frac = check & (np.floor(fast) != fast)
            for i in np.flatnonzero(frac):
                self.problem(self.rows[i], fld, f"'{raw[i]}' must be a whole number")
            check &= ~frac
        bad = np.zeros(self.n, dtype=bool)
        if lo is not None:
            bad |= check & (fast < lo)
        if hi is not None:
            bad |= check & (fast > hi)
        for i in np.flatnonzero(bad):
            self.problem(self.rows[i], fld, f"{raw[i]} is out of range (allowed {lo:g} to {hi:g})")
        ok = check & ~bad
        out[ok] = fast[ok]
        return out

    def _grouped_whole_numbers(self, fld: str, raw, empty, fast) -> None:
        """Whole numbers written with a thousands separator ("1.234", "12.500" from a Vietnamese Excel; "1,234";
        "1 234"), in ``fast`` (NaN where unread), ``empty`` set where they are not read.

        When every number of the column is plain digits or digit groups of 3 separated by one and the same mark,
        the grouped ones are read as integers, with one warning for the column. Otherwise (a column that also has
        "1.5" or "1,234.5", or mixes "1.234" and "1,234") the column is refused without listing every grouped
        value: the values that break the pattern are the problems (each its own row: "'1.5' must be a whole
        number", "'1,234' is ambiguous … (the column also has '1.234' in row 2)"), and one problem for the column
        says that its values grouped the usual way were not read because of them. A space is never a decimal mark:
        "1 234" is read and never a problem itself."""
        from collections import Counter

        style: dict[int, str] = {}  # row index → separator of a grouped value
        odd: list[int] = []  # numbers with a decimal part: "1.5", "1,234.5", "12.50"
        for i in np.flatnonzero(~empty):
            v = raw[i]
            sep = next((c for c, rx in _GROUPED_STYLES.items() if rx.match(v)), None)
            if sep is not None:
                style[i] = sep
            elif _NUMERIC.match(v) and not _PLAIN_INT.match(v):
                odd.append(i)
                if _GROUPED_DECIMAL.match(v):  # "1,234.5" / "1.234,5": grouped, with a fraction
                    self.problem(self.rows[i], fld, f"'{v}' must be a whole number")
                    empty[i] = True
        if not style:
            return
        counts = Counter(style.values())
        main = max(counts, key=counts.__getitem__)  # the column's usual separator (the first one on a tie)
        mains = [i for i in style if style[i] == main]
        others = [i for i in style if style[i] not in (main, " ")]
        if not odd and not others:
            for i in style:
                fast[i] = float(re.sub(r"[^0-9+-]", "", raw[i]))
            said = "spaces as the thousands separator" if main == " " else f"'{main}' as the thousands separator"
            self.warnings.append(
                f"{self.what}: {self.path.name}, column '{self.columns[fld]}': {len(style)} value(s) written with "
                f"{said} read as whole numbers (e.g. {raw[mains[0]]} → {fast[mains[0]]:.0f})"
            )
            return
        for i in others:
            digits = re.sub(r"[^0-9+-]", "", raw[i])
            self.problem(self.rows[i], fld,
                         f"{_ambiguous(raw[i], digits)} (the column also has '{raw[mains[0]]}' in row "
                         f"{self.rows[mains[0]]})")  # fmt: skip
            empty[i] = True
        if main == " ":
            return  # "1 234" is read; the values with '.' or ',' are the problems
        for i in mains:
            empty[i] = True
        culprits = sorted([*odd, *others])
        listed = ", ".join(f"'{raw[i]}' (row {self.rows[i]})" for i in culprits[:5]) + (" …" if len(culprits) > 5 else "")
        col = self.columns[fld]
        self.file_problem(
            f"column '{col}'" + (f" ({fld})" if normalise_name(col) != fld else "")
            + f": {len(mains)} value(s) grouped by thousands like '{raw[mains[0]]}' (row {self.rows[mains[0]]}) "
            f"were not read, since the column also has {listed}: correct {'these' if len(culprits) > 1 else 'it'}, "
            "and the column is read as whole numbers"
        )

    def _judge_ragged_rows(self, ragged: dict | None) -> None:
        """The CSV rows with more values than the header, or fewer (``read_table``'s ``attrs["ragged_rows"]``)
        whose values were shifted: one problem for each, saying why and how to fix it, and its cells read as empty
        (but the id), so that no check reports the wrong values in the wrong columns.

        A row with values beyond the header is tried with neighbouring values joined by the separator ("21", "9"
        → "21,9": a decimal comma; "Khu vực 1", "thôn Na" → a comma in an unquoted text) until it has the header's
        number: it was shifted when more of its values then fit their columns (a number in range, a known status,
        a text where a name goes), or as many and the join is a number written with a decimal comma where one is
        likely (:meth:`_joined_values`). Otherwise its values stay as they are (the extra column is said as not
        recognised). A row with fewer values is shifted when an empty value put somewhere inside it makes more of
        its values fit than at its end (where a missing last value, or Excel's missing trailing separators, leave
        it); otherwise it is read with its last columns empty, as before."""
        if not ragged or not ragged.get("rows"):
            return
        sep, header, typical = ragged["separator"], list(ragged["header"]), int(ragged["typical"])
        width = len(header)
        by_col = {col: fld for fld, col in self.columns.items()}
        for fld, names in (("lon", LON_ALIASES), ("lat", LAT_ALIASES), ("x", X_ALIASES), ("y", Y_ALIASES)):
            for col in self._find(fld, names).values():
                by_col.setdefault(col, fld)
        fields = [by_col.get(c) for c in header]

        def score(values: list[str]) -> int:
            return sum(1 for f, v in zip(fields, values, strict=False) if f is not None and _fits(f, v))

        def decimal(a: str, b: str) -> bool:
            return sep == "," and bool(_PLAIN_INT.match(a)) and b.isdigit()

        listed = set(self.rows.tolist())
        n_long = sum(1 for r in ragged["rows"].values()
                     if max((j + 1 for j, c in enumerate(r) if c), default=0) > width or len(r) > typical)
        ties_ok = n_long <= self.n / 2  # most rows that long: a column without a header, not decimal commas
        id_col, copied = self.columns.get("id"), False
        for number, values in ragged["rows"].items():
            if number not in listed:
                continue
            last = max((j + 1 for j, c in enumerate(values) if c), default=0)
            # values beyond the header; else more values than the typical row (a decimal comma that took the place
            # of an empty last value, in a file with a separator after the last value of every line)
            extra = last - width if last > width else max(len(values) - typical, 0)
            if extra:
                written = ragged.get("raw", {}).get(number, values)
                written = [*written[: width + extra], *[""] * (width + extra - len(written))]
                message = self._joined_values(values[: width + extra] + [""] * (width + extra - len(values)),
                                              width, extra, fields, header, sep, score, decimal, ties_ok, written)
            elif len(values) < width:
                message = self._missing_values(values, width, fields, header, score)
            else:
                continue
            if message is None:
                continue
            if not copied:  # the frame read from the file is the caller's: blank the shifted values in a copy
                self.df, copied = self.df.copy(), True
            others = [k for k, c in enumerate(self.df.columns) if c not in (id_col, "geometry")]
            self.df.iloc[int(np.flatnonzero(self.rows == number)[0]), others] = ""
            self._whole_row_problem(number, None, message)

    def _joined_values(self, values, width, extra, fields, header, sep, score, decimal, ties_ok,
                       written) -> str | None:
        """The problem of a row with ``extra`` values too many, or None when its values fit as they are.

        When the row fits as well joined as it stands, it was shifted only if each join is a decimal comma in a
        column whose other values mostly have a decimal point (a latitude '22' then '03700' among '21.38'; not a
        voters '420' then a priority '1'), or in the last column ('1,5' for the priority: a number after the last
        column is no note), and most rows are not that long (a column of numbers without a header). ``written``:
        the row's values as typed (spaces kept), to quote the joined value as the user wrote it."""
        def likely(gaps) -> int:  # a decimal comma (2) or a separator inside a free text (1) is the usual story
            spots = _joined_spots(gaps)
            return sum(2 * decimal(values[j], values[j + 1]) for j in gaps) + sum(
                1 for k in spots if k < width and fields[k] in _TEXT_FIELDS)

        best = None  # ((score, the likelier joins, earliest first), joins, values joined)
        for gaps in _choices(len(values) - 1, extra):  # gap j: values j and j + 1 were one
            cand = _join(values, gaps, sep)
            key = (score(cand[:width]), likely(gaps), [-j for j in gaps])
            if best is None or key > best[0]:
                best = (key, gaps, cand)
        if best is None:  # too many ways to try: read as it stands
            return None
        (merged, _, _), gaps, cur = best
        spots = _joined_spots(gaps)  # where each joined value stands in the row
        spots = [j for j in spots if j < width]
        as_is = score(values[:width])
        all_decimal = sep == "," and bool(spots) and all(_DECIMAL_COMMA.fullmatch(cur[j]) for j in spots)
        if not spots or not (merged > as_is or (merged == as_is and all_decimal and ties_ok and all(
                j == width - 1 or self._decimal_column(header[j]) for j in spots))):
            return None
        j = spots[0]
        v, col = _join(written, gaps, sep)[j].strip(), header[j]  # as typed: "Bản Pa Có, thôn 2"
        more = (f" ({len(spots) - 1} more such value{'s' if len(spots) > 2 else ''} in the row)"
                if len(spots) > 1 else "")
        head = f"{width + extra} values, the header has {width}"  # trailing separators on every line not counted
        if all_decimal:
            return (f"{head}: a decimal comma in a number? '{v}' under '{col}' was read as two values{more}: write "
                    f"{v.replace(',', '.')}, or put the value in quotes (\"{v}\"), or save the file with ';' as the "
                    "separator")
        shown = "tab" if sep == "\t" else sep
        return (f"{head}: a '{shown}' inside a value? '{v}' under '{col}' was read as two values{more}: put the "
                f"value in quotes (\"{v}\"), or leave the '{shown}' out of it")

    def _decimal_column(self, col: str) -> bool:
        """Whether most values of the column ``col`` (among the rows read as they stand) have a decimal point."""
        if col not in self.df.columns:
            return False
        vals = [v for v in self.df[col].to_numpy(dtype=object) if v != ""]
        return bool(vals) and sum("." in v for v in vals) >= 0.5 * len(vals)

    def _missing_values(self, values, width, fields, header, score) -> str | None:
        """The problem of a row with fewer values than the header, or None when it fits with its last ones
        empty."""
        missing = width - len(values)
        padded = [*values, *[""] * missing]
        if score(padded) == sum(1 for f in fields if f in _FIT_FIELDS and f != "id"):
            return None  # every value fits where it stands: nothing can fit better
        best = None  # ((score, the end first), empty slots, values)
        for slots in _choices(width, missing):  # slot k of the full row is one of the missing values
            if slots == tuple(range(len(values), width)):
                continue  # the end: the row as it is read
            it = iter(values)
            cand = ["" if k in slots else next(it) for k in range(width)]
            key = (score(cand), list(slots))
            if best is None or key > best[0]:
                best = (key, slots, cand)
        if best is None or best[0][0] <= score(padded):
            return None
        inside = [k for k in best[1] if any(k2 not in best[1] for k2 in range(k + 1, width))]
        col = header[inside[0]] if inside else header[best[1][0]]
        return (f"{len(values)} values, the header has {width}, and they do not fit their columns: a value deleted "
                f"with its separator? With an empty value under '{col}' the row fits: write every value under its "
                "column, leaving an empty cell for one you do not have")

    def _row_hint(self, i: int) -> str:
        """What the row says, when it has text elsewhere: a total/footer line ("Tổng số: 267 trạm") is then
        recognised at once."""
        cells = [str(c) for c in self.df.iloc[i].to_numpy() if str(c).strip()]
        if not cells:
            return ""
        text = " | ".join(cells)
        text = text if len(text) <= 60 else text[:57] + "…"
        total = re.search(r"\b(tổng|cộng|total|sum)\b", text, re.IGNORECASE)
        return f" (the row reads: '{text}'" + ("; it looks like a total or footer line: delete it)" if total else ")")

    def drop_headings(self) -> None:
        """Leave out the rows that are no records: section headings ("I. HUYỆN ĐIỆN BIÊN", "Xã Thanh Nưa") and
        totals ("Tổng cộng: 12 khu vực") that office lists put between the data. Such a row has nothing in the id
        and position columns and text only in the first two other columns (STT and name in "STT | Mã | Tên | …"); a
        row with an id or a coordinate is always read. The rows left out are said in one warning for the file.
        Text tables only (not vector files)."""
        if self.rows.size == 0:
            return
        cols = [c for c in self.df.columns if c != "geometry"]
        if self.find("lon", LON_ALIASES) is None or self.find("lat", LAT_ALIASES) is None:
            self.find("x", X_ALIASES), self.find("y", Y_ALIASES)
        key = [self.columns[f] for f in ("id", "lon", "lat", "x", "y") if f in self.columns]
        lead = [c for c in cols if c not in key][:2]  # "STT | Mã | Tên …": the STT and name columns
        filled = self.df[cols].to_numpy(dtype=object) != ""
        in_lead = np.array([c in lead for c in cols])
        heading = filled[:, in_lead].any(axis=1) & ~filled[:, ~in_lead].any(axis=1)
        if not heading.any() or heading.all():  # nothing but headings: let the rows' problems say what is wrong
            self._headings_in_id(cols, filled, lead)
            return
        texts = [" | ".join(v for v in self.df[lead].iloc[i] if v) for i in np.flatnonzero(heading)]
        texts = [t if len(t) <= 40 else t[:39] + "…" for t in texts]
        shown = ", ".join(f"'{t}'" for t in texts[:3]) + (" …" if len(texts) > 3 else "")
        self.warnings.append(
            f"{self.what}: {self.path.name}: {len(texts)} row(s) look like section headings or totals (text in the "
            f"first columns only, no id, no position) and were not read as {self.what} "
            f"({_rows_text(self.rows[heading])}): {shown}"
        )
        keep = ~heading
        self.df = self.df[keep]
        self.rows = self.rows[keep]
        self.n = int(keep.sum())
        self._headings_in_id(cols, filled[keep], lead)

    def _headings_in_id(self, cols: list[str], filled: np.ndarray, lead: list[str]) -> None:
        """A section heading typed in the id column itself ("VIETTEL", "I. HUYỆN ĐIỆN BIÊN" in column A of a list
        whose first column is the id), every other cell of its row empty (but a row number, STT): the row has an
        id, so it is read, and it is one problem saying so instead of "empty longitude" and "empty latitude" (and
        "duplicate id" for a heading repeated). Not when every row is so (a list of ids without positions)."""
        id_col = self.columns.get("id")
        if id_col not in cols or self.n < 2:
            return
        others = np.array([c != id_col and normalise_name(c) not in ("stt", "tt", "so_tt") for c in cols])
        alone = filled[:, cols.index(id_col)] & ~filled[:, others].any(axis=1)
        if not alone.any() or alone.all():
            return
        alone &= ~np.isin(self.rows, list(self._whole_row))  # a shifted row, blanked, has said its problem
        if not alone.any():
            return
        kept = [c for c in cols if c == id_col or normalise_name(c) in ("stt", "tt", "so_tt")]
        texts = [" | ".join(v for v in row if v) for row in self.df[kept].to_numpy(dtype=object)]
        stt = [c for c in lead if normalise_name(c) in ("stt", "tt", "so_tt")]
        target = next((c for c in lead if c not in stt), lead[0] if lead else None)
        move = f", or move the text to the column '{target}' (a row with text only there is left out as a heading)"
        for i in np.flatnonzero(alone):
            self._whole_row_problem(
                self.rows[i], "id",
                f"'{texts[i]}' is all the row holds: a section heading typed in the id column? Delete the row"
                f"{move if target else ''}; if it is one of the {self.what}, fill in its position")

    def ids(self, fld: str = "id", *, required: bool = True) -> np.ndarray:
        vals = self.text(fld)
        if required:
            for i, v in enumerate(vals):
                if v == "":
                    self.problem(self.rows[i], fld, "empty id" + self._row_hint(i))
        seen: dict[str, int] = {}
        for i, v in enumerate(vals):
            if v == "":
                continue
            if v in seen:
                self.problem(self.rows[i], fld, f"duplicate id '{v}' (also in row {seen[v]})")
            else:
                seen[v] = int(self.rows[i])
        return vals

    def require(self, fields_: dict[str, tuple[str, ...]]) -> None:
        missing = [f for f in fields_ if f not in self.columns]
        if missing:
            found = ", ".join(repr(c) for c in self.df.columns if c != "geometry") or "(none)"
            accepted = "; ".join(f"{f}: {', '.join(fields_[f])}" for f in missing)
            raise InputError(
                f"missing required column(s) {', '.join(missing)} in the {self.what} file; columns found: {found}",
                path=self.path,
                hint=f"add or rename the column(s). Accepted names (any case, with or without accents): {accepted}",
            )

    def note_unused(self, ignore=("stt", "tt", "so_tt", "ghi_chu", "note", "notes", "remark", "remarks")) -> None:
        """Warn about columns no alias matched (a misspelt or truncated header otherwise goes unnoticed).

        Row numbers (``STT``) and notes (``Ghi chú``) are expected extras and not reported.
        """
        used = set(self.columns.values())
        unused = [c for c in self.df.columns if c not in used and c != "geometry" and normalise_name(c) not in ignore
                  and c not in self.duplicates]  # a repeated header was reported when the file was read
        if unused:
            self.warnings.append(
                f"{self.what}: column(s) not recognised and ignored in {self.path.name}: "
                + ", ".join(repr(c) for c in unused) + " (see docs/INPUTS.md for accepted names)"
            )

    def raise_if_problems(self, hint: str | None = None) -> None:
        if self.problems:
            # in file order, as the user goes through the file (the checks run column by column); stable, so
            # the problems of one row keep the order of the checks
            order = sorted(range(len(self.problems)), key=self._problem_rows.__getitem__)
            self.problems = [self.problems[i] for i in order]
            self._problem_rows = [self._problem_rows[i] for i in order]
            n = len(self.problems)
            raise InputError(
                f"{n} problem{'s' if n > 1 else ''} in the {self.what} file",
                path=self.path,
                problems=self.problems,
                hint=hint or ("correct the file as described, then run validate again" if 0 in self._problem_rows
                              else "correct the listed rows in the file, then run validate again"),
            )


#: An integer written with thousands separators: "2.000", "1.250.000", "2,000", "12.500".
_GROUPED_INT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$|^[+-]?\d{1,3}(?:,\d{3})+$")
#: The same by separator ("1 234" too: a space is never a decimal mark), a grouped number with a fraction
#: ("1,234.5", "1.234,5"), a plain integer, and anything written with digits, signs and separators only.
_GROUPED_STYLES = {
    ".": re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$"),
    ",": re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$"),
    " ": re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+$"),
}
_GROUPED_DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:(?P<g>[., \u00a0\u202f])\d{3})+(?!(?P=g))[.,]\d+$")
_PLAIN_INT = re.compile(r"^[+-]?\d+$")
_NUMERIC = re.compile(r"^[+-]?[\d., \u00a0\u202f]*\d[\d., \u00a0\u202f]*$")


#: Two values of a comma-separated row that were one number with a decimal comma ("21" and "9" of "21,9").
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_OMNI_WORDS = ("omni", "vo_huong", "none", "na")
#: The fields whose values say whether a CSV row's values stand in their columns (:func:`_fits`).
_FIT_FIELDS = frozenset({"lon", "lat", "x", "y", *RANGES, "technology", "status", "name", "commune", "operator",
                         "border", "remote"})
#: Fields of free text: a separator inside an unquoted value is most likely in one of them.
_TEXT_FIELDS = frozenset({"name", "commune", "operator"})


#: Most ways of joining or spreading a ragged row's values that are tried (C(17, 3) = 680 for a tower row with
#: three decimal commas); beyond, the row is read as it is.
_MAX_CHOICES = 5000


def _choices(n: int, k: int):
    """The ways of choosing ``k`` of ``n`` places (none when there are too many to try)."""
    import itertools

    if k <= 0 or k > n or math.comb(n, k) > _MAX_CHOICES:
        return iter(())
    return itertools.combinations(range(n), k)


def _join(values: list[str], gaps, sep: str) -> list[str]:
    """``values`` with each ``gaps`` j joining value j and j + 1 by ``sep`` (the separator read inside a value)."""
    out = [values[0]]
    for j in range(len(values) - 1):
        out[-1:] = [f"{out[-1]}{sep}{values[j + 1]}"] if j in gaps else [out[-1], values[j + 1]]
    return out


def _joined_spots(gaps) -> list[int]:
    """Where each joined value stands once the row is joined at ``gaps`` (sorted): its first value's place less the
    joins before it."""
    spots: list[int] = []
    for n, j in enumerate(gaps):
        spot = j - n
        if not spots or spots[-1] != spot:
            spots.append(spot)
    return spots


@functools.lru_cache(maxsize=65536)
def _fits(fld: str, value: str) -> bool:
    """Whether ``value`` can stand in a column of ``fld``: used to tell a CSV row shifted by a decimal comma from
    one that is not. An empty cell can, but for a position; the id (anything can be one) never counts."""
    if fld == "id" or fld not in _FIT_FIELDS:
        return False
    if value == "":
        return fld not in ("lon", "lat", "x", "y")
    if fld in ("lon", "lat"):
        v = parse_number(value)
        v = parse_dms(value, fld) if v is None else v
        return v is not None and abs(v) <= (180.0 if fld == "lon" else 90.0)
    if fld in ("x", "y"):
        return parse_number(value) is not None
    if fld in RANGES:
        if fld == "azimuth_deg" and normalise_name(value) in _OMNI_WORDS:
            return True
        if fld == "voters" and any(rx.match(value) for rx in _GROUPED_STYLES.values()):
            return True  # "1.234": 1234 voters (a Vietnamese Excel's thousands separator)
        v = parse_number(value)
        lo, hi = RANGES[fld]
        return v is not None and lo <= v <= hi and (fld != "voters" or v == int(v))
    if fld == "technology":
        return normalise_name(value) in TECHNOLOGY_VALUES
    if fld == "status":
        return normalise_name(value) in _status_table()
    if fld in ("name", "commune", "operator"):
        return parse_number(value) is None
    if fld in ("border", "remote"):
        return normalise_name(value) in TRUE_VALUES | FALSE_VALUES
    return False


def _ambiguous(raw: str, digits: str) -> str:
    return f"'{raw}' is ambiguous (thousands separator or decimal mark?): write {digits} without a thousands separator"


def _rows_text(rows, limit: int = 10) -> str:
    """"rows 2, 3, 5" or "rows 2, 3, … (25 rows)": the first few row numbers and the count."""
    from coverage_planner.io import _rows_text as fmt

    return fmt(list(rows), limit)


_SPACES = (" ", "\u00a0", "\u202f")  # space, no-break space, narrow no-break space
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$")


def parse_number(raw: Any) -> float | None:
    """Parse a number as typed in Vietnamese or English spreadsheets ("21.5", "21,5", "1 234", "103.05°")."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw) if math.isfinite(raw) else None
    s = str(raw).strip().rstrip("°").strip()
    if not s:
        return None
    if any(ch in s for ch in _SPACES):
        # a space only as a thousands separator ("1 234", "12 500,5"): "4 5" is a typo, not 45
        if not _SPACE_GROUPED.match(s):
            return None
        s = "".join(ch for ch in s if ch not in _SPACES)
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


#: A position in degrees and minutes (and seconds), as BTS lists and GPS units write it: 103°11'05.2"E,
#: 21°22.5'N, N 21 23 10.5, 103 11 5 (three numbers separated by spaces: a number cannot be grouped that way).
_DMS = re.compile(
    r"^(?P<h1>[NSEW])?\s*(?P<d>\d{1,3})\s*(?:°|º|˚|\s)\s*(?P<m>\d{1,2}(?:[.,]\d+)?)\s*(?:'|′|’|\s)?\s*"
    r"(?:(?P<s>\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|”|''|’’)?)?\s*(?P<h2>[NSEW])?$",
    re.IGNORECASE,
)


def parse_dms(raw: Any, axis: str) -> float | None:
    """Decimal degrees of a degrees-minutes(-seconds) position (``103°11'05.2"E``, ``21 22 30.5``, ``21°22.5'N``)
    on ``axis`` ("lon" or "lat"); None when ``raw`` is not one (a plain number is :func:`parse_number`'s).

    Minutes and seconds must be below 60; a hemisphere letter must belong to the axis (N/S latitude, E/W longitude);
    S and W are negative. Without a degree sign the parts must be separated by spaces and the seconds given."""
    m = _DMS.match(str(raw).strip())
    if m is None or (m["h1"] and m["h2"]):
        return None
    text = str(raw)
    if not any(c in text for c in "°º˚") and (m["s"] is None or not re.search(r"\d\s+\d", text)):
        return None  # "21 22" or "21.5" are no DMS; "21 22 30" is
    if m["s"] is not None and "." in m["m"].replace(",", "."):
        return None  # decimal minutes followed by seconds
    deg, mins = float(m["d"]), float(m["m"].replace(",", "."))
    secs = float(m["s"].replace(",", ".")) if m["s"] else 0.0
    if mins >= 60 or secs >= 60:
        return None
    hemi = (m["h1"] or m["h2"] or "").upper()
    if hemi and hemi not in ("EW" if axis == "lon" else "NS"):
        return None
    value = deg + mins / 60.0 + secs / 3600.0
    return -value if hemi in ("S", "W") else value


def _as_text_frame(gdf):
    """Attributes of a GeoDataFrame as strings (empty for missing), keeping the 1-based feature index."""
    import pandas as pd

    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))

    def fmt(v):
        if v is None:
            return ""
        if isinstance(v, float):
            if math.isnan(v):
                return ""
            return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
        return unicodedata.normalize("NFC", str(v).strip())

    df.columns = [unicodedata.normalize("NFC", str(c)) for c in df.columns]
    return df.map(fmt) if hasattr(df, "map") else df.applymap(fmt)


# --------------------------------------------------------------------------------------------------------
# positions
# --------------------------------------------------------------------------------------------------------
def _crs_label(crs) -> str:
    try:
        epsg = crs.to_epsg()
    except Exception:  # pragma: no cover
        epsg = None
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _crs_is_implied(path: Path) -> bool:
    """True when a vector file states no CRS of its own and the reader assumed one: a GeoJSON without a ``crs``
    member (RFC 7946 means WGS 84, so GDAL reports EPSG:4326 whatever the coordinates), a Shapefile without its
    ``.prj``. A CRS declared in the project then overrides the assumed one (an explicit one it may not)."""
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        import json

        try:
            with open(path, encoding="utf-8-sig") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):  # GDAL read it; let its CRS stand
            return False
        return isinstance(doc, dict) and "crs" not in doc
    if suffix == ".shp":
        return not (path.with_suffix(".prj").is_file() or path.with_suffix(".PRJ").is_file())
    return False


def _declare_example(path: Path, what: str, crs: str) -> str:
    """The project line that declares ``crs`` for this input: ``communes = { path = "c.geojson", crs = "…" }``."""
    return f'{what} = {{ path = "{path.name}", crs = "{crs}" }}'


def _metre_crs_example(analysis_crs: str | None) -> str:
    """A projected CRS to suggest for metre coordinates: the project's analysis CRS when it is projected."""
    from pyproj import CRS

    try:
        if analysis_crs and CRS.from_user_input(analysis_crs).is_projected:
            return str(analysis_crs)
    except Exception:  # an invalid project CRS is reported elsewhere
        pass
    return "EPSG:32648"


def _check_vector_crs(gdf, path: Path, what: str, declared: str | None, analysis_crs: str | None = None):
    """Return the GeoDataFrame with its CRS: the file's own, else the declared one, else the one its format
    implies (a GeoJSON without ``crs`` member: EPSG:4326).

    A declared CRS overrides an implied one; against a CRS the file states it is an error whose advice depends
    on which of the two fits the coordinates. The coordinates must fit the CRS used
    (:func:`_check_coordinates_fit_crs`). ``analysis_crs`` is only used to suggest a CRS in messages.
    """
    from pyproj import CRS

    example = _metre_crs_example(analysis_crs)
    if gdf.crs is None or (declared is not None and _crs_is_implied(path)):
        if declared is None:
            raise CRSError(
                f"the {what} file has no coordinate reference system",
                path=path,
                hint=f'declare it in the project: {_declare_example(path, what, "EPSG:4326")} for longitude/'
                f'latitude, or crs = "{example}" for metres (or save the file with its CRS, e.g. a .prj next to '
                "a .shp)",
            )
        gdf = gdf.set_crs(declared, allow_override=True)
        _check_coordinates_fit_crs(gdf, path, what, f"the project declares {declared} for it", "declared",
                                   example=example)
        return gdf
    label = _crs_label(gdf.crs)
    if declared is not None and not CRS.from_user_input(declared).equals(gdf.crs, ignore_axis_order=True):
        own_fits = _coordinates_misfit(gdf.crs, gdf.total_bounds) is None
        declared_fits = _coordinates_misfit(CRS.from_user_input(declared), gdf.total_bounds) is None
        if not own_fits and declared_fits:
            hint = (f"the file's own CRS is wrong: its coordinates ({_extent_text(gdf.total_bounds)}) fit "
                    f"{declared}, not {label}. A CRS the file states is never overridden: make a copy with the "
                    f"right one (ogr2ogr -a_srs {declared} fixed{path.suffix} {path.name}, or QGIS: Layer "
                    "Properties > Source > Assigned CRS, then Export > Save Features As…) and name the copy in "
                    "the project, without crs")
        else:
            hint = (f'remove crs = "{declared}" from this input in the project: the file\'s own {label} is used '
                    f"(a CRS the file states is never overridden); or reproject the file to {declared}")
        raise CRSError(
            f"the {what} file states its CRS, {label}, but the project declares {declared} for it",
            path=path,
            hint=hint,
        )
    if _coordinates_misfit(gdf.crs, gdf.total_bounds) is None:
        return gdf
    if _crs_is_implied(path):
        how = "no .prj, so it was read as" if path.suffix.lower() == ".shp" else 'no "crs" member, so as GeoJSON it is read as'
        _check_coordinates_fit_crs(gdf, path, what, f"the file has {how} {label}", "implied", example=example)
    _check_coordinates_fit_crs(gdf, path, what, f"the file says {label}", "file", example=example)
    return gdf


def _coordinates_misfit(crs, b) -> str | None:
    """"metres" when bounds ``b`` cannot be degrees of the geographic ``crs``, "degrees" when they are
    almost surely degrees in the projected ``crs`` (within 180 m of its false origin), else None."""
    if not np.isfinite(b).all():
        return None
    if crs.is_geographic:
        if abs(b[0]) > 180 or abs(b[2]) > 180 or abs(b[1]) > 90 or abs(b[3]) > 90:
            return "metres"
    elif crs.is_projected and max(abs(v) for v in b) <= 180 and abs(b[1]) <= 90 and abs(b[3]) <= 90:
        return "degrees"
    return None


def _extent_text(b) -> str:
    def f(v):
        return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.6g}"

    return f"x {f(b[0])} … {f(b[2])}, y {f(b[1])} … {f(b[3])}"


def _check_coordinates_fit_crs(gdf, path: Path, what: str, source: str, origin: str = "declared", *,
                               example: str = "EPSG:32648") -> None:
    """Refuse coordinates that cannot be in the CRS: metres in a degree CRS, or degrees in a metre CRS.

    ``source`` says where the CRS comes from ("the file says EPSG:4326", "the project declares …"); ``origin``
    ("declared", "file" or "implied") chooses the advice: a declared or implied CRS is corrected in the project,
    one the file states only in the file (a declaration cannot override it).
    """
    b = gdf.total_bounds
    kind = _coordinates_misfit(gdf.crs, b)
    if kind is None:
        return
    extent = _extent_text(b)
    if kind == "metres":
        real = f"a projected CRS in metres (VN-2000 e.g. EPSG:3405, or UTM e.g. {example})"
        right = example
        message = (f"{source} (degrees) but the {what} coordinates ({extent}) go up to "
                   f"{max(abs(v) for v in b):.0f}, which look like metres")
    else:
        real = "WGS 84 longitude/latitude"
        right = "EPSG:4326"
        message = (f"{source} (projected, metres) but the {what} coordinates ({extent}) look like degrees of "
                   "longitude/latitude")
    if origin == "file":
        hint = (f"the CRS the file states is wrong: the file is probably in {real}. A declaration in the project "
                f"cannot override it: make a copy with the real CRS (ogr2ogr -a_srs {right} fixed{path.suffix} "
                f"{path.name}, or QGIS: Layer Properties > Source > Assigned CRS, then Export > Save Features "
                "As…) and name the copy in the project")
    else:
        hint = (f"the file is probably in {real}: declare its real CRS for this input in the project, e.g. "
                f"{_declare_example(path, what, right)}"
                + (f" if it is in the project's CRS ({example})" if kind == "metres" else ""))
    raise CRSError(message, path=path, hint=hint)


def _lonlat_to(lon, lat, crs: str):
    from pyproj import Transformer

    t = Transformer.from_crs(WGS84, crs, always_xy=True)
    return t.transform(lon, lat)


def _points_from_rows(
    rows: _Rows, gdf, *, crs: str, source_crs: str | None, extent_lonlat=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Positions of every row: (x, y, lon, lat, ok). Problems are recorded on ``rows``."""
    from pyproj import Transformer

    n = rows.n
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if gdf is not None:  # vector file: the geometry is authoritative
        geom = gdf.geometry
        gdf = _check_vector_crs(gdf, rows.path, rows.what, source_crs, crs)
        for i, g in enumerate(geom.to_numpy()):
            if g is None or g.is_empty:
                rows.problem(rows.rows[i], None, "feature has no geometry")
            elif g.geom_type != "Point":
                rows.problem(rows.rows[i], None, f"geometry is a {g.geom_type}, expected a Point")
        pts = gdf.geometry.to_crs(crs)
        ok = np.array([g is not None and not g.is_empty and g.geom_type == "Point" for g in pts.to_numpy()])
        x[ok] = pts[ok].x.to_numpy()
        y[ok] = pts[ok].y.to_numpy()
        lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(x, y)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        return x, y, lon, lat, ok
    has_ll = rows.find("lon", LON_ALIASES) is not None and rows.find("lat", LAT_ALIASES) is not None
    has_xy = not has_ll and rows.find("x", X_ALIASES) is not None and rows.find("y", Y_ALIASES) is not None
    if not (has_ll or has_xy):
        found = ", ".join(repr(c) for c in rows.df.columns) or "(none)"
        raise InputError(
            f"no position columns in the {rows.what} file; columns found: {found}",
            path=rows.path,
            hint="add longitude/latitude in WGS 84 (accepted: " + ", ".join(LON_ALIASES) + " / " + ", ".join(LAT_ALIASES)
            + ") or x/y (" + ", ".join(X_ALIASES) + " / " + ", ".join(Y_ALIASES) + ") and declare the CRS in the project",
        )
    if has_xy:
        if source_crs is None:
            raise CRSError(
                f"the {rows.what} file gives x/y coordinates ('{rows.columns['x']}', '{rows.columns['y']}') "
                "but no CRS is declared",
                path=rows.path,
                hint=f'declare `crs = ...` for this input in the project, e.g. {rows.what} = '
                f'{{ path = "{rows.path.name}", crs = "EPSG:32648" }} (VN-2000 / UTM 48N …)',
            )
        xs = rows.number("x", lo=-1e8, hi=1e8)
        ys = rows.number("y", lo=-1e8, hi=1e8)
        xt, yt = rows.text("x"), rows.text("y")
        for i in range(n):
            if xt[i] == "" or yt[i] == "":
                rows.problem(rows.rows[i], "x" if xt[i] == "" else "y", "empty coordinate")
        ok = np.isfinite(xs) & np.isfinite(ys)
        t = Transformer.from_crs(source_crs, WGS84, always_xy=True)
        lon, lat = t.transform(np.where(ok, xs, 0.0), np.where(ok, ys, 0.0))
        lon = np.where(ok, lon, np.nan)
        lat = np.where(ok, lat, np.nan)
        bad = ok & ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
        for i in np.flatnonzero(bad):
            rows.problem(rows.rows[i], "x", f"x={xs[i]:g}, y={ys[i]:g} is not a valid position in {source_crs}")
        ok &= ~bad
        if extent_lonlat is not None and ok.sum() >= 2:
            # X the northing, Y the easting (Vietnamese survey tables): off the terrain, on it the other way round
            lon2, lat2 = t.transform(np.where(ok, ys, 0.0), np.where(ok, xs, 0.0))
            off = np.array([o and not _in_extent(a, b, extent_lonlat) for o, a, b in zip(ok, lon, lat, strict=True)])
            back = off & np.array([_in_extent(a, b, extent_lonlat) for a, b in zip(lon2, lat2, strict=True)])
            if back.sum() >= 0.9 * ok.sum():
                xc, yc = rows.columns["x"], rows.columns["y"]
                n_b, n_ok = int(back.sum()), int(ok.sum())
                rows.file_problem(
                    "the x and y columns look exchanged (" + (f"all {n_b} rows" if n_b == n_ok else
                                                               f"{n_b} of {n_ok} rows")
                    + f"): '{xc}' holds {np.min(xs[back]):.0f} … {np.max(xs[back]):.0f} and '{yc}' holds "
                    f"{np.min(ys[back]):.0f} … {np.max(ys[back]):.0f}, which fall on the terrain read the other way "
                    f"round (x is the easting, y the northing; Vietnamese survey tables often write X for the "
                    f"northing): swap the headers '{xc}' and '{yc}'"
                )
                ok &= ~back
    else:
        lon = rows.number("lon", lo=-1e9, hi=1e9, dms="lon")
        lat = rows.number("lat", lo=-1e9, hi=1e9, dms="lat")
        ltext, atext = rows.text("lon"), rows.text("lat")
        ok = np.isfinite(lon) & np.isfinite(lat)
        for i in range(n):
            if ltext[i] == "":
                rows.problem(rows.rows[i], "lon", "empty longitude")
            if atext[i] == "":
                rows.problem(rows.rows[i], "lat", "empty latitude")
        swapped = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(ok):
            lo_, la_ = lon[i], lat[i]
            in_range = abs(lo_) <= 180 and abs(la_) <= 90
            swapped_ok = abs(la_) <= 180 and abs(lo_) <= 90
            if not in_range and swapped_ok:
                swapped[i] = True
            elif in_range and swapped_ok and extent_lonlat is not None:
                swapped[i] = not _in_extent(lo_, la_, extent_lonlat) and _in_extent(la_, lo_, extent_lonlat)
        n_pos, n_swapped = int(ok.sum()), int(swapped.sum())
        # the headers swapped, not the values: one problem for the file instead of one per row (655 lines that
        # all say the same); a few other rows with bad positions still get their own problems below
        columns_swapped = n_swapped >= 2 and n_swapped >= 0.9 * n_pos
        if columns_swapped:
            lc, ac = rows.columns["lon"], rows.columns["lat"]
            rows.file_problem(
                "the longitude and latitude columns look swapped ("
                + (f"all {n_swapped} rows" if n_swapped == n_pos else f"{n_swapped} of {n_pos} rows") + "): "
                f"'{lc}' holds {np.nanmin(lon[swapped]):g} … {np.nanmax(lon[swapped]):g} and '{ac}' holds "
                f"{np.nanmin(lat[swapped]):g} … {np.nanmax(lat[swapped]):g}; swap the headers '{lc}' and '{ac}'"
            )
        # metres (VN-2000, UTM) under longitude/latitude headers: one problem for the file, with the CRS to declare
        metres = ok & ~swapped & (np.abs(lon) > 1000) & (np.abs(lat) > 1000)
        n_metres = int(metres.sum())
        columns_metres = n_metres >= 2 and n_metres >= 0.9 * n_pos
        if columns_metres:
            rows.file_problem(_metres_in_lonlat(rows, lon[metres], lat[metres], n_metres, n_pos, extent_lonlat))
        for i in np.flatnonzero(ok):
            lo_, la_ = lon[i], lat[i]
            in_range = abs(lo_) <= 180 and abs(la_) <= 90
            if columns_metres and metres[i]:
                ok[i] = False
                continue
            if swapped[i]:
                ok[i] = False
                if columns_swapped:
                    continue
                rows.problem(
                    rows.rows[i], "lat",
                    f"longitude {lo_:g} / latitude {la_:g} looks swapped (as lon {la_:g}, lat {lo_:g} it fits); "
                    f"exchange the '{rows.columns['lon']}' and '{rows.columns['lat']}' values",
                )  # fmt: skip
            elif not in_range:
                if abs(la_) > 90:
                    rows.problem(rows.rows[i], "lat", f"latitude {la_:g} is out of range (−90 to 90)")
                if abs(lo_) > 180:
                    rows.problem(
                        rows.rows[i], "lon",
                        f"longitude {lo_:g} is out of range (−180 to 180); if these are projected x/y, "
                        "name the columns x and y and declare the CRS",
                    )  # fmt: skip
                ok[i] = False
        if source_crs is not None:
            from pyproj import CRS

            if not CRS.from_user_input(source_crs).is_geographic:
                raise CRSError(
                    f"the {rows.what} file has longitude/latitude columns but the project declares the projected "
                    f"CRS {source_crs} for it",
                    path=rows.path,
                    hint="rename the columns to x and y if they are projected, or remove crs for this input",
                )
        lon = np.where(ok, lon, np.nan)
        lat = np.where(ok, lat, np.nan)
    xx, yy = _lonlat_to(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0), crs)
    x[ok] = np.asarray(xx)[ok]
    y[ok] = np.asarray(yy)[ok]
    return x, y, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), ok


#: Projected CRS that Vietnamese position tables use (VN-2000 first: the national system), tried in this order to
#: say which one puts metre coordinates written under longitude/latitude headers inside the terrain.
_METRE_CRS_GUESSES = ("EPSG:3405", "EPSG:3406", *(f"EPSG:{c}" for c in range(9205, 9219)), "EPSG:5896", "EPSG:5897",
                      "EPSG:5898", "EPSG:5899", "EPSG:32648", "EPSG:32649")


def _metres_in_lonlat(rows: _Rows, xs, ys, n: int, n_pos: int, extent_lonlat) -> str:
    """The file problem of metre coordinates under longitude/latitude headers: what the columns hold, the fix, and
    the projected CRS (VN-2000 / UTM) that puts them inside the terrain, when one does."""
    from pyproj import CRS, Transformer

    lc, ac = rows.columns["lon"], rows.columns["lat"]
    crs, where = "EPSG:3405", ""
    if extent_lonlat is not None:  # the first guess whose reading puts the middle of the points on the terrain
        mx, my = float(np.median(xs)), float(np.median(ys))
        for code in _METRE_CRS_GUESSES:
            lo_, la_ = Transformer.from_crs(code, WGS84, always_xy=True).transform(mx, my)
            if np.isfinite(lo_) and np.isfinite(la_) and _in_extent(lo_, la_, extent_lonlat):
                crs, where = code, f"; read as {code} ({CRS.from_user_input(code).name}) they fall on the terrain"
                break
    return ("the longitude and latitude columns hold metres, not degrees ("
            + (f"all {n} rows" if n == n_pos else f"{n} of {n_pos} rows") + f"): '{lc}' holds "
            f"{np.min(xs):.0f} … {np.max(xs):.0f} and '{ac}' holds {np.min(ys):.0f} … {np.max(ys):.0f}{where}. "
            f"Rename the headers '{lc}' and '{ac}' to x and y (easting, northing) and declare their CRS in the "
            f'project: {rows.what} = {{ path = "{rows.path.name}", crs = "{crs}" }}')


def _in_extent(lon, lat, ext) -> bool:
    w, s, e, n = ext
    return w <= lon <= e and s <= lat <= n


_POSITION_NAMES = frozenset(LON_ALIASES + LAT_ALIASES + X_ALIASES + Y_ALIASES)


def _header_test(aliases: dict[str, tuple[str, ...]]):
    """A row is the header when ≥ 2 of its cells are accepted column names (title lines above are skipped)."""
    known = frozenset(n for names in aliases.values() for n in names) | _POSITION_NAMES

    def score(cells: list[str]) -> int:
        return sum(normalise_name(c) in known or _unit_key(normalise_name(c)) in known for c in cells if c)

    def is_header(cells: list[str]) -> bool:
        return score(cells) >= 2

    is_header.score = score  # used by coverage_planner.io to choose a CSV's delimiter
    return is_header


def _read(path, what: str, layer: str | None = None, aliases: dict[str, tuple[str, ...]] | None = None):
    """(text frame, GeoDataFrame or None) for a table or vector file."""
    from coverage_planner.io import read_table

    frame, kind = read_table(path, layer=layer, what=what, is_header=_header_test(aliases or {}))
    if kind == "vector":
        return _as_text_frame(frame), frame
    return frame, None


def _ref(path) -> tuple[Path, str | None, str | None]:
    """Path, declared CRS and layer of a path or project InputRef."""
    return Path(os.fspath(path)), getattr(path, "crs", None), getattr(path, "layer", None)


def _build_gdf(data: dict, x, y, crs: str, columns: list[str]):
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(x, y), crs=crs)
    return gdf[columns].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------
# towers
# --------------------------------------------------------------------------------------------------------
def _refuse_station_list(rows: _Rows, path: Path) -> None:
    """A polling-station list given as the towers file (QA: ``coverage --tower-file polling_stations.csv`` read
    655 "towers" on default radio values, with warnings only): no radio column at all, and the stations' own
    columns (voters, commune) — refused, naming the columns."""
    if any(rows.has(f) for f in TOWER_ALIASES if f not in ("id", "status")):
        return
    station_cols = [c for f in ("voters", "commune") for c in rows._find(f, STATION_ALIASES[f]).values()]
    if station_cols:
        raise InputError(
            f"this looks like a list of polling stations, not of towers: it has {', '.join(map(repr, station_cols))} "
            "and no radio column (operator, technology, frequency, antenna height, EIRP, azimuth)",
            path=path, hint="give the towers file here (the polling stations go in [inputs] stations)")


def load_towers(
    path,
    *,
    crs: str,
    defaults=None,
    source_crs: str | None = None,
    default_technology: str = "4G",
    extent_lonlat: tuple[float, float, float, float] | None = None,
    warnings: list[str] | None = None,
):
    """Load towers (one row per antenna / sector) into the canonical towers GeoDataFrame in ``crs``.

    ``defaults``: ``{tech: TechDefaults}`` (default: :class:`coverage_planner.project.RadioSettings`'s).
    ``source_crs``: CRS of x/y columns, or of a vector file lacking one. ``extent_lonlat`` (w, s, e, n): where
    data is expected; a point outside that fits when lat and lon are exchanged is reported as swapped.
    Non-fatal notes (defaults used, towers down) are appended to ``warnings``.
    """
    from coverage_planner.project import RadioSettings

    path, declared, layer = _ref(path)
    source_crs = source_crs or declared
    if defaults is None:
        defaults = RadioSettings().defaults
    warn = warnings if warnings is not None else []
    df, gdf = _read(path, "towers", layer, TOWER_ALIASES)
    rows = _Rows(df, path, "towers", TOWER_ALIASES, warn)
    rows.require({"id": TOWER_ID_ALIASES})
    _refuse_station_list(rows, path)
    if gdf is None:
        rows.drop_headings()
    ids = rows.ids()
    x, y, lon, lat, ok = _points_from_rows(rows, gdf, crs=crs, source_crs=source_crs, extent_lonlat=extent_lonlat)

    n = rows.n
    tech = np.empty(n, dtype=object)
    for i, raw in enumerate(rows.text("technology")):
        if raw == "":
            tech[i] = default_technology
            continue
        t = TECHNOLOGY_VALUES.get(normalise_name(raw))
        if t is None:
            rows.problem(rows.rows[i], "technology", f"'{raw}' is not a known technology (use 2G/GSM, 3G/UMTS/WCDMA or 4G/LTE)")
            t = default_technology
        tech[i] = t
    n_default_tech = int(sum(1 for v in rows.text("technology") if v == ""))
    if not rows.has("technology"):
        warn.append(f"towers: {path.name} has no technology column: every tower is taken as {default_technology}")
    elif n_default_tech:
        warn.append(f"towers: {n_default_tech} row(s) without technology: assumed {default_technology}")

    status = np.empty(n, dtype=object)
    for i, raw in enumerate(rows.text("status")):
        if raw == "":
            status[i] = "on_air"
            continue
        s = _status_table().get(normalise_name(raw))
        if s is None:
            rows.problem(
                rows.rows[i], "status",
                f"'{raw}' is not a known status (on air: on_air, Đang phát sóng, Hoạt động; planned: planned, "
                "Quy hoạch, Dự kiến; down: down, Ngừng hoạt động, Mất sóng, Sự cố — any case, with or without "
                "accents)",
            )  # fmt: skip
            s = "on_air"
        status[i] = s

    rows.note_blank("status", "used on_air (on air)")
    nums = {f: rows.number(f) for f in RANGES if f in TOWER_ALIASES and f != "azimuth_deg"}
    # "omni" / "vô hướng" (or empty) = no azimuth
    nums["azimuth_deg"] = rows.number("azimuth_deg", blank_words=("omni", "vo_huong", "none", "na"))

    # EIRP: given, or Tx power + antenna gain − losses, or the technology default
    eirp = nums["eirp_dbm"].copy()
    tx = nums["tx_power_dbm"]
    use_tx = ~np.isfinite(eirp) & np.isfinite(tx)
    if use_tx.any():
        gain = np.where(np.isfinite(nums["antenna_gain_dbi"]), nums["antenna_gain_dbi"],
                        [defaults[t].antenna_gain_dbi for t in tech])  # fmt: skip
        loss = np.where(np.isfinite(nums["losses_db"]), nums["losses_db"], [defaults[t].losses_db for t in tech])
        eirp[use_tx] = (tx + gain - loss)[use_tx]
        lo, hi = RANGES["eirp_dbm"]
        for i in np.flatnonzero(use_tx & ((eirp < lo) | (eirp > hi))):
            rows.problem(rows.rows[i], "tx_power_dbm",
                         f"EIRP from Tx power + gain − losses = {eirp[i]:.1f} dBm is out of range ({lo:g} to {hi:g})")  # fmt: skip
    nums["eirp_dbm"] = eirp

    out: dict[str, Any] = {"id": ids, "operator": rows.text("operator", "unknown"), "technology": tech}
    for fld in ("frequency_mhz", "height_m", "eirp_dbm", "beamwidth_deg", "front_to_back_db", "mech_tilt_deg",
                "elec_tilt_deg", "vertical_beamwidth_deg"):  # fmt: skip
        vals = nums[fld].copy()
        miss = ~np.isfinite(vals)
        if miss.any():
            vals[miss] = [getattr(defaults[t], fld) for t in tech[miss]]
            used = ", ".join(sorted({f"{getattr(defaults[t], fld):g} ({t})" for t in tech[miss]}))
            absent = not rows.has(fld) and not (fld == "eirp_dbm" and rows.has("tx_power_dbm"))
            pointless = fld == "beamwidth_deg" and not rows.has("azimuth_deg")  # omni: no beam to widen
            if absent and fld in _SAID_WHEN_ABSENT and ok.any() and not pointless:
                warn.append(f"towers: {path.name} has no {fld} column: every tower uses the default {used}")
            elif not absent and fld in ("frequency_mhz", "height_m", "eirp_dbm") and ok.any():
                warn.append(f"towers: {int(miss.sum())} row(s) without {fld}: used default {used}")
        out[fld] = vals
    # a column the model uses but the file lacks: say what the towers become (the defaults are said above)
    for fld, meaning in (("operator", "every tower's operator is 'unknown'"),
                         ("azimuth_deg", "every tower is treated as omnidirectional"),
                         ("status", "every tower is treated as on air")):  # fmt: skip
        if not rows.has(fld) and n:
            warn.append(f"towers: {path.name} has no {fld} column: {meaning}")
    az = nums["azimuth_deg"] % 360.0
    out["azimuth_deg"] = az
    out["status"] = status
    out["lon"] = lon
    out["lat"] = lat
    out["source_row"] = rows.rows
    rows.raise_if_problems()
    rows.note_unused()
    down = [str(i) for i, s in zip(ids, status, strict=True) if s == "down"]
    if down:
        warn.append(f"towers: {len(down)} tower(s) with status down (not used): {', '.join(down[:30])}"
                    + (" …" if len(down) > 30 else ""))  # fmt: skip
    return _build_gdf(out, x, y, crs, TOWER_COLUMNS)


# --------------------------------------------------------------------------------------------------------
# polling stations
# --------------------------------------------------------------------------------------------------------
def load_stations(
    path,
    *,
    crs: str,
    source_crs: str | None = None,
    extent_lonlat: tuple[float, float, float, float] | None = None,
    warnings: list[str] | None = None,
):
    """Load polling stations (khu vực bỏ phiếu) into the canonical stations GeoDataFrame in ``crs``.

    Required: id and position. ``name`` defaults to the id and ``commune`` may be empty (filled from the
    commune polygons by :func:`load_inputs`); ``voters`` default 0 (whole number ≥ 0), ``priority`` 1.0.
    """
    path, declared, layer = _ref(path)
    source_crs = source_crs or declared
    warn = warnings if warnings is not None else []
    df, gdf = _read(path, "stations", layer, STATION_ALIASES)
    rows = _Rows(df, path, "stations", STATION_ALIASES, warn)
    rows.require({"id": ID_ALIASES})
    if gdf is None:
        rows.drop_headings()
    ids = rows.ids()
    x, y, lon, lat, ok = _points_from_rows(rows, gdf, crs=crs, source_crs=source_crs, extent_lonlat=extent_lonlat)
    names = rows.text("name")
    no_name = names == ""
    if no_name.any():
        names = np.where(no_name, ids, names)
        warn.append(f"stations: {int(no_name.sum())} row(s) without a name: the id is used as the name")
    voters = rows.number("voters", integer=True, grouped=True)
    if not rows.has("voters"):
        warn.append("stations: no voters column: every station counts 0 voters (weights use priority only)")
    priority = rows.number("priority", grouped=True)
    rows.raise_if_problems()
    rows.note_blank("voters", "used 0 voters")
    rows.note_blank("priority", "used priority 1")
    rows.note_unused()
    data = {
        "id": ids,
        "name": names,
        "commune": rows.text("commune"),
        "voters": np.where(np.isfinite(voters), voters, 0).astype(np.int64),
        "priority": np.where(np.isfinite(priority), priority, 1.0).astype(float),
        "lon": lon,
        "lat": lat,
        "source_row": rows.rows,
    }
    return _build_gdf(data, x, y, crs, STATION_COLUMNS)


# --------------------------------------------------------------------------------------------------------
# communes, lines, points
# --------------------------------------------------------------------------------------------------------
def _parse_bool(rows: _Rows, fld: str) -> np.ndarray | None:
    if not rows.has(fld):
        return None
    out = np.zeros(rows.n, dtype=bool)
    for i, raw in enumerate(rows.text(fld)):
        v = normalise_name(raw)
        if v in TRUE_VALUES:
            out[i] = True
        elif v not in FALSE_VALUES:
            rows.problem(rows.rows[i], fld, f"'{raw}' is not yes/no (use 1/0, true/false, có/không)")
    return out


def load_communes(
    path,
    *,
    crs: str,
    border=None,
    roads=None,
    towns=None,
    border_distance_m: float = 5000.0,
    remote_distance_m: float = 10000.0,
    source_crs: str | None = None,
    warnings: list[str] | None = None,
):
    """Load commune polygons with ``border`` and ``remote`` flags, in ``crs``.

    Flags come from columns when present; otherwise ``border`` = within ``border_distance_m`` of the
    ``border`` lines GeoDataFrame, and ``remote`` = the commune's centre (a point inside it) farther than
    ``remote_distance_m`` from every road and town (``roads``/``towns`` GeoDataFrames in ``crs``).
    """
    import geopandas as gpd
    import shapely

    path, declared, layer = _ref(path)
    source_crs = source_crs or declared
    warn = warnings if warnings is not None else []
    df, gdf = _read(path, "communes", layer, COMMUNE_ALIASES)
    if gdf is None:
        raise InputError(
            "communes must be polygons: a table has none",
            path=path,
            hint="use a GeoJSON, GeoPackage or Shapefile of the commune boundaries",
        )
    rows = _Rows(df, path, "communes", COMMUNE_ALIASES, warn)
    rows.require({"name": COMMUNE_ALIASES["name"]})
    gdf = _check_vector_crs(gdf, path, "communes", source_crs, crs)
    geoms = gdf.geometry.to_numpy()
    names = rows.text("name")
    fixed = 0
    for i, g in enumerate(geoms):
        if names[i] == "":
            rows.problem(rows.rows[i], "name", "empty commune name")
        if g is None or g.is_empty:
            rows.problem(rows.rows[i], None, "feature has no geometry")
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            rows.problem(rows.rows[i], None, f"geometry is a {g.geom_type}, expected a Polygon or MultiPolygon")
        elif not g.is_valid:
            fixed += 1
    first_row: dict[str, int] = {}
    for i, nm in enumerate(names):
        if nm == "":
            continue
        if nm in first_row:
            rows.problem(
                rows.rows[i], "name",
                f"commune name '{nm}' is used twice (features {first_row[nm]} and {rows.rows[i]}); names must be "
                "unique within the communes file: rename one (e.g. add the district) or merge the two polygons",
            )  # fmt: skip
        else:
            first_row[nm] = int(rows.rows[i])
    border_col = _parse_bool(rows, "border")
    remote_col = _parse_bool(rows, "remote")
    rows.raise_if_problems()
    if fixed:
        warn.append(f"communes: {fixed} invalid polygon(s) repaired (make_valid)")
    geo = gpd.GeoSeries(
        [shapely.make_valid(g) if not g.is_valid else g for g in geoms], crs=gdf.crs
    ).to_crs(crs)
    geo = gpd.GeoSeries(
        [g if g.geom_type in ("Polygon", "MultiPolygon") else _polygonal(g) for g in geo], crs=crs
    )
    centres = geo.representative_point()

    if border_col is None:
        if border is not None and len(border):
            lines = shapely.union_all(border.to_crs(crs).geometry.to_numpy())
            border_col = np.asarray(geo.distance(lines) <= border_distance_m)
        else:
            border_col = np.zeros(len(geo), dtype=bool)
            warn.append("communes: no border column and no border layer: no commune is marked as border")
    if remote_col is None:
        layers = [g for g in (roads, towns) if g is not None and len(g)]
        if layers:
            target = shapely.union_all(np.concatenate([g.to_crs(crs).geometry.to_numpy() for g in layers]))
            remote_col = np.asarray(centres.distance(target) > remote_distance_m)
            if roads is None or not len(roads):  # towns alone mark most communes remote: say so
                warn.append(
                    f"communes: no roads layer: remote derived from {len(towns)} town(s) only "
                    f"({int(remote_col.sum())} of {len(remote_col)} communes remote); give a roads file or a "
                    "remote column in the communes file"
                )
        else:
            remote_col = np.zeros(len(geo), dtype=bool)
            warn.append("communes: no remote column and no roads/towns layer: no commune is marked as remote")
    out = gpd.GeoDataFrame(
        {
            "name": names,
            "border": np.asarray(border_col, dtype=bool),
            "remote": np.asarray(remote_col, dtype=bool),
            "centre_x": centres.x.to_numpy(),
            "centre_y": centres.y.to_numpy(),
        },
        geometry=geo.to_numpy(),
        crs=crs,
    )
    return out[COMMUNE_COLUMNS].reset_index(drop=True)


def _polygonal(g):
    """Polygonal part of a GeometryCollection produced by make_valid."""
    import shapely
    from shapely.geometry import MultiPolygon

    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else MultiPolygon()


def load_lines(path, *, crs: str, what: str = "lines", source_crs: str | None = None, warnings: list[str] | None = None):
    """Load a line layer (national border, roads) as a GeoDataFrame with ``name`` + geometry in ``crs``.

    Polygons are accepted (their boundary is used, e.g. a country outline for the border).
    """
    import geopandas as gpd

    path, declared, layer = _ref(path)
    source_crs = source_crs or declared
    warn = warnings if warnings is not None else []
    df, gdf = _read(path, what, layer, LINE_ALIASES)
    if gdf is None:
        raise InputError(
            f"{what} must be lines: a table has none", path=path, hint="use a GeoJSON, GeoPackage or Shapefile of lines"
        )
    rows = _Rows(df, path, what, LINE_ALIASES, warn)
    gdf = _check_vector_crs(gdf, path, what, source_crs, crs)
    geoms = []
    n_poly = 0
    for i, g in enumerate(gdf.geometry.to_numpy()):
        if g is None or g.is_empty:
            rows.problem(rows.rows[i], None, "feature has no geometry")
        elif g.geom_type in ("LineString", "MultiLineString"):
            geoms.append(g)
            continue
        elif g.geom_type in ("Polygon", "MultiPolygon"):
            n_poly += 1
            geoms.append(g.boundary)
            continue
        else:
            rows.problem(rows.rows[i], None, f"geometry is a {g.geom_type}, expected lines")
        geoms.append(None)
    rows.raise_if_problems()
    if n_poly:
        warn.append(f"{what}: {n_poly} polygon(s): their outlines are used as lines")
    out = gpd.GeoDataFrame({"name": rows.text("name")}, geometry=gpd.GeoSeries(geoms, crs=gdf.crs), crs=gdf.crs)
    return out.to_crs(crs).reset_index(drop=True)


def load_points(
    path,
    *,
    crs: str,
    what: str = "points",
    source_crs: str | None = None,
    extent_lonlat=None,
    warnings: list[str] | None = None,
):
    """Load a point layer (towns, candidate sites) as a GeoDataFrame with ``id``, ``name`` + geometry in ``crs``.

    Ids default to the row number when the file has no id column; duplicate ids are errors.
    """
    import geopandas as gpd

    path, declared, layer = _ref(path)
    source_crs = source_crs or declared
    warn = warnings if warnings is not None else []
    df, gdf = _read(path, what, layer, POINT_ALIASES)
    rows = _Rows(df, path, what, POINT_ALIASES, warn)
    if rows.has("id"):
        ids = rows.ids()
    else:
        ids = np.array([str(r) for r in rows.rows], dtype=object)
    x, y, lon, lat, ok = _points_from_rows(rows, gdf, crs=crs, source_crs=source_crs, extent_lonlat=extent_lonlat)
    rows.raise_if_problems()
    names = rows.text("name")
    names = np.where(names == "", ids, names)
    out = gpd.GeoDataFrame({"id": ids, "name": names}, geometry=gpd.points_from_xy(x, y), crs=crs)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------
# terrain check and the whole project
# --------------------------------------------------------------------------------------------------------
def check_points_in_terrain(gdf, terrain, what: str, path=None, communes=None) -> None:
    """Raise :class:`InputError` listing every feature of ``gdf`` (by id) that lies outside the terrain.

    ``communes``: a feature also more than :data:`COMMUNE_TOLERANCE_M` from every commune polygon is said to have
    probably mistyped coordinates (more DEM tiles would not help it).
    """
    if gdf is None or len(gdf) == 0:
        return
    inside = terrain.contains(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
    if inside.all():
        return
    problems = []
    out = np.flatnonzero(~inside)
    for i, hit in zip(out, far_outside_communes(gdf.geometry.iloc[out], communes), strict=True):
        r = gdf.iloc[i]
        where = f"row {int(r['source_row'])}: " if "source_row" in gdf.columns else ""
        pos = f"lon {r['lon']:.5f}, lat {r['lat']:.5f}" if "lon" in gdf.columns else f"x {r.geometry.x:.0f}, y {r.geometry.y:.0f}"
        far = (f", {hit[0] / 1000:.1f} km outside every commune polygon too: the coordinates are probably mistyped"
               if hit else "")
        problems.append(f"{where}id '{r['id']}' at {pos}{far}")
    w, s, e, n = terrain.bounds_lonlat()
    raise InputError(
        f"{len(problems)} {what} outside the terrain (DEM covers lon {w:.3f}…{e:.3f}, lat {s:.3f}…{n:.3f})",
        path=path,
        problems=problems,
        hint=f"add DEM tiles that cover these {what}, or correct their coordinates (a point far from the others "
        "is usually a typing mistake: a digit wrong or missing, lon and lat exchanged)",
    )


@dataclass
class Inputs:
    """Everything a project's inputs contain, validated and in the analysis CRS ``crs``."""

    crs: str
    towers: Any
    stations: Any
    communes: Any
    terrain: Any
    border: Any = None
    roads: Any = None
    towns: Any = None
    candidates: Any = None
    landcover: Any = None  # coverage_planner.landcover.LandCover on the analysis grid, or None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts and extents for display (``coverage-planner validate``, the GUI)."""
        t = self.towers
        d: dict[str, Any] = {
            "crs": self.crs,
            "counts": {
                name: (0 if getattr(self, name) is None else len(getattr(self, name)))
                for name in ("towers", "stations", "communes", "border", "roads", "towns", "candidates")
            },
            "towers_by_operator": t.groupby("operator").size().to_dict(),
            "towers_by_technology": t.groupby("technology").size().to_dict(),
            "towers_by_status": t.groupby("status").size().to_dict(),
            "border_communes": int(self.communes["border"].sum()),
            "remote_communes": int(self.communes["remote"].sum()),
            "voters": int(self.stations["voters"].sum()),
        }
        frames = [f for f in (self.towers, self.stations, self.communes) if f is not None and len(f)]
        b = np.array([f.total_bounds for f in frames])
        bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
        d["extent_xy"] = tuple(float(v) for v in bounds)
        from pyproj import Transformer

        d["extent_lonlat"] = tuple(
            float(v) for v in Transformer.from_crs(self.crs, WGS84, always_xy=True).transform_bounds(*bounds)
        )
        if self.terrain is not None:
            d["terrain"] = self.terrain.summary()
        if self.landcover is not None:
            d["landcover"] = {"source": self.landcover.source,
                              "cells_by_class": {str(k): v for k, v in sorted(self.landcover.counts.items())}}
        return d


#: A sector's id is its site's id, a separator and a short sector label: VTL-DBP-042-A, VNP-DBP-003_2,
#: BTS7-S1. The label is one or two letters or one digit (after an optional letter), so "VTL-DBP" is not the
#: site of "VTL-DBP-011" (a tower of its own).
_SECTOR_ID = re.compile(r"(?P<site>.+)[-_. ](?:[A-Za-z]{1,2}|[A-Za-z]?[0-9])")

def sector_site(tower_id: str) -> str | None:
    """The site id in a sector id ("VTL-DBP-042" in "VTL-DBP-042-A"; None when the id has no sector suffix)."""
    m = _SECTOR_ID.fullmatch(str(tower_id))
    return m["site"] if m else None


_NOT_ON_AIR = {"planned": "is planned, not on air", "down": "is already down in the towers file"}


def normalise_down(ids, *, split_commas: bool = False) -> tuple[str, ...]:
    """Tower ids of a failure scenario as written: spaces stripped, empty ones dropped, each id once in the
    order given (``split_commas``: values may hold several comma-separated ids, as ``--down`` does)."""
    out: dict[str, None] = {}
    for value in ids or ():
        for part in str(value).split(",") if split_commas else (str(value),):
            if part.strip():
                out.setdefault(part.strip(), None)
    return tuple(out)


@dataclass
class DownTowers:
    """A failure scenario's towers resolved against the towers table (:func:`resolve_down`)."""

    ids: tuple[str, ...]  # tower ids taken down: site ids expanded to their sectors, each once, in order
    notes: list[str] = field(default_factory=list)  # e.g. which sectors a site id stands for
    warnings: list[str] = field(default_factory=list)  # ids that are not on air anyway


def _sites(towers) -> dict[str, list[str]]:
    """Site id → its sectors' tower ids, for the sectors that share one mast (same operator and place)."""
    ids = towers["id"].astype(str).tolist()
    groups: dict[str, list[int]] = {}
    for i, tid in enumerate(ids):
        m = _SECTOR_ID.fullmatch(tid)
        if m:
            groups.setdefault(m["site"], []).append(i)
    if not groups or "geometry" not in towers:
        return {site: [ids[i] for i in rows] for site, rows in groups.items()}
    from analysis.resilience import site_index

    x, y = towers.geometry.x.to_numpy(), towers.geometry.y.to_numpy()
    ops = towers["operator"].astype(str).to_numpy() if "operator" in towers else np.zeros(len(ids), dtype=object)
    out = {}
    for site, rows in groups.items():
        if len(set(site_index(ops[rows], x[rows], y[rows]).tolist())) == 1:  # one mast: they fail together
            out[site] = [ids[i] for i in rows]
    return out


def _unknown_listing(unknown, suggestions) -> str:
    """'XX-9', 'vtl-dbp-011' (did you mean 'VTL-DBP-011'?) — at most ten, then "…"."""
    return ", ".join(f"'{u}'" + (f" (did you mean '{suggestions[u]}'?)" if u in suggestions else "")
                     for u in unknown[:10]) + (" …" if len(unknown) > 10 else "")


def resolve_down(requested, towers) -> DownTowers:
    """Resolve a failure scenario's tower ids against ``towers`` (the canonical towers table).

    Ids are stripped and de-duplicated (first occurrence kept). An id that is not a tower id but the site id of
    sectors on one mast (``VTL-DBP-042`` for ``VTL-DBP-042-A/-B/-C``) stands for all of them: a power cut or a
    landslide takes the whole mast (a note says so). A tower that is planned or already down is left out, with
    a warning: taking it down changes nothing (it is not drawn or listed as failed). Unknown ids raise :class:`UnknownTowerError` naming them, with
    "did you mean" for an id that matches a tower or site id ignoring case.
    """
    from coverage_planner.errors import UnknownTowerError

    wanted = normalise_down(requested)
    ids = towers["id"].astype(str).tolist()
    status = dict(zip(ids, towers["status"].astype(str).tolist(), strict=True)) if "status" in towers else {}
    known = set(ids)
    sites = {site: sectors for site, sectors in _sites(towers).items() if site not in known}
    out: dict[str, None] = {}
    notes: list[str] = []
    warnings: list[str] = []
    unknown: list[str] = []
    for tid in wanted:
        if tid in known:
            members = [tid]
        elif tid in sites:
            members = sites[tid]
            notes.append(f"{tid} is a site: all its {len(members)} sectors are taken down ({', '.join(members)}); "
                         "a power cut or a landslide takes the whole mast")
        else:
            unknown.append(tid)
            continue
        off = [m for m in members if status.get(m, "on_air") != "on_air"]
        if off and len(off) == len(members) and len({status[m] for m in off}) == 1:
            warnings.append(f"{tid} {_NOT_ON_AIR.get(status[off[0]], 'is not on air')}: taking it down changes "
                            "nothing")
        else:
            warnings.extend(f"{m} {_NOT_ON_AIR.get(status[m], 'is not on air')}: taking it down changes nothing"
                            for m in off)
        for m in members:  # a tower that is not on air is left out: it must not be drawn or listed as failed
            if status.get(m, "on_air") == "on_air":
                out.setdefault(m, None)
    if unknown:
        folded: dict[str, list[str]] = {}
        for cand in [*ids, *sites]:
            folded.setdefault(cand.casefold(), []).append(cand)
        suggestions = {u: folded[u.casefold()][0] for u in unknown if len(folded.get(u.casefold(), [])) == 1}
        example = next(iter(sites.items()), None)
        site_hint = (f"; a site id such as {example[0]} takes all its sectors down ({', '.join(example[1])})"
                     if example else "")
        raise UnknownTowerError(
            f"unknown tower id(s) for the failure scenario: {_unknown_listing(unknown, suggestions)}. Use tower ids from the towers file (column "
            f"id / ma_tram){site_hint}", unknown=unknown, suggestions=suggestions)
    return DownTowers(ids=tuple(out), notes=notes, warnings=warnings)


def _terrain_extent_lonlat(paths, project_crs: str | None = None) -> tuple[float, float, float, float]:
    """Union of the DEM files' extents in WGS 84 (metadata only). A file whose extent cannot be in its CRS is
    refused here, first (:func:`coverage_planner.terrain.check_raster_crs_fits`)."""
    from pyproj import Transformer

    from coverage_planner.io import raster_info
    from coverage_planner.terrain import check_raster_crs_fits

    boxes = []
    for p in paths:
        info = raster_info(p, what="terrain")
        src = info["crs"] or (WGS84 if Path(p).suffix.lower() == ".hgt" else None)
        if src is None:
            from coverage_planner.errors import RasterError

            raise RasterError(
                "terrain raster has no CRS", path=p, hint="assign its CRS in QGIS or add a .prj next to an .asc grid"
            )
        check_raster_crs_fits(p, src, info["bounds"], project_crs=project_crs)
        boxes.append(Transformer.from_crs(src, WGS84, always_xy=True).transform_bounds(*info["bounds"]))
    b = np.array(boxes)
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


def load_inputs(project, progress: Progress | None = None) -> Inputs:
    """Load and validate every input of ``project``.

    Problems in several files are gathered into one :class:`InputError` (each file's message in ``problems``).
    ``progress(fraction, message)`` is called between steps.
    """
    from coverage_planner.terrain import load_terrain, resolve_analysis_crs

    def report(f, msg):
        if progress is not None:
            progress(f, msg)

    inp = project.inputs
    missing = [k for k in ("towers", "stations", "communes") if getattr(inp, k) is None]
    if not inp.terrain:
        missing.append("terrain")
    if missing:
        raise ProjectError(
            f"the project names no {', '.join(missing)} file",
            path=project.path,
            field="inputs",
            hint="add under [inputs], e.g. " + ", ".join(f'{k} = "{k}.csv"' for k in missing),
        )
    from coverage_planner.project import INPUT_LABELS

    # named as the Vietnamese message and the Inputs panel name them ("Polling stations: …"), not by their keys
    absent = [f"{INPUT_LABELS.get(k, k)}: {r.raw} → {r.path}"
              + (" is a folder, not a file" if Path(r.path).is_dir() else "")
              for k, r in inp.refs() if not Path(r.path).is_file()]
    if absent:
        raise InputError(
            "1 input file not found or not a file" if len(absent) == 1 else
            f"{len(absent)} input files not found or not files",
            path=project.path,
            problems=absent,
            hint="paths in the project file are relative to the project file's folder; correct them under [inputs]",
        )
    warnings: list[str] = []
    errors: list[InputError] = []

    report(0.0, "reading terrain extent")
    ext = _terrain_extent_lonlat(inp.terrain, project.crs)
    crs = resolve_analysis_crs(project.crs, (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2)

    def attempt(fn, *a, **k):
        try:
            return fn(*a, **k)
        except InputError as exc:
            errors.append(exc)
            return None

    report(0.05, "reading optional layers")
    border = attempt(load_lines, inp.border, crs=crs, what="border", warnings=warnings) if inp.border else None
    roads = attempt(load_lines, inp.roads, crs=crs, what="roads", warnings=warnings) if inp.roads else None
    towns = (
        attempt(load_points, inp.towns, crs=crs, what="towns", extent_lonlat=ext, warnings=warnings) if inp.towns else None
    )
    candidates = (
        attempt(load_points, inp.candidates, crs=crs, what="candidates", extent_lonlat=ext, warnings=warnings)
        if inp.candidates
        else None
    )
    report(0.15, "reading towers")
    towers = attempt(
        load_towers,
        inp.towers,
        crs=crs,
        defaults=project.radio.defaults,
        default_technology=project.radio.default_technology,
        extent_lonlat=ext,
        warnings=warnings,
    )
    report(0.25, "reading polling stations")
    stations = attempt(load_stations, inp.stations, crs=crs, extent_lonlat=ext, warnings=warnings)
    report(0.3, "reading communes")
    communes = attempt(
        load_communes,
        inp.communes,
        crs=crs,
        border=border,
        roads=roads,
        towns=towns,
        border_distance_m=project.communes.border_distance_m,
        remote_distance_m=project.communes.remote_distance_m,
        warnings=warnings,
    )
    terrain = None
    frames = [f for f in (towers, stations, communes, candidates) if f is not None and len(f)]
    if frames:
        b = np.array([f.total_bounds for f in frames])
        margin = 2.0 * project.resolution_m + 1000.0
        bounds = (b[:, 0].min() - margin, b[:, 1].min() - margin, b[:, 2].max() + margin, b[:, 3].max() + margin)

        def sub(f, msg):
            report(0.4 + 0.5 * f, msg)

        terrain = attempt(
            load_terrain, [r.path for r in inp.terrain], crs=crs, resolution_m=project.resolution_m,
            bounds=bounds, progress=sub,
        )  # fmt: skip
    if terrain is not None:
        warnings.extend(terrain.warnings)
        for gdf, what, ref in ((towers, "towers", inp.towers), (stations, "stations", inp.stations),
                               (candidates, "candidate sites", inp.candidates)):  # fmt: skip
            if gdf is not None:
                # a station lies in a commune; a tower may serve from the next province
                attempt(check_points_in_terrain, gdf, terrain, what, path=ref.path,
                        communes=communes if what == "stations" else None)
    landcover = None
    if terrain is not None and inp.clutter is not None:
        from coverage_planner.landcover import load_landcover

        report(0.92, "reading land cover")
        landcover = attempt(load_landcover, inp.clutter.path, terrain.grid, project.clutter_classes)
        if landcover is not None:
            warnings.extend(landcover.warnings)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise InputError(
            f"{len(errors)} input files have problems",
            problems=[str(e).replace("\n", "\n    ") for e in errors], causes=errors,
            hint="fix each file as described, then run validate again",
        )

    report(0.95, "checking consistency")
    _stations_in_communes(stations, communes, warnings, path=inp.stations)
    _model_validity(project, towers, warnings)
    if project.scenario.down:
        from coverage_planner.errors import UnknownTowerError

        try:
            resolve_down(project.scenario.down, towers)
        except UnknownTowerError as exc:  # an error, as in run: a mistyped id would silently keep a tower on air
            raise InputError(
                f"the failure scenario lists tower id(s) that are not in the towers file "
                f"{Path(project.inputs.towers).name}: {_unknown_listing(exc.unknown, exc.suggestions)}",
                path=project.path, field="scenario.down",
                hint="use ids from the towers file (column id / ma_tram) or a site id for all the sectors of one "
                     "mast, or remove them from [scenario] down",
            ) from exc
    report(1.0, "inputs loaded")
    return Inputs(
        crs=crs, towers=towers, stations=stations, communes=communes, terrain=terrain, border=border, roads=roads,
        towns=towns, candidates=candidates, landcover=landcover, warnings=warnings,
    )  # fmt: skip


def _model_validity(project, towers, warnings: list[str]) -> None:
    """Warn when the empirical Hata models are used outside what they were fitted for."""
    model = project.radio.model
    if model not in ("hata", "cost231"):
        return
    live = towers[towers["status"].astype(str) != "planned"] if "status" in towers else towers
    f = live["frequency_mhz"].to_numpy(float) if "frequency_mhz" in live and len(live) else np.zeros(0)
    f_mobile = float(project.placement_frequency_mhz())
    lo, hi = (150.0, 1500.0) if model == "hata" else (1500.0, 2000.0)
    name = "Okumura-Hata" if model == "hata" else "COST-231-Hata"
    out = sorted({float(v) for v in f if not lo <= v <= hi} | ({f_mobile} if not lo <= f_mobile <= hi else set()))
    if out:
        n = int(np.sum((f < lo) | (f > hi)))
        warnings.append(f"radio: {name} is valid for {lo:g}–{hi:g} MHz; {n} tower(s) transmit outside it ("
                        + ", ".join(f"{v:g}" for v in out) + " MHz): their levels are extrapolated"
                        + ("; use model cost231 for 1500–2000 MHz, or deygout" if model == "hata"
                           else "; use model hata below 1500 MHz, or deygout"))
    if model == "cost231" and project.radio.hata_environment == "rural":
        warnings.append("radio: COST-231-Hata has no rural (open area) form: hata_environment 'rural' uses the "
                        "medium-city formula, about 30 dB more loss than Okumura-Hata's open area at 1800 MHz")


#: Administrative prefixes of commune names (casefolded), longest first: "Xã Mường Phăng" ~ "Mường Phăng".
_COMMUNE_PREFIXES = ("thị trấn", "phường", "xã", "tt.", "tt ", "p.", "x.")


def commune_key(name: str) -> str:
    """Matching key of a commune name: NFC, casefold, single spaces, without the prefix Xã/Phường/Thị trấn/P./X./TT."""
    s = " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())
    for pre in _COMMUNE_PREFIXES:
        if s.startswith(pre) and len(s) > len(pre):
            rest = s[len(pre):].strip()
            if pre.endswith((".", " ")) or s[len(pre)] == " ":
                s = rest
                break
    return s


_PLAIN_PREFIXES = ("thi tran ", "phuong ", "xa ")


def _plain_key(key: str) -> str:
    """A :func:`commune_key` without diacritics (đ → d)."""
    s = unicodedata.normalize("NFKD", key.replace("đ", "d"))
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def _match_commune_names(texts, names) -> dict[str, tuple[str, str]]:
    """{station text: (commune name, how)} for each distinct text matched; how = exact / spelling / accents.

    Exact first, then the :func:`commune_key` (case, prefix, Unicode form), then the key without diacritics;
    a key shared by several communes matches nothing (never guess between two communes).
    """
    by_key: dict[str, set[str]] = {}
    by_plain: dict[str, set[str]] = {}
    for n in names:
        by_key.setdefault(commune_key(n), set()).add(n)
        by_plain.setdefault(_plain_key(commune_key(n)), set()).add(n)
    known = set(names)
    out: dict[str, tuple[str, str]] = {}
    for t in set(texts):
        if not t:
            continue
        if t in known:
            out[t] = (t, "exact")
            continue
        k = commune_key(t)
        cand = by_key.get(k, set())
        if len(cand) == 1:
            out[t] = (next(iter(cand)), "spelling")
            continue
        if not cand:
            # without accents; "Xa Tay" may also be "Xã Tây" with its prefix typed without accents
            plain = _plain_key(k)
            keys = {plain} | {plain[len(pre):].strip() for pre in _PLAIN_PREFIXES if plain.startswith(pre)}
            cand = set().union(*(by_plain.get(x, set()) for x in keys if x))
        else:
            cand = set()
        if len(cand) == 1:
            out[t] = (next(iter(cand)), "accents")
    return out


def _close_commune(text: str, names: list[str]) -> str | None:
    """The commune name closest to a misspelt one ("Xã Mường Mùm" → "Xã Mường Mùn"), compared by
    :func:`commune_key`; None when nothing is close."""
    import difflib

    keys = {commune_key(n): n for n in names}
    best = difflib.get_close_matches(commune_key(text), list(keys), n=1, cutoff=0.6)
    return keys[best[0]] if best else None


#: How far (m) a station may lie outside the commune written in its row, or outside every commune, before it is
#: reported: a station a little across a boundary is normal (boundaries are generalised; the sample's communes
#: are Voronoi cells), one kilometres away has mistyped coordinates (or commune).
COMMUNE_TOLERANCE_M = 500.0
#: Stations far from their commune listed one per warning (each with its details); the rest in one line.
_MAX_PLACE_WARNINGS = 10


def far_outside_communes(points, communes) -> list[tuple[float, str] | None]:
    """For each point (a GeoSeries in the communes' CRS): ``(distance_m, nearest commune's name)`` when it lies
    more than :data:`COMMUNE_TOLERANCE_M` outside every commune polygon (its coordinates are probably mistyped),
    else None."""
    out: list[tuple[float, str] | None] = []
    if communes is None or len(communes) == 0:
        return [None] * len(points)
    names = communes["name"].astype(str).to_numpy()
    for pt in points:
        if pt is None or pt.is_empty:
            out.append(None)
            continue
        dist = communes.geometry.distance(pt).to_numpy(float)
        k = int(np.nanargmin(dist))
        out.append((float(dist[k]), names[k]) if dist[k] > COMMUNE_TOLERANCE_M else None)
    return out


def _stations_in_communes(stations, communes, warnings: list[str], path=None) -> None:
    """Give every station the name of its commune as the communes file spells it (column ``commune``).

    A station's commune text is matched to the communes file exactly, then ignoring case, Unicode form and the
    prefix Xã/Phường/Thị trấn/P./X./TT., then also ignoring accents (only when one commune matches). Empty or
    unmatched texts take the commune polygon the station lies in. When a text was changed, the original is kept
    in the column ``commune_source``. Every non-exact match is listed in a warning.

    A station that lies more than :data:`COMMUNE_TOLERANCE_M` outside the commune its row names (inside another
    commune, or outside every commune) is warned about with its file, row, id, position, both communes and the
    distance: its coordinates are probably mistyped. It keeps the commune written (the polling-station list says
    which commune its voters belong to; the position is what was typed by hand), as the warning says.
    ``path``: the stations file, named in the warnings.
    """
    import geopandas as gpd

    joined = gpd.sjoin(stations[["geometry"]], communes[["name", "geometry"]], how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    poly_name = joined["name"].reindex(stations.index)
    outside = poly_name.isna().to_numpy()
    original = stations["commune"].to_numpy(dtype=object).copy()
    empty = original == ""
    matched = _match_commune_names(original, list(communes["name"]))
    canon = np.array([matched[t][0] if t in matched else t for t in original], dtype=object)
    how = np.array([matched[t][1] if t in matched else "" for t in original], dtype=object)
    rows = stations["source_row"].to_numpy() if "source_row" in stations.columns else np.arange(1, len(stations) + 1)
    unmatched = ~empty & (how == "")
    to_poly = unmatched & ~outside
    canon[to_poly] = poly_name[to_poly].to_numpy()
    fill = empty & ~outside
    if fill.any():
        canon[fill] = poly_name[fill].to_numpy()
        warnings.append(f"stations: {int(fill.sum())} station(s) without a commune: taken from the commune polygons")
    for kind, label in (("spelling", "ignoring case, Unicode form and the prefix Xã/Phường/Thị trấn/P./X./TT."),
                        ("accents", "ignoring case, prefix and accents (the only commune that matches)")):  # fmt: skip
        sel = how == kind
        if sel.any():
            pairs = sorted({(original[i], canon[i]) for i in np.flatnonzero(sel)})
            listing = "; ".join(
                f"'{a}' → '{b}' ({_rows_text(rows[sel & (original == a) & (canon == b)], 5)})" for a, b in pairs[:20]
            )
            warnings.append(f"stations: {int(sel.sum())} station commune name(s) matched {label}: {listing}")
    if to_poly.any():
        pairs = sorted({(original[i], canon[i]) for i in np.flatnonzero(to_poly)})
        listing = "; ".join(
            f"'{a}' → '{b}' ({_rows_text(rows[to_poly & (original == a) & (canon == b)], 5)})" for a, b in pairs[:20]
        )
        hints = {a: _close_commune(a, list(communes["name"])) for a in {a for a, _ in pairs}}
        hint = "; ".join(f"'{a}': did you mean '{h}'?" for a, h in sorted(hints.items()) if h)
        warnings.append(
            f"stations: {int(to_poly.sum())} station(s) name a commune not in the communes file: assigned to the "
            f"commune polygon they lie in: {listing}" + (f" ({hint})" if hint else "")
            + ". To choose yourself, correct the commune names in the stations file"
        )
    far = _stations_far_from_commune(stations, communes, canon, how != "", poly_name.to_numpy(dtype=object),
                                     outside, rows, warnings, path)
    if (canon != original).any():
        stations["commune"] = canon
        loc = list(stations.columns).index("commune") + 1
        stations.insert(loc, "commune_source", original)
    near_out = outside & ~far  # the far ones have a warning of their own
    if near_out.any():
        ids = [f"{i} (row {r})" for i, r in zip(stations.loc[near_out, "id"].astype(str), rows[near_out], strict=True)]
        warnings.append(f"stations: {len(ids)} station(s) outside every commune polygon: {', '.join(ids[:30])}")
    bad = sorted({t for t in original[unmatched & outside]})
    if bad:
        warnings.append(
            "stations: commune name(s) not in the communes file (and the station lies outside every commune "
            f"polygon, so it counts for no commune): {', '.join(bad[:30])}"
        )


def _stations_far_from_commune(stations, communes, canon, written, poly_name, outside, rows, warnings: list[str],
                               path=None) -> np.ndarray:
    """Warn about stations more than :data:`COMMUNE_TOLERANCE_M` outside their written commune; their mask.

    ``canon``: each station's commune name as the communes file spells it; ``written``: True where it comes
    from the row (not from the polygons); ``poly_name``: the commune polygon the station lies in (NaN outside).
    A station outside every commune is also reported when its row names no known commune (it then counts for
    none), with the distance to the nearest commune.
    """
    geoms = dict(zip(communes["name"], communes.geometry, strict=True))
    pts = stations.geometry.to_numpy()
    ids = stations["id"].astype(str).to_numpy()
    lon, lat = stations["lon"].to_numpy(float), stations["lat"].to_numpy(float)
    fname = f"{Path(os.fspath(path)).name} " if path is not None else ""
    far = np.zeros(len(stations), dtype=bool)
    lines: list[str] = []
    for i in range(len(stations)):
        in_written = written[i] and not outside[i] and poly_name[i] == canon[i]
        if in_written or (not written[i] and not outside[i]) or pts[i] is None or pts[i].is_empty:
            continue
        where = f"stations: {fname}row {int(rows[i])}, {ids[i]} (lon {lon[i]:.5f}, lat {lat[i]:.5f})"
        if written[i]:
            d = float(geoms[canon[i]].distance(pts[i]))
            if d <= COMMUNE_TOLERANCE_M:
                continue
            lies = ("lies outside every commune polygon" if outside[i]
                    else f"lies in '{poly_name[i]}'")
            lines.append(
                f"{where}: the row says '{canon[i]}' but the point {lies}, {d / 1000:.1f} km from '{canon[i]}': "
                f"the coordinates are probably mistyped; it counts for '{canon[i]}' as written (its signal is "
                "computed at the point given): correct the coordinates (or the commune)"
            )
        else:  # outside every commune and no commune of the file in the row: nothing to count it for
            hit = far_outside_communes([pts[i]], communes)[0]  # the unreachable reason's rule too
            if hit is None:
                continue
            d, nearest = hit
            lines.append(
                f"{where}: the point lies outside every commune polygon, {d / 1000:.1f} km from the nearest "
                f"('{nearest}'): the coordinates are probably mistyped; it counts for no commune: "
                "correct the coordinates"
            )
        far[i] = True
    warnings.extend(lines[:_MAX_PLACE_WARNINGS])
    if len(lines) > _MAX_PLACE_WARNINGS:
        rest = rows[far][_MAX_PLACE_WARNINGS:]
        warnings.append(
            f"stations: {fname}{len(rest)} more station(s) lie more than {COMMUNE_TOLERANCE_M:g} m outside the "
            f"commune written in their row, or every commune ({_rows_text(rest, 10)}): check their coordinates"
        )
    return far
