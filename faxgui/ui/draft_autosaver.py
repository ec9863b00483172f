"""Keeps the composer's draft on disk as it is edited: debounced, written off the GUI thread.

Connect the composer's `draft_changed` to `schedule()`. Once the edits
pause for `delay_ms` (or at the latest `max_delay_ms` after the first unsaved
edit, so a long burst of typing is not left unsaved), the draft's snapshot
is taken on the GUI thread, which is cheap, and written by a worker through
`DraftAutosave`. Writes go out one at a time, newest last, so an older
draft never lands on top of a newer one. At quit, `flush()` writes what is
left; at start-up, `restore()` brings the draft back; "New fax" calls
`clear()` once the user has agreed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.compose.autosave import DraftAutosave
    from faxgui.compose.draft import Draft

log = logging.getLogger(__name__)

DEFAULT_DELAY_MS = 800
DEFAULT_MAX_DELAY_MS = 5_000
# How long flush() and clear() wait for a write under way (they run at quit or after a question).
_WAIT_FOR_WRITE_S = 10.0

_CLEAR = None  # the queued operation that removes the saved draft


def _write(autosave: DraftAutosave, snapshot: bytes | None, done: threading.Event) -> bool:
    try:
        if snapshot is None:
            autosave.clear()
            return False
        return autosave.write(snapshot)
    finally:
        done.set()


class DraftAutosaver(QObject):
    """Autosaves the draft `draft_source()` returns, a moment after each change.

    Signals:
        saved(): a newer draft is on disk.
        failed(str): a save failed; the sentence says why and that the draft is not
            protected until a save works again.
    """

    saved = Signal()
    failed = Signal(str)

    def __init__(
        self,
        draft_source: Callable[[], Draft],
        parent: QObject | None = None,
        *,
        autosave: DraftAutosave | None = None,
        delay_ms: int = DEFAULT_DELAY_MS,
        max_delay_ms: int = DEFAULT_MAX_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        if autosave is None:
            from faxgui.compose.autosave import DraftAutosave

            autosave = DraftAutosave()
        self._source = draft_source
        self._autosave = autosave
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._save_now)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max_delay_ms)
        self._deadline.timeout.connect(self._save_now)
        self._dirty = False
        # Operations for the worker, oldest first: a snapshot to write, or _CLEAR.
        self._queue: list[bytes | None] = []
        self._writing: threading.Event | None = None

    @property
    def path(self) -> Path:
        return self._autosave.path

    @property
    def warnings(self) -> list[str]:
        """What went wrong restoring the draft (moved aside, unreadable), as sentences."""
        return list(self._autosave.warnings)

    @property
    def pending(self) -> bool:
        """True while an edit is not on disk yet (waiting for the pause, or being written)."""
        return self._dirty or bool(self._queue) or self._writing is not None

    # ------------------------------------------------------------------ API

    def schedule(self) -> None:
        """The draft changed: save it once the edits pause."""
        self._dirty = True
        self._timer.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def flush(self) -> None:
        """Write any unsaved change now, on this thread (at quit); waits for a write under way."""
        self._timer.stop()
        self._deadline.stop()
        snapshot = self._source().snapshot() if self._dirty else None
        self._dirty = False
        clear_first = _CLEAR in self._queue
        self._queue.clear()
        self._wait_for_write()
        try:
            if clear_first:
                self._autosave.clear()
            if snapshot is not None and self._autosave.write(snapshot):
                self.saved.emit()
        except OSError as exc:
            self._report(exc)

    def restore(self) -> Draft | None:
        """The draft saved last time, or None (see `warnings` for why, if it was unreadable).

        Reads the file on this thread: call it at start-up, before the window is shown.
        """
        return self._autosave.load()

    def clear(self) -> None:
        """Forget the saved draft ("New fax", after the user agreed); unsaved edits are dropped."""
        self._timer.stop()
        self._deadline.stop()
        self._dirty = False
        self._queue = [_CLEAR]
        self._pump()

    # ------------------------------------------------------------------ writing

    def _save_now(self) -> None:
        self._timer.stop()
        self._deadline.stop()
        if not self._dirty:
            return
        self._dirty = False
        snapshot = self._source().snapshot()
        # A write still queued is older than this one: only the newest needs to go out.
        self._queue = [op for op in self._queue if op is _CLEAR] + [snapshot]
        self._pump()

    def _pump(self) -> None:
        if self._writing is not None or not self._queue:
            return
        operation = self._queue.pop(0)
        self._writing = threading.Event()
        run_task(
            _write,
            self._autosave,
            operation,
            self._writing,
            on_done=self._on_written,
            on_error=self._on_error,
            context=self,
        )

    def _on_written(self, wrote: bool) -> None:
        self._writing = None
        if wrote:
            self.saved.emit()
        self._pump()

    def _on_error(self, error: Exception) -> None:
        self._writing = None
        if isinstance(error, OSError):
            self._report(error)
        else:
            log.error("Autosave failed", exc_info=error)
            self.failed.emit(
                f"The draft could not be saved ({error}). Your changes are not protected "
                "against a crash until it can be."
            )
        self._pump()

    def _wait_for_write(self) -> None:
        writing = self._writing
        if writing is not None and not writing.wait(_WAIT_FOR_WRITE_S):
            log.warning("A draft save did not finish within %s s", _WAIT_FOR_WRITE_S)

    def _report(self, error: OSError) -> None:
        reason = error.strerror or error.__class__.__name__
        self.failed.emit(
            f"The draft could not be saved to {self._autosave.path.parent} ({reason}). "
            "Your changes are not protected against a crash until it can be: free some disk "
            "space, or check that the folder can be written to."
        )
