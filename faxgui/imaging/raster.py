"""Documents rasterised to fax pages (1728 pixels wide, 98 or 196 lines per inch) and page counts.

PDF, TIFF, PNG, JPEG, GIF and plain text are opened with PyMuPDF and drawn with
different horizontal and vertical scales, so every page fills exactly the
1728 pixels of a fax line and keeps its height in inches at the requested
line rate (a Letter page is 1078 lines at normal resolution, 2156 at fine).
Plain text is laid out on Letter pages, as a US-made fax service would.

Office, PostScript and RTF files cannot be drawn without an office suite;
for them `count_pages` checks that the content really is what the extension
says and counts pages from the file's own metadata where that is cheap
(Word's page count, PowerPoint's slides, Excel's worksheets, PostScript's
`%%Page:` comments, RTF page breaks), and otherwise counts one page.

Grey is reduced to black and white with Floyd-Steinberg error diffusion, the
service's normal dithering; the technique `none` thresholds at 50% grey
instead. The other named techniques are drawn with Floyd-Steinberg too.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymupdf as _pymupdf
from PIL import Image

from faxgui.api.enums import DitheringTechnique, Resolution
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

# PyMuPDF ships py.typed but annotates only part of its API; going through an
# untyped alias lets mypy --strict check this module rather than PyMuPDF's gaps.
pymupdf: Any = _pymupdf

FAX_WIDTH = 1728
"""Pixels across one fax line (ITU-T T.4), whatever the resolution."""

# MuPDF prints every recoverable problem of a damaged file to stderr; we report
# problems as UnrenderableDocumentError instead, so the console stays quiet.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EPS_BINARY_SIGNATURE = b"\xc5\xd0\xd3\xc6"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OOXML_MAIN_PART = {
    DOCX: "word/document.xml",
    XLSX: "xl/workbook.xml",
    PPTX: "ppt/presentation.xml",
}
_METADATA_LIMIT = 1 << 20  # a docProps/app.xml larger than this is not a real one


class UnrenderableDocumentError(Exception):
    """The document's content cannot be turned into fax pages.

    Raised for damaged or password-protected files, files whose content is not
    what their extension says, and types this program cannot draw locally.
    The message names the file and says what is wrong, in plain words.
    """


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
) -> list[Image.Image]:
    """Every page of a document as a black-and-white ("1") image 1728 pixels wide.

    Raises UnrenderableDocumentError for damaged content and for types that
    need an office suite (see `FileType.renders_locally`).
    """
    file_type = _file_type(file_name)
    if not file_type.renders_locally:
        raise UnrenderableDocumentError(
            f"{file_name}: a {file_type.label} can only be drawn with an office suite; "
            "save it as PDF to see its pages."
        )
    lines_per_inch = resolution.lines_per_inch
    pages: list[Image.Image] = []
    with _open(file_name, file_type, data) as doc:
        for index in range(doc.page_count):
            try:
                page = doc.load_page(index)
                matrix = pymupdf.Matrix(FAX_WIDTH / page.rect.width, lines_per_inch / 72)
                pixmap = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
            except Exception as exc:  # MuPDF's own error types, RuntimeError or ValueError
                raise UnrenderableDocumentError(
                    f"{file_name}: page {index + 1} is damaged and cannot be drawn."
                ) from exc
            grey = Image.frombytes(
                "L", (pixmap.width, pixmap.height), pixmap.samples, "raw", "L", pixmap.stride
            )
            pages.append(_black_and_white(_fit_width(grey), dithering))
    return pages


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


def _black_and_white(grey: Image.Image, dithering: DitheringTechnique | None) -> Image.Image:
    if dithering is DitheringTechnique.NONE:
        return grey.convert("1", dither=Image.Dither.NONE)
    return grey.convert("1", dither=Image.Dither.FLOYDSTEINBERG)


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
