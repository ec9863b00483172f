"""Word documents in the sandbox: merge fields filled, real pages counted, previews as printed."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from faxgui.api.enums import FaxError, FaxStatus, Resolution, Verbosity
from faxgui.api.errors import MergeFieldDoesNotMatchDocumentTypeFault
from faxgui.api.models import (
    DocMergeData,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxMessage,
    FaxMessageStatus,
    FaxStatusRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
)
from faxgui.imaging.docx_merge import merge_docx
from faxgui.imaging.office import OfficeConverter
from faxgui.imaging.raster import render_fax_tiff
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine

NUMBER = "0298765432"
MakeDocx = Callable[..., bytes]
RunUntilDone = Callable[..., FaxMessageStatus]

# A page of Letter holds about 45 lines of 14-point text: 60 lines make two pages.
LONG_ADDRESS = "\n".join(f"Line {n} of a very long address" for n in range(60))


def _pages_of(tiff: bytes) -> list[Image.Image]:
    pages = []
    with Image.open(io.BytesIO(tiff)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            pages.append(image.convert("L"))
    return pages


def _send_word(engine: SandboxEngine, ref: str, document: FaxDocument, max_fax_pages: int) -> None:
    engine.send_fax(
        "demo",
        SendFaxRequest(
            fax_messages=[FaxMessage(ref, NUMBER)],
            documents=[document],
            max_fax_pages=max_fax_pages,
        ),
    )


# --------------------------------------------------------------------------- preview


def test_a_word_preview_shows_the_merged_fields(
    engine: SandboxEngine, libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    docx = make_docx(["Dear <mf:name>,", "Your visit is on <mf:date>."])
    engine.save_fax_document("demo", SaveFaxDocumentRequest("letter", "letter.docx", docx))
    merge = [DocMergeData("name", "Ms Jo Bloggs"), DocMergeData("date", "Tuesday 4 March")]
    plain = engine.fax_document_preview("demo", FaxDocumentPreviewRequest("letter"))
    merged = engine.fax_document_preview(
        "demo", FaxDocumentPreviewRequest("letter", Resolution.FINE, doc_merge_data=merge)
    )
    assert (plain.number_of_pages, merged.number_of_pages) == (1, 1)
    # Exactly what the merged document looks like when LibreOffice prints it.
    local_pdf = libreoffice.to_pdf(
        "letter.docx", merge_docx(docx, {"name": "Ms Jo Bloggs", "date": "Tuesday 4 March"})
    )
    expected = render_fax_tiff("letter.pdf", local_pdf, Resolution.FINE)
    assert merged.tiff_preview == expected.data
    # ...and not what the unmerged one looks like (the fields were really replaced).
    (plain_page,) = _pages_of(plain.tiff_preview)
    (merged_page,) = _pages_of(merged.tiff_preview)
    assert plain_page.height * 2 == merged_page.height
    assert plain_page.resize(merged_page.size).tobytes() != merged_page.tobytes()


def test_a_doc_file_is_merged_too(
    engine: SandboxEngine, libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    # Word writes RTF under a .doc name too; LibreOffice saves it as .docx to merge it.
    engine.save_fax_document(
        "demo",
        SaveFaxDocumentRequest("old", "old.doc", b"{\\rtf1\\ansi Dear <mf:name>\\par}"),
    )
    plain = engine.fax_document_preview("demo", FaxDocumentPreviewRequest("old"))
    merged = engine.fax_document_preview(
        "demo",
        FaxDocumentPreviewRequest("old", doc_merge_data=[DocMergeData("name", LONG_ADDRESS)]),
    )
    assert (plain.number_of_pages, merged.number_of_pages) == (1, 2)


@pytest.mark.parametrize("name", ["a.pdf", "sums.xlsx", "notes.txt"])
def test_merge_data_for_anything_but_word_is_refused(engine: SandboxEngine, name: str) -> None:
    engine.save_fax_document("demo", SaveFaxDocumentRequest("doc", name, b"saved as is"))
    request = FaxDocumentPreviewRequest("doc", doc_merge_data=[DocMergeData("name", "Jo")])
    with pytest.raises(MergeFieldDoesNotMatchDocumentTypeFault, match=name.replace(".", r"\.")):
        engine.fax_document_preview("demo", request)


def test_a_preview_converts_outside_the_lock(
    clock: ManualClock, libreoffice: OfficeConverter, make_docx: MakeDocx
) -> None:
    # A converter of its own, so the merged letter really is converted (nothing cached).
    engine = SandboxEngine(clock=clock, office=OfficeConverter(libreoffice.soffice))
    docx = make_docx(["Dear <mf:name>, this takes LibreOffice a moment"])
    engine.save_fax_document("demo", SaveFaxDocumentRequest("letter", "letter.docx", docx))
    engine.send_fax(
        "other",
        SendFaxRequest([FaxMessage("m1", NUMBER)], documents=[FaxDocument("a.txt", b"hi")]),
    )
    request = FaxDocumentPreviewRequest("letter", doc_merge_data=[DocMergeData("name", "Jo")])
    preview = threading.Thread(target=engine.fax_document_preview, args=("demo", request))
    status_times: list[float] = []
    started = time.perf_counter()
    preview.start()
    while preview.is_alive():
        asked = time.perf_counter()
        engine.fax_status("other", FaxStatusRequest(message_ref="m1"))
        status_times.append(time.perf_counter() - asked)
        time.sleep(0.02)
    preview.join()
    assert time.perf_counter() - started > 0.3  # the preview did take a while...
    assert len(status_times) > 5
    assert max(status_times) < 0.25  # ...and status calls never waited for it


# --------------------------------------------------------------------------- page counts


def test_max_fax_pages_counts_the_pages_libreoffice_prints(
    engine: SandboxEngine,
    libreoffice: OfficeConverter,
    make_docx: MakeDocx,
    run_until_done: RunUntilDone,
) -> None:
    # No docProps/app.xml: the file's own metadata would say one page.
    docx = make_docx(["Page one", "\f", "Page two", "\f", "Page three"])
    _send_word(engine, "three", FaxDocument("report.docx", docx), max_fax_pages=2)
    _send_word(engine, "fits", FaxDocument("report.docx", docx), max_fax_pages=3)
    assert run_until_done("three").results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
    fits = run_until_done("fits")
    assert fits.status is FaxStatus.DONE
    assert fits.results[-1].error is None
    assert fits.results[-1].pages == 3


def test_merge_data_that_adds_a_page_counts_against_max_fax_pages(
    engine: SandboxEngine,
    libreoffice: OfficeConverter,
    make_docx: MakeDocx,
    run_until_done: RunUntilDone,
) -> None:
    docx = make_docx(["To:", "<mf:address>", "Thank you."])
    short = [DocMergeData("address", "1 High St")]
    long = [DocMergeData("address", LONG_ADDRESS)]
    _send_word(engine, "short", FaxDocument("a.docx", docx, doc_merge_data=short), 1)
    _send_word(engine, "long", FaxDocument("a.docx", docx, doc_merge_data=long), 1)
    assert run_until_done("short").results[-1].pages == 1
    assert run_until_done("long").results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT


def test_a_saved_template_sent_by_reference_is_counted_with_its_merge_data(
    engine: SandboxEngine,
    libreoffice: OfficeConverter,
    make_docx: MakeDocx,
    run_until_done: RunUntilDone,
) -> None:
    docx = make_docx(["To:", "<mf:address>"])
    # Sent and saved at once: the template is saved as uploaded, the fax is merged.
    long = [DocMergeData("address", LONG_ADDRESS)]
    first = FaxDocument("t.docx", docx, document_ref="template", doc_merge_data=long)
    _send_word(engine, "first", first, 1)
    by_ref = FaxDocument(document_ref="template", doc_merge_data=long)
    _send_word(engine, "by-ref", by_ref, 1)
    _send_word(engine, "by-ref-short", FaxDocument(document_ref="template"), 1)
    assert run_until_done("first").results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
    assert run_until_done("by-ref").results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
    assert run_until_done("by-ref-short").results[-1].pages == 1


def test_a_broadcast_of_merged_letters_converts_them_in_one_libreoffice_run(
    clock: ManualClock, libreoffice: OfficeConverter, make_docx: MakeDocx, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    counting = tmp_path / "soffice"
    counting.write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec "{libreoffice.soffice}" "$@"\n')
    counting.chmod(0o755)
    engine = SandboxEngine(clock=clock, office=OfficeConverter(counting))
    docx = make_docx(["Dear <mf:name>,", "Your results are ready."])
    messages = [
        FaxMessage(
            f"m{n}",
            NUMBER,
            documents=[FaxDocument("a.docx", docx, doc_merge_data=[DocMergeData("name", f"P{n}")])],
        )
        for n in range(8)
    ]
    engine.send_fax("demo", SendFaxRequest(messages, max_fax_pages=1))
    # The template and eight letters: nine documents, one run (starting it is most of the cost).
    assert runs.read_text().split() == ["run"]
    for n in range(8):
        assert _run_until_done(engine, clock, f"m{n}").results[-1].pages == 1


def test_without_libreoffice_word_pages_come_from_the_files_metadata(
    clock: ManualClock, no_office: OfficeConverter
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("docProps/app.xml", "<Properties><Pages>4</Pages></Properties>")
    engine = SandboxEngine(clock=clock, office=no_office)
    _send_word(engine, "four", FaxDocument("a.docx", out.getvalue()), max_fax_pages=3)
    _send_word(engine, "fits", FaxDocument("a.docx", out.getvalue()), max_fax_pages=4)
    row = _run_until_done(engine, clock, "four")
    assert row.results[-1].error is FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT
    assert _run_until_done(engine, clock, "fits").results[-1].pages == 4


def _run_until_done(engine: SandboxEngine, clock: ManualClock, ref: str) -> FaxMessageStatus:
    request = FaxStatusRequest(message_ref=ref, verbosity=Verbosity.ALL)
    for _ in range(7200):
        (row,) = engine.fax_status("demo", request).messages
        if row.status is FaxStatus.DONE:
            return row
        clock.advance(1)
    raise AssertionError(f"{ref} is still {row.status}")
