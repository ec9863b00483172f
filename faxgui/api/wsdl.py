"""The bundled Monopond Fax API v2.1 WSDL: its file, its bytes and the XML Schema inside it."""

from __future__ import annotations

import atexit
import copy
import functools
import re
import threading
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

WSDL_RESOURCE = "monopond-faxapi-v2.1.wsdl"

_RESOURCE_PACKAGE = "faxgui.resources"
_WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
_XSD_NS = "http://www.w3.org/2001/XMLSchema"

# Extracted copies (only made when the package is not on a plain filesystem, e.g. a
# zip) must outlive every caller, so they are released at interpreter exit.
_extracted = ExitStack()
atexit.register(_extracted.close)

# An XMLSchema keeps one error log per object: concurrent validations (the sandbox
# serves several requests at once) would read each other's errors.
_validate_lock = threading.Lock()

_ELEMENT_PREFIX = re.compile(r"^Element '(?P<name>[^']*)'(?:, |: )")


def _parser() -> Any:
    # The WSDL is trusted package data, but nothing in it needs entities or the network.
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@functools.cache
def wsdl_path() -> Path:
    """A real filesystem path to the bundled WSDL, valid until the interpreter exits."""
    resource = resources.files(_RESOURCE_PACKAGE) / WSDL_RESOURCE
    return _extracted.enter_context(resources.as_file(resource))


def wsdl_bytes() -> bytes:
    """The bundled WSDL document, as stored."""
    return (resources.files(_RESOURCE_PACKAGE) / WSDL_RESOURCE).read_bytes()


@functools.cache
def schema() -> Any:
    """The `lxml.etree.XMLSchema` embedded in the bundled WSDL (built once, offline)."""
    document = etree.fromstring(wsdl_bytes(), _parser())
    embedded = document.find(f"{{{_WSDL_NS}}}types/{{{_XSD_NS}}}schema")
    if embedded is None:
        raise LookupError(f"{WSDL_RESOURCE} has no wsdl:types/xs:schema")
    # A standalone schema root needs every namespace declared above it in the WSDL,
    # since type="tns:..." attribute values are resolved through them.
    root = etree.Element(embedded.tag, attrib=dict(embedded.attrib), nsmap=embedded.nsmap)
    root.extend(copy.deepcopy(child) for child in embedded)
    return etree.XMLSchema(etree.ElementTree(root))


def validate_body(element: Any) -> list[str]:
    """Check one SOAP body element (e.g. a SendFaxRequest) against the schema.

    Returns readable messages, each starting with the offending element's path such as
    ``SendFaxRequest/FaxMessages/FaxMessage[3]/SendTo: ...``; empty when valid.
    """
    # Only a document root is validated as a global element: a body element still inside
    # its envelope is validated as a detached copy.
    root = element if element.getparent() is None else copy.deepcopy(element)
    document = etree.ElementTree(root)
    xml_schema = schema()
    with _validate_lock:
        if xml_schema.validate(document):
            return []
        entries = list(xml_schema.error_log)
    return [_describe(document, entry) for entry in entries]


def _describe(document: Any, entry: Any) -> str:
    message = str(entry.message).strip()
    prefix = _ELEMENT_PREFIX.match(message)
    if prefix:
        # The path names the element; only a qualified name adds anything, and it is the
        # usual mistake (children of the body element must be unqualified).
        message = message[prefix.end() :]
        if prefix["name"].startswith("{"):
            message = f"{message} (the element is namespace-qualified: {prefix['name']})"
    where = _readable_path(document, entry.path) if entry.path else None
    if where is None and entry.line:
        where = f"line {entry.line}"
    return f"{where}: {message}" if where else message


def _readable_path(document: Any, xpath: str) -> str | None:
    """Local names from the root down, indexed among same-named siblings: A/B[3]/C.

    libxml2 writes an element in a default namespace as ``*``, which would hide the
    element's name, so the path is resolved back to the node and spelled out again.
    """
    prefixes = {
        prefix: uri
        for node in document.iter(etree.Element)
        for prefix, uri in node.nsmap.items()
        if prefix
    }
    try:
        found = document.xpath(xpath, namespaces=prefixes)
    except etree.XPathError:
        return None
    if not isinstance(found, list) or len(found) != 1:
        return None
    steps: list[str] = []
    node = found[0]
    while node is not None:
        name = etree.QName(node).localname
        parent = node.getparent()
        twins = [] if parent is None else [s for s in parent if s.tag == node.tag]
        steps.append(f"{name}[{twins.index(node) + 1}]" if len(twins) > 1 else name)
        node = parent
    return "/".join(reversed(steps))
