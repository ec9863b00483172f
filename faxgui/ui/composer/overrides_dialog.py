"""One recipient's fax on its own: its number and reference, its own settings and documents."""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.phone import PhoneNormaliser, format_for_display
from faxgui.compose.validation import Problem, validate
from faxgui.ui.composer.document_inspector import DocumentInspector
from faxgui.ui.composer.documents_panel import DocumentsPanel, pages_text
from faxgui.ui.composer.file_drops import FileDrops
from faxgui.ui.composer.options_panel import OptionsForm
from faxgui.ui.composer.problems import ProblemLabel
from faxgui.ui.feedback import NOTE

VALIDATION_DELAY_MS = 200


def recipient_title(recipient: Recipient, row: int) -> str:
    """ "Dr Lee (+61 2 8003 9890)", or the number, or "row 3" when there is nothing else."""
    number = (
        format_for_display(recipient.normalised) if recipient.normalised else recipient.fax_number
    )
    if recipient.name and number:
        return f"{recipient.name} ({number})"
    return recipient.name or number or f"row {row + 1}"


class OverridesDialog(QDialog):
    """Edits a copy of one recipient; OK copies the changes into the draft's recipient.

    Everything left empty follows the fax's own settings, and each field says
    what that is. Documents added here replace the fax's documents for this
    recipient only.
    """

    def __init__(
        self,
        draft: Draft,
        row: int,
        numbers: PhoneNormaliser,
        inspector: DocumentInspector,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._draft = draft
        self.row = row
        self.recipient = draft.recipients[row]
        self._numbers = numbers
        self.edited_copy: Recipient = copy.deepcopy(self.recipient)
        self.setWindowTitle(f"Fax to {recipient_title(self.recipient, row)}")

        self.name_edit = QLineEdit(self.edited_copy.name)
        self.number_edit = QLineEdit(self.edited_copy.fax_number)
        self.number_hint = QLabel()
        self.number_hint.setStyleSheet(NOTE.style())
        self.number_problem = ProblemLabel()
        self.ref_edit = QLineEdit(self.edited_copy.message_ref)
        self.ref_problem = ProblemLabel()

        self.options_form = OptionsForm(collapsible=False)
        self.options_form.set_options(self.edited_copy.overrides, inherited=draft.options)
        self.options_form.header_editor.preview_caption.setText("How it prints on this fax:")
        self.documents_panel = DocumentsPanel(inspector)
        self.documents_panel.set_owner(self.edited_copy, recipient_index=0)
        shared = draft.documents
        shared_pages = pages_text(sum(d.page_count or 0 for d in shared) or None)
        self.documents_note = QLabel(
            "Documents added here are sent to this recipient instead of the fax's documents "
            f"({len(shared)} document{'s' if len(shared) != 1 else ''}"
            + (f", {shared_pages}" if shared_pages else "")
            + "). Leave the list empty to send the fax's documents."
        )
        self.documents_note.setWordWrap(True)
        self.documents_note.setStyleSheet(NOTE.style())

        self.tabs = QTabWidget()
        options_scroll = QScrollArea()
        options_scroll.setWidgetResizable(True)
        options_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        options_scroll.setWidget(self.options_form)
        self.tabs.addTab(options_scroll, "Se&ttings for this fax")
        documents_page = QWidget()
        documents_layout = QVBoxLayout(documents_page)
        documents_layout.addWidget(self.documents_note)
        documents_layout.addWidget(self.documents_panel, 1)
        self.tabs.addTab(documents_page, "")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )

        who = QFormLayout()
        who.addRow("&Name:", self.name_edit)
        for label, edit, below in (
            ("&Fax number:", self.number_edit, (self.number_hint, self.number_problem)),
            ("Message r&eference:", self.ref_edit, (self.ref_problem,)),
        ):
            column = QVBoxLayout()
            column.setSpacing(2)
            for widget in (edit, *below):
                column.addWidget(widget)
            buddy_label = QLabel(label)
            buddy_label.setBuddy(edit)
            who.addRow(buddy_label, column)
        layout = QVBoxLayout(self)
        layout.addLayout(who)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 640)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATION_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textEdited.connect(self._who_edited)
        self.number_edit.textEdited.connect(self._who_edited)
        self.ref_edit.textEdited.connect(self._who_edited)
        self.options_form.edited.connect(self._edited)
        self.documents_panel.edited.connect(self._edited)
        inspector.inspected.connect(lambda _document: self._timer.start())
        for keys, slot in (
            ("Ctrl+O", self._add_documents),
            ("Ctrl+Shift+O", self._add_saved_document),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.drops = FileDrops(self)
        self.drops.dropped.connect(self._files_dropped)
        self._update_number_hint()
        self._update_documents_tab()
        self.validate_now()

    # ------------------------------------------------------------------ editing

    def _who_edited(self) -> None:
        self.edited_copy.name = self.name_edit.text().strip()
        self.edited_copy.set_fax_number(self.number_edit.text().strip(), self._numbers)
        self.edited_copy.message_ref = self.ref_edit.text().strip()
        self._edited()

    def _edited(self) -> None:
        self._update_number_hint()
        self._update_documents_tab()
        self.options_form.refresh_defaults()
        self._timer.start()

    def _update_number_hint(self) -> None:
        normalised = self.edited_copy.normalised
        self.number_hint.setText(f"Sends to {format_for_display(normalised)}" if normalised else "")
        self.number_hint.setVisible(bool(normalised))
        copy_ = self.edited_copy
        self.options_form.set_header_context(
            copy_.overrides.send_from or self._draft.options.send_from, normalised
        )

    def _update_documents_tab(self) -> None:
        count = len(self.edited_copy.documents)
        title = f"&Own documents ({count})" if count else "&Own documents"
        self.tabs.setTabText(1, title)

    def _add_documents(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.documents_panel.choose_files()

    def _files_dropped(self, paths: list[Path]) -> None:
        self.tabs.setCurrentIndex(1)
        self.documents_panel.add_files(paths)

    def _add_saved_document(self) -> None:
        self.tabs.setCurrentIndex(1)
        self.documents_panel.choose_saved_document()

    # ------------------------------------------------------------------ checking

    def problems(self) -> list[Problem]:
        """What is wrong with this fax as edited so far (row numbers as in the draft)."""
        alone = Draft(
            broadcast_ref=self._draft.broadcast_ref,
            send_ref=self._draft.send_ref,
            options=self._draft.options,
            documents=self._draft.documents,
            recipients=[self.edited_copy],
        )
        return [p for p in validate(alone, self._numbers, inspect=False) if p.recipient_index == 0]

    def validate_now(self) -> None:
        self._timer.stop()
        problems = self.problems()
        self.number_problem.show_problems([p for p in problems if p.field == "fax_number"])
        self.ref_problem.show_problems([p for p in problems if p.field == "message_ref"])
        option_problems = [p for p in problems if p.document_index is None]
        self.options_form.show_problems(option_problems)
        self.documents_panel.show_problems(problems)

    def apply(self) -> None:
        """Copy the edited fax into the draft's recipient (the same object stays in the list)."""
        target, edited = self.recipient, self.edited_copy
        target.name = edited.name
        target.fax_number = edited.fax_number
        target.normalised = edited.normalised
        target.message_ref = edited.message_ref
        target.overrides = edited.overrides
        target.documents = edited.documents
        target.renumber_documents()

    def accept(self) -> None:
        self.apply()
        super().accept()
