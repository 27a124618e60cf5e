"""Demo companies and people, after the example in the source article."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission

from .models import ApprovalMode, Company, User
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


def seed_companies() -> dict[str, User]:
    companies = {}
    for slug, name in COMPANIES:
        companies[slug], _ = Company.objects.get_or_create(
            slug=slug, defaults={"name": name, "approval_mode": ApprovalMode.RESPECTIVE}
        )
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
