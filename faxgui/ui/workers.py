"""`run_task`: a blocking call on the global thread pool, its outcome back on the GUI thread."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Pending:
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None]
    context: QObject | None


class _Dispatcher(QObject):
    """Lives in the GUI thread, so a signal a worker emits is queued to it.

    Signals:
        finished(int, object, object): task id, result, exception (None if it returned).
    """

    finished = Signal(int, object, object)

    def __init__(self) -> None:
        super().__init__()
        # Touched only on the GUI thread. Workers never hold the callbacks or the context
        # widget: a Qt object released on a worker thread is not safe to delete.
        self.pending: dict[int, _Pending] = {}
        self.finished.connect(self._deliver)

    @Slot(int, object, object)
    def _deliver(self, task_id: int, result: Any, error: Exception | None) -> None:
        pending = self.pending.pop(task_id)
        # The widget that asked may have been closed while the call was running.
        if pending.context is not None and not shiboken6.isValid(pending.context):
            return
        if error is not None:
            pending.on_error(error)
        else:
            pending.on_done(result)


_dispatcher: _Dispatcher | None = None
_task_ids = itertools.count()


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    context: QObject | None = None,
) -> None:
    """Call `fn(*args)` on `QThreadPool.globalInstance()`; then, on the GUI thread,
    `on_done(result)` or `on_error(exception)`.

    Call it from the GUI thread, and pass no Qt objects in `args`. With
    `context`, nothing is called back once that object has been deleted (a
    dialog closed before its answer came).
    """
    global _dispatcher
    if _dispatcher is None or not shiboken6.isValid(_dispatcher):
        _dispatcher = _Dispatcher()
        # Parented to the application so it is deleted with it, on the GUI thread.
        _dispatcher.setParent(QCoreApplication.instance())
    task_id = next(_task_ids)
    _dispatcher.pending[task_id] = _Pending(on_done, on_error, context)
    finished = _dispatcher.finished

    def work() -> None:
        try:
            result = fn(*args)
        except Exception as exc:
            log.debug("Background task failed", exc_info=exc)
            finished.emit(task_id, None, exc)
        else:
            finished.emit(task_id, result, None)

    QThreadPool.globalInstance().start(work)
