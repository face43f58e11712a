"""The catalogue chain end to end: DCAT pages on a real S3 server (moto over HTTP), the
session's PostgreSQL, and readers that must never see a half-loaded table."""

import json
import shutil
import threading
from pathlib import Path

import boto3
import dagster as dg
import psycopg
import pytest

from maint_assets.catalog import keys
from maint_assets.catalog.assets.datasets_clean import datasets_clean
from maint_assets.catalog.assets.public_datasets import public_datasets
from maint_assets.catalog.assets.raw_datasets import raw_datasets
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets_tests.copy_killer import copy_ended_once

CHAIN = [raw_datasets, datasets_clean, public_datasets]


@pytest.fixture
def s3_pages(s3_endpoint: str, tmp_path: Path):
    """Upload the pages of a directory to a new bucket; returns (upload, store)."""
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"catalog-{tmp_path.name.replace('_', '-')[:40]}".lower()
    s3.create_bucket(Bucket=bucket)

    def upload(directory: Path) -> None:
        for path in sorted(directory.iterdir()):
            s3.upload_file(str(path), bucket, f"DUMP/{path.name}")

    return upload, FileStore(url=f"s3://{bucket}/DUMP", endpoint_url=s3_endpoint)


def _run(
    db: str,
    store: FileStore,
    artifacts: ArtifactStore,
    instance: dg.DagsterInstance | None = None,
    **config,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        CHAIN,
        resources={
            "catalog_db": PostgresResource(url=db, lock_timeout_s=5),
            "catalog_pages": store,
            "artifacts": artifacts,
        },
        run_config={"ops": config} if config else None,
        instance=instance,
        raise_on_error=False,
    )


def _run_pages(db: str, tmp_path: Path) -> dg.ExecuteInProcessResult:
    """The chain over the pages under ``tmp_path``/pages, its artifacts beside them."""
    return _run(
        db,
        FileStore(url=str(tmp_path / "pages")),
        ArtifactStore(directory=str(tmp_path / "artifacts")),
    )


def _rows(db: str) -> dict[str, tuple]:
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT identifier, modified::text, licence, open_access, natural_risk, communes, "
            "departements, geo_coverage, completeness::float, distributions, contact_point "
            "FROM public.datasets"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_pages_on_s3_to_a_clean_table(empty_db: str, tmp_path: Path, s3_pages) -> None:
    upload, store = s3_pages
    write_pages(tmp_path / "pages", datasets=1200, per_page=500)
    upload(tmp_path / "pages")
    result = _run(empty_db, store, ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success
    rows = _rows(empty_db)
    assert len(rows) == 1200  # 24 repeated identifiers kept once
    # i=0: PPRN topic, département-level spatial, Etalab licence, no description or contact.
    assert rows["ds-0000000"][:4] == ("2024-01-01", "etalab-2.0", True, True)
    assert rows["ds-0000000"][4] == [] and len(rows["ds-0000000"][5]) == 1
    assert rows["ds-0000000"][6] == "Départementale"
    assert rows["ds-0000000"][7] == pytest.approx(77.8) and rows["ds-0000000"][9] is None
    # i=1: a commune, its département derived from the code, CC-BY, flood keywords.
    commune = rows["ds-0000001"][4]
    assert len(commune) == 1 and rows["ds-0000001"][5] == [commune[0][:2]]
    assert rows["ds-0000001"][1:4] == ("CC-BY-4.0", True, True)
    assert rows["ds-0000001"][6] == "Communale" and rows["ds-0000001"][7] == 100.0
    assert rows["ds-0000003"][1:3] == ("other", False)  # proprietary licence, restricted
    assert rows["ds-0000002"][1:4] == ("ODbL-1.0", True, False)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "required_columns": True,
        "unique_identifiers": True,
        "row_count_kept": True,
        "one_dataset_per_identifier": False,  # the 24 repeated identifiers, named (a warning)
    }


def test_a_page_the_s3_store_refuses_is_named_and_nothing_is_replaced(
    empty_db: str, tmp_path: Path, s3_pages
) -> None:
    upload, store = s3_pages
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    write_pages(tmp_path / "pages", datasets=200, per_page=100)
    upload(tmp_path / "pages")
    assert _run(empty_db, store, artifacts).success
    before = _rows(empty_db)
    refused = sorted(p.name for p in (tmp_path / "pages").iterdir())[0]
    bucket = store.identity.removeprefix("s3://").split("/")[0]
    # An operator's explicit Deny on one object (moto enforces it on object requests only).
    boto3.client("s3", endpoint_url=store.endpoint_url, region_name="us-east-1").put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/DUMP/{refused}"}],
        }))
    result = _run(empty_db, store, artifacts)
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.message
    assert error.startswith("dagster._core.definitions.events.Failure: catalogue page "
                            f"{store.url}/{refused} cannot be read"), error
    assert "access denied" in error and "the live table is unchanged" in error
    assert _rows(empty_db) == before

def test_a_malformed_page_fails_naming_it_or_is_skipped(
    empty_db: str, tmp_path: Path, s3_pages
) -> None:
    upload, store = s3_pages
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    write_pages(tmp_path / "pages", datasets=600, per_page=300)
    upload(tmp_path / "pages")
    assert _run(empty_db, store, artifacts).success
    before = _rows(empty_db)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "catalog-page-00099.jsonld").write_text('{"@context": {}, "@graph": [')
    upload(bad)
    failed = _run(empty_db, store, artifacts)
    assert not failed.success
    error = failed.get_step_failure_events()[0].event_specific_data.error.message
    assert "catalog-page-00099.jsonld" in error and "not JSON-LD" in error
    assert _rows(empty_db) == before
    skipped = _run(
        empty_db,
        store,
        artifacts,
        catalog__dataframe__raw_datasets={"config": {"skip_malformed_pages": True}},
    )
    assert skipped.success
    meta = {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in skipped.get_asset_materialization_events()
    }
    skipped_pages = meta["catalog/dataframe/raw_datasets"]["skipped_pages"]
    assert list(skipped_pages) == ["catalog-page-00099.jsonld"]
    assert _rows(empty_db) == before
    table = meta["catalog/public/datasets"]["dagster/column_schema"]
    assert {"identifier", "title", "licence"} <= {c.name for c in table.columns}


def test_a_load_failing_its_checks_leaves_the_live_table_readable_and_unchanged(
    empty_db: str, tmp_path: Path
) -> None:
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    pages = tmp_path / "pages"
    write_pages(pages, datasets=2000, per_page=1000)
    store = FileStore(url=str(pages))
    assert _run(empty_db, store, artifacts).success
    shutil.rmtree(pages)
    write_pages(pages, datasets=500, per_page=500)  # a truncated dump: 75 % fewer datasets

    seen, errors, stop = set(), [], threading.Event()

    def read() -> None:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            while not stop.is_set():
                try:
                    seen.add(conn.execute("SELECT count(*) FROM public.datasets").fetchone()[0])
                except psycopg.Error as err:
                    errors.append(err)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        refused = _run(empty_db, store, artifacts)
    finally:
        stop.set()
        reader.join()
    assert not refused.success
    checks = {e.check_name: e.passed for e in refused.get_asset_check_evaluations()}
    assert checks["row_count_kept"] is False and checks["unique_identifiers"] is True
    assert errors == [] and seen == {2000}
    assert len(_rows(empty_db)) == 2000

    # The same load accepted once the drop is allowed, still never half-visible to readers.
    stop.clear()
    reader = threading.Thread(target=read)
    reader.start()
    try:
        accepted = _run(
            empty_db,
            store,
            artifacts,
            catalog__public__datasets={"config": {"max_drop_fraction": 0.9}},
        )
    finally:
        stop.set()
        reader.join()
    assert accepted.success and errors == [] and seen <= {2000, 500}
    assert len(_rows(empty_db)) == 500


def test_duplicate_identifiers_and_a_corrupt_artifact_are_refused(
    empty_db: str, tmp_path: Path
) -> None:
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    pages = tmp_path / "pages"
    write_pages(pages, datasets=300, per_page=300)
    instance = dg.DagsterInstance.ephemeral()
    assert _run(empty_db, FileStore(url=str(pages)), artifacts, instance).success
    before = _rows(empty_db)
    good = artifacts.latest(keys.CLEAN_FOLDER)
    lines = artifacts.fetch(good, tmp_path / "clean.csv").read_text().splitlines(keepends=True)
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("".join(lines + lines[1:3]))  # two rows again
    put = artifacts.put(doubled, keys.CLEAN_FOLDER, "datasets.csv", {"rows": len(lines) + 1})
    # The load reads what the clean step recorded: record the doubled file as its output.
    instance.report_runless_asset_event(
        dg.AssetMaterialization(keys.DATASETS_CLEAN, metadata={"artifact": put.key})
    )

    def load() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [public_datasets],
            resources={"catalog_db": PostgresResource(url=empty_db), "artifacts": artifacts},
            instance=instance,
            raise_on_error=False,
        )

    refused = load()
    checks = {e.check_name: e for e in refused.get_asset_check_evaluations()}
    assert not refused.success and not checks["unique_identifiers"].passed
    assert set(checks["unique_identifiers"].metadata["duplicates"].value) == {
        line.split(",", 1)[0] for line in lines[1:3]
    }
    assert _rows(empty_db) == before

    # A stored file that no longer matches its manifest is found while streaming into COPY,
    # and the transaction rolls back.
    latest = artifacts.latest(keys.CLEAN_FOLDER)
    stored = tmp_path / "artifacts" / latest.key
    stored.write_bytes(b"".join(line.encode() for line in lines))
    corrupt = load()
    assert not corrupt.success
    error = corrupt.get_step_failure_events()[0].event_specific_data.error
    assert "does not match its manifest" in (
        error.message + (error.cause.message if error.cause else "")
    )
    assert _rows(empty_db) == before


def test_each_step_loads_the_artifact_its_upstream_recorded_not_the_newest_file(
    empty_db: str, tmp_path: Path
) -> None:
    # Two runs share the artifact store: the second one's files are the newest of each folder
    # while the first is between its steps. The first must go on with its own extract.
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    write_pages(tmp_path / "ours", datasets=60, per_page=60)
    write_pages(tmp_path / "theirs", datasets=40, per_page=40)
    ours = dg.DagsterInstance.ephemeral()
    resources = {
        "catalog_db": PostgresResource(url=empty_db, lock_timeout_s=5),
        "catalog_pages": FileStore(url=str(tmp_path / "ours")),
        "artifacts": artifacts,
    }
    assert dg.materialize([raw_datasets], resources=resources, instance=ours).success
    assert _run(f"{empty_db}", FileStore(url=str(tmp_path / "theirs")), artifacts).success
    assert len(_rows(empty_db)) == 40
    rest = dg.materialize(
        [datasets_clean, public_datasets],
        resources=resources,
        instance=ours,
        run_config={"ops": {"catalog__public__datasets": {"config": {"max_drop_fraction": 1}}}},
    )
    assert rest.success
    assert len(_rows(empty_db)) == 60
    recorded = {
        e.asset_key.to_user_string(): e.materialization.metadata["artifact"].value
        for e in rest.get_asset_materialization_events()
    }
    assert recorded["catalog/public/datasets"] == recorded["catalog/dataframe/datasets_clean"]


def test_a_connection_the_server_ends_mid_load_is_retried_not_failed(
    empty_db: str, tmp_path: Path
) -> None:
    """DESIGN.md 6: transient failures are retried. The server ends the load's connection once
    during its COPY (a restart, a failover): the step runs again after its transaction rolled
    back, and replaces the table. Before, the day's load failed until the next day's run."""
    write_pages(tmp_path / "pages", datasets=3000, per_page=500)
    with copy_ended_once(empty_db) as killed:
        result = dg.materialize(
            CHAIN,
            resources={
                "catalog_db": PostgresResource(url=empty_db, connection_retry_wait_s=0.5),
                "catalog_pages": FileStore(url=str(tmp_path / "pages")),
                "artifacts": ArtifactStore(directory=str(tmp_path / "artifacts")),
            },
            raise_on_error=False,
        )
    assert killed, "the COPY was never seen"
    assert result.success, result.get_step_failure_events()
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    assert len(_rows(empty_db)) == 3000
