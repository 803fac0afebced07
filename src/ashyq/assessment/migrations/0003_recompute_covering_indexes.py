"""Covering indexes for the full recomputation (`recompute_scores`, docs/benchmarks.md), PostgreSQL only.

Its aggregate queries read a few narrow columns of every appeal, answer and stay event; with these
indexes PostgreSQL reads them by index-only scans instead of the wide tables (texts included), about
a tenth of the pages. Built CONCURRENTLY (no lock on the dialogue's tables); SQLite does without.
"""
from django.db import migrations

INDEXES = {
    "assessment_appeal_facts": "dialogue_appeal (id) INCLUDE (received_on, registered_at, applicant_id, "
                               "addressed_body_id, region_id, status, body_id)",
    "assessment_answer_facts": "dialogue_answer (appeal_id) INCLUDE (body_id, answered_at, answered_on_time, outcome)",
    "assessment_event_stays": "dialogue_appealevent (appeal_id, seq) INCLUDE (to_body_id, at) "
                              "WHERE kind IN ('registered', 'redirected') AND to_body_id IS NOT NULL",
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
    dependencies = [
        ("assessment", "0002_open_due"),
        ("dialogue", "0007_assessment_refresh_indexes"),
    ]
    operations = [migrations.RunPython(create, drop, elidable=False)]
