"""Cancel points of the run: every long step of ``pipeline.iter_run`` yields, so Cancel acts within about a second.

QA measured 13.6 s and 24 s between Cancel and "Đã hủy" on the sample: the composites (overall, per operator, per
technology) and the gap polygons ran without a yield. The timings themselves are measured by
benchmarks/cancel_latency.py; these tests check the cancel points exist and that stopping at one leaves nothing
behind.
"""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

from coverage_planner.errors import CancelledError

from .tiny_project import write_project


@pytest.fixture()
def tiny(tmp_path):
    from coverage_planner.project import load_project

    return load_project(write_project(tmp_path / "proj"))


@pytest.fixture()
def fine_steps(monkeypatch):
    """A cancel point after every window of a composite and every commune of the gap outlines (the sample's
    chunks are millions of cells; the tiny project's windows are a few thousand)."""
    from analysis import coverage
    from coverage_planner import pipeline

    monkeypatch.setattr(coverage, "CELLS_PER_STEP", 1, raising=False)
    monkeypatch.setattr(pipeline, "GAP_COMMUNES_PER_STEP", 1, raising=False)


def _iterate(gen):
    items = []
    while True:
        try:
            items.append(next(gen))
        except StopIteration as stop:
            return items, stop.value


def _files(folder):
    """Every file under ``folder`` but the level cache's, with its size and modification time."""
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file() and "cache" not in p.relative_to(folder).parts}


def test_composites_and_gap_outlines_yield_and_results_stay_identical(tiny, tmp_path, monkeypatch):
    from coverage_planner import pipeline

    ctx = pipeline.prepare(tiny, cache_dir=tmp_path / "cache")
    ref_items, ref = _iterate(pipeline.iter_run(tiny, context=ctx))
    from analysis import coverage

    monkeypatch.setattr(coverage, "CELLS_PER_STEP", 1, raising=False)
    monkeypatch.setattr(pipeline, "GAP_COMMUNES_PER_STEP", 1, raising=False)
    items, res = _iterate(pipeline.iter_run(tiny, context=ctx))
    msgs = [p.message for p in items]

    # the composites: a cancel point between two towers of one composite and between two composites. Two towers
    # are on air in the tiny project: VTL-001 (Viettel, 4G) and VNP-001 (VNPT, 2G)
    start = msgs.index("Composite coverage: 1/2 towers")
    assert msgs[start:start + 7] == [
        "Composite coverage: 1/2 towers", "Composite coverage: 2/2 towers",
        "Composite coverage, operator VNPT: 1/1 towers", "Composite coverage, operator Viettel: 1/1 towers",
        "Composite coverage, technology 2G: 1/1 towers", "Composite coverage, technology 4G: 1/1 towers",
        "Composite coverage done",
    ]
    assert msgs[start - 1] == "Tower VNP-001 (2/2)"  # the towers' loop ends just before
    # with the sample's chunks, the tiny composites yield only at their end
    ref_msgs = [p.message for p in ref_items]
    assert "Composite coverage: 1/2 towers" not in ref_msgs and "Composite coverage: 2/2 towers" in ref_msgs

    # the gap outlines: a cancel point after the labelling and after every commune with a gap
    gaps = [p.message for p in items if p.stage == "gaps"]
    n = int(re.fullmatch(r"Outlining gap areas: 0/(\d+) communes", gaps[0]).group(1))
    assert n >= 1
    assert gaps[:n + 1] == [f"Outlining gap areas: {i}/{n} communes" for i in range(n + 1)]
    assert re.fullmatch(r"\d+ stations with weak or no signal", gaps[-1]) and len(gaps) == n + 2

    # the candidate sites: a cancel point between finding them and the placement's first path-loss window
    i = next(k for k, m in enumerate(msgs) if m.endswith("finding candidate sites"))
    assert re.fullmatch(r"[1-9]\d* candidate sites", msgs[i + 1])

    # progress only moves forward, over every stage, to the end
    fr = [p.fraction for p in items]
    assert fr == sorted(fr) and fr[-1] == pytest.approx(1.0)
    assert all(p.fraction <= 0.10 + 0.55 * 0.85 + 1e-9 for p in items if p.message.startswith("Tower "))

    # the cancel points change nothing: bit-identical arrays, the same gap polygons and stations
    for name in ("best_level", "best_server", "n_servers"):
        a, b = getattr(res, name), getattr(ref, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    assert res.group_levels.keys() == ref.group_levels.keys() == {
        "operator:VNPT", "operator:Viettel", "technology:2G", "technology:4G"}
    for key, level in res.group_levels.items():
        assert level.tobytes() == ref.group_levels[key].tobytes(), key
    assert len(res.gaps) == len(ref.gaps) > 0
    assert list(res.gaps.geometry.to_wkb()) == list(ref.gaps.geometry.to_wkb())
    assert res.gaps.drop(columns="geometry").equals(ref.gaps.drop(columns="geometry"))
    assert res.stations.drop(columns="geometry").equals(ref.stations.drop(columns="geometry"))
    assert np.array_equal(res.communes["area_none_pct"], ref.communes["area_none_pct"])


def test_cancel_inside_a_composite_stops_there_writes_nothing_and_leaves_no_thread(tiny, tmp_path, fine_steps,
                                                                                    composite_updates):
    """Cancel (the run's event, as the command line's run() and the desktop worker check it) during the first
    composite: the run stops at the next window, the next composites are not computed, no file is written and
    no thread of the run is left."""
    from coverage_planner import pipeline

    ctx = pipeline.prepare(tiny, cache_dir=tmp_path / "cache")
    applied = composite_updates
    threads = set(threading.enumerate())
    files = _files(tmp_path)
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.message.startswith("Composite coverage"):
            cancel.set()

    with pytest.raises(CancelledError):
        pipeline.run(tiny, progress=progress, cancel=cancel, context=ctx)
    assert seen[-1].message == "Composite coverage: 1/2 towers"
    assert applied == [0]  # one window of the first composite, then nothing: no group composite either
    assert _files(tmp_path) == files  # no output (the towers' levels went to the cache before: that is its job)
    assert not (tmp_path / "proj" / "output").exists()
    assert set(threading.enumerate()) <= threads
    # the context is still good for the next run, which completes (the spy passes every window on)
    res = pipeline.run(tiny, context=ctx, placement=False)
    assert np.isfinite(res.best_level).any()


@pytest.mark.parametrize("where", ["Composite coverage, operator VNPT: 1/1 towers", "Outlining gap areas: 1/"])
def test_closing_the_generator_at_a_composite_or_gap_cancel_point(tiny, tmp_path, fine_steps, where):
    """The desktop worker's way: stop iterating and close() the generator; it ends there (no frame left)."""
    from coverage_planner import pipeline

    ctx = pipeline.prepare(tiny, cache_dir=tmp_path / "cache")
    threads = set(threading.enumerate())
    files = _files(tmp_path)
    gen = pipeline.iter_run(tiny, context=ctx)
    for p in gen:
        if p.message.startswith(where):
            break
    else:
        pytest.fail(f"no progress item {where!r}")
    gen.close()
    assert gen.gi_frame is None
    with pytest.raises(StopIteration):
        next(gen)
    assert _files(tmp_path) == files
    assert set(threading.enumerate()) <= threads

