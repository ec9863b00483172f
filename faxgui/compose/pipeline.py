"""The send pipeline: SendFax requests to the service, recorded first, never sent twice.

Every request is in the job store before anything goes out, marked
"submitting" just before its call and "submitted" with the service's answer
after it. When a call times out or its connection drops, the request may or
may not have arrived; before sending it again the pipeline asks FaxStatus for
its SendRef and resends only when the service has no record of it. When the
service cannot be reached at all, the request waits in the outbox
(`faxgui.compose.outbox`) and goes out later. Service faults fail the request
with a message saying what to fix and are never retried.

One race is left to the service: if it is still working on a timed-out
attempt when FaxStatus is asked, it has no record yet and the request goes
again. The service refuses a SendRef it already has, so only one of the two
is taken; and a refusal that follows an earlier attempt is checked with
FaxStatus before it counts as a failure.

All of it blocks: run it on a worker thread. Qt-free.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from faxgui.api.enums import Verbosity
from faxgui.api.errors import (
    AuthenticationError,
    MonopondError,
    NoMessagesFoundFault,
    NotConnectedError,
    ServiceFault,
    TLSError,
)
from faxgui.api.models import (
    FaxDocument,
    FaxStatusRequest,
    FaxStatusResponse,
    SendFaxRequest,
)
from faxgui.jobs.request_json import RequestJsonError, request_summary, request_to_json
from faxgui.jobs.store import (
    DuplicateSendRefError,
    JobStore,
    NewMessage,
    NewSend,
    SendRecord,
    SendState,
)

if TYPE_CHECKING:
    from faxgui.compose.draft import SavedCopy

DEFAULT_ATTEMPTS_PER_PASS = 3

# (requests finished, requests in all, what is happening now); called on the worker thread.
ProgressCallback = Callable[[int, int, str], None]


class FaxService(Protocol):
    """What the pipeline needs of a client; `faxgui.api.MonopondClient` is one."""

    @property
    def endpoint(self) -> str: ...

    @property
    def username(self) -> str: ...

    def send_fax(self, request: SendFaxRequest) -> FaxStatusResponse: ...

    def fax_status(self, request: FaxStatusRequest) -> FaxStatusResponse: ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------- files


class SendFileError(Exception):
    """A document file that cannot be read any more: moved, deleted or unreadable."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        name = os.path.basename(path) or path
        self.user_message = (
            f"The file “{name}” could not be read ({reason}), so the fax using it was not "
            f"sent. It was at {path}. Put the file back there, or attach it again and send "
            "the fax again."
        )
        super().__init__(self.user_message)


class FileSources:
    """Reads each document file once and remembers which data came from which file.

    The same bytes object is handed out for every read of a path, so a
    document shared by several requests is held in memory once; `path_of`
    finds the path again for the job store. One instance per job, used by
    one thread.
    """

    def __init__(self) -> None:
        self._by_path: dict[str, bytes] = {}
        self._by_identity: dict[int, str] = {}

    def read(self, path: str | os.PathLike[str]) -> bytes:
        """The whole file at `path` (read the first time it is asked for); SendFileError if not."""
        key = os.path.abspath(os.fspath(path))
        data = self._by_path.get(key)
        if data is None:
            try:
                data = Path(key).read_bytes()
            except FileNotFoundError:
                raise SendFileError(key, "it is no longer there") from None
            except IsADirectoryError:
                raise SendFileError(key, "it is a folder") from None
            except PermissionError:
                raise SendFileError(key, "permission denied") from None
            except OSError as exc:
                raise SendFileError(key, exc.strerror or type(exc).__name__) from None
            self._by_path[key] = data
            # Keyed by identity: the bytes object lives as long as this instance holds it.
            self._by_identity[id(data)] = key
        return data

    def path_of(self, data: bytes) -> str | None:
        """The path `data` was read from; None for data that no `read` returned."""
        path = self._by_identity.get(id(data))
        if path is None or self._by_path.get(path) is not data:
            return None
        return path

    @property
    def paths(self) -> list[str]:
        return list(self._by_path)


# --------------------------------------------------------------------------- jobs and results


@dataclass(frozen=True, slots=True)
class SendJob:
    """One broadcast to submit: its SendFax requests and where their file data came from.

    Every request needs a SendRef of its own (the pipeline finds a request at
    the service by it) and all share one BroadcastRef. Each file's data must
    come from `files`, so the job store can record the path instead of the
    data. `recipient_names` maps MessageRef to the name shown for it;
    `page_counts` maps a document's file name or DocumentRef to its pages;
    `draft_json` is kept with the broadcast as the composer's state.
    `saved_copies` maps a file's path to a copy of it already saved on the
    service (for a preview), which is sent by reference instead of the file
    when it fits the service and account (`with_saved_copies`).
    """

    requests: Sequence[SendFaxRequest]
    files: FileSources
    recipient_names: Mapping[str, str] = field(default_factory=dict)
    page_counts: Mapping[str, int] = field(default_factory=dict)
    draft_json: str | None = None
    saved_copies: Mapping[str, SavedCopy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.requests:
            raise ValueError("a send job needs at least one request")
        refs = [request.send_ref for request in self.requests]
        if any(not ref for ref in refs):
            raise ValueError("every request of a send job needs a SendRef")
        if len(set(refs)) != len(refs):
            raise ValueError("the requests of a send job need different SendRefs")
        if len({request.broadcast_ref for request in self.requests}) != 1:
            raise ValueError("the requests of a send job share one BroadcastRef")

    @property
    def broadcast_ref(self) -> str:
        return self.requests[0].broadcast_ref or ""

    @property
    def send_refs(self) -> list[str]:
        return [request.send_ref or "" for request in self.requests]

    def with_saved_copies(self, endpoint: str, account: str, now: datetime) -> None:
        """Send each file that has a usable saved copy on `endpoint` for `account` by the
        copy's DocumentRef instead of its data (the requests are changed in place)."""
        if not self.saved_copies:
            return

        def by_reference(document: FaxDocument) -> FaxDocument:
            if document.file_data is None or document.document_ref is not None:
                return document
            path = self.files.path_of(document.file_data)
            copy = self.saved_copies.get(path) if path is not None else None
            if copy is None or not copy.usable(endpoint, account, now):
                return document
            return FaxDocument(
                document_ref=copy.document_ref,
                order=document.order,
                dithering_technique=document.dithering_technique,
                doc_merge_data=list(document.doc_merge_data),
                stamp_merge_data=list(document.stamp_merge_data),
            )

        for request in self.requests:
            request.documents = [by_reference(d) for d in request.documents]
            for message in request.fax_messages:
                message.documents = [by_reference(d) for d in message.documents]


@dataclass(frozen=True, slots=True)
class SendResult:
    """How one request ended this time: its state, the answer, or what went wrong.

    `message` is a sentence for the user (empty when submitted); `error` the
    exception behind it, if any.
    """

    send_ref: str
    broadcast_ref: str
    state: SendState
    response: FaxStatusResponse | None = None
    message: str = ""
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class SendReport:
    """What a submit or an outbox retry did, request by request.

    `stopped_by` is the error that ended the pass early (the service could
    not be reached, or refused the password): the requests after it were
    left waiting in the outbox.
    """

    results: tuple[SendResult, ...]
    broadcast_id: int | None = None
    stopped_by: Exception | None = None

    def _refs(self, state: SendState) -> list[str]:
        return [r.send_ref for r in self.results if r.state is state]

    @property
    def submitted(self) -> list[str]:
        return self._refs(SendState.SUBMITTED)

    @property
    def waiting(self) -> list[str]:
        return self._refs(SendState.OUTBOX)

    @property
    def failed(self) -> list[SendResult]:
        return [r for r in self.results if r.state is SendState.FAILED]

    @property
    def cancelled(self) -> list[str]:
        return self._refs(SendState.CANCELLED)

    @property
    def all_submitted(self) -> bool:
        return bool(self.results) and all(r.state is SendState.SUBMITTED for r in self.results)


@dataclass(frozen=True, slots=True)
class PendingSend:
    """A recorded request to deliver; `build` makes it (reading its files) when needed."""

    record: SendRecord
    build: Callable[[], SendFaxRequest]


class SendInProgressError(Exception):
    """The send is being delivered by another pass right now."""

    def __init__(self, send_ref: str) -> None:
        self.send_ref = send_ref
        super().__init__(
            f"{send_ref} is being sent right now. Use Cancel on its progress bar to stop it."
        )


class _Unreachable(Exception):
    """The service could not tell us whether it has a request: end the pass."""

    def __init__(self, cause: MonopondError) -> None:
        self.cause = cause
        super().__init__(str(cause))


def _fault_text(fault: ServiceFault) -> str:
    if fault.server_message and fault.server_message not in fault.user_message:
        return f"{fault.user_message} The fax service said: {fault.server_message}"
    return fault.user_message


def _waiting_text(error: Exception) -> str:
    reason = getattr(error, "user_message", str(error))
    return f"Not yet submitted: {reason}"


# --------------------------------------------------------------------------- the pipeline


class SendPipeline:
    """Submits send jobs and delivers recorded requests; one per application.

    `client_factory()` gives a client for the account in Settings; the
    pipeline asks for one per pass and closes it when the pass ends. Passes
    may run on several threads at once: a request is only ever handled by
    one of them (see `claim`).
    """

    def __init__(
        self,
        client_factory: Callable[[], FaxService],
        store: JobStore,
        *,
        attempts_per_pass: int = DEFAULT_ATTEMPTS_PER_PASS,
    ) -> None:
        if attempts_per_pass < 1:
            raise ValueError("attempts_per_pass must be at least 1")
        self.client_factory = client_factory
        self.store = store
        self._attempts_per_pass = attempts_per_pass
        self._in_flight: set[str] = set()
        self._in_flight_lock = threading.Lock()

    # ------------------------------------------------------------------ claims

    @contextlib.contextmanager
    def claim(self, send_refs: Sequence[str]) -> Iterator[list[str]]:
        """Reserve the sends no other pass of this pipeline holds; yields those reserved."""
        with self._in_flight_lock:
            claimed = [ref for ref in dict.fromkeys(send_refs) if ref not in self._in_flight]
            self._in_flight.update(claimed)
        try:
            yield claimed
        finally:
            with self._in_flight_lock:
                self._in_flight.difference_update(claimed)

    # ------------------------------------------------------------------ submitting

    def submit(
        self,
        job: SendJob,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> SendReport:
        """Record `job` in the outbox, then send its requests in order.

        Setting `cancel` stops before the next request (a request already on
        the wire is never interrupted); the ones not sent become cancelled.
        Raises DuplicateSendRefError, recording and sending nothing, when a
        SendRef was used before; whatever `client_factory` raises passes through.
        """
        client = self.client_factory()
        try:
            with self.claim(job.send_refs) as claimed:
                if len(claimed) != len(job.requests):
                    raise DuplicateSendRefError(
                        [ref for ref in job.send_refs if ref not in claimed]
                    )
                # Before recording: the job store keeps each request as it is sent.
                job.with_saved_copies(client.endpoint, client.username, datetime.now(UTC))
                broadcast = self.store.add_broadcast(
                    job.broadcast_ref,
                    account=client.username,
                    endpoint=client.endpoint,
                    sends=[self._new_send(job, request) for request in job.requests],
                    draft_json=job.draft_json,
                )
                records = self.store.sends(broadcast_id=broadcast.id)
                pending = [
                    PendingSend(record, _built(request))
                    for record, request in zip(records, job.requests, strict=True)
                ]
                report = self.deliver(client, pending, on_progress=on_progress, cancel=cancel)
        finally:
            client.close()
        return SendReport(report.results, broadcast.id, report.stopped_by)

    @staticmethod
    def _new_send(job: SendJob, request: SendFaxRequest) -> NewSend:
        names = job.recipient_names
        return NewSend(
            send_ref=request.send_ref or "",
            summary=request_summary(request, job.page_counts),
            request_json=request_to_json(request, job.files.path_of),
            messages=[
                NewMessage(m.message_ref, m.send_to, names.get(m.message_ref, ""))
                for m in request.fax_messages
            ],
        )

    # ------------------------------------------------------------------ delivering

    def deliver(
        self,
        client: FaxService,
        sends: Sequence[PendingSend],
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        cancel_keeps_waiting: bool = False,
    ) -> SendReport:
        """Deliver recorded requests, which the caller has claimed, in order.

        When `cancel` is set, the requests not yet sent become cancelled, or
        stay in the outbox with `cancel_keeps_waiting` (an outbox retry
        stopped because the app is closing cancels no fax). A service fault
        cancels the requests of the same broadcast that follow it, since
        they would most likely be refused the same way.
        """
        total = len(sends)
        results: list[SendResult] = []
        refused_broadcasts: set[int] = set()
        stopped_by: Exception | None = None
        progress = on_progress or (lambda done, total, message: None)

        for index, pending in enumerate(sends):
            record = pending.record
            where = f"part {index + 1} of {total}" if total > 1 else "the fax"
            if stopped_by is not None:
                results.append(self._left(record, _waiting_text(stopped_by)))
                continue
            if record.broadcast_id in refused_broadcasts and record.attempts == 0:
                results.append(
                    self._cancelled(record, "Not sent, because an earlier part was refused.")
                )
                continue
            if cancel is not None and cancel.is_set() and record.attempts == 0:
                if cancel_keeps_waiting:
                    results.append(self._left(record, "Not yet submitted."))
                else:
                    results.append(self._cancelled(record, "Cancelled before it was sent."))
                continue
            count = record.summary.get("messages", 0)
            progress(index, total, f"Sending {where}: {count} fax{'' if count == 1 else 'es'}")
            try:
                result = self._deliver_one(
                    client, pending, cancel, cancel_keeps_waiting, progress, index, total, where
                )
            except _Unreachable as unreachable:
                stopped_by = unreachable.cause
                text = _waiting_text(unreachable.cause)
                self.store.mark_waiting(record.send_ref, text)
                result = SendResult(
                    record.send_ref, record.broadcast_ref, SendState.OUTBOX, None, text, stopped_by
                )
            if result.state is SendState.FAILED and isinstance(result.error, ServiceFault):
                refused_broadcasts.add(record.broadcast_id)
            results.append(result)
        progress(total, total, "Done")
        return SendReport(tuple(results), None, stopped_by)

    def _left(self, record: SendRecord, text: str) -> SendResult:
        """A request this pass did not get to: it stays as it is, in the outbox."""
        return SendResult(record.send_ref, record.broadcast_ref, record.state, None, text)

    def _cancelled(self, record: SendRecord, text: str) -> SendResult:
        self.store.mark_cancelled(record.send_ref, text)
        return SendResult(record.send_ref, record.broadcast_ref, SendState.CANCELLED, None, text)

    def _deliver_one(
        self,
        client: FaxService,
        pending: PendingSend,
        cancel: threading.Event | None,
        cancel_keeps_waiting: bool,
        progress: ProgressCallback,
        index: int,
        total: int,
        where: str,
    ) -> SendResult:
        record = pending.record
        send_ref, broadcast_ref = record.send_ref, record.broadcast_ref
        message_refs = [m.message_ref for m in self.store.messages(send_ref)]
        request: SendFaxRequest | None = None
        # An earlier attempt (this pass, an earlier one, or before a crash) may have arrived.
        maybe_arrived = record.attempts > 0
        tries = 0
        last_problem: MonopondError | None = None
        while True:
            if maybe_arrived:
                progress(index, total, f"Checking whether {where} reached the fax service")
                found = self._arrival(client, send_ref, message_refs)
                if isinstance(found, FaxStatusResponse):
                    self.store.mark_submitted(send_ref, found.messages)
                    return SendResult(send_ref, broadcast_ref, SendState.SUBMITTED, found)
                if found is not None:
                    self.store.mark_failed(send_ref, found)
                    return SendResult(send_ref, broadcast_ref, SendState.FAILED, None, found)
            if cancel is not None and cancel.is_set():
                if cancel_keeps_waiting:
                    text = "Not yet submitted."
                    self.store.mark_waiting(send_ref, text)
                    return SendResult(send_ref, broadcast_ref, SendState.OUTBOX, None, text)
                text = "Cancelled before it reached the fax service."
                self.store.mark_cancelled(send_ref, text)
                return SendResult(send_ref, broadcast_ref, SendState.CANCELLED, None, text)
            if tries == self._attempts_per_pass:
                assert last_problem is not None
                text = _waiting_text(last_problem)
                self.store.mark_waiting(send_ref, text)
                return SendResult(
                    send_ref, broadcast_ref, SendState.OUTBOX, None, text, last_problem
                )
            if request is None:
                try:
                    request = pending.build()
                except SendFileError as exc:
                    self.store.mark_failed(send_ref, exc.user_message)
                    return SendResult(
                        send_ref, broadcast_ref, SendState.FAILED, None, exc.user_message, exc
                    )
                except RequestJsonError as exc:
                    text = "This fax's saved copy is damaged, so it cannot be sent again."
                    self.store.mark_failed(send_ref, text)
                    return SendResult(send_ref, broadcast_ref, SendState.FAILED, None, text, exc)
            self.store.mark_submitting(send_ref)
            tries += 1
            try:
                response = client.send_fax(request)
            except ServiceFault as fault:
                return self._refused(client, send_ref, broadcast_ref, message_refs, fault)
            except (AuthenticationError, TLSError) as exc:
                # Refused before the service looked at the request: it certainly did not arrive.
                raise _Unreachable(exc) from exc
            except NotConnectedError as exc:
                # No connection was ever opened, so nothing went out: the attempt is given
                # back (a waiting fax that never left can then be cancelled at once), and
                # the pass stops, since the service cannot be reached at all.
                self.store.mark_not_sent(send_ref, _waiting_text(exc))
                raise _Unreachable(exc) from exc
            except MonopondError as exc:
                last_problem = exc
                maybe_arrived = True
                continue
            self.store.mark_submitted(send_ref, response.messages)
            return SendResult(send_ref, broadcast_ref, SendState.SUBMITTED, response)

    def _refused(
        self,
        client: FaxService,
        send_ref: str,
        broadcast_ref: str,
        message_refs: Sequence[str],
        fault: ServiceFault,
    ) -> SendResult:
        text = _fault_text(fault)
        record = self.store.require_send(send_ref)
        if record.attempts > 1:
            # An earlier attempt may have arrived, and the service refuses a SendRef it
            # already has: find out before calling this a failure.
            try:
                found = self._arrival(client, send_ref, message_refs)
            except _Unreachable:
                self.store.mark_waiting(send_ref, _waiting_text(fault))
                return SendResult(
                    send_ref, broadcast_ref, SendState.OUTBOX, None, _waiting_text(fault), fault
                )
            if isinstance(found, FaxStatusResponse):
                self.store.mark_submitted(send_ref, found.messages)
                return SendResult(send_ref, broadcast_ref, SendState.SUBMITTED, found)
        self.store.mark_failed(send_ref, text)
        return SendResult(send_ref, broadcast_ref, SendState.FAILED, None, text, fault)

    def arrival(
        self, client: FaxService, send_ref: str, message_refs: Sequence[str]
    ) -> FaxStatusResponse | str | None:
        """Ask the service whether it has the request `send_ref`.

        Returns its answer when our faxes (`message_refs`) are there, None
        when it has no record of the SendRef, or a message for the user when
        the SendRef belongs to other faxes. Raises the MonopondError when the
        service gives no clear answer.
        """
        try:
            answer = client.fax_status(
                FaxStatusRequest(send_ref=send_ref, verbosity=Verbosity.SEND)
            )
        except NoMessagesFoundFault:
            return None
        found = {m.message_ref for m in answer.messages}
        if set(message_refs) <= found:
            return answer
        return (
            f"The fax service already has other faxes under the send reference {send_ref}, so "
            "this one was not sent. Give it a new send reference and send it again."
        )

    def _arrival(
        self, client: FaxService, send_ref: str, message_refs: Sequence[str]
    ) -> FaxStatusResponse | str | None:
        try:
            return self.arrival(client, send_ref, message_refs)
        except MonopondError as exc:
            raise _Unreachable(exc) from exc


def _built(request: SendFaxRequest) -> Callable[[], SendFaxRequest]:
    return lambda: request
