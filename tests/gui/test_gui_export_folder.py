"""Exports into a folder the user chose follow the command line's rule: files coverage-planner did not write
(the folder's manifest, ``.coverage-planner-outputs.json``, does not list them, or they changed since) are
replaced only if the user says so — a dialog names them: overwrite, choose another folder, or cancel — and what
an export wrote is listed in the manifest (so the next export, or a ``coverage-planner run`` into that folder,
replaces it without asking). The GUI exports used to overwrite such files silently and list nothing."""

from __future__ import annotations

import json

import pytest
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QFileDialog, QMessageBox

from coverage_planner import gisexport, io


def _asker(answer, calls):
    def ask(folder, names):
        calls.append((str(folder), list(names)))
        return answer

    return ask


def _export(window, qtbot, action, dest) -> bool:
    started = action(str(dest))
    if started:
        with qtbot.waitSignal(window.runner.idle, timeout=120000):
            pass
    return started


def _listed(folder) -> set[str]:
    return set(json.loads((folder / io.OUTPUTS_MANIFEST).read_text(encoding="utf-8"))["files"])


@pytest.fixture
def users_folder(tmp_path):
    """A folder holding the user's own towers.csv (as QA found it replaced) and an unrelated file."""
    folder = tmp_path / "ban_giao"
    folder.mkdir()
    (folder / "towers.csv").write_text("ma_tram;ghi_chu\nVTL-1;của tôi\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ghi chú", encoding="utf-8")
    return folder


def test_cancel_writes_nothing(shown, users_folder, qtbot, monkeypatch):
    calls = []
    monkeypatch.setattr(shown, "ask_foreign_files", _asker(shown.CANCEL, calls))
    assert not _export(shown, qtbot, shown.export_gis, users_folder)
    assert calls == [(str(users_folder), ["towers.csv"])]  # only the file the export would replace is named
    assert sorted(p.name for p in users_folder.iterdir()) == ["notes.txt", "towers.csv"]
    assert "của tôi" in (users_folder / "towers.csv").read_text(encoding="utf-8")
    assert not shown.runner.is_running() and shown.last_exports == {}


def test_overwrite_replaces_them_and_lists_what_it_wrote(shown, users_folder, qtbot, monkeypatch):
    calls = []
    monkeypatch.setattr(shown, "ask_foreign_files", _asker(shown.OVERWRITE, calls))
    assert _export(shown, qtbot, shown.export_gis, users_folder)
    assert len(calls) == 1 and shown.last_error is None
    assert "của tôi" not in (users_folder / "towers.csv").read_text(encoding="utf-8")  # replaced, as asked
    written = {p.name for p in users_folder.iterdir()} - {"notes.txt", io.OUTPUTS_MANIFEST}
    assert {"towers.csv", "coverage.gpkg", "best_level_dbm.tif"} <= written
    assert _listed(users_folder) == written  # every file it wrote, and nothing of the user's
    # the tool's files now: a second export, and the command line's check, replace them without asking
    assert io.foreign_outputs(users_folder, *gisexport.run_outputs({"gis"}, "vi")) == ([], True)
    assert _export(shown, qtbot, shown.export_gis, users_folder)
    assert len(calls) == 1


def test_choose_another_folder_exports_there(shown, users_folder, tmp_path, qtbot, monkeypatch):
    other = tmp_path / "khac"
    other.mkdir()
    calls, starts = [], []
    monkeypatch.setattr(shown, "ask_foreign_files", _asker(shown.CHOOSE_ANOTHER, calls))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda parent, title, start: starts.append(start) or str(other)))
    assert _export(shown, qtbot, shown.export_gis, users_folder)
    assert starts == [str(users_folder)] and len(calls) == 1  # the dialog opened where the user was
    assert sorted(p.name for p in users_folder.iterdir()) == ["notes.txt", "towers.csv"]  # untouched
    assert "của tôi" in (users_folder / "towers.csv").read_text(encoding="utf-8")
    assert (other / "coverage.gpkg").is_file() and "coverage.gpkg" in _listed(other)
    assert shown.last_exports["gis"] == other


def test_map_and_report_files_are_checked_by_the_name_chosen(shown, tmp_path, qtbot, monkeypatch):
    """The HTML map and the PDF are one file each, under the name the user gave in the save dialog (which no
    longer asks itself): the user's own file of that name is asked about; one the tool wrote is replaced."""
    folder = tmp_path / "hop"
    folder.mkdir()
    (folder / "ban_do.html").write_text("<p>bản đồ của tôi</p>", encoding="utf-8")
    calls = []
    monkeypatch.setattr(shown, "ask_foreign_files", _asker(shown.CANCEL, calls))
    assert not _export(shown, qtbot, shown.export_html, folder / "ban_do.html")
    assert calls == [(str(folder), ["ban_do.html"])]
    assert (folder / "ban_do.html").read_text(encoding="utf-8") == "<p>bản đồ của tôi</p>"
    assert _export(shown, qtbot, shown.export_pdf, folder / "bao_cao.pdf")  # a new name: nothing to ask
    assert len(calls) == 1 and (folder / "bao_cao.pdf").read_bytes()[:5] == b"%PDF-"
    assert _listed(folder) == {"bao_cao.pdf"}
    assert _export(shown, qtbot, shown.export_pdf, folder / "bao_cao.pdf")  # its own file: replaced, no question
    assert len(calls) == 1 and shown.last_error is None
    monkeypatch.setattr(shown, "ask_foreign_files", _asker(shown.OVERWRITE, calls))
    assert _export(shown, qtbot, shown.export_html, folder / "ban_do.html")
    assert len(calls) == 2 and "bản đồ của tôi" not in (folder / "ban_do.html").read_text(encoding="utf-8")
    assert _listed(folder) == {"bao_cao.pdf", "ban_do.html"}


@pytest.mark.parametrize("lang,button,answer", [("vi", "Ghi đè", "overwrite"), ("vi", "Hủy", "cancel"),
                                                ("en", "Choose another folder…", "choose")])
def test_the_dialog_names_the_files_in_the_apps_language(make_window, tmp_path, qtbot, lang, button, answer):
    w = make_window(lang, size=(1280, 720))
    names = ["towers.csv", "<b>polling_stations.csv</b>"] + [f"best_level_{i}_dbm.tif" for i in range(12)]
    seen = {}

    def click():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["title"], seen["text"] = box.windowTitle(), box.text()
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text()
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(100, click)
    assert w.ask_foreign_files(tmp_path, names) == answer
    assert "towers.csv" in seen["text"] and "<b>polling_stations.csv</b>" in seen["text"]  # as they are
    assert str(tmp_path) in seen["text"] and "best_level_11_dbm.tif" not in seen["text"]  # 12 named, then a count
    if lang == "vi":
        assert seen["title"] == "Ghi đè các tệp không do coverage-planner tạo ra?"
        assert "… và 2 tệp khác" in seen["text"]
        assert sorted(seen["buttons"]) == sorted(["Ghi đè", "Chọn thư mục khác…", "Hủy"])
        assert seen["default"] == "Chọn thư mục khác…"  # the safe answer is the default
    else:
        assert "… and 2 more" in seen["text"] and seen["default"] == "Choose another folder…"
