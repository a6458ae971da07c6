"""Tallies kept by database triggers (foundation: it imports no app).

An app whose totals follow its rows whatever writes them (the services, a bulk import, an operator's SQL) declares
the statements that install its triggers on each database, those that drop them, and how to recount the totals
from the rows; ``Triggers`` gives it the migration operation that installs them and counts what is already there,
and a suspension for bulk loads of millions of rows (the benchmarks' loaders: the triggers dropped while they run,
then put back and the totals recounted once).
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, migrations


@dataclass(frozen=True)
class Triggers:
    install: dict[str, list[str]]  # database vendor → statements creating the triggers (and their functions)
    drop: dict[str, list[str]]  # database vendor → statements dropping them
    rebuild: Callable  # rebuild(db): recount the totals from the rows

    def _install(self, apps, schema_editor) -> None:
        for statement in self.install.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
        self.rebuild(schema_editor.connection)

    def _remove(self, apps, schema_editor) -> None:
        for statement in self.drop.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    def operation(self) -> migrations.RunPython:
        """The migration operation installing the triggers and counting the rows already there."""
        return migrations.RunPython(self._install, self._remove)

    @contextmanager
    def suspended(self, db=connection):
        """The triggers dropped while a bulk load runs, then put back and the totals recounted once."""
        with db.cursor() as cursor:
            for statement in self.drop.get(db.vendor, []):
                cursor.execute(statement)
        try:
            yield
        finally:
            with db.cursor() as cursor:
                for statement in self.install.get(db.vendor, []):
                    cursor.execute(statement)
            self.rebuild(db)


def check(command, *, rebuild: bool, recount: Callable, disagreements: Callable, wrong: str, right: str) -> None:
    """A ``gridgov … tallies [--rebuild]`` command: recount first if asked, print each disagreement, fail with
    ``wrong`` (given ``%(count)d``) if any, else say ``right``."""
    from django.core.management.base import CommandError

    if rebuild:
        recount()
    found = disagreements()
    for line in found:
        command.stdout.write(line)
    if found:
        raise CommandError(wrong % {"count": len(found)})
    command.stdout.write(right)
