"""The site admins' role: a group of permissions, so staff see and do only what it grants.

A staff account alone opens Django admin and nothing else; the work of a site
admin is granted by the "Site admins" group (created by a migration, kept in
step by ``site_admins_group_sync``), or permission by permission.
Permissions are named by strings: the apps that define them sit above this one.
"""

SITE_ADMINS_GROUP = "Site admins"

# The portal's own site-admin work.
OVERSEE_ORDERS = "orders.oversee_orders"
FULFIL_ORDERS = "orders.fulfil_orders"
DECIDE_FOR_SITE_ADMINS = "approvals.decide_for_site_admins"
USE_QUOTE_DESK = "quotations.use_quote_desk"

SITE_ADMIN_PERMISSIONS = [
    OVERSEE_ORDERS,
    FULFIL_ORDERS,
    DECIDE_FOR_SITE_ADMINS,
    USE_QUOTE_DESK,
    # Configuration in Django admin: companies, contacts, products, approval tiers.
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
    # Planning an approver's time away for them.
    "approvals.view_delegation",
    "approvals.add_delegation",
    # Reading what happened, and sending failed emails again.
    "orders.view_order",
    "quotations.view_quote",
    "notifications.view_notification",
    "notifications.change_notification",
    # Webhooks: registering the receivers, the delivery log, re-sending a delivery.
    "notifications.view_webhookendpoint",
    "notifications.add_webhookendpoint",
    "notifications.change_webhookendpoint",
    "notifications.delete_webhookendpoint",
    "notifications.view_webhookdelivery",
    "notifications.change_webhookdelivery",
    # Unlocking a login locked after too many failures (django-axes).
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    # Invitations: a contact added in Django admin gets one; sending it again, withdrawing it.
    "accounts.view_invitation",
    "accounts.change_invitation",
    # Revoking anybody's API token (its owner makes and revokes it on their account page).
    "api.view_apitoken",
    "api.change_apitoken",
]


def site_admins_group_sync(*, group_model, permission_model):
    """Create the group if needed and give it exactly ``SITE_ADMIN_PERMISSIONS``.

    Takes the models so that a migration can pass its historical ones.
    """
    group, _created = group_model.objects.get_or_create(name=SITE_ADMINS_GROUP)
    wanted = [name.split(".") for name in SITE_ADMIN_PERMISSIONS]
    permissions = [
        permission_model.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in wanted
    ]
    group.permissions.set(permissions)
    return group
