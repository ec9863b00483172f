"""Document types: the README's list, told apart by extension; merge fields on Word only."""

from __future__ import annotations

import pytest

from faxgui.imaging.formats import (
    DOC,
    DOCX,
    FILE_TYPES,
    PDF,
    SUPPORTED_EXTENSIONS,
    TIFF,
    extension_of,
    file_type_for,
)


def test_supported_extensions_are_exactly_the_readmes_list() -> None:
    readme = "PDF, TIFF, PNG, JPG, GIF, TXT, PS, RTF, DOC, DOCX, XLS, XLSX, PPT, PPTX"
    listed = {name.strip().lower() for name in readme.split(",")}
    assert listed | {"tif", "jpeg"} == SUPPORTED_EXTENSIONS


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("Referral.PDF", PDF),
        ("scan.tif", TIFF),
        ("scan.tiff", TIFF),
        ("C:\\Users\\front desk\\letter.docx", DOCX),
        ("/home/reception/old letter.doc", DOC),
        ("archive.tar.pdf", PDF),
    ],
)
def test_type_comes_from_the_extension(file_name: str, expected: object) -> None:
    assert file_type_for(file_name) is expected


@pytest.mark.parametrize("file_name", ["test", "notes.odt", "pdf", ".pdf", "photo.heic", "x."])
def test_names_without_a_supported_extension_have_no_type(file_name: str) -> None:
    assert file_type_for(file_name) is None


def test_extension_ignores_case_and_folders() -> None:
    assert extension_of("My.Folder/Report.Final.PdF") == "pdf"
    assert extension_of("My.Folder/README") == ""


def test_only_word_documents_take_merge_fields() -> None:
    assert {t.extension for t in FILE_TYPES if t.accepts_doc_merge} == {"doc", "docx"}


def test_locally_drawn_types_are_those_pymupdf_opens() -> None:
    local = {ext for t in FILE_TYPES if t.renders_locally for ext in t.extensions}
    assert local == {"pdf", "tif", "tiff", "png", "jpg", "jpeg", "gif", "txt"}
