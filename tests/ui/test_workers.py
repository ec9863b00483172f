"""run_task: the work runs off the GUI thread and its outcome comes back on it."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from faxgui.ui.workers import run_task


def test_result_arrives_on_the_gui_thread_while_the_work_ran_elsewhere(qtbot: QtBot) -> None:
    gui_thread = threading.get_ident()
    worked_on: list[int] = []
    delivered: list[tuple[str, int]] = []

    def work(name: str) -> str:
        worked_on.append(threading.get_ident())
        return f"hello {name}"

    run_task(
        work,
        "front desk",
        on_done=lambda result: delivered.append((result, threading.get_ident())),
        on_error=lambda exc: delivered.append((repr(exc), threading.get_ident())),
    )

    qtbot.waitUntil(lambda: bool(delivered), timeout=5_000)
    assert delivered == [("hello front desk", gui_thread)]
    assert worked_on
    assert worked_on[0] != gui_thread


def test_an_exception_is_handed_to_on_error(qtbot: QtBot) -> None:
    errors: list[Exception] = []

    def fail() -> None:
        raise ValueError("the number has letters in it")

    run_task(fail, on_done=lambda _: errors.append(AssertionError()), on_error=errors.append)

    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], ValueError)
    assert str(errors[0]) == "the number has letters in it"


def test_nothing_is_delivered_to_a_widget_closed_in_the_meantime(qtbot: QtBot) -> None:
    label = QLabel("waiting")
    release = threading.Event()
    delivered: list[str] = []
    run_task(
        release.wait,
        5.0,
        on_done=lambda _: delivered.append(label.text()),
        on_error=lambda _: delivered.append("error"),
        context=label,
    )
    shiboken6.delete(label)
    release.set()

    assert QThreadPool.globalInstance().waitForDone(5_000)
    qtbot.wait(50)
    assert delivered == []
