"""Histories of 50,000 faxes in the shapes offices have, written straight into a job store.

Writing them through the store's own calls (one transaction per send) takes
minutes for 50,000 one-fax broadcasts; the rows here are what those calls
leave behind (finished faxes with one attempt each, a few still queued),
inserted in one transaction. What is measured is reading them, not this.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from faxgui.jobs.store import JobStore

FAXES = 50_000


def _mixed() -> list[int]:
    """An office's history: mostly small broadcasts (1-20 faxes), a few large ones."""
    rng = random.Random(7)
    sizes = [5_000, 3_000, 2_000, 1_200, 800]
    left = FAXES - sum(sizes)
    while left > 0:
        size = min(left, rng.choice([1, 1, 1, 1, 2, 3, 5, 8, 12, 20]))
        sizes.append(size)
        left -= size
    rng.shuffle(sizes)
    return sizes


SHAPES: dict[str, list[int]] = {
    "one fax each": [1] * FAXES,
    "office mix": _mixed(),
    "25 per broadcast": [25] * (FAXES // 25),
    "50 of 1,000": [1_000] * (FAXES // 1_000),
}


def fill(store: JobStore, sizes: Sequence[int], *, seed: int = 50) -> None:
    """Broadcasts of these sizes (oldest first), split into sends of 600 as the composer does."""
    rng = random.Random(seed)
    db = store.connection()
    db.execute("BEGIN IMMEDIATE")
    message_rows = []
    attempt_rows = []
    (next_id,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").fetchone()
    for b, size in enumerate(sizes):
        ref = f"H{b:05d}-{size}"
        day = 1 + b * 27 // len(sizes)
        created = f"2026-11-{day:02d}T09:{b % 60:02d}:00.000+00:00"
        summary = json.dumps({"messages": size, "documents": [{"name": "a.pdf", "pages": 2}]})
        cursor = db.execute(
            "INSERT INTO broadcasts (broadcast_ref, created, account, endpoint, composed_by) "
            "VALUES (?, ?, 'demo', 'e', 'reception')",
            (ref, created),
        )
        broadcast_id = cursor.lastrowid
        for s, start in enumerate(range(0, size, 600), 1):
            send_ref = f"{ref}-S{s}"
            db.execute(
                "INSERT INTO sends (send_ref, broadcast_id, position, state, summary_json, "
                "request_json, created, updated, submitted, attempts) "
                "VALUES (?, ?, ?, 'submitted', ?, '{}', ?, ?, ?, 1)",
                (send_ref, broadcast_id, s, summary, created, created, created),
            )
            for i in range(1, min(600, size - start) + 1):
                roll = rng.random()
                status = "done" if roll < 0.97 else "queued"
                ok = roll < 0.85
                when = created.replace(":00.000", f":{i % 60:02d}.000")
                message_rows.append(
                    (next_id, send_ref, i, f"{send_ref}-M{i}", f"Clinic {next_id}",
                     f"61280{rng.randrange(10**6):06d}", status, "success" if ok else "failed",
                     None if ok else "FAX_BUSY", 1, 1, 2 if ok else 0, 2 if ok else 0,
                     "0.20" if ok else "0.00", 70 if ok else 15, when, when, when, when)
                )  # fmt: skip
                attempt_rows.append(
                    (next_id, 1, "success" if ok else "failed", None if ok else "FAX_BUSY",
                     "0.20" if ok else "0.00", 2 if ok else 0, 70 if ok else 15, when, when,
                     when)
                )  # fmt: skip
                next_id += 1
    db.executemany(
        "INSERT INTO messages (id, send_ref, position, message_ref, recipient_name, send_to, "
        "status, result, error, attempts, calls, pages, sent_pages, cost, duration, scheduled, "
        "started, ended, changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        message_rows,
    )
    db.executemany(
        "INSERT INTO attempts (message_id, attempt, result, error, cost, pages, duration, "
        "scheduled, started, ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        attempt_rows,
    )
    db.execute("COMMIT")
