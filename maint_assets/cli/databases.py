"""The database a command works on: the one its variable names, or the local cluster's."""

from __future__ import annotations

import os

from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.environment import DEMO_DATABASES, local_cluster


def database(variable: str, local_name: str) -> PostgresResource:
    """The database ``variable`` names, or the local cluster's ``local_name`` when it is unset."""
    if variable not in os.environ:
        cluster = local_cluster()
        cluster.up(DEMO_DATABASES)
        os.environ.update(cluster.client_env())
        os.environ[variable] = cluster.url(local_name)
    return PostgresResource(url=os.environ[variable])
