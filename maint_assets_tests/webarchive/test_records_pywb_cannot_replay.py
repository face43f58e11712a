"""Records whose index line makes pywb answer that URL at that time with an error, or hang,
instead of the capture of the same URL next to it in time (found by a real-data trial)."""

import gzip
import io
import shutil
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import requests
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.webarchive.assets import cdx_index, trackdb
from maint_assets.webarchive.resources import CdxSettings
from maint_assets_tests.webarchive.servers import pywb

DATA = Path(__file__).parents[1] / "data" / "webarchive"
WARCS = "1_data/npld/frequent/trial/20170430000000/warcs"
EMPTY_URL = "https://img1.zoubanio.com/icon/u3927203-87.jpg"


def _write(path: Path, records: list[tuple[str, str, dict, bytes]]) -> None:
    """``(type, url, WARC headers, block)`` records, each its own gzip member, as warcio's
    writer writes them (the block given whole: HTTP head and payload)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for rec_type, url, headers, block in records:
            fields = StatusAndHeaders("", [("WARC-Type", rec_type), ("WARC-Target-URI", url),
                                           *headers.items()], protocol="WARC/1.1")
            writer.write_record(writer.create_warc_record(
                url, rec_type, payload=io.BytesIO(block), length=len(block),
                warc_headers=fields))


def _http(body: bytes, mime: str = "text/html") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: " + mime.encode()
            + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def _index(empty_db: str, root: Path, tmp_path: Path) -> dg.ExecuteInProcessResult:
    res = {
        "webarchive_db": PostgresResource(url=empty_db),
        "warc_store": FileStore(url=str(root)),
        "cdx": CdxSettings(cdxj_dir=str(tmp_path / "collections"), verify_sample=100),
    }
    result = dg.materialize([trackdb.trackdb_files, cdx_index.cdx_index], resources=res)
    assert result.success
    return result


@pytest.fixture
def wayback(tmp_path: Path):
    def start(root: Path):
        index = tmp_path / "collections" / "npld" / "indexes"
        return pywb(tmp_path / "pywb",
                    {"npld": {"index_paths": f"{index}/", "archive_paths": f"{root}/"}})
    return start


def test_an_empty_response_record_does_not_hide_the_capture_next_to_it(
    empty_db: str, tmp_path: Path, wayback
) -> None:
    """A zero-length WARC response record of an https URL (cdxj-indexer's
    ``missing-http.warc.gz``, from an Archive-It Heritrix crawl: cdxj-indexer PR 18). Its line
    makes pywb answer 500 for that URL at that time, and pywb does not fall back to the good
    capture six seconds later. The ARC form of the same record quarantines its file
    (warc_reading); in a WARC it is indexed."""
    root = tmp_path / "store"
    (root / WARCS).mkdir(parents=True)
    shutil.copyfile(DATA / "archive-it" / "missing-http.warc.gz",
                    root / WARCS / "ARCHIVEIT-5425-20170430083101595-00035.warc.gz")
    _write(root / WARCS / "ARCHIVEIT-5425-20170430113925000-00036.warc.gz", [
        ("response", EMPTY_URL, {"WARC-Date": "2017-04-30T11:39:25Z"},
         _http(b"jpeg", "image/jpeg")),
    ])
    _index(empty_db, root, tmp_path)
    with psycopg.connect(empty_db) as conn:
        warnings = conn.execute(
            "SELECT cdx_warnings FROM webarchive.trackdb_files WHERE path LIKE %s",
            ("%-00035.warc.gz",)).fetchone()[0]
    with wayback(root) as url:
        answer = requests.get(f"{url}/npld/20170430113919id_/{EMPTY_URL}", timeout=30)
    assert (answer.status_code, answer.content) == (200, b"jpeg")
    assert any("holds no HTTP response" in w for w in warnings), warnings


def test_a_segmented_record_is_not_served_as_a_whole_capture(
    empty_db: str, tmp_path: Path, wayback
) -> None:
    """WARC 1.1's record segmentation: a response whose first segment (WARC-Segment-Number 1)
    holds the HTTP head and part of the body, the rest in a ``continuation`` record. No
    crawler here writes them (jwarc reads them; gowarc's writer marks them TODO), but they are
    valid WARC. cdxj-indexer indexes the first segment as a whole response; pywb serves it with
    the whole response's Content-Length and the connection then hangs, so a client gets a cut
    body (or a timeout) instead of the capture of the same URL next to it."""
    root = tmp_path / "store"
    body = b"<html>" + b"x" * 4000 + b"</html>"
    whole = _http(body)
    first = {"WARC-Date": "2017-04-30T11:39:19.123456Z", "WARC-Segment-Number": "1",
             "WARC-Record-ID": "<urn:uuid:6f1b2c4e-0000-4000-8000-000000000001>",
             "Content-Type": "application/http;msgtype=response"}
    rest = {"WARC-Date": "2017-04-30T11:39:19.223456Z", "WARC-Segment-Number": "2",
            "WARC-Segment-Origin-ID": first["WARC-Record-ID"],
            "WARC-Segment-Total-Length": str(len(whole))}
    _write(root / WARCS / "SEG-20170430113919000-00000.warc.gz", [
        ("response", "http://example.com/page", {"WARC-Date": "2017-04-30T11:39:21Z"},
         _http(b"<html>whole</html>")),
        ("response", "http://example.com/page", first, whole[:2000]),
        ("continuation", "http://example.com/page", rest, whole[2000:]),
    ])
    _index(empty_db, root, tmp_path)
    with wayback(root) as url:
        try:
            answer = requests.get(f"{url}/npld/20170430113919id_/http://example.com/page",
                                  timeout=15)
            got = (answer.status_code, answer.content)
        except requests.RequestException as err:
            got = ("no whole answer", type(err).__name__)
    assert got == (200, b"<html>whole</html>")


def test_a_raw_http2_status_line_is_left_out_with_a_warning(
    empty_db: str, tmp_path: Path, wayback
) -> None:
    """A response whose HTTP head starts ``HTTP/2 200``, as crawlers that wrote their HTTP
    client's protocol as it came wrote it (StormCrawler's okhttp protocol before its PR 1010,
    Nutch's before commoncrawl/nutch PR 30; both now write ``HTTP/1.1`` with ``WARC-Protocol:
    h2`` because "HTTP/2" in the status line "may crash some WARC parsers"). cdxj-indexer reads
    it (warcio parses the HTTP head unverified) and indexes it with status 200; pywb's record
    loader accepts only ``HTTP/1.0`` and ``HTTP/1.1`` status lines, so the capture is listed
    (calendar, CDX API) but never replays: pywb answers 503, as for an archive it cannot reach,
    where a URL with no replayable capture gets 404. (With another capture of the URL, pywb
    serves that one instead.)"""
    root = tmp_path / "store"
    url = "https://example.com/h2"
    h2 = b"HTTP/2 200\r\ncontent-type: text/html\r\ncontent-length: 15\r\n\r\n<html>h2</html>"
    path = root / WARCS / "H2-20170430113919000-00000.warc.gz"
    _write(path, [("response", "https://example.com/h1", {"WARC-Date": "2017-04-30T11:39:21Z"},
                   _http(b"<html>h1</html>"))])
    with path.open("ab") as fh:  # by hand: warcio's writer refuses the status line
        fh.write(gzip.compress(
            b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: " + url.encode()
            + b"\r\nWARC-Date: 2017-04-30T11:39:19Z\r\nWARC-Protocol: h2\r\n"
            b"WARC-Record-ID: <urn:uuid:6f1b2c4e-0000-4000-8000-000000000002>\r\n"
            b"Content-Type: application/http;msgtype=response\r\n"
            b"Content-Length: %d\r\n\r\n" % len(h2) + h2 + b"\r\n\r\n"))
    _index(empty_db, root, tmp_path)
    with psycopg.connect(empty_db) as conn:
        records, warnings = conn.execute(
            "SELECT cdx_records, cdx_warnings FROM webarchive.trackdb_files WHERE path LIKE %s",
            ("%H2-%",)).fetchone()
    with wayback(root) as base:
        h2_answer = requests.get(f"{base}/npld/20170430113919id_/{url}", timeout=30)
        h1_answer = requests.get(f"{base}/npld/20170430113921id_/https://example.com/h1",
                                 timeout=30)
    assert (h1_answer.status_code, h1_answer.content) == (200, b"<html>h1</html>")
    assert h2_answer.status_code == 404
    assert records == 1
    assert any("HTTP/2" in w for w in warnings), warnings
