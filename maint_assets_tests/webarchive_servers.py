"""Servers the web archive tests talk to: an OutbackCDX-compatible endpoint, a real Prometheus
Pushgateway (Debian's prometheus-pushgateway) and pywb itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from maint_assets_tests.ports import free_port


class OutbackCdxStandIn(ThreadingHTTPServer):
    """Accepts ``POST /<collection>`` like OutbackCDX: the whole batch is one transaction, and
    one line it cannot parse (fewer than 9 fields, a non-numeric status, or ``poison`` in it)
    rejects the batch with 400 ``At line: N``. ``fail_with`` answers every POST with that
    status instead."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lines: dict[str, list[str]] = {}
        self.posts = 0
        self.fail_with: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: OutbackCdxStandIn

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.posts += 1
        if self.server.fail_with:
            return self._answer(self.server.fail_with, "unavailable")
        lines = [line for line in body.splitlines() if line and not line.startswith(" CDX")]
        for number, line in enumerate(lines, 1):
            fields = line.split(" ")
            if len(fields) < 9 or not (fields[4] == "-" or fields[4].isdigit()) or "poison" in line:
                return self._answer(400, f"At line: {number}")
        self.server.lines.setdefault(self.path.strip("/"), []).extend(lines)
        self._answer(200, f"Added {len(lines)} records")

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def outbackcdx() -> Iterator[OutbackCdxStandIn]:
    server = OutbackCdxStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
    with _server([binary, f"--web.listen-address=127.0.0.1:{port}"], port, "/-/ready") as url:
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
def pywb(directory: Path, collections: dict[str, dict]) -> Iterator[str]:
    """pywb's ``wayback`` server on ``collections``; yields its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yaml").write_text(yaml.safe_dump({"collections": collections}))
    port = free_port()
    wayback = str(Path(sys.executable).parent / "wayback")
    with _server([wayback, "-p", str(port), "-b", "127.0.0.1"], port, "/", directory) as url:
        yield url


@contextmanager
def _server(args: list[str], port: int, ready_path: str, cwd: Path | None = None) -> Iterator[str]:
    """A server process on 127.0.0.1:``port``, ready once ``ready_path`` answers 200."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(f"{url}{ready_path}", Path(args[0]).name)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_ready(url: str, what: str) -> None:
    for _ in range(200):
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on {url}")
