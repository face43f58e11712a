"""VisioNature: forms and places edited while the weekly job runs, and what the runbook's
readers see. Every download is the real transfer_vn (Client-API-VN 2.12) talking to the fake
site."""

import time

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import vn_sync_repair
from maint_assets.vn_sync.automation import CHECK_COPY_OP
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets_tests.vn_sync.helpers import (
    LAYOUT,
    NO_RETRY_WAIT,
    VnWorld,
    days_ago,
    failure_text,
    later_second,
    metadata,
    places_in_step,
    table_rows,
)

P = LAYOUT.place_ids()


def _rename_after_the_places_download(world: VnWorld, place: int, name: str) -> list[str]:
    """The source renames ``place`` right after the window's --full has downloaded the
    site's places (its one ``places`` list call), while the download goes on: as a user
    editing a place during the hours a real site's window download takes."""
    server, done = world.server, []
    answer = server.answer

    def answering(method, path, query, body):
        status, text = answer(method, path, query, body)
        if not done and path.endswith("/api/places") and not query.get("id_commune"):
            time.sleep(1.1)  # modified_at in a later second than the download's answer
            world.sites["tst1"].rename_place(place, name)
            done.append(path)
        return status, text

    server.answer = answering
    return done


def _window(world: VnWorld) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [vn_check_copy], resources=world.resources(), raise_on_error=False,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "window", **NO_RETRY_WAIT}}}},
    )


def test_a_place_renamed_during_the_window_download_is_not_put_back_to_its_old_name(
    world: VnWorld,
) -> None:
    """The window's --full downloads the site's places; the source then renames P[1] while
    the sightings are downloaded. The window's own diff poll stores the new name in the
    check copy (places/diff), and production's live sync stores it in production. The merge
    must not put the download's older copy back over the poll's, nor the repair over
    production's: a place's item has no update_ts, but the download is older than the poll
    that follows it. Judged by the source's own answer for the place."""
    db, conn = places_in_step(world)
    later_second()
    renamed = _rename_after_the_places_download(world, P[1], "Lieu-dit renommé")
    result = _window(world)
    assert result.success, failure_text(result)
    assert renamed, "the download asked for no places list"
    key = (P[1], "tst1")
    # the window's own diff poll did ask for the renamed place (transfer_vn's Places.update)
    assert f"tst1 places/{P[1]}" in world.server.calls, world.server.calls
    check = table_rows(conn, CHECK, "places_json")[key][0]["name"]
    # production's live sync stores the renamed place, as its hourly --update does
    world.tool("live").update_now(db, PRODUCTION, {"places"})
    assert table_rows(conn, PRODUCTION, "places_json")[key][0]["name"] == "Lieu-dit renommé"
    repair = dg.materialize([vn_sync_repair], resources=world.resources(),
                            raise_on_error=False)
    assert repair.success, failure_text(repair)
    production = table_rows(conn, PRODUCTION, "places_json")[key][0]["name"]
    updated = metadata(repair)[f"vn_sync/{PRODUCTION}/places_json"]["updated"]
    assert (check, production) == ("Lieu-dit renommé", "Lieu-dit renommé"), (
        f"the source names the place 'Lieu-dit renommé'; after the window the check copy "
        f"says {check!r}, and after the repair ({updated} place(s) updated) production "
        f"says {production!r}")


def test_the_repair_does_not_put_back_an_older_place_over_the_live_syncs_newer_one(
    world: VnWorld,
) -> None:
    """The window is merged; the source then renames P[1], and production's live sync stores
    the new name before the repair runs (the repair run again after a refusal, the day
    after: raising max_delete_fraction is what the refusal tells the operator to do). The
    check copy still holds the name the window downloaded. A place has no update_ts, so the
    repair writes the check copy's over production's: production goes back to the old name,
    which its live sync will not fetch again (the diff's watermark is past the rename)."""
    db, conn = places_in_step(world)
    later_second()
    result = _window(world)
    assert result.success, failure_text(result)
    time.sleep(1.1)
    world.sites["tst1"].rename_place(P[1], "Lieu-dit renommé")
    world.tool("live").update_now(db, PRODUCTION, {"places"})
    key = (P[1], "tst1")
    assert table_rows(conn, PRODUCTION, "places_json")[key][0]["name"] == "Lieu-dit renommé"
    repair = dg.materialize([vn_sync_repair], resources=world.resources(),
                            raise_on_error=False)
    assert repair.success, failure_text(repair)
    production = table_rows(conn, PRODUCTION, "places_json")[key][0]["name"]
    updated = metadata(repair)[f"vn_sync/{PRODUCTION}/places_json"]["updated"]
    assert production == "Lieu-dit renommé", (
        f"the source and production's live sync name the place 'Lieu-dit renommé'; the "
        f"repair updated {updated} place(s) and production now says {production!r}")


def test_the_runbooks_own_repair_still_installed_is_named_to_the_operator(
    world: VnWorld,
) -> None:
    """The runbook installed src_vn_json_check.fct_fix_sync() (fix_synchro.sql, gn_vn2synthese
    addons/fix_synchro) and its weekly script transfer_vn_full_2w.sh ends with
    `CALL src_vn_json_check.fct_fix_sync(FALSE)`. Adopt mode takes the check copy that this
    very cron keeps (docs/visionature.md: "as transfer_vn_full_2w.sh does"), so left as it is
    the old     procedure goes on copying into production every check-copy row production lacks: the
    rows this repair keeps unconfirmed or outside the window included, with none of its
    guards, and its own 'insert'/'update' rows land in the runbook's monitoring table beside
    ours. Nothing in the run says so. (A stand-in with the runbook's signature: only its
    presence matters here.)"""
    site = world.sites["tst1"]
    site.add_sightings([1, 2, 3], days_ago(3), 1, P[0])
    world.copy()
    world.conn.execute(
        f"CREATE PROCEDURE {CHECK}.fct_fix_sync(IN _email boolean DEFAULT true) "
        "LANGUAGE plpgsql AS $$ BEGIN NULL; END $$")
    later_second()
    result = dg.materialize(
        [vn_check_copy, vn_sync_repair], resources=world.resources(), raise_on_error=False,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "window", **NO_RETRY_WAIT}}}},
    )
    assert result.success, failure_text(result)
    said = [str(e.message) for e in result.all_events if e.message] + [
        str(v) for m in metadata(result).values() for v in m.values()]
    assert any("fct_fix_sync" in line for line in said), (
        "the runbook's fct_fix_sync is still installed in the check copy's schema, and "
        "neither the run's log nor its metadata names it")


def test_a_form_edited_during_the_window_download_keeps_its_new_version(
    world: VnWorld,
) -> None:
    """As for places: form 9 (sightings 1-3) is answered by the window's search; the observer
    then edits the form's comment and a count of sighting 1 while the download goes on. The
    window's diff poll fetches sighting 1 again with its form (transfer_vn's _store_form
    overwrites the check copy's form 9 with the new comment); the merge must not put the
    download's older form back."""
    site = world.sites["tst1"]
    site.add_sightings([1, 2, 3], days_ago(3), 1, P[0], form=9)
    world.copy()
    db = PostgresResource(url=world.url)
    bookkeeping.prepare(db, [CHECK, PRODUCTION])
    later_second()
    server, done = world.server, []
    answer = server.answer

    def answering(method, path, query, body):
        status, text = answer(method, path, query, body)
        if not done and "/api/observations/search" in path and '"forms": [{' in text:
            time.sleep(1.1)
            world.conn.execute("UPDATE vn_site.forms SET item = item || "
                               "'{\"comment\": \"Mâle chanteur, revu à 9 h\"}' "
                               "WHERE site = 'tst1' AND id = 9")
            site.edit(1, count=4)
            done.append(path)
        return status, text

    server.answer = answering
    result = _window(world)
    assert result.success, failure_text(result)
    assert done, "no search answered form 9"
    form = table_rows(world.conn, CHECK, "forms_json")[(9, "tst1")][0]
    sighting = table_rows(world.conn, CHECK, "observations_json")[(1, "tst1")][0]
    assert sighting["observers"][0]["count"] == "4"  # the poll did store the edit
    assert form.get("comment") == "Mâle chanteur, revu à 9 h", form
