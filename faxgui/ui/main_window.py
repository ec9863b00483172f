"""The main window: composing and sending a fax, the faxes sent, and where faxes go."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

# The window is built in two stages, so that it paints nearly as early as a bare window
# (tests/benchmarks/test_bench_startup.py). What the first paint needs is imported here,
# the rest where it is used, after that paint: the Qt namespace, reached through QtCore,
# because `from PySide6.QtCore import Qt` makes PySide build its ~94 enum types at once
# (about 40 ms); config.connection and the API models (about 20 ms of dataclass
# creation); the Settings dialog; the composer and everything that sends (the compose
# modules bring in phonenumbers, SQLite and the imaging libraries); Qt classes the first
# paint does not use (PySide creates each on first use, with its enums).
from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import faxgui
from faxgui.api.errors import ServiceFault
from faxgui.config.endpoints import EndpointError, EndpointKind
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_CUSTOM_URL,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    PHONE_REGION,
    WINDOW_GEOMETRY,
)
from faxgui.config.secrets import KeyringUnavailableError, PasswordStore
from faxgui.config.settings import Settings
from faxgui.sandbox.accounts import DEMO_USERNAME
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.feedback import (
    ERROR,
    NOTE,
    SUCCESS,
    connection_state,
    describe_error,
)
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from faxgui.api.client import MonopondClient
    from faxgui.compose.draft import Draft
    from faxgui.compose.phone import PhoneNormaliser
    from faxgui.compose.pipeline import SendReport
    from faxgui.config.connection import Connection
    from faxgui.jobs.address_book import AddressBook
    from faxgui.jobs.store import JobStore
    from faxgui.ui.compose_tab import ComposeTab
    from faxgui.ui.outbox_dialog import OutboxDialog
    from faxgui.ui.settings_dialog import SettingsDialog
    from faxgui.ui.status.panel import StatusPanel

log = logging.getLogger(__name__)

SANDBOX_TITLE = "faxgui — Sandbox (simulated faxes)"
NOT_CONNECTED_YET = "Not connected yet"
COMPOSE_TAB_TITLE = "New fax"
SENT_TAB_TITLE = "Sent faxes"

# How long a passing remark stays in the status bar.
MESSAGE_MS = 20_000

BANNER_STYLE = (
    "QLabel { background: #fff4c2; color: #4a3b00; border: 1px solid #e0c860;"
    " border-radius: 4px; padding: 8px; }"
)
WARNING_STYLE = (
    "QLabel { background: #fde2e1; color: #6b1512; border: 1px solid #e8a19d;"
    " border-radius: 4px; padding: 8px; }"
)


def waiting_text(count: int) -> str:
    """The status bar's note on the outbox: "3 faxes waiting to be sent" (empty for none)."""
    if count <= 0:
        return ""
    return f"{count:,} fax{'' if count == 1 else 'es'} waiting to be sent"


@dataclass(frozen=True, slots=True)
class SendTarget:
    """Where sends go, as plain values: the send pipeline's workers read it, never the window."""

    kind: EndpointKind
    custom_url: str
    username: str
    sandbox_url: str | None
    timeout_s: float


class ClientFactory:
    """Makes a MonopondClient for the service and account in the settings at the time.

    The window replaces `target` (on the GUI thread) whenever the settings or
    the sandbox change; the send pipeline calls the factory on its workers,
    which look the password up in the keyring there, off the GUI thread.
    """

    def __init__(self, passwords: PasswordStore, target: SendTarget) -> None:
        self._passwords = passwords
        self.target = target

    def __call__(self) -> MonopondClient:
        from faxgui.config.connection import make_connection

        target = self.target
        password = ""
        if target.kind is not EndpointKind.SANDBOX and target.username:
            password = self._passwords.get(target.kind, target.username) or ""
        connection = make_connection(
            target.kind,
            custom_url=target.custom_url,
            username=target.username,
            password=password,
            sandbox_url=target.sandbox_url,
            timeout_s=target.timeout_s,
        )
        return connection.client()


def window_title(kind: EndpointKind, username: str, custom_url: str) -> str:
    """'faxgui — <who> @ <where>', or the sandbox title that says faxes are simulated."""
    if kind is EndpointKind.SANDBOX:
        return SANDBOX_TITLE
    where = kind.short_name
    if kind is EndpointKind.CUSTOM:
        where = urlsplit(custom_url).netloc or where
    return f"faxgui — {username or 'no account set'} @ {where}"


class MainWindow(QMainWindow):
    """The app's one main window: the "New fax" tab (the composer) and "Sent faxes".

    It reads the settings it is given and saves them when Settings is
    accepted or the window closes (its geometry). It is built in two stages:
    what its first paint shows, then, just after that paint, the rest (the
    composer and what sends, the job store, the sent faxes panel,
    selectable label text, starting the sandbox). `files` are attached to the
    fax being composed once the composer is there. The job store and the
    address book are the app's only ones: `close_stores()` closes them once
    no worker uses them any more.

    Signals:
        built(): the second stage is done, the composer is there; emitted once.
    """

    built = Signal()

    def __init__(
        self,
        settings: Settings,
        passwords: PasswordStore,
        sandbox: EmbeddedSandbox,
        parent: QWidget | None = None,
        *,
        files: Sequence[Path] = (),
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._passwords = passwords
        self._sandbox = sandbox
        self._sandbox_problem = ""
        self._second_stage_queued = False
        self._files = list(files)
        self._client_factory = ClientFactory(passwords, self._send_target())
        # The default country and service the composer reads numbers for.
        self._numbers_key: tuple[str, bool] | None = None
        self._closing = False
        self.job_store: JobStore | None = None
        self.address_book: AddressBook | None = None
        self.compose_tab: ComposeTab | None = None
        # Bumped when the service or account changes, so late answers from before are dropped.
        self._generation = 0
        self.settings_dialog: SettingsDialog | None = None
        self.outbox_dialog: OutboxDialog | None = None

        self.banner = QLabel()
        self.notice = QLabel()
        self.where_label = QLabel()
        self.account_label = QLabel()
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel()
        self.status_panel: StatusPanel | None = None
        self.connection_status = QLabel(NOT_CONNECTED_YET)
        # A flat button: clicked, it lists the waiting faxes (to send now or cancel).
        self.waiting_label = QPushButton()
        self.tabs = QTabWidget()
        self.compose_page = QWidget()
        self.sent_page = QWidget()

        self._build_menus()
        self._build_central()
        self.waiting_label.hide()
        self.waiting_label.setFlat(True)
        self.waiting_label.setToolTip(
            "Not yet submitted: they go out by themselves when the fax service can be "
            "reached (F5 tries now). Click to see them or cancel one (Ctrl+3)"
        )
        self.waiting_label.clicked.connect(self.open_outbox)
        self.statusBar().addPermanentWidget(self.waiting_label)
        self.statusBar().addPermanentWidget(self.connection_status)

        sandbox.ready.connect(self._on_sandbox_ready)
        sandbox.failed.connect(self._on_sandbox_failed)
        self.test_button.clicked.connect(self.test_connection)

        if settings.warnings:
            self.notice.setText("\n\n".join(settings.warnings))
            self.notice.show()
        self._restore_geometry()
        self._apply_settings()

    # ------------------------------------------------------------------ building

    def _build_menus(self) -> None:
        # Keyword arguments and setShortcuts with a list, to keep PySide's overload matching
        # from creating classes the first paint does not need (see the imports): given
        # positional text, QAction tries QIcon first; setShortcut tries Qt.Key.
        file_menu = self.file_menu = self.menuBar().addMenu("&File")
        self.settings_action = QAction(text="&Settings…", parent=self)
        self.settings_action.setShortcuts([QKeySequence("Ctrl+,")])
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        self.quit_action = QAction(text="&Quit", parent=self)
        self.quit_action.setShortcuts([QKeySequence("Ctrl+Q")])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        self.show_compose_action = QAction(text="&New fax tab", parent=self)
        self.show_compose_action.setShortcuts([QKeySequence("Ctrl+1")])
        self.show_compose_action.triggered.connect(self.show_composer)
        go_menu.addAction(self.show_compose_action)
        self.show_sent_action = QAction(text="&Sent faxes tab", parent=self)
        self.show_sent_action.setShortcuts([QKeySequence("Ctrl+2")])
        self.show_sent_action.triggered.connect(self.show_sent_faxes)
        go_menu.addAction(self.show_sent_action)
        self.track_action = QAction(text="&Track a reference…", parent=self)
        self.track_action.setShortcuts([QKeySequence("Ctrl+T")])
        self.track_action.setEnabled(False)
        self.track_action.triggered.connect(self.track_reference)
        go_menu.addAction(self.track_action)
        go_menu.addSeparator()
        self.retry_outbox_action = QAction(text="&Send waiting faxes now", parent=self)
        self.retry_outbox_action.setShortcuts([QKeySequence("F5")])
        self.retry_outbox_action.setEnabled(False)
        go_menu.addAction(self.retry_outbox_action)
        self.outbox_action = QAction(text="&Outbox…", parent=self)
        self.outbox_action.setShortcuts([QKeySequence("Ctrl+3")])
        self.outbox_action.setEnabled(False)
        self.outbox_action.triggered.connect(self.open_outbox)
        go_menu.addAction(self.outbox_action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction(text="&About faxgui", parent=self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        for label, style in ((self.banner, BANNER_STYLE), (self.notice, WARNING_STYLE)):
            label.setStyleSheet(style)
            label.setWordWrap(True)
            label.hide()
            layout.addWidget(label)
        QVBoxLayout(self.compose_page).setContentsMargins(0, 0, 0, 0)
        # The panel goes above the connection card once the job store is open.
        sent = QVBoxLayout(self.sent_page)
        sent.setContentsMargins(0, 0, 0, 0)
        sent.addWidget(self._connection_box())
        self.tabs.addTab(self.compose_page, COMPOSE_TAB_TITLE)
        self.tabs.addTab(self.sent_page, SENT_TAB_TITLE)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.resize(1200, 800)

    def _connection_box(self) -> QGroupBox:
        box = QGroupBox("Connection")
        form = QFormLayout(box)
        for label in (self.where_label, self.account_label, self.test_result):
            label.setWordWrap(True)
        form.addRow("Faxes go to:", self.where_label)
        form.addRow("Account:", self.account_label)
        self._test_row = QHBoxLayout()
        self._test_row.addWidget(self.test_button)
        self._test_row.addWidget(self.test_result, 1)
        form.addRow(self._test_row)
        return box

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._second_stage_queued:
            self._second_stage_queued = True
            # Queued from the first paint, so it runs once that paint is done; queued
            # from __init__ or showEvent, it could run before it.
            QTimer.singleShot(0, self, self._finish_building)

    def _finish_building(self) -> None:
        """The second stage: what names a Qt namespace enum, the sandbox, then the composer
        and the sent faxes panel."""
        Qt = QtCore.Qt
        for label in (
            self.where_label,
            self.account_label,
            self.test_result,
        ):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Level with the first line of a long, wrapped answer (the result is empty until then).
        self._test_row.setAlignment(self.test_button, Qt.AlignmentFlag.AlignTop)

        # Files dropped anywhere on the window (not only on the composer, which takes its
        # own drops first) are attached to the fax being composed.
        from faxgui.ui.composer.file_drops import FileDrops

        self.file_drops = FileDrops(self)
        self.file_drops.dropped.connect(self.open_files)

        # Started here, not in __init__: its worker imports about 0.5 s of modules, taking
        # the GIL in turns with the thread painting the window.
        self._start_sandbox_if_chosen()
        # The composer's Qt-free modules load on a worker (about 0.3 s, most of it pymupdf
        # and phonenumbers), so the window answers while they do; then its widgets are
        # made here.
        run_task(
            _import_composer_modules,
            on_done=lambda _: self._build_composer(),
            on_error=lambda _: self._build_composer(),
            context=self,
        )

    def _build_composer(self) -> None:
        """The "New fax" tab: the composer, what sends it, the outbox and the saved draft."""
        if self._closing:
            return
        self._add_composer_tab()
        self.built.emit()

    def _add_composer_tab(self) -> None:
        from faxgui.jobs.store import JobStore
        from faxgui.ui.compose_tab import ComposeTab

        try:
            self.job_store = JobStore()
        except Exception as exc:
            log.exception("Could not open the job store")
            problem = QLabel(
                f"faxgui could not open its fax history ({exc}), so it cannot send faxes. "
                "Free some disk space, or check that your data folder can be written to, "
                "then start faxgui again."
            )
            problem.setWordWrap(True)
            problem.setStyleSheet(WARNING_STYLE)
            problem.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
            self.compose_page.layout().addWidget(problem)
            return
        numbers = self._phone_numbers()
        tab = self.compose_tab = ComposeTab(
            self.job_store, self._client_factory, numbers, self.compose_page
        )
        self.compose_page.layout().addWidget(tab)
        # At once, not when the layout gets round to it: `built` means the tab is there.
        tab.show()
        self._add_composer_actions(tab)
        tab.status_message.connect(lambda text: self.statusBar().showMessage(text, MESSAGE_MS))
        tab.waiting_changed.connect(self._show_waiting)
        tab.look_up_requested.connect(self.show_broadcast)
        tab.recipients_added.connect(self.show_composer)
        tab.controller.finished.connect(self._after_send)
        tab.watcher.pass_finished.connect(lambda done: self._after_send(done.report))
        self.retry_outbox_action.triggered.connect(tab.retry_outbox)
        self.outbox_action.setEnabled(True)
        self._open_address_book(tab, numbers)
        self._add_status_panel(tab)
        tab.start()
        # Files waiting while a fax goes out are attached to a new fax once it has gone
        # (after `finished` has marked it sent, hence the queued call).
        tab.controller.busy_changed.connect(
            lambda busy: busy or QTimer.singleShot(0, self, self._attach_waiting_files)
        )
        self._attach_waiting_files()
        if self.tabs.currentWidget() is self.compose_page:
            tab.composer.recipients_panel.to_edit.setFocus()

    def _add_status_panel(self, tab: ComposeTab) -> None:
        """The "Sent faxes" tab: the history of every fax, followed live."""
        from faxgui.jobs.history import JobHistory
        from faxgui.ui.status.panel import StatusPanel

        assert self.job_store is not None
        panel = self.status_panel = StatusPanel(
            JobHistory(self.job_store), self.job_store, self._client_factory, self.sent_page
        )
        self.sent_page.layout().insertWidget(0, panel, 1)
        panel.set_pipeline(tab.controller.pipeline)
        panel.status_message.connect(lambda text: self.statusBar().showMessage(text, MESSAGE_MS))
        panel.service_state.connect(self._on_poll_answer)
        panel.draft_requested.connect(self._open_draft)
        tab.controller.finished.connect(panel.note_sent)
        tab.watcher.pass_finished.connect(lambda done: panel.note_sent(done.report))
        self.track_action.setEnabled(True)
        panel.start()

    def _on_poll_answer(self, error: Exception | None) -> None:
        """The connection state from a status poll; the app keeps working when it failed."""
        self._set_connection_state(error)
        if error is not None:
            self.statusBar().showMessage(
                f"{describe_error(error)} The sent faxes show what was last known; "
                "faxgui keeps trying.",
                MESSAGE_MS,
            )

    def _open_draft(self, draft: Draft) -> None:
        """Put a job from the sent faxes in the composer, as a new fax (asks before clearing)."""
        from PySide6.QtWidgets import QMessageBox

        from faxgui.ui.compose_tab import is_blank

        tab = self.compose_tab
        if tab is None:
            return
        if tab.controller.busy:
            self.statusBar().showMessage(
                "Wait until the fax has been sent, then open the other one.", MESSAGE_MS
            )
            return
        if not is_blank(tab.composer.draft()) and not tab.done_bar.isVisible():
            answer = QMessageBox.question(
                self,
                "Open as a new fax",
                "The composer holds a fax that has not been sent. Replace it with this one?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        tab.start_new_fax()
        tab.composer.set_draft(draft)
        tab.autosaver.schedule()
        self.show_composer()
        self.statusBar().showMessage(
            "A copy of the fax, with new references: change what you need and press Send.",
            MESSAGE_MS,
        )

    def _open_address_book(self, tab: ComposeTab, numbers: PhoneNormaliser) -> None:
        from faxgui.jobs.address_book import AddressBook

        try:
            self.address_book = AddressBook(numbers=numbers)
        except Exception as exc:
            log.exception("Could not open the address book")
            reason = getattr(exc, "user_message", None) or str(exc)
            self._add_notice(
                f"The address book could not be opened ({reason}). Faxes can still be sent "
                "to numbers typed in “To:”."
            )
            return
        tab.set_address_book(self.address_book)

    def _add_composer_actions(self, tab: ComposeTab) -> None:
        """The composer's own actions in the File menu, shortcuts and all (never duplicated)."""
        composer = tab.composer
        groups = [
            [tab.new_fax_action, tab.address_book_action],
            [
                composer.add_documents_action,
                composer.saved_document_action,
                composer.focus_to_action,
                composer.paste_action,
                composer.import_action,
                composer.export_action,
            ],
            [composer.next_problem_action, composer.send_action],
        ]
        listed = {action for group in groups for action in group}
        # Any the composer gains later are listed too, rather than left out of the menu.
        groups[1] += [action for action in composer.actions() if action not in listed]
        for group in groups:
            self.file_menu.insertActions(self.settings_action, group)
            self.file_menu.insertSeparator(self.settings_action)
            for action in group:
                # Chosen from the menu while another tab shows, it is about the composer.
                action.triggered.connect(self.show_composer)

    def _phone_numbers(self) -> PhoneNormaliser:
        """The fax number reader for the default country in Settings, and for the service."""
        from faxgui.compose.phone import DEFAULT_REGION, PhoneNormaliser, region_name
        from faxgui.sandbox.numbers import TEST_NUMBER_PREFIX

        region = self._settings.get(PHONE_REGION)
        sandbox = self._settings.get(ENDPOINT_KIND) is EndpointKind.SANDBOX
        self._numbers_key = (region, sandbox)

        def is_test_number(digits: str) -> bool:
            return digits.startswith(TEST_NUMBER_PREFIX)

        extra_valid = is_test_number if sandbox else None
        try:
            return PhoneNormaliser(region, extra_valid=extra_valid)
        except ValueError:
            self._add_notice(
                f"The default country for fax numbers in the settings, “{region}”, is not "
                f"one faxgui knows, so numbers are read as in {region_name(DEFAULT_REGION)}. "
                "Choose the country in File → Settings…"
            )
            return PhoneNormaliser(DEFAULT_REGION, extra_valid=extra_valid)

    # ------------------------------------------------------------------ tabs

    def open_files(self, paths: Sequence[Path]) -> None:
        """Attach documents to the fax being composed and show it: files given on the
        command line, dropped on the window, opened with faxgui from the system or
        handed over by a second start. Kept until the composer can take them."""
        if not paths:
            return
        self._files += [Path(path) for path in paths]
        self.show_composer()
        self._attach_waiting_files()

    def _attach_waiting_files(self) -> None:
        tab = self.compose_tab
        if tab is None or not self._files:
            return
        if tab.controller.busy:
            # The draft being sent must not change under the send.
            self.statusBar().showMessage(
                "The documents will be added to a new fax once this one has been sent.",
                MESSAGE_MS,
            )
            return
        files, self._files = self._files, []
        tab.add_files(files)

    def show_composer(self) -> None:
        """Bring the "New fax" tab forward."""
        if self.tabs.currentWidget() is not self.compose_page:
            self.tabs.setCurrentWidget(self.compose_page)
            if self.compose_tab is not None:
                self.compose_tab.composer.recipients_panel.to_edit.setFocus()

    def show_sent_faxes(self) -> None:
        """Bring the "Sent faxes" tab forward, ready to search."""
        self.tabs.setCurrentWidget(self.sent_page)
        if self.status_panel is not None:
            self.status_panel.search_edit.setFocus()

    def show_broadcast(self, broadcast_ref: str) -> None:
        """Show the faxes of one broadcast in the "Sent faxes" tab."""
        self.tabs.setCurrentWidget(self.sent_page)
        panel = self.status_panel
        if panel is not None:
            panel.show_broadcast_ref(broadcast_ref)

    def track_reference(self) -> None:
        """Follow a fax sent from elsewhere by its reference (in the "Sent faxes" tab)."""
        if self.status_panel is not None:
            self.tabs.setCurrentWidget(self.sent_page)
            self.status_panel.open_track_dialog()

    def _after_send(self, report: SendReport | None) -> None:
        """The connection state, from what the service said (or did not say) to a send."""
        if report is None:
            return
        if report.stopped_by is not None:
            self._set_connection_state(report.stopped_by)
        elif report.submitted or any(isinstance(r.error, ServiceFault) for r in report.failed):
            self._set_connection_state(None)

    def _show_waiting(self, count: int) -> None:
        self.waiting_label.setText(waiting_text(count))
        self.waiting_label.setVisible(count > 0)
        self.retry_outbox_action.setEnabled(count > 0)

    def open_outbox(self) -> None:
        """Show the faxes not yet submitted (the window is made the first time)."""
        tab = self.compose_tab
        if tab is None:
            return
        if self.outbox_dialog is None:
            from faxgui.ui.outbox_dialog import OutboxDialog

            self.outbox_dialog = OutboxDialog(tab.controller.pipeline, tab.watcher, self)
        self.outbox_dialog.show()
        self.outbox_dialog.raise_()
        self.outbox_dialog.activateWindow()

    def _add_notice(self, text: str) -> None:
        shown = self.notice.text()
        self.notice.setText(f"{shown}\n\n{text}" if shown else text)
        self.notice.show()

    # ------------------------------------------------------------------ settings

    def _apply_settings(self) -> None:
        """Show the service and account the settings point at."""
        kind = self._settings.get(ENDPOINT_KIND)
        username = self._settings.get(ACCOUNT_USERNAME)
        custom_url = self._settings.get(ENDPOINT_CUSTOM_URL)
        self.setWindowTitle(window_title(kind, username, custom_url))
        sandbox = kind is EndpointKind.SANDBOX
        self.banner.setVisible(sandbox)
        self.banner.setText(
            "<b>Sandbox:</b> faxes sent here are simulated and nothing is really sent. "
            f"You are using the built-in demo account “{DEMO_USERNAME}”. "
            "To send real faxes, choose Monopond in File → Settings…"
        )
        if sandbox:
            self.account_label.setText(f"{DEMO_USERNAME} (the sandbox's demo account)")
        else:
            self.account_label.setText(username or "None yet: enter it in File → Settings…")
        self._show_where()

    def _send_target(self) -> SendTarget:
        return SendTarget(
            kind=self._settings.get(ENDPOINT_KIND),
            custom_url=self._settings.get(ENDPOINT_CUSTOM_URL),
            username=self._settings.get(ACCOUNT_USERNAME),
            sandbox_url=self._sandbox.url,
            timeout_s=self._settings.get(NETWORK_TIMEOUT_S),
        )

    def _service_changed(self) -> None:
        """Sends go where the settings now say; waiting faxes try again there."""
        self._client_factory.target = self._send_target()
        if self.compose_tab is not None:
            self.compose_tab.retry_outbox()

    def _show_where(self) -> None:
        kind = self._settings.get(ENDPOINT_KIND)
        ready = True
        if kind is EndpointKind.SANDBOX:
            url = self._sandbox.url
            if url is not None:
                self.where_label.setText(f"The built-in sandbox on this computer ({url})")
            elif self._sandbox_problem:
                self.where_label.setText(self._sandbox_problem)
                ready = False
            else:
                self.where_label.setText("The built-in sandbox (starting …)")
                ready = False
        elif kind is EndpointKind.CUSTOM:
            self.where_label.setText(self._settings.get(ENDPOINT_CUSTOM_URL))
        else:
            self.where_label.setText(f"{kind.short_name} ({kind.fixed_url})")
        self.test_button.setEnabled(ready)

    def _on_sandbox_ready(self, _url: str) -> None:
        self._sandbox_problem = ""
        self._show_where()
        self._service_changed()

    def _on_sandbox_failed(self, message: str) -> None:
        self._sandbox_problem = message
        self._show_where()
        self._service_changed()

    def open_settings(self) -> None:
        """Open the Settings dialog (window-modal); its changes apply when it is accepted."""
        from faxgui.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._settings, self._passwords, sandbox=self._sandbox, parent=self)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_settings_finished)
        self.settings_dialog = dialog
        dialog.open()

    def _on_settings_finished(self, result: int) -> None:
        from PySide6.QtWidgets import QDialog

        dialog, self.settings_dialog = self.settings_dialog, None
        if dialog is None or result != QDialog.DialogCode.Accepted:
            return
        self._forget_answers()
        if dialog.password_note:
            self.test_result.setStyleSheet(NOTE.style())
            self.test_result.setText(dialog.password_note)
        self._apply_settings()
        if self.compose_tab is not None:
            region = self._settings.get(PHONE_REGION)
            sandbox = self._settings.get(ENDPOINT_KIND) is EndpointKind.SANDBOX
            if self._numbers_key != (region, sandbox):
                self.compose_tab.set_numbers(self._phone_numbers())
        self._service_changed()
        self._start_sandbox_if_chosen()

    def _start_sandbox_if_chosen(self) -> None:
        if self._settings.get(ENDPOINT_KIND) is EndpointKind.SANDBOX:
            self._sandbox.start()

    # ------------------------------------------------------------------ requests

    def _connection(self) -> Connection:
        from faxgui.config.connection import make_connection

        kind = self._settings.get(ENDPOINT_KIND)
        username = self._settings.get(ACCOUNT_USERNAME)
        password = ""
        if kind is not EndpointKind.SANDBOX and username:
            password = self._passwords.get(kind, username) or ""
        return make_connection(
            kind,
            custom_url=self._settings.get(ENDPOINT_CUSTOM_URL),
            username=username,
            password=password,
            sandbox_url=self._sandbox.url,
            timeout_s=self._settings.get(NETWORK_TIMEOUT_S),
        )

    def test_connection(self) -> None:
        """Check in the background that the service accepts the account; show the answer."""
        from faxgui.config.connection import AccountMissingError, check_connection

        try:
            connection = self._connection()
        except (EndpointError, AccountMissingError, KeyringUnavailableError) as exc:
            self._show_test_result(exc.user_message, ERROR.style())
            return
        self.test_button.setEnabled(False)
        self._show_test_result("Contacting the fax service …", NOTE.style())
        run_task(
            check_connection,
            connection,
            on_done=self._if_current(lambda _: self._on_test_finished(None)),
            on_error=self._if_current(self._on_test_finished),
            context=self,
        )

    def _on_test_finished(self, error: Exception | None) -> None:
        self.test_button.setEnabled(True)
        self._set_connection_state(error)
        if error is None:
            self._show_test_result(
                "Connection works: the fax service accepted the account.", SUCCESS.style()
            )
        else:
            self._show_test_result(describe_error(error), ERROR.style())

    def _show_test_result(self, text: str, style: str) -> None:
        self.test_result.setStyleSheet(style)
        self.test_result.setText(text)

    def _if_current(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """`handler`, but only while the settings are those the request was made with."""
        generation = self._generation

        def call(value: Any) -> None:
            if generation == self._generation:
                handler(value)

        return call

    def _forget_answers(self) -> None:
        """Clear what the previous service or account said: it no longer applies."""
        self._generation += 1
        self.test_result.clear()
        self.connection_status.setText(NOT_CONNECTED_YET)

    def _set_connection_state(self, error: Exception | None) -> None:
        self.connection_status.setText(connection_state(error))

    # ------------------------------------------------------------------ window

    def _show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About faxgui",
            f"<b>faxgui {faxgui.__version__}</b><p>Compose and send faxes through the "
            "Monopond Fax API v2.1. The built-in sandbox lets you try everything without "
            "sending a real fax.</p>",
        )

    def _restore_geometry(self) -> None:
        saved = self._settings.get(WINDOW_GEOMETRY)
        if saved:
            self.restoreGeometry(QByteArray.fromBase64(saved.encode("utf-8")))

    def closeEvent(self, event: QCloseEvent) -> None:
        tab = self.compose_tab
        if tab is not None and tab.sending:
            # Its requests are recorded, but one may be on the wire: let it be answered.
            event.ignore()
            self.statusBar().showMessage(
                "A fax is being sent. Close faxgui once it has been handed over, "
                "or press Cancel in the “Sending fax” window first.",
                MESSAGE_MS,
            )
            tab.progress_dialog.raise_()
            tab.progress_dialog.activateWindow()
            return
        self._closing = True
        if self.status_panel is not None:
            self.status_panel.shut_down()
        if tab is not None:
            if tab.controller.awaiting_confirmation:
                tab.controller.cancel()
            tab.shut_down()
        self._settings.set(
            WINDOW_GEOMETRY, bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        )
        try:
            self._settings.save()
        except OSError as exc:
            log.warning("Could not save the window size to %s: %s", self._settings.path, exc)
        super().closeEvent(event)

    def close_stores(self) -> None:
        """Close the job store and the address book: call once every worker has finished."""
        if self.job_store is not None:
            self.job_store.close()
        if self.address_book is not None:
            self.address_book.close()


# What the composer, the send pipeline and the address book import that Qt does not need.
_COMPOSER_MODULES = (
    "faxgui.compose.draft",
    "faxgui.compose.validation",
    "faxgui.compose.recipients_csv",
    "faxgui.compose.requests",
    "faxgui.compose.pipeline",
    "faxgui.compose.recent_sends",
    "faxgui.compose.autosave",
    "faxgui.jobs.store",
    "faxgui.jobs.address_book",
)


def _import_composer_modules() -> None:
    for name in _COMPOSER_MODULES:
        importlib.import_module(name)
