import django.db.models.deletion
import hashlib

from django.db import migrations, models


def move_signer_details(apps, schema_editor):
    """Each signature's personal facts move to its own SignerDetails row; the signature gains the fingerprint of the
    text it signed (the appeal's or the answer's, normalised as core.eds signs it)."""
    Signature = apps.get_model("dialogue", "Signature")
    SignerDetails = apps.get_model("dialogue", "SignerDetails")
    Answer = apps.get_model("dialogue", "Answer")
    for signature in Signature.objects.select_related("appeal").iterator():
        if signature.signed == "answer":
            text = Answer.objects.filter(appeal_id=signature.appeal_id).values_list("text", flat=True).first() or ""
        else:
            text = signature.appeal.text
        normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        Signature.objects.filter(pk=signature.pk).update(text_sha256=hashlib.sha256(normalised.encode("utf-8")).hexdigest())
        SignerDetails.objects.create(
            signature_id=signature.pk,
            cms=bytes(signature.cms),
            signer_name=signature.signer_name,
            organisation=signature.organisation,
            certificate_serial=signature.certificate_serial,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0015_signatures"),
    ]

    operations = [
        migrations.CreateModel(
            name="SignerDetails",
            fields=[
                (
                    "signature",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="details",
                        serialize=False,
                        to="dialogue.signature",
                    ),
                ),
                ("cms", models.BinaryField(blank=True, default=b"")),
                ("signer_name", models.CharField(blank=True, max_length=300)),
                ("organisation", models.CharField(blank=True, max_length=300)),
                ("certificate_serial", models.CharField(blank=True, max_length=80)),
                ("phone_hash", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "verbose_name": "signer's details",
                "verbose_name_plural": "signers' details",
            },
        ),
        migrations.AlterModelOptions(
            name="signature",
            options={"ordering": ["appeal", "event"], "verbose_name": "signature", "verbose_name_plural": "signatures"},
        ),
        migrations.AddField(
            model_name="signature",
            name="method",
            field=models.CharField(
                choices=[("eds", "digital signature (EDS)"), ("sms", "one-time code by SMS")], default="eds", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="signature",
            name="text_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="appealevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("registered", "registered"),
                    ("executor_assigned", "executor assigned"),
                    ("redirected", "redirected"),
                    ("extended", "deadline extended"),
                    ("answered", "answered"),
                    ("feedback", "applicant's feedback"),
                    ("complained", "complaint about the answer filed"),
                    ("withdrawn", "withdrawn"),
                    ("published", "published after moderation"),
                    ("publication_refused", "publication refused by moderation"),
                    ("answer_published", "answer published after moderation"),
                    ("hidden", "hidden pending review"),
                    ("restored", "restored after review"),
                    ("reasons_published", "officials' reasons published after moderation"),
                    ("signed", "signed"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="signature",
            name="valid_from",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="signature",
            name="valid_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(move_signer_details, migrations.RunPython.noop),
    ]
