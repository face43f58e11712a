"""A local HTTP server replaying GBIF API responses, with scripted faults per name.

fixtures/gbif/recorded.json holds answers recorded from api.gbif.org (and a few derived from
recorded records, marked so); fixtures/gbif/responses.json older, invented ones. A taxon
whose vernacular names were not recorded answers as GBIF answers for a taxon without any
(the recorded page of taxon 5136034); pages after a recorded first page were not recorded
and answer as GBIF's last, empty page."""

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).parents[1] / "fixtures" / "gbif"
RECORDED = {
    key: entry["body"]
    for key, entry in json.loads((FIXTURES / "recorded.json").read_text()).items()
    if not key.startswith("_")
}
RESPONSES = {**json.loads((FIXTURES / "responses.json").read_text()), **RECORDED}
NO_VERNACULAR_NAMES = RECORDED["/species/5136034/vernacularNames"]


class GbifReplay:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.faults: dict[str, list[int]] = {}  # request key -> statuses answered first, once each
        self.broken: set[str] = set()  # request keys always answered 500
        # request key -> body, for one test only; a key ending "?offset=N": that page only
        self.answers: dict[str, dict] = {}
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query)
                name = query.get("name", [""])[0]
                key = (
                    f"{url.path.removeprefix('/v1')}?{name}"
                    if name
                    else url.path.removeprefix("/v1")
                )
                replay.hits[key] += 1
                pending = replay.faults.get(key)
                page = f"{key}?offset={query.get('offset', ['0'])[0]}"
                if key in replay.broken:
                    self._send(500, {"error": "internal"})
                elif pending:
                    self._send(pending.pop(0), {})
                elif page in replay.answers:
                    self._send(200, replay.answers[page])
                elif key.endswith("/vernacularNames") and query.get("offset", ["0"])[0] != "0":
                    self._send(200, {**NO_VERNACULAR_NAMES, "offset": int(query["offset"][0])})
                elif key in replay.answers or key in RESPONSES:
                    self._send(200, replay.answers.get(key, RESPONSES.get(key)))
                elif key.endswith("/vernacularNames"):
                    self._send(200, NO_VERNACULAR_NAMES)
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
        # shutdown() waits for serve_forever's next poll (0.5 s apart by default)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "GbifReplay":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
