"""Where the checkout's files are: SQL statements and local state."""

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
SQL_DIR = CHECKOUT / "sql"
# The demo's cluster, files and tools; MAINT_STATE_DIR moves them (a second demo, a test).
STATE_DIR = Path(os.environ.get("MAINT_STATE_DIR") or CHECKOUT / ".maint")
