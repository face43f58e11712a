"""The new-files sensor every file store gets: its cursor is the set of files of the last
listing, so anything that was not there before, or has changed, is reported.

A cursor holding only the newest modification time misses a file moved into the store with an
older time (Heritrix renames ``.warc.gz.open`` when it closes a file, and ``mv`` keeps the
time), and never notices a replaced file. The key set costs eight bytes a file (a digest of
path, size and modification time), compressed into the cursor.
"""

import base64
import hashlib
import inspect
import zlib
from collections.abc import Iterable

import dagster as dg

from maint_assets.core.file_stores import StoredFile
from maint_assets.core.stores import FileStore

_DIGEST = 8


def _digest(file: StoredFile) -> bytes:
    stamp = file.mtime.isoformat(timespec="microseconds")
    return hashlib.blake2b(
        f"{file.path}\0{file.size}\0{stamp}".encode(), digest_size=_DIGEST
    ).digest()


def _decode(cursor: str | None) -> set[bytes]:
    if not cursor:
        return set()
    packed = zlib.decompress(base64.b64decode(cursor))
    return {packed[i : i + _DIGEST] for i in range(0, len(packed), _DIGEST)}


def new_files(files: Iterable[StoredFile], cursor: str | None) -> tuple[list[StoredFile], str]:
    """The files of ``files`` (one listing) that the listing ``cursor`` describes did not hold
    as they are now (new, or changed in size or time), and the cursor of this listing."""
    seen = _decode(cursor)
    listed = [(_digest(f), f) for f in files]
    new = [f for d, f in listed if d not in seen]
    packed = b"".join(sorted(d for d, _ in listed))
    return new, base64.b64encode(zlib.compress(packed)).decode()


def new_files_sensor(
    *,
    name: str,
    asset_key: dg.AssetKey,
    store: str,
    minimum_interval_seconds: int,
    description: str,
    recursive: bool = True,
) -> dg.SensorDefinition:
    """A sensor (RUNNING) that lists the FileStore resource ``store`` (without ``recursive``,
    only the files directly under it: those its asset reads) and records a materialization of
    ``asset_key`` when the listing holds new or changed files; the tick's skip reason and log
    line say what it recorded."""

    def evaluate(context: dg.SensorEvaluationContext, **resources: FileStore) -> dg.SensorResult:
        files = resources[store]
        new, cursor = new_files(files.list(recursive=recursive), context.cursor)
        if not new:
            return dg.SensorResult(skip_reason=f"no new file in {files.url}", cursor=cursor)
        newest = max(f.mtime for f in new).isoformat()
        done = (
            f"recorded {asset_key.to_user_string()}: {len(new)} new file(s) in {files.url}, "
            f"newest modified {newest}"
        )
        context.log.info(done)
        return dg.SensorResult(
            cursor=cursor,
            skip_reason=done,  # a tick without run requests is SKIPPED: say what it recorded
            asset_events=[
                dg.AssetMaterialization(
                    asset_key,
                    metadata={
                        "store": files.url,
                        "new_files": len(new),
                        "newest_modified": newest,
                        "examples": dg.MetadataValue.json(sorted(f.path for f in new)[:10]),
                    },
                )
            ],
        )

    # Dagster injects resources by parameter name: the parameter is named after ``store``.
    evaluate.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              annotation=dg.SensorEvaluationContext),
            inspect.Parameter(store, inspect.Parameter.KEYWORD_ONLY, annotation=FileStore),
        ],
        return_annotation=dg.SensorResult,
    )
    return dg.sensor(
        name=name,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        # Named as its target so the asset's page shows this sensor as its automation; it
        # never requests runs (the assets reading ``asset_key`` follow by automation).
        asset_selection=[asset_key],
        description=description,
    )(evaluate)
