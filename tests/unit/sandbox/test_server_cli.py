"""The `faxgui-sandbox` command starts a usable sandbox, says how to use it, and stops on Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from lxml import etree

WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "faxgui.sandbox.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def read_until(stream: Iterator[str], pattern: str, limit: float = 30) -> tuple[str, list[str]]:
    """The first line matching `pattern`, and every line read up to it."""
    deadline = time.monotonic() + limit
    seen: list[str] = []
    for line in stream:
        seen.append(line)
        if re.search(pattern, line):
            return line, seen
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"never printed {pattern!r}; got {seen!r}")


@pytest.fixture
def sandbox_process() -> Iterator[subprocess.Popen[str]]:
    process = start("--port", "0", "--speed", "100")
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def test_command_prints_the_endpoint_serves_the_wsdl_and_stops_on_ctrl_c(
    sandbox_process: subprocess.Popen[str],
) -> None:
    assert sandbox_process.stdout is not None
    line, _ = read_until(sandbox_process.stdout, r"Endpoint:")
    url = line.split("Endpoint:", 1)[1].strip()
    _, banner = read_until(sandbox_process.stdout, r"Ctrl\+C")
    text = "".join(banner)

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/fax/soap/v2\.1", url)
    assert f"{url}?wsdl" in text
    assert "'demo'" in text
    assert "'demo-password'" in text
    assert "+61 5 0000 0002" in text
    assert "FAX_BUSY" in text
    assert re.search(r"Office: +(previewed with LibreOffice|accepted and sent, but not)", text)

    answer = requests.get(f"{url}?wsdl", timeout=10)
    assert answer.status_code == 200
    addresses = [
        a.get("location")
        for a in etree.fromstring(answer.content).iter(f"{{{WSDL_SOAP_NS}}}address")
    ]
    assert addresses == [url]

    sandbox_process.send_signal(signal.SIGINT)
    assert sandbox_process.wait(15) == 0
    rest = sandbox_process.stdout.read()
    assert "Sandbox stopped." in rest
    stderr = sandbox_process.stderr.read() if sandbox_process.stderr else ""
    assert "Traceback" not in stderr
    assert "GET ?wsdl account=- status=200" in stderr  # the request log line


def test_binding_beyond_this_computer_warns() -> None:
    process = start("--host", "0.0.0.0", "--port", "0")
    try:
        assert process.stdout is not None
        read_until(process.stdout, r"Ctrl\+C")
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)

    assert "Warning: listening on 0.0.0.0" in stderr


def test_port_already_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start("--port", str(port))
        stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr
    assert "Endpoint" not in stdout
