"""OutbackCDX's own behaviour (nla/outbackcdx 43c60e8, ``Capture.java``, ``Query.java``, read
and run by a real-data trial): a POST capture is keyed by its URL, method and body."""

import shutil
from pathlib import Path

from maint_assets_tests.webarchive.servers import outbackcdx
from maint_assets_tests.webarchive.test_webarchive import _index, _resources

DATA = Path(__file__).parents[1] / "data" / "webarchive"


def test_the_check_asks_outbackcdx_for_a_post_capture_by_its_method_and_body(
    empty_db: str, tmp_path: Path
) -> None:
    """OutbackCDX keys a POST capture by its URL, method and body (``generateUrlKey``, from the
    ``__wb_method=post&…`` the line's key holds) and answers ``GET /<coll>?url=<url>`` with the
    URL's GET captures only: the check asked for the URL alone and failed every sampled POST
    line ("the CDX server does not answer this capture"), though pywb finds it."""
    root = tmp_path / "store"
    warc = root / "other/webrecorder-warcio/post-test.warc.gz"  # 3 POST captures, httpbin.org
    warc.parent.mkdir(parents=True)
    shutil.copyfile(DATA / "webrecorder-warcio/post-test.warc.gz", warc)
    with outbackcdx() as server:
        res = _resources(empty_db, root, tmp_path, output="outbackcdx", outbackcdx_url=server.url,
                         outbackcdx_ledger_dir=str(tmp_path / "ledger"), verify_sample=20)
        result = _index(res)
        stored = server.lines(res["cdx"].outbackcdx_collection)
    assert result.success
    assert len(stored) == 3 and all("?__wb_method=post&" in line for line in stored)
    check = next(e for e in result.get_asset_check_evaluations()
                 if e.check_name == "index_lines_resolve")
    assert check.passed, check.metadata["problems"].value
    assert check.metadata["lines_checked"].value == 20

