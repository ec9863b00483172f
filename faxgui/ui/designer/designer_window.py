"""The stamp designer: one window per document, its pages with their stamps, and the fax preview.

A PDF, TIFF or picture opens on its pages, with the stamps drawn where the fax
service prints them and a side panel to add, list and edit them. A Word
document has no pages here to stamp: the window edits its merge fields
instead and says why. Every change goes straight into the `DraftDocument`
and `edited` is emitted, so the composer saves the draft and sends what the
designer shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from faxgui.api.enums import Resolution
from faxgui.compose.draft import DraftDocument
from faxgui.imaging.formats import PDF, TIFF, file_type_for
from faxgui.imaging.stamp_geometry import DEFAULT_CONVENTION, StampConvention
from faxgui.ui.composer.merge_fields_editor import MergeFieldsEditor
from faxgui.ui.designer.page_viewer import PageViewer
from faxgui.ui.designer.preview_pane import PreviewPane
from faxgui.ui.designer.stamp_items import StampLayer
from faxgui.ui.designer.stamp_panel import StampPanel
from faxgui.ui.feedback import NOTE

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient

WARNING_STYLE = (
    "QLabel { background: #fff4d6; color: #5c4400; border: 1px solid #e5c56b;"
    " border-radius: 4px; padding: 6px; }"
)
PREVIEW_AFTER_EDIT_MS = 1200
"""A preview on screen is made again this long after the last change to the stamps."""

READ_ONLY_TEXT = "This fax is being sent or has gone out: its stamps can be looked at, not changed."


class DesignerWindow(QDialog):
    """A document's stamps (or a Word document's merge fields), edited beside its pages.

    Signals:
        edited(): the document's stamps or merge fields changed.
    """

    edited = Signal()

    def __init__(
        self,
        document: DraftDocument,
        resolution: Resolution,
        *,
        convention: StampConvention = DEFAULT_CONVENTION,
        client_factory: Callable[[], MonopondClient] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(f"Stamps and preview: {document.label}")
        self._client_factory = client_factory
        self.preview_pane = PreviewPane()
        self.preview_pane.set_client_factory(client_factory)
        self.preview_pane.set_resolution(resolution)
        self.preview_pane.saved_copy_changed.connect(lambda _document: self.edited.emit())
        # The pane's own button previews again once it has a document; the first press gives
        # it this one (opening the window does not send the document anywhere by itself).
        self.preview_button = self.preview_pane.preview_button
        self.preview_button.setEnabled(True)
        self.preview_button.clicked.connect(self._first_preview)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_AFTER_EDIT_MS)
        self._preview_timer.timeout.connect(self._preview_again)
        self.edited.connect(self._stamps_edited)
        self.read_only_label = QLabel(READ_ONLY_TEXT)
        self.read_only_label.setStyleSheet(WARNING_STYLE)
        self.read_only_label.setWordWrap(True)
        self.read_only_label.hide()
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)

        file_type = file_type_for(document.file_name or "")
        self.is_word = file_type is not None and file_type.accepts_doc_merge
        self.viewer: PageViewer | None = None
        self.layer: StampLayer | None = None
        self.stamp_panel: StampPanel | None = None
        self.merge_editor: MergeFieldsEditor | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_label)
        if self.is_word:
            layout.addWidget(self._build_word(), 1)
            self.resize(1100, 760)
        else:
            layout.addWidget(self._build_stamps(resolution, convention), 1)
            self.resize(1360, 900)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)

    # ------------------------------------------------------------------ building

    def _build_stamps(self, resolution: Resolution, convention: StampConvention) -> QWidget:
        viewer = self.viewer = PageViewer()
        layer = self.layer = StampLayer(viewer.view, self.document.stamps, resolution, convention)
        layer.setParent(self)
        panel = self.stamp_panel = StampPanel(layer)
        file_type = file_type_for(self.document.file_name or "")
        if file_type not in (PDF, TIFF):
            self.type_note = QLabel(
                f"The fax service documents stamps for PDF and TIFF pages; on a "
                f"{file_type.label if file_type else 'file of this kind'} they may not be "
                "printed. Save it as PDF to be sure."
            )
            self.type_note.setStyleSheet(WARNING_STYLE)
            self.type_note.setWordWrap(True)
            panel.layout().insertWidget(0, self.type_note)
        panel.setMinimumWidth(340)

        # The original and the fax share the middle: side by side, to compare them, or in
        # two tabs, when each needs the whole width to be read.
        self.tabs = QTabWidget()
        self.tabs.currentChanged.connect(self._tab_changed)
        self.pair = QSplitter(Qt.Orientation.Horizontal)
        self.pair.setChildrenCollapsible(False)
        self.middle = QStackedWidget()
        self.middle.addWidget(self.tabs)
        self.middle.addWidget(self.pair)
        self.side_by_side_box = QCheckBox("Show the fax beside the original")
        self.side_by_side_box.setToolTip(
            "Side by side to compare them; unticked, the original and the fax are two tabs"
        )
        self.side_by_side_box.toggled.connect(self._set_side_by_side)
        middle_box = QWidget()
        middle_column = QVBoxLayout(middle_box)
        middle_column.setContentsMargins(0, 0, 0, 0)
        middle_column.addWidget(self.side_by_side_box, 0, Qt.AlignmentFlag.AlignRight)
        middle_column.addWidget(self.middle, 1)
        self.side_by_side_box.setChecked(True)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(middle_box)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([980, 380])
        self.splitter = splitter

        viewer.document_shown.connect(self._pages_shown)
        layer.edited.connect(self.edited)
        assert self.document.path is not None
        viewer.open_file(self.document.path)
        return splitter

    def _build_word(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        note = QLabel(
            "Stamps apply to PDF and TIFF pages, so a Word document cannot be stamped. "
            "Its merge fields can be filled in: each <mf:name> field in the document is "
            "replaced with the text given here when the fax is sent."
        )
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        hint = QLabel("To stamp it, save it as PDF and add the PDF to the fax instead.")
        hint.setStyleSheet(NOTE.style())
        hint.setWordWrap(True)
        editor = self.merge_editor = MergeFieldsEditor()
        editor.set_fields(self.document.doc_merge_data)
        editor.edited.connect(self._merge_edited)
        column.addWidget(note)
        column.addWidget(editor)
        column.addWidget(hint)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(box)
        splitter.addWidget(self.preview_pane)
        splitter.setSizes([380, 720])
        self.splitter = splitter
        return splitter

    # ------------------------------------------------------------------ behaviour

    def set_read_only(self, read_only: bool) -> None:
        """While the fax is sent (or once it went out), nothing here can be changed."""
        self.read_only_label.setVisible(read_only)
        if self.layer is not None:
            self.layer.set_read_only(read_only)
        if self.stamp_panel is not None:
            self.stamp_panel.refresh_frame()
        if self.merge_editor is not None:
            self.merge_editor.setEnabled(not read_only)

    def refresh(self) -> None:
        """The document was changed elsewhere (its merge fields in the composer): show it."""
        if self.merge_editor is not None:
            self.merge_editor.set_fields(self.document.doc_merge_data)

    def show_preview(self) -> None:
        """Ask the fax service for the document as the fax will print, beside the original."""
        self.preview_pane.show_preview(self.document)

    @property
    def side_by_side(self) -> bool:
        """True while the fax preview is shown beside the original, not in a tab of its own."""
        return self.middle.currentWidget() is self.pair

    def _set_side_by_side(self, on: bool) -> None:
        assert self.viewer is not None
        viewer, pane = self.viewer, self.preview_pane
        if on:
            self.tabs.blockSignals(True)
            self.tabs.clear()
            self.tabs.blockSignals(False)
            self.pair.addWidget(viewer)
            self.pair.addWidget(pane)
            # A tab's stack hid the one not current; in the splitter both show.
            viewer.show()
            pane.show()
            self.pair.setStretchFactor(0, 1)
            self.pair.setStretchFactor(1, 1)
            self.middle.setCurrentWidget(self.pair)
        else:
            self.tabs.blockSignals(True)
            self.tabs.addTab(viewer, "Pages and stamps")
            self.tabs.addTab(pane, "As the fax will print")
            self.tabs.setTabToolTip(1, "The document drawn by the fax service, with its stamps")
            self.tabs.setCurrentIndex(0)
            self.tabs.blockSignals(False)
            self.middle.setCurrentWidget(self.tabs)
        # Two strips of thumbnails would leave each page too narrow to read.
        viewer.set_thumbnails_allowed(not on)
        pane.viewer.set_thumbnails_allowed(not on)

    def _tab_changed(self, index: int) -> None:
        # Looking at the fax is asking for it; the first time, make the preview.
        if self.tabs.widget(index) is self.preview_pane and self.preview_pane.document is None:
            self.show_preview()

    def _first_preview(self) -> None:
        if self.preview_pane.document is None:
            self.show_preview()

    def _stamps_edited(self) -> None:
        # A preview on screen would show the stamps where they were: make it again shortly.
        if self.preview_pane.preview is not None or self.preview_pane.running:
            self._preview_timer.start()

    def _preview_again(self) -> None:
        if self.isVisible():
            self.preview_pane.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._preview_timer.stop()
        self.preview_pane.cancel()
        super().closeEvent(event)

    def _pages_shown(self, _pages: int) -> None:
        assert self.layer is not None
        assert self.stamp_panel is not None
        self.layer.rebuild()
        self.stamp_panel.refresh_frame()

    def _merge_edited(self) -> None:
        assert self.merge_editor is not None
        self.document.doc_merge_data = self.merge_editor.fields()
        self.edited.emit()

    def _escape(self) -> None:
        if self.layer is not None and self.layer.placing:
            self.layer.cancel_placing()
        elif self.layer is not None and self.layer.selected() >= 0:
            self.layer.select(-1)
        else:
            self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape cancels placing, then the selection, before it closes the window.
        if event.key() == Qt.Key.Key_Escape:
            self._escape()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.refresh()
        super().changeEvent(event)
