"""Deciding from the email: signed links for one step, one approver, one version; a GET
decides nothing; one POST decides; every other use of a link says why it cannot."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from approvals.links import decision_link_token
from approvals.models import ApprovalStep, Decision, StepStatus
from approvals.notify import ORDER_WAITING
from notifications.models import Notification
from notifications.services import notification_send
from orders.models import Channel, OrderEvent, OrderStatus
from orders.notify import ORDER_CHANGES_REQUESTED
from orders.services import LineRequest, order_edit
from tests.approvals.factories import source_example

pytestmark = pytest.mark.django_db


def links_in_email(order, approver) -> dict[str, str]:
    """The decision links of the approval email the approver got, by decision."""
    row = Notification.objects.get(kind=ORDER_WAITING, recipient=approver, reference=order.number)
    notification_send(notification_id=row.pk)
    body = mail.outbox[-1].body
    urls = re.findall(r"(?:Approve|Reject|Ask for changes): (http\S+)", body)
    return dict(zip(["approve", "reject", "request_changes"], urls, strict=True))


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_an_approver_approves_from_the_email_in_two_clicks_without_logging_in(client):
    example = source_example()
    order = example.place("2500.00")
    links = links_in_email(order, example.approver1)

    # first click: the confirmation page, which changes nothing
    page = client.get(path_of(links["approve"]))
    assert page.status_code == 200
    assert order.number in page.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL

    # second click: approve
    done = client.post(path_of(links["approve"]), {"comment": ""})

    assert done.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    event = order.events.last()
    assert (event.actor, event.channel) == (example.approver1, Channel.EMAIL)
    assert "_auth_user_id" not in client.session  # the link granted no login


def test_a_link_is_good_once(client):
    example = source_example()
    order = example.place("2500.00")
    links = links_in_email(order, example.approver1)
    client.post(path_of(links["approve"]), {"comment": ""})

    again = client.post(path_of(links["reject"]), {"comment": "No"})

    assert again.status_code == 409
    assert "already decided" in again.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_a_link_for_an_order_that_changed_decides_nothing(client):
    example = source_example()
    order = example.place("2500.00")
    links = links_in_email(order, example.approver1)
    order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=2600)],
        seen_version=order.version,
    )

    response = client.post(path_of(links["approve"]), {"comment": ""})

    assert response.status_code == 409
    assert "changed since this email was sent" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL


def test_a_tampered_or_expired_link_decides_nothing(client, settings):
    example = source_example()
    order = example.place("2500.00")
    step = ApprovalStep.objects.get(order=order, status=StepStatus.OPEN)
    good = decision_link_token(
        step_id=step.pk, approver_id=example.approver1.pk, version=order.version, decision="approve"
    )
    forged = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")

    assert client.post(reverse("approvals:email_decision", args=[forged])).status_code == 400
    settings.APPROVAL_LINK_HOURS = 0  # any link is too old now
    expired = client.post(reverse("approvals:email_decision", args=[good]))
    assert expired.status_code == 410
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL


def test_another_persons_link_while_logged_in_decides_nothing(client):
    example = source_example()
    order = example.place("2500.00")
    links = links_in_email(order, example.approver1)
    client.force_login(example.approver2)

    response = client.post(path_of(links["approve"]), {"comment": ""})

    assert response.status_code == 403
    assert "sent to" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL


def test_rejecting_or_asking_for_changes_needs_a_comment(client):
    example = source_example()
    order = example.place("2500.00")
    links = links_in_email(order, example.approver1)

    response = client.post(path_of(links["request_changes"]), {"comment": "  "})

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL
    done = client.post(path_of(links["request_changes"]), {"comment": "Fewer chairs, please."})
    assert done.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.CHANGES_REQUESTED


def test_a_company_that_asks_for_a_login_gets_the_login_page_first(client):
    example = source_example()
    example.company.approval_links_need_login = True
    example.company.save()
    order = example.place("2500.00")
    links = links_in_email(order, example.approver1)

    response = client.get(path_of(links["approve"]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    client.force_login(example.approver1)
    assert client.post(path_of(links["approve"]), {"comment": ""}).status_code == 200
    assert OrderEvent.objects.filter(order=order, channel=Channel.EMAIL).exists()


def test_a_decision_from_the_portal_asks_for_changes_and_the_buyer_is_told(client):
    example = source_example()
    order = example.place("2500.00")
    step = ApprovalStep.objects.get(order=order, status=StepStatus.OPEN)
    client.force_login(example.approver1)

    client.post(
        reverse("approvals:decide", args=[order.number]),
        {
            "step": step.pk,
            "version": order.version,
            "decision": Decision.REQUEST_CHANGES,
            "comment": "Split it in two, please.",
        },
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.CHANGES_REQUESTED
    told = Notification.objects.get(kind=ORDER_CHANGES_REQUESTED)
    assert told.recipient == example.buyer
    assert "Split it in two" in told.context["quoted"]
