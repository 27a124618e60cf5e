"""One outbox engine: emails get the webhooks' backoff (next_attempt_at), and both
rows share the outbox's fields, statuses and indexes.

A delivered webhook is ``sent`` like an email (the delivery log still says
"Delivered"); its ``delivered_at`` is the outbox's ``sent_at``. A pending email
is due from when it was written; rows already sent or failed have no next attempt.
"""

import django.utils.timezone
from django.db import migrations, models


def statuses_forward(apps, schema_editor):
    delivery = apps.get_model("notifications", "WebhookDelivery")
    delivery.objects.filter(status="delivered").update(status="sent")
    notification = apps.get_model("notifications", "Notification")
    notification.objects.filter(status="pending").update(next_attempt_at=models.F("created_at"))


def statuses_backward(apps, schema_editor):
    delivery = apps.get_model("notifications", "WebhookDelivery")
    delivery.objects.filter(status="sent").update(status="delivered")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0010_webhooks"),
    ]

    operations = [
        migrations.RenameField(
            model_name="webhookdelivery", old_name="delivered_at", new_name="sent_at"
        ),
        # Added without a default, so that existing rows are not rewritten; the
        # pending ones get theirs below.
        migrations.AddField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next attempt"),
        ),
        migrations.RunPython(statuses_forward, statuses_backward),
        migrations.AlterField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="next attempt",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
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
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="next_attempt_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="next attempt",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Delivered"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RemoveIndex(model_name="notification", name="notification_pending_idx"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["next_attempt_at"],
                name="notification_pending_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(
                    ("status", "failed"),
                    models.Q(("attempts__gt", 0), ("status", "pending")),
                    _connector="OR",
                ),
                fields=["-id"],
                name="notification_stuck_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(
                    ("status", "failed"),
                    models.Q(("attempts__gt", 0), ("status", "pending")),
                    _connector="OR",
                ),
                fields=["-id"],
                name="webhook_stuck_idx",
            ),
        ),
    ]
