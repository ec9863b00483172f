"""What the status panel's filter bar asks for, turned into one fast test per fax.

The tree model filters and sorts itself instead of sitting behind a
QSortFilterProxyModel: a proxy calls `filterAcceptsRow` in Python once per
row, which measured 110-145 ms for 50,000 rows on this machine; the issue's
budget for a filter keystroke is 50 ms. Here each fax is reduced, once, to
its searched text, a few bits (which status and result choices it passes,
`row_flags`) and the moment the date filter compares; a keystroke is then a
comprehension or two over those lists (a few milliseconds for 50,000).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from faxgui.api.enums import FaxResult, FaxStatus
from faxgui.ui.status.rows import MessageRow


class StatusChoice(enum.Enum):
    """The status filter's choices, with the words the combo box shows."""

    ALL = "All faxes"
    UNFINISHED = "Not finished yet"
    PAUSED = "Paused"
    FINISHED = "Finished"
    OUTBOX = "Not yet submitted"


class ResultChoice(enum.Enum):
    """The result filter's choices."""

    ANY = "Any result"
    SENT = "Sent"
    FAILED = "Failed"
    BLOCKED = "Blocked"
    STOPPED = "Stopped"
    PROBLEMS = "Failed, blocked or stopped"


_DIGITS_ONLY = re.compile(r"^[\d\s()+\-.]+$")


@dataclass(frozen=True, slots=True)
class StatusFilter:
    """Which faxes to show: every condition given must hold (an empty filter shows all).

    `text` is matched, word by word, against the fax number, the recipient's
    name and the references; a number may be typed with spaces or a leading 0.
    `since` and `until` are days in the computer's time zone, inclusive.
    """

    text: str = ""
    status: StatusChoice = StatusChoice.ALL
    result: ResultChoice = ResultChoice.ANY
    since: date | None = None
    until: date | None = None

    @property
    def is_empty(self) -> bool:
        return not self.words() and self.predicate() is None

    def words(self) -> list[str]:
        """What the searched text of a fax must contain, each (lower case)."""
        text = self.text.strip().lower()
        if not text:
            return []
        if _DIGITS_ONLY.match(text) and any(c.isdigit() for c in text):
            # A fax number as people type it: "02 8003 9890" is stored as 61280039890.
            return ["".join(c for c in text if c.isdigit()).lstrip("0") or "0"]
        # The longest first: it usually leaves the fewest faxes for the others.
        return sorted(text.split(), key=len, reverse=True)

    def required_flags(self) -> int:
        """The `row_flags` bits a fax must have to pass the status and result choices."""
        return _STATUS_BITS.get(self.status, 0) | _RESULT_BITS.get(self.result, 0)

    def moments(self) -> tuple[float, float] | None:
        """The date range as POSIX seconds [low, high); None when any date passes."""
        if self.since is None and self.until is None:
            return None
        low = (
            datetime.combine(self.since, time.min).astimezone().timestamp()
            if self.since is not None
            else float("-inf")
        )
        high = (
            datetime.combine(self.until + timedelta(days=1), time.min).astimezone().timestamp()
            if self.until is not None
            else float("inf")
        )
        return low, high

    def select(
        self, texts: Sequence[str], flags: Sequence[int], moments: Sequence[float | None]
    ) -> list[int] | None:
        """The positions of the faxes that pass, given their searched texts, `row_flags` and
        `row_moment`s (in the same order); None when every fax passes. One comprehension
        per condition, each over what the one before left."""
        chosen: list[int] | None = None
        for word in self.words():
            if chosen is None:
                chosen = [i for i, text in enumerate(texts) if word in text]
            else:
                chosen = [i for i in chosen if word in texts[i]]
        required = self.required_flags()
        if required:
            if chosen is None:
                chosen = [i for i, bits in enumerate(flags) if bits & required == required]
            else:
                chosen = [i for i in chosen if flags[i] & required == required]
        span = self.moments()
        if span is not None:
            low, high = span
            if chosen is None:
                chosen = [
                    i for i, when in enumerate(moments) if when is not None and low <= when < high
                ]
            else:
                chosen = [
                    i for i in chosen if (when := moments[i]) is not None and low <= when < high
                ]
        return chosen

    def predicate(self) -> Callable[[MessageRow], bool] | None:
        """One test for a fax row on all but the text; None when every fax passes."""
        tests: list[Callable[[MessageRow], bool]] = []
        status_test = _STATUS_TESTS.get(self.status)
        if status_test is not None:
            tests.append(status_test)
        result_test = _RESULT_TESTS.get(self.result)
        if result_test is not None:
            tests.append(result_test)
        if self.since is not None or self.until is not None:
            tests.append(_date_test(self.since, self.until))
        if not tests:
            return None
        if len(tests) == 1:
            return tests[0]
        return lambda row: all(test(row) for test in tests)


def _is_stopped(row: MessageRow) -> bool:
    return row.stopped


def _is_failed(row: MessageRow) -> bool:
    return row.outcome is FaxResult.FAILED and not _is_stopped(row)


_STATUS_TESTS: dict[StatusChoice, Callable[[MessageRow], bool]] = {
    StatusChoice.UNFINISHED: lambda row: not row.finished,
    StatusChoice.PAUSED: lambda row: row.status in (FaxStatus.PAUSED, FaxStatus.PAUSING),
    StatusChoice.FINISHED: lambda row: row.finished,
    StatusChoice.OUTBOX: lambda row: row.local_state in ("outbox", "submitting"),
}

_RESULT_TESTS: dict[ResultChoice, Callable[[MessageRow], bool]] = {
    ResultChoice.SENT: lambda row: row.outcome is FaxResult.SUCCESS,
    ResultChoice.FAILED: _is_failed,
    ResultChoice.BLOCKED: lambda row: row.outcome is FaxResult.BLOCKED,
    ResultChoice.STOPPED: _is_stopped,
    ResultChoice.PROBLEMS: lambda row: row.outcome not in (None, FaxResult.SUCCESS),
}


def _date_test(since: date | None, until: date | None) -> Callable[[MessageRow], bool]:
    low = datetime.combine(since, time.min).astimezone() if since is not None else None
    high = (
        datetime.combine(until + timedelta(days=1), time.min).astimezone()
        if until is not None
        else None
    )

    def test(row: MessageRow) -> bool:
        when = row.when
        if when is None:
            return False
        return (low is None or when >= low) and (high is None or when < high)

    return test


# One bit per status and result choice: a fax's flags say which of the choices it passes.
_BIT = {choice: 1 << n for n, choice in enumerate([*_STATUS_TESTS, *_RESULT_TESTS])}
_STATUS_BITS: dict[StatusChoice, int] = {c: _BIT[c] for c in _STATUS_TESTS}
_RESULT_BITS: dict[ResultChoice, int] = {c: _BIT[c] for c in _RESULT_TESTS}
_FLAGS: dict[tuple[object, ...], int] = {}


def row_flags(row: MessageRow) -> int:
    """Which status and result choices the fax passes, as bits (see `required_flags`).

    They depend only on its status, result, error and where its request is,
    so each combination is worked out once with the choices' own tests.
    """
    key = (row.status, row.result, row.error, row.local_state)
    bits = _FLAGS.get(key)
    if bits is None:
        bits = 0
        for choice, test in (*_STATUS_TESTS.items(), *_RESULT_TESTS.items()):
            if test(row):
                bits |= _BIT[choice]
        _FLAGS[key] = bits
    return bits


def row_moment(row: MessageRow) -> float | None:
    """When the fax was handed over, as POSIX seconds, for the date filter."""
    when = row.when
    return None if when is None else when.timestamp()
