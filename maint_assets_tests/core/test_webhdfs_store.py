"""The WebHDFS file store (core/webhdfs_store.py) against a WebHDFS server over a local folder
(maint_assets_tests/webhdfs_server.py: our own, since no HDFS runs on these machines). The
server's answers are checked here against HdfsCLI, the client UKWA's ukwa-manage reads its HDFS
with (lib/store/webhdfs.py), and against answers a real NameNode gave."""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import hdfs
import pytest

from maint_assets.core.file_stores import backend_for, store_identity
from maint_assets.core.stored_files import ObjectDenied, Skipped, StoredFile, StoreError
from maint_assets.core.webhdfs_store import WebHdfsBackend
from maint_assets_tests.webhdfs_server import WebHdfsServer

pytestmark = pytest.mark.servers

# UKWA's layout (ukwa-manage's hdfs_layout.py), a folder the server refuses, a symlink.
FILES = {
    "heritrix/output/frequent-npld/20240102030405/warcs/BL-20240102030406-00000~h3w~8443.warc.gz":
        b"W" * 3000,
    "heritrix/output/frequent-npld/20240102030405/logs/crawl.log.cp00001-20240102": b"log\n",
    "heritrix/output/frequent-npld/20240102030405/warcs/my file %41.warc.gz": b"space",
    "top-level.txt": b"",
}


@pytest.fixture
def hdfs_root(tmp_path: Path) -> Path:
    """The HDFS namespace: the store is /ukwa in it."""
    for path, data in FILES.items():
        local = tmp_path / "hdfs" / "ukwa" / path
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
    os.symlink("top-level.txt", tmp_path / "hdfs" / "ukwa" / "link")
    return tmp_path / "hdfs"


def test_webhdfs_store_urls_are_hadoops_and_have_one_identity() -> None:
    for url in ("webhdfs://NN.example:9870/heritrix/output", "webhdfs://nn.example/heritrix/output/",
                "webhdfs://nn.example:9870//heritrix/./output"):
        assert store_identity(url) == "webhdfs://nn.example:9870/heritrix/output", url
    assert store_identity("webhdfs://nn:14000/") == store_identity("webhdfs://nn:14000") == (
        "webhdfs://nn:14000")
    assert store_identity("swebhdfs://nn:9871/x") == "swebhdfs://nn:9871/x"
    # percent-encoded as a URI's path is, and as pywb's loader sends it to the NameNode
    assert store_identity("webhdfs://nn:9870/my%20warcs/") == "webhdfs://nn:9870/my warcs"
    # the user is Hadoop's variable, never part of the store's name
    with pytest.raises(StoreError, match="WEBHDFS_USER"):
        store_identity("webhdfs://access@nn:14000/x")
    with pytest.raises(StoreError, match="names no host"):
        store_identity("webhdfs:///x")


@pytest.mark.parametrize("gateway", [False, True], ids=["namenode", "httpfs"])
def test_a_webhdfs_store_lists_stats_and_reads_as_a_local_one(
    hdfs_root: Path, gateway: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHDFS_USER", "access")
    with WebHdfsServer(hdfs_root, gateway=gateway) as server:
        store = backend_for(server.url("/ukwa/"))
        skipped = Skipped()
        listed = {f.path: f for f in store.list(skipped)}
        local = hdfs_root / "ukwa"
        assert listed == {
            p: StoredFile(p, len(d), datetime.fromtimestamp(
                int((local / p).stat().st_mtime * 1000) / 1000, UTC))
            for p, d in FILES.items()
        }
        assert skipped.symlinks == ["link"] and not skipped.folders_not_read
        assert [f.path for f in store.list(recursive=False)] == ["top-level.txt"]
        warc = next(p for p in FILES if p.endswith("~8443.warc.gz"))
        assert store.stat(warc) == listed[warc]
        assert store.stat("heritrix/output") is None  # a folder is no file
        assert store.stat("heritrix/gone.warc.gz") is None
        assert store.read_range(warc, 100, 10) == FILES[warc][100:110]
        spaced = next(p for p in FILES if " " in p)
        assert store.read_range(spaced, 0, 100) == b"space"
        store.probe("top-level.txt")  # an empty file: readable
        with store.local_copy(warc) as copy:
            assert copy.read_bytes() == FILES[warc]
        with pytest.raises(FileNotFoundError):
            store.read_range("heritrix/gone.warc.gz", 0, 1)
        assert {q.get("user.name") for q in server.queries} == {"access"}


def test_a_folder_the_server_refuses_is_not_read_a_file_it_refuses_is_denied(
    hdfs_root: Path,
) -> None:
    """The user may not read a folder: its files are not known to be gone (as a local folder
    the listing user may not read); one file refused is that file's refusal."""
    with WebHdfsServer(hdfs_root) as server:
        server.denied = {"/ukwa/heritrix/output/frequent-npld/20240102030405/logs"}
        skipped = Skipped()
        listed = [f.path for f in backend_for(server.url("/ukwa")).list(skipped)]
        assert skipped.unreadable == ["heritrix/output/frequent-npld/20240102030405/logs/"]
        assert not any("/logs/" in p for p in listed) and len(listed) == 3
        server.denied = {"/ukwa/top-level.txt"}
        with pytest.raises(ObjectDenied, match="Permission denied"):
            backend_for(server.url("/ukwa")).stat("top-level.txt")
        server.denied = {"/ukwa"}
        with pytest.raises(StoreError, match="cannot be listed") as err:
            list(backend_for(server.url("/ukwa")).list())
        assert err.value.scope == ""


def test_a_webhdfs_store_not_reached_is_the_whole_stores_error_a_datanode_the_files(
    hdfs_root: Path,
) -> None:
    warc = next(p for p in FILES if p.endswith("~8443.warc.gz"))
    with WebHdfsServer(hdfs_root) as server:
        store = backend_for(server.url("/ukwa"))
        server.datanode_down = True
        with pytest.raises(StoreError, match="from its DataNode") as err:
            store.read_range(warc, 0, 10)
        assert err.value.scope is None
    with pytest.raises(StoreError, match="cannot reach") as err:
        store.stat(warc)  # the NameNode gone: no file's state is known
    assert err.value.scope == ""
    with pytest.raises(StoreError):
        list(store.list())


def test_a_delegation_token_is_sent_and_never_told(
    hdfs_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHDFS_TOKEN", "HAAEdG9rZW4SECRET")
    with WebHdfsServer(hdfs_root) as server:
        store = backend_for(server.url("/ukwa"))
        assert store.read_range("top-level.txt", 0, 1) == b""
        assert {q.get("delegation") for q in server.queries} == {"HAAEdG9rZW4SECRET"}
    with pytest.raises(StoreError) as err:  # requests names the URL, query and all
        store.read_range("top-level.txt", 0, 1)
    assert "SECRET" not in str(err.value) and "<WEBHDFS_TOKEN>" in str(err.value)


def test_a_download_cut_short_is_never_taken_for_the_whole_file(hdfs_root: Path) -> None:
    warc = next(p for p in FILES if p.endswith("~8443.warc.gz"))
    with WebHdfsServer(hdfs_root) as server:
        server.cut_after = 1000
        store = backend_for(server.url("/ukwa"))
        with (pytest.raises(StoreError, match=re.escape(f"cannot read {store.identity}/{warc}")),
              store.local_copy(warc)):
            pytest.fail("a partial copy was handed over")
        with pytest.raises(StoreError):
            store.read_range(warc, 0, 2000)


def test_hdfscli_reads_the_test_server_as_the_store_does(hdfs_root: Path) -> None:
    """The stand-in server judged by a real WebHDFS client: HdfsCLI (InsecureClient, as
    ukwa-manage builds it) lists, stats and reads what the store does."""
    with WebHdfsServer(hdfs_root) as server:
        client = hdfs.InsecureClient(f"http://127.0.0.1:{server.port}", user="access")
        store = backend_for(server.url("/ukwa"))
        folder = "heritrix/output/frequent-npld/20240102030405/warcs"
        theirs = client.list(f"/ukwa/{folder}", status=True)
        assert sorted(name for name, _ in theirs) == sorted(
            f.path.rsplit("/", 1)[1] for f in store.list() if f.path.startswith(folder))
        for name, status in theirs:
            mine = store.stat(f"{folder}/{name}")
            assert (status["length"], status["modificationTime"] / 1000) == (
                mine.size, mine.mtime.timestamp())
            with client.read(f"/ukwa/{folder}/{name}", offset=2, length=3) as reader:
                assert reader.read() == store.read_range(f"{folder}/{name}", 2, 3)
        assert client.status("/ukwa/nothing", strict=False) is None
        with pytest.raises(hdfs.HdfsError, match="File does not exist"):
            client.status("/ukwa/nothing")


# A real NameNode's LISTSTATUS answer (Hadoop 3.3, /tmp, quoted in HDFS-14665), and the
# FILE entry of the WebHDFS REST API documentation's LISTSTATUS example.
REAL_LISTING = {"FileStatuses": {"FileStatus": [
    {"accessTime": 0, "blockSize": 0, "childrenNum": 0, "fileId": 16395, "group": "hadoop",
     "length": 0, "modificationTime": 1563893395614, "owner": "mapred", "pathSuffix": "logs",
     "permission": "1777", "replication": 0, "storagePolicy": 0, "type": "DIRECTORY"},
    {"accessTime": 1320171722771, "blockSize": 33554432, "group": "supergroup",
     "length": 24930, "modificationTime": 1320171722771, "owner": "webuser",
     "pathSuffix": "a.patch", "permission": "644", "replication": 1, "type": "FILE"},
]}}


def test_a_namenodes_own_listing_is_read_as_it_says(tmp_path: Path) -> None:
    with WebHdfsServer(tmp_path) as server:
        server.canned = {("/tmp", "GETFILESTATUS"): {"FileStatus": {
                             **REAL_LISTING["FileStatuses"]["FileStatus"][0], "pathSuffix": ""}},
                         ("/tmp", "LISTSTATUS"): REAL_LISTING,
                         ("/tmp/logs", "LISTSTATUS"): {"FileStatuses": {"FileStatus": []}}}
        listed = list(WebHdfsBackend(store_identity(server.url("/tmp"))).list())
    assert listed == [StoredFile("a.patch", 24930, datetime(2011, 11, 1, 18, 22, 2, 771000,
                                                           tzinfo=UTC))]


# --- review s34 -------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", [False, True], ids=["namenode", "httpfs"])
def test_a_read_past_a_files_end_is_no_outage_of_the_store(
    hdfs_root: Path, gateway: bool
) -> None:
    """A CDX line whose offset is past its file's end (the file was cut or replaced since it
    was indexed) is what the index verification is for: the local store answers b"" and the
    line is reported ("its file ends before offset"). Over a NameNode the OPEN is refused with
    403 IOException, which the store takes as the whole store unreachable (scope ""): the
    verification stops at that line and reports the store down instead."""
    warc = next(p for p in FILES if p.endswith("~8443.warc.gz"))
    with WebHdfsServer(hdfs_root, gateway=gateway) as server:
        store = backend_for(server.url("/ukwa"))
        try:
            data = store.read_range(warc, 5000, 100)
        except StoreError as err:
            pytest.fail(f"a read past the end failed as {err.scope=!r}: {err}")
        assert data == b""  # as LocalBackend.read_range answers


@pytest.mark.parametrize("gateway", [False, True], ids=["namenode", "httpfs"])
def test_a_file_whose_blocks_are_lost_is_that_files_error(
    hdfs_root: Path, gateway: bool
) -> None:
    """One file with a lost block (BlockMissingException: 403 from a DataNode, 500 from HttpFS)
    is that file's problem, as a bad sector is on a disk; taken as the whole store's
    (scope ""), it stops every run's verification at that file and hides the others."""
    warc = next(p for p in FILES if p.endswith("~8443.warc.gz"))
    with WebHdfsServer(hdfs_root, gateway=gateway) as server:
        server.blocks_missing = {f"/ukwa/{warc}"}
        store = backend_for(server.url("/ukwa"))
        with pytest.raises(StoreError, match="Could not obtain block") as err:
            store.read_range(warc, 0, 10)
        assert err.value.scope is None, "one file's lost block was taken for the store's outage"
        assert store.read_range("top-level.txt", 0, 1) == b""  # the store itself answers


def test_the_delegation_token_is_not_logged_by_urllib3_retries(
    hdfs_root: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The store's session retries a connection error (urllib3 Retry), and urllib3 logs each
    retry at WARNING with the request's URL, query and all: the delegation token. In a run that
    record reaches the step's stderr (Python's last-resort handler), kept in the compute logs
    and shown in the UI."""
    import logging

    monkeypatch.setenv("WEBHDFS_TOKEN", "HAAEdG9rZW4SECRET")
    with WebHdfsServer(hdfs_root) as server:
        store = backend_for(server.url("/ukwa"))
    caplog.set_level(logging.WARNING)
    with pytest.raises(StoreError):
        store.read_range("top-level.txt", 0, 1)  # nothing listens there any more
    assert caplog.records, "urllib3 logged no retry"
    assert "SECRET" not in caplog.text, "the delegation token is in the log:\n" + caplog.text


def test_pywb_loads_every_file_exactly_when_the_index_takes_its_name(
    hdfs_root: Path, tmp_path: Path
) -> None:
    """pywb's WebHDFS loader (its filename appended to the store URL, its path sent as
    written) asked the server for 'my file A.warc.gz' for the indexed 'my file %41.warc.gz':
    lines for a file no replay finds (review s34, M3). The indexing now quarantines a name
    pywb cannot load, and this judges that rule by pywb's own loader, both ways."""
    from pywb.utils.loaders import WebHDFSLoader

    from maint_assets.webarchive.indexing import index_warc, unservable_name

    odd = {"q?x.warc.gz": b"q", "h#x.warc.gz": b"h", "pct%2Fx.warc.gz": b"p", "sp ace.warc": b"s"}
    for name, data in odd.items():
        (hdfs_root / "ukwa" / name).write_bytes(data)
    with WebHdfsServer(hdfs_root) as server:
        url = server.url("/ukwa")
        for stored in backend_for(url).list():
            try:
                loaded = WebHDFSLoader().load(f"{url}/{stored.path}", 0, -1).read()
            except Exception:  # pywb's loaders raise what requests raises
                loaded = None
            loads = loaded == (hdfs_root / "ukwa" / stored.path).read_bytes()
            assert loads == (unservable_name(store_identity(url), stored.path) is None), stored
        quarantined = index_warc(store_identity(url), "", "pct%2Fx.warc.gz", "default",
                                 tmp_path / "out.cdxj", "cdxj", 1)
    assert quarantined.status == "invalid" and "'%'" in quarantined.error


def test_an_https_namenode_url_without_a_port_gets_the_https_port() -> None:
    """Hadoop's swebhdfs:// default port is the NameNode's HTTPS one (dfs.namenode.https-address,
    9871 in Hadoop 3), not its HTTP one: TLS to 9870 meets a plain HTTP server."""
    assert store_identity("swebhdfs://nn.example/x") == "swebhdfs://nn.example:9871/x"
    assert store_identity("webhdfs://nn.example/x") == "webhdfs://nn.example:9870/x"


def test_a_store_url_percent_encoded_names_the_folder_pywb_reads(tmp_path: Path) -> None:
    """'webhdfs://…/my%20warcs' is the folder 'my warcs' to pywb's loader (it sends the path
    as written, the NameNode decodes it once): read as the literal 'my%20warcs', the store
    listed a folder pywb never reads (review s34)."""
    from pywb.utils.loaders import WebHDFSLoader

    (tmp_path / "my warcs").mkdir()
    (tmp_path / "my warcs" / "a.warc.gz").write_bytes(b"abc")
    with WebHdfsServer(tmp_path) as server:
        url = server.url("/my%20warcs")
        assert [f.path for f in backend_for(url).list()] == ["a.warc.gz"]
        assert WebHDFSLoader().load(f"{url}/a.warc.gz", 0, -1).read() == b"abc"
