from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from core.transitions import NEW, Move, Stateful


class NotificationKind(models.TextChoices):
    ORDER_WAITING = "order_waiting", _("Order waiting for your approval")
    ORDER_APPROVED = "order_approved", _("Order approved")
    ORDER_REJECTED = "order_rejected", _("Order rejected")
    ORDER_CHANGES_REQUESTED = "order_changes", _("Order sent back for changes")
    ORDER_EDITED = "order_edited", _("Waiting order changed")
    ORDER_CANCELLED = "order_cancelled", _("Waiting order cancelled")
    APPROVAL_REMINDER = "approval_reminder", _("Reminder: order still waiting")
    APPROVAL_DELEGATED = "approval_delegated", _("Approvals handed to you while away")
    APPROVAL_OVERDUE = "approval_overdue", _("Order waiting too long (site admins)")
    QUOTE_REQUESTED = "quote_requested", _("Quote requested")
    QUOTE_EDITED = "quote_edited", _("Quote changed by the buyer")
    QUOTE_WITHDRAWN = "quote_withdrawn", _("Quote withdrawn")
    QUOTE_ACCEPTED = "quote_accepted", _("Offer accepted")
    QUOTE_MESSAGE = "quote_message", _("New message on a quote")
    QUOTE_OFFERED = "quote_offered", _("Offer made")
    QUOTE_REJECTED = "quote_rejected", _("Quote rejected")
    QUOTE_EXPIRING = "quote_expiring", _("Offer expiring soon")
    QUOTE_EXPIRED = "quote_expired", _("Offer expired")
    INVITATION = "invitation", _("Invitation to the portal")
    PASSWORD_RESET = "password_reset", _("Password reset")


# A person's own account: the email carries a link made only when it is sent
# (``notifications.links``), never stored in the row.
ACCOUNT_KINDS = frozenset({NotificationKind.INVITATION, NotificationKind.PASSWORD_RESET})

# Decision requests (an order waiting for the person's approval, or for the buyer's
# changes) and a person's own account emails are always emailed.
ALWAYS_EMAILED = frozenset(
    {NotificationKind.ORDER_WAITING, NotificationKind.ORDER_CHANGES_REQUESTED, *ACCOUNT_KINDS}
)

# What each side of the portal may be told of by email besides, in the order the
# preferences page lists them: contact persons (buyers and approvers) and site admins.
CONTACT_EMAIL_KINDS = (
    NotificationKind.ORDER_APPROVED,
    NotificationKind.ORDER_REJECTED,
    NotificationKind.ORDER_EDITED,
    NotificationKind.ORDER_CANCELLED,
    NotificationKind.APPROVAL_REMINDER,
    NotificationKind.APPROVAL_DELEGATED,
    NotificationKind.QUOTE_OFFERED,
    NotificationKind.QUOTE_MESSAGE,
    NotificationKind.QUOTE_REJECTED,
    NotificationKind.QUOTE_EXPIRING,
    NotificationKind.QUOTE_EXPIRED,
)
STAFF_EMAIL_KINDS = (
    NotificationKind.ORDER_EDITED,
    NotificationKind.ORDER_CANCELLED,
    NotificationKind.APPROVAL_REMINDER,
    NotificationKind.APPROVAL_OVERDUE,
    NotificationKind.QUOTE_REQUESTED,
    NotificationKind.QUOTE_EDITED,
    NotificationKind.QUOTE_MESSAGE,
    NotificationKind.QUOTE_WITHDRAWN,
    NotificationKind.QUOTE_ACCEPTED,
)


class NotificationStatus(models.TextChoices):
    """Where the email of a row is: the delivery, not whether it was read."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # the person chose not to get this kind by email: an inbox entry only
    INBOX_ONLY = "inbox_only", _("Not emailed")


# Who moves a row: the service announcing an event, the worker sending it, the
# periodic sweep, a site admin in Django admin.
EVENT, WORKER, SWEEP, SITE_ADMIN = "event", "worker", "sweep", "site_admin"

# Every move of an outbox row; ``transition`` (core.transitions) writes them.
# A worker claims a row and commits before it talks to the SMTP server, and marks
# it sent afterwards, so no lock is held across the conversation; a claim left by
# a worker that died is released by the sweep after NOTIFICATION_CLAIM_TIMEOUT_SECONDS.
NOTIFICATION_MOVES: dict[str, Move] = {
    "queue": Move(EVENT, {NEW}, {NotificationStatus.PENDING, NotificationStatus.INBOX_ONLY}),
    "claim": Move(WORKER, {NotificationStatus.PENDING}, {NotificationStatus.SENDING}),
    "mark_sent": Move(WORKER, {NotificationStatus.SENDING}, {NotificationStatus.SENT}),
    # the SMTP server refused or failed; attempts remain
    "defer": Move(WORKER, {NotificationStatus.SENDING}, {NotificationStatus.PENDING}),
    # no attempts left, or the recipient can no longer be told
    "give_up": Move(
        WORKER,
        {NotificationStatus.PENDING, NotificationStatus.SENDING},
        {NotificationStatus.FAILED},
    ),
    # the worker that claimed it died before it could say how it went
    "release": Move(SWEEP, {NotificationStatus.SENDING}, {NotificationStatus.PENDING}),
    "resend": Move(SITE_ADMIN, {NotificationStatus.FAILED}, {NotificationStatus.PENDING}),
}


class Notification(Stateful):
    """One person told of one event: an entry of their inbox and the outbox row of its email.

    Written in the same transaction as the change it announces; a worker sends
    the email after commit and a periodic sweep re-sends what is still pending,
    so a broker or SMTP outage delays mail but loses none. ``status`` is the
    email's; ``read_at`` says whether the person has seen the entry.
    """

    MOVES = NOTIFICATION_MOVES

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # What the email is about, as the recipient knows it: the company whose order or
    # quote it is (only its contacts and site admins may be told), the number, and
    # where it is in the portal. The outbox knows no app above it.
    # No database constraint: checking one would take a lock on the company's row at
    # commit, after the order's, against the lock order (company -> ... -> order), and
    # deadlock with a re-route that holds the company. Companies are never deleted.
    # None: about a site admin's own account (site admins belong to no company).
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        null=True,
        blank=True,
    )
    reference = models.CharField(_("about"), max_length=20, blank=True)
    path = models.CharField(_("link"), max_length=200, blank=True)
    subject = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)
    # kind + object + the object's version (or message, or reminder period):
    # the same event can never be queued twice for one person.
    key = models.CharField(max_length=120)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker last took the row to send it: its claim, checked when it
    # marks the row, and the age after which the sweep releases it.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="notification_pending_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="notification_sending_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # the unread count in the navigation, on every page: a site admin's, and a
            # contact's (their company's only; without the company in the index the
            # planner met a contact's few unread rows with all of the company's)
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["recipient", "company", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_co_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def link(self) -> str:
        """The page it is about, only ever a path of this portal."""
        path = self.path
        local = path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=set())
        return path if local else ""


class NotificationPreference(models.Model):
    """Which kinds of events a person does not want by email (their inbox has them all)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # Kinds switched off: a kind added later is emailed until the person says otherwise.
    email_off = models.JSONField(_("not emailed"), default=list, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def wants_email(self, kind: str) -> bool:
        return kind in ALWAYS_EMAILED or kind not in self.email_off
