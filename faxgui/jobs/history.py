"""The fax history behind the status panel: broadcasts → sends → faxes, their totals and attempts.

Reads the job store (`faxgui.jobs.store`) in the shapes the panel needs,
merges the service's answers into it (`merge`, rules in `faxgui.jobs.merge`)
and follows references sent from elsewhere (`track`). Everything blocks on
SQLite: call it from a worker thread. Qt-free.

The panel reads the history a page at a time, newest first (`page()`,
then `snapshot(ids)`): three queries in one read transaction, with the
totals of every send and broadcast added up in the same pass. A fax row is
a NamedTuple, since 50,000 of them are built; times are parsed, enums
looked up. After a merge the changed faxes come from the merge itself
(`changed_rows`), not from reading them back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Resolution
from faxgui.api.models import (
    FaxAttempt,
    FaxDetails,
    FaxResultsTotals,
    FaxStatusResponse,
    FaxStatusTotals,
    PauseFaxRequest,
    ResumeFaxRequest,
    StopFaxRequest,
)
from faxgui.api.models import (
    FaxStatusRequest as _FaxStatusRequest,
)
from faxgui.jobs.merge import MergeResult, iso
from faxgui.jobs.poll_plan import RefKind, UnfinishedSend
from faxgui.jobs.store import JobStore, SendState

__all__ = [
    "DocumentInfo",
    "HistoryBroadcast",
    "HistoryMessage",
    "HistorySend",
    "HistorySnapshot",
    "JobHistory",
    "MergeResult",
    "MessageDetail",
    "RefKind",
    "Totals",
    "TrackedRef",
    "UnknownHistoryRowError",
]

Selection = _FaxStatusRequest | PauseFaxRequest | ResumeFaxRequest | StopFaxRequest

_CHUNK = 500

_STATUS = {s.value: s for s in FaxStatus}
_RESULT = {r.value: r for r in FaxResult}
_ERROR = {e.value: e for e in FaxError}

# The service's totals have no buckets for the transitional statuses (see the sandbox).
_BUCKET = {
    "pending": 0,
    "processing": 1,
    "queued": 2,
    "pausing": 2,
    "paused": 2,
    "starting": 3,
    "resuming": 3,
    "sending": 4,
    "finalizing": 5,
    "stopping": 5,
    "done": 6,
}
_BUCKET_NAMES = ("pending", "processing", "queued", "starting", "sending", "finalizing", "done")


class UnknownHistoryRowError(LookupError):
    """No broadcast, send or fax with that id in the history (removed meanwhile?)."""


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


# --------------------------------------------------------------------------- rows


class HistoryBroadcast(NamedTuple):
    """One broadcast: what a receptionist sent in one go (or a reference tracked from elsewhere).

    A NamedTuple, like the other rows: a history of single faxes has 50,000 of them.
    """

    id: int
    broadcast_ref: str
    created: datetime
    account: str
    endpoint: str
    composed_by: str
    tracked: bool
    has_draft: bool


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document a send carried: its name and pages (never its data)."""

    name: str
    pages: int | None = None
    document_ref: str | None = None


def _documents(stored: Iterable[Mapping[str, Any]]) -> tuple[DocumentInfo, ...]:
    return tuple(
        DocumentInfo(d.get("name", ""), d.get("pages"), d.get("document_ref")) for d in stored
    )


class HistorySend(NamedTuple):
    """One SendFax request of a broadcast.

    `key` is the job store's key for it (`JobStore.send(key)`); `send_ref`
    the reference the service knows, which differs only for tracked faxes
    ("" when the service gave none). `last_error` says why a send is not at
    the service (outbox, failed, cancelled).
    """

    id: int
    key: str
    send_ref: str
    broadcast_id: int
    broadcast_ref: str
    position: int
    state: SendState
    created: datetime
    submitted: datetime | None
    updated: datetime
    submit_attempts: int
    last_error: str | None
    message_count: int
    tracked: bool
    summary_json: str = "{}"

    @property
    def summary(self) -> Mapping[str, Any]:
        parsed: Mapping[str, Any] = json.loads(self.summary_json or "{}")
        return parsed

    @property
    def documents(self) -> tuple[DocumentInfo, ...]:
        """The send's shared documents (names and pages), in the order they are sent."""
        return _documents(self.summary.get("documents", ()))

    @property
    def options(self) -> Mapping[str, Any]:
        """The request's options as stored (field names of `SendFaxRequest`)."""
        options: Mapping[str, Any] = self.summary.get("options", {})
        return options


class HistoryMessage(NamedTuple):
    """One fax to one number and the latest the service said of it.

    `status` None: the service does not have it yet (see its send's state).
    `result`/`error` are the latest attempt's, also while the fax is not done
    (use `outcome` for how it ended). `pages` is what the latest attempt
    sent; `sent_pages`, `cost` and `duration` add up every attempt; `started`
    is the first call's start, `ended` the latest attempt's end. `changed`
    is when its state last changed here.
    """

    id: int
    send_id: int
    broadcast_id: int
    position: int
    message_ref: str
    send_ref: str
    broadcast_ref: str
    send_to: str
    recipient_name: str
    status: FaxStatus | None
    result: FaxResult | None
    error: FaxError | None
    attempts: int
    calls: int
    pages: int | None
    sent_pages: int | None
    cost: Decimal | None
    duration: int | None
    scheduled: datetime | None
    started: datetime | None
    ended: datetime | None
    changed: datetime | None

    @property
    def finished(self) -> bool:
        return self.status is FaxStatus.DONE

    @property
    def outcome(self) -> FaxResult | None:
        """How the fax ended; None until it is done (a failed attempt may be retried)."""
        return self.result if self.status is FaxStatus.DONE else None

    @property
    def stopped(self) -> bool:
        """Done because it was stopped (or its deadline passed) before it was sent."""
        return self.status is FaxStatus.DONE and self.error is FaxError.FAX_CANCELLED


@dataclass(slots=True)
class Totals:
    """The API's FaxStatusTotals and FaxResultsTotals over some faxes, and a little more.

    The Totals of a snapshot are shared between sends and broadcasts with the
    same counts: treat them as read-only (`add` into a new Totals()).

    Counted as the service counts: pausing and paused under queued, resuming
    under starting, stopping under finalizing; success/blocked/failed for
    finished faxes only; `total_attempts` counts calls made; pages and
    seconds add up every attempt. `not_submitted` counts faxes the service
    does not have (outbox, refused, cancelled before sending).
    """

    status: FaxStatusTotals = field(default_factory=FaxStatusTotals)
    results: FaxResultsTotals = field(default_factory=FaxResultsTotals)
    faxes: int = 0
    finished: int = 0
    not_submitted: int = 0
    paused: int = 0
    cost: Decimal = field(default_factory=Decimal)

    def add(self, other: Totals) -> None:
        """Add `other`'s counts to these."""
        self.faxes += other.faxes
        self.finished += other.finished
        self.not_submitted += other.not_submitted
        self.paused += other.paused
        self.cost += other.cost
        for name in _BUCKET_NAMES:
            setattr(self.status, name, getattr(self.status, name) + getattr(other.status, name))
        for name in (
            "success",
            "blocked",
            "failed",
            "total_attempts",
            "total_fax_duration",
            "total_pages",
        ):
            setattr(self.results, name, getattr(self.results, name) + getattr(other.results, name))

    @property
    def all_finished(self) -> bool:
        return self.faxes > 0 and self.finished == self.faxes


# The totals of a group of faxes, counted by SQLite (one pass, no Python per fax). Costs
# are added in ten-thousandths so that decimal amounts add up exactly.
_TALLY_COLUMNS = """
    COUNT(*), SUM(m.status IS NULL),
    SUM(m.status IS 'pending'), SUM(m.status IS 'processing'),
    SUM(IFNULL(m.status IN ('queued', 'pausing', 'paused'), 0)),
    SUM(IFNULL(m.status IN ('starting', 'resuming'), 0)),
    SUM(m.status IS 'sending'), SUM(IFNULL(m.status IN ('finalizing', 'stopping'), 0)),
    SUM(m.status IS 'done'), SUM(IFNULL(m.status IN ('pausing', 'paused'), 0)),
    SUM(m.status IS 'done' AND m.result IS 'success'),
    SUM(m.status IS 'done' AND m.result IS 'blocked'),
    SUM(m.status IS 'done' AND IFNULL(m.result, '') NOT IN ('success', 'blocked')),
    SUM(m.calls), IFNULL(SUM(m.duration), 0), IFNULL(SUM(m.sent_pages), 0),
    IFNULL(SUM(CAST(ROUND(m.cost * 10000) AS INTEGER)), 0)
"""


def _totals(r: Sequence[Any]) -> Totals:
    """Totals from the `_TALLY_COLUMNS` of one group (starting at r[0]).

    The cost is in ten-thousandths as SQLite adds it up, or a Decimal already.
    """
    if isinstance(r[16], Decimal):
        cost = r[16]
    else:
        cost = Decimal(r[16]).scaleb(-4)
        cost = cost.quantize(_CENTS) if r[16] % 100 == 0 else cost
    return Totals(
        status=FaxStatusTotals(r[2], r[3], r[4], r[5], r[6], r[7], r[8]),
        results=FaxResultsTotals(r[10], r[11], r[12], r[13], r[14], r[15]),
        faxes=r[0],
        finished=r[8],
        not_submitted=r[1],
        paused=r[9],
        cost=cost,
    )


_CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class HistorySnapshot:
    """Everything the panel shows, read at one moment.

    `broadcasts` newest first; `sends` by broadcast, then position;
    `messages` grouped by send in the same order, then by position.
    """

    broadcasts: list[HistoryBroadcast]
    sends: list[HistorySend]
    messages: list[HistoryMessage]
    send_totals: dict[int, Totals]
    broadcast_totals: dict[int, Totals]
    _broadcast_index: dict[int, int] = field(repr=False)
    _send_index: dict[int, int] = field(repr=False)
    _sends_of: dict[int, list[int]] = field(repr=False)
    _message_ranges: dict[int, tuple[int, int]] = field(repr=False)

    def broadcast(self, broadcast_id: int) -> HistoryBroadcast:
        return self.broadcasts[self._broadcast_index[broadcast_id]]

    def send(self, send_id: int) -> HistorySend:
        return self.sends[self._send_index[send_id]]

    def sends_of(self, broadcast_id: int) -> list[HistorySend]:
        return [self.sends[i] for i in self._sends_of.get(broadcast_id, ())]

    def messages_of(self, send_id: int) -> Sequence[HistoryMessage]:
        start, stop = self._message_ranges.get(send_id, (0, 0))
        return self.messages[start:stop]


@dataclass(frozen=True, slots=True)
class MessageDetail:
    """Everything the detail pane shows of one fax."""

    message: HistoryMessage
    send: HistorySend
    broadcast: HistoryBroadcast
    attempts: tuple[FaxAttempt, ...]
    documents: tuple[DocumentInfo, ...]
    options: dict[str, Any]
    details: FaxDetails | None


@dataclass(frozen=True, slots=True)
class TrackedRef:
    """A reference followed from elsewhere, with the account it is asked with."""

    id: int
    kind: RefKind
    ref: str
    account: str
    endpoint: str
    added: datetime


# --------------------------------------------------------------------------- queries

_BROADCAST_COLUMNS = (
    "b.id, b.broadcast_ref, b.created, b.account, b.endpoint, b.composed_by, b.tracked, "
    "b.draft_json IS NOT NULL"
)
_SEND_COLUMNS = """
    s.rowid, s.send_ref, COALESCE(s.service_send_ref, s.send_ref), s.broadcast_id,
    b.broadcast_ref, s.position, s.state, s.created, s.submitted, s.updated, s.attempts,
    s.last_error, (SELECT COUNT(*) FROM messages c WHERE c.send_ref = s.send_ref), s.tracked,
    s.summary_json
"""
_MESSAGE_COLUMNS = """
    m.id, s.rowid, s.broadcast_id, m.position, m.message_ref,
    COALESCE(s.service_send_ref, s.send_ref), b.broadcast_ref, m.send_to, m.recipient_name,
    m.status, m.result, m.error, m.attempts, m.calls, m.pages, m.sent_pages, m.cost,
    m.duration, m.scheduled, m.started, m.ended, m.changed
"""
_SNAPSHOT_SEND_COLUMNS = """
    s.rowid, s.send_ref, COALESCE(s.service_send_ref, s.send_ref), s.broadcast_id,
    s.position, s.state, s.created, s.submitted, s.updated, s.attempts,
    s.last_error, s.tracked, s.summary_json
"""
_SNAPSHOT_MESSAGE_COLUMNS = """
    m.send_ref, m.id, m.position, m.message_ref, m.send_to, m.recipient_name,
    m.status, m.result, m.error, m.attempts, m.calls, m.pages, m.sent_pages, m.cost,
    m.duration, m.scheduled, m.started, m.ended, m.changed
"""
_FROM = "broadcasts b JOIN sends s ON s.broadcast_id = b.id"
# CROSS JOIN fixes the order SQLite walks the tables in: broadcasts newest first, each one's
# sends by position, each send's faxes by position, along the indexes, so the 50,000 rows
# come out in tree order with no sort.
_WALK = "broadcasts b CROSS JOIN sends s ON s.broadcast_id = b.id"
_MESSAGES_FROM = f"{_FROM} JOIN messages m ON m.send_ref = s.send_ref"
_ORDER = "ORDER BY b.id DESC, s.position"


def _broadcast(row: Sequence[Any]) -> HistoryBroadcast:
    return HistoryBroadcast(
        row[0],
        row[1],
        datetime.fromisoformat(row[2]),
        row[3],
        row[4],
        row[5],
        bool(row[6]),
        bool(row[7]),
    )


def _send(row: Sequence[Any]) -> HistorySend:
    return HistorySend(
        id=row[0],
        key=row[1],
        send_ref=row[2],
        broadcast_id=row[3],
        broadcast_ref=row[4],
        position=row[5],
        state=SendState(row[6]),
        created=datetime.fromisoformat(row[7]),
        submitted=_time(row[8]),
        updated=datetime.fromisoformat(row[9]),
        submit_attempts=row[10],
        last_error=row[11],
        message_count=row[12],
        tracked=bool(row[13]),
        summary_json=row[14],
    )


def _message(r: Sequence[Any]) -> HistoryMessage:
    return HistoryMessage(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        r[7],
        r[8],
        _STATUS.get(r[9]),
        _RESULT.get(r[10]),
        _ERROR.get(r[11]),
        r[12],
        r[13],
        r[14],
        r[15],
        None if r[16] is None else Decimal(r[16]),
        r[17],
        _time(r[18]),
        _time(r[19]),
        _time(r[20]),
        _time(r[21]),
    )


def _messages(rows: Iterable[Sequence[Any]]) -> list[HistoryMessage]:
    """`_message` for many rows at once (a poll may bring back 10,000).

    The faxes of one answer share many of their times (when it was asked
    for, the scheduled start): each different text is parsed once. A merge's
    rows may hold datetimes already (`MergeResult.rows`).
    """
    moments: dict[str, datetime] = {}

    def parse(value: str | datetime) -> datetime:
        if isinstance(value, datetime):
            return value  # already one (see MergeResult.rows)
        moment = moments.get(value)
        if moment is None:
            moment = moments[value] = datetime.fromisoformat(value)
        return moment

    new = tuple.__new__
    status_of, result_of, error_of = _STATUS.get, _RESULT.get, _ERROR.get
    return [
        new(
            HistoryMessage,
            (
                *r[:9], status_of(r[9]), result_of(r[10]), error_of(r[11]), *r[12:16],
                None if r[16] is None else Decimal(r[16]), r[17],
                None if r[18] is None else parse(r[18]),
                None if r[19] is None else parse(r[19]),
                None if r[20] is None else parse(r[20]),
                None if r[21] is None else parse(r[21]),
            ),
        )
        for r in rows
    ]  # fmt: skip


# Every attempt of some faxes (a JSON array of ids), in order. A fax tried once keeps its
# attempt in its own row only (`faxgui.jobs.merge._single`): it is read from there.
_ATTEMPTS = """
    SELECT message_id, attempt, result, error, error_code, cost, pages, duration, scheduled,
        started, ended
    FROM attempts WHERE message_id IN (SELECT value FROM json_each(?1))
    UNION ALL
    SELECT m.id, 1, m.result, m.error, m.error_code, m.cost, m.pages, m.duration, m.scheduled,
        m.started, m.ended
    FROM messages m
    WHERE m.id IN (SELECT value FROM json_each(?1)) AND m.attempts = 1
        AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.message_id = m.id)
    ORDER BY 1, 2
"""


def _ids(ids: Iterable[int]) -> Iterator[tuple[int, ...]]:
    unique = tuple(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def _narrowest(selection: Selection | None) -> tuple[RefKind, str] | None:
    if selection is None:
        return None
    if selection.message_ref:
        return RefKind.MESSAGE, selection.message_ref
    if selection.send_ref:
        return RefKind.SEND, selection.send_ref
    if selection.broadcast_ref:
        return RefKind.BROADCAST, selection.broadcast_ref
    return None


class JobHistory:
    """The status panel's view of a `JobStore`; safe to use from any thread, like the store."""

    def __init__(self, store: JobStore) -> None:
        self.store = store

    def _db(self) -> sqlite3.Connection:
        # The store's connection for this thread (WAL: reads never wait for a writer).
        return self.store.connection()

    # ------------------------------------------------------------------ snapshot

    def snapshot(
        self, broadcast_ids: Iterable[int] | None = None, *, since: datetime | None = None
    ) -> HistorySnapshot:
        """Every broadcast, send and fax, with totals, as of one moment.

        With `broadcast_ids`, only those broadcasts (after a send, a resend
        or a newly tracked reference); with `since`, only the broadcasts
        made (or first tracked) since then, so the panel can open on recent
        weeks first in a very long history.
        """
        conditions: list[str] = []
        values: tuple[str, ...] = ()
        if broadcast_ids is not None:
            wanted = [int(i) for i in dict.fromkeys(broadcast_ids)]
            if not wanted:
                return _snapshot([], [], [])
            # One JSON array parameter: no limit on how many ids.
            conditions.append("b.id IN (SELECT value FROM json_each(?))")
            values += (json.dumps(wanted),)
        if since is not None:
            conditions.append("b.created >= ?")
            values += (iso(since) or "",)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        db = self._db()
        # One read transaction: the four queries see the same moment (WAL keeps it).
        db.execute("BEGIN")
        try:
            broadcasts = db.execute(
                f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts b{where} ORDER BY b.id DESC", values
            ).fetchall()
            # Read in table order and put in tree order in Python: walking the index
            # costs twice as much for 50,000 one-fax broadcasts.
            in_broadcasts = f" WHERE s.broadcast_id IN (SELECT b.id FROM broadcasts b{where})"
            sends = db.execute(
                f"SELECT {_SNAPSHOT_SEND_COLUMNS} FROM sends s{in_broadcasts if where else ''}",
                values,
            ).fetchall()
            sends.sort(key=lambda r: (-r[3], r[4]))
            # The faxes alone, along messages_by_send (no join, no sort): each fax's send
            # and broadcast come from the rows above, in Python.
            only = (
                " WHERE m.send_ref IN (SELECT s.send_ref FROM broadcasts b "
                f"JOIN sends s ON s.broadcast_id = b.id{where})"
                if where
                else ""
            )
            raw = db.execute(
                f"SELECT {_SNAPSHOT_MESSAGE_COLUMNS} FROM messages m INDEXED BY messages_by_send"
                f"{only} ORDER BY m.send_ref, m.position",
                values,
            ).fetchall()
        finally:
            db.execute("COMMIT")
        return _snapshot(broadcasts, sends, raw)

    def page(self, before: int | None, max_faxes: int) -> tuple[list[int], int | None]:
        """The next broadcasts to read, newest first, below id `before` (None: the newest).

        As many as hold about `max_faxes` faxes (at least one broadcast);
        returns their ids and the `before` for the page after them (None
        when these are the last). The panel opens on the first page and
        reads the others afterwards, so 50,000 faxes never keep it waiting.
        """
        db = self._db()
        ids: list[int] = []
        faxes = 0
        bound = before
        batch = max(16, min(max_faxes, 2_000))
        while True:
            rows = db.execute(
                "SELECT b.id, (SELECT COUNT(*) FROM sends s JOIN messages m "
                "ON m.send_ref = s.send_ref WHERE s.broadcast_id = b.id) "
                "FROM broadcasts b WHERE ? IS NULL OR b.id < ? ORDER BY b.id DESC LIMIT ?",
                (bound, bound, batch),
            ).fetchall()
            for broadcast_id, count in rows:
                if ids and faxes + count > max_faxes:
                    return ids, ids[-1]
                ids.append(broadcast_id)
                faxes += count
            if len(rows) < batch:
                return ids, None
            bound = rows[-1][0]

    # ------------------------------------------------------------------ rows by id

    def messages_by_id(self, ids: Iterable[int]) -> list[HistoryMessage]:
        """Fresh rows for these faxes (those still in the history), e.g. after a merge."""
        wanted = [int(i) for i in dict.fromkeys(ids)]
        if not wanted:
            return []
        rows = (
            self._db()
            .execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM {_MESSAGES_FROM} "
                f"WHERE m.id IN (SELECT value FROM json_each(?)) {_ORDER}, m.position",
                (json.dumps(wanted),),
            )
            .fetchall()
        )
        return _messages(rows)

    def changed_rows(self, *results: MergeResult) -> list[HistoryMessage]:
        """The faxes these merges changed, as they stored them (a later merge's rows win),
        without reading them back."""
        latest: dict[int, Sequence[Any]] = {}
        for result in results:
            for row in result.rows:
                latest[row[0]] = row
        return _messages(latest.values())

    def sends_by_id(self, ids: Iterable[int]) -> list[HistorySend]:
        db = self._db()
        out: list[HistorySend] = []
        for chunk in _ids(ids):
            marks = ",".join("?" * len(chunk))
            out += [
                _send(r)
                for r in db.execute(
                    f"SELECT {_SEND_COLUMNS} FROM {_FROM} WHERE s.rowid IN ({marks}) {_ORDER}",
                    chunk,
                )
            ]
        return out

    def broadcasts_by_id(self, ids: Iterable[int]) -> list[HistoryBroadcast]:
        db = self._db()
        out: list[HistoryBroadcast] = []
        for chunk in _ids(ids):
            marks = ",".join("?" * len(chunk))
            out += [
                _broadcast(r)
                for r in db.execute(
                    f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts b WHERE b.id IN ({marks}) "
                    "ORDER BY b.id DESC",
                    chunk,
                )
            ]
        return out

    def send_messages(self, send_id: int) -> list[HistoryMessage]:
        """The faxes of one send, in order."""
        return [
            _message(r)
            for r in self._db().execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM {_MESSAGES_FROM} WHERE s.rowid = ? "
                "ORDER BY m.position",
                (send_id,),
            )
        ]

    def broadcast_messages(self, broadcast_id: int) -> list[HistoryMessage]:
        """The faxes of one broadcast, send by send, in order."""
        return [
            _message(r)
            for r in self._db().execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM {_MESSAGES_FROM} WHERE b.id = ? "
                "ORDER BY s.position, m.position",
                (broadcast_id,),
            )
        ]

    def send(self, send_id: int) -> HistorySend:
        found = self.sends_by_id([send_id])
        if not found:
            raise UnknownHistoryRowError(f"no send {send_id} in the history")
        return found[0]

    def broadcast(self, broadcast_id: int) -> HistoryBroadcast:
        found = self.broadcasts_by_id([broadcast_id])
        if not found:
            raise UnknownHistoryRowError(f"no broadcast {broadcast_id} in the history")
        return found[0]

    def sends_of(self, broadcast_id: int) -> list[HistorySend]:
        return [
            _send(r)
            for r in self._db().execute(
                f"SELECT {_SEND_COLUMNS} FROM {_FROM} WHERE b.id = ? ORDER BY s.position",
                (broadcast_id,),
            )
        ]

    def send_totals(self, send_ids: Iterable[int]) -> dict[int, Totals]:
        """The totals of these sends, counted afresh (after a merge changed them)."""
        return self._totals_by("s.rowid", send_ids)

    def broadcast_totals(self, broadcast_ids: Iterable[int]) -> dict[int, Totals]:
        """The totals of these broadcasts, counted afresh."""
        return self._totals_by("s.broadcast_id", broadcast_ids)

    def _totals_by(self, key: str, ids: Iterable[int]) -> dict[int, Totals]:
        wanted = [int(i) for i in dict.fromkeys(ids)]
        if not wanted:
            return {}
        rows = self._db().execute(
            f"SELECT {key}, {_TALLY_COLUMNS} FROM sends s JOIN messages m "
            f"ON m.send_ref = s.send_ref WHERE {key} IN (SELECT value FROM json_each(?)) "
            f"GROUP BY {key}",
            (json.dumps(wanted),),
        )
        found = {row[0]: _totals(row[1:]) for row in rows}
        return {i: found.get(i, Totals()) for i in wanted}

    # ------------------------------------------------------------------ attempts and detail

    def attempts_for(self, message_ids: Iterable[int]) -> dict[int, tuple[FaxAttempt, ...]]:
        """Every attempt of these faxes, in attempt order (a fax with none maps to ())."""
        found: dict[int, list[FaxAttempt]] = {}
        db = self._db()
        wanted: list[int] = []
        for chunk in _ids(message_ids):
            wanted += chunk
            for row in db.execute(_ATTEMPTS, (json.dumps(chunk),)):
                found.setdefault(row[0], []).append(
                    FaxAttempt(
                        attempt=row[1],
                        result=_RESULT.get(row[2]),
                        error=_ERROR.get(row[3]),
                        error_code=row[4],
                        cost=_decimal(row[5]),
                        pages=row[6],
                        total_fax_duration=row[7],
                        scheduled_start_time=_time(row[8]),
                        date_call_started=_time(row[9]),
                        date_call_ended=_time(row[10]),
                    )
                )
        return {message_id: tuple(found.get(message_id, ())) for message_id in wanted}

    def attempts(self, message_id: int) -> tuple[FaxAttempt, ...]:
        """Every attempt of one fax, in order."""
        return self.attempts_for([message_id])[message_id]

    def message_detail(self, message_id: int) -> MessageDetail:
        """The fax, its send and broadcast, every attempt, its documents and options."""
        found = self.messages_by_id([message_id])
        if not found:
            raise UnknownHistoryRowError(f"no fax {message_id} in the history")
        message = found[0]
        send = self.send(message.send_id)
        broadcast = self.broadcast(message.broadcast_id)
        row = (
            self._db()
            .execute(
                "SELECT m.details_json, s.request_json FROM messages m JOIN sends s "
                "ON s.send_ref = m.send_ref WHERE m.id = ?",
                (message_id,),
            )
            .fetchone()
        )
        details = None
        if row[0]:
            stored = json.loads(row[0])
            resolution = stored.get("resolution")
            details = FaxDetails(
                send_from=stored.get("send_from"),
                resolution=None if resolution is None else Resolution(resolution),
                retries=stored.get("retries"),
                busy_retries=stored.get("busy_retries"),
                header_format=stored.get("header_format"),
            )
        options = dict(send.options)
        documents = send.documents
        own = _own_message(row[1], message.message_ref)
        if own is not None:
            options.update(
                {k: v for k, v in own.items() if k not in ("documents", "message_ref", "send_to")}
            )
            if own.get("documents"):
                documents = tuple(
                    DocumentInfo(
                        d.get("file_name") or d.get("document_ref") or "",
                        None,
                        d.get("document_ref"),
                    )
                    for d in sorted(own["documents"], key=lambda d: d.get("order", 0))
                )
        return MessageDetail(
            message=message,
            send=send,
            broadcast=broadcast,
            attempts=self.attempts(message_id),
            documents=documents,
            options=options,
            details=details,
        )

    # ------------------------------------------------------------------ merging

    def merge(
        self,
        response: FaxStatusResponse,
        *,
        account: str,
        endpoint: str,
        selection: Selection | None = None,
        observed_at: datetime | None = None,
    ) -> MergeResult:
        """Merge a FaxStatus (any verbosity), PauseFax, ResumeFax or StopFax answer.

        `selection` is the request the answer came from and `observed_at`
        when it was sent (default: now). One transaction; the same answer
        merged twice changes nothing the second time; an older answer never
        undoes a newer state (see `faxgui.jobs.merge`).
        """
        return self.store.merge_answer(
            response.messages,
            account=account,
            endpoint=endpoint,
            selection=_narrowest(selection),
            observed=observed_at if observed_at is not None else self.store.now(),
        )

    def track(
        self,
        kind: RefKind,
        ref: str,
        response: FaxStatusResponse,
        *,
        account: str,
        endpoint: str,
        observed_at: datetime | None = None,
    ) -> MergeResult:
        """Follow `ref`, sent from elsewhere: record it and add its faxes from `response`.

        `response` is the service's FaxStatus answer for that reference
        (verbosity "results" is best). Faxes already in the history are merged,
        not repeated; later polls add faxes that join the reference.
        """
        ref = ref.strip()
        if not ref:
            raise ValueError("a reference to track cannot be empty")
        return self.store.merge_answer(
            response.messages,
            account=account,
            endpoint=endpoint,
            selection=(kind, ref),
            observed=observed_at if observed_at is not None else self.store.now(),
            track=(kind, ref),
        )

    def tracked_refs(self) -> list[TrackedRef]:
        return [
            TrackedRef(r[0], RefKind(r[1]), r[2], r[3], r[4], datetime.fromisoformat(r[5]))
            for r in self._db().execute(
                "SELECT id, kind, ref, account, endpoint, added FROM tracked_refs ORDER BY id"
            )
        ]

    def forget_tracked(self, broadcast_id: int) -> None:
        """Remove a tracked broadcast, its faxes, and the references that brought them in."""
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT tracked, broadcast_ref, account, endpoint FROM broadcasts WHERE id = ?",
                (broadcast_id,),
            ).fetchone()
            if row is None:
                return
            if not row[0]:
                raise ValueError("only a tracked broadcast can be forgotten")
            _, broadcast_ref, account, endpoint = row
            send_refs = [
                r[0]
                for r in db.execute(
                    "SELECT service_send_ref FROM sends WHERE broadcast_id = ?", (broadcast_id,)
                )
            ]
            message_refs = [
                r[0]
                for r in db.execute(
                    "SELECT m.message_ref FROM messages m JOIN sends s ON s.send_ref = m.send_ref "
                    "WHERE s.broadcast_id = ?",
                    (broadcast_id,),
                )
            ]
            for kind, refs in (
                (RefKind.BROADCAST, [broadcast_ref]),
                (RefKind.SEND, send_refs),
                (RefKind.MESSAGE, message_refs),
            ):
                db.executemany(
                    "DELETE FROM tracked_refs WHERE account = ? AND endpoint = ? AND kind = ? "
                    "AND ref = ?",
                    [(account, endpoint, kind.value, ref) for ref in refs if ref],
                )
            db.execute(
                "DELETE FROM attempts WHERE message_id IN (SELECT m.id FROM messages m "
                "JOIN sends s ON s.send_ref = m.send_ref WHERE s.broadcast_id = ?)",
                (broadcast_id,),
            )
            db.execute(
                "DELETE FROM messages WHERE send_ref IN "
                "(SELECT send_ref FROM sends WHERE broadcast_id = ?)",
                (broadcast_id,),
            )
            db.execute("DELETE FROM sends WHERE broadcast_id = ?", (broadcast_id,))
            db.execute("DELETE FROM broadcasts WHERE id = ?", (broadcast_id,))

    # ------------------------------------------------------------------ polling

    def unfinished_work(self) -> list[UnfinishedSend]:
        """Every send the service has that still has faxes not done, for the poll plan."""
        rows = (
            self._db()
            .execute(
                """
            SELECT s.send_ref, b.account, b.endpoint, b.broadcast_ref,
                   COALESCE(s.service_send_ref, s.send_ref), s.submitted, s.summary_json,
                   m.message_ref, m.status, m.attempts, m.changed,
                   (SELECT COUNT(*) FROM messages c WHERE c.send_ref = s.send_ref)
            FROM messages m INDEXED BY messages_unfinished
            JOIN sends s ON s.send_ref = m.send_ref
            JOIN broadcasts b ON b.id = s.broadcast_id
            WHERE (m.status IS NULL OR m.status <> 'done') AND s.state = 'submitted'
            ORDER BY b.id, s.position, m.position
            """
            )
            .fetchall()
        )
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        work: list[UnfinishedSend] = []
        for key, items in grouped.items():
            first = items[0]
            changes = [r[10] for r in items if r[10] is not None]
            last_change = max([*changes, first[5]]) if first[5] else max(changes, default=None)
            work.append(
                UnfinishedSend(
                    account=first[1],
                    endpoint=first[2],
                    broadcast_ref=first[3],
                    send_ref=first[4],
                    send_key=key,
                    message_refs=tuple(r[7] for r in items),
                    total_messages=first[11],
                    last_change=datetime.fromisoformat(last_change)
                    if last_change
                    else self.store.now(),
                    starts_at=_starts_at(first[6], items),
                )
            )
        return work


def _send_tally(
    counts: Iterable[tuple[tuple[str | None, str | None], int]],
    calls: int,
    duration: int,
    pages: int,
    cost: Decimal,
) -> tuple[Any, ...]:
    """One send's `_TALLY_COLUMNS`, from its faxes counted by (status, result)."""
    buckets = [0] * 7
    faxes = not_submitted = paused = success = blocked = failed = 0
    for (status, result), n in counts:
        faxes += n
        if status is None:
            not_submitted += n
            continue
        buckets[_BUCKET[status]] += n
        if status == "done":
            if result == "success":
                success += n
            elif result == "blocked":
                blocked += n
            else:
                failed += n
        elif status in ("paused", "pausing"):
            paused += n
    return (faxes, not_submitted, *buckets, paused, success, blocked, failed, calls, duration,
            pages, cost)  # fmt: skip


def _snapshot(
    broadcast_rows: Sequence[Sequence[Any]],
    send_rows: Sequence[Sequence[Any]],
    raw: Sequence[Sequence[Any]],
) -> HistorySnapshot:
    parse = datetime.fromisoformat
    # tuple.__new__ straight away: half the cost of a NamedTuple's own __new__, which
    # counts when a history of single faxes makes 150,000 rows.
    new = tuple.__new__
    broadcasts: list[HistoryBroadcast] = [
        new(HistoryBroadcast, (r[0], r[1], parse(r[2]), r[3], r[4], r[5], r[6] != 0, r[7] != 0))
        for r in broadcast_rows
    ]

    # The faxes come grouped by send (in key order); each group is made into rows and
    # counted for its send's totals.
    broadcast_refs = {b.id: b.broadcast_ref for b in broadcasts}
    where = {r[1]: (r[0], r[3], r[2], broadcast_refs.get(r[3], "")) for r in send_rows}
    groups: dict[str, list[HistoryMessage]] = {}
    # Sends with the same counts share one Totals (read-only): a history of single faxes
    # has 50,000 sends but only a few different totals among them.
    shared: dict[tuple[Any, ...], Totals] = {}
    group_totals: dict[str, Totals] = {}
    status_of, result_of, error_of = _STATUS.get, _RESULT.get, _ERROR.get
    index, total = 0, len(raw)
    while index < total:
        key = raw[index][0]
        send_id, broadcast_id, send_ref, broadcast_ref = where.get(key, (0, 0, "", ""))
        group: list[HistoryMessage] = []
        counts: dict[tuple[str | None, str | None], int] = {}
        calls = duration = pages = 0
        cost_sum = Decimal(0)
        while index < total and raw[index][0] == key:
            r = raw[index]
            index += 1
            status, result, cost = r[6], r[7], r[13]
            pair = (status, result)
            counts[pair] = counts.get(pair, 0) + 1
            calls += r[10]
            if r[12]:
                pages += r[12]
            if r[14]:
                duration += r[14]
            amount = None
            if cost is not None:
                amount = Decimal(cost)
                cost_sum += amount
            group.append(
                new(
                    HistoryMessage,
                    (
                        r[1], send_id, broadcast_id, r[2], r[3], send_ref, broadcast_ref,
                        r[4], r[5], status_of(status), result_of(result), error_of(r[8]),
                        r[9], r[10], r[11], r[12], amount, r[14],
                        None if r[15] is None else parse(r[15]),
                        None if r[16] is None else parse(r[16]),
                        None if r[17] is None else parse(r[17]),
                        None if r[18] is None else parse(r[18]),
                    ),
                )
            )  # fmt: skip
        groups[key] = group
        shape = (tuple(counts.items()), calls, duration, pages, cost_sum)
        totals = shared.get(shape)
        if totals is None:
            totals = shared[shape] = _totals(_send_tally(*shape))
        group_totals[key] = totals

    state_of = {state.value: state for state in SendState}
    sends: list[HistorySend] = [
        new(
            HistorySend,
            (
                r[0], r[1], r[2], r[3], broadcast_refs.get(r[3], ""), r[4], state_of[r[5]],
                parse(r[6]), None if r[7] is None else parse(r[7]), parse(r[8]), r[9], r[10],
                len(groups.get(r[1], ())), r[11] != 0, r[12],
            ),
        )
        for r in send_rows
    ]  # fmt: skip
    messages: list[HistoryMessage] = []
    ranges: dict[int, tuple[int, int]] = {}
    for send in sends:
        group = groups.get(send.key, [])
        ranges[send.id] = (len(messages), len(messages) + len(group))
        messages += group

    empty = Totals()
    send_totals = {send.id: group_totals.get(send.key, empty) for send in sends}
    sends_of: dict[int, list[int]] = {}
    for position, send in enumerate(sends):
        sends_of.setdefault(send.broadcast_id, []).append(position)
    broadcast_totals: dict[int, Totals] = {}
    for broadcast in broadcasts:
        parts = sends_of.get(broadcast.id, ())
        if len(parts) == 1:
            # The usual one-send broadcast shares its send's totals (both are read-only).
            broadcast_totals[broadcast.id] = send_totals[sends[parts[0]].id]
            continue
        combined = Totals()
        for position in parts:
            combined.add(send_totals[sends[position].id])
        broadcast_totals[broadcast.id] = combined
    return HistorySnapshot(
        broadcasts=broadcasts,
        sends=sends,
        messages=messages,
        send_totals=send_totals,
        broadcast_totals=broadcast_totals,
        _broadcast_index={b.id: i for i, b in enumerate(broadcasts)},
        _send_index={s.id: i for i, s in enumerate(sends)},
        _sends_of=sends_of,
        _message_ranges=ranges,
    )


def _starts_at(summary_json: str, items: Sequence[Sequence[Any]]) -> datetime | None:
    """The send's scheduled start, when none of its unfinished faxes has been tried yet."""
    if any(r[9] or r[8] not in (None, "pending", "processing", "queued") for r in items):
        return None
    scheduled = json.loads(summary_json or "{}").get("options", {}).get("scheduled_start_time")
    if not scheduled:
        return None
    moment = datetime.fromisoformat(scheduled)
    return moment if moment.tzinfo is not None else None


def _own_message(request_json: str, message_ref: str) -> dict[str, Any] | None:
    """The message's own entry in a stored request (its overrides and documents)."""
    if not request_json:
        return None
    try:
        body = json.loads(request_json)["request"]
    except (ValueError, KeyError, TypeError):
        return None
    for message in body.get("fax_messages", ()):
        if message.get("message_ref") == message_ref:
            found: dict[str, Any] = message
            return found
    return None
