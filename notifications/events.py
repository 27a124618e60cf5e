"""One function per event that people are told about.

Services call these inside the transaction of the change they announce; each
picks the recipients and writes their outbox rows (``notification_enqueue``
applies the rules every event shares). Sending happens after commit, in a
Celery worker.

The apps that call these sit above notifications: an order, a quote or an
approval step arrives as an argument and is read by its attributes, never
imported; links are made from URL names.
"""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from companies.models import User
from companies.roles import DECIDE_FOR_SITE_ADMINS, USE_QUOTE_DESK
from core.money import format_money as money

from .models import NotificationKind, WebhookEvent
from .services import notification_enqueue, staff_recipients, webhook_enqueue
from .services.webhooks import webhook_endpoints


def about_order(order, url_name: str = "orders:detail") -> dict:
    """Whose order it is, its number and its page, for ``notification_enqueue``."""
    return {
        "company_id": order.company_id,
        "reference": order.number,
        "path": reverse(url_name, args=[order.number]),
    }


def about_quote(quote) -> dict:
    return {
        "company_id": quote.company_id,
        "reference": quote.number,
        "path": reverse("quotations:detail", args=[quote.number]),
    }


def order_context(order, **extra) -> dict:
    return {
        "number": order.number,
        "buyer": order.placed_by.full_name,
        "company": order.company.name,
        "total": money(order.total),
        **extra,
    }


def quote_context(quote, actor: User | None, **extra) -> dict:
    return {
        "number": quote.number,
        "company": quote.company.name,
        "actor": actor.full_name if actor else "",
        **extra,
    }


def step_recipients(step) -> list[User]:
    if step.needs_site_admin:
        return staff_recipients(permission=DECIDE_FOR_SITE_ADMINS)
    return list(step.approvers.all())


def order_waiting_for_approval(
    *,
    order,
    step,
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
    notification_enqueue(
        kind=NotificationKind.ORDER_WAITING,
        recipients=step_recipients(step) if recipients is None else recipients,
        key=f"order_waiting:{order.pk}:v{order.version}:s{step.pk}",
        subject=_("Order %(number)s (%(total)s) waits for your approval")
        % {"number": order.number, "total": money(order.total)},
        actor=actor,
        **about_order(order, "approvals:order"),
        context=order_context(order, step=step.pk, version=order.version, changes=changes or []),
    )


def order_decided(*, order, actor: User, approved: bool, comment: str) -> None:
    """The order's outcome is final (approved by the last step, or rejected): its buyer."""
    kind = NotificationKind.ORDER_APPROVED if approved else NotificationKind.ORDER_REJECTED
    subject = (
        _("Your order %(number)s was approved")
        if approved
        else _("Your order %(number)s was rejected")
    ) % {"number": order.number}
    notification_enqueue(
        kind=kind,
        recipients=[order.placed_by],
        key=f"{kind}:{order.pk}:v{order.version}",
        subject=subject,
        actor=actor,
        **about_order(order),
        context=order_context(
            order,
            actor=actor.full_name,
            quoted=comment,
            quoted_by=actor.full_name if comment else "",
        ),
    )


def order_changes_requested(*, order, actor: User, comment: str) -> None:
    """An approver sent the order back: its buyer, who changes or cancels it."""
    notification_enqueue(
        kind=NotificationKind.ORDER_CHANGES_REQUESTED,
        recipients=[order.placed_by],
        key=f"{NotificationKind.ORDER_CHANGES_REQUESTED}:{order.pk}:v{order.version}",
        subject=_("Your order %(number)s needs changes") % {"number": order.number},
        actor=actor,
        **about_order(order),
        context=order_context(
            order, actor=actor.full_name, quoted=comment, quoted_by=actor.full_name
        ),
    )


def order_left_queue(*, order, actor: User, approvers: Iterable[User], reason: str) -> None:
    """A waiting order was edited or cancelled: the approvers who had it in their queue."""
    kind = NotificationKind.ORDER_EDITED if reason == "edited" else NotificationKind.ORDER_CANCELLED
    subject = (
        _("Order %(number)s was changed while waiting for you")
        if reason == "edited"
        else _("Order %(number)s was cancelled")
    ) % {"number": order.number}
    notification_enqueue(
        kind=kind,
        recipients=approvers,
        key=f"{kind}:{order.pk}:v{order.version}",
        subject=subject,
        actor=actor,
        **about_order(order),
        context=order_context(order, actor=actor.full_name),
    )


def _to_seller(quote, actor: User, kind: NotificationKind, subject: str, key: str, **extra):
    notification_enqueue(
        kind=kind,
        recipients=staff_recipients(permission=USE_QUOTE_DESK),
        key=key,
        subject=subject,
        actor=actor,
        **about_quote(quote),
        context=quote_context(quote, actor, **extra),
    )


def _to_buyer(quote, actor: User | None, kind: NotificationKind, subject: str, key: str, **extra):
    notification_enqueue(
        kind=kind,
        recipients=[quote.requested_by],
        key=key,
        subject=subject,
        actor=actor,
        **about_quote(quote),
        context=quote_context(quote, actor, **extra),
    )


def quote_requested(*, quote, actor: User) -> None:
    """A buyer asked for a quote: the site admins of the quote desk."""
    _to_seller(
        quote,
        actor,
        NotificationKind.QUOTE_REQUESTED,
        _("Quote %(number)s requested by %(company)s")
        % {"number": quote.number, "company": quote.company.name},
        f"quote_requested:{quote.pk}",
    )


def quote_edited(*, quote, actor: User) -> None:
    """A buyer changed a quote's lines (a counter-proposal when it was offered)."""
    _to_seller(
        quote,
        actor,
        NotificationKind.QUOTE_EDITED,
        _("Quote %(number)s changed by %(company)s")
        % {"number": quote.number, "company": quote.company.name},
        f"quote_edited:{quote.pk}:v{quote.version}",
    )


def quote_withdrawn(*, quote, actor: User) -> None:
    _to_seller(
        quote,
        actor,
        NotificationKind.QUOTE_WITHDRAWN,
        _("Quote %(number)s withdrawn") % {"number": quote.number},
        f"quote_withdrawn:{quote.pk}",
    )


def quote_accepted(*, quote, actor: User) -> None:
    _to_seller(
        quote,
        actor,
        NotificationKind.QUOTE_ACCEPTED,
        _("Offer on quote %(number)s accepted") % {"number": quote.number},
        f"quote_accepted:{quote.pk}",
    )


def quote_message_posted(*, quote, message, actor: User) -> None:
    """A message on the thread goes to the other side."""
    subject = _("New message on quote %(number)s") % {"number": quote.number}
    extra = {"quoted": message.body, "quoted_by": actor.full_name}
    key = f"quote_message:{message.pk}"
    if actor.is_staff:
        _to_buyer(quote, actor, NotificationKind.QUOTE_MESSAGE, subject, key, **extra)
    else:
        _to_seller(quote, actor, NotificationKind.QUOTE_MESSAGE, subject, key, **extra)


def quote_offered(*, quote, actor: User) -> None:
    """A site admin offered prices (or accepted as requested): the buyer."""
    total = quote.offered_total
    _to_buyer(
        quote,
        actor,
        NotificationKind.QUOTE_OFFERED,
        _("Offer on your quote %(number)s") % {"number": quote.number},
        f"quote_offered:{quote.pk}:v{quote.version}",
        total=money(total) if total is not None else "",
    )


def quote_rejected(*, quote, actor: User, reason: str) -> None:
    _to_buyer(
        quote,
        actor,
        NotificationKind.QUOTE_REJECTED,
        _("Your quote %(number)s was rejected") % {"number": quote.number},
        f"quote_rejected:{quote.pk}",
        quoted=reason,
        quoted_by=actor.full_name,
    )


def quote_expired(*, quote) -> None:
    _to_buyer(
        quote,
        None,
        NotificationKind.QUOTE_EXPIRED,
        _("The offer on your quote %(number)s expired") % {"number": quote.number},
        f"quote_expired:{quote.pk}:v{quote.version}",
    )


def approval_reminder(*, step, order, hours: int, period: int) -> int:
    """An order still waits for the approvers of its open step: remind them, once a period."""
    return len(
        notification_enqueue(
            kind=NotificationKind.APPROVAL_REMINDER,
            recipients=step_recipients(step),
            key=f"approval_reminder:{step.pk}:p{period}",
            subject=_("Reminder: order %(number)s has waited %(hours)s hours for you")
            % {"number": order.number, "hours": hours},
            **about_order(order, "approvals:order"),
            context=order_context(order, hours=hours, step=step.pk, version=order.version),
        )
    )


def approval_delegated(*, delegation, actor: User) -> None:
    """An approver named a delegate for a period away: the delegate (and the approver, when
    a site admin planned it for them)."""
    approver = delegation.approver
    notification_enqueue(
        kind=NotificationKind.APPROVAL_DELEGATED,
        recipients=[delegation.delegate, approver],
        key=f"approval_delegated:{delegation.pk}",
        subject=_("You decide for %(name)s while they are away") % {"name": approver.full_name},
        actor=actor,
        company_id=approver.company_id,
        reference=approver.full_name[:20],
        path=reverse("approvals:queue"),
        context={
            "approver": approver.full_name,
            "starts": formats.date_format(timezone.localtime(delegation.starts_at), "DATE_FORMAT"),
            "ends": formats.date_format(timezone.localtime(delegation.ends_at), "DATE_FORMAT"),
        },
    )


def approval_overdue(*, step, order, hours: int, period: int, admins: list[User]) -> int:
    """An order waited past APPROVAL_ESCALATE_HOURS: the site admins, once a period."""
    return len(
        notification_enqueue(
            kind=NotificationKind.APPROVAL_OVERDUE,
            recipients=admins,
            key=f"approval_overdue:{step.pk}:p{period}",
            subject=_("Order %(number)s of %(company)s has waited %(hours)s hours")
            % {"number": order.number, "company": order.company.name, "hours": hours},
            **about_order(order, "approvals:order"),
            context=order_context(order, hours=hours),
        )
    )


def quote_expiring(*, quote) -> int:
    """An offer expires within a day: its buyer, once per offer."""
    total = quote.offered_total
    return len(
        notification_enqueue(
            kind=NotificationKind.QUOTE_EXPIRING,
            recipients=[quote.requested_by],
            key=f"quote_expiring:{quote.pk}:v{quote.version}",
            subject=_("The offer on your quote %(number)s expires soon") % {"number": quote.number},
            **about_quote(quote),
            context=quote_context(
                quote,
                None,
                total=money(total) if total is not None else "",
                expires=timezone.localtime(quote.expires_at).strftime("%Y-%m-%d %H:%M"),
            ),
        )
    )


# --- A person's own account: the link is made when the email is sent (``links``) ---


def invitation_sent(*, invitation) -> None:
    """A person was invited, or given a new link: the person, whoever asked for it.

    The row says which invitation; the link itself is signed when the worker renders
    the email, from the invitation as it is then (``notifications.links``).
    """
    person = invitation.user
    inviter = invitation.invited_by
    company = person.company.name if person.company_id else ""
    notification_enqueue(
        kind=NotificationKind.INVITATION,
        recipients=[person],
        key=f"invitation:{invitation.pk}:v{invitation.version}",
        subject=_("Your invitation to %(portal)s") % {"portal": settings.PORTAL_NAME},
        company_id=person.company_id,
        context={
            "invitation": invitation.pk,
            "actor": inviter.full_name if inviter else settings.PORTAL_NAME,
            "company": company or settings.PORTAL_NAME,
            "expires": formats.date_format(
                timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"
            ),
        },
    )


def password_reset_requested(*, user: User, hours: int) -> None:
    """Somebody asked to reset a person's password: the person (a new email each time)."""
    notification_enqueue(
        kind=NotificationKind.PASSWORD_RESET,
        recipients=[user],
        key=f"password_reset:{user.pk}:{uuid.uuid4().hex}",
        subject=_("Reset your password for %(portal)s") % {"portal": settings.PORTAL_NAME},
        company_id=user.company_id,
        context={"email": user.email, "hours": hours},
    )


# --- Webhooks: the receivers site admins registered ---------------------------


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _order_data(order, lines: list[dict] | None) -> dict:
    if lines is None:
        lines = [
            {
                "sku": line.product.sku,
                "name": line.product.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in order.lines.select_related("product").order_by("id")
        ]
    return {
        "number": order.number,
        "status": order.status,
        "version": order.version,
        "company": {"id": order.company_id, "name": order.company.name},
        "placed_by": order.placed_by.email,
        "placed_at": _when(order.created_at),
        "quote_number": order.quote_number or None,
        "currency": settings.CURRENCY_CODE,
        "total": str(order.total),
        "lines": lines,
    }


def order_webhooks(*, order, placed: bool, lines: list[dict] | None = None) -> None:
    """An order was placed or moved: the receivers of ``order.placed`` and of its new status.

    ``order.placed`` when it is placed; ``order.approved``, ``.rejected``,
    ``.cancelled`` or ``.fulfilled`` whenever a move leaves it in that status
    (placed and approved at once, approved by its last step, edited or re-routed
    and approved again: each a new version, a new event). ``lines``: the order's
    lines when the caller has them (placing and editing do), else read here.
    """
    kinds = [WebhookEvent.ORDER_PLACED] if placed else []
    moved_to = f"order.{order.status}"
    if moved_to in WebhookEvent.values:
        kinds.append(WebhookEvent(moved_to))
    data: dict | None = None

    def once() -> dict:
        nonlocal data
        if data is None:
            data = _order_data(order, lines)
        return data

    endpoints = webhook_endpoints() if kinds else []
    for kind in kinds:
        webhook_enqueue(
            event=kind,
            key=f"{kind}:{order.pk}:v{order.version}",
            reference=order.number,
            data=once,
            endpoints=endpoints,
        )


def _quote_data(quote) -> dict:
    lines = list(quote.lines.select_related("product").order_by("id"))
    offered = [line.offered_total for line in lines]
    return {
        "number": quote.number,
        "status": quote.status,
        "version": quote.version,
        "company": {"id": quote.company_id, "name": quote.company.name},
        "requested_by": quote.requested_by.email,
        "requested_at": _when(quote.created_at),
        "offer_valid_until": _when(quote.expires_at),
        "currency": settings.CURRENCY_CODE,
        "requested_total": str(sum((line.requested_total for line in lines), Decimal("0.00"))),
        "total": None if not offered or None in offered else str(sum(offered, Decimal("0.00"))),
        "lines": [
            {
                "sku": line.product.sku,
                "name": line.product.name,
                "quantity": line.quantity,
                "target_unit_price": _money_or_none(line.target_unit_price),
                "offered_unit_price": _money_or_none(line.offered_unit_price),
                "line_total": _money_or_none(line.offered_total),
            }
            for line in lines
        ],
    }


def _money_or_none(value) -> str | None:
    return None if value is None else str(value)


# The quote events (``QuoteEvent.kind``) receivers are told of.
QUOTE_WEBHOOKS = {
    "requested": WebhookEvent.QUOTE_REQUESTED,
    "offered": WebhookEvent.QUOTE_OFFERED,
    "accepted": WebhookEvent.QUOTE_ACCEPTED,
}


def quote_webhooks(*, quote, event_kind: str) -> None:
    """A quote's event: the receivers of ``quote.requested``, ``.offered`` (every offer,
    revised ones too) or ``.accepted`` (by the buyer, or by the seller as asked)."""
    kind = QUOTE_WEBHOOKS.get(event_kind)
    if kind is None:
        return
    webhook_enqueue(
        event=kind,
        key=f"{kind}:{quote.pk}:v{quote.version}",
        reference=quote.number,
        data=lambda: _quote_data(quote),
    )
