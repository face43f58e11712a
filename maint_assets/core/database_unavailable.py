"""The error of a database that cannot be reached, apart from the PostgreSQL resource: the
command line catches it without loading Dagster, which the resource needs."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; the message names it but never the password.
    ``refused``: the server answered and refused the connection (a password or role it
    rejects, no pg_hba.conf entry, a database that does not exist), which running the step
    again would meet again."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused
