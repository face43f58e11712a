"""What a run as a less privileged role is told when the deletion capture needs a step it
may not take: a role with TRIGGER on Client-API-VN's tables (transfer_vn's db_group) and
CREATE on maint_assets, but not owning the capture's function an administrator installed,
was told it "needs TRIGGER" when that function had to be upgraded."""

from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, SQL_BOOKKEEPING
from maint_assets_tests.vn_sync.helpers import VnWorld

ROLE, PASSWORD = "vn_maint", "maint-pw-1"
SCHEMAS = [CHECK, PRODUCTION]


@pytest.fixture
def maint_role(world: VnWorld) -> Iterator[PostgresResource]:
    """The capture installed by the test's superuser (an administrator's first
    `maint-assets vn tables`), and a login role with the rights that test_vn_sync's
    test_bookkeeping_needs_no_ownership gives a run, plus CREATE on maint_assets."""
    conn = world.conn
    bookkeeping.prepare(PostgresResource(url=world.url), SCHEMAS)
    conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}' IN ROLE vn_group")
    try:
        conn.execute(f"GRANT USAGE ON SCHEMA dbadmin TO {ROLE}")
        conn.execute(f"GRANT USAGE, CREATE ON SCHEMA maint_assets TO {ROLE}")
        conn.execute("GRANT SELECT, INSERT ON dbadmin.monitoring_vn_check_to_prod,"
                     f" maint_assets.vn_monitoring TO {ROLE}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA maint_assets TO {ROLE}")
        conn.execute(f"GRANT USAGE ON SCHEMA {PRODUCTION}, {CHECK} TO {ROLE}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                     f"{PRODUCTION}, {CHECK} TO {ROLE}")
        yield PostgresResource(url=make_conninfo(world.url, user=ROLE, password=PASSWORD))
    finally:
        conn.execute(f"DROP OWNED BY {ROLE}")
        conn.execute(f"DROP ROLE {ROLE}")


def _served_state(conn: psycopg.Connection) -> str:
    return conn.execute(statement(SQL_BOOKKEEPING, "served_function_state")).fetchone()[0]


def _refusal(db: PostgresResource) -> str:
    with pytest.raises(dg.Failure) as refused:
        bookkeeping.prepare(db, SCHEMAS)
    return str(refused.value.description)


def test_an_outdated_capture_function_names_its_owner_not_trigger(
    world: VnWorld, maint_role: PostgresResource
) -> None:
    conn = world.conn
    # the function as installed before it looked at application_name: the current text
    # without that test (an earlier version of our own statement)
    current = statement(SQL_BOOKKEEPING, "create_served_function")
    outdated = current.replace("AND current_setting('application_name') IN ('transfer_vn', '')",
                               "")
    assert outdated != current
    conn.execute(outdated)
    assert _served_state(conn) == "outdated"

    message = _refusal(maint_role)
    assert "must be owner of function vn_capture_served" in message, message
    assert ("replacing maint_assets.vn_capture_served() (outdated: it counts a person's "
            "INSERT as served) needs its ownership" in message), message
    assert (f"{ROLE} lacks ownership of maint_assets.vn_capture_served() (owned by postgres; "
            f"{ROLE} is not a member of that role). TRIGGER on the tables does not help: run "
            "`maint-assets vn tables` (VN_DATABASE_URL naming that role) once as postgres"
            in message), message
    assert "needs TRIGGER" not in message

    conn.execute(f"REVOKE CREATE ON SCHEMA maint_assets FROM {ROLE}")
    message = _refusal(maint_role)
    assert "permission denied for schema maint_assets" in message, message
    assert (f"{ROLE} is not a member of that role) and CREATE on schema maint_assets "
            "(owned by postgres)" in message), message
    assert _served_state(conn) == "outdated"  # nothing half done

    # what the message says to do: the owner upgrades it once, then the role's runs pass
    bookkeeping.prepare(PostgresResource(url=world.url), SCHEMAS)
    assert _served_state(conn) == "current"
    bookkeeping.prepare(maint_role, SCHEMAS)


def test_a_missing_trigger_names_the_right_on_its_table(
    world: VnWorld, maint_role: PostgresResource
) -> None:
    conn = world.conn
    conn.execute(f"DROP TRIGGER maint_assets_vn_served ON {CHECK}.places_json")
    conn.execute(f"REVOKE vn_group FROM {ROLE}")
    owner = conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = %s "
                         "AND tablename = 'places_json'", [CHECK]).fetchone()[0]
    message = _refusal(maint_role)
    assert (f"creating the trigger maint_assets_vn_served on {CHECK}.places_json needs USAGE "
            f"on its schema, TRIGGER on it and EXECUTE on maint_assets.vn_capture_served(); "
            f"{ROLE} lacks TRIGGER on {CHECK}.places_json (owned by {owner})"
            in message), message


def test_a_bookkeeping_table_to_upgrade_names_its_owner(
    world: VnWorld, maint_role: PostgresResource
) -> None:
    """vn_deletions as installed before it recorded the deleting session: adding that column
    needs the table's ownership, and the role's run failed on PostgreSQL's bare error."""
    conn = world.conn
    conn.execute("ALTER TABLE maint_assets.vn_deletions DROP COLUMN application_name")
    message = _refusal(maint_role)
    assert ("cannot upgrade the bookkeeping tables in database" in message
            and "must be owner of table vn_deletions: run `maint-assets vn tables` "
            "(VN_DATABASE_URL naming that role) once as that table's owner" in message), message
    bookkeeping.prepare(PostgresResource(url=world.url), SCHEMAS)
    bookkeeping.prepare(maint_role, SCHEMAS)
