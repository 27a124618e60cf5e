from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import NEW, Move, Stateful


class InvitationStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting for the person")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    REVOKED = "revoked", gettext_lazy("Withdrawn")


# Who moves an invitation: whoever invited (a site admin or the company's
# administrator) or the invited person.
INVITER, INVITEE = "inviter", "invitee"

# Every move of an invitation, checked by ``core.transitions.transition``. Each new
# link (sent, sent again, renewed) takes a new nonce: the links sent before stop
# working. "Expired" is no status: a pending invitation past ``expires_at``.
INVITATION_MOVES: dict[str, Move] = {
    "send": Move(INVITER, {NEW}, {InvitationStatus.PENDING}),
    "resend": Move(INVITER, {InvitationStatus.PENDING}, {InvitationStatus.PENDING}),
    # the invited person's link expired: a new one to the same address
    "renew": Move(INVITEE, {InvitationStatus.PENDING}, {InvitationStatus.PENDING}),
    "accept": Move(INVITEE, {InvitationStatus.PENDING}, {InvitationStatus.ACCEPTED}),
    "revoke": Move(INVITER, {InvitationStatus.PENDING}, {InvitationStatus.REVOKED}),
}


class Invitation(Stateful):
    """A person asked to join, with a single-use link that expires.

    The link is ``/accounts/invitation/<id>/<token>/`` where the token is an HMAC of
    the id and ``nonce`` under the portal's SECRET_KEY (``accounts.tokens``), made
    when the email is sent. The database holds the nonce, never the token: reading
    it does not give a working link. A new link (``resend``, ``renew``) takes a new
    nonce, so the earlier ones stop working; accepting or withdrawing ends it.
    """

    MOVES = INVITATION_MOVES

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("person"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    version = models.PositiveIntegerField(default=1)
    nonce = models.CharField(max_length=32)
    sent_count = models.PositiveSmallIntegerField(gettext_lazy("links sent"), default=1)
    expires_at = models.DateTimeField(gettext_lazy("link expires"))
    accepted_at = models.DateTimeField(gettext_lazy("accepted"), null=True, blank=True)
    created_at = models.DateTimeField(gettext_lazy("invited"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = gettext_lazy("invitation")
        verbose_name_plural = gettext_lazy("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_person",
            ),
        ]

    def __str__(self) -> str:
        return _("Invitation of %(person)s") % {"person": self.user}

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def refusal(self, action: str) -> str:
        if self.status == InvitationStatus.ACCEPTED:
            return _("%(person)s accepted the invitation already.") % {"person": self.user}
        return _("This invitation was withdrawn.")

    def changed_meanwhile(self) -> str:
        return _(
            "The invitation of %(person)s changed while you were looking at it. "
            "Please check it again."
        ) % {"person": self.user}


class RecoveryCode(models.Model):
    """One single-use code that logs a person in when their authenticator is lost.

    Only a SHA-256 digest is stored; the codes carry 80 random bits each, so the
    digest cannot be turned back into a code. Using one deletes it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("recovery code")
        verbose_name_plural = gettext_lazy("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_once"),
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
