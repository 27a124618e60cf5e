"""What the approvals app tells people: who is asked to decide, and who decides meanwhile.

A step that opens (a new order, an edit, the next tier of a chain, a delegate
taking over) asks its approvers; a step left waiting reminds them, and past
APPROVAL_ESCALATE_HOURS tells the site admins; a period away tells the delegate.
The order's own moves (approved, rejected, sent back, edited, cancelled) are the
orders app's to announce (``orders.notify``). The emails asking for a decision
carry a link per decision, signed for their one recipient when they are sent
(``approvals.links``).
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import User
from companies.roles import DECIDE_FOR_SITE_ADMINS
from notifications.announce import About, Email, announce
from notifications.kinds import CONTACTS, STAFF, email_kind
from notifications.services import staff_recipients
from orders.documents import order_document
from orders.models import Order
from orders.notify import document_details, order_about, order_facts

from .links import email_decision_links
from .models import ApprovalStep, Delegation

# A decision request: always emailed.
ORDER_WAITING = email_kind(
    "order_waiting",
    label=gettext_lazy("Order waiting for your approval"),
    lead=gettext_lazy("Order {number} from {buyer} ({total}) is waiting for your approval."),
    button=gettext_lazy("Review the order"),
    extra_links=email_decision_links,
)
APPROVAL_REMINDER = email_kind(
    "approval_reminder",
    label=gettext_lazy("Reminder: order still waiting"),
    lead=gettext_lazy(
        "Order {number} from {buyer} ({total}) has been waiting for your approval "
        "for {hours} hours."
    ),
    button=gettext_lazy("Review the order"),
    optional_for=[CONTACTS, STAFF],
    extra_links=email_decision_links,
)
APPROVAL_DELEGATED = email_kind(
    "approval_delegated",
    label=gettext_lazy("Approvals handed to you while away"),
    lead=gettext_lazy(
        "{approver} is away from {starts} to {ends}: you decide their approvals meanwhile."
    ),
    button=gettext_lazy("Open your queue"),
    optional_for=[CONTACTS],
)
APPROVAL_OVERDUE = email_kind(
    "approval_overdue",
    label=gettext_lazy("Order waiting too long (site admins)"),
    lead=gettext_lazy(
        "Order {number} of {company} ({total}) has been waiting for approval for {hours} hours."
    ),
    button=gettext_lazy("See the order"),
    optional_for=[STAFF],
)


def step_recipients(step: ApprovalStep) -> list[User]:
    if step.needs_site_admin:
        return staff_recipients(permission=DECIDE_FOR_SITE_ADMINS)
    return list(step.approvers.all())


def _on_the_queue(order: Order):
    """The order's document, and where an approver opens it."""
    document = order_document(order, lines=False)
    return document, order_about(document, reverse("approvals:order", args=[order.number]))


def order_waiting_for_approval(
    *,
    order: Order,
    step: ApprovalStep,
    actor: User | None,
    recipients: Iterable[User] | None = None,
    changes: list[str] | None = None,
) -> None:
    """A step opened (a new order, an edit, or the next tier of a chain): its approvers.

    ``recipients``: the step's approvers when the caller has them already (routing
    does), which saves reading them back. ``changes``: what an edit changed since
    the approvers last saw the order. The email's decision links are made when it
    is sent (``approvals.links``), from the step and version kept here.
    """
    document, about = _on_the_queue(order)
    announce(
        Email(
            kind=ORDER_WAITING,
            recipients=list(step_recipients(step) if recipients is None else recipients),
            key=f"order_waiting:{order.pk}:v{order.version}:s{step.pk}",
            subject=_("Order %(number)s (%(total)s) waits for your approval")
            % {"number": order.number, "total": order_facts(document)["total"]},
            about=about,
            actor=actor,
            facts=order_facts(document, step=step.pk, version=order.version),
            details=document_details(document),
            changes=changes or [],
        )
    )


def approval_reminder(*, step: ApprovalStep, order: Order, hours: int, period: int) -> int:
    """An order still waits for the approvers of its open step: remind them, once a period."""
    document, about = _on_the_queue(order)
    return announce(
        Email(
            kind=APPROVAL_REMINDER,
            recipients=step_recipients(step),
            key=f"approval_reminder:{step.pk}:p{period}",
            subject=_("Reminder: order %(number)s has waited %(hours)s hours for you")
            % {"number": order.number, "hours": hours},
            about=about,
            facts=order_facts(document, hours=hours, step=step.pk, version=order.version),
            details=document_details(document),
        )
    )


def approval_overdue(
    *, step: ApprovalStep, order: Order, hours: int, period: int, admins: list[User]
) -> int:
    """An order waited past APPROVAL_ESCALATE_HOURS: the site admins, once a period."""
    document, about = _on_the_queue(order)
    return announce(
        Email(
            kind=APPROVAL_OVERDUE,
            recipients=admins,
            key=f"approval_overdue:{step.pk}:p{period}",
            subject=_("Order %(number)s of %(company)s has waited %(hours)s hours")
            % {"number": order.number, "company": document.company.name, "hours": hours},
            about=about,
            facts=order_facts(document, hours=hours),
            details=document_details(document),
        )
    )


def approval_delegated(*, delegation: Delegation, actor: User) -> None:
    """An approver named a delegate for a period away: the delegate (and the approver, when
    a site admin planned it for them)."""
    approver = delegation.approver
    announce(
        Email(
            kind=APPROVAL_DELEGATED,
            recipients=[delegation.delegate, approver],
            key=f"approval_delegated:{delegation.pk}",
            subject=_("You decide for %(name)s while they are away") % {"name": approver.full_name},
            about=About(approver.company_id, approver.full_name[:20], reverse("approvals:queue")),
            actor=actor,
            facts={
                "approver": approver.full_name,
                "starts": _day(delegation.starts_at),
                "ends": _day(delegation.ends_at),
            },
        )
    )


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
