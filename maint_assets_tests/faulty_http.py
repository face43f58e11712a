"""An HTTP proxy in front of a real server (moto's S3) that answers chosen requests with a fault:
an error status (500/503 SlowDown), a body cut short of its Content-Length, or a reset
connection. ``rule(method, path, query)`` returns None (relay) or a Fault."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from maint_assets_tests.cutting_proxy import reset

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


@dataclass(frozen=True)
class Fault:
    kind: str  # status | truncate | reset
    status: int = 503
    code: str = "SlowDown"
    keep: int = 0  # truncate: body bytes sent before the reset
    # reply: the body answered (status 200) instead of forwarding, made from the request's
    reply: Callable[[bytes], bytes] | None = None


Rule = Callable[[str, str, dict], "Fault | None"]


class FaultyHttp:
    def __init__(self, upstream: str, rule: Rule) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.rule = rule
        self.seen: list[tuple[str, str, dict, str]] = []  # method, path, query, what was done
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b""):
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self) -> None:
                body = self._body()
                split = urlsplit(self.path)
                query = parse_qs(split.query, keep_blank_values=True)
                fault = proxy.rule(self.command, split.path, query)
                proxy.seen.append((self.command, split.path, query,
                                   fault.kind if fault else "relayed"))
                if fault is not None and fault.kind == "reset":
                    reset(self.connection)
                    self.close_connection = True
                    return
                if fault is not None and fault.kind == "reply":
                    data = fault.reply(body)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if fault is not None and fault.kind == "status":
                    xml = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{fault.code}"
                           f"</Code><Message>injected</Message></Error>").encode()
                    self.send_response(fault.status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(xml)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(xml)
                    return
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                self.send_response(answer.status, answer.reason)
                for k, v in answer.getheaders():
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                if fault is not None and fault.kind == "truncate":
                    self.wfile.write(data[: fault.keep])
                    self.wfile.flush()
                    reset(self.connection)
                    self.close_connection = True
                    return
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultyHttp:
        # shutdown() waits for serve_forever's next poll (0.5 s apart by default)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
