"""Indexes for the queue's name search (istartswith -> UPPER(col) LIKE 'X%').

PostgreSQL only: a text_pattern_ops index serves LIKE prefixes whatever the
database collation; SQLite (the embedded default) has no such operator class.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS dossier_last_name_prefix_idx ON candidates_dossier (UPPER(last_name) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS dossier_first_name_prefix_idx ON candidates_dossier (UPPER(first_name) text_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS dossier_last_name_prefix_idx",
    "DROP INDEX IF EXISTS dossier_first_name_prefix_idx",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("candidates", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
