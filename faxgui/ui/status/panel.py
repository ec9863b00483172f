"""The "Sent faxes" tab: every fax sent from here (and tracked), live, with what can be done to it.

A filter bar (free text, status, result, dates), the tree of broadcasts,
sends and faxes with a detail pane, the totals of what is shown, and the
actions: pause, resume and stop (each confirmed, each showing "Pausing…"
until the service answers, with a sentence for what it refused), resend
the failed faxes, open a job as a new fax, export a broadcast to CSV, and
print or save a send's transmission report. The history is read, and
every action runs, on workers; the poller follows what is unfinished.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from faxgui.ui.feedback import ERROR_STYLE, NOTE_STYLE, describe_error
from faxgui.ui.send_controller import CollectorPause
from faxgui.ui.status import tree_model as cols
from faxgui.ui.status import words
from faxgui.ui.status.actions import Action, ActionOutcome, RefKind, Target, run_action
from faxgui.ui.status.detail_pane import DetailPane, group_html
from faxgui.ui.status.filtering import ResultChoice, StatusChoice, StatusFilter
from faxgui.ui.status.loading import (
    FIRST_PAGE_FAXES,
    PAGE_FAXES,
    Changes,
    Page,
    load_broadcasts,
    load_page,
)
from faxgui.ui.status.notifications import Notifier
from faxgui.ui.status.poller import PollResult, StatusPoller
from faxgui.ui.status.tree_model import BROADCAST, MESSAGE, SEND, StatusTreeModel
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from faxgui.api.client import MonopondClient
    from faxgui.compose.pipeline import SendPipeline, SendReport
    from faxgui.jobs.history import JobHistory
    from faxgui.jobs.store import JobStore
    from faxgui.ui.status.actions import ResendOutcome
    from faxgui.ui.status.track_dialog import TrackDialog

log = logging.getLogger(__name__)

DATE_CHOICES = ("Any time", "Today", "Last 7 days", "Last 30 days", "Between…")
LOADING_TEXT = "Reading the fax history …"
EMPTY_HISTORY = (
    "No faxes yet. Faxes you send from the “New fax” tab appear here, and so do "
    "references you track (Track a reference…)."
)
# A send (or tracked reference) with this many faxes is left out of the collector's
# passes once shown, as a page of the history is (see `_keep`).
FREEZE_FAXES = 1_000
READING_OLDER = "reading older faxes …"
# How many of a poll's changed faxes the model takes per turn of the event loop
# (~10 ms of work each on this machine).
UPDATE_SLICE = 1_000
NOTHING_MATCHES = "No fax matches the filter. Clear the search or choose “All faxes”."

_CONFIRM = {
    Action.PAUSE: (
        "Pause {what}?",
        "Paused faxes wait until you resume them. A fax that is being transmitted right now "
        "cannot be paused and will finish.",
    ),
    Action.RESUME: ("Resume {what}?", "The paused faxes go back in the queue and are sent."),
    Action.STOP: (
        "Stop {what}?",
        "Stopped faxes are not sent and cannot be resumed (you can resend them later). "
        "A fax that is being transmitted right now cannot be stopped and will finish.",
    ),
}


class StatusPanel(QWidget):
    """The sent-faxes panel; call `start()` once, `shut_down()` when the window closes.

    Signals:
        status_message(str): a passing sentence for the window's status bar.
        service_state(object): after a poll that asked the fax service: None when it
            answered, else the error that stopped it (for the status bar).
        draft_requested(object): open this `Draft` in the composer ("Open as a new fax").
    """

    status_message = Signal(str)
    service_state = Signal(object)
    draft_requested = Signal(object)

    def __init__(
        self,
        history: JobHistory,
        store: JobStore,
        client_factory: Callable[[], MonopondClient],
        parent: QWidget | None = None,
        *,
        poller: StatusPoller | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._store = store
        self._client_factory = client_factory
        self._pipeline: SendPipeline | None = None
        self._loaded = False
        self._reading = False
        self._shut = False
        self._reading_pause = CollectorPause()
        # A poll's answer being shown a slice at a time: the slices left, and the changes.
        self._updates: list[tuple[list[Any], Changes]] = []
        self._transitions: list[Any] = []
        self._busy_actions = 0
        self._wanted_ref = ""
        self.track_dialog: TrackDialog | None = None
        self.last_question: QMessageBox | None = None

        self.model = StatusTreeModel(self)
        self._totals_timer = QTimer(self)
        self._totals_timer.setSingleShot(True)
        self._totals_timer.setInterval(0)
        self._totals_timer.timeout.connect(self._write_totals)
        self.poller = poller or StatusPoller(history, client_factory, self)
        self.notifier = notifier or Notifier(self)

        self.search_edit = QLineEdit()
        self.status_combo = QComboBox()
        self.result_combo = QComboBox()
        self.date_combo = QComboBox()
        self.since_edit = QDateEdit()
        self.until_edit = QDateEdit()
        self.refresh_button = QPushButton("&Refresh")
        self.track_button = QPushButton("&Track a reference…")
        self.tree = QTreeView()
        self.detail = DetailPane(history)
        self.placeholder = QLabel(LOADING_TEXT)
        self.totals_label = QLabel()
        self.following_label = QLabel()
        self.message_label = QLabel()

        self.pause_button = QPushButton("&Pause")
        self.resume_button = QPushButton("Res&ume")
        self.stop_button = QPushButton("&Stop")
        self.resend_button = QPushButton("Resend &failed")
        self.draft_button = QPushButton("Open as a &new fax")
        self.more_button = QToolButton()
        self.export_action = QAction("&Export the broadcast's results (CSV)…", self)
        self.print_action = QAction("&Print the transmission report…", self)
        self.pdf_action = QAction("Save the transmission report as P&DF…", self)
        self.refresh_action = QAction("&Refresh the sent faxes", self)
        self.refresh_action.setShortcuts([QKeySequence("Ctrl+R")])
        self.refresh_action.triggered.connect(self.refresh)
        self.addAction(self.refresh_action)

        self._build()
        self._connect()
        self._update_actions()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.search_edit.setPlaceholderText("Search: fax number, name or reference")
        self.search_edit.setClearButtonEnabled(True)
        for choice in StatusChoice:
            self.status_combo.addItem(choice.value, choice)
        for result in ResultChoice:
            self.result_combo.addItem(result.value, result)
        self.date_combo.addItems(DATE_CHOICES)
        today = QDate.currentDate()
        for edit, value in ((self.since_edit, today.addDays(-7)), (self.until_edit, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setDate(value)
            edit.hide()
        self.refresh_button.setToolTip("Ask the fax service about every unfinished fax now")
        self.track_button.setToolTip(
            "Follow a fax sent from another computer or program by its reference"
        )

        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 3)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.result_combo)
        bar.addWidget(self.date_combo)
        self.since_label = QLabel("from")
        self.until_label = QLabel("to")
        for widget in (self.since_label, self.since_edit, self.until_label, self.until_edit):
            bar.addWidget(widget)
        self.since_label.hide()
        self.until_label.hide()
        bar.addStretch(0)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.track_button)

        tree = self.tree
        tree.setModel(self.model)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setSortingEnabled(True)
        tree.sortByColumn(cols.COL_SUBMITTED, Qt.SortOrder.DescendingOrder)
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = tree.header()
        header.setStretchLastSection(False)
        widths = {
            cols.COL_NAME: 200, cols.COL_NUMBER: 110, cols.COL_STATUS: 235,
            cols.COL_RESULT: 190, cols.COL_ERROR: 300, cols.COL_ATTEMPTS: 70,
            cols.COL_PAGES: 55, cols.COL_COST: 65, cols.COL_DURATION: 95,
            cols.COL_SUBMITTED: 105, cols.COL_STARTED: 95, cols.COL_ENDED: 95,
            cols.COL_REFERENCE: 230,
        }  # fmt: skip
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # When it was handed over is what people look for first, after who it went to.
        header.moveSection(header.visualIndex(cols.COL_SUBMITTED), 2)

        menu = QMenu(self.more_button)
        for action in (self.export_action, self.print_action, self.pdf_action):
            menu.addAction(action)
        self.more_button.setText("Reports")
        self.more_button.setMenu(menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.pause_button.setToolTip("Hold the selected faxes before they are sent")
        self.resume_button.setToolTip("Send the selected paused faxes after all")
        self.stop_button.setToolTip("Do not send the selected faxes")
        self.resend_button.setToolTip(
            "Send the failed faxes of the selection again, as a new part of the same broadcast"
        )
        self.draft_button.setToolTip(
            "Put a copy of this fax in the composer, with new references, to change and send"
        )

        actions = QHBoxLayout()
        for button in (
            self.pause_button,
            self.resume_button,
            self.stop_button,
            self.resend_button,
            self.draft_button,
        ):
            actions.addWidget(button)
        actions.addWidget(self.more_button)
        actions.addStretch(1)
        actions.addWidget(self.following_label)

        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet(NOTE_STYLE)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.following_label.setStyleSheet(NOTE_STYLE)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.placeholder)
        left_layout.addWidget(self.tree, 1)
        self.tree.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 320])

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.message_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.totals_label)

    def _connect(self) -> None:
        self.search_edit.textChanged.connect(self._filter_changed)
        for combo in (self.status_combo, self.result_combo):
            combo.currentIndexChanged.connect(self._filter_changed)
        self.date_combo.currentIndexChanged.connect(self._dates_changed)
        self.since_edit.dateChanged.connect(self._filter_changed)
        self.until_edit.dateChanged.connect(self._filter_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.track_button.clicked.connect(self.open_track_dialog)
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.model.layoutChanged.connect(self._view_changed)
        self.model.modelReset.connect(self._view_changed)
        self.model.dataChanged.connect(self._data_changed)
        self.pause_button.clicked.connect(lambda: self.ask(Action.PAUSE))
        self.resume_button.clicked.connect(lambda: self.ask(Action.RESUME))
        self.stop_button.clicked.connect(lambda: self.ask(Action.STOP))
        self.resend_button.clicked.connect(self.ask_resend)
        self.draft_button.clicked.connect(self.open_as_draft)
        self.export_action.triggered.connect(self.export_csv)
        self.print_action.triggered.connect(lambda: self.report(to_pdf=False))
        self.pdf_action.triggered.connect(lambda: self.report(to_pdf=True))
        self.poller.polled.connect(self._polled)
        self.poller.reachable_changed.connect(self.service_state)
        self.poller.following_changed.connect(self._show_following)
        self.poller.poll_started.connect(lambda: self.refresh_button.setEnabled(False))
        self.notifier.show_requested.connect(self.show_broadcast)

    # ------------------------------------------------------------------ life

    @property
    def loaded(self) -> bool:
        """True once the history has been read into the tree."""
        return self._loaded

    def set_pipeline(self, pipeline: SendPipeline) -> None:
        """The composer's send pipeline: resends go through it, so nothing is sent twice."""
        self._pipeline = pipeline
        self._update_actions()

    def start(self) -> None:
        """Read the history (on a worker, newest first), then follow what is unfinished.

        The panel shows the newest page as soon as it is read and reads the
        older pages after it (`reading` until the last is in).
        """
        self.placeholder.setText(LOADING_TEXT)
        self._reading = True
        # Reading builds many small objects: the collector would walk them all, again and
        # again, for nothing (they all live as long as the panel).
        self._reading_pause.hold()
        run_task(
            load_page,
            self._history,
            None,
            FIRST_PAGE_FAXES,
            on_done=self._first_page,
            on_error=self._load_failed,
            context=self,
        )

    @property
    def reading(self) -> bool:
        """True while older pages of the history are still being read."""
        return self._reading

    def shut_down(self) -> None:
        """Stop polling and reading (a page or poll under way finishes on its own)."""
        self.poller.stop()
        self._shut = True
        self._reading_pause.release()

    def _first_page(self, page: Page) -> None:
        self.model.set_tree(page.tree)
        _keep(page)
        self._loaded = True
        self.tree.show()
        self._view_changed()
        self.poller.start()
        self._read_on(page.before)

    def _read_on(self, before: int | None) -> None:
        if self._shut:
            self._reading = False
            return
        if before is None:
            self._reading = False
            self._reading_pause.release()
            self._show_totals()
            return
        run_task(
            load_page,
            self._history,
            before,
            PAGE_FAXES,
            on_done=self._next_page,
            on_error=self._load_failed,
            context=self,
        )

    def _next_page(self, page: Page) -> None:
        self.model.add_tree(page.tree)
        _keep(page)
        if page.before is not None:
            self._show_totals()
        if self._wanted_ref and self.model.broadcast_row(self._wanted_ref) is not None:
            self.show_broadcast_ref(self._wanted_ref)
        self._read_on(page.before)

    def _load_failed(self, error: Exception) -> None:
        log.error("Could not read the fax history", exc_info=error)
        self._reading = False
        self._reading_pause.release()
        self.placeholder.setText(
            f"The fax history could not be read ({error}). Faxes can still be sent; "
            "restart faxgui to try again."
        )
        self.placeholder.setStyleSheet(ERROR_STYLE)

    def refresh(self) -> None:
        """Ask the service about every unfinished fax now."""
        if not self.poller.active:
            self.poller.start()
        self.poller.refresh()
        self.status_message.emit("Asking the fax service about the unfinished faxes …")

    def note_sent(self, report: SendReport | None) -> None:
        """A send (or an outbox pass) recorded faxes: show them and follow them."""
        if report is None or report.broadcast_id is None or not self._loaded:
            return
        self._load_broadcasts([report.broadcast_id])

    def _load_broadcasts(self, broadcast_ids: list[int]) -> None:
        run_task(
            load_broadcasts,
            self._history,
            broadcast_ids,
            on_done=self._apply_added,
            on_error=lambda error: log.error("Could not read new faxes", exc_info=error),
            context=self,
        )

    def _apply_added(self, changes: Changes) -> None:
        if changes.tree is not None:
            self.model.add_tree(changes.tree)
            if len(changes.tree.message_list) >= FREEZE_FAXES:
                gc.freeze()
        else:
            self.model.upsert(
                changes.broadcasts,
                changes.sends,
                changes.messages,
                changes.send_totals,
                changes.broadcast_totals,
            )
        if self._wanted_ref and self.model.broadcast_row(self._wanted_ref) is not None:
            self.show_broadcast_ref(self._wanted_ref)
        self.poller.wake()

    def _polled(self, result: PollResult) -> None:
        self.refresh_button.setEnabled(True)
        changes = result.changes
        if changes.structural:
            self._apply_added(changes)
            self._refresh_details()
        elif changes:
            self._update(changes)

    def _update(self, changes: Changes) -> None:
        """Show a poll's new states, UPDATE_SLICE faxes per turn of the event loop.

        A poll may change 10,000 faxes; done in one go, the window would not
        answer for a while. The transitions are collected and notified at the end.
        """
        messages = changes.messages
        slices = [messages[i : i + UPDATE_SLICE] for i in range(0, len(messages), UPDATE_SLICE)]
        slices.reverse()
        self._updates.append((slices, changes))
        if len(self._updates) == 1:
            self._update_next()

    def _update_next(self) -> None:
        if not self._updates:
            return
        slices, changes = self._updates[0]
        transitions = self.model.update_rows(
            slices.pop(), changes.send_totals, changes.broadcast_totals
        )
        self._transitions += transitions
        if slices:
            QTimer.singleShot(0, self, self._update_next)
            return
        self._updates.pop(0)
        if self._transitions:
            self.notifier.notify(self.model, self._transitions)
        self._transitions = []
        self._refresh_details()
        if self._updates:
            QTimer.singleShot(0, self, self._update_next)

    @property
    def updating(self) -> bool:
        """True while a poll's answer is still being shown (see `_update`)."""
        return bool(self._updates)

    def _show_following(self, count: int) -> None:
        self.following_label.setText(
            f"Following {words.faxes(count)} not finished yet" if count else ""
        )

    # ------------------------------------------------------------------ filter

    def current_filter(self) -> StatusFilter:
        since: date | None = None
        until: date | None = None
        today = date.today()
        choice = self.date_combo.currentIndex()
        if choice == 1:
            since = until = today
        elif choice == 2:
            since = today - timedelta(days=6)
        elif choice == 3:
            since = today - timedelta(days=29)
        elif choice == 4:
            since = self.since_edit.date().toPython()
            until = self.until_edit.date().toPython()
            if since is not None and until is not None and until < since:
                since, until = until, since
        return StatusFilter(
            text=self.search_edit.text(),
            status=self.status_combo.currentData(),
            result=self.result_combo.currentData(),
            since=since,
            until=until,
        )

    def _dates_changed(self) -> None:
        between = self.date_combo.currentIndex() == len(DATE_CHOICES) - 1
        for widget in (self.since_label, self.since_edit, self.until_label, self.until_edit):
            widget.setVisible(between)
        self._filter_changed()

    def _filter_changed(self) -> None:
        self.model.set_filter(self.current_filter())

    def _view_changed(self) -> None:
        if not self._loaded:
            return
        shown = self.model.rowCount()
        if self.model.message_count == 0:
            self.placeholder.setText(EMPTY_HISTORY)
        elif shown == 0:
            self.placeholder.setText(NOTHING_MATCHES)
        self.placeholder.setStyleSheet(NOTE_STYLE)
        self.placeholder.setVisible(shown == 0)
        self._show_totals()
        self._update_actions()
        if not self.current_index().isValid():
            # The filter hid the selected fax: its details go with it.
            self.detail.clear_details()

    def _data_changed(self) -> None:
        self._show_totals()
        self._update_actions()

    def _show_totals(self) -> None:
        """Update the footer: now for a short list, on the next turn of the event loop for
        a long one (adding up 50,000 broadcasts takes ~25 ms here: the rows a keystroke
        brings show first, and a burst of keystrokes or poll slices adds up once)."""
        if self.model.rowCount() < cols.PAGE:
            self._write_totals()
        elif not self._totals_timer.isActive():
            self._totals_timer.start()

    def _write_totals(self) -> None:
        totals = self.model.totals()
        filtered = not self.model.status_filter.is_empty
        prefix = "Broadcasts shown: " if filtered else ""
        text = prefix + words.totals_sentence(totals) if totals.faxes else ""
        if self._reading and self._loaded:
            text = (
                f"{text} · {READING_OLDER}"
                if text
                else READING_OLDER[:1].upper() + READING_OLDER[1:]
            )
        self.totals_label.setText(text)

    # ------------------------------------------------------------------ selection

    def current_index(self) -> QModelIndex:
        index = self.tree.currentIndex()
        return index.siblingAtColumn(0) if index.isValid() else QModelIndex()

    def select(self, index: QModelIndex) -> None:
        """Make `index` the current row, expanding what leads to it, and show it."""
        if not index.isValid():
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)

    def show_broadcast_ref(self, broadcast_ref: str) -> None:
        """Select a broadcast by reference, now or as soon as its rows have been read."""
        row = self.model.broadcast_row(broadcast_ref)
        if row is None:
            self._wanted_ref = broadcast_ref
            return
        self._wanted_ref = ""
        self._show(row.id)
        self.tree.setFocus()

    def show_broadcast(self, broadcast_id: int) -> None:
        """Bring a broadcast and the window into view (a notification was clicked)."""
        self._show(broadcast_id)
        window = self.window()
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def _show(self, broadcast_id: int) -> None:
        """Select a broadcast, clearing a filter that hides it."""
        index = self.model.index_of_broadcast(broadcast_id)
        if not index.isValid():
            self.search_edit.clear()
            self.status_combo.setCurrentIndex(0)
            self.result_combo.setCurrentIndex(0)
            self.date_combo.setCurrentIndex(0)
            index = self.model.index_of_broadcast(broadcast_id)
        self.select(index)

    def target(self, index: QModelIndex | None = None) -> Target | None:
        """The reference the selected row is acted on by, and its faxes."""
        index = self.current_index() if index is None else index
        node = self.model.node(index)
        if node is None:
            return None
        messages = tuple(self.model.message_rows(index))
        if node.kind == MESSAGE:
            row = node.data
            return Target(RefKind.MESSAGE, row.message_ref, messages, _who(row))
        if node.kind == SEND and node.data.send_ref:
            return Target(RefKind.SEND, node.data.send_ref, messages, _part(node, messages))
        row = node.data
        if node.kind == BROADCAST and row.broadcast_ref:
            label = f"the {words.faxes(len(messages))} of broadcast {row.broadcast_ref}"
            if len(messages) == 1:
                label = _who(messages[0])
            return Target(RefKind.BROADCAST, row.broadcast_ref, messages, label)
        if len(messages) == 1:
            # Tracked by MessageRef alone: the service knows no wider reference for it.
            return Target(RefKind.MESSAGE, messages[0].message_ref, messages, _who(messages[0]))
        return None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        self._refresh_details()

    def _refresh_details(self) -> None:
        index = self.current_index()
        node = self.model.node(index)
        if node is None:
            self.detail.clear_details()
            return
        only = node.only_message()
        if node.kind == MESSAGE or only is not None:
            self.detail.show_message(node.data if only is None else only.data)
            return
        totals = self.model.totals(index)
        row = node.data
        if node.kind == SEND:
            refs = [("Send reference", row.send_ref), ("Broadcast reference", row.broadcast_ref)]
            documents = ", ".join(row.documents)
            title = cols.cell_text(node, cols.COL_NAME)
            extra = f"<p>Documents: {documents}</p>" if documents else ""
            self.detail.show_group(group_html(title, refs, totals, extra))
            return
        refs = [("Broadcast reference", row.broadcast_ref)]
        if row.tracked:
            refs.append(("Sent from", "another computer or program (tracked)"))
        elif row.composed_by:
            refs.append(("Sent by", row.composed_by))
        self.detail.show_group(group_html(cols.cell_text(node, cols.COL_NAME), refs, totals))

    def _update_actions(self) -> None:
        target = self.target()
        messages = target.messages if target is not None else ()
        working = self._busy_actions > 0
        for action, button in (
            (Action.PAUSE, self.pause_button),
            (Action.RESUME, self.resume_button),
            (Action.STOP, self.stop_button),
        ):
            # Enabled for any unfinished fax, so that a refusal is explained, not just greyed.
            possible = any(m.status in action.possible for m in messages)
            unfinished = any(not m.finished and m.status is not None for m in messages)
            button.setEnabled(not working and (possible or unfinished))
        node = self.model.node(self.current_index())
        tracked = node is not None and self._broadcast_of(node).tracked
        failed = any(m.outcome is not None and m.outcome.value != "success" and not m.stopped
                     for m in messages)  # fmt: skip
        self.resend_button.setEnabled(
            not working and failed and not tracked and self._pipeline is not None
        )
        self.draft_button.setEnabled(node is not None and not tracked)
        self.export_action.setEnabled(node is not None)
        report = node is not None and self._send_id_for(node) is not None
        self.print_action.setEnabled(report)
        self.pdf_action.setEnabled(report)
        self.more_button.setEnabled(node is not None)

    def _broadcast_of(self, node: Any) -> Any:
        if node.kind == BROADCAST:
            return node.data
        row = self.model.broadcast_row(int(node.data.broadcast_id))
        return row

    def _send_id_for(self, node: Any) -> int | None:
        """The send a report is printed for: the selected one, or the broadcast's only one."""
        if node.kind == SEND:
            return int(node.data.id)
        if node.kind == MESSAGE:
            return int(node.data.send_id)
        sends = self.model.send_rows(int(node.data.id))
        return sends[0].id if len(sends) == 1 else None

    def _context_menu(self, point: Any) -> None:
        index = self.tree.indexAt(point)
        if not index.isValid():
            return
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        for button in (
            self.pause_button,
            self.resume_button,
            self.stop_button,
            self.resend_button,
            self.draft_button,
        ):
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        menu.addSeparator()
        for action in (self.export_action, self.print_action, self.pdf_action):
            menu.addAction(action)
        menu.popup(self.tree.viewport().mapToGlobal(point))

    # ------------------------------------------------------------------ pause, resume, stop

    def _say(self, text: str, style: str = NOTE_STYLE) -> None:
        self.message_label.setStyleSheet(style)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def ask(self, action: Action) -> None:
        """Confirm, then pause, resume or stop the selection (the question is window-modal)."""
        target = self.target()
        if target is None:
            return
        if not target.actionable(action):
            self._say(_nothing_to_do(action, target), ERROR_STYLE)
            return
        title, detail = _CONFIRM[action]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(f"{action.verb} faxes")
        box.setText(title.format(what=target.label))
        box.setInformativeText(detail)
        yes = box.addButton(f"&{action.verb}", QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(f"&Don't {action.value}", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes if action is not Action.STOP else no)
        box.setEscapeButton(no)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        index = QPersistentModelIndex(self.current_index())

        def answered() -> None:
            self.last_question = None
            if box.clickedButton() is yes:
                self.act(action, target, index)

        box.finished.connect(answered)
        self.last_question = box
        box.open()

    def act(
        self, action: Action, target: Target, index: QPersistentModelIndex | None = None
    ) -> None:
        """Pause, resume or stop `target` now, without asking (after the question)."""
        if index is not None and index.isValid():
            self.model.set_pending(QModelIndex(index), action.value)
        self._busy_actions += 1
        self._update_actions()
        self._say(f"{words.PENDING_WORDS[action.value]} asking the fax service …")
        run_task(
            run_action,
            self._history,
            self._client_factory,
            action,
            target.kind,
            target.ref,
            on_done=lambda outcome: self._acted(action, target, outcome, index),
            on_error=lambda error: self._action_failed(action, target, error, index),
            context=self,
        )

    def _acted(
        self,
        action: Action,
        target: Target,
        outcome: ActionOutcome,
        index: QPersistentModelIndex | None,
    ) -> None:
        self._busy_actions -= 1
        changes = outcome.changes
        self.model.update_rows(changes.messages, changes.send_totals, changes.broadcast_totals)
        if index is not None and index.isValid():
            self.model.set_pending(QModelIndex(index), None)
        done = {Action.PAUSE: "pausing", Action.RESUME: "resuming", Action.STOP: "stopping"}
        parts = []
        if outcome.done:
            parts.append(f"The fax service is {done[action]} {words.faxes(outcome.done)}.")
        parts += outcome.refused
        self._say(" ".join(parts), ERROR_STYLE if outcome.refused else NOTE_STYLE)
        self._update_actions()
        self._refresh_details()
        self.poller.wake()

    def _action_failed(
        self,
        action: Action,
        target: Target,
        error: Exception,
        index: QPersistentModelIndex | None,
    ) -> None:
        self._busy_actions -= 1
        if index is not None and index.isValid():
            self.model.set_pending(QModelIndex(index), None)
        self._say(
            f"{target.label[:1].upper()}{target.label[1:]} could not be {_past(action)}: "
            f"{describe_error(error)}",
            ERROR_STYLE,
        )
        self._update_actions()

    # ------------------------------------------------------------------ resend, draft

    def ask_resend(self) -> None:
        """Confirm, then send the failed faxes of the selection again."""
        target = self.target()
        node = self.model.node(self.current_index())
        if target is None or node is None or self._pipeline is None:
            return
        failed = [
            m for m in target.messages
            if m.outcome is not None and m.outcome.value != "success" and not m.stopped
        ]  # fmt: skip
        if not failed:
            self._say("Nothing here failed, so there is nothing to resend.", ERROR_STYLE)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Resend failed faxes")
        box.setText(f"Send the {words.faxes(len(failed))} that failed again?")
        box.setInformativeText(
            "They go as a new part of the same broadcast, with new references. "
            "The faxes that were sent are not sent again."
        )
        yes = box.addButton("&Resend", QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton("&Don't resend", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes)
        box.setEscapeButton(no)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if node.kind == SEND:
            where = {"send_id": int(node.data.id)}
        elif node.kind == MESSAGE and len(self.model.send_rows(int(node.data.broadcast_id))) > 1:
            where = {"send_id": int(node.data.send_id)}
        else:
            where = {
                "broadcast_id": int(
                    node.data.broadcast_id if node.kind == MESSAGE else node.data.id
                )
            }

        def answered() -> None:
            self.last_question = None
            if box.clickedButton() is yes:
                self.resend(**where)

        box.finished.connect(answered)
        self.last_question = box
        box.open()

    def resend(self, *, send_id: int | None = None, broadcast_id: int | None = None) -> None:
        """Resend the failed faxes of a send or a broadcast now, without asking."""
        if self._pipeline is None:
            return
        self._busy_actions += 1
        self._update_actions()
        self._say("Resending the failed faxes …")
        run_task(
            _resend,
            self._store,
            self._history,
            self._pipeline,
            send_id,
            broadcast_id,
            on_done=self._resent,
            on_error=self._resend_failed,
            context=self,
        )

    def _resent(self, outcome: ResendOutcome) -> None:
        self._busy_actions -= 1
        report = outcome.report
        self._apply_added(outcome.changes)
        submitted = len(report.submitted)
        if report.all_submitted:
            self._say(f"The failed faxes were sent again ({_requests(submitted)}).")
        elif report.waiting:
            self._say(
                "The failed faxes wait in the outbox: the fax service could not be reached. "
                "They go out by themselves when it can.",
                ERROR_STYLE,
            )
        else:
            reasons = " ".join(r.message for r in report.failed if r.message)
            self._say(f"The resend was refused. {reasons}".strip(), ERROR_STYLE)
        self._update_actions()

    def _resend_failed(self, error: Exception) -> None:
        self._busy_actions -= 1
        text = getattr(error, "user_message", None) or describe_error(error)
        self._say(f"Nothing was resent: {text}", ERROR_STYLE)
        self._update_actions()

    def open_as_draft(self) -> None:
        """Put a copy of the selected job in the composer, with new references."""
        node = self.model.node(self.current_index())
        if node is None:
            return
        if node.kind == SEND:
            kwargs: dict[str, Any] = {"send_key": node.data.key or node.data.send_ref}
        else:
            broadcast = self._broadcast_of(node)
            kwargs = {"broadcast_id": int(broadcast.id)}
        run_task(
            _draft,
            self._store,
            kwargs,
            on_done=self.draft_requested.emit,
            on_error=lambda error: self._say(
                "This fax cannot be opened as a new fax: "
                + (getattr(error, "user_message", None) or describe_error(error)),
                ERROR_STYLE,
            ),
            context=self,
        )

    # ------------------------------------------------------------------ track

    def open_track_dialog(self) -> None:
        """Ask for a reference sent from elsewhere and follow it."""
        from faxgui.ui.status.track_dialog import TrackDialog

        if self.track_dialog is not None:
            self.track_dialog.raise_()
            self.track_dialog.activateWindow()
            return
        dialog = self.track_dialog = TrackDialog(self._history, self._client_factory, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._tracked(dialog))
        dialog.destroyed.connect(self._track_dialog_closed)
        dialog.show()

    def _track_dialog_closed(self) -> None:
        self.track_dialog = None

    def _tracked(self, dialog: TrackDialog) -> None:
        changes = dialog.tracked
        if changes is None:
            return
        self._apply_added(changes)
        reference = dialog.reference[1] if dialog.reference else ""
        self.status_message.emit(f"Following {reference}.")
        if changes.broadcasts:
            self._show(changes.broadcasts[0].id)

    # ------------------------------------------------------------------ exports

    def export_csv(self) -> None:
        """Save the results of the selected broadcast as a CSV file."""
        from faxgui.jobs.exports import write_broadcast_csv

        node = self.model.node(self.current_index())
        if node is None:
            return
        broadcast = self._broadcast_of(node)
        suggested = str(Path.home() / f"{broadcast.broadcast_ref or 'fax'}-results.csv")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the results", suggested, "CSV files (*.csv)"
        )
        if not path:
            return
        run_task(
            write_broadcast_csv,
            self._history,
            int(broadcast.id),
            Path(path),
            on_done=lambda rows: self._say(f"{words.faxes(rows)} exported to {path}."),
            on_error=lambda error: self._say(
                f"The results could not be saved to {path} ({error}). "
                "Choose another folder and try again.",
                ERROR_STYLE,
            ),
            context=self,
        )

    def report(self, *, to_pdf: bool, path: Path | None = None) -> None:
        """Print, or save as PDF, the transmission report of the selected send."""
        node = self.model.node(self.current_index())
        send_id = None if node is None else self._send_id_for(node)
        if send_id is None:
            self._say(
                "Select one part of the broadcast (or one of its faxes) to print its report.",
                ERROR_STYLE,
            )
            return
        if to_pdf and path is None:
            send = self.model.send_row(send_id)
            name = send.send_ref if send is not None and send.send_ref else "fax"
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Save the transmission report",
                str(Path.home() / f"{name}-report.pdf"),
                "PDF files (*.pdf)",
            )
            if not chosen:
                return
            path = Path(chosen)
        run_task(
            _report_html,
            self._history,
            send_id,
            on_done=lambda html: self._write_report(html, to_pdf, path),
            on_error=lambda error: self._say(
                f"The report could not be made: {describe_error(error)}", ERROR_STYLE
            ),
            context=self,
        )

    def _write_report(self, html: str, to_pdf: bool, path: Path | None) -> None:
        from faxgui.ui.status.reports import print_report, write_report_pdf

        if not to_pdf:
            if print_report(html, self):
                self._say("The transmission report went to the printer.")
            return
        assert path is not None
        try:
            write_report_pdf(html, path)
        except OSError as exc:
            self._say(
                f"The report could not be saved to {path} ({exc}). Choose another folder.",
                ERROR_STYLE,
            )
            return
        self._say(f"Transmission report saved as {path}.")


def _keep(page: Page) -> None:
    """Leave a page's rows out of the cycle collector's passes from now on.

    They live as long as the panel, and hold no cycles that matter: with
    50,000 faxes read, a full pass over them all takes ~0.15 s here, the
    window frozen meanwhile (the collector runs on the GUI thread, see
    `faxgui.ui.gui_gc`), every time one comes due. Frozen objects are still
    freed by reference counting. The same goes for a big new send's rows.
    """
    if page.tree.message_list:
        gc.freeze()


def _report_html(history: JobHistory, send_id: int) -> str:
    from faxgui.jobs.exports import report_html, transmission_report

    return report_html(transmission_report(history, send_id))


def _resend(
    store: JobStore,
    history: JobHistory,
    pipeline: SendPipeline,
    send_id: int | None,
    broadcast_id: int | None,
) -> ResendOutcome:
    from faxgui.ui.status.actions import resend_failed

    return resend_failed(store, history, pipeline, send_id=send_id, broadcast_id=broadcast_id)


def _draft(store: JobStore, where: dict[str, Any]) -> Any:
    from faxgui.ui.status.actions import draft_for

    return draft_for(store, **where)


def _who(row: Any) -> str:
    name = row.recipient_name
    return f"the fax to {name} ({row.send_to})" if name else f"the fax to {row.send_to}"


def _part(node: Any, messages: Any) -> str:
    return f"the {words.faxes(len(messages))} of part {node.data.position} ({node.data.send_ref})"


def _past(action: Action) -> str:
    return {Action.PAUSE: "paused", Action.RESUME: "resumed", Action.STOP: "stopped"}[action]


def _requests(count: int) -> str:
    return f"{count} new part{'' if count == 1 else 's'} of the broadcast"


def _nothing_to_do(action: Action, target: Target) -> str:
    """Why the button did nothing: the service would refuse it for every fax selected."""
    from faxgui.api.enums import FaxStatus

    statuses = {m.status for m in target.messages}
    label = target.label[:1].upper() + target.label[1:]
    if action is Action.RESUME:
        return f"{label}: nothing is paused, so there is nothing to resume."
    if statuses & {FaxStatus.SENDING, FaxStatus.FINALIZING}:
        return (
            f"{label}: a fax already being transmitted cannot be {_past(action)}; "
            "the call is under way and will finish."
        )
    if all(m.finished for m in target.messages):
        return f"{label}: already finished, so there is nothing to {action.value}."
    if action is Action.PAUSE and statuses & {FaxStatus.PAUSED, FaxStatus.PAUSING}:
        return f"{label}: already paused."
    if None in statuses:
        return (
            f"{label}: not yet at the fax service (it waits in the outbox). "
            "Cancel it from Go → Outbox instead."
        )
    return f"{label}: cannot be {_past(action)} now."
