"""What a CSV import brought in, and every row that needs a look: nothing is dropped silently."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.recipients_csv import CsvImport
from faxgui.compose.validation import Severity
from faxgui.ui.feedback import NOTE

DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}


def import_summary(result: CsvImport, file_name: str) -> str:
    """One sentence: how many recipients came from which file."""
    count = len(result.recipients)
    return f"Added {count:,} recipient{'s' if count != 1 else ''} from {file_name}."


def how_read(result: CsvImport) -> str:
    """How the file was read, so a wrongly guessed column can be spotted."""
    parts = [f"Fax numbers from the column “{result.number_column}”"]
    if result.name_column:
        parts.append(f"names from “{result.name_column}”")
    if result.message_ref_column:
        parts.append(f"message references from “{result.message_ref_column}”")
    text = ", ".join(parts) + "."
    if result.extra_columns:
        text += " Also kept: " + ", ".join(f"“{c}”" for c in result.extra_columns) + "."
    separator = DELIMITER_NAMES.get(result.delimiter, repr(result.delimiter))
    header = "a heading row" if result.has_header else "no heading row"
    return f"{text} The file has cells separated by {separator} and {header}."


class CsvImportSummary(QDialog):
    """Lists the rows of an imported file that need a look, with what is wrong with each."""

    def __init__(self, result: CsvImport, file_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Imported {file_name}")
        errors = sum(p.severity is Severity.ERROR for p in result.problems)
        warnings = len(result.problems) - errors
        self.summary = QLabel(import_summary(result, file_name))
        self.summary.setWordWrap(True)
        counts = []
        if errors:
            counts.append(f"{errors:,} row{'s' if errors != 1 else ''} with a problem")
        if warnings:
            counts.append(f"{warnings:,} repeated number{'s' if warnings != 1 else ''}")
        self.details = QLabel(
            f"{' and '.join(counts).capitalize()}. Rows with a fax number are in the list, "
            "marked, so you can fix or remove them there; empty rows were left out."
        )
        self.details.setWordWrap(True)
        self.read_as = QLabel(how_read(result))
        self.read_as.setWordWrap(True)
        self.read_as.setStyleSheet(NOTE.style())
        self.rows = QListView()
        self.rows.setUniformItemSizes(True)
        self.rows.setModel(QStringListModel([p.message for p in result.problems], self))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(self.rows, 1)
        layout.addWidget(self.read_as)
        layout.addWidget(self.buttons)
        self.resize(560, 380)

    def messages(self) -> list[str]:
        """The row messages listed, in file order."""
        model = self.rows.model()
        assert isinstance(model, QStringListModel)
        return list(model.stringList())
