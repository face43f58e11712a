"""Writing the atlas dumps: each into a file, with the row counts its manifest records, all
read from one exported snapshot so a dump and its counts agree."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from maint_assets.atlas.backups import grants
from maint_assets.atlas.keys import SQL_DUMPS
from maint_assets.core.database_content import count_rows, stable_text_output, user_tables
from maint_assets.core.pg_tools import PgToolError, run_tool
from maint_assets.core.snapshots import Snapshot, pg_dump
from maint_assets.core.sql_files import statement

# The whole database but the build schema (transient tables): extensions come with it, and
# the change-capture triggers find their functions.
EXCLUDED_SCHEMAS = ["maint_assets_build"]
# Every taxonomy and lookup table (the seed dump misspelled three of these and so silently
# lost taxa_ref and the vernacular lookup). Materialized views are not data: staging
# refreshes them.
REFERENCE_TABLES = [
    "public.datasets",
    "public.variables",
    "public.taxa_obs",
    "public.taxa_ref",
    "public.taxa_obs_ref_lookup",
    "public.taxa_vernacular",
    "public.taxa_obs_vernacular_lookup",
    "public.taxa_groups",
    "public.taxa_group_members",
    "atlas_api.regions_zoom_lookup",
    # Dumped by the runbook's make_dump.sh (every table of atlas_api but the temporary counts);
    # public.time_series is not: make_dump.sh excludes it (-T public.time_series).
    "atlas_api.sensitive_taxa_max_scale",
    "api.taxa_ref_sources",
    "api.taxa_vernacular_sources",
]
_BLOCK = 1 << 20
# The sample's tables, the query writing each, and the order it writes their rows in (a
# restored copy read back in that order hashes the same when it holds the same rows).
SAMPLE_TABLES = [
    ("public.efforts", "copy_efforts", ["id"]),
    ("public.observations", "copy_observations", ["id"]),
    ("public.obs_efforts", "copy_obs_efforts", ["id_obs", "id_efforts"]),
]
# A password hash wherever it is (pg_dumpall writes SCRAM-SHA-256$<iterations>:… or md5 and
# 32 hex digits), or a PASSWORD clause with a value in a CREATE or ALTER ROLE statement
# (pg_dumpall writes one per line). Not the word alone: a COMMENT ON ROLE saying where the
# password is kept refused every roles dump.
_PASSWORD = re.compile(
    r"SCRAM-SHA-256\$|\bmd5[0-9a-f]{32}\b"
    r"|^\s*(CREATE|ALTER)\s+ROLE\b.*\bPASSWORD\s+(E?'|\$)",
    re.IGNORECASE,
)


@dataclass
class Dump:
    path: Path
    format: str  # "plain" (psql) or "custom" (pg_restore)
    tables: dict[str, int] = field(default_factory=dict)
    disable_triggers: bool = False  # restore with the table's triggers off
    sha256: str | None = None  # when the writer hashed the file as it wrote it
    roles: list[str] = field(default_factory=list)  # roles a roles dump must re-create
    relations: list[str] = field(default_factory=list)  # tables a schema dump must re-create
    # a schema dump's owners and grants, which the dump leaves out (grants.py says why)
    privileges: grants.Record = field(default_factory=lambda: grants.Record([]))
    # {table: {"order_by": [...], "sha256": ...}}: the SHA-256 of the table's rows in COPY's
    # text form in that order, which a restore of the dump alone must reproduce
    content: dict[str, dict] = field(default_factory=dict)


def schema_dump(snap: Snapshot, out: Path) -> Dump:
    # Custom format: where it is loaded, pg_restore leaves out the comments on extensions the
    # target already has (core/databases.load_dump), which a plain file cannot.
    path = out / "schema.dump"
    args = [
        "--schema-only", "--format=custom", *(f"--exclude-schema={s}" for s in EXCLUDED_SCHEMAS)
    ]
    pg_dump(snap, args, path, "the schema")
    # What its restore check compares: every table of the dumped schemas exists again.
    tables = [t for t in user_tables(snap.conn) if t.partition(".")[0] not in EXCLUDED_SCHEMAS]
    return Dump(
        path, "custom", relations=tables, privileges=grants.recorded(snap.conn, EXCLUDED_SCHEMAS)
    )


def roles_dump(snap: Snapshot, out: Path) -> Dump:
    """Roles and their attributes, never their password hashes."""
    path = out / "roles.sql"
    run_tool(
        "pg_dumpall",
        snap.major,
        ["--roles-only", "--no-role-passwords", "-f", str(path)],
        snap.url,
        "the roles",
    )
    if password_lines(path.read_text()):
        raise PgToolError("pg_dumpall wrote a password into the roles dump: refusing to keep it")
    roles = snap.conn.execute(statement(SQL_DUMPS, "role_names")).fetchone()[0]
    return Dump(path, "plain", roles=roles)


def role_statements(text: str) -> list[str]:
    """The SQL statements of a pg_dumpall --roles-only file: one per line, psql
    meta-commands (\\restrict…) and comments left out."""
    return [
        line
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith(("--", "\\"))
    ]


# pg_dumpall writes each role as "CREATE ROLE <name>;", the name quoted as an identifier when
# it must be (pg_dumpall.c, dumpRoles: fmtId).
_CREATE_ROLE = re.compile(r'CREATE ROLE (?P<name>"(?:[^"]|"")+"|[^\s";]+);')


def created_roles(statements: list[str]) -> set[str]:
    """The roles the statements of a roles dump create."""
    names = set()
    for line in statements:
        found = _CREATE_ROLE.fullmatch(line)
        if found:
            name = found["name"]
            names.add(name[1:-1].replace('""', '"') if name.startswith('"') else name)
    return names


def password_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if _PASSWORD.search(line)]


def reference_dump(snap: Snapshot, out: Path, tables: list[str]) -> Dump:
    path = out / "reference_data.dump"
    tables = tables + referenced_tables(snap.conn, tables)
    # --strict-names: a table name that matches nothing fails the dump instead of being skipped.
    args = ["--data-only", "--format=custom", "--strict-names", *(f"--table={t}" for t in tables)]
    pg_dump(snap, args, path, f"the reference tables {', '.join(tables)}")
    return Dump(path, "custom", count_rows(snap.conn, tables))


def referenced_tables(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """The tables the foreign keys of the dumped tables (the reference tables, the sample's,
    the regions) reference and no dump carries, and those theirs reference: their rows come
    with the reference dump, so that a restore enforcing the keys (staging, the restore
    checks) accepts the rows naming them (production's observations.id_taxa names rows of
    the legacy public.taxa)."""
    carried = [*tables, "public.regions", *(t for t, _, _ in SAMPLE_TABLES)]
    added: list[str] = []
    while found := [
        t for (t,) in conn.execute(
            statement(SQL_DUMPS, "referenced_tables"), {"tables": carried + added}
        )
    ]:
        added += found
    return added


def regions_dump(snap: Snapshot, out: Path) -> Dump:
    path = out / "regions.dump"
    args = ["--data-only", "--format=custom", "--compress=6", "--table=public.regions"]
    pg_dump(snap, args, path, "public.regions")
    # The regions triggers compute area and width, which the dump already holds, and call
    # PostGIS unqualified: under the empty search_path pg_restore sets they fail.
    return Dump(path, "custom", count_rows(snap.conn, ["public.regions"]), disable_triggers=True)


class HashingWriter:
    """A binary file that feeds what is written to it into ``digest``."""

    def __init__(self, path: Path, digest: hashlib._Hash) -> None:
        self.file = path.open("wb")
        self.digest = digest

    def write(self, data: bytes | bytearray) -> None:
        self.digest.update(data)
        self.file.write(data)

    def __enter__(self) -> HashingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def observations_sample(snap: Snapshot, out: Path, rows: int, seed: int) -> Dump:
    """A plain SQL file loading the sampled observations, their obs_efforts and the efforts
    those reference; datasets, variables and taxa come with the reference dump."""
    conn = snap.conn
    conn.execute(statement(SQL_DUMPS, "sample_ids"), {"seed": seed, "rows": rows})
    # The rows' text is hashed per table (the manifest's content): written under settings a
    # restored copy can be read back under, to be compared byte for byte.
    stable_text_output(conn)
    path = out / "observations_sample.sql"
    tables: dict[str, int] = {}
    content: dict[str, dict] = {}
    # Hashed as written: a second pass over a file of gigabytes costs seconds.
    digest = hashlib.sha256()
    with HashingWriter(path, digest) as f:
        f.write(b"SET client_encoding = 'UTF8';\n")
        f.write(statement(SQL_DUMPS, "sample_triggers_off").encode() + b"\n")
        for table, query, order_by in SAMPLE_TABLES:
            f.write(f"COPY {table} FROM stdin;\n".encode())
            # In COPY's text format a newline only ends a row (newlines in values are
            # escaped), so counting them counts the rows without another query. PostgreSQL
            # sends one message per row: they are gathered into blocks of about 1 MiB before
            # being counted, hashed and written.
            tables[table] = 0
            rows_digest = hashlib.sha256()
            block = bytearray()
            with conn.cursor().copy(statement(SQL_DUMPS, query)) as copy:
                for row in copy:
                    block += row
                    if len(block) >= _BLOCK:
                        tables[table] += block.count(b"\n")
                        rows_digest.update(block)
                        f.write(block)
                        block.clear()
            tables[table] += block.count(b"\n")
            rows_digest.update(block)
            f.write(block)
            f.write(b"\\.\n")
            content[table] = {"order_by": order_by, "sha256": rows_digest.hexdigest()}
        f.write(statement(SQL_DUMPS, "sample_triggers_on").encode() + b"\n")
        for schema, name, value in conn.execute(statement(SQL_DUMPS, "sample_sequences")):
            if value is None:  # never used in production: left unused where restored
                continue
            setval = sql.SQL(statement(SQL_DUMPS, "sample_setval")).format(
                sequence=sql.Literal(sql.Identifier(schema, name).as_string(conn)),
                value=sql.Literal(value),
            )
            f.write(setval.as_string(conn).encode() + b"\n")
    return Dump(path, "plain", tables, sha256=digest.hexdigest(), content=content)
