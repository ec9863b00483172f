"""The outbox: faxes recorded but not (known to be) at the service yet, sent when it is reachable.

A request lands here when the service could not be reached, and stays
"submitting" when the app stopped mid-call. `retry_outbox` sends them again
(the UI calls it on a timer and when the connection returns): a request
that went out before is first looked up with FaxStatus and only resent when
the service has no record of it. Each request is rebuilt from the job store,
its files read again from where they were; a file that is gone fails that
request with a message naming it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from faxgui.api.models import SendFaxRequest
from faxgui.compose.pipeline import (
    FaxService,
    FileSources,
    PendingSend,
    ProgressCallback,
    SendInProgressError,
    SendPipeline,
    SendReport,
)
from faxgui.jobs.request_json import request_from_json
from faxgui.jobs.store import JobStore, SendRecord, SendState

WAITING_STATES = (SendState.OUTBOX, SendState.SUBMITTING)


def waiting_sends(store: JobStore) -> list[SendRecord]:
    """Every request not yet known to be at the service, oldest first."""
    return store.sends(states=WAITING_STATES)


def retry_outbox(
    pipeline: SendPipeline,
    *,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> SendReport:
    """Send what waits in the outbox for the account and service `client_factory` gives.

    Requests of other accounts or services stay where they are, as do those
    another pass is sending right now. Setting `stop` ends the pass before
    the next request and cancels nothing. Needs no client, and makes no
    call, when the outbox is empty.
    """
    store = pipeline.store
    if not waiting_sends(store):
        return SendReport(())
    client = pipeline.client_factory()
    try:
        candidates = [
            record
            for record in waiting_sends(store)
            if record.account == client.username and record.endpoint == client.endpoint
        ]
        with pipeline.claim([record.send_ref for record in candidates]) as claimed:
            # Re-read: a pass that just finished may have moved some of them on.
            records = [store.send(ref) for ref in claimed]
            files = FileSources()
            pending = [
                PendingSend(record, _rebuild(store, record.send_ref, files))
                for record in records
                if record is not None and record.state in WAITING_STATES
            ]
            return pipeline.deliver(
                client, pending, on_progress=on_progress, cancel=stop, cancel_keeps_waiting=True
            )
    finally:
        client.close()


def _rebuild(store: JobStore, send_ref: str, files: FileSources) -> Callable[[], SendFaxRequest]:
    return lambda: request_from_json(store.request_json(send_ref), files.read)


def cancel_waiting(
    pipeline: SendPipeline, send_ref: str, client: FaxService | None = None
) -> SendRecord:
    """Cancel a request in the outbox, unless it reached the service after all.

    A request that never went out is cancelled at once. One that went out
    before (and so may have arrived) is looked up first, with `client` or one
    from `client_factory`: if the service has it, it is recorded as submitted
    and returned so (stop it from the status panel instead); if the service
    cannot be asked, the MonopondError is raised and nothing changes.
    Raises SendInProgressError while a pass is sending it, SendStateError
    once it has finished.
    """
    store = pipeline.store
    with pipeline.claim([send_ref]) as claimed:
        if not claimed:
            raise SendInProgressError(send_ref)
        record = store.require_send(send_ref)
        if record.attempts == 0 or record.state.is_final:
            return store.mark_cancelled(send_ref, "Cancelled by the user.")
        own_client = client is None
        service = pipeline.client_factory() if client is None else client
        try:
            message_refs = [m.message_ref for m in store.messages(send_ref)]
            found = pipeline.arrival(service, send_ref, message_refs)
        finally:
            if own_client:
                service.close()
        if found is None:
            return store.mark_cancelled(send_ref, "Cancelled by the user.")
        if isinstance(found, str):
            return store.mark_failed(send_ref, found)
        return store.mark_submitted(send_ref, found.messages)
