"""The designer's side panel: add, list and edit a document's stamps, with exact coordinates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from faxgui.api.enums import Resolution
from faxgui.api.models import ImageStampMergeData, TextStampMergeData
from faxgui.compose.stamp_edit import (
    MAX_FONT_SIZE,
    MIN_FONT_SIZE,
    MIN_IMAGE_SIZE,
    STAMP_IMAGE_EXTENSIONS,
    CoordinateFrame,
    StampImage,
    StampImageError,
    default_image_size,
    read_stamp_image,
)
from faxgui.imaging.stamp_fonts import DEFAULT_FONT_NAME, DEFAULT_FONT_SIZE, STAMP_FONT_NAMES
from faxgui.imaging.stamp_geometry import FAX_WIDTH
from faxgui.ui.designer.stamp_items import PendingImage, PendingText, StampLayer
from faxgui.ui.designer.stamp_list import COL_SIZE, COL_STAMP, StampListModel
from faxgui.ui.feedback import ERROR, NOTE
from faxgui.ui.workers import run_task

PLACING_STYLE = (
    "QLabel { background: #e8f0fe; color: #0b3d91; border: 1px solid #a6c1f0;"
    " border-radius: 4px; padding: 6px; }"
)

RESOLUTION_NAMES = {
    Resolution.NORMAL: "Normal (98 lines per inch)",
    Resolution.FINE: "Fine (196 lines per inch)",
}
IMAGE_FILTER = "Images ({})".format(" ".join(f"*.{ext}" for ext in STAMP_IMAGE_EXTENSIONS))


def _font_combo() -> QComboBox:
    combo = QComboBox()
    combo.addItems(STAMP_FONT_NAMES)
    combo.setCurrentText(DEFAULT_FONT_NAME)
    combo.setMaxVisibleItems(20)
    combo.setToolTip("The fonts the fax service can print a stamp in")
    return combo


def _size_spin() -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(float(MIN_FONT_SIZE), float(MAX_FONT_SIZE))
    spin.setDecimals(1)
    spin.setSingleStep(1.0)
    spin.setSuffix(" pt")
    spin.setValue(DEFAULT_FONT_SIZE)
    spin.setKeyboardTracking(False)
    spin.setToolTip("The size of the letters on the printed page, in points (12 is usual)")
    return spin


class TextStampDialog(QDialog):
    """Asks for a text stamp's words, font and size before it is placed on the page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a text stamp")
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Such as RECEIVED or PAID")
        self.font_combo = _font_combo()
        self.size_spin = _size_spin()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.place_button = buttons.addButton(
            "Place on the page", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.place_button.setEnabled(False)
        form = QFormLayout(self)
        form.addRow("&Text:", self.text_edit)
        form.addRow("&Font:", self.font_combo)
        form.addRow("&Size:", self.size_spin)
        note = QLabel("Then click on the page where the text should start.")
        note.setStyleSheet(NOTE.style())
        form.addRow(note)
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.text_edit.textChanged.connect(
            lambda text: self.place_button.setEnabled(bool(text.strip()))
        )

    def pending(self) -> PendingText:
        return PendingText(
            self.text_edit.text(),
            self.font_combo.currentText(),
            Decimal(str(round(self.size_spin.value(), 1))),
        )


class StampPanel(QWidget):
    """Every stamp of the document in a list, the selected one's numbers, and Add/Delete.

    Signals:
        message(str): a sentence for the user (an image that cannot be used, say).
    """

    message = Signal(str)

    def __init__(self, layer: StampLayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self._loading = False
        self.text_dialog: TextStampDialog | None = None
        self.image_dialog: QFileDialog | None = None
        self._last_folder = ""

        self.every_page_note = QLabel(
            "Stamps are printed on <b>every page</b> of this document, at the same place."
        )
        self.every_page_note.setWordWrap(True)
        self.help_note = QLabel(
            "Drag a stamp to move it, or select it and nudge it with the arrow keys "
            "(Shift+arrow: 10 pixels). Drag an image's corner to resize it."
        )
        self.help_note.setWordWrap(True)
        self.help_note.setStyleSheet(NOTE.style())

        self.add_text_button = QPushButton("Add &text…")
        self.add_text_button.setToolTip("Type a text, then click on the page where it goes")
        self.add_image_button = QPushButton("Add &image…")
        self.add_image_button.setToolTip(
            "Choose a picture (a signature, a logo), then click on the page where it goes"
        )
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Delete the selected stamp (Delete)")

        self.placing_label = QLabel()
        self.placing_label.setStyleSheet(PLACING_STYLE)
        self.placing_label.setWordWrap(True)
        self.cancel_placing_button = QPushButton("Cancel")
        self.cancel_placing_button.setToolTip("Do not add the stamp (Esc)")
        self.placing_row = QWidget()
        placing_layout = QHBoxLayout(self.placing_row)
        placing_layout.setContentsMargins(0, 0, 0, 0)
        placing_layout.addWidget(self.placing_label, 1)
        placing_layout.addWidget(self.cancel_placing_button)
        self.placing_row.hide()

        self.problem_label = QLabel()
        self.problem_label.setStyleSheet(ERROR.style())
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()

        self.model = StampListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_STAMP, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(110)
        self.empty_note = QLabel("No stamps yet: press Add text… or Add image….")
        self.empty_note.setStyleSheet(NOTE.style())
        self.empty_note.setWordWrap(True)

        self.resolution_combo = QComboBox()
        for resolution, name in RESOLUTION_NAMES.items():
            self.resolution_combo.addItem(name, resolution.value)
        self.resolution_combo.setToolTip(
            "Across, a fax has 1728 pixels at both resolutions; down, fine has twice the lines"
        )
        self.resolution_note = QLabel()
        self.resolution_note.setStyleSheet(NOTE.style())
        self.resolution_note.setWordWrap(True)

        self.editor_box = QGroupBox("Selected stamp")
        self.x_spin = self._pixel_spin(" px", "Fax pixels from the left edge of the page")
        self.y_spin = self._pixel_spin(" lines", "Scan lines from the top of the page")
        self.text_edit = QLineEdit()
        self.font_combo = _font_combo()
        self.size_spin = _size_spin()
        self.width_spin = self._pixel_spin(" px", "The image's width in fax pixels")
        self.height_spin = self._pixel_spin(" lines", "The image's height in scan lines")
        self.keep_shape_check = QCheckBox("Keep its shape")
        self.keep_shape_check.setChecked(True)
        self.keep_shape_check.setToolTip(
            "Changing the width changes the height to match, and the other way round"
        )
        self.kind_pages = QStackedWidget()
        self._build_layout()

        self.model.set_rows(layer.stamps, self._frame())
        self.set_shown_resolution(layer.resolution)
        self.add_text_button.clicked.connect(self.choose_text)
        self.add_image_button.clicked.connect(self.choose_image)
        self.delete_button.clicked.connect(self.delete_selected)
        self.cancel_placing_button.clicked.connect(layer.cancel_placing)
        self.resolution_combo.activated.connect(
            lambda _i: self.set_shown_resolution(Resolution(self.resolution_combo.currentData()))
        )
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.x_spin.valueChanged.connect(self._position_typed)
        self.y_spin.valueChanged.connect(self._position_typed)
        self.width_spin.valueChanged.connect(lambda _v: self._size_typed(self.width_spin))
        self.height_spin.valueChanged.connect(lambda _v: self._size_typed(self.height_spin))
        self.text_edit.textEdited.connect(self._text_typed)
        self.font_combo.activated.connect(self._text_typed)
        self.size_spin.valueChanged.connect(self._text_typed)
        layer.stamps_changed.connect(self._rows_changed)
        layer.stamp_changed.connect(self._stamp_changed)
        layer.selection_changed.connect(self._selection_changed)
        layer.placing_changed.connect(self._placing_changed)
        self._rows_changed()

    def _pixel_spin(self, suffix: str, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setSuffix(suffix)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        spin.setAccelerated(True)
        spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        return spin

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_text_button)
        buttons.addWidget(self.add_image_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)

        position = QHBoxLayout()
        position.addWidget(QLabel("X:"))
        position.addWidget(self.x_spin, 1)
        position.addWidget(QLabel("Y:"))
        position.addWidget(self.y_spin, 1)

        text_page = QWidget()
        text_form = QFormLayout(text_page)
        text_form.setContentsMargins(0, 0, 0, 0)
        text_form.addRow("Text:", self.text_edit)
        text_form.addRow("Font:", self.font_combo)
        text_form.addRow("Size:", self.size_spin)
        image_page = QWidget()
        image_form = QFormLayout(image_page)
        image_form.setContentsMargins(0, 0, 0, 0)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_spin, 1)
        size_row.addWidget(QLabel("×"))  # noqa: RUF001
        size_row.addWidget(self.height_spin, 1)
        image_form.addRow("Size:", size_row)
        image_form.addRow("", self.keep_shape_check)
        self.kind_pages.addWidget(text_page)
        self.kind_pages.addWidget(image_page)

        editor = QFormLayout(self.editor_box)
        editor.addRow("Position:", position)
        editor.addRow(self.kind_pages)

        resolution_row = QHBoxLayout()
        resolution_row.addWidget(QLabel("Numbers for:"))
        resolution_row.addWidget(self.resolution_combo, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.every_page_note)
        layout.addLayout(buttons)
        layout.addWidget(self.placing_row)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.editor_box)
        layout.addLayout(resolution_row)
        layout.addWidget(self.resolution_note)
        layout.addWidget(self.help_note)

    # ------------------------------------------------------------------ coordinates

    def _frame(self) -> CoordinateFrame | None:
        return self.layer.frame(0) if self.layer.view.page_count() else None

    def shown_resolution(self) -> Resolution:
        return self.model.shown

    def set_shown_resolution(self, resolution: Resolution) -> None:
        """Show the numbers as they read for a fax at `resolution` (the stamps stay put)."""
        self.resolution_combo.setCurrentIndex(self.resolution_combo.findData(resolution.value))
        self.model.set_shown_resolution(resolution)
        sent = RESOLUTION_NAMES[self.layer.resolution].split(" (")[0].lower()
        if resolution is self.layer.resolution:
            self.resolution_note.setText(
                f"This fax is sent at {sent} resolution: these are the numbers sent."
            )
        else:
            self.resolution_note.setText(
                f"This fax is sent at {sent} resolution, so the numbers sent differ from "
                "these in Y and height; the stamps print at the same place either way."
            )
        self._show_selected()

    def refresh_frame(self) -> None:
        """The view's document was set again: its pages may have other sizes."""
        self.model.set_rows(self.layer.stamps, self._frame())
        self._rows_changed()

    # ------------------------------------------------------------------ adding

    def choose_text(self) -> None:
        """Ask for a text stamp; once given, the next click on a page places it."""
        if self.layer.read_only:
            return
        dialog = TextStampDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.layer.start_placing(dialog.pending()))
        self.text_dialog = dialog
        dialog.open()

    def choose_image(self) -> None:
        """Ask for an image file; once read, the next click on a page places it."""
        if self.layer.read_only:
            return
        dialog = QFileDialog(self, "Choose an image to stamp on the pages", self._last_folder)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([IMAGE_FILTER, "All files (*)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.add_image_file(Path(name)))
        self.image_dialog = dialog
        dialog.open()

    def add_image_file(self, path: Path) -> None:
        """Read an image file (on a worker), then wait for the click that places it."""
        self._last_folder = str(path.parent)
        self._show_problem("")
        run_task(
            read_stamp_image,
            path,
            on_done=self._image_read,
            on_error=self._image_failed,
            context=self,
        )

    def _image_read(self, image: StampImage) -> None:
        frame = self._frame()
        ratio = frame.lines_per_pixel() if frame is not None else 0.5
        width, height = default_image_size(image.width, image.height, ratio)
        self.layer.start_placing(PendingImage(image, width, height))

    def _image_failed(self, error: Exception) -> None:
        if isinstance(error, StampImageError):
            self._show_problem(str(error))
        else:
            self._show_problem(f"The image could not be read ({error}).")

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
        if text:
            self.message.emit(text)

    def _placing_changed(self, placing: bool) -> None:
        self.placing_label.setText(
            "Now click on the page where the stamp goes (its top-left corner; a text's "
            "first capital letter). Esc cancels."
        )
        self.placing_row.setVisible(placing)

    def delete_selected(self) -> None:
        self.layer.delete(self.layer.selected())

    # ------------------------------------------------------------------ list and selection

    def _rows_changed(self) -> None:
        self.model.refresh()
        has_rows = bool(self.layer.stamps)
        self.table.setVisible(has_rows)
        self.empty_note.setVisible(not has_rows)
        self._selection_changed(self.layer.selected())

    def _stamp_changed(self, index: int) -> None:
        self.model.update_rows([index])
        if index == self.layer.selected():
            self._show_selected()
        self.table.resizeColumnToContents(COL_SIZE)

    def _selection_changed(self, index: int) -> None:
        selection = self.table.selectionModel()
        if index < 0:
            selection.clearSelection()
            selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        elif self.table.currentIndex().row() != index:
            selection.setCurrentIndex(
                self.model.index(index, COL_STAMP),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._show_selected()

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.layer.select(current.row())

    def _show_selected(self) -> None:
        index = self.layer.selected()
        read_only = self.layer.read_only
        self.delete_button.setEnabled(index >= 0 and not read_only)
        self.add_text_button.setEnabled(not read_only)
        self.add_image_button.setEnabled(not read_only)
        self.editor_box.setVisible(index >= 0)
        self.editor_box.setEnabled(not read_only)
        if index < 0:
            return
        stamp = self.layer.stamps[index]
        frame = self._frame()
        shown = self.model.shown
        lines = FAX_WIDTH
        if frame is not None:
            _, lines = frame.shown_size(FAX_WIDTH, frame.bounds().height, shown)
        self._loading = True
        try:
            x, y = self.model.shown_position(index)
            self.x_spin.setRange(0, FAX_WIDTH - 1)
            self.y_spin.setRange(0, max(0, lines - 1))
            self.x_spin.setValue(x)
            self.y_spin.setValue(y)
            if isinstance(stamp, TextStampMergeData):
                self.editor_box.setTitle("Selected text stamp")
                self.kind_pages.setCurrentIndex(0)
                if self.text_edit.text() != stamp.text:
                    self.text_edit.setText(stamp.text)
                self.font_combo.setCurrentText(stamp.font_name or DEFAULT_FONT_NAME)
                self.size_spin.setValue(float(stamp.font_size or Decimal(DEFAULT_FONT_SIZE)))
            else:
                self.editor_box.setTitle(f"Selected image: {stamp.file_name}")
                self.kind_pages.setCurrentIndex(1)
                size = self.model.shown_size(index) or (MIN_IMAGE_SIZE, MIN_IMAGE_SIZE)
                self.width_spin.setRange(MIN_IMAGE_SIZE, FAX_WIDTH)
                self.height_spin.setRange(MIN_IMAGE_SIZE, max(MIN_IMAGE_SIZE, lines))
                self.width_spin.setValue(size[0])
                self.height_spin.setValue(size[1])
        finally:
            self._loading = False

    # ------------------------------------------------------------------ typed numbers

    def _stored(self, x: int, y: int) -> tuple[int, int]:
        frame = self._frame()
        return (x, y) if frame is None else frame.stored(x, y, self.model.shown)

    def _stored_size(self, width: int, height: int) -> tuple[int, int]:
        frame = self._frame()
        return (
            (width, height) if frame is None else frame.stored_size(width, height, self.model.shown)
        )

    def _position_typed(self, _value: int) -> None:
        index = self.layer.selected()
        if self._loading or index < 0:
            return
        self.layer.move_to(index, *self._stored(self.x_spin.value(), self.y_spin.value()))
        # The page may not have room where the numbers say: show where the stamp went.
        self._show_selected()

    def _size_typed(self, changed: QSpinBox) -> None:
        index = self.layer.selected()
        if self._loading or index < 0:
            return
        stamp = self.layer.stamps[index]
        if not isinstance(stamp, ImageStampMergeData):
            return
        width, height = self.width_spin.value(), self.height_spin.value()
        if self.keep_shape_check.isChecked():
            old = self.model.shown_size(index)
            if old is not None and old[0] and old[1]:
                if changed is self.width_spin:
                    height = max(MIN_IMAGE_SIZE, round(width * old[1] / old[0]))
                else:
                    width = max(MIN_IMAGE_SIZE, round(height * old[0] / old[1]))
        self.layer.resize(index, *self._stored_size(width, height))
        self._show_selected()

    def _text_typed(self, *_args: object) -> None:
        index = self.layer.selected()
        if self._loading or index < 0:
            return
        stamp = self.layer.stamps[index]
        if not isinstance(stamp, TextStampMergeData):
            return
        text = self.text_edit.text()
        if not text.strip():
            self._show_problem("Type the text to stamp, or delete the stamp.")
            return
        self._show_problem("")
        size = Decimal(str(round(self.size_spin.value(), 1)))
        self.layer.set_text(index, text, self.font_combo.currentText(), size)
