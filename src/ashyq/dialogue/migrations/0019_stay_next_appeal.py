"""When the applicant next wrote to the answering body (AppealStay.next_appeal_at), backfilled for every answered
stay by stays.record_next_appeals(): set-based, one UPDATE ... FROM over a window of the answers and the appeals on
PostgreSQL (no lookup per answer), a correlated subquery elsewhere. A test holds it equal to what the services record.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from ashyq.dialogue.stays import record_next_appeals

    record_next_appeals(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('dialogue', '0018_appeal_stays'),
    ]

    operations = [
        migrations.AddField(
            model_name='appealstay',
            name='next_appeal_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
