"""The PDF report as steps (``report.iter_build_report``): its own reportlab build loop (a cancel point at each
page, ``report.iter_doc_build``) gives the bytes of reportlab's ``doc.build``, the overview PNG is drawn once per
box, and closing the generator at any step writes nothing."""

from __future__ import annotations

import pytest

from coverage_planner import report

from .tiny_results import tiny_results


@pytest.fixture(scope="module")
def tiny():
    return tiny_results()


def _old_doc_build(doc, flowables, on_page):
    """The old path: reportlab's own build, no cancel point."""
    doc.build(flowables, onFirstPage=on_page, onLaterPages=on_page)
    return
    yield  # a generator, as iter_doc_build


def test_the_step_loop_gives_the_bytes_of_reportlabs_build(tiny, tmp_path, monkeypatch):
    new = report.build_report(tiny, tmp_path / "new.pdf", lang="vi")
    monkeypatch.setattr(report, "iter_doc_build", _old_doc_build)
    old = report.build_report(tiny, tmp_path / "old.pdf", lang="vi")
    assert new.read_bytes() == old.read_bytes()


def test_the_overview_png_is_drawn_once_per_box(tiny, monkeypatch):
    m = report.overview_map(tiny, "en", dpi=60)
    calls = []
    real = m.fig.savefig
    monkeypatch.setattr(m.fig, "savefig", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = m.png(5.0, 6.0)
    other = m.png(4.0, 3.0)
    assert m.png(5.0, 6.0) == first and len(calls) == 2
    assert other != first


def _steps(tiny, path):
    return [p.message for p in report.iter_build_report(tiny, path, lang="en")]


@pytest.mark.parametrize("where", ["first", "page", "write"])
def test_closing_the_report_at_a_step_writes_nothing(tiny, tmp_path, where):
    messages = _steps(tiny, tmp_path / "all" / "r.pdf")
    at = {"first": 0, "page": messages.index(report.REPORT_PAGE_STEP.format(p=2, n=2)),
          "write": len(messages) - 1}[where]
    assert messages[-1] == report.WRITE_STEP
    out = tmp_path / "out"
    out.mkdir()
    gen = report.iter_build_report(tiny, out / "r.pdf", lang="en")
    for _ in range(at + 1):
        next(gen)
    gen.close()
    assert list(out.iterdir()) == []
