"""The lookup table's model, without any widget: what each column says about a fax."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.models import (
    FaxAttempt,
    FaxMessageStatus,
    FaxResultsTotals,
    FaxStatusResponse,
    FaxStatusTotals,
)
from faxgui.ui.fax_status_model import (
    COL_ATTEMPTS,
    COL_ERROR,
    COL_NUMBER,
    COL_PAGES,
    COL_REFERENCE,
    COL_RESULT,
    COL_STATUS,
    HEADERS,
    FaxStatusModel,
    totals_text,
)

BUSY = FaxMessageStatus(
    message_ref="invoice-7",
    send_to="61500000002",
    status=FaxStatus.DONE,
    results=[
        FaxAttempt(attempt=1, result=FaxResult.FAILED, error=FaxError.FAX_BUSY, pages=0),
        FaxAttempt(attempt=2, result=FaxResult.FAILED, error=FaxError.FAX_BUSY, pages=0),
    ],
)
WAITING = FaxMessageStatus(message_ref="invoice-8", send_to="61500000000", status=FaxStatus.QUEUED)


def row(model: FaxStatusModel, number: int) -> list[str]:
    return [model.index(number, col).data() for col in range(model.columnCount())]


def test_a_failed_fax_reads_in_plain_words(qtbot: QtBot) -> None:
    model = FaxStatusModel()
    model.set_rows([BUSY, WAITING])

    assert model.rowCount() == 2
    cells = row(model, 0)
    assert cells[COL_REFERENCE] == "invoice-7"
    assert cells[COL_NUMBER] == "61500000002"
    assert cells[COL_STATUS] == "Finished"
    assert cells[COL_RESULT] == "Failed"
    assert cells[COL_ERROR] == "The line was busy on every attempt. Try again later."
    assert cells[COL_ATTEMPTS] == "2"
    assert cells[COL_PAGES] == "0"


def test_a_fax_not_yet_sent_says_so(qtbot: QtBot) -> None:
    model = FaxStatusModel()
    model.set_rows([WAITING])

    cells = row(model, 0)
    assert cells[COL_STATUS] == "Ready, waiting for its send time"
    assert cells[COL_RESULT] == "Not finished yet"
    assert cells[COL_ERROR] == ""
    assert cells[COL_ATTEMPTS] == "0"


def test_a_busy_fax_that_will_be_retried_is_not_called_failed(qtbot: QtBot) -> None:
    retrying = FaxMessageStatus(
        message_ref="invoice-9",
        send_to="61500000002",
        status=FaxStatus.QUEUED,
        results=[FaxAttempt(attempt=1, result=FaxResult.FAILED, error=FaxError.FAX_BUSY)],
    )
    model = FaxStatusModel()
    model.set_rows([retrying])

    cells = row(model, 0)
    assert cells[COL_STATUS] == "Waiting to try again"
    assert cells[COL_RESULT] == "Not finished yet"
    assert cells[COL_ERROR] == "Last attempt: phone number busy. It will be tried again."


def test_headers_name_every_column(qtbot: QtBot) -> None:
    model = FaxStatusModel()
    shown = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(HEADERS))]
    assert shown == list(HEADERS)


def test_a_new_lookup_replaces_the_rows(qtbot: QtBot) -> None:
    model = FaxStatusModel()
    model.set_rows([BUSY, WAITING])
    model.set_rows([WAITING])
    assert model.rowCount() == 1
    assert model.index(0, COL_REFERENCE).data() == "invoice-8"


def test_totals_line_sums_up_the_answer() -> None:
    response = FaxStatusResponse(
        status_totals=FaxStatusTotals(queued=1, done=1),
        results_totals=FaxResultsTotals(failed=1, total_attempts=2, total_pages=0),
        messages=[BUSY, WAITING],
    )
    assert totals_text(response) == (
        "2 faxes · 1 finished · 1 still in progress · 0 sent · 1 failed · 0 blocked · "
        "2 attempts · 0 pages"
    )
