"""The repair's check: after it committed, production's observations agree with the check copy
wherever the repair answered for them (inside the latest window, and outside its days what our
polls brought), apart from the rows it had cause to leave and listed. A separate step, reading
what was committed: the repair's own transaction cannot vouch for itself, and a row set back or
lost without a trace after its decisions (a trigger of production's, a writer the deletion
capture does not see) shows here; a deletion the capture recorded, the live sync's or one by
hand, is not taken for a loss."""

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync import coverage
from maint_assets.vn_sync.keys import CHECK, OBSERVATIONS, PRODUCTION, PRODUCTION_TABLES, SQL_CHECKS

SHOWN = 20
TABLE_NAME = f"{PRODUCTION}.{OBSERVATIONS}"


@dg.asset_check(
    asset=PRODUCTION_TABLES[OBSERVATIONS],
    name="agrees_with_check_copy",
    description="Every observation of the check copy the latest repair answered for (inside "
    "its window, and outside the window's days those our diff polls brought) is in production "
    "at its version or a newer one, unless a deletion signal nothing refuted (the source's, or "
    "one by hand: recorded), an unconfirmed download or a malformed item kept it out (listed "
    "in maint_assets.vn_monitoring).",
)
def agrees_with_check_copy(vn_db: PostgresResource) -> dg.AssetCheckResult:
    with vn_db.connect() as conn, conn.transaction():
        window = coverage.latest(conn, CHECK)
        repair = conn.execute(
            statement(SQL_CHECKS, "latest_repair"), {"table_name": TABLE_NAME}
        ).fetchone()
        if window is None or repair is None:
            return dg.AssetCheckResult(
                passed=True, description="nothing repaired yet", metadata={"missed": 0}
            )
        coverage.covered(conn, window, CHECK, "vn_cc")
        coverage.polled(conn, window, CHECK, "vn_cpoll")
        missed = conn.execute(
            compose(SQL_CHECKS, "repair_missed", check=CHECK, production=PRODUCTION),
            {"window_id": window.id, "run_id": repair[0], "table_name": TABLE_NAME},
        ).fetchall()
    shown = [f"({site}, {id_}): {problem}" for site, id_, problem in missed[:SHOWN]]
    return dg.AssetCheckResult(
        passed=not missed,
        description=(f"{len(missed)} observation(s) of {CHECK} not in {PRODUCTION} as the "
                     f"repair left them, first: {'; '.join(shown[:5])}") if missed else None,
        metadata={
            "missed": len(missed),
            "window_id": window.id,
            "repair_run": repair[0],
            "first": dg.MetadataValue.md("\n".join(f"- {s}" for s in shown) or "none"),
        },
    )


CHECKS = [agrees_with_check_copy]
