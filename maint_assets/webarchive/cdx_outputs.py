"""Where index lines go: CDXJ files that pywb serves, or an OutbackCDX-compatible server.

CDXJ: one sorted file per run and collection, written under a temporary name and renamed into
``<directory>/<collection>/indexes/`` (pywb merges every ``*.cdxj`` there); past
``max_files`` files a collection's files are merged into one, again by rename.

OutbackCDX: CDX11 lines posted in batches of at most ``max_lines``. The server rejects a whole
batch for one bad line (400), so a rejected batch is split in halves until the bad lines are
isolated; they are reported and skipped, the rest is added.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

import requests

from maint_assets.core.files import atomic_file


class CdxOutputError(RuntimeError):
    """The index could not be published; what was published before is unchanged."""


def publish_cdxj(
    directory: Path, collection: str, sources: list[Path], name: str, max_files: int
) -> Path:
    indexes = directory / collection / "indexes"
    indexes.mkdir(parents=True, exist_ok=True)
    target = _merge(sources, indexes / f"{name}.cdxj")
    existing = sorted(indexes.glob("*.cdxj"))
    if len(existing) > max_files:
        # The merged file is renamed in before the parts go: for a moment a capture may be
        # listed twice, never missing.
        merged = _merge(existing, indexes / f"merged-{name}.cdxj")
        for part in existing:
            part.unlink()
        return merged
    return target


def _merge(sources: list[Path], target: Path) -> Path:
    with ExitStack() as stack, atomic_file(target) as out:
        files = [stack.enter_context(p.open()) for p in sources]
        out.writelines(heapq.merge(*files))
    return target


class OutbackCdx:
    def __init__(self, endpoint: str, collection: str, max_lines: int, timeout_s: float = 60):
        self.url = f"{endpoint.rstrip('/')}/{collection}"
        self.max_lines = max_lines
        self.timeout_s = timeout_s
        self.session = requests.Session()

    def post(self, lines: Iterable[str]) -> list[str]:
        """Add ``lines``; returns the lines the server refused."""
        refused: list[str] = []
        for batch in _batches(lines, self.max_lines):
            refused += self._post(batch)
        return refused

    def _post(self, batch: list[str]) -> list[str]:
        try:
            answer = self.session.post(
                self.url, data="".join(batch).encode(), timeout=self.timeout_s
            )
        except requests.RequestException as err:
            raise CdxOutputError(f"cannot reach the CDX server {self.url}: {err}") from None
        if answer.status_code == 200:
            return []
        if answer.status_code != 400:
            raise CdxOutputError(
                f"the CDX server {self.url} answered {answer.status_code}: {answer.text[:200]}"
            )
        if len(batch) == 1:
            return batch
        half = len(batch) // 2
        return self._post(batch[:half]) + self._post(batch[half:])


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
