"""Documents rasterised to fax pages (1728 pixels wide, 98 or 196 lines per inch) and page counts.

PDF, TIFF, PNG, JPEG, GIF and plain text are opened with PyMuPDF and drawn with
different horizontal and vertical scales, so every page fills exactly the
1728 pixels of a fax line and keeps its height in inches at the requested
line rate (a Letter page is 1078 lines at normal resolution, 2156 at fine).
Plain text is laid out on Letter pages, as a US-made fax service would.
Office documents and PostScript are converted to PDF first when LibreOffice or
Ghostscript is installed (`faxgui.imaging.office`).

Text and image stamps are drawn on every page at their fax coordinates (see
`faxgui.imaging.stamp_geometry`) on the grey page, then the page is reduced to
black and white by the requested dithering technique
(`faxgui.imaging.dithering`) and, for `render_fax_tiff`, coded as Group 4.

Speed: drawing, dithering and Group 4 coding hold Python's GIL for much of
their time, so threads barely help (measured 1.97 vs 2.06 times Ghostscript's
time for a 10-page document). Documents of several pages are therefore split
among a small pool of worker processes, one per core, created on first use
and kept for the life of the program (the sandbox is a long-running server).
A worker that dies on a hostile file costs that request, not the server.

For `count_pages`, Office, PostScript and RTF files are not drawn: their
content is checked to be what the extension says and pages are counted from
the file's own metadata where that is cheap (Word's page count, PowerPoint's
slides, Excel's worksheets, PostScript's `%%Page:` comments, RTF page
breaks), and otherwise counted as one page.
"""

from __future__ import annotations

import atexit
import io
import logging
import math
import os
import pickle
import queue
import re
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import pymupdf as _pymupdf
from PIL import Image

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import ImageStampMergeData, TextStampMergeData
from faxgui.imaging.child_env import program_environment
from faxgui.imaging.dithering import dither
from faxgui.imaging.formats import (
    DOC,
    DOCX,
    PPT,
    PPTX,
    PS,
    RTF,
    TXT,
    XLS,
    XLSX,
    FileType,
    file_type_for,
)
from faxgui.imaging.stamp_fonts import DEFAULT_FONT_SIZE, stamp_font
from faxgui.imaging.stamp_geometry import (
    DEFAULT_CONVENTION,
    FAX_WIDTH,
    FAX_X_DPI,
    StampConvention,
    TextAnchor,
)
from faxgui.imaging.tiff import g4_strip, write_fax_tiff_strips

# PyMuPDF ships py.typed but annotates only part of its API; going through an
# untyped alias lets mypy --strict check this module rather than PyMuPDF's gaps.
pymupdf: Any = _pymupdf

__all__ = [
    "FAX_WIDTH",
    "FaxTiff",
    "InvalidStampError",
    "UnrenderableDocumentError",
    "count_pages",
    "render_fax_pages",
    "render_fax_tiff",
]

_log = logging.getLogger(__name__)

# MuPDF prints every recoverable problem of a damaged file to stderr; we report
# problems as UnrenderableDocumentError instead, so the console stays quiet.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EPS_BINARY_SIGNATURE = b"\xc5\xd0\xd3\xc6"
_ZIP_SIGNATURE = b"PK\x03\x04"
_PDF_SIGNATURE = b"%PDF-"
_OOXML_MAIN_PART = {
    DOCX: "word/document.xml",
    XLSX: "xl/workbook.xml",
    PPTX: "ppt/presentation.xml",
}
_METADATA_LIMIT = 1 << 20  # a docProps/app.xml larger than this is not a real one

_PAGES_PER_TASK = 8  # large documents go to the workers in tasks of about this many pages
_MAX_WORKERS = 4


class UnrenderableDocumentError(Exception):
    """The document's content cannot be turned into fax pages.

    Raised for damaged or password-protected files, files whose content is not
    what their extension says, and types this program cannot draw locally.
    The message names the file and says what is wrong, in plain words.
    """


class InvalidStampError(UnrenderableDocumentError):
    """A stamp cannot be drawn: its image is not an image, or its font size is not positive."""


@dataclass(frozen=True, slots=True)
class FaxTiff:
    """A document rendered as a TIFF Class F file (G4), and how many pages it holds."""

    data: bytes = field(repr=False)
    pages: int


def count_pages(file_name: str, data: bytes) -> int:
    """How many fax pages a document makes. Raises UnrenderableDocumentError."""
    file_type = _file_type(file_name)
    if not file_type.renders_locally:
        return _count_without_rendering(file_name, file_type, data)
    with _open(file_name, file_type, data) as doc:
        try:
            for index in range(doc.page_count):
                # Image documents decode lazily: loading each page proves it can be read.
                _ = doc.load_page(index).rect
        except Exception as exc:  # MuPDF's own error types, RuntimeError or ValueError
            raise UnrenderableDocumentError(
                f"{file_name}: the file is damaged or is not really a {file_type.label}."
            ) from exc
        return int(doc.page_count)


def render_fax_pages(
    file_name: str,
    data: bytes,
    resolution: Resolution,
    dithering: DitheringTechnique | None = None,
    stamps: Sequence[TextStampMergeData | ImageStampMergeData] = (),
    convention: StampConvention = DEFAULT_CONVENTION,
) -> list[Image.Image]:
    """Every page of a document as a black-and-white ("1") image 1728 pixels wide.

    `stamps` are drawn on every page (see `faxgui.imaging.stamp_geometry` for
    what their coordinates mean under `convention`) before the page is dithered
    by `dithering` (None: the service's normal Floyd-Steinberg).

    Raises UnrenderableDocumentError for damaged content and for Office
    documents when no converter is installed, InvalidStampError (a subclass)
    for a stamp that cannot be drawn.
    """
    job = _prepare(file_name, data, resolution, dithering, stamps, convention, "bits")
    return [Image.frombytes("1", (FAX_WIDTH, height), bits) for height, bits in _render(job)]


def render_fax_tiff(
    file_name: str,
    data: bytes,
    resolution: Resolution,
    dithering: DitheringTechnique | None = None,
    stamps: Sequence[TextStampMergeData | ImageStampMergeData] = (),
    convention: StampConvention = DEFAULT_CONVENTION,
) -> FaxTiff:
    """A document as a TIFF Class F file (G4), as FaxDocumentPreview returns it.

    Takes the same arguments and raises the same errors as `render_fax_pages`.
    """
    job = _prepare(file_name, data, resolution, dithering, stamps, convention, "g4")
    strips = _render(job)
    return FaxTiff(write_fax_tiff_strips(strips, resolution), len(strips))


# ------------------------------------------------------------------ the job a worker runs


@dataclass(frozen=True, slots=True)
class _TextStamp:
    x: int
    y: int  # in stamp lines (see StampConvention)
    text: str
    font: str  # one of the 14 standard PDF fonts
    size_pt: float  # points of the printed page
    cap_height: float  # fraction of the size


@dataclass(frozen=True, slots=True)
class _ImageStamp:
    x: int
    y: int  # in stamp lines
    width: int  # fax pixels
    height: int  # stamp lines
    data: bytes = field(repr=False)  # a raster image MuPDF decodes, or a one-page PDF
    is_pdf: bool


@dataclass(frozen=True, slots=True)
class _Job:
    """Everything a worker process needs to draw some pages of one document (picklable)."""

    file_name: str  # for messages
    open_as: str  # a name whose extension says how to open `data` (an Office file's PDF: .pdf)
    data: bytes = field(repr=False)
    lines_per_inch: int
    stamp_lines_per_inch: int
    dithering: DitheringTechnique | None
    text_anchor: TextAnchor
    stamps: tuple[_TextStamp | _ImageStamp, ...]
    output: Literal["g4", "bits"]


def _prepare(
    file_name: str,
    data: bytes,
    resolution: Resolution,
    dithering: DitheringTechnique | None,
    stamps: Sequence[TextStampMergeData | ImageStampMergeData],
    convention: StampConvention,
    output: Literal["g4", "bits"],
) -> _Job:
    file_type = _file_type(file_name)
    open_as = file_name
    if not file_type.renders_locally:
        if not data:
            raise UnrenderableDocumentError(f"{file_name}: the file is empty.")
        if not data.startswith(_PDF_SIGNATURE):
            # Imported here: the converter is only needed for Office files, and
            # faxgui.imaging.office itself imports this module.
            from faxgui.imaging.office import default_converter

            data = default_converter().to_pdf(file_name, data)
        open_as = "converted.pdf"
    stamp_lpi = convention.stamp_lines_per_inch(resolution)
    return _Job(
        file_name=file_name,
        open_as=open_as,
        data=data,
        lines_per_inch=resolution.lines_per_inch,
        stamp_lines_per_inch=stamp_lpi,
        dithering=dithering,
        text_anchor=convention.text_anchor,
        stamps=tuple(_prepare_stamp(stamp, stamp_lpi) for stamp in stamps),
        output=output,
    )


def _prepare_stamp(
    stamp: TextStampMergeData | ImageStampMergeData, stamp_lpi: int
) -> _TextStamp | _ImageStamp:
    if isinstance(stamp, TextStampMergeData):
        size = DEFAULT_FONT_SIZE if stamp.font_size is None else float(stamp.font_size)
        if not (math.isfinite(size) and size > 0):
            raise InvalidStampError(
                f"The text stamp {stamp.text!r} has font size {stamp.font_size}; "
                "give a size above 0 points."
            )
        font = stamp_font(stamp.font_name)
        return _TextStamp(stamp.x, stamp.y, stamp.text, font.base, size, font.cap_height)
    return _prepare_image_stamp(stamp, stamp_lpi)


def _prepare_image_stamp(stamp: ImageStampMergeData, stamp_lpi: int) -> _ImageStamp:
    """The stamp's image in a form MuPDF draws, and its size (its own size where none is given).

    An image's own size is its pixels across, as fax pixels, and the height
    that keeps its proportions on the printed page.
    """
    name = stamp.file_name or "the stamp image"
    data = stamp.file_data
    if not data:
        raise InvalidStampError(f"{name}: the stamp image file is empty.")
    for dimension in (stamp.width, stamp.height):
        if dimension is not None and dimension <= 0:
            raise InvalidStampError(
                f"{name}: a stamp image's width and height must be above 0, "
                f"not {stamp.width} x {stamp.height}."
            )
    is_pdf = False
    try:
        pixmap = pymupdf.Pixmap(data)
        own_width, own_height = float(pixmap.width), pixmap.height * stamp_lpi / FAX_X_DPI
    except Exception:  # not a raster image MuPDF decodes: try Pillow, then a document
        try:
            data, (width_px, height_px) = _png_via_pillow(data)
            own_width, own_height = float(width_px), height_px * stamp_lpi / FAX_X_DPI
        except Exception:
            data, (width_pt, height_pt) = _first_page_as_pdf(name, data)
            own_width, own_height = width_pt * FAX_X_DPI / 72, height_pt * stamp_lpi / 72
            is_pdf = True
    # A missing dimension follows from the other one, keeping the proportions.
    width, height = stamp.width, stamp.height
    if width is None:
        width = round(own_width if height is None else own_width * height / own_height)
    if height is None:
        height = round(own_height * width / own_width)
    return _ImageStamp(stamp.x, stamp.y, max(width, 1), max(height, 1), data, is_pdf)


def _png_via_pillow(data: bytes) -> tuple[bytes, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        converted = image.convert("RGBA" if has_alpha else "RGB")
    out = io.BytesIO()
    converted.save(out, format="PNG")
    return out.getvalue(), converted.size


def _first_page_as_pdf(name: str, data: bytes) -> tuple[bytes, tuple[float, float]]:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else None
    try:
        with pymupdf.open(stream=data, filetype=extension) as doc:
            if doc.page_count < 1 or doc.needs_pass:
                raise ValueError("no drawable page")
            rect = doc[0].rect
            pdf = doc.tobytes() if doc.is_pdf else doc.convert_to_pdf(0, 0)
    except Exception as exc:
        raise InvalidStampError(
            f"{name}: the stamp image is damaged or is not an image; "
            "use a PNG, JPEG, GIF, TIFF or PDF file."
        ) from exc
    return bytes(pdf), (float(rect.width), float(rect.height))


# ------------------------------------------------------------------ drawing pages


def _render(job: _Job) -> list[tuple[int, bytes]]:
    """(height, G4 strip or packed bits) for every page, drawn in worker processes when it pays."""
    with _open(job.file_name, _file_type(job.open_as), job.data) as doc:
        page_count = int(doc.page_count)
        pool = _worker_pool() if page_count > 1 else None
        if pool is None:
            return _render_pages(doc, job, range(page_count))
    try:
        return _render_in_pool(pool, job, page_count)
    except _PoolUnavailableError:
        with _open(job.file_name, _file_type(job.open_as), job.data) as doc:
            return _render_pages(doc, job, range(page_count))


def _render_task(job: _Job, indices: tuple[int, ...]) -> list[tuple[int, bytes]]:
    """What one worker process runs: its share of the pages, from its own copy of the document."""
    with _open(job.file_name, _file_type(job.open_as), job.data) as doc:
        return _render_pages(doc, job, indices)


def _render_pages(doc: Any, job: _Job, indices: Sequence[int]) -> list[tuple[int, bytes]]:
    overlays: dict[int, tuple[Image.Image, Image.Image]] = {}
    results = []
    for index in indices:
        try:
            page = doc.load_page(index)
            matrix = pymupdf.Matrix(FAX_WIDTH / page.rect.width, job.lines_per_inch / 72)
            pixmap = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
        except Exception as exc:  # MuPDF's own error types, RuntimeError or ValueError
            raise UnrenderableDocumentError(
                f"{job.file_name}: page {index + 1} is damaged and cannot be drawn."
            ) from exc
        # frombuffer maps the samples' bytes instead of copying 3.7 MB per fine page
        # again (the pixmap's own memoryview would be cheaper still, but the pixmap
        # then refuses to be freed while the image holds it).
        grey = Image.frombuffer(
            "L", (pixmap.width, pixmap.height), pixmap.samples, "raw", "L", pixmap.stride, 1
        )
        grey = _fit_width(grey)
        if job.stamps:
            if grey.height not in overlays:
                overlays[grey.height] = _stamp_overlay(job, grey.height)
            ink, coverage = overlays[grey.height]
            grey.paste(ink, (0, 0), coverage)
        page_bits = dither(grey, job.dithering)
        if job.output == "g4":
            results.append((page_bits.height, g4_strip(page_bits)))
        else:
            results.append((page_bits.height, page_bits.tobytes()))
    return results


def _stamp_overlay(job: _Job, height: int) -> tuple[Image.Image, Image.Image]:
    """Every stamp drawn on a transparent page of the raster's size: (grey ink, coverage)."""
    y_scale = job.lines_per_inch / job.stamp_lines_per_inch
    with pymupdf.open() as canvas:
        # One unit of this page is one pixel across and one scan line down.
        page = canvas.new_page(width=FAX_WIDTH, height=height)
        for stamp in job.stamps:
            top = stamp.y * y_scale
            if isinstance(stamp, _TextStamp):
                _draw_text(page, stamp, top, job)
            else:
                _draw_image(page, stamp, top, y_scale, job.file_name)
        pixmap = page.get_pixmap(colorspace=pymupdf.csGRAY, alpha=True)
        drawn = Image.frombytes("LA", (pixmap.width, pixmap.height), pixmap.samples)
    ink, coverage = drawn.split()
    return ink, coverage


def _draw_text(page: Any, stamp: _TextStamp, top: float, job: _Job) -> None:
    if not stamp.text.strip():
        return
    # A printed point is lpi/72 scan lines tall and 204/72 pixels wide.
    size_in_lines = stamp.size_pt * job.lines_per_inch / 72
    baseline = top
    if job.text_anchor is TextAnchor.CAP_TOP:
        baseline += stamp.cap_height * size_in_lines
    origin = pymupdf.Point(stamp.x, baseline)
    widen = pymupdf.Matrix(FAX_X_DPI / job.lines_per_inch, 1)
    page.insert_text(
        origin,
        stamp.text,
        fontname=stamp.font,
        fontsize=size_in_lines,
        color=(0, 0, 0),
        morph=(origin, widen),
    )


def _draw_image(page: Any, stamp: _ImageStamp, top: float, y_scale: float, name: str) -> None:
    rect = pymupdf.Rect(stamp.x, top, stamp.x + stamp.width, top + stamp.height * y_scale)
    try:
        if stamp.is_pdf:
            with pymupdf.open(stream=stamp.data, filetype="pdf") as source:
                page.show_pdf_page(rect, source, 0, keep_proportion=False)
        else:
            page.insert_image(rect, stream=stamp.data, keep_proportion=False)
    except Exception as exc:
        raise InvalidStampError(
            f"{name}: a stamp image could not be drawn; use a PNG, JPEG, GIF, TIFF or PDF file."
        ) from exc


# ------------------------------------------------------------------ worker processes
#
# The workers are plain `python -c` children speaking length-prefixed pickles
# over their stdin and stdout, not multiprocessing's: multiprocessing's
# spawn and forkserver children re-run the parent's main script, which in the
# app imports Qt into every worker (and breaks any script without a
# `__main__` guard), and plain fork is unsafe in a process running threads.


class _PoolUnavailableError(Exception):
    """This system cannot start worker processes; pages are drawn in the calling thread."""


class _WorkerDiedError(Exception):
    """A worker process exited (crashed or was killed) before it answered."""


_WORKER_CODE = "from faxgui.imaging.raster import _worker_main; _worker_main()"
_LENGTH = struct.Struct("<Q")


class _Worker:
    """One worker process, answering one request at a time."""

    def __init__(self) -> None:
        environment = program_environment()
        # The child must import this package from wherever the parent did.
        environment["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
            )
        except OSError as exc:
            raise _PoolUnavailableError(str(exc)) from exc

    def call(self, job: _Job, indices: tuple[int, ...]) -> list[tuple[int, bytes]]:
        """The pages drawn by the worker; re-raises what it raised."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None, "stdin is a pipe"
        assert stdout is not None, "stdout is a pipe"
        request = pickle.dumps((job, indices), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            stdin.write(_LENGTH.pack(len(request)) + request)
            stdin.flush()
            (length,) = _LENGTH.unpack(_read_exactly(stdout, _LENGTH.size))
            outcome, value = pickle.loads(_read_exactly(stdout, length))
        except (OSError, EOFError, struct.error, pickle.UnpicklingError) as exc:
            raise _WorkerDiedError from exc
        if outcome == "error":
            raise value
        return list(value)

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the worker process closed its output")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _worker_main() -> None:
    """A worker process's loop: read a (job, pages) request, draw them, write the result."""
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the replies
    while True:
        try:
            (length,) = _LENGTH.unpack(_read_exactly(requests, _LENGTH.size))
            job, indices = pickle.loads(_read_exactly(requests, length))
        except EOFError:
            return  # the parent closed the pipe: it is done with us
        reply: tuple[str, object]
        try:
            reply = ("ok", _render_task(job, indices))
        except UnrenderableDocumentError as exc:
            reply = ("error", type(exc)(str(exc)))
        except Exception as exc:  # anything else still gets a plain-words answer
            reply = ("error", UnrenderableDocumentError(f"{job.file_name}: {exc}"))
        answer = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        replies.write(_LENGTH.pack(len(answer)) + answer)
        replies.flush()


class _WorkerPool:
    """`size` worker processes, started on first need and kept; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        # None is a worker not started yet (or replaced after a crash).
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(size):
            self._idle.put(None)
        self._threads = ThreadPoolExecutor(size, thread_name_prefix="fax-raster")

    def run(self, job: _Job, shares: list[tuple[int, ...]]) -> list[list[tuple[int, bytes]]]:
        """Each share of pages drawn by some worker, in the order of `shares`."""
        futures = [self._threads.submit(self._run_one, job, share) for share in shares]
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()

    def _run_one(self, job: _Job, share: tuple[int, ...]) -> list[tuple[int, bytes]]:
        worker = self._idle.get()
        try:
            # Two attempts: the first may find a worker that died while idle (killed,
            # or out of memory) and is not yet seen as dead; a document that kills
            # a fresh worker too is the document's fault.
            for attempt in (1, 2):
                if worker is None:
                    worker = _Worker()
                try:
                    return worker.call(job, share)
                except _WorkerDiedError as exc:
                    worker.close()
                    worker = None
                    if attempt == 2:
                        raise UnrenderableDocumentError(
                            f"{job.file_name}: the document could not be drawn; "
                            "the renderer stopped on it."
                        ) from exc
            raise AssertionError("unreachable")
        finally:
            self._idle.put(worker)

    def worker_pids(self) -> list[int]:
        """The process ids of the workers started so far (for tests and diagnostics)."""
        with self._idle.mutex:
            return [worker.pid for worker in self._idle.queue if worker is not None]

    def close(self) -> None:
        """Stop the workers (they also stop by themselves when this process exits)."""
        self._threads.shutdown(wait=True, cancel_futures=True)
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            if worker is not None:
                worker.close()


_pool: _WorkerPool | None = None
_pool_lock = threading.Lock()
_pool_unavailable = False


def _worker_count() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        cores = os.cpu_count() or 1
    return max(1, min(cores, _MAX_WORKERS))


def _worker_pool() -> _WorkerPool | None:
    """The shared pool of worker processes; None with one core or in a frozen app."""
    global _pool
    workers = _worker_count()
    if workers < 2 or getattr(sys, "frozen", False) or _pool_unavailable:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = _WorkerPool(workers)
            atexit.register(_pool.close)
        return _pool


def _render_in_pool(pool: _WorkerPool, job: _Job, page_count: int) -> list[tuple[int, bytes]]:
    # Interleaved shares (pages 0, 2, 4... and 1, 3, 5...) balance documents whose
    # heavy pages are bunched together; long documents get more shares than
    # workers, so a slow share does not leave a worker idle at the end.
    tasks = min(page_count, max(pool.size, math.ceil(page_count / _PAGES_PER_TASK)))
    shares = [tuple(range(first, page_count, tasks)) for first in range(tasks)]
    try:
        results = pool.run(job, shares)
    except _PoolUnavailableError as exc:
        global _pool_unavailable
        _pool_unavailable = True
        _log.warning("Drawing fax pages in one process; no worker could be started: %s", exc)
        raise
    pages: list[tuple[int, bytes]] = [(0, b"")] * page_count
    for share, result in zip(shares, results, strict=True):
        for index, page in zip(share, result, strict=True):
            pages[index] = page
    return pages


# ------------------------------------------------------------------ opening documents


def _file_type(file_name: str) -> FileType:
    file_type = file_type_for(file_name)
    if file_type is None:
        raise UnrenderableDocumentError(
            f"{file_name}: the file name does not end in a supported document type."
        )
    return file_type


@contextmanager
def _open(file_name: str, file_type: FileType, data: bytes) -> Iterator[Any]:
    if not data:
        raise UnrenderableDocumentError(f"{file_name}: the file is empty.")
    if file_type is TXT:
        data = _text_as_utf8(data)
    try:
        doc = pymupdf.open(stream=data, filetype=file_type.extension)
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
            doc.layout(rect=pymupdf.paper_rect("letter"))
        if doc.page_count < 1:
            raise UnrenderableDocumentError(f"{file_name}: the document has no pages.")
        yield doc
    finally:
        doc.close()


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


def _fit_width(grey: Image.Image) -> Image.Image:
    """Pad or trim the pixel or two that rounding can leave, so the page is exactly 1728 wide."""
    if grey.width == FAX_WIDTH:
        return grey
    fitted = Image.new("L", (FAX_WIDTH, grey.height), 255)
    fitted.paste(grey.crop((0, 0, min(grey.width, FAX_WIDTH), grey.height)), (0, 0))
    return fitted


# ------------------------------------------------------------------ counting without drawing


def _count_without_rendering(file_name: str, file_type: FileType, data: bytes) -> int:
    not_really = UnrenderableDocumentError(
        f"{file_name}: the file is damaged or is not really a {file_type.label}."
    )
    if not data:
        raise UnrenderableDocumentError(f"{file_name}: the file is empty.")
    if file_type is PS:
        if not (data.lstrip().startswith(b"%!") or data.startswith(_EPS_BINARY_SIGNATURE)):
            raise not_really
        return max(1, len(re.findall(rb"^%%Page:", data, re.MULTILINE)))
    if file_type is RTF:
        if not data.lstrip().startswith(b"{\\rtf"):
            raise not_really
        return 1 + len(re.findall(rb"\\page(?![A-Za-z])", data))
    if file_type in (DOC, XLS, PPT):
        if not data.startswith(_OLE_SIGNATURE):
            raise not_really
        return 1
    return _count_office_open_xml(file_type, data, not_really)


def _count_office_open_xml(
    file_type: FileType, data: bytes, not_really: UnrenderableDocumentError
) -> int:
    if not data.startswith(_ZIP_SIGNATURE):
        raise not_really
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if _OOXML_MAIN_PART[file_type] not in names:
                raise not_really
            if file_type is PPTX:
                return max(1, _count_parts(names, r"ppt/slides/slide\d+\.xml"))
            if file_type is XLSX:
                return max(1, _count_parts(names, r"xl/worksheets/sheet\d+\.xml"))
            return _word_page_count(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError) as exc:
        raise not_really from exc


def _count_parts(names: list[str], pattern: str) -> int:
    return sum(1 for name in names if re.fullmatch(pattern, name))


def _word_page_count(archive: zipfile.ZipFile) -> int:
    """The page count Word saved in docProps/app.xml when it last laid the document out."""
    try:
        info = archive.getinfo("docProps/app.xml")
    except KeyError:
        return 1
    if info.file_size > _METADATA_LIMIT:
        return 1
    match = re.search(rb"<(?:\w+:)?Pages>\s*(\d+)\s*</(?:\w+:)?Pages>", archive.read(info))
    return max(1, int(match.group(1))) if match else 1
