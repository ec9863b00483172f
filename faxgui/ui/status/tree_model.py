"""The status panel's tree: broadcasts, their sends and their faxes, filtered and sorted in place.

Shape, as a receptionist reads it: a broadcast of one fax is one row (its
attempts are in the detail pane); a broadcast sent as one request lists its
faxes under it; a broadcast of several requests (over 600 faxes, or a
resend) lists its requests ("parts"), each with its faxes.

The model filters and sorts itself (see `faxgui.ui.status.filtering` for
why there is no proxy). Every change that can move rows (a filter, a sort,
new rows) is one layout change that carries the persistent indexes along,
so what is selected and expanded stays so; a poll that only changes faxes'
states emits dataChanged for those rows and nothing else. The nodes are
built off the GUI thread (`build_tree`), which the model then swaps in
(`set_tree`) or joins to what it has (`add_tree`). With 50,000 faxes the
GUI thread's share stays small: the view is given the top level a page at
a time, and a row's visible children are worked out when it is shown.
"""

from __future__ import annotations

import collections
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from faxgui.api.enums import FaxResult
from faxgui.ui.status import words
from faxgui.ui.status.filtering import StatusFilter, row_flags, row_moment
from faxgui.ui.status.rows import BroadcastRow, MessageRow, SendRow, Totals

COL_NAME = 0
COL_NUMBER = 1
COL_STATUS = 2
COL_RESULT = 3
COL_ERROR = 4
COL_ATTEMPTS = 5
COL_PAGES = 6
COL_COST = 7
COL_DURATION = 8
COL_SUBMITTED = 9
COL_STARTED = 10
COL_ENDED = 11
COL_REFERENCE = 12

HEADERS = (
    "Recipient",
    "Fax number",
    "Status",
    "Result",
    "What went wrong",
    "Attempts",
    "Pages",
    "Cost",
    "Time on the line",
    "Handed over",
    "Call started",
    "Call ended",
    "Reference",
)

BROADCAST = 0
SEND = 1
MESSAGE = 2

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2

_NUMERIC = frozenset({COL_ATTEMPTS, COL_PAGES, COL_COST, COL_DURATION})
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_TOTALS_OF = operator.attrgetter("totals")
_RANK_OF = operator.attrgetter("rank")
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, _FOREGROUND, _FONT, KIND_ROLE, KEY_ROLE})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FAILED_COLOUR = QColor("#a61b1b")
_SENT_COLOUR = QColor("#1d6b2f")
_MUTED_COLOUR = QColor("#6b6b6b")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ids = itertools.count(1)
_NOTHING: list[Any] = []
_UNKNOWN = object()

# Rows the view is given at first, and more each time it scrolls to the end
# (canFetchMore/fetchMore): QTreeView lays out every top-level row it is
# given, calling the model for each, which costs ~0.45 s for 50,000 rows.
PAGE = 200


class Node:
    """One row of the tree (also the rows hidden by the filter)."""

    children: list[Node]
    visible: list[Node]
    parts: list[Node]

    __slots__ = (
        "children",
        "data",
        "kind",
        "nid",
        "parent",
        "parts",
        "pending",
        "rank",
        "row",
        "totals",
        "vgen",
        "visible",
    )

    def __init__(self, kind: int, data: Any, parent: Node | None) -> None:
        self.nid = next(_ids)
        self.kind = kind
        self.data = data
        self.parent = parent
        # What the tree shows under it (sends or faxes), and of those what passes the filter
        # (worked out when the view first asks, see StatusTreeModel._visible_of). A fax has
        # nothing under it: its lists are one shared empty list, never added to (50,000
        # faxes would make 150,000 lists).
        if kind == MESSAGE:
            self.children = self.visible = self.parts = _NOTHING
        else:
            self.children = []
            self.visible = []
            # A broadcast's sends, whether or not the tree shows them; a send's faxes.
            self.parts = []
        self.vgen = -1
        self.row = -1
        # A broadcast's place among all broadcasts, newest first (see Tree.owner_ranks).
        self.rank = -1
        self.totals: Totals | None = None
        self.pending: str | None = None

    @property
    def is_leaf_broadcast(self) -> bool:
        return self.kind == BROADCAST and not self.children

    def messages(self) -> list[Node]:
        """Every fax node at or under this node."""
        if self.kind == MESSAGE:
            return [self]
        if self.kind == SEND:
            return list(self.parts)
        return [m for send in self.parts for m in send.parts]

    def first_message(self) -> Node | None:
        """The first fax at or under this node (without listing them all)."""
        if self.kind == MESSAGE:
            return self
        if self.kind == SEND:
            return self.parts[0] if self.parts else None
        for send in self.parts:
            if send.parts:
                return send.parts[0]
        return None

    def only_message(self) -> Node | None:
        """The fax of a broadcast of one fax (shown as one row), else None."""
        if self.kind != BROADCAST or self.children:
            return None
        messages = self.messages()
        return messages[0] if len(messages) == 1 else None


def _newest_first(node: Node) -> tuple[datetime, int]:
    """The order broadcasts are kept in (the default sort: handed over, newest first)."""
    row = node.data
    return (row.created or _EPOCH, row.id)


@dataclass(slots=True)
class Tree:
    """Every node of a load, built on a worker by `build_tree`; the model takes it whole
    (`StatusTreeModel.set_tree`) or joins it to what it has (`merge_in`).

    Keyed by the history's ids; broadcasts also by reference. `root.children`
    are kept newest first. For the filter, every fax has a place in
    `message_list` and, at the same place, its searched text, its `row_flags`,
    its `row_moment` and its top-level broadcast node.
    """

    root: Node = field(default_factory=lambda: Node(BROADCAST, None, None))
    nodes: dict[int, Node] = field(default_factory=dict)
    broadcasts: dict[int, Node] = field(default_factory=dict)
    by_ref: dict[str, Node] = field(default_factory=dict)
    sends: dict[int, Node] = field(default_factory=dict)
    messages: dict[int, Node] = field(default_factory=dict)
    message_list: list[Node] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    moments: list[float | None] = field(default_factory=list)
    owners: list[Node] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)
    # For each fax, the rank of its broadcast among root.children (None: to be worked out).
    ranks: list[int] | None = None

    def owner_ranks(self) -> list[int]:
        """Each fax's broadcast's place in `root.children`, as one list (kept until the
        broadcasts change): a filter maps the faxes that pass to broadcasts with it."""
        if self.ranks is None or len(self.ranks) != len(self.owners):
            for rank, node in enumerate(self.root.children):
                node.rank = rank
            self.ranks = list(map(_RANK_OF, self.owners))
        return self.ranks

    def add_broadcast(self, row: BroadcastRow) -> Node:
        """Add a broadcast, or replace what is known of it."""
        node = self.broadcasts.get(row.id)
        if node is None:
            node = Node(BROADCAST, row, self.root)
            self.nodes[node.nid] = node
            self.broadcasts[row.id] = node
            self._place(node)
        else:
            node.data = row
        self.by_ref[row.broadcast_ref] = node
        return node

    def _place(self, node: Node) -> None:
        """Put a new broadcast among the others, newest first (usually first or last)."""
        children = self.root.children
        key = _newest_first(node)
        if not children or key >= _newest_first(children[0]):
            children.insert(0, node)
            self.ranks = None
        elif key <= _newest_first(children[-1]):
            children.append(node)
            self.ranks = None
        else:
            low, high = 0, len(children)
            while low < high:
                middle = (low + high) // 2
                if _newest_first(children[middle]) > key:
                    low = middle + 1
                else:
                    high = middle
            children.insert(low, node)
            self.ranks = None

    def add_send(self, row: SendRow) -> Node:
        """Add a send under its broadcast (which must be there), or replace what is known."""
        node = self.sends.get(row.id)
        if node is None:
            broadcast = self.broadcasts[row.broadcast_id]
            node = Node(SEND, row, broadcast)
            self.nodes[node.nid] = node
            self.sends[row.id] = node
            broadcast.parts.append(node)
        else:
            node.data = row
        return node

    def add_message(self, row: MessageRow) -> Node:
        """Add a fax under its send (which must be there), or replace what is known."""
        node = self.messages.get(row.id)
        if node is None:
            send = self.sends[row.send_id]
            node = Node(MESSAGE, row, send)
            self.nodes[node.nid] = node
            self.messages[row.id] = node
            self.positions[node.nid] = len(self.message_list)
            self.message_list.append(node)
            self.texts.append(row.search_text)
            self.flags.append(row_flags(row))
            self.moments.append(row_moment(row))
            self.owners.append(self.broadcasts[row.broadcast_id])
            send.parts.append(node)
        else:
            node.data = row
            self.refresh(node)
        return node

    def refresh(self, node: Node) -> None:
        """Bring what the filter knows of a fax up to date with its row."""
        position = self.positions[node.nid]
        row: MessageRow = node.data
        self.texts[position] = row.search_text
        self.flags[position] = row_flags(row)
        self.moments[position] = row_moment(row)

    def add(
        self,
        broadcasts: Iterable[BroadcastRow],
        sends: Iterable[SendRow],
        messages: Iterable[MessageRow],
    ) -> list[Node]:
        """Add rows (broadcasts before their sends before their faxes); returns the
        broadcasts touched, to `shape`."""
        touched = {node.nid: node for node in map(self.add_broadcast, broadcasts)}
        for send in sends:
            node = self.add_send(send)
            if node.parent is not None:
                broadcast = self.broadcasts[send.broadcast_id]
                touched[broadcast.nid] = broadcast
        for message in messages:
            self.add_message(message)
            broadcast = self.broadcasts[message.broadcast_id]
            touched[broadcast.nid] = broadcast
        return list(touched.values())

    def merge_in(self, other: Tree) -> list[Node]:
        """Join a tree built on a worker (`build_tree`) to this one; returns the broadcasts
        that were new or changed.

        Broadcasts this tree does not have are taken over whole (an older
        page of the history, a new send: no Python work per fax beyond a
        few dict updates); for those it has, the nodes it has are kept (so
        what is selected and expanded stays so) and given the new rows.
        """
        if not other.root.children:
            return []
        if not any(b in self.broadcasts for b in other.broadcasts):
            offset = len(self.message_list)
            self.nodes.update(other.nodes)
            self.broadcasts.update(other.broadcasts)
            self.by_ref.update(other.by_ref)
            self.sends.update(other.sends)
            self.messages.update(other.messages)
            self.message_list += other.message_list
            self.texts += other.texts
            self.flags += other.flags
            self.moments += other.moments
            self.owners += other.owners
            self.positions.update({nid: p + offset for nid, p in other.positions.items()})
            children = self.root.children
            new = other.root.children
            self.ranks = None
            for node in new:
                node.parent = self.root
            if not children or _newest_first(new[-1]) >= _newest_first(children[0]):
                children[:0] = new
            elif _newest_first(new[0]) <= _newest_first(children[-1]):
                children += new
            else:
                children += new
                children.sort(key=_newest_first, reverse=True)
            return list(new)
        touched = self.add(
            [b.data for b in other.root.children],
            [s.data for b in other.root.children for s in b.parts],
            [m.data for m in other.message_list],
        )
        send_totals = {s.data.id: s.totals for s in other.sends.values()}
        broadcast_totals = {b.data.id: b.totals for b in other.broadcasts.values()}
        for node in touched:
            self.shape(node, send_totals, broadcast_totals)
        return touched

    def shape(
        self,
        broadcast: Node,
        send_totals: Mapping[int, Any] | None = None,
        broadcast_totals: Mapping[int, Any] | None = None,
    ) -> None:
        """Decide what the tree shows under a broadcast (see the module docstring), and set
        the totals: the history's where given, else worked out from the rows."""
        broadcast.parts.sort(key=lambda n: n.data.position)
        for send in broadcast.parts:
            given = send_totals.get(send.data.id) if send_totals is not None else None
            send.totals = given if given is not None else Totals.of(m.data for m in send.parts)
        given = broadcast_totals.get(broadcast.data.id) if broadcast_totals is not None else None
        if given is None:
            given = Totals()
            for send in broadcast.parts:
                given.add(send.totals)
        broadcast.totals = given
        faxes = sum(len(send.parts) for send in broadcast.parts)
        if len(broadcast.parts) > 1:
            broadcast.children = list(broadcast.parts)
            for send in broadcast.parts:
                send.parent = broadcast
                send.children = list(send.parts)
                for message in send.parts:
                    message.parent = send
        elif faxes > 1:
            send = broadcast.parts[0]
            send.children = []
            broadcast.children = list(send.parts)
            for message in send.parts:
                message.parent = broadcast
        else:
            broadcast.children = []
            for send in broadcast.parts:
                send.children = []
                for message in send.parts:
                    message.parent = broadcast


def build_tree(
    broadcasts: Iterable[BroadcastRow],
    sends: Iterable[SendRow],
    messages: Iterable[MessageRow],
    send_totals: Mapping[int, Any] | None = None,
    broadcast_totals: Mapping[int, Any] | None = None,
) -> Tree:
    """The nodes for a full load, shaped and with totals; safe to call on a worker."""
    tree = Tree()
    for node in tree.add(broadcasts, sends, messages):
        tree.shape(node, send_totals, broadcast_totals)
    return tree


# --------------------------------------------------------------------------- sorting


def _time_key(when: datetime | None) -> float:
    return (when - _EPOCH).total_seconds() if when is not None else float("-inf")


def _sort_key(column: int) -> Callable[[Node], Any]:
    """The key a column sorts by, for any kind of node (None sorts first ascending)."""

    def message_of(node: Node) -> MessageRow | None:
        if node.kind == MESSAGE:
            return node.data  # type: ignore[no-any-return]
        only = node.only_message()
        return None if only is None else only.data  # type: ignore[no-any-return]

    if column == COL_SUBMITTED:

        def key(node: Node) -> Any:
            if node.kind == BROADCAST:
                return _time_key(node.data.created)
            if node.kind == SEND:
                return (node.data.position,)
            return _time_key(node.data.when)

        return key
    if column in (COL_STARTED, COL_ENDED):

        def key(node: Node) -> Any:
            message = message_of(node)
            if message is None:
                return float("-inf")
            return _time_key(message.started if column == COL_STARTED else message.ended)

        return key
    if column in _NUMERIC:

        def key(node: Node) -> Any:
            message = message_of(node)
            if message is not None:
                values = {
                    COL_ATTEMPTS: message.attempts,
                    COL_PAGES: message.pages,
                    COL_COST: message.cost,
                    COL_DURATION: message.duration,
                }
                value = values[column]
                return float("-inf") if value is None else float(value)
            totals = node.totals or Totals()
            return float(
                {
                    COL_ATTEMPTS: totals.results.total_attempts,
                    COL_PAGES: totals.results.total_pages,
                    COL_COST: totals.cost,
                    COL_DURATION: totals.results.total_fax_duration,
                }[column]
            )

        return key

    def text_key(node: Node) -> Any:
        return cell_text(node, column).casefold()

    return text_key


# --------------------------------------------------------------------------- cells


def _recipient(message: MessageRow) -> str:
    return message.recipient_name or message.send_to


def cell_text(node: Node, column: int) -> str:
    """What a cell shows."""
    if node.kind == MESSAGE:
        return _message_cell(node.data, column, node.pending)
    only = node.only_message()
    if only is not None:
        if column == COL_REFERENCE:
            return str(node.data.broadcast_ref)
        if column == COL_NAME:
            return _broadcast_name(node)
        return _message_cell(only.data, column, node.pending or only.pending)
    return _group_cell(node, column)


def _broadcast_name(node: Node) -> str:
    row: BroadcastRow = node.data
    first_message = node.first_message()
    if first_message is None:
        return f"Reference {row.broadcast_ref}"
    first = _recipient(first_message.data)
    count = node.totals.faxes if node.totals is not None else len(node.messages())
    others = count - 1
    if others <= 0:
        return first
    return f"{first} and {others:,} other{'' if others == 1 else 's'}"


def _message_cell(message: MessageRow, column: int, pending: str | None) -> str:
    if column == COL_NAME:
        return _recipient(message)
    if column == COL_NUMBER:
        return message.send_to
    if column == COL_STATUS:
        return words.message_status(message, pending)
    if column == COL_RESULT:
        return words.message_result(message)
    if column == COL_ERROR:
        return words.message_error(message)
    if column == COL_ATTEMPTS:
        return str(message.attempts) if message.attempts else ""
    if column == COL_PAGES:
        pages = message.pages
        return "" if pages is None else str(pages)
    if column == COL_COST:
        return words.money(message.cost)
    if column == COL_DURATION:
        return words.duration(message.duration)
    if column == COL_SUBMITTED:
        return words.moment(message.when)
    if column == COL_STARTED:
        return words.moment(message.started)
    if column == COL_ENDED:
        return words.moment(message.ended)
    if column == COL_REFERENCE:
        return message.message_ref
    raise IndexError(column)


def _group_cell(node: Node, column: int) -> str:
    totals = node.totals or Totals()
    if column == COL_NAME:
        if node.kind == BROADCAST:
            return _broadcast_name(node)
        send: SendRow = node.data
        parts = len(node.parent.parts) if node.parent is not None else 1
        return f"Part {send.position} of {parts} ({words.faxes(totals.faxes)})"
    if column == COL_NUMBER:
        return words.faxes(totals.faxes)
    if column == COL_STATUS:
        if node.kind == SEND and node.data.state in words.LOCAL_STATUS and not node.pending:
            return words.LOCAL_STATUS[node.data.state]
        return words.group_status(totals, node.pending)
    if column == COL_RESULT:
        return words.group_result(totals)
    if column == COL_ERROR:
        if node.kind == SEND and node.data.state in ("failed", "cancelled"):
            return str(node.data.last_error)
        return ""
    if column == COL_ATTEMPTS:
        return f"{totals.results.total_attempts:,}" if totals.results.total_attempts else ""
    if column == COL_PAGES:
        return f"{totals.results.total_pages:,}" if totals.results.total_pages else ""
    if column == COL_COST:
        return words.money(totals.cost) if totals.cost else ""
    if column == COL_DURATION:
        seconds = totals.results.total_fax_duration
        return words.duration(seconds) if seconds else ""
    if column == COL_SUBMITTED:
        if node.kind == BROADCAST:
            return words.moment(node.data.created)
        return words.moment(node.data.submitted or node.data.created)
    if column in (COL_STARTED, COL_ENDED):
        return ""
    if column == COL_REFERENCE:
        return str(node.data.broadcast_ref if node.kind == BROADCAST else node.data.send_ref)
    raise IndexError(column)


def _result_colour(node: Node) -> QColor | None:
    message = node.data if node.kind == MESSAGE else None
    if message is None:
        only = node.only_message()
        if only is None:
            totals = node.totals
            if totals is not None and (totals.results.failed or totals.results.blocked):
                return _FAILED_COLOUR
            return None
        message = only.data
    text = words.message_result(message)
    if text in ("Failed", "Blocked", "Not sent"):
        return _FAILED_COLOUR
    if message.outcome is FaxResult.SUCCESS:
        return _SENT_COLOUR
    return None


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class Transition:
    """A fax that finished with this update (for notifications): before and after."""

    before: MessageRow
    after: MessageRow


class StatusTreeModel(QAbstractItemModel):
    """Broadcasts → sends → faxes, with the filter and sort order the panel asks for.

    Load with `set_rows` (or `set_tree` with a tree built on a worker, and
    `add_tree` for more of it, such as older pages of the history);
    `update_rows` applies new states of known faxes (a poll's answer) and
    `upsert` adds or replaces whole broadcasts (a new send, a resend, a
    tracked reference). No widget is needed to use it.

    Only what the view asks for is worked out: the top level is handed to
    the view PAGE rows at a time (`canFetchMore`), and which of a row's
    children pass the filter when the row is first shown expanded.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tree = Tree()
        self._filter = StatusFilter()
        self._sort_column = COL_SUBMITTED
        self._sort_order = Qt.SortOrder.DescendingOrder
        self._bold = QFont()
        self._bold.setBold(True)
        # The places (in Tree.message_list) of the faxes that pass the filter (None: all
        # do), and the view they belong to.
        self._passing: set[int] | None = None
        self._chosen: list[int] | None = None
        self._generation = 0
        self._fetched = PAGE
        # Broadcast node id -> row in the view, made when first needed after a change.
        self._top_rows: dict[int, int] | None = None
        # The footer's totals of what is shown, until the rows or the view change.
        self._shown_totals: tuple[tuple[int, int], Totals] | None = None
        self._version = 0
        # Rows of faxes a poll changed before their page of the history was read.
        self._late: dict[int, MessageRow] = {}
        # The cells' texts by node, as painted (see `_text`), and the sort keys (`_sort_key`).
        self._texts: dict[int, list[Any]] = {}
        self._keys: dict[int, Any] = {}
        self._keys_column = -1

    # ------------------------------------------------------------------ loading

    def set_rows(
        self,
        broadcasts: Iterable[BroadcastRow],
        sends: Iterable[SendRow],
        messages: Iterable[MessageRow],
        send_totals: Mapping[int, Any] | None = None,
        broadcast_totals: Mapping[int, Any] | None = None,
    ) -> None:
        """Replace everything with these rows (totals worked out from them where not given)."""
        self.set_tree(build_tree(broadcasts, sends, messages, send_totals, broadcast_totals))

    def set_tree(self, tree: Tree) -> None:
        """Replace everything with a tree from `build_tree` (which may run on a worker)."""
        self.beginResetModel()
        self._tree = tree
        self._late.clear()
        self._texts.clear()
        self._keys.clear()
        self._fetched = PAGE
        self._compute_view()
        self.endResetModel()

    def add_tree(self, tree: Tree) -> None:
        """Join more of the history, built on a worker (an older page, a new send).

        An older page with no filter on, in the usual order, only adds rows at
        the end of the view's top level; anything else is a layout change.
        """
        if not tree.root.children:
            return
        for message_id in self._late.keys() & tree.messages.keys():
            node = tree.messages[message_id]
            row = self._late.pop(message_id)
            if (row.changed or _EPOCH) >= (node.data.changed or _EPOCH):
                node.data = row
                tree.refresh(node)
        mine = self._tree
        root = mine.root
        default = (self._sort_column, self._sort_order) == (
            COL_SUBMITTED,
            Qt.SortOrder.DescendingOrder,
        )
        if (
            default
            and self._filter.is_empty
            and root.children
            and not any(b in mine.broadcasts for b in tree.broadcasts)
            and _newest_first(tree.root.children[0]) <= _newest_first(root.children[-1])
        ):
            new = list(tree.root.children)
            mine.merge_in(tree)
            shown = len(root.visible)
            for row, node in enumerate(new, shown):
                node.row = row
            # The view sees the new rows now only when it has been given all rows so far.
            count = min(self._fetched - shown, len(new))
            if count > 0:
                self.beginInsertRows(QModelIndex(), shown, shown + count - 1)
            root.visible += new
            self._top_rows = None
            self._version += 1
            if count > 0:
                self.endInsertRows()
            return
        self._relayout(lambda: mine.merge_in(tree), keep_fetched=True, structural=True)

    def upsert(
        self,
        broadcasts: Sequence[BroadcastRow],
        sends: Sequence[SendRow],
        messages: Sequence[MessageRow],
        send_totals: Mapping[int, Any] | None = None,
        broadcast_totals: Mapping[int, Any] | None = None,
    ) -> None:
        """Add rows, or replace what is known of them (a new send, a resend, a tracked
        reference); a send's or fax's broadcast must be known or among `broadcasts`."""
        if not (broadcasts or sends or messages):
            return
        tree = self._tree

        def change() -> None:
            for node in tree.add(broadcasts, sends, messages):
                tree.shape(node, send_totals, broadcast_totals)

        self._relayout(change, keep_fetched=True, structural=True)

    def update_rows(
        self,
        messages: Iterable[MessageRow],
        send_totals: Mapping[int, Any] | None = None,
        broadcast_totals: Mapping[int, Any] | None = None,
    ) -> list[Transition]:
        """New states of faxes already shown; returns the faxes that finished with it.

        Rows move only when the filter or the sort order depends on what
        changed; otherwise only the changed cells are repainted. Totals are
        the history's where given, else worked out from the rows. A big
        answer can be given in slices (the panel does), each with the same totals.
        """
        tree = self._tree
        transitions: list[Transition] = []
        changed: list[Node] = []
        for row in messages:
            node = tree.messages.get(row.id)
            if node is None:
                # Its page of the history is still being read: it takes this row then.
                self._late[row.id] = row
                continue
            before: MessageRow = node.data
            if before == row and node.pending is None:
                continue
            node.data = row
            node.pending = None
            tree.refresh(node)
            changed.append(node)
            if row.finished and not before.finished:
                transitions.append(Transition(before, row))
        if not changed:
            return transitions
        sends = {n.data.send_id: tree.sends[n.data.send_id] for n in changed}
        broadcasts = {n.data.broadcast_id: tree.broadcasts[n.data.broadcast_id] for n in changed}
        for send_id, send in sends.items():
            given = send_totals.get(send_id) if send_totals is not None else None
            send.totals = given if given is not None else Totals.of(m.data for m in send.parts)
        for broadcast_id, broadcast in broadcasts.items():
            given = broadcast_totals.get(broadcast_id) if broadcast_totals is not None else None
            if given is None:
                given = Totals()
                for send in broadcast.parts:
                    given.add(send.totals)
            broadcast.totals = given
            # A row's "Pausing…" goes once none of its faxes waits for the answer any more.
            for group in (broadcast, *broadcast.parts):
                if group.pending is not None and not any(m.pending for m in group.messages()):
                    group.pending = None
                    self._texts.pop(group.nid, None)
                    self._keys.pop(group.nid, None)
        self._version += 1
        texts, keys = self._texts, self._keys
        for node in itertools.chain(changed, sends.values(), broadcasts.values()):
            texts.pop(node.nid, None)
            keys.pop(node.nid, None)
        if not self._filter.is_empty or self._sort_column not in (COL_SUBMITTED, COL_NAME):
            self._relayout(lambda: None)
            return transitions
        self._emit_spans(itertools.chain(changed, sends.values(), broadcasts.values()))
        return transitions

    def _emit_spans(self, nodes: Iterable[Node]) -> None:
        """dataChanged for these rows: one signal per parent, spanning its changed rows
        (a poll may change 10,000 faxes)."""
        root = self._tree.root
        spans: dict[int, tuple[Node, int, int]] = {}
        for node in nodes:
            parent = node.parent
            if parent is None or not self._shown(node):
                continue
            low, high = spans.get(parent.nid, (parent, node.row, node.row))[1:]
            spans[parent.nid] = (parent, min(low, node.row), max(high, node.row))
        last = len(HEADERS) - 1
        for parent, low, high in spans.values():
            siblings = root.visible if parent is root else parent.visible
            self.dataChanged.emit(self._index(siblings[low], 0), self._index(siblings[high], last))

    # ------------------------------------------------------------------ filter and sort

    @property
    def status_filter(self) -> StatusFilter:
        return self._filter

    def set_filter(self, status_filter: StatusFilter) -> None:
        """Show only the faxes (and their broadcasts and sends) that pass `status_filter`."""
        if status_filter == self._filter:
            return
        self._filter = status_filter
        self._relayout(lambda: None)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self._sort_column = column
        self._sort_order = order
        self._relayout(lambda: None)

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def _compute_view(self) -> None:
        """Work out which broadcasts show, in which order, and their row numbers.

        What shows under each is worked out later, when the view first asks
        (`_visible_of`): a keystroke costs a few comprehensions over the
        faxes, not a walk through every node.
        """
        tree = self._tree
        self._generation += 1
        chosen = None
        if not self._filter.is_empty:
            chosen = self._filter.select(tree.texts, tree.flags, tree.moments)
        if chosen is None:
            self._passing = self._chosen = None
            shown = list(tree.root.children)
        else:
            # Made into a set when a row's children are first shown (`_visible_of`).
            self._passing = None
            self._chosen = chosen
            ranks = set(map(tree.owner_ranks().__getitem__, chosen))
            shown = list(map(tree.root.children.__getitem__, sorted(ranks)))
        if (self._sort_column, self._sort_order) != (COL_SUBMITTED, Qt.SortOrder.DescendingOrder):
            # The broadcasts are kept newest first already: any other order is sorted.
            shown.sort(
                key=self._sort_key(),
                reverse=self._sort_order == Qt.SortOrder.DescendingOrder,
            )
        tree.root.visible = shown
        # Row numbers are found when asked for (`_top_row`): 50,000 of them cost ~8 ms.
        self._top_rows = None
        tree.root.vgen = self._generation

    def _sort_key(self) -> Callable[[Node], Any]:
        """The sort column's key for a node, worked out once and kept until the node
        changes: a poll re-sorts 50,000 rows by status in ~30 ms, not ~200."""
        column = self._sort_column
        if self._keys_column != column:
            self._keys = {}
            self._keys_column = column
        keys = self._keys
        compute = _sort_key(column)

        def key(node: Node) -> Any:
            value = keys.get(node.nid, _UNKNOWN)
            if value is _UNKNOWN:
                value = keys[node.nid] = compute(node)
            return value

        return key

    def _visible_of(self, parent: Node) -> list[Node]:
        """What shows under a row in the current view (worked out on first use)."""
        if parent.vgen == self._generation:
            return parent.visible
        children = parent.children
        passing = self._passing
        if passing is None and self._chosen is not None:
            passing = self._passing = set(self._chosen)
        if not children:
            visible: list[Node] = []
        elif children[0].kind == MESSAGE:
            if passing is None:
                visible = list(children)
            else:
                places = self._tree.positions
                visible = [child for child in children if places[child.nid] in passing]
        else:
            visible = [child for child in children if self._visible_of(child)]
        if visible and visible[0].kind == SEND and self._sort_column in (COL_SUBMITTED, COL_NAME):
            # Parts keep their order (part 1, 2, …) unless sorted by another column.
            visible.sort(key=lambda n: n.data.position)
        elif self._sort_column != COL_SUBMITTED:
            visible.sort(
                key=self._sort_key(),
                reverse=self._sort_order == Qt.SortOrder.DescendingOrder,
            )
        # By the time they were handed over, the faxes of a send keep their order: they
        # were handed over together.
        for row, node in enumerate(visible):
            node.row = row
        parent.visible = visible
        parent.vgen = self._generation
        return visible

    def _relayout(
        self, change: Callable[[], Any], *, keep_fetched: bool = False, structural: bool = False
    ) -> None:
        """Apply `change`, work the view out again, and carry the persistent indexes along.

        The view is given the first PAGE broadcasts again (or, with
        `keep_fetched`, as many as before), and more where a persistent
        index (the selection, an expanded row) needs it.
        """
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        wanted = [(index.internalId(), index.column()) for index in old]
        fetched = self._fetched
        change()
        if structural:
            # Rows joined or replaced: what was worked out for them may be out of date.
            self._texts.clear()
            self._keys.clear()
        self._compute_view()
        nodes = self._tree.nodes
        self._fetched = max(fetched, PAGE) if keep_fetched else PAGE
        found = [(nodes.get(nid), column) for nid, column in wanted]
        for node, _column in found:
            top = node
            while top is not None and top.parent is not None and top.parent.parent is not None:
                top = top.parent
            if top is not None and self._shown(top, fetched_only=False):
                self._fetched = max(self._fetched, top.row + 1)
        new = [
            self._index(node, column) if node is not None and self._shown(node) else QModelIndex()
            for node, column in found
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _top_row(self, node: Node) -> int:
        """A broadcast's row in the view (-1: not shown), kept in `node.row` once found."""
        visible = self._tree.root.visible
        row = node.row
        if 0 <= row < len(visible) and visible[row] is node:
            return row
        if self._top_rows is None:
            self._top_rows = {n.nid: i for i, n in enumerate(visible)}
        row = node.row = self._top_rows.get(node.nid, -1)
        return row

    def _shown(self, node: Node, *, fetched_only: bool = True) -> bool:
        """True when the node is in the view (and its `row` then up to date)."""
        root = self._tree.root
        while node.parent is not None:
            parent = node.parent
            if parent is root:
                row = self._top_row(node)
                return row >= 0 and not (fetched_only and row >= self._fetched)
            siblings = self._visible_of(parent)
            if not (0 <= node.row < len(siblings) and siblings[node.row] is node):
                return False
            node = parent
        return True

    def _reveal(self, node: Node) -> None:
        """Hand the view the top-level rows down to this node's, if it does not have them."""
        top = node
        while top.parent is not None and top.parent.parent is not None:
            top = top.parent
        if top.parent is None or not self._shown(top, fetched_only=False):
            return
        if top.row >= self._fetched:
            self._fetch_to(top.row + 1)

    def _fetch_to(self, count: int) -> None:
        count = min(count, len(self._tree.root.visible))
        if count <= self._fetched:
            return
        self.beginInsertRows(QModelIndex(), self._fetched, count - 1)
        self._fetched = count
        self.endInsertRows()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and len(self._tree.root.visible) > self._fetched

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if not parent.isValid():
            self._fetch_to(self._fetched + PAGE)

    # ------------------------------------------------------------------ lookups

    def node(self, index: QModelIndex | QPersistentModelIndex) -> Node | None:
        if not index.isValid():
            return None
        return self._tree.nodes.get(index.internalId())

    def _index(self, node: Node, column: int = 0) -> QModelIndex:
        return self.createIndex(node.row, column, node.nid)

    def _found(self, node: Node | None) -> QModelIndex:
        if node is None:
            return QModelIndex()
        self._reveal(node)
        return self._index(node) if self._shown(node) else QModelIndex()

    def index_of_message(self, message_id: int) -> QModelIndex:
        """Where a fax shows (its broadcast's row when that is a broadcast of one fax)."""
        node = self._tree.messages.get(message_id)
        if node is None:
            return QModelIndex()
        if node.parent is not None and node.parent.kind == BROADCAST and not node.parent.children:
            node = node.parent
        return self._found(node)

    def _broadcast_node(self, broadcast: int | str) -> Node | None:
        tree = self._tree
        if isinstance(broadcast, str):
            return tree.by_ref.get(broadcast)
        return tree.broadcasts.get(broadcast)

    def index_of_broadcast(self, broadcast: int | str) -> QModelIndex:
        """The row of a broadcast, by id or by BroadcastRef."""
        return self._found(self._broadcast_node(broadcast))

    def index_of_send(self, send_id: int) -> QModelIndex:
        """The row of a send; its broadcast's when the tree does not show sends there."""
        node = self._tree.sends.get(send_id)
        if node is None:
            return QModelIndex()
        found = self._found(node)
        if found.isValid():
            return found
        return self.index_of_broadcast(int(node.data.broadcast_id))

    def broadcast_row(self, broadcast: int | str) -> BroadcastRow | None:
        node = self._broadcast_node(broadcast)
        return None if node is None else node.data  # type: ignore[no-any-return]

    def send_rows(self, broadcast_id: int) -> list[SendRow]:
        node = self._tree.broadcasts.get(broadcast_id)
        return [] if node is None else [send.data for send in node.parts]

    def send_row(self, send_id: int) -> SendRow | None:
        node = self._tree.sends.get(send_id)
        return None if node is None else node.data  # type: ignore[no-any-return]

    def message_rows(self, index: QModelIndex | QPersistentModelIndex) -> list[MessageRow]:
        """Every fax at or under the row at `index` (hidden by the filter or not)."""
        node = self.node(index)
        return [] if node is None else [m.data for m in node.messages()]

    def messages_of_send(self, send_id: int) -> list[MessageRow]:
        node = self._tree.sends.get(send_id)
        return [] if node is None else [m.data for m in node.parts]

    def message(self, message_id: int) -> MessageRow | None:
        node = self._tree.messages.get(message_id)
        return None if node is None else node.data  # type: ignore[no-any-return]

    def totals(self, index: QModelIndex | QPersistentModelIndex | None = None) -> Any:
        """The totals of the row at `index`; of every broadcast shown when None.

        Broadcasts with the same counts share one Totals object (the
        history's snapshot does that), so the sum over 50,000 broadcasts
        adds up a few distinct ones, each times how often it occurs.
        """
        if index is None or not index.isValid():
            key = (self._generation, self._version)
            if self._shown_totals is not None and self._shown_totals[0] == key:
                return self._shown_totals[1]
            visible = self._tree.root.visible
            counts = collections.Counter(map(id, map(_TOTALS_OF, visible)))
            total = Totals()
            wanted = set(counts)
            for node in visible:
                part = node.totals
                if id(part) not in wanted:
                    continue
                wanted.discard(id(part))
                if part is not None:
                    total.add_times(part, counts[id(part)])
                if not wanted:
                    break
            self._shown_totals = (key, total)
            return total
        node = self.node(index)
        if node is None:
            return Totals()
        if node.kind == MESSAGE:
            return Totals.of([node.data])
        return node.totals or Totals()

    @property
    def message_count(self) -> int:
        """Every fax loaded, shown or not."""
        return len(self._tree.message_list)

    def all_messages(self) -> list[MessageRow]:
        return [node.data for node in self._tree.message_list]

    def set_pending(self, index: QModelIndex | QPersistentModelIndex, action: str | None) -> None:
        """Show "Pausing…" (and the like) on a row and the faxes under it until they change."""
        node = self.node(index)
        if node is None:
            return
        touched = [node, *node.messages()]
        if node.kind == BROADCAST:
            touched += node.parts
        for each in touched:
            each.pending = action
            self._texts.pop(each.nid, None)
            self._keys.pop(each.nid, None)
        self._emit_spans(touched)

    # ------------------------------------------------------------------ Qt's model API

    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if not parent.isValid():
            visible = self._tree.root.visible
            if not 0 <= row < min(len(visible), self._fetched):
                return QModelIndex()
            visible[row].row = row
        else:
            owner = self.node(parent)
            if owner is None:
                return QModelIndex()
            visible = self._visible_of(owner)
            if not 0 <= row < len(visible):
                return QModelIndex()
        if not 0 <= column < len(HEADERS):
            return QModelIndex()
        return self.createIndex(row, column, visible[row].nid)

    def parent(  # type: ignore[override]
        self,
        index: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        node = self.node(index)
        root = self._tree.root
        if node is None or node.parent is None or node.parent is root:
            return QModelIndex()
        above = node.parent.parent
        # The parent's row number in the current view.
        if above is root:
            self._top_row(node.parent)
        elif above is not None:
            self._visible_of(above)
        return self._index(node.parent)

    def rowCount(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> int:
        if not parent.isValid():
            return min(len(self._tree.root.visible), self._fetched)
        if parent.column() != 0:
            return 0
        node = self.node(parent)
        return 0 if node is None else len(self._visible_of(node))

    def hasChildren(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> bool:
        if not parent.isValid():
            return bool(self._tree.root.visible)
        if parent.column() != 0:
            return False
        node = self.node(parent)
        # A row in the view has children in it when it has any: it shows because one of
        # its faxes passes the filter. (The view asks this of every row it lays out.)
        return node is not None and bool(node.children)

    def columnCount(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> int:
        return len(HEADERS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        # A paint asks ~8 roles of every cell; most are answered here without a lookup.
        if role not in _ROLES:
            return None
        node = self._tree.nodes.get(index.internalId())
        if node is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            return self._text(node, column)
        if role == _ALIGNMENT:
            return _RIGHT if column in _NUMERIC else None
        if role == _FOREGROUND:
            if column == COL_RESULT:
                return _result_colour(node)
            if column == COL_STATUS and node.pending is not None:
                return _MUTED_COLOUR
            return None
        if role == _FONT:
            bold = column == COL_NAME and node.kind == BROADCAST and node.children
            return self._bold if bold else None
        if role == _TOOLTIP:
            if column in (COL_ERROR, COL_STATUS, COL_NAME):
                return self._text(node, column) or None
            return None
        if role == KIND_ROLE:
            return node.kind
        if role == KEY_ROLE:
            return node.data.id
        return None

    def _text(self, node: Node, column: int) -> str:
        """A cell's text, worked out once per row and kept until the row changes."""
        texts = self._texts.get(node.nid)
        if texts is None:
            texts = self._texts[node.nid] = [None] * len(HEADERS)
        text = texts[column]
        if text is None:
            text = texts[column] = cell_text(node, column)
        return text

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section in _NUMERIC:
            return _RIGHT
        return None
