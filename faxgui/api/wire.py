"""The one place where faxgui's dataclasses meet Monopond's wire names.

Requests go out through zeep: `request_to_wire` turns a request dataclass into
the nested, wire-named keyword arguments zeep wants. Status-shaped answers
(SendFax, FaxStatus, PauseFax, ResumeFax, StopFax) come back through a
dedicated lxml path, `parse_status_response`, because zeep's generic parser is
an order of magnitude slower on a 10,000-message answer. The sandbox uses the
reverse directions (`request_from_element`, `status_response_to_element`), so
both ends of the conversation share these mappings.

On the wire only the body's root element is namespace-qualified; children are
unqualified and status data travels in attributes (see WIRE.md).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from faxgui.api.enums import (
    DitheringTechnique,
    FaxError,
    FaxResult,
    FaxStatus,
    Resolution,
    Verbosity,
)
from faxgui.api.errors import InvalidArgumentsFault, MalformedResponseError
from faxgui.api.models import (
    Blocklists,
    DeleteFaxDocumentRequest,
    DocMergeData,
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
    ImageStampMergeData,
    PauseFaxRequest,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StampMergeData,
    StopFaxRequest,
    TextStampMergeData,
)

NS = "https://api.monopond.com/fax/soap/v2.1"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"

# How our sandbox (and, we expect, the service) says "wrong user name or password":
# the WS-Security standard fault code, with no typed detail.
AUTH_FAULT_CODES = frozenset({"FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken"})
AUTH_FAULT_CODE = "FailedAuthentication"
AUTH_FAULT_STRING = "The security token could not be authenticated or authorized"

# operation name -> (request element, response element)
OPERATIONS: dict[str, tuple[str, str]] = {
    "SendFax": ("SendFaxRequest", "SendFaxResponse"),
    "FaxStatus": ("FaxStatusRequest", "FaxStatusResponse"),
    "PauseFax": ("PauseFaxRequest", "PauseFaxResponse"),
    "ResumeFax": ("ResumeFaxRequest", "ResumeFaxResponse"),
    "StopFax": ("StopFaxRequest", "StopFaxResponse"),
    "SaveFaxDocument": ("SaveFaxDocumentRequest", "SaveFaxDocumentResponse"),
    "DeleteFaxDocument": ("DeleteFaxDocumentRequest", "DeleteFaxDocumentResponse"),
    "FaxDocumentPreview": ("FaxDocumentPreviewRequest", "FaxDocumentPreviewResponse"),
}

Request = (
    SendFaxRequest
    | FaxStatusRequest
    | PauseFaxRequest
    | ResumeFaxRequest
    | StopFaxRequest
    | SaveFaxDocumentRequest
    | DeleteFaxDocumentRequest
    | FaxDocumentPreviewRequest
)

_REQUEST_OPERATION: dict[type, str] = {
    SendFaxRequest: "SendFax",
    FaxStatusRequest: "FaxStatus",
    PauseFaxRequest: "PauseFax",
    ResumeFaxRequest: "ResumeFax",
    StopFaxRequest: "StopFax",
    SaveFaxDocumentRequest: "SaveFaxDocument",
    DeleteFaxDocumentRequest: "DeleteFaxDocument",
    FaxDocumentPreviewRequest: "FaxDocumentPreview",
}

# The options a SendFaxRequest and each FaxMessage share: (attribute, wire element).
# Order does not matter to zeep (it follows the schema), but keep the schema's anyway.
_SEND_OPTIONS: tuple[tuple[str, str], ...] = (
    ("resolution", "Resolution"),
    ("blocklists", "Blocklists"),
    ("send_from", "SendFrom"),
    ("scheduled_start_time", "ScheduledStartTime"),
    ("retries", "Retries"),
    ("busy_retries", "BusyRetries"),
    ("header_format", "HeaderFormat"),
    ("must_be_sent_before_date", "MustBeSentBeforeDate"),
    ("max_fax_pages", "MaxFaxPages"),
    ("cli", "CLI"),
)

_REF_FIELDS: tuple[tuple[str, str], ...] = (
    ("message_ref", "MessageRef"),
    ("send_ref", "SendRef"),
    ("broadcast_ref", "BroadcastRef"),
)

_STATUS_TOTALS: tuple[tuple[str, str], ...] = tuple(
    (name, name)
    for name in ("pending", "processing", "queued", "starting", "sending", "finalizing", "done")
)
_RESULTS_TOTALS: tuple[tuple[str, str], ...] = (
    ("success", "success"),
    ("blocked", "blocked"),
    ("failed", "failed"),
    ("total_attempts", "totalAttempts"),
    ("total_fax_duration", "totalFaxDuration"),
    ("total_pages", "totalPages"),
)


def operation_for(request: Request) -> str:
    """The SOAP operation that carries this request."""
    return _REQUEST_OPERATION[type(request)]


# --------------------------------------------------------------------------- values


def format_datetime(value: datetime) -> str:
    """ISO 8601 with milliseconds and a UTC offset, as the service writes them.

    A naive datetime is taken as this computer's local time.
    """
    if value.tzinfo is None:
        value = value.astimezone()
    return value.isoformat(timespec="milliseconds")


def _wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, Resolution | DitheringTechnique | Verbosity):
        return value.value
    if isinstance(value, Blocklists):
        return {
            k: v
            for k, v in (("dncr", value.dncr), ("fps", value.fps), ("smartblock", value.smartblock))
            if v is not None
        }
    return value


class Base64Payload(str):
    """A placeholder string standing for one file's base64 text in a serialised request.

    zeep serialises the short token; the client then splices in the base64 of
    `data`, encoded once. The base64 alphabet needs no XML escaping, so the
    splice is safe.
    """

    data: bytes

    def __new__(cls, data: bytes) -> Base64Payload:
        token = super().__new__(cls, f"faxgui-payload-{uuid.uuid4().hex}")
        token.data = data
        return token

    def encoded(self) -> bytes:
        return base64.b64encode(self.data)


def iter_payloads(wire: Any) -> Iterator[Base64Payload]:
    """Every Base64Payload inside a wire dict made by `request_to_wire`."""
    if isinstance(wire, Base64Payload):
        yield wire
    elif isinstance(wire, dict):
        for value in wire.values():
            yield from iter_payloads(value)
    elif isinstance(wire, list):
        for value in wire:
            yield from iter_payloads(value)


# --------------------------------------------------------------------------- requests out


PayloadFactory = Callable[[bytes], str]


def _inline_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def request_to_wire(request: Request, payload: PayloadFactory = Base64Payload) -> dict[str, Any]:
    """Keyword arguments for zeep's operation, keyed by wire names; None fields are left out.

    `payload` turns file bytes into the FileData text: by default a
    `Base64Payload` placeholder (see there); pass `inline_base64` for real text.
    """
    if isinstance(request, SendFaxRequest):
        out: dict[str, Any] = {}
        if request.broadcast_ref is not None:
            out["BroadcastRef"] = request.broadcast_ref
        if request.send_ref is not None:
            out["SendRef"] = request.send_ref
        out["FaxMessages"] = {
            "FaxMessage": [_message_to_wire(m, payload) for m in request.fax_messages]
        }
        if request.documents:
            out["Documents"] = {
                "Document": [_document_to_wire(d, payload) for d in request.documents]
            }
        _options_to_wire(request, out)
        return out
    if isinstance(request, FaxStatusRequest | PauseFaxRequest | ResumeFaxRequest | StopFaxRequest):
        out = {wire: getattr(request, attr) for attr, wire in _REF_FIELDS if getattr(request, attr)}
        if isinstance(request, FaxStatusRequest) and request.verbosity is not None:
            out["Verbosity"] = request.verbosity.value
        return out
    if isinstance(request, SaveFaxDocumentRequest):
        return {
            "DocumentRef": request.document_ref,
            "FileName": request.file_name,
            "FileData": payload(request.file_data),
        }
    if isinstance(request, DeleteFaxDocumentRequest):
        return {"DocumentRef": request.document_ref}
    if isinstance(request, FaxDocumentPreviewRequest):
        out = {"DocumentRef": request.document_ref}
        if request.resolution is not None:
            out["Resolution"] = request.resolution.value
        if request.dithering_technique is not None:
            out["DitheringTechnique"] = request.dithering_technique.value
        if request.doc_merge_data:
            out["DocMergeData"] = _doc_merge_to_wire(request.doc_merge_data)
        if request.stamp_merge_data:
            out["StampMergeData"] = _stamp_merge_to_wire(request.stamp_merge_data, payload)
        return out
    raise TypeError(f"not a Monopond request: {type(request).__name__}")


inline_base64: PayloadFactory = _inline_base64


def _options_to_wire(source: SendFaxRequest | FaxMessage, out: dict[str, Any]) -> None:
    for attr, wire in _SEND_OPTIONS:
        value = getattr(source, attr)
        if value is not None:
            out[wire] = _wire_value(value)


def _message_to_wire(message: FaxMessage, payload: PayloadFactory) -> dict[str, Any]:
    out: dict[str, Any] = {"MessageRef": message.message_ref, "SendTo": message.send_to}
    if message.documents:
        out["Documents"] = {"Document": [_document_to_wire(d, payload) for d in message.documents]}
    _options_to_wire(message, out)
    return out


def _document_to_wire(document: FaxDocument, payload: PayloadFactory) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if document.document_ref is not None:
        out["DocumentRef"] = document.document_ref
    if document.file_name is not None:
        out["FileName"] = document.file_name
    if document.file_data is not None:
        out["FileData"] = payload(document.file_data)
    out["Order"] = document.order
    if document.dithering_technique is not None:
        out["DitheringTechnique"] = document.dithering_technique.value
    if document.doc_merge_data:
        out["DocMergeData"] = _doc_merge_to_wire(document.doc_merge_data)
    if document.stamp_merge_data:
        out["StampMergeData"] = _stamp_merge_to_wire(document.stamp_merge_data, payload)
    return out


def _doc_merge_to_wire(fields: list[DocMergeData]) -> dict[str, Any]:
    return {"MergeField": [{"Key": f.key, "Value": f.value} for f in fields]}


def _stamp_merge_to_wire(stamps: list[StampMergeData], payload: PayloadFactory) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for stamp in stamps:
        field: dict[str, Any] = {"Key": {"xCoord": stamp.x, "yCoord": stamp.y}}
        if isinstance(stamp, TextStampMergeData):
            text: dict[str, Any] = {"_value_1": stamp.text}
            if stamp.font_name is not None:
                text["fontName"] = stamp.font_name
            if stamp.font_size is not None:
                text["fontSize"] = stamp.font_size
            field["TextValue"] = text
        else:
            image: dict[str, Any] = {
                "FileName": stamp.file_name,
                "FileData": payload(stamp.file_data),
            }
            if stamp.width is not None:
                image["width"] = stamp.width
            if stamp.height is not None:
                image["height"] = stamp.height
            field["ImageValue"] = image
        fields.append(field)
    return {"MergeField": fields}


# --------------------------------------------------------------------------- requests in


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def _children(element: Any) -> dict[str, Any]:
    """First child element by local name (request elements never repeat outside lists)."""
    out: dict[str, Any] = {}
    for child in element:
        if isinstance(child.tag, str):
            out.setdefault(_local(child.tag), child)
    return out


def _bad(field: str, problem: str) -> InvalidArgumentsFault:
    return InvalidArgumentsFault(f"{field}: {problem}")


def _text(children: dict[str, Any], name: str) -> str | None:
    element = children.get(name)
    if element is None:
        return None
    return element.text or ""


def _int(children: dict[str, Any], name: str, where: str) -> int | None:
    text = _text(children, name)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise _bad(f"{where}{name}", f"{text!r} is not a whole number") from None


def _datetime_text(text: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise _bad(field, f"{text!r} is not a date and time (ISO 8601)") from None


def _dt(children: dict[str, Any], name: str, where: str) -> datetime | None:
    text = _text(children, name)
    return None if text is None else _datetime_text(text, f"{where}{name}")


def _bool_attr(element: Any, name: str) -> bool | None:
    value = element.get(name)
    if value is None:
        return None
    return value.strip() in ("true", "1")


def _b64(text: str | None, field: str) -> bytes:
    # Line breaks are legal in base64 text; anything else outside the alphabet is an error,
    # not something to drop silently.
    compact = "".join((text or "").split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise _bad(field, "is not valid base64") from None


def _enum(cls: Any, text: str | None, field: str) -> Any:
    if text is None:
        return None
    try:
        if cls is DitheringTechnique:
            return DitheringTechnique.from_wire(text.strip())
        return cls(text.strip())
    except ValueError:
        raise _bad(field, f"{text!r} is not an allowed value") from None


def request_from_element(element: Any) -> Request:
    """Parse a request body element (any of the eight) into its dataclass."""
    name = _local(element.tag)
    kids = _children(element)
    if name == "SendFaxRequest":
        messages_el = kids.get("FaxMessages")
        messages = [
            _message_from_element(m, i)
            for i, m in enumerate(
                (
                    c
                    for c in (messages_el if messages_el is not None else [])
                    if isinstance(c.tag, str)
                ),
                start=1,
            )
        ]
        request = SendFaxRequest(
            fax_messages=messages,
            broadcast_ref=_text(kids, "BroadcastRef"),
            send_ref=_text(kids, "SendRef"),
            documents=_documents_from(kids.get("Documents"), "Documents/"),
        )
        _options_from(kids, request, "")
        return request
    if name in ("FaxStatusRequest", "PauseFaxRequest", "ResumeFaxRequest", "StopFaxRequest"):
        refs = {attr: _text(kids, wire) for attr, wire in _REF_FIELDS}
        if name == "FaxStatusRequest":
            verbosity = _enum(Verbosity, _text(kids, "Verbosity"), "Verbosity")
            return FaxStatusRequest(**refs, verbosity=verbosity)
        if name == "PauseFaxRequest":
            return PauseFaxRequest(**refs)
        if name == "ResumeFaxRequest":
            return ResumeFaxRequest(**refs)
        return StopFaxRequest(**refs)
    if name == "SaveFaxDocumentRequest":
        return SaveFaxDocumentRequest(
            document_ref=_text(kids, "DocumentRef") or "",
            file_name=_text(kids, "FileName") or "",
            file_data=_b64(_text(kids, "FileData"), "FileData"),
        )
    if name == "DeleteFaxDocumentRequest":
        return DeleteFaxDocumentRequest(document_ref=_text(kids, "DocumentRef") or "")
    if name == "FaxDocumentPreviewRequest":
        return FaxDocumentPreviewRequest(
            document_ref=_text(kids, "DocumentRef") or "",
            resolution=_enum(Resolution, _text(kids, "Resolution"), "Resolution"),
            dithering_technique=_enum(
                DitheringTechnique, _text(kids, "DitheringTechnique"), "DitheringTechnique"
            ),
            doc_merge_data=_doc_merge_from(kids.get("DocMergeData")),
            stamp_merge_data=_stamp_merge_from(kids.get("StampMergeData"), ""),
        )
    raise InvalidArgumentsFault(f"{name} is not an operation of this service")


def _options_from(kids: dict[str, Any], target: SendFaxRequest | FaxMessage, where: str) -> None:
    target.resolution = _enum(Resolution, _text(kids, "Resolution"), f"{where}Resolution")
    blocklists = kids.get("Blocklists")
    if blocklists is not None:
        target.blocklists = Blocklists(
            dncr=_bool_attr(blocklists, "dncr"),
            fps=_bool_attr(blocklists, "fps"),
            smartblock=_bool_attr(blocklists, "smartblock"),
        )
    target.send_from = _text(kids, "SendFrom")
    target.scheduled_start_time = _dt(kids, "ScheduledStartTime", where)
    target.retries = _int(kids, "Retries", where)
    target.busy_retries = _int(kids, "BusyRetries", where)
    target.header_format = _text(kids, "HeaderFormat")
    target.must_be_sent_before_date = _dt(kids, "MustBeSentBeforeDate", where)
    target.max_fax_pages = _int(kids, "MaxFaxPages", where)
    target.cli = _text(kids, "CLI")


def _message_from_element(element: Any, index: int) -> FaxMessage:
    kids = _children(element)
    where = f"FaxMessages/FaxMessage[{index}]/"
    message = FaxMessage(
        message_ref=_text(kids, "MessageRef") or "",
        send_to=_text(kids, "SendTo") or "",
        documents=_documents_from(kids.get("Documents"), f"{where}Documents/"),
    )
    _options_from(kids, message, where)
    return message


def _documents_from(element: Any, where: str) -> list[FaxDocument]:
    if element is None:
        return []
    documents = []
    for index, doc in enumerate((c for c in element if isinstance(c.tag, str)), start=1):
        kids = _children(doc)
        here = f"{where}Document[{index}]/"
        data_text = _text(kids, "FileData")
        documents.append(
            FaxDocument(
                file_name=_text(kids, "FileName"),
                file_data=None if data_text is None else _b64(data_text, f"{here}FileData"),
                document_ref=_text(kids, "DocumentRef"),
                order=_int(kids, "Order", here) or 0,
                dithering_technique=_enum(
                    DitheringTechnique,
                    _text(kids, "DitheringTechnique"),
                    f"{here}DitheringTechnique",
                ),
                doc_merge_data=_doc_merge_from(kids.get("DocMergeData")),
                stamp_merge_data=_stamp_merge_from(kids.get("StampMergeData"), here),
            )
        )
    return documents


def _doc_merge_from(element: Any) -> list[DocMergeData]:
    if element is None:
        return []
    fields = []
    for field in element:
        if isinstance(field.tag, str):
            kids = _children(field)
            fields.append(
                DocMergeData(key=_text(kids, "Key") or "", value=_text(kids, "Value") or "")
            )
    return fields


def _stamp_merge_from(element: Any, where: str) -> list[StampMergeData]:
    if element is None:
        return []
    stamps: list[StampMergeData] = []
    for index, field in enumerate((c for c in element if isinstance(c.tag, str)), start=1):
        here = f"{where}StampMergeData/MergeField[{index}]/"
        kids = _children(field)
        key = kids.get("Key")
        try:
            x = int(key.get("xCoord")) if key is not None else None
            y = int(key.get("yCoord")) if key is not None else None
        except (TypeError, ValueError):
            raise _bad(f"{here}Key", "xCoord and yCoord must be whole numbers") from None
        if x is None or y is None:
            raise _bad(f"{here}Key", "xCoord and yCoord are required")
        text = kids.get("TextValue")
        image = kids.get("ImageValue")
        if text is not None:
            size = text.get("fontSize")
            try:
                font_size = Decimal(size) if size is not None else None
            except InvalidOperation:
                raise _bad(f"{here}TextValue", f"fontSize {size!r} is not a number") from None
            stamps.append(
                TextStampMergeData(
                    x=x,
                    y=y,
                    text=text.text or "",
                    font_name=text.get("fontName"),
                    font_size=font_size,
                )
            )
        elif image is not None:
            ikids = _children(image)
            try:
                width = int(image.get("width")) if image.get("width") is not None else None
                height = int(image.get("height")) if image.get("height") is not None else None
            except ValueError:
                raise _bad(f"{here}ImageValue", "width and height must be whole numbers") from None
            stamps.append(
                ImageStampMergeData(
                    x=x,
                    y=y,
                    file_name=_text(ikids, "FileName") or "",
                    file_data=_b64(_text(ikids, "FileData"), f"{here}ImageValue/FileData"),
                    width=width,
                    height=height,
                )
            )
        else:
            raise _bad(here.rstrip("/"), "needs a TextValue or an ImageValue")
    return stamps


# --------------------------------------------------------------------------- answers out


def _set_int_attrs(element: Any, source: Any, names: tuple[tuple[str, str], ...]) -> None:
    # Zero totals are left out, as the service does; readers take a missing count as 0.
    for attr, wire in names:
        value = getattr(source, attr)
        if value:
            element.set(wire, str(value))


def status_response_to_element(
    response: FaxStatusResponse, tag: str, *, include_totals: bool = True
) -> Any:
    """Build a status-shaped answer element (`tag` e.g. "FaxStatusResponse")."""
    root = etree.Element(f"{{{NS}}}{tag}", nsmap={"ns2": NS})
    if include_totals:
        _set_int_attrs(
            etree.SubElement(root, "FaxStatusTotals"), response.status_totals, _STATUS_TOTALS
        )
        _set_int_attrs(
            etree.SubElement(root, "FaxResultsTotals"), response.results_totals, _RESULTS_TOTALS
        )
    if response.messages:
        container = etree.SubElement(root, "FaxMessages")
        for message in response.messages:
            _message_status_to_element(container, message)
    return root


def _message_status_to_element(parent: Any, message: FaxMessageStatus) -> None:
    element = etree.SubElement(parent, "FaxMessage")
    for attr, value in (
        ("messageRef", message.message_ref),
        ("sendRef", message.send_ref),
        ("broadcastRef", message.broadcast_ref),
        ("sendTo", message.send_to),
        ("status", message.status.value if message.status else None),
    ):
        if value is not None:
            element.set(attr, value)
    if message.details is not None:
        details = etree.SubElement(element, "FaxDetails")
        d = message.details
        for attr, value in (
            ("sendFrom", d.send_from),
            ("resolution", d.resolution.value if d.resolution else None),
            ("retries", None if d.retries is None else str(d.retries)),
            ("busyRetries", None if d.busy_retries is None else str(d.busy_retries)),
            ("headerFormat", d.header_format),
        ):
            if value is not None:
                details.set(attr, value)
    if message.results:
        results = etree.SubElement(element, "FaxResults")
        for attempt in message.results:
            result = etree.SubElement(results, "FaxResult")
            result.set("attempt", str(attempt.attempt))
            for attr, value in (
                ("result", attempt.result.value if attempt.result else None),
                ("cost", None if attempt.cost is None else f"{attempt.cost:.2f}"),
                ("pages", None if attempt.pages is None else str(attempt.pages)),
                (
                    "totalFaxDuration",
                    None if attempt.total_fax_duration is None else str(attempt.total_fax_duration),
                ),
                ("scheduledStartTime", _opt_dt(attempt.scheduled_start_time)),
                ("dateCallStarted", _opt_dt(attempt.date_call_started)),
                ("dateCallEnded", _opt_dt(attempt.date_call_ended)),
            ):
                if value is not None:
                    result.set(attr, value)
            if attempt.error is not None:
                error = etree.SubElement(result, "Error")
                error.set("code", attempt.error_code or str(_ERROR_CODES[attempt.error]))
                error.set("name", attempt.error.value)


def _opt_dt(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


# Numeric codes for errors, stable within this project (the service's own codes are unknown).
_ERROR_CODES: dict[FaxError, int] = {error: 100 + i for i, error in enumerate(FaxError)}


def preview_response_to_element(response: FaxDocumentPreviewResponse) -> Any:
    root = etree.Element(f"{{{NS}}}FaxDocumentPreviewResponse", nsmap={"ns2": NS})
    etree.SubElement(root, "TiffPreview").text = base64.b64encode(response.tiff_preview).decode(
        "ascii"
    )
    etree.SubElement(root, "NumberOfPages").text = str(response.number_of_pages)
    return root


def empty_response_element(tag: str) -> Any:
    """An answer with no content (SaveFaxDocumentResponse, DeleteFaxDocumentResponse)."""
    return etree.Element(f"{{{NS}}}{tag}", nsmap={"ns2": NS})


# --------------------------------------------------------------------------- answers in

_STATUS_BY_WIRE = {s.value: s for s in FaxStatus}
_RESULT_BY_WIRE = {r.value: r for r in FaxResult}
_RESOLUTION_BY_WIRE = {r.value: r for r in Resolution}


def _malformed(what: str) -> MalformedResponseError:
    return MalformedResponseError(what)


def parse_status_response(element: Any) -> FaxStatusResponse:
    """Read a status-shaped answer element (SendFax/FaxStatus/Pause/Resume/StopFaxResponse).

    Walks the element in document order through the same handler as the
    streaming reader (`parse_status_answer`), so both read answers identically.
    """
    target = _StatusAnswerTarget(_local(element.tag))
    target.enter_answer()
    handle = target.answer_element
    try:
        for child in element.iterdescendants():
            tag = child.tag
            if isinstance(tag, str):
                handle(tag, child.attrib)
    except (ValueError, KeyError, InvalidOperation) as exc:
        raise _malformed(f"{_local(element.tag)}: unreadable value ({exc})") from None
    return target.response


class NotAStatusAnswer(Exception):
    """The SOAP body holds something other than the expected answer (a Fault, most often)."""


_ERROR_BY_WIRE = {e.value: e for e in FaxError}
_ENVELOPE_TAG = f"{{{SOAP_ENV_NS}}}Envelope"
_HEADER_TAG = f"{{{SOAP_ENV_NS}}}Header"
_BODY_TAG = f"{{{SOAP_ENV_NS}}}Body"
_from_iso = datetime.fromisoformat


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


def _dt_or_none(value: str | None) -> datetime | None:
    return _from_iso(value) if value else None


class _StatusAnswerTarget:
    """An lxml parser target that builds the answer's dataclasses from start events.

    No tree is built and no text is collected, which makes a 10,000-message answer
    about as cheap to read as a bare lxml walk of it. Everything before the answer
    element (Envelope, an optional Header, Body) is checked on the way in.
    """

    def __init__(self, response_tag: str) -> None:
        self._expected = f"{{{NS}}}{response_tag}"
        self._stage = 0  # 0 before Envelope, 1 in Envelope, 2 in Body, 3 in Header
        self._inside = False
        self.response = FaxStatusResponse()
        self._message: FaxMessageStatus | None = None
        self._attempt: FaxAttempt | None = None

    def start(self, tag: str, attrib: Any) -> None:
        if self._inside:
            self.answer_element(tag, attrib)
        elif self._stage == 0:
            if tag != _ENVELOPE_TAG:
                raise NotAStatusAnswer(tag)
            self._stage = 1
        elif self._stage == 1:
            if tag not in (_BODY_TAG, _HEADER_TAG):
                raise NotAStatusAnswer(tag)
            self._stage = 2 if tag == _BODY_TAG else 3
        elif self._stage == 3:
            if tag == _BODY_TAG:
                self._stage = 2
        elif tag == self._expected:
            self.enter_answer()
        else:
            raise NotAStatusAnswer(tag)

    def enter_answer(self) -> None:
        """From now on every element is part of the answer."""
        self._inside = True

    def answer_element(self, tag: str, attrib: Any) -> None:
        """Take one element of the answer, in document order."""
        if tag[0] == "{":
            # Children are unqualified on the wire; tolerate a server that qualifies them.
            tag = tag[tag.index("}") + 1 :]
        get = attrib.get
        if tag == "FaxResult":
            if self._message is None:
                raise _malformed("FaxResult outside a FaxMessage")
            result = get("result")
            cost = get("cost")
            self._attempt = FaxAttempt(
                int(get("attempt") or 0),
                _RESULT_BY_WIRE[result] if result else None,
                None,
                None,
                Decimal(cost) if cost else None,
                _int_or_none(get("pages")),
                _int_or_none(get("totalFaxDuration")),
                _dt_or_none(get("scheduledStartTime")),
                _dt_or_none(get("dateCallStarted")),
                _dt_or_none(get("dateCallEnded")),
            )
            self._message.results.append(self._attempt)
        elif tag == "FaxMessage":
            status = get("status")
            self._message = FaxMessageStatus(
                get("messageRef"),
                get("sendRef"),
                get("broadcastRef"),
                get("sendTo"),
                _STATUS_BY_WIRE[status] if status is not None else None,
            )
            self._attempt = None
            self.response.messages.append(self._message)
        elif tag == "FaxDetails":
            if self._message is None:
                raise _malformed("FaxDetails outside a FaxMessage")
            resolution = get("resolution")
            self._message.details = FaxDetails(
                get("sendFrom"),
                _RESOLUTION_BY_WIRE.get(resolution) if resolution else None,
                _int_or_none(get("retries")),
                _int_or_none(get("busyRetries")),
                get("headerFormat"),
            )
        elif tag == "Error":
            if self._attempt is None:
                raise _malformed("Error outside a FaxResult")
            self._attempt.error = _ERROR_BY_WIRE.get(get("name") or "", FaxError.FAX_UNKNOWN)
            self._attempt.error_code = get("code")
        elif tag == "FaxStatusTotals":
            self.response.status_totals = FaxStatusTotals(
                *(int(get(wire) or 0) for _, wire in _STATUS_TOTALS)
            )
        elif tag == "FaxResultsTotals":
            self.response.results_totals = FaxResultsTotals(
                *(int(get(wire) or 0) for _, wire in _RESULTS_TOTALS)
            )

    def close(self) -> FaxStatusResponse:
        if not self._inside:
            raise NotAStatusAnswer("no answer element")
        return self.response


def parse_status_answer(data: bytes, response_tag: str) -> FaxStatusResponse:
    """Read a whole SOAP answer whose body holds a status-shaped `response_tag`.

    The fast path for large answers: one streaming pass, no tree. Raises
    NotAStatusAnswer when the body holds anything else (read that as a tree),
    MalformedResponseError for values that are not what the schema says, and
    etree.XMLSyntaxError for text that is not XML.
    """
    parser = etree.XMLParser(
        target=_StatusAnswerTarget(response_tag),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
    )
    try:
        response: FaxStatusResponse = etree.fromstring(data, parser)
    except (ValueError, KeyError, InvalidOperation) as exc:
        raise _malformed(f"{response_tag}: unreadable value ({exc})") from None
    return response


def parse_preview_response(element: Any) -> FaxDocumentPreviewResponse:
    """Read a FaxDocumentPreviewResponse: decode the TIFF and read the page count."""
    kids = _children(element)
    tiff_text = _text(kids, "TiffPreview")
    if tiff_text is None:
        raise _malformed("the preview answer has no TiffPreview")
    try:
        tiff = binascii.a2b_base64(tiff_text)
    except (binascii.Error, ValueError):
        raise _malformed("the preview TIFF is not valid base64") from None
    pages_text = _text(kids, "NumberOfPages")
    try:
        pages = int(pages_text) if pages_text else 0
    except ValueError:
        raise _malformed(f"NumberOfPages is not a number: {pages_text!r}") from None
    return FaxDocumentPreviewResponse(tiff_preview=tiff, number_of_pages=pages)
