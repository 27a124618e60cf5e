"""The kinds of emails and of webhook events, registered in code by the app that owns them.

The outbox knows no app above it. Each domain app names what it tells people
and machines in its own ``notify`` module, once, when Django starts (the app's
``ready`` imports it):

    ORDER_APPROVED = email_kind(
        "order_approved",
        label=_("Order approved"),                        # the preferences page, the inbox
        lead=_("Your order {number} ({total}) was approved."),   # the email's first words
        button=_("View the order"),
        optional_for=[CONTACTS],                          # who may switch it off
    )
    PLACED = webhook_event("order.placed", label=_("Order placed"))

The value is what a row stores (``Notification.kind``, ``WebhookDelivery.event``)
and what a receiver subscribes to; the fields list the registered ones as their
choices through a function, so a new kind needs no migration. Every list of them
(the preferences page, the admin's filters, an endpoint's events) follows the
apps' order in INSTALLED_APPS, then the order each module declares them in,
whichever module Django happened to import first.
"""

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import Notification

# Who may switch a kind of email off: contact persons (buyers, approvers), site admins.
CONTACTS = "contacts"
STAFF = "staff"
SIDES = frozenset({CONTACTS, STAFF})

# The longest value a row can store (``Notification.kind``, ``WebhookDelivery.event``).
MAX_VALUE_LENGTH = 30

# The address of the email's button, made when the email is sent (a link that is a
# secret itself is never stored): absolute, or "" when there is nothing to link to.
LinkMaker = Callable[["Notification"], str]
# Links beside the button (an approval email's "Approve", "Reject"): (label, absolute URL).
ExtraLinks = Callable[["Notification"], list[tuple[str, str]]]


@dataclass(frozen=True)
class EmailKind:
    """What an email of one kind says first, what its button does, and who may turn it off."""

    value: str
    label: str
    lead: str  # placeholders ({number}, {actor}, ...) are read from the row's context
    button: str
    # The sides whose people may choose not to get it by email; none: always emailed.
    optional_for: frozenset[str]
    # False: about the person's own account (an invitation, a reset), with no choice to offer.
    preferences_link: bool = True
    link: LinkMaker | None = None  # None: the page the row is about
    extra_links: ExtraLinks | None = None
    module: str = field(default="", compare=False)  # where it was registered

    @property
    def always_emailed(self) -> bool:
        return not self.optional_for


@dataclass(frozen=True)
class EventType:
    """A webhook event a receiver may subscribe to."""

    value: str
    label: str
    module: str = field(default="", compare=False)


_email_kinds: dict[str, EmailKind] = {}
_event_types: dict[str, EventType] = {}
_preferences_page: list[Callable[[], str]] = []


def _registering_module() -> str:
    """The module that called the registering function (two frames up)."""
    return sys._getframe(2).f_globals.get("__name__", "")


def _in_app_order(registered: Iterable):
    """``registered`` in the order of the apps that registered them (INSTALLED_APPS), each
    app's in the order it declared them; kinds from outside any app come last."""
    configs = list(apps.get_app_configs())

    def rank(item) -> int:
        config = apps.get_containing_app_config(item.module) if item.module else None
        return configs.index(config) if config is not None else len(configs)

    return sorted(registered, key=rank)


def _check_value(value: str, known: dict, what: str, new) -> None:
    if not value or len(value) > MAX_VALUE_LENGTH:
        raise ImproperlyConfigured(f"A {what} needs a value of 1 to {MAX_VALUE_LENGTH} characters.")
    if value in known and known[value] != new:
        raise ImproperlyConfigured(f"The {what} {value!r} is registered twice.")


def email_kind(
    value: str,
    *,
    label: str,
    lead: str,
    button: str,
    optional_for: Iterable[str] = (),
    preferences_link: bool = True,
    link: LinkMaker | None = None,
    extra_links: ExtraLinks | None = None,
) -> str:
    """Register a kind of email (from the ``notify`` module of the app that sends it).

    Returns ``value``, the name the app announces it by. Registering the same kind
    again changes nothing; another kind under a taken value is refused.
    """
    sides = frozenset(optional_for)
    if not sides <= SIDES:
        raise ImproperlyConfigured(f"optional_for names {sorted(sides - SIDES)}: not a side.")
    kind = EmailKind(
        value=value,
        label=label,
        lead=lead,
        button=button,
        optional_for=sides,
        preferences_link=preferences_link,
        link=link,
        extra_links=extra_links,
        module=_registering_module(),
    )
    _check_value(value, _email_kinds, "kind of email", kind)
    _email_kinds[value] = kind
    return value


def webhook_event(value: str, *, label: str) -> str:
    """Register a webhook event (from the ``notify`` module of the app that announces it)."""
    event = EventType(value=value, label=label, module=_registering_module())
    _check_value(value, _event_types, "webhook event", event)
    _event_types[value] = event
    return value


def email_kind_for(value: str) -> EmailKind:
    """The registered kind ``value``; ``LookupError`` for a kind no app registered."""
    try:
        return _email_kinds[value]
    except KeyError:
        raise LookupError(f"No app registered the kind of email {value!r}.") from None


def email_kinds() -> tuple[EmailKind, ...]:
    return tuple(_in_app_order(_email_kinds.values()))


def email_kind_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered kind: ``Notification.kind``'s choices."""
    return [(kind.value, kind.label) for kind in email_kinds()]


def optional_email_kinds(*, side: str) -> tuple[str, ...]:
    """The kinds the people of ``side`` may choose not to get by email, in the order listed."""
    return tuple(kind.value for kind in email_kinds() if side in kind.optional_for)


def is_always_emailed(value: str) -> bool:
    kind = _email_kinds.get(value)
    return kind is not None and kind.always_emailed


def webhook_event_for(value: str) -> EventType:
    try:
        return _event_types[value]
    except KeyError:
        raise LookupError(f"No app registered the webhook event {value!r}.") from None


def webhook_events() -> tuple[EventType, ...]:
    return tuple(_in_app_order(_event_types.values()))


def webhook_event_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered event: what an endpoint may subscribe to."""
    return [(event.value, event.label) for event in webhook_events()]


def webhook_event_values() -> list[str]:
    return [event.value for event in webhook_events()]


def preferences_page(path: Callable[[], str]) -> None:
    """Say where a person chooses which emails they get (the app with that page calls this)."""
    _preferences_page[:] = [path]


def preferences_path() -> str:
    """The path of that page, or "" while no app offers one."""
    return _preferences_page[0]() if _preferences_page else ""
