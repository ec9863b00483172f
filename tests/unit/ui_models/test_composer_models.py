"""The composer's table and list models, without any widget: rows, flags, edits, wording."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.validation import Problem, Severity, validate
from faxgui.ui.composer.document_inspector import DocumentInspector
from faxgui.ui.composer.documents_panel import DocumentsModel, refusal_reason, suggested_ref
from faxgui.ui.composer.problems import ProblemsModel, problem_text
from faxgui.ui.composer.recipients_model import (
    COL_MESSAGE_REF,
    COL_NAME,
    COL_NUMBER,
    COL_SENDS_TO,
    HEADERS,
    RecipientsModel,
    own_settings_text,
)

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def numbers() -> PhoneNormaliser:
    return PhoneNormaliser("AU")


@pytest.fixture
def model(qapp: QApplication, numbers: PhoneNormaliser) -> RecipientsModel:
    recipients = RecipientsModel(numbers)
    recipients.set_draft(Draft.new())
    return recipients


def text(model: RecipientsModel, row: int, column: int) -> object:
    return model.data(model.index(row, column), DISPLAY)


def test_typed_recipients_become_rows_with_generated_references(model: RecipientsModel) -> None:
    added = model.add_typed([("Dr Lee", "(02) 8003 9890"), ("", "02 8003 98")])
    assert model.rowCount() == 2
    assert model.columnCount() == len(HEADERS)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == list(HEADERS)
    assert text(model, 0, COL_NAME) == "Dr Lee"
    assert text(model, 0, COL_NUMBER) == "(02) 8003 9890"
    assert text(model, 0, COL_SENDS_TO) == "+61 2 8003 9890"
    assert text(model, 1, COL_SENDS_TO) == "This number is too short."
    assert model.data(model.index(1, COL_SENDS_TO), Qt.ItemDataRole.DecorationRole) is not None
    assert text(model, 0, COL_MESSAGE_REF) == added[0].message_ref
    assert added[0].message_ref != added[1].message_ref


def test_editing_a_number_in_the_table_normalises_it(model: RecipientsModel) -> None:
    model.add_typed([("", "02 8003 98")])
    edits: list[None] = []
    model.edited.connect(lambda: edits.append(None))
    assert model.setData(model.index(0, COL_NUMBER), " 02 8003 9890 ")
    assert model.recipient(0).fax_number == "02 8003 9890"
    assert model.recipient(0).normalised == "61280039890"
    assert model.setData(model.index(0, COL_NAME), "Dr Lee")
    assert not model.setData(model.index(0, COL_SENDS_TO), "anything")
    assert len(edits) == 2
    assert not (model.flags(model.index(0, COL_SENDS_TO)) & Qt.ItemFlag.ItemIsEditable)
    assert model.flags(model.index(0, COL_NAME)) & Qt.ItemFlag.ItemIsEditable


def test_problems_flag_their_rows_and_columns(
    model: RecipientsModel, numbers: PhoneNormaliser
) -> None:
    model.add_typed([("Dr Lee", "02 8003 9890"), ("Again", "02 8003 9890")])
    model.recipient(1).message_ref = model.recipient(0).message_ref
    draft = Draft(
        recipients=[model.recipient(0), model.recipient(1)], broadcast_ref="B", send_ref="S"
    )
    model.set_problems(validate(draft, numbers, inspect=False))
    assert model.problems_for(0) == []
    assert [p.field for p in model.problems_for(1)] == ["message_ref", "fax_number"]
    assert "Same number as row 1" in str(text(model, 1, COL_SENDS_TO))
    tooltip = model.data(model.index(1, COL_MESSAGE_REF), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == (
        f"{model.recipient(1).message_ref}\n"
        "Row 1 has the same message reference; each fax needs its own."
    )


def test_removing_rows_takes_them_out_of_the_draft(model: RecipientsModel) -> None:
    model.add_typed([("A", "02 8003 9890"), ("B", "03 9123 4567"), ("C", "07 3123 4567")])
    removed = model.remove_rows([2, 0])
    assert [r.name for r in removed] == ["A", "C"]
    assert model.rowCount() == 1
    assert text(model, 0, COL_NAME) == "B"


def test_own_settings_say_what_a_fax_does_differently() -> None:
    recipient = Recipient(fax_number="02 8003 9890")
    assert own_settings_text(recipient) == ""
    recipient.overrides.send_from = "Desk"
    recipient.overrides.max_fax_pages = 5
    recipient.add_document(Path("a.pdf"))
    assert own_settings_text(recipient) == "Own document (1), sender ID, page limit"


def test_ten_thousand_rows_are_added_at_once(model: RecipientsModel) -> None:
    entries = [(f"Clinic {i}", f"02 8{i:07d}") for i in range(10_000)]
    started = time.perf_counter()
    model.add_typed(entries)
    took = time.perf_counter() - started
    assert model.rowCount() == 10_000
    assert text(model, 9_999, COL_SENDS_TO) == "+61 2 8000 9999"
    # One insert for all rows; adding them one by one takes seconds (a reference check each).
    assert took < 1.5


def test_problem_text_says_where_the_problem_is(numbers: PhoneNormaliser) -> None:
    draft = Draft.new()
    draft.add_recipient("02 8003 98", numbers, name="Dr Lee")
    draft.add_document(Path("notes.odt"))
    assert problem_text(Problem("fax_number", "This number is too short", 0), draft) == (
        "Row 1 (Dr Lee): This number is too short."
    )
    assert problem_text(Problem("send_from", "Too long.", None), draft) == "Sender ID: Too long."
    assert problem_text(Problem("send_from", "Too long.", 0), draft) == (
        "Row 1 (Dr Lee), sender ID: Too long."
    )
    assert problem_text(Problem("path", "Cannot be sent.", None, 0), draft) == (
        "Document notes.odt: Cannot be sent."
    )
    assert problem_text(Problem("recipients", "Add a number.", None), draft) == "Add a number."


def test_problems_list_puts_errors_first(qapp: QApplication) -> None:
    model = ProblemsModel()
    warning = Problem("max_fax_pages", "Too many pages.", severity=Severity.WARNING)
    error = Problem("send_ref", "Enter a send reference.")
    model.set_rows([warning, error], None)
    assert [model.problem(r) for r in range(model.rowCount())] == [error, warning]
    assert model.data(model.index(0), DISPLAY) == "Send reference: Enter a send reference."


def test_documents_model_shows_order_pages_and_problems(qapp: QApplication) -> None:
    draft = Draft.new()
    first = draft.add_document(Path("/nowhere/letter.pdf"))
    first.page_count = 3
    draft.add_saved_document("letterhead")
    model = DocumentsModel(DocumentInspector())
    model.set_rows(draft.documents)
    assert model.data(model.index(0), DISPLAY) == "1. letter.pdf\n3 pages · PDF document"
    assert model.data(model.index(1), DISPLAY) == "2. letterhead\nSaved on the fax service"
    model.set_problems([Problem("path", "letter.pdf is empty (0 bytes).", None, 0)], None)
    assert model.data(model.index(0), DISPLAY) == "1. letter.pdf\nletter.pdf is empty (0 bytes)."
    # A recipient's own document problems belong to that recipient's list only.
    model.set_problems([Problem("path", "Gone.", 4, 0)], None)
    assert model.problems_for(0) == []


def test_refused_files_and_suggested_references(tmp_path: Path) -> None:
    notes = tmp_path / "notes.odt"
    notes.write_text("x")
    assert "cannot send .odt files" in str(refusal_reason(notes))
    bare = tmp_path / "README"
    bare.write_text("x")
    assert "files without an extension" in str(refusal_reason(bare))
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF")
    assert refusal_reason(letter) is None
    assert "no longer there" in str(refusal_reason(tmp_path / "gone.pdf"))
    draft = Draft()
    assert suggested_ref(draft.add_document(Path("Price List (2026).pdf"))) == "price-list-2026"
