"""Writes resources/sample-fax.pdf, the one-page sample document faxgui ships with (PyMuPDF).

The bundle's self-test renders it and sends it through the sandbox; a user can attach it to
try a fax without a document of their own. Run again after changing the text:
`.venv/bin/python packaging/make_sample_pdf.py`. The output is byte-for-byte reproducible.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pymupdf as _pymupdf

pymupdf: Any = _pymupdf

OUTPUT = Path(__file__).resolve().parent.parent / "resources" / "sample-fax.pdf"

# A4 in points; the text sits within fax-safe margins (a fax machine loses ~4 mm at the edges).
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
MARGIN = 72
# A fixed date keeps the file identical from run to run.
FIXED_DATE = "D:20260101000000Z"

TITLE = "Sample fax"
LINES = (
    "This page comes with faxgui so that you can try sending a fax",
    "without a document of your own.",
    "",
    "Send it to one of the sandbox's test numbers, such as 61500000000,",
    "while faxgui is set to the built-in sandbox: nothing leaves this",
    "computer, and the fax goes through every step a real one would.",
    "",
    "To send real faxes, choose Monopond in File > Settings and attach",
    "your own documents: PDF, TIFF, Word, Excel, pictures or plain text.",
)


def build() -> bytes:
    """The sample PDF's bytes."""
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
    page.draw_rect(
        pymupdf.Rect(MARGIN, MARGIN, PAGE_WIDTH - MARGIN, MARGIN + 56),
        color=(0, 0, 0),
        fill=(0.92, 0.92, 0.92),
        width=1.5,
    )
    page.insert_text((MARGIN + 16, MARGIN + 38), TITLE, fontname="hebo", fontsize=26)
    y = MARGIN + 110
    for line in LINES:
        page.insert_text((MARGIN, y), line, fontname="helv", fontsize=12.5)
        y += 20
    # Bold shapes a fax's 1-bit raster keeps: a quick visual check that a page came through.
    y += 30
    for i in range(6):
        x = MARGIN + i * 76
        page.draw_rect(pymupdf.Rect(x, y, x + 60, y + 60), color=(0, 0, 0), fill=(0, 0, 0))
        page.insert_text(
            (x + 22, y + 40), str(i + 1), fontname="hebo", fontsize=22, color=(1, 1, 1)
        )
    page.insert_text(
        (MARGIN, PAGE_HEIGHT - MARGIN),
        "faxgui sample document",
        fontname="helv",
        fontsize=9,
        color=(0.3, 0.3, 0.3),
    )
    doc.set_metadata(
        {
            "title": "faxgui sample fax",
            "author": "faxgui",
            "subject": "A one-page document to try sending a fax",
            "creator": "faxgui packaging/make_sample_pdf.py",
            "producer": "PyMuPDF",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    data: bytes = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return data


def main() -> int:
    OUTPUT.write_bytes(build())
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
