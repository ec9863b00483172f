"""The address book window driven like a receptionist: typing, searching, groups, CSV files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from faxgui.jobs.address_book import AddressBook
from faxgui.ui.address_book_dialog import AddressBookDialog, ContactEditor, import_question
from faxgui.ui.address_book_model import COL_NAME, COL_NUMBER, INVALID_MARK

OpenDialog = Callable[[AddressBook], AddressBookDialog]


def shown_names(dialog: AddressBookDialog) -> list[str]:
    model = dialog.model
    return [model.contact(row).label for row in range(model.rowCount())]


def press(qtbot: QtBot, widget: QWidget, shortcut: str) -> None:
    """Press a key, with Ctrl and Shift when the shortcut says so ("Ctrl+Shift+N")."""
    *mods, key = shortcut.split("+")
    modifiers = Qt.KeyboardModifier.NoModifier
    if "Ctrl" in mods:
        modifiers |= Qt.KeyboardModifier.ControlModifier
    if "Shift" in mods:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    keys = {"Return": Qt.Key.Key_Return, "Delete": Qt.Key.Key_Delete, "Down": Qt.Key.Key_Down}
    # Offscreen, closing a dialog leaves no window active, and shortcuts need one.
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(widget, keys.get(key, key), modifiers)


def open_editor(qtbot: QtBot, dialog: AddressBookDialog, shortcut: str) -> ContactEditor:
    press(qtbot, dialog.table, shortcut)
    qtbot.waitUntil(lambda: dialog.editor is not None and dialog.editor.isVisible())
    assert dialog.editor is not None
    return dialog.editor


def save(qtbot: QtBot, editor: ContactEditor) -> None:
    button = editor.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_group(qtbot: QtBot, dialog: AddressBookDialog, name: str, members: int) -> None:
    """Click the group in the list, once it shows `members`, and wait for them to be listed."""
    label = f"{name} ({members})"

    def find() -> int | None:
        texts = [dialog.group_list.item(row).text() for row in range(dialog.group_list.count())]
        return texts.index(label) if label in texts else None

    qtbot.waitUntil(lambda: find() is not None)
    row = find()
    assert row is not None
    item = dialog.group_list.item(row)
    qtbot.mouseClick(
        dialog.group_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=dialog.group_list.visualItemRect(item).center(),
    )
    qtbot.waitUntil(lambda: len(shown_names(dialog)) == members)


def select(dialog: AddressBookDialog, *labels: str) -> None:
    """Select the listed contacts, as a click and Ctrl+clicks would, with the focus on the list."""
    dialog.table.setFocus()
    dialog.table.clearSelection()
    for label in labels:
        row = shown_names(dialog).index(label)
        dialog.table.selectionModel().select(
            dialog.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def answer(qtbot: QtBot, dialog: AddressBookDialog, button_text: str) -> None:
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    box = dialog.confirmation
    assert box is not None
    (button,) = [b for b in box.buttons() if b.text() == button_text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_contact_typed_into_the_editor_is_saved_and_listed(
    qtbot: QtBot, open_dialog: OpenDialog, book: AddressBook
) -> None:
    dialog = open_dialog(book)
    assert "The address book is empty" in dialog.count_label.text()
    editor = open_editor(qtbot, dialog, "Ctrl+N")
    assert editor.windowTitle() == "New contact"
    qtbot.keyClicks(editor.name_edit, "Dr Amy Lee")
    qtbot.keyClicks(editor.organisation_edit, "Harbour Clinic")
    qtbot.keyClicks(editor.number_edit, "(02) 8003 9890")
    assert editor.number_message.text() == "Dials +61 2 8003 9890"
    qtbot.keyClicks(editor.notes_edit, "Referrals only")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Dr Amy Lee (Harbour Clinic)"])
    assert dialog.message_label.text() == "Added Dr Amy Lee (Harbour Clinic)."
    qtbot.waitUntil(lambda: dialog.count_label.text() == "1 contact.")
    (contact,) = book.search("")
    assert (contact.fax_number, contact.normalised, contact.notes) == (
        "(02) 8003 9890",
        "61280039890",
        "Referrals only",
    )
    assert dialog.selected_contacts() == [contact]


def test_an_invalid_number_is_flagged_with_the_reason_and_not_saved(
    qtbot: QtBot, open_dialog: OpenDialog, book: AddressBook
) -> None:
    dialog = open_dialog(book)
    editor = open_editor(qtbot, dialog, "Ctrl+N")
    qtbot.keyClicks(editor.name_edit, "Dr Chan")
    qtbot.keyClicks(editor.number_edit, "02 8003 98")
    save(qtbot, editor)
    assert editor.isVisible()
    assert editor.number_message.isVisible()
    assert editor.number_message.text() == (
        "This number is too short. Check the number and type it again."
    )
    assert editor.focusWidget() is editor.number_edit
    # Correcting it clears the message as the digits go in, and then it saves.
    qtbot.keyClicks(editor.number_edit, "02 8003 9891")
    assert editor.number_message.text() == "Dials +61 2 8003 9891"
    save(qtbot, editor)
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Dr Chan"])


def test_a_contact_needs_a_name_or_an_organisation(
    qtbot: QtBot, open_dialog: OpenDialog, book: AddressBook
) -> None:
    dialog = open_dialog(book)
    editor = open_editor(qtbot, dialog, "Ctrl+N")
    qtbot.keyClicks(editor.number_edit, "02 8003 9890")
    save(qtbot, editor)
    assert editor.isVisible()
    assert editor.name_message.text().startswith("Enter a name or an organisation")
    qtbot.keyClicks(editor.organisation_edit, "Harbour Clinic")
    assert not editor.name_message.isVisible()


def test_a_number_another_contact_has_is_pointed_out_but_allowed(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    editor = open_editor(qtbot, dialog, "Ctrl+N")
    qtbot.keyClicks(editor.name_edit, "Reception")
    qtbot.keyClicks(editor.number_edit, "+61 2 8003 9890")
    qtbot.waitUntil(editor.duplicate_message.isVisible)
    assert editor.duplicate_message.text() == (
        "Dr Amy Lee (Harbour Clinic) has this number too. You can still save it."
    )
    save(qtbot, editor)
    qtbot.waitUntil(lambda: "Reception" in shown_names(dialog))
    row = dialog.model.row_of(dialog.selected_contacts()[0].id)
    assert row is not None
    tip = dialog.model.index(row, COL_NUMBER).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "1 other contact has this number too."


def test_editing_a_contact_changes_it_in_place(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    qtbot.keyClicks(dialog.search_edit, "patel")
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Dr Raj Patel"])
    press(qtbot, dialog.search_edit, "Return")  # to the list, on its first contact
    assert dialog.focusWidget() is dialog.table
    editor = open_editor(qtbot, dialog, "Ctrl+E")
    assert editor.windowTitle() == "Edit contact"
    editor.name_edit.selectAll()
    qtbot.keyClicks(editor.name_edit, "Dr Rajesh Patel")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Saved Dr Rajesh Patel.")
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Dr Rajesh Patel"])
    (patel,) = seeded.search("patel")
    assert patel.groups == ("Referrers",)


def test_search_filters_the_list_as_you_type(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    assert dialog.count_label.text() == "5 contacts."
    press(qtbot, dialog.table, "Ctrl+F")
    assert dialog.focusWidget() is dialog.search_edit
    qtbot.keyClicks(dialog.search_edit, "lee")
    qtbot.waitUntil(
        lambda: (
            shown_names(dialog) == ["Dr Amy Lee (Harbour Clinic)", "Joanna Lees (Bayside Physio)"]
        )
    )
    assert dialog.count_label.text() == "2 contacts match “lee”."
    qtbot.keyClicks(dialog.search_edit, "s")
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Joanna Lees (Bayside Physio)"])
    dialog.search_edit.clear()
    qtbot.keyClicks(dialog.search_edit, "8000 43")
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Eastern Radiology"])
    qtbot.keyClicks(dialog.search_edit, "9")
    qtbot.waitUntil(lambda: dialog.count_label.text() == "No contacts match “8000 439”.")


def test_a_group_shown_and_added_to_the_fax_gives_all_its_members(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    choose_group(qtbot, dialog, "Referrers", 2)
    assert shown_names(dialog) == ["Dr Amy Lee (Harbour Clinic)", "Dr Raj Patel"]
    assert dialog.add_to_fax_button.text() == "Add group to fax (2)"
    with qtbot.waitSignal(dialog.recipients_chosen) as chosen:
        press(qtbot, dialog.group_list, "Ctrl+Return")
    assert chosen.args == [[("Dr Amy Lee", "(02) 8003 9890"), ("Dr Raj Patel", "02 9999 0000")]]
    assert not dialog.isVisible()


def test_selected_contacts_are_added_to_the_fax_with_enter(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    select(dialog, "Eastern Radiology")  # an office, named by its organisation
    assert dialog.add_to_fax_button.text() == "Add to fax"
    with qtbot.waitSignal(dialog.recipients_chosen) as chosen:
        press(qtbot, dialog.table, "Return")
    assert chosen.args == [[("Eastern Radiology", "08 8000 4321")]]


# Offscreen, a popup menu can neither be raised nor grab the keyboard, and Qt says so.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|grabbing|propagateSizeHints)")
def test_groups_are_made_renamed_filled_emptied_and_deleted_from_the_keyboard(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    select(dialog, "Dr Amy Lee (Harbour Clinic)")
    press(qtbot, dialog.table, "Ctrl+Shift+N")
    qtbot.waitUntil(lambda: dialog.group_dialog is not None and dialog.group_dialog.isVisible())
    group_dialog = dialog.group_dialog
    assert group_dialog is not None
    qtbot.keyClicks(group_dialog.name_edit, "referrers")
    press(qtbot, group_dialog.name_edit, "Return")
    assert group_dialog.message.text() == "There is already a group called “Referrers”."
    group_dialog.name_edit.clear()
    qtbot.keyClicks(group_dialog.name_edit, "Sydney")
    press(qtbot, group_dialog.name_edit, "Return")
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Made the group Sydney.")
    sydney = seeded.group_by_name("Sydney")
    assert sydney is not None
    assert [c.name for c in seeded.group_members(sydney.id)] == ["Dr Amy Lee"]

    # Put a second contact in it through Add to group (Ctrl+G opens the menu of groups).
    select(dialog, "Joanna Lees (Bayside Physio)")
    press(qtbot, dialog.table, "Ctrl+G")
    qtbot.waitUntil(lambda: dialog.group_menu is not None and dialog.group_menu.isVisible())
    assert dialog.group_menu is not None
    menu = dialog.group_menu
    assert [a.text() for a in menu.actions()] == ["Pathology labs", "Referrers", "Sydney"]
    (sydney_item,) = [a for a in menu.actions() if a.text() == "Sydney"]
    menu.setActiveAction(sydney_item)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Put 1 contact in Sydney.")

    choose_group(qtbot, dialog, "Sydney", 2)
    assert shown_names(dialog) == ["Dr Amy Lee (Harbour Clinic)", "Joanna Lees (Bayside Physio)"]
    select(dialog, "Dr Amy Lee (Harbour Clinic)")
    press(qtbot, dialog.table, "Ctrl+Shift+G")
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Joanna Lees (Bayside Physio)"])

    press(qtbot, dialog.group_list, "Ctrl+Shift+R")
    qtbot.waitUntil(lambda: dialog.group_dialog is not None and dialog.group_dialog.isVisible())
    rename = dialog.group_dialog
    assert rename is not None
    assert rename.name_edit.text() == "Sydney"
    qtbot.keyClicks(rename.name_edit, "Sydney CBD")
    press(qtbot, rename.name_edit, "Return")
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Renamed Sydney to Sydney CBD.")
    qtbot.waitUntil(lambda: dialog.group_list.currentItem().text() == "Sydney CBD (1)")

    dialog.group_list.setFocus()
    press(qtbot, dialog.group_list, "Delete")
    answer(qtbot, dialog, "Delete group")
    qtbot.waitUntil(lambda: dialog.group_list.currentItem().text() == "All contacts (5)")
    qtbot.waitUntil(lambda: len(shown_names(dialog)) == 5)
    assert [g.name for g in seeded.groups()] == ["Pathology labs", "Referrers"]


def test_deleting_contacts_asks_first(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    select(dialog, "Dr Amy Lee (Harbour Clinic)")
    press(qtbot, dialog.table, "Delete")
    answer(qtbot, dialog, "Cancel")
    assert seeded.contact_count() == 5
    press(qtbot, dialog.table, "Delete")
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    assert dialog.confirmation is not None
    assert dialog.confirmation.text() == "Delete Dr Amy Lee (Harbour Clinic) from the address book?"
    answer(qtbot, dialog, "Delete")
    qtbot.waitUntil(lambda: len(shown_names(dialog)) == 4)
    assert dialog.message_label.text() == "Deleted Dr Amy Lee (Harbour Clinic)."
    assert seeded.contact_count() == 4


def test_csv_import_then_export_round_trips_the_book(
    qtbot: QtBot, open_dialog: OpenDialog, book: AddressBook, tmp_path: Path
) -> None:
    source = tmp_path / "clinics.csv"
    source.write_text(
        "Name,Organisation,Fax number,Notes,Groups,Email\n"
        "Dr Amy Lee,Harbour Clinic,(02) 8003 9890,Referrals only,Referrers;Sydney,a@x.org\n"
        "Dr Chan,Bay Physio,02 8003 98,,Referrers,\n"
        ",,,,,\n"
        "Front desk,Northside Medical,+61 7 3000 5678,,,\n",
        encoding="utf-8",
    )
    dialog = open_dialog(book)
    press(qtbot, dialog.table, "Ctrl+I")
    qtbot.waitUntil(lambda: dialog.file_dialog is not None and dialog.file_dialog.isVisible())
    file_dialog = dialog.file_dialog
    assert file_dialog is not None
    assert file_dialog.acceptMode() == QFileDialog.AcceptMode.AcceptOpen
    file_dialog.selectFile(str(source))
    file_dialog.accept()
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    box = dialog.confirmation
    assert box is not None
    assert box.text() == "Import 3 contacts from clinics.csv?"
    assert "1 row has no fax number or one that is not valid" in box.informativeText()
    assert "1 row was left out: it was empty." in box.informativeText()
    assert "Columns not imported (the address book has no place for them): Email." in (
        box.informativeText()
    )
    assert "Row 3: This number is too short (02 8003 98)." in box.detailedText()
    answer(qtbot, dialog, "Import 3 contacts")
    qtbot.waitUntil(lambda: len(shown_names(dialog)) == 3)
    assert dialog.message_label.text() == (
        "Imported 3 contacts from clinics.csv. New groups: Referrers, Sydney."
    )
    chan_row = next(r for r in range(3) if dialog.model.contact(r).name == "Dr Chan")
    assert dialog.model.index(chan_row, COL_NUMBER).data() == f"{INVALID_MARK} 02 8003 98"
    assert dialog.model.index(chan_row, COL_NAME).data() == "Dr Chan"
    qtbot.waitUntil(lambda: dialog.group_list.count() == 3)

    exported = tmp_path / "out" / "everyone.csv"
    exported.parent.mkdir()
    press(qtbot, dialog.table, "Ctrl+Shift+E")
    qtbot.waitUntil(lambda: dialog.file_dialog is not None and dialog.file_dialog.isVisible())
    save_dialog = dialog.file_dialog
    assert save_dialog is not None
    assert save_dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    save_dialog.selectFile(str(exported))
    save_dialog.accept()
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Exported 3 contacts to everyone.csv.")

    with AddressBook(tmp_path / "again.sqlite3") as again:
        again.import_contacts(again.read_csv(exported).rows)
        assert [
            (c.name, c.organisation, c.fax_number, c.notes, c.groups) for c in again.search("")
        ] == [(c.name, c.organisation, c.fax_number, c.notes, c.groups) for c in book.search("")]


def test_importing_a_file_twice_can_skip_the_numbers_already_there(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook, tmp_path: Path
) -> None:
    source = tmp_path / "more.csv"
    source.write_text("Name,Fax\nReception,02 8003 9890\nDr New,02 8003 1111\n", encoding="utf-8")
    dialog = open_dialog(seeded)
    dialog.import_csv(source)
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    assert dialog.confirmation is not None
    assert "1 row has a number already in the address book." in (
        dialog.confirmation.informativeText()
    )
    answer(qtbot, dialog, "Import only the 1 new")
    qtbot.waitUntil(lambda: len(shown_names(dialog)) == 6)
    assert "Dr New" in shown_names(dialog)
    assert "Reception" not in shown_names(dialog)


def test_the_import_question_counts_each_kind_of_problem(
    seeded: AddressBook, tmp_path: Path
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "Name,Fax,Email\n"
        "Reception,02 8003 9890,r@x.org\n"  # Dr Amy Lee's number
        "Dr New,02 8003 1111,\n"
        "Dr Newer,(02) 8003-1111,\n"  # repeats row 3
        "Dr Short,02 8003,\n"
        ",,\n"
        "Dr None,,\n",
        encoding="utf-8",
    )
    question, notes, details = import_question(source, seeded.read_csv(source))
    assert question == "Import 5 contacts from list.csv?"
    assert notes.split("\n\n") == [
        "2 rows have no fax number or one that is not valid. They are imported marked ⚠, so "
        "you can correct them.",
        "1 row was left out: it was empty.",
        "1 row repeats a number from earlier in the file.",
        "1 row has a number already in the address book.",
        "Columns not imported (the address book has no place for them): Email.",
    ]
    assert len(details.splitlines()) == 5


def test_a_file_that_cannot_be_read_says_what_to_do(
    qtbot: QtBot, open_dialog: OpenDialog, book: AddressBook, tmp_path: Path
) -> None:
    dialog = open_dialog(book)
    notes = tmp_path / "notes.csv"
    notes.write_text("Name,Notes\nDr Lee,nice\n", encoding="utf-8")
    dialog.import_csv(notes)
    qtbot.waitUntil(lambda: "No column of fax numbers" in dialog.message_label.text())
    dialog.import_csv(tmp_path / "missing.csv")
    qtbot.waitUntil(lambda: "could not be used" in dialog.message_label.text())
    assert dialog.message_label.text().endswith("Check the file and try again.")


def test_every_action_has_a_shortcut_and_tab_follows_the_reading_order(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    for action in dialog.actions():
        assert not action.shortcut().isEmpty(), action.text()
    expected = [
        dialog.group_list,
        dialog.new_group_button,
        dialog.rename_group_button,
        dialog.delete_group_button,
        dialog.search_edit,
        dialog.table,
        dialog.new_contact_button,
        dialog.edit_button,
        dialog.delete_button,
        dialog.add_to_group_button,
        dialog.remove_from_group_button,
        dialog.import_button,
        dialog.export_button,
        dialog.add_to_fax_button,
        dialog.close_button,
    ]
    chain = [expected[0]]
    widget = expected[0].nextInFocusChain()
    while widget is not expected[0] and len(chain) < 200:
        if widget in expected:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == expected
    assert dialog.focusWidget() is dialog.search_edit


def test_the_window_lists_the_first_thousand_of_a_large_book(
    qtbot: QtBot, open_dialog: OpenDialog, book: AddressBook
) -> None:
    from faxgui.jobs.address_book import ContactRow

    book.import_contacts(
        [ContactRow(n, f"Doctor {n:04d}", "", f"02 8003 {n:04d}", None) for n in range(1200)]
    )
    dialog = open_dialog(book)
    assert dialog.count_label.text() == (
        "Showing the first 1,000 contacts. Type in Search to find the others."
    )
    qtbot.keyClicks(dialog.search_edit, "doctor 1150")
    qtbot.waitUntil(lambda: shown_names(dialog) == ["Doctor 1150"])


def test_confirmations_are_message_boxes_that_do_not_block(
    qtbot: QtBot, open_dialog: OpenDialog, seeded: AddressBook
) -> None:
    dialog = open_dialog(seeded)
    choose_group(qtbot, dialog, "Referrers", 2)
    press(qtbot, dialog.group_list, "Ctrl+Shift+D")
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    assert isinstance(dialog.confirmation, QMessageBox)
    assert dialog.confirmation.informativeText() == "Its 2 contacts stay in the address book."
    # The window keeps working while the question is open.
    assert dialog.isEnabled()
    answer(qtbot, dialog, "Cancel")
    assert seeded.group_by_name("Referrers") is not None
