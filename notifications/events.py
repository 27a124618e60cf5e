"""One function per event that people are told about.

Services call these inside the transaction of the change they announce; each
writes the outbox rows for its recipients (who they are is decided here, in
one place). Sending happens after commit, in a Celery worker.
"""

from collections.abc import Iterable

from companies.models import User


def order_waiting_for_approval(*, order, step, actor: User | None) -> None:
    """A step opened (a new order, an edit, or the next tier of a chain)."""


def order_decided(*, order, actor: User, approved: bool, comment: str) -> None:
    """The order's outcome is final: approved by the last step, or rejected."""


def order_left_queue(*, order, actor: User, approvers: Iterable[User], reason: str) -> None:
    """An order that was waiting was edited or cancelled; ``reason`` is "edited" or "cancelled"."""


def quote_requested(*, quote, actor: User) -> None:
    """A buyer asked for a quote."""


def quote_edited(*, quote, actor: User) -> None:
    """A buyer changed the lines of a quote (a counter-proposal when it was offered)."""


def quote_withdrawn(*, quote, actor: User) -> None:
    """A buyer withdrew a quote."""


def quote_message_posted(*, quote, message, actor: User) -> None:
    """Someone posted on a quote's thread."""


def quote_offered(*, quote, actor: User) -> None:
    """A site admin offered prices (or accepted the quote as requested)."""


def quote_accepted(*, quote, actor: User) -> None:
    """A buyer accepted an offer."""


def quote_rejected(*, quote, actor: User, reason: str) -> None:
    """A site admin rejected a quote."""


def quote_expired(*, quote) -> None:
    """An offer ran past its expiry."""
