"""Progress items of the long-running generators (the analysis run, the map and report exports), and the helper
that runs such a generator to its end.

Long work is a generator (napari style): each yielded :class:`Progress` is a progress report and a cancel point;
the result comes back through ``StopIteration.value``. This module is tiny and imports nothing heavy, so the
exporters can use it without loading the pipeline (numba) and the pipeline without loading folium.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """``stage`` (e.g. "coverage", "map", "report"), ``fraction`` of the work done (0..1) and an English
    ``message`` naming the step (the desktop app shows it in its language: ``gui.i18n.PROGRESS_PATTERNS_VI``)."""

    stage: str
    fraction: float
    message: str = ""


def run_to_end(gen):
    """The return value of the generator ``gen`` (every item it yields is dropped)."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
