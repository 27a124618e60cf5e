"""Reads of orders that views, other apps and the API share, split by concern:

- ``access``: which orders a person sees, and one order with its page's details;
- ``search``: orders (and quotes, through ``document_search``) found by one term;
- ``spend``: the month's spend against budgets and limits, and volume per company;
- ``lines``: the order form's rows as they are typed, and an order's lines to repeat;
- ``changes``: what an order's lines became between two versions.

The order list as CSV renders each order's document: ``orders.exports``.
"""

from .access import (
    order_get,
    order_get_for_user,
    order_list_for_user,
    order_recent_for_buyer,
    order_visible_to,
    order_waiting_for_buyer,
)
from .changes import LineChange, OrderChanges, order_changes_since
from .lines import LinePreview, order_line_previews, order_lines_to_repeat
from .search import (
    ORDER_SEARCH_FIELDS,
    SEARCH_SPARSE,
    SPARSE_DOCUMENTS,
    SearchParts,
    document_search,
    document_search_terms,
    order_search,
    people_matching,
    search_parts,
)
from .spend import (
    SPEND_EXCLUDED_STATUSES,
    VOLUME_CACHE_SECONDS,
    VOLUME_DAYS,
    VOLUME_ROWS,
    BudgetUse,
    month_start,
    order_budget_use,
    order_spend_this_month,
    order_volume_by_company,
)

__all__ = [
    "ORDER_SEARCH_FIELDS",
    "SEARCH_SPARSE",
    "SPARSE_DOCUMENTS",
    "SPEND_EXCLUDED_STATUSES",
    "VOLUME_CACHE_SECONDS",
    "VOLUME_DAYS",
    "VOLUME_ROWS",
    "BudgetUse",
    "LineChange",
    "LinePreview",
    "OrderChanges",
    "SearchParts",
    "document_search",
    "document_search_terms",
    "month_start",
    "order_budget_use",
    "order_changes_since",
    "order_get",
    "order_get_for_user",
    "order_line_previews",
    "order_lines_to_repeat",
    "order_list_for_user",
    "order_recent_for_buyer",
    "order_search",
    "order_spend_this_month",
    "order_visible_to",
    "order_volume_by_company",
    "order_waiting_for_buyer",
    "people_matching",
    "search_parts",
]
