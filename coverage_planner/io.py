"""All file reading and writing helpers of coverage-planner.

Other modules never open files themselves: they call these helpers, which

* read tables (CSV, XLSX, GeoJSON, GeoPackage, Shapefile) without changing them, keeping every cell as
  text for tabular files so that validation can quote the exact bad value;
* read rasters (GeoTIFF, SRTM ``.hgt``, ESRI ASCII grid, anything GDAL reads) and mosaic several tiles;
* write outputs atomically: a temporary file in the destination folder is renamed over the destination
  only once it is complete (:func:`atomic_path`), so a crash never leaves a half-written file behind.

Errors are :class:`~coverage_planner.errors.InputError` / :class:`~coverage_planner.errors.RasterError`
(reading) and :class:`~coverage_planner.errors.OutputError` (writing), naming the file and saying how to fix it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from coverage_planner.errors import InputError, OutputError, RasterError

#: Table formats recognised by extension (lower case, with the dot).
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".geojson", ".json", ".gpkg", ".shp")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
SPREADSHEET_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
RASTER_SUFFIXES = (".tif", ".tiff", ".hgt", ".asc", ".vrt", ".img")

_CSV_ENCODINGS = ("utf-8-sig", "cp1258", "cp1252")


# --------------------------------------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------------------------------------
#: Every input file this process has read (real path → what it was), so no output can ever replace one: an
#: output folder that is also the input folder (``--out`` pointing at the project) must not turn the towers file
#: into the exported towers table.
_INPUT_FILES: dict[str, str] = {}


def _register_input(path: Path, what: str) -> None:
    with contextlib.suppress(OSError):
        _INPUT_FILES[os.path.realpath(path)] = what


def _refuse_input(dest: Path) -> None:
    what = _INPUT_FILES.get(os.path.realpath(dest)) if _INPUT_FILES else None
    if what is not None:
        raise OutputError(f"cannot write {dest}: it is the {what} input file, and inputs are never overwritten. "
                          "How to fix: choose an output folder that is not the input folder.")


def refuse_inputs(paths) -> None:
    """:class:`OutputError` if any of ``paths`` is a file read as input — checked before an export writes its
    first file, so a refused export leaves nothing behind."""
    for p in paths:
        _refuse_input(Path(p))


# --------------------------------------------------------------------------------------------------------
# output folders: what the tool wrote there
# --------------------------------------------------------------------------------------------------------
#: The list, in an output folder, of the files coverage-planner wrote there (name → size and modification time
#: just after writing). An output folder may also hold the user's own files: one named like an output
#: (``towers.csv``) that is not in the list, or that changed since it was written, is not the tool's to replace.
OUTPUTS_MANIFEST = ".coverage-planner-outputs.json"


def _stamp(path: Path) -> dict | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns} if path.is_file() else None


def _read_manifest(folder: Path) -> dict[str, dict] | None:
    """{name: stamp} of the folder's manifest; ``None`` without one. An unreadable or foreign manifest lists
    nothing (every file is then the user's until --force): refusing is the safe way to be wrong."""
    import json

    path = folder / OUTPUTS_MANIFEST
    if not path.is_file():
        return None
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}


def _output_matches(folder: Path, names, patterns) -> list[Path]:
    """The existing files of ``folder`` a run would write: one of ``names`` or matching one of ``patterns``."""
    found = {folder / n for n in names if (folder / n).exists()}
    if patterns and folder.is_dir():
        found |= {p for p in folder.iterdir() if any(re.match(pat, p.name) for pat in patterns)}
    return sorted(found)


def foreign_outputs(folder: str | os.PathLike, names, patterns=()) -> tuple[list[str], bool]:
    """Files of ``folder`` named like an output this run writes (``names``, or a name matching a regular
    expression of ``patterns``) that coverage-planner did not write: not in the folder's manifest, or changed
    since (size or modification time), or not a regular file. Returns (sorted names, whether the folder has a
    manifest at all — a folder written before manifests existed has none)."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    listed = manifest or {}
    foreign = [p.name for p in _output_matches(folder, names, patterns)
               if _stamp(p) is None or listed.get(p.name) != _stamp(p)]
    return foreign, manifest is not None


@contextlib.contextmanager
def claimed_outputs(folder: str | os.PathLike, names, patterns=(), *, force: bool = False) -> Iterator[None]:
    """Check ``folder`` before a run writes its outputs there, and list in its manifest what the run wrote.

    :class:`~coverage_planner.errors.ForeignFilesError` at once if a file the run would replace was not written
    by coverage-planner (:func:`foreign_outputs`), unless ``force``. On leaving (also after an error, so outputs
    written before it are known next time) every output file that is new or changed since the check is recorded
    as the tool's, with the entries of files still as listed."""
    from coverage_planner.errors import ForeignFilesError

    folder = Path(folder)
    foreign, has_manifest = foreign_outputs(folder, names, patterns)
    if foreign and not force:
        raise ForeignFilesError(folder, foreign, has_manifest)
    before = {p.name: _stamp(p) for p in _output_matches(folder, names, patterns)}
    try:
        yield
    finally:
        record_outputs(folder, [p for p in _output_matches(folder, names, patterns)
                                if p.name not in before or _stamp(p) != before[p.name]])


def record_outputs(folder: str | os.PathLike, paths) -> None:
    """Add ``paths`` (files coverage-planner just wrote in ``folder``) to the folder's manifest, atomically;
    entries of files that are gone or changed since they were listed are dropped."""
    import json

    folder = Path(folder)
    listed = _read_manifest(folder) or {}
    files = {n: s for n, s in listed.items() if _stamp(folder / n) == s}
    files.update({Path(p).name: _stamp(Path(p)) for p in paths if _stamp(Path(p)) is not None})
    if not files and not (folder / OUTPUTS_MANIFEST).exists():
        return
    doc = {"written_by": "coverage-planner",
           "about": "files coverage-planner wrote in this folder (size, modification time); a later run replaces "
                    "only these. Delete this file to make the next run ask before replacing any.",
           "files": dict(sorted(files.items()))}
    write_text(folder / OUTPUTS_MANIFEST, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``dest``; rename it over ``dest`` when the block succeeds.

    The temporary name keeps ``dest``'s suffix so format-guessing writers (GDAL, pandas) behave the same.
    On any exception the temporary file is removed and ``dest`` is left untouched. The parent folder is
    created if needed.

    >>> with atomic_path("out/map.html") as tmp:      # doctest: +SKIP
    ...     tmp.write_text("<html>…</html>")
    """
    dest = Path(dest)
    _refuse_input(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=f".tmp{dest.suffix}", dir=dest.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {dest}: {exc.strerror or exc}. Check the folder exists and is writable.") from exc
    os.close(fd)
    tmp = Path(name)
    # Writers such as GDAL refuse or misbehave on an existing empty file: let them create it.
    tmp.unlink()
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"cannot write {dest}: the writer produced no file")
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8 by default)."""
    return write_bytes(path, text.encode(encoding))


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file (used to prove inputs are never modified)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------------------
def _check_readable(path: Path, what: str) -> None:
    if not path.exists():
        raise InputError(
            f"{what} file not found", path=path, hint="check the path in the project file (paths are relative to it)"
        )
    if path.is_dir():
        raise InputError(f"{what} path is a folder, not a file", path=path, hint="point to the file itself")
    if path.stat().st_size == 0:
        raise InputError(f"{what} file is empty", path=path, hint="export the table again with a header row and data")
    _register_input(path, what)


def read_table(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    what: str = "table",
    is_header: Callable[[list[str]], bool] | None = None,
):
    """Read a table file without modifying it.

    Returns ``(frame, kind)``: for ``.csv``/``.txt``/``.xlsx`` a :class:`pandas.DataFrame` whose cells are
    all strings (stripped, NFC; empty cells ``""``) indexed by spreadsheet row number, ``kind == "table"``;
    for GeoJSON/GeoPackage/Shapefile a :class:`geopandas.GeoDataFrame` as stored (CRS included; index =
    feature number from 1), ``kind == "vector"``. ``layer`` picks a GeoPackage layer or an XLSX sheet.

    The header is the first non-blank row; when ``is_header`` is given and rejects it, the first of the
    first 20 rows it accepts is used instead (title lines above the header, common in official spreadsheets).
    ``is_header`` may carry a ``score(cells) -> int`` attribute (number of recognised column names): a CSV's
    delimiter is then the one that splits the header into the most recognised names.
    Raises :class:`InputError` for missing, empty or unreadable files.

    Non-fatal notes about a text table (a repeated header, XLSX formulas without a saved value) are listed in
    ``frame.attrs["read_warnings"]``; ``frame.attrs["duplicate_columns"]`` names the renamed repeats
    (``"voters.2"``). A CSV's rows with more values than its header, or fewer, are kept as they are (a short row
    padded with empty cells) and listed in ``frame.attrs["ragged_rows"]`` (:func:`_frame_from_cells`), to be
    judged by the caller, who knows what the columns should hold.
    """
    path = Path(path)
    _check_readable(path, what)
    suffix = path.suffix.lower()
    score = getattr(is_header, "score", None)
    if suffix in (".csv", ".txt"):
        cells, encoding, sep, raw = _csv_cells(path, what, score)
        df = _frame_from_cells(cells, path, what, is_header, separator=sep, raw=raw)
        _refuse_tcvn3(df, path, what)
        if encoding in _LEGACY:  # not UTF-8: say which encoding was assumed
            df.attrs["read_warnings"] = [*df.attrs.get("read_warnings", []), _legacy_note(encoding, path, what)]
        return df, "table"
    if suffix in (".xlsx", ".xlsm"):
        formulas: list[tuple[int, int]] = []
        notes: dict = {}
        cells = _xlsx_cells(path, what, layer, formulas, is_header=is_header, notes=notes)
        df = _frame_from_cells(cells, path, what, is_header, formulas)
        _refuse_tcvn3(df, path, what)
        df.attrs["read_warnings"] = [*notes.get("before", []), *df.attrs.get("read_warnings", []),
                                     *_hidden_rows_note(notes.get("hidden", []), df, path, what)]
        return df, "table"
    if suffix in VECTOR_SUFFIXES:
        return read_vector(path, layer=layer, what=what), "vector"
    raise InputError(
        f"unsupported {what} format '{path.suffix or '(no extension)'}'",
        path=path,
        hint="use CSV, XLSX, GeoJSON, GeoPackage (.gpkg) or Shapefile (.shp)",
    )


#: Text in TCVN3 (ABC), the encoding of the old ".Vn" fonts (.VnTime, .VnArial), read as Unicode: its Vietnamese
#: letters come out as Latin-1 symbols next to letters ("§iÖn Biªn" for Điện Biên, "M\u00adêng" for Mường). No
#: Vietnamese word written in Unicode has one of these symbols (°, ², ³, ´ excepted) inside or at the edge of a word.
_TCVN3_MARK = re.compile(r"[A-Za-z\u00c0-\u00ff][\u00a1-\u00af\u00b5-\u00bf]|[\u00a1-\u00af\u00b5-\u00bf][A-Za-z\u00c0-\u00ff]")


def _refuse_tcvn3(df, path: Path, what: str) -> None:
    """:class:`InputError` when most of a table's text with accents looks like TCVN3 (ABC) read as Unicode: the
    names would reach the map and the report as "§iÖn Biªn". Python cannot read TCVN3; UniKey converts it."""
    marked, accented, example = 0, 0, None
    for col in df.columns:
        for row, v in df[col].items():
            if v.isascii():
                continue
            accented += 1
            if _TCVN3_MARK.search(v):
                marked += 1
                example = example or (row, col, v if len(v) <= 40 else v[:39] + "…")
    if marked >= 3 and marked >= 0.5 * accented:
        row, col, text = example
        raise InputError(
            f"the {what} file's text looks like TCVN3 (ABC), the encoding of the old .Vn fonts (.VnTime), not "
            f"Unicode: {marked} of its {accented} cells with accents read like row {row}, column '{col}': '{text}'",
            path=path,
            hint="convert the file to Unicode with UniKey (right-click its icon > Công cụ… [CS+F6]: source TCVN3 "
            "(ABC), destination Unicode; copy the cells, convert the clipboard, paste them back), then save it as "
            ".xlsx or CSV UTF-8",
        )


def nfc(text: str) -> str:
    """Composed Unicode (NFC): files from Windows (cp1258) or macOS store Vietnamese tones as combining marks."""
    return unicodedata.normalize("NFC", text)


def _rows_text(rows: list[int], limit: int = 10) -> str:
    """"rows 2, 3, 5" or "rows 2, 3, … (25 rows)": the first few of a list of row numbers and the count."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return f"row{'s' if len(rows) > 1 else ''} {shown}" + (f", … ({len(rows)} rows)" if len(rows) > limit else "")


def _frame_from_cells(cells: list[list[str]], path: Path, what: str, is_header=None, formulas=(), *,
                      separator: str | None = None, raw: list[list[str]] | None = None):
    """DataFrame of text cells from every row of a sheet (``cells[0]`` is spreadsheet row 1).

    ``formulas``: (row, column) (0-based) of formula cells without a saved value (read as blank).
    ``separator``: a CSV's delimiter. A CSV row is a list of values, not of cells in fixed columns: a decimal comma
    ("21,9") or a comma in an unquoted text adds one and shifts the rest of the row right, a value deleted with its
    separator shifts it left. ``frame.attrs["ragged_rows"]`` then holds ``{"separator", "header": the header's
    names up to its last non-blank one, "rows": {row number: the row's values}}`` for the data rows with values
    beyond the header's last name, or fewer values than it has names (trailing separators, as Excel writes them
    on every line, and blank cells at the end of a row count for nothing more); no key without a separator.
    ``raw``: a CSV's values as written (not stripped), to quote a value the separator split as the user typed it.
    """
    import pandas as pd

    nonblank = [i for i, r in enumerate(cells) if any(r)]
    if not nonblank:
        raise InputError(f"{what} file is empty", path=path, hint="add a header row and data rows")
    h = nonblank[0]
    if is_header is not None and not is_header(cells[h]):
        h = next((i for i in nonblank[:20] if is_header(cells[i])), h)
    body = cells[h + 1 :]
    width = max(len(r) for r in cells[h:])
    names: list[str] = []
    first_col: dict[str, int] = {}
    duplicates: dict[str, str] = {}
    read_warnings: list[str] = []
    for j in range(width):
        name = cells[h][j] if j < len(cells[h]) else ""
        name = name or f"(column {j + 1})"
        base, k = name, 1
        while name in names:
            k += 1
            name = f"{base}.{k}"
        if name != base and not base.startswith("(column "):
            duplicates[name] = base
            read_warnings.append(
                f"{what}: {path.name}: column '{base}' appears twice (columns {first_col[base] + 1} and {j + 1}); "
                "using the first"
            )
        first_col.setdefault(base, j)
        names.append(name)
    data = [r + [""] * (width - len(r)) for r in body]
    df = pd.DataFrame(data, columns=names, index=np.arange(h + 2, h + 2 + len(body)), dtype=object)
    # columns without a header and without values (trailing separators) are dropped
    unnamed = [c for c in df.columns if c.startswith("(column ") and not (df[c] != "").any()]
    df = df.drop(columns=unnamed)
    # rows that are entirely blank (trailing lines of a spreadsheet) are dropped; numbering is kept
    if len(df):
        df = df[(df != "").any(axis=1)]
    if len(df.columns) == 0 or len(df) == 0:
        raise InputError(
            f"{what} file has no data rows", path=path, hint=f"add at least one row under the header row (row {h + 1})"
        )
    # formula cells without a cached value: blank, but say so (a file written by a script, never opened in Excel)
    by_col: dict[str, list[int]] = {}
    for r, c in formulas:
        if r > h and c < width and (r + 1) in df.index:
            by_col.setdefault(names[c], []).append(r + 1)
    for col, rws in by_col.items():
        read_warnings.append(
            f"{what}: {path.name}, column '{col}': {len(rws)} formula cell(s) read as blank ({_rows_text(sorted(rws))}): "
            "formula without a saved value; open and save the file in Excel"
        )
    df.attrs["read_warnings"] = read_warnings
    df.attrs["duplicate_columns"] = duplicates
    if separator is not None:
        df.attrs["ragged_rows"] = _ragged_rows(cells, h, names, df.index, separator, raw)
    return df


def _ragged_rows(cells: list[list[str]], h: int, names: list[str], kept, separator: str, raw=None) -> dict:
    """The CSV rows (among ``kept``, spreadsheet numbers) whose number of values differs from the header's.

    ``{"separator", "header": names up to the header's last non-blank one, "typical": the number of values most
    data rows have (trailing separators included), "rows": {row number: its values}, "raw": {row number: its values
    as written, spaces kept}}``; a row is listed when it has a value beyond the header's last name, more values than
    the typical row, or fewer than the header."""
    from collections import Counter

    width = max((j + 1 for j, c in enumerate(cells[h]) if c), default=0)
    kept = set(int(r) for r in kept)
    body = [(h + 2 + k, r) for k, r in enumerate(cells[h + 1 :]) if h + 2 + k in kept]
    counts = Counter(len(r) for _, r in body)
    typical = max(counts, key=lambda c: (counts[c], c)) if counts else width
    rows: dict[int, list[str]] = {}
    for number, r in body:
        last = max((j + 1 for j, c in enumerate(r) if c), default=0)
        if last > width or len(r) > max(typical, width) or len(r) < width:
            rows[number] = list(r)
    written = {n: [nfc(c) for c in raw[n - 1]] if raw is not None and n - 1 < len(raw) else rows[n] for n in rows}
    return {"separator": separator, "header": names[:width], "typical": max(typical, width), "rows": rows,
            "raw": written}


_DELIMITERS = (";", ",", "\t", "|")


def _split(line: str, sep: str) -> list[str]:
    import csv

    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return line.split(sep)


def _choose_delimiter(lines: list[str], score: Callable[[list[str]], int] | None = None) -> str:
    """Delimiter of a CSV from its first non-blank lines.

    First the header: the candidate (``; , tab |``) that splits one of the first 20 lines into the most recognised
    column names (``score``), so commas inside text cells or decimal commas of a semicolon file do not mislead;
    then the most consistent field count (the most lines sharing one field count > 1, then the widest).
    """
    head = lines[:20]
    sample = lines[:200]

    def consistency(sep: str) -> tuple[int, int]:
        counts: dict[int, int] = {}
        for ln in sample:
            k = len(_split(ln, sep))
            if k > 1:
                counts[k] = counts.get(k, 0) + 1
        if not counts:
            return (0, 0)
        k = max(counts, key=lambda c: (counts[c], c))
        return (counts[k], k)

    def key(sep: str):
        hs = max((score([c.strip() for c in _split(ln, sep)]) for ln in head), default=0) if score else 0
        return (hs if hs >= 2 else 0, *consistency(sep))

    keys = {sep: key(sep) for sep in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: keys[d])  # ties: the order of _DELIMITERS
    if keys[best] == (0, 0, 0):
        return ","
    if keys[best][0] == 0 and keys[","] == keys[best]:
        return ","
    return best


_COMBINING = re.compile("[\u0300-\u036f]")


def _stray_combining_marks(text: str) -> bool:
    """Combining marks that do not compose with the letter before them (NFC), e.g. a Windows-1252 "Ìle" read
    as Windows-1258 (byte CC is a combining grave there): the text is not Vietnamese Windows-1258."""
    return bool(_COMBINING.search(unicodedata.normalize("NFC", text)))


_LEGACY = {"cp1258": "Windows-1258 (Vietnamese)", "cp1252": "Windows-1252 (Western)"}


def _legacy_note(encoding: str, path: Path, what: str) -> str:
    """The warning for a CSV that was not UTF-8: which legacy encoding was assumed, how to avoid the guess."""
    return (f"{what}: {path.name} is not UTF-8; read as {_LEGACY[encoding]}. Check that names with accents look "
            "right, or save the file as CSV UTF-8 (Excel: File > Save As > CSV UTF-8) so nothing has to be guessed")


def _decode_csv(raw: bytes, path: Path, what: str) -> tuple[str, str]:
    """(text, encoding used) of a CSV's bytes."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM ("Unicode text" from Excel)
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(
                f"cannot decode {what} file as UTF-16 ({exc.reason} at byte {exc.start})",
                path=path,
                hint="save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)",
            ) from exc
    if b"\x00" in raw[:4096]:
        raise InputError(
            f"the {what} file looks like UTF-16 text without a byte-order mark (NUL bytes)",
            path=path,
            hint="save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)",
        )
    for enc in _CSV_ENCODINGS:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "cp1258" and _stray_combining_marks(text):
            continue  # Windows-1258 puts tone marks after vowels; marks left over after NFC mean another encoding
        return text, enc
    raise InputError(  # pragma: no cover - cp1252 decodes almost anything
        f"cannot decode {what} CSV", path=path, hint="save the file as UTF-8 (CSV UTF-8 in Excel)"
    )


def _csv_cells(path: Path, what: str, score: Callable[[list[str]], int] | None = None
               ) -> tuple[list[list[str]], str, str, list[list[str]]]:
    """(text cells of every row, the encoding the file was read with, the delimiter, the cells as written)."""
    import csv
    import io as _io

    text, encoding = _decode_csv(path.read_bytes(), path, what)
    if not text.strip():
        raise InputError(f"{what} file is empty", path=path, hint="add a header row and data rows")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    sep = _choose_delimiter(lines, score)
    try:
        rows = list(csv.reader(_io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise InputError(
            f"cannot parse {what} CSV: {exc}", path=path, hint="save it as comma-separated UTF-8 CSV, one row per line"
        ) from exc
    return [[nfc(c.strip()) for c in r] for r in rows], encoding, sep, rows


def _hidden_rows_note(hidden: list[int], df, path: Path, what: str) -> list[str]:
    """The warning that rows hidden in Excel were read (only data rows: hidden title lines do not matter)."""
    rows = [r for r in hidden if r in df.index]
    if not rows:
        return []
    return [f"{what}: {path.name}: {len(rows)} row(s) hidden in the spreadsheet were read like the others "
            f"({_rows_text(rows)}); unhide them in Excel to check them, and delete any that does not belong"]


def _choose_sheet(wb, what: str, is_header, notes: dict):
    """The first sheet, or when it has no recognised header row the first sheet that has one (a workbook whose
    first sheet is a cover or summary), with a note naming it."""
    first = wb.worksheets[0]
    if is_header is None or len(wb.worksheets) == 1:
        return first

    def has_header(ws) -> bool:
        rows = ws.iter_rows(max_row=20, values_only=True)
        return any(is_header([str(v).strip() if v is not None else "" for v in row]) for row in rows)

    if has_header(first):
        return first
    for ws in wb.worksheets[1:]:
        if has_header(ws):
            notes.setdefault("before", []).append(
                f"{what}: {notes['file']}: the first sheet '{first.title}' has no recognised header row; read the "
                f"sheet '{ws.title}' "
                f'(set layer = "{ws.title}" for this input in the project to choose a sheet yourself)')
            return ws
    return first


def _fill_merged(ws, cells: list[list[str]], notes: dict) -> None:
    """Cells merged over several rows (a commune written once for all its polling stations) hold their value in the
    first row only: give it to every row of the merge, as the spreadsheet shows it, and say so."""
    filled = []
    for rng in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
        if rng.max_row <= rng.min_row or rng.min_row > len(cells):
            continue
        top = cells[rng.min_row - 1]
        for c in range(rng.min_col - 1, rng.max_col):
            value = top[c] if c < len(top) else ""
            for r in range(rng.min_row, min(rng.max_row, len(cells))):
                row = cells[r]
                row.extend([""] * (c + 1 - len(row)))
                row[c] = value
        filled.append(rng.coord)
    if filled:
        notes.setdefault("before", []).append(
            f"{notes['what']}: {notes['file']}: {len(filled)} cell range(s) merged over several rows "
            f"({', '.join(filled[:5])}{' …' if len(filled) > 5 else ''}): each row of a merge was given its value")


def _xlsx_cells(path: Path, what: str, sheet: str | None, formulas: list | None = None, *, is_header=None,
                notes: dict | None = None) -> list[list[str]]:
    """Text of every cell of a sheet; (row, column) of formula cells without a saved value go to ``formulas``.

    ``notes`` receives the warnings of reading (``"before"``: the sheet chosen, merged cells filled) and the
    spreadsheet rows hidden in Excel (``"hidden"``). Without ``layer`` the first sheet with a header row
    ``is_header`` accepts is read."""
    import openpyxl

    notes = {} if notes is None else notes
    notes.update(what=what, file=path.name)
    try:
        wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise InputError(
            f"cannot read {what} spreadsheet: {exc}", path=path, hint="open it in Excel/LibreOffice and save as .xlsx"
        ) from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(
                f"no sheet named '{sheet}' in the {what} workbook (sheets: {', '.join(wb.sheetnames)})",
                path=path,
                hint="set layer = \"<sheet name>\" for this input in the project",
            )
        ws = wb[sheet] if sheet is not None else _choose_sheet(wb, what, is_header, notes)

        def fmt(v: Any) -> str:
            if v is None:
                return ""
            if isinstance(v, float):
                if not np.isfinite(v):
                    return ""
                # an id typed as 101 may be stored as 101.0
                return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
            return nfc(str(v).strip())

        cells = [[fmt(v) for v in row] for row in ws.iter_rows(values_only=True)]
        _fill_merged(ws, cells, notes)
        notes["hidden"] = sorted(r for r, dim in ws.row_dimensions.items() if dim.hidden)
    finally:
        wb.close()
    if formulas is not None:
        _missing_formula_values(path, ws.title, cells, formulas)
    return cells


def _missing_formula_values(path: Path, sheet: str, cells: list[list[str]], out: list) -> None:
    """Append (row, column) of blank cells that hold a formula (no value saved by a spreadsheet program)."""
    import openpyxl

    blank = {(i, j) for i, r in enumerate(cells) for j, v in enumerate(r) if v == ""}
    if not blank:
        return
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # pragma: no cover - it opened a moment ago
        return
    try:
        for i, row in enumerate(wb[sheet].iter_rows(values_only=True)):
            for j, v in enumerate(row):
                if (i, j) in blank and isinstance(v, str) and v.startswith("="):
                    out.append((i, j))
    finally:
        wb.close()


def read_vector(path: str | os.PathLike, *, layer: str | None = None, what: str = "layer"):
    """Read a GeoJSON / GeoPackage / Shapefile (or any OGR vector) into a GeoDataFrame (rows 1-based index)."""
    import geopandas as gpd

    path = Path(path)
    _check_readable(path, what)
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:
        raise InputError(
            f"cannot read {what} file: {exc}",
            path=path,
            hint="check it opens in QGIS; supported: GeoJSON, GeoPackage, Shapefile (with .shx/.dbf/.prj)",
        ) from exc
    if len(gdf) == 0:
        raise InputError(f"{what} file has no features", path=path, hint="the layer must contain at least one feature")
    gdf.index = np.arange(1, len(gdf) + 1)
    return gdf


def write_vector(gdf, path: str | os.PathLike, *, layer: str | None = None, driver: str | None = None) -> Path:
    """Write a GeoDataFrame atomically (driver guessed from the extension: .gpkg, .geojson, .shp not atomic)."""
    path = Path(path)
    if path.suffix.lower() == ".shp":
        raise OutputError(f"{path}: Shapefile output is not supported (several files); use .gpkg or .geojson")
    try:
        with atomic_path(path) as tmp:
            gdf.to_file(tmp, layer=layer, driver=driver)
    except OutputError:
        raise
    except Exception as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    return path


def write_gpkg(layers: dict, path: str | os.PathLike, *, geometry_types: dict | None = None,
               styles: dict | None = None, style_time: str | None = None) -> Path:
    """Write several GeoDataFrames as layers of one GeoPackage (``{layer name: gdf}``), atomically.

    ``geometry_types`` ({layer: "Point", …}) is the geometry type of a layer without features (an empty layer
    keeps its type and columns, so a QGIS project that uses it still opens). ``styles`` ({layer: QML text}) go
    into QGIS's ``layer_styles`` table as each layer's default style; ``style_time`` (ISO text) is their
    ``update_time`` (the same results give the same file). The file is GeoPackage 1.2, which every GDAL since 2.2
    reads without a warning (GDAL 3.12 would write 1.4, which GDAL 3.6 — QGIS 3.28 on Debian 12 — calls "only
    partially supported").
    """
    path = Path(path)
    if not layers:
        raise OutputError(f"cannot write {path}: no layers given")
    try:
        with atomic_path(path) as tmp:
            for i, (name, gdf) in enumerate(layers.items()):
                kwargs = {"VERSION": "1.2"} if i == 0 else {}  # a dataset option: when the file is created
                if len(gdf) == 0 and geometry_types and name in geometry_types:
                    kwargs["geometry_type"] = geometry_types[name]
                gdf.to_file(tmp, layer=str(name), driver="GPKG", **kwargs)
            if styles:
                _write_layer_styles(tmp, {n: q for n, q in styles.items() if n in layers}, style_time)
    except OutputError:
        raise
    except Exception as exc:
        raise OutputError(f"cannot write GeoPackage {path}: {exc}") from exc
    return path


def _write_layer_styles(gpkg: Path, styles: dict, when: str | None) -> None:
    """QGIS's ``layer_styles`` table (as QGIS itself creates it, registered in gpkg_contents) with one default
    style per layer."""
    import sqlite3

    when = when or "1970-01-01T00:00:00Z"
    con = sqlite3.connect(gpkg)
    try:
        with con:
            con.execute(
                'CREATE TABLE IF NOT EXISTS "layer_styles" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
                '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
                '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
                '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
                "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
            )
            con.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', ?)", (when,)
            )
            geom = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
            for name, qml in styles.items():
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, '', 1, 'coverage-planner', '', NULL, ?)",
                    (name, geom.get(name, "geom"), name, qml, when),
                )
    finally:
        con.close()


def write_xlsx(tables: dict, path: str | os.PathLike, *, number_format: Callable[[str], str | None] | None = None) -> Path:
    """Write DataFrames as sheets of one XLSX workbook (``{sheet name: df}``), atomically: header row bold and
    frozen, with Excel's filter buttons; numbers stay numbers.

    ``number_format(column name)`` gives the Excel number format of a numeric column (``"0.00000"``, ``"#,##0"``)
    or ``None`` (Excel's General): it changes what Excel shows, never the stored value.
    Sheet names are cut to Excel's 31 characters (kept unique). Timezone-aware datetimes are written as text.
    """
    import pandas as pd
    from openpyxl.styles import Font
    from pandas.api.types import is_numeric_dtype

    path = Path(path)
    if not tables:
        raise OutputError(f"cannot write {path}: no tables given")
    used: set[str] = set()
    try:
        with atomic_path(path) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                for name, df in tables.items():
                    sheet = re.sub(r"[\\/*?:\[\]]", "_", str(name))[:31] or "sheet"
                    base, k = sheet, 1
                    while sheet in used:
                        k += 1
                        sheet = f"{base[: 31 - len(str(k)) - 1]}_{k}"
                    used.add(sheet)
                    frame = pd.DataFrame(df)
                    if "geometry" in frame.columns:
                        frame = frame.drop(columns="geometry")
                    frame.to_excel(xw, sheet_name=sheet, index=False, freeze_panes=(1, 0))
                    ws = xw.sheets[sheet]
                    _text_not_formulas(ws, frame)
                    bold = Font(bold=True)
                    for i, col in enumerate(frame.columns, start=1):
                        head = ws.cell(row=1, column=i)
                        head.font = bold
                        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                        ws.column_dimensions[head.column_letter].width = min(60, width + 2)
                        fmt = number_format(str(col)) if number_format is not None else None
                        if fmt and is_numeric_dtype(frame[col]) and frame[col].dtype != bool:
                            for (cell,) in ws.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=i, max_col=i):
                                cell.number_format = fmt
                    if len(frame.columns):
                        ws.auto_filter.ref = ws.dimensions
    except OutputError:
        raise
    except Exception as exc:
        raise OutputError(f"cannot write XLSX {path}: {exc}") from exc
    return path


def _text_not_formulas(ws, frame) -> None:
    """Text cells that openpyxl took for formulas (a name typed as ``=HYPERLINK(...)``) stay text: Excel shows
    them and never runs them (formula injection). Only text columns are looked at."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    for i, col in enumerate(frame.columns, start=1):
        if not (is_object_dtype(frame[col]) or is_string_dtype(frame[col])):
            continue
        for (cell,) in ws.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=i, max_col=i):
            if cell.data_type == "f":
                cell.data_type = "s"


#: First characters that make Excel (and LibreOffice) read a CSV cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe_text(value):
    """A CSV text cell Excel would run as a formula, with a leading apostrophe (OWASP's advice); numbers
    written as text ("-88.3") and other text are unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def write_csv(df, path: str | os.PathLike, **kwargs) -> Path:
    """Write a DataFrame as UTF-8 CSV with BOM (Excel opens Vietnamese text correctly), atomically.

    Text that Excel would run as a formula (starting with = + - @) gets a leading apostrophe."""
    path = Path(path)
    kwargs.setdefault("index", False)
    kwargs.setdefault("encoding", "utf-8-sig")
    from pandas.api.types import is_object_dtype, is_string_dtype

    text_cols = [c for c in df.columns if c != "geometry" and (is_object_dtype(df[c]) or is_string_dtype(df[c]))]
    if text_cols:
        df = df.copy()
        for c in text_cols:
            df[c] = df[c].map(_csv_safe_text)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, **kwargs)
    return path


# --------------------------------------------------------------------------------------------------------
# rasters
# --------------------------------------------------------------------------------------------------------
def _crs_string(crs) -> str | None:
    if crs is None:
        return None
    try:
        epsg = crs.to_epsg()
    except Exception:  # pragma: no cover - exotic CRS
        epsg = None
    if epsg:
        return f"EPSG:{epsg}"
    return crs.to_wkt() or None


def _open_raster(path: Path, what: str):
    import rasterio
    from rasterio.errors import RasterioIOError

    if not path.exists():
        raise RasterError(f"{what} file not found", path=path, hint="check the path in the project file")
    if path.is_dir():
        raise RasterError(f"{what} path is a folder", path=path, hint="point to the raster file itself")
    if path.stat().st_size == 0:
        raise RasterError(f"{what} file is empty", path=path, hint="download or export the raster again")
    _register_input(path, what)
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise RasterError(
            f"cannot read {what} raster (GDAL: {exc})",
            path=path,
            hint="use GeoTIFF, SRTM .hgt (named like N21E102.hgt) or ESRI ASCII grid (.asc); check the file is complete",
        ) from exc


def raster_info(path: str | os.PathLike, what: str = "raster") -> dict:
    """Metadata of a raster without reading its pixels: width, height, count, crs, bounds, res, nodata, dtype."""
    path = Path(path)
    with _open_raster(path, what) as ds:
        return {
            "width": ds.width,
            "height": ds.height,
            "count": ds.count,
            "crs": _crs_string(ds.crs),
            "bounds": tuple(ds.bounds),
            "res": tuple(ds.res),
            "nodata": ds.nodata,
            "dtype": ds.dtypes[0],
            "transform": ds.transform,
        }


def read_raster(path: str | os.PathLike, *, band: int = 1, what: str = "raster"):
    """Read one band of a raster.

    Returns ``(array, transform, crs, nodata)``: the 2-D array as stored (dtype kept), its affine
    transform, the CRS as ``"EPSG:n"`` (or WKT when there is no EPSG code, ``None`` when the raster has no
    CRS) and the nodata value (``None`` if unset). SRTM ``.hgt`` tiles carry an implicit WGS 84 CRS and
    nodata −32768. Raises :class:`RasterError` naming the file and GDAL's message when unreadable.
    """
    from rasterio.errors import RasterioError

    path = Path(path)
    ds = _open_raster(path, what)
    with ds:
        try:
            if band < 1 or band > ds.count:
                raise RasterError(f"{what} has {ds.count} band(s); band {band} does not exist", path=path)
            array = ds.read(band)
        except RasterioError as exc:
            raise RasterError(
                f"cannot read pixels of {what} (GDAL: {exc})", path=path, hint="the file may be truncated; get it again"
            ) from exc
        crs = _crs_string(ds.crs)
        nodata = ds.nodata
        if crs is None and path.suffix.lower() == ".hgt":
            crs = "EPSG:4326"
        if nodata is None and path.suffix.lower() == ".hgt":
            nodata = -32768.0
        return array, ds.transform, crs, nodata


def merge_rasters(paths: Sequence[str | os.PathLike], *, what: str = "raster"):
    """Mosaic several rasters of the same CRS (e.g. SRTM tiles) into one array.

    Returns ``(array, transform, crs, nodata)`` like :func:`read_raster`. Cells not covered by any tile are
    ``nodata``. Raises :class:`RasterError` if a tile is unreadable or the tiles' CRS differ.
    """
    from rasterio.merge import merge

    paths = [Path(p) for p in paths]
    if len(paths) == 1:
        return read_raster(paths[0], what=what)
    datasets = []
    try:
        crs_seen: dict[str, Path] = {}
        for p in paths:
            ds = _open_raster(p, what)
            datasets.append(ds)
            crs = _crs_string(ds.crs) or ("EPSG:4326" if p.suffix.lower() == ".hgt" else None)
            if crs is None:
                raise RasterError(
                    f"{what} tile has no CRS", path=p, hint="assign one in QGIS (Raster > Projections) or use a GeoTIFF"
                )
            crs_seen.setdefault(crs, p)
        if len(crs_seen) > 1:
            listing = "; ".join(f"{c} ({p.name})" for c, p in crs_seen.items())
            raise RasterError(
                f"{what} tiles are in different CRS: {listing}",
                path=paths[0],
                hint="reproject all tiles to one CRS before mosaicking",
            )
        nodata = datasets[0].nodata
        if nodata is None:
            nodata = -32768.0 if paths[0].suffix.lower() == ".hgt" else None
        dtype = np.result_type(*[np.dtype(d.dtypes[0]) for d in datasets])
        if nodata is None:
            dtype = np.float32
            nodata = np.nan
        try:
            array, transform = merge(datasets, nodata=nodata, dtype=dtype.name if hasattr(dtype, "name") else dtype)
        except Exception as exc:
            raise RasterError(
                f"cannot mosaic {what} tiles (GDAL: {exc})", path=paths[0], hint="check all tiles are readable"
            ) from exc
        crs = next(iter(crs_seen))
        return array[0], transform, crs, (None if nodata is not None and np.isnan(nodata) else nodata)
    finally:
        for ds in datasets:
            ds.close()


def write_geotiff(path: str | os.PathLike, array: np.ndarray, transform, crs, nodata=None, *, tags: dict | None = None,
                  description: str | None = None, units: str | None = None):
    """Write a 2-D (one band) or 3-D (bands, rows, cols) array as a DEFLATE-compressed GeoTIFF, atomically.

    ``crs`` is anything rasterio accepts ("EPSG:32648", WKT, a CRS object) or ``None``. Float arrays use
    floating-point prediction. ``description`` and ``units`` go on every band (QGIS shows the description in the
    layer legend and the unit in the layer properties, ``gdalinfo`` prints both). Returns the path.
    """
    import rasterio

    path = Path(path)
    arr = np.asarray(array)
    if arr.ndim == 2:
        arr3 = arr[np.newaxis]
    elif arr.ndim == 3:
        arr3 = arr
    else:
        raise OutputError(f"cannot write {path}: expected a 2-D or 3-D array, got shape {arr.shape}")
    if arr3.dtype == np.bool_:
        arr3 = arr3.astype(np.uint8)
    count, height, width = arr3.shape
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": count,
        "dtype": arr3.dtype.name,
        "crs": crs,
        "transform": transform,
        "compress": "deflate",
    }
    if np.issubdtype(arr3.dtype, np.floating):
        profile["predictor"] = 3
    elif np.issubdtype(arr3.dtype, np.integer):
        profile["predictor"] = 2
    if width >= 256 and height >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    if nodata is not None:
        profile["nodata"] = nodata
    try:
        with atomic_path(path) as tmp:
            with rasterio.open(tmp, "w", **profile) as dst:
                dst.write(arr3)
                if tags:
                    dst.update_tags(**{k: str(v) for k, v in tags.items()})
                for band in range(1, count + 1):
                    if description:
                        dst.set_band_description(band, description)
                    if units:
                        dst.set_band_unit(band, units)
    except OutputError:
        raise
    except Exception as exc:
        raise OutputError(f"cannot write GeoTIFF {path}: {exc}") from exc
    return path
