"""Reading the fax history into the panel's rows: a page of it, or what a poll changed.

Everything here blocks on SQLite and runs on a worker (`run_task`); what it
returns is handed to the tree model on the GUI thread, with the tree's
nodes already built (`build_tree`), so the GUI thread only joins them in.
The panel opens on the newest page (FIRST_PAGE_FAXES faxes) and reads the
older pages after it, newest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faxgui.ui.status.rows import BroadcastRow, MessageRow, SendRow, message_row
from faxgui.ui.status.tree_model import Tree, build_tree

if TYPE_CHECKING:
    from faxgui.jobs.history import (
        HistoryBroadcast,
        HistoryMessage,
        HistorySend,
        HistorySnapshot,
        JobHistory,
    )


def send_row(send: HistorySend) -> SendRow:
    return SendRow(
        id=send.id,
        send_ref=send.send_ref,
        broadcast_id=send.broadcast_id,
        broadcast_ref=send.broadcast_ref,
        key=send.key,
        position=send.position,
        state=str(send.state),
        created=send.created,
        submitted=send.submitted,
        last_error=send.last_error or "",
        tracked=send.tracked,
        summary_json=send.summary_json,
    )


def broadcast_row(broadcast: HistoryBroadcast) -> BroadcastRow:
    return BroadcastRow(
        id=broadcast.id,
        broadcast_ref=broadcast.broadcast_ref,
        created=broadcast.created,
        account=broadcast.account,
        endpoint=broadcast.endpoint,
        composed_by=broadcast.composed_by,
        tracked=broadcast.tracked,
        has_draft=broadcast.has_draft,
    )


# About 0.1 s of reading and building each on this machine: the panel shows the first
# page at once, and the GUI thread joins each later one in a few milliseconds.
FIRST_PAGE_FAXES = 2_000
PAGE_FAXES = 5_000


@dataclass(frozen=True, slots=True)
class Page:
    """Some broadcasts of the history, newest first, as the panel's tree.

    `before` is where the next page starts (None: this was the last one).
    """

    tree: Tree
    before: int | None


def load_page(history: JobHistory, before: int | None, max_faxes: int) -> Page:
    """The broadcasts below id `before` (None: the newest) holding about `max_faxes` faxes."""
    ids, following = history.page(before, max_faxes)
    if not ids:
        return Page(Tree(), None)
    return Page(_tree(history.snapshot(ids)), following)


def load_tree(history: JobHistory) -> Tree:
    """The whole history as the panel's tree (one snapshot: three queries)."""
    return _tree(history.snapshot())


def _tree(snapshot: HistorySnapshot) -> Tree:
    sends = [send_row(s) for s in snapshot.sends]
    by_id = {s.id: s for s in sends}
    messages = [message_row(m, by_id[m.send_id]) for m in snapshot.messages]
    return build_tree(
        [broadcast_row(b) for b in snapshot.broadcasts],
        sends,
        messages,
        snapshot.send_totals,
        snapshot.broadcast_totals,
    )


@dataclass(frozen=True, slots=True)
class Changes:
    """Fresh rows for what changed in the history, and the totals that moved with them.

    `broadcasts` and `sends` are set when rows were added (a resend, a
    tracked reference, a new send) and go to `StatusTreeModel.add_tree` as
    `tree`, their nodes built on the worker; `messages` alone go to
    `update_rows`.
    """

    messages: list[MessageRow] = field(default_factory=list)
    sends: list[SendRow] = field(default_factory=list)
    broadcasts: list[BroadcastRow] = field(default_factory=list)
    send_totals: Mapping[int, Any] = field(default_factory=dict)
    broadcast_totals: Mapping[int, Any] = field(default_factory=dict)
    tree: Tree | None = None

    @property
    def structural(self) -> bool:
        return bool(self.sends or self.broadcasts)

    def __bool__(self) -> bool:
        return bool(self.messages or self.sends or self.broadcasts)


def load_changes(
    history: JobHistory,
    message_ids: Iterable[int],
    send_ids: Iterable[int] = (),
    broadcast_ids: Iterable[int] = (),
    *,
    added: bool = False,
    known: Sequence[HistoryMessage] | None = None,
) -> Changes:
    """The rows of these faxes (and, with `added`, of their sends and broadcasts).

    `known`: the faxes as a merge just stored them (`JobHistory.changed_rows`),
    so they need not be read back.
    """
    messages = list(known) if known is not None else history.messages_by_id(message_ids)
    send_wanted = {m.send_id for m in messages} | set(send_ids)
    broadcast_wanted = {m.broadcast_id for m in messages} | set(broadcast_ids)
    sends = [send_row(s) for s in history.sends_by_id(send_wanted)]
    by_id = {s.id: s for s in sends}
    rows = [message_row(m, by_id[m.send_id]) for m in messages]
    broadcasts: list[BroadcastRow] = []
    if added:
        broadcasts = [broadcast_row(b) for b in history.broadcasts_by_id(broadcast_wanted)]
    send_totals = history.send_totals(send_wanted)
    broadcast_totals = history.broadcast_totals(broadcast_wanted)
    return Changes(
        messages=rows,
        sends=sends if added else [],
        broadcasts=broadcasts,
        send_totals=send_totals,
        broadcast_totals=broadcast_totals,
        tree=build_tree(broadcasts, sends, rows, send_totals, broadcast_totals) if added else None,
    )


def load_broadcasts(history: JobHistory, broadcast_ids: Iterable[int]) -> Changes:
    """Every row of these broadcasts (after a send, a resend or a tracked reference)."""
    snapshot = history.snapshot(broadcast_ids)
    sends = [send_row(s) for s in snapshot.sends]
    by_id = {s.id: s for s in sends}
    messages = [message_row(m, by_id[m.send_id]) for m in snapshot.messages]
    broadcasts = [broadcast_row(b) for b in snapshot.broadcasts]
    return Changes(
        messages=messages,
        sends=sends,
        broadcasts=broadcasts,
        send_totals=snapshot.send_totals,
        broadcast_totals=snapshot.broadcast_totals,
        tree=build_tree(
            broadcasts, sends, messages, snapshot.send_totals, snapshot.broadcast_totals
        ),
    )
