"""The artifact store, on a local directory and on a real S3 server: checksums, manifests,
listing only complete artifacts, corruption detection, and retention."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from maint_assets.core.artifacts import ArtifactCorrupt, ArtifactStore, ManifestUnreadable
from maint_assets.core.retention import RetentionPolicy

START = datetime(2026, 1, 1, 21, 0, tzinfo=UTC)  # a Thursday


def test_retention_keeps_the_last_n_and_the_newest_of_each_week_and_month():
    daily = [START + timedelta(days=d) for d in range(120)]  # 1 January to 30 April
    kept = RetentionPolicy(keep_last=3, keep_weekly=2, keep_monthly=3).kept(daily)
    newest = daily[-1]
    assert kept == {
        newest,  # last 3: 30, 29, 28 April; newest of this ISO week and of April: 30 April
        newest - timedelta(days=1),
        newest - timedelta(days=2),
        datetime(2026, 4, 26, 21, 0, tzinfo=UTC),  # Sunday: newest of the previous ISO week
        datetime(2026, 3, 31, 21, 0, tzinfo=UTC),  # newest of March
        datetime(2026, 2, 28, 21, 0, tzinfo=UTC),  # newest of February
    }


def test_retention_counts_weeks_that_have_backups_not_calendar_weeks():
    sparse = [START, START + timedelta(weeks=10)]
    assert RetentionPolicy(keep_last=1, keep_weekly=2, keep_monthly=0).kept(sparse) == set(sparse)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> ArtifactStore:
    if request.param == "local":
        return ArtifactStore(directory=str(tmp_path / "store"))
    return request.getfixturevalue("s3_store")


def test_put_list_fetch_and_prune(store, tmp_path):
    source = tmp_path / "dump.sql"
    for day in range(10):
        source.write_text(f"-- dump {day}\n" * (1000 + day))
        store.put(source, "things/dumps", "dump.sql", {"day": day}, START + timedelta(days=day))
    listed = store.list("things/dumps")
    assert [a.manifest["day"] for a in listed] == list(range(10))
    latest = store.fetch(listed[-1], tmp_path / "back.sql")
    assert latest.read_text() == "-- dump 9\n" * 1009

    pruned = store.prune(
        "things/dumps", RetentionPolicy(keep_last=2, keep_weekly=2, keep_monthly=1)
    )
    # kept: days 9, 8 (last two); day 9 is also the newest of its week and month; day 3
    # (Sunday 4 January) is the newest of the week before
    assert sorted(a.manifest["day"] for a in store.list("things/dumps")) == [3, 8, 9]
    assert sorted(a.manifest["day"] for a in pruned) == [0, 1, 2, 4, 5, 6, 7]


def test_a_changed_file_is_detected_on_fetch(store, tmp_path):
    source = tmp_path / "dump.sql"
    source.write_text("good content\n")
    artifact = store.put(source, "things", "dump.sql", {})
    source.write_text("tampered content\n")
    # overwrite the stored file through the backend, as a disk or bucket fault would
    store._backend().put_file(source, artifact.key)
    with pytest.raises(ArtifactCorrupt, match="does not match its manifest"):
        store.fetch(artifact, tmp_path / "back.sql")


def test_a_file_without_manifest_is_not_listed(store, tmp_path):
    source = tmp_path / "dump.sql"
    source.write_text("half of an upload\n")
    store._backend().put_file(source, "things/dump-unfinished.sql")
    assert store.list("things") == []


def test_prune_counts_only_artifacts_whose_check_did_not_fail(store, tmp_path):
    """Artifacts whose check failed (or has not run) do not push the others out."""
    source = tmp_path / "dump.sql"
    for day in range(6):
        source.write_text(f"-- dump {day}\n")
        store.put(source, "things/dumps", "dump.sql", {"day": day}, START + timedelta(days=day))
    keys = {a.manifest["day"]: a.key for a in store.list("things/dumps")}
    verdicts = {keys[d]: d < 3 for d in range(5)}  # 3 and 4 did not restore
    policy = RetentionPolicy(keep_last=2, keep_weekly=0, keep_monthly=0)
    store.prune("things/dumps", policy, verdicts, unchecked={keys[5]})
    # 1 and 2 counted; 4, the newest that failed, newer than every one that passed, for
    # diagnosis; 5 not checked yet
    assert [a.manifest["day"] for a in store.list("things/dumps")] == [1, 2, 4, 5]


def test_prune_keeps_the_newest_passing_artifact_whatever_is_newer(store, tmp_path):
    """One artifact passed its check; the newer ones have no verdict (their check failed
    because of its server, or has not run): they count toward the policy without being known
    to be good, and pushed out the only one that was. (Found by a trial of session 34.)"""
    source = tmp_path / "dump.sql"
    for day in range(5):
        source.write_text(f"-- dump {day}\n")
        store.put(source, "things/dumps", "dump.sql", {"day": day}, START + timedelta(days=day))
    keys = {a.manifest["day"]: a.key for a in store.list("things/dumps")}
    policy = RetentionPolicy(keep_last=2, keep_weekly=0, keep_monthly=0)
    store.prune("things/dumps", policy, {keys[0]: True}, unchecked={keys[4]})
    assert [a.manifest["day"] for a in store.list("things/dumps")] == [0, 2, 3, 4]


def test_failed_artifacts_are_pruned_once_a_newer_one_passed_unknown_ones_never_as_failed(
    store, tmp_path
):
    """A failed artifact the policy would keep (the newest of its month, of the last N) is
    deleted once a newer one passed; the newest failed one stays while none that passed is
    newer; one no evaluation names is counted as a passing one, never deleted as failed.
    Before, the policy over every artifact kept the failed ones beside the passing ones."""
    source = tmp_path / "dump.sql"
    days = [0, 31, 32, 59, 60, 61, 62]  # 1 Jan, 1-2 Feb, 1-4 Mar
    for day in days:
        source.write_text(f"-- dump {day}\n")
        store.put(source, "things/dumps", "dump.sql", {"day": day}, START + timedelta(days=day))
    keys = {a.manifest["day"]: a.key for a in store.list("things/dumps")}
    # January's only dump failed, February's newest failed, 1 Mar is unknown (copied in by
    # hand), 2 and 4 March failed, 3 March passed
    verdicts = {keys[0]: False, keys[31]: True, keys[32]: False, keys[60]: False,
                keys[61]: True, keys[62]: False}
    policy = RetentionPolicy(keep_last=3, keep_weekly=0, keep_monthly=3)
    pruned = store.prune("things/dumps", policy, verdicts)
    assert sorted(a.manifest["day"] for a in pruned) == [0, 32, 60]
    # 31, 59, 61 counted; 62 the newest failed and newer than 61
    assert [a.manifest["day"] for a in store.list("things/dumps")] == [31, 59, 61, 62]
    # once a newer one passed, no failed one stays
    source.write_text("-- dump 63\n")
    new = store.put(source, "things/dumps", "dump.sql", {"day": 63}, START + timedelta(days=63))
    store.prune("things/dumps", policy, {**verdicts, new.key: True})
    assert [a.manifest["day"] for a in store.list("things/dumps")] == [31, 59, 61, 63]

def _begin_upload(store: ArtifactStore, key: str) -> None:
    """Leave an upload of ``key`` unfinished, as a put killed half-way does."""
    if store.bucket:
        import boto3

        s3 = boto3.client("s3", endpoint_url=store.endpoint_url, region_name="us-east-1")
        s3.create_multipart_upload(Bucket=store.bucket, Key=f"{store.prefix}/{key}")
    else:  # the temporary file _LocalBackend._atomic writes before its rename
        folder, _, name = key.rpartition("/")
        path = Path(store.directory) / folder
        path.mkdir(parents=True, exist_ok=True)
        (path / f".{name}.k3x_9q2a.part").write_bytes(b"half")


def test_unfinished_uploads_are_aborted_only_when_begun_before_and_named_by_a_put(store):
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    ours = f"things/dumps/dump-{stamp}.sql"
    others = ["things/dumps/notes.txt", f"things/dumps/sub/dump-{stamp}.sql", "things/x.sql"]
    for key in [ours, *others]:
        _begin_upload(store, key)
    # an upload begun after ``before`` may belong to a run still going
    assert store.abort_unfinished("things/dumps", now - timedelta(minutes=1)) == []
    later = now + timedelta(seconds=store.unfinished_upload_margin_s + 60)
    assert [u.key for u in store.abort_unfinished("things/dumps", later)] == [ours]
    assert store.abort_unfinished("things/dumps", later) == []
    assert store.list("things/dumps") == []


def test_an_unreadable_manifest_is_named_and_deletes_nothing(store, tmp_path):
    source = tmp_path / "metabase.dump"
    keys = []
    for day in range(4):
        source.write_bytes(b"PGDMP" + bytes([day]) * 100)
        keys.append(store.put(source, "metabase/app_db_backup", "metabase.dump", {"day": day},
                              START + timedelta(days=day)).key)
    broken = keys[1] + ".manifest.json"
    store._backend().put_bytes(b"", broken)
    policy = RetentionPolicy(keep_last=1, keep_weekly=0, keep_monthly=0)
    before = store._backend().keys("metabase/app_db_backup")
    # every backup's retention (put_artifact prunes after each put), the restore check
    # (recorded_artifact lists the folder) and the keyless restore list the folder: the
    # error is all the operator sees, and it must say which file and what to do
    with pytest.raises(ManifestUnreadable, match="move it and its file") as raised:
        store.prune("metabase/app_db_backup", policy)
    assert broken in str(raised.value)
    assert store._backend().keys("metabase/app_db_backup") == before  # nothing deleted


def test_a_local_put_is_on_disk_before_its_name_and_its_name_after(tmp_path, monkeypatch):
    """A crash just after a put left a zero-length manifest under its new name: the file was
    renamed before its data reached the disk."""
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store = ArtifactStore(directory=str(tmp_path / "store"))
    source = tmp_path / "metabase.dump"
    source.write_bytes(b"PGDMP" * 100)
    artifact = store.put(source, "metabase/app_db_backup", "metabase.dump", {})
    folder = str(tmp_path / "store" / "metabase" / "app_db_backup")
    for name in (artifact.name, artifact.name + ".manifest.json"):
        part = next(i for i, p in enumerate(synced) if Path(p).name.startswith(f".{name}."))
        assert synced[part + 1] == folder, synced  # the folder, once the name is taken
    # the store's new folders, each in its parent, before the first file goes into them
    first = next(i for i, p in enumerate(synced) if Path(p).name.startswith("."))
    assert synced[:first] == [str(tmp_path), str(tmp_path / "store"),
                              str(tmp_path / "store" / "metabase")], synced
