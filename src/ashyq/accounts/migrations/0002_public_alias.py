from django.db import migrations, models

import ashyq.accounts.models


def give_every_user_an_alias(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set()
    for user in User.objects.filter(public_alias__isnull=True).iterator():
        alias = ashyq.accounts.models.new_public_alias()
        while alias in taken or User.objects.filter(public_alias=alias).exists():
            alias = ashyq.accounts.models.new_public_alias()
        taken.add(alias)
        User.objects.filter(pk=user.pk).update(public_alias=alias)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(model_name="user", name="public_alias", field=models.CharField(max_length=12, null=True, editable=False)),
        migrations.RunPython(give_every_user_an_alias, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="public_alias",
            field=models.CharField(default=ashyq.accounts.models.new_public_alias, editable=False, max_length=12, unique=True),
        ),
    ]
