"""The rules for an order's header: the buyer's PO reference, where and when to deliver,
the cost centre, a note to the seller. Orders and quotes both use them.

- A PO reference is optional; when given (spaces around it dropped, at most 40
  characters, no control characters) it names one order of the company: another
  order of the company with it is refused, naming that order
  (``DuplicatePoReference``). A partial unique constraint holds it too.
- The delivery address is one of the company's; another company's address is a
  404, as for every object of another company. Without one, the company's
  default; a company without addresses orders without one. The order keeps the
  address's text as it was.
- A requested delivery date is not in the past (the site's time zone) and at
  most two years ahead.
- A cost centre is one of the company's codes when it keeps a list, else free
  text of at most 100 characters.
- A note to the seller has at most 2,000 characters.
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from companies.models import Company
from companies.selectors import cost_centres_of, delivery_address_get, delivery_addresses_of
from core.domain import InvalidInput

from ..models import MAX_COST_CENTRE, MAX_NOTE, MAX_PO_REFERENCE, Order, OrderHeader

MAX_DAYS_AHEAD = 730


class DuplicatePoReference(InvalidInput):
    """The PO reference names another order of the company: ``number`` is that order."""

    def __init__(self, *, reference: str, number: str):
        message = _("Your PO reference %(reference)s is already on order %(number)s.") % {
            "reference": reference,
            "number": number,
        }
        super().__init__(message, {"po_reference": [message]})
        self.number = number


@dataclass(frozen=True)
class HeaderRequest:
    """The header as the buyer asked for it (a form's cleaned data)."""

    po_reference: str = ""
    delivery_address_id: int | None = None
    delivery_date: date | None = None
    cost_centre: str = ""
    note_to_seller: str = ""


@dataclass(frozen=True)
class Header:
    """A checked header, ready to be written on an order or a quote."""

    po_reference: str = ""
    delivery_address_id: int | None = None
    delivery_to: str = ""
    delivery_date: date | None = None
    cost_centre: str = ""
    note_to_seller: str = ""

    @classmethod
    def of(cls, source: OrderHeader) -> "Header":
        """The header an order or a quote carries (a quote's goes into its order)."""
        return cls(
            po_reference=source.po_reference,
            delivery_address_id=source.delivery_address_id,
            delivery_to=source.delivery_to,
            delivery_date=source.delivery_date,
            cost_centre=source.cost_centre,
            note_to_seller=source.note_to_seller,
        )

    def write_to(self, target: OrderHeader) -> list[str]:
        """Set the header on ``target``; returns the fields to save."""
        for f in fields(self):
            setattr(target, f.name, getattr(self, f.name))
        return [f.name for f in fields(self)]


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, {field: [message]})


def _plain(text: str | None, *, field: str, limit: int, label: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise _bad(
            field,
            _("%(label)s can be at most %(max)s characters.") % {"label": label, "max": limit},
        )
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise _bad(
            field, _("%(label)s contains a character that cannot be stored.") % {"label": label}
        )
    return text


def po_reference_check(*, company_id: int, reference: str, order_id: int | None = None) -> str:
    """A PO reference as it will be stored; refused when another order of the company has it."""
    reference = _plain(
        reference, field="po_reference", limit=MAX_PO_REFERENCE, label=_("A PO reference")
    )
    if "\n" in reference or "\r" in reference or "\t" in reference:
        raise _bad("po_reference", _("A PO reference is one line."))
    if reference:
        taken = (
            Order.objects.filter(company_id=company_id, po_reference=reference)
            .exclude(pk=order_id)
            .values_list("number", flat=True)
            .first()
        )
        if taken:
            raise DuplicatePoReference(reference=reference, number=taken)
    return reference


MISSING = object()


def header_check(*, company: Company, header: HeaderRequest, order_id: int | None = None) -> Header:
    """Check a header against the company's details. Rule: see this module's docstring.

    ``order_id``: the order being changed (its own PO reference is not a duplicate).
    """
    reference = po_reference_check(
        company_id=company.pk, reference=header.po_reference, order_id=order_id
    )
    asked = header.delivery_address_id
    read_with_lock = getattr(company, "ordering_address_for", MISSING) == asked
    if read_with_lock and (asked is None or company.ordering_address is not None):
        address = company.ordering_address  # read with the company (no query of its own)
    elif asked is not None:
        address = delivery_address_get(company_id=company.pk, address_id=asked)
    else:
        address = delivery_addresses_of(company_id=company.pk).first()
    when = header.delivery_date
    if when is not None:
        today = timezone.localdate()
        if when < today:
            raise _bad("delivery_date", _("The delivery date cannot be in the past."))
        if when > today + timedelta(days=MAX_DAYS_AHEAD):
            raise _bad(
                "delivery_date",
                _("The delivery date can be at most two years ahead, by %(date)s.")
                % {"date": formats.date_format(today + timedelta(days=MAX_DAYS_AHEAD))},
            )
    centre = _plain(
        header.cost_centre, field="cost_centre", limit=MAX_COST_CENTRE, label=_("A cost centre")
    )
    if centre:
        codes = list(cost_centres_of(company_id=company.pk).values_list("code", flat=True))
        if codes and centre not in codes:
            raise _bad("cost_centre", _("Choose one of your company's cost centres."))
    note = _plain(header.note_to_seller, field="note_to_seller", limit=MAX_NOTE, label=_("A note"))
    return Header(
        po_reference=reference,
        delivery_address_id=address.pk if address else None,
        delivery_to=address.text if address else "",
        delivery_date=when,
        cost_centre=centre,
        note_to_seller=note,
    )


def header_changes(before: Header, after: Header) -> list[str]:
    """What an edit changed in the header, one line each, for the order's history."""
    labels = {
        "po_reference": _("PO reference"),
        "delivery_to": _("Deliver to"),
        "delivery_date": _("Delivery date"),
        "cost_centre": _("Cost centre"),
        "note_to_seller": _("Note to the seller"),
    }
    changes = []
    for name, label in labels.items():
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            show = [
                formats.date_format(v) if isinstance(v, date) else " ".join(str(v).split())
                for v in (old, new)
            ]
            changes.append(
                _("%(field)s: %(old)s → %(new)s")
                % {"field": label, "old": show[0] or "–", "new": show[1] or "–"}
            )
    return changes
