"""Notifications name their company, number and link instead of pointing at orders and quotes.

The outbox sits below orders and quotes: it keeps what an email is about as the
recipient knows it, and no foreign key to the apps above it.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_about(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for row in Notification.objects.select_related("order", "quote").iterator():
        target = row.order or row.quote
        row.company_id = target.company_id
        row.reference = target.number or ""
        row.path = (row.context or {}).get("path", "")
        row.save(update_fields=["company", "reference", "path"])


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_user_staff_idx"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="company",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="companies.company",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="reference",
            field=models.CharField(blank=True, max_length=20, verbose_name="about"),
        ),
        migrations.AddField(
            model_name="notification",
            name="path",
            field=models.CharField(blank=True, max_length=200, verbose_name="link"),
        ),
        migrations.RunPython(fill_about, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="company",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="companies.company",
            ),
        ),
        migrations.RemoveConstraint(model_name="notification", name="notification_has_target"),
        migrations.RemoveField(model_name="notification", name="order"),
        migrations.RemoveField(model_name="notification", name="quote"),
    ]
