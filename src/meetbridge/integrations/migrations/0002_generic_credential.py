"""Credential becomes provider-neutral: the Google identifiers move into `public` (JSON).

Lossless both ways: forwards copies the four columns into `public` and the key id into
`secret_id` (the sealed envelope stays bound to the same text, so every stored key still
opens); backwards copies them out again.
"""

from django.db import migrations, models

GOOGLE_LENGTHS = {"client_email": 254, "client_id": 32, "project_id": 100, "private_key_id": 64}
GOOGLE_FIELDS = tuple(GOOGLE_LENGTHS)


def columns_to_public(apps, schema_editor):
    Credential = apps.get_model("integrations", "Credential")
    for credential in Credential.objects.all():
        credential.public = {name: getattr(credential, name) for name in GOOGLE_FIELDS}
        credential.secret_id = credential.private_key_id
        credential.provider = "google"  # the only provider there was
        credential.save(update_fields=["public", "secret_id", "provider"])


def public_to_columns(apps, schema_editor):
    Credential = apps.get_model("integrations", "Credential")
    for credential in Credential.objects.all():
        if credential.provider != "google":
            raise RuntimeError(
                "Cannot go back: a credential of another provider than Google is stored "
                f"(integration {credential.integration_id}); disconnect it first."
            )
        for name in GOOGLE_FIELDS:
            setattr(credential, name, credential.public.get(name, ""))
        credential.save(update_fields=list(GOOGLE_FIELDS))


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="credential",
            name="public",
            field=models.JSONField(
                default=dict,
                help_text="identifiers that may be shown, validated by the provider's conf",
            ),
        ),
        migrations.AddField(
            model_name="credential",
            name="provider",
            field=models.CharField(default="", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="credential",
            name="secret_id",
            field=models.CharField(
                default="",
                help_text="names the secret without revealing it; the seal is bound to it",
                max_length=128,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="credential",
            name="expires_at",
            field=models.DateTimeField(
                blank=True, null=True, help_text="when the credential stops working by itself"
            ),
        ),
        migrations.RunPython(columns_to_public, public_to_columns),
        # Defaults first, so that going back can add the columns again to a table with rows.
        *[
            migrations.AlterField(
                model_name="credential",
                name=name,
                field=models.CharField(default="", max_length=length),
            )
            for name, length in GOOGLE_LENGTHS.items()
        ],
        migrations.RemoveField(model_name="credential", name="client_email"),
        migrations.RemoveField(model_name="credential", name="client_id"),
        migrations.RemoveField(model_name="credential", name="project_id"),
        migrations.RemoveField(model_name="credential", name="private_key_id"),
        migrations.RenameField(
            model_name="credential", old_name="sealed_key", new_name="sealed_secret"
        ),
        migrations.AlterField(
            model_name="credential",
            name="sealed_secret",
            field=models.TextField(help_text="the whole secret, encrypted (Fernet)"),
        ),
        migrations.AlterField(
            model_name="integration",
            name="provider",
            field=models.CharField(max_length=20),
        ),
    ]
