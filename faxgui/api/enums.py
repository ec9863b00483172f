"""The enumerations of Monopond Fax API v2.1, with their wire values and plain-English meanings."""

from __future__ import annotations

from enum import StrEnum


class Resolution(StrEnum):
    """Vertical resolution of the transmitted fax."""

    NORMAL = "normal"  # 98 scan lines per inch
    FINE = "fine"  # 196 scan lines per inch

    @property
    def lines_per_inch(self) -> int:
        return 98 if self is Resolution.NORMAL else 196


class DitheringTechnique(StrEnum):
    """How a grey or colour page is reduced to black and white."""

    NONE = "none"
    NORMAL = "normal"
    TURBO = "turbo"
    DARKEN = "darken"
    DARKEN_MORE = "darken_more"
    DARKEN_EXTRA = "darken_extra"
    LIGHTEN = "lighten"
    LIGHTEN_MORE = "lighten_more"
    CROSSHATCH = "crosshatch"
    DETAILED = "DETAILED"

    @classmethod
    def from_wire(cls, value: str) -> DitheringTechnique:
        """Read a value as the service or its documentation may spell it.

        The documentation spells one value `ligthen`, and one vendor client
        sends an undocumented `imagemagick`; we accept both when reading and
        never send them.
        """
        aliases = {"ligthen": cls.LIGHTEN, "imagemagick": cls.NORMAL}
        if value in aliases:
            return aliases[value]
        return cls(value)


class Verbosity(StrEnum):
    """How much a FaxStatus answer contains."""

    BRIEF = "brief"  # totals only
    SEND = "send"  # + one row per message
    DETAILS = "details"  # + the settings each fax was sent with
    RESULTS = "results"  # + every attempt's result
    ALL = "all"  # everything


class FaxStatus(StrEnum):
    """Where a fax message is in its life on the service."""

    PENDING = "pending"
    PROCESSING = "processing"
    QUEUED = "queued"
    STARTING = "starting"
    SENDING = "sending"
    PAUSING = "pausing"
    PAUSED = "paused"
    RESUMING = "resuming"
    STOPPING = "stopping"
    FINALIZING = "finalizing"
    DONE = "done"

    @property
    def is_final(self) -> bool:
        return self is FaxStatus.DONE

    @property
    def description(self) -> str:
        return _STATUS_TEXT[self]


_STATUS_TEXT = {
    FaxStatus.PENDING: "Waiting to be processed",
    FaxStatus.PROCESSING: "Being prepared for sending",
    FaxStatus.QUEUED: "Ready, waiting for its send time",
    FaxStatus.STARTING: "About to be sent",
    FaxStatus.SENDING: "Being sent",
    FaxStatus.PAUSING: "Pausing",
    FaxStatus.PAUSED: "Paused",
    FaxStatus.RESUMING: "Resuming",
    FaxStatus.STOPPING: "Stopping",
    FaxStatus.FINALIZING: "Sent, results being processed",
    FaxStatus.DONE: "Finished",
}


class FaxResult(StrEnum):
    """How a finished fax (or one attempt at it) ended."""

    SUCCESS = "success"
    BLOCKED = "blocked"
    FAILED = "failed"


class FaxError(StrEnum):
    """Why a fax attempt did not succeed: every value of the WSDL's faxError.

    The documentation lists 19; the WSDL adds BLOCK_FPS, so a client must expect it too.
    """

    DOCUMENT_EXCEEDS_PAGE_LIMIT = "DOCUMENT_EXCEEDS_PAGE_LIMIT"
    DOCUMENT_UNSUPPORTED = "DOCUMENT_UNSUPPORTED"
    DOCUMENT_FAILED_CONVERSION = "DOCUMENT_FAILED_CONVERSION"
    FUNDS_INSUFFICIENT = "FUNDS_INSUFFICIENT"
    FUNDS_FAILED = "FUNDS_FAILED"
    BLOCK_ACCOUNT = "BLOCK_ACCOUNT"
    BLOCK_GLOBAL = "BLOCK_GLOBAL"
    BLOCK_SMART = "BLOCK_SMART"
    BLOCK_DNCR = "BLOCK_DNCR"
    BLOCK_FPS = "BLOCK_FPS"
    BLOCK_CUSTOM = "BLOCK_CUSTOM"
    FAX_NEGOTIATION_FAILED = "FAX_NEGOTIATION_FAILED"
    FAX_EARLY_HANGUP = "FAX_EARLY_HANGUP"
    FAX_INCOMPATIBLE_MACHINE = "FAX_INCOMPATIBLE_MACHINE"
    FAX_BUSY = "FAX_BUSY"
    FAX_NUMBER_UNOBTAINABLE = "FAX_NUMBER_UNOBTAINABLE"
    FAX_SENDING_FAILED = "FAX_SENDING_FAILED"
    FAX_CANCELLED = "FAX_CANCELLED"
    FAX_NO_ANSWER = "FAX_NO_ANSWER"
    FAX_UNKNOWN = "FAX_UNKNOWN"

    @classmethod
    def from_wire(cls, name: str | None) -> FaxError:
        """An error name as the service sent it; names we do not know read as FAX_UNKNOWN."""
        try:
            return cls(name or "FAX_UNKNOWN")
        except ValueError:
            return cls.FAX_UNKNOWN

    @property
    def short_name(self) -> str:
        """The documentation's short name for the error."""
        return _ERROR_TEXT[self][0]

    @property
    def sentence(self) -> str:
        """What happened and what to do, for a receptionist."""
        return _ERROR_TEXT[self][1]


_ERROR_TEXT: dict[FaxError, tuple[str, str]] = {
    FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT: (
        "Document exceeds page limit",
        "The document has more pages than the fax's page limit allows. "
        "Raise the page limit or send fewer pages.",
    ),
    FaxError.DOCUMENT_UNSUPPORTED: (
        "Unsupported document type",
        "The service cannot send this kind of file. Save it as PDF and try again.",
    ),
    FaxError.DOCUMENT_FAILED_CONVERSION: (
        "Document failed conversion",
        "The service could not turn the document into fax pages. Save it as PDF and try again.",
    ),
    FaxError.FUNDS_INSUFFICIENT: (
        "Insufficient funds",
        "The fax account has run out of credit. Ask whoever manages the account to top it up.",
    ),
    FaxError.FUNDS_FAILED: (
        "Failed to transfer funds",
        "The service could not charge the fax account. Ask whoever manages the account.",
    ),
    FaxError.BLOCK_ACCOUNT: (
        "Number cannot be sent from this account",
        "This account is not allowed to fax that number. Check the number, "
        "or ask your account manager.",
    ),
    FaxError.BLOCK_GLOBAL: (
        "Number found in the Global blocklist",
        "The number is on the service's global blocklist, so the fax was not sent.",
    ),
    FaxError.BLOCK_SMART: (
        "Number found in the Smart blocklist",
        "The number is on the smart blocklist (it has failed repeatedly before), "
        "so the fax was not sent.",
    ),
    FaxError.BLOCK_DNCR: (
        "Number found in the DNCR blocklist",
        "The number is on the Do Not Call Register, so the fax was not sent.",
    ),
    FaxError.BLOCK_FPS: (
        "Number found in the FPS blocklist",
        "The number is on the Fax Preference Service list, so the fax was not sent.",
    ),
    FaxError.BLOCK_CUSTOM: (
        "Number found in a user specified blocklist",
        "The number is on one of your own blocklists, so the fax was not sent.",
    ),
    FaxError.FAX_NEGOTIATION_FAILED: (
        "Negotiation failed",
        "The receiving fax machine answered but could not agree how to receive. "
        "Try again later, or ask the recipient to check their machine.",
    ),
    FaxError.FAX_EARLY_HANGUP: (
        "Early hang-up on call",
        "The receiving machine hung up before the fax was complete. Try sending it again.",
    ),
    FaxError.FAX_INCOMPATIBLE_MACHINE: (
        "Incompatible fax machine",
        "The receiving machine is not compatible. Ask the recipient for another fax number.",
    ),
    FaxError.FAX_BUSY: (
        "Phone number busy",
        "The line was busy on every attempt. Try again later.",
    ),
    FaxError.FAX_NUMBER_UNOBTAINABLE: (
        "Number unobtainable",
        "The number could not be reached: it may be wrong or disconnected. Check the number.",
    ),
    FaxError.FAX_SENDING_FAILED: (
        "Sending fax failed",
        "The fax could not be sent. Try again; if it keeps failing, contact support.",
    ),
    FaxError.FAX_CANCELLED: (
        "Cancelled",
        "The fax was stopped before it was sent.",
    ),
    FaxError.FAX_NO_ANSWER: (
        "No answer",
        "Nobody answered on any attempt. Check the number is a fax line and try again later.",
    ),
    FaxError.FAX_UNKNOWN: (
        "Unknown fax error",
        "The fax failed for a reason the service did not give. Try again, "
        "or contact support with the message reference.",
    ),
}
