"""The extensions a restore into Metabase's application database leaves in place.

Metabase's own role owns the database and every object Metabase created, but not an
extension a superuser created there (pgcrypto, PostGIS): ``pg_restore --clean`` stopped at
its ``DROP EXTENSION`` ("must be owner of extension"), and its ``COMMENT ON EXTENSION`` and
the data of its configuration tables need its owner too. Such an extension stays as it is:
its entries are left out of the table of contents ``pg_restore -L`` loads (the backup is a
custom-format dump, whose entries can be selected), once the target is known to hold it at
the backup's version or one updated from it. An extension the backup holds and the target
lacks is created by the restore, and must be one this role may create: otherwise the restore
is refused before anything is touched.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from maint_assets.core import databases
from maint_assets.core.pg_tools import run_tool
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.metabase.keys import SQL_RESTORE

# A line of ``pg_restore -l``: "<dump id>; <catalog table OID> <OID> <type> <schema> <name>
# <owner>", the schema "-" and the owner empty for an extension and its comment.
_ENTRY = re.compile(r"^\d+; \d+ \d+ (.*)$")
_EXTENSION = re.compile(r"^\d+; \d+ \d+ EXTENSION - (.+) $")


class ExtensionRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class LeftInPlace:
    name: str
    installed: str
    # the version the backup's manifest records; None for a backup made before they were
    recorded: str | None


@dataclass(frozen=True)
class Listing:
    path: Path  # the table of contents for pg_restore -L
    left_in_place: list[LeftInPlace]


def restore_listing(
    metabase_db: PostgresResource,
    dump: Path,
    major: int,
    recorded: dict[str, str] | None,
    tmp: Path,
    what: str,
) -> Listing:
    """The dump's table of contents without the entries of the extensions this role cannot
    drop; ExtensionRefused, before the target is changed, when it lacks an extension the
    backup holds and the role cannot create it, or holds one at a version the backup's
    does not update to."""
    toc = tmp / f"{dump.name}.toc"
    run_tool("pg_restore", major, ["-l", str(dump)], metabase_db.url, what, stdout=toc)
    # surrogateescape: the names of a SQL_ASCII database's objects are written back as read
    lines = toc.read_text(errors="surrogateescape").splitlines()
    in_dump = [m.group(1) for line in lines if (m := _EXTENSION.match(line))]
    target = metabase_db.describe()
    left: list[LeftInPlace] = []
    skipped: list[str] = []
    with metabase_db.connect() as conn:
        databases.names_as_text(conn)
        installed = {
            name: (version, quoted, droppable)
            for name, version, quoted, droppable in conn.execute(
                statement(SQL_RESTORE, "installed_extensions")
            )
        }
        for name in in_dump:
            if name not in installed:
                creatable = conn.execute(
                    statement(SQL_RESTORE, "extension_creatable"), {"name": name}
                ).fetchone()
                if not (creatable and creatable[0]):
                    raise ExtensionRefused(
                        f"the backup {what} holds extension {name}, which {target} lacks and "
                        f"this role cannot create there: have a superuser create it (CREATE "
                        f"EXTENSION {name}), or restore as one; nothing was changed"
                    )
                continue
            version, quoted, droppable = installed[name]
            if droppable:
                continue  # dropped and created again by the restore, as the backup has it
            before = (recorded or {}).get(name)
            if before is not None and not conn.execute(
                statement(SQL_RESTORE, "extension_update_reachable"),
                {"name": name, "recorded": before, "installed": version},
            ).fetchone()[0]:
                raise ExtensionRefused(
                    f"extension {name} is at version {version} in {target}, which this role "
                    f"cannot change, and the backup {what} was made with version {before}, "
                    f"which does not update to {version}: have its owner bring it to "
                    f"{before} (ALTER EXTENSION {name} UPDATE), or restore as a superuser; "
                    "nothing was changed"
                )
            left.append(LeftInPlace(name, version, before))
            skipped += [f"EXTENSION - {name} ", f"COMMENT - EXTENSION {quoted} "]
            skipped += [
                f"{kind} {schema} {relation} "
                for kind, schema, relation in conn.execute(
                    statement(SQL_RESTORE, "extension_config_relations"), {"name": name}
                )
            ]
    listing = tmp / f"{dump.name}.list"
    listing.write_text(
        "".join(
            # a line starting with ";" is a comment: pg_restore -L leaves its entry out
            f";{line}\n" if (m := _ENTRY.match(line)) and m.group(1).startswith(tuple(skipped))
            else f"{line}\n"
            for line in lines
        ),
        errors="surrogateescape",
    )
    return Listing(listing, left)
