"""What an order's lines became between two of its versions."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import format_money

from ..models import Order, OrderEvent


@dataclass(frozen=True)
class LineChange:
    sku: str
    name: str
    change: str  # "added", "removed" or "changed"
    quantity_before: int | None = None
    quantity_after: int | None = None
    price_before: Decimal | None = None
    price_after: Decimal | None = None

    def __str__(self) -> str:
        if self.change == "added":
            return _("%(sku)s %(name)s added: %(quantity)s at %(price)s") % {
                "sku": self.sku,
                "name": self.name,
                "quantity": self.quantity_after,
                "price": format_money(self.price_after),
            }
        if self.change == "removed":
            return _("%(sku)s %(name)s removed (was %(quantity)s)") % {
                "sku": self.sku,
                "name": self.name,
                "quantity": self.quantity_before,
            }
        parts = []
        if self.quantity_before != self.quantity_after:
            parts.append(
                _("quantity %(before)s → %(after)s")
                % {"before": self.quantity_before, "after": self.quantity_after}
            )
        if self.price_before != self.price_after:
            parts.append(
                _("unit price %(before)s → %(after)s")
                % {
                    "before": format_money(self.price_before),
                    "after": format_money(self.price_after),
                }
            )
        return f"{self.sku} {self.name}: {', '.join(parts)}"


@dataclass(frozen=True)
class OrderChanges:
    """What an order's lines became between two of its versions."""

    since_version: int
    lines: list[LineChange]
    total_before: Decimal
    total_after: Decimal

    def summary(self) -> list[str]:
        """One line per change, the total last: for an email."""
        total = _("Total %(before)s → %(after)s") % {
            "before": format_money(self.total_before),
            "after": format_money(self.total_after),
        }
        return [str(line) for line in self.lines] + [total]


def _lines_at(events: list[OrderEvent], version: int) -> list[dict] | None:
    kept = [e for e in events if e.lines is not None and (e.version or 0) <= version]
    return kept[-1].lines if kept else None


def order_changes_since(*, order: Order, version: int) -> OrderChanges | None:
    """What changed in the order's lines since ``version``; None when nothing did (or the
    order's history cannot tell). One query, on the order's events."""
    if version >= order.version:
        return None
    events = list(
        OrderEvent.objects.filter(order=order, lines__isnull=False)
        .only("version", "lines")
        .order_by("created_at", "id")
    )
    before, after = _lines_at(events, version), _lines_at(events, order.version)
    if before is None or after is None or before == after:
        return None
    old = {line["sku"]: line for line in before}
    new = {line["sku"]: line for line in after}
    changes = []
    for sku, line in new.items():
        was = old.get(sku)
        if was is None:
            changes.append(
                LineChange(
                    sku,
                    line["name"],
                    "added",
                    None,
                    line["quantity"],
                    None,
                    Decimal(line["unit_price"]),
                )
            )
        elif (was["quantity"], was["unit_price"]) != (line["quantity"], line["unit_price"]):
            changes.append(
                LineChange(
                    sku,
                    line["name"],
                    "changed",
                    was["quantity"],
                    line["quantity"],
                    Decimal(was["unit_price"]),
                    Decimal(line["unit_price"]),
                )
            )
    for sku, line in old.items():
        if sku not in new:
            changes.append(LineChange(sku, line["name"], "removed", line["quantity"]))
    return OrderChanges(
        since_version=version,
        lines=changes,
        total_before=sum((Decimal(line["line_total"]) for line in before), Decimal("0.00")),
        total_after=sum((Decimal(line["line_total"]) for line in after), Decimal("0.00")),
    )
