"""Page counts, damaged-file checks and thumbnails of the draft's documents, made on a worker."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPixmap

from faxgui.compose.draft import DraftDocument, FileStamp
from faxgui.imaging.formats import TXT, file_type_for
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

# PyMuPDF has no type hints.
pymupdf: Any = _pymupdf

THUMBNAIL_HEIGHT = 64
"""Pixels: the height of a document's first-page picture in the documents list."""


@dataclass(frozen=True, slots=True)
class Inspection:
    """What reading one file found (see `DraftDocument.inspect`), and its first page as PNG."""

    path: Path
    page_count: int | None
    content_problem: str | None
    inspected: FileStamp | None
    thumbnail_png: bytes | None


def inspect_file(path: Path) -> Inspection:
    """Read `path`: count its pages, note what is wrong with it, draw its first page small.

    Reads and renders: worker threads only. Never raises.
    """
    probe = DraftDocument(path=path)
    probe.inspect()
    thumbnail = None
    if probe.content_problem is None and probe.page_count:
        thumbnail = first_page_png(path)
    return Inspection(path, probe.page_count, probe.content_problem, probe.inspected, thumbnail)


def first_page_png(path: Path, height: int = THUMBNAIL_HEIGHT) -> bytes | None:
    """The first page of a document this computer can draw, `height` pixels high, as PNG.

    None for types that need an office suite, and for files that fail to draw
    (the page count check has already said why).
    """
    file_type = file_type_for(path.name)
    if file_type is None or not file_type.renders_locally:
        return None
    try:
        data = path.read_bytes()
        if file_type is TXT:
            # MuPDF reads text as UTF-8; a Windows-1252 letter would otherwise lose its accents.
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                data = data.decode("cp1252", errors="replace").encode("utf-8")
        with pymupdf.open(stream=data, filetype=file_type.extension) as doc:
            if file_type is TXT:
                doc.layout(rect=pymupdf.paper_rect("letter"))
            page = doc.load_page(0)
            zoom = height / page.rect.height
            pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            return bytes(pixmap.tobytes("png"))
    except Exception:  # MuPDF raises its own types, RuntimeError or ValueError
        return None


class DocumentInspector(QObject):
    """Inspects documents on the thread pool and keeps their thumbnails.

    `request()` a document after adding it or showing a saved draft; when
    the answer comes, the document's `page_count`, `content_problem` and
    `inspected` are set (on the GUI thread) and `inspected` is emitted.

    Signals:
        inspected(object): the DraftDocument whose file was read.
    """

    inspected = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thumbnails: dict[Path, QPixmap] = {}
        self._waiting: dict[Path, list[DraftDocument]] = {}

    def request(self, document: DraftDocument) -> None:
        """Read the document's file on a worker (nothing to do for a saved document)."""
        path = document.path
        if path is None:
            return
        waiting = self._waiting.get(path)
        if waiting is not None:
            if all(d is not document for d in waiting):
                waiting.append(document)
            return
        self._waiting[path] = [document]
        run_task(
            inspect_file,
            path,
            on_done=self._done,
            on_error=lambda error: self._failed(path, error),
            context=self,
        )

    def is_pending(self, document: DraftDocument) -> bool:
        """True while the document's file is being read."""
        return document.path is not None and any(
            d is document for d in self._waiting.get(document.path, [])
        )

    def thumbnail(self, document: DraftDocument) -> QPixmap | None:
        """The document's first page, small, once its file has been read (None if it cannot)."""
        return None if document.path is None else self._thumbnails.get(document.path)

    def _failed(self, path: Path, error: Exception) -> None:
        # inspect_file catches what a file can do wrong; anything else is a bug to log.
        log.error("Reading %s failed unexpectedly", path.name, exc_info=error)
        self._waiting.pop(path, None)

    def _done(self, result: Inspection) -> None:
        documents = self._waiting.pop(result.path, [])
        if result.thumbnail_png is not None:
            pixmap = QPixmap()
            pixmap.loadFromData(result.thumbnail_png, "PNG")
            self._thumbnails[result.path] = pixmap
        else:
            self._thumbnails.pop(result.path, None)
        for document in documents:
            # The user may have pointed the document at another file meanwhile.
            if document.path != result.path:
                continue
            document.page_count = result.page_count
            document.content_problem = result.content_problem
            document.inspected = result.inspected
            self.inspected.emit(document)
