"""The quote's message thread."""

from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import User
from core.domain import InvalidState, NotAllowed
from core.submissions import submission_claim, submission_done

from .. import notify
from ..models import Quote, QuoteMessage
from ._common import check_contact, clean_text, is_desk, lock_quote, write_message


@transaction.atomic
def quote_post_message(
    *, quote_id: int, actor: User, body: str, submission_key: UUID | None = None
) -> QuoteMessage:
    """Post on a quote's thread.

    Rule: the buyer's company or the quote desk, while the deal is alive
    (requested, offered or accepted); 1..5,000 characters. A message changes no
    price, so it does not change the quote's version either.
    """
    submission_claim(key=submission_key, user=actor)
    quote: Quote = lock_quote(quote_id)
    if not is_desk(actor):
        try:
            check_contact(actor, quote, active_company=False)
        except NotAllowed:
            raise NotAllowed(_("You cannot post on this quote.")) from None
    if not quote.is_open:
        raise InvalidState(
            _("Quote %(number)s is %(status)s; its thread is closed.")
            % {"number": quote.number, "status": quote.get_status_display().lower()}
        )
    message = write_message(quote, author=actor, body=clean_text(body, required=True, field="body"))
    quote.last_activity_at = timezone.now()
    quote.save(update_fields=["last_activity_at", "updated_at"])
    notify.quote_message_posted(quote=quote, message=message, actor=actor)
    submission_done(key=submission_key, result=quote.number)
    return message
