"""Reads the approval pages share, scoped to the person, with their joins."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from companies.models import ApprovalMode, Company, User
from companies.roles import DECIDE_FOR_SITE_ADMINS
from core.models import Tally
from core.tallies import tally_read, tally_sum
from orders.models import Order
from orders.selectors import OrderChanges, order_changes_since, order_get, order_get_for_user

from .models import (
    LIVE_DELEGATION,
    SITE_ADMIN_QUEUE,
    ApprovalStep,
    ApprovalTier,
    Delegation,
    StepApprover,
    StepStatus,
    queue_tally,
)
from .services.routing import company_tiers, route_plan


def approval_queue_for(*, user: User) -> QuerySet[ApprovalStep]:
    """Open steps waiting for this approver, oldest first, with what a row shows.

    Read in order from ``step_approver_open_idx`` (the approver's open links by
    opening time), so a page costs its rows: not the length of the queue, nor
    the approver's history, nor the open steps of other companies.
    """
    if user.company_id is None or not user.is_active:
        return ApprovalStep.objects.none()
    return (
        # ``is_open`` stands for the step's status (the services move both at once):
        # filtering on the status too made the planner expect a handful of rows
        # and sort the whole queue instead of reading the first page off the index.
        ApprovalStep.objects.filter(
            approver_links__approver=user,
            approver_links__is_open=True,
            order__company_id=user.company_id,
        )
        .exclude(order__placed_by=user)
        .select_related("order", "order__placed_by")
        # a delegate's rows say whom they decide for (the same link the filter read)
        .annotate(on_behalf_of_name=F("approver_links__on_behalf_of__full_name"))
        # The link's copy of the step's opening time: the same order, read off the index.
        .order_by("approver_links__opened_at", "id")
    )


def approval_staff_queue() -> QuerySet[ApprovalStep]:
    """Open steps that need a site admin (nobody in the company may decide), oldest first."""
    return (
        ApprovalStep.objects.filter(status=StepStatus.OPEN, needs_site_admin=True)
        .select_related("order", "order__placed_by", "order__company")
        .order_by("opened_at", "id")
    )


def approval_decided_by(*, user: User) -> QuerySet[ApprovalStep]:
    """Steps this person decided, newest first (contacts: their company's orders only)."""
    qs = ApprovalStep.objects.filter(decided_by=user)
    if not user.is_staff:
        qs = qs.filter(order__company_id=user.company_id)
    return qs.select_related("order", "order__placed_by", "order__company").order_by(
        "-decided_at", "-id"
    )


@dataclass(frozen=True)
class ApprovalNav:
    is_approver: bool = False
    queue_size: int = 0
    queue_total: Decimal = Decimal("0.00")
    site_admin_queue: int = 0


def approval_nav_for(*, user: User) -> ApprovalNav:
    """What the navigation shows, in one query whatever the queue's length: the queue's
    size and worth come from the tally the approvals services keep (``queue_tally``)."""
    if not user.is_authenticated or not user.is_active:
        return ApprovalNav()
    if user.is_staff:
        if not user.has_perm(DECIDE_FOR_SITE_ADMINS):
            return ApprovalNav()
        return ApprovalNav(site_admin_queue=tally_read([SITE_ADMIN_QUEUE])[SITE_ADMIN_QUEUE].count)
    if user.company_id is None:
        return ApprovalNav()
    name = queue_tally(company_id=user.company_id, approver_id=user.pk)
    has_tier, queue_size, queue_total = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_tier=Exists(
                ApprovalTier.objects.filter(
                    approver_id=OuterRef("pk"), company_id=OuterRef("company_id")
                )
            ),
            queue_size=tally_sum(name),
            queue_total=tally_sum(name, "amount"),
        )
        .values_list("has_tier", "queue_size", "queue_total")
        .get()
    )
    return ApprovalNav(
        is_approver=has_tier or queue_size > 0, queue_size=queue_size, queue_total=queue_total
    )


@dataclass
class ApprovalProgress:
    """An order's approval as its pages show it."""

    steps: list[ApprovalStep] = field(default_factory=list)  # the current round
    earlier: list[ApprovalStep] = field(default_factory=list)  # decisions voided by a change
    open_step: ApprovalStep | None = None
    can_decide: bool = False


def approval_progress_for(*, order: Order, user: User) -> ApprovalProgress:
    """The order's steps with who may decide and who did; whether ``user`` may decide now."""
    steps = list(
        order.approval_steps.select_related("decided_by", "decided_for")
        .prefetch_related(Prefetch("approvers", queryset=User.objects.order_by("full_name")))
        .order_by("sequence", "id")
    )
    current = [s for s in steps if s.status != StepStatus.VOID]
    earlier = [s for s in steps if s.status == StepStatus.VOID and s.decided_at]
    open_step = next((s for s in current if s.is_open), None)
    can_decide = open_step is not None and open_step.may_be_decided_by(
        user, order=order, listed=any(a.pk == user.pk for a in open_step.approvers.all())
    )
    return ApprovalProgress(
        steps=current, earlier=earlier, open_step=open_step, can_decide=can_decide
    )


def approval_order_for_user(*, user: User, number: str, details: bool = True) -> Order:
    """An order for the approval pages; 404 if missing or another company's.

    Site admins see the orders they oversee, and those that need a site admin's
    decision when they may take it.
    """
    try:
        return order_get_for_user(user=user, number=number, details=details)
    except Http404:
        if not (user.is_staff and user.has_perm(DECIDE_FOR_SITE_ADMINS)):
            raise
        return order_get(
            number=number,
            among=Order.objects.filter(
                Exists(ApprovalStep.objects.filter(order=OuterRef("pk"), needs_site_admin=True))
            ),
            details=details,
        )


def approval_step_of_order(*, order: Order, step_id: int) -> ApprovalStep:
    """One step of this order; 404 for a step of any other order."""
    step = ApprovalStep.objects.filter(pk=step_id, order=order).first()
    if step is None:
        raise Http404("No such approval step.")
    return step


@dataclass(frozen=True)
class PreviewRow:
    start: object  # Decimal; None for "below the lowest minimum"
    end: object  # Decimal up to which this row holds; None: no upper end
    steps: list  # PlannedStep; empty: approved at once


def approval_tier_preview(*, company: Company) -> tuple[str, list[PreviewRow]]:
    """Where an order of each amount goes, from the company's saved tiers, lowest first."""
    if company.pk is None:
        return company.approval_mode or ApprovalMode.RESPECTIVE, []
    _mode, tiers = company_tiers(company_id=company.pk)
    mode = company.approval_mode
    rows = []
    if tiers:
        rows.append(PreviewRow(start=None, end=tiers[0].minimum, steps=[]))
    for i, tier in enumerate(tiers):
        end = tiers[i + 1].minimum if i + 1 < len(tiers) else None
        plan = route_plan(total=tier.minimum, buyer_id=None, mode=mode, tiers=tiers)
        rows.append(PreviewRow(start=tier.minimum, end=end, steps=plan))
    return mode, rows


@dataclass(frozen=True)
class QueueSummary:
    """The size of an approver's queue, what it is worth, and how long the oldest waits."""

    count: int = 0
    total: Decimal = Decimal("0.00")
    oldest_opened_at: datetime | None = None


def approval_queue_summary(*, nav: ApprovalNav, first: list[ApprovalStep]) -> QueueSummary:
    """The queue's size and worth (its tally, in ``nav``) and how long its oldest step
    has waited (the first of ``approval_queue_for``, oldest first): no query."""
    return QueueSummary(
        count=nav.queue_size,
        total=nav.queue_total,
        oldest_opened_at=first[0].opened_at if first else None,
    )


def approval_overdue_steps(*, now: datetime | None = None) -> QuerySet[ApprovalStep]:
    """Open steps waiting longer than APPROVAL_REMINDER_HOURS, oldest first.

    Open steps are few and read through the partial unique index on open steps.
    """
    since = (now or timezone.now()) - timedelta(hours=settings.APPROVAL_REMINDER_HOURS)
    return (
        ApprovalStep.objects.filter(status=StepStatus.OPEN, opened_at__lte=since)
        .select_related("order", "order__placed_by", "order__company")
        .order_by("opened_at", "id")
    )


def approval_last_asked_version(*, order: Order, user: User) -> int | None:
    """The version of the order this person was last asked about, or decided, before the
    current round (None: this is the first time it comes to them)."""
    return (
        ApprovalStep.objects.filter(order=order)
        .exclude(status__in=[StepStatus.OPEN, StepStatus.WAITING])
        .filter(Q(approver_links__approver=user) | Q(decided_by=user))
        .aggregate(version=Max("order_version"))["version"]
    )


def approval_changes_for(*, order: Order, user: User) -> OrderChanges | None:
    """What changed in the order since this person last saw it for a decision."""
    version = approval_last_asked_version(order=order, user=user)
    return None if version is None else order_changes_since(order=order, version=version)


def delegation_current_for(*, user: User) -> Delegation | None:
    """The person's period away, planned or in effect, with its delegate."""
    return (
        Delegation.objects.filter(approver=user, status__in=LIVE_DELEGATION)
        .select_related("delegate")
        .first()
    )


def delegation_received_by(*, user: User) -> list[Delegation]:
    """The periods in which this person decides for colleagues, planned or in effect."""
    return list(
        Delegation.objects.filter(delegate=user, status__in=LIVE_DELEGATION)
        .select_related("approver")
        .order_by("starts_at")
    )


def delegation_candidates(*, user: User) -> QuerySet[User]:
    """Who may stand in for this approver: active colleagues."""
    return (
        User.objects.filter(company_id=user.company_id, is_active=True)
        .exclude(pk=user.pk)
        .order_by("full_name")
    )


def approval_tallies_drift() -> dict[str, tuple]:
    """Queue tallies that differ from a count of the links they stand for: {name: (kept,
    counted)}. Empty when the services kept every tally true; the tests check it after
    every test, and an operator may run it (it reads every open link)."""
    counted: dict[str, tuple[int, Decimal]] = {}
    links = (
        StepApprover.objects.filter(is_open=True)
        .exclude(approver_id=F("step__order__placed_by_id"))
        .order_by()
        .values("step__order__company_id", "approver_id")
        .annotate(n=Count("pk"), worth=Sum("amount"))
    )
    for row in links:
        name = queue_tally(
            company_id=row["step__order__company_id"], approver_id=row["approver_id"]
        )
        counted[name] = (row["n"], row["worth"])
    site_admin = ApprovalStep.objects.filter(status=StepStatus.OPEN, needs_site_admin=True).count()
    if site_admin:
        counted[SITE_ADMIN_QUEUE] = (site_admin, Decimal("0.00"))
    kept = {
        row["name"]: (row["n"], row["worth"])
        for row in Tally.objects.filter(name__startswith="approvals.")
        .order_by()
        .values("name")
        .annotate(n=Sum("count"), worth=Sum("amount"))
        if row["n"] or row["worth"]
    }
    return {
        name: (kept.get(name), counted.get(name))
        for name in kept.keys() | counted.keys()
        if kept.get(name) != counted.get(name)
    }
