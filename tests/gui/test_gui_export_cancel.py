"""The desktop app's exports and "Preparing the map" have cancel points (QA: the PDF export, 7–8.5 s on the sample,
the HTML map, ~2.5 s, and "Preparing the map" after a run, 1.3–1.6 s, were one step each: Cancel waited for the
end). The export tasks now yield the steps of ``webmap.iter_write_map`` / ``report.iter_build_report``, the run and
check tasks those of ``maplayers.iter_display_images``; a cancelled export writes no file and no temporary file."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import threading

import pytest

from coverage_planner import report, webmap
from gui import mainwindow, maplayers


@pytest.fixture
def fixed_ids(monkeypatch):
    """folium's element ids come from os.urandom: a counter instead, restarted by calling the fixture's value, so
    two writes of the same map give the same bytes."""
    import branca.element

    state = {}

    def restart():
        state["n"] = itertools.count()

    def fake_urandom(n):
        return next(state["n"]).to_bytes(n, "big")

    restart()
    monkeypatch.setattr(branca.element, "urandom", fake_urandom)
    return restart


def _cancelling(monkeypatch, module, name, runner, at: int, seen: list):
    """Wrap ``module.name`` (a generator function) so that the worker is asked to cancel when the generator yields
    its item number ``at`` (from the worker thread itself, so the moment is exact: TaskRunner.cancel is
    thread-safe); ``seen`` gets the messages yielded and "closed" when the generator is closed."""
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        gen = real(*args, **kwargs)
        try:
            for i, item in enumerate(gen):
                seen.append(item.message)
                if i == at:
                    runner.cancel()
                yield item
        except GeneratorExit:
            seen.append("closed")
            raise
        return gen  # never reached when cancelled

    monkeypatch.setattr(module, name, wrapped)


def _files(folder):
    return sorted(p.name for p in folder.rglob("*"))


@pytest.mark.parametrize(("kind", "module", "name", "at"), [
    ("html", webmap, "iter_write_map", 0), ("html", webmap, "iter_write_map", len(webmap.MAP_STEPS)),
    ("pdf", report, "iter_build_report", 0), ("pdf", report, "iter_build_report", 2),
])
def test_cancelled_export_writes_nothing_and_the_thread_ends(shown, qtbot, tmp_path, monkeypatch, kind, module,
                                                             name, at):
    """Cancel at the export's first cancel point (before anything is drawn), at a page of the report's layout and
    at the map's last one (before the write): no file, no temporary file, no manifest, the thread ended."""
    out = tmp_path / "out"
    out.mkdir()
    seen = []
    _cancelling(monkeypatch, module, name, shown.runner, at, seen)
    threads = set(threading.enumerate())
    export = shown.export_html if kind == "html" else shown.export_pdf
    with qtbot.waitSignal(shown.runner.cancelled, timeout=60000) as blocker:
        assert export(str(out / f"x.{kind}"))
    assert blocker.args == [f"export_{kind}"]
    qtbot.waitUntil(lambda: not shown.runner.is_running(), timeout=10000)
    assert len(seen) == at + 2 and seen[-1] == "closed"  # stopped there: no further step was asked for
    if kind == "html" and at:
        assert seen[-2] == webmap.WRITE_STEP
    assert _files(out) == []  # no file, no .x.*.tmp.* file, no manifest
    assert shown.last_exports == {}
    assert shown.stage_label.text() == "Cancelled"
    qtbot.waitUntil(lambda: not [t for t in set(threading.enumerate()) - threads
                                 if type(t).__name__ != "_DummyThread"], timeout=5000)


def _export_done(window, qtbot, export, path):
    items = []
    window.runner.progress_interval = 0.0  # every item reaches the window (the throttle lets all through)
    window.runner.progress.connect(lambda *args: items.append(args))
    with qtbot.waitSignal(window.runner.idle, timeout=120000):
        assert export(str(path))
    assert window.last_error is None
    return items


def test_html_export_is_the_command_lines_map_and_its_steps_come_in_order(shown, tiny, qtbot, tmp_path, fixed_ids):
    fixed_ids()
    items = _export_done(shown, qtbot, shown.export_html, tmp_path / "gui" / "map.html")
    assert [m for _s, _f, m, _e in items] == [*webmap.MAP_STEPS, webmap.WRITE_STEP]
    assert {s for s, _f, _m, _e in items} == {"export_html"}
    fractions = [f for _s, f, _m, _e in items]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] < 1.0
    fixed_ids()
    webmap.write_map(tiny, tmp_path / "cli" / "map.html", lang="en")
    assert (tmp_path / "gui" / "map.html").read_bytes() == (tmp_path / "cli" / "map.html").read_bytes()
    assert shown.last_exports == {"html": tmp_path / "gui" / "map.html"}


def test_pdf_export_is_the_command_lines_report_and_its_steps_come_in_order(shown, tiny, qtbot, tmp_path):
    items = _export_done(shown, qtbot, shown.export_pdf, tmp_path / "gui" / "report.pdf")
    messages = [m for _s, _f, m, _e in items]
    assert messages[:2] == [report.REPORT_MAP_STEP, report.REPORT_LAYOUT_STEP.format(n=1)]
    assert messages[-1] == report.WRITE_STEP
    pages = [m for m in messages if m.startswith("Report: laying out page")]
    assert pages[:2] == [report.REPORT_PAGE_STEP.format(p=1, n=1), report.REPORT_PAGE_STEP.format(p=2, n=1)]
    assert report.REPORT_LAYOUT_STEP.format(n=2) in messages  # the page numbers are printed in a second pass
    fractions = [f for _s, f, _m, _e in items]
    assert fractions == sorted(fractions) and fractions[-1] < 1.0
    report.build_report(tiny, tmp_path / "cli" / "report.pdf", lang="en")
    gui, cli = (tmp_path / "gui" / "report.pdf").read_bytes(), (tmp_path / "cli" / "report.pdf").read_bytes()
    assert gui == cli
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "gui" / "report.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "Page 1 of" in text


def test_export_steps_in_vietnamese_on_the_status_bar(make_window, tiny, qtbot, tmp_path):
    win = make_window("vi")
    with qtbot.waitSignal(win.resultsShown, timeout=10000):
        win.show_results(tiny)
    texts = []
    win.runner.progress_interval = 0.0
    win.runner.progress.connect(lambda *a: texts.append(win.stage_label.text()))
    with qtbot.waitSignal(win.runner.idle, timeout=120000):
        assert win.export_html(str(tmp_path / "map.html"))
    assert texts[0] == "Đang xuất bản đồ HTML: Bản đồ: ảnh địa hình và vùng phủ"
    assert texts[-1] == "Đang xuất bản đồ HTML: Đang ghi tệp"


def test_display_images_yield_per_layer_and_give_the_same_images(tiny):
    terrain = maplayers.render.hillshade_rgba(tiny.dem, tiny.grid.cellsize)
    gen = maplayers.iter_display_images(tiny, stage="display", fraction=1.0)
    items = []
    while True:
        try:
            items.append(next(gen))
        except StopIteration as stop:
            images = stop.value
            break
    n = len(items)
    assert [i.message for i in items] == [f"{maplayers.LAYER_TITLES[lid]} (layer {k}/{n})" for k, lid in enumerate(
        ["terrain", *[p for p in maplayers.PATH_LAYERS if getattr(tiny, p) is not None], "coverage",
         "proposal_coverage"], 1)]
    assert {i.stage for i in items} == {"display"}
    assert (images["terrain"] == terrain).all()
    assert (images["coverage"] == maplayers.coverage_rgba(tiny, tiny.best_level)).all()
    assert (images["proposal_coverage"] == maplayers.added_rgba(tiny)).all()
    assert list(images["paths"]) == [p for p in maplayers.PATH_LAYERS if getattr(tiny, p) is not None]
    # with the terrain given (a run after the check), it is not computed again
    given = list(maplayers.iter_display_images(tiny, terrain))
    assert len(given) == n - 1 and "Terrain" not in given[0].message


def test_cancel_while_preparing_the_map_after_a_check(window, project_copy, qtbot, monkeypatch):
    """'Preparing the map' of the check task: Cancel at its first layer stops there; the inputs are not set."""
    assert window.open_project(project_copy, check=False)
    seen = []
    _cancelling(monkeypatch, mainwindow, "iter_display_images", window.runner, 0, seen)
    with qtbot.waitSignal(window.runner.cancelled, timeout=60000):
        assert window.check_inputs()
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    assert len(seen) == 2 and seen[0].startswith("Terrain (hillshade) (layer 1/") and seen[1] == "closed"
    assert window.session.inputs is None
    assert window.stage_label.text() == "Cancelled"
