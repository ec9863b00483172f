"""What the status panel shows of each broadcast, send and fax: plain rows, made off the GUI.

The history layer's records (`faxgui.jobs.history`) become these rows on a
worker (see `faxgui.ui.status.loading`), so the tree model on the GUI
thread only swaps them in. A fax row is a NamedTuple (50,000 of them are
made per load) carrying the history's fields, where its request is on its
way to the service, and the lower-case text the free-text filter searches,
so a filter keystroke over 50,000 faxes is one comprehension.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.models import FaxResultsTotals, FaxStatusTotals

# A request's local states in which its faxes will never reach the service.
NEVER_SENT = frozenset({"failed", "cancelled"})
NOT_YET_SENT = frozenset({"outbox", "submitting"})


class MessageRow(NamedTuple):
    """One fax to one number, with its latest state (the history's HistoryMessage, and more).

    `local_state` is where its request is on the way to the service
    ("outbox", "submitting", "submitted", "failed", "cancelled"); until the
    service has it, `status` is None. `local_error` says why the request
    did not reach the service. `attempts` counts the FaxResults known,
    `calls` those that made a call.
    """

    id: int
    send_id: int
    broadcast_id: int
    position: int
    message_ref: str
    send_ref: str
    broadcast_ref: str
    send_to: str
    recipient_name: str = ""
    status: FaxStatus | None = None
    result: FaxResult | None = None
    error: FaxError | None = None
    attempts: int = 0
    calls: int = 0
    pages: int | None = None
    sent_pages: int | None = None
    cost: Decimal | None = None
    duration: int | None = None
    scheduled: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    changed: datetime | None = None
    local_state: str = "submitted"
    local_error: str = ""
    submitted: datetime | None = None
    search_text: str = ""

    @property
    def key(self) -> int:
        return self.id

    @property
    def finished(self) -> bool:
        """True when nothing more will happen to it (done, or it never reached the service)."""
        return self.local_state in NEVER_SENT or self.status is FaxStatus.DONE

    @property
    def outcome(self) -> FaxResult | None:
        """How it ended; None while it is not finished (a failed attempt may be retried)."""
        if self.local_state in NEVER_SENT:
            return FaxResult.FAILED
        return self.result if self.status is FaxStatus.DONE else None

    @property
    def stopped(self) -> bool:
        """Stopped before it was sent (by the user, or its deadline passed)."""
        if self.local_state == "cancelled":
            return True
        return self.status is FaxStatus.DONE and self.error is FaxError.FAX_CANCELLED

    @property
    def when(self) -> datetime | None:
        """The moment the date filter and the time sort use: when it was handed over."""
        return self.submitted or self.changed


def search_text(*parts: str) -> str:
    return " ".join(parts).lower()


def message_row(message: tuple[Any, ...], send: SendRow) -> MessageRow:
    """A fax row from a history message (a HistoryMessage: the same fields, in order)."""
    return MessageRow._make(
        (
            *message,
            send.state,
            send.last_error if send.state != "submitted" else "",
            send.submitted,
            # message_ref, send_ref, broadcast_ref, send_to, recipient_name
            " ".join(message[4:9]).lower(),
        )
    )


# The fields a history message brings, in its order (checked by the tests).
HISTORY_FIELDS = MessageRow._fields[: MessageRow._fields.index("changed") + 1]


@dataclass(slots=True)
class SendRow:
    """One SendFax request: a part of a broadcast (up to 600 faxes)."""

    id: int
    send_ref: str
    broadcast_id: int
    broadcast_ref: str
    key: str = ""
    position: int = 1
    state: str = "submitted"
    created: datetime | None = None
    submitted: datetime | None = None
    last_error: str = ""
    tracked: bool = False
    # What the request carried, as the history stores it: read when shown (`documents`).
    summary_json: str = "{}"

    @property
    def documents(self) -> tuple[str, ...]:
        """The names of the send's documents, in the order they are sent."""
        stored = json.loads(self.summary_json or "{}").get("documents", ())
        return tuple(d.get("name", "") for d in stored)


@dataclass(slots=True)
class BroadcastRow:
    """One fax as the receptionist sent it: one or more sends under one BroadcastRef.

    `tracked` is True for a reference followed from elsewhere (not sent
    from here); `has_draft` when the composer's state was kept with it, so
    it can be opened as a new draft.
    """

    id: int
    broadcast_ref: str
    created: datetime | None = None
    account: str = ""
    endpoint: str = ""
    composed_by: str = ""
    tracked: bool = False
    has_draft: bool = False


@dataclass(slots=True)
class Totals:
    """The API's FaxStatusTotals and FaxResultsTotals over some faxes, plus counts and cost.

    The same shape as the history layer's totals, which the panel shows when
    it has them; `add_message` works them out from rows where it does not.
    """

    status: FaxStatusTotals = field(default_factory=FaxStatusTotals)
    results: FaxResultsTotals = field(default_factory=FaxResultsTotals)
    faxes: int = 0
    finished: int = 0
    not_submitted: int = 0
    paused: int = 0
    cost: Decimal = Decimal(0)

    def add_message(self, row: MessageRow) -> None:
        self.faxes += 1
        if row.status is FaxStatus.DONE:
            self.finished += 1
        status = row.status
        if status is None:
            self.not_submitted += 1
        else:
            bucket = _STATUS_BUCKET.get(status, status.value)
            setattr(self.status, bucket, getattr(self.status, bucket) + 1)
            if status in (FaxStatus.PAUSED, FaxStatus.PAUSING):
                self.paused += 1
        outcome = row.outcome if row.status is not None else None
        if outcome is FaxResult.SUCCESS:
            self.results.success += 1
        elif outcome is FaxResult.FAILED:
            self.results.failed += 1
        elif outcome is FaxResult.BLOCKED:
            self.results.blocked += 1
        self.results.total_attempts += row.calls
        self.results.total_pages += row.sent_pages or 0
        self.results.total_fax_duration += row.duration or 0
        self.cost += row.cost or Decimal(0)

    def add(self, other: Any) -> None:
        """Add another Totals (this class or the history layer's)."""
        self.faxes += other.faxes
        self.finished += other.finished
        self.not_submitted += other.not_submitted
        self.paused += other.paused
        self.cost += other.cost
        for name in _STATUS_FIELDS:
            setattr(self.status, name, getattr(self.status, name) + getattr(other.status, name))
        for name in _RESULT_FIELDS:
            setattr(self.results, name, getattr(self.results, name) + getattr(other.results, name))

    def add_times(self, other: Any, times: int) -> None:
        """Add another Totals `times` over (the same totals shared by many broadcasts)."""
        self.faxes += other.faxes * times
        self.finished += other.finished * times
        self.not_submitted += other.not_submitted * times
        self.paused += other.paused * times
        self.cost += other.cost * times
        for name in _STATUS_FIELDS:
            value = getattr(self.status, name) + getattr(other.status, name) * times
            setattr(self.status, name, value)
        for name in _RESULT_FIELDS:
            value = getattr(self.results, name) + getattr(other.results, name) * times
            setattr(self.results, name, value)

    @classmethod
    def of(cls, rows: Any) -> Totals:
        totals = cls()
        for row in rows:
            totals.add_message(row)
        return totals


def all_finished(totals: Any) -> bool:
    return bool(totals.faxes) and totals.finished == totals.faxes


_STATUS_FIELDS = tuple(FaxStatusTotals.__dataclass_fields__)
_RESULT_FIELDS = tuple(FaxResultsTotals.__dataclass_fields__)

# The API counts the transitional states under their neighbours (as the service's totals do).
_STATUS_BUCKET = {
    FaxStatus.PAUSING: "queued",
    FaxStatus.PAUSED: "queued",
    FaxStatus.RESUMING: "starting",
    FaxStatus.STOPPING: "finalizing",
}
