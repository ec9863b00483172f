"""Benchmark set-up: the offscreen platform's noise is not a failure; a sandbox process."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The offscreen platform cannot size real windows and says so whenever a window's size
# constraints change; that says nothing about faxgui (tests/ui/conftest.py does the same).
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """The endpoint of a sandbox in its own process, as the service would be; stopped after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "faxgui.sandbox.cli", "--port", "0", "--speed", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = None
        while url is None:
            line = process.stdout.readline()
            assert line, "the sandbox stopped before it said where it listens"
            found = re.search(r"Endpoint:\s+(\S+)", line)
            url = found.group(1) if found else None
        yield url
    finally:
        process.terminate()
        process.wait(10)
