"""Refreshing derived relations so readers never see them empty or half-built.

A materialized view is refreshed CONCURRENTLY when it is populated and has a usable unique
index (readers keep reading), plainly otherwise (readers wait for the REFRESH alone). A
derived table is rebuilt in the build schema with CREATE TABLE AS (which PostgreSQL can
parallelise), indexed, then swapped in within the same transaction: readers see the old rows
until the commit, then the new ones. What others made on the old table follows it to the new
one in that transaction: its grants, owner, comment and columns' comments, the views on it
(re-created over the new table by core/views.py, materialized ones with their data), and its
indexes, constraints, statistics, row-level security, policies and triggers
(core/attachments.py, shared with the ingest's switch).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

import psycopg
from psycopg import sql

from maint_assets.core import attachments, own_objects, swap_attachments, views
from maint_assets.core.lock_waits import DEFAULT_ATTEMPTS, with_short_lock_waits
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.row_counts import count_all_rows
from maint_assets.core.sql_files import compose, statement

BUILD_SCHEMA = "maint_assets_build"


class MissingRelation(LookupError):
    pass


@dataclass(frozen=True)
class RefreshOutcome:
    mode: str
    # None when the refresh committed but its count failed (``diff_unavailable`` says why).
    row_count: int | None
    rows_added: int | None
    rows_removed: int | None
    rows_updated: int | None = None  # known when the refresh matched the versions' rows
    views_recreated: tuple[str, ...] = ()
    # Columns whose comment on the old table differed from the one the build gives: replaced.
    comments_replaced: tuple[tuple[str, str], ...] = ()
    # What the old table had on a column the new one lacks: left behind.
    not_carried: tuple[str, ...] = ()
    # The old table's indexes and constraints the project made, which its SQL no longer
    # declares: dropped with it.
    dropped_no_longer_declared: tuple[str, ...] = ()
    # Why counting what changed failed after the refresh had committed.
    diff_unavailable: str | None = None

    def metadata(self) -> dict[str, object]:
        counts: dict[str, object] = {"refresh_mode": self.mode}
        if self.diff_unavailable is not None:
            counts["diff_unavailable"] = self.diff_unavailable
        else:
            counts |= {
                "dagster/row_count": self.row_count,
                "rows_added": self.rows_added,
                "rows_removed": self.rows_removed,
            }
        if self.rows_updated is not None:
            counts["rows_updated"] = self.rows_updated
        if self.views_recreated:
            counts["views_recreated"] = list(self.views_recreated)
        if self.comments_replaced:
            counts["column_comments_replaced"] = dict(self.comments_replaced)
        if self.not_carried:
            counts["not_carried"] = list(self.not_carried)
        if self.dropped_no_longer_declared:
            counts["dropped_no_longer_declared"] = list(self.dropped_no_longer_declared)
        return counts

    def warning(self, relation: str) -> str | None:
        """What a run's log says when the refresh committed without its counts."""
        if self.diff_unavailable is None:
            return None
        return (
            f"{relation} was refreshed ({self.mode}), but counting its rows and what changed "
            f"failed afterwards: {self.diff_unavailable}. The materialization is recorded "
            "without them; the next refresh counts again."
        )


def relation_state(conn: psycopg.Connection, schema: str, name: str) -> tuple[str, bool] | None:
    row = conn.execute(
        statement("core/refresh", "relation_state"), {"schema": schema, "name": name}
    ).fetchone()
    return (row[0], row[1]) if row else None


def refresh_matview(
    database: PostgresResource,
    conn: psycopg.Connection,
    schema: str,
    name: str,
    before: Callable[[psycopg.Connection], None] | None = None,
) -> RefreshOutcome:
    """Refresh ``schema.name`` on ``conn``, an autocommit session holding the asset's
    maintenance lock, in two transactions with ``database``'s timeouts.

    A plain REFRESH holds ACCESS EXCLUSIVE, which every reader waits for, until its
    transaction ends: so its transaction ends with it, the row count and the diff against the
    rows' hashes (taken before) run in a second one, and the lock is taken with short waits
    (core/lock_waits.py). The maintenance lock, held throughout, keeps another run from
    refreshing the view in between. The refresh has committed when the second transaction
    starts: its failure (a lock or statement timeout, a broken connection) is reported in the
    outcome (``diff_unavailable``), not raised, so the run records the refresh it made
    instead of failing as if nothing had changed (and a retry refreshing again).

    ``before`` runs in the REFRESH's transaction, first, on the snapshot the REFRESH reads
    (the transaction is then REPEATABLE READ): a check of the sources it may raise from sees
    exactly what the view is made of."""
    relation = (schema, name)
    snapshot = ("pg_temp", f"prev_{name}")
    with database.transaction(conn, repeatable_read=before is not None):
        state = relation_state(conn, schema, name)
        if state is None or state[0] != "m":
            raise MissingRelation(f"materialized view {schema}.{name} does not exist")
        if before is not None:
            before(conn)
        populated = state[1]
        if populated:
            conn.execute(
                compose("core/refresh", "snapshot_row_hashes", snapshot=snapshot, relation=relation)
            )
        unique = conn.execute(
            statement("core/refresh", "has_usable_unique_index"), {"schema": schema, "name": name}
        ).fetchone()[0]
        mode = "concurrently" if populated and unique else "plain"
        refresh = compose("core/refresh", f"refresh_{mode}", relation=relation)
        if mode == "plain":
            with_short_lock_waits(
                conn,
                lambda: conn.execute(refresh),
                database.exclusive_lock_attempts,
                [relation],
                f"{schema}.{name} not refreshed",
                "it keeps its previous rows",
                conn.execute(
                    statement("core/refresh", "view_sources"), {"schema": schema, "name": name}
                ).fetchall(),
            )
        else:  # its EXCLUSIVE lock, while it waits, queues no reader
            conn.execute(refresh)
    try:
        with database.transaction(conn):
            rows = _count(conn, relation)
            if populated:
                added, removed = conn.execute(
                    compose(
                        "core/refresh", "diff_against_snapshot", relation=relation,
                        snapshot=snapshot,
                    )
                ).fetchone()
                conn.execute(compose("core/refresh", "drop_snapshot", snapshot=snapshot))
            else:
                added, removed = rows, 0
    except psycopg.Error as err:
        if populated and not conn.broken:
            _drop_snapshot_left(conn, snapshot)
        return RefreshOutcome(
            mode=mode, row_count=None, rows_added=None, rows_removed=None,
            diff_unavailable=_first_line(err),
        )
    return RefreshOutcome(mode=mode, row_count=rows, rows_added=added, rows_removed=removed)


def _drop_snapshot_left(conn: psycopg.Connection, snapshot: tuple[str, str]) -> None:
    # The failed transaction kept it. The session's end drops it too, so a failure here (the
    # same cause again) changes nothing for the outcome.
    with suppress(psycopg.Error):
        conn.execute(compose("core/refresh", "drop_snapshot", snapshot=snapshot))


def _first_line(err: psycopg.Error) -> str:
    text = str(err).strip()
    state = f" (SQLSTATE {err.sqlstate})" if err.sqlstate else ""
    return f"{type(err).__name__}: {text.splitlines()[0] if text else ''}{state}"


def start_rebuild(conn: psycopg.Connection, name: str, group: str) -> tuple[str, str]:
    """Run ``build`` of ``sql/<group>.sql`` into the build schema; returns the new table, for a
    caller that fills it itself (COPY) before ``finish_rebuild``."""
    build = (BUILD_SCHEMA, name)
    conn.execute(compose("core/refresh", "drop_table_if_exists", relation=build))
    conn.execute(compose(group, "build", table=build))
    return build


def finish_rebuild(
    conn: psycopg.Connection,
    schema: str,
    name: str,
    group: str,
    indexed: bool = False,
    attempts: int = DEFAULT_ATTEMPTS,
) -> RefreshOutcome:
    """Index (unless ``indexed``) and analyze the built table, record its indexes and
    constraints as the project's own (core/own_objects.py: the database needs its record,
    ``own_objects.ensure``), give it the old one's indexes, constraints and statistics it has
    no like of but the project's own (those its SQL no longer declares are dropped with the old
    table), then swap it in for ``schema.name`` with what the old one carried (``_carried``).
    Rows added and removed are told by the two versions' row counts. The old table and its
    views are locked with short waits, ``attempts`` times (core/lock_waits.py)."""
    build = (BUILD_SCHEMA, name)
    live = (schema, name)
    if not indexed:
        conn.execute(compose(group, "indexes", table=build))
    # Before anything of an analyst's is carried onto it: all it has is the project's.
    own_objects.record(conn, build)
    conn.execute(compose("core/refresh", "analyze", relation=build))
    rows = _count(conn, build)
    if relation_state(conn, schema, name) is None:
        conn.execute(compose("core/refresh", "move_table", relation=build, schema=schema))
        return RefreshOutcome(
            mode="rebuild", row_count=rows, rows_added=rows, rows_removed=0, rows_updated=0
        )
    # The maintained relations' group is named after their domain, as its role target is.
    refusal = views.Refusal(
        f"{schema}.{name} not replaced", "the live table is unchanged", group.split("/", 1)[0]
    )
    ours = own_objects.of(conn, schema, [name])
    lost, not_carried = attachments.refuse_lost_columns(
        conn, refusal, schema, BUILD_SCHEMA, [name], ours
    )
    undeclared, unmade = attachments.prepare(
        conn, refusal, schema, BUILD_SCHEMA, [name], lost, ours
    )
    # As the replacement's checks count it: every row, never those policies show the role.
    previous = count_all_rows(conn, live)
    added, removed = max(rows - previous, 0), max(previous - rows, 0)
    dependents, replaced, not_valid = _carried(conn, build, live, refusal, attempts)
    return RefreshOutcome(
        mode="rebuild",
        row_count=rows,
        rows_added=added,
        rows_removed=removed,
        views_recreated=tuple(v.qualified for v in dependents),
        comments_replaced=replaced,
        not_carried=tuple(not_carried + unmade + not_valid),
        dropped_no_longer_declared=tuple(undeclared),
    )


def _carried(
    conn: psycopg.Connection,
    build: tuple[str, str],
    live: tuple[str, str],
    refusal: views.Refusal,
    attempts: int = DEFAULT_ATTEMPTS,
) -> tuple[list[views.View], tuple[tuple[str, str], ...], list[str]]:
    """Replace ``live`` by ``build``, giving it what others made on the old table: comment,
    columns' comments (the build's own comments win: they are the project's description of
    its columns, which would otherwise never change again; the old ones they replace are
    returned), the views on it, re-created over it, and the rest of what they set on it
    (``attachments``: owner, grants, row-level security, policies, triggers, foreign keys).
    Returns the views, the replaced comments, and the foreign keys left NOT VALID (rows
    broke them since they were checked, or their validation failed), named."""
    schema, name = live
    held = swap_attachments.read(conn, schema, build[0], [name])
    comment, columns = conn.execute(
        statement("core/refresh", "table_documentation"), {"schema": schema, "name": name}
    ).fetchone()
    built = conn.execute(
        statement("core/refresh", "table_documentation"), {"schema": build[0], "name": build[1]}
    ).fetchone()
    own_comments = dict(built[1])
    dependents = views.views_on(conn, schema, name)
    # Dropping them and the table takes ACCESS EXCLUSIVE, which every later reader (a
    # dashboard) queues behind while it waits for a long one (a question over the whole
    # catalogue, an export): dropped with short waits, views first as a reader locks them.
    def drop_old() -> None:
        views.drop(conn, dependents, refusal)
        conn.execute(compose("core/refresh", "drop_table", relation=live))

    with_short_lock_waits(
        conn, drop_old, attempts, [(v.schema, v.name) for v in dependents] + [live],
        refusal.subject, refusal.untouched,
    )
    conn.execute(compose("core/refresh", "move_table", relation=build, schema=schema))
    if comment is not None and built[0] is None:
        conn.execute(
            sql.SQL(statement("core/refresh", "comment_on_table")).format(
                table=sql.Identifier(schema, name), comment=sql.Literal(comment)
            )
        )
    kept = {c for (c,) in conn.execute(
        statement("core/refresh", "column_names"), {"schema": schema, "name": name}
    )}
    replaced = []
    for column, text in columns:
        if column not in kept:
            continue
        if column not in own_comments:
            views.comment_on_column(conn, (schema, name, column), text)
        elif own_comments[column] != text:
            replaced.append((column, text))
    views.recreate(conn, dependents, refusal)
    # Last: a policy or a trigger may read the views.
    keys = swap_attachments.apply(conn, refusal, schema, held)
    # In this transaction: the table is small, and the swap's caller commits it.
    left = attachments.validate(conn, keys)
    return dependents, tuple(replaced), [
        f"foreign key {key} left NOT VALID: {why}" for key, why in left.items()
    ]


def _count(conn: psycopg.Connection, relation: tuple[str, str]) -> int:
    return conn.execute(compose("core/refresh", "count_rows", relation=relation)).fetchone()[0]
