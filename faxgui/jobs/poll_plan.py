"""What to ask the fax service next: unfinished sends, by the widest reference, backed off.

Pure functions plus a small `PollPlanner` that remembers when each send was
last asked about and how many polls in a row failed. Time is always passed
in, so the planner runs the same on a test's fake clock as on the wall clock.

How often a send is asked about (`due_at`):
- right after it changed, every `interval` (5 s);
- the longer it stays quiet, the less often: a quarter of the quiet time,
  up to `max_interval` (5 min), so a fax waiting an hour for a retry costs
  about 30 polls, not 720;
- when every unfinished fax of it waits for a start time ahead, shortly
  (`start_lead`) before that time, and at least every
  `max_scheduled_interval` (30 min) meanwhile, so a pause or stop made from
  elsewhere still shows;
- after failed polls, `interval * 2**failures`, up to `failure_max`.

Which reference to ask by (`plan_targets`): the BroadcastRef when two or more
sends of one broadcast are unfinished (one answer covers them all), else the
SendRef; MessageRefs when a big send has only a few faxes left (a 600-fax
answer to learn about 2 is wasteful), or when the service gave no SendRef.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from faxgui.api.enums import Verbosity
from faxgui.api.models import FaxStatusRequest


class RefKind(StrEnum):
    """Which of the API's three references a selection uses."""

    BROADCAST = "broadcast"
    SEND = "send"
    MESSAGE = "message"


@dataclass(frozen=True, slots=True)
class UnfinishedSend:
    """One send with faxes that are not done yet, as the history knows it.

    `broadcast_ref` and `send_ref` are the service's references ("" when it
    gave none); `send_key` is the job store's key. `last_change` is the
    latest change of any of its faxes (or when it was submitted or first
    tracked); `starts_at` is set when every unfinished fax waits for a start
    time, to the earliest of them.
    """

    account: str
    endpoint: str
    broadcast_ref: str
    send_ref: str
    send_key: str
    message_refs: tuple[str, ...]
    total_messages: int
    last_change: datetime
    starts_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PollTarget:
    """One FaxStatus call: a reference and the sends its answer covers."""

    account: str
    endpoint: str
    kind: RefKind
    ref: str
    send_keys: tuple[str, ...]

    def request(self, verbosity: Verbosity = Verbosity.RESULTS) -> FaxStatusRequest:
        """The FaxStatus request for this target (every attempt's result by default)."""
        request = FaxStatusRequest(verbosity=verbosity)
        setattr(request, f"{self.kind.value}_ref", self.ref)
        return request


@dataclass(frozen=True, slots=True)
class PollSettings:
    """How eagerly to poll; see the module docstring."""

    interval: timedelta = timedelta(seconds=5)
    quiet_factor: float = 0.25
    max_interval: timedelta = timedelta(minutes=5)
    start_lead: timedelta = timedelta(seconds=15)
    max_scheduled_interval: timedelta = timedelta(minutes=30)
    failure_max: timedelta = timedelta(minutes=5)
    few_messages: int = 3
    big_send: int = 100


DEFAULT_SETTINGS = PollSettings()


def due_at(
    work: UnfinishedSend,
    last_polled: datetime | None,
    settings: PollSettings = DEFAULT_SETTINGS,
    failures: int = 0,
) -> datetime:
    """When `work` should next be asked about; never polled means at once."""
    if last_polled is None:
        return work.last_change
    if failures:
        backoff: timedelta = min(settings.interval * (2 ** min(failures, 16)), settings.failure_max)
        return last_polled + max(backoff, settings.interval)
    quiet: timedelta = max(last_polled - work.last_change, timedelta(0))
    gap: timedelta = min(
        max(quiet * settings.quiet_factor, settings.interval), settings.max_interval
    )
    due = last_polled + gap
    if work.starts_at is not None:
        before_start = work.starts_at - settings.start_lead
        capped = last_polled + settings.max_scheduled_interval
        due = max(due, min(before_start, capped))
    return due


def plan_targets(
    work: Iterable[UnfinishedSend], settings: PollSettings = DEFAULT_SETTINGS
) -> list[PollTarget]:
    """The fewest calls that cover `work`, by the widest reference (see the module docstring)."""
    groups: dict[tuple[str, str, str], list[UnfinishedSend]] = {}
    loose: list[UnfinishedSend] = []
    for item in work:
        if item.broadcast_ref:
            groups.setdefault((item.account, item.endpoint, item.broadcast_ref), []).append(item)
        else:
            loose.append(item)
    targets: list[PollTarget] = []
    for (account, endpoint, broadcast_ref), sends in groups.items():
        if len(sends) >= 2:
            keys = tuple(s.send_key for s in sends)
            targets.append(PollTarget(account, endpoint, RefKind.BROADCAST, broadcast_ref, keys))
        else:
            targets += _send_targets(sends[0], settings)
    for item in loose:
        targets += _send_targets(item, settings)
    return targets


def _send_targets(item: UnfinishedSend, settings: PollSettings) -> list[PollTarget]:
    few = len(item.message_refs) <= settings.few_messages
    if item.send_ref and not (few and item.total_messages >= settings.big_send):
        return [
            PollTarget(item.account, item.endpoint, RefKind.SEND, item.send_ref, (item.send_key,))
        ]
    return [
        PollTarget(item.account, item.endpoint, RefKind.MESSAGE, ref, (item.send_key,))
        for ref in item.message_refs
    ]


@dataclass(slots=True)
class PollPlanner:
    """Remembers when each send was last polled and how many polls in a row failed.

    The poller asks `due(work, now)` on each tick, runs the targets one
    after another, reports each with `record_success` or `record_failure`,
    and sleeps until `next_due(work, now)` (None: nothing left to poll).
    """

    settings: PollSettings = DEFAULT_SETTINGS
    _last_polled: dict[str, datetime] = field(default_factory=dict)
    _failures: int = 0

    def failures(self) -> int:
        """How many polls in a row failed (0 after any success)."""
        return self._failures

    def _due_at(self, item: UnfinishedSend) -> datetime:
        return due_at(item, self._last_polled.get(item.send_key), self.settings, self._failures)

    def due(self, work: Sequence[UnfinishedSend], now: datetime) -> list[PollTarget]:
        """What to poll now: the targets covering the sends that are due.

        A broadcast with several unfinished sends is asked about as a whole
        as soon as one of them is due (the answer covers the rest for free).
        """
        self._forget_finished(work)
        due_keys = {item.send_key for item in work if self._due_at(item) <= now}
        if not due_keys:
            return []
        return [
            target
            for target in plan_targets(work, self.settings)
            if due_keys.intersection(target.send_keys)
        ]

    def all_targets(self, work: Sequence[UnfinishedSend]) -> list[PollTarget]:
        """Every target, due or not: what a manual refresh asks."""
        return plan_targets(work, self.settings)

    def next_due(self, work: Sequence[UnfinishedSend], now: datetime) -> datetime | None:
        """When the next poll falls due (`now` if one already is); None when all is finished."""
        if not work:
            return None
        return max(min(self._due_at(item) for item in work), now)

    def record_success(self, target: PollTarget, now: datetime) -> None:
        """The target was asked about at `now` and answered."""
        for key in target.send_keys:
            self._last_polled[key] = now
        self._failures = 0

    def record_failure(self, target: PollTarget, now: datetime) -> None:
        """The service could not be asked: back off every send until a poll works again."""
        for key in target.send_keys:
            self._last_polled[key] = now
        self._failures += 1

    def _forget_finished(self, work: Sequence[UnfinishedSend]) -> None:
        if len(self._last_polled) > 2 * len(work) + 64:
            keep = {item.send_key for item in work}
            self._last_polled = {k: v for k, v in self._last_polled.items() if k in keep}
