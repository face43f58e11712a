"""An OutbackCDX server as the index's output (nla/outbackcdx, ``src/outbackcdx/Webapp.java``).

- ``POST /<collection>`` adds CDX lines; the whole body is one RocksDB batch, so one line it
  cannot parse rejects the batch with ``400 At line: …`` and nothing is added. Lines of many
  WARCs go in batches of ``batch_lines``; a refused batch is split in halves until the refused
  lines are isolated, and each refused line is returned with the WARC it came from.
- ``POST /<collection>/delete`` takes the same lines and deletes the captures they name, with
  no error for absent ones. With the default index version 3 a capture's key is its
  canonical URL and timestamp only (``Capture.encodeKeyV0``), so a delete also removes a capture
  of another file with the same URL and second; from version 4 the key holds the file and
  offset. ``GET /config.json`` says which (``featureFlags.indexVersion``).
- ``GET /<collection>?url=…`` answers the captures of a URL as CDX11 lines.

Connection errors, timeouts, 5xx and 429 answers are retried with exponential backoff, then
raised as ``CdxServerUnavailable`` (transient: the run fails and is retried, nothing is marked).
Any other answer that is not the request's own (a 403 from a proxy in front of the server, a
401) is not retried and is raised as ``CdxServerError`` naming the server, the request and the
status: nothing it touched is marked either.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import requests

_TRANSIENT = {429, 500, 502, 503, 504}


class CdxServerUnavailable(RuntimeError):
    """The CDX server could not be reached or was unavailable; nothing was marked."""


class CdxServerError(RuntimeError):
    """The CDX server refused a request that it should accept."""


class OutbackCdx:
    def __init__(
        self, endpoint: str, collection: str, batch_lines: int, timeout_s: float = 60,
        retries: int = 3, backoff_s: float = 1.0,
    ) -> None:
        self.base = endpoint.rstrip("/")
        self.url = f"{self.base}/{collection}"
        # what messages name: a proxy's user and password in the URL stay out of the logs
        parts = urlsplit(self.base)
        self.shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self.batch_lines = batch_lines
        self.timeout_s, self.retries, self.backoff_s = timeout_s, retries, backoff_s
        self.session = requests.Session()
        self.posts = 0

    def index_version(self) -> int:
        answer = self._request("GET", f"{self.base}/config.json")
        if answer.status_code == 404:  # a version before config.json: keys of version 3
            return 3
        if answer.status_code != 200:
            raise self._refused(answer)
        return int(answer.json().get("featureFlags", {}).get("indexVersion", 3))

    def add(self, lines: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """Add ``(owner, line)`` pairs; returns the refused lines by owner."""
        refused: dict[str, list[str]] = {}
        for batch in _batches(lines, self.batch_lines):
            for owner, line in self._add(batch):
                refused.setdefault(owner, []).append(line)
        return refused

    def delete(self, lines: Iterable[str]) -> int:
        deleted = 0
        for batch in _batches(lines, self.batch_lines):
            answer = self._request("POST", f"{self.url}/delete", "".join(batch))
            if answer.status_code != 200:
                raise self._refused(answer, f"{len(batch)} line(s) to delete")
            deleted += len(batch)
        return deleted

    def captures(self, url: str, method: str | None = None, body: str | None = None) -> list[str]:
        """The captures of ``url``; of a POST or PUT with ``body`` when ``method`` is given
        (keyed by both, ``Query.buildUrlKey``; a plain query answers the GETs only)."""
        params = {"url": url, **({"method": method, "requestBody": body or ""} if method else {})}
        answer = self._request("GET", self.url, params=params)
        if answer.status_code == 404:
            return []
        if answer.status_code != 200:
            raise self._refused(answer)
        return [line for line in answer.text.splitlines() if line.strip()]

    def _add(self, batch: list[tuple[str, str]]) -> list[tuple[str, str]]:
        answer = self._request("POST", self.url, "".join(line for _, line in batch))
        if answer.status_code == 200:
            return []
        if answer.status_code != 400:
            raise self._refused(answer, f"{len(batch)} line(s) to add")
        if len(batch) == 1:
            return batch
        half = len(batch) // 2
        return self._add(batch[:half]) + self._add(batch[half:])

    def _refused(self, answer: requests.Response, body: str = "") -> CdxServerError:
        request = f"{answer.request.method} {answer.request.path_url}"
        return CdxServerError(
            f"the CDX server {self.shown} answered {answer.status_code} {answer.reason} to "
            f"{request}{f' ({body})' if body else ''}: {' '.join(answer.text.split())[:200]} "
            "(not retried: neither an answer about the lines nor the server unavailable, so a "
            "proxy in front of it or its own configuration refuses the request)"
        )

    def _request(
        self, method: str, url: str, body: str | None = None, params: dict | None = None
    ) -> requests.Response:
        for attempt in range(self.retries + 1):
            try:
                answer = self.session.request(
                    method, url, data=body.encode() if body is not None else None,
                    params=params, timeout=self.timeout_s,
                )
                if answer.status_code not in _TRANSIENT:
                    self.posts += method == "POST"
                    return answer
                problem = f"answered {answer.status_code}: {answer.text[:200]}"
            except requests.RequestException as err:
                problem = f"cannot be reached: {type(err).__name__}: {err}"
            if attempt < self.retries:
                time.sleep(self.backoff_s * 2**attempt)
        raise CdxServerUnavailable(
            f"the CDX server {self.shown} {problem} (tried {self.retries + 1} times)"
        )


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
