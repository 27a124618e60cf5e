"""Site admins register webhook endpoints, read the delivery log and re-send deliveries."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "notifications.view_webhookendpoint",
    "notifications.add_webhookendpoint",
    "notifications.change_webhookendpoint",
    "notifications.delete_webhookendpoint",
    "notifications.view_webhookdelivery",
    "notifications.change_webhookdelivery",
]


def grant(apps, schema_editor):
    notifications = apps.get_app_config("notifications")
    notifications.models_module = True
    create_permissions(notifications, apps=apps, verbosity=0)
    notifications.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Site admins")
    for name in PERMISSIONS:
        app_label, codename = name.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0004_accounts_site_admins_invitations"),
        ("notifications", "0010_webhooks"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
