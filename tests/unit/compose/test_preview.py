"""Preview keys, the byte-bounded cache and saved copies: what decides a preview and its reuse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api.enums import DitheringTechnique, Resolution
from faxgui.api.models import DocMergeData, ImageStampMergeData, TextStampMergeData
from faxgui.compose.draft import Draft, DraftDocument, FileStamp, SavedCopy
from faxgui.compose.preview import (
    PREVIEW_REF_PREFIX,
    FaxPreview,
    PreviewCache,
    PreviewJob,
    PreviewKey,
    content_digest,
    copy_for_send,
    mark_in_use,
    new_preview_ref,
    saved_copies_of,
    stamps_digest,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SERVICE = "https://api.monopond.com/fax/soap/v2.1"


def _key(content: str = "a", **changes: object) -> PreviewKey:
    key = PreviewKey(
        content=content,
        service=SERVICE,
        resolution=Resolution.NORMAL,
        dithering=None,
        merge_data=(),
        stamps=stamps_digest([]),
    )
    return replace(key, **changes)


def _preview(size: int) -> FaxPreview:
    return FaxPreview(b"x" * size, 1, Resolution.NORMAL, None)


def _copy(**changes: object) -> SavedCopy:
    copy = SavedCopy(
        document_ref="FGP-20260302-ABCDEFGH",
        endpoint=SERVICE,
        account="clinic",
        saved_at=NOW,
        digest=content_digest(b"%PDF-1.7 letter"),
        file_stamp=FileStamp(15, 1_700_000_000_000_000_000),
    )
    return replace(copy, **changes)


# --------------------------------------------------------------------------- keys


def test_every_option_that_changes_the_fax_changes_the_key() -> None:
    base = _key()
    variants = [
        _key("b"),
        _key(service="http://127.0.0.1:8080/fax/soap/v2.1"),
        _key(resolution=Resolution.FINE),
        _key(dithering=DitheringTechnique.DARKEN),
        _key(merge_data=(("patient", "Zoë"),)),
        _key(stamps=stamps_digest([TextStampMergeData(10, 20, "PAID")])),
    ]
    assert all(variant != base for variant in variants)
    assert len(set(variants)) == len(variants)
    assert _key() == base
    assert hash(_key()) == hash(base)


def test_stamps_digest_sees_text_position_font_and_image_bytes() -> None:
    text = TextStampMergeData(10, 20, "PAID", "Times-Roman", Decimal("12"))
    image = ImageStampMergeData(5, 6, "sig.png", b"\x89PNG one", 80, 40)
    base = stamps_digest([text, image])
    assert stamps_digest([text, image]) == base
    assert stamps_digest([image, text]) != base
    assert stamps_digest([replace(text, x=11), image]) != base
    assert stamps_digest([replace(text, font_size=Decimal("14")), image]) != base
    assert stamps_digest([text, replace(image, file_data=b"\x89PNG two")]) != base
    assert stamps_digest([]) != base


def test_preview_refs_are_new_each_time_and_say_what_they_are() -> None:
    refs = {new_preview_ref(NOW) for _ in range(50)}
    assert len(refs) == 50
    assert all(ref.startswith(f"{PREVIEW_REF_PREFIX}-20260302-") for ref in refs)


# --------------------------------------------------------------------------- cache


def test_cache_keeps_the_most_recently_used_within_its_byte_budget() -> None:
    cache = PreviewCache(max_bytes=1000)
    cache.put(_key("a"), _preview(400))
    cache.put(_key("b"), _preview(400))
    assert cache.get(_key("a")) is not None  # "a" is now the most recently used
    cache.put(_key("c"), _preview(400))
    assert _key("b") not in cache
    assert _key("a") in cache
    assert _key("c") in cache
    assert cache.total_bytes == 800
    assert len(cache) == 2


def test_cache_replaces_an_entry_and_skips_one_larger_than_its_budget() -> None:
    cache = PreviewCache(max_bytes=1000)
    cache.put(_key("a"), _preview(300))
    cache.put(_key("a"), _preview(500))
    assert cache.total_bytes == 500
    cache.put(_key("huge"), _preview(1001))
    assert cache.get(_key("huge")) is None
    assert cache.get(_key("a")) is not None
    cache.clear()
    assert cache.total_bytes == 0
    assert len(cache) == 0


def test_cache_budget_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        PreviewCache(max_bytes=-1)


# --------------------------------------------------------------------------- saved copies


def test_a_saved_copy_serves_its_own_service_and_account_until_near_its_end() -> None:
    copy = _copy()
    assert copy.usable(SERVICE, "clinic", NOW + timedelta(days=27))
    assert not copy.usable(SERVICE, "clinic", NOW + timedelta(days=28, seconds=1))
    assert not copy.usable(SERVICE, "reception", NOW)
    assert not copy.usable("http://127.0.0.1:8080/fax/soap/v2.1", "clinic", NOW)
    assert copy.expires_at == NOW + timedelta(days=30)


def test_saved_copy_survives_the_draft_json(tmp_path: Path) -> None:
    draft = Draft.new(NOW)
    document = draft.add_document(tmp_path / "letter.pdf")
    document.saved_copy = _copy(in_use=True)
    other = draft.add_document(tmp_path / "scan.pdf")
    other.saved_copy = _copy(file_stamp=None)
    back = Draft.loads(draft.dumps())
    assert back.documents[0].saved_copy == document.saved_copy
    assert back.documents[1].saved_copy == other.saved_copy
    assert back.documents[0].saved_copy is not None
    assert back.documents[0].saved_copy.saved_at == NOW


def test_a_saved_copy_without_its_date_is_refused_plainly(tmp_path: Path) -> None:
    draft = Draft.new(NOW)
    draft.add_document(tmp_path / "letter.pdf").saved_copy = _copy()
    data = draft.to_json()
    del data["documents"][0]["saved_copy"]["saved_at"]
    with pytest.raises(ValueError, match=r"documents\[0\]\.saved_copy\.saved_at is missing"):
        Draft.from_json(data)


def test_a_send_uses_the_copy_only_for_the_same_content_sent_by_file(
    write_pdf: Callable[..., Path],
) -> None:
    path = write_pdf("letter.pdf")
    data = path.read_bytes()
    document = DraftDocument(path=path)
    document.saved_copy = _copy(digest=content_digest(data))
    assert copy_for_send(document, data) == document.saved_copy
    assert copy_for_send(document, data + b"\n% edited") is None
    # A reference of the user's own: the file is saved under it as asked.
    document.document_ref, document.save_as_ref = "letter-2026", True
    assert copy_for_send(document, data) is None
    assert copy_for_send(DraftDocument(path=path), data) is None


def test_copies_are_listed_once_and_marked_in_use(tmp_path: Path) -> None:
    first = DraftDocument(path=tmp_path / "a.pdf", saved_copy=_copy())
    same = DraftDocument(path=tmp_path / "a.pdf", saved_copy=_copy())
    other = DraftDocument(path=tmp_path / "b.pdf", saved_copy=_copy(document_ref="FGP-X"))
    plain = DraftDocument(path=tmp_path / "c.pdf")
    assert [c.document_ref for c in saved_copies_of([first, same, other, plain])] == [
        "FGP-20260302-ABCDEFGH",
        "FGP-X",
    ]
    mark_in_use([first, other, plain])
    assert first.saved_copy is not None
    assert first.saved_copy.in_use
    assert other.saved_copy is not None
    assert other.saved_copy.in_use
    assert plain.saved_copy is None


def test_a_job_is_a_snapshot_the_worker_can_keep(tmp_path: Path) -> None:
    document = DraftDocument(
        path=tmp_path / "a.pdf",
        dithering_technique=DitheringTechnique.DARKEN,
        doc_merge_data=[DocMergeData("patient", "Zoë")],
        stamps=[TextStampMergeData(1, 2, "PAID")],
        saved_copy=_copy(),
    )
    job = PreviewJob.for_document(document, Resolution.FINE, DitheringTechnique.NONE)
    document.doc_merge_data[0].value = "changed"
    document.stamps.clear()
    assert job.merge_data == (DocMergeData("patient", "Zoë"),)
    assert job.stamps == (TextStampMergeData(1, 2, "PAID"),)
    assert (job.resolution, job.dithering) == (Resolution.FINE, DitheringTechnique.NONE)
    assert job.document_ref is None
    assert job.saved_copy == _copy()
    saved = PreviewJob.for_document(
        DraftDocument(document_ref="terms-2026"), Resolution.NORMAL, None
    )
    assert saved.document_ref == "terms-2026"
    assert saved.path is None
