"""Opening a long history: the newest faxes show at once, older pages join as they are read."""

from __future__ import annotations

import pytest

from faxgui.jobs.store import NewMessage, NewSend
from faxgui.ui.status import panel as panel_module
from faxgui.ui.status import tree_model as cols

from .conftest import Office


def test_the_panel_shows_the_newest_faxes_first_and_reads_the_rest_after(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panel_module, "FIRST_PAGE_FAXES", 2)
    monkeypatch.setattr(panel_module, "PAGE_FAXES", 3)
    for n in range(7):
        office.store.add_broadcast(
            f"FG-{n}",
            account="demo",
            endpoint="e",
            sends=[
                NewSend(
                    f"FG-{n}-S1",
                    {"messages": 1},
                    "{}",
                    [NewMessage(f"FG-{n}-S1-M1", f"6150000{n:04d}", f"Clinic {n}")],
                )
            ],
        )
    panel, qtbot, model = office.panel, office.qtbot, office.panel.model
    footers: list[str] = []
    model.rowsInserted.connect(lambda *_: footers.append(panel.totals_label.text()))

    panel.start()
    qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
    qtbot.waitUntil(lambda: not panel.reading, timeout=10_000)

    # Newest first, every page joined below the first, and the footer said so meanwhile.
    assert [model.index(r, cols.COL_REFERENCE).data() for r in range(model.rowCount())] == [
        f"FG-{n}" for n in range(6, -1, -1)
    ]
    assert model.message_count == 7
    assert footers
    assert all(text.endswith("reading older faxes …") for text in footers)
    assert "reading" not in panel.totals_label.text()
    assert panel.totals_label.text().startswith("7 faxes")
    # The oldest fax, read last, is found by the filter like any other.
    qtbot.keyClicks(panel.search_edit, "fg-0")
    assert [model.index(r, cols.COL_REFERENCE).data() for r in range(model.rowCount())] == ["FG-0"]
    # The faxes wait in the outbox: the column says why they are not sent yet.
    assert model.index(0, cols.COL_STATUS).data() == "Waiting in the outbox (not yet submitted)"
