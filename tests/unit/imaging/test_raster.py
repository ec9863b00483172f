"""Rasterising documents to fax pages: 1728 wide, page height per resolution, real page counts."""

from __future__ import annotations

import io
import os
import signal
import sys
from collections.abc import Callable

import pymupdf
import pytest
from PIL import Image, TiffImagePlugin

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.imaging import office, raster
from faxgui.imaging.office import OfficeConverter
from faxgui.imaging.raster import (
    UnrenderableDocumentError,
    count_pages,
    render_fax_pages,
    render_fax_tiff,
)

LETTER = (612, 792)
A4 = (595, 842)


@pytest.mark.parametrize(
    ("resolution", "size", "height"),
    [
        (Resolution.NORMAL, LETTER, 1078),
        (Resolution.FINE, LETTER, 2156),
        (Resolution.NORMAL, A4, 1146),
        (Resolution.FINE, A4, 2292),
    ],
)
def test_pdf_pages_fill_the_fax_line_at_the_right_height(
    make_pdf: Callable[..., bytes], resolution: Resolution, size: tuple[int, int], height: int
) -> None:
    pages = render_fax_pages("letter.pdf", make_pdf(pages=2, size=size), resolution)
    assert len(pages) == 2
    for page in pages:
        assert page.mode == "1"
        assert page.width == 1728
        assert abs(page.height - height) <= 1


def test_page_content_lands_where_the_pdf_puts_it(make_pdf: Callable[..., bytes]) -> None:
    (page,) = render_fax_pages("a.pdf", make_pdf(), Resolution.NORMAL)
    # The grey block spans x 72-400 pt, y 200-400 pt; its centre is 236 pt across, 300 down.
    centre = (round(236 * 1728 / 612), round(300 * 98 / 72))
    block = page.crop((centre[0] - 20, centre[1] - 20, centre[0] + 20, centre[1] + 20))
    assert 0.2 < _black_share(block) < 0.8  # dithered grey: a mix of black and white
    assert _black_share(page.crop((1400, 900, 1700, 1070))) == 0  # blank margin stays white


@pytest.mark.parametrize(
    ("fmt", "name", "read_dpi"),
    [
        ("PNG", "scan.png", 100),
        ("JPEG", "photo.jpg", 100),
        ("GIF", "logo.gif", 96),  # GIF stores no resolution: read as 96 dpi
    ],
)
def test_images_render_as_one_fax_page_of_their_physical_height(
    make_image: Callable[..., bytes], fmt: str, name: str, read_dpi: int
) -> None:
    data = make_image(fmt, size=(850, 1100), dpi=100)
    assert count_pages(name, data) == 1
    (page,) = render_fax_pages(name, data, Resolution.FINE)
    assert page.width == 1728
    assert abs(page.height - 1100 / read_dpi * 196) <= 2
    assert _black_share(page.crop((100, 150, 700, 500))) > 0.2  # the dark rectangle


def test_multi_page_tiff_counts_and_renders_every_frame(make_image: Callable[..., bytes]) -> None:
    data = make_image("TIFF", frames=3)
    assert count_pages("scan.tif", data) == 3
    assert len(render_fax_pages("scan.tiff", data, Resolution.NORMAL)) == 3


def test_text_is_laid_out_on_letter_pages() -> None:
    text = "\n".join(f"Line {n} of the referral letter" for n in range(1, 201)).encode()
    count = count_pages("notes.txt", text)
    assert count >= 3  # 200 lines do not fit on one page
    pages = render_fax_pages("notes.txt", text, Resolution.NORMAL)
    assert len(pages) == count
    assert all(p.size == (1728, 1078) for p in pages)
    assert _black_share(pages[0]) > 0  # there is text on it


def test_text_in_windows_encoding_is_read_not_rejected() -> None:
    text = "Caf\xe9 order \u2013 50 cups\n".encode("cp1252")
    assert count_pages("order.txt", text) == 1


def test_none_thresholds_and_normal_dithers(make_pdf: Callable[..., bytes]) -> None:
    pdf = make_pdf()
    (plain,) = render_fax_pages("a.pdf", pdf, Resolution.NORMAL, DitheringTechnique.NONE)
    (dithered,) = render_fax_pages("a.pdf", pdf, Resolution.NORMAL, DitheringTechnique.NORMAL)
    block = (300, 350, 1000, 500)  # inside the 60% grey block
    assert _black_share(plain.crop(block)) in (0.0, 1.0)  # one flat tone, no pattern
    assert 0.2 < _black_share(dithered.crop(block)) < 0.8
    (default,) = render_fax_pages("a.pdf", pdf, Resolution.NORMAL)
    assert default.tobytes() == dithered.tobytes()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a PDF"),
        ("broken.png", b"not a png at all"),
        ("broken.tif", b"II*\x00garbage"),
        ("empty.pdf", b""),
    ],
)
def test_damaged_files_raise_a_typed_error(name: str, data: bytes) -> None:
    with pytest.raises(UnrenderableDocumentError, match=name):
        count_pages(name, data)
    with pytest.raises(UnrenderableDocumentError, match=name):
        render_fax_pages(name, data, Resolution.NORMAL)


def test_password_protected_pdf_is_unrenderable(make_pdf: Callable[..., bytes]) -> None:
    with pymupdf.open(stream=make_pdf(), filetype="pdf") as doc:
        locked = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(UnrenderableDocumentError, match="password"):
        count_pages("locked.pdf", locked)


def test_office_documents_are_counted_from_their_metadata(
    make_ooxml: Callable[..., bytes],
) -> None:
    docx = make_ooxml(
        {
            "word/document.xml": "<w:document/>",
            "docProps/app.xml": "<Properties><Pages>4</Pages></Properties>",
        }
    )
    assert count_pages("letter.docx", docx) == 4
    assert count_pages("letter.docx", make_ooxml({"word/document.xml": "<w:document/>"})) == 1
    pptx = make_ooxml(
        {"ppt/presentation.xml": "<p/>"} | {f"ppt/slides/slide{n}.xml": "<s/>" for n in (1, 2, 3)}
    )
    assert count_pages("deck.pptx", pptx) == 3
    xlsx = make_ooxml({"xl/workbook.xml": "<w/>", "xl/worksheets/sheet1.xml": "<s/>"})
    assert count_pages("sums.xlsx", xlsx) == 1
    postscript = b"%!PS-Adobe-3.0\n%%Pages: 2\n%%Page: 1 1\nshowpage\n%%Page: 2 2\nshowpage\n"
    assert count_pages("form.ps", postscript) == 2
    assert count_pages("memo.rtf", b"{\\rtf1\\ansi First\\page Second\\par}") == 2
    assert count_pages("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)) == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("form.ps", b"This is plain text, not PostScript"),
        ("memo.rtf", b"Dear Sir"),
        ("old.doc", b"PK\x03\x04 a zip is not a Word 97 file"),
        ("letter.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .doc renamed"),
        ("deck.pptx", b"PK\x03\x04 truncated zip"),
    ],
)
def test_office_files_that_are_not_what_they_claim_are_unrenderable(name: str, data: bytes) -> None:
    with pytest.raises(UnrenderableDocumentError, match="not really"):
        count_pages(name, data)


def test_a_word_document_without_its_main_part_is_unrenderable(
    make_ooxml: Callable[..., bytes],
) -> None:
    with pytest.raises(UnrenderableDocumentError):
        count_pages("letter.docx", make_ooxml({"xl/workbook.xml": "<w/>"}))


def test_office_documents_without_libreoffice_say_they_cannot_be_shown(
    make_docx: Callable[..., bytes], no_office: OfficeConverter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(office, "default_converter", lambda: no_office)
    with pytest.raises(office.OfficeUnavailableError, match="cannot be shown here"):
        render_fax_pages("letter.docx", make_docx(["Dear Dr Smith"]), Resolution.NORMAL)


def test_office_documents_are_drawn_through_libreoffice(
    make_docx: Callable[..., bytes], libreoffice: OfficeConverter
) -> None:
    docx = make_docx(["REFERRAL LETTER " * 3, "Dear Dr Smith, please see the patient."])
    (page,) = render_fax_pages("letter.docx", docx, Resolution.NORMAL)
    assert page.width == 1728
    assert _black_share(page.crop((0, 0, 1728, 300))) > 0.001  # the first lines of text
    # A PDF that an Office file was already converted to is drawn as it is.
    tiff = render_fax_tiff("letter.docx", libreoffice.to_pdf("letter.docx", docx), Resolution.FINE)
    assert tiff.pages == 1


def _black_share(image: Image.Image) -> float:
    histogram = image.convert("L").histogram()
    return histogram[0] / max(1, sum(histogram))


# ------------------------------------------------------------------ fax TIFF and worker processes


@pytest.mark.parametrize(
    ("resolution", "height"), [(Resolution.NORMAL, 1078), (Resolution.FINE, 2156)]
)
def test_render_fax_tiff_writes_class_f_pages_numbered_in_order(
    make_pdf: Callable[..., bytes], resolution: Resolution, height: int
) -> None:
    pdf = make_pdf(pages=3)
    tiff = render_fax_tiff("three.pdf", pdf, resolution)
    assert tiff.pages == 3
    pages = render_fax_pages("three.pdf", pdf, resolution)
    with TiffImagePlugin.TiffImageFile(io.BytesIO(tiff.data)) as image:
        assert image.n_frames == 3
        for number in range(3):
            image.seek(number)
            tags = image.tag_v2
            assert tags[256] == 1728
            assert tags[257] == height
            assert tags[259] == 4  # Group 4
            assert tags[262] == 0  # white is zero
            assert tags[254] == 2
            assert tags[278] == height
            assert tags[282] == 204
            assert tags[283] == resolution.lines_per_inch
            assert tags[297] == (number, 3)  # PageNumber
            assert image.convert("1").tobytes() == pages[number].tobytes()


def test_pages_are_drawn_in_worker_processes_exactly_as_in_one_process(
    make_pdf: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = make_pdf(pages=5)
    pooled = render_fax_tiff("five.pdf", pdf, Resolution.FINE, DitheringTechnique.DARKEN)
    pool = raster._worker_pool()
    assert pool is not None, "this test needs two cores"
    pids = pool.worker_pids()
    assert pids
    assert os.getpid() not in pids
    monkeypatch.setattr(raster, "_worker_count", lambda: 1)
    assert raster._worker_pool() is None
    alone = render_fax_tiff("five.pdf", pdf, Resolution.FINE, DitheringTechnique.DARKEN)
    assert alone == pooled


def test_a_frozen_app_draws_in_its_own_process(
    make_pdf: Callable[..., bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Frozen, sys.executable is faxgui itself, which cannot run `-c` code: no worker is
    # started, and the pages come out the same.
    pdf = make_pdf(pages=3)
    pooled = render_fax_tiff("three.pdf", pdf, Resolution.NORMAL)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert raster._worker_pool() is None
    assert render_fax_tiff("three.pdf", pdf, Resolution.NORMAL) == pooled


def test_a_worker_that_died_is_replaced(make_pdf: Callable[..., bytes]) -> None:
    pdf = make_pdf(pages=4)
    first = render_fax_tiff("four.pdf", pdf, Resolution.NORMAL)
    pool = raster._worker_pool()
    assert pool is not None, "this test needs two cores"
    for pid in pool.worker_pids():  # processes this module started
        os.kill(pid, signal.SIGKILL)
    assert render_fax_tiff("four.pdf", pdf, Resolution.NORMAL) == first
    assert pool.worker_pids()


def test_a_page_damaged_deep_in_a_document_is_named(make_image: Callable[..., bytes]) -> None:
    data = make_image("TIFF", frames=3)
    with pytest.raises(UnrenderableDocumentError, match=r"scan\.tif: page 3 is damaged"):
        render_fax_tiff("scan.tif", data[:-200], Resolution.NORMAL)
