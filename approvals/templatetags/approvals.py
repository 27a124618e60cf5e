from django import template

from approvals.selectors import (
    ApprovalNav,
    ApprovalProgress,
    approval_nav_for,
    approval_progress_for,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def approval_nav(context) -> ApprovalNav:
    """The approval links of the navigation and the size of my queue (one query a request)."""
    request = context.get("request")
    if request is None:
        return ApprovalNav()
    if not hasattr(request, "_approval_nav"):
        request._approval_nav = approval_nav_for(user=request.user)
    return request._approval_nav


@register.simple_tag(takes_context=True)
def approval_progress(context, order) -> ApprovalProgress:
    """An order's approval steps for its page, as the person asking may see them."""
    return approval_progress_for(order=order, user=context["request"].user)
