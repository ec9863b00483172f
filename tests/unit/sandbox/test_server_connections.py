"""The sandbox's connections: drops injected before or after the work, prompt kept-alive calls."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from faxgui.api import MonopondClient
from faxgui.api.errors import ConnectionFailedError, NoMessagesFoundFault
from faxgui.api.models import FaxDocument, FaxMessage, FaxStatusRequest, SendFaxRequest
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.server import DropPoint, SandboxServer


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    instance = SandboxServer("127.0.0.1", 0, speed=1000.0)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def client(server: SandboxServer) -> Iterator[MonopondClient]:
    with MonopondClient(server.url, DEMO_USERNAME, DEMO_PASSWORD, timeout=10.0) as instance:
        yield instance


def _fax(ref: str) -> SendFaxRequest:
    return SendFaxRequest(
        [FaxMessage(f"{ref}-M1", "61280039890")],
        send_ref=ref,
        documents=[FaxDocument("note.txt", b"Hello from the front desk.\n")],
    )


def _known(client: MonopondClient, ref: str) -> bool:
    try:
        client.fax_status(FaxStatusRequest(send_ref=ref))
    except NoMessagesFoundFault:
        return False
    return True


def test_a_drop_after_accept_loses_the_answer_but_the_fax_was_taken(
    server: SandboxServer, client: MonopondClient
) -> None:
    server.drop_connection = lambda operation, count: DropPoint.AFTER_ACCEPT
    with pytest.raises(ConnectionFailedError):
        client.send_fax(_fax("S1"))
    server.drop_connection = None
    assert _known(client, "S1")


def test_a_drop_before_accept_means_the_request_never_arrived(
    server: SandboxServer, client: MonopondClient
) -> None:
    server.drop_connection = lambda operation, count: DropPoint.BEFORE_ACCEPT
    with pytest.raises(ConnectionFailedError):
        client.send_fax(_fax("S1"))
    server.drop_connection = None
    assert not _known(client, "S1")


def test_the_rule_sees_each_operation_counted_on_its_own(
    server: SandboxServer, client: MonopondClient
) -> None:
    seen: list[tuple[str, int]] = []

    def rule(operation: str, count: int) -> DropPoint | None:
        seen.append((operation, count))
        return DropPoint.AFTER_ACCEPT if (operation, count) == ("SendFax", 2) else None

    server.drop_connection = rule
    client.send_fax(_fax("S1"))
    assert _known(client, "S1")
    with pytest.raises(ConnectionFailedError):
        client.send_fax(_fax("S2"))
    client.send_fax(_fax("S3"))
    assert seen == [("SendFax", 1), ("FaxStatus", 1), ("SendFax", 2), ("SendFax", 3)]


def test_without_a_rule_nothing_is_dropped(server: SandboxServer, client: MonopondClient) -> None:
    for n in range(5):
        client.send_fax(_fax(f"S{n}"))
    assert all(_known(client, f"S{n}") for n in range(5))


def test_calls_on_a_kept_alive_connection_are_not_held_back(
    server: SandboxServer, client: MonopondClient
) -> None:
    client.send_fax(_fax("S1"))
    started = time.perf_counter()
    for _ in range(20):
        client.fax_status(FaxStatusRequest(send_ref="S1"))
    # Nagle's algorithm against the client's delayed ACK would cost 40 ms a call: 0.8 s.
    assert time.perf_counter() - started < 0.6
