"""TIFF Class F output: G4, white is zero, 204 dpi across, one strip and PageNumber per page."""

from __future__ import annotations

import io

import pymupdf
import pytest
from PIL import Image, ImageDraw, TiffImagePlugin

from faxgui.api.enums import Resolution
from faxgui.imaging.tiff import write_fax_tiff


def _page(height: int, mark: int) -> Image.Image:
    page = Image.new("1", (1728, height), 255)
    ImageDraw.Draw(page).rectangle((100 + 50 * mark, 100, 400 + 50 * mark, 300), fill=0)
    return page


def _frames(data: bytes) -> list[tuple[dict[int, object], Image.Image]]:
    frames = []
    with TiffImagePlugin.TiffImageFile(io.BytesIO(data)) as tiff:
        for index in range(tiff.n_frames):
            tiff.seek(index)
            frames.append((dict(tiff.tag_v2), tiff.convert("1")))
    return frames


@pytest.mark.parametrize(
    ("resolution", "height"), [(Resolution.NORMAL, 1078), (Resolution.FINE, 2156)]
)
def test_every_page_carries_the_class_f_tags(resolution: Resolution, height: int) -> None:
    pages = [_page(height, mark) for mark in range(3)]
    frames = _frames(write_fax_tiff(pages, resolution))
    assert len(frames) == 3
    for number, (tags, _) in enumerate(frames):
        assert tags[256] == 1728  # ImageWidth
        assert tags[257] == height  # ImageLength
        assert tags[258] == (1,)  # BitsPerSample
        assert tags[259] == 4  # Compression: T.6 (Group 4)
        assert tags[262] == 0  # PhotometricInterpretation: white is zero
        assert tags[266] == 1  # FillOrder
        assert tags[254] == 2  # NewSubfileType: one page of a multi-page document
        assert tags[278] == height  # RowsPerStrip: one strip per page
        assert len(tags[273]) == len(tags[279]) == 1  # type: ignore[arg-type]
        assert tags[282] == 204  # XResolution
        assert tags[283] == resolution.lines_per_inch  # YResolution
        assert tags[296] == 2  # ResolutionUnit: inch
        assert tags[297] == (number, 3)  # PageNumber, counted from 0


def test_pages_read_back_bit_for_bit() -> None:
    pages = [_page(1078, mark) for mark in range(2)]
    frames = _frames(write_fax_tiff(pages, Resolution.NORMAL))
    for original, (_, decoded) in zip(pages, frames, strict=True):
        assert decoded.tobytes() == original.tobytes()
    # A black mark stays black (not inverted) and white stays white.
    assert frames[0][1].getpixel((150, 150)) == 0
    assert frames[0][1].getpixel((1000, 900)) == 255


def test_another_decoder_reads_the_file_at_its_physical_size() -> None:
    data = write_fax_tiff([_page(1078, 0), _page(1078, 1)], Resolution.NORMAL)
    with pymupdf.open(stream=data, filetype="tiff") as doc:
        assert doc.page_count == 2
        # 1728 pixels at 204 dpi is 8.47 inches; 1078 lines at 98 lpi is 11 inches (Letter).
        assert doc[0].rect.width == pytest.approx(1728 / 204 * 72, abs=0.5)
        assert doc[0].rect.height == pytest.approx(792, abs=0.5)
        pixmap = doc[0].get_pixmap(colorspace=pymupdf.csGRAY)
        inside_mark = (int(250 * pixmap.width / 1728), int(200 * pixmap.height / 1078))
        assert pixmap.pixel(*inside_mark) == (0,)
        assert pixmap.pixel(pixmap.width // 2, pixmap.height // 2) == (255,)


def test_rejects_pages_that_are_not_fax_bitmaps() -> None:
    with pytest.raises(ValueError, match="1728"):
        write_fax_tiff([Image.new("1", (1700, 1078), 1)], Resolution.NORMAL)
    with pytest.raises(ValueError, match="mode"):
        write_fax_tiff([Image.new("L", (1728, 1078), 255)], Resolution.NORMAL)
    with pytest.raises(ValueError, match="at least one page"):
        write_fax_tiff([], Resolution.NORMAL)
