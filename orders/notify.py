"""What orders tell people and machines: the moves of an order, announced once.

Every move an order makes is announced here, in the transaction of the move:
the webhook events of its new status, the buyer's email when an approver
decided it, the email to whoever had it waiting in their queue when it was
edited or cancelled. Who is asked to decide a step is the approvals app's to
tell (``approvals.notify``). Emails and payloads are rendered from the order's
document (``orders.documents``), as the API and the export are.
"""

from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import User
from core.money import format_money
from notifications.announce import About, Email, Event, announce
from notifications.kinds import CONTACTS, STAFF, email_kind, webhook_event

from .documents import OrderDocument, order_document
from .models import Order, OrderStatus

ORDER_APPROVED = email_kind(
    "order_approved",
    label=gettext_lazy("Order approved"),
    lead=gettext_lazy("Your order {number} ({total}) was approved."),
    button=gettext_lazy("View the order"),
    optional_for=[CONTACTS],
)
ORDER_REJECTED = email_kind(
    "order_rejected",
    label=gettext_lazy("Order rejected"),
    lead=gettext_lazy("Your order {number} ({total}) was rejected by {actor}."),
    button=gettext_lazy("View the order"),
    optional_for=[CONTACTS],
)
# A decision request, as much as an approval is: always emailed.
ORDER_CHANGES_REQUESTED = email_kind(
    "order_changes",
    label=gettext_lazy("Order sent back for changes"),
    lead=gettext_lazy(
        "{actor} asks you to change your order {number} ({total}) before deciding it."
    ),
    button=gettext_lazy("Change the order"),
)
ORDER_EDITED = email_kind(
    "order_edited",
    label=gettext_lazy("Waiting order changed"),
    lead=gettext_lazy(
        "{actor} changed order {number}; it was waiting for you. It has been routed again."
    ),
    button=gettext_lazy("View the order"),
    optional_for=[CONTACTS, STAFF],
)
ORDER_CANCELLED = email_kind(
    "order_cancelled",
    label=gettext_lazy("Waiting order cancelled"),
    lead=gettext_lazy("{actor} cancelled order {number}; it no longer waits for you."),
    button=gettext_lazy("View the order"),
    optional_for=[CONTACTS, STAFF],
)

ORDER_PLACED_EVENT = webhook_event("order.placed", label=gettext_lazy("Order placed"))
ORDER_APPROVED_EVENT = webhook_event("order.approved", label=gettext_lazy("Order approved"))
ORDER_REJECTED_EVENT = webhook_event("order.rejected", label=gettext_lazy("Order rejected"))
ORDER_CANCELLED_EVENT = webhook_event("order.cancelled", label=gettext_lazy("Order cancelled"))
ORDER_FULFILLED_EVENT = webhook_event("order.fulfilled", label=gettext_lazy("Order fulfilled"))

# The statuses receivers are told an order moved to, whichever move left it there.
EVENT_OF_STATUS = {
    OrderStatus.APPROVED: ORDER_APPROVED_EVENT,
    OrderStatus.REJECTED: ORDER_REJECTED_EVENT,
    OrderStatus.CANCELLED: ORDER_CANCELLED_EVENT,
    OrderStatus.FULFILLED: ORDER_FULFILLED_EVENT,
}


# --- Rendering a document for an email or a receiver ---------------------------------


def document_details(document: OrderDocument) -> list[tuple[str, str]]:
    """An order's or a quote's header, and its company's details, as the email lists them:
    (label, value) rows, only those given."""
    header, company = document.header, document.company
    rows = [
        (_("Your PO reference"), header.po_reference),
        (_("Deliver to"), ", ".join(header.delivery_to.splitlines())),
        (
            _("Requested delivery date"),
            formats.date_format(header.delivery_date) if header.delivery_date else "",
        ),
        (_("Cost centre"), header.cost_centre),
        (_("Note to the seller"), header.note_to_seller),
        (_("VAT or tax id"), company.vat_id),
        (_("Payment terms"), company.payment_terms),
    ]
    return [(str(label), value) for label, value in rows if value]


def order_facts(document: OrderDocument, **extra) -> dict:
    """What an order email's lead text reads."""
    return {
        "number": document.number,
        "buyer": document.placed_by.full_name,
        "company": document.company.name,
        "total": format_money(document.total),
        **extra,
    }


def order_about(document: OrderDocument, path: str | None = None) -> About:
    """Whose order it is, its number and its page (``path``: another page of it)."""
    return About(document.company.id, document.number, path or document.path)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def order_payload(document: OrderDocument) -> dict:
    """The ``data`` of an order's webhook event: the order, its header, its lines."""
    header = document.header
    return {
        "number": document.number,
        "status": document.status,
        "version": document.version,
        "company": {"id": document.company.id, "name": document.company.name},
        "placed_by": document.placed_by.email,
        "placed_at": _when(document.placed_at),
        "quote_number": document.quote_number or None,
        "currency": document.currency,
        "total": str(document.total),
        "po_reference": header.po_reference,
        "delivery_to": header.delivery_to,
        "delivery_date": _when(header.delivery_date),
        "cost_centre": header.cost_centre,
        "note_to_seller": header.note_to_seller,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in document.lines or ()
        ],
    }


# --- The announcements ------------------------------------------------------------------


def _events(order: Order, types: Sequence[str], lines: Sequence[dict] | None) -> list[Event]:
    """``types`` of events about the order as it is now, sharing one payload built once
    (and only when an endpoint wants one of them)."""
    built: list[dict] = []

    def data() -> dict:
        if not built:
            built.append(
                order_payload(order_document(order, lines=True if lines is None else lines))
            )
        return built[0]

    return [
        Event(
            type=kind, key=f"{kind}:{order.pk}:v{order.version}", reference=order.number, data=data
        )
        for kind in types
    ]


def order_placed(*, order: Order, lines: Sequence[dict]) -> None:
    """An order was placed: ``order.placed``, and ``order.approved`` when no approval was
    needed. ``lines``: as the order's history keeps them."""
    moved_to = EVENT_OF_STATUS.get(order.status)
    announce(*_events(order, [ORDER_PLACED_EVENT, *([moved_to] if moved_to else [])], lines))


def order_moved(
    *, order: Order, action: str, actor: User | None, comment: str, lines: Sequence[dict] | None
) -> None:
    """An order moved (``ORDER_MOVES``): the receivers of its new status.

    ``order.approved``, ``.rejected``, ``.cancelled`` or ``.fulfilled`` whenever a
    move leaves it in that status (approved by its last step, edited or re-routed
    and approved again: each a new version, a new event). An approver's decision
    tells the buyer too. ``lines``: the order's lines when the move has them
    (an edit does), else read when a receiver wants them.
    """
    moved_to = EVENT_OF_STATUS.get(order.status)
    if moved_to:
        announce(*_events(order, [moved_to], lines))
    if action in ("approve", "reject"):
        order_decided(order=order, actor=actor, approved=action == "approve", comment=comment)
    elif action == "request_changes":
        order_changes_requested(order=order, actor=actor, comment=comment)


def order_decided(*, order: Order, actor: User, approved: bool, comment: str) -> None:
    """The order's outcome is final (approved by the last step, or rejected): its buyer."""
    kind = ORDER_APPROVED if approved else ORDER_REJECTED
    subject = (
        _("Your order %(number)s was approved")
        if approved
        else _("Your order %(number)s was rejected")
    ) % {"number": order.number}
    document = order_document(order, lines=False)
    announce(
        Email(
            kind=kind,
            recipients=[order.placed_by],
            key=f"{kind}:{order.pk}:v{order.version}",
            subject=subject,
            about=order_about(document),
            actor=actor,
            facts=order_facts(document, actor=actor.full_name),
            details=document_details(document),
            quoted=comment,
            quoted_by=actor.full_name if comment else "",
        )
    )


def order_changes_requested(*, order: Order, actor: User, comment: str) -> None:
    """An approver sent the order back: its buyer, who changes or cancels it."""
    kind = ORDER_CHANGES_REQUESTED
    document = order_document(order, lines=False)
    announce(
        Email(
            kind=kind,
            recipients=[order.placed_by],
            key=f"{kind}:{order.pk}:v{order.version}",
            subject=_("Your order %(number)s needs changes") % {"number": order.number},
            about=order_about(document),
            actor=actor,
            facts=order_facts(document, actor=actor.full_name),
            details=document_details(document),
            quoted=comment,
            quoted_by=actor.full_name,
        )
    )


def order_left_queue(*, order: Order, actor: User, approvers: Sequence[User], reason: str) -> None:
    """A waiting order was edited or cancelled (``reason``): the approvers who had it in
    their queue (``orders.routing``'s ``void`` and ``close`` say who)."""
    if not approvers:
        return
    edited = reason == "edited"
    kind = ORDER_EDITED if edited else ORDER_CANCELLED
    subject = (
        _("Order %(number)s was changed while waiting for you")
        if edited
        else _("Order %(number)s was cancelled")
    ) % {"number": order.number}
    document = order_document(order, lines=False)
    announce(
        Email(
            kind=kind,
            recipients=approvers,
            key=f"{kind}:{order.pk}:v{order.version}",
            subject=subject,
            about=order_about(document),
            actor=actor,
            facts=order_facts(document, actor=actor.full_name),
            details=document_details(document),
        )
    )
