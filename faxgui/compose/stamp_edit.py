"""Editing a document's stamps in fax pixels: add, move, nudge, resize and delete, kept on the page.

`StampEditor` works on a document's own list (`DraftDocument.stamps`) in
place, so whatever saves or sends the draft sees each edit at once. Every
coordinate is a fax pixel (x, 0 to 1727) or scan line (y, at the resolution the
stamps are for), as `faxgui.imaging.stamp_geometry` defines them; converting
from points on the page is the caller's business. Positions are clamped so a
stamp never leaves the page: an image keeps all of itself on it, a text stamp
keeps as much of its text as the caller's `measure` says it covers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from faxgui.api.enums import Resolution
from faxgui.api.models import ImageStampMergeData, StampMergeData, TextStampMergeData
from faxgui.imaging.stamp_geometry import (
    DEFAULT_CONVENTION,
    FAX_WIDTH,
    StampConvention,
    fax_size_to_page,
    fax_to_page_point,
    page_point_to_fax,
    page_size_to_fax,
)

MIN_IMAGE_SIZE = 4
"""The smallest width or height an image stamp can be resized to, in fax pixels."""

MIN_FONT_SIZE = Decimal(4)
MAX_FONT_SIZE = Decimal(144)
DEFAULT_FONT_SIZE = Decimal(12)

DEFAULT_IMAGE_WIDTH = 300
"""An image stamp's width when it is added, unless the image is narrower (about 1.5 inches)."""

NUDGE = 1
BIG_NUDGE = 10

STAMP_IMAGE_EXTENSIONS: tuple[str, ...] = ("png", "jpg", "jpeg", "gif", "tif", "tiff")
"""Image files a stamp can be made from: the image types the fax service accepts."""

Measure = Callable[[TextStampMergeData], tuple[int, int]]
"""How many fax pixels across and scan lines down a text stamp's ink covers."""


class StampImageError(ValueError):
    """A file that cannot be used as an image stamp; the message says why and what to do."""


class Corner(Enum):
    """A corner of an image stamp, by which it is resized."""

    TOP_LEFT = (0, 0)
    TOP_RIGHT = (1, 0)
    BOTTOM_LEFT = (0, 1)
    BOTTOM_RIGHT = (1, 1)


@dataclass(frozen=True, slots=True)
class PageBounds:
    """The page stamps are kept on: fax pixels across and scan lines down."""

    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError(f"A page of {self.width} by {self.height} pixels is empty.")


@dataclass(frozen=True, slots=True)
class CoordinateFrame:
    """One page's points and the stamps' fax pixels, at the resolution the stamps are sent at.

    Every conversion goes through `faxgui.imaging.stamp_geometry`. The numbers
    can also be shown for the other resolution (`shown`/`stored`): x is the
    same at both, y and an image's height follow the line rate.
    """

    page_width_pt: float
    page_height_pt: float
    resolution: Resolution
    convention: StampConvention = DEFAULT_CONVENTION

    def bounds(self) -> PageBounds:
        """The page in fax pixels and scan lines at the stamps' resolution."""
        _, height = page_size_to_fax(
            self.page_width_pt,
            self.page_height_pt,
            self.page_width_pt,
            self.resolution,
            self.convention,
        )
        return PageBounds(FAX_WIDTH, height)

    def to_page(self, x: int, y: int) -> tuple[float, float]:
        """A stamp's (x, y) as a point on the page."""
        return fax_to_page_point(x, y, self.page_width_pt, self.resolution, self.convention)

    def from_page(self, x_pt: float, y_pt: float) -> tuple[int, int]:
        """A point on the page as stamp coordinates (rounded to whole pixels)."""
        return page_point_to_fax(x_pt, y_pt, self.page_width_pt, self.resolution, self.convention)

    def size_to_page(self, width: int, height: int) -> tuple[float, float]:
        """An image stamp's size in page points."""
        return fax_size_to_page(width, height, self.page_width_pt, self.resolution, self.convention)

    def size_from_page(self, width_pt: float, height_pt: float) -> tuple[int, int]:
        """A size on the page in fax pixels and lines (rounded, at least 1 by 1)."""
        return page_size_to_fax(
            width_pt, height_pt, self.page_width_pt, self.resolution, self.convention
        )

    def lines_per_pixel(self) -> float:
        """Scan lines as long as one fax pixel is wide: keeps a picture's shape on paper."""
        width_pt, height_pt = self.size_to_page(1000, 1000)
        return width_pt / height_pt

    def shown(self, x: int, y: int, resolution: Resolution) -> tuple[int, int]:
        """Stored coordinates (or a size) as they read for a fax at `resolution`."""
        if resolution is self.resolution:
            return x, y
        x_pt, y_pt = self.to_page(x, y)
        return page_point_to_fax(x_pt, y_pt, self.page_width_pt, resolution, self.convention)

    def shown_size(self, width: int, height: int, resolution: Resolution) -> tuple[int, int]:
        """An image stamp's stored size as it reads for a fax at `resolution`."""
        if resolution is self.resolution:
            return width, height
        width_pt, height_pt = self.size_to_page(width, height)
        return page_size_to_fax(
            width_pt, height_pt, self.page_width_pt, resolution, self.convention
        )

    def stored_size(self, width: int, height: int, resolution: Resolution) -> tuple[int, int]:
        """A size typed for a fax at `resolution`, at the stamps' own."""
        if resolution is self.resolution:
            return width, height
        width_pt, height_pt = fax_size_to_page(
            width, height, self.page_width_pt, resolution, self.convention
        )
        return self.size_from_page(width_pt, height_pt)

    def stored(self, x: int, y: int, resolution: Resolution) -> tuple[int, int]:
        """Coordinates (or a size) typed for a fax at `resolution`, at the stamps' own."""
        if resolution is self.resolution:
            return x, y
        x_pt, y_pt = fax_to_page_point(x, y, self.page_width_pt, resolution, self.convention)
        return self.from_page(x_pt, y_pt)


@dataclass(frozen=True, slots=True)
class StampImage:
    """An image file read for a stamp: its name, its bytes and its size in the file's pixels."""

    file_name: str
    data: bytes
    width: int
    height: int


def read_stamp_image(path: Path) -> StampImage:
    """Read an image file for a stamp. Raises StampImageError with a sentence for the user."""
    name = path.name
    extension = path.suffix.lower().lstrip(".")
    if extension not in STAMP_IMAGE_EXTENSIONS:
        raise StampImageError(
            f"{name} cannot be a stamp: choose a PNG, JPEG, GIF or TIFF image "
            "(the fax service tells images apart by their file name)."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StampImageError(
            f"{name} cannot be read ({exc.strerror or exc.__class__.__name__})."
        ) from exc
    width, height = image_pixel_size(name, data)
    return StampImage(name, data, width, height)


def image_pixel_size(name: str, data: bytes) -> tuple[int, int]:
    """An image's width and height in its own pixels. Raises StampImageError."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise StampImageError(
            f"{name} is not an image faxgui can read (damaged, or not really "
            f"a {Path(name).suffix.lstrip('.').upper() or 'picture'} file). "
            "Save it again as PNG and choose that."
        ) from exc
    if width < 1 or height < 1:
        raise StampImageError(f"{name} is an empty image.")
    return width, height


def default_image_size(
    image_width: int, image_height: int, height_per_width: float
) -> tuple[int, int]:
    """A new image stamp's size in fax pixels: at most DEFAULT_IMAGE_WIDTH across, same aspect.

    `height_per_width` is how many scan lines one fax pixel's width of the page
    is worth at the stamps' resolution (about 0.48 at normal, 0.96 at fine),
    so a square picture stays square on paper.
    """
    width = max(MIN_IMAGE_SIZE, min(image_width, DEFAULT_IMAGE_WIDTH))
    height = round(width * image_height / image_width * height_per_width)
    return width, max(MIN_IMAGE_SIZE, height)


def stamp_size(stamp: StampMergeData, measure: Measure | None = None) -> tuple[int, int]:
    """The fax pixels a stamp covers across and down (an image's size; a text's ink)."""
    if isinstance(stamp, ImageStampMergeData):
        return stamp.width or MIN_IMAGE_SIZE, stamp.height or MIN_IMAGE_SIZE
    if measure is None:
        return 1, 1
    width, height = measure(stamp)
    return max(1, width), max(1, height)


class StampEditor:
    """Changes to one list of stamps (a document's), each kept on the page.

    Indexes are positions in the list; two stamps may be equal, so stamps are
    never looked up by value.
    """

    def __init__(
        self,
        stamps: list[StampMergeData],
        bounds: PageBounds,
        measure: Measure | None = None,
    ) -> None:
        self.stamps = stamps
        self.bounds = bounds
        self.measure = measure

    def __len__(self) -> int:
        return len(self.stamps)

    # ------------------------------------------------------------------ adding and deleting

    def add_text(
        self,
        x: int,
        y: int,
        text: str,
        font_name: str | None = None,
        font_size: Decimal | None = DEFAULT_FONT_SIZE,
    ) -> int:
        """Add a text stamp at (x, y), kept on the page; returns its index."""
        stamp = TextStampMergeData(x, y, check_text(text), font_name, check_font_size(font_size))
        self.stamps.append(stamp)
        index = len(self.stamps) - 1
        self.move_to(index, x, y)
        return index

    def add_image(self, x: int, y: int, image: StampImage, width: int, height: int) -> int:
        """Add an image stamp with its top-left corner at (x, y); returns its index."""
        width, height = self._fit_size(width, height)
        stamp = ImageStampMergeData(x, y, image.file_name, image.data, width, height)
        self.stamps.append(stamp)
        index = len(self.stamps) - 1
        self.move_to(index, x, y)
        return index

    def delete(self, index: int) -> StampMergeData:
        """Remove and return the stamp at `index`."""
        return self.stamps.pop(index)

    # ------------------------------------------------------------------ moving

    def clamped_position(self, index: int, x: int, y: int) -> tuple[int, int]:
        """The nearest position to (x, y) where the stamp at `index` stays on the page."""
        width, height = stamp_size(self.stamps[index], self.measure)
        return (
            _clamp(x, 0, max(0, self.bounds.width - width)),
            _clamp(y, 0, max(0, self.bounds.height - height)),
        )

    def move_to(self, index: int, x: int, y: int) -> tuple[int, int]:
        """Move a stamp to (x, y), or as near as the page allows; returns where it went."""
        stamp = self.stamps[index]
        stamp.x, stamp.y = self.clamped_position(index, x, y)
        return stamp.x, stamp.y

    def nudge(self, index: int, dx: int, dy: int) -> tuple[int, int]:
        """Move a stamp by (dx, dy) pixels, stopping at the page's edges."""
        stamp = self.stamps[index]
        return self.move_to(index, stamp.x + dx, stamp.y + dy)

    # ------------------------------------------------------------------ resizing

    def resize(self, index: int, width: int, height: int) -> tuple[int, int]:
        """Give an image stamp a new size, its top-left corner staying put where the page allows.

        A size larger than the page is cut to the page; if the stamp would then
        hang off the right or bottom edge it moves in. Returns the size it got.
        """
        stamp = self._image(index)
        stamp.width, stamp.height = self._fit_size(width, height)
        self.move_to(index, stamp.x, stamp.y)
        return stamp.width, stamp.height

    def drag_corner(
        self, index: int, corner: Corner, x: int, y: int, keep_aspect: bool = False
    ) -> tuple[int, int, int, int]:
        """Resize an image stamp by dragging one corner to (x, y); the opposite corner stays.

        With `keep_aspect` the stamp keeps its width-to-height ratio (the
        larger of the two changes wins). Returns the new (x, y, width, height).
        """
        stamp = self._image(index)
        left, top = stamp.x, stamp.y
        right, bottom = (
            left + (stamp.width or MIN_IMAGE_SIZE),
            top + (stamp.height or MIN_IMAGE_SIZE),
        )
        moves_right, moves_bottom = corner.value
        x = _clamp(x, 0, self.bounds.width)
        y = _clamp(y, 0, self.bounds.height)
        fixed_x = left if moves_right else right
        fixed_y = top if moves_bottom else bottom
        width = max(MIN_IMAGE_SIZE, (x - fixed_x) if moves_right else (fixed_x - x))
        height = max(MIN_IMAGE_SIZE, (y - fixed_y) if moves_bottom else (fixed_y - y))
        if keep_aspect:
            old_width, old_height = right - left, bottom - top
            scale = max(width / old_width, height / old_height)
            room_x = (self.bounds.width - fixed_x) if moves_right else fixed_x
            room_y = (self.bounds.height - fixed_y) if moves_bottom else fixed_y
            scale = min(scale, room_x / old_width, room_y / old_height)
            scale = max(scale, MIN_IMAGE_SIZE / old_width, MIN_IMAGE_SIZE / old_height)
            width, height = round(old_width * scale), round(old_height * scale)
        width, height = self._fit_size(width, height)
        stamp.width, stamp.height = width, height
        new_x = fixed_x if moves_right else fixed_x - width
        new_y = fixed_y if moves_bottom else fixed_y - height
        self.move_to(index, new_x, new_y)
        return stamp.x, stamp.y, width, height

    # ------------------------------------------------------------------ text

    def set_text(
        self, index: int, text: str, font_name: str | None, font_size: Decimal | None
    ) -> None:
        """Change a text stamp's words, font or size; it moves in if it now runs off the page."""
        stamp = self.stamps[index]
        if not isinstance(stamp, TextStampMergeData):
            raise TypeError(f"Stamp {index} is an image, not text.")
        stamp.text = check_text(text)
        stamp.font_name = font_name
        stamp.font_size = check_font_size(font_size)
        self.move_to(index, stamp.x, stamp.y)

    # ------------------------------------------------------------------ helpers

    def _image(self, index: int) -> ImageStampMergeData:
        stamp = self.stamps[index]
        if not isinstance(stamp, ImageStampMergeData):
            raise TypeError(f"Stamp {index} is text; only an image stamp has a size.")
        return stamp

    def _fit_size(self, width: int, height: int) -> tuple[int, int]:
        return (
            _clamp(width, MIN_IMAGE_SIZE, self.bounds.width),
            _clamp(height, MIN_IMAGE_SIZE, self.bounds.height),
        )


def check_text(text: str) -> str:
    """A text stamp's words, as given. Raises ValueError (a sentence) for blank text."""
    if not text.strip():
        raise ValueError("Type the text to stamp on the pages.")
    return text


def check_font_size(size: Decimal | None) -> Decimal | None:
    """A font size in points, as given. Raises ValueError (a sentence) when out of range."""
    if size is not None and not MIN_FONT_SIZE <= size <= MAX_FONT_SIZE:
        raise ValueError(
            f"A stamp's font size must be between {MIN_FONT_SIZE} and {MAX_FONT_SIZE} points."
        )
    return size


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
