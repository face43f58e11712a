"""Switching a version into production in one short transaction (the foreign keys it moves are
foreign_keys.py, expiring the versions it archives is versions.py; the rollback, which switches
back, is rollback.py).

What depends on production's tables from outside the tables the ingest loads follows the
switch, in its transaction: a foreign key from a carried users' table or another schema's table
(nmdc-server's ``bulk_download_data_object`` into ``data_object``) and a view in another schema
are re-created against the new version, not left on the archived one, and so are the views
made in production itself (``views``). What cannot be moved (a materialized view in another
schema, say) is reported, and keeps the version it uses from being dropped: DROP SCHEMA …
CASCADE would otherwise drop it without a word."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import dagster as dg
import psycopg
from psycopg import errors, sql

from maint_assets.core import attachments, own_objects, swap_attachments
from maint_assets.core.grants import grant_on_schema, grant_on_table, schema_grants, table_grants
from maint_assets.core.lock_waits import BACKOFF, lock_holders, named, with_short_lock_waits
from maint_assets.core.older_snapshots import older_snapshots
from maint_assets.core.postgres import DatabaseUnavailable, PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.core.views import recreate, view_options
from maint_assets.ingest import schema_objects, schemas, sequence_grants, views
from maint_assets.ingest.foreign_keys import (
    add_foreign_key,
    check_keys_into,
    drop_keys_out_of_versions,
)
from maint_assets.ingest.keys import MARKER, SQL_PRODUCTION
from maint_assets.ingest.tables import IngestSpec


@dataclass(frozen=True)
class Switched:
    """What a switch did, for the run's log and metadata."""

    carried: list[str]  # tables, routines, types, sequences and extensions moved in
    repointed: list[str]  # views and foreign keys re-created on the new version
    held_ms: float  # how long the locks were held before the caller commits
    not_carried: list[str]  # what uses a column the new version lacks
    undeclared: list[str]  # the ingest's own objects the new version no longer declares
    # Foreign keys into a loaded table the new version does not satisfy, made NOT VALID
    # (keep_orphaned_rows): the rows they do not check, by key.
    orphaned: dict[str, int] = field(default_factory=dict)
    # Foreign keys from a loaded table made NOT VALID under the locks, for ``validated``.
    unvalidated: list[tuple[str, str, str]] = field(default_factory=list)
    # Those left NOT VALID once the switch committed, with why.
    not_valid: dict[str, str] = field(default_factory=dict)

    def validated(self, db: PostgresResource) -> "Switched":
        """Once the switch committed: the keys from loaded tables validated; one that is not
        (rows broke it since the switch checked them, a lock or statement timeout, the
        server gone) stays NOT VALID and is named, never failing the committed switch."""
        try:
            # With the resource's lock and statement timeouts: a lock held elsewhere (a DDL, a
            # vacuum) is waited for that long, not forever.
            with db.connect() as conn, db.transaction(conn):
                left = attachments.validate(conn, self.unvalidated)
        except (DatabaseUnavailable, psycopg.Error) as err:  # the server gone meanwhile
            left = {".".join(k): f"not validated: {err}" for k in self.unvalidated}
        return replace(self, not_valid=left, unvalidated=[])


def switch(
    conn: psycopg.Connection,
    spec: IngestSpec,
    incoming: str,
    outgoing: str,
    run_id: str,
    state: str,
    attempts: int,
    lock_wait_ms: int,
    within: Callable[[psycopg.Connection], None] | None = None,
    also_named: tuple[tuple[str, str], ...] = (),
) -> Switched:
    """Move the carried-over tables (and production's routines, types, unowned sequences and
    extensions) into ``incoming``, rename production to ``outgoing`` and ``incoming`` to
    production, and re-create production's own views, the foreign keys and views outside the
    loaded tables, and what the loaded tables held besides rows (``attachments``), against
    it. The ingest's own indexes and constraints (core/own_objects.py) the version switched
    in does not declare stay with production's old version. The locks are tried ``attempts``
    times, each lock waited for at most ``lock_wait_ms`` (core/lock_waits.py); if they are
    never free the switch fails and changes nothing. ``within``: the caller's own step, run
    at the end of each attempt, under its locks and lock timeout, so that a lock it waits for
    retries the whole switch (rollback.py); ``also_named``: the tables it locks, for the
    failure's message."""
    prod = spec.production
    present = schemas.exists(conn, prod)
    if present:
        _wait_for_older_snapshots(conn, prod, incoming, attempts)
    roots = (
        dict(conn.execute(statement(SQL_PRODUCTION, "tables_of"), {"schema": prod}).fetchall())
        if present
        else {}
    )
    tables = list(roots)
    # A partition of a loaded table stays with it in the archived version (moved, it would
    # still be a partition of the old table, under production's name).
    carried = [t for t in tables if t not in spec.names and roots[t] not in spec.names]
    _keep_vacuum_out(conn, prod, incoming, tables)
    # Production's own versions of the loaded tables, locked too: a reader that has read one
    # of them (a pg_dump, which locks every table first, or any transaction) would otherwise
    # read the new version's table under the same name in its old snapshot, empty, or mix
    # versions.
    replaced = [t for t in tables if t in spec.names]
    not_carried: list[str] = []
    undeclared: list[str] = []
    if present:
        loaded = sorted(spec.names)
        _refuse_lost_tables(conn, spec, incoming, replaced)
        schema_objects.refuse_fixed_extensions(conn, prod)
        views.refuse_lost_columns(conn, prod, incoming, loaded)
        refusal = views.refusal(prod)
        ours = own_objects.of(conn, prod, loaded)
        lost, not_carried = attachments.refuse_lost_columns(
            conn, refusal, prod, incoming, loaded, ours
        )
        not_carried = [
            f"column {prod}.{table}.{column} ({old}): not in the new version, its values "
            f"left on {outgoing}" if new is None else
            f"type of column {prod}.{table}.{column}: {old} in production, {new} in the new "
            "version"
            for table, column, old, new in _changed_columns(conn, spec, incoming, loaded)
        ] + [
            # A serial key's nextval (nmdc-server's ontology_relation.id, envo_tree.pk) cannot
            # follow: its sequence stays with the archived version. Without it the portal's
            # inserts that give no key fail on NOT NULL after a switch that said nothing.
            f"default of column {prod}.{table}.{column} ({default}): not in the new version"
            for table, column, default in conn.execute(
                statement(SQL_PRODUCTION, "defaults_lost"),
                {"schema": prod, "incoming": incoming, "loaded": loaded},
            )
        ] + not_carried
        # Production's owner and what readers and applications were granted on it, the new
        # version keeps; given before the first lock, which they do not need. The owner first:
        # ALTER … OWNER hands the old owner's entries to the new one.
        schemas.give_owner(conn, refusal, incoming, schemas.owner(conn, prod))
        grant_on_schema(conn, schema_grants(conn, prod), incoming)
        schema_objects.grant_defaults(conn, prod, incoming)
        for table in spec.names:
            grant_on_table(conn, table_grants(conn, prod, table), incoming, table)
        # And on the sequences the new tables' keys own, which the load made without any: the
        # portal's role inserting into a loaded table needs USAGE on its key's sequence.
        not_carried += sequence_grants.give(
            conn, sequence_grants.read(conn, prod, loaded), incoming, loaded
        )
        # Made on the incoming tables, which no reader sees yet: under the switch's locks a
        # large index, or a constraint's validation, would hold every reader for as long.
        undeclared, unmade = attachments.prepare(
            conn, refusal, prod, incoming, loaded, lost, ours
        )
        not_carried += unmade
        # Validated under the locks, a key into a loaded table scanned the whole referencing
        # table (a users' bulk_download_data_object of millions of rows) while every reader of
        # production waited: checked here instead, made NOT VALID under the locks and
        # validated once the switch committed (Switched.validated).
        kept_orphans = check_keys_into(conn, spec, incoming, loaded)
    else:
        kept_orphans = {}
    locked: list[tuple[str, str]] = []
    # Between attempts the caller's transaction holds only ACCESS SHARE (its checks' reads),
    # which queues no reader.
    moved, repointed, held_ms, orphaned, unvalidated = with_short_lock_waits(
        conn,
        lambda: _switch_locked(
            conn, spec, incoming, outgoing, run_id, state, carried, replaced, locked, within,
            also_named, kept_orphans,
        ),
        attempts,
        locked,
        f"{prod} not switched",
        "production is untouched",
        whole=[prod, incoming],
        timeout=f"{lock_wait_ms}ms",
    )
    return Switched(moved, repointed, held_ms, not_carried, undeclared, orphaned, unvalidated)


def _refuse_lost_tables(
    conn: psycopg.Connection, spec: IngestSpec, incoming: str, replaced: list[str]
) -> None:
    """Refuse a version switched in that lacks one of production's loaded tables: a rollback
    to a version made before the tables file listed it would leave production without it
    (its rows only on the archived version). Unlisted, production's table is carried over
    like a users' table."""
    present = {t for t, _ in conn.execute(
        statement(SQL_PRODUCTION, "tables_of"), {"schema": incoming})}
    if lost := sorted(set(replaced) - present):
        raise dg.Failure(
            f"{spec.production} not switched: "
            + ", ".join(f"{spec.production}.{t}" for t in lost)
            + f": in production, not in {incoming}, the version switched in (made before "
            "the tables file listed it?); take it out of the tables file to carry "
            "production's over; production is untouched"
        )


def _changed_columns(
    conn: psycopg.Connection, spec: IngestSpec, incoming: str, loaded: list[str]
) -> list[tuple[str, str, str, str | None]]:
    """The columns of production's loaded tables that the incoming version's lack (its type
    None), each listed in its table's ``drop_columns``, or has with another type; a lost one
    not listed refuses the switch, naming it. One an application's migration added
    (nmdc-server's study.homepage_website) failed the application's every query of the table
    after the switch (its ORM selects every mapped column), and its values were left on a
    version that expires."""
    changed = conn.execute(
        statement(SQL_PRODUCTION, "columns_changed"),
        {"schema": spec.production, "incoming": incoming, "loaded": loaded},
    ).fetchall()
    allowed = {(t.name, c) for t in spec.tables for c in t.drop_columns}
    if refused := [row for row in changed if row[3] is None and row[:2] not in allowed]:
        raise dg.Failure(
            f"{spec.production} not switched: "
            + "; ".join(f"{spec.production}.{t}.{c} ({type_})" for t, c, type_, _ in refused)
            + ": in production, not in the version switched in (an application's migration "
            "may have added it: its queries of the table would fail after the switch, and the "
            "values would stay only on a version that expires). Declare such a column among the "
            "table's columns in the tables file, or list it in the table's drop_columns to let "
            "it go; production is untouched"
        )
    return changed


def _wait_for_older_snapshots(
    conn: psycopg.Connection, prod: str, incoming: str, attempts: int
) -> None:
    """Wait, as long as the locks are tried, for the sessions whose snapshot predates the
    incoming version's load, then refuse naming them. Such a transaction (REPEATABLE READ,
    begun before the staging load, not yet reading production) holds no lock the switch
    waits for; once production's names mean the new tables it reads them in its old
    snapshot, empty (nmdc-server's get_study found no study, its counts 0). No session can
    begin with such a snapshot any more, so once none is left the switch is safe from it."""
    (loaded_at,) = conn.execute(
        statement(SQL_PRODUCTION, "loaded_at"), {"schema": incoming}
    ).fetchone()
    for number in range(attempts):
        older = older_snapshots(conn, loaded_at)
        if not older:
            return
        if number + 1 < attempts:
            time.sleep(min(BACKOFF[0] * 2**number, BACKOFF[1]))
    raise dg.Failure(
        f"{prod} not switched: transactions whose snapshot predates the load of {incoming} "
        "would read its tables empty once it is production: "
        + "; ".join(session.describe() for session in older)
        + f"; still there after {attempts} attempts; production is untouched"
    )


def _keep_vacuum_out(
    conn: psycopg.Connection, prod: str, incoming: str, tables: list[str]
) -> None:
    """SHARE UPDATE EXCLUSIVE on production's and the incoming tables until the switch
    commits, before anything on them changes. Autovacuum takes that lock (an incoming table
    just loaded is analyzed within autovacuum_naptime): holding it, its ANALYZE would wait
    for this transaction once the grants below update the table's catalogue row, while every
    attempt waits for it, never long enough for the server to notice, until the switch
    fails; a long vacuum of production would refuse every attempt as well. This request
    queues no reader or writer, so it may wait the step's lock timeout: past deadlock_timeout
    the server cancels an autovacuum in its way (not one preventing wraparound), and later
    ones skip the tables."""
    relations = [(prod, t) for t in tables] + [
        (incoming, t)
        for t, _ in conn.execute(statement(SQL_PRODUCTION, "tables_of"), {"schema": incoming})
    ]
    if not relations:
        return
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL(statement(SQL_PRODUCTION, "keep_vacuum_out")).format(
                    tables=sql.SQL(", ").join(sql.Identifier(*t) for t in relations)
                )
            )
    except errors.LockNotAvailable:
        raise dg.Failure(
            f"{prod} not switched: could not keep vacuum out of "
            + named(lock_holders(conn, relations), relations)
            + f" within the lock timeout ({conn.execute('SHOW lock_timeout').fetchone()[0]}); "
            "production is untouched"
        ) from None


def _switch_locked(
    conn: psycopg.Connection,
    spec: IngestSpec,
    incoming: str,
    outgoing: str,
    run_id: str,
    state: str,
    carried: list[str],
    replaced: list[str],
    locked: list[tuple[str, str]],
    within: Callable[[psycopg.Connection], None] | None,
    also_named: tuple[tuple[str, str], ...],
    kept_orphans: dict[tuple[int, str], int],
) -> tuple[list[str], list[str], float, dict[str, int], list[tuple[str, str, str]]]:
    """One attempt at the switch, under the short lock timeout; ``locked`` is filled with the
    tables it locks, for the failure's message."""
    prod = spec.production
    loaded = sorted(spec.names)
    # Read before anything moves, while production's name still means the outgoing version.
    keys = conn.execute(
        statement(SQL_PRODUCTION, "foreign_keys_into"), {"schema": prod, "loaded": loaded}
    ).fetchall()
    outside = conn.execute(
        statement(SQL_PRODUCTION, "views_on"), {"schema": prod, "loaded": loaded}
    ).fetchall()
    own = views.views_in(conn, prod)
    held = swap_attachments.read(conn, prod, incoming, loaded)
    held_sequences = sequence_grants.read(conn, prod, loaded)
    # A version switched back in has its copies of production's views: replaced by these.
    superseded = {v.name for v in views.views_in(conn, incoming)} & {v.name for v in own}
    versions = [v for (v,) in conn.execute(
        statement(SQL_PRODUCTION, "archived_versions"), {"production": prod})]
    # Not locked up front (LOCK TABLE there needs rights on another schema's table that
    # dropping a key does not), but named when the drop's lock wait refuses an attempt.
    swept_into = conn.execute(
        statement(SQL_PRODUCTION, "referenced_out_of_versions"),
        {"versions": versions, "production": prod, "loaded": loaded},
    ).fetchall()
    tables = sorted(
        {(prod, t) for t in [*replaced, *carried]} | {(k[2], k[3]) for k in keys}
        | {(prod, k[4]) for k in keys}
    )
    # The views replaced or dropped are locked by that statement, under the same timeout: LOCK
    # TABLE on a view would lock what it reads too, with its owner's privileges, which a
    # reporting role's view over production's tables does not have.
    locked[:] = tables + sorted(
        {(v[0], v[1]) for v in outside} | {(incoming, v) for v in superseded}
        | (set(swept_into) | set(also_named)) - set(tables)
    )
    if tables:
        conn.execute(
            sql.SQL(statement(SQL_PRODUCTION, "lock_for_switch")).format(
                tables=sql.SQL(", ").join(sql.Identifier(*t) for t in tables)
            )
        )
    started = time.perf_counter()
    for table in carried:
        conn.execute(compose(SQL_PRODUCTION, "carry_over", table=(prod, table), target=incoming))
    moved = schema_objects.move(conn, prod, incoming) if schemas.exists(conn, prod) else []
    views.drop_superseded(conn, prod, incoming, superseded)
    if schemas.exists(conn, prod):
        conn.execute(compose(SQL_PRODUCTION, "rename_schema", schema=prod, new_name=outgoing))
        conn.execute(
            statement(SQL_PRODUCTION, "record_version"),
            {
                "production": prod,
                "archived_as": outgoing,
                "run_id": run_id,
                "state": state,
            },
        )
    ours = schemas.comment(conn, incoming).startswith(MARKER)
    conn.execute(compose(SQL_PRODUCTION, "rename_schema", schema=incoming, new_name=prod))
    if ours:  # a schema someone else made (rolled back to) keeps its own comment
        schemas.mark(conn, prod, f"{MARKER} version of {prod}, switched in by run {run_id}")
    recreate(conn, own, views.refusal(prod))
    orphaned: dict[str, int] = {}
    to_validate: list[tuple[str, str, str]] = []
    for name, table_oid, _, _, _, definition in keys:
        # Found by its oid: a carried table has moved since the keys were read.
        table = conn.execute(statement(SQL_PRODUCTION, "table_of"), {"oid": table_oid}).fetchone()
        conn.execute(compose(SQL_PRODUCTION, "drop_foreign_key", table=table, constraint=name))
        # NOT VALID here, checking new rows at once; its rows were checked before the locks
        # (check_keys_into) and are validated after the commit, also one a previous switch
        # or a DBA left NOT VALID: its rows may hold again.
        add_foreign_key(conn, table, name, definition.removesuffix(" NOT VALID") + " NOT VALID")
        if (table_oid, name) in kept_orphans:
            orphaned[f"{'.'.join(table)}.{name}"] = kept_orphans[(table_oid, name)]
        else:
            to_validate.append((table[0], table[1], name))
    for schema, view, definition, options in outside:  # after production's views they read
        conn.execute(
            sql.SQL(statement(SQL_PRODUCTION, "replace_view")).format(
                view=sql.Identifier(schema, view),
                options=view_options(options),
                definition=sql.SQL(definition.rstrip().rstrip(";")),
            )
        )
    # Last: a policy or a trigger may read production's views.
    unvalidated = swap_attachments.apply(conn, views.refusal(prod), prod, held)
    # After the tables' owner, which their sequences follow: exactly production's grants.
    sequence_grants.apply(conn, held_sequences, prod, loaded)
    swap_attachments.apply_comments(conn, views.refusal(prod), prod, held)
    drop_keys_out_of_versions(conn, [outgoing, *versions])
    if within is not None:
        within(conn)
    repointed = (
        [f"{prod}.{v.name}" for v in own]
        + [f"{'.'.join(k[2:4])}.{k[0]}" for k in keys]
        + [f"{s}.{v}" for s, v, *_ in outside]
    )
    return (
        [*carried, *moved], repointed, (time.perf_counter() - started) * 1000, orphaned,
        [*unvalidated, *to_validate],
    )


def log_switched(
    context: dg.OpExecutionContext, spec: IngestSpec, switched: Switched, archived: str
) -> None:
    """Warn of what the switch did not carry or left unchecked."""
    if switched.not_carried:
        context.log.warning(
            f"not carried onto the new version of {spec.production} (left on {archived}; "
            "foreign keys from it into tables outside it are dropped there, and made again by "
            f"a rollback to it): "
            f"{'; '.join(switched.not_carried)}"
        )
    if switched.undeclared:
        context.log.info(
            f"not carried onto the new version of {spec.production} (left on {archived}, "
            f"dropped with it): made by the ingest, not declared by the version switched in: "
            f"{'; '.join(switched.undeclared)}"
        )
    if switched.orphaned:
        context.log.warning(
            f"foreign keys into {spec.production} left NOT VALID: rows whose referenced row "
            "the new version lacks, kept unchecked: "
            + ", ".join(f"{key} {n}" for key, n in switched.orphaned.items())
        )
    if switched.not_valid:
        context.log.warning(
            f"foreign keys from {spec.production}'s loaded tables left NOT VALID (checking "
            "new rows only; the next switch validates them again): "
            + "; ".join(f"{key}: {why}" for key, why in switched.not_valid.items())
        )
