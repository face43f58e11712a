"""A window download merged into the check copy (vn_check_copy.sql): newer rows written, rows with
a deletion signal removed (those on a signal alone, and the downloaded rows such a signal keeps
out, weighed against max_delete_fraction), the rows it brought after a recorded deletion
recorded as served (maint_assets.vn_served), the check copy's rows the download did not bring
kept and recorded as unconfirmed; the (site, taxo group, day) cells where that happened are the
download's partial cells."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import psycopg

from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync import coverage
from maint_assets.vn_sync.bookkeeping import Entry
from maint_assets.vn_sync.coverage import Window
from maint_assets.vn_sync.keys import (
    CAPTURED,
    OBSERVATIONS,
    PLACES,
    SQL_BOOKKEEPING,
    SQL_RECONCILE,
    SQL_VN_CHECK_COPY,
    TABLES,
)
from maint_assets.vn_sync.reconcile import (
    CHANGES,
    ReconcileRefused,
    TableResult,
    apply,
    counted,
    malformed_message,
    refuse_inside,
    signals,
)


@dataclass(frozen=True)
class PartialCell:
    site: str
    taxo_group: str
    day: date
    in_copy: int
    missing: int
    downloaded: int

    def entry(self, table_name: str) -> Entry:
        return Entry(
            "partial", self.missing, table_name, self.site,
            detail=f"taxo group {self.taxo_group}, {self.day.isoformat()}: {self.downloaded} "
            f"row(s) downloaded, {self.missing} of the check copy's {self.in_copy} missing",
        )


def merge(
    conn: psycopg.Connection, window: Window, staging: str, check: str, skip_malformed: bool,
    max_delete_fraction: float,
) -> tuple[dict[str, TableResult], list[PartialCell]]:
    conn.execute(statement(SQL_BOOKKEEPING, "repairing"))
    params = {
        "window_id": window.id, "download_started": window.download_started,
        "date_path": window.date_path, "confirmed_at": window.confirmed_at,
        "check_schema": check, "downloaded": True, **window.xid_params,
    }
    in_window = coverage.covered(conn, window, check, "vn_cc")
    coverage.covered_days(conn, window)
    names = {"staging": staging, "check": check}
    results, partial = {}, []
    for table in (t for t in TABLES if t in window.tables):
        if table in CAPTURED:
            signals(conn, table, (staging, table), params)
            conn.execute(compose(SQL_VN_CHECK_COPY, "record_served", staging=staging,
                                 table=table),
                         {**params, "table_name": table, "staging_schema": staging})
        # what deletions on a signal alone are weighed against: the check copy's rows the
        # window covered
        covered = in_window if table != PLACES else coverage.covered_places(
            conn, window, check, "vn_places_cc")
        conn.execute(compose(SQL_VN_CHECK_COPY, CHANGES[table], **names), params)
        result = counted(conn, table)
        if result.counts["malformed"] and not skip_malformed:
            raise ReconcileRefused(malformed_message(f"{staging}.{table}", result))
        if table == OBSERVATIONS:
            result.rows_in_window = in_window
            partial = [
                PartialCell(*row)
                for row in conn.execute(
                    compose(SQL_VN_CHECK_COPY, "partial_cells", **names), params
                )
            ]

        # Merged, a deletion on a signal alone (a DELETE in either copy after the download
        # started, not the window's own diff poll's, and no row served since: nothing of ours
        # refutes it) would remove rows VisioNature may still serve, or keep out of the check
        # copy those it lacks, which the repair then no longer offers production.
        def weigh(unchecked: Counter[str | None], table: str = table, covered: int = covered,
                  result: TableResult = result) -> None:
            refuse_inside(
                f"{check}.{table}", max_delete_fraction, covered, unchecked, " of the check copy",
                "nothing was merged. They were recorded (maint_assets.vn_deletions) in either "
                "copy after the window's download started, by another session than the "
                "window's own diff poll, and neither a download of ours nor a transfer_vn "
                "storing the rows since (maint_assets.vn_served) refutes them: the next window "
                "download, started after them, refutes them for every row VisioNature still "
                "serves; raise max_delete_fraction if the source did delete them",
                withheld=result.counts["withheld"],
            )

        apply(conn, SQL_VN_CHECK_COPY, table, {**names, "table": table}, params, result, weigh)
        conn.execute(
            statement(SQL_VN_CHECK_COPY, "record_unconfirmed"), {**params, "table_name": table}
        )
        conn.execute(statement(SQL_RECONCILE, "drop_changes"))
        if table in CAPTURED:
            conn.execute(statement(SQL_RECONCILE, "drop_signals"))
        results[table] = result
    return results, partial

