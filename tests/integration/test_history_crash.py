"""`kill -9` in the middle of merging: the history file is whole, and each merge all or nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from faxgui.api.enums import FaxStatus
from faxgui.api.models import FaxMessageStatus, FaxStatusRequest, FaxStatusResponse
from faxgui.jobs.history import JobHistory
from faxgui.jobs.store import JobStore, NewMessage, NewSend

FAXES = 2000

# Merges answers for ever: answer k gives every fax k attempts (so every merge rewrites
# every fax and adds an attempt row to each), printing k once it is committed.
_CHILD = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal
    from pathlib import Path

    from faxgui.api.enums import FaxError, FaxResult, FaxStatus
    from faxgui.api.models import (
        FaxAttempt, FaxMessageStatus, FaxStatusRequest, FaxStatusResponse,
    )
    from faxgui.jobs.history import JobHistory
    from faxgui.jobs.store import JobStore

    store = JobStore(Path(sys.argv[1]))
    history = JobHistory(store)
    start = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
    k = 0
    while True:
        k += 1
        attempts = [
            FaxAttempt(n, FaxResult.FAILED, FaxError.FAX_BUSY, cost=Decimal("0.00"), pages=0,
                       total_fax_duration=15, date_call_started=start + timedelta(minutes=n))
            for n in range(1, k + 1)
        ]
        answer = FaxStatusResponse(messages=[
            FaxMessageStatus(f"C-S1-M{i}", "C-S1", "C", status=FaxStatus.QUEUED,
                             results=attempts)
            for i in range(1, int(sys.argv[2]) + 1)
        ])
        history.merge(answer, account="demo", endpoint="e",
                      selection=FaxStatusRequest(send_ref="C-S1"),
                      observed_at=start + timedelta(minutes=k))
        print(k, flush=True)
    """
)


def _prepare(path: Path) -> None:
    with JobStore(path) as store:
        store.add_broadcast(
            "C",
            account="demo",
            endpoint="e",
            sends=[
                NewSend(
                    "C-S1",
                    {},
                    "{}",
                    [NewMessage(f"C-S1-M{i}", "61500000002") for i in range(1, FAXES + 1)],
                )
            ],
        )
        store.mark_submitting("C-S1")
        store.mark_submitted("C-S1", [])


@pytest.mark.parametrize("after_merges", [1, 3, 6])
def test_a_merge_killed_halfway_leaves_the_last_whole_merge(
    tmp_path: Path, after_merges: int
) -> None:
    path = tmp_path / "jobs.sqlite3"
    _prepare(path)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), str(FAXES)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    committed = 0
    try:
        while committed < after_merges:
            line = child.stdout.readline()
            assert line, "the merging process stopped by itself"
            committed = int(line)
        # Somewhere inside the next merge (each takes tens of milliseconds).
        time.sleep(0.005 * after_merges)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        # Merges committed while we slept were printed too.
        last_printed = max([committed, *(int(line) for line in child.stdout.read().split())])
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        generations = {row[0] for row in raw.execute("SELECT attempts FROM messages")}
        # Every fax holds the same merge: one of them committed whole, none half-way.
        assert len(generations) == 1
        (generation,) = generations
        assert generation in (last_printed, last_printed + 1)
        counts = {
            row[0]
            for row in raw.execute(
                "SELECT COUNT(a.attempt) FROM messages m LEFT JOIN attempts a "
                "ON a.message_id = m.id GROUP BY m.id"
            )
        }
        # A fax tried once keeps that attempt in its own row (the attempts table holds the
        # attempts of faxes tried more than once).
        assert counts == {0 if generation == 1 else generation}
    finally:
        raw.close()

    # Reopened, the history shows that state and takes the next answer.
    with JobStore(path) as store:
        history = JobHistory(store)
        snapshot = history.snapshot()
        assert {m.attempts for m in snapshot.messages} == {generation}
        assert len(history.unfinished_work()) == 1
        result = history.merge(
            FaxStatusResponse(
                messages=[FaxMessageStatus("C-S1-M1", "C-S1", "C", status=FaxStatus.DONE)]
            ),
            account="demo",
            endpoint="e",
            selection=FaxStatusRequest(message_ref="C-S1-M1"),
        )
        assert len(result.changed_messages) == 1
