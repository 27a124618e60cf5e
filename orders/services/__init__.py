"""Use cases that change orders, and the rules for the lines a buyer asks for.

- ``lines``: the one home of the line rules (orders and quotes both use it);
- ``lifecycle``: place, edit, cancel, fulfil, and the moves approvals make.
"""

from .header import (
    DuplicatePoReference,
    Header,
    HeaderRequest,
    header_changes,
    header_check,
    po_reference_check,
)
from .lifecycle import (
    QUOTED_ORDER_IS_FIXED,
    order_cancel,
    order_edit,
    order_fulfil,
    order_lock,
    order_move,
    order_place,
    order_place_at_agreed_prices,
    order_route_preview,
)
from .lines import (
    MAX_LINES,
    CheckedLine,
    LineRequest,
    PricedLine,
    lines_check,
    lines_price,
    lines_total,
)

__all__ = [
    "DuplicatePoReference",
    "Header",
    "HeaderRequest",
    "header_changes",
    "header_check",
    "order_route_preview",
    "po_reference_check",
    "MAX_LINES",
    "QUOTED_ORDER_IS_FIXED",
    "CheckedLine",
    "LineRequest",
    "PricedLine",
    "lines_check",
    "lines_price",
    "lines_total",
    "order_cancel",
    "order_edit",
    "order_fulfil",
    "order_lock",
    "order_move",
    "order_place",
    "order_place_at_agreed_prices",
]
