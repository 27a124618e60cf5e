import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from core.caching import bump
from core.transitions import NEW, Move

from .kinds import (
    email_kind_choices,
    is_always_emailed,
    webhook_event_choices,
    webhook_event_values,
)
from .outbox import EVENT, OUTBOX_MOVES, SITE_ADMIN, OutboxRow, outbox_indexes


class NotificationStatus(models.TextChoices):
    """Where the email of a row is: the delivery, not whether it was read.

    The outbox's statuses (``OutboxStatus``), and one of its own.
    """

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # the person chose not to get this kind by email: an inbox entry only
    INBOX_ONLY = "inbox_only", _("Not emailed")


# The outbox's moves (``notifications.outbox``); a row may also be born an inbox
# entry only, which is never sent.
NOTIFICATION_MOVES: dict[str, Move] = {
    **OUTBOX_MOVES,
    "queue": Move(EVENT, {NEW}, {NotificationStatus.PENDING, NotificationStatus.INBOX_ONLY}),
}


class Notification(OutboxRow):
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
    # The kinds the apps registered (``notifications.kinds``): a new one needs no migration.
    kind = models.CharField(max_length=30, choices=email_kind_choices)
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
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            *outbox_indexes("notification"),
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
        return is_always_emailed(kind) or kind not in self.email_off


# --- Webhooks: the outbox's rows for machines -------------------------------


def default_webhook_events() -> list[str]:
    """Every event the apps registered (``notifications.kinds``): a new endpoint's choice."""
    return webhook_event_values()


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
    """The outbox's statuses (``OutboxStatus``) as a delivery log says them."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "sent", _("Delivered")
    FAILED = "failed", _("Failed")


# The outbox's moves; a delivered event may be re-sent too (a receiver lost it):
# the receiver tells the copy by its event id.
DELIVERY_MOVES: dict[str, Move] = {
    **OUTBOX_MOVES,
    "resend": Move(
        SITE_ADMIN,
        {DeliveryStatus.FAILED, DeliveryStatus.DELIVERED, DeliveryStatus.PENDING},
        {DeliveryStatus.PENDING},
    ),
}


class WebhookDelivery(OutboxRow):
    """One event for one endpoint: written with the change it announces, posted after commit.

    ``event_id`` is the same for every endpoint told of one event and for every
    attempt, so a receiver that gets it twice (a re-send) can tell.
    """

    MOVES = DELIVERY_MOVES

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=30, choices=webhook_event_choices)
    event_id = models.UUIDField(_("event id"))
    reference = models.CharField(_("about"), max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    last_response_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = outbox_indexes("webhook")

    def __str__(self) -> str:
        return f"{self.event} {self.reference} → {self.endpoint_id}"
