"""Merging the fax service's status answers into the job store: idempotent, and never backwards.

Used by `JobStore.mark_submitted` (the SendFax answer) and by
`faxgui.jobs.history.JobHistory.merge` (FaxStatus, PauseFax, ResumeFax and
StopFax answers). Everything here runs inside the caller's transaction.

Which answer is newer, per fax (the rules `status_wins` applies):
1. DONE is final: a status that is not done never replaces done.
2. Attempts only grow: an answer carrying FaxResults with fewer attempts than
   are known is older (its status is ignored); with more, it is newer.
3. Otherwise the later observation wins. An answer is observed when its
   request was sent. A fax's stored observation is the latest answer that
   spoke for it: one that changed it (kept on its row), or one asked for its
   whole send or broadcast (kept once per reference in `observations`, so a
   quiet poll of 10,000 faxes writes one small row, not 10,000).
4. Observed at the same moment: the later status in the life of a fax wins.

Attempts merge by attempt number and are never removed; a fuller copy of an
attempt (more of its fields known) replaces a partial one. An answer without
FaxResults (verbosity send or details, or a Pause/Resume/Stop answer) changes
the status only. A fax whose stored state equals what the merge would write
is not written and not reported, so the same answer merged twice changes
nothing the second time. To keep a quiet poll cheap, a fax whose status is
unchanged and whose attempts sum up as the stored ones (count, calls,
latest result and error, pages, cost, seconds) is passed over without its
attempt times being read: the service never changes a finished attempt.

Storage, kept lean because a poll may write 10,000 faxes: a fax tried once
(attempt 1 only, most of them) keeps that attempt in its own row, whose
latest-attempt columns and sums over one attempt are exactly it; the
attempts table holds the attempts of faxes tried more than once (both rows
written when the second one arrives). Faxes of a tracked reference that are
new to the store are written complete by one INSERT each.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from faxgui.api.models import FaxAttempt, FaxDetails, FaxMessageStatus
from faxgui.jobs.poll_plan import RefKind

# The order of a fax's life, for answers observed at the same moment (rule 4).
LIFECYCLE_RANK: dict[str, int] = {
    name: rank
    for rank, name in enumerate(
        (
            "pending",
            "processing",
            "queued",
            "pausing",
            "paused",
            "resuming",
            "starting",
            "sending",
            "stopping",
            "finalizing",
            "done",
        )
    )
}

# SQLite's default limit on bound parameters is 999 in old builds; stay well under it.
_CHUNK = 500

# One attempt as stored: (attempt, result, error, error_code, cost, pages, duration,
# scheduled, started, ended), times as UTC ISO text, cost as decimal text.
AttemptRow = tuple[
    int,
    str | None,
    str | None,
    str | None,
    str | None,
    int | None,
    int | None,
    str | None,
    str | None,
    str | None,
]

# A fax's summary of its attempts, in the column order of `_STORED` below: (attempts,
# calls, result, error, error_code, pages, sent_pages, cost, duration, scheduled, started, ended)
Aggregate = tuple[Any, ...]

_NO_ATTEMPTS: Aggregate = (0, 0, None, None, None, None, None, None, None, None, None, None)


def iso(moment: datetime | None) -> str | None:
    """A moment as the store writes it: UTC ISO 8601 with milliseconds (sorts as text)."""
    return None if moment is None else _text(moment)


def _text(moment: datetime) -> str:
    zone = moment.tzinfo
    if zone is None:
        moment = moment.replace(tzinfo=UTC)
    elif zone is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Which rows a merge changed, by id, so a view refreshes only those.

    `changed_messages` includes `added_messages` (rows created for a tracked
    reference). `matched_broadcasts` are the broadcasts of every fax of the
    answer found in the history, changed or not. `unknown` lists the
    MessageRefs of the answer that are not in the history and were not created.
    """

    changed_messages: frozenset[int] = frozenset()
    added_messages: frozenset[int] = frozenset()
    changed_sends: frozenset[int] = frozenset()
    changed_broadcasts: frozenset[int] = frozenset()
    unknown: tuple[str, ...] = ()
    matched_broadcasts: frozenset[int] = frozenset()
    # The changed faxes as they are stored now, in the column order the history reads them
    # in (`JobHistory.changed_rows` makes them HistoryMessages): no need to read them back.
    # A time is its text as stored, or the very datetime that text reads back as.
    rows: tuple[tuple[Any, ...], ...] = field(default=(), repr=False)

    def __bool__(self) -> bool:
        return bool(self.changed_messages)


def status_wins(
    stored_status: str | None,
    stored_attempts: int,
    stored_observed: str | None,
    status: str | None,
    attempts: int | None,
    observed: str,
) -> bool:
    """Whether an answer's status replaces the stored one (the module docstring's rules).

    `attempts` is None when the answer carried no FaxResults for the fax.
    """
    if status is None:
        return False
    if stored_status is None:
        return True
    if stored_status == "done" and status != "done":
        return False
    if attempts is not None and attempts != stored_attempts:
        return attempts > stored_attempts
    if stored_observed is None or observed > stored_observed:
        return True
    if observed < stored_observed:
        return False
    return LIFECYCLE_RANK.get(status, -1) >= LIFECYCLE_RANK.get(stored_status, -1)


def attempt_row(
    attempt: FaxAttempt,
    texts: dict[datetime, str | None] | None = None,
    moments: dict[str, datetime] | None = None,
) -> AttemptRow:
    """An attempt as stored. `texts` remembers scheduled start times already written
    out during one merge: the faxes of a send usually share theirs (each call's own
    times are its own, and are written out directly). `moments` collects, for each
    time written out, the moment it came from, when reading the text back would give
    that very moment (UTC, whole milliseconds)."""
    # Called for every attempt of a 10,000-fax answer: the UTC case (the API client's
    # datetimes) is written out inline rather than through `iso`.
    scheduled = attempt.scheduled_start_time
    if scheduled is None:
        scheduled_text = None
    else:
        scheduled_text = None if texts is None else texts.get(scheduled)
        if scheduled_text is None:
            scheduled_text = _text(scheduled)
            if texts is not None:
                texts[scheduled] = scheduled_text
            if moments is not None and _exact(scheduled):
                moments[scheduled_text] = scheduled
    started_at = attempt.date_call_started
    if started_at is None:
        started = None
    elif started_at.tzinfo is UTC:
        started = started_at.isoformat(timespec="milliseconds")
        if moments is not None and not started_at.microsecond % 1000:
            moments[started] = started_at
    else:
        started = _text(started_at)  # not UTC: reading it back gives another moment
    ended_at = attempt.date_call_ended
    if ended_at is None:
        ended = None
    elif ended_at.tzinfo is UTC:
        ended = ended_at.isoformat(timespec="milliseconds")
        if moments is not None and not ended_at.microsecond % 1000:
            moments[ended] = ended_at
    else:
        ended = _text(ended_at)
    cost = attempt.cost
    # The enums are StrEnums: each member is its wire text already (and binds as it).
    return (
        attempt.attempt,
        attempt.result,
        attempt.error,
        attempt.error_code,
        None if cost is None else str(cost),
        attempt.pages,
        attempt.total_fax_duration,
        scheduled_text,
        started,
        ended,
    )


def _exact(moment: datetime) -> bool:
    return moment.tzinfo is UTC and moment.microsecond % 1000 == 0


def _completeness(row: AttemptRow) -> int:
    return sum(1 for value in row[1:] if value is not None)


def aggregate(rows: Sequence[AttemptRow]) -> Aggregate:
    """A fax's latest-attempt columns and sums over `rows`, sorted by attempt number."""
    if not rows:
        return _NO_ATTEMPTS
    latest = rows[-1]
    calls = 0
    first_call = None
    cost: Decimal | None = None
    duration: int | None = None
    pages: int | None = None
    for row in rows:
        if row[8] is not None:
            calls += 1
            if first_call is None:
                first_call = row[8]
        if row[4] is not None:
            cost = Decimal(row[4]) if cost is None else cost + Decimal(row[4])
        if row[6] is not None:
            duration = row[6] if duration is None else duration + row[6]
        if row[5] is not None:
            pages = row[5] if pages is None else pages + row[5]
    return (
        len(rows),
        calls,
        latest[1],
        latest[2],
        latest[3],
        latest[5],
        pages,
        None if cost is None else str(cost),
        duration,
        latest[7],
        first_call,
        latest[9],
    )


def quick_summary(attempts: Sequence[FaxAttempt]) -> Aggregate:
    """The first nine Aggregate fields (no times) straight from an answer's attempts.

    Equal to the stored ones means the attempts are the ones already known:
    an attempt's times never change once its result is in, and a result
    coming in changes its result fields.
    """
    latest = attempts[0]
    if len(attempts) == 1:
        # Most faxes: one attempt, its own sums.
        cost_one = latest.cost
        return (
            1,
            0 if latest.date_call_started is None else 1,
            latest.result,
            latest.error,
            latest.error_code,
            latest.pages,
            latest.pages,
            None if cost_one is None else str(cost_one),
            latest.total_fax_duration,
        )
    numbers = set()
    calls = 0
    cost: Decimal | None = None
    duration: int | None = None
    pages: int | None = None
    for attempt in attempts:
        numbers.add(attempt.attempt)
        if attempt.attempt > latest.attempt:
            latest = attempt
        if attempt.date_call_started is not None:
            calls += 1
        if attempt.cost is not None:
            cost = attempt.cost if cost is None else cost + attempt.cost
        if attempt.total_fax_duration is not None:
            duration = (
                attempt.total_fax_duration
                if duration is None
                else duration + attempt.total_fax_duration
            )
        if attempt.pages is not None:
            pages = attempt.pages if pages is None else pages + attempt.pages
    return (
        len(numbers),
        calls,
        latest.result,
        latest.error,
        latest.error_code,
        latest.pages,
        pages,
        None if cost is None else str(cost),
        duration,
    )


def details_json(details: FaxDetails | None) -> str | None:
    if details is None:
        return None
    out = {
        "send_from": details.send_from,
        "resolution": None if details.resolution is None else details.resolution.value,
        "retries": details.retries,
        "busy_retries": details.busy_retries,
        "header_format": details.header_format,
    }
    return json.dumps({k: v for k, v in out.items() if v is not None}, sort_keys=True)


# --------------------------------------------------------------------------- the merge

# Stored columns read for each fax of an answer; [8:20] is its Aggregate.
_STORED = """
    m.id, m.message_ref, m.send_ref, s.rowid, s.broadcast_id,
    COALESCE(s.service_send_ref, s.send_ref), b.broadcast_ref, m.status,
    m.attempts, m.calls, m.result, m.error, m.error_code, m.pages, m.sent_pages, m.cost,
    m.duration, m.scheduled, m.started, m.ended, m.details_json, m.send_to, m.observed,
    m.position, m.recipient_name
"""
_AGG = slice(8, 20)
_QUICK = slice(8, 17)
_DETAILS = 20
_SEND_TO = 21
_OBSERVED = 22
_POSITION = 23
_NAME = 24
_SEND = RefKind.SEND.value
_BROADCAST = RefKind.BROADCAST.value
_MESSAGE = RefKind.MESSAGE.value
_STORED_FROM = (
    "messages m JOIN sends s ON s.send_ref = m.send_ref JOIN broadcasts b ON b.id = s.broadcast_id"
)

_UPDATE = """
    UPDATE messages SET status = ?, attempts = ?, calls = ?, result = ?, error = ?,
        error_code = ?, pages = ?, sent_pages = ?, cost = ?, duration = ?, scheduled = ?,
        started = ?, ended = ?,
        details_json = ?, send_to = ?, observed = ?, changed = ?, updated = ?
    WHERE id = ?
"""


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass(slots=True)
class _Scope:
    account: str | None
    endpoint: str | None

    @property
    def known(self) -> bool:
        return self.account is not None and self.endpoint is not None


@dataclass(slots=True)
class _Lookup:
    """Stored rows by MessageRef (a ref may be stored twice, under two sends)."""

    first: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    more: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, row: tuple[Any, ...]) -> None:
        ref = row[1]
        found = self.first.get(ref)
        if found is None:
            self.first[ref] = row
        else:
            self.more.setdefault(ref, [found]).append(row)

    def add_all(self, rows: Sequence[tuple[Any, ...]]) -> None:
        # One dict comprehension for the usual case: every ref once, none known yet.
        fresh = {row[1]: row for row in rows}
        if len(fresh) == len(rows) and fresh.keys().isdisjoint(self.first):
            self.first.update(fresh)
            return
        for row in rows:
            self.add(row)

    def find(self, message: FaxMessageStatus) -> tuple[Any, ...] | None:
        ref = message.message_ref or ""
        candidates = self.more.get(ref)
        if candidates is None:
            return self.first.get(ref)
        if message.send_ref:
            for row in candidates:
                if row[5] == message.send_ref:
                    return row
        return candidates[0]


def _stored_rows(
    db: sqlite3.Connection,
    answer: Sequence[FaxMessageStatus],
    scope: _Scope,
    send_key: str | None,
    selection: tuple[RefKind, str] | None,
) -> _Lookup:
    """The stored rows of the answer's faxes (and perhaps a few more; matched by ref later)."""
    lookup = _Lookup()
    if send_key is not None:
        lookup.add_all(
            db.execute(
                f"SELECT {_STORED} FROM {_STORED_FROM} WHERE m.send_ref = ?", (send_key,)
            ).fetchall()
        )
        return lookup
    where_account = " AND b.account = ? AND b.endpoint = ?" if scope.known else ""
    extra = (scope.account, scope.endpoint) if scope.known else ()
    if selection is not None and selection[0] is not RefKind.MESSAGE and len(answer) > _CHUNK:
        # A whole send or broadcast: one indexed query for all of it, not one per 500 refs.
        where = (
            "b.broadcast_ref = ?"
            if selection[0] is RefKind.BROADCAST
            else "(s.send_ref = ? OR s.service_send_ref = ?)"
        )
        refs = (selection[1],) if selection[0] is RefKind.BROADCAST else (selection[1],) * 2
        lookup.add_all(
            db.execute(
                f"SELECT {_STORED} FROM {_STORED_FROM} WHERE {where}{where_account}",
                (*refs, *extra),
            ).fetchall()
        )
        # A ref stored twice is in `first` too: only refs not found at all are left.
        first = lookup.first
        rest = [m.message_ref or "" for m in answer if (m.message_ref or "") not in first]
    else:
        rest = list(dict.fromkeys(m.message_ref or "" for m in answer))
    if rest:
        # One JSON array parameter: any number of refs in one indexed query.
        lookup.add_all(
            db.execute(
                f"SELECT {_STORED} FROM {_STORED_FROM} "
                f"WHERE m.message_ref IN (SELECT value FROM json_each(?)){where_account}",
                (json.dumps(rest), *extra),
            ).fetchall()
        )
    return lookup


def _observations(
    db: sqlite3.Connection, scope: _Scope, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    if not scope.known:
        return {}
    found: dict[tuple[str, str], str] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, ref in set(keys):
        if ref:
            by_kind.setdefault(kind, []).append(ref)
    for kind, refs in by_kind.items():
        for chunk in _chunks(refs):
            marks = ",".join("?" * len(chunk))
            for ref, observed in db.execute(
                "SELECT ref, observed FROM observations WHERE account = ? AND endpoint = ? "
                f"AND kind = ? AND ref IN ({marks})",
                (scope.account, scope.endpoint, kind, *chunk),
            ):
                found[(kind, ref)] = observed
    return found


def _single_only(attempts: Sequence[AttemptRow]) -> bool:
    """Whether a fax's attempts are just its first: those live in its own row only."""
    return len(attempts) == 1 and attempts[0][0] == 1


def _single(row: tuple[Any, ...]) -> AttemptRow:
    """The one attempt of a fax tried once, from its stored row (in `_STORED` order).

    Most faxes go through on their first attempt; their attempt is not written
    to the attempts table twice over: the fax's own columns (latest attempt,
    sums over one attempt, the first call's start) are that attempt exactly.
    """
    return (1, row[10], row[11], row[12], row[15], row[13], row[16], row[17], row[18], row[19])


def _stored_attempts(
    db: sqlite3.Connection, message_ids: Sequence[int]
) -> dict[int, dict[int, AttemptRow]]:
    stored: dict[int, dict[int, AttemptRow]] = {}
    for row in db.execute(
        "SELECT message_id, attempt, result, error, error_code, cost, pages, duration, "
        "scheduled, started, ended FROM attempts "
        "WHERE message_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(message_ids)),),
    ):
        stored.setdefault(row[0], {})[row[1]] = row[1:]
    return stored


def merge_messages(
    db: sqlite3.Connection,
    messages: Sequence[FaxMessageStatus],
    *,
    observed: datetime,
    now: datetime,
    account: str | None = None,
    endpoint: str | None = None,
    selection: tuple[RefKind, str] | None = None,
    send_key: str | None = None,
    create_tracked: bool = True,
) -> MergeResult:
    """Merge the faxes of one answer into the store, inside the caller's transaction.

    `observed`: when the answer's request was sent. `account`/`endpoint`
    limit the faxes matched to that account's (None: any). `selection` is
    the narrowest reference the request selected by: the answer speaks for
    every fax under it. `send_key` limits the merge to one send of the
    store (the SendFax answer). Faxes of tracked references that are not
    in the store yet are created when `create_tracked`.
    """
    scope = _Scope(account, endpoint)
    observed_text = iso(observed) or ""
    now_text = iso(now) or ""
    answer = [m for m in messages if m.message_ref]
    lookup = _stored_rows(db, answer, scope, send_key, selection)

    pairs: list[tuple[FaxMessageStatus, tuple[Any, ...]]] = []
    missing: list[FaxMessageStatus] = []
    for message in answer:
        row = lookup.find(message)
        if row is None:
            missing.append(message)
        else:
            pairs.append((message, row))
    added: set[int] = set()
    texts: dict[datetime, str | None] = {}
    # Times as the answer gave them, by the text stored (see `rows` below).
    moments: dict[str, datetime] = {}
    created: _Created | None = None
    if missing and create_tracked and scope.known and send_key is None:
        created = _create_tracked(db, missing, scope, observed_text, now_text, texts, moments)
        added = created.ids
        if created.leftover:
            # Rare: a fax listed twice in the answer, or already stored under its send.
            # Those are merged into the stored rows the usual way.
            lookup.add_all(
                db.execute(
                    f"SELECT {_STORED} FROM {_STORED_FROM} "
                    "WHERE m.message_ref IN (SELECT value FROM json_each(?))"
                    " AND b.account = ? AND b.endpoint = ?",
                    (
                        json.dumps(sorted({m.message_ref or "" for m in created.leftover})),
                        scope.account,
                        scope.endpoint,
                    ),
                ).fetchall()
            )
        missing = created.untracked
        for message in created.leftover:
            row = lookup.find(message)
            if row is None:
                missing.append(message)
            else:
                pairs.append((message, row))
    unknown = [m.message_ref or "" for m in missing]

    seen = _observations(
        db,
        scope,
        {(_SEND, ref) for ref in {row[5] for _, row in pairs}}
        | {(_BROADCAST, ref) for ref in {row[6] for _, row in pairs}},
    )
    # The latest answer that spoke for a whole send or broadcast, per (send, broadcast).
    scope_seen: dict[tuple[str, str], str | None] = {}

    # Most faxes of a poll are as they were: same status, and attempts whose summary
    # (compared without reading any times) is the stored one. They are passed over
    # first; only the others are looked at attempt by attempt.
    by_message = selection is not None and selection[0] is RefKind.MESSAGE
    message_observed: list[tuple[str, int]] = []
    incoming: dict[int, list[AttemptRow]] = {}
    known_attempts: list[int] = []
    counts: dict[int, int | None] = {}
    moving: list[tuple[FaxMessageStatus, tuple[Any, ...]]] = []
    for message, row in pairs:
        status_text = message.status  # a StrEnum: equal to (and stored as) its wire text
        count = None
        same_attempts = True
        results = message.results
        if results and not row[8]:
            # None stored: every attempt is news (a new fax's first answer with results).
            same_attempts = False
            count = 1 if len(results) == 1 else len({a.attempt for a in results})
        elif results:
            quick = quick_summary(results)
            count = quick[0]
            same_attempts = quick == row[_QUICK]
        if (
            same_attempts
            and (status_text == row[7] or status_text is None)
            and (message.details is None or details_json(message.details) == row[_DETAILS])
            and (row[_SEND_TO] or not message.send_to)
        ):
            own_observed = row[_OBSERVED]
            if by_message and (own_observed is None or observed_text > own_observed):
                message_observed.append((observed_text, row[0]))
            continue
        if not same_attempts:
            if len(results) == 1:
                incoming[row[0]] = [attempt_row(results[0], texts, moments)]
            else:
                by_number = {a.attempt: attempt_row(a, texts, moments) for a in results}
                incoming[row[0]] = [by_number[n] for n in sorted(by_number)]
            if row[8]:
                # Only faxes with attempts stored need them read (most new ones have none).
                known_attempts.append(row[0])
        counts[row[0]] = count
        moving.append((message, row))
    stored_attempts = _stored_attempts(db, known_attempts) if known_attempts else {}

    updates: list[tuple[Any, ...]] = []
    attempt_writes: list[tuple[Any, ...]] = []
    changed: set[int] = set()
    changed_sends: set[int] = set()
    changed_broadcasts: set[int] = set()
    rows: dict[int, tuple[Any, ...]] = {}
    matched: set[int] = {row[4] for _, row in pairs}
    if created is not None and created.rows:
        # New tracked faxes: changed (added), as stored (see `_create_tracked`).
        rows.update((row[0], row) for row in created.rows)
        matched.update(created.broadcasts)
    for message, row in moving:
        message_id = row[0]
        own_observed = row[_OBSERVED]
        key = (row[5], row[6])
        if key in scope_seen:
            wide = scope_seen[key]
        else:
            found = [
                v
                for v in (
                    seen.get((_SEND, key[0])),
                    seen.get((_BROADCAST, key[1])),
                )
                if v is not None
            ]
            wide = scope_seen[key] = max(found) if found else None
        if own_observed is None or (wide is not None and wide > own_observed):
            stored_observed = wide
        else:
            stored_observed = own_observed
        stored_summary = row[_AGG]
        summary = stored_summary
        new_attempts = incoming.get(message_id)
        if new_attempts is not None:
            known = stored_attempts.get(message_id)
            if not known:
                if row[8] == 1:
                    # One attempt, kept in the fax's own row only (see `_single`).
                    known = {1: _single(row)}
                else:
                    # None stored yet (a new fax's first answer): every attempt is new.
                    if not _single_only(new_attempts):
                        attempt_writes += [(message_id, *attempt) for attempt in new_attempts]
                    summary = aggregate(new_attempts)
                    known = None
            if known is not None:
                in_table = message_id in stored_attempts
                merged = dict(known)
                newer = stored_observed is None or observed_text >= stored_observed
                writes = []
                for attempt in new_attempts:
                    old = merged.get(attempt[0])
                    if old == attempt:
                        continue
                    if (
                        old is None
                        or _completeness(attempt) > _completeness(old)
                        or (_completeness(attempt) == _completeness(old) and newer)
                    ):
                        merged[attempt[0]] = attempt
                        writes.append((message_id, *attempt))
                ordered = [merged[n] for n in sorted(merged)]
                if in_table:
                    attempt_writes += writes
                elif writes and not _single_only(ordered):
                    # A second attempt: from now on the fax's attempts are in the table.
                    attempt_writes += [(message_id, *attempt) for attempt in ordered]
                summary = aggregate(ordered)
        stored_status = row[7]
        status = stored_status
        count = counts[message_id]
        incoming_status = message.status
        if status_wins(
            stored_status, row[8], stored_observed, incoming_status, count, observed_text
        ):
            status = incoming_status
        details = row[_DETAILS]
        if message.details is not None and (
            stored_observed is None or observed_text >= stored_observed
        ):
            details = details_json(message.details)
        send_to = row[_SEND_TO] or message.send_to or ""
        if (
            status == stored_status
            and summary == stored_summary
            and details == row[_DETAILS]
            and send_to == row[_SEND_TO]
        ):
            if by_message and (own_observed is None or observed_text > own_observed):
                message_observed.append((observed_text, message_id))
            continue
        new_observed = (
            observed_text if own_observed is None or observed_text > own_observed else own_observed
        )
        updates.append(
            (status, *summary, details, send_to, new_observed, observed_text, now_text, message_id)
        )
        # As the history reads a fax back (`faxgui.jobs.history`, _MESSAGE_COLUMNS); times
        # the answer brought stay the datetimes they were (no parsing them back).
        rows[message_id] = (
            message_id, row[3], row[4], row[_POSITION], row[1], row[5], row[6], send_to,
            row[_NAME], status, summary[2], summary[3], summary[0], summary[1], summary[5],
            summary[6], summary[7], summary[8], moments.get(summary[9], summary[9]),
            moments.get(summary[10], summary[10]), moments.get(summary[11], summary[11]),
            observed_text,
        )  # fmt: skip

    # The faxes changed, their sends and broadcasts (in one pass each, not three adds a fax).
    changed.update(rows)
    changed_sends.update([row[1] for row in rows.values()])
    changed_broadcasts.update([row[2] for row in rows.values()])
    if updates:
        db.executemany(_UPDATE, updates)
    if attempt_writes:
        db.executemany(
            "INSERT OR REPLACE INTO attempts (message_id, attempt, result, error, error_code, "
            "cost, pages, duration, scheduled, started, ended) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempt_writes,
        )
    if message_observed:
        db.executemany("UPDATE messages SET observed = ? WHERE id = ?", message_observed)
    spoke = bool(pairs) or (created is not None and bool(created.rows))
    if selection is not None and selection[0] is not RefKind.MESSAGE and scope.known and spoke:
        db.execute(
            "INSERT INTO observations (account, endpoint, kind, ref, observed) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, endpoint, kind, ref) "
            "DO UPDATE SET observed = excluded.observed "
            "WHERE excluded.observed > observations.observed",
            (scope.account, scope.endpoint, selection[0].value, selection[1], observed_text),
        )
    return MergeResult(
        frozenset(changed),
        frozenset(added),
        frozenset(changed_sends),
        frozenset(changed_broadcasts),
        tuple(unknown),
        frozenset(matched),
        tuple(rows.values()),
    )


# --------------------------------------------------------------------------- tracked faxes


def tracked_key(account: str, endpoint: str, send_ref: str, message_ref: str) -> str:
    """The store's key for a tracked send: its SendRef, or its one fax when it has none."""
    what = f"send:{send_ref}" if send_ref else f"message:{message_ref}"
    return f"tracked:{account}@{endpoint}:{what}"


def _tracked_refs(db: sqlite3.Connection, scope: _Scope) -> set[tuple[str, str]]:
    return {
        (kind, ref)
        for kind, ref in db.execute(
            "SELECT kind, ref FROM tracked_refs WHERE account = ? AND endpoint = ?",
            (scope.account, scope.endpoint),
        )
    }


@dataclass(slots=True)
class _Created:
    """What `_create_tracked` made, and the faxes it left to the usual merge."""

    ids: set[int] = field(default_factory=set)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # as in MergeResult.rows
    broadcasts: set[int] = field(default_factory=set)
    untracked: list[FaxMessageStatus] = field(default_factory=list)  # not under a tracked ref
    leftover: list[FaxMessageStatus] = field(default_factory=list)  # stored by now: merge them


_INSERT_COMPLETE = """
    INSERT OR IGNORE INTO messages (id, send_ref, position, message_ref, send_to, status,
        attempts, calls, result, error, error_code, pages, sent_pages, cost, duration,
        scheduled, started, ended, details_json, observed, changed, updated)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _create_tracked(
    db: sqlite3.Connection,
    missing: Sequence[FaxMessageStatus],
    scope: _Scope,
    observed: str,
    now: str,
    texts: dict[datetime, str | None],
    moments: dict[str, datetime],
) -> _Created:
    """Rows for the faxes of tracked references that the store does not have yet.

    A few statements for the lot, whatever its size (a tracked broadcast of
    10,000 faxes is one answer): the sends and broadcasts they belong to are
    looked up (or made) once each, and each fax is written complete, as the
    merge would leave it, by one INSERT (not inserted bare, then updated).
    """
    created = _Created()
    tracked = _tracked_refs(db, scope)
    if not tracked:
        created.untracked = list(missing)
        return created
    assert scope.account is not None
    assert scope.endpoint is not None
    account, endpoint = scope.account, scope.endpoint
    wanted: list[FaxMessageStatus] = []
    # The store's send for each fax (`tracked_key`), once per SendRef.
    wanted_keys: list[str] = []
    by_send: dict[str, str] = {}
    # The send each key stands for: (BroadcastRef, SendRef), in the order the answer lists them.
    keys: dict[str, tuple[str, str]] = {}
    for m in missing:
        message_ref = m.message_ref or ""
        send_ref = m.send_ref or ""
        if not (
            (_MESSAGE, message_ref) in tracked
            or (send_ref and (_SEND, send_ref) in tracked)
            or (m.broadcast_ref and (_BROADCAST, m.broadcast_ref) in tracked)
        ):
            created.untracked.append(m)
            continue
        if send_ref:
            key = by_send.get(send_ref)
            if key is None:
                key = by_send[send_ref] = tracked_key(account, endpoint, send_ref, message_ref)
        else:
            key = tracked_key(account, endpoint, send_ref, message_ref)
        if key not in keys:
            keys[key] = (m.broadcast_ref or "", send_ref)
        wanted.append(m)
        wanted_keys.append(key)
    if not wanted:
        return created
    known = dict(
        db.execute(
            "SELECT send_ref, broadcast_id FROM sends "
            "WHERE send_ref IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        ).fetchall()
    )
    new_sends = [key for key in keys if key not in known]
    if new_sends:
        refs = sorted({keys[key][0] for key in new_sends if keys[key][0]})
        broadcasts: dict[str, int] = dict(
            db.execute(
                "SELECT broadcast_ref, MIN(id) FROM broadcasts WHERE account = ? AND endpoint = ? "
                "AND tracked = 1 AND broadcast_ref IN (SELECT value FROM json_each(?)) "
                "GROUP BY broadcast_ref",
                (account, endpoint, json.dumps(refs)),
            ).fetchall()
        )
        positions: dict[int, int] = {}
        send_rows = []
        for key in new_sends:
            broadcast_ref, send_ref = keys[key]
            broadcast_id = broadcasts.get(broadcast_ref) if broadcast_ref else None
            if broadcast_id is None:
                cursor = db.execute(
                    "INSERT INTO broadcasts (broadcast_ref, created, account, endpoint, "
                    "tracked) VALUES (?, ?, ?, ?, 1)",
                    (broadcast_ref, now, account, endpoint),
                )
                assert cursor.lastrowid is not None
                broadcast_id = cursor.lastrowid
                if broadcast_ref:
                    broadcasts[broadcast_ref] = broadcast_id
            if broadcast_id not in positions:
                (positions[broadcast_id],) = db.execute(
                    "SELECT COALESCE(MAX(position), 0) FROM sends WHERE broadcast_id = ?",
                    (broadcast_id,),
                ).fetchone()
            positions[broadcast_id] += 1
            known[key] = broadcast_id
            send_rows.append((key, broadcast_id, positions[broadcast_id], now, now, now, send_ref))
        db.executemany(
            "INSERT INTO sends (send_ref, broadcast_id, position, state, summary_json, "
            "request_json, created, updated, submitted, tracked, service_send_ref) "
            "VALUES (?, ?, ?, 'submitted', '{}', '', ?, ?, ?, 1, ?)",
            send_rows,
        )
    # The send each new fax joins, as the history reads it: (rowid, broadcast id, the
    # SendRef the service knows, BroadcastRef), and what was last heard of it as a whole.
    sends: dict[str, tuple[Any, ...]] = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT s.send_ref, s.rowid, s.broadcast_id, COALESCE(s.service_send_ref, s.send_ref), "
            "b.broadcast_ref FROM sends s JOIN broadcasts b ON b.id = s.broadcast_id "
            "WHERE s.send_ref IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        )
    }
    seen = _observations(
        db,
        scope,
        {(_SEND, send[2]) for send in sends.values()}
        | {(_BROADCAST, send[3]) for send in sends.values()},
    )
    wide: dict[str, str | None] = {}
    for key, send in sends.items():
        found = [v for v in (seen.get((_SEND, send[2])), seen.get((_BROADCAST, send[3]))) if v]
        wide[key] = max(found) if found else None
    taken: dict[tuple[str, str], int] = {}
    last: dict[str, int] = dict(
        db.execute(
            "SELECT send_ref, MAX(position) FROM messages "
            "WHERE send_ref IN (SELECT value FROM json_each(?)) GROUP BY send_ref",
            (json.dumps(list(keys)),),
        ).fetchall()
    )
    # Message ids only grow, and this transaction is the only writer: the new rows take
    # the ids SQLite would give them, set here so nothing needs reading back.
    (next_id,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").fetchone()
    inserts: list[tuple[Any, ...]] = []
    inserted: list[FaxMessageStatus] = []
    attempt_writes: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    for message, key in zip(wanted, wanted_keys, strict=True):
        message_ref = message.message_ref or ""
        if (key, message_ref) in taken:
            created.leftover.append(message)  # listed twice: merge the second copy
            continue
        message_id = taken[(key, message_ref)] = next_id
        next_id += 1
        position = last[key] = last.get(key, 0) + 1
        results = message.results
        if not results:
            summary = _NO_ATTEMPTS
        else:
            if len(results) == 1:
                attempts = [attempt_row(results[0], texts, moments)]
            else:
                by_number = {a.attempt: attempt_row(a, texts, moments) for a in results}
                attempts = [by_number[n] for n in sorted(by_number)]
            if not _single_only(attempts):
                attempt_writes += [(message_id, *attempt) for attempt in attempts]
            summary = aggregate(attempts)
        status = message.status
        details = None
        if message.details is not None:
            heard = wide[key]
            if heard is None or observed >= heard:
                details = details_json(message.details)
        send_to = message.send_to or ""
        inserted.append(message)
        inserts.append(
            (message_id, key, position, message_ref, send_to, status, *summary, details,
             observed, observed, now)
        )  # fmt: skip
        send = sends[key]
        rows.append(
            (message_id, send[0], send[1], position, message_ref, send[2], send[3], send_to,
             "", status, summary[2], summary[3], summary[0], summary[1], summary[5],
             summary[6], summary[7], summary[8], moments.get(summary[9], summary[9]),
             moments.get(summary[10], summary[10]), moments.get(summary[11], summary[11]),
             observed)
        )  # fmt: skip
    before = db.total_changes
    db.executemany(_INSERT_COMPLETE, inserts)
    if db.total_changes - before != len(inserts):
        # A fax already stored under its send (not found by the lookup): keep only the
        # rows really inserted; the others are merged into the stored ones.
        present = {
            row[0] for row in db.execute("SELECT id FROM messages WHERE id >= ?", (inserts[0][0],))
        }
        created.leftover += [
            message
            for insert, message in zip(inserts, inserted, strict=True)
            if insert[0] not in present
        ]
        rows = [row for row in rows if row[0] in present]
        attempt_writes = [a for a in attempt_writes if a[0] in present]
    if attempt_writes:
        db.executemany(
            "INSERT OR REPLACE INTO attempts (message_id, attempt, result, error, error_code, "
            "cost, pages, duration, scheduled, started, ended) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempt_writes,
        )
    created.rows = rows
    created.ids = {row[0] for row in rows}
    created.broadcasts = {row[2] for row in rows}
    return created
