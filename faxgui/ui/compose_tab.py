"""The "New fax" tab: the composer, sending what it holds, the outbox, and the autosaved draft.

`ComposeTab` puts together what issue 3's parts need from each other: the
composer page, a SendController with its progress window, the
OutboxWatcher that sends what waits in the outbox (sharing the controller's
pipeline, so no request is ever delivered twice at once), and the
DraftAutosaver that keeps the draft on disk. Given the address book
(`set_address_book`), "To:" suggests its contacts and groups, and its window
adds recipients to the fax. It also decides what becomes
of a draft once it went out: a fax the service has (or that waits in the
outbox) is done, so it stays in view but locked, the tab offers a new one,
and its references are never sent again; a fax the service refused, or that
was cancelled before it went out, keeps its contents and gets new
references, so it can be sent once fixed. Copies of its documents saved on
the service for a preview are deleted (on a worker, best effort) when an
unsent fax is cleared away; those of a fax that went out are kept, since
it may refer to them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.draft import Draft
from faxgui.jobs.store import JobStore, SendState
from faxgui.ui.composer import ComposerPage
from faxgui.ui.draft_autosaver import DraftAutosaver
from faxgui.ui.outbox_watcher import OutboxWatcher
from faxgui.ui.send_controller import SendController
from faxgui.ui.send_progress import SendProgressDialog, outcome_title
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.compose.autosave import DraftAutosave
    from faxgui.compose.phone import PhoneNormaliser
    from faxgui.compose.pipeline import SendReport
    from faxgui.jobs.address_book import AddressBook
    from faxgui.ui.address_book_dialog import AddressBookDialog
    from faxgui.ui.recipient_completer import RecipientCompleter

log = logging.getLogger(__name__)

RESTORED_MESSAGE = "Your unsent fax was restored"

ALERT_STYLE = (
    "QLabel { background: #fde2e1; color: #6b1512; border: 1px solid #e8a19d;"
    " border-radius: 4px; padding: 8px; }"
)
DONE_STYLE = (
    "QFrame#doneBar { background: #e7f4ea; border: 1px solid #9fcfaa; border-radius: 4px; }"
    " QFrame#doneBar QLabel { color: #14451f; }"
)

# A recorded send the service has, or that waits to go to it: that fax is done with.
_WAITING = (SendState.OUTBOX, SendState.SUBMITTING)
_RECORDED = (SendState.SUBMITTED, *_WAITING)


def is_blank(draft: Draft) -> bool:
    """True when the draft holds nothing a user put in (references do not count)."""
    return not draft.recipients and not draft.documents and draft.options.is_empty()


def _faxes(count: int) -> str:
    return f"{count:,} fax{'' if count == 1 else 'es'}"


class ComposeTab(QWidget):
    """The composer and everything that sends, keeps and restores what it holds.

    Call `start()` once the window is up: it restores the autosaved draft
    and starts the outbox. Call `shut_down()` when the window closes: it
    writes the draft one last time and stops the outbox.

    Signals:
        status_message(str): a passing sentence for the window's status bar.
        waiting_changed(int): how many faxes wait in the outbox, not yet submitted.
        look_up_requested(str): the user wants to follow the faxes of this BroadcastRef.
        recipients_added(): recipients came from the address book window.
    """

    status_message = Signal(str)
    waiting_changed = Signal(int)
    look_up_requested = Signal(str)
    recipients_added = Signal()

    def __init__(
        self,
        store: JobStore,
        client_factory: Callable[[], MonopondClient],
        numbers: PhoneNormaliser,
        parent: QWidget | None = None,
        *,
        autosave: DraftAutosave | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._client_factory = client_factory
        self._numbers = numbers
        self._book: AddressBook | None = None
        self._completer: RecipientCompleter | None = None
        self.address_book_dialog: AddressBookDialog | None = None
        # The draft last handed to the service or the outbox, while the composer shows it.
        self._done_draft: Draft | None = None
        self._done_broadcast = ""
        self._done_waiting = False
        self._alert_is_save_failure = False
        self.new_fax_question: QMessageBox | None = None

        self.composer = ComposerPage(numbers)
        # The stamp designer's previews go to the service the fax is sent to.
        self.composer.documents_panel.set_client_factory(client_factory)
        self.controller = SendController(store, client_factory, self)
        self.progress_dialog = SendProgressDialog(self.controller, self)
        self.watcher = OutboxWatcher(self.controller.pipeline, self)
        self.autosaver = DraftAutosaver(self.composer.draft, self, autosave=autosave)

        self.alert = QLabel()
        self.alert.setStyleSheet(ALERT_STYLE)
        self.alert.setWordWrap(True)
        self.alert.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alert.hide()
        self.done_bar = QFrame()
        self.done_bar.setObjectName("doneBar")
        self.done_bar.setStyleSheet(DONE_STYLE)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_fax_button = QPushButton("Start a new fax")
        self.new_fax_button.setToolTip("Clear the composer for the next fax (Ctrl+N)")
        self.again_button = QPushButton("Send it again as a new fax")
        self.again_button.setToolTip(
            "Keep the recipients, documents and options, with new references, "
            "to send the same fax once more"
        )
        self.look_up_button = QPushButton("See how it goes")
        self.look_up_button.setToolTip("Show these faxes in the Sent faxes tab, live")

        self.new_fax_action = QAction("&New fax", self)
        self.new_fax_action.setShortcuts([QKeySequence("Ctrl+N")])
        self.new_fax_action.setToolTip("Start a new fax; asks first if this one was not sent")
        self.new_fax_action.triggered.connect(self.new_fax)
        self.address_book_action = QAction("&Address book…", self)
        self.address_book_action.setShortcuts([QKeySequence("Ctrl+B")])
        self.address_book_action.setToolTip("Find contacts and groups and add them to the fax")
        self.address_book_action.setEnabled(False)
        self.address_book_action.triggered.connect(self.open_address_book)

        self._build_layout()
        self._connect()

    def _build_layout(self) -> None:
        bar = QHBoxLayout(self.done_bar)
        bar.setContentsMargins(10, 6, 6, 6)
        bar.addWidget(self.done_label, 1)
        for button in (self.look_up_button, self.again_button, self.new_fax_button):
            bar.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.done_bar.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.alert)
        layout.addWidget(self.done_bar)
        layout.addWidget(self.composer, 1)
        QWidget.setTabOrder(self.look_up_button, self.again_button)
        QWidget.setTabOrder(self.again_button, self.new_fax_button)

    def _connect(self) -> None:
        composer, controller = self.composer, self.controller
        # The controller copies the draft on a worker: it must not change meanwhile.
        controller.busy_changed.connect(composer.set_busy)
        controller.busy_changed.connect(self._busy_changed)
        composer.send_requested.connect(self.send)
        composer.draft_changed.connect(self.autosaver.schedule)
        controller.finished.connect(self._on_finished)
        controller.finished.connect(lambda _report: self.watcher.refresh())
        self.watcher.waiting_changed.connect(self.waiting_changed)
        self.watcher.waiting_changed.connect(self._waiting_changed)
        self.autosaver.failed.connect(self._save_failed)
        self.autosaver.saved.connect(self._saved)
        self.new_fax_button.clicked.connect(self.start_new_fax)
        self.again_button.clicked.connect(self.send_again_as_new)
        self.look_up_button.clicked.connect(
            lambda: self.look_up_requested.emit(self._done_broadcast)
        )

    # ------------------------------------------------------------------ life

    def start(self) -> bool:
        """Bring back the autosaved draft and start the outbox; True when a draft came back.

        What went wrong reading the saved draft is shown above the composer.
        """
        restored = self.autosaver.restore()
        if self.autosaver.warnings:
            self._show_alert("\n\n".join(self.autosaver.warnings))
        came_back = restored is not None and not is_blank(restored)
        if restored is not None and came_back:
            states = self._recorded_states(restored)
            if states and not any(state in _RECORDED for state in states):
                # It never reached the service (see _on_finished): it may go again.
                restored.renew_references()
            self.composer.set_draft(restored)
            if any(state in _RECORDED for state in states):
                from faxgui.compose.preview import mark_in_use

                mark_in_use(restored.all_documents())
                self._show_done(restored, states, focus=True)
            else:
                self.status_message.emit(RESTORED_MESSAGE)
        self.watcher.start()
        return came_back

    def shut_down(self) -> None:
        """Write the draft one last time and stop the outbox (the window is closing)."""
        self.autosaver.flush()
        self.watcher.stop()

    @property
    def client_factory(self) -> Callable[[], MonopondClient]:
        """Clients for the service and account in use (for the preview pane, on its workers)."""
        return self._client_factory

    @property
    def sending(self) -> bool:
        """True while a send is checked or under way (not while its warnings await an answer)."""
        return self.controller.busy and not self.controller.awaiting_confirmation

    def set_numbers(self, numbers: PhoneNormaliser) -> None:
        """Read the fax numbers again for another default country or service."""
        self._numbers = numbers
        self.composer.set_numbers(numbers)
        if self._completer is not None:
            self._completer.set_numbers(numbers)
        if self._book is not None:
            run_task(
                self._book.renormalise,
                numbers,
                on_done=lambda _changed: None,
                on_error=lambda error: log.warning("Address book numbers not updated: %s", error),
                context=self,
            )

    def set_address_book(self, book: AddressBook) -> None:
        """Suggest the book's contacts and groups in "To:", and offer its window (Ctrl+B)."""
        from faxgui.ui.recipient_completer import make_recipient_completer

        self._book = book
        self._completer = make_recipient_completer(book, self._numbers)
        self.composer.set_recipient_completer(self._completer)
        self.address_book_action.setEnabled(not self.controller.busy)

    def open_address_book(self) -> None:
        """Show the address book window; the contacts chosen there join the fax."""
        from faxgui.ui.address_book_dialog import AddressBookDialog

        if self._book is None:
            return
        dialog = self.address_book_dialog
        if dialog is None:
            dialog = self.address_book_dialog = AddressBookDialog(self._book, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.recipients_chosen.connect(self._add_from_address_book)
            dialog.destroyed.connect(self._address_book_closed)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _address_book_closed(self) -> None:
        self.address_book_dialog = None

    def _add_from_address_book(self, entries: list[tuple[str, str]]) -> None:
        if self.controller.busy:
            self.status_message.emit("Wait until the fax has been sent, then add recipients.")
            return
        if self._done_draft is not None:
            self.start_new_fax()
        self.composer.add_recipients(entries)
        count = len(entries)
        self.status_message.emit(
            f"{count:,} recipient{'' if count == 1 else 's'} added from the address book."
        )
        self.recipients_added.emit()

    def add_files(self, paths: Sequence[Path]) -> list[str]:
        """Attach documents to the fax being composed (a new one if the last was sent);
        returns why any were refused."""
        if self._done_draft is not None:
            self.start_new_fax()
        return self.composer.add_files(paths)

    def retry_outbox(self) -> None:
        """Try the faxes waiting in the outbox now (the connection may work again)."""
        self.watcher.retry_now()

    # ------------------------------------------------------------------ sending

    def send(self) -> None:
        """Send the composer's fax (after its checks; the progress window shows how it goes)."""
        self.controller.send(self.composer.draft())

    def _busy_changed(self, busy: bool) -> None:
        self.new_fax_action.setEnabled(not busy)
        self.address_book_action.setEnabled(not busy and self._book is not None)
        for button in (self.new_fax_button, self.again_button):
            button.setEnabled(not busy)

    def _on_finished(self, report: SendReport) -> None:
        draft = self.composer.draft()
        states = [result.state for result in report.results]
        self.status_message.emit(f"{outcome_title(report, self.controller.fax_counts)}.")
        if any(state in _RECORDED for state in states):
            from faxgui.compose.preview import mark_in_use

            # The fax may refer to its documents' saved copies: they must never be deleted.
            mark_in_use(draft.all_documents())
            self._show_done(draft, states, focus=True)
            # Nothing left to protect: the job store holds the fax now.
            self.autosaver.clear()
        elif states:
            # Refused or cancelled before it reached the service: once fixed it goes again,
            # and the service takes no reference twice.
            draft.renew_references()
            self.composer.set_draft(draft)
            self.autosaver.schedule()

    def _recorded_states(self, draft: Draft) -> list[SendState]:
        """Where each request of the draft's broadcast is, if it was recorded."""
        try:
            first = self._store.send(draft.send_ref)
            if first is None:
                return []
            return [record.state for record in self._store.sends(broadcast_id=first.broadcast_id)]
        except Exception:
            log.exception("Could not look up %s in the job store", draft.send_ref)
            return []

    def _waiting_changed(self, _count: int) -> None:
        # The outbox may just have sent (or given up on) the fax the bar says is waiting.
        draft = self._done_draft
        if draft is not None and self._done_waiting:
            self._show_done(draft, self._recorded_states(draft), focus=False)

    def _show_done(self, draft: Draft, states: list[SendState], *, focus: bool) -> None:
        """Show what became of `draft`, of which some or all went out or waits to; offer
        the next fax (`focus`: on its button).

        The composer keeps showing it, but it cannot be edited or sent again:
        "Send it again as a new fax" gives it new references first.
        """
        self._done_draft = draft
        self._done_broadcast = draft.broadcast_ref
        count = len(draft.recipients)
        self._done_waiting = any(state in _WAITING for state in states)
        left_out = sum(state in (SendState.FAILED, SendState.CANCELLED) for state in states)
        if self._done_waiting:
            text = (
                f"<b>{_faxes(count)} waiting in the outbox</b>, not yet submitted: they go out "
                "by themselves when the fax service can be reached."
            )
        elif left_out:
            text = (
                f"<b>Not all of this fax went out:</b> {left_out} of its {len(states)} parts "
                "were refused or cancelled. “See how it goes” shows each fax."
            )
        else:
            text = (
                f"<b>Sent: {_faxes(count)} handed to the fax service.</b> "
                f"Broadcast reference {draft.broadcast_ref}."
            )
        self.done_label.setText(text)
        self.look_up_button.setVisible(not self._done_waiting)
        self.done_bar.show()
        # What it says about sending ("Ready to send") no longer applies; the bar says it.
        self.composer.set_busy(True)
        self.composer.status_label.hide()
        if focus:
            self.new_fax_button.setFocus()

    # ------------------------------------------------------------------ new fax

    def new_fax(self) -> None:
        """Start a new fax; asks first when the one in the composer was not sent."""
        if self.controller.busy:
            return
        draft = self.composer.draft()
        typed = self.composer.recipients_panel.to_edit.text().strip()
        if draft is self._done_draft or (is_blank(draft) and not typed):
            self.start_new_fax()
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("New fax")
        box.setText("Clear this fax and start a new one?")
        what = []
        if draft.recipients:
            count = len(draft.recipients)
            what.append(f"{count:,} recipient{'' if count == 1 else 's'}")
        if draft.documents:
            count = len(draft.documents)
            what.append(f"{count:,} document{'' if count == 1 else 's'}")
        holding = f" ({' and '.join(what)})" if what else ""
        box.setInformativeText(
            f"The fax in the composer{holding} has not been sent. Clearing it cannot be undone."
        )
        clear = box.addButton("&Clear and start a new fax", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep this fax", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self.new_fax_question = None
            if box.clickedButton() is clear:
                self.start_new_fax()

        box.finished.connect(answered)
        self.new_fax_question = box
        box.open()

    def start_new_fax(self) -> None:
        """Clear the composer for a new fax, without asking; the saved draft goes too."""
        if self.controller.busy:
            return
        self._discard_saved_copies(self.composer.draft())
        self.autosaver.clear()
        self._forget_done()
        self.composer.set_draft(Draft.new())
        self.composer.recipients_panel.to_edit.clear()
        self.composer.recipients_panel.to_edit.setFocus()

    def _discard_saved_copies(self, draft: Draft) -> None:
        """Delete the preview copies of a draft being cleared away, on a worker; a copy that
        cannot be deleted now expires by itself on the service within 30 days."""
        from faxgui.compose.preview import discard_saved_copies, saved_copies_of

        copies = [c for c in saved_copies_of(draft.all_documents()) if not c.in_use]
        if not copies:
            return
        run_task(
            discard_saved_copies,
            self._client_factory,
            copies,
            on_done=lambda deleted: log.info("Deleted saved copies %s", ", ".join(deleted)),
            on_error=lambda error: log.info("Saved copies not deleted: %s", error),
        )

    def send_again_as_new(self) -> None:
        """Keep the finished fax's contents under new references, ready to send once more."""
        if self.controller.busy:
            return
        draft = self.composer.draft()
        draft.renew_references()
        self._forget_done()
        self.composer.set_draft(draft)
        self.autosaver.schedule()
        self.status_message.emit(
            "The same fax, with new references: press Send to send it once more."
        )
        self.composer.recipients_panel.to_edit.setFocus()

    def _forget_done(self) -> None:
        self._done_draft = None
        self._done_broadcast = ""
        self._done_waiting = False
        self.done_bar.hide()
        self.composer.status_label.show()
        self.composer.set_busy(self.controller.busy)

    def _save_failed(self, text: str) -> None:
        self._show_alert(text)
        self._alert_is_save_failure = True

    def _saved(self) -> None:
        if self._alert_is_save_failure:
            self.alert.hide()

    def _show_alert(self, text: str) -> None:
        self._alert_is_save_failure = False
        self.alert.setText(text)
        self.alert.show()
