"""The header line editor: the format with its documented codes, and how the line will print."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.header_format import (
    DEFAULT_HEADER_FORMAT,
    TOKENS,
    HeaderPreview,
    render_header,
)
from faxgui.ui.feedback import NOTE

NO_SENDER_ID = "[sender ID]"
NO_NUMBER = "[fax number]"


class _ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it does not fit, instead of widening its row."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(
            self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width())
        )


class HeaderFormatEditor(QWidget):
    """Edits a HeaderFormat: empty means the default one, which the field shows greyed.

    The preview prints the line for the sender ID and number given to
    `set_context()` (the first recipient's), the way the service lays it out:
    the part before `|` on the left, the rest on the right, then "1 of 1".

    Signals:
        edited(): the format was changed by the user.
    """

    edited = Signal()

    def __init__(self, default_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._send_from: str | None = None
        self._send_to: str | None = None
        self._inherited: str | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(default_text or f"Default: {DEFAULT_HEADER_FORMAT}")
        self.edit.setClearButtonEnabled(True)
        self.insert_button = QPushButton("Insert code")
        self.insert_button.setToolTip("Insert a code such as the date or the fax number")
        self.insert_menu = QMenu(self.insert_button)
        for token in TOKENS:
            action = QAction(f"{token.token}  —  {token.description}", self.insert_menu)
            action.setData(token.token)
            action.triggered.connect(lambda _=False, code=token.token: self.insert(code))
            self.insert_menu.addAction(action)
        self.insert_button.setMenu(self.insert_menu)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.preview_left = _ElidedLabel()
        self.preview_right = QLabel()
        for label in (self.preview_left, self.preview_right):
            label.setFont(mono)
        self.preview_frame = QFrame()
        self.preview_frame.setObjectName("headerPreview")
        self.preview_frame.setStyleSheet(
            "#headerPreview { background: white; border: 1px solid #b8b8b8; }"
            " QLabel { color: black; }"
        )
        preview_row = QHBoxLayout(self.preview_frame)
        preview_row.setContentsMargins(6, 3, 6, 3)
        preview_row.addWidget(self.preview_left, 1)
        preview_row.addWidget(self.preview_right)
        self.preview_caption = QLabel("How it prints on the first recipient's fax:")
        self.preview_caption.setStyleSheet(NOTE.style())

        edit_row = QHBoxLayout()
        edit_row.setContentsMargins(0, 0, 0, 0)
        edit_row.addWidget(self.edit, 1)
        edit_row.addWidget(self.insert_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(edit_row)
        layout.addWidget(self.preview_caption)
        layout.addWidget(self.preview_frame)

        self.edit.textEdited.connect(self._edited)
        self._update_preview()

    def format(self) -> str | None:
        """The format typed, or None when the field is empty (the default applies)."""
        return self.edit.text() or None

    def set_format(self, fmt: str | None) -> None:
        """Show `fmt` (None: empty, the default applies) without emitting `edited`."""
        self.edit.setText(fmt or "")
        self._update_preview()

    def set_inherited(self, fmt: str | None) -> None:
        """The format that applies when this one is empty (None: the service's default)."""
        self._inherited = fmt
        self._update_preview()

    def set_context(self, send_from: str | None, send_to: str | None) -> None:
        """The sender ID and number (service form) the preview prints."""
        self._send_from, self._send_to = send_from, send_to
        self._update_preview()

    def insert(self, code: str) -> None:
        """Type `code` at the cursor, as if the user had typed it."""
        self.edit.insert(code)
        self.edit.setFocus()
        self._edited()

    def preview_text(self) -> str:
        """The previewed line in one string, as `HeaderPreview.text()` gives it."""
        return self._render().text()

    def _render(self) -> HeaderPreview:
        return render_header(
            self.format() or self._inherited,
            self._send_from or NO_SENDER_ID,
            self._send_to or NO_NUMBER,
            datetime.now(),
        )

    def _edited(self) -> None:
        self._update_preview()
        self.edited.emit()

    def _update_preview(self) -> None:
        preview = self._render()
        self.preview_left.set_full_text(preview.left)
        self.preview_right.setText(preview.text().removeprefix(preview.left).strip())
