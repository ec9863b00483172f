"""Putting a broadcast together as a receptionist does, then pressing Send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt
from pytestqt.qtbot import QtBot

from faxgui.api.enums import Resolution
from faxgui.api.models import Blocklists
from faxgui.compose.draft import Draft
from faxgui.compose.phone import PhoneNormaliser
from faxgui.ui.composer import ComposerPage

CTRL = Qt.KeyboardModifier.ControlModifier
CSV = """Name,Fax,Clinic
Harbour Physio,+61 3 9123 4567,Richmond
Sandbox busy once,0 5 0000 0001,Test
"""


def test_number_drop_csv_options_then_send(
    qtbot: QtBot,
    page: ComposerPage,
    write_pdf: Callable[..., Path],
    write_csv: Callable[[str, str], Path],
    drop_files: Callable[..., bool],
    wait_for_pages: Callable[..., None],
) -> None:
    letter = write_pdf("referral.pdf", pages=3)
    recipients = page.recipients_panel
    form = page.options_form

    qtbot.keyClicks(recipients.to_edit, "Dr Amelia Lee <(02) 8003 9890>")
    qtbot.keyClick(recipients.to_edit, Qt.Key.Key_Return)
    # Dropped on the "To:" field, the file is still a document, not a path typed in.
    assert drop_files(recipients.to_edit, [letter])
    assert recipients.to_edit.text() == ""
    with qtbot.waitSignal(recipients.imported, timeout=5000):
        recipients.import_csv(write_csv("clinics.csv", CSV))

    qtbot.keyClicks(form.send_from_edit, "Front desk")
    form.resolution_combo.setFocus()
    qtbot.keyClick(form.resolution_combo, Qt.Key.Key_Down)
    qtbot.keyClick(form.resolution_combo, Qt.Key.Key_Down)
    qtbot.mouseClick(form.more_button, Qt.MouseButton.LeftButton)
    form.retries_spin.lineEdit().selectAll()
    qtbot.keyClicks(form.retries_spin, "3")
    form.max_pages_spin.lineEdit().selectAll()
    qtbot.keyClicks(form.max_pages_spin, "10")
    qtbot.mouseClick(form.deadline_edit.check, Qt.MouseButton.LeftButton)
    deadline = (datetime.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    form.deadline_edit.edit.setDateTime(QDateTime(deadline))
    form.header_editor.edit.clear()
    qtbot.keyClicks(form.header_editor.edit, "Clinic %to%|%d/%m/%Y")
    qtbot.keyClicks(form.cli_edit, "0280039800")
    form.blocklist_combos["dncr"].setCurrentIndex(1)
    form.blocklist_combos["dncr"].activated.emit(1)
    wait_for_pages(page.draft().documents)

    with qtbot.waitSignal(page.send_requested, timeout=2000):
        qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)

    draft = page.draft()
    assert [(r.name, r.fax_number, r.normalised) for r in draft.recipients] == [
        ("Dr Amelia Lee", "(02) 8003 9890", "61280039890"),
        ("Harbour Physio", "+61 3 9123 4567", "61391234567"),
        ("Sandbox busy once", "0 5 0000 0001", "61500000001"),
    ]
    assert draft.recipients[1].extra == {"Clinic": "Richmond"}
    refs = [r.message_ref for r in draft.recipients]
    assert len(set(refs)) == 3
    assert all(ref.startswith(draft.send_ref + "-M") for ref in refs)
    assert [(d.path, d.order, d.page_count) for d in draft.documents] == [(letter, 0, 3)]
    options = draft.options
    assert options.send_from == "Front desk"
    assert options.resolution is Resolution.FINE
    assert options.retries == 3
    assert options.busy_retries is None
    assert options.max_fax_pages == 10
    assert options.must_be_sent_before_date == deadline
    assert options.scheduled_start_time is None
    assert options.header_format == "Clinic %to%|%d/%m/%Y"
    assert options.cli == "0280039800"
    assert options.blocklists == Blocklists(dncr=True, fps=None, smartblock=None)
    # The draft survives its JSON form as the autosave writes it.
    assert Draft.loads(draft.dumps()).to_json() == draft.to_json()


def test_fields_left_empty_stay_out_and_say_what_applies(
    page: ComposerPage,
) -> None:
    form = page.options_form
    assert form.send_from_edit.placeholderText() == "Account default"
    assert form.resolution_combo.currentText() == "Account default (normal)"
    assert form.max_pages_spin.text() == "Account default (20 pages)"
    assert form.retries_spin.text() == "Account default"
    assert form.start_edit.unset_label.text() == "Straight away"
    assert form.deadline_edit.unset_label.text() == "No deadline"
    assert "From %from%, To %to%|%a %b %d %H:%M %Y" in form.header_editor.edit.placeholderText()
    assert page.draft().options.is_empty()


def test_send_is_offered_only_without_errors(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    assert not page.send_button.isEnabled()
    page.add_files([write_pdf()])
    page.add_recipients([("", "02 8003 98")])
    qtbot.waitUntil(lambda: page.status_label.text().startswith("1 thing to fix"))
    assert not page.send_button.isEnabled()

    with qtbot.assertNotEmitted(page.send_requested):
        qtbot.keyClick(
            page.recipients_panel.to_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    # Send went to the number that needs fixing instead.
    assert page.recipients_panel.view.hasFocus()
    assert page.recipients_panel.view.currentIndex().row() == 0

    page.recipients_panel.model.setData(page.recipients_panel.model.index(0, 1), "02 8003 9890")
    qtbot.waitUntil(page.send_button.isEnabled)
    assert page.send_button.text() == "Send to 1 number"


def test_busy_page_cannot_be_edited_or_sent(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    page.add_files([write_pdf()])
    page.add_recipients([("", "02 8003 9890")])
    page.validate_now()
    assert page.send_button.isEnabled()
    page.set_busy(True)
    assert not page.send_button.isEnabled()
    assert not page.recipients_panel.to_edit.isEnabled()
    assert not page.options_form.send_from_edit.isEnabled()
    with qtbot.assertNotEmitted(page.send_requested):
        page.request_send()
    assert page.add_files([write_pdf("another.pdf")]) == []
    assert len(page.draft().documents) == 1
    page.set_busy(False)
    assert page.send_button.isEnabled()


def test_set_draft_shows_a_restored_draft_and_edits_reach_autosave(
    qtbot: QtBot, page: ComposerPage, numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    restored = Draft.new()
    restored.add_recipient("02 8003 9890", numbers, name="Dr Lee")
    restored.add_document(write_pdf())
    restored.options.send_from = "Reception"
    page.set_draft(restored)
    assert page.draft() is restored
    assert page.recipients_panel.model.rowCount() == 1
    assert page.options_form.send_from_edit.text() == "Reception"
    assert page.broadcast_ref_edit.text() == restored.broadcast_ref
    assert page.documents_panel.model.rowCount() == 1

    with qtbot.waitSignal(page.draft_changed):
        qtbot.keyClicks(page.options_form.send_from_edit, " desk")
    assert restored.options.send_from == "Reception desk"


def test_another_default_country_reads_the_numbers_again(
    page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    page.add_files([write_pdf()])
    page.add_recipients([("London office", "020 7946 0958")])
    assert page.draft().recipients[0].normalised is None
    page.set_numbers(PhoneNormaliser("GB"))
    assert page.draft().recipients[0].normalised == "442079460958"
    assert not any(p.is_error for p in page.problems())
