"""Login roles the tests create. Test-only: the password is in the statement, where a
deployment sets it with psql's \\password (docs/operations.md: least privilege)."""

import psycopg
from psycopg import sql


def create_login_role(conn: psycopg.Connection, role: str, password: str, *attributes: str) -> None:
    """CREATE ROLE ``role`` LOGIN, with ``attributes`` (keywords: CREATEDB) and ``password``."""
    keywords = sql.SQL(" ").join(sql.SQL(a) for a in ("LOGIN", *attributes))
    conn.execute(
        sql.SQL("CREATE ROLE {} {} PASSWORD {}").format(
            sql.Identifier(role), keywords, sql.Literal(password)
        )
    )
