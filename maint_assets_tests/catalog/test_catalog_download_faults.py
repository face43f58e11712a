"""A catalogue page whose download S3 cuts mid-body on every attempt (a proxy in front of the
session's moto S3: faulty_http.py)."""

import secrets
from pathlib import Path

import boto3
import dagster as dg
import pytest

from maint_assets.catalog.assets.raw_datasets import raw_datasets
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets_tests.faulty_http import Fault, FaultyHttp

PREFIX = "DUMP_INTEGRATION_JSON"


def test_a_page_whose_download_is_cut_fails_the_extract_naming_the_page(
    tmp_path: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GET of one page answers its full Content-Length and resets the connection after
    100 bytes, every time (s3transfer tries 5 times). Expected: the run fails with an error
    naming the page (as a page gone or refused does), nothing loaded. It failed with boto3's
    RetriesExceededError, "Max Retries Exceeded", naming neither the page nor the store."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    bucket = f"faults-pages-{secrets.token_hex(3)}"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    write_pages(tmp_path / "pages", datasets=90, per_page=30)
    pages = sorted((tmp_path / "pages").iterdir())
    for page in pages:
        s3.upload_file(str(page), bucket, f"{PREFIX}/{page.stem}.json")
    cut = f"{pages[1].stem}.json"

    def rule(method: str, path: str, query: dict) -> Fault | None:
        if method == "GET" and path.endswith(f"/{cut}") and "list-type" not in query:
            return Fault("truncate", keep=100)
        return None

    with FaultyHttp(s3_endpoint, rule) as proxy:
        result = dg.materialize(
            [raw_datasets],
            resources={
                "catalog_pages": FileStore(url=f"s3://{bucket}/{PREFIX}", endpoint_url=proxy.url),
                "artifacts": ArtifactStore(directory=str(tmp_path / "artifacts")),
            },
            raise_on_error=False,
        )
        assert any(done == "truncate" for *_, done in proxy.seen)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error
    message = error.message + "".join(c.message for c in _causes(error))
    assert cut in message, f"the error does not name the page: {error.message.strip()}"


def _causes(error):
    while error.cause is not None:
        error = error.cause
        yield error
