"""A stored request holds file paths, not file data, and comes back exactly as it was sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import (
    Blocklists,
    DocMergeData,
    FaxDocument,
    FaxMessage,
    ImageStampMergeData,
    SendFaxRequest,
    TextStampMergeData,
)
from faxgui.compose.pipeline import FileSources, SendFileError
from faxgui.jobs.request_json import (
    RequestJsonError,
    request_from_json,
    request_summary,
    request_to_json,
)


def _every_field(files: FileSources, letter: Path, form: Path, logo: Path) -> SendFaxRequest:
    sydney = timezone(timedelta(hours=11))
    letter_data = files.read(letter)
    return SendFaxRequest(
        broadcast_ref="FG-1",
        send_ref="FG-1-S1",
        documents=[
            FaxDocument(
                file_name="letter.pdf",
                file_data=letter_data,
                document_ref="letterhead-2026",
                order=0,
                dithering_technique=DitheringTechnique.DARKEN,
                stamp_merge_data=[
                    TextStampMergeData(10, 20, "URGENT", "Courier", Decimal("12.5")),
                    ImageStampMergeData(30, 40, "logo.png", files.read(logo), 100, 50),
                    ImageStampMergeData(5, 5, "sig.png", b"\x89PNG signature"),
                ],
            ),
            FaxDocument(document_ref="terms-v3", order=1),
        ],
        resolution=Resolution.FINE,
        blocklists=Blocklists(dncr=True, fps=False),
        send_from="Front Desk",
        scheduled_start_time=datetime(2026, 12, 1, 9, 0, tzinfo=sydney),
        retries=3,
        busy_retries=5,
        header_format="From %from%, To %to%",
        must_be_sent_before_date=datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        max_fax_pages=12,
        cli="0280039890",
        fax_messages=[
            FaxMessage("FG-1-S1-M1", "61280039890"),
            FaxMessage(
                "FG-1-S1-M2",
                "61280039891",
                send_from="Dr Lee",
                resolution=Resolution.NORMAL,
                retries=0,
                documents=[
                    FaxDocument(
                        file_name="form.docx",
                        file_data=files.read(form),
                        order=0,
                        doc_merge_data=[DocMergeData("patient", "J. Citizen")],
                    )
                ],
            ),
        ],
    )


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path, Path]:
    letter, form, logo = tmp_path / "letter.pdf", tmp_path / "form.docx", tmp_path / "logo.png"
    letter.write_bytes(b"%PDF-1.4 letter " * 1000)
    form.write_bytes(b"PK docx form")
    logo.write_bytes(b"\x89PNG logo")
    return letter, form, logo


def test_a_request_comes_back_field_for_field(paths: tuple[Path, Path, Path]) -> None:
    files = FileSources()
    request = _every_field(files, *paths)
    text = request_to_json(request, files.path_of)
    rebuilt = request_from_json(text, FileSources().read)
    assert rebuilt == request


def test_file_data_is_stored_as_the_files_path(paths: tuple[Path, Path, Path]) -> None:
    files = FileSources()
    text = request_to_json(_every_field(files, *paths), files.path_of)
    assert "letter " not in text
    stored = json.loads(text)["request"]
    assert stored["documents"][0]["file"] == str(paths[0])
    assert stored["fax_messages"][1]["documents"][0]["file"] == str(paths[1])
    # A stamp image the composer holds itself (no file) is small and kept inline.
    assert stored["documents"][0]["stamp_merge_data"][2]["data"]


def test_a_file_gone_since_the_send_was_recorded_is_named(
    paths: tuple[Path, Path, Path],
) -> None:
    files = FileSources()
    text = request_to_json(_every_field(files, *paths), files.path_of)
    paths[1].unlink()
    with pytest.raises(SendFileError, match=r"form\.docx") as caught:
        request_from_json(text, FileSources().read)
    assert str(paths[1]) in caught.value.user_message
    assert "no longer there" in caught.value.user_message


def test_document_data_not_read_from_a_file_cannot_be_stored() -> None:
    request = SendFaxRequest(
        [FaxMessage("M1", "61280039890")], send_ref="S1", documents=[FaxDocument("a.txt", b"x")]
    )
    with pytest.raises(ValueError, match=r"a\.txt"):
        request_to_json(request, FileSources().path_of)


@pytest.mark.parametrize(
    "text", ["", "[]", '{"format": 99, "request": {}}', '{"format": 1, "request": {}}']
)
def test_damaged_or_unknown_stored_text_is_refused(text: str) -> None:
    with pytest.raises(RequestJsonError):
        request_from_json(text, FileSources().read)


def test_the_summary_has_options_document_names_and_pages_but_no_data(
    paths: tuple[Path, Path, Path],
) -> None:
    files = FileSources()
    request = _every_field(files, *paths)
    summary = request_summary(request, {"letter.pdf": 2, "terms-v3": 1})
    assert summary["messages"] == 2
    assert summary["messages_with_overrides"] == 1
    assert summary["documents"] == [
        {"name": "letter.pdf", "document_ref": "letterhead-2026", "pages": 2},
        {"name": "terms-v3", "document_ref": "terms-v3", "pages": 1},
    ]
    assert summary["options"]["retries"] == 3
    assert summary["options"]["resolution"] == "fine"
    assert "letter " not in json.dumps(summary)
