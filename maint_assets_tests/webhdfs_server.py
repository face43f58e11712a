"""A WebHDFS server over a local folder, for the WebHDFS file store's tests.

Our own invention: no HDFS can run on these machines (Hadoop is in neither PyPI, Debian nor
npm), so this answers as the WebHDFS REST API's documentation (hadoop-hdfs WebHDFS.md) and a
real NameNode's recorded answers (HDFS-14665, quoted in test_webhdfs_store.py) say, and
HdfsCLI, the client UKWA's ukwa-manage reads its HDFS with, is run against it there as a second
judge of the protocol. What it implements: GETFILESTATUS, LISTSTATUS (a file's own status for a
file), OPEN with offset and length (as a NameNode: a 307 redirect to a "DataNode" URL of the same
server; as an HttpFS gateway: the data), and errors as RemoteException JSON: 404
FileNotFoundException, 403 AccessControlException for a path in ``denied`` (tests run as
root, whom file modes do not stop), a NameNode's 403 IOException for an OPEN at or past a
file's end, a DataNode's 403 (HttpFS: 500) BlockMissingException for a file in
``blocks_missing``. ``canned`` answers a path and operation verbatim.
``cut_after`` ends every OPEN answer after that many bytes of its body; ``datanode_down`` makes
the redirect point at a port where nothing listens.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

PREFIX = "/webhdfs/v1"


class WebHdfsServer:
    def __init__(self, root: Path, gateway: bool = False) -> None:
        self.root = root
        self.gateway = gateway  # HttpFS: OPEN answers the data itself
        self.queries: list[dict[str, str]] = []
        self.cut_after: int | None = None
        self.datanode_down = False
        # paths the user may not read (nor anything under them), as HDFS's permission checker
        self.denied: set[str] = set()
        # (path, op): an answer given verbatim (a real NameNode's)
        self.canned: dict[tuple[str, str], dict] = {}
        # files a DataNode (or HttpFS) cannot read: every replica of a block lost
        self.blocks_missing: set[str] = set()
        self.ops: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._http.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"webhdfs://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> WebHdfsServer:
        # shutdown() waits for serve_forever's next poll (0.5 s apart by default)
        threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        hdfs_path = unquote(parts.path.removeprefix(PREFIX)) or "/"
        local = self.root / hdfs_path.lstrip("/")
        op = query.get("op", "")
        self.ops.append(op)
        self.queries.append(query)
        if (hdfs_path, op) in self.canned:
            return _json(request, self.canned[(hdfs_path, op)])
        if any(hdfs_path == d or hdfs_path.startswith(f"{d}/") for d in self.denied):
            return _error(request, 403, "AccessControlException",
                          f"Permission denied: user={query.get('user.name', 'dr.who')}, "
                          f"access=READ_EXECUTE, inode=\"{hdfs_path}\"")
        if not local.exists() and not local.is_symlink():
            return _error(request, 404, "FileNotFoundException",
                          f"File does not exist: {hdfs_path}")
        if op == "GETFILESTATUS":
            return _json(request, {"FileStatus": _status(local, "")})
        if op == "LISTSTATUS":
            if not local.is_dir() or local.is_symlink():
                return _json(request, {"FileStatuses": {"FileStatus": [_status(local, "")]}})
            entries = sorted(os.scandir(local), key=lambda e: e.name)
            return _json(request, {"FileStatuses": {"FileStatus": [
                _status(Path(e.path), e.name) for e in entries]}})
        if op == "OPEN":
            if local.is_dir():
                return _error(request, 404, "FileNotFoundException",
                              f"Path is not a file: {hdfs_path}")
            # Hadoop answers every IOException but FileNotFound with 403 (NameNode, DataNode:
            # their ExceptionHandler), 500 through HttpFS (HttpFSExceptionProvider).
            size, offset = local.stat().st_size, int(query.get("offset", "0"))
            namenode_leg = not self.gateway and "datanode" not in query
            if namenode_leg and size > 0 and offset >= size:  # chooseDatanode's refusal
                return _error(request, 403, "IOException",
                              f"Offset={offset} out of the range [0, {size}); OPEN, "
                              f"path={hdfs_path}")
            if hdfs_path in self.blocks_missing and not namenode_leg:
                return _error(request, 500 if self.gateway else 403, "BlockMissingException",
                              "Could not obtain block: BP-1-127.0.0.1-1:blk_1073741825_1001 "
                              f"file={hdfs_path}")
            if namenode_leg:
                port = _free_port() if self.datanode_down else self.port
                # the NameNode's redirect carries the request's user and token to the DataNode
                location = f"http://127.0.0.1:{port}{PREFIX}{quote(hdfs_path)}?" + urlencode(
                    {**query, "datanode": "true", "namenoderpcaddress": "127.0.0.1:8020"})
                request.send_response(307)
                request.send_header("Location", location)
                request.send_header("Content-Length", "0")
                request.end_headers()
                return None
            data = local.read_bytes()
            offset = int(query.get("offset", "0"))
            end = offset + int(query["length"]) if "length" in query else len(data)
            body = data[offset:end]
            request.send_response(200)
            request.send_header("Content-Type", "application/octet-stream")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body if self.cut_after is None else body[: self.cut_after])
            if self.cut_after is not None:
                request.wfile.flush()
                request.connection.shutdown(socket.SHUT_RDWR)
            return None
        return _error(request, 400, "IllegalArgumentException", f"Invalid value for op: {op}")


def _status(path: Path, suffix: str) -> dict[str, object]:
    """A FileStatus as the NameNode writes it (JsonUtil.toJsonMap)."""
    found = path.lstat()
    kind = "SYMLINK" if path.is_symlink() else "DIRECTORY" if path.is_dir() else "FILE"
    status: dict[str, object] = {
        "accessTime": int(found.st_atime * 1000), "blockSize": 134217728 if kind == "FILE" else 0,
        "childrenNum": len(os.listdir(path)) if kind == "DIRECTORY" and os.access(
            path, os.R_OK) else 0,
        "fileId": found.st_ino, "group": "supergroup", "length": found.st_size if
        kind == "FILE" else 0, "modificationTime": int(found.st_mtime * 1000),
        "owner": "hdfs", "pathSuffix": suffix, "permission": oct(found.st_mode & 0o777)[2:],
        "replication": 3 if kind == "FILE" else 0, "storagePolicy": 0, "type": kind,
    }
    if kind == "SYMLINK":
        status["symlink"] = os.readlink(path)
    return status


def _json(request: BaseHTTPRequestHandler, body: dict) -> None:
    data = json.dumps(body).encode()
    request.send_response(200)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


_JAVA = {"FileNotFoundException": "java.io.FileNotFoundException",
         "AccessControlException": "org.apache.hadoop.security.AccessControlException",
         "IllegalArgumentException": "java.lang.IllegalArgumentException",
         "IOException": "java.io.IOException",
         "BlockMissingException": "org.apache.hadoop.hdfs.BlockMissingException"}


def _error(request: BaseHTTPRequestHandler, status: int, exception: str, message: str) -> None:
    data = json.dumps({"RemoteException": {
        "exception": exception, "javaClassName": _JAVA[exception], "message": message,
    }}).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
