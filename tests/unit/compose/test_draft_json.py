"""A draft comes back from JSON as it was; damaged or newer files are refused plainly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import Blocklists, DocMergeData, ImageStampMergeData, TextStampMergeData
from faxgui.compose.draft import (
    FORMAT_VERSION,
    Draft,
    DraftDocument,
    DraftFormatError,
    FaxOptions,
    FileStamp,
    Recipient,
)

SYDNEY = timezone(timedelta(hours=11))


def _full_draft(tmp_path: Path) -> Draft:
    draft = Draft.new(datetime(2026, 11, 27, tzinfo=UTC))
    draft.options = FaxOptions(
        send_from="Front Desk",
        resolution=Resolution.FINE,
        retries=1,
        busy_retries=4,
        header_format="From %from%|%d/%m/%Y %H:%M",
        scheduled_start_time=datetime(2026, 11, 28, 8, 0, tzinfo=SYDNEY),
        must_be_sent_before_date=datetime(2026, 11, 28, 17, 0, tzinfo=SYDNEY),
        max_fax_pages=12,
        cli="61280039899",
        blocklists=Blocklists(dncr=True, fps=False, smartblock=None),
    )
    draft.documents = [
        DraftDocument(
            path=tmp_path / "Letter to Dr Müller.docx",
            display_name="Letter",
            dithering_technique=DitheringTechnique.DETAILED,
            doc_merge_data=[DocMergeData("patient", "Zoë Nguyễn"), DocMergeData("date", "")],
            document_ref="letter-2026",
            save_as_ref=True,
            page_count=2,
            inspected=FileStamp(size=20480, mtime_ns=1_764_000_000_123_456_789),
        ),
        DraftDocument(document_ref="terms-2026", display_name="Terms"),
        DraftDocument(
            path=tmp_path / "scan.pdf",
            stamps=[
                TextStampMergeData(x=100, y=200, text="URGENT", font_size=Decimal("12.5")),
                ImageStampMergeData(
                    x=5, y=6, file_name="sig.png", file_data=b"\x89PNG\x00\xff", width=80
                ),
            ],
            content_problem="scan.pdf: the file is damaged or is not really a PDF document.",
        ),
    ]
    draft.renumber_documents()
    special = Recipient(
        fax_number="(02) 8003 9891",
        name="Northside “Clinic”",
        normalised="61280039891",
        extra={"Practice ID": "N-17", "Notes": "after 2pm, ask for Jo"},
        overrides=FaxOptions(
            retries=0,
            scheduled_start_time=datetime(2026, 11, 28, 9, 15),
            blocklists=Blocklists(smartblock=True),
        ),
    )
    special.add_document(tmp_path / "invoice.pdf")
    draft.add_recipients(
        [
            Recipient(fax_number="02 8003 9890", name="Harbour Dental", normalised="61280039890"),
            special,
            Recipient(fax_number="not a number"),
        ]
    )
    return draft


def test_a_draft_with_every_field_set_comes_back_equal(tmp_path: Path) -> None:
    draft = _full_draft(tmp_path)
    restored = Draft.loads(draft.dumps())
    assert restored == draft
    assert restored.options.scheduled_start_time == datetime(2026, 11, 28, 8, 0, tzinfo=SYDNEY)
    assert restored.recipients[1].overrides.scheduled_start_time == datetime(2026, 11, 28, 9, 15)
    assert restored.next_message_number == draft.next_message_number


def test_an_empty_draft_comes_back_equal() -> None:
    draft = Draft.new()
    assert Draft.loads(draft.dumps()) == draft
    assert Draft.loads(draft.snapshot()) == draft


def test_the_file_says_which_format_it_is_and_leaves_unset_options_out(tmp_path: Path) -> None:
    data = json.loads(Draft.new().dumps())
    assert data["version"] == FORMAT_VERSION == 1
    assert data["options"] == {}
    assert data["recipients"] == []


def test_keys_a_newer_faxgui_added_are_ignored(tmp_path: Path) -> None:
    draft = _full_draft(tmp_path)
    data = draft.to_json()
    data["colour_scheme"] = "dark"
    data["options"]["priority"] = "high"
    data["documents"][0]["thumbnail"] = "abc"
    data["recipients"][0]["organisation"] = "Harbour Dental Pty Ltd"
    data["recipients"][1]["overrides"]["future_option"] = 3
    assert Draft.from_json(json.loads(json.dumps(data))) == draft


def test_a_draft_from_a_newer_major_version_is_refused_with_a_way_forward() -> None:
    data = Draft.new().to_json()
    data["version"] = 2
    with pytest.raises(DraftFormatError, match=r"newer faxgui .*format 2.*Update faxgui"):
        Draft.from_json(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "should be a set of named values"),
        ('{"recipients": []}', "not a faxgui draft"),
        ('{"version": "1"}', "version should be a whole number"),
        ('{"version": 1, "options": {"retries": "three"}}', "options.retries should be a whole"),
        ('{"version": 1, "options": {"retries": true}}', "options.retries should be a whole"),
        ('{"version": 1, "options": {"resolution": "ultra"}}', "unknown value 'ultra'"),
        (
            '{"version": 1, "options": {"must_be_sent_before_date": "next Tuesday"}}',
            "not a date and time",
        ),
        ('{"version": 1, "recipients": {"a": 1}}', "recipients should be a list"),
        ('{"version": 1, "recipients": [{"extra": {"a": 1}}]}', r"recipients\[0\].extra.a"),
        (
            '{"version": 1, "documents": [{"stamps": [{"kind": "hologram"}]}]}',
            r"documents\[0\].stamps\[0\] is a stamp of unknown kind",
        ),
    ],
)
def test_a_damaged_file_is_refused_naming_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(DraftFormatError, match=message):
        Draft.loads(text)


def test_documents_come_back_in_their_sending_order(tmp_path: Path) -> None:
    data = {
        "version": 1,
        "documents": [
            {"path": str(tmp_path / "b.pdf"), "order": 1},
            {"path": str(tmp_path / "a.pdf"), "order": 0},
        ],
    }
    restored = Draft.from_json(data)
    assert [d.file_name for d in restored.documents] == ["a.pdf", "b.pdf"]
    assert [d.order for d in restored.documents] == [0, 1]


def test_the_documentations_misspelt_dithering_value_is_read_as_lighten() -> None:
    data = {"version": 1, "documents": [{"document_ref": "x", "dithering_technique": "ligthen"}]}
    assert Draft.from_json(data).documents[0].dithering_technique is DitheringTechnique.LIGHTEN
