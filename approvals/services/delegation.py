"""Approvers away: a colleague decides for them during a period.

The rules:

- An approver (or a site admin for them) names a delegate, an active contact of
  the same company, not themselves, and a period; one period at a time.
- While it is in effect, every step open or waiting for the approver is also
  the delegate's (a link ``on_behalf_of`` the approver, so the queue says so),
  those already open when it starts too; the delegate is told of each.
- Delegation does not chain: the delegate gets what was routed to the approver
  themselves, never what others delegated to the approver. Nobody decides their
  own order: a step of an order the delegate placed stays the approver's alone.
- When the period ends (or it is cancelled), the steps still undecided go back
  to the approver alone. A decision the delegate took records both people.

Periods start and end with the clock: ``delegations_apply`` (a periodic task)
starts and ends what is due; planning a period that starts now applies it at once.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import User
from core.domain import InvalidInput, NotAllowed
from core.locks import lock, lock_one
from core.tallies import tally_add
from core.transitions import initial_status, transition
from orders import services as order_services
from orders.models import Order

from .. import notify
from ..models import (
    CLOCK,
    LIVE_DELEGATION,
    OWNER,
    SITE_ADMIN,
    Delegation,
    DelegationStatus,
    StepApprover,
    StepStatus,
)
from .steps import queue_changes

MANAGE_DELEGATIONS = "approvals.add_delegation"


def _owner_role(actor: User, approver_id: int) -> str:
    """The role a person plans or cancels an approver's time away in: the approver
    themselves, a site admin for them, or none."""
    if actor.pk == approver_id:
        return OWNER
    return SITE_ADMIN if actor.is_staff else ""


def _check_people(*, approver: User, delegate: User, actor: User) -> None:
    if actor.pk != approver.pk and not (actor.is_staff and actor.has_perm(MANAGE_DELEGATIONS)):
        raise NotAllowed(_("Only the approver, or a site admin, plans their time away."))
    if approver.company_id is None or not approver.is_active:
        raise InvalidInput(_("Only an active contact of a company delegates approvals."))
    if delegate.pk == approver.pk:
        message = _("Choose a colleague: you cannot stand in for yourself.")
        raise InvalidInput(message, errors={"delegate": [message]})
    if delegate.company_id != approver.company_id or not delegate.is_active:
        message = _("The delegate must be an active colleague of the same company.")
        raise InvalidInput(message, errors={"delegate": [message]})


def delegation_check(
    *,
    approver: User,
    delegate: User,
    starts_at: datetime,
    ends_at: datetime,
    actor: User,
    now: datetime | None = None,
) -> None:
    """The rules of ``delegation_plan``, checked without writing (forms ask it first)."""
    now = now or timezone.now()
    _check_people(approver=approver, delegate=delegate, actor=actor)
    if ends_at <= starts_at or ends_at <= now:
        message = _("The period must end after it starts, and after now.")
        raise InvalidInput(message, errors={"ends_on": [message], "ends_at": [message]})
    if Delegation.objects.filter(
        approver=approver, status__in=[DelegationStatus.SCHEDULED, DelegationStatus.ACTIVE]
    ).exists():
        raise InvalidInput(
            _("%(name)s already has a period away planned; cancel it first.")
            % {"name": approver.full_name}
        )


@transaction.atomic
def delegation_plan(
    *,
    approver: User,
    delegate: User,
    starts_at: datetime,
    ends_at: datetime,
    actor: User,
    now: datetime | None = None,
) -> Delegation:
    """Plan a period away; it takes effect at once when it starts now or earlier.

    Rule: see this module's docstring; the period ends after it starts, and in
    the future.
    """
    now = now or timezone.now()
    _check_people(approver=approver, delegate=delegate, actor=actor)
    if ends_at <= starts_at or ends_at <= now:
        message = _("The period must end after it starts, and after now.")
        raise InvalidInput(message, errors={"ends_on": [message]})
    live = Delegation.objects.filter(approver=approver, status__in=LIVE_DELEGATION)
    if lock(live.values_list("pk", flat=True))[0]:
        raise InvalidInput(
            _("%(name)s already has a period away planned; cancel it first.")
            % {"name": approver.full_name}
        )
    delegation = Delegation.objects.create(
        approver=approver,
        delegate=delegate,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
        status=initial_status(Delegation, "plan", by=_owner_role(actor, approver.pk)),
    )
    notify.approval_delegated(delegation=delegation, actor=actor)
    if starts_at <= now:
        _start(delegation)
    return delegation


def _start(delegation: Delegation) -> int:
    """Give the delegate the approver's own undecided steps; returns how many."""
    transition(delegation, "start", by=CLOCK)
    own = (
        StepApprover.objects.filter(
            approver=delegation.approver,
            on_behalf_of__isnull=True,
            step__status__in=[StepStatus.OPEN, StepStatus.WAITING],
        )
        .exclude(step__order__placed_by=delegation.delegate)
        .values_list("step_id", "step__order_id")
        .order_by("step__order_id")
    )
    added = 0
    for step_id, order_id in list(own):
        order = order_services.order_lock(order_id=order_id)  # the order before its steps
        step = lock_one(order.approval_steps.filter(pk=step_id))
        if step.status not in (StepStatus.OPEN, StepStatus.WAITING):
            continue
        _link, created = StepApprover.objects.get_or_create(
            step=step,
            approver=delegation.delegate,
            defaults={
                "on_behalf_of": delegation.approver,
                "is_open": step.is_open,
                "opened_at": step.opened_at,
                "amount": order.total,
            },
        )
        if created and step.is_open:
            tally_add(
                queue_changes(order=order, links=[(delegation.delegate_id, order.total)], sign=1)
            )
            notify.order_waiting_for_approval(
                order=order, step=step, actor=None, recipients=[delegation.delegate]
            )
        added += created
    return added


def _end(delegation: Delegation, action: str, *, by: str) -> None:
    """The steps the delegate has not decided go back to the approver alone."""
    was_active = delegation.status == DelegationStatus.ACTIVE
    transition(delegation, action, by=by)
    if not was_active:
        return
    links = StepApprover.objects.filter(
        approver=delegation.delegate,
        on_behalf_of=delegation.approver,
        step__status__in=[StepStatus.OPEN, StepStatus.WAITING],
    )
    # the orders before the links (``core.locks``), each in one statement
    locked_orders, rows = lock(
        Order.objects.filter(pk__in=links.values("step__order_id")).only(
            "pk", "company_id", "placed_by_id"
        ),
        links.order_by("pk").values_list("pk", "step__order_id", "is_open", "amount"),
        of=("self",),
    )
    orders = {order.pk: order for order in locked_orders}
    StepApprover.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
    tally_add(
        change
        for _pk, order_id, is_open, amount in rows
        if is_open
        for change in queue_changes(
            order=orders[order_id], links=[(delegation.delegate_id, amount)], sign=-1
        )
    )


@transaction.atomic
def delegation_cancel(*, delegation_id: int, actor: User) -> Delegation:
    """Cancel a planned period, or end one in effect now.

    Rule: the approver, or a site admin; undecided steps go back to the approver.
    """
    delegation = lock_one(Delegation.objects.filter(pk=delegation_id))
    if actor.pk != delegation.approver_id and not (
        actor.is_staff and actor.has_perm(MANAGE_DELEGATIONS)
    ):
        raise NotAllowed(_("Only the approver, or a site admin, cancels their time away."))
    _end(delegation, "cancel", by=_owner_role(actor, delegation.approver_id))
    return delegation


def delegations_apply(*, now: datetime | None = None) -> tuple[int, int]:
    """Start the periods due to start and end those due to end; returns (started, ended).

    Each in its own transaction, under the delegation's lock, so two runs at once
    apply each once.
    """
    now = now or timezone.now()
    started = ended = 0
    due_start = Delegation.objects.filter(status=DelegationStatus.SCHEDULED, starts_at__lte=now)
    for pk in list(due_start.values_list("pk", flat=True)):
        with transaction.atomic():
            delegation = lock_one(Delegation.objects.filter(pk=pk))
            if delegation.allows("start") and delegation.starts_at <= now:
                _start(delegation)
                started += 1
    due_end = Delegation.objects.filter(status=DelegationStatus.ACTIVE, ends_at__lte=now)
    for pk in list(due_end.values_list("pk", flat=True)):
        with transaction.atomic():
            delegation = lock_one(Delegation.objects.filter(pk=pk))
            if delegation.allows("end") and delegation.ends_at <= now:
                _end(delegation, "end", by=CLOCK)
                ended += 1
    return started, ended
