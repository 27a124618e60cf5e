"""Tier configuration in Django admin, and what it does to orders already waiting."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from approvals.models import ApprovalStep, ApprovalTier, Decision, StepApprover, StepStatus
from approvals.services import approval_company_reroute, approval_step_decide
from companies.models import ApprovalMode
from orders.models import OrderEventKind, OrderStatus
from orders.services import LineRequest, order_cancel, order_edit
from tests.approvals.factories import ApprovalTierFactory, source_example
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def current_route(order) -> list[tuple[str, set]]:
    return [
        (s.status, set(s.approvers.all()))
        for s in order.approval_steps.exclude(status=StepStatus.VOID).order_by("sequence")
    ]


def test_a_tier_minimum_must_be_positive_and_unique_per_approver():
    tier = ApprovalTierFactory(minimum=Decimal("100.00"))

    zero = ApprovalTier(company=tier.company, approver=tier.approver, minimum=Decimal("0"))
    with pytest.raises(ValidationError):
        zero.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ApprovalTier.objects.create(
            company=tier.company, approver=tier.approver, minimum=Decimal("-1")
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        ApprovalTier.objects.create(
            company=tier.company, approver=tier.approver, minimum=Decimal("100.00")
        )


def test_a_tiers_approver_must_be_an_active_contact_of_that_company():
    tier = ApprovalTierFactory()
    stranger = BuyerFactory()
    retired = BuyerFactory(company=tier.company, is_active=False)

    for approver in (stranger, retired, StaffFactory()):
        with pytest.raises(ValidationError) as exc:
            ApprovalTier(company=tier.company, approver=approver, minimum=Decimal("5")).full_clean()
        assert "approver" in exc.value.message_dict


def test_replacing_an_approver_reroutes_orders_waiting_for_them():
    # given an order waiting for approver 1
    example = source_example()
    order = example.place("2500.00")
    old_step = order.approval_steps.get()
    successor = BuyerFactory(company=example.company)
    admin = StaffFactory()

    # when a site admin gives the $2,000 tier to someone else
    ApprovalTier.objects.filter(approver=example.approver1).update(approver=successor)
    rerouted = approval_company_reroute(company_id=example.company.pk, actor=admin)

    # then the order waits for the successor, and the history says why
    assert rerouted == [order]
    order.refresh_from_db()
    old_step.refresh_from_db()
    assert old_step.status == StepStatus.VOID
    assert current_route(order) == [(StepStatus.OPEN, {successor})]
    event = order.events.last()
    assert (event.kind, event.actor) == (OrderEventKind.REROUTED, admin)
    assert successor.full_name in event.comment
    assert order.version == 2
    assert not StepApprover.objects.filter(approver=example.approver1, is_open=True).exists()


def test_orders_whose_route_did_not_change_are_left_alone():
    example = source_example()
    order = example.place("2500.00")
    ApprovalTierFactory(company=example.company, minimum=Decimal("8000.00"))

    assert approval_company_reroute(company_id=example.company.pk, actor=StaffFactory()) == []

    order.refresh_from_db()
    assert order.version == 1
    assert order.events.count() == 1


def test_decisions_that_still_fit_are_kept_in_a_chain():
    # given a chain where approver 1 already approved and approver 2 decides now
    example = source_example(ApprovalMode.ESCALATING)
    order = example.place("6000.00")
    first = order.approval_steps.get(sequence=1)
    order = approval_step_decide(
        step_id=first.pk,
        actor=example.approver1,
        decision=Decision.APPROVE,
        comment="",
        seen_version=1,
    )
    deputy = ApprovalTierFactory(company=example.company, minimum=Decimal("5000.00")).approver

    # when a deputy joins the top tier
    approval_company_reroute(company_id=example.company.pk, actor=StaffFactory())

    # then steps 1 and 2 stay as they were, and step 3 now lists both top approvers
    order.refresh_from_db()
    assert current_route(order) == [
        (StepStatus.APPROVED, {example.approver1}),
        (StepStatus.OPEN, {example.approver2}),
        (StepStatus.WAITING, {example.approver3, deputy}),
    ]
    assert order.approval_steps.get(sequence=1).pk == first.pk
    assert order.approval_steps.filter(status=StepStatus.VOID).count() == 1


def test_an_order_no_longer_needing_approval_is_approved_by_the_change():
    example = source_example()
    order = example.place("2500.00")

    ApprovalTier.objects.filter(company=example.company).delete()
    approval_company_reroute(company_id=example.company.pk, actor=StaffFactory())

    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert order.events.last().kind == OrderEventKind.REROUTED
    assert "no further approval" in order.events.last().comment


def test_finished_orders_keep_the_steps_they_were_decided_on():
    example = source_example()
    order = example.place("2500.00")
    approval_step_decide(
        step_id=order.approval_steps.get().pk,
        actor=example.approver1,
        decision=Decision.APPROVE,
        comment="",
        seen_version=1,
    )

    ApprovalTier.objects.filter(company=example.company).delete()
    approval_company_reroute(company_id=example.company.pk, actor=StaffFactory())

    step = ApprovalStep.objects.get(order=order)
    assert (step.status, step.decided_by, step.minimum) == (
        StepStatus.APPROVED,
        example.approver1,
        Decimal("2000.00"),
    )
    order.refresh_from_db()
    assert order.version == 2


def test_switching_the_mode_reroutes_waiting_orders():
    example = source_example(ApprovalMode.RESPECTIVE)
    order = example.place("6000.00")

    example.company.approval_mode = ApprovalMode.ESCALATING
    example.company.save()
    approval_company_reroute(company_id=example.company.pk, actor=StaffFactory())

    order.refresh_from_db()
    assert [who for _s, who in current_route(order)] == [
        {example.approver1},
        {example.approver2},
        {example.approver3},
    ]


# --- Django admin -----------------------------------------------------------


def company_form(company, tiers, **changes):
    """The company change form as the admin posts it, with tier rows."""
    data = {
        "name": company.name,
        "slug": company.slug,
        "is_active": "on",
        "approval_mode": company.approval_mode,
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "delivery_addresses-TOTAL_FORMS": "0",
        "delivery_addresses-INITIAL_FORMS": "0",
        "cost_centres-TOTAL_FORMS": "0",
        "cost_centres-INITIAL_FORMS": "0",
        "approval_tiers-TOTAL_FORMS": str(len(tiers)),
        "approval_tiers-INITIAL_FORMS": str(sum(1 for t in tiers if t.get("id"))),
        "approval_tiers-MIN_NUM_FORMS": "0",
        "approval_tiers-MAX_NUM_FORMS": "1000",
    }
    for i, tier in enumerate(tiers):
        for key, value in tier.items():
            data[f"approval_tiers-{i}-{key}"] = "" if value is None else str(value)
        data[f"approval_tiers-{i}-company"] = str(company.pk)
    data.update(changes)
    return data


def existing_tiers(company) -> list[dict]:
    return [
        {"id": t.pk, "approver": t.approver_id, "minimum": t.minimum, "label": t.label}
        for t in company.approval_tiers.order_by("minimum", "id")
    ]


def test_the_company_page_shows_tiers_and_where_each_amount_goes(admin_client):
    example = source_example()

    response = admin_client.get(
        reverse("admin:companies_company_change", args=[example.company.pk])
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "approval_tiers-TOTAL_FORMS" in body
    assert "below $2,000.00" in body
    assert "$2,000.00 to under $3,000.00" in body
    assert "$5,000.00 and more" in body
    assert "approved at once" in body
    preview = body[body.index("approval-tier-preview") :]
    assert preview.index(example.approver1.full_name) < preview.index(example.approver3.full_name)


def test_the_admin_refuses_an_approver_from_another_company(admin_client):
    example = source_example()
    stranger = BuyerFactory()
    tiers = [*existing_tiers(example.company), {"approver": stranger.pk, "minimum": "900.00"}]

    response = admin_client.post(
        reverse("admin:companies_company_change", args=[example.company.pk]),
        company_form(example.company, tiers),
    )

    assert response.status_code == 200  # the form again, with the error
    assert not ApprovalTier.objects.filter(approver=stranger).exists()


def test_the_admin_refuses_a_minimum_of_zero(admin_client):
    example = source_example()
    tiers = [*existing_tiers(example.company), {"approver": example.buyer.pk, "minimum": "0"}]

    response = admin_client.post(
        reverse("admin:companies_company_change", args=[example.company.pk]),
        company_form(example.company, tiers),
    )

    assert response.status_code == 200
    assert example.company.approval_tiers.count() == 3


def test_saving_new_tiers_in_the_admin_reroutes_and_says_which_orders_moved(admin_client):
    example = source_example()
    order = example.place("2500.00")
    tiers = existing_tiers(example.company)
    tiers[0]["approver"] = example.colleague.pk

    response = admin_client.post(
        reverse("admin:companies_company_change", args=[example.company.pk]),
        company_form(example.company, tiers),
        follow=True,
    )

    assert response.status_code == 200
    assert f"re-routed to the current tiers: {order.number}" in response.content.decode()
    order.refresh_from_db()
    assert current_route(order) == [(StepStatus.OPEN, {example.colleague})]


def test_saving_a_company_without_tier_changes_reroutes_nothing(admin_client):
    example = source_example()
    order = example.place("2500.00")

    admin_client.post(
        reverse("admin:companies_company_change", args=[example.company.pk]),
        company_form(example.company, existing_tiers(example.company), name="Renamed Ltd"),
    )

    order.refresh_from_db()
    assert order.version == 1


def test_deactivating_an_approver_in_the_admin_moves_their_waiting_orders(admin_client):
    example = source_example()
    order = example.place("2500.00")

    admin_client.post(
        reverse("admin:companies_user_changelist"),
        {"action": "deactivate", "_selected_action": [example.approver1.pk]},
    )

    order.refresh_from_db()
    assert current_route(order) == [(StepStatus.OPEN, {example.approver2})]


def _change_form_data(page) -> dict:
    """What the admin's change form posts back unchanged, as a browser would send it."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, forms.MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


def test_unticking_active_on_an_approvers_admin_page_moves_their_waiting_orders(admin_client):
    example = source_example()
    order = example.place("2500.00")
    url = reverse("admin:companies_user_change", args=[example.approver1.pk])
    data = _change_form_data(admin_client.get(url))
    del data["is_active"]

    response = admin_client.post(url, data, follow=True)

    assert f"re-routed to the current tiers: {order.number}" in response.content.decode()
    example.approver1.refresh_from_db()
    assert not example.approver1.is_active
    order.refresh_from_db()
    assert current_route(order) == [(StepStatus.OPEN, {example.approver2})]


def test_the_open_flag_of_step_approvers_always_mirrors_the_steps_status():
    """The queue reads ``StepApprover.is_open`` alone; every move must keep it in step."""

    def assert_mirrored():
        links = StepApprover.objects.all()
        assert not links.filter(is_open=True).exclude(step__status=StepStatus.OPEN).exists()
        assert not links.filter(is_open=False, step__status=StepStatus.OPEN).exists()

    example = source_example(ApprovalMode.ESCALATING)
    order = example.place("6000.00")
    assert_mirrored()
    order = approval_step_decide(
        step_id=order.approval_steps.get(sequence=1).pk,
        actor=example.approver1,
        decision=Decision.APPROVE,
        comment="",
        seen_version=order.version,
    )
    assert_mirrored()
    ApprovalTierFactory(company=example.company, minimum=Decimal("3000.00"))
    approval_company_reroute(company_id=example.company.pk, actor=StaffFactory())
    assert_mirrored()
    order.refresh_from_db()
    order = order_edit(
        order_id=order.pk,
        actor=example.buyer,
        lines=[LineRequest(sku=example.unit.sku, quantity=5500)],
        seen_version=order.version,
    )
    assert_mirrored()
    order_cancel(order_id=order.pk, actor=example.buyer, seen_version=order.version)
    assert_mirrored()
    assert not StepApprover.objects.filter(is_open=True).exists()
