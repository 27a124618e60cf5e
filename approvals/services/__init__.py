"""Approval use cases, by sub-domain.

- ``routing``: which steps an order needs (called by orders' services while
  they hold the order's lock);
- ``decisions``: approvers and site admins approve or reject;
- ``tiers``: orders already waiting when a company's approval setup changes.
"""

from .decisions import DecisionResult, approval_step_decide, approval_steps_bulk_approve
from .routing import (
    RoutingOutcome,
    approval_route,
    approval_steps_close,
    approval_steps_void,
    company_tiers,
    route_plan,
)
from .tiers import approval_company_reroute

__all__ = [
    "DecisionResult",
    "RoutingOutcome",
    "approval_company_reroute",
    "approval_route",
    "approval_step_decide",
    "approval_steps_bulk_approve",
    "approval_steps_close",
    "approval_steps_void",
    "company_tiers",
    "route_plan",
]
