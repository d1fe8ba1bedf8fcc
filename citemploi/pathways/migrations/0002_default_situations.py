"""Load the default referential of situations (idempotent: existing codes are kept)."""

from django.db import migrations


def load(apps, schema_editor):
    from citemploi.pathways.situations import ensure_default_situations

    ensure_default_situations(apps.get_model("pathways", "Situation"))


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
