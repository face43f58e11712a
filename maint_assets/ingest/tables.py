"""The declarative list of tables an ingest loads: one file per table in the source, its
columns, keys, indexes and row checks. Names are quoted by the driver; column types and check
expressions are SQL the operator writes, as in a DDL file (types are checked against a pattern
so a stray quote or semicolon is refused). Every name is checked against PostgreSQL's 63-byte
limit when the list is read, the production schema's with the longest suffix the ingest
appends to it: a truncated ``<production>__staging`` would be production itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from maint_assets.core.identifiers import IdentifierTooLong, check_base, check_identifier

# The schemas built from the production schema's name: the next version while it is loaded,
# and the versions switched out (kept for rollback, or replaced by one).
STAGING_SUFFIX = "__staging"
ARCHIVE_PREFIX, _STAMP = "__v", "%Y%m%dT%H%M%S%f"
_TYPE = re.compile(r"^[a-z][a-z0-9_ ]*(\(\d+(, *\d+)?\))?(\[\])?( not null)?$", re.IGNORECASE)


class SpecError(ValueError):
    """The table list is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class TableSpec:
    name: str
    file: str
    columns: dict[str, str]
    primary_key: list[str]
    indexes: list[list[str]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    required: bool = True


@dataclass(frozen=True)
class IngestSpec:
    production: str
    tables: list[TableSpec]
    max_shrink: float = 0.2
    keep_versions: int = 3

    @property
    def staging(self) -> str:
        return self.production + STAGING_SUFFIX

    def archived(self, at: datetime) -> str:
        """The name a version keeps once another replaced it (a switch or a rollback)."""
        return f"{self.production}{ARCHIVE_PREFIX}{at:{_STAMP}}"

    @property
    def names(self) -> set[str]:
        return {t.name for t in self.tables}


def load_spec(path: Path) -> IngestSpec:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise SpecError(f"cannot read the table list {path}: {err}") from None
    try:
        tables = [
            TableSpec(
                name=t["name"],
                file=t["file"],
                columns=dict(t["columns"]),
                primary_key=list(t["primary_key"]),
                indexes=[list(i) for i in t.get("indexes", [])],
                checks=list(t.get("checks", [])),
                required=bool(t.get("required", True)),
            )
            for t in raw["tables"]
        ]
        spec = IngestSpec(
            production=raw["production"],
            tables=tables,
            max_shrink=float(raw.get("max_shrink", 0.2)),
            keep_versions=int(raw.get("keep_versions", 3)),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise SpecError(f"{path}: missing or invalid entry {err}") from None
    try:
        _check_names(spec)
    except IdentifierTooLong as err:
        raise SpecError(f"{path}: {err}") from None
    for table in spec.tables:
        for column, type_ in table.columns.items():
            if not _TYPE.match(type_.strip()):
                raise SpecError(f"{path}: {table.name}.{column} has an invalid type {type_!r}")
        if not table.file.endswith((".csv", ".jsonl")):
            raise SpecError(f"{path}: {table.name} reads {table.file}; use .csv or .jsonl")
    return spec


def _check_names(spec: IngestSpec) -> None:
    archived = ARCHIVE_PREFIX + datetime(2000, 1, 1).strftime(_STAMP)
    check_base(spec.production, [archived, STAGING_SUFFIX], "production schema")
    for table in spec.tables:
        check_identifier(table.name, "table")
        for column in [*table.columns, *table.primary_key, *(c for i in table.indexes for c in i)]:
            check_identifier(column, f"column of {table.name}")
