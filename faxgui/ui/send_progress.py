"""The send's own window: checking, the warnings to confirm, "Sending part 3 of 17…", the outcome.

`SendProgressDialog` follows one SendController and shows itself when a
send begins. It is never modal: the composer and the rest of the window
keep working while a broadcast goes out. The wording of the outcome is in
plain functions (`outcome_counts`, `outcome_title`, `outcome_lines`) so it
is tested without widgets.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faxgui.ui.feedback import ERROR, NOTE
from faxgui.ui.send_controller import SendController

if TYPE_CHECKING:
    from faxgui.compose.pipeline import SendReport


def waiting_explanation(count: int) -> str:
    """What "waiting in the outbox" means for `count` faxes."""
    if count == 1:
        return "not yet submitted — it will go out by itself when the fax service can be reached"
    return "not yet submitted — they will go out by themselves when the fax service can be reached"


def _faxes(count: int) -> str:
    return f"{count:,} fax{'' if count == 1 else 'es'}"


def outcome_counts(report: SendReport, fax_counts: Mapping[str, int]) -> dict[str, int]:
    """Faxes submitted, waiting, failed and cancelled in `report`.

    `fax_counts` gives the faxes in each request by SendRef; a request it
    does not list counts as one.
    """
    from faxgui.jobs.store import SendState

    names = {
        SendState.SUBMITTED: "submitted",
        SendState.OUTBOX: "waiting",
        SendState.SUBMITTING: "waiting",
        SendState.FAILED: "failed",
        SendState.CANCELLED: "cancelled",
    }
    counts = dict.fromkeys(("submitted", "waiting", "failed", "cancelled"), 0)
    for result in report.results:
        counts[names[result.state]] += fax_counts.get(result.send_ref, 1)
    return counts


def outcome_title(report: SendReport, fax_counts: Mapping[str, int]) -> str:
    """The heading for a finished send: how it went, in a few words."""
    counts = outcome_counts(report, fax_counts)
    others = sum(counts.values()) - counts["submitted"]
    if not others:
        return "Sent to the fax service"
    if counts["waiting"] == others:
        return "Waiting to be sent" if not counts["submitted"] else "Partly sent, the rest waits"
    if counts["cancelled"] == others:
        return "Cancelled" if not counts["submitted"] else "Partly sent, the rest cancelled"
    return "Not sent" if not counts["submitted"] else "Not all sent"


def outcome_lines(report: SendReport, fax_counts: Mapping[str, int]) -> list[str]:
    """What happened to every fax of the send: submitted, waiting, failed (and why), cancelled."""
    counts = outcome_counts(report, fax_counts)
    lines: list[str] = []
    if counts["submitted"]:
        lines.append(f"Submitted: {_faxes(counts['submitted'])}.")
    if counts["waiting"]:
        reason = ""
        if report.stopped_by is not None:
            why = getattr(report.stopped_by, "user_message", str(report.stopped_by))
            reason = f" The reason: {why}"
        lines.append(
            f"Waiting in the outbox: {_faxes(counts['waiting'])}, "
            f"{waiting_explanation(counts['waiting'])}.{reason}"
        )
    if counts["failed"]:
        lines.append(f"Failed: {_faxes(counts['failed'])}.")
        lines += list(dict.fromkeys(r.message for r in report.failed if r.message))
    if counts["cancelled"]:
        lines.append(f"Cancelled: {_faxes(counts['cancelled'])}, not sent.")
    return lines


def progress_title(done: int, total: int) -> str:
    """The heading while sending: "Sending part 3 of 17…"."""
    if total <= 1:
        return "Sending the fax…"
    if done >= total:
        return f"All {total} parts handed over"
    return f"Sending part {done + 1} of {total}…"


class SendProgressDialog(QDialog):
    """Shows one SendController's sends: the check, its warnings, the progress, the outcome.

    Not modal; it shows itself when the controller starts checking a draft.
    Escape (or Cancel) cancels the send; after the outcome it closes.
    """

    def __init__(self, controller: SendController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._total = 0
        self.setWindowTitle("Sending fax")
        self.setModal(False)
        self.setMinimumWidth(460)

        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)

        self.send_anyway_button = QPushButton("&Send anyway")
        self.cancel_button = QPushButton("&Cancel")
        self.close_button = QPushButton("C&lose")
        # Enter presses the focused button, and focus goes to the safe one at each step.
        for button in (self.send_anyway_button, self.cancel_button, self.close_button):
            button.setAutoDefault(True)
        self.send_anyway_button.setToolTip("Send the fax even so (Alt+S)")
        self.cancel_button.setToolTip(
            "Stop sending (Esc). A part already on its way to the fax service finishes; "
            "the parts after it are not sent."
        )

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_anyway_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addWidget(self.bar)
        # Room left over when a step shows less (no bar, a shorter text) goes below the text.
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setTabOrder(self.send_anyway_button, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.close_button)

        self.send_anyway_button.clicked.connect(controller.confirm)
        self.cancel_button.clicked.connect(self._cancel)
        self.close_button.clicked.connect(self.close)
        controller.checking.connect(self._on_checking)
        controller.warnings_found.connect(self._on_warnings)
        controller.started.connect(self._on_started)
        controller.progress.connect(self._on_progress)
        controller.finished.connect(self._on_finished)
        controller.failed.connect(self._on_failed)
        controller.abandoned.connect(self.close)
        self._show_buttons(cancel=True)

    # ------------------------------------------------------------------ controller

    def _on_checking(self) -> None:
        self._total = 0
        self.title.setText("Checking the fax…")
        self._set_detail("Reading the documents and looking through recent faxes.")
        self.bar.setRange(0, 0)
        self.bar.show()
        self._show_buttons(cancel=True)
        self.show()

    def _on_warnings(self, warnings: list[str]) -> None:
        self.title.setText("Before you send")
        items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setText(
            f"<ul style='margin-left: -20px'>{items}</ul>"
            "Send anyway only if this is what you meant; Cancel leaves the fax unsent."
        )
        self.detail.setStyleSheet("")
        self.bar.hide()
        self._show_buttons(send_anyway=True, cancel=True)
        # Cancel is the safe answer, so it is the one Enter or Space presses.
        self.cancel_button.setFocus()
        self.show()

    def _on_started(self, total: int) -> None:
        self._total = total
        self.title.setText(progress_title(0, total))
        self._set_detail("Recording the fax before it goes out.")
        self.bar.setRange(0, total)
        self.bar.setValue(0)
        self.bar.show()
        self._show_buttons(cancel=True)
        self.cancel_button.setFocus()
        self.show()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        if not self._controller.cancelling:
            self.title.setText(progress_title(done, total))
        self._set_detail(self._progress_detail(done, message))

    def _progress_detail(self, done: int, message: str) -> str:
        counts = list(self._controller.fax_counts.values())
        handed = sum(counts[:done])
        total = sum(counts)
        if not message.startswith("Sending") or total <= 1:
            return message
        return f"{handed:,} of {total:,} faxes handed over so far."

    def _on_finished(self, report: SendReport) -> None:
        counts = self._controller.fax_counts
        self.title.setText(outcome_title(report, counts))
        lines = outcome_lines(report, counts)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setText("\n".join(lines))
        self.detail.setStyleSheet(ERROR.style() if report.failed else "")
        self.bar.setRange(0, max(1, len(report.results)))
        self.bar.setValue(len(report.submitted))
        self._show_buttons(close=True)
        self.close_button.setFocus()
        self.show()

    def _on_failed(self, message: str) -> None:
        self.title.setText("Not sent")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setText(message)
        self.detail.setStyleSheet(ERROR.style())
        self.bar.hide()
        self._show_buttons(close=True)
        self.close_button.setFocus()
        self.show()

    # ------------------------------------------------------------------ user

    def _cancel(self) -> None:
        if self._controller.awaiting_confirmation or not self._controller.busy:
            self._controller.cancel()
            self.close()
            return
        self._controller.cancel()
        self.title.setText("Cancelling…")
        self._set_detail(
            "The part on its way to the fax service now finishes; the parts after it are not sent."
        )
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        """Escape: cancel a send under way, or close once it has ended."""
        if self._controller.busy:
            self._cancel()
        else:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing the window while a send runs would hide it, not stop it: cancel instead.
        if self._controller.busy and not self._controller.awaiting_confirmation:
            self._cancel()
            event.ignore()
            return
        if self._controller.awaiting_confirmation:
            self._controller.cancel()
        super().closeEvent(event)

    # ------------------------------------------------------------------ helpers

    def _set_detail(self, text: str) -> None:
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setStyleSheet(NOTE.style())
        self.detail.setText(text)

    def _show_buttons(
        self, *, send_anyway: bool = False, cancel: bool = False, close: bool = False
    ) -> None:
        self.send_anyway_button.setVisible(send_anyway)
        self.cancel_button.setVisible(cancel)
        self.cancel_button.setEnabled(cancel)
        self.close_button.setVisible(close)
