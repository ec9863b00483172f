"""The send window: warnings to confirm, "Sending part 2 of 3…", Cancel, the outcome in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from faxgui.api.errors import ConnectionFailedError
from faxgui.compose.draft import Draft
from faxgui.compose.pipeline import SendReport, SendResult
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.server import SandboxServer
from faxgui.ui.send_controller import SendController
from faxgui.ui.send_progress import (
    SendProgressDialog,
    outcome_lines,
    outcome_title,
    progress_title,
)

from .conftest import CountingEngine

TIMEOUT_MS = 60_000


def _dialog(qtbot: QtBot, controller: SendController) -> SendProgressDialog:
    dialog = SendProgressDialog(controller)
    qtbot.addWidget(dialog)
    return dialog


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible()
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_dialog_follows_a_broadcast_and_cancel_stops_the_parts_not_sent(
    qtbot: QtBot,
    sandbox: SandboxServer,
    engine: CountingEngine,
    controller: SendController,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    dialog = _dialog(qtbot, controller)
    assert not dialog.isVisible()
    engine.hold()
    controller.send(make_draft(1300))
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(engine.arrived.is_set, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: dialog.title.text() == "Sending part 1 of 3…", timeout=TIMEOUT_MS)
    assert dialog.bar.maximum() == 3
    assert not dialog.isModal()

    _click(qtbot, dialog.cancel_button)
    assert dialog.title.text() == "Cancelling…"
    assert "finishes" in dialog.detail.text()
    assert not dialog.cancel_button.isEnabled()
    engine.release()
    qtbot.waitUntil(lambda: not controller.busy, timeout=TIMEOUT_MS)

    assert dialog.title.text() == "Partly sent, the rest cancelled"
    assert dialog.detail.text().splitlines() == [
        "Submitted: 600 faxes.",
        "Cancelled: 700 faxes, not sent.",
    ]
    assert dialog.close_button.isVisible()
    assert not dialog.cancel_button.isVisible()
    assert [s.state for s in store.sends()] == [
        SendState.SUBMITTED,
        SendState.CANCELLED,
        SendState.CANCELLED,
    ]
    _click(qtbot, dialog.close_button)
    assert not dialog.isVisible()


def test_warnings_wait_for_send_anyway(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS):
        controller.send(make_draft(1))
    dialog = _dialog(qtbot, controller)

    controller.send(make_draft(1))
    qtbot.waitUntil(dialog.send_anyway_button.isVisible, timeout=TIMEOUT_MS)
    assert dialog.title.text() == "Before you send"
    assert "referral.txt already went to Clinic 1" in dialog.detail.text()
    assert dialog.cancel_button.hasFocus() or not dialog.isActiveWindow()
    assert len(store.broadcasts()) == 1

    _click(qtbot, dialog.send_anyway_button)
    qtbot.waitUntil(lambda: not controller.busy, timeout=TIMEOUT_MS)
    assert dialog.title.text() == "Sent to the fax service"
    assert dialog.detail.text() == "Submitted: 1 fax."
    assert len(store.broadcasts()) == 2


def test_escape_at_the_warnings_sends_nothing(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    store: JobStore,
    make_draft: Callable[..., Draft],
) -> None:
    with qtbot.waitSignal(controller.finished, timeout=TIMEOUT_MS):
        controller.send(make_draft(1))
    dialog = _dialog(qtbot, controller)
    controller.send(make_draft(1))
    qtbot.waitUntil(dialog.send_anyway_button.isVisible, timeout=TIMEOUT_MS)

    with qtbot.waitSignal(controller.abandoned, timeout=TIMEOUT_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    assert not dialog.isVisible()
    assert not controller.busy
    assert len(store.broadcasts()) == 1


def test_a_refused_draft_shows_what_to_fix(
    qtbot: QtBot,
    sandbox: SandboxServer,
    controller: SendController,
    tmp_path: Path,
    make_draft: Callable[..., Draft],
) -> None:
    gone = tmp_path / "moved.pdf"
    draft = make_draft(1, gone)
    dialog = _dialog(qtbot, controller)

    with qtbot.waitSignal(controller.failed, timeout=TIMEOUT_MS):
        controller.send(draft)

    assert dialog.title.text() == "Not sent"
    assert "moved.pdf" in dialog.detail.text()
    assert dialog.close_button.isVisible()


def _result(ref: str, state: SendState, message: str = "") -> SendResult:
    return SendResult(ref, "B", state, None, message)


def test_the_outcome_names_every_fax_and_why_some_did_not_go() -> None:
    unreachable = ConnectionFailedError("refused")
    report = SendReport(
        (
            _result("S1", SendState.SUBMITTED),
            _result("S2", SendState.FAILED, "The fax service cannot read results.docx."),
            _result("S3", SendState.OUTBOX, "Not yet submitted."),
            _result("S4", SendState.CANCELLED),
        ),
        stopped_by=unreachable,
    )
    counts = {"S1": 600, "S2": 600, "S3": 1, "S4": 99}

    assert outcome_title(report, counts) == "Not all sent"
    assert outcome_lines(report, counts) == [
        "Submitted: 600 faxes.",
        "Waiting in the outbox: 1 fax, not yet submitted — it will go out by itself when the "
        f"fax service can be reached. The reason: {unreachable.user_message}",
        "Failed: 600 faxes.",
        "The fax service cannot read results.docx.",
        "Cancelled: 99 faxes, not sent.",
    ]


def test_the_titles_say_how_it_went() -> None:
    waiting = SendReport((_result("S1", SendState.OUTBOX),))
    assert outcome_title(waiting, {"S1": 3}) == "Waiting to be sent"
    sent = SendReport((_result("S1", SendState.SUBMITTED),))
    assert outcome_title(sent, {}) == "Sent to the fax service"
    assert progress_title(0, 1) == "Sending the fax…"
    assert progress_title(2, 17) == "Sending part 3 of 17…"
    assert progress_title(17, 17) == "All 17 parts handed over"
