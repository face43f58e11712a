"""The runbook's daily Shine backup (Luigi's BackupProductionShinePostgres), on Shine's real
schema: ukwa/shine's Play evolutions 1-22 (sql/demo/shine_schema.sql, its origin there), with
rows as its Ebean models write them. Judged by the real pg_restore: the stored dump restores
with every table's rows and every sequence's value (Ebean draws ids from them)."""

import os
import subprocess
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.core.pg_tools import client_env, tool_path
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.webarchive_data import load_shine
from maint_assets.webarchive import checks
from maint_assets.webarchive.assets import shine_backup
from maint_assets.webarchive.keys import SHINE_DUMP_FOLDER


def _content(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        found = {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier(t))).fetchone()[0] for t in tables}
        for (seq,) in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").fetchall():
            found[seq] = conn.execute(sql.SQL("SELECT last_value FROM {}").format(
                sql.Identifier(seq))).fetchone()[0]
        return found


def test_shines_backup_restores_with_its_rows_and_sequences(
    empty_db: str, pg_cluster, tmp_path: Path, s3_store, staging_server: PostgresResource
) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_shine(conn)
    result = dg.materialize(
        [shine_backup.shine_backup, checks.shine_dump_restores],
        resources={"shine_db": PostgresResource(url=empty_db), "artifacts": s3_store,
                   "restore_server": staging_server},
    )
    assert result.success
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {
        "dump_restores": True
    }
    stored = s3_store.latest(SHINE_DUMP_FOLDER)
    assert stored.manifest["tables"]["public.resource"] == 50
    assert stored.manifest["tables"]["public.saved_search"] == 1

    restored = f"shine_restored_{os.getpid()}"
    pg_cluster.up([restored])
    try:
        dump = s3_store.fetch(stored, tmp_path / "shine.dump")
        subprocess.run(
            [str(tool_path("pg_restore", 15)), "--no-owner", "--exit-on-error",
             "-d", restored, str(dump)],
            env=client_env(pg_cluster.url(restored)), check=True, capture_output=True,
        )
        assert _content(pg_cluster.url(restored)) == _content(empty_db)
    finally:
        with pg_cluster.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                sql.Identifier(restored)))
