"""Statements kept in ``sql/``: one file per statement group, sections named ``-- name: x``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from psycopg import sql

from maint_assets.core.identifiers import check_identifier
from maint_assets.core.paths import SQL_DIR

_SECTION = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


class SqlFileError(LookupError):
    pass


@cache
def statements(group: str) -> dict[str, str]:
    """The named statements of ``sql/<group>.sql``."""
    path = SQL_DIR / f"{group}.sql"
    try:
        text = path.read_text()
    except FileNotFoundError as err:
        raise SqlFileError(f"no SQL file {path}") from err
    parts = _SECTION.split(text)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def statement(group: str, name: str) -> str:
    try:
        return statements(group)[name]
    except KeyError as err:
        raise SqlFileError(f"sql/{group}.sql has no statement named {name!r}") from err


def compose(group: str, name: str, **identifiers: str | tuple[str, ...]) -> sql.Composed:
    """A statement with ``{placeholders}`` filled by quoted identifiers (never by formatting),
    each refused if PostgreSQL would truncate it."""
    quoted = {
        key: sql.Identifier(*(check_identifier(p) for p in (v if isinstance(v, tuple) else (v,))))
        for key, v in identifiers.items()
    }
    return sql.SQL(statement(group, name)).format(**quoted)


def schema_files(domain: str, part: str = "schema") -> list[Path]:
    """The idempotent DDL files of a domain (``sql/<domain>/<part>/``), in the order they apply."""
    return sorted((SQL_DIR / domain / part).glob("*.sql"))
