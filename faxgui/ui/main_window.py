"""The main window: where faxes go, a connection check, and looking up a fax by reference."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

# The window is built in two stages, so that it paints nearly as early as a bare window
# (tests/benchmarks/test_bench_startup.py). What the first paint needs is imported here,
# the rest where it is used, after that paint: the Qt namespace, reached through QtCore,
# because `from PySide6.QtCore import Qt` makes PySide build its ~94 enum types at once
# (about 40 ms); config.connection and the API models (about 20 ms of dataclass
# creation); the Settings dialog; Qt classes the first paint does not use (PySide
# creates each on first use, with its enums).
from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import faxgui
from faxgui.api.enums import Verbosity
from faxgui.config.endpoints import EndpointError, EndpointKind
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_CUSTOM_URL,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    WINDOW_GEOMETRY,
)
from faxgui.config.secrets import KeyringUnavailableError, PasswordStore
from faxgui.config.settings import Settings
from faxgui.sandbox.accounts import DEMO_USERNAME
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.fax_status_model import COL_ERROR, FaxStatusModel, totals_text
from faxgui.ui.feedback import (
    ERROR_STYLE,
    NOTE_STYLE,
    SUCCESS_STYLE,
    connection_state,
    describe_error,
)
from faxgui.ui.workers import run_task

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from faxgui.api.models import FaxStatusRequest, FaxStatusResponse
    from faxgui.config.connection import Connection
    from faxgui.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

SANDBOX_TITLE = "faxgui — Sandbox (simulated faxes)"
NOT_CONNECTED_YET = "Not connected yet"

# Which FaxStatusRequest field each choice of the lookup box fills in.
REFERENCE_KINDS = (
    ("Message reference", "message_ref"),
    ("Send reference", "send_ref"),
    ("Broadcast reference", "broadcast_ref"),
)

BANNER_STYLE = (
    "QLabel { background: #fff4c2; color: #4a3b00; border: 1px solid #e0c860;"
    " border-radius: 4px; padding: 8px; }"
)
WARNING_STYLE = (
    "QLabel { background: #fde2e1; color: #6b1512; border: 1px solid #e8a19d;"
    " border-radius: 4px; padding: 8px; }"
)


def window_title(kind: EndpointKind, username: str, custom_url: str) -> str:
    """'faxgui — <who> @ <where>', or the sandbox title that says faxes are simulated."""
    if kind is EndpointKind.SANDBOX:
        return SANDBOX_TITLE
    where = kind.short_name
    if kind is EndpointKind.CUSTOM:
        where = urlsplit(custom_url).netloc or where
    return f"faxgui — {username or 'no account set'} @ {where}"


class MainWindow(QMainWindow):
    """The app's one main window.

    It reads the settings it is given and saves them when Settings is
    accepted or the window closes (its geometry). It is built in two stages:
    what its first paint shows, then, just after that paint, the rest (the
    lookup table's model, selectable label text, starting the sandbox).

    Signals:
        built(): the second stage is done; emitted once.
    """

    built = Signal()

    def __init__(
        self,
        settings: Settings,
        passwords: PasswordStore,
        sandbox: EmbeddedSandbox,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._passwords = passwords
        self._sandbox = sandbox
        self._sandbox_problem = ""
        self._second_stage_queued = False
        # Bumped when the service or account changes, so late answers from before are dropped.
        self._generation = 0
        self.settings_dialog: SettingsDialog | None = None

        self.banner = QLabel()
        self.notice = QLabel()
        self.where_label = QLabel()
        self.account_label = QLabel()
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel()
        self.reference_kind = QComboBox()
        self.reference_edit = QLineEdit()
        self.lookup_button = QPushButton("Look up")
        self.lookup_model = FaxStatusModel(self)
        self.lookup_table = QTableView()
        self.totals_label = QLabel()
        self.lookup_error = QLabel()
        self.connection_status = QLabel(NOT_CONNECTED_YET)

        self._build_menus()
        self._build_central()
        self.statusBar().addPermanentWidget(self.connection_status)

        sandbox.ready.connect(self._on_sandbox_ready)
        sandbox.failed.connect(self._on_sandbox_failed)
        self.test_button.clicked.connect(self.test_connection)
        self.reference_edit.returnPressed.connect(self.look_up)
        self.lookup_button.clicked.connect(self.look_up)

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
        file_menu = self.menuBar().addMenu("&File")
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
        layout.addWidget(self._connection_box())
        layout.addWidget(self._lookup_box(), 1)
        self.setCentralWidget(central)
        self.resize(900, 620)

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

    def _lookup_box(self) -> QGroupBox:
        box = QGroupBox("Look up a fax")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        for text, field_name in REFERENCE_KINDS:
            self.reference_kind.addItem(text, field_name)
        self.reference_edit.setPlaceholderText("Type a reference and press Enter")
        self.reference_edit.setClearButtonEnabled(True)
        row.addWidget(self.reference_kind)
        row.addWidget(self.reference_edit, 1)
        row.addWidget(self.lookup_button)
        layout.addLayout(row)

        table = self.lookup_table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        layout.addWidget(table, 1)

        for label in (self.totals_label, self.lookup_error):
            label.setWordWrap(True)
            layout.addWidget(label)
        self.lookup_error.setStyleSheet(ERROR_STYLE)
        self.lookup_error.hide()
        return box

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._second_stage_queued:
            self._second_stage_queued = True
            # Queued from the first paint, so it runs once that paint is done; queued
            # from __init__ or showEvent, it could run before it.
            QTimer.singleShot(0, self, self._finish_building)

    def _finish_building(self) -> None:
        """The second stage: what names a Qt namespace enum, and the sandbox.

        The table's header asks the model for its titles with a Qt.Orientation,
        so the model is only attached here; before, the table is empty anyway.
        """
        Qt = QtCore.Qt
        for label in (
            self.where_label,
            self.account_label,
            self.test_result,
            self.totals_label,
            self.lookup_error,
        ):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Level with the first line of a long, wrapped answer (the result is empty until then).
        self._test_row.setAlignment(self.test_button, Qt.AlignmentFlag.AlignTop)

        self.lookup_table.setModel(self.lookup_model)
        header = self.lookup_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)

        # Started here, not in __init__: its worker imports about 0.5 s of modules, taking
        # the GIL in turns with the thread painting the window.
        self._start_sandbox_if_chosen()
        self.built.emit()

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
        self.lookup_button.setEnabled(ready)

    def _on_sandbox_ready(self, _url: str) -> None:
        self._sandbox_problem = ""
        self._show_where()

    def _on_sandbox_failed(self, message: str) -> None:
        self._sandbox_problem = message
        self._show_where()

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
            self.test_result.setStyleSheet(NOTE_STYLE)
            self.test_result.setText(dialog.password_note)
        self._apply_settings()
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
            self._show_test_result(exc.user_message, ERROR_STYLE)
            return
        self.test_button.setEnabled(False)
        self._show_test_result("Contacting the fax service …", NOTE_STYLE)
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
                "Connection works: the fax service accepted the account.", SUCCESS_STYLE
            )
        else:
            self._show_test_result(describe_error(error), ERROR_STYLE)

    def _show_test_result(self, text: str, style: str) -> None:
        self.test_result.setStyleSheet(style)
        self.test_result.setText(text)

    def look_up(self) -> None:
        """Ask the service, in the background, for every fax with the typed reference."""
        from faxgui.api.models import FaxStatusRequest
        from faxgui.config.connection import AccountMissingError

        reference = self.reference_edit.text().strip()
        if not reference:
            self._show_lookup_error("Type a reference to look up.")
            return
        try:
            connection = self._connection()
        except (EndpointError, AccountMissingError, KeyringUnavailableError) as exc:
            self._show_lookup_error(exc.user_message)
            return
        field_name = self.reference_kind.currentData()
        request = FaxStatusRequest(verbosity=Verbosity.RESULTS, **{field_name: reference})
        self.lookup_button.setEnabled(False)
        self.lookup_error.hide()
        self.totals_label.setText(f"Looking up “{reference}” …")
        run_task(
            _fax_status,
            connection,
            request,
            on_done=self._if_current(self._on_lookup_done),
            on_error=self._if_current(self._on_lookup_failed),
            context=self,
        )

    def _on_lookup_done(self, response: FaxStatusResponse) -> None:
        self.lookup_button.setEnabled(True)
        self._set_connection_state(None)
        self.lookup_model.set_rows(response.messages)
        self.totals_label.setText(totals_text(response))

    def _on_lookup_failed(self, error: Exception) -> None:
        self.lookup_button.setEnabled(True)
        self._set_connection_state(error)
        self.lookup_model.set_rows([])
        self.totals_label.clear()
        self._show_lookup_error(describe_error(error))

    def _show_lookup_error(self, text: str) -> None:
        self.lookup_error.setText(text)
        self.lookup_error.show()

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
        self.lookup_model.set_rows([])
        self.totals_label.clear()
        self.lookup_error.hide()
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
        self._settings.set(
            WINDOW_GEOMETRY, bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        )
        try:
            self._settings.save()
        except OSError as exc:
            log.warning("Could not save the window size to %s: %s", self._settings.path, exc)
        super().closeEvent(event)


def _fax_status(connection: Connection, request: FaxStatusRequest) -> FaxStatusResponse:
    with connection.client() as client:
        return client.fax_status(request)
