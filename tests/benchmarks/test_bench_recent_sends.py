"""Checking a 10,000-recipient fax against the last 30 minutes' sends: the goal is at most 1 s.

The check runs when the receptionist presses Send (on a worker, but the send
waits for it). The store holds an earlier broadcast to the same 10,000
numbers, so every recipient is a repeat and the warning sums them up. The
baseline measured in the same run is the store's own read of those
deliveries, which no check can avoid. The normal suite holds the same check
to linear growth and a generous bound (tests/unit/compose/test_recent_sends.py).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.recent_sends import (
    DUPLICATE_WINDOW,
    draft_digests,
    find_repeats,
    record_digests,
    repeat_warnings,
)
from faxgui.compose.requests import build_send_job
from faxgui.jobs.request_json import request_summary, request_to_json
from faxgui.jobs.store import JobStore, NewMessage, NewSend

pytestmark = pytest.mark.benchmark

RECIPIENTS = 10_000
ROUNDS = 5
GOAL_SECONDS = 1.0
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _broadcast(letter: Path) -> Draft:
    draft = Draft.new()
    draft.add_document(letter)
    draft.add_recipients(
        Recipient(fax_number=f"02 8{i:07d}", normalised=f"612{8_000_0000 + i}", name="")
        for i in range(RECIPIENTS)
    )
    return draft


def test_a_10000_recipient_fax_is_checked_for_repeats_within_the_goal(tmp_path: Path) -> None:
    now = START
    letter = tmp_path / "referral.txt"
    letter.write_text("Referral for J. Citizen\n")
    store = JobStore(tmp_path / "jobs.sqlite3", clock=lambda: now)
    sent = _broadcast(letter)
    job = build_send_job(sent)
    store.add_broadcast(
        job.broadcast_ref,
        account="demo",
        endpoint="http://sandbox",
        sends=[
            NewSend(
                request.send_ref or "",
                request_summary(request),
                request_to_json(request, job.files.path_of),
                [NewMessage(m.message_ref, m.send_to) for m in request.fax_messages],
            )
            for request in job.requests
        ],
    )
    record_digests(store, job, draft_digests(sent, job.files.read))
    for ref in job.send_refs:
        store.mark_submitting(ref)
        store.mark_submitted(ref, [])
    now = START + timedelta(minutes=3)
    again = _broadcast(letter)
    digests = draft_digests(again, build_send_job(again).files.read)

    checks, reads = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        store.deliveries(now - DUPLICATE_WINDOW)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        warnings = repeat_warnings(find_repeats(store, again, digests, now=now), now=now)
        checks.append(time.perf_counter() - started)
    store.close()

    check, read = statistics.median(checks), statistics.median(reads)
    print(
        f"\nrepeat check of {RECIPIENTS:,} recipients: {check * 1000:.0f} ms "
        f"(goal {GOAL_SECONDS * 1000:.0f} ms); reading the deliveries alone: "
        f"{read * 1000:.0f} ms; ratio {check / read:.2f}"
    )
    assert len(warnings) == 1
    assert check < GOAL_SECONDS
