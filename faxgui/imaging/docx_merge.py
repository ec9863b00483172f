"""Word merge fields (`<mf:key>` typed in a .docx) replaced by values, as DocMergeData asks.

Word splits typed text into runs wherever formatting, spell-checking or
editing history changes, so `<mf:name>` may be stored as `&lt;mf:`, `na`,
`me&gt;` in three `w:r` runs. Fields are therefore found in the text of each
paragraph as a reader sees it, and the replacement goes into the run holding
the field's first character (keeping that run's formatting); the rest of the
field's characters are removed from the runs that held them.

The package is rewritten part for part: every part without a field keeps
its exact bytes, and in a part with fields only the touched `w:t` elements
change. A value's line breaks become Word line breaks (`w:br`) and its tabs
Word tabs (`w:tab`), so a multi-line address fills a field as it should.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

_MAIN_NAMESPACES = (
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict Office Open XML
)
# Parts whose text a reader sees: the body, headers, footers, footnotes, endnotes.
_TEXT_PART = re.compile(r"word/(?:document\d*|header\d*|footer\d*|footnotes|endnotes)\.xml")
_READING_ORDER = ("docu", "head", "foot", "endn")  # footnotes sort with footers: both "foot"
_FIELD = re.compile(r"<mf:([^<>]{1,200})>")
_MAX_PART_BYTES = 64 << 20  # a bigger text part is not a real one (or is a zip bomb)
# Characters XML 1.0 cannot hold at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class DocxMergeError(ValueError):
    """The document is not a Word (.docx) file whose fields can be replaced."""


@dataclass(frozen=True, slots=True)
class _Text:
    """One `w:t` element: where it is in the part and the text it holds."""

    start: int  # of the whole element
    end: int
    text: str


def merge_docx(data: bytes, values: Mapping[str, str] | Iterable[tuple[str, str]]) -> bytes:
    """The .docx with every `<mf:key>` whose key has a value replaced by that value.

    Fields without a value stay as typed, so they show in a preview. Raises
    DocxMergeError when `data` is not a .docx.
    """
    fields = dict(values.items() if isinstance(values, Mapping) else values)
    with _open(data) as archive:
        infos = archive.infolist()
        parts = {info.filename: _read(archive, info) for info in infos}
    changed: dict[str, bytes] = {}
    for name, part in parts.items():
        if _TEXT_PART.fullmatch(name) and fields:
            merged = _merge_part(part, fields)
            if merged is not part:
                changed[name] = merged
    if not changed:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in infos:
            # The original ZipInfo keeps each entry's name, order, date and compression.
            archive.writestr(info, changed.get(info.filename, parts[info.filename]))
    return out.getvalue()


def find_merge_fields(data: bytes) -> list[str]:
    """The keys of the merge fields a .docx holds, in reading order, each once."""
    keys: dict[str, None] = {}
    with _open(data) as archive:
        infos = [info for info in archive.infolist() if _TEXT_PART.fullmatch(info.filename)]
        # The body first, then headers, footers and notes, whatever order the zip holds them in.
        infos.sort(key=lambda info: _READING_ORDER.index(info.filename.split("/")[1][:4]))
        for info in infos:
            part = _read(archive, info)
            for paragraph in _paragraphs(part, _prefixes(part)):
                text = "".join(t.text for t in paragraph)
                keys.update((m.group(1), None) for m in _FIELD.finditer(text))
    return list(keys)


# --------------------------------------------------------------------------- the package


@contextmanager
def _open(data: bytes) -> Iterator[zipfile.ZipFile]:
    """The .docx as an open ZipFile, or DocxMergeError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise DocxMergeError("The document is not a Word (.docx) file.") from exc
    with archive:
        if "word/document.xml" not in archive.namelist():
            raise DocxMergeError("The document is not a Word (.docx) file: it has no text part.")
        for info in archive.infolist():
            if _TEXT_PART.fullmatch(info.filename) and info.file_size > _MAX_PART_BYTES:
                raise DocxMergeError(f"The document's part {info.filename} is too large.")
        yield archive


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DocxMergeError(f"The document is damaged ({info.filename}).") from exc


# --------------------------------------------------------------------------- one XML part


def _prefixes(part: bytes) -> list[bytes]:
    """The namespace prefixes the part binds to WordprocessingML (almost always just "w")."""
    found = [
        m.group(1)
        for m in re.finditer(rb'xmlns:([A-Za-z_][\w.-]*)\s*=\s*["\']([^"\']*)["\']', part)
        if m.group(2) in _MAIN_NAMESPACES
    ]
    return found or [b"w"]


def _token_pattern(prefixes: list[bytes]) -> re.Pattern[bytes]:
    p = b"(?:" + b"|".join(re.escape(x) for x in prefixes) + b")"
    return re.compile(
        rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"  # skipped whole
        rb"|(?P<para></?" + p + rb":p(?=[\s/>])[^>]*>)"  # a paragraph starts or ends
        rb"|(?P<empty><" + p + rb":t(?:\s[^>]*)?/>)"
        rb"|(?P<open><" + p + rb":t(?:\s[^>]*)?>)(?P<text>[^<]*)</" + p + rb":t\s*>",
        re.DOTALL,
    )


def _paragraphs(part: bytes, prefixes: list[bytes]) -> list[list[_Text]]:
    """The `w:t` elements of each paragraph, in order (a nested text box is its own paragraph)."""
    paragraphs: list[list[_Text]] = [[]]
    for match in _token_pattern(prefixes).finditer(part):
        if match.group("para") is not None:
            if paragraphs[-1]:
                paragraphs.append([])
        elif match.group("empty") is not None:
            paragraphs[-1].append(_Text(match.start(), match.end(), ""))
        elif match.group("open") is not None:
            text = html.unescape(match.group("text").decode("utf-8", errors="replace"))
            paragraphs[-1].append(_Text(match.start(), match.end(), text))
    return [p for p in paragraphs if p]


def _merge_part(part: bytes, fields: Mapping[str, str]) -> bytes:
    """The part with its fields replaced; the very same object when it has none to replace."""
    if b"mf:" not in part:
        return part
    prefixes = _prefixes(part)
    prefix = prefixes[0].decode("ascii")
    edits: dict[int, tuple[_Text, str]] = {}  # start offset -> (element, its new text)
    for paragraph in _paragraphs(part, prefixes):
        new_texts = _merge_paragraph(paragraph, fields)
        for element, new_text in zip(paragraph, new_texts, strict=True):
            if new_text != element.text:
                edits[element.start] = (element, new_text)
    if not edits:
        return part
    out = bytearray()
    position = 0
    for start in sorted(edits):
        element, new_text = edits[start]
        out += part[position : element.start]
        out += _text_element(new_text, prefix)
        position = element.end
    out += part[position:]
    return bytes(out)


def _merge_paragraph(paragraph: list[_Text], fields: Mapping[str, str]) -> list[str]:
    """Each element's new text once every valued field in the paragraph's text is replaced."""
    texts = [element.text for element in paragraph]
    joined = "".join(texts)
    matches = [m for m in _FIELD.finditer(joined) if m.group(1) in fields]
    if not matches:
        return texts
    # Where each element's text starts in the joined paragraph text.
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text)
    pieces: list[list[str]] = [[] for _ in texts]
    kept_from = [0] * len(texts)  # how much of each element's own text is already placed
    for match in matches:
        first = _element_at(starts, texts, match.start())
        for index in range(len(texts)):
            lo, hi = starts[index], starts[index] + len(texts[index])
            cut_lo, cut_hi = max(lo, match.start()), min(hi, match.end())
            if cut_lo >= cut_hi:
                continue
            pieces[index].append(texts[index][kept_from[index] : cut_lo - lo])
            if index == first:
                pieces[index].append(fields[match.group(1)])
            kept_from[index] = cut_hi - lo
    return [
        "".join(pieces[i]) + texts[i][kept_from[i] :] if pieces[i] else texts[i]
        for i in range(len(texts))
    ]


def _element_at(starts: list[int], texts: list[str], position: int) -> int:
    """The element holding the character at `position` of the joined text."""
    for index in range(len(texts) - 1, -1, -1):
        if starts[index] <= position < starts[index] + len(texts[index]):
            return index
    raise AssertionError("a match starts inside the text it was found in")


def _text_element(text: str, prefix: str) -> bytes:
    """A `w:t` holding `text`, with Word breaks and tabs for its line breaks and tabs."""
    text = _NOT_XML.sub("", text)
    lines = re.split(r"\r\n|\r|\n", text)
    chunks: list[str] = []
    for number, line in enumerate(lines):
        if number:
            chunks.append(f"<{prefix}:br/>")
        for column, cell in enumerate(line.split("\t")):
            if column:
                chunks.append(f"<{prefix}:tab/>")
            if cell:
                escaped = html.escape(cell, quote=False)
                chunks.append(f'<{prefix}:t xml:space="preserve">{escaped}</{prefix}:t>')
    # An element emptied by the merge stays as an empty w:t: valid wherever the old one was.
    return ("".join(chunks) or f"<{prefix}:t/>").encode("utf-8")
