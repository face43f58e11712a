"""A second connection can read exactly what a first one's transaction reads (the count
refresh recounts the detail that way, beside its writes:
maint_assets/atlas/counts/touched_check.py)."""

import psycopg

from maint_assets.core.postgres import PostgresResource


def test_a_transaction_given_an_exported_snapshot_reads_that_snapshot(empty_db: str) -> None:
    db = PostgresResource(url=empty_db)
    with db.connect() as setup:
        setup.execute("CREATE TABLE shared (n integer)")
        setup.execute("INSERT INTO shared VALUES (1)")
    try:
        with db.connect() as first, db.transaction(first, repeatable_read=True):
            snapshot = first.execute("SELECT pg_export_snapshot()").fetchone()[0]
            with psycopg.connect(empty_db, autocommit=True) as writer:
                writer.execute("INSERT INTO shared VALUES (2)")  # committed after the snapshot
            with db.connect() as second:
                with db.transaction(second, snapshot=snapshot):
                    assert second.execute("SELECT array_agg(n) FROM shared").fetchone() == ([1],)
                assert second.execute("SELECT count(*) FROM shared").fetchone() == (2,)
    finally:
        with db.connect() as cleanup:
            cleanup.execute("DROP TABLE shared")
