"""Typed requests and responses of Monopond Fax API v2.1, named as the API documentation names them.

Fields are snake_case; the one place that maps them to wire names is
`faxgui.api.wire`. File contents are raw bytes here: the client base64-encodes
them once, on the way out, and decodes previews on the way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from faxgui.api.enums import (
    DitheringTechnique,
    FaxError,
    FaxResult,
    FaxStatus,
    Resolution,
    Verbosity,
)


def _size(data: bytes | None) -> str:
    return "None" if data is None else f"<{len(data)} bytes>"


# --------------------------------------------------------------------------- requests


@dataclass(slots=True)
class Blocklists:
    """Which blocklists to check before sending (inactive in v2.1 of the service)."""

    dncr: bool | None = None
    fps: bool | None = None
    smartblock: bool | None = None


@dataclass(slots=True)
class DocMergeData:
    """One merge field of a Microsoft document: `<mf:key>` is replaced by `value`."""

    key: str
    value: str


@dataclass(slots=True)
class TextStampMergeData:
    """Text stamped on a PDF or TIFF page at fax-pixel coordinates (origin top left)."""

    x: int
    y: int
    text: str
    font_name: str | None = None
    font_size: Decimal | None = None


@dataclass(slots=True)
class ImageStampMergeData:
    """An image stamped on a PDF or TIFF page; (x, y) is its top-left corner in fax pixels."""

    x: int
    y: int
    file_name: str
    file_data: bytes = field(repr=False)
    width: int | None = None
    height: int | None = None

    def __repr__(self) -> str:
        return (
            f"ImageStampMergeData(x={self.x}, y={self.y}, file_name={self.file_name!r}, "
            f"file_data={_size(self.file_data)}, width={self.width}, height={self.height})"
        )


StampMergeData = TextStampMergeData | ImageStampMergeData


@dataclass(slots=True)
class FaxDocument:
    """A document to fax: file data, a saved DocumentRef, or both (send and save for reuse)."""

    file_name: str | None = None
    file_data: bytes | None = field(default=None, repr=False)
    document_ref: str | None = None
    order: int = 0
    dithering_technique: DitheringTechnique | None = None
    doc_merge_data: list[DocMergeData] = field(default_factory=list)
    stamp_merge_data: list[StampMergeData] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"FaxDocument(file_name={self.file_name!r}, file_data={_size(self.file_data)}, "
            f"document_ref={self.document_ref!r}, order={self.order}, "
            f"dithering_technique={self.dithering_technique}, "
            f"doc_merge_data={self.doc_merge_data!r}, stamp_merge_data={self.stamp_merge_data!r})"
        )


@dataclass(slots=True)
class FaxMessage:
    """One fax to one number. Fields left as None inherit the request's (or the account's)."""

    message_ref: str
    send_to: str
    send_from: str | None = None
    documents: list[FaxDocument] = field(default_factory=list)
    resolution: Resolution | None = None
    blocklists: Blocklists | None = None
    scheduled_start_time: datetime | None = None
    retries: int | None = None
    busy_retries: int | None = None
    header_format: str | None = None
    must_be_sent_before_date: datetime | None = None
    max_fax_pages: int | None = None
    cli: str | None = None


@dataclass(slots=True)
class SendFaxRequest:
    """One SendFax call: messages plus the settings and documents they inherit."""

    fax_messages: list[FaxMessage]
    broadcast_ref: str | None = None
    send_ref: str | None = None
    documents: list[FaxDocument] = field(default_factory=list)
    resolution: Resolution | None = None
    blocklists: Blocklists | None = None
    send_from: str | None = None
    scheduled_start_time: datetime | None = None
    retries: int | None = None
    busy_retries: int | None = None
    header_format: str | None = None
    must_be_sent_before_date: datetime | None = None
    max_fax_pages: int | None = None
    cli: str | None = None


@dataclass(slots=True)
class _RefSelection:
    """Selects faxes by any combination of references; at least one is required."""

    broadcast_ref: str | None = None
    send_ref: str | None = None
    message_ref: str | None = None

    def has_reference(self) -> bool:
        return any((self.broadcast_ref, self.send_ref, self.message_ref))


@dataclass(slots=True)
class FaxStatusRequest(_RefSelection):
    """Asks for the status of the selected faxes at the given verbosity."""

    verbosity: Verbosity | None = None


@dataclass(slots=True)
class PauseFaxRequest(_RefSelection):
    """Pauses the selected faxes (only before they start transmitting)."""


@dataclass(slots=True)
class ResumeFaxRequest(_RefSelection):
    """Resumes the selected paused faxes."""


@dataclass(slots=True)
class StopFaxRequest(_RefSelection):
    """Stops the selected faxes (only before they start transmitting)."""


@dataclass(slots=True)
class SaveFaxDocumentRequest:
    """Uploads a document and keeps it under a DocumentRef for 30 days."""

    document_ref: str
    file_name: str
    file_data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"SaveFaxDocumentRequest(document_ref={self.document_ref!r}, "
            f"file_name={self.file_name!r}, file_data={_size(self.file_data)})"
        )


@dataclass(slots=True)
class DeleteFaxDocumentRequest:
    """Removes a saved document."""

    document_ref: str


@dataclass(slots=True)
class FaxDocumentPreviewRequest:
    """Asks the service to render a saved document as the fax will print."""

    document_ref: str
    resolution: Resolution | None = None
    dithering_technique: DitheringTechnique | None = None
    doc_merge_data: list[DocMergeData] = field(default_factory=list)
    stamp_merge_data: list[StampMergeData] = field(default_factory=list)


# --------------------------------------------------------------------------- responses


@dataclass(slots=True)
class FaxStatusTotals:
    """How many of the selected faxes are at each status (missing on the wire means 0)."""

    pending: int = 0
    processing: int = 0
    queued: int = 0
    starting: int = 0
    sending: int = 0
    finalizing: int = 0
    done: int = 0


@dataclass(slots=True)
class FaxResultsTotals:
    """How the selected faxes ended, with attempts, seconds on the line and pages sent."""

    success: int = 0
    blocked: int = 0
    failed: int = 0
    total_attempts: int = 0
    total_fax_duration: int = 0
    total_pages: int = 0


@dataclass(slots=True)
class FaxDetails:
    """The settings a fax was sent with (verbosity "details" or "all")."""

    send_from: str | None = None
    resolution: Resolution | None = None
    retries: int | None = None
    busy_retries: int | None = None
    header_format: str | None = None


@dataclass(slots=True)
class FaxAttempt:
    """One `<FaxResult>` element: how one attempt at sending a fax went."""

    attempt: int
    result: FaxResult | None = None
    error: FaxError | None = None
    error_code: str | None = None
    cost: Decimal | None = None
    pages: int | None = None
    total_fax_duration: int | None = None
    scheduled_start_time: datetime | None = None
    date_call_started: datetime | None = None
    date_call_ended: datetime | None = None


@dataclass(slots=True)
class FaxMessageStatus:
    """One fax in a status-shaped answer, with its details and every attempt."""

    message_ref: str | None = None
    send_ref: str | None = None
    broadcast_ref: str | None = None
    send_to: str | None = None
    status: FaxStatus | None = None
    details: FaxDetails | None = None
    results: list[FaxAttempt] = field(default_factory=list)

    @property
    def latest_attempt(self) -> FaxAttempt | None:
        return max(self.results, key=lambda a: a.attempt) if self.results else None


@dataclass(slots=True)
class FaxStatusResponse:
    """The answer to FaxStatus, and also to SendFax, PauseFax, ResumeFax and StopFax."""

    status_totals: FaxStatusTotals = field(default_factory=FaxStatusTotals)
    results_totals: FaxResultsTotals = field(default_factory=FaxResultsTotals)
    messages: list[FaxMessageStatus] = field(default_factory=list)


@dataclass(slots=True)
class FaxDocumentPreviewResponse:
    """A rendered preview: a multi-page TIFF (decoded bytes) and its page count."""

    tiff_preview: bytes = field(repr=False)
    number_of_pages: int

    def __repr__(self) -> str:
        return (
            f"FaxDocumentPreviewResponse(tiff_preview={_size(self.tiff_preview)}, "
            f"number_of_pages={self.number_of_pages})"
        )
