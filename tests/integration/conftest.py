"""Real servers on loopback for the client: the sandbox, and small misbehaving sockets."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from faxgui.api import MonopondClient
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.clock import ManualClock
from faxgui.sandbox.engine import SandboxEngine
from faxgui.sandbox.server import ENDPOINT_PATH, SandboxServer, SoapOutcome

# Fast enough that a one-page fax is done in well under a second.
FAST = 1000.0

Behaviour = Callable[[socket.socket, threading.Event], None]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A real sandbox server on a free loopback port, running its clock at high speed."""
    server = SandboxServer("127.0.0.1", 0, speed=FAST)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[MonopondClient]:
    """The real client, signed in to the sandbox's demo account."""
    with MonopondClient(sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as client:
        yield client


class CapturingSandbox(SandboxServer):
    """A real sandbox that also keeps every request body exactly as it arrived."""

    def __init__(self) -> None:
        super().__init__("127.0.0.1", 0, speed=FAST)
        self.received: list[bytes] = []

    def answer(self, data: bytes) -> SoapOutcome:
        self.received.append(data)
        return super().answer(data)


@pytest.fixture
def capturing_sandbox() -> Iterator[CapturingSandbox]:
    server = CapturingSandbox()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def paced_sandbox(clock: ManualClock) -> Iterator[SandboxServer]:
    """A sandbox whose time moves only when the test advances `clock` (speed 1)."""
    server = SandboxServer("127.0.0.1", 0, engine=SandboxEngine(speed=1.0, clock=clock))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def paced_client(paced_sandbox: SandboxServer) -> Iterator[MonopondClient]:
    with MonopondClient(paced_sandbox.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as client:
        yield client


# --------------------------------------------------------------------------- raw sockets


def read_request(connection: socket.socket) -> bytes:
    """Read one HTTP request (headers and Content-Length body) from a client."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RawServer:
    """A one-connection-at-a-time TCP server on 127.0.0.1 that does what `behaviour` says."""

    def __init__(self, behaviour: Behaviour, wrap: ssl.SSLContext | None = None) -> None:
        self._behaviour = behaviour
        self._wrap = wrap
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.stopping = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, name="raw-test-server", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._listener.getsockname()[1]
        return port

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{ENDPOINT_PATH}"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.settimeout(5.0)
            with contextlib.suppress(OSError), connection:
                if self._wrap is not None:
                    # The handshake fails when the client rejects our certificate.
                    with self._wrap.wrap_socket(connection, server_side=True) as secured:
                        self._behaviour(secured, self.stopping)
                else:
                    self._behaviour(connection, self.stopping)

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=10)
        self._listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    """Start RawServers for a test; every one is stopped when the test ends."""
    started: list[RawServer] = []

    def start(behaviour: Behaviour, wrap: ssl.SSLContext | None = None) -> RawServer:
        server = RawServer(behaviour, wrap)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def reply(
    status: str = "200 OK",
    content_type: str = "text/xml; charset=utf-8",
    body: bytes = b"",
    *,
    declared_length: int | None = None,
    headers: dict[str, str] | None = None,
    answer: bool = True,
    stall: bool = False,
    hang_up: bool = True,
) -> Behaviour:
    """A behaviour: read the request, then answer (or not) as told, then close.

    `declared_length` larger than the body makes the answer stop short; `answer=False`
    closes without a word; `stall` keeps the connection open, silent, until the server
    stops; `hang_up=False` does the same after sending the (perhaps partial) answer.
    """

    def behaviour(connection: socket.socket, stopping: threading.Event) -> None:
        read_request(connection)
        if stall:
            stopping.wait(30)
            return
        if not answer:
            return
        length = len(body) if declared_length is None else declared_length
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n{extra}Connection: close\r\n\r\n"
        )
        connection.sendall(head.encode() + body)
        if not hang_up:
            stopping.wait(30)

    return behaviour


@pytest.fixture
def reply_server(raw_server: Callable[..., RawServer]) -> Callable[..., RawServer]:
    """Start a RawServer that answers every request as `reply(**kwargs)` says."""

    def start(*, wrap: ssl.SSLContext | None = None, **kwargs: Any) -> RawServer:
        return raw_server(reply(**kwargs), wrap)

    return start


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --------------------------------------------------------------------------- TLS


def _self_signed_with_cryptography(cert: Path, key: Path) -> bool:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return False
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(private_key, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return True


def _self_signed_with_openssl(cert: Path, key: Path) -> bool:
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


@pytest.fixture
def self_signed_context(tmp_path: Path) -> ssl.SSLContext:
    """A server-side TLS context with a fresh self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    if not (_self_signed_with_cryptography(cert, key) or _self_signed_with_openssl(cert, key)):
        pytest.skip("neither the cryptography package nor openssl is available")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
