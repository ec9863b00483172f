"""Rows for the status panel's model tests, made by hand the way the history layer makes them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.ui.status.rows import BroadcastRow, MessageRow, SendRow, search_text

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


class Rows:
    """Collects broadcasts, sends and faxes for `StatusTreeModel.set_rows(*rows.all)`."""

    def __init__(self) -> None:
        self.broadcasts: list[BroadcastRow] = []
        self.sends: list[SendRow] = []
        self.messages: list[MessageRow] = []

    @property
    def all(self) -> tuple[list[BroadcastRow], list[SendRow], list[MessageRow]]:
        return self.broadcasts, self.sends, self.messages

    def broadcast(self, ref: str, *, minutes: int = 0, tracked: bool = False) -> BroadcastRow:
        row = BroadcastRow(
            id=next(_ids), broadcast_ref=ref, created=T0 + timedelta(minutes=minutes),
            account="demo", tracked=tracked, has_draft=not tracked,
        )  # fmt: skip
        self.broadcasts.append(row)
        return row

    def send(self, broadcast: BroadcastRow, position: int = 1, state: str = "submitted") -> SendRow:
        ref = f"{broadcast.broadcast_ref}-S{position}"
        row = SendRow(
            id=next(_ids), send_ref=ref, broadcast_id=broadcast.id,
            broadcast_ref=broadcast.broadcast_ref, key=ref, position=position, state=state,
            created=broadcast.created,
            submitted=broadcast.created if state == "submitted" else None,
        )  # fmt: skip
        self.sends.append(row)
        return row

    def fax(
        self,
        send: SendRow,
        number: str,
        name: str = "",
        *,
        status: FaxStatus | None = FaxStatus.SENDING,
        result: FaxResult | None = None,
        error: FaxError | None = None,
        calls: int = 0,
        pages: int | None = None,
    ) -> MessageRow:
        position = sum(1 for m in self.messages if m.send_id == send.id) + 1
        ref = f"{send.send_ref}-M{position}"
        row = MessageRow(
            id=next(_ids), send_id=send.id, broadcast_id=send.broadcast_id, position=position,
            message_ref=ref, send_ref=send.send_ref, broadcast_ref=send.broadcast_ref,
            send_to=number, recipient_name=name, status=status, result=result, error=error,
            attempts=calls, calls=calls, pages=pages,
            cost=Decimal("0.10") * (pages or 0) if calls else None,
            duration=40 * calls if calls else None,
            started=send.submitted if calls else None,
            ended=send.submitted + timedelta(minutes=1) if calls and send.submitted else None,
            changed=send.submitted, local_state=send.state, submitted=send.submitted,
            search_text=search_text(ref, send.send_ref, send.broadcast_ref, number, name),
        )  # fmt: skip
        self.messages.append(row)
        return row


def done(row: MessageRow, result: FaxResult, error: FaxError | None = None) -> MessageRow:
    """The same fax, finished."""
    return row._replace(
        status=FaxStatus.DONE, result=result, error=error, attempts=row.attempts + 1,
        calls=row.calls + 1, pages=1 if result is FaxResult.SUCCESS else 0,
    )  # fmt: skip
