from django import template

from quotations.models import DESK_PERMISSION
from quotations.selectors import quote_waiting_count

register = template.Library()


@register.simple_tag(takes_context=True)
def quotes_waiting(context) -> int:
    """Quotes waiting for my side, for the navigation badge (one query a request)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    user = request.user
    if user.is_staff and not user.has_perm(DESK_PERMISSION):
        return 0
    if not hasattr(request, "_quotes_waiting"):
        request._quotes_waiting = quote_waiting_count(user=user)
    return request._quotes_waiting
