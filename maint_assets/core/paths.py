"""Where the checkout's files are: SQL statements and local state."""

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
SQL_DIR = CHECKOUT / "sql"
STATE_DIR = CHECKOUT / ".maint"
