"""The inbox with closed appeals reads a body's appeals in due-date order from an index (docs/benchmarks.md).

On PostgreSQL the index is built CONCURRENTLY, so a large appeals table keeps taking new appeals meanwhile;
elsewhere it is an ordinary index.
"""

from django.db import migrations, models

NAME = "appeal_inbox_all"
INDEX = models.Index(fields=["body", "due_on", "registered_at", "id"], name=NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON dialogue_appeal (body_id, due_on, registered_at, id)"
        )
    else:
        schema_editor.add_index(apps.get_model("dialogue", "Appeal"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    else:
        schema_editor.remove_index(apps.get_model("dialogue", "Appeal"), INDEX)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("dialogue", "0019_stay_next_appeal")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="appeal", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
