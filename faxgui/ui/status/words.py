"""How the status panel words a fax, a send and a broadcast: status, result, error, times, money."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from faxgui.api.enums import FaxError
from faxgui.jobs import wording
from faxgui.jobs.store import SendState
from faxgui.ui.status.rows import MessageRow, all_finished

# The sentences are the history's (`faxgui.jobs.wording`, which the CSV export and the
# printed report use too); this module adds only what the panel alone shows.
LOCAL_STATUS = wording.LOCAL_STATUS
RESULT_WORDS = wording.RESULT_WORDS
STOPPED = wording.STOPPED

# Shown from the moment an action is confirmed until the service's answer comes.
PENDING_WORDS = {"pause": "Pausing…", "resume": "Resuming…", "stop": "Stopping…"}

_STATES = {state.value: state for state in SendState}


def faxes(count: int) -> str:
    return f"{count:,} fax{'' if count == 1 else 'es'}"


def message_status(row: MessageRow, pending: str | None = None) -> str:
    """Where the fax is now, in words ("Being sent", "Paused", "Waiting to try again")."""
    if pending is not None:
        return PENDING_WORDS[pending]
    return wording.status_words(row, _STATES[row.local_state])


def message_result(row: MessageRow) -> str:
    """How it ended ("Sent", "Failed", "Blocked", "Stopped", "Not sent"); empty until it has."""
    return wording.result_words(row, _STATES[row.local_state])


def message_error(row: MessageRow) -> str:
    """What went wrong, as a sentence a receptionist can act on; empty when nothing did."""
    return wording.error_sentence(row, _STATES[row.local_state], row.local_error)


def attempt_error(error: FaxError | None) -> str:
    return "" if error is None else error.sentence


def group_status(totals: Any, pending: str | None = None) -> str:
    """A broadcast's or a send's state: "All 12 finished", "3 of 12 finished", "2 paused"."""
    if pending is not None:
        return PENDING_WORDS[pending]
    if totals.faxes == 0:
        return ""
    if all_finished(totals):
        return "Finished" if totals.faxes == 1 else f"All {totals.faxes:,} finished"
    if totals.not_submitted == totals.faxes:
        return LOCAL_STATUS[SendState.OUTBOX]
    parts = [f"{totals.finished:,} of {totals.faxes:,} finished"]
    if totals.paused:
        parts.append(f"{totals.paused:,} paused")
    return ", ".join(parts)


def group_result(totals: Any) -> str:
    """ "10 sent, 2 failed": how the finished faxes of a broadcast or send ended."""
    results = totals.results
    parts = []
    for count, word in (
        (results.success, "sent"),
        (results.failed, "failed"),
        (results.blocked, "blocked"),
    ):
        if count:
            parts.append(f"{count:,} {word}")
    return ", ".join(parts)


def totals_sentence(totals: Any) -> str:
    """One line for the panel's footer, as the API's totals count them."""
    results = totals.results
    in_progress = totals.faxes - totals.finished - totals.not_submitted - totals.paused
    parts = [
        faxes(totals.faxes),
        f"{totals.finished:,} finished",
        f"{max(in_progress, 0):,} in progress",
    ]
    if totals.paused:
        parts.append(f"{totals.paused:,} paused")
    if totals.not_submitted:
        parts.append(f"{totals.not_submitted:,} not yet submitted")
    parts += [
        f"{results.success:,} sent",
        f"{results.failed:,} failed",
        f"{results.blocked:,} blocked",
        f"{results.total_pages:,} page{'' if results.total_pages == 1 else 's'}",
        money(totals.cost),
    ]
    return " · ".join(parts)


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"${amount:,.2f}"


def duration(seconds: int | None) -> str:
    """ "45 s", "2 min 05 s", "1 h 02 min"."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def moment(when: datetime | None, today: datetime | None = None) -> str:
    """A time in the computer's time zone: "14:05:12" today, "3 Mar 14:05" otherwise."""
    if when is None:
        return ""
    local = when.astimezone()
    now = (today or datetime.now()).astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M:%S")
    if local.year == now.year:
        return f"{local.day} {local:%b %H:%M}"
    return f"{local.day} {local:%b %Y %H:%M}"


def full_moment(when: datetime | None) -> str:
    """A time with its date and zone, for the detail pane and the printed report."""
    if when is None:
        return ""
    local = when.astimezone()
    return f"{local.day} {local:%B %Y, %H:%M:%S %Z}".strip()
