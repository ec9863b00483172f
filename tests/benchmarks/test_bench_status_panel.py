"""The "Sent faxes" panel at scale: opening 50,000 faxes, a filter keystroke, a 10,000-fax poll.

Issue 5's budgets: with 50,000 messages in the history the panel opens in
≤ 0.5 s and a filter keystroke updates it in ≤ 50 ms; during a poll whose
answer holds 10,000 faxes the GUI event loop is never blocked for more than
50 ms (a 10 ms QTimer's gaps, as in test_bench_send_latency.py).

The history comes in four shapes (see history_shapes.py): 50,000 one-fax
broadcasts, an office's mix of small and a few large broadcasts, 2,000
broadcasts of 25, and 50 of 1,000. "Opens" is from `start()` until the
panel shows its rows, painted; the older pages of the history are read
after that (reported, not budgeted). A keystroke is the model's update and
the view's layout (`doItemsLayout`); the paint that follows is reported
beside an idle repaint of the same view, since painting a 1400-pixel-wide
tree is itself 50-90 ms on this machine whatever the model does.

Baselines, measured in the same run: reading the same 50,000 fax rows with
one bare sqlite3 SELECT (for opening), one list comprehension over 50,000
strings (for a keystroke), an idle repaint (for the paint), and an idle
event loop and a plain-Python worker thread (for the poll). The GUI
thread's CPU time (`time.thread_time`) is reported too: the machine is
shared, and other processes inflate wall times far more than CPU times.
Each measurement is the best of three rounds, every round printed.
"""

from __future__ import annotations

import gc
import sqlite3
import statistics
import time
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from faxgui.api import MonopondClient
from faxgui.compose.draft import Draft, Recipient
from faxgui.compose.pipeline import SendPipeline
from faxgui.compose.requests import build_send_job
from faxgui.jobs.history import JobHistory
from faxgui.jobs.poll_plan import RefKind
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.ui.status.filtering import StatusFilter
from faxgui.ui.status.panel import StatusPanel

from .event_loop import idle_gaps, plain_python_gaps, tick_gaps
from .history_shapes import FAXES, SHAPES, fill

pytestmark = pytest.mark.benchmark

OPEN_BUDGET_S = 0.5
KEYSTROKE_BUDGET_MS = 50.0
POLL_FAXES = 10_000
GAP_BUDGET_MS = 50.0
MERGE_BUDGET_S = 0.5
ROUNDS = 3
KEYSTROKES = ("c", "cl", "clinic", "clinic 1", "clinic 12", "6128", "h0001", "zz")


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One job store per shape, made once for the module."""
    made: dict[str, Path] = {}
    for name, sizes in SHAPES.items():
        path = tmp_path_factory.mktemp("history") / "jobs.sqlite3"
        with JobStore(path) as store:
            fill(store, sizes)
        made[name] = path
    return made


def _no_client() -> MonopondClient:
    raise RuntimeError("this benchmark asks no service")


def _open_panel(qtbot: QtBot, store: JobStore) -> tuple[StatusPanel, float, float, float]:
    """A panel opened on the store: (panel, seconds to show, GUI CPU seconds, seconds to
    read everything)."""
    panel = StatusPanel(JobHistory(store), store, _no_client)
    qtbot.addWidget(panel)
    panel.resize(1400, 800)
    panel.show()
    qtbot.waitExposed(panel)
    began, cpu = time.perf_counter(), time.thread_time()
    panel.start()
    qtbot.waitUntil(lambda: panel.loaded, timeout=60_000)
    panel.tree.viewport().repaint()
    QApplication.processEvents()
    seconds, cpu = time.perf_counter() - began, time.thread_time() - cpu
    qtbot.waitUntil(lambda: not panel.reading, timeout=120_000)
    read = time.perf_counter() - began
    panel.shut_down()
    return panel, seconds, cpu, read


def _keystrokes(panel: StatusPanel) -> tuple[list[float], list[float], list[float]]:
    """Each keystroke's update (ms), its GUI CPU (ms), and the paint after it (ms)."""
    updates, cpu, paints = [], [], []
    for text in KEYSTROKES:
        began, began_cpu = time.perf_counter(), time.thread_time()
        panel.search_edit.setText(text)
        panel.tree.doItemsLayout()
        updates.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
        began = time.perf_counter()
        panel.tree.viewport().repaint()
        paints.append((time.perf_counter() - began) * 1000)
    panel.search_edit.clear()
    return updates, cpu, paints


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_panel_opens_50000_faxes_and_filters_them_within_budget(
    qtbot: QtBot, histories: dict[str, Path], shape: str
) -> None:
    path = histories[shape]
    opened: list[float] = []
    opened_cpu: list[float] = []
    read: list[float] = []
    with JobStore(path) as store:
        for _ in range(ROUNDS):
            panel, seconds, cpu, everything = _open_panel(qtbot, store)
            opened.append(seconds)
            opened_cpu.append(cpu)
            read.append(everything)
        assert panel.model.message_count == FAXES
        rounds = [_keystrokes(panel) for _ in range(ROUNDS)]
        # Per keystroke, the best of the rounds (as for opening).
        updates = [min(r[0][k] for r in rounds) for k in range(len(KEYSTROKES))]
        update_cpu = [min(r[1][k] for r in rounds) for k in range(len(KEYSTROKES))]
        paints = [min(r[2][k] for r in rounds) for k in range(len(KEYSTROKES))]
        idle = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            panel.tree.viewport().repaint()
            idle.append((time.perf_counter() - began) * 1000)
        panel.model.set_filter(StatusFilter(text="clinic 12"))
        shown = panel.model.totals().faxes
        panel.model.set_filter(StatusFilter())
    baseline = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT * FROM messages").fetchall()
        baseline.append(time.perf_counter() - began)
    assert len(rows) == FAXES
    texts = [f"{r[3]} {r[5]} {r[4]}".lower() for r in rows]
    comprehension = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        matches = [t for t in texts if "clinic 12" in t]
        comprehension.append((time.perf_counter() - began) * 1000)
    assert matches

    best_open, best_base, best_list = min(opened), min(baseline), min(comprehension)
    print(f"\n[bench] panel with {FAXES:,} faxes, {shape} ({len(SHAPES[shape]):,} broadcasts):")
    print("[bench]   opened in " + ", ".join(f"{s:.3f} s" for s in opened)
          + f" (GUI thread CPU {min(opened_cpu):.3f} s); everything read in "
          + ", ".join(f"{s:.2f} s" for s in read))  # fmt: skip
    print(f"[bench]   baseline (one bare SELECT * of the faxes): {best_base:.3f} s; ratio "
          f"{best_open / best_base:.2f} (budget {OPEN_BUDGET_S} s)")  # fmt: skip
    print("[bench]   keystroke updates " + ", ".join(f"{ms:.1f}" for ms in updates)
          + " ms (GUI CPU " + ", ".join(f"{ms:.1f}" for ms in update_cpu) + " ms)")  # fmt: skip
    print(f"[bench]   baseline (a comprehension over the texts): {best_list:.1f} ms; worst "
          f"keystroke ratio {max(updates) / best_list:.1f} (budget {KEYSTROKE_BUDGET_MS:.0f} ms); "
          f"{shown:,} faxes in the broadcasts shown for 'clinic 12'")  # fmt: skip
    print("[bench]   paint after each keystroke " + ", ".join(f"{ms:.0f}" for ms in paints)
          + f" ms; idle repaint {min(idle):.0f} ms; worst ratio "
          f"{max(paints) / min(idle):.2f}")  # fmt: skip
    assert best_open <= OPEN_BUDGET_S
    assert max(updates) <= KEYSTROKE_BUDGET_MS


# --------------------------------------------------------------------------- the poll


def test_a_poll_of_10000_faxes_never_blocks_the_gui_over_50_ms(
    qtbot: QtBot, tmp_path: Path, sandbox_url: str
) -> None:
    doc = pymupdf.open()
    doc.new_page(width=595, height=842).insert_text((72, 100), "Flu clinic", fontsize=18)
    pdf = tmp_path / "flu.pdf"
    pdf.write_bytes(bytes(doc.tobytes()))

    def client() -> MonopondClient:
        return MonopondClient(sandbox_url, DEMO_USERNAME, DEMO_PASSWORD, timeout=120)

    rounds: list[tuple[list[float], float, float]] = []
    with JobStore(tmp_path / "jobs.sqlite3") as store:
        history = JobHistory(store)
        pipeline = SendPipeline(client, store)
        panel = StatusPanel(history, store, client)
        qtbot.addWidget(panel)
        panel.set_pipeline(pipeline)
        panel.resize(1400, 800)
        panel.show()
        panel.start()
        qtbot.waitUntil(lambda: panel.loaded, timeout=60_000)
        for _ in range(ROUNDS):
            draft = Draft.new()
            draft.add_document(pdf)
            draft.add_recipients(
                Recipient(fax_number=f"612{80_000_000 + i}", normalised=f"612{80_000_000 + i}",
                          name=f"GP {i}")
                for i in range(POLL_FAXES)
            )  # fmt: skip
            report = pipeline.submit(build_send_job(draft))
            assert report.all_submitted

            def all_finished(ref: str = draft.broadcast_ref) -> bool:
                model = panel.model
                index = model.index_of_broadcast(ref)
                return (
                    index.isValid()
                    and model.totals(index).finished == POLL_FAXES
                    and not panel.updating
                )

            # What making the draft and its 10,000 requests left behind is collected first:
            # it is not the poll's (the collector runs on the GUI thread, as in the app).
            gc.collect()
            # From the moment the panel hears of the send: its 10,000 rows are read and
            # added, then polled (the sandbox finishes them within a second) and merged.
            began, cpu = time.perf_counter(), time.thread_time()
            gaps = tick_gaps(
                qtbot, lambda r=report: panel.note_sent(r), all_finished, tail_ms=500
            ).gaps_ms
            rounds.append((gaps, time.perf_counter() - began, time.thread_time() - cpu))
            qtbot.waitUntil(lambda: not panel.poller.running, timeout=120_000)
            finished = panel.model.totals(panel.model.index_of_broadcast(draft.broadcast_ref))
            assert finished.finished == POLL_FAXES, finished
        panel.shut_down()
        qtbot.waitUntil(lambda: not panel.poller.running, timeout=60_000)
        # The merge alone, timed on this thread: the same answer as the poll's, merged afresh.
        with client() as c:
            from faxgui.api.enums import Verbosity
            from faxgui.api.models import FaxStatusRequest

            request = FaxStatusRequest(
                broadcast_ref=draft.broadcast_ref, verbosity=Verbosity.RESULTS
            )
            answer = c.fax_status(request)
    # Store and view: the answer for a reference tracked from elsewhere makes 10,000 new
    # rows; the panel gets them and joins them to its tree, as after a poll.
    from faxgui.ui.status.loading import load_changes
    from faxgui.ui.status.tree_model import StatusTreeModel

    with JobStore(tmp_path / "fresh.sqlite3") as fresh:
        merge_times = []
        for number in range(ROUNDS):
            fresh_history = JobHistory(fresh)
            model = StatusTreeModel()
            # The answer under new references is made first: copying it is the test's work.
            tracked_answer = _renamed(answer, number)
            began = time.perf_counter()
            result = fresh_history.track(
                RefKind.BROADCAST,
                f"elsewhere-{number}",
                tracked_answer,
                account=DEMO_USERNAME,
                endpoint=sandbox_url,
            )
            changes = load_changes(
                fresh_history,
                result.changed_messages,
                added=True,
                known=fresh_history.changed_rows(result),
            )
            assert changes.tree is not None
            model.add_tree(changes.tree)
            merge_times.append(time.perf_counter() - began)
            assert len(result.changed_messages) == POLL_FAXES
            assert model.message_count == POLL_FAXES
    base = plain_python_gaps(qtbot, 1.5, tail_ms=500).gaps_ms
    idle = idle_gaps(qtbot, 1.5, tail_ms=500).gaps_ms
    print(f"\n[bench] a poll answering {POLL_FAXES:,} faxes (the sandbox in its own process):")
    for number, (gaps, seconds, cpu) in enumerate(rounds, 1):
        print(f"[bench]   round {number}: shown and followed to the end in {seconds:.2f} s "
              f"(GUI thread CPU {cpu:.2f} s); largest GUI gap "
              f"{max(gaps):.1f} ms, median {statistics.median(gaps):.1f} ms")  # fmt: skip
    best = min(max(g) for g, _, _ in rounds)
    print(f"[bench]   baselines: an idle event loop's largest gap {max(idle):.1f} ms (ratio "
          f"{best / max(idle):.2f}); a plain-Python worker thread's {max(base):.1f} ms (ratio "
          f"{best / max(base):.2f}); budget {GAP_BUDGET_MS:.0f} ms")  # fmt: skip
    print("[bench]   a 10,000-fax answer into the store and a view (new, tracked rows): "
          + ", ".join(f"{s:.3f} s" for s in merge_times)
          + f" (budget {MERGE_BUDGET_S} s)")  # fmt: skip
    assert best <= GAP_BUDGET_MS
    assert min(merge_times) <= MERGE_BUDGET_S


def _renamed(answer: object, number: int) -> object:
    """The same answer under other references (a tracked broadcast never seen before)."""
    import copy

    renamed = copy.deepcopy(answer)
    for message in renamed.messages:  # type: ignore[attr-defined]
        message.broadcast_ref = f"elsewhere-{number}"
        message.send_ref = f"elsewhere-{number}-{message.send_ref}"
        message.message_ref = f"elsewhere-{number}-{message.message_ref}"
    return renamed
