"""Invitations: a person joins by a single-use link that expires.

Rules:

- A site admin (staff with ``companies.add_user``) invites into any company and
  may make the person its administrator; a company administrator invites
  colleagues into their own company only, never as administrators.
- Whoever manages a person (a site admin who changes contacts, or their company's
  administrator) sends a new link or withdraws the invitation while it waits.
- One pending invitation per person. Every new link (sent again, or renewed by the
  person once it expired) takes a new nonce, so the links sent before stop working.
- Accepting sets the person's password and name, once. A withdrawn invitation, an
  accepted one or a deactivated person's link no longer works.
- Withdrawing deactivates the person, who never joined: a tier naming them routes on.

Links are made when the email is sent (``accounts.tokens``); nothing here stores one.
"""

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from approvals.services import approval_contacts_deactivate
from companies.models import Company, User
from companies.services import contact_create, user_password_set, user_profile_update
from core.domain import InvalidState, NotAllowed
from core.locks import lock, lock_first, lock_one
from core.submissions import submission_claim, submission_done
from core.transitions import initial_status, transition

from .. import notify
from ..models import INVITEE, INVITER, Invitation, InvitationStatus
from ..selectors import EXPIRED, INVALID, USED, WITHDRAWN, invitation_problem, is_company_admin
from ..tokens import invitation_token_matches, new_nonce

INVITE_PERMISSION = "companies.add_user"
MANAGE_PERMISSION = "companies.change_user"


def problem_message(problem: str, invitation: Invitation | None = None) -> str:
    """What a person reads when their invitation link does not work."""
    if problem == EXPIRED and invitation is not None:
        when = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
        return _("This invitation link expired on %(when)s.") % {"when": when}
    return {
        INVALID: _(
            "This link is not valid. A newer email may have replaced it: use the latest "
            "one, or ask whoever invited you for a new link."
        ),
        EXPIRED: _("This invitation link expired."),
        USED: _(
            "This invitation was accepted already. Log in with your email address and "
            "password, or reset the password if you forgot it."
        ),
        WITHDRAWN: _(
            "This invitation was withdrawn. Ask your company's administrator if you should "
            "have access."
        ),
    }[problem]


def _expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


def _check_inviter(actor: User, *, company_id: int | None, company_admin: bool) -> None:
    if actor.is_staff:
        if actor.is_active and actor.has_perm(INVITE_PERMISSION):
            return
        raise NotAllowed(_("Only site admins who add contacts invite people."))
    if not is_company_admin(actor) or actor.company_id != company_id:
        raise NotAllowed(_("Only your company's administrators invite colleagues."))
    if company_admin:
        raise NotAllowed(_("Only site admins make company administrators."))


def _check_manages(actor: User, person: User) -> None:
    """A site admin manages every contact; a company administrator their company's."""
    if person.is_staff and not actor.is_superuser:
        raise NotAllowed(_("Site admins' accounts are a superuser's to manage."))
    if actor.is_staff:
        if actor.is_active and actor.has_perm(MANAGE_PERMISSION):
            return
        raise NotAllowed(_("Only site admins who change contacts manage invitations."))
    if is_company_admin(actor) and person.company_id == actor.company_id:
        return
    raise NotAllowed(_("Only your company's administrators manage its people."))


def _new_link(invitation: Invitation) -> list[str]:
    """A fresh nonce and expiry: the fields a new link changes."""
    invitation.nonce = new_nonce()
    invitation.expires_at = _expiry()
    invitation.sent_count += 1
    return ["nonce", "expires_at", "sent_count"]


def invitation_create(*, user: User, actor: User | None) -> Invitation:
    """A pending invitation for an existing person, emailed after commit (caller's
    transaction; the caller checked who may)."""
    invitation = Invitation(
        user=user,
        invited_by=actor,
        status=initial_status(Invitation, "send", by=INVITER),
        nonce=new_nonce(),
        expires_at=_expiry(),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise InvalidState(
            _("%(person)s has an invitation waiting already.") % {"person": user}
        ) from None
    notify.invitation_sent(invitation=invitation)
    return invitation


@transaction.atomic
def invitation_send(
    *,
    actor: User,
    email: str,
    full_name: str,
    job_title: str = "",
    company_id: int | None,
    company_admin: bool = False,
    submission_key: UUID | None = None,
) -> Invitation:
    """Add a person without a password and email them a link to choose one.

    Rule: see this module's docstring (who invites whom); one account per address.
    """
    _check_inviter(actor, company_id=company_id, company_admin=company_admin)
    if company_id is not None and not Company.objects.filter(pk=company_id).exists():
        raise NotAllowed(_("This company does not exist."))
    submission_claim(key=submission_key, user=actor)
    user = contact_create(
        email=email,
        full_name=full_name,
        job_title=job_title,
        company_id=company_id,
        company_admin=company_admin,
    )
    invitation = invitation_create(user=user, actor=actor)
    submission_done(key=submission_key, result=str(user.pk))
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, user_id: int, seen_version: int | None) -> Invitation:
    """A new link for a person who has not joined; the links sent before stop working.

    Rule: whoever manages the person; an active person who has no password yet
    (without a waiting invitation, a new one is made).
    """
    invitation = lock_first(
        Invitation.objects.filter(user_id=user_id, status=InvitationStatus.PENDING)
    )
    person = lock_one(User.objects.select_related("company").filter(pk=user_id), of=("self",))
    _check_manages(actor, person)
    if not person.is_active:
        raise InvalidState(
            _("%(person)s is deactivated; reactivate them to invite them again.")
            % {"person": person}
        )
    if invitation is None:
        if person.has_usable_password():
            raise InvalidState(_("%(person)s has joined already.") % {"person": person})
        return invitation_create(user=person, actor=actor)
    invitation.user = person
    transition(
        invitation, "resend", by=INVITER, seen_version=seen_version, fields=_new_link(invitation)
    )
    notify.invitation_sent(invitation=invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, user_id: int, seen_version: int | None) -> Invitation:
    """Withdraw a waiting invitation: its links stop working and the person is deactivated."""
    company_id = User.objects.filter(pk=user_id).values_list("company_id", flat=True).first()
    pending = Invitation.objects.select_related("user").filter(
        user_id=user_id, status=InvitationStatus.PENDING
    )
    # the company first (``core.locks``): re-routing locks it too
    company = Company.objects.filter(pk=company_id).values_list("pk", flat=True)
    *_company, invitations = lock(
        *([company] if company_id is not None else []), pending, of=("self",)
    )
    invitation = invitations[0] if invitations else None
    if invitation is None:
        raise InvalidState(_("No invitation is waiting for this person any more."))
    _check_manages(actor, invitation.user)
    transition(invitation, "revoke", by=INVITER, seen_version=seen_version)
    approval_contacts_deactivate(user_ids=[user_id], actor=actor)
    return invitation


def _lock_with_link(invitation_id: int, token: str) -> Invitation:
    invitation = lock_first(
        Invitation.objects.select_related("user", "user__company", "invited_by").filter(
            pk=invitation_id
        ),
        of=("self",),
    )
    if invitation is None or not invitation_token_matches(invitation, token):
        raise InvalidState(problem_message(INVALID))
    return invitation


@transaction.atomic
def invitation_renew(*, invitation_id: int, token: str) -> Invitation:
    """The person's link expired: a new one, to the same address.

    Rule: only an authentic link of a waiting invitation that expired (a working link
    needs none; an accepted or withdrawn one gets none). The new link goes to the
    address the first one went to, so it proves no more than the first did.
    """
    invitation = _lock_with_link(invitation_id, token)
    problem = invitation_problem(invitation)
    if problem != EXPIRED:
        raise InvalidState(
            problem_message(problem) if problem else _("This link still works; use it.")
        )
    transition(invitation, "renew", by=INVITEE, fields=_new_link(invitation))
    notify.invitation_sent(invitation=invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation_id: int, token: str, password: str, full_name: str) -> User:
    """The invited person chooses a password (and may correct their name): they can log in.

    Rule: once, with the current link, before it expires, while the person is active.
    Two tabs accepting at once: the invitation's lock lets one through.
    """
    invitation = _lock_with_link(invitation_id, token)
    problem = invitation_problem(invitation)
    if problem:
        raise InvalidState(problem_message(problem, invitation))
    invitation.accepted_at = timezone.now()
    transition(invitation, "accept", by=INVITEE, fields=["accepted_at"])
    person = invitation.user
    user_profile_update(user_id=person.pk, full_name=full_name, job_title=person.job_title)
    return user_password_set(user_id=person.pk, password=password)
