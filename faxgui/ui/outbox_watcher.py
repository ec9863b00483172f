"""Sends what waits in the outbox, on a timer and on request, one pass at a time, off the GUI.

The first pass runs at `start()`: it also settles the sends a crash left
"submitting", which the pipeline looks up with FaxStatus before sending any
of them again. After each pass the next one is scheduled: every minute while
the service answers, backing off (doubling, up to ten minutes) while it
cannot be reached. The outbox is in the job store, so waiting faxes survive
closing the app; the next start sends them. Like a send, a pass holds off
automatic garbage collection while it runs (see `faxgui.ui.send_controller`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from faxgui.ui.send_controller import CollectorPause
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.compose.pipeline import SendPipeline, SendReport
    from faxgui.jobs.store import JobStore

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 60_000
DEFAULT_MAX_INTERVAL_MS = 600_000


@dataclass(frozen=True, slots=True)
class OutboxPass:
    """What one pass did: its report (None if it could not run), why not, and what still waits."""

    report: SendReport | None
    error: Exception | None
    waiting: int

    @property
    def reached_service(self) -> bool:
        """False when the service could not be reached (or asked) during the pass."""
        return self.error is None and (self.report is None or self.report.stopped_by is None)


def waiting_faxes(store: JobStore) -> int:
    """How many faxes are not yet known to be at the service (in the outbox or unconfirmed)."""
    from faxgui.compose.outbox import waiting_sends

    return sum(int(record.summary.get("messages", 0)) for record in waiting_sends(store))


def outbox_pass(pipeline: SendPipeline, stop: threading.Event) -> OutboxPass:
    """Retry the outbox once, and count what still waits afterwards; blocks."""
    from faxgui.compose.outbox import retry_outbox

    report: SendReport | None = None
    error: Exception | None = None
    try:
        report = retry_outbox(pipeline, stop=stop)
    except Exception as exc:
        # The account is missing in Settings, the address is unusable, and the like: the
        # faxes keep waiting, and the next pass tries again.
        log.info("Outbox pass did not run: %s", exc)
        error = exc
    return OutboxPass(report, error, waiting_faxes(pipeline.store))


class OutboxWatcher(QObject):
    """Keeps retrying the outbox while faxes wait in it; never two passes at once.

    Give it the SendController's pipeline, so a request is never delivered by
    both at the same time.

    Signals:
        waiting_changed(int): the number of faxes not yet submitted changed
            (after a pass or `refresh`).
        pass_finished(object): an `OutboxPass`, after every pass that ran.
    """

    waiting_changed = Signal(int)
    pass_finished = Signal(object)

    def __init__(
        self,
        pipeline: SendPipeline,
        parent: QObject | None = None,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        max_interval_ms: int = DEFAULT_MAX_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        if interval_ms < 1 or max_interval_ms < interval_ms:
            raise ValueError("need 1 <= interval_ms <= max_interval_ms")
        self._pipeline = pipeline
        self._base_interval = interval_ms
        self._max_interval = max_interval_ms
        self._interval = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_pass)
        self._stop = threading.Event()
        self._running = False
        self._again = False
        self._active = False
        self._waiting: int | None = None
        self._collector = CollectorPause()

    @property
    def waiting(self) -> int | None:
        """Faxes not yet submitted, as last counted (None before the first count)."""
        return self._waiting

    @property
    def running(self) -> bool:
        """True while a pass is under way."""
        return self._running

    @property
    def interval_ms(self) -> int:
        """The wait before the next pass: longer while the service cannot be reached."""
        return self._interval

    def start(self) -> None:
        """Run the first pass now (settling sends a crash left behind), then keep going."""
        self._active = True
        self._stop = threading.Event()
        self.retry_now()

    def stop(self) -> None:
        """No more passes; one under way ends before its next request and cancels nothing."""
        self._active = False
        self._timer.stop()
        self._stop.set()

    def retry_now(self) -> None:
        """Retry the outbox at once (after a pass under way, if there is one)."""
        if not self._active:
            return
        self._interval = self._base_interval
        if self._running:
            self._again = True
            return
        self._timer.stop()
        self._run_pass()

    def refresh(self) -> None:
        """Count the waiting faxes again, without sending (after a send left some waiting)."""
        run_task(
            waiting_faxes,
            self._pipeline.store,
            on_done=self._set_waiting,
            on_error=lambda exc: log.warning("Could not count the outbox: %s", exc),
            context=self,
        )

    def _run_pass(self) -> None:
        if self._running or not self._active:
            return
        self._running = True
        self._again = False
        self._collector.hold()
        run_task(
            outbox_pass,
            self._pipeline,
            self._stop,
            on_done=self._on_pass,
            on_error=self._on_pass_error,
            context=self,
        )

    def _on_pass(self, result: OutboxPass) -> None:
        self._running = False
        self._collector.release()
        if result.reached_service:
            self._interval = self._base_interval
        else:
            self._interval = min(self._interval * 2, self._max_interval)
        self._set_waiting(result.waiting)
        self.pass_finished.emit(result)
        self._schedule()

    def _on_pass_error(self, error: Exception) -> None:
        # Counting failed too (the job store could not be read): try again later.
        log.error("Outbox pass failed", exc_info=error)
        self._running = False
        self._collector.release()
        self._interval = min(self._interval * 2, self._max_interval)
        self._schedule()

    def _schedule(self) -> None:
        if not self._active:
            return
        if self._again:
            self._run_pass()
        else:
            self._timer.start(self._interval)

    def _set_waiting(self, count: int) -> None:
        if count != self._waiting:
            self._waiting = count
            self.waiting_changed.emit(count)
