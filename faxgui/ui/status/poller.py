"""Follows unfinished faxes: FaxStatus for what the poll plan says is due, merged off the GUI.

One poll at a time, on a worker: it asks the history what is unfinished,
asks the poll plan which references are due (the widest reference that
covers them, backing off for quiet and far-scheduled work), calls FaxStatus
(verbosity "results") for each, merges every answer into the history and
reads back the rows that changed. The GUI thread only receives those rows.
The next poll is timed by the plan; when nothing is unfinished the timer
stops, and `wake()` (a new send, an action, a tracked reference) starts it
again. `refresh()` polls everything unfinished now. When the service cannot
be reached the poll ends early and says so; the plan backs off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from faxgui.ui.send_controller import CollectorPause
from faxgui.ui.status.loading import Changes, load_changes
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.jobs.history import JobHistory
    from faxgui.jobs.poll_plan import PollPlanner

log = logging.getLogger(__name__)

# Never sooner than this after the last poll ended, whatever the plan says (a burst of
# wake-ups, a plan whose due time has already passed).
MIN_GAP_MS = 500
# Never longer than this without looking again (the plan says when in the normal case).
MAX_WAIT_MS = 10 * 60_000


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll did: the rows that changed, what is left, and what went wrong.

    `error` is the first error that ended the poll (the service could not be
    reached, the account is missing); `next_due` is when the plan wants the
    next poll (None: nothing unfinished is left to follow).
    """

    changes: Changes = field(default_factory=Changes)
    polled: int = 0
    unfinished: int = 0
    next_due: datetime | None = None
    error: Exception | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def run_poll(
    history: JobHistory,
    client_factory: Callable[[], MonopondClient],
    planner: PollPlanner,
    everything: bool,
    clock: Callable[[], datetime] = _now,
) -> PollResult:
    """One poll; blocks. `everything`: every unfinished reference now, not only those due."""
    from faxgui.api.errors import MonopondError, NoMessagesFoundFault, ServiceFault

    work = history.unfinished_work()
    if not work:
        return PollResult()
    try:
        client = client_factory()
    except Exception as exc:
        # No account in Settings, an address that is not allowed: nothing can be asked.
        return PollResult(unfinished=len(work), next_due=None, error=exc)
    changed: set[int] = set()
    added: set[int] = set()
    merges = []
    polled = 0
    error: Exception | None = None
    try:
        mine = [w for w in work if (w.account, w.endpoint) == (client.username, client.endpoint)]
        targets = planner.all_targets(mine) if everything else planner.due(mine, clock())
        for target in targets:
            request = target.request()
            asked_at = clock()
            try:
                answer = client.fax_status(request)
            except NoMessagesFoundFault:
                # The service no longer knows it (its records expire): back off, keep the rows.
                log.info("The service has no faxes for %s %s", target.kind, target.ref)
                planner.record_failure(target, clock())
                continue
            except ServiceFault as exc:
                log.warning("FaxStatus for %s failed: %s", target.ref, exc)
                planner.record_failure(target, clock())
                continue
            except MonopondError as exc:
                # The service cannot be reached (or refused the account): stop asking for now.
                planner.record_failure(target, clock())
                error = exc
                break
            merged = history.merge(
                answer,
                account=client.username,
                endpoint=client.endpoint,
                selection=request,
                observed_at=asked_at,
            )
            planner.record_success(target, clock())
            polled += 1
            changed |= merged.changed_messages
            added |= merged.added_messages
            merges.append(merged)
    finally:
        client.close()
    left = [w for w in history.unfinished_work() if (w.account, w.endpoint) == _who(client)]
    changes = (
        load_changes(history, changed, added=bool(added), known=history.changed_rows(*merges))
        if changed
        else Changes()
    )
    return PollResult(
        changes=changes,
        polled=polled,
        unfinished=sum(len(w.message_refs) for w in left),
        next_due=planner.next_due(left, clock()),
        error=error,
    )


def _who(client: Any) -> tuple[str, str]:
    return (client.username, client.endpoint)


class StatusPoller(QObject):
    """Polls the fax service for unfinished faxes, one poll at a time, off the GUI thread.

    Signals:
        poll_started(): a poll began (the panel may show "Checking…").
        polled(object): a `PollResult`, after every poll that ran.
        reachable_changed(object): after a poll that asked the service: None when it
            answered, else the error that stopped it (it could not be reached, refused
            the account).
        following_changed(int): how many unfinished faxes are being followed.
    """

    poll_started = Signal()
    polled = Signal(object)
    reachable_changed = Signal(object)
    following_changed = Signal(int)

    def __init__(
        self,
        history: JobHistory,
        client_factory: Callable[[], MonopondClient],
        parent: QObject | None = None,
        *,
        planner: PollPlanner | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        super().__init__(parent)
        if planner is None:
            from faxgui.jobs.poll_plan import PollPlanner

            planner = PollPlanner()
        self._history = history
        self._client_factory = client_factory
        self._planner = planner
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self._run(everything=False))
        self._active = False
        self._running = False
        self._again: bool | None = None  # after the running poll: None, or `everything`
        self._reachable: bool | None = None
        self._following = -1
        self._collector = CollectorPause()

    @property
    def running(self) -> bool:
        """True while a poll is under way."""
        return self._running

    @property
    def active(self) -> bool:
        return self._active

    @property
    def scheduled(self) -> bool:
        """True while a next poll is timed (False once nothing unfinished is left)."""
        return self._timer.isActive()

    @property
    def reachable(self) -> bool | None:
        """Whether the last poll reached the service (None before the first one asked it)."""
        return self._reachable

    def start(self) -> None:
        """Follow what is unfinished: poll now (faxes left unfinished last time resume)."""
        self._active = True
        self.wake()

    def stop(self) -> None:
        """No more polls; one under way finishes (its answer is still merged)."""
        self._active = False
        self._timer.stop()

    def wake(self) -> None:
        """Something new to follow (a send, an action, a tracked reference): poll soon."""
        self._request(everything=False)

    def refresh(self) -> None:
        """Ask about every unfinished fax now (the Refresh button)."""
        self._request(everything=True)

    def _request(self, *, everything: bool) -> None:
        if not self._active:
            return
        if self._running:
            self._again = everything or bool(self._again)
            return
        self._timer.stop()
        self._run(everything=everything)

    def _run(self, *, everything: bool) -> None:
        if self._running or not self._active:
            return
        self._running = True
        self._again = None
        self._collector.hold()
        self.poll_started.emit()
        run_task(
            run_poll,
            self._history,
            self._client_factory,
            self._planner,
            everything,
            self._clock,
            on_done=self._on_done,
            on_error=self._on_error,
            context=self,
        )

    def _on_done(self, result: PollResult) -> None:
        self._running = False
        self._collector.release()
        if result.error is not None:
            self._set_reachable(False, result.error)
        elif result.polled:
            self._set_reachable(True, None)
        if result.unfinished != self._following:
            self._following = result.unfinished
            self.following_changed.emit(result.unfinished)
        self.polled.emit(result)
        self._schedule(result)

    def _on_error(self, error: Exception) -> None:
        # The history could not be read or written (a full disk): try again later.
        log.error("A status poll failed", exc_info=error)
        self._running = False
        self._collector.release()
        self._schedule(PollResult(next_due=self._clock(), error=error))

    def _schedule(self, result: PollResult) -> None:
        if not self._active:
            return
        if self._again is not None:
            everything = self._again
            self._timer.stop()
            self._run(everything=everything)
            return
        if result.next_due is None:
            if result.error is not None and result.unfinished:
                # Cannot ask now (no account yet, unreachable): look again later.
                self._timer.start(MAX_WAIT_MS // 10)
            return
        wait = (result.next_due - self._clock()).total_seconds() * 1000
        self._timer.start(int(min(max(wait, MIN_GAP_MS), MAX_WAIT_MS)))

    def _set_reachable(self, reachable: bool, error: Exception | None) -> None:
        self._reachable = reachable
        self.reachable_changed.emit(error)
