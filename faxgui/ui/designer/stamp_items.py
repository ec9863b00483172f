"""Stamps drawn on the pages of a `PageView`: placed by a click, dragged, resized, nudged, deleted.

`StampLayer` is the designer's one place that changes a document's stamps.
It keeps them in the document's own list (through the Qt-free `StampEditor`,
so the page's edges are respected in fax pixels), and shows each stamp on
every page, as the fax service prints it: one item per stamp per page, all of
a stamp's items moving together. Items live in page points as children of the
page items; every conversion to fax pixels goes through the page's
`CoordinateFrame`, that is through `faxgui.imaging.stamp_geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from faxgui.api.enums import Resolution
from faxgui.api.models import ImageStampMergeData, StampMergeData, TextStampMergeData
from faxgui.compose.stamp_edit import (
    BIG_NUDGE,
    NUDGE,
    CoordinateFrame,
    Corner,
    PageBounds,
    StampEditor,
    StampImage,
)
from faxgui.imaging.stamp_fonts import stamp_font
from faxgui.imaging.stamp_geometry import (
    DEFAULT_CONVENTION,
    FAX_WIDTH,
    StampConvention,
    text_baseline_offset_pt,
    text_x_scale,
)
from faxgui.ui.designer.page_view import PageView

SELECTED_COLOR = QColor(0x1A, 0x73, 0xE8)
OUTLINE_COLOR = QColor(0xD9, 0x30, 0x25)
HANDLE_PX = 9.0
"""Resize handles are this many screen pixels across, whatever the zoom."""

# Text is laid out at this pixel size and scaled to its point size: Qt's pixel sizes are
# whole numbers, and a large one keeps the shapes and advances exact.
_LAYOUT_PX = 200


@dataclass(frozen=True, slots=True)
class PendingText:
    """A text stamp waiting for the click that places it."""

    text: str
    font_name: str
    font_size: Decimal


@dataclass(frozen=True, slots=True)
class PendingImage:
    """An image stamp waiting for the click that places it (size in fax pixels)."""

    image: StampImage
    width: int
    height: int


Pending = PendingText | PendingImage


def text_font(stamp: TextStampMergeData) -> QFont:
    """The Qt font drawing a text stamp on screen: its standard PDF font's family and style."""
    local = stamp_font(stamp.font_name)
    font = QFont(local.family)
    font.setBold(local.bold)
    font.setItalic(local.italic)
    font.setPixelSize(_LAYOUT_PX)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def text_extent_pt(
    stamp: TextStampMergeData, page_width_pt: float, convention: StampConvention
) -> tuple[float, float]:
    """How far a text stamp's ink runs across and down from its (x, y), in page points."""
    size = float(stamp.font_size or Decimal(12))
    metrics = QFontMetricsF(text_font(stamp))
    width = metrics.horizontalAdvance(stamp.text) * size / _LAYOUT_PX * text_x_scale(page_width_pt)
    below = text_baseline_offset_pt(stamp.font_name, size, convention)
    descent = metrics.descent() * size / _LAYOUT_PX
    return width, max(below, 1.0) + (descent if below == 0 else 0.0)


class _StampItem(QGraphicsItem):
    """One stamp on one page; the layer decides what every gesture does."""

    def __init__(self, layer: StampLayer, index: int, page: int) -> None:
        super().__init__()
        self.layer = layer
        self.index = index
        self.page = page
        self.selected = False
        self._drag_offset: QPointF | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setZValue(10)

    def stamp(self) -> StampMergeData:
        return self.layer.stamps[self.index]

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    def on_page(self, event: QGraphicsSceneMouseEvent) -> QPointF:
        """Where the mouse is, in the page's points (from the scene: the item may have moved
        since the event's own item position was worked out)."""
        parent = self.parentItem()
        scene_pos = event.scenePos()
        return parent.mapFromScene(scene_pos) if parent is not None else scene_pos

    def refresh(self) -> None:
        """Take the stamp's position and looks again."""
        self.prepareGeometryChange()
        self.setPos(self.layer.page_point(self.page, self.stamp()))
        self.update()

    # ------------------------------------------------------------------ gestures

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        if self.layer.placing:
            # A new stamp goes where the click is, even on top of another one.
            self.layer.place_pending(self.page, self.on_page(event))
            event.accept()
            return
        self.layer.select(self.index)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._drag_offset = self.on_page(event) - self.pos()
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag_offset is None:
            return
        top_left = self.on_page(event) - self._drag_offset
        self.layer.drag_to(self.index, self.page, top_left)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._drag_offset = None
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.layer.key_pressed(self.index, event):
            super().keyPressEvent(event)

    # ------------------------------------------------------------------ drawing helpers

    def _frame_pen(self, painter: QPainter) -> QPen:
        pen = QPen(SELECTED_COLOR if self.selected else OUTLINE_COLOR)
        pen.setCosmetic(True)
        pen.setWidthF(2.0 if self.selected else 1.0)
        if not self.selected:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def _pixels_per_point(self, painter: QPainter | None = None) -> float:
        if painter is not None:
            scale = painter.worldTransform().m11()
            if scale > 0:
                return scale
        return max(self.layer.view.transform().m11(), 0.01)


class TextStampItem(_StampItem):
    """A text stamp: its words in its font and size, anchored at the top of its capitals."""

    def boundingRect(self) -> QRectF:
        stamp = self.stamp()
        assert isinstance(stamp, TextStampMergeData)
        width_pt, _ = self.layer.page_size(self.page)
        size = float(stamp.font_size or Decimal(12))
        metrics = QFontMetricsF(text_font(stamp))
        scale = size / _LAYOUT_PX
        baseline = text_baseline_offset_pt(stamp.font_name, size, self.layer.convention)
        width = metrics.horizontalAdvance(stamp.text) * scale * text_x_scale(width_pt)
        top = baseline - metrics.ascent() * scale
        bottom = baseline + metrics.descent() * scale
        return QRectF(0.0, top, width, bottom - top).adjusted(-2, -2, 2, 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        stamp = self.stamp()
        assert isinstance(stamp, TextStampMergeData)
        width_pt, _ = self.layer.page_size(self.page)
        size = float(stamp.font_size or Decimal(12))
        baseline = text_baseline_offset_pt(stamp.font_name, size, self.layer.convention)
        painter.setPen(self._frame_pen(painter))
        painter.drawRect(self.boundingRect().adjusted(1, 1, -1, -1))
        painter.save()
        painter.translate(0.0, baseline)
        scale = size / _LAYOUT_PX
        painter.scale(scale * text_x_scale(width_pt), scale)
        painter.setFont(text_font(stamp))
        painter.setPen(Qt.GlobalColor.black)
        painter.drawText(QPointF(0.0, 0.0), stamp.text)
        painter.restore()


class ImageStampItem(_StampItem):
    """An image stamp: its picture filling its width and height, with four resize handles."""

    def __init__(self, layer: StampLayer, index: int, page: int, image: QImage) -> None:
        super().__init__(layer, index, page)
        self.image = image
        self._resizing: Corner | None = None

    def size_pt(self) -> tuple[float, float]:
        stamp = self.stamp()
        assert isinstance(stamp, ImageStampMergeData)
        return self.layer.frame(self.page).size_to_page(stamp.width or 1, stamp.height or 1)

    def handle_rects(self) -> dict[Corner, QRectF]:
        """Where each corner's handle is, in the item's points (sized for the zoom shown)."""
        width, height = self.size_pt()
        side = HANDLE_PX / self._pixels_per_point()
        half = side / 2
        return {
            corner: QRectF(
                width * corner.value[0] - half, height * corner.value[1] - half, side, side
            )
            for corner in Corner
        }

    def boundingRect(self) -> QRectF:
        width, height = self.size_pt()
        margin = HANDLE_PX / self._pixels_per_point()
        return QRectF(0.0, 0.0, width, height).adjusted(-margin, -margin, margin, margin)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        width, height = self.size_pt()
        target = QRectF(0.0, 0.0, width, height)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if self.image.isNull():
            painter.fillRect(target, QColor(0xEE, 0xEE, 0xEE))
        else:
            painter.drawImage(target, self.image, QRectF(self.image.rect()))
        painter.setPen(self._frame_pen(painter))
        painter.drawRect(target)
        if self.selected:
            painter.setBrush(Qt.GlobalColor.white)
            for rect in self.handle_rects().values():
                painter.drawRect(rect)

    def corner_at(self, point: QPointF) -> Corner | None:
        """The handle under `point` (item points), if the stamp is selected."""
        if not self.selected:
            return None
        return next((c for c, r in self.handle_rects().items() if r.contains(point)), None)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        corner = self.corner_at(event.pos())
        if corner in (Corner.TOP_LEFT, Corner.BOTTOM_RIGHT):
            self.setCursor(Qt.CursorShape.SizeFDiagCursor)
        elif corner is not None:
            self.setCursor(Qt.CursorShape.SizeBDiagCursor)
        else:
            self.setCursor(Qt.CursorShape.SizeAllCursor)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        corner = (
            self.corner_at(event.pos()) if event.button() == Qt.MouseButton.LeftButton else None
        )
        if corner is None:
            super().mousePressEvent(event)
            return
        self._resizing = corner
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resizing is None:
            super().mouseMoveEvent(event)
            return
        free = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.layer.drag_corner(self.index, self.page, self._resizing, self.on_page(event), not free)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._resizing = None
        super().mouseReleaseEvent(event)


class StampLayer(QObject):
    """A document's stamps on every page of a PageView, and every change made to them.

    Changes land in `stamps` (the document's own list) at once; `edited`
    says the document changed, so the draft is saved. Coordinates are fax
    pixels at `resolution`, the resolution the fax is sent at.

    Signals:
        stamps_changed(): stamps were added or deleted (the list's rows changed).
        stamp_changed(int): the stamp at that index moved, was resized or restyled.
        selection_changed(int): the stamp at that index was selected (-1: none).
        placing_changed(bool): a stamp now waits for a click on the page (or no longer).
        edited(): the document's stamps changed.
    """

    stamps_changed = Signal()
    stamp_changed = Signal(int)
    selection_changed = Signal(int)
    placing_changed = Signal(bool)
    edited = Signal()

    def __init__(
        self,
        view: PageView,
        stamps: list[StampMergeData],
        resolution: Resolution,
        convention: StampConvention = DEFAULT_CONVENTION,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.stamps = stamps
        self.resolution = resolution
        self.convention = convention
        self.read_only = False
        self._items: list[list[_StampItem]] = []
        self._images: dict[bytes, QImage] = {}
        self._trash: list[_StampItem] = []
        self._selected = -1
        self._pending: Pending | None = None
        # Replaced by rebuild() with the first page's bounds once the view has pages.
        self.editor = StampEditor(stamps, PageBounds(FAX_WIDTH, FAX_WIDTH))
        view.page_clicked.connect(self._page_clicked)
        view.zoom_changed.connect(self._zoom_changed)
        self.rebuild()

    # ------------------------------------------------------------------ geometry

    def page_size(self, page: int) -> tuple[float, float]:
        return self.view.page_size_pt(page)

    def frame(self, page: int) -> CoordinateFrame:
        """Page `page`'s points and the stamps' pixels."""
        width, height = self.view.page_size_pt(page)
        return CoordinateFrame(width, height, self.resolution, self.convention)

    def page_point(self, page: int, stamp: StampMergeData) -> QPointF:
        """Where a stamp's (x, y) is on page `page`, in its points."""
        x_pt, y_pt = self.frame(page).to_page(stamp.x, stamp.y)
        return QPointF(x_pt, y_pt)

    def measure(self, stamp: TextStampMergeData) -> tuple[int, int]:
        """A text stamp's ink in fax pixels and lines (for keeping it on the page)."""
        frame = self.frame(0)
        width_pt, height_pt = text_extent_pt(stamp, frame.page_width_pt, self.convention)
        return frame.size_from_page(width_pt, height_pt)

    # ------------------------------------------------------------------ items

    def rebuild(self) -> None:
        """Make every stamp's items again (after the view's document was set)."""
        for items in self._items:
            self._discard(items)
        self._items = []
        if self.view.page_count():
            self.editor = StampEditor(self.stamps, self.frame(0).bounds(), self.measure)
        for index in range(len(self.stamps)):
            self._items.append(self._make_items(index))
        self._show_selection()

    def _discard(self, items: list[_StampItem]) -> None:
        for item in items:
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
            self._trash.append(item)
        # Kept alive until the event being handled is over: Delete is pressed on an item.
        QTimer.singleShot(0, self, self._trash.clear)

    def _make_items(self, index: int) -> list[_StampItem]:
        stamp = self.stamps[index]
        items: list[_StampItem] = []
        for page in range(self.view.page_count()):
            item: _StampItem
            if isinstance(stamp, ImageStampMergeData):
                item = ImageStampItem(self, index, page, self._image_for(stamp))
            else:
                item = TextStampItem(self, index, page)
            item.setParentItem(self.view.page_item(page))
            item.setPos(self.page_point(page, stamp))
            item.setEnabled(not self.read_only)
            items.append(item)
        return items

    def _image_for(self, stamp: ImageStampMergeData) -> QImage:
        image = self._images.get(stamp.file_data)
        if image is None:
            image = QImage.fromData(stamp.file_data)
            self._images[stamp.file_data] = image
        return image

    def items_of(self, index: int) -> list[_StampItem]:
        """The stamp's item on each page, in page order."""
        return list(self._items[index])

    def _refresh(self, index: int) -> None:
        for item in self._items[index]:
            item.refresh()
        self.stamp_changed.emit(index)
        self.edited.emit()

    def _zoom_changed(self, _zoom: float) -> None:
        # Handles are sized in screen pixels, so an image item's bounds follow the zoom.
        for items in self._items:
            for item in items:
                item.prepareGeometryChange()

    # ------------------------------------------------------------------ selection

    def selected(self) -> int:
        """The selected stamp's index (-1: none)."""
        return self._selected

    def select(self, index: int) -> None:
        """Select the stamp at `index` (-1: none), on every page."""
        if index >= len(self.stamps):
            index = -1
        if index == self._selected:
            return
        self._selected = index
        self._show_selection()
        self.selection_changed.emit(index)

    def _show_selection(self) -> None:
        for index, items in enumerate(self._items):
            for item in items:
                item.set_selected(index == self._selected)

    def focus_selected(self) -> None:
        """Give the keyboard to the selected stamp on the page in sight (arrows nudge it)."""
        if self._selected < 0 or not self._items:
            return
        page = min(self.view.current_page(), len(self._items[self._selected]) - 1)
        item = self._items[self._selected][page]
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        item.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------------ placing

    def start_placing(self, pending: Pending) -> None:
        """Wait for a click on a page: the stamp is placed where it lands."""
        if self.read_only:
            return
        self._pending = pending
        self.view.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.placing_changed.emit(True)

    def cancel_placing(self) -> None:
        if self._pending is None:
            return
        self._pending = None
        self.view.viewport().unsetCursor()
        self.placing_changed.emit(False)

    @property
    def placing(self) -> bool:
        return self._pending is not None

    def _page_clicked(self, page: int, point: QPointF) -> None:
        if self._pending is None:
            self.select(-1)
            return
        self.place_pending(page, point)

    def place_pending(self, page: int, point: QPointF) -> None:
        """Place the stamp waiting for a click at `point` of page `page`."""
        pending = self._pending
        if pending is None:
            return
        self.cancel_placing()
        self.place(pending, page, point)

    def place(self, pending: Pending, page: int, point: QPointF) -> int:
        """Add a stamp with its (x, y) at `point` of page `page`; returns its index."""
        x, y = self.frame(page).from_page(point.x(), point.y())
        if isinstance(pending, PendingText):
            index = self.editor.add_text(x, y, pending.text, pending.font_name, pending.font_size)
        else:
            index = self.editor.add_image(x, y, pending.image, pending.width, pending.height)
        self._items.append(self._make_items(index))
        self.stamps_changed.emit()
        self.edited.emit()
        self.select(index)
        self.focus_selected()
        return index

    # ------------------------------------------------------------------ changes

    def drag_to(self, index: int, page: int, top_left: QPointF) -> None:
        """A stamp dragged on page `page` so its (x, y) is at `top_left` (page points)."""
        if self.read_only:
            return
        x, y = self.frame(page).from_page(top_left.x(), top_left.y())
        self.move_to(index, x, y)

    def move_to(self, index: int, x: int, y: int) -> None:
        """Put a stamp at (x, y) fax pixels (kept on the page)."""
        stamp = self.stamps[index]
        before = (stamp.x, stamp.y)
        if self.read_only or self.editor.move_to(index, x, y) == before:
            return
        self._refresh(index)

    def nudge(self, index: int, dx: int, dy: int) -> None:
        stamp = self.stamps[index]
        self.move_to(index, stamp.x + dx, stamp.y + dy)

    def drag_corner(
        self, index: int, page: int, corner: Corner, point: QPointF, keep_aspect: bool
    ) -> None:
        """An image stamp's corner dragged to `point` on page `page`."""
        if self.read_only:
            return
        frame = self.frame(page)
        stamp = self.stamps[index]
        # Handles may be dragged past the page's edge: from_page would pull x in to 1727.
        x = round(point.x() * FAX_WIDTH / frame.page_width_pt)
        _, y = frame.from_page(0.0, max(point.y(), 0.0))
        assert isinstance(stamp, ImageStampMergeData)
        before = (stamp.x, stamp.y, stamp.width, stamp.height)
        after = self.editor.drag_corner(index, corner, x, y, keep_aspect)
        if after != before:
            self._refresh(index)

    def resize(self, index: int, width: int, height: int) -> None:
        """Give an image stamp this size in fax pixels."""
        if self.read_only:
            return
        self.editor.resize(index, width, height)
        self._refresh(index)

    def set_text(
        self, index: int, text: str, font_name: str | None, font_size: Decimal | None
    ) -> None:
        """Change a text stamp's words, font or size. Raises ValueError for blank text."""
        if self.read_only:
            return
        self.editor.set_text(index, text, font_name, font_size)
        self._refresh(index)

    def delete(self, index: int) -> None:
        """Delete a stamp (from every page)."""
        if self.read_only or not 0 <= index < len(self.stamps):
            return
        # Off the scene first: removing an item asks for its bounds, so its stamp must be there.
        self._discard(self._items.pop(index))
        self.editor.delete(index)
        for later, items in enumerate(self._items):
            for item in items:
                item.index = later
        selected = self._selected
        if selected == index:
            # The next stamp down is selected, so Delete pressed again keeps deleting.
            selected = min(index, len(self.stamps) - 1)
        elif selected > index:
            selected -= 1
        self._selected = selected
        self._show_selection()
        self.stamps_changed.emit()
        self.edited.emit()
        self.selection_changed.emit(selected)

    def set_read_only(self, read_only: bool) -> None:
        """While the fax is sent (or after), stamps are shown but cannot be changed."""
        self.read_only = read_only
        if read_only:
            self.cancel_placing()
        for items in self._items:
            for item in items:
                item.setEnabled(not read_only)

    def key_pressed(self, index: int, event: QKeyEvent) -> bool:
        """Arrows nudge (1 pixel, 10 with Shift), Delete deletes; True if the key was used."""
        key = event.key()
        step = BIG_NUDGE if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else NUDGE
        moves: dict[int, tuple[int, int]] = {
            Qt.Key.Key_Left: (-step, 0),
            Qt.Key.Key_Right: (step, 0),
            Qt.Key.Key_Up: (0, -step),
            Qt.Key.Key_Down: (0, step),
        }
        if key in moves:
            self.nudge(index, *moves[key])
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete(index)
            return True
        if key == Qt.Key.Key_Escape:
            self.select(-1)
            return True
        return False
