"""A draft becomes SendFax requests: split at 600, documents once at the root, overrides sparse."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faxgui.api.client import SoapCodec
from faxgui.api.enums import Resolution
from faxgui.api.models import Blocklists
from faxgui.compose.draft import Draft, FaxOptions, Recipient
from faxgui.compose.pipeline import FileSources, SendFileError
from faxgui.compose.requests import DraftBuildError, build_requests, build_send_job

PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 64


def _recipient(i: int, **overrides: object) -> Recipient:
    return Recipient(
        fax_number=f"02 8003 {i:04d}",
        normalised=f"6128003{i:04d}",
        name=f"Clinic {i}",
        overrides=FaxOptions(**overrides),
    )


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "letter.pdf"
    path.write_bytes(PDF_BYTES)
    return path


def _draft(letter: Path, recipients: int) -> Draft:
    draft = Draft.new(datetime(2026, 11, 27, tzinfo=UTC))
    draft.add_document(letter)
    draft.add_recipients(_recipient(i) for i in range(recipients))
    return draft


def test_1300_recipients_become_three_requests_of_at_most_600_in_one_broadcast(
    letter: Path,
) -> None:
    draft = _draft(letter, 1300)
    requests = build_requests(draft, FileSources())
    assert [len(r.fax_messages) for r in requests] == [600, 600, 100]
    assert {r.broadcast_ref for r in requests} == {draft.broadcast_ref}
    assert [r.send_ref for r in requests] == [
        draft.send_ref,
        f"{draft.broadcast_ref}-S2",
        f"{draft.broadcast_ref}-S3",
    ]
    refs = [m.message_ref for r in requests for m in r.fax_messages]
    assert refs == [r.message_ref for r in draft.recipients]


def test_600_recipients_fit_in_one_request(letter: Path) -> None:
    assert len(build_requests(_draft(letter, 600), FileSources())) == 1


def test_the_shared_document_is_read_once_and_attached_once_per_request_at_the_root(
    letter: Path,
) -> None:
    files = FileSources()
    requests = build_requests(_draft(letter, 1300), files)
    assert files.paths == [str(letter)]
    for request in requests:
        (document,) = request.documents
        assert document.file_name == "letter.pdf"
        assert document.file_data is requests[0].documents[0].file_data
        assert all(not m.documents for m in request.fax_messages)


def test_each_serialised_request_carries_the_document_exactly_once(letter: Path) -> None:
    codec = SoapCodec("http://127.0.0.1:1/fax/soap/v2.1")
    encoded = base64.b64encode(PDF_BYTES)
    for request in build_requests(_draft(letter, 1300), FileSources()):
        _, body = codec.encode(request, "demo", "demo-password")
        assert body.count(encoded) == 1


def test_options_sit_at_the_root_and_messages_carry_only_what_differs(letter: Path) -> None:
    draft = _draft(letter, 0)
    draft.options = FaxOptions(
        send_from="Front Desk",
        retries=3,
        resolution=Resolution.FINE,
        blocklists=Blocklists(dncr=True),
    )
    draft.add_recipients(
        [
            _recipient(1),
            _recipient(2, retries=3, send_from="Front Desk"),
            _recipient(3, retries=5, busy_retries=1),
            _recipient(4, blocklists=Blocklists(dncr=True), header_format="%to%"),
        ]
    )
    (request,) = build_requests(draft, FileSources())
    assert (request.send_from, request.retries, request.resolution) == (
        "Front Desk",
        3,
        Resolution.FINE,
    )
    assert request.blocklists == Blocklists(dncr=True)
    assert request.header_format is None
    plain, same, different, mixed = request.fax_messages
    for message in (plain, same):
        assert (message.send_from, message.retries, message.busy_retries) == (None, None, None)
    assert (different.retries, different.busy_retries) == (5, 1)
    assert (mixed.blocklists, mixed.header_format) == (None, "%to%")


def test_recipients_with_their_own_documents_carry_them_and_the_rest_inherit(
    letter: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own.pdf"
    own.write_bytes(b"%PDF-1.4 own")
    draft = _draft(letter, 3)
    draft.recipients[1].add_document(own)
    draft.recipients[2].add_document(own)
    files = FileSources()
    (request,) = build_requests(draft, files)
    assert [d.file_name for d in request.documents] == ["letter.pdf"]
    first, second, third = request.fax_messages
    assert first.documents == []
    assert second.documents[0].file_data == b"%PDF-1.4 own"
    assert second.documents[0].file_data is third.documents[0].file_data
    assert sorted(files.paths) == sorted([str(letter), str(own)])


def test_a_request_where_every_message_has_its_own_documents_sends_no_root_copy(
    letter: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own.txt"
    own.write_text("cover note")
    draft = _draft(letter, 3)
    draft.recipients[2].add_document(own)
    first, second = build_requests(draft, FileSources(), max_messages=2)
    assert len(first.documents) == 1
    assert second.documents == []


def test_a_document_saved_for_reuse_is_uploaded_by_the_first_request_only(
    letter: Path,
) -> None:
    draft = _draft(letter, 1300)
    draft.documents[0].document_ref = "letterhead-2026"
    draft.documents[0].save_as_ref = True
    first, second, third = build_requests(draft, FileSources())
    assert first.documents[0].document_ref == "letterhead-2026"
    assert first.documents[0].file_data == PDF_BYTES
    for later in (second, third):
        (document,) = later.documents
        assert (document.document_ref, document.file_data, document.file_name) == (
            "letterhead-2026",
            None,
            None,
        )


def test_a_saved_document_goes_by_its_reference_alone(letter: Path) -> None:
    draft = _draft(letter, 2)
    draft.add_saved_document("terms-v3")
    (request,) = build_requests(draft, FileSources())
    assert [(d.document_ref, d.file_data is None, d.order) for d in request.documents] == [
        (None, False, 0),
        ("terms-v3", True, 1),
    ]


def test_the_job_knows_names_pages_and_the_draft(letter: Path) -> None:
    draft = _draft(letter, 2)
    draft.documents[0].page_count = 3
    job = build_send_job(draft)
    assert job.broadcast_ref == draft.broadcast_ref
    assert job.recipient_names[draft.recipients[0].message_ref] == "Clinic 0"
    assert job.page_counts == {"letter.pdf": 3}
    assert Draft.loads(job.draft_json or "").recipients[1].name == "Clinic 1"


def test_an_invalid_number_is_refused_naming_the_recipient(letter: Path) -> None:
    draft = _draft(letter, 2)
    draft.recipients[1].normalised = None
    with pytest.raises(DraftBuildError, match="Clinic 1"):
        build_requests(draft, FileSources())


def test_a_draft_without_recipients_is_refused(letter: Path) -> None:
    with pytest.raises(DraftBuildError, match="at least one recipient"):
        build_requests(_draft(letter, 0), FileSources())


def test_a_repeated_message_ref_is_refused(letter: Path) -> None:
    draft = _draft(letter, 2)
    draft.recipients[1].message_ref = draft.recipients[0].message_ref
    with pytest.raises(DraftBuildError, match="more than once"):
        build_requests(draft, FileSources())


def test_a_missing_file_is_named(letter: Path) -> None:
    draft = _draft(letter, 1)
    letter.unlink()
    with pytest.raises(SendFileError, match=r"letter\.pdf"):
        build_requests(draft, FileSources())
