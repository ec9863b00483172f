"""At home on the desktop: one faxgui per user (a second start, a real process, hands its files
to the open window), files from the command line or dropped anywhere, the window's size kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSize, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings, settings_path
from faxgui.ui.app import _bring_forward
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.main_window import MainWindow
from faxgui.ui.single_instance import LOCK_FILE, SingleInstance, hand_over, server_name

MakeWindow = Callable[..., MainWindow]
START_TIMEOUT_MS = 60_000


def write_pdf(path: Path, text: str = "Referral") -> Path:
    doc = pymupdf.open()
    doc.new_page(width=595, height=842).insert_text((72, 100), text, fontsize=20)
    path.write_bytes(bytes(doc.tobytes()))
    return path


def documents_of(window: MainWindow) -> list[Path | None]:
    assert window.compose_tab is not None
    return [d.path for d in window.compose_tab.composer.draft().documents]


def start_faxgui(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """`faxgui ARGS` as the desktop would start it, with this test's settings folder."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "faxgui", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_exit(qtbot: QtBot, process: subprocess.Popen[str]) -> tuple[int, str]:
    # The window's event loop keeps running meanwhile: it is the one answering.
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=START_TIMEOUT_MS)
    finally:
        if process.poll() is None:
            process.kill()
    _out, err = process.communicate()
    return process.returncode, err


@pytest.fixture
def running(qtbot: QtBot, make_window: MakeWindow) -> tuple[MainWindow, SingleInstance]:
    """The user's open faxgui: its window, holding the lock and listening, as `main` sets up."""
    window = make_window()
    instance = SingleInstance(settings_path().parent)
    assert instance.acquire()
    instance.files_received.connect(lambda paths: _bring_forward(window, paths))
    assert instance.listen()
    yield window, instance
    instance.release()


def test_a_second_start_with_a_file_attaches_it_to_the_open_composer(
    qtbot: QtBot, running: tuple[MainWindow, SingleInstance], tmp_path: Path
) -> None:
    window, _instance = running
    window.show_sent_faxes()
    letter = write_pdf(tmp_path / "letter.pdf")

    # Given as a relative path, as a shell in the file's folder would pass it.
    code, err = wait_for_exit(qtbot, start_faxgui("letter.pdf", cwd=tmp_path))

    assert code == 0, err
    assert documents_of(window) == [letter]
    # The composer is brought forward to show it, and it has been read (pages counted).
    assert window.tabs.currentWidget() is window.compose_page
    assert window.isVisible()
    qtbot.waitUntil(
        lambda: (
            window.compose_tab is not None
            and all(d.page_count == 1 for d in window.compose_tab.composer.draft().documents)
        )
    )


def test_a_second_start_without_files_only_brings_the_window_forward(
    qtbot: QtBot, running: tuple[MainWindow, SingleInstance], tmp_path: Path
) -> None:
    window, _instance = running
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)

    code, err = wait_for_exit(qtbot, start_faxgui(cwd=tmp_path))

    assert code == 0, err
    assert not window.isMinimized()
    assert documents_of(window) == []


def test_files_opened_before_the_composer_is_built_are_attached_once_it_is(
    qtbot: QtBot,
    settings: Settings,
    passwords: PasswordStore,
    sandbox: EmbeddedSandbox,
    tmp_path: Path,
) -> None:
    first = write_pdf(tmp_path / "first.pdf")
    second = write_pdf(tmp_path / "second.pdf")
    window = MainWindow(settings, passwords, sandbox, files=[first])
    qtbot.addWidget(window)
    window.open_files([second])
    with qtbot.waitExposed(window), qtbot.waitSignal(window.built, timeout=10_000):
        window.show()

    assert documents_of(window) == [first, second]


def test_files_dropped_on_another_tab_are_attached_to_the_new_fax(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window()
    window.show_sent_faxes()
    letter = write_pdf(tmp_path / "dropped.pdf")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(letter))])
    target = window.sent_page
    centre = QPointF(target.rect().center())
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, buttons, modifiers)
    # Qt hands a drag to the nearest widget that takes drops: here, the window itself.
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(centre, Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, drop)

    assert drop.isAccepted()
    assert documents_of(window) == [letter]
    assert window.tabs.currentWidget() is window.compose_page


def test_a_second_instance_cannot_take_the_lock_while_the_first_holds_it(tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    second = SingleInstance(tmp_path)
    assert first.acquire()
    try:
        assert second.name == first.name
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


def test_each_settings_folder_has_its_own_name(tmp_path: Path) -> None:
    one, other = server_name(tmp_path / "alice"), server_name(tmp_path / "bob")
    assert one != other
    assert server_name(tmp_path / "alice") == one
    if sys.platform != "win32":
        assert one.endswith(".sock")
        assert len(one.encode()) <= 100


def test_nobody_listening_means_no_hand_over(tmp_path: Path) -> None:
    assert not hand_over(server_name(tmp_path), [tmp_path / "x.pdf"], timeout_s=0.3)


_CRASHING_FAXGUI = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from faxgui.ui.single_instance import SingleInstance

    app = QCoreApplication([])
    instance = SingleInstance(Path(sys.argv[1]))
    assert instance.acquire() and instance.listen()
    print("listening", flush=True)
    app.exec()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="a named pipe vanishes with its process")
def test_the_lock_and_socket_of_a_crashed_faxgui_are_taken_over(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "settings"
    crashed = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_FAXGUI, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    try:
        assert crashed.stdout is not None
        assert crashed.stdout.readline().strip() == "listening"
    finally:
        crashed.kill()
        crashed.wait()
    instance = SingleInstance(folder)
    # What a killed faxgui leaves behind.
    assert (folder / LOCK_FILE).exists()
    assert Path(instance.name).exists()

    assert instance.acquire()
    try:
        assert instance.listen()
        received: list[list[Path]] = []
        instance.files_received.connect(received.append)
        letter = write_pdf(tmp_path / "after-crash.pdf")
        # A real later start, through the socket that replaced the stale one.
        script = (
            "import sys; from pathlib import Path; "
            "from faxgui.ui.single_instance import hand_over; "
            "sys.exit(0 if hand_over(sys.argv[1], [Path(sys.argv[2])]) else 3)"
        )
        later = subprocess.Popen(
            [sys.executable, "-c", script, instance.name, str(letter)],
            stderr=subprocess.PIPE,
            text=True,
        )
        code, err = wait_for_exit(qtbot, later)
        assert code == 0, err
        assert received == [[letter]]
    finally:
        instance.release()


def test_the_window_opens_as_large_as_it_was_closed(
    qtbot: QtBot, settings: Settings, passwords: PasswordStore, sandbox: EmbeddedSandbox
) -> None:
    first = MainWindow(settings, passwords, sandbox)
    qtbot.addWidget(first)
    with qtbot.waitExposed(first), qtbot.waitSignal(first.built, timeout=10_000):
        first.show()
    # Within the headless screen (800 by 600): Qt fits a restored window to the screen it is on.
    first.resize(720, 520)
    qtbot.waitUntil(lambda: first.size() == QSize(720, 520))
    first.close()

    again = MainWindow(Settings.load(), passwords, sandbox)
    qtbot.addWidget(again)
    with qtbot.waitExposed(again), qtbot.waitSignal(again.built, timeout=10_000):
        again.show()
    assert again.size() == QSize(720, 520)


_MAC_FILE_OPEN = textwrap.dedent(
    """
    import sys
    from PySide6.QtGui import QFileOpenEvent
    from faxgui.ui.app import MacApplication

    app = MacApplication([])
    opened = []
    app.files_opened.connect(opened.extend)
    # What macOS sends when a PDF is dropped on the Dock icon or opened from the Finder.
    handled = app.sendEvent(app, QFileOpenEvent(sys.argv[1]))
    print(handled, [str(path) for path in opened])
    """
)


def test_the_mac_app_passes_on_a_file_opened_from_the_finder_or_dock(tmp_path: Path) -> None:
    # In a child process: it needs its own application object, the macOS one.
    letter = write_pdf(tmp_path / "from the dock.pdf")
    done = subprocess.run(
        [sys.executable, "-c", _MAC_FILE_OPEN, str(letter)],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"True ['{letter}']"
