"""Which restore failures are the restore server's: the messages are pg_restore's own, as the
atlas restore checks met them (PgToolError's text)."""

from maint_assets.core.restore_server import RESTORE_SERVER_FAILURE, failed_restore, server_cause

NO_POSTGIS = (
    "pg_restore failed for atlas/backups/schema/schema.dump: pg_restore: error: could not "
    'execute query: ERROR:  permission denied to create extension "postgis"\n'
    "HINT:  Must be superuser to create this extension.\n"
    "Command was: CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;"
)
BROKEN_KEY = (
    "pg_restore failed for atlas/backups/sample.sql: psql:sample.sql:12: ERROR:  insert or "
    'update on table "observations" violates foreign key constraint '
    '"observations_id_datasets_fkey"\nDETAIL:  Key (id_datasets)=(…) is not present in table '
    '"datasets".'
)
GONE = (
    "pg_restore failed for atlas/backups/regions.dump: pg_restore: error: connection to "
    'server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory'
)


def test_a_server_refusal_is_the_servers_and_says_what_to_do():
    assert server_cause(NO_POSTGIS) == 'permission denied to create extension "postgis"'
    assert server_cause(GONE) is not None
    recorded = failed_restore("schema.dump", NO_POSTGIS, "prepare the template")
    assert recorded[RESTORE_SERVER_FAILURE] == 'permission denied to create extension "postgis"'
    assert "prepare the template" in recorded["error"]


def test_what_the_dump_holds_stays_the_artifacts_failure():
    assert server_cause(BROKEN_KEY) is None
    assert failed_restore("sample.sql", BROKEN_KEY) == {
        "artifact": "sample.sql",
        "error": BROKEN_KEY,
    }
