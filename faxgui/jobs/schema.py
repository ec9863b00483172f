"""The job store's tables, as an ordered list of migrations applied once each."""

from __future__ import annotations

import sqlite3

# Each migration is a tuple of statements run in one transaction; the store's
# schema_version is the number of migrations applied. Append, never edit: a
# user's file was made by the migrations as they stood when it was written.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            broadcast_ref TEXT NOT NULL,
            created TEXT NOT NULL,
            account TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            draft_json TEXT
        )
        """,
        "CREATE INDEX broadcasts_by_ref ON broadcasts (broadcast_ref)",
        """
        CREATE TABLE sends (
            send_ref TEXT PRIMARY KEY,
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (
                state IN ('outbox', 'submitting', 'submitted', 'failed', 'cancelled')
            ),
            summary_json TEXT NOT NULL,
            request_json TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            submitted TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """,
        "CREATE INDEX sends_by_state ON sends (state)",
        "CREATE INDEX sends_by_broadcast ON sends (broadcast_id, position)",
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            send_ref TEXT NOT NULL REFERENCES sends (send_ref) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            message_ref TEXT NOT NULL,
            recipient_name TEXT NOT NULL DEFAULT '',
            send_to TEXT NOT NULL,
            status TEXT,
            result TEXT,
            error TEXT,
            updated TEXT,
            UNIQUE (send_ref, message_ref)
        )
        """,
        "CREATE INDEX messages_by_ref ON messages (message_ref)",
    ),
    (
        # What each send carries, by content, for the "sent twice by mistake?" warning.
        # message_ref NULL: the send's shared documents, for the messages without their own.
        """
        CREATE TABLE document_digests (
            send_ref TEXT NOT NULL REFERENCES sends (send_ref) ON DELETE CASCADE,
            message_ref TEXT,
            digest TEXT NOT NULL
        )
        """,
        "CREATE INDEX document_digests_by_send ON document_digests (send_ref, message_ref)",
        "CREATE INDEX sends_by_submitted ON sends (submitted)",
    ),
    (
        # The history behind the status panel (faxgui.jobs.history). Who composed a
        # broadcast; references followed from elsewhere ("tracked": rows made from the
        # service's answers, whose send may have no SendRef, so `service_send_ref` holds
        # the reference the service knows and `send_ref` stays the store's key).
        "ALTER TABLE broadcasts ADD COLUMN composed_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE broadcasts ADD COLUMN tracked INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sends ADD COLUMN tracked INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sends ADD COLUMN service_send_ref TEXT",
        # The latest state of each fax, summed over its attempts where that is what a
        # receptionist wants (cost, seconds on the line); `observed` is when the answer
        # that set it was asked for, `changed` when it last changed.
        "ALTER TABLE messages ADD COLUMN error_code TEXT",
        "ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE messages ADD COLUMN calls INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE messages ADD COLUMN pages INTEGER",
        "ALTER TABLE messages ADD COLUMN sent_pages INTEGER",
        "ALTER TABLE messages ADD COLUMN cost TEXT",
        "ALTER TABLE messages ADD COLUMN duration INTEGER",
        "ALTER TABLE messages ADD COLUMN scheduled TEXT",
        "ALTER TABLE messages ADD COLUMN started TEXT",
        "ALTER TABLE messages ADD COLUMN ended TEXT",
        "ALTER TABLE messages ADD COLUMN details_json TEXT",
        "ALTER TABLE messages ADD COLUMN observed TEXT",
        "ALTER TABLE messages ADD COLUMN changed TEXT",
        # The panel reads messages send by send, in order, without sorting 50,000 rows.
        "CREATE INDEX messages_by_send ON messages (send_ref, position)",
        # Unfinished faxes are few among many finished ones: the poller reads only those.
        "CREATE INDEX messages_unfinished ON messages (send_ref) "
        "WHERE status IS NULL OR status <> 'done'",
        # Every attempt of the faxes tried more than once. A fax tried once keeps its only
        # attempt (number 1) in its own row above (faxgui.jobs.merge): most faxes go
        # through first time, and a 10,000-fax poll then writes 10,000 rows, not 20,000.
        """
        CREATE TABLE attempts (
            message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            result TEXT,
            error TEXT,
            error_code TEXT,
            cost TEXT,
            pages INTEGER,
            duration INTEGER,
            scheduled TEXT,
            started TEXT,
            ended TEXT,
            PRIMARY KEY (message_id, attempt)
        ) WITHOUT ROWID
        """,
        # When an answer for a whole send or broadcast was asked for: every fax under
        # that reference was seen then, without a write per fax.
        """
        CREATE TABLE observations (
            account TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('broadcast', 'send')),
            ref TEXT NOT NULL,
            observed TEXT NOT NULL,
            PRIMARY KEY (account, endpoint, kind, ref)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE tracked_refs (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('broadcast', 'send', 'message')),
            ref TEXT NOT NULL,
            added TEXT NOT NULL,
            UNIQUE (account, endpoint, kind, ref)
        )
        """,
        "CREATE INDEX sends_by_service_ref ON sends (service_send_ref) "
        "WHERE service_send_ref IS NOT NULL",
    ),
)

LATEST_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The file was written by a newer faxgui whose tables this version does not know."""

    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(
            f"The fax history was written by a newer version of faxgui (schema {found}; this "
            f"version knows up to {LATEST_VERSION}). Update faxgui to open it."
        )


def schema_version(connection: sqlite3.Connection) -> int:
    """How many migrations the open database has had (0 for a new, empty file)."""
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if exists is None:
        return 0
    row = connection.execute("SELECT version FROM schema_version").fetchone()
    return 0 if row is None else int(row[0])


def migrate(
    connection: sqlite3.Connection, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS
) -> int:
    """Bring the database up to the last of `migrations`; returns the version it ended at.

    `connection` must be in autocommit mode (isolation_level None). Each
    migration commits on its own, so an interrupted upgrade resumes where it
    stopped. BEGIN IMMEDIATE makes a second process opening the same file
    wait for the first one's upgrade instead of repeating it.
    """
    while True:
        connection.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(connection)
            if current > len(migrations):
                raise SchemaTooNewError(current)
            if current == len(migrations):
                connection.execute("COMMIT")
                return current
            if current == 0:
                connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            for statement in migrations[current]:
                connection.execute(statement)
            connection.execute("DELETE FROM schema_version")
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (current + 1,))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
