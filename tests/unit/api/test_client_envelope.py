"""The request envelopes the client builds: credentials header, qualified body, file data."""

from __future__ import annotations

import base64
import os
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from faxgui.api import wire
from faxgui.api.client import SoapCodec
from faxgui.api.enums import DitheringTechnique, Resolution, Verbosity
from faxgui.api.errors import MonopondError
from faxgui.api.models import (
    DocMergeData,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxMessage,
    FaxStatusRequest,
    ImageStampMergeData,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    TextStampMergeData,
)

SOAP = wire.SOAP_ENV_NS
WSSE = wire.WSSE_NS
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)


@pytest.fixture(scope="module")
def codec() -> SoapCodec:
    return SoapCodec("https://api.monopond.com/fax/soap/v2.1")


def _parse(xml: bytes) -> Any:
    return etree.fromstring(xml, etree.XMLParser(huge_tree=True))


def test_credentials_travel_in_a_ws_security_username_token(codec: SoapCodec) -> None:
    operation, xml = codec.encode(FaxStatusRequest(send_ref="s-1"), "demo", "pa<ss>&word")
    assert operation == "FaxStatus"
    root = _parse(xml)
    security = root.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security")
    assert security is not None
    assert security.get(f"{{{SOAP}}}mustUnderstand") == "1"
    token = security.find(f"{{{WSSE}}}UsernameToken")
    assert token.findtext(f"{{{WSSE}}}Username") == "demo"
    password = token.find(f"{{{WSSE}}}Password")
    assert password.text == "pa<ss>&word"
    assert password.get("Type") == PASSWORD_TEXT


def test_only_the_body_root_is_namespace_qualified(codec: SoapCodec) -> None:
    request = FaxStatusRequest(
        message_ref="m-1", send_ref="s-1", broadcast_ref="b-1", verbosity=Verbosity.RESULTS
    )
    _, xml = codec.encode(request, "demo", "Secr3t-PW")
    body = _parse(xml).find(f"{{{SOAP}}}Body")
    (element,) = list(body)
    assert element.tag == f"{{{wire.NS}}}FaxStatusRequest"
    assert [child.tag for child in element] == [
        "MessageRef",
        "SendRef",
        "BroadcastRef",
        "Verbosity",
    ]
    assert [child.text for child in element] == ["m-1", "s-1", "b-1", "results"]


def test_every_file_is_base64_encoded_once_where_it_belongs(codec: SoapCodec) -> None:
    shared = os.urandom(200_001)
    own = b"%PDF-1.7 own document"
    stamp = b"\x89PNG signature"
    request = SendFaxRequest(
        fax_messages=[
            FaxMessage(
                message_ref="m-1",
                send_to="61280039890",
                documents=[FaxDocument(file_name="own.pdf", file_data=own, order=1)],
            ),
            FaxMessage(message_ref="m-2", send_to="61280039891"),
        ],
        documents=[
            FaxDocument(
                file_name="letter.pdf",
                file_data=shared,
                stamp_merge_data=[
                    ImageStampMergeData(x=10, y=20, file_name="sig.png", file_data=stamp)
                ],
            )
        ],
    )
    _, xml = codec.encode(request, "demo", "Secr3t-PW")
    assert b"faxgui-payload" not in xml
    body = _parse(xml).find(f"{{{SOAP}}}Body")[0]
    root_doc = body.find("Documents/Document")
    assert base64.b64decode(root_doc.findtext("FileData")) == shared
    image = root_doc.find("StampMergeData/MergeField/ImageValue")
    assert base64.b64decode(image.findtext("FileData")) == stamp
    own_doc = body.find("FaxMessages/FaxMessage/Documents/Document")
    assert base64.b64decode(own_doc.findtext("FileData")) == own
    assert own_doc.findtext("Order") == "1"


def test_saved_document_upload_carries_its_file(codec: SoapCodec) -> None:
    data = "Grüße aus dem Empfang\n".encode() * 100
    _, xml = codec.encode(
        SaveFaxDocumentRequest(document_ref="letterhead", file_name="head.txt", file_data=data),
        "demo",
        "pw",
    )
    element = _parse(xml).find(f"{{{SOAP}}}Body")[0]
    assert element.findtext("DocumentRef") == "letterhead"
    assert base64.b64decode(element.findtext("FileData")) == data


def test_text_that_merely_looks_like_a_placeholder_is_sent_as_typed(codec: SoapCodec) -> None:
    typed = "faxgui-payload-" + "0" * 32
    request = FaxDocumentPreviewRequest(
        document_ref="doc-1",
        resolution=Resolution.FINE,
        dithering_technique=DitheringTechnique.DARKEN,
        doc_merge_data=[DocMergeData(key="name", value=typed)],
        stamp_merge_data=[TextStampMergeData(x=1, y=2, text="Zoë: 5 €", font_size=Decimal("12.5"))],
    )
    _, xml = codec.encode(request, "demo", "Secr3t-PW")
    element = _parse(xml).find(f"{{{SOAP}}}Body")[0]
    assert element.findtext("DocMergeData/MergeField/Value") == typed
    assert element.findtext("StampMergeData/MergeField/TextValue") == "Zoë: 5 €"


def test_a_request_missing_a_required_field_is_refused_before_sending(codec: SoapCodec) -> None:
    request = FaxDocumentPreviewRequest(document_ref=None)  # type: ignore[arg-type]
    with pytest.raises(MonopondError) as caught:
        codec.encode(request, "demo", "Secr3t-PW")
    assert "missing" in caught.value.user_message
    assert "DocumentRef" in caught.value.detail
    assert "Secr3t-PW" not in str(caught.value)
