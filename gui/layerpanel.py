"""The layer panel: one checkable row per map layer (top of the list = drawn on top), drag to reorder,
opacity slider and up/down buttons for the selected layer."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gui.i18n import tr, value_label
from gui.render import (
    ADDED_RGBA,
    DOWN_COLOUR,
    LEVEL_STEPS,
    PROPOSAL_COLOUR,
    STATUS_COLOURS,
    STATUS_SYMBOLS,
    SYMBOL_GLYPHS,
)


def _swatch(rgb: tuple[int, int, int], text: str) -> str:
    return (f"<span style='background-color: rgb({rgb[0]},{rgb[1]},{rgb[2]})'>&nbsp;&nbsp;&nbsp;&nbsp;</span>"
            f"&nbsp;{text}")


def legend_html(layer_ids=None) -> str:
    """Colour key of the level raster and the station symbols (same palette as the HTML map).

    ``layer_ids``: the layers on the map; the level key and the proposed sites / added coverage entries are
    shown only when those layers exist (not before a run). None = everything."""
    has = (lambda lid: True) if layer_ids is None else (lambda lid: lid in layer_ids)
    parts = []
    if has("coverage"):
        parts.append(_level_key())
    if has("stations"):
        stations = " ".join(
            f"<span style='color: {STATUS_COLOURS[s].name()}'>{SYMBOL_GLYPHS[STATUS_SYMBOLS[s]]}</span>"
            f"&nbsp;{value_label('status', s)}"
            for s in ("good", "weak", "none") if s in STATUS_COLOURS)
        parts.append(f"<b>{tr('Polling stations')}</b><br>{stations}")
    if has("towers"):  # the HTML map's and the PDF's tower entries: ▲ a tower, ✕ a tower down
        parts.append(f"▲&nbsp;{tr('Tower')} &nbsp;<span style='color: {DOWN_COLOUR.name()}'><b>✕</b></span>"
                     f"&nbsp;{tr('Tower down')}")
    extra = []
    if has("proposals"):
        extra.append(f"<span style='color: {PROPOSAL_COLOUR.name()}'>★</span>&nbsp;{tr('Proposed mobile sites')}")
        # the user's sites (added, or proposals moved): the star hollow, as drawn (☆)
        extra.append(f"<span style='color: {PROPOSAL_COLOUR.name()}'>☆</span>&nbsp;{tr('Sites you moved or added')}")
    if has("proposal_coverage"):
        extra.append(_swatch(ADDED_RGBA[:3], tr("Added coverage")))
    if extra:
        parts.append(" &nbsp;".join(extra))
    return "<br>".join(parts)


def _level_key() -> str:
    rows = []
    prev = None
    for lo, colour in LEVEL_STEPS:
        if prev is None:
            label = f"≥ {lo:.0f}"
        elif lo == float("-inf"):
            label = f"&lt; {prev:.0f}"
        else:
            label = f"{lo:.0f} … {prev:.0f}"
        rows.append(_swatch(colour[:3], label.replace("-", "−") + " dBm"))
        prev = lo
    return f"<b>{tr('Best received level (dBm)')}</b><br>" + "<br>".join(rows)

ID_ROLE = Qt.ItemDataRole.UserRole


class _LayerList(QListWidget):
    orderChanged = pyqtSignal()

    def dropEvent(self, event) -> None:
        super().dropEvent(event)
        self.orderChanged.emit()


class LayerPanel(QWidget):
    def __init__(self, canvas, parent=None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.list = _LayerList(self)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # long titles ("Vùng phủ bổ sung của trạm đề xuất") wrap instead of needing a horizontal scroll bar
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.opacity_label = QLabel(self)
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(100)
        self.up_button = QPushButton("▲", self)
        self.down_button = QPushButton("▼", self)
        for b in (self.up_button, self.down_button):
            b.setFixedWidth(32)
        row = QHBoxLayout()
        row.addWidget(self.opacity_label)
        row.addWidget(self.opacity, 1)
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        lay.addWidget(self.legend)

        self._syncing = False
        canvas.layersChanged.connect(self.refresh)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.orderChanged.connect(self._apply_order)
        self.list.currentItemChanged.connect(self._on_current)
        self.opacity.valueChanged.connect(self._on_opacity)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(+1))
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.opacity_label.setText(tr("Opacity"))
        self.up_button.setToolTip(tr("Move layer up"))
        self.down_button.setToolTip(tr("Move layer down"))
        self.list.setToolTip(tr("Tick to show a layer; drag to change the drawing order"))
        self._update_legend()
        self.legend.setToolTip(tr("Added coverage: cells where the proposed sites give at least weak signal "
                                  "and the towers give less"))

    def _update_legend(self) -> None:
        text = legend_html({lyr.layer_id for lyr in self.canvas.layers()})
        self.legend.setText(text)
        self.legend.setVisible(bool(text))

    def layer_ids(self) -> list[str]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]

    def current_layer_id(self) -> str | None:
        it = self.list.currentItem()
        return None if it is None else it.data(ID_ROLE)

    def select_layer(self, layer_id: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == layer_id:
                self.list.setCurrentRow(i)
                return

    def refresh(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            current = self.current_layer_id()
            layers = self.canvas.layers()
            if self.layer_ids() != [lyr.layer_id for lyr in layers]:
                self.list.clear()
                for lyr in layers:
                    it = QListWidgetItem(lyr.title)
                    it.setData(ID_ROLE, lyr.layer_id)
                    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
                    self.list.addItem(it)
            for i, lyr in enumerate(layers):
                it = self.list.item(i)
                it.setText(lyr.title)
                it.setCheckState(Qt.CheckState.Checked if lyr.visible else Qt.CheckState.Unchecked)
            if current is not None:
                self.select_layer(current)
            self._sync_opacity()
            self._update_legend()
        finally:
            self._syncing = False

    def _sync_opacity(self) -> None:
        lid = self.current_layer_id()
        lyr = self.canvas.layer(lid) if lid else None
        self.opacity.setEnabled(lyr is not None)
        if lyr is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(int(round(lyr.opacity * 100)))
            self.opacity.blockSignals(False)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.canvas.set_layer_visible(item.data(ID_ROLE), item.checkState() == Qt.CheckState.Checked)
        finally:
            self._syncing = False

    def _on_current(self, *_):
        if not self._syncing:
            self._sync_opacity()

    def _on_opacity(self, value: int) -> None:
        lid = self.current_layer_id()
        if lid is None:
            return
        self._syncing = True
        try:
            self.canvas.set_layer_opacity(lid, value / 100.0)
        finally:
            self._syncing = False

    def _apply_order(self) -> None:
        self._syncing = True
        try:
            self.canvas.set_layer_order(self.layer_ids())
        finally:
            self._syncing = False

    def move_selected(self, delta: int) -> None:
        row = self.list.currentRow()
        new = row + delta
        if row < 0 or not (0 <= new < self.list.count()):
            return
        ids = self.layer_ids()
        ids.insert(new, ids.pop(row))
        self.canvas.set_layer_order(ids)
        self.list.setCurrentRow(new)
