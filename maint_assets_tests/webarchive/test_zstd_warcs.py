"""Zstandard-compressed WARCs (``.warc.zst``: Wget-AT's and the Internet Archive's gowarc's
output, the IIPC warc-zstd proposal). warcio 1.8 and pywb 2.10 read gzip only (warcio's
ArchiveIterator takes the first frame for an ARC header), so pywb cannot replay one: such a
file is not indexed, and every one is named where the unreadable files are (quarantined, in the
run's log and ``every_warc_readable``), never passed over as an unknown file. A file named
``.warc.zst`` that holds gzip members (nlnwa/gowarc's writer takes any suffix for its gzip
files: ``WithCompressedFileSuffix``) is an ordinary WARC to pywb, and is indexed."""

import shutil
from pathlib import Path

import psycopg
import requests

from maint_assets_tests.webarchive.servers import pywb
from maint_assets_tests.webarchive.test_records_pywb_cannot_replay import _index

DATA = Path(__file__).parents[1] / "data" / "webarchive"
WARCS = "1_data/npld/frequent/wgetat/20170306040000/warcs"
ZSTD = DATA / "warc-zstd" / "example.warc.zst"  # warcio's example.warc, one frame a record
GZIP = DATA / "webrecorder-warcio" / "example.warc.gz"


def test_every_zstd_warc_is_named_as_not_indexed(empty_db: str, tmp_path: Path) -> None:
    root = tmp_path / "store"
    (root / WARCS).mkdir(parents=True)
    (root / "loose").mkdir()
    shutil.copyfile(ZSTD, root / WARCS / "wgetat-20170306040353000-00000.warc.zst")
    shutil.copyfile(ZSTD, root / "loose" / "wgetat-20170306040353000-00001.warc.zst")
    shutil.copyfile(GZIP, root / WARCS / "gowarc-20170306040353000-00002.warc.zst")
    result = _index(empty_db, root, tmp_path)
    with psycopg.connect(empty_db) as conn:
        rows = {path: rest for path, *rest in conn.execute(
            "SELECT path, cdx_indexed_at IS NOT NULL, cdx_records, cdx_error "
            "FROM webarchive.trackdb_files")}
    zstd = [f"{WARCS}/wgetat-20170306040353000-00000.warc.zst",
            "loose/wgetat-20170306040353000-00001.warc.zst"]
    for path in zstd:
        indexed, _, error = rows[path]
        assert not indexed and error and "zstd" in error, (path, rows[path])
    assert rows[f"{WARCS}/gowarc-20170306040353000-00002.warc.zst"][:2] == [True, 2]
    check = next(e for e in result.get_asset_check_evaluations()
                 if e.check_name == "every_warc_readable")
    assert not check.passed
    assert all(p in check.metadata["newest"].value for p in zstd), check.metadata
    index = tmp_path / "collections" / "npld" / "indexes"
    with pywb(tmp_path / "pywb",
              {"npld": {"index_paths": f"{index}/", "archive_paths": f"{root}/"}}) as url:
        answer = requests.get(f"{url}/npld/20170306040206id_/http://example.com/", timeout=30)
    assert answer.status_code == 200 and b"Example Domain" in answer.content
