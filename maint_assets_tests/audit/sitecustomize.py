"""Imported by every Python process the security test starts (it is on their PYTHONPATH): each
program any of them launches has its argv appended to the file MAINT_AUDIT_ARGV names, through
the interpreter's audit events, so none can slip past the scan."""

import json
import os
import sys

_LOG = os.environ.get("MAINT_AUDIT_ARGV")
_EVENTS = {"subprocess.Popen": 1, "os.exec": 1, "os.posix_spawn": 1, "os.spawn": 2, "os.system": 0}


def _record(event: str, args: tuple) -> None:
    position = _EVENTS.get(event)
    if position is None or _LOG is None:
        return
    argv = args[position]
    argv = [argv] if isinstance(argv, str | bytes | os.PathLike) else list(argv or [])
    with open(_LOG, "a") as log:
        log.write(json.dumps([event, [os.fsdecode(a) for a in argv]]) + "\n")


if _LOG:
    sys.addaudithook(_record)
