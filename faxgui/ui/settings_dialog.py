"""The Settings dialog: which fax service, which account, and the advanced options."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from faxgui.compose.phone import region_choices
from faxgui.config.connection import AccountMissingError, check_connection, make_connection
from faxgui.config.endpoints import EXAMPLE_URL, EndpointError, EndpointKind, validate_custom_url
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_CUSTOM_URL,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    OPTIONS,
    PHONE_REGION,
    Option,
)
from faxgui.config.secrets import KeyringUnavailableError, PasswordStore
from faxgui.config.settings import Settings
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.ui.embedded_sandbox import EmbeddedSandbox
from faxgui.ui.feedback import ERROR, NOTE, SUCCESS, describe_error
from faxgui.ui.workers import run_task

log = logging.getLogger(__name__)

SANDBOX_ACCOUNT_NOTE = (
    f"The sandbox has its own demo account (user name “{DEMO_USERNAME}”). Faxes sent to it "
    "are simulated: nothing reaches a real fax machine."
)


def _option_editor(option: Option[Any], value: Any) -> QWidget:
    """An editor for a labelled option, set up from its registry entry."""
    if option.type is float:
        spin = QDoubleSpinBox()
        spin.setDecimals(option.decimals)
        spin.setRange(option.minimum or 0.0, option.maximum or 1e9)
        spin.setSuffix(f" {option.unit}" if option.unit else "")
        spin.setValue(value)
        spin.setToolTip(option.description)
        return spin
    raise TypeError(f"the settings dialog has no editor for {option.type.__name__} options")


def _option_value(editor: QWidget) -> object:
    if isinstance(editor, QDoubleSpinBox):
        return editor.value()
    raise TypeError(f"no value reader for {type(editor).__name__}")


class SettingsDialog(QDialog):
    """Edits the settings and the account password; saves them when OK is pressed.

    After it is accepted, `password_note` says how the password was kept when
    the keyring could not keep it (empty otherwise).
    """

    def __init__(
        self,
        settings: Settings,
        passwords: PasswordStore,
        *,
        sandbox: EmbeddedSandbox,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        self._passwords = passwords
        self._sandbox = sandbox
        self._test_waits_for_sandbox = False
        self._shown_kind: EndpointKind | None = None
        self._password_edited = False
        self.password_note = ""

        self.kind_buttons: dict[EndpointKind, QRadioButton] = {}
        self._kind_group = QButtonGroup(self)
        self.custom_url_edit = QLineEdit(settings.get(ENDPOINT_CUSTOM_URL))
        self.custom_url_edit.setPlaceholderText(EXAMPLE_URL)
        self.url_error = QLabel()
        self.username_edit = QLineEdit(settings.get(ACCOUNT_USERNAME))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.account_note = QLabel()
        self.region_combo = QComboBox()
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel()
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._option_editors: dict[str, QWidget] = {}
        self._real_username = settings.get(ACCOUNT_USERNAME)
        self._real_password = ""

        layout = QVBoxLayout(self)
        layout.addWidget(self._service_box())
        layout.addWidget(self._account_box())
        layout.addWidget(self._numbers_box())
        layout.addWidget(self._advanced_box())
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        for label in (self.url_error, self.account_note, self.test_result):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_error.setStyleSheet(ERROR.style())
        self.url_error.hide()
        self.account_note.setStyleSheet(NOTE.style())

        self._kind_group.idToggled.connect(self._on_kind_toggled)
        self.custom_url_edit.textEdited.connect(self._on_url_edited)
        self.username_edit.editingFinished.connect(self._load_stored_password)
        self.password_edit.textEdited.connect(self._on_password_edited)
        self.test_button.clicked.connect(self._test_connection)
        sandbox.ready.connect(self._on_sandbox_ready)
        sandbox.failed.connect(self._on_sandbox_failed)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        self.kind_buttons[settings.get(ENDPOINT_KIND)].setChecked(True)
        self.setMinimumWidth(560)

    # ------------------------------------------------------------------ layout

    def _service_box(self) -> QGroupBox:
        box = QGroupBox("Fax service")
        column = QVBoxLayout(box)
        for number, kind in enumerate(EndpointKind):
            button = QRadioButton(kind.label)
            self.kind_buttons[kind] = button
            self._kind_group.addButton(button, number)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        # Indented under its radio button so it reads as part of that choice.
        address = QVBoxLayout()
        address.setContentsMargins(24, 0, 0, 0)
        address.addWidget(self.custom_url_edit)
        address.addWidget(self.url_error)
        column.addLayout(address)
        return box

    def _account_box(self) -> QGroupBox:
        box = QGroupBox("Account")
        form = QFormLayout(box)
        form.addRow("User name:", self.username_edit)
        form.addRow("Password:", self.password_edit)
        form.addRow(self.account_note)
        return box

    def _numbers_box(self) -> QGroupBox:
        box = QGroupBox("Fax numbers")
        form = QFormLayout(box)
        for code, name in region_choices():
            self.region_combo.addItem(f"{name} ({code})", code)
        current = self.region_combo.findData(self._settings.get(PHONE_REGION).upper())
        if current < 0:
            current = self.region_combo.findData(PHONE_REGION.default)
        self.region_combo.setCurrentIndex(current)
        self.region_combo.setToolTip("Type the first letters of a country to jump to it")
        hint = QLabel(
            "Numbers written without a country code, like (02) 8003 9890, are read as "
            "numbers in this country. Numbers starting with + or the international prefix "
            "are read as written."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(NOTE.style())
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.region_combo, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(hint)
        form.addRow("Default country:", column)
        return box

    def _advanced_box(self) -> QGroupBox:
        box = QGroupBox("Advanced")
        form = QFormLayout(box)
        for option in OPTIONS.values():
            if option.label is None:
                continue
            editor = _option_editor(option, self._settings.get(option))
            self._option_editors[option.name] = editor
            hint = QLabel(option.description)
            hint.setWordWrap(True)
            hint.setStyleSheet(NOTE.style())
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft)
            column.addWidget(hint)
            form.addRow(f"{option.label}:", column)
        return box

    # ------------------------------------------------------------------ state

    def selected_kind(self) -> EndpointKind:
        return list(EndpointKind)[self._kind_group.checkedId()]

    def _on_kind_toggled(self, button_id: int, checked: bool) -> None:
        if not checked:
            return
        kind = list(EndpointKind)[button_id]
        self.custom_url_edit.setEnabled(kind is EndpointKind.CUSTOM)
        self.url_error.hide()
        self.test_result.clear()
        sandbox = kind is EndpointKind.SANDBOX
        was_sandbox = self._shown_kind is EndpointKind.SANDBOX
        if sandbox and not was_sandbox:
            if self._shown_kind is not None:
                self._real_username = self.username_edit.text()
                self._real_password = self.password_edit.text()
            self.username_edit.setText(DEMO_USERNAME)
            self.password_edit.setText(DEMO_PASSWORD)
        elif not sandbox and (was_sandbox or self._shown_kind is None):
            self.username_edit.setText(self._real_username)
            self.password_edit.setText(self._real_password)
        # Greyed out, not just read-only, so it is plain they cannot be changed.
        self.username_edit.setEnabled(not sandbox)
        self.password_edit.setEnabled(not sandbox)
        self._shown_kind = kind
        if sandbox:
            self.account_note.setText(SANDBOX_ACCOUNT_NOTE)
        else:
            self.account_note.setText(
                "The password is kept in this computer's password keyring, "
                "never in the settings file."
            )
            self._load_stored_password()

    def _on_url_edited(self, _text: str) -> None:
        self.url_error.hide()

    def _on_password_edited(self, _text: str) -> None:
        self._password_edited = True

    def _load_stored_password(self) -> None:
        """Show the stored password of the account, unless the user has typed one."""
        kind = self.selected_kind()
        username = self.username_edit.text().strip()
        if kind is EndpointKind.SANDBOX or self._password_edited or not username:
            return
        try:
            stored = self._passwords.get(kind, username)
        except KeyringUnavailableError as exc:
            self.account_note.setText(exc.user_message)
            return
        self.password_edit.setText(stored or "")

    # ------------------------------------------------------------------ actions

    def _test_connection(self) -> None:
        if self.selected_kind() is EndpointKind.SANDBOX and self._sandbox.url is None:
            # The app was on another service, so its sandbox is not running yet.
            self._test_waits_for_sandbox = True
            self.test_button.setEnabled(False)
            self._show_test_result("Starting the built-in sandbox …", NOTE.style())
            self._sandbox.start()
            return
        try:
            connection = make_connection(
                self.selected_kind(),
                custom_url=self.custom_url_edit.text(),
                username=self.username_edit.text(),
                password=self.password_edit.text(),
                sandbox_url=self._sandbox.url,
                timeout_s=NETWORK_TIMEOUT_S.coerce(self._edited_value(NETWORK_TIMEOUT_S)),
            )
        except (EndpointError, AccountMissingError) as exc:
            self._show_test_result(exc.user_message, ERROR.style())
            return
        self.test_button.setEnabled(False)
        self._show_test_result(f"Contacting {connection.url} …", NOTE.style())
        run_task(
            check_connection,
            connection,
            on_done=lambda _: self._on_test_done(),
            on_error=self._on_test_failed,
            context=self,
        )

    def _on_sandbox_ready(self, _url: str) -> None:
        if self._test_waits_for_sandbox:
            self._test_waits_for_sandbox = False
            self._test_connection()

    def _on_sandbox_failed(self, message: str) -> None:
        if self._test_waits_for_sandbox:
            self._test_waits_for_sandbox = False
            self.test_button.setEnabled(True)
            self._show_test_result(message, ERROR.style())

    def _on_test_done(self) -> None:
        self.test_button.setEnabled(True)
        self._show_test_result(
            "Connection works: the fax service accepted the user name and password.",
            SUCCESS.style(),
        )

    def _on_test_failed(self, error: Exception) -> None:
        self.test_button.setEnabled(True)
        self._show_test_result(describe_error(error), ERROR.style())

    def _show_test_result(self, text: str, style: str) -> None:
        self.test_result.setStyleSheet(style)
        self.test_result.setText(text)

    def _edited_value(self, option: Option[Any]) -> object:
        return _option_value(self._option_editors[option.name])

    def accept(self) -> None:
        """Save and close; with an unusable address, say why and stay open."""
        kind = self.selected_kind()
        custom_url = self.custom_url_edit.text().strip()
        if kind is EndpointKind.CUSTOM:
            try:
                custom_url = validate_custom_url(custom_url)
            except EndpointError as exc:
                self.url_error.setText(exc.user_message)
                self.url_error.show()
                self.custom_url_edit.setFocus()
                return
        username = (
            self._real_username
            if kind is EndpointKind.SANDBOX
            else (self.username_edit.text().strip())
        )
        self._settings.set(ENDPOINT_KIND, kind)
        self._settings.set(ENDPOINT_CUSTOM_URL, custom_url)
        self._settings.set(ACCOUNT_USERNAME, username)
        self._settings.set(PHONE_REGION, self.region_combo.currentData())
        for name, editor in self._option_editors.items():
            self._settings.set(OPTIONS[name], _option_value(editor))
        try:
            self._settings.save()
        except OSError as exc:
            self._show_test_result(
                f"The settings could not be saved to {self._settings.path} ({exc.strerror}).",
                ERROR.style(),
            )
            return
        if kind is not EndpointKind.SANDBOX and username:
            self._keep_password(kind, username, self.password_edit.text())
        super().accept()

    def _keep_password(self, kind: EndpointKind, username: str, password: str) -> None:
        try:
            if password:
                self._passwords.set(kind, username, password)
            else:
                self._passwords.delete(kind, username)
        except KeyringUnavailableError as exc:
            self.password_note = exc.user_message
