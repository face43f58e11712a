"""core/lock_waits.py against the test session's server: the short timeout is for taking the
locks only."""

import psycopg

from maint_assets.core.lock_waits import with_short_lock_waits


def test_the_transactions_lock_timeout_applies_again_once_the_locks_are_taken(empty_db: str):
    """The short timeout is set in a savepoint, and a SET LOCAL survives the savepoint's
    release: what the transaction did after the locks ran under 200 ms (the catalogue's swap
    carried its grants, comments and keys so)."""
    with psycopg.connect(empty_db) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("SET LOCAL lock_timeout = '30s'")
        def lock() -> str:
            conn.execute("LOCK TABLE t")
            return conn.execute("SELECT current_setting('lock_timeout')").fetchone()[0]

        during = with_short_lock_waits(
            conn, lock, 3, [("public", "t")], "t not locked", "nothing changed"
        )
        after = conn.execute("SELECT current_setting('lock_timeout')").fetchone()[0]
    assert (during, after) == ("200ms", "30s")
