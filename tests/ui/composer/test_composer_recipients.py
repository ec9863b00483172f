"""Recipients on the composer: typing, pasting, CSV in and out, flags, and one fax's settings."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCompleter, QLineEdit
from pytestqt.qtbot import QtBot

from faxgui.api.enums import Resolution
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.recipients_csv import read_recipients_csv
from faxgui.ui.composer import ComposerPage
from faxgui.ui.composer.recipients_model import COL_NUMBER, COL_OWN_SETTINGS, COL_SENDS_TO

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def cell(
    page: ComposerPage, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole
) -> object:
    model = page.recipients_panel.model
    return model.data(model.index(row, column), role)


def test_invalid_and_repeated_numbers_are_flagged_in_their_rows(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    page.add_files([write_pdf()])
    to_edit = page.recipients_panel.to_edit
    qtbot.keyClicks(to_edit, "02 8003 98")
    assert page.recipients_panel.to_hint.text() == "This number is too short."
    qtbot.keyClick(to_edit, Qt.Key.Key_Return)
    for number in ("02 8003 9890", "+61 2 8003 9890"):
        qtbot.keyClicks(to_edit, number)
        qtbot.keyClick(to_edit, Qt.Key.Key_Return)

    assert cell(page, 0, COL_SENDS_TO) == "This number is too short."
    assert cell(page, 0, COL_SENDS_TO, Qt.ItemDataRole.DecorationRole) is not None
    assert cell(page, 1, COL_SENDS_TO) == "+61 2 8003 9890"
    assert cell(page, 1, COL_SENDS_TO, Qt.ItemDataRole.DecorationRole) is None
    assert "Same number as row 2" in str(cell(page, 2, COL_SENDS_TO))
    assert "Same number as row 2" in str(cell(page, 2, COL_SENDS_TO, Qt.ItemDataRole.ToolTipRole))
    texts = [page.problems_model.text(r) for r in range(page.problems_model.rowCount())]
    assert texts == [
        "Row 1: This number is too short.",
        "Row 3: Same number as row 2: this fax would go to it twice.",
    ]
    assert not page.send_button.isEnabled()

    # Clicking the problem goes to its row.
    page.problems_list.problem_chosen.emit(page.problems_model.problem(0))
    assert page.recipients_panel.view.currentIndex().row() == 0
    qtbot.keyClick(page.recipients_panel.view, Qt.Key.Key_Delete)
    assert [r.fax_number for r in page.draft().recipients] == ["02 8003 9890", "+61 2 8003 9890"]
    # A repeated number only warns: it can still be sent.
    assert page.send_button.isEnabled()
    assert page.status_label.text() == "Ready to send. 1 warning to read:"


def test_a_pasted_column_of_numbers_becomes_rows(qtbot: QtBot, page: ComposerPage) -> None:
    QGuiApplication.clipboard().setText("Dr Lee, 02 8003 9890\n03 9123 4567\n\nnot a number\n")
    view = page.recipients_panel.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_V, CTRL)
    rows = [(r.name, r.fax_number) for r in page.draft().recipients]
    assert rows == [("Dr Lee", "02 8003 9890"), ("", "03 9123 4567"), ("", "not a number")]
    assert (
        page.recipients_panel.note.text()
        == "3 recipients pasted. 1 of them needs a look (marked red)."
    )

    QGuiApplication.clipboard().setText("07 3123 4567")
    qtbot.keyClick(view, Qt.Key.Key_V, CTRL | SHIFT)
    assert page.draft().recipients[-1].normalised == "61731234567"

    QGuiApplication.clipboard().setText("02 8003 0001\n02 8003 0002")
    page.recipients_panel.to_edit.setFocus()
    qtbot.keyClick(page.recipients_panel.to_edit, Qt.Key.Key_V, CTRL)
    assert [r.normalised for r in page.draft().recipients[-2:]] == ["61280030001", "61280030002"]


# The offscreen platform cannot raise the suggestions popup or give it the keyboard.
@pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise|grabbing the keyboard|propagateSizeHints)"
)
def test_a_completer_suggestion_is_added_with_enter(qtbot: QtBot, page: ComposerPage) -> None:
    suggestions = QStringListModel(["Dr Amelia Lee <02 8003 9890>"], page)
    completer = QCompleter(suggestions)
    page.set_recipient_completer(completer)
    to_edit = page.recipients_panel.to_edit
    assert to_edit.completer() is completer
    to_edit.setFocus()
    qtbot.keyClicks(to_edit, "Dr A")
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    # One Enter takes the suggestion and adds it.
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
    [recipient] = page.draft().recipients
    assert (recipient.name, recipient.normalised) == ("Dr Amelia Lee", "61280039890")


def test_csv_import_lists_every_row_that_needs_a_look(
    qtbot: QtBot, page: ComposerPage, write_csv: Callable[[str, str], Path]
) -> None:
    path = write_csv(
        "clinics.csv",
        "Name,Fax number\nDr Lee,02 8003 9890\nBroken,02 8003 98\n,\nHarbour,02 8003 9890\n",
    )
    page.recipients_panel.to_edit.setFocus()
    qtbot.keyClick(page.recipients_panel.to_edit, Qt.Key.Key_I, CTRL)
    dialog = page.recipients_panel.file_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    with qtbot.waitSignal(page.recipients_panel.imported, timeout=5000):
        dialog.setDirectory(str(path.parent))
        dialog.selectFile(path.name)
        dialog.accept()

    assert [r.name for r in page.draft().recipients] == ["Dr Lee", "Broken", "Harbour"]
    summary = page.recipients_panel.summary_dialog
    assert summary is not None
    assert summary.isVisible()
    assert summary.summary.text() == "Added 3 recipients from clinics.csv."
    assert summary.messages() == [
        "Row 3: This number is too short (02 8003 98).",
        "Row 4 is empty and was left out.",
        "Row 5: 02 8003 9890 is the same number as row 2.",
    ]
    summary.accept()
    assert "3 rows need a look" in page.recipients_panel.note.text()


def test_a_file_without_numbers_is_not_imported_and_says_why(
    qtbot: QtBot, page: ComposerPage, write_csv: Callable[[str, str], Path]
) -> None:
    with qtbot.waitSignal(page.recipients_panel.imported, timeout=5000):
        page.recipients_panel.import_csv(write_csv("notes.csv", "Name,Notes\nDr Lee,Tuesdays\n"))
    assert page.draft().recipients == []
    assert "notes.csv was not imported: No column of fax numbers was found" in (
        page.recipients_panel.note.text()
    )


def test_export_writes_what_import_reads_back(
    qtbot: QtBot, page: ComposerPage, numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    page.add_recipients([("Dr Lee", "02 8003 9890"), ("=cmd", "+61 3 9123 4567")])
    page.recipients_panel.to_edit.setFocus()
    qtbot.keyClick(page.recipients_panel.to_edit, Qt.Key.Key_E, CTRL | SHIFT)
    dialog = page.recipients_panel.file_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    target = tmp_path / "out.csv"
    dialog.setDirectory(str(tmp_path))
    dialog.selectFile(target.name)
    dialog.accept()
    qtbot.waitUntil(lambda: page.recipients_panel.note.text().startswith("Saved 2 recipients"))
    back = read_recipients_csv(target, numbers)
    assert [(r.name, r.normalised, r.message_ref) for r in back.recipients] == [
        (r.name, r.normalised, r.message_ref) for r in page.draft().recipients
    ]


def test_ten_thousand_row_csv_import_keeps_the_window_responsive(
    qtbot: QtBot, page: ComposerPage, write_csv: Callable[[str, str], Path]
) -> None:
    lines = ["Name,Fax"] + [f"Clinic {i},02 8{i:07d}" for i in range(10_000)]
    path = write_csv("big.csv", "\n".join(lines) + "\n")
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    with qtbot.waitSignal(page.recipients_panel.imported, timeout=20_000):
        started = time.perf_counter()
        page.recipients_panel.import_csv(path)
        # The file is read on a worker: the window is free again at once.
        assert time.perf_counter() - started < 0.05
        assert page.recipients_panel.note.text() == "Reading big.csv…"
        assert page.recipients_panel.model.rowCount() == 0
    arrived = time.perf_counter()
    qtbot.wait(500)  # and the check of all 10,000 numbers that follows
    timer.stop()
    assert page.recipients_panel.model.rowCount() == 10_000
    assert page.recipients_panel.count_label.text() == "10,000 recipients"
    assert page.draft().recipients[-1].normalised == "61280009999"
    # What the window itself does with the rows, from the last moment it was idle before
    # they arrived (adding them, drawing them, checking 10,000 numbers), comes in short
    # pauses, not one long freeze.
    before = [t for t in ticks if t <= arrived]
    after = [*before[-1:], *(t for t in ticks if t > arrived)]
    longest = max(b - a for a, b in itertools.pairwise(after))
    assert longest < 0.3, f"the window stopped answering for {longest * 1000:.0f} ms"


def test_one_fax_gets_its_own_settings_and_documents(
    qtbot: QtBot,
    page: ComposerPage,
    write_pdf: Callable[..., Path],
    wait_for_pages: Callable[..., None],
) -> None:
    page.add_files([write_pdf("letter.pdf")])
    page.add_recipients([("Dr Lee", "02 8003 9890"), ("Harbour Physio", "03 9123 4567")])
    view = page.recipients_panel.view
    view.setFocus()
    view.setCurrentIndex(page.recipients_panel.model.index(1, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = page.recipients_panel.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Fax to Harbour Physio (+61 3 9123 4567)"
    form = dialog.options_form
    assert form.send_from_edit.placeholderText() == "Same as the fax: account default"
    qtbot.keyClicks(form.send_from_edit, "Physio desk")
    form.resolution_combo.setCurrentIndex(2)
    form.resolution_combo.activated.emit(2)
    assert "Physio desk" in form.header_editor.preview_text()
    assert "61391234567" in form.header_editor.preview_text()
    own = write_pdf("physio-form.pdf", pages=2)
    dialog.documents_panel.add_files([own])
    wait_for_pages(dialog.edited_copy.documents)
    assert dialog.tabs.tabText(1) == "&Own documents (1)"
    # Nothing reaches the draft until OK.
    assert page.draft().recipients[1].overrides.is_empty()

    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    recipient = page.draft().recipients[1]
    assert recipient.overrides.send_from == "Physio desk"
    assert recipient.overrides.resolution is Resolution.FINE
    assert [(d.path, d.page_count) for d in recipient.documents] == [(own, 2)]
    assert page.draft().recipients[0].overrides.is_empty()
    assert cell(page, 1, COL_OWN_SETTINGS) == "Own document (1), sender ID, resolution"


def test_a_cell_edited_in_the_table_is_read_again(qtbot: QtBot, page: ComposerPage) -> None:
    page.add_recipients([("", "02 8003 98")])
    view = page.recipients_panel.view
    view.setFocus()
    view.setCurrentIndex(page.recipients_panel.model.index(0, COL_NUMBER))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "02 8003 9890")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The table commits an edit once the key press is over.
    qtbot.waitUntil(lambda: page.draft().recipients[0].normalised == "61280039890")
    assert cell(page, 0, COL_SENDS_TO) == "+61 2 8003 9890"


def test_a_double_click_or_the_button_opens_that_rows_fax(qtbot: QtBot, page: ComposerPage) -> None:
    page.add_recipients([("Dr Lee", "02 8003 9890"), ("Harbour Physio", "03 9123 4567")])
    view = page.recipients_panel.view
    rect = view.visualRect(page.recipients_panel.model.index(1, COL_NUMBER))
    # A double-click is a click, then a second press reported as a double-click.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.recipients_panel.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.recipient is page.draft().recipients[1]
    dialog.reject()

    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.visualRect(page.recipients_panel.model.index(0, COL_NUMBER)).center(),
    )
    qtbot.mouseClick(page.recipients_panel.settings_button, Qt.MouseButton.LeftButton)
    dialog = page.recipients_panel.settings_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.recipient is page.draft().recipients[0]
    dialog.reject()


class GroupCompleter(QCompleter):
    """A completer that knows one group, as the address book's completer knows its groups."""

    def expand_group_text(self, text: str) -> list[tuple[str, str]] | None:
        if text != "Group: Referrers (2 members)":
            return None
        return [("Dr Lee", "02 8003 9890"), ("Harbour Physio", "03 9123 4567")]


def test_a_group_chosen_in_to_adds_all_its_members(qtbot: QtBot, page: ComposerPage) -> None:
    page.set_recipient_completer(GroupCompleter(page))
    panel = page.recipients_panel
    qtbot.keyClicks(panel.to_edit, "Group: Referrers (2 members)")
    qtbot.keyClick(panel.to_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(page.draft().recipients) == 2)
    assert [(r.name, r.normalised) for r in page.draft().recipients] == [
        ("Dr Lee", "61280039890"),
        ("Harbour Physio", "61391234567"),
    ]
    assert panel.to_edit.text() == ""

    # Plain numbers are still added at once, and text that is no group is kept, flagged.
    qtbot.keyClicks(panel.to_edit, "07 3123 4567")
    qtbot.keyClick(panel.to_edit, Qt.Key.Key_Return)
    assert page.draft().recipients[-1].normalised == "61731234567"
    qtbot.keyClicks(panel.to_edit, "Dr Nobody")
    qtbot.keyClick(panel.to_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(page.draft().recipients) == 4)
    assert page.draft().recipients[-1].normalised is None
