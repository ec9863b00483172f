"""SendFaxRequest to JSON and back, with each file's path standing in for its data.

The job store keeps requests this way so a send waiting in the outbox can be
rebuilt after a restart by reading its files again, without ever storing the
files themselves. Field names are the dataclasses' own (the wire names live
in `faxgui.api.wire` only).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import (
    Blocklists,
    DocMergeData,
    FaxDocument,
    FaxMessage,
    ImageStampMergeData,
    SendFaxRequest,
    StampMergeData,
    TextStampMergeData,
)

FORMAT = 1

# The options a request and each of its messages share, stored under the same names.
_OPTION_FIELDS = (
    "send_from",
    "resolution",
    "blocklists",
    "scheduled_start_time",
    "retries",
    "busy_retries",
    "header_format",
    "must_be_sent_before_date",
    "max_fax_pages",
    "cli",
)

PathOf = Callable[[bytes], str | None]
ReadFile = Callable[[str], bytes]


class RequestJsonError(ValueError):
    """Stored request text this version cannot read."""


# --------------------------------------------------------------------------- out


def request_to_json(request: SendFaxRequest, path_of: PathOf) -> str:
    """The request as JSON; `path_of(data)` names the file each piece of file data came from.

    Every document's data must come from a file (ValueError otherwise). A
    stamp's image may not (the composer keeps stamp images itself): its
    data is then kept in the JSON, as base64.
    """
    body: dict[str, Any] = {
        "broadcast_ref": request.broadcast_ref,
        "send_ref": request.send_ref,
        "documents": [_document_out(d, path_of) for d in request.documents],
        "fax_messages": [_message_out(m, path_of) for m in request.fax_messages],
    }
    body.update(_options_out(request))
    return json.dumps({"format": FORMAT, "request": body}, separators=(",", ":"))


def _options_out(source: SendFaxRequest | FaxMessage) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _OPTION_FIELDS:
        value = getattr(source, name)
        if value is None:
            continue
        if isinstance(value, datetime):
            out[name] = value.isoformat()
        elif isinstance(value, Blocklists):
            out[name] = {"dncr": value.dncr, "fps": value.fps, "smartblock": value.smartblock}
        elif isinstance(value, Resolution):
            out[name] = value.value
        else:
            out[name] = value
    return out


def _message_out(message: FaxMessage, path_of: PathOf) -> dict[str, Any]:
    out: dict[str, Any] = {"message_ref": message.message_ref, "send_to": message.send_to}
    if message.documents:
        out["documents"] = [_document_out(d, path_of) for d in message.documents]
    out.update(_options_out(message))
    return out


def _document_out(document: FaxDocument, path_of: PathOf) -> dict[str, Any]:
    out: dict[str, Any] = {"order": document.order}
    if document.file_name is not None:
        out["file_name"] = document.file_name
    if document.file_data is not None:
        path = path_of(document.file_data)
        if path is None:
            raise ValueError(f"the data of {document.file_name!r} was not read from a file")
        out["file"] = path
    if document.document_ref is not None:
        out["document_ref"] = document.document_ref
    if document.dithering_technique is not None:
        out["dithering_technique"] = document.dithering_technique.value
    if document.doc_merge_data:
        out["doc_merge_data"] = [[f.key, f.value] for f in document.doc_merge_data]
    if document.stamp_merge_data:
        out["stamp_merge_data"] = [_stamp_out(s, path_of) for s in document.stamp_merge_data]
    return out


def _stamp_out(stamp: StampMergeData, path_of: PathOf) -> dict[str, Any]:
    if isinstance(stamp, TextStampMergeData):
        return {
            "kind": "text",
            "x": stamp.x,
            "y": stamp.y,
            "text": stamp.text,
            "font_name": stamp.font_name,
            "font_size": None if stamp.font_size is None else str(stamp.font_size),
        }
    out: dict[str, Any] = {
        "kind": "image",
        "x": stamp.x,
        "y": stamp.y,
        "file_name": stamp.file_name,
        "width": stamp.width,
        "height": stamp.height,
    }
    path = path_of(stamp.file_data)
    if path is None:
        out["data"] = base64.b64encode(stamp.file_data).decode("ascii")
    else:
        out["file"] = path
    return out


# --------------------------------------------------------------------------- in


def request_from_json(text: str, read: ReadFile) -> SendFaxRequest:
    """The request stored by `request_to_json`, with each file read by `read(path)`.

    Raises RequestJsonError for text this version did not write; whatever
    `read` raises for a file that cannot be read passes through.
    """
    try:
        stored = json.loads(text)
        version = stored.get("format")
    except (ValueError, AttributeError) as exc:
        raise RequestJsonError(f"stored request is not a JSON object: {exc}") from exc
    if version != FORMAT:
        raise RequestJsonError(f"unknown stored request format {version!r}")
    try:
        body = stored["request"]
        request = SendFaxRequest(
            fax_messages=[_message_in(m, read) for m in body["fax_messages"]],
            broadcast_ref=body.get("broadcast_ref"),
            send_ref=body.get("send_ref"),
            documents=[_document_in(d, read) for d in body.get("documents", [])],
        )
        _options_in(body, request)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise RequestJsonError(f"stored request is damaged: {exc!r}") from exc
    return request


def _options_in(stored: Mapping[str, Any], target: SendFaxRequest | FaxMessage) -> None:
    for name in _OPTION_FIELDS:
        value = stored.get(name)
        if value is None:
            continue
        if name in ("scheduled_start_time", "must_be_sent_before_date"):
            value = datetime.fromisoformat(value)
        elif name == "resolution":
            value = Resolution(value)
        elif name == "blocklists":
            value = Blocklists(**value)
        setattr(target, name, value)


def _message_in(stored: Mapping[str, Any], read: ReadFile) -> FaxMessage:
    message = FaxMessage(
        message_ref=stored["message_ref"],
        send_to=stored["send_to"],
        documents=[_document_in(d, read) for d in stored.get("documents", [])],
    )
    _options_in(stored, message)
    return message


def _document_in(stored: Mapping[str, Any], read: ReadFile) -> FaxDocument:
    technique = stored.get("dithering_technique")
    path = stored.get("file")
    return FaxDocument(
        file_name=stored.get("file_name"),
        file_data=None if path is None else read(path),
        document_ref=stored.get("document_ref"),
        order=stored["order"],
        dithering_technique=None if technique is None else DitheringTechnique(technique),
        doc_merge_data=[DocMergeData(k, v) for k, v in stored.get("doc_merge_data", [])],
        stamp_merge_data=[_stamp_in(s, read) for s in stored.get("stamp_merge_data", [])],
    )


def _stamp_in(stored: Mapping[str, Any], read: ReadFile) -> StampMergeData:
    if stored["kind"] == "text":
        size = stored.get("font_size")
        return TextStampMergeData(
            x=stored["x"],
            y=stored["y"],
            text=stored["text"],
            font_name=stored.get("font_name"),
            font_size=None if size is None else Decimal(size),
        )
    return ImageStampMergeData(
        x=stored["x"],
        y=stored["y"],
        file_name=stored["file_name"],
        file_data=read(stored["file"]) if "file" in stored else base64.b64decode(stored["data"]),
        width=stored.get("width"),
        height=stored.get("height"),
    )


# --------------------------------------------------------------------------- summary


def request_summary(
    request: SendFaxRequest, page_counts: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """What the status panel shows about a request without rebuilding it.

    The request's options, its shared documents (name, saved reference,
    pages where `page_counts` knows them by file name or DocumentRef), how
    many faxes it holds and how many of them override something.
    """
    pages = page_counts or {}

    def document(d: FaxDocument) -> dict[str, Any]:
        name = d.file_name or d.document_ref or ""
        out: dict[str, Any] = {"name": name}
        if d.document_ref is not None:
            out["document_ref"] = d.document_ref
        count = pages.get(name)
        if count is not None:
            out["pages"] = count
        return out

    overriding = sum(
        1
        for m in request.fax_messages
        if m.documents or any(getattr(m, name) is not None for name in _OPTION_FIELDS)
    )
    return {
        "messages": len(request.fax_messages),
        "messages_with_overrides": overriding,
        "documents": [document(d) for d in sorted(request.documents, key=lambda d: d.order)],
        "options": _options_out(request),
    }
