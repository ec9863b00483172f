"""References are unique, readable and nest broadcast → send → message."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from faxgui.compose.refs import message_ref_for, new_broadcast_ref, send_ref_for


def test_broadcast_refs_carry_the_date_and_avoid_confusable_letters():
    ref = new_broadcast_ref(datetime(2026, 11, 27, 9, 30))
    assert re.fullmatch(r"FG-20261127-[2-9A-HJKMNP-Z]{8}", ref)


def test_a_busy_day_of_broadcast_refs_are_all_different():
    refs = {new_broadcast_ref() for _ in range(2_000)}
    assert len(refs) == 2_000


def test_send_and_message_refs_nest_under_their_broadcast():
    send = send_ref_for("FG-20261127-7KQ3MX", 2)
    assert send == "FG-20261127-7KQ3MX-S2"
    assert message_ref_for(send, 12) == "FG-20261127-7KQ3MX-S2-M12"


def test_indexes_count_from_one():
    with pytest.raises(ValueError, match="from 1"):
        send_ref_for("FG-x", 0)
    with pytest.raises(ValueError, match="from 1"):
        message_ref_for("FG-x-S1", 0)
