"""The inbox: what a person sees of the events they were told of, and what they do with it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse

from notifications import urls as notification_urls
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_enqueue, notification_mark_read
from orders.notify import ORDER_APPROVED
from tests.factories import BuyerFactory, CompanyFactory, StaffFactory

pytestmark = pytest.mark.django_db


def tell(person, count=1, *, company=None, kind=ORDER_APPROVED, **about):
    """``count`` notifications for ``person``, oldest first, as events write them."""
    company_id = (company or person.company or CompanyFactory()).pk
    rows = []
    for _ in range(count):
        n = Notification.objects.count() + 1
        defaults = {
            "subject": f"Your order PO-{n:06d} was approved",
            "reference": f"PO-{n:06d}",
            "path": f"/orders/PO-{n:06d}/",
            "context": {},
        }
        (row,) = notification_enqueue(
            kind=kind,
            recipients=[person],
            key=f"test:{n}",
            company_id=company_id,
            **{**defaults, **about},
        )
        rows.append(row)
    return rows


def unread(person) -> set[int]:
    return set(
        Notification.objects.filter(recipient=person, read_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def entries(response) -> list[int]:
    return [row.pk for row in response.context["page"]]


def test_a_person_sees_their_notifications_newest_first_with_the_unread_marked(client):
    buyer = BuyerFactory()
    first, second, third = tell(buyer, 3)
    notification_mark_read(user=buyer, notification_id=second.pk)
    client.force_login(buyer)

    response = client.get(reverse("notifications:list"))

    assert entries(response) == [third.pk, second.pk, first.pk]
    body = response.content.decode()
    for row, is_unread in ((first, True), (second, False), (third, True)):
        entry = body.split(f'id="notification-{row.pk}"')[1].split("</li>")[0]
        assert ("Unread" in entry) is is_unread
        assert ("Mark as read" in entry) is is_unread
        assert f'href="/orders/{row.reference}/"' in entry
    assert "2 unread" in body


def test_the_navigation_counts_the_unread_on_every_page(client):
    buyer = BuyerFactory()
    tell(buyer, 2)
    client.force_login(buyer)

    nav = client.get(reverse("orders:list")).content.decode().split('id="nav-notifications"')[1]

    assert '<span class="badge rounded-pill text-bg-primary" aria-hidden="true">2</span>' in nav
    assert "2 unread" in nav.split("</a>")[0]


def test_the_navigation_says_99_plus_beyond_99_unread(client):
    buyer = BuyerFactory()
    tell(buyer, 100)
    client.force_login(buyer)

    nav = client.get(reverse("orders:list")).content.decode().split('id="nav-notifications"')[1]

    assert ">99+</span>" in nav.split("</a>")[0]


def test_nothing_unread_shows_no_badge(client):
    buyer = BuyerFactory()
    (row,) = tell(buyer)
    notification_mark_read(user=buyer, notification_id=row.pk)
    client.force_login(buyer)

    nav = client.get(reverse("orders:list")).content.decode().split('id="nav-notifications"')[1]

    assert "badge" not in nav.split("</a>")[0]


def test_marking_one_as_read(client):
    buyer = BuyerFactory()
    first, second = tell(buyer, 2)
    client.force_login(buyer)

    response = client.post(reverse("notifications:read", args=[first.pk]), {"page": "2"})

    assert response.status_code == 302
    assert response.url == reverse("notifications:list") + "?page=2"
    assert unread(buyer) == {second.pk}


def test_marking_all_as_read_leaves_what_arrived_since_unread(client):
    buyer = BuyerFactory()
    shown = tell(buyer, 3)
    client.force_login(buyer)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'name="up_to" value="{shown[-1].pk}"' in page
    (arrived_since,) = tell(buyer)

    response = client.post(reverse("notifications:read_all"), {"up_to": shown[-1].pk})

    assert response.status_code == 302
    assert unread(buyer) == {arrived_since.pk}


@pytest.mark.parametrize(
    "data", [{"up_to": "x"}, {"up_to": "-1"}, {"up_to": "\x00"}, {"page": "99999999999999999999"}]
)
def test_marking_all_with_a_crafted_value_marks_only_the_persons_own(client, data):
    buyer, colleague = BuyerFactory(), BuyerFactory()
    tell(buyer, 2)
    theirs = tell(colleague, 2)
    client.force_login(buyer)

    response = client.post(reverse("notifications:read_all"), data)

    assert response.status_code == 302
    assert unread(buyer) == set()
    assert unread(colleague) == {row.pk for row in theirs}


def test_marking_needs_a_post(client):
    buyer = BuyerFactory()
    (row,) = tell(buyer)
    client.force_login(buyer)

    assert client.get(reverse("notifications:read", args=[row.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405

    assert unread(buyer) == {row.pk}


def test_marking_needs_the_csrf_token():
    buyer = BuyerFactory()
    (row,) = tell(buyer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)

    assert client.post(reverse("notifications:read", args=[row.pk])).status_code == 403
    assert client.post(reverse("notifications:read_all")).status_code == 403

    assert unread(buyer) == {row.pk}


def _urls_of_one_notification() -> list[str]:
    names = [
        p.name
        for p in notification_urls.urlpatterns
        if isinstance(p, URLPattern) and "notification_id" in p.pattern.converters
    ]
    assert names, "no URL of one notification found"
    return names


def test_another_persons_notification_is_a_404_on_every_url(client):
    buyer = BuyerFactory()
    colleague = BuyerFactory(company=buyer.company)
    (mine,) = tell(buyer)
    (theirs,) = tell(colleague)
    client.force_login(buyer)

    for name in _urls_of_one_notification():
        url = reverse(f"notifications:{name}", args=[theirs.pk])
        own_url = reverse(f"notifications:{name}", args=[mine.pk])
        assert client.post(url).status_code == 404, name
        assert client.post(reverse(f"notifications:{name}", args=[10**9])).status_code == 404
        # other methods answer the same for theirs as for mine: nothing is told
        assert client.get(url).status_code == client.get(own_url).status_code

    assert unread(colleague) == {theirs.pk}
    page = client.get(reverse("notifications:list"))
    assert entries(page) == [mine.pk]


def test_a_contact_who_moved_company_no_longer_sees_the_old_companys_entries(client):
    buyer = BuyerFactory()
    (old,) = tell(buyer)
    buyer.company = CompanyFactory()
    buyer.save()
    (new,) = tell(buyer)
    client.force_login(buyer)

    response = client.get(reverse("notifications:list"))

    assert entries(response) == [new.pk]
    assert client.post(reverse("notifications:read", args=[old.pk])).status_code == 404
    assert "1 unread" in response.content.decode()


def test_site_admins_see_their_entries_of_every_company(client):
    admin = StaffFactory()
    one = tell(admin, company=CompanyFactory())
    other = tell(admin, company=CompanyFactory())
    client.force_login(admin)

    response = client.get(reverse("notifications:list"))

    assert entries(response) == [other[0].pk, one[0].pk]


def test_user_text_is_escaped_and_only_portal_paths_are_links(client):
    buyer = BuyerFactory()
    tell(
        buyer,
        subject="<script>alert(1)</script>",
        context={"quoted": '<img src=x onerror="alert(2)">', "quoted_by": "<b>Eve</b>"},
    )
    tell(buyer, path="javascript:alert(3)")
    tell(buyer, path="//evil.example/phish")
    tell(buyer, path="/\\evil.example/phish")
    tell(buyer, path="https://evil.example/phish")
    client.force_login(buyer)

    body = client.get(reverse("notifications:list")).content.decode()

    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body and "&lt;img src=x" in body
    assert "<b>Eve</b>" not in body
    assert "javascript:alert(3)" not in body
    assert "evil.example" not in body


def test_an_entry_whose_email_was_switched_off_says_so(client):
    buyer = BuyerFactory()
    NotificationPreference.objects.create(user=buyer, email_off=["order_approved"])
    (row,) = tell(buyer)
    client.force_login(buyer)

    body = client.get(reverse("notifications:list")).content.decode()

    entry = body.split(f'id="notification-{row.pk}"')[1].split("</li>")[0]
    assert "not emailed" in entry


@pytest.mark.parametrize("count", [3, 60])
def test_the_inbox_costs_the_same_queries_for_3_or_60_entries(
    client, django_assert_max_num_queries, count
):
    buyer = BuyerFactory()
    tell(buyer, count, context={"quoted": "Please check the quantities.", "quoted_by": "Ann"})
    client.force_login(buyer)

    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("notifications:list"))

    print(f"inbox with {count} entries: {len(ctx.captured_queries)} queries")
    assert response.status_code == 200
    assert len(entries(response)) == min(count, 25)


@pytest.mark.parametrize("count", [0, 10])
def test_the_preferences_page_costs_the_same_queries_always(
    client, django_assert_max_num_queries, count
):
    buyer = BuyerFactory()
    tell(buyer, count)
    client.force_login(buyer)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 200
