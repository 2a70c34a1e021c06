"""k = -1 in the desktop app: "as few sites as needed" (the command line's --k -1, k = -1 in the project file).

The placement spin box ran from 1 to 1000, so the desktop user could not ask for the minimum plan, and a project
file with k = -1 did not open at all (the core refused -1 as out of range). A check box now asks for it: it
disables the spin box, sets k = -1 in the project (saved in the file) and the run passes it to the pipeline."""

from __future__ import annotations

import pytest

from coverage_planner.project import load_project


@pytest.fixture
def km1_project(tmp_path):
    from tests.coverage_planner.tiny_project import write_project

    folder = tmp_path / "km1"
    folder.mkdir()
    write_project(folder, k=-1)
    return folder / "project.toml"


def _open(w, path, qtbot):
    with qtbot.waitSignal(w.runner.idle, timeout=60000):
        assert w.open_project(path)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_project_with_k_minus_one_opens_with_the_box_ticked(make_window, km1_project, qtbot, lang):
    assert load_project(km1_project).placement.k == -1  # the core reads it (it refused -1 before)
    w = make_window(lang, size=(1280, 720))
    _open(w, km1_project, qtbot)
    assert w.last_error is None  # opened, and its inputs checked, without an error
    dock = w.placement_dock
    w.docks["placement"].raise_()
    qtbot.wait(50)
    assert dock.fewest.isChecked() and dock.fewest.isEnabled() and dock.fewest.isVisible()
    assert not dock.k.isEnabled()  # no number of sites to choose: the run finds it
    assert dock.k.value() >= 1  # the spin box shows a number of sites, never -1 or 0
    assert w.session.project.placement.k == -1 and not w.session.dirty  # showing it changed nothing
    assert dock.fewest.text() == ("Ít trạm nhất có thể" if lang == "vi" else "As few sites as needed")
    assert "k = -1" in dock.fewest.toolTip()
    # the whole label is shown, inside the panel
    assert dock.fewest.width() >= dock.fewest.sizeHint().width()
    assert dock.fewest.mapTo(dock, dock.fewest.rect().topRight()).x() <= dock.width()
    # un-ticking gives the spin box's number back to the project
    dock.fewest.setChecked(False)
    assert dock.k.isEnabled() and w.session.project.placement.k == dock.k.value() >= 1
    assert w.session.dirty


def test_the_box_makes_the_run_ask_for_k_minus_one_and_is_saved(window, project_copy, qtbot, monkeypatch, tiny):
    from gui import mainwindow

    seen = []

    def recording_iter_run(project, scenario=None, **kwargs):  # what the run hands to the pipeline
        seen.append(int(project.placement.k))
        return tiny
        yield  # a generator, as the pipeline's

    _open(window, project_copy, qtbot)
    dock = window.placement_dock
    assert window.session.project.placement.k == 2 and dock.k.value() == 2 and not dock.fewest.isChecked()
    dock.fewest.setChecked(True)
    assert not dock.k.isEnabled() and window.session.project.placement.k == -1 and window.session.dirty
    monkeypatch.setattr(mainwindow.cp_pipeline, "iter_run", recording_iter_run)
    with qtbot.waitSignal(window.runner.idle, timeout=60000):
        assert window.run_analysis()
    assert seen == [-1]
    # saved as k = -1; the project opens again with the box ticked
    assert window.save_project()
    assert load_project(project_copy).placement.k == -1
    assert "k = -1" in project_copy.read_text(encoding="utf-8")
    _open(window, project_copy, qtbot)
    assert dock.fewest.isChecked() and not dock.k.isEnabled()
    # un-ticked: the number in the spin box again
    dock.fewest.setChecked(False)
    dock.k.setValue(3)
    with qtbot.waitSignal(window.runner.idle, timeout=60000):
        assert window.run_analysis()
    assert seen == [-1, 3]
