"""A company administrator's colleagues: deactivating and reactivating them.

Rules:

- Only an active administrator of the company acts, on the company's own people
  (never a site admin's account, never another company's person).
- Nobody deactivates themselves here, and the company keeps at least one active
  administrator: two administrators deactivating each other at once queue on the
  company's lock, and the second finds they no longer may.
- Deactivating ends the person's sessions (Django refuses inactive accounts),
  withdraws an invitation still waiting, and routes again the orders waiting for
  their approval (``approvals.services.approval_contacts_deactivate``, as Django
  admin does).
- Reactivating routes the company's waiting orders again too (the person's tiers
  count again); a person who never chose a password gets a new invitation.

Site admins do the same in Django admin, where they may also remove the role.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.services import approval_company_reroute, approval_contacts_deactivate
from companies.models import Company, User
from companies.services import users_reactivate
from core.domain import InvalidState, NotAllowed
from core.locks import lock
from core.transitions import transition
from orders.models import Order

from ..models import INVITER, Invitation, InvitationStatus
from ..selectors import is_company_admin
from .invitations import invitation_create

ONLY_ADMINS = gettext_lazy("Only your company's administrators manage its people.")


def _lock(actor: User, user_id: int) -> tuple[User, User, Invitation | None]:
    """Lock the company, the person's waiting invitation, then both people (``core.locks``)."""
    company_id = actor.company_id
    if company_id is None:
        raise NotAllowed(str(ONLY_ADMINS))
    _company, invitations, people = lock(
        Company.objects.filter(pk=company_id).values_list("pk", flat=True),
        Invitation.objects.filter(
            user_id=user_id, user__company_id=company_id, status=InvitationStatus.PENDING
        ),
        User.objects.filter(pk__in=[actor.pk, user_id]).order_by("pk"),
    )
    invitation = invitations[0] if invitations else None
    rows = {user.pk: user for user in people}
    me, person = rows.get(actor.pk), rows.get(user_id)
    if me is None or not is_company_admin(me) or me.company_id != company_id:
        raise NotAllowed(str(ONLY_ADMINS))
    if person is None or person.is_staff or person.company_id != company_id:
        raise NotAllowed(_("This person is not one of your company's people."))
    return me, person, invitation


@transaction.atomic
def person_deactivate(*, actor: User, user_id: int) -> tuple[User, list[Order]]:
    """Deactivate a colleague; returns them and the orders routed again.

    Rule: this module's docstring.
    """
    me, person, invitation = _lock(actor, user_id)
    if person.pk == me.pk:
        raise NotAllowed(
            _("You cannot deactivate yourself. Ask another administrator or a site admin.")
        )
    if not person.is_active:
        raise InvalidState(_("%(person)s is deactivated already.") % {"person": person})
    if person.is_company_admin:
        others = User.objects.filter(
            company_id=me.company_id, is_company_admin=True, is_active=True, is_staff=False
        ).exclude(pk=person.pk)
        if not others.exists():
            raise NotAllowed(
                _("%(person)s is the company's last administrator.") % {"person": person}
            )
    if invitation is not None:
        transition(invitation, "revoke", by=INVITER)
    _done, rerouted = approval_contacts_deactivate(user_ids=[person.pk], actor=me)
    person.is_active = False
    return person, rerouted


@transaction.atomic
def person_reactivate(*, actor: User, user_id: int) -> tuple[User, Invitation | None, list[Order]]:
    """Let a colleague log in again; returns them, a new invitation if they never joined,
    and the orders routed again.

    Rule: this module's docstring.
    """
    me, person, _invitation = _lock(actor, user_id)
    if person.is_active:
        raise InvalidState(_("%(person)s is active already.") % {"person": person})
    users_reactivate(user_ids=[person.pk])
    person.is_active = True
    rerouted = approval_company_reroute(company_id=me.company_id, actor=me)
    invitation = None
    if not person.has_usable_password():
        invitation = invitation_create(user=person, actor=me)
    return person, invitation, rerouted
