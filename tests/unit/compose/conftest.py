"""Shared pieces for the composer model tests: a number normaliser and real documents on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from faxgui.compose.phone import PhoneNormaliser
from faxgui.sandbox.numbers import TEST_NUMBER_PREFIX


def is_sandbox_number(digits: str) -> bool:
    """The hook the UI passes when it talks to the sandbox: its test numbers are fine."""
    return digits.startswith(TEST_NUMBER_PREFIX)


@pytest.fixture
def numbers() -> PhoneNormaliser:
    """Australian numbers, with the sandbox's test numbers accepted."""
    return PhoneNormaliser("AU", extra_valid=is_sandbox_number)


@pytest.fixture
def write_pdf(tmp_path: Path) -> Callable[..., Path]:
    """write_pdf(name="letter.pdf", pages=1): a real PDF with that many pages, on disk."""

    def write(name: str = "letter.pdf", pages: int = 1) -> Path:
        doc = pymupdf.open()
        for number in range(1, pages + 1):
            page = doc.new_page(width=612, height=792)
            page.insert_text((72, 100), f"Page {number}", fontsize=24)
        path = tmp_path / name
        path.write_bytes(bytes(doc.tobytes()))
        return path

    return write
