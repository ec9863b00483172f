"""Office and PostScript files to PDF with LibreOffice and Ghostscript when installed, else a no."""

from __future__ import annotations

import io
import os
import stat
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from faxgui.imaging.docx_merge import merge_docx
from faxgui.imaging.office import (
    ConversionFailedError,
    ConversionTimeoutError,
    OfficeConverter,
    OfficeUnavailableError,
    find_ghostscript,
    find_soffice,
    needs_conversion,
)
from faxgui.imaging.raster import UnrenderableDocumentError

MakeDocx = Callable[..., bytes]

POSTSCRIPT = (
    b"%!PS-Adobe-3.0\n/Helvetica findfont 36 scalefont setfont\n"
    b"72 700 moveto (Lab results) show showpage\n72 700 moveto (Second sheet) show showpage\n"
)


def _pdf_text(pdf: bytes) -> list[str]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return [page.get_text() for page in doc]


def _xlsx(rows: list[list[str]]) -> bytes:
    """A minimal real Excel workbook with one sheet of inline strings."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    cells = "".join(
        f'<row r="{r + 1}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r + 1}" t="inlineStr"><is><t>{value}</t></is></c>'
            for c, value in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows)
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="r1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Results" sheetId="1" r:id="s1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="s1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{ns}"><sheetData>{cells}</sheetData></worksheet>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def _program(path: Path, script: str) -> Path:
    """An executable shell script standing in for a converter that misbehaves."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# --------------------------------------------------------------------------- not installed


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("letter.docx", "Word document"),
        ("old.doc", "Word 97-2003 document"),
        ("sums.xlsx", "Excel workbook"),
        ("deck.pptx", "PowerPoint presentation"),
        ("memo.rtf", "RTF document"),
    ],
)
def test_without_libreoffice_a_document_can_be_sent_but_not_shown(
    no_office: OfficeConverter, name: str, label: str
) -> None:
    assert no_office.soffice is None
    assert not no_office.can_convert(name)
    with pytest.raises(OfficeUnavailableError) as caught:
        no_office.to_pdf(name, b"whatever it holds")
    message = str(caught.value)
    assert message.startswith(f"{name}: this {label} can be sent, but it cannot be shown here")
    assert "LibreOffice is not installed" in message
    assert "Install LibreOffice" in message
    assert "save the document as PDF" in message
    # Callers that show any unrenderable document catch this one too.
    assert isinstance(caught.value, UnrenderableDocumentError)


def test_without_ghostscript_postscript_can_be_sent_but_not_shown(
    no_office: OfficeConverter,
) -> None:
    with pytest.raises(OfficeUnavailableError, match="because Ghostscript is not installed"):
        no_office.to_pdf("form.ps", POSTSCRIPT)


def test_only_office_and_postscript_need_converting() -> None:
    for name in ("a.doc", "a.DOCX", "a.xls", "a.xlsx", "a.ppt", "a.pptx", "a.rtf", "a.ps"):
        assert needs_conversion(name), name
    for name in ("a.pdf", "a.tif", "a.png", "a.jpg", "a.gif", "a.txt", "a.odt", "a"):
        assert not needs_conversion(name), name


# --------------------------------------------------------------------------- finding programs


def test_soffice_is_found_on_the_path_before_the_usual_locations(tmp_path: Path) -> None:
    on_path = _program(tmp_path / "bin" / "soffice", "exit 0\n")
    usual = _program(tmp_path / "opt" / "libreoffice" / "program" / "soffice", "exit 0\n")
    assert find_soffice(str(on_path.parent), [usual]) == on_path
    assert find_soffice("", [usual]) == usual
    assert find_soffice("", []) is None


def test_the_libreoffice_command_name_counts_and_plain_files_do_not(tmp_path: Path) -> None:
    launcher = _program(tmp_path / "bin" / "libreoffice", "exit 0\n")
    assert find_soffice(str(launcher.parent), []) == launcher
    not_a_program = tmp_path / "other" / "soffice"
    not_a_program.parent.mkdir()
    not_a_program.write_text("just a file")
    assert find_soffice(str(not_a_program.parent), [not_a_program]) is None


def test_ghostscript_is_found_by_its_usual_names(tmp_path: Path) -> None:
    gs = _program(tmp_path / "bin" / "gs", "exit 0\n")
    assert find_ghostscript(str(gs.parent), []) == gs
    assert find_ghostscript("", []) is None


# --------------------------------------------------------------------------- misbehaving converters


def test_content_that_is_not_what_its_name_says_never_reaches_libreoffice(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "started"
    soffice = _program(tmp_path / "bin" / "soffice", f"touch '{marker}'\n")
    converter = OfficeConverter(soffice)
    for name, data in [
        ("letter.docx", b"PK\x03\x04 not really a zip"),
        ("letter.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .doc renamed"),
        ("old.doc", b"PK\x03\x04 a zip is not a Word 97 file"),
        ("memo.rtf", b"Dear Sir"),
        ("sums.xls", b"plain text"),
    ]:
        with pytest.raises(ConversionFailedError, match=f"{name}: the file is damaged or is not"):
            converter.to_pdf(name, data)
    assert not marker.exists()


def test_a_converter_that_writes_nothing_is_a_failed_conversion(
    tmp_path: Path, make_docx: MakeDocx
) -> None:
    converter = OfficeConverter(_program(tmp_path / "soffice", "exit 0\n"))
    with pytest.raises(ConversionFailedError, match="LibreOffice could not open it"):
        converter.to_pdf("letter.docx", make_docx(["Hello"]))


@pytest.mark.skipif(os.name != "posix", reason="uses a shell script and process groups")
def test_a_hung_conversion_is_abandoned_and_its_processes_killed(
    tmp_path: Path, make_docx: MakeDocx
) -> None:
    child = tmp_path / "child.pid"
    soffice = _program(tmp_path / "soffice", f"sleep 60 &\necho $! > '{child}'\nwait\n")
    converter = OfficeConverter(soffice, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(
        ConversionTimeoutError, match=r"letter\.docx: LibreOffice took longer than 0\.5 seconds"
    ):
        converter.to_pdf("letter.docx", make_docx(["Hello"]))
    assert time.monotonic() - started < 10
    pid = int(child.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the converter's child process is still running")


# --------------------------------------------------------------------------- real conversions


def test_a_word_document_converts_with_its_text_and_pages(
    libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    docx = make_docx(["Referral for Jo Bloggs", "\f", "Second page"], footer=["Clinic footer"])
    pages = _pdf_text(libreoffice.to_pdf("referral.docx", docx))
    assert len(pages) == 2
    assert "Referral for Jo Bloggs" in pages[0]
    assert "Second page" in pages[1]
    assert all("Clinic footer" in page for page in pages)


def test_merged_fields_show_in_the_converted_document(
    libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    docx = make_docx([["Dear <mf:na", "me>,"]], header=["<mf:clinic>"])
    merged = merge_docx(docx, {"name": "Ms Jo Bloggs", "clinic": "Northside Clinic"})
    (page,) = _pdf_text(libreoffice.to_pdf("letter.docx", merged))
    assert "Dear Ms Jo Bloggs," in page
    assert "Northside Clinic" in page
    assert "mf:" not in page


def test_rtf_and_excel_convert(libreoffice: OfficeConverter) -> None:
    (memo,) = _pdf_text(libreoffice.to_pdf("memo.rtf", b"{\\rtf1\\ansi Staff memo\\par}"))
    assert "Staff memo" in memo
    if not _has_calc(libreoffice):
        pytest.skip("LibreOffice Calc is not installed (libreoffice-calc-nogui)")
    (sheet,) = _pdf_text(libreoffice.to_pdf("sums.xlsx", _xlsx([["Patient", "Result"]])))
    assert "Patient" in sheet
    assert "Result" in sheet


def _has_calc(converter: OfficeConverter) -> bool:
    assert converter.soffice is not None
    program = converter.soffice.resolve().parent
    return any((program / name).exists() for name in ("libsclo.so", "scalc", "scalc.exe"))


def test_a_doc_is_saved_as_docx_for_merging(libreoffice: OfficeConverter) -> None:
    docx = libreoffice.to_docx("old.doc", b"{\\rtf1\\ansi Dear <mf:name>\\par}")
    merged = merge_docx(docx, {"name": "Jo"})
    (page,) = _pdf_text(libreoffice.to_pdf("old.docx", merged))
    assert "Dear Jo" in page


def test_the_same_content_is_converted_once(
    libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    converter = OfficeConverter(libreoffice.soffice)
    docx = make_docx(["Converted once"])
    first = converter.to_pdf("a.docx", docx)
    started = time.perf_counter()
    # Another name, same content: the cache answers, with the very same bytes.
    assert converter.to_pdf("copy of a.docx", docx) is first
    assert time.perf_counter() - started < 0.1


def test_conversions_run_side_by_side(libreoffice: OfficeConverter, make_docx: MakeDocx) -> None:
    converter = OfficeConverter(libreoffice.soffice, max_parallel=3)
    results: dict[int, bytes | Exception] = {}

    def convert(number: int) -> None:
        try:
            results[number] = converter.to_pdf(f"{number}.docx", make_docx([f"Letter {number}"]))
        except Exception as exc:
            results[number] = exc

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for number in range(3):
        result = results[number]
        assert isinstance(result, bytes), result
        assert f"Letter {number}" in _pdf_text(result)[0]


def test_many_documents_convert_in_one_run_each_with_its_own_outcome(
    libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    converter = OfficeConverter(libreoffice.soffice)
    ole_without_content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    results = converter.to_pdf_many(
        [
            ("a.docx", make_docx(["First letter"])),
            ("b.doc", ole_without_content),
            ("c.docx", b"PK\x03\x04 damaged"),
            ("d.rtf", b"{\\rtf1\\ansi Fourth\\par}"),
            ("e.pdf", b"%PDF-1.4"),
        ]
    )
    assert isinstance(results[0], bytes)
    assert "First letter" in _pdf_text(results[0])[0]
    assert isinstance(results[1], ConversionFailedError)
    assert "b.doc: LibreOffice could not open it" in str(results[1])
    assert isinstance(results[2], ConversionFailedError)
    assert isinstance(results[3], bytes)
    assert "Fourth" in _pdf_text(results[3])[0]
    assert isinstance(results[4], ConversionFailedError)


def test_postscript_converts_with_ghostscript(ghostscript: OfficeConverter) -> None:
    pages = _pdf_text(ghostscript.to_pdf("form.ps", POSTSCRIPT))
    assert len(pages) == 2
    assert "Lab results" in pages[0]


def test_the_not_installed_path_needs_no_program(tmp_path: Path) -> None:
    # An empty PATH and no usual locations: the same as a computer without LibreOffice.
    converter = OfficeConverter.discover(search_path=str(tmp_path), locations=())
    assert (converter.soffice, converter.ghostscript) == (None, None)
    with pytest.raises(OfficeUnavailableError):
        converter.to_docx("old.doc", b"{\\rtf1 x}")
