"""Servers the web archive tests talk to: an OutbackCDX-compatible endpoint, a real Prometheus
Pushgateway (Debian's prometheus-pushgateway) and pywb itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import surt
import yaml
from prometheus_client.parser import text_string_to_metric_families

from maint_assets_tests.ports import free_port


class OutbackCdxServer(ThreadingHTTPServer):
    """OutbackCDX's HTTP API as its source defines it (nla/outbackcdx at 43c60e8,
    ``src/outbackcdx/Webapp.java`` and ``Capture.java``), for the tests: the real server needs
    Maven Central to build, which CI cannot reach.

    - ``POST /<collection>``: lines starting `` CDX`` skipped; each other line parsed like
      ``Capture.fromCdxLine`` (9, 10, 11 or 14 fields; a timestamp of digits, at most 14; the
      status ``-`` or an integer; length and offset numbers; CDXJ when the third field starts
      with ``{``); the body is one batch: a line that does not parse answers
      ``400 At line: <line>`` and adds nothing; else ``200 Added N records``.
    - ``POST /<collection>/delete``: the same lines, deleted by key, absent ones ignored.
    - ``GET /<collection>?url=``: the captures of that URL as CDX11 lines (its default ``fl``).
    - ``GET /config.json``: ``featureFlags.indexVersion``.

    A capture's key is its canonical URL and timestamp (index version 3, the default) or also
    its file and offset (4 and 5). A POST or PUT capture's canonical URL holds its method and
    body: the server infers them from the line's own key (the parameters of its query that the
    URL lacks, ``Capture.inferMethodAndRequestBodyFromOldUrlKey``) and keys the capture by
    ``<url>?__wb_method=POST&<body>`` (``generateUrlKey``); a query finds it only when asked with
    ``method`` and ``requestBody`` (``Query.buildUrlKey``), a plain ``?url=`` finds the GETs.
    The canonical URL is pywb's SURT here, close to OutbackCDX's own canonicaliser for the URLs
    the tests use. ``fail_with`` answers every request with that status instead (our invention,
    for what stands in front of the server: 503 as a server going down does, 403 as a proxy
    refusing the requests does, with HAProxy's own 403 page);
    ``refuse`` rejects the lines it selects as unparseable ones are (a rule of
    the server's own configuration, such as a filter plugin, that a test later relaxes);
    ``queries_left``, when set, is how many ``GET /<collection>?url=`` it answers before it goes
    down (our invention, to stop it in the middle of a check: the query that finds it at 0 gets
    its connection closed unanswered, and every later connection is refused).
    """

    def __init__(self, index_version: int = 3) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.index_version = index_version
        self.captures: dict[str, dict[tuple, str]] = {}
        self.posts = 0
        self.deletes = 0
        self.fail_with: int | None = None
        self.refuse: Callable[[str], bool] = lambda line: False
        self.queries_left: int | None = None
        self._going_down = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def go_down(self) -> None:
        """Stop serving and close the listening socket, from another thread than
        ``serve_forever``'s (a handler's); once."""
        if self._going_down.acquire(blocking=False):
            def down() -> None:
                self.shutdown()
                self.server_close()

            threading.Thread(target=down, daemon=True).start()

    def lines(self, collection: str) -> list[str]:
        return sorted(self.captures.get(collection, {}).values())

    def key(self, line: str) -> tuple:
        fields = line.split(" ")
        if len(fields) > 2 and fields[2].startswith("{"):
            found = json.loads(line.split(" ", 2)[2])
            url, offset, file = found["url"], int(found.get("offset", -1)), found.get("filename")
        else:
            if len(fields) < 9:
                raise ValueError("too few fields")
            url = fields[2]
            if fields[4] != "-":
                int(fields[4])
            if len(fields) >= 11:
                if fields[8] != "-":
                    int(fields[8])
                offset, file = int(fields[9]), fields[10]
            elif len(fields) == 10:
                offset, file = int(fields[8]), fields[9]
            else:
                offset, file = int(fields[7]), fields[8]
        stamp = fields[1]
        if len(stamp) > 14 or not stamp.isdigit():
            raise ValueError(f"bad timestamp {stamp}")
        key = (canonical(url, *_method_and_body(fields[0], url)), stamp.ljust(14, "0"))
        return (*key, file, offset) if self.index_version >= 4 else key


def canonical(url: str, method: str | None = None, body: str | None = None) -> str:
    """The key OutbackCDX gives ``url`` requested with ``method`` and ``body``
    (``Capture.generateUrlKey``, ``Query.buildUrlKey``)."""
    if method and method.upper() in ("POST", "PUT"):
        url += ("&" if "?" in url else "?") + f"__wb_method={method.upper()}"
        url += f"&{body}" if body else ""
    return surt.surt(url)


def _method_and_body(old_key: str, url: str) -> tuple[str | None, str | None]:
    """The method and body OutbackCDX infers from a line's own key: the parameters of its
    query that the URL's own key lacks (``inferMethodAndRequestBodyFromOldUrlKey``)."""
    if "__wb_method=" not in old_key:
        return None, None
    own = set(surt.surt(url).partition("?")[2].split("&"))
    extra = [p for p in old_key.partition("?")[2].split("&") if p not in own]
    method = next((p.split("=", 1)[1].upper() for p in extra if p.startswith("__wb_method=")),
                  None)
    body = "&".join(p for p in extra if not p.startswith("__wb_method="))
    return method, body or None


# HAProxy's default page for a request its rules deny (http-request deny).
_PROXY_PAGES = {
    403: "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
    "</body></html>\n",
}


class _Handler(BaseHTTPRequestHandler):
    server: OutbackCdxServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()
        if self.server.fail_with:
            return self._fail()
        path = self.path.strip("/")
        delete = path.endswith("/delete")
        collection = path.removesuffix("/delete")
        parsed = []
        for line in body.splitlines():
            if line.startswith(" CDX") or not line:
                continue
            try:
                if not delete and self.server.refuse(line):
                    raise ValueError("refused by the server's configuration")
                parsed.append((self.server.key(line), line))
            except (ValueError, IndexError, KeyError):
                return self._answer(400, f"At line: {line}")
        index = self.server.captures.setdefault(collection, {})
        for key, line in parsed:
            if delete:
                index.pop(key, None)
            else:
                index[key] = line
        if delete:
            self.server.deletes += 1
            return self._answer(200, f"Deleted {len(parsed)} records")
        self.server.posts += 1
        self._answer(200, f"Added {len(parsed)} records")

    def do_GET(self) -> None:
        if self.server.fail_with:
            return self._fail()
        parts = urlsplit(self.path)
        if parts.path == "/config.json":
            return self._answer(200, json.dumps(
                {"featureFlags": {"indexVersion": self.server.index_version}}
            ))
        if self.server.queries_left is not None:
            if self.server.queries_left <= 0:
                self.close_connection = True
                return self.server.go_down()
            self.server.queries_left -= 1
        collection = parts.path.strip("/")
        if collection not in self.server.captures:
            return self._answer(404, f"Collection {collection} does not exist")
        asked = {k: v[0] for k, v in parse_qs(parts.query).items()}
        wanted = canonical(asked["url"], asked.get("method"), asked.get("requestBody"))
        found = [line for key, line in sorted(self.server.captures[collection].items())
                 if key[0] == wanted]
        self._answer(200, "".join(f"{line}\n" for line in found))

    def _fail(self) -> None:
        status = self.server.fail_with or 503
        self._answer(status, _PROXY_PAGES.get(status, "unavailable"))

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def outbackcdx(index_version: int = 3) -> Iterator[OutbackCdxServer]:
    server = OutbackCdxServer(index_version)
    # shutdown() waits for serve_forever's next poll (0.5 s apart by default)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def pushgateway(port: int) -> Iterator[str]:
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        raise RuntimeError("missing: apt-get install prometheus-pushgateway")
    # In memory only: Debian's build persists to /var/lib/prometheus/pushgateway.data by
    # default, which every test session on the machine shares, so a fresh gateway served the
    # groups earlier sessions pushed (and absent series were not absent).
    args = [binary, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file="]
    with _server(args, port, "/-/ready") as url:
        yield url


def pushed(url: str, metric: str, **labels: str) -> float | None:
    """The value the Pushgateway at ``url`` exposes for the series ``metric{labels}`` (its own
    ``instance`` and ``job`` labels aside), or None."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            own = {k: v for k, v in sample.labels.items() if k not in ("instance", "job")}
            if sample.name == metric and own == labels:
                return sample.value
    return None


# pywb runs in its own processes: importing its web app monkey-patches the interpreter with
# gevent, after which this process's worker pools would hang.
_ACCESS = """
import json, sys
from pywb.warcserver.access_checker import AccessChecker
checker = AccessChecker(sys.argv[1], default_access="block")
print(json.dumps({u: checker.find_access_rule(u)["access"] for u in sys.argv[2:]}))
"""


def pywb_access(aclj: Path, urls: list[str]) -> dict[str, str]:
    """The access pywb's own access checker gives each URL under ``aclj`` (default block)."""
    done = subprocess.run(
        [sys.executable, "-c", _ACCESS, str(aclj), *urls],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


@contextmanager
def pywb(directory: Path, config: dict | Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """pywb's ``wayback`` server on ``config`` (collections to write as its config.yaml, or a
    config file used as it is, through PYWB_CONFIG_FILE, with ``env``); yields its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(config, Path):
        env = {**(env or {}), "PYWB_CONFIG_FILE": str(config)}
    else:
        (directory / "config.yaml").write_text(yaml.safe_dump({"collections": config}))
    port = free_port()
    wayback = str(Path(sys.executable).parent / "wayback")
    with _server([wayback, "-p", str(port), "-b", "127.0.0.1"], port, "/", directory, env) as url:
        yield url


@contextmanager
def _server(
    args: list[str], port: int, ready_path: str, cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """A server process on 127.0.0.1:``port``, ready once ``ready_path`` answers 200."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        _wait_ready(f"{url}{ready_path}", Path(args[0]).name, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # pywb's gevent server may not stop on SIGTERM while a keep-alive connection of
            # the test is open (seen under load): the test is over, so it is killed.
            process.kill()
            process.wait(timeout=10)


# pywb's start (gevent, its imports) took over 20 s under the suite's load (load average 15 on
# two cores): the wait ends when the server answers or exits, with a deadline far beyond that.
READY_DEADLINE_S = 120.0


def _wait_ready(url: str, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what} exited with code {process.returncode} before answering on {url}"
            )
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer on {url} within {READY_DEADLINE_S:.0f} s")
