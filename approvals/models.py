from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.roles import DECIDE_FOR_SITE_ADMINS
from core.transitions import NEW, Move, Stateful
from orders.models import DECIDERS, SITE_ADMIN


class ApprovalTier(models.Model):
    """One approver of a company and the order value from which they decide.

    Several approvers may share a minimum: any one of them decides for that tier.
    """

    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="approval_tiers",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.CASCADE,
        related_name="approval_tiers",
    )
    minimum = models.DecimalField(
        _("minimum order value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Orders from this total up (inclusive) need this approver."),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minimum", "id"]
        verbose_name = _("approval tier")
        verbose_name_plural = _("approval tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "approver", "minimum"], name="approval_tier_once"
            ),
            models.CheckConstraint(
                condition=Q(minimum__gt=0), name="approval_tier_minimum_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} ≥ {self.minimum}"

    def clean(self) -> None:
        super().clean()
        if self.approver_id is None:
            return
        approver = self.approver
        if approver.company_id is None or approver.company_id != self.company_id:
            raise ValidationError(
                {"approver": _("The approver must be a contact person of this company.")}
            )
        if not approver.is_active:
            raise ValidationError({"approver": _("The approver must be an active contact.")})


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    OPEN = "open", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Sent back for changes")
    VOID = "void", _("Void (order changed)")
    CLOSED = "closed", _("Closed (no decision needed)")


# Who moves a step: routing (when an order is placed, edited, cancelled or routed
# again) or whoever decides the order (``DECIDERS``: an approver, or a site admin for
# a step routed to site admins).
ROUTING = "routing"

# Every move of a step, checked by ``core.transitions.transition``. An edit (or a
# re-route after the tiers changed) voids decisions; a cancel or a rejection closes
# what is left.
STEP_MOVES: dict[str, Move] = {
    "route": Move(ROUTING, {NEW}, {StepStatus.WAITING, StepStatus.OPEN}),
    "open": Move(ROUTING, {StepStatus.WAITING}, {StepStatus.OPEN}),
    "approve": Move(DECIDERS, {StepStatus.OPEN}, {StepStatus.APPROVED}),
    "reject": Move(DECIDERS, {StepStatus.OPEN}, {StepStatus.REJECTED}),
    "request_changes": Move(DECIDERS, {StepStatus.OPEN}, {StepStatus.RETURNED}),
    # the order changed: what was decided or left open no longer counts (a round sent back
    # for changes, or closed by it, becomes history when the buyer changes the order)
    "void": Move(
        ROUTING,
        {
            StepStatus.WAITING,
            StepStatus.OPEN,
            StepStatus.APPROVED,
            StepStatus.RETURNED,
            StepStatus.CLOSED,
        },
        {StepStatus.VOID},
    ),
    "close": Move(ROUTING, {StepStatus.WAITING, StepStatus.OPEN}, {StepStatus.CLOSED}),
}
DECIDED_STATUSES = frozenset({StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.RETURNED})


class Decision(models.TextChoices):
    """What an approver may do with an open step (each the name of its move)."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REQUEST_CHANGES = "request_changes", _("Ask for changes")


# A decision the buyer must understand needs the approver's words.
NEEDS_COMMENT = frozenset({Decision.REJECT, Decision.REQUEST_CHANGES})


class ApprovalStep(Stateful):
    """One decision an order needs, with a snapshot of who may take it.

    The minimum, label and approvers are copied when the order is routed, so
    later changes of the tiers never rewrite what an order was routed to.
    A step with no approvers and ``needs_site_admin`` is decided by site admins.
    Steps have no version of their own: they move under their order's lock and
    version.
    """

    MOVES = STEP_MOVES

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="approval_steps"
    )
    sequence = models.PositiveSmallIntegerField(_("step"))
    minimum = models.DecimalField(_("minimum order value"), max_digits=12, decimal_places=2)
    label = models.CharField(_("label"), max_length=100, blank=True)
    note = models.CharField(_("routing note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    needs_site_admin = models.BooleanField(_("needs a site admin"), default=False)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StepApprover",
        through_fields=("step", "approver"),
        related_name="approval_steps",
        verbose_name=_("approvers"),
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    # The order's version when the step was written: what its approvers were asked about.
    order_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # When the approvers are next reminded of an open step (APPROVAL_REMINDER_HOURS).
    remind_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="approval_decisions",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Decided by a delegate: the approver they stood in for.
    decided_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided for"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "sequence", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        permissions = [
            ("decide_for_site_admins", _("Can decide orders that need a site admin")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="approval_step_status_known"
            ),
            models.CheckConstraint(
                condition=Q(minimum__gt=0), name="approval_step_minimum_positive"
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.RETURNED]
                )
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="approval_step_decision_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[StepStatus.REJECTED, StepStatus.RETURNED])
                | ~Q(comment=""),
                name="approval_step_rejection_has_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status=StepStatus.OPEN) | Q(opened_at__isnull=False),
                name="approval_step_open_has_opened_at",
            ),
            # Steps of the current round are numbered 1..n; void ones are history.
            models.UniqueConstraint(
                fields=["order", "sequence"],
                condition=~Q(status=StepStatus.VOID),
                name="approval_step_sequence_once",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status=StepStatus.OPEN),
                name="approval_step_one_open_per_order",
            ),
        ]
        indexes = [
            # The site admins' queue: open steps nobody in the company may decide.
            models.Index(
                fields=["opened_at", "id"],
                condition=Q(status=StepStatus.OPEN, needs_site_admin=True),
                name="approval_step_staff_open_idx",
            ),
            # Open steps by waiting time: the overdue list and the reminders.
            models.Index(
                fields=["opened_at", "id"],
                condition=Q(status=StepStatus.OPEN),
                name="approval_step_open_since_idx",
            ),
            # Open steps by when their approvers are due a reminder.
            models.Index(
                fields=["remind_at", "id"],
                condition=Q(status=StepStatus.OPEN),
                name="approval_step_remind_idx",
            ),
            # "Decided by me", newest first.
            models.Index(
                fields=["decided_by", "-decided_at", "-id"],
                condition=Q(decided_by__isnull=False),
                name="approval_step_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} step {self.sequence} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    def refusal(self, action: str) -> str:
        return _("This approval step is %(status)s: there is nothing to decide.") % {
            "status": self.get_status_display().lower()
        }

    def may_be_decided_by(self, user, *, order, listed: bool) -> bool:
        """Whether ``user`` is eligible for this step of ``order`` (open or not).

        ``listed``: the user is in this step's approvers snapshot. Site admins
        decide only steps routed to them; approvers only as active contacts of
        the order's company; nobody on their own order.
        """
        if not user.is_active or user.pk == order.placed_by_id:
            return False
        if self.needs_site_admin:
            return user.is_staff and user.has_perm(DECIDE_FOR_SITE_ADMINS)
        return listed and user.company_id == order.company_id


class StepApprover(models.Model):
    """Who may decide a step (the snapshot), with the step's openness copied in.

    ``is_open`` mirrors ``step.status == "open"`` and ``opened_at`` the step's,
    so that "what is waiting for me, oldest first" is read in order from one
    partial index on this table alone: a queue page costs its 25 rows, not the
    length of the queue nor the number of open steps of all companies. Only
    approvals services move a step's status, and they update both in the same
    transaction.
    """

    step = models.ForeignKey(
        ApprovalStep, on_delete=models.CASCADE, related_name="approver_links", db_index=False
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_step_links"
    )
    is_open = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    # The order's total when the link was made (an edit voids the steps, so it holds
    # while the link is open): what an open link adds to its approver's queue tally.
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # A delegate's link: they decide for this approver while the approver is away
    # (``Delegation``); empty for the approvers routing named.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("on behalf of"),
    )

    class Meta:
        verbose_name = _("step approver")
        verbose_name_plural = _("step approvers")
        constraints = [
            models.UniqueConstraint(fields=["step", "approver"], name="step_approver_once"),
        ]
        indexes = [
            models.Index(
                fields=["approver", "opened_at", "step"],
                condition=Q(is_open=True),
                name="step_approver_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver_id} on step {self.step_id}"


# The tally of open steps that need a site admin (no contact of the company may decide).
SITE_ADMIN_QUEUE = "approvals.site_admin_queue"


def queue_tally(*, company_id: int, approver_id: int) -> str:
    """The name of an approver's queue tally (``core.tallies``): how many open steps of
    the company's orders wait for them (their own orders left out), and their worth.
    Kept by ``approvals.services.steps`` whenever a link opens or closes."""
    return f"approvals.queue:{company_id}:{approver_id}"


class DelegationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ACTIVE = "active", _("In effect")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


# Who moves a delegation: the approver away (or a site admin for them), or time.
OWNER, CLOCK = "owner", "clock"
OWNERS = frozenset({OWNER, SITE_ADMIN})

DELEGATION_MOVES: dict[str, Move] = {
    "plan": Move(OWNERS, {NEW}, {DelegationStatus.SCHEDULED}),
    "start": Move(CLOCK, {DelegationStatus.SCHEDULED}, {DelegationStatus.ACTIVE}),
    "end": Move(CLOCK, {DelegationStatus.ACTIVE}, {DelegationStatus.ENDED}),
    "cancel": Move(
        OWNERS, {DelegationStatus.SCHEDULED, DelegationStatus.ACTIVE}, {DelegationStatus.CANCELLED}
    ),
}
LIVE_DELEGATION = [DelegationStatus.SCHEDULED, DelegationStatus.ACTIVE]


class Delegation(Stateful):
    """An approver away: a colleague decides for them during a period.

    While it is in effect, the steps open for the approver are open for the
    delegate too (those already open when it starts as well); when it ends, the
    undecided ones go back to the approver alone. It does not chain: a delegate
    decides only what was routed to the approver themselves.
    """

    MOVES = DELEGATION_MOVES

    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=20, choices=DelegationStatus.choices, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver=models.F("delegate")), name="delegation_not_to_oneself"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="delegation_ends_after_start"
            ),
            # one period away at a time, planned or in effect
            models.UniqueConstraint(
                fields=["approver"],
                condition=Q(status__in=LIVE_DELEGATION),
                name="delegation_one_live_per_approver",
            ),
        ]
        indexes = [
            models.Index(
                fields=["starts_at"],
                condition=Q(status=DelegationStatus.SCHEDULED),
                name="delegation_due_start_idx",
            ),
            models.Index(
                fields=["ends_at"],
                condition=Q(status=DelegationStatus.ACTIVE),
                name="delegation_due_end_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} → {self.delegate}"
