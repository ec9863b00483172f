"""Saved documents: save, use by reference, delete, 30-day expiry, and per-account isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from faxgui.api.enums import FaxError
from faxgui.api.errors import (
    DocumentContentTypeNotFoundFault,
    DocumentRefAlreadyExistsFault,
    DocumentRefDoesNotExistFault,
    InvalidArgumentsFault,
    MergeFieldDoesNotMatchDocumentTypeFault,
)
from faxgui.api.models import (
    DeleteFaxDocumentRequest,
    DocMergeData,
    FaxDocument,
    FaxMessage,
    FaxMessageStatus,
    FaxStatusResponse,
    SaveFaxDocumentRequest,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine

Send = Callable[..., FaxStatusResponse]
RunUntilDone = Callable[..., FaxMessageStatus]
NUMBER = "0298765432"


def _save(
    engine: SandboxEngine, ref: str, data: bytes, name: str = "form.pdf", account: str = "demo"
) -> None:
    engine.save_fax_document(account, SaveFaxDocumentRequest(ref, name, data))


def _by_ref(ref: str, **fields: object) -> list[FaxDocument]:
    return [FaxDocument(document_ref=ref, **fields)]  # type: ignore[arg-type]


def test_a_saved_document_is_sent_by_its_reference(
    send: Send,
    engine: SandboxEngine,
    make_pdf: Callable[[int], bytes],
    run_until_done: RunUntilDone,
) -> None:
    _save(engine, "consent-form", make_pdf(3))
    send(("m1", NUMBER), documents=_by_ref("consent-form"))
    assert run_until_done("m1").results[-1].pages == 3


def test_a_reference_can_only_be_saved_once(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "consent-form", make_pdf(1))
    with pytest.raises(DocumentRefAlreadyExistsFault, match="consent-form"):
        _save(engine, "consent-form", make_pdf(2))


def test_an_unknown_reference_does_not_exist(send: Send) -> None:
    with pytest.raises(DocumentRefDoesNotExistFault, match="DocumentRef 'missing' does not exist"):
        send(("m1", NUMBER), documents=_by_ref("missing"))


def test_file_data_with_a_reference_sends_and_saves(
    send: Send,
    engine: SandboxEngine,
    make_pdf: Callable[[int], bytes],
    run_until_done: RunUntilDone,
) -> None:
    send(("m1", NUMBER), documents=[FaxDocument("intake.pdf", make_pdf(2), document_ref="intake")])
    with pytest.raises(DocumentRefAlreadyExistsFault):
        _save(engine, "intake", make_pdf(1))
    send(("m2", NUMBER), documents=_by_ref("intake"))
    assert run_until_done("m2").results[-1].pages == 2
    with pytest.raises(DocumentRefAlreadyExistsFault, match="intake"):
        send(("m3", NUMBER), documents=[FaxDocument("new.pdf", make_pdf(1), document_ref="intake")])


def test_a_document_saved_in_a_request_can_be_used_by_its_other_messages(
    send: Send, make_pdf: Callable[[int], bytes], run_until_done: RunUntilDone
) -> None:
    pdf = make_pdf(2)
    send(
        FaxMessage("m1", NUMBER, documents=[FaxDocument("a.pdf", pdf, document_ref="shared")]),
        FaxMessage("m2", NUMBER, documents=[FaxDocument("a.pdf", pdf, document_ref="shared")]),
        FaxMessage("m3", NUMBER, documents=_by_ref("shared")),
    )
    assert [run_until_done(ref).results[-1].pages for ref in ("m1", "m2", "m3")] == [2, 2, 2]


def test_one_reference_for_two_different_files_in_a_request_is_refused(
    send: Send, engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    with pytest.raises(DocumentRefAlreadyExistsFault, match="two different documents"):
        send(
            FaxMessage(
                "m1", NUMBER, documents=[FaxDocument("a.pdf", make_pdf(1), document_ref="x")]
            ),
            FaxMessage(
                "m2", NUMBER, documents=[FaxDocument("b.pdf", make_pdf(2), document_ref="x")]
            ),
        )
    _save(engine, "x", make_pdf(1))  # nothing was saved by the refused request


def test_merge_data_on_a_saved_non_word_document_is_refused(
    send: Send, engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "form", make_pdf(1))
    with pytest.raises(MergeFieldDoesNotMatchDocumentTypeFault):
        send(("m1", NUMBER), documents=_by_ref("form", doc_merge_data=[DocMergeData("k", "v")]))


def test_deleted_documents_are_gone(
    send: Send, engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "form", make_pdf(1))
    engine.delete_fax_document("demo", DeleteFaxDocumentRequest("form"))
    with pytest.raises(DocumentRefDoesNotExistFault):
        send(("m1", NUMBER), documents=_by_ref("form"))
    with pytest.raises(DocumentRefDoesNotExistFault):
        engine.delete_fax_document("demo", DeleteFaxDocumentRequest("form"))
    _save(engine, "form", make_pdf(1))  # the reference is free again


def test_saved_documents_expire_thirty_days_after_saving(
    send: Send,
    engine: SandboxEngine,
    clock: ManualClock,
    make_pdf: Callable[[int], bytes],
    run_until_done: RunUntilDone,
) -> None:
    saved_at = clock()
    _save(engine, "form", make_pdf(1))
    clock.set(saved_at + timedelta(days=30) - timedelta(seconds=1))
    send(("last-day", NUMBER), documents=_by_ref("form"))
    clock.set(saved_at + timedelta(days=30))
    with pytest.raises(DocumentRefDoesNotExistFault):
        send(("too-late", NUMBER), documents=_by_ref("form"))
    with pytest.raises(DocumentRefDoesNotExistFault):
        engine.delete_fax_document("demo", DeleteFaxDocumentRequest("form"))
    # A fax sent before the document expired still goes out.
    assert run_until_done("last-day").results[-1].error is None
    _save(engine, "form", make_pdf(2))  # the reference can be used again


def test_saved_documents_belong_to_one_account(
    send: Send, engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "form", make_pdf(1), account="demo")
    with pytest.raises(DocumentRefDoesNotExistFault):
        send(("m1", NUMBER), documents=_by_ref("form"), account="receptionist")
    _save(engine, "form", make_pdf(1), account="receptionist")  # free in the other account


def test_save_checks_its_arguments(engine: SandboxEngine, make_pdf: Callable[[int], bytes]) -> None:
    with pytest.raises(InvalidArgumentsFault, match="DocumentRef is required"):
        _save(engine, "", make_pdf(1))
    with pytest.raises(InvalidArgumentsFault, match="empty"):
        _save(engine, "form", b"")
    with pytest.raises(DocumentContentTypeNotFoundFault, match=r"form\.odt"):
        _save(engine, "form", b"bytes", name="form.odt")
    with pytest.raises(InvalidArgumentsFault, match="DocumentRef is required"):
        engine.delete_fax_document("demo", DeleteFaxDocumentRequest(""))


def test_a_saved_damaged_document_fails_the_fax_as_unsupported(
    send: Send, engine: SandboxEngine, run_until_done: RunUntilDone
) -> None:
    _save(engine, "scan", b"%PDF-1.7 not really", name="scan.pdf")
    send(("m1", NUMBER), documents=_by_ref("scan"))
    assert run_until_done("m1").results[-1].error is FaxError.DOCUMENT_UNSUPPORTED
