"""Draft autosave from the window: debounced, written off the GUI thread, back after a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from faxgui.compose.autosave import DraftAutosave, autosave_path
from faxgui.compose.draft import Draft
from faxgui.compose.phone import PhoneNormaliser
from faxgui.ui.draft_autosaver import DraftAutosaver


class WatchedAutosave(DraftAutosave):
    """The real autosave, noting which thread wrote each snapshot."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writes: list[tuple[bytes, int]] = []

    def write(self, snapshot: bytes) -> bool:
        self.writes.append((snapshot, threading.get_ident()))
        return super().write(snapshot)


@pytest.fixture
def autosave(tmp_path: Path) -> WatchedAutosave:
    return WatchedAutosave(tmp_path / "drafts" / "current.json")


@pytest.fixture
def draft(make_draft: Callable[..., Draft]) -> Draft:
    return make_draft(2)


@pytest.fixture
def make_saver(
    qtbot: QtBot, draft: Draft, autosave: WatchedAutosave
) -> Callable[..., DraftAutosaver]:
    def make(delay_ms: int = 50, max_delay_ms: int = 5_000) -> DraftAutosaver:
        return DraftAutosaver(
            lambda: draft, autosave=autosave, delay_ms=delay_ms, max_delay_ms=max_delay_ms
        )

    return make


def test_a_burst_of_edits_is_saved_once_off_the_gui_thread(
    qtbot: QtBot,
    draft: Draft,
    numbers: PhoneNormaliser,
    autosave: WatchedAutosave,
    make_saver: Callable[..., DraftAutosaver],
) -> None:
    saver = make_saver()
    for i in range(5):
        draft.add_recipient(f"02 9{i:07d}", numbers, name=f"Added {i}")
        saver.schedule()
    assert saver.pending

    with qtbot.waitSignal(saver.saved, timeout=5_000):
        pass
    qtbot.waitUntil(lambda: not saver.pending, timeout=5_000)

    assert len(autosave.writes) == 1
    snapshot, thread = autosave.writes[0]
    assert thread != threading.get_ident()
    assert autosave.path.read_bytes() == draft.snapshot() == snapshot


def test_continuous_typing_is_still_saved_every_few_seconds(
    qtbot: QtBot,
    draft: Draft,
    autosave: WatchedAutosave,
    make_saver: Callable[..., DraftAutosaver],
) -> None:
    saver = make_saver(delay_ms=200, max_delay_ms=400)
    saves: list[float] = []
    saver.saved.connect(lambda: saves.append(time.monotonic()))
    started = time.monotonic()
    while time.monotonic() - started < 1.5:
        draft.options.send_from = f"Front desk {time.monotonic():.3f}"[:32]
        saver.schedule()
        qtbot.wait(50)

    assert len(saves) >= 2


def test_flush_writes_the_last_edit_at_once_and_restore_brings_it_back(
    qtbot: QtBot,
    draft: Draft,
    autosave: WatchedAutosave,
    make_saver: Callable[..., DraftAutosaver],
) -> None:
    saver = make_saver(delay_ms=60_000)
    draft.options.send_from = "Harbour Medical"
    saver.schedule()
    saver.flush()

    assert not saver.pending
    restored = DraftAutosaver(Draft.new, autosave=DraftAutosave(autosave.path)).restore()
    assert restored is not None
    assert restored.dumps() == draft.dumps()


def test_clear_forgets_the_draft_and_a_newer_save_is_not_overwritten_by_an_older_one(
    qtbot: QtBot,
    draft: Draft,
    autosave: WatchedAutosave,
    make_saver: Callable[..., DraftAutosaver],
) -> None:
    saver = make_saver()
    saver.schedule()
    qtbot.waitUntil(lambda: not saver.pending, timeout=5_000)
    assert autosave.path.exists()

    saver.clear()
    qtbot.waitUntil(lambda: not saver.pending, timeout=5_000)
    assert not autosave.path.exists()
    assert DraftAutosave(autosave.path).load() is None


def test_a_damaged_draft_is_set_aside_with_a_warning(
    autosave: WatchedAutosave, make_saver: Callable[..., DraftAutosaver]
) -> None:
    autosave.path.parent.mkdir(parents=True)
    autosave.path.write_text('{"version": 1, "recipients": 7}')
    saver = make_saver()

    assert saver.restore() is None
    (warning,) = saver.warnings
    assert "could not be opened" in warning
    assert (autosave.path.parent / "current.json.unreadable").exists()


def test_a_failing_disk_is_reported_in_a_sentence(
    qtbot: QtBot, tmp_path: Path, draft: Draft
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the drafts folder should be")
    saver = DraftAutosaver(
        lambda: draft, autosave=DraftAutosave(blocker / "current.json"), delay_ms=10
    )
    with qtbot.waitSignal(saver.failed, timeout=5_000) as failed:
        saver.schedule()
    assert "could not be saved" in failed.args[0]
    assert "not protected" in failed.args[0]


EDITOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication, QTimer

    from faxgui.compose.draft import Draft
    from faxgui.compose.phone import PhoneNormaliser
    from faxgui.ui.draft_autosaver import DraftAutosaver

    app = QCoreApplication([])
    numbers = PhoneNormaliser("AU")
    draft = Draft.new()
    draft.add_document(Path(sys.argv[1]))
    saver = DraftAutosaver(lambda: draft, delay_ms=40)
    saver.saved.connect(lambda: print("saved", flush=True))
    edits = 0

    def edit():
        global edits
        edits += 1
        draft.add_recipient(f"02 8{edits:07d}", numbers, name=f"Clinic {edits}")
        print("edit", edits, flush=True)
        saver.schedule()

    timer = QTimer()
    timer.timeout.connect(edit)
    timer.start(150)
    app.exec()
    """
)


def test_after_kill_9_mid_edit_the_draft_comes_back(tmp_path: Path, letter: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    editor = subprocess.Popen(
        [sys.executable, str(script), str(letter)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    lines: list[str] = []
    try:
        assert editor.stdout is not None
        while lines.count("saved") < 4:
            line = editor.stdout.readline().strip()
            assert line, "the editor stopped before saving"
            lines.append(line)
        # Wait for the next edit, so the kill lands while it is not saved yet.
        while not (line := editor.stdout.readline().strip()).startswith("edit"):
            lines.append(line)
        lines.append(line)
        editor.send_signal(signal.SIGKILL)
    finally:
        editor.kill()
        editor.wait(10)
    assert editor.returncode == -signal.SIGKILL

    restored = DraftAutosave().load()

    assert restored is not None
    assert autosave_path().exists()
    edits = [int(line.split()[1]) for line in lines if line.startswith("edit")]
    last_saved = max(i for i, line in enumerate(lines) if line == "saved")
    saved_edit = max(int(line.split()[1]) for line in lines[:last_saved] if line.startswith("edit"))
    assert saved_edit <= len(restored.recipients) <= edits[-1]
    assert [r.name for r in restored.recipients] == [
        f"Clinic {n}" for n in range(1, len(restored.recipients) + 1)
    ]
    assert [d.path for d in restored.documents] == [letter]
