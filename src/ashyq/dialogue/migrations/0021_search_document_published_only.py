from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def published_rows_with_their_order(apps, schema_editor):
    # The search rows now exist for published appeals only (hidden or unpublished ones are removed, as
    # search.index_appeal does from now on) and carry the appeal's registration time, the search's order key.
    Appeal = apps.get_model("dialogue", "Appeal")
    SearchDocument = apps.get_model("dialogue", "SearchDocument")
    db = schema_editor.connection.alias
    published = Appeal.objects.using(db).filter(Q(is_public=True, published_at__isnull=False, hidden_at__isnull=True))
    SearchDocument.objects.using(db).exclude(appeal_id__in=published.values("pk")).delete()
    registered = Appeal.objects.using(db).filter(pk=OuterRef("appeal_id")).values("registered_at")[:1]
    SearchDocument.objects.using(db).update(registered_at=Subquery(registered))


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0020_appeal_inbox_all")]

    operations = [
        migrations.AddField(model_name="searchdocument", name="registered_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(published_rows_with_their_order, migrations.RunPython.noop),
        migrations.AlterField(model_name="searchdocument", name="registered_at", field=models.DateTimeField()),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["-registered_at", "-appeal"], name="search_document_recent"),
        ),
    ]
