"""The monthly summary the report pages read (analysis/summary.py), built from the analysis rows already there in
one set-based statement (seconds at a million appeals; docs/benchmarks.md)."""

from django.db import migrations, models


def build(apps, schema_editor):
    from ashyq.analysis import summary

    summary.rebuild(
        using=schema_editor.connection.alias,
        rows_model=apps.get_model("analysis", "AppealAnalysis"),
        summary_model=apps.get_model("analysis", "MonthlyCount"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0004_appeal_channel"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthlyCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("body_id", models.BigIntegerField()),
                ("month", models.DateField()),
                ("channel", models.CharField(max_length=20)),
                ("dimension", models.CharField(max_length=10)),
                ("value", models.CharField(blank=True, max_length=60)),
                ("n", models.IntegerField(default=0)),
                ("cause_confirmed", models.IntegerField(default=0)),
                ("sector_confirmed", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("body_id", "month", "channel", "dimension", "value"), name="analysis_monthly_key"
                    )
                ],
            },
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
