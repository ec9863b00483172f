"""Documents built on the fly for the imaging tests: PDFs, images, text, Office look-alikes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pymupdf
import pytest
from PIL import Image, ImageDraw

LETTER = (612, 792)
A4 = (595, 842)


def _pdf(pages: int = 1, size: tuple[float, float] = LETTER) -> bytes:
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=size[0], height=size[1])
        page.insert_text((72, 100), f"Page {number}", fontsize=36)
        # A grey block, so dithering has something to do.
        page.draw_rect(pymupdf.Rect(72, 200, 400, 400), color=None, fill=(0.6, 0.6, 0.6))
    return bytes(doc.tobytes())


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    """make_pdf(pages=1, size=LETTER): a PDF with a heading and a grey block on every page."""
    return _pdf


@pytest.fixture
def make_image() -> Callable[..., bytes]:
    """make_image(fmt, frames=1, size=(850, 1100), dpi=100): an image file with grey content."""

    def build(
        fmt: str, frames: int = 1, size: tuple[int, int] = (850, 1100), dpi: int = 100
    ) -> bytes:
        images = []
        for number in range(frames):
            image = Image.new("RGB", size, "white")
            draw = ImageDraw.Draw(image)
            draw.rectangle((50, 50, 400, 300), fill=(90 + 20 * number, 90, 90))
            draw.text((60, 400), f"Frame {number + 1}", fill="black")
            images.append(image)
        out = io.BytesIO()
        extra = {"save_all": True, "append_images": images[1:]} if frames > 1 else {}
        images[0].save(out, format=fmt, dpi=(dpi, dpi), **extra)
        return out.getvalue()

    return build


@pytest.fixture
def make_ooxml() -> Callable[..., bytes]:
    """make_ooxml(parts): a zip holding the named parts, as Office Open XML files are."""

    def build(parts: dict[str, str]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            for name, text in parts.items():
                archive.writestr(name, text)
        return out.getvalue()

    return build
