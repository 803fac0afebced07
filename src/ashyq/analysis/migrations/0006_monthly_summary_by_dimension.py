# The comparison of bodies reads every body's cause and handling counts of the months (analysis/reports.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0005_monthly_summary"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="monthlycount",
            index=models.Index(fields=["dimension", "month"], name="analysis_monthly_dimension"),
        ),
    ]
