"""The fax options form: the settings of the whole send, or one recipient's own settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from faxgui.api.enums import Resolution
from faxgui.api.models import Blocklists
from faxgui.compose.draft import OPTION_NAMES, FaxOptions
from faxgui.compose.header_format import DEFAULT_HEADER_FORMAT
from faxgui.compose.validation import DEFAULT_MAX_FAX_PAGES, MAX_SEND_FROM, Problem
from faxgui.ui.composer.header_editor import HeaderFormatEditor
from faxgui.ui.composer.problems import ProblemLabel
from faxgui.ui.feedback import NOTE

ACCOUNT_DEFAULT = "Account default"
SAME_AS_FAX = "Same as the fax"
DATE_FORMAT = "ddd d MMM yyyy  HH:mm"

RESOLUTION_NAMES = {
    Resolution.NORMAL: "Normal (98 lines per inch)",
    Resolution.FINE: "Fine (196 lines per inch): sharper small print, slower to send",
}
BLOCKLIST_NAMES = (
    ("dncr", "Do Not Call Register (DNCR)"),
    ("fps", "Fax Preference Service (FPS)"),
    ("smartblock", "Smart blocklist"),
)
BLOCKLISTS_NOTE = (
    "The fax service does not check blocklists in this version of its API (2.1); "
    "the choice is sent for when it does."
)
BASIC_OPTIONS = ("send_from", "resolution", "scheduled_start_time")
"""The options shown on the first screen; the rest are under "More options"."""

_TOOLTIPS = {
    "send_from": (
        "The sender ID printed at the top of each page and shown on the receiving machine "
        f"(also called TSID). At most {MAX_SEND_FROM} characters."
    ),
    "resolution": "Fine sends small print more clearly but takes longer (and may cost more).",
    "scheduled_start_time": "When the service starts sending. Leave it off to send now.",
    "must_be_sent_before_date": (
        "If the fax has not gone by this time, the service cancels it instead of sending late."
    ),
    "retries": "How many more times to try when a fax fails (not counting busy or no answer).",
    "busy_retries": "How many more times to try when the line is busy or nobody answers.",
    "max_fax_pages": "The service refuses to send a fax with more pages than this.",
    "header_format": "The line printed at the top of every page of the fax.",
    "cli": "The caller ID (CLI) the fax is sent from. It must be enabled on the account first.",
    "blocklists": "Which blocklists the service checks the numbers against before sending.",
}


def _spin_default(name: str, value: int | None) -> str:
    if name == "max_fax_pages":
        return f"{value if value is not None else DEFAULT_MAX_FAX_PAGES} pages"
    return str(value) if value is not None else ""


class _OptionalDateTime(QWidget):
    """A date and time that can be left unset: a check box, then the date when it is ticked.

    Signals:
        edited(): the box was ticked or cleared, or the date changed.
    """

    edited = Signal()

    def __init__(self, check_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(check_text)
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(DATE_FORMAT)
        self.unset_label = QLabel()
        self.unset_label.setStyleSheet(NOTE.style())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.unset_label)
        row.addWidget(self.check)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.check.toggled.connect(self._toggled)
        self.edit.dateTimeChanged.connect(lambda _value: self.edited.emit())
        self._show(False)

    def value(self) -> datetime | None:
        """The date and time chosen (this computer's local time), or None when not ticked."""
        if not self.check.isChecked():
            return None
        moment = self.edit.dateTime().toPython()
        assert isinstance(moment, datetime)
        return moment.replace(second=0, microsecond=0)

    def set_value(self, value: datetime | None, suggestion: datetime) -> None:
        """Show `value` (None: not ticked, with `suggestion` ready for when it is)."""
        self.blockSignals(True)
        shown = value if value is not None else suggestion
        if shown.tzinfo is not None:
            shown = shown.astimezone().replace(tzinfo=None)
        self.edit.setDateTime(QDateTime(shown))
        self.check.setChecked(value is not None)
        self._show(value is not None)
        self.blockSignals(False)

    def set_unset_text(self, text: str) -> None:
        self.unset_label.setText(text)

    def _toggled(self, checked: bool) -> None:
        self._show(checked)
        if checked:
            self.edit.setFocus()
        self.edited.emit()

    def _show(self, checked: bool) -> None:
        self.edit.setVisible(checked)
        self.unset_label.setVisible(not checked)


class OptionsForm(QWidget):
    """Edits one FaxOptions in place; empty fields stay None and say what applies instead.

    For the whole send (`inherited` None) an empty field means the account's
    default; for one recipient it means the fax's own setting (`inherited`),
    and the field says which. `collapsible` puts the rarely used options
    under a "More options" button, so the first screen stays short.

    Signals:
        edited(): an option was changed by the user.
    """

    edited = Signal()

    def __init__(self, *, collapsible: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._options = FaxOptions()
        self._inherited: FaxOptions | None = None
        self._loading = False
        self._combo_values: dict[QComboBox, list[Any]] = {}
        self._labels: list[QLabel] = []
        self.editors: dict[str, QWidget] = {}
        self.problem_labels: dict[str, ProblemLabel] = {}

        self.send_from_edit = QLineEdit()
        self.send_from_edit.setMaxLength(MAX_SEND_FROM + 40)
        self.resolution_combo = self._combo()
        self.start_edit = _OptionalDateTime("Later:")
        self.deadline_edit = _OptionalDateTime("Set a time:")
        self.retries_spin = self._spin(-1, 99)
        self.busy_retries_spin = self._spin(-1, 99)
        self.max_pages_spin = self._spin(0, 9999)
        self.header_editor = HeaderFormatEditor()
        self.cli_edit = QLineEdit()
        self.blocklist_combos: dict[str, QComboBox] = {}
        blocklists = QWidget()
        blocklist_rows = QFormLayout(blocklists)
        blocklist_rows.setContentsMargins(0, 0, 0, 0)
        for key, label in BLOCKLIST_NAMES:
            combo = self._combo()
            self.blocklist_combos[key] = combo
            blocklist_rows.addRow(label + ":", combo)
        blocklist_note = QLabel(BLOCKLISTS_NOTE)
        blocklist_note.setWordWrap(True)
        blocklist_note.setStyleSheet(NOTE.style())
        blocklist_rows.addRow(blocklist_note)

        self.basic_form = QFormLayout()
        self.more_form = QFormLayout()
        for form in (self.basic_form, self.more_form):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add("send_from", "&Sender ID (TSID):", self.send_from_edit, self.basic_form)
        self._add("resolution", "&Resolution:", self.resolution_combo, self.basic_form)
        self._add("scheduled_start_time", "Start sending:", self.start_edit, self.basic_form)
        self._add("must_be_sent_before_date", "Cancel if not sent by:", self.deadline_edit)
        self._add("retries", "Retries:", self.retries_spin)
        self._add("busy_retries", "Busy retries:", self.busy_retries_spin)
        self._add("max_fax_pages", "Page &limit:", self.max_pages_spin)
        self._add("header_format", "&Header line:", self.header_editor)
        self._add("cli", "Caller ID (CLI):", self.cli_edit)
        self._add("blocklists", "Blocklists:", blocklists)

        self.more_button = QToolButton()
        self.more_button.setText("&More options")
        self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more_button.setArrowType(Qt.ArrowType.RightArrow)
        self.more_button.setAutoRaise(True)
        self.more_button.setToolTip(
            "Retries, page limit, header line, deadline, caller ID, blocklists, references"
        )
        self.more_box = QWidget()
        self.more_box.setLayout(self.more_form)
        self.more_form.setContentsMargins(0, 0, 0, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.basic_form)
        self._collapsible = collapsible
        self._more_shown = not collapsible
        if collapsible:
            layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
            self.more_box.hide()
        else:
            self.more_button.hide()
        layout.addWidget(self.more_box)
        layout.addStretch(1)

        self.more_button.clicked.connect(lambda: self.set_more_visible(not self._more_shown))
        self.send_from_edit.textEdited.connect(self._read)
        self.cli_edit.textEdited.connect(self._read)
        self.resolution_combo.activated.connect(self._read)
        for spin in (self.retries_spin, self.busy_retries_spin, self.max_pages_spin):
            spin.valueChanged.connect(self._read)
        for optional in (self.start_edit, self.deadline_edit):
            optional.edited.connect(self._read)
        self.header_editor.edited.connect(self._read)
        for combo in self.blocklist_combos.values():
            combo.activated.connect(self._read)
        self._show_defaults()

    # ------------------------------------------------------------------ building

    def _combo(self) -> QComboBox:
        combo = QComboBox()
        # Sized to the longest choice, the combos would make the form wider than the window.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        return combo

    def _spin(self, minimum: int, maximum: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(minimum, maximum)
        return spin

    def _add(self, name: str, label: str, editor: QWidget, form: QFormLayout | None = None) -> None:
        problem = ProblemLabel()
        editor.setToolTip(_TOOLTIPS[name])
        self._add_row(form or self.more_form, label, editor, problem)
        self.editors[name] = editor
        self.problem_labels[name] = problem

    def _add_row(
        self, form: QFormLayout, label: str, editor: QWidget, problem: ProblemLabel
    ) -> None:
        field = QWidget()
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        column.addWidget(problem)
        label_widget = QLabel(label)
        label_widget.setBuddy(editor)
        self._labels.append(label_widget)
        form.addRow(label_widget, field)
        # The two forms (first screen, "More options") line up as one.
        width = max(w.sizeHint().width() for w in self._labels)
        for each in self._labels:
            each.setMinimumWidth(width)

    def add_more_row(self, label: str, editor: QWidget, problem: ProblemLabel) -> None:
        """Add a row to "More options" (the page puts its references there)."""
        self._add_row(self.more_form, label, editor, problem)

    def tab_chain(self) -> list[QWidget]:
        """The form's fields in reading order, for the page's tab order."""
        return [
            self.send_from_edit,
            self.resolution_combo,
            self.start_edit.check,
            self.start_edit.edit,
            self.more_button,
            self.deadline_edit.check,
            self.deadline_edit.edit,
            self.retries_spin,
            self.busy_retries_spin,
            self.max_pages_spin,
            self.header_editor.edit,
            self.header_editor.insert_button,
            self.cli_edit,
            *self.blocklist_combos.values(),
        ]

    # ------------------------------------------------------------------ the options

    def set_options(self, options: FaxOptions, inherited: FaxOptions | None = None) -> None:
        """Edit `options` in place; `inherited` is what applies where they are unset."""
        self._options = options
        self._inherited = inherited
        self._loading = True
        try:
            self._show_defaults()
            self.send_from_edit.setText(options.send_from or "")
            self.cli_edit.setText(options.cli or "")
            self._set_combo(self.resolution_combo, options.resolution)
            self.retries_spin.setValue(-1 if options.retries is None else options.retries)
            self.busy_retries_spin.setValue(
                -1 if options.busy_retries is None else options.busy_retries
            )
            self.max_pages_spin.setValue(options.max_fax_pages or 0)
            suggestion = _next_hour()
            self.start_edit.set_value(options.scheduled_start_time, suggestion)
            self.deadline_edit.set_value(
                options.must_be_sent_before_date, suggestion + timedelta(days=1)
            )
            self.header_editor.set_format(options.header_format)
            for key, combo in self.blocklist_combos.items():
                value = None if options.blocklists is None else getattr(options.blocklists, key)
                self._set_combo(combo, value)
        finally:
            self._loading = False

    def refresh_defaults(self) -> None:
        """Say again what applies to unset fields (the inherited options changed)."""
        self._loading = True
        try:
            self._show_defaults()
        finally:
            self._loading = False

    def set_header_context(self, send_from: str | None, send_to: str | None) -> None:
        """The sender ID and number the header preview prints."""
        self.header_editor.set_context(send_from, send_to)

    def _default_text(self, name: str, account: str) -> str:
        """What an unset field shows: the account default, or the fax's setting it inherits."""
        if self._inherited is None:
            return f"{ACCOUNT_DEFAULT} ({account})" if account else ACCOUNT_DEFAULT
        value = getattr(self._inherited, name)
        if value is None:
            return f"{SAME_AS_FAX}: account default" + (f" ({account})" if account else "")
        return f"{SAME_AS_FAX} ({_describe(name, value)})"

    def _show_defaults(self) -> None:
        self.send_from_edit.setPlaceholderText(self._default_text("send_from", ""))
        self.cli_edit.setPlaceholderText(
            self._default_text("cli", "")
            + (": it must be enabled on the account" if self._inherited is None else "")
        )
        self._fill_combo(
            self.resolution_combo,
            [(None, self._default_text("resolution", "normal"))]
            + [(value, text) for value, text in RESOLUTION_NAMES.items()],
        )
        self.retries_spin.setSpecialValueText(self._default_text("retries", ""))
        self.busy_retries_spin.setSpecialValueText(self._default_text("busy_retries", ""))
        self.max_pages_spin.setSpecialValueText(
            self._default_text("max_fax_pages", _spin_default("max_fax_pages", None))
        )
        self.max_pages_spin.setSuffix(" pages")
        self.start_edit.set_unset_text(self._date_default("scheduled_start_time"))
        self.deadline_edit.set_unset_text(self._date_default("must_be_sent_before_date"))
        if self._inherited is None:
            self.header_editor.edit.setPlaceholderText(f"Default: {DEFAULT_HEADER_FORMAT}")
            self.header_editor.set_inherited(None)
        else:
            inherited = self._inherited.header_format
            self.header_editor.edit.setPlaceholderText(
                f"{SAME_AS_FAX}: {inherited or DEFAULT_HEADER_FORMAT}"
            )
            self.header_editor.set_inherited(inherited)
        for key, combo in self.blocklist_combos.items():
            inherited_list = None if self._inherited is None else self._inherited.blocklists
            inherited_value = None if inherited_list is None else getattr(inherited_list, key)
            if self._inherited is None:
                default = ACCOUNT_DEFAULT
            elif inherited_value is None:
                default = f"{SAME_AS_FAX}: account default"
            else:
                default = f"{SAME_AS_FAX} ({'check' if inherited_value else 'do not check'})"
            self._fill_combo(combo, [(None, default), (True, "Check"), (False, "Do not check")])

    def _date_default(self, name: str) -> str:
        account = "straight away" if name == "scheduled_start_time" else "no deadline"
        if self._inherited is None:
            return account[:1].upper() + account[1:]
        value = getattr(self._inherited, name)
        shown = account if value is None else _describe(name, value)
        return f"{SAME_AS_FAX} ({shown})"

    def _fill_combo(self, combo: QComboBox, items: Sequence[tuple[Any, str]]) -> None:
        current = self._combo_value(combo)
        combo.blockSignals(True)
        combo.clear()
        self._combo_values[combo] = [value for value, _text in items]
        for _value, text in items:
            combo.addItem(text)
        self._set_combo(combo, current)
        combo.blockSignals(False)

    def _set_combo(self, combo: QComboBox, value: Any) -> None:
        values = self._combo_values.get(combo, [])
        # `is` for None, True and False: 1 == True would pick the wrong entry.
        matches = [i for i, v in enumerate(values) if v is value or (v == value and v is not None)]
        combo.setCurrentIndex(matches[0] if matches else 0)

    def _combo_value(self, combo: QComboBox) -> Any:
        values = self._combo_values.get(combo, [])
        index = combo.currentIndex()
        return values[index] if 0 <= index < len(values) else None

    def _read(self, *_args: object) -> None:
        """Copy every field into the options; None wherever a field is at its default."""
        if self._loading:
            return
        options = self._options
        options.send_from = self.send_from_edit.text() or None
        options.cli = self.cli_edit.text().strip() or None
        options.resolution = self._combo_value(self.resolution_combo)
        options.retries = _spin_value(self.retries_spin)
        options.busy_retries = _spin_value(self.busy_retries_spin)
        options.max_fax_pages = _spin_value(self.max_pages_spin)
        options.scheduled_start_time = self.start_edit.value()
        options.must_be_sent_before_date = self.deadline_edit.value()
        options.header_format = self.header_editor.format()
        chosen = {key: self._combo_value(combo) for key, combo in self.blocklist_combos.items()}
        options.blocklists = (
            None if all(v is None for v in chosen.values()) else Blocklists(**chosen)
        )
        self.edited.emit()

    # ------------------------------------------------------------------ problems and focus

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Put each option problem under its field (other problems are ignored)."""
        by_field: dict[str, list[Problem]] = {name: [] for name in OPTION_NAMES}
        for problem in problems:
            if problem.field in by_field and problem.document_index is None:
                by_field[problem.field].append(problem)
        for name, label in self.problem_labels.items():
            label.show_problems(by_field.get(name, []))

    def more_visible(self) -> bool:
        """True when "More options" is open (always, when the form is not collapsible)."""
        return self._more_shown

    def set_more_visible(self, visible: bool) -> None:
        """Show or hide "More options"."""
        self.more_button.setArrowType(
            Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow
        )
        self._more_shown = visible or not self._collapsible
        self.more_box.setVisible(self._more_shown)

    def focus_field(self, name: str) -> bool:
        """Put the keyboard focus on an option's field (opening "More options" if needed)."""
        editor = self.editors.get(name)
        if editor is None:
            return False
        if name not in BASIC_OPTIONS:
            self.set_more_visible(True)
        target = {
            "scheduled_start_time": self.start_edit.check,
            "must_be_sent_before_date": self.deadline_edit.check,
            "header_format": self.header_editor.edit,
            "blocklists": self.blocklist_combos["dncr"],
        }.get(name, editor)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


def _spin_value(spin: QSpinBox) -> int | None:
    return None if spin.value() == spin.minimum() else spin.value()


def _next_hour() -> datetime:
    now = datetime.now().replace(second=0, microsecond=0)
    return now.replace(minute=0) + timedelta(hours=1)


def _describe(name: str, value: object) -> str:
    """An inherited value in a few words, for "Same as the fax (...)"."""
    if isinstance(value, Resolution):
        return value.value
    if isinstance(value, datetime):
        return value.strftime("%a %d %b %Y %H:%M")
    if name == "max_fax_pages":
        return f"{value} pages"
    return str(value)
