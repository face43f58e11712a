"""A fake VisioNature site on localhost, for the demo and the tests (not product code).

No VisioNature site can be reached from here, so this server answers the calls that
Client-API-VN 2.12's transfer_vn makes for ``--full`` and ``--update`` of observations and
places, and lets the real transfer_vn download, filter and store with its own code. Each
site of a transfer_vn configuration is a path prefix (``site: http://127.0.0.1:<port>/tst1/``)
and its data are the rows of one schema (``sql/demo/vn_fake_site.sql``, built by
``vn_fake_site.py``). Routes and answers follow Client-API-VN's own client
(``src/biolovision/api.py`` at v2.12.0):

- ``_url_get`` parses an answer with ``re.findall(r"([\\[{].*[}\\]])", text)``, without DOTALL:
  every answer is one line of JSON;
- GET ``taxo_groups``, ``territorial_units``, ``local_admin_units`` (``id_canton``), ``places``
  (``id_commune``) and ``places/<id>``: ``{"data": [...]}``;
- POST ``observations/search/`` (the JSON body ``_store_search`` builds): ``{"data":
  {"sightings": [...], "forms": [{..., "sightings": [...]}]}}``. With no hit it still answers
  ``"sightings": []``: ``_store_observation`` reads ``items_dict["data"]["sightings"]``
  unconditionally, so the real site must answer that way for transfer_vn to work at all;
- GET ``observations/diff/`` and ``places/diff/``: a JSON array of ``{"id_sighting"|
  "id_place", "modification_type": "updated"|"deleted"}`` (``Observations.update``,
  ``Places.update``; Client-API-VN's tests/test_increment_regression.py mocks the same shape);
- GET ``observations?id_sightings_list=…``: the sightings ``--update`` fetches again;
- GET ``entities``, ``families``, ``fields``, ``observers``, ``species``, ``validations``:
  ``{"data": []}``. The repair reads none of them; an operator's configuration enables their
  controlers, and transfer_vn's jobs for them store nothing from an empty list.

OAuth signatures and the ``user_email``/``user_pw`` query parameters are accepted unchecked and
never logged. Faults (a failing endpoint, one that fails once then answers, a search that leaves
sightings out or truncates, a diff that loses sightings) come from the site's ``faults`` table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import psycopg

from maint_assets.core.sql_files import compose

GROUP = "demo/vn_fake_site"
SCHEMA = "vn_site"
UNUSED = {"entities", "families", "fields", "observers", "species", "validations"}
_ROUTE = re.compile(r"^/(?P<site>[^/]+)/api/(?P<call>[a-z_]+(?:/[^/]+)?)/?$")


class FakeVisioNature:
    """The fake site's HTTP server, in a thread of this process."""

    def __init__(
        self, database_url: str, schema: str = SCHEMA, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.database_url, self.schema = database_url, schema
        self.calls: list[str] = []  # "<site> <call>", no parameters (they hold the password)
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        # serve_forever checks for shutdown() every poll_interval (0.5 s by default): each
        # test stops its site, and waited 0.25 s on average for that.
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        # A connection per request cost 40-50 ms on the shared machine, as much as the answer:
        # transfer_vn's --update asks for each changed place on its own.
        self._idle: list[psycopg.Connection] = []
        self._idle_lock = threading.Lock()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def site_url(self, site: str) -> str:
        return f"http://127.0.0.1:{self.port}/{site}/"

    def start(self) -> FakeVisioNature:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.release()

    def release(self) -> None:
        """Closes the connections kept between requests: a database with a session open
        cannot be copied as a template or dropped. The next request connects again."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """An idle connection of an earlier request, or a new one; a request that fails
        closes its connection rather than leave it to the next one."""
        with self._idle_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = psycopg.connect(self.database_url, autocommit=True)
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        with self._idle_lock:
            self._idle.append(conn)

    def __enter__(self) -> FakeVisioNature:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: bytes
               ) -> tuple[int, str]:
        match = _ROUTE.match(path)
        if match is None:
            return 404, json.dumps({"error": f"no such API call: {path}"})
        site, call = match["site"], match["call"]
        self.calls.append(f"{site} {call}")
        with self._connection() as conn:
            faults = {kind: value for kind, value in conn.execute(
                compose(GROUP, "faults", schema=self.schema), {"site": site})}
            status = (faults.get("fail") or {}).get(call)
            if status:
                return int(status), json.dumps({"error": "injected failure"})
            status = (faults.get("fail_once") or {}).get(call)
            if status:
                conn.execute(compose(GROUP, "spend_fault", schema=self.schema),
                             {"site": site, "call": call})
                return int(status), json.dumps({"error": "injected failure, once"})
            params = {"site": site}
            if method == "POST" and call == "observations/search":
                return 200, self._search(conn, site, json.loads(body or b"null"), faults)
            if method != "GET":
                return 405, json.dumps({"error": f"{method} {call}"})
            one = lambda name: (query.get(name) or [None])[0]  # noqa: E731
            if call == "observations/diff":
                return 200, self._fetch(conn, "observation_diff", {
                    **params, "taxo_group": int(one("id_taxo_group")),
                    "since": _since(one("date")), "lost": faults.get("lose_diff", []),
                })
            if call == "observations" and one("id_sightings_list"):
                ids = [int(i) for i in one("id_sightings_list").split(",")]
                return 200, self._fetch(conn, "sightings_by_id", {**params, "ids": ids})
            if call == "places/diff":
                since = _since(one("date"))
                return 200, self._fetch(conn, "place_diff", {**params, "since": since})
            if call.startswith("places"):
                place = call.split("/")[1] if "/" in call else None
                return 200, self._fetch(conn, "places", {
                    **params, "id_commune": one("id_commune"), "id": place})
            if call == "local_admin_units":
                return 200, self._fetch(conn, call, {**params, "id_canton": one("id_canton")})
            if call in ("territorial_units", "taxo_groups"):
                return 200, self._fetch(conn, call, params)
            if call in UNUSED:
                return 200, json.dumps({"data": []})
        return 404, json.dumps({"error": f"not served by the fake site: {call}"})

    def _search(self, conn: psycopg.Connection, site: str, q: object, faults: dict) -> str:
        if not isinstance(q, dict) or q.get("period_choice") != "range":
            raise ValueError(f"unexpected observations/search body: {q!r}")
        units = q.get("territorial_unit_ids") if q.get("location_choice") else None
        return self._fetch(conn, "search", {
            "site": site, "taxo_group": int(q["taxonomic_group"]), "units": units,
            "entry": q.get("entry_date") == "1",
            "date_from": datetime.strptime(q["date_from"], "%d.%m.%Y").date(),
            "date_to": datetime.strptime(q["date_to"], "%d.%m.%Y").date(),
            "dropped": faults.get("drop", []), "limit": faults.get("truncate"),
        })

    def _fetch(self, conn: psycopg.Connection, name: str, params: dict[str, object]) -> str:
        return conn.execute(compose(GROUP, name, schema=self.schema), params).fetchone()[0]


def _since(value: str | None) -> datetime:
    """The diff's ``date``: transfer_vn sends its watermark, a naive local datetime, as
    ``str(datetime)``; the API's documented form is ``%H:%M:%S %d.%m.%Y``."""
    if value is None:
        raise ValueError("observations/diff without a date")
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        naive = datetime.strptime(value, "%H:%M:%S %d.%m.%Y")
    return naive.astimezone(UTC)


def _handler(site: FakeVisioNature) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._reply("GET")

        def do_POST(self) -> None:
            self._reply("POST")

        def _reply(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, text = site.answer(method, url.path, parse_qs(url.query), body)
            except (ValueError, KeyError, TypeError) as err:
                status, text = 400, json.dumps({"error": str(err)})
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Silent: request lines carry the API password as a query parameter."""

    return Handler


def main(argv: list[str] | None = None) -> int:
    """The demo's fake site, in its own process; it stops when the process that started it
    (the demo, which becomes Dagster by exec) ends."""
    parser = argparse.ArgumentParser(prog="python -m maint_assets.demo.vn_fake_api")
    parser.add_argument("--database-url", required=True, help="libpq URL, no password")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--schema", default=SCHEMA)
    args = parser.parse_args(argv)
    parent = os.getppid()
    server = FakeVisioNature(args.database_url, args.schema, port=args.port)
    server.start()
    print(f"fake VisioNature site on {server.site_url('<site>')}", flush=True)
    while os.getppid() == parent:
        time.sleep(2)
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
