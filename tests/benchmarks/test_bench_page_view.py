"""The page viewer on a 200-page PDF: first page on screen within 300 ms, paging within 400 MB.

Issue 4's goals: the first page of a 200-page PDF visible (its drawing
painted) within 300 ms of `set_document`, and the process under 400 MB RSS
while paging through every page. The baseline, measured in the same run, is
the least any viewer must do to show page 1: PyMuPDF opening the file and
drawing that page at the same scale, with no Qt and no threads; the viewer's
time is reported as a ratio to it. Each timing is the median of five rounds.

Scrolling is measured too: the largest gap between the ticks of a 10 ms
timer on the GUI thread while the view scrolls through the whole document at
a steady pace (pages are drawn on a worker meanwhile), against the largest
gap of the same timer with nothing else to do.
"""

from __future__ import annotations

import itertools
import statistics
import time
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from pytestqt.qtbot import QtBot

from faxgui.imaging.page_images import PageSource
from faxgui.ui.designer.page_view import PageItem, PageView
from faxgui.ui.designer.page_viewer import PageViewer

pytestmark = pytest.mark.benchmark

PAGES = 200
ROUNDS = 5
FIRST_PAGE_GOAL_MS = 300.0
RSS_GOAL_MB = 400.0

_TEXT = (
    "Please find enclosed the referral for the patient named below, together with the "
    "results of the tests requested at the last appointment. "
)


def _long_pdf(path: Path) -> Path:
    """200 Letter pages of a typical faxed letter: a heading, paragraphs, a table's rules."""
    doc = pymupdf.open()
    for number in range(1, PAGES + 1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 90), f"Referral letter - page {number} of {PAGES}", fontsize=18)
        page.insert_textbox(pymupdf.Rect(72, 120, 540, 520), _TEXT * 9, fontsize=11)
        for row in range(8):
            page.draw_line((72, 560 + row * 22), (540, 560 + row * 22), width=0.5)
    doc.save(path)
    return path


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class _TimedView(PageView):
    """A PageView that notes when page 1's drawing was first painted on screen."""

    painted_at: float | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        item = self.page_item(0) if self.page_count() else None
        if self.painted_at is None and isinstance(item, PageItem) and item.image is not None:
            self.painted_at = time.perf_counter()


@pytest.fixture
def viewer(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> PageViewer:
    monkeypatch.setattr("faxgui.ui.designer.page_viewer.PageView", _TimedView)
    shown = PageViewer()
    qtbot.addWidget(shown)
    shown.resize(1100, 850)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _bare_first_page_ms(path: Path, scale: float) -> float:
    started = time.perf_counter()
    doc = pymupdf.open(path)
    doc[0].get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False)
    elapsed = time.perf_counter() - started
    doc.close()
    return elapsed * 1000


def test_first_page_of_a_long_pdf_is_on_screen_within_300_ms(
    qtbot: QtBot, viewer: PageViewer, tmp_path: Path
):
    path = _long_pdf(tmp_path / "long.pdf")
    view = viewer.view
    assert isinstance(view, _TimedView)
    opened_ms, shown_ms, bare_ms = [], [], []
    for _ in range(ROUNDS):
        viewer.set_document(None)
        qtbot.wait(50)
        view.painted_at = None
        started = time.perf_counter()
        source = PageSource(path)  # on a worker in the app (open_file); timed here on its own
        opened = time.perf_counter()
        viewer.set_document(source)
        qtbot.waitUntil(lambda: view.painted_at is not None, timeout=10_000)
        assert view.painted_at is not None
        opened_ms.append((opened - started) * 1000)
        shown_ms.append((view.painted_at - opened) * 1000)
        scale = view.transform().m11() * view.devicePixelRatioF()
        bare_ms.append(_bare_first_page_ms(path, scale))
    shown = statistics.median(shown_ms)
    bare = statistics.median(bare_ms)
    print(
        f"\n{PAGES}-page PDF, median of {ROUNDS}: set_document -> page 1 painted "
        f"{shown:.0f} ms (goal <= {FIRST_PAGE_GOAL_MS:.0f} ms); opening it (reading all "
        f"{PAGES} page sizes, on a worker in the app) {statistics.median(opened_ms):.0f} ms; "
        f"bare PyMuPDF open + draw page 1 at the same scale {bare:.0f} ms; "
        f"ratio {shown / bare:.2f}x (open + show "
        f"{(shown + statistics.median(opened_ms)) / bare:.2f}x)"
    )
    assert shown <= FIRST_PAGE_GOAL_MS


def test_paging_through_a_long_pdf_stays_within_400_mb(
    qtbot: QtBot, viewer: PageViewer, tmp_path: Path
):
    path = _long_pdf(tmp_path / "long.pdf")
    before = _rss_mb()
    view = viewer.view
    viewer.set_document(PageSource(path))
    peak = before
    for page in range(PAGES):
        view.go_to_page(page)
        item = view.page_item(page)
        assert isinstance(item, PageItem)
        qtbot.waitUntil(lambda item=item: item.image is not None, timeout=10_000)
        peak = max(peak, _rss_mb())
    print(
        f"\npaging through {PAGES} pages one by one: peak RSS {peak:.0f} MB (goal <= "
        f"{RSS_GOAL_MB:.0f} MB); {before:.0f} MB before opening; page cache "
        f"{view.cached_bytes() / 2**20:.0f} MB of its {view.cache_limit / 2**20:.0f} MB limit, "
        f"{len(view.rendered_pages())} pages drawn"
    )
    assert peak <= RSS_GOAL_MB


def _largest_tick_gap_ms(qtbot: QtBot, seconds: float, step: object = None) -> float:
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    if callable(step):
        timer.timeout.connect(step)
    timer.start()
    qtbot.wait(int(seconds * 1000))
    timer.stop()
    return max(b - a for a, b in itertools.pairwise(ticks)) * 1000


def test_scrolling_a_long_pdf_keeps_the_gui_thread_answering(
    qtbot: QtBot, viewer: PageViewer, tmp_path: Path
):
    path = _long_pdf(tmp_path / "long.pdf")
    view = viewer.view
    viewer.set_document(PageSource(path))
    view.fit_width()
    bar = view.verticalScrollBar()
    seconds = 6.0

    def scroll() -> None:
        # A steady pace that reaches the end in `seconds`, however late the ticks come.
        done = min(1.0, (time.perf_counter() - started) / seconds)
        bar.setValue(int(bar.maximum() * done))

    idle = _largest_tick_gap_ms(qtbot, 1.0)
    started = time.perf_counter()
    scrolling = _largest_tick_gap_ms(qtbot, seconds + 0.2, scroll)
    drawn = len(view.rendered_pages())
    print(
        f"\nscrolling {PAGES} pages in {seconds:.0f} s at fit width: largest gap between 10 ms "
        f"ticks {scrolling:.0f} ms, idle {idle:.0f} ms; ratio {scrolling / idle:.1f}x; pages "
        f"kept drawn at the end {drawn}"
    )
    assert view.current_page() > PAGES * 0.9
