from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalStep, Decision, StepApprover, StepStatus
from approvals.selectors import approval_queue_for
from approvals.services import approval_step_decide
from orders.models import OrderStatus
from tests.approvals.factories import source_example, waiting_orders
from tests.factories import BuyerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def open_step(order) -> ApprovalStep:
    return order.approval_steps.get(status=StepStatus.OPEN)


def snapshot(order):
    order.refresh_from_db()
    return (
        order.status,
        order.version,
        order.events.count(),
        list(order.approval_steps.values_list("pk", "status", "decided_by")),
        list(StepApprover.objects.filter(step__order=order).values_list("pk", "is_open")),
    )


def decide_post(step, decision="approve", comment="", version=None):
    return {
        "step": step.pk,
        "version": step.order.version if version is None else version,
        "decision": decision,
        "comment": comment,
    }


# --- the queue --------------------------------------------------------------


def test_the_queue_lists_orders_waiting_for_me_oldest_first(client):
    example = source_example()
    newer = example.place("2600.00")
    older = example.place("2100.00", buyer=example.colleague)
    opened = timezone.now() - timedelta(hours=5)
    ApprovalStep.objects.filter(order=older).update(opened_at=opened)
    StepApprover.objects.filter(step__order=older).update(opened_at=opened)  # its copy
    not_mine = example.place("3500.00")
    client.force_login(example.approver1)

    body = client.get(reverse("approvals:queue")).content.decode()

    assert body.index(older.number) < body.index(newer.number)
    assert not_mine.number not in body
    assert example.colleague.full_name in body and "$2,100.00" in body
    assert "5\xa0hours" in body  # waiting time (timesince joins with a no-break space)


def test_the_queue_filters_by_buyer_and_amount(client):
    example = source_example()
    small = example.place("2100.00")
    large = example.place("2900.00")
    by_colleague = example.place("2500.00", buyer=example.colleague)
    client.force_login(example.approver1)

    def listed(**params):
        body = client.get(reverse("approvals:queue"), params).content.decode()
        return {o.number for o in (small, large, by_colleague) if o.number in body}

    assert listed() == {small.number, large.number, by_colleague.number}
    assert listed(buyer=example.colleague.email.upper()) == {by_colleague.number}
    assert listed(buyer=example.colleague.full_name[2:7]) >= {by_colleague.number}
    assert listed(total_min="2500", total_max="2900") == {large.number, by_colleague.number}
    assert listed(total_min="2500", buyer=example.buyer.email) == {large.number}
    assert client.get(reverse("approvals:queue"), {"total_min": "lots"}).status_code == 200


def test_the_queue_pages_without_counting_the_table(client, settings):
    settings.PAGE_SIZE = 10
    example = source_example()
    orders = waiting_orders(12, approver=example.approver1)
    client.force_login(example.approver1)

    first = client.get(reverse("approvals:queue")).content.decode()
    second = client.get(reverse("approvals:queue"), {"page": 2}).content.decode()

    assert orders[0].number in first and orders[11].number not in first
    assert orders[11].number in second and orders[0].number not in second


@pytest.mark.parametrize("count", [5, 200])
def test_the_queue_costs_the_same_queries_for_5_or_200_waiting_orders(
    client, django_assert_max_num_queries, count
):
    example = source_example()
    waiting_orders(count, approver=example.approver1)
    client.force_login(example.approver1)

    # 8: one is the unread count of the navigation
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("approvals:queue"))

    print(f"queue page with {count} waiting orders: {len(ctx.captured_queries)} queries")
    assert response.status_code == 200
    assert response.content.decode().count('class="queue-row"') == min(count, 25)


@pytest.mark.postgres
def test_an_index_serves_open_steps_for_an_approver():
    example = source_example()
    waiting_orders(30, approver=example.approver1)
    queue = approval_queue_for(user=example.approver1)

    with connection.cursor() as cursor:
        # On a tiny table the planner rightly prefers a scan and a sort; forbid
        # both to see that the index serves the queue in its order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = queue.explain()

    assert "step_approver_open_idx" in plan


def test_the_nav_badge_shows_the_size_of_my_queue_in_one_query(client):
    example = source_example()
    waiting_orders(3, approver=example.approver1)
    client.force_login(example.approver1)

    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("orders:list")).content.decode()

    nav = body[body.index('id="nav-approvals"') :]
    assert nav[: nav.index("</a>")].count(">3<") == 1
    # read from the tally the services keep, not by counting the queue
    assert sum("core_tally" in q["sql"] for q in ctx.captured_queries) == 1
    assert not any("approvals_stepapprover" in q["sql"] for q in ctx.captured_queries)


def test_people_who_are_not_approvers_see_no_approval_links(client):
    example = source_example()
    client.force_login(example.buyer)

    body = client.get(reverse("orders:list")).content.decode()

    assert 'id="nav-approvals"' not in body


def test_site_admins_see_how_many_orders_need_a_site_admin(client):
    example = source_example()
    example.place("6000.00", buyer=example.approver3)
    client.force_login(StaffFactory())

    body = client.get(reverse("orders:list")).content.decode()

    nav = body[body.index('id="nav-site-admin-approvals"') :]
    assert ">1<" in nav[: nav.index("</a>")]


# --- deciding ---------------------------------------------------------------


def test_the_approvers_order_page_shows_lines_history_and_the_decision_buttons(client):
    example = source_example()
    order = example.place("2500.00")
    client.force_login(example.approver1)

    body = client.get(reverse("approvals:order", args=[order.number])).content.decode()

    assert "$2,500.00" in body and example.unit.sku in body  # lines
    assert "History" in body and "Placed" in body
    assert 'value="approve"' in body and 'value="reject"' in body


def test_approving_from_the_order_page(client):
    example = source_example()
    order = example.place("2500.00")
    client.force_login(example.approver1)

    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        decide_post(open_step(order), comment="OK"),
        follow=True,
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    assert f"Order {order.number} approved." in response.content.decode()


def test_rejecting_without_a_comment_shows_the_form_again_and_changes_nothing(client):
    example = source_example()
    order = example.place("2500.00")
    before = snapshot(order)
    client.force_login(example.approver1)

    response = client.post(
        reverse("approvals:decide", args=[order.number]), decide_post(open_step(order), "reject")
    )

    assert response.status_code == 400
    assert "Say why you reject the order" in response.content.decode()
    assert snapshot(order) == before


def test_a_stale_decision_is_refused_with_a_plain_message(client):
    example = source_example()
    order = example.place("2500.00")
    step = open_step(order)
    approval_step_decide(
        step_id=step.pk,
        actor=example.approver1,
        decision=Decision.APPROVE,
        comment="",
        seen_version=1,
    )
    client.force_login(example.approver1)

    response = client.post(
        reverse("approvals:decide", args=[order.number]), decide_post(step, version=1), follow=True
    )

    assert f"You already approved order {order.number}" in response.content.decode()


def test_bulk_approval_from_the_queue_reports_each_result(client):
    example = source_example()
    good = [example.place("2100.00"), example.place("2200.00")]
    stale = example.place("2300.00")
    client.force_login(example.approver1)

    response = client.post(
        reverse("approvals:bulk_approve"),
        {
            "steps": [f"{open_step(o).pk}:{o.version}" for o in good]
            + [f"{open_step(stale).pk}:{stale.version + 1}"],
            "comment": "Batch",
        },
        follow=True,
    )

    body = response.content.decode()
    assert f"2 orders approved: {good[0].number}, {good[1].number}" in body
    assert f"Order {stale.number} changed while you were looking at it" in body
    for order in (*good, stale):
        order.refresh_from_db()
    assert [o.status for o in (*good, stale)] == [
        OrderStatus.APPROVED,
        OrderStatus.APPROVED,
        OrderStatus.PENDING_APPROVAL,
    ]


def test_bulk_approval_with_nothing_selected_or_garbage_changes_nothing(client):
    example = source_example()
    order = example.place("2500.00")
    before = snapshot(order)
    client.force_login(example.approver1)

    for data in (
        {},
        {"steps": ["x:y"]},
        {"steps": ["1"]},
        {"steps": ["²:1"]},
        {"steps": ["1:" + "9" * 5000]},
    ):
        response = client.post(reverse("approvals:bulk_approve"), data, follow=True)
        assert response.status_code == 200

    assert snapshot(order) == before


def test_decided_by_me_lists_my_decisions_with_comments(client):
    example = source_example()
    approved = example.place("2500.00")
    rejected = example.place("2600.00")
    approval_step_decide(
        step_id=open_step(approved).pk,
        actor=example.approver1,
        decision=Decision.APPROVE,
        comment="",
        seen_version=1,
    )
    approval_step_decide(
        step_id=open_step(rejected).pk,
        actor=example.approver1,
        decision=Decision.REJECT,
        comment="Duplicate of last week",
        seen_version=1,
    )
    client.force_login(example.approver1)

    body = client.get(reverse("approvals:history")).content.decode()
    only_rejected = client.get(reverse("approvals:history"), {"decision": "rejected"})

    assert approved.number in body and rejected.number in body
    assert "Duplicate of last week" in body
    assert approved.number not in only_rejected.content.decode()


# --- the buyer's side -------------------------------------------------------


def test_the_buyer_sees_who_may_decide_and_who_decided(client):
    example = source_example()
    order = example.place("2500.00")
    client.force_login(example.buyer)

    waiting = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    approval_step_decide(
        step_id=open_step(order).pk,
        actor=example.approver1,
        decision=Decision.REJECT,
        comment="Please split it into two orders",
        seen_version=1,
    )
    decided = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert 'id="approval-progress"' in waiting
    assert "Who may decide:" in waiting and example.approver1.full_name in waiting
    assert "Rejected by" in decided and example.approver1.full_name in decided
    assert "Please split it into two orders" in decided
    assert 'value="approve"' not in waiting


def test_the_buyer_page_says_when_no_approval_was_needed(client):
    example = source_example()
    order = example.place("1500.00")
    client.force_login(example.buyer)

    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert "No approval was needed" in body


def test_an_approver_sees_a_decide_link_on_the_ordinary_order_page(client):
    example = source_example()
    order = example.place("2500.00")
    client.force_login(example.approver1)

    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert reverse("approvals:order", args=[order.number]) in body


# --- the site admins' side --------------------------------------------------


def test_the_staff_queue_lists_only_orders_that_need_a_site_admin(client):
    example = source_example()
    theirs = example.place("6000.00", buyer=example.approver3)
    ordinary = example.place("6000.00")
    client.force_login(StaffFactory())

    body = client.get(reverse("approvals:staff_queue")).content.decode()

    assert theirs.number in body and ordinary.number not in body
    assert "needs a site admin" in body


def test_a_site_admin_decides_a_step_that_needs_a_site_admin(client):
    example = source_example()
    order = example.place("6000.00", buyer=example.approver3)
    client.force_login(StaffFactory())

    page = client.get(reverse("approvals:order", args=[order.number])).content.decode()
    response = client.post(
        reverse("approvals:decide", args=[order.number]),
        decide_post(open_step(order), "reject", comment="Not this quarter"),
    )

    assert 'value="reject"' in page
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED


# --- who may do what --------------------------------------------------------

ROLES = ["buyer", "colleague", "approver_of_another_tier", "approver_elsewhere", "site_admin"]


@pytest.fixture
def world():
    example = source_example()
    order = example.place("2500.00")  # waits for approver 1
    people = {
        "buyer": example.buyer,
        "colleague": example.colleague,
        "approver_of_another_tier": example.approver2,
        "approver_elsewhere": source_example().approver1,
        "site_admin": StaffFactory(),
    }
    return example, order, people


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        (role, action, 404 if role == "approver_elsewhere" else 403)
        for role in ROLES
        for action in ("approve", "reject")
    ]
    + [(role, "bulk", 403) for role in ROLES],
)
def test_a_crafted_decision_by_anyone_but_the_approver_is_refused(
    client, world, role, action, expected
):
    example, order, people = world
    step = open_step(order)
    before = snapshot(order)
    client.force_login(people[role])

    if action == "bulk":
        response = client.post(
            reverse("approvals:bulk_approve"), {"steps": [f"{step.pk}:{order.version}"]}
        )
    else:
        response = client.post(
            reverse("approvals:decide", args=[order.number]),
            decide_post(step, action, comment="crafted"),
        )

    assert response.status_code == expected
    assert snapshot(order) == before


@pytest.mark.parametrize("role", ROLES)
def test_a_refused_form_from_anyone_but_the_approver_is_refused_too(client, world, role):
    example, order, people = world
    before = snapshot(order)
    client.force_login(people[role])

    response = client.post(
        reverse("approvals:decide", args=[order.number]), {"step": "x", "decision": "reject"}
    )

    assert response.status_code in (403, 404)
    assert snapshot(order) == before


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("buyer", "approvals:order", 200),
        ("approver_of_another_tier", "approvals:order", 200),
        ("approver_elsewhere", "approvals:order", 404),
        ("site_admin", "approvals:order", 200),
        ("buyer", "approvals:staff_queue", 403),
        ("approver_of_another_tier", "approvals:staff_queue", 403),
        ("site_admin", "approvals:queue", 302),
    ],
)
def test_pages_are_scoped_to_the_persons_company_and_role(client, world, role, url, expected):
    example, order, people = world
    client.force_login(people[role])
    args = [order.number] if url == "approvals:order" else []

    response = client.get(reverse(url, args=args))

    assert response.status_code == expected
    if expected == 200:
        assert 'value="approve"' not in response.content.decode()


def test_approvers_queues_never_show_another_companys_orders(client, world):
    example, order, people = world
    client.force_login(people["approver_elsewhere"])

    body = client.get(reverse("approvals:queue")).content.decode()

    assert order.number not in body


def test_a_step_of_another_order_cannot_be_decided_through_this_orders_url(client):
    example = source_example()
    first, second = example.place("2100.00"), example.place("2200.00")
    before = snapshot(second)
    client.force_login(example.approver1)

    response = client.post(
        reverse("approvals:decide", args=[first.number]), decide_post(open_step(second))
    )

    assert response.status_code == 404
    assert snapshot(second) == before


def test_every_approval_page_needs_a_login(client):
    example = source_example()
    order = example.place("2500.00")
    urls = [
        reverse("approvals:queue"),
        reverse("approvals:history"),
        reverse("approvals:staff_queue"),
        reverse("approvals:order", args=[order.number]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    posts = [reverse("approvals:decide", args=[order.number]), reverse("approvals:bulk_approve")]
    for url in posts:
        assert client.post(url, {}).status_code == 302
    assert client.get(reverse("approvals:bulk_approve")).status_code == 302


def test_decide_and_bulk_approve_need_a_post(client):
    example = source_example()
    order = example.place("2500.00")
    client.force_login(example.approver1)

    assert client.get(reverse("approvals:decide", args=[order.number])).status_code == 405
    assert client.get(reverse("approvals:bulk_approve")).status_code == 405


def test_a_person_who_is_buyer_and_approver_sees_only_colleagues_orders_in_their_queue(client):
    example = source_example()
    mine = example.place("2500.00", buyer=example.approver1)
    colleague = example.place("2500.00", buyer=BuyerFactory(company=example.company))
    client.force_login(example.approver1)

    body = client.get(reverse("approvals:queue")).content.decode()

    assert colleague.number in body and mine.number not in body
