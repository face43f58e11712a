"""The web archive's bookkeeping schema is applied by every TrackDB refresh and every index run:
applied again, it must change nothing and so lock nothing a reader holds."""

import psycopg

from maint_assets.core.schema import apply_schema
from maint_assets.webarchive.keys import SQL_DIR


def test_applying_the_schema_again_waits_for_no_reader(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn, SQL_DIR, bookkeeping_only=True)
    with psycopg.connect(empty_db) as reader:  # a dashboard's open transaction on the view
        reader.execute("SELECT count(*) FROM webarchive.trackdb").fetchone()
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '2s'")
            assert apply_schema(conn, SQL_DIR, bookkeeping_only=True) == ["10_maint_assets.sql"]
