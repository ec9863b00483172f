"""One SQLite file used from several threads: a connection per thread, short transactions.

sqlite3 connections must not be shared between threads, so each thread that
touches a store gets its own, opened on first use and closed with the store.
WAL mode lets readers (the GUI's queries) run while a worker writes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

# How long a writer waits for another thread's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000


class ThreadConnections:
    """Connections to one SQLite file, one per thread; `closed_error()` is raised once closed."""

    def __init__(self, path: Path, closed_error: Callable[[], Exception]) -> None:
        self.path = path
        self._closed_error = closed_error
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        path.parent.mkdir(parents=True, exist_ok=True)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        if self._closed:
            raise self._closed_error()
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        with self._lock:
            if self._closed:
                raise self._closed_error()
            # check_same_thread=False only so close() can close it from another thread;
            # it is used by the thread that opened it and no other.
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=0
            )
            self._connections.append(connection)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # NORMAL is durable across application crashes in WAL mode; only a power cut can
        # lose the last transactions.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        self._local.connection = connection
        return connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it cannot deadlock."""
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        """Close every thread's connection; later use raises. Safe to repeat."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
