"""Site admins see invitations, send them again and withdraw them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["accounts.view_invitation", "accounts.change_invitation"]


def grant(apps, schema_editor):
    accounts = apps.get_app_config("accounts")
    accounts.models_module = True
    create_permissions(accounts, apps=apps, verbosity=0)
    accounts.models_module = None
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
        ("dashboards", "0003_site_admins_plan_delegations"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
