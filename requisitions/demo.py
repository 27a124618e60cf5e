"""Acme's demo requisition lists: one shared with the company, one private."""

from companies.models import User
from orders.services import LineRequest

from .models import RequisitionList
from .services import requisition_create

LISTS = [
    (
        "buyer1@acme.example",
        "Monthly office supplies",
        True,
        [("PAP-4001", 10), ("PEN-4005", 2), ("NOT-4006", 3), ("TON-3007", 2), ("KIT-8001", 6)],
    ),
    (
        "buyer1@acme.example",
        "New starter desk",
        False,
        [("CHR-1001", 1), ("MON-3002", 2), ("DOC-3003", 1), ("KEY-3004", 1), ("HDS-3005", 1)],
    ),
]


def seed_requisition_lists(people: dict[str, User]) -> int:
    made = 0
    for email, name, shared, lines in LISTS:
        owner = people[email]
        if RequisitionList.objects.filter(owner=owner, name=name).exists():
            continue
        requisition_create(
            owner=owner,
            name=name,
            is_shared=shared,
            lines=[LineRequest(sku=s, quantity=q) for s, q in lines],
        )
        made += 1
    return made
