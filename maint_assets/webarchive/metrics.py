"""Task-event metrics to a Prometheus Pushgateway, so alert rules can fire on stale or failing
tasks (the web archive's ``ukwa_task_*`` gauges, one group per asset)."""

from __future__ import annotations

import time

import dagster as dg
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from pydantic import Field

JOB = "maint_assets"


class Pushgateway(dg.ConfigurableResource):
    """Pushes to ``url`` when it is set; does nothing otherwise."""

    url: str = Field(default="", description="e.g. http://pushgateway:9091; empty disables")
    timeout_s: float = Field(default=10.0)

    def push(self, asset: dg.AssetKey, succeeded: bool, **values: float) -> bool:
        """Replace the asset's group: last success or failure time, and ``values``
        (records, files, failures…) as ``maint_task_<name>`` gauges."""
        if not self.url:
            return False
        registry = CollectorRegistry()
        status = "success" if succeeded else "failure"
        Gauge(
            f"maint_task_last_{status}_timestamp_seconds",
            f"when the asset last ended with {status}",
            registry=registry,
        ).set(time.time())
        for name, value in values.items():
            Gauge(f"maint_task_{name}", f"{name} of the asset's last run", registry=registry).set(
                value
            )
        push_to_gateway(
            self.url, job=JOB, registry=registry,
            grouping_key={"asset": asset.to_user_string(), "status": status},
            timeout=self.timeout_s,
        )
        return True
