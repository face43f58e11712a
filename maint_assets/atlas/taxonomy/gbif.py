"""The production resolver: GBIF's species match and vernacular-name web services.

Requests are rate limited, retried with exponential backoff on connection errors, 429 and
5xx (honouring Retry-After), and cached on disk. A name whose requests keep failing is
reported as a failure, not guessed; after several consecutive failures the service is taken
to be down and the remaining names are reported as not attempted, so a run fails quickly.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import requests
from pydantic import Field

from maint_assets.atlas.taxonomy.resolver import (
    RANK_ORDER,
    NameQuery,
    RefKey,
    RefRecord,
    Resolution,
    TaxonomyResolver,
    VernacularRecord,
    split_complex,
)

SOURCE_NAME = "GBIF Backbone Taxonomy"
SOURCE_ID = 11
HIGHER_RANKS = ("kingdom", "phylum", "class", "order", "family", "genus", "species")
LANGUAGES = {"eng", "fra"}


class GbifUnavailable(RuntimeError):
    pass


class GbifResolver(TaxonomyResolver):
    """GBIF Backbone Taxonomy over HTTP."""

    base_url: str = Field(default="https://api.gbif.org/v1")
    requests_per_second: float = Field(default=8.0, description="client-side rate limit")
    max_attempts: int = Field(default=4, description="tries per request, first one included")
    backoff_s: float = Field(default=1.0, description="first retry delay, doubled each time")
    timeout_s: float = Field(default=30.0)
    give_up_after: int = Field(default=5, description="consecutive failed names before stopping")
    cache_path: str | None = Field(default=None, description="SQLite response cache file")
    cache_ttl_days: float = Field(default=30.0)

    @property
    def resolver_name(self) -> str:
        return f"gbif:{self.base_url}"

    def match(self, names: Sequence[NameQuery]) -> Resolution[int, list[RefRecord]]:
        return self._each(names, lambda q: q.id_taxa_obs, self._match_query)

    def vernacular(self, refs: Sequence[RefKey]) -> Resolution[int, list[VernacularRecord]]:
        return self._each(refs, lambda r: r.id_taxa_ref, self._vernacular_names)

    # -- per item ------------------------------------------------------------------------------
    def _each(self, items, key_of, resolve_one) -> Resolution:
        out: Resolution = Resolution()
        consecutive = 0
        for item in items:
            if consecutive >= self.give_up_after:
                out.failures[key_of(item)] = (
                    f"not attempted: GBIF failed {consecutive} times in a row"
                )
                continue
            try:
                out.found[key_of(item)] = resolve_one(item)
                consecutive = 0
            except GbifUnavailable as err:
                out.failures[key_of(item)] = str(err)
                consecutive += 1
        return out

    def _match_query(self, query: NameQuery) -> list[RefRecord]:
        parts = split_complex(query.scientific_name)
        if len(parts) > 1:
            return self._match_complex(parts)
        params = {"name": query.scientific_name, "verbose": "false", "strict": "false"}
        if query.authorship:
            params["authorship"] = query.authorship
        if query.rank.lower() in RANK_ORDER:
            params["rank"] = query.rank.upper()
        found = self._get("/species/match", params)
        return self._records(found)

    def _match_complex(self, parts: list[str]) -> list[RefRecord]:
        matched = [self._get("/species/match", {"name": p, "verbose": "false"}) for p in parts]
        matched = [m for m in matched if m.get("matchType") in ("EXACT", "FUZZY")]
        if not matched:
            return []
        records = [
            r for m in matched for r in self._records(m, match_type="complex") if not r.is_parent
        ]
        shared = [
            rank
            for rank in HIGHER_RANKS
            if all(
                m.get(f"{rank}Key") == matched[0].get(f"{rank}Key")
                and m.get(f"{rank}Key") is not None
                for m in matched
            )
        ]
        for depth, rank in enumerate(shared):
            records.append(
                self._parent(
                    matched[0],
                    rank,
                    shared[: depth + 1],
                    "complex_closest_parent",
                    is_parent=depth < len(shared) - 1,
                )
            )
        return records

    def _records(self, found: dict[str, Any], match_type: str | None = None) -> list[RefRecord]:
        kind = found.get("matchType", "NONE")
        if kind == "NONE" or "usageKey" not in found:
            return []
        match_type = match_type or kind.lower()
        rank = str(found.get("rank", "")).lower()
        lineage = [r for r in HIGHER_RANKS if found.get(f"{r}Key") is not None and r != rank]
        if kind == "HIGHERRANK":
            # The name itself is unknown to GBIF; only its ancestors matched.
            lineage.append(rank)
            return [
                self._parent(
                    found, r, lineage[: i + 1], "higherrank", is_parent=True, own=(r == rank)
                )
                for i, r in enumerate(lineage)
            ]
        usage = str(found["usageKey"])
        accepted = str(found.get("acceptedUsageKey") or usage)
        srids = (*(str(found[f"{r}Key"]) for r in lineage), accepted)
        records = [
            self._parent(found, r, lineage[: i + 1], match_type, is_parent=True)
            for i, r in enumerate(lineage)
        ]
        canonical = found.get("canonicalName") or found.get("scientificName", "")
        authorship = found.get("scientificName", "")[len(canonical) :].strip() or None
        if accepted != usage:
            detail = self._get(f"/species/{accepted}", {})
            records.append(
                RefRecord(
                    SOURCE_NAME,
                    SOURCE_ID,
                    accepted,
                    detail.get("canonicalName", ""),
                    detail.get("authorship") or None,
                    str(detail.get("rank", rank)).lower(),
                    True,
                    accepted,
                    srids,
                    match_type,
                    False,
                )
            )
        records.append(
            RefRecord(
                SOURCE_NAME,
                SOURCE_ID,
                usage,
                canonical,
                authorship,
                rank,
                accepted == usage,
                accepted,
                srids,
                match_type,
                False,
            )
        )
        return records

    def _parent(
        self,
        found: dict[str, Any],
        rank: str,
        lineage: list[str],
        match_type: str,
        is_parent: bool,
        own: bool = False,
    ) -> RefRecord:
        key = str(found["usageKey"] if own else found[f"{rank}Key"])
        name = found.get("canonicalName") if own else found.get(rank, "")
        srids = tuple(
            str(found["usageKey"] if own and r == rank else found[f"{r}Key"]) for r in lineage
        )
        return RefRecord(
            SOURCE_NAME,
            SOURCE_ID,
            key,
            name or "",
            None,
            rank,
            True,
            key,
            srids,
            match_type,
            is_parent,
        )

    def _vernacular_names(self, ref: RefKey) -> list[VernacularRecord]:
        if ref.source_name != SOURCE_NAME:
            return []
        found = self._get(f"/species/{ref.source_record_id}/vernacularNames", {"limit": "100"})
        best: dict[str, str] = {}
        for item in found.get("results", []):
            language = item.get("language")
            if (
                language in LANGUAGES
                and item.get("vernacularName")
                and (language not in best or item.get("preferred"))
            ):
                best[language] = item["vernacularName"]
        return [
            VernacularRecord(SOURCE_NAME, ref.source_record_id, name, language, ref.rank)
            for language, name in sorted(best.items())
        ]

    # -- HTTP --------------------------------------------------------------------------------
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

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
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
                    body = response.json()
                    if self._cache:
                        self._cache.put(cache_key, body)
                    return body
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
    def __init__(self, interval: float):
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
    def __init__(self, path: Path, ttl_days: float):
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
