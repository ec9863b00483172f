"""Who the fax goes to: the "To:" field, the recipients table, paste, CSV import and export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.phone import PhoneNormaliser, format_for_display, parse_pasted
from faxgui.compose.recipients_csv import (
    CsvImport,
    CsvImportError,
    read_recipients_csv,
    write_recipients_csv,
)
from faxgui.compose.validation import Problem
from faxgui.ui.composer.csv_summary import CsvImportSummary, import_summary
from faxgui.ui.composer.document_inspector import DocumentInspector
from faxgui.ui.composer.overrides_dialog import OverridesDialog
from faxgui.ui.composer.problems import ProblemLabel, sentence
from faxgui.ui.composer.recipients_model import (
    COL_MESSAGE_REF,
    COL_NAME,
    COL_NUMBER,
    COL_OWN_SETTINGS,
    COL_SENDS_TO,
    RecipientsModel,
)
from faxgui.ui.feedback import ERROR, NOTE, describe_error
from faxgui.ui.workers import run_task

CSV_FILTER = "CSV files (*.csv *.txt);;All files (*)"
TO_PLACEHOLDER = "Fax number, or Name <number>, then Enter"
ROW_HEIGHT = 24
EMPTY_TABLE_TEXT = (
    "No recipients yet.\n\nType a fax number in To: and press Enter, paste a column of "
    "numbers here (Ctrl+V), or import a spreadsheet saved as CSV (Ctrl+I)."
)
COLUMN_WIDTHS = {COL_NAME: 140, COL_NUMBER: 115, COL_SENDS_TO: 200, COL_OWN_SETTINGS: 95}


def _os_message(error: OSError) -> str:
    return error.strerror or error.__class__.__name__


class RecipientsView(QTableView):
    """The recipients table: Ctrl+V pastes numbers, Delete removes, Enter opens the row's fax.

    Signals:
        paste_requested(str): the user pasted this text onto the table.
        remove_requested(): Delete or Backspace on selected rows.
        settings_requested(int): Enter, Alt+Enter or a double-click on this row.
    """

    paste_requested = Signal(str)
    remove_requested = Signal()
    settings_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        vertical = self.verticalHeader()
        # Fixed heights: sizing 10,000 rows to their contents would take seconds.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        horizontal = self.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setStretchLastSection(True)
        horizontal.setHighlightSections(False)
        self.doubleClicked.connect(lambda index: self.settings_requested.emit(index.row()))

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        for column, width in COLUMN_WIDTHS.items():
            self.setColumnWidth(column, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            # An empty table says how to fill it, rather than showing a blank box.
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignHCenter
                | Qt.AlignmentFlag.AlignTop
                | Qt.TextFlag.TextWordWrap,
                EMPTY_TABLE_TEXT,
            )
            painter.end()

    def selected_rows(self) -> list[int]:
        rows = {index.row() for index in self.selectionModel().selectedRows()}
        if not rows and self.currentIndex().isValid():
            rows.add(self.currentIndex().row())
        return sorted(rows)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing and event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit(QGuiApplication.clipboard().text())
            return
        if not editing and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit()
            return
        if not editing and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.settings_requested.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class _MultiLinePaste(QObject):
    """Lets the "To:" field take a pasted column of numbers, which a line edit would flatten."""

    def __init__(self, panel: RecipientsPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Paste)
        ):
            text = QGuiApplication.clipboard().text()
            if len(parse_pasted(text)) > 1:
                self._panel.paste_text(text)
                return True
        return False


class RecipientsPanel(QWidget):
    """Adds, lists, imports, exports and removes the draft's recipients.

    Signals:
        edited(): recipients were added, removed or changed.
        imported(int): a CSV import finished, adding this many recipients.
    """

    edited = Signal()
    imported = Signal(int)

    def __init__(
        self,
        numbers: PhoneNormaliser,
        inspector: DocumentInspector,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._numbers = numbers
        self._inspector = inspector
        self._draft = Draft()
        self._importing = False
        self._expanding = 0
        self._last_folder = ""
        self.file_dialog: QFileDialog | None = None
        self.summary_dialog: CsvImportSummary | None = None
        self.settings_dialog: OverridesDialog | None = None

        self.to_label = QLabel("&To:")
        self.to_edit = QLineEdit()
        self.to_edit.setPlaceholderText(TO_PLACEHOLDER)
        self.to_edit.setClearButtonEnabled(True)
        self.to_edit.setToolTip(
            "Type a fax number (or Name <number>) and press Enter. Several numbers can be "
            "separated by commas or pasted as a column. (Ctrl+Shift+A comes back here.)"
        )
        self.to_label.setBuddy(self.to_edit)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add the number typed in To: (Enter)")
        self.to_hint = QLabel()
        self.to_hint.setWordWrap(True)

        self.model = RecipientsModel(numbers, self)
        self.view = RecipientsView()
        self.view.setModel(self.model)
        self.view.setToolTip(
            "Start typing or press F2 to change a cell. Enter or a double-click opens the "
            "settings and documents of that fax only."
        )
        self.problem_label = ProblemLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        self.count_label = QLabel()
        self.count_label.setStyleSheet(NOTE.style())

        self.paste_button = QPushButton("&Paste numbers")
        self.paste_button.setToolTip(
            "Add the numbers copied to the clipboard, one a line (Ctrl+Shift+V, "
            "or Ctrl+V in the table)"
        )
        self.import_button = QPushButton("&Import CSV…")
        self.import_button.setToolTip("Add recipients from a spreadsheet saved as CSV (Ctrl+I)")
        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setToolTip("Save the recipients as a CSV file (Ctrl+Shift+E)")
        self.remove_button = QPushButton("R&emove")
        self.remove_button.setToolTip("Remove the selected recipients (Delete)")
        self.settings_button = QPushButton("This fax's settings…")
        self.settings_button.setToolTip(
            "Settings and documents for the selected recipient only (Enter or Alt+Enter)"
        )
        self._build_layout()

        self.to_edit.returnPressed.connect(self.add_from_entry)
        self.to_edit.textChanged.connect(self._update_hint)
        self.to_edit.installEventFilter(_MultiLinePaste(self))
        self.add_button.clicked.connect(self.add_from_entry)
        self.paste_button.clicked.connect(self.paste_clipboard)
        self.import_button.clicked.connect(self.choose_csv_import)
        self.export_button.clicked.connect(self.choose_csv_export)
        self.remove_button.clicked.connect(self.remove_selected)
        self.settings_button.clicked.connect(lambda: self.open_settings())
        self.view.paste_requested.connect(self.paste_text)
        self.view.remove_requested.connect(self.remove_selected)
        self.view.settings_requested.connect(self.open_settings)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.edited.connect(self._model_edited)
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._update_buttons)
        settings_key = QShortcut(QKeySequence("Alt+Return"), self.view)
        settings_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        settings_key.activated.connect(lambda: self.open_settings())
        self._update_hint()
        self._update_buttons()

    def _build_layout(self) -> None:
        to_row = QHBoxLayout()
        to_row.addWidget(self.to_label)
        to_row.addWidget(self.to_edit, 1)
        to_row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        for button in (self.paste_button, self.import_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(to_row)
        layout.addWidget(self.to_hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.note)
        layout.addWidget(self.count_label)
        layout.addLayout(buttons)

    # ------------------------------------------------------------------ the draft

    def set_draft(self, draft: Draft) -> None:
        self._draft = draft
        self.model.set_draft(draft)
        self.note.hide()

    def set_numbers(self, numbers: PhoneNormaliser) -> None:
        self._numbers = numbers
        self.model.set_numbers(numbers)
        self._update_hint()

    def set_completer(self, completer: QCompleter) -> None:
        """Suggest recipients in "To:" (the completion text is "Name <number>")."""
        if completer.parent() is None:
            # The line edit does not own its completer; this keeps it alive.
            completer.setParent(self.to_edit)
        self.to_edit.setCompleter(completer)

    # ------------------------------------------------------------------ adding

    def add_entries(self, entries: Sequence[tuple[str, str]]) -> list[Recipient]:
        """Add a recipient for each (name, number as typed); invalid numbers are added flagged."""
        added = self.model.add_typed(entries)
        if added:
            self._scroll_to(len(self._draft.recipients) - 1)
        return added

    def add_from_entry(self) -> int:
        """Add what "To:" holds (one or more numbers) and clear it; returns how many.

        Text that holds no valid number may name an address book group: when
        the completer can expand groups (`expand_group_text`, as the address
        book's does), it is asked on a worker and the members are added when
        it answers (0 is returned meanwhile; see `expanding`).
        """
        text = self.to_edit.text()
        entries = parse_pasted(text)
        if not entries:
            return 0
        self.to_edit.clear()
        expand = getattr(self.to_edit.completer(), "expand_group_text", None)
        if expand is not None and all(
            self._numbers.normalise(e.number_text).number is None for e in entries
        ):
            self._expanding += 1
            self._show_note(f"Looking up {text.strip()}…")
            run_task(
                expand,
                text,
                on_done=lambda members: self._group_expanded(text, members),
                on_error=lambda error: self._group_failed(text, error),
                context=self,
            )
            return 0
        self.add_entries([(e.name, e.number_text) for e in entries])
        self._show_note(self._added_text(len(entries)))
        return len(entries)

    @property
    def expanding(self) -> bool:
        """True while a group typed in "To:" is being looked up."""
        return self._expanding > 0

    def _group_expanded(self, text: str, members: list[tuple[str, str]] | None) -> None:
        self._expanding -= 1
        if members is None:
            # Not a group after all: the text is added as typed, flagged in its row.
            entries = parse_pasted(text)
            self.add_entries([(e.name, e.number_text) for e in entries])
            self._show_note(self._added_text(len(entries)))
        elif not members:
            self._show_note(
                f"{text.strip()} has no members any more, so nobody was added.", error=True
            )
        else:
            self.add_entries(members)
            self._show_note(self._added_text(len(members)))

    def _group_failed(self, text: str, error: Exception) -> None:
        self._expanding -= 1
        if not self.to_edit.text():
            self.to_edit.setText(text)
        self._show_note(describe_error(error), error=True)

    def paste_text(self, text: str) -> int:
        """Add every number in pasted text; returns how many."""
        if not self.isEnabled():
            return 0
        entries = parse_pasted(text)
        if not entries:
            self._show_note(
                "The clipboard has no fax numbers in it. Copy a column of numbers first.",
                error=True,
            )
            return 0
        self.add_entries([(e.name, e.number_text) for e in entries])
        self._show_note(self._added_text(len(entries), "pasted"))
        return len(entries)

    def paste_clipboard(self) -> int:
        return self.paste_text(QGuiApplication.clipboard().text())

    def _added_text(self, count: int, how: str = "added") -> str:
        invalid = sum(r.normalised is None for r in self._draft.recipients[-count:])
        text = f"{count:,} recipient{'s' if count != 1 else ''} {how}."
        if invalid:
            text += f" {invalid} of them need{'s' if invalid == 1 else ''} a look (marked red)."
        return text

    # ------------------------------------------------------------------ CSV

    def choose_csv_import(self) -> None:
        if not self.isEnabled():
            return
        dialog = self._file_dialog("Import recipients from CSV")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda name: self.import_csv(Path(name)))
        dialog.open()

    def choose_csv_export(self) -> None:
        if not self.isEnabled():
            return
        if not self._draft.recipients:
            self._show_note("There are no recipients to export yet.", error=True)
            return
        dialog = self._file_dialog("Export recipients to CSV")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.selectFile("recipients.csv")
        dialog.fileSelected.connect(lambda name: self.export_csv(Path(name)))
        dialog.open()

    def _file_dialog(self, title: str) -> QFileDialog:
        dialog = QFileDialog(self, title, self._last_folder)
        dialog.setNameFilter(CSV_FILTER)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.file_dialog = dialog
        return dialog

    def import_csv(self, path: Path) -> None:
        """Read a CSV file on a worker and add its recipients; problems are listed after."""
        if self._importing:
            return
        self._importing = True
        self._last_folder = str(path.parent)
        self._show_note(f"Reading {path.name}…")
        self.import_button.setEnabled(False)
        already = [r.normalised for r in self._draft.recipients if r.normalised]
        numbers, draft = self._numbers, self._draft
        run_task(
            lambda: read_recipients_csv(path, numbers, already_added=already),
            on_done=lambda result: self._imported(path, result, draft),
            on_error=lambda error: self._import_failed(path, error),
            context=self,
        )

    def _imported(self, path: Path, result: CsvImport, draft: Draft) -> None:
        self._importing = False
        self.import_button.setEnabled(True)
        if draft is not self._draft:
            # A new fax was started while the file was read; the file was for the old one.
            self.imported.emit(0)
            return
        first = len(draft.recipients)
        self.model.add_recipients(result.recipients)
        if result.recipients:
            self._scroll_to(first)
        text = import_summary(result, path.name)
        if result.problems:
            count = len(result.problems)
            text += f" {count:,} row{'s' if count != 1 else ''} need{'s' if count == 1 else ''}"
            text += " a look."
            self.summary_dialog = CsvImportSummary(result, path.name, self)
            self.summary_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.summary_dialog.open()
        self._show_note(text)
        self.imported.emit(len(result.recipients))

    def _import_failed(self, path: Path, error: Exception) -> None:
        self._importing = False
        self.import_button.setEnabled(True)
        if isinstance(error, CsvImportError):
            message = f"{path.name} was not imported: {error}"
        elif isinstance(error, OSError):
            message = f"{path.name} could not be read ({_os_message(error)}). Check the file."
        else:
            message = describe_error(error)
        self._show_note(message, error=True)
        self.imported.emit(0)

    def export_csv(self, path: Path) -> None:
        """Write the recipients to a CSV file, on a worker."""
        self._last_folder = str(path.parent)
        recipients = list(self._draft.recipients)
        run_task(
            write_recipients_csv,
            recipients,
            path,
            on_done=lambda _none: self._show_note(
                f"Saved {len(recipients):,} recipients to {path.name}."
            ),
            on_error=lambda error: self._export_failed(path, error),
            context=self,
        )

    def _export_failed(self, path: Path, error: Exception) -> None:
        if isinstance(error, OSError):
            message = (
                f"{path.name} could not be saved ({_os_message(error)}). "
                "Choose another folder or file name."
            )
        else:
            message = describe_error(error)
        self._show_note(message, error=True)

    # ------------------------------------------------------------------ rows

    def remove_selected(self) -> None:
        rows = self.view.selected_rows()
        if not rows or not self.isEnabled():
            return
        self.model.remove_rows(rows)
        remaining = len(self._draft.recipients)
        if remaining:
            self._select(min(rows[0], remaining - 1))
        count = len(rows)
        self._show_note(f"{count:,} recipient{'s' if count != 1 else ''} removed.")

    def open_settings(self, row: int | None = None) -> None:
        """Open the settings and documents of one recipient's fax (the current row by default)."""
        if row is None:
            rows = self.view.selected_rows()
            row = rows[0] if rows else None
        if row is None or not 0 <= row < len(self._draft.recipients) or not self.isEnabled():
            return
        dialog = OverridesDialog(self._draft, row, self._numbers, self._inspector, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._settings_applied(dialog.row, dialog.recipient))
        self.settings_dialog = dialog
        dialog.open()

    def _settings_applied(self, row: int, recipient: Recipient) -> None:
        if row < len(self._draft.recipients) and self._draft.recipients[row] is recipient:
            self.model.update_rows([row])
            self.edited.emit()

    def _select(self, row: int) -> None:
        index = self.model.index(row, COL_NAME)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _scroll_to(self, row: int) -> None:
        self.view.scrollTo(self.model.index(row, COL_NAME))

    # ------------------------------------------------------------------ feedback

    def show_problems(self, problems: Sequence[Problem]) -> None:
        self.model.set_problems(problems)
        self.problem_label.show_problems(
            [p for p in problems if p.field == "recipients" and p.recipient_index is None]
        )

    def focus_problem(self, problem: Problem) -> None:
        """Select the row a problem is about (or go to "To:" when there are no rows)."""
        if problem.recipient_index is None:
            self.to_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._select(problem.recipient_index)
        column = COL_MESSAGE_REF if problem.field == "message_ref" else COL_NUMBER
        self.view.scrollTo(self.model.index(problem.recipient_index, column))
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_note(self, text: str, error: bool = False) -> None:
        self.note.setStyleSheet(ERROR.style() if error else NOTE.style())
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _update_hint(self) -> None:
        entries = parse_pasted(self.to_edit.text())
        if not entries:
            self.to_hint.setStyleSheet(NOTE.style())
            self.to_hint.setText(
                f"Numbers without a country code are read as {self._numbers.region_name}."
            )
            return
        if len(entries) > 1:
            self.to_hint.setStyleSheet(NOTE.style())
            self.to_hint.setText(f"Enter adds {len(entries)} numbers.")
            return
        result = self._numbers.normalise(entries[0].number_text)
        if result.number is None:
            self.to_hint.setStyleSheet(ERROR.style())
            self.to_hint.setText(sentence(result.problem or "This is not a fax number"))
        else:
            self.to_hint.setStyleSheet(NOTE.style())
            self.to_hint.setText(f"Sends to {format_for_display(result.number)}")

    def _model_edited(self) -> None:
        self._update_buttons()
        self.edited.emit()

    def _update_buttons(self, *_args: object) -> None:
        count = len(self._draft.recipients)
        # An empty table says so itself.
        self.count_label.setText(f"{count:,} recipient{'s' if count != 1 else ''}")
        self.count_label.setVisible(count > 0)
        has_rows = bool(self.view.selected_rows())
        self.remove_button.setEnabled(has_rows)
        self.settings_button.setEnabled(has_rows)
        self.export_button.setEnabled(count > 0)
