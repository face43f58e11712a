"""The web archive graph against real WARCs (warcio), the session's PostgreSQL, pywb itself,
an OutbackCDX-compatible endpoint and a real Pushgateway."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import requests

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.metrics import Pushgateway, metrics_to_pushgateway
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.webarchive import access_lists, cdx, trackdb, w3act_backup
from maint_assets.webarchive.demo_data import Capture, load_w3act, write_store, write_warc
from maint_assets.webarchive.keys import TRACKDB
from maint_assets.webarchive.resources import CdxSettings
from maint_assets.webarchive.sensors import webarchive_new_files
from maint_assets_tests.webarchive_servers import outbackcdx, pushed, pywb, pywb_access

WARCS = 6  # complete ones; write_store adds a truncated one, an open one and a non-WARC


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


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def _files(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT path, kind, missing, cdx_indexed_at IS NOT NULL, cdx_error, cdx_records, "
            "collection, stream, job FROM webarchive.trackdb"
        ).fetchall()
    return {r[0].rsplit("/", 1)[-1]: r[1:] for r in rows}


def test_trackdb_refresh_keeps_status_flags_missing_and_refuses_an_empty_listing(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, _ = store
    res = _resources(empty_db, root, tmp_path)
    first = dg.materialize([trackdb.trackdb_files, cdx.cdx_index], resources=res)
    assert first.success
    meta = _metadata(first)["webarchive/webarchive/trackdb_files"]
    assert (meta["files_listed"], meta["new"], meta["changed"]) == (WARCS + 4, WARCS + 4, 0)
    files = _files(empty_db)
    kinds = sorted(kind for kind, *_ in files.values())
    assert kinds == ["crawl-logs", *["warcs"] * (WARCS + 2), "warcs-invalid"]
    name = next(n for n in files if n.endswith("00000-1~crawler~8443.warc.gz"))
    assert files[name][5:] == ("npld", "frequent", "frequent-npld")

    again = dg.materialize([trackdb.trackdb_files], resources=res)
    meta = _metadata(again)["webarchive/webarchive/trackdb_files"]
    assert (meta["new"], meta["changed"], meta["flagged_missing"]) == (0, 0, 0)

    warcs = sorted(root.rglob("*-1~crawler~8443.warc.gz"))
    warcs[0].unlink()  # gone from the store
    write_warc(warcs[1], [Capture("https://news.example.org/new", "20261102000000", b"x")])
    dg.materialize([trackdb.trackdb_files], resources=res)
    after = _files(empty_db)
    assert after[warcs[0].name][1] is True  # flagged, not deleted
    assert after[warcs[0].name][2] is True  # and its indexing status kept
    assert after[warcs[1].name][2] is False  # rewritten: to be indexed again
    assert after[warcs[2].name][2] is True  # untouched: status kept
    with psycopg.connect(empty_db) as conn:
        last_seen = dict(
            conn.execute(
                "SELECT path, last_seen FROM webarchive.trackdb WHERE path LIKE %s",
                [f"%{warcs[0].name}"],
            ).fetchall()
        )
    assert next(iter(last_seen.values())) is not None

    shutil.move(root, tmp_path / "unmounted")
    root.mkdir()
    refused = dg.materialize([trackdb.trackdb_files], resources=res, raise_on_error=False)
    assert not refused.success
    error = refused.get_step_failure_events()[0].event_specific_data.error.message
    assert "listing of" in error and "is empty" in error
    assert _files(empty_db) == after


def test_cdxj_index_is_served_by_pywb_and_bad_warcs_are_recorded(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, captures = store
    res = _resources(empty_db, root, tmp_path)
    result = dg.materialize([trackdb.trackdb_files, cdx.cdx_index], resources=res)
    meta = _metadata(result)["webarchive/cdx/index"]
    assert (meta["warcs_indexed"], meta["warcs_failed"], meta["records"]) == (
        WARCS,
        2,
        len(captures),
    )
    files = _files(empty_db)
    errors = {n: f[3] for n, f in files.items() if f[3]}
    assert len(errors) == 2
    assert any("truncated" in e for e in errors.values())
    assert any("not a WARC" in e for e in errors.values())
    assert not any(f[2] for n, f in files.items() if n.endswith(".open"))
    index = tmp_path / "collections" / "npld" / "indexes"
    lines = [line for p in index.glob("*.cdxj") for line in p.read_text().splitlines()]
    assert lines == sorted(lines, key=lambda s: s.encode()) and len(lines) == len(captures)

    with pywb(
        tmp_path / "pywb",
        {
            "npld": {
                "index_paths": str(index) + "/",
                "archive_paths": str(root) + "/",
            }
        },
    ) as wayback:
        for capture in captures[:: max(1, len(captures) // 25)]:
            found = requests.get(
                f"{wayback}/npld/cdx", params={"url": capture.url, "output": "json"}, timeout=30
            )
            rows = [json.loads(line) for line in found.text.splitlines()]
            assert capture.timestamp in {r["timestamp"] for r in rows}, capture.url
            replay = requests.get(
                f"{wayback}/npld/{capture.timestamp}id_/{capture.url}", timeout=30
            )
            assert replay.status_code == 200 and replay.content == capture.body

    check = dg.materialize([cdx.cdx_index, cdx.every_warc_readable], resources=res)
    evaluation = check.get_asset_check_evaluations()[0]
    assert not evaluation.passed and evaluation.metadata["unreadable_warcs"].value == 2

    nothing = dg.materialize([cdx.cdx_index], resources=res)
    assert _metadata(nothing)["webarchive/cdx/index"]["warcs_indexed"] == 0


def test_cdx11_to_outbackcdx_matches_the_cli_and_isolates_bad_lines(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, captures = store
    poisoned = (
        root / "heritrix/output/frequent-npld/20261101060000/warcs/BL-p-20261103000000000-1.warc.gz"
    )
    write_warc(
        poisoned,
        [Capture(f"https://news.example.org/ok/{i}", "20261103000000", b"fine") for i in range(5)]
        + [Capture("https://news.example.org/poison", "20261103000001", b"bad")],
    )
    with outbackcdx() as server:
        res = _resources(
            empty_db,
            root,
            tmp_path,
            output="outbackcdx",
            outbackcdx_url=server.url,
            outbackcdx_collection="data-heritrix",
            max_lines=7,
        )
        result = dg.materialize([trackdb.trackdb_files, cdx.cdx_index], resources=res)
        received = server.lines["data-heritrix"]
    meta = _metadata(result)["webarchive/cdx/index"]
    assert meta["lines_refused"] == 1 and meta["warcs_indexed"] == WARCS + 1
    assert len(received) == len(captures) + 5
    assert not any("poison" in line for line in received)
    files = _files(empty_db)
    with psycopg.connect(empty_db) as conn:
        bad = conn.execute(
            "SELECT cdx_bad_lines FROM webarchive.trackdb_files WHERE path LIKE '%BL-p-%'"
        ).fetchone()[0]
    assert bad == 1 and files[poisoned.name][2] is True

    # The same lines as the cdxj-indexer command prints for the same files.
    complete = sorted(p for p in root.rglob("*-1~crawler~8443.warc.gz") if p.stat().st_size > 0)
    cli = subprocess.run(
        [
            str(Path(sys.executable).parent / "cdxj-indexer"),
            "-11",
            "--records",
            "response,revisit,resource",
            "--dir-root",
            str(root),
            *map(str, complete),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    expected = {line for line in cli if line.strip() and not line.startswith(" CDX")}
    truncated = {line for line in expected if "00006-1~crawler" in line}  # cut WARC: not posted
    assert {r for r in received if "BL-p-" not in r} == expected - truncated


def test_an_unreachable_cdx_server_fails_the_run_and_marks_nothing(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path
) -> None:
    root, _ = store
    with outbackcdx() as server:
        server.fail_with = 503
        res = _resources(empty_db, root, tmp_path, output="outbackcdx", outbackcdx_url=server.url)
        result = dg.materialize(
            [trackdb.trackdb_files, cdx.cdx_index], resources=res, raise_on_error=False
        )
    assert not result.success
    assert not any(f[2] for f in _files(empty_db).values())


def test_access_lists_load_in_pywb_and_allow_exactly_the_open_targets(
    empty_db: str, tmp_path: Path
) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    allowed = [
        "https://news.example.org/",
        "http://www.news.example.org/story/1",
        "https://news.example.org/archive/2020",
        "http://blogs.example.net/post",
        "http://alice.blogs.example.net/2024/",
        "https://reports.example.com/2024/annual.pdf",
    ]
    blocked = [
        "https://closed.example.org/",
        "https://hidden.example.org/",
        "https://never.example.org/",
        "https://reports.example.com/2023/other.pdf",
        "https://example.org/",
    ]
    publish = tmp_path / "acl"
    store = ArtifactStore(directory=str(tmp_path / "artifacts"))

    def lists() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [access_lists.access_control_lists],
            resources={
                "w3act_db": PostgresResource(url=empty_db),
                "artifacts": store,
                    },
            run_config={
                "ops": {
                    "webarchive__access__control_lists": {"config": {"publish_dir": str(publish)}}
                }
            },
            raise_on_error=False,
        )

    assert lists().success
    rules = pywb_access(publish / "allows.aclj", allowed + blocked)
    assert [u for u in allowed + blocked if rules[u] == "allow"] == allowed
    assert all(rules[u] == "block" for u in blocked)
    assert (publish / "allows.txt").read_text().splitlines() == [
        "http://(com,example,reports)/2024/annual.pdf",
        "http://(net,example,blogs,",
        "http://(org,example,news)/",
    ]
    annotations = json.loads((publish / "annotations.json").read_text())
    news = annotations["collections"]["root"]["https://www.news.example.org/"]
    assert news == {"collection": "News", "collections": ["News"], "subject": ["Arts", "Politics"]}
    assert "subdomains" not in annotations["collections"]  # its collection is unpublished
    assert sorted(p.name for p in publish.iterdir()) == [
        "allows.aclj",
        "allows.txt",
        "annotations.json",
    ]  # no temporary file left
    assert [a.manifest["lines"] for a in store.list("webarchive/access/allows.aclj")] == [3]

    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("DELETE FROM license_target")
    before = (publish / "allows.aclj").read_text()
    refused = lists()
    assert not refused.success and (publish / "allows.aclj").read_text() == before


def test_w3act_backup_dump_restores_and_zip_holds_every_table(
    empty_db: str, tmp_path: Path, s3_store: ArtifactStore, staging_server: PostgresResource
) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    result = dg.materialize(
        [
            w3act_backup.w3act_backup,
            w3act_backup.w3act_dump_restores,
            w3act_backup.w3act_csv_zip_complete,
        ],
        resources={
            "w3act_db": PostgresResource(url=empty_db),
            "artifacts": s3_store,
            "restore_server": staging_server,
            },
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"dump_restores": True, "csv_zip_complete": True}
    latest = s3_store.latest(w3act_backup.CSV_FOLDER)
    assert latest.manifest["tables"]["public.target"] == 6
    assert latest.manifest["tables"]["public.field_url"] == 7


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


def test_an_s3_store_is_listed_and_indexed(
    empty_db: str, store: tuple[Path, list[Capture]], tmp_path: Path, s3_endpoint: str
) -> None:
    import boto3

    root, captures = store
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="warcs")
    for path in root.rglob("*"):
        if path.is_file():
            s3.upload_file(str(path), "warcs", f"crawls/{path.relative_to(root).as_posix()}")
    res = {
        **_resources(empty_db, root, tmp_path),
        "warc_store": FileStore(url="s3://warcs/crawls", endpoint_url=s3_endpoint),
    }
    result = dg.materialize([trackdb.trackdb_files, cdx.cdx_index], resources=res)
    meta = _metadata(result)
    assert meta["webarchive/webarchive/trackdb_files"]["files_listed"] == WARCS + 4
    index = meta["webarchive/cdx/index"]
    assert (index["warcs_indexed"], index["warcs_failed"], index["records"]) == (
        WARCS,
        2,
        len(captures),
    )
    lines = (tmp_path / "collections" / "npld" / "indexes").glob("*.cdxj")
    assert all(
        '"filename": "heritrix/output/' in line
        for p in lines
        for line in p.read_text().splitlines()
    )


def test_layout_from_paths() -> None:
    from datetime import UTC, datetime

    from maint_assets.webarchive.layout import classify

    mtime = datetime(2026, 11, 20, tzinfo=UTC)
    warc = classify(
        "heritrix/output/dc2026/20261101060000/warcs/BL-dc2026-20261102030405123-00001-x.warc.gz",
        mtime,
    )
    assert (warc.kind, warc.collection, warc.stream, warc.job) == (
        "warcs",
        "npld",
        "domain",
        "dc2026",
    )
    assert warc.crawl_ts == datetime(2026, 11, 2, 3, 4, 5, 123000, tzinfo=UTC)
    odd = classify("heritrix/output/j/20261101060000/warcs/BL-j-20261101310000000-1.warc.gz", mtime)
    assert odd.crawl_ts == datetime(2026, 11, 1, 6, tzinfo=UTC)  # hour 31: the launch instead
    data = classify("1_data/bypm/frequent/j1/logs/crawl.log.cp00001", mtime)
    assert (data.kind, data.collection, data.stream, data.crawl_ts) == (
        "crawl-logs",
        "bypm",
        "frequent",
        mtime,
    )
    assert classify("elsewhere/notes.txt", mtime).kind == "unknown"
