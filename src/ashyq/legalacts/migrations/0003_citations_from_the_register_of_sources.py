"""Agreements' citations name a publication of Ashyq's register of sources (core.publications) instead of
copying its authors, title, journal, issue and year into every row."""
from django.db import migrations, models

# The publications the shipped register cited, by the title the rows carried.
KEYS = {
    "Some obstacles of bilateral business relations between Kazakhstan and China": "zhekenov-hu-orazakynkyzy",
    "“One belt, one way” a new model of regional cooperation": "one-belt-one-way-2019",
    "Kazakhstan and Uzbekistan: Expansion of Trade and Economic Cooperation": "makhambetaliyev-kosherbayev-2020",
    "Development of Cooperation Between Countries along the Silk Road Economic Belt During the Covid-19 Pandemic":
        "malibekova-2020",
    "Fergana Valley is a Space of Opportunity, Friendship and Good Neighbourhood": "mustafayev-2020",
}
# Locators that only repeated the article's pages, which the publication now gives.
PAGES_ONLY = {"pp. 17–26", "article from p. 52", "pp. 7–16"}


def name_publications(apps, schema_editor):
    Citation = apps.get_model("legalacts", "Citation")
    for citation in Citation.objects.all():
        key = KEYS.get(citation.title)
        if key is None:
            raise RuntimeError(f"citation {citation.pk} cites {citation.title!r}, which is not in the register of "
                               "sources: add it to ashyq/core/publications.py and to this migration's KEYS")
        citation.publication = key
        if citation.locator in PAGES_ONLY:
            citation.locator = ""
        citation.save(update_fields=["publication", "locator"])


class Migration(migrations.Migration):
    dependencies = [("legalacts", "0002_default_rule")]
    operations = [
        migrations.AddField(
            model_name="citation", name="publication",
            field=models.CharField(default="", help_text="Key of the publication in Ashyq's register of sources.", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(name_publications, migrations.RunPython.noop),
        migrations.RemoveField(model_name="citation", name="authors"),
        migrations.RemoveField(model_name="citation", name="title"),
        migrations.RemoveField(model_name="citation", name="journal"),
        migrations.RemoveField(model_name="citation", name="issue"),
        migrations.RemoveField(model_name="citation", name="year"),
        migrations.AlterField(
            model_name="citation", name="locator",
            field=models.CharField(blank=True, help_text="Page, table or passage, when more precise than the article's pages.", max_length=200),
        ),
    ]
