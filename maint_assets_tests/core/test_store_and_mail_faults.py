"""Faults of the servers behind the artifact store and the notifier, injected by a proxy in
front of the session's moto S3 (faulty_http.py) and by an SMTP server refusing for a while:
per-key DeleteObjects errors during a prune, a refused manifest upload, a temporary SMTP
refusal, trouble after the SMTP server took the message, a failed run's alert while the SMTP
server refuses."""

import asyncio
import re
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import dagster as dg
import pytest

from maint_assets.core.alerts import alert_failed_runs
from maint_assets.core.artifacts import MANIFEST_SUFFIX, ArtifactStore, ArtifactStoreUnavailable
from maint_assets.core.notify import NotifierError, SmtpNotifier
from maint_assets.core.retention import RetentionPolicy
from maint_assets_tests import ops_graph as g
from maint_assets_tests.faulty_http import Fault, FaultyHttp
from maint_assets_tests.ports import free_port
from maint_assets_tests.smtp_servers import serving


def _every_key_fails(body: bytes) -> bytes:
    """S3's answer to a DeleteObjects whose every key failed (HTTP 200, an <Error> per key),
    as S3 answers under load (InternalError, SlowDown per key)."""
    errors = b"".join(
        b"<Error><Key>%s</Key><Code>InternalError</Code><Message>We encountered an internal "
        b"error. Please try again.</Message></Error>" % key
        for key in re.findall(rb"<Key>(.*?)</Key>", body)
    )
    return (b"<?xml version='1.0' encoding='UTF-8'?><DeleteResult "
            b"xmlns='http://s3.amazonaws.com/doc/2006-03-01/'>" + errors + b"</DeleteResult>")


def test_a_prune_whose_manifest_deletes_fail_keeps_every_listed_artifact_whole(
    s3_endpoint: str, tmp_path: Path
) -> None:
    """prune deletes the manifests first so that "an interrupted prune leaves unlisted files,
    never listed artifacts whose file is gone". S3 answers a DeleteObjects whose keys failed
    with 200 and an <Error> per key: botocore raises nothing. The first batch (the manifests)
    failing must not be followed by the files' deletion, nor reported as pruned."""
    bucket = f"faults-prune-{secrets.token_hex(3)}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    deletes = []

    def rule(method: str, path: str, query: dict) -> Fault | None:
        if method == "POST" and "delete" in query:
            deletes.append(path)
            if len(deletes) == 1:  # the manifests' batch
                return Fault("reply", reply=_every_key_fails)
        return None

    with FaultyHttp(s3_endpoint, rule) as proxy:
        store = ArtifactStore(bucket=bucket, prefix="backups", endpoint_url=proxy.url)
        start = datetime.now(UTC) - timedelta(days=10)
        for day in range(4):
            dump = tmp_path / f"{day}.dump"
            dump.write_bytes(secrets.token_bytes(4096))
            store.put(dump, "atlas/regions", "regions.dump", {"day": day},
                      created=start + timedelta(days=day))
        policy = RetentionPolicy(keep_last=1, keep_weekly=0, keep_monthly=0)
        try:
            pruned = [a.key for a in store.prune("atlas/regions", policy)]
            error = None
        except ArtifactStoreUnavailable as err:
            pruned, error = [], str(err)
        listed = store.list("atlas/regions")

    objects = {o["Key"].removeprefix("backups/")
               for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    without_file = [a.key for a in listed if a.key not in objects]
    # Before: the three older dumps deleted, their manifests left: listed artifacts without a
    # file (restoring one fails on a 404), and prune returned them as pruned.
    assert without_file == [], f"listed artifacts whose file is gone: {without_file}"
    assert not [k for k in pruned if k + MANIFEST_SUFFIX in objects], (
        f"reported as pruned but still listed: {pruned}")
    if error is not None:
        assert "InternalError" in error


class _TemporarilyRefusing:
    """An SMTP server whose first DATA gets a temporary refusal (451, as a greylisting or
    overloaded server answers), the next ones 250."""

    def __init__(self) -> None:
        self.attempts = 0
        self.received = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        if self.attempts == 1:
            return "451 4.3.0 Temporary local problem, try again later"
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def refusing_once() -> Iterator[tuple[_TemporarilyRefusing, int]]:
    sink = _TemporarilyRefusing()
    with serving(sink) as port:
        yield sink, port


def test_a_temporary_smtp_refusal_is_retried_not_lost(
    refusing_once: tuple[_TemporarilyRefusing, int]
) -> None:
    """A 4xx answer is SMTP's "try again": the VisioNature repair's summary (sent once, after
    the repair committed; a failure only logged) is lost on the first one."""
    sink, port = refusing_once
    notifier = SmtpNotifier(host="127.0.0.1", port=port, recipients="ops@example.org",
                            timeout_s=5)
    try:
        delivery = notifier.send("VisioNature repair", "3 inserted")
    except Exception as err:
        pytest.fail(f"not retried: {type(err).__name__}: {err}")
    assert delivery is not None and delivery.accepted == ["ops@example.org"]
    assert len(sink.received) == 1


class _TroubledAfterDelivery:
    """An SMTP server that takes the message (250), then answers QUIT with a temporary error
    (421), or takes it and does not answer the end of DATA in time."""

    def __init__(self, silent_after_data: bool) -> None:
        self.silent_after_data = silent_after_data
        self.received = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(envelope)
        if self.silent_after_data:
            await asyncio.sleep(3)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope) -> str:
        return "421 4.3.2 shutting down"


@pytest.mark.parametrize("silent_after_data", [False, True], ids=["quit_421", "data_timeout"])
def test_a_message_the_server_took_is_never_sent_twice(silent_after_data: bool) -> None:
    """The retries of a temporary answer sent the message again when the trouble came after
    the server had taken it: a 4xx to QUIT, or no answer to the end of DATA (reported by a
    review)."""
    sink = _TroubledAfterDelivery(silent_after_data)
    with serving(sink) as port:
        notifier = SmtpNotifier(host="127.0.0.1", port=port, recipients="ops@example.org",
                                timeout_s=1, retry_wait_s=0.01)
        if silent_after_data:
            with pytest.raises(NotifierError):
                notifier.send("VisioNature repair", "3 inserted")
        else:
            delivery = notifier.send("VisioNature repair", "3 inserted")
            assert delivery is not None and delivery.accepted == ["ops@example.org"]
        time.sleep(3.5 if silent_after_data else 0)  # the server's late answer, in vain
    assert len(sink.received) == 1


def test_a_put_whose_manifest_is_refused_leaves_no_unlisted_file_behind(
    s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dump's upload completes, then the store answers 503 SlowDown to its manifest's PUT
    (after botocore's retries). The put fails, rightly; but the dump stays in the bucket,
    never listed (no manifest), never pruned, and not an unfinished upload that a later put
    aborts: each such failure leaves a full dump billed (or, on a local store whose disk
    filled up at the manifest, the disk full) until someone deletes it by hand."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    bucket = f"faults-orphan-{secrets.token_hex(3)}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    refuse = {"on": True}

    def rule(method: str, path: str, query: dict) -> Fault | None:
        if refuse["on"] and method == "PUT" and path.endswith(MANIFEST_SUFFIX):
            return Fault("status", 503, "SlowDown")
        return None

    with FaultyHttp(s3_endpoint, rule) as proxy:
        store = ArtifactStore(bucket=bucket, prefix="backups", endpoint_url=proxy.url,
                              unfinished_upload_margin_s=0)
        dump = tmp_path / "w3act.dump"
        dump.write_bytes(secrets.token_bytes(4096))
        with pytest.raises(ArtifactStoreUnavailable, match="SlowDown"):
            store.put(dump, "w3act/dump", "w3act.dump", {})
        refuse["on"] = False
        # The next day's backup: its put aborts what earlier puts left, then retention.
        later = datetime.now(UTC) + timedelta(seconds=1)
        store.abort_unfinished("w3act/dump", later)
        dump.write_bytes(secrets.token_bytes(4096))
        kept = store.put(dump, "w3act/dump", "w3act.dump", {})
        store.prune("w3act/dump", RetentionPolicy(keep_last=1, keep_weekly=0, keep_monthly=0))
    objects = sorted(o["Key"].removeprefix("backups/")
                     for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    expected = [kept.key, kept.key + MANIFEST_SUFFIX]
    assert objects == expected, f"never listed nor cleaned: {set(objects) - set(expected)}"


def _failure_tick(instance: dg.DagsterInstance, notifier: SmtpNotifier, cursor: str | None):
    """One tick of the run failure sensor as the daemon runs it (its cursor handling included)."""
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"notifier": notifier}
    )
    data = alert_failed_runs.evaluate_tick(context)
    return data, data.cursor


def test_a_failed_runs_alert_the_smtp_server_could_not_take_is_sent_by_a_later_tick(
    dagster_instance: dg.DagsterInstance, smtp_server
) -> None:
    """The relay restarting (refused connections for a minute) must not lose the alert of the
    run that failed meanwhile: Dagster's run status sensors move their cursor past a run whose
    sensor function raised, so the next tick never saw that run again. (Found by a trial of
    session 34.)"""
    instance = dagster_instance
    up = SmtpNotifier(host="127.0.0.1", port=smtp_server.port, recipients="ops@example.org")
    down = SmtpNotifier(  # nothing listens there
        host="127.0.0.1", port=free_port(), recipients="ops@example.org", attempts=1
    )
    smtp_server.messages.clear()
    _, cursor = _failure_tick(instance, up, None)  # the sensor starts: history is not news
    assert not g.run(instance, g.broken).success
    _, cursor = _failure_tick(instance, down, cursor)
    assert smtp_server.messages == []
    _failure_tick(instance, up, cursor)  # the relay is back
    subjects = [m["Subject"] for _, _, m in smtp_server.messages]
    assert subjects == ["[maint_assets] ops_test__broken failed"], (  # its failed step
        "the failed run's alert was never mailed"
    )
