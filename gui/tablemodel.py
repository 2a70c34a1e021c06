"""A read-only Qt table model over a pandas DataFrame, with a sort role that sorts numbers as numbers and
texts in Vietnamese order (:func:`coverage_planner.i18n.natural_key`, as the report and the map)."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
from PyQt6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from coverage_planner.i18n import natural_key
from gui.i18n import MESSAGE_COLUMNS, NO_VALUE, column_label, hide_server, number_text, value_label

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # position of the row in the source frame


def _display(value, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        # the language's separators and the column's decimals, as the Attributes panel: "1.355", "-87,5" (vi);
        # sorting uses SORT_ROLE
        return number_text(column, value)
    return value_label(column, str(value))


class DataFrameModel(QAbstractTableModel):
    """Shows every column of ``frame`` except ``geometry``; headers are translated column labels."""

    def __init__(self, frame: pd.DataFrame | None = None, parent=None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        self._columns: list[str] = []
        self.set_frame(frame)

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def set_frame(self, frame) -> None:
        self.beginResetModel()
        self._frame = pd.DataFrame() if frame is None else frame
        self._columns = [c for c in self._frame.columns if c != "geometry"]
        self._values = [self._frame[c].to_numpy() for c in self._columns]
        self._n_servers = self._frame["n_servers"].to_numpy() if "n_servers" in self._frame.columns else None
        self.endResetModel()

    def retranslate(self) -> None:
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(self._columns) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self._columns[index.column()]
        value = self._values[index.column()][index.row()]
        if self._n_servers is not None and hide_server(col, self._n_servers[index.row()]):
            # no (backup) server: the strongest tower below the weak threshold is not a server; shown empty
            value = NO_VALUE
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(value, col)
        if role == SORT_ROLE:
            if isinstance(value, (bool, np.bool_)):
                return int(value)
            if isinstance(value, (int, np.integer)):
                return int(value)
            if isinstance(value, (float, np.floating)):
                return -math.inf if math.isnan(value) else float(value)
            # texts: their collation key (cached), "Phường Điện Biên Phủ" before "Phường Mường Lay", số 2 before 10
            return natural_key("" if value is None else str(value))
        if role == ROW_ROLE:
            return index.row()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col in MESSAGE_COLUMNS:  # the whole sentence (the column is cut at 260 px), translated, wrapped
                return f"<p>{html.escape(col)} = {html.escape(_display(value, col))}</p>"
            return f"{col} = {value}"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
                return self._columns[section]
            return None
        if orientation == Qt.Orientation.Horizontal:
            return column_label(self._columns[section])
        return str(section + 1)


class FrameFilterProxy(QSortFilterProxyModel):
    """Case-insensitive substring filter over all columns; sorting numbers as numbers, texts in Vietnamese order
    (the model's SORT_ROLE gives their collation keys)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setDynamicSortFilter(True)

    def lessThan(self, left, right) -> bool:
        a = self.sourceModel().data(left, SORT_ROLE)
        b = self.sourceModel().data(right, SORT_ROLE)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return str(a) < str(b)  # collation keys
