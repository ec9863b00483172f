"""The "Track a reference" window: follow a fax sent from another workstation or program.

The receptionist types a BroadcastRef, SendRef or MessageRef; the window
guesses which from faxgui's own pattern (FG-20260302-7KQ3MXA2-S1-M4) and
lets them choose. Following asks the service (on a worker) and records the
faxes in the history, which the panel then shows like its own. A wrong
reference gets the service's answer in a sentence, and the window stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from faxgui.ui.feedback import ERROR_STYLE, NOTE_STYLE, describe_error
from faxgui.ui.status.actions import RefKind, track_reference
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.jobs.history import JobHistory
    from faxgui.ui.status.loading import Changes

KIND_WORDS = (
    (RefKind.BROADCAST, "Broadcast reference"),
    (RefKind.SEND, "Send reference"),
    (RefKind.MESSAGE, "Message reference"),
)

_MESSAGE = re.compile(r"-S\d+-M\d+$", re.IGNORECASE)
_SEND = re.compile(r"-S\d+$", re.IGNORECASE)


def guess_kind(reference: str) -> RefKind:
    """Which kind faxgui's own references are; anything else is taken as a broadcast's."""
    reference = reference.strip()
    if _MESSAGE.search(reference):
        return RefKind.MESSAGE
    if _SEND.search(reference):
        return RefKind.SEND
    return RefKind.BROADCAST


class TrackDialog(QDialog):
    """Asks for a reference and follows it; `tracked` holds its rows once it worked.

    Signals: only QDialog's (accepted once the reference is followed).
    """

    def __init__(
        self,
        history: JobHistory,
        client_factory: Callable[[], MonopondClient],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._client_factory = client_factory
        self._kind_chosen = False
        self.tracked: Changes | None = None
        self.reference: tuple[RefKind, str] | None = None
        self.setWindowTitle("Track a reference")

        intro = QLabel(
            "Follow a fax sent from another computer or program, as if it had been sent "
            "from here. Type its reference as the sender gave it to you."
        )
        intro.setWordWrap(True)
        self.reference_edit = QLineEdit()
        self.reference_edit.setPlaceholderText("For example FG-20260302-7KQ3MXA2")
        self.reference_edit.setClearButtonEnabled(True)
        self.kind_combo = QComboBox()
        for kind, text in KIND_WORDS:
            self.kind_combo.addItem(text, kind)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.follow_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.follow_button.setText("&Follow")
        self.follow_button.setEnabled(False)

        form = QFormLayout()
        form.addRow("&Reference:", self.reference_edit)
        form.addRow("&It is a:", self.kind_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

        self.reference_edit.textChanged.connect(self._typed)
        self.kind_combo.activated.connect(self._kind_picked)
        self.buttons.accepted.connect(self.follow)
        self.buttons.rejected.connect(self.reject)

    def _typed(self, text: str) -> None:
        self.follow_button.setEnabled(bool(text.strip()))
        self.message.hide()
        if not self._kind_chosen:
            kind = guess_kind(text)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def _kind_picked(self, _index: int) -> None:
        self._kind_chosen = True

    def follow(self) -> None:
        """Ask the service about the reference (on a worker); close once it is followed."""
        reference = self.reference_edit.text().strip()
        if not reference:
            self._say("Type the reference to follow.", ERROR_STYLE)
            return
        if any(c.isspace() for c in reference):
            self._say(
                "A reference has no spaces. Check it against what the sender gave you.",
                ERROR_STYLE,
            )
            return
        kind = self.kind_combo.currentData()
        self.follow_button.setEnabled(False)
        self.reference_edit.setEnabled(False)
        self._say(f"Asking the fax service about {reference} …", NOTE_STYLE)
        run_task(
            track_reference,
            self._history,
            self._client_factory,
            kind,
            reference,
            on_done=lambda changes: self._followed(kind, reference, changes),
            on_error=self._failed,
            context=self,
        )

    def _followed(self, kind: RefKind, reference: str, changes: Changes) -> None:
        self.tracked = changes
        self.reference = (kind, reference)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.follow_button.setEnabled(True)
        self.reference_edit.setEnabled(True)
        self.reference_edit.setFocus()
        self._say(describe_error(error), ERROR_STYLE)

    def _say(self, text: str, style: str) -> None:
        self.message.setStyleSheet(style)
        self.message.setText(text)
        self.message.show()
