"""`maint-assets demo`: the local cluster, every domain's demo data, the mail sink, the
Pushgateway and Dagster, until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from maint_assets.cli import atlas, vn
from maint_assets.core.paths import CHECKOUT, STATE_DIR
from maint_assets.demo.catalog_data import write_pages
from maint_assets.demo.environment import (
    DEMO_CATALOG_PAGES,
    DEMO_DAGSTER_HOME,
    DEMO_DATABASES,
    DEMO_INGEST_SOURCE,
    DEMO_MAILDIR,
    DEMO_VN_CONFIG,
    DEMO_WARC_STORE,
    demo_environment,
    local_cluster,
)
from maint_assets.demo.ingest_data import write_source
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets.demo.metabase_stand_in import load_stand_in
from maint_assets.demo.services import (
    Endpoints,
    ServiceError,
    Services,
    show_automation_on,
    start_dagster,
    start_mail_sink,
    start_pushgateway,
)
from maint_assets.demo.vn_data import serve_demo_site
from maint_assets.demo.webarchive_data import load_shine, load_w3act, write_store


def _webarchive_demo_data(cluster: LocalCluster) -> None:
    if not DEMO_WARC_STORE.exists():
        captures = write_store(DEMO_WARC_STORE)
        print(f"wrote demo WARCs with {len(captures)} captures under {DEMO_WARC_STORE}")
    with cluster.connect("w3act", autocommit=True) as conn:
        load_w3act(conn)
    with cluster.connect("shine", autocommit=True) as conn:
        load_shine(conn)


def serve(args: argparse.Namespace) -> int:
    def step(number: int, text: str) -> None:
        print(f"[{number}/5] {text}", flush=True)

    cluster = local_cluster()
    was_running = cluster.status().running
    state = cluster.up(DEMO_DATABASES)
    step(
        1,
        f"PostgreSQL {'was running' if was_running else 'started'} on "
        f"{cluster.host}:{state.port} (data {state.data_dir}; `maint-assets db env` for psql)",
    )
    endpoints = Endpoints(args.host, args.port, args.smtp_port, args.pushgateway_port)
    env = {**demo_environment(cluster), **endpoints.environment()}
    os.environ.update(env)
    step(2, "demo data (loaded once, kept in the cluster and under the state directory):")
    atlas.demo_data(
        argparse.Namespace(
            observations=args.observations,
            seed=1,
            if_empty=True,
            region_detail=args.region_detail,
            province_size=args.province_size,
        )
    )
    serve_demo_site(cluster.url("vn"), DEMO_VN_CONFIG)
    vn.demo_data(argparse.Namespace(observations=args.vn_observations, seed=1, if_empty=True))
    _webarchive_demo_data(cluster)
    if not DEMO_CATALOG_PAGES.exists():
        pages = write_pages(DEMO_CATALOG_PAGES, datasets=args.catalog_datasets)
        print(f"wrote {pages} DCAT catalogue pages under {DEMO_CATALOG_PAGES}")
    if not DEMO_INGEST_SOURCE.exists():
        rows = write_source(DEMO_INGEST_SOURCE)
        print(f"wrote the portal's source files under {DEMO_INGEST_SOURCE}: {rows}")
    with cluster.connect("metabase", autocommit=True) as conn:
        if load_stand_in(conn):
            print("created a stand-in Metabase application database (metabase)")
    services = Services(STATE_DIR / "logs")
    # A SIGTERM (a service manager, a test's teardown) stops the services as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        start_mail_sink(services, DEMO_MAILDIR, endpoints)
        start_pushgateway(services, STATE_DIR, endpoints)
        step(
            3,
            f"alerts go to the mail sink on {endpoints.host}:{endpoints.smtp_port} (read them: "
            f"`maint-assets demo mails`), metrics to the Pushgateway on "
            f"{endpoints.pushgateway_url}",
        )
        log = services.logs / "dagster.log"
        step(4, f"Dagster starting (webserver, daemon, code server); its log: {log}")
        _, seconds = start_dagster(
            services, CHECKOUT / "workspace.yaml", DEMO_DAGSTER_HOME, os.environ, endpoints
        )
        show_automation_on(endpoints.ui_url)
        step(
            5,
            f"Dagster UI on {endpoints.ui_url} (up in {seconds:.0f} s). Ctrl-C stops Dagster, "
            "the mail sink and the Pushgateway; PostgreSQL keeps running until "
            "`maint-assets db down`.",
        )
        while True:
            services.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping Dagster, the mail sink and the Pushgateway...", flush=True)
    except ServiceError as err:
        print(f"maint-assets: {err}", file=sys.stderr)
        return 1
    finally:
        services.stop()
    return 0
