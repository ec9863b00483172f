"""Did this document just go to this number? The pre-send warning about sending a fax twice.

A document is known by its content: the SHA-256 of its file, and also
"ref:" plus its DocumentRef when it is (or is saved as) a document kept on
the service, so a file and the saved copy of it are recognised as one. When
a draft is submitted, the keys of the documents each fax carries are
recorded with the send (`record_digests`); before the next send,
`find_repeats` looks for any recipient of the new draft who was sent one of
the same documents in the last 30 minutes, or who is still waiting in the
outbox for one. Reading the files for their digests is the caller's
worker's job; the rest is one query (`JobStore.deliveries`) and a dict
lookup per fax and document: 0.2-0.3 s for ten thousand recipients
against a ten-thousand-fax history. Keys are recorded per request, not per
fax: a document shared by a request's faxes is one row. Qt-free.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faxgui.compose.draft import Draft, DraftDocument
from faxgui.compose.phone import format_for_display
from faxgui.compose.pipeline import SendJob
from faxgui.jobs.store import DocumentDigest, JobStore, SendState

DUPLICATE_WINDOW = timedelta(minutes=30)
"""How far back a fax of the same document to the same number counts as a likely mistake."""

_NUMBERS_SHOWN = 3

ReadFile = Callable[[Path], bytes]


def content_key(data: bytes) -> str:
    """The key of a document's content: "sha256:" and the hex digest of its bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def saved_document_key(document_ref: str) -> str:
    """The key of a document kept on the service under `document_ref`."""
    return "ref:" + document_ref


@dataclass(frozen=True, slots=True)
class DocumentKeys:
    """One document of a draft: its name for messages and every key it is known by."""

    label: str
    keys: tuple[str, ...]


def document_keys(document: DraftDocument, read: ReadFile) -> DocumentKeys:
    """The keys of `document`, reading its file with `read` (raises what `read` raises)."""
    keys: list[str] = []
    if document.path is not None:
        keys.append(content_key(read(document.path)))
    ref = document.wire_document_ref
    if ref:
        keys.append(saved_document_key(ref))
    return DocumentKeys(document.label, tuple(keys))


@dataclass(frozen=True, slots=True)
class DraftDigests:
    """The documents of a draft by key: the shared ones, and each recipient's own by MessageRef."""

    shared: tuple[DocumentKeys, ...]
    own: Mapping[str, tuple[DocumentKeys, ...]]

    def for_message(self, message_ref: str) -> tuple[DocumentKeys, ...]:
        """What the fax with `message_ref` carries: its own documents, else the shared ones."""
        return self.own.get(message_ref) or self.shared


def draft_digests(draft: Draft, read: ReadFile) -> DraftDigests:
    """The keys of every document of `draft`; reads its files, so call it on a worker.

    Pass `SendJob.files.read` after `build_send_job` so each file is read once.
    """
    return DraftDigests(
        shared=tuple(document_keys(d, read) for d in draft.documents),
        own={
            r.message_ref: tuple(document_keys(d, read) for d in r.documents)
            for r in draft.recipients
            if r.documents
        },
    )


def digest_rows(job: SendJob, digests: DraftDigests) -> list[DocumentDigest]:
    """Rows saying what each request of `job` carries, for `JobStore.add_document_digests`."""
    rows: list[DocumentDigest] = []
    shared = sorted({key for document in digests.shared for key in document.keys})
    for request in job.requests:
        send_ref = request.send_ref or ""
        if any(m.message_ref not in digests.own for m in request.fax_messages):
            rows += [DocumentDigest(send_ref, key) for key in shared]
        for message in request.fax_messages:
            own = digests.own.get(message.message_ref, ())
            keys = sorted({key for document in own for key in document.keys})
            rows += [DocumentDigest(send_ref, key, message.message_ref) for key in keys]
    return rows


def record_digests(store: JobStore, job: SendJob, digests: DraftDigests) -> int:
    """Record what the requests of `job`, already in `store`, carry; returns the rows added."""
    return store.add_document_digests(digest_rows(job, digests))


@dataclass(frozen=True, slots=True)
class Repeat:
    """A recipient of the draft who was just sent (or is about to be sent) the same document."""

    recipient_index: int
    number: str
    name: str
    document: str
    when: datetime
    broadcast_ref: str
    waiting: bool


def find_repeats(
    store: JobStore,
    draft: Draft,
    digests: DraftDigests,
    *,
    now: datetime | None = None,
    window: timedelta = DUPLICATE_WINDOW,
) -> list[Repeat]:
    """Every recipient of `draft` who got one of its documents within `window`, or will.

    One `Repeat` per recipient and document, naming the latest earlier send.
    Recipients whose number is not valid are skipped (they cannot be sent to).
    """
    moment = now or datetime.now(UTC)
    latest: dict[tuple[str, str], tuple[datetime, str, bool]] = {}
    for delivery in store.deliveries(moment - window):
        key = (delivery.send_to, delivery.digest)
        waiting = delivery.state is not SendState.SUBMITTED
        earlier = latest.get(key)
        if earlier is None or delivery.when > earlier[0]:
            latest[key] = (delivery.when, delivery.broadcast_ref, waiting)
    if not latest:
        return []
    repeats: list[Repeat] = []
    for index, recipient in enumerate(draft.recipients):
        number = recipient.normalised
        if number is None:
            continue
        for document in digests.for_message(recipient.message_ref):
            found = [latest[number, k] for k in document.keys if (number, k) in latest]
            if found:
                when, broadcast_ref, waiting = max(found)
                repeats.append(
                    Repeat(
                        index,
                        number,
                        recipient.name,
                        document.label,
                        when,
                        broadcast_ref,
                        waiting,
                    )
                )
    return repeats


def repeat_warnings(
    repeats: Sequence[Repeat], *, now: datetime | None = None, window: timedelta = DUPLICATE_WINDOW
) -> list[str]:
    """One sentence per document that would go to someone twice, naming who and when."""
    moment = now or datetime.now(UTC)
    by_document: dict[str, list[Repeat]] = {}
    for repeat in repeats:
        by_document.setdefault(repeat.document, []).append(repeat)
    warnings: list[str] = []
    minutes = int(window.total_seconds() // 60)
    for document, group in by_document.items():
        sent = [r for r in group if not r.waiting]
        waiting = [r for r in group if r.waiting]
        if sent:
            newest = max(r.when for r in sent)
            if len(sent) == 1:
                warnings.append(
                    f"{document} already went to {_who(sent[0])} {_ago(newest, moment)}."
                )
            else:
                warnings.append(
                    f"{document} already went to {len(sent):,} of these numbers in the last "
                    f"{minutes} minutes, most recently {_ago(newest, moment)}: {_some(sent)}."
                )
        if waiting:
            if len(waiting) == 1:
                warnings.append(
                    f"{document} is already waiting in the outbox to go to {_who(waiting[0])}."
                )
            else:
                warnings.append(
                    f"{document} is already waiting in the outbox to go to {len(waiting):,} of "
                    f"these numbers: {_some(waiting)}."
                )
    return warnings


def _who(repeat: Repeat) -> str:
    shown = format_for_display(repeat.number)
    return f"{repeat.name} ({shown})" if repeat.name else shown


def _some(group: Sequence[Repeat]) -> str:
    """The first few recipients by name and number, then how many more."""
    shown = [_who(r) for r in group[:_NUMBERS_SHOWN]]
    rest = len(group) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest:,} more"
    return ", ".join(shown[:-1]) + f" and {shown[-1]}"


def _ago(when: datetime, now: datetime) -> str:
    minutes = max(0, int((now - when).total_seconds() // 60))
    clock = when.astimezone().strftime("%H:%M")
    if minutes == 0:
        return f"at {clock}, less than a minute ago"
    return f"at {clock}, {minutes} minute{'' if minutes == 1 else 's'} ago"
