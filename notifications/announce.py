"""What an app hands the outbox when something happened: small typed messages.

Each domain app announces its own events in its ``notify`` module: it picks the
recipients, writes the subject and the facts the email's lead text reads, says
which page and company it is about, builds a webhook's payload from its own
document, and calls ``announce`` inside the transaction of the change. The outbox
applies the rules every message shares (``notification_enqueue``,
``webhook_enqueue``) and knows no app above it, not even by URL name.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from companies.models import User

from .kinds import email_kind_for, webhook_event_for
from .services import notification_enqueue, webhook_enqueue
from .services.webhooks import webhook_endpoints


@dataclass(frozen=True)
class About:
    """Whose order or quote an email is about (only its contacts and site admins are told),
    its number, and its page in the portal. ``company_id`` None: a site admin's account."""

    company_id: int | None
    reference: str = ""
    path: str = ""


@dataclass(frozen=True)
class Email:
    """People told of one event: an inbox entry each, and an email unless they chose not to.

    ``key`` names the event (kind, object, version): the same key reaches a person
    once. ``facts`` fill the kind's lead text and are what its link makers read;
    ``details`` are (label, value) rows listed under it (a document's header),
    ``quoted`` the words of ``quoted_by`` shown as a quotation, ``changes`` what
    changed since the person last saw it.
    """

    kind: str
    recipients: Sequence[User]
    key: str
    subject: str
    about: About
    actor: User | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    details: Sequence[Sequence[str]] = ()
    quoted: str = ""
    quoted_by: str = ""
    changes: Sequence[str] = ()

    def context(self) -> dict:
        """What the row keeps for rendering its email later."""
        context = dict(self.facts)
        if self.details:
            context["details"] = [[str(label), str(value)] for label, value in self.details]
        if self.quoted or self.quoted_by:
            context["quoted"] = self.quoted
            context["quoted_by"] = self.quoted_by
        if self.changes:
            context["changes"] = [str(change) for change in self.changes]
        return context


@dataclass(frozen=True)
class Event:
    """A webhook event for the endpoints subscribed to ``type``.

    ``key`` names it (object and version): queued twice it is one delivery per
    endpoint, with one event id. ``data`` builds the payload's ``data``; it is called
    only when an endpoint wants the event.
    """

    type: str
    key: str
    reference: str
    data: Callable[[], dict]


def announce(*messages: Email | Event) -> int:
    """Queue each message in the caller's transaction; how many rows were written.

    Rule: a kind or an event type must be registered (``notifications.kinds``);
    the outbox's rules then hold for each (``notification_enqueue``,
    ``webhook_enqueue``), and nothing is sent before the caller commits.
    """
    written = 0
    endpoints = None
    for message in messages:
        if isinstance(message, Email):
            email_kind_for(message.kind)  # a kind nobody registered cannot be rendered
            written += len(
                notification_enqueue(
                    kind=message.kind,
                    recipients=message.recipients,
                    key=message.key,
                    subject=message.subject,
                    company_id=message.about.company_id,
                    reference=message.about.reference,
                    path=message.about.path,
                    actor=message.actor,
                    context=message.context(),
                )
            )
        else:
            webhook_event_for(message.type)
            if endpoints is None:  # read once for every event of the call
                endpoints = webhook_endpoints()
            written += len(
                webhook_enqueue(
                    event=message.type,
                    key=message.key,
                    reference=message.reference,
                    data=message.data,
                    endpoints=endpoints,
                )
            )
    return written
