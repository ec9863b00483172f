"""Editing stamps in fax pixels: every change lands in the document's list and stays on the page."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from faxgui.api.models import ImageStampMergeData, TextStampMergeData
from faxgui.compose.draft import Draft, DraftDocument
from faxgui.compose.stamp_edit import (
    MIN_IMAGE_SIZE,
    Corner,
    PageBounds,
    StampEditor,
    StampImage,
    StampImageError,
    default_image_size,
    read_stamp_image,
)

# A Letter page at normal resolution: 1728 pixels by 1078 lines.
LETTER_NORMAL = PageBounds(1728, 1078)


def png_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 0).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def document() -> DraftDocument:
    return DraftDocument(path=Path("letter.pdf"))


@pytest.fixture
def editor(document: DraftDocument) -> StampEditor:
    return StampEditor(document.stamps, LETTER_NORMAL)


@pytest.fixture
def logo() -> StampImage:
    return StampImage("logo.png", png_bytes(200, 100), 200, 100)


def test_added_stamps_are_the_documents_and_are_sent(
    editor: StampEditor, document: DraftDocument, logo: StampImage
) -> None:
    editor.add_text(1287, 421, "RECEIVED", "Helvetica-Bold", Decimal(14))
    editor.add_image(283, 120, logo, 120, 130)

    sent = document.to_fax_document(b"%PDF").stamp_merge_data
    assert sent == [
        TextStampMergeData(1287, 421, "RECEIVED", "Helvetica-Bold", Decimal(14)),
        ImageStampMergeData(283, 120, "logo.png", logo.data, 120, 130),
    ]


def test_stamps_survive_the_draft_being_saved_and_read_back(
    document: DraftDocument, logo: StampImage
) -> None:
    draft = Draft.new()
    draft.documents.append(document)
    editor = StampEditor(document.stamps, LETTER_NORMAL)
    editor.add_text(10, 20, "Copy", "Courier", Decimal("10.5"))
    editor.add_image(300, 400, logo, 150, 40)

    again = Draft.loads(draft.dumps())

    assert again.documents[0].stamps == document.stamps


def test_a_stamp_placed_off_the_page_is_brought_onto_it(
    editor: StampEditor, logo: StampImage
) -> None:
    index = editor.add_image(1700, 1070, logo, 100, 50)

    stamp = editor.stamps[index]
    assert (stamp.x, stamp.y) == (1728 - 100, 1078 - 50)
    assert editor.move_to(index, -30, -5) == (0, 0)


def test_text_keeps_its_measured_ink_on_the_page(document: DraftDocument) -> None:
    editor = StampEditor(document.stamps, LETTER_NORMAL, measure=lambda s: (12 * len(s.text), 9))
    index = editor.add_text(1720, 1077, "PAID")

    assert (document.stamps[index].x, document.stamps[index].y) == (1728 - 48, 1078 - 9)


def test_nudges_move_one_pixel_and_stop_at_the_edge(editor: StampEditor) -> None:
    index = editor.add_text(5, 5, "A")

    assert editor.nudge(index, 1, 0) == (6, 5)
    assert editor.nudge(index, 0, -10) == (6, 0)
    assert editor.nudge(index, -10, 0) == (0, 0)


def test_resizing_keeps_the_top_left_and_the_page(editor: StampEditor, logo: StampImage) -> None:
    index = editor.add_image(100, 200, logo, 120, 60)

    assert editor.resize(index, 240, 90) == (240, 90)
    assert (editor.stamps[index].x, editor.stamps[index].y) == (100, 200)
    assert editor.resize(index, 0, -5) == (MIN_IMAGE_SIZE, MIN_IMAGE_SIZE)
    assert editor.resize(index, 5000, 5000) == (1728, 1078)
    assert (editor.stamps[index].x, editor.stamps[index].y) == (0, 0)


def test_dragging_a_corner_keeps_the_opposite_corner(editor: StampEditor, logo: StampImage) -> None:
    index = editor.add_image(100, 200, logo, 120, 60)

    assert editor.drag_corner(index, Corner.BOTTOM_RIGHT, 300, 300) == (100, 200, 200, 100)
    assert editor.drag_corner(index, Corner.TOP_LEFT, 50, 150) == (50, 150, 250, 150)
    # Past the fixed corner: the smallest size, still anchored at the bottom right.
    assert editor.drag_corner(index, Corner.TOP_LEFT, 900, 900) == (296, 296, 4, 4)


def test_dragging_a_corner_can_keep_the_aspect(editor: StampEditor, logo: StampImage) -> None:
    index = editor.add_image(100, 100, logo, 200, 100)

    x, y, width, height = editor.drag_corner(index, Corner.BOTTOM_RIGHT, 500, 150, keep_aspect=True)

    assert (x, y, width, height) == (100, 100, 400, 200)
    # Near the page's right edge the aspect still holds: the stamp is as big as fits.
    _, _, width, height = editor.drag_corner(index, Corner.BOTTOM_RIGHT, 5000, 5000, True)
    assert (width, height) == (1628, 814)


def test_deleting_removes_exactly_that_stamp(editor: StampEditor) -> None:
    editor.add_text(1, 1, "same")
    editor.add_text(1, 1, "same")
    editor.add_text(9, 9, "other")

    editor.delete(1)

    assert [(s.x, s.text) for s in editor.stamps] == [(1, "same"), (9, "other")]  # type: ignore[union-attr]


def test_blank_text_and_silly_sizes_are_refused_with_a_sentence(editor: StampEditor) -> None:
    with pytest.raises(ValueError, match="Type the text"):
        editor.add_text(0, 0, "   ")
    with pytest.raises(ValueError, match="between 4 and 144 points"):
        editor.add_text(0, 0, "Hi", font_size=Decimal(500))
    assert editor.stamps == []


def test_default_image_size_keeps_the_picture_square_on_paper() -> None:
    # About 0.48 lines per pixel of width at normal resolution on Letter (98 / 203.3).
    assert default_image_size(100, 100, 0.482) == (100, 48)
    assert default_image_size(1000, 500, 0.964) == (300, 145)


def test_reading_an_image_file(tmp_path: Path) -> None:
    path = tmp_path / "sign.png"
    path.write_bytes(png_bytes(64, 32))

    image = read_stamp_image(path)

    assert (image.file_name, image.width, image.height) == ("sign.png", 64, 32)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.docx", b"PK", "choose a PNG, JPEG, GIF or TIFF"),
        ("broken.png", b"not a png at all", "not an image faxgui can read"),
    ],
)
def test_files_that_cannot_be_stamps_are_explained(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(StampImageError, match=message):
        read_stamp_image(path)


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(StampImageError, match=r"gone\.png cannot be read"):
        read_stamp_image(tmp_path / "gone.png")
