"""Counting every row of a table, for the checks that compare a replacement with the table it
replaces: a count through row-level security (FORCE ROW LEVEL SECURITY on a table the role
owns, or policies on one it does not own) gives the rows the role may see, and compared with
the new version's it lets a shrunken version through, or refuses a sound one."""

import psycopg
from psycopg import errors

from maint_assets.core.sql_files import compose, statement

SQL = "core/row_counts"


class RowsHidden(Exception):
    """Row-level security would hide rows of the table from the role counting them."""


def count_all_rows(conn: psycopg.Connection, relation: tuple[str, str]) -> int:
    """Every row of ``relation``. With ``row_security`` off PostgreSQL refuses, rather than
    filters, a query that policies would filter for the role: so the count is either all the
    rows or ``RowsHidden``, never the rows the role may see."""
    with conn.transaction():  # a savepoint: the refused count leaves the caller's usable
        previous, user, _ = conn.execute(statement(SQL, "row_security_off")).fetchone()
        try:
            (rows,) = conn.execute(compose(SQL, "count_rows", relation=relation)).fetchone()
        except errors.InsufficientPrivilege as err:
            raise RowsHidden(
                f"{'.'.join(relation)}: {err.diag.message_primary} (the role {user} has no "
                "BYPASSRLS)"
            ) from None
        # Back for the rest of the transaction: a view or policy re-created later reads through
        # row-level security as before.
        conn.execute(statement(SQL, "set_row_security"), {"value": previous})
    return rows
