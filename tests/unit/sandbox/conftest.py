"""Set-up for the sandbox engine tests: a hand-driven clock, an engine, documents, helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pymupdf
import pytest

from faxgui.api.enums import FaxStatus, Verbosity
from faxgui.api.models import (
    FaxDocument,
    FaxMessage,
    FaxMessageStatus,
    FaxStatusRequest,
    FaxStatusResponse,
    SendFaxRequest,
)
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine

ACCOUNT = "demo"


def _pdf(pages: int = 1) -> bytes:
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page(width=612, height=792)
        page.insert_text((72, 100), f"Referral letter, page {number}", fontsize=24)
    return bytes(doc.tobytes())


@pytest.fixture
def make_pdf() -> Callable[[int], bytes]:
    """make_pdf(pages): a Letter-size PDF with that many pages of text."""
    return _pdf


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def engine(clock: ManualClock) -> SandboxEngine:
    """An engine at speed 1 on the hand-driven clock."""
    return SandboxEngine(clock=clock)


@pytest.fixture
def send(engine: SandboxEngine) -> Callable[..., FaxStatusResponse]:
    """send(*messages, account=ACCOUNT, pages=1, **request_fields): one SendFax call.

    A message is a FaxMessage or a (message_ref, send_to) pair. Unless the
    request gives its own Documents, it carries one PDF of `pages` pages.
    """

    def send_fax(
        *messages: FaxMessage | tuple[str, str],
        account: str = ACCOUNT,
        pages: int = 1,
        **fields: Any,
    ) -> FaxStatusResponse:
        fields.setdefault("documents", [FaxDocument("letter.pdf", _pdf(pages))])
        fax_messages = [m if isinstance(m, FaxMessage) else FaxMessage(*m) for m in messages]
        return engine.send_fax(account, SendFaxRequest(fax_messages=fax_messages, **fields))

    return send_fax


@pytest.fixture
def fax(engine: SandboxEngine) -> Callable[..., FaxMessageStatus]:
    """fax(message_ref, account=ACCOUNT): that fax's row at verbosity "all"."""

    def look_up(message_ref: str, account: str = ACCOUNT) -> FaxMessageStatus:
        answer = engine.fax_status(
            account, FaxStatusRequest(message_ref=message_ref, verbosity=Verbosity.ALL)
        )
        (row,) = answer.messages
        return row

    return look_up


@pytest.fixture
def run_until_done(
    clock: ManualClock, fax: Callable[..., FaxMessageStatus]
) -> Callable[..., FaxMessageStatus]:
    """run_until_done(message_ref, step=1.0, limit=7200): advance the clock until it is done."""

    def run(message_ref: str, step: float = 1.0, limit: float = 7200) -> FaxMessageStatus:
        waited = 0.0
        row = fax(message_ref)
        while row.status is not FaxStatus.DONE:
            if waited >= limit:
                raise AssertionError(f"{message_ref} still {row.status} after {limit} s")
            clock.advance(step)
            waited += step
            row = fax(message_ref)
        return row

    return run
