"""The Monopond Fax API v2.1 client: typed requests and responses, errors, and MonopondClient.

`MonopondClient` is imported on first use: it pulls in zeep and requests, which
code that only needs the models (and the app's start-up) should not wait for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faxgui.api.enums import (
    DitheringTechnique,
    FaxError,
    FaxResult,
    FaxStatus,
    Resolution,
    Verbosity,
)
from faxgui.api.errors import (
    FAULTS_BY_NAME,
    AuthenticationError,
    ConnectionFailedError,
    DocumentContentTypeNotFoundFault,
    DocumentRefAlreadyExistsFault,
    DocumentRefDoesNotExistFault,
    HTTPStatusError,
    InsecureEndpointError,
    InternalServerFault,
    InterruptedFault,
    InvalidArgumentsFault,
    MalformedResponseError,
    MergeFieldDoesNotMatchDocumentTypeFault,
    MonopondError,
    NoMessagesFoundFault,
    ServiceFault,
    ServiceTimeoutError,
    TLSError,
    TransportError,
    UnknownHostFault,
    UnsupportedDocumentContentTypeFault,
    fault_from_name,
)
from faxgui.api.models import (
    Blocklists,
    DeleteFaxDocumentRequest,
    DocMergeData,
    FaxAttempt,
    FaxDetails,
    FaxDocument,
    FaxDocumentPreviewRequest,
    FaxDocumentPreviewResponse,
    FaxMessage,
    FaxMessageStatus,
    FaxResultsTotals,
    FaxStatusRequest,
    FaxStatusResponse,
    FaxStatusTotals,
    ImageStampMergeData,
    PauseFaxRequest,
    ResumeFaxRequest,
    SaveFaxDocumentRequest,
    SendFaxRequest,
    StampMergeData,
    StopFaxRequest,
    TextStampMergeData,
)

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient, validate_endpoint

__all__ = [
    "FAULTS_BY_NAME",
    "AuthenticationError",
    "Blocklists",
    "ConnectionFailedError",
    "DeleteFaxDocumentRequest",
    "DitheringTechnique",
    "DocMergeData",
    "DocumentContentTypeNotFoundFault",
    "DocumentRefAlreadyExistsFault",
    "DocumentRefDoesNotExistFault",
    "FaxAttempt",
    "FaxDetails",
    "FaxDocument",
    "FaxDocumentPreviewRequest",
    "FaxDocumentPreviewResponse",
    "FaxError",
    "FaxMessage",
    "FaxMessageStatus",
    "FaxResult",
    "FaxResultsTotals",
    "FaxStatus",
    "FaxStatusRequest",
    "FaxStatusResponse",
    "FaxStatusTotals",
    "HTTPStatusError",
    "ImageStampMergeData",
    "InsecureEndpointError",
    "InternalServerFault",
    "InterruptedFault",
    "InvalidArgumentsFault",
    "MalformedResponseError",
    "MergeFieldDoesNotMatchDocumentTypeFault",
    "MonopondClient",
    "MonopondError",
    "NoMessagesFoundFault",
    "PauseFaxRequest",
    "Resolution",
    "ResumeFaxRequest",
    "SaveFaxDocumentRequest",
    "SendFaxRequest",
    "ServiceFault",
    "ServiceTimeoutError",
    "StampMergeData",
    "StopFaxRequest",
    "TLSError",
    "TextStampMergeData",
    "TransportError",
    "UnknownHostFault",
    "UnsupportedDocumentContentTypeFault",
    "Verbosity",
    "fault_from_name",
    "validate_endpoint",
]

_LAZY = {"MonopondClient", "validate_endpoint"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from faxgui.api import client

        value = getattr(client, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
