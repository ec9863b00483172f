"""The page viewer: page pictures, the pages themselves and a bar of zoom and page controls.

One `PageViewer` shows the document in the stamp designer and another the fax
in the preview pane. It opens files on a worker and says in a sentence when a
file cannot be shown, in place of the pages.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from faxgui.imaging.page_images import PageSource, UnrenderableDocumentError
from faxgui.ui.designer.page_thumbnails import PageThumbnails
from faxgui.ui.designer.page_view import BACKGROUND, PageView
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

NO_DOCUMENT = "No document to show."


class PageViewer(QWidget):
    """Thumbnails, the page view and its tool bar, working together.

    Use `open_file` or `open_data` to open a document on a worker, or
    `set_document` with a `PageSource` already open; `show_message` puts a
    sentence in place of the pages (while a preview is being made, say).

    Signals:
        document_shown(int): a document's pages are on screen; its page count.
        document_failed(str): a document could not be opened; the sentence shown.
    """

    document_shown = Signal(int)
    document_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = PageView(self)
        self._thumbnails = PageThumbnails(self)
        self._thumbnails_allowed = True
        self._message = QLabel(NO_DOCUMENT, self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setMargin(24)
        self._message.setAutoFillBackground(True)
        palette = self._message.palette()
        palette.setColor(palette.ColorRole.Window, BACKGROUND)
        palette.setColor(palette.ColorRole.WindowText, Qt.GlobalColor.white)
        self._message.setPalette(palette)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._message)
        self._stack.addWidget(self._view)
        self._opening = 0
        self._build_tool_bar()

        pages = QHBoxLayout()
        pages.setContentsMargins(0, 0, 0, 0)
        pages.setSpacing(0)
        pages.addWidget(self._thumbnails)
        pages.addWidget(self._stack, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._tool_bar)
        layout.addLayout(pages, 1)

        self._thumbnails.follow(self._view)
        self._thumbnails.page_chosen.connect(self._view.go_to_page)
        self._view.current_page_changed.connect(self._current_page_changed)
        self._view.zoom_changed.connect(self._zoom_changed)
        self._show_pages(False)

    # ------------------------------------------------------------------ public API

    @property
    def view(self) -> PageView:
        """The page view (place stamps on its `page_item`s, listen to its clicks)."""
        return self._view

    @property
    def thumbnails(self) -> PageThumbnails:
        """The strip of page pictures."""
        return self._thumbnails

    def message(self) -> str:
        """The sentence shown in place of the pages ("" while pages are shown)."""
        return "" if self._stack.currentWidget() is self._view else self._message.text()

    def set_thumbnails_allowed(self, allowed: bool) -> None:
        """Show the thumbnail strip (for documents of several pages) or keep it hidden,
        when two viewers share the width."""
        self._thumbnails_allowed = allowed
        self._thumbnails.setVisible(
            allowed and self._stack.currentWidget() is self._view and self._view.page_count() > 1
        )

    def set_document(self, source: PageSource | None) -> None:
        """Show `source`'s pages (None: show that there is nothing to show)."""
        self._opening += 1
        if source is None:
            self.show_message(NO_DOCUMENT)
            return
        # Laid out first, so the view fits the pages to the width it will really have (a
        # drawing made for another width would be thrown away), and shown: a graphics view
        # laid out while hidden re-centres itself when shown.
        self._stack.setCurrentWidget(self._view)
        self._thumbnails.setVisible(self._thumbnails_allowed and source.page_count > 1)
        self.layout().activate()
        self._view.set_document(source)
        self._thumbnails.set_document(source)
        self._show_pages(True)
        self._page.blockSignals(True)
        self._page.setRange(1, source.page_count)
        self._page.setValue(1)
        self._page.blockSignals(False)
        self._of.setText(f" of {source.page_count} ")
        self.document_shown.emit(source.page_count)

    def open_file(self, path: str | os.PathLike[str]) -> None:
        """Open the file at `path` on a worker and show it (or say why it cannot be shown)."""
        self._open(Path(path).name, path, None)

    def open_data(self, file_name: str, data: bytes) -> None:
        """Open a document held in memory (its type read from `file_name`) and show it."""
        self._open(file_name, file_name, data)

    def show_message(self, text: str) -> None:
        """Put `text` in place of the pages, and forget the document shown."""
        self._opening += 1
        if self._view.source() is not None:
            self._view.set_document(None)
            self._thumbnails.set_document(None)
        self._message.setText(text)
        self._show_pages(False)

    # ------------------------------------------------------------------ internals

    def _open(self, file_name: str, source: str | os.PathLike[str], data: bytes | None) -> None:
        self.show_message(f"Opening {file_name}…")
        ticket = self._opening

        def opened(page_source: PageSource) -> None:
            if ticket == self._opening:
                self.set_document(page_source)

        def failed(error: Exception) -> None:
            if ticket != self._opening:
                return
            if isinstance(error, UnrenderableDocumentError):
                text = str(error)
            else:
                log.error("Opening %s failed unexpectedly", file_name, exc_info=error)
                text = f"{file_name} could not be opened for showing. It may still be sent."
            self.show_message(text)
            self.document_failed.emit(text)

        run_task(PageSource, source, data, on_done=opened, on_error=failed, context=self)

    def _build_tool_bar(self) -> None:
        bar = QToolBar("Page view", self)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        style = self.style()

        def action(text: str, tip: str, slot: object) -> QAction:
            act = QAction(text, self)
            act.setToolTip(tip)
            act.triggered.connect(slot)
            bar.addAction(act)
            return act

        self.zoom_out_action = action(
            "\N{MINUS SIGN}",
            f"Zoom out ({_keys(QKeySequence.StandardKey.ZoomOut)})",
            self._view.zoom_out,
        )
        self._zoom_label = QLabel("100%", bar)
        self._zoom_label.setMinimumWidth(self._zoom_label.fontMetrics().horizontalAdvance("400%"))
        self._zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._zoom_label.setAccessibleName("Zoom")
        self._zoom_label.setObjectName("zoom")
        bar.addWidget(self._zoom_label)
        self.zoom_in_action = action(
            "+", f"Zoom in ({_keys(QKeySequence.StandardKey.ZoomIn)})", self._view.zoom_in
        )
        self.fit_width_action = action(
            "Fit width", "Make the pages as wide as the view (Ctrl+0)", self._view.fit_width
        )
        self.fit_page_action = action(
            "Fit page", "Show the whole page at once", self._view.fit_page
        )
        bar.addSeparator()
        self.previous_action = action(
            "Previous",
            "Previous page (Page Up)",
            lambda: self._view.go_to_page(self._view.current_page() - 1),
        )
        self.previous_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowUp))
        bar.addWidget(QLabel(" Page ", bar))
        self._page = QSpinBox(bar)
        self._page.setAccessibleName("Page number")
        self._page.setKeyboardTracking(False)
        self._page.valueChanged.connect(lambda value: self._view.go_to_page(value - 1))
        bar.addWidget(self._page)
        self._of = QLabel(" of 0 ", bar)
        bar.addWidget(self._of)
        self.next_action = action(
            "Next",
            "Next page (Page Down)",
            lambda: self._view.go_to_page(self._view.current_page() + 1),
        )
        self.next_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self._tool_bar = bar

    def _show_pages(self, shown: bool) -> None:
        self._stack.setCurrentWidget(self._view if shown else self._message)
        self._thumbnails.setVisible(
            self._thumbnails_allowed and shown and self._view.page_count() > 1
        )
        for act in self._tool_bar.actions():
            act.setEnabled(shown)
        self._page.setEnabled(shown)
        self._page.setSpecialValueText("" if shown else " ")
        self._zoom_label.setEnabled(shown)
        if not shown:
            # Blank rather than "Page 0 of 0" and a zoom that applies to nothing.
            self._page.blockSignals(True)
            self._page.setRange(0, 0)
            self._page.blockSignals(False)
            self._of.setText("      ")
            self._zoom_label.setText("")
        else:
            self._zoom_changed(self._view.zoom())
        self._update_page_actions()

    def _current_page_changed(self, page: int) -> None:
        self._page.blockSignals(True)
        self._page.setValue(page + 1)
        self._page.blockSignals(False)
        self._thumbnails.set_current_page(page)
        self._update_page_actions()

    def _update_page_actions(self) -> None:
        count = self._view.page_count()
        page = self._view.current_page()
        self.previous_action.setEnabled(count > 0 and page > 0)
        self.next_action.setEnabled(count > 0 and page < count - 1)

    def _zoom_changed(self, factor: float) -> None:
        self._zoom_label.setText(f"{round(factor * 100)}%")


def _keys(key: QKeySequence.StandardKey) -> str:
    bindings = QKeySequence.keyBindings(key)
    return bindings[0].toString(QKeySequence.SequenceFormat.NativeText) if bindings else ""
