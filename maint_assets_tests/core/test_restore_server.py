"""Which restore failures are the restore server's: told by SQLSTATE, which psql's verbose
errors carry in any lc_messages, never by the message's text."""

import gettext
from pathlib import Path

import pytest

from maint_assets.core import databases
from maint_assets.core.pg_tools import PgToolError
from maint_assets.core.restore_server import RESTORE_SERVER_FAILURE, failed_restore, server_cause
from maint_assets.demo.local_cluster import PG_MAJOR

# pg_restore's script run by psql (databases.load_dump), as the atlas restore checks met them.
NO_POSTGIS = PgToolError(
    "pg_restore failed for atlas/backups/schema/schema.dump: ERROR:  42501: "
    'permission denied to create extension "postgis"\n'
    "HINT:  Must be superuser to create this extension.\n"
    "LOCATION:  execute_extension_script, extension.c:1142"
)
BROKEN_KEY = PgToolError(
    "psql failed for atlas/backups/sample.sql: psql:sample.sql:12: ERROR:  23503: insert or "
    'update on table "observations" violates foreign key constraint '
    '"observations_id_datasets_fkey"\nDETAIL:  Key (id_datasets)=(…) is not present in table '
    '"datasets".'
)
GONE = PgToolError(
    "pg_restore failed for atlas/backups/regions.dump: psql: error: connection to "
    'server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory'
)


def test_a_server_refusal_is_the_servers_and_says_what_to_do():
    cause = 'permission denied to create extension "postgis" (SQLSTATE 42501)'
    assert server_cause(str(NO_POSTGIS)) == cause
    assert server_cause(str(GONE)) is not None
    recorded = failed_restore("schema.dump", NO_POSTGIS, "prepare the template")
    assert recorded[RESTORE_SERVER_FAILURE] == cause
    assert "prepare the template" in recorded["error"]


def test_what_the_dump_holds_stays_the_artifacts_failure():
    assert server_cause(str(BROKEN_KEY)) is None
    assert failed_restore("sample.sql", BROKEN_KEY) == {
        "artifact": "sample.sql",
        "error": str(BROKEN_KEY),
    }


def _german(message: str) -> str:
    """PostgreSQL's own German translation of ``message``, as a server with
    lc_messages = 'de_DE.UTF-8' sends it (this machine has no German locale to set)."""
    mo = Path(f"/usr/share/locale/de/LC_MESSAGES/postgres-{PG_MAJOR}.mo")
    if not mo.exists():
        pytest.skip(f"no German translation of PostgreSQL's messages ({mo})")
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f).gettext(message)


def test_a_refusal_in_another_language_is_still_the_servers(empty_db, tmp_path):
    """The server's messages are in its lc_messages language: matched by their English text,
    a German server's refusal was taken for the dump's fault. The dump raising it is this
    test's invention: the server sends the German text of "permission denied to create
    extension" with its SQLSTATE, as a German server does."""
    text = _german('permission denied to create extension "%s"') % "postgis"
    assert "permission denied" not in text
    dump = tmp_path / "refused.sql"
    dump.write_text(
        f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = '{text}'; END $$;\n"
    )
    with pytest.raises(PgToolError) as refused:
        databases.load_dump(empty_db, dump, "plain", PG_MAJOR, "refused.sql")
    assert server_cause(str(refused.value)) == f"{text} (SQLSTATE 42501)"


def test_a_connection_refused_in_another_language_is_still_the_servers(tmp_path, monkeypatch):
    """The client tools' own messages follow the machine's language: a German LANGUAGE made
    libpq's "connection to server ... failed" German, and the failure the dump's."""
    monkeypatch.setenv("LANGUAGE", "de")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    dump = tmp_path / "any.sql"
    dump.write_text("SELECT 1;\n")
    with pytest.raises(PgToolError) as refused:
        databases.load_dump(
            "postgresql://maint@127.0.0.1:1/atlas", dump, "plain", PG_MAJOR, "any.sql"
        )
    assert server_cause(str(refused.value)) is not None, str(refused.value)
