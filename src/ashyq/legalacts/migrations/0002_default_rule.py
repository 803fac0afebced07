import datetime as dt

from django.db import migrations
from django.utils.translation import gettext_noop

# Stored in English, shown in the reader's language through the catalog ({% translate rule.title %} and legal_basis).
LEGAL_BASIS = gettext_noop(
    "Law of the Republic of Kazakhstan of 6 April 2016 No. 480-V \"On legal acts\", article 18 (public discussion of "
    "drafts of normative legal acts on the Internet portal of open legal acts): at least 10 calendar days from "
    "publication. Law of the Republic of Kazakhstan of 15 April 2013 No. 88-V \"On public services\" (public "
    "discussion of draft standards of public services): at least 10 working days. The developer's report within 10 "
    "working days after the discussion closes is the term Ashyq applies; change it here by a new version when the "
    "rule says otherwise."
)


def create_default_rule(apps, schema_editor):
    DiscussionRule = apps.get_model("legalacts", "DiscussionRule")
    DiscussionRule.objects.get_or_create(version=1, defaults={
        "title": gettext_noop("Public discussion of drafts (2016)"), "legal_basis": LEGAL_BASIS, "effective_from": dt.date(2016, 4, 6),
        "min_calendar_days": 10, "standard_min_working_days": 10, "report_working_days": 10, "calendar_country": "KZ",
    })


class Migration(migrations.Migration):
    dependencies = [("legalacts", "0001_initial")]
    operations = [migrations.RunPython(create_default_rule, migrations.RunPython.noop)]
