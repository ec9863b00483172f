"""How a fax of the history is put into words: where it is, how it ended, what went wrong.

Qt-free, so the CSV export and the transmission report say exactly what the
status panel says. The sentences for each error and status live in
`faxgui.api.enums` (`FaxError.sentence`, `FaxError.short_name`,
`FaxStatus.description`); this module only chooses between them.
"""

from __future__ import annotations

from typing import Protocol

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.jobs.store import SendState


class Worded(Protocol):
    """What the words are chosen from: a HistoryMessage, or a row made from one."""

    @property
    def status(self) -> FaxStatus | None: ...

    @property
    def error(self) -> FaxError | None: ...

    @property
    def outcome(self) -> FaxResult | None: ...

    @property
    def finished(self) -> bool: ...


# What a fax whose request never reached the service says, by the request's state.
LOCAL_STATUS = {
    SendState.OUTBOX: "Waiting in the outbox (not yet submitted)",
    SendState.SUBMITTING: "Being handed to the fax service",
    SendState.FAILED: "Not sent: the fax service refused it",
    SendState.CANCELLED: "Cancelled before it was sent",
}

RESULT_WORDS = {
    FaxResult.SUCCESS: "Sent",
    FaxResult.FAILED: "Failed",
    FaxResult.BLOCKED: "Blocked",
}
STOPPED = "Stopped"
NOT_SENT = "Not sent"


def status_words(message: Worded, state: SendState = SendState.SUBMITTED) -> str:
    """Where the fax is now ("Being sent", "Paused", "Waiting to try again")."""
    status = message.status
    if status is None:
        return LOCAL_STATUS.get(state, "Not yet submitted")
    if status is FaxStatus.QUEUED and message.error is not None:
        return "Waiting to try again"
    if status in (FaxStatus.PAUSING, FaxStatus.RESUMING, FaxStatus.STOPPING):
        return f"{status.description}…"
    return status.description


def result_words(message: Worded, state: SendState = SendState.SUBMITTED) -> str:
    """How it ended ("Sent", "Failed", "Blocked", "Stopped", "Not sent"); "" until it has."""
    if message.status is None:
        if state is SendState.FAILED:
            return NOT_SENT
        return STOPPED if state is SendState.CANCELLED else ""
    outcome = message.outcome
    if outcome is None:
        return ""
    if outcome is FaxResult.FAILED and message.error is FaxError.FAX_CANCELLED:
        return STOPPED
    return RESULT_WORDS[outcome]


def error_sentence(
    message: Worded,
    state: SendState = SendState.SUBMITTED,
    local_error: str | None = None,
) -> str:
    """What went wrong, as a sentence a receptionist can act on; "" when nothing did.

    Until the fax is done, a failed attempt is not its result: the service
    will try again, and saying "failed" would send someone to resend it.
    """
    if message.status is None:
        if state in (SendState.FAILED, SendState.CANCELLED, SendState.OUTBOX):
            return local_error or ""
        return ""
    error = message.error
    if error is None:
        return ""
    if not message.finished:
        return f"Last attempt: {error.short_name.lower()}. It will be tried again."
    return error.sentence
