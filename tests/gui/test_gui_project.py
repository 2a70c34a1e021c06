"""Projects in the window: open, check inputs, parameters validated as typed, save, recent, broken inputs."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox

from coverage_planner.project import load_project


def _open_and_check(window, path, qtbot):
    with qtbot.waitSignal(window.runner.finished, timeout=30000) as blocker:
        assert window.open_project(path)
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    return blocker.args


def test_open_project_checks_inputs_and_draws_them(window, project_copy, qtbot):
    name, (inputs, images) = _open_and_check(window, project_copy, qtbot)
    assert name == "check"
    assert window.session.inputs is inputs
    assert images["terrain"].shape == inputs.terrain.dem.shape + (4,)  # hillshade made by the worker
    msgs = window.inputs_dock.messages
    assert msgs.count() >= 1 and f"{len(inputs.towers)} towers" in msgs.item(0).text()
    # every required input row says the file was found: its mark, and the words in its tooltip
    tree = window.inputs_dock.tree
    rows = {tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole): tree.topLevelItem(i)
            for i in range(tree.topLevelItemCount())}
    states = {key: window.inputs_dock.state(key) for key in rows}
    assert states["towers"] == states["terrain"] == "found"
    assert states["candidates"] == "not used"
    assert rows["towers"].text(0) == "✔" and rows["candidates"].text(0) == "–"
    assert rows["towers"].toolTip(0).splitlines()[0].endswith(": found")
    # before any run the map shows terrain and the input layers
    ids = [lyr.layer_id for lyr in window.canvas.layers()]
    assert {"terrain", "towers", "stations", "communes", "roads", "border", "towns"} <= set(ids)
    assert len(window.canvas.layer("stations").frame) == len(inputs.stations)
    assert window.recent_projects()[0] == str(project_copy.resolve())
    assert "Tiny test" in window.windowTitle()


def test_parameters_are_validated_as_typed(window, project_copy, qtbot):
    _open_and_check(window, project_copy, qtbot)
    dock = window.params_dock
    k_editor = dock.editors[("radio", "k_factor")]
    # a valid value is applied to the live project at once
    assert dock.edit(("radio", "k_factor"), "1.5")
    assert window.session.project.radio.k_factor == 1.5
    assert window.session.dirty and window.windowTitle().startswith("*")
    # not a number: marked red, message shown, project unchanged, run disabled
    assert not dock.edit(("radio", "k_factor"), "abc")
    assert "not a number" in dock.message.text()
    assert k_editor.styleSheet() != ""
    assert window.session.project.radio.k_factor == 1.5
    assert not dock.run_button.isEnabled()
    # out of range: the core validator's message (range) is shown
    assert not dock.edit(("radio", "k_factor"), "50")
    assert "out of range" in dock.message.text()
    # weak above good for 4G: refused with the core's explanation
    assert not dock.edit(("thresholds", "4G", "weak_dbm"), "-60")
    assert "must be below good_dbm" in dock.message.text()
    assert window.session.project.thresholds["4G"].weak_dbm == -90.0
    # fixing both clears the errors
    assert dock.edit(("radio", "k_factor"), "1.3333")
    assert dock.edit(("thresholds", "4G", "weak_dbm"), "-95")
    assert dock.message.text() == "" and k_editor.styleSheet() == ""
    assert dock.run_button.isEnabled()
    assert window.session.project.thresholds["4G"].weak_dbm == -95.0
    # typing in the line edit goes through the same validation
    from PyQt6.QtTest import QTest

    editor = dock.editors[("communes", "border_distance_m")]
    editor.clear()
    QTest.keyClicks(editor, "-5")
    assert "out of range" in dock.message.text()
    editor.clear()
    QTest.keyClicks(editor, "3000")
    assert window.session.project.communes.border_distance_m != 3000.0  # applied when the field is finished
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert window.session.project.communes.border_distance_m == 3000.0
    # the model is a choice list
    combo = dock.editors[("radio", "model")]
    combo.setCurrentIndex(combo.findData("hata"))  # shown as "Okumura–Hata", stored as "hata"
    assert window.session.project.radio.model == "hata"


def test_placement_dock_edits_k_and_mast_height(window, project_copy, qtbot):
    _open_and_check(window, project_copy, qtbot)
    dock = window.placement_dock
    assert dock.k.value() == 2 and dock.mast.value() == 20.0
    dock.k.setValue(4)
    dock.mast.setValue(30.0)
    assert window.session.project.placement.k == 4
    assert window.session.project.placement.mast_height_m == 30.0


def test_save_project_writes_the_edited_parameters(window, project_copy, tmp_path, qtbot):
    _open_and_check(window, project_copy, qtbot)
    window.params_dock.edit(("radio", "max_distance_m"), "12000")
    window.placement_dock.k.setValue(3)
    out = tmp_path / "saved" / "copy.toml"
    assert window.save_project_as(str(out))
    again = load_project(out)
    assert again.radio.max_distance_m == 12000.0 and again.placement.k == 3
    # inputs still point at the original files
    assert again.inputs.towers.path.resolve() == (project_copy.parent / "towers.csv").resolve()
    assert not window.session.dirty
    assert window.recent_projects()[0] == str(out.resolve())
    assert window.menu_recent.actions()[0].text() == str(out.resolve())


def test_broken_input_file_shows_an_error_dialog(window, project_copy, qtbot):
    towers = project_copy.parent / "towers.csv"
    lines = towers.read_text(encoding="utf-8").splitlines()
    parts = lines[1].split(",")
    parts[3] = "not-a-longitude"
    lines[1] = ",".join(parts)
    towers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with qtbot.waitSignal(window.errorShown, timeout=30000) as blocker:
        window.open_project(project_copy)
    title, text = blocker.args
    assert title == "The inputs have a problem"
    assert "towers.csv" in text and "row 2" in text
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "towers.csv" in box.text()
    assert box.icon() == QMessageBox.Icon.Critical
    # the message also appears in the Inputs dock, and the window keeps working
    assert "towers.csv" in window.inputs_dock.messages.item(0).text()
    assert window.session.inputs is None
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    assert window.act_check.isEnabled()
    box.accept()


def test_broken_project_file_shows_an_error_dialog(window, tmp_path, qtbot):
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nname = "x"\nresolution_m = "ninety"\n', encoding="utf-8")
    with qtbot.waitSignal(window.errorShown, timeout=5000) as blocker:
        assert not window.open_project(bad)
    assert blocker.args[0] == "Cannot open the project"
    assert "resolution_m" in blocker.args[1]
    assert window.session.project is None


def test_replacing_an_input_by_dropping_a_file_rechecks(window, project_copy, qtbot, tmp_path):
    _open_and_check(window, project_copy, qtbot)
    new = tmp_path / "stations_v2.csv"
    src = (project_copy.parent / "polling_stations.csv").read_text(encoding="utf-8").splitlines()
    new.write_text("\n".join(src[:3]) + "\n", encoding="utf-8")  # header + 2 stations
    with qtbot.waitSignal(window.runner.finished, timeout=30000) as blocker:
        routed = window.inputs_dock.handle_drop([str(new)], None)  # name says "stations"
    assert routed == [("stations", [str(new)])]
    assert len(blocker.args[1][0].stations) == 2
    assert window.session.project.inputs.stations.path == new.resolve()
    assert window.session.dirty
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
    # dropping a project file opens it
    with qtbot.waitSignal(window.projectOpened, timeout=5000):
        window.inputs_dock.handle_drop([str(project_copy)], None)


def test_choice_parameters_are_lists_of_the_allowed_values(window, project_copy, qtbot):
    from PyQt6.QtWidgets import QComboBox

    from coverage_planner import project as cp_project

    _open_and_check(window, project_copy, qtbot)
    combo = window.params_dock.editors[("radio", "model")]
    assert isinstance(combo, QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == list(cp_project.MODELS)  # labels shown: translated
    if hasattr(cp_project, "HATA_ENVIRONMENTS"):
        env = window.params_dock.editors[("radio", "hata_environment")]
        assert isinstance(env, QComboBox) and env.currentData() == window.session.project.radio.hata_environment


def test_unsaved_changes_are_confirmed_before_opening_another_project(window, project_copy, qtbot, monkeypatch):
    _open_and_check(window, project_copy, qtbot)
    window.params_dock.edit(("radio", "max_distance_m"), "9000")
    assert window.session.dirty
    window.confirm_unsaved = True
    asked = []

    def answer(choice):
        def fake(*args, **kwargs):
            asked.append(args[2])
            return choice
        return fake

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    assert not window.open_project(project_copy)  # cancelled: the edited project stays
    assert window.session.project.radio.max_distance_m == 9000.0 and asked
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Save))
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        assert window.open_project(project_copy)  # saved first, then reopened
    assert window.session.project.radio.max_distance_m == 9000.0
    assert load_project(project_copy).radio.max_distance_m == 9000.0
    qtbot.waitUntil(lambda: not window.runner.is_running(), timeout=10000)
