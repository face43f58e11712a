"""The order the suite's files go to the workers in (schedule.py): longest first as recorded,
a file the record does not know first of all, and the record rewritten from a passing run."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from maint_assets_tests import schedule

HERE = Path(__file__).parent
LONG, SHORT, NEW = (HERE / "atlas/test_staging.py", HERE / "core/test_layout.py",
                    HERE / "test_webserver.py")


@pytest.fixture
def record(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "durations.json"
    path.write_text(json.dumps({"core/test_layout.py": 0.4, "atlas/test_staging.py": 63.5,
                                "atlas/a_file_since_removed.py": 9.0}))
    monkeypatch.setattr(schedule, "RECORD", path)
    return path


def test_files_go_out_longest_first_and_an_unrecorded_one_before_them(record: Path) -> None:
    items = [SimpleNamespace(path=p, name=f"{p.name}::{i}")
             for i, p in enumerate([SHORT, LONG, SHORT, NEW, LONG])]
    schedule.pytest_collection_modifyitems(items)
    assert [i.name for i in items] == [
        "test_webserver.py::3", "test_staging.py::1", "test_staging.py::4",
        "test_layout.py::0", "test_layout.py::2",  # each file keeps its own order
    ]


def test_a_passing_run_rewrites_the_record_and_a_failing_one_does_not(record: Path) -> None:
    recorder = schedule._Recorder(HERE.parent)
    for when, seconds in (("setup", 2.0), ("call", 5.25), ("teardown", 0.1)):
        recorder.pytest_runtest_logreport(SimpleNamespace(
            nodeid="maint_assets_tests/core/test_layout.py::test_x", when=when, duration=seconds))
    before = record.read_text()
    recorder.pytest_sessionfinish(None, exitstatus=1)
    assert record.read_text() == before
    recorder.pytest_sessionfinish(None, exitstatus=0)
    # measured seconds replace the old ones; a file no longer in the suite is dropped
    assert json.loads(record.read_text()) == {"core/test_layout.py": 7.3,
                                              "atlas/test_staging.py": 63.5}
    assert list(json.loads(record.read_text())) == ["atlas/test_staging.py",  # longest first
                                                    "core/test_layout.py"]
