"""Problems shown where they are: under the field, in the rows, and a list that leads to them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from faxgui.ui.composer import ComposerPage


def test_a_new_fax_shows_next_steps_not_errors_until_send(qtbot: QtBot, page: ComposerPage) -> None:
    assert page.status_label.text() == (
        "To send this fax, add who it goes to and a document to send."
    )
    assert not page.problems_list.isVisible()
    assert not page.recipients_panel.problem_label.isVisible()

    page.request_send()
    assert page.status_label.text() == "2 things to fix before sending:"
    assert page.recipients_panel.problem_label.text() == "Add at least one fax number to send to."
    assert page.documents_panel.problem_label.text() == "Add a document to send."
    assert page.recipients_panel.to_edit.hasFocus()


def test_option_problems_appear_under_their_fields_and_the_list_leads_there(
    qtbot: QtBot,
    page: ComposerPage,
    write_pdf: Callable[..., Path],
    wait_for_pages: Callable[..., None],
) -> None:
    page.add_files([write_pdf(pages=3)])
    wait_for_pages(page.draft().documents)
    page.add_recipients([("", "02 8003 9890")])
    form = page.options_form
    qtbot.keyClicks(form.send_from_edit, "Northern Beaches Medical Centre Reception")
    label = form.problem_labels["send_from"]
    assert label.isVisible()
    assert label.text() == "The sender ID can be at most 32 characters; this one has 41."

    form.set_more_visible(True)
    qtbot.mouseClick(form.start_edit.check, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.deadline_edit.check, Qt.MouseButton.LeftButton)
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=2)
    form.start_edit.edit.setDateTime(QDateTime(start))
    form.deadline_edit.edit.setDateTime(QDateTime(start - timedelta(hours=1)))
    assert form.problem_labels["scheduled_start_time"].text() == (
        "The scheduled start must come before the must-be-sent-before date."
    )
    form.max_pages_spin.lineEdit().selectAll()
    qtbot.keyClicks(form.max_pages_spin, "2")
    assert "The documents make 3 pages, more than the limit of 2" in (
        form.problem_labels["max_fax_pages"].text()
    )

    texts = [page.problems_model.text(r) for r in range(page.problems_model.rowCount())]
    assert texts[:2] == [
        "Sender ID: The sender ID can be at most 32 characters; this one has 41.",
        "Start sending: The scheduled start must come before the must-be-sent-before date.",
    ]
    assert texts[2].startswith("Page limit: The documents make 3 pages")
    assert page.status_label.text() == "2 things to fix before sending:"

    page.problems_list.problem_chosen.emit(page.problems_model.problem(1))
    assert QApplication.focusWidget() is form.start_edit.check
    form.set_more_visible(False)
    page.problems_list.problem_chosen.emit(page.problems_model.problem(2))
    assert form.more_visible()
    assert QApplication.focusWidget() is form.max_pages_spin
    qtbot.keyClick(page.recipients_panel.to_edit, Qt.Key.Key_F8)
    assert QApplication.focusWidget() is form.send_from_edit


def test_references_can_be_changed_and_must_not_be_empty(qtbot: QtBot, page: ComposerPage) -> None:
    generated = page.draft().broadcast_ref
    assert page.broadcast_ref_edit.text() == generated
    assert page.send_ref_edit.text() == f"{generated}-S1"
    page.options_form.set_more_visible(True)
    page.send_ref_edit.selectAll()
    qtbot.keyClick(page.send_ref_edit, Qt.Key.Key_Delete)
    assert page.draft().send_ref == ""
    assert page.ref_problems["send_ref"].text().startswith("Enter a send reference")
    qtbot.keyClicks(page.send_ref_edit, "CLINIC-2026-11")
    assert page.draft().send_ref == "CLINIC-2026-11"
    assert not page.ref_problems["send_ref"].isVisible()


def test_send_scrolls_to_the_first_problem_and_shows_what_is_wrong(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    page.resize(1100, 560)
    page.add_files([write_pdf()])
    page.add_recipients([("", "02 8003 9890")])
    page.options_form.send_from_edit.setText("Northern Beaches Medical Centre Reception")
    page.options_form.send_from_edit.textEdited.emit("")
    label = page.options_form.problem_labels["send_from"]
    page.request_send()
    assert page.focusWidget() is page.options_form.send_from_edit
    # The field and the sentence under it are scrolled into view.
    qtbot.waitUntil(lambda: label.visibleRegion().boundingRect().height() == label.height())
    assert not page.options_form.send_from_edit.visibleRegion().isEmpty()
