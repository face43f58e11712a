"""The new-files sensors' cursor is the listing's key set: a file that arrives with an older
modification time than the newest seen (Heritrix renames `.open`, `mv` keeps the time) and a
file replaced in place are reported; nothing is reported twice."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from maint_assets.core.file_sensors import new_files
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.automation import webarchive_new_files


def _stamp(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_a_file_moved_in_with_an_older_mtime_is_reported(tmp_path: Path) -> None:
    store = FileStore(url=str(tmp_path))
    now = datetime.now(UTC)
    (tmp_path / "a.warc.gz").write_bytes(b"a")
    _stamp(tmp_path / "a.warc.gz", now)
    first, cursor = new_files(store.list(), None)
    assert [f.path for f in first] == ["a.warc.gz"]

    # Closed by Heritrix an hour before the newest file the sensor saw, renamed in now.
    (tmp_path / "b.warc.gz.open").write_bytes(b"b")
    _stamp(tmp_path / "b.warc.gz.open", now - timedelta(hours=1))
    (tmp_path / "b.warc.gz.open").rename(tmp_path / "b.warc.gz")
    moved, cursor = new_files(store.list(), cursor)
    assert [f.path for f in moved] == ["b.warc.gz"]

    idle, cursor = new_files(store.list(), cursor)
    assert idle == []

    (tmp_path / "a.warc.gz").write_bytes(b"a, rewritten")
    _stamp(tmp_path / "a.warc.gz", now - timedelta(days=1))
    replaced, _ = new_files(store.list(), cursor)
    assert [f.path for f in replaced] == ["a.warc.gz"]


def test_the_webarchive_sensor_reports_the_moved_file(tmp_path: Path) -> None:
    store = FileStore(url=str(tmp_path))
    now = datetime.now(UTC)
    (tmp_path / "new.warc.gz").write_bytes(b"n")
    _stamp(tmp_path / "new.warc.gz", now)
    first = webarchive_new_files(dg.build_sensor_context(resources={"warc_store": store}))
    assert first.asset_events[0].metadata["new_files"].value == 1
    (tmp_path / "old.warc.gz").write_bytes(b"o")
    _stamp(tmp_path / "old.warc.gz", now - timedelta(days=2))
    later = webarchive_new_files(
        dg.build_sensor_context(cursor=first.cursor, resources={"warc_store": store})
    )
    assert later.asset_events and later.asset_events[0].metadata["new_files"].value == 1


def test_a_name_that_is_not_utf8_does_not_stop_the_sensor(tmp_path: Path) -> None:
    (tmp_path / "a.warc.gz").write_bytes(b"a")
    with open(os.fsencode(tmp_path) + b"/caf\xe9.warc.gz", "wb") as named:  # TrackDB names it
        named.write(b"c")
    new, _ = new_files(FileStore(url=str(tmp_path)).list(), None)
    assert [f.path for f in new] == ["a.warc.gz"]
