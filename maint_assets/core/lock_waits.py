"""Taking locks that readers would queue behind, without making them queue.

A waiting ACCESS EXCLUSIVE request (a plain materialized view refresh, the ingest switch's
renames) queues every later reader of the relation behind it, however long the session it
waits for keeps its own lock: a long reader (an export, a transaction left open) would hold
every reader for the whole lock timeout. Each attempt waits at most ``SHORT_LOCK_TIMEOUT``
instead, and the attempts are spaced out to give the long reader time to finish; when they
never succeed the step fails naming the sessions that held the locks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import dagster as dg
import psycopg
from psycopg import errors

from maint_assets.core.sql_files import statement

SQL_LOCK_WAITS = "core/lock_waits"
# No reader waits much longer than this behind an attempt (the atlas count swap's rule).
SHORT_LOCK_TIMEOUT = "200ms"
# Between attempts (seconds): doubling from the first to at most the second. 20 attempts give
# a long reader about two and a half minutes to finish.
BACKOFF = (0.25, 10.0)
DEFAULT_ATTEMPTS = 20

T = TypeVar("T")


def set_short_lock_timeout(conn: psycopg.Connection) -> None:
    """For the rest of the current transaction (or savepoint)."""
    conn.execute(statement(SQL_LOCK_WAITS, "short_lock_timeout"), {"timeout": SHORT_LOCK_TIMEOUT})


def with_short_lock_waits(
    conn: psycopg.Connection,
    attempt: Callable[[], T],
    attempts: int,
    locked: Sequence[tuple[str, str]],
    refused: str,
    unchanged: str,
    read: Sequence[tuple[str, str]] = (),
) -> T:
    """``attempt()`` in a savepoint of ``conn``'s transaction under the short lock timeout,
    up to ``attempts`` times; a failed attempt releases every lock it took and undoes its
    work. ``locked`` names the relations it locks (it may fill them in as it goes) and
    ``read`` those it only reads, for the failure, which starts with ``refused`` and ends with
    ``unchanged``."""
    started = time.monotonic()
    for number in range(attempts):
        try:
            with conn.transaction():
                set_short_lock_timeout(conn)
                return attempt()
        except errors.LockNotAvailable:
            if number + 1 < attempts:
                time.sleep(min(BACKOFF[0] * 2**number, BACKOFF[1]))
    holders = conn.execute(
        statement(SQL_LOCK_WAITS, "lock_holders"),
        {
            "schemas": [s for s, _ in [*locked, *read]],
            "names": [n for _, n in [*locked, *read]],
            "any_lock": [True] * len(locked) + [False] * len(read),
        },
    ).fetchall()
    raise dg.Failure(
        f"{refused}: could not lock "
        + (
            "; ".join(
                f"{relation} (held by pid {pid}: user {user}, application {app}, {state}, "
                f"transaction open since {since}, {age})"
                for relation, pid, user, app, state, since, age in holders
            )
            or ", ".join(".".join(t) for t in locked)
        )
        + f" in {attempts} attempts of {SHORT_LOCK_TIMEOUT} over "
        f"{time.monotonic() - started:.0f} s; {unchanged}"
    )
