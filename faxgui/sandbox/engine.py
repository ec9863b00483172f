"""The sandbox's fax service: Monopond's rules and a simulated fax line, with no HTTP and no Qt.

The SOAP server hands each parsed request to `SandboxEngine` with the
authenticated account name and turns the `faxgui.api.errors` ServiceFault the
engine raises into a SOAP fault. Accounts never see each other's faxes or
saved documents.

Timing model
------------
Nothing runs in the background. Each fax keeps its current status and the
moment that status ends; every call first replays the transitions whose
moment has passed, so a fax's life depends only on the clock, never on how
often anyone asks. At speed 1 the phases last (seconds):

| status | lasts |
|---|---|
| pending | 2 |
| processing | 4 (document errors end the fax here) |
| queued | 2, or until ScheduledStartTime, or until the next retry is due |
| starting | 4 (blocklists and funds end the fax here) |
| sending | the call (below) |
| finalizing | 5 |
| pausing, resuming, stopping | 2, then paused / the next phase / done |

A call that goes through takes 10 + 30 per page (the slow test number: 300 +
30 per page). Failed calls take: busy 15, no answer 45, unobtainable 5,
negotiation failed 20, incompatible machine 15, unknown 20; an early hang-up
or failed transmission drops halfway through the pages.

A one-page fax is done 57 seconds after it was sent. A failed call is retried
60 seconds after it ended (queued meanwhile). Until its call starts, a fax is
cancelled the moment its MustBeSentBeforeDate comes, whatever it is waiting
for (paused included). `speed` divides every duration
(`speed=10` for demos, 1000 or more in tests); ScheduledStartTime and
MustBeSentBeforeDate are absolute times and are not scaled. Reported call
durations are measured on the same clock, so they shrink with the speed too.

Account defaults
----------------
Retries 2, BusyRetries 3 (each at most 10), MaxFaxPages 20, Resolution
normal, HeaderFormat "From %from%, To %to%|%a %b %d %H:%M %Y". Busy and
no-answer calls use busy retries; every other failed call uses retries.
Each page that goes through costs 0.10; unanswered calls cost 0.00.

Choices where the documentation is silent
-----------------------------------------
- A fax that ends without a call (document problem, blocklist, funds, stop,
  MustBeSentBeforeDate) still gets one FaxResult carrying the error, with
  pages 0, cost 0.00, duration 0 and no call times, numbered after any real
  attempts. FaxResultsTotals.totalAttempts counts only calls actually made.
- FaxStatusTotals has no buckets for the transitional statuses: pausing and
  paused count as queued (waiting, not on the line), resuming as starting,
  stopping as finalizing (no more sending, about to be done).
- Pause is accepted while pending, processing, queued, starting or resuming;
  stop also while pausing or paused. A fax that cannot be paused, resumed or
  stopped is still listed in the answer, with its status unchanged.
- A fax paused before it was processed is processed after resuming; one
  paused later resumes to queued if its start time (or next retry) is still
  ahead, otherwise to starting. A paused fax is still cancelled when its
  MustBeSentBeforeDate passes.
- When a fax has several document problems, unreadable content
  (DOCUMENT_UNSUPPORTED) wins over the conversion-failure test number, which
  wins over the page limit (DOCUMENT_EXCEEDS_PAGE_LIMIT).
- A FaxResult's Error carries the error name only; the service's error codes
  are not documented, so none is invented.
- FaxStatus without a Verbosity answers at "brief". Naive request times are
  read as UTC.

Documents as the fax prints them
--------------------------------
Page counts (for MaxFaxPages) and FaxDocumentPreview use the real fax
rasteriser (`faxgui.imaging.raster`). Word documents have their DocMergeData
filled in first (`<mf:key>` fields; a field given no value stays as typed; a
.doc is saved as .docx by LibreOffice to be merged), then Office documents
are converted to PDF by LibreOffice and PostScript by Ghostscript, when
installed. Without LibreOffice an Office document is still accepted and
counted from its own metadata, but its preview is UnsupportedDocumentContentType
with a sentence saying why. A document sent with FileData, a DocumentRef and
DocMergeData is saved as uploaded (the template, reusable with other values).
StampMergeData is drawn on every page of a preview; a stamp that cannot be
drawn (an image that is not an image) is InvalidArguments. Converting and
rendering happen outside the engine's lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Resolution, Verbosity
from faxgui.api.errors import (
    DocumentRefAlreadyExistsFault,
    InvalidArgumentsFault,
    MergeFieldDoesNotMatchDocumentTypeFault,
    NoMessagesFoundFault,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    FaxAttempt,
    FaxDetails,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    FaxMessage,
    FaxMessageStatus,
    FaxResultsTotals,
    FaxStatusRequest,
    FaxStatusResponse,
    FaxStatusTotals,
    PauseFaxRequest,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StopFaxRequest,
)
from faxgui.imaging.office import OfficeConverter, OfficeUnavailableError, default_converter
from faxgui.imaging.raster import InvalidStampError, UnrenderableDocumentError, render_fax_tiff
from faxgui.imaging.stamp_geometry import DEFAULT_CONVENTION, StampConvention
from faxgui.sandbox.clock import system_clock, to_milliseconds
from faxgui.sandbox.documents import (
    DocumentPreparer,
    DocumentStore,
    MergeKey,
    PreparedDocument,
    apply_merge,
    merge_key,
    prepare_document,
    printable,
)
from faxgui.sandbox.numbers import SandboxNumber, behaviour_for

DEFAULT_RETRIES = 2
DEFAULT_BUSY_RETRIES = 3
MAX_RETRIES = 10
DEFAULT_MAX_FAX_PAGES = 20
DEFAULT_HEADER_FORMAT = "From %from%, To %to%|%a %b %d %H:%M %Y"
MAX_SEND_FROM = 32
COST_PER_PAGE = Decimal("0.10")

_PENDING_SECONDS = 2.0
_PROCESSING_SECONDS = 4.0
_QUEUED_SECONDS = 2.0
_STARTING_SECONDS = 4.0
_HANDSHAKE_SECONDS = 10.0
_SLOW_HANDSHAKE_SECONDS = 300.0
_PAGE_SECONDS = 30.0
_FINALIZING_SECONDS = 5.0
_TRANSITION_SECONDS = 2.0
_RETRY_DELAY_SECONDS = 60.0
# How long a failed call stays on the line; the two that drop mid-fax are
# timed from the pages they got through instead.
_CALL_SECONDS: dict[FaxError, float] = {
    FaxError.FAX_BUSY: 15.0,
    FaxError.FAX_NO_ANSWER: 45.0,
    FaxError.FAX_NUMBER_UNOBTAINABLE: 5.0,
    FaxError.FAX_NEGOTIATION_FAILED: 20.0,
    FaxError.FAX_INCOMPATIBLE_MACHINE: 15.0,
    FaxError.FAX_UNKNOWN: 20.0,
}
_DROPS_HALFWAY = frozenset({FaxError.FAX_EARLY_HANGUP, FaxError.FAX_SENDING_FAILED})
_BUSY_CLASS = frozenset({FaxError.FAX_BUSY, FaxError.FAX_NO_ANSWER})
_DOCUMENT_ERRORS = frozenset(
    {
        FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT,
        FaxError.DOCUMENT_UNSUPPORTED,
        FaxError.DOCUMENT_FAILED_CONVERSION,
    }
)

_PAUSABLE = frozenset(
    {
        FaxStatus.PENDING,
        FaxStatus.PROCESSING,
        FaxStatus.QUEUED,
        FaxStatus.STARTING,
        FaxStatus.RESUMING,
    }
)
_RESUMABLE = frozenset({FaxStatus.PAUSING, FaxStatus.PAUSED})
_STOPPABLE = _PAUSABLE | _RESUMABLE
_BEFORE_THE_CALL = _STOPPABLE

_TOTALS_BUCKET: dict[FaxStatus, str] = {
    FaxStatus.PAUSING: "queued",
    FaxStatus.PAUSED: "queued",
    FaxStatus.RESUMING: "starting",
    FaxStatus.STOPPING: "finalizing",
}

_T = TypeVar("_T")

_NO_REFERENCE = "At least one of BroadcastRef, SendRef or MessageRef is required"


@dataclass(slots=True)
class _Fax:
    """One fax message's life in the sandbox."""

    message_ref: str
    send_ref: str | None
    broadcast_ref: str | None
    send_to: str
    details: FaxDetails
    script: SandboxNumber
    pages: int
    document_error: FaxError | None
    deadline: datetime | None
    retries_left: int
    busy_retries_left: int
    next_attempt_at: datetime
    status: FaxStatus
    phase_started: datetime
    phase_ends: datetime | None  # None: stays until a call changes it (paused, done)
    processed: bool = False
    call_outcome: FaxError | None = None
    calls_made: int = 0
    result: FaxResult | None = None
    attempts: list[FaxAttempt] = field(default_factory=list)


@dataclass(slots=True)
class _Account:
    faxes: list[_Fax] = field(default_factory=list)
    by_message_ref: dict[str, _Fax] = field(default_factory=dict)
    by_send_ref: dict[str, list[_Fax]] = field(default_factory=dict)
    documents: DocumentStore = field(default_factory=DocumentStore)


@dataclass(slots=True)
class _PlannedDocument:
    """A request document, checked but not yet resolved against saved documents.

    `prepared` is the uploaded file as a DocumentRef saves it (None: only a
    DocumentRef, resolved under the lock); `faxed` is what goes down the line,
    its merge data filled in. For a DocumentRef with merge data, `faxed` is
    worked out from `faxed_from` (the saved document) before the lock is taken.
    """

    source: FaxDocument
    prepared: PreparedDocument | None
    faxed: PreparedDocument | None = None
    faxed_from: PreparedDocument | None = None


@dataclass(slots=True)
class _PlannedMessage:
    message: FaxMessage
    documents: list[_PlannedDocument]
    details: FaxDetails
    max_fax_pages: int
    scheduled_start: datetime | None
    deadline: datetime | None


class SandboxEngine:
    """Monopond Fax API v2.1 behaviour for any number of accounts; thread-safe (one lock)."""

    def __init__(
        self,
        *,
        speed: float = 1.0,
        clock: Callable[[], datetime] | None = None,
        office: OfficeConverter | None = None,
        stamp_convention: StampConvention = DEFAULT_CONVENTION,
    ) -> None:
        """`office` converts Office and PostScript documents (default: whatever is installed);
        `stamp_convention` says how StampMergeData coordinates are read."""
        if not speed > 0:
            raise ValueError("speed must be greater than zero")
        self._speed = speed
        self._clock = clock if clock is not None else system_clock
        self._office = office if office is not None else default_converter()
        self._stamp_convention = stamp_convention
        self._lock = threading.Lock()
        self._accounts: dict[str, _Account] = {}

    @property
    def speed(self) -> float:
        return self._speed

    # ------------------------------------------------------------------ operations

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        """Accept faxes for sending and answer at verbosity "send"."""
        preparer = DocumentPreparer(self._office)
        plans = self._plan_send(req, preparer)
        self._merge_saved_documents(account, plans, preparer)
        with self._lock:
            now = self._now()
            acct = self._account(account)
            self._check_references_unused(acct, req, plans)
            to_save = self._documents_to_save(acct, plans, now)
            resolved = [self._resolve_documents(acct, plan, to_save, now) for plan in plans]
            for document_ref, document in to_save.items():
                acct.documents.save(document_ref, document, now)
            faxes = [
                self._create_fax(acct, req, plan, documents, now)
                for plan, documents in zip(plans, resolved, strict=True)
            ]
            return self._response(faxes, Verbosity.SEND)

    def fax_status(self, account: str, req: FaxStatusRequest) -> FaxStatusResponse:
        """The selected faxes at the requested verbosity (brief when none is given)."""
        with self._lock:
            now = self._now()
            faxes = self._select(
                self._account(account), req.broadcast_ref, req.send_ref, req.message_ref, now
            )
            return self._response(faxes, req.verbosity or Verbosity.BRIEF)

    def pause_fax(self, account: str, req: PauseFaxRequest) -> FaxStatusResponse:
        """Pause the selected faxes that have not reached the line; list all of them."""
        return self._control(
            account, req.broadcast_ref, req.send_ref, req.message_ref, _PAUSABLE, FaxStatus.PAUSING
        )

    def resume_fax(self, account: str, req: ResumeFaxRequest) -> FaxStatusResponse:
        """Resume the selected paused faxes; list all of them."""
        return self._control(
            account,
            req.broadcast_ref,
            req.send_ref,
            req.message_ref,
            _RESUMABLE,
            FaxStatus.RESUMING,
        )

    def stop_fax(self, account: str, req: StopFaxRequest) -> FaxStatusResponse:
        """Stop the selected faxes that have not reached the line; list all of them."""
        return self._control(
            account,
            req.broadcast_ref,
            req.send_ref,
            req.message_ref,
            _STOPPABLE,
            FaxStatus.STOPPING,
        )

    def save_fax_document(self, account: str, req: SaveFaxDocumentRequest) -> None:
        """Keep a document under its DocumentRef for 30 days."""
        document_ref = _require_document_ref(req.document_ref)
        document = prepare_document(req.file_name, req.file_data, self._office)
        with self._lock:
            self._account(account).documents.save(document_ref, document, self._now())

    def delete_fax_document(self, account: str, req: DeleteFaxDocumentRequest) -> None:
        """Remove a saved document."""
        document_ref = _require_document_ref(req.document_ref)
        with self._lock:
            self._account(account).documents.delete(document_ref, self._now())

    def fax_document_preview(
        self, account: str, req: FaxDocumentPreviewRequest
    ) -> FaxDocumentPreviewResponse:
        """A saved document drawn as fax pages, as a TIFF Class F file.

        DocMergeData is filled in first (Word documents only), Office and
        PostScript documents are converted to PDF, and StampMergeData is drawn
        on every page.
        """
        document_ref = _require_document_ref(req.document_ref)
        with self._lock:
            document = self._account(account).documents.get(document_ref, self._now()).document
        if req.doc_merge_data:
            _check_merge_data(document)
        resolution = req.resolution or Resolution.NORMAL
        # Converting and rendering run outside the lock, so one large preview never holds up
        # other calls.
        try:
            file_name, data = apply_merge(
                document.file_name, document.data, merge_key(req.doc_merge_data), self._office
            )
            file_name, data = printable(file_name, data, self._office)
            tiff = render_fax_tiff(
                file_name,
                data,
                resolution,
                req.dithering_technique,
                req.stamp_merge_data,
                self._stamp_convention,
            )
        except InvalidStampError as exc:
            raise InvalidArgumentsFault(str(exc)) from exc
        except OfficeUnavailableError as exc:
            program = "Ghostscript" if document.file_type.extension == "ps" else "LibreOffice"
            raise UnsupportedDocumentContentTypeFault(
                f"The sandbox cannot preview '{document.file_name}': a {document.file_type.label} "
                f"is drawn with {program}, which is not installed on this computer. The document "
                f"can still be sent. Install {program}, or save the document as PDF, to preview it."
            ) from exc
        except UnrenderableDocumentError as exc:
            raise UnsupportedDocumentContentTypeFault(str(exc)) from exc
        return FaxDocumentPreviewResponse(tiff.data, tiff.pages)

    # ------------------------------------------------------------------ sending

    def _plan_send(self, req: SendFaxRequest, preparer: DocumentPreparer) -> list[_PlannedMessage]:
        """Check everything that needs no account state, and count pages (outside the lock)."""
        if not req.fax_messages:
            raise InvalidArgumentsFault("FaxMessages must hold at least one FaxMessage")
        _check_send_from(req.send_from, "SendFrom")
        _check_settings(req.retries, req.busy_retries, req.max_fax_pages, "")
        preparer.warm(
            (d.file_name, d.file_data, merge_key(d.doc_merge_data))
            for d in [*req.documents, *(d for m in req.fax_messages for d in m.documents)]
        )
        request_documents = [_plan_document(d, preparer) for d in req.documents]
        seen: set[str] = set()
        plans: list[_PlannedMessage] = []
        for message in req.fax_messages:
            ref = message.message_ref
            if not ref or not ref.strip():
                raise InvalidArgumentsFault("Every FaxMessage needs a MessageRef")
            if ref in seen:
                raise InvalidArgumentsFault(f"MessageRef '{ref}' is used more than once")
            seen.add(ref)
            where = f" of MessageRef '{ref}'"
            if not message.send_to or not re.fullmatch(
                r"\+?\d+", re.sub(r"[\s().-]", "", message.send_to)
            ):
                raise InvalidArgumentsFault(
                    f"SendTo{where} is not a fax number: {message.send_to!r}"
                )
            _check_send_from(message.send_from, f"SendFrom{where}")
            _check_settings(message.retries, message.busy_retries, message.max_fax_pages, where)
            if message.documents:
                documents = [_plan_document(d, preparer) for d in message.documents]
            else:
                documents = request_documents
            if not documents:
                raise InvalidArgumentsFault(
                    f"FaxMessage '{ref}' has no Documents, and the request has none to inherit"
                )
            plans.append(
                _PlannedMessage(
                    message=message,
                    documents=documents,
                    details=FaxDetails(
                        send_from=_inherit_optional(message.send_from, req.send_from),
                        resolution=_inherit(message.resolution, req.resolution, Resolution.NORMAL),
                        retries=_inherit(message.retries, req.retries, DEFAULT_RETRIES),
                        busy_retries=_inherit(
                            message.busy_retries, req.busy_retries, DEFAULT_BUSY_RETRIES
                        ),
                        header_format=_inherit(
                            message.header_format, req.header_format, DEFAULT_HEADER_FORMAT
                        ),
                    ),
                    max_fax_pages=_inherit(
                        message.max_fax_pages, req.max_fax_pages, DEFAULT_MAX_FAX_PAGES
                    ),
                    scheduled_start=_aware(
                        _inherit_optional(message.scheduled_start_time, req.scheduled_start_time)
                    ),
                    deadline=_aware(
                        _inherit_optional(
                            message.must_be_sent_before_date, req.must_be_sent_before_date
                        )
                    ),
                )
            )
        return plans

    def _merge_saved_documents(
        self, account: str, plans: Sequence[_PlannedMessage], preparer: DocumentPreparer
    ) -> None:
        """Fill in merge data of documents sent by DocumentRef alone, outside the lock.

        The saved documents are looked up under the lock and merged after it;
        `_resolve_documents` uses the result only if the reference still names
        the same document when the request is carried out.
        """
        by_ref = [
            p
            for p in _distinct_documents(plans)
            if p.prepared is None and p.source.doc_merge_data and p.source.document_ref
        ]
        if not by_ref:
            return
        uploaded = {
            p.source.document_ref: p.prepared
            for p in _distinct_documents(plans)
            if p.prepared is not None and p.source.document_ref
        }
        with self._lock:
            now = self._now()
            documents = self._account(account).documents
            found: dict[str, PreparedDocument] = {}
            for planned in by_ref:
                ref = planned.source.document_ref or ""
                if ref in uploaded:
                    found[ref] = uploaded[ref]
                elif documents.contains(ref, now):
                    found[ref] = documents.get(ref, now).document
        for planned in by_ref:
            base = found.get(planned.source.document_ref or "")
            if base is not None and base.file_type.accepts_doc_merge:
                planned.faxed_from = base
                planned.faxed = preparer.merged(base, merge_key(planned.source.doc_merge_data))

    @staticmethod
    def _check_references_unused(
        acct: _Account, req: SendFaxRequest, plans: Sequence[_PlannedMessage]
    ) -> None:
        if req.send_ref and req.send_ref in acct.by_send_ref:
            raise InvalidArgumentsFault(f"SendRef '{req.send_ref}' is already used")
        for plan in plans:
            ref = plan.message.message_ref
            if ref in acct.by_message_ref:
                raise InvalidArgumentsFault(f"MessageRef '{ref}' is already used")

    @staticmethod
    def _documents_to_save(
        acct: _Account, plans: Sequence[_PlannedMessage], now: datetime
    ) -> dict[str, PreparedDocument]:
        """Documents carrying both a DocumentRef and FileData: saved if the whole request is good.

        The same reference may appear more than once in a request (a document
        repeated in every message) as long as it is the same file each time.
        """
        to_save: dict[str, PreparedDocument] = {}
        for planned in _distinct_documents(plans):
            ref = planned.source.document_ref
            if not ref or planned.prepared is None:
                continue
            earlier = to_save.get(ref)
            if earlier is not None:
                if earlier is not planned.prepared:
                    raise DocumentRefAlreadyExistsFault(
                        f"DocumentRef '{ref}' is given to two different documents"
                    )
                continue
            if acct.documents.contains(ref, now):
                raise DocumentRefAlreadyExistsFault(f"DocumentRef '{ref}' already exists")
            to_save[ref] = planned.prepared
        return to_save

    @staticmethod
    def _resolve_documents(
        acct: _Account,
        plan: _PlannedMessage,
        to_save: dict[str, PreparedDocument],
        now: datetime,
    ) -> list[PreparedDocument]:
        resolved: list[PreparedDocument] = []
        for planned in sorted(plan.documents, key=lambda d: d.source.order):
            document = planned.prepared
            if document is None:
                ref = planned.source.document_ref or ""
                document = to_save.get(ref)
                if document is None:
                    document = acct.documents.get(ref, now).document
                if planned.source.doc_merge_data:
                    _check_merge_data(document)
                if planned.faxed is not None and planned.faxed_from is document:
                    document = planned.faxed
            else:
                document = planned.faxed or document
            resolved.append(document)
        return resolved

    def _create_fax(
        self,
        acct: _Account,
        req: SendFaxRequest,
        plan: _PlannedMessage,
        documents: Sequence[PreparedDocument],
        now: datetime,
    ) -> _Fax:
        message = plan.message
        script = behaviour_for(message.send_to)
        pages = sum(d.pages for d in documents)
        document_error: FaxError | None = None
        if any(d.problem for d in documents):
            document_error = FaxError.DOCUMENT_UNSUPPORTED
        elif script.refusal in _DOCUMENT_ERRORS:
            document_error = script.refusal
        elif pages > plan.max_fax_pages:
            document_error = FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
        details = plan.details
        fax = _Fax(
            message_ref=message.message_ref,
            send_ref=req.send_ref,
            broadcast_ref=req.broadcast_ref,
            send_to=message.send_to,
            details=details,
            script=script,
            pages=pages,
            document_error=document_error,
            deadline=plan.deadline,
            retries_left=details.retries or 0,
            busy_retries_left=details.busy_retries or 0,
            next_attempt_at=max(plan.scheduled_start or now, now),
            status=FaxStatus.PENDING,
            phase_started=now,
            phase_ends=self._after(now, _PENDING_SECONDS),
        )
        acct.faxes.append(fax)
        acct.by_message_ref[fax.message_ref] = fax
        if fax.send_ref:
            acct.by_send_ref.setdefault(fax.send_ref, []).append(fax)
        return fax

    # ------------------------------------------------------------------ selection, control

    def _select(
        self,
        acct: _Account,
        broadcast_ref: str | None,
        send_ref: str | None,
        message_ref: str | None,
        now: datetime,
    ) -> list[_Fax]:
        """The faxes matching every reference given (AND), brought up to `now`."""
        if not (broadcast_ref or send_ref or message_ref):
            raise InvalidArgumentsFault(_NO_REFERENCE)
        candidates: Iterable[_Fax]
        if message_ref:
            found = acct.by_message_ref.get(message_ref)
            candidates = [found] if found is not None else []
        elif send_ref:
            candidates = acct.by_send_ref.get(send_ref, [])
        else:
            candidates = acct.faxes
        faxes = [
            fax
            for fax in candidates
            if (not send_ref or fax.send_ref == send_ref)
            and (not broadcast_ref or fax.broadcast_ref == broadcast_ref)
        ]
        if not faxes:
            given = [
                f"{name} '{value}'"
                for name, value in (
                    ("BroadcastRef", broadcast_ref),
                    ("SendRef", send_ref),
                    ("MessageRef", message_ref),
                )
                if value
            ]
            raise NoMessagesFoundFault("No fax messages found for " + " and ".join(given))
        for fax in faxes:
            self._advance(fax, now)
        return faxes

    def _control(
        self,
        account: str,
        broadcast_ref: str | None,
        send_ref: str | None,
        message_ref: str | None,
        allowed: frozenset[FaxStatus],
        target: FaxStatus,
    ) -> FaxStatusResponse:
        with self._lock:
            now = self._now()
            faxes = self._select(self._account(account), broadcast_ref, send_ref, message_ref, now)
            for fax in faxes:
                if fax.status in allowed:
                    self._enter(fax, target, now, self._after(now, _TRANSITION_SECONDS))
            return self._response(faxes, Verbosity.SEND, with_totals=False)

    # ------------------------------------------------------------------ the simulated line

    def _advance(self, fax: _Fax, now: datetime) -> None:
        """Replay every transition of `fax` that falls due by `now`.

        Until its call starts, a fax is cancelled the moment its
        MustBeSentBeforeDate comes, whatever it is waiting for.
        """
        while True:
            due = fax.phase_ends
            cancel = False
            if fax.deadline is not None and fax.status in _BEFORE_THE_CALL:
                cut = max(fax.deadline, fax.phase_started)
                if due is None or cut <= due:
                    due, cancel = cut, True
            if due is None or due > now:
                return
            if cancel:
                self._finish_without_call(fax, due, FaxResult.FAILED, FaxError.FAX_CANCELLED)
            else:
                self._end_phase(fax, due)

    def _end_phase(self, fax: _Fax, t: datetime) -> None:
        match fax.status:
            case FaxStatus.PENDING:
                self._enter(fax, FaxStatus.PROCESSING, t, self._after(t, _PROCESSING_SECONDS))
            case FaxStatus.PROCESSING:
                fax.processed = True
                if fax.document_error is not None:
                    self._finish_without_call(fax, t, FaxResult.FAILED, fax.document_error)
                else:
                    self._queue(fax, t, _QUEUED_SECONDS)
            case FaxStatus.QUEUED:
                self._enter(fax, FaxStatus.STARTING, t, self._after(t, _STARTING_SECONDS))
            case FaxStatus.STARTING:
                self._dial(fax, t)
            case FaxStatus.SENDING:
                self._end_call(fax, t)
            case FaxStatus.FINALIZING:
                self._enter(fax, FaxStatus.DONE, t, None)
            case FaxStatus.PAUSING:
                self._enter(fax, FaxStatus.PAUSED, t, None)
            case FaxStatus.STOPPING:
                self._finish_without_call(fax, t, FaxResult.FAILED, FaxError.FAX_CANCELLED)
            case FaxStatus.RESUMING:
                if fax.processed:
                    self._queue(fax, t, 0.0)
                else:
                    self._enter(fax, FaxStatus.PROCESSING, t, self._after(t, _PROCESSING_SECONDS))

    def _queue(self, fax: _Fax, t: datetime, minimum_seconds: float) -> None:
        """Wait for the next attempt's start time (at least `minimum_seconds`), then start."""
        due = max(self._after(t, minimum_seconds), fax.next_attempt_at)
        if due <= t:
            self._enter(fax, FaxStatus.STARTING, t, self._after(t, _STARTING_SECONDS))
        else:
            self._enter(fax, FaxStatus.QUEUED, t, due)

    def _dial(self, fax: _Fax, t: datetime) -> None:
        refusal = fax.script.refusal
        if refusal is not None and refusal not in _DOCUMENT_ERRORS:
            result = FaxResult.BLOCKED if refusal.value.startswith("BLOCK_") else FaxResult.FAILED
            self._finish_without_call(fax, t, result, refusal)
            return
        outcome = fax.script.call_outcome(fax.calls_made + 1)
        fax.call_outcome = outcome
        self._enter(fax, FaxStatus.SENDING, t, self._after(t, self._call_seconds(fax, outcome)))

    def _end_call(self, fax: _Fax, t: datetime) -> None:
        outcome = fax.call_outcome
        started = fax.phase_started
        if outcome is None:
            pages = fax.pages
        elif outcome in _DROPS_HALFWAY:
            pages = fax.pages // 2
        else:
            pages = 0
        fax.calls_made += 1
        fax.attempts.append(
            FaxAttempt(
                attempt=len(fax.attempts) + 1,
                result=FaxResult.SUCCESS if outcome is None else FaxResult.FAILED,
                error=outcome,
                cost=COST_PER_PAGE * pages,
                pages=pages,
                total_fax_duration=round((t - started).total_seconds()),
                scheduled_start_time=to_milliseconds(fax.next_attempt_at),
                date_call_started=to_milliseconds(started),
                date_call_ended=to_milliseconds(t),
            )
        )
        if outcome is None:
            fax.result = FaxResult.SUCCESS
        elif outcome in _BUSY_CLASS and fax.busy_retries_left > 0:
            fax.busy_retries_left -= 1
            self._retry(fax, t)
            return
        elif outcome not in _BUSY_CLASS and fax.retries_left > 0:
            fax.retries_left -= 1
            self._retry(fax, t)
            return
        else:
            fax.result = FaxResult.FAILED
        self._enter(fax, FaxStatus.FINALIZING, t, self._after(t, _FINALIZING_SECONDS))

    def _retry(self, fax: _Fax, t: datetime) -> None:
        fax.next_attempt_at = self._after(t, _RETRY_DELAY_SECONDS)
        self._queue(fax, t, 0.0)

    def _finish_without_call(
        self, fax: _Fax, t: datetime, result: FaxResult, error: FaxError
    ) -> None:
        fax.attempts.append(
            FaxAttempt(
                attempt=len(fax.attempts) + 1,
                result=result,
                error=error,
                cost=Decimal("0.00"),
                pages=0,
                total_fax_duration=0,
                scheduled_start_time=to_milliseconds(fax.next_attempt_at),
            )
        )
        fax.result = result
        self._enter(fax, FaxStatus.DONE, t, None)

    def _call_seconds(self, fax: _Fax, outcome: FaxError | None) -> float:
        if outcome is None:
            handshake = _SLOW_HANDSHAKE_SECONDS if fax.script.slow else _HANDSHAKE_SECONDS
            return handshake + _PAGE_SECONDS * fax.pages
        if outcome in _DROPS_HALFWAY:
            return _HANDSHAKE_SECONDS + _PAGE_SECONDS * (fax.pages / 2)
        return _CALL_SECONDS[outcome]

    @staticmethod
    def _enter(fax: _Fax, status: FaxStatus, t: datetime, ends: datetime | None) -> None:
        """Put the fax in `status` from `t` until `ends` (None: until a call changes it)."""
        fax.status = status
        fax.phase_started = t
        fax.phase_ends = ends

    def _after(self, t: datetime, nominal_seconds: float) -> datetime:
        """The moment `nominal_seconds` (at speed 1) after `t`, at this engine's speed."""
        return t + timedelta(seconds=nominal_seconds / self._speed)

    # ------------------------------------------------------------------ answers

    @staticmethod
    def _response(
        faxes: Sequence[_Fax], verbosity: Verbosity, *, with_totals: bool = True
    ) -> FaxStatusResponse:
        response = FaxStatusResponse()
        if with_totals:
            response.status_totals = _status_totals(faxes)
            response.results_totals = _results_totals(faxes)
        if verbosity is Verbosity.BRIEF:
            return response
        with_details = verbosity in (Verbosity.DETAILS, Verbosity.ALL)
        with_results = verbosity in (Verbosity.RESULTS, Verbosity.ALL)
        response.messages = [
            FaxMessageStatus(
                message_ref=fax.message_ref,
                send_ref=fax.send_ref,
                broadcast_ref=fax.broadcast_ref,
                send_to=fax.send_to,
                status=fax.status,
                details=replace(fax.details) if with_details else None,
                results=[replace(a) for a in fax.attempts] if with_results else [],
            )
            for fax in faxes
        ]
        return response

    # ------------------------------------------------------------------ helpers

    def _now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)

    def _account(self, name: str) -> _Account:
        acct = self._accounts.get(name)
        if acct is None:
            acct = self._accounts[name] = _Account()
        return acct


def _status_totals(faxes: Iterable[_Fax]) -> FaxStatusTotals:
    totals = FaxStatusTotals()
    for fax in faxes:
        bucket = _TOTALS_BUCKET.get(fax.status, fax.status.value)
        setattr(totals, bucket, getattr(totals, bucket) + 1)
    return totals


def _results_totals(faxes: Iterable[_Fax]) -> FaxResultsTotals:
    totals = FaxResultsTotals()
    for fax in faxes:
        if fax.status is FaxStatus.DONE:
            if fax.result is FaxResult.SUCCESS:
                totals.success += 1
            elif fax.result is FaxResult.BLOCKED:
                totals.blocked += 1
            else:
                totals.failed += 1
        for attempt in fax.attempts:
            if attempt.date_call_started is not None:
                totals.total_attempts += 1
            totals.total_fax_duration += attempt.total_fax_duration or 0
            totals.total_pages += attempt.pages or 0
    return totals


def _plan_document(document: FaxDocument, preparer: DocumentPreparer) -> _PlannedDocument:
    if document.file_data is None:
        if not document.document_ref:
            raise InvalidArgumentsFault("Every Document needs FileData or a DocumentRef")
        return _PlannedDocument(document, None)
    prepared = preparer.prepare(document.file_name, document.file_data)
    if document.doc_merge_data:
        _check_merge_data(prepared)
    merge: MergeKey = merge_key(document.doc_merge_data)
    return _PlannedDocument(document, prepared, preparer.merged(prepared, merge))


def _distinct_documents(plans: Iterable[_PlannedMessage]) -> list[_PlannedDocument]:
    """Each planned document once, even when many messages inherit the request's."""
    seen: set[int] = set()
    distinct: list[_PlannedDocument] = []
    for plan in plans:
        for planned in plan.documents:
            if id(planned) not in seen:
                seen.add(id(planned))
                distinct.append(planned)
    return distinct


def _check_merge_data(document: PreparedDocument) -> None:
    """Merge fields are only for Word documents (see `faxgui.imaging.formats`)."""
    if not document.file_type.accepts_doc_merge:
        raise MergeFieldDoesNotMatchDocumentTypeFault(
            f"DocMergeData needs a Word document (.doc or .docx); "
            f"'{document.file_name}' is a {document.file_type.label}"
        )


def _check_send_from(send_from: str | None, field_name: str) -> None:
    if send_from is not None and len(send_from) > MAX_SEND_FROM:
        raise InvalidArgumentsFault(f"{field_name} is longer than {MAX_SEND_FROM} characters")


def _check_settings(
    retries: int | None, busy_retries: int | None, max_fax_pages: int | None, where: str
) -> None:
    for name, value in (("Retries", retries), ("BusyRetries", busy_retries)):
        if value is not None and not 0 <= value <= MAX_RETRIES:
            raise InvalidArgumentsFault(
                f"{name}{where} must be between 0 and this account's maximum of {MAX_RETRIES}"
            )
    if max_fax_pages is not None and max_fax_pages < 1:
        raise InvalidArgumentsFault(f"MaxFaxPages{where} must be at least 1")


def _require_document_ref(document_ref: str | None) -> str:
    if not document_ref or not document_ref.strip():
        raise InvalidArgumentsFault("DocumentRef is required")
    return document_ref


def _inherit(own: _T | None, request: _T | None, default: _T) -> _T:
    """A message's own setting, else the request's, else the account default."""
    if own is not None:
        return own
    return request if request is not None else default


def _inherit_optional(own: _T | None, request: _T | None) -> _T | None:
    return own if own is not None else request


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
