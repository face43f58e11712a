"""The error of a database that cannot be reached, apart from the PostgreSQL resource: the
command line catches it without loading Dagster, which the resource needs."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message names it but never the password."""
