"""`maint-assets db`: the demo's private PostgreSQL cluster under the state directory."""

from __future__ import annotations

import argparse
import shlex

from maint_assets.demo.environment import (
    DEMO_DATABASES,
    demo_environment,
    libpq_environment,
    local_cluster,
)


def up(_: argparse.Namespace) -> int:
    cluster = local_cluster()
    state = cluster.up(DEMO_DATABASES)
    print(
        f"PostgreSQL running on {cluster.host}:{state.port} "
        f"(pid {state.pid}, data {state.data_dir})"
    )
    return 0


def down(_: argparse.Namespace) -> int:
    local_cluster().down()
    print("PostgreSQL stopped")
    return 0


def status(_: argparse.Namespace) -> int:
    cluster = local_cluster()
    state = cluster.status()
    if state.running:
        print(
            f"running on {cluster.host}:{state.port} (pid {state.pid}, data {state.data_dir}); "
            f"connect with PGPASSFILE={cluster.passfile} psql {cluster.url('atlas')}"
        )
        return 0
    print(
        f"stopped ({'initialised' if state.initialized else 'not initialised'}, "
        f"data {state.data_dir}, port {state.port})"
    )
    return 3


def url(args: argparse.Namespace) -> int:
    print(local_cluster().url(args.database))
    return 0


def env(args: argparse.Namespace) -> int:
    cluster = local_cluster()
    exports = {**demo_environment(cluster), **libpq_environment(cluster, args.database)}
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0
