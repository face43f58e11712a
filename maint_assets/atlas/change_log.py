"""Reading the atlas change log (sql/atlas/capture/) as one of its consumers."""

from dataclasses import dataclass

import psycopg

from maint_assets.core.sql_files import schema_files, statement

GROUP = "atlas/change_log"


@dataclass(frozen=True)
class PendingChanges:
    inserted: int
    updated: int
    deleted: int
    regions: int

    @property
    def observations(self) -> int:
        return self.inserted + self.updated + self.deleted


def install_capture(conn: psycopg.Connection) -> list[str]:
    """Install (or update) the change log and its triggers, in one transaction."""
    applied = []
    with conn.transaction():
        for path in schema_files("atlas", "capture"):
            conn.execute(path.read_text())
            applied.append(path.name)
    return applied


def why_not_incremental(conn: psycopg.Connection, consumer: str, sources: list[str]) -> str | None:
    """None when ``consumer`` can apply pending changes, else why it must start over."""
    if not conn.execute(statement(GROUP, "installed")).fetchone()[0]:
        return "change capture is not installed (maint-assets capture atlas)"
    state = dict(
        conn.execute(statement(GROUP, "state"), {"consumer": consumer, "sources": sources})
    )
    if set(state) != set(sources):
        return "no change-log position recorded yet"
    if not all(state.values()):
        return (
            "change history was lost since the last refresh "
            "(the change log or a source table was truncated)"
        )
    return None


def stage_pending(conn: psycopg.Connection, consumer: str) -> PendingChanges:
    """Copy this consumer's unconsumed changes into the temporary table pending_changes."""
    conn.execute(statement(GROUP, "stage_pending"), {"consumer": consumer})
    return PendingChanges(*conn.execute(statement(GROUP, "pending_summary")).fetchone())


def advance(conn: psycopg.Connection, consumer: str, sources: list[str]) -> None:
    """Record that ``consumer`` has consumed everything its transaction's snapshot shows."""
    if conn.execute(statement(GROUP, "installed")).fetchone()[0]:
        conn.execute(statement(GROUP, "advance"), {"consumer": consumer, "sources": sources})


def trim(conn: psycopg.Connection, sources: list[str]) -> int:
    """Delete the changes every consumer of ``sources`` has consumed."""
    if not conn.execute(statement(GROUP, "installed")).fetchone()[0]:
        return 0
    return conn.execute(statement(GROUP, "trim"), {"sources": sources}).rowcount
