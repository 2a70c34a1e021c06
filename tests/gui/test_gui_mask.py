"""The desktop map's coverage overlays are transparent outside the study area (Results.study_mask)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coverage_planner.webmap import added_coverage
from gui import render
from gui.maplayers import coverage_rgba, display_images


def _west_out(tiny):
    mask = np.ones(tiny.grid.shape, bool)
    mask[:, : tiny.grid.shape[1] // 2] = False
    return mask


def test_best_level_and_added_coverage_hidden_outside_the_mask(tiny):
    mask = _west_out(tiny)
    res = dataclasses.replace(tiny, study_mask=mask)
    images = display_images(res, terrain_rgba=np.zeros(tiny.grid.shape + (4,), np.uint8))
    cov, add = images["coverage"], images["proposal_coverage"]
    assert (cov[~mask, 3] == 0).all() and (add[~mask, 3] == 0).all()
    has_level = mask & np.isfinite(tiny.best_level)
    assert has_level.sum() > 100 and (cov[has_level, 3] > 0).all()
    has_added = added_coverage(res, tiny.proposal_level)  # only where the proposed sites add service
    assert not has_added[~mask].any()
    assert has_added.sum() > 10 and (add[has_added, 3] > 0).all() and (add[~has_added, 3] == 0).all()
    # without a mask the west half shows levels, as before
    plain = coverage_rgba(dataclasses.replace(tiny, study_mask=None), tiny.best_level)
    assert (plain[~mask & np.isfinite(tiny.best_level), 3] > 0).all()
    np.testing.assert_array_equal(plain[mask], cov[mask])


def test_level_rgba_mask_shape_is_checked(tiny):
    with pytest.raises(ValueError, match="study mask shape"):
        render.level_rgba(tiny.best_level, mask=np.ones((2, 2), bool))


def test_canvas_layer_uses_the_mask(shown_masked):
    window, mask = shown_masked
    img = window.canvas.layer("coverage").items[0].pixmap().toImage()
    w, h = img.width(), img.height()
    assert (w, h) == (mask.shape[1], mask.shape[0])
    assert img.pixelColor(2, h // 2).alpha() == 0  # west: outside the study area
    assert img.pixelColor(w - 3, h // 2).alpha() > 0


@pytest.fixture
def shown_masked(window, tiny, qtbot):
    mask = _west_out(tiny)
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        window.show_results(dataclasses.replace(tiny, study_mask=mask))
    return window, mask
