"""The web archive graph against WARCs written with warcio in the crawlers' layout, the
session's PostgreSQL, pywb itself, an OutbackCDX server (its API as its source defines it), a
real S3 server and a real Pushgateway. Real crawlers' files: test_webarchive_real_files.py;
the access lists: test_webarchive_access.py."""

import csv
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import requests

from maint_assets.core.metrics import Pushgateway, metrics_to_pushgateway
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.demo.webarchive_data import Capture, load_w3act, write_store, write_warc
from maint_assets.webarchive import checks as webarchive_checks
from maint_assets.webarchive.assets import cdx_index, trackdb, w3act_backup
from maint_assets.webarchive.automation import webarchive_new_files, webarchive_retry_failed
from maint_assets.webarchive.cdx_outputs import CdxServerUnavailable, OutbackCdx
from maint_assets.webarchive.keys import TRACKDB, W3ACT_CSV_FOLDER
from maint_assets.webarchive.resources import CdxSettings
from maint_assets_tests.ports import free_port
from maint_assets_tests.webarchive.servers import outbackcdx, pushed, pywb

WARCS = 6  # complete ones; write_store adds a truncated one, an open one and a non-WARC
FAST = {"file_retries": 1, "retry_backoff_s": 0.01, "run_retries": 0}


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, list[Capture]]:
    root = tmp_path / "store"
    return root, write_store(root, warcs=WARCS, records=30)


def _resources(url: str, root: Path, tmp_path: Path, **cdx_settings: object) -> dict:
    return {
        "webarchive_db": PostgresResource(url=url, lock_timeout_s=5),
        "warc_store": FileStore(url=str(root)),
        "cdx": CdxSettings(cdxj_dir=str(tmp_path / "collections"), **cdx_settings),
    }


def _index(res: dict, **config: object) -> dg.ExecuteInProcessResult:
    """TrackDB from a listing, then the index (and its checks)."""
    return dg.materialize(
        [trackdb.trackdb_files, cdx_index.cdx_index], resources=res, raise_on_error=False,
        run_config={"ops": {"webarchive__index__cdx_index": {"config": {**FAST, **config}}}},
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def _files(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT path, kind, missing, cdx_indexed_at IS NOT NULL, cdx_error, cdx_records, "
            "collection, stream, job FROM webarchive.trackdb"
        ).fetchall()
    return {r[0].rsplit("/", 1)[-1]: r[1:] for r in rows}


def _index_lines(tmp_path: Path) -> list[str]:
    return sorted(
        line for p in (tmp_path / "collections").rglob("*.cdxj") for line in p.open()
    )


def test_trackdb_refresh_keeps_status_flags_missing_and_refuses_an_empty_listing(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, _ = store
    res = _resources(empty_db, root, tmp_path)
    first = _index(res)
    assert first.success
    meta = _metadata(first)["webarchive/webarchive/trackdb_files"]
    assert (meta["files_listed"], meta["new"], meta["changed"]) == (WARCS + 4, WARCS + 4, 0)
    columns = {c.name: c.type for c in meta["dagster/column_schema"].columns}
    assert columns["path"] == "text" and columns["mtime"] == "timestamp with time zone"
    files = _files(empty_db)
    kinds = sorted(kind for kind, *_ in files.values())
    assert kinds == ["crawl-logs", *["warcs"] * (WARCS + 2), "warcs-invalid"]
    name = next(n for n in files if n.endswith("00000-1~crawler~8443.warc.gz"))
    assert files[name][5:] == ("npld", "frequent", "frequent-npld")

    again = dg.materialize([trackdb.trackdb_files], resources=res)
    meta = _metadata(again)["webarchive/webarchive/trackdb_files"]
    assert (meta["new"], meta["changed"], meta["flagged_missing"]) == (0, 0, 0)
    # Rows classified by older rules (ARC files were "unknown") are classified again once.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("UPDATE webarchive.trackdb_files SET kind = 'unknown' WHERE path LIKE %s",
                     [f"%{name}"])
        conn.execute("UPDATE webarchive.stores SET layout_version = 1")
    upgraded = dg.materialize([trackdb.trackdb_files], resources=res)
    assert _metadata(upgraded)["webarchive/webarchive/trackdb_files"]["changed"] == 1
    assert _files(empty_db)[name][0] == "warcs"

    warcs = sorted(root.rglob("*-1~crawler~8443.warc.gz"))
    warcs[0].unlink()  # gone from the store
    write_warc(warcs[1], [Capture("https://news.example.org/new", "20261102000000", b"x")])
    dg.materialize([trackdb.trackdb_files], resources=res)
    after = _files(empty_db)
    assert after[warcs[0].name][1] is True  # flagged, not deleted
    assert after[warcs[0].name][2] is True  # and its indexing status kept
    assert after[warcs[1].name][2] is False  # rewritten: to be indexed again
    assert after[warcs[2].name][2] is True  # untouched: status kept

    shutil.move(root, tmp_path / "unmounted")
    root.mkdir()
    refused = dg.materialize([trackdb.trackdb_files], resources=res, raise_on_error=False)
    assert not refused.success
    error = refused.get_step_failure_events()[0].event_specific_data.error.message
    assert "listing of" in error and "is empty" in error
    assert _files(empty_db) == after


def test_the_index_follows_the_store_when_warcs_are_deleted_moved_or_rewritten(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, captures = store
    res = _resources(empty_db, root, tmp_path, verify_sample=100)
    first = _index(res)
    meta = _metadata(first)["webarchive/index/cdx_index"]
    assert (meta["warcs_indexed"], meta["warcs_quarantined"], meta["records"]) == (
        WARCS, 2, len(captures),
    )
    errors = {n: f[3] for n, f in _files(empty_db).items() if f[3]}
    assert any("truncated" in e for e in errors.values()) and len(errors) == 2
    assert any("not a WARC" in e for e in errors.values())
    assert _checks(first) == {"index_lines_resolve": True, "every_warc_readable": False}

    warcs = sorted(root.rglob("*-1~crawler~8443.warc.gz"))
    deleted, moved, rewritten = warcs[0], warcs[1], warcs[2]
    moved_to = root / "heritrix/output/frequent-npld/20261101060000/warcs/moved" / moved.name
    deleted.unlink()
    moved_to.parent.mkdir()
    shutil.move(moved, moved_to)
    new_capture = Capture("https://news.example.org/rewritten", "20261103000000", b"again")
    write_warc(rewritten, [new_capture])
    # Before TrackDB hears of it, the check sees lines that point nowhere.
    stale = dg.materialize([cdx_index.cdx_index], resources=res)
    assert not _checks(stale)["index_lines_resolve"]

    healed = _index(res)
    meta = _metadata(healed)["webarchive/index/cdx_index"]
    assert (meta["warcs_removed"], meta["warcs_indexed"]) == (3, 2)
    assert _checks(healed)["index_lines_resolve"]
    lines = _index_lines(tmp_path)
    paths = {json.loads(line.split(" ", 2)[2])["filename"] for line in lines}
    assert paths == {str(p.relative_to(root)) for p in [*warcs[3:6], moved_to, rewritten]}
    assert len(lines) == len(captures) - 2 * 30 + 1  # deleted and rewritten: 30 records each
    assert len(list((tmp_path / "collections").rglob("*.cdxj"))) <= 3  # segments, renamed whole

    by_warc = {}
    for c in captures:
        by_warc.setdefault(c.url.split("/page/")[1].split("/")[0], c)
    gone, kept = by_warc["0"], by_warc["1"]  # the first captures of the deleted and moved WARCs
    index = tmp_path / "collections" / "npld" / "indexes"
    with pywb(tmp_path / "pywb",
              {"npld": {"index_paths": f"{index}/", "archive_paths": f"{root}/"}}) as wayback:
        def replay(c: Capture) -> requests.Response:
            return requests.get(f"{wayback}/npld/{c.timestamp}id_/{c.url}", timeout=30)

        assert replay(kept).status_code == 200 and replay(kept).content == kept.body
        assert replay(new_capture).content == b"again"
        assert replay(gone).status_code == 404  # not 503: no line points to a missing file

    # A file the listing misses but the store still has keeps its lines (no evidence it is
    # gone); a run that died leaves a segment the next one removes.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("UPDATE webarchive.trackdb_files SET missing = true WHERE path = %s",
                     [str(moved_to.relative_to(root))])
        conn.execute("INSERT INTO webarchive.cdx_segments (store, name, collection, output, "
                     "state) VALUES (%s, 'maint-dead.cdxj', 'npld', 'cdxj', 'writing')",
                     [str(root)])
    (index / "maint-dead.cdxj").write_text(lines[0])
    again = dg.materialize([cdx_index.cdx_index], resources=res)
    assert _metadata(again)["webarchive/index/cdx_index"]["unfinished_recovered"] == 1
    assert _index_lines(tmp_path) == lines


def test_outbackcdx_gets_batches_quarantines_refused_lines_and_deletes_stale_ones(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, captures = store
    folder = root / "heritrix/output/frequent-npld/20261101060000/warcs"
    poisoned = folder / "BL-p-20261103000000000-1.warc.gz"
    write_warc(poisoned, [Capture(f"https://news.example.org/ok/{i}", "20261103000000", b"fine")
                          for i in range(5)]
               + [Capture("https://news.example.org/refused", "20261103000001", b"bad")])
    with outbackcdx() as server:  # index version 3: captures keyed by URL and second
        server.refuse = lambda line: "/refused" in line
        res = _resources(empty_db, root, tmp_path, output="outbackcdx", outbackcdx_url=server.url,
                         outbackcdx_batch_lines=50,
                         outbackcdx_ledger_dir=str(tmp_path / "ledger"))
        result = _index(res)
        meta = _metadata(result)["webarchive/index/cdx_index"]
        assert (meta["lines_refused"], meta["warcs_indexed"], meta["warcs_quarantined"]) == (
            1, WARCS + 1, 3)
        total = len(captures) + 6
        assert len(server.lines("data-heritrix")) == total - 1  # the refused batch was split
        files = _files(empty_db)
        assert files[poisoned.name][2] and "refused by the CDX server" in files[poisoned.name][3]
        assert not any(f[3] for n, f in files.items() if "~crawler~" in n and f[2])
        assert _checks(result)["index_lines_resolve"]

        # A WARC moved in two steps (copied, indexed, then the original deleted) and another
        # deleted: their lines go through the delete endpoint; the copy's captures, which have
        # the same keys in index version 3, are posted again.
        warcs = sorted(root.rglob("*-1~crawler~8443.warc.gz"))
        copy = folder / "copies" / warcs[1].name
        copy.parent.mkdir()
        shutil.copyfile(warcs[1], copy)
        _index(res)
        warcs[0].unlink()
        warcs[1].unlink()
        healed = _index(res)
        assert _metadata(healed)["webarchive/index/cdx_index"]["warcs_removed"] == 2
        assert _checks(healed)["index_lines_resolve"]
        in_server = server.lines("data-heritrix")
        assert len(in_server) == total - 1 - 30
        assert {line.rsplit(" ", 1)[1] for line in in_server} == {
            str(p.relative_to(root)) for p in [*warcs[2:6], copy, poisoned]
        }

        # The server's rule is relaxed: the retry job indexes the quarantined WARC again.
        server.refuse = lambda line: False
        retried = dg.Definitions(
            assets=[trackdb.trackdb_files, cdx_index.cdx_index], jobs=[webarchive_retry_failed],
            resources=res,
        ).resolve_job_def("webarchive_retry_failed").execute_in_process()
        assert _metadata(retried)["webarchive/index/cdx_index"]["requeued"] == 3
        assert not _files(empty_db)[poisoned.name][3]
        assert len(server.lines("data-heritrix")) == total - 30


def test_a_viral_warc_is_never_indexed_and_leaves_an_index_made_by_older_rules(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    """Heritrix moves a WARC whose record a virus scanner flagged into viral/ (UKWA's layout);
    rules before layout version 3 indexed it into npld like any WARC. Reclassified, its lines
    leave the index and the other WARCs' stay."""
    root, captures = store
    launch = root / "heritrix/output/frequent-npld/20261101060000"
    viral = launch / "viral/BL-v-20261102000000000-1.warc.gz"
    write_warc(viral, [Capture(f"https://infected.example.org/{i}", "20261102000000", b"EICAR")
                       for i in range(4)])
    res = _resources(empty_db, root, tmp_path)
    assert _index(res).success
    assert _files(empty_db)[viral.name][:1] == ("viral",)
    assert not any("infected.example.org" in line for line in _index_lines(tmp_path))

    with psycopg.connect(empty_db, autocommit=True) as conn:  # as the older rules left it
        conn.execute("UPDATE webarchive.trackdb_files SET kind = 'warcs', collection = 'npld' "
                     "WHERE path LIKE '%/viral/%'")
        conn.execute("UPDATE webarchive.stores SET layout_version = 2")
    indexed_only = dg.materialize(  # the index alone: TrackDB would classify them again
        [trackdb.trackdb_files, cdx_index.cdx_index], resources=res,
        selection=[cdx_index.cdx_index.key],
        run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}},
    )
    assert indexed_only.success
    assert sum("infected.example.org" in line for line in _index_lines(tmp_path)) == 4

    healed = _index(res)
    assert healed.success and _checks(healed)["index_lines_resolve"]
    assert _files(empty_db)[viral.name][:3] == ("viral", False, False)
    lines = _index_lines(tmp_path)
    assert not any("infected.example.org" in line for line in lines)
    assert len(lines) == len(captures)


def test_a_path_with_a_space_is_quarantined_for_outbackcdx_and_indexed_in_cdxj(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path, pg_cluster
) -> None:
    """OutbackCDX splits a CDX11 line at spaces (Capture.fromCdxLine): a file name with a
    space there became a wrong file name or a refused line, and its removal matched nothing."""
    root, captures = store
    spaced = root / "1_data/selective/webrecorder/user uploads/warcs/My Capture 2019.warc.gz"
    write_warc(spaced, [Capture("https://spaced.example.org/", "20190101000000", b"x")])
    with outbackcdx(index_version=4) as server:
        res = _resources(empty_db, root, tmp_path, output="outbackcdx", outbackcdx_url=server.url,
                         outbackcdx_ledger_dir=str(tmp_path / "ledger"))
        result = _index(res)
        received = server.lines("data-heritrix")
    assert result.success
    assert "whitespace" in _files(empty_db)[spaced.name][3]
    assert len(received) == len(captures)
    assert not any("spaced.example.org" in line for line in received)

    name = f"{empty_db.rsplit('/', 1)[1]}_cdxj"  # dropped with the session's cluster
    pg_cluster.up([name])
    cdxj_db = pg_cluster.url(name)
    assert _index(_resources(cdxj_db, root, tmp_path)).success
    assert _files(cdxj_db)[spaced.name][2:4] == (True, None)
    assert any('"filename": "1_data/selective/webrecorder/user uploads/warcs/My Capture 2019'
               in line for line in _index_lines(tmp_path))


def test_a_cdx_server_behind_a_proxy_with_a_password_is_named_without_it() -> None:
    """An OutbackCDX behind a proxy asking for basic auth is reached through a URL with user
    and password (requests sends them); a failure named the URL as given, password and all,
    in the run's log and the UI."""
    port = free_port()  # nothing listens there
    server = OutbackCdx(f"http://ops:s3cret@127.0.0.1:{port}/", "warcs", 10, timeout_s=1,
                        retries=0)
    with pytest.raises(CdxServerUnavailable) as err:
        server.index_version()
    assert f"http://127.0.0.1:{port} cannot be reached" in str(err.value)
    assert "s3cret" not in str(err.value) and "ops@" not in str(err.value)


def test_an_unavailable_cdx_server_or_store_is_retried_fails_the_run_and_marks_nothing(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path, s3_endpoint: str,
    monkeypatch
) -> None:
    import boto3

    # botocore's own retries of a refused connection (five, each file, each of the run's own
    # attempts) kept to one (the store's client honours AWS_MAX_ATTEMPTS): 11.2 -> 8.3 s alone;
    # the run's retries are what is tested.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")

    root, captures = store
    with outbackcdx() as server:
        server.fail_with = 503
        res = _resources(empty_db, root, tmp_path, output="outbackcdx", outbackcdx_url=server.url,
                         outbackcdx_ledger_dir=str(tmp_path / "ledger"))
        assert not _index(res).success
        assert server.posts == 0
    files = _files(empty_db)  # nothing indexed; quarantined only the two broken WARCs
    assert not any(f[2] for f in files.values()) and len([f for f in files.values() if f[3]]) == 2

    # An S3 store that cannot be reached while the WARCs are read: every WARC is tried again
    # (file_retries), none is quarantined, the run fails.
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="warcs")
    for path in root.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), "warcs", f"crawls/{path.relative_to(root).as_posix()}")
    s3_res = {**res, "cdx": CdxSettings(cdxj_dir=str(tmp_path / "collections")),
              "warc_store": FileStore(url="s3://warcs/crawls", endpoint_url=s3_endpoint)}
    assert dg.materialize([trackdb.trackdb_files], resources=s3_res).success
    down = {**s3_res, "warc_store": FileStore(url="s3://warcs/crawls",
                                              endpoint_url=f"http://127.0.0.1:{free_port()}")}
    failed = dg.materialize([cdx_index.cdx_index], resources=down, raise_on_error=False,
                            run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}})
    assert not failed.success
    error = failed.get_step_failure_events()[0].event_specific_data.error
    assert "could not be read" in error.cause.message and "(2 attempts)" in error.cause.message
    with psycopg.connect(empty_db) as conn:
        marked = conn.execute("SELECT count(*) FROM webarchive.trackdb_files WHERE store = %s "
                              "AND (cdx_error IS NOT NULL OR cdx_indexed_at IS NOT NULL)",
                              ["s3://warcs/crawls"]).fetchone()[0]
    assert marked == 0
    # Once it answers, all are indexed; one rewritten since the listing waits for the next.
    changed = next(p for p in sorted(root.rglob("*-1~crawler~8443.warc.gz")))
    s3.put_object(Bucket="warcs", Key=f"crawls/{changed.relative_to(root).as_posix()}",
                  Body=changed.read_bytes() + changed.read_bytes())
    back = dg.materialize([cdx_index.cdx_index], resources=s3_res,
                          run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}})
    meta = _metadata(back)["webarchive/index/cdx_index"]
    assert (meta["warcs_indexed"], meta["warcs_quarantined"],
            meta["warcs_changed_since_listing"], meta["records"]) == (
        WARCS - 1, 2, 1, len(captures) - 30,
    )
    relisted = dg.materialize([trackdb.trackdb_files, cdx_index.cdx_index], resources=s3_res)
    # both copies' records
    assert _metadata(relisted)["webarchive/index/cdx_index"]["records"] == 60
    lines = (tmp_path / "collections" / "npld" / "indexes").glob("*.cdxj")
    assert all('"filename": "heritrix/output/' in line for p in lines for line in p.open())


def _outbackcdx_resources(empty_db: str, root: Path, tmp_path: Path, url: str) -> dict:
    """Resources indexing into the OutbackCDX at ``url``; the check samples 50 lines."""
    return _resources(empty_db, root, tmp_path, output="outbackcdx", outbackcdx_url=url,
                      outbackcdx_ledger_dir=str(tmp_path / "ledger"), verify_sample=50)


def _checked_again(res: dict) -> tuple[dg.ExecuteInProcessResult, dict]:
    """A run with nothing new to index (it never calls the server, its check does) that
    succeeds with its check passed: the result and the check's metadata, its description as
    "why"."""
    result = dg.materialize(
        [cdx_index.cdx_index], resources=res, raise_on_error=False,
        run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}},
    )
    assert result.success
    found = next(e for e in result.get_asset_check_evaluations()
                 if e.check_name == "index_lines_resolve")
    assert found.passed, found.metadata["problems"].value
    return result, {k: v.value for k, v in found.metadata.items()} | {"why": found.description}


def test_a_cdx_server_down_during_or_before_the_check_leaves_lines_unchecked_not_bad(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, _ = store
    with outbackcdx() as server:
        res = _outbackcdx_resources(empty_db, root, tmp_path, server.url)
        assert _checks(_index(res))["index_lines_resolve"]
        files = _files(empty_db)

        # It answers five lines, then goes down in the middle of the check.
        server.queries_left = 5
        during, meta = _checked_again(res)
        assert (meta["lines_checked"], meta["lines_cdx_server_unreachable"]) == (5, 45)
        assert meta["problems"] == "none" and meta["lines_store_unreachable"] == 0
        said = meta["cdx_server_unreachable"]
        assert server.url in said and "cannot be reached" in said and "(tried 2 times)" in said
        assert "45 sampled line(s) resolve in the store but were not checked" in meta["why"]
        assert _metadata(during)["webarchive/index/cdx_index"]["warcs_indexed"] == 0

    # Down before the check: no line is asked about, none is bad.
    _, meta = _checked_again(res)
    assert (meta["lines_checked"], meta["lines_cdx_server_unreachable"]) == (0, 50)
    assert meta["problems"] == "none" and "(tried 2 times)" in meta["cdx_server_unreachable"]
    assert _files(empty_db) == files  # nothing marked


def test_a_cdx_server_refusing_requests_fails_the_indexing_naming_them_and_marks_nothing(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    """A 403 (a proxy in front of OutbackCDX) is neither about the lines nor the server being
    down: not retried, and nothing is marked bad because of it."""
    root, _ = store
    with outbackcdx() as server:
        res = _outbackcdx_resources(empty_db, root, tmp_path, server.url)
        server.fail_with = 403
        refused = _index(res)
        assert not refused.success
        error = refused.get_step_failure_events()[0].event_specific_data.error
        message = error.message + (error.cause.message if error.cause else "")
        collection = res["cdx"].outbackcdx_collection
        assert (f"the CDX server {server.url} answered 403 Forbidden to POST /{collection} ("
                in message)
        assert "line(s) to add)" in message and "Request forbidden" in message, message
        files = _files(empty_db)
        # Nothing indexed; quarantined only the two broken WARCs, as with the server answering.
        assert not any(f[2] for f in files.values())
        assert sorted(n.rsplit("-", 2)[1] for n, f in files.items() if f[3]) == ["00006", "99999"]

        # Let through: the next run indexes them all.
        server.fail_with = None
        assert _metadata(_index(res))["webarchive/index/cdx_index"]["warcs_indexed"] == WARCS


def test_a_cdx_server_refusing_the_checks_lookups_leaves_its_lines_unchecked_not_failed(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, _ = store
    with outbackcdx() as server:
        res = _outbackcdx_resources(empty_db, root, tmp_path, server.url)
        assert _checks(_index(res))["index_lines_resolve"]
        indexed = _files(empty_db)

        # The proxy refuses the check's lookups: its lines are not checked, and named.
        server.fail_with = 403
        _, meta = _checked_again(res)
        assert meta["problems"] == "none", meta["problems"]
        assert (meta["lines_checked"], meta["lines_cdx_server_unreachable"]) == (0, 50)
        said = meta["cdx_server_unreachable"]
        assert f"the CDX server {server.url} answered 403 Forbidden to GET /" in said, said
        assert _files(empty_db) == indexed  # nothing marked


def test_w3act_backup_dump_restores_and_zip_holds_every_table(
    empty_db: str, tmp_path: Path, s3_store, staging_server: PostgresResource
) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    result = dg.materialize(
        [
            w3act_backup.w3act_backup,
            webarchive_checks.w3act_dump_restores,
            webarchive_checks.w3act_csv_zip_complete,
        ],
        resources={"w3act_db": PostgresResource(url=empty_db), "artifacts": s3_store,
                   "restore_server": staging_server},
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"dump_restores": True, "csv_zip_complete": True}
    latest = s3_store.latest(W3ACT_CSV_FOLDER)
    assert latest.manifest["tables"]["public.target"] == 11
    assert latest.manifest["tables"]["public.field_url"] == 12
    # Laid out as the runbook's `w3act get-csv` folder zipped: python-w3act's load_csv
    # (w3act/dbc/client.py) opens <folder>/target.csv, field_url.csv, taxonomy.csv,
    # collection_target.csv, subject_target.csv, license_target.csv once it is extracted.
    with zipfile.ZipFile(s3_store.fetch(latest, tmp_path / "w3act.zip")) as zf:
        zf.extractall(tmp_path / "extracted")
    folder = tmp_path / "extracted" / "w3act-db-csv"
    for table in ("target", "field_url", "taxonomy", "collection_target", "subject_target",
                  "license_target"):
        with (folder / f"{table}.csv").open(newline="") as f:
            header = next(csv.reader(f))
        assert "id" in header or table.endswith("_target"), (table, header)


def test_the_zip_check_reads_the_zip_its_run_recorded(
    empty_db: str, tmp_path: Path, s3_store, staging_server: PostgresResource,
    dagster_instance: dg.DagsterInstance,
) -> None:
    """A newer zip in the folder that no run of the asset wrote (cut short, so it would fail)
    is not what the check reads: with the newest file of the folder it failed."""
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    everything = [
        w3act_backup.w3act_backup,
        webarchive_checks.w3act_dump_restores,
        webarchive_checks.w3act_csv_zip_complete,
    ]
    resources = {"w3act_db": PostgresResource(url=empty_db), "artifacts": s3_store,
                 "restore_server": staging_server}
    first = dg.materialize(everything, resources=resources, instance=dagster_instance)
    recorded = first.get_asset_materialization_events()[0].materialization.metadata["csv_zip"]
    good = s3_store.latest(W3ACT_CSV_FOLDER)
    assert good.key == recorded.value
    whole = s3_store.fetch(good, tmp_path / "whole.zip").read_bytes()
    (tmp_path / "stray.zip").write_bytes(whole[: len(whole) // 2])
    stray = s3_store.put(tmp_path / "stray.zip", W3ACT_CSV_FOLDER, "w3act-db-csv.zip",
                         good.manifest)
    assert s3_store.latest(W3ACT_CSV_FOLDER).key == stray.key
    checks_only = dg.AssetSelection.checks(webarchive_checks.w3act_csv_zip_complete)
    again = dg.materialize(
        everything, resources=resources, instance=dagster_instance, selection=checks_only,
        raise_on_error=False,
    )
    (check,) = again.get_asset_check_evaluations()
    assert check.passed and check.metadata["artifact"].value == recorded.value


def test_metrics_of_a_run_reach_a_real_pushgateway(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path, pushgateway_url: str,
    dagster_instance: dg.DagsterInstance,
) -> None:
    root, _ = store
    instance = dagster_instance
    result = dg.materialize(
        [trackdb.trackdb_files], resources=_resources(empty_db, root, tmp_path),
        instance=instance,
    )
    tick = metrics_to_pushgateway(
        dg.build_sensor_context(
            instance=instance, resources={"pushgateway": Pushgateway(url=pushgateway_url)}
        )
    )
    latest = instance.get_latest_materialization_event(TRACKDB)
    assert "metric groups pushed" in tick.skip_message
    assert result.success and latest is not None
    asset = "webarchive/webarchive/trackdb_files"
    assert latest.asset_materialization.metadata["files_listed"].value == WARCS + 4
    assert pushed(
        pushgateway_url, "maint_asset_metadata_value", asset=asset, name="files_listed"
    ) == WARCS + 4
    assert pushed(
        pushgateway_url, "maint_asset_last_success_timestamp_seconds", asset=asset
    ) == pytest.approx(latest.timestamp)


def test_sensor_reports_new_files_once(tmp_path: Path) -> None:
    root = tmp_path / "store"
    write_store(root, warcs=2, records=3)
    store = FileStore(url=str(root))
    first = webarchive_new_files(dg.build_sensor_context(resources={"warc_store": store}))
    assert first.asset_events[0].metadata["new_files"].value == 6
    idle = webarchive_new_files(
        dg.build_sensor_context(cursor=first.cursor, resources={"warc_store": store})
    )
    assert idle.skip_reason and not idle.asset_events
    write_warc(
        root / "later.warc.gz", [Capture("https://news.example.org/x", "20261105000000", b"x")]
    )
    later = webarchive_new_files(
        dg.build_sensor_context(cursor=first.cursor, resources={"warc_store": store})
    )
    assert later.asset_events[0].metadata["new_files"].value == 1


def test_layout_from_paths() -> None:
    from maint_assets.webarchive.layout import classify

    mtime = datetime(2026, 11, 20, tzinfo=UTC)
    warc = classify(
        "heritrix/output/dc2026/20261101060000/warcs/BL-dc2026-20261102030405123-00001-x.warc.gz",
        mtime,
    )
    assert (warc.kind, warc.collection, warc.stream, warc.job) == (
        "warcs", "npld", "domain", "dc2026",
    )
    assert warc.crawl_ts == datetime(2026, 11, 2, 3, 4, 5, 123000, tzinfo=UTC)
    odd = classify("heritrix/output/j/20261101060000/warcs/BL-j-20261101310000000-1.warc.gz", mtime)
    assert odd.crawl_ts == datetime(2026, 11, 1, 6, tzinfo=UTC)  # hour 31: the launch instead
    data = classify("1_data/bypm/frequent/j1/logs/crawl.log.cp00001", mtime)
    assert (data.kind, data.collection, data.stream, data.crawl_ts) == (
        "crawl-logs", "bypm", "frequent", mtime,
    )
    assert classify("elsewhere/notes.txt", mtime).kind == "unknown"
    # Heritrix 1: ARC files in an arcs folder, 14-digit timestamps; ARCs anywhere are indexed
    arc = classify("heritrix/output/j/20080430000000/arcs/IAH-20080430204825-00000-h.arc.gz",
                   mtime)
    assert (arc.kind, arc.crawl_ts) == ("arcs", datetime(2008, 4, 30, 20, 48, 25, tzinfo=UTC))
    warc = classify("heritrix/output/j/20080430000000/warcs/IAH-20080430204825-00000-h.warc.gz",
                    mtime)
    assert warc.crawl_ts == datetime(2008, 4, 30, 20, 48, 25, tzinfo=UTC)  # not the launch
    assert classify("old/IAH-20080430204825-00001-h.arc", mtime).kind == "arcs"
    assert classify("heritrix/output/j/20080430204825/arcs/x.arc.gz.open", mtime).kind == (
        "warcs-invalid"
    )
    # Paths invented in UKWA's layouts (its path parser, ukwa-manage lib/store/hdfs_layout.py);
    # its real listing is judged in test_webarchive_real_files.py. Heritrix moves a WARC whose
    # record a virus scanner flagged into viral/: never indexed.
    viral = classify(
        "heritrix/output/frequent-npld/20190101120000/viral/BL-NPLD-20190102030405123-1.warc.gz",
        mtime,
    )
    assert (viral.kind, viral.collection) == ("viral", "npld")
    # 2013: kind/job/launch; a launch folder with a suffix (a restarted crawl)
    old = classify("heritrix/output/warcs/daily-0300/20140615020125/BL-x.warc.gz", mtime)
    assert (old.kind, old.collection, old.stream, old.job) == (
        "warcs", "npld", "frequent", "daily-0300")
    assert old.crawl_ts == datetime(2014, 6, 15, 2, 1, 25, tzinfo=UTC)  # no stamp: the launch
    dc = classify("heritrix/output/viral/dc3-20150827/BL-dc-20150830010203456-1.warc.gz", mtime)
    assert (dc.kind, dc.collection, dc.stream, dc.job) == ("viral", "npld", "domain", "dc2015")
    restarted = classify(
        "heritrix/output/frequent-bypm/20190101120000-restart/warcs/BL-20190101130000000-1.warc.gz",
        mtime,
    )
    assert (restarted.kind, restarted.collection, restarted.stream) == ("warcs", "bypm", "frequent")
    wct = classify("data/8486916/60396034/WARCS/BL-60396034-20111007142346-00014-s.warc.gz", mtime)
    assert (wct.kind, wct.collection, wct.stream, wct.job) == (
        "warcs", "selective", "selective", "8486916")
    assert wct.crawl_ts == datetime(2011, 10, 7, 14, 23, 46, tzinfo=UTC)
    assert classify("data/8486916/60396034/WARCS/BL-1.warc.cdx", mtime).kind == "cdx"
    assert classify("_to_be_deleted/heritrix/output/warcs/x/20140101000000/BL-1.warc.gz",
                    mtime).kind == "to-be-deleted"
    # The file's own stamp is the last one of its name, not a date in its prefix.
    named = classify("x/BL-NPLD-20190101120000-20190102030405123-00001-h.warc.gz", mtime)
    assert named.crawl_ts == datetime(2019, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)


def test_workers_take_the_largest_files_first_and_answer_in_task_order(tmp_path: Path) -> None:
    from maint_assets.webarchive.indexing import dispatch_order, index_all

    store = tmp_path / "store"
    store.mkdir()
    tasks = []
    for i, count in enumerate([1, 12, 3, 8]):
        name = f"w{i}.warc.gz"
        write_warc(store / name, [
            Capture(f"https://example.org/{i}/{n}", "20261101000000", b"<html>x</html>")
            for n in range(count)
        ])
        tasks.append({"store_url": str(store), "endpoint_url": "", "path": name,
                      "collection": "npld", "out": str(tmp_path / f"{i}.cdxj"), "fmt": "cdxj",
                      "size": (store / name).stat().st_size})
    # largest first, whatever the task order (newest first) says
    assert dispatch_order(tasks) == [1, 3, 2, 0]
    results = index_all(tasks, workers=2)
    assert [(r.path, r.status, r.records) for r in results] == [
        ("w0.warc.gz", "indexed", 1), ("w1.warc.gz", "indexed", 12),
        ("w2.warc.gz", "indexed", 3), ("w3.warc.gz", "indexed", 8),
    ]
