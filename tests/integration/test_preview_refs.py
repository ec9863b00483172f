"""Preview copies against the real sandbox: saved once, reused by previews and the send, deleted.

Every fault a preview can meet is met here through the real client: each
ends as a PreviewError whose sentence says what happened and what to do.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from faxgui.api import MonopondClient
from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.errors import (
    AuthenticationError,
    ConnectionFailedError,
    DocumentContentTypeNotFoundFault,
    DocumentRefDoesNotExistFault,
    InternalServerFault,
    MalformedResponseError,
    MergeFieldDoesNotMatchDocumentTypeFault,
    NotConnectedError,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    DocMergeData,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    FaxStatusResponse,
    SaveFaxDocumentRequest,
    SendFaxRequest,
)
from faxgui.compose.draft import Draft, DraftDocument, SavedCopy
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.pipeline import SendPipeline
from faxgui.compose.preview import (
    PreviewCache,
    PreviewError,
    PreviewJob,
    content_digest,
    delete_saved_copies,
    discard_saved_copies,
    make_preview,
)
from faxgui.compose.requests import build_send_job
from faxgui.jobs.store import JobStore, SendState
from faxgui.sandbox.accounts import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    RECEPTIONIST_PASSWORD,
    RECEPTIONIST_USERNAME,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import DropPoint, SandboxServer

FAST = 1000.0
LETTER_LINES = {Resolution.NORMAL: 1078, Resolution.FINE: 2156}


class RecordingEngine(SandboxEngine):
    """The real sandbox engine, keeping every document request and SendFax that reaches it.

    `preview_fault`, when set, is raised by FaxDocumentPreview instead of
    answering; `preview_answer` replaces a proper answer (a bad one).
    """

    def __init__(self, clock: ManualClock | None = None) -> None:
        super().__init__(speed=FAST, clock=clock)
        self.saves: list[SaveFaxDocumentRequest] = []
        self.deletes: list[str] = []
        self.previews: list[FaxDocumentPreviewRequest] = []
        self.sends: list[SendFaxRequest] = []
        self.preview_fault: Exception | None = None
        self.preview_answer: FaxDocumentPreviewResponse | None = None
        self.preview_gate: threading.Event | None = None
        self.preview_arrived = threading.Event()

    def save_fax_document(self, account: str, req: SaveFaxDocumentRequest) -> None:
        self.saves.append(req)
        super().save_fax_document(account, req)

    def delete_fax_document(self, account: str, req: DeleteFaxDocumentRequest) -> None:
        self.deletes.append(req.document_ref)
        super().delete_fax_document(account, req)

    def fax_document_preview(
        self, account: str, req: FaxDocumentPreviewRequest
    ) -> FaxDocumentPreviewResponse:
        self.previews.append(req)
        self.preview_arrived.set()
        if self.preview_gate is not None:
            self.preview_gate.wait(10)
        if self.preview_fault is not None:
            raise self.preview_fault
        answer = super().fax_document_preview(account, req)
        return self.preview_answer or answer

    def send_fax(self, account: str, req: SendFaxRequest) -> FaxStatusResponse:
        self.sends.append(req)
        return super().send_fax(account, req)

    def has_document(self, account: str, document_ref: str) -> bool:
        with self._lock:
            return self._account(account).documents.contains(document_ref, self._now())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def engine(clock: ManualClock) -> RecordingEngine:
    return RecordingEngine(clock)


@pytest.fixture
def sandbox(engine: RecordingEngine) -> Iterator[SandboxServer]:
    server = SandboxServer("127.0.0.1", 0, engine=engine)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[MonopondClient]:
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as client:
        yield client


@pytest.fixture
def cache() -> PreviewCache:
    return PreviewCache()


def write_pdf(path: Path, pages: int = 1, grey: float | None = None) -> Path:
    """A real Letter PDF with text on each page (and a grey block when `grey` is given)."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), f"Page {number} of the referral", fontsize=24)
        if grey is not None:
            page.draw_rect(pymupdf.Rect(72, 200, 540, 500), color=None, fill=(grey,) * 3)
    path.write_bytes(bytes(doc.tobytes()))
    return path


def job_for(document: DraftDocument, resolution: Resolution = Resolution.NORMAL) -> PreviewJob:
    return PreviewJob.for_document(document, resolution, document.dithering_technique)


def tiff_heights(tiff: bytes) -> list[int]:
    with Image.open(io.BytesIO(tiff)) as image:
        heights = []
        for index in range(image.n_frames):
            image.seek(index)
            heights.append(image.size[1])
        return heights


# --------------------------------------------------------------------------- saving once


def test_one_save_serves_every_preview_and_the_cache_answers_repeats(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf", pages=3))

    normal = make_preview(client, job_for(document, Resolution.NORMAL), cache)
    document.saved_copy = normal.saved_copy
    fine = make_preview(client, job_for(document, Resolution.FINE), cache)
    document.saved_copy = fine.saved_copy
    again = make_preview(client, job_for(document, Resolution.NORMAL), cache)

    assert normal.preview is not None
    assert fine.preview is not None
    assert (normal.preview.pages, fine.preview.pages) == (3, 3)
    assert tiff_heights(normal.preview.tiff) == [LETTER_LINES[Resolution.NORMAL]] * 3
    assert tiff_heights(fine.preview.tiff) == [LETTER_LINES[Resolution.FINE]] * 3
    assert len(engine.saves) == 1
    assert [p.resolution for p in engine.previews] == [Resolution.NORMAL, Resolution.FINE]
    assert again.from_cache
    assert again.preview == normal.preview
    copy = fine.saved_copy
    assert copy is not None
    assert copy == normal.saved_copy
    assert engine.saves[0].document_ref == copy.document_ref
    assert (copy.endpoint, copy.account) == (client.endpoint, DEMO_USERNAME)
    assert copy.digest == content_digest(document.path.read_bytes())  # type: ignore[union-attr]
    assert {p.document_ref for p in engine.previews} == {copy.document_ref}


def test_dithering_merge_data_and_stamps_reach_the_service(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    from faxgui.api.models import TextStampMergeData

    document = DraftDocument(
        path=write_pdf(tmp_path / "photo.pdf", grey=0.6),
        stamps=[TextStampMergeData(200, 300, "RECEIVED")],
    )
    plain = make_preview(client, PreviewJob.for_document(document, Resolution.FINE, None), cache)
    document.saved_copy = plain.saved_copy
    threshold = make_preview(
        client, PreviewJob.for_document(document, Resolution.FINE, DitheringTechnique.NONE), cache
    )
    assert plain.preview is not None
    assert threshold.preview is not None
    assert plain.preview.tiff != threshold.preview.tiff
    assert [p.dithering_technique for p in engine.previews] == [None, DitheringTechnique.NONE]
    assert engine.previews[0].stamp_merge_data == [TextStampMergeData(200, 300, "RECEIVED")]
    assert len(engine.saves) == 1


def test_a_changed_file_is_saved_again_and_its_old_copy_deleted(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    path = write_pdf(tmp_path / "referral.pdf")
    document = DraftDocument(path=path)
    first = make_preview(client, job_for(document), cache)
    document.saved_copy = first.saved_copy
    write_pdf(path, pages=2)
    second = make_preview(client, job_for(document), cache)

    assert first.saved_copy is not None
    assert second.saved_copy is not None
    assert second.saved_copy.document_ref != first.saved_copy.document_ref
    assert second.preview is not None
    assert second.preview.pages == 2
    assert engine.deletes == [first.saved_copy.document_ref]
    assert not engine.has_document(DEMO_USERNAME, first.saved_copy.document_ref)


def test_a_copy_a_sent_fax_may_use_is_never_deleted(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    path = write_pdf(tmp_path / "referral.pdf")
    document = DraftDocument(path=path)
    first = make_preview(client, job_for(document), cache)
    assert first.saved_copy is not None
    document.saved_copy = replace(first.saved_copy, in_use=True)
    write_pdf(path, pages=2)
    make_preview(client, job_for(document), cache)
    assert engine.deletes == []
    assert engine.has_document(DEMO_USERNAME, first.saved_copy.document_ref)


def test_an_expired_copy_is_saved_again_once_by_itself(
    tmp_path: Path,
    client: MonopondClient,
    engine: RecordingEngine,
    clock: ManualClock,
    cache: PreviewCache,
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf"))
    first = make_preview(client, job_for(document, Resolution.NORMAL), cache)
    document.saved_copy = first.saved_copy
    # The service's 30 days are up (this computer's clock does not know it).
    clock.advance(timedelta(days=31).total_seconds())
    second = make_preview(client, job_for(document, Resolution.FINE), cache)

    assert first.saved_copy is not None
    assert second.saved_copy is not None
    assert second.preview is not None
    assert second.preview.pages == 1
    assert second.saved_copy.document_ref != first.saved_copy.document_ref
    assert len(engine.saves) == 2
    assert [p.document_ref for p in engine.previews] == [
        first.saved_copy.document_ref,
        first.saved_copy.document_ref,
        second.saved_copy.document_ref,
    ]


def test_a_copy_near_its_end_is_replaced_before_it_is_used(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf"))
    first = make_preview(client, job_for(document), cache)
    document.saved_copy = first.saved_copy
    later = make_preview(
        client,
        job_for(document, Resolution.FINE),
        cache,
        now=datetime.now(UTC) + timedelta(days=29),
    )
    assert len(engine.saves) == 2
    assert later.saved_copy is not None
    assert first.saved_copy is not None
    assert later.saved_copy.document_ref != first.saved_copy.document_ref


def test_a_saved_document_is_previewed_by_its_own_reference(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    data = write_pdf(tmp_path / "terms.pdf", pages=2).read_bytes()
    client.save_fax_document(SaveFaxDocumentRequest("terms-2026", "terms.pdf", data))
    engine.saves.clear()
    outcome = make_preview(client, job_for(DraftDocument(document_ref="terms-2026")), cache)
    assert outcome.preview is not None
    assert outcome.preview.pages == 2
    assert outcome.saved_copy is None
    assert engine.saves == []

    with pytest.raises(PreviewError) as caught:
        make_preview(client, job_for(DraftDocument(document_ref="gone-2025")), cache)
    assert isinstance(caught.value.cause, DocumentRefDoesNotExistFault)
    assert "Attach the file again" in caught.value.user_message


def test_cancelled_after_the_save_makes_no_preview_but_keeps_the_copy(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    document = DraftDocument(path=write_pdf(tmp_path / "referral.pdf"))
    cancel = threading.Event()

    class CancelOnSave:
        """The real client; Cancel is pressed while its save is on the wire."""

        endpoint = client.endpoint
        username = client.username

        def save_fax_document(self, request: SaveFaxDocumentRequest) -> None:
            client.save_fax_document(request)
            cancel.set()

        def __getattr__(self, name: str) -> object:
            return getattr(client, name)

    outcome = make_preview(CancelOnSave(), job_for(document), cache, cancel=cancel)  # type: ignore[arg-type]
    assert outcome.preview is None
    assert outcome.saved_copy is not None
    assert engine.previews == []
    assert len(engine.saves) == 1
    assert len(cache) == 0


# --------------------------------------------------------------------------- faults


def _error(client: MonopondClient, document: DraftDocument, cache: PreviewCache) -> PreviewError:
    with pytest.raises(PreviewError) as caught:
        make_preview(client, job_for(document), cache)
    return caught.value


def test_merge_fields_on_a_pdf_are_refused_plainly_and_the_copy_is_kept(
    tmp_path: Path, client: MonopondClient, cache: PreviewCache
) -> None:
    document = DraftDocument(
        path=write_pdf(tmp_path / "referral.pdf"),
        doc_merge_data=[DocMergeData("patient", "Zoë")],
    )
    error = _error(client, document, cache)
    assert isinstance(error.cause, MergeFieldDoesNotMatchDocumentTypeFault)
    assert "Merge fields only work with Microsoft Word documents" in error.user_message
    assert error.saved_copy is not None


def test_damaged_content_is_unsupported(
    tmp_path: Path, client: MonopondClient, cache: PreviewCache
) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7 this is not really a PDF at all")
    error = _error(client, DraftDocument(path=path), cache)
    assert isinstance(error.cause, UnsupportedDocumentContentTypeFault)
    assert "cannot convert this kind of document" in error.user_message


def test_a_file_of_unknown_type_is_explained(
    tmp_path: Path, client: MonopondClient, cache: PreviewCache
) -> None:
    path = tmp_path / "notes.xyz"
    path.write_bytes(b"plain words")
    error = _error(client, DraftDocument(path=path), cache)
    assert isinstance(error.cause, DocumentContentTypeNotFoundFault)
    assert "supported type such as .pdf" in error.user_message
    assert error.saved_copy is None


def test_a_file_that_is_gone_is_named(tmp_path: Path, client: MonopondClient) -> None:
    error = _error(client, DraftDocument(path=tmp_path / "moved.pdf"), PreviewCache())
    assert "“moved.pdf” could not be read (it is no longer there)" in error.user_message


def test_a_service_fault_says_to_try_later(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    engine.preview_fault = InternalServerFault("renderer down")
    error = _error(client, DraftDocument(path=write_pdf(tmp_path / "a.pdf")), cache)
    assert isinstance(error.cause, InternalServerFault)
    assert "internal problem. Try again in a few minutes" in error.user_message


def test_a_copy_lost_twice_running_is_reported_not_retried_for_ever(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    engine.preview_fault = DocumentRefDoesNotExistFault("DocumentRef does not exist")
    error = _error(client, DraftDocument(path=write_pdf(tmp_path / "a.pdf")), cache)
    assert "lost this document's saved copy twice" in error.user_message
    assert len(engine.saves) == 2
    assert len(engine.previews) == 2


def test_an_answer_that_is_not_a_tiff_is_malformed(
    tmp_path: Path, client: MonopondClient, engine: RecordingEngine, cache: PreviewCache
) -> None:
    engine.preview_answer = FaxDocumentPreviewResponse(b"<html>Proxy login</html>", 1)
    error = _error(client, DraftDocument(path=write_pdf(tmp_path / "a.pdf")), cache)
    assert isinstance(error.cause, MalformedResponseError)
    assert "cannot read (it is not a TIFF image)" in error.user_message
    assert len(cache) == 0


def test_wrong_password_is_said_plainly(
    tmp_path: Path, sandbox: SandboxServer, cache: PreviewCache
) -> None:
    with MonopondClient(sandbox.url, DEMO_USERNAME, "not-the-password") as wrong:
        error = _error(wrong, DraftDocument(path=write_pdf(tmp_path / "a.pdf")), cache)
    assert isinstance(error.cause, AuthenticationError)
    assert "did not accept the user name or password" in error.user_message
    assert "not-the-password" not in error.user_message


def test_no_service_to_reach(tmp_path: Path, closed_port: int, cache: PreviewCache) -> None:
    url = f"http://127.0.0.1:{closed_port}/fax/soap/v2.1"
    with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=5.0) as offline:
        error = _error(offline, DraftDocument(path=write_pdf(tmp_path / "a.pdf")), cache)
    assert isinstance(error.cause, NotConnectedError)
    assert "Could not reach the fax service" in error.user_message


def test_a_connection_dropped_during_the_preview(
    tmp_path: Path,
    sandbox: SandboxServer,
    client: MonopondClient,
    cache: PreviewCache,
) -> None:
    def drop_previews(operation: str, count: int) -> DropPoint | None:
        return DropPoint.BEFORE_ACCEPT if operation == "FaxDocumentPreview" else None

    sandbox.drop_connection = drop_previews
    error = _error(client, DraftDocument(path=write_pdf(tmp_path / "a.pdf")), cache)
    assert isinstance(error.cause, ConnectionFailedError)
    assert "Could not reach the fax service" in error.user_message
    # The save went through: the next try uses the copy.
    assert error.saved_copy is not None


# --------------------------------------------------------------------------- the send


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    instance = JobStore(tmp_path / "jobs.sqlite3")
    yield instance
    instance.close()


def _draft_with(path: Path, copy: SavedCopy | None) -> Draft:
    draft = Draft.new()
    document = draft.add_document(path)
    document.saved_copy = copy
    document.inspect()
    draft.add_recipient("0280039890", PhoneNormaliser("AU"))
    return draft


def _factory(
    url: str, user: str = DEMO_USERNAME, password: str = DEMO_PASSWORD
) -> Callable[[], MonopondClient]:
    return lambda: MonopondClient(url, user, password, timeout=10.0)


def _previewed(path: Path, client: MonopondClient, cache: PreviewCache) -> SavedCopy:
    outcome = make_preview(client, job_for(DraftDocument(path=path)), cache)
    assert outcome.saved_copy is not None
    return outcome.saved_copy


def test_the_send_uses_the_previewed_copy_instead_of_the_file(
    tmp_path: Path,
    sandbox: SandboxServer,
    client: MonopondClient,
    engine: RecordingEngine,
    store: JobStore,
    cache: PreviewCache,
) -> None:
    path = write_pdf(tmp_path / "referral.pdf", pages=2)
    copy = _previewed(path, client, cache)
    # Through JSON, as the send controller copies the draft.
    draft = Draft.from_json(_draft_with(path, copy).to_json())
    report = SendPipeline(_factory(sandbox.url), store).submit(build_send_job(draft))

    assert report.all_submitted
    (sent,) = engine.sends
    (document,) = sent.documents
    assert document.document_ref == copy.document_ref
    assert document.file_data is None
    assert document.file_name is None
    # As recorded, so a retry from the outbox sends the reference too.
    recorded = store.request_json(sent.send_ref or "")
    assert copy.document_ref in recorded
    assert "referral.pdf" not in recorded
    assert store.require_send(sent.send_ref or "").summary["documents"][0]["pages"] == 2
    assert len(engine.saves) == 1


def test_the_send_uploads_the_file_when_the_copy_does_not_fit(
    tmp_path: Path,
    sandbox: SandboxServer,
    client: MonopondClient,
    engine: RecordingEngine,
    store: JobStore,
    cache: PreviewCache,
) -> None:
    changed = write_pdf(tmp_path / "changed.pdf")
    changed_copy = _previewed(changed, client, cache)
    write_pdf(changed, pages=2)
    other_account = write_pdf(tmp_path / "other.pdf")
    other_copy = _previewed(other_account, client, cache)
    old = write_pdf(tmp_path / "old.pdf")
    old_copy = _previewed(old, client, cache)
    old_copy = replace(old_copy, saved_at=datetime.now(UTC) - timedelta(days=29))

    pipeline = SendPipeline(_factory(sandbox.url), store)
    pipeline.submit(build_send_job(_draft_with(changed, changed_copy)))
    SendPipeline(_factory(sandbox.url, RECEPTIONIST_USERNAME, RECEPTIONIST_PASSWORD), store).submit(
        build_send_job(_draft_with(other_account, other_copy))
    )
    pipeline.submit(build_send_job(_draft_with(old, old_copy)))

    assert len(engine.sends) == 3
    for sent, path in zip(engine.sends, (changed, other_account, old), strict=True):
        (document,) = sent.documents
        assert document.document_ref is None
        assert document.file_data == path.read_bytes()
    states = [r.state for r in store.sends()]
    assert states == [SendState.SUBMITTED] * 3


# --------------------------------------------------------------------------- discarding


def test_discarding_deletes_the_copies_it_may_and_leaves_the_rest(
    tmp_path: Path,
    sandbox: SandboxServer,
    client: MonopondClient,
    engine: RecordingEngine,
    cache: PreviewCache,
) -> None:
    mine = _previewed(write_pdf(tmp_path / "a.pdf"), client, cache)
    sent = _previewed(write_pdf(tmp_path / "b.pdf"), client, cache)
    sent = replace(sent, in_use=True)
    gone = replace(mine, document_ref="FGP-20260101-GONE2345")
    elsewhere = replace(mine, account=RECEPTIONIST_USERNAME)

    deleted = discard_saved_copies(_factory(sandbox.url), [mine, sent, gone, elsewhere])
    assert deleted == [mine.document_ref, gone.document_ref]
    assert not engine.has_document(DEMO_USERNAME, mine.document_ref)
    assert engine.has_document(DEMO_USERNAME, sent.document_ref)
    assert engine.deletes == [mine.document_ref, gone.document_ref]


def test_discarding_while_offline_leaves_the_copies_to_expire(
    tmp_path: Path, client: MonopondClient, closed_port: int, cache: PreviewCache
) -> None:
    copy = _previewed(write_pdf(tmp_path / "a.pdf"), client, cache)
    url = f"http://127.0.0.1:{closed_port}/fax/soap/v2.1"
    offline_copy = replace(copy, endpoint=url)
    with MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=5.0) as offline:
        assert delete_saved_copies(offline, [offline_copy]) == []
