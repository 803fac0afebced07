"""Indexes behind package_search (opendata/search.py), PostgreSQL only: full-text over the datasets' texts,
tags, the default order, and formats. Built CONCURRENTLY (no lock on the catalogue); SQLite does without.
"""
from django.db import migrations

# The expression must stay identical to search.DOCUMENT, or PostgreSQL will not use the index.
DOCUMENT = ("to_tsvector('simple'::regconfig, slug || ' ' || title_en || ' ' || title_ru || ' ' || title_kk || ' ' || "
            "description_en || ' ' || description_ru || ' ' || description_kk || ' ' || source || ' ' || (tags)::text)")

INDEXES = {
    "opendata_dataset_search": f"opendata_dataset USING gin (({DOCUMENT}))",
    "opendata_dataset_tags": "opendata_dataset USING gin (tags jsonb_path_ops)",
    "opendata_dataset_modified": "opendata_dataset (modified_at DESC, slug)",
    "opendata_resource_format": "opendata_resource (format, dataset_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("opendata", "0002_resource_link_check")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
