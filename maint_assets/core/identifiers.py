"""Names built from configuration, checked against PostgreSQL's length limit before use.

PostgreSQL keeps the first NAMEDATALEN - 1 = 63 bytes of an identifier and silently drops the
rest, so ``<name>__staging`` built from a long ``<name>`` can come out as ``<name>`` itself:
a statement meant for the staging copy then acts on the original. Every name the project
builds is checked here first; the limit is in bytes (UTF-8), not characters.
"""

MAX_IDENTIFIER_BYTES = 63


class IdentifierTooLong(ValueError):
    """A name would be truncated by PostgreSQL; the message names it and its size."""


def check_identifier(name: str, what: str = "name") -> str:
    """``name`` itself, when PostgreSQL would keep it whole."""
    size = len(name.encode())
    if not name or size > MAX_IDENTIFIER_BYTES:
        raise IdentifierTooLong(
            f"{what} {name!r} is {size} bytes: PostgreSQL identifiers must be 1 to "
            f"{MAX_IDENTIFIER_BYTES} bytes (a longer one is truncated and may name another object)"
        )
    return name


def check_base(name: str, suffixes: list[str], what: str) -> str:
    """``name``, when every ``name + suffix`` the project builds from it fits the limit."""
    longest = max(suffixes, key=lambda s: len(s.encode()))
    room = MAX_IDENTIFIER_BYTES - len(longest.encode())
    size = len(name.encode())
    if not name or size > room:
        raise IdentifierTooLong(
            f"{what} {name!r} is {size} bytes: it must be 1 to {room} bytes, so that the names "
            f"built from it (such as {name + longest!r}) fit PostgreSQL's "
            f"{MAX_IDENTIFIER_BYTES}-byte limit (a longer one is truncated and may name another "
            "object)"
        )
    return name
