"""How long the GUI event loop could not answer: a 10 ms timer's gaps, and their baselines."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

TICK_MS = 10


@dataclass(frozen=True, slots=True)
class Gaps:
    """The gaps between timer ticks over one measurement, in milliseconds."""

    gaps_ms: list[float]
    seconds: float

    @property
    def worst(self) -> float:
        return max(self.gaps_ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.gaps_ms)
        return ordered[max(0, int(len(ordered) * 0.99) - 1)]

    def __str__(self) -> str:
        return (
            f"largest gap {self.worst:.1f} ms, p99 {self.p99:.1f} ms, median "
            f"{statistics.median(self.gaps_ms):.1f} ms over {len(self.gaps_ms)} ticks"
        )


def tick_gaps(
    qtbot: QtBot, start: Callable[[], None], finished: Callable[[], bool], *, tail_ms: int
) -> Gaps:
    """Tick every TICK_MS on the GUI thread from `start()` until `tail_ms` after `finished()`
    (so work that was only put off is counted too)."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.wait(100)
    began = time.perf_counter()
    ticks.append(began)
    start()
    qtbot.waitUntil(finished, timeout=300_000)
    seconds = time.perf_counter() - began
    qtbot.wait(tail_ms)
    ticks.append(time.perf_counter())
    timer.stop()
    measured = [t for t in ticks if t >= began]
    return Gaps([(b - a) * 1000 for a, b in itertools.pairwise(measured)], seconds)


def plain_python_gaps(qtbot: QtBot, seconds: float, *, tail_ms: int) -> Gaps:
    """The baseline: the gaps while a worker thread runs plain Python for `seconds`."""
    done = threading.Event()

    def plain_python() -> None:
        until = time.perf_counter() + seconds
        count = 0
        while time.perf_counter() < until:
            count += 1
        done.set()

    worker = threading.Thread(target=plain_python)
    gaps = tick_gaps(qtbot, worker.start, done.is_set, tail_ms=tail_ms)
    worker.join()
    return gaps


def idle_gaps(qtbot: QtBot, seconds: float, *, tail_ms: int) -> Gaps:
    """The event loop with nothing to do: the timer's own jitter."""
    until = time.perf_counter() + seconds
    return tick_gaps(qtbot, lambda: None, lambda: time.perf_counter() >= until, tail_ms=tail_ms)
