"""The composer's draft: options, documents and recipients of one send job, and their JSON form.

A `Draft` holds what the composer page shows; the send pipeline turns it
into SendFaxRequests. Every option is Optional, and None means "leave it out
of the request so the account's default applies". A recipient's `overrides`
use the same `FaxOptions` type: None there means "inherit the draft's".
Field names are the API models' (`faxgui.api.models`), so an option maps to
SendFaxRequest and FaxMessage one to one (`FaxOptions.apply_to`).

The JSON form is versioned (`{"version": 1, ...}`): readers ignore keys they
do not know, so a newer faxgui can add fields within version 1; a new major
version is refused with a message saying to update faxgui. Values that are
None are left out.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

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
from faxgui.compose.phone import PhoneNormaliser, PhoneResult
from faxgui.compose.refs import message_ref_for, new_broadcast_ref, send_ref_for
from faxgui.imaging.raster import UnrenderableDocumentError, count_pages

FORMAT_VERSION = 1
"""The major version of the draft's JSON form this faxgui writes and reads."""

_E = TypeVar("_E")


class DraftFormatError(ValueError):
    """A saved draft that cannot be read; the message says why, in plain words."""


# --------------------------------------------------------------------------- options


@dataclass(slots=True)
class FaxOptions:
    """The settings a SendFaxRequest and each FaxMessage can carry; None leaves one unset."""

    send_from: str | None = None
    resolution: Resolution | None = None
    retries: int | None = None
    busy_retries: int | None = None
    header_format: str | None = None
    scheduled_start_time: datetime | None = None
    must_be_sent_before_date: datetime | None = None
    max_fax_pages: int | None = None
    cli: str | None = None
    blocklists: Blocklists | None = None

    def is_empty(self) -> bool:
        """True when every option is unset."""
        return self == _NO_OPTIONS

    def merged_over(self, base: FaxOptions) -> FaxOptions:
        """These options, with `base`'s wherever these are unset (a message over its request)."""
        merged = FaxOptions()
        for name in OPTION_NAMES:
            own = getattr(self, name)
            setattr(merged, name, getattr(base, name) if own is None else own)
        return merged

    def apply_to(self, target: SendFaxRequest | FaxMessage) -> None:
        """Copy every option onto a request or message (fields of the same names)."""
        for name in OPTION_NAMES:
            value = getattr(self, name)
            if isinstance(value, Blocklists):
                value = Blocklists(value.dncr, value.fps, value.smartblock)
            setattr(target, name, value)


OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(FaxOptions))
"""Every option's field name, in the order the composer shows them."""

_NO_OPTIONS = FaxOptions()


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class FileStamp:
    """A file's size and modification time when it was last inspected."""

    size: int
    mtime_ns: int


SAVED_DOCUMENT_LIFETIME = timedelta(days=30)
"""How long the service keeps a document saved with SaveFaxDocument."""

SAVED_COPY_MARGIN = timedelta(days=2)
"""A saved copy this close to the end of its life is not used again: a fax that waits in the
outbox, or a preview made just before, could find it gone."""


@dataclass(frozen=True, slots=True)
class SavedCopy:
    """A copy of a document's file saved on the service (by "Preview as fax") for reuse by
    its DocumentRef: where and when it was saved, and the content it holds.

    `digest` is the SHA-256 (hex) of the file's bytes when they were saved and
    `file_stamp` the file's size and time then. `in_use` says a fax that was
    sent (or waits in the outbox) may refer to it, so it is never deleted.
    """

    document_ref: str
    endpoint: str
    account: str
    saved_at: datetime
    digest: str
    file_stamp: FileStamp | None = None
    in_use: bool = False

    @property
    def expires_at(self) -> datetime:
        return self.saved_at + SAVED_DOCUMENT_LIFETIME

    def usable(self, endpoint: str, account: str, now: datetime) -> bool:
        """True when a request to `endpoint` as `account` at `now` can use this copy."""
        return (
            self.endpoint == endpoint
            and self.account == account
            and now < self.expires_at - SAVED_COPY_MARGIN
        )

    def holds(self, digest: str) -> bool:
        """True when the copy was saved from content with this digest."""
        return self.digest == digest


@dataclass(slots=True)
class DraftDocument:
    """One document of the draft (or of one recipient's own documents).

    Either a file (`path`) or a saved document (`document_ref` with no path).
    With a path, `save_as_ref` also saves the file under `document_ref` for
    reuse. `order` is the position the document is sent in, kept equal to its
    index in its list by the draft's operations. `page_count`,
    `content_problem` and `inspected` are filled by `inspect()` and kept in
    the JSON, so a reopened draft need not read its files again.
    `saved_copy` is the file's copy saved on the service for a preview,
    which a send uses instead of uploading the file while its content is
    the same (see `faxgui.compose.preview`).
    """

    path: Path | None = None
    display_name: str = ""
    order: int = 0
    dithering_technique: DitheringTechnique | None = None
    doc_merge_data: list[DocMergeData] = field(default_factory=list)
    document_ref: str | None = None
    save_as_ref: bool = False
    stamps: list[StampMergeData] = field(default_factory=list)
    page_count: int | None = None
    content_problem: str | None = None
    inspected: FileStamp | None = None
    saved_copy: SavedCopy | None = None

    @property
    def file_name(self) -> str | None:
        """The FileName sent with the data: the file's own name (its extension sets its type)."""
        return self.path.name if self.path is not None else None

    @property
    def label(self) -> str:
        """What the documents list shows: the display name, else the file name or reference."""
        return self.display_name or self.file_name or self.document_ref or "(no file)"

    @property
    def uses_saved_document(self) -> bool:
        """True when this is a document saved on the service, sent by its DocumentRef only."""
        return self.path is None and bool(self.document_ref)

    @property
    def wire_document_ref(self) -> str | None:
        """The DocumentRef to send: the saved document's, or the one to save this file as."""
        if self.uses_saved_document or (self.save_as_ref and self.path is not None):
            return self.document_ref or None
        return None

    def file_stamp(self) -> FileStamp | None:
        """The file's size and modification time now; None when there is no file to stat."""
        if self.path is None:
            return None
        try:
            status = self.path.stat()
        except OSError:
            return None
        return FileStamp(status.st_size, status.st_mtime_ns)

    def needs_inspection(self) -> bool:
        """True when the file changed (or was never read) since `inspect()` last ran."""
        return self.path is not None and (
            self.inspected is None or self.file_stamp() != self.inspected
        )

    def inspect(self) -> None:
        """Read the file and count its pages, recording the count or what is wrong with it.

        Reads the whole file and may take a moment for a long PDF: call it off
        the GUI thread. Never raises: problems land in `content_problem`.
        """
        if self.path is None:
            return
        name = self.path.name
        try:
            stamp_before = self.file_stamp()
            data = self.path.read_bytes()
        except OSError as exc:
            self.page_count = None
            self.content_problem = f"{name} cannot be read ({_os_reason(exc)})."
            self.inspected = None
            return
        try:
            self.page_count = count_pages(name, data)
            self.content_problem = None
        except UnrenderableDocumentError as exc:
            self.page_count = None
            self.content_problem = str(exc)
        self.inspected = stamp_before

    def to_fax_document(self, file_data: bytes | None) -> FaxDocument:
        """The API's FaxDocument for this document, with `file_data` read by the caller."""
        return FaxDocument(
            file_name=self.file_name if file_data is not None else None,
            file_data=file_data,
            document_ref=self.wire_document_ref,
            order=self.order,
            dithering_technique=self.dithering_technique,
            doc_merge_data=[DocMergeData(m.key, m.value) for m in self.doc_merge_data],
            stamp_merge_data=list(self.stamps),
        )


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "it is no longer there"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    return exc.strerror or exc.__class__.__name__


class _DocumentList:
    """Adding, removing and reordering documents; `order` always equals the index."""

    __slots__ = ()
    documents: list[DraftDocument]

    def add_document(self, path: Path, display_name: str = "") -> DraftDocument:
        """Append a file; it is sent after the documents already there."""
        document = DraftDocument(path=Path(path), display_name=display_name)
        self.documents.append(document)
        self.renumber_documents()
        return document

    def add_saved_document(self, document_ref: str, display_name: str = "") -> DraftDocument:
        """Append a document saved on the service earlier, used by its DocumentRef."""
        document = DraftDocument(document_ref=document_ref, display_name=display_name)
        self.documents.append(document)
        self.renumber_documents()
        return document

    def remove_document(self, index: int) -> DraftDocument:
        """Remove and return the document at `index`."""
        document = self.documents.pop(index)
        self.renumber_documents()
        return document

    def move_document(self, from_index: int, to_index: int) -> None:
        """Move a document so it ends up at `to_index` (counted after the move)."""
        document = self.documents.pop(from_index)
        self.documents.insert(to_index, document)
        self.renumber_documents()

    def renumber_documents(self) -> None:
        """Make every document's `order` its position, which is the order it is sent in."""
        for index, document in enumerate(self.documents):
            document.order = index


# --------------------------------------------------------------------------- recipients


@dataclass(slots=True)
class Recipient(_DocumentList):
    """One fax message: who it goes to, its reference, and what it does differently.

    `fax_number` is the number as typed; `normalised` is the service's form
    ("61280039890"), or None when the number is not valid (see
    `set_fax_number`). `extra` keeps the other columns of an imported CSV.
    `documents`, when not empty, replace the draft's documents for this fax.
    """

    fax_number: str = ""
    name: str = ""
    normalised: str | None = None
    message_ref: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    overrides: FaxOptions = field(default_factory=FaxOptions)
    documents: list[DraftDocument] = field(default_factory=list)

    @classmethod
    def typed(cls, fax_number: str, numbers: PhoneNormaliser, name: str = "") -> Recipient:
        """A recipient for a number as the user typed it, normalised with `numbers`."""
        recipient = cls(name=name)
        recipient.set_fax_number(fax_number, numbers)
        return recipient

    def set_fax_number(self, fax_number: str, numbers: PhoneNormaliser) -> PhoneResult:
        """Change the number and its normalised form; the result says what is wrong, if anything."""
        result = numbers.normalise(fax_number)
        self.fax_number = fax_number
        self.normalised = result.number
        return result


# --------------------------------------------------------------------------- the draft


@dataclass(slots=True)
class Draft(_DocumentList):
    """Everything one composer page holds: one send job, before it is sent."""

    broadcast_ref: str = ""
    send_ref: str = ""
    options: FaxOptions = field(default_factory=FaxOptions)
    documents: list[DraftDocument] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    next_message_number: int = 1
    """The number the next generated MessageRef gets; never reused within a draft."""

    @classmethod
    def new(cls, now: datetime | None = None, prefix: str = "FG") -> Draft:
        """An empty draft with a fresh BroadcastRef and SendRef."""
        draft = cls()
        draft.renew_references(now, prefix)
        return draft

    # ------------------------------------------------------------ references

    def new_message_ref(self) -> str:
        """A MessageRef under this draft's SendRef that no recipient has: `...-S1-M7`."""
        return self._fresh_message_ref({r.message_ref for r in self.recipients})

    def _fresh_message_ref(self, taken: set[str]) -> str:
        while True:
            ref = message_ref_for(self.send_ref, self.next_message_number)
            self.next_message_number += 1
            if ref not in taken:
                taken.add(ref)
                return ref

    def renew_references(self, now: datetime | None = None, prefix: str = "FG") -> None:
        """New BroadcastRef, SendRef and MessageRefs for everything, to send the draft again.

        The service refuses a SendRef or MessageRef it has seen before, so a
        draft that was sent needs new references before it can go again.
        """
        self.broadcast_ref = new_broadcast_ref(now, prefix)
        self.send_ref = send_ref_for(self.broadcast_ref, 1)
        self.next_message_number = 1
        taken: set[str] = set()
        for recipient in self.recipients:
            recipient.message_ref = self._fresh_message_ref(taken)

    # ------------------------------------------------------------ recipients

    def add_recipient(
        self,
        fax_number: str,
        numbers: PhoneNormaliser,
        name: str = "",
        extra: Mapping[str, str] | None = None,
    ) -> Recipient:
        """Append a recipient for a typed number, with a new MessageRef."""
        recipient = Recipient.typed(fax_number, numbers, name)
        if extra:
            recipient.extra = dict(extra)
        return self.add_recipients([recipient])[0]

    def add_recipients(self, recipients: Iterable[Recipient]) -> list[Recipient]:
        """Append recipients, giving a new MessageRef to each that has none or a taken one.

        A recipient's own reference (from an imported CSV, say) is kept when
        no other recipient of the draft has it.
        """
        taken = {r.message_ref for r in self.recipients}
        added = list(recipients)
        # Refs given with the recipients are claimed first, so a fresh one never takes them.
        kept = {id(r) for r in added if r.message_ref.strip()}
        for recipient in added:
            if id(recipient) in kept and recipient.message_ref in taken:
                kept.discard(id(recipient))
            elif id(recipient) in kept:
                taken.add(recipient.message_ref)
        for recipient in added:
            if id(recipient) not in kept:
                recipient.message_ref = self._fresh_message_ref(taken)
        self.recipients.extend(added)
        return added

    def remove_recipients(self, indexes: Iterable[int]) -> list[Recipient]:
        """Remove the recipients at `indexes` (any order, repeats ignored); returns them."""
        doomed = set(indexes)
        for index in doomed:
            if not 0 <= index < len(self.recipients):
                raise IndexError(f"no recipient at index {index}")
        removed = [r for i, r in enumerate(self.recipients) if i in doomed]
        self.recipients = [r for i, r in enumerate(self.recipients) if i not in doomed]
        return removed

    def renormalise(self, numbers: PhoneNormaliser) -> None:
        """Normalise every recipient's number again (after the default country changed)."""
        for recipient in self.recipients:
            recipient.normalised = numbers.normalise(recipient.fax_number).number

    def duplicate_numbers(self) -> dict[int, int]:
        """Recipients whose normalised number an earlier one has: index → that earlier index."""
        return _duplicates(r.normalised for r in self.recipients)

    def duplicate_message_refs(self) -> dict[int, int]:
        """Recipients whose MessageRef an earlier one has: index → that earlier index."""
        return _duplicates(r.message_ref or None for r in self.recipients)

    def documents_for(self, recipient: Recipient) -> list[DraftDocument]:
        """The documents a recipient's fax carries: its own, else the draft's."""
        return recipient.documents or self.documents

    def options_for(self, recipient: Recipient) -> FaxOptions:
        """The options a recipient's fax is sent with: its overrides over the draft's."""
        return recipient.overrides.merged_over(self.options)

    def all_documents(self) -> list[DraftDocument]:
        """The draft's documents, then every recipient's own."""
        return [*self.documents, *(d for r in self.recipients for d in r.documents)]

    # ------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """The draft as JSON-ready data: `{"version": 1, ...}`."""
        return {
            "version": FORMAT_VERSION,
            "broadcast_ref": self.broadcast_ref,
            "send_ref": self.send_ref,
            "next_message_number": self.next_message_number,
            "options": _options_to_json(self.options),
            "documents": [_document_to_json(d) for d in self.documents],
            "recipients": [_recipient_to_json(r) for r in self.recipients],
        }

    def dumps(self) -> str:
        """The draft as a JSON document (compact, UTF-8 safe)."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))

    def snapshot(self) -> bytes:
        """`dumps()` as UTF-8 bytes: what an autosave writes."""
        return self.dumps().encode("utf-8")

    @classmethod
    def from_json(cls, data: object) -> Draft:
        """A draft from `to_json()`'s data. Raises DraftFormatError."""
        root = _Reader(data, "the draft")
        version = root.value("version", int)
        if version is None:
            raise DraftFormatError("This file is not a faxgui draft (it has no version).")
        if version > FORMAT_VERSION:
            raise DraftFormatError(
                f"This draft was saved by a newer faxgui (draft format {version}); this one "
                f"reads format {FORMAT_VERSION}. Update faxgui to open it."
            )
        if version < 1:
            raise DraftFormatError(f"This draft's format {version} is not one faxgui knows.")
        draft = cls(
            broadcast_ref=root.value("broadcast_ref", str) or "",
            send_ref=root.value("send_ref", str) or "",
            options=_options_from_json(root.child("options")),
            documents=_documents_from_json(root.items("documents")),
            recipients=[_recipient_from_json(r) for r in root.items("recipients")],
            next_message_number=max(1, root.value("next_message_number", int) or 1),
        )
        draft.renumber_documents()
        for recipient in draft.recipients:
            recipient.renumber_documents()
        return draft

    @classmethod
    def loads(cls, text: str | bytes) -> Draft:
        """A draft from `dumps()`'s text. Raises DraftFormatError."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DraftFormatError(f"The draft is not valid JSON ({exc}).") from exc
        return cls.from_json(data)


def _duplicates(keys: Iterable[str | None]) -> dict[int, int]:
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        earlier = first.setdefault(key, index)
        if earlier != index:
            repeats[index] = earlier
    return repeats


# --------------------------------------------------------------------------- writing JSON


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _datetime_to_json(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _options_to_json(options: FaxOptions) -> dict[str, Any]:
    blocklists = options.blocklists
    return _drop_none(
        {
            "send_from": options.send_from,
            "resolution": options.resolution.value if options.resolution else None,
            "retries": options.retries,
            "busy_retries": options.busy_retries,
            "header_format": options.header_format,
            "scheduled_start_time": _datetime_to_json(options.scheduled_start_time),
            "must_be_sent_before_date": _datetime_to_json(options.must_be_sent_before_date),
            "max_fax_pages": options.max_fax_pages,
            "cli": options.cli,
            "blocklists": None
            if blocklists is None
            else _drop_none(
                {
                    "dncr": blocklists.dncr,
                    "fps": blocklists.fps,
                    "smartblock": blocklists.smartblock,
                }
            ),
        }
    )


def _stamp_to_json(stamp: StampMergeData) -> dict[str, Any]:
    if isinstance(stamp, TextStampMergeData):
        return _drop_none(
            {
                "kind": "text",
                "x": stamp.x,
                "y": stamp.y,
                "text": stamp.text,
                "font_name": stamp.font_name,
                "font_size": None if stamp.font_size is None else str(stamp.font_size),
            }
        )
    return _drop_none(
        {
            "kind": "image",
            "x": stamp.x,
            "y": stamp.y,
            "file_name": stamp.file_name,
            "file_data": base64.b64encode(stamp.file_data).decode("ascii"),
            "width": stamp.width,
            "height": stamp.height,
        }
    )


def _document_to_json(document: DraftDocument) -> dict[str, Any]:
    inspected = document.inspected
    return _drop_none(
        {
            "path": None if document.path is None else os.fspath(document.path),
            "display_name": document.display_name or None,
            "order": document.order,
            "dithering_technique": document.dithering_technique.value
            if document.dithering_technique
            else None,
            "doc_merge_data": [{"key": m.key, "value": m.value} for m in document.doc_merge_data]
            or None,
            "document_ref": document.document_ref,
            "save_as_ref": document.save_as_ref or None,
            "stamps": [_stamp_to_json(s) for s in document.stamps] or None,
            "page_count": document.page_count,
            "content_problem": document.content_problem,
            "inspected": None
            if inspected is None
            else {"size": inspected.size, "mtime_ns": inspected.mtime_ns},
            "saved_copy": _saved_copy_to_json(document.saved_copy),
        }
    )


def _saved_copy_to_json(copy: SavedCopy | None) -> dict[str, Any] | None:
    if copy is None:
        return None
    stamp = copy.file_stamp
    return _drop_none(
        {
            "document_ref": copy.document_ref,
            "endpoint": copy.endpoint,
            "account": copy.account,
            "saved_at": copy.saved_at.isoformat(),
            "digest": copy.digest,
            "file_stamp": None
            if stamp is None
            else {"size": stamp.size, "mtime_ns": stamp.mtime_ns},
            "in_use": copy.in_use or None,
        }
    )


def _recipient_to_json(recipient: Recipient) -> dict[str, Any]:
    # Written out by hand rather than through _drop_none: a 10,000-recipient draft
    # is autosaved while the user works, and this runs once per recipient.
    data: dict[str, Any] = {
        "fax_number": recipient.fax_number,
        "message_ref": recipient.message_ref,
    }
    if recipient.name:
        data["name"] = recipient.name
    if recipient.normalised is not None:
        data["normalised"] = recipient.normalised
    if recipient.extra:
        data["extra"] = recipient.extra
    if not recipient.overrides.is_empty():
        data["overrides"] = _options_to_json(recipient.overrides)
    if recipient.documents:
        data["documents"] = [_document_to_json(d) for d in recipient.documents]
    return data


# --------------------------------------------------------------------------- reading JSON


class _Reader:
    """Typed access to one JSON object, naming the place in errors ("recipients[3].retries")."""

    __slots__ = ("data", "where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise DraftFormatError(f"{where} should be a set of named values.")
        self.data: dict[str, Any] = data
        self.where = where

    def _place(self, key: str) -> str:
        return key if self.where == "the draft" else f"{self.where}.{key}"

    def value(self, key: str, kind: type[_E]) -> _E | None:
        raw = self.data.get(key)
        if raw is None:
            return None
        # JSON true/false are ints to Python; a count must not accept them.
        if not isinstance(raw, kind) or (kind is int and isinstance(raw, bool)):
            expected = {int: "a whole number", str: "text", bool: "true or false"}.get(
                kind, kind.__name__
            )
            raise DraftFormatError(f"{self._place(key)} should be {expected}, not {raw!r}.")
        return raw

    def number(self, key: str) -> int:
        value = self.value(key, int)
        if value is None:
            raise DraftFormatError(f"{self._place(key)} is missing.")
        return value

    def text(self, key: str) -> str:
        value = self.value(key, str)
        if value is None:
            raise DraftFormatError(f"{self._place(key)} is missing.")
        return value

    def child(self, key: str) -> _Reader:
        return _Reader(self.data.get(key) or {}, self._place(key))

    def items(self, key: str) -> list[_Reader]:
        raw = self.data.get(key)
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise DraftFormatError(f"{self._place(key)} should be a list.")
        return [_Reader(item, f"{self._place(key)}[{i}]") for i, item in enumerate(raw)]

    def datetime(self, key: str) -> datetime | None:
        raw = self.value(key, str)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise DraftFormatError(f"{self._place(key)} is not a date and time: {raw!r}.") from None

    def choice(self, key: str, parse: Callable[[str], _E]) -> _E | None:
        raw = self.value(key, str)
        if raw is None:
            return None
        try:
            return parse(raw)
        except ValueError:
            raise DraftFormatError(f"{self._place(key)} has an unknown value {raw!r}.") from None


def _options_from_json(reader: _Reader) -> FaxOptions:
    blocklists = None
    if reader.data.get("blocklists") is not None:
        b = reader.child("blocklists")
        blocklists = Blocklists(
            dncr=b.value("dncr", bool),
            fps=b.value("fps", bool),
            smartblock=b.value("smartblock", bool),
        )
    return FaxOptions(
        send_from=reader.value("send_from", str),
        resolution=reader.choice("resolution", Resolution),
        retries=reader.value("retries", int),
        busy_retries=reader.value("busy_retries", int),
        header_format=reader.value("header_format", str),
        scheduled_start_time=reader.datetime("scheduled_start_time"),
        must_be_sent_before_date=reader.datetime("must_be_sent_before_date"),
        max_fax_pages=reader.value("max_fax_pages", int),
        cli=reader.value("cli", str),
        blocklists=blocklists,
    )


def _stamp_from_json(reader: _Reader) -> StampMergeData:
    kind = reader.value("kind", str)
    if kind == "text":
        font_size = reader.value("font_size", str)
        try:
            size = None if font_size is None else Decimal(font_size)
        except InvalidOperation:
            raise DraftFormatError(
                f"{reader.where}.font_size is not a number: {font_size!r}."
            ) from None
        return TextStampMergeData(
            x=reader.number("x"),
            y=reader.number("y"),
            text=reader.text("text"),
            font_name=reader.value("font_name", str),
            font_size=size,
        )
    if kind == "image":
        try:
            data = base64.b64decode(reader.text("file_data"), validate=True)
        except ValueError:
            raise DraftFormatError(f"{reader.where}.file_data is not base64.") from None
        return ImageStampMergeData(
            x=reader.number("x"),
            y=reader.number("y"),
            file_name=reader.text("file_name"),
            file_data=data,
            width=reader.value("width", int),
            height=reader.value("height", int),
        )
    raise DraftFormatError(f"{reader.where} is a stamp of unknown kind {kind!r}.")


def _document_from_json(reader: _Reader) -> DraftDocument:
    path = reader.value("path", str)
    inspected = None
    if reader.data.get("inspected") is not None:
        stamp = reader.child("inspected")
        inspected = FileStamp(stamp.number("size"), stamp.number("mtime_ns"))
    return DraftDocument(
        path=None if path is None else Path(path),
        display_name=reader.value("display_name", str) or "",
        order=reader.value("order", int) or 0,
        dithering_technique=reader.choice("dithering_technique", DitheringTechnique.from_wire),
        doc_merge_data=[
            DocMergeData(m.text("key"), m.value("value", str) or "")
            for m in reader.items("doc_merge_data")
        ],
        document_ref=reader.value("document_ref", str),
        save_as_ref=bool(reader.value("save_as_ref", bool)),
        stamps=[_stamp_from_json(s) for s in reader.items("stamps")],
        page_count=reader.value("page_count", int),
        content_problem=reader.value("content_problem", str),
        inspected=inspected,
        saved_copy=_saved_copy_from_json(reader),
    )


def _saved_copy_from_json(document: _Reader) -> SavedCopy | None:
    if document.data.get("saved_copy") is None:
        return None
    reader = document.child("saved_copy")
    saved_at = reader.datetime("saved_at")
    if saved_at is None:
        raise DraftFormatError(f"{reader.where}.saved_at is missing.")
    stamp = None
    if reader.data.get("file_stamp") is not None:
        raw = reader.child("file_stamp")
        stamp = FileStamp(raw.number("size"), raw.number("mtime_ns"))
    return SavedCopy(
        document_ref=reader.text("document_ref"),
        endpoint=reader.text("endpoint"),
        account=reader.text("account"),
        saved_at=saved_at,
        digest=reader.text("digest"),
        file_stamp=stamp,
        in_use=bool(reader.value("in_use", bool)),
    )


def _recipient_from_json(reader: _Reader) -> Recipient:
    extra = reader.child("extra")
    for key, value in extra.data.items():
        if not isinstance(value, str):
            raise DraftFormatError(f"{extra.where}.{key} should be text, not {value!r}.")
    return Recipient(
        fax_number=reader.value("fax_number", str) or "",
        name=reader.value("name", str) or "",
        normalised=reader.value("normalised", str),
        message_ref=reader.value("message_ref", str) or "",
        extra=dict(extra.data),
        overrides=_options_from_json(reader.child("overrides")),
        documents=_documents_from_json(reader.items("documents")),
    )


def _documents_from_json(readers: list[_Reader]) -> list[DraftDocument]:
    return sorted((_document_from_json(d) for d in readers), key=lambda d: d.order)
