"""The diff's deletions of rows the check copy never held (transfer_vn_jobs.py's
MAINT_VN_REPORTED_DELETIONS file, recorded by vn_sync/polls.py), with the real
transfer_vn of Client-API-VN 2.12 against the fake VisioNature site. (From a trial of
session 33: F1 a poll recorded without them, F2 one the same poll served again, F3 one
recorded again by a later poll; the other tests record what held.)"""

import json
import time
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import vn_sync_repair
from maint_assets.vn_sync.automation import CHECK_COPY_OP
from maint_assets.vn_sync.client_api_vn import ClientApiVn
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
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

P = LAYOUT.place_ids()
OBSERVATIONS = f"vn_sync/{PRODUCTION}/observations_json"
PLACES = f"vn_sync/{PRODUCTION}/places_json"
NEW_PLACE = 10104
LATE = 901  # a sighting the live sync stored and the source deleted before the check's poll


def _in_step(world: VnWorld, n: int = 40, poll: bool = True) -> psycopg.Connection:
    """Sightings 1..n of this week in both copies, the capture installed, transfer_vn's
    watermarks weeks back, and (``poll``) a daily poll whose chain reaches back before any
    window (as after weeks of daily polls)."""
    site = world.sites["tst1"]
    for i in range(1, n + 1):
        site.add_sightings([i], days_ago(3 + i % 6), 1, P[0])
    world.copy()
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    conn = world.conn
    conn.execute(f"UPDATE {CHECK}.increment_log SET last_ts = localtimestamp - interval '20 days'")
    if poll:
        result = daily(world.resources())
        assert result.success, failure_text(result)
        time.sleep(1)
    return conn


def _live_sync_only(world: VnWorld) -> None:
    """A sighting and a place the live sync stored in production; the source deletes both
    before the check copy's poll sees them, so the check copy never holds them."""
    site = world.sites["tst1"]
    site.add_place(NEW_PLACE)
    site.add_sightings([LATE], days_ago(3), 1, P[0])
    world.copy((PRODUCTION,), ids=[LATE])
    world.conn.execute(
        f"INSERT INTO {PRODUCTION}.places_json (id, site, item) "
        f"SELECT %s, site, jsonb_set(jsonb_set(item, '{{id}}', to_jsonb(%s::text)), "
        "'{name}', '\"new\"') "
        f"FROM {PRODUCTION}.places_json WHERE site = 'tst1' AND id = %s",
        [NEW_PLACE, str(NEW_PLACE), P[0] + 1])
    time.sleep(1)
    site.delete(LATE)
    site.delete_place(NEW_PLACE)


def _signals(conn: psycopg.Connection, table: str, item: int) -> list[tuple]:
    return conn.execute(
        "SELECT schema_name, application_name, update_ts IS NULL FROM maint_assets.vn_deletions "
        "WHERE table_name = %s AND site = 'tst1' AND item_id = %s ORDER BY id", [table, item]
    ).fetchall()


def test_daily_poll_records_unheld_deletions_once_without_secrets_and_repair_applies_them(
    world: VnWorld,
) -> None:
    """The daily poll's diff reports 901 and place 10104 deleted; the check copy never held
    them; each is recorded once as transfer_vn's, and the weekly repair deletes both.
    Sighting 5, which the check copy held, is recorded once, by the capture. The file holds
    table, site, id and time; no password or API query is anywhere. A later poll whose diff
    reaches back before them (polls that overlap, a window's poll rewound to ``needed``)
    reports them again and records nothing again (F3: before, each got a second claim, 5 one
    from the file as its delete then removed nothing, and the counts and the log counted
    them again)."""
    conn = _in_step(world)
    _live_sync_only(world)
    world.sites["tst1"].delete(5)
    assert (NEW_PLACE, "tst1") not in table_rows(conn, CHECK, "places_json")
    result = daily(world.resources())
    assert result.success, failure_text(result)
    signals = {
        (table, item): _signals(conn, table, item)
        for table, item in (("observations_json", LATE), ("places_json", NEW_PLACE),
                            ("observations_json", 5))
    }
    assert signals == {
        ("observations_json", LATE): [(CHECK, "transfer_vn", True)],
        ("places_json", NEW_PLACE): [(CHECK, "transfer_vn", True)],
        ("observations_json", 5): [(CHECK, "transfer_vn", False)],
    }
    reported = Path(world.tmp_path, "work", "update", "reported_deletions.jsonl")
    rows = [json.loads(line) for line in reported.read_text().splitlines()]
    assert {tuple(sorted(r)) for r in rows} == {("at", "id", "site", "table")}
    texts = [p.read_text(errors="replace") for p in Path(world.tmp_path, "work").rglob("*")
             if p.is_file() and p.suffix in (".log", ".jsonl", "") and p.name != "jobs.sqlite"]
    texts += [str(e) for e in result.all_events]
    texts += [json.dumps(metadata(result), default=str)]
    for secret in ("site-password-1", "demo-secret", "demo-key", "user_pw=s", "user_email="):
        assert not any(secret in t for t in texts), secret
    # the next poll asks from where the last one started: here, as far back as the first
    conn.execute("UPDATE maint_assets.vn_polls SET started = started - interval '20 days'")
    time.sleep(1)
    again = daily(world.resources())
    assert again.success, failure_text(again)
    assert {key: _signals(conn, *key) for key in signals} == signals
    week = weekly(world.resources())
    assert week.success, failure_text(week)
    assert (LATE, "tst1") not in table_rows(conn, PRODUCTION, "observations_json")
    assert (NEW_PLACE, "tst1") not in table_rows(conn, PRODUCTION, "places_json")
    assert (5, "tst1") not in table_rows(conn, PRODUCTION, "observations_json")
    assert metadata(week)[OBSERVATIONS]["deleted_on_signal"] == 2


def test_a_failed_poll_s_reported_deletions_are_asked_again_by_the_next(world: VnWorld) -> None:
    """Q3: the observations job deletes (reports) 901, then the places diff fails: the poll
    fails and records nothing; the next poll rewinds to the last recorded one and the diff
    reports 901 again."""
    conn = _in_step(world)
    _live_sync_only(world)
    world.sites["tst1"].fault("fail", {"places/diff": 400})
    failed = daily(world.resources())
    assert not failed.success
    reported = Path(world.tmp_path, "work", "update", "reported_deletions.jsonl")
    assert [json.loads(line)["id"] for line in reported.read_text().splitlines()] == [LATE]
    assert _signals(conn, "observations_json", LATE) == []
    world.sites["tst1"].clear_faults()
    again = daily(world.resources())
    assert again.success, failure_text(again)
    assert _signals(conn, "observations_json", LATE) == [(CHECK, "transfer_vn", True)]


def test_a_session_lost_recording_reported_deletions_records_neither_them_nor_the_poll(
    world: VnWorld,
) -> None:
    """Q3 (F1): the session is ended while it records the deletions the diff reported. It
    recorded them and the poll in one transaction, so neither is recorded: the step runs
    again (a transient failure), its poll asks again from the last recorded one, and 901 is
    recorded and deleted from production. (Before the fix the poll was committed first, the
    retry asked only for later changes, and production kept 901 for good.)"""
    conn = _in_step(world)
    _live_sync_only(world)
    # once (a sequence is not rolled back with the cut transaction), the project's session
    # recording a reported deletion is ended as by a restart
    conn.execute("""
        CREATE SEQUENCE public.cut_once;
        CREATE FUNCTION public.cut_reported() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.update_ts IS NULL AND current_setting('application_name') = 'maint_assets'
             AND nextval('public.cut_once') = 1 THEN
            PERFORM pg_terminate_backend(pg_backend_pid());
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER cut BEFORE INSERT ON maint_assets.vn_deletions
        FOR EACH ROW EXECUTE FUNCTION public.cut_reported();
    """)
    result = daily(world.resources())
    assert result.success, failure_text(result)  # run again after the cut, and succeeded
    assert conn.execute(  # it was cut, recorded as a transient failure, and run again
        "SELECT count(*) FROM maint_assets.vn_monitoring WHERE run_id = %s AND action = "
        "'failed' AND detail LIKE %s", [result.run_id, "transient%terminating connection%"]
    ).fetchone()[0] == 1
    week = weekly(world.resources())
    assert week.success, failure_text(week)
    assert _signals(conn, "observations_json", LATE) != []
    assert (LATE, "tst1") not in table_rows(conn, PRODUCTION, "observations_json")


def test_a_deletion_after_the_window_download_brought_the_row(
    world: VnWorld, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Q2: 901 entered at the source and stored by the live sync after the last daily poll;
    the window download brings it; the source deletes it before the window's own poll, whose
    diff reports it deleted (the check copy never held it). The merge keeps it out of the
    check copy and the repair deletes it from production."""
    conn = _in_step(world)
    site = world.sites["tst1"]
    site.add_sightings([LATE], days_ago(3), 1, P[0])
    world.copy((PRODUCTION,), ids=[LATE])
    run = ClientApiVn.run

    def deleting_after_download(self, action, path, config, cwd=".", env=None):
        done = run(self, action, path, config, cwd, env)
        if action == "full":
            time.sleep(1)
            site.delete(LATE)
        return done

    monkeypatch.setattr(ClientApiVn, "run", deleting_after_download)
    week = weekly(world.resources())
    assert week.success, failure_text(week)
    assert (LATE, "tst1") in table_rows(conn, "src_vn_json_check_window", "observations_json")
    assert (LATE, "tst1") not in table_rows(conn, CHECK, "observations_json")
    assert (LATE, "tst1") not in table_rows(conn, PRODUCTION, "observations_json")


def test_a_restored_sighting_refutes_its_reported_deletion(world: VnWorld) -> None:
    """Q2: 901's deletion is reported (unheld) and recorded; the source then restores it and
    the next poll stores it in the check copy: vn_served refutes the signal and production
    keeps 901."""
    conn = _in_step(world)
    _live_sync_only(world)
    assert daily(world.resources()).success
    assert _signals(conn, "observations_json", LATE) == [(CHECK, "transfer_vn", True)]
    time.sleep(1)
    conn.execute("UPDATE vn_site.sightings SET deleted = false, modified_at = clock_timestamp() "
                 "WHERE site = 'tst1' AND id = %s", [LATE])
    assert daily(world.resources()).success
    assert (LATE, "tst1") in table_rows(conn, CHECK, "observations_json")
    week = weekly(world.resources())
    assert week.success, failure_text(week)
    assert (LATE, "tst1") in table_rows(conn, PRODUCTION, "observations_json")


@pytest.mark.parametrize("held", [True, False], ids=["held", "never_held"])
def test_a_reported_deletion_the_same_poll_then_served_again_is_refuted(
    world: VnWorld, monkeypatch: pytest.MonkeyPatch, held: bool,
) -> None:
    """Q2 (F2): within one poll, the diff of taxo group 1 reports 901 deleted and the diff of
    group 2 reports it updated (a sighting re-identified into another group during the weekly
    download, if the site reports it so in its old group's diff: an assumption, the fake site
    cannot say). transfer_vn deletes it (removing nothing: the check copy never held it), then
    stores it. For a row the check copy held, the capture records the deletion at once and
    the served capture then refutes it (vn_served). A reported deletion is recorded only after
    the poll, which vn_served cannot see: it is not recorded when the check copy holds the row
    after the poll, so both copies keep 901. (Before the fix, never_held: the merge deleted
    901 from the check copy and the repair from production, though VisioNature serves it.)"""
    conn = _in_step(world)
    site = world.sites["tst1"]
    site.add_sightings([LATE], days_ago(3), 1, P[0])
    world.copy((PRODUCTION, CHECK) if held else (PRODUCTION,), ids=[LATE])
    run = ClientApiVn.run
    moved = []

    def moving_after_download(self, action, path, config, cwd=".", env=None):
        done = run(self, action, path, config, cwd, env)
        if action == "full":
            time.sleep(1)
            site.edit(LATE, taxo_group=2)
            moved.append(True)
        return done

    answer = world.server.answer

    def old_group_reports_it_deleted(method, path, query, body):
        status, text = answer(method, path, query, body)
        if moved and path.endswith("observations/diff/") and query["id_taxo_group"] == ["1"]:
            text = json.dumps([*json.loads(text), {
                "id_sighting": str(LATE), "id_universal": f"30_{LATE}",
                "modification_type": "deleted"}])
        return status, text

    monkeypatch.setattr(ClientApiVn, "run", moving_after_download)
    monkeypatch.setattr(world.server, "answer", old_group_reports_it_deleted)
    week = weekly(world.resources())
    assert week.success, failure_text(week)
    assert (LATE, "tst1") in table_rows(conn, CHECK, "observations_json")
    assert (LATE, "tst1") in table_rows(conn, PRODUCTION, "observations_json")


def test_an_adopted_window_applies_the_reported_deletions_of_our_daily_poll(
    world: VnWorld,
) -> None:
    """Q1, adopted window: the claims our daily poll recorded are applied (weighed, within
    max_delete_fraction: 1 place of the site's 13 is over 5 %, as designed, so 20 % here)
    after the operator's --full is adopted."""
    conn = _in_step(world)
    _live_sync_only(world)
    assert daily(world.resources()).success
    later_second()
    db = PostgresResource(url=world.url)
    tool = world.tool("operator")
    with tool.generated_config(db, CHECK, start_date=days_ago(14)) as (path, config):
        tool.run("full", path, config)  # the operator's cron, not maint_assets
    result = dg.materialize(
        [vn_check_copy, vn_sync_repair], resources=world.resources(), raise_on_error=False,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "adopt"}},
                            "vn_sync_repair": {"config": {"max_delete_fraction": 0.2}}}})
    assert result.success, failure_text(result)
    assert (LATE, "tst1") not in table_rows(conn, PRODUCTION, "observations_json")
    assert (NEW_PLACE, "tst1") not in table_rows(conn, PRODUCTION, "places_json")


def test_an_operators_prune_does_not_hide_the_source_s_reported_deletion(
    world: VnWorld,
) -> None:
    """Review s33: an operator prunes sighting 7 from the check copy by hand (psql: a claim
    the repair weighs); the source then deletes 7 and the next poll's diff reports it, its
    delete removing nothing. The source's word is recorded as transfer_vn's, beside the
    operator's claim: the dedupe is for transfer_vn's own record of this deletion (the
    capture's, or an earlier poll's), not for any claim."""
    conn = _in_step(world)
    with psycopg.connect(world.url, autocommit=True, application_name="psql") as psql:
        psql.execute(f"DELETE FROM {CHECK}.observations_json WHERE site = 'tst1' AND id = 7")
    time.sleep(1)
    world.sites["tst1"].delete(7)
    result = daily(world.resources())
    assert result.success, failure_text(result)
    assert _signals(conn, "observations_json", 7) == [
        (CHECK, "psql", False), (CHECK, "transfer_vn", True)]


def test_the_first_poll_of_all_failing_leaves_its_changes_to_the_next(world: VnWorld) -> None:
    """Review s33: with no poll recorded, the next poll has nothing to rewind to and asks from
    transfer_vn's watermarks, which the failed poll moved for the groups it asked: the
    deletion of 901 it reported (and any change until then) was never asked for again. The
    failed first poll puts the watermarks back."""
    conn = _in_step(world, poll=False)
    site = world.sites["tst1"]
    _live_sync_only(world)
    site.fault("fail", {"places/diff": 400})
    assert not daily(world.resources()).success
    assert conn.execute("SELECT count(*) FROM maint_assets.vn_polls").fetchone()[0] == 0
    site.clear_faults()
    again = daily(world.resources())
    assert again.success, failure_text(again)
    assert _signals(conn, "observations_json", LATE) == [(CHECK, "transfer_vn", True)]
