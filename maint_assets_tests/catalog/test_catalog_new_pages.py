"""The new-pages sensor records a page once the reader can read it: a page it may not read yet
(its mode; on S3 a bucket policy) is named and left out of the cursor, so that fixing its
permissions, which leaves its modification time as it was, records it then, not at the next
midnight run. What its listing leaves out is named at every tick, and warned of in the log
when it changes. (The locked page, the policy denying one object, the symlinked page and the
name that is not UTF-8 are this test's own.)"""

import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import dagster as dg

from maint_assets.catalog.automation import catalog_new_pages
from maint_assets.core.file_sensors import new_files
from maint_assets.core.s3_store import s3_client
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets_tests.catalog.test_catalog_refusals import UNPRIVILEGED

TICK_AS_UNPRIVILEGED = """
import json, sys
import dagster as dg
from maint_assets.catalog.automation import catalog_new_pages
from maint_assets.core.stores import FileStore
pages, cursor = sys.argv[1], sys.argv[2] or None
tick = catalog_new_pages(dg.build_sensor_context(
    cursor=cursor, resources={"catalog_pages": FileStore(url=pages)}))
meta = tick.asset_events[0].metadata if tick.asset_events else None
# files_not_readable: absent from a sensor that does not probe (what this test tells apart)
print(json.dumps({
    "cursor": tick.cursor, "skip": tick.skip_reason.skip_message,
    "recorded": meta and meta["examples"].value,
    "not_readable": meta and meta.get("files_not_readable", dg.MetadataValue.int(0)).value,
}))
"""


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []
        self.infos: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        (self.warnings if record.levelno >= logging.WARNING else self.infos).append(
            record.getMessage())


def _tick_logged(store: FileStore, cursor: str | None) -> tuple[dg.SensorResult, _Logged]:
    context = dg.build_sensor_context(cursor=cursor, resources={"catalog_pages": store})
    logged = _Logged()
    context.log.addHandler(logged)
    return catalog_new_pages(context), logged


def _tick(pages: Path, cursor: str | None) -> dg.SensorResult:
    return _tick_logged(FileStore(url=str(pages)), cursor)[0]


def _tick_unprivileged(pages: Path, cursor: str | None) -> dict:
    done = subprocess.run(
        [*UNPRIVILEGED, sys.executable, "-c", TICK_AS_UNPRIVILEGED, str(pages), cursor or ""],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_page_the_reader_may_not_read_is_recorded_once_it_can(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    write_pages(pages, datasets=200, per_page=100)
    first = _tick(pages, None)
    assert first.asset_events[0].metadata["new_files"].value == 2

    # Two more pages, one of them written by a user whose umask the reader cannot read.
    old = sorted(pages.iterdir())[0]
    shutil.copy(old, pages / "catalog-page-90001.json")
    locked = pages / "catalog-page-90002.json"
    shutil.copy(old, locked)
    locked.chmod(0)
    try:
        both = _tick_unprivileged(pages, first.cursor)
        assert both["recorded"] == ["catalog-page-90001.json"], both
        assert both["not_readable"] == 1
        assert "1 file(s) the reader may not read: catalog-page-90002.json" in both["skip"]
        idle = _tick_unprivileged(pages, both["cursor"])
        assert idle["recorded"] is None
        assert idle["skip"].startswith(f"no new file in {pages}; left out"), idle["skip"]
        assert "1 file(s) the reader may not read: catalog-page-90002.json" in idle["skip"]
        mtime = locked.stat().st_mtime_ns
    finally:
        locked.chmod(0o644)
    assert locked.stat().st_mtime_ns == mtime  # nothing but the fix tells it apart
    fixed = _tick(pages, idle["cursor"])  # readable by all now
    assert fixed.asset_events[0].metadata["examples"].value == ["catalog-page-90002.json"]
    assert "may not read" not in fixed.skip_reason.skip_message
    assert not _tick(pages, fixed.cursor).asset_events


def test_an_s3_page_a_bucket_policy_denies_is_recorded_once_allowed(
    tmp_path: Path, s3_endpoint: str
) -> None:
    """Also what each tick asks of S3: the listing, one ranged GET for each new page (the
    reader's own request: moto applies the policy's Deny to a GET, not to a HEAD), and for a
    page refused the GET and a listing of its key, which tells the object's refusal from the
    store's; an idle tick asks for the listing alone."""
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"catalog-denied-{secrets.token_hex(3)}"
    s3.create_bucket(Bucket=bucket)
    write_pages(tmp_path / "pages", datasets=300, per_page=10)
    for page in sorted((tmp_path / "pages").iterdir()):
        s3.upload_file(str(page), bucket, f"DUMP/{page.name}")
    store = FileStore(url=f"s3://{bucket}/DUMP", endpoint_url=s3_endpoint)
    requests: list[str] = []

    def count(request, **_) -> None:
        requests.append(request.method)

    def tick(cursor: str | None) -> tuple[dg.SensorResult, list[str]]:
        requests.clear()
        result, logged = _tick_logged(store, cursor)
        warned.append(logged.warnings)
        return result, list(requests)

    warned: list[list[str]] = []

    client = s3_client(s3_endpoint, "us-east-1")  # the sensor's own, cached
    client.meta.events.register("before-send.s3", count)
    try:
        first, asked_first = tick(None)
        assert first.asset_events[0].metadata["new_files"].value == 30
        idle, asked_idle = tick(first.cursor)
        assert not idle.asset_events

        body = (tmp_path / "pages" / "catalog-page-00001.jsonld").read_bytes()
        s3.put_object(Bucket=bucket, Key="DUMP/catalog-page-90001.json", Body=body)
        s3.put_object(Bucket=bucket, Key="DUMP/catalog-page-90002.json", Body=body)
        s3.put_object(Bucket=bucket, Key="DUMP/empty.json", Body=b"")  # readable, if malformed
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/DUMP/catalog-page-90002.json"}],
        }))
        both, asked_both = tick(idle.cursor)
        (event,) = both.asset_events
        assert event.metadata["examples"].value == ["catalog-page-90001.json", "empty.json"]
        assert event.metadata["files_not_readable"].value == 1
        assert event.metadata["not_readable"].value == "- `catalog-page-90002.json`"
        reason = both.skip_reason.skip_message
        assert "1 file(s) the reader may not read: catalog-page-90002.json" in reason, reason

        still, asked_still = tick(both.cursor)
        assert not still.asset_events
        assert "1 file(s) the reader may not read: catalog-page-90002.json" in (
            still.skip_reason.skip_message)

        s3.delete_bucket_policy(Bucket=bucket)
        allowed, asked_allowed = tick(still.cursor)
        assert allowed.asset_events[0].metadata["examples"].value == ["catalog-page-90002.json"]
    finally:
        client.meta.events.unregister("before-send.s3", count)
    # The listing, then one GET for each new page's first byte, two for a refused one (the
    # GET and its key's listing): none for the pages recorded before.
    assert [len(asked_first), len(asked_idle), len(asked_both), len(asked_still),
            len(asked_allowed)] == [1 + 30, 1, 1 + 2 + 2, 1 + 2, 1 + 1]
    assert set(asked_first + asked_both) == {"GET"}
    # Warned of at the tick that first refused it, not again while it stays refused.
    assert [len(w) for w in warned] == [0, 0, 1, 0, 0], warned
    assert warned[2][0].startswith("1 new file(s) the reader may not read"), warned[2]
    assert f"s3://{bucket}/DUMP/catalog-page-90002.json: access denied" in warned[2][0]


def test_what_the_listing_leaves_out_is_named_at_every_tick_and_warned_of_when_it_changes(
    tmp_path: Path,
) -> None:
    """The skip reason names it at every tick (300 s apart); the log warns when it changes,
    not at every tick while it stays. A cursor written before the digest was kept (the key set
    alone) records nothing again, and warns once."""
    pages = tmp_path / "pages"
    write_pages(pages, datasets=50, per_page=50)
    (page,) = pages.iterdir()
    (pages / "linked.json").symlink_to(page)
    store = FileStore(url=str(pages))

    first, logged = _tick_logged(store, None)
    assert first.asset_events[0].metadata["new_files"].value == 1
    assert [w.split(":")[0] for w in logged.warnings] == ["1 symlink(s) not followed"]
    idle, logged = _tick_logged(store, first.cursor)
    assert not idle.asset_events
    assert "1 symlink(s) not followed: linked.json" in idle.skip_reason.skip_message
    assert logged.warnings == []  # the same as the tick before

    odd = os.fsencode(pages) + b"/caf\xe9.json"
    with open(odd, "wb") as f:
        f.write(page.read_bytes())
    more, logged = _tick_logged(store, idle.cursor)
    assert not more.asset_events
    assert "1 name(s) not UTF-8: caf\\xe9.json" in more.skip_reason.skip_message
    assert len(logged.warnings) == 2 and "caf\\xe9.json" in logged.warnings[0]
    again, logged = _tick_logged(store, more.cursor)
    assert logged.warnings == [] and again.skip_reason.skip_message == more.skip_reason.skip_message

    _, keys_only = new_files(store.list(recursive=False), None)  # the cursor before this commit
    upgraded, logged = _tick_logged(store, keys_only)
    assert not upgraded.asset_events and len(logged.warnings) == 2
    assert _tick_logged(store, upgraded.cursor)[1].warnings == []

    os.unlink(odd)
    (pages / "linked.json").unlink()
    fixed, logged = _tick_logged(store, upgraded.cursor)
    assert "left out" not in fixed.skip_reason.skip_message
    assert logged.warnings == [] and "the listing leaves nothing out any more" in logged.infos
