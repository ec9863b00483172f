"""PageSource: every attachable type opens with true page sizes and draws on several threads."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageDraw

from faxgui.api.enums import Resolution
from faxgui.imaging.office import OfficeConverter, default_converter
from faxgui.imaging.page_images import PageSource, UnrenderableDocumentError
from faxgui.imaging.tiff import write_fax_tiff

LETTER = (612.0, 792.0)


def _fax_page(height: int, label_y: int) -> Image.Image:
    """A black-and-white fax page 1728 wide with a black bar at `label_y`."""
    page = Image.new("1", (1728, height), "white")
    ImageDraw.Draw(page).rectangle((100, label_y, 1628, label_y + 20), fill=0)
    return page


def _dark_rows(image_samples: bytes, width: int, height: int, channels: int) -> list[int]:
    """The rows holding ink (anything clearly darker than paper)."""
    rows = []
    stride = width * channels
    for row in range(height):
        line = image_samples[row * stride : (row + 1) * stride]
        if min(line) < 160:
            rows.append(row)
    return rows


def test_pdf_pages_have_their_sizes_and_draw_as_mupdf_does(make_pdf: Callable[..., bytes]):
    source = PageSource("letter.pdf", make_pdf(pages=3, size=LETTER))

    assert source.page_count == 3
    assert source.page_size_pt(2) == LETTER
    image = source.render(1, 1.5)
    assert (image.width, image.height, image.mode) == (918, 1188, "RGB")
    assert image.stride == 918 * 3
    # Drawn in bands, the page is still exactly the page MuPDF draws in one go.
    doc = pymupdf.open(stream=make_pdf(pages=3, size=LETTER), filetype="pdf")
    whole = doc[1].get_pixmap(matrix=pymupdf.Matrix(1.5, 1.5), alpha=False)
    assert image.samples == whole.samples


def test_a_path_is_read_and_named_by_its_file(tmp_path: Path, make_pdf: Callable[..., bytes]):
    path = tmp_path / "referral.pdf"
    path.write_bytes(make_pdf(pages=2))

    source = PageSource(path)

    assert source.file_name == "referral.pdf"
    assert source.page_count == 2


@pytest.mark.parametrize(
    ("resolution", "height", "lines_per_inch"),
    [(Resolution.NORMAL, 1078, 98), (Resolution.FINE, 2156, 196)],
)
def test_a_fax_tiff_keeps_its_printed_shape_at_either_resolution(
    resolution: Resolution, height: int, lines_per_inch: int
):
    pages = [_fax_page(height, height // 2), _fax_page(height, 10)]
    source = PageSource("fax.tif", write_fax_tiff(pages, resolution))

    assert source.page_count == 2
    width_pt, height_pt = source.page_size_pt(0)
    # 1728 pixels at 204 dpi across, `height` lines at 98 or 196 lpi down: a Letter page,
    # not one squashed to half its height by reading the lines as square pixels.
    assert width_pt == pytest.approx(1728 / 204 * 72, abs=0.1)
    assert height_pt == pytest.approx(height / lines_per_inch * 72, abs=0.1)
    image = source.render(0, 1.0)
    assert image.mode == "L"
    assert image.stride == image.width
    assert image.height / image.width == pytest.approx(height_pt / width_pt, abs=0.01)
    # The bar drawn half-way down the fax is half-way down the picture.
    dark = _dark_rows(image.samples, image.width, image.height, 1)
    assert dark
    assert dark[0] / image.height == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "scan.png"), ("JPEG", "photo.jpg")])
def test_images_are_one_page_the_size_their_resolution_says(
    make_image: Callable[..., bytes], fmt: str, name: str
):
    source = PageSource(name, make_image(fmt, size=(850, 1100), dpi=100))

    assert source.page_count == 1
    assert source.page_size_pt(0) == pytest.approx((850 / 100 * 72, 1100 / 100 * 72), abs=0.5)
    image = source.render(0, 0.5)
    assert image.mode == "RGB"
    assert _dark_rows(image.samples, image.width, image.height, 3)


def test_an_animated_gif_shows_its_frames(make_image: Callable[..., bytes]):
    source = PageSource("frames.gif", make_image("GIF", frames=3))

    assert source.page_count >= 1
    assert source.render(0, 0.3).width > 0


def test_text_is_laid_out_on_letter_pages_whatever_its_encoding():
    text = ("Dear Dr Müller,\r\nthe café is closed.\r\n" * 200).encode("cp1252")

    source = PageSource("note.txt", text)

    assert source.page_count > 1
    assert source.page_size_pt(0) == LETTER
    assert _dark_rows(source.render(0, 0.5).samples, 306, 396, 3)


def test_an_office_document_without_libreoffice_can_be_sent_but_not_shown(
    make_docx: Callable[..., bytes],
):
    with pytest.raises(UnrenderableDocumentError, match="can be sent") as caught:
        PageSource("letter.docx", make_docx(["Dear patient"]), converter=OfficeConverter(None))
    assert "letter.docx" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("scan.pdf", b"%PDF-1.4 this is not a real PDF", "damaged"),
        ("scan.pdf", b"", "empty"),
        ("fax.tif", b"II*\x00garbage", "damaged"),
        ("notes.xyz", b"hello", "cannot be faxed or shown"),
    ],
)
def test_unreadable_files_say_what_is_wrong(name: str, data: bytes, words: str):
    with pytest.raises(UnrenderableDocumentError, match=words) as caught:
        PageSource(name, data)
    assert str(caught.value).startswith(name)


def test_a_missing_file_says_so(tmp_path: Path):
    with pytest.raises(UnrenderableDocumentError, match="cannot be read"):
        PageSource(tmp_path / "gone.pdf")


def test_a_password_protected_pdf_asks_for_a_copy_without_one(make_pdf: Callable[..., bytes]):
    doc = pymupdf.open(stream=make_pdf(), filetype="pdf")
    locked = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")

    with pytest.raises(UnrenderableDocumentError, match="password"):
        PageSource("locked.pdf", locked)


def test_a_page_out_of_range_is_an_index_error(make_pdf: Callable[..., bytes]):
    source = PageSource("one.pdf", make_pdf())
    with pytest.raises(IndexError):
        source.render(1, 1.0)


def test_a_huge_zoom_is_capped_rather_than_exhausting_memory(make_pdf: Callable[..., bytes]):
    image = PageSource("one.pdf", make_pdf()).render(0, 100.0)
    assert max(image.width, image.height) <= 12_000


def test_pages_drawn_on_several_threads_at_once_are_the_pages_drawn_one_by_one(
    make_pdf: Callable[..., bytes],
):
    source = PageSource("many.pdf", make_pdf(pages=8))
    alone = [source.render(i, 0.8).samples for i in range(8)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda i: source.render(i % 8, 0.8).samples, range(32)))

    assert together == alone * 4


def _busy_pdf() -> bytes:
    """A page dense with small shapes from top to bottom, like a detailed plan or form."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    for row in range(60):
        shape = page.new_shape()
        for column in range(50):
            shape.draw_circle((12 + column * 11.8, 12 + row * 12.9), 4)
        shape.finish(color=(0, 0, 0), fill=(0.4, 0.4, 0.4), width=0.3)
        shape.commit()
    return bytes(doc.tobytes())


def _largest_pause(work: Callable[[], object]) -> float:
    """The longest another thread waited for the interpreter while `work` ran on a worker."""
    worker = threading.Thread(target=work)
    gaps = []
    worker.start()
    last = time.perf_counter()
    while worker.is_alive():
        time.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    return max(gaps)


def test_drawing_a_heavy_page_gives_other_threads_their_turn():
    # PyMuPDF keeps the interpreter lock while it draws: a GUI thread waits the whole
    # page out. Drawn in bands, it waits one band at most.
    data = _busy_pdf()
    doc = pymupdf.open(stream=data, filetype="pdf")
    source = PageSource("plan.pdf", data)
    whole = _largest_pause(lambda: doc[0].get_pixmap(matrix=pymupdf.Matrix(3, 3)))
    banded = _largest_pause(lambda: source.render(0, 3))

    assert whole > 0.08, "the page is too light to show the difference on this machine"
    assert banded < whole / 2


def test_a_grey_tiff_page_is_drawn_grey():
    out = io.BytesIO()
    Image.new("L", (400, 500), 200).save(out, format="TIFF", dpi=(100, 100))

    image = PageSource("grey.tiff", out.getvalue()).render(0, 1.0)

    assert image.mode == "L"
    assert (image.width, image.height) == (288, 360)  # 4 by 5 inches at 72 dpi
    assert set(image.samples) <= {199, 200, 201}


def test_an_office_document_is_shown_through_libreoffice_when_it_is_installed(
    make_docx: Callable[..., bytes],
):
    converter = default_converter()
    if not converter.can_convert("letter.docx"):
        pytest.skip("LibreOffice is not installed on this computer")

    source = PageSource("letter.docx", make_docx(["Dear patient", "\f", "Second page"]))

    assert source.page_count == 2
    assert source.page_size_pt(0) == pytest.approx(LETTER, abs=1)
    image = source.render(0, 0.5)
    assert _dark_rows(image.samples, image.width, image.height, 3)
