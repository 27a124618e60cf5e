"""Every refused form says why, where the person is looking, and changes nothing.

A form in a dialog (withdraw a quote, cancel an order) closes when it is sent, so
its refusal is said on top of the page the person is back on. A form on the page
itself (the desk's reject and accept as requested, an approver's decision) comes
back with the reason on the field it is about. Buttons that post only the version
seen (a list's delete, an invitation sent again) say it on top of the page.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.services import invitation_send
from approvals.models import StepStatus
from orders.models import OrderEvent, OrderStatus
from quotations.models import QuoteEvent, QuoteStatus
from requisitions.models import RequisitionList
from tests.approvals.factories import source_example
from tests.factories import BuyerFactory, ProductFactory, place_order
from tests.quotations.factories import DeskStaffFactory, offer, request_quote
from tests.requisitions.factories import make_list

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 6_000


def alerts(html: str) -> list[str]:
    """The texts of the page's error alerts (the messages on top of it, and forms')."""
    found = re.findall(r'<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip() for text in found]


def form_posting_to(html: str, url: str) -> str:
    """The HTML of the form on the page that posts to ``url``."""
    match = re.search(rf'<form[^>]*action="{re.escape(url)}"[^>]*>.*?</form>', html, re.S)
    assert match, f"no form posts to {url}"
    return match.group(0)


# --- dialogs: said on top of the page the person is back on ---------------------------


@pytest.fixture
def quote(buyer):
    return request_quote(buyer, (ProductFactory(), 5))


@pytest.mark.parametrize(
    ("sent", "why"),
    [
        ({"comment": TOO_LONG}, "A message can be at most 5,000 characters; this one has 6,000."),
        ({"comment": "why\x00"}, "Why (optional): Null characters are not allowed."),
        ({}, "This page is out of date or incomplete"),  # no version: a mangled page
    ],
)
def test_a_refused_withdrawal_says_why_on_top_of_the_quote(client, buyer, quote, sent, why):
    client.force_login(buyer)
    url = reverse("quotations:withdraw", args=[quote.number])
    data = {"version": quote.version, **sent} if sent else {}

    response = client.post(url, data, follow=True)

    assert response.redirect_chain == [(reverse("quotations:detail", args=[quote.number]), 302)]
    (said,) = alerts(response.content.decode())
    assert said.startswith(f"Quote {quote.number} was not withdrawn:")
    assert why in said
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REQUESTED
    assert not QuoteEvent.objects.filter(quote=quote, kind="withdrawn").exists()


@pytest.mark.parametrize(
    ("comment", "why"),
    [
        ("x" * 2_001, "Comment: Ensure this value has at most 2000 characters"),
        ("why\x00", "Comment: Null characters are not allowed."),
    ],
)
def test_a_refused_cancellation_says_why_on_top_of_the_order(client, buyer, comment, why):
    order = place_order(buyer, (ProductFactory(), 2))
    events = OrderEvent.objects.filter(order=order).count()
    client.force_login(buyer)

    response = client.post(
        reverse("orders:cancel", args=[order.number]),
        {"version": order.version, "comment": comment},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("orders:detail", args=[order.number]), 302)]
    (said,) = alerts(response.content.decode())
    assert said.startswith(why)
    order.refresh_from_db()
    assert order.status != OrderStatus.CANCELLED
    assert OrderEvent.objects.filter(order=order).count() == events


def test_a_cancellation_of_a_changed_order_says_so_on_top_of_it(client, buyer):
    order = place_order(buyer, (ProductFactory(), 2))
    client.force_login(buyer)

    response = client.post(
        reverse("orders:cancel", args=[order.number]),
        {"version": order.version + 1, "comment": ""},
        follow=True,
    )

    (said,) = alerts(response.content.decode())
    assert "changed" in said
    order.refresh_from_db()
    assert order.status != OrderStatus.CANCELLED


# --- forms on the page: the reason on the field ------------------------------------------


@pytest.fixture
def offered(buyer):
    product = ProductFactory()
    quote = request_quote(buyer, (product, 5, "9.00"))
    desk = DeskStaffFactory()
    return offer(quote, desk, {product: "10.00"}), desk


@pytest.mark.parametrize(
    ("reason", "why"), [(TOO_LONG, "at most 5,000 characters"), ("   ", "This field is required.")]
)
def test_the_desks_refused_rejection_is_marked_on_its_reason(client, offered, reason, why):
    quote, desk = offered
    client.force_login(desk)
    url = reverse("quotations:reject", args=[quote.number])

    response = client.post(url, {"version": quote.version, "reason": reason})

    assert response.status_code == 200
    form = form_posting_to(response.content.decode(), url)
    assert "is-invalid" in form and why in form
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OFFERED


def test_the_desks_refused_acceptance_as_requested_is_marked_on_its_message(client, buyer):
    quote = request_quote(buyer, (ProductFactory(), 5, "9.00"))
    desk = DeskStaffFactory()
    client.force_login(desk)
    url = reverse("quotations:accept_as_requested", args=[quote.number])

    response = client.post(url, {"version": quote.version, "message": TOO_LONG})

    assert response.status_code == 200
    form = form_posting_to(response.content.decode(), url)
    assert "is-invalid" in form and "at most 5,000 characters" in form
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REQUESTED


@pytest.mark.parametrize(
    ("decision", "comment", "why"),
    [
        ("reject", "", "Say why you reject the order: the buyer reads the comment."),
        ("request_changes", "", "Say what should change: the buyer reads the comment."),
        ("reject", "x" * 2_001, "Ensure this value has at most 2000 characters"),
        ("request_changes", "x" * 2_001, "Ensure this value has at most 2000 characters"),
    ],
)
def test_an_approvers_refused_decision_is_marked_on_its_comment(client, decision, comment, why):
    example = source_example()
    order = example.place(Decimal("2500.00"))
    step = order.approval_steps.get(status=StepStatus.OPEN)
    client.force_login(example.approver1)
    url = reverse("approvals:decide", args=[order.number])

    response = client.post(
        url,
        {"step": step.pk, "version": order.version, "decision": decision, "comment": comment},
    )

    assert response.status_code == 400
    form = form_posting_to(response.content.decode(), url)
    assert 'id="id_comment"' in form and "is-invalid" in form
    assert why in form
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL


def test_a_refused_bulk_rejection_says_why_on_top_of_the_queue(client):
    example = source_example()
    order = example.place(Decimal("2500.00"))
    step = order.approval_steps.get(status=StepStatus.OPEN)
    client.force_login(example.approver1)

    response = client.post(
        reverse("approvals:bulk_approve"),
        {"steps": f"{step.pk}:{order.version}", "decision": "reject", "comment": ""},
        follow=True,
    )

    (said,) = alerts(response.content.decode())
    assert said == "Say why you reject these orders: each buyer reads the comment."
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_APPROVAL


# --- buttons that post the version seen: on top of the page ------------------------------


def test_deleting_a_list_changed_meanwhile_says_so_on_top_of_it(client, buyer):
    requisition = make_list(buyer, (ProductFactory(), 1))
    client.force_login(buyer)

    response = client.post(
        reverse("requisitions:delete", args=[requisition.pk]),
        {"version": requisition.version + 1},
        follow=True,
    )

    (said,) = alerts(response.content.decode())
    assert "changed" in said
    assert RequisitionList.objects.filter(pk=requisition.pk).exists()


def test_an_invitation_changed_meanwhile_says_so_on_top_of_the_people_page(client, company):
    admin = BuyerFactory(company=company, is_company_admin=True)
    invitation = invitation_send(
        actor=admin, email="ivy@example.com", full_name="Ivy", company_id=company.pk
    )
    client.force_login(admin)

    response = client.post(
        reverse("accounts:revoke", args=[invitation.user_id]),
        {"version": invitation.version + 1},
        follow=True,
    )

    (said,) = alerts(response.content.decode())
    assert said
    invitation.refresh_from_db()
    assert invitation.status == "pending"
