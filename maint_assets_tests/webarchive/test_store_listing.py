"""What one odd entry of a local WARC store does to the listing and the index: a name that is
not UTF-8, a symlink, a WARC the indexing user may not read. Each is reported by name, and the
store's other files are listed and indexed as usual, with nothing already recorded about them
lost. And a store named by several spellings of its URL is one store, whose rows recorded
under an older spelling are kept."""

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core import mounts
from maint_assets.core.mounts import MountTables
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stored_files import Skipped, StoredFile
from maint_assets.core.stores import FileStore
from maint_assets.demo.webarchive_data import write_store
from maint_assets.webarchive import checks as webarchive_checks
from maint_assets.webarchive.assets import cdx_index, trackdb
from maint_assets.webarchive.resources import CdxSettings
from maint_assets_tests.ports import free_port
from maint_assets_tests.webarchive.servers import outbackcdx

WARCS = 3  # complete ones; write_store adds a truncated one, an open one and a non-WARC
FAST = {"file_retries": 1, "retry_backoff_s": 0.01, "run_retries": 0}
TRACKDB, CDX = "webarchive/webarchive/trackdb_files", "webarchive/index/cdx_index"
BY_HAND = "by hand"  # a disk mounted with mount(8), declared nowhere


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    write_store(root, warcs=WARCS, records=10)
    return root


@pytest.fixture
def mount_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MountTables:
    """The system's mount tables as the stores read them, in files of the test's own (it cannot
    edit /etc/fstab nor mount disks): an fstab, our invention in fstab(5)'s real format, that
    declares the disks the test mounts under its store (unless it mounts them "by hand",
    declared nowhere); a folder of systemd .mount units, empty until a test declares one there;
    and this process's own /proc/self/mountinfo, to which the test adds a line in proc(5)'s
    format (our invention too) when it "mounts" a disk, and removes it to "unmount" it (moving
    the disk's files away, leaving its mount point an empty folder)."""
    tables = MountTables(tmp_path / "fstab", tmp_path / "mountinfo", (tmp_path / "units",))
    tables.fstab.write_text(
        "# <file system> <mount point> <type> <options> <dump> <pass>\n"
        "UUID=6a1e0c1c-3b1d-4a57-9f0e-0d1c2b3a4f5e / ext4 errors=remount-ro 0 1\n"
    )
    shutil.copy("/proc/self/mountinfo", tables.mountinfo)
    tables.unit_dirs[0].mkdir()
    monkeypatch.setattr(mounts, "TABLES", tables)
    return tables


def _declare(tables: MountTables, folder: Path, by: str) -> None:
    if by == BY_HAND:
        return
    if by == "fstab":
        with tables.fstab.open("a") as fstab:
            fstab.write(f"LABEL={folder.name} {_escaped(folder)} xfs defaults,nofail 0 2\n")
    else:  # as systemd-escape --path --suffix=mount names the unit of a folder
        unit = str(folder).strip("/").replace("-", "\\x2d").replace("/", "-") + ".mount"
        (tables.unit_dirs[0] / unit).write_text(
            f"[Unit]\nDescription=WARC disk\n\n[Mount]\nWhat=/dev/disk/by-label/warcs\n"
            f"Where={folder}\nType=xfs\nOptions=defaults\n\n[Install]\nWantedBy=multi-user.target\n"
        )


def _known(tables: MountTables, by: str) -> str:
    """Why a test's disk is known to be a mount point, as the store's error says it."""
    if by == BY_HAND:
        return "seen mounted at an earlier run, remembered in webarchive.store_mounts"
    return f"declared in {tables.fstab if by == 'fstab' else tables.unit_dirs[0]}"


def _mount(tables: MountTables, folder: Path) -> None:
    with tables.mountinfo.open("a") as mountinfo:
        mountinfo.write(f"912 27 8:17 / {_escaped(folder)} rw,relatime shared:457 - xfs /dev/sdb1 "
                        "rw,attr2,inode64,noquota\n")


def _unmount(tables: MountTables, folder: Path) -> None:
    kept = [line for line in tables.mountinfo.read_text().splitlines(keepends=True)
            if line.split()[4] != _escaped(folder)]
    tables.mountinfo.write_text("".join(kept))


def _escaped(folder: Path) -> str:
    return str(folder).replace("\\", "\\134").replace(" ", "\\040")


def _resources(db: str, url: str, tmp_path: Path) -> dict:
    return {
        "webarchive_db": PostgresResource(url=db, lock_timeout_s=5),
        "warc_store": FileStore(url=url),
        "cdx": CdxSettings(cdxj_dir=str(tmp_path / "collections"), verify_sample=50),
    }


def _index(res: dict, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [trackdb.trackdb_files, cdx_index.cdx_index], resources=res, raise_on_error=False,
        instance=instance,
        run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}},
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def _logs(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.user_message for e in instance.all_logs(result.run_id)]


def _rows(db: str, store: str | None = None) -> dict[str, tuple]:
    with psycopg.connect(db) as conn:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT path, store, missing, cdx_indexed_at, cdx_segment, cdx_error "
            "FROM webarchive.trackdb_files WHERE store = coalesce(%s, store)", [store]
        )}


def _lines(tmp_path: Path) -> list[str]:
    """The index's lines: CDXJ segments, or the ledger of lines posted to OutbackCDX."""
    return sorted(line for p in (tmp_path / "collections").rglob("*.cdx*") for line in p.open())


def _warcs_folder(root: Path) -> Path:
    return next(root.rglob("warcs"))


def test_a_name_that_is_not_utf8_is_reported_and_the_other_files_are_indexed(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    res = _resources(empty_db, str(root), tmp_path)
    with dg.instance_for_test() as instance:
        assert _index(res, instance).success
        before = _rows(empty_db)
        assert sum(1 for r in before.values() if r[2]) == WARCS  # indexed

        warcs = _warcs_folder(root)
        one = next(warcs.glob("*-00000-*.warc.gz"))
        shutil.copyfile(one, os.fsencode(warcs) + b"/caf\xe9-20261101000000000-00000.warc.gz")
        shutil.copyfile(one, warcs / "BL-20261102000000000-00000-copy.warc.gz")
        os.mkdir(os.fsencode(root) + b"/f\xf6lder")  # a folder: its whole subtree
        shutil.copyfile(one, os.fsencode(root) + b"/f\xf6lder/x-20261101000000000-0.warc.gz")
        result = _index(res, instance)
        assert result.success
        meta = _metadata(result)
        escaped = "caf\\xe9-20261101000000000-00000.warc.gz"
        assert meta[TRACKDB]["files_not_listed"] == 2
        assert escaped in meta[TRACKDB]["not_listed"]
        assert "f\\xf6lder/" in meta[TRACKDB]["not_listed"]
        assert any(escaped in m and "not UTF-8" in m for m in _logs(instance, result))
        # The other new file is listed and indexed; nothing recorded before is changed.
        assert meta[TRACKDB]["new"] == 1 and meta[TRACKDB]["flagged_missing"] == 0
        assert meta[CDX]["warcs_indexed"] == 1 and meta[CDX]["records"] == 10
        after = _rows(empty_db)
        assert {p: r for p, r in after.items() if p in before} == before


def test_spellings_of_a_store_are_one_store_and_rows_of_an_older_spelling_are_kept(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    with dg.instance_for_test() as instance:
        first = _index(_resources(empty_db, f"{root}/", tmp_path), instance)
        assert first.success and _metadata(first)[CDX]["warcs_indexed"] == WARCS
        indexed, lines = _rows(empty_db), _lines(tmp_path)
        assert {r[0] for r in indexed.values()} == {str(root)}
        # As an older version recorded it: under the configured spelling.
        with psycopg.connect(empty_db, autocommit=True) as conn:
            for table in ("trackdb_files", "cdx_segments", "stores"):
                conn.execute(f"UPDATE webarchive.{table} SET store = %s", [f"{root}//"])
        for url in (f"file://{root}/./", str(root), f"{root}/../{root.name}"):
            again = _index(_resources(empty_db, url, tmp_path), instance)
            assert again.success, url
            meta = _metadata(again)
            assert (meta[TRACKDB]["new"], meta[TRACKDB]["other_spellings"]) == (0, []), url
            assert meta[CDX]["warcs_indexed"] == 0, url
        assert _rows(empty_db) == {p: (str(root), *r[1:]) for p, r in indexed.items()}
        assert _lines(tmp_path) == lines
        with psycopg.connect(empty_db) as conn:
            assert conn.execute("SELECT store FROM webarchive.stores").fetchall() == [(str(root),)]

        # Another spelling recorded by an older version with a file of another size: which
        # version the store holds is not known, so that spelling is left as it is, and named.
        other = f"file://{root}"
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute("INSERT INTO webarchive.stores SELECT %s, last_listed_at - interval "
                         "'1 day', files, layout_version FROM webarchive.stores", [other])
            conflict = conn.execute(
                "INSERT INTO webarchive.trackdb_files (store, path, size, mtime, kind, crawl_ts, "
                "first_seen) SELECT %s, path, size + 1, mtime, kind, crawl_ts, first_seen "
                "FROM webarchive.trackdb_files WHERE kind = 'warcs' ORDER BY path LIMIT 1 "
                "RETURNING path", [other]).fetchone()[0]
        named = _index(_resources(empty_db, str(root), tmp_path), instance)
        meta = _metadata(named)[TRACKDB]
        assert (meta["other_spellings"], meta["spellings_merged"]) == ([other], [])
        assert f"`{other}`: `{conflict}: " in meta["spelling_conflicts"]
        assert any(other in m and "another spelling" in m and conflict in m
                   for m in _logs(instance, named))
        assert _rows(empty_db, str(root)) == {p: (str(root), *r[1:]) for p, r in indexed.items()}


def test_symlinks_are_not_followed_and_are_reported(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    disk = tmp_path / "disk2" / "warcs"
    disk.mkdir(parents=True)
    shutil.copyfile(next(_warcs_folder(root).glob("*-00000-*.warc.gz")),
                    disk / "BL-20261103000000000-00000-disk2.warc.gz")
    launch = root / "heritrix" / "output" / "frequent-npld" / "20261103000000"
    launch.mkdir(parents=True)
    (launch / "warcs").symlink_to(disk)
    (root / "loop").symlink_to(root)  # followed, it would list the store forever
    with dg.instance_for_test() as instance:
        result = _index(_resources(empty_db, str(root), tmp_path), instance)
        assert result.success
        meta = _metadata(result)[TRACKDB]
        assert meta["symlinks_not_followed"] == 2
        assert "`loop`" in meta["symlinks"]
        assert "`heritrix/output/frequent-npld/20261103000000/warcs`" in meta["symlinks"]
        assert not any("disk2" in p for p in _rows(empty_db))
        assert any("2 symlink(s) not followed" in m and "20261103000000/warcs" in m
                   for m in _logs(instance, result))

        # A folder already listed, moved to another disk and linked back: its files are not
        # listed, and not flagged missing either (nobody looked behind the link).
        before = _rows(empty_db)
        warcs = root / "heritrix" / "output" / "frequent-npld" / "20261101060000" / "warcs"
        assert sum(1 for p in before if p.startswith("heritrix/output/frequent-npld/"
                                                     "20261101060000/warcs/")) == WARCS + 3
        moved = tmp_path / "disk3" / "warcs"
        moved.parent.mkdir()
        warcs.rename(moved)
        warcs.symlink_to(moved)
        again = _index(_resources(empty_db, str(root), tmp_path), instance)
        assert _metadata(again)[TRACKDB]["flagged_missing"] == 0
        assert _rows(empty_db) == before


# The index, materialized in a process that cannot override file permissions: root without
# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (its bounding set), as an indexing user that is not
# root is. (A user other than root cannot run the session's Python: it lives under /root.)
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
INDEX_AS_UNPRIVILEGED = """
import json, sys
import dagster as dg
from maint_assets.core.stored_files import Skipped, StoredFile
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.assets import cdx_index, trackdb
from maint_assets.webarchive.resources import CdxSettings
db, store, cdxj_dir, config, listed = sys.argv[1:]
result = dg.materialize(
    [trackdb.trackdb_files] * (listed == "listed") + [cdx_index.cdx_index], raise_on_error=False,
    resources={"webarchive_db": PostgresResource(url=db), "warc_store": FileStore(url=store),
               "cdx": CdxSettings(cdxj_dir=cdxj_dir)},
    run_config={"ops": {"webarchive__index__cdx_index": {"config": json.loads(config)}}},
)
print(json.dumps({
    "success": result.success,
    "metadata": {k: v.value for e in result.get_asset_materialization_events()
                 for k, v in e.materialization.metadata.items()
                 if isinstance(v.value, (int, str))},
    "by_asset": {e.asset_key.to_user_string(): {
        k: v.value for k, v in e.materialization.metadata.items()
        if isinstance(v.value, (int, str))} for e in result.get_asset_materialization_events()},
    "checks": {e.check_name: [e.passed, {k: v.value for k, v in e.metadata.items()}]
               for e in result.get_asset_check_evaluations()},
}))
"""


def _index_unprivileged(
    db: str, root: Path, tmp_path: Path, listed: bool = False, **config: object
) -> dict:
    """The index (after TrackDB's listing when ``listed``), as a user that is not root."""
    done = subprocess.run(
        [*UNPRIVILEGED, sys.executable, "-c", INDEX_AS_UNPRIVILEGED, db, str(root),
         str(tmp_path / "collections"), json.dumps({**FAST, **config}),
         "listed" if listed else "index"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ran = json.loads(done.stdout.splitlines()[-1])
    assert ran["success"], done.stderr[-3000:]  # not failed, not retried
    return {**ran, "log": done.stderr}


def test_a_warc_it_may_not_read_is_reported_not_quarantined_and_indexed_once_readable(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    res = _resources(empty_db, str(root), tmp_path)
    assert dg.materialize([trackdb.trackdb_files], resources=res).success
    locked = next(_warcs_folder(root).glob(f"*-{WARCS - 1:05d}-*.warc.gz"))  # the newest
    name = str(locked.relative_to(root))
    locked.chmod(0)
    ran = _index_unprivileged(empty_db, root, tmp_path)
    # The others indexed; the file named, neither quarantined nor retried.
    meta = ran["metadata"]
    assert (meta["warcs_indexed"], meta["warcs_denied"], meta["warcs_quarantined"]) == (
        WARCS - 1, 1, 2,
    )
    assert name in meta["denied"] and "Permission denied" in meta["denied"]
    passed, found = ran["checks"]["every_warc_readable"]
    assert not passed and found["warcs_denied"] == 1 and name in found["denied"]
    assert any("may not read" in line and name in line for line in ran["log"].splitlines())
    row = _rows(empty_db)[name]
    assert row[2] is None and row[4] is None  # neither indexed nor quarantined

    # Newest, it does not hold up an older file: refused files come after the others.
    older = locked.with_name("BL-frequent-npld-20261101050000000-00009-1~crawler~8443.warc.gz")
    shutil.copyfile(next(_warcs_folder(root).glob("*-00000-*.warc.gz")), older)
    assert dg.materialize([trackdb.trackdb_files], resources=res).success
    ran = _index_unprivileged(empty_db, root, tmp_path, batch_size=1)
    assert (ran["metadata"]["warcs_indexed"], ran["metadata"]["warcs_denied"]) == (1, 0)
    assert _rows(empty_db)[str(older.relative_to(root))][2] is not None

    locked.chmod(0o644)  # the operator's fix: indexed by the next run, nothing to re-queue
    with dg.instance_for_test() as instance:
        fixed = _index(res, instance)
    assert _metadata(fixed)[CDX]["warcs_indexed"] == 1
    assert _rows(empty_db)[name][2] is not None
    readable = {e.check_name: e for e in fixed.get_asset_check_evaluations()}
    assert readable["every_warc_readable"].metadata["warcs_denied"].value == 0


def test_a_folder_it_may_not_list_is_reported_and_its_recorded_files_are_not_flagged_missing(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    with dg.instance_for_test() as instance:
        assert _index(_resources(empty_db, str(root), tmp_path), instance).success
    warcs = _warcs_folder(root)
    locked = str(warcs.relative_to(root)) + "/"
    # One of its files an earlier listing did not show: the store cannot be asked whether it
    # is gone (its folder is locked), so its lines stay.
    hidden = str(next(warcs.glob("*-00000-*.warc.gz")).relative_to(root))
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("UPDATE webarchive.trackdb_files SET missing = true WHERE path = %s",
                     [hidden])
    before, lines = _rows(empty_db), _lines(tmp_path)
    recorded = {p: r for p, r in before.items() if p.startswith(locked)}
    assert sum(1 for r in recorded.values() if r[2]) == WARCS  # indexed
    # A new WARC in another launch's folder, listed and indexed although the other is locked.
    new = warcs.parent.with_name("20261102060000") / "warcs" / (
        "BL-frequent-npld-20261102060000000-00000-1~crawler~8443.warc.gz")
    new.parent.mkdir(parents=True)
    shutil.copyfile(next(warcs.glob("*-00000-*.warc.gz")), new)
    warcs.chmod(0)
    try:
        ran = _index_unprivileged(empty_db, root, tmp_path, listed=True)
    finally:
        warcs.chmod(0o755)
    listing = ran["by_asset"][TRACKDB]
    assert (listing["folders_not_read"], listing["new"], listing["flagged_missing"]) == (1, 1, 0)
    assert f"`{locked}`: the listing user may not read it" in listing["not_listed"]
    assert any("1 folder(s) not listed" in line for line in ran["log"].splitlines())
    assert any(hidden in line and "refuses to say whether it is gone" in line
               for line in ran["log"].splitlines())
    assert ran["by_asset"][CDX]["warcs_indexed"] == 1
    # Nothing recorded under the locked folder changed: neither flagged nor its lines removed.
    after = _rows(empty_db)
    assert {p: after[p] for p in recorded} == recorded
    assert after[str(new.relative_to(root))][2] is not None
    assert set(lines) < set(_lines(tmp_path))


class _RacingStore(FileStore):
    """A test's own: the real local store, of which ``racing`` (a folder of two files) loses the
    file not yet listed as soon as the other is, as when a crawler renames or deletes a file
    while the store is listed: its name is already read, its stat finds nothing."""

    racing: str

    def list(self, skipped: Skipped | None = None) -> Iterator[StoredFile]:
        folder = Path(self.url) / self.racing
        for found in super().list(skipped):
            if found.path.startswith(f"{self.racing}/"):
                for other in folder.iterdir():
                    if other.name != Path(found.path).name:
                        other.unlink()
            yield found


def test_a_file_removed_while_the_store_is_listed_is_not_listed_and_the_rest_is(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    racing = root / "racing"
    racing.mkdir()
    one = next(_warcs_folder(root).glob("*-00000-*.warc.gz"))
    names = [f"BL-x-2026110{d}000000000-00000-racing.warc.gz" for d in (3, 4)]
    for name in names:
        shutil.copyfile(one, racing / name)
    with dg.instance_for_test() as instance:
        first = _index(_resources(empty_db, str(root), tmp_path), instance)
        assert _metadata(first)[CDX]["warcs_indexed"] == WARCS + 2
        before = _rows(empty_db)
        res = {**_resources(empty_db, str(root), tmp_path),
               "warc_store": _RacingStore(url=str(root), racing="racing")}
        result = _index(res, instance)
        assert result.success
        meta = _metadata(result)
    (kept,) = [n for n in names if (racing / n).exists()]
    (gone,) = [n for n in names if n != kept]
    assert (meta[TRACKDB]["vanished_while_listed"], meta[TRACKDB]["flagged_missing"]) == (1, 1)
    after = _rows(empty_db)
    # Its folder was read whole and the store says it is gone: flagged, and its lines removed
    # once the store confirms it; every other row as it was.
    assert after[f"racing/{gone}"][1] is True and after[f"racing/{gone}"][2] is None
    assert meta[CDX]["warcs_removed"] == 1
    assert not any(f"racing/{gone}" in line for line in _lines(tmp_path))
    assert any(f"racing/{kept}" in line for line in _lines(tmp_path))

    def status(rows: dict[str, tuple]) -> dict[str, tuple]:  # not the segment: rewritten
        return {p: r[:3] + r[4:] for p, r in rows.items() if p != f"racing/{gone}"}

    assert status(after) == status(before)


class _RacingFolderStore(FileStore):
    """A test's own: the real local store, whose folder ``racing`` holds folders of one file
    each; as soon as one of them is listed, the others (found by the same scan of ``racing``,
    not yet read) are removed, as when a crawl's launch folder is moved away while the store
    is listed."""

    racing: str

    def list(self, skipped: Skipped | None = None) -> Iterator[StoredFile]:
        folders = Path(self.url) / self.racing
        for found in super().list(skipped):
            if found.path.startswith(f"{self.racing}/"):
                listed = found.path.split("/")[1]
                for other in folders.iterdir():
                    if other.name != listed:
                        shutil.rmtree(other)
            yield found


def _list(res: dict, instance: dg.DagsterInstance) -> tuple[dict, list[str]]:
    """TrackDB's listing alone: its metadata and its run's log."""
    result = dg.materialize([trackdb.trackdb_files], resources=res, instance=instance)
    return _metadata(result)[TRACKDB], _logs(instance, result)


def test_a_folder_removed_while_the_store_is_listed_is_not_read_and_not_flagged(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    root = store
    one = next(_warcs_folder(root).glob("*-00000-*.warc.gz"))
    for d in (3, 4):
        (root / "racing" / f"launch{d}").mkdir(parents=True)
        shutil.copyfile(one, root / "racing" / f"launch{d}" /
                        f"BL-x-2026110{d}000000000-00000-racing.warc.gz")
    res = _resources(empty_db, str(root), tmp_path)
    with dg.instance_for_test() as instance:
        assert _list(res, instance)[0]["new"] == sum(1 for p in root.rglob("*") if p.is_file())
        before = _rows(empty_db)
        meta, log = _list({**res, "warc_store": _RacingFolderStore(url=str(root),
                                                                  racing="racing")}, instance)
        (gone,) = [f"racing/launch{d}/" for d in (3, 4)
                   if not (root / "racing" / f"launch{d}").exists()]
        # Named, and nothing recorded under it flagged.
        assert (meta["vanished_while_listed"], meta["folders_not_read"],
                meta["flagged_missing"]) == (1, 1, 0)
        assert f"`{gone}`: removed while the store was listed, not read this time" in (
            meta["not_listed"])
        assert any("1 folder(s) removed while the store was listed" in m and gone in m
                   for m in log)
        assert _rows(empty_db) == before

        # A listing that reads its parent whole and finds it absent: gone, flagged.
        meta, _ = _list(res, instance)
    assert (meta["folders_not_read"], meta["flagged_missing"]) == (0, 1)
    assert [p for p, r in _rows(empty_db).items() if r[1]] == [
        p for p in before if p.startswith(gone)]


def _deny(s3, bucket: str, keys: list[str]) -> None:
    """A bucket policy refusing these objects to everyone, as an operator's explicit Deny does
    (moto enforces a bucket policy on object requests, not on listings)."""
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [f"arn:aws:s3:::{bucket}/{k}" for k in keys]}],
    }))


def test_an_s3_object_the_store_refuses_is_reported_not_retried_and_indexed_once_allowed(
    empty_db: str, store: Path, tmp_path: Path, s3_endpoint: str
) -> None:
    import boto3

    root, bucket = store, "warcs-one-denied"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    for path in root.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), bucket, f"crawls/{path.relative_to(root).as_posix()}")
    res = {**_resources(empty_db, str(root), tmp_path),
           "warc_store": FileStore(url=f"s3://{bucket}/crawls", endpoint_url=s3_endpoint)}
    warcs = _warcs_folder(root)
    refused = str(next(warcs.glob(f"*-{WARCS - 1:05d}-*.warc.gz")).relative_to(root))
    _deny(s3, bucket, [f"crawls/{refused}"])
    with dg.instance_for_test() as instance:
        result = _index(res, instance)
        assert result.success  # neither retried nor failed
        meta = _metadata(result)[CDX]
        assert (meta["warcs_indexed"], meta["warcs_denied"], meta["warcs_quarantined"]) == (
            WARCS - 1, 1, 2,
        )
        assert refused in meta["denied"] and "access denied" in meta["denied"]
        row = _rows(empty_db)[refused]
        assert row[2] is None and row[4] is None  # neither indexed nor quarantined

        # An indexed file the last listing did not show, which the store refuses to stat: its
        # lines are kept (nothing says it is gone), and the run does not fail.
        hidden = str(next(warcs.glob("*-00000-*.warc.gz")).relative_to(root))
        with psycopg.connect(empty_db, autocommit=True) as conn:
            conn.execute("UPDATE webarchive.trackdb_files SET missing = true WHERE path = %s",
                         [hidden])
        _deny(s3, bucket, [f"crawls/{refused}", f"crawls/{hidden}"])
        lines = _lines(tmp_path)
        again = dg.materialize(
            [cdx_index.cdx_index], resources=res, raise_on_error=False, instance=instance,
            run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}},
        )
        assert again.success
        assert _metadata(again)[CDX]["warcs_removed"] == 0 and _lines(tmp_path) == lines
        assert any(hidden in m and "refuses to say whether it is gone" in m
                   for m in _logs(instance, again))

        s3.delete_bucket_policy(Bucket=bucket)  # the operator's fix
        fixed = _index(res, instance)
    assert _metadata(fixed)[CDX]["warcs_indexed"] == 1
    rows = _rows(empty_db)
    assert rows[refused][2] is not None
    assert rows[hidden][1] is False and rows[hidden][2] is not None  # listed again, still indexed

    # An indexed file the store refuses since: the index check's sampled lines in it are not
    # checked and the file is named; neither the lines' problem nor a store error.
    _deny(s3, bucket, [f"crawls/{refused}"])
    check = webarchive_checks.index_lines_resolve(
        res["webarchive_db"], res["warc_store"], res["cdx"], retries=1, backoff_s=0.01)
    assert check.passed, check.metadata["problems"].value
    meta = {k: v.value for k, v in check.metadata.items()}
    assert meta["files_denied"] == 1 and 0 < meta["lines_checked"] < 50
    assert f"`{refused}`: its lines not checked" in meta["denied"]
    assert "access denied" in meta["denied"] and "403" in meta["denied"]


class _Unavailable(BaseHTTPRequestHandler):
    """Our own stand-in for an S3 endpoint in trouble: 503 SlowDown to every request, as S3
    answers when overloaded (no real S3 server can be made to)."""

    def _answer(self) -> None:
        body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                b"<Message>Please reduce your request rate.</Message></Error>")
        self.send_response(503)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_PUT = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def test_a_store_that_cannot_be_reached_leaves_sampled_lines_unchecked_not_bad(
    empty_db: str, store: Path, tmp_path: Path, s3_endpoint: str, monkeypatch
) -> None:
    import boto3

    # botocore retries a 503 or a refused connection itself, after a random wait (under 1, 2,
    # 4, 8, 16 s for a 503 SlowDown): 35-66 s of this test in a four-worker run. One retry (the
    # operator's AWS_MAX_ATTEMPTS, which the store's client honours) shows the same thing.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")

    bucket = "warcs-unreachable"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    for path in store.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), bucket, f"crawls/{path.relative_to(store).as_posix()}")
    res = {**_resources(empty_db, str(store), tmp_path),
           "warc_store": FileStore(url=f"s3://{bucket}/crawls", endpoint_url=s3_endpoint)}
    with dg.instance_for_test() as instance:
        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == WARCS

    def check(endpoint: str, retries: int = 1) -> dict:
        found = webarchive_checks.index_lines_resolve(
            res["webarchive_db"], FileStore(url=f"s3://{bucket}/crawls", endpoint_url=endpoint),
            res["cdx"], retries=retries, backoff_s=0.01,
        )
        assert found.passed, found.metadata["problems"].value
        return {k: v.value for k, v in found.metadata.items()} | {"why": found.description}

    # Nothing listening (the server down), then a server answering 503 to everything (which
    # botocore itself retries: the check's own retry is not asked for).
    with ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable) as slow:
        threading.Thread(target=slow.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        try:
            # Refused connections are the endpoint's, so the whole store's: the first file's
            # lines tried, the rest of the sample not; a 503 may be one object's, and the
            # check stops once three files in a row answered it.
            for endpoint, retries, error, stop in (
                (f"http://127.0.0.1:{free_port()}", 1, "(tried 2 times)",
                 "the store as a whole cannot be reached (cannot read s3://"),
                (f"http://127.0.0.1:{slow.server_address[1]}", 0, "(SlowDown)",
                 "3 files in a row could not be read"),
            ):
                meta = check(endpoint, retries)
                assert stop in meta["why"], meta["why"]
                assert (meta["lines_checked"], meta["lines_store_unreachable"]) == (0, 50)
                assert meta["problems"] == "none"
                said = meta["store_unreachable"]
                assert f"s3://{bucket}/crawls" in said and error in said, said
                assert f"the store s3://{bucket}/crawls could not be reached" in meta["why"]
        finally:
            slow.shutdown()

    # The store reachable: every line checked, and a file really gone is the lines' problem.
    assert check(s3_endpoint)["lines_checked"] == 50
    gone = str(next(_warcs_folder(store).glob("*-00000-*.warc.gz")).relative_to(store))
    s3.delete_object(Bucket=bucket, Key=f"crawls/{gone}")
    found = webarchive_checks.index_lines_resolve(
        res["webarchive_db"], res["warc_store"], res["cdx"], retries=1, backoff_s=0.01)
    assert not found.passed and "its file is not in the store" in found.metadata["problems"].value
    assert found.metadata["lines_store_unreachable"].value == 0


def _check_local(
    empty_db: str, store: Path, tmp_path: Path, warcs: int = WARCS
) -> Callable[[], dict]:
    """The store indexed; then its index check, as often as asked."""
    res = _resources(empty_db, str(store), tmp_path)
    with dg.instance_for_test() as instance:
        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == warcs

    def check() -> dict:
        found = webarchive_checks.index_lines_resolve(
            res["webarchive_db"], res["warc_store"], res["cdx"], retries=1, backoff_s=0.01)
        return {k: v.value for k, v in found.metadata.items()} | {
            "passed": found.passed, "why": found.description}

    return check


def test_a_local_disk_i_o_error_leaves_sampled_lines_unchecked_not_bad(
    empty_db: str, store: Path, tmp_path: Path
) -> None:
    check = _check_local(empty_db, store, tmp_path)
    # A WARC whose reads fail with EIO, as on a failing disk or a network mount gone bad. The
    # link is our invention; the error is the kernel's own: it is a link to this process's
    # memory, whose first pages are never mapped (reading them is EIO), and the store's
    # reader follows it (the listing does not, but the file is already indexed).
    warcs = _warcs_folder(store)
    failing = next(warcs.glob("*-00000-*.warc.gz"))
    failing.rename(tmp_path / "kept.warc.gz")
    failing.symlink_to("/proc/self/mem")
    meta = check()
    assert meta["passed"] and meta["problems"] == "none", meta["problems"]
    assert meta["lines_store_unreachable"] > 0
    assert meta["lines_checked"] + meta["lines_store_unreachable"] == 50
    said = meta["store_unreachable"]
    assert f"cannot read {failing}: Input/output error (EIO)" in said, said
    assert f"the store {store} could not be reached (tried 2 times)" in meta["why"]
    # One file's error is not the store's: the other files' lines are checked, before and
    # after it; only the failing file's lines are named (write_store's URLs are
    # /page/<its WARC>/<its record>).
    named = [line for line in said.splitlines() if '"filename"' in line]
    assert named and all("/page/0/" in line for line in named), said
    assert meta["lines_checked"] > 0

    # Readable again: every line checked.
    failing.unlink()
    (tmp_path / "kept.warc.gz").rename(failing)
    assert check()["lines_checked"] == 50


def test_files_failing_one_after_another_are_the_store_down_and_the_rest_is_not_tried(
    empty_db: str, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    write_store(store, warcs=6, records=10)
    check = _check_local(empty_db, store, tmp_path, warcs=6)
    # Every WARC's reads fail with EIO (as in the test above): three different files failing
    # in a row, none read between them, is the store failing, not them; the rest of the sample
    # is not tried (each file would cost its retries for the same answer), nor marked.
    for warc in _warcs_folder(store).glob("*-0000[0-5]-*.warc.gz"):
        warc.rename(tmp_path / warc.name)
        warc.symlink_to("/proc/self/mem")
    meta = check()
    assert meta["passed"] and meta["problems"] == "none", meta["problems"]
    assert (meta["lines_checked"], meta["lines_store_unreachable"]) == (0, 50)
    assert "3 files in a row could not be read: the store is taken as unreachable" in meta["why"]
    tried = [line for line in meta["store_unreachable"].splitlines()
             if line.startswith("- `") and "line(s)): cannot read" in line]
    assert len(tried) == 3, meta["store_unreachable"]


@pytest.mark.parametrize("declared_by", ["fstab", "systemd unit", BY_HAND])
def test_a_local_disk_not_mounted_leaves_lines_unchecked_and_a_file_really_gone_is_bad(
    empty_db: str, store: Path, tmp_path: Path, mount_tables: MountTables, declared_by: str
) -> None:
    failing = next(_warcs_folder(store).glob("*-00000-*.warc.gz"))
    disks = (store / "heritrix" / "output", store)  # the crawls' output, and the whole store
    for disk in disks:
        _declare(mount_tables, disk, declared_by)
        _mount(mount_tables, disk)
    check = _check_local(empty_db, store, tmp_path)  # the index run remembers the mounts
    assert check()["lines_checked"] == 50

    # A disk the system declares is not mounted: its mount point is an empty folder, under
    # which every file is "not found". That is no evidence that any file is gone.
    for disk in disks:
        _unmount(mount_tables, disk)
        disk.rename(tmp_path / "disk")
        disk.mkdir()
        meta = check()
        assert meta["passed"], meta["problems"]
        assert (meta["lines_checked"], meta["lines_store_unreachable"]) == (0, 50)
        said = meta["store_unreachable"]
        assert f"{disk} is a mount point ({_known(mount_tables, declared_by)}" in said, said
        assert "that is not mounted: the files of its disk are not known to be gone" in said
        if disk == store:
            assert "the store as a whole cannot be reached" in meta["why"]
        disk.rmdir()
        (tmp_path / "disk").rename(disk)
        _mount(mount_tables, disk)

    # Mounted again: every line checked; a file really gone (its folder holds the others)
    # makes its lines bad.
    assert check()["lines_checked"] == 50
    failing.unlink()
    meta = check()
    assert not meta["passed"] and "its file is not in the store" in meta["problems"]
    assert meta["lines_store_unreachable"] == 0


def test_a_warc_deleted_as_the_last_file_of_its_folder_is_gone_not_a_store_error(
    empty_db: str, store: Path, tmp_path: Path, mount_tables: MountTables
) -> None:
    # The crawls' output is a disk of its own, mounted; the folder emptied is not declared.
    _declare(mount_tables, store / "heritrix" / "output", "fstab")
    _mount(mount_tables, store / "heritrix" / "output")
    res = _resources(empty_db, str(store), tmp_path)
    with dg.instance_for_test() as instance:
        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == WARCS
        for file in _warcs_folder(store).iterdir():
            file.unlink()
        found = webarchive_checks.index_lines_resolve(
            res["webarchive_db"], res["warc_store"], res["cdx"], retries=1, backoff_s=0.01)
        meta = {k: v.value for k, v in found.metadata.items()}
        assert not found.passed and meta["lines_store_unreachable"] == 0, meta["store_unreachable"]
        assert meta["problems"].count("its file is not in the store") == 30  # the first shown

        # The next run's listing flags them missing, the store says they are gone: their lines
        # leave the index.
        meta = _metadata(_index(res, instance))[CDX]
        assert (meta["warcs_removed"], _lines(tmp_path)) == (WARCS, [])


@pytest.mark.parametrize("declared_by", ["fstab", BY_HAND])
def test_a_disk_not_mounted_below_the_store_keeps_its_warcs_lines_until_it_is_back(
    empty_db: str, store: Path, tmp_path: Path, mount_tables: MountTables, declared_by: str
) -> None:
    disk = _warcs_folder(store)  # the crawl logs beside it stay listed
    _declare(mount_tables, disk, declared_by)
    _mount(mount_tables, disk)
    res = _resources(empty_db, str(store), tmp_path)
    with dg.instance_for_test() as instance:
        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == WARCS
        lines, rows = _lines(tmp_path), _rows(empty_db)

        _unmount(mount_tables, disk)
        disk.rename(tmp_path / "disk")
        disk.mkdir()
        # The listing flags the disk's WARCs missing; the store, asked, cannot say they are
        # gone (a disk mounted by hand is declared nowhere: the index run remembered it
        # mounted): the run fails (retried), and their lines stay.
        failed = _index(res, instance)
        assert not failed.success
        error = failed.get_step_failure_events()[0].event_specific_data.error.cause.message
        assert f"{disk} is a mount point ({_known(mount_tables, declared_by)}" in error, error
        if declared_by == BY_HAND:
            assert f"retired_mounts: ['{disk}']" in error, error
        assert _lines(tmp_path) == lines
        missing = {p for p, r in _rows(empty_db).items() if r[1]}
        assert missing and all(".warc.gz" in p for p in missing)
        assert {p: r[2:] for p, r in _rows(empty_db).items()} == {
            p: r[2:] for p, r in rows.items()}

        # Mounted again: listed, nothing to index again, every line resolves.
        disk.rmdir()
        (tmp_path / "disk").rename(disk)
        _mount(mount_tables, disk)
        back = _index(res, instance)
        assert back.success and _lines(tmp_path) == lines
        assert _metadata(back)[CDX]["warcs_indexed"] == 0
        found = next(e for e in back.get_asset_check_evaluations()
                     if e.check_name == "index_lines_resolve")
        assert found.passed and found.metadata["lines_checked"].value == 50


def test_a_disk_mounted_by_hand_then_retired_by_the_operator_has_its_warcs_lines_removed(
    empty_db: str, store: Path, tmp_path: Path, mount_tables: MountTables
) -> None:
    disk = _warcs_folder(store)
    _mount(mount_tables, disk)  # declared nowhere
    res = _resources(empty_db, str(store), tmp_path)

    def retiring(*folders: str) -> tuple[dg.ExecuteInProcessResult, str]:
        config = {"config": {**FAST, "retired_mounts": list(folders)}}
        result = dg.materialize(
            [trackdb.trackdb_files, cdx_index.cdx_index], resources=res, raise_on_error=False,
            instance=instance, run_config={"ops": {"webarchive__index__cdx_index": config}},
        )
        failures = result.get_step_failure_events()
        return result, failures[0].event_specific_data.error.to_string() if failures else ""

    def remembered() -> list[tuple[str, bool]]:
        with psycopg.connect(empty_db) as conn:
            return conn.execute("SELECT folder, retired_at IS NOT NULL "
                                "FROM webarchive.store_mounts WHERE store = %s",
                                [str(store)]).fetchall()

    folder = disk.relative_to(store).as_posix()
    with dg.instance_for_test() as instance:
        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == WARCS
        lines = _lines(tmp_path)
        assert lines and remembered() == [(folder, False)]
        _unmount(mount_tables, disk)
        disk.rename(tmp_path / "disk")
        disk.mkdir()
        assert not _index(res, instance).success

        # A folder that is no remembered mount point (a typo), or a disk mounted now, is not
        # retired: the run fails naming it, nothing retired, every line kept.
        typo = disk.parent / "warc"
        failed, error = retiring(str(typo))
        assert not failed.success
        assert f"retired_mounts names {typo}: not a mount point remembered under the store " in (
            error), error
        assert f"(remembered: {disk})" in error, error
        _mount(mount_tables, disk)
        failed, error = retiring(str(disk))
        assert not failed.success and f"retired_mounts names {disk}, mounted now" in error, error
        _unmount(mount_tables, disk)
        assert (_lines(tmp_path), remembered()) == (lines, [(folder, False)])

        # The operator says the disk is retired for good: the store's "not found" is evidence
        # again, and its WARCs' lines leave the index. A retried run retires it again.
        done, error = retiring(str(disk))
        assert done.success, error
        assert (_metadata(done)[CDX]["warcs_removed"], _lines(tmp_path)) == (WARCS, [])
        assert remembered() == [(folder, True)]
        again, error = retiring(folder)  # relative to the store's root, as the config allows
        assert again.success and _metadata(again)[CDX]["warcs_removed"] == 0, error

        # A disk mounted there again is remembered again, its WARCs indexed again.
        disk.rmdir()
        (tmp_path / "disk").rename(disk)
        _mount(mount_tables, disk)
        back = _index(res, instance)
        assert back.success and _metadata(back)[CDX]["warcs_indexed"] == WARCS
        assert sorted(_lines(tmp_path)) == sorted(lines)
        assert remembered() == [(folder, False)]


@pytest.mark.parametrize("output", ["cdxj", "outbackcdx"])
def test_two_older_spellings_that_both_indexed_the_store_are_merged_each_file_indexed_once(
    empty_db: str, store: Path, tmp_path: Path, output: str
) -> None:
    """As an older version left a store configured under two spellings, one after the other:
    each spelling with its rows, and its own index segments holding the same lines."""
    root = store
    older, newer = f"{root}/", f"file://{root}"
    with ExitStack() as stack, dg.instance_for_test() as instance:
        res = _resources(empty_db, str(root), tmp_path)
        if output == "outbackcdx":
            # Index version 4: captures keyed by file and offset too, so that deleting one copy
            # of identical lines deletes the other, and nothing posts it again.
            server = stack.enter_context(outbackcdx(index_version=4))
            res["cdx"] = CdxSettings(output="outbackcdx", outbackcdx_url=server.url,
                                     outbackcdx_ledger_dir=str(tmp_path / "collections"),
                                     verify_sample=50)

        def respell(old: str, new: str) -> None:
            with psycopg.connect(empty_db, autocommit=True) as conn:
                for table in ("trackdb_files", "cdx_segments", "stores"):
                    conn.execute(f"UPDATE webarchive.{table} SET store = %s WHERE store = %s",
                                 [new, old])

        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == WARCS
        first, lines = _rows(empty_db), _lines(tmp_path)
        respell(str(root), "not-yet")  # a name no spelling of the store: not adopted
        assert _metadata(_index(res, instance))[CDX]["warcs_indexed"] == WARCS
        assert sorted(_lines(tmp_path)) == sorted(lines * 2)  # every capture twice
        respell(str(root), newer)
        respell("not-yet", older)
        with psycopg.connect(empty_db, autocommit=True) as conn:  # listed before the newer
            conn.execute("UPDATE webarchive.stores SET last_listed_at = last_listed_at - "
                         "interval '1 day' WHERE store = %s", [older])

        merged = _index(res, instance)
        assert merged.success
        meta = _metadata(merged)
        if output == "outbackcdx":
            # The server holds identical lines once: the kept copy, never deleted.
            assert len(server.lines("data-heritrix")) == len(lines)
            assert server.deletes == 0
    # Each capture once, each file with the state of its first indexing (the older spelling's
    # segments), nothing indexed again.
    assert _lines(tmp_path) == lines
    assert _rows(empty_db) == first
    assert (meta[TRACKDB]["new"], meta[CDX]["warcs_indexed"]) == (0, 0)
    assert (meta[TRACKDB]["spellings_merged"], meta[TRACKDB]["other_spellings"]) == (
        [newer, older], [])
    assert meta[CDX]["duplicate_lines_removed"] == len(lines)
    assert meta[CDX]["warcs_removed"] == 0
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT DISTINCT store FROM webarchive.stores UNION "
                            "SELECT DISTINCT store FROM webarchive.cdx_segments").fetchall() == [
            (str(root),)]
        assert conn.execute("SELECT count(*) FROM webarchive.cdx_duplicate_lines").fetchone() == (
            0,)
    checks = {e.check_name: e.passed for e in merged.get_asset_check_evaluations()}
    assert checks["index_lines_resolve"]
