"""Migration operations the apps share. Foundation: it imports no app.

``AddIndexConcurrently`` adds an index to a table that may already be big on a running installation: on
PostgreSQL with ``CREATE INDEX CONCURRENTLY`` (writers are not blocked while it builds; it cannot run in a
transaction, so the migration using it sets ``atomic = False``), elsewhere (SQLite: one writer anyway) as
``AddIndex`` does. ``django.contrib.postgres.operations.AddIndexConcurrently`` would refuse SQLite.
"""

from django.db import migrations


class AddIndexConcurrently(migrations.AddIndex):
    """``AddIndex``, concurrently on PostgreSQL (the migration must be ``atomic = False``)."""

    def _concurrently(self, schema_editor) -> bool:
        if schema_editor.connection.vendor != "postgresql":
            return False
        if schema_editor.connection.in_atomic_block:
            raise RuntimeError("AddIndexConcurrently needs a migration with atomic = False.")
        return True

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if self._concurrently(schema_editor):
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if self._concurrently(schema_editor):
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"
