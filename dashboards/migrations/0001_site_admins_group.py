"""The "Site admins" group: what a site admin may see and do (companies.roles).

Here, in the app above all others, because the group gathers every app's
permissions; they are created first, as they would be after migrating.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The list as it stood when this migration was written (later ones extend it).
PERMISSIONS = [
    "orders.oversee_orders",
    "orders.fulfil_orders",
    "approvals.decide_for_site_admins",
    "quotations.use_quote_desk",
    "companies.view_company",
    "companies.add_company",
    "companies.change_company",
    "companies.view_user",
    "companies.add_user",
    "companies.change_user",
    "catalog.view_product",
    "catalog.add_product",
    "catalog.change_product",
    "approvals.view_approvaltier",
    "approvals.add_approvaltier",
    "approvals.change_approvaltier",
    "approvals.delete_approvaltier",
    "orders.view_order",
    "quotations.view_quote",
    "notifications.view_notification",
    "notifications.change_notification",
]


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
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
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("companies", "0002_user_staff_idx"),
        ("catalog", "0001_initial"),
        ("orders", "0004_site_admin_permissions"),
        ("approvals", "0005_site_admin_permissions"),
        ("quotations", "0002_orders_know_their_quote_number"),
        ("notifications", "0002_notification_about_company"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
