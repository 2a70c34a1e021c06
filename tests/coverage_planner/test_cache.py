"""The per-tower level cache: exact round trip at 0.01 dB, disk persistence, corrupt entries, prefetch, LRU bound."""

import numpy as np

from coverage_planner.cache import LevelCache, decode_level, encode_level, make_key


def _level(seed=0, shape=(40, 50)):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-160, -30, shape).astype(np.float32)
    a[rng.random(shape) < 0.1] = np.nan
    return a


def test_encoding_keeps_hundredths_and_nan():
    a = _level()
    b = decode_level(encode_level(a))
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.nanmax(np.abs(a - b)) <= 0.005 + 1e-4


def test_keys_change_with_any_parameter():
    base = make_key("t1", site={"row": 1, "h": 30.0}, model="deygout")
    assert base == make_key("t1", model="deygout", site={"h": 30.0, "row": 1})
    assert base != make_key("t2", site={"row": 1, "h": 30.0}, model="deygout")
    assert base != make_key("t1", site={"row": 1, "h": 31.0}, model="deygout")
    assert base != make_key("t1", site={"row": 1, "h": 30.0}, model="knife_edge")


def test_disk_round_trip_prefetch_and_corrupt_entries(tmp_path):
    c = LevelCache(tmp_path)
    levels = {f"k{i:02d}": _level(i) for i in range(6)}
    for i, (k, a) in enumerate(levels.items()):
        c.put(k, a, i, -i)
    c2 = LevelCache(tmp_path)  # a new process: nothing in memory
    c2.prefetch(list(levels))
    for i, (k, a) in enumerate(levels.items()):
        got, r0, c0 = c2.get(k)
        assert (r0, c0) == (i, -i)
        assert np.allclose(got, a, atol=0.006, equal_nan=True)
    assert c2.misses == 0 and c2.hits == 6
    # a corrupt file is a miss (recomputed by the caller), never an exception
    f = c._file("k00")
    f.write_bytes(b"not a numpy file")
    c3 = LevelCache(tmp_path)
    assert c3.get("k00") is None and c3.misses == 1
    assert c3.get("missing") is None
    # truncated and over-long entries too, also when prefetched together with good ones
    f1 = c._file("k01")
    f1.write_bytes(f1.read_bytes()[:-2])
    f2 = c._file("k02")
    f2.write_bytes(f2.read_bytes() + b"\0\0")
    c4 = LevelCache(tmp_path)
    c4.prefetch(list(levels) + ["missing"])
    assert [c4.get(k) is None for k in levels] == [True, True, True, False, False, False]
    got, r0, c0 = c4.get("k05")
    assert (r0, c0) == (5, -5) and np.allclose(got, levels["k05"], atol=0.006, equal_nan=True)
    assert not list(tmp_path.rglob("*.tmp")), "no temp files left behind"


def test_memory_bound_drops_least_recently_used():
    a = _level()
    c = LevelCache(None, max_memory_bytes=int(a.nbytes * 2.5))
    for k in ("a", "b", "c"):
        c.put(k, a, 0, 0)
    assert c.get("a") is None  # evicted first
    assert c.get("c") is not None


def test_entries_of_the_old_format_are_removed_and_nothing_else(tmp_path):
    key = "ab" + "0" * 62
    old = tmp_path / "ab" / f"{key}.npz"
    old.parent.mkdir()
    old.write_bytes(b"old entry")
    keep = [tmp_path / "ab" / "notes.npz", tmp_path / "cd" / f"{key}.npz", tmp_path / f"{key}.npz"]
    keep[1].parent.mkdir()
    for f in keep:
        f.write_bytes(b"user file")
    c = LevelCache(tmp_path)
    assert not old.exists()
    assert all(f.exists() for f in keep)  # wrong name, wrong folder, not in a folder: not ours
    old.write_bytes(b"old entry")  # once per folder: a marker records the clean-up
    LevelCache(tmp_path)
    assert old.exists()
    c.put(key, _level(), 1, 2)
    assert LevelCache(tmp_path).get(key)[1:] == (1, 2)
