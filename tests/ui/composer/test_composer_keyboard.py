"""A fax to one number with one file, sent without touching the mouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from faxgui.ui.composer import ComposerPage

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focused(page: ComposerPage) -> QWidget:
    """Where the user's keys go: the page's focused widget."""
    widget = QApplication.focusWidget() or page.focusWidget()
    assert widget is not None
    return widget


def test_one_number_and_one_file_are_sent_from_the_keyboard(
    qtbot: QtBot,
    page: ComposerPage,
    write_pdf: Callable[..., Path],
    choose_files: Callable[..., None],
    wait_for_pages: Callable[..., None],
) -> None:
    letter = write_pdf("referral.pdf", pages=2)
    page.send_button.setFocus()

    qtbot.keyClick(focused(page), Qt.Key.Key_A, CTRL | SHIFT)
    assert focused(page) is page.recipients_panel.to_edit
    qtbot.keyClicks(page.recipients_panel.to_edit, "(02) 8003 9890")
    qtbot.keyClick(page.recipients_panel.to_edit, Qt.Key.Key_Return)
    assert [r.normalised for r in page.draft().recipients] == ["61280039890"]
    assert page.recipients_panel.to_edit.text() == ""

    qtbot.keyClick(focused(page), Qt.Key.Key_O, CTRL)
    choose_files(page.documents_panel.file_dialog, [letter])
    assert [d.path for d in page.draft().documents] == [letter]
    wait_for_pages(page.draft().documents)

    with qtbot.waitSignal(page.send_requested, timeout=2000):
        qtbot.keyClick(focused(page), Qt.Key.Key_Return, CTRL)
    assert page.draft().documents[0].page_count == 2


def test_a_number_left_in_to_is_added_when_sending(
    qtbot: QtBot, page: ComposerPage, write_pdf: Callable[..., Path]
) -> None:
    page.add_files([write_pdf()])
    qtbot.keyClicks(page.recipients_panel.to_edit, "02 8003 9890")
    with qtbot.waitSignal(page.send_requested, timeout=2000):
        qtbot.keyClick(page.recipients_panel.to_edit, Qt.Key.Key_Return, CTRL)
    assert [r.fax_number for r in page.draft().recipients] == ["02 8003 9890"]


def test_tab_order_follows_the_reading_order(page: ComposerPage) -> None:
    recipients, documents = page.recipients_panel, page.documents_panel
    order = [recipients.to_edit]
    widget = recipients.to_edit
    for _ in range(60):
        widget = widget.nextInFocusChain()
        order.append(widget)
    position = {id(w): i for i, w in enumerate(order)}
    expected = [
        recipients.to_edit,
        recipients.view,
        recipients.import_button,
        documents.add_button,
        page.options_form.send_from_edit,
        page.options_form.resolution_combo,
        page.options_form.more_button,
        page.send_button,
    ]
    places = [position[id(w)] for w in expected]
    assert places == sorted(places)


def test_every_action_has_a_shortcut(page: ComposerPage) -> None:
    actions = page.actions()
    assert {a.shortcut().toString() for a in actions} >= {
        "Ctrl+Shift+A",
        "Ctrl+O",
        "Ctrl+Shift+O",
        "Ctrl+I",
        "Ctrl+Shift+E",
        "Ctrl+Shift+V",
        "F8",
        "Ctrl+Return",
    }
    assert all(not a.shortcut().isEmpty() for a in actions)
