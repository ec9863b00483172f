"""The pane beside the status tree: everything about the selected fax, send or broadcast.

For a fax it lists every attempt (read from the history on a worker); for
a send or a broadcast, the API's totals (FaxStatusTotals and
FaxResultsTotals) and what the request carried.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QTextBrowser, QWidget

from faxgui.ui.status import words
from faxgui.ui.status.rows import MessageRow
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.jobs.history import JobHistory, MessageDetail

EMPTY_TEXT = "Select a fax to see every attempt."

_STYLE = """
<style>
h3 { margin: 0 0 4px 0; }
table { border-collapse: collapse; }
td, th { padding: 2px 8px 2px 0; vertical-align: top; }
th { text-align: left; color: #444; font-weight: normal; }
.bad { color: #a61b1b; }
.good { color: #1d6b2f; }
.muted { color: #666; }
</style>
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _rows(pairs: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><th>{_e(name)}</th><td>{value}</td></tr>" for name, value in pairs if value
    )
    return f"<table>{cells}</table>"


def message_html(row: MessageRow, detail: MessageDetail | None) -> str:
    """The detail pane for one fax: where it is, how it ended, and every attempt."""
    result = words.message_result(row)
    css = "bad" if result in ("Failed", "Blocked", "Not sent") else "good" if result else ""
    pairs = [
        ("Recipient", _e(row.recipient_name)),
        ("Fax number", _e(row.send_to)),
        ("Status", _e(words.message_status(row))),
        ("Result", f'<span class="{css}">{_e(result)}</span>' if result else ""),
        ("What went wrong", _e(words.message_error(row))),
        ("Handed over", _e(words.full_moment(row.submitted))),
        ("Message reference", _e(row.message_ref)),
        ("Send reference", _e(row.send_ref)),
        ("Broadcast reference", _e(row.broadcast_ref)),
    ]
    parts = [_STYLE, f"<h3>{_e(row.recipient_name or row.send_to)}</h3>", _rows(pairs)]
    if detail is not None:
        documents = ", ".join(
            f"{d.name} ({d.pages} page{'' if d.pages == 1 else 's'})" if d.pages else d.name
            for d in detail.documents
        )
        if documents:
            parts.append(_rows([("Documents", _e(documents))]))
        parts.append(attempts_html(detail.attempts))
    return "".join(parts)


def attempts_html(attempts: Any) -> str:
    if not attempts:
        return '<p class="muted">No attempt has been made yet.</p>'
    head = (
        "<tr><th>#</th><th>Result</th><th>Call started</th><th>Pages</th>"
        "<th>Time</th><th>What happened</th></tr>"
    )
    body = []
    for attempt in attempts:
        result = "" if attempt.result is None else words.RESULT_WORDS[attempt.result]
        error = attempt.error
        what = "" if error is None else error.sentence
        if attempt.date_call_started is None and error is not None:
            what = f"Not dialled. {what}"
        body.append(
            "<tr>"
            f"<td>{attempt.attempt}</td>"
            f"<td>{_e(result)}</td>"
            f"<td>{_e(words.moment(attempt.date_call_started))}</td>"
            f"<td>{'' if attempt.pages is None else attempt.pages}</td>"
            f"<td>{_e(words.duration(attempt.total_fax_duration))}</td>"
            f"<td>{_e(what)}</td>"
            "</tr>"
        )
    count = len(attempts)
    title = f"<h3>{count} attempt{'' if count == 1 else 's'}</h3>"
    return f"{title}<table>{head}{''.join(body)}</table>"


def group_html(title: str, references: list[tuple[str, str]], totals: Any, extra: str = "") -> str:
    """The detail pane for a send or a broadcast: the API's totals, in words."""
    status, results = totals.status, totals.results
    in_progress = [
        (name, getattr(status, name))
        for name in ("pending", "processing", "queued", "starting", "sending", "finalizing")
        if getattr(status, name)
    ]
    pairs = [
        *[(name, _e(value)) for name, value in references],
        ("Faxes", f"{totals.faxes:,}"),
        ("Finished", f"{status.done:,}"),
        ("Still on their way", ", ".join(f"{n:,} {name}" for name, n in in_progress)),
        ("Not yet submitted", f"{totals.not_submitted:,}" if totals.not_submitted else ""),
        ("Sent", f"{results.success:,}"),
        ("Failed", f'<span class="bad">{results.failed:,}</span>' if results.failed else "0"),
        ("Blocked", f"{results.blocked:,}"),
        ("Calls made", f"{results.total_attempts:,}"),
        ("Pages sent", f"{results.total_pages:,}"),
        ("Time on the line", _e(words.duration(results.total_fax_duration)) or "0 s"),
        ("Cost", _e(words.money(totals.cost))),
    ]
    return f"{_STYLE}<h3>{_e(title)}</h3>{_rows(pairs)}{extra}"


class DetailPane(QTextBrowser):
    """Read-only details of the selection; a fax's attempts are read on a worker."""

    def __init__(self, history: JobHistory | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self._asked = 0
        self.setOpenLinks(False)
        self.setPlaceholderText(EMPTY_TEXT)

    def set_history(self, history: JobHistory) -> None:
        self._history = history

    def show_message(self, row: MessageRow) -> None:
        """Show a fax at once, then its attempts when they have been read."""
        self._asked += 1
        asked = self._asked
        self.setHtml(message_html(row, None))
        if self._history is None:
            return

        def shown(detail: MessageDetail) -> None:
            if asked == self._asked:
                self.setHtml(message_html(row, detail))

        run_task(
            self._history.message_detail,
            row.id,
            on_done=shown,
            on_error=lambda error: self._not_read(asked, row, error),
            context=self,
        )

    def _not_read(self, asked: int, row: MessageRow, error: Exception) -> None:
        if asked == self._asked:
            self.setHtml(
                message_html(row, None)
                + f'<p class="bad">Its attempts could not be read from the fax history '
                f"({_e(error)}). Select it again to retry.</p>"
            )

    def show_group(self, html_text: str) -> None:
        self._asked += 1
        self.setHtml(html_text)

    def clear_details(self) -> None:
        self._asked += 1
        self.clear()
