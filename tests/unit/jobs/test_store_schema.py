"""The job store's file: where it lives, WAL mode, and migrations applied once, in order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from faxgui.jobs.schema import LATEST_VERSION, SchemaTooNewError, migrate, schema_version
from faxgui.jobs.store import JobStore, NewMessage, NewSend, default_store_path


def _send(ref: str) -> NewSend:
    return NewSend(ref, {"messages": 1}, "{}", [NewMessage(f"{ref}-M1", "61280039890", "Dr Lee")])


def test_the_store_lives_in_the_users_data_directory(private_home: Path) -> None:
    with JobStore() as store:
        assert store.path == default_store_path()
        assert store.path.is_relative_to(private_home / "data")
        assert store.path.exists()


def test_a_new_file_is_in_wal_mode_at_the_latest_schema(tmp_path: Path) -> None:
    JobStore(tmp_path / "jobs.sqlite3").close()
    connection = sqlite3.connect(tmp_path / "jobs.sqlite3")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert schema_version(connection) == LATEST_VERSION
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"schema_version", "broadcasts", "sends", "messages"} <= tables
    finally:
        connection.close()


def test_reopening_keeps_what_was_recorded_and_migrates_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with JobStore(path) as store:
        store.add_broadcast("B-1", account="demo", endpoint="http://x", sends=[_send("B-1-S1")])
    with JobStore(path) as store:
        (record,) = store.sends()
        assert record.send_ref == "B-1-S1"
        assert store.messages("B-1-S1")[0].recipient_name == "Dr Lee"


def test_migrations_run_in_order_and_an_older_file_is_brought_up_to_date(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    first = (("CREATE TABLE notes (text TEXT)",),)
    assert migrate(connection, first) == 1
    connection.execute("INSERT INTO notes VALUES ('kept')")
    both = (*first, ("ALTER TABLE notes ADD COLUMN author TEXT",))
    assert migrate(connection, both) == 2
    assert connection.execute("SELECT text, author FROM notes").fetchall() == [("kept", None)]
    assert migrate(connection, both) == 2
    connection.close()


def test_a_failing_migration_leaves_the_file_at_the_previous_version(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    good = ("CREATE TABLE notes (text TEXT)",)
    bad = ("ALTER TABLE notes ADD COLUMN author TEXT", "ALTER TABLE nowhere ADD COLUMN x")
    with pytest.raises(sqlite3.OperationalError):
        migrate(connection, (good, bad))
    assert schema_version(connection) == 1
    columns = [row[1] for row in connection.execute("PRAGMA table_info(notes)")]
    assert columns == ["text"]
    connection.close()


def test_a_file_from_a_newer_faxgui_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    JobStore(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE schema_version SET version = ?", (LATEST_VERSION + 1,))
    connection.commit()
    connection.close()
    with pytest.raises(SchemaTooNewError, match="newer version of faxgui"):
        JobStore(path)
