"""The command line: `--version`, and `--self-test` run exactly as a user or CI would run it."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import faxgui
from faxgui.config.settings import settings_path
from faxgui.ui.app import main
from faxgui.ui.self_test import NO_KEYRING_NOTE, NetworkGuard
from faxgui.ui.single_instance import SingleInstance


def run_self_test(
    tmp_path: Path, **env: str
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """`faxgui --self-test --report FILE` in a child process; its report and the process."""
    report_file = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "faxgui", "--self-test", "--report", str(report_file)],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env),
        timeout=120,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout + done.stderr
    report = json.loads(lines[0])
    # The same report in the file (a Windows app has no terminal to print to).
    assert json.loads(report_file.read_text("utf-8")) == report
    return report, done


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"faxgui {faxgui.__version__}"


def test_self_test_checks_window_pdf_wsdl_sandbox_and_keyring(tmp_path: Path) -> None:
    report, done = run_self_test(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert report["ok"] is True
    assert report["window"] is True
    assert report["composer"] is True
    # The bundled sample PDF, found through importlib.resources and drawn as a thumbnail.
    assert report["pdf"] == {"name": "sample-fax.pdf", "pages": 1, "thumbnail": [46, 64]}
    # All eight operations of the bundled WSDL (read with the network refused).
    assert report["wsdl"] == {"file": "monopond-faxapi-v2.1.wsdl", "operations": 8}
    assert report["sandbox"].startswith("http://127.0.0.1:")
    assert report["sandbox"].endswith("/fax/soap/v2.1")
    assert report["round_trip_ms"] > 0
    # The tests' keyring (tests/conftest.py): a real backend, named.
    assert report["keyring"] == {"backend": "file PlaintextKeyring", "available": True}
    assert report["frozen"] is False
    assert report["faxgui"] == faxgui.__version__
    assert report["python"] == platform.python_version()
    assert report["qt"].startswith("6.")
    assert 0 < report["seconds"] < 60


def test_self_test_passes_without_a_keyring_and_says_so(tmp_path: Path) -> None:
    # A faxgui of this user is open: the self-test must still run on its own, not hand over.
    open_faxgui = SingleInstance(settings_path().parent)
    assert open_faxgui.acquire()
    try:
        report, done = run_self_test(
            tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"
        )
    finally:
        open_faxgui.release()

    assert done.returncode == 0, done.stdout + done.stderr
    assert report["ok"] is True
    assert report["keyring"] == {
        "backend": "fail Keyring",
        "available": False,
        "note": NO_KEYRING_NOTE,
    }


def test_the_network_guard_refuses_other_hosts_and_lets_loopback_through() -> None:
    guard = NetworkGuard()
    guard.install()
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.getaddrinfo("fax.example.com", 443)
        with socket.socket() as outside, pytest.raises(ConnectionRefusedError):
            outside.connect(("192.0.2.10", 443))
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            with socket.socket() as inside:
                inside.connect(listener.getsockname())
        assert socket.getaddrinfo("localhost", 80)
    finally:
        guard.uninstall()
    assert guard.attempts == ["fax.example.com", "192.0.2.10"]
    # Uninstalled: the real functions are back.
    assert socket.getaddrinfo.__module__ == "socket"
