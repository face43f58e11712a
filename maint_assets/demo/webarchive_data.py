"""WARC files written with warcio in the crawlers' layout, and small W3ACT and Shine databases,
for the demo, the tests and the benchmarks. Among the WARCs: one truncated half-way, one still being
written (``.warc.gz.open``) and one that is not a WARC, as a real store has them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import psycopg
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from maint_assets.core.paths import SQL_DIR
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import statement
from maint_assets.webarchive.warc_reading import InvalidWarc, verify

JOB = "frequent-npld"
HOSTS = ["news.example.org", "blogs.example.net", "reports.example.com", "closed.example.org"]


@dataclass(frozen=True)
class Capture:
    url: str
    timestamp: str  # yyyymmddhhmmss
    body: bytes


def write_warc(path: Path, captures: list[Capture]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for c in captures:
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"),
                 ("Content-Length", str(len(c.body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                c.url, "response", payload=BytesIO(c.body), http_headers=headers,
                warc_headers_dict={"WARC-Date": _warc_date(c.timestamp)},
            )
            writer.write_record(record)


def write_store(
    root: Path, warcs: int = 8, records: int = 40, seed: int = 1, launch: datetime | None = None
) -> list[Capture]:
    """``warcs`` WARCs of ``records`` captures each under ``root``, plus a crawl log, a
    truncated WARC, an open one and a file named like a WARC that is not one; returns the
    captures of the complete WARCs."""
    rng = random.Random(seed)
    launch = launch or datetime(2026, 11, 1, 6, tzinfo=UTC)
    folder = root / "heritrix" / "output" / JOB / launch.strftime("%Y%m%d%H%M%S")
    captured = []
    for w in range(warcs + 2):
        start = launch + timedelta(hours=w)
        captures = [
            Capture(
                f"https://{rng.choice(HOSTS)}/page/{w}/{i}?q={rng.randrange(1000)}",
                (start + timedelta(seconds=i)).strftime("%Y%m%d%H%M%S"),
                f"<html><body>warc {w} record {i} {'x' * rng.randrange(200, 2000)}</body></html>"
                .encode(),
            )
            for i in range(records)
        ]
        name = f"BL-{JOB}-{start.strftime('%Y%m%d%H%M%S')}000-{w:05d}-1~crawler~8443.warc.gz"
        path = folder / "warcs" / name
        write_warc(path, captures)
        if w == warcs:  # cut half-way through a record: a truncated WARC
            _truncate(path)
        elif w == warcs + 1:  # Heritrix is still writing it
            path.rename(path.with_name(path.name + ".open"))
        else:
            captured += captures
    not_a_warc = f"BL-{JOB}-{launch.strftime('%Y%m%d%H%M%S')}000-99999-x.warc.gz"
    (folder / "warcs" / not_a_warc).write_text("not a WARC, although named like one\n")
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "crawl.log.cp00001-20261101060000").write_text("2026-11-01T06:00:00Z 200 ...\n")
    return captured


def load_w3act(conn: psycopg.Connection) -> None:
    """W3ACT's tables (the real model's subset the access lists read) with the demo data."""
    with conn.transaction():
        conn.execute(statement("demo/w3act_data", "reset"))
    apply_schema(conn, "demo/w3act")
    with conn.transaction():
        conn.execute(statement("demo/w3act_data", "load"))


def load_shine(conn: psycopg.Connection) -> None:
    """Shine's real schema (sql/demo/shine_schema.sql) with a few rows of ours."""
    with conn.transaction():
        conn.execute(statement("demo/shine_data", "reset"))
        conn.execute((SQL_DIR / "demo" / "shine_schema.sql").read_text())
        conn.execute(statement("demo/shine_data", "load"))


def _truncate(path: Path) -> None:
    """Cut the file half-way, inside a gzip member (a cut between two members would leave a
    shorter but valid WARC)."""
    data = path.read_bytes()
    cut = len(data) // 2
    while True:
        path.write_bytes(data[:cut])
        try:
            verify(path)
        except InvalidWarc:
            return
        cut += 1


def _warc_date(timestamp: str) -> str:
    return datetime.strptime(timestamp, "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")
