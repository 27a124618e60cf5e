"""Drive Chromium through the main pages, on a desktop and a phone, and save PNGs for the README.

Run it on a fresh demo database (``make screenshots`` does): it serves the
portal on a free loopback port in a thread, logs in as each demo person and
photographs the pages they use most.
"""

import os
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

from benchmark.chromium import CHROMIUM_ARGS, CHROMIUM_PATH
from companies.demo import DEMO_PASSWORD
from orders.models import Order, OrderStatus
from quotations.models import Quote

PHONE = 360

# (file name, demo login, path or callable returning one, what it shows, width or None)
SHOTS = [
    ("01-buyer-dashboard", "buyer1@acme.example", "/", "Buyer dashboard", None),
    ("02-new-order", "buyer1@acme.example", "/orders/new/?sku=CHR-1001", "Quick order", None),
    ("03-approver-dashboard", "approver2@acme.example", "/", "Approver dashboard", None),
    ("04-approval-queue", "approver2@acme.example", "/approvals/", "Approval queue", None),
    ("05-order-decision", "approver2@acme.example", "waiting_order", "Deciding an order", None),
    ("06-quote-thread", "buyer1@acme.example", "offered_quote", "A quote negotiation", None),
    ("07-staff-dashboard", "admin@portal.example", "/", "Site admin dashboard", None),
    ("08-quote-desk", "admin@portal.example", "/quotes/desk/", "Quote desk", None),
    ("09-phone-approval-queue", "approver2@acme.example", "/approvals/", "Queue, phone", PHONE),
    ("10-phone-order-decision", "approver2@acme.example", "waiting_order", "Decide, phone", PHONE),
    ("11-phone-buyer-dashboard", "buyer1@acme.example", "/", "Buyer dashboard, phone", PHONE),
    ("12-phone-quote", "buyer1@acme.example", "offered_quote", "A quote, phone", PHONE),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def _waiting_order_path() -> str:
    order = (
        Order.objects.filter(
            status=OrderStatus.PENDING_APPROVAL,
            approval_steps__approvers__email="approver2@acme.example",
        )
        .order_by("created_at")
        .first()
    )
    return f"/approvals/orders/{order.number}/" if order else "/approvals/"


def _offered_quote_path() -> str:
    quote = (
        Quote.objects.filter(status="offered").order_by("created_at").first()
        or Quote.objects.first()
    )
    return f"/quotes/{quote.number}/" if quote else "/quotes/"


class Command(BaseCommand):
    help = "Seed the demo and save screenshots of the main pages to docs/screenshots/."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(settings.BASE_DIR / "docs" / "screenshots"))
        parser.add_argument("--width", type=int, default=1280)

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright

        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)

        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
        server.set_app(StaticFilesHandler(get_wsgi_application()))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        paths = {"waiting_order": _waiting_order_path, "offered_quote": _offered_quote_path}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
                current = None
                context = page = None
                for name, email, where, title, width in SHOTS:
                    width = width or options["width"]
                    if (email, width) != current:
                        if context:
                            context.close()
                        context = browser.new_context(
                            viewport={"width": width, "height": 860 if width > PHONE else 740},
                            device_scale_factor=1,
                        )
                        page = context.new_page()
                        page.goto(f"{base}/accounts/login/")
                        page.get_by_label("Email address").fill(email)
                        page.get_by_label("Password").fill(DEMO_PASSWORD)
                        page.get_by_role("button", name="Log in").click()
                        page.wait_for_load_state()
                        current = (email, width)
                    path = paths[where]() if where in paths else where
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    if target.is_relative_to(settings.BASE_DIR):
                        target = target.relative_to(settings.BASE_DIR)
                    self.stdout.write(f"{target}  {title}")
                browser.close()
        finally:
            server.shutdown()
