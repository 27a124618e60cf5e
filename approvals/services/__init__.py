"""Approval use cases, by sub-domain.

- ``routing``: which steps an order needs (``ApprovalRouter`` answers orders'
  question, see ``orders.routing``);
- ``steps``: the one place a step moves, keeping each approver's copy true;
- ``decisions``: approvers and site admins approve or reject;
- ``tiers``: orders already waiting when a company's approval setup changes.
"""

from .decisions import (
    DecisionResult,
    approval_step_decide,
    approval_steps_bulk_approve,
    approval_steps_bulk_decide,
)
from .delegation import delegation_cancel, delegation_check, delegation_plan, delegations_apply
from .routing import ApprovalRouter, company_tiers, route_plan
from .tiers import approval_company_reroute, approval_contacts_deactivate

__all__ = [
    "ApprovalRouter",
    "DecisionResult",
    "approval_company_reroute",
    "approval_contacts_deactivate",
    "approval_step_decide",
    "approval_steps_bulk_approve",
    "approval_steps_bulk_decide",
    "delegation_cancel",
    "delegation_check",
    "delegation_plan",
    "delegations_apply",
    "company_tiers",
    "route_plan",
]
