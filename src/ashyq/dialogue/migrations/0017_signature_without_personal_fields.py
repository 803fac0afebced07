# A migration of its own: on PostgreSQL a table cannot be altered in the transaction that wrote rows referring to it
# (the foreign keys' deferred checks are still pending), so the old columns go after 0016 has moved their contents.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0016_signer_details"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="signature",
            name="certificate_serial",
        ),
        migrations.RemoveField(
            model_name="signature",
            name="cms",
        ),
        migrations.RemoveField(
            model_name="signature",
            name="organisation",
        ),
        migrations.RemoveField(
            model_name="signature",
            name="signer_name",
        ),
    ]
