"""The command line: `--version`, and `--self-test` run exactly as a user or CI would run it."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

import faxgui
from faxgui.ui.app import main


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"faxgui {faxgui.__version__}"


def test_self_test_opens_the_window_and_sends_a_fax_through_the_sandbox() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "faxgui", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    report = json.loads(lines[0])
    assert report["ok"] is True
    assert report["window"] is True
    assert report["sandbox"].startswith("http://127.0.0.1:")
    assert report["sandbox"].endswith("/fax/soap/v2.1")
    assert report["round_trip_ms"] > 0
    assert report["faxgui"] == faxgui.__version__
    assert report["python"] == platform.python_version()
    assert report["qt"].startswith("6.")
