"""The outbox's page in Django admin: what is stuck in every channel and why, sent again."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.services import webhook_enqueue
from tests.factories import BareStaffFactory, OrderFactory, StaffFactory
from tests.notifications.test_outbox import enqueue

pytestmark = pytest.mark.django_db

PAGE = "admin:notifications_outbox_stuck"


def email_in(status: str, **given) -> Notification:
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by], key=f"k{order.pk}")
    Notification.objects.filter(pk=row.pk).update(status=status, **given)  # a given
    return Notification.objects.get(pk=row.pk)


def delivery_in(status: str, **given) -> WebhookDelivery:
    endpoint = WebhookEndpoint.objects.first() or WebhookEndpoint.objects.create(
        name="ERP", url="https://erp.example.com/hooks"
    )
    key = f"d{WebhookDelivery.objects.count()}"
    (pk,) = webhook_enqueue(
        event="order.placed", key=key, reference="PO-1", data=dict, endpoints=[endpoint]
    )
    WebhookDelivery.objects.filter(pk=pk).update(status=status, **given)  # a given
    return WebhookDelivery.objects.get(pk=pk)


def waiting(**extra) -> dict:
    return {
        "attempts": 3,
        "last_error": "SMTPConnectError: (421, b'try again later')",
        "next_attempt_at": timezone.now() + timedelta(minutes=4),
        **extra,
    }


def shown(response) -> set[str]:
    """The rows the page offers to send again."""
    return {item["value"] for section in response.context["sections"] for item in section["rows"]}


def state(*rows) -> list[tuple]:
    return [
        type(row).objects.filter(pk=row.pk).values_list("status", "attempts", "last_error").get()
        for row in rows
    ]


def test_the_page_shows_what_failed_or_waits_in_every_channel_and_why(client):
    stuck_email = email_in(NotificationStatus.PENDING, **waiting())
    failed_email = email_in(NotificationStatus.FAILED, attempts=30, last_error="Refused")
    email_in(NotificationStatus.SENT, attempts=1)
    email_in(NotificationStatus.PENDING)  # just written: not stuck
    email_in(NotificationStatus.INBOX_ONLY)
    failed_hook = delivery_in(
        DeliveryStatus.FAILED, attempts=30, last_error="The receiver answered HTTP 500."
    )
    stuck_hook = delivery_in(DeliveryStatus.PENDING, **waiting(last_error="URLError: refused"))
    delivery_in(DeliveryStatus.DELIVERED, attempts=1)
    client.force_login(StaffFactory())

    response = client.get(reverse(PAGE))

    assert response.status_code == 200
    assert shown(response) == {
        f"email:{stuck_email.pk}",
        f"email:{failed_email.pk}",
        f"webhook:{failed_hook.pk}",
        f"webhook:{stuck_hook.pk}",
    }
    page = response.content.decode()
    for text in (
        stuck_email.subject,
        stuck_email.recipient.email,
        "SMTPConnectError: (421, b&#x27;try again later&#x27;)",
        "The receiver answered HTTP 500.",
        "URLError: refused",
        "order.placed PO-1 → ERP",
        reverse("admin:notifications_notification_change", args=[stuck_email.pk]),
        reverse("admin:notifications_webhookdelivery_change", args=[failed_hook.pk]),
    ):
        assert text in page
    # each channel's log links to the page
    for log in ("notification", "webhookdelivery"):
        listing = client.get(reverse(f"admin:notifications_{log}_changelist")).content.decode()
        assert reverse(PAGE) in listing


def test_the_page_costs_the_same_queries_for_few_and_many_stuck_rows(client):
    client.force_login(StaffFactory())

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(PAGE)).status_code == 200
        return len(ctx.captured_queries)

    email_in(NotificationStatus.FAILED, attempts=30)
    delivery_in(DeliveryStatus.FAILED, attempts=30)
    few = queries()
    for _ in range(10):
        email_in(NotificationStatus.PENDING, **waiting())
        delivery_in(DeliveryStatus.PENDING, **waiting())

    assert queries() == few


def test_a_site_admin_sends_the_selected_rows_again_now(client, django_capture_on_commit_callbacks):
    email = email_in(NotificationStatus.FAILED, attempts=30, last_error="Refused")
    hook = delivery_in(DeliveryStatus.PENDING, **waiting())
    other = email_in(NotificationStatus.FAILED, attempts=30, last_error="Refused")
    client.force_login(StaffFactory())

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse(PAGE), {"rows": [f"email:{email.pk}", f"webhook:{hook.pk}"]}, follow=True
        )

    assert response.redirect_chain == [(reverse(PAGE), 302)]
    assert "2 rows queued again." in response.content.decode()
    assert len(callbacks) == 2  # sent after commit, one dispatch per channel
    assert state(email, hook) == [
        (NotificationStatus.PENDING, 0, ""),
        (DeliveryStatus.PENDING, 0, ""),
    ]
    assert state(other) == [(NotificationStatus.FAILED, 30, "Refused")]
    email.refresh_from_db()
    assert email.next_attempt_at <= timezone.now()


def test_staff_see_and_send_again_only_the_channels_their_permissions_cover(client):
    email = email_in(NotificationStatus.FAILED, attempts=30, last_error="Refused")
    hook = delivery_in(DeliveryStatus.FAILED, attempts=30, last_error="HTTP 500")
    before = state(email, hook)
    webhooks_only = BareStaffFactory()
    webhooks_only.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_webhookdelivery", "change_webhookdelivery"])
    )
    client.force_login(webhooks_only)

    # they see the webhooks only
    assert shown(client.get(reverse(PAGE))) == {f"webhook:{hook.pk}"}

    # an email named anyway is refused, and nothing is sent again
    response = client.post(reverse(PAGE), {"rows": [f"email:{email.pk}", f"webhook:{hook.pk}"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert state(email, hook) == before

    # staff who may only look are offered nothing to send, and a post is forbidden
    readers = BareStaffFactory()
    readers.user_permissions.add(*Permission.objects.filter(codename="view_notification"))
    client.force_login(readers)
    page = client.get(reverse(PAGE))
    assert not any(section["may_resend"] for section in page.context["sections"])
    assert 'name="rows"' not in page.content.decode()
    assert client.post(reverse(PAGE), {"rows": [f"email:{email.pk}"]}).status_code == 403
    assert state(email, hook) == before


def test_staff_without_a_channel_and_anonymous_visitors_are_kept_out(client):
    email = email_in(NotificationStatus.FAILED, attempts=30)
    before = state(email)

    response = client.post(reverse(PAGE), {"rows": [f"email:{email.pk}"]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(BareStaffFactory())
    assert client.get(reverse(PAGE)).status_code == 403
    assert client.post(reverse(PAGE), {"rows": [f"email:{email.pk}"]}).status_code == 403

    assert state(email) == before


@pytest.mark.parametrize(
    "rows",
    [[], ["email:abc"], ["fax:1"], ["email:²"], ["email:" + "9" * 30], ["email"], ["\x00"]],
)
def test_a_crafted_selection_is_refused_and_changes_nothing(client, rows):
    email = email_in(NotificationStatus.FAILED, attempts=30, last_error="Refused")
    before = state(email)
    client.force_login(StaffFactory())

    # a crafted value beside a good one: the whole selection is refused
    response = client.post(reverse(PAGE), {"rows": rows + [f"email:{email.pk}"] * bool(rows)})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert state(email) == before
