"""The new-files sensor every file store gets: its cursor is the set of files of the last
listing, so anything that was not there before, or has changed, is reported.

A cursor holding only the newest modification time misses a file moved into the store with an
older time (Heritrix renames ``.warc.gz.open`` when it closes a file, and ``mv`` keeps the
time), and never notices a replaced file. The key set costs eight bytes a file (a digest of
path, size and modification time), compressed into the cursor.

What the listing leaves out (a name that is not UTF-8, a symlink, a folder it may not read) is
named in every tick's skip reason, and is not in the cursor: it is a new file once listed. The
log warns of it when what is left out changes, not at every tick while it stays (every 60 or
300 s): the cursor keeps a digest of it beside the key set.

A sensor that probes new files reads each one's first byte before recording it: one the reader
may not read is left out too, and new again once it can be read (a chmod, or a bucket policy
lifted, does not change its modification time: recorded as seen, it would wait for the next
scheduled run). Only new files are probed: an idle tick costs the listing alone.
"""

import base64
import hashlib
import inspect
import json
import logging
import zlib
from collections.abc import Callable, Iterable

import dagster as dg

from maint_assets.core.stored_files import ObjectDenied, Skipped, StoredFile
from maint_assets.core.stores import SHOWN, FileStore, report_skipped, skipped_metadata

_DIGEST = 8
_NAMED = 5  # names in a tick's skip reason (the log of the tick they changed has them all)


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


def new_files(
    files: Iterable[StoredFile],
    cursor: str | None,
    readable: Callable[[StoredFile], bool] | None = None,
) -> tuple[list[StoredFile], str]:
    """The files of ``files`` (one listing) that the listing ``cursor`` describes did not hold
    as they are now (new, or changed in size or time), and the cursor of this listing. A new
    file ``readable`` refuses is neither new nor in the cursor: new once it is readable."""
    seen = _decode(cursor)
    new, kept = [], []
    for file in files:
        digest = _digest(file)
        if digest not in seen:
            if readable is not None and not readable(file):
                continue
            new.append(file)
        kept.append(digest)
    return new, base64.b64encode(zlib.compress(b"".join(sorted(kept)))).decode()


def _read_cursor(cursor: str | None) -> tuple[str | None, str | None]:
    """The key set, and the digest of what the listing left out; a cursor written before the
    digest was kept is the key set alone (base64: never a JSON object)."""
    if cursor and cursor.startswith("{"):
        kept = json.loads(cursor)
        return kept["seen"], kept["left_out"]
    return cursor, None


def _kinds(skipped: Skipped, denied: dict[str, str]) -> list[tuple[list[str], str]]:
    return [
        (skipped.not_utf8, "name(s) not UTF-8"),
        (skipped.symlinks, "symlink(s) not followed"),
        (skipped.folders_not_read, "folder(s) not read"),
        (sorted(denied), "file(s) the reader may not read"),
    ]


def _said(kinds: list[tuple[list[str], str]]) -> str:
    """A digest of what the listing left out: the tick warns when it differs."""
    named = json.dumps([[what, sorted(names)] for names, what in kinds if names])
    return hashlib.blake2b(named.encode(), digest_size=_DIGEST).hexdigest()


def _left_out(kinds: list[tuple[list[str], str]]) -> str:
    """What the listing left out, for a tick's skip reason: the first names of each kind."""
    said = [
        f"{len(names)} {what}: {', '.join(names[:_NAMED])}{', …' * (len(names) > _NAMED)}"
        for names, what in kinds if names
    ]
    if not said:
        return ""
    return (f"; left out of the listing, not recorded as seen until listed and readable "
            f"(why: the log of the tick that first left them out): {'; '.join(said)}")


def _warn(log: logging.Logger, skipped: Skipped, denied: dict[str, str]) -> None:
    """What the listing left out, in the log of the tick where it changed."""
    report_skipped(log, skipped, "the files under them are not recorded until it is listed")
    if denied:
        log.warning(
            f"{len(denied)} new file(s) the reader may not read, not recorded until it can "
            "(a run reading them fails naming them; fix their permissions: mode, owner or "
            "folder, on S3 the object's policy):\n" + "\n".join(denied.values())
        )


def new_files_sensor(
    *,
    name: str,
    asset_key: dg.AssetKey,
    store: str,
    minimum_interval_seconds: int,
    description: str,
    recursive: bool = True,
    probe_new: bool = False,
) -> dg.SensorDefinition:
    """A sensor (RUNNING) that lists the FileStore resource ``store`` (without ``recursive``,
    only the files directly under it: those its asset reads) and records a materialization of
    ``asset_key`` when the listing holds new or changed files; the tick's skip reason and log
    line say what it recorded. With ``probe_new``, a new file is recorded once the reader can
    read it (one request to S3 for each new file, two at each tick for one it is refused)."""

    def evaluate(context: dg.SensorEvaluationContext, **resources: FileStore) -> dg.SensorResult:
        files, skipped, denied = resources[store], Skipped(), {}
        backend = files.backend()

        def readable(file: StoredFile) -> bool:
            try:
                backend.probe(file.path)
            except FileNotFoundError:
                skipped.vanished.append(file.path)  # removed since listed: not in the listing
                return False
            except ObjectDenied as err:
                denied[file.path] = str(err)
                return False
            return True

        seen, said_before = _read_cursor(context.cursor)
        new, seen = new_files(
            backend.list(skipped, recursive=recursive), seen, readable if probe_new else None
        )
        kinds = _kinds(skipped, denied)
        said = _said(kinds)
        left_out = _left_out(kinds)
        if said != said_before:
            _warn(context.log, skipped, denied)
            if said_before is not None and not left_out:
                context.log.info("the listing leaves nothing out any more")
        cursor = json.dumps({"seen": seen, "left_out": said})
        if not new:
            return dg.SensorResult(
                skip_reason=f"no new file in {files.url}{left_out}", cursor=cursor
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
            skip_reason=done + left_out,
            asset_events=[
                dg.AssetMaterialization(
                    asset_key,
                    metadata={
                        "store": files.url,
                        "new_files": len(new),
                        "newest_modified": newest,
                        "examples": dg.MetadataValue.json(sorted(f.path for f in new)[:10]),
                        **skipped_metadata(skipped),
                        "files_not_readable": len(denied),
                        "not_readable": dg.MetadataValue.md(
                            "\n".join(f"- `{p}`" for p in sorted(denied)[:SHOWN]) or "none"
                        ),
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
