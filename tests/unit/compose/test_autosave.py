"""The draft on screen survives a crash or `kill -9`; a bad file never stops the app starting."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from faxgui.compose.autosave import DraftAutosave, autosave_path
from faxgui.compose.draft import Draft
from faxgui.compose.phone import PhoneNormaliser


def _draft(numbers: PhoneNormaliser, *typed: str) -> Draft:
    draft = Draft.new()
    draft.options.send_from = "Front Desk"
    for number in typed:
        draft.add_recipient(number, numbers, name=f"Clinic {number[-4:]}")
    return draft


def test_the_draft_lives_in_the_users_data_directory(private_home: Path) -> None:
    assert autosave_path() == private_home / "data" / "faxgui" / "drafts" / "current.json"
    assert DraftAutosave().path == autosave_path()


def test_a_saved_draft_is_loaded_back_as_it_was(numbers: PhoneNormaliser) -> None:
    draft = _draft(numbers, "02 8003 9890", "+61 2 8003 9891")
    assert DraftAutosave().save(draft)
    assert DraftAutosave().load() == draft


def test_nothing_saved_loads_as_nothing() -> None:
    autosave = DraftAutosave()
    assert autosave.load() is None
    assert autosave.warnings == []


def test_saving_an_unchanged_draft_does_not_touch_the_disk(numbers: PhoneNormaliser) -> None:
    autosave = DraftAutosave()
    draft = _draft(numbers, "02 8003 9890")
    assert autosave.save(draft)
    written = autosave.path.stat().st_mtime_ns
    time.sleep(0.01)
    assert not autosave.save(draft)
    assert autosave.path.stat().st_mtime_ns == written
    draft.add_recipient("02 8003 9891", numbers)
    assert autosave.save(draft)
    assert DraftAutosave().load() == draft


def test_a_snapshot_taken_on_one_thread_can_be_written_on_another(
    numbers: PhoneNormaliser,
) -> None:
    draft = _draft(numbers, "02 8003 9890")
    snapshot = draft.snapshot()
    draft.add_recipient("02 8003 9891", numbers)  # the user carries on typing
    assert DraftAutosave().write(snapshot)
    restored = DraftAutosave().load()
    assert restored is not None
    assert len(restored.recipients) == 1


def test_new_fax_clears_the_saved_draft(numbers: PhoneNormaliser) -> None:
    autosave = DraftAutosave()
    draft = _draft(numbers, "02 8003 9890")
    autosave.save(draft)
    autosave.clear()
    assert not autosave.path.exists()
    assert autosave.load() is None
    assert autosave.save(draft), "after clearing, the same draft must be written again"
    autosave.clear()
    autosave.clear()


def _run_child(code: str) -> subprocess.CompletedProcess[str]:
    # The child inherits this test's XDG_DATA_HOME, so it saves where the parent looks.
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_draft_saved_just_before_kill_9_is_there_at_the_next_start() -> None:
    child = _run_child(
        """
        import os, signal
        from faxgui.compose.autosave import DraftAutosave
        from faxgui.compose.draft import Draft
        from faxgui.compose.phone import PhoneNormaliser

        draft = Draft.new()
        draft.add_recipient("(02) 8003 9890", PhoneNormaliser("AU"), name="Harbour Dental")
        draft.options.send_from = "Front Desk"
        DraftAutosave().save(draft)
        print(draft.broadcast_ref, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    restored = DraftAutosave().load()
    assert restored is not None
    assert restored.broadcast_ref == child.stdout.strip()
    assert [(r.name, r.normalised) for r in restored.recipients] == [
        ("Harbour Dental", "61280039890")
    ]
    assert restored.options.send_from == "Front Desk"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_kill_in_the_middle_of_a_save_leaves_the_previous_draft(
    numbers: PhoneNormaliser,
) -> None:
    earlier = _draft(numbers, "02 8003 9890")
    DraftAutosave().save(earlier)
    child = _run_child(
        """
        import os, signal
        from faxgui.compose import autosave
        from faxgui.compose.draft import Draft

        def killed_mid_save(fd):
            os.kill(os.getpid(), signal.SIGKILL)

        # The new draft is in the temporary file when the process dies, before the rename.
        autosave.os.fsync = killed_mid_save
        autosave.DraftAutosave().save(Draft.new())
        """
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    leftovers = list(DraftAutosave().path.parent.glob(".current.json.*"))
    assert len(leftovers) == 1
    assert DraftAutosave().load() == earlier
    # A fresh leftover may be another faxgui's save in progress; an old one is cleaned up.
    assert leftovers[0].exists()
    os.utime(leftovers[0], (time.time() - 3600, time.time() - 3600))
    DraftAutosave().load()
    assert not leftovers[0].exists()


def test_an_unreadable_draft_is_kept_aside_and_the_app_starts_empty() -> None:
    autosave = DraftAutosave()
    autosave.path.parent.mkdir(parents=True)
    autosave.path.write_text('{"version": 1, "recipients": [', encoding="utf-8")
    assert autosave.load() is None
    (warning,) = autosave.warnings
    backup = autosave.path.with_name("current.json.unreadable")
    assert str(backup) in warning
    assert "not valid JSON" in warning
    assert backup.read_text(encoding="utf-8") == '{"version": 1, "recipients": ['
    assert not autosave.path.exists()


def test_a_draft_from_a_newer_faxgui_is_kept_not_overwritten(numbers: PhoneNormaliser) -> None:
    autosave = DraftAutosave()
    autosave.path.parent.mkdir(parents=True)
    newer = {"version": 2, "recipients": []}
    autosave.path.write_text(json.dumps(newer), encoding="utf-8")
    (autosave.path.parent / "current.json.unreadable").write_text("older backup")
    assert autosave.load() is None
    assert "Update faxgui" in autosave.warnings[0]
    kept = autosave.path.with_name("current.json.unreadable.1")
    assert json.loads(kept.read_text(encoding="utf-8")) == newer
    autosave.save(_draft(numbers, "02 8003 9890"))
    assert json.loads(kept.read_text(encoding="utf-8")) == newer
