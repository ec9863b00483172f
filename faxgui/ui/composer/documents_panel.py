"""The documents of a fax: add, reorder and remove them, and set how each one is sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from faxgui.api.enums import DitheringTechnique
from faxgui.compose.draft import DraftDocument
from faxgui.compose.validation import ACCEPTED_TYPES_TEXT, Problem
from faxgui.imaging.formats import FILE_TYPES, extension_of, file_type_for
from faxgui.ui.composer.document_inspector import DocumentInspector
from faxgui.ui.composer.merge_fields_editor import MergeFieldsEditor
from faxgui.ui.composer.problems import (
    ProblemLabel,
    errors_first,
    problem_icon,
    sentence,
)
from faxgui.ui.feedback import ERROR, NOTE

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.ui.designer.designer_window import DesignerWindow

BANNER_STYLE = (
    "QLabel { background: #fde2e1; color: #6b1512; border: 1px solid #e8a19d;"
    " border-radius: 4px; padding: 6px; }"
)

DITHERING_NAMES: dict[DitheringTechnique | None, str] = {
    None: "Account default",
    DitheringTechnique.NONE: "None: pure black and white (text, line drawings)",
    DitheringTechnique.NORMAL: "Normal: greys as fine dots (photos)",
    DitheringTechnique.TURBO: "Turbo: quicker, coarser dots",
    DitheringTechnique.DARKEN: "Darker",
    DitheringTechnique.DARKEN_MORE: "Darker still",
    DitheringTechnique.DARKEN_EXTRA: "Darkest (for faint originals)",
    DitheringTechnique.LIGHTEN: "Lighter",
    DitheringTechnique.LIGHTEN_MORE: "Lighter still (for dark originals)",
    DitheringTechnique.CROSSHATCH: "Crosshatch pattern",
    DitheringTechnique.DETAILED: "Detailed: finest dots (detailed photos)",
}
"""The dithering choices in plain words, in the order the combo box lists them."""

NAME_FILTER = "Documents the fax service accepts ({})".format(
    " ".join(f"*.{ext}" for t in FILE_TYPES for ext in t.extensions)
)
THUMBNAIL_SIZE = QSize(50, 64)


class DocumentOwner(Protocol):
    """A draft or a recipient: anything with a list of documents it keeps in order."""

    documents: list[DraftDocument]

    def add_document(self, path: Path, display_name: str = "") -> DraftDocument: ...

    def add_saved_document(self, document_ref: str, display_name: str = "") -> DraftDocument: ...

    def remove_document(self, index: int) -> DraftDocument: ...

    def move_document(self, from_index: int, to_index: int) -> None: ...


def refusal_reason(path: Path) -> str | None:
    """Why a file cannot be added to a fax, in a sentence; None when it can."""
    name = path.name or str(path)
    if path.is_dir():
        return f"{name} is a folder; add the documents inside it instead."
    if file_type_for(name) is None:
        extension = extension_of(name)
        kind = f".{extension} files" if extension else "files without an extension"
        return (
            f"{name} was not added: the fax service cannot send {kind}. It accepts "
            f"{ACCEPTED_TYPES_TEXT}. Save it as PDF and add that."
        )
    if not path.exists():
        return f"{name} was not added: it is no longer there (moved or deleted?)."
    return None


def suggested_ref(document: DraftDocument) -> str:
    """A reference to save a file under, from its name: "Price list.pdf" gives "price-list"."""
    stem = document.path.stem if document.path is not None else document.label
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "document"


def pages_text(count: int | None) -> str:
    return "" if count is None else f"{count} page{'s' if count != 1 else ''}"


class DocumentsModel(QAbstractListModel):
    """One row per document of a draft or recipient, in the order they are sent."""

    def __init__(self, inspector: DocumentInspector, parent: Any = None) -> None:
        super().__init__(parent)
        self._inspector = inspector
        self._documents: list[DraftDocument] = []
        self._problems: dict[int, list[Problem]] = {}

    def set_rows(self, documents: list[DraftDocument]) -> None:
        """Show this list (the owner's own list: the model sees its changes on refresh)."""
        self.beginResetModel()
        self._documents = documents
        self._problems = {}
        self.endResetModel()

    def refresh(self) -> None:
        """Redraw every row after the list changed (added, moved or removed documents)."""
        self.beginResetModel()
        self.endResetModel()

    def update_rows(self, documents: Iterable[DraftDocument]) -> None:
        """Redraw the rows of these documents."""
        for document in documents:
            row = self.row_of(document)
            if row is not None:
                self.dataChanged.emit(self.index(row), self.index(row))

    def row_of(self, document: DraftDocument) -> int | None:
        return next((i for i, d in enumerate(self._documents) if d is document), None)

    def document(self, row: int) -> DraftDocument:
        return self._documents[row]

    def set_problems(self, problems: Iterable[Problem], recipient_index: int | None) -> None:
        """Flag rows with the document problems of this owner among `problems`."""
        by_row: dict[int, list[Problem]] = {}
        for problem in problems:
            if problem.document_index is not None and problem.recipient_index == recipient_index:
                by_row.setdefault(problem.document_index, []).append(problem)
        self._problems = by_row
        if self._documents:
            self.dataChanged.emit(self.index(0), self.index(len(self._documents) - 1))

    def problems_for(self, row: int) -> list[Problem]:
        return errors_first(self._problems.get(row, []))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._documents)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        document = self._documents[index.row()]
        problems = self.problems_for(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row() + 1}. {document.label}\n{self._second_line(document, problems)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [str(document.path) if document.path else f"Saved as {document.document_ref}"]
            return "\n".join(lines + [sentence(p.message) for p in problems])
        if role == Qt.ItemDataRole.DecorationRole:
            thumbnail = self._inspector.thumbnail(document)
            if thumbnail is not None and not problems:
                return thumbnail
            if problems:
                return problem_icon(problems[0].is_error)
            return _type_icon(document)
        if role == Qt.ItemDataRole.ForegroundRole and problems and problems[0].is_error:
            return ERROR.color()
        return None

    def _second_line(self, document: DraftDocument, problems: list[Problem]) -> str:
        if problems:
            return sentence(problems[0].message)
        if document.path is None:
            return "Saved on the fax service"
        if self._inspector.is_pending(document):
            return "Counting pages…"
        file_type = file_type_for(document.file_name or "")
        parts = [pages_text(document.page_count), file_type.label if file_type else ""]
        if document.save_as_ref and document.document_ref:
            parts.append(f"also saved as “{document.document_ref}”")
        if document.stamps:
            parts.append(f"{len(document.stamps)} stamp{'s' if len(document.stamps) != 1 else ''}")
        return " · ".join(p for p in parts if p)


def _type_icon(document: DraftDocument) -> QIcon:
    pixmap = (
        QStyle.StandardPixmap.SP_DriveNetIcon
        if document.path is None
        else QStyle.StandardPixmap.SP_FileIcon
    )
    return QApplication.style().standardIcon(pixmap)


class DocumentsPanel(QWidget):
    """The documents list with its buttons, and the settings of the selected document.

    Works on an owner's document list in place (`set_owner`): the draft's, or
    one recipient's own. Files are inspected (page count, thumbnail) by the
    shared `DocumentInspector`, never on the GUI thread.

    Signals:
        edited(): documents were added, removed, reordered or changed.
    """

    edited = Signal()

    def __init__(self, inspector: DocumentInspector, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._inspector = inspector
        self._owner: DocumentOwner | None = None
        self._recipient_index: int | None = None
        self._shown: DraftDocument | None = None
        self._loading = False
        self._last_folder = ""
        self.file_dialog: QFileDialog | None = None
        self.saved_dialog: QInputDialog | None = None
        self.model = DocumentsModel(inspector, self)

        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setIconSize(THUMBNAIL_SIZE)
        self.list.setSpacing(2)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumHeight(150)
        self.empty_note = QLabel("No documents yet. Drop files here, or press Add… (Ctrl+O).")
        self.empty_note.setStyleSheet(NOTE.style())
        self.empty_note.setWordWrap(True)
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.problem_label = ProblemLabel()
        self.refused_label = QLabel()
        self.refused_label.setStyleSheet(BANNER_STYLE)
        self.refused_label.setWordWrap(True)
        self.refused_label.hide()
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet(NOTE.style())

        self.add_button = QPushButton("&Add…")
        self.add_button.setToolTip("Add documents from this computer (Ctrl+O)")
        self.saved_button = QPushButton("Use a sa&ved document…")
        self.saved_button.setToolTip(
            "Send a document saved on the fax service earlier, by its reference (Ctrl+Shift+O)"
        )
        self.up_button = QPushButton("Up")
        self.up_button.setToolTip("Send the selected document earlier (Ctrl+Up)")
        self.down_button = QPushButton("Down")
        self.down_button.setToolTip("Send the selected document later (Ctrl+Down)")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected document from the fax (Delete)")

        self.details = QGroupBox("Selected document")
        self.dithering_combo = QComboBox()
        self.dithering_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.dithering_combo.setMinimumContentsLength(14)
        for technique, text in DITHERING_NAMES.items():
            self.dithering_combo.addItem(text, technique.value if technique else "")
        self.dithering_combo.setToolTip(
            "How grey and colour on this document are turned into black and white dots"
        )
        self.save_check = QCheckBox("Also save it for reuse as:")
        self.save_check.setToolTip(
            "Save this file on the fax service under a reference, so later faxes can use it "
            "without sending the file again"
        )
        self.saved_ref_label = QLabel("Saved document reference:")
        self.ref_edit = QLineEdit()
        self.ref_edit.setPlaceholderText("A reference such as price-list-2026")
        self.ref_problem = ProblemLabel()
        self.path_problem = ProblemLabel()
        self.merge_editor = MergeFieldsEditor()
        self.merge_editor.table.setMaximumHeight(90)
        self.merge_note = QLabel()
        self.merge_note.setStyleSheet(NOTE.style())
        self.merge_note.setWordWrap(True)
        self.merge_problem = ProblemLabel()
        self.stamps_label = QLabel()
        self.stamps_label.setStyleSheet(NOTE.style())
        self.designer_button = QPushButton("S&tamps and preview…")
        self.designer_button.setToolTip(
            "Place text and images on this document's pages, and see it as the fax will print"
        )
        self._client_factory: Callable[[], MonopondClient] | None = None
        # Open designer windows, by the id of the document each one edits.
        self.designers: dict[int, DesignerWindow] = {}
        self._build_layout()

        self.add_button.clicked.connect(self.choose_files)
        self.saved_button.clicked.connect(self.choose_saved_document)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.dithering_combo.activated.connect(self._details_edited)
        self.save_check.toggled.connect(self._save_toggled)
        self.ref_edit.textEdited.connect(self._details_edited)
        self.merge_editor.edited.connect(self._details_edited)
        self.designer_button.clicked.connect(self.open_designer)
        inspector.inspected.connect(self._inspected)
        for keys, slot in (
            (QKeySequence.StandardKey.Delete, self.remove_selected),
            (QKeySequence("Ctrl+Up"), lambda: self.move_selected(-1)),
            (QKeySequence("Ctrl+Down"), lambda: self.move_selected(1)),
        ):
            shortcut = QShortcut(keys, self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self._show_details(None)
        self._update_buttons()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.saved_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        order_buttons = QVBoxLayout()
        for button in (self.up_button, self.down_button, self.remove_button):
            order_buttons.addWidget(button)
        order_buttons.addStretch(1)
        list_row = QHBoxLayout()
        list_row.addWidget(self.list, 1)
        list_row.addWidget(self.empty_note, 1)
        list_row.addLayout(order_buttons)

        ref_row = QHBoxLayout()
        ref_row.addWidget(self.save_check)
        ref_row.addWidget(self.saved_ref_label)
        ref_row.addWidget(self.ref_edit, 1)
        form = QFormLayout(self.details)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.path_problem)
        form.addRow("&Dithering:", self.dithering_combo)
        stamps_row = QHBoxLayout()
        stamps_row.addWidget(self.stamps_label, 1)
        stamps_row.addWidget(self.designer_button)
        form.addRow("Stamps:", stamps_row)
        form.addRow(ref_row)
        form.addRow(self.ref_problem)
        merge_column = QVBoxLayout()
        merge_column.addWidget(self.merge_note)
        merge_column.addWidget(self.merge_editor)
        merge_column.addWidget(self.merge_problem)
        form.addRow("Merge fields:", merge_column)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.refused_label)
        layout.addLayout(list_row, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.summary_label)
        layout.addLayout(buttons)
        layout.addWidget(self.details)

    # ------------------------------------------------------------------ the owner

    def set_owner(self, owner: DocumentOwner, recipient_index: int | None = None) -> None:
        """Edit `owner`'s documents; `recipient_index` picks its problems out of a validation."""
        self._owner = owner
        self._recipient_index = recipient_index
        self.model.set_rows(owner.documents)
        self.refused_label.hide()
        for document in owner.documents:
            if document.path is not None and self._inspector.thumbnail(document) is None:
                self._inspector.request(document)
        self._after_list_change(select=0 if owner.documents else None, emit=False)

    def documents(self) -> list[DraftDocument]:
        return [] if self._owner is None else self._owner.documents

    def add_files(self, paths: Sequence[Path]) -> list[str]:
        """Add these files, in order; returns why any were refused (also shown above the list)."""
        if self._owner is None:
            return []
        refusals: list[str] = []
        added: list[DraftDocument] = []
        for raw in paths:
            path = Path(raw)
            reason = refusal_reason(path)
            if reason is not None:
                refusals.append(reason)
                continue
            added.append(self._owner.add_document(path))
            self._last_folder = str(path.parent)
        self.refused_label.setText("\n".join(refusals))
        self.refused_label.setVisible(bool(refusals))
        for document in added:
            self._inspector.request(document)
        if added:
            self._after_list_change(select=len(self._owner.documents) - 1)
        return refusals

    def add_saved_document(self, document_ref: str) -> None:
        """Add a document saved on the service earlier, by its reference."""
        ref = document_ref.strip()
        if self._owner is None or not ref:
            return
        self._owner.add_saved_document(ref)
        self._after_list_change(select=len(self._owner.documents) - 1)

    def choose_files(self) -> None:
        """Open the file dialog; the files chosen are added when it is accepted."""
        if self._owner is None or not self.isEnabled():
            return
        dialog = QFileDialog(self, "Add documents to the fax", self._last_folder)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([NAME_FILTER, "All files (*)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda files: self.add_files([Path(f) for f in files]))
        self.file_dialog = dialog
        dialog.open()

    def choose_saved_document(self) -> None:
        """Ask for the reference of a saved document, then add it."""
        if self._owner is None or not self.isEnabled():
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Use a saved document")
        dialog.setLabelText(
            "The reference the document was saved under on the fax service\n"
            "(with “Also save it for reuse as” on an earlier fax):"
        )
        dialog.setOkButtonText("Add")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.add_saved_document)
        self.saved_dialog = dialog
        dialog.open()

    def selected_row(self) -> int | None:
        index = self.list.currentIndex()
        return index.row() if index.isValid() else None

    def select(self, row: int) -> None:
        """Make `row` the current, selected document."""
        self.list.selectionModel().setCurrentIndex(
            self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def move_selected(self, delta: int) -> None:
        """Move the selected document earlier (-1) or later (+1) in the sending order."""
        row = self.selected_row()
        if self._owner is None or row is None or not self.isEnabled():
            return
        target = row + delta
        if not 0 <= target < len(self._owner.documents):
            return
        self._owner.move_document(row, target)
        self._after_list_change(select=target)

    def remove_selected(self) -> None:
        row = self.selected_row()
        if self._owner is None or row is None or not self.isEnabled():
            return
        self._owner.remove_document(row)
        remaining = len(self._owner.documents)
        self._after_list_change(select=min(row, remaining - 1) if remaining else None)

    def _after_list_change(self, select: int | None, emit: bool = True) -> None:
        self._close_designers_of_others()
        self.model.refresh()
        if select is not None:
            self.select(select)
        else:
            self._show_details(None)
        self._update_buttons()
        if emit:
            self.edited.emit()

    def _update_buttons(self) -> None:
        documents = self.documents()
        row = self.selected_row()
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < len(documents) - 1)
        self.remove_button.setEnabled(row is not None)
        self.empty_note.setVisible(not documents)
        self.list.setVisible(bool(documents))
        pages = [d.page_count for d in documents]
        if documents:
            known = sum(p or 0 for p in pages)
            total = f"{known} page{'s' if known != 1 else ''}"
            if any(p is None for p in pages):
                total = f"at least {total}" if known else "pages not counted yet"
            count = len(documents)
            self.summary_label.setText(
                f"{count} document{'s' if count != 1 else ''}, {total}, sent in this order."
            )
        self.summary_label.setVisible(bool(documents))

    # ------------------------------------------------------------------ the selected document

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details(self.model.document(current.row()) if current.isValid() else None)
        self._update_buttons()

    def _show_details(self, document: DraftDocument | None) -> None:
        self._shown = document
        self.details.setVisible(document is not None)
        self._loading = True
        try:
            if document is None:
                self.details.setTitle("Selected document")
                self.dithering_combo.setCurrentIndex(0)
                self.ref_edit.clear()
                self.save_check.setChecked(False)
                self.merge_editor.set_fields([])
                self.merge_note.clear()
                return
            self.details.setTitle(f"Settings of {document.label}")
            self._update_designer_button(document)
            technique = document.dithering_technique
            self.dithering_combo.setCurrentIndex(
                self.dithering_combo.findData(technique.value if technique else "")
            )
            saved = document.path is None
            self.save_check.setVisible(not saved)
            self.saved_ref_label.setVisible(saved)
            self.save_check.setChecked(document.save_as_ref)
            self.ref_edit.setText(document.document_ref or "")
            self.ref_edit.setEnabled(saved or document.save_as_ref)
            self.merge_editor.set_fields(document.doc_merge_data)
            self._update_merge_state(document)
        finally:
            self._loading = False
        self._show_row_problems()

    def _update_merge_state(self, document: DraftDocument) -> None:
        file_type = file_type_for(document.file_name or "")
        if document.path is None:
            allowed, note = True, "Merge fields work only if the saved document is a Word document."
        elif file_type is not None and file_type.accepts_doc_merge:
            allowed = True
            note = "Each <mf:name> field in the document is replaced with the text given here."
        else:
            kind = file_type.label if file_type else "file of unknown type"
            allowed = False
            note = (
                f"Only for Word documents (.doc, .docx); the fax service refuses them for a {kind}."
            )
        # Fields already on a non-Word document stay editable, so they can be removed.
        self.merge_editor.setEnabled(allowed or bool(document.doc_merge_data))
        self.merge_editor.setToolTip("" if allowed else note)
        self.merge_note.setText(note)

    def _save_toggled(self, checked: bool) -> None:
        if self._loading or self._shown is None:
            return
        if checked and not self.ref_edit.text().strip():
            self.ref_edit.setText(suggested_ref(self._shown))
        self.ref_edit.setEnabled(checked)
        if checked:
            self.ref_edit.setFocus()
            self.ref_edit.selectAll()
        self._details_edited()

    def _details_edited(self, *_args: object) -> None:
        document = self._shown
        if self._loading or document is None:
            return
        value = self.dithering_combo.currentData()
        document.dithering_technique = DitheringTechnique(value) if value else None
        document.doc_merge_data = self.merge_editor.fields()
        ref = self.ref_edit.text().strip()
        if document.path is None:
            document.document_ref = ref or None
        else:
            document.save_as_ref = self.save_check.isChecked()
            document.document_ref = ref or None
        self._update_merge_state(document)
        self.model.update_rows([document])
        self._update_buttons()
        self.edited.emit()

    # ------------------------------------------------------------------ problems

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Flag document rows and fields with this owner's problems among `problems`."""
        self.model.set_problems(problems, self._recipient_index)
        self.problem_label.show_problems(
            [
                p
                for p in problems
                if p.field == "documents"
                and p.recipient_index == self._recipient_index
                and p.document_index is None
            ]
        )
        self._show_row_problems()

    def _show_row_problems(self) -> None:
        row = None if self._shown is None else self.model.row_of(self._shown)
        problems = [] if row is None else self.model.problems_for(row)
        for label, field in (
            (self.path_problem, "path"),
            (self.ref_problem, "document_ref"),
            (self.merge_problem, "doc_merge_data"),
        ):
            label.show_problems([p for p in problems if p.field == field])

    def focus_problem(self, problem: Problem) -> None:
        """Select the document a problem is about and put the focus on its field."""
        if problem.document_index is None:
            (self.add_button if not self.documents() else self.list).setFocus()
            return
        if problem.document_index < len(self.documents()):
            self.select(problem.document_index)
        target: QWidget = {
            "document_ref": self.ref_edit,
            "doc_merge_data": self.merge_editor.table,
        }.get(problem.field, self.list)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ the stamp designer

    def set_client_factory(self, factory: Callable[[], MonopondClient] | None) -> None:
        """Where the designer's previews are made (a client to the service in use)."""
        self._client_factory = factory

    def open_designer(self) -> DesignerWindow | None:
        """Open the stamp designer for the selected document (or bring its window forward)."""
        document = self._shown
        if document is None or self._owner is None:
            return None
        from faxgui.ui.designer.designer_rules import (
            convention_from_settings,
            send_resolution,
            why_not_designable,
        )

        if why_not_designable(document) is not None:
            return None
        window = self.designers.get(id(document))
        if window is None:
            from faxgui.ui.designer.designer_window import DesignerWindow

            window = DesignerWindow(
                document,
                send_resolution(self._owner),
                convention=convention_from_settings(),
                client_factory=self._client_factory,
                parent=self,
            )
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            key = id(document)
            window.edited.connect(lambda d=document: self._designer_edited(d))
            window.destroyed.connect(lambda _o=None, k=key: self.designers.pop(k, None))
            window.set_read_only(not self.isEnabled())
            self.designers[key] = window
            window.show()
            return window
        # Already open, perhaps behind the main window: bring it forward.
        window.showNormal()
        window.raise_()
        window.activateWindow()
        return window

    def _designer_edited(self, document: DraftDocument) -> None:
        self.model.update_rows([document])
        if document is self._shown:
            self._show_details(document)
        self.edited.emit()

    def _update_designer_button(self, document: DraftDocument) -> None:
        from faxgui.ui.designer.designer_rules import why_not_designable

        reason = why_not_designable(document)
        self.designer_button.setEnabled(reason is None)
        self.designer_button.setToolTip(
            reason
            or "Place text and images on this document's pages, and see it as the fax will print"
        )
        count = len(document.stamps)
        if count:
            self.stamps_label.setText(f"{count} stamp{'s' if count != 1 else ''}, on every page")
        else:
            self.stamps_label.setText("None")

    def _close_designers_of_others(self) -> None:
        """A designer of a document no longer in the list has nothing left to edit."""
        kept = {id(d) for d in self.documents()}
        for key, window in list(self.designers.items()):
            if key not in kept:
                self.designers.pop(key, None)
                window.close()

    def changeEvent(self, event: QEvent) -> None:
        # Disabled while the fax is sent, or once it went out: so are the designers' stamps.
        if event.type() == QEvent.Type.EnabledChange:
            for window in self.designers.values():
                window.set_read_only(not self.isEnabled())
        super().changeEvent(event)

    def _inspected(self, document: DraftDocument) -> None:
        if self.model.row_of(document) is not None:
            self.model.update_rows([document])
            self._update_buttons()
