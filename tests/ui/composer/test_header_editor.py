"""The header line editor: its codes, the live preview for the first recipient, the default."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from faxgui.compose.header_format import DEFAULT_HEADER_FORMAT, TOKENS
from faxgui.ui.composer import ComposerPage
from faxgui.ui.composer.header_editor import HeaderFormatEditor


def test_every_documented_code_can_be_inserted_with_its_meaning(qtbot: QtBot) -> None:
    editor = HeaderFormatEditor()
    qtbot.addWidget(editor)
    actions = editor.insert_menu.actions()
    assert [a.data() for a in actions] == [t.token for t in TOKENS]
    assert all(t.description in a.text() for a, t in zip(actions, TOKENS, strict=True))
    assert {"%from%", "%to%", "%a", "%Y", "%%"} <= {a.data() for a in actions}

    editor.edit.setText("Sent ")
    with qtbot.waitSignal(editor.edited):
        next(a for a in actions if a.data() == "%d").trigger()
    assert editor.format() == "Sent %d"


def test_the_preview_prints_the_first_recipients_line_and_the_default_is_shown(
    qtbot: QtBot, page: ComposerPage
) -> None:
    form = page.options_form
    editor = form.header_editor
    assert editor.edit.placeholderText() == f"Default: {DEFAULT_HEADER_FORMAT}"
    # With nothing typed, the preview is the default format's line.
    assert editor.preview_text().startswith("From [sender ID], To [fax number]")

    page.add_recipients([("Dr Lee", "02 8003 9890"), ("", "03 9123 4567")])
    qtbot.keyClicks(form.send_from_edit, "Front desk")
    assert editor.preview_text().startswith("From Front desk, To 61280039890")
    assert editor.preview_text().endswith("1 of 1")

    form.set_more_visible(True)
    qtbot.keyClicks(editor.edit, "To %to% from %from%|%Y")
    left, right = editor.preview_left.full_text(), editor.preview_right.text()
    assert left == "To 61280039890 from Front desk"
    assert right.endswith(" 1 of 1")
    assert page.draft().options.header_format == "To %to% from %from%|%Y"

    editor.edit.setFocus()
    qtbot.keyClicks(editor.edit, " %Q")
    label = form.problem_labels["header_format"]
    assert label.isVisible()
    assert label.text() == "%Q is not a header code; it will print as it is."
    # A warning, not an error: the fax can still go.
    assert not any(p.is_error for p in page.problems() if p.field == "header_format")

    editor.edit.selectAll()
    qtbot.keyClick(editor.edit, Qt.Key.Key_Delete)
    assert page.draft().options.header_format is None
