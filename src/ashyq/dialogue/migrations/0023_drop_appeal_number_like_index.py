"""Drop the second index PostgreSQL keeps on an appeal's number: Django adds a `varchar_pattern_ops` index beside a
unique text column's own, for `LIKE 'prefix%'`, and no query looks numbers up by prefix (they are read whole, by
the unique index; the admin's search is `%…%`, which no btree serves). One index less for every new appeal. Other
databases have no such index. Django drops it with IF EXISTS should the field ever change, so its absence is safe."""

from django.db import migrations

NAME = "dialogue_appeal_number_e2111dca_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON dialogue_appeal (number varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0022_drop_indexes_led_by_composites")]
    operations = [migrations.RunPython(drop, create, elidable=False)]
