"""From a composer draft to the SendFax requests that carry it: split, shared, and read once.

More than `MAX_MESSAGES_PER_REQUEST` recipients become several requests that
share the BroadcastRef, each with its own SendRef. The draft's documents
travel once at each request's root, never copied into every message (the
vendor's advice: ten thousand copies of a 5 MB file would be 67 GB of
base64), and the draft's options sit at the root too; a message carries
only what its recipient changes. Each file is read once, on the calling
(worker) thread, and its bytes are shared by every request that sends it.
A file whose copy was saved for a preview, and is unchanged since, goes by
that copy's DocumentRef when the pipeline finds the copy fits the service
and account the fax goes to (`SendJob.saved_copies`).
"""

from __future__ import annotations

from collections.abc import Sequence

from faxgui.api.models import FaxDocument, FaxMessage, SendFaxRequest
from faxgui.compose.draft import OPTION_NAMES, Draft, DraftDocument, Recipient, SavedCopy
from faxgui.compose.pipeline import FileSources, SendJob
from faxgui.compose.preview import copy_for_send
from faxgui.compose.refs import send_ref_for

MAX_MESSAGES_PER_REQUEST = 600


class DraftBuildError(ValueError):
    """A draft that cannot become requests; `user_message` says what to fix."""

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


def send_refs_for(draft: Draft, count: int) -> list[str]:
    """The SendRefs of a draft split into `count` requests.

    The first is the draft's own SendRef; the others are numbered under the
    BroadcastRef (`...-S2`, `...-S3`), the way the first one is generated.
    """
    refs = [draft.send_ref, *(send_ref_for(draft.broadcast_ref, k) for k in range(2, count + 1))]
    if len(set(refs)) != len(refs):
        raise DraftBuildError(
            f"The send reference {draft.send_ref} clashes with the references of the other "
            "parts of this broadcast. Choose a different send reference."
        )
    return refs


def build_requests(
    draft: Draft, files: FileSources, *, max_messages: int = MAX_MESSAGES_PER_REQUEST
) -> list[SendFaxRequest]:
    """The SendFax requests for `draft`, reading its files through `files`.

    Raises DraftBuildError for a draft that cannot be sent as it is (no
    recipients, a number that is not valid, missing references), and
    SendFileError for a file that cannot be read.
    """
    if max_messages < 1:
        raise ValueError("max_messages must be at least 1")
    _check(draft)
    chunks = [
        draft.recipients[start : start + max_messages]
        for start in range(0, len(draft.recipients), max_messages)
    ]
    send_refs = send_refs_for(draft, len(chunks))
    shared = [_document(d, files) for d in draft.documents]
    # A document saved for reuse is uploaded by the first request that carries it;
    # later requests of the broadcast use its DocumentRef (a second upload under the
    # same reference would be refused).
    uploaded: set[str] = set()
    requests: list[SendFaxRequest] = []
    for send_ref, chunk in zip(send_refs, chunks, strict=True):
        messages = [_message(draft, recipient, files, uploaded) for recipient in chunk]
        request = SendFaxRequest(
            fax_messages=messages, broadcast_ref=draft.broadcast_ref, send_ref=send_ref
        )
        draft.options.apply_to(request)
        # Documents nobody in this request inherits would be uploaded for nothing.
        if any(not message.documents for message in messages):
            request.documents = [_once(d, uploaded) for d in shared]
        _mark_uploaded(request.documents, uploaded)
        for message in messages:
            _mark_uploaded(message.documents, uploaded)
        requests.append(request)
    return requests


def build_send_job(draft: Draft, *, max_messages: int = MAX_MESSAGES_PER_REQUEST) -> SendJob:
    """Everything the pipeline needs to submit `draft`: its requests, files, names and pages.

    Reads every file: call it on a worker thread.
    """
    files = FileSources()
    requests = build_requests(draft, files, max_messages=max_messages)
    saved_copies: dict[str, SavedCopy] = {}
    for document in draft.all_documents():
        if document.path is None or document.saved_copy is None:
            continue
        copy = copy_for_send(document, files.read(document.path))
        path = files.path_of(files.read(document.path))
        if copy is not None and path is not None:
            saved_copies[path] = copy
    page_counts = {
        key: document.page_count
        for document in draft.all_documents()
        if document.page_count is not None
        for key in (
            document.file_name,
            document.document_ref,
            document.saved_copy.document_ref if document.saved_copy else None,
        )
        if key
    }
    return SendJob(
        requests=requests,
        files=files,
        recipient_names={r.message_ref: r.name for r in draft.recipients if r.name},
        page_counts=page_counts,
        draft_json=draft.dumps(),
        saved_copies=saved_copies,
    )


def _check(draft: Draft) -> None:
    if not draft.recipients:
        raise DraftBuildError("Add at least one recipient.")
    if not draft.broadcast_ref.strip() or not draft.send_ref.strip():
        raise DraftBuildError("The broadcast and send references must not be empty.")
    for position, recipient in enumerate(draft.recipients, 1):
        if not recipient.normalised:
            who = recipient.name or recipient.fax_number or f"recipient {position}"
            raise DraftBuildError(f"The fax number of {who} is not valid.")
        if not recipient.message_ref.strip():
            raise DraftBuildError(f"Recipient {position} has no message reference.")
    repeated = draft.duplicate_message_refs()
    if repeated:
        ref = draft.recipients[min(repeated)].message_ref
        raise DraftBuildError(f"The message reference {ref} is used more than once.")


def _document(document: DraftDocument, files: FileSources) -> FaxDocument:
    data = None if document.path is None else files.read(document.path)
    return document.to_fax_document(data)


def _once(document: FaxDocument, uploaded: set[str]) -> FaxDocument:
    """`document`, by its DocumentRef alone if an earlier request already saved it."""
    ref = document.document_ref
    if ref is None or document.file_data is None or ref not in uploaded:
        return document
    return FaxDocument(
        document_ref=ref,
        order=document.order,
        dithering_technique=document.dithering_technique,
        doc_merge_data=list(document.doc_merge_data),
        stamp_merge_data=list(document.stamp_merge_data),
    )


def _mark_uploaded(documents: Sequence[FaxDocument], uploaded: set[str]) -> None:
    uploaded.update(d.document_ref for d in documents if d.document_ref and d.file_data)


def _message(
    draft: Draft, recipient: Recipient, files: FileSources, uploaded: set[str]
) -> FaxMessage:
    message = FaxMessage(message_ref=recipient.message_ref, send_to=recipient.normalised or "")
    for name in OPTION_NAMES:
        own = getattr(recipient.overrides, name)
        if own is not None and own != getattr(draft.options, name):
            setattr(message, name, own)
    message.documents = [_once(_document(d, files), uploaded) for d in recipient.documents]
    return message
