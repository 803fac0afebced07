import datetime as dt

from django.db import migrations
from django.utils.translation import gettext_noop


def create_appc_regulation(apps, schema_editor):
    Regulation = apps.get_model("dialogue", "Regulation")
    Regulation.objects.get_or_create(
        version=1,
        defaults={
            # Stored in English, shown in the reader's language through the catalog (Regulation.__str__).
            "title": gettext_noop("Administrative Procedural and Process Code of the Republic of Kazakhstan (No. 350-VI)"),
            "legal_basis": (
                "Art. 76: consideration within 15 working days of registration; the head may extend it by a reasoned "
                "decision up to 2 months in total, telling the applicant. Art. 65: an appeal outside the body's "
                "competence is redirected to the competent body within 3 working days, telling the applicant."
            ),
            "effective_from": dt.date(2021, 7, 1),
            "answer_working_days": 15,
            "redirect_working_days": 3,
            "extension_max_months": 2,
            "very_overdue_working_days": 15,
            "soon_due_working_days": 3,
            "calendar_country": "KZ",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0001_initial")]
    operations = [migrations.RunPython(create_appc_regulation, migrations.RunPython.noop)]
