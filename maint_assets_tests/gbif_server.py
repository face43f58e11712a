"""A local HTTP server replaying GBIF API responses, with scripted faults per name."""

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

RESPONSES = json.loads((Path(__file__).parent / "fixtures" / "gbif" / "responses.json").read_text())


class GbifReplay:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.faults: dict[str, list[int]] = {}  # request key -> statuses answered first, once each
        self.broken: set[str] = set()  # request keys always answered 500
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                name = parse_qs(url.query).get("name", [""])[0]
                key = (
                    f"{url.path.removeprefix('/v1')}?{name}"
                    if name
                    else url.path.removeprefix("/v1")
                )
                replay.hits[key] += 1
                pending = replay.faults.get(key)
                if key in replay.broken:
                    self._send(500, {"error": "internal"})
                elif pending:
                    self._send(pending.pop(0), {})
                elif key in RESPONSES:
                    self._send(200, RESPONSES[key])
                else:
                    self._send(404, {"error": "not found"})

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "GbifReplay":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
