"""The history at scale: merging a 10,000-fax answer, and reading 50,000 faxes to open the panel.

Goals from the issue: a 10,000-message FaxStatus answer is merged into the
store and the view (the panel's tree model, updated as the panel does it) in
at most 0.5 s; the panel opens in at most 0.5 s with 50,000 faxes in the
history: it opens on the newest page, whose reading is measured here (the
whole history is read after it, page by page; reported). Each is also
reported as a ratio to a baseline measured in the same run on the same
file: the least SQLite work of the same size (one executemany UPDATE of as
many rows; one SELECT of the same rows into tuples), and with the CPU time
of the thread doing it, which the other processes on a shared machine
inflate far less than wall time.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.api.models import FaxAttempt, FaxMessageStatus, FaxStatusRequest, FaxStatusResponse
from faxgui.jobs.history import JobHistory
from faxgui.jobs.store import JobStore, NewMessage, NewSend
from faxgui.ui.status.loading import (
    FIRST_PAGE_FAXES,
    PAGE_FAXES,
    load_changes,
    load_page,
    load_tree,
)
from faxgui.ui.status.tree_model import StatusTreeModel

from .history_shapes import FAXES, SHAPES, fill

pytestmark = pytest.mark.benchmark

MERGE_FAXES = 10_000
ROUNDS = 5
# As the panel shows a poll's answer: this many faxes per turn of the event loop.
SLICE = 1_000
GOAL_SECONDS = 0.5
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    with JobStore(tmp_path / "jobs.sqlite3") as instance:
        yield instance


def _broadcast_of(store: JobStore, ref: str, faxes: int, per_send: int = 600) -> None:
    sends = []
    for s, start in enumerate(range(0, faxes, per_send), 1):
        send_ref = f"{ref}-S{s}"
        count = min(per_send, faxes - start)
        sends.append(
            NewSend(
                send_ref,
                {"messages": count, "documents": [{"name": "newsletter.pdf", "pages": 2}]},
                "{}",
                [
                    NewMessage(f"{send_ref}-M{i}", f"612800{start + i:05d}", f"Clinic {start + i}")
                    for i in range(1, count + 1)
                ],
            )
        )
    store.add_broadcast(ref, account="demo", endpoint="e", sends=sends)
    for send in sends:
        store.mark_submitting(send.send_ref)
        store.mark_submitted(send.send_ref, [])


def _answer(ref: str, outcomes: list[float], generation: int) -> FaxStatusResponse:
    """A "results" answer for a broadcast after `generation` rounds of attempts.

    Each fax's `outcomes` entry fixes how its story goes (the same in every
    answer): most are sent at once, some after a busy line, some busy throughout.
    """
    messages = []
    for n, outcome in enumerate(outcomes):
        s, i = divmod(n, 600)
        attempts = []
        status = FaxStatus.QUEUED
        for a in range(1, generation + 1):
            # Each fax is called at its own time; a round of attempts is scheduled together.
            scheduled = T0 + timedelta(minutes=a)
            at = scheduled + timedelta(seconds=n % 3_600)
            busy = outcome < 0.2 or (outcome < 0.3 and a < generation)
            attempts.append(
                FaxAttempt(
                    a,
                    FaxResult.FAILED if busy else FaxResult.SUCCESS,
                    FaxError.FAX_BUSY if busy else None,
                    cost=Decimal("0.00") if busy else Decimal("0.20"),
                    pages=0 if busy else 2,
                    total_fax_duration=15 if busy else 70,
                    scheduled_start_time=scheduled,
                    date_call_started=at,
                    date_call_ended=at + timedelta(seconds=15 if busy else 70),
                )
            )
            if not busy:
                status = FaxStatus.DONE
                break
        messages.append(
            FaxMessageStatus(
                f"{ref}-S{s + 1}-M{i + 1}",
                f"{ref}-S{s + 1}",
                ref,
                f"612800{n + 1:05d}",
                status,
                results=attempts,
            )
        )
    return FaxStatusResponse(messages=messages)


def test_merging_a_10000_fax_answer_takes_at_most_half_a_second(
    store: JobStore, qapp: object
) -> None:
    _broadcast_of(store, "BIG", MERGE_FAXES)
    history = JobHistory(store)
    model = StatusTreeModel()
    model.set_tree(load_tree(history))
    rng = random.Random(5)
    outcomes = [rng.random() for _ in range(MERGE_FAXES)]
    answers = [_answer("BIG", outcomes, generation) for generation in (1, 2, 3)]
    answers.append(answers[-1])
    selection = FaxStatusRequest(broadcast_ref="BIG")
    timings = []
    cpu = []
    store_only = []
    view_cpu = []
    changed = []
    for k, answer in enumerate(answers):
        # As the poller and the panel do it: merge, build the changed rows (on a worker),
        # then update the model a slice at a time (on the GUI thread).
        started, started_cpu = time.perf_counter(), time.thread_time()
        result = history.merge(
            answer,
            account="demo",
            endpoint="e",
            selection=selection,
            observed_at=T0 + timedelta(hours=k + 1),
        )
        store_only.append(time.perf_counter() - started)
        changes = load_changes(history, result.changed_messages, known=history.changed_rows(result))
        gui_cpu = time.thread_time()
        messages = changes.messages
        for first in range(0, len(messages), SLICE):
            model.update_rows(
                messages[first : first + SLICE], changes.send_totals, changes.broadcast_totals
            )
        view_cpu.append(time.thread_time() - gui_cpu)
        timings.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
        changed.append(len(result.changed_messages))
    # Every fax changes first; later only the retried ones; the repeat changes nothing.
    assert changed[0] == MERGE_FAXES
    assert 0 < changed[2] < MERGE_FAXES
    assert changed[3] == 0
    assert model.totals(model.index_of_broadcast("BIG")).finished == sum(
        1 for m in model.all_messages() if m.finished
    )

    # Baseline: the same rows written by bare SQL on the same file (what the first merge
    # writes: every fax's columns and one attempt each), rolled back.
    db = store.connection()
    ids = [row[0] for row in db.execute("SELECT id FROM messages")]
    fax_rows = [
        (
            "queued",
            1,
            1,
            "failed",
            "FAX_BUSY",
            None,
            0,
            0,
            "0.00",
            15,
            "t",
            "t",
            "t",
            None,
            "61280000000",
            "t",
            "t",
            "t",
            message_id,
        )
        for message_id in ids
    ]
    attempt_rows = [
        (message_id, 9, "failed", "FAX_BUSY", "0.00", 0, 15, "t", "t", "t") for message_id in ids
    ]
    baseline = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(_FAX_UPDATE, fax_rows)
        db.executemany(
            "INSERT INTO attempts (message_id, attempt, result, error, cost, pages, duration, "
            "scheduled, started, ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            attempt_rows,
        )
        db.execute("ROLLBACK")
        baseline.append(time.perf_counter() - started)
    base = statistics.median(baseline)
    print(f"\n[bench] a {MERGE_FAXES:,}-fax answer into the store and the view (wall / CPU ms):")
    for label, k in (("all changed", 0), ("retries", 1), ("retries", 2), ("same again", 3)):
        print(f"[bench]   {label} ({changed[k]:,} changed): {timings[k] * 1000:.0f} / "
              f"{cpu[k] * 1000:.0f} ({timings[k] / base:.1f}x bare SQL); the store alone "
              f"{store_only[k] * 1000:.0f}; the view's share (GUI thread CPU, in "
              f"{SLICE:,}-fax slices) {view_cpu[k] * 1000:.0f}")  # fmt: skip
    print(f"[bench]   baseline: bare SQL writing the same rows {base * 1000:.0f} ms; "
          f"goal {GOAL_SECONDS * 1000:.0f} ms")  # fmt: skip
    assert max(timings) <= GOAL_SECONDS


_FAX_UPDATE = """
    UPDATE messages SET status = ?, attempts = ?, calls = ?, result = ?, error = ?,
        error_code = ?, pages = ?, sent_pages = ?, cost = ?, duration = ?, scheduled = ?,
        started = ?, ended = ?, details_json = ?, send_to = ?, observed = ?, changed = ?,
        updated = ?
    WHERE id = ?
"""


@pytest.mark.parametrize("shape", list(SHAPES))
def test_reading_50000_faxes_to_open_the_panel(store: JobStore, shape: str) -> None:
    fill(store, SHAPES[shape])
    history = JobHistory(store)
    first = []
    first_cpu = []
    for _ in range(ROUNDS):
        started, started_cpu = time.perf_counter(), time.thread_time()
        page = load_page(history, None, FIRST_PAGE_FAXES)
        first.append(time.perf_counter() - started)
        first_cpu.append(time.thread_time() - started_cpu)
    assert 0 < len(page.tree.message_list) <= max(FIRST_PAGE_FAXES, max(SHAPES[shape]))
    started, started_cpu = time.perf_counter(), time.thread_time()
    faxes = len(page.tree.message_list)
    pages = 1
    while page.before is not None:
        page = load_page(history, page.before, PAGE_FAXES)
        faxes += len(page.tree.message_list)
        pages += 1
    everything, everything_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    assert faxes == FAXES
    started = time.perf_counter()
    snapshot = history.snapshot()
    whole = time.perf_counter() - started
    assert len(snapshot.messages) == FAXES
    db = store.connection()
    baseline = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        rows = db.execute("SELECT * FROM messages").fetchall()
        baseline.append(time.perf_counter() - started)
    assert len(rows) == FAXES
    median, base = statistics.median(first), statistics.median(baseline)
    print(
        f"\n[bench] {FAXES:,} faxes, {shape} ({len(SHAPES[shape]):,} broadcasts): the first "
        f"page (about {FIRST_PAGE_FAXES:,} faxes, as the panel opens) median "
        f"{median * 1000:.0f} ms, best {min(first) * 1000:.0f} ms, CPU "
        f"{statistics.median(first_cpu) * 1000:.0f} ms ({median / base:.2f}x a bare SELECT * of "
        f"all {FAXES:,}: {base * 1000:.0f} ms); the other {pages - 1} pages "
        f"{everything:.2f} s (CPU {everything_cpu:.2f} s); one snapshot of everything "
        f"{whole:.2f} s; the panel's whole budget to open is {GOAL_SECONDS * 1000:.0f} ms"
    )
    assert median <= GOAL_SECONDS
