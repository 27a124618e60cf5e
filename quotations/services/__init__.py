"""Use cases that change quotes. Lock order: ``core.locks``.

Split by side: ``buyer`` (request, edit, withdraw, accept, place the order),
``desk`` (offer, accept as requested, reject), ``thread`` (messages) and
``expiry`` (the periodic sweep).
"""

from ._common import OfferedLine, QuoteLineRequest
from .buyer import quote_accept, quote_edit, quote_place_order, quote_request, quote_withdraw
from .desk import quote_accept_as_requested, quote_offer, quote_reject
from .expiry import quote_expire_due, quote_expiry_warnings_send
from .thread import quote_post_message

__all__ = [
    "OfferedLine",
    "QuoteLineRequest",
    "quote_accept",
    "quote_accept_as_requested",
    "quote_edit",
    "quote_expire_due",
    "quote_expiry_warnings_send",
    "quote_offer",
    "quote_place_order",
    "quote_post_message",
    "quote_reject",
    "quote_request",
    "quote_withdraw",
]
