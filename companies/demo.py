"""Demo companies and people, after the example in the source article."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission

from .models import ApprovalMode, Company, CostCentre, DeliveryAddress, User
from .roles import site_admins_group_sync

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    job_title: str
    company_slug: str | None
    staff: bool = False
    company_admin: bool = False


PEOPLE = [
    DemoPerson("admin@portal.example", "Sam Seller", "Site admin", None, staff=True),
    DemoPerson("approver1@acme.example", "Alice Archer", "Team lead", "acme"),
    DemoPerson("approver2@acme.example", "Bob Brennan", "Head of purchasing", "acme"),
    DemoPerson("approver3@acme.example", "Carol Chen", "Finance director", "acme"),
    DemoPerson("buyer1@acme.example", "Dana Diaz", "Office manager", "acme", company_admin=True),
    DemoPerson("buyer2@acme.example", "Evan Ellis", "Warehouse lead", "acme"),
    DemoPerson("buyer@globex.example", "Grace Gill", "Purchaser", "globex"),
]

COMPANIES = [
    ("acme", "Acme Wholesale Ltd"),
    ("globex", "Globex Trading GmbH"),
]


# Acme's details for orders: a billing address, two delivery addresses, its VAT id, its
# payment terms and the cost centres its orders are charged to.
DETAILS = {
    "acme": {
        "billing_address": "Accounts payable\n100 Commerce Way\nSpringfield, IL 62701\nUSA",
        "vat_id": "US-EIN 12-3456789",
        "payment_terms": "30 days net",
    },
}
ADDRESSES = {
    "acme": [
        ("Head office", "Acme Wholesale Ltd\n100 Commerce Way\nSpringfield, IL 62701", True),
        ("Warehouse", "Acme Wholesale Ltd, Gate 4\n12 Dock Road\nSpringfield, IL 62703", False),
    ],
}
COST_CENTRES = {
    "acme": [("ADM-100", "Administration"), ("WHS-200", "Warehouse"), ("MKT-300", "Marketing")],
}


def seed_company_details(companies: dict[str, Company]) -> None:
    """Give the demo companies their details, once (a re-run keeps what was changed)."""
    for slug, details in DETAILS.items():
        company = companies[slug]
        if not company.vat_id:
            Company.objects.filter(pk=company.pk).update(**details)
    for slug, rows in ADDRESSES.items():
        if not DeliveryAddress.objects.filter(company=companies[slug]).exists():
            DeliveryAddress.objects.bulk_create(
                DeliveryAddress(company=companies[slug], label=label, address=text, is_default=d)
                for label, text, d in rows
            )
    for slug, rows in COST_CENTRES.items():
        if not CostCentre.objects.filter(company=companies[slug]).exists():
            CostCentre.objects.bulk_create(
                CostCentre(company=companies[slug], code=code, name=name) for code, name in rows
            )


def seed_companies() -> dict[str, User]:
    companies = {}
    for slug, name in COMPANIES:
        companies[slug], _ = Company.objects.get_or_create(
            slug=slug, defaults={"name": name, "approval_mode": ApprovalMode.RESPECTIVE}
        )
    seed_company_details(companies)
    people = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User(
                email=person.email,
                full_name=person.full_name,
                job_title=person.job_title,
                company=companies.get(person.company_slug) if person.company_slug else None,
                is_staff=person.staff,
                is_company_admin=person.company_admin,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        elif person.company_admin and not user.is_company_admin:
            # A demo database seeded before company administrators existed.
            user.is_company_admin = True
            user.save(update_fields=["is_company_admin"])
        if person.staff:
            # A site admin by the "Site admins" group, as a real one would be.
            user.groups.add(site_admins_group_sync(group_model=Group, permission_model=Permission))
        people[person.email] = user
    return people
