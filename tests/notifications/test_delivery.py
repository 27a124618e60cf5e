"""How an outbox row travels: its table of moves, and a worker dying mid-send."""

import ast
from datetime import timedelta
from itertools import product
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from core.domain import InvalidState
from core.transitions import NEW, initial_status, transition
from notifications.models import (
    DELIVERY_MOVES,
    EVENT,
    NOTIFICATION_MOVES,
    DeliveryStatus,
    Notification,
    NotificationStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.outbox import OUTBOX_MOVES, OutboxStatus
from notifications.services import (
    SendResult,
    channels,
    notification_send,
    notification_sweep,
    webhook_enqueue,
)
from tests.factories import OrderFactory
from tests.notifications.test_outbox import enqueue

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


class WorkerKilled(BaseException):
    """The process ends here (SIGKILL, out of memory): nothing after it runs."""


class AcceptedThenKilledBackend(EmailBackend):
    """The SMTP server accepts the message, then the worker dies before it hears back."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


def queued_row() -> Notification:
    order = OrderFactory()
    (row,) = enqueue(order, [order.placed_by])
    return row


def queued_delivery() -> WebhookDelivery:
    WebhookEndpoint.objects.create(name="ERP", url="https://erp.example.com/hooks")
    (pk,) = webhook_enqueue(event="order.placed", key="o1", reference="PO-1", data=dict)
    return WebhookDelivery.objects.get(pk=pk)


# Every table of outbox moves, with a row of its model in a given status.
MACHINES = {
    "notification": (NOTIFICATION_MOVES, NotificationStatus.values, queued_row),
    "delivery": (DELIVERY_MOVES, DeliveryStatus.values, queued_delivery),
}


def row_in(machine: str, status: str):
    row = MACHINES[machine][2]()
    type(row).objects.filter(pk=row.pk).update(status=status)  # a given, not a move
    row.refresh_from_db()
    return row


CASES = [
    pytest.param(machine, status, action, id=f"{machine}-{status}-{action}")
    for machine, (moves, statuses, _make) in MACHINES.items()
    for status, action in product(statuses, moves)
    if NEW not in moves[action].sources
]


@pytest.mark.parametrize(("machine", "status", "action"), CASES)
def test_every_status_and_action_moves_as_the_table_says_or_is_refused(machine, status, action):
    row = row_in(machine, status)
    move = MACHINES[machine][0][action]
    model = type(row)

    if status in move.sources:
        with transaction.atomic():
            done = transition(row, action, by=next(iter(move.who)))
        assert (done.source, done.target) == (status, move.target)
        assert model.objects.get(pk=row.pk).status == move.target
    else:
        with pytest.raises(InvalidState), transaction.atomic():
            transition(row, action, by=next(iter(move.who)))
        assert model.objects.get(pk=row.pk).status == status


def test_a_row_is_born_pending_or_for_the_inbox_only():
    assert initial_status(Notification, "queue", by=EVENT, to=NotificationStatus.PENDING)
    assert initial_status(Notification, "queue", by=EVENT, to=NotificationStatus.INBOX_ONLY)
    for status in set(NotificationStatus.values) - NOTIFICATION_MOVES["queue"].targets:
        with pytest.raises(ValueError):
            initial_status(Notification, "queue", by=EVENT, to=status)
    assert queued_row().status == NotificationStatus.PENDING


def test_a_delivery_is_born_pending_only():
    assert initial_status(WebhookDelivery, "queue", by=EVENT) == DeliveryStatus.PENDING
    for status in set(DeliveryStatus.values) - {DeliveryStatus.PENDING}:
        with pytest.raises(ValueError):
            initial_status(WebhookDelivery, "queue", by=EVENT, to=status)
    assert queued_delivery().status == DeliveryStatus.PENDING


def test_every_channel_moves_its_rows_by_the_outbox_table():
    # the engine's own moves are the same for every channel; a channel may only
    # add a status to be born in, or widen what a site admin may send again
    engine_moves = OUTBOX_MOVES.keys() - {"queue", "resend"}
    for channel in channels():
        moves = channel.model.MOVES
        assert moves.keys() == OUTBOX_MOVES.keys(), channel.name
        assert {a: moves[a] for a in engine_moves} == {a: OUTBOX_MOVES[a] for a in engine_moves}
        assert moves["queue"].targets >= OUTBOX_MOVES["queue"].targets
        assert moves["resend"].sources >= OUTBOX_MOVES["resend"].sources
        statuses = {value for value, _label in channel.model._meta.get_field("status").choices}
        assert statuses >= set(OutboxStatus.values), channel.name


def test_every_channel_has_its_settings():
    for channel in channels():
        for name in (
            "MAX_ATTEMPTS",
            "RETRY_BASE_SECONDS",
            "RETRY_MAX_SECONDS",
            "SWEEP_AFTER_SECONDS",
            "CLAIM_TIMEOUT_SECONDS",
        ):
            assert channel.setting(name) >= 0, f"{channel.settings_prefix}_{name}"
        assert channel.max_attempts >= 1


def _status_writes(path: Path) -> list[str]:
    """Lines of ``path`` that set a status other than through the transition helper."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and not _is_initial_status(value)
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "bulk_update", "update_or_create", "get_or_create")
        ):
            for keyword in node.keywords:
                if keyword.arg == "status" or (
                    keyword.arg == "defaults" and "status" in ast.unparse(keyword.value)
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _is_initial_status(value) -> bool:
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "initial_status"
    )


def test_no_code_of_the_project_writes_a_status_outside_the_transition_helper():
    # the helper itself, tests' givens, migrations and the benchmark's synthetic data aside
    skipped = ("tests", "benchmark", ".venv", "var", "static")
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in skipped
        and "migrations" not in path.parts
        and path != ROOT / "core" / "transitions.py"
    ]

    assert [where for path in sources for where in _status_writes(path)] == []


def test_every_copy_of_an_email_carries_the_message_id_of_its_row(settings, mailoutbox):
    settings.SITE_URL = "https://portal.example.com"
    first, second = queued_row(), queued_row()

    notification_send(notification_id=first.pk)
    notification_send(notification_id=second.pk)

    ids = [message.extra_headers["Message-ID"] for message in mailoutbox]
    assert ids[0] != ids[1]
    assert ids[0].startswith(f"<notification.{first.pk}.")
    assert ids[0].endswith("@portal.example.com>")
    assert f"Message-ID: {ids[0]}" in mailoutbox[0].message().as_string()


def test_a_worker_dying_after_the_server_accepted_leaves_a_row_the_sweep_sends_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.AcceptedThenKilledBackend"
    settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS = 600
    mail.outbox = []
    row = queued_row()

    # given a worker that dies between the server's "OK" and marking the row
    with pytest.raises(WorkerKilled):
        notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (NotificationStatus.SENDING, 1, 1)
    claimed_at = row.claimed_at

    # when the sweep runs while the claim could still be a live worker's
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification_sweep(now=claimed_at + timedelta(seconds=599))

    # then it leaves the row alone
    row.refresh_from_db()
    assert (row.status, row.claimed_at, len(mail.outbox)) == (
        NotificationStatus.SENDING,
        claimed_at,
        1,
    )

    # when the claim is older than any worker takes
    assert notification_sweep(now=claimed_at + timedelta(seconds=601)) == 1

    # then it is sent once more, as the same message, and never again
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)
    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert notification_sweep(now=claimed_at + timedelta(days=1)) == 0
    assert len(mail.outbox) == 2


def test_a_row_every_attempt_of_which_died_fails_instead_of_going_round_again(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.AcceptedThenKilledBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    mail.outbox = []
    row = queued_row()

    # given a row whose sending kills the worker every time
    with pytest.raises(WorkerKilled):
        notification_send(notification_id=row.pk)
    with pytest.raises(WorkerKilled):  # released; in-process, the sweep sends at once
        notification_sweep(now=row.created_at + timedelta(days=1))

    # when the sweep finds its last claim abandoned too
    assert notification_sweep(now=row.created_at + timedelta(days=2)) == 0

    # then it fails, for a site admin to look at, instead of going round again
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 2)
    assert "no worker finished" in row.last_error
    assert len(mail.outbox) == 2


def test_a_row_already_being_sent_is_skipped_by_a_second_task(mailoutbox):
    row = queued_row()
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENDING)

    assert notification_send(notification_id=row.pk) is SendResult.SKIPPED

    assert mailoutbox == []
    assert Notification.objects.get(pk=row.pk).status == NotificationStatus.SENDING
