"""The composer page: who a fax goes to, what it sends and how, checked before Send is offered."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.draft import Draft
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.validation import Problem, validate
from faxgui.ui.composer.document_inspector import DocumentInspector
from faxgui.ui.composer.documents_panel import DocumentsPanel
from faxgui.ui.composer.file_drops import FileDrops
from faxgui.ui.composer.options_panel import OptionsForm
from faxgui.ui.composer.problems import (
    ProblemLabel,
    ProblemsList,
    ProblemsModel,
)
from faxgui.ui.composer.recipients_view import RecipientsPanel
from faxgui.ui.feedback import ERROR, NOTE, SUCCESS, WARNING

VALIDATION_DELAY_MS = 250
"""How long a large draft waits after the last edit before it is checked again."""

IMMEDIATE_CHECK_LIMIT = 500
"""Drafts with fewer recipients than this are checked at every edit (it takes a millisecond),
so Send is never a keystroke behind; larger ones after a pause in typing."""

PROBLEM_ROOM = 60
"""Pixels kept in view below a field the page scrolls to, for the problem shown under it."""

_REF_TOOLTIPS = {
    "broadcast_ref": (
        "Ties together every fax of this send, however many parts it is split into. "
        "Use it to look the faxes up later."
    ),
    "send_ref": (
        "Identifies this send on the fax service; faxgui uses it to check whether a send "
        "got through before trying again. It must be new for every send."
    ),
}


class ComposerPage(QWidget):
    """One fax being put together: recipients, documents and options, edited in place.

    The page edits the Draft it shows (`draft()`); `set_draft()` shows
    another. It checks the draft as it is edited (a large one after a pause
    in typing) and shows every problem next to its field and in a list above
    Send; Send is offered only when nothing blocks sending. Files dropped anywhere on the page are
    added to the documents. Keyboard: Ctrl+Shift+A "To:", Ctrl+O add
    documents, Ctrl+Shift+O use a saved document, Ctrl+I import CSV,
    Ctrl+Shift+E export CSV, Ctrl+Shift+V paste numbers, Delete remove,
    Enter / Alt+Enter one recipient's settings, F8 next problem,
    Ctrl+Return send.

    Signals:
        draft_changed(): the draft was edited (for autosave).
        send_requested(): the user pressed Send and validation found no errors.
    """

    draft_changed = Signal()
    send_requested = Signal()

    def __init__(self, numbers: PhoneNormaliser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._numbers = numbers
        self._draft = Draft.new()
        self._problems: list[Problem] = []
        self._busy = False
        self._send_attempted = False
        self._next_problem = 0
        self.inspector = DocumentInspector(self)

        self.recipients_panel = RecipientsPanel(numbers, self.inspector)
        self.documents_panel = DocumentsPanel(self.inspector)
        self.options_form = OptionsForm()
        self.broadcast_ref_edit = QLineEdit()
        self.send_ref_edit = QLineEdit()
        self.ref_problems = {"broadcast_ref": ProblemLabel(), "send_ref": ProblemLabel()}
        for name, edit in (
            ("broadcast_ref", self.broadcast_ref_edit),
            ("send_ref", self.send_ref_edit),
        ):
            edit.setToolTip(_REF_TOOLTIPS[name])
        self.options_form.add_more_row(
            "Broadcast reference:", self.broadcast_ref_edit, self.ref_problems["broadcast_ref"]
        )
        self.options_form.add_more_row(
            "Send reference:", self.send_ref_edit, self.ref_problems["send_ref"]
        )

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.problems_model = ProblemsModel(self)
        self.problems_list = ProblemsList(self.problems_model)
        self.problems_list.setMaximumHeight(96)
        self.problems_list.setToolTip("Click a problem (or press F8) to go to it")
        self.send_button = QPushButton("Send")
        self.send_button.setToolTip("Send the fax (Ctrl+Enter)")
        self.send_button.setMinimumHeight(36)
        self.send_button.setMinimumWidth(180)
        font = self.send_button.font()
        font.setBold(True)
        self.send_button.setFont(font)

        self.content = QWidget()
        self._build_layout()
        self._build_actions()
        self._set_tab_order()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATION_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        self.recipients_panel.edited.connect(self._edited)
        self.documents_panel.edited.connect(self._edited)
        self.options_form.edited.connect(self._edited)
        self.broadcast_ref_edit.textEdited.connect(self._refs_edited)
        self.send_ref_edit.textEdited.connect(self._refs_edited)
        self.inspector.inspected.connect(self._inspected)
        self.problems_list.problem_chosen.connect(self.focus_problem)
        self.send_button.clicked.connect(self.request_send)

        self.drops = FileDrops(self, enabled=lambda: not self._busy)
        self.drops.dropped.connect(self.add_files)
        self.set_draft(self._draft)

    # ------------------------------------------------------------------ building

    def _build_layout(self) -> None:
        recipients_box = QGroupBox("Send to")
        QVBoxLayout(recipients_box).addWidget(self.recipients_panel)
        documents_box = QGroupBox("Documents")
        QVBoxLayout(documents_box).addWidget(self.documents_panel)
        options_box = QGroupBox("Options")
        QVBoxLayout(options_box).addWidget(self.options_form)

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(documents_box)
        right_column.addWidget(options_box)
        right_column.addStretch(1)
        right_scroll = self.right_scroll = QScrollArea()
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setWidget(right)
        right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Never narrower than the column's content, which would be cut off at the right.
        scroll_bar = right_scroll.verticalScrollBar().sizeHint().width()
        right_scroll.setMinimumWidth(right.minimumSizeHint().width() + scroll_bar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(recipients_box)
        splitter.addWidget(right_scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 520])
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(splitter)

        status_column = QVBoxLayout()
        status_column.addWidget(self.status_label)
        status_column.addWidget(self.problems_list)
        bottom = QHBoxLayout()
        bottom.addLayout(status_column, 1)
        bottom.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)

        layout = QVBoxLayout(self)
        layout.addWidget(self.content, 1)
        layout.addLayout(bottom)

    def _build_actions(self) -> None:
        recipients = self.recipients_panel
        documents = self.documents_panel
        self.focus_to_action = self._action(
            "Add a recipient", "Ctrl+Shift+A", lambda: recipients.to_edit.setFocus()
        )
        self.add_documents_action = self._action("Add documents…", "Ctrl+O", documents.choose_files)
        self.saved_document_action = self._action(
            "Use a saved document…", "Ctrl+Shift+O", documents.choose_saved_document
        )
        self.import_action = self._action(
            "Import recipients from CSV…", "Ctrl+I", recipients.choose_csv_import
        )
        self.export_action = self._action(
            "Export recipients to CSV…", "Ctrl+Shift+E", recipients.choose_csv_export
        )
        self.paste_action = self._action(
            "Paste numbers", "Ctrl+Shift+V", recipients.paste_clipboard
        )
        self.next_problem_action = self._action("Go to the next problem", "F8", self.next_problem)
        self.send_action = self._action("Send", "Ctrl+Return", self.request_send)
        self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])

    def _action(self, text: str, keys: str, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(keys)])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _set_tab_order(self) -> None:
        recipients, documents, options = (
            self.recipients_panel,
            self.documents_panel,
            self.options_form,
        )
        chain: list[QWidget] = [
            recipients.to_edit,
            recipients.add_button,
            recipients.view,
            recipients.paste_button,
            recipients.import_button,
            recipients.export_button,
            recipients.settings_button,
            recipients.remove_button,
            documents.list,
            documents.add_button,
            documents.saved_button,
            documents.up_button,
            documents.down_button,
            documents.remove_button,
            documents.dithering_combo,
            documents.save_check,
            documents.ref_edit,
            documents.merge_editor.table,
            documents.merge_editor.add_button,
            documents.merge_editor.remove_button,
            *options.tab_chain(),
            self.broadcast_ref_edit,
            self.send_ref_edit,
            self.problems_list,
            self.send_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ the public face

    def draft(self) -> Draft:
        """The draft being edited (the page changes it in place)."""
        return self._draft

    def set_draft(self, draft: Draft) -> None:
        """Show `draft` instead, replacing everything (a restored draft, or a new fax)."""
        self._draft = draft
        self._send_attempted = False
        self.recipients_panel.set_draft(draft)
        self.documents_panel.set_owner(draft)
        self.options_form.set_options(draft.options)
        self.broadcast_ref_edit.setText(draft.broadcast_ref)
        self.send_ref_edit.setText(draft.send_ref)
        for recipient in draft.recipients:
            for document in recipient.documents:
                self.inspector.request(document)
        self._update_header_context()
        self.validate_now()

    def add_files(self, paths: Sequence[Path]) -> list[str]:
        """Add documents, as dropping them does; returns why any were refused (also shown)."""
        if self._busy:
            return []
        return self.documents_panel.add_files(paths)

    def add_recipients(self, entries: Sequence[tuple[str, str]]) -> None:
        """Add recipients as (name, number as typed) pairs: an address book group, say."""
        if not self._busy:
            self.recipients_panel.add_entries(entries)

    def set_numbers(self, numbers: PhoneNormaliser) -> None:
        """Read every number again for another default country (or service)."""
        self._numbers = numbers
        self.recipients_panel.set_numbers(numbers)
        self._edited()

    def set_recipient_completer(self, completer: QCompleter) -> None:
        """Suggest address book entries in "To:"; a chosen "Name <number>" is added with Enter."""
        self.recipients_panel.set_completer(completer)

    def set_busy(self, busy: bool) -> None:
        """While the fax is being sent: nothing can be edited and Send is off."""
        self._busy = busy
        self.content.setEnabled(not busy)
        for action in self.actions():
            action.setEnabled(not busy)
        self._show_status()

    def problems(self) -> list[Problem]:
        """Everything wrong with the draft now (checked afresh, files not read again)."""
        self.validate_now()
        return list(self._problems)

    # ------------------------------------------------------------------ sending

    def request_send(self) -> None:
        """Send if nothing blocks it; otherwise go to the first problem."""
        if self._busy:
            return
        # A number typed in "To:" but not yet added is meant to be sent to.
        if self.recipients_panel.to_edit.text().strip():
            self.recipients_panel.add_from_entry()
        if self.recipients_panel.expanding:
            # A group's members are still being looked up; Send again once they are in.
            return
        self._send_attempted = True
        self.validate_now()
        errors = [p for p in self._problems if p.is_error]
        if errors:
            self.focus_problem(errors[0])
            return
        self.send_requested.emit()

    # ------------------------------------------------------------------ checking

    def validate_now(self) -> None:
        """Check the draft and show what is wrong, where it is wrong."""
        self._timer.stop()
        self._problems = validate(self._draft, self._numbers, inspect=False)
        self._next_problem = 0
        steps = self._steps_left()
        shown = [p for p in self._problems if p not in steps] if steps else self._problems
        self.recipients_panel.show_problems(shown)
        self.documents_panel.show_problems(shown)
        draft_level = [p for p in shown if p.recipient_index is None]
        self.options_form.show_problems(draft_level)
        for name, label in self.ref_problems.items():
            label.show_problems([p for p in draft_level if p.field == name])
        self.problems_model.set_rows(shown, self._draft)
        self._show_status()

    def _steps_left(self) -> list[Problem]:
        """Missing recipients or documents: next steps rather than errors, until Send is pressed."""
        if self._send_attempted:
            return []
        return [
            p
            for p in self._problems
            if p.field in ("recipients", "documents") and p.recipient_index is None
        ]

    def _show_status(self) -> None:
        steps = self._steps_left()
        shown = [p for p in self._problems if p not in steps] if steps else self._problems
        errors = sum(p.is_error for p in shown)
        warnings = len(shown) - errors
        count = len(self._draft.recipients)
        if errors:
            things = f"{errors:,} thing{'s' if errors != 1 else ''}"
            text, tone = f"{things} to fix before sending:", ERROR
        elif steps:
            wanted = [
                "who it goes to" if p.field == "recipients" else "a document to send" for p in steps
            ]
            text, tone = f"To send this fax, add {' and '.join(wanted)}.", NOTE
        elif warnings:
            text = f"Ready to send. {warnings:,} warning{'s' if warnings != 1 else ''} to read:"
            tone = WARNING
        else:
            text, tone = "Ready to send.", SUCCESS
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"{tone.style()} font-weight: bold;")
        self.problems_list.setVisible(bool(shown))
        numbers = f"{count:,} number{'s' if count != 1 else ''}"
        self.send_button.setText(f"Send to {numbers}" if count else "Send")
        self.send_button.setEnabled(not self._busy and not any(p.is_error for p in self._problems))

    def next_problem(self) -> None:
        """Go to the next problem in the list (F8), round and round."""
        if not self.problems_model.rowCount():
            return
        row = self._next_problem % self.problems_model.rowCount()
        self._next_problem = row + 1
        self.problems_list.setCurrentIndex(self.problems_model.index(row))
        self.focus_problem(self.problems_model.problem(row))

    def focus_problem(self, problem: Problem) -> None:
        """Put the keyboard focus on the field a problem is about, scrolled into view."""
        self._focus_field(problem)
        focused = self.focusWidget()
        if focused is not None and self.right_scroll.isAncestorOf(focused):
            # After the layout has made room for the problem just written under the field.
            QTimer.singleShot(0, self, lambda: self._scroll_to(focused))

    def _scroll_to(self, widget: QWidget) -> None:
        inner = self.right_scroll.widget()
        if not shiboken6.isValid(widget) or inner is None:
            return
        # By the field's middle, with room below it for the problem written under it
        # (ensureWidgetVisible goes by a line edit's text cursor, and leaves that out).
        middle = widget.mapTo(inner, widget.rect().center())
        half = widget.height() // 2
        self.right_scroll.ensureVisible(middle.x(), middle.y(), 50, half + PROBLEM_ROOM)

    def _focus_field(self, problem: Problem) -> None:
        if problem.recipient_index is not None or problem.field == "recipients":
            self.recipients_panel.focus_problem(problem)
        elif problem.field in ("documents", "path", "document_ref", "doc_merge_data"):
            self.documents_panel.focus_problem(problem)
        elif problem.field in self.ref_problems:
            self.options_form.set_more_visible(True)
            edit = (
                self.broadcast_ref_edit if problem.field == "broadcast_ref" else self.send_ref_edit
            )
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.options_form.focus_field(problem.field)

    # ------------------------------------------------------------------ edits

    def _edited(self) -> None:
        self._update_header_context()
        self._check_soon()
        self.draft_changed.emit()

    def _check_soon(self) -> None:
        if len(self._draft.recipients) < IMMEDIATE_CHECK_LIMIT:
            self.validate_now()
        else:
            self._timer.start()

    def _refs_edited(self) -> None:
        self._draft.broadcast_ref = self.broadcast_ref_edit.text().strip()
        self._draft.send_ref = self.send_ref_edit.text().strip()
        self._edited()

    def _inspected(self, _document: object) -> None:
        self._check_soon()
        self.draft_changed.emit()

    def _update_header_context(self) -> None:
        first = self._draft.recipients[0].normalised if self._draft.recipients else None
        self.options_form.set_header_context(self._draft.options.send_from, first)
