"""Our bundled WSDL is structurally the vendor's Monopond Fax API v2.1 contract."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from faxgui.api.wsdl import wsdl_bytes

REPO_ROOT = Path(__file__).parents[3]
VENDOR_WSDL = REPO_ROOT.parent / "shared" / "reference" / "monopond-faxapi-v2.1.wsdl"

if not VENDOR_WSDL.is_file():
    pytest.skip(
        f"the vendor's WSDL is not at {VENDOR_WSDL} (../shared/reference is absent), "
        "so there is nothing to compare against",
        allow_module_level=True,
    )

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
API_NS = "https://api.monopond.com/fax/soap/v2.1"
READABLE_PREFIX = {WSDL_NS: "wsdl", SOAP_NS: "soap", XS_NS: "xs", API_NS: "tns"}

# Attributes whose values are QNames: compared as {namespace}local, whatever the prefix.
QNAME_ATTRIBUTES = {"type", "base", "ref", "element", "message", "binding", "substitutionGroup"}
# Spelling out a default is not a difference.
DEFAULT_VALUES = {
    "minOccurs": "1",
    "maxOccurs": "1",
    "nillable": "false",
    "abstract": "false",
    "mixed": "false",
}
# Children whose order is part of the contract; everywhere else they are matched by name.
ORDERED_PARENTS = {"xs:sequence", "xs:choice", "xs:restriction"}
IGNORED_ELEMENTS = {f"{{{XS_NS}}}annotation", f"{{{WSDL_NS}}}documentation"}
# The one deliberate difference: the service address (ours is https, asserted below).
IGNORED_ATTRIBUTES = {(f"{{{SOAP_NS}}}address", "location")}


def readable(name: str) -> str:
    qname = etree.QName(name)
    prefix = READABLE_PREFIX.get(qname.namespace or "")
    if prefix:
        return f"{prefix}:{qname.localname}"
    return name


@dataclass(frozen=True)
class Node:
    """One WSDL element reduced to what the contract means."""

    tag: str
    attrs: dict[str, str]
    children: tuple[Node, ...]

    @property
    def label(self) -> str:
        if "name" in self.attrs:
            return f"{self.tag}[{self.attrs['name']}]"
        if "value" in self.attrs:
            return f"{self.tag}[{self.attrs['value']!r}]"
        return self.tag


def resolve_qname(value: str, nsmap: dict[str | None, str]) -> str:
    prefix, _, local = value.rpartition(":")
    namespace = nsmap.get(prefix or None, "")
    return readable(f"{{{namespace}}}{local}" if namespace else local)


def normalise(element: Any) -> Node:
    attrs: dict[str, str] = {}
    for name, value in element.attrib.items():
        key = readable(name)
        if (element.tag, key) in IGNORED_ATTRIBUTES or DEFAULT_VALUES.get(key) == value:
            continue
        if key in QNAME_ATTRIBUTES:
            attrs[key] = resolve_qname(value, element.nsmap)
        else:
            attrs[key] = " ".join(value.split())
    if element.text and element.text.strip():
        attrs["#text"] = element.text.strip()
    children = tuple(
        normalise(child)
        for child in element
        if isinstance(child.tag, str) and child.tag not in IGNORED_ELEMENTS
    )
    return Node(readable(element.tag), attrs, children)


def keyed(children: tuple[Node, ...]) -> dict[str, Node]:
    """Children by label; a repeated label gets #2, #3... so nothing is silently merged."""
    seen: Counter[str] = Counter()
    result = {}
    for child in children:
        seen[child.label] += 1
        count = seen[child.label]
        result[child.label if count == 1 else f"{child.label}#{count}"] = child
    return result


def shown(value: str | None) -> str:
    return "absent" if value is None else repr(value)


def compare(vendor: Node, ours: Node, path: str = "") -> list[str]:
    """Every structural difference between two normalised trees, one readable line each."""
    where = path or ours.tag
    diffs = []
    for attr in sorted(vendor.attrs.keys() | ours.attrs.keys()):
        theirs, mine = vendor.attrs.get(attr), ours.attrs.get(attr)
        if theirs != mine:
            diffs.append(
                f"{where}: @{attr} is {shown(mine)} in ours, {shown(theirs)} in the vendor's"
            )
    theirs_by_label, mine_by_label = keyed(vendor.children), keyed(ours.children)
    missing = [label for label in theirs_by_label if label not in mine_by_label]
    extra = [label for label in mine_by_label if label not in theirs_by_label]
    diffs.extend(f"{where}: missing {label}" for label in missing)
    diffs.extend(f"{where}: unexpected {label}" for label in extra)
    if ours.tag in ORDERED_PARENTS:
        their_order = [label for label in theirs_by_label if label in mine_by_label]
        my_order = [label for label in mine_by_label if label in theirs_by_label]
        # Positions count the children both sides have, so one missing child is one difference.
        moved = [
            f"#{index} is {mine} in ours, {theirs} in the vendor's"
            for index, (theirs, mine) in enumerate(zip(their_order, my_order, strict=True), 1)
            if theirs != mine
        ]
        if moved:
            diffs.append(f"{where}: order differs: {'; '.join(moved)}")
    for label, theirs_child in theirs_by_label.items():
        if label in mine_by_label:
            child_path = f"{path}/{label}" if path else label
            diffs.extend(compare(theirs_child, mine_by_label[label], child_path))
    return diffs


def parse(data: bytes) -> Any:
    return etree.fromstring(data, etree.XMLParser(remove_comments=True, no_network=True))


@pytest.fixture(scope="module")
def vendor() -> Node:
    return normalise(parse(VENDOR_WSDL.read_bytes()))


def ours_mutated(mutate: Callable[[Any], None]) -> Node:
    root = parse(wsdl_bytes())
    mutate(root)
    return normalise(root)


def schema_item(root: Any, kind: str, name: str) -> Any:
    found = root.find(f".//{{{XS_NS}}}schema/{{{XS_NS}}}{kind}[@name='{name}']")
    assert found is not None, f"no xs:{kind} {name} in our WSDL"
    return found


def test_our_wsdl_matches_the_vendor_contract(vendor: Node) -> None:
    diffs = compare(vendor, normalise(parse(wsdl_bytes())))
    assert diffs == [], "our WSDL differs from the vendor's:\n" + "\n".join(diffs)


def test_our_service_address_is_https() -> None:
    address = parse(wsdl_bytes()).find(f".//{{{SOAP_NS}}}address")
    assert address is not None
    assert address.get("location") == "https://api.monopond.com/fax/soap/v2.1"


def swap_first_two_fax_message_children(root: Any) -> None:
    sequence = schema_item(root, "complexType", "apiFaxMessage").find(f"{{{XS_NS}}}sequence")
    message_ref, send_to = sequence[0], sequence[1]
    sequence.remove(message_ref)
    send_to.addnext(message_ref)


def drop_fax_unknown_error(root: Any) -> None:
    restriction = schema_item(root, "simpleType", "faxError")[0]
    (fax_unknown,) = restriction.findall(f"{{{XS_NS}}}enumeration[@value='FAX_UNKNOWN']")
    restriction.remove(fax_unknown)


def loosen_must_be_sent_before_date(root: Any) -> None:
    element = schema_item(root, "complexType", "sendFaxRequest").find(
        f".//{{{XS_NS}}}element[@name='MustBeSentBeforeDate']"
    )
    element.set("type", "xs:string")


def make_document_order_optional(root: Any) -> None:
    schema_item(root, "complexType", "apiFaxDocument").find(
        f".//{{{XS_NS}}}element[@name='Order']"
    ).set("minOccurs", "0")


def drop_a_fault_from_fax_status(root: Any) -> None:
    operation = root.find(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation[@name='FaxStatus']")
    operation.remove(operation.find(f"{{{WSDL_NS}}}fault[@name='NoMessagesFoundException']"))


def qualify_child_elements(root: Any) -> None:
    root.find(f".//{{{XS_NS}}}schema").set("elementFormDefault", "qualified")


SEND_FAX_SEQUENCE = (
    "wsdl:types/xs:schema/xs:complexType[sendFaxRequest]/xs:complexContent/xs:extension/xs:sequence"
)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            swap_first_two_fax_message_children,
            [
                "wsdl:types/xs:schema/xs:complexType[apiFaxMessage]/xs:sequence: order differs: "
                "#1 is xs:element[SendTo] in ours, xs:element[MessageRef] in the vendor's; "
                "#2 is xs:element[MessageRef] in ours, xs:element[SendTo] in the vendor's"
            ],
            id="swapped-sequence-children",
        ),
        pytest.param(
            drop_fax_unknown_error,
            [
                "wsdl:types/xs:schema/xs:simpleType[faxError]/xs:restriction: "
                "missing xs:enumeration['FAX_UNKNOWN']"
            ],
            id="dropped-enumeration-value",
        ),
        pytest.param(
            loosen_must_be_sent_before_date,
            [
                f"{SEND_FAX_SEQUENCE}/xs:element[MustBeSentBeforeDate]: "
                "@type is 'xs:string' in ours, 'xs:dateTime' in the vendor's"
            ],
            id="changed-element-type",
        ),
        pytest.param(
            make_document_order_optional,
            [
                "wsdl:types/xs:schema/xs:complexType[apiFaxDocument]/xs:sequence/"
                "xs:element[Order]: @minOccurs is '0' in ours, absent in the vendor's"
            ],
            id="changed-occurrence",
        ),
        pytest.param(
            drop_a_fault_from_fax_status,
            [
                "wsdl:portType[Api]/wsdl:operation[FaxStatus]: "
                "missing wsdl:fault[NoMessagesFoundException]"
            ],
            id="dropped-operation-fault",
        ),
        pytest.param(
            qualify_child_elements,
            [
                "wsdl:types/xs:schema: @elementFormDefault is 'qualified' in ours, "
                "'unqualified' in the vendor's"
            ],
            id="qualified-children",
        ),
    ],
)
def test_comparison_reports_exactly_the_difference_made(
    vendor: Node, mutate: Callable[[Any], None], expected: list[str]
) -> None:
    assert compare(vendor, ours_mutated(mutate)) == expected


def test_prefixes_and_declaration_order_are_not_differences(vendor: Node) -> None:
    renamed = (
        wsdl_bytes()
        .replace(b"xmlns:tns=", b"xmlns:fax=")
        .replace(b'"tns:', b'"fax:')
        .replace(b"xmlns:xs=", b"xmlns:xsd=")
        .replace(b"<xs:", b"<xsd:")
        .replace(b"</xs:", b"</xsd:")
        .replace(b'"xs:', b'"xsd:')
    )
    root = parse(renamed)
    assert root.nsmap.get("fax") == API_NS
    schema = root.find(f".//{{{XS_NS}}}schema")
    schema[:] = list(reversed(schema))
    root[:] = [root[0], *reversed(root[1:])]
    assert compare(vendor, normalise(root)) == []
