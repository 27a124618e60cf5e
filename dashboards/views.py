"""The dashboard each person lands on after login: one page, the sections their roles allow."""

import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe

from approvals.selectors import (
    approval_decided_by,
    approval_nav_for,
    approval_overdue_steps,
    approval_queue_for,
    approval_queue_summary,
    approval_staff_queue,
)
from companies.roles import DECIDE_FOR_SITE_ADMINS, OVERSEE_ORDERS
from core.outage import database_unreachable, outage_response
from core.pagination import bounded_count
from orders.selectors import (
    VOLUME_CACHE_SECONDS,
    VOLUME_DAYS,
    order_budget_use,
    order_recent_for_buyer,
    order_volume_by_company,
    order_waiting_for_buyer,
)
from quotations.models import DESK_PERMISSION
from quotations.selectors import (
    quote_desk_counts,
    quote_ready_to_order,
    quote_volume_by_company,
    quote_waiting_for_buyer,
    quote_waiting_for_seller,
)

SECTION_ROWS = 8
# The staff dashboard counts overdue approvals up to this, then says "99+".
OVERDUE_SHOWN = 99


def _contact_sections(request) -> dict:
    user = request.user
    context = {
        "recent_orders": order_recent_for_buyer(user=user, limit=SECTION_ROWS),
        "orders_to_change": order_waiting_for_buyer(user=user, limit=SECTION_ROWS),
        "waiting_quotes": list(quote_waiting_for_buyer(user=user)[:SECTION_ROWS]),
        "ready_quotes": list(quote_ready_to_order(user=user)[:SECTION_ROWS]),
        "budget": order_budget_use(user=user),
    }
    nav = approval_nav_for(user=user)
    request._approval_nav = nav  # the navigation reads it again
    if nav.is_approver:
        queue = list(approval_queue_for(user=user)[:SECTION_ROWS])
        context.update(
            is_approver=True,
            queue=queue,
            queue_summary=approval_queue_summary(nav=nav, first=queue),
            recent_decisions=list(approval_decided_by(user=user)[:5]),
        )
    return context


def _staff_sections(request) -> dict:
    """The sections of a site admin's work their permissions grant (``companies.roles``)."""
    user = request.user
    is_desk = user.has_perm(DESK_PERMISSION)
    can_decide = user.has_perm(DECIDE_FOR_SITE_ADMINS)
    oversees = user.has_perm(OVERSEE_ORDERS)
    context = {
        "is_desk": is_desk,
        "can_decide": can_decide,
        "oversees": oversees,
        "reminder_hours": settings.APPROVAL_REMINDER_HOURS,
        "volume_days": VOLUME_DAYS,
        "volume_minutes": VOLUME_CACHE_SECONDS // 60,
    }
    if is_desk:
        context.update(
            seller_quotes=list(quote_waiting_for_seller(user=user)[:SECTION_ROWS]),
            desk_counts=quote_desk_counts(user=user),
        )
    if can_decide:
        context["site_admin_steps"] = list(approval_staff_queue()[:SECTION_ROWS])
    if oversees:
        overdue = approval_overdue_steps()
        volume = order_volume_by_company()
        quotes = quote_volume_by_company(days=VOLUME_DAYS)
        for row in volume:
            row["quotes"] = quotes.get(row["company_id"], 0)
        context.update(
            overdue_steps=list(overdue[:SECTION_ROWS]),
            # counted up to a bound ("99+"): the count would otherwise grow with the backlog
            overdue_count=bounded_count(overdue, OVERDUE_SHOWN),
            volume=volume,
        )
    return context


@login_required
@require_safe
def home(request):
    user = request.user
    if user.is_staff:
        return render(request, "dashboards/staff.html", _staff_sections(request))
    if user.company_id is None:
        return render(request, "dashboards/contact.html", {"no_company": True})
    return render(request, "dashboards/contact.html", _contact_sections(request))


def server_error(request):
    """The 500 page, branded, rendered without the request: the error may be the database.

    A database that cannot be reached is no error of the portal's: 503 with
    Retry-After, until it is back (``core.outage``)."""
    exc = sys.exc_info()[1]
    if database_unreachable(exc):
        return outage_response(request, exc)
    body = loader.get_template("500.html").render({"PORTAL_NAME": settings.PORTAL_NAME})
    return HttpResponseServerError(body)


def csrf_failure(request, reason: str = ""):
    """A form sent with an expired or missing token: say so, with the navigation."""
    return render(request, "403_csrf.html", status=403)
