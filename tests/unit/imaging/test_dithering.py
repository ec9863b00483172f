"""The ten dithering techniques on a grey page: repeatable, distinct, ordered by darkness."""

from __future__ import annotations

import hashlib
import io
import itertools

import pymupdf
import pytest
from PIL import Image, ImageChops, ImageFilter

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.imaging.dithering import dither
from faxgui.imaging.raster import render_fax_pages

RAMP = pymupdf.Rect(36, 72, 576, 192)  # 32 grey steps, black to white, in page points
PHOTO = pymupdf.Rect(72, 240, 540, 552)
DARKNESS_ORDER = [
    DitheringTechnique.LIGHTEN_MORE,
    DitheringTechnique.LIGHTEN,
    DitheringTechnique.NORMAL,
    DitheringTechnique.DARKEN,
    DitheringTechnique.DARKEN_MORE,
    DitheringTechnique.DARKEN_EXTRA,
]


def _photo() -> bytes:
    """A photo-like picture: smooth gradients under a blurred fractal, no flat areas."""
    size = (600, 400)
    fractal = Image.effect_mandelbrot(size, (-2.0, -1.2, 0.8, 1.2), 60)
    across = Image.linear_gradient("L").rotate(90).resize(size)
    vignette = Image.radial_gradient("L").resize(size).point(lambda v: 255 - v)
    picture = ImageChops.add(
        ImageChops.multiply(across, vignette), fractal.filter(ImageFilter.GaussianBlur(2)), 1.6
    )
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def grey_page_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    step = RAMP.width / 32
    for n in range(32):
        tone = n / 31
        cell = pymupdf.Rect(RAMP.x0 + n * step, RAMP.y0, RAMP.x0 + (n + 1) * step, RAMP.y1)
        page.draw_rect(cell, color=None, fill=(tone, tone, tone))
    page.insert_image(PHOTO, stream=_photo())
    page.insert_text((72, 620), "Referral: please see the attached scan", fontsize=14)
    return bytes(doc.tobytes())


def _render(pdf: bytes, technique: DitheringTechnique) -> Image.Image:
    (page,) = render_fax_pages("grey.pdf", pdf, Resolution.NORMAL, technique)
    return page


def _digest(image: Image.Image) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()


def _black_share(image: Image.Image) -> float:
    histogram = image.convert("L").histogram()
    return histogram[0] / sum(histogram)


def _ramp_box() -> tuple[int, int, int, int]:
    # Page points to fax pixels at normal resolution, a little inside the ramp.
    return (
        round(RAMP.x0 * 1728 / 612) + 4,
        round(RAMP.y0 * 98 / 72) + 4,
        round(RAMP.x1 * 1728 / 612) - 4,
        round(RAMP.y1 * 98 / 72) - 4,
    )


@pytest.fixture(scope="module")
def rendered(grey_page_pdf: bytes) -> dict[DitheringTechnique, Image.Image]:
    return {technique: _render(grey_page_pdf, technique) for technique in DitheringTechnique}


def test_every_technique_gives_a_fax_bitmap(
    rendered: dict[DitheringTechnique, Image.Image],
) -> None:
    for page in rendered.values():
        assert page.mode == "1"
        assert page.size == (1728, 1078)


def test_every_technique_is_repeatable(
    grey_page_pdf: bytes, rendered: dict[DitheringTechnique, Image.Image]
) -> None:
    for technique, page in rendered.items():
        assert _digest(_render(grey_page_pdf, technique)) == _digest(page), technique


def test_every_technique_looks_different(
    rendered: dict[DitheringTechnique, Image.Image],
) -> None:
    for (first, a), (second, b) in itertools.combinations(rendered.items(), 2):
        assert _digest(a) != _digest(b), (first, second)
    # Not merely different bits: on the grey content the patterns differ visibly.
    box = (*_ramp_box()[:2], 1700, 1000)
    for (first, a), (second, b) in itertools.combinations(rendered.items(), 2):
        changed = ImageChops.logical_xor(a.crop(box), b.crop(box))
        assert _black_share(changed.convert("L").point(lambda v: 255 - v)) > 0.02, (
            first,
            second,
        )


def test_darken_and_lighten_are_ordered_by_darkness_on_the_ramp(
    rendered: dict[DitheringTechnique, Image.Image],
) -> None:
    shares = [_black_share(rendered[t].crop(_ramp_box())) for t in DARKNESS_ORDER]
    assert shares == sorted(shares)
    assert all(later - earlier > 0.01 for earlier, later in itertools.pairwise(shares))
    # Floyd-Steinberg keeps the ramp's average: about half of it is black.
    normal = _black_share(rendered[DitheringTechnique.NORMAL].crop(_ramp_box()))
    assert 0.45 < normal < 0.55


def test_none_thresholds_at_half_grey() -> None:
    grey = Image.new("L", (1728, 40), 127)
    grey.paste(128, (864, 0, 1728, 40))
    page = dither(grey, DitheringTechnique.NONE)
    assert _black_share(page.crop((0, 0, 864, 40))) == 1.0
    assert _black_share(page.crop((864, 0, 1728, 40))) == 0.0


@pytest.mark.parametrize("technique", [DitheringTechnique.TURBO, DitheringTechnique.CROSSHATCH])
def test_ordered_techniques_repeat_every_8_pixels_and_keep_the_grey_level(
    technique: DitheringTechnique,
) -> None:
    for level in (64, 128, 192):
        page = dither(Image.new("L", (1728, 64), level), technique)
        tile = page.crop((0, 0, 8, 8)).tobytes()
        assert page.crop((8, 16, 16, 24)).tobytes() == tile
        assert _black_share(page) == pytest.approx(1 - level / 256, abs=1 / 64)


def test_crosshatch_draws_diagonal_lines_in_light_grey() -> None:
    page = dither(Image.new("L", (1728, 64), 220), DitheringTechnique.CROSSHATCH)
    # The black pixels of a light grey lie on the two diagonals of each 8x8 cell.
    black = [(x, y) for y in range(8) for x in range(8) if page.getpixel((x, y)) == 0]
    assert black
    assert all((x - y) % 8 == 0 or (x + y + 1) % 8 == 0 for x, y in black)


def test_darken_extra_thickens_thin_strokes() -> None:
    grey = Image.new("L", (1728, 40), 255)
    grey.paste(0, (100, 0, 101, 40))  # a one-pixel vertical line
    normal = dither(grey, DitheringTechnique.NORMAL)
    extra = dither(grey, DitheringTechnique.DARKEN_EXTRA)
    assert _black_share(extra) == pytest.approx(2 * _black_share(normal))


def test_pillow_modes_other_than_grey_are_refused() -> None:
    with pytest.raises(ValueError, match="mode 'L'"):
        dither(Image.new("RGB", (1728, 10)), DitheringTechnique.NORMAL)
