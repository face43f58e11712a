"""The instance's event log read forward across runs, one event type at a time, for the sensors
that report on it (alerts, metrics). The cursor holds the last storage id read per type, so a
tick that stops early (page limit, crash) goes on from there next time and nothing is read
twice."""

import json
from collections.abc import Iterable

import dagster as dg

PAGE = 500


def read_new(
    instance: dg.DagsterInstance,
    cursor: str | None,
    event_types: Iterable[dg.DagsterEventType],
    *,
    from_start: bool,
) -> tuple[list[dg.EventLogRecord], str]:
    """Records after the cursor, oldest first, up to ``PAGE`` per type, and the next cursor.

    Without a cursor, ``from_start`` reads the whole history (page by page over ticks);
    otherwise reading starts after the newest record, so a new sensor does not replay years
    of events as news."""
    storage = instance.event_log_storage
    if storage.is_run_sharded:
        raise RuntimeError(
            "the instance's event log is SQLite sharded by run, which has no order across runs: "
            "use PostgreSQL storage (dagster.yaml) for alerts and metrics"
        )
    # The public fetch_* methods filter by one asset key; only the storage's EventRecordsFilter
    # reads one event type across every asset and run.
    positions: dict[str, int] = json.loads(cursor) if cursor else {}
    records: list[dg.EventLogRecord] = []
    for event_type in event_types:
        after = positions.get(event_type.value)
        if after is None and not from_start:
            newest = storage.get_event_records(dg.EventRecordsFilter(event_type), limit=1)
            positions[event_type.value] = newest[0].storage_id if newest else 0
            continue
        page = storage.get_event_records(
            dg.EventRecordsFilter(event_type, after_cursor=after), limit=PAGE, ascending=True
        )
        if page:
            positions[event_type.value] = page[-1].storage_id
        records.extend(page)
    records.sort(key=lambda r: r.storage_id)
    return records, json.dumps(positions, sort_keys=True)
