"""E-mail from the orchestrator through an SMTP server, never from the database server.

The runbooks mailed with ``COPY … TO PROGRAM 'mail …'``: the database host needed a mail
setup and its role needed superuser rights, and the message was spliced into a shell command.
Here the run sends it, through the SMTP server and credentials of the environment.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import dagster as dg
from pydantic import Field

from maint_assets.core.settings import optional_env, optional_int_env


class NotifierError(RuntimeError):
    """The SMTP server refused or could not be reached; the message names it, not the password."""


@dataclass(frozen=True)
class Delivery:
    """Whom the server took a message for, and whom it refused (an unknown mailbox, a full
    one), with its answer: smtplib fails only when it refuses every recipient."""

    accepted: list[str]
    refused: dict[str, str]

    def describe(self) -> str:
        sent = f"sent to {', '.join(self.accepted)}"
        if not self.refused:
            return sent
        return "failed for " + ", ".join(
            f"{address} ({answer})" for address, answer in self.refused.items()
        ) + f"; {sent if self.accepted else 'sent to nobody'}"


class SmtpNotifier(dg.ConfigurableResource):
    """Sends plain-text mail; does nothing (and says so) when no host is configured."""

    host: str = Field(default="", description="SMTP server; empty disables e-mail")
    port: int = Field(default=25)
    sender: str = Field(default="maint-assets@localhost")
    recipients: str = Field(default="", description="comma-separated addresses")
    username: str = Field(default="")
    password_variable: str = Field(
        default="MAINT_SMTP_PASSWORD",
        description="the environment variable holding the password, read when a message is "
        "sent (so it may be set after the code location loaded, and is never in the config)",
    )
    # A string: Dagster resolves EnvVar fields to strings only.
    starttls: str = Field(default="", description="1, true or yes: upgrade with STARTTLS")
    tls: str = Field(
        default="", description="1, true or yes: TLS from the first byte (SMTPS, port 465)"
    )
    timeout_s: float = Field(default=30.0)
    attempts: int = Field(
        default=3, ge=1,
        description="sends tried when the server answers 4xx (SMTP's try again later) or "
        "cannot be reached",
    )
    retry_wait_s: float = Field(default=2.0, ge=0, description="first wait, doubled each time")

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.to)

    @property
    def use_starttls(self) -> bool:
        return _yes(self.starttls)

    @property
    def use_tls(self) -> bool:
        return _yes(self.tls)

    @property
    def to(self) -> list[str]:
        return [r.strip() for r in self.recipients.split(",") if r.strip()]

    def send(self, subject: str, body: str) -> Delivery | None:
        """Whom the server took the message for and whom it refused; None when e-mail is not
        configured."""
        if not self.enabled:
            return None
        # smtplib sends AUTH to a server that offers it before TLS: the password would cross
        # the network in clear. Allowed only to a relay on this host.
        if self.username and not (self.use_tls or self.use_starttls) and (
            self.host not in _LOOPBACK
        ):
            raise NotifierError(
                f"refusing to send the password of {self.username} to {self.host} without "
                "TLS: set MAINT_SMTP_STARTTLS (port 587) or MAINT_SMTP_TLS (port 465)"
            )
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        # RFC 5322 requires Date and asks for Message-ID; a relay adds neither to mail it
        # relays (Postfix: only for local_header_rewrite_clients), and Gmail refuses a message
        # without Message-ID (550 5.7.1). Set once: a retried message keeps its id, so a copy
        # a relay took before the connection broke is recognisable as the same message.
        message["Date"] = formatdate(localtime=True)
        sender = parseaddr(self.sender)[1]
        message["Message-ID"] = make_msgid(
            "maint-assets", domain=sender.rpartition("@")[2] if "@" in sender else "localhost"
        )
        message.set_content(body)
        attempt = 0
        while True:
            attempt += 1
            sending = False
            try:
                # Implicit TLS answers nothing to a plain greeting: a client that waits for one
                # only times out, saying nothing of TLS.
                smtp = (
                    smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                     context=ssl.create_default_context())
                    if self.use_tls
                    else smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
                )
                try:
                    if self.use_starttls and not self.use_tls:
                        smtp.starttls(context=ssl.create_default_context())
                    if self.username:
                        smtp.login(self.username, self._password())
                    sending = True
                    refused = smtp.send_message(message)
                except BaseException:
                    smtp.close()
                    raise
                # Once the server took the message, its answer to QUIT changes nothing
                # (smtplib's `with` raised it, and a 4xx there sent the message again).
                with suppress(OSError, smtplib.SMTPException):
                    smtp.quit()
                smtp.close()
                break
            except (OSError, smtplib.SMTPException) as err:
                if attempt < self.attempts and _temporary(err, sending):
                    time.sleep(self.retry_wait_s * 2 ** (attempt - 1))
                    continue
                raise NotifierError(
                    f"cannot send mail through {self.host}:{self.port}: "
                    f"{type(err).__name__}: {err}"
                    + (f" ({attempt} attempts)" if attempt > 1 else "")
                ) from None
        return Delivery(
            # smtplib keys the refused by the bare address, "Ops <ops@…>" giving "ops@…"
            [r for r in self.to if parseaddr(r)[1] not in refused],
            {address: f"{code} {answer.decode(errors='replace')}"
             for address, (code, answer) in refused.items()},
        )

    def _password(self) -> str:
        # Never a config field: run config could then carry it, and Dagster shows run config.
        return dg.EnvVar(self.password_variable).get_value("") or ""


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _yes(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes"}


def _temporary(err: Exception, sending: bool) -> bool:
    """A 4xx answer (the server's "try again later": it did not take the message), or, before
    the message was sent, no server reached or no answer: tried again. A 5xx is final, and a
    connection lost or silent while the message was sent may have delivered it."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in err.recipients.values())
    if isinstance(err, smtplib.SMTPResponseException):
        return 400 <= err.smtp_code < 500
    # smtplib reports a server silent or gone mid-conversation as a disconnection
    return not sending and isinstance(
        err, ConnectionRefusedError | TimeoutError | smtplib.SMTPConnectError
        | smtplib.SMTPServerDisconnected
    )


def notifier() -> SmtpNotifier:
    """SMTP settings from MAINT_SMTP_* and MAINT_MAIL_TO (EnvVar fields); the password from
    MAINT_SMTP_PASSWORD when a message is sent."""
    return SmtpNotifier(
        host=optional_env("MAINT_SMTP_HOST", ""),
        port=optional_int_env("MAINT_SMTP_PORT", 25),
        sender=optional_env("MAINT_MAIL_FROM", "maint-assets@localhost"),
        recipients=optional_env("MAINT_MAIL_TO", ""),
        username=optional_env("MAINT_SMTP_USER", ""),
        starttls=optional_env("MAINT_SMTP_STARTTLS", ""),
        tls=optional_env("MAINT_SMTP_TLS", ""),
    )
