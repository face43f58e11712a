"""Dagster's servers started by a test, stopped with everything they started."""

import contextlib
import subprocess
from collections.abc import Iterator

from maint_assets.demo.services import stop_group


@contextlib.contextmanager
def process_group(argv: list[str], **popen: object) -> Iterator[subprocess.Popen]:
    """``argv`` in a session of its own, ended with its whole process group."""
    process = subprocess.Popen(argv, start_new_session=True, **popen)
    try:
        yield process
    finally:
        stop_group(process)
