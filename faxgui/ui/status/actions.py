"""Pause, resume and stop, resend and track: the calls the panel's buttons make, on a worker.

Each function blocks (call it through `run_task`) and returns rows for the
panel; the service's answer is merged into the history first, so what the
panel shows is what the history holds. The sentences that explain a refused
action are worked out here from the answer, fax by fax.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from faxgui.api.enums import FaxStatus, Verbosity
from faxgui.ui.status.loading import Changes, load_broadcasts, load_changes
from faxgui.ui.status.rows import MessageRow

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.api.models import FaxMessageStatus
    from faxgui.compose.draft import Draft
    from faxgui.compose.pipeline import SendPipeline, SendReport
    from faxgui.jobs.history import JobHistory
    from faxgui.jobs.store import JobStore


class Action(enum.Enum):
    """What a control button asks of the service, with its words."""

    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"

    @property
    def verb(self) -> str:
        return self.value.capitalize()

    @property
    def accepted(self) -> frozenset[FaxStatus]:
        """The states a fax may be in once the service has taken the action."""
        return _ACCEPTED[self]

    @property
    def possible(self) -> frozenset[FaxStatus]:
        """The states in which the service takes the action (as the service documents)."""
        return _POSSIBLE[self]


_BEFORE_THE_LINE = frozenset(
    {
        FaxStatus.PENDING,
        FaxStatus.PROCESSING,
        FaxStatus.QUEUED,
        FaxStatus.STARTING,
        FaxStatus.RESUMING,
    }
)
_POSSIBLE = {
    Action.PAUSE: _BEFORE_THE_LINE,
    Action.RESUME: frozenset({FaxStatus.PAUSING, FaxStatus.PAUSED}),
    Action.STOP: _BEFORE_THE_LINE | {FaxStatus.PAUSING, FaxStatus.PAUSED},
}
_ACCEPTED = {
    Action.PAUSE: frozenset({FaxStatus.PAUSING, FaxStatus.PAUSED}),
    Action.RESUME: frozenset({FaxStatus.RESUMING}) | _BEFORE_THE_LINE,
    Action.STOP: frozenset({FaxStatus.STOPPING}),
}


class RefKind(enum.Enum):
    """Which reference a selection is acted on by (the FaxStatusRequest field it fills)."""

    BROADCAST = "broadcast_ref"
    SEND = "send_ref"
    MESSAGE = "message_ref"


@dataclass(frozen=True, slots=True)
class Target:
    """What an action or a poll is about: one reference, and the faxes it covers now."""

    kind: RefKind
    ref: str
    messages: tuple[MessageRow, ...]
    label: str

    def actionable(self, action: Action) -> list[MessageRow]:
        return [m for m in self.messages if m.status in action.possible]


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    """The rows the action changed, and sentences about the faxes it could not act on."""

    changes: Changes
    refused: tuple[str, ...] = ()
    done: int = 0


def refusal_reasons(action: Action, messages: Sequence[FaxMessageStatus]) -> list[str]:
    """Why the service left some faxes as they were, one sentence per reason."""
    counts: dict[str, int] = {}
    for message in messages:
        status = message.status
        if status is None or status in action.accepted:
            continue
        reason = _reason(action, status)
        counts[reason] = counts.get(reason, 0) + 1
    return [reason.format(n=_faxes(count)) for reason, count in counts.items()]


def _faxes(count: int) -> str:
    return "1 fax" if count == 1 else f"{count:,} faxes"


def _reason(action: Action, status: FaxStatus) -> str:
    if status in (FaxStatus.SENDING, FaxStatus.FINALIZING) and action is not Action.RESUME:
        return (
            "{n} already being transmitted cannot be "
            f"{'paused' if action is Action.PAUSE else 'stopped'}: the call is under way."
        )
    if status is FaxStatus.DONE:
        return "{n} had already finished, so there was nothing to " + f"{action.value}."
    if status is FaxStatus.STOPPING:
        return "{n} were being stopped already."
    if action is Action.RESUME:
        return "{n} were not paused, so there was nothing to resume."
    if action is Action.PAUSE and status in (FaxStatus.PAUSING, FaxStatus.PAUSED):
        return "{n} were paused already."
    return "{n} could not be " + f"{_PAST[action]} ({status.description.lower()})."


_PAST = {Action.PAUSE: "paused", Action.RESUME: "resumed", Action.STOP: "stopped"}


def run_action(
    history: JobHistory,
    client_factory: Callable[[], MonopondClient],
    action: Action,
    kind: RefKind,
    ref: str,
) -> ActionOutcome:
    """Pause, resume or stop the faxes of one reference; merge the answer; blocks."""
    from faxgui.api.models import PauseFaxRequest, ResumeFaxRequest, StopFaxRequest

    request_type = {
        Action.PAUSE: PauseFaxRequest,
        Action.RESUME: ResumeFaxRequest,
        Action.STOP: StopFaxRequest,
    }[action]
    request = request_type(**{kind.value: ref})
    with client_factory() as client:
        asked_at = datetime.now(UTC)
        call = {
            Action.PAUSE: client.pause_fax,
            Action.RESUME: client.resume_fax,
            Action.STOP: client.stop_fax,
        }[action]
        answer = call(request)  # type: ignore[operator]
        merged = history.merge(
            answer,
            account=client.username,
            endpoint=client.endpoint,
            selection=request,
            observed_at=asked_at,
        )
    refused = refusal_reasons(action, answer.messages)
    done = sum(1 for m in answer.messages if m.status in action.accepted)
    return ActionOutcome(load_changes(history, merged.changed_messages), tuple(refused), done)


def track_reference(
    history: JobHistory,
    client_factory: Callable[[], MonopondClient],
    kind: RefKind,
    ref: str,
) -> Changes:
    """Follow a reference sent from elsewhere: ask the service, record it, return its rows."""
    from faxgui.api.models import FaxStatusRequest
    from faxgui.jobs.poll_plan import RefKind as PlanKind

    plan_kind = {
        RefKind.BROADCAST: PlanKind.BROADCAST,
        RefKind.SEND: PlanKind.SEND,
        RefKind.MESSAGE: PlanKind.MESSAGE,
    }[kind]
    request = FaxStatusRequest(verbosity=Verbosity.RESULTS, **{kind.value: ref})
    with client_factory() as client:
        asked_at = datetime.now(UTC)
        answer = client.fax_status(request)
        merged = history.track(
            plan_kind,
            ref,
            answer,
            account=client.username,
            endpoint=client.endpoint,
            observed_at=asked_at,
        )
    return load_broadcasts(history, merged.changed_broadcasts)


@dataclass(frozen=True, slots=True)
class ResendOutcome:
    """What a resend did: its report, and the rows of the broadcast it went into."""

    report: SendReport
    changes: Changes = field(default_factory=Changes)


def resend_failed(
    store: JobStore,
    history: JobHistory,
    pipeline: SendPipeline,
    *,
    send_id: int | None = None,
    broadcast_id: int | None = None,
) -> ResendOutcome:
    """Send the failed faxes again as a new send of the same broadcast; blocks.

    Goes through the send pipeline shared with the composer and the outbox,
    which records the new send before it goes out: it is never sent twice.
    """
    from faxgui.compose.resend import plan_resend, submit_resend

    plan = plan_resend(store, history, send_id=send_id, broadcast_id=broadcast_id)
    report = submit_resend(pipeline, plan)
    return ResendOutcome(report, load_broadcasts(history, [plan.broadcast_id]))


def draft_for(
    store: JobStore, *, send_key: str | None = None, broadcast_id: int | None = None
) -> Draft:
    """The job as a new draft, with fresh references (for "Open as a new fax")."""
    from faxgui.compose.resend import draft_from_broadcast, draft_from_send

    if send_key is not None:
        return draft_from_send(store, send_key)
    assert broadcast_id is not None
    return draft_from_broadcast(store, broadcast_id)
