"""The demo's mail sink: aiosmtpd's own Maildir handler receives what the alert sensors send,
so a new user sees the alerts; ``maint-assets demo mails`` lists them."""

from __future__ import annotations

import email.policy
import mailbox
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path


def sink_command(maildir: Path, host: str, port: int) -> list[str]:
    """aiosmtpd's command line serving ``host:port`` into the Maildir ``maildir``."""
    # -n: stay the invoking user (aiosmtpd would setuid to nobody as root).
    return [
        sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{host}:{port}",
        "-c", "aiosmtpd.handlers.Mailbox", str(maildir),
    ]


def prepare(maildir: Path) -> None:
    """A Maildir's three folders: Python's Maildir (which aiosmtpd's handler opens) creates
    them only along with a directory that does not exist yet, and cannot deliver without."""
    for folder in ("tmp", "new", "cur"):
        (maildir / folder).mkdir(parents=True, exist_ok=True)


def read(maildir: Path) -> list[tuple[datetime, EmailMessage]]:
    """The mails received with their delivery times, oldest first."""
    if not maildir.exists():
        return []
    box = mailbox.Maildir(maildir, create=False)
    received = [
        (
            datetime.fromtimestamp(box.get_message(key).get_date(), UTC),
            email.message_from_bytes(box.get_bytes(key), policy=email.policy.default),
        )
        for key in box.iterkeys()
    ]
    return sorted(received, key=lambda pair: pair[0])


def describe(received: datetime, message: EmailMessage, body: bool) -> str:
    when = received.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    head = f"{when}  to {message['To']}\n  {message['Subject']}"
    if not body:
        return head
    text = message.get_body(preferencelist=("plain",))
    content = text.get_content() if text else ""
    return head + "\n" + "".join(f"    {line}\n" for line in content.splitlines())
