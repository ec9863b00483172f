"""The panel against the real sandbox: rows, totals, errors and attempts as the service says."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex

from faxgui.api.enums import FaxStatus
from faxgui.jobs.history import HistoryMessage
from faxgui.ui.status import panel as panel_module
from faxgui.ui.status import tree_model as cols
from faxgui.ui.status.rows import HISTORY_FIELDS

from .conftest import Office

BUSY = "61500000002"
OK = "61500000000"
UNOBTAINABLE = "61500000007"
BLOCKED = "61500000020"


def test_the_panels_rows_are_the_historys_fields_in_order() -> None:
    assert HistoryMessage._fields == HISTORY_FIELDS


def test_a_finished_broadcast_shows_what_the_sandbox_reports(
    started: Callable[[], Office], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The answer is shown a fax per turn of the event loop, as a big one would be.
    monkeypatch.setattr(panel_module, "UPDATE_SLICE", 1)
    office = started()
    report = office.send([("Dr Lee", OK), ("Busy clinic", BUSY), ("Old number", UNOBTAINABLE),
                          ("Blocked", BLOCKED)])  # fmt: skip
    office.panel.note_sent(report)
    model = office.panel.model
    office.qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    broadcast = model.index(0, 0)
    assert model.rowCount(broadcast) == 4
    assert model.index(0, cols.COL_STATUS).data() == "0 of 4 finished"

    office.advance(3600)
    office.poll()

    service = office.service(report.results[0].broadcast_ref)
    assert all(m.status is FaxStatus.DONE for m in service)
    rows = {model.index(r, cols.COL_NUMBER, broadcast).data(): r for r in range(4)}
    for message in service:
        row = rows[message.send_to]
        latest = message.latest_attempt
        assert latest is not None
        assert model.index(row, cols.COL_STATUS, broadcast).data() == "Finished"
        assert model.index(row, cols.COL_ATTEMPTS, broadcast).data() == str(len(message.results))
        expected_error = "" if latest.error is None else latest.error.sentence
        assert model.index(row, cols.COL_ERROR, broadcast).data() == expected_error
    assert model.index(rows[OK], cols.COL_RESULT, broadcast).data() == "Sent"
    assert model.index(rows[BUSY], cols.COL_RESULT, broadcast).data() == "Failed"
    assert model.index(rows[BLOCKED], cols.COL_RESULT, broadcast).data() == "Blocked"
    assert (
        model.index(rows[BUSY], cols.COL_ERROR, broadcast).data()
        == "The line was busy on every attempt. Try again later."
    )
    with office.client() as client:
        from faxgui.api.enums import Verbosity
        from faxgui.api.models import FaxStatusRequest

        totals = client.fax_status(
            FaxStatusRequest(
                broadcast_ref=report.results[0].broadcast_ref, verbosity=Verbosity.BRIEF
            )
        )
    shown = model.totals(broadcast)
    assert shown.status == totals.status_totals
    assert shown.results == totals.results_totals
    assert model.index(0, cols.COL_STATUS).data() == "All 4 finished"
    assert model.index(0, cols.COL_RESULT).data() == "1 sent, 2 failed, 1 blocked"
    assert "1 sent · 2 failed · 1 blocked" in office.panel.totals_label.text()
    # The detail pane lists every attempt of the busy number.
    office.panel.select(model.index(rows[BUSY], 0, broadcast))
    busy = next(m for m in service if m.send_to == BUSY)
    office.qtbot.waitUntil(
        lambda: f"{len(busy.results)} attempts" in office.panel.detail.toPlainText(),
        timeout=10_000,
    )
    assert office.panel.detail.toPlainText().count("Phone number busy") == 0
    assert "busy on every attempt" in office.panel.detail.toPlainText()
    assert model.parent(broadcast) == QModelIndex()
