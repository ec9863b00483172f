"""Fixtures for the UI tests: a real embedded sandbox, the user's settings, the main window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.main_window import MainWindow

# The offscreen platform (headless runs) cannot size real windows and says so each time a
# window's size constraints change, nor raise one above the others (a second start of faxgui
# brings its window forward); that says nothing about faxgui.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def idle_sandbox(qtbot: QtBot) -> Iterator[EmbeddedSandbox]:
    """An embedded sandbox that has not been started; stopped after the test if it was."""
    sandbox = EmbeddedSandbox(speed=50.0)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox(qtbot: QtBot, idle_sandbox: EmbeddedSandbox) -> EmbeddedSandbox:
    """A real sandbox server listening on a free loopback port."""
    with qtbot.waitSignal(idle_sandbox.ready, timeout=15_000):
        idle_sandbox.start()
    return idle_sandbox


@pytest.fixture
def settings() -> Settings:
    """This test's settings (defaults: the sandbox endpoint)."""
    return Settings.load()


@pytest.fixture
def passwords() -> PasswordStore:
    return PasswordStore()


@pytest.fixture
def make_window(
    qtbot: QtBot, settings: Settings, passwords: PasswordStore, sandbox: EmbeddedSandbox
) -> Callable[..., MainWindow]:
    """Builds and shows the main window on the test's settings (or on `settings` if given)."""

    def make(own_settings: Settings | None = None) -> MainWindow:
        window = MainWindow(own_settings or settings, passwords, sandbox)
        qtbot.addWidget(window)
        # The window finishes building right after its first paint (see MainWindow.built).
        with qtbot.waitExposed(window), qtbot.waitSignal(window.built, timeout=10_000):
            window.show()
        return window

    return make
