"""The extract reads what the runbook's read: the pages directly under the prefix, as
``fs.ls(BUCKET_NAME + '/DUMP_INTEGRATION_JSON')`` lists them, not what sits in its subfolders.

The layout is the producer's (reference/ukwa-and-sspcloud.md §2.2: pages uploaded as
``s3://projet-ecolab-action-qualite/DUMP_INTEGRATION_JSON/*.json``) on a real S3 server (moto
over HTTP); the subfolder holding an earlier dump kept aside is this test's own invention."""

import json
import os
import random
import secrets
from pathlib import Path

import boto3
import dagster as dg
import psycopg

from maint_assets.catalog.assets.raw_datasets import raw_datasets
from maint_assets.catalog.automation import catalog_new_pages
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import CONTEXT, dataset, write_pages
from maint_assets_tests.catalog.test_catalog import _run

PREFIX = "DUMP_INTEGRATION_JSON"


def test_pages_in_subfolders_of_the_prefix_are_not_read(
    empty_db: str, tmp_path: Path, s3_endpoint: str
) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"projet-ecolab-action-qualite-{secrets.token_hex(3)}"
    s3.create_bucket(Bucket=bucket)
    pages = write_pages(tmp_path / "pages", datasets=90, per_page=60)
    for page in sorted((tmp_path / "pages").iterdir()):
        s3.upload_file(str(page), bucket, f"{PREFIX}/{page.stem}.json")
    # An earlier dump kept aside under the prefix: a dataset the catalogue has since removed.
    gone = {"@context": CONTEXT, "@graph": [dataset(9_000_000, random.Random(2))]}
    s3.put_object(
        Bucket=bucket,
        Key=f"{PREFIX}/archive/2023-11-30/catalog-page-00001.json",
        Body=json.dumps(gone).encode(),
    )
    store = FileStore(url=f"s3://{bucket}/{PREFIX}", endpoint_url=s3_endpoint)

    result = _run(empty_db, store, ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success
    (raw,) = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "catalog/dataframe/raw_datasets"
    ]
    assert raw["pages"].value == pages == 2
    with psycopg.connect(empty_db) as conn:
        identifiers = {i for (i,) in conn.execute("SELECT identifier FROM public.datasets")}
    assert len(identifiers) == 90 and "ds-9000000" not in identifiers

    # The sensor lists what the extract reads: a page put aside again records nothing.
    first = catalog_new_pages(dg.build_sensor_context(resources={"catalog_pages": store}))
    assert first.asset_events[0].metadata["new_files"].value == pages
    s3.put_object(
        Bucket=bucket,
        Key=f"{PREFIX}/archive/2023-12-01/catalog-page-00001.json",
        Body=json.dumps(gone).encode(),
    )
    later = catalog_new_pages(
        dg.build_sensor_context(cursor=first.cursor, resources={"catalog_pages": store})
    )
    assert not later.asset_events


def test_pages_the_listing_leaves_out_are_named(tmp_path: Path) -> None:
    """A page whose name is not UTF-8 and a symlinked page are not read: named in the
    extract's metadata and log, as the web archive's listing names them. (Both, and the
    earlier dump linked in, are this test's own.)"""
    pages = tmp_path / "pages"
    write_pages(pages, datasets=50, per_page=50)
    (page,) = pages.iterdir()
    (pages / "linked.json").symlink_to(page)
    (pages / "archive").mkdir()
    (tmp_path / "dump-2023").mkdir()
    (pages / "old-dump").symlink_to(tmp_path / "dump-2023")  # a folder: not asked for anyway
    with open(os.fsencode(pages) + b"/caf\xe9.json", "wb") as f:
        f.write(page.read_bytes())
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [raw_datasets], instance=instance,
            resources={"catalog_pages": FileStore(url=str(pages)),
                       "artifacts": ArtifactStore(directory=str(tmp_path / "artifacts"))},
        )
        logs = [e.user_message for e in instance.all_logs(result.run_id)]
    (meta,) = [e.materialization.metadata for e in result.get_asset_materialization_events()]
    assert meta["pages"].value == 1
    assert (meta["files_not_listed"].value, meta["symlinks_not_followed"].value) == (1, 1)
    assert "`caf\\xe9.json`: name not UTF-8" in meta["not_listed"].value
    assert meta["symlinks"].value == "- `linked.json`"
    assert meta["folders_not_read"].value == 0
    assert any("caf\\xe9.json" in m and "not UTF-8" in m for m in logs)
    assert any("1 symlink(s) not followed" in m and "linked.json" in m for m in logs)


def test_the_sensor_names_the_pages_its_listing_leaves_out_and_records_them_once_listed(
    tmp_path: Path,
) -> None:
    """The new-pages sensor says, at every tick, which pages its listing left out (the tick's
    skip reason, as the UI shows it, and its materialization's metadata), and does not count
    them as seen: once renamed or copied in place of the link they are new pages. (The page
    whose name is not UTF-8 and the symlinked one are this test's own.)"""
    pages = tmp_path / "pages"
    write_pages(pages, datasets=50, per_page=50)
    (page,) = pages.iterdir()
    (pages / "linked.json").symlink_to(page)
    odd = os.fsencode(pages) + b"/caf\xe9.json"
    with open(odd, "wb") as f:
        f.write(page.read_bytes())
    store = {"catalog_pages": FileStore(url=str(pages))}

    def tick(cursor: str | None) -> dg.SensorResult:
        return catalog_new_pages(dg.build_sensor_context(cursor=cursor, resources=store))

    first = tick(None)
    (event,) = first.asset_events
    assert event.metadata["new_files"].value == 1
    assert (event.metadata["files_not_listed"].value,
            event.metadata["symlinks_not_followed"].value) == (1, 1)
    assert "`caf\\xe9.json`: name not UTF-8" in event.metadata["not_listed"].value
    for reason in (first.skip_reason.skip_message, tick(first.cursor).skip_reason.skip_message):
        assert "left out of the listing" in reason, reason
        assert "1 name(s) not UTF-8: caf\\xe9.json" in reason, reason
        assert "1 symlink(s) not followed: linked.json" in reason, reason
    assert not tick(first.cursor).asset_events

    os.rename(odd, pages / "cafe.json")  # the operator's fixes
    (pages / "linked.json").unlink()
    (pages / "linked.json").write_bytes(page.read_bytes())
    fixed = tick(first.cursor)
    (event,) = fixed.asset_events
    assert event.metadata["new_files"].value == 2
    assert event.metadata["examples"].value == ["cafe.json", "linked.json"]
    assert "left out" not in fixed.skip_reason.skip_message
