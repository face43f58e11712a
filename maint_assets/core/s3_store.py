"""A file store under an S3 prefix (any endpoint), read with ranged GETs or a temporary copy.

(No Dagster import at load time: an indexing worker reading local files never loads it, and
the S3 client comes from dagster-aws only when first asked for.)
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from maint_assets.core.stored_files import ObjectDenied, Skipped, StoredFile, StoreError

if TYPE_CHECKING:  # botocore is loaded with the first S3 client, never by a local worker
    from botocore.client import BaseClient


@dataclass(frozen=True)
class S3Backend:
    bucket: str
    prefix: str
    endpoint_url: str
    region_name: str

    def _client(self) -> BaseClient:
        return s3_client(self.endpoint_url, self.region_name)

    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        # S3 keys are UTF-8 and hold no links: nothing is skipped.
        from botocore.exceptions import BotoCoreError, ClientError

        start = f"{self.prefix}/" if self.prefix else ""
        # With a delimiter, S3 lists the keys directly under the prefix and groups the rest
        # under their "folders" (CommonPrefixes), not listed: s3fs's ``ls``.
        delimiter = {} if recursive else {"Delimiter": "/"}
        try:
            pages = self._client().get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start, **delimiter
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield StoredFile(
                        item["Key"][len(start):], item["Size"], item["LastModified"]
                    )
        except (BotoCoreError, ClientError) as err:
            raise StoreError(f"cannot list s3://{self.bucket}/{start}: {err}") from None

    @contextmanager
    def local_copy(self, path: str) -> Iterator[Path]:
        key = f"{self.prefix}/{path}" if self.prefix else path
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        with tempfile.TemporaryDirectory(prefix="warc-") as tmp:
            local = Path(tmp) / Path(path).name
            try:
                self._client().download_file(self.bucket, key, str(local))
            except ClientError as err:
                if missing(err):
                    raise  # the indexing tells a file gone from a store error
                raise self._refused(key, err) from None
            except (BotoCoreError, Boto3Error) as err:
                # A download cut on every attempt (boto3's "Max Retries Exceeded" names
                # nothing), the endpoint not reached: the store's, named with the object.
                last = getattr(err, "last_exception", None)
                why = f"{err} ({type(last).__name__}: {last})" if last else str(err)
                raise StoreError(f"cannot read s3://{self.bucket}/{key}: {why}",
                                 scope=None) from None
            yield local

    def stat(self, path: str) -> StoredFile | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self._client().head_object(Bucket=self.bucket, Key=self._key(path))
        except ClientError as err:
            if missing(err):
                return None
            raise self._refused(self._key(path), err) from None
        except BotoCoreError as err:
            # The endpoint not reached (after botocore's retries): the store cannot say, for
            # any of its files.
            raise StoreError(f"cannot read s3://{self.bucket}/{self._key(path)}: {err}",
                             scope="") from None
        return StoredFile(path, head["ContentLength"], head["LastModified"])

    def _refused(self, key: str, err: Exception) -> Exception:
        """A 403 on one object while the store lists that very key is the object's own refusal
        (a policy denying it); anything else (credentials refused everywhere, the store down)
        is the store's."""
        from botocore.exceptions import BotoCoreError, ClientError

        if getattr(err, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") == 403:
            try:
                self._client().list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
            except (BotoCoreError, ClientError):
                pass
            else:
                return ObjectDenied(f"s3://{self.bucket}/{key}: access denied ({err})")
        return StoreError(f"cannot read s3://{self.bucket}/{key}: {err}")

    def read_range(self, path: str, offset: int, length: int) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(path)
        try:
            answer = self._client().get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}"
            )
            return answer["Body"].read()
        except (BotoCoreError, ClientError) as err:
            raise self._failed(key, err) from None

    def probe(self, path: str) -> None:
        # A GET, as the reader's: S3 answers a HEAD for an object whose GET it refuses (one in
        # Glacier), and moto applies a bucket policy's Deny to the GET alone.
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(path)
        try:
            self._client().get_object(Bucket=self.bucket, Key=key, Range="bytes=0-0")[
                "Body"
            ].read()
        except (BotoCoreError, ClientError) as err:
            # An empty object has no first byte: a 416, answered once the GET was authorized.
            if getattr(err, "response", {}).get("Error", {}).get("Code") != "InvalidRange":
                raise self._failed(key, err) from None

    def _failed(self, key: str, err: Exception) -> Exception:
        if missing(err):
            return FileNotFoundError(f"s3://{self.bucket}/{key}: no such key")
        if getattr(err, "response", None):  # S3 answered: the object's refusal or the store's
            return self._refused(key, err)
        from botocore.exceptions import ConnectionError as NoConnection

        # No connection to the endpoint at all (refused, no route, TLS failing, connect timeout)
        # is the whole store's; a read cut or timing out on an open connection may be this
        # object's alone (one slow or failing disk of the cluster).
        whole = isinstance(err, NoConnection)
        return StoreError(f"cannot read s3://{self.bucket}/{key}: {err}",
                          scope="" if whole else None)

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path


def missing(err: Exception) -> bool:
    """Whether an S3 error says the key does not exist."""
    return getattr(err, "response", {}).get("Error", {}).get("Code") in (
        "404", "NoSuchKey", "NotFound"
    )


def s3_client(endpoint_url: str, region_name: str) -> BaseClient:
    """The one way to S3 (file stores and the artifact store): dagster-aws's S3Resource, with
    its retry settings. Imported here, not at the top: an indexing worker reading local files
    never loads Dagster.

    botocore retries a failed request itself, with a growing random backoff: up to
    ``AWS_MAX_ATTEMPTS`` attempts in all when the environment sets it (the AWS SDKs' variable),
    otherwise S3Resource's default of 5 retries. S3Resource's setting would override the
    variable, so it is passed on, as the retries after the first attempt that S3Resource's
    ``max_attempts`` counts."""
    return _s3_client(endpoint_url, region_name, os.environ.get("AWS_MAX_ATTEMPTS"))


@functools.cache
def _s3_client(endpoint_url: str, region_name: str, max_attempts: str | None) -> BaseClient:
    """One client per endpoint, region and retry setting for the process: building one loads
    botocore's service models (0.1-0.5 s of CPU), and the index's verification reads a range of
    a WARC for each sampled line. Clients are thread-safe, and refresh their own credentials."""
    from dagster_aws.s3 import S3Resource

    retries = {}
    if max_attempts:
        if not max_attempts.strip().isdigit() or int(max_attempts) < 1:
            raise ValueError(f"AWS_MAX_ATTEMPTS must be a number of attempts (1 or more), "
                             f"not {max_attempts!r}")
        retries["max_attempts"] = int(max_attempts) - 1
    return S3Resource(
        endpoint_url=endpoint_url or None, region_name=region_name, **retries
    ).get_client()
