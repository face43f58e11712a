"""The ingest's own indexes and constraints: those it made from the tables file (key, row
checks, indexes), told apart from a DBA's on the same tables by a record of their oids
(``maint_assets.ingest_rules``), kept when a staging table is loaded.

Why a record of oids: an oid names the very object the load made, whatever a DBA later names
or comments; the schema's renames (staging, production, archived) keep it. PostgreSQL's
default names (``study_name_idx``, ``study_name_check``) are what a DBA's unnamed
``CREATE INDEX ON`` or ``ADD CHECK`` gets too, a comment is a DBA's to change (and is carried
as theirs), and a rule's definition may be a DBA's too. A record lost (a database restored
from a dump gives new oids) makes the rule look like a DBA's: it is carried, as before, never
dropped without that evidence."""

import psycopg

from maint_assets.core.attachments import Lost
from maint_assets.core.sql_files import statement
from maint_assets.ingest.keys import SQL_PRODUCTION, SQL_STAGING


def record(conn: psycopg.Connection, relation: tuple[str, str]) -> None:
    """Record what the load made on the staging table ``relation`` as the ingest's own, and
    forget the records of objects gone since."""
    schema, table = relation
    conn.execute(statement(SQL_STAGING, "forget_rules"))
    conn.execute(statement(SQL_STAGING, "record_rules"), {"schema": schema, "table": table})


def of(conn: psycopg.Connection, schema: str, loaded: list[str]) -> Lost:
    """(kind, table, name) of the ingest's own indexes and constraints on ``schema``'s
    ``loaded`` tables."""
    return {
        (kind, table, name)
        for kind, table, name in conn.execute(
            statement(SQL_PRODUCTION, "rules_of"), {"schema": schema, "loaded": loaded}
        )
    }
