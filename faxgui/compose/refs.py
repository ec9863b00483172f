"""References for broadcasts, sends and messages: unique, short enough to read out on the phone."""

from __future__ import annotations

import secrets
from datetime import datetime

# No 0/O, 1/I/L: a receptionist may have to read a reference to support over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_broadcast_ref(now: datetime | None = None, prefix: str = "FG") -> str:
    """A new BroadcastRef such as `FG-20261127-7KQ3MXA2`: the date it was made and 8 random letters.

    With 31^8 (about 850 billion) choices a day, even an office sending a
    thousand broadcasts a day has about one chance in a million of repeating
    a reference by accident.
    """
    day = (now or datetime.now()).strftime("%Y%m%d")
    return f"{prefix}-{day}-{_token(8)}"


def send_ref_for(broadcast_ref: str, index: int) -> str:
    """The SendRef of the `index`-th request (from 1) of a broadcast: `FG-20261127-7KQ3MX-S1`."""
    if index < 1:
        raise ValueError("send indexes count from 1")
    return f"{broadcast_ref}-S{index}"


def message_ref_for(send_ref: str, index: int) -> str:
    """The MessageRef of the `index`-th fax (from 1) of a send: `FG-20261127-7KQ3MX-S1-M12`."""
    if index < 1:
        raise ValueError("message indexes count from 1")
    return f"{send_ref}-M{index}"
