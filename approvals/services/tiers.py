"""What happens to orders already waiting when a company's approval setup changes.

The rule, chosen so that no order is stuck with an approver who left and no
decision is rewritten:

- Orders still waiting for approval follow the company's current tiers, mode
  and active approvers: ``approval_company_reroute`` routes each of them again
  and compares the result with the steps it has.
- Where the new route starts with the same steps (same minimum, same
  approvers) those steps are kept, decisions and all. From the first step that
  differs, the old steps become void (kept as history, with who decided them)
  and the new ones take their place; if nothing is left to decide the order
  is approved.
- An order whose route is unchanged is not touched. Each re-routed order gets a
  "Re-routed" event in its history naming the site admin who changed the
  tiers, and its version moves on, so a page opened before is stale.
- Orders already approved, rejected, cancelled or fulfilled are never touched;
  their steps stay the snapshot they were decided on.

Django admin calls this after it saved a company's tiers or mode, or changed
an approver's account; the admin page says which orders moved.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import ApprovalStep, StepApprover, StepStatus
from companies.models import Company, User
from companies.services import Deactivation, users_deactivate
from core.locks import lock
from orders import services as order_services
from orders.models import BUYER, COMPANY_ADMIN, SITE_ADMIN, Order, OrderStatus
from orders.services.spend import counted, has_caps, spend_peek

from .. import notify
from .routing import (
    Tier,
    company_tiers,
    create_steps,
    describe_plan,
    order_plan,
    step_signature,
)
from .steps import steps_move_all

CURRENT_ROUND = (StepStatus.WAITING, StepStatus.OPEN, StepStatus.APPROVED)


def _rerouter(actor: User) -> str:
    """The role a change of the company's approval setup comes from: a site admin (Django
    admin), or a company administrator (their colleagues); anyone else has none."""
    if actor.is_staff:
        return SITE_ADMIN
    return COMPANY_ADMIN if actor.is_company_admin else BUYER


def _reroute_order(*, order: Order, mode: str, tiers: list[Tier], actor: User) -> bool:
    (steps,) = lock(
        ApprovalStep.objects.filter(order=order, status__in=CURRENT_ROUND).order_by("sequence")
    )
    approver_ids: dict[int, list[int]] = {step.pk: [] for step in steps}
    own_links = StepApprover.objects.filter(step__in=steps, on_behalf_of__isnull=True)
    for step_id, approver_id in own_links.values_list("step_id", "approver_id"):
        approver_ids[step_id].append(approver_id)
    # the same plan as when it was placed, a budget it is over included
    spend = spend_peek(order=order).without(counted(order)) if has_caps(order) else None
    plan, _over = order_plan(order=order, mode=mode, tiers=tiers, spend=spend)
    kept = 0
    for step, planned in zip(steps, plan, strict=False):
        if step_signature(step, approver_ids[step.pk]) != planned.signature:
            break
        kept += 1
    if kept == len(steps) == len(plan):
        return False

    steps_move_all(steps[kept:], "void", order=order)
    still_open = any(step.is_open for step in steps[:kept])
    new_steps = create_steps(
        order=order,
        plan=plan[kept:],
        first_sequence=steps[kept - 1].sequence + 1 if kept else 1,
        open_first=not still_open,
    )
    if still_open:
        status = OrderStatus.PENDING_APPROVAL
        comment = _("Approval tiers changed: the open step stays, the steps after it changed.")
    elif new_steps:
        status = OrderStatus.PENDING_APPROVAL
        comment = _("Approval tiers changed. %(route)s") % {"route": describe_plan(plan[kept:])}
    else:
        status = OrderStatus.APPROVED
        comment = _("Approval tiers changed: no further approval needed.")
    order_services.order_move(
        order=order, action="reroute", actor=actor, by=_rerouter(actor), to=status, comment=comment
    )
    for step in new_steps:
        if step.is_open:
            notify.order_waiting_for_approval(order=order, step=step, actor=actor)
    return True


@transaction.atomic
def approval_company_reroute(*, company_id: int, actor: User) -> list[Order]:
    """Route the company's waiting orders again after its approval setup changed.

    Rule: see this module's docstring. Returns the orders whose route changed.
    """
    lock(Company.objects.filter(pk=company_id).values_list("pk", flat=True))
    mode, tiers = company_tiers(company_id=company_id)
    waiting = Order.objects.filter(
        company_id=company_id, status=OrderStatus.PENDING_APPROVAL
    ).order_by("pk")
    rerouted = []
    for order_id in waiting.values_list("pk", flat=True):
        order = order_services.order_lock(order_id=order_id)
        if not order.allows("reroute"):
            continue
        if _reroute_order(order=order, mode=mode, tiers=tiers, actor=actor):
            rerouted.append(order)
    return rerouted


@transaction.atomic
def approval_contacts_deactivate(
    *, user_ids: Iterable[int], actor: User
) -> tuple[Deactivation, list[Order]]:
    """Deactivate people and move on the orders that waited for them, in one transaction.

    Rule: ``companies.services.users_deactivate`` (never a superuser nor the
    person acting); an approver who left no longer decides, so each of their
    companies' waiting orders is routed again (this module's docstring).
    """
    user_ids = list(user_ids)
    # their companies before the people (``core.locks``), as a re-route locks them
    companies = Company.objects.filter(
        pk__in=User.objects.filter(pk__in=user_ids).values("company_id")
    )
    lock(companies.values_list("pk", flat=True))
    done = users_deactivate(user_ids=user_ids, actor=actor)
    rerouted = []
    for company_id in done.company_ids:
        rerouted += approval_company_reroute(company_id=company_id, actor=actor)
    return done, rerouted
