"""The status panel's tree: broadcasts, their sends and their faxes, filtered and sorted in place.

Shape, as a receptionist reads it: a broadcast of one fax is one row (its
attempts are in the detail pane); a broadcast sent as one request lists its
faxes under it; a broadcast of several requests (over 600 faxes, or a
resend) lists its requests ("parts"), each with its faxes.

The model filters and sorts itself (see `faxgui.ui.status.filtering` for
why there is no proxy). Every change that can move rows (a filter, a sort,
new rows) is one layout change that carries the persistent indexes along,
so what is selected and expanded stays so; a poll that only changes faxes'
states emits dataChanged for those rows and nothing else. The nodes of a
full load are built off the GUI thread (`build_tree`), which the model
then swaps in (`set_tree`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from faxgui.api.enums import FaxResult
from faxgui.ui.status import words
from faxgui.ui.status.filtering import StatusFilter
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
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FAILED_COLOUR = QColor("#a61b1b")
_SENT_COLOUR = QColor("#1d6b2f")
_MUTED_COLOUR = QColor("#6b6b6b")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ids = itertools.count(1)


class Node:
    """One row of the tree (also the rows hidden by the filter)."""

    __slots__ = (
        "children",
        "data",
        "kind",
        "nid",
        "parent",
        "parts",
        "pending",
        "row",
        "totals",
        "visible",
    )

    def __init__(self, kind: int, data: Any, parent: Node | None) -> None:
        self.nid = next(_ids)
        self.kind = kind
        self.data = data
        self.parent = parent
        # What the tree shows under it (sends or faxes), and of those what passes the filter.
        self.children: list[Node] = []
        self.visible: list[Node] = []
        # A broadcast's sends, whether or not the tree shows them; a send's faxes.
        self.parts: list[Node] = []
        self.row = -1
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

    def only_message(self) -> Node | None:
        """The fax of a broadcast of one fax (shown as one row), else None."""
        if self.kind != BROADCAST or self.children:
            return None
        messages = self.messages()
        return messages[0] if len(messages) == 1 else None


@dataclass(slots=True)
class Tree:
    """Every node of a load, built on a worker by `build_tree`; the model takes it whole.

    Keyed by the history's ids; broadcasts also by reference.
    """

    root: Node = field(default_factory=lambda: Node(BROADCAST, None, None))
    nodes: dict[int, Node] = field(default_factory=dict)
    broadcasts: dict[int, Node] = field(default_factory=dict)
    by_ref: dict[str, Node] = field(default_factory=dict)
    sends: dict[int, Node] = field(default_factory=dict)
    messages: dict[int, Node] = field(default_factory=dict)
    message_list: list[Node] = field(default_factory=list)
    # The free-text filter's texts, in the order of message_list.
    texts: list[str] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)

    def add_broadcast(self, row: BroadcastRow) -> Node:
        """Add a broadcast, or replace what is known of it."""
        node = self.broadcasts.get(row.id)
        if node is None:
            node = Node(BROADCAST, row, self.root)
            self.nodes[node.nid] = node
            self.broadcasts[row.id] = node
            self.root.children.append(node)
        else:
            node.data = row
        self.by_ref[row.broadcast_ref] = node
        return node

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
            send.parts.append(node)
        else:
            node.data = row
            self.texts[self.positions[node.nid]] = row.search_text
        return node

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
    messages = node.messages()
    if not messages:
        return f"Reference {row.broadcast_ref}"
    first = _recipient(messages[0].data)
    others = len(messages) - 1
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

    Load with `set_rows` (or `set_tree` with a tree built on a worker);
    `update_rows` applies new states of known faxes (a poll's answer) and
    `upsert` adds or replaces whole broadcasts (a new send, a resend, a
    tracked reference). No widget is needed to use it.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tree = Tree()
        self._filter = StatusFilter()
        self._sort_column = COL_SUBMITTED
        self._sort_order = Qt.SortOrder.DescendingOrder
        self._bold = QFont()
        self._bold.setBold(True)

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
        self._compute_view()
        self.endResetModel()

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

        self._relayout(change)

    def update_rows(
        self,
        messages: Iterable[MessageRow],
        send_totals: Mapping[int, Any] | None = None,
        broadcast_totals: Mapping[int, Any] | None = None,
    ) -> list[Transition]:
        """New states of faxes already shown; returns the faxes that finished with it.

        Rows move only when the filter or the sort order depends on what
        changed; otherwise only the changed cells are repainted. Totals are
        the history's where given, else worked out from the rows.
        """
        tree = self._tree
        transitions: list[Transition] = []
        changed: list[Node] = []
        for row in messages:
            node = tree.messages.get(row.id)
            if node is None:
                continue
            before: MessageRow = node.data
            if before == row and node.pending is None:
                continue
            node.data = row
            node.pending = None
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
        if not self._filter.is_empty or self._sort_column not in (COL_SUBMITTED, COL_NAME):
            self._relayout(lambda: None)
            return transitions
        # One signal per parent, spanning its changed rows: a poll may change 10,000 faxes.
        spans: dict[int, tuple[Node, int, int]] = {}
        for node in itertools.chain(changed, sends.values(), broadcasts.values()):
            parent = node.parent
            if parent is None or not self._shown(node):
                continue
            low, high = spans.get(parent.nid, (parent, node.row, node.row))[1:]
            spans[parent.nid] = (parent, min(low, node.row), max(high, node.row))
        last = len(HEADERS) - 1
        for parent, low, high in spans.values():
            if parent is tree.root or self._shown(parent):
                first = parent.visible[low]
                final = parent.visible[high]
                self.dataChanged.emit(self._index(first, 0), self._index(final, last))
        return transitions

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
        """Work out which nodes show, in which order, and their row numbers."""
        tree = self._tree
        passing: set[int] | None = None
        chosen = None
        if not self._filter.is_empty:
            chosen = self._filter.select(tree.texts, [n.data for n in tree.message_list])
        if chosen is not None:
            nodes = tree.message_list
            passing = {nodes[i].nid for i in chosen}
        key = _sort_key(self._sort_column)
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        # Parts keep their order (part 1, 2, …) unless sorted by another column.
        sends_by_position = self._sort_column in (COL_SUBMITTED, COL_NAME)
        shown: list[Node] = []
        for broadcast in tree.root.children:
            if broadcast.children:
                broadcast.visible = self._visible_children(
                    broadcast, passing, key, reverse, sends_by_position
                )
                if broadcast.visible or (passing is None and not broadcast.parts):
                    shown.append(broadcast)
            else:
                broadcast.visible = []
                if passing is None or any(m.nid in passing for m in broadcast.messages()):
                    shown.append(broadcast)
        shown.sort(key=key, reverse=reverse)
        tree.root.visible = shown
        for row, node in enumerate(shown):
            node.row = row

    def _visible_children(
        self,
        parent: Node,
        passing: set[int] | None,
        key: Callable[[Node], Any],
        reverse: bool,
        sends_by_position: bool,
    ) -> list[Node]:
        children = parent.children
        if children[0].kind == MESSAGE:
            if passing is None:
                visible = list(children)
            else:
                visible = [child for child in children if child.nid in passing]
        else:
            visible = []
            for child in children:
                child.visible = self._visible_children(
                    child, passing, key, reverse, sends_by_position
                )
                if child.visible:
                    visible.append(child)
        if visible and visible[0].kind == SEND and sends_by_position:
            visible.sort(key=lambda n: n.data.position)
        elif self._sort_column != COL_SUBMITTED:
            visible.sort(key=key, reverse=reverse)
        # By the time they were handed over, the faxes of a send keep their order: they
        # were handed over together.
        for row, node in enumerate(visible):
            node.row = row
        return visible

    def _relayout(self, change: Callable[[], None]) -> None:
        """Apply `change`, work the view out again, and carry the persistent indexes along."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        wanted = [(index.internalId(), index.column()) for index in old]
        change()
        self._compute_view()
        nodes = self._tree.nodes
        new = []
        for nid, column in wanted:
            node = nodes.get(nid)
            new.append(
                self._index(node, column)
                if node is not None and self._shown(node)
                else QModelIndex()
            )
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _shown(self, node: Node) -> bool:
        """True when the node is in the view (rows of hidden nodes are left stale)."""
        while node.parent is not None:
            siblings = node.parent.visible
            if not (0 <= node.row < len(siblings) and siblings[node.row] is node):
                return False
            node = node.parent
        return True

    # ------------------------------------------------------------------ lookups

    def node(self, index: QModelIndex | QPersistentModelIndex) -> Node | None:
        if not index.isValid():
            return None
        return self._tree.nodes.get(index.internalId())

    def _index(self, node: Node, column: int = 0) -> QModelIndex:
        return self.createIndex(node.row, column, node.nid)

    def index_of_message(self, message_id: int) -> QModelIndex:
        """Where a fax shows (its broadcast's row when that is a broadcast of one fax)."""
        node = self._tree.messages.get(message_id)
        if node is None:
            return QModelIndex()
        if node.parent is not None and node.parent.kind == BROADCAST and not node.parent.children:
            node = node.parent
        return self._index(node) if self._shown(node) else QModelIndex()

    def _broadcast_node(self, broadcast: int | str) -> Node | None:
        tree = self._tree
        if isinstance(broadcast, str):
            return tree.by_ref.get(broadcast)
        return tree.broadcasts.get(broadcast)

    def index_of_broadcast(self, broadcast: int | str) -> QModelIndex:
        """The row of a broadcast, by id or by BroadcastRef."""
        node = self._broadcast_node(broadcast)
        if node is None or not self._shown(node):
            return QModelIndex()
        return self._index(node)

    def index_of_send(self, send_id: int) -> QModelIndex:
        """The row of a send; its broadcast's when the tree does not show sends there."""
        node = self._tree.sends.get(send_id)
        if node is None:
            return QModelIndex()
        if self._shown(node):
            return self._index(node)
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
        """The totals of the row at `index`; of every broadcast shown when None."""
        if index is None or not index.isValid():
            total = Totals()
            for node in self._tree.root.visible:
                if node.totals is not None:
                    total.add(node.totals)
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
        last = len(HEADERS) - 1
        for each in touched:
            if self._shown(each):
                self.dataChanged.emit(self._index(each, 0), self._index(each, last))

    # ------------------------------------------------------------------ Qt's model API

    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        owner = self._tree.root if not parent.isValid() else self.node(parent)
        if owner is None or not 0 <= row < len(owner.visible) or not 0 <= column < len(HEADERS):
            return QModelIndex()
        return self.createIndex(row, column, owner.visible[row].nid)

    def parent(  # type: ignore[override]
        self,
        index: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self._tree.root:
            return QModelIndex()
        return self._index(node.parent)

    def rowCount(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> int:
        if not parent.isValid():
            return len(self._tree.root.visible)
        if parent.column() != 0:
            return 0
        node = self.node(parent)
        return 0 if node is None else len(node.visible)

    def hasChildren(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> bool:
        return self.rowCount(parent) > 0

    def columnCount(
        self,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> int:
        return len(HEADERS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        node = self.node(index)
        if node is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(node, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (COL_ERROR, COL_STATUS, COL_NAME):
                return cell_text(node, column) or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_RESULT:
                return _result_colour(node)
            if column == COL_STATUS and node.pending is not None:
                return _MUTED_COLOUR
            return None
        if role == Qt.ItemDataRole.FontRole and node.kind == BROADCAST and node.children:
            return self._bold if column == COL_NAME else None
        if role == KIND_ROLE:
            return node.kind
        if role == KEY_ROLE:
            return node.data.id
        return None

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
