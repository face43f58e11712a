"""The declarative list of tables an ingest loads: one file per table in the source, its columns,
keys, indexes and row checks. Names are quoted by the driver; a column's type is a type name
(then optionally ``not null``), checked against a pattern here so a stray quote or semicolon
is refused, and parsed by the server as a type before the table is made (loading.py). A
row check is data, never SQL: a column of the table, an operator of ``OPERATORS`` and a value,
composed into a ``CHECK`` with the column quoted and the value a literal. Every name is checked
against PostgreSQL's 63-byte limit when the list is read, the production schema's with the
longest suffix the ingest appends to it: a truncated ``<production>__staging`` would be
production itself."""

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
# A type name, its modifiers where they go (``timestamp(3) with time zone``), ``[]``, then
# ``not null`` or ``null``: no quote, semicolon or other punctuation; the server then parses it
# as a type (loading.py).
_TYPE = re.compile(
    r"^[a-z][a-z0-9_ ]*(\(\d+(, *\d+)?\)[a-z0-9_ ]*)?(\[\])?( not null| null)?$", re.IGNORECASE
)


# Operator -> the statement of sql/ingest/ingest_staging.sql that writes its CHECK.
OPERATORS = {
    "=": "check_eq",
    "<>": "check_ne",
    "<": "check_lt",
    "<=": "check_le",
    ">": "check_gt",
    ">=": "check_ge",
    "in": "check_in",
    "matches": "check_matches",
    "min_length": "check_min_length",
}
_SCALAR = (str, int, float, bool)


class SpecError(ValueError):
    """The table list is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class RowCheck:
    """``column operator value``: e.g. ``{column: size_bytes, operator: ">=", value: 0}``;
    ``in`` takes a list, ``matches`` a POSIX regular expression, ``min_length`` a number of
    characters. A NULL passes, as in any CHECK (add ``not null`` to the column's type)."""

    column: str
    operator: str
    value: str | int | float | bool | tuple[str | int | float | bool, ...]

    def __str__(self) -> str:
        return f"{self.column} {self.operator} {self.value!r}"


@dataclass(frozen=True)
class TableSpec:
    name: str
    file: str
    columns: dict[str, str]
    primary_key: list[str]
    indexes: list[list[str]] = field(default_factory=list)
    checks: list[RowCheck] = field(default_factory=list)
    required: bool = True
    # JSON Lines only. Keys of the lines that are not loaded: mongoexport writes each
    # document's ObjectId as _id, which nmdc-server's ingest leaves out (its EXCLUDED_FIELDS).
    ignore_keys: tuple[str, ...] = ("_id",)
    # A jsonb column that receives, as one object, the keys of a line that are neither
    # columns nor ignored (nmdc-server's ``annotations``); without it such keys refuse the
    # file, naming them.
    extra_keys: str | None = None
    # Columns production's table has that a version switched in may lack (their values stay
    # on the archived version): any other such column refuses the switch (switching.py). Also
    # a declared one: a rollback to a version made before it was added.
    drop_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestSpec:
    production: str
    tables: list[TableSpec]
    max_shrink: float = 0.2
    keep_versions: int = 3
    # A foreign key from a users' table into a loaded table that the new version does not
    # satisfy (a data object someone downloaded, removed upstream) refuses the switch; with
    # this the rows are kept and the key made NOT VALID, counted in the switch's metadata.
    keep_orphaned_rows: bool = False

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
                primary_key=_names(path, t, "primary_key", t["primary_key"]),
                indexes=[_names(path, t, "indexes", i) for i in _list(path, t, "indexes")],
                checks=[_row_check(path, t["name"], c) for c in t.get("checks", [])],
                required=bool(t.get("required", True)),
                ignore_keys=_keys(path, t),
                extra_keys=_column_name(path, t, "extra_keys"),
                drop_columns=tuple(_names(path, t, "drop_columns", t.get("drop_columns", []))),
            )
            for t in raw["tables"]
        ]
        spec = IngestSpec(
            production=raw["production"],
            tables=tables,
            max_shrink=float(raw.get("max_shrink", 0.2)),
            keep_versions=int(raw.get("keep_versions", 3)),
            keep_orphaned_rows=_flag(path, raw, "keep_orphaned_rows"),
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
        for check in table.checks:
            if check.column not in table.columns:
                raise SpecError(
                    f"{path}: {table.name}: check on {check.column!r}, not a column of the table"
                )
        if not table.file.endswith((".csv", ".jsonl")):
            raise SpecError(f"{path}: {table.name} reads {table.file}; use .csv or .jsonl")
        if table.extra_keys is not None and (
            not table.file.endswith(".jsonl")
            or table.columns.get(table.extra_keys, "").strip().lower().split(" ")[0] != "jsonb"
        ):
            raise SpecError(
                f"{path}: {table.name}: extra_keys names a jsonb column of the table, for the "
                f"keys of JSON Lines that are not columns, not {table.extra_keys!r}"
            )
    return spec


def _names(path: Path, table: dict, entry: str, names: object) -> list[str]:
    """A list of column names (YAML would give a bare name as a string, read as letters)."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SpecError(f"{path}: {table['name']}: {entry} lists column names, not {names!r}")
    return names


def _list(path: Path, table: dict, entry: str) -> list:
    found = table.get(entry, [])
    if not isinstance(found, list):
        raise SpecError(f"{path}: {table['name']}: {entry} is a list, not {found!r}")
    return found


def _flag(path: Path, raw: dict, entry: str) -> bool:
    """A YAML boolean: a quoted "false" would be true."""
    value = raw.get(entry, False)
    if not isinstance(value, bool):
        raise SpecError(f"{path}: {entry} is true or false, not {value!r}")
    return value


def _keys(path: Path, table: dict) -> tuple[str, ...]:
    keys = table.get("ignore_keys", ["_id"])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise SpecError(f"{path}: {table['name']}: ignore_keys is a list of keys, not {keys!r}")
    return tuple(keys)


def _column_name(path: Path, table: dict, entry: str) -> str | None:
    name = table.get(entry)
    if name is not None and not isinstance(name, str):
        raise SpecError(f"{path}: {table['name']}: {entry} names a column, not {name!r}")
    return name


def _row_check(path: Path, table: str, raw: object) -> RowCheck:
    if not isinstance(raw, dict) or set(raw) != {"column", "operator", "value"}:
        raise SpecError(
            f"{path}: {table}: a check is {{column, operator, value}} (operators: "
            f"{', '.join(OPERATORS)}), not {raw!r}"
        )
    operator, value = raw["operator"], raw["value"]
    if operator not in OPERATORS:
        raise SpecError(
            f"{path}: {table}: unknown check operator {operator!r} ({', '.join(OPERATORS)})"
        )
    if operator == "in":
        if not isinstance(value, list) or not value or not all(
            isinstance(v, _SCALAR) for v in value
        ):
            raise SpecError(f"{path}: {table}: 'in' takes a non-empty list of values")
        value = tuple(value)
    elif operator == "min_length":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SpecError(f"{path}: {table}: 'min_length' takes a number of characters")
    elif not isinstance(value, _SCALAR):
        raise SpecError(f"{path}: {table}: {operator!r} takes one value, not {value!r}")
    return RowCheck(str(raw["column"]), operator, value)


def _check_names(spec: IngestSpec) -> None:
    archived = ARCHIVE_PREFIX + datetime(2000, 1, 1).strftime(_STAMP)
    check_base(spec.production, [archived, STAGING_SUFFIX], "production schema")
    for table in spec.tables:
        check_identifier(table.name, "table")
        for column in [*table.columns, *table.primary_key, *(c for i in table.indexes for c in i)]:
            check_identifier(column, f"column of {table.name}")
