"""Databases as a whole: scratch databases for restore checks, loading dumps into them,
building a replacement and swapping it in by renaming, counting rows against a manifest.

A database is dropped or replaced only when maint_assets created it: creation writes a marker
comment on it, and every drop or rename first reads that marker. A database that a setting
happens to name (another application's, production's) is refused by name, never touched.
"""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

from maint_assets.core.identifiers import MAX_IDENTIFIER_BYTES, check_identifier
from maint_assets.core.pg_tools import run_pipeline, run_tool, server_major
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement

GROUP = "core/databases"
# psql loading a script: stopping at its first error, which carries its SQLSTATE (VERBOSITY
# verbose), the code restore_server.py reads a server's refusal by, in any lc_messages.
PSQL_LOAD = ["--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"]
MARKER = "maint_assets:"
BUILDING, PREVIOUS = "__building", "__previous"


class NotOwned(RuntimeError):
    """A database the project would drop or replace was not created by it."""


class DatabaseInUse(RuntimeError):
    """A database to be replaced still has sessions the role may not end; names them."""


def database_url(server: PostgresResource, database: str) -> str:
    """The URL of ``database`` on the server ``server`` connects to."""
    return conninfo.make_conninfo(server.url, dbname=database)


def server_and_oid(server: PostgresResource, database: str | None = None) -> tuple[int, int | None]:
    """The server's system identifier (set at initdb, the same for every database of the
    cluster, different for any other cluster or copy) and the OID of ``database`` on it (of
    the database ``server`` connects to when None; None when there is no such database)."""
    with server.connect() as conn:
        return conn.execute(statement(GROUP, "server_and_oid"), {"name": database}).fetchone()


def major_version(server: PostgresResource) -> int:
    with server.connect() as conn:
        return server_major(conn.info.server_version)


def _refuse_unless_owned(conn: psycopg.Connection, server: PostgresResource, name: str) -> bool:
    """True when ``name`` exists (and so was created by maint_assets), False when it does not;
    raises NotOwned when it exists without the marker."""
    row = conn.execute(statement(GROUP, "database_comment"), {"name": name}).fetchone()
    if row is None:
        return False
    if not (row[0] or "").startswith(MARKER):
        raise NotOwned(
            f"refusing to drop or replace the database {name!r} on {server.describe()}: it was "
            f"not created by maint_assets (its comment is {row[0]!r}, not {MARKER}…); choose "
            "another name, or drop it yourself if it is really unused"
        )
    return True


def refuse_unless_owned(server: PostgresResource, *names: str) -> None:
    """Raise NotOwned when one of ``names`` exists on ``server`` without maint_assets' marker:
    checked before work that would end by replacing them."""
    with server.connect() as conn:
        for name in names:
            _refuse_unless_owned(conn, server, check_identifier(name, "database name"))


def create_database(
    server: PostgresResource,
    database: str,
    purpose: str,
    encoding: str | None = None,
    template: str | None = None,
) -> str:
    """(Re)create ``database`` on ``server``, marked as maint_assets' own; return its URL.
    A database of that name that maint_assets did not create is refused. ``encoding``
    (a source's, when it differs from the server's default) gives it that encoding, with the
    C locale, which goes with any. ``template``: made from that template database when an
    administrator prepared it on the server (``roles apply``: the extensions only a
    superuser may create already in it), else from the server's default."""
    check_identifier(database, "database name")
    with server.connect() as conn:
        if _refuse_unless_owned(conn, server, database):
            _drop(conn, database)
        default = conn.execute(statement(GROUP, "default_encoding")).fetchone()[0]
        if encoding is None or encoding == default:
            prepared = template is not None and conn.execute(
                statement(GROUP, "is_template"), {"name": template}
            ).fetchone()
            if prepared:
                conn.execute(
                    compose(GROUP, "create_database_from", database=database, template=template)
                )
            else:
                conn.execute(compose(GROUP, "create_database", database=database))
        else:
            conn.execute(
                sql.SQL(statement(GROUP, "create_database_encoded")).format(
                    database=sql.Identifier(database), encoding=sql.Literal(encoding)
                )
            )
        # COMMENT takes no bind parameter: the marker is a quoted literal.
        conn.execute(
            sql.SQL(statement(GROUP, "mark_database")).format(
                database=sql.Identifier(database), marker=sql.Literal(f"{MARKER} {purpose}")
            )
        )
    return database_url(server, database)


def drop_database(server: PostgresResource, database: str) -> None:
    """Drop ``database`` if it exists; refused when maint_assets did not create it."""
    check_identifier(database, "database name")
    with server.connect() as conn:
        if _refuse_unless_owned(conn, server, database):
            _drop(conn, database)


def _drop(conn: psycopg.Connection, database: str) -> None:
    try:
        conn.execute(compose(GROUP, "drop_database", database=database))
    except psycopg.errors.ObjectInUse:  # after the server's own five seconds of waiting
        # Sessions left (a killed run's, a person's): end those the role may end, and wait for
        # them again. Not WITH (FORCE): it also ends autovacuum, which only a superuser may.
        conn.execute(statement(GROUP, "end_sessions"), {"name": database})
        conn.execute(compose(GROUP, "drop_database", database=database))


def scratch_name(prefix: str, run_id: str) -> str:
    """``prefix`` plus the run's id, within PostgreSQL's 63 bytes: a scratch database of one
    run is never the name another run creates (and drops). A long prefix is cut and given a
    digest of itself, so two long prefixes stay apart."""
    run = run_id.replace("-", "")[:16]
    name = f"{prefix}_{run}"
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.blake2b(prefix.encode(), digest_size=4).hexdigest()
    keep = MAX_IDENTIFIER_BYTES - len(run) - len(digest) - 2
    return f"{prefix.encode()[:keep].decode(errors='ignore')}_{digest}_{run}"


def databases_like(server: PostgresResource, prefix: str) -> list[tuple[str, str | None]]:
    """The databases on ``server`` whose name starts with ``prefix``, with their comment."""
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with server.connect() as conn:
        return conn.execute(statement(GROUP, "databases_like"), {"pattern": pattern}).fetchall()


@contextmanager
def scratch_database(
    server: PostgresResource,
    name: str,
    purpose: str,
    encoding: str | None = None,
    template: str | None = None,
) -> Iterator[str]:
    """A new database ``name`` on ``server`` for the duration of the block (``create_database``
    says what ``encoding`` and ``template`` do); its URL."""
    url = create_database(server, name, purpose, encoding, template)
    try:
        yield url
    except BaseException as err:
        # The block's error is the news (a load that failed, the disk full): a drop failing
        # after it (DROP DATABASE's checkpoint on that full disk) must not replace it.
        try:
            drop_database(server, name)
        except Exception as dropped:
            err.add_note(_left(server, name, dropped))
        raise
    try:
        drop_database(server, name)
    except Exception as err:
        raise ScratchLeft(_left(server, name, err)) from err


class ScratchLeft(RuntimeError):
    """A scratch database that could not be dropped once its work was done."""


def _left(server: PostgresResource, name: str, err: Exception) -> str:
    return (
        f"the scratch database {name} is left on {server.describe()}: dropping it failed "
        f"({type(err).__name__}: {str(err).strip()}; a server out of disk space fails the "
        "checkpoint DROP DATABASE asks for); a later run of the same check drops it once "
        "its run is over, or drop it by hand"
    )


def swap_in(server: PostgresResource, building: str, database: str) -> list[str]:
    """Replace ``database`` by ``building`` (renamed to it) in one transaction, so that the name
    always leads to one of the two; the old one is dropped after the commit. Both must be
    maint_assets' own. Returns the sessions it ended in ``database`` (pid, user, application);
    raises DatabaseInUse naming those it may not end (another role's, a superuser's), with
    nothing replaced."""
    previous = check_identifier(database + PREVIOUS, "database name")
    drop_database(server, previous)
    with server.connect() as conn:
        _refuse_unless_owned(conn, server, building)
        ended: list[str] = []
        try:
            with conn.transaction():
                if _refuse_unless_owned(conn, server, database):
                    # A database in use cannot be renamed: its sessions are ended (the rename
                    # waits five seconds for them to exit).
                    ended = [
                        _session(pid, user, application, None)
                        for pid, user, application in conn.execute(
                            statement(GROUP, "end_sessions"), {"name": database}
                        )
                    ]
                    conn.execute(
                        compose(GROUP, "rename_database", database=database, new_name=previous)
                    )
                conn.execute(
                    compose(GROUP, "rename_database", database=building, new_name=database)
                )
        except psycopg.errors.ObjectInUse:
            left = [
                f"{name}: {_session(*session)}"
                for name, *session in conn.execute(
                    statement(GROUP, "sessions_in"), {"names": [database, building]}
                )
            ]
            raise DatabaseInUse(
                f"{database} not replaced by {building}: sessions the role {conn.info.user} may "
                f"not end are connected: {'; '.join(left) or 'gone since'} (end them, or let "
                "the role end them: membership of their role, or pg_signal_backend for roles "
                "that are no superuser)"
            ) from None
    drop_database(server, previous)
    return ended


def _session(pid: int, user: str | None, application: str | None, since: object) -> str:
    parts = [f"user {user or '?'}"]
    if application:
        parts.append(f"application {application}")
    if since is not None:
        parts.append(f"since {since:%Y-%m-%d %H:%M:%S%z}")
    return f"pid {pid} ({', '.join(parts)})"


def load_dump(
    url: str,
    path: Path,
    fmt: str,
    major: int,
    what: str,
    clean: bool = False,
    disable_triggers: bool = False,
) -> None:
    """Load one dump into ``url`` in a single transaction, stopping at the first error, so a
    dump that fails half-way leaves the database as it was. ``clean`` (custom format only)
    drops the objects the dump recreates, in the same transaction; ``disable_triggers``
    (custom format, data only) loads with the tables' triggers off (needs a superuser)."""
    if fmt == "plain":
        run_tool("psql", major, [*PSQL_LOAD, "--single-transaction", "-f", str(path)], url, what)
        return
    # As a script into psql, whose errors carry their SQLSTATE (PSQL_LOAD), not straight into
    # the database: pg_restore's carry only the text, in the server's language. The script
    # is one transaction whose COMMIT pg_restore writes last: a dump it cannot read to the end
    # leaves psql an open transaction, rolled back when it disconnects.
    # --no-tablespaces: what is loaded here is a scratch or staging copy, on a server that need
    # not have the source's tablespaces (production keeps its big tables in ssdpool: "SET
    # default_tablespace = ssdpool" refused the whole dump elsewhere), and on the source's own
    # server it must not fill them.
    args = ["--no-owner", "--no-privileges", "--no-tablespaces", "--single-transaction", "-f", "-"]
    if clean:
        args += ["--clean", "--if-exists"]
    if disable_triggers:
        args.append("--disable-triggers")
    args += _without_comments_on_present_extensions(url, path, major, what)
    states = _trigger_states(url) if disable_triggers else {}
    run_pipeline(("pg_restore", [*args, str(path)]), ("psql", PSQL_LOAD), major, url, what)
    if disable_triggers:
        _restore_trigger_states(url, states)


# ALTER TABLE's words for each pg_trigger.tgenabled
_TRIGGER_STATES = {"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA", "D": "DISABLE"}
Trigger = tuple[str, str, str]  # schema, table, trigger


def _trigger_states(url: str) -> dict[Trigger, str]:
    with psycopg.connect(url) as conn:
        names_as_text(conn)
        return {
            (schema, table, trigger): state
            for schema, table, trigger, state in conn.execute(statement(GROUP, "trigger_states"))
        }


def _restore_trigger_states(url: str, before: dict[Trigger, str]) -> None:
    """Set the triggers pg_restore --disable-triggers turned on (ENABLE TRIGGER ALL: fire on
    origin) back to the state they had before the load: the change capture's ENABLE ALWAYS,
    a trigger production keeps disabled."""
    changed = sorted(k for k, v in _trigger_states(url).items() if before.get(k, v) != v)
    if not changed:
        return
    with psycopg.connect(url) as conn, conn.transaction():
        for schema, table, trigger in changed:
            conn.execute(
                sql.SQL(statement(GROUP, "set_trigger_state")).format(
                    table=sql.Identifier(schema, table),
                    state=sql.SQL(_TRIGGER_STATES[before[(schema, table, trigger)]]),
                    trigger=sql.Identifier(trigger),
                )
            )


# A line of pg_restore --list: "<dump id>; <table oid> <oid> <type> <schema> <tag> <owner>";
# an extension's comment is tagged with its name as an identifier (quoted when it must be).
_EXTENSION_COMMENT = re.compile(r"^\d+; \d+ \d+ COMMENT - EXTENSION (?P<name>.+?) *$")


def _without_comments_on_present_extensions(
    url: str, path: Path, major: int, what: str
) -> list[str]:
    """pg_restore's arguments that leave out the dump's COMMENT ON EXTENSION of extensions the
    target already has: they came with their comment (their CREATE EXTENSION IF NOT EXISTS
    does nothing), and only their owner may comment on them. A database made from a template
    with PostGIS in it (an administrator's: a loading role may not create PostGIS) failed on
    that statement alone."""
    with psycopg.connect(url) as conn:
        present = {r[0] for r in conn.execute(statement(GROUP, "extensions")).fetchall()}
    listing = path.parent / f"{path.name}.list"
    run_tool("pg_restore", major, ["--list", "-f", str(listing), str(path)], url, what)
    lines = listing.read_text().splitlines()
    kept = [
        line
        for line in lines
        if (found := _EXTENSION_COMMENT.match(line)) is None or found["name"] not in present
    ]
    if len(kept) == len(lines):
        return []
    listing.write_text("\n".join(kept) + "\n")
    return ["--use-list", str(listing)]


def load_dump_after(
    url: str, path: Path, major: int, what: str, first: str, listing: Path, tmp: Path,
    last: str = "", variables: dict[str, str] | None = None,
) -> None:
    """Run the SQL ``first``, then load the entries of the custom-format dump ``path`` that
    the table of contents ``listing`` (``pg_restore -L``) selects, their objects dropped
    first as ``load_dump(clean=True)``, then the SQL ``last`` (a check that raises to roll
    it all back), all in one transaction in ``url``: a failure anywhere leaves the database
    as it was. pg_restore writes the dump as a script into ``tmp`` (an unreadable dump fails
    there, before the database is touched), which psql runs after ``first``; ``variables``
    are psql's (``:'name'`` in ``first`` or ``last`` is the value quoted as a literal)."""
    script, prelude = tmp / f"{path.name}.sql", tmp / f"{path.name}.first.sql"
    args = ["--no-owner", "--no-privileges", "--clean", "--if-exists", "-L", str(listing)]
    args += ["-f", str(script)]
    run_tool("pg_restore", major, [*args, str(path)], url, what)
    prelude.write_text(first + "\n")
    files = ["-f", str(prelude), "-f", str(script)]
    if last:
        postlude = tmp / f"{path.name}.last.sql"
        postlude.write_text(last + "\n")
        files += ["-f", str(postlude)]
    args = [*PSQL_LOAD, "--single-transaction"]
    for name, value in (variables or {}).items():
        args += ["-v", f"{name}={value}"]
    run_tool("psql", major, [*args, *files], url, what)


def names_as_text(conn: psycopg.Connection) -> None:
    """In a SQL_ASCII database the server converts nothing and psycopg, not knowing the bytes'
    encoding, returns text as bytes (and cannot quote a name that is not ASCII): the session
    then declares UTF-8, the encoding the names were written in by any current client (the
    server still converts nothing). Elsewhere nothing changes."""
    if conn.info.parameter_status("server_encoding") == "SQL_ASCII":
        conn.execute(statement(GROUP, "client_encoding_utf8"))
