"""Notes, errors, warnings and successes stay readable in a light and in a dark theme."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from faxgui.ui.feedback import ERROR, NOTE, SUCCESS, WARNING, dark_theme

TONES = {"error": ERROR, "warning": WARNING, "success": SUCCESS, "note": NOTE}


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(one: QColor, other: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The application in Qt's own light palette, or in a dark one as dark desktops set."""
    before = qapp.palette()
    if request.param == "dark":
        dark = QPalette(QColor("#2d2d2d"))  # Qt derives the other roles from the window colour
        qapp.setPalette(dark)
    else:
        qapp.setPalette(qapp.style().standardPalette())
    yield request.param
    qapp.setPalette(before)


@pytest.mark.parametrize("name", TONES)
def test_each_message_colour_is_readable_on_the_window(theme: str, name: str) -> None:
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    assert dark_theme() is (theme == "dark")
    assert contrast(TONES[name].color(), window) >= 4.5


def test_a_note_shown_in_a_dark_theme_is_light_grey(qtbot: QtBot, theme: str) -> None:
    label = QLabel("Numbers without a country code are read as Australia.")
    qtbot.addWidget(label)
    label.setStyleSheet(NOTE.style())
    label.ensurePolished()
    shown = label.palette().color(QPalette.ColorRole.WindowText)
    assert shown == NOTE.color()
    assert (shown.lightness() > 128) is (theme == "dark")
