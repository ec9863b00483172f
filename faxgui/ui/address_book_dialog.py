"""The address book window: find, add and edit contacts, keep groups, import and export CSV.

Every read and write of the book runs on a worker (`run_task`); answers that
arrive after a newer question (a search typed further) are dropped. The
dialogs it opens (contact editor, group name, confirmations, file choosers)
are window-modal and opened with `open()`, never `exec()`, so nothing waits
in a nested event loop.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QObject,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.phone import format_for_display
from faxgui.compose.recipients_csv import CsvImportError
from faxgui.compose.validation import Severity
from faxgui.jobs.address_book import (
    GROUP_NAME_SEPARATOR,
    AddressBook,
    AddressBookError,
    Contact,
    ContactRow,
    ContactsCsv,
    Group,
    ImportResult,
)
from faxgui.ui.address_book_model import (
    COL_GROUPS,
    COL_NAME,
    COL_NOTES,
    COL_NUMBER,
    COL_ORGANISATION,
    AddressBookModel,
)
from faxgui.ui.feedback import ERROR, NOTE, SUCCESS, WARNING, Tone, describe_error
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)
Selection = QItemSelectionModel.SelectionFlag

DISPLAY_LIMIT = 1000
"""The most contacts the list shows at once; typing in Search finds the others."""
SEARCH_DELAY_MS = 150
"""How long typing must pause before the list is searched again."""
CSV_FILTER = "CSV files (*.csv *.txt);;All files (*)"


def _contacts(count: int) -> str:
    return f"{count:,} contact{'' if count == 1 else 's'}"


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


def _error_text(error: Exception) -> str:
    if isinstance(error, AddressBookError | CsvImportError):
        return str(error)
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        where = f" ({error.filename})" if error.filename else ""
        return f"The file could not be used: {reason}{where}. Check the file and try again."
    return describe_error(error)


def _action(parent: QWidget, text: str, shortcut: str, slot: Callable[[], Any]) -> QAction:
    action = QAction(text=text, parent=parent)
    action.setShortcuts([QKeySequence(shortcut)])
    action.triggered.connect(slot)
    parent.addAction(action)
    return action


def _button(action: QAction, text: str) -> QPushButton:
    """A button that runs `action`, says its shortcut in its tooltip and follows its state."""
    button = QPushButton(text)
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    button.setToolTip(f"{action.text()} ({shortcut})" if shortcut else action.text())
    button.setAutoDefault(False)
    button.clicked.connect(action.trigger)
    action.enabledChanged.connect(button.setEnabled)
    button.setEnabled(action.isEnabled())
    return button


def _labelled(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _stacked(field: QWidget, *messages: QLabel) -> QWidget:
    """A field with its messages right under it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    layout.addWidget(field)
    for message in messages:
        layout.addWidget(message)
    return box


# --------------------------------------------------------------------------- editing one contact


@dataclass(frozen=True, slots=True)
class ContactForm:
    """What the contact editor holds when it is saved."""

    name: str
    organisation: str
    fax_number: str
    notes: str
    group_ids: tuple[int, ...]


class ContactEditor(QDialog):
    """Edits one contact, with what is wrong shown under the field it concerns.

    A number that cannot be dialled keeps Save from closing the editor; a
    number another contact already has is pointed out and allowed.

    Signals (QDialog's own):
        accepted(): Save was pressed and the fields are fine; `form()` has them.
    """

    def __init__(
        self,
        book: AddressBook,
        groups: Sequence[Group],
        contact: Contact | None = None,
        *,
        checked_group_ids: Sequence[int] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._book = book
        self._contact = contact
        self._number_checked = False
        self._lookup_generation = 0
        self.setWindowTitle("Edit contact" if contact else "New contact")

        self.name_edit = QLineEdit(contact.name if contact else "")
        self.name_message = QLabel()
        self.organisation_edit = QLineEdit(contact.organisation if contact else "")
        self.number_edit = QLineEdit(contact.fax_number if contact else "")
        self.number_edit.setPlaceholderText("For example (02) 8003 9890 or +44 20 7946 0958")
        self.number_message = QLabel()
        self.duplicate_message = QLabel()
        self.notes_edit = QPlainTextEdit(contact.notes if contact else "")
        # Tab moves on to the next field rather than typing a tab into the notes.
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(72)
        self.group_list = QListWidget()
        member_of = set(contact.groups) if contact else set()
        for group in groups:
            item = QListWidgetItem(group.name, self.group_list)
            item.setData(Qt.ItemDataRole.UserRole, group.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = group.name in member_of or group.id in checked_group_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.group_list.setMaximumHeight(110)
        self.group_list.setToolTip("Space ticks or unticks the group under the cursor.")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )

        for label, style in (
            (self.name_message, ERROR.style()),
            (self.number_message, ERROR.style()),
            (self.duplicate_message, WARNING.style()),
        ):
            label.setStyleSheet(style)
            label.setWordWrap(True)
            label.hide()

        form = QFormLayout()
        form.addRow(
            _labelled("&Name:", self.name_edit), _stacked(self.name_edit, self.name_message)
        )
        form.addRow("&Organisation:", self.organisation_edit)
        form.addRow(
            _labelled("&Fax number:", self.number_edit),
            _stacked(self.number_edit, self.number_message, self.duplicate_message),
        )
        form.addRow("No&tes:", self.notes_edit)
        form.addRow("&Groups:", self.group_list)
        if not groups:
            self.group_list.hide()
            form.labelForField(self.group_list).hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

        self.number_edit.textChanged.connect(self._number_changed)
        self.number_edit.editingFinished.connect(self._number_finished)
        self.name_edit.textChanged.connect(self._name_changed)
        self.organisation_edit.textChanged.connect(self._name_changed)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        self._show_number_state()

    def form(self) -> ContactForm:
        group_ids = tuple(
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.group_list.item(i) for i in range(self.group_list.count()))
            if item.checkState() == Qt.CheckState.Checked
        )
        return ContactForm(
            name=self.name_edit.text().strip(),
            organisation=self.organisation_edit.text().strip(),
            fax_number=self.number_edit.text().strip(),
            notes=self.notes_edit.toPlainText().strip(),
            group_ids=group_ids,
        )

    def try_save(self) -> None:
        """Close with the values, or show what to fix and put the cursor there."""
        self._number_checked = True
        name_problem = self._name_problem()
        number_problem = self._number_problem()
        self._show_name_problem(name_problem)
        self._show_number_state()
        if name_problem is not None:
            self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif number_problem is not None:
            self.number_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.number_edit.selectAll()
        else:
            self.accept()

    def _name_problem(self) -> str | None:
        if self.name_edit.text().strip() or self.organisation_edit.text().strip():
            return None
        return "Enter a name or an organisation, so you can find this contact again."

    def _number_problem(self) -> str | None:
        text = self.number_edit.text().strip()
        if not text:
            return "Enter the fax number."
        result = self._book.numbers.normalise(text)
        if result.number is None:
            return f"{result.problem}. Check the number and type it again."
        return None

    def _show_name_problem(self, problem: str | None) -> None:
        self.name_message.setText(problem or "")
        self.name_message.setVisible(problem is not None)
        self._fit()

    def _name_changed(self) -> None:
        if self.name_message.isVisible():
            self._show_name_problem(self._name_problem())

    def _number_finished(self) -> None:
        if self.number_edit.text().strip():
            self._number_checked = True
            self._show_number_state()

    def _number_changed(self) -> None:
        self._show_number_state()

    def _show_number_state(self) -> None:
        """Under the number: why it is wrong (once checked), or the number it dials."""
        text = self.number_edit.text().strip()
        normalised = self._book.numbers.normalise(text).number if text else None
        problem = self._number_problem()
        if normalised is not None:
            self.number_message.setStyleSheet(NOTE.style())
            self.number_message.setText(f"Dials {format_for_display(normalised)}")
            self.number_message.show()
        elif problem is not None and self._number_checked:
            self.number_message.setStyleSheet(ERROR.style())
            self.number_message.setText(problem)
            self.number_message.show()
        else:
            self.number_message.hide()
        self._look_for_duplicates(normalised)
        self._fit()

    def _fit(self) -> None:
        """Grow to show a message that appeared, rather than squeeze the notes and groups."""
        wanted = self.sizeHint().height()
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def _look_for_duplicates(self, normalised: str | None) -> None:
        self._lookup_generation += 1
        if normalised is None:
            self.duplicate_message.hide()
            return
        generation = self._lookup_generation
        exclude = self._contact.id if self._contact else None
        run_task(
            functools.partial(self._book.contacts_with_number, normalised, exclude_id=exclude),
            on_done=lambda found: self._show_duplicates(generation, found),
            on_error=lambda error: log.warning("Duplicate lookup failed: %s", error),
            context=self,
        )

    def _show_duplicates(self, generation: int, found: list[Contact]) -> None:
        if generation != self._lookup_generation:
            return
        if not found:
            self.duplicate_message.hide()
            return
        names = ", ".join(contact.label for contact in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        verb = "has" if len(found) == 1 else "have"
        self.duplicate_message.setText(
            f"{names}{more} {verb} this number too. You can still save it."
        )
        self.duplicate_message.show()
        self._fit()


class GroupNameDialog(QDialog):
    """Asks for a new group's name (or a new name for one), refusing names already taken.

    Signals (QDialog's own):
        accepted(): OK was pressed with a name that is free; `name()` has it.
    """

    def __init__(
        self, taken: Sequence[str], current: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._taken = {name.casefold(): name for name in taken if name != current}
        self.setWindowTitle("Rename group" if current else "New group")
        self.name_edit = QLineEdit(current)
        self.name_edit.selectAll()
        self.message = QLabel()
        self.message.setStyleSheet(ERROR.style())
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow("Group &name:", self.name_edit)
        form.addRow("", self.message)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(360, self.sizeHint().height())
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(lambda: self.message.hide())

    def name(self) -> str:
        return self.name_edit.text().strip()

    def try_accept(self) -> None:
        name = self.name()
        problem = None
        if not name:
            problem = "Enter a name for the group."
        elif GROUP_NAME_SEPARATOR in name:
            problem = (
                f"A group name cannot contain “{GROUP_NAME_SEPARATOR}”: it separates group "
                "names in CSV files."
            )
        elif name.casefold() in self._taken:
            problem = f"There is already a group called “{self._taken[name.casefold()]}”."
        if problem is None:
            self.accept()
            return
        self.message.setText(problem)
        self.message.show()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)


# --------------------------------------------------------------------------- the window


class _SearchKeys(QObject):
    """Down, Enter or Return in Search goes to the list, on its first contact.

    Enter must not also reach the dialog: there it would press Add to fax.
    """

    def __init__(self, go_to_list: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._go_to_list = go_to_list

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._go_to_list()
            return True
        return False


def import_question(source: Path, found: ContactsCsv) -> tuple[str, str, str]:
    """What to ask before importing: the question, what is worth knowing, and every detail."""
    count = len(found.rows)
    question = f"Import {_contacts(count)} from {source.name}?"
    invalid = sum(
        1
        for problem in found.problems
        if problem.severity is Severity.ERROR and problem.recipient_index is not None
    )
    left_out = sum(1 for problem in found.problems if problem.recipient_index is None)
    lines = []
    if invalid:
        lines.append(
            f"{_rows(invalid)} {'has' if invalid == 1 else 'have'} no fax number or one that "
            "is not valid. They are imported marked ⚠, so you can correct them."
        )
    if left_out:
        were = "was left out: it was" if left_out == 1 else "were left out: they were"
        lines.append(f"{_rows(left_out)} {were} empty.")
    repeated = sum(
        1
        for problem in found.problems
        if problem.severity is Severity.WARNING and problem.recipient_index is not None
    ) - len(found.already_in_book)
    if repeated:
        lines.append(
            f"{_rows(repeated)} {'repeats a number' if repeated == 1 else 'repeat numbers'} "
            "from earlier in the file."
        )
    if found.already_in_book:
        known = len(found.already_in_book)
        lines.append(
            f"{_rows(known)} {'has a number' if known == 1 else 'have numbers'} already in the "
            "address book."
        )
    if found.ignored_columns:
        lines.append(
            "Columns not imported (the address book has no place for them): "
            + ", ".join(found.ignored_columns)
            + "."
        )
    details = "\n".join(problem.message for problem in found.problems)
    return question, "\n\n".join(lines), details


class AddressBookDialog(QDialog):
    """The address book: contacts on the right, filtered by Search and by the group on the left.

    "Add to fax" sends the selected contacts, or with none selected every
    member of the group shown, and closes the window.

    Signals:
        recipients_chosen(list): (name, fax number as typed) pairs for the fax.
    """

    recipients_chosen = Signal(list)

    def __init__(self, book: AddressBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._book = book
        self._groups: list[Group] = []
        self._total = 0
        self._search_generation = 0
        self._groups_generation = 0
        self._more_than_shown = False
        self._reselect: set[int] = set()
        self.group_menu: QMenu | None = None
        self.editor: ContactEditor | None = None
        self.group_dialog: GroupNameDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle("Address book")

        self.model = AddressBookModel(book.numbers, self)
        self._build_actions()
        self._build_widgets()
        self._build_layout()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh_contacts)
        self.search_edit.textChanged.connect(lambda: self._search_timer.start())
        self.group_list.currentItemChanged.connect(lambda *_: self._group_changed())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.table.doubleClicked.connect(lambda *_: self.edit_contact())
        self.search_edit.installEventFilter(_SearchKeys(self._go_to_list, self))

        self.refresh_groups()
        self.refresh_contacts()
        self._update_actions()
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ building

    def _build_actions(self) -> None:
        self.find_action = _action(self, "Find a contact", "Ctrl+F", self._focus_search)
        self.new_contact_action = _action(self, "New contact", "Ctrl+N", self.new_contact)
        self.edit_action = _action(self, "Edit the selected contact", "Ctrl+E", self.edit_contact)
        self.delete_action = _action(
            self, "Delete the selected contacts", "Ctrl+D", self.delete_contacts
        )
        self.add_to_group_action = _action(
            self, "Put the selected contacts in a group", "Ctrl+G", self._show_group_menu
        )
        self.remove_from_group_action = _action(
            self,
            "Take the selected contacts out of the group shown",
            "Ctrl+Shift+G",
            self.remove_from_group,
        )
        self.new_group_action = _action(self, "New group", "Ctrl+Shift+N", self.new_group)
        self.rename_group_action = _action(
            self, "Rename the group shown", "Ctrl+Shift+R", self.rename_group
        )
        self.delete_group_action = _action(
            self, "Delete the group shown", "Ctrl+Shift+D", self.delete_group
        )
        self.import_action = _action(
            self, "Import contacts from a CSV file", "Ctrl+I", self.choose_import
        )
        self.export_action = _action(
            self,
            "Export the address book, or the group shown, to a CSV file",
            "Ctrl+Shift+E",
            self.choose_export,
        )
        self.add_to_fax_action = _action(self, "Add to the fax", "Ctrl+Return", self.add_to_fax)

    def _build_widgets(self) -> None:
        self.groups_label = QLabel("&Groups")
        self.group_list = QListWidget()
        self.groups_label.setBuddy(self.group_list)
        self.new_group_button = _button(self.new_group_action, "New group…")
        self.rename_group_button = _button(self.rename_group_action, "Rename…")
        self.delete_group_button = _button(self.delete_group_action, "Delete")

        self.search_label = QLabel("&Search:")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Any part of a name, organisation or fax number")
        self.search_edit.setClearButtonEnabled(True)
        self.search_label.setBuddy(self.search_edit)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        for column, width in (
            (COL_NAME, 165),
            (COL_ORGANISATION, 185),
            (COL_NUMBER, 185),
            (COL_GROUPS, 140),
        ):
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_NOTES, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(NOTE.style())
        self.count_label.setWordWrap(True)

        self.new_contact_button = _button(self.new_contact_action, "New contact…")
        self.edit_button = _button(self.edit_action, "Edit…")
        self.delete_button = _button(self.delete_action, "Delete")
        self.add_to_group_button = _button(self.add_to_group_action, "Add to group…")
        self.remove_from_group_button = _button(self.remove_from_group_action, "Remove from group")
        self.import_button = _button(self.import_action, "Import CSV…")
        self.export_button = _button(self.export_action, "Export CSV…")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.add_to_fax_button = _button(self.add_to_fax_action, "Add to fax")
        self.add_to_fax_button.setDefault(True)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the address book (Esc)")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        # The Delete key deletes what has the focus: contacts in the list, or the group.
        for widget, slot in (
            (self.table, self.delete_contacts),
            (self.group_list, self.delete_group),
        ):
            key = QAction(parent=widget)
            key.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete)])
            key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            key.triggered.connect(slot)
            widget.addAction(key)
        rename_key = QAction(parent=self.group_list)
        rename_key.setShortcuts([QKeySequence("F2")])
        rename_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        rename_key.triggered.connect(self.rename_group)
        self.group_list.addAction(rename_key)

    def _build_layout(self) -> None:
        groups_panel = QVBoxLayout()
        groups_panel.addWidget(self.groups_label)
        groups_panel.addWidget(self.group_list, 1)
        group_buttons = QHBoxLayout()
        for button in (self.new_group_button, self.rename_group_button, self.delete_group_button):
            group_buttons.addWidget(button)
        groups_panel.addLayout(group_buttons)

        contacts_panel = QVBoxLayout()
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_label)
        search_row.addWidget(self.search_edit, 1)
        contacts_panel.addLayout(search_row)
        contacts_panel.addWidget(self.table, 1)
        contacts_panel.addWidget(self.count_label)
        contact_buttons = QHBoxLayout()
        for button in (
            self.new_contact_button,
            self.edit_button,
            self.delete_button,
            self.add_to_group_button,
            self.remove_from_group_button,
        ):
            contact_buttons.addWidget(button)
        contact_buttons.addStretch(1)
        contacts_panel.addLayout(contact_buttons)

        # The groups keep their width; the contacts take what the window gains.
        groups_widget = QWidget()
        groups_widget.setLayout(groups_panel)
        groups_panel.setContentsMargins(0, 0, 0, 0)
        groups_widget.setFixedWidth(250)
        panels = QHBoxLayout()
        panels.addWidget(groups_widget)
        panels.addLayout(contacts_panel, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.message_label, 1)
        bottom.addWidget(self.add_to_fax_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(panels, 1)
        layout.addLayout(bottom)

        order = [
            self.group_list,
            self.new_group_button,
            self.rename_group_button,
            self.delete_group_button,
            self.search_edit,
            self.table,
            self.new_contact_button,
            self.edit_button,
            self.delete_button,
            self.add_to_group_button,
            self.remove_from_group_button,
            self.import_button,
            self.export_button,
            self.add_to_fax_button,
            self.close_button,
        ]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.resize(1080, 620)

    # ------------------------------------------------------------------ state

    def shown_group(self) -> Group | None:
        """The group whose members the list shows (None: all contacts)."""
        item = self.group_list.currentItem()
        group_id = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        return next((g for g in self._groups if g.id == group_id), None)

    def selected_contacts(self) -> list[Contact]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.contact(row) for row in rows]

    def _update_actions(self) -> None:
        selected = self.selected_contacts()
        group = self.shown_group()
        self.edit_action.setEnabled(len(selected) == 1)
        self.delete_action.setEnabled(bool(selected))
        self.add_to_group_action.setEnabled(
            bool(selected) and any(g != group for g in self._groups)
        )
        self.remove_from_group_action.setEnabled(bool(selected) and group is not None)
        self.rename_group_action.setEnabled(group is not None)
        self.delete_group_action.setEnabled(group is not None)
        self.export_action.setEnabled(self._total > 0)
        if selected:
            text = "Add to fax" if len(selected) == 1 else f"Add {len(selected):,} to fax"
            self.add_to_fax_action.setEnabled(True)
        elif group is not None:
            text = f"Add group to fax ({group.member_count:,})"
            self.add_to_fax_action.setEnabled(group.member_count > 0)
        else:
            text = "Add to fax"
            self.add_to_fax_action.setEnabled(False)
        self.add_to_fax_button.setText(text)

    def _keep(self, attribute: str, window: QDialog) -> None:
        """Hold the window as `attribute` while it is open (it deletes itself once closed)."""
        setattr(self, attribute, window)

        def forget() -> None:
            if getattr(self, attribute) is window:
                setattr(self, attribute, None)

        window.finished.connect(forget)

    def _show_message(self, text: str, tone: Tone = SUCCESS) -> None:
        self.message_label.setStyleSheet(tone.style())
        self.message_label.setText(text)

    def _show_error(self, error: Exception) -> None:
        self._show_message(_error_text(error), ERROR)

    def _go_to_list(self) -> None:
        if self._search_timer.isActive():
            self.refresh_contacts()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # ------------------------------------------------------------------ reading

    def refresh_groups(self) -> None:
        """Read the groups and the number of contacts again."""
        self._groups_generation += 1
        generation = self._groups_generation
        book = self._book
        run_task(
            lambda: (book.groups(), book.contact_count()),
            on_done=lambda result: self._show_groups(generation, *result),
            on_error=self._show_error,
            context=self,
        )

    def _show_groups(self, generation: int, groups: list[Group], total: int) -> None:
        if generation != self._groups_generation:
            return
        shown = self.shown_group()
        self._groups = groups
        self._total = total
        self.group_list.blockSignals(True)
        self.group_list.clear()
        everyone = QListWidgetItem(f"All contacts ({total:,})", self.group_list)
        everyone.setData(Qt.ItemDataRole.UserRole, None)
        current = everyone
        for group in groups:
            item = QListWidgetItem(f"{group.name} ({group.member_count:,})", self.group_list)
            item.setData(Qt.ItemDataRole.UserRole, group.id)
            if shown is not None and group.id == shown.id:
                current = item
        self.group_list.setCurrentItem(current)
        self.group_list.blockSignals(False)
        if shown is not None and current is everyone:
            self.refresh_contacts()  # the group shown was deleted
        self._update_count()
        self._update_actions()

    def _group_changed(self) -> None:
        self._search_timer.stop()
        self.refresh_contacts()
        self._update_actions()

    def refresh_contacts(self) -> None:
        """Search again for what Search holds, in the group shown."""
        self._search_timer.stop()
        self._search_generation += 1
        generation = self._search_generation
        group = self.shown_group()
        run_task(
            functools.partial(
                self._book.search,
                self.search_edit.text(),
                DISPLAY_LIMIT + 1,
                group_id=None if group is None else group.id,
            ),
            on_done=lambda found: self._show_contacts(generation, found),
            on_error=self._show_error,
            context=self,
        )

    def _show_contacts(self, generation: int, found: list[Contact]) -> None:
        if generation != self._search_generation:
            return
        keep = self._reselect or {c.id for c in self.selected_contacts()}
        self._reselect = set()
        self._more_than_shown = len(found) > DISPLAY_LIMIT
        self.model.set_rows(found[:DISPLAY_LIMIT])
        selection = self.table.selectionModel()
        first = True
        for contact_id in keep:
            row = self.model.row_of(contact_id)
            if row is None:
                continue
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            if first:
                self.table.setCurrentIndex(self.model.index(row, 0))
                flags |= Selection.Current
                first = False
            selection.select(self.model.index(row, 0), flags)
            self.table.scrollTo(self.model.index(row, 0))
        self._update_count()
        self._update_actions()

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        text = self.search_edit.text().strip()
        group = self.shown_group()
        where = f" in {group.name}" if group is not None else ""
        if self._total == 0 and shown == 0:
            words = (
                "The address book is empty. Add a contact (Ctrl+N) or import a CSV file (Ctrl+I)."
            )
        elif self._more_than_shown:
            words = (
                f"Showing the first {shown:,} contacts{where}. Type in Search to find the others."
            )
        elif text and shown == 0:
            words = f"No contacts{where} match “{text}”."
        elif text:
            words = f"{_contacts(shown)}{where} match{'es' if shown == 1 else ''} “{text}”."
        elif group is not None:
            words = f"{_contacts(shown)} in {group.name}."
            if shown == 0:
                words += " Select contacts in All contacts and press Add to group (Ctrl+G)."
        else:
            words = f"{_contacts(shown)}."
        self.count_label.setText(words)

    # ------------------------------------------------------------------ writing

    def _write(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None],
        *,
        contacts_changed: bool = True,
        after: Callable[[], None] | None = None,
    ) -> None:
        """Run a change on a worker; then `done(result)`, `after()`, and read what changed."""

        def finished(result: Any) -> None:
            done(result)
            if after is not None:
                after()
            self.refresh_groups()
            if contacts_changed:
                self.refresh_contacts()

        def failed(error: Exception) -> None:
            self._show_error(error)
            if after is not None:
                after()
            self.refresh_groups()
            self.refresh_contacts()

        run_task(fn, on_done=finished, on_error=failed, context=self)

    def new_contact(self) -> None:
        group = self.shown_group()
        self._open_editor(None, () if group is None else (group.id,))

    def edit_contact(self) -> None:
        selected = self.selected_contacts()
        if len(selected) == 1:
            self._open_editor(selected[0], ())

    def _open_editor(self, contact: Contact | None, checked: Sequence[int]) -> None:
        editor = ContactEditor(
            self._book, self._groups, contact, checked_group_ids=checked, parent=self
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(lambda: self._save_contact(contact, editor.form()))
        self._keep("editor", editor)
        editor.open()

    def _save_contact(self, contact: Contact | None, form: ContactForm) -> None:
        book = self._book
        if contact is None:
            fn = functools.partial(
                book.add_contact,
                form.name,
                form.fax_number,
                organisation=form.organisation,
                notes=form.notes,
                group_ids=form.group_ids,
            )
            verb = "Added"
        else:
            fn = functools.partial(
                book.update_contact,
                contact.id,
                name=form.name,
                fax_number=form.fax_number,
                organisation=form.organisation,
                notes=form.notes,
                group_ids=form.group_ids,
            )
            verb = "Saved"

        def saved(result: Contact) -> None:
            self._reselect = {result.id}
            self._show_message(f"{verb} {result.label}.")

        self._write(fn, saved)

    def delete_contacts(self) -> None:
        selected = self.selected_contacts()
        if not selected:
            return
        who = selected[0].label if len(selected) == 1 else _contacts(len(selected))
        self._confirm(
            "Delete contacts",
            f"Delete {who} from the address book?",
            "They are taken out of their groups too. This cannot be undone.",
            "Delete",
            lambda: self._delete([c.id for c in selected], who),
        )

    def _delete(self, ids: list[int], who: str) -> None:
        self._write(
            functools.partial(self._book.delete_contacts, ids),
            lambda count: self._show_message(f"Deleted {who}."),
        )

    def _confirm(
        self, title: str, question: str, detail: str, verb: str, then: Callable[[], None]
    ) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=self)
        box.setInformativeText(detail)
        yes = box.addButton(verb, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _: then() if box.clickedButton() is yes else None)
        self._keep("confirmation", box)
        box.open()

    # ------------------------------------------------------------------ groups

    def new_group(self) -> None:
        self._open_group_dialog(None)

    def rename_group(self) -> None:
        group = self.shown_group()
        if group is not None:
            self._open_group_dialog(group)

    def _open_group_dialog(self, group: Group | None) -> None:
        dialog = GroupNameDialog(
            [g.name for g in self._groups], group.name if group else "", parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_group(group, dialog.name()))
        self._keep("group_dialog", dialog)
        dialog.open()

    def _save_group(self, group: Group | None, name: str) -> None:
        if group is None:
            selected = [c.id for c in self.selected_contacts()]

            def create() -> Group:
                created = self._book.add_group(name)
                # Made with contacts selected: they are what the group is for.
                self._book.add_members(created.id, selected)
                return created

            def created(result: Group) -> None:
                self._show_message(f"Made the group {result.name}.")

            self._write(create, created, contacts_changed=bool(selected))
        else:
            self._write(
                functools.partial(self._book.rename_group, group.id, name),
                lambda result: self._show_message(f"Renamed {group.name} to {result.name}."),
            )

    def delete_group(self) -> None:
        group = self.shown_group()
        if group is None:
            return
        self._confirm(
            "Delete group",
            f"Delete the group {group.name}?",
            f"Its {_contacts(group.member_count)} stay in the address book.",
            "Delete group",
            lambda: self._write(
                functools.partial(self._book.delete_group, group.id),
                lambda _: self._show_message(f"Deleted the group {group.name}."),
            ),
        )

    def _show_group_menu(self) -> None:
        selected = self.selected_contacts()
        shown = self.shown_group()
        if not selected:
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for group in self._groups:
            if group != shown:
                action = menu.addAction(group.name)
                action.triggered.connect(functools.partial(self.add_to_group, group))
        menu.aboutToHide.connect(lambda: setattr(self, "group_menu", None))
        menu.popup(
            self.add_to_group_button.mapToGlobal(self.add_to_group_button.rect().bottomLeft())
        )
        self.group_menu = menu

    def add_to_group(self, group: Group) -> None:
        """Put the selected contacts in `group`."""
        selected = self.selected_contacts()
        self._write(
            functools.partial(self._book.add_members, group.id, [c.id for c in selected]),
            lambda added: self._show_message(
                f"Put {_contacts(added)} in {group.name}."
                if added
                else f"They were already in {group.name}."
            ),
        )

    def remove_from_group(self) -> None:
        group = self.shown_group()
        selected = self.selected_contacts()
        if group is None or not selected:
            return
        self._write(
            functools.partial(self._book.remove_members, group.id, [c.id for c in selected]),
            lambda removed: self._show_message(
                f"Took {_contacts(removed)} out of {group.name}; they are still in the "
                "address book."
            ),
        )

    # ------------------------------------------------------------------ the fax

    def add_to_fax(self) -> None:
        """Emit the selected contacts, or the group shown, as recipients, and close."""
        selected = self.selected_contacts()
        if selected:
            self._choose([c.recipient for c in selected])
            return
        group = self.shown_group()
        if group is None:
            return
        run_task(
            functools.partial(self._book.group_members, group.id),
            on_done=lambda members: self._choose([c.recipient for c in members]),
            on_error=self._show_error,
            context=self,
        )

    def _choose(self, recipients: list[tuple[str, str]]) -> None:
        if not recipients:
            self._show_message("The group has no contacts to add.", ERROR)
            return
        self.recipients_chosen.emit(recipients)
        self.accept()

    # ------------------------------------------------------------------ CSV files

    def _open_file_dialog(self, save: bool, name: str, then: Callable[[Path], None]) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self, "Export contacts" if save else "Import contacts", folder)
        dialog.setNameFilter(CSV_FILTER)
        if save:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("csv")
            dialog.selectFile(name)
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: then(Path(path)))
        self._keep("file_dialog", dialog)
        dialog.open()

    def choose_import(self) -> None:
        self._open_file_dialog(False, "", self.import_csv)

    def choose_export(self) -> None:
        group = self.shown_group()
        name = f"{group.name}.csv" if group is not None else "Address book.csv"
        self._open_file_dialog(True, name, self.export_csv)

    def import_csv(self, path: Path) -> None:
        """Read `path`, then ask before importing what it holds."""
        self._show_message(f"Reading {path.name}…", NOTE)
        run_task(
            functools.partial(self._book.read_csv, path),
            on_done=lambda found: self._ask_import(path, found),
            on_error=self._show_error,
            context=self,
        )

    def _ask_import(self, path: Path, found: ContactsCsv) -> None:
        if not found.rows:
            self._show_message(f"{path.name} has no contacts to import.", ERROR)
            return
        self._show_message("")
        question, notes, details = import_question(path, found)
        box = QMessageBox(QMessageBox.Icon.Question, "Import contacts", question, parent=self)
        box.setInformativeText(notes)
        if details:
            box.setDetailedText(details)
        everything = box.addButton(
            f"Import {_contacts(len(found.rows))}", QMessageBox.ButtonRole.AcceptRole
        )
        skip = None
        if found.already_in_book:
            new = len(found.rows) - len(found.already_in_book)
            skip = box.addButton(f"Import only the {new:,} new", QMessageBox.ButtonRole.AcceptRole)
            skip.setEnabled(new > 0)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(everything)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_: int) -> None:
            clicked = box.clickedButton()
            if clicked is everything:
                self._import_rows(path, found.rows)
            elif skip is not None and clicked is skip:
                rows = [r for i, r in enumerate(found.rows) if i not in found.already_in_book]
                self._import_rows(path, rows)

        box.finished.connect(answered)
        self._keep("confirmation", box)
        box.open()

    def _import_rows(self, path: Path, rows: Sequence[ContactRow]) -> None:
        self._show_message(f"Importing {_contacts(len(rows))}…", NOTE)
        self.import_action.setEnabled(False)

        def imported(result: ImportResult) -> None:
            text = f"Imported {_contacts(len(result.contact_ids))} from {path.name}."
            if result.groups_created:
                text += f" New groups: {', '.join(result.groups_created)}."
            self._show_message(text)

        self._write(
            functools.partial(self._book.import_contacts, rows),
            imported,
            after=lambda: self.import_action.setEnabled(True),
        )

    def export_csv(self, path: Path) -> None:
        """Write the contacts of the group shown (or all) to `path`."""
        group = self.shown_group()
        run_task(
            functools.partial(
                self._book.export_csv, path, group_id=None if group is None else group.id
            ),
            on_done=lambda count: self._show_message(
                f"Exported {_contacts(count)} to {path.name}."
            ),
            on_error=self._show_error,
            context=self,
        )
