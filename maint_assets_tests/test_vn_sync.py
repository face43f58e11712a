"""The VisioNature check copy and repair against the session's PostgreSQL, whose tables were
created by Client-API-VN's own transfer_vn; only the download reads the offline stand-in."""

import sqlite3
import time
from collections import Counter
from datetime import date
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.notify import SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import download, repair, tool_config
from maint_assets.vn_sync.client_api_vn import ClientApiVn, TransferVnError
from maint_assets.vn_sync.demo_data import DEMO_TRANSFER_VN_CONFIG, SOURCE, create_source
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets_tests.vn_helpers import (
    day,
    failure_text,
    form,
    insert_items,
    insert_observations,
    metadata,
    observation,
    place,
    resources,
    snapshot,
    table_rows,
    track_writes,
    weekly,
)

T = day(3) + 7200  # an update time three days back


def _scenario(conn: psycopg.Connection) -> None:
    """The source (VisioNature), production and the check copy, one case per id."""
    create_source(conn)
    # Unchanged sightings of the window; the first forty belong to forms 200-239.
    filler = [
        observation(i, "tst1", 2, T, form=f"tst1_{i + 100}" if i < 140 else None)
        for i in range(100, 160)
    ]
    both = [
        *filler,
        observation(6, "tst1", 3, T),
        observation(7, "tst1", 3, T),
        observation(20, "tst1", 3, T, form="tst1_50"),
        observation(21, "tst1", 3, T, form="tst1_50"),
    ]
    source = [
        *both,
        observation(1, "tst1", 3, T),  # missing in production
        observation(2, "tst1", 3, T + 200, count="5"),  # stale in production
        observation(3, "tst1", 3, T + 150, count="3"),  # same update_ts, other item
        observation(4, "tst1", 3, T + 100, count="1"),  # production is newer
        observation(6, "tst2", 3, T),  # same id on the other site, missing there
    ]
    production = [
        *both,
        observation(2, "tst1", 3, T + 100, count="1"),
        observation(3, "tst1", 3, T + 150, count="2"),
        observation(4, "tst1", 3, T + 200, count="9"),
        observation(5, "tst1", 3, T + 100),  # deleted at the source
        observation(7, "tst2", 3, T),  # deleted at the source on tst2 only
        observation(22, "tst1", 3, T, form="tst1_51"),  # deleted at the source, with its form
        observation(8, "tst1", 40, day(40) + 7200, place=4),  # deleted, but before the window
        observation(9, "tst1", 1, int(time.time()) + 3600, form="tst1_52"),  # after the download
    ]
    insert_observations(conn, SOURCE, source)
    insert_observations(conn, PRODUCTION, production)
    # The check copy starts as production, except that the live sync got id 4's newer version.
    insert_observations(conn, CHECK, [r for r in production if r[:2] != (4, "tst1")] + [source[-2]])
    forms = [(i, "tst1", form(i, "tst1", 2)) for i in (50, *range(200, 240))]
    insert_items(conn, SOURCE, "forms_json", forms)
    insert_items(
        conn,
        PRODUCTION,
        "forms_json",
        [*forms, (51, "tst1", form(51, "tst1", 3)), (52, "tst1", form(52, "tst1", 1))],
    )
    places = [(i, "tst1", place(i)) for i in (1, *range(100, 140))]
    insert_items(
        conn,
        SOURCE,
        "places_json",
        [*places, (2, "tst1", place(2)), (5, "tst1", place(5, "Renamed"))],
    )
    insert_items(
        conn,
        PRODUCTION,
        "places_json",
        [*places, (3, "tst1", place(3)), (4, "tst1", place(4)), (5, "tst1", place(5))],
    )
    for table in ("forms_json", "places_json"):
        conn.execute(f"INSERT INTO {CHECK}.{table} SELECT * FROM {PRODUCTION}.{table}")


@pytest.fixture
def scenario(vn_url: str) -> str:
    with psycopg.connect(vn_url, autocommit=True) as conn:
        _scenario(conn)
        track_writes(conn)
    return vn_url


def _fired(conn: psycopg.Connection) -> Counter:
    return Counter(
        (t, op, i, s) for t, op, i, s in conn.execute("SELECT * FROM public.fired").fetchall()
    )


def test_repair_inserts_updates_deletes_and_touches_nothing_else(
    scenario: str, tmp_path: Path
) -> None:
    result = weekly(resources(scenario, tmp_path))
    assert result.success
    with psycopg.connect(scenario) as conn:
        prod = table_rows(conn, PRODUCTION, "observations_json")
        source = table_rows(conn, SOURCE, "observations_json")
        fired = _fired(conn)
        monitoring = conn.execute(
            "SELECT table_name, action, count FROM dbadmin.monitoring_vn_check_to_prod "
            "WHERE run_id = %s",
            [result.run_id],
        ).fetchall()
        forms = table_rows(conn, PRODUCTION, "forms_json")
        places = table_rows(conn, PRODUCTION, "places_json")
    for key in [(1, "tst1"), (2, "tst1"), (3, "tst1"), (6, "tst2")]:
        assert prod[key] == source[key], key
    assert prod[(4, "tst1")][1] == T + 200  # newer in production: kept
    assert prod[(4, "tst1")][0]["observers"][0]["count"] == "9"
    for gone in [(5, "tst1"), (7, "tst2"), (22, "tst1")]:
        assert gone not in prod
    for kept in [(7, "tst1"), (8, "tst1"), (9, "tst1"), (6, "tst1")]:
        assert kept in prod
    assert (51, "tst1") not in forms and (52, "tst1") in forms and (50, "tst1") in forms
    assert (2, "tst1") in places and (3, "tst1") not in places and (4, "tst1") in places
    assert places[(5, "tst1")][0]["name"] == "Renamed"
    # Row triggers fired for exactly the rows that needed a change, once each.
    assert fired == Counter(
        {
            ("observations_json", "INSERT", 1, "tst1"): 1,
            ("observations_json", "INSERT", 6, "tst2"): 1,
            ("observations_json", "UPDATE", 2, "tst1"): 1,
            ("observations_json", "UPDATE", 3, "tst1"): 1,
            ("observations_json", "DELETE", 5, "tst1"): 1,
            ("observations_json", "DELETE", 7, "tst2"): 1,
            ("observations_json", "DELETE", 22, "tst1"): 1,
            ("forms_json", "DELETE", 51, "tst1"): 1,
            ("places_json", "INSERT", 2, "tst1"): 1,
            ("places_json", "UPDATE", 5, "tst1"): 1,
            ("places_json", "DELETE", 3, "tst1"): 1,
        }
    )
    assert sorted(monitoring) == sorted(
        (f"{PRODUCTION}.{table}", action, count)
        for table, counts in {
            "observations_json": (2, 2, 3),
            "forms_json": (0, 0, 1),
            "places_json": (1, 1, 1),
        }.items()
        for action, count in zip(("insert", "update", "delete"), counts, strict=True)
    )
    meta = metadata(result)[f"vn/{PRODUCTION}/observations_json"]
    assert (meta["inserted"], meta["updated"], meta["deleted"], meta["kept_newer"]) == (2, 2, 3, 1)
    assert meta["email"] == "not configured"
    # The check copy's window now matches the source; the second run changes nothing.
    with psycopg.connect(scenario, autocommit=True) as conn:
        conn.execute("TRUNCATE public.fired")
    again = weekly(resources(scenario, tmp_path))
    assert again.success
    with psycopg.connect(scenario) as conn:
        assert _fired(conn) == Counter()


def test_deletions_over_the_limit_change_nothing(scenario: str, tmp_path: Path) -> None:
    with psycopg.connect(scenario, autocommit=True) as conn:
        # The source lost ten more sightings of the window; check copy and production have them.
        conn.execute(f"DELETE FROM {SOURCE}.observations_json WHERE id BETWEEN 100 AND 109")
        conn.execute("TRUNCATE public.fired")
        before = snapshot(conn)
    result = weekly(resources(scenario, tmp_path))
    assert not result.success
    message = failure_text(result)
    assert f"from {CHECK}.observations_json exceed the limit of 5.0%" in message
    with psycopg.connect(scenario) as conn:
        assert snapshot(conn) == before
        assert _fired(conn) == Counter()
        assert (
            conn.execute("SELECT count(*) FROM dbadmin.monitoring_vn_check_to_prod").fetchone()[0]
            == 0
        )
    # A repair alone is refused too: production would lose more than 5 % of its window.
    with psycopg.connect(scenario, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {CHECK}.observations_json WHERE id BETWEEN 100 AND 109")
        conn.execute(
            "INSERT INTO maint_assets.vn_check_windows (check_schema, window_start, "
            "deletions_from, download_started, type_date, tables, run_id) VALUES "
            "(%s, current_date - 14, %s, %s, 'sighting', %s, 'manual')",
            [CHECK, day(13), int(time.time()), ["observations_json"]],
        )
        before = snapshot(conn)

    alone = dg.materialize(
        [repair.vn_sync_repair], resources=resources(scenario, tmp_path), raise_on_error=False
    )
    assert not alone.success
    message = failure_text(alone)
    assert f"from {PRODUCTION}.observations_json exceed the limit" in message
    with psycopg.connect(scenario) as conn:
        assert snapshot(conn) == before


@pytest.mark.parametrize(
    ("failure", "message"),
    [("crash", "The job Observations_tst1 crashed"), ("empty", "stored no observation")],
)
def test_a_failed_or_empty_download_repairs_nothing(
    scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, message: str
) -> None:
    monkeypatch.setenv("VN_STAND_IN_FAIL", failure)
    with psycopg.connect(scenario) as conn:
        before = snapshot(conn)
    result = weekly(resources(scenario, tmp_path))
    assert not result.success
    error = failure_text(result)
    assert message in error
    assert [e.step_key for e in result.get_step_failure_events()] == ["vn_check_download"]
    assert not result.get_asset_materialization_events()  # the repair never ran
    with psycopg.connect(scenario) as conn:
        assert snapshot(conn) == before
        assert _fired(conn) == Counter()
        assert conn.execute("SELECT count(*) FROM maint_assets.vn_check_windows").fetchone()[0] == 0
    # --full cleared transfer_vn's schedule; it was written again for the daily update.
    with sqlite3.connect(tmp_path / "jobs.sqlite") as jobs:
        assert jobs.execute("SELECT count(*) FROM apscheduler_jobs").fetchone()[0] == 11


def test_malformed_items_fail_by_default_and_are_skipped_when_allowed(
    scenario: str, tmp_path: Path
) -> None:
    with psycopg.connect(scenario, autocommit=True) as conn:
        conn.execute(
            f"UPDATE {SOURCE}.observations_json SET item = item - 'observers', update_ts = %s "
            "WHERE id = 2",
            [T + 300],
        )
        before = snapshot(conn)
    result = weekly(resources(scenario, tmp_path))
    assert not result.success
    error = failure_text(result)
    assert "1 malformed item(s) (id, site): (2, tst1)" in error
    with psycopg.connect(scenario) as conn:
        assert snapshot(conn) == before
    skipped = weekly(
        resources(scenario, tmp_path),
        download_config={"skip_malformed": True},
        repair_config={"skip_malformed": True},
    )
    assert skipped.success
    with psycopg.connect(scenario) as conn:
        prod = table_rows(conn, PRODUCTION, "observations_json")
    assert prod[(2, "tst1")][1] == T + 100  # the malformed version was not applied
    assert (1, "tst1") in prod and (5, "tst1") not in prod  # the rest was


def test_a_missing_check_table_is_named(scenario: str, tmp_path: Path) -> None:
    with psycopg.connect(scenario, autocommit=True) as conn:
        conn.execute(f"DROP TABLE {CHECK}.forms_json")
        before = snapshot_without_forms(conn)
    result = weekly(resources(scenario, tmp_path))
    assert not result.success
    error = failure_text(result)
    assert f"{CHECK}.forms_json" in error
    with psycopg.connect(scenario) as conn:
        assert snapshot_without_forms(conn) == before


def snapshot_without_forms(conn: psycopg.Connection) -> dict:
    return {t: table_rows(conn, PRODUCTION, t) for t in ("observations_json", "places_json")}


def test_summary_mail_reaches_a_real_smtp_server(
    scenario: str, tmp_path: Path, smtp_server
) -> None:
    smtp_server.messages.clear()
    notifier = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="vn@example.org")
    result = weekly(resources(scenario, tmp_path, notifier))
    assert result.success
    assert len(smtp_server.messages) == 1
    sender, recipients, message = smtp_server.messages[0]
    content = message.get_content()
    assert sender == "maint-assets@localhost"
    assert recipients == ["vn@example.org"]
    assert message["Subject"].endswith("VisioNature repair: 3 inserted, 3 updated, 5 deleted")
    assert f"{PRODUCTION}.observations_json: 2 inserted, 2 updated, 3 deleted" in content
    assert metadata(result)[f"vn/{PRODUCTION}/forms_json"]["email"] == "sent to vn@example.org"


def test_daily_update_brings_newer_rows_into_the_check_copy(scenario: str, tmp_path: Path) -> None:

    res = resources(scenario, tmp_path)
    with psycopg.connect(scenario, autocommit=True) as conn:
        conn.execute(
            f"UPDATE {SOURCE}.observations_json SET update_ts = %s WHERE id = 6", [int(time.time())]
        )
    result = dg.materialize(
        [download.vn_check_download],
        resources=res,
        run_config={"ops": {"vn_check_download": {"config": {"mode": "update"}}}},
    )
    assert result.success
    with psycopg.connect(scenario) as conn:
        check = table_rows(conn, CHECK, "observations_json")
        prod = table_rows(conn, PRODUCTION, "observations_json")
    assert check[(6, "tst2")][1] > T and (6, "tst2") not in prod  # production untouched
    assert (tmp_path / "jobs.sqlite").exists()  # the schedule was created first


def test_generated_config_is_derived_and_validated_by_client_api_vn(
    vn_url: str, tmp_path: Path
) -> None:

    user_file = tmp_path / "user.yaml"
    user_file.write_text(DEMO_TRANSFER_VN_CONFIG.read_text())
    original = user_file.read_text()
    tool = ClientApiVn(config_file=str(user_file), work_dir=str(tmp_path / "work"))
    db = PostgresResource(url=vn_url)
    start = time.gmtime(day(14))

    with tool.generated_config(db, "src_vn_json_check_window", date(*start[:3])) as (path, cfg):
        text = path.read_text()
        passfile = path.with_suffix(".pgpass")
        password_line = passfile.read_text()
        assert path.stat().st_mode & 0o077 == 0  # it holds the API keys
        assert passfile.stat().st_mode & 0o077 == 0
    assert not path.exists() and not passfile.exists()
    with psycopg.connect(vn_url) as conn:
        assert password_line.rstrip("\n").endswith(":" + conn.info.password)
    assert f"start_date: {date(*start[:3]).isoformat()}" in text
    assert "db_schema_import: src_vn_json_check_window" in text
    # never in the file transfer_vn's scheduler pickles into jobs.sqlite
    assert cfg["database"]["db_pw"] == "" and "db_pw: ''" in text
    assert user_file.read_text() == original  # the operator's file is never edited
    # Client-API-VN's own loader refuses a bad derived configuration before transfer_vn runs.
    user_file.write_text(original.replace("admin_mail: vn-admin@example.org", "admin_mail: nobody"))
    with (
        pytest.raises(TransferVnError, match="refuses the configuration"),
        tool.generated_config(db, CHECK),
    ):
        pass


def test_transfer_vn_output_never_shows_the_passwords(vn_url: str, tmp_path: Path) -> None:

    leaky = tmp_path / "leaky_download"
    # A download that logs its configuration's secret lines as errors.
    leaky.write_text(
        '#!/bin/sh\ngrep -E "db_pw|user_pw|client_secret" "$2" | '
        "sed 's/^/2026-11-22 10:00:00 - ERROR - transfer_vn - /'\n"
    )
    leaky.chmod(0o755)
    tool = ClientApiVn(
        config_file=str(DEMO_TRANSFER_VN_CONFIG),
        work_dir=str(tmp_path / "w"),
        download_command=str(leaky),
    )
    db = PostgresResource(url=vn_url)
    with tool.generated_config(db, CHECK) as (path, cfg):
        secrets = tool_config.secrets(cfg)
        with pytest.raises(TransferVnError) as failed:
            tool.run("full", path, cfg)
    message = str(failed.value)
    assert "db_pw: ''" in message and "user_pw: ***" in message
    assert "client_secret: ***" in message
    with psycopg.connect(vn_url) as conn:
        secrets.append(conn.info.password)
    for secret in secrets:
        assert secret not in message
