"""Loading the listed files into the staging schema: tables created from the list, files
copied in by column name, then keys, row checks and indexes.

The files are UTF-8 CSV with a header, and JSON Lines of one object per line (what
mongoexport writes of the collections nmdc-server's ingest reads: its ``_id`` is left out, and
keys that are not columns go, with ``extra_keys``, into one jsonb column). A file PostgreSQL refuses
(not UTF-8, a NUL character, a line that is not an object, a value its column's type cannot
hold, a value too large to index) fails the load naming the file, and the line and column
where they are known, never with the server's bare message; production is untouched."""

import csv
import io
import re
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core.sql_files import compose, statement
from maint_assets.ingest.keys import SQL_STAGING
from maint_assets.ingest.sequences import after_load, allow_missing
from maint_assets.ingest.tables import OPERATORS, RowCheck, TableSpec

_BLOCK = 1 << 20
_NULLABILITY = re.compile(r"\s+(not\s+)?null$", re.IGNORECASE)
# CREATE TABLE's shorthands for an integer column with its own sequence, no types
_SERIAL = {"smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"}
# What a bad file makes PostgreSQL raise (class 22, 23, 54); a connection lost or a lock
# timeout is not the file's fault, and is raised as it is, for a retry.
_BAD_INPUT = (errors.DataError, errors.IntegrityError, errors.ProgramLimitExceeded)
# Where COPY was in the file: its context's last "COPY <table>, line N[, column C]".
_COPY_AT = re.compile(r"COPY .*?, line (\d+)(?:, column (.+?): )?")


def create_table(
    conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec, tables_file: str
) -> None:
    """CREATE TABLE with the tables file's columns, each type first parsed by the server as a
    type: the file's pattern lets words through (``integer references …``, ``text default
    …``) that would be clauses of the statement, SQL of the file's rather than a type."""
    columns = []
    for column, declared in table.columns.items():
        type_, not_null = _declared(declared)
        try:
            with conn.transaction():  # a savepoint: the parser's error aborts only it
                row = conn.execute(statement(SQL_STAGING, "is_type"), {"type": type_}).fetchone()
            is_type = type_.lower() in _SERIAL or bool(row and row[0])
        # the server's refusals of the text: varchar(0) is 22023, a PostGIS typmod XX000
        except (errors.SyntaxError, errors.DataError, errors.UndefinedObject,
                errors.InternalError_):
            is_type = False
        if not is_type:
            raise dg.Failure(
                f"{tables_file}: {table.name}.{column}: {declared!r} is not a type a column "
                "can have here (a type PostgreSQL knows, not a pseudo-type or a table's row "
                "type, with modifiers it accepts, then optionally `not null`; defaults, keys "
                "and checks are declared apart); nothing was loaded"
            )
        columns.append(sql.SQL("{} {}{}").format(
            sql.Identifier(column), sql.SQL(type_), sql.SQL(" NOT NULL" if not_null else "")
        ))
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(
        sql.Identifier(*relation), sql.SQL(", ").join(columns)
    ))


def load(
    conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec, local: Path
) -> None:
    """COPY ``local`` into ``relation``, each value into the column its header (or key) names;
    a serial key the file leaves empty on a line is numbered by its sequence, and every
    sequence is moved past the keys the file gave (sequences.py)."""
    if table.file.endswith(".csv"):
        header = _csv_header(local, table.file)
        _match_columns(table, header, "its header")
        copy_csv = sql.SQL(statement(SQL_STAGING, "copy_csv")).format(
            table=sql.Identifier(*relation), columns=sql.SQL(", ").join(map(sql.Identifier, header))
        )
        given = [c for c in header if _numbered(table.columns[c])]
        allow_missing(conn, relation, given)
        _copy(conn, copy_csv, local, table.file)
        after_load(conn, relation, given)
        return
    conn.execute(statement(SQL_STAGING, "create_lines"))
    _copy(conn, statement(SQL_STAGING, "copy_lines"), local, table.file, columns=False)
    row = conn.execute(statement(SQL_STAGING, "not_an_object")).fetchone()
    if row:
        raise _refused(table.file, f"line {row[0]}", f"a JSON {row[1]}, not an object (one "
                       "object per line, its keys the table's columns)")
    keys = [
        k for (k,) in conn.execute(statement(SQL_STAGING, "line_keys"))
        if k in table.columns or k not in table.ignore_keys
    ]
    if table.extra_keys is not None:
        if table.extra_keys in keys:
            raise _refused(table.file, "", f"its lines have a key {table.extra_keys!r}, the "
                           "column that receives the keys that are not columns (extra_keys)")
        keys = [k for k in keys if k in table.columns] + [table.extra_keys]
    _match_columns(table, keys, "the keys of its lines")
    row = conn.execute(
        statement(SQL_STAGING, "structured_for_scalar"),
        {"schema": relation[0], "table": relation[1]},
    ).fetchone()
    if row:
        # jsonb_populate_record gives a text column the object's JSON text (nmdc-schema's
        # TextValue {"has_raw_value": …} stored as '{"has_raw_value": …}'), silently.
        raise _refused(table.file, f"line {row[0]}, column {row[1]}",
                       f"a JSON {row[2]} for a column of type {row[3]} (a json or jsonb "
                       "column takes it, an array column an array)")
    conn.execute(
        statement(SQL_STAGING, "integral_numbers"), {"schema": relation[0], "table": relation[1]}
    )
    _gather_extra_keys(conn, table)
    # By name, the columns the lines have: a serial one they leave out is numbered.
    columns = [c for c in table.columns if c in keys]
    # One the lines give on some lines only: those without it are numbered after the insert.
    given = [c for c in columns if _numbered(table.columns[c])]
    allow_missing(conn, relation, given)
    try:
        with conn.transaction():
            conn.execute(_by_name("insert_lines", relation, columns))
    except _BAD_INPUT as err:
        line = _first_refused_line(conn, relation, columns)
        key = err.diag.column_name or _refused_key(conn, relation, table, line)
        raise _refused(
            table.file, f"line {line}" + (f", column {key}" if key else ""), _reason(err)
        ) from None
    conn.execute("DROP TABLE ingest_lines")
    after_load(conn, relation, given)


def _gather_extra_keys(conn: psycopg.Connection, table: TableSpec) -> None:
    """Give each line its extra keys (neither columns nor ignored) as one object under the
    ``extra_keys`` column, before the lines are inserted by column name."""
    if table.extra_keys is None:
        return
    conn.execute(
        statement(SQL_STAGING, "gather_extra_keys"),
        {"column": table.extra_keys,
         "known": [c for c in table.columns if c != table.extra_keys] + list(table.ignore_keys)},
    )


def _copy(
    conn: psycopg.Connection, query: sql.Composable | str, local: Path, file: str,
    columns: bool = True,
) -> None:
    """COPY ``local`` with ``query``; a refused file fails naming it and the line, and the
    column unless ``columns`` is false (the JSON lines' single column is not the file's)."""
    try:
        with conn.transaction(), conn.cursor().copy(query) as copy, local.open("rb") as f:
            while block := f.read(_BLOCK):
                copy.write(block)
    except _BAD_INPUT as err:
        context = (err.diag.context or "").strip().splitlines()
        found = _COPY_AT.search(context[-1]) if context else None
        where = ""
        if found:
            where = f"line {found.group(1)}"
            if columns and found.group(2):
                where += f", column {found.group(2)}"
        raise _refused(file, where, _reason(err)) from None


def _reason(err: psycopg.Error) -> str:
    """Why PostgreSQL refused a value, in the words of the file's author."""
    message = err.diag.message_primary or str(err)
    if isinstance(err, errors.CharacterNotInRepertoire):
        if message.endswith(": 0x00"):
            return "a NUL character (byte 0), which a PostgreSQL text value cannot hold"
        return f"not UTF-8 ({message}): save it as UTF-8"
    if isinstance(err, errors.UntranslatableCharacter) and "\\u0000" in (
        err.diag.message_detail or ""
    ):
        return "a NUL character (\\u0000), which a PostgreSQL text value cannot hold"
    return message + (f" ({err.diag.message_detail})" if err.diag.message_detail else "")


def _refused(file: str, where: str, reason: str) -> dg.Failure:
    return dg.Failure(
        f"{file}{' ' + where if where else ''}: {reason}; nothing was loaded, production is "
        "untouched"
    )


def _by_name(name: str, relation: tuple[str, str], columns: list[str]) -> sql.Composed:
    """``insert_lines`` (or ``insert_lines_between``) into ``columns`` of ``relation``."""
    return sql.SQL(statement(SQL_STAGING, name)).format(
        table=sql.Identifier(*relation),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        values=sql.SQL(", ").join(sql.Identifier("r", c) for c in columns),
    )


def _first_refused_line(
    conn: psycopg.Connection, relation: tuple[str, str], columns: list[str]
) -> int:
    """The first line whose insert fails, halving the lines: a value fails on its own."""
    first, last = 1, conn.execute(statement(SQL_STAGING, "last_line")).fetchone()[0]
    while first < last:
        middle = (first + last) // 2
        try:
            with conn.transaction(force_rollback=True):
                conn.execute(
                    _by_name("insert_lines_between", relation, columns),
                    {"first": first, "last": middle},
                )
            first = middle + 1
        except _BAD_INPUT:
            last = middle
    return first


def _refused_key(
    conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec, line: int
) -> str | None:
    """The column whose value of ``line`` its type refuses."""
    for key in table.columns:
        try:
            with conn.transaction(force_rollback=True):
                conn.execute(
                    compose(SQL_STAGING, "read_line_value", table=relation),
                    {"key": key, "n": line},
                )
        except _BAD_INPUT:
            return key
    return None


def _csv_header(path: Path, file: str) -> list[str]:
    # The first line alone: a bad byte further on is COPY's to report, with its line. A
    # byte-order mark (a spreadsheet's "CSV UTF-8") is not part of the first column's name.
    with path.open("rb") as f:
        first = f.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _refused(file, "line 1", f"not UTF-8 (byte {err.object[err.start]:#04x} at "
                       f"{err.start + 1}): save it as UTF-8") from None
    return next(csv.reader(io.StringIO(text, newline="")), [])


def _match_columns(table: TableSpec, names: list[str], what: str) -> None:
    """Refuse the file of ``table`` unless ``names`` are its columns (in any order), each once;
    a serial column may be left out, numbered by its sequence (nmdc-server's
    ontology_relation.id, envo_tree.pk: surrogate keys its Mongo documents do not have)."""
    missing = [c for c in table.columns if c not in names and not _numbered(table.columns[c])]
    unknown = [n for n in names if n not in table.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or repeated:
        differences = "; ".join(
            f"{label}: {', '.join(map(repr, found))}"
            for label, found in (
                ("missing", missing), ("not a column", unknown), ("repeated", repeated)
            )
            if found
        )
        raise dg.Failure(
            f"{table.file} does not match the columns of {table.name} "
            f"({', '.join(table.columns)}): {what} differ ({differences}); nothing was loaded, "
            "production is untouched"
        )


def _declared(declared: str) -> tuple[str, bool]:
    """A column of the tables file (``bigint not null``): its type, and whether it is NOT NULL."""
    nullability = _NULLABILITY.search(declared.strip())
    type_ = declared.strip()[: nullability.start()] if nullability else declared.strip()
    return type_, bool(nullability and nullability.group(1))


def _numbered(declared: str) -> bool:
    """Whether a column of the tables file is a serial, filled by its own sequence."""
    return _declared(declared)[0].lower() in _SERIAL


def constrain(conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec) -> None:
    """Keys, row checks and indexes after the load (faster than maintaining them row by row);
    a violation fails the load naming the table and the rule."""
    target = sql.Identifier(*relation)
    rules = [
        sql.SQL("PRIMARY KEY ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, table.primary_key))
        )
    ]
    rules += [row_check(check) for check in table.checks]
    for rule, columns in zip(rules, [table.primary_key] + [[c.column] for c in table.checks],
                             strict=True):
        try:
            with conn.transaction():
                conn.execute(sql.SQL("ALTER TABLE {} ADD {}").format(target, rule))
        except psycopg.errors.IntegrityError as err:
            raise dg.Failure(
                f"{table.file}: {relation[0]}.{relation[1]} breaks {rule.as_string(conn)}: "
                f"{str(err).splitlines()[0]}"
                # which key is repeated (or which row a check refuses): in a file of
                # millions of lines the first line of the message names neither
                + (f" ({err.diag.message_detail})" if err.diag.message_detail else "")
                + "; production is untouched"
            ) from None
        except errors.ProgramLimitExceeded as err:
            raise _too_large(conn, relation, table, columns, err) from None
    for columns in table.indexes:
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("CREATE INDEX ON {} ({})").format(
                        target, sql.SQL(", ").join(map(sql.Identifier, columns))
                    )
                )
        except errors.ProgramLimitExceeded as err:
            raise _too_large(conn, relation, table, columns, err) from None


def _too_large(
    conn: psycopg.Connection, relation: tuple[str, str], table: TableSpec, columns: list[str],
    err: psycopg.Error,
) -> dg.Failure:
    """The failure of an index (a key's) that a value is too large for, naming its column."""
    size, column = max(
        (conn.execute(compose(SQL_STAGING, "largest_value", table=relation, column=c))
         .fetchone()[0] or 0, c)
        for c in columns
    )
    return _refused(
        table.file, f"column {column}",
        f"a value of {size} bytes, too large for the index on ({', '.join(columns)}) "
        f"({err.diag.message_primary})",
    )


def row_check(check: RowCheck) -> sql.Composed:
    """The CHECK clause of ``check``: its column quoted, its value a literal."""
    value = (
        sql.SQL(", ").join(map(sql.Literal, check.value))
        if isinstance(check.value, tuple)
        else sql.Literal(check.value)
    )
    return sql.SQL(statement(SQL_STAGING, OPERATORS[check.operator])).format(
        column=sql.Identifier(check.column), value=value
    )
