"""Notifications become an inbox: read or unread, and a choice of kinds per person for email.

Entries written before the inbox existed were emailed already: they start read,
so nobody meets a badge of their whole history. A person who had switched
reminders off keeps them off, now as two kinds of the new list.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

REMINDER_KINDS = ["approval_reminder", "quote_expiring"]


def start_read(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(read_at__isnull=True).update(read_at=F("created_at"))


def reminders_to_kinds(apps, schema_editor):
    Preference = apps.get_model("notifications", "NotificationPreference")
    Preference.objects.filter(reminders=False).update(email_off=REMINDER_KINDS)


def kinds_to_reminders(apps, schema_editor):
    Preference = apps.get_model("notifications", "NotificationPreference")
    for preference in Preference.objects.all():
        preference.reminders = not set(REMINDER_KINDS) & set(preference.email_off)
        preference.save(update_fields=["reminders"])


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_user_staff_idx"),
        ("notifications", "0003_notification_claim"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="read at"),
        ),
        migrations.RunPython(start_read, migrations.RunPython.noop),
        migrations.AddField(
            model_name="notificationpreference",
            name="email_off",
            field=models.JSONField(blank=True, default=list, verbose_name="not emailed"),
        ),
        migrations.RunPython(reminders_to_kinds, kinds_to_reminders),
        migrations.RemoveField(
            model_name="notificationpreference",
            name="reminders",
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("inbox_only", "Not emailed"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["recipient", "-id"],
                name="notification_unread_idx",
            ),
        ),
    ]
