"""Dagster's servers started by a test, stopped with everything they started: the daemon and
the webserver each start a code server (`dagster api grpc`) that outlives their SIGTERM and
would be left running after the suite."""

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator


@contextlib.contextmanager
def process_group(argv: list[str], **popen: object) -> Iterator[subprocess.Popen]:
    """``argv`` in a session of its own, ended with its whole process group."""
    process = subprocess.Popen(argv, start_new_session=True, **popen)
    try:
        yield process
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):  # nothing of the group left
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
