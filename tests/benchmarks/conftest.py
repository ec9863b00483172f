"""Benchmarks run headless like the suite: the offscreen platform's noise is not a failure."""

from __future__ import annotations

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
