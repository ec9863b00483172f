"""A broadcast's results as CSV, and the transmission report per send that offices file.

Both are read from the history (`faxgui.jobs.history`) and worded as the
status panel words them (`faxgui.jobs.wording`). The report is a plain
structure plus HTML in the subset QTextDocument renders (tables, inline
styles), so the UI prints it or saves it as PDF without building it again.
Times are shown in the computer's time zone unless `tz` says otherwise.
Qt-free; blocks on SQLite, so call it from a worker.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from faxgui.compose.phone import format_for_display
from faxgui.jobs.history import DocumentInfo, HistoryMessage, HistorySend, JobHistory, Totals
from faxgui.jobs.wording import error_sentence, result_words, status_words

BROADCAST_CSV_COLUMNS: tuple[str, ...] = (
    "Broadcast reference",
    "Send reference",
    "Message reference",
    "Recipient",
    "Fax number",
    "Status",
    "Result",
    "What went wrong",
    "Error code",
    "Attempts",
    "Pages",
    "Cost",
    "Seconds on the line",
    "Submitted",
    "Started",
    "Ended",
)

# A spreadsheet runs a cell that starts like this as a formula; a recipient's name
# imported from someone else's CSV must not be able to do that.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _when(moment: datetime | None, tz: tzinfo | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def _number(number: str) -> str:
    return format_for_display(number) if number else ""


def broadcast_csv(history: JobHistory, broadcast_id: int, *, tz: tzinfo | None = None) -> str:
    """Every fax of a broadcast, one row each, under a header row (`BROADCAST_CSV_COLUMNS`)."""
    sends = {send.id: send for send in history.sends_of(broadcast_id)}
    if not sends:
        history.broadcast(broadcast_id)  # raises UnknownHistoryRowError when it is gone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BROADCAST_CSV_COLUMNS)
    for message in history.broadcast_messages(broadcast_id):
        send = sends[message.send_id]
        writer.writerow(
            [
                _cell(message.broadcast_ref),
                _cell(send.send_ref),
                _cell(message.message_ref),
                _cell(message.recipient_name),
                message.send_to,
                status_words(message, send.state),
                result_words(message, send.state),
                _cell(error_sentence(message, send.state, send.last_error)),
                "" if message.error is None else message.error.value,
                message.attempts,
                "" if message.pages is None else message.pages,
                _money(message.cost),
                "" if message.duration is None else message.duration,
                _when(send.submitted, tz),
                _when(message.started, tz),
                _when(message.ended, tz),
            ]
        )
    return out.getvalue()


def write_broadcast_csv(
    history: JobHistory, broadcast_id: int, path: Path, *, tz: tzinfo | None = None
) -> int:
    """Write `broadcast_csv` to `path` (UTF-8 with a BOM, which Excel needs); returns fax rows."""
    text = broadcast_csv(history, broadcast_id, tz=tz)
    path.write_text(text, encoding="utf-8-sig", newline="")
    return text.count("\r\n") - 1


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One fax on the transmission report."""

    recipient: str
    number: str
    pages: int | None
    started: datetime | None
    ended: datetime | None
    result: str
    reason: str
    message_ref: str
    attempts: int


@dataclass(frozen=True, slots=True)
class TransmissionReport:
    """The confirmation sheet of one send: who it went to, when, and how each fax ended."""

    title: str
    send_ref: str
    broadcast_ref: str
    account: str
    composed_by: str
    submitted: datetime | None
    printed: datetime
    documents: tuple[DocumentInfo, ...]
    lines: tuple[ReportLine, ...]
    totals: Totals

    @property
    def finished(self) -> bool:
        """True when every fax of the send has ended (the report is final)."""
        return self.totals.faxes > 0 and self.totals.finished == self.totals.faxes


def _line(message: HistoryMessage, send: HistorySend) -> ReportLine:
    result = result_words(message, send.state) or status_words(message, send.state)
    return ReportLine(
        recipient=message.recipient_name,
        number=_number(message.send_to),
        pages=message.pages,
        started=message.started,
        ended=message.ended,
        result=result,
        reason=error_sentence(message, send.state, send.last_error),
        message_ref=message.message_ref,
        attempts=message.attempts,
    )


def transmission_report(
    history: JobHistory, send_id: int, *, now: datetime | None = None
) -> TransmissionReport:
    """The report of one send, as the history holds it now."""
    send = history.send(send_id)
    broadcast = history.broadcast(send.broadcast_id)
    messages = history.send_messages(send_id)
    return TransmissionReport(
        title="Fax transmission report",
        send_ref=send.send_ref,
        broadcast_ref=send.broadcast_ref,
        account=broadcast.account,
        composed_by=broadcast.composed_by,
        submitted=send.submitted,
        printed=now if now is not None else history.store.now(),
        documents=send.documents,
        lines=tuple(_line(m, send) for m in messages),
        totals=history.send_totals([send_id])[send_id],
    )


def totals_sentence(totals: Totals) -> str:
    """ "12 faxes: 10 sent, 1 failed, 1 blocked · 24 pages · $2.40"."""
    results = totals.results
    parts = [
        f"{count:,} {word}"
        for count, word in (
            (results.success, "sent"),
            (results.failed, "failed"),
            (results.blocked, "blocked"),
        )
        if count
    ]
    unfinished = totals.faxes - totals.finished
    if unfinished:
        parts.append(f"{unfinished:,} not finished yet")
    faxes = f"{totals.faxes:,} fax{'' if totals.faxes == 1 else 'es'}"
    pages = f"{results.total_pages:,} page{'' if results.total_pages == 1 else 's'} sent"
    return f"{faxes}: {', '.join(parts) or 'none finished'} · {pages} · ${totals.cost:,.2f}"


_STYLE = """
body { font-family: sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 16pt; margin-bottom: 2px; }
p.note { color: #444; margin-top: 0; }
table.facts td { padding: 1px 14px 1px 0; }
table.faxes { border-collapse: collapse; margin-top: 10px; font-size: 9pt; }
table.faxes th { background-color: #e6e6e6; text-align: left; padding: 3px 4px;
    border: 1px solid #999; }
table.faxes td { padding: 3px 4px; border: 1px solid #999; vertical-align: top; }
td.num { text-align: right; }
span.bad { color: #a00000; font-weight: bold; }
span.small { color: #555; font-size: 8pt; }
"""


_BAD_RESULTS = frozenset({"Failed", "Blocked", "Stopped", "Not sent"})


def _day(moment: datetime, tz: tzinfo | None) -> str:
    local = moment.astimezone(tz)
    return f"{local.day} {local:%B %Y}"


def report_html(report: TransmissionReport, *, tz: tzinfo | None = None) -> str:
    """The report as HTML for QTextDocument (print, or save as PDF with QPdfWriter).

    Call times are shown to the minute on the day the send was submitted,
    with the date only for a call on another day, so the table fits a
    portrait page.
    """
    e = html.escape
    anchor = report.submitted or report.printed
    day = anchor.astimezone(tz).date()

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(tz)
        if local.date() == day:
            return local.strftime("%H:%M")
        return f"{local.day}&nbsp;{local:%b} {local:%H:%M}"

    def full(moment: datetime | None) -> str:
        return "—" if moment is None else e(f"{_day(moment, tz)}, {_when(moment, tz)[11:]}")

    documents = "<br/>".join(
        e(d.name) + ("" if d.pages is None else f" ({d.pages} page{'' if d.pages == 1 else 's'})")
        for d in report.documents
    )
    facts = [
        ("Send reference", e(report.send_ref) or "—"),
        ("Broadcast reference", e(report.broadcast_ref) or "—"),
        ("Fax account", e(report.account)),
        ("Sent by", e(report.composed_by) or "—"),
        ("Submitted", full(report.submitted)),
        ("Documents", documents or "—"),
        ("Summary", e(totals_sentence(report.totals))),
    ]
    rows = []
    for line in report.lines:
        result = e(line.result)
        if line.result in _BAD_RESULTS:
            result = f'<span class="bad">{result}</span>'
        if line.reason:
            result += f'<br/><span class="small">{e(line.reason)}</span>'
        recipient = e(line.recipient) or e(line.number)
        rows.append(
            "<tr>"
            f'<td>{recipient}<br/><span class="small">{e(line.message_ref)}</span></td>'
            f"<td>{e(line.number).replace(' ', '&nbsp;')}</td>"
            f'<td class="num">{"" if line.pages is None else line.pages}</td>'
            f"<td>{when(line.started)}</td>"
            f"<td>{when(line.ended)}</td>"
            f"<td>{result}</td>"
            "</tr>"
        )
    note = (
        ""
        if report.finished
        else '<p class="note">Some faxes had not finished when this report was printed; '
        "print it again later for their final result.</p>"
    )
    fact_rows = "".join(
        f'<tr><td valign="top"><b>{name}</b></td><td>{value}</td></tr>' for name, value in facts
    )
    return (
        f"<html><head><meta charset='utf-8'><title>{e(report.title)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{e(report.title)}</h1>"
        f'<p class="note">Printed {full(report.printed)}</p>'
        f'<table class="facts">{fact_rows}</table>{note}'
        '<table class="faxes" width="100%" cellspacing="0">'
        '<thead><tr><th width="26%">Recipient and reference</th><th width="22%">Fax number</th>'
        '<th width="10%">Pages</th><th width="9%">Start</th><th width="9%">End</th>'
        '<th width="24%">Result</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></body></html>"
    )
