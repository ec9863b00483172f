"""FaxDocumentPreview: a saved document drawn as a 1728-wide TIFF Class F at either resolution."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, TiffImagePlugin

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.errors import (
    DocumentRefDoesNotExistFault,
    InvalidArgumentsFault,
    MergeFieldDoesNotMatchDocumentTypeFault,
    UnsupportedDocumentContentTypeFault,
)
from faxgui.api.models import (
    DocMergeData,
    FaxDocumentPreviewRequest,
    ImageStampMergeData,
    SaveFaxDocumentRequest,
    TextStampMergeData,
)
from faxgui.imaging.office import OfficeConverter
from faxgui.imaging.raster import count_pages
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine


def _frames(tiff: bytes) -> list[dict[int, object]]:
    """The tags of every page of a TIFF file."""
    pages = []
    with TiffImagePlugin.TiffImageFile(io.BytesIO(tiff)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            pages.append(dict(image.tag_v2))
    return pages


def _png() -> bytes:
    image = Image.new("RGB", (850, 1100), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 500, 400), fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(100, 100))
    return out.getvalue()


def _text() -> bytes:
    return "\n".join(f"Appointment {n}: Tuesday 10:{n % 60:02d}" for n in range(150)).encode()


def _save(engine: SandboxEngine, ref: str, name: str, data: bytes) -> None:
    engine.save_fax_document("demo", SaveFaxDocumentRequest(ref, name, data))


@pytest.mark.parametrize(
    ("resolution", "lines_per_inch"), [(Resolution.NORMAL, 98), (Resolution.FINE, 196)]
)
@pytest.mark.parametrize("kind", ["pdf", "png", "txt"])
def test_preview_is_a_fax_tiff_with_every_page(
    engine: SandboxEngine,
    make_pdf: Callable[[int], bytes],
    kind: str,
    resolution: Resolution,
    lines_per_inch: int,
) -> None:
    name, data, height_inches = {
        "pdf": ("letter.pdf", make_pdf(3), 11.0),
        "png": ("scan.png", _png(), 11.0),
        "txt": ("notes.txt", _text(), 11.0),
    }[kind]
    _save(engine, "doc", name, data)
    answer = engine.fax_document_preview(
        "demo", FaxDocumentPreviewRequest("doc", resolution=resolution)
    )
    pages = _frames(answer.tiff_preview)
    assert answer.number_of_pages == len(pages) == count_pages(name, data)
    assert len(pages) == {"pdf": 3, "png": 1}.get(kind, len(pages))
    for number, tags in enumerate(pages):
        assert tags[256] == 1728
        assert abs(tags[257] - height_inches * lines_per_inch) <= 2  # type: ignore[operator]
        assert tags[259] == 4
        assert tags[262] == 0
        assert (tags[282], tags[283], tags[296]) == (204, lines_per_inch, 2)
        assert tags[297] == (number, len(pages))


def test_text_preview_runs_to_several_pages(engine: SandboxEngine) -> None:
    _save(engine, "notes", "notes.txt", _text())
    answer = engine.fax_document_preview("demo", FaxDocumentPreviewRequest("notes"))
    assert answer.number_of_pages >= 2


def test_resolution_defaults_to_normal(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "doc", "a.pdf", make_pdf(1))
    answer = engine.fax_document_preview("demo", FaxDocumentPreviewRequest("doc"))
    (tags,) = _frames(answer.tiff_preview)
    assert (tags[257], tags[283]) == (1078, 98)


def test_dithering_none_differs_from_normal(engine: SandboxEngine) -> None:
    _save(engine, "scan", "scan.png", _png())
    plain = engine.fax_document_preview(
        "demo", FaxDocumentPreviewRequest("scan", dithering_technique=DitheringTechnique.NONE)
    )
    dithered = engine.fax_document_preview(
        "demo", FaxDocumentPreviewRequest("scan", dithering_technique=DitheringTechnique.NORMAL)
    )
    assert plain.tiff_preview != dithered.tiff_preview


def _ink(tiff: bytes, box: tuple[int, int, int, int], page: int = 0) -> int:
    """Black pixels of one preview page inside (left, top, right, bottom)."""
    with Image.open(io.BytesIO(tiff)) as image:
        image.seek(page)
        return image.convert("L").crop(box).histogram()[0]


def test_stamps_are_drawn_on_every_page_of_the_preview(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "doc", "a.pdf", make_pdf(2))
    plain = engine.fax_document_preview("demo", FaxDocumentPreviewRequest("doc"))
    request = FaxDocumentPreviewRequest(
        "doc",
        stamp_merge_data=[
            TextStampMergeData(1287, 421, "Received", "Times-Roman"),
            ImageStampMergeData(283, 600, "stamp.png", _png(), 120, 130),
        ],
    )
    stamped = engine.fax_document_preview("demo", request)
    assert stamped.number_of_pages == plain.number_of_pages == 2
    for page in range(2):
        text_box, image_box = (1287, 421, 1500, 460), (283, 600, 403, 730)
        assert _ink(plain.tiff_preview, text_box, page) == 0
        assert _ink(stamped.tiff_preview, text_box, page) > 100
        assert _ink(plain.tiff_preview, image_box, page) == 0
        assert _ink(stamped.tiff_preview, image_box, page) > 1000


def test_a_stamp_image_that_is_not_an_image_is_an_invalid_argument(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "doc", "a.pdf", make_pdf(1))
    request = FaxDocumentPreviewRequest(
        "doc", stamp_merge_data=[ImageStampMergeData(10, 10, "logo.png", b"not an image", 50, 50)]
    )
    with pytest.raises(InvalidArgumentsFault, match=r"logo\.png"):
        engine.fax_document_preview("demo", request)


def test_an_unknown_reference_does_not_exist(engine: SandboxEngine) -> None:
    with pytest.raises(DocumentRefDoesNotExistFault, match="nothing-here"):
        engine.fax_document_preview("demo", FaxDocumentPreviewRequest("nothing-here"))
    with pytest.raises(InvalidArgumentsFault):
        engine.fax_document_preview("demo", FaxDocumentPreviewRequest(""))


def test_documents_of_another_account_cannot_be_previewed(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "doc", "a.pdf", make_pdf(1))
    with pytest.raises(DocumentRefDoesNotExistFault):
        engine.fax_document_preview("receptionist", FaxDocumentPreviewRequest("doc"))


@pytest.mark.parametrize(
    ("name", "program"),
    [
        ("letter.docx", "LibreOffice"),
        ("sums.xlsx", "LibreOffice"),
        ("deck.pptx", "LibreOffice"),
        ("memo.rtf", "LibreOffice"),
        ("form.ps", "Ghostscript"),
    ],
)
def test_without_a_converter_office_documents_cannot_be_previewed(
    clock: ManualClock, no_office: OfficeConverter, name: str, program: str
) -> None:
    engine = SandboxEngine(clock=clock, office=no_office)
    _save(engine, "doc", name, b"saved as is")
    with pytest.raises(UnsupportedDocumentContentTypeFault) as caught:
        engine.fax_document_preview("demo", FaxDocumentPreviewRequest("doc"))
    message = caught.value.server_message
    assert f"cannot preview '{name}'" in message
    assert f"{program}, which is not installed on this computer" in message
    assert "The document can still be sent" in message
    assert "save the document as PDF" in message


@pytest.mark.parametrize("name", ["letter.docx", "sums.xlsx", "deck.pptx", "memo.rtf", "form.ps"])
def test_office_content_that_is_not_what_its_name_says_is_unsupported(
    clock: ManualClock, tmp_path: Path, name: str
) -> None:
    # Converters that exist but are never started: the content is refused first.
    missing = tmp_path / "never-run"
    engine = SandboxEngine(clock=clock, office=OfficeConverter(missing, missing))
    _save(engine, "doc", name, b"saved as is")
    with pytest.raises(UnsupportedDocumentContentTypeFault, match="is damaged or is not really"):
        engine.fax_document_preview("demo", FaxDocumentPreviewRequest("doc"))


def test_merge_fields_need_a_word_document(
    engine: SandboxEngine, make_pdf: Callable[[int], bytes]
) -> None:
    _save(engine, "doc", "a.pdf", make_pdf(1))
    with pytest.raises(MergeFieldDoesNotMatchDocumentTypeFault, match=r"a\.pdf"):
        engine.fax_document_preview(
            "demo", FaxDocumentPreviewRequest("doc", doc_merge_data=[DocMergeData("name", "Jo")])
        )


def test_a_damaged_document_is_unsupported_content(engine: SandboxEngine) -> None:
    _save(engine, "doc", "scan.pdf", b"%PDF-1.4 not a real pdf")
    with pytest.raises(UnsupportedDocumentContentTypeFault, match=r"scan\.pdf"):
        engine.fax_document_preview("demo", FaxDocumentPreviewRequest("doc"))
