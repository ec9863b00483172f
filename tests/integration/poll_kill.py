"""For the kill-and-restart tests: a sandbox that can hold answers, a poller process to kill.

The poller process runs the app's own poll (`faxgui.ui.status.poller.run_poll`:
the history's unfinished work, the poll plan, FaxStatus with verbosity
"results" through MonopondClient, `JobHistory.merge`) on the job store in the
user's data directory, saying on stdout where it is, so the test can kill it
(`kill -9`) while it waits for an answer, while it merges one, or anywhere.
The test then compares each fax in the store with what it was before and with
what the sandbox answered: every answer's faxes must all be as before, or all
as answered.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from faxgui.api import MonopondClient
from faxgui.api.enums import FaxError, FaxResult, FaxStatus, Verbosity
from faxgui.api.models import FaxAttempt, FaxMessageStatus, FaxStatusRequest
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.pipeline import SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.jobs.history import JobHistory
from faxgui.jobs.store import JobStore, default_store_path
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import SandboxServer, SoapOutcome

# Sandbox test numbers with different ends: sent, busy once, busy always, no answer, early
# hang-up, unobtainable, hangs up once, blocked, no credit.
NUMBERS = (
    "61500000000", "61500000001", "61500000002", "61500000003", "61500000005",
    "61500000007", "61500000010", "61500000020", "61500000030",
)  # fmt: skip
# A FaxStatus answer the sandbox holds back is let go after this at the latest.
HOLD_LIMIT_S = 30.0


class GatedSandbox(SandboxServer):
    """A real sandbox on a clock the test moves, that counts FaxStatus requests and can hold them.

    While held (`hold()`), a FaxStatus request is noted on arrival and answered
    only after `release()`, from the sandbox's state at that moment.
    """

    def __init__(self, clock: ManualClock) -> None:
        super().__init__("127.0.0.1", 0, engine=SandboxEngine(speed=1.0, clock=clock))
        self.clock = clock
        self.status_requests: list[bytes] = []
        self._arrived = threading.Condition()
        self._open = threading.Event()
        self._open.set()

    def answer(self, data: bytes) -> SoapOutcome:
        if b"FaxStatusRequest" in data:
            with self._arrived:
                self.status_requests.append(data)
                self._arrived.notify_all()
            self._open.wait(HOLD_LIMIT_S)
        return super().answer(data)

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wait_for_status_requests(self, count: int, timeout: float) -> bool:
        """Wait until `count` FaxStatus requests have arrived in all."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.status_requests) >= count, timeout)

    def stop(self) -> None:
        self.release()
        super().stop()

    def client(self) -> MonopondClient:
        return MonopondClient(self.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0)


# --------------------------------------------------------------------------- the faxes


@dataclass(frozen=True)
class Sent:
    """Two broadcasts: one going out now (several sends), one scheduled for later."""

    now_ref: str
    later_ref: str
    # MessageRefs of each broadcast: the faxes one FaxStatus answer speaks for.
    groups: Mapping[str, frozenset[str]]
    send_refs: tuple[str, ...]

    @property
    def broadcast_refs(self) -> tuple[str, str]:
        return (self.now_ref, self.later_ref)


def one_page_pdf(path: Path) -> Path:
    import pymupdf

    document = pymupdf.open()
    document.new_page(width=595, height=842).insert_text((72, 100), "Test results", fontsize=16)
    path.write_bytes(document.tobytes())
    return path


def send_broadcasts(
    server: GatedSandbox, pdf: Path, *, now_faxes: int, later_faxes: int, per_send: int
) -> Sent:
    """Send both broadcasts as the composer does (send pipeline, job store in the data dir)."""
    refs: dict[str, frozenset[str]] = {}
    send_refs: list[str] = []
    later = server.clock() + timedelta(minutes=30)
    with JobStore() as store:
        pipeline = SendPipeline(server.client, store)
        for faxes, start in ((now_faxes, None), (later_faxes, later)):
            draft = Draft.new()
            draft.add_document(pdf)
            draft.add_recipients(
                Recipient(
                    fax_number=NUMBERS[i % len(NUMBERS)],
                    normalised=NUMBERS[i % len(NUMBERS)],
                    name=f"Practice {i + 1}",
                )
                for i in range(faxes)
            )
            draft.options.scheduled_start_time = start
            report = pipeline.submit(build_send_job(draft, max_messages=per_send))
            assert report.all_submitted, report
            broadcast_ref = report.results[0].broadcast_ref
            refs[broadcast_ref] = frozenset(
                m.message_ref for result in report.results for m in store.messages(result.send_ref)
            )
            send_refs += [result.send_ref for result in report.results]
    now_ref, later_ref = refs
    return Sent(now_ref, later_ref, refs, tuple(send_refs))


# A fax as a receptionist would see it: status, result and error of the latest attempt, how
# many attempts, and every attempt in full.
FaxView = tuple[FaxStatus | None, FaxResult | None, FaxError | None, int, tuple[FaxAttempt, ...]]


def stored_views() -> dict[str, FaxView]:
    """Every fax as the job store in the data directory holds it, read by a fresh connection."""
    with JobStore() as store:
        history = JobHistory(store)
        messages = history.snapshot().messages
        attempts = history.attempts_for(m.id for m in messages)
        return {
            m.message_ref: (
                m.status,
                m.result,
                m.error,
                m.attempts,
                tuple(sorted(attempts.get(m.id, ()), key=lambda a: a.attempt)),
            )
            for m in messages
        }


def answered_view(message: FaxMessageStatus) -> FaxView:
    """A fax as the service's answer describes it."""
    attempts = tuple(sorted(message.results, key=lambda a: a.attempt))
    latest = attempts[-1] if attempts else None
    return (
        message.status,
        None if latest is None else latest.result,
        None if latest is None else latest.error,
        len(attempts),
        attempts,
    )


def service_answers(server: GatedSandbox, broadcast_refs: Iterable[str]) -> list[FaxMessageStatus]:
    """What the sandbox says now of every fax of these broadcasts (verbosity results)."""
    messages: list[FaxMessageStatus] = []
    with server.client() as client:
        for ref in broadcast_refs:
            answer = client.fax_status(
                FaxStatusRequest(broadcast_ref=ref, verbosity=Verbosity.RESULTS)
            )
            messages += answer.messages
    return messages


def service_views(server: GatedSandbox, broadcast_refs: Iterable[str]) -> dict[str, FaxView]:
    return {m.message_ref or "": answered_view(m) for m in service_answers(server, broadcast_refs)}


def whole_merges(
    groups: Mapping[str, frozenset[str]],
    before: Mapping[str, FaxView],
    answered: Mapping[str, FaxView],
    stored: Mapping[str, FaxView],
) -> dict[str, str]:
    """For each answer (one per broadcast): "before", "after", or "same" (it changed nothing).

    Fails when a fax is in neither state, or when some faxes of one answer are
    as answered and others as before (a merge stored by halves).
    """
    assert set(stored) == set(before), "faxes appeared or vanished"
    outcome: dict[str, str] = {}
    for name, refs in groups.items():
        moved = sorted(ref for ref in refs if answered[ref] != before[ref])
        for ref in refs:
            assert stored[ref] in (before[ref], answered[ref]), (
                f"{ref} is neither as it was nor as answered:\n"
                f"stored {stored[ref]}\nbefore {before[ref]}\nanswer {answered[ref]}"
            )
        applied = [ref for ref in moved if stored[ref] == answered[ref]]
        if not moved:
            outcome[name] = "same"
        elif not applied:
            outcome[name] = "before"
        else:
            assert len(applied) == len(moved), (
                f"half a merge of {name}: {len(applied)} of {len(moved)} changed faxes stored"
            )
            outcome[name] = "after"
    return outcome


def integrity(path: Path) -> str:
    """SQLite's own check of the whole file (a fresh connection, which also recovers the WAL)."""
    raw = sqlite3.connect(path)
    try:
        result: str = raw.execute("PRAGMA integrity_check").fetchone()[0]
        return result
    finally:
        raw.close()


def uncommitted_wal_frames(path: Path) -> int:
    """Pages a transaction wrote to the WAL file but never committed (read before any reopen).

    Frames of the WAL's current generation carry its header's salts; the last
    one a commit wrote has its database size set. Frames after that one are
    an unfinished transaction's, which SQLite must ignore on recovery.
    """
    wal = path.with_name(path.name + "-wal")
    if not wal.exists():
        return 0
    data = wal.read_bytes()
    if len(data) < 32:
        return 0
    page_size, _, salt1, salt2 = struct.unpack(">4I", data[8:24])
    page_size = 65536 if page_size == 1 else page_size
    frame = 24 + page_size
    count = last_commit = 0
    offset = 32
    while offset + frame <= len(data):
        _, commit_size, s1, s2 = struct.unpack(">4I", data[offset : offset + 16])
        if (s1, s2) != (salt1, salt2):
            break
        count += 1
        if commit_size:
            last_commit = count
        offset += frame
    return count - last_commit


# --------------------------------------------------------------------------- the poller


# The app's poll (run_poll, as StatusPoller runs it on its worker), on the job store in the
# data directory, saying where it is: asking/answered around each FaxStatus call,
# merging/merged around each merge. Modes: "loop N" polls N times (it is killed long
# before), copying the WAL into the database after each commit; "block N R" stops inside
# the Nth merge's transaction once it has changed R rows, with a tiny page cache so that
# changed pages spill into the WAL file before the commit (as a big merge's do);
# "converge" polls until nothing is unfinished.
CHILD = textwrap.dedent(
    """
    import sys
    import time
    from datetime import timedelta

    from faxgui.api import MonopondClient
    from faxgui.jobs.history import JobHistory
    from faxgui.jobs.poll_plan import PollPlanner, PollSettings
    from faxgui.jobs.store import JobStore
    from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
    from faxgui.ui.status.poller import run_poll

    url, mode, count, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


    def say(*words):
        print(*words, flush=True)


    store = JobStore()
    history = JobHistory(store)
    db = store.connection()
    if mode == "block":
        db.execute("PRAGMA cache_size = 4")
    else:
        # Copy the WAL into the database file after every commit (the app does it every
        # 1,000 pages): a kill may land in the middle of that too.
        db.execute("PRAGMA wal_autocheckpoint = 1")
    merges = 0


    def block_inside_transaction():
        base = db.total_changes

        def progress():
            if db.in_transaction and db.total_changes - base >= rows:
                say("half", merges)
                time.sleep(60)
            return 0

        db.set_progress_handler(progress, 100)


    real_merge = history.merge


    def merge(answer, **kwargs):
        global merges
        merges += 1
        selection = kwargs["selection"]
        ref = selection.broadcast_ref or selection.send_ref or selection.message_ref
        say("merging", merges, ref, len(answer.messages))
        if mode == "block" and merges == count:
            block_inside_transaction()
        result = real_merge(answer, **kwargs)
        say("merged", merges, len(result.changed_messages))
        return result


    history.merge = merge


    def client_factory():
        client = MonopondClient(url, DEMO_USERNAME, DEMO_PASSWORD, timeout=20.0)
        real_status = client.fax_status

        def fax_status(request):
            say("asking", request.broadcast_ref or request.send_ref or request.message_ref)
            answer = real_status(request)
            say("answered", len(answer.messages))
            return answer

        client.fax_status = fax_status
        return client


    # Due again a millisecond after each poll: the loop polls as fast as it can.
    quick = timedelta(milliseconds=1)
    planner = PollPlanner(PollSettings(interval=quick, max_interval=quick))
    say("ready")
    for _ in range(count if mode == "loop" else 10_000):
        result = run_poll(history, client_factory, planner, False)
        if result.error is not None:
            raise result.error
        say("polled", result.polled, result.unfinished)
        if mode == "converge" and result.unfinished == 0:
            break
    store.close()
    say("done")
    """
)


@dataclass
class PollerProcess:
    """The polling child process and what it has said so far."""

    process: subprocess.Popen[str]
    stderr: IO[str]
    lines: list[str] = field(default_factory=list)
    _said: threading.Condition = field(default_factory=threading.Condition)
    _reader: threading.Thread | None = None

    @classmethod
    def start(
        cls, url: str, mode: str, count: int, stderr_path: Path, rows: int = 1
    ) -> PollerProcess:
        """`mode` and `count` as CHILD says; `rows`: how many a blocked merge has changed."""
        stderr = stderr_path.open("w")
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, mode, str(count), str(rows)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        poller = cls(process, stderr)
        poller._reader = threading.Thread(target=poller._read, daemon=True)
        poller._reader.start()
        return poller

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._said:
                self.lines.append(line.strip())
                self._said.notify_all()

    def said(self, word: str) -> list[list[str]]:
        """Every line that started with `word`, split into words."""
        with self._said:
            return [line.split() for line in self.lines if line.split()[:1] == [word]]

    def wait_for(self, word: str, timeout: float = 20.0) -> list[str]:
        """Wait until the process says `word` (first word of a line); that line's words."""

        def found() -> list[str] | None:
            for line in self.lines:
                if line.split()[:1] == [word]:
                    return line.split()
            return None

        with self._said:
            if not self._said.wait_for(lambda: found() is not None or self._ended(), timeout):
                raise AssertionError(f"the poller never said {word!r}: {self.lines}")
            line = found()
        if line is None:
            raise AssertionError(f"the poller ended before saying {word!r}: {self.report()}")
        return line

    def _ended(self) -> bool:
        return self.process.poll() is not None and not (
            self._reader is not None and self._reader.is_alive()
        )

    def kill(self) -> None:
        """`kill -9`, then wait for it, and read everything it said."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.finish()
        assert self.process.returncode == -signal.SIGKILL, self.report()

    def finish(self, timeout: float = 30.0) -> int:
        """Wait for the process to end; its exit status."""
        code = self.process.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.stderr.close()
        return code

    def report(self) -> str:
        return f"said {self.lines}; stderr: {Path(self.stderr.name).read_text()[-3000:]}"

    @property
    def last_step(self) -> str:
        """Where it was when it stopped: the first word of the last thing it said."""
        return self.lines[-1].split()[0] if self.lines else "starting"


@dataclass
class Killed:
    """One poller process killed: the faxes before, as answered, and as stored after the kill.

    `outcome` says, per broadcast, whether its answer was stored ("after"),
    lost ("before"), or changed nothing ("same"); `uncommitted_frames` counts
    pages of an unfinished transaction found in the WAL file after the kill.
    """

    poller: PollerProcess
    before: dict[str, FaxView]
    answered: dict[str, FaxView]
    stored: dict[str, FaxView]
    outcome: dict[str, str]
    uncommitted_frames: int

    def said(self, word: str) -> list[list[str]]:
        return self.poller.said(word)


def kill_and_check(
    server: GatedSandbox,
    sent: Sent,
    mode: str,
    count: int,
    until: Callable[[PollerProcess], object],
    log: Path,
    *,
    rows: int = 1,
    hold: bool = False,
) -> Killed:
    """Start a poller, wait `until(poller)` returns, `kill -9` it, and check the job store.

    With `hold`, the sandbox holds every FaxStatus answer, and the poller is
    killed once its request has arrived (it is waiting for the answer).
    Checks that the poller was killed before it finished, that the file
    passes SQLite's integrity check, and that each answer was stored whole or
    not at all (`whole_merges`).
    """
    path = default_store_path()
    before = stored_views()
    answered = service_views(server, sent.broadcast_refs)
    asked = len(server.status_requests)
    if hold:
        server.hold()
    try:
        poller = PollerProcess.start(server.url, mode, count, log, rows)
        try:
            until(poller)
            if hold:
                assert server.wait_for_status_requests(asked + 1, 20), poller.report()
        finally:
            poller.kill()
    finally:
        server.release()
    assert not poller.said("done"), poller.report()
    uncommitted = uncommitted_wal_frames(path)
    assert integrity(path) == "ok"
    stored = stored_views()
    outcome = whole_merges(sent.groups, before, answered, stored)
    return Killed(poller, before, answered, stored, outcome, uncommitted)


def wall_clock() -> ManualClock:
    """A clock the test moves by hand, starting now (so schedules read naturally)."""
    return ManualClock(datetime.now(UTC))


def status_requests_naming(server: GatedSandbox, refs: Iterable[str], since: int = 0) -> int:
    """How many FaxStatus requests after the first `since` (of any) named one of `refs`."""
    wanted = [ref.encode() for ref in refs]
    return sum(1 for body in server.status_requests[since:] if any(ref in body for ref in wanted))
