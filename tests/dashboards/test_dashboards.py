from datetime import timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalStep, Decision, StepApprover
from approvals.services import approval_step_decide
from orders.models import OrderStatus
from orders.selectors import month_start, order_spend_this_month
from orders.services import order_cancel, order_fulfil
from quotations.models import QuoteStatus
from tests.approvals.factories import ApprovalTierFactory, waiting_orders
from tests.factories import (
    BareStaffFactory,
    BuyerFactory,
    CompanyFactory,
    OrderFactory,
    ProductFactory,
    StaffFactory,
    place_order,
)
from tests.quotations.factories import DeskStaffFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def _opened(order, at):
    """Move when an order's open step opened (the step and its approver links)."""
    ApprovalStep.objects.filter(order=order).update(opened_at=at)
    if any(f.name == "opened_at" for f in StepApprover._meta.fields):
        StepApprover.objects.filter(step__order=order).update(opened_at=at)


def _approver():
    tier = ApprovalTierFactory()
    return tier.approver


def test_a_buyer_sees_the_buyer_sections_only(client, buyer):
    client.force_login(buyer)

    body = client.get(reverse("home")).content.decode()

    assert 'id="buyer-dashboard"' in body
    assert 'id="approver-dashboard"' not in body
    assert 'id="nav-approvals"' not in body
    assert "Site admin dashboard" not in body
    for url in ("catalog:list", "orders:create", "orders:list", "quotations:list"):
        assert f'href="{reverse(url)}"' in body
    assert f'href="{reverse("quotations:create")}"' in body
    assert f'href="{reverse("notifications:list")}"' in body
    assert "You have not placed an order yet." in body


def test_an_approver_who_also_buys_sees_both_with_the_queue_first(client):
    approver = _approver()
    orders = waiting_orders(2, approver=approver)
    client.force_login(approver)

    body = client.get(reverse("home")).content.decode()

    assert body.index('id="approver-dashboard"') < body.index('id="buyer-dashboard"')
    assert 'id="queue-count">2<' in body
    assert 'id="queue-total">$5,000.00<' in body
    assert orders[0].number in body
    assert f'href="{reverse("approvals:queue")}"' in body
    assert f'href="{reverse("approvals:history")}"' in body


def test_the_queue_on_the_dashboard_shows_the_oldest_first(client):
    approver = _approver()
    newer, older = waiting_orders(2, approver=approver)
    opened = timezone.now() - timedelta(days=2)
    ApprovalStep.objects.filter(order=older).update(opened_at=opened)
    StepApprover.objects.filter(step__order=older).update(opened_at=opened)  # its copy
    client.force_login(approver)

    body = client.get(reverse("home")).content.decode()

    queue = body[body.index('id="dash-queue"') :]
    assert queue.index(older.number) < queue.index(newer.number)
    assert 'id="queue-oldest">2' in body  # "2 days"


def test_quotes_waiting_for_the_buyer_are_counted_in_the_nav_and_listed(client, buyer):
    offered = QuoteFactory(company=buyer.company, status=QuoteStatus.OFFERED, lines=1)
    QuoteFactory(company=buyer.company, status=QuoteStatus.REQUESTED, lines=1)
    QuoteFactory(status=QuoteStatus.OFFERED, lines=1)  # another company's
    client.force_login(buyer)

    body = client.get(reverse("home")).content.decode()

    assert 'id="quotes-waiting-count">1<' in body
    nav = body[body.index('id="nav-quotes"') :]
    assert nav[: nav.index("</a>")].count(">1<") == 1
    assert offered.number in body[body.index('id="dash-quotes"') :]


def test_spend_this_month_counts_my_company_only_and_leaves_out_cancelled_and_rejected(
    buyer, staff
):
    # given orders of every fate this month, another company's, and one of last month
    company = buyer.company
    cents = ProductFactory(unit_price=Decimal("0.05"))
    unit = ProductFactory(unit_price=Decimal("1.00"))
    place_order(buyer, (unit, 100))  # approved at once
    fulfilled = place_order(buyer, (cents, 1))
    order_fulfil(order_id=fulfilled.pk, actor=staff)
    cancelled = place_order(buyer, (unit, 1000))
    order_cancel(order_id=cancelled.pk, actor=buyer, seen_version=1)
    approver = ApprovalTierFactory(company=company, minimum=Decimal("500.00")).approver
    rejected = place_order(buyer, (unit, 700))  # waits for the approver, who rejects it
    approval_step_decide(
        step_id=rejected.approval_steps.get().pk,
        actor=approver,
        decision=Decision.REJECT,
        comment="Not this month.",
        seen_version=rejected.version,
    )
    place_order(BuyerFactory(), (unit, 999))  # another company
    with patch("django.utils.timezone.now", return_value=month_start() - timedelta(hours=1)):
        place_order(buyer, (unit, 50))  # last month

    spend = order_spend_this_month(company_id=company.pk)

    rejected.refresh_from_db()
    assert rejected.status == OrderStatus.REJECTED
    assert spend == Decimal("100.05")
    assert isinstance(spend, Decimal)


def test_spend_this_month_is_zero_without_orders_and_shown_with_the_currency(client, buyer):
    assert order_spend_this_month(company_id=buyer.company_id) == Decimal("0.00")
    place_order(buyer, (ProductFactory(unit_price=Decimal("1234.5")), 1))
    client.force_login(buyer)

    body = client.get(reverse("home")).content.decode()

    assert 'id="spend-this-month">$1,234.50<' in body


def test_site_admins_get_the_staff_dashboard(client):
    desk = DeskStaffFactory()
    company = CompanyFactory(name="Initech")
    waiting = QuoteFactory(company=company, status=QuoteStatus.REQUESTED, lines=1)
    OrderFactory.create_batch(2, company=company, total=Decimal("10.00"))
    OrderFactory(company=company, status=OrderStatus.CANCELLED, total=Decimal("500.00"))
    client.force_login(desk)

    body = client.get(reverse("home")).content.decode()

    assert "Site admin dashboard" in body
    assert 'id="buyer-dashboard"' not in body
    assert 'id="seller-quotes-count">1<' in body
    assert waiting.number in body
    volume = body[body.index('id="dash-volume"') :]
    assert "Initech" in volume
    assert 'data-label="Orders">2</td>' in volume
    assert "$20.00" in volume
    for url in (
        "admin:index",
        "admin:companies_company_changelist",
        "admin:companies_user_changelist",
        "admin:catalog_product_changelist",
        "admin:notifications_notification_changelist",
        "approvals:staff_queue",
        "quotations:desk",
    ):
        assert f'href="{reverse(url)}' in body


def test_the_staff_dashboard_lists_orders_needing_a_site_admin_and_overdue_approvals(
    client, settings
):
    settings.APPROVAL_REMINDER_HOURS = 24
    approver = _approver()
    fresh, late = waiting_orders(2, approver=approver)
    _opened(late, timezone.now() - timedelta(hours=30))
    orphan = waiting_orders(1, approver=_approver(), site_admin=True)[0]
    staff = BareStaffFactory()  # oversees orders and decides for site admins; no quote desk
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["oversee_orders", "decide_for_site_admins"])
    )
    client.force_login(staff)

    body = client.get(reverse("home")).content.decode()

    assert 'id="overdue-count">1<' in body
    overdue = body[body.index('id="dash-overdue"') :]
    overdue = overdue[: overdue.index("</ul>")]
    assert late.number in overdue and fresh.number not in overdue
    assert 'id="site-admin-count">1<' in body
    assert orphan.number in body[body.index('id="dash-site-admin"') :]
    assert 'id="dash-seller-quotes"' not in body  # not on the quote desk


def test_overdue_approvals_are_counted_up_to_a_bound(client, settings, monkeypatch):
    settings.APPROVAL_REMINDER_HOURS = 24
    monkeypatch.setattr("dashboards.views.OVERDUE_SHOWN", 2)
    for order in waiting_orders(3, approver=_approver()):
        _opened(order, timezone.now() - timedelta(hours=30))
    client.force_login(StaffFactory())

    body = client.get(reverse("home")).content.decode()

    assert 'id="overdue-count">2+<' in body


def test_a_staff_member_without_the_desk_sees_no_quote_section(client, bare_staff):
    client.force_login(bare_staff)

    body = client.get(reverse("home")).content.decode()

    assert 'id="seller-quotes-count"' not in body


def test_the_dashboard_needs_a_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert reverse("login") in response.url


def _seed_contact_world(approver, count):
    company = approver.company
    colleague = BuyerFactory(company=company)
    waiting_orders(count, approver=approver, buyer=colleague)
    OrderFactory.create_batch(count, company=company, placed_by=approver)
    for _ in range(count):
        QuoteFactory(company=company, requested_by=approver, status=QuoteStatus.OFFERED, lines=0)


@pytest.mark.parametrize("count", [3, 60])
def test_the_contact_dashboard_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, count
):
    approver = _approver()
    _seed_contact_world(approver, count)
    client.force_login(approver)

    # a constant: each section and navigation count is one query, whatever the data
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 60])
def test_the_staff_dashboard_costs_the_same_queries_at_any_size(
    client, django_assert_max_num_queries, count
):
    approver = _approver()
    _seed_contact_world(approver, count)
    QuoteFactory.create_batch(count, status=QuoteStatus.REQUESTED, lines=0)
    client.force_login(DeskStaffFactory())

    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))

    assert response.status_code == 200
