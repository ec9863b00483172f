"""After `kill -9` mid-merge, a new main window shows the same faxes in the same states and
follows them again by itself until the sandbox says they are done."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from faxgui.api.enums import FaxStatus
from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import ACCOUNT_USERNAME, ENDPOINT_CUSTOM_URL, ENDPOINT_KIND
from faxgui.config.secrets import PasswordStore
from faxgui.config.settings import Settings
from faxgui.jobs import wording
from faxgui.jobs.history import HistoryMessage, JobHistory
from faxgui.jobs.store import JobStore
from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.ui.main_window import MainWindow
from faxgui.ui.status import tree_model as cols
from faxgui.ui.status.tree_model import StatusTreeModel

from ...integration.poll_kill import (
    GatedSandbox,
    answered_view,
    kill_and_check,
    one_page_pdf,
    send_broadcasts,
    service_answers,
    service_views,
    status_requests_naming,
    stored_views,
    wall_clock,
)


@pytest.fixture
def gated() -> Iterator[GatedSandbox]:
    server = GatedSandbox(wall_clock())
    server.start()
    yield server
    server.stop()


def _cells(model: StatusTreeModel, message_id: int) -> tuple[str, str, str, str]:
    """The fax's Status, Result, Error and Attempts cells as the panel shows them."""
    index = model.index_of_message(message_id)
    assert index.isValid()
    status, result, error, attempts = (
        index.siblingAtColumn(column).data()
        for column in (cols.COL_STATUS, cols.COL_RESULT, cols.COL_ERROR, cols.COL_ATTEMPTS)
    )
    return status, result, error, attempts


def _words(message: HistoryMessage) -> tuple[str, str, str, str]:
    return (
        wording.status_words(message),
        wording.result_words(message),
        wording.error_sentence(message),
        str(message.attempts) if message.attempts else "",
    )


def test_a_new_window_after_kill_9_shows_the_same_faxes_and_resumes_polling(
    qtbot: QtBot,
    tmp_path: Path,
    gated: GatedSandbox,
    settings: Settings,
    passwords: PasswordStore,
    make_window: Callable[..., MainWindow],
) -> None:
    sent = send_broadcasts(
        gated, one_page_pdf(tmp_path / "results.pdf"), now_faxes=60, later_faxes=20, per_send=30
    )
    now_ref, later_ref = sent.broadcast_refs
    # A poller merges the first answer of its poll, then is killed inside the second merge.
    gated.clock.advance(20)
    killed = kill_and_check(
        gated, sent, "block", 2, lambda p: p.wait_for("half"), tmp_path / "poller.log"
    )
    assert killed.outcome == {now_ref: "after", later_ref: "before"}
    # The faxes move on at the service meanwhile.
    gated.clock.advance(15)
    with JobStore() as store:
        kept = {m.id: m for m in JobHistory(store).snapshot().messages}
    assert len(kept) == 80
    assert any(m.status is not FaxStatus.DONE for m in kept.values())

    # faxgui starts again on the same data directory; the sandbox holds its first answer.
    assert gated.url
    settings.set(ENDPOINT_KIND, EndpointKind.CUSTOM)
    settings.set(ENDPOINT_CUSTOM_URL, gated.url)
    settings.set(ACCOUNT_USERNAME, DEMO_USERNAME)
    passwords.set(EndpointKind.CUSTOM, DEMO_USERNAME, DEMO_PASSWORD)
    asked = len(gated.status_requests)
    gated.hold()
    window = make_window(settings)
    panel = window.status_panel
    assert panel is not None
    model = panel.model
    qtbot.waitUntil(lambda: panel.loaded and not panel.reading, timeout=10_000)
    # Nobody pressed Refresh: the poller asks about the unfinished faxes by itself.
    qtbot.waitUntil(
        lambda: status_requests_naming(gated, sent.broadcast_refs, since=asked) >= 1,
        timeout=10_000,
    )
    assert panel.poller.running

    # The same faxes, in the states they were stored in before the kill.
    assert model.message_count == len(kept)
    for message_id, message in kept.items():
        row = model.message(message_id)
        assert row is not None
        assert tuple(row[: len(message)]) == tuple(message)
        assert _cells(model, message_id) == _words(message)

    # Once the service has finished every fax, the window shows what it reports and stops.
    gated.clock.advance(3600)
    gated.release()
    qtbot.waitUntil(
        lambda: (
            not panel.poller.running
            and not panel.updating
            and all(row.status is FaxStatus.DONE for row in model.all_messages())
        ),
        timeout=20_000,
    )
    service = {m.message_ref: m for m in service_answers(gated, sent.broadcast_refs)}
    for message_id, message in kept.items():
        row = model.message(message_id)
        assert row is not None
        answer = service[message.message_ref]
        assert (row.status, row.result, row.error, row.attempts) == answered_view(answer)[:4]
        latest = answer.latest_attempt
        assert latest is not None
        status, result, error, attempts = _cells(model, message_id)
        assert status == "Finished"
        assert result == wording.RESULT_WORDS[latest.result]
        assert error == ("" if latest.error is None else latest.error.sentence)
        assert attempts == str(len(answer.results))
    assert panel.following_label.text() == ""
    assert not panel.poller.scheduled
    assert stored_views() == service_views(gated, sent.broadcast_refs)
