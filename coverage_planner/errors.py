"""Exceptions raised by coverage-planner.

Every error the application raises on purpose derives from :class:`CoveragePlannerError`, and each
category also subclasses the matching builtin, so callers may catch either (rasterio's pattern).
Messages name the file, the row (1-based, as a spreadsheet shows it, header = row 1) and the field
where that makes sense, and say how to fix the problem.
"""

from __future__ import annotations

from pathlib import Path

#: The command line's advice to check the inputs again once they are fixed, at the end of a hint after ", then ".
#: Other front ends put their own step there (the desktop app: open the project again); see
#: ``coverage_planner.i18n.error_text``.
RECHECK_CLI = "run validate again"


class CoveragePlannerError(Exception):
    """Root of all coverage-planner errors."""


class InputError(CoveragePlannerError, ValueError):
    """An input file or value is invalid.

    ``path``, ``row`` and ``field`` locate the problem when known; ``hint`` says how to fix it.
    ``problems`` may carry further messages when several rows are wrong at once (a row's as "row 12, column
    'Mã trạm' (id): duplicate id …"); ``causes`` the errors gathered into this one (one per input file), whose
    texts ``problems`` holds, so that a translation can rebuild each from its parts.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: list[str] | None = None,
        causes: list[InputError] | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.row = row
        self.field = field
        self.hint = hint
        self.problems = list(problems or [])
        self.causes = list(causes or [])
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.problems:
            shown = self.problems[:20]
            text += "\n" + "\n".join(f"  - {p}" for p in shown)
            if len(self.problems) > len(shown):
                text += f"\n  … and {len(self.problems) - len(shown)} more"
        if self.hint:
            text += f"\nHow to fix: {self.hint}"
        return text


class ProjectError(InputError):
    """The project file is invalid (bad TOML, unknown keys, missing inputs)."""


class CRSError(InputError):
    """A coordinate reference system is missing, unknown or inconsistent."""


class RasterError(InputError):
    """A raster (terrain DEM, land cover) cannot be read or is unusable."""


class ParameterError(CoveragePlannerError, ValueError):
    """A numeric parameter passed to an analysis or pipeline function is out of range."""


class UnknownTowerError(ParameterError):
    """A failure scenario names tower ids that are not in the towers file.

    ``unknown``: the ids as given; ``suggestions``: id → the tower or site id it matches ignoring case.
    The command line turns it into a usage error (exit 2) for ``--down``.
    """

    def __init__(self, message: str, *, unknown: list[str], suggestions: dict[str, str] | None = None) -> None:
        self.unknown = list(unknown)
        self.suggestions = dict(suggestions or {})
        self.message = message
        super().__init__(message)


class CancelledError(CoveragePlannerError, RuntimeError):
    """A long operation was cancelled by the user."""


class OutputError(CoveragePlannerError, OSError):
    """An output could not be written."""


class ForeignFilesError(OutputError):
    """The output folder holds files named like outputs that coverage-planner did not write (the user's own
    ``towers.csv``, say): the run stops before any work instead of replacing them. The command line makes it a
    usage error (exit 2) and offers ``--force``."""

    def __init__(self, folder, names: list[str], has_manifest: bool) -> None:
        self.folder = folder
        self.names = list(names)
        self.has_manifest = has_manifest
        shown = ", ".join(self.names[:12]) + (f", … ({len(self.names)} files)" if len(self.names) > 12 else "")
        older = "" if has_manifest else (
            " If an earlier version of coverage-planner wrote them (it kept no list of its outputs), --force "
            "replaces them once.")
        self.message = (
            f"the output folder {folder} holds {shown}, which coverage-planner did not write (or which changed "
            "since it wrote them); the run would replace them with its own outputs of the same names. Nothing was "
            "written. How to fix: choose another output folder (--out), move these files elsewhere, or re-run "
            f"with --force to replace them.{older}")
        super().__init__(self.message)
