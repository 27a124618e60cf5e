"""Deciding from an email: signed links bound to one step, one approver and one version.

The email asking an approver to decide carries a link per decision (approve,
reject, ask for changes). A link is a token signed with SECRET_KEY over the
step, the approver, the order's version and the decision, with the time it was
made; nothing of it is stored. It opens a confirmation page (a GET changes
nothing); one POST from there decides. It is good once: every decision moves
the order's version on, and the link then names a version that is gone. It
expires after APPROVAL_LINK_HOURS.

Without a session the link decides that one step for that one person and grants
nothing else: no login, no other page. APPROVAL_LINKS_NEED_LOGIN (or a
company's own setting) asks for the login first.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from companies.models import User
from orders.models import Order

from .models import ApprovalStep, Decision, StepApprover

SALT = "approvals.decide-from-email"


@dataclass(frozen=True)
class DecisionLink:
    """What a valid link says: this approver may take this decision on this version."""

    step: ApprovalStep
    order: Order
    approver: User
    decision: str
    version: int


class LinkRefused(Exception):
    """The link cannot decide; the message says why, for the page that opens it."""

    def __init__(self, message: str, *, status: int = 409, order: Order | None = None):
        super().__init__(message)
        self.http_status = status
        self.order = order


def decision_link_token(*, step_id: int, approver_id: int, version: int, decision: str) -> str:
    return signing.dumps(
        {"s": step_id, "a": approver_id, "v": version, "d": decision}, salt=SALT, compress=True
    )


def decision_link_urls(*, step_id: int, approver_id: int, version: int) -> list[tuple[str, str]]:
    """The (label, absolute URL) of each decision, for one approver's email."""
    return [
        (
            str(label),
            settings.SITE_URL
            + reverse(
                "approvals:email_decision",
                args=[
                    decision_link_token(
                        step_id=step_id, approver_id=approver_id, version=version, decision=value
                    )
                ],
            ),
        )
        for value, label in Decision.choices
    ]


def email_decision_links(row) -> list[tuple[str, str]]:
    """The decision links of an outbox row asking its recipient to decide (or none)."""
    step_id, version = row.context.get("step"), row.context.get("version")
    if not step_id or not version:
        return []
    return decision_link_urls(step_id=step_id, approver_id=row.recipient_id, version=version)


def decision_link_read(token: str) -> DecisionLink:
    """Check a link before anything is shown or decided; ``LinkRefused`` says why not.

    Rule: signed here, not older than APPROVAL_LINK_HOURS, for a step still open,
    for the version the order still has, for an approver who may still decide it.
    """
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.APPROVAL_LINK_HOURS * 3600)
        step_id, approver_id, version = int(data["s"]), int(data["a"]), int(data["v"])
        decision = Decision(data["d"])
    except signing.SignatureExpired:
        raise LinkRefused(
            _(
                "This link has expired: links in emails work for %(hours)s hours. "
                "Open the order in the portal to decide it."
            )
            % {"hours": settings.APPROVAL_LINK_HOURS},
            status=410,
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(
            _("This link is not one the portal sent, or it was cut short. Nothing was decided."),
            status=400,
        ) from None
    step = ApprovalStep.objects.select_related("order", "order__company").filter(pk=step_id).first()
    approver = User.objects.filter(pk=approver_id, is_active=True).first()
    if step is None or approver is None:
        raise LinkRefused(_("This link no longer leads anywhere. Nothing was decided."), status=404)
    order = step.order
    listed = StepApprover.objects.filter(step=step, approver=approver).exists()
    if not step.may_be_decided_by(approver, order=order, listed=listed or step.needs_site_admin):
        raise LinkRefused(_("This order is no longer waiting for you."), order=order)
    if step.is_decided:
        raise LinkRefused(
            _("Order %(number)s was already decided by %(name)s: this link is used up.")
            % {"number": order.number, "name": step.decided_by},
            order=order,
        )
    if not step.is_open or order.version != version:
        raise LinkRefused(
            _(
                "Order %(number)s changed since this email was sent, so this link no longer "
                "decides it. Open the order to see it as it is now."
            )
            % {"number": order.number},
            order=order,
        )
    return DecisionLink(step, order, approver, decision, version)


def decision_link_needs_login(link: DecisionLink) -> bool:
    """Whether the person must log in before the link decides (setting, or the company's)."""
    return settings.APPROVAL_LINKS_NEED_LOGIN or link.order.company.approval_links_need_login
