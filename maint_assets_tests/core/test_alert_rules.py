"""The example Prometheus alert rules: valid for Prometheus (promtool check), firing as their
unit tests expect (promtool test), and naming only metrics the metrics sensor pushes."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from maint_assets.core.metrics import HELP

RULES = Path(__file__).parents[2] / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    binary = shutil.which("promtool")
    if binary is None:
        raise RuntimeError("missing: apt-get install prometheus (it ships promtool)")
    return binary


@pytest.mark.parametrize(
    "command", [["check", "rules", "alerts.yml"], ["test", "rules", "alerts_test.yml"]]
)
def test_promtool_accepts_the_rules(promtool: str, command: list[str]) -> None:
    done = subprocess.run([promtool, *command], cwd=RULES, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rules_name_only_pushed_metrics() -> None:
    rules = yaml.safe_load((RULES / "alerts.yml").read_text())["groups"][0]["rules"]
    named = {m for r in rules for m in re.findall(r"\bmaint_asset_\w+", r["expr"])}
    assert named and named <= set(HELP), named - set(HELP)
