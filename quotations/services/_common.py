"""What the quote use cases share: input shapes, checks, locks and records.

Every writer of a quote's lines, revisions or status locks the quote row
first (lock order: ``core.locks``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.models import Product
from companies.models import Company, User
from core.caching import bump
from core.domain import InvalidInput, InvalidState, NotAllowed
from core.locks import lock_one
from core.money import CENT
from core.transitions import Transition, transition
from orders.services import LineRequest, lines_check
from orders.services.lines import normal_sku

from .. import notify
from ..models import (
    DESK_PERMISSION,
    MAX_MESSAGE_LENGTH,
    MAX_QUOTE_TOTAL,
    MAX_UNIT_PRICE,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteMessage,
    QuoteRevision,
    Side,
    status_version,
)
from ..selectors import quote_lines_priced


@dataclass(frozen=True)
class QuoteLineRequest:
    """A line as the buyer asks for it; the target price is what they hope to pay."""

    sku: str
    quantity: int
    target_unit_price: Decimal | None = None


# What a buyer's line may arrive as: from the quote form, or from the order form.
AskedLine = QuoteLineRequest | LineRequest


@dataclass(frozen=True)
class OfferedLine:
    """The seller's answer for one line: a unit price, and a quantity if it changes."""

    line_id: int
    unit_price: Decimal
    quantity: int | None = None


@dataclass(frozen=True)
class CheckedQuoteLine:
    product: Product
    quantity: int
    target_unit_price: Decimal | None


def price_error(price) -> str | None:
    """Why a price typed by a person cannot be used, or None."""
    if not isinstance(price, Decimal) or not price.is_finite():
        return _("Enter a price.")
    if price < 0:
        return _("A price cannot be negative.")
    if price > MAX_UNIT_PRICE:
        return _("A unit price can be at most %(max)s.") % {"max": f"{MAX_UNIT_PRICE:,.2f}"}
    if price != price.quantize(CENT):
        return _("A price has at most two decimal places.")
    return None


def check_lines(*, company_id: int, lines: Sequence[AskedLine]) -> list[CheckedQuoteLine]:
    """Check a buyer's lines: the order line rules (``orders.services.lines``), and sane
    target prices.

    Rule: a target price is a price a person may type (``price_error``); the same
    product asked twice with two different targets is refused.
    """
    errors: dict[str | None, list[str]] = {}
    try:
        checked = lines_check(company_id=company_id, lines=lines)
    except InvalidInput as exc:
        if not exc.errors:
            raise
        errors, checked = dict(exc.errors), []
    for line in lines:
        target = getattr(line, "target_unit_price", None)
        if target is not None and (error := price_error(target)) is not None:
            errors.setdefault(normal_sku(line.sku), []).append(error)
    result = []
    for line in checked:
        targets = {
            asked.target_unit_price
            for asked in line.asked
            if getattr(asked, "target_unit_price", None) is not None
        }
        if len(targets) > 1:
            errors.setdefault(line.sku, []).append(
                _("%(sku)s has two different target prices.") % {"sku": line.sku}
            )
        result.append(
            CheckedQuoteLine(
                product=line.product,
                quantity=line.quantity,
                target_unit_price=next(iter(targets)) if targets else None,
            )
        )
    if errors:
        raise InvalidInput(_("Some lines need a look; see the marked rows."), errors=errors)
    return result


def clean_text(text: str | None, *, required: bool, field: str) -> str:
    """A person's text, stripped; limited to 5,000 characters and never empty if required.

    ``field`` names it as the form and the API do, so a refusal lands on it.
    """
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(_("Write a message first."), errors={field: [_("Write a message.")]})
    if len(text) > MAX_MESSAGE_LENGTH:
        message = _("A message can be at most %(max)s characters; this one has %(n)s.") % {
            "max": f"{MAX_MESSAGE_LENGTH:,}",
            "n": f"{len(text):,}",
        }
        raise InvalidInput(message, errors={field: [message]})
    if "\x00" in text:
        raise InvalidInput(_("The message contains a character that cannot be stored."))
    return text


def check_total(total: Decimal) -> None:
    if total > MAX_QUOTE_TOTAL:
        raise InvalidInput(
            _("A quote can be worth at most %(max)s.") % {"max": f"{MAX_QUOTE_TOTAL:,.2f}"}
        )


def check_buyer(buyer: User) -> Company:
    company = buyer.company
    if company is None or not buyer.is_active or buyer.is_staff:
        raise NotAllowed(_("Only contact persons of a company can ask for quotes."))
    if not company.is_active:
        raise NotAllowed(
            _("%(company)s is inactive and cannot ask for quotes.") % {"company": company}
        )
    return company


def check_contact(actor: User, quote: Quote, *, active_company: bool = True) -> None:
    """Only the company that asked takes part on the buyer's side (its thread)."""
    if not actor.is_active or actor.is_staff or actor.company_id != quote.company_id:
        raise NotAllowed(_("Only the company that asked for this quote can do this."))
    if active_company and not quote.company.is_active:
        raise NotAllowed(
            _("%(company)s is inactive and cannot do this.") % {"company": quote.company}
        )


def check_requester(actor: User, quote: Quote, *, active_company: bool = True) -> None:
    """Only the person who asked changes, withdraws, accepts or orders a quote, as with
    orders; colleagues see it and write on its thread."""
    check_contact(actor, quote, active_company=active_company)
    if actor.pk != quote.requested_by_id:
        raise NotAllowed(_("Only the person who asked for this quote can do this."))


def is_desk(actor: User) -> bool:
    return actor.is_active and actor.is_staff and actor.has_perm(DESK_PERMISSION)


def check_desk(actor: User) -> None:
    if not is_desk(actor):
        raise NotAllowed(_("Only site admins on the quote desk can do this."))


def lock_quote(quote_id: int) -> Quote:
    return lock_one(Quote.objects.filter(pk=quote_id))


def check_not_expired(quote: Quote, now: datetime) -> None:
    if quote.expires_at is not None and quote.expires_at <= now:
        raise InvalidState(
            _(
                "The offer for quote %(number)s expired on %(when)s and can no longer be "
                "accepted. Change the quote to ask for a new offer."
            )
            % {
                "number": quote.number,
                "when": date_format(timezone.localtime(quote.expires_at), "DATETIME_FORMAT"),
            }
        )


def side_of(actor: User | None) -> str:
    """The side a person acts on: the quote desk (seller), the buyer's; no one: the system."""
    if actor is None:
        return Side.SYSTEM
    return Side.SELLER if is_desk(actor) else Side.BUYER


def move(
    quote: Quote,
    action: str,
    now: datetime,
    *,
    actor: User | None,
    seen_version: int | None = None,
    fields: Sequence[str] = (),
) -> Transition:
    """Make ``action`` on a locked quote (``core.transitions``), on the side ``actor`` acts
    on (``side_of``); it counts as activity."""
    quote.last_activity_at = now
    done = transition(
        quote,
        action,
        by=side_of(actor),
        seen_version=seen_version,
        fields=["last_activity_at", *fields],
    )
    if done.source != done.target:
        bump(status_version(), status_version(quote.company_id))
    return done


def _price_text(price: Decimal | None) -> str | None:
    return None if price is None else str(price)


def snapshot(quote: Quote) -> list[dict]:
    """The lines as a revision keeps them, with the catalog price the company had then."""
    lines = quote_lines_priced(
        company_id=quote.company_id,
        lines=QuoteLine.objects.filter(quote=quote).select_related("product").order_by("id"),
    )
    return [
        {
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": line.quantity,
            "catalog_unit_price": _price_text(line.catalog_unit_price),
            "target_unit_price": _price_text(line.target_unit_price),
            "offered_unit_price": _price_text(line.offered_unit_price),
        }
        for line in lines
    ]


def write_revision(quote: Quote, *, kind: str, author: User) -> QuoteRevision:
    """Number the lines as they are now; the quote row is locked, so numbers never clash."""
    last = quote.revisions.aggregate(last=Max("number"))["last"] or 0
    return QuoteRevision.objects.create(
        quote=quote,
        number=last + 1,
        kind=kind,
        author=author,
        lines=snapshot(quote),
        expires_at=quote.expires_at,
    )


def write_message(quote: Quote, *, author: User, body: str) -> QuoteMessage | None:
    if not body:
        return None
    return QuoteMessage.objects.create(quote=quote, author=author, body=body)


def write_event(
    quote: Quote, *, kind: str, actor: User | None, from_status: str, comment: str = ""
) -> QuoteEvent:
    event = QuoteEvent.objects.create(
        quote=quote,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=quote.status,
        comment=comment,
    )
    notify.quote_webhooks(quote=quote, event_kind=kind)
    return event
