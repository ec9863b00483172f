"""A strip of small page pictures beside the page view: click one to go to that page.

The model holds one row per page and the pictures drawn so far; the strip asks
a worker for the pictures of the rows in sight, one at a time, most recently
scrolled-to first, so a 200-page document's strip fills where the user looks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from faxgui.imaging.page_images import PageSource
from faxgui.ui.designer.page_view import BACKGROUND, PageView, render_qimage
from faxgui.ui.workers import run_task

THUMBNAIL_BOX = QSize(96, 124)
"""Logical pixels: the largest a page's picture is drawn in the strip."""

THUMBNAIL_CACHE_BYTES = 24 * 1024 * 1024
"""Memory the strip's pictures may take; the least recently shown are let go first."""

_Index = QModelIndex | QPersistentModelIndex


def thumbnail_size(width_pt: float, height_pt: float) -> QSize:
    """The size of a page's picture in the strip: inside THUMBNAIL_BOX, page-shaped."""
    scale = min(THUMBNAIL_BOX.width() / width_pt, THUMBNAIL_BOX.height() / height_pt)
    return QSize(max(1, round(width_pt * scale)), max(1, round(height_pt * scale)))


class PageThumbnailModel(QAbstractListModel):
    """One row per page: its number as text, its picture (white until drawn) as decoration."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source: PageSource | None = None
        self._sizes: list[QSize] = []
        self._images: OrderedDict[int, QPixmap] = OrderedDict()
        self._bytes = 0
        self._blank: dict[tuple[int, int], QPixmap] = {}
        self.cache_limit = THUMBNAIL_CACHE_BYTES

    def set_source(self, source: PageSource | None) -> None:
        """Show the pages of `source` (None: no rows)."""
        self.beginResetModel()
        self._source = source
        self._images.clear()
        self._bytes = 0
        self._sizes = (
            []
            if source is None
            else [thumbnail_size(*source.page_size_pt(i)) for i in range(source.page_count)]
        )
        self.endResetModel()

    def source(self) -> PageSource | None:
        """The document whose pages are listed."""
        return self._source

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._sizes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            image = self._images.get(row)
            return image if image is not None else self._blank_page(self._sizes[row])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Page {row + 1} of {len(self._sizes)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignHCenter
        return None

    def has_image(self, row: int) -> bool:
        """Whether row's picture has been drawn (and is still kept)."""
        return row in self._images

    def cached_bytes(self) -> int:
        """Memory the pictures take now."""
        return self._bytes

    def store(self, row: int, image: QImage, keep: set[int]) -> None:
        """Show `image` as row's picture; let go of old pictures not in `keep` beyond the limit."""
        pixmap = QPixmap.fromImage(image)
        self._bytes -= self._nbytes(self._images.pop(row, None))
        self._images[row] = pixmap
        self._bytes += self._nbytes(pixmap)
        for old in list(self._images):
            if self._bytes <= self.cache_limit:
                break
            if old not in keep:
                self._bytes -= self._nbytes(self._images.pop(old))
                self.dataChanged.emit(self.index(old), self.index(old))
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def touch(self, row: int) -> None:
        """Mark row's picture as just shown, so it is the last to be let go."""
        if row in self._images:
            self._images.move_to_end(row)

    def render_scale(self, row: int, device_ratio: float) -> float:
        """Pixels per point for row's picture on a screen of `device_ratio`."""
        assert self._source is not None
        width_pt, _ = self._source.page_size_pt(row)
        return self._sizes[row].width() / width_pt * device_ratio

    @staticmethod
    def _nbytes(pixmap: QPixmap | None) -> int:
        if pixmap is None:
            return 0
        return pixmap.width() * pixmap.height() * max(1, pixmap.depth() // 8)

    def _blank_page(self, size: QSize) -> QPixmap:
        key = (size.width(), size.height())
        blank = self._blank.get(key)
        if blank is None:
            blank = QPixmap(size)
            blank.fill(Qt.GlobalColor.white)
            painter = QPainter(blank)
            painter.setPen(QColor(0xC8, 0xC8, 0xC8))
            painter.drawRect(0, 0, size.width() - 1, size.height() - 1)
            painter.end()
            self._blank[key] = blank
        return blank


class _ThumbnailDelegate(QStyledItemDelegate):
    """A page picture with its number under it; the current page gets a coloured frame
    (Qt's own icon drawing would tint the picture itself)."""

    _PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        text_height = option.fontMetrics.height()
        return QSize(
            THUMBNAIL_BOX.width() + 2 * self._PAD,
            THUMBNAIL_BOX.height() + 2 * self._PAD + text_height + 2,
        )

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect = option.rect
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        painter.save()
        size = pixmap.deviceIndependentSize().toSize()
        x = rect.x() + (rect.width() - size.width()) // 2
        y = rect.y() + self._PAD + (THUMBNAIL_BOX.height() - size.height()) // 2
        if selected:
            frame = QRect(x - 4, y - 4, size.width() + 8, size.height() + 8)
            painter.fillRect(frame, palette.color(QPalette.ColorRole.Highlight))
        painter.drawPixmap(x, y, pixmap)
        text_rect = QRect(
            rect.x(),
            rect.y() + 2 * self._PAD + THUMBNAIL_BOX.height(),
            rect.width(),
            option.fontMetrics.height(),
        )
        font = QFont(option.font)
        font.setBold(selected)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, index.data())
        painter.restore()


class PageThumbnails(QListView):
    """The strip of page pictures. Clicking one (or moving with the arrow keys) chooses it.

    Signals:
        page_chosen(int): the user picked this page (from 0).
    """

    page_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = PageThumbnailModel(self)
        self.setModel(self._model)
        self.setItemDelegate(_ThumbnailDelegate(self))
        self.setUniformItemSizes(True)
        self.setSpacing(2)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        extent = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.setFixedWidth(THUMBNAIL_BOX.width() + 24 + extent)
        self.setAccessibleName("Pages")
        palette = self.palette()
        palette.setColor(palette.ColorRole.Base, BACKGROUND.lighter(150))
        self.setPalette(palette)
        self._generation = 0
        self._in_flight: tuple[int, int] | None = None
        self._cancel = threading.Event()
        self._broken: set[int] = set()
        self._choosing = False
        self._view: PageView | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(30)
        self._debounce.timeout.connect(self._schedule)
        self.verticalScrollBar().valueChanged.connect(self._debounce.start)
        self.selectionModel().currentChanged.connect(self._current_changed)

    def follow(self, view: PageView) -> None:
        """Draw pictures only while `view` has its own pages in sight drawn: what the user
        looks at comes first, and the two would otherwise share one processor's time."""
        self._view = view
        view.page_rendered.connect(self._debounce.start)

    def thumbnail_model(self) -> PageThumbnailModel:
        """The model of the strip (one row per page)."""
        return self._model

    def set_document(self, source: PageSource | None) -> None:
        """List `source`'s pages; their pictures are drawn as they come into sight."""
        self._generation += 1
        self._cancel.set()
        self._in_flight = None
        self._broken = set()
        self._model.set_source(source)
        if source is not None:
            self.set_current_page(0)
        self._debounce.start()

    def set_current_page(self, page: int) -> None:
        """Highlight `page` and scroll it into sight, without emitting `page_chosen`."""
        if not 0 <= page < self._model.rowCount():
            return
        index = self._model.index(page)
        self._choosing = True
        try:
            self.setCurrentIndex(index)
        finally:
            self._choosing = False
        self.scrollTo(index)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._debounce.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._debounce.start()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._choosing:
            self.page_chosen.emit(current.row())

    def _visible_rows(self) -> list[int]:
        rows = self._model.rowCount()
        if not rows or not self.isVisible():
            return []
        area = self.viewport().rect()
        first = self.indexAt(area.topLeft() + QPoint(4, 4))
        start = first.row() if first.isValid() else 0
        visible = []
        for row in range(start, rows):
            rect = self.visualRect(self._model.index(row))
            if rect.top() > area.bottom():
                break
            if rect.intersects(area):
                visible.append(row)
        return visible

    def _schedule(self) -> None:
        source = self._model.source()
        if source is None or self._in_flight is not None:
            return
        if self._view is not None and self._view.drawing_pending():
            return
        visible = self._visible_rows()
        for row in visible:
            self._model.touch(row)
        missing = next(
            (r for r in visible if not self._model.has_image(r) and r not in self._broken), None
        )
        if missing is None:
            return
        request = (self._generation, missing)
        self._in_flight = request
        self._cancel = threading.Event()
        run_task(
            render_qimage,
            source,
            missing,
            self._model.render_scale(missing, self.devicePixelRatioF()),
            self._cancel,
            on_done=lambda image, r=request: self._rendered(r, image),
            on_error=lambda _error, r=request: self._failed(r),
            context=self,
        )

    def _rendered(self, request: tuple[int, int], image: QImage) -> None:
        if request != self._in_flight:
            return
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self._model.store(request[1], image, set(self._visible_rows()))
        self._finished(request)

    def _failed(self, request: tuple[int, int]) -> None:
        if request == self._in_flight:
            # The page view says what is wrong with the page; here it stays a white sheet.
            self._broken.add(request[1])
        self._finished(request)

    def _finished(self, request: tuple[int, int]) -> None:
        if request == self._in_flight:
            self._in_flight = None
            self._schedule()
