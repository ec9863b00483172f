"""Clocks for the sandbox engine: the computer's own, and one moved by hand for tests and demos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def system_clock() -> datetime:
    """Now, in the computer's own time zone (so times read naturally in the app)."""
    return datetime.now().astimezone()


def to_milliseconds(moment: datetime) -> datetime:
    """The same moment cut to whole milliseconds, the precision the service reports."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class ManualClock:
    """A clock that only moves when told to, so a fax's whole life can be stepped through."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start if start is not None else datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("a ManualClock needs a timezone-aware start time")

    def __call__(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` and return the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (not earlier than now)."""
        if moment < self._now:
            raise ValueError("a clock cannot go backwards")
        self._now = moment
