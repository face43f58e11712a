"""What a window download proved stays proved: a deletion it refuted is not believed again by
the next window, and places it did not download (territorial_unit_ids) are not taken for
deleted. Every download is the real transfer_vn talking to the fake VisioNature site."""

import logging
import re
import time

import dagster as dg
import psycopg

from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, WINDOW_STAGING
from maint_assets_tests.vn_sync.helpers import (
    LAYOUT,
    VnWorld,
    daily,
    days_ago,
    failure_text,
    later_second,
    metadata,
    table_rows,
    weekly,
)

P = LAYOUT.place_ids()  # 10101…10103, 10201…10203 (territorial unit 1), 20101… (unit 2)
OBSERVATIONS = f"vn_sync/{PRODUCTION}/observations_json"
PLACES = f"vn_sync/{PRODUCTION}/places_json"


def _in_step(world: VnWorld, n: int, places: list[int]) -> psycopg.Connection:
    """Sightings 1 to ``n`` of this week at ``places``, both copies in step with the site and
    the deletion capture installed; then the daily diff poll of the check copy, as it runs
    every day: the next window's own poll asks only for what changed since that one began, so
    a row unchanged since is not stored again by it."""
    site = world.sites["tst1"]
    for i in range(1, n + 1):
        site.add_sightings([i], days_ago(3 + i % 6), 1, places[i % len(places)])
    world.copy()
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    conn = world.conn
    # polled daily for longer than the window: from before its first day
    conn.execute(f"UPDATE {CHECK}.increment_log SET last_ts = localtimestamp - interval '20 days'")
    result = daily(world.resources())
    assert result.success, failure_text(result)
    time.sleep(1)  # what follows in a later second than the poll's start
    return conn


def test_a_deletion_a_window_refuted_stays_refuted_in_the_next(world: VnWorld) -> None:
    """Sighting 7 deleted by hand from production (psql) in week 1; window W1, started after
    that deletion, brought it: refuted, production gets it back. In week 2 the site's search
    silently leaves 7 out of W2's download. The merge and the repair wrote nothing to
    maint_assets.vn_served when W1's download refuted the signal, so in W2 the old deletion
    stood again and, predating W2's download, counted as checked: W2 deleted 7 from both
    copies, unweighed, though VisioNature still serves it. (The daily polls ran, so W1's own
    diff poll asked only for changes since the last one and did not store 7 again: a poll that
    does is recorded in vn_served, which kept the refutation.) The rows a download brought
    after their recorded deletion are now recorded as served at the download's start."""
    conn = _in_step(world, 40, [P[0]])
    with psycopg.connect(world.url, autocommit=True, application_name="psql") as person:
        person.execute(f"DELETE FROM {PRODUCTION}.observations_json "
                       "WHERE site = 'tst1' AND id = 7")
        person.execute(f"DELETE FROM {CHECK}.places_json WHERE site = 'tst1' AND id = {P[2]}")
    later_second()  # W1's download in a later second than the deletion (deleted_at is rounded)
    first = weekly(world.resources())
    assert first.success, failure_text(first)
    served = {(i, "tst1") for i in range(1, 41)}  # the source deleted nothing
    for schema in (CHECK, PRODUCTION):
        assert set(table_rows(conn, schema, "observations_json")) == served, schema
    assert metadata(first)[OBSERVATIONS]["reinserted"] == 1
    assert (P[2], "tst1") in table_rows(conn, CHECK, "places_json")
    # places the same way: the download brought P[2], deleted by hand from the check copy
    assert conn.execute(
        "SELECT v.schema_name, v.table_name, v.item_id, v.served_at >= d.deleted_at "
        "FROM maint_assets.vn_served v JOIN maint_assets.vn_deletions d "
        "USING (table_name, site, item_id) ORDER BY 2"
    ).fetchall() == [(WINDOW_STAGING, "observations_json", 7, True),
                     (WINDOW_STAGING, "places_json", P[2], True)]

    world.sites["tst1"].fault("drop", [7])  # W2's silent gap
    second = weekly(world.resources())
    assert second.success, failure_text(second)
    for schema in (CHECK, PRODUCTION):
        assert set(table_rows(conn, schema, "observations_json")) == served, schema
    merged = metadata(second)["vn_sync/schema/vn_check_copy"]
    assert (merged["observations_json.deleted"], merged["observations_json.unconfirmed"]) == (
        0, 1), merged
    assert metadata(second)[OBSERVATIONS]["deleted"] == 0


def test_places_of_a_unit_the_window_did_not_download_are_left_alone(world: VnWorld) -> None:
    """territorial_unit_ids lists unit 1 (its short name "01", which observations/search
    matches, and its id "1", which Places.store matches with each commune's id_canton), so
    transfer_vn downloads the places of unit 1's communes only, one places call per commune.
    Two places of unit 2, which VisioNature still serves, were deleted by hand in week 1:
    P[6] from production, P[7] from the check copy. The window recorded the whole site as
    downloaded (vn_window_place_sites): the old signals, not refuted since the download did
    not bring those places, read as the source's, and the merge deleted P[6] from the check
    copy, the repair P[7] from production, both unweighed. The window now records the
    communes whose places it downloaded; places outside them are left alone. P[0], of unit
    1, deleted at the source (the window's diff poll removes it from the check copy), still
    goes from production."""
    conn = _in_step(world, 20, P[1:3])
    with psycopg.connect(world.url, autocommit=True, application_name="psql") as person:
        person.execute(f"DELETE FROM {PRODUCTION}.places_json WHERE site = 'tst1' "
                       f"AND id = {P[6]}")
        person.execute(f"DELETE FROM {CHECK}.places_json WHERE site = 'tst1' AND id = {P[7]}")
    world.sites["tst1"].delete_place(P[0])
    world.configure(territorial_unit_ids=("01", "1"))
    later_second()  # the download in a later second than the deletions
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    # What transfer_vn downloaded: unit 1's places, of one commune or both (Places.store reads
    # the communes from the window's own local_admin_units table or, when that job has not
    # stored them yet, only the first of the API's answer), none of unit 2.
    downloaded = {p for (p,) in conn.execute(
        "SELECT id FROM src_vn_json_check_window.places_json")}
    assert downloaded and downloaded <= set(P[1:6]), downloaded
    gone = {P[0]}  # deleted at the source
    assert set(table_rows(conn, CHECK, "places_json")) == {
        (p, "tst1") for p in P if p not in gone | {P[7]}}
    assert set(table_rows(conn, PRODUCTION, "places_json")) == {
        (p, "tst1") for p in P if p not in gone | {P[6]}}
    merged = metadata(result)["vn_sync/schema/vn_check_copy"]
    # nor are the check copy's places of unit 2 unconfirmed: nothing asked for them
    assert (merged["places_json.deleted"], merged["places_json.unconfirmed"]) == (0, 0), merged
    repaired = metadata(result)[PLACES]
    assert (repaired["deleted_on_signal"], repaired["outside_window"]) == (1, 1), repaired
    # the coverage recorded: the communes of unit 1 it asked for
    communes = {c for (c,) in conn.execute(
        "SELECT commune FROM maint_assets.vn_window_place_communes")}
    assert "101" in communes and communes <= {"101", "102"}, communes
    assert merged["sites_without_places"] == "none", merged


def test_units_listed_by_short_name_alone_ask_for_no_place_and_the_window_says_so(
    world: VnWorld,
) -> None:
    """territorial_unit_ids lists unit 1 by its short name "01" alone: observations/search
    downloads its sightings, but Places.store looks for communes whose id_canton is "01"
    (theirs is "1") and asks for no place. A place deleted by hand from the check copy is
    then neither confirmed deleted nor unconfirmed, and the window names the site whose
    places it did not ask for, with the cause, instead of passing in silence."""
    conn = _in_step(world, 20, P[1:3])
    conn.execute(f"DELETE FROM {CHECK}.places_json WHERE site = 'tst1' AND id = {P[4]}")
    world.configure(territorial_unit_ids=("01",))
    instance = dg.DagsterInstance.ephemeral()
    result = weekly(world.resources(), instance=instance)
    assert result.success, failure_text(result)
    assert conn.execute("SELECT count(*) FROM src_vn_json_check_window.places_json"
                        ).fetchone()[0] == 0
    merged = metadata(result)["vn_sync/schema/vn_check_copy"]
    assert merged["sites_without_places"] == "tst1", merged
    assert (merged["places_json.deleted"], merged["places_json.unconfirmed"]) == (0, 0), merged
    warnings = [e.user_message for e in instance.all_logs(result.run_id)
                if e.level == logging.WARNING]
    assert any("asked for no place of site(s) tst1" in w and "list both" in w
               for w in warnings), warnings
    assert (P[4], "tst1") in set(table_rows(conn, PRODUCTION, "places_json"))


def test_the_window_poll_fetches_only_the_places_that_changed(world: VnWorld) -> None:
    """A first window (no diff poll before it) polls the diff from the day before the window;
    the fake site dated its reference places when it made them, so that poll listed every place
    and transfer_vn fetched each one. A real site's places are older than the diff reaches:
    only a place renamed since is fetched."""
    site = world.sites["tst1"]
    for i in range(1, 6):
        site.add_sightings([i], days_ago(3 + i), 1, P[0])
    world.copy()
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    site.rename_place(P[1], "Lieu-dit renommé")
    world.server.calls.clear()
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    fetched = [c for c in world.server.calls if re.fullmatch(r"tst1 places/\d+", c)]
    assert fetched == [f"tst1 places/{P[1]}"], fetched
