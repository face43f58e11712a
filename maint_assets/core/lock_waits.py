"""Taking locks that readers would queue behind, without making them queue.

A waiting ACCESS EXCLUSIVE request (a plain materialized view refresh, the ingest switch's
renames) queues every later reader of the relation behind it, however long the session it
waits for keeps its own lock: a long reader (an export, a transaction left open) would hold
every reader for the whole lock timeout. Each attempt waits a short time for each lock instead
(``SHORT_LOCK_TIMEOUT`` unless the caller gives its own), and the attempts are spaced out to
give the long reader time to finish; when they never succeed the step fails naming the
sessions that held the locks.
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


def set_short_lock_timeout(conn: psycopg.Connection, timeout: str = SHORT_LOCK_TIMEOUT) -> None:
    """For the rest of the current transaction (or savepoint)."""
    conn.execute(statement(SQL_LOCK_WAITS, "short_lock_timeout"), {"timeout": timeout})


def lock_holders(
    conn: psycopg.Connection,
    locked: Sequence[tuple[str, str]],
    read: Sequence[tuple[str, str]] = (),
    whole: Sequence[str] = (),
) -> dict[tuple[str, int], str]:
    """The other sessions holding a lock on ``locked`` (any lock), ``read`` (ACCESS EXCLUSIVE)
    or anything in the schemas ``whole``, each described: asked in ``conn``'s transaction (not
    an aborted one), keyed by what is held and by whom."""
    rows = conn.execute(
        statement(SQL_LOCK_WAITS, "lock_holders"),
        {
            "schemas": [s for s, _ in [*locked, *read]],
            "names": [n for _, n in [*locked, *read]],
            "any_lock": [True] * len(locked) + [False] * len(read),
            "whole": list(whole),
        },
    ).fetchall()
    return {
        (held, pid): (
            f"{held} (held by pid {pid}: {kind}, user {user}, application {app}, {state}, "
            f"transaction open since {since}, {age}, {mode}"
            + (f", running {query!r}" if query else "")
            + (", itself waiting for this transaction" if waits_for_us else "")
            + ")"
        )
        for held, pid, kind, user, app, state, since, age, mode, waits_for_us, query in rows
    }


def named(holders: dict[tuple[str, int], str], locked: Sequence[tuple[str, str]]) -> str:
    """The holders described, or the relations when none was seen."""
    return "; ".join(holders[k] for k in sorted(holders)) or ", ".join(
        ".".join(t) for t in locked
    )


def with_short_lock_waits(
    conn: psycopg.Connection,
    attempt: Callable[[], T],
    attempts: int,
    locked: Sequence[tuple[str, str]],
    refused: str,
    unchanged: str,
    read: Sequence[tuple[str, str]] = (),
    whole: Sequence[str] = (),
    timeout: str = SHORT_LOCK_TIMEOUT,
) -> T:
    """``attempt()`` in a savepoint of ``conn``'s transaction under the short lock timeout,
    up to ``attempts`` times; a failed attempt releases every lock it took and undoes its
    work. ``locked`` names the relations it locks (it may fill them in as it goes), ``read``
    those it only reads and ``whole`` the schemas whose objects it alters, for the failure,
    which starts with ``refused`` and ends with ``unchanged`` and names who held them at any
    refused attempt: one gone by the last attempt may have refused all the others. Each lock
    is waited for at most ``timeout``. Once the locks are taken, the transaction's own lock
    timeout applies again (a SET LOCAL made in a released savepoint would last to the
    transaction's end)."""
    started = time.monotonic()
    holders: dict[tuple[str, int], str] = {}
    previous = conn.execute(statement(SQL_LOCK_WAITS, "lock_timeout")).fetchone()[0]
    for number in range(attempts):
        try:
            with conn.transaction():
                set_short_lock_timeout(conn, timeout)
                done = attempt()
            set_short_lock_timeout(conn, previous)
            return done
        except errors.LockNotAvailable:
            holders = {**lock_holders(conn, locked, read, whole), **holders}
            if number + 1 < attempts:
                time.sleep(min(BACKOFF[0] * 2**number, BACKOFF[1]))
    raise dg.Failure(
        f"{refused}: could not lock "
        + named(holders, locked)
        + f" in {attempts} attempts of {timeout} over "
        f"{time.monotonic() - started:.0f} s; {unchanged}"
    )
