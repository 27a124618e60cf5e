import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Product
from companies.models import Company, User
from orders.models import Order

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_check():
    env = {
        "PATH": os.environ.get("PATH", ""),
        # A developer's .env (read too) may say DEVELOPMENT=True; production has none.
        "DEVELOPMENT": "False",
        "DEBUG": "False",
        "SECRET_KEY": "x7!k2p9q-" + "s" * 20 + "-long-random-production-key-0192837465",
        "ALLOWED_HOSTS": "portal.example.com",
        "DATABASE_URL": "postgres://portal@db.example.com:5432/portal",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_hashes_passwords_with_django_s_default_not_the_tests_fast_one():
    # Tests hash with MD5 (tests/settings.py); the portal itself must not.
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "b2bportal.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.contrib.auth.hashers import make_password; print(make_password('pw'))",
        ],
        cwd=ROOT,
        env={**env, "DEBUG": "True"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pbkdf2_sha256$")


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEVELOPMENT": "False",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "x.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import b2bportal.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (
        Company.objects.count(),
        User.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
    )

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert counts == (
        Company.objects.count(),
        User.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
    )
    assert Product.objects.count() >= 30
    assert User.objects.filter(company__slug="acme").count() == 5
    assert User.objects.get(email="admin@portal.example").is_staff


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from companies.demo import DEMO_PASSWORD

    response = client.post(
        reverse("login"), {"username": "buyer1@acme.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "admin:companies_company_changelist",
        "admin:companies_company_add",
        "admin:companies_user_changelist",
        "admin:companies_user_add",
        "admin:catalog_product_changelist",
        "admin:catalog_product_import",
        "admin:catalog_product_export",
        "admin:orders_order_changelist",
        "admin:notifications_webhookendpoint_changelist",
        "admin:notifications_webhookendpoint_add",
        "admin:notifications_webhookdelivery_changelist",
    ],
)
def test_admin_pages_open_for_site_admins(site_admin_client, url):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert site_admin_client.get(reverse(url)).status_code == 200


@pytest.mark.django_db
def test_admin_order_and_company_pages_open(admin_client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    order = Order.objects.first()
    company = Company.objects.get(slug="acme")
    assert (
        admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    )
    assert (
        admin_client.get(reverse("admin:companies_company_change", args=[company.pk])).status_code
        == 200
    )


@pytest.mark.django_db
def test_a_site_admin_cannot_also_belong_to_a_company():
    from django.db import IntegrityError

    company = Company.objects.create(name="X", slug="x")
    with pytest.raises(IntegrityError):
        User.objects.create_user(
            "s@example.com", "pw", full_name="S", is_staff=True, company=company
        )


def test_every_scheduled_task_exists():
    from django.conf import settings

    from b2bportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


# What a person sends, as a request carries it (Django's and the API's names).
SENT = frozenset({"GET", "POST", "FILES", "body", "data", "query_params"})
# Keys a view may read itself: the page number and the button pressed.
PLAIN_KEYS = frozenset({"page", "action"})
# Who may take what was sent whole: forms, formsets, filters and serializers (their
# classes, a factory of them, a form class held), which check it; and these helpers,
# each looked at.
CHECKERS = ("Form", "FormSet", "Filter", "Serializer", "_form", "_forms", "_formset", "form_class")
WHOLE_READERS = {
    "export_query": "the list page's query string, copied into its export link",
    "_typed_rows": "the order form's rows as typed: shown again, and priced by SKU as typed",
    "_posted_rows": "the order form's rows as typed, shown again",
}
# Functions of an app's views that read a value themselves, each looked at.
OWN_READERS = {
    ("companies", "login_name"): "django-axes' lockout page types the login back",
    ("companies", "locked_out"): "the lockout page keeps where the login was going",
    ("api", "read"): "refuses anything but a JSON object before the serializer",
    ("api", "updated_since"): "parses the date and refuses a bad one",
    ("api", "choice"): "refuses a value not among the choices",
    ("api", "company_id"): "refuses anything but a whole number",
    ("api", "ProductList.get"): "one SKU, matched exactly in the catalog",
}


def _sent(node) -> str | None:
    """What ``node`` reads of a request (``request.GET``, ``self.request.body``), if it does."""
    if not isinstance(node, ast.Attribute) or node.attr not in SENT:
        return None
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id == "request":
        return node.attr
    if isinstance(owner, ast.Attribute) and owner.attr == "request":
        return node.attr
    return None


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def unchecked_reads(source: str, path: str = "views.py") -> list[str]:
    """Every place in ``source`` that reads what a person sent other than through a form,
    a filter or a serializer (or a reader listed above)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def enclosing(node) -> str:
        names = []
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.append(node.name)
        return ".".join(reversed(names))

    found = []
    for node in ast.walk(tree):
        kind = _sent(node)
        if kind is None or (path.split("/")[0], enclosing(node)) in OWN_READERS:
            continue
        parent = parents[node]
        if (  # request.GET.get("page"), .getlist("action")
            isinstance(parent, ast.Attribute)
            and parent.attr in ("get", "getlist")
            and isinstance(parents[parent], ast.Call)
            and parents[parent].args
            and isinstance(parents[parent].args[0], ast.Constant)
            and parents[parent].args[0].value in PLAIN_KEYS
        ):
            continue
        handed = node  # handed whole to a call, maybe as ``request.POST or None``
        while isinstance(parents[handed], ast.BoolOp | ast.IfExp) or (
            isinstance(parents[handed], ast.keyword) and parents[handed].arg is not None
        ):
            handed = parents[handed]
        call = parents[handed]
        if isinstance(call, ast.Call) and handed is not call.func:
            callee = _callee(call)
            if callee.endswith(CHECKERS) or callee in WHOLE_READERS:
                continue
        found.append(f"{path}:{node.lineno} reads request.{kind}: {ast.unparse(parent)[:60]}")
    return found


def test_views_read_what_people_send_only_through_forms():
    """A value from a query string, a form or a request's body reaches a query only after
    a form (or a filter, or a serializer) checked it; views may read the page number and
    the button pressed. Every access counts: ``request.GET["x"]``, ``.dict()``,
    ``.items()``, ``request.body``, ``request.data``."""
    paths = [*ROOT.glob("*/views.py"), *ROOT.glob("*/views/**/*.py")]
    found = []
    for path in paths:
        relative = str(path.relative_to(ROOT))
        found += unchecked_reads(path.read_text(), relative)
    assert paths and not found, found


@pytest.mark.parametrize(
    "read",
    [
        'request.GET["q"]',
        "request.GET.dict()",
        "request.POST.items()",
        "list(request.GET)",
        '"q" in request.GET',
        'request.GET.get("q")',
        'request.POST.getlist("ids")',
        "request.body",
        "json.loads(request.body)",
        'request.data["sku"]',
        'self.request.query_params.get("sku")',
        "request.FILES",
        "Product.objects.filter(**request.GET)",
    ],
)
def test_the_form_check_sees_every_way_of_reading_a_request(read):
    source = f"def view(request):\n    return {read}\n"

    assert len(unchecked_reads(source)) == 1


@pytest.mark.parametrize(
    "read",
    [
        "SearchForm(request.GET)",
        "PasteForm(request.POST, request.FILES)",
        'OrderLineFormSet(request.POST or None, prefix="lines")',
        'EmailForm(request.POST if request.method == "POST" else None)',
        "OrderFilter(request.GET, queryset=orders)",
        "OrderSerializer(data=request.data)",
        'request.GET.get("page")',
        'request.POST.get("action")',
    ],
)
def test_the_form_check_lets_forms_read_a_request(read):
    source = f"def view(request):\n    return {read}\n"

    assert unchecked_reads(source) == []


def test_views_leave_a_refusal_to_the_one_answer_of_their_channel():
    """No view catches a service's refusal itself: ``core.refusals`` answers it for
    pages and htmx fragments, ``api.errors`` for the API. A view with its own
    ``except`` (of a ``DomainError``, or of everything) starts a second copy of the rule."""
    import ast

    from django.urls import get_resolver

    from core.domain import DomainError

    assert get_resolver().url_patterns  # every view imported: every kind of refusal known
    refusals, kinds = {"Exception", "BaseException"}, [DomainError]
    while kinds:
        kind = kinds.pop()
        refusals.add(kind.__name__)
        kinds.extend(kind.__subclasses__())
    assert {"StaleVersion", "AlreadySubmitted", "DuplicatePoReference"} <= refusals
    views = {*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py"), *ROOT.glob("*/*_views.py")}
    assert len(views) > 15
    found = []
    for path in sorted(views):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ExceptHandler):
                continue
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            names = {getattr(kind, "id", getattr(kind, "attr", None)) for kind in caught}
            if node.type is None or names & refusals:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} catches {sorted(names)}")
    assert not found, found


def test_compose_scales_web_and_workers_behind_one_balancer():
    """`docker compose up --scale web=N --scale worker=M` (no Docker engine here: read it)."""
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    balancer_config = (ROOT / "deploy" / "haproxy.cfg").read_text()

    # replicas publish no port (N of them could not share one); the balancer does
    assert "ports" not in services["web"] and "ports" not in services["worker"]
    assert services["balancer"]["ports"] == ["8000:8000"]
    assert "./deploy/haproxy.cfg" in services["balancer"]["volumes"][0]
    assert "server-template web" in balancer_config and "web:8000" in balancer_config
    # every process shares one cache and one broker, and migrations run once first
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["CACHE_URL"].startswith("redis://") and env["CELERY_BROKER_URL"]
        migrate = services[name]["depends_on"]["migrate"]
        assert migrate["condition"] == "service_completed_successfully"
    assert "migrate" not in services["web"]["command"]
    # one beat: it is the only service that runs the schedule
    schedulers = [name for name, s in services.items() if "beat" in str(s.get("command", ""))]
    assert schedulers == ["beat"]
