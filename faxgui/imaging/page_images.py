"""Pages of a document drawn for the screen at any scale, safely from several threads.

`PageSource` opens what a receptionist attaches (PDF, TIFF including fax G3/G4,
PNG, JPEG, GIF, plain text, and Office and PostScript documents when LibreOffice
or Ghostscript can turn them into PDF, see `faxgui.imaging.office`) and draws
one page at a time as raw samples a QImage can wrap.

Sizes are in PDF points (1/72 inch) with the origin at the top left of the page.
A fax TIFF's points follow its own horizontal and vertical resolution, so a
204 x 98 dpi page is as tall as it prints, not squashed to half its height.

PyMuPDF holds the interpreter lock while it draws, so one long `get_pixmap`
call on a worker freezes the GUI thread for as long. Pages are therefore drawn
from a display list in horizontal bands of a few milliseconds each, and the
lock is given back between bands. One MuPDF document serves every thread,
behind a lock: MuPDF documents must not be used by two threads at once.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pymupdf as _pymupdf
from PIL import Image

from faxgui.imaging.formats import PDF, TIFF, TXT, FileType, file_type_for
from faxgui.imaging.office import OfficeConverter, default_converter
from faxgui.imaging.raster import UnrenderableDocumentError

# PyMuPDF annotates only part of its API; an untyped alias lets mypy --strict check this module.
pymupdf: Any = _pymupdf

__all__ = ["PageImage", "PageSource", "RenderCancelledError", "UnrenderableDocumentError"]

BAND_SECONDS = 0.012
"""How long one band of a page may hold the interpreter lock; under a frame at 60 Hz."""

_FIRST_BAND_ROWS = 48
_MAX_SIDE_PX = 12_000
"""A page is never drawn larger than this on either side, whatever the zoom asks for."""


class RenderCancelledError(Exception):
    """`render` stopped because its caller no longer wanted the page."""


@dataclass(frozen=True, slots=True)
class PageImage:
    """One drawn page: rows of `stride` bytes, top to bottom; 3 bytes a pixel for "RGB",
    1 for "L" (grey)."""

    width: int
    height: int
    stride: int
    samples: bytes
    mode: Literal["RGB", "L"]

    @property
    def nbytes(self) -> int:
        """Memory the samples take."""
        return len(self.samples)


class PageSource:
    """A document opened for drawing its pages on screen.

    `PageSource(path)` reads a file; `PageSource(file_name, data)` takes the
    content (the type is read from the file name's extension either way, as the
    fax service does). Opening reads every page's size, so it belongs on a
    worker thread. Raises `UnrenderableDocumentError`, with a sentence a user
    can act on, for damaged, empty, password-protected or unknown files, and
    for Office documents when LibreOffice is not installed ("can be sent, but
    it cannot be shown here"). Office and PostScript documents are converted to
    PDF by `converter` (the process's `default_converter()` unless given), which
    takes seconds the first time.

    Every method may be called from any thread.
    """

    def __init__(
        self,
        source: str | os.PathLike[str],
        data: bytes | None = None,
        *,
        converter: OfficeConverter | None = None,
    ) -> None:
        if data is None:
            path = Path(source)
            self.file_name = path.name
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise UnrenderableDocumentError(
                    f"{self.file_name}: the file cannot be read ({exc.strerror or exc}). "
                    "Check that it still exists and that you may open it."
                ) from exc
        else:
            self.file_name = Path(os.fspath(source)).name
        self.file_type = _file_type(self.file_name)
        self._lock = threading.Lock()
        self._doc, self._grey = _open(self.file_name, self.file_type, data, converter)
        self._sizes = _page_sizes(self._doc, self.file_name, self.file_type)

    @property
    def page_count(self) -> int:
        """How many pages the document has (at least one)."""
        return len(self._sizes)

    def page_size_pt(self, index: int) -> tuple[float, float]:
        """Width and height of page `index` (from 0) in points, as it prints."""
        return self._sizes[index]

    def render(
        self, index: int, scale: float, cancelled: Callable[[], bool] | None = None
    ) -> PageImage:
        """Page `index` drawn at `scale` pixels per point (1.0 = 72 dpi), on white.

        The result is at most 12,000 pixels on a side: a larger `scale` is reduced.
        `cancelled` is asked between bands; once it answers True the drawing stops
        with `RenderCancelledError` (the user has moved on to another document or zoom).
        Raises `UnrenderableDocumentError` when the page's content is damaged, and
        `IndexError` for a page the document does not have.
        """
        if not 0 <= index < len(self._sizes):
            raise IndexError(f"page {index} of a {len(self._sizes)}-page document")
        width_pt, height_pt = self._sizes[index]
        scale = min(scale, _MAX_SIDE_PX / max(width_pt, height_pt))
        colorspace = pymupdf.csGRAY if self._grey else pymupdf.csRGB
        if cancelled is not None and cancelled():
            raise RenderCancelledError
        try:
            with self._lock:
                page = self._doc.load_page(index)
                display_list = page.get_displaylist()
                page_rect = page.rect
            # A display list is a separate object from its document; drawing from it needs
            # no document lock, so two threads can draw two pages of one document.
            return _draw_in_bands(display_list, page_rect, scale, colorspace, self._grey, cancelled)
        except (UnrenderableDocumentError, RenderCancelledError):
            raise
        except Exception as exc:  # MuPDF's own error types, RuntimeError or ValueError
            raise UnrenderableDocumentError(
                f"{self.file_name}: page {index + 1} is damaged and cannot be shown."
            ) from exc

    def close(self) -> None:
        """Let go of the document's memory; the source must not be used afterwards."""
        with self._lock:
            self._doc.close()


def _file_type(file_name: str) -> FileType:
    file_type = file_type_for(file_name)
    if file_type is None:
        raise UnrenderableDocumentError(
            f"{file_name}: this kind of file cannot be faxed or shown. Attach a PDF, TIFF, "
            "PNG, JPG, GIF, text or Office document instead."
        )
    return file_type


def _open(
    file_name: str, file_type: FileType, data: bytes, converter: OfficeConverter | None
) -> tuple[Any, bool]:
    """The opened MuPDF document, and whether its pages are black-and-white or grey."""
    if not data:
        raise UnrenderableDocumentError(f"{file_name}: the file is empty.")
    mupdf_type = file_type.extension
    if not file_type.renders_locally:
        # Raises OfficeUnavailableError ("can be sent, but it cannot be shown here") or
        # ConversionFailedError, both UnrenderableDocumentErrors with a sentence to show.
        data = (converter or default_converter()).to_pdf(file_name, data)
        mupdf_type = PDF.extension
    elif file_type is TXT:
        data = _text_as_utf8(data)
    try:
        doc = pymupdf.open(stream=data, filetype=mupdf_type)
    except Exception as exc:  # FileDataError, EmptyFileError or MuPDF's own error types
        raise UnrenderableDocumentError(
            f"{file_name}: the file is damaged or is not really a {file_type.label}."
        ) from exc
    try:
        if doc.needs_pass:
            raise UnrenderableDocumentError(
                f"{file_name}: the document is password-protected. "
                "Save a copy without a password and attach that."
            )
        if file_type is TXT:
            # Plain text goes out on Letter pages, as the service lays it out.
            doc.layout(rect=pymupdf.paper_rect("letter"))
        if doc.page_count < 1:
            raise UnrenderableDocumentError(f"{file_name}: the document has no pages.")
    except BaseException:
        doc.close()
        raise
    return doc, file_type is TIFF and _tiff_is_grey(data)


def _text_as_utf8(data: bytes) -> bytes:
    """Plain text re-encoded as UTF-8, which is what MuPDF's text reader expects."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Text files from Windows offices are usually cp1252; latin-1 never fails.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text.encode("utf-8")


def _tiff_is_grey(data: bytes) -> bool:
    """True for a TIFF whose first page is black-and-white or grey, as every fax is.

    Grey samples take a third of the memory of RGB, which matters for a long fax.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.mode in ("1", "L")
    except Exception:  # Pillow cannot read every TIFF MuPDF can; RGB is always right
        return False


def _page_sizes(doc: Any, file_name: str, file_type: FileType) -> list[tuple[float, float]]:
    sizes = []
    try:
        for index in range(doc.page_count):
            # page.rect is the page as displayed: rotation applied, TIFF resolution honoured.
            rect = doc.load_page(index).rect
            sizes.append((float(rect.width), float(rect.height)))
    except Exception as exc:  # MuPDF's own error types, RuntimeError or ValueError
        doc.close()
        raise UnrenderableDocumentError(
            f"{file_name}: the file is damaged or is not really a {file_type.label}."
        ) from exc
    if any(w <= 0 or h <= 0 for w, h in sizes):
        doc.close()
        raise UnrenderableDocumentError(f"{file_name}: a page of the document has no size.")
    return sizes


def _draw_in_bands(
    display_list: Any,
    page_rect: Any,
    scale: float,
    colorspace: Any,
    grey: bool,
    cancelled: Callable[[], bool] | None,
) -> PageImage:
    """The page drawn band by band, giving the interpreter lock back between bands.

    Every band costs a fixed part (walking the display list, preparing shapes
    that cross it) and a part per row. The first two bands, of 48 and 96 rows,
    are timed to tell the two apart; the rest are sized to take about
    `BAND_SECONDS` each. When the fixed part alone is most of that (a page of
    a few huge shapes), more bands would only add work, so the rest is drawn
    in one piece.
    """
    matrix = pymupdf.Matrix(scale, scale)
    full = (page_rect * matrix).irect
    width, height = full.width, full.height
    if width <= 0 or height <= 0:
        raise UnrenderableDocumentError("The page has no area to draw.")
    rows: list[bytes] = []
    stride = width * (1 if grey else 3)
    next_row = full.y0
    band_rows = _FIRST_BAND_ROWS
    timings: list[tuple[int, float]] = []
    while next_row < full.y1:
        if cancelled is not None and cancelled():
            raise RenderCancelledError
        band_bottom = min(full.y1, next_row + band_rows)
        clip = pymupdf.Rect(page_rect.x0, next_row / scale, page_rect.x1, band_bottom / scale)
        started = time.perf_counter()
        pixmap = display_list.get_pixmap(
            matrix=matrix, colorspace=colorspace, alpha=False, clip=clip
        )
        elapsed = time.perf_counter() - started
        if pixmap.width != width or pixmap.x != full.x0:
            # Rounding put the band a pixel off; draw what is left in one piece instead.
            pixmap = display_list.get_pixmap(
                matrix=matrix,
                colorspace=colorspace,
                alpha=False,
                clip=pymupdf.Rect(page_rect.x0, next_row / scale, page_rect.x1, page_rect.y1),
            )
            if pixmap.width != width:
                raise UnrenderableDocumentError("The page could not be drawn at this size.")
        # A band rounded outwards may start above the row we need; skip the rows we have.
        first = next_row - pixmap.y
        last = min(pixmap.y + pixmap.height, full.y1) - pixmap.y
        if last <= first:
            raise UnrenderableDocumentError("The page could not be drawn at this size.")
        rows.append(bytes(pixmap.samples_mv[first * pixmap.stride : last * pixmap.stride]))
        next_row += last - first
        timings.append((max(1, pixmap.height), elapsed))
        band_rows = _next_band_rows(timings, full.y1 - next_row)
        # Hand the lock to the GUI thread if it is waiting for it.
        time.sleep(0)
    return PageImage(width, height, stride, b"".join(rows), "L" if grey else "RGB")


def _next_band_rows(timings: list[tuple[int, float]], rows_left: int) -> int:
    """How many rows the next band should have, from the (rows, seconds) of the bands so far."""
    if len(timings) == 1:
        return 2 * _FIRST_BAND_ROWS
    (rows_a, seconds_a), (rows_b, seconds_b) = timings[0], timings[1]
    per_row = max(1e-7, (seconds_b - seconds_a) / max(1, rows_b - rows_a))
    fixed = max(0.0, seconds_a - per_row * rows_a)
    if fixed >= BAND_SECONDS / 2:
        return max(1, rows_left)
    return max(_FIRST_BAND_ROWS, int((BAND_SECONDS - fixed) / per_row))
