"""The API's ten dithering techniques: a grey fax page reduced to black and white, repeatably.

The mapping follows FAX-IMAGING.md, measured so that every technique gives a
visibly different result on grey content and the darkening and lightening
ones are ordered by darkness (lighten_more < lighten < normal < darken <
darken_more < darken_extra):

- none: threshold at 50% grey;
- normal: Floyd-Steinberg error diffusion;
- turbo: ordered dither with an 8x8 Bayer map;
- darken, darken_more: gamma 0.8 / 0.6, then Floyd-Steinberg;
- darken_extra: 2x2 grey erosion (thicker strokes), gamma 0.55, then Floyd-Steinberg;
- lighten, lighten_more: gamma 1.3 / 1.7, then Floyd-Steinberg;
- crosshatch: ordered dither with an 8x8 map of diagonal lines;
- DETAILED: autocontrast (0.5% cut from each end) and an unsharp mask, then Floyd-Steinberg.

Everything runs in Pillow's C code; nothing here depends on randomness.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageChops, ImageFilter, ImageOps

from faxgui.api.enums import DitheringTechnique

_GAMMAS = {
    DitheringTechnique.DARKEN: 0.8,
    DitheringTechnique.DARKEN_MORE: 0.6,
    DitheringTechnique.DARKEN_EXTRA: 0.55,
    DitheringTechnique.LIGHTEN: 1.3,
    DitheringTechnique.LIGHTEN_MORE: 1.7,
}
_TILE = 8


def dither(grey: Image.Image, technique: DitheringTechnique | None) -> Image.Image:
    """`grey` (mode "L") as a mode "1" image by `technique`; None means the service's normal."""
    if grey.mode != "L":
        raise ValueError(f"dithering needs a grey (mode 'L') image, not mode {grey.mode!r}")
    if technique is DitheringTechnique.NONE:
        return grey.convert("1", dither=Image.Dither.NONE)
    if technique is DitheringTechnique.TURBO or technique is DitheringTechnique.CROSSHATCH:
        return _ordered(grey, technique)
    if technique is DitheringTechnique.DETAILED:
        grey = ImageOps.autocontrast(grey, cutoff=0.5)
        grey = grey.filter(ImageFilter.UnsharpMask(radius=2, percent=150, threshold=3))
    elif technique is DitheringTechnique.DARKEN_EXTRA:
        grey = _erode_2x2(grey)
    if technique in _GAMMAS:
        grey = grey.point(_gamma_table(_GAMMAS[technique]))
    return grey.convert("1", dither=Image.Dither.FLOYDSTEINBERG)


@functools.cache
def _gamma_table(gamma: float) -> list[int]:
    """Lookup table for output = input ** (1 / gamma): below 1 darkens the mid-greys, above 1
    lightens them; black and white stay where they are."""
    return [round(255 * (value / 255) ** (1 / gamma)) for value in range(256)]


def _erode_2x2(grey: Image.Image) -> Image.Image:
    """Each pixel becomes the darkest of itself and its right, lower and lower-right neighbours.

    Pillow's MinFilter only takes odd sizes; 3x3 would thicken strokes twice as much.
    """
    width, height = grey.size
    across = Image.new("L", grey.size, 255)
    across.paste(grey.crop((1, 0, width, height)), (0, 0))
    eroded = ImageChops.darker(grey, across)
    down = Image.new("L", grey.size, 255)
    down.paste(eroded.crop((0, 1, width, height)), (0, 0))
    return ImageChops.darker(eroded, down)


def _ordered(grey: Image.Image, technique: DitheringTechnique) -> Image.Image:
    """Ordered dither: a pixel is white where the grey is above the tiled threshold map."""
    thresholds = _tiled(technique, grey.size)
    # Subtraction clips at 0, so a pixel is non-zero exactly where grey > threshold.
    above = ImageChops.subtract(grey, thresholds)
    return above.point(_WHITE_WHERE_POSITIVE, mode="1")


_WHITE_WHERE_POSITIVE = [0] + [255] * 255


@functools.lru_cache(maxsize=8)
def _tiled(technique: DitheringTechnique, size: tuple[int, int]) -> Image.Image:
    """The technique's threshold map repeated to cover `size` (cached: a document's pages
    share one or two sizes)."""
    tile = _bayer_map() if technique is DitheringTechnique.TURBO else _crosshatch_map()
    width, height = size
    row = Image.new("L", (width, tile.height))
    for x in range(0, width, tile.width):
        row.paste(tile, (x, 0))
    full = Image.new("L", size)
    for y in range(0, height, tile.height):
        full.paste(row, (0, y))
    return full


def _threshold_tile(ranks: list[list[int]]) -> Image.Image:
    """An 8x8 threshold map: the cell ranked r (of 64) turns black once grey falls to its level.

    Thresholds sit at the middle of each of 64 equal grey steps, so a flat grey
    g turns about (1 - g/255) of the cells black.
    """
    tile = Image.new("L", (_TILE, _TILE))
    for y, row in enumerate(ranks):
        for x, rank in enumerate(row):
            tile.putpixel((x, y), 255 - round((rank + 0.5) * 256 / (_TILE * _TILE)) + 1)
    return tile


@functools.cache
def _bayer_map() -> Image.Image:
    """The classic recursive Bayer index matrix: black spreads out as evenly as possible."""
    matrix = [[0]]
    while len(matrix) < _TILE:
        size = len(matrix)
        grown = [[0] * (2 * size) for _ in range(2 * size)]
        for y in range(size):
            for x in range(size):
                base = 4 * matrix[y][x]
                grown[y][x] = base
                grown[y][x + size] = base + 2
                grown[y + size][x] = base + 3
                grown[y + size][x + size] = base + 1
        matrix = grown
    return _threshold_tile(matrix)


@functools.cache
def _crosshatch_map() -> Image.Image:
    """Cells ranked by distance from the two diagonals of the tile, so grey prints as hatching.

    As the grey darkens, black first fills the diagonal lines (both directions,
    which repeat across tiles as a lattice), then widens them.
    """

    def distance(offset: int) -> int:
        offset %= _TILE
        return min(offset, _TILE - offset)

    cells = []
    for y in range(_TILE):
        for x in range(_TILE):
            along = distance(x - y)  # from the "\" diagonal
            against = distance(x + y + 1)  # from the "/" diagonal
            cells.append((min(along, against), max(along, against), y, x))
    ranks = [[0] * _TILE for _ in range(_TILE)]
    for rank, (*_, y, x) in enumerate(sorted(cells)):
        ranks[y][x] = rank
    return _threshold_tile(ranks)
