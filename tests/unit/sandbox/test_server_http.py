"""The sandbox server survives bad HTTP: every bad request gets an error and the next one works."""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from faxgui.api.wire import NS, SOAP_ENV_NS, WSSE_NS
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.server import SandboxServer

WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"


def envelope(body: str, *, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NS}" xmlns:ns0="{NS}">'
        f'<soapenv:Header><wsse:Security xmlns:wsse="{WSSE_NS}"><wsse:UsernameToken>'
        f"<wsse:Username>{username}</wsse:Username><wsse:Password>{password}</wsse:Password>"
        f"</wsse:UsernameToken></wsse:Security></soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def send_fax_body(message_ref: str) -> str:
    data = base64.b64encode(b"Hello from the front desk.\n").decode()
    return (
        f"<ns0:SendFaxRequest><FaxMessages><FaxMessage><MessageRef>{message_ref}</MessageRef>"
        f"<SendTo>0290000000</SendTo><Documents><Document><FileName>note.txt</FileName>"
        f"<FileData>{data}</FileData><Order>0</Order></Document></Documents>"
        f"</FaxMessage></FaxMessages></ns0:SendFaxRequest>"
    )


class Answer:
    """One HTTP answer, read in full."""

    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.content_type = response.getheader("Content-Type", "")
        self.connection = response.getheader("Connection", "")
        self.body = response.read()

    def fault(self) -> tuple[str, str]:
        root = etree.fromstring(self.body)
        fault = root.find(f"{{{SOAP_ENV_NS}}}Body/{{{SOAP_ENV_NS}}}Fault")
        assert fault is not None, self.body
        return fault.findtext("faultcode"), fault.findtext("faultstring")


def request(
    server: SandboxServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        return Answer(connection.getresponse())
    finally:
        connection.close()


def post(
    server: SandboxServer, body: bytes, content_type: str = "text/xml; charset=utf-8"
) -> Answer:
    return request(server, "POST", urlsplit(server.url).path, body, {"Content-Type": content_type})


def assert_still_serving(server: SandboxServer) -> None:
    """A normal SendFax goes through, proving the previous bad request did no harm."""
    ref = f"after-{time.monotonic_ns()}"
    answer = post(server, envelope(send_fax_body(ref)))
    assert answer.status == 200, answer.body
    root = etree.fromstring(answer.body)
    response = root.find(f"{{{SOAP_ENV_NS}}}Body/{{{NS}}}SendFaxResponse")
    assert response is not None
    assert response.find(f"FaxMessages/FaxMessage[@messageRef='{ref}']") is not None


def raw_exchange(server: SandboxServer, data: bytes, *, shut_write: bool = False) -> bytes:
    """Send raw bytes on a fresh connection and return everything the server answers."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(speed=1000.0) as running:
        yield running


@pytest.fixture
def small_server() -> Iterator[SandboxServer]:
    with SandboxServer(speed=1000.0, max_body_bytes=16 * 1024) as running:
        yield running


# --------------------------------------------------------------------------- WSDL and GET


@pytest.mark.parametrize("query", ["wsdl", "WSDL"])
def test_wsdl_is_served_with_this_servers_address(server: SandboxServer, query: str) -> None:
    path = urlsplit(server.url).path
    answer = request(server, "GET", f"{path}?{query}")

    assert answer.status == 200
    assert answer.content_type.startswith("text/xml")
    wsdl = etree.fromstring(answer.body)
    addresses = [a.get("location") for a in wsdl.iter(f"{{{WSDL_SOAP_NS}}}address")]
    assert addresses == [server.url]
    assert server.wsdl_url == f"{server.url}?wsdl"
    assert server.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "path", ["/", "/fax/soap/v2.1", "/fax/soap/v2.1?xsd=1", "/../../etc/passwd", "/%00%ff?x=%0d%0a"]
)
def test_get_of_anything_but_the_wsdl_is_a_plain_404(server: SandboxServer, path: str) -> None:
    answer = request(server, "GET", path)

    assert answer.status == 404
    assert answer.content_type.startswith("text/plain")
    assert server.wsdl_url.encode() in answer.body
    assert_still_serving(server)


def test_other_methods_are_refused_with_405(server: SandboxServer) -> None:
    answer = request(server, "PUT", urlsplit(server.url).path, b"x", {"Content-Type": "text/xml"})

    assert answer.status == 405
    assert_still_serving(server)


def test_junk_request_line_gets_400_and_the_server_carries_on(server: SandboxServer) -> None:
    answer = raw_exchange(server, b"\x16\x03\x01\x02\x00 hello there\r\n\r\n")

    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.")
    assert b" 400 " in status_line
    assert_still_serving(server)


# --------------------------------------------------------------------------- POST framing


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data"])
def test_wrong_content_type_is_415_with_a_soap_fault(
    server: SandboxServer, content_type: str
) -> None:
    answer = post(server, envelope(send_fax_body("never-sent")), content_type)

    assert answer.status == 415
    code, message = answer.fault()
    assert code == "soap:Client"
    assert content_type in message
    assert_still_serving(server)


def test_soap12_content_type_is_accepted(server: SandboxServer) -> None:
    answer = post(server, envelope(send_fax_body("soap12-ct")), "application/soap+xml")

    assert answer.status == 200


def test_missing_content_length_is_411(server: SandboxServer) -> None:
    head = (
        f"POST {urlsplit(server.url).path} HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: text/xml\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_exchange(server, head + envelope(send_fax_body("no-length")), shut_write=True)

    assert answer.split(b"\r\n", 1)[0].endswith(b"411 Length Required")
    assert b"Content-Length header is required" in answer
    assert_still_serving(server)


def test_chunked_body_is_411_asking_for_a_length(server: SandboxServer) -> None:
    body = envelope(send_fax_body("chunked"))
    head = (
        f"POST {urlsplit(server.url).path} HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    answer = raw_exchange(server, head + chunked, shut_write=True)

    assert answer.split(b"\r\n", 1)[0].endswith(b"411 Length Required")
    assert b"send a Content-Length" in answer
    assert_still_serving(server)


def test_nonsense_content_length_is_400(server: SandboxServer) -> None:
    head = (
        f"POST {urlsplit(server.url).path} HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: text/xml\r\nContent-Length: -5\r\n\r\n"
    ).encode()
    answer = raw_exchange(server, head, shut_write=True)

    assert b" 400 " in answer.split(b"\r\n", 1)[0]
    assert_still_serving(server)


def test_declared_huge_body_is_413_without_reading_it(small_server: SandboxServer) -> None:
    parts = urlsplit(small_server.url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {10 * 1024 * 1024 * 1024}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + b"<" * 4096)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk

    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line.endswith(b"413 Request Entity Too Large")
    assert b"Connection: close" in rest
    assert b"at most 16384 bytes" in rest
    assert_still_serving(small_server)


def test_body_just_over_the_limit_is_refused_and_at_the_limit_is_read(
    small_server: SandboxServer,
) -> None:
    filler = " " * (16 * 1024)
    too_big = post(small_server, envelope(send_fax_body("big")) + filler.encode())
    assert too_big.status == 413

    just_right = envelope(send_fax_body("fits"))
    just_right += b" " * (16 * 1024 - len(just_right))
    answer = post(small_server, just_right)
    assert answer.status == 200, answer.body


def test_expect_100_continue_with_a_huge_body_is_refused_up_front(
    small_server: SandboxServer,
) -> None:
    head = (
        f"POST {urlsplit(small_server.url).path} HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: text/xml\r\nContent-Length: 999999999\r\nExpect: 100-continue\r\n\r\n"
    ).encode()
    answer = raw_exchange(small_server, head)

    assert answer.split(b"\r\n", 1)[0].endswith(b"413 Request Entity Too Large")
    assert b"100 Continue" not in answer
    assert_still_serving(small_server)


def test_text_larger_than_libxml2s_default_limit_is_parsed(server: SandboxServer) -> None:
    # libxml2 refuses text nodes over 10 MB unless told otherwise; FileData can be bigger.
    huge_ref = "R" * (11 * 1024 * 1024)
    answer = post(
        server,
        envelope(
            f"<ns0:FaxStatusRequest><MessageRef>{huge_ref}</MessageRef></ns0:FaxStatusRequest>"
        ),
    )

    assert answer.status == 500
    root = etree.fromstring(answer.body, etree.XMLParser(huge_tree=True))
    assert root.find(f".//{{{NS}}}NoMessagesFoundException") is not None


def test_client_dropping_the_connection_mid_body_harms_nobody(server: SandboxServer) -> None:
    parts = urlsplit(server.url)
    body = envelope(send_fax_body("dropped"))
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    for _ in range(5):
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(head + body[: len(body) // 2])

    assert_still_serving(server)
    status = post(
        server,
        envelope("<ns0:FaxStatusRequest><MessageRef>dropped</MessageRef></ns0:FaxStatusRequest>"),
    )
    assert status.status == 500
    assert status.fault()[0] == "soap:Server"  # NoMessagesFound: the half-sent fax never landed


def test_post_to_another_path_is_404(server: SandboxServer) -> None:
    answer = request(
        server, "POST", "/fax/soap/v2", envelope(send_fax_body("x")), {"Content-Type": "text/xml"}
    )

    assert answer.status == 404
    assert_still_serving(server)


def test_keep_alive_connection_serves_several_requests(server: SandboxServer) -> None:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        for i in range(3):
            body = envelope(send_fax_body(f"keepalive-{i}"))
            connection.request("POST", parts.path, body, {"Content-Type": "text/xml"})
            assert Answer(connection.getresponse()).status == 200
    finally:
        connection.close()


# --------------------------------------------------------------------------- bad SOAP


@pytest.mark.parametrize(
    ("body", "expected_code", "words"),
    [
        (b"<soapenv:Envelope", "soap:Client", "not well-formed XML"),
        (b"\xff\xfe\x00garbage", "soap:Client", "not well-formed XML"),
        (b"   ", "soap:Client", "empty"),
        (b"<hello>world</hello>", "soap:Client", "not a SOAP envelope"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
            "soap:VersionMismatch",
            "SOAP 1.1",
        ),
        (
            f'<e:Envelope xmlns:e="{SOAP_ENV_NS}"><e:Header/></e:Envelope>'.encode(),
            "soap:Client",
            "exactly one Body",
        ),
        (
            f'<e:Envelope xmlns:e="{SOAP_ENV_NS}"><e:Body/></e:Envelope>'.encode(),
            "soap:Client",
            "expected exactly one request element",
        ),
    ],
)
def test_malformed_requests_get_a_client_fault(
    server: SandboxServer, body: bytes, expected_code: str, words: str
) -> None:
    answer = post(server, body)

    assert answer.status == 500
    code, message = answer.fault()
    assert code == expected_code
    assert words in message
    assert_still_serving(server)


def test_entity_expansion_bomb_is_refused(server: SandboxServer) -> None:
    entities = "".join(
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' if i else '<!ENTITY e0 "boom">' for i in range(10)
    )
    body = f"<!DOCTYPE Envelope [{entities}]>".encode() + envelope(
        "<ns0:FaxStatusRequest><MessageRef>&e9;</MessageRef></ns0:FaxStatusRequest>"
    )
    started = time.monotonic()
    answer = post(server, body)

    assert time.monotonic() - started < 5
    assert answer.status == 500
    code, message = answer.fault()
    assert code == "soap:Client"
    assert "document type declaration" in message
    assert_still_serving(server)


def test_external_entity_is_never_fetched(server: SandboxServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = f'<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'.encode() + envelope(
        "<ns0:FaxStatusRequest><MessageRef>&s;</MessageRef></ns0:FaxStatusRequest>"
    )
    answer = post(server, body)

    assert answer.status == 500
    assert b"TOP-SECRET" not in answer.body
    assert answer.fault()[0] == "soap:Client"


@pytest.mark.parametrize(
    "element",
    [
        "<ns0:LaunchRocketRequest/>",
        '<x:SendFaxRequest xmlns:x="urn:someone-else"/>',
        "<SendFaxRequest/>",
    ],
)
def test_unknown_operation_is_a_client_fault_naming_it(server: SandboxServer, element: str) -> None:
    answer = post(server, envelope(element))

    assert answer.status == 500
    code, message = answer.fault()
    assert code == "soap:Client"
    assert "Unknown operation" in message
    assert "FaxStatusRequest" in message  # it lists what the service does accept
    assert_still_serving(server)


def test_must_understand_header_we_do_not_know_is_refused(server: SandboxServer) -> None:
    body = envelope(send_fax_body("mu")).replace(
        b"</soapenv:Header>",
        b'<t:Trace xmlns:t="urn:trace" soapenv:mustUnderstand="1">x</t:Trace></soapenv:Header>',
    )
    answer = post(server, body)

    assert answer.status == 500
    code, message = answer.fault()
    assert code == "soap:MustUnderstand"
    assert "{urn:trace}Trace" in message


# --------------------------------------------------------------------------- threads and life


def test_concurrent_requests_from_several_threads_all_succeed(server: SandboxServer) -> None:
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(5):
                ref = f"t{n}-m{i}"
                results[ref] = post(server, envelope(send_fax_body(ref))).status
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert len(results) == 40
    assert set(results.values()) == {200}


def test_stop_is_idempotent_frees_the_port_and_closes_idle_connections() -> None:
    server = SandboxServer(speed=1000.0)
    server.start()
    parts = urlsplit(server.url)
    idle = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        idle.request("GET", f"{parts.path}?wsdl")
        assert Answer(idle.getresponse()).status == 200
        assert idle.sock is not None  # kept alive, and now idle

        started = time.monotonic()
        server.stop()
        server.stop()

        assert time.monotonic() - started < 5
        assert idle.sock.recv(1) == b""  # closed by the server, not left hanging
    finally:
        idle.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    with pytest.raises(RuntimeError):
        server.start()


def test_url_is_only_known_once_started() -> None:
    server = SandboxServer()
    with pytest.raises(RuntimeError):
        _ = server.url
    server.stop()  # stopping a server that never started is harmless
