"""Sending a composer draft: checked, built and submitted on a worker, followed on the GUI thread.

A send goes through three steps. Checking (on a worker): the draft is
copied, its files are read once, the requests are built, and the pre-send
warnings are worked out (the same document to the same number in the last
30 minutes, a fax over its page limit). Confirming: when there are warnings
the controller waits for `confirm()` ("Send anyway") or `cancel()`. Sending
(on a worker): `SendPipeline.submit` records every request and sends them in
order, reporting progress, which the controller re-emits on the GUI thread.
One send at a time: a second `send()` while one runs is refused, and a draft
whose SendRef is already in the job store is refused too, so a wrong click
never sends a fax twice. The composer's draft is never changed: the worker
copies it first (a 10,000-recipient draft takes 30-50 ms to snapshot, too
long for the GUI thread), so it must not be edited until
`busy_changed(False)`; connect `busy_changed` to the composer's `set_busy`.

While a send is checked or sent, Python's automatic garbage collection is
held off (`CollectorPause`). Building and answering a 10,000-recipient
broadcast creates some hundred thousand objects, enough to start several
full collections, each of which stops every thread, the GUI thread
included, for 50-150 ms. Nearly all of those objects are freed by
reference counting when the send ends, so once collection resumes there is
little left for it to do.
"""

from __future__ import annotations

import enum
import gc
import logging
import sqlite3
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

from faxgui.ui.feedback import describe_error
from faxgui.ui.gui_gc import pause_collection, resume_collection
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.compose.draft import Draft
    from faxgui.compose.pipeline import SendJob, SendPipeline, SendReport
    from faxgui.compose.recent_sends import DraftDigests
    from faxgui.jobs.store import JobStore

log = logging.getLogger(__name__)

# Per-recipient page-limit warnings named one by one before they are summed up.
_RECIPIENT_WARNINGS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class PreparedSend:
    """A draft made ready on a worker: its requests, its documents' keys, and the warnings."""

    job: SendJob
    digests: DraftDigests
    warnings: tuple[str, ...]


def prepare_send(store: JobStore, composed: Draft) -> PreparedSend:
    """Copy, check and build the draft `composed`, which nobody edits meanwhile; blocks.

    Raises DraftBuildError or SendFileError for a draft that cannot be sent,
    and DuplicateSendRefError when its SendRef was used before (it was sent
    already), recording nothing.
    """
    # Imported here, on the worker: the compose modules bring in the imaging libraries.
    from faxgui.compose.draft import Draft
    from faxgui.compose.recent_sends import draft_digests, find_repeats, repeat_warnings
    from faxgui.compose.requests import build_send_job
    from faxgui.jobs.store import DuplicateSendRefError

    # Through JSON-ready data rather than JSON text: the C encoder and decoder would hold the
    # interpreter lock, and so the GUI thread, for a whole 10,000-recipient draft at a time.
    draft = Draft.from_json(composed.to_json())
    # Before building: it counts the pages of files never inspected, which the job records.
    page_warnings = page_limit_warnings(draft)
    job = build_send_job(draft)
    used = [ref for ref in job.send_refs if store.send(ref) is not None]
    if used:
        raise DuplicateSendRefError(used)
    digests = draft_digests(draft, job.files.read)
    repeats = repeat_warnings(find_repeats(store, draft, digests))
    return PreparedSend(job, digests, (*repeats, *page_warnings))


def page_limit_warnings(draft: Draft) -> list[str]:
    """The validation warnings about faxes over the page limit that will apply to them.

    Counts the pages of documents not counted yet (reads them: call it on a worker).
    """
    from faxgui.compose.phone import PhoneNormaliser, format_for_display
    from faxgui.compose.validation import validate

    # The region only affects the number checks, which the composer shows itself.
    problems = validate(draft, PhoneNormaliser(), inspect=True)
    pages = [p for p in problems if p.field == "max_fax_pages" and not p.is_error]
    warnings = [p.message for p in pages if p.recipient_index is None]
    per_recipient = [p for p in pages if p.recipient_index is not None]
    for problem in per_recipient[:_RECIPIENT_WARNINGS_SHOWN]:
        assert problem.recipient_index is not None
        recipient = draft.recipients[problem.recipient_index]
        who = recipient.name or format_for_display(recipient.normalised or recipient.fax_number)
        warnings.append(f"The fax to {who}: {problem.message}")
    rest = len(per_recipient) - _RECIPIENT_WARNINGS_SHOWN
    if rest > 0:
        warnings.append(
            f"{rest:,} more fax{'' if rest == 1 else 'es'} are over their page limit as well."
        )
    return warnings


def submit_prepared(
    pipeline: SendPipeline,
    prepared: PreparedSend,
    cancel: threading.Event,
    on_progress: Callable[[int, int, str], None],
) -> SendReport:
    """Submit a prepared send, recording its documents' keys once its requests are recorded."""
    from faxgui.compose.recent_sends import record_digests

    recorded = False

    def progress(done: int, total: int, message: str) -> None:
        nonlocal recorded
        # The pipeline reports progress only after it has recorded the broadcast, so the
        # digests can refer to its sends from the first report on. An exception here would
        # stop the pipeline mid-send: a failure only costs a later duplicate warning.
        if not recorded:
            recorded = True
            try:
                record_digests(pipeline.store, prepared.job, prepared.digests)
            except Exception:
                log.exception("Could not record what %s carries", prepared.job.broadcast_ref)
        try:
            on_progress(done, total, message)
        except RuntimeError:
            log.debug("Progress of %s had no one to go to", prepared.job.broadcast_ref)

    return pipeline.submit(prepared.job, on_progress=progress, cancel=cancel)


def describe_send_error(error: Exception) -> str:
    """The sentence for an error that stopped a send before the pipeline could run it."""
    from faxgui.compose.pipeline import SendFileError
    from faxgui.compose.requests import DraftBuildError
    from faxgui.jobs.store import DuplicateSendRefError, JobStoreError

    if isinstance(error, DraftBuildError | SendFileError):
        return error.user_message
    if isinstance(error, DuplicateSendRefError):
        return (
            f"This fax was sent already (its send reference {error.send_refs[0]} is in the "
            "fax history), so it was not sent again. To send the same fax once more, start "
            "it afresh so it gets new references."
        )
    if isinstance(error, JobStoreError | sqlite3.Error):
        log.error("The job store failed during a send", exc_info=error)
        return (
            f"faxgui could not write to its fax history ({error}), so the fax may not have "
            "been sent completely. Look in the fax history before sending it again, and free "
            "some disk space if the disk is full."
        )
    return describe_error(error)


_BUSY_SWITCH_INTERVAL = 0.001


class CollectorPause:
    """Keeps the GUI thread responsive while heavy work runs on a worker.

    Holds off automatic garbage collection (see the module docstring), and
    shortens the interpreter's thread switch interval from 5 ms to 1 ms: every
    time the GUI thread runs Python (a timer, a paint handler) it must win the
    interpreter lock back from the worker, and at 5 ms a frame needing it a
    few times waits tens of milliseconds.

    Use from the GUI thread only. Holds from several objects nest: collection
    resumes when the last is released, and only if it was on before the first.
    Each object holds at most once, so a release without a hold does nothing.
    """

    _holds = 0
    _was_enabled = False
    _switch_interval = 0.005

    def __init__(self) -> None:
        self._holding = False

    @property
    def holding(self) -> bool:
        return self._holding

    def hold(self) -> None:
        if self._holding:
            return
        self._holding = True
        if CollectorPause._holds == 0:
            CollectorPause._was_enabled = gc.isenabled()
            gc.disable()
            # The app collects on the GUI thread instead of automatically (see gui_gc).
            pause_collection()
            CollectorPause._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_BUSY_SWITCH_INTERVAL, CollectorPause._switch_interval))
        CollectorPause._holds += 1

    def release(self) -> None:
        if not self._holding:
            return
        self._holding = False
        CollectorPause._holds -= 1
        if CollectorPause._holds == 0:
            resume_collection()
            sys.setswitchinterval(CollectorPause._switch_interval)
            if CollectorPause._was_enabled:
                gc.enable()


class _Phase(enum.Enum):
    IDLE = enum.auto()
    CHECKING = enum.auto()
    CONFIRMING = enum.auto()
    SENDING = enum.auto()


class SendController(QObject):
    """Sends composer drafts, one at a time, off the GUI thread.

    Share its `pipeline` with the OutboxWatcher: a request is then only ever
    delivered by one of them at a time.

    Signals:
        checking(): `send` accepted a draft; its files are being read and checked.
        warnings_found(list): sentences to show before sending; answer with `confirm()`
            ("Send anyway") or `cancel()`.
        started(int): the draft became this many requests, now recorded and going out.
        progress(int, int, str): requests finished, requests in all, what is happening now.
        finished(object): the `SendReport` once the pipeline ran: each request submitted,
            waiting in the outbox, failed (with the reason) or cancelled.
        failed(str): nothing was sent; the sentence says what to fix. The draft is unchanged.
        abandoned(): cancelled before anything was recorded or sent.
        busy_changed(bool): a send began (True) or ended (False).
    """

    checking = Signal()
    warnings_found = Signal(list)
    started = Signal(int)
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    abandoned = Signal()
    busy_changed = Signal(bool)

    # Emitted on the worker thread, delivered queued to this object on the GUI thread.
    _worker_progress = Signal(int, int, str)

    def __init__(
        self,
        store: JobStore,
        client_factory: Callable[[], MonopondClient],
        parent: QObject | None = None,
        *,
        pipeline: SendPipeline | None = None,
    ) -> None:
        super().__init__(parent)
        if pipeline is None:
            from faxgui.compose.pipeline import SendPipeline

            pipeline = SendPipeline(client_factory, store)
        elif pipeline.store is not store:
            raise ValueError("the pipeline must use the same job store")
        self._pipeline = pipeline
        self._phase = _Phase.IDLE
        self._cancel = threading.Event()
        self._prepared: PreparedSend | None = None
        self._fax_counts: dict[str, int] = {}
        self._collector = CollectorPause()
        self._worker_progress.connect(self._relay_progress, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ state

    @property
    def pipeline(self) -> SendPipeline:
        return self._pipeline

    @property
    def busy(self) -> bool:
        """True from `send` until `finished`, `failed` or `abandoned`."""
        return self._phase is not _Phase.IDLE

    @property
    def awaiting_confirmation(self) -> bool:
        """True while the warnings are shown and nothing has been recorded yet."""
        return self._phase is _Phase.CONFIRMING

    @property
    def cancelling(self) -> bool:
        """True once Cancel was pressed during a send that has not ended yet."""
        return self._phase is _Phase.SENDING and self._cancel.is_set()

    @property
    def fax_counts(self) -> Mapping[str, int]:
        """The faxes in each request of the current (or last) send, by SendRef, in order."""
        return dict(self._fax_counts)

    # ------------------------------------------------------------------ actions

    def send(self, draft: Draft) -> bool:
        """Check `draft` and send it, unless a send is under way (then False, nothing happens).

        The draft is copied on a worker: leave it unchanged until `busy_changed(False)`.
        """
        if self._phase is not _Phase.IDLE:
            log.info("Send refused: another send is under way")
            return False
        self._collector.hold()
        self._cancel = threading.Event()
        self._prepared = None
        self._fax_counts = {}
        self._phase = _Phase.CHECKING
        self.busy_changed.emit(True)
        self.checking.emit()
        run_task(
            prepare_send,
            self._pipeline.store,
            draft,
            on_done=self._on_prepared,
            on_error=self._on_error,
            context=self,
        )
        return True

    def confirm(self) -> bool:
        """Send anyway, after `warnings_found`; False when there was nothing to confirm."""
        if self._phase is not _Phase.CONFIRMING or self._prepared is None:
            return False
        self._collector.hold()
        self._submit(self._prepared)
        return True

    def cancel(self) -> None:
        """Stop the send: before it starts nothing is recorded; once sending, the request on
        the wire finishes and the ones not yet sent are cancelled."""
        if self._phase is _Phase.CONFIRMING:
            self._end()
            self.abandoned.emit()
        elif self._phase in (_Phase.CHECKING, _Phase.SENDING):
            self._cancel.set()

    # ------------------------------------------------------------------ steps

    def _on_prepared(self, prepared: PreparedSend) -> None:
        if self._cancel.is_set():
            self._end()
            self.abandoned.emit()
            return
        self._prepared = prepared
        self._fax_counts = {
            request.send_ref or "": len(request.fax_messages) for request in prepared.job.requests
        }
        if prepared.warnings:
            self._phase = _Phase.CONFIRMING
            # The user may take a while to answer; nothing runs meanwhile.
            self._collector.release()
            self.warnings_found.emit(list(prepared.warnings))
        else:
            self._submit(prepared)

    def _submit(self, prepared: PreparedSend) -> None:
        self._phase = _Phase.SENDING
        self.started.emit(len(prepared.job.requests))
        run_task(
            submit_prepared,
            self._pipeline,
            prepared,
            self._cancel,
            self._worker_progress.emit,
            on_done=self._on_sent,
            on_error=self._on_error,
            context=self,
        )

    @Slot(int, int, str)
    def _relay_progress(self, done: int, total: int, message: str) -> None:
        if self._phase is _Phase.SENDING:
            self.progress.emit(done, total, message)

    def _on_sent(self, report: SendReport) -> None:
        self._end()
        self.finished.emit(report)

    def _on_error(self, error: Exception) -> None:
        self._end()
        self.failed.emit(describe_send_error(error))

    def _end(self) -> None:
        self._collector.release()
        self._phase = _Phase.IDLE
        self._prepared = None
        self.busy_changed.emit(False)
