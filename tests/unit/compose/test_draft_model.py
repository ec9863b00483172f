"""The draft behind the composer: references, recipients, documents in order, options inherited."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import Blocklists, DocMergeData, FaxMessage, SendFaxRequest
from faxgui.compose.draft import OPTION_NAMES, Draft, DraftDocument, FaxOptions, Recipient
from faxgui.compose.phone import PhoneNormaliser

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def test_a_new_draft_has_a_broadcast_ref_and_a_send_ref_under_it() -> None:
    draft = Draft.new(NOW)
    assert re.fullmatch(r"FG-20261127-[2-9A-HJKMNP-Z]{8}", draft.broadcast_ref)
    assert draft.send_ref == f"{draft.broadcast_ref}-S1"
    assert draft.recipients == []
    assert draft.documents == []
    assert draft.options.is_empty()


def test_each_added_recipient_gets_a_unique_message_ref_under_the_send_ref(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    first = draft.add_recipient("(02) 8003 9890", numbers, name="Harbour Dental")
    second = draft.add_recipient("+61 2 8003 9891", numbers)
    assert first.message_ref == f"{draft.send_ref}-M1"
    assert second.message_ref == f"{draft.send_ref}-M2"
    assert first.name == "Harbour Dental"
    assert (first.fax_number, first.normalised) == ("(02) 8003 9890", "61280039890")


def test_an_invalid_number_is_kept_as_typed_with_no_normalised_form(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    recipient = draft.add_recipient("02 8003", numbers)
    assert recipient.fax_number == "02 8003"
    assert recipient.normalised is None
    assert recipient.message_ref


def test_message_refs_of_removed_recipients_are_never_handed_out_again(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    for i in range(3):
        draft.add_recipient(f"02 8003 989{i}", numbers)
    removed = draft.remove_recipients([2, 0])
    assert [r.message_ref for r in removed] == [f"{draft.send_ref}-M1", f"{draft.send_ref}-M3"]
    assert [r.fax_number for r in draft.recipients] == ["02 8003 9891"]
    new = draft.add_recipient("02 8003 9899", numbers)
    assert new.message_ref == f"{draft.send_ref}-M4"


def test_removing_a_recipient_that_is_not_there_changes_nothing(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    draft.add_recipient("02 8003 9890", numbers)
    with pytest.raises(IndexError):
        draft.remove_recipients([0, 5])
    assert len(draft.recipients) == 1


def test_imported_refs_are_kept_unless_another_recipient_already_has_them() -> None:
    draft = Draft.new(NOW)
    draft.add_recipients([Recipient("0280039890", message_ref="CLINIC-1")])
    added = draft.add_recipients(
        [
            Recipient("0280039891", message_ref="CLINIC-1"),
            Recipient("0280039892", message_ref="CLINIC-2"),
            Recipient("0280039893"),
            Recipient("0280039894", message_ref="CLINIC-2"),
        ]
    )
    refs = [r.message_ref for r in draft.recipients]
    assert refs[0] == "CLINIC-1"
    assert added[1].message_ref == "CLINIC-2"
    assert len(set(refs)) == 5
    assert draft.duplicate_message_refs() == {}


def test_a_fresh_ref_never_takes_one_an_imported_recipient_brings(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    taken = f"{draft.send_ref}-M1"
    draft.add_recipients([Recipient("0280039890"), Recipient("0280039891", message_ref=taken)])
    assert [r.message_ref for r in draft.recipients] == [f"{draft.send_ref}-M2", taken]


def test_the_same_number_twice_is_detected_however_it_was_written(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    for typed in ("(02) 8003 9890", "02 8003 9891", "+61 2 8003 9890", "bad", "bad"):
        draft.add_recipient(typed, numbers)
    assert draft.duplicate_numbers() == {2: 0}


def test_duplicate_message_refs_point_at_the_first_recipient_with_that_ref() -> None:
    draft = Draft.new(NOW)
    draft.recipients = [
        Recipient("1", message_ref="A"),
        Recipient("2", message_ref="B"),
        Recipient("3", message_ref="A"),
    ]
    assert draft.duplicate_message_refs() == {2: 0}


def test_renewing_references_gives_the_draft_and_every_fax_new_ones(
    numbers: PhoneNormaliser,
) -> None:
    draft = Draft.new(NOW)
    draft.add_recipient("02 8003 9890", numbers)
    draft.add_recipient("02 8003 9891", numbers)
    old = (draft.broadcast_ref, draft.send_ref, [r.message_ref for r in draft.recipients])
    draft.renew_references(NOW)
    assert draft.broadcast_ref != old[0]
    assert draft.send_ref == f"{draft.broadcast_ref}-S1"
    assert [r.message_ref for r in draft.recipients] == [
        f"{draft.send_ref}-M1",
        f"{draft.send_ref}-M2",
    ]


def test_changing_the_default_country_renormalises_every_number() -> None:
    draft = Draft.new(NOW)
    draft.add_recipient("020 7946 0958", PhoneNormaliser("AU"))
    assert draft.recipients[0].normalised is None
    draft.renormalise(PhoneNormaliser("GB"))
    assert draft.recipients[0].normalised == "442079460958"


def test_editing_a_number_returns_what_is_wrong_with_it(numbers: PhoneNormaliser) -> None:
    recipient = Recipient.typed("02 8003 9890", numbers)
    result = recipient.set_fax_number("02 8003", numbers)
    assert result.problem == "This number is too short"
    assert (recipient.fax_number, recipient.normalised) == ("02 8003", None)


# --------------------------------------------------------------------------- documents


def test_documents_are_sent_in_list_order_through_add_move_and_remove(tmp_path: Path) -> None:
    draft = Draft.new(NOW)
    cover = draft.add_document(tmp_path / "cover.pdf")
    letter = draft.add_document(tmp_path / "letter.docx", display_name="Letter to GP")
    saved = draft.add_saved_document("terms-2026", display_name="Terms")
    assert [d.order for d in draft.documents] == [0, 1, 2]
    draft.move_document(2, 0)
    assert draft.documents == [saved, cover, letter]
    assert [d.order for d in draft.documents] == [0, 1, 2]
    assert draft.remove_document(1) is cover
    assert [(d.label, d.order) for d in draft.documents] == [("Terms", 0), ("Letter to GP", 1)]


def test_a_recipient_can_carry_its_own_documents_instead_of_the_drafts(tmp_path: Path) -> None:
    draft = Draft.new(NOW)
    shared = draft.add_document(tmp_path / "newsletter.pdf")
    plain = Recipient("0280039890")
    special = Recipient("0280039891")
    own_first = special.add_document(tmp_path / "invoice.pdf")
    own_second = special.add_document(tmp_path / "statement.pdf")
    special.move_document(1, 0)
    draft.add_recipients([plain, special])
    assert draft.documents_for(plain) == [shared]
    assert draft.documents_for(special) == [own_second, own_first]
    assert [d.order for d in special.documents] == [0, 1]
    assert draft.all_documents() == [shared, own_second, own_first]


def test_a_saved_document_is_sent_by_its_reference_alone() -> None:
    document = DraftDocument(document_ref="terms-2026", order=2)
    fax_document = document.to_fax_document(None)
    assert (fax_document.document_ref, fax_document.file_data, fax_document.file_name) == (
        "terms-2026",
        None,
        None,
    )
    assert fax_document.order == 2


def test_a_file_also_saved_for_reuse_carries_its_data_and_the_reference(tmp_path: Path) -> None:
    document = DraftDocument(
        path=tmp_path / "form.docx",
        document_ref="intake-form",
        save_as_ref=True,
        dithering_technique=DitheringTechnique.DARKEN,
        doc_merge_data=[DocMergeData("patient", "J. Citizen")],
    )
    fax_document = document.to_fax_document(b"docx bytes")
    assert fax_document.file_name == "form.docx"
    assert fax_document.file_data == b"docx bytes"
    assert fax_document.document_ref == "intake-form"
    assert fax_document.dithering_technique is DitheringTechnique.DARKEN
    assert fax_document.doc_merge_data == [DocMergeData("patient", "J. Citizen")]


def test_a_reference_typed_but_not_ticked_for_saving_is_not_sent(tmp_path: Path) -> None:
    document = DraftDocument(path=tmp_path / "form.pdf", document_ref="maybe-later")
    assert document.wire_document_ref is None
    assert document.to_fax_document(b"pdf").document_ref is None


def test_inspecting_a_document_counts_its_pages(write_pdf: Callable[..., Path]) -> None:
    document = DraftDocument(path=write_pdf("report.pdf", pages=3))
    assert document.needs_inspection()
    document.inspect()
    assert document.page_count == 3
    assert document.content_problem is None
    assert not document.needs_inspection()


def test_a_changed_file_is_inspected_again(write_pdf: Callable[..., Path]) -> None:
    path = write_pdf("report.pdf", pages=1)
    document = DraftDocument(path=path)
    document.inspect()
    write_pdf("report.pdf", pages=4)
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 5_000_000_000))
    assert document.needs_inspection()
    document.inspect()
    assert document.page_count == 4


def test_a_damaged_or_missing_file_is_recorded_not_raised(tmp_path: Path) -> None:
    damaged = tmp_path / "scan.pdf"
    damaged.write_bytes(b"this is not a PDF at all")
    document = DraftDocument(path=damaged)
    document.inspect()
    assert document.page_count is None
    assert document.content_problem is not None
    assert "scan.pdf" in document.content_problem
    missing = DraftDocument(path=tmp_path / "gone.pdf")
    missing.inspect()
    assert missing.content_problem == "gone.pdf cannot be read (it is no longer there)."


# --------------------------------------------------------------------------- options


def test_a_recipients_overrides_win_and_the_rest_is_inherited() -> None:
    draft = Draft.new(NOW)
    draft.options = FaxOptions(send_from="Front Desk", retries=2, resolution=Resolution.FINE)
    recipient = Recipient("0280039890", overrides=FaxOptions(retries=5, header_format="%to%"))
    effective = draft.options_for(recipient)
    assert effective == FaxOptions(
        send_from="Front Desk", retries=5, resolution=Resolution.FINE, header_format="%to%"
    )
    assert draft.options.retries == 2
    assert recipient.overrides.send_from is None


def test_options_land_on_requests_and_messages_under_the_same_names() -> None:
    options = FaxOptions(
        send_from="Front Desk",
        resolution=Resolution.FINE,
        retries=1,
        busy_retries=4,
        header_format="%from%|%d/%m/%Y",
        scheduled_start_time=NOW,
        must_be_sent_before_date=NOW.replace(hour=17),
        max_fax_pages=10,
        cli="61280039899",
        blocklists=Blocklists(dncr=True, fps=False),
    )
    request = SendFaxRequest(fax_messages=[])
    message = FaxMessage(message_ref="M1", send_to="61280039890")
    options.apply_to(request)
    options.apply_to(message)
    for name in OPTION_NAMES:
        assert getattr(request, name) == getattr(options, name)
        assert getattr(message, name) == getattr(options, name)
    assert request.blocklists is not options.blocklists
    assert set(OPTION_NAMES) == {
        "send_from",
        "resolution",
        "retries",
        "busy_retries",
        "header_format",
        "scheduled_start_time",
        "must_be_sent_before_date",
        "max_fax_pages",
        "cli",
        "blocklists",
    }
