import django.db.models.deletion
from django.db import migrations, models


def build(apps, schema_editor):
    # The index of the public copies that exist already (search.py builds the same rows after every write).
    from ashyq.dialogue import search

    Appeal = apps.get_model("dialogue", "Appeal")
    SearchDocument = apps.get_model("dialogue", "SearchDocument")
    search.rebuild(Appeal, SearchDocument, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0008_answer_body_published_index")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("appeal", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                related_name="search_document", serialize=False, to="dialogue.appeal")),
                ("subject", models.TextField(blank=True)),
                ("text", models.TextField(blank=True)),
                ("answer", models.TextField(blank=True)),
                ("exact", models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
