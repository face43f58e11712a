"""A manifest that cannot be read (a zero-length file: a local put renames its
temporary files without fsync, so a crash just after it can leave the manifest empty; a
manifest edited or copied by hand)."""

from datetime import UTC, datetime, timedelta

import pytest

from maint_assets.core.artifacts import ArtifactStore
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
    try:
        pruned = store.prune("metabase/app_db_backup", policy)
    except Exception as err:
        # every backup's retention (put_artifact prunes after each put), the restore check
        # (recorded_artifact lists the folder) and the keyless restore list the folder: the
        # error is all the operator sees, and it must say which file
        assert broken in str(err), f"{type(err).__name__}: {err}"
        pruned = []
    assert keys[1] not in [a.key for a in pruned]
    assert keys[1] in store._backend().keys("metabase/app_db_backup")
