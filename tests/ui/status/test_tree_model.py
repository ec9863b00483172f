"""The status tree's model without any widget: shape, words, totals, filter, sort, updates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from faxgui.api.enums import FaxError, FaxResult, FaxStatus
from faxgui.ui.status import tree_model as cols
from faxgui.ui.status.filtering import ResultChoice, StatusChoice, StatusFilter
from faxgui.ui.status.tree_model import StatusTreeModel

from .helpers import T0, Rows, done


@pytest.fixture
def rows() -> Rows:
    """Three broadcasts: one fax; one request of three faxes; two requests (a resend)."""
    r = Rows()
    single = r.send(r.broadcast("FG-1", minutes=0))
    r.fax(single, "61500000000", "Dr Lee", status=FaxStatus.DONE, result=FaxResult.SUCCESS,
          calls=1, pages=2)  # fmt: skip
    clinic = r.send(r.broadcast("FG-2", minutes=10))
    r.fax(clinic, "61500000001", "Clinic A")
    r.fax(clinic, "61500000002", "Clinic B", status=FaxStatus.DONE, result=FaxResult.FAILED,
          error=FaxError.FAX_BUSY, calls=4)  # fmt: skip
    r.fax(clinic, "61500000003", "Clinic C", status=FaxStatus.PAUSED)
    big = r.broadcast("FG-3", minutes=20)
    first, second = r.send(big, 1), r.send(big, 2)
    r.fax(first, "61500000007", "Lab", status=FaxStatus.DONE, result=FaxResult.FAILED,
          error=FaxError.FAX_NUMBER_UNOBTAINABLE, calls=1)  # fmt: skip
    r.fax(second, "61500000000", "Lab again", status=FaxStatus.QUEUED)
    return r


def texts(model: StatusTreeModel, column: int, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    return [model.index(row, column, parent).data() for row in range(model.rowCount(parent))]


def test_the_tree_has_the_shape_a_receptionist_reads(qtbot: QtBot, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)

    # Newest first; a one-fax broadcast is one row, named after its recipient.
    assert texts(model, cols.COL_NAME) == ["Lab and 1 other", "Clinic A and 2 others", "Dr Lee"]
    single = model.index(2, 0)
    assert model.rowCount(single) == 0
    assert model.index(2, cols.COL_STATUS).data() == "Finished"
    assert model.index(2, cols.COL_RESULT).data() == "Sent"
    assert model.index(2, cols.COL_PAGES).data() == "2"
    assert model.index(2, cols.COL_REFERENCE).data() == "FG-1"

    clinic = model.index(1, 0)
    assert texts(model, cols.COL_NAME, clinic) == ["Clinic A", "Clinic B", "Clinic C"]
    assert texts(model, cols.COL_STATUS, clinic) == ["Being sent", "Finished", "Paused"]
    assert (
        texts(model, cols.COL_ERROR, clinic)[1]
        == "The line was busy on every attempt. Try again later."
    )
    assert model.index(1, cols.COL_STATUS).data() == "1 of 3 finished, 1 paused"
    assert model.index(1, cols.COL_RESULT).data() == "1 failed"
    assert model.index(1, cols.COL_ATTEMPTS).data() == "4"

    big = model.index(0, 0)
    assert texts(model, cols.COL_NAME, big) == ["Part 1 of 2 (1 fax)", "Part 2 of 2 (1 fax)"]
    part_one = model.index(0, 0, big)
    assert texts(model, cols.COL_RESULT, part_one) == ["Failed"]
    assert model.parent(model.index(0, 0, part_one)) == part_one


def test_the_model_passes_qts_model_checks(qtmodeltester: ModelTester, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)
    qtmodeltester.check(model, force_py=True)
    # The checks stay attached: filtering, sorting and updating must keep the model sound.
    model.set_filter(StatusFilter(text="clinic"))
    model.sort(cols.COL_NAME, Qt.SortOrder.AscendingOrder)
    model.set_filter(StatusFilter())
    model.update_rows([done(rows.messages[1], FaxResult.SUCCESS)])
    assert model.rowCount() == 3


def test_filtering_by_text_status_result_and_date(qtbot: QtBot, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)

    model.set_filter(StatusFilter(text="clinic b"))
    assert texts(model, cols.COL_NAME) == ["Clinic A and 2 others"]
    assert texts(model, cols.COL_NAME, model.index(0, 0)) == ["Clinic B"]

    # A number as people type it, with spaces and a leading 0.
    model.set_filter(StatusFilter(text="05 0000 0007"))
    assert texts(model, cols.COL_REFERENCE) == ["FG-3"]
    assert texts(model, cols.COL_NAME, model.index(0, 0)) == ["Part 1 of 2 (1 fax)"]

    model.set_filter(StatusFilter(status=StatusChoice.PAUSED))
    assert texts(model, cols.COL_REFERENCE) == ["FG-2"]
    model.set_filter(StatusFilter(result=ResultChoice.FAILED))
    assert texts(model, cols.COL_REFERENCE) == ["FG-3", "FG-2"]
    model.set_filter(StatusFilter(status=StatusChoice.UNFINISHED, text="lab"))
    assert texts(model, cols.COL_REFERENCE) == ["FG-3"]
    model.set_filter(StatusFilter(since=date(2030, 1, 1)))
    assert model.rowCount() == 0
    model.set_filter(StatusFilter(since=date(2026, 3, 2), until=date(2026, 3, 2)))
    assert model.rowCount() == 3
    model.set_filter(StatusFilter())
    assert model.rowCount() == 3
    # The totals are the whole broadcast's, whatever the filter hides.
    model.set_filter(StatusFilter(text="clinic b"))
    assert model.totals(model.index(0, 0)).faxes == 3


def test_sorting_by_any_column(qtbot: QtBot, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)
    model.sort(cols.COL_NAME, Qt.SortOrder.AscendingOrder)
    assert texts(model, cols.COL_NAME) == ["Clinic A and 2 others", "Dr Lee", "Lab and 1 other"]
    model.sort(cols.COL_STATUS, Qt.SortOrder.AscendingOrder)
    clinic = model.index_of_broadcast("FG-2")
    assert texts(model, cols.COL_STATUS, clinic) == ["Being sent", "Finished", "Paused"]
    model.sort(cols.COL_ATTEMPTS, Qt.SortOrder.DescendingOrder)
    assert texts(model, cols.COL_ATTEMPTS)[0] == "4"
    assert texts(model, cols.COL_NAME, model.index_of_broadcast("FG-2"))[0] == "Clinic B"


def test_a_poll_updates_rows_in_place_and_keeps_selection(qtbot: QtBot, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)
    clinic = model.index_of_broadcast("FG-2")
    kept = QPersistentModelIndex(model.index(0, 0, clinic))
    clinic_a = rows.messages[1]
    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.assertNotEmitted(model.layoutChanged),
        qtbot.waitSignal(model.dataChanged),
    ):
        finished = model.update_rows([done(clinic_a, FaxResult.SUCCESS)])
    assert [t.after.recipient_name for t in finished] == ["Clinic A"]
    assert kept.isValid()
    assert kept.data() == "Clinic A"
    assert model.index(0, cols.COL_RESULT, clinic).data() == "Sent"
    assert model.index(clinic.row(), cols.COL_STATUS).data() == "2 of 3 finished, 1 paused"
    # The same answer again changes nothing and says nothing finished.
    with qtbot.assertNotEmitted(model.dataChanged):
        assert model.update_rows([done(clinic_a, FaxResult.SUCCESS)]) == []

    # With a filter on, the fax that finished leaves the view, the selection stays put.
    model.set_filter(StatusFilter(status=StatusChoice.UNFINISHED))
    kept = QPersistentModelIndex(model.index_of_message(rows.messages[3].id))
    assert kept.data() == "Clinic C"
    model.update_rows([done(rows.messages[5], FaxResult.SUCCESS)])
    assert kept.isValid()
    assert kept.data() == "Clinic C"
    assert model.index_of_broadcast("FG-3").isValid() is False


def test_pending_actions_show_until_the_answer(qtbot: QtBot, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)
    clinic = model.index_of_broadcast("FG-2")
    model.set_pending(clinic, "pause")
    assert model.index(clinic.row(), cols.COL_STATUS).data() == "Pausing…"
    assert model.index(0, cols.COL_STATUS, clinic).data() == "Pausing…"
    paused = [m._replace(status=FaxStatus.PAUSING) for m in rows.messages[1:4]]
    model.update_rows(paused)
    assert model.index(0, cols.COL_STATUS, clinic).data() == "Pausing…"
    assert model.index(clinic.row(), cols.COL_STATUS).data() == "0 of 3 finished, 3 paused"


def test_a_resend_and_a_tracked_reference_join_without_a_reset(qtbot: QtBot, rows: Rows) -> None:
    model = StatusTreeModel()
    model.set_rows(*rows.all)
    clinic_ref = "FG-2"
    clinic = QPersistentModelIndex(model.index_of_broadcast(clinic_ref))
    extra = Rows()
    broadcast = rows.broadcasts[1]
    resend = extra.send(broadcast, 2)
    extra.fax(resend, "61500000002", "Clinic B", status=FaxStatus.PENDING)
    tracked = extra.broadcast("ELSEWHERE-7", minutes=30, tracked=True)
    extra.fax(extra.send(tracked), "61298765432", "", status=FaxStatus.QUEUED)
    with qtbot.assertNotEmitted(model.modelReset):
        model.upsert([tracked], extra.sends, extra.messages)
    assert clinic.isValid()
    assert texts(model, cols.COL_NAME, QModelIndex(clinic)) == [
        "Part 1 of 2 (3 faxes)",
        "Part 2 of 2 (1 fax)",
    ]
    assert texts(model, cols.COL_REFERENCE)[0] == "ELSEWHERE-7"
    assert model.totals(QModelIndex(clinic)).faxes == 4


def _many(count: int, first_minute: int = 0) -> Rows:
    """`count` one-fax broadcasts, a minute apart (the newest last)."""
    r = Rows()
    for n in range(count):
        send = r.send(r.broadcast(f"MANY-{first_minute + n}", minutes=first_minute + n))
        r.fax(send, f"6150{first_minute + n:07d}", f"Clinic {first_minute + n}")
    return r


def test_the_view_is_given_the_top_level_a_page_at_a_time(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    model = StatusTreeModel()
    model.set_rows(*_many(cols.PAGE + 50).all)
    assert model.rowCount() == cols.PAGE
    assert model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == cols.PAGE + 50
    assert not model.canFetchMore(QModelIndex())
    # A filter starts from the first page again, and finds what is beyond it.
    model.set_filter(StatusFilter(text="clinic"))
    assert model.rowCount() == cols.PAGE
    oldest = model.index_of_broadcast("MANY-0")
    assert oldest.isValid()
    assert oldest.row() == cols.PAGE + 49
    assert model.rowCount() == cols.PAGE + 50
    assert model.index(oldest.row(), cols.COL_NAME).data() == "Clinic 0"
    model.set_filter(StatusFilter())
    qtmodeltester.check(model, force_py=True)


def test_older_pages_join_below_without_moving_the_selection(qtbot: QtBot) -> None:
    from faxgui.ui.status.tree_model import build_tree

    newest = _many(3, first_minute=100)
    model = StatusTreeModel()
    model.set_rows(*newest.all)
    kept = QPersistentModelIndex(model.index_of_broadcast("MANY-101"))
    older = _many(4)
    with qtbot.assertNotEmitted(model.layoutChanged), qtbot.waitSignal(model.rowsInserted):
        model.add_tree(build_tree(*older.all))
    assert texts(model, cols.COL_REFERENCE) == [
        "MANY-102", "MANY-101", "MANY-100", "MANY-3", "MANY-2", "MANY-1", "MANY-0",
    ]  # fmt: skip
    assert kept.isValid()
    assert kept.row() == 1
    assert model.message_count == 7
    model.set_filter(StatusFilter(text="6150 000 0002"))
    assert texts(model, cols.COL_REFERENCE) == ["MANY-2"]
    # A poll that changed a fax of a page not read yet: the page takes the newer row.
    later = _many(2, first_minute=-2)
    model.set_filter(StatusFilter())
    finished = done(later.messages[0], FaxResult.SUCCESS)
    model.update_rows([finished._replace(changed=T0 + timedelta(hours=1))])
    model.add_tree(build_tree(*later.all))
    assert model.message(finished.id).status is FaxStatus.DONE
    assert model.index_of_broadcast("MANY--2").siblingAtColumn(cols.COL_RESULT).data() == "Sent"
