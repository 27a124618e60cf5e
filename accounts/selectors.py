"""Reads of the accounts pages, scoped to the person asking."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from approvals.models import ApprovalTier
from approvals.selectors import approval_nav_for, approval_tier_preview
from companies.models import User
from core.pagination import Page, paginate

from .models import Invitation, InvitationStatus, RecoveryCode
from .tokens import invitation_token_matches

# What is wrong with an invitation link (nothing: "").
INVALID, EXPIRED, USED, WITHDRAWN = "invalid", "expired", "used", "withdrawn"


def invitation_problem(invitation: Invitation) -> str:
    """Why an authentic link no longer lets its person in, or ""."""
    if invitation.status == InvitationStatus.ACCEPTED:
        return USED
    if invitation.status == InvitationStatus.REVOKED or not invitation.user.is_active:
        return WITHDRAWN
    if invitation.is_expired:
        return EXPIRED
    return ""


@dataclass(frozen=True)
class LinkCheck:
    invitation: Invitation | None  # None: no invitation has this link
    problem: str


def invitation_check(*, invitation_id: int, token: str) -> LinkCheck:
    """The invitation a link opens, and what is wrong with it."""
    invitation = (
        Invitation.objects.select_related("user", "user__company", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation_token_matches(invitation, token):
        return LinkCheck(None, INVALID)
    return LinkCheck(invitation, invitation_problem(invitation))


def invitation_login(*, invitation_id: int) -> str:
    """The account a link is for, as the lockout counts it (an unknown id stands for itself)."""
    email = Invitation.objects.filter(pk=invitation_id).values_list("user__email", flat=True)
    return (email.first() or f"invitation-{invitation_id}").lower()


# --- Company administrators -------------------------------------------------------


def is_company_admin(user) -> bool:
    """An active contact whom a site admin made their company's administrator."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_company_admin
        and user.company_id is not None
        and not user.is_staff
    )


# A person on the people page: what they can do now.
ACTIVE, INVITED, NOT_JOINED, DEACTIVATED = "active", "invited", "not_joined", "deactivated"


@dataclass(frozen=True)
class Person:
    user: User
    state: str
    invitation: Invitation | None
    approves_from: tuple = ()  # the minimums of the tiers naming them (Decimal)

    @property
    def link_expired(self) -> bool:
        return self.invitation is not None and self.invitation.is_expired


def _state(user: User, invitation: Invitation | None) -> str:
    if not user.is_active:
        return DEACTIVATED
    if invitation is not None:
        return INVITED
    if not user.has_usable_password():
        return NOT_JOINED
    return ACTIVE


PEOPLE_PER_PAGE = 50


def company_people(
    *, admin: User, tiers: list[ApprovalTier] = (), search: str = "", page: str | int | None = 1
) -> Page:
    """One page of the administrator's company's people (never site admins), active
    ones first, found by name or email, with the tiers (of ``tiers``) naming each.

    Two queries whatever the size of the company: the page of people, and the
    pending invitations of those on it.
    """
    users = User.objects.filter(company_id=admin.company_id, is_staff=False)
    search = search.strip()[:100]
    if search:
        users = users.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    people = paginate(users.order_by("-is_active", "full_name", "email"), page, PEOPLE_PER_PAGE)
    pending = {
        invitation.user_id: invitation
        for invitation in Invitation.objects.filter(
            user_id__in=[u.pk for u in people], status=InvitationStatus.PENDING
        )
    }
    minimums: dict[int, list] = {}
    for tier in tiers:
        minimums.setdefault(tier.approver_id, []).append(tier.minimum)
    people.object_list = [
        Person(
            user=u,
            state=_state(u, pending.get(u.pk)),
            invitation=pending.get(u.pk),
            approves_from=tuple(minimums.get(u.pk, ())),
        )
        for u in people
    ]
    return people


def company_person(*, admin: User, user_id: int) -> Person:
    """One of the administrator's people; 404 for anybody else (another company's, staff)."""
    user = User.objects.filter(pk=user_id, company_id=admin.company_id, is_staff=False).first()
    if user is None or not is_company_admin(admin):
        raise Http404
    invitation = Invitation.objects.filter(user=user, status=InvitationStatus.PENDING).first()
    return Person(user=user, state=_state(user, invitation), invitation=invitation)


def person_waiting_orders(*, user: User) -> int:
    """How many orders wait for this person's approval now (routed again if they leave)."""
    return approval_nav_for(user=user).queue_size


@dataclass(frozen=True)
class CompanyApproval:
    mode_label: str
    tiers: list[ApprovalTier]
    preview: list  # approvals.selectors.PreviewRow: where an order of each amount goes


def company_approval_setup(*, admin: User) -> CompanyApproval:
    """The company's approval tiers and where orders go, read-only (site admins set them)."""
    company = admin.company
    tiers = list(
        ApprovalTier.objects.filter(company_id=company.pk)
        .select_related("approver")
        .order_by("minimum", "approver__full_name")
    )
    _mode, preview = approval_tier_preview(company=company)
    return CompanyApproval(
        mode_label=company.get_approval_mode_display(), tiers=tiers, preview=preview
    )


# --- Two-factor -------------------------------------------------------------------


@dataclass(frozen=True)
class TwoFactor:
    device: TOTPDevice | None
    codes_left: int

    @property
    def enabled(self) -> bool:
        return self.device is not None


def two_factor_for(*, user: User) -> TwoFactor:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    codes = RecoveryCode.objects.filter(user=user).count() if device else 0
    return TwoFactor(device=device, codes_left=codes)


def two_factor_enabled(*, user: User) -> bool:
    return TOTPDevice.objects.filter(Q(user=user) & Q(confirmed=True)).exists()
