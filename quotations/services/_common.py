"""What the quote use cases share: input shapes, checks, locks and records.

Lock order: see ``core.domain`` (company -> quote -> order -> ...). Every
writer of a quote's lines, revisions or status locks the quote row first.
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
from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion
from orders.models import MAX_LINE_QUANTITY
from orders.services import LineRequest

from ..models import (
    CENT,
    DESK_PERMISSION,
    MAX_MESSAGE_LENGTH,
    MAX_QUOTE_LINES,
    MAX_QUOTE_TOTAL,
    MAX_UNIT_PRICE,
    QUOTE_ACTIONS,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteMessage,
    QuoteRevision,
)


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
class CheckedLine:
    product: Product
    quantity: int
    target_unit_price: Decimal | None


def quantity_error(quantity) -> str | None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return _("Quantity must be a whole number.")
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        return _("Quantity must be between 1 and %(max)s.") % {"max": f"{MAX_LINE_QUANTITY:,}"}
    return None


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


def check_lines(*, lines: Sequence[AskedLine]) -> list[CheckedLine]:
    """Check a buyer's lines: active products, 1..100,000 each, target prices sane.

    The same product twice becomes one line with the quantities added; two
    different target prices for it are refused. ``lines`` may be
    ``QuoteLineRequest`` or ``orders.services.LineRequest`` (no target).
    """
    merged: dict[str, list] = {}
    errors: dict[str | None, list[str]] = {}
    for line in lines:
        sku = (line.sku or "").strip().upper()
        target = getattr(line, "target_unit_price", None)
        if sku not in merged:
            merged[sku] = [0, None]
        entry = merged[sku]
        if (error := quantity_error(line.quantity)) is not None:
            errors.setdefault(sku, []).append(error)
        else:
            entry[0] += line.quantity
        if target is not None:
            if (error := price_error(target)) is not None:
                errors.setdefault(sku, []).append(error)
            elif entry[1] is not None and entry[1] != target:
                errors.setdefault(sku, []).append(
                    _("%(sku)s has two different target prices.") % {"sku": sku}
                )
            else:
                entry[1] = target
    if not merged:
        raise InvalidInput(_("A quote needs at least one line."))
    if len(merged) > MAX_QUOTE_LINES:
        raise InvalidInput(_("A quote can have at most %(max)s lines.") % {"max": MAX_QUOTE_LINES})
    for sku, (quantity, _target) in merged.items():
        if sku not in errors and quantity > MAX_LINE_QUANTITY:
            errors.setdefault(sku, []).append(
                _("%(sku)s: at most %(max)s per quote.")
                % {"sku": sku, "max": f"{MAX_LINE_QUANTITY:,}"}
            )
    products = {
        p.sku.upper(): p for p in Product.objects.filter(sku__in=list(merged), is_active=True)
    }
    for sku in merged:
        if sku not in products:
            errors.setdefault(sku, []).append(
                _("%(sku)s is not a product you can ask a quote for.") % {"sku": sku or "?"}
            )
    if errors:
        raise InvalidInput(_("Some lines cannot be quoted."), errors=errors)
    return [
        CheckedLine(product=products[sku], quantity=quantity, target_unit_price=target)
        for sku, (quantity, target) in merged.items()
    ]


def clean_text(text: str | None, *, required: bool, field: str = "body") -> str:
    """A person's text, stripped; limited to 5,000 characters and never empty if required."""
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


def check_requester(buyer: User) -> Company:
    company = buyer.company
    if company is None or not buyer.is_active or buyer.is_staff:
        raise NotAllowed(_("Only contact persons of a company can ask for quotes."))
    if not company.is_active:
        raise NotAllowed(
            _("%(company)s is inactive and cannot ask for quotes.") % {"company": company}
        )
    return company


def check_contact(actor: User, quote: Quote, *, active_company: bool = True) -> None:
    """Only the company that asked acts on the buyer's side."""
    if not actor.is_active or actor.is_staff or actor.company_id != quote.company_id:
        raise NotAllowed(_("Only the company that asked for this quote can do this."))
    if active_company and not quote.company.is_active:
        raise NotAllowed(
            _("%(company)s is inactive and cannot do this.") % {"company": quote.company}
        )


def is_desk(actor: User) -> bool:
    return actor.is_active and actor.is_staff and actor.has_perm(DESK_PERMISSION)


def check_desk(actor: User) -> None:
    if not is_desk(actor):
        raise NotAllowed(_("Only site admins on the quote desk can do this."))


def lock_quote(quote_id: int) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote_id)


def check_move(quote: Quote, action: str) -> None:
    move = QUOTE_ACTIONS[action]
    if quote.status in move.sources:
        return
    status = quote.get_status_display().lower()
    if quote.status == move.target:
        raise InvalidState(
            _("Quote %(number)s is already %(status)s.")
            % {"number": quote.number, "status": status}
        )
    raise InvalidState(
        _("Quote %(number)s is %(status)s; this can no longer be done.")
        % {"number": quote.number, "status": status}
    )


def check_version(quote: Quote, seen_version: int) -> None:
    if quote.version != seen_version:
        raise StaleVersion(
            _("Quote %(number)s changed while you were looking at it. Please check it again.")
            % {"number": quote.number}
        )


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


def touch(quote: Quote, now: datetime, *, status: str | None = None) -> list[str]:
    """Move the quote on (new status, new version, new activity); returns fields to save."""
    if status is not None:
        quote.status = status
    quote.version += 1
    quote.last_activity_at = now
    return ["status", "version", "last_activity_at", "updated_at"]


def _price_text(price: Decimal | None) -> str | None:
    return None if price is None else str(price)


def snapshot(quote: Quote) -> list[dict]:
    return [
        {
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": line.quantity,
            "catalog_unit_price": _price_text(line.product.unit_price),
            "target_unit_price": _price_text(line.target_unit_price),
            "offered_unit_price": _price_text(line.offered_unit_price),
        }
        for line in QuoteLine.objects.filter(quote=quote).select_related("product").order_by("id")
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
    return QuoteEvent.objects.create(
        quote=quote,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=quote.status,
        comment=comment,
    )
