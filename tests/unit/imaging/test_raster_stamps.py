"""Text and image stamps drawn where their fax coordinates say, on PDF and TIFF pages alike."""

from __future__ import annotations

import io
from decimal import Decimal

import pymupdf
import pytest
from PIL import Image

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import ImageStampMergeData, TextStampMergeData
from faxgui.imaging.raster import InvalidStampError, render_fax_pages, render_fax_tiff
from faxgui.imaging.stamp_geometry import StampConvention, StampYRule, TextAnchor
from faxgui.imaging.tiff import write_fax_tiff

TEXT_AT = (1287, 421)  # Monopond's own sample: text at 1287, 421; image at 283, 120, 120 x 130
IMAGE_AT = (283, 120)
IMAGE_SIZE = (120, 130)


def _blank_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page(width=612, height=792)
    doc.new_page(width=612, height=792)
    return bytes(doc.tobytes())


def _blank_fax_tiff(resolution: Resolution) -> bytes:
    height = 1078 if resolution is Resolution.NORMAL else 2156
    return write_fax_tiff([Image.new("1", (1728, height), 255)] * 2, resolution)


def _solid_image(fmt: str, size: tuple[int, int] = (40, 40)) -> bytes:
    if fmt == "PDF":
        doc = pymupdf.open()
        page = doc.new_page(width=size[0], height=size[1])
        page.draw_rect(page.rect, color=None, fill=(0, 0, 0))
        return bytes(doc.tobytes())
    image = Image.new("RGB", size, "black")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def _ink_box(page: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The bounding box of black pixels inside `box`, in page coordinates."""
    region = page.crop(box).convert("L").point(lambda v: 255 - v)
    found = region.getbbox()
    assert found is not None, f"no ink in {box}"
    return (found[0] + box[0], found[1] + box[1], found[2] + box[0], found[3] + box[1])


def _stamps(y_scale: int = 1) -> list[TextStampMergeData | ImageStampMergeData]:
    return [
        TextStampMergeData(TEXT_AT[0], TEXT_AT[1] * y_scale, "TEST", "Helvetica", Decimal(24)),
        ImageStampMergeData(
            IMAGE_AT[0],
            IMAGE_AT[1] * y_scale,
            "box.png",
            _solid_image("PNG"),
            IMAGE_SIZE[0],
            IMAGE_SIZE[1] * y_scale,
        ),
    ]


@pytest.mark.parametrize("resolution", [Resolution.NORMAL, Resolution.FINE])
@pytest.mark.parametrize("source", ["pdf", "tiff"])
def test_stamps_land_within_two_pixels_of_their_coordinates(
    resolution: Resolution, source: str
) -> None:
    name, data = (
        ("letter.pdf", _blank_pdf())
        if source == "pdf"
        else ("fax.tif", _blank_fax_tiff(resolution))
    )
    y_scale = resolution.lines_per_inch // 98  # the same place on paper at both resolutions
    pages = render_fax_pages(name, data, resolution, stamps=_stamps(y_scale))
    assert len(pages) == 2
    for page in pages:  # stamps go on every page
        x, y = TEXT_AT[0], TEXT_AT[1] * y_scale
        left, top, right, _ = _ink_box(page, (x - 40, y - 40, x + 300, y + 120 * y_scale))
        assert abs(left - x) <= 2
        assert abs(top - y) <= 2
        # 24-point "TEST" is about 0.9 inch wide on paper: 180 fax pixels.
        assert 150 < right - left < 210
        x, y = IMAGE_AT[0], IMAGE_AT[1] * y_scale
        w, h = IMAGE_SIZE[0], IMAGE_SIZE[1] * y_scale
        assert _ink_box(page, (x - 40, y - 40, x + w + 40, y + h + 40)) == pytest.approx(
            (x, y, x + w, y + h), abs=2
        )
        # Nothing else was drawn.
        ink = page.convert("L").point(lambda v: 255 - v)
        assert ink.getbbox() == pytest.approx((x, y, TEXT_AT[0] + (right - left), top + 30), abs=60)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF", "BMP", "PDF"])
def test_image_stamps_of_every_kind_are_scaled_to_their_size(fmt: str) -> None:
    stamp = ImageStampMergeData(500, 300, f"logo.{fmt.lower()}", _solid_image(fmt), 200, 90)
    (page, _) = render_fax_pages("letter.pdf", _blank_pdf(), Resolution.FINE, stamps=[stamp])
    assert _ink_box(page, (400, 200, 800, 500)) == pytest.approx((500, 300, 700, 390), abs=2)


def test_an_image_stamp_without_a_size_keeps_its_proportions_on_paper() -> None:
    stamp = ImageStampMergeData(100, 100, "logo.png", _solid_image("PNG", (204, 102)))
    for resolution, height in ((Resolution.FINE, 98), (Resolution.NORMAL, 49)):
        (page, _) = render_fax_pages("a.pdf", _blank_pdf(), resolution, stamps=[stamp])
        # 204 pixels across is one inch; half an inch down is 98 fine or 49 normal lines.
        assert _ink_box(page, (0, 0, 600, 400)) == pytest.approx(
            (100, 100, 304, 100 + height), abs=2
        )
    only_width = ImageStampMergeData(100, 100, "logo.png", _solid_image("PNG", (204, 102)), 408)
    (page, _) = render_fax_pages("a.pdf", _blank_pdf(), Resolution.FINE, stamps=[only_width])
    assert _ink_box(page, (0, 0, 800, 400)) == pytest.approx((100, 100, 508, 296), abs=2)


def test_stamps_are_drawn_before_dithering() -> None:
    grey = Image.new("RGB", (60, 60), (128, 128, 128))
    out = io.BytesIO()
    grey.save(out, format="PNG")
    stamp = ImageStampMergeData(100, 100, "grey.png", out.getvalue(), 300, 300)
    for technique, pattern in ((DitheringTechnique.NONE, False), (DitheringTechnique.NORMAL, True)):
        (page, _) = render_fax_pages(
            "a.pdf", _blank_pdf(), Resolution.FINE, technique, stamps=[stamp]
        )
        histogram = page.crop((150, 150, 350, 350)).convert("L").histogram()
        mixed = 0.3 < histogram[0] / sum(histogram) < 0.7
        assert mixed is pattern


def test_the_convention_can_anchor_text_on_its_baseline_and_count_y_at_normal() -> None:
    stamp = TextStampMergeData(300, 200, "TEST", "Times-Roman", Decimal(30))
    convention = StampConvention(y_rule=StampYRule.NORMAL, text_anchor=TextAnchor.BASELINE)
    (page, _) = render_fax_pages(
        "a.pdf", _blank_pdf(), Resolution.FINE, stamps=[stamp], convention=convention
    )
    # y 200 in normal lines is 400 fine lines; the capitals stand on that baseline.
    _, top, _, bottom = _ink_box(page, (250, 250, 700, 450))
    assert abs(bottom - 400) <= 2
    assert top < 400 - 40


def test_a_font_name_from_the_api_list_is_drawn_in_its_family() -> None:
    def width_of(font: str) -> int:
        stamp = TextStampMergeData(100, 100, "iiiiiiii", font, Decimal(20))
        (page, _) = render_fax_pages("a.pdf", _blank_pdf(), Resolution.NORMAL, stamps=[stamp])
        left, _, right, _ = _ink_box(page, (50, 50, 900, 160))
        return right - left

    # Monospaced i's take as much room as any letter; proportional ones are narrow.
    assert width_of("Courier-New-Regular") > 1.5 * width_of("Arial-Regular")


def test_stamps_reach_the_fax_tiff() -> None:
    tiff = render_fax_tiff("a.pdf", _blank_pdf(), Resolution.FINE, stamps=_stamps(2))
    with Image.open(io.BytesIO(tiff.data)) as image:
        image.seek(1)
        page = image.convert("1")
    x, y = TEXT_AT[0], TEXT_AT[1] * 2
    left, top, _, _ = _ink_box(page, (x - 40, y - 40, x + 300, y + 240))
    assert (abs(left - x), abs(top - y)) <= (2, 2)


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        (ImageStampMergeData(0, 0, "logo.png", b"not an image at all"), "logo.png"),
        (ImageStampMergeData(0, 0, "logo.png", b""), "empty"),
        (ImageStampMergeData(0, 0, "logo.png", _solid_image("PNG"), 0, 10), "above 0"),
        (TextStampMergeData(0, 0, "Hello", None, Decimal(0)), "above 0 points"),
    ],
)
def test_a_stamp_that_cannot_be_drawn_says_why(
    stamp: TextStampMergeData | ImageStampMergeData, message: str
) -> None:
    with pytest.raises(InvalidStampError, match=message):
        render_fax_tiff("a.pdf", _blank_pdf(), Resolution.NORMAL, stamps=[stamp])
