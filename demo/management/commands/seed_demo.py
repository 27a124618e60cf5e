from django.conf import settings
from django.core.management.base import BaseCommand

from approvals.demo import seed_approval_extras, seed_tiers, seed_waiting_orders
from catalog.demo import seed_products
from companies.demo import DEMO_PASSWORD, PEOPLE, seed_companies
from core import locks
from orders.demo import seed_orders, seed_webhooks
from quotations.demo import seed_quotes
from requisitions.demo import seed_requisition_lists


class Command(BaseCommand):
    help = (
        "Create the demo companies, people, products, tiers, orders, quotes and requisition "
        "lists. Safe to re-run."
    )

    def handle(self, *args, **options):
        with locks.batch():  # one transaction; the seed runs alone
            people = seed_companies()
            # Before the orders, switched off: nothing is posted until a site admin says where.
            seed_webhooks()
            products = seed_products()
            # Tiers first: every demo order is routed when it is placed.
            seed_tiers(people)
            orders = seed_orders(people)
            orders += seed_waiting_orders(people)
            quotes = seed_quotes(people)
            lists = seed_requisition_lists(people)
            # After the orders: a budget near its limit is set from what was spent.
            seed_approval_extras(people)
        self.stdout.write(
            f"Demo data ready ({products} new products, {orders} new orders, {quotes} new quotes, "
            f"{lists} new requisition lists)."
        )
        self.stdout.write(
            f"Log in at {settings.SITE_URL}/accounts/login/ with password '{DEMO_PASSWORD}' as:"
        )
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<28} {person.full_name} ({person.job_title})")
