"""Site admins see every person's API tokens in Django admin and revoke them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["api.view_apitoken", "api.change_apitoken"]


def grant(apps, schema_editor):
    api = apps.get_app_config("api")
    api.models_module = True
    create_permissions(api, apps=apps, verbosity=0)
    api.models_module = None
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
        ("dashboards", "0005_site_admins_webhooks"),
        ("api", "0001_api_tokens"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
