"""The real transfer_vn's error paths as the project drives it (found by a real-data trial),
against the fake site, with answers its `faults` table cannot model wrapped in the test: a
2xx answer without JSON, a poll failing midway, transient failures of the site and of the
database."""

import os
import time
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.alerts import alert_asset_health
from maint_assets.core.notify import SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.vn_fake_site import FakeSite
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import SUMMARY_MAILED, vn_sync_repair
from maint_assets.vn_sync.automation import CHECK_COPY_OP
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets_tests.commit_losing_proxy import CommitLosingProxy
from maint_assets_tests.ports import free_port
from maint_assets_tests.session_faults import session_ended_once
from maint_assets_tests.vn_sync.helpers import (
    LAYOUT,
    NO_RETRY_WAIT,
    VnWorld,
    daily,
    days_ago,
    failure_text,
    metadata,
    table_rows,
    weekly,
)

P = LAYOUT.place_ids()
OBSERVATIONS = f"vn_sync/{PRODUCTION}/observations_json"
# What PHP prints with display_errors on when a script dies before any output (memory or time
# limit): the answer is HTTP 200, and it holds no JSON bracket.
PHP_FATAL = (
    "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried to "
    "allocate 20480 bytes) in <b>/var/www/api/observations/diff.php</b> on line <b>42</b><br />\n"
)


def _answer(world: VnWorld, call: str, status: int, body: str) -> None:
    """The fake site answers ``call`` (e.g. ``observations/diff``) with ``status`` and
    ``body`` until the test ends (the server is the test's own)."""
    real = world.server.answer

    def answer(method: str, path: str, query: dict, data: bytes) -> tuple[int, str]:
        if path.rstrip("/").endswith(f"/api/{call}"):
            world.server.calls.append(f"(wrapped) {call}")
            return status, body
        return real(method, path, query, data)

    world.server.answer = answer  # type: ignore[method-assign]


def _unwrap(world: VnWorld) -> None:
    del world.server.answer


def _polled(world: VnWorld, n: int) -> FakeSite:
    """Sightings 1..n of this week in both copies, and a daily poll whose chain reaches back
    weeks, as in production (the test's clock is minutes): the weekly poll continues the chain
    instead of asking since the window's first day."""
    site = world.sites["tst1"]
    for i in range(1, n + 1):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy()
    time.sleep(1)
    first = daily(world.resources())
    assert first.success, failure_text(first)
    world.conn.execute("UPDATE maint_assets.vn_polls SET since = since - interval '20 days'")
    return site


@pytest.mark.parametrize(
    "body", [PHP_FATAL, "{}", '[{"id_sighting": "700", "modifica'],
    ids=["php-fatal-page", "empty-object", "cut-in-its-first-change"],
)
def test_a_diff_answered_without_json_fails_the_poll_instead_of_losing_the_changes(
    world: VnWorld, body: str
) -> None:
    """observations/diff answers HTTP 200 with no JSON in it (a PHP fatal error page, an
    answer cut before the first change's closing brace), or an empty object. Client-API-VN's
    _url_get finds no bracketed text and takes the answer as `{}` without logging anything;
    Observations.update iterates over it ("Received 0 updated and 0 deleted items") after
    moving the group's watermark. transfer_vn logs no ERROR, so
    the daily poll succeeds and is recorded in vn_polls: the next poll asks only since its
    start, and every change the source made between the two polls is lost for good. Here a
    sighting dated 40 days ago was entered (late) meanwhile, and production's live sync missed
    it: the weekly repair never inserts it, and its check passes."""
    site = _polled(world, 10)
    site.add_sightings([700], days_ago(40), 1, P[0], inserted=int(time.time()))
    time.sleep(1)
    _answer(world, "observations/diff", 200, body)
    garbled = daily(world.resources())
    _unwrap(world)
    assert "(wrapped) observations/diff" in world.server.calls
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    meta = metadata(result)[OBSERVATIONS]
    assert (700, "tst1") in table_rows(world.conn, CHECK, "observations_json"), (
        f"the source's late entry 700 never reached the check copy; the garbled daily poll "
        f"succeeded={garbled.success}; repair: {meta}")
    assert (700, "tst1") in table_rows(world.conn, PRODUCTION, "observations_json"), meta
    assert not garbled.success
    assert "observations/diff" in failure_text(garbled)


def test_a_diff_answered_without_json_never_makes_the_repair_delete_a_corrected_sighting(
    world: VnWorld,
) -> None:
    """The same silent loss, and a sighting production holds deleted from it: sighting 60 is
    entered (dated 2 days ago) and production's live sync stores it; its observer then corrects
    its date to 30 days ago, which the live sync misses. The check copy's daily poll gets the
    PHP error page for the diff and ends well, recorded: the check copy never holds 60. The
    weekly download no longer brings 60 (dated outside the window now), the window's poll asks
    only since the garbled poll: 60 is absent from both while production's version is inside
    the window, older than the download, so the repair deletes it as "absent" (1 row: under
    max_delete_fraction). A poll that fails instead leaves the next one to ask for it: the
    check copy then holds 60's correction and the repair writes it."""
    site = _polled(world, 40)
    site.add_sightings([60], days_ago(2), 1, P[0], inserted=int(time.time()))
    world.copy((PRODUCTION,), ids=[60])  # the live sync stored it
    time.sleep(1)
    site.edit(60, day=days_ago(30))  # which it then missed
    time.sleep(1)
    _answer(world, "observations/diff", 200, PHP_FATAL)
    daily(world.resources())
    _unwrap(world)
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    meta = metadata(result)[OBSERVATIONS]
    prod = table_rows(world.conn, PRODUCTION, "observations_json")
    assert (60, "tst1") in prod, f"deleted_absent={meta['deleted_absent']}"
    assert prod[(60, "tst1")][0]["date"] == site.item(60)["date"]


def test_a_poll_that_fails_midway_says_what_it_changed_in_the_check_copy(
    world: VnWorld,
) -> None:
    """transfer_vn's --update stores each taxo group's changes before it asks for the next
    group's: when group 2's diff fails, group 1's corrections and deletions are already in the
    check copy (the source's, rightly kept). The run's failure said "neither copy was changed",
    which sends an operator comparing the copies after a failed poll the wrong way."""
    site = world.sites["tst1"]
    site.add_sightings([1, 2], days_ago(3), 1, P[0])
    site.add_sightings([3], days_ago(3), 2, P[0])
    world.copy()
    time.sleep(1)
    site.edit(1, count=9)
    site.delete(2)
    real = world.server.answer

    def answer(method: str, path: str, query: dict, data: bytes) -> tuple[int, str]:
        if path.rstrip("/").endswith("/api/observations/diff") and query.get(
                "id_taxo_group") == ["2"]:
            return 500, '{"error": "group 2 failed"}'
        return real(method, path, query, data)

    world.server.answer = answer  # type: ignore[method-assign]
    before = table_rows(world.conn, CHECK, "observations_json")
    result = daily(world.resources())
    assert not result.success
    after = table_rows(world.conn, CHECK, "observations_json")
    assert after != before  # group 1's edit and deletion were stored
    assert (2, "tst1") not in after and after[(1, "tst1")][0]["observers"][0]["count"] == "9"
    text = failure_text(result)
    assert "neither copy was changed" not in text and "production was not changed" in text


def test_a_fetch_of_changed_sightings_that_fails_fails_the_poll_and_the_next_repairs(
    world: VnWorld,
) -> None:
    """The fetch of a group's changed sightings (GET observations?id_sightings_list) answers
    500 on every attempt, after the group's watermark moved. Client-API-VN 2.12's `except
    self._api_instance.HTTPError` raises AttributeError (the API object has no such
    attribute): not swallowed, the job crashes before its deletions, and the poll fails
    unrecorded. The next poll asks again from the last recorded start: nothing is lost."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy()
    time.sleep(1)
    assert daily(world.resources()).success
    world.conn.execute("UPDATE maint_assets.vn_polls SET since = since - interval '20 days'")
    site.add_sightings([700], days_ago(40), 1, P[0], inserted=int(time.time()))
    site.edit(4, count=9)
    site.delete(5)
    time.sleep(1)
    site.fault("fail", {"observations": 500})
    failed = daily(world.resources())
    assert not failed.success
    text = failure_text(failed)
    assert "status code: 500" in text and "has no attribute 'HTTPError'" in text, text
    # the deletion came after the failed fetch: not applied
    assert (5, "tst1") in table_rows(world.conn, CHECK, "observations_json")
    site.clear_faults()
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    check = table_rows(world.conn, CHECK, "observations_json")
    prod = table_rows(world.conn, PRODUCTION, "observations_json")
    assert (5, "tst1") not in check and (700, "tst1") in check and (700, "tst1") in prod
    assert prod[(4, "tst1")][0]["observers"][0]["count"] == "9"


class _Dropped(ConnectionAbortedError):
    """Raised in the fake site's handler: the server closes the connection unanswered."""


@pytest.mark.parametrize("fault", ["429-once", "connection-dropped-once", "database-cut-once"])
def test_one_transient_failure_does_not_cost_the_weeks_repair(
    world: VnWorld, fault: str
) -> None:
    """One request of the window download meets a transient failure: the site answers 429
    (Too Many Requests) once, or drops one connection unanswered, or the database ends
    transfer_vn's sessions once (a restart, a failover). Client-API-VN retries only 3xx/5xx
    answers; a 4xx is "Unreceverable", and a requests ConnectionError or a psycopg2
    OperationalError crashes the job. The project runs transfer_vn once: the weekly run fails
    and production waits a week for its repair, though the same download a minute later
    succeeds. DESIGN §6: transient failures (network...) are retried and never recorded as bad
    data."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy((CHECK,))
    world.copy((PRODUCTION,), ids=list(range(1, 10)))  # production missed sighting 10
    if fault == "429-once":
        site.fault("fail_once", {"observations/search": 429})
    else:
        real, spent = world.server.answer, []

        def answer(method: str, path: str, query: dict, data: bytes) -> tuple[int, str]:
            if path.rstrip("/").endswith("/api/observations/search") and not spent:
                spent.append(path)
                if fault == "connection-dropped-once":
                    raise _Dropped("dropped by the test")
                with psycopg.connect(world.url, autocommit=True) as conn:
                    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE application_name = 'transfer_vn'")
            return real(method, path, query, data)

        world.server.answer = answer  # type: ignore[method-assign]
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    assert (10, "tst1") in table_rows(world.conn, PRODUCTION, "observations_json")


def test_a_window_merge_whose_connection_the_server_ends_is_run_again(world: VnWorld) -> None:
    """The database ends the window merge's session (a restart, a failover) while it
    records the window: the transaction rolls back, and psycopg's OperationalError fails the
    step as it is. No 'failed' row in maint_assets.vn_monitoring (only transfer_vn's errors
    and refusals were recorded), no retry: production waited a week for its repair, though a
    new download merged again is as safe as the first."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy((CHECK,))
    world.copy((PRODUCTION,), ids=list(range(1, 10)))  # production missed sighting 10
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    with session_ended_once(world.url, "vn_monitoring", "NEW.action = 'window_download'") as ended:
        result = weekly(world.resources())
    assert ended
    assert result.success, failure_text(result)
    assert (10, "tst1") in table_rows(world.conn, PRODUCTION, "observations_json")


def test_a_poll_whose_bookkeeping_session_the_server_ends_is_run_again(
    world: VnWorld,
) -> None:
    """The database ends our session as the daily poll records itself (vn_polls), after
    transfer_vn ran: a lost session anywhere in the step is transient, not only in the merge
    (review s32b M3). The step runs again and the poll is recorded once."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy()
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    with session_ended_once(world.url, "vn_polls", "true") as ended:
        result = daily(world.resources())
    assert ended
    assert result.success, failure_text(result)
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    polls = world.conn.execute(
        "SELECT count(*) FROM maint_assets.vn_polls WHERE run_id = %s", [result.run_id]
    ).fetchone()[0]
    assert polls == 1


def _production_missed_one(world: VnWorld) -> dict[str, object]:
    """Sightings 1-10 in the check copy, production missed 10; resources whose steps run
    again at once after a lost session."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy((CHECK,))
    world.copy((PRODUCTION,), ids=list(range(1, 10)))
    bookkeeping.prepare(PostgresResource(url=world.url), [CHECK, PRODUCTION])
    return {**world.resources(),
            "vn_db": PostgresResource(url=world.url, lock_timeout_s=5, connection_retry_wait_s=0)}


def _repairs(world: VnWorld, run_id: str) -> int:
    return world.conn.execute(
        "SELECT count(*) FROM maint_assets.vn_monitoring WHERE run_id = %s AND action = 'repair'",
        [run_id],
    ).fetchone()[0]


def test_a_repair_whose_session_the_server_ends_is_run_again(world: VnWorld) -> None:
    """The database ends the repair's session (a restart, a failover) as it records what it
    did: its one transaction rolls back. The step failed as it was and production waited a
    week; it is now run again, and repairs once."""
    res = _production_missed_one(world)
    with session_ended_once(world.url, "vn_monitoring", "NEW.action = 'repair'") as ended:
        result = weekly(res)
    assert ended
    assert result.success, failure_text(result)
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    assert (10, "tst1") in table_rows(world.conn, PRODUCTION, "observations_json")
    assert _repairs(world, result.run_id) == 1


def test_a_repair_whose_commit_landed_unanswered_is_not_made_twice(
    world: VnWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session is lost after the server committed the repair, before its answer came
    back: the step cannot tell whether it committed. Run again, it finds the repair this run
    recorded and fails saying so, rather than repairing again and reporting 0 changes as the
    week's repair."""
    res = _production_missed_one(world)
    window = dg.materialize(
        [vn_check_copy], resources=res, raise_on_error=False,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "window", **NO_RETRY_WAIT}}}},
    )
    assert window.success, failure_text(window)
    with CommitLosingProxy(world.url) as proxy:
        lines = Path(os.environ["PGPASSFILE"]).read_text().strip().splitlines()
        passfile = tmp_path / "pgpass"  # the same password at the proxy's port
        passfile.write_text("\n".join(
            [*lines, ":".join(["127.0.0.1", str(proxy.port), *lines[0].split(":")[2:]])]
        ) + "\n")
        passfile.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(passfile))
        result = dg.materialize([vn_sync_repair], raise_on_error=False, resources={
            **res, "vn_db": PostgresResource(url=proxy.url, lock_timeout_s=5,
                                             connection_retry_wait_s=0)})
    assert proxy.lost.is_set()
    assert not result.success
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    assert "committed by an earlier attempt of this run" in failure_text(result)
    assert (10, "tst1") in table_rows(world.conn, PRODUCTION, "observations_json")
    assert _repairs(world, result.run_id) == 1


def test_a_summary_the_relay_refused_is_a_failed_check_mailed_once_it_is_back(
    world: VnWorld, smtp_server
) -> None:
    """The repair commits, then its summary (the runbook's e-mail) cannot be sent: the run
    succeeded and nothing told anyone (trial s34, F2). A failed non-blocking check now says
    so, which alert_asset_health mails, with the summary's line, once the relay answers."""
    res = _production_missed_one(world)
    down = SmtpNotifier(host="127.0.0.1", port=free_port(), recipients="ops@example.org",
                        attempts=1)
    up = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")
    instance = dg.DagsterInstance.ephemeral()
    first = dg.build_sensor_context(instance=instance, resources={"notifier": up})
    alert_asset_health(first)  # the sensor starts: history is not news
    result = weekly({**res, "notifier": down}, instance=instance)
    assert result.success, failure_text(result)
    (mailed,) = [e for e in result.get_asset_check_evaluations()
                 if e.check_name == SUMMARY_MAILED.name]
    assert not mailed.passed and "VisioNature repair: 13 inserted" in mailed.description
    smtp_server.messages.clear()
    alert_asset_health(dg.build_sensor_context(
        instance=instance, cursor=first.cursor, resources={"notifier": up}))
    (_, _, message), = smtp_server.messages
    assert "summary_mailed" in message.get_content() and "13 inserted" in message.get_content()
