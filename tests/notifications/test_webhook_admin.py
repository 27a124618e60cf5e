"""Site admins register webhook endpoints, read the delivery log and re-send deliveries."""

import pytest
from django.urls import reverse

from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from orders.notify import ORDER_APPROVED_EVENT, ORDER_PLACED_EVENT
from quotations.notify import QUOTE_ACCEPTED_EVENT
from tests.approvals.factories import source_example
from tests.factories import BareStaffFactory, StaffFactory

pytestmark = pytest.mark.django_db

ADD = "admin:notifications_webhookendpoint_add"
LOG = "admin:notifications_webhookdelivery_changelist"


def form(**overrides):
    return {
        "name": "ERP",
        "url": "https://erp.example.com/hooks",
        "secret": "a-long-shared-secret",
        "is_active": "on",
        "events": [ORDER_APPROVED_EVENT, QUOTE_ACCEPTED_EVENT],
        **overrides,
    }


def test_a_site_admin_registers_an_endpoint_for_some_events(client):
    client.force_login(StaffFactory())

    # the add form offers a fresh secret and every event
    page = client.get(reverse(ADD)).content.decode()
    assert "order.fulfilled" in page and 'name="secret"' in page

    response = client.post(reverse(ADD), form())

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["order.approved", "quote.accepted"]
    assert endpoint.is_active


@pytest.mark.parametrize(
    "bad",
    [
        {"url": "ftp://erp.example.com/hooks"},
        {"url": "not a url"},
        {"events": []},
        {"events": ["order.deleted"]},
        {"secret": ""},
    ],
)
def test_a_bad_endpoint_is_a_form_error_and_nothing_is_saved(client, bad):
    client.force_login(StaffFactory())

    response = client.post(reverse(ADD), form(**bad))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_staff_without_the_role_cannot_register_endpoints(client):
    client.force_login(BareStaffFactory())

    assert client.get(reverse(ADD)).status_code == 403
    assert client.get(reverse(LOG)).status_code == 403


def test_the_delivery_log_shows_how_each_delivery_went(client, django_assert_max_num_queries):
    WebhookEndpoint.objects.create(name="ERP", url="https://erp.example.com/h", secret="x")
    example = source_example()
    for _ in range(3):
        example.place("1500.00")
    WebhookDelivery.objects.filter(event=ORDER_PLACED_EVENT).update(
        status=DeliveryStatus.FAILED, attempts=8, last_response_code=500
    )
    client.force_login(StaffFactory())

    with django_assert_max_num_queries(12):
        response = client.get(reverse(LOG))
    assert response.status_code == 200
    page = response.content.decode()
    assert "order.placed" in page and "order.approved" in page
    failed = client.get(reverse(LOG) + "?status=failed")
    assert len(failed.context["cl"].result_list) == 3
    row = WebhookDelivery.objects.first()
    detail = client.get(reverse("admin:notifications_webhookdelivery_change", args=[row.pk]))
    assert detail.status_code == 200
    assert str(row.event_id) in detail.content.decode()


def test_the_resend_action_queues_deliveries_again(client, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(name="ERP", url="https://erp.example.com/h", secret="x")
    source_example().place("1500.00")
    failed, delivered = WebhookDelivery.objects.order_by("id")
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.FAILED, attempts=8, last_error="HTTP 500"
    )
    WebhookDelivery.objects.filter(pk=delivered.pk).update(status=DeliveryStatus.DELIVERED)
    client.force_login(StaffFactory())

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse(LOG), {"action": "resend", "_selected_action": [failed.pk, delivered.pk]}
        )

    assert response.status_code == 302
    assert len(callbacks) == 1  # posted after commit, by the dispatcher
    for row in (failed, delivered):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.PENDING, 0, "")


def test_deliveries_cannot_be_added_or_edited_in_admin(client):
    WebhookEndpoint.objects.create(name="ERP", url="https://erp.example.com/h", secret="x")
    source_example().place("1500.00")
    row = WebhookDelivery.objects.first()
    client.force_login(StaffFactory())

    assert client.get(reverse("admin:notifications_webhookdelivery_add")).status_code == 403
    client.post(
        reverse("admin:notifications_webhookdelivery_change", args=[row.pk]),
        {"status": DeliveryStatus.DELIVERED},
    )
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING
