"""The Monopond Fax API v2.1 client: typed requests and responses, errors, and MonopondClient.

Each name below is imported from its submodule on first use, so importing one
submodule (`faxgui.api.enums`, say) runs no more than it needs: the client pulls
in zeep and requests (about 0.3 s) and the models take about 20 ms to create,
neither of which the app's start-up should wait for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient, validate_endpoint
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
        NotConnectedError,
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
    "NotConnectedError",
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

# The submodules providing the names in __all__, cheapest first: a name comes from the
# first one that has it, so asking for an error never imports the models or the client.
_SUBMODULES = ("enums", "errors", "models", "client")


def __getattr__(name: str) -> Any:
    if name in __all__:
        for submodule in _SUBMODULES:
            module = importlib.import_module(f"{__name__}.{submodule}")
            if hasattr(module, name):
                value = getattr(module, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
