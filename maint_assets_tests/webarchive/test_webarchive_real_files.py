"""The index over real WARC and ARC files written by other people's crawlers (Heritrix 1 and 3,
Wget, wpull, warcprox, Webrecorder, Common Crawl: data/webarchive/README.md), judged against
the ``cdxj-indexer`` command and served by pywb started with deploy/pywb/config.yaml."""

import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import requests
from warcio.archiveiterator import ArchiveIterator

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.demo.webarchive_data import load_w3act
from maint_assets.webarchive.assets import access_lists, cdx_index, trackdb
from maint_assets.webarchive.layout import classify
from maint_assets.webarchive.resources import CdxSettings
from maint_assets_tests.webarchive.servers import outbackcdx, pywb
from maint_assets_tests.webhdfs_server import WebHdfsServer

DATA = Path(__file__).parents[1] / "data" / "webarchive"
CHECKOUT = Path(__file__).resolve().parents[2]
H3 = "heritrix/output/daily-0900/20140325120000/warcs"
H1 = "heritrix/output/ia-shallow/20080430204825"
WDU = "ukwa-webarchive-discovery"
# Where each real file sits in the store (the crawlers' layouts), and the files that must be
# quarantined; two more are cut from real ones in the fixture.
LAYOUT = {
    f"{H3}/BL-20140325122341434-00000-32090~opera~8443.warc.gz":
        f"{WDU}/BL-20140325122341434-00000-32090~opera~8443.warc.gz",
    f"{H1}/arcs/IAH-20080430204825-00000-blackbook-truncated.arc.gz":
        f"{WDU}/IAH-20080430204825-00000-blackbook-truncated.arc.gz",
    f"{H1}/warcs/IAH-20080430204825-00000-blackbook-truncated.warc.gz":
        f"{WDU}/IAH-20080430204825-00000-blackbook-truncated.warc.gz",
    f"{H1}/arcs/IAH-20080430204825-00000-blackbook.arc":
        f"{WDU}/IAH-20080430204825-00000-blackbook-truncated.arc",
    "1_data/selective/wget/iah-urls/warcs/IAH-urls-wget.warc.gz": f"{WDU}/IAH-urls-wget.warc.gz",
    **{f"other/{p.parent.name}/{p.name.removesuffix('.bad')}": f"{p.parent.name}/{p.name}"
       for p in DATA.glob("webrecorder-*/*")},
    f"other/{WDU}/truncated_datetime.warc": f"{WDU}/truncated_datetime.warc",
}
CUT = {
    f"{H3}/BL-20140325122341434-00001-cut.warc.gz": LAYOUT[
        f"{H3}/BL-20140325122341434-00000-32090~opera~8443.warc.gz"],
    f"{H1}/arcs/IAH-20080430204825-00001-cut.arc.gz": LAYOUT[
        f"{H1}/arcs/IAH-20080430204825-00000-blackbook-truncated.arc.gz"],
    # An uncompressed ARC has no separator or gzip tail to betray a cut: only its record's
    # declared length does (cut inside warcio's example.arc response, 1 591 bytes from 151).
    f"{H1}/arcs/IAH-20080430204825-00002-cut.arc": "webrecorder-warcio/example.arc",
}
QUARANTINED = {
    f"{H1}/arcs/IAH-20080430204825-00000-blackbook.arc",
    "other/webrecorder-warcio/example-trunc.warc",
    "other/webrecorder-warcio/example-bad.warc.gz",
    "other/webrecorder-pywb/bad.arc",
    *CUT,
}
UKWA_LISTING = DATA / "ukwa-manage" / "current-hdfs-parsed-paths.csv"


def _write_real_store(root: Path) -> None:
    for path, source in LAYOUT.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / source, root / path)
    for path, source in CUT.items():
        data = (DATA / source).read_bytes()
        (root / path).write_bytes(data[: len(data) // 2])


@pytest.fixture
def real_store(empty_db: str, tmp_path: Path) -> tuple[Path, dict, dg.ExecuteInProcessResult]:
    root = tmp_path / "store"
    _write_real_store(root)
    res = {
        "webarchive_db": PostgresResource(url=empty_db),
        "warc_store": FileStore(url=str(root)),
        "cdx": CdxSettings(cdxj_dir=str(tmp_path / "collections"), verify_sample=300),
    }
    result = dg.materialize(
        [trackdb.trackdb_files, cdx_index.cdx_index], resources=res
    )
    return root, res, result


def _cli(root: Path, files: list[str], *flags: str) -> list[str]:
    """The command's lines, POST captures keyed with their body (and, in CDXJ, its fields) as
    its --post-append keys them, as pywb's own indexer (wb-manager add) and UKWA's CDX11
    indexing do; the rest of each line as the plain command writes it: with --post-append it
    gives every record without a WARC-Payload-Digest header the SHA-1 of nothing. Left out, on
    purpose: a crawler's own files in resource records of a ``metadata://`` URI (Wget's log and
    command line), which the command keys as pages of that host."""
    appended = {_where(line, flags): line for line in _run(root, files, *flags, "--post-append")}
    return sorted(_merged(line, appended[_where(line, flags)], flags)
                  for line in _run(root, files, *flags) if not _crawlers_own(line, flags))


def _crawlers_own(line: str, flags: tuple[str, ...]) -> bool:
    url = line.split(" ")[2] if "-11" in flags else json.loads(line.split(" ", 2)[2])["url"]
    return url.startswith("metadata://")


def _run(root: Path, files: list[str], *flags: str) -> list[str]:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "cdxj-indexer"), *flags, "--records",
         "response,revisit,resource", "--dir-root", str(root), *(str(root / f) for f in files)],
        capture_output=True, text=True, check=True,
    )
    return [f"{line}\n" for line in done.stdout.splitlines()
            if line.strip() and not line.startswith(" CDX")]


def _where(line: str, flags: tuple[str, ...]) -> tuple[str, str]:
    if "-11" in flags:
        fields = line.split(" ")
        return fields[10], fields[9]
    found = json.loads(line.split(" ", 2)[2])
    return found["filename"], found["offset"]


def _merged(plain: str, appended: str, flags: tuple[str, ...]) -> str:
    key = appended.split(" ", 1)[0]
    if "-11" in flags:
        return " ".join([key, *plain.split(" ")[1:]])
    _, timestamp, fields = plain.split(" ", 2)
    body = {k: v for k, v in json.loads(appended.split(" ", 2)[2]).items()
            if k in ("requestBody", "method")}
    return f"{key} {timestamp} {json.dumps(json.loads(fields) | body)}\n"


def _rows(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT path, kind, cdx_indexed_at IS NOT NULL, cdx_error, cdx_warnings, crawl_ts, "
            "collection FROM webarchive.trackdb"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_every_record_cdxj_indexer_indexes_is_in_the_index_and_broken_files_are_quarantined(
    real_store, empty_db: str, tmp_path: Path
) -> None:
    root, _, result = real_store
    assert result.success
    rows = _rows(empty_db)  # path: kind, indexed, error, warnings, crawl time, collection
    indexed = sorted(p for p, r in rows.items() if r[1])
    assert indexed == sorted(set(LAYOUT) - QUARANTINED)
    assert {p for p, r in rows.items() if r[2]} == QUARANTINED  # each with its reason
    assert {p for p in indexed if rows[p][0] == "arcs"} == {
        f"{H1}/arcs/IAH-20080430204825-00000-blackbook-truncated.arc.gz",
        "other/webrecorder-warcio/example.arc", "other/webrecorder-warcio/example.arc.gz",
    }
    assert "truncated" in rows[f"{H3}/BL-20140325122341434-00001-cut.warc.gz"][2]
    # pywb's corrupt ARC (lengths -1, 1 and abc): cdxj-indexer indexes three records that pywb
    # answers 500 for
    assert "declares its length as '-1'" in rows["other/webrecorder-pywb/bad.arc"][2]
    # request records only: nothing to replay, nothing wrong
    assert "other/webrecorder-warcio/example-digest.warc" in indexed
    assert "truncated" in rows[f"{H1}/arcs/IAH-20080430204825-00001-cut.arc.gz"][2]
    # cdxj-indexer digests every ARC record in a buffer of its own, which hid the cut from the
    # length check: it was indexed with the 753 bytes it had, and pywb hung replaying it
    assert "truncated" in rows[f"{H1}/arcs/IAH-20080430204825-00002-cut.arc"][2]

    lines = sorted(
        line for p in (tmp_path / "collections").rglob("*.cdxj") for line in p.open()
    )
    assert lines == _cli(root, indexed)  # byte for byte
    # Wget's log and command line (which may hold --http-password): the command keys each
    # as the page http://gnu.org/software/wget/warc/…, which pywb would then serve.
    wget = ["1_data/selective/wget/iah-urls/warcs/IAH-urls-wget.warc.gz",
            "other/webrecorder-pywb/example-wget-1-14.warc.gz"]
    theirs = [line for line in _run(root, wget) if line.startswith("org,gnu)/software/wget/")]
    assert len(theirs) == 6
    assert not [line for line in lines if line.startswith("org,gnu)/")]
    for segment in (tmp_path / "collections").rglob("*.cdxj"):
        text = segment.read_bytes().splitlines()
        assert text == sorted(text)
    check = _check(result, "index_lines_resolve")
    assert check.passed, check.metadata["problems"].value
    assert check.metadata["lines_checked"].value == 300

    # Heritrix 1 names its files with 14 digits: the crawl time, not the file's mtime.
    arc = rows[f"{H1}/arcs/IAH-20080430204825-00000-blackbook-truncated.arc.gz"]
    assert arc[4] == datetime(2008, 4, 30, 20, 48, 25, tzinfo=UTC)
    assert rows[f"{H3}/BL-20140325122341434-00000-32090~opera~8443.warc.gz"][4] == datetime(
        2014, 3, 25, 12, 23, 41, 434000, tzinfo=UTC)
    # warcio's warnings are kept with the file they concern.
    trunc = rows["other/webrecorder-warcio/example-trunc.warc"]
    assert any("Record not followed by newline" in w for w in trunc[3])
    assert not any(rows[p][3] for p in indexed)


def test_the_same_files_read_over_webhdfs_are_indexed_line_for_line(
    real_store, empty_db: str, tmp_path: Path
) -> None:
    """UKWA's WARCs are in HDFS, which its access services read over WebHDFS (an HttpFS
    gateway: ukwa-manage's lib/store/webhdfs.py). The same real crawlers' files, served by the
    tests' WebHDFS server (maint_assets_tests/webhdfs_server.py), are listed, indexed,
    verified and quarantined as the files on disk are, line for line."""
    _, res, on_disk = real_store
    assert on_disk.success
    _write_real_store(tmp_path / "hdfs" / "ukwa")
    for copy in (tmp_path / "hdfs" / "ukwa").rglob("*"):  # the same files, the same times
        found = (tmp_path / "store" / copy.relative_to(tmp_path / "hdfs" / "ukwa")).stat()
        os.utime(copy, ns=(found.st_atime_ns, found.st_mtime_ns))
    with WebHdfsServer(tmp_path / "hdfs", gateway=True) as server:
        over_webhdfs = dg.materialize([trackdb.trackdb_files, cdx_index.cdx_index], resources={
            **res, "warc_store": FileStore(url=server.url("/ukwa")),
            "cdx": CdxSettings(cdxj_dir=str(tmp_path / "webhdfs"), verify_sample=300),
        })
    assert over_webhdfs.success
    assert _check(over_webhdfs, "index_lines_resolve").passed
    stores: dict[str, dict] = {}
    with psycopg.connect(empty_db) as conn:
        for store, path, *rest in conn.execute(
            "SELECT store, path, kind, cdx_indexed_at IS NOT NULL, cdx_error, cdx_records, "
            "collection, size, date_trunc('milliseconds', mtime), "  # HDFS keeps milliseconds
            "date_trunc('milliseconds', crawl_ts) FROM webarchive.trackdb"
        ):
            stores.setdefault(store, {})[path] = tuple(rest)
    assert stores.keys() == {server.url("/ukwa"), str(tmp_path / "store")}
    assert stores[server.url("/ukwa")] == stores[str(tmp_path / "store")]

    def lines(folder: str) -> list[str]:
        return sorted(line for p in (tmp_path / folder).rglob("*.cdxj") for line in p.open())

    assert lines("webhdfs") == lines("collections") != []

    # pywb, with the deploy config, replays from the store over WebHDFS (its own loader)
    env = {"WEBARCHIVE_CDXJ_DIR": str(tmp_path / "webhdfs"), "WEBHDFS_USER": "access",
           "WEBARCHIVE_ACL_DIR": str(_access_lists(empty_db, tmp_path))}
    example = _payload(tmp_path / "store/other/webrecorder-warcio/example.warc.gz",
                       "http://example.com/")
    with (WebHdfsServer(tmp_path / "hdfs") as server,
          pywb(tmp_path / "pywb", CHECKOUT / "deploy/pywb/config.yaml",
               {**env, "WEBARCHIVE_STORE_URL": server.url("/ukwa")}) as wayback):
        replay = requests.get(f"{wayback}/default/20140216050221id_/http://example.com/",
                              timeout=30)
        assert replay.status_code == 200 and replay.content == example
        assert requests.get(f"{wayback}/npld/20140325122924id_/http://data.gov.uk/about",
                            timeout=30).status_code == 200
        assert {q.get("user.name") for q in server.queries} == {"access"}


def test_an_index_made_before_the_metadata_rule_loses_those_lines_at_the_next_run(
    real_store, empty_db: str, tmp_path: Path
) -> None:
    """An index built by a version that still indexed Wget's metadata:// records (its log and
    command line, served as pages of gnu.org): the next run re-queues the files holding such
    lines, once, removes their lines and indexes them again; no other file is touched."""
    root, res, _ = real_store
    wget = ["1_data/selective/wget/iah-urls/warcs/IAH-urls-wget.warc.gz",
            "other/webrecorder-pywb/example-wget-1-14.warc.gz"]
    theirs = [line for line in _run(root, wget) if _crawlers_own(line, ())]
    with psycopg.connect(empty_db, autocommit=True) as conn:
        for path in wget:  # their lines as the earlier version wrote them into each segment
            segment = conn.execute(
                "SELECT s.collection, f.cdx_segment FROM webarchive.trackdb_files f "
                "JOIN webarchive.cdx_segments s ON s.store = f.store AND s.name = f.cdx_segment "
                "WHERE f.path = %s", [path]).fetchone()
            file = tmp_path / "collections" / segment[0] / "indexes" / segment[1]
            mine = [line for line in theirs if f'"filename": "{path}"' in line]
            file.write_bytes(b"".join(sorted(file.read_bytes().splitlines(keepends=True)
                                             + [line.encode() for line in mine])))
        conn.execute("UPDATE webarchive.stores SET index_rules_version = NULL")
        before = dict(conn.execute(
            "SELECT path, cdx_indexed_at FROM webarchive.trackdb_files").fetchall())
    assert len(theirs) == 6
    again = dg.materialize([cdx_index.cdx_index], resources=res)
    assert again.success
    meta = again.get_asset_materialization_events()[0].materialization.metadata
    assert meta["requeued_for_rules"].value == 2
    lines = sorted(line for p in (tmp_path / "collections").rglob("*.cdxj") for line in p.open())
    assert not [line for line in lines if line.startswith("org,gnu)/")]
    indexed = sorted(p for p, r in _rows(empty_db).items() if r[1])
    assert lines == _cli(root, indexed)
    with psycopg.connect(empty_db) as conn:
        after = dict(conn.execute(
            "SELECT path, cdx_indexed_at FROM webarchive.trackdb_files").fetchall())
    assert {p for p in after if after[p] != before[p]} == set(wget)
    assert dg.materialize([cdx_index.cdx_index], resources=res).get_asset_materialization_events(
    )[0].materialization.metadata["requeued_for_rules"].value == 0  # once


def test_the_layout_agrees_with_ukwas_own_parser_on_its_real_listing() -> None:
    """2 000 paths of UKWA's HDFS listing with what its own path parser made of them
    (ukwa-manage's test data: data/webarchive/README.md): every file it places in a crawl
    layout gets the same kind, collection, stream and job here, and so is indexed (kind warcs)
    or not alike."""
    with UKWA_LISTING.open(newline="") as f:
        listing = list(csv.DictReader(f))
    placed = [row for row in listing if row["recognised"] == "True"]
    assert len(listing) == 2000 and len(placed) > 1000
    differ = {}
    for row in placed:
        ours = classify(row["file_path"].lstrip("/"), datetime(2020, 1, 1, tzinfo=UTC))
        theirs = tuple(None if row[k] == "None" else row[k]
                       for k in ("kind", "collection", "stream", "job"))
        if ours[:4] != theirs:
            differ[row["file_path"]] = (ours[:4], theirs)
    assert not differ, list(differ.items())[:5]
    kinds = Counter(row["kind"] for row in placed)
    assert kinds["warcs"] == 473 and kinds["to-be-deleted"] == 229  # all layouts are in it


def _access_lists(db: str, tmp_path: Path) -> Path:
    """The demo's W3ACT rows (its real schema) made into access lists; their folder."""
    with psycopg.connect(db, autocommit=True) as conn:
        load_w3act(conn)
    acl = tmp_path / "acl"
    assert dg.materialize(
        [access_lists.access_lists],
        resources={"w3act_db": PostgresResource(url=db),
                   "artifacts": ArtifactStore(directory=str(tmp_path / "artifacts"))},
        run_config={"ops": {"webarchive__list__access_lists": {
            "config": {"publish_dir": str(acl)}}}},
    ).success
    return acl


def test_pywb_serves_the_index_under_the_access_list_with_the_deploy_config(
    real_store, empty_db: str, tmp_path: Path
) -> None:
    root, _, _ = real_store
    acl = _access_lists(empty_db, tmp_path)
    env = {"WEBARCHIVE_CDXJ_DIR": str(tmp_path / "collections"),
           "WEBARCHIVE_STORE_URL": str(root), "WEBARCHIVE_ACL_DIR": str(acl)}
    example = _payload(root / "other/webrecorder-warcio/example.warc.gz", "http://example.com/")
    with pywb(tmp_path / "pywb", CHECKOUT / "deploy/pywb/config.yaml", env) as wayback:
        def status(coll: str, stamp: str, url: str) -> int:
            return requests.get(f"{wayback}/{coll}/{stamp}id_/{url}", timeout=30).status_code

        # subdomains target: open; a NEVERCRAWL target inside it: blocked (451)
        assert status("npld", "20140325122924", "http://data.gov.uk/about") == 200
        assert status("npld", "20140325123247", "http://data.gov.uk/forum") == 451
        # resource target http://archive.org/images/: the images below it stay closed
        assert status("npld", "20080430204826", "http://www.archive.org/images/star.png") == 451
        assert status("npld", "20080430204825", "http://www.archive.org/") == 451
        # plus1 target http://example.com/, from a WARC and an ARC; no licence: closed
        replay = requests.get(f"{wayback}/default/20140216050221id_/http://example.com/",
                              timeout=30)
        assert replay.status_code == 200 and replay.content == example
        assert status("default", "20170722005011", "https://commoncrawl.org/") == 451
        # a POST capture (warcio's post-test.warc.gz) replays to the same POST; resource
        # target http://httpbin.org/post opens it
        posted = requests.post(f"{wayback}/default/20140610000859id_/http://httpbin.org/post",
                               data={"foo": "bar", "test": "abc"}, timeout=30)
        assert posted.status_code == 200
        assert posted.json()["form"] == {"foo": "bar", "test": "abc"}
        posted = requests.post(f"{wayback}/default/20140610001151id_/http://httpbin.org/post",
                               data={"A": "1", "B": "[]", "C": "3"}, timeout=30)
        assert posted.status_code == 200 and posted.json()["form"]["B"] == "[]"
        listed = requests.get(f"{wayback}/default/cdx",
                              params={"url": "example.com/", "output": "json"}, timeout=30)
        indexed = [line for p in (tmp_path / "collections/default").rglob("*.cdxj")
                   for line in p.open() if line.startswith("com,example)/ ")]
        assert len(listed.text.splitlines()) == len(indexed) == 12  # 5 WARCs and 2 ARCs


def test_outbackcdx_receives_what_the_command_prints_in_batches(
    empty_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "store"
    for path, source in LAYOUT.items():
        if path not in QUARANTINED:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DATA / source, root / path)
    with outbackcdx(index_version=4) as server:  # keyed by file and offset: keeps every line
        res = {
            "webarchive_db": PostgresResource(url=empty_db),
            "warc_store": FileStore(url=str(root)),
            "cdx": CdxSettings(output="outbackcdx", outbackcdx_url=server.url,
                               outbackcdx_batch_lines=40,
                               outbackcdx_ledger_dir=str(tmp_path / "ledger")),
        }
        result = dg.materialize(
            [trackdb.trackdb_files, cdx_index.cdx_index], resources=res
        )
        received, posts = server.lines("data-heritrix"), server.posts
    expected = _cli(root, sorted(LAYOUT.keys() - QUARANTINED), "-11")
    assert sorted(f"{line}\n" for line in received) == expected
    assert posts == -(-len(expected) // 40)  # batches of lines of many files, not one per file
    assert _check(result, "index_lines_resolve").passed
    assert os.listdir(tmp_path / "ledger" / "data-heritrix")


def _check(result: dg.ExecuteInProcessResult, name: str):
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == name)


def _payload(warc: Path, url: str) -> bytes:
    with warc.open("rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type == "response" and record.rec_headers.get("WARC-Target-URI") == url:
                return record.content_stream().read()
    raise AssertionError(f"no response for {url} in {warc}")


def test_verify_refuses_an_uncompressed_arc_cut_inside_a_record(tmp_path: Path) -> None:
    """verify() (the demo's check of the files it writes) reads every record (records="all"),
    for which cdxj-indexer never calls filter_record: the cut was not seen there either."""
    from maint_assets.webarchive.warc_reading import InvalidWarc, verify

    data = (DATA / "webrecorder-warcio" / "example.arc").read_bytes()
    cut = tmp_path / "cut.arc"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidWarc, match="truncated"):
        verify(cut)
    whole = tmp_path / "whole.arc"
    whole.write_bytes(data)
    verify(whole)
