"""Site admins plan an approver's time away for them (approvals' delegations)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["approvals.view_delegation", "approvals.add_delegation"]


def grant(apps, schema_editor):
    approvals = apps.get_app_config("approvals")
    approvals.models_module = True
    create_permissions(approvals, apps=apps, verbosity=0)
    approvals.models_module = None
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
        ("dashboards", "0002_site_admins_unlock_logins"),
        ("approvals", "0007_delegation"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
