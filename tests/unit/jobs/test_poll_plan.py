"""The poll plan on a fake clock: widest references, backoff when quiet or scheduled, and stop."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from faxgui.api.enums import Verbosity
from faxgui.jobs.poll_plan import (
    PollPlanner,
    PollSettings,
    PollTarget,
    RefKind,
    UnfinishedSend,
    due_at,
    plan_targets,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """Time that moves only when the test says so."""

    now: datetime = T0

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def _send(
    broadcast: str = "B",
    n: int = 1,
    *,
    unfinished: int = 3,
    total: int = 3,
    changed: datetime = T0,
    starts_at: datetime | None = None,
    account: str = "demo",
) -> UnfinishedSend:
    ref = f"{broadcast}-S{n}"
    return UnfinishedSend(
        account=account,
        endpoint="e",
        broadcast_ref=broadcast,
        send_ref=ref,
        send_key=ref,
        message_refs=tuple(f"{ref}-M{i}" for i in range(1, unfinished + 1)),
        total_messages=total,
        last_change=changed,
        starts_at=starts_at,
    )


def _refs(targets: list[PollTarget]) -> list[tuple[RefKind, str]]:
    return [(t.kind, t.ref) for t in targets]


def test_several_unfinished_sends_of_a_broadcast_are_asked_about_in_one_call() -> None:
    targets = plan_targets([_send("B", 1), _send("B", 2), _send("C", 1)])
    assert _refs(targets) == [(RefKind.BROADCAST, "B"), (RefKind.SEND, "C-S1")]
    assert targets[0].send_keys == ("B-S1", "B-S2")
    request = targets[0].request()
    assert (request.broadcast_ref, request.send_ref, request.verbosity) == (
        "B",
        None,
        Verbosity.RESULTS,
    )


def test_a_big_send_with_a_few_faxes_left_is_asked_about_fax_by_fax() -> None:
    nearly = _send("B", 1, unfinished=2, total=600)
    assert _refs(plan_targets([nearly])) == [
        (RefKind.MESSAGE, "B-S1-M1"),
        (RefKind.MESSAGE, "B-S1-M2"),
    ]
    assert plan_targets([nearly])[0].request().message_ref == "B-S1-M1"


def test_a_tracked_fax_without_a_send_ref_is_asked_about_by_its_message_ref() -> None:
    loose = replace(_send("", 1, unfinished=1, total=1), send_ref="", broadcast_ref="")
    assert _refs(plan_targets([loose])) == [(RefKind.MESSAGE, "-S1-M1")]


def test_a_fresh_send_is_polled_at_once_then_every_interval_while_it_changes() -> None:
    clock = FakeClock()
    planner = PollPlanner()
    work = [_send(changed=clock.now)]
    (target,) = planner.due(work, clock.now)
    planner.record_success(target, clock.now)
    assert planner.due(work, clock.advance(4)) == []
    assert planner.next_due(work, clock.now) == T0 + timedelta(seconds=5)
    clock.advance(1)
    assert planner.due(work, clock.now) == [target]


def test_a_quiet_send_is_polled_less_and_less_often_up_to_the_cap() -> None:
    settings = PollSettings()
    changed = T0
    gaps = []
    polled = T0
    while polled < T0 + timedelta(hours=1):
        due = due_at(_send(changed=changed), polled, settings)
        gaps.append((due - polled).total_seconds())
        polled = due
    assert gaps[0] == 5
    assert gaps == sorted(gaps)
    assert gaps[-1] == settings.max_interval.total_seconds()
    # A fax that stays quiet for an hour costs about 30 polls, not 720.
    assert len(gaps) < 40
    # A change brings it straight back to the short interval.
    assert due_at(_send(changed=polled), polled, settings) == polled + settings.interval


def test_a_send_scheduled_for_tomorrow_is_checked_rarely_and_just_before_it_starts() -> None:
    clock = FakeClock()
    starts = T0 + timedelta(days=1)
    work = [_send(changed=T0, starts_at=starts)]
    planner = PollPlanner()
    polls = []
    while clock.now < starts:
        for target in planner.due(work, clock.now):
            planner.record_success(target, clock.now)
            polls.append(clock.now)
        next_due = planner.next_due(work, clock.now)
        assert next_due is not None
        clock.now = next_due
    # Half-hourly while it waits a day, not every five seconds (17,280 polls).
    assert 45 <= len(polls) <= 52
    assert max(b - a for a, b in itertools.pairwise(polls)) <= timedelta(minutes=30)
    assert any(starts - timedelta(seconds=30) <= p < starts for p in polls)


def test_failed_polls_back_off_exponentially_and_a_success_resets_it() -> None:
    clock = FakeClock()
    planner = PollPlanner()
    work = [_send(changed=T0)]
    gaps = []
    for _ in range(8):
        (target,) = planner.due(work, clock.now)
        planner.record_failure(target, clock.now)
        next_due = planner.next_due(work, clock.now)
        assert next_due is not None
        gaps.append((next_due - clock.now).total_seconds())
        clock.now = next_due
    assert gaps[:4] == [10, 20, 40, 80]
    assert gaps[-1] == PollSettings().failure_max.total_seconds()
    assert planner.failures() == 8
    (target,) = planner.due(work, clock.now)
    planner.record_success(target, clock.now)
    assert planner.failures() == 0


def test_nothing_unfinished_means_nothing_to_poll() -> None:
    planner = PollPlanner()
    assert planner.due([], T0) == []
    assert planner.next_due([], T0) is None


def test_a_broadcast_is_polled_whole_when_one_of_its_sends_falls_due() -> None:
    clock = FakeClock()
    planner = PollPlanner()
    # S1 changed just now, S2 has been quiet for an hour.
    work = [_send("B", 1, changed=T0), _send("B", 2, changed=T0 - timedelta(hours=1))]
    (first,) = planner.due(work, clock.now)
    planner.record_success(first, clock.now)
    (again,) = planner.due(work, clock.advance(5))
    assert (again.kind, again.send_keys) == (RefKind.BROADCAST, ("B-S1", "B-S2"))


def test_manual_refresh_asks_about_everything_by_the_widest_references() -> None:
    planner = PollPlanner()
    work = [_send("B", 1), _send("B", 2), _send("C", 1, account="receptionist")]
    for target in planner.due(work, T0):
        planner.record_success(target, T0)
    assert planner.due(work, T0) == []
    assert _refs(planner.all_targets(work)) == [(RefKind.BROADCAST, "B"), (RefKind.SEND, "C-S1")]
    assert [t.account for t in planner.all_targets(work)] == ["demo", "receptionist"]
