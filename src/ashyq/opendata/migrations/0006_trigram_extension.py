"""pg_trgm on PostgreSQL: the datastore's trigram index over each table's row text, which datastore_search's `q`
reads (datastore.build_indexes builds it after each load). A trusted extension since PostgreSQL 13, so the
database's owner can create it; it ships in PostgreSQL's contrib, which the usual packages install. Kept on
rollback (other objects may use it). SQLite does without.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0005_upload_jobs")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
