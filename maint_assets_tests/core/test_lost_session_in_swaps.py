"""A session lost while a swap carries what hangs on the old table (views, constraints,
triggers) is the caller's to retry, not a refusal about the object it was working on: the
catalogue's swap runs again after a cut (`locked_step(rerun_if_cut=True)`) only on the
driver's own error, and a kill at each statement of the ingest's switch on nmdc-server's real
schema read "the constraint … cannot be added to the new version: terminating connection"
(trial of session 36)."""

import psycopg
import pytest

from maint_assets.core import views


def test_a_session_lost_while_views_are_recreated_is_the_callers_to_retry(empty_db: str):
    with psycopg.connect(empty_db, autocommit=True) as setup:
        setup.execute("CREATE TABLE t (x int)")
        setup.execute("CREATE VIEW v AS SELECT x FROM t")
    conn = psycopg.connect(empty_db)
    try:
        dependents = views.views_on(conn, "public", "t")
        conn.execute("DROP VIEW v")  # as the swap drops it, in its transaction
        with psycopg.connect(empty_db, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [conn.info.backend_pid])
        with pytest.raises(psycopg.OperationalError):
            views.recreate(
                conn, dependents, views.Refusal("t not replaced", "nothing changed", "catalog")
            )
    finally:
        conn.close()
