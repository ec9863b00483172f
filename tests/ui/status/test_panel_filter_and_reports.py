"""Filtering the panel by typing and choosing, and the reports a receptionist files or prints."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import Qt

from faxgui.ui.status import tree_model as cols
from faxgui.ui.status.filtering import ResultChoice, StatusChoice
from faxgui.ui.status.notifications import compose

from .conftest import Office

OK = "61500000000"
BUSY = "61500000002"
UNOBTAINABLE = "61500000007"


def finished_office(started: Callable[[], Office]) -> tuple[Office, str, str]:
    office = started()
    first = office.send([("Dr Lee", OK), ("Busy clinic", BUSY), ("Old number", UNOBTAINABLE)])
    second = office.send([("Pathology lab", OK)])
    for report in (first, second):
        office.panel.note_sent(report)
    office.qtbot.waitUntil(lambda: office.panel.model.rowCount() == 2, timeout=10_000)
    office.advance(3600)
    office.poll()
    return office, first.results[0].broadcast_ref, second.results[0].broadcast_ref


def test_typing_and_choosing_filter_the_tree(started: Callable[[], Office]) -> None:
    office, _clinics, lab = finished_office(started)
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model

    # The details of a fax the filter then hides go with it.
    panel.select(model.index_of_broadcast(lab))
    qtbot.waitUntil(lambda: "Pathology lab" in panel.detail.toPlainText(), timeout=10_000)
    qtbot.keyClicks(panel.search_edit, "clinic")
    assert "Pathology lab" not in panel.detail.toPlainText()
    panel.search_edit.clear()

    qtbot.keyClicks(panel.search_edit, "lab")
    assert model.rowCount() == 1
    assert model.index(0, cols.COL_REFERENCE).data() == lab
    assert panel.totals_label.text().startswith("Broadcasts shown: 1 fax")

    panel.search_edit.clear()
    qtbot.keyClicks(panel.search_edit, "05 0000 0007")
    assert model.rowCount() == 1
    broadcast = model.index(0, 0)
    assert [
        model.index(r, cols.COL_NAME, broadcast).data() for r in range(model.rowCount(broadcast))
    ] == ["Old number"]

    panel.search_edit.clear()
    panel.result_combo.setCurrentIndex(panel.result_combo.findData(ResultChoice.FAILED))
    assert model.rowCount() == 1
    broadcast = model.index(0, 0)
    assert model.rowCount(broadcast) == 2
    panel.status_combo.setCurrentIndex(panel.status_combo.findData(StatusChoice.UNFINISHED))
    assert model.rowCount() == 0
    assert panel.placeholder.isVisible()
    assert "No fax matches the filter" in panel.placeholder.text()

    panel.status_combo.setCurrentIndex(0)
    panel.result_combo.setCurrentIndex(0)
    panel.date_combo.setCurrentIndex(panel.date_combo.findText("Today"))
    assert model.rowCount() == 2
    panel.date_combo.setCurrentIndex(panel.date_combo.findText("Between…"))
    assert panel.since_edit.isVisible()
    assert panel.until_edit.isVisible()
    panel.since_edit.setDate(panel.since_edit.date().addYears(-3))
    panel.until_edit.setDate(panel.until_edit.date().addYears(-2))
    assert model.rowCount() == 0
    panel.date_combo.setCurrentIndex(0)
    assert model.rowCount() == 2
    # Sorting by a column from its header.
    panel.tree.header().setSortIndicator(cols.COL_NAME, Qt.SortOrder.AscendingOrder)
    assert model.index(0, cols.COL_NAME).data() == "Dr Lee and 2 others"


def test_a_transmission_report_is_saved_as_a_real_pdf(
    started: Callable[[], Office], tmp_path: Path
) -> None:
    office, clinics, _lab = finished_office(started)
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    panel.select(model.index_of_broadcast(clinics))
    assert panel.pdf_action.isEnabled()
    path = tmp_path / "report.pdf"

    panel.report(to_pdf=True, path=path)
    qtbot.waitUntil(lambda: "Transmission report saved" in panel.message_label.text(),
                    timeout=10_000)  # fmt: skip

    with pymupdf.open(path) as document:
        text = " ".join(page.get_text() for page in document)
    flat = " ".join(text.split())
    for expected in ("Dr Lee", "Busy clinic", "Old number", "+61 5 0000 0002", f"{clinics}-S1"):
        assert expected in flat, expected
    assert "The line was busy on every attempt." in flat
    assert flat.count("Failed") == 2
    assert "Sent" in flat


def test_a_broadcasts_results_are_exported_to_csv(
    started: Callable[[], Office], tmp_path: Path, monkeypatch: object
) -> None:
    from PySide6.QtWidgets import QFileDialog

    office, clinics, _lab = finished_office(started)
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    path = tmp_path / "results.csv"
    monkeypatch.setattr(  # type: ignore[attr-defined]
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    panel.select(model.index_of_broadcast(clinics))
    panel.export_action.trigger()
    qtbot.waitUntil(lambda: "exported" in panel.message_label.text(), timeout=10_000)
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 4
    assert {OK, BUSY, UNOBTAINABLE} <= {cell for row in rows[1:] for cell in row}


# Offscreen, the window cannot be raised (as a click on the notification does), and Qt says so.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|propagateSizeHints)")
def test_the_notification_for_a_finished_broadcast_names_the_failures(
    started: Callable[[], Office],
) -> None:
    office = started()
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    report = office.send([("Dr Lee", OK), ("Busy clinic", BUSY)])
    panel.note_sent(report)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    before = {m.id: m for m in model.all_messages()}
    office.advance(3600)
    office.poll()
    from faxgui.ui.status.tree_model import Transition

    transitions = [Transition(before[m.id], m) for m in model.all_messages()]
    message = compose(model, transitions)
    assert message is not None
    title, text, broadcast_id = message
    assert title == "The fax to Busy clinic failed"
    assert text == "The line was busy on every attempt. Try again later."
    # Clicking it shows the job, whatever the filter was.
    panel.search_edit.setText("nothing like this")
    panel.notifier.show_requested.emit(broadcast_id)
    assert panel.current_index() == model.index_of_broadcast(broadcast_id)
    assert panel.search_edit.text() == ""
