"""The order `make test` hands test files to its workers: longest first, from the seconds each
file took in a recorded run of the whole suite (durations.json), so that the short files fill in
behind the long ones and the workers finish together (--dist loadfile
--no-loadscope-reorder keeps this order). Refresh the record after a change that moves a
file's time: `make test PYTEST_ARGS=--record-durations`."""

import json
from pathlib import Path

import pytest

RECORD = Path(__file__).with_name("durations.json")
ROOT = Path(__file__).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations", action="store_true",
        help=f"write each test file's seconds (set-up, call and teardown) to {RECORD.name}",
    )


def _file(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def recorded() -> dict[str, float]:
    return json.loads(RECORD.read_text()) if RECORD.exists() else {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    seconds = recorded()
    # A file not in the record yet goes first: if it is long, starting it last would make
    # the whole suite wait for it.
    items.sort(key=lambda item: -seconds.get(_file(item.path), float("inf")))  # stable


class _Recorder:
    def __init__(self, rootpath: Path) -> None:
        self.rootpath = rootpath
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = _file(self.rootpath / report.nodeid.split("::", 1)[0])
        self.seconds[name] = self.seconds.get(name, 0.0) + report.duration

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus != 0:
            return  # a failed file's seconds are not its usual ones
        merged = recorded() | {k: round(v, 1) for k, v in self.seconds.items()}
        kept = {k: v for k, v in merged.items() if (ROOT / k).exists()}  # not removed files
        ordered = dict(sorted(kept.items(), key=lambda kv: -kv[1]))
        RECORD.write_text(json.dumps(ordered, indent=1) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    # On the controller only: it receives every worker's reports.
    if config.getoption("record_durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Recorder(config.rootpath), "maint_assets_durations")
