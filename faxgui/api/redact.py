"""Masking SOAP envelopes for the debug log: no password, no megabytes of base64.

Works on the raw text rather than a parsed tree so that it also copes with
what a logger must show most of all: answers that are not well-formed XML
(a proxy's HTML page, a body cut off mid-way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

PASSWORD_MASK = "********"

# Any element whose local name is Password (wsse:Password in practice). A body cut off
# inside the password still hides the rest of it, hence the end-of-text alternative.
_PASSWORD = re.compile(
    r"(?P<open><(?:[\w.-]+:)?Password\b[^>]*(?<!/)>)(?P<text>.*?)"
    r"(?P<close></(?:[\w.-]+:)?Password\s*>|\Z)",
    re.DOTALL,
)

# Elements carrying file contents: FileData (documents and image stamps) and TiffPreview.
_BASE64 = re.compile(
    r"(?P<open><(?:[\w.-]+:)?(?:FileData|TiffPreview)\b[^>]*(?<!/)>)(?P<text>[^<]*)"
)

_WHITESPACE = re.compile(r"\s+")
_QUOTES = {'"': "&quot;", "'": "&apos;"}


def decoded_size(text: str) -> int:
    """How many bytes a base64 text decodes to (whitespace ignored, padding counted)."""
    compact = _WHITESPACE.sub("", text)
    padding = len(compact) - len(compact.rstrip("="))
    return max(len(compact) * 3 // 4 - padding, 0)


def _mask_base64(match: re.Match[str]) -> str:
    return f"{match['open']}[base64: {decoded_size(match['text'])} bytes]"


def _mask_password(match: re.Match[str]) -> str:
    return f"{match['open']}{PASSWORD_MASK}{match['close']}"


def redact_envelope(xml: bytes | str, *, secrets: Iterable[str] = ()) -> str:
    """The envelope as text, fit for a log line.

    Every Password element's text becomes ``********``; every FileData and
    TiffPreview text becomes ``[base64: N bytes]`` (N = decoded size). Each of
    `secrets` (the account password, say) is also masked wherever else it
    appears, in case a server echoes it back.
    """
    text = xml.decode("utf-8", errors="replace") if isinstance(xml, bytes) else xml
    text = _BASE64.sub(_mask_base64, text)
    text = _PASSWORD.sub(_mask_password, text)
    for secret in secrets:
        if secret:
            # As written in the XML (p&amp;ss) and as it reads once decoded (p&ss).
            for form in (escape(secret, _QUOTES), secret):
                text = text.replace(form, PASSWORD_MASK)
    return text
