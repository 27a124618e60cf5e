from django import template

from notifications.selectors import Unread, notification_unread_for

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> Unread:
    """The person's unread count for the navigation and the inbox (one query a request)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return Unread()
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = notification_unread_for(user=request.user)
    return request._unread_notifications
