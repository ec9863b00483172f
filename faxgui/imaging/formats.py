"""The document types Monopond accepts, told apart by file-name extension as the service does.

The service reads a document's type from its FileName extension (the README:
"important as it is used to help identify the document MIME type"), so the
extension is the single source of truth here too. Each type says whether this
program can rasterise it locally (PyMuPDF handles PDF, TIFF, PNG, JPEG, GIF
and plain text; the rest need an office suite) and whether it accepts
DocMergeData.

DocMergeData is limited to Word documents (.doc, .docx). The README says merge
fields need a "Microsoft document", but its only example is a .docx, the
mechanism it describes is replacing `<mf:key>` merge fields in running text,
which is a Word feature, and the fault the service raises otherwise is named
MergeFieldDoesNotMatchDocumentType. Excel and PowerPoint files have no mail
merge fields to replace, so accepting merge data for them would promise a
substitution that cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileType:
    """One kind of document the service accepts."""

    extensions: tuple[str, ...]
    label: str
    mime_type: str
    renders_locally: bool
    accepts_doc_merge: bool = False

    @property
    def extension(self) -> str:
        """The usual extension, without the dot."""
        return self.extensions[0]


PDF = FileType(("pdf",), "PDF document", "application/pdf", renders_locally=True)
TIFF = FileType(("tif", "tiff"), "TIFF image", "image/tiff", renders_locally=True)
PNG = FileType(("png",), "PNG image", "image/png", renders_locally=True)
JPEG = FileType(("jpg", "jpeg"), "JPEG image", "image/jpeg", renders_locally=True)
GIF = FileType(("gif",), "GIF image", "image/gif", renders_locally=True)
TXT = FileType(("txt",), "plain text", "text/plain", renders_locally=True)
PS = FileType(("ps",), "PostScript document", "application/postscript", renders_locally=False)
RTF = FileType(("rtf",), "RTF document", "application/rtf", renders_locally=False)
DOC = FileType(
    ("doc",),
    "Word 97-2003 document",
    "application/msword",
    renders_locally=False,
    accepts_doc_merge=True,
)
DOCX = FileType(
    ("docx",),
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    renders_locally=False,
    accepts_doc_merge=True,
)
XLS = FileType(
    ("xls",), "Excel 97-2003 workbook", "application/vnd.ms-excel", renders_locally=False
)
XLSX = FileType(
    ("xlsx",),
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    renders_locally=False,
)
PPT = FileType(
    ("ppt",),
    "PowerPoint 97-2003 presentation",
    "application/vnd.ms-powerpoint",
    renders_locally=False,
)
PPTX = FileType(
    ("pptx",),
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    renders_locally=False,
)

FILE_TYPES: tuple[FileType, ...] = (
    PDF,
    TIFF,
    PNG,
    JPEG,
    GIF,
    TXT,
    PS,
    RTF,
    DOC,
    DOCX,
    XLS,
    XLSX,
    PPT,
    PPTX,
)

_BY_EXTENSION: dict[str, FileType] = {ext: t for t in FILE_TYPES for ext in t.extensions}

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_BY_EXTENSION)


def extension_of(file_name: str) -> str:
    """The lower-case extension of a file name without the dot ("" when it has none)."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return ext.strip().lower() if dot and stem else ""


def file_type_for(file_name: str) -> FileType | None:
    """The type a file name declares, or None when the service would not recognise it."""
    return _BY_EXTENSION.get(extension_of(file_name))
