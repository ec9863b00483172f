"""The local job store: every broadcast, send and fax message faxgui submitted, in SQLite.

One file in the user's data directory, in WAL mode so the status panel can
read while a send writes. Each thread gets its own connection (sqlite3
objects are not shared between threads); every write is one short
transaction, so a crash or `kill -9` leaves each send in the last state it
reached. A send's request is kept with file paths in place of file data, so
the outbox can send it again after a restart.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from faxgui.api.models import FaxMessageStatus
from faxgui.jobs.merge import MergeResult, merge_messages
from faxgui.jobs.poll_plan import RefKind
from faxgui.jobs.schema import migrate
from faxgui.jobs.sqlite import ThreadConnections

FILE_NAME = "jobs.sqlite3"


def default_store_path() -> Path:
    """Where the job store lives (honours XDG_DATA_HOME and the platform conventions)."""
    return Path(platformdirs.user_data_dir("faxgui", appauthor=False)) / FILE_NAME


def os_user_name() -> str:
    """The name the operating system knows the user by ("" when it cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        # No login name, USER/LOGNAME unset and no passwd entry (some containers).
        return ""


class SendState(StrEnum):
    """Where one SendFax request is on its way to the service."""

    OUTBOX = "outbox"  # recorded, not (known to be) at the service yet
    SUBMITTING = "submitting"  # on the wire, or was when the app stopped
    SUBMITTED = "submitted"  # the service answered: it has the faxes
    FAILED = "failed"  # the service refused it, or it could not be built
    CANCELLED = "cancelled"  # the user cancelled it before it reached the service

    @property
    def is_final(self) -> bool:
        return self in (SendState.SUBMITTED, SendState.FAILED, SendState.CANCELLED)

    @property
    def description(self) -> str:
        return _STATE_TEXT[self]


_STATE_TEXT = {
    SendState.OUTBOX: "Not yet submitted",
    SendState.SUBMITTING: "Submitting",
    SendState.SUBMITTED: "Submitted",
    SendState.FAILED: "Failed",
    SendState.CANCELLED: "Cancelled",
}

# target state -> the states a send may reach it from
_ALLOWED_FROM: dict[SendState, frozenset[SendState]] = {
    SendState.SUBMITTING: frozenset({SendState.OUTBOX, SendState.SUBMITTING}),
    SendState.SUBMITTED: frozenset({SendState.OUTBOX, SendState.SUBMITTING}),
    SendState.OUTBOX: frozenset({SendState.OUTBOX, SendState.SUBMITTING}),
    SendState.FAILED: frozenset({SendState.OUTBOX, SendState.SUBMITTING}),
    SendState.CANCELLED: frozenset({SendState.OUTBOX, SendState.SUBMITTING}),
}


class JobStoreError(Exception):
    """A job store operation that cannot be done as asked."""


class UnknownSendError(JobStoreError, KeyError):
    """No send with that SendRef is in the store."""

    def __str__(self) -> str:
        return f"no send {self.args[0]!r} in the job store"


class SendStateError(JobStoreError):
    """A state change the send's current state does not allow (it was already finished)."""

    def __init__(self, send_ref: str, current: SendState, wanted: SendState) -> None:
        self.send_ref = send_ref
        self.current = current
        self.wanted = wanted
        super().__init__(f"send {send_ref!r} is {current}, so it cannot become {wanted}")


class DuplicateSendRefError(JobStoreError):
    """A SendRef already recorded: the service requires each one to be unique."""

    def __init__(self, send_refs: Sequence[str]) -> None:
        self.send_refs = tuple(send_refs)
        shown = ", ".join(self.send_refs[:3]) + (" ..." if len(self.send_refs) > 3 else "")
        super().__init__(f"send reference already used: {shown}")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class NewMessage:
    """One fax message of a send about to be recorded."""

    message_ref: str
    send_to: str
    recipient_name: str = ""


@dataclass(frozen=True, slots=True)
class NewSend:
    """One SendFax request about to be recorded, in the outbox.

    `request_json` is the request with file paths instead of file data (see
    `faxgui.jobs.request_json`); `summary` is what the status panel shows
    without reading it (options, document names and pages).
    """

    send_ref: str
    summary: Mapping[str, Any]
    request_json: str
    messages: Sequence[NewMessage]


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    """One composer send: the requests it became share its BroadcastRef.

    `composed_by` is the operating system's user name of whoever sent it;
    `tracked` marks a reference followed from elsewhere (see `faxgui.jobs.history`).
    """

    id: int
    broadcast_ref: str
    created: datetime
    account: str
    endpoint: str
    draft_json: str | None
    composed_by: str = ""
    tracked: bool = False


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One SendFax request and where it is on its way."""

    send_ref: str
    broadcast_id: int
    broadcast_ref: str
    account: str
    endpoint: str
    position: int
    state: SendState
    summary: Mapping[str, Any]
    created: datetime
    updated: datetime
    submitted: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One fax message and the latest status known for it."""

    send_ref: str
    position: int
    message_ref: str
    recipient_name: str
    send_to: str
    status: str | None
    result: str | None
    error: str | None
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class DocumentDigest:
    """One document of a recorded send, by content (see `faxgui.compose.recent_sends`).

    `message_ref` None: one of the send's shared documents, which every
    message of the send without documents of its own carries.
    """

    send_ref: str
    digest: str
    message_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """A document that went, or is on its way, to one number.

    `when` is when the service took it, or when it was recorded for a send
    not submitted yet.
    """

    send_to: str
    digest: str
    when: datetime
    broadcast_ref: str
    state: SendState


_SEND_COLUMNS = """
    s.send_ref, s.broadcast_id, b.broadcast_ref, b.account, b.endpoint, s.position, s.state,
    s.summary_json, s.created, s.updated, s.submitted, s.attempts, s.last_error
"""
_SEND_FROM = "sends s JOIN broadcasts b ON b.id = s.broadcast_id"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _optional_moment(text: str | None) -> datetime | None:
    return None if text is None else _moment(text)


def _send_record(row: sqlite3.Row) -> SendRecord:
    return SendRecord(
        send_ref=row[0],
        broadcast_id=row[1],
        broadcast_ref=row[2],
        account=row[3],
        endpoint=row[4],
        position=row[5],
        state=SendState(row[6]),
        summary=json.loads(row[7]),
        created=_moment(row[8]),
        updated=_moment(row[9]),
        submitted=_optional_moment(row[10]),
        attempts=row[11],
        last_error=row[12],
    )


# --------------------------------------------------------------------------- the store


class JobStore:
    """The job store in one SQLite file; safe to use from any number of threads.

    Opening it creates the file and applies pending migrations. `close()`
    closes every thread's connection: call it once no other thread uses the
    store any more.
    """

    def __init__(
        self, path: Path | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._path = path if path is not None else default_store_path()
        self._clock = clock if clock is not None else (lambda: datetime.now(UTC))
        self._db = ThreadConnections(self._path, lambda: JobStoreError("the job store is closed"))
        connection = self._connection()
        # WAL is a property of the file: set once, it holds for every later connection.
        connection.execute("PRAGMA journal_mode = WAL")
        migrate(connection)

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        """Close every connection; the store cannot be used afterwards. Safe to repeat."""
        self._db.close()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _connection(self) -> sqlite3.Connection:
        return self._db.connection()

    def _transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._db.transaction()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, for the readers built on the store (`faxgui.jobs.history`)."""
        return self._db.connection()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on an exception)."""
        return self._db.transaction()

    def _now(self) -> str:
        return _iso(self._clock())

    # ------------------------------------------------------------------ recording

    def add_broadcast(
        self,
        broadcast_ref: str,
        *,
        account: str,
        endpoint: str,
        sends: Sequence[NewSend],
        draft_json: str | None = None,
        composed_by: str | None = None,
    ) -> BroadcastRecord:
        """Record a broadcast and its sends, all in the outbox, in one transaction.

        `composed_by` defaults to the operating system's user name. Raises
        DuplicateSendRefError (recording nothing) if a SendRef is already in the store.
        """
        if not sends:
            raise ValueError("a broadcast needs at least one send")
        now = self._now()
        who = os_user_name() if composed_by is None else composed_by
        refs = [send.send_ref for send in sends]
        if len(set(refs)) != len(refs):
            raise DuplicateSendRefError(sorted({r for r in refs if refs.count(r) > 1}))
        with self._transaction() as db:
            used = [ref for ref in refs if self._send_exists(db, ref)]
            if used:
                raise DuplicateSendRefError(used)
            cursor = db.execute(
                "INSERT INTO broadcasts (broadcast_ref, created, account, endpoint, draft_json, "
                "composed_by) VALUES (?, ?, ?, ?, ?, ?)",
                (broadcast_ref, now, account, endpoint, draft_json, who),
            )
            broadcast_id = cursor.lastrowid
            assert broadcast_id is not None
            self._insert_sends(db, broadcast_id, sends, now, first_position=1)
        return BroadcastRecord(
            broadcast_id, broadcast_ref, _moment(now), account, endpoint, draft_json, who
        )

    def add_sends(self, broadcast_id: int, sends: Sequence[NewSend]) -> list[SendRecord]:
        """Record more sends of an existing broadcast (a resend), in the outbox, after its others.

        Raises DuplicateSendRefError (recording nothing) if a SendRef is already
        in the store, JobStoreError when there is no such broadcast.
        """
        if not sends:
            raise ValueError("at least one send is needed")
        now = self._now()
        refs = [send.send_ref for send in sends]
        if len(set(refs)) != len(refs):
            raise DuplicateSendRefError(sorted({r for r in refs if refs.count(r) > 1}))
        with self._transaction() as db:
            used = [ref for ref in refs if self._send_exists(db, ref)]
            if used:
                raise DuplicateSendRefError(used)
            row = db.execute(
                "SELECT COALESCE(MAX(s.position), 0) FROM broadcasts b "
                "LEFT JOIN sends s ON s.broadcast_id = b.id WHERE b.id = ? GROUP BY b.id",
                (broadcast_id,),
            ).fetchone()
            if row is None:
                raise JobStoreError(f"no broadcast {broadcast_id} in the job store")
            self._insert_sends(db, broadcast_id, sends, now, first_position=row[0] + 1)
        return [self.require_send(ref) for ref in refs]

    @staticmethod
    def _insert_sends(
        db: sqlite3.Connection,
        broadcast_id: int,
        sends: Sequence[NewSend],
        now: str,
        *,
        first_position: int,
    ) -> None:
        db.executemany(
            "INSERT INTO sends (send_ref, broadcast_id, position, state, summary_json, "
            "request_json, created, updated) VALUES (?, ?, ?, 'outbox', ?, ?, ?, ?)",
            (
                (
                    send.send_ref,
                    broadcast_id,
                    position,
                    json.dumps(dict(send.summary)),
                    send.request_json,
                    now,
                    now,
                )
                for position, send in enumerate(sends, first_position)
            ),
        )
        db.executemany(
            "INSERT INTO messages (send_ref, position, message_ref, recipient_name, send_to) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (send.send_ref, position, m.message_ref, m.recipient_name, m.send_to)
                for send in sends
                for position, m in enumerate(send.messages, 1)
            ),
        )

    @staticmethod
    def _send_exists(db: sqlite3.Connection, send_ref: str) -> bool:
        row = db.execute("SELECT 1 FROM sends WHERE send_ref = ?", (send_ref,)).fetchone()
        return row is not None

    def _change_state(
        self,
        db: sqlite3.Connection,
        send_ref: str,
        target: SendState,
        assignments: str = "",
        values: Sequence[Any] = (),
    ) -> None:
        allowed = _ALLOWED_FROM[target]
        placeholders = ", ".join("?" for _ in allowed)
        cursor = db.execute(
            f"UPDATE sends SET state = ?, updated = ?{assignments} "
            f"WHERE send_ref = ? AND state IN ({placeholders})",
            (target.value, self._now(), *values, send_ref, *(s.value for s in allowed)),
        )
        if cursor.rowcount == 1:
            return
        row = db.execute("SELECT state FROM sends WHERE send_ref = ?", (send_ref,)).fetchone()
        if row is None:
            raise UnknownSendError(send_ref)
        raise SendStateError(send_ref, SendState(row[0]), target)

    def mark_submitting(self, send_ref: str) -> SendRecord:
        """Record that the request is about to go out (one more attempt)."""
        with self._transaction() as db:
            self._change_state(db, send_ref, SendState.SUBMITTING, ", attempts = attempts + 1", ())
        return self.require_send(send_ref)

    def mark_not_sent(self, send_ref: str, error: str) -> SendRecord:
        """Undo `mark_submitting`: no connection could be opened, so nothing went out.

        Back in the outbox with the attempt given back, so the request counts as
        never tried: it can be cancelled without asking the service.
        """
        with self._transaction() as db:
            self._change_state(
                db,
                send_ref,
                SendState.OUTBOX,
                ", attempts = attempts - 1, last_error = ?",
                (error,),
            )
        return self.require_send(send_ref)

    def mark_submitted(self, send_ref: str, messages: Sequence[FaxMessageStatus]) -> SendRecord:
        """Record the service's answer: it has the faxes, each with its first status.

        The statuses merge as any later answer does (`faxgui.jobs.merge`), so an
        answer found by asking after a dropped connection never undoes a newer one.
        """
        moment = self._clock()
        now = _iso(moment)
        with self._transaction() as db:
            self._change_state(
                db, send_ref, SendState.SUBMITTED, ", submitted = ?, last_error = NULL", (now,)
            )
            account, endpoint = db.execute(
                "SELECT b.account, b.endpoint FROM sends s JOIN broadcasts b "
                "ON b.id = s.broadcast_id WHERE s.send_ref = ?",
                (send_ref,),
            ).fetchone()
            merge_messages(
                db,
                messages,
                observed=moment,
                now=moment,
                account=account,
                endpoint=endpoint,
                selection=(RefKind.SEND, send_ref),
                send_key=send_ref,
            )
        return self.require_send(send_ref)

    def mark_waiting(self, send_ref: str, error: str) -> SendRecord:
        """Back to the outbox: the service could not be reached (or not confirm it has it)."""
        with self._transaction() as db:
            self._change_state(db, send_ref, SendState.OUTBOX, ", last_error = ?", (error,))
        return self.require_send(send_ref)

    def mark_failed(self, send_ref: str, error: str) -> SendRecord:
        """The service refused the request, or it could not be built; it is not retried."""
        with self._transaction() as db:
            self._change_state(db, send_ref, SendState.FAILED, ", last_error = ?", (error,))
        return self.require_send(send_ref)

    def mark_cancelled(self, send_ref: str, reason: str) -> SendRecord:
        """The user cancelled the request before it reached the service."""
        with self._transaction() as db:
            self._change_state(db, send_ref, SendState.CANCELLED, ", last_error = ?", (reason,))
        return self.require_send(send_ref)

    def record_statuses(self, messages: Iterable[FaxMessageStatus]) -> int:
        """Merge the status of each listed message (of any account); returns rows changed.

        `faxgui.jobs.history.JobHistory.merge` does the same for one account and
        says which rows changed; see `faxgui.jobs.merge` for what "newer" means.
        """
        moment = self._clock()
        with self._transaction() as db:
            result = merge_messages(db, list(messages), observed=moment, now=moment)
        return len(result.changed_messages)

    def merge_answer(
        self,
        messages: Sequence[FaxMessageStatus],
        *,
        account: str,
        endpoint: str,
        selection: tuple[RefKind, str] | None,
        observed: datetime,
        track: tuple[RefKind, str] | None = None,
    ) -> MergeResult:
        """Merge one status-shaped answer in one transaction (see `faxgui.jobs.merge`).

        `track` first records a reference to follow from now on, whose faxes
        this answer then creates.
        """
        moment = self._clock()
        with self._transaction() as db:
            if track is not None:
                db.execute(
                    "INSERT OR IGNORE INTO tracked_refs (account, endpoint, kind, ref, added) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (account, endpoint, track[0].value, track[1], _iso(moment)),
                )
            return merge_messages(
                db,
                messages,
                observed=observed,
                now=moment,
                account=account,
                endpoint=endpoint,
                selection=selection,
            )

    def now(self) -> datetime:
        """The store's clock: the time it writes into the records."""
        return self._clock()

    def add_document_digests(self, digests: Iterable[DocumentDigest]) -> int:
        """Record what recorded sends carry (see `deliveries`); returns the rows added."""
        rows = [(d.send_ref, d.message_ref, d.digest) for d in digests]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO document_digests (send_ref, message_ref, digest) VALUES (?, ?, ?)",
                rows,
            )
        return len(rows)

    # ------------------------------------------------------------------ reading

    def deliveries(self, since: datetime) -> list[Delivery]:
        """Each number and document of the sends submitted since `since` or still on their way.

        On their way: in the outbox, or on the wire. A message with documents
        of its own carries those; the others carry their send's shared ones.
        """
        rows = self._connection().execute(
            """
            SELECT m.send_to, d.digest, COALESCE(s.submitted, s.created), b.broadcast_ref,
                   s.state
            FROM sends s
            JOIN broadcasts b ON b.id = s.broadcast_id
            JOIN messages m ON m.send_ref = s.send_ref
            JOIN document_digests d ON d.send_ref = s.send_ref AND (
                d.message_ref = m.message_ref
                OR (d.message_ref IS NULL AND NOT EXISTS (
                    SELECT 1 FROM document_digests own
                    WHERE own.send_ref = m.send_ref AND own.message_ref = m.message_ref
                ))
            )
            WHERE s.state IN ('outbox', 'submitting')
               OR (s.state = 'submitted' AND s.submitted >= ?)
            """,
            (_iso(since),),
        )
        return [Delivery(r[0], r[1], _moment(r[2]), r[3], SendState(r[4])) for r in rows]

    def broadcast(self, broadcast_id: int) -> BroadcastRecord | None:
        row = (
            self._connection()
            .execute(
                "SELECT id, broadcast_ref, created, account, endpoint, draft_json, "
                "composed_by, tracked FROM broadcasts WHERE id = ?",
                (broadcast_id,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return BroadcastRecord(
            row[0], row[1], _moment(row[2]), row[3], row[4], row[5], row[6], bool(row[7])
        )

    def broadcasts(self) -> list[BroadcastRecord]:
        """Every broadcast, newest first."""
        rows = self._connection().execute(
            "SELECT id, broadcast_ref, created, account, endpoint, draft_json, composed_by, "
            "tracked FROM broadcasts ORDER BY id DESC"
        )
        return [
            BroadcastRecord(r[0], r[1], _moment(r[2]), r[3], r[4], r[5], r[6], bool(r[7]))
            for r in rows
        ]

    def send(self, send_ref: str) -> SendRecord | None:
        row = (
            self._connection()
            .execute(f"SELECT {_SEND_COLUMNS} FROM {_SEND_FROM} WHERE s.send_ref = ?", (send_ref,))
            .fetchone()
        )
        return None if row is None else _send_record(row)

    def require_send(self, send_ref: str) -> SendRecord:
        record = self.send(send_ref)
        if record is None:
            raise UnknownSendError(send_ref)
        return record

    def sends(
        self, *, states: Iterable[SendState] | None = None, broadcast_id: int | None = None
    ) -> list[SendRecord]:
        """Sends in the order they were recorded, optionally only those in `states`."""
        conditions: list[str] = []
        values: list[Any] = []
        if states is not None:
            wanted = [SendState(s).value for s in states]
            if not wanted:
                return []
            conditions.append(f"s.state IN ({', '.join('?' for _ in wanted)})")
            values += wanted
        if broadcast_id is not None:
            conditions.append("s.broadcast_id = ?")
            values.append(broadcast_id)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._connection().execute(
            f"SELECT {_SEND_COLUMNS} FROM {_SEND_FROM}{where} ORDER BY s.broadcast_id, s.position",
            values,
        )
        return [_send_record(row) for row in rows]

    def request_json(self, send_ref: str) -> str:
        """The send's request, with file paths in place of file data."""
        row = (
            self._connection()
            .execute("SELECT request_json FROM sends WHERE send_ref = ?", (send_ref,))
            .fetchone()
        )
        if row is None:
            raise UnknownSendError(send_ref)
        text: str = row[0]
        return text

    def messages(self, send_ref: str) -> list[MessageRecord]:
        rows = self._connection().execute(
            "SELECT send_ref, position, message_ref, recipient_name, send_to, status, result, "
            "error, updated FROM messages WHERE send_ref = ? ORDER BY position",
            (send_ref,),
        )
        return [
            MessageRecord(
                send_ref=r[0],
                position=r[1],
                message_ref=r[2],
                recipient_name=r[3],
                send_to=r[4],
                status=r[5],
                result=r[6],
                error=r[7],
                updated=_optional_moment(r[8]),
            )
            for r in rows
        ]
