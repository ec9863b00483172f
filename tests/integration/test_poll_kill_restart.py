"""`kill -9` during a poll or a merge loses nothing: same faxes, same states, polling resumes.

Real parts: a sandbox on loopback holding two real broadcasts (150 faxes to its
test numbers, 30 of them scheduled half an hour ahead so they stay unfinished),
and a separate process running the app's poll on the job store in the user's
data directory. The test kills that process (SIGKILL) while the sandbox holds
its FaxStatus answer, inside a merge's transaction after rows were written
(some spilled into the WAL file), between the two merges of one poll, and at
random moments. After each kill the file passes SQLite's integrity check and
each answer's faxes are all as they were or all as answered; the next process
starts from there. A last process, started as the app starts, polls by itself
and ends with every fax as the sandbox reports it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faxgui.api.enums import FaxResult, FaxStatus

from .poll_kill import (
    GatedSandbox,
    PollerProcess,
    Sent,
    kill_and_check,
    one_page_pdf,
    send_broadcasts,
    service_views,
    status_requests_naming,
    stored_views,
    wall_clock,
)

# Where a random kill is aimed: a random moment (up to 12 ms) after the poller first says
# one of these. A 120-fax merge takes about 5 ms here, a FaxStatus call about 10 ms.
STEPS = ("ready", "asking", "answered", "merging", "merged", "polled")


@pytest.fixture
def gated() -> Iterator[GatedSandbox]:
    server = GatedSandbox(wall_clock())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sent(gated: GatedSandbox, tmp_path: Path) -> Sent:
    return send_broadcasts(
        gated, one_page_pdf(tmp_path / "results.pdf"), now_faxes=120, later_faxes=30, per_send=50
    )


def test_kill_9_while_polling_loses_nothing_and_polling_resumes(
    gated: GatedSandbox, sent: Sent, tmp_path: Path
) -> None:
    now_ref, later_ref = sent.broadcast_refs
    logs = (tmp_path / f"poller-{n}.log" for n in range(100))

    # 1. Killed while the sandbox holds its first answer: nothing of it was merged.
    gated.clock.advance(10)
    killed = kill_and_check(
        gated, sent, "loop", 1_000, lambda p: p.wait_for("asking"), next(logs), hold=True
    )
    assert killed.said("asking"), killed.poller.report()
    assert not killed.said("answered"), killed.poller.report()
    assert killed.outcome == {now_ref: "before", later_ref: "before"}

    # 2. Killed inside the first merge's transaction once it had changed 60 rows (about half
    # its faxes; some of those pages already in the WAL file): SQLite rolls it back, the
    # faxes are as they were.
    gated.clock.advance(8)
    killed = kill_and_check(
        gated, sent, "block", 1, lambda p: p.wait_for("half"), next(logs), rows=60
    )
    assert killed.said("half") == [["half", "1"]]
    assert not killed.said("merged")
    assert killed.uncommitted_frames > 0
    assert killed.outcome == {now_ref: "before", later_ref: "before"}

    # 3. Killed inside the second merge of one poll: the first answer stays whole, the
    # second is not stored by halves.
    gated.clock.advance(12)
    killed = kill_and_check(gated, sent, "block", 2, lambda p: p.wait_for("half"), next(logs))
    assert [line[:2] for line in killed.said("merged")] == [["merged", "1"]]
    assert killed.said("half") == [["half", "2"]]
    assert killed.outcome == {now_ref: "after", later_ref: "before"}

    # 4. Killed at random moments (the seed is in any failure message).
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    landed: list[tuple[str, float, str, dict[str, str]]] = []
    for advance in (15, 20, 25, 30, 40):
        gated.clock.advance(advance)
        step = chance.choice(STEPS)
        delay = chance.uniform(0, 0.012)

        def somewhere(poller: PollerProcess, step: str = step, delay: float = delay) -> None:
            poller.wait_for(step)
            time.sleep(delay)

        killed = kill_and_check(gated, sent, "loop", 1_000, somewhere, next(logs))
        landed.append((step, round(delay * 1000, 1), killed.poller.last_step, killed.outcome))
    # The broadcast scheduled for later still waits: there is polling left to resume.
    waiting = stored_views()
    assert all(waiting[ref][0] is not FaxStatus.DONE for ref in sent.groups[later_ref])
    print(f"random kills (seed {seed}): aimed after, ms, last said, outcome: {landed}")

    # 5. Started again as the app starts: it asks about the unfinished faxes by itself and
    # ends with every fax as the sandbox reports it.
    gated.clock.advance(3600)
    asked = len(gated.status_requests)
    poller = PollerProcess.start(gated.url, "converge", 0, next(logs))
    assert poller.finish() == 0, poller.report()
    assert poller.said("done"), poller.report()
    assert status_requests_naming(gated, sent.broadcast_refs, since=asked) >= 2
    final = stored_views()
    assert final == service_views(gated, sent.broadcast_refs), (seed, landed)
    assert len(final) == 150
    assert {view[0] for view in final.values()} == {FaxStatus.DONE}
    assert {view[1] for view in final.values()} == {
        FaxResult.SUCCESS,
        FaxResult.FAILED,
        FaxResult.BLOCKED,
    }
