"""File stores on a real S3 server (moto's): listing, stat and ranged reads, with one client
for the process however many files are read; each store has one spelling."""

import os

import boto3
import dagster_aws.s3.resources
import pytest

from maint_assets.core.file_stores import backend_for, store_identity
from maint_assets.core.stored_files import StoreError
from maint_assets_tests.conftest import S3_CREDENTIALS
from maint_assets_tests.ports import free_port


def test_an_s3_store_reads_every_range_with_one_client(s3_endpoint, monkeypatch) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="ranges")
    for i in range(5):
        s3.put_object(Bucket="ranges", Key=f"crawls/{i}.warc.gz", Body=bytes(range(256)) * 4)
    built = []
    construct = dagster_aws.s3.resources.construct_s3_client
    monkeypatch.setattr(dagster_aws.s3.resources, "construct_s3_client",
                        lambda **kw: built.append(kw) or construct(**kw))

    # A region no other test uses: a client this process built before cannot serve it. A
    # second backend on the same endpoint, as each asset and indexing task makes its own.
    stores = [backend_for("s3://ranges/crawls", s3_endpoint, "ca-ranges-1") for _ in range(2)]
    assert sorted(f.path for f in stores[0].list()) == [f"{i}.warc.gz" for i in range(5)]
    for store in stores:
        for i in range(5):
            assert store.read_range(f"{i}.warc.gz", 250, 10) == bytes([250, 251, 252, 253, 254,
                                                                       255, 0, 1, 2, 3])
            assert store.stat(f"{i}.warc.gz").size == 1024
    assert store.stat("gone.warc.gz") is None
    # Building a client loads botocore's service models: 0.1-0.5 s of CPU per read before.
    assert len(built) == 1


def test_an_s3_store_retries_as_often_as_aws_max_attempts_says(monkeypatch) -> None:
    """The AWS SDKs' own variable (attempts in all): without it passed on, dagster-aws's
    default (5 retries) overrides it, and a store that answers nothing is tried 6 times with a
    backoff of seconds."""
    refused = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    attempts = []

    def reads(max_attempts: str) -> int:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", max_attempts)
        store = backend_for("s3://gone/crawls", refused, "ca-attempts-1")
        store._client().meta.events.register("before-send.s3", lambda **_: attempts.append(1))
        attempts.clear()
        with pytest.raises(StoreError):
            list(store.list())
        return len(attempts)

    assert reads("2") == 2
    assert reads("1") == 1
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "two")
    with pytest.raises(ValueError, match="AWS_MAX_ATTEMPTS must be a number of attempts"):
        backend_for("s3://gone/crawls", refused, "ca-attempts-1")._client()
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    default = backend_for("s3://gone/crawls", refused, "ca-attempts-1")._client()
    assert default.meta.config.retries["total_max_attempts"] == 6  # dagster-aws's, as before


def test_every_spelling_of_a_store_is_one_identity() -> None:
    for url in ("/data/warcs", "/data/warcs/", "/data//warcs", "/data/./x/../warcs",
                "file:///data/warcs", "file:///data/warcs/", "file://localhost/data/warcs"):
        assert store_identity(url) == "/data/warcs", url
    assert store_identity("file:///data/my%20warcs") == "/data/my warcs"
    assert store_identity("warcs/") == os.path.join(os.getcwd(), "warcs")
    for url in ("s3://b/crawls", "s3://b/crawls/", "s3://b//crawls/"):
        assert store_identity(url) == "s3://b/crawls", url
    assert store_identity("s3://b/") == store_identity("s3://b") == "s3://b"
    assert store_identity("s3://b/a/../c") == "s3://b/a/../c"  # S3 keys are literal
    for url in ("file://server/data", "s3:///crawls", "hdfs://nn/warcs"):
        with pytest.raises(StoreError, match="store URL"):
            store_identity(url)
