"""Word merge fields: `<mf:key>` replaced in body, headers and footers, however Word split it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

import pytest

from faxgui.imaging.docx_merge import DocxMergeError, find_merge_fields, merge_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MakeDocx = Callable[..., bytes]


def _parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _paragraphs(docx: bytes, part: str = "word/document.xml") -> list[str]:
    """Each paragraph's text as Word shows it: tabs as \\t, line breaks as \\n."""
    root = ElementTree.fromstring(_parts(docx)[part])
    shown = []
    for paragraph in root.iter(f"{W}p"):
        text = ""
        for element in paragraph.iter():
            if element.tag == f"{W}t":
                text += element.text or ""
            elif element.tag == f"{W}tab":
                text += "\t"
            elif element.tag == f"{W}br" and element.get(f"{W}type") != "page":
                text += "\n"
        shown.append(text)
    return shown


def test_a_field_split_across_runs_is_replaced_keeping_the_first_runs_formatting(
    make_docx: MakeDocx,
) -> None:
    docx = make_docx([["Dear <m", "f:pat", "ient>, welcome"], "Plain <mf:patient> again"])
    merged = merge_docx(docx, {"patient": "Jo Bloggs"})
    assert _paragraphs(merged) == ["Dear Jo Bloggs, welcome", "Plain Jo Bloggs again"]
    root = ElementTree.fromstring(_parts(merged)["word/document.xml"])
    first_runs = list(next(root.iter(f"{W}p")).iter(f"{W}r"))
    assert "".join(t.text or "" for t in first_runs[0].iter(f"{W}t")) == "Dear Jo Bloggs"
    assert [t.text or "" for t in first_runs[1].iter(f"{W}t")] == [""]
    assert [t.text for t in first_runs[2].iter(f"{W}t")] == [", welcome"]


def test_headers_and_footers_are_merged_too(make_docx: MakeDocx) -> None:
    docx = make_docx(
        ["Body <mf:ref>"], header=[["Clinic: <mf:cl", "inic>"]], footer=["Ref <mf:ref> end"]
    )
    merged = merge_docx(docx, {"clinic": "Northside", "ref": "R-17"})
    assert _paragraphs(merged) == ["Body R-17"]
    assert _paragraphs(merged, "word/header1.xml") == ["Clinic: Northside"]
    assert _paragraphs(merged, "word/footer1.xml") == ["Ref R-17 end"]


def test_values_are_xml_escaped_and_the_part_stays_well_formed(make_docx: MakeDocx) -> None:
    value = 'Smith & Sons <Ltd> "quoted" \x01'
    merged = merge_docx(make_docx(["To: <mf:name>"]), {"name": value})
    assert _paragraphs(merged) == ['To: Smith & Sons <Ltd> "quoted" ']
    assert b"Smith &amp; Sons &lt;Ltd&gt;" in _parts(merged)["word/document.xml"]


def test_a_multi_line_value_becomes_word_line_breaks_and_tabs(make_docx: MakeDocx) -> None:
    merged = merge_docx(
        make_docx(["Address: <mf:address>."]), {"address": "1 High St\nSpringfield\tNSW"}
    )
    assert _paragraphs(merged) == ["Address: 1 High St\nSpringfield\tNSW."]


def test_every_other_part_keeps_its_exact_bytes_and_the_zip_its_order(
    make_docx: MakeDocx,
) -> None:
    docx = make_docx(["Hello <mf:name>", "Unchanged paragraph"], header=["No fields here"])
    merged = merge_docx(docx, {"name": "Jo"})
    before, after = _parts(docx), _parts(merged)
    assert list(after) == list(before)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["word/document.xml"]
    # Within the part, only the element holding the field changed.
    old, new = before["word/document.xml"], after["word/document.xml"]
    head = old.index(b"Hello")
    assert new[:head] == old[:head]
    tail = old.index(b"</w:r>", head)
    assert new.endswith(old[tail:])


def test_nothing_to_merge_returns_the_document_untouched(make_docx: MakeDocx) -> None:
    docx = make_docx(["Hello <mf:name>"])
    assert merge_docx(docx, {}) is docx
    assert merge_docx(docx, {"other": "x"}) is docx
    no_fields = make_docx(["No fields"])
    assert merge_docx(no_fields, {"name": "Jo"}) is no_fields


def test_a_field_without_a_value_stays_as_typed(make_docx: MakeDocx) -> None:
    merged = merge_docx(make_docx(["<mf:first> <mf:last>"]), [("first", "Jo")])
    assert _paragraphs(merged) == ["Jo <mf:last>"]


def test_a_field_never_runs_across_two_paragraphs(make_docx: MakeDocx) -> None:
    docx = make_docx(["Ends with <mf:", "name> starts the next"])
    assert merge_docx(docx, {"name": "Jo"}) is docx


def test_fields_are_listed_in_reading_order_once_each(make_docx: MakeDocx) -> None:
    docx = make_docx(
        [["<mf:da", "te>"], "<mf:name> and <mf:date>", "<mf:name>"], footer=["<mf:ref>"]
    )
    assert find_merge_fields(docx)[:2] == ["date", "name"]
    assert sorted(find_merge_fields(docx)) == ["date", "name", "ref"]


def test_a_document_with_another_namespace_prefix_is_merged() -> None:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (
        f'<?xml version="1.0"?><x:document xmlns:x="{ns}"><x:body>'
        "<x:p><x:r><x:t>Dear &lt;mf:name&gt;</x:t></x:r></x:p></x:body></x:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", document)
    merged = merge_docx(out.getvalue(), {"name": "Jo"})
    assert _paragraphs(merged) == ["Dear Jo"]


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", b"PK\x03\x04 truncated", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
)
def test_anything_but_a_docx_is_refused(data: bytes) -> None:
    with pytest.raises(DocxMergeError, match=r"not a Word \(\.docx\) file"):
        merge_docx(data, {"name": "Jo"})


def test_a_zip_without_word_text_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocxMergeError, match="no text part"):
        find_merge_fields(out.getvalue())
