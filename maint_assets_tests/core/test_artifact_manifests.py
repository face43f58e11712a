"""A manifest that cannot be read (a zero-length file: a local put renamed its temporary
files before they reached the disk, so a crash just after it could leave the manifest empty;
a manifest edited or copied by hand)."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from maint_assets.core.artifacts import ArtifactStore, ManifestUnreadable
from maint_assets.core.retention import RetentionPolicy

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> ArtifactStore:
    if request.param == "local":
        return ArtifactStore(directory=str(tmp_path / "store"))
    return request.getfixturevalue("s3_store")


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
