"""Pause, resume, stop and resend from the panel, against the sandbox: confirmed, then shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from faxgui.api.enums import FaxStatus
from faxgui.ui.status import tree_model as cols
from faxgui.ui.status.panel import StatusPanel

from .conftest import Office

OK = "61500000000"
BUSY = "61500000002"
SLOW = "61500000050"


def answer(qtbot: QtBot, panel: StatusPanel, button_text: str) -> None:
    """Click a button of the question the panel is asking."""
    box = panel.last_question
    assert box is not None, "the panel did not ask"
    qtbot.waitUntil(box.isVisible)
    (button,) = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.last_question is None)


def statuses(office: Office, parent: QModelIndex) -> list[str]:
    model = office.panel.model
    return [model.index(r, cols.COL_STATUS, parent).data() for r in range(model.rowCount(parent))]


@pytest.fixture
def sent(started: Callable[[], Office]) -> Office:
    """Three faxes to clinics, just handed to the sandbox (nothing dialled yet)."""
    office = started()
    report = office.send([("Clinic A", OK), ("Clinic B", OK), ("Clinic C", OK)])
    office.panel.note_sent(report)
    office.qtbot.waitUntil(lambda: office.panel.model.rowCount() == 1, timeout=10_000)
    office.panel.select(office.panel.model.index(0, 0))
    return office


def test_pausing_a_broadcast_is_confirmed_shown_as_pausing_then_paused(sent: Office) -> None:
    office, panel, qtbot = sent, sent.panel, sent.qtbot
    model = panel.model
    broadcast = model.index(0, 0)
    assert panel.pause_button.isEnabled()

    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    box = panel.last_question
    assert box is not None
    assert (
        box.text() == f"Pause the 3 faxes of broadcast {model.index(0, cols.COL_REFERENCE).data()}?"
    )
    answer(qtbot, panel, "Pause")
    # Until the service answers, the row says what is being asked.
    assert model.index(0, cols.COL_STATUS).data() == "Pausing…"
    qtbot.waitUntil(lambda: "The fax service is pausing 3 faxes." in panel.message_label.text(),
                    timeout=10_000)  # fmt: skip
    assert statuses(office, broadcast) == ["Pausing…"] * 3

    office.advance(5)
    office.poll()
    assert statuses(office, broadcast) == ["Paused"] * 3
    assert model.index(0, cols.COL_STATUS).data() == "0 of 3 finished, 3 paused"
    broadcast_ref = model.index(0, cols.COL_REFERENCE).data()
    assert {m.status for m in office.service(broadcast_ref)} == {FaxStatus.PAUSED}
    # Paused faxes wait, however long.
    office.advance(3600)
    office.poll()
    assert statuses(office, broadcast) == ["Paused"] * 3
    assert panel.resume_button.isEnabled()

    qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
    answer(qtbot, panel, "Resume")
    qtbot.waitUntil(lambda: "resuming 3 faxes" in panel.message_label.text(), timeout=10_000)
    office.advance(3600)
    office.poll()
    assert [model.index(r, cols.COL_RESULT, broadcast).data() for r in range(3)] == ["Sent"] * 3
    service = office.service(broadcast_ref)
    assert all(m.status is FaxStatus.DONE for m in service)
    assert model.totals(broadcast).results.success == 3


def test_declining_the_question_changes_nothing(sent: Office) -> None:
    panel, qtbot = sent.panel, sent.qtbot
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    answer(qtbot, panel, "Don't stop")
    assert panel.model.index(0, cols.COL_STATUS).data() == "0 of 3 finished"
    ref = panel.model.index(0, cols.COL_REFERENCE).data()
    assert all(m.status is not FaxStatus.STOPPING for m in sent.service(ref))


def test_stopping_one_fax_leaves_the_others_and_is_shown_as_stopped(sent: Office) -> None:
    office, panel, qtbot = sent, sent.panel, sent.qtbot
    model = panel.model
    broadcast = model.index(0, 0)
    qtbot.waitUntil(lambda: model.rowCount(broadcast) == 3)
    clinic_b = model.index(1, 0, broadcast)
    panel.select(clinic_b)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    box = panel.last_question
    assert box is not None
    assert "Clinic B" in box.text()
    answer(qtbot, panel, "Stop")
    qtbot.waitUntil(lambda: "stopping 1 fax" in panel.message_label.text(), timeout=10_000)
    assert model.index(1, cols.COL_STATUS, broadcast).data() == "Stopping…"

    office.advance(3600)
    office.poll()
    assert model.index(1, cols.COL_RESULT, broadcast).data() == "Stopped"
    assert (
        model.index(1, cols.COL_ERROR, broadcast).data()
        == "The fax was stopped before it was sent."
    )
    assert [model.index(r, cols.COL_RESULT, broadcast).data() for r in (0, 2)] == ["Sent"] * 2
    totals = model.totals(broadcast)
    assert (totals.results.success, totals.results.failed) == (2, 1)
    # A stopped fax is not offered for resending as a failure: it was stopped on purpose.
    panel.select(model.index(1, 0, broadcast))
    assert not panel.resend_button.isEnabled()


def test_a_fax_being_transmitted_cannot_be_paused_and_the_panel_says_why(
    started: Callable[[], Office],
) -> None:
    office = started()
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    report = office.send([("Slow machine", SLOW)])
    panel.note_sent(report)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    office.advance(60)  # dialled: it now spends minutes on the line
    office.poll()
    assert model.index(0, cols.COL_STATUS).data() == "Being sent"
    panel.select(model.index(0, 0))
    assert panel.pause_button.isEnabled()
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.last_question is None
    assert panel.message_label.text() == (
        "The fax to Slow machine (61500000050): a fax already being transmitted cannot be "
        "paused; the call is under way and will finish."
    )


def test_a_refusal_from_the_service_is_explained(started: Callable[[], Office]) -> None:
    office = started()
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    report = office.send([("Slow machine", SLOW), ("Clinic A", OK)])
    panel.note_sent(report)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    office.advance(9)
    office.poll()
    broadcast = model.index(0, 0)
    assert statuses(office, broadcast) == ["About to be sent"] * 2
    # The calls start before the panel hears of it: the service refuses, the panel says why.
    office.advance(10)
    panel.select(broadcast)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    answer(qtbot, panel, "Pause")
    qtbot.waitUntil(lambda: "cannot be paused" in panel.message_label.text(), timeout=10_000)
    assert panel.message_label.text() == (
        "2 faxes already being transmitted cannot be paused: the call is under way."
    )
    assert statuses(office, broadcast) == ["Being sent"] * 2


def test_resending_the_failed_faxes_adds_a_new_part_to_the_broadcast(
    started: Callable[[], Office],
) -> None:
    office = started()
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    report = office.send([("Clinic A", OK), ("Busy clinic", BUSY)])
    broadcast_ref = report.results[0].broadcast_ref
    panel.note_sent(report)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    office.advance(3600)
    office.poll()
    broadcast = model.index(0, 0)
    assert model.index(0, cols.COL_RESULT).data() == "1 sent, 1 failed"
    panel.select(broadcast)
    assert panel.resend_button.isEnabled()

    qtbot.mouseClick(panel.resend_button, Qt.MouseButton.LeftButton)
    box = panel.last_question
    assert box is not None
    assert box.text() == "Send the 1 fax that failed again?"
    answer(qtbot, panel, "Resend")
    qtbot.waitUntil(lambda: "sent again" in panel.message_label.text(), timeout=20_000)
    broadcast = model.index_of_broadcast(broadcast_ref)
    qtbot.waitUntil(lambda: model.rowCount(broadcast) == 2, timeout=10_000)
    assert [model.index(r, cols.COL_NAME, broadcast).data() for r in range(2)] == [
        "Part 1 of 2 (2 faxes)",
        "Part 2 of 2 (1 fax)",
    ]
    part_two = model.index(1, 0, broadcast)
    assert model.index(0, cols.COL_NUMBER, part_two).data() == BUSY
    service = office.service(broadcast_ref)
    assert len(service) == 3
    assert len({m.send_ref for m in service}) == 2
    # Resent once: pressing again finds the new part still on its way, not failed.
    office.advance(30)
    office.poll()
    assert model.totals(broadcast).faxes == 3
