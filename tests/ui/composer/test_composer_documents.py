"""Documents on the composer: dropping, refusing, ordering, merge fields and saved documents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from faxgui.api.enums import DitheringTechnique
from faxgui.api.models import DocMergeData
from faxgui.ui.composer import ComposerPage
from faxgui.ui.composer.documents_panel import DITHERING_NAMES

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_files_dropped_anywhere_are_added_and_counted(
    qtbot: QtBot,
    page: ComposerPage,
    write_pdf: Callable[..., Path],
    drop_files: Callable[..., bool],
    wait_for_pages: Callable[..., None],
) -> None:
    letter, results = write_pdf("letter.pdf", 2), write_pdf("results.pdf", 4)
    assert drop_files(page.recipients_panel.view.viewport(), [letter, results])
    documents = page.draft().documents
    assert [(d.path, d.order) for d in documents] == [(letter, 0), (results, 1)]
    wait_for_pages(documents)
    assert [d.page_count for d in documents] == [2, 4]
    panel = page.documents_panel
    qtbot.waitUntil(lambda: panel.summary_label.text().startswith("2 documents, 6 pages"))
    # A thumbnail of the first page, drawn on a worker.
    assert page.inspector.thumbnail(documents[0]) is not None
    assert "2 pages · PDF document" in panel.model.index(0).data()


def test_an_unsupported_file_is_refused_saying_why(
    page: ComposerPage,
    tmp_path: Path,
    write_pdf: Callable[..., Path],
    drop_files: Callable[..., bool],
) -> None:
    notes = tmp_path / "notes.odt"
    notes.write_bytes(b"not a fax document")
    letter = write_pdf()
    drop_files(page, [notes, letter])
    assert [d.path for d in page.draft().documents] == [letter]
    banner = page.documents_panel.refused_label
    assert banner.isVisible()
    assert "notes.odt was not added: the fax service cannot send .odt files" in banner.text()
    assert "Save it as PDF" in banner.text()
    assert page.add_files([tmp_path]) == [
        f"{tmp_path.name} is a folder; add the documents inside it instead."
    ]


def test_documents_are_reordered_and_removed_from_the_keyboard(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    first, second, third = (write_pdf(f"{n}.pdf") for n in ("cover", "letter", "results"))
    page.add_files([first, second, third])
    panel = page.documents_panel
    panel.select(0)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Down, CTRL)
    qtbot.keyClick(panel.list, Qt.Key.Key_Down, CTRL)
    assert [(d.path, d.order) for d in page.draft().documents] == [
        (second, 0),
        (third, 1),
        (first, 2),
    ]
    assert panel.selected_row() == 2
    qtbot.mouseClick(panel.up_button, Qt.MouseButton.LeftButton)
    assert [d.path for d in page.draft().documents] == [second, first, third]
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert [(d.path, d.order) for d in page.draft().documents] == [(second, 0), (third, 1)]


def test_merge_fields_are_offered_only_for_word_documents(
    qtbot: QtBot,
    page: ComposerPage,
    write_pdf: Callable[..., Path],
    write_docx: Callable[..., Path],
) -> None:
    page.add_files([write_pdf("letter.pdf"), write_docx("invitation.docx")])
    panel = page.documents_panel
    editor = panel.merge_editor

    panel.select(0)
    assert not editor.isEnabled()
    assert "Only for Word documents (.doc, .docx)" in editor.toolTip()
    assert "PDF document" in editor.toolTip()

    panel.select(1)
    assert editor.isEnabled()
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.table.focusWidget() or editor.table, "name")
    qtbot.keyClick(editor.table.focusWidget() or editor.table, Qt.Key.Key_Tab)
    editor.table.item(0, 1).setText("Dr Lee")
    assert page.draft().documents[1].doc_merge_data == [DocMergeData("name", "Dr Lee")]
    assert page.draft().documents[0].doc_merge_data == []


def test_dithering_and_save_for_reuse_are_set_per_document(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    page.add_files([write_pdf("Price List 2026.pdf")])
    panel = page.documents_panel
    document = page.draft().documents[0]
    names = [panel.dithering_combo.itemText(i) for i in range(panel.dithering_combo.count())]
    assert names == list(DITHERING_NAMES.values())
    panel.dithering_combo.setCurrentIndex(names.index(DITHERING_NAMES[DitheringTechnique.DARKEN]))
    panel.dithering_combo.activated.emit(panel.dithering_combo.currentIndex())
    assert document.dithering_technique is DitheringTechnique.DARKEN

    qtbot.mouseClick(panel.save_check, Qt.MouseButton.LeftButton)
    assert document.save_as_ref
    assert document.document_ref == "price-list-2026"
    assert document.wire_document_ref == "price-list-2026"
    panel.ref_edit.clear()
    qtbot.keyClicks(panel.ref_edit, "prices")
    assert document.document_ref == "prices"

    panel.ref_edit.selectAll()
    qtbot.keyClick(panel.ref_edit, Qt.Key.Key_Backspace)
    assert document.document_ref is None
    assert panel.ref_problem.isVisible()
    assert "Enter the reference to save this document under" in panel.ref_problem.text()


def test_a_saved_document_is_used_by_its_reference(qtbot: QtBot, page: ComposerPage) -> None:
    page.recipients_panel.to_edit.setFocus()
    qtbot.keyClick(
        page.recipients_panel.to_edit, Qt.Key.Key_O, CTRL | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = page.documents_panel.saved_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.setTextValue("letterhead-2026")
    dialog.accept()
    [document] = page.draft().documents
    assert document.uses_saved_document
    assert document.document_ref == "letterhead-2026"
    assert document.to_fax_document(None).document_ref == "letterhead-2026"
    assert "Saved on the fax service" in page.documents_panel.model.index(0).data()
