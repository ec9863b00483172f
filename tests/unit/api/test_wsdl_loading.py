"""The bundled WSDL loads offline from the installed package, and its schema checks requests."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import zeep
from lxml import etree

from faxgui.api import wsdl

API_NS = "https://api.monopond.com/fax/soap/v2.1"
OPERATIONS = {
    "SendFax",
    "FaxStatus",
    "PauseFax",
    "ResumeFax",
    "StopFax",
    "SaveFaxDocument",
    "DeleteFaxDocument",
    "FaxDocumentPreview",
}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a connection fails the load and is recorded."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError(f"network access during an offline test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def body(tag: str, **children: str) -> Any:
    element = etree.Element(f"{{{API_NS}}}{tag}", nsmap={"ns0": API_NS})
    for name, text in children.items():
        etree.SubElement(element, name).text = text
    return element


def test_zeep_loads_the_packaged_wsdl_offline_with_all_eight_operations(
    no_network: list[object],
) -> None:
    path = wsdl.wsdl_path()
    assert path.is_file()
    assert path.read_bytes() == wsdl.wsdl_bytes()

    client = zeep.Client(str(path))

    port = client.wsdl.services["ApiService"].ports["ApiPort"]
    assert set(port.binding.all()) == OPERATIONS
    assert port.binding_options["address"].startswith("https://")
    assert no_network == []


def test_schema_is_built_offline(no_network: list[object]) -> None:
    wsdl.schema.cache_clear()
    assert wsdl.validate_body(body("FaxStatusRequest", MessageRef="reception-0001")) == []
    assert no_network == []


def test_schema_accepts_a_minimal_fax_status_request() -> None:
    assert wsdl.validate_body(body("FaxStatusRequest", MessageRef="reception-0001")) == []
    assert wsdl.validate_body(body("FaxStatusRequest", SendRef="s-1", Verbosity="all")) == []


def test_schema_rejects_an_unknown_verbosity_naming_the_field() -> None:
    errors = wsdl.validate_body(body("FaxStatusRequest", MessageRef="m-1", Verbosity="loud"))

    assert len(errors) == 1
    assert errors[0].startswith("FaxStatusRequest/Verbosity: ")
    assert "'loud'" in errors[0]


def test_errors_point_at_the_fax_message_at_fault_inside_an_envelope() -> None:
    envelope = etree.fromstring(
        f"""<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
          <soap:Body><ns0:SendFaxRequest xmlns:ns0="{API_NS}"><FaxMessages>
            <FaxMessage><MessageRef>m-1</MessageRef><SendTo>0290000001</SendTo></FaxMessage>
            <FaxMessage><MessageRef>m-2</MessageRef><SendTo>0290000002</SendTo></FaxMessage>
            <FaxMessage><SendTo>0290000003</SendTo></FaxMessage>
          </FaxMessages></ns0:SendFaxRequest></soap:Body>
        </soap:Envelope>"""
    )
    request = envelope[0][0]

    errors = wsdl.validate_body(request)

    assert len(errors) == 1
    assert errors[0].startswith("SendFaxRequest/FaxMessages/FaxMessage[3]/SendTo: ")
    assert "MessageRef" in errors[0]
    assert request.getparent() is envelope[0], "validation must not move the body element"


def test_a_namespace_qualified_child_is_named_and_explained() -> None:
    request = etree.fromstring(
        f'<FaxStatusRequest xmlns="{API_NS}"><MessageRef>m-1</MessageRef></FaxStatusRequest>'
    )

    (error,) = wsdl.validate_body(request)

    assert error.startswith("FaxStatusRequest/MessageRef: ")
    assert f"namespace-qualified: {{{API_NS}}}MessageRef" in error
