"""SendFax rules: required fields, unique references, SendFrom, documents, inheritance, accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from faxgui.api.enums import FaxError, FaxStatus, Resolution, Verbosity
from faxgui.api.errors import (
    DocumentContentTypeNotFoundFault,
    InvalidArgumentsFault,
    MergeFieldDoesNotMatchDocumentTypeFault,
    NoMessagesFoundFault,
)
from faxgui.api.models import (
    DocMergeData,
    FaxDetails,
    FaxDocument,
    FaxMessage,
    FaxMessageStatus,
    FaxStatusRequest,
    FaxStatusResponse,
    SendFaxRequest,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine

Send = Callable[..., FaxStatusResponse]
Fax = Callable[..., FaxMessageStatus]
NUMBER = "0298765432"


def test_a_request_needs_fax_messages(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    request = SendFaxRequest(fax_messages=[], documents=[FaxDocument("a.pdf", make_pdf(1))])
    with pytest.raises(InvalidArgumentsFault, match="FaxMessages"):
        engine.send_fax("demo", request)


def test_send_from_is_at_most_32_characters(send: Send, fax: Fax) -> None:
    with pytest.raises(InvalidArgumentsFault) as refused:
        send(("m1", NUMBER), send_from="x" * 33)
    assert refused.value.server_message == "SendFrom is longer than 32 characters"
    with pytest.raises(InvalidArgumentsFault, match="SendFrom of MessageRef 'm2' is longer"):
        send(FaxMessage("m2", NUMBER, send_from="y" * 33))
    send(FaxMessage("m3", NUMBER, send_from="z" * 32))
    details = fax("m3").details
    assert details is not None
    assert details.send_from == "z" * 32


def test_message_refs_are_unique_within_the_account(send: Send) -> None:
    with pytest.raises(InvalidArgumentsFault, match="MessageRef 'twice' is used more than once"):
        send(("twice", NUMBER), ("twice", NUMBER))
    send(("m1", NUMBER))
    with pytest.raises(InvalidArgumentsFault, match="MessageRef 'm1' is already used"):
        send(("m1", NUMBER))


def test_send_refs_are_unique_within_the_account(send: Send) -> None:
    send(("m1", NUMBER), send_ref="monday-batch")
    with pytest.raises(InvalidArgumentsFault, match="SendRef 'monday-batch' is already used"):
        send(("m2", NUMBER), send_ref="monday-batch")


def test_broadcast_refs_may_repeat_and_refs_are_optional(send: Send, engine: SandboxEngine) -> None:
    send(("m1", NUMBER), broadcast_ref="june")
    send(("m2", NUMBER), broadcast_ref="june")
    send(("m3", NUMBER))
    answer = engine.fax_status(
        "demo", FaxStatusRequest(broadcast_ref="june", verbosity=Verbosity.SEND)
    )
    assert [m.message_ref for m in answer.messages] == ["m1", "m2"]
    row = engine.fax_status("demo", FaxStatusRequest(message_ref="m3", verbosity=Verbosity.SEND))
    assert (row.messages[0].send_ref, row.messages[0].broadcast_ref) == (None, None)


def test_a_refused_request_changes_nothing(send: Send, engine: SandboxEngine) -> None:
    with pytest.raises(InvalidArgumentsFault):
        send(("good", NUMBER), FaxMessage("bad", NUMBER, send_from="x" * 40), send_ref="s1")
    with pytest.raises(NoMessagesFoundFault):
        engine.fax_status("demo", FaxStatusRequest(message_ref="good"))
    send(("good", NUMBER), send_ref="s1")  # both references are still free


@pytest.mark.parametrize("send_to", ["", "   ", "reception", "02 9876 54x2"])
def test_send_to_must_be_a_phone_number(send: Send, send_to: str) -> None:
    with pytest.raises(InvalidArgumentsFault, match="SendTo of MessageRef 'm1'"):
        send(("m1", send_to))


def test_every_message_needs_a_document_of_its_own_or_inherited(
    send: Send,
    make_pdf: Callable[[int], bytes],
    fax: Fax,
    run_until_done: Callable[..., FaxMessageStatus],
) -> None:
    with pytest.raises(InvalidArgumentsFault, match="FaxMessage 'm1' has no Documents"):
        send(("m1", NUMBER), documents=[])
    own = FaxMessage("own", NUMBER, documents=[FaxDocument("three.pdf", make_pdf(3))])
    send(own, ("inherits", NUMBER), documents=[FaxDocument("one.pdf", make_pdf(1))])
    assert run_until_done("own").results[-1].pages == 3  # its own replace the request's
    assert run_until_done("inherits").results[-1].pages == 1


def test_documents_of_a_message_are_sent_together(
    send: Send, make_pdf: Callable[[int], bytes], run_until_done: Callable[..., FaxMessageStatus]
) -> None:
    send(
        ("m1", NUMBER),
        documents=[
            FaxDocument("cover.pdf", make_pdf(1), order=0),
            FaxDocument("b.pdf", make_pdf(2), order=1),
        ],
    )
    assert run_until_done("m1").results[-1].pages == 3


def test_a_document_needs_file_data_or_a_reference(send: Send) -> None:
    with pytest.raises(InvalidArgumentsFault, match="FileData or a DocumentRef"):
        send(("m1", NUMBER), documents=[FaxDocument("a.pdf")])


def test_empty_file_data_is_invalid(send: Send) -> None:
    with pytest.raises(InvalidArgumentsFault, match=r"FileData of 'a\.pdf' is empty"):
        send(("m1", NUMBER), documents=[FaxDocument("a.pdf", b"")])


@pytest.mark.parametrize("file_name", ["letter", "letter.odt", "scan.heic", "notes.pages"])
def test_unknown_file_types_have_no_content_type(send: Send, file_name: str) -> None:
    with pytest.raises(DocumentContentTypeNotFoundFault, match=file_name):
        send(("m1", NUMBER), documents=[FaxDocument(file_name, b"some bytes")])


@pytest.mark.parametrize(
    "file_name",
    [
        "a.pdf",
        "a.tif",
        "a.tiff",
        "a.png",
        "a.jpg",
        "a.jpeg",
        "a.gif",
        "a.txt",
        "a.ps",
        "a.rtf",
        "a.doc",
        "a.docx",
        "a.xls",
        "a.xlsx",
        "a.ppt",
        "a.pptx",
    ],
)
def test_every_supported_type_is_accepted(send: Send, file_name: str) -> None:
    answer = send(("m1", NUMBER), documents=[FaxDocument(file_name, b"any content")])
    assert answer.messages[0].status is FaxStatus.PENDING


def test_merge_fields_need_a_word_document(send: Send, make_pdf: Callable[[int], bytes]) -> None:
    merge = [DocMergeData("patient", "Jo Bloggs")]
    with pytest.raises(MergeFieldDoesNotMatchDocumentTypeFault, match=r"letter\.pdf"):
        send(
            ("m1", NUMBER), documents=[FaxDocument("letter.pdf", make_pdf(1), doc_merge_data=merge)]
        )
    word = b"PK\x03\x04 whatever Word wrote"
    send(("m2", NUMBER), documents=[FaxDocument("letter.docx", word, doc_merge_data=merge)])


def test_request_settings_are_inherited_and_message_settings_win(send: Send, fax: Fax) -> None:
    send(
        ("inherits", NUMBER),
        FaxMessage(
            "own",
            NUMBER,
            send_from="Ward 3",
            resolution=Resolution.NORMAL,
            retries=0,
            busy_retries=1,
            header_format="Ward %from%",
        ),
        send_from="Front Desk",
        resolution=Resolution.FINE,
        retries=4,
        busy_retries=5,
        header_format="From %from%",
    )
    assert fax("inherits").details == FaxDetails("Front Desk", Resolution.FINE, 4, 5, "From %from%")
    assert fax("own").details == FaxDetails("Ward 3", Resolution.NORMAL, 0, 1, "Ward %from%")


def test_account_defaults_fill_what_nobody_set(send: Send, fax: Fax) -> None:
    send(("m1", NUMBER))
    assert fax("m1").details == FaxDetails(
        None, Resolution.NORMAL, 2, 3, "From %from%, To %to%|%a %b %d %H:%M %Y"
    )


def test_request_schedule_deadline_and_page_limit_are_inherited(
    send: Send, clock: ManualClock, fax: Fax, run_until_done: Callable[..., FaxMessageStatus]
) -> None:
    start = clock() + timedelta(hours=1)
    send(("scheduled", NUMBER), scheduled_start_time=start)
    send(("limited", NUMBER), pages=2, max_fax_pages=1)
    send(
        ("deadline", NUMBER),
        scheduled_start_time=start,
        must_be_sent_before_date=start - timedelta(minutes=1),
    )
    send(FaxMessage("own-limit", NUMBER, max_fax_pages=5), pages=2, max_fax_pages=1)
    clock.advance(30 * 60)
    assert fax("scheduled").status is FaxStatus.QUEUED
    assert fax("limited").results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
    assert fax("own-limit").status is FaxStatus.DONE
    assert fax("own-limit").results[-1].error is None
    assert run_until_done("deadline").results[-1].error is FaxError.FAX_CANCELLED


def test_max_fax_pages_must_be_positive(send: Send) -> None:
    with pytest.raises(InvalidArgumentsFault, match="MaxFaxPages"):
        send(("m1", NUMBER), max_fax_pages=0)


def test_accounts_never_see_each_others_faxes(send: Send, engine: SandboxEngine) -> None:
    send(("m1", NUMBER), send_ref="s1", broadcast_ref="b1", account="demo")
    for selection in ({"message_ref": "m1"}, {"send_ref": "s1"}, {"broadcast_ref": "b1"}):
        with pytest.raises(NoMessagesFoundFault):
            engine.fax_status("receptionist", FaxStatusRequest(**selection))
    # The same references are free in the other account.
    answer = send(("m1", NUMBER), send_ref="s1", account="receptionist")
    assert answer.messages[0].message_ref == "m1"
