"""The merge fields of a Word document: which `<mf:name>` field is replaced with which text."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from faxgui.api.models import DocMergeData

COL_KEY = 0
COL_VALUE = 1


class MergeFieldsEditor(QWidget):
    """A two-column table of merge field names and the text that replaces each.

    Signals:
        edited(): a field was added, removed or changed.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Field name", "Replace with"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setMinimumHeight(90)
        self.add_button = QPushButton("Add field")
        self.add_button.setToolTip("Add a merge field (Ctrl+Shift+F)")
        self.remove_button = QPushButton("Remove field")
        self.remove_button.setToolTip("Remove the selected merge field (Delete)")

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add_field)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemChanged.connect(self._changed)
        add_shortcut = QShortcut(QKeySequence("Ctrl+Shift+F"), self)
        add_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        add_shortcut.activated.connect(self.add_field)
        remove_shortcut = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        remove_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_shortcut.activated.connect(self.remove_selected)

    def set_fields(self, fields: Sequence[DocMergeData]) -> None:
        """Show these fields (replacing what is shown), without emitting `edited`."""
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for field in fields:
            self._append(field.key, field.value)
        self.table.blockSignals(False)

    def fields(self) -> list[DocMergeData]:
        """The fields as entered; rows with neither a name nor a value are left out."""
        result: list[DocMergeData] = []
        for row in range(self.table.rowCount()):
            key = self._cell(row, COL_KEY)
            value = self._cell(row, COL_VALUE)
            if key.strip() or value:
                result.append(DocMergeData(key.strip(), value))
        return result

    def add_field(self) -> None:
        """Add an empty row and start typing its name."""
        if not self.isEnabled():
            return
        self.table.blockSignals(True)
        row = self._append("", "")
        self.table.blockSignals(False)
        self.table.setCurrentCell(row, COL_KEY)
        self.table.setFocus()
        item = self.table.item(row, COL_KEY)
        if item is not None:
            self.table.editItem(item)

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self.edited.emit()

    def _append(self, key: str, value: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, COL_KEY, QTableWidgetItem(key))
        self.table.setItem(row, COL_VALUE, QTableWidgetItem(value))
        return row

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _changed(self, _item: QTableWidgetItem) -> None:
        self.edited.emit()
