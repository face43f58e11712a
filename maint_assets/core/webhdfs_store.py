"""A file store in HDFS, read over WebHDFS: a NameNode's REST API, or an HttpFS gateway such as
the one UKWA's access services read through (ukwa-manage's lib/store/webhdfs.py). Listed with
LISTSTATUS, asked with GETFILESTATUS, read with OPEN and its offset and length; a NameNode
answers OPEN with a redirect to a DataNode, an HttpFS gateway with the data.

The store's URL is Hadoop's own: ``webhdfs://host:port/path`` (``swebhdfs://`` over HTTPS), as
pywb's ``archive_paths`` takes it (pywb/utils/loaders.py, WebHDFSLoader; pywb knows no
``swebhdfs://``: replay such a store through an HttpFS gateway's ``webhdfs://``). One host: for
a NameNode pair (HA), name an HttpFS gateway or a load balancer, as UKWA's access services do.
A folder is listed in one LISTSTATUS answer, held in memory (about 350 bytes a file).
Authentication is pywb's too: Hadoop's simple one, the user ``WEBHDFS_USER`` names sent as
``user.name``, or a delegation token from ``WEBHDFS_TOKEN`` (a secret: never in a message or a
log); a cluster that requires Kerberos (SPNEGO) is not supported.

(No Dagster import: indexing workers load this module.)
"""

from __future__ import annotations

import functools
import logging
import os
import posixpath
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from maint_assets.core.stored_files import ObjectDenied, Skipped, StoredFile, StoreError

SCHEMES = {"webhdfs": "http", "swebhdfs": "https"}
# A Hadoop 3 NameNode's HTTP and HTTPS ports (dfs.namenode.http-address, https-address)
DEFAULT_PORTS = {"webhdfs": 9870, "swebhdfs": 9871}
# pywb's variables (its WebHDFSLoader), so one setting serves both
USER_ENV = "WEBHDFS_USER"
TOKEN_ENV = "WEBHDFS_TOKEN"
TIMEOUT_S = (10.0, 300.0)  # to connect; between two reads of an answer
_BLOCK = 1 << 20
# What the server is, not the file: the NameNode standing by or starting, a retriable state.
_THE_SERVERS = {"StandbyException", "SafeModeException", "RetriableException",
                "ObserverRetryOnActiveException"}
# What the user's credentials or the cluster's reach are: every file would fail alike. Any other
# exception a WebHDFS server names is the path's own: Hadoop answers every IOException but a
# FileNotFoundException with 403 (NameNode and DataNode: web/resources/ExceptionHandler,
# datanode/web/webhdfs/ExceptionHandler) or 500 (HttpFS: HttpFSExceptionProvider), a lost block
# (BlockMissingException) or a bad checksum included, so the status alone says nothing.
_THE_CLUSTERS = {"SecurityException", "AuthorizationException", "InvalidToken",
                 "ConnectException", "NoRouteToHostException", "UnknownHostException",
                 "SocketTimeoutException", "ConnectTimeoutException"}
# NamenodeWebHdfsMethods.chooseDatanode refuses an OPEN at or past a non-empty file's end
_PAST_END = re.compile(r"Offset=\d+ out of the range \[0, \d+\)")


class _Missing(Exception):
    pass


class _Denied(Exception):
    pass


class _PastEnd(Exception):
    pass


def webhdfs_identity(url: str) -> str:
    """``webhdfs://host:port/path`` with the host in lower case, the default port written out,
    and the path decoded and normalised (HDFS names hold neither ``.`` nor ``..``); no
    trailing slash."""
    parsed = urlparse(url)
    if not parsed.hostname:
        raise ValueError(f"store URL {url!r} names no host (webhdfs://namenode:9870/path)")
    if parsed.username or parsed.password:
        raise ValueError(
            f"store URL {parsed.scheme}://…@{parsed.hostname} names a user: give it as "
            f"{USER_ENV} (as pywb takes it)"
        )
    # A URI's path is percent-encoded (Hadoop's, pywb's loader): "my%20warcs" is "my warcs".
    path = posixpath.normpath("/" + unquote(parsed.path).lstrip("/"))
    path = "" if path == "/" else path
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    return f"{parsed.scheme}://{parsed.hostname.lower()}:{port}{path}"


@dataclass(frozen=True)
class WebHdfsBackend:
    identity: str  # webhdfs_identity's

    @property
    def _base(self) -> str:
        parsed = urlparse(self.identity)
        return f"{SCHEMES[parsed.scheme]}://{parsed.netloc}/webhdfs/v1"

    @property
    def _root(self) -> str:
        return urlparse(self.identity).path or "/"

    def _where(self, path: str) -> str:
        return f"{self.identity}/{path}" if path else self.identity

    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        # HDFS names are Unicode: nothing is left out for its name.
        skipped = skipped if skipped is not None else Skipped()
        try:
            root = self._status("")
        except _Denied as err:
            raise StoreError(f"{self.identity} cannot be listed: {err}", scope="") from None
        if root is None or root["type"] != "DIRECTORY":
            raise StoreError(f"{self.identity} is not a directory", scope="")
        stack = [""]
        while stack:
            folder = stack.pop()
            try:
                statuses = self._ask(folder, "LISTSTATUS")["FileStatuses"]["FileStatus"]
            except _Missing:
                if not folder:
                    raise StoreError(f"{self.identity} was removed while it was listed",
                                     scope="") from None
                skipped.vanished.append(f"{folder}/")
                continue
            except _Denied as err:
                if not folder:
                    raise StoreError(f"{self.identity} cannot be listed: {err}",
                                     scope="") from None
                skipped.unreadable.append(f"{folder}/")
                continue
            for status in statuses:
                path = f"{folder}/{status['pathSuffix']}" if folder else status["pathSuffix"]
                if status["type"] == "DIRECTORY":
                    if recursive:
                        stack.append(path)
                elif status["type"] == "SYMLINK":
                    skipped.symlinks.append(path)
                else:
                    yield _stored(path, status)

    @contextmanager
    def local_copy(self, path: str) -> Iterator[Path]:
        expected = self.stat(path)
        if expected is None:
            raise FileNotFoundError(f"{self._where(path)}: no such file")
        with tempfile.TemporaryDirectory(prefix="warc-") as tmp:
            local = Path(tmp) / posixpath.basename(path)
            with self._open(path, 0, None) as answer, local.open("wb") as out:
                try:
                    for block in answer.iter_content(_BLOCK):
                        out.write(block)
                except requests.RequestException as err:
                    raise StoreError(f"cannot read {self._where(path)}: {_said(err)}") from None
            if local.stat().st_size != expected.size:
                # a read cut short (or the file still being written): never indexed as whole
                raise StoreError(
                    f"cannot read {self._where(path)}: {local.stat().st_size} of its "
                    f"{expected.size} bytes came"
                )
            yield local

    def stat(self, path: str) -> StoredFile | None:
        try:
            status = self._status(path)
        except _Denied as err:
            raise ObjectDenied(f"{self._where(path)}: {err}") from None
        return None if status is None or status["type"] != "FILE" else _stored(path, status)

    def read_range(self, path: str, offset: int, length: int) -> bytes:
        try:
            with self._open(path, offset, length) as answer:
                return answer.content
        except _PastEnd:  # as a local file read there: nothing
            return b""
        except requests.RequestException as err:  # the answer cut short
            raise StoreError(f"cannot read {self._where(path)}: {_said(err)}") from None

    def probe(self, path: str) -> None:
        self.read_range(path, 0, 1)

    def _status(self, path: str) -> dict[str, Any] | None:
        try:
            return self._ask(path, "GETFILESTATUS")["FileStatus"]
        except _Missing:
            return None

    def _ask(self, path: str, op: str) -> dict[str, Any]:
        answer = self._get(path, op)
        try:
            return answer.json()
        except ValueError:
            raise StoreError(f"{op} {self._where(path)}: the answer is not JSON",
                             scope="") from None

    @contextmanager
    def _open(self, path: str, offset: int, length: int | None) -> Iterator[requests.Response]:
        params = {"offset": str(offset)} | ({"length": str(length)} if length is not None else {})
        try:
            answer = self._get(path, "OPEN", params, stream=True)
        except _Missing:
            raise FileNotFoundError(f"{self._where(path)}: no such file") from None
        except _Denied as err:
            raise ObjectDenied(f"{self._where(path)}: {err}") from None
        with answer:
            yield answer

    def _get(
        self, path: str, op: str, params: dict[str, str] | None = None, stream: bool = False
    ) -> requests.Response:
        """One operation on ``path``; a NameNode's redirect to a DataNode followed apart, so
        that a DataNode not reached is this file's problem, the NameNode not reached the
        whole store's."""
        hdfs_path = posixpath.join(self._root, path) if path else self._root
        query = {"op": op, **(params or {})}
        if user := os.environ.get(USER_ENV):
            query["user.name"] = user
        if token := os.environ.get(TOKEN_ENV):
            query["delegation"] = token
        url = self._base + quote(hdfs_path)
        try:
            answer = _session().get(url, params=query, timeout=TIMEOUT_S, stream=stream,
                                    allow_redirects=False)
        except requests.RequestException as err:
            raise StoreError(f"cannot reach {self.identity}: {_said(err)}", scope="") from None
        if answer.is_redirect and op == "OPEN":
            answer.close()
            try:
                answer = _session().get(answer.headers["Location"], timeout=TIMEOUT_S,
                                        stream=stream)
            except requests.RequestException as err:
                raise StoreError(
                    f"cannot read {self._where(path)} from its DataNode: {_said(err)}"
                ) from None
        if answer.status_code != 200:
            self._refused(answer, path, op)
        return answer

    def _refused(self, answer: requests.Response, path: str, op: str) -> None:
        """WebHDFS's RemoteException, told as what it says of the path."""
        try:
            remote = answer.json()["RemoteException"]
            kind, message = remote["exception"], remote.get("message", "")
        except (ValueError, KeyError, TypeError):
            kind, message = "", _redacted(answer.text[:200])
        finally:
            answer.close()
        if kind == "FileNotFoundException":
            raise _Missing(message)
        if kind == "AccessControlException":
            raise _Denied(message)
        if op == "OPEN" and kind == "IOException" and _PAST_END.search(message):
            raise _PastEnd(message)
        # Another exception of the path's own (an IOException reading it, whatever its HTTP
        # status) is this file's; the NameNode's state, a refused user, the cluster not
        # reached, or an answer that is not WebHDFS's (a proxy's page) is the whole store's.
        own = kind and kind not in _THE_SERVERS | _THE_CLUSTERS and answer.status_code != 401
        scope = None if own else ""
        raise StoreError(
            f"{op} {self._where(path)}: HTTP {answer.status_code} {kind or ''} {message}".strip(),
            scope=scope,
        )


def _said(err: requests.RequestException) -> str:
    """The error without the delegation token its URL carries."""
    return _redacted(str(err))


def _redacted(text: str) -> str:
    token = os.environ.get(TOKEN_ENV)
    return text.replace(token, "<WEBHDFS_TOKEN>") if token else text


class _TokenFilter(logging.Filter):
    """urllib3 logs every retry at WARNING with the request's URL, query and all (the
    delegation token): in a run, that reaches the step's stderr and its compute logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        token = os.environ.get(TOKEN_ENV)
        if token:
            message = record.getMessage()
            if token in message:
                record.msg, record.args = message.replace(token, "<WEBHDFS_TOKEN>"), None
        return True


def _stored(path: str, status: dict[str, Any]) -> StoredFile:
    return StoredFile(
        path, int(status["length"]),
        datetime.fromtimestamp(int(status["modificationTime"]) / 1000, UTC),
    )


@functools.cache
def _session() -> requests.Session:
    """One per process: its connections are kept alive between the reads of a run. A GET is
    tried again on a connection error or a 502/503/504 (a gateway restarting), as botocore
    does for S3."""
    for name in ("urllib3.connectionpool", "urllib3.util.retry"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _TokenFilter) for f in logger.filters):
            logger.addFilter(_TokenFilter())
    session = requests.Session()
    retry = Retry(total=3, backoff_factor=0.1, status_forcelist=(502, 503, 504),
                  allowed_methods=("GET",), raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "maint_assets"
    return session
