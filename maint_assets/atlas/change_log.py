"""Reading the atlas change log (sql/atlas/capture/) as one of its consumers, and installing
the capture with what the refreshes need (a spatial index on observations.geom)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import errors, sql

from maint_assets.atlas.keys import SQL_CHANGE_LOG, SQL_DIR
from maint_assets.core.sql_files import schema_files, statement

SOURCES = [
    "observations",
    "regions",
    "taxa_obs",
    "regions_zoom_lookup",
    # read only by the sensor: one row per statement, for the eager taxonomy views
    "taxa_groups",
    "taxa_group_members",
    "taxa_ref_sources",
    "taxa_vernacular_sources",
]
# The change sensor is a consumer of every source: it reports what the others consume.
SENSOR = "sensor/atlas_source_changes"


@dataclass(frozen=True)
class Position:
    """A place in the change log: everything by transactions older than ``frontier``, and
    the positions in ``carried``, are behind it."""

    frontier: str
    carried: list[int]

    @classmethod
    def start(cls) -> Position:
        return cls(frontier="0", carried=[])

    def params(self) -> dict[str, object]:
        return {"frontier": self.frontier, "carried": self.carried}


@dataclass(frozen=True)
class PendingChanges:
    inserted: int
    updated: int
    deleted: int
    regions: int
    zoom_lookup: int

    @property
    def observations(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass(frozen=True)
class GeomIndex:
    partition: str  # as regclass prints it: quoted where needed, for messages
    index: str | None
    valid: bool
    schema: str
    table: str


def install_capture(conn: psycopg.Connection) -> list[str]:
    """Install (or update) the change log and its triggers, in one transaction."""
    applied = []
    with conn.transaction():
        for path in schema_files(SQL_DIR, "capture"):
            conn.execute(path.read_text())
            applied.append(path.name)
    return applied


def retire_old_check_index(conn: psycopg.Connection) -> str | None:
    """Drop the check index of earlier versions; a warning if readers kept it locked."""
    try:
        with conn.transaction():
            conn.execute(statement(SQL_CHANGE_LOG, "retire_check_index"))
    except errors.LockNotAvailable:
        return (
            "warning: readers held public.observations for over 1 s, so the check index of "
            "earlier versions (observations_taxa_datasets_year_idx, replaced by "
            "observations_checked_idx) is still there; run capture again to drop it"
        )
    return None


class CaptureOutdated(RuntimeError):
    """Capture no longer covers every partition of public.observations."""


def require_partitions_captured(conn: psycopg.Connection) -> None:
    """Raise when a partition of public.observations was attached or detached since capture
    was installed (``maint_assets.uncaptured_partitions``): its rows came or went unlogged,
    and what production's routing trigger inserts into a partition attached since is never
    logged. The counts are left as they are until capture is installed again, which starts a
    new history (they are then rebuilt)."""
    if not installed(conn):
        return  # the refresh rebuilds, saying so
    if not conn.execute(statement(SQL_CHANGE_LOG, "checks_partitions")).fetchone()[0]:
        raise CaptureOutdated(
            "change capture was installed by an earlier version, which cannot tell whether "
            "it covers every partition of public.observations: run `maint-assets capture "
            "atlas` again (once per upgrade). The count tables are left as they are."
        )
    attached, detached = conn.execute(
        statement(SQL_CHANGE_LOG, "uncaptured_partitions")
    ).fetchone()
    if attached or detached:
        changes = [f"attached {', '.join(attached)}"] if attached else []
        changes += [f"detached {', '.join(detached)}"] if detached else []
        raise CaptureOutdated(
            f"partitions of public.observations changed since change capture was installed "
            f"({'; '.join(changes)}): their rows came or went without being logged, and a "
            "partition attached since is not captured; run `maint-assets capture atlas` "
            "again, then refresh (the count tables are rebuilt). They are left as they are."
        )


def installed(conn: psycopg.Connection) -> bool:
    return conn.execute(statement(SQL_CHANGE_LOG, "installed")).fetchone()[0]


def geom_indexes(conn: psycopg.Connection) -> list[GeomIndex]:
    """The GiST index on geom of each partition of observations (None: there is none)."""
    return [GeomIndex(*row) for row in conn.execute(statement("atlas/counts", "geom_indexes"))]


def missing_geom_indexes(conn: psycopg.Connection) -> list[str]:
    """One line per partition without a valid GiST index on geom."""
    return [
        f"{i.partition}: no GiST index on geom"
        if i.index is None
        else f"{i.partition}: GiST index {i.index} is INVALID"
        for i in geom_indexes(conn)
        if not i.valid
    ]


def build_geom_indexes(conn: psycopg.Connection) -> list[str]:
    """Build the missing GiST indexes on observations.geom, CONCURRENTLY (writes go on), one
    per partition, and attach them to the parent's index (created ON ONLY if it has none),
    which makes it valid. ``conn`` must be in autocommit mode. Returns what was done."""
    done = []
    for index in geom_indexes(conn):
        if index.valid:
            continue
        if index.index is not None:  # an invalid leftover of an interrupted build
            conn.execute(sql.SQL("DROP INDEX CONCURRENTLY {}").format(sql.SQL(index.index)))
            done.append(f"dropped invalid index {index.index}")
        # Named by the server (<table>_geom_idx, shortened and made unique as it does): one
        # made from regclass's text doubled the quotes of a quoted name ("Obs 2020").
        conn.execute(
            sql.SQL("CREATE INDEX CONCURRENTLY ON {} USING gist (geom)").format(
                sql.Identifier(index.schema, index.table)
            )
        )
        done.append(f"built a GiST index on {index.partition}.geom CONCURRENTLY")
    if done:
        parent = conn.execute(statement(SQL_CHANGE_LOG, "parent_geom_index")).fetchone()
        if parent is None:
            conn.execute(statement(SQL_CHANGE_LOG, "create_parent_geom_index"))
            parent = conn.execute(statement(SQL_CHANGE_LOG, "parent_geom_index")).fetchone()
        for child in conn.execute(
            statement(SQL_CHANGE_LOG, "unattached_geom_indexes"), {"parent": parent[0]}
        ).fetchall():
            conn.execute(
                sql.SQL("ALTER INDEX {} ATTACH PARTITION {}").format(
                    sql.SQL(parent[0]), sql.SQL(child[0])
                )
            )
            done.append(f"attached {child[0]} to {parent[0]}")
    return done


def position(
    conn: psycopg.Connection, consumer: str, sources: list[str]
) -> tuple[Position | None, str | None]:
    """The consumer's position, or None and why it must start over (a rebuild)."""
    if not installed(conn):
        return None, "change capture is not installed (maint-assets capture atlas)"
    state = {
        source: (current, frontier, carried)
        for source, current, frontier, carried in conn.execute(
            statement(SQL_CHANGE_LOG, "state"), {"consumer": consumer, "sources": sources}
        )
    }
    if set(state) != set(sources):
        return None, "no change-log position recorded yet"
    if not all(current for current, _, _ in state.values()):
        return None, (
            "change history was lost since the last refresh "
            "(the change log or a source table was truncated)"
        )
    frontiers = {frontier for _, frontier, _ in state.values()}
    if len(frontiers) > 1:  # positions are always recorded for all sources at once
        return None, "the change-log positions of the sources disagree"
    carried = sorted({p for _, _, positions in state.values() for p in positions})
    return Position(frontier=frontiers.pop(), carried=carried), None


def position_now(conn: psycopg.Connection) -> Position:
    """The position of this transaction's snapshot."""
    frontier, carried = conn.execute(statement(SQL_CHANGE_LOG, "position_now")).fetchone()
    return Position(frontier=frontier, carried=list(carried))


def epoch(conn: psycopg.Connection) -> int:
    return conn.execute(statement(SQL_CHANGE_LOG, "epoch")).fetchone()[0]


def start_epoch(conn: psycopg.Connection) -> None:
    conn.execute(statement(SQL_CHANGE_LOG, "start_epoch"))


def stage_pending(conn: psycopg.Connection, after: Position, sources: list[str]) -> PendingChanges:
    """Copy the changes to ``sources`` after ``after`` into the temporary table pending_changes."""
    conn.execute(statement(SQL_CHANGE_LOG, "stage_pending"), {**after.params(), "sources": sources})
    return PendingChanges(*conn.execute(statement(SQL_CHANGE_LOG, "pending_summary")).fetchone())


def pending_count(conn: psycopg.Connection, after: Position, sources: list[str]) -> tuple[int, int]:
    """Changes waiting after ``after``: to observations, and to the other sources."""
    return conn.execute(
        statement(SQL_CHANGE_LOG, "pending_count"), {**after.params(), "sources": sources}
    ).fetchone()


def advance(
    conn: psycopg.Connection, consumer: str, sources: list[str], to: Position | None = None
) -> None:
    """Record that ``consumer`` has consumed everything up to ``to`` (by default: what this
    transaction's snapshot shows)."""
    if installed(conn):
        to = to or position_now(conn)
        conn.execute(
            statement(SQL_CHANGE_LOG, "advance"),
            {"consumer": consumer, "sources": sources, **to.params()},
        )


def hold(conn: psycopg.Connection, holder: str, sources: list[str]) -> None:
    """Keep every change from this transaction's snapshot on in the log until ``release``:
    ``holder`` is a consumer of its own that trims respect, and that no refresh reads as its
    position."""
    if installed(conn):
        now = position_now(conn)
        advance(conn, holder, sources, to=Position(frontier=now.frontier, carried=[]))


def release(conn: psycopg.Connection, holder: str) -> None:
    if installed(conn):
        conn.execute(statement(SQL_CHANGE_LOG, "forget_consumers"), {"consumers": [holder]})


def trim(conn: psycopg.Connection, sources: list[str]) -> int:
    """Delete the changes every consumer of ``sources`` (the sensor included) has passed."""
    if not installed(conn):
        return 0
    return conn.execute(
        statement(SQL_CHANGE_LOG, "trim"), {"sources": sources, "sensor": SENSOR}
    ).rowcount
