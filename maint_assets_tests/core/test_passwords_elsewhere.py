"""Passwords the operator or another system put where the project reads them (a URL variable,
a foreign server's user mapping, a subscription, the Pushgateway's URL), which must still never
reach a dump, the event log, an alert or a metric's message (DESIGN §6). (Found by a trial of
session 34.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.metrics import Pushgateway, metrics_to_pushgateway
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.demo.webarchive_data import write_store
from maint_assets.metabase import assets, checks
from maint_assets.metabase.keys import BACKUP_FOLDER
from maint_assets.webarchive.assets import trackdb
from maint_assets_tests import ops_graph as g
from maint_assets_tests.ports import free_port
from maint_assets_tests.webarchive.servers import pushed

pytestmark = pytest.mark.servers

FOREIGN = {
    # postgres_fdw's user mapping: pg_dump writes its options, password included, for a role
    # that may read them (a superuser, the foreign server's owner).
    "user_mapping": (
        "CREATE EXTENSION postgres_fdw; "
        "CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw "
        "OPTIONS (host 'db.example', dbname 'x'); "
        "CREATE USER MAPPING FOR PUBLIC SERVER other "
        "OPTIONS (user 'reader', password 'FdwS3cretXYZ')",
        "FdwS3cretXYZ",
    ),
    # a logical replication subscription: pg_dump (as a superuser) writes its CONNECTION
    # string, password included; restored, it is also a database DROP DATABASE refuses.
    "subscription": (
        "CREATE SUBSCRIPTION feed "
        "CONNECTION 'host=db.example dbname=x user=rep password=SubS3cretXYZ' "
        "PUBLICATION p WITH (connect = false, slot_name = NONE, enabled = false)",
        "SubS3cretXYZ",
    ),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_no_other_servers_password_in_a_metabase_backup(
    kind: str, metabase_url: str, s3_store, staging_server, tmp_path: Path
) -> None:
    statements, secret = FOREIGN[kind]
    with psycopg.connect(metabase_url, autocommit=True) as conn:
        for statement in statements.split("; "):
            conn.execute(statement)
    try:
        result = dg.materialize(
            [assets.metabase_backup, checks.metabase_backup_restores], raise_on_error=False,
            resources={"metabase_db": PostgresResource(url=metabase_url),
                       "artifacts": s3_store, "restore_server": staging_server},
        )
        artifact = s3_store.latest(BACKUP_FOLDER)
        text = "" if artifact is None else subprocess.run(
            ["/usr/lib/postgresql/15/bin/pg_restore", "--file=-",
             str(s3_store.fetch(artifact, tmp_path / "backup.dump"))],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        if kind == "subscription":
            with psycopg.connect(metabase_url, autocommit=True) as conn:
                conn.execute("DROP SUBSCRIPTION feed")
    assert secret not in text
    # and the backup, which either leaves the secret out or refuses, says so by failing
    assert artifact is None or result.success, [
        e.event_specific_data.error.message for e in result.all_events if e.is_step_failure
    ]


@pytest.mark.parametrize(
    "password", ["Sup3r%S3cretXYZ", "Sup3r S3cretXYZ"], ids=["percent", "space"]
)
def test_a_url_password_libpq_cannot_parse_stays_out_of_the_run(
    password: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator who puts the password in the URL variable, unencoded: libpq's parse
    error quotes the whole component, and the step's error (event log, alert mail) with it."""
    write_store(tmp_path / "store", warcs=1, records=1)
    db = PostgresResource(url=f"postgresql://maint:{password}@127.0.0.1:{free_port()}/trackdb",
                          connection_retries=0)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [trackdb.trackdb_files], raise_on_error=False, instance=instance,
            resources={"webarchive_db": db, "warc_store": FileStore(url=str(tmp_path / "store"))},
        )
        texts = [caplog.text]
        for record in instance.get_records_for_run(result.run_id).records:
            entry = record.event_log_entry
            texts.append(entry.user_message or "")
            event = entry.dagster_event
            if event is not None and event.is_step_failure:
                texts.append(event.event_specific_data.error.to_string())
    assert not result.success
    assert not [t for t in texts if password in t]
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "trackdb" in failure.event_specific_data.error.to_string()  # still says which


def test_a_pushgateway_url_with_credentials_pushes_and_never_shows_them(
    dagster_instance: dg.DagsterInstance, pushgateway_url: str
) -> None:
    """A Pushgateway behind basic auth (its --web.config.file): user and password in
    MAINT_PUSHGATEWAY_URL, the one setting there is."""
    instance = dagster_instance
    assert g.run(instance, g.source_table).success
    with_credentials = pushgateway_url.replace("://", "://ops:Pu5hS3cretXYZ@", 1)
    context = dg.build_sensor_context(
        instance=instance, resources={"pushgateway": Pushgateway(url=with_credentials)}
    )
    try:
        tick = metrics_to_pushgateway(context)
        shown = tick.skip_message
    except RuntimeError as err:
        shown = str(err)
    assert "Pu5hS3cretXYZ" not in shown
    assert pushed(pushgateway_url, "maint_asset_rows", asset=g.SOURCE.to_user_string()) == 42
    closed = f"http://ops:Pu5hS3cretXYZ@127.0.0.1:{free_port()}"
    context = dg.build_sensor_context(
        instance=instance, resources={"pushgateway": Pushgateway(url=closed, timeout_s=2)}
    )
    with pytest.raises(RuntimeError) as raised:
        metrics_to_pushgateway(context)
    assert "Pu5hS3cretXYZ" not in str(raised.value)
    assert "127.0.0.1" in str(raised.value)
