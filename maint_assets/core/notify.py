"""E-mail from the orchestrator through an SMTP server, never from the database server.

The runbooks mailed with ``COPY … TO PROGRAM 'mail …'``: the database host needed a mail
setup and its role needed superuser rights, and the message was spliced into a shell command.
Here the run sends it, through the SMTP server and credentials of the environment.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

import dagster as dg
from pydantic import Field


class NotifierError(RuntimeError):
    """The SMTP server refused or could not be reached; the message names it, not the password."""


class SmtpNotifier(dg.ConfigurableResource):
    """Sends plain-text mail; does nothing (and says so) when no host is configured."""

    host: str = Field(default="", description="SMTP server; empty disables e-mail")
    port: int = Field(default=25)
    sender: str = Field(default="maint-assets@localhost")
    recipients: str = Field(default="", description="comma-separated addresses")
    username: str = Field(default="")
    password: str = Field(default="", description="from the environment only (EnvVar)")
    starttls: bool = Field(default=False)
    timeout_s: float = Field(default=30.0)

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.to)

    @property
    def to(self) -> list[str]:
        return [r.strip() for r in self.recipients.split(",") if r.strip()]

    def send(self, subject: str, body: str) -> bool:
        """True when the server accepted the message, False when e-mail is not configured."""
        if not self.enabled:
            return False
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as err:
            raise NotifierError(
                f"cannot send mail through {self.host}:{self.port}: {type(err).__name__}: {err}"
            ) from None
        return True


def notifier_from_env() -> SmtpNotifier:
    """SMTP settings from MAINT_SMTP_* and MAINT_MAIL_TO; the password is an EnvVar so it is
    resolved at run time and never stored in the definitions."""
    env = os.environ
    return SmtpNotifier(
        host=env.get("MAINT_SMTP_HOST", ""),
        port=int(env.get("MAINT_SMTP_PORT", "25")),
        sender=env.get("MAINT_MAIL_FROM", "maint-assets@localhost"),
        recipients=env.get("MAINT_MAIL_TO", ""),
        username=env.get("MAINT_SMTP_USER", ""),
        password=dg.EnvVar("MAINT_SMTP_PASSWORD") if env.get("MAINT_SMTP_PASSWORD") else "",
        starttls=env.get("MAINT_SMTP_STARTTLS", "") in {"1", "true", "yes"},
    )
