import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from core.caching import bump
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
    # no attempts left (the worker, or the sweep for a claim a dead worker left), or the
    # recipient can no longer be told
    "give_up": Move(
        {WORKER, SWEEP},
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


# --- Webhooks: the outbox's rows for machines -------------------------------


class WebhookEvent(models.TextChoices):
    """What a receiver (a seller's ERP, a buyer's procurement system) may subscribe to."""

    ORDER_PLACED = "order.placed", _("Order placed")
    ORDER_APPROVED = "order.approved", _("Order approved")
    ORDER_REJECTED = "order.rejected", _("Order rejected")
    ORDER_CANCELLED = "order.cancelled", _("Order cancelled")
    ORDER_FULFILLED = "order.fulfilled", _("Order fulfilled")
    QUOTE_REQUESTED = "quote.requested", _("Quote requested")
    QUOTE_OFFERED = "quote.offered", _("Quote offered")
    QUOTE_ACCEPTED = "quote.accepted", _("Quote accepted")


def default_webhook_events() -> list[str]:
    return list(WebhookEvent.values)


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    """A URL a site admin registered to be told of events, with the secret that signs them."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Shared with the receiver, which checks each delivery's signature with it.
    secret = models.CharField(
        _("secret"),
        max_length=200,
        default=new_webhook_secret,
        help_text=_("Signs every delivery (HMAC-SHA256); the receiver verifies it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    events = models.JSONField(_("events"), default=default_webhook_events)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    # Placing an order reads the active endpoints from the shared cache: any change
    # to one makes that copy stale (services.webhooks.webhook_endpoints).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        bump(ENDPOINTS_VERSION)

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        bump(ENDPOINTS_VERSION)
        return deleted


ENDPOINTS_VERSION = "notifications.webhook_endpoints"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


# Every move of a delivery, as for the emails' rows (NOTIFICATION_MOVES): a worker
# claims a row and commits before it calls the receiver, and marks it afterwards.
DELIVERY_MOVES: dict[str, Move] = {
    "queue": Move(EVENT, {NEW}, {DeliveryStatus.PENDING}),
    "claim": Move(WORKER, {DeliveryStatus.PENDING}, {DeliveryStatus.SENDING}),
    "mark_delivered": Move(WORKER, {DeliveryStatus.SENDING}, {DeliveryStatus.DELIVERED}),
    # the receiver was down, slow or answered other than 2xx; attempts remain
    "defer": Move(WORKER, {DeliveryStatus.SENDING}, {DeliveryStatus.PENDING}),
    "give_up": Move(
        {WORKER, SWEEP}, {DeliveryStatus.PENDING, DeliveryStatus.SENDING}, {DeliveryStatus.FAILED}
    ),
    "release": Move(SWEEP, {DeliveryStatus.SENDING}, {DeliveryStatus.PENDING}),
    # a site admin asks for it again (a receiver lost it, or was fixed after failing)
    "resend": Move(
        SITE_ADMIN,
        {DeliveryStatus.FAILED, DeliveryStatus.DELIVERED, DeliveryStatus.PENDING},
        {DeliveryStatus.PENDING},
    ),
}


class WebhookDelivery(Stateful):
    """One event for one endpoint: written with the change it announces, posted after commit.

    ``event_id`` is the same for every endpoint told of one event and for every
    attempt, so a receiver that gets it twice (a re-send) can tell.
    """

    MOVES = DELIVERY_MOVES

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=30, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"))
    reference = models.CharField(_("about"), max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_pending_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="webhook_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.reference} → {self.endpoint_id}"
