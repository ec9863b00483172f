"""Documents in the sandbox: checking an upload, counting its pages, and keeping saved ones 30 days.

A document is typed by its FileName extension, as the service does; an
unknown extension is a DocumentContentTypeNotFound fault and empty FileData
an InvalidArguments fault. Content that cannot be converted (a damaged PDF,
a .ps file that is not PostScript) is accepted here, as the service accepts
it, and only makes the fax fail later with DOCUMENT_UNSUPPORTED.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from faxgui.api.errors import (
    DocumentContentTypeNotFoundFault,
    DocumentRefAlreadyExistsFault,
    DocumentRefDoesNotExistFault,
    InvalidArgumentsFault,
)
from faxgui.imaging.formats import FILE_TYPES, FileType, file_type_for
from faxgui.imaging.raster import UnrenderableDocumentError, count_pages

SAVED_DOCUMENT_LIFETIME = timedelta(days=30)
"""How long a saved document lasts, counted from when it was saved."""

_SUPPORTED_LIST = ", ".join(t.extension.upper() for t in FILE_TYPES)


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document's bytes with what the sandbox learned from them.

    `problem` says why the content cannot be converted to fax pages (and
    `pages` is then 0); None means it can.
    """

    file_name: str
    data: bytes = field(repr=False)
    file_type: FileType
    pages: int
    problem: str | None = None


def prepare_document(file_name: str | None, data: bytes) -> PreparedDocument:
    """Check an uploaded document and count its pages. Raises the service's faults."""
    if not file_name or not file_name.strip():
        raise InvalidArgumentsFault("FileName is required with FileData")
    if not data:
        raise InvalidArgumentsFault(f"FileData of '{file_name}' is empty")
    file_type = file_type_for(file_name)
    if file_type is None:
        raise DocumentContentTypeNotFoundFault(
            f"The content type of '{file_name}' cannot be determined from its file name; "
            f"supported types are {_SUPPORTED_LIST}"
        )
    try:
        pages = count_pages(file_name, data)
    except UnrenderableDocumentError as exc:
        return PreparedDocument(file_name, data, file_type, 0, str(exc))
    return PreparedDocument(file_name, data, file_type, pages)


class DocumentPreparer:
    """Prepares documents, counting each distinct file only once.

    A broadcast may carry the same file in every message; counting pages once
    per distinct (name, content) keeps a 600-message request fast.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, bytes], PreparedDocument] = {}

    def prepare(self, file_name: str | None, data: bytes) -> PreparedDocument:
        key = (file_name or "", hashlib.sha256(data).digest())
        prepared = self._seen.get(key)
        if prepared is None:
            prepared = prepare_document(file_name, data)
            self._seen[key] = prepared
        return prepared


@dataclass(frozen=True, slots=True)
class SavedDocument:
    """A document kept under a DocumentRef."""

    document_ref: str
    document: PreparedDocument
    saved_at: datetime

    @property
    def expires_at(self) -> datetime:
        return self.saved_at + SAVED_DOCUMENT_LIFETIME


class DocumentStore:
    """One account's saved documents.

    Not locked on its own: the engine's lock guards every call. Expired
    documents are dropped whenever the store is used, so an expired reference
    behaves exactly like one that was never saved (and can be saved again).
    """

    def __init__(self) -> None:
        self._documents: dict[str, SavedDocument] = {}

    def get(self, document_ref: str, now: datetime) -> SavedDocument:
        """The saved document, or DocumentRefDoesNotExistFault (also once it has expired)."""
        self._expire(now)
        saved = self._documents.get(document_ref)
        if saved is None:
            raise DocumentRefDoesNotExistFault(f"DocumentRef '{document_ref}' does not exist")
        return saved

    def contains(self, document_ref: str, now: datetime) -> bool:
        self._expire(now)
        return document_ref in self._documents

    def save(self, document_ref: str, document: PreparedDocument, now: datetime) -> SavedDocument:
        """Keep a document for 30 days; DocumentRefAlreadyExistsFault if the reference is taken."""
        if self.contains(document_ref, now):
            raise DocumentRefAlreadyExistsFault(f"DocumentRef '{document_ref}' already exists")
        saved = SavedDocument(document_ref, document, now)
        self._documents[document_ref] = saved
        return saved

    def delete(self, document_ref: str, now: datetime) -> None:
        """Remove a saved document; DocumentRefDoesNotExistFault if there is none."""
        self.get(document_ref, now)
        del self._documents[document_ref]

    def _expire(self, now: datetime) -> None:
        expired = [ref for ref, saved in self._documents.items() if saved.expires_at <= now]
        for ref in expired:
            del self._documents[ref]
