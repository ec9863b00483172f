"""Where a stamp lands: page points ↔ fax pixels, the one place that maps them (Qt-free).

A stamp's x counts fax pixels 0-1727 from the left edge of the 1728-pixel fax
line; its y counts scan lines from the top of the page (by default at the
request's resolution: 98 lines per inch normal, 196 fine); (0, 0) is the top
left. An image stamp's (x, y) is its top-left corner and its width and height
are in the same pixels and lines. A text stamp's (x, y) is the left end of the
text at the top of its capital letters (by default), and its font size is in
points of the printed page.

Page points are PyMuPDF's (and the designer's page view's): 1/72 inch, origin
top left, a page `page_width_pt` wide. Across, the page is scaled to fill the
fax line exactly (`x_px = x_pt * 1728 / page_width_pt`); down, it keeps its
height in inches (`y_px = y_pt * lines_per_inch / 72`).

Two things are not yet confirmed against the live service, so they are kept
in `StampConvention` (and exposed as options): whether y follows the request's
resolution or is always counted at one fixed rate, and whether a text stamp's
point is the top of its capitals or its baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from faxgui.api.enums import Resolution
from faxgui.imaging.stamp_fonts import stamp_font

FAX_WIDTH = 1728
"""Pixels across one fax line (ITU-T T.4), whatever the resolution."""

FAX_X_DPI = 204
"""Horizontal dots per inch of the printed fax (1728 pixels across 215 mm)."""


class StampYRule(StrEnum):
    """What a stamp's y (and an image stamp's height) counts."""

    RESOLUTION = "resolution"  # scan lines at the request's resolution (98 or 196 lpi)
    NORMAL = "normal"  # always 98-lpi lines, doubled when the fax is fine
    FINE = "fine"  # always 196-lpi lines, halved when the fax is normal


class TextAnchor(StrEnum):
    """Which point of a text stamp its (x, y) names."""

    CAP_TOP = "cap_top"  # left end of the text, at the top of its capital letters
    BASELINE = "baseline"  # left end of the text, on its baseline


@dataclass(frozen=True, slots=True)
class StampConvention:
    """How stamp coordinates are read; the defaults are this project's convention."""

    y_rule: StampYRule = StampYRule.RESOLUTION
    text_anchor: TextAnchor = TextAnchor.CAP_TOP

    def stamp_lines_per_inch(self, resolution: Resolution) -> int:
        """The line rate a stamp's y and height count in, for a fax at `resolution`."""
        if self.y_rule is StampYRule.NORMAL:
            return Resolution.NORMAL.lines_per_inch
        if self.y_rule is StampYRule.FINE:
            return Resolution.FINE.lines_per_inch
        return resolution.lines_per_inch


DEFAULT_CONVENTION = StampConvention()


def page_point_to_fax(
    x_pt: float,
    y_pt: float,
    page_width_pt: float,
    resolution: Resolution,
    convention: StampConvention = DEFAULT_CONVENTION,
) -> tuple[int, int]:
    """A point on the page as stamp coordinates (rounded; x kept in 0-1727, y >= 0)."""
    x_px = round(x_pt * FAX_WIDTH / _positive(page_width_pt))
    y_px = round(y_pt * convention.stamp_lines_per_inch(resolution) / 72)
    return min(max(x_px, 0), FAX_WIDTH - 1), max(y_px, 0)


def fax_to_page_point(
    x_px: float,
    y_px: float,
    page_width_pt: float,
    resolution: Resolution,
    convention: StampConvention = DEFAULT_CONVENTION,
) -> tuple[float, float]:
    """Stamp coordinates as a point on the page (not clamped, not rounded)."""
    x_pt = x_px * _positive(page_width_pt) / FAX_WIDTH
    y_pt = y_px * 72 / convention.stamp_lines_per_inch(resolution)
    return x_pt, y_pt


def page_size_to_fax(
    width_pt: float,
    height_pt: float,
    page_width_pt: float,
    resolution: Resolution,
    convention: StampConvention = DEFAULT_CONVENTION,
) -> tuple[int, int]:
    """A size on the page as an image stamp's width and height (rounded, at least 1x1)."""
    width_px = round(width_pt * FAX_WIDTH / _positive(page_width_pt))
    height_px = round(height_pt * convention.stamp_lines_per_inch(resolution) / 72)
    return max(width_px, 1), max(height_px, 1)


def fax_size_to_page(
    width_px: float,
    height_px: float,
    page_width_pt: float,
    resolution: Resolution,
    convention: StampConvention = DEFAULT_CONVENTION,
) -> tuple[float, float]:
    """An image stamp's width and height as a size on the page, in points."""
    return fax_to_page_point(width_px, height_px, page_width_pt, resolution, convention)


def text_baseline_offset_pt(
    font_name: str | None,
    font_size_pt: float,
    convention: StampConvention = DEFAULT_CONVENTION,
) -> float:
    """How far below a text stamp's (x, y) its baseline lies, in page points.

    0 when the convention anchors text on its baseline; otherwise the height of
    the font's capitals. (Vertically a page point is a printed point, because
    the page keeps its height in inches.)
    """
    if convention.text_anchor is TextAnchor.BASELINE:
        return 0.0
    return stamp_font(font_name).cap_height * font_size_pt


def text_x_scale(page_width_pt: float) -> float:
    """How much wider than its font size text is drawn on the page, to print at its size.

    The page is squeezed or stretched across to fill 1728 pixels (8.47 inches)
    but not down, so text of the right printed size is `text_x_scale` times as
    wide in page points as the font would draw it: 1.004 on Letter, 0.976 on A4.
    """
    return FAX_X_DPI * _positive(page_width_pt) / (72 * FAX_WIDTH)


def _positive(page_width_pt: float) -> float:
    if not page_width_pt > 0:
        raise ValueError(f"a page is wider than 0 points, not {page_width_pt!r}")
    return page_width_pt
