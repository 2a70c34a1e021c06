"""The dock widgets: Inputs, Parameters, Placement, Scenario, Results, Attributes.

Docks read and change the state through the :class:`~gui.session.Session` and emit Qt signals for actions
the main window carries out (run, re-run, replace an input, zoom to a feature); they never run analysis.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from PyQt6.QtCore import QEvent, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QValidator
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coverage_planner import project as cp_project
from coverage_planner import whatif
from coverage_planner.i18n import sort_names
from gui.i18n import (
    MESSAGE_COLUMNS,
    Msg,
    backhaul_text,
    column_label,
    decimal,
    language,
    message_text,
    num,
    number_text,
    plural,
    scenario_label,
    tr,
    value_label,
)
from gui.tablemodel import ROW_ROLE, DataFrameModel, FrameFilterProxy

ERROR_STYLE = "background-color: #ffd6d6;"


# ==========================================================================================================
# Inputs
# ==========================================================================================================
INPUT_LABELS = {
    "towers": "Towers (BTS)", "stations": "Polling stations", "communes": "Communes", "terrain": "Terrain (DEM)",
    "border": "National border", "roads": "Roads", "towns": "Towns", "candidates": "Candidate sites",
    "clutter": "Land cover",
}
REQUIRED_INPUTS = ("towers", "stations", "communes", "terrain")
#: Columns of the Inputs list: the state mark first (always in view), the input, its file (elided in the middle).
STATE_COLUMN, FILE_COLUMN = 0, 2
#: The item role holding a row's state (the English key of :data:`INPUT_STATE_MARKS`; tooltips say it translated;
#: "no project" before a project is open).
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
#: state → (mark, colour): a shape as well as a colour, for colour-blind users and grey-scale prints.
INPUT_STATE_MARKS = {
    "found": ("✔", "#147828"), "file not found": ("✖", "#c81e1e"), "required, missing": ("✖", "#c81e1e"),
    "file has errors (see the validation messages)": ("✖", "#c81e1e"),
    "not used": ("–", "#787878"), "no project": ("", "#787878"),
}
_GUESS = (("tower", "towers"), ("bts", "towers"), ("tram", "towers"), ("station", "stations"),
          ("polling", "stations"), ("bau_cu", "stations"), ("commune", "communes"), ("xa", "communes"),
          ("border", "border"), ("bien_gioi", "border"), ("road", "roads"), ("duong", "roads"), ("town", "towns"),
          ("candidate", "candidates"), ("clutter", "clutter"), ("landcover", "clutter"))


def _same_file(a, b) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, ValueError):
        return False


def guess_input_key(path: str | Path) -> str | None:
    """Which input a dropped file probably is, from its name and type (None if unclear)."""
    p = Path(path)
    name = p.stem.lower().replace("-", "_").replace(" ", "_")
    if p.suffix.lower() in (".tif", ".tiff", ".hgt", ".asc", ".vrt", ".img"):
        return "clutter" if ("clutter" in name or "landcover" in name) else "terrain"
    for word, key in _GUESS:
        if word in name:
            return key
    return None


class InputsDock(QWidget):
    """The project's input files with their state; replace by button or drag and drop; validation messages."""

    replaceRequested = pyqtSignal(str, list)  # input key, list of paths
    projectDropped = pyqtSignal(str)  # a .toml dropped
    checkRequested = pyqtSignal()

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setAcceptDrops(True)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAcceptDrops(False)
        # a file name cut in a narrow dock keeps its end ('polling…ations.csv', not 'polling_statio…'): the
        # extension tells the format; the whole path is in the tooltip
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # the state comes first, as a mark (✔ ✖ –): a state column after the file name was off to the right at
        # the default dock width, so whether a file was found took a scroll. The words are in every tooltip. The
        # file column takes what is left (elided), so the rows never need a horizontal scroll bar.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(16)
        header.setSectionResizeMode(STATE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FILE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.replace_button = QPushButton(self)
        self.check_button = QPushButton(self)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.messages = QListWidget(self)
        self.messages.setWordWrap(True)
        self.messages_label = QLabel(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.replace_button)
        buttons.addWidget(self.check_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.tree, 2)
        lay.addLayout(buttons)
        lay.addWidget(self.hint)
        lay.addWidget(self.messages_label)
        lay.addWidget(self.messages, 1)
        self.replace_button.clicked.connect(self._replace_clicked)
        self.check_button.clicked.connect(self.checkRequested)
        self.tree.itemDoubleClicked.connect(lambda *_: self._replace_clicked())
        session.project_changed.connect(self.refresh)
        session.inputs_changed.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels(["", tr("Input"), tr("File")])
        self.tree.headerItem().setToolTip(STATE_COLUMN, tr("State"))
        self.replace_button.setText(tr("Open / replace file…"))
        self.check_button.setText(tr("Check inputs"))
        self.hint.setText(tr("Drop files here: onto a row to replace that input, or anywhere to let the name decide."))
        self.messages_label.setText(tr("Validation messages"))
        self.refresh()

    def current_key(self) -> str | None:
        it = self.tree.currentItem()
        return None if it is None else it.data(STATE_COLUMN, Qt.ItemDataRole.UserRole)

    def state(self, key: str) -> str | None:
        """The row's state as shown by its mark (English: "found", "file not found", "required, missing", "not
        used"); ``None`` for an unknown key."""
        for i in range(self.tree.topLevelItemCount()):
            it = self.tree.topLevelItem(i)
            if it.data(STATE_COLUMN, Qt.ItemDataRole.UserRole) == key:
                return it.data(STATE_COLUMN, STATE_ROLE)
        return None

    def files_with_errors(self) -> list[str]:
        """The files the last check or run named in an error (an input error's ``path``, and those of the errors it
        gathers, one per file)."""
        paths: list[str] = []

        def walk(error) -> None:
            if getattr(error, "path", None):
                paths.append(str(error.path))
            for cause in getattr(error, "causes", None) or ():
                walk(cause)

        for level, text in self.session.input_messages:
            if level == "error":
                walk(getattr(text, "error", text))
        return paths

    def refresh(self) -> None:
        current = self.current_key()
        self.tree.clear()
        project = self.session.project
        bad_files = self.files_with_errors()
        for key in cp_project.INPUT_KEYS:
            ref = getattr(project.inputs, key) if project is not None else None
            refs = ref if isinstance(ref, list) else ([ref] if ref is not None else [])
            label = tr(INPUT_LABELS.get(key, key)) + (" *" if key in REQUIRED_INPUTS else "")
            files = ", ".join(r.raw for r in refs)
            if project is None:  # no project open: nothing is missing yet (no red marks in an empty window)
                state = "no project"
            elif not refs:
                state = "required, missing" if key in REQUIRED_INPUTS else "not used"
            elif all(Path(r.path).exists() for r in refs):
                # QA: a tower file the check rejected (row 6, 'vi_do' not a number) kept its green ✔ "found"
                state = ("file has errors (see the validation messages)"
                         if any(_same_file(r.path, bad) for r in refs for bad in bad_files) else "found")
            else:
                state = "file not found"
            mark, colour = INPUT_STATE_MARKS[state]
            it = QTreeWidgetItem([mark, label, files])
            it.setData(STATE_COLUMN, Qt.ItemDataRole.UserRole, key)
            it.setData(STATE_COLUMN, STATE_ROLE, state)
            it.setData(STATE_COLUMN, Qt.ItemDataRole.AccessibleTextRole, tr(state))
            it.setTextAlignment(STATE_COLUMN, Qt.AlignmentFlag.AlignCenter)
            it.setForeground(STATE_COLUMN, QBrush(QColor(colour)))
            font = it.font(STATE_COLUMN)
            font.setBold(True)
            it.setFont(STATE_COLUMN, font)
            tip = label if project is None else "\n".join([f"{label}: {tr(state)}", *(str(r.path) for r in refs)])
            for col in range(self.tree.columnCount()):  # the state in words and the whole paths, on any cell
                it.setToolTip(col, tip)
            self.tree.addTopLevelItem(it)
            if key == current:
                self.tree.setCurrentItem(it)
        self.messages.clear()
        for level, text in self.session.input_messages:
            prefix = "✖ " if level == "error" else "⚠ " if level == "warning" else "ℹ "
            item = QListWidgetItem(prefix + message_text(text))  # in the current language, also after a switch
            if level == "error":
                item.setForeground(QBrush(QColor(180, 0, 0)))
            self.messages.addItem(item)
        enabled = project is not None
        self.replace_button.setEnabled(enabled)
        self.check_button.setEnabled(enabled)

    def _replace_clicked(self) -> None:
        key = self.current_key()
        if key is None or self.session.project is None:
            return
        start = str(self.session.project.folder)
        filt = tr("Data files") + " (*.csv *.xlsx *.geojson *.json *.gpkg *.shp *.tif *.tiff *.hgt *.asc);;" + \
            tr("All files") + " (*)"
        if key == "terrain":
            paths, _ = QFileDialog.getOpenFileNames(self, tr("Choose terrain files"), start, filt)
        else:
            path, _ = QFileDialog.getOpenFileName(self, tr("Choose a file"), start, filt)
            paths = [path] if path else []
        if paths:
            self.replaceRequested.emit(key, paths)

    # --- drag and drop -----------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        pos = self.tree.viewport().mapFrom(self, event.position().toPoint())
        item = self.tree.itemAt(pos)
        self.handle_drop(paths, None if item is None else item.data(STATE_COLUMN, Qt.ItemDataRole.UserRole))
        event.acceptProposedAction()

    def handle_drop(self, paths: list[str], target_key: str | None) -> list[tuple[str, list[str]]]:
        """Route dropped files: a project file opens; onto a row replaces it; else guess from the name."""
        done = []
        tomls = [p for p in paths if p.lower().endswith(".toml")]
        if tomls:
            self.projectDropped.emit(tomls[0])
            return [("project", tomls[:1])]
        if target_key is not None:
            self.replaceRequested.emit(target_key, paths if target_key == "terrain" else paths[:1])
            return [(target_key, paths)]
        by_key: dict[str, list[str]] = {}
        unknown = []
        for p in paths:
            key = guess_input_key(p)
            if key is None:
                unknown.append(p)
            else:
                by_key.setdefault(key, []).append(p)
        for key, ps in by_key.items():
            self.replaceRequested.emit(key, ps if key == "terrain" else ps[:1])
            done.append((key, ps))
        if unknown:
            self.session.input_messages.append(
                ("warning", Msg("Could not tell which input {files} is: drop it onto the matching row.",
                                files=", ".join(Path(u).name for u in unknown))))
            self.refresh()
        return done


# ==========================================================================================================
# Parameters (validated as typed by the core's project validator)
# ==========================================================================================================
PARAM_SECTIONS = ("radio", "thresholds", "communes", "placement")
CHOICES = {("radio", "model"): cp_project.MODELS, ("radio", "default_technology"): cp_project.TECHNOLOGIES,
           ("placement", "technology"): cp_project.TECHNOLOGIES}
if hasattr(cp_project, "HATA_ENVIRONMENTS"):
    CHOICES[("radio", "hata_environment")] = cp_project.HATA_ENVIRONMENTS
#: Labels of the choice values (the project file keeps the values: "deygout", "rural").
CHOICE_LABELS = {  # short: the Parameters dock is narrow
    "free_space": "Free space", "knife_edge": "Single knife edge", "deygout": "Deygout (multiple edges)",
    "hata": "Okumura–Hata", "cost231": "COST-231 Hata",
    "urban": "Urban", "suburban": "Suburban", "rural": "Rural",
}


def choice_label(value) -> str:
    """A choice value as shown in its combo box, in the current language (unknown values as they are)."""
    text = str(value)
    return tr(CHOICE_LABELS[text]) if text in CHOICE_LABELS else text


PARAM_LABELS = {
    "model": "Propagation model", "k_factor": "Earth radius factor k", "max_distance_m": "Max distance (m)",
    "receiver_height_m": "Receiver height (m)", "receiver_gain_dbi": "Receiver gain (dBi)",
    "body_loss_db": "Body loss (dB)", "indoor_loss_db": "Indoor loss (dB)",
    "vegetation_db_per_km": "Vegetation loss (dB/km)", "vegetation_max_db": "Vegetation loss max (dB)",
    "default_technology": "Default technology", "good_dbm": "Good from (dBm)", "weak_dbm": "Weak from (dBm)",
    "border_distance_m": "Border commune within (m)", "remote_distance_m": "Remote commune beyond (m)",
    "k": "Number of sites k", "mast_height_m": "Mast height (m)", "eirp_dbm": "EIRP (dBm)",
    "technology": "Technology", "frequency_mhz": "Frequency (MHz, empty = default)",
    "border_weight": "Border weight", "remote_weight": "Remote weight",
    "restore_weight": "Weight of stations a failure cut off",
    "candidate_max_distance_m": "Candidate max distance to road (m)", "max_slope_deg": "Max slope (°)",
    "candidate_spacing_m": "Candidate spacing (m)", "backhaul_range_m": "Backhaul range (m)",
    "backhaul_frequency_mhz": "Backhaul frequency (MHz)", "backhaul_mast_height_m": "Backhaul mast height (m)",
    "vegetation_height_m": "Vegetation height (m)", "hata_environment": "Hata environment",
    "coverage_radius_m": "Mobile site coverage radius (m)", "solver_time_limit_s": "Solver time limit (s)",
}


#: What a parameter does, where its label alone does not say it to a department staffer (tooltip of the label and
#: of the field, with the project file's key).
PARAM_HELP = {
    "k_factor": "Effective Earth radius factor for the terrain profiles (4/3 in a standard atmosphere).",
    "border_distance_m": "A commune this close to the national border is a border commune: its polling stations "
                         "weigh more in the placement.",
    "remote_distance_m": "A commune whose centre is farther than this from every road and town is remote: its "
                         "polling stations weigh more in the placement.",
    "eirp_dbm": "Power radiated by a mobile station (EIRP), its antenna gain included.",
    "border_weight": "Multiplier of the weight of a polling station in a border commune.",
    "remote_weight": "Multiplier of the weight of a polling station in a remote commune.",
    "restore_weight": "With towers down: multiplier of the polling stations the failure cut off, so that "
                      "restoring them comes first.",
    "max_slope_deg": "Steepest ground where a mobile station can be parked.",
    "backhaul_range_m": "Longest microwave link from a mobile station to an on-air tower; beyond it, or without "
                        "line of sight, the site needs satellite backhaul.",
    "coverage_radius_m": "Distance up to which the coverage of a mobile station is computed.",
    "solver_time_limit_s": "Time allowed to each exact optimisation; the quick plan is kept if it is better.",
}


def param_help(path: tuple) -> str:
    """The tooltip of a parameter: what it does (when :data:`PARAM_HELP` says it) and its key in the project file."""
    dotted = ".".join(path)
    text = PARAM_HELP.get(path[-1])
    return f"{tr(text)}\n({dotted})" if text else dotted


def param_label(key: str) -> str:
    """Translated label of a parameter; a key without a label is shown readably ('solver_time_limit_s' ->
    'Solver time limit (s)') so a setting added to the project later still appears sensibly."""
    if key in PARAM_LABELS:
        return tr(PARAM_LABELS[key])
    words = key.split("_")
    unit = {"m": "(m)", "s": "(s)", "db": "(dB)", "dbm": "(dBm)", "mhz": "(MHz)", "deg": "(°)", "pct": "(%)"}
    tail = unit.get(words[-1]) if len(words) > 1 else None
    text = " ".join(words[:-1] if tail else words).capitalize()
    return f"{text} {tail}" if tail else text
SECTION_LABELS = {"radio": "Radio model", "thresholds": "Signal thresholds", "communes": "Communes",
                  "placement": "Placement of mobile stations"}


def _leaves(data: dict, prefix: tuple = ()):
    """(path tuple, value) for every non-dict leaf of a nested dict, skipping radio.defaults."""
    for key, val in data.items():
        path = prefix + (key,)
        if path == ("radio", "defaults"):
            continue
        if isinstance(val, dict):
            yield from _leaves(val, path)
        else:
            yield path, val


def _get_path(data: dict, path: tuple):
    for k in path:
        data = data[k]
    return data


def _set_path(data: dict, path: tuple, value) -> None:
    for k in path[:-1]:
        data = data[k]
    if value is None:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = value


def apply_validated(project, path: tuple, value) -> None:
    """Copy one validated value into the live project object (dataclasses and dicts of dataclasses)."""
    obj = project
    for k in path[:-1]:
        obj = obj[k] if isinstance(obj, dict) else getattr(obj, k)
    setattr(obj, path[-1], value)


def _get_attr_path(obj, path: tuple):
    """The value at ``path`` in a project object (dataclasses and dicts of dataclasses)."""
    for k in path:
        obj = obj[k] if isinstance(obj, dict) else getattr(obj, k)
    return obj


def _field_matches(path: tuple, field: str | None) -> bool:
    """Whether a core error's ``field`` ('radio.k_factor', or 'thresholds.4G' for the good/weak pair) is about
    the parameter at ``path``."""
    if not field:
        return False
    dotted = ".".join(str(k) for k in path)
    return dotted == field or dotted.startswith(field + ".")


def _format_value(value) -> str:
    """A parameter as its field shows it: a float in the GUI's language ("1,5" in Vietnamese, "1.5" in English;
    QA saw "1.5" and "1.33333" in the Vietnamese form), without useless zeros or a thousands separator (the field
    reads a comma or a point as the decimal separator)."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if language() == "vi" else text
    return str(value)


class ParamEdit(QLineEdit):
    """A parameter's line edit: Esc puts back the value the project holds (``reverted``)."""

    reverted = pyqtSignal()

    def event(self, event) -> bool:
        # take Esc before the window's shortcuts (Cancel) see it, but only while there is something to revert
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape
                and self.property("pending")):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.property("pending"):
            self.reverted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ParametersDock(QWidget):
    """A form over the project's settings.

    Every keystroke checks the values shown in all fields together by ``project_from_dict`` (the project
    file's rules) and marks the invalid ones red with the reason; a value reaches the project only when its
    field is finished (Enter, focus out, a choice picked) and it is valid together with the fields it depends
    on. An invalid field left as it is keeps the project's last valid value; Esc in it puts that value back.
    """

    changed = pyqtSignal(tuple)  # path of a parameter applied to the project
    runRequested = pyqtSignal()
    validityChanged = pyqtSignal(bool)  # True: every field is valid

    #: parameters shown in the Placement dock instead
    EXCLUDE = {("placement", "k"), ("placement", "mast_height_m")}

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.busy = False  # a task runs: Run is disabled
        self.editors: dict[tuple, QWidget] = {}
        self.labels: dict[tuple, QLabel] = {}
        self.groups: dict[str, QGroupBox] = {}
        self.errors: dict[tuple, str] = {}  # path -> reason (without the field's label)
        self.hints: dict[tuple, str] = {}  # path -> how to fix, from the core's error
        self._pending: set[tuple] = set()  # fields whose text is not the project's value (red or not applied)
        self._valid = True
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a00000;")
        self.run_button = QPushButton(self)
        self._inner = QWidget()
        self._form_layout = QVBoxLayout(self._inner)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.run_button)
        self.run_button.clicked.connect(self.runRequested)
        session.project_changed.connect(self.rebuild)
        self.rebuild()
        self.retranslate()

    def retranslate(self) -> None:
        self.run_button.setText(tr("Run analysis"))
        for section, box in self.groups.items():
            box.setTitle(tr(SECTION_LABELS.get(section, section)))
        for path, label in self.labels.items():
            label.setText(self.label_text(path))
            label.setToolTip(param_help(path))
        for path, editor in self.editors.items():  # choices: translated labels, the stored values unchanged
            if isinstance(editor, QComboBox):
                for i in range(editor.count()):
                    editor.setItemText(i, choice_label(editor.itemData(i)))
            elif path not in self._pending:  # a number in the new language's style; a typed value stays as typed
                editor.setText(_format_value(self.committed_value(path)))
        self.validate()  # the reasons in the new language

    @staticmethod
    def label_text(path: tuple) -> str:
        text = param_label(path[-1])
        return f"{path[1]} – {text}" if path[0] == "thresholds" else text

    def rebuild(self) -> None:
        while self._form_layout.count():
            w = self._form_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.editors, self.labels, self.groups, self.errors, self.hints = {}, {}, {}, {}, {}
        self._pending = set()
        project = self.session.project
        if project is None:
            self._show_errors()
            return
        data = project.to_dict()
        pl = data.get("placement", {})
        if "frequency_mhz" not in pl:
            pl["frequency_mhz"] = None
        for section in PARAM_SECTIONS:
            box = QGroupBox(self._inner)
            form = QFormLayout(box)
            # a label too long for the dock goes above its field: side by side, the longest label (~220 px in
            # Vietnamese) and a field made the form wider than the dock at 1280 px, so values were cut at its
            # right edge behind a horizontal scroll bar
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            self.groups[section] = box
            for path, value in _leaves({section: data.get(section, {})}):
                if path in self.EXCLUDE:
                    continue
                label = QLabel(box)
                editor = self._make_editor(path, value, box)
                label.setBuddy(editor)
                form.addRow(label, editor)
                self.editors[path] = editor
                self.labels[path] = label
            self._form_layout.addWidget(box)
        self._form_layout.addStretch(1)
        self.retranslate()

    def _make_editor(self, path, value, parent) -> QWidget:
        choices = CHOICES.get(path)
        if choices is not None:
            combo = QComboBox(parent)
            for choice in choices:  # the label shown, the value kept as item data (what the project stores)
                combo.addItem(choice_label(choice), str(choice))
                combo.setItemData(combo.count() - 1, str(choice), Qt.ItemDataRole.ToolTipRole)
            self._select(combo, value)
            combo.currentIndexChanged.connect(lambda _i: self.commit())  # picking a choice finishes it
            return combo
        edit = ParamEdit(parent)
        edit.setText(_format_value(value))
        edit.textEdited.connect(lambda _text: self.validate())  # shown red or not; the project is not changed
        edit.editingFinished.connect(self.commit)  # Enter or focus out
        edit.reverted.connect(lambda p=path: self.revert(p))
        return edit

    @staticmethod
    def _parse(path, text: str, old):
        text = text.strip().replace(",", ".")
        if path == ("placement", "frequency_mhz") and text == "":
            return None
        if isinstance(old, str) or path in CHOICES:
            return text
        try:
            v = float(text)
        except ValueError:
            raise ValueError(tr("'{text}' is not a number", text=text)) from None
        if isinstance(old, int) and not isinstance(old, bool) and v.is_integer():
            return int(v)
        return v

    @staticmethod
    def _text(editor) -> str:
        """The value of a field: a combo box's stored value (not its translated label), an edit's text."""
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return editor.currentText() if data is None else str(data)
        return editor.text()

    @staticmethod
    def _select(combo, value) -> None:
        """Show ``value`` (a stored value, or a label as shown) in ``combo``, without committing; a value that
        is not a choice is added as it is."""
        text = "" if value is None else str(value)
        i = combo.findData(text)
        if i < 0:
            i = combo.findText(text)
        if i < 0:
            combo.addItem(choice_label(text), text)
            i = combo.count() - 1
        blocked = combo.blockSignals(True)
        combo.setCurrentIndex(i)
        combo.blockSignals(blocked)

    def committed_value(self, path: tuple):
        """The value the project holds for ``path`` (None for an unset optional value)."""
        try:
            return _get_attr_path(self.session.project, path)
        except (AttributeError, KeyError):
            return None

    def validate(self) -> dict[tuple, object]:
        """Check the values shown in every field together, by the project file's rules; mark the invalid
        ones. Returns the edited values (different from the project's) that are valid together."""
        project = self.session.project
        errors: dict[tuple, str] = {}
        hints: dict[tuple, str] = {}
        good: dict[tuple, object] = {}
        if project is not None and self.editors:
            committed = project.to_dict()
            for path, editor in self.editors.items():
                try:
                    old = _get_path(committed, path)
                except KeyError:
                    old = None
                text = self._text(editor)
                if text.strip() == _format_value(old):  # as shown (1.33333 for 4/3): not an edit
                    continue
                try:
                    value = self._parse(path, text, old if old is not None else 0.0)
                except ValueError as exc:
                    errors[path] = str(exc)
                    continue
                if value != old:
                    good[path] = value
            # blame the fields named by the core's error (for a pair, the edited ones) until the rest is valid;
            # the project's own values are valid, so this ends
            while good:
                data = copy.deepcopy(committed)
                for path, value in good.items():
                    _set_path(data, path, value)
                try:
                    cp_project.project_from_dict(data, project.path)
                    break
                except ValueError as exc:  # includes ProjectError
                    field = getattr(exc, "field", None)
                    blamed = [p for p in good if _field_matches(p, field)] or list(good)
                    reason = message_text(getattr(exc, "message", None) or str(exc))
                    for path in blamed:
                        errors[path] = reason
                        if getattr(exc, "hint", None):
                            hints[path] = exc.hint
                        del good[path]
        self.errors, self.hints = errors, hints
        self._pending = set(errors) | set(good)
        self._show_errors()
        return good

    def commit(self) -> list[tuple]:
        """Apply every edited value that is valid (together with the values it depends on) to the project.
        Invalid fields stay red and the project keeps their last valid values. Returns the paths applied."""
        good = self.validate()
        project = self.session.project
        if project is None or not good:
            return []
        data = project.to_dict()
        for path, value in good.items():
            _set_path(data, path, value)
        checked = cp_project.project_from_dict(data, project.path)
        for path in good:  # the values as the core normalised them
            apply_validated(project, path, _get_attr_path(checked, path))
        self.validate()  # the applied fields are no longer pending
        self.session.mark_dirty()
        for path in good:
            self.changed.emit(path)
        return list(good)

    def revert(self, path: tuple) -> None:
        """Show the project's value again in the field at ``path`` (Esc), dropping what was typed."""
        editor = self.editors.get(path)
        if editor is None:
            return
        value = self.committed_value(path)
        if isinstance(editor, QComboBox):
            self._select(editor, value)
        else:
            editor.setText(_format_value(value))
        self.validate()

    def edit(self, path: tuple, text: str) -> bool:
        """Type ``text`` into the field at ``path`` and finish it (as Enter does). True if the value was
        applied (or already held by the project), False if it is invalid and marked red."""
        editor = self.editors.get(path)
        if editor is None or self.session.project is None:
            return False
        if isinstance(editor, QComboBox):
            self._select(editor, text)
        else:
            editor.setText(text)
        self.commit()
        return path not in self.errors

    def _show_errors(self) -> None:
        pending = self._pending
        for path, editor in self.editors.items():
            editor.setProperty("pending", path in pending)
            if path in self.errors:
                editor.setStyleSheet(ERROR_STYLE)
                hint = message_text(self.hints[path]) if path in self.hints else ""  # the core's, in English
                tip = self.errors[path] + (f"\n{tr('How to fix')}: {hint}" if hint else "")
                editor.setToolTip(tip + "\n" + tr("Esc puts back the value in use."))
            else:
                editor.setStyleSheet("")
                editor.setToolTip(param_help(path))  # a field alone said nothing on hover
        self.message.setText("\n".join(f"{self.label_text(p)}: {text}" for p, text in self.errors.items()))
        self.run_button.setEnabled(self.session.project is not None and not self.errors and not self.busy)
        valid = not self.errors
        if valid != self._valid:
            self._valid = valid
            self.validityChanged.emit(valid)

    def set_busy(self, busy: bool) -> None:
        """While a task runs, Run is disabled (the window's Run action is too)."""
        self.busy = bool(busy)
        self._show_errors()

    def has_errors(self) -> bool:
        return bool(self.errors)


# ==========================================================================================================
# Placement
# ==========================================================================================================
class LocaleSpinBox(QDoubleSpinBox):
    """A number spin box in the GUI's language, not Qt's default format: QA saw "20.0" for a mast of 20 m in
    Vietnamese. Shows the value with the language's decimal separator and without useless zeros ("20", "22,5" in
    Vietnamese, "22.5" in English); accepts a comma or a point as the decimal separator whatever the language.
    Call :meth:`retranslate` after a language switch to show the value in the new style."""

    _ALLOWED = re.compile(r"^\s*-?\d*(?:[.,]\d*)?\s*$")

    def textFromValue(self, value: float) -> str:
        text = decimal(value, self.decimals())
        sep = "," if language() == "vi" else "."
        if sep in text:
            text = text.rstrip("0").rstrip(sep)
        return text

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        if not self._ALLOWED.match(text):
            return QValidator.State.Invalid, text, pos
        body = text.strip().replace(",", ".")
        if body in ("", "-", ".", "-."):
            return QValidator.State.Intermediate, text, pos
        value = float(body)
        decimals = len(body.partition(".")[2])
        if decimals > self.decimals():
            return QValidator.State.Invalid, text, pos
        if not (self.minimum() <= value <= self.maximum()):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def retranslate(self) -> None:
        blocked = self.blockSignals(True)
        self.setValue(self.value())  # setValue always rewrites the text, with textFromValue in the new language
        self.blockSignals(blocked)


class PlacementDock(QWidget):
    runRequested = pyqtSignal()
    addSiteToggled = pyqtSignal(bool)
    removeSiteRequested = pyqtSignal(str)

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.busy = False  # a task runs: Run placement is disabled
        self.blocked = False  # a parameter is invalid: Run placement is disabled
        self.k = QSpinBox(self)
        self.k.setRange(1, 1000)
        self.k.setValue(cp_project.PlacementSettings().k)
        # k = -1 in the project file (the command line's --k -1): the minimum plan. A box of its own, not a -1 in
        # the spin box: the number of sites is then the run's answer, not a setting; the spin box keeps the last
        # number for when the box is cleared.
        self.fewest = QCheckBox(self)
        self.mast = LocaleSpinBox(self)
        self.mast.setRange(1.0, 200.0)
        self.mast.setDecimals(1)
        self.mast.setSingleStep(5.0)
        self.k_label, self.mast_label = QLabel(self), QLabel(self)
        self.run_button = QPushButton(self)
        self.add_button = QPushButton(self)
        self.add_button.setCheckable(True)
        self.remove_button = QPushButton(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.sites = QListWidget(self)
        # a site's line (reach and backhaul) wraps in the narrow dock instead of running past its edge
        self.sites.setWordWrap(True)
        self.sites.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sites.setResizeMode(QListWidget.ResizeMode.Adjust)
        form = QFormLayout()
        form.addRow(self.k_label, self.k)
        form.addRow(self.fewest)
        form.addRow(self.mast_label, self.mast)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(form)
        lay.addWidget(self.run_button)
        lay.addWidget(self.summary)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        lay.addLayout(row)
        lay.addWidget(self.sites, 1)
        self.k.valueChanged.connect(self._k_changed)
        self.fewest.toggled.connect(self._fewest_toggled)
        self.mast.valueChanged.connect(self._mast_changed)
        self.run_button.clicked.connect(self.runRequested)
        self.add_button.toggled.connect(self.addSiteToggled)
        self.remove_button.clicked.connect(self._remove)
        self.sites.itemSelectionChanged.connect(self._update_remove_button)
        session.project_changed.connect(self.refresh)
        session.results_changed.connect(self.refresh)
        session.sites_changed.connect(lambda *_: self.refresh_sites())
        self.retranslate()

    def retranslate(self) -> None:
        self.k_label.setText(tr("Number of sites k"))
        self.fewest.setText(tr("As few sites as needed"))
        self.fewest.setToolTip(tr("The smallest number of mobile sites that reaches every polling station a site "
                                  "can reach (k = -1 in the project file)."))
        self.mast_label.setText(tr("Mast height (m)"))
        self.mast.retranslate()
        self.run_button.setText(tr("Run placement"))
        self.add_button.setText(tr("Add a site on the map"))
        self.add_button.setToolTip(tr("Then click the map where a mobile station could stand"))
        self.remove_button.setText(tr("Remove site"))
        self.refresh()

    def refresh(self) -> None:
        p = self.session.project
        for w in (self.fewest, self.mast, self.add_button):
            w.setEnabled(p is not None)
        self.run_button.setEnabled(p is not None and not self.busy and not self.blocked)
        if p is not None:
            fewest = int(p.placement.k) == cp_project.K_AS_FEW_AS_NEEDED
            for w in (self.k, self.fewest, self.mast):
                w.blockSignals(True)
            self.fewest.setChecked(fewest)
            if not fewest:
                self.k.setValue(int(p.placement.k))
            self.mast.setValue(float(p.placement.mast_height_m))
            for w in (self.k, self.fewest, self.mast):
                w.blockSignals(False)
        self.k.setEnabled(p is not None and not self.fewest.isChecked())
        self.refresh_sites()

    def set_busy(self, busy: bool, blocked: bool = False) -> None:
        """``busy``: a task runs; ``blocked``: a parameter is invalid. Either disables Run placement."""
        self.busy, self.blocked = bool(busy), bool(blocked)
        self.run_button.setEnabled(self.session.project is not None and not self.busy and not self.blocked)

    @staticmethod
    def _totals_text(k: int, n: int, v: int) -> str:
        return " · ".join((plural(k, "{n} site", "{n} sites"),
                           plural(n, "{n} more polling station reached", "{n} more polling stations reached"),
                           plural(v, "{n} voter", "{n} voters")))

    def _update_summary(self) -> None:
        """The optimiser's proposal (as in the results) and, after moves or added sites, the current sites."""
        res = self.session.results
        props = getattr(res, "proposals", None)
        lines = []
        if props is not None and len(props):
            lines.append(tr("Optimiser's proposal: {totals}", totals=self._totals_text(*whatif.proposal_totals(res))))
        elif res is not None:
            lines.append(tr("No proposed sites in these results."))
        if res is not None and self.session.user_sites:
            k, n, v, pending = whatif.current_totals(res, self.session.user_sites)
            text = tr("Current sites (with your changes): {totals}", totals=self._totals_text(k, n, v))
            lines.append(text + (f" ({tr('computing…')})" if pending else ""))
        self.summary.setText("\n".join(lines))

    def refresh_sites(self) -> None:
        self._update_summary()
        # the list is rebuilt whenever a site changes (its coverage computed): keep the user's selection
        selected = {it.data(Qt.ItemDataRole.UserRole) for it in self.sites.selectedItems()}
        self.sites.blockSignals(True)
        self.sites.clear()
        for site in self.session.user_sites.values():
            state = (tr("computing…") if site.level is None
                     else plural(len(site.covered), "{n} station reached", "{n} stations reached"))
            if site.backhaul:  # a satellite link to plan is as much the answer as the reach
                state += " · " + backhaul_text(site.backhaul)
            it = QListWidgetItem(f"{site.site_id} ({value_label('origin', site.origin)}): {state}")
            it.setData(Qt.ItemDataRole.UserRole, site.site_id)
            self.sites.addItem(it)
            if site.site_id in selected:
                it.setSelected(True)
                self.sites.setCurrentItem(it)
        self.sites.blockSignals(False)
        self._update_remove_button()

    def _update_remove_button(self) -> None:
        """Remove site acts on the selected site only (QA: with none selected it removed the first one)."""
        self.remove_button.setEnabled(bool(self.sites.selectedItems()))

    def _k_changed(self, value: int) -> None:
        if self.session.project is not None and not self.fewest.isChecked():
            self.session.project.placement.k = int(value)
            self.session.mark_dirty()

    def _fewest_toggled(self, on: bool) -> None:
        self.k.setEnabled(self.session.project is not None and not on)
        if self.session.project is not None:
            self.session.project.placement.k = cp_project.K_AS_FEW_AS_NEEDED if on else int(self.k.value())
            self.session.mark_dirty()

    def _mast_changed(self, value: float) -> None:
        if self.session.project is not None:
            self.session.project.placement.mast_height_m = float(value)
            self.session.mark_dirty()

    def _remove(self) -> None:
        selected = self.sites.selectedItems()
        if selected:
            self.removeSiteRequested.emit(selected[0].data(Qt.ItemDataRole.UserRole))


# ==========================================================================================================
# Scenario
# ==========================================================================================================
def _voters_text(n: int) -> str:
    """"1,234 voters" / "1.234 cử tri": the count with the language's thousands separator."""
    return tr("{n} voter" if n == 1 else "{n} voters", n=num(n))


class ScenarioDock(QWidget):
    runRequested = pyqtSignal()

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.busy = False  # a task runs: Re-run is disabled
        self.blocked = False  # a parameter is invalid: Re-run is disabled
        self.filter = QLineEdit(self)
        self.towers = QListWidget(self)
        self.run_button = QPushButton(self)
        self.clear_button = QPushButton(self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.lost = QListWidget(self)  # the polling stations the last scenario run took off the air
        self.lost.setWordWrap(True)  # long names wrap: the voters at the end stay visible in a narrow dock
        self.lost.setAlternatingRowColors(True)
        self.lost.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lost.hide()
        self.help = QLabel(self)
        self.help.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.help)
        lay.addWidget(self.filter)
        lay.addWidget(self.towers, 1)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.run_button)
        lay.addLayout(row)
        lay.addWidget(self.info)
        lay.addWidget(self.lost, 1)
        self._syncing = False
        self.towers.itemChanged.connect(self._item_changed)
        self.filter.textChanged.connect(self._apply_filter)
        self.run_button.clicked.connect(self.runRequested)
        self.clear_button.clicked.connect(self._clear)
        session.results_changed.connect(self.refresh)
        session.inputs_changed.connect(self.refresh)  # the towers are listed (and ticked) once inputs are read
        session.scenario_changed.connect(self._sync_checks)
        # another project's towers start unfiltered (QA: the last project's filter hid most towers of the next
        # one), as the Results tables do
        session.project_opened.connect(self.filter.clear)
        self.retranslate()

    def retranslate(self) -> None:
        self.help.setText(tr("Tick the towers that are off air (landslide, power cut), then re-run."))
        self.filter.setPlaceholderText(tr("Filter towers…"))
        self.run_button.setText(tr("Re-run with towers down"))
        self.clear_button.setText(tr("All on air"))
        self.refresh()

    def refresh(self) -> None:
        self._syncing = True
        try:
            self.towers.clear()
            res = self.session.results
            towers = getattr(res, "towers", None)
            if towers is None:  # before the first run: the checked inputs' towers
                towers = getattr(self.session.inputs, "towers", None)
            if towers is not None:
                for t in towers.itertuples():
                    label = f"{t.id} – {t.operator} {t.technology}"
                    if t.status != "on_air" and t.id not in self.session.down_towers:
                        label += f" ({value_label('status', t.status)})"
                    it = QListWidgetItem(label)
                    it.setData(Qt.ItemDataRole.UserRole, str(t.id))
                    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                                | Qt.ItemFlag.ItemIsSelectable)
                    it.setCheckState(Qt.CheckState.Checked if str(t.id) in self.session.down_towers
                                     else Qt.CheckState.Unchecked)
                    self.towers.addItem(it)
            self._update_run_button()
            self._apply_filter(self.filter.text())
            self._update_info()
        finally:
            self._syncing = False

    def set_busy(self, busy: bool, blocked: bool = False) -> None:
        """``busy``: a task runs; ``blocked``: a parameter is invalid. Either disables Re-run."""
        self.busy, self.blocked = bool(busy), bool(blocked)
        self._update_run_button()

    def _update_run_button(self) -> None:
        towers = getattr(self.session.results, "towers", None)
        self.run_button.setEnabled(self.session.project is not None and towers is not None
                                   and not self.busy and not self.blocked)

    def _sync_checks(self) -> None:
        self._syncing = True
        try:
            for i in range(self.towers.count()):
                it = self.towers.item(i)
                down = it.data(Qt.ItemDataRole.UserRole) in self.session.down_towers
                it.setCheckState(Qt.CheckState.Checked if down else Qt.CheckState.Unchecked)
        finally:
            self._syncing = False
        self._update_info()

    def _update_info(self) -> None:
        res = self.session.results
        parts = []
        if self.session.down_towers:
            parts.append(tr("Marked down: {ids}", ids=", ".join(sorted(self.session.down_towers))))
        self.lost.clear()
        if res is not None and getattr(res, "scenario", None) is not None and res.scenario.down:
            lost = res.lost_stations() if getattr(res, "newly_uncovered", None) else None
            if lost is None or not len(lost):
                parts.append(tr("Last run with {ids} down: no polling station loses all signal.",
                                ids=", ".join(res.scenario.down)))
            else:
                parts.append(tr("Last run with {ids} down: {n} polling stations lose all signal ({voters}):",
                                ids=", ".join(res.scenario.down), n=len(lost),
                                voters=_voters_text(int(lost["voters"].sum()))))
                for r in sort_names(lost, "commune", "name").itertuples(index=False):  # as in the report
                    it = QListWidgetItem(tr("{name} ({commune}) — {voters}", name=r.name, commune=r.commune,
                                            voters=_voters_text(int(r.voters))))
                    it.setData(Qt.ItemDataRole.UserRole, str(r.id))
                    it.setToolTip(it.text())
                    self.lost.addItem(it)
        self.lost.setVisible(self.lost.count() > 0)
        self.info.setText("\n".join(parts))

    def _item_changed(self, item) -> None:
        if not self._syncing:
            self.session.set_tower_down(item.data(Qt.ItemDataRole.UserRole),
                                        item.checkState() == Qt.CheckState.Checked)

    def _apply_filter(self, text: str) -> None:
        text = text.strip().casefold()
        for i in range(self.towers.count()):
            it = self.towers.item(i)
            it.setHidden(bool(text) and text not in it.text().casefold())

    def _clear(self) -> None:
        for tid in list(self.session.down_towers):
            self.session.set_tower_down(tid, False)

    def set_down(self, tower_ids) -> None:
        for tid in tower_ids:
            self.session.set_tower_down(str(tid), True)


# ==========================================================================================================
# Results
# ==========================================================================================================
RESULT_TABS = (  # (key, results attribute, map layer id, tab title)
    ("stations", "stations", "stations", "Polling stations"),
    ("communes", "communes", "communes", "Communes"),
    ("proposals", "proposals", "proposals", "Proposed sites"),
    ("gaps", "gaps", "gaps", "Gaps"),
    ("unreachable", "unreachable", None, "Unreachable"),
    ("contingency", "contingency", None, "If a site fails"),
)


class ResultsTable(QWidget):
    rowSelected = pyqtSignal(int)  # row position in the frame

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.model = DataFrameModel(parent=self)
        self.proxy = FrameFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the pipeline's order until a header is clicked
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setResizeContentsPrecision(30)  # sample rows: the gaps table has 20,000+
        self.view.verticalHeader().setDefaultSectionSize(22)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        self.filter.textChanged.connect(self._filter)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def set_frame(self, frame) -> None:
        self.model.set_frame(frame)
        self.resize_columns()
        self._update_count()

    def resize_columns(self) -> None:
        """Fit the columns to their header and (sampled) contents, at most 260 px each; a last column of the
        core's sentences (the unreachable reasons, the contingency notes) fills the table's width instead: a
        reason cut at 260 px shows only its first words (the whole sentence is in its tooltip)."""
        if self.model.columnCount() == 0:
            return
        self.view.resizeColumnsToContents()
        for c in range(self.model.columnCount()):
            if self.view.columnWidth(c) > 260:
                self.view.setColumnWidth(c, 260)
        self.view.horizontalHeader().setStretchLastSection(self.model.columns[-1] in MESSAGE_COLUMNS)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_count()

    def _update_count(self, *_) -> None:
        self.count.setText(tr("{shown} of {total}", shown=self.proxy.rowCount(), total=self.model.rowCount()))
        # lay out now: a tab is filled when opened, after its page was laid out with the old count, and Qt
        # re-lays out only on the next event-loop turn ('15 of 15' drawn or grabbed as '15 o' until then)
        self.layout().activate()

    def _selected(self, *_) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.rowSelected.emit(int(self.proxy.data(rows[0], ROW_ROLE)))

    def select_source_row(self, row: int) -> bool:
        src = self.model.index(row, 0)
        idx = self.proxy.mapFromSource(src)
        if not idx.isValid():
            return False
        self.view.blockSignals(True)
        self.view.selectionModel().blockSignals(True)
        self.view.selectRow(idx.row())
        self.view.selectionModel().blockSignals(False)
        self.view.blockSignals(False)
        self.view.scrollTo(idx)
        return True

    def displayed_column(self, column: str) -> list[str]:
        """The column's texts in the current (sorted, filtered) order, as shown."""
        c = self.model.columns.index(column)
        return [self.proxy.data(self.proxy.index(r, c)) for r in range(self.proxy.rowCount())]


class ResultsDock(QWidget):
    featureSelected = pyqtSignal(str, int)  # map layer id, row

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget(self)
        self.tables: dict[str, ResultsTable] = {}
        for key, _attr, layer_id, _title in RESULT_TABS:
            table = ResultsTable(self)
            if layer_id is not None:
                table.rowSelected.connect(lambda row, lid=layer_id: self.featureSelected.emit(*self._feature(lid, row)))
            self.tables[key] = table
            self.tabs.addTab(table, "")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        # one event-loop turn after the map is drawn, so the two never block the window together
        self._stale: set[str] = set()
        self.tabs.currentChanged.connect(self._tab_changed)
        session.results_changed.connect(lambda: QTimer.singleShot(20, self.refresh))
        session.sites_changed.connect(self._sites_changed)
        session.project_opened.connect(self._project_opened)
        self.retranslate()

    def _project_opened(self) -> None:
        """Another project (not the same one saved or with an input replaced): its tables start unfiltered."""
        for table in self.tables.values():
            table.filter.clear()

    def retranslate(self) -> None:
        for i, (key, _a, _l, title) in enumerate(RESULT_TABS):
            self.tabs.setTabText(i, tr(title))
            self.tables[key].filter.setPlaceholderText(tr("Filter (any column)…"))
            self.tables[key].model.retranslate()
            self.tables[key].resize_columns()  # the translated headers have other widths
            self.tables[key]._update_count()
        self._update_summary()

    def refresh(self) -> None:
        """Fill the visible table now and the others when their tab is first opened (the gaps table of
        the sample has 22,000 rows: filling every table at once blocked the window for 0.2 s)."""
        self._stale = {key for key, *_ in RESULT_TABS}
        self._fill(RESULT_TABS[self.tabs.currentIndex()][0])
        self._update_summary()

    def _fill(self, key: str) -> None:
        if key not in self._stale:
            return
        self._stale.discard(key)
        attr = next(a for k, a, *_ in RESULT_TABS if k == key)
        res = self.session.results
        if res is not None and key == "proposals":  # the sites as they stand (moved, added), as the exports
            frame = whatif.current_sites(res, self.session.user_sites)
        else:
            frame = getattr(res, attr, None) if res is not None else None
        self.tables[key].set_frame(frame)

    def _sites_changed(self, *_) -> None:
        self._stale.add("proposals")
        if RESULT_TABS[self.tabs.currentIndex()][0] == "proposals":
            self._fill("proposals")

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(RESULT_TABS):
            self._fill(RESULT_TABS[index][0])

    def table(self, key: str) -> ResultsTable:
        """The table of one tab, filled if it was not yet."""
        self._fill(key)
        return self.tables[key]

    def _update_summary(self) -> None:
        res = self.session.results
        if res is None:  # with a project open, "open a project" pointed at a step already done
            self.summary.setText(tr("No results yet: open a project and run the analysis.")
                                 if self.session.project is None else
                                 tr("No results yet: run the analysis (Analysis ▸ Run analysis, F5)."))
            return
        sc, vc = res.station_counts(), res.voter_counts()
        parts = []
        for status, colour in (("good", "#1a9850"), ("weak", "#e08000"), ("none", "#d7191c")):
            parts.append(f"<b style='color:{colour}'>{value_label('status', status)}</b>: "
                         + tr("{n} stations, {v} voters", n=num(sc[status]), v=num(vc[status])))
        scen = scenario_label(res.scenario.name) if getattr(res, "scenario", None) is not None else ""
        if getattr(res, "scenario", None) is not None and res.scenario.down:
            scen += " – " + tr("down: {ids}", ids=", ".join(res.scenario.down))
        self.summary.setText(f"<b>{res.project_name}</b> ({scen}) &nbsp; " + " &nbsp;·&nbsp; ".join(parts))

    def _n_proposals(self) -> int:
        props = getattr(self.session.results, "proposals", None)
        return 0 if props is None else len(props)

    def _feature(self, layer_id: str, row: int) -> tuple[str, int]:
        """The map feature of a table row: the proposed-sites table lists the added sites after the proposals
        (:func:`coverage_planner.whatif.current_sites`), drawn on the map as the "user_sites" layer."""
        n = self._n_proposals()
        if layer_id == "proposals" and row >= n:
            return "user_sites", row - n
        return layer_id, row

    def select_feature(self, layer_id: str, row: int) -> bool:
        if layer_id == "user_sites":  # an added site: its row after the proposals
            layer_id, row = "proposals", row + self._n_proposals()
        for i, (key, _a, lid, _t) in enumerate(RESULT_TABS):
            if lid == layer_id:
                self.tabs.setCurrentIndex(i)
                return self.table(key).select_source_row(row)
        return False


# ==========================================================================================================
# Attributes of the clicked object
# ==========================================================================================================
class AttributesDock(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 2, self)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        self._last: tuple[str, list[tuple[str, object]]] | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("Field"), tr("Value")])
        self.table.horizontalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)
        if self._last is not None:
            self.show_attributes(*self._last)
        else:
            self.title.setText(tr("Click an object on the map to see its attributes."))

    def show_attributes(self, title, items: list[tuple[str, object]]) -> None:
        """``title``: text, or a function returning it in the current language (re-called after a switch)."""
        self._last = (title, items)
        self.title.setText(title() if callable(title) else title)
        self.table.setRowCount(len(items))
        for r, (key, value) in enumerate(items):
            k = QTableWidgetItem(column_label(key))
            k.setToolTip(key)
            self.table.setItem(r, 0, k)
            self.table.setItem(r, 1, QTableWidgetItem(_fmt_value(key, value)))
        self.table.resizeColumnToContents(0)

    def values(self) -> dict[str, object]:
        """The raw values shown, by field name."""
        return dict(self._last[1]) if self._last is not None else {}

    def items(self) -> dict[str, str]:
        return {self.table.item(r, 0).toolTip(): self.table.item(r, 1).text() for r in range(self.table.rowCount())}


def _fmt_value(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, (int, float)):  # as the tables show it: "1.355", "-87,5", "11.228" in Vietnamese
        return number_text(key, value)
    return value_label(key, str(value))



