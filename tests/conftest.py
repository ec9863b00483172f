"""Shared test set-up: headless Qt, private settings, data and keyring per test, no stray work."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt: every test run is headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own settings, data directory and a real file-backed keyring."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        path = home / sub
        path.mkdir(parents=True)
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    import keyring.core

    # keyring caches its backend at import; rebuild it so it lands in this test's data dir.
    keyring.core.set_keyring(keyring.core.load_env())
    return home


@pytest.fixture(autouse=True)
def no_stray_workers() -> Iterator[None]:
    """Fail any test that leaves QThreadPool work running (napari's habit)."""
    yield
    import sys

    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(5000):
        pytest.fail(f"{pool.activeThreadCount()} worker(s) still running after the test")
    if pool.activeThreadCount():
        pytest.fail(f"{pool.activeThreadCount()} worker(s) still running after the test")
