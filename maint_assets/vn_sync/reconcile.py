"""Set-based reconciliation of Client-API-VN's JSON tables, by key (id, site), inside a
window (coverage.py): the repair of production from the check copy (reconcile.sql), and the
merge of a window download into the check copy (vn_check_copy.sql). Both run inside the caller's
transaction, so a refusal raises before anything is committed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg

from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync import coverage
from maint_assets.vn_sync.bookkeeping import Entry
from maint_assets.vn_sync.coverage import Window
from maint_assets.vn_sync.keys import (
    CAPTURED,
    FORMS,
    OBSERVATIONS,
    PLACES,
    SQL_BOOKKEEPING,
    SQL_RECONCILE,
    TABLES,
)

# The statement computing each table's changes (reconcile.sql and vn_check_copy.sql both have
# them), and those writing them: observations have their own, forms and places share theirs.
CHANGES = {OBSERVATIONS: "observation_changes", FORMS: "form_changes", PLACES: "place_changes"}
# What the repair's signals take as the rows the window download brought (reconcile.sql).
BROUGHT = {OBSERVATIONS: "observations_brought", PLACES: "places_brought"}
WRITES = {
    OBSERVATIONS: {"insert": "insert_observations", "update": "update_observations",
                   "delete": "delete_observations"},
    FORMS: {"insert": "insert_items", "update": "update_items", "delete": "delete_items"},
    PLACES: {"insert": "insert_items", "update": "update_items", "delete": "delete_items"},
}
SHOWN = 50  # items listed in the metadata (all of them go to the monitoring table)


class ReconcileRefused(RuntimeError):
    """The reconciliation would do something unsafe; nothing was changed."""


@dataclass(frozen=True)
class Listed:
    action: str  # unconfirmed, malformed
    site: str
    id: int
    reason: str | None


@dataclass
class TableResult:
    table: str
    counts: Counter[str] = field(default_factory=Counter)
    deleted_by: Counter[str] = field(default_factory=Counter)  # signal, absent, …
    # rows production lost though a download brought them after that deletion
    reinserted: int = 0
    listed: list[Listed] = field(default_factory=list)
    rows_in_window: int = 0

    def metadata(self) -> dict[str, object]:
        shown = [f"{i.action} ({i.site}, {i.id}): {i.reason or '-'}" for i in self.listed[:SHOWN]]
        more = len(self.listed) - len(shown)
        return {
            "inserted": self.counts["insert"], "reinserted": self.reinserted,
            "updated": self.counts["update"],
            "deleted": self.counts["delete"],
            "deleted_on_signal": self.deleted_by["signal"],
            "deleted_absent": self.deleted_by["absent"],
            "kept_newer": self.counts["kept_newer"],
            "withheld": self.counts["withheld"],
            "unconfirmed": self.counts["unconfirmed"],
            "outside_window": self.counts["outside_window"],
            "malformed": self.counts["malformed"],
            "rows_in_window": self.rows_in_window,
            "kept_items": "\n".join(shown + ([f"… and {more} more"] if more else [])) or "none",
        }

    def entries(self, table_name: str) -> list[Entry]:
        """Monitoring rows: one per write action (the runbook's 'insert' and 'update', even
        when 0), one per other outcome, one per item kept unconfirmed or skipped."""
        reasons = ", ".join(f"{why}: {n}" for why, n in sorted(self.deleted_by.items()))
        rows = [
            Entry("insert", self.counts["insert"], table_name, detail=(
                f"re-inserted (a deletion the download refuted): {self.reinserted}"
                if self.reinserted else None)),
            Entry("update", self.counts["update"], table_name),
            Entry("delete", self.counts["delete"], table_name, detail=reasons or None),
        ]
        rows += [
            Entry(action, self.counts[action], table_name)
            for action in ("kept_newer", "withheld", "outside_window", "kept_referenced")
            if self.counts[action]
        ]
        rows += [
            Entry("skipped_malformed" if i.action == "malformed" else i.action, None, table_name,
                  i.site, i.id, i.reason)
            for i in self.listed
        ]
        return rows


@dataclass(frozen=True)
class RepairSettings:
    whole_table: bool = False
    max_delete_fraction: float = 0.05
    skip_malformed: bool = False
    delete_absent: bool = False
    new_sites: bool = False


def repair(
    conn: psycopg.Connection, window: Window, check: str, production: str,
    settings: RepairSettings,
) -> dict[str, TableResult]:
    """Make production agree with the check copy inside ``window`` (reconcile.sql)."""
    conn.execute(statement(SQL_BOOKKEEPING, "repairing"))
    capture_since = conn.execute(
        statement(SQL_RECONCILE, "capture_since"), {"schema": production}
    ).fetchone()[0]
    params = {
        "window_id": window.id, "download_started": window.download_started,
        "date_path": window.date_path, "whole_table": settings.whole_table,
        "absence": window.absence_is_evidence, "delete_absent": settings.delete_absent,
        "adopted": window.mode == "adopt",
        "downloaded": window.mode == "window", "confirmed_at": window.confirmed_at,
        "check_schema": check, "capture_since": capture_since, **window.xid_params,
    }
    coverage.covered(conn, window, check, "vn_cc")
    if not settings.new_sites:
        _refuse_unknown_sites(conn, {"check": check, "production": production})
    coverage.polled(conn, window, check, "vn_cpoll")
    in_window = coverage.covered(conn, window, production, "vn_cp")
    coverage.covered_days(conn, window)
    names = {"check": check, "production": production}
    results = {}
    # Forms before their observations, as transfer_vn stores them (_store_observation stores
    # a form, then its sightings): production's row triggers read a sighting's form when its
    # row is written (gn_vn2synthese gives the synthese the uuid of forms_json's row for
    # observers[0].id_form). Forms no observation belongs to go after the observations'
    # deletions (form_orphans, below).
    tables = [t for t in TABLES if t in window.tables]
    for table in sorted(tables, key=lambda t: t != FORMS):
        if table == OBSERVATIONS:
            conn.execute(compose(SQL_RECONCILE, "observation_pairs", **names), params)
            conn.execute(statement(SQL_RECONCILE, "index_pairs"))
        if table in CAPTURED:
            conn.execute(statement(SQL_RECONCILE, BROUGHT[table]), params)
            signals(conn, table, "vn_brought", params)
        # what deletions inside the window on a signal alone are weighed against: the
        # observations the window covered; production's places its places download covered
        covered = in_window if table != PLACES else coverage.covered_places(
            conn, window, production, "vn_places_cp")
        conn.execute(compose(SQL_RECONCILE, CHANGES[table], **names), params)
        result = counted(conn, table)
        result.rows_in_window = in_window if table == OBSERVATIONS else 0
        if result.counts["malformed"] and not settings.skip_malformed:
            raise ReconcileRefused(malformed_message(f"{check}.{table}", result))
        absent, limit = result.deleted_by["absent"], settings.max_delete_fraction * in_window
        if absent > limit:
            raise ReconcileRefused(
                f"{absent} deletion(s) from {production}.{table} of rows absent from the "
                f"download exceed {settings.max_delete_fraction:.1%} of the {in_window} row(s) "
                f"the download covered ({limit:.0f}); nothing was changed"
            )

        # A row production lacks that a signal keeps out is left out unweighed (reconcile.sql
        # writes no 'withheld'): that destroys nothing the check copy does not still hold, and
        # a deletion at the source the live sync applied before the check copy's poll looks
        # the same.
        def weigh(unchecked: Counter[str | None], table: str = table, covered: int = covered,
                  result: TableResult = result) -> None:
            refuse_unchecked(conn, f"{production}.{table}", {**names, "table": table},
                             settings.max_delete_fraction, covered, unchecked,
                             result.counts["insert"])

        apply(conn, SQL_RECONCILE, table, {**names, "table": table}, params, result, weigh)
        conn.execute(statement(SQL_RECONCILE, "drop_changes"))
        if table in CAPTURED:
            conn.execute(statement(SQL_RECONCILE, "drop_signals"))
            conn.execute(statement(SQL_RECONCILE, "drop_brought"))
        results[table] = result
    if FORMS in results:
        conn.execute(compose(SQL_RECONCILE, "form_orphans", **names), params)
        orphans = counted(conn, FORMS)
        # no deletion on a signal: nothing to weigh
        apply(conn, SQL_RECONCILE, FORMS, {**names, "table": FORMS}, params, orphans)
        conn.execute(statement(SQL_RECONCILE, "drop_changes"))
        results[FORMS].counts["delete"] += orphans.counts["delete"]
        results[FORMS].deleted_by.update(orphans.deleted_by)
    return {t: results[t] for t in TABLES if t in results}


def _refuse_unknown_sites(conn: psycopg.Connection, names: dict[str, str]) -> None:
    """Refuse when the window covers a site (the check configuration's key, which
    Client-API-VN writes in every row's `site`) that production's live sync neither polls
    (its increment_log) nor holds a single observation of, while it polls others: the two
    configurations then key the same VisioNature site differently (the runbook keeps them in
    two evn.yaml files; transfer_vn --init names the site tst1), and joined on (id, site)
    every row of the window would be inserted into production a second time, under the
    check copy's key. A site production does not sync yet is repaired with new_sites. A
    production without an increment_log (never polled with --update) is not guarded."""
    polls = conn.execute(
        statement(SQL_RECONCILE, "increment_log_of"), {"schema": names["production"]}
    ).fetchone()[0]
    if polls is None:
        return
    unknown = conn.execute(compose(SQL_RECONCILE, "unknown_sites", **names)).fetchall()
    if unknown:
        missing = ", ".join(site for site, _ in unknown)
        known = unknown[0][1]
        raise ReconcileRefused(
            f"the window covers site(s) {missing} of {names['check']}, of which "
            f"{names['production']} holds no observation while its live sync polls "
            f"{', '.join(known)}: the check configuration keys the site otherwise than "
            "production's (Client-API-VN stores the configuration's site key in each row), "
            "and every row would be inserted a second time; give both configurations the "
            "same site keys, or set new_sites to repair a site production does not sync yet; "
            "nothing was changed"
        )


def signals(
    conn: psycopg.Connection, table: str, brought: str | tuple[str, str],
    params: dict[str, object],
) -> None:
    """vn_signals: the deletion signals of ``table``, refuted, weighed or standing, as the
    repair and the merge both read them (reconcile.sql signals); ``brought``: the table of the
    rows the window download brought."""
    conn.execute(compose(SQL_RECONCILE, "signals", brought=brought),
                 {**params, "table_name": table})


def refuse_inside(
    table: str, fraction: float, covered: int, unchecked: Counter[str | None], rows_of: str,
    then: str, withheld: int = 0,
) -> None:
    """Refuse when the deletions inside the window on a deletion signal alone (the
    ``unchecked`` mark 'inside'), with the rows ``withheld`` on such a signal (the merge's:
    not written to the check copy that lacks them), exceed ``fraction`` of the ``covered``
    rows (``rows_of``: whose), saying what was left and what to do (``then``): the repair's
    and the merge's rule."""
    inside = unchecked["inside"] + withheld
    if inside > fraction * covered:
        held = f" ({withheld} of them rows it lacks, withheld)" if withheld else ""
        raise ReconcileRefused(
            f"{inside} deletion(s) from {table} inside the window, on a deletion signal "
            f"alone{held}, exceed {fraction:.1%} of the {covered} row(s){rows_of} it covered "
            f"({fraction * covered:.0f}); {then}"
        )


def refuse_unchecked(
    conn: psycopg.Connection, table: str, names: dict[str, str], fraction: float,
    covered: int, unchecked: Counter[str | None], inserted: int,
) -> None:
    """Refuse when the rows just deleted on a deletion signal alone (``unchecked``: every row
    deleted, by its mark, None when something else than the signal backs it; counted
    from the DELETE statement itself, inside the repair's transaction, so no prune made
    after the changes were computed escapes it) exceed ``fraction`` of the production rows
    they are weighed against: the table's outside the window, the ``covered`` rows inside
    it (the observations the window covered; production's places of its sites).

    A signal is any DELETE the capture saw: the source's diff applied by a transfer_vn, or a
    DELETE by hand (an operator pruning the check copy). Counting only our own transfer_vn's
    sessions would not do: the live sync and an adopted check copy are the operator's own
    transfer_vn, and their signals are the source's. Inside a window we downloaded, the
    download refutes a signal before its start for every row it still served, and the
    deletions its own diff poll applies (our transfer_vn's, by application_name, in the
    check copy: not a production session of that name) are the source's; outside it
    (whole_table), in an adopted window, and after the download started nothing does: a
    prune of the check copy during the download, during the window's own diff poll (by
    another session) or before the repair. Those deletions are bounded like deletions for
    absence. Inside, against what the window covered: a prune of two weeks would be a small
    share of the whole table."""
    refuse_inside(
        table, fraction, covered, unchecked, "",
        "nothing was changed. No download of ours refutes a DELETE by hand in either copy "
        "made after the window's download started (during it, during its diff poll, or "
        "since), or in an adopted window, and it is recorded like the source's "
        "(maint_assets.vn_deletions): repair after a new window download (vn_check_copy in "
        "window mode) or after the operator's --full stored the rows again, or raise "
        "max_delete_fraction if the source did delete them",
    )
    outside = unchecked["outside"]
    if not outside:
        return
    # the table's rows before this repair wrote it: it just inserted and deleted some
    rows = (conn.execute(compose(SQL_RECONCILE, "production_rows", **names)).fetchone()[0]
            - inserted + sum(unchecked.values()))
    limit = fraction * rows
    if outside > limit:
        raise ReconcileRefused(
            f"{outside} deletion(s) from {table} outside the window, on a deletion signal "
            f"alone, exceed {fraction:.1%} of its {rows} row(s) ({limit:.0f}); nothing was "
            "changed. A DELETE by hand in either copy is recorded like the source's "
            "(maint_assets.vn_deletions): repair without whole_table, or raise "
            "max_delete_fraction if the source did delete them"
        )


def counted(conn: psycopg.Connection, table: str) -> TableResult:
    """The changes of vn_changes, counted, with the items kept without being written."""
    result = TableResult(table)
    for action, reason, count in conn.execute(statement(SQL_RECONCILE, "change_counts")):
        result.counts[action] += count
        if action == "delete":
            result.deleted_by[reason or "orphan"] += count
        if action == "insert" and reason == "refuted deletion":
            result.reinserted += count
    result.listed = [Listed(*row) for row in conn.execute(statement(SQL_RECONCILE, "listed"))]
    return result


def malformed_message(table: str, result: TableResult) -> str:
    shown = ", ".join(f"({i.id}, {i.site})" for i in result.listed if i.action == "malformed")
    return (
        f"{table} has {result.counts['malformed']} malformed item(s) (id, site): {shown}; "
        "nothing was changed (set skip_malformed to repair the rest)"
    )


def apply(
    conn: psycopg.Connection, sql_file: str, table: str, names: dict[str, str],
    params: dict[str, object], result: TableResult,
    weigh: Callable[[Counter[str | None]], None] | None = None,
) -> None:
    """Write the changes (statements of ``sql_file``); the counts become what PostgreSQL
    actually wrote. ``weigh`` gets the rows the delete statement deleted (none, when it did
    not run), counted by the ``unchecked`` mark it returns for each (reconcile.sql), and may
    refuse them."""
    deleted: Counter[str | None] = Counter()
    for action, name in WRITES[table].items():
        if result.counts[action]:
            cur = conn.execute(compose(sql_file, name, **names), params)
            result.counts[action] = cur.rowcount
            if action == "delete":
                deleted = Counter(unchecked for (unchecked,) in cur.fetchall())
    if weigh is not None:
        weigh(deleted)
