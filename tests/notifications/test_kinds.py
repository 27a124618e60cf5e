"""Kinds of email and webhook events are registered in code by the app that owns them:
a new one is one registration and one announcement in that app, and no migration."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from notifications import kinds
from notifications.announce import About, Email, Event, announce
from notifications.forms import PreferencesForm
from notifications.kinds import CONTACTS, STAFF, email_kind, optional_email_kinds, webhook_event
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.rendering import render_email
from notifications.selectors import email_kinds_for
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """The kinds as the apps registered them; what a test adds is gone after it."""
    monkeypatch.setattr(kinds, "_email_kinds", dict(kinds._email_kinds))
    monkeypatch.setattr(kinds, "_event_types", dict(kinds._event_types))


def test_every_app_registered_its_kinds_once_django_started():
    assert [kind.value for kind in kinds.email_kinds()] == [
        # orders
        "order_approved",
        "order_rejected",
        "order_changes",
        "order_edited",
        "order_cancelled",
        # approvals
        "order_waiting",
        "approval_reminder",
        "approval_delegated",
        "approval_overdue",
        # quotations
        "quote_requested",
        "quote_edited",
        "quote_offered",
        "quote_message",
        "quote_withdrawn",
        "quote_accepted",
        "quote_rejected",
        "quote_expiring",
        "quote_expired",
        # accounts
        "invitation",
        "password_reset",
    ]
    assert kinds.webhook_event_values() == [
        "order.placed",
        "order.approved",
        "order.rejected",
        "order.cancelled",
        "order.fulfilled",
        "quote.requested",
        "quote.offered",
        "quote.accepted",
    ]
    # decision requests and a person's own account: always emailed
    assert {kind.value for kind in kinds.email_kinds() if kind.always_emailed} == {
        "order_waiting",
        "order_changes",
        "invitation",
        "password_reset",
    }


def test_each_side_chooses_among_its_kinds_in_the_order_the_page_lists_them():
    assert optional_email_kinds(side=CONTACTS) == (
        "order_approved",
        "order_rejected",
        "order_edited",
        "order_cancelled",
        "approval_reminder",
        "approval_delegated",
        "quote_offered",
        "quote_message",
        "quote_rejected",
        "quote_expiring",
        "quote_expired",
    )
    assert optional_email_kinds(side=STAFF) == (
        "order_edited",
        "order_cancelled",
        "approval_reminder",
        "approval_overdue",
        "quote_requested",
        "quote_edited",
        "quote_message",
        "quote_withdrawn",
        "quote_accepted",
    )


def test_a_new_kind_of_email_is_registered_announced_and_offered_without_a_migration(registry):
    # given an app registering a kind of email and a webhook event of its own
    shipped = email_kind(
        "order_shipped",
        label=gettext_lazy("Order shipped"),
        lead=gettext_lazy("Your order {number} left the warehouse."),
        button=gettext_lazy("Track it"),
        optional_for=[CONTACTS],
    )
    event = webhook_event("order.shipped", label=gettext_lazy("Order shipped"))
    buyer = BuyerFactory()
    WebhookEndpoint.objects.create(name="ERP", url="http://127.0.0.1:9/", events=[event])

    # when it announces them
    written = announce(
        Email(
            kind=shipped,
            recipients=[buyer],
            key="order_shipped:1",
            subject="Your order PO-000001 was shipped",
            about=About(buyer.company_id, "PO-000001", "/orders/PO-000001/"),
            facts={"number": "PO-000001"},
        ),
        Event(type=event, key="order.shipped:1", reference="PO-000001", data=lambda: {"n": 1}),
    )

    # then the buyer is told with its words, receivers get it, and the schema needs nothing
    assert written == 2
    row = Notification.objects.get(kind="order_shipped")
    assert "Your order PO-000001 left the warehouse." in render_email(row).body
    assert row.get_kind_display() == "Order shipped"  # the inbox's and the admin's label
    assert WebhookDelivery.objects.get().get_event_display() == "Order shipped"
    form = PreferencesForm(kinds=email_kinds_for(user=buyer))
    assert ("order_shipped", "Order shipped") in form.fields["emailed"].choices
    assert "order_shipped" not in email_kinds_for(user=StaffFactory())
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())  # exits if any


def test_a_kind_nobody_registered_is_refused_and_nothing_is_written():
    buyer = BuyerFactory()

    with pytest.raises(LookupError):
        announce(
            Email(
                kind="order_teleported",
                recipients=[buyer],
                key="x",
                subject="x",
                about=About(buyer.company_id),
            )
        )
    with pytest.raises(LookupError):
        announce(Event(type="order.teleported", key="x", reference="x", data=dict))

    assert not Notification.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_value_taken_by_another_kind_is_refused(registry):
    with pytest.raises(ImproperlyConfigured):
        email_kind("order_approved", label="Shipped", lead="Shipped.", button="See")
    with pytest.raises(ImproperlyConfigured):
        webhook_event("order.placed", label="Something else")
    with pytest.raises(ImproperlyConfigured):
        email_kind("x" * 31, label="Too long", lead="", button="")
    with pytest.raises(ImproperlyConfigured):
        email_kind("order_audited", label="Audited", lead="", button="", optional_for=["auditors"])

    assert kinds.email_kind_for("order_approved").label == "Order approved"
    assert kinds.webhook_event_for("order.placed").label == "Order placed"
