"""Roles the tests create. Test-only: a login role's password is in the statement, where a
deployment sets it with psql's \\password (docs/operations.md: least privilege)."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def scratch_roles(url: str, *kinds: str) -> Iterator[tuple[str, ...]]:
    """A role for each of ``kinds`` (``reader`` -> ``reader_1a2b3c``, unique to this call),
    dropped afterwards with what it owns."""
    suffix = secrets.token_hex(3)
    names = tuple(f"{kind}_{suffix}" for kind in kinds)
    with psycopg.connect(url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)))
    try:
        yield names
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in names:
                conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(name)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
