"""What quotes tell people and machines: every move of a quote and every message.

The desk (site admins with the quote desk permission) hears what buyers do; the
buyer who asked hears what the desk does; a message goes to the other side.
Receivers of webhooks hear of requests, offers and acceptances (``quote_webhooks``,
from each ``QuoteEvent`` written). Emails and payloads are rendered from the
quote's document (``quotations.documents``).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import User
from companies.roles import USE_QUOTE_DESK
from core.money import format_money
from notifications.announce import About, Email, Event, announce
from notifications.kinds import CONTACTS, STAFF, email_kind, webhook_event
from notifications.services import staff_recipients
from orders.notify import document_details

from .documents import QuoteDocument, quote_document
from .models import Quote, QuoteEventKind, QuoteMessage

# In the order the preferences page lists them (the desk's and the buyer's).
QUOTE_REQUESTED = email_kind(
    "quote_requested",
    label=gettext_lazy("Quote requested"),
    lead=gettext_lazy("{actor} of {company} requested quote {number}."),
    button=gettext_lazy("Answer the quote"),
    optional_for=[STAFF],
)
QUOTE_EDITED = email_kind(
    "quote_edited",
    label=gettext_lazy("Quote changed by the buyer"),
    lead=gettext_lazy("{actor} of {company} changed quote {number}."),
    button=gettext_lazy("Answer the quote"),
    optional_for=[STAFF],
)
QUOTE_OFFERED = email_kind(
    "quote_offered",
    label=gettext_lazy("Offer made"),
    lead=gettext_lazy("{actor} made an offer on your quote {number}: {total}."),
    button=gettext_lazy("Review the offer"),
    optional_for=[CONTACTS],
)
QUOTE_MESSAGE = email_kind(
    "quote_message",
    label=gettext_lazy("New message on a quote"),
    lead=gettext_lazy("{actor} wrote on quote {number}."),
    button=gettext_lazy("Reply"),
    optional_for=[CONTACTS, STAFF],
)
QUOTE_WITHDRAWN = email_kind(
    "quote_withdrawn",
    label=gettext_lazy("Quote withdrawn"),
    lead=gettext_lazy("{actor} of {company} withdrew quote {number}."),
    button=gettext_lazy("View the quote"),
    optional_for=[STAFF],
)
QUOTE_ACCEPTED = email_kind(
    "quote_accepted",
    label=gettext_lazy("Offer accepted"),
    lead=gettext_lazy("{actor} of {company} accepted the offer on quote {number}."),
    button=gettext_lazy("View the quote"),
    optional_for=[STAFF],
)
QUOTE_REJECTED = email_kind(
    "quote_rejected",
    label=gettext_lazy("Quote rejected"),
    lead=gettext_lazy("Your quote {number} was rejected."),
    button=gettext_lazy("View the quote"),
    optional_for=[CONTACTS],
)
QUOTE_EXPIRING = email_kind(
    "quote_expiring",
    label=gettext_lazy("Offer expiring soon"),
    lead=gettext_lazy("The offer on your quote {number} ({total}) expires on {expires}."),
    button=gettext_lazy("Review the offer"),
    optional_for=[CONTACTS],
)
QUOTE_EXPIRED = email_kind(
    "quote_expired",
    label=gettext_lazy("Offer expired"),
    lead=gettext_lazy("The offer on your quote {number} expired."),
    button=gettext_lazy("View the quote"),
    optional_for=[CONTACTS],
)

QUOTE_REQUESTED_EVENT = webhook_event("quote.requested", label=gettext_lazy("Quote requested"))
QUOTE_OFFERED_EVENT = webhook_event("quote.offered", label=gettext_lazy("Quote offered"))
QUOTE_ACCEPTED_EVENT = webhook_event("quote.accepted", label=gettext_lazy("Quote accepted"))

# The quote events (``QuoteEvent.kind``) receivers are told of.
QUOTE_WEBHOOKS = {
    QuoteEventKind.REQUESTED: QUOTE_REQUESTED_EVENT,
    QuoteEventKind.OFFERED: QUOTE_OFFERED_EVENT,
    QuoteEventKind.ACCEPTED: QUOTE_ACCEPTED_EVENT,
}


# --- Rendering a document for an email or a receiver ---------------------------------


def quote_facts(document: QuoteDocument, actor: User | None, **extra) -> dict:
    """What a quote email's lead text reads."""
    return {
        "number": document.number,
        "company": document.company.name,
        "actor": actor.full_name if actor else "",
        **extra,
    }


def _money_or_none(value) -> str | None:
    return None if value is None else str(value)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def quote_payload(document: QuoteDocument) -> dict:
    """The ``data`` of a quote's webhook event: the quote, its header, its lines."""
    header = document.header
    return {
        "number": document.number,
        "status": document.status,
        "version": document.version,
        "company": {"id": document.company.id, "name": document.company.name},
        "requested_by": document.requested_by.email,
        "requested_at": _when(document.requested_at),
        "offer_valid_until": _when(document.offer_valid_until),
        "currency": document.currency,
        "requested_total": _money_or_none(document.requested_total),
        "total": _money_or_none(document.offered_total),
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
                "target_unit_price": _money_or_none(line.target_unit_price),
                "offered_unit_price": _money_or_none(line.offered_unit_price),
                "line_total": _money_or_none(line.offered_total),
            }
            for line in document.lines or ()
        ],
    }


# --- The announcements ------------------------------------------------------------------


def _email(
    quote: Quote,
    *,
    to_seller: bool,
    kind: str,
    actor: User | None,
    subject: str,
    key: str,
    document: QuoteDocument | None = None,
    quoted: str = "",
    quoted_by: str = "",
    **extra,
) -> int:
    if actor is not None and actor.pk == quote.requested_by_id:
        quote.requested_by = actor  # the requester acting: read already, not again
    document = document or quote_document(quote, lines=False)
    recipients = staff_recipients(permission=USE_QUOTE_DESK) if to_seller else [quote.requested_by]
    return announce(
        Email(
            kind=kind,
            recipients=recipients,
            key=key,
            subject=subject,
            about=About(quote.company_id, quote.number, document.path),
            actor=actor,
            facts=quote_facts(document, actor, **extra),
            details=document_details(document),
            quoted=quoted,
            quoted_by=quoted_by,
        )
    )


def quote_requested(*, quote: Quote, actor: User) -> None:
    """A buyer asked for a quote: the site admins of the quote desk."""
    _email(
        quote,
        to_seller=True,
        kind=QUOTE_REQUESTED,
        actor=actor,
        subject=_("Quote %(number)s requested by %(company)s")
        % {"number": quote.number, "company": quote.company.name},
        key=f"quote_requested:{quote.pk}",
    )


def quote_edited(*, quote: Quote, actor: User) -> None:
    """A buyer changed a quote's lines (a counter-proposal when it was offered)."""
    _email(
        quote,
        to_seller=True,
        kind=QUOTE_EDITED,
        actor=actor,
        subject=_("Quote %(number)s changed by %(company)s")
        % {"number": quote.number, "company": quote.company.name},
        key=f"quote_edited:{quote.pk}:v{quote.version}",
    )


def quote_withdrawn(*, quote: Quote, actor: User) -> None:
    _email(
        quote,
        to_seller=True,
        kind=QUOTE_WITHDRAWN,
        actor=actor,
        subject=_("Quote %(number)s withdrawn") % {"number": quote.number},
        key=f"quote_withdrawn:{quote.pk}",
    )


def quote_accepted(*, quote: Quote, actor: User) -> None:
    _email(
        quote,
        to_seller=True,
        kind=QUOTE_ACCEPTED,
        actor=actor,
        subject=_("Offer on quote %(number)s accepted") % {"number": quote.number},
        key=f"quote_accepted:{quote.pk}",
    )


def quote_message_posted(*, quote: Quote, message: QuoteMessage, actor: User) -> None:
    """A message on the thread goes to the other side."""
    _email(
        quote,
        to_seller=not actor.is_staff,
        kind=QUOTE_MESSAGE,
        actor=actor,
        subject=_("New message on quote %(number)s") % {"number": quote.number},
        key=f"quote_message:{message.pk}",
        quoted=message.body,
        quoted_by=actor.full_name,
    )


def _offered_total(document: QuoteDocument) -> str:
    total = document.offered_total
    return format_money(total) if total is not None else ""


def quote_offered(*, quote: Quote, actor: User) -> None:
    """A site admin offered prices (or accepted as requested): the buyer."""
    document = quote_document(quote)
    _email(
        quote,
        to_seller=False,
        kind=QUOTE_OFFERED,
        actor=actor,
        subject=_("Offer on your quote %(number)s") % {"number": quote.number},
        key=f"quote_offered:{quote.pk}:v{quote.version}",
        document=document,
        total=_offered_total(document),
    )


def quote_rejected(*, quote: Quote, actor: User, reason: str) -> None:
    _email(
        quote,
        to_seller=False,
        kind=QUOTE_REJECTED,
        actor=actor,
        subject=_("Your quote %(number)s was rejected") % {"number": quote.number},
        key=f"quote_rejected:{quote.pk}",
        quoted=reason,
        quoted_by=actor.full_name,
    )


def quote_expired(*, quote: Quote) -> None:
    _email(
        quote,
        to_seller=False,
        kind=QUOTE_EXPIRED,
        actor=None,
        subject=_("The offer on your quote %(number)s expired") % {"number": quote.number},
        key=f"quote_expired:{quote.pk}:v{quote.version}",
    )


def quote_expiring(*, quote: Quote) -> int:
    """An offer expires within a day: its buyer, once per offer."""
    document = quote_document(quote)
    return _email(
        quote,
        to_seller=False,
        kind=QUOTE_EXPIRING,
        actor=None,
        subject=_("The offer on your quote %(number)s expires soon") % {"number": quote.number},
        key=f"quote_expiring:{quote.pk}:v{quote.version}",
        document=document,
        total=_offered_total(document),
        expires=timezone.localtime(quote.expires_at).strftime("%Y-%m-%d %H:%M"),
    )


def quote_webhooks(*, quote: Quote, event_kind: str) -> None:
    """A quote's event: the receivers of ``quote.requested``, ``.offered`` (every offer,
    revised ones too) or ``.accepted`` (by the buyer, or by the seller as asked)."""
    kind = QUOTE_WEBHOOKS.get(event_kind)
    if kind is None:
        return
    announce(
        Event(
            type=kind,
            key=f"{kind}:{quote.pk}:v{quote.version}",
            reference=quote.number,
            data=lambda: quote_payload(quote_document(quote)),
        )
    )
