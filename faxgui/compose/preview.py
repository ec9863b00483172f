"""Previews "as the fax will print": their keys, a cache bounded by bytes, and the saved copies.

A preview is made by the service from a saved document: the file is saved
once with SaveFaxDocument under a generated DocumentRef (a `SavedCopy`,
recorded on the draft document), then FaxDocumentPreview renders it with
the chosen resolution, dithering, merge fields and stamps. The same copy
serves every later preview of the same content and the send itself (see
`faxgui.compose.requests`), until the file changes, the account or service
changes, or it nears the end of its 30 days. A copy the service no longer
has (it expired, or was deleted elsewhere) is saved again, once, by itself.

Previews are cached by what decides how they look: the content's digest,
the service, resolution, dithering, merge fields and stamps. Everything
here blocks on the network or the disk: run it on a worker thread. Qt-free.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.errors import (
    DocumentRefAlreadyExistsFault,
    DocumentRefDoesNotExistFault,
    MalformedResponseError,
    MonopondError,
)
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    DocMergeData,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    ImageStampMergeData,
    SaveFaxDocumentRequest,
    StampMergeData,
    TextStampMergeData,
)
from faxgui.compose.draft import DraftDocument, FileStamp, SavedCopy
from faxgui.compose.refs import new_broadcast_ref

log = logging.getLogger(__name__)

PREVIEW_REF_PREFIX = "FGP"
"""Generated DocumentRefs of preview copies start with this: `FGP-20261127-7KQ3MXA2`."""

DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
"""How many bytes of preview TIFFs the shared cache keeps (some 300 fine pages)."""


def content_digest(data: bytes) -> str:
    """The SHA-256 of a file's bytes, in hex: what says two files hold the same document."""
    return hashlib.sha256(data).hexdigest()


def new_preview_ref(now: datetime | None = None) -> str:
    """A fresh DocumentRef for a preview copy, unique the way BroadcastRefs are."""
    return new_broadcast_ref(now, PREVIEW_REF_PREFIX)


# --------------------------------------------------------------------------- keys and cache


def stamps_digest(stamps: Iterable[StampMergeData]) -> str:
    """One digest for a list of stamps (in order), image bytes included."""
    described: list[list[object]] = []
    for stamp in stamps:
        if isinstance(stamp, TextStampMergeData):
            size = None if stamp.font_size is None else str(stamp.font_size)
            described.append(["text", stamp.x, stamp.y, stamp.text, stamp.font_name, size])
        elif isinstance(stamp, ImageStampMergeData):
            described.append(
                [
                    "image",
                    stamp.x,
                    stamp.y,
                    stamp.file_name,
                    content_digest(stamp.file_data),
                    stamp.width,
                    stamp.height,
                ]
            )
    return content_digest(json.dumps(described, ensure_ascii=False).encode("utf-8"))


@dataclass(frozen=True, slots=True)
class PreviewKey:
    """What decides how a preview looks; equal keys give the same TIFF.

    `content` is the file's digest, or `ref:<DocumentRef>` for a document
    saved on the service that has no file here. `service` is the endpoint:
    another service may render differently.
    """

    content: str
    service: str
    resolution: Resolution
    dithering: DitheringTechnique | None
    merge_data: tuple[tuple[str, str], ...]
    stamps: str


@dataclass(frozen=True, slots=True)
class FaxPreview:
    """A preview as the service made it: the TIFF, its page count and how it was made."""

    tiff: bytes = field(repr=False)
    pages: int
    resolution: Resolution
    dithering: DitheringTechnique | None

    def __repr__(self) -> str:
        return (
            f"FaxPreview(tiff=<{len(self.tiff)} bytes>, pages={self.pages}, "
            f"resolution={self.resolution}, dithering={self.dithering})"
        )


class PreviewCache:
    """The most recently used previews, up to `max_bytes` of TIFF in all; thread-safe.

    A preview larger than the whole budget is not kept.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[PreviewKey, FaxPreview] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: PreviewKey) -> FaxPreview | None:
        """The cached preview for `key` (now the most recently used), or None."""
        with self._lock:
            preview = self._entries.get(key)
            if preview is not None:
                self._entries.move_to_end(key)
            return preview

    def put(self, key: PreviewKey, preview: FaxPreview) -> None:
        """Keep `preview`, dropping the least recently used ones to stay within the budget."""
        size = len(preview.tiff)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.tiff)
            if size > self.max_bytes:
                return
            self._entries[key] = preview
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.tiff)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_shared_cache = PreviewCache()


def shared_preview_cache() -> PreviewCache:
    """The application's one preview cache, shared by every preview pane."""
    return _shared_cache


# --------------------------------------------------------------------------- jobs


class PreviewService(Protocol):
    """What a preview needs of a client; `faxgui.api.MonopondClient` is one."""

    @property
    def endpoint(self) -> str: ...

    @property
    def username(self) -> str: ...

    def save_fax_document(self, request: SaveFaxDocumentRequest) -> None: ...

    def delete_fax_document(self, request: DeleteFaxDocumentRequest) -> None: ...

    def fax_document_preview(
        self, request: FaxDocumentPreviewRequest
    ) -> FaxDocumentPreviewResponse: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PreviewJob:
    """One preview to make: a snapshot of a draft document and the chosen options.

    Made on the GUI thread from the document (`for_document`), so the worker
    never touches the draft.
    """

    path: Path | None
    document_ref: str | None
    saved_copy: SavedCopy | None
    resolution: Resolution
    dithering: DitheringTechnique | None
    merge_data: tuple[DocMergeData, ...] = ()
    stamps: tuple[StampMergeData, ...] = ()
    label: str = ""

    @classmethod
    def for_document(
        cls,
        document: DraftDocument,
        resolution: Resolution,
        dithering: DitheringTechnique | None,
    ) -> PreviewJob:
        """The job for `document` at this resolution and dithering, with its merge fields
        and stamps."""
        return cls(
            path=document.path,
            document_ref=document.document_ref if document.uses_saved_document else None,
            saved_copy=document.saved_copy,
            resolution=resolution,
            dithering=dithering,
            merge_data=tuple(DocMergeData(m.key, m.value) for m in document.doc_merge_data),
            stamps=tuple(document.stamps),
            label=document.label,
        )


@dataclass(frozen=True, slots=True)
class PreviewOutcome:
    """What a preview job did: the preview (None if cancelled first) and the copy it used.

    `saved_copy` is the copy to record on the document (the one it had, or a
    new one); `from_cache` says no call was made for the preview itself.
    """

    preview: FaxPreview | None
    saved_copy: SavedCopy | None
    from_cache: bool = False


class PreviewError(Exception):
    """A preview that could not be made; `user_message` says why and what to do.

    `cause` is the error behind it and `saved_copy` the copy to record on the
    document all the same (a copy may have been saved before the failure).
    """

    def __init__(
        self, user_message: str, cause: Exception | None, saved_copy: SavedCopy | None
    ) -> None:
        self.user_message = user_message
        self.cause = cause
        self.saved_copy = saved_copy
        super().__init__(user_message)


class _Run:
    """The state of one job on its worker: the copy in use, and whether it was cancelled."""

    def __init__(self, job: PreviewJob, cancel: threading.Event | None) -> None:
        self.copy = job.saved_copy
        self.cancel = cancel

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()


def make_preview(
    client: PreviewService,
    job: PreviewJob,
    cache: PreviewCache,
    *,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> PreviewOutcome:
    """Make the preview of `job` through `client`, from `cache` when it is there.

    Saves the file first unless its saved copy can be used; a copy the
    service no longer has is saved again once. Setting `cancel` stops before
    the next call. Raises PreviewError.
    """
    run = _Run(job, cancel)
    try:
        return _make(client, job, cache, run, now or datetime.now(UTC))
    except PreviewError:
        raise
    except MonopondError as exc:
        raise PreviewError(exc.user_message, exc, run.copy) from exc


def _make(
    client: PreviewService,
    job: PreviewJob,
    cache: PreviewCache,
    run: _Run,
    now: datetime,
) -> PreviewOutcome:
    data: bytes | None = None
    stamp: FileStamp | None = None
    if job.path is not None:
        stamp, data = _read(job.path)
        content = content_digest(data)
    elif job.document_ref:
        content = f"ref:{job.document_ref}"
    else:
        raise PreviewError("This document has no file to preview.", None, run.copy)
    key = PreviewKey(
        content=content,
        service=client.endpoint,
        resolution=job.resolution,
        dithering=job.dithering,
        merge_data=tuple((m.key, m.value) for m in job.merge_data),
        stamps=stamps_digest(job.stamps),
    )
    cached = cache.get(key)
    if cached is not None:
        return PreviewOutcome(cached, run.copy, from_cache=True)

    if data is None:
        # A document saved on the service earlier: nothing to save, and nothing to save
        # again should the service have lost it.
        assert job.document_ref is not None
        answer = client.fax_document_preview(_preview_request(job, job.document_ref))
    else:
        assert job.path is not None
        ref = _copy_for(client, job.path.name, data, content, stamp, run, now)
        if ref is None or run.cancelled():
            return PreviewOutcome(None, run.copy)
        try:
            answer = client.fax_document_preview(_preview_request(job, ref))
        except DocumentRefDoesNotExistFault:
            # Expired or deleted on the service: save it again, once.
            log.info("Saved copy %s is gone from %s; saving it again", ref, client.endpoint)
            run.copy = None
            ref = _copy_for(client, job.path.name, data, content, stamp, run, now)
            if ref is None or run.cancelled():
                return PreviewOutcome(None, run.copy)
            try:
                answer = client.fax_document_preview(_preview_request(job, ref))
            except DocumentRefDoesNotExistFault as again:
                raise PreviewError(
                    "The fax service lost this document's saved copy twice in a row, just "
                    "after it was saved. Try again in a few minutes; if it keeps happening, "
                    "contact the fax service's support.",
                    again,
                    run.copy,
                ) from again
    preview = FaxPreview(
        tiff=answer.tiff_preview,
        pages=_tiff_pages(answer),
        resolution=job.resolution,
        dithering=job.dithering,
    )
    cache.put(key, preview)
    return PreviewOutcome(preview, run.copy)


def _read(path: Path) -> tuple[FileStamp | None, bytes]:
    name = path.name or str(path)
    try:
        status = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        reason = "it is no longer there"
    except IsADirectoryError:
        reason = "it is a folder"
    except PermissionError:
        reason = "permission denied"
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    else:
        return FileStamp(status.st_size, status.st_mtime_ns), data
    raise PreviewError(
        f"The file “{name}” could not be read ({reason}), so it cannot be previewed. "
        f"It was at {os.fspath(path)}. Put it back there, or attach it again.",
        None,
        None,
    )


def _copy_for(
    client: PreviewService,
    file_name: str,
    data: bytes,
    digest: str,
    stamp: FileStamp | None,
    run: _Run,
    now: datetime,
) -> str | None:
    """The DocumentRef of a saved copy of `data`: the run's own if it still serves, else a
    new one (the run's old copy is deleted, unless a sent fax may use it); None when the
    run was cancelled before a copy was needed."""
    account = client.username
    old = run.copy
    if old is not None and old.holds(digest) and old.usable(client.endpoint, account, now):
        if old.file_stamp != stamp:
            # Touched but not changed: remember the new stamp, so it is not read again for it.
            run.copy = replace(old, file_stamp=stamp)
        return old.document_ref
    if run.cancelled():
        return None
    ref = _save(client, file_name, data, now)
    run.copy = SavedCopy(
        document_ref=ref,
        endpoint=client.endpoint,
        account=account,
        saved_at=now,
        digest=digest,
        file_stamp=stamp,
    )
    if old is not None:
        # Replaced: it holds content no longer wanted (`delete_saved_copies` skips a copy
        # a sent fax may use, or one saved on another service or account).
        delete_saved_copies(client, [old])
    return ref


def _save(client: PreviewService, file_name: str, data: bytes, now: datetime) -> str:
    for attempt in (1, 2):
        ref = new_preview_ref(now)
        try:
            client.save_fax_document(SaveFaxDocumentRequest(ref, file_name, data))
        except DocumentRefAlreadyExistsFault:
            # 31^8 references a day make this next to impossible; a second try settles it.
            if attempt == 2:
                raise
            continue
        return ref
    raise AssertionError("unreachable")


def _preview_request(job: PreviewJob, document_ref: str) -> FaxDocumentPreviewRequest:
    return FaxDocumentPreviewRequest(
        document_ref=document_ref,
        resolution=job.resolution,
        dithering_technique=job.dithering,
        doc_merge_data=[DocMergeData(m.key, m.value) for m in job.merge_data],
        stamp_merge_data=list(job.stamps),
    )


def _tiff_pages(answer: FaxDocumentPreviewResponse) -> int:
    """The pages of the answer's TIFF; MalformedResponseError when it is not a TIFF."""
    from PIL import Image, UnidentifiedImageError

    unreadable = MalformedResponseError(
        "the preview is not a readable TIFF",
        user_message=(
            "The fax service sent a preview this program cannot read (it is not a TIFF "
            "image). Try again; if it keeps happening, contact the fax service's support."
        ),
    )
    try:
        with Image.open(io.BytesIO(answer.tiff_preview)) as image:
            if image.format != "TIFF":
                raise unreadable
            pages = int(getattr(image, "n_frames", 1))
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as exc:
        raise unreadable from exc
    if pages < 1:
        raise unreadable
    return pages


# --------------------------------------------------------------------------- lifecycle


def delete_saved_copies(client: PreviewService, copies: Sequence[SavedCopy]) -> list[str]:
    """Delete the copies saved through this client's service and account, as far as possible.

    Copies a sent fax may use (`in_use`) and copies saved elsewhere are left
    alone. Best effort: a copy already gone counts as deleted; other errors
    are logged and that copy is left to expire. Returns the references deleted.
    """
    deleted: list[str] = []
    for copy in copies:
        if copy.in_use or copy.endpoint != client.endpoint or copy.account != client.username:
            continue
        try:
            client.delete_fax_document(DeleteFaxDocumentRequest(copy.document_ref))
        except DocumentRefDoesNotExistFault:
            pass
        except MonopondError as exc:
            log.info("Saved copy %s not deleted (%s); it expires by itself", copy.document_ref, exc)
            continue
        deleted.append(copy.document_ref)
    return deleted


def saved_copies_of(documents: Iterable[DraftDocument]) -> list[SavedCopy]:
    """The saved copies the documents hold, each once."""
    seen: dict[str, SavedCopy] = {}
    for document in documents:
        copy = document.saved_copy
        if copy is not None:
            seen.setdefault(copy.document_ref, copy)
    return list(seen.values())


def mark_in_use(documents: Iterable[DraftDocument]) -> None:
    """Mark every document's saved copy as one a sent fax may use: it is never deleted."""
    for document in documents:
        if document.saved_copy is not None and not document.saved_copy.in_use:
            document.saved_copy = replace(document.saved_copy, in_use=True)


def copy_for_send(document: DraftDocument, data: bytes) -> SavedCopy | None:
    """The document's saved copy, when it holds exactly `data` and the document goes by its
    file alone (a reference of the user's own is saved as the user asked, never swapped).

    Whether the copy suits the service and account is for the sender to check
    (`SavedCopy.usable`), once it knows where the fax goes.
    """
    copy = document.saved_copy
    if copy is None or document.path is None or document.wire_document_ref is not None:
        return None
    return copy if copy.holds(content_digest(data)) else None


def discard_saved_copies(
    client_factory: Callable[[], PreviewService], copies: Sequence[SavedCopy]
) -> list[str]:
    """Delete `copies` (see `delete_saved_copies`) with a client from `client_factory`,
    which is closed afterwards; for a draft being thrown away. Blocks."""
    client = client_factory()
    try:
        return delete_saved_copies(client, copies)
    finally:
        client.close()
