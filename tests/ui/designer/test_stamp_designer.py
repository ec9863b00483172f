"""The stamp designer driven as a receptionist would: place, drag, type, nudge, resize, delete.

Every test opens a real PDF in the real designer window and works with the
mouse and keyboard on the page view's viewport; what it checks is what the
fax service will be sent (the document's StampMergeData, in fax pixels) and
what the window shows (the stamp on every page, the numbers in the list).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from faxgui.api.enums import Resolution
from faxgui.api.models import ImageStampMergeData, TextStampMergeData
from faxgui.compose.draft import DraftDocument
from faxgui.compose.stamp_edit import StampImage
from faxgui.imaging.stamp_geometry import page_point_to_fax
from faxgui.ui.designer.designer_window import DesignerWindow
from faxgui.ui.designer.page_view import PageView
from faxgui.ui.designer.stamp_items import PendingImage, PendingText
from faxgui.ui.designer.stamp_list import COL_SIZE, COL_X, COL_Y

LETTER = (612.0, 792.0)


def write_pdf(path: Path, pages: int = 2, size: tuple[float, float] = LETTER) -> Path:
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=size[0], height=size[1])
        page.insert_text((72, 100), f"Page {number}", fontsize=24)
    path.write_bytes(bytes(doc.tobytes()))
    return path


def png_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "black").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def document(tmp_path: Path) -> DraftDocument:
    return DraftDocument(path=write_pdf(tmp_path / "invoice.pdf"))


def open_designer(
    qtbot: QtBot, document: DraftDocument, resolution: Resolution = Resolution.NORMAL
) -> DesignerWindow:
    window = DesignerWindow(document, resolution)
    qtbot.addWidget(window)
    assert window.viewer is not None
    with qtbot.waitSignal(window.viewer.document_shown, timeout=10_000):
        window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.viewer.view.set_zoom(1.0)
    return window


def view_of(window: DesignerWindow) -> PageView:
    assert window.viewer is not None
    return window.viewer.view


def on_screen(view: PageView, page: int, x_pt: float, y_pt: float) -> QPoint:
    """The viewport pixel showing point (x_pt, y_pt) of `page`, scrolled into sight."""
    scene = view.page_item(page).mapToScene(QPointF(x_pt, y_pt))
    view.centerOn(scene)
    return view.mapFromScene(scene)


def page_point(view: PageView, page: int, pixel: QPoint) -> QPointF:
    """The page point a viewport pixel shows: where a click there lands."""
    return view.page_item(page).mapFromScene(view.mapToScene(pixel))


def fax_at(view: PageView, page: int, pixel: QPoint, resolution: Resolution) -> tuple[int, int]:
    point = page_point(view, page, pixel)
    return page_point_to_fax(point.x(), point.y(), LETTER[0], resolution)


def move_mouse(
    view: PageView, pixel: QPoint, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """Move the mouse over the viewport with the left button held (and these keys down)."""
    viewport = view.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pixel),
        QPointF(viewport.mapToGlobal(pixel)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        modifiers,
    )
    QApplication.sendEvent(viewport, event)


def drag(view: PageView, start: QPoint, end: QPoint, steps: int = 4) -> None:
    """Press the left button at `start`, move to `end` in steps, and let go there."""
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, steps + 1):
        move_mouse(view, start + (end - start) * step / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def cell(window: DesignerWindow, row: int, column: int) -> str:
    assert window.stamp_panel is not None
    model = window.stamp_panel.model
    return str(model.data(model.index(row, column)))


def test_a_text_stamp_is_typed_then_placed_where_the_page_is_clicked(
    qtbot: QtBot, document: DraftDocument
) -> None:
    window = open_designer(qtbot, document)
    panel, view = window.stamp_panel, view_of(window)
    assert panel is not None

    qtbot.mouseClick(panel.add_text_button, Qt.MouseButton.LeftButton)
    dialog = panel.text_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.place_button.isEnabled()
    qtbot.keyClicks(dialog.text_edit, "RECEIVED")
    dialog.font_combo.setCurrentText("Helvetica-Bold")
    dialog.size_spin.setValue(14)
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    assert panel.placing_row.isVisible()
    assert document.stamps == []

    spot = on_screen(view, 0, 400.0, 300.0)
    with qtbot.waitSignal(window.edited):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)

    x, y = fax_at(view, 0, spot, Resolution.NORMAL)
    assert document.stamps == [TextStampMergeData(x, y, "RECEIVED", "Helvetica-Bold", Decimal(14))]
    # 400 pt across a 612-pt page is pixel 1129; 300 pt down is line 408 at 98 lpi.
    assert abs(x - 1129) <= 2
    assert abs(y - 408) <= 2
    assert not panel.placing_row.isVisible()
    assert (cell(window, 0, COL_X), cell(window, 0, COL_Y)) == (str(x), str(y))
    # Shown on both pages, at the same place on each.
    items = window.layer.items_of(0) if window.layer else []
    assert [item.parentItem() for item in items] == [view.page_item(0), view.page_item(1)]
    assert items[0].pos() == items[1].pos()


def test_an_image_stamp_keeps_its_shape_and_goes_where_clicked(
    qtbot: QtBot, document: DraftDocument, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes(200, 100))
    window = open_designer(qtbot, document)
    panel, view = window.stamp_panel, view_of(window)
    assert panel is not None
    assert window.layer is not None

    with qtbot.waitSignal(window.layer.placing_changed):
        panel.add_image_file(logo)
    spot = on_screen(view, 1, 100.0, 500.0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)

    (stamp,) = document.stamps
    assert isinstance(stamp, ImageStampMergeData)
    assert (stamp.x, stamp.y) == fax_at(view, 1, spot, Resolution.NORMAL)
    assert (stamp.file_name, stamp.file_data) == ("logo.png", logo.read_bytes())
    # 200 pixels across; 2:1 on paper is 200 px by about 48 lines at 98 lpi on Letter.
    assert stamp.width == 200
    assert stamp.height == pytest.approx(200 / 2 * 98 / (1728 / 8.5), abs=1)
    assert cell(window, 0, COL_SIZE) == f"200 × {stamp.height}"  # noqa: RUF001


def test_a_file_that_is_no_image_is_explained(
    qtbot: QtBot, document: DraftDocument, tmp_path: Path
) -> None:
    fake = tmp_path / "scan.png"
    fake.write_bytes(b"this is not a picture")
    window = open_designer(qtbot, document)
    panel = window.stamp_panel
    assert panel is not None

    with qtbot.waitSignal(panel.message) as said:
        panel.add_image_file(fake)

    assert "scan.png is not an image faxgui can read" in said.args[0]
    assert panel.problem_label.isVisible()
    assert window.layer is not None
    assert not window.layer.placing
    assert document.stamps == []


def test_escape_cancels_placing(qtbot: QtBot, document: DraftDocument) -> None:
    window = open_designer(qtbot, document)
    layer, view = window.layer, view_of(window)
    assert layer is not None
    layer.start_placing(PendingText("PAID", "Courier", Decimal(12)))

    qtbot.keyClick(view, Qt.Key.Key_Escape)

    assert not layer.placing
    assert window.isVisible()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=on_screen(view, 0, 300, 300))
    assert document.stamps == []


def test_dragging_a_stamp_moves_it_on_every_page(qtbot: QtBot, document: DraftDocument) -> None:
    document.stamps.append(TextStampMergeData(300, 200, "COPY", "Times-Roman", Decimal(24)))
    window = open_designer(qtbot, document)
    view, layer = view_of(window), window.layer
    assert layer is not None
    frame = layer.frame(0)
    x_pt, y_pt = frame.to_page(300, 200)
    # Grab the stamp a little inside its first letter, and drag it 150 by 90 screen pixels.
    start = on_screen(view, 0, x_pt + 6, y_pt + 6)
    end = start + QPoint(150, 90)

    drag(view, start, end)

    moved = page_point(view, 0, end) - page_point(view, 0, start)
    expected = frame.from_page(x_pt + moved.x(), y_pt + moved.y())
    (stamp,) = document.stamps
    assert abs(stamp.x - expected[0]) <= 1
    assert abs(stamp.y - expected[1]) <= 1
    assert stamp.x > 300 + 300  # 150 screen pixels at 100% is well over 300 fax pixels
    first, second = layer.items_of(0)
    assert first.pos() == second.pos() == QPointF(*frame.to_page(stamp.x, stamp.y))
    assert layer.selected() == 0
    assert cell(window, 0, COL_X) == str(stamp.x)


def test_a_stamp_cannot_be_dragged_off_the_page(qtbot: QtBot, document: DraftDocument) -> None:
    image = StampImage("sig.png", png_bytes(40, 20), 40, 20)
    document.stamps.append(ImageStampMergeData(1500, 900, image.file_name, image.data, 200, 100))
    window = open_designer(qtbot, document)
    view = view_of(window)
    assert window.layer is not None
    x_pt, y_pt = window.layer.frame(0).to_page(1600, 950)
    start = on_screen(view, 0, x_pt, y_pt)

    drag(view, start, start + QPoint(600, 600), steps=6)

    (stamp,) = document.stamps
    # The page is 1728 by 1078 at normal: the image's far corner stops at the edge.
    assert (stamp.x, stamp.y) == (1728 - 200, 1078 - 100)


def test_typed_numbers_move_the_stamp_on_the_page(qtbot: QtBot, document: DraftDocument) -> None:
    document.stamps.append(TextStampMergeData(10, 10, "PAID", None, Decimal(12)))
    window = open_designer(qtbot, document)
    panel, layer = window.stamp_panel, window.layer
    assert panel is not None
    assert layer is not None
    panel.table.selectRow(0)
    assert panel.editor_box.isVisible()

    panel.x_spin.selectAll()
    qtbot.keyClicks(panel.x_spin, "1287")
    qtbot.keyClick(panel.x_spin, Qt.Key.Key_Return)
    panel.y_spin.selectAll()
    qtbot.keyClicks(panel.y_spin, "421")
    with qtbot.waitSignal(window.edited):
        qtbot.keyClick(panel.y_spin, Qt.Key.Key_Return)

    (stamp,) = document.stamps
    assert (stamp.x, stamp.y) == (1287, 421)
    for page, item in enumerate(layer.items_of(0)):
        assert item.pos() == QPointF(*layer.frame(page).to_page(1287, 421))
    assert (cell(window, 0, COL_X), cell(window, 0, COL_Y)) == ("1287", "421")


def test_text_font_and_size_are_edited_in_the_panel(qtbot: QtBot, document: DraftDocument) -> None:
    document.stamps.append(TextStampMergeData(100, 100, "PAID", "Times-Roman", Decimal(12)))
    window = open_designer(qtbot, document)
    panel = window.stamp_panel
    assert panel is not None
    panel.table.selectRow(0)

    panel.text_edit.selectAll()
    qtbot.keyClicks(panel.text_edit, "PAID IN FULL")
    panel.font_combo.setCurrentText("Courier-Bold")
    panel.font_combo.activated.emit(panel.font_combo.currentIndex())
    panel.size_spin.setValue(18)
    panel.text_edit.selectAll()
    qtbot.keyClick(panel.text_edit, Qt.Key.Key_Backspace)

    assert document.stamps == [
        TextStampMergeData(100, 100, "PAID IN FULL", "Courier-Bold", Decimal(18))
    ]
    # Blank text is not taken: it says what to do instead.
    assert "Type the text to stamp" in panel.problem_label.text()


def test_arrow_keys_nudge_one_pixel_and_shift_ten(qtbot: QtBot, document: DraftDocument) -> None:
    document.stamps.append(TextStampMergeData(500, 500, "A", None, Decimal(12)))
    window = open_designer(qtbot, document)
    view, layer = view_of(window), window.layer
    assert layer is not None
    x_pt, y_pt = layer.frame(0).to_page(500, 500)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=on_screen(view, 0, x_pt + 3, y_pt + 3)
    )
    assert layer.selected() == 0

    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)

    (stamp,) = document.stamps
    assert (stamp.x, stamp.y) == (500 + 2 - 10, 500 - 1 + 10)
    assert cell(window, 0, COL_Y) == "509"


def test_a_corner_handle_resizes_an_image(qtbot: QtBot, document: DraftDocument) -> None:
    image = StampImage("sig.png", png_bytes(40, 20), 40, 20)
    document.stamps.append(ImageStampMergeData(400, 300, image.file_name, image.data, 200, 50))
    window = open_designer(qtbot, document)
    view, layer = view_of(window), window.layer
    assert layer is not None
    frame = layer.frame(0)
    layer.select(0)
    start = on_screen(view, 0, *frame.to_page(600, 350))
    viewport = view.viewport()
    none = Qt.KeyboardModifier.NoModifier

    # Pulled out at the bottom-right handle: the image grows and keeps its 4:1 shape.
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, none, start)
    move_mouse(view, start + QPoint(100, 10), none)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, none, start + QPoint(100, 10))
    (stamp,) = document.stamps
    assert isinstance(stamp, ImageStampMergeData)
    assert (stamp.x, stamp.y) == (400, 300)
    target = page_point(view, 0, start + QPoint(100, 10))
    assert abs(stamp.width - (frame.from_page(target.x(), 0)[0] - 400)) <= 1  # type: ignore[operator]
    assert stamp.width / stamp.height == pytest.approx(4, rel=0.03)  # type: ignore[operator]

    # With Shift the corner follows the mouse exactly: any shape.
    corner = on_screen(view, 0, *frame.to_page(400 + stamp.width, 300 + stamp.height))  # type: ignore[operator]
    end = corner + QPoint(-60, 70)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, none, corner)
    move_mouse(view, end, Qt.KeyboardModifier.ShiftModifier)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, none, end)
    reached = page_point(view, 0, end)
    x_end, y_end = frame.from_page(reached.x(), reached.y())
    assert (stamp.x, stamp.y) == (400, 300)
    assert abs(stamp.width - (x_end - 400)) <= 1  # type: ignore[operator]
    assert abs(stamp.height - (y_end - 300)) <= 1  # type: ignore[operator]
    assert cell(window, 0, COL_SIZE) == f"{stamp.width} × {stamp.height}"  # noqa: RUF001


def test_delete_key_and_button_delete_the_selected_stamp(
    qtbot: QtBot, document: DraftDocument
) -> None:
    document.stamps.extend(
        [
            TextStampMergeData(100, 100, "ONE", None, Decimal(12)),
            TextStampMergeData(100, 300, "TWO", None, Decimal(12)),
            TextStampMergeData(100, 500, "THREE", None, Decimal(12)),
        ]
    )
    window = open_designer(qtbot, document)
    view, layer, panel = view_of(window), window.layer, window.stamp_panel
    assert layer is not None
    assert panel is not None
    x_pt, y_pt = layer.frame(0).to_page(100, 300)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=on_screen(view, 0, x_pt + 4, y_pt + 4)
    )

    with qtbot.waitSignal(window.edited):
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert [s.text for s in document.stamps] == ["ONE", "THREE"]  # type: ignore[union-attr]
    # The next one down is selected, in the list too.
    assert layer.selected() == 1
    assert panel.table.currentIndex().row() == 1

    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [s.text for s in document.stamps] == ["ONE"]  # type: ignore[union-attr]
    assert len(view.page_item(0).childItems()) == 1

    panel.table.selectRow(0)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert document.stamps == []
    assert panel.empty_note.isVisible()
    assert not panel.delete_button.isEnabled()


def test_the_numbers_can_be_read_for_fine_resolution(qtbot: QtBot, document: DraftDocument) -> None:
    image = StampImage("sig.png", png_bytes(40, 20), 40, 20)
    document.stamps.append(ImageStampMergeData(283, 120, image.file_name, image.data, 120, 130))
    window = open_designer(qtbot, document, Resolution.NORMAL)
    panel = window.stamp_panel
    assert panel is not None
    assert "sent at normal resolution: these are the numbers sent" in panel.resolution_note.text()

    panel.resolution_combo.setCurrentIndex(1)
    panel.resolution_combo.activated.emit(1)

    assert (cell(window, 0, COL_X), cell(window, 0, COL_Y)) == ("283", "240")
    assert cell(window, 0, COL_SIZE) == "120 × 260"  # noqa: RUF001
    # Typed for fine, kept for normal (what is sent), at the same place on paper.
    panel.table.selectRow(0)
    panel.y_spin.setValue(400)
    assert (document.stamps[0].x, document.stamps[0].y) == (283, 200)
    assert "numbers sent differ" in panel.resolution_note.text()


def test_nothing_changes_while_the_fax_is_being_sent(qtbot: QtBot, document: DraftDocument) -> None:
    document.stamps.append(TextStampMergeData(500, 500, "A", None, Decimal(12)))
    window = open_designer(qtbot, document)
    view, layer, panel = view_of(window), window.layer, window.stamp_panel
    assert layer is not None
    assert panel is not None

    window.set_read_only(True)
    x_pt, y_pt = layer.frame(0).to_page(500, 500)
    start = on_screen(view, 0, x_pt + 3, y_pt + 3)
    drag(view, start, start + QPoint(80, 80))
    layer.select(0)
    qtbot.keyClick(view, Qt.Key.Key_Delete)

    assert (document.stamps[0].x, document.stamps[0].y) == (500, 500)
    assert window.read_only_label.isVisible()
    assert not panel.add_text_button.isEnabled()
    assert not panel.editor_box.isEnabled()


def test_a_word_document_gets_its_merge_fields_instead(qtbot: QtBot, tmp_path: Path) -> None:
    letter = tmp_path / "letter.docx"
    letter.write_bytes(b"PK")
    document = DraftDocument(path=letter)
    window = DesignerWindow(document, Resolution.NORMAL)
    qtbot.addWidget(window)
    window.show()
    editor = window.merge_editor
    assert editor is not None
    assert window.viewer is None

    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.table.focusWidget() or editor.table, "name")
    qtbot.keyClick(editor.table.focusWidget() or editor.table, Qt.Key.Key_Tab)
    with qtbot.waitSignal(window.edited):
        qtbot.keyClicks(editor.table.focusWidget() or editor.table, "Dr Smith")
        qtbot.keyClick(editor.table.focusWidget() or editor.table, Qt.Key.Key_Return)

    assert [(m.key, m.value) for m in document.doc_merge_data] == [("name", "Dr Smith")]
    texts = " ".join(label.text() for label in window.findChildren(type(window.read_only_label)))
    assert "Stamps apply to PDF and TIFF pages" in texts


def test_stamps_placed_in_code_paths_share_the_editor(
    qtbot: QtBot, document: DraftDocument
) -> None:
    """Placing through the layer (as the panel does) keeps the page's edges too."""
    window = open_designer(qtbot, document)
    layer = window.layer
    assert layer is not None
    image = StampImage("wide.png", png_bytes(40, 20), 40, 20)

    index = layer.place(PendingImage(image, 500, 100), 0, QPointF(600.0, 780.0))

    stamp = document.stamps[index]
    assert (stamp.x, stamp.y) == (1728 - 500, 1078 - 100)
