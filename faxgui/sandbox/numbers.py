"""Sandbox test fax numbers: each ends a fax in a known way, like a payment provider's test cards.

The numbers are 61 (Australia) + 5 + 0000 + a four-digit code. Australia has
no 05 numbers in service, so none of them can reach a real fax machine. They
may be written with spaces, dashes, brackets and a leading +, or in national
form (0 5 0000 0002). Any other number succeeds on the first attempt.

| Number | What happens | Ends as |
|---|---|---|
| +61 5 0000 0000 | Sent on the first attempt | success |
| +61 5 0000 0001 | Busy once, then sent (uses one busy retry) | success |
| +61 5 0000 0002 | Busy on every attempt | failed, FAX_BUSY |
| +61 5 0000 0003 | Rings out on every attempt | failed, FAX_NO_ANSWER |
| +61 5 0000 0004 | The machines cannot agree how to talk | failed, FAX_NEGOTIATION_FAILED |
| +61 5 0000 0005 | The receiver hangs up halfway | failed, FAX_EARLY_HANGUP |
| +61 5 0000 0006 | Not a compatible fax machine | failed, FAX_INCOMPATIBLE_MACHINE |
| +61 5 0000 0007 | The number cannot be reached | failed, FAX_NUMBER_UNOBTAINABLE |
| +61 5 0000 0008 | Transmission fails halfway | failed, FAX_SENDING_FAILED |
| +61 5 0000 0009 | The line fails for no stated reason | failed, FAX_UNKNOWN |
| +61 5 0000 0010 | The receiver hangs up once, then sent (uses one retry) | success |
| +61 5 0000 0020 | On the global blocklist; never dialled | blocked, BLOCK_GLOBAL |
| +61 5 0000 0021 | On the smart blocklist; never dialled | blocked, BLOCK_SMART |
| +61 5 0000 0022 | On the Do Not Call Register; never dialled | blocked, BLOCK_DNCR |
| +61 5 0000 0023 | On the Fax Preference Service list; never dialled | blocked, BLOCK_FPS |
| +61 5 0000 0024 | On a customer's own blocklist; never dialled | blocked, BLOCK_CUSTOM |
| +61 5 0000 0025 | Not allowed from this account; never dialled | blocked, BLOCK_ACCOUNT |
| +61 5 0000 0030 | The account has no credit; never dialled | failed, FUNDS_INSUFFICIENT |
| +61 5 0000 0031 | The account cannot be charged; never dialled | failed, FUNDS_FAILED |
| +61 5 0000 0040 | Document fails conversion; never dialled | failed, DOCUMENT_FAILED_CONVERSION |
| +61 5 0000 0050 | Spends over five minutes sending (pause is refused meanwhile) | success |

"Every attempt" means the first attempt plus every retry the fax is allowed:
busy and no-answer failures use BusyRetries, the other line failures use
Retries (see `faxgui.sandbox.engine` for the account defaults). Blocklist
numbers block whatever the request's Blocklists say, since that setting is
inactive in v2.1 of the service.

The remaining fax errors come from the request rather than the number; they
are listed in `OTHER_OUTCOMES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faxgui.api.enums import FaxError, FaxResult

TEST_NUMBER_PREFIX = "6150000"
"""Every sandbox test number starts with this (61 + 5 + 0000), then a four-digit code."""


@dataclass(frozen=True, slots=True)
class SandboxNumber:
    """A test number and the outcome it scripts.

    `refusal` ends the fax before any call (at processing for document errors,
    when the call would start for blocklists and funds). Otherwise `calls`
    scripts each call: None is a successful transmission, an error a failed
    call; the last entry repeats for any further retries.
    """

    code: str
    title: str
    result: FaxResult
    error: FaxError | None = None
    refusal: FaxError | None = None
    calls: tuple[FaxError | None, ...] = (None,)
    slow: bool = False

    @property
    def number(self) -> str:
        """The number in international form, digits only."""
        return TEST_NUMBER_PREFIX + self.code

    @property
    def display(self) -> str:
        """The number as a person would write it: +61 5 0000 0002."""
        return f"+61 5 0000 {self.code}"

    @property
    def outcome(self) -> str:
        """How the fax ends, as the table says it: "failed, FAX_BUSY"."""
        if self.error is None:
            return self.result.value
        return f"{self.result.value}, {self.error.value}"

    def call_outcome(self, attempt: int) -> FaxError | None:
        """The scripted outcome of call number `attempt` (1-based)."""
        return self.calls[min(attempt, len(self.calls)) - 1]


def _failing(code: str, title: str, error: FaxError) -> SandboxNumber:
    return SandboxNumber(code, title, FaxResult.FAILED, error, calls=(error,))


def _refused(code: str, title: str, error: FaxError) -> SandboxNumber:
    result = FaxResult.BLOCKED if error.value.startswith("BLOCK_") else FaxResult.FAILED
    return SandboxNumber(code, title, result, error, refusal=error)


SUCCESS = SandboxNumber("0000", "Sent on the first attempt", FaxResult.SUCCESS)

SANDBOX_NUMBERS: tuple[SandboxNumber, ...] = (
    SUCCESS,
    SandboxNumber(
        "0001",
        "Busy once, then sent (uses one busy retry)",
        FaxResult.SUCCESS,
        calls=(FaxError.FAX_BUSY, None),
    ),
    _failing("0002", "Busy on every attempt", FaxError.FAX_BUSY),
    _failing("0003", "Rings out on every attempt", FaxError.FAX_NO_ANSWER),
    _failing("0004", "The machines cannot agree how to talk", FaxError.FAX_NEGOTIATION_FAILED),
    _failing("0005", "The receiver hangs up halfway", FaxError.FAX_EARLY_HANGUP),
    _failing(
        "0006",
        "Not a compatible fax machine",
        FaxError.FAX_INCOMPATIBLE_MACHINE,
    ),
    _failing("0007", "The number cannot be reached", FaxError.FAX_NUMBER_UNOBTAINABLE),
    _failing("0008", "Transmission fails halfway", FaxError.FAX_SENDING_FAILED),
    _failing("0009", "The line fails for no stated reason", FaxError.FAX_UNKNOWN),
    SandboxNumber(
        "0010",
        "The receiver hangs up once, then sent (uses one retry)",
        FaxResult.SUCCESS,
        calls=(FaxError.FAX_EARLY_HANGUP, None),
    ),
    _refused("0020", "On the global blocklist; never dialled", FaxError.BLOCK_GLOBAL),
    _refused("0021", "On the smart blocklist; never dialled", FaxError.BLOCK_SMART),
    _refused("0022", "On the Do Not Call Register; never dialled", FaxError.BLOCK_DNCR),
    _refused("0023", "On the Fax Preference Service list; never dialled", FaxError.BLOCK_FPS),
    _refused("0024", "On a customer's own blocklist; never dialled", FaxError.BLOCK_CUSTOM),
    _refused("0025", "Not allowed from this account; never dialled", FaxError.BLOCK_ACCOUNT),
    _refused("0030", "The account has no credit; never dialled", FaxError.FUNDS_INSUFFICIENT),
    _refused("0031", "The account cannot be charged; never dialled", FaxError.FUNDS_FAILED),
    _refused(
        "0040",
        "Document fails conversion; never dialled",
        FaxError.DOCUMENT_FAILED_CONVERSION,
    ),
    SandboxNumber(
        "0050",
        "Spends over five minutes sending (pause is refused meanwhile)",
        FaxResult.SUCCESS,
        slow=True,
    ),
)

_BY_NUMBER: dict[str, SandboxNumber] = {n.number: n for n in SANDBOX_NUMBERS}


@dataclass(frozen=True, slots=True)
class OtherOutcome:
    """A fax error that the request, not the number, brings about."""

    error: FaxError
    result: FaxResult
    how: str


OTHER_OUTCOMES: tuple[OtherOutcome, ...] = (
    OtherOutcome(
        FaxError.DOCUMENT_EXCEEDS_PAGE_LIMIT,
        FaxResult.FAILED,
        "Send more pages than MaxFaxPages allows (20 unless the request says otherwise).",
    ),
    OtherOutcome(
        FaxError.DOCUMENT_UNSUPPORTED,
        FaxResult.FAILED,
        "Attach a file whose content is not what its extension says, such as a damaged "
        "PDF or a .ps file that is not PostScript.",
    ),
    OtherOutcome(
        FaxError.FAX_CANCELLED,
        FaxResult.FAILED,
        "Stop the fax before it is transmitted, or give a MustBeSentBeforeDate that "
        "passes before the call starts.",
    ),
)


def normalise_number(send_to: str) -> str:
    """The digits of a number in international form: "(05) 0000-0002" gives "61500000002"."""
    digits = re.sub(r"\D", "", send_to)
    if digits.startswith("0") and len(digits) == 10:
        return "61" + digits[1:]
    return digits


def behaviour_for(send_to: str) -> SandboxNumber:
    """The scripted outcome for a number: a test number's own, or plain success."""
    return _BY_NUMBER.get(normalise_number(send_to), SUCCESS)
