"""Fixtures for the composer tests: a shown composer page, and real documents and CSV files."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from faxgui.compose.draft import DraftDocument
from faxgui.compose.phone import PhoneNormaliser
from faxgui.sandbox.numbers import TEST_NUMBER_PREFIX
from faxgui.ui.composer import ComposerPage


def is_sandbox_number(digits: str) -> bool:
    return digits.startswith(TEST_NUMBER_PREFIX)


@pytest.fixture
def numbers() -> PhoneNormaliser:
    """Australian numbers, with the sandbox's test numbers accepted (as on the sandbox)."""
    return PhoneNormaliser("AU", extra_valid=is_sandbox_number)


@pytest.fixture
def page(qtbot: QtBot, numbers: PhoneNormaliser) -> ComposerPage:
    """A composer page on a new draft, shown and ready for keyboard input."""
    composer = ComposerPage(numbers)
    qtbot.addWidget(composer)
    composer.resize(1280, 800)
    composer.show()
    qtbot.waitExposed(composer)
    composer.activateWindow()
    return composer


@pytest.fixture
def write_pdf(tmp_path: Path) -> Callable[..., Path]:
    """write_pdf(name="letter.pdf", pages=1): a real PDF on disk."""

    def write(name: str = "letter.pdf", pages: int = 1) -> Path:
        doc = pymupdf.open()
        for number in range(1, pages + 1):
            page = doc.new_page(width=612, height=792)
            page.insert_text((72, 100), f"Page {number}", fontsize=24)
        path = tmp_path / name
        path.write_bytes(bytes(doc.tobytes()))
        return path

    return write


@pytest.fixture
def write_docx(tmp_path: Path) -> Callable[..., Path]:
    """write_docx(name="letter.docx", pages=1): a Word document whose metadata says its pages."""

    def write(name: str = "letter.docx", pages: int = 1) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr(
                "word/document.xml", "<w:document><w:body>Dear <mf:name/></w:body></w:document>"
            )
            archive.writestr("docProps/app.xml", f"<Properties><Pages>{pages}</Pages></Properties>")
        return path

    return write


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, str], Path]:
    """write_csv(name, text): a CSV file with that text (UTF-8)."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


DropFiles = Callable[[QWidget, list[Path]], bool]
ChooseFiles = Callable[[QFileDialog | None, list[Path]], None]
WaitForPages = Callable[[list[DraftDocument]], None]


@pytest.fixture
def drop_files() -> DropFiles:
    """drop_files(target, paths): drag files onto a widget and drop them, as a file manager
    does; returns whether the drop was taken."""

    def drop(target: QWidget, paths: list[Path]) -> bool:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        centre = target.rect().center()
        enter = QDragEnterEvent(
            QPointF(centre),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(target, enter)
        if not enter.isAccepted():
            return False
        event = QDropEvent(
            QPointF(QPoint(centre)),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(target, event)
        return event.isAccepted()

    return drop


@pytest.fixture
def choose_files(qtbot: QtBot) -> ChooseFiles:
    """choose_files(dialog, paths): pick files in faxgui's file dialog (Qt's own, offscreen)
    and press its OK button."""

    def choose(dialog: QFileDialog | None, paths: list[Path]) -> None:
        assert dialog is not None, "no file dialog opened"
        qtbot.waitUntil(dialog.isVisible)
        dialog.setDirectory(str(paths[0].parent))
        if len(paths) == 1:
            dialog.selectFile(paths[0].name)
        else:
            dialog.selectFile(" ".join(f'"{p.name}"' for p in paths))
        window = dialog.parentWidget().window()
        dialog.accept()
        # A window manager gives the focus back to the window that opened the dialog.
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    return choose


@pytest.fixture
def wait_for_pages(qtbot: QtBot) -> WaitForPages:
    """wait_for_pages(documents): until the worker has read every document's file."""

    def wait(documents: list[DraftDocument]) -> None:
        qtbot.waitUntil(
            lambda: all(d.page_count is not None or d.content_problem for d in documents),
            timeout=10_000,
        )

    return wait
