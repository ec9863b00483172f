"""Documents in the sandbox: checking an upload, counting its pages, and keeping saved ones 30 days.

A document is typed by its FileName extension, as the service does; an
unknown extension is a DocumentContentTypeNotFound fault and empty FileData
an InvalidArguments fault. Content that cannot be converted (a damaged PDF,
a .ps file that is not PostScript) is accepted here, as the service accepts
it, and only makes the fax fail later with DOCUMENT_UNSUPPORTED.

Pages are counted the way they will print: Office documents are converted to
PDF by LibreOffice and PostScript by Ghostscript (`faxgui.imaging.office`)
when installed, after their DocMergeData is filled in, so a merge value that
pushes a letter onto a second page counts. Without LibreOffice, an Office
document's pages come from its own metadata (see `faxgui.imaging.raster`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import PurePath

from faxgui.api.errors import (
    DocumentContentTypeNotFoundFault,
    DocumentRefAlreadyExistsFault,
    DocumentRefDoesNotExistFault,
    InvalidArgumentsFault,
)
from faxgui.api.models import DocMergeData
from faxgui.imaging.docx_merge import DocxMergeError, merge_docx
from faxgui.imaging.formats import DOC, DOCX, FILE_TYPES, FileType, file_type_for
from faxgui.imaging.office import OfficeConverter, OfficeUnavailableError, needs_conversion
from faxgui.imaging.raster import UnrenderableDocumentError, count_pages

SAVED_DOCUMENT_LIFETIME = timedelta(days=30)
"""How long a saved document lasts, counted from when it was saved."""

_SUPPORTED_LIST = ", ".join(t.extension.upper() for t in FILE_TYPES)

MergeKey = tuple[tuple[str, str], ...]
"""DocMergeData as a hashable (key, value) tuple, in request order."""


def merge_key(merge: Iterable[DocMergeData]) -> MergeKey:
    return tuple((m.key, m.value) for m in merge)


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


def check_upload(file_name: str | None, data: bytes) -> tuple[str, FileType]:
    """The file name and type of an upload, or the fault the service gives for it."""
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
    return file_name, file_type


def prepare_document(
    file_name: str | None, data: bytes, office: OfficeConverter
) -> PreparedDocument:
    """Check an uploaded document and count its pages. Raises the service's faults."""
    name, file_type = check_upload(file_name, data)
    try:
        pages = _count(name, data, office)
    except UnrenderableDocumentError as exc:
        return PreparedDocument(name, data, file_type, 0, str(exc))
    return PreparedDocument(name, data, file_type, pages)


def apply_merge(
    file_name: str, data: bytes, merge: MergeKey, office: OfficeConverter
) -> tuple[str, bytes]:
    """The document with its merge fields filled in, as (file name, content).

    A .doc is saved as .docx by LibreOffice first (the fields live in its
    text, which only the .docx form exposes). Raises UnrenderableDocumentError
    (OfficeUnavailableError for a .doc without LibreOffice).
    """
    if not merge:
        return file_name, data
    file_type = file_type_for(file_name)
    if file_type is DOC:
        data = office.to_docx(file_name, data)
        file_name = str(PurePath(file_name).with_suffix(".docx"))
    elif file_type is not DOCX:
        return file_name, data
    try:
        return file_name, merge_docx(data, merge)
    except DocxMergeError as exc:
        raise UnrenderableDocumentError(
            f"{file_name}: its merge fields cannot be filled in: {exc}"
        ) from exc


def printable(file_name: str, data: bytes, office: OfficeConverter) -> tuple[str, bytes]:
    """A form of the document the fax rasteriser draws: itself, or its PDF conversion.

    Raises OfficeUnavailableError when the converter it needs is not installed
    and UnrenderableDocumentError when the conversion fails.
    """
    if not needs_conversion(file_name):
        return file_name, data
    return str(PurePath(file_name).with_suffix(".pdf")), office.to_pdf(file_name, data)


def _count(file_name: str, data: bytes, office: OfficeConverter) -> int:
    if needs_conversion(file_name) and office.can_convert(file_name):
        converted_name, pdf = printable(file_name, data, office)
        return count_pages(converted_name, pdf)
    return count_pages(file_name, data)


class DocumentPreparer:
    """Prepares the documents of one request, counting each distinct file only once.

    A broadcast may carry the same file in every message; counting pages once
    per distinct (name, content, merge data) keeps a 600-message request fast,
    and `warm` converts all of a request's Office documents in as few
    LibreOffice runs as possible before they are counted one by one.
    """

    def __init__(self, office: OfficeConverter) -> None:
        self.office = office
        self._seen: dict[tuple[str, bytes], PreparedDocument] = {}
        self._merged: dict[tuple[str, bytes, MergeKey], PreparedDocument] = {}

    def prepare(self, file_name: str | None, data: bytes) -> PreparedDocument:
        """The uploaded document itself (what a DocumentRef saves). Raises the service's faults."""
        key = (file_name or "", hashlib.sha256(data).digest())
        prepared = self._seen.get(key)
        if prepared is None:
            prepared = prepare_document(file_name, data, self.office)
            self._seen[key] = prepared
        return prepared

    def merged(self, document: PreparedDocument, merge: MergeKey) -> PreparedDocument:
        """The document as faxed with this merge data: its pages counted after merging.

        Without LibreOffice a .doc cannot be merged here; its own page count
        stands. Types that take no merge data are returned as they are.
        """
        if not merge or not document.file_type.accepts_doc_merge or document.problem:
            return document
        key = (document.file_name, hashlib.sha256(document.data).digest(), merge)
        variant = self._merged.get(key)
        if variant is None:
            variant = self._merge(document, merge)
            self._merged[key] = variant
        return variant

    def warm(self, documents: Iterable[tuple[str | None, bytes | None, MergeKey]]) -> None:
        """Convert every Office document (merged as asked) in batches, ahead of counting.

        Problems are left for `prepare` and `merged` to report in order.
        """
        wanted: dict[tuple[str, bytes], tuple[str, bytes]] = {}
        for file_name, data, merge in documents:
            if not file_name or not data or not self.office.can_convert(file_name):
                continue
            variants = [(file_name, data)]
            file_type = file_type_for(file_name)
            if merge and file_type is DOCX:
                with suppress(DocxMergeError):  # `merged` reports it
                    variants.append((file_name, merge_docx(data, merge)))
            for variant in variants:
                wanted.setdefault((variant[0], hashlib.sha256(variant[1]).digest()), variant)
        if len(wanted) > 1:
            self.office.to_pdf_many(list(wanted.values()))

    def _merge(self, document: PreparedDocument, merge: MergeKey) -> PreparedDocument:
        try:
            file_name, data = apply_merge(document.file_name, document.data, merge, self.office)
        except OfficeUnavailableError:
            return document
        except UnrenderableDocumentError as exc:
            return replace(document, pages=0, problem=str(exc))
        file_type = file_type_for(file_name) or document.file_type
        try:
            pages = _count(file_name, data, self.office)
        except UnrenderableDocumentError as exc:
            return PreparedDocument(file_name, data, file_type, 0, str(exc))
        return PreparedDocument(file_name, data, file_type, pages)


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
