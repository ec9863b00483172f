"""Fax pages written as one multi-page TIFF Class F file: G4, white is zero, 204 dpi across.

Pillow encodes each page's bitmap with libtiff's Group 4 coder, but its
multi-page writer stores a corrupt PageNumber tag and leaves out tags Class F
requires, so the file itself (header, one IFD per page, one strip per page) is
assembled here, tag by tag, from strips coded one page at a time (possibly in
other processes: see `faxgui.imaging.raster`). Pages are numbered from 0, as
TIFF 6.0 specifies for PageNumber.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence

from PIL import Image, ImageChops

from faxgui.api.enums import Resolution
from faxgui.imaging.stamp_geometry import FAX_WIDTH

FAX_X_RESOLUTION = 204
"""Horizontal dots per inch of a fax line (1728 pixels across 215 mm)."""

_SHORT, _LONG, _RATIONAL = 3, 4, 5
_TYPE_SIZES = {_SHORT: 2, _LONG: 4, _RATIONAL: 8}
_TYPE_CODES = {_SHORT: "H", _LONG: "I", _RATIONAL: "I"}  # a RATIONAL is two LONGs

_NEW_SUBFILE_TYPE = 254
_IMAGE_WIDTH = 256
_IMAGE_LENGTH = 257
_BITS_PER_SAMPLE = 258
_COMPRESSION = 259
_PHOTOMETRIC = 262
_FILL_ORDER = 266
_STRIP_OFFSETS = 273
_SAMPLES_PER_PIXEL = 277
_ROWS_PER_STRIP = 278
_STRIP_BYTE_COUNTS = 279
_X_RESOLUTION = 282
_Y_RESOLUTION = 283
_T6_OPTIONS = 293
_RESOLUTION_UNIT = 296
_PAGE_NUMBER = 297

_COMPRESSION_G4 = 4
_WHITE_IS_ZERO = 0
_SUBFILE_SINGLE_PAGE_OF_MULTIPAGE = 2
_INCH = 2


def write_fax_tiff(pages: Sequence[Image.Image], resolution: Resolution) -> bytes:
    """A TIFF Class F file (G4) holding `pages`: mode "1" images 1728 pixels wide."""
    if not pages:
        raise ValueError("a fax TIFF needs at least one page")
    return write_fax_tiff_strips([(page.height, g4_strip(page)) for page in pages], resolution)


def write_fax_tiff_strips(strips: Sequence[tuple[int, bytes]], resolution: Resolution) -> bytes:
    """A TIFF Class F file from pages already coded by `g4_strip`: (height, strip) each."""
    if not strips:
        raise ValueError("a fax TIFF needs at least one page")
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    previous_link = 4  # where the offset of the next IFD goes
    for number, (height, strip) in enumerate(strips):
        strip_offset = len(out)
        out += strip
        _pad_to_word(out)
        ifd_offset = len(out)
        struct.pack_into("<I", out, previous_link, ifd_offset)
        previous_link = _append_ifd(
            out,
            [
                (_NEW_SUBFILE_TYPE, _LONG, (_SUBFILE_SINGLE_PAGE_OF_MULTIPAGE,)),
                (_IMAGE_WIDTH, _LONG, (FAX_WIDTH,)),
                (_IMAGE_LENGTH, _LONG, (height,)),
                (_BITS_PER_SAMPLE, _SHORT, (1,)),
                (_COMPRESSION, _SHORT, (_COMPRESSION_G4,)),
                (_PHOTOMETRIC, _SHORT, (_WHITE_IS_ZERO,)),
                (_FILL_ORDER, _SHORT, (1,)),
                (_STRIP_OFFSETS, _LONG, (strip_offset,)),
                (_SAMPLES_PER_PIXEL, _SHORT, (1,)),
                (_ROWS_PER_STRIP, _LONG, (height,)),
                (_STRIP_BYTE_COUNTS, _LONG, (len(strip),)),
                (_X_RESOLUTION, _RATIONAL, (FAX_X_RESOLUTION, 1)),
                (_Y_RESOLUTION, _RATIONAL, (resolution.lines_per_inch, 1)),
                (_T6_OPTIONS, _LONG, (0,)),
                (_RESOLUTION_UNIT, _SHORT, (_INCH,)),
                (_PAGE_NUMBER, _SHORT, (number, len(strips))),
            ],
        )
    return bytes(out)


def g4_strip(page: Image.Image) -> bytes:
    """The page's bitmap coded as one Group 4 strip, black stored as 1 (white is zero)."""
    if page.mode != "1" or page.width != FAX_WIDTH:
        raise ValueError(
            f"a fax page must be a mode '1' image {FAX_WIDTH} pixels wide, "
            f"not mode {page.mode!r} {page.width} wide"
        )
    # Pillow's mode "1" stores white as 1. Inverting first (0.5 ms a fine page)
    # makes black the 1 bits, as WhiteIsZero wants; asking Pillow for
    # WhiteIsZero instead gives the same strip but inverts pixel by pixel in
    # Python, about a second per page.
    encoded = io.BytesIO()
    ImageChops.invert(page).save(
        encoded,
        format="TIFF",
        compression="group4",
        tiffinfo={_ROWS_PER_STRIP: page.height},
    )
    return _only_strip(encoded.getvalue())


def _only_strip(data: bytes) -> bytes:
    """The one strip of the one-page little-endian TIFF libtiff just wrote.

    Reads the two tags it needs straight from the IFD: building a whole
    TiffImageFile for this cost more than the rest of the file assembly.
    """
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    found: dict[int, tuple[int, int]] = {}
    for entry in range(count):
        tag, kind, values, value = struct.unpack_from("<HHII", data, ifd + 2 + 12 * entry)
        if tag in (_STRIP_OFFSETS, _STRIP_BYTE_COUNTS):
            if values != 1:
                raise ValueError(f"expected one strip from the Group 4 coder, got {values}")
            if kind == _SHORT:
                value &= 0xFFFF
            found[tag] = (kind, value)
    offset, length = found[_STRIP_OFFSETS][1], found[_STRIP_BYTE_COUNTS][1]
    return data[offset : offset + length]


def _pad_to_word(out: bytearray) -> None:
    if len(out) % 2:
        out += b"\x00"


def _append_ifd(out: bytearray, entries: list[tuple[int, int, tuple[int, ...]]]) -> int:
    """Append one IFD (entries sorted by tag) and its out-of-line values.

    Returns the position of its next-IFD link, for the following page to fill in.
    """
    ifd_size = 2 + 12 * len(entries) + 4
    extra_offset = len(out) + ifd_size
    extra = bytearray()
    out += struct.pack("<H", len(entries))
    for tag, kind, values in sorted(entries):
        count = len(values) // 2 if kind == _RATIONAL else len(values)
        packed = struct.pack("<" + _TYPE_CODES[kind] * len(values), *values)
        if _TYPE_SIZES[kind] * count <= 4:
            field = packed.ljust(4, b"\x00")
        else:
            field = struct.pack("<I", extra_offset + len(extra))
            extra += packed
        out += struct.pack("<HHI", tag, kind, count) + field
    link = len(out)
    out += b"\x00\x00\x00\x00"
    out += extra
    return link
