import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from approvals.notify import APPROVAL_REMINDER, ORDER_WAITING
from notifications.models import (
    Notification,
    NotificationPreference,
    NotificationStatus,
)
from notifications.services import (
    SendResult,
    notification_enqueue,
    notification_resend,
    notification_send,
    notification_sweep,
)
from notifications.tasks import send_outbox_row
from orders.notify import ORDER_APPROVED, ORDER_REJECTED
from tests.factories import BuyerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


class RaisingBackend:
    """An SMTP server that answers every message with an error."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def enqueue(order, recipients, *, key="k1", actor=None, kind=ORDER_APPROVED):
    return notification_enqueue(
        kind=kind,
        recipients=recipients,
        key=key,
        subject=f"Your order {order.number} was approved",
        actor=actor,
        company_id=order.company_id,
        reference=order.number,
        path=f"/orders/{order.number}/",
        context={"number": order.number, "total": "$10.00", "path": f"/orders/{order.number}/"},
    )


def test_nobody_is_told_of_their_own_action_nor_another_companys_or_deactivated_people():
    order = OrderFactory()
    buyer = order.placed_by
    colleague = BuyerFactory(company=order.company)
    gone = BuyerFactory(company=order.company, is_active=False)
    stranger = BuyerFactory()
    admin = StaffFactory()

    rows = enqueue(order, [buyer, colleague, gone, stranger, admin], actor=buyer)

    assert {row.recipient for row in rows} == {colleague, admin}


def test_the_same_event_is_queued_once_per_person():
    order = OrderFactory()

    enqueue(order, [order.placed_by], key="order_approved:1:v2")
    enqueue(order, [order.placed_by], key="order_approved:1:v2")

    assert Notification.objects.count() == 1


def test_a_kind_switched_off_is_not_emailed_but_is_in_the_inbox(
    django_capture_on_commit_callbacks, mailoutbox
):
    order = OrderFactory()
    keen, quiet = BuyerFactory(company=order.company), BuyerFactory(company=order.company)
    NotificationPreference.objects.create(user=quiet, email_off=[APPROVAL_REMINDER])

    with django_capture_on_commit_callbacks(execute=True):
        reminders = enqueue(order, [keen, quiet], kind=APPROVAL_REMINDER)
        decisions = enqueue(order, [keen, quiet], key="k2", kind=ORDER_REJECTED)

    assert {row.recipient for row in reminders} == {keen, quiet}
    assert {row.recipient for row in decisions} == {keen, quiet}
    statuses = {
        (n.recipient, n.kind): n.status
        for n in Notification.objects.filter(pk__in=[r.pk for r in reminders + decisions])
    }
    assert statuses[(quiet, APPROVAL_REMINDER)] == NotificationStatus.INBOX_ONLY
    assert statuses[(keen, APPROVAL_REMINDER)] == NotificationStatus.SENT
    assert statuses[(quiet, ORDER_REJECTED)] == NotificationStatus.SENT
    assert sorted(m.to[0] for m in mailoutbox) == sorted([keen.email, keen.email, quiet.email])


def test_a_decision_request_is_emailed_whatever_the_preferences_say():
    order = OrderFactory()
    approver = BuyerFactory(company=order.company)
    # not offered on the page, but even written into the row it has no effect
    NotificationPreference.objects.create(user=approver, email_off=[ORDER_WAITING])

    (row,) = enqueue(order, [approver], kind=ORDER_WAITING)

    assert row.status == NotificationStatus.PENDING


def test_sending_renders_html_and_text_with_an_absolute_link(settings, mailoutbox):
    settings.SITE_URL = "https://portal.example.com"
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])

    assert notification_send(notification_id=row.pk) is SendResult.SENT

    (message,) = mailoutbox
    assert message.to == [order.placed_by.email]
    assert message.subject == f"Your order {order.number} was approved"
    assert f"https://portal.example.com/orders/{order.number}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://portal.example.com/orders/{order.number}/"' in html
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert row.sent_at is not None


def test_user_text_in_an_email_is_escaped(mailoutbox):
    order = OrderFactory()
    (row,) = notification_enqueue(
        kind=ORDER_REJECTED,
        recipients=[order.placed_by],
        key="x",
        subject="Rejected",
        company_id=order.company_id,
        reference=order.number,
        path=f"/orders/{order.number}/",
        context={"number": order.number, "quoted": "<script>alert(1)</script>", "quoted_by": "A"},
    )

    notification_send(notification_id=row.pk)

    html = mailoutbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_running_the_task_twice_for_one_row_mails_once(mailoutbox):
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])

    send_outbox_row.apply(args=["email", row.pk])
    send_outbox_row.apply(args=["email", row.pk])

    assert len(mailoutbox) == 1


def test_smtp_errors_count_attempts_then_the_row_fails_with_its_error(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RaisingBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])

    # in-process there is no inline retry: each sweep makes one attempt
    for attempt in (1, 2):
        send_outbox_row.apply(args=["email", row.pk])
        row.refresh_from_db()
        assert (row.status, row.attempts) == (NotificationStatus.PENDING, attempt)
    send_outbox_row.apply(args=["email", row.pk])

    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == 3
    assert "SMTPServerDisconnected" in row.last_error

    # a site admin sends it again once the server is back
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    assert notification_resend(notification_ids=[row.pk]) == 1
    send_outbox_row.apply(args=["email", row.pk])
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


def test_the_admin_action_resends_failed_notifications(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.FAILED, attempts=5, last_error="boom"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend", "_selected_action": [row.pk]},
        )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(mailoutbox) == 1
    assert (
        admin_client.get(
            reverse("admin:notifications_notification_changelist") + "?status=failed"
        ).status_code
        == 200
    )


def test_the_sweep_sends_what_is_still_pending_after_a_while(settings, mailoutbox):
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])  # its on-commit dispatch never ran

    assert notification_sweep() == 1

    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(mailoutbox) == 1
    assert notification_sweep() == 0


def test_people_see_only_their_own_notifications(client):
    order = OrderFactory()
    colleague = BuyerFactory(company=order.company)
    enqueue(order, [order.placed_by], key="mine")
    notification_enqueue(
        kind=ORDER_WAITING,
        recipients=[colleague],
        key="theirs",
        subject="Someone else's subject",
        company_id=order.company_id,
        reference=order.number,
        path=f"/orders/{order.number}/",
        context={},
    )
    client.force_login(order.placed_by)

    body = client.get(reverse("notifications:list")).content.decode()

    assert f"Your order {order.number} was approved" in body
    assert "Someone else&#x27;s subject" not in body and "Someone else's subject" not in body


def test_a_person_chooses_which_events_email_them(client):
    buyer = BuyerFactory()
    client.force_login(buyer)

    page = client.get(reverse("accounts:preferences")).content.decode()
    assert 'value="quote_offered"' in page and 'value="approval_reminder"' in page
    assert 'value="order_waiting"' not in page  # always emailed: not a choice
    assert 'value="quote_requested"' not in page  # the seller's side

    response = client.post(
        reverse("accounts:preferences"),
        {"emailed": ["order_approved", "order_rejected", "quote_offered"]},
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=buyer)
    assert set(preference.email_off) == {
        "order_edited",
        "order_cancelled",
        "approval_reminder",
        "approval_delegated",
        "quote_message",
        "quote_rejected",
        "quote_expiring",
        "quote_expired",
    }
    assert not preference.wants_email("approval_reminder")
    assert preference.wants_email("order_waiting")
    # and the page shows what they chose
    form = client.get(reverse("accounts:preferences")).context["form"]
    assert form.initial["emailed"] == ["order_approved", "order_rejected", "quote_offered"]


def test_a_site_admin_chooses_among_the_sellers_events(client):
    admin = StaffFactory()
    client.force_login(admin)

    client.post(reverse("accounts:preferences"), {"emailed": ["quote_requested"]})

    email_off = set(NotificationPreference.objects.get(user=admin).email_off)
    assert "quote_requested" not in email_off
    assert {"quote_message", "approval_overdue"} <= email_off
    assert "order_approved" not in email_off  # not a seller's event: untouched


def test_a_choice_that_is_not_offered_is_refused_and_changes_nothing(client):
    buyer = BuyerFactory()
    NotificationPreference.objects.create(user=buyer, email_off=["quote_expiring"])
    client.force_login(buyer)

    for crafted in (["order_waiting"], ["quote_requested"], ["no_such_kind"], ["\x00"]):
        response = client.post(reverse("accounts:preferences"), {"emailed": crafted})

        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert NotificationPreference.objects.get(user=buyer).email_off == ["quote_expiring"]
