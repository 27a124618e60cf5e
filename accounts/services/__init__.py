"""Account use cases, by sub-domain.

- ``invitations``: a person joins by a single-use link that expires;
- ``people``: a company administrator deactivates and reactivates colleagues;
- ``passwords``: "forgot your password?" and a person's own name;
- ``two_factor``: an authenticator app and recovery codes.

Lock order: ``core.locks`` (company, invitation, people, then approvals'
re-routing: orders, steps).
"""

from .invitations import (
    invitation_accept,
    invitation_renew,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    problem_message,
)
from .passwords import password_reset_request, profile_update
from .people import person_deactivate, person_reactivate
from .two_factor import (
    TwoFactorCheck,
    new_secret,
    pending_device,
    recovery_codes_replace,
    two_factor_check,
    two_factor_disable,
    two_factor_enable,
    two_factor_required,
    two_factor_turn_off_for,
)

__all__ = [
    "TwoFactorCheck",
    "invitation_accept",
    "invitation_renew",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "new_secret",
    "password_reset_request",
    "pending_device",
    "person_deactivate",
    "person_reactivate",
    "problem_message",
    "profile_update",
    "recovery_codes_replace",
    "two_factor_check",
    "two_factor_disable",
    "two_factor_enable",
    "two_factor_required",
    "two_factor_turn_off_for",
]
