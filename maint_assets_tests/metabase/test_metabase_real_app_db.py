"""A real Metabase application database (data/objectiv_metabase_app_db_2022.sql,
a pg_dump of one: PostgreSQL 14.4, Metabase of 2022-08; origin and licence in data/README.md),
and a backup folder holding a manifest that cannot be read."""

from pathlib import Path

import psycopg
import pytest

from maint_assets.core.databases import major_version
from maint_assets.core.pg_tools import run_tool
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas.helpers import rows
from maint_assets_tests.metabase.test_metabase_backup import (
    _backup,
    _dbname,
    _failure_text,
    _restore,
)

REAL_DUMP = Path(__file__).parent / "data" / "objectiv_metabase_app_db_2022.sql"


def _load_real(url: str, tmp: Path) -> None:
    """The real dump in place of the stand-in's tables."""
    script = tmp / "real.sql"
    script.write_text("\n".join(
        line for line in REAL_DUMP.read_text().splitlines()
        if not line.startswith("\\c ") and " OWNER TO metabase;" not in line
    ))
    with psycopg.connect(url, autocommit=True) as conn:
        for (table,) in conn.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname = 'public'").fetchall():
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    server = PostgresResource(url=url)
    run_tool("psql", major_version(server),
             ["--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script)], url, "real dump")


@pytest.mark.skipif(not REAL_DUMP.exists(), reason="the real dump is not here")
def test_a_real_metabase_database_backs_up_checks_and_restores(
    metabase_resources, metabase_url, dagster_instance, tmp_path
):
    """Held: the real database backs up, passes its restore check and restores over a
    damaged copy of itself."""
    _load_real(metabase_url, tmp_path)
    before = rows(metabase_url, "SELECT count(*) FROM report_card")
    backup = _backup(metabase_resources, instance=dagster_instance)
    assert backup.success, _failure_text(backup)[-1500:]
    (check,) = backup.get_asset_check_evaluations()
    assert check.passed, str({k: v.value for k, v in check.metadata.items()})
    # Then Metabase was upgraded (46 renamed the table; a serial sequence keeps its name and
    # its owner) and a dashboard card deleted by mistake: the restore brings the backup back.
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE group_table_access_policy RENAME TO sandboxes")
        conn.execute("CREATE TABLE cache_config (id serial PRIMARY KEY, model text)")
        conn.execute("DELETE FROM report_dashboardcard")
    restored = _restore(metabase_resources, confirm=_dbname(metabase_url),
                        instance=dagster_instance)
    assert restored.success, _failure_text(restored)[-1500:]
    assert rows(metabase_url, "SELECT count(*) FROM report_card") == before
    assert rows(metabase_url, "SELECT to_regclass('sandboxes'), to_regclass('cache_config'), "
                "to_regclass('group_table_access_policy')::text") == [
        (None, None, "group_table_access_policy")]


def test_one_unreadable_manifest_does_not_stop_every_backup_naming_nothing(
    metabase_resources, dagster_instance
):
    """A zero-length manifest in the backup folder (a crash just after a local put: its
    temporary files are renamed without fsync; one edited by hand). Every later backup run
    stored its dump, then failed in its retention with a bare JSONDecodeError ("Expecting
    value: line 1 column 1"), so its restore check never ran either."""
    from maint_assets.metabase.keys import BACKUP_FOLDER

    store = metabase_resources["artifacts"]
    broken = f"{BACKUP_FOLDER}/metabase-20260101T000000000000Z.dump.manifest.json"
    store._backend().put_bytes(b"", broken)
    result = _backup(metabase_resources, instance=dagster_instance)
    if not result.success:
        error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
        assert broken in error, error[-800:]
