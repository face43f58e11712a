"""Files that readers (pywb, the indexers) see whole: the old version or the new one."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def atomic_file(target: Path) -> Iterator[TextIO]:
    """Write to a temporary name next to ``target``, flush it to disk, then rename it over
    ``target``; on error ``target`` is left as it was."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("w") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
