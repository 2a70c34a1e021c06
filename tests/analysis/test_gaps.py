"""Classification at the exact thresholds, zonal shares, gap labelling."""

import numpy as np
import pytest

from analysis import AnalysisError
from analysis.gaps import (
    GOOD,
    NONE,
    WEAK,
    classify,
    group_class_totals,
    label_gaps,
    majority_zone,
    shares,
    zonal_class_shares,
)

nan = np.nan


def test_classify_exact_thresholds_and_nan():
    lev = np.array([-100.0, -100.0001, -110.0, -110.0001, nan, -50.0, -np.inf])
    out = classify(lev, -100.0, -110.0)
    np.testing.assert_array_equal(out, [GOOD, WEAK, WEAK, NONE, NONE, GOOD, NONE])
    assert out.dtype == np.int8


def test_classify_per_element_thresholds_broadcast():
    lev = np.array([[-95.0, -95.0], [-105.0, -105.0]])
    good = np.array([-95.0, -90.0])  # per column: 2G-ish vs 4G-ish
    weak = np.array([-105.0, -104.0])
    np.testing.assert_array_equal(classify(lev, good, weak), [[GOOD, WEAK], [WEAK, NONE]])


def test_classify_errors():
    with pytest.raises(AnalysisError, match=r"good_dbm \(-110.0\) is below weak_dbm \(-100.0\)"):
        classify([-90.0], -110.0, -100.0)
    with pytest.raises(AnalysisError, match="do not broadcast"):
        classify(np.zeros(3), np.zeros(2), -100.0)
    with pytest.raises(AnalysisError, match="finite"):
        classify([-90.0], nan, -100.0)


def test_zonal_shares_counts_and_sum_to_one():
    cls = np.array([[2, 2, 1, 0], [0, 0, 1, 2], [2, 1, 0, 0]], np.int8)
    zones = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [-1, 2, 2, 2]])
    valid = np.ones_like(cls, bool)
    valid[2, 3] = False
    counts = zonal_class_shares(cls, zones, 4, valid)
    # zone 0: 2,2,0,0 -> none 2, weak 0, good 2 ; zone 1: 1,0,1,2 -> 1,2,1 ; zone 2: 1,0,(0 invalid) -> 1,1,0
    np.testing.assert_array_equal(counts, [[2, 0, 2], [1, 2, 1], [1, 1, 0], [0, 0, 0]])
    sh = shares(counts)
    np.testing.assert_allclose(sh[:3].sum(axis=1), 1.0)
    assert np.all(np.isnan(sh[3]))  # empty zone -> NaN, not a division warning


def test_zonal_shares_random_against_loop():
    rng = np.random.default_rng(0)
    cls = rng.integers(0, 3, (20, 30)).astype(np.int8)
    zones = rng.integers(-1, 5, (20, 30))
    counts = zonal_class_shares(cls, zones, 5)
    ref = np.zeros((5, 3), int)
    for z, k in zip(zones.ravel(), cls.ravel(), strict=True):
        if z >= 0:
            ref[z, k] += 1
    np.testing.assert_array_equal(counts, ref)
    np.testing.assert_allclose(shares(counts).sum(axis=1), 1.0)


def test_group_totals_voters_and_counts():
    classes = np.array([2, 0, 1, 0, 2], np.int8)
    communes = np.array([0, 0, 1, 1, -1])
    voters = np.array([100, 50, 30, 20, 999])
    np.testing.assert_array_equal(group_class_totals(classes, communes, 2), [[1, 0, 1], [1, 1, 0]])
    np.testing.assert_array_equal(
        group_class_totals(classes, communes, 2, voters), [[50, 0, 100], [20, 30, 0]]
    )


def test_zonal_errors():
    cls = np.zeros((2, 2), np.int8)
    with pytest.raises(AnalysisError, match="zone_ids contains 3 but n_zones is 2"):
        zonal_class_shares(cls, np.full((2, 2), 3), 2)
    with pytest.raises(AnalysisError, match="shape"):
        zonal_class_shares(cls, np.zeros((3, 2), int), 2)
    with pytest.raises(AnalysisError, match="values must be 0, 1 or 2"):
        zonal_class_shares(np.full((2, 2), 5, np.int8), np.zeros((2, 2), int), 1)


def test_label_gaps_regions_classes_min_cells():
    cls = np.array(
        [
            [0, 0, 2, 1, 1],
            [0, 2, 2, 2, 1],
            [2, 2, 0, 2, 2],
            [2, 2, 2, 2, 0],
        ],
        np.int8,
    )
    g = label_gaps(cls, min_cells=1)
    # none: {(0,0),(0,1),(1,0)} one region; (2,2) alone; (3,4) alone -> 3 regions; weak: one region of 3
    assert g.n == 4
    np.testing.assert_array_equal(g.region_class, [NONE, NONE, NONE, WEAK])
    np.testing.assert_array_equal(np.sort(g.n_cells[:3]), [1, 1, 3])
    assert g.labels[0, 0] == g.labels[0, 1] == g.labels[1, 0] != 0
    assert g.labels[0, 3] == g.labels[1, 4] == 4
    assert np.all(g.labels[cls == GOOD] == 0)
    g2 = label_gaps(cls, min_cells=2)
    assert g2.n == 2 and set(g2.n_cells) == {3}
    # 4-connectivity splits diagonal neighbours
    diag = np.array([[0, 2], [2, 0]], np.int8)
    assert label_gaps(diag, connectivity=8).n == 1
    assert label_gaps(diag, connectivity=4).n == 2
    # cells outside valid_mask are never gaps
    assert label_gaps(cls, valid_mask=np.zeros_like(cls, bool)).n == 0


def test_majority_zone():
    labels = np.array([[1, 1, 1, 2], [1, 0, 2, 2]])
    zones = np.array([[0, 1, 1, -1], [1, 0, 0, -1]])
    np.testing.assert_array_equal(majority_zone(labels, 2, zones, 2), [1, 0])
    np.testing.assert_array_equal(majority_zone(labels, 3, zones, 2), [1, 0, -1])
