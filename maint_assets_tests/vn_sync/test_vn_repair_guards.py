"""What the repair refuses and what it still does, in cases an independent trial of the real
transfer_vn found wrong: a sighting dated before 1970 (repaired, not malformed), deletions by
hand in the check copy under a whole-table repair, or inside an adopted window (refused) beside
a deletion by the source (applied), an enabled site that yields no download slice (refused).
Every download is the real transfer_vn talking to the fake VisioNature site."""

import logging
import time
from datetime import date
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.vn_fake_site import epoch
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import vn_sync_repair
from maint_assets.vn_sync.automation import CHECK_COPY_OP
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets_tests.vn_sync.helpers import (
    LAYOUT,
    VnWorld,
    adopted,
    days_ago,
    failure_text,
    later_second,
    metadata,
    monitoring,
    snapshot,
    table_rows,
    weekly,
)

P = LAYOUT.place_ids()
OBSERVATIONS = f"vn_sync/{PRODUCTION}/observations_json"


def _in_step(world: VnWorld, days: dict[int, date]) -> psycopg.Connection:
    """The site's sightings ``days`` (id -> day), both copies in step with it and the deletion
    capture installed."""
    site = world.sites["tst1"]
    for i, day in days.items():
        site.add_sightings([i], day, 1, P[i % 4])
    world.copy()
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    return world.conn


def _whole_table(world: VnWorld) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [vn_sync_repair], resources=world.resources(), raise_on_error=False,
        run_config={"ops": {"vn_sync_repair": {"config": {"whole_table": True}}}},
    )


def test_a_sighting_dated_before_1970_is_repaired_not_malformed(world: VnWorld) -> None:
    """A 1965 sighting entered this week: Client-API-VN keeps its date.@timestamp as the
    negative epoch the API sends (and converts it with to_timestamp in its column tables).
    It was taken for malformed, which refused the whole repair, every week. Outside the
    window, the weekly diff poll brought it (entered since the polls began)."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 11)})
    site = world.sites["tst1"]
    time.sleep(1)  # after the copies' diff watermark
    site.add_sightings([50], days_ago(3), 1, P[0])
    site.add_sightings([60], date(1965, 5, 1), 1, P[0], inserted=int(time.time()) - 3600)
    assert site.item(60)["date"]["@timestamp"] == str(epoch(date(1965, 5, 1))) == "-147398400"
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    prod = table_rows(conn, PRODUCTION, "observations_json")
    assert prod[(60, "tst1")] == table_rows(conn, CHECK, "observations_json")[(60, "tst1")]
    assert (50, "tst1") in prod
    meta = metadata(result)[OBSERVATIONS]
    assert (meta["inserted"], meta["malformed"], meta["outside_window"]) == (2, 0, 0), meta
    # a date.@timestamp that is no whole epoch is still malformed, negative or not (values
    # of our own that transfer_vn's column-table trigger on the check copy can still cast)
    for bad in ("1e9", "-147398400.5"):
        conn.execute(f"UPDATE {CHECK}.observations_json "
                     "SET item = jsonb_set(item, '{date,@timestamp}', to_jsonb(%s::text)) "
                     "WHERE site = 'tst1' AND id = 60", [bad])
        before = snapshot(conn)
        refused = _whole_table(world)
        assert not refused.success, bad
        assert "1 malformed item(s) (id, site): (60, tst1)" in failure_text(refused)
        assert snapshot(conn) == before
        assert [a for a, *_ in monitoring(conn, refused.run_id)] == ["refused"]


def _old_and_recent(world: VnWorld) -> psycopg.Connection:
    """Sightings 1-20 two months old (outside any window), 21-40 of the last week, both
    copies in step. As the API's diff does, a sighting counts as modified when it was entered
    (the fake site's own rows are all new), so the weekly diff poll brings none of them."""
    site = world.sites["tst1"]
    for i in range(1, 21):
        site.add_sightings([i], days_ago(60 + i), 1, P[i % 4])
    for i in range(21, 41):
        site.add_sightings([i], days_ago(2 + i % 6), 1, P[i % 4])
    world.conn.execute("UPDATE vn_site.sightings SET modified_at = "
                       "to_timestamp((item #>> '{observers,0,insert_date}')::bigint)")
    return _in_step(world, {})


def test_a_pruned_check_copy_does_not_empty_production_outside_the_window(
    world: VnWorld,
) -> None:
    """The operator prunes the check copy of old rows with a plain DELETE; VisioNature still
    has them. The capture cannot tell that DELETE from the source's diff, and nothing outside
    the window refutes it: a whole-table repair deleted 20 of production's 40 valid rows. It
    is now refused; the window's repair, which does not write outside it, still runs."""
    conn = _old_and_recent(world)
    assert conn.execute(f"DELETE FROM {CHECK}.observations_json WHERE id <= 20").rowcount == 20
    time.sleep(1.1)  # the download starts in a later second than the deletions
    before = table_rows(conn, PRODUCTION, "observations_json")
    assert len(before) == 40
    result = weekly(world.resources(), repair_config={"whole_table": True})
    assert not result.success
    assert (f"20 deletion(s) from {PRODUCTION}.observations_json outside the window, on a "
            "deletion signal alone, exceed 5.0% of its 40 row(s) (2)") in failure_text(result)
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    assert [a for a, _, t, *_ in monitoring(conn, result.run_id)
            if t.startswith(f"{PRODUCTION}.")] == ["refused"]
    windowed = dg.materialize([vn_sync_repair], resources=world.resources(),
                              raise_on_error=False)
    assert windowed.success, failure_text(windowed)
    assert table_rows(conn, PRODUCTION, "observations_json") == before


def test_a_deletion_by_the_source_still_goes_outside_the_window(world: VnWorld) -> None:
    """The source deletes the two-month-old sighting 3; the weekly run's diff poll (the real
    transfer_vn --update) deletes it from the check copy, and the whole-table repair, on that
    signal alone, from production: 1 of 40 rows is within the limit."""
    conn = _old_and_recent(world)
    world.sites["tst1"].delete(3)
    result = weekly(world.resources(), repair_config={"whole_table": True})
    assert result.success, failure_text(result)
    assert conn.execute("SELECT schema_name FROM maint_assets.vn_deletions "
                        "WHERE item_id = 3").fetchall() == [(CHECK,)]
    prod = table_rows(conn, PRODUCTION, "observations_json")
    assert set(prod) == {(i, "tst1") for i in range(1, 41) if i != 3}
    meta = metadata(result)[OBSERVATIONS]
    assert (meta["deleted"], meta["deleted_on_signal"]) == (1, 1), meta


def test_a_late_entry_production_missed_is_inserted_as_the_runbook_does(world: VnWorld) -> None:
    """A sighting dated 40 days ago and entered today (a notebook typed in late, an import):
    production's live sync missed it, the weekly run's own diff poll brought it to the check
    copy (VisioNature's current version). fct_fix_sync inserts every check row production
    lacks; the repair left it out, every week, as outside the window. A version the polls did
    not store (older than them: sighting 30, changed in the check copy by hand) still is."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    site.add_sightings([30], days_ago(50), 1, P[0])
    world.copy()
    world.conn.execute(
        f"UPDATE {CHECK}.observations_json SET update_ts = update_ts + 60, item = jsonb_set("
        "item, '{observers,0,count}', '\"99\"') WHERE id = 30")
    time.sleep(1)  # entered after both copies' watermarks
    site.add_sightings([500], days_ago(40), 1, P[0], entered=days_ago(0))
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    assert (500, "tst1") in table_rows(world.conn, CHECK, "observations_json")
    prod = table_rows(world.conn, PRODUCTION, "observations_json")
    meta = metadata(result)[OBSERVATIONS]
    assert (500, "tst1") in prod, meta
    assert prod[(30, "tst1")][0]["observers"][0]["count"] != "99"
    assert (meta["inserted"], meta["outside_window"]) == (1, 1), meta


def _adopted_week(world: VnWorld) -> tuple[PostgresResource, psycopg.Connection]:
    """Sightings 1-40 of the last week, both copies in step, then the operator's own 14-day
    --full of the check copy (what an adoption takes)."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    db = PostgresResource(url=world.url)
    tool = world.tool("operator")  # the operator's cron, not maint_assets
    with tool.generated_config(db, CHECK, start_date=days_ago(14)) as (path, config):
        tool.run("full", path, config)
    return db, conn


def test_a_pruned_adopted_check_copy_does_not_empty_production_inside_the_window(
    world: VnWorld,
) -> None:
    """The operator prunes the adopted check copy of half the week with a plain DELETE after
    his --full; VisioNature still has those sightings. No download of ours refutes the
    captured deletions, and the adopted window's repair deleted 20 of production's 40 rows
    inside it. Those deletions on a signal alone are now weighed against the rows the window
    covered, and refused."""
    _, conn = _adopted_week(world)
    assert conn.execute(f"DELETE FROM {CHECK}.observations_json WHERE id <= 20").rowcount == 20
    before = table_rows(conn, PRODUCTION, "observations_json")
    assert len(before) == 40
    result = adopted(world.resources())
    assert not result.success
    assert (f"20 deletion(s) from {PRODUCTION}.observations_json inside the window, "
            "on a deletion signal alone, exceed 5.0% of the 40 row(s) it covered (2)"
            in failure_text(result)), failure_text(result)
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    assert [a for a, _, t, *_ in monitoring(conn, result.run_id)
            if t.startswith(f"{PRODUCTION}.")] == ["refused"]


def test_a_prune_between_the_window_download_and_the_repair_is_weighed(
    world: VnWorld,
) -> None:
    """The weekly job's two steps run by hand, in order: the window download (the real
    transfer_vn, then its diff poll), then the operator prunes half the week from the check
    copy with a plain DELETE, then the repair. VisioNature still has those sightings, but
    the deletions came after the download and its poll, so nothing refuted them and, inside
    a window we downloaded, they were not weighed: the repair deleted 20 of production's 40
    rows. They are now weighed like an adopted window's, on what the repair deletes."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    download = dg.materialize(
        [vn_check_copy], resources=world.resources(), raise_on_error=False,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "window"}}}},
    )
    assert download.success, failure_text(download)
    later_second()  # the prune in a later second than the poll's end (deleted_at is rounded)
    assert conn.execute(f"DELETE FROM {CHECK}.observations_json WHERE id <= 20").rowcount == 20
    before = table_rows(conn, PRODUCTION, "observations_json")
    assert len(before) == 40
    result = dg.materialize([vn_sync_repair], resources=world.resources(),
                            raise_on_error=False)
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    assert not result.success
    assert (f"20 deletion(s) from {PRODUCTION}.observations_json inside the window, on a "
            "deletion signal alone, exceed 5.0% of the 40 row(s) it covered (2)"
            in failure_text(result)), failure_text(result)
    assert [a for a, _, t, *_ in monitoring(conn, result.run_id)
            if t.startswith(f"{PRODUCTION}.")] == ["refused"]


def test_a_prune_during_the_window_diff_poll_is_weighed(world: VnWorld) -> None:
    """The weekly job as the schedule runs it; while its diff poll runs (the real
    transfer_vn --update after the window download: its observations are polled, its places
    are being polled), the operator prunes half the week from the check copy with a plain
    DELETE. VisioNature still has those sightings, but a signal recorded between the
    download's start and the poll's end was taken for the poll's own (the source's), so it
    was not weighed: the repair deleted 20 of production's 40 rows. It is weighed now, like a
    prune after the poll."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    answer, pruned = world.server.answer, []

    def prune_during_the_poll(method: str, path: str, *args: object) -> tuple[int, str]:
        # our own hook into the fake site: the operator's DELETE lands while the poll asks
        # for the places' diff, after its observations' (which would serve the rows again),
        # in a later second than the download's start (deleted_at is rounded)
        if path.endswith("/places/diff/") and not pruned:
            later_second()
            with psycopg.connect(world.url, autocommit=True) as prune:
                pruned.append(prune.execute(
                    f"DELETE FROM {CHECK}.observations_json WHERE id <= 20").rowcount)
        return answer(method, path, *args)

    world.server.answer = prune_during_the_poll  # type: ignore[method-assign]
    before = table_rows(conn, PRODUCTION, "observations_json")
    assert len(before) == 40
    # the merge weighs the rows it keeps out of the check copy: let it through, as the
    # subject is the repair
    result = weekly(world.resources(), download_config={"max_delete_fraction": 1})
    assert pruned == [20]
    # the merge kept the 20 downloaded rows out of the check copy, on the signal alone
    assert metadata(result)["vn_sync/schema/vn_check_copy"]["observations_json.withheld"] == 20
    assert ("withheld", 20) in [(a, n) for a, n, t, *_ in monitoring(conn, result.run_id)
                                if t == f"{CHECK}.observations_json"]
    # the prune's session is unnamed (not our transfer_vn): weighed like psql's
    assert conn.execute("SELECT DISTINCT application_name FROM maint_assets.vn_deletions "
                        f"WHERE schema_name = '{CHECK}' AND item_id <= 20").fetchall() == [("",)]
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    assert not result.success
    assert (f"20 deletion(s) from {PRODUCTION}.observations_json inside the window, on a "
            "deletion signal alone, exceed 5.0% of the 40 row(s) it covered (2)"
            in failure_text(result)), failure_text(result)
    assert [a for a, _, t, *_ in monitoring(conn, result.run_id)
            if t.startswith(f"{PRODUCTION}.")] == ["refused"]


def _delete_during_the_poll(
    world: VnWorld, call: str, schema: str, application_name: str = ""
) -> list[int]:
    """Our own hook into the fake site: a session named ``application_name`` (unnamed by
    default, like a person's psycopg script) deletes sightings 1-20 from ``schema`` when the
    weekly run's diff poll first asks for ``call`` ('observations/diff/' or 'places/diff/'),
    before the site answers, in a later second than the download's start (deleted_at is
    rounded). Returns the rows it deleted."""
    answer, deleted = world.server.answer, []

    def delete_first(method: str, path: str, *args: object) -> tuple[int, str]:
        if path.endswith(call) and not deleted:
            later_second()
            with psycopg.connect(world.url, autocommit=True,
                                 application_name=application_name) as session:
                deleted.append(session.execute(
                    f"DELETE FROM {schema}.observations_json WHERE id <= 20").rowcount)
        return answer(method, path, *args)

    world.server.answer = delete_first  # type: ignore[method-assign]
    return deleted


def test_a_prune_the_poll_served_again_is_kept_by_the_merge(world: VnWorld) -> None:
    """The operator prunes half the week from the check copy with a plain DELETE during the
    weekly run, as its diff poll starts; the poll (the real transfer_vn --update) stores those
    sightings again, since VisioNature still serves them, and maint_assets.vn_served records
    it. The merge did not read that record: it took the deletions, after the download's
    start, for deletions on a signal alone and refused the whole window (before that, it
    deleted the rows again). A row served after its deletion refutes it, as in the repair:
    the merge keeps the rows, and the window is merged and repaired."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    pruned = _delete_during_the_poll(world, "/observations/diff/", CHECK)
    before = table_rows(conn, PRODUCTION, "observations_json")
    result = weekly(world.resources())
    assert pruned == [20]
    assert conn.execute(
        "SELECT v.schema_name, count(*) FROM maint_assets.vn_served v "
        "JOIN maint_assets.vn_deletions d USING (table_name, site, item_id) "
        "WHERE v.served_at >= d.deleted_at GROUP BY 1").fetchall() == [(CHECK, 20)]
    assert result.success, failure_text(result)
    assert table_rows(conn, CHECK, "observations_json") == before
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    meta = metadata(result)["vn_sync/schema/vn_check_copy"]
    assert (meta["observations_json.deleted"], meta["observations_json.inserted"]) == (0, 0)
    assert [a for a, *_ in monitoring(conn, result.run_id) if a == "refused"] == []


def test_a_prune_after_the_poll_served_the_rows_is_weighed_by_the_merge(
    world: VnWorld,
) -> None:
    """The operator prunes half the week from the check copy during the weekly run's diff
    poll, after it polled the observations (it asks for the places' diff): nothing stores
    those sightings again. The download brought them, but the merge did not write rows its
    check copy lacks when a signal after the download's start stands, and did not weigh
    that: it committed a check copy without them (only the repair's own guard then kept
    production). Keeping them out on a signal alone is a deletion all the same: weighed with
    the merge's deletions, it refuses the merge, naming the check copy."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    pruned = _delete_during_the_poll(world, "/places/diff/", CHECK)
    before = table_rows(conn, PRODUCTION, "observations_json")
    result = weekly(world.resources())
    assert pruned == [20]
    assert conn.execute("SELECT count(*) FROM maint_assets.vn_served").fetchone()[0] == 0
    assert not result.success
    assert (f"20 deletion(s) from {CHECK}.observations_json inside the window, on a "
            "deletion signal alone (20 of them rows it lacks, withheld), exceed 5.0% of the "
            "20 row(s) of the check copy it covered (1); nothing was merged"
            in failure_text(result)), failure_text(result)
    assert set(table_rows(conn, CHECK, "observations_json")) == {
        (i, "tst1") for i in range(21, 41)}
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    assert [a for a, *_ in monitoring(conn, result.run_id)] == ["refused"]
    assert conn.execute("SELECT count(*) FROM maint_assets.vn_windows").fetchone()[0] == 0


def test_a_deletion_at_the_source_during_the_download_is_not_weighed_by_the_merge(
    world: VnWorld,
) -> None:
    """The source deletes sightings 1-3 after the window download fetched them; the live
    sync (a production session named transfer_vn) applies that deletion, and so does the
    weekly run's diff poll in the check copy (the real transfer_vn --update). The merge does
    not write the downloaded rows, which the check copy no longer holds: the poll's own
    signal is the source's word. The live sync's, beside it, was weighed (any signal on the
    row not checked), which refused the window for 3 of its 40 rows."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    site, answer, deleted = world.sites["tst1"], world.server.answer, []

    def delete_at_the_source(method: str, path: str, *args: object) -> tuple[int, str]:
        # our own hook into the fake site, as _delete_during_the_poll: the source's deletion
        # and the live sync's, before the poll asks for the observations' diff
        if path.endswith("/observations/diff/") and not deleted:
            later_second()
            for i in (1, 2, 3):
                site.delete(i)  # world.conn: the test's thread waits in weekly()
            with psycopg.connect(world.url, autocommit=True,
                                 application_name="transfer_vn") as live:
                deleted.append(live.execute(
                    f"DELETE FROM {PRODUCTION}.observations_json WHERE id <= 3").rowcount)
        return answer(method, path, *args)

    world.server.answer = delete_at_the_source  # type: ignore[method-assign]
    result = weekly(world.resources())
    assert deleted == [3]
    assert conn.execute(
        "SELECT schema_name, application_name, count(*) FROM maint_assets.vn_deletions "
        "GROUP BY 1, 2 ORDER BY 1").fetchall() == [
            (PRODUCTION, "transfer_vn", 3), (CHECK, "transfer_vn", 3)]
    assert result.success, failure_text(result)
    kept = {(i, "tst1") for i in range(4, 41)}
    assert set(table_rows(conn, CHECK, "observations_json")) == kept
    assert set(table_rows(conn, PRODUCTION, "observations_json")) == kept
    meta = metadata(result)["vn_sync/schema/vn_check_copy"]
    assert meta["observations_json.withheld"] == 0, meta


@pytest.mark.parametrize("session", ["psql", "transfer_vn"])
def test_a_prune_of_production_during_the_poll_is_not_merged_away_unweighed(
    world: VnWorld, session: str
) -> None:
    """While the weekly run's diff poll runs, a session (psql; or one named transfer_vn, as
    our own poll is and the operator's live sync may be) deletes half the week from
    production; VisioNature still has those sightings. The merge deleted them from the check
    copy too, unweighed: a signal is recorded alike in either copy, and one after the
    download's start refutes nothing. The check copy, which would give them back to
    production, lost them. The merge is now refused, and the check copy keeps them. The
    poll's exemption looked at the session's name alone: a production session named
    transfer_vn was taken for the poll; only the polled copy's signals are its own now."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    pruned = _delete_during_the_poll(world, "/places/diff/", PRODUCTION, session)
    check = table_rows(conn, CHECK, "observations_json")
    result = weekly(world.resources())
    assert pruned == [20]
    assert conn.execute("SELECT DISTINCT schema_name, application_name "
                        "FROM maint_assets.vn_deletions").fetchall() == [(PRODUCTION, session)]
    assert not result.success
    assert (f"20 deletion(s) from {CHECK}.observations_json inside the window, on a "
            "deletion signal alone, exceed 5.0% of the 40 row(s) of the check copy it "
            "covered (2)" in failure_text(result)), failure_text(result)
    assert table_rows(conn, CHECK, "observations_json") == check
    assert [a for a, _, t, *_ in monitoring(conn, result.run_id)] == ["refused"]


def test_a_production_deletion_named_transfer_vn_during_the_poll_is_weighed_by_the_repair(
    world: VnWorld,
) -> None:
    """While the weekly run's diff poll runs, a production session named transfer_vn (the
    operator's live sync may run with that PGAPPNAME) deletes half the week; a person puts
    the rows back with psql, which proves nothing about the source, so the signals stand.
    The merge is let through (max_delete_fraction 1 for the download). The repair took those
    signals for its own poll's (the source's), by the session's name alone, and deleted the
    20 rows from production unweighed; only the polled copy's signals are the poll's now."""
    conn = _in_step(world, {i: days_ago(2 + i % 6) for i in range(1, 41)})
    answer, deleted = world.server.answer, []

    def delete_and_put_back(method: str, path: str, *args: object) -> tuple[int, str]:
        # our own hook into the fake site, as _delete_during_the_poll
        if path.endswith("/places/diff/") and not deleted:
            later_second()
            with psycopg.connect(world.url, autocommit=True,
                                 application_name="transfer_vn") as live:
                deleted.append(live.execute(
                    f"DELETE FROM {PRODUCTION}.observations_json WHERE id <= 20").rowcount)
            with psycopg.connect(world.url, autocommit=True, application_name="psql") as person:
                person.execute(f"INSERT INTO {PRODUCTION}.observations_json "
                               f"SELECT * FROM {CHECK}.observations_json WHERE id <= 20")
        return answer(method, path, *args)

    world.server.answer = delete_and_put_back  # type: ignore[method-assign]
    before = table_rows(conn, PRODUCTION, "observations_json")
    result = weekly(world.resources(), download_config={"max_delete_fraction": 1})
    assert deleted == [20]
    assert conn.execute("SELECT count(*) FROM maint_assets.vn_served").fetchone()[0] == 0
    assert table_rows(conn, PRODUCTION, "observations_json") == before
    assert not result.success
    assert (f"20 deletion(s) from {PRODUCTION}.observations_json inside the window, on a "
            "deletion signal alone, exceed 5.0% of the 40 row(s) it covered (2)"
            in failure_text(result)), failure_text(result)


def test_a_deletion_by_the_source_still_goes_inside_an_adopted_window(world: VnWorld) -> None:
    """The source deletes sighting 5 of the week; the operator's daily --update (the real
    transfer_vn) deletes it from the check copy, and the adopted window's repair, on that
    signal, from production: 1 of 40 rows is within the limit."""
    db, conn = _adopted_week(world)
    conn.execute(f"UPDATE {CHECK}.increment_log SET last_ts = last_ts - interval '1 hour'")
    world.sites["tst1"].delete(5)
    world.tool("operator").update_now(db, CHECK, {"observations"})
    assert conn.execute("SELECT schema_name FROM maint_assets.vn_deletions "
                        "WHERE item_id = 5").fetchall() == [(CHECK,)]
    result = adopted(world.resources())
    assert result.success, failure_text(result)
    prod = table_rows(conn, PRODUCTION, "observations_json")
    assert set(prod) == {(i, "tst1") for i in range(1, 41) if i != 5}
    meta = metadata(result)[OBSERVATIONS]
    assert (meta["deleted"], meta["deleted_on_signal"]) == (1, 1), meta


def test_an_enabled_site_the_download_did_not_cover_refuses_the_window(
    vn_url: str, tmp_path: Path
) -> None:
    """Two enabled sites; tst2's API answers taxo_groups with an empty list (an account that
    lost its rights), so transfer_vn searches nothing there and logs no error. The run
    succeeded without a word and tst2 was never checked again. docs/visionature.md fails a run that
    ran no job for an enabled site: the window is refused, naming the site, and with
    allow_empty the other site is repaired and tst2 is named in the log and metadata."""
    world = VnWorld(vn_url, tmp_path, sites=("tst1", "tst2"))
    try:
        for name, site in world.sites.items():
            for i in range(1, 11):
                site.add_sightings([i], days_ago(2 + i % 6), 1, P[i % 4])
            world.copy(site=name)
        conn = world.conn
        conn.execute(f"DELETE FROM {PRODUCTION}.observations_json WHERE id = 4")
        conn.execute("DELETE FROM vn_site.taxo_groups WHERE site = 'tst2'")
        before = table_rows(conn, PRODUCTION, "observations_json")
        refused = weekly(world.resources())
        assert not refused.success
        assert ("the download covered no slice of enabled site(s) tst2"
                in failure_text(refused)), failure_text(refused)
        assert table_rows(conn, PRODUCTION, "observations_json") == before
        assert [a for a, *_ in monitoring(conn, refused.run_id)] == ["refused"]
        instance = dg.DagsterInstance.ephemeral()
        allowed = dg.materialize(
            [vn_check_copy, vn_sync_repair], resources=world.resources(), instance=instance,
            run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "window",
                                                           "allow_empty": True}}}},
            raise_on_error=False,
        )
        assert allowed.success, failure_text(allowed)
        assert metadata(allowed)["vn_sync/schema/vn_check_copy"]["uncovered_sites"] == "tst2"
        warnings = [e.user_message for e in instance.all_logs(allowed.run_id)
                    if e.level == logging.WARNING]
        assert any("enabled site(s) tst2" in m for m in warnings), warnings
        prod = table_rows(conn, PRODUCTION, "observations_json")
        assert (4, "tst1") in prod and (4, "tst2") not in prod
    finally:
        world.close()


def test_an_adopted_full_that_did_not_cover_an_enabled_site_is_refused(
    vn_url: str, tmp_path: Path
) -> None:
    """The same in an adopted window: the operator's own --full of the check copy stored no
    search answer for tst2."""
    world = VnWorld(vn_url, tmp_path, sites=("tst1", "tst2"))
    try:
        for name, site in world.sites.items():
            site.add_sightings([1, 2, 3], days_ago(3), 1, P[0])
            world.copy((PRODUCTION,), site=name)
        conn = world.conn
        conn.execute("DELETE FROM vn_site.taxo_groups WHERE site = 'tst2'")
        db = PostgresResource(url=world.url)
        bookkeeping.prepare(db, [CHECK, PRODUCTION])
        tool = world.tool("operator")  # the operator's cron, not maint_assets
        with tool.generated_config(db, CHECK, start_date=days_ago(14)) as (path, config):
            tool.run("full", path, config)
        result = adopted(world.resources())
        assert not result.success
        assert ("the download covered no slice of enabled site(s) tst2"
                in failure_text(result)), failure_text(result)
        assert [a for a, *_ in monitoring(conn, result.run_id)] == ["refused"]
        assert conn.execute("SELECT count(*) FROM maint_assets.vn_windows").fetchone()[0] == 0
    finally:
        world.close()


def test_sightings_the_check_accounts_rights_hide_are_not_deleted_from_production(
    world: VnWorld,
) -> None:
    """The check copy's transfer_vn may use its own VisioNature account (the runbook runs it
    under another system user, with its own evn.yaml), which may see less than production's:
    sensitive sightings, a taxo group in access_mode 'limited'. Such a sighting is in no
    answer to it (search, diff), so it is absent from the window download and from the check
    copy while its slice is covered. The repair deleted it from production (and GeoNature's
    synthese, through its trigger) as "absent" every week, under max_delete_fraction. DESIGN
    §6: absence from a partial or filtered copy is not evidence; it is kept and listed unless
    the operator sets delete_absent. (Found by a trial of session 32.)"""
    site = world.sites["tst1"]
    for i in range(1, 41):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy()
    hidden = [50]
    site.add_sightings(hidden, days_ago(3), 1, P[0])
    world.copy((PRODUCTION,), ids=hidden)  # production's account sees it
    site.fault("drop", hidden)  # the check account's searches do not
    site.fault("lose_diff", hidden)  # nor its diffs
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    meta = metadata(result)[OBSERVATIONS]
    prod = table_rows(world.conn, PRODUCTION, "observations_json")
    assert (50, "tst1") in prod, f"deleted_absent={meta['deleted_absent']}"
    assert meta["unconfirmed"] == 1
    listed = [(site_, item, detail) for action, _, _, site_, item, detail
              in monitoring(world.conn, result.run_id) if action == "unconfirmed"]
    assert listed == [("tst1", 50, "absent from the download and the check copy, no deletion "
                                    "signal (delete_absent is off)")]
