"""The *added coverage* layer marks only the cells where the proposed / what-if sites add service, by the
core's rule (coverage_planner.webmap.added_coverage), so the desktop map and the HTML map agree."""

from __future__ import annotations

import numpy as np

from coverage_planner import webmap


def _alpha(window) -> np.ndarray:
    img = window.canvas.layer("proposal_coverage").items[0].pixmap().toImage()
    h, w = img.height(), img.width()
    return np.array([[img.pixelColor(c, r).alpha() for c in range(w)] for r in range(h)])


def test_added_coverage_rule(tiny):
    added = webmap.added_coverage(tiny, tiny.proposal_level)
    weak = webmap._min_weak_threshold(tiny)
    before = np.where(np.isfinite(tiny.best_level), tiny.best_level, -np.inf)
    with np.errstate(invalid="ignore"):
        expected = (tiny.proposal_level >= weak) & (tiny.proposal_level > before) & (before < weak)
    mask = webmap.study_mask(tiny)
    if mask is not None:
        expected &= mask
    np.testing.assert_array_equal(added, expected)
    # the proposals reach cells that are already well covered: those are not "added"
    already = np.isfinite(tiny.proposal_level) & (before >= weak)
    assert already.any() and not added[already].any()
    assert added.any()
    np.testing.assert_array_equal(webmap.added_coverage(tiny), added)  # default: results.proposal_level
    assert not webmap.added_coverage(tiny, np.full(tiny.grid.shape, np.nan, np.float32)).any()


def test_layer_after_a_run_shows_only_added_cells(shown, tiny):
    alpha = _alpha(shown)
    added = webmap.added_coverage(tiny, tiny.proposal_level)
    np.testing.assert_array_equal(alpha > 0, added)
    covered_anyway = np.isfinite(tiny.proposal_level) & ~added
    assert covered_anyway.sum() > 10  # cells the old layer painted purple though nothing was added


def test_moved_or_added_sites_use_the_same_rule(shown, tiny):
    rows, cols = tiny.grid.shape
    block = np.full((rows // 2, cols // 2), -60.0, np.float32)  # a strong what-if site over a quarter of the map
    r0, c0 = rows // 4, cols // 4
    shown._apply_sites([(block, r0, c0)], {})
    full = np.full(tiny.grid.shape, np.nan, np.float32)
    full[r0:r0 + block.shape[0], c0:c0 + block.shape[1]] = block
    np.testing.assert_array_equal(shown.displayed_proposal_level, full)
    expected = webmap.added_coverage(tiny, full)
    alpha = _alpha(shown)
    np.testing.assert_array_equal(alpha > 0, expected)
    inside = np.zeros(tiny.grid.shape, bool)
    inside[r0:r0 + block.shape[0], c0:c0 + block.shape[1]] = True
    assert (inside & ~expected).any()  # already covered cells inside the site's window stay clear


def test_legend_has_an_added_coverage_entry(shown):
    r, g, b = webmap.ADDED_COLOUR
    html = shown.layer_panel.legend.text()
    assert f"rgb({r},{g},{b})" in html and "Added coverage" in html
    shown.set_language("vi")
    assert "Vùng phủ bổ sung" in shown.layer_panel.legend.text()
