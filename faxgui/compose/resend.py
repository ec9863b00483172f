"""Sending the failed faxes of a send or broadcast again, and opening a sent job as a new draft.

A resend is a new SendFax request in the same broadcast: new SendRefs
(`<BroadcastRef>-S<n>`, the next numbers free) and new MessageRefs (the
service refuses one it has seen), built from the stored requests (see
`faxgui.jobs.request_json`) with each file read again from where it was.
It is recorded in the job store under the same broadcast before it goes out
and delivered by the send pipeline, so it is never sent twice either.

Which faxes count as failed: those the service finished with the result
"failed", except the ones a person stopped (FAX_CANCELLED), unless asked to
include them. Blocked numbers are left out: they would be blocked again.
A MustBeSentBeforeDate that has passed is dropped, or the resend would be
cancelled the moment it arrived.

Reads files and the job store: call it on a worker thread. Qt-free.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from faxgui.api.enums import DitheringTechnique, FaxError, FaxResult
from faxgui.api.models import (
    DocMergeData,
    FaxDocument,
    FaxMessage,
    ImageStampMergeData,
    SendFaxRequest,
    StampMergeData,
    TextStampMergeData,
)
from faxgui.compose.draft import Draft, DraftDocument, DraftFormatError, FaxOptions, Recipient
from faxgui.compose.phone import format_for_display
from faxgui.compose.pipeline import (
    FileSources,
    PendingSend,
    ProgressCallback,
    SendFileError,
    SendPipeline,
    SendReport,
)
from faxgui.compose.refs import message_ref_for, send_ref_for
from faxgui.compose.requests import MAX_MESSAGES_PER_REQUEST
from faxgui.jobs.history import HistoryMessage, JobHistory
from faxgui.jobs.request_json import (
    RequestJsonError,
    request_from_json,
    request_summary,
    request_to_json,
)
from faxgui.jobs.store import DuplicateSendRefError, JobStore, NewMessage, NewSend


class ResendError(Exception):
    """A resend or a new draft that cannot be made; `user_message` says why and what to do."""

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


_TRACKED = (
    "This fax was sent from another computer or program, so faxgui has no copy of its "
    "documents. Send it again from where it was sent, or compose a new fax."
)


def is_resendable(message: HistoryMessage, *, include_stopped: bool = False) -> bool:
    """True for a fax the service finished as failed (stopped ones only when asked)."""
    if message.outcome is not FaxResult.FAILED:
        return False
    return include_stopped or message.error is not FaxError.FAX_CANCELLED


def failed_messages(
    history: JobHistory,
    *,
    send_id: int | None = None,
    broadcast_id: int | None = None,
    include_stopped: bool = False,
) -> list[HistoryMessage]:
    """The faxes of a send or of a whole broadcast that a resend would send again."""
    if (send_id is None) == (broadcast_id is None):
        raise ValueError("give either send_id or broadcast_id")
    messages = (
        history.send_messages(send_id)
        if send_id is not None
        else history.broadcast_messages(broadcast_id or 0)
    )
    return [m for m in messages if is_resendable(m, include_stopped=include_stopped)]


@dataclass(frozen=True, slots=True)
class ResendPlan:
    """New requests for failed faxes, ready for `submit_resend`.

    `source_messages` are the history ids of the faxes sent again;
    `recipient_names` and `page_counts` are keyed as in `SendJob`.
    """

    broadcast_id: int
    broadcast_ref: str
    account: str
    endpoint: str
    requests: tuple[SendFaxRequest, ...]
    files: FileSources
    recipient_names: Mapping[str, str] = field(default_factory=dict)
    page_counts: Mapping[str, int] = field(default_factory=dict)
    source_messages: tuple[int, ...] = ()

    @property
    def send_refs(self) -> list[str]:
        return [request.send_ref or "" for request in self.requests]

    @property
    def fax_count(self) -> int:
        return sum(len(request.fax_messages) for request in self.requests)


def _free_send_refs(store: JobStore, broadcast_ref: str, start: int, count: int) -> list[str]:
    refs: list[str] = []
    index = start
    while len(refs) < count:
        ref = send_ref_for(broadcast_ref, index)
        if store.send(ref) is None:
            refs.append(ref)
        index += 1
    return refs


def _for_resend(document: FaxDocument) -> FaxDocument:
    """The document without "save as" (its DocumentRef is taken): by file, or by saved ref."""
    if document.file_data is None or document.document_ref is None:
        return document
    return FaxDocument(
        file_name=document.file_name,
        file_data=document.file_data,
        order=document.order,
        dithering_technique=document.dithering_technique,
        doc_merge_data=list(document.doc_merge_data),
        stamp_merge_data=list(document.stamp_merge_data),
    )


def _drop_passed_deadline(target: SendFaxRequest | FaxMessage, now: datetime) -> None:
    # A resend is asked for now: a deadline that has passed would cancel it at once.
    deadline = target.must_be_sent_before_date
    if deadline is not None and deadline.tzinfo is not None and deadline <= now:
        target.must_be_sent_before_date = None


def _shared_part(request: SendFaxRequest) -> SendFaxRequest:
    """A copy of the request's own settings and documents, with no faxes."""
    copy = SendFaxRequest(
        fax_messages=[],
        broadcast_ref=request.broadcast_ref,
        documents=[_for_resend(d) for d in request.documents],
    )
    for name in (
        "resolution",
        "blocklists",
        "send_from",
        "scheduled_start_time",
        "retries",
        "busy_retries",
        "header_format",
        "must_be_sent_before_date",
        "max_fax_pages",
        "cli",
    ):
        setattr(copy, name, getattr(request, name))
    return copy


def _signature(request: SendFaxRequest, files: FileSources) -> str:
    """What the requests that can share one resend request have in common."""
    return request_to_json(
        SendFaxRequest(
            fax_messages=[],
            documents=request.documents,
            resolution=request.resolution,
            blocklists=request.blocklists,
            send_from=request.send_from,
            retries=request.retries,
            busy_retries=request.busy_retries,
            header_format=request.header_format,
            max_fax_pages=request.max_fax_pages,
            cli=request.cli,
            scheduled_start_time=request.scheduled_start_time,
            must_be_sent_before_date=request.must_be_sent_before_date,
        ),
        files.path_of,
    )


def plan_resend(
    store: JobStore,
    history: JobHistory,
    *,
    send_id: int | None = None,
    broadcast_id: int | None = None,
    include_stopped: bool = False,
    max_messages: int = MAX_MESSAGES_PER_REQUEST,
) -> ResendPlan:
    """New requests carrying the failed faxes of a send (or broadcast), reading their files.

    Faxes whose original requests had the same documents and settings share
    a request (up to `max_messages` each). Raises ResendError when nothing
    failed, for a tracked fax, or when a file cannot be read any more.
    """
    failed = failed_messages(
        history, send_id=send_id, broadcast_id=broadcast_id, include_stopped=include_stopped
    )
    owner = history.broadcast(
        broadcast_id if broadcast_id is not None else history.send(send_id or 0).broadcast_id
    )
    if owner.tracked:
        raise ResendError(_TRACKED)
    if not failed:
        raise ResendError("No fax here failed, so there is nothing to send again.")
    now = store.now()
    files = FileSources()
    groups: dict[str, tuple[SendFaxRequest, list[FaxMessage]]] = {}
    names: dict[str, str] = {}
    page_counts: dict[str, int] = {}
    by_send: dict[int, list[HistoryMessage]] = {}
    for message in failed:
        by_send.setdefault(message.send_id, []).append(message)
    for source_id, messages in by_send.items():
        source = history.send(source_id)
        try:
            stored = request_from_json(store.request_json(source.key), files.read)
        except SendFileError as exc:
            raise ResendError(exc.user_message) from exc
        except RequestJsonError as exc:
            raise ResendError(
                "The saved copy of this fax is damaged, so it cannot be sent again. "
                "Compose it as a new fax."
            ) from exc
        for document in source.documents:
            if document.pages is not None:
                page_counts[document.name] = document.pages
        shared = _shared_part(stored)
        _drop_passed_deadline(shared, now)
        signature = _signature(shared, files)
        group = groups.setdefault(signature, (shared, []))
        originals = {m.message_ref: m for m in stored.fax_messages}
        for message in messages:
            original = originals.get(message.message_ref)
            if original is None:
                continue
            original.documents = [_for_resend(d) for d in original.documents]
            _drop_passed_deadline(original, now)
            group[1].append(original)
            if message.recipient_name:
                names[original.message_ref] = message.recipient_name

    chunks = [
        (shared, faxes[start : start + max_messages])
        for shared, faxes in groups.values()
        for start in range(0, len(faxes), max_messages)
    ]
    start = len(history.sends_of(owner.id)) + 1
    refs = _free_send_refs(store, owner.broadcast_ref, start, len(chunks))
    requests: list[SendFaxRequest] = []
    recipient_names: dict[str, str] = {}
    for send_ref, (shared, faxes) in zip(refs, chunks, strict=True):
        request = _shared_part(shared)
        request.send_ref = send_ref
        for number, original in enumerate(faxes, 1):
            new_ref = message_ref_for(send_ref, number)
            if original.message_ref in names:
                recipient_names[new_ref] = names[original.message_ref]
            original.message_ref = new_ref
            request.fax_messages.append(original)
        requests.append(request)
    return ResendPlan(
        broadcast_id=owner.id,
        broadcast_ref=owner.broadcast_ref,
        account=owner.account,
        endpoint=owner.endpoint,
        requests=tuple(requests),
        files=files,
        recipient_names=recipient_names,
        page_counts=page_counts,
        source_messages=tuple(m.id for m in failed),
    )


def submit_resend(
    pipeline: SendPipeline,
    plan: ResendPlan,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> SendReport:
    """Record the plan's requests under its broadcast, then send them (see `SendPipeline`).

    Raises ResendError when the account in Settings is not the one the
    broadcast was sent with (its references belong to that account).
    """
    client = pipeline.client_factory()
    try:
        if (client.username, client.endpoint) != (plan.account, plan.endpoint):
            raise ResendError(
                f"This fax was sent with the account “{plan.account}”. Switch to that account "
                "in Settings to send it again, or open it as a new fax."
            )
        with pipeline.claim(plan.send_refs) as claimed:
            if len(claimed) != len(plan.requests):
                raise DuplicateSendRefError([r for r in plan.send_refs if r not in claimed])
            records = pipeline.store.add_sends(
                plan.broadcast_id,
                [
                    NewSend(
                        send_ref=request.send_ref or "",
                        summary=request_summary(request, plan.page_counts),
                        request_json=request_to_json(request, plan.files.path_of),
                        messages=[
                            NewMessage(
                                m.message_ref,
                                m.send_to,
                                plan.recipient_names.get(m.message_ref, ""),
                            )
                            for m in request.fax_messages
                        ],
                    )
                    for request in plan.requests
                ],
            )
            pending = [
                PendingSend(record, _built(request))
                for record, request in zip(records, plan.requests, strict=True)
            ]
            report = pipeline.deliver(client, pending, on_progress=on_progress, cancel=cancel)
    finally:
        client.close()
    return SendReport(report.results, plan.broadcast_id, report.stopped_by)


def _built(request: SendFaxRequest) -> Any:
    return lambda: request


# --------------------------------------------------------------------------- as a new draft


def _stamp(stored: Mapping[str, Any]) -> StampMergeData:
    if stored["kind"] == "text":
        size = stored.get("font_size")
        return TextStampMergeData(
            x=stored["x"],
            y=stored["y"],
            text=stored["text"],
            font_name=stored.get("font_name"),
            font_size=None if size is None else Decimal(size),
        )
    if "file" in stored:
        try:
            data = Path(stored["file"]).read_bytes()
        except OSError as exc:
            raise ResendError(
                f"The stamp image “{stored['file_name']}” could not be read from "
                f"{stored['file']} ({exc.strerror or type(exc).__name__}). Put it back there "
                "and try again."
            ) from exc
    else:
        data = base64.b64decode(stored["data"])
    return ImageStampMergeData(
        x=stored["x"],
        y=stored["y"],
        file_name=stored["file_name"],
        file_data=data,
        width=stored.get("width"),
        height=stored.get("height"),
    )


def _draft_documents(
    stored: Iterable[Mapping[str, Any]], page_counts: Mapping[str, int]
) -> list[DraftDocument]:
    documents: list[DraftDocument] = []
    for d in sorted(stored, key=lambda d: d.get("order", 0)):
        path = d.get("file")
        technique = d.get("dithering_technique")
        name = d.get("file_name") or d.get("document_ref") or ""
        documents.append(
            DraftDocument(
                path=None if path is None else Path(path),
                # With its file, the document goes as the file (its old reference is taken).
                document_ref=None if path is not None else d.get("document_ref"),
                dithering_technique=None if technique is None else DitheringTechnique(technique),
                doc_merge_data=[DocMergeData(k, v) for k, v in d.get("doc_merge_data", [])],
                stamps=[_stamp(s) for s in d.get("stamp_merge_data", [])],
                page_count=page_counts.get(name),
            )
        )
    return documents


def _options(stored: Mapping[str, Any]) -> FaxOptions:
    # request_from_json reads the option fields the same way; reuse it on an empty request.
    body = {"fax_messages": [], **{k: v for k, v in stored.items() if k not in _NOT_OPTIONS}}
    request = request_from_json(json.dumps({"format": 1, "request": body}), _no_files)
    options = FaxOptions()
    for name in (
        "send_from",
        "resolution",
        "retries",
        "busy_retries",
        "header_format",
        "scheduled_start_time",
        "must_be_sent_before_date",
        "max_fax_pages",
        "cli",
        "blocklists",
    ):
        setattr(options, name, getattr(request, name))
    return options


_NOT_OPTIONS = frozenset({"documents", "fax_messages", "message_ref", "send_to", "send_ref"})


def _no_files(path: str) -> bytes:
    raise AssertionError(f"no file is read for options ({path})")


def _stored_body(store: JobStore, send_key: str) -> dict[str, Any]:
    text = store.request_json(send_key)
    if not text:
        raise ResendError(_TRACKED)
    try:
        body: dict[str, Any] = json.loads(text)["request"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ResendError(
            "The saved copy of this fax is damaged, so it cannot be opened as a new fax."
        ) from exc
    return body


def _add_send(draft: Draft, store: JobStore, send_key: str, *, first: bool) -> None:
    body = _stored_body(store, send_key)
    summary = store.require_send(send_key).summary
    page_counts = {
        d["name"]: d["pages"] for d in summary.get("documents", ()) if d.get("pages") is not None
    }
    if first:
        draft.options = _options(body)
        draft.documents = _draft_documents(body.get("documents", []), page_counts)
        draft.renumber_documents()
    names = {m.message_ref: m.recipient_name for m in store.messages(send_key)}
    recipients: list[Recipient] = []
    for stored in body.get("fax_messages", []):
        number = stored["send_to"]
        recipient = Recipient(
            fax_number=format_for_display(number),
            name=names.get(stored["message_ref"], ""),
            normalised=number,
            overrides=_options(stored),
            documents=_draft_documents(stored.get("documents", []), page_counts),
        )
        recipient.renumber_documents()
        recipients.append(recipient)
    draft.add_recipients(recipients)


def draft_from_send(store: JobStore, send_key: str) -> Draft:
    """One stored send as a new draft: its documents, settings and recipients, new references."""
    draft = Draft.new()
    _add_send(draft, store, send_key, first=True)
    return draft


def draft_from_broadcast(store: JobStore, broadcast_id: int) -> Draft:
    """A whole broadcast as a new draft, with new references.

    The composer's own draft is used when it was kept with the broadcast;
    otherwise the draft is rebuilt from its sends (the first one's documents
    and settings, everyone's recipients).
    """
    record = store.broadcast(broadcast_id)
    if record is None:
        raise ResendError("This fax is no longer in the history.")
    if record.tracked:
        raise ResendError(_TRACKED)
    if record.draft_json:
        try:
            draft = Draft.loads(record.draft_json)
        except DraftFormatError as exc:
            raise ResendError(f"This fax cannot be opened as a new fax: {exc}") from exc
        draft.renew_references()
        return draft
    sends: Sequence[Any] = store.sends(broadcast_id=broadcast_id)
    if not sends:
        raise ResendError("This fax has nothing recorded to open.")
    draft = Draft.new()
    for index, send in enumerate(sends):
        _add_send(draft, store, send.send_ref, first=index == 0)
    return draft
