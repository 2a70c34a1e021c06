"""Qt's own dialog texts (standard buttons, message-box details) follow the app's language: Qt ships no Vietnamese
translation, so a Vietnamese window asked "Save / Discard / Cancel" in English."""

from __future__ import annotations

import functools
import operator

import pytest
from PyQt6.QtWidgets import QDialogButtonBox, QMessageBox

from gui import i18n

SB = QMessageBox.StandardButton


@pytest.mark.parametrize("lang, expected", [
    ("vi", {SB.Save: "Lưu", SB.Discard: "Bỏ thay đổi", SB.Cancel: "Huỷ"}),
    ("en", {SB.Save: "Save", SB.Discard: "Discard", SB.Cancel: "Cancel"}),
])
def test_unsaved_changes_buttons_in_the_window_language(window, qtbot, lang, expected):
    i18n.set_language(lang)
    try:
        box = QMessageBox(QMessageBox.Icon.Question, "t", "x", SB.Save | SB.Discard | SB.Cancel, window)
        qtbot.addWidget(box)
        for button, text in expected.items():
            assert box.button(button).text().replace("&", "") == text
        box.setDetailedText("details")
        box.show()
        labels = [b.text() for b in box.findChildren(type(box.button(SB.Save)))]
        assert ("Xem chi tiết…" in labels) == (lang == "vi"), labels
    finally:
        i18n.set_language("en")


def test_every_vietnamese_qt_text_is_a_text_qt_asks_for(window, qtbot):
    """The table's keys are Qt's real source texts: with the translator off (English) a button box shows each
    QPlatformTheme key's source text (so a misspelt key, never asked for, cannot sit in the table unnoticed)."""
    i18n.set_language("en")
    DB = QDialogButtonBox.StandardButton
    names = ("Ok", "Save", "SaveAll", "Open", "Yes", "YesToAll", "No", "NoToAll", "Abort", "Retry", "Ignore", "Close",
             "Cancel", "Discard", "Help", "Apply", "Reset", "RestoreDefaults")
    box = QDialogButtonBox(functools.reduce(operator.or_, (getattr(DB, n) for n in names)))
    qtbot.addWidget(box)
    shown = {b.text() for b in box.buttons()}
    keys = {src for (ctx, src) in i18n.QT_TEXTS_VI if ctx == "QPlatformTheme"} - {"Don't Save"}
    missing = {k for k in keys if k not in shown and k.replace("&", "") not in {s.replace("&", "") for s in shown}}
    assert not missing, (missing, shown)
