"""The new-files sensor every file store gets: its cursor is the set of files of the last
listing, so anything that was not there before, or has changed, is reported.

A cursor holding only the newest modification time misses a file moved into the store with an
older time (Heritrix renames ``.warc.gz.open`` when it closes a file, and ``mv`` keeps the
time), and never notices a replaced file. The key set costs eight bytes a file (a digest of
path, size and modification time), compressed into the cursor.

What the listing leaves out (a name that is not UTF-8, a symlink, a folder it may not read) is
named at every tick, and is not in the cursor: it is a new file once listed.
"""

import base64
import hashlib
import inspect
import zlib
from collections.abc import Iterable

import dagster as dg

from maint_assets.core.file_stores import Skipped, StoredFile
from maint_assets.core.stores import FileStore, report_skipped

_DIGEST = 8
_NAMED = 5  # names in a tick's skip reason (its log has them all)


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


def _left_out(skipped: Skipped) -> str:
    """What the listing left out, for a tick's skip reason: the first names of each kind."""
    kinds = [
        (skipped.not_utf8, "name(s) not UTF-8"),
        (skipped.symlinks, "symlink(s) not followed"),
        (skipped.folders_not_read, "folder(s) not read"),
    ]
    said = [
        f"{len(names)} {what}: {', '.join(names[:_NAMED])}{', …' * (len(names) > _NAMED)}"
        for names, what in kinds if names
    ]
    if not said:
        return ""
    return (f"; left out of the listing, not recorded as seen until listed (the tick's log "
            f"says why): {'; '.join(said)}")


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
        files, skipped = resources[store], Skipped()
        new, cursor = new_files(files.list(skipped, recursive=recursive), context.cursor)
        not_listed = report_skipped(
            context.log, skipped, "the files under them are not recorded until it is listed"
        )
        if not new:
            return dg.SensorResult(
                skip_reason=f"no new file in {files.url}{_left_out(skipped)}", cursor=cursor
            )
        newest = max(f.mtime for f in new).isoformat()
        done = (
            f"recorded {asset_key.to_user_string()}: {len(new)} new file(s) in {files.url}, "
            f"newest modified {newest}"
        )
        context.log.info(done)
        return dg.SensorResult(
            cursor=cursor,
            # A tick without run requests is SKIPPED: say what it recorded, and left out.
            skip_reason=done + _left_out(skipped),
            asset_events=[
                dg.AssetMaterialization(
                    asset_key,
                    metadata={
                        "store": files.url,
                        "new_files": len(new),
                        "newest_modified": newest,
                        "examples": dg.MetadataValue.json(sorted(f.path for f in new)[:10]),
                        **not_listed,
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
