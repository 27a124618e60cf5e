"""The outbox's two tasks, the same for every channel.

A failed attempt is not retried by the task: the row says when it is due again
(``next_attempt_at``) and the sweep queues it then, so a wait of hours never
sits in the broker, and a lost task costs nothing.
"""

from celery import shared_task

from .services import channel_named, outbox_send, outbox_sweep


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_row(channel: str, row_id: int) -> str:
    return outbox_send(channel=channel_named(channel), row_id=row_id).value


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    return outbox_sweep()
