"""Drop the single-column indexes of seven foreign keys that a composite index already leads with (models.py says
which): every new appeal, event and stay wrote to each of them, and no query needs them. The fields' state changes
to db_index=False; the indexes are dropped by name, the same on PostgreSQL and SQLite, because Django's own
AlterField leaves them in place on PostgreSQL and rebuilds the whole table on SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name): Django's names for the indexes the fields below had.
INDEXES = [
    ("dialogue_appeal", "applicant_id", "dialogue_appeal_applicant_id_0d714a99"),
    ("dialogue_appeal", "body_id", "dialogue_appeal_body_id_c391cad0"),
    ("dialogue_appeal", "region_id", "dialogue_appeal_region_id_2141f0f3"),
    ("dialogue_appealevent", "appeal_id", "dialogue_appealevent_appeal_id_7ed4eec3"),
    ("dialogue_appealevent", "to_body_id", "dialogue_appealevent_to_body_id_25faed34"),
    ("dialogue_appealstay", "appeal_id", "dialogue_appealstay_appeal_id_824b9604"),
    ("dialogue_appealstay", "body_id", "dialogue_appealstay_body_id_b2d41ae0"),
]

PROTECT = django.db.models.deletion.PROTECT


class Migration(migrations.Migration):
    dependencies = [
        ("bodies", "0001_initial"),
        ("core", "0002_queue_worker"),
        ("dialogue", "0021_search_document_published_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appeal",
                    name="applicant",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=PROTECT,
                        related_name="appeals",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="appeal",
                    name="body",
                    field=models.ForeignKey(db_index=False, on_delete=PROTECT, related_name="appeals", to="bodies.body"),
                ),
                migrations.AlterField(
                    model_name="appeal",
                    name="region",
                    field=models.ForeignKey(db_index=False, on_delete=PROTECT, related_name="appeals", to="core.region"),
                ),
                migrations.AlterField(
                    model_name="appealevent",
                    name="appeal",
                    field=models.ForeignKey(db_index=False, on_delete=PROTECT, related_name="events", to="dialogue.appeal"),
                ),
                migrations.AlterField(
                    model_name="appealevent",
                    name="to_body",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=PROTECT, related_name="+", to="bodies.body"
                    ),
                ),
                migrations.AlterField(
                    model_name="appealstay",
                    name="appeal",
                    field=models.ForeignKey(db_index=False, on_delete=PROTECT, related_name="stays", to="dialogue.appeal"),
                ),
                migrations.AlterField(
                    model_name="appealstay",
                    name="body",
                    field=models.ForeignKey(db_index=False, on_delete=PROTECT, related_name="+", to="bodies.body"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
                for table, column, name in INDEXES
            ],
        )
    ]
