"""An offline stand-in for the VisioNature download, for the demo and the tests.

No VisioNature API can be reached from here, so the only step of transfer_vn that needs it
(``--full`` / ``--update``) can be replaced, through the ``download_command`` setting, by this
program: it takes the same arguments, reads the same generated configuration and stores into
the configured schema what transfer_vn would, from a schema playing the site
(``VN_STAND_IN_SOURCE``, default ``vn_source``). Its log lines have transfer_vn's format.

``VN_STAND_IN_FAIL=crash`` stores half the window and then logs a crashed job, exiting 0 as
transfer_vn does; ``VN_STAND_IN_FAIL=empty`` stores nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import psycopg

from maint_assets.core.sql_files import compose
from maint_assets.vn_sync import tool_config
from maint_assets.vn_sync.reconcile import DATE_PATHS

GROUP = "vn_sync/stand_in"
log = logging.getLogger("transfer_vn")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vn-stand-in")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--full", action="store_true")
    mode.add_argument("--update", action="store_true")
    parser.add_argument("file")
    args = parser.parse_args(argv)
    logging.basicConfig(
        format="%(asctime)s - %(levelname)s - %(name)s - %(message)s", level=logging.INFO,
        stream=sys.stdout,
    )
    config = tool_config.load(Path(args.file))
    db = config["database"]
    names = {"source": os.environ.get("VN_STAND_IN_SOURCE", "vn_source"),
             "target": db["db_schema_import"]}
    failure = os.environ.get("VN_STAND_IN_FAIL", "")
    with psycopg.connect(
        host=db["db_host"], port=db["db_port"], dbname=db["db_name"], user=db["db_user"],
        password=db["db_pw"], autocommit=True,
    ) as conn:
        if args.full:
            start = (config.get("filter") or {}).get("start_date")
            since = int(datetime.combine(start, time(), UTC).timestamp()) if start else 0
        else:
            since = conn.execute(compose(GROUP, "last_watermark", **names)).fetchone()[0]
        log.info("Performing a %s download since %s", "full" if args.full else "incremental", since)
        if failure == "empty":
            log.info("tst1 => no observation returned")
            return 0
        params = {
            "by_date": args.full, "since": since,
            "date_path": DATE_PATHS[tool_config.type_date(config)],
            # a crashed job has stored part of the window when it fails
            "limit": 50 if failure == "crash" else None,
        }
        stored = conn.execute(compose(GROUP, "store_observations", **names), params).rowcount
        log.info("tst1 => stored %d observations", stored)
        if failure == "crash":
            log.error("The job Observations_tst1 crashed")
            return 0
        conn.execute(compose(GROUP, "store_forms", **names))
        conn.execute(compose(GROUP, "store_places", **names))
        conn.execute(compose(GROUP, "watermark", **names))
        log.info("Shutting down scheduler")
    return 0


if __name__ == "__main__":
    sys.exit(main())
