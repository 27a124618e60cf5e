"""Site admins unlock logins that django-axes locked after too many failures."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["axes.view_accessattempt", "axes.delete_accessattempt"]


def grant(apps, schema_editor):
    axes = apps.get_app_config("axes")
    axes.models_module = True
    create_permissions(axes, apps=apps, verbosity=0)
    axes.models_module = None
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
        ("dashboards", "0001_site_admins_group"),
        ("axes", "0009_add_session_hash"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
