"""A real SMTP server (aiosmtpd) on a free port, answering as the handler given says."""

from collections.abc import Iterator
from contextlib import contextmanager

from maint_assets_tests.ports import free_port


@contextmanager
def serving(handler: object) -> Iterator[int]:
    """Serves ``handler`` (aiosmtpd's handle_RCPT, handle_DATA, ...) until the block ends;
    yields the port."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


class RefusingSink:
    """An SMTP server's handler that refuses the mailboxes in ``refused`` (550, as for an
    unknown one) and takes the message for the others; ``delivered``: each message's
    accepted recipients."""

    def __init__(self, refused: set[str]) -> None:
        self.refused = refused
        self.delivered: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.delivered.append(list(envelope.rcpt_tos))
        return "250 OK"
