"""The composer's draft kept on disk as it is edited, so a crash or `kill -9` loses nothing.

`DraftAutosave.save()` writes the draft to `drafts/current.json` in the
user's data directory: to a temporary file beside it, flushed to disk, then
renamed over the old one, so the file on disk is always a whole draft, the
old one or the new one. Saving a draft identical to the last one written
does no I/O, so the UI can call `save()` from a debounce timer as often as it
likes. A draft that cannot be read at start-up is moved aside (never
deleted) and reported.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from pathlib import Path

import platformdirs

from faxgui.compose.draft import Draft, DraftFormatError

log = logging.getLogger(__name__)

FILE_NAME = "current.json"
_TEMP_PREFIX = f".{FILE_NAME}."
_STALE_SECONDS = 60.0


def autosave_path() -> Path:
    """Where the current draft is kept (honours XDG_DATA_HOME and the platform conventions)."""
    return Path(platformdirs.user_data_dir("faxgui", appauthor=False)) / "drafts" / FILE_NAME


class DraftAutosave:
    """Saves, restores and clears the one current draft; safe to call from any thread."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or autosave_path()
        self.warnings: list[str] = []
        self._last_written: bytes | None = None
        self._lock = threading.Lock()

    def save(self, draft: Draft) -> bool:
        """Write `draft` unless it is what the file already holds; True when it wrote.

        Raises OSError when the disk refuses (full, read-only): the UI should
        say so, since the draft is then not protected.
        """
        return self.write(draft.snapshot())

    def write(self, snapshot: bytes) -> bool:
        """Write a `Draft.snapshot()` taken earlier; True when it wrote.

        For a worker thread: the GUI thread takes the snapshot (about 40 ms
        for 10,000 recipients, far less for a usual fax) and the worker does
        the disk work. Hand snapshots to one worker at a time, so an older
        one is never written after a newer one.
        """
        with self._lock:
            if snapshot == self._last_written:
                return False
            self._write(snapshot)
            self._last_written = snapshot
        return True

    def load(self) -> Draft | None:
        """The saved draft, or None when there is none or it could not be read (see `warnings`)."""
        with self._lock:
            self._remove_stale_temporaries()
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                self._warn(
                    f"The draft saved in {self.path} could not be read ({exc.strerror}); "
                    "the composer starts empty."
                )
                return None
            try:
                draft = Draft.loads(data)
            except DraftFormatError as exc:
                self._set_aside(str(exc))
                return None
            self._last_written = data
            return draft

    def clear(self) -> None:
        """Forget the saved draft ("New fax")."""
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._last_written = None

    def _write(self, data: bytes) -> None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=directory)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, self.path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _sync_directory(directory)

    def _remove_stale_temporaries(self) -> None:
        """Temporary files a killed save left behind: never renamed, so never the draft.

        Only old ones: a second faxgui may be in the middle of its own save.
        """
        if not self.path.parent.is_dir():
            return
        cutoff = time.time() - _STALE_SECONDS
        for leftover in self.path.parent.glob(_TEMP_PREFIX + "*"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except OSError:
                continue

    def _set_aside(self, reason: str) -> None:
        backup = self.path.with_name(self.path.name + ".unreadable")
        number = 1
        while backup.exists():
            backup = self.path.with_name(f"{self.path.name}.unreadable.{number}")
            number += 1
        try:
            os.replace(self.path, backup)
        except OSError as exc:
            self._warn(
                f"The saved draft could not be opened: {reason} It could not be moved aside "
                f"either ({exc.strerror}); the composer starts empty."
            )
            return
        self._warn(
            f"The saved draft could not be opened: {reason} It was kept as {backup}; "
            "the composer starts empty."
        )

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
