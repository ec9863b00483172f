"""The debug log's view of an envelope: password masked, base64 payloads reduced to their size."""

from __future__ import annotations

import base64

import pytest

from faxgui.api.redact import PASSWORD_MASK, decoded_size, redact_envelope

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def _request(password: str, file_data: bytes, stamp_data: bytes) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<soap-env:Header><wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
        f"<wsse:Username>demo</wsse:Username>"
        f'<wsse:Password Type="...#PasswordText">{password}</wsse:Password>'
        f"</wsse:UsernameToken></wsse:Security></soap-env:Header>"
        f'<soap-env:Body><ns0:SendFaxRequest xmlns:ns0="https://api.monopond.com/fax/soap/v2.1">'
        f"<Documents><Document><FileName>letter.pdf</FileName>"
        f"<FileData>{base64.b64encode(file_data).decode()}</FileData><Order>0</Order>"
        f"<StampMergeData><MergeField><Key xCoord='1' yCoord='2'/>"
        f"<ImageValue><FileName>sig.png</FileName>"
        f"<FileData>{base64.b64encode(stamp_data).decode()}</FileData></ImageValue>"
        f"</MergeField></StampMergeData></Document></Documents>"
        f"</ns0:SendFaxRequest></soap-env:Body></soap-env:Envelope>"
    ).encode()


def test_password_is_masked_and_username_kept() -> None:
    text = redact_envelope(_request("s3cret-Pa55", b"%PDF-1.7", b"\x89PNG"))
    assert "s3cret-Pa55" not in text
    assert f">{PASSWORD_MASK}</wsse:Password>" in text
    assert "<wsse:Username>demo</wsse:Username>" in text


def test_every_file_payload_becomes_its_decoded_size() -> None:
    document = bytes(range(256)) * 40  # 10,240 bytes
    stamp = b"\x89PNG\r\n" + b"\0" * 95  # 101 bytes: base64 with one padding character
    text = redact_envelope(_request("pw", document, stamp))
    assert "<FileData>[base64: 10240 bytes]</FileData>" in text
    assert "<FileData>[base64: 101 bytes]</FileData>" in text
    assert base64.b64encode(document).decode()[:40] not in text
    # Everything else is the envelope as sent.
    assert "<FileName>letter.pdf</FileName>" in text
    assert "<FileName>sig.png</FileName>" in text


def test_preview_answer_tiff_becomes_its_size() -> None:
    tiff = b"II*\0" + b"\xff" * 1996
    answer = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<ns2:FaxDocumentPreviewResponse xmlns:ns2="https://api.monopond.com/fax/soap/v2.1">'
        f"<TiffPreview>{base64.b64encode(tiff).decode()}</TiffPreview>"
        "<NumberOfPages>1</NumberOfPages></ns2:FaxDocumentPreviewResponse>"
        "</soap:Body></soap:Envelope>"
    ).encode()
    text = redact_envelope(answer)
    assert "<TiffPreview>[base64: 2000 bytes]</TiffPreview>" in text
    assert "<NumberOfPages>1</NumberOfPages>" in text


def test_password_with_xml_special_characters_is_masked_in_both_spellings() -> None:
    password = 'a<b&"c'
    escaped = "a&lt;b&amp;&quot;c"
    body = f"<Fault><faultstring>echo {escaped} and {password}</faultstring></Fault>".encode()
    text = redact_envelope(body, secrets=[password])
    assert escaped not in text
    assert password not in text
    assert text.count(PASSWORD_MASK) == 2


def test_truncated_envelope_still_hides_the_password() -> None:
    cut = _request("cut-off-secret", b"x", b"y")
    cut = cut[: cut.index(b"cut-off-secret") + 6]  # ends inside the password
    text = redact_envelope(cut)
    assert "cut-of" not in text
    assert text.endswith(PASSWORD_MASK)


def test_html_from_a_proxy_passes_through_readably() -> None:
    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    assert redact_envelope(html) == html.decode()


def test_empty_and_self_closing_payload_elements() -> None:
    text = redact_envelope(b"<Document><FileData/><TiffPreview></TiffPreview></Document>")
    assert text == "<Document><FileData/><TiffPreview>[base64: 0 bytes]</TiffPreview></Document>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b"", 0), (b"a", 1), (b"ab", 2), (b"abc", 3), (bytes(1000), 1000)],
)
def test_decoded_size_matches_real_decoding(raw: bytes, expected: int) -> None:
    encoded = base64.encodebytes(raw).decode()  # with line breaks, as some servers send
    assert decoded_size(encoded) == expected == len(base64.b64decode(encoded))
