"""Composite best level / best server / server count, against a plain-Python oracle on tiny grids."""

from collections import namedtuple

import numpy as np
import pytest

from analysis import AnalysisError
from analysis.coverage import composite, composite_groups, composite_subset, servers_at_points

nan = np.nan
Win = namedtuple("Win", "level_dbm row0 col0")


def oracle(shape, windows, thr, use=None):
    """Cell-by-cell reference: strict '>' for best (lowest index wins ties), '>=' threshold for the count."""
    nr, nc = shape
    best = np.full(shape, nan, np.float32)
    server = np.full(shape, -1, np.int32)
    count = np.zeros(shape, np.uint16)
    second = np.full(shape, -1, np.int32)
    for r in range(nr):
        for c in range(nc):
            vals = []
            for k, (lev, r0, c0) in enumerate(windows):
                if use is not None and not use[k]:
                    continue
                i, j = r - r0, c - c0
                if 0 <= i < lev.shape[0] and 0 <= j < lev.shape[1] and not np.isnan(lev[i, j]):
                    vals.append((float(lev[i, j]), k))
                    if lev[i, j] >= thr[k]:
                        count[r, c] += 1
            if vals:
                order = sorted(vals, key=lambda t: (-t[0], t[1]))
                best[r, c], server[r, c] = order[0]
                if len(order) > 1:
                    second[r, c] = order[1][1]
    return best, server, count, second


def test_hand_made_grid_best_server_count():
    a = np.array([[-60, -70], [-80, nan]], np.float32)  # tower 0 at rows 0-1, cols 0-1
    b = np.array([[-65, -65], [-90, -75]], np.float32)  # tower 1 at rows 0-1, cols 1-2
    best, server, count = composite((3, 3), [(a, 0, 0), (b, 0, 1)], [-85.0, -85.0])
    np.testing.assert_array_equal(
        best, np.array([[-60, -65, -65], [-80, -90, -75], [nan, nan, nan]], np.float32)
    )
    np.testing.assert_array_equal(server, [[0, 1, 1], [0, 1, 1], [-1, -1, -1]])
    # cell (1,1): tower 0 is NaN, tower 1 = -90 < -85 -> no server, but best level still -90
    np.testing.assert_array_equal(count, [[1, 2, 1], [1, 0, 1], [0, 0, 0]])
    assert best.dtype == np.float32 and server.dtype == np.int32 and count.dtype == np.uint16


def test_threshold_is_inclusive_and_per_window():
    a = np.full((1, 1), -95.0, np.float32)
    b = np.full((1, 1), -95.0, np.float32)
    _, server, count = composite((1, 1), [(a, 0, 0), (b, 0, 0)], [-95.0, -94.9])
    assert count[0, 0] == 1  # exactly at the threshold counts; a stricter threshold does not
    assert server[0, 0] == 0  # tie -> lowest index


def test_edge_clipping_on_all_sides_matches_oracle():
    rng = np.random.default_rng(3)
    shape = (7, 9)
    windows = []
    for r0, c0, h, w in [
        (-2, -3, 5, 6),
        (4, 6, 6, 6),
        (-1, 5, 10, 8),
        (2, -4, 3, 20),
        (8, 0, 2, 2),
        (0, 0, 7, 9),
    ]:
        lev = rng.uniform(-110, -50, (h, w)).astype(np.float32)
        lev[rng.random((h, w)) < 0.2] = nan
        windows.append((lev, r0, c0))
    thr = np.array([-90, -80, -100, -70, -90, -95.0])
    best, server, count = composite(shape, windows, thr)
    ob, os_, oc, _ = oracle(shape, windows, thr)
    np.testing.assert_array_equal(best, ob)
    np.testing.assert_array_equal(server, os_)
    np.testing.assert_array_equal(count, oc)


def test_window_objects_and_float64_levels_accepted():
    w = Win(np.array([[-70.0]]), 1, 1)
    best, server, count = composite((2, 2), [w], -80.0)
    assert best[1, 1] == np.float32(-70) and server[1, 1] == 0 and count[1, 1] == 1
    assert np.isnan(best[0, 0]) and server[0, 0] == -1


def test_inputs_not_modified():
    lev = np.array([[-60.0, nan]], np.float32)
    copy = lev.copy()
    composite((2, 2), [(lev, 0, 0)], [-80.0])
    np.testing.assert_array_equal(lev, copy)


def test_failure_scenario_exclude():
    # station A (0,0) served by towers 0 and 1; station B (0,2) only by tower 1.
    t0 = np.array([[-70, -75, nan]], np.float32)
    t1 = np.array([[-72, -90, -71]], np.float32)
    t2 = np.array([[nan, -80, -99]], np.float32)
    windows = [(t0, 0, 0), (t1, 0, 0), (t2, 0, 0)]
    thr = [-85.0, -85.0, -85.0]
    base = servers_at_points(windows, [0, 0], [0, 2], thr)
    np.testing.assert_array_equal(base.n_servers, [2, 1])
    np.testing.assert_array_equal(base.spof, [False, True])
    np.testing.assert_array_equal(base.best_index, [0, 1])
    np.testing.assert_array_equal(base.second_index, [1, 2])
    down = servers_at_points(windows, [0, 0], [0, 2], thr, exclude=[1])
    np.testing.assert_array_equal(down.n_servers, [1, 0])  # B newly uncovered, A keeps tower 0
    assert down.best_index[0] == 0 and down.best_level[1] == np.float32(-99)
    best, server, count = composite_subset((1, 3), windows, thr, exclude={1})
    np.testing.assert_array_equal(server, [[0, 0, 2]])
    np.testing.assert_array_equal(count, [[1, 2, 0]])  # cell 1: towers 0 (-75) and 2 (-80)
    # include mask form
    _, server2, _ = composite_subset((1, 3), windows, thr, np.array([False, True, True]))
    np.testing.assert_array_equal(server2, [[1, 2, 1]])


def test_servers_at_points_matches_composite_and_oracle():
    rng = np.random.default_rng(11)
    shape = (12, 15)
    windows = []
    for _ in range(25):
        h, w = rng.integers(1, 9, 2)
        r0, c0 = rng.integers(-4, 12), rng.integers(-4, 15)
        lev = np.round(rng.uniform(-110, -50, (h, w))).astype(np.float32)  # rounded -> many ties
        lev[rng.random((h, w)) < 0.15] = nan
        windows.append((lev, int(r0), int(c0)))
    thr = rng.uniform(-100, -80, 25)
    rr, cc = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    pts = servers_at_points(windows, rr.ravel(), cc.ravel(), thr)
    best, server, count = composite(shape, windows, thr)
    ob, os_, oc, osec = oracle(shape, windows, thr)
    np.testing.assert_array_equal(best, ob)
    np.testing.assert_array_equal(server, os_)
    np.testing.assert_array_equal(count, oc)
    np.testing.assert_array_equal(pts.best_index, server.ravel())
    np.testing.assert_array_equal(pts.best_level, best.ravel())
    np.testing.assert_array_equal(pts.n_servers, count.ravel())
    np.testing.assert_array_equal(pts.second_index, osec.ravel())


def test_groups_use_global_indices():
    t = [np.full((1, 2), v, np.float32) for v in (-60, -70, -65)]
    groups = composite_groups((1, 2), [(x, 0, 0) for x in t], [-80] * 3, ["Viettel", "VNPT", "VNPT"])
    assert set(groups) == {"Viettel", "VNPT"}
    assert groups["VNPT"][1][0, 0] == 2 and groups["Viettel"][1][0, 0] == 0
    assert groups["VNPT"][2][0, 0] == 2


def test_errors_name_the_quantity():
    lev = np.zeros((2, 2), np.float32)
    with pytest.raises(AnalysisError, match="thresholds_dbm has 1 values for 2 windows"):
        composite((3, 3), [(lev, 0, 0), (lev, 0, 0)], [-80.0])
    with pytest.raises(AnalysisError, match=r"windows\[0\].*3-D"):
        composite((3, 3), [(np.zeros((1, 2, 2)), 0, 0)], [-80.0])
    with pytest.raises(AnalysisError, match="shape"):
        composite((0, 3), [], [])
    with pytest.raises(AnalysisError, match="exclude indices"):
        composite((3, 3), [(lev, 0, 0)], [-80.0], exclude=[4])
    with pytest.raises(AnalysisError, match=r"thresholds_dbm\[0\]"):
        composite((3, 3), [(lev, 0, 0)], [nan])
    with pytest.raises(AnalysisError, match="labels has 1 entries"):
        composite_groups((3, 3), [(lev, 0, 0), (lev, 0, 0)], [-80, -80], ["a"])


def test_classes_by_each_windows_own_thresholds_match_an_oracle():
    """classes_out = max over windows of the window's own class (gaps.classify with its thresholds), in the
    same pass; best/server/count unchanged by asking for it."""
    from analysis.gaps import classify

    rng = np.random.default_rng(5)
    shape = (13, 11)
    windows, weak, good = [], [], []
    for _ in range(30):
        h, w = rng.integers(1, 9, 2)
        lev = np.round(rng.uniform(-115, -60, (h, w))).astype(np.float32)
        lev[rng.random((h, w)) < 0.2] = nan
        windows.append((lev, int(rng.integers(-3, 12)), int(rng.integers(-3, 10))))
        wk = float(rng.choice([-100.0, -95.0, -90.0]))  # per-technology thresholds, on whole dB (ties)
        weak.append(wk)
        good.append(wk + float(rng.choice([5.0, 10.0, 15.0])))
    cls = np.full(shape, 7, np.int8)  # overwritten
    best, server, count = composite(shape, windows, weak, good_dbm=good, classes_out=cls)
    ref = np.zeros(shape, np.int8)
    for k, (lev, r0, c0) in enumerate(windows):
        full = np.full((shape[0] + 20, shape[1] + 20), nan, np.float32)
        full[r0 + 10:r0 + 10 + lev.shape[0], c0 + 10:c0 + 10 + lev.shape[1]] = lev
        ref = np.maximum(ref, classify(full[10:10 + shape[0], 10:10 + shape[1]], good[k], weak[k]))
    np.testing.assert_array_equal(cls, ref)
    b2, s2, c2 = composite(shape, windows, weak)
    np.testing.assert_array_equal(best, b2)
    np.testing.assert_array_equal(server, s2)
    np.testing.assert_array_equal(count, c2)
    # a 2G window at -95 (weak >= -100) serves where a stronger 4G one at -91 (weak >= -90) does not
    four_g = (np.full((1, 1), -91.0, np.float32), 0, 0)
    two_g = (np.full((1, 1), -95.0, np.float32), 0, 0)
    one = np.zeros((1, 1), np.int8)
    b, s, c = composite((1, 1), [four_g, two_g], [-90.0, -100.0], good_dbm=[-80.0, -85.0], classes_out=one)
    assert (b[0, 0], s[0, 0], c[0, 0], one[0, 0]) == (np.float32(-91.0), 0, 1, 1)
    assert classify(b, -80.0, -90.0)[0, 0] == 0  # the best level alone, by its own tower's thresholds: none
    with pytest.raises(AnalysisError, match="together"):
        composite((1, 1), [four_g], [-90.0], good_dbm=[-80.0])
    with pytest.raises(AnalysisError, match="below the weak threshold"):
        composite((1, 1), [four_g], [-90.0], good_dbm=[-95.0], classes_out=one)
    with pytest.raises(AnalysisError, match="int8"):
        composite((1, 1), [four_g], [-90.0], good_dbm=[-80.0], classes_out=np.zeros((1, 1), np.int16))


def _random_windows(seed, n=40, shape=(17, 13)):
    rng = np.random.default_rng(seed)
    windows, weak, good = [], [], []
    for _ in range(n):
        h, w = rng.integers(1, 10, 2)
        lev = np.round(rng.uniform(-115, -60, (h, w)), 2).astype(np.float32)
        lev[rng.random((h, w)) < 0.2] = nan
        windows.append((lev, int(rng.integers(-4, shape[0])), int(rng.integers(-4, shape[1]))))
        wk = float(rng.choice([-100.0, -95.0, -90.0]))
        weak.append(wk)
        good.append(wk + 10.0)
    return windows, weak, good


def _drain(gen):
    steps = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value


def test_composite_steps_yield_between_chunks_and_equal_composite_bit_for_bit():
    """The generator variant (cancel points for the desktop app) applies the same windows in the same order: the
    arrays are identical to composite's, whatever the chunk size; it yields (windows done, windows used) between
    chunks, never after the last window."""
    from analysis.coverage import composite_steps

    shape = (17, 13)
    windows, weak, good = _random_windows(11, shape=shape)
    use = np.arange(len(windows)) % 3 != 1  # a group: 27 of the 40 windows
    ref_cls = np.zeros(shape, np.int8)
    ref = composite(shape, windows, weak, include=use, good_dbm=good, classes_out=ref_cls)
    for cells in (1, 50, 200, 10**9):
        cls = np.full(shape, 5, np.int8)
        steps, got = _drain(composite_steps(shape, windows, weak, include=use, good_dbm=good, classes_out=cls,
                                            cells_per_step=cells))
        for a, b in zip(got, ref, strict=True):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()  # bit-identical, NaN included
        assert cls.tobytes() == ref_cls.tobytes()
        done = [d for d, _ in steps]
        assert all(n == int(use.sum()) == 27 for _, n in steps)
        assert done == sorted(done) and all(0 < d < 27 for d in done)
        if cells == 1:  # every window is a chunk: a yield between any two
            assert done == list(range(1, 27))
        if cells == 10**9:
            assert steps == []
    # cells_per_step=None: one chunk, no yield
    steps, _ = _drain(composite_steps(shape, windows, weak, cells_per_step=None))
    assert steps == []
    with pytest.raises(AnalysisError, match="cells_per_step"):
        next(composite_steps(shape, windows, weak, cells_per_step=0))


def test_composite_steps_check_every_window_before_the_first_yield(composite_updates):
    """A bad window is reported before any work (a caller showing progress never gets half a composite and then
    an error), and closing the generator between chunks stops it: no more windows are applied."""
    from analysis.coverage import composite_steps

    lev = np.full((2, 2), -70.0, np.float32)
    bad = [(lev, 0, 0)] * 5 + [(lev.astype(np.int16), 0, 0)]
    gen = composite_steps((3, 3), bad, [-90.0] * 6, cells_per_step=1)
    with pytest.raises(AnalysisError, match=r"windows\[5\] level array has dtype int16"):
        next(gen)
    applied = composite_updates
    gen = composite_steps((3, 3), [(lev, 0, 0)] * 5, [-90.0] * 5, cells_per_step=1)
    assert next(gen) == (1, 5) and next(gen) == (2, 5)
    gen.close()
    assert applied == [0, 1]
