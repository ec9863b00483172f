"""Stamp coordinates: page points <-> fax pixels, sizes, the convention switches, stamp fonts."""

from __future__ import annotations

import pymupdf
import pytest
from PIL import Image, ImageOps

from faxgui.api.enums import Resolution
from faxgui.imaging.stamp_fonts import (
    BASE_FONTS,
    DEFAULT_FONT_NAME,
    DEFAULT_FONT_SIZE,
    STAMP_FONT_NAMES,
    stamp_font,
)
from faxgui.imaging.stamp_geometry import (
    DEFAULT_CONVENTION,
    FAX_WIDTH,
    StampConvention,
    StampYRule,
    TextAnchor,
    fax_size_to_page,
    fax_to_page_point,
    page_point_to_fax,
    page_size_to_fax,
    text_baseline_offset_pt,
    text_x_scale,
)

LETTER_WIDTH = 612.0
A4_WIDTH = 595.28
WIDTHS = [LETTER_WIDTH, A4_WIDTH]
RESOLUTIONS = [Resolution.NORMAL, Resolution.FINE]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_page_corners_map_to_the_raster_corners(width: float, resolution: Resolution) -> None:
    assert page_point_to_fax(0, 0, width, resolution) == (0, 0)
    # One inch down is 98 lines at normal resolution and 196 at fine, whatever the width.
    assert page_point_to_fax(width / 2, 72, width, resolution) == (864, resolution.lines_per_inch)
    # The right edge itself is pixel 1728, one past the last: kept on the page.
    assert page_point_to_fax(width, 0, width, resolution) == (FAX_WIDTH - 1, 0)


def test_the_formulas_of_the_convention() -> None:
    # x_px = x_pt * 1728 / page width; y_px = y_pt * lines per inch / 72.
    assert page_point_to_fax(100, 100, LETTER_WIDTH, Resolution.NORMAL) == (282, 136)
    assert page_point_to_fax(100, 100, LETTER_WIDTH, Resolution.FINE) == (282, 272)
    assert page_point_to_fax(100, 100, A4_WIDTH, Resolution.FINE) == (290, 272)
    # Monopond's own sample stamps text at 1287, 421 on a normal-resolution Letter fax.
    x_pt, y_pt = fax_to_page_point(1287, 421, LETTER_WIDTH, Resolution.NORMAL)
    assert x_pt == pytest.approx(455.8, abs=0.05)
    assert y_pt == pytest.approx(309.3, abs=0.05)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_every_pixel_survives_a_round_trip(width: float, resolution: Resolution) -> None:
    for x in range(FAX_WIDTH):
        y = (x * 7) % 2300
        point = fax_to_page_point(x, y, width, resolution)
        assert page_point_to_fax(*point, width, resolution) == (x, y)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_points_round_trip_within_half_a_pixel(width: float, resolution: Resolution) -> None:
    x_step, y_step = width / FAX_WIDTH, 72 / resolution.lines_per_inch
    for tenth in range(0, 7900, 37):  # up to the last pixel's middle: the edge is clamped
        x_pt, y_pt = tenth / 10 * width / 792, tenth / 10
        back = fax_to_page_point(
            *page_point_to_fax(x_pt, y_pt, width, resolution), width, resolution
        )
        assert abs(back[0] - x_pt) <= x_step / 2 + 1e-9
        assert abs(back[1] - y_pt) <= y_step / 2 + 1e-9


def test_points_off_the_page_are_clamped_onto_it() -> None:
    assert page_point_to_fax(-30, -5, LETTER_WIDTH, Resolution.FINE) == (0, 0)
    assert page_point_to_fax(700, 800, LETTER_WIDTH, Resolution.FINE) == (1727, 2178)
    # The other way is not clamped: the designer may draw a stamp partly off the page.
    assert fax_to_page_point(-10, -10, LETTER_WIDTH, Resolution.FINE)[0] < 0


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_sizes_convert_both_ways(width: float, resolution: Resolution) -> None:
    # Monopond's sample image stamp is 120 x 130.
    size_pt = fax_size_to_page(120, 130, width, resolution)
    assert size_pt[0] == pytest.approx(120 * width / 1728)
    assert size_pt[1] == pytest.approx(130 * 72 / resolution.lines_per_inch)
    assert page_size_to_fax(*size_pt, width, resolution) == (120, 130)
    # A size never shrinks to nothing.
    assert page_size_to_fax(0.01, 0.01, width, resolution) == (1, 1)


def test_y_can_be_counted_at_one_fixed_rate() -> None:
    always_normal = StampConvention(y_rule=StampYRule.NORMAL)
    always_fine = StampConvention(y_rule=StampYRule.FINE)
    for resolution in RESOLUTIONS:
        assert page_point_to_fax(0, 72, LETTER_WIDTH, resolution, always_normal) == (0, 98)
        assert page_point_to_fax(0, 72, LETTER_WIDTH, resolution, always_fine) == (0, 196)
        assert always_normal.stamp_lines_per_inch(resolution) == 98
        assert always_fine.stamp_lines_per_inch(resolution) == 196
    assert DEFAULT_CONVENTION.stamp_lines_per_inch(Resolution.NORMAL) == 98
    assert DEFAULT_CONVENTION.stamp_lines_per_inch(Resolution.FINE) == 196


def test_a_page_without_width_is_refused() -> None:
    with pytest.raises(ValueError, match="wider than 0"):
        page_point_to_fax(1, 1, 0, Resolution.FINE)
    with pytest.raises(ValueError, match="wider than 0"):
        fax_to_page_point(1, 1, -612, Resolution.FINE)


def test_text_baseline_sits_a_cap_height_below_the_stamp_point() -> None:
    assert text_baseline_offset_pt("Helvetica", 20) == pytest.approx(20 * 0.729)
    assert text_baseline_offset_pt("Times-Roman", 10) == pytest.approx(6.62)
    assert text_baseline_offset_pt(None, 10) == text_baseline_offset_pt(DEFAULT_FONT_NAME, 10)
    on_baseline = StampConvention(text_anchor=TextAnchor.BASELINE)
    assert text_baseline_offset_pt("Helvetica", 20, on_baseline) == 0


def test_text_is_drawn_wider_on_narrower_pages() -> None:
    assert text_x_scale(LETTER_WIDTH) == pytest.approx(1.0035, abs=1e-4)
    assert text_x_scale(A4_WIDTH) == pytest.approx(0.976, abs=1e-3)


# ------------------------------------------------------------------ fonts


def test_every_documented_font_name_is_offered_once() -> None:
    assert len(STAMP_FONT_NAMES) == 117  # as many as the API documentation lists
    assert len(set(STAMP_FONT_NAMES)) == len(STAMP_FONT_NAMES)
    assert list(STAMP_FONT_NAMES) == sorted(STAMP_FONT_NAMES, key=str.lower)
    assert DEFAULT_FONT_NAME in STAMP_FONT_NAMES
    assert DEFAULT_FONT_SIZE > 0


def test_every_documented_font_maps_to_a_standard_font() -> None:
    for name in STAMP_FONT_NAMES:
        font = stamp_font(name)
        assert font.base in BASE_FONTS, name
        assert font.api_name == name


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("Arial-Regular", "Helvetica"),
        ("Arial-Bold-Italic", "Helvetica-BoldOblique"),
        ("Arial-Black-Regular", "Helvetica-Bold"),
        ("Nimbus-Sans-Condensed-Regular-Italic", "Helvetica-Oblique"),
        ("Helvetica-Narrow-Bold", "Helvetica-Bold"),
        ("Bitstream-Vera-Sans-Roman", "Helvetica"),
        ("Verdana-Italic", "Helvetica-Oblique"),
        ("AvantGarde-Demi", "Helvetica-Bold"),
        ("Times-New-Roman-Regular", "Times-Roman"),
        ("Georgia-Bold-Italic", "Times-BoldItalic"),
        ("Bookman-Light", "Times-Roman"),
        ("Century-Schoolbook-Bold", "Times-Bold"),
        ("NewCenturySchlbk-Italic", "Times-Italic"),
        ("Nimbus-Roman-No9-Regular", "Times-Roman"),
        ("URW-Palladio-Bold-Italic", "Times-BoldItalic"),
        ("URW-Chancery-Medium-Italic", "Times-Italic"),
        ("Bitstream-Vera-Serif-Bold", "Times-Bold"),
        ("Courier", "Courier"),
        ("Courier-New-Bold-Italic", "Courier-BoldOblique"),
        ("Andale-Mono-Regular", "Courier"),
        ("Nimbus-Mono-Bold", "Courier-Bold"),
        ("Bitstream-Vera-Sans-Mono-Oblique", "Courier-Oblique"),
        ("Symbol", "Symbol"),
        ("Standard-Symbols-Regular", "Symbol"),
        ("Dingbats-Regular", "ZapfDingbats"),
        ("Webdings-Regular", "ZapfDingbats"),
    ],
)
def test_fonts_map_by_family_weight_and_slant(name: str, base: str) -> None:
    assert stamp_font(name).base == base


def test_missing_and_unknown_names_get_a_font_rather_than_an_error() -> None:
    assert stamp_font(None).base == "Times-Roman"
    assert stamp_font("  ").base == "Times-Roman"
    assert stamp_font("Wingdings-Custom").base == "Helvetica"
    assert stamp_font("Garamond-Serif-Bold").base == "Times-Bold"
    font = stamp_font("Arial-Bold")
    assert (font.family, font.bold, font.italic) == ("Helvetica", True, False)


@pytest.mark.parametrize("base", BASE_FONTS)
def test_cap_heights_match_what_mupdf_draws(base: str) -> None:
    """The table behind the top-of-capitals anchor, checked against real glyph ink."""
    name = next(n for n in STAMP_FONT_NAMES if stamp_font(n).base == base)
    letter = "H"  # Eta in Symbol, a star in ZapfDingbats
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=400)
    page.insert_text((50, 300), letter, fontname=base, fontsize=200)
    pixmap = page.get_pixmap(colorspace=pymupdf.csGRAY)
    ink = ImageOps.invert(Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples))
    top = ink.point(lambda v: 255 if v > 127 else 0).getbbox()[1]  # type: ignore[index]
    assert (300 - top) / 200 == pytest.approx(stamp_font(name).cap_height, abs=0.01)
