"""The designer shows the fax beside the original, or the two in tabs when asked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from faxgui.compose.draft import DraftDocument
from faxgui.ui.designer.designer_window import DesignerWindow

from .test_stamp_designer import open_designer, write_pdf


def _left_edge(window: DesignerWindow, widget: object) -> int:
    return widget.mapTo(window, QPoint(0, 0)).x()  # type: ignore[attr-defined]


def test_the_fax_is_shown_beside_the_original_without_thumbnails(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_designer(qtbot, DraftDocument(path=write_pdf(tmp_path / "a.pdf", pages=3)))
    assert window.viewer is not None
    assert window.side_by_side
    assert window.viewer.isVisible()
    assert window.preview_pane.isVisible()
    # Original on the left, the fax on its right, both with a readable width.
    assert _left_edge(window, window.viewer) < _left_edge(window, window.preview_pane)
    assert window.preview_pane.width() > 300
    assert window.viewer.width() > 300
    # One thumbnail strip per viewer would leave the pages too narrow to read.
    assert not window.viewer.thumbnails.isVisible()


def test_unticking_puts_original_and_fax_in_two_tabs_with_thumbnails(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = open_designer(qtbot, DraftDocument(path=write_pdf(tmp_path / "a.pdf", pages=3)))
    assert window.viewer is not None
    window.side_by_side_box.click()
    assert not window.side_by_side
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Pages and stamps",
        "As the fax will print",
    ]
    assert window.tabs.currentWidget() is window.viewer
    assert not window.preview_pane.isVisible()
    qtbot.waitUntil(window.viewer.thumbnails.isVisible)
    # And back: the preview pane is beside the pages again, the tabs are empty.
    window.side_by_side_box.click()
    assert window.side_by_side
    assert window.tabs.count() == 0
    assert window.preview_pane.isVisible()
