"""A document's pages in one continuous scroll, drawn on workers as they come into sight.

`PageView` lays every page out at once as a white sheet of the right size, so a
200-page document opens instantly, then asks a worker for the pages in sight
(and the next one or two) at the zoom shown. Drawn pages are kept in a cache
bounded by bytes; the pages furthest from sight are let go first. After a zoom
the sheets are stretched at once and drawn sharp again once the zoom settles.

The scene is measured in PDF points: each page is a `page_item(i)` whose own
coordinates run from (0, 0) at its top left to its width and height in points,
so a stamp placed as a child of a page item zooms and scrolls with the page.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from faxgui.imaging.page_images import PageImage, PageSource, RenderCancelledError
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
ZOOM_STEPS = (0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
"""The zoom factors Zoom in and Zoom out step through (1.0 = the page at its printed size)."""

PAGE_GAP_PT = 12.0
"""Grey space between two pages and around them, in points."""

DEFAULT_CACHE_BYTES = 96 * 1024 * 1024
"""Memory the drawn pages of one view may take, beyond the pages in sight."""

SETTLE_MS = 120
"""A zoom is drawn sharp when it has not changed for this long (a wheel spin is one zoom)."""

PAGES_AHEAD = 2
"""Pages below the last one in sight drawn in advance, so scrolling down finds them ready."""

BACKGROUND = QColor(0x8A, 0x8D, 0x91)
_PAGE_BORDER = QColor(0x5F, 0x62, 0x66)


class PageItem(QGraphicsItem):
    """One page: a white sheet in page points, with its drawn image once it has arrived."""

    def __init__(self, index: int, width_pt: float, height_pt: float) -> None:
        super().__init__()
        self.index = index
        self._rect = QRectF(0.0, 0.0, width_pt, height_pt)
        self.image: QImage | None = None
        self.image_scale = 0.0
        """Pixels per point of `image` (0 when there is none)."""

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.fillRect(self._rect, Qt.GlobalColor.white)
        image = self.image
        if image is not None:
            world = painter.worldTransform()
            ratio = image.devicePixelRatio()
            if (
                world.type().value <= QTransform.TransformationType.TxScale.value
                and abs(world.m11() * ratio - self.image_scale) < 0.001 * self.image_scale
                and abs(world.m22() * ratio - self.image_scale) < 0.001 * self.image_scale
            ):
                # Drawn for this zoom: copy it pixel for pixel. Letting the painter scale it
                # by 0.9999 would cost ten times as long, on every frame of a scroll.
                origin = world.map(QPointF(0.0, 0.0))
                painter.save()
                painter.resetTransform()
                painter.drawImage(QPointF(round(origin.x()), round(origin.y())), image)
                painter.restore()
            else:
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
                painter.drawImage(self._rect, image, QRectF(image.rect()))
        pen = QPen(_PAGE_BORDER)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawRect(self._rect)


@dataclass(frozen=True, slots=True)
class _Request:
    generation: int
    page: int
    scale: float
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


def render_qimage(
    source: PageSource, page: int, scale: float, cancel: threading.Event | None = None
) -> QImage:
    """Page `page` drawn at `scale` pixels per point as a QImage that owns its pixels.

    Runs on a worker: the conversion for the screen happens there too, so the
    GUI thread only hands the finished image to the page. Setting `cancel`
    stops the drawing at its next band (RenderCancelledError).
    """
    return to_qimage(source.render(page, scale, None if cancel is None else cancel.is_set))


def to_qimage(image: PageImage) -> QImage:
    """A QImage holding its own copy of a drawn page (grey stays grey, a quarter the size)."""
    if image.mode == "L":
        wrapped = QImage(
            image.samples, image.width, image.height, image.stride, QImage.Format.Format_Grayscale8
        )
        return wrapped.copy()
    wrapped = QImage(
        image.samples, image.width, image.height, image.stride, QImage.Format.Format_RGB888
    )
    # The format the screen is painted in: drawing it later needs no conversion.
    return wrapped.convertToFormat(QImage.Format.Format_RGB32)


class PageView(QGraphicsView):
    """Every page of a document, one under the other, zoomable and drawn on demand.

    Zoom with Ctrl+wheel, Ctrl+plus and Ctrl+minus, or `fit_width` and
    `fit_page` (kept while the view is resized); move through pages with Page Up,
    Page Down, Home and End. A plain left click on a page (not on an item placed
    on it) emits `page_clicked` with the point in page points.

    Signals:
        current_page_changed(int): the page mostly in sight changed (from 0).
        page_clicked(int, QPointF): a plain left click on a page, at that point in page
            points (origin top left).
        zoom_changed(float): the zoom factor changed (1.0 = the printed size).
        page_rendered(int): a page's drawing at the current zoom arrived and is shown.
    """

    current_page_changed = Signal(int)
    page_clicked = Signal(int, QPointF)
    zoom_changed = Signal(float)
    page_rendered = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(BACKGROUND)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # A scroll bar that comes and goes would change the width "fit width" fits to.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self._source: PageSource | None = None
        self._items: list[PageItem] = []
        self._tops: list[float] = []
        self._generation = 0
        self._zoom = 1.0
        self._fit: Literal["width", "page"] | None = "width"
        self._current = 0
        self._in_flight: _Request | None = None
        self._cache: OrderedDict[int, int] = OrderedDict()
        self._cache_bytes = 0
        self._broken: set[int] = set()
        self.cache_limit = DEFAULT_CACHE_BYTES
        self._press: tuple[QPoint, PageItem] | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._schedule)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)

    # ------------------------------------------------------------------ document

    def set_document(self, source: PageSource | None) -> None:
        """Show `source`'s pages (None: show nothing). Pages appear at once as white
        sheets and fill in as they are drawn; the view opens on page 1, fitted as before."""
        self._generation += 1
        self._cancel_in_flight()
        self._settle.stop()
        self._cache.clear()
        self._cache_bytes = 0
        self._broken = set()
        self._press = None
        self.scene().clear()
        self._items = []
        self._tops = []
        self._source = source
        self._current = 0
        if source is None:
            self.scene().setSceneRect(QRectF())
            self.current_page_changed.emit(0)
            return
        y = PAGE_GAP_PT
        widest = 0.0
        for index in range(source.page_count):
            width, height = source.page_size_pt(index)
            item = PageItem(index, width, height)
            item.setPos(-width / 2, y)
            self.scene().addItem(item)
            self._items.append(item)
            self._tops.append(y)
            y += height + PAGE_GAP_PT
            widest = max(widest, width)
        self.scene().setSceneRect(
            QRectF(-widest / 2 - PAGE_GAP_PT, 0.0, widest + 2 * PAGE_GAP_PT, y)
        )
        self._apply_fit()
        self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
        self.current_page_changed.emit(0)
        # The first sight of a document is drawn straight away, not after a settle delay.
        self._schedule()

    def source(self) -> PageSource | None:
        """The document shown (None when empty)."""
        return self._source

    def page_count(self) -> int:
        """How many pages the document shown has (0 when empty)."""
        return len(self._items)

    def page_item(self, index: int) -> QGraphicsItem:
        """Page `index`'s item: its children are placed in page points, origin top left."""
        return self._items[index]

    def page_size_pt(self, index: int) -> tuple[float, float]:
        """Width and height of page `index` in points."""
        rect = self._items[index].boundingRect()
        return rect.width(), rect.height()

    # ------------------------------------------------------------------ pages

    def current_page(self) -> int:
        """The page mostly in sight (from 0)."""
        return self._current

    def go_to_page(self, index: int) -> None:
        """Scroll so that page `index` (clamped to the document) starts at the top of the view."""
        if not self._items:
            return
        index = max(0, min(index, len(self._items) - 1))
        top = self.mapFromScene(QPointF(0.0, self._tops[index] - PAGE_GAP_PT)).y()
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + top)
        # The last pages cannot all reach the top of the view; the page asked for is still
        # the one the user is on.
        self._set_current(index)

    # ------------------------------------------------------------------ zoom

    def zoom(self) -> float:
        """The zoom factor (1.0 = the page at its printed size on this screen)."""
        return self._zoom

    def set_zoom(self, factor: float) -> None:
        """Zoom to `factor` (clamped to 10%..400%), keeping the middle of the view in place."""
        self._fit = None
        self._apply_zoom(factor)

    def zoom_in(self) -> None:
        """Zoom to the next step up."""
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom * 1.001), MAX_ZOOM))

    def zoom_out(self) -> None:
        """Zoom to the next step down."""
        lower = [z for z in ZOOM_STEPS if z < self._zoom * 0.999]
        self.set_zoom(lower[-1] if lower else MIN_ZOOM)

    def fit_width(self) -> None:
        """Zoom so the widest page fills the view's width, and keep it so when resized."""
        self._fit = "width"
        top = self.mapToScene(QPoint(0, 0)).y()
        self._apply_fit()
        self._scroll_to_top_at(top)

    def fit_page(self) -> None:
        """Zoom so the current page fits the view whole, and keep it so when resized."""
        self._fit = "page"
        current = self._current
        self._apply_fit()
        self.go_to_page(current)

    def drawing_pending(self) -> bool:
        """Whether a page in sight still waits for its drawing at the zoom shown."""
        scale = self._render_scale()
        return any(
            page not in self._broken
            and (
                self._items[page].image is None
                or abs(self._items[page].image_scale - scale) > scale * 0.01
            )
            for page in self._visible_pages()
        )

    # ------------------------------------------------------------------ cache

    def cached_bytes(self) -> int:
        """Memory the drawn pages take now."""
        return self._cache_bytes

    def rendered_pages(self) -> list[int]:
        """The pages that have a drawing, in page order."""
        return sorted(self._cache)

    # ------------------------------------------------------------------ events

    def resizeEvent(self, event: QResizeEvent) -> None:
        top = self.mapToScene(QPoint(0, 0)).y()
        super().resizeEvent(event)
        if self._fit is not None and self._items:
            current = self._current
            self._apply_fit()
            if self._fit == "page":
                self.go_to_page(current)
            else:
                # What was at the top of the view stays there, as in any document viewer.
                self._scroll_to_top_at(top)
        self._schedule_soon()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                anchor = self.transformationAnchor()
                self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
                self._fit = None
                self._apply_zoom(self._zoom * (1.15**steps))
                self.setTransformationAnchor(anchor)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (ctrl and key == Qt.Key.Key_Equal):
            self.zoom_in()
        elif event.matches(QKeySequence.StandardKey.ZoomOut):
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.fit_width()
        elif key == Qt.Key.Key_PageDown:
            self._page_down()
        elif key == Qt.Key.Key_PageUp:
            self._page_up()
        elif key == Qt.Key.Key_Home and not self._focus_item_wants_keys():
            self.go_to_page(0)
        elif key == Qt.Key.Key_End and not self._focus_item_wants_keys():
            self.go_to_page(len(self._items) - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = None
        if (
            event.button() == Qt.MouseButton.LeftButton
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            item = self.itemAt(event.position().toPoint())
            if isinstance(item, PageItem):
                self._press = (event.position().toPoint(), item)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        start, item = press
        moved = (event.position().toPoint() - start).manhattanLength()
        if moved > QApplication.startDragDistance() or item not in self._items:
            return
        point = item.mapFromScene(self.mapToScene(start))
        rect = item.boundingRect()
        if rect.contains(point):
            self.page_clicked.emit(item.index, point)

    # ------------------------------------------------------------------ internals

    def _scale_for(self, zoom: float) -> float:
        """View pixels per point at `zoom` (1.0 shows a page at its size in inches)."""
        return zoom * self.logicalDpiY() / 72.0

    def _apply_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        scale = self._scale_for(factor)
        if abs(self.transform().m11() - scale) < 1e-9:
            return
        self._zoom = factor
        self.setTransform(QTransform.fromScale(scale, scale))
        self.zoom_changed.emit(factor)
        self._schedule_soon()

    def _apply_fit(self) -> None:
        if not self._items:
            return
        scene = self.sceneRect()
        viewport = self.viewport().size()
        width = viewport.width()
        unit = self._scale_for(1.0)
        if self._fit == "page":
            page = self._items[self._current].boundingRect()
            factor = min(
                width / (page.width() + 2 * PAGE_GAP_PT),
                viewport.height() / (page.height() + 2 * PAGE_GAP_PT),
            )
        else:
            factor = width / scene.width()
        self._apply_zoom(factor / unit)

    def _scroll_to_top_at(self, scene_y: float) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self.mapFromScene(QPointF(0.0, scene_y)).y())

    def _page_down(self) -> None:
        if self._items:
            self.go_to_page(self._current + 1)

    def _page_up(self) -> None:
        if not self._items:
            return
        # From the middle of a page, Page Up goes to that page's top first.
        top = self.mapFromScene(QPointF(0.0, self._tops[self._current])).y()
        if top < -2:
            self.go_to_page(self._current)
        else:
            self.go_to_page(self._current - 1)

    def _focus_item_wants_keys(self) -> bool:
        item = self.scene().focusItem()
        return item is not None and not isinstance(item, PageItem)

    def _visible_pages(self) -> range:
        if not self._items:
            return range(0)
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        first = max(0, bisect.bisect_right(self._tops, area.top()) - 1)
        last = max(first, bisect.bisect_left(self._tops, area.bottom()) - 1)
        # A page whose bottom is above the view's top is not in sight.
        if first < len(self._items) - 1:
            item = self._items[first]
            if item.y() + item.boundingRect().height() < area.top():
                first += 1
        last = max(first, min(last, len(self._items) - 1))
        return range(first, last + 1)

    def _scrolled(self) -> None:
        visible = self._visible_pages()
        if visible:
            area = self.mapToScene(self.viewport().rect()).boundingRect()

            def shown(index: int) -> float:
                item = self._items[index]
                top = max(area.top(), item.y())
                bottom = min(area.bottom(), item.y() + item.boundingRect().height())
                return bottom - top

            self._set_current(max(visible, key=lambda i: (shown(i), -i)))
        self._schedule()

    def _set_current(self, index: int) -> None:
        if index != self._current:
            self._current = index
            self.current_page_changed.emit(index)

    def _schedule_soon(self) -> None:
        self._settle.start()

    def _wanted(self) -> list[int]:
        visible = self._visible_pages()
        if not visible:
            return []
        ahead = range(visible.stop, min(len(self._items), visible.stop + PAGES_AHEAD))
        behind = [visible.start - 1] if visible.start > 0 else []
        return [*visible, *ahead, *behind]

    def _render_scale(self) -> float:
        return self._scale_for(self._zoom) * self.devicePixelRatioF()

    def _cancel_in_flight(self) -> None:
        if self._in_flight is not None:
            self._in_flight.cancel.set()
            self._in_flight = None

    def _schedule(self) -> None:
        """Ask a worker for the nearest page in sight that is not drawn at this zoom."""
        if self._source is None:
            return
        scale = self._render_scale()
        in_flight = self._in_flight
        if in_flight is not None:
            if abs(in_flight.scale - scale) <= scale * 0.01 and in_flight.page in self._wanted():
                return
            # Drawn for a zoom or a place the user has left: stop it, draw what is wanted.
            self._cancel_in_flight()
        wanted = self._wanted()
        # The pages wanted now are the last to be let go, the nearest last of all.
        for page in reversed(wanted):
            if page in self._cache:
                self._cache.move_to_end(page)
        for page in wanted:
            item = self._items[page]
            if page in self._broken:
                continue
            if item.image is None or abs(item.image_scale - scale) > scale * 0.01:
                request = _Request(self._generation, page, scale)
                self._in_flight = request
                run_task(
                    render_qimage,
                    self._source,
                    page,
                    scale,
                    request.cancel,
                    on_done=lambda image, r=request: self._rendered(r, image),
                    on_error=lambda error, r=request: self._failed(r, error),
                    context=self,
                )
                return

    def _rendered(self, request: _Request, image: QImage) -> None:
        if request != self._in_flight:
            return
        self._in_flight = None
        # A drawing for a zoom the user has already left is not worth its memory.
        if abs(request.scale - self._render_scale()) <= request.scale * 0.01:
            self._store(request.page, image, request.scale)
            self.page_rendered.emit(request.page)
        self._schedule()

    def _failed(self, request: _Request, error: Exception) -> None:
        if request != self._in_flight or isinstance(error, RenderCancelledError):
            return
        self._in_flight = None
        # The sheet stays white; the document opened, so a damaged page is the exception.
        log.warning("Page %d could not be drawn: %s", request.page + 1, error)
        self._broken.add(request.page)
        self._schedule()

    def _store(self, page: int, image: QImage, scale: float) -> None:
        item = self._items[page]
        image.setDevicePixelRatio(self.devicePixelRatioF())
        old = self._cache.pop(page, 0)
        self._cache_bytes -= old
        item.image = image
        item.image_scale = scale
        size = int(image.sizeInBytes())
        self._cache[page] = size
        self._cache_bytes += size
        item.update()
        self._evict()

    def _evict(self) -> None:
        """Let go of the least recently wanted drawings until the cache is within its limit;
        pages in sight are kept whatever they take (there are only a screenful of them)."""
        if self._cache_bytes <= self.cache_limit:
            return
        keep = set(self._visible_pages())
        for page in list(self._cache):
            if self._cache_bytes <= self.cache_limit:
                break
            if page in keep:
                continue
            self._cache_bytes -= self._cache.pop(page)
            item = self._items[page]
            item.image = None
            item.image_scale = 0.0
            item.update()
