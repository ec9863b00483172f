"""A broadcast's results as CSV and the transmission report, read back as a person would."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.models import FaxAttempt, FaxMessageStatus, FaxStatusRequest, FaxStatusResponse
from faxgui.jobs.exports import (
    BROADCAST_CSV_COLUMNS,
    broadcast_csv,
    report_html,
    transmission_report,
    write_broadcast_csv,
)
from faxgui.jobs.history import JobHistory
from faxgui.jobs.store import JobStore, NewMessage, NewSend

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[JobHistory]:
    with JobStore(tmp_path / "jobs.sqlite3", clock=lambda: T0) as store:
        store.add_broadcast(
            "FG-1",
            account="demo",
            endpoint="e",
            composed_by="maria",
            sends=[
                NewSend(
                    "FG-1-S1",
                    {"documents": [{"name": "referral.pdf", "pages": 2}]},
                    "{}",
                    [
                        NewMessage("FG-1-S1-M1", "61280039890", "Dr Lee & Partners"),
                        NewMessage("FG-1-S1-M2", "61500000002", '=HYPERLINK("x")'),
                        NewMessage("FG-1-S1-M3", "61500000000", "Harbour Clinic"),
                    ],
                )
            ],
        )
        store.mark_submitting("FG-1-S1")
        store.mark_submitted("FG-1-S1", [])
        history = JobHistory(store)
        sent = FaxAttempt(
            1,
            FaxResult.SUCCESS,
            cost=Decimal("0.20"),
            pages=2,
            total_fax_duration=70,
            date_call_started=T0,
            date_call_ended=T0 + timedelta(seconds=70),
        )
        busy = FaxAttempt(
            3,
            FaxResult.FAILED,
            FaxError.FAX_BUSY,
            cost=Decimal("0.00"),
            pages=0,
            total_fax_duration=15,
            date_call_started=T0,
            date_call_ended=T0 + timedelta(seconds=15),
        )
        history.merge(
            FaxStatusResponse(
                messages=[
                    FaxMessageStatus("FG-1-S1-M1", status=FaxStatus.DONE, results=[sent]),
                    FaxMessageStatus("FG-1-S1-M2", status=FaxStatus.DONE, results=[busy]),
                    FaxMessageStatus("FG-1-S1-M3", status=FaxStatus.SENDING),
                ]
            ),
            account="demo",
            endpoint="e",
            selection=FaxStatusRequest(send_ref="FG-1-S1"),
        )
        yield history


def test_the_csv_has_one_row_per_fax_in_plain_words(history: JobHistory) -> None:
    (broadcast,) = history.snapshot().broadcasts
    rows = list(csv.reader(io.StringIO(broadcast_csv(history, broadcast.id, tz=UTC))))
    assert tuple(rows[0]) == BROADCAST_CSV_COLUMNS
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["Message reference"] for r in table] == ["FG-1-S1-M1", "FG-1-S1-M2", "FG-1-S1-M3"]
    assert table[0]["Result"] == "Sent"
    assert table[0]["Recipient"] == "Dr Lee & Partners"
    assert (table[0]["Pages"], table[0]["Cost"], table[0]["Seconds on the line"]) == (
        "2",
        "0.20",
        "70",
    )
    assert table[0]["Started"] == "2026-11-27 09:00:00"
    assert table[0]["Ended"] == "2026-11-27 09:01:10"
    assert table[1]["Result"] == "Failed"
    assert table[1]["What went wrong"] == "The line was busy on every attempt. Try again later."
    assert table[1]["Error code"] == "FAX_BUSY"
    assert table[2]["Status"] == "Being sent"
    assert table[2]["Result"] == ""
    # A name that a spreadsheet would run as a formula is written as text.
    assert table[1]["Recipient"] == '\'=HYPERLINK("x")'


def test_the_csv_file_opens_in_excel_as_utf8(history: JobHistory, tmp_path: Path) -> None:
    (broadcast,) = history.snapshot().broadcasts
    path = tmp_path / "results.csv"
    assert write_broadcast_csv(history, broadcast.id, path) == 3
    assert path.read_bytes().startswith(b"\xef\xbb\xbfBroadcast reference,")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            # Non-breaking spaces keep a fax number on one line; read them as spaces.
            self.cells.append(data.strip().replace("\xa0", " "))


def test_the_transmission_report_lists_each_fax_with_its_times_and_result(
    history: JobHistory,
) -> None:
    send = history.snapshot().sends[0]
    report = transmission_report(history, send.id, now=T0 + timedelta(hours=1))
    assert (report.send_ref, report.composed_by, report.account) == ("FG-1-S1", "maria", "demo")
    assert [(d.name, d.pages) for d in report.documents] == [("referral.pdf", 2)]
    first, second, third = report.lines
    assert (first.recipient, first.number, first.pages, first.result) == (
        "Dr Lee & Partners",
        "+61 2 8003 9890",
        2,
        "Sent",
    )
    assert (first.started, first.ended) == (T0, T0 + timedelta(seconds=70))
    assert (second.result, second.reason) == (
        "Failed",
        "The line was busy on every attempt. Try again later.",
    )
    assert third.result == "Being sent"
    assert not report.finished
    page = report_html(report, tz=UTC)
    text = _Text()
    text.feed(page)
    assert "Fax transmission report" in text.cells
    assert "Dr Lee & Partners" in text.cells  # escaped in the HTML, read back whole
    assert "&amp;" in page
    assert "+61 2 8003 9890" in text.cells
    # Calls on the day it was submitted show their time; the date is given once above.
    assert "27 November 2026, 09:00:00" in text.cells
    assert text.cells.count("09:01") == 1  # the sent fax's end
    assert "—" in text.cells  # no call yet
    assert "3 faxes: 1 sent, 1 failed, 1 not finished yet · 2 pages sent · $0.20" in text.cells
    assert any("print it again later" in cell for cell in text.cells)
