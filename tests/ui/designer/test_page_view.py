"""The page viewer as a receptionist uses it: open, zoom, move through pages, click on a page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QThreadPool
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from faxgui.api.enums import Resolution
from faxgui.imaging.page_images import PageSource
from faxgui.imaging.tiff import write_fax_tiff
from faxgui.ui.designer.page_view import PAGE_GAP_PT, PageItem, PageView
from faxgui.ui.designer.page_viewer import PageViewer

WritePdf = Callable[..., Path]


@pytest.fixture
def write_pdf(tmp_path: Path) -> WritePdf:
    """write_pdf(pages=3, name="letter.pdf", size=(612, 792), ink=False): a real PDF whose
    pages carry their number in large type (or are inked black all over)."""

    def write(
        pages: int = 3,
        name: str = "letter.pdf",
        size: tuple[float, float] = (612, 792),
        ink: bool = False,
    ) -> Path:
        doc = pymupdf.open()
        for number in range(1, pages + 1):
            page = doc.new_page(width=size[0], height=size[1])
            if ink:
                page.draw_rect(page.rect, color=None, fill=(0, 0, 0))
            page.insert_text((72, 120), f"Page {number}", fontsize=48)
        path = tmp_path / name
        path.write_bytes(bytes(doc.tobytes()))
        return path

    return write


@pytest.fixture
def viewer(qtbot: QtBot) -> PageViewer:
    shown = PageViewer()
    qtbot.addWidget(shown)
    shown.resize(900, 700)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def open_in(qtbot: QtBot, viewer: PageViewer, path: Path) -> PageView:
    """Open `path` in the viewer and wait until its first page is drawn."""
    with qtbot.waitSignal(viewer.document_shown, timeout=10_000):
        viewer.open_file(path)
    view = viewer.view
    qtbot.waitUntil(lambda: 0 in view.rendered_pages(), timeout=10_000)
    return view


def settle(qtbot: QtBot, view: PageView, page: int) -> None:
    """Wait until `page` is drawn at the zoom now shown."""
    item = view.page_item(page)
    assert isinstance(item, PageItem)

    def sharp() -> bool:
        wanted = view.zoom() * view.logicalDpiY() / 72 * view.devicePixelRatioF()
        return item.image is not None and abs(item.image_scale - wanted) < wanted * 0.01

    qtbot.waitUntil(sharp, timeout=10_000)


def on_screen(view: PageView, page: int) -> QRectF:
    """Where page `page` is in the view's viewport, in pixels."""
    item = view.page_item(page)
    return view.mapFromScene(item.mapToScene(item.boundingRect())).boundingRect().toRectF()


def ink_ratio(image: QImage, rect: QRectF) -> float:
    """The share of pixels in `rect` of `image` that are dark."""
    dark = total = 0
    for y in range(int(rect.top()), int(rect.bottom()), 3):
        for x in range(int(rect.left()), int(rect.right()), 3):
            total += 1
            if image.pixelColor(x, y).lightness() < 100:
                dark += 1
    return dark / max(1, total)


def test_a_document_opens_on_page_one_drawn_with_its_pages_listed(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf(pages=5))

    assert viewer.message() == ""
    assert view.page_count() == 5
    assert view.current_page() == 0
    assert viewer.findChild(QSpinBox).value() == 1
    assert viewer.thumbnails.model().rowCount() == 5
    # "Page 1" in 48-point type near the top left of the first page is on screen.
    shot = view.viewport().grab().toImage()
    page = on_screen(view, 0)
    scale = page.width() / 612
    heading = QRectF(
        page.left() + 72 * scale, page.top() + 80 * scale, 150 * scale, 45 * scale
    ).intersected(QRectF(shot.rect()))
    assert ink_ratio(shot, heading) > 0.05
    blank = QRectF(page.left() + 72 * scale, page.top() + 400 * scale, 150 * scale, 45 * scale)
    assert ink_ratio(shot, blank.intersected(QRectF(shot.rect()))) == 0


def test_ctrl_plus_and_minus_step_the_zoom_and_the_page_is_drawn_sharp_again(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf())
    view.set_zoom(1.0)
    view.setFocus()

    with qtbot.waitSignal(view.zoom_changed) as zoomed:
        qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert zoomed.args == [pytest.approx(1.1)]
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(0.9)
    assert viewer.findChild(QLabel, "zoom").text() == "90%"

    settle(qtbot, view, 0)
    image = view.page_item(0).image
    assert image is not None
    # Drawn for the zoom shown: one image pixel per screen pixel.
    assert image.width() == pytest.approx(on_screen(view, 0).width(), abs=2)


def wheel(view: PageView, steps: int, modifiers: Qt.KeyboardModifier) -> None:
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_ctrl_wheel_zooms_and_a_plain_wheel_scrolls(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf())
    view.set_zoom(1.0)
    bar = view.verticalScrollBar()
    bar.setValue(200)

    wheel(view, 2, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.15**2)
    wheel(view, -1, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.15)

    zoom = view.zoom()
    before = bar.value()
    wheel(view, -1, Qt.KeyboardModifier.NoModifier)
    assert bar.value() > before
    assert view.zoom() == zoom


def test_fit_width_and_fit_page_follow_the_window_size(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf())
    gap = PAGE_GAP_PT

    viewer.fit_width_action.trigger()
    page = on_screen(view, 0)
    scale = page.width() / 612
    assert page.width() + 2 * gap * scale == pytest.approx(view.viewport().width(), abs=2)
    # Centred: as much grey on the left as on the right.
    assert page.left() == pytest.approx(view.viewport().width() - page.right(), abs=2)

    viewer.resize(700, 700)
    qtbot.waitUntil(lambda: abs(on_screen(view, 0).width() - page.width()) > 50)
    page = on_screen(view, 0)
    scale = page.width() / 612
    assert page.width() + 2 * gap * scale == pytest.approx(view.viewport().width(), abs=2)

    viewer.fit_page_action.trigger()
    page = on_screen(view, 0)
    assert page.top() >= 0
    assert page.bottom() <= view.viewport().height()
    scale = page.height() / 792
    assert page.height() + 2 * gap * scale == pytest.approx(view.viewport().height(), abs=2)


def test_page_keys_the_page_box_and_the_buttons_move_through_the_document(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf(pages=6))
    view.setFocus()

    with qtbot.waitSignal(view.current_page_changed) as changed:
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert changed.args == [1]
    # The page asked for starts at the top of the view.
    assert on_screen(view, 1).top() == pytest.approx(PAGE_GAP_PT * view.transform().m11(), abs=2)
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.current_page() == 5
    assert viewer.findChild(QSpinBox).value() == 6
    assert not viewer.next_action.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert view.current_page() == 4
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.current_page() == 0
    assert not viewer.previous_action.isEnabled()

    box = viewer.findChild(QSpinBox)
    box.selectAll()
    qtbot.keyClicks(box, "4")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert view.current_page() == 3
    assert 3 in view._visible_pages()

    viewer.next_action.trigger()
    assert view.current_page() == 4
    # Scrolling by hand makes the page mostly in sight the current one.
    view.verticalScrollBar().setValue(
        view.verticalScrollBar().value() - int(on_screen(view, 4).height())
    )
    assert view.current_page() == 3
    assert box.value() == 4


def test_clicking_a_thumbnail_goes_to_that_page_and_the_current_page_is_highlighted(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf(pages=8))
    strip = viewer.thumbnails
    model = strip.thumbnail_model()
    qtbot.waitUntil(lambda: model.has_image(0) and model.has_image(2), timeout=10_000)

    with qtbot.waitSignal(view.current_page_changed):
        qtbot.mouseClick(
            strip.viewport(),
            Qt.MouseButton.LeftButton,
            pos=strip.visualRect(model.index(2)).center(),
        )
    assert view.current_page() == 2
    assert on_screen(view, 2).top() < view.viewport().height() / 2

    view.go_to_page(6)
    assert strip.currentIndex().row() == 6
    assert strip.viewport().rect().intersects(strip.visualRect(model.index(6)))


def test_thumbnails_are_drawn_only_where_the_strip_is_looked_at(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    open_in(qtbot, viewer, write_pdf(pages=60))
    strip = viewer.thumbnails
    model = strip.thumbnail_model()
    qtbot.waitUntil(lambda: model.has_image(0) and model.has_image(3), timeout=10_000)
    qtbot.wait(300)

    drawn = [row for row in range(60) if model.has_image(row)]
    assert len(drawn) < 12
    strip.scrollToBottom()
    qtbot.waitUntil(lambda: model.has_image(59), timeout=10_000)


def test_a_click_on_a_page_gives_the_page_and_the_point_in_page_points(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf(pages=3))
    view.set_zoom(1.25)
    view.go_to_page(1)
    item = view.page_item(1)
    pixel = view.mapFromScene(item.mapToScene(QPointF(100, 200)))

    with qtbot.waitSignal(view.page_clicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel)

    page, point = clicked.args
    assert page == 1
    one_pixel = 1 / view.transform().m11()
    assert point.x() == pytest.approx(100, abs=one_pixel)
    assert point.y() == pytest.approx(200, abs=one_pixel)


def test_a_click_on_something_placed_on_the_page_is_not_a_click_on_the_page(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf(pages=2))
    stamp = QGraphicsRectItem(QRectF(0, 0, 120, 40), view.page_item(0))
    stamp.setPos(200, 300)
    inside = view.mapFromScene(stamp.mapToScene(QPointF(60, 20)))
    outside = view.mapFromScene(view.page_item(0).mapToScene(QPointF(60, 20)))

    with qtbot.assertNotEmitted(view.page_clicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=inside)
    # And a click on the grey between pages is no click on a page either.
    gap = view.mapFromScene(QPointF(0, view.page_item(1).scenePos().y() - PAGE_GAP_PT / 2))
    with qtbot.assertNotEmitted(view.page_clicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=gap)
    with qtbot.waitSignal(view.page_clicked):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=outside)
    # The stamp moves and zooms with the page: it is placed in page points.
    view.set_zoom(2.0)
    assert stamp.mapToScene(QPointF(0, 0)) == view.page_item(0).mapToScene(QPointF(200, 300))


def test_a_normal_resolution_fax_shows_as_tall_as_it_prints(
    qtbot: QtBot, viewer: PageViewer, tmp_path: Path
):
    # 1728 x 1078 lines at 204 x 98 dpi: a Letter page, though its raster is wider than tall.
    page = Image.new("1", (1728, 1078), "white")
    ImageDraw.Draw(page).rectangle((100, 529, 1628, 549), fill=0)
    path = tmp_path / "fax.tif"
    path.write_bytes(write_fax_tiff([page, page], Resolution.NORMAL))

    view = open_in(qtbot, viewer, path)
    viewer.fit_page_action.trigger()
    settle(qtbot, view, 0)

    shown = on_screen(view, 0)
    assert shown.height() / shown.width() == pytest.approx(792 / 609.88, abs=0.01)
    image = view.page_item(0).image
    assert image is not None
    assert image.height() / image.width() == pytest.approx(792 / 609.88, abs=0.01)
    # The bar drawn across the middle of the fax is across the middle of the page shown.
    shot = view.viewport().grab().toImage()
    middle = QRectF(shown.left() + 20, shown.center().y() - 3, shown.width() - 40, 6)
    assert ink_ratio(shot, middle) > 0.5
    top_half = QRectF(shown.left() + 20, shown.top() + 20, shown.width() - 40, 100)
    assert ink_ratio(shot, top_half) == 0


def test_an_unreadable_file_says_what_is_wrong_in_place_of_the_pages(
    qtbot: QtBot, viewer: PageViewer, tmp_path: Path
):
    path = tmp_path / "referral.pdf"
    path.write_bytes(b"%PDF-1.4 this is the start of a file that was never finished")

    with qtbot.waitSignal(viewer.document_failed, timeout=10_000) as failed:
        viewer.open_file(path)

    assert "referral.pdf" in failed.args[0]
    assert "damaged" in failed.args[0]
    assert viewer.message() == failed.args[0]
    assert not viewer.view.isVisible()
    assert not viewer.fit_width_action.isEnabled()


def test_a_file_of_an_unknown_kind_says_what_can_be_shown(
    qtbot: QtBot, viewer: PageViewer, tmp_path: Path
):
    path = tmp_path / "minutes.pages"
    path.write_bytes(b"not a document type the service takes")

    with qtbot.waitSignal(viewer.document_failed, timeout=10_000) as failed:
        viewer.open_file(path)
    assert "PDF, TIFF" in failed.args[0]


def test_paging_through_a_long_document_keeps_the_cache_within_its_limit(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = open_in(qtbot, viewer, write_pdf(pages=30))
    viewer.fit_page_action.trigger()
    settle(qtbot, view, 0)
    one_page = view.cached_bytes() // max(1, len(view.rendered_pages()))
    view.cache_limit = 4 * one_page
    view.setFocus()

    for page in range(1, 30):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
        settle(qtbot, view, page)
        visible = sum(
            view.page_item(p).image.sizeInBytes()
            for p in view._visible_pages()
            if view.page_item(p).image is not None
        )
        assert view.cached_bytes() <= view.cache_limit + visible

    assert 0 not in view.rendered_pages()
    assert len(view.rendered_pages()) <= 6
    # Going back draws the first page again.
    qtbot.keyClick(view, Qt.Key.Key_Home)
    settle(qtbot, view, 0)


def test_a_drawing_for_a_document_no_longer_shown_is_dropped(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = viewer.view
    white = PageSource(write_pdf(pages=3, name="white.pdf"))
    black = PageSource(write_pdf(pages=3, name="black.pdf", ink=True))

    viewer.set_document(white)
    viewer.set_document(black)  # while the white page is being drawn
    settle(qtbot, view, 0)
    qtbot.wait(200)

    image = view.page_item(0).image
    assert image is not None
    assert ink_ratio(image, QRectF(image.rect())) > 0.9


def test_a_drawing_for_a_zoom_no_longer_shown_is_dropped(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    view = viewer.view
    viewer.set_document(PageSource(write_pdf(pages=2)))
    view.set_zoom(0.5)  # while page 1 is being drawn at "fit width"
    settle(qtbot, view, 0)
    image = view.page_item(0).image
    assert image is not None
    assert image.width() == pytest.approx(612 * 0.5 * view.logicalDpiY() / 72, abs=2)


def test_closing_the_viewer_while_pages_are_drawn_leaves_no_work_behind(
    qtbot: QtBot, write_pdf: WritePdf
):
    viewer = PageViewer()
    viewer.resize(900, 700)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.set_document(PageSource(write_pdf(pages=40)))
    assert viewer.view.rendered_pages() == []  # drawing has started, not finished

    viewer.close()
    viewer.deleteLater()
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    qtbot.wait(100)  # the finished render's answer reaches the GUI thread: it must be dropped


def test_emptying_the_viewer_says_there_is_nothing_to_show(
    qtbot: QtBot, viewer: PageViewer, write_pdf: WritePdf
):
    open_in(qtbot, viewer, write_pdf(pages=2))

    viewer.set_document(None)

    assert viewer.message() == "No document to show."
    assert viewer.view.page_count() == 0
    assert viewer.thumbnails.model().rowCount() == 0
