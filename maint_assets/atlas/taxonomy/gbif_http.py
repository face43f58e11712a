"""GBIF's web services over HTTP: rate limited, retried with exponential backoff on
connection errors, 429 and 5xx (honouring Retry-After), and cached on disk."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import requests


class GbifUnavailable(RuntimeError):
    pass


@dataclass
class GbifClient:
    """One per resolver: its session, rate limit and cache are shared by its requests."""

    base_url: str
    requests_per_second: float
    max_attempts: int
    backoff_s: float
    timeout_s: float
    cache_path: str | None
    cache_ttl_days: float

    @cached_property
    def _session(self) -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = "maint_assets taxonomy resolver"
        return session

    @cached_property
    def _throttle(self) -> _Throttle:
        return _Throttle(1.0 / self.requests_per_second if self.requests_per_second > 0 else 0)

    @cached_property
    def _cache(self) -> _Cache | None:
        return _Cache(Path(self.cache_path), self.cache_ttl_days) if self.cache_path else None

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        url = self.base_url.rstrip("/") + path
        cache_key = url + "?" + json.dumps(params, sort_keys=True)
        if self._cache and (hit := self._cache.get(cache_key)) is not None:
            return hit
        delay, last = self.backoff_s, ""
        for attempt in range(1, self.max_attempts + 1):
            self._throttle.wait()
            try:
                response = self._session.get(url, params=params, timeout=self.timeout_s)
            except requests.RequestException as err:
                last = f"{type(err).__name__}: {err}"
            else:
                if response.status_code == 200:
                    try:
                        body = response.json()
                    except ValueError:
                        last = "a response that is not JSON"
                    else:
                        if self._cache:
                            self._cache.put(cache_key, body)
                        return body
                else:
                    last = f"HTTP {response.status_code}"
                    if response.status_code != 429 and response.status_code < 500:
                        break
                    retry_after = response.headers.get("Retry-After", "")
                    if retry_after.isdigit():
                        delay = max(delay, float(retry_after))
            if attempt < self.max_attempts:
                time.sleep(delay)
                delay *= 2
        raise GbifUnavailable(f"GET {path} {params.get('name', '')} failed: {last}".strip())


class _Throttle:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            if now < self.next_at:
                time.sleep(self.next_at - now)
            self.next_at = max(now, self.next_at) + self.interval


class _Cache:
    def __init__(self, path: Path, ttl_days: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.ttl = ttl_days * 86400
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS responses "
            "(key TEXT PRIMARY KEY, body TEXT NOT NULL, fetched_at REAL NOT NULL)"
        )

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT body, fetched_at FROM responses WHERE key = ?", (key,)
        ).fetchone()
        if row is None or time.time() - row[1] > self.ttl:
            return None
        return json.loads(row[0])

    def put(self, key: str, body: dict[str, Any]) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?)",
                (key, json.dumps(body), time.time()),
            )
