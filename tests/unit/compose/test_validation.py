"""Before sending, every mistake is caught and shown beside the field that needs fixing."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from faxgui.api.models import DocMergeData
from faxgui.compose.draft import Draft, DraftDocument, FaxOptions, Recipient
from faxgui.compose.phone import PhoneNormaliser
from faxgui.compose.validation import Problem, Severity, has_errors, validate

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def draft(numbers: PhoneNormaliser, write_pdf: Callable[..., Path]) -> Draft:
    """A draft that can be sent: one recipient, one one-page PDF."""
    draft = Draft.new(NOW)
    draft.add_document(write_pdf("letter.pdf"))
    draft.add_recipient("(02) 8003 9890", numbers, name="Harbour Dental")
    return draft


def _check(draft: Draft, numbers: PhoneNormaliser) -> list[Problem]:
    return validate(draft, numbers, now=NOW)


def _where(problems: list[Problem]) -> list[tuple[str, int | None, int | None, Severity]]:
    return [(p.field, p.recipient_index, p.document_index, p.severity) for p in problems]


def test_a_ready_draft_has_no_problems(draft: Draft, numbers: PhoneNormaliser) -> None:
    problems = _check(draft, numbers)
    assert problems == []
    assert not has_errors(problems)
    assert draft.documents[0].page_count == 1


def test_an_empty_draft_asks_for_a_number_and_a_document(numbers: PhoneNormaliser) -> None:
    problems = _check(Draft.new(NOW), numbers)
    assert [(p.field, p.message) for p in problems] == [
        ("recipients", "Add at least one fax number to send to."),
        ("documents", "Add a document to send."),
    ]
    assert has_errors(problems)


def test_cleared_references_are_required(draft: Draft, numbers: PhoneNormaliser) -> None:
    draft.broadcast_ref = " "
    draft.send_ref = ""
    assert [p.field for p in _check(draft, numbers)] == ["broadcast_ref", "send_ref"]


def test_bad_and_repeated_numbers_are_flagged_on_their_rows(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.add_recipient("", numbers)
    draft.add_recipient("02 8003 98", numbers)
    draft.add_recipient("+61 2 8003 9890", numbers)
    draft.add_recipient("05 0000 0002", numbers)
    problems = _check(draft, numbers)
    assert [(p.recipient_index, p.severity, p.message) for p in problems] == [
        (1, Severity.ERROR, "Enter a fax number"),
        (2, Severity.ERROR, "This number is too short"),
        (
            3,
            Severity.WARNING,
            "Same number as row 1 (Harbour Dental): this fax would go to it twice.",
        ),
    ]
    assert {p.field for p in problems} == {"fax_number"}


def test_numbers_are_checked_again_with_the_current_default_country(
    draft: Draft, write_pdf: Callable[..., Path]
) -> None:
    # Saved as valid, but the default country is now the UK: "(02) 8003 9890" is not a UK number.
    problems = validate(draft, PhoneNormaliser("GB"), now=NOW)
    assert _where(problems) == [("fax_number", 0, None, Severity.ERROR)]


def test_message_refs_must_be_present_and_unique(draft: Draft, numbers: PhoneNormaliser) -> None:
    second = draft.add_recipient("02 8003 9891", numbers)
    third = draft.add_recipient("02 8003 9892", numbers)
    second.message_ref = draft.recipients[0].message_ref
    third.message_ref = "  "
    problems = _check(draft, numbers)
    assert [(p.field, p.recipient_index, p.message) for p in problems] == [
        ("message_ref", 1, "Row 1 has the same message reference; each fax needs its own."),
        ("message_ref", 2, "Every fax needs a message reference."),
    ]


def test_the_sender_id_is_at_most_32_characters_for_the_fax_and_each_recipient(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options.send_from = "Harbour Dental Surgery Front Desk"  # 33
    draft.recipients[0].overrides.send_from = "x" * 32
    problems = _check(draft, numbers)
    assert _where(problems) == [("send_from", None, None, Severity.ERROR)]
    assert problems[0].message == "The sender ID can be at most 32 characters; this one has 33."
    draft.options.send_from = "Front Desk"
    draft.recipients[0].overrides.send_from = "y" * 40
    assert _where(_check(draft, numbers)) == [("send_from", 0, None, Severity.ERROR)]


def test_a_sender_id_with_characters_fax_machines_cannot_print_is_a_warning(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options.send_from = "Zo\u00eb\u2019s Clinic"
    assert _where(_check(draft, numbers)) == [("send_from", None, None, Severity.WARNING)]


def test_counts_cannot_be_negative_and_the_page_limit_is_at_least_one(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options = FaxOptions(retries=-1, busy_retries=-2, max_fax_pages=0)
    draft.recipients[0].overrides = FaxOptions(retries=0, busy_retries=-1)
    problems = _check(draft, numbers)
    assert [(p.field, p.recipient_index) for p in problems] == [
        ("retries", None),
        ("busy_retries", None),
        ("max_fax_pages", None),
        ("busy_retries", 0),
    ]


def test_unknown_header_codes_are_warnings(draft: Draft, numbers: PhoneNormaliser) -> None:
    draft.options.header_format = "From %from% %q"
    draft.recipients[0].overrides.header_format = "%to%|%d/%m/%Y"
    problems = _check(draft, numbers)
    assert [(p.field, p.recipient_index, p.severity, p.message) for p in problems] == [
        (
            "header_format",
            None,
            Severity.WARNING,
            "%q is not a header code; it will print as it is.",
        )
    ]


# --------------------------------------------------------------------------- dates


def test_the_scheduled_start_must_come_before_the_deadline(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options.scheduled_start_time = NOW + timedelta(hours=5)
    draft.options.must_be_sent_before_date = NOW + timedelta(hours=2)
    problems = _check(draft, numbers)
    assert _where(problems) == [("scheduled_start_time", None, None, Severity.ERROR)]
    assert "before the must-be-sent-before date" in problems[0].message


def test_a_deadline_already_passed_would_cancel_the_fax(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options.must_be_sent_before_date = NOW - timedelta(minutes=1)
    problems = _check(draft, numbers)
    assert _where(problems) == [("must_be_sent_before_date", None, None, Severity.ERROR)]
    assert "cancelled" in problems[0].message


def test_a_scheduled_start_in_the_past_only_warns_that_it_goes_now(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options.scheduled_start_time = NOW - timedelta(hours=1)
    assert _where(_check(draft, numbers)) == [
        ("scheduled_start_time", None, None, Severity.WARNING)
    ]
    draft.options.scheduled_start_time = NOW - timedelta(seconds=30)
    assert _check(draft, numbers) == []


def test_a_recipients_own_start_is_compared_with_the_deadline_it_inherits(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.options.must_be_sent_before_date = NOW + timedelta(hours=2)
    draft.recipients[0].overrides.scheduled_start_time = NOW + timedelta(hours=3)
    assert _where(_check(draft, numbers)) == [("scheduled_start_time", 0, None, Severity.ERROR)]


def test_times_without_a_zone_are_this_computers_local_time(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    local_now = NOW.astimezone().replace(tzinfo=None)
    draft.options.scheduled_start_time = local_now + timedelta(hours=1)
    draft.options.must_be_sent_before_date = (NOW + timedelta(hours=2)).astimezone(UTC)
    assert _check(draft, numbers) == []


# --------------------------------------------------------------------------- documents


def test_every_fax_needs_a_document_of_its_own_or_the_drafts(
    numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    draft = Draft.new(NOW)
    with_own = draft.add_recipient("02 8003 9890", numbers)
    with_own.add_document(write_pdf("invoice.pdf"))
    draft.add_recipient("02 8003 9891", numbers)
    problems = _check(draft, numbers)
    assert _where(problems) == [("documents", 1, None, Severity.ERROR)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("archive.zip", "The fax service cannot send .zip files. It accepts PDF, TIFF, PNG,"),
        ("page.svg", "The fax service cannot send .svg files."),
        ("scan", "scan has no file extension, so the fax service cannot tell"),
    ],
)
def test_a_file_type_the_service_does_not_take_is_refused_saying_why(
    draft: Draft, numbers: PhoneNormaliser, tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"some content")
    draft.add_document(path)
    (problem,) = _check(draft, numbers)
    assert (problem.field, problem.document_index, problem.recipient_index) == ("path", 1, None)
    assert problem.message.startswith(message)


def test_missing_empty_and_folder_documents_are_refused(
    draft: Draft, numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "folder.pdf").mkdir()
    draft.add_document(tmp_path / "moved.pdf")
    draft.add_document(tmp_path / "empty.pdf")
    draft.add_document(tmp_path / "folder.pdf")
    messages = [(p.document_index, p.message) for p in _check(draft, numbers)]
    assert messages == [
        (1, f"moved.pdf is no longer in {tmp_path}: it was moved, renamed or deleted."),
        (2, "empty.pdf is empty (0 bytes)."),
        (3, "folder.pdf is a folder, not a document."),
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_a_document_the_user_may_not_read_is_refused(
    draft: Draft, numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    locked = write_pdf("locked.pdf")
    locked.chmod(0)
    draft.add_document(locked)
    (problem,) = _check(draft, numbers)
    assert problem.message == "locked.pdf cannot be read: you do not have permission to open it."


def test_a_damaged_document_is_refused_with_what_is_wrong(
    draft: Draft, numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip renamed to pdf")
    draft.add_document(fake)
    (problem,) = _check(draft, numbers)
    assert (problem.field, problem.document_index) == ("path", 1)
    assert problem.message == "report.pdf: the file is damaged or is not really a PDF document."


def test_without_inspection_only_cheap_checks_run(
    draft: Draft, numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"not a pdf")
    document = draft.add_document(fake)
    assert validate(draft, numbers, now=NOW, inspect=False) == []
    document.inspect()
    assert len(validate(draft, numbers, now=NOW, inspect=False)) == 1


def test_merge_fields_only_on_word_documents(
    draft: Draft, numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    draft.documents[0].doc_merge_data = [DocMergeData("patient", "J. Citizen")]
    word = tmp_path / "letter.docx"
    word.write_bytes(b"PK\x03\x04")
    word_doc = draft.add_document(word)
    word_doc.doc_merge_data = [DocMergeData("patient", "J. Citizen")]
    word_doc.content_problem = None
    problems = validate(draft, numbers, now=NOW, inspect=False)
    assert [(p.field, p.document_index, p.message) for p in problems] == [
        (
            "doc_merge_data",
            0,
            "Merge fields work only in Word documents (.doc, .docx); letter.pdf is a "
            "PDF document. Remove the merge fields or attach the Word document.",
        )
    ]


def test_merge_fields_need_distinct_names(draft: Draft, numbers: PhoneNormaliser) -> None:
    saved = draft.add_saved_document("letter-2026", display_name="letter.docx")
    saved.doc_merge_data = [
        DocMergeData("patient", "A"),
        DocMergeData(" ", "B"),
        DocMergeData("patient", "C"),
    ]
    messages = [p.message for p in _check(draft, numbers)]
    assert messages == [
        "Every merge field needs a name.",
        "Each merge field can be given once: patient.",
    ]


def test_a_document_needs_a_file_or_a_saved_reference(
    draft: Draft, numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    draft.documents.append(DraftDocument())
    keep = draft.add_document(write_pdf("keep.pdf"))
    keep.save_as_ref = True
    fields = [(p.field, p.document_index) for p in _check(draft, numbers)]
    assert fields == [("path", 1), ("document_ref", 2)]


def test_two_files_cannot_be_saved_under_one_reference(
    draft: Draft, numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    draft.documents[0].document_ref = "form"
    draft.documents[0].save_as_ref = True
    other = draft.recipients[0].add_document(write_pdf("other.pdf"))
    other.document_ref = "form"
    other.save_as_ref = True
    problems = _check(draft, numbers)
    assert _where(problems) == [("document_ref", 0, 0, Severity.ERROR)]


def test_a_recipients_own_documents_are_checked_on_its_row(
    draft: Draft, numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    draft.recipients[0].add_document(tmp_path / "gone.pdf")
    assert _where(_check(draft, numbers)) == [("path", 0, 0, Severity.ERROR)]


# --------------------------------------------------------------------------- page limits


def test_more_pages_than_the_default_limit_warns_once_for_everyone(
    numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    draft = Draft.new(NOW)
    draft.add_document(write_pdf("long.pdf", pages=21))
    for i in range(50):
        draft.add_recipient(f"02 8003 {i:04d}", numbers)
    problems = _check(draft, numbers)
    assert _where(problems) == [("max_fax_pages", None, None, Severity.WARNING)]
    assert problems[0].message.startswith(
        "The documents make 21 pages, more than the service's default limit of 20 pages"
    )
    assert not has_errors(problems)


def test_the_limit_that_applies_is_the_recipients_then_the_drafts(
    draft: Draft, numbers: PhoneNormaliser, write_pdf: Callable[..., Path]
) -> None:
    draft.add_document(write_pdf("more.pdf", pages=5))  # 6 pages in all
    draft.options.max_fax_pages = 5
    draft.recipients[0].overrides.max_fax_pages = 10
    tight = draft.add_recipient("02 8003 9891", numbers)
    big_own = draft.add_recipient("02 8003 9892", numbers)
    big_own.add_document(write_pdf("own.pdf", pages=8))
    big_own.overrides.max_fax_pages = 7
    problems = _check(draft, numbers)
    assert _where(problems) == [
        ("max_fax_pages", None, None, Severity.WARNING),
        ("max_fax_pages", 2, None, Severity.WARNING),
    ]
    assert "6 pages, more than the limit of 5" in problems[0].message
    assert "8 pages, more than the limit of 7" in problems[1].message
    assert tight.overrides.max_fax_pages is None


def test_saved_documents_of_unknown_length_do_not_count(
    draft: Draft, numbers: PhoneNormaliser
) -> None:
    draft.add_saved_document("terms-2026")
    draft.options.max_fax_pages = 1
    assert _check(draft, numbers) == []


def test_ten_thousand_recipients_share_one_set_of_document_problems(
    numbers: PhoneNormaliser, tmp_path: Path
) -> None:
    draft = Draft.new(NOW)
    draft.add_document(tmp_path / "gone.pdf")
    draft.add_recipients(Recipient(f"02 8003 {i:04d}") for i in range(10_000))
    problems = _check(draft, numbers)
    assert _where(problems) == [("path", None, 0, Severity.ERROR)]
