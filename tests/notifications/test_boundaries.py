"""The outbox knows no domain app: not by import (the import contract in pyproject.toml)
and not by URL name, in its code or its templates. Each app announces its own events."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.urls import get_resolver

import notifications

CODE = Path(notifications.__file__).parent
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"

# "namespace:name", as reverse(), redirect(), RedirectView and {% url %} take them
URL_NAME = re.compile(r"^([A-Za-z_][\w-]*):[\w-]+$")
TEMPLATE_URL = re.compile(r"{%\s*url\s+[\"']([\w-]+):")
# Its own, and Django admin's (the page of what is stuck sits in the admin): no domain app.
OWN = {"notifications", "admin"}


def other_apps_url_names_in_code(source: str) -> list[str]:
    """Every string of ``source`` that names a URL of another app's namespace."""
    namespaces = set(get_resolver().namespace_dict) - OWN
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = URL_NAME.match(node.value.strip())
            if match and match.group(1) in namespaces:
                found.append(node.value)
    return found


def other_apps_url_names_in_template(source: str) -> list[str]:
    return [ns for ns in TEMPLATE_URL.findall(source) if ns not in OWN]


def test_the_scan_finds_a_url_name_of_another_app():
    # the net itself: what it must catch, and what it must let through
    assert other_apps_url_names_in_code('reverse("orders:detail", args=[n])') == ["orders:detail"]
    assert other_apps_url_names_in_code('RedirectView(pattern_name="accounts:preferences")')
    assert not other_apps_url_names_in_code('reverse("notifications:list"); f"{t:%H:%M}"')
    assert other_apps_url_names_in_template("{% url 'approvals:queue' %}") == ["approvals"]
    assert not other_apps_url_names_in_template('{% url "notifications:read" n.pk %}')
    assert not other_apps_url_names_in_template("{% url 'admin:notifications_outbox_stuck' %}")


def test_notifications_name_no_url_of_another_app():
    files = sorted(CODE.rglob("*.py"))
    assert len(files) > 10
    found = {
        str(path.relative_to(CODE)): names
        for path in files
        if (names := other_apps_url_names_in_code(path.read_text()))
    }
    templates = sorted(TEMPLATES.rglob("*.*"))
    assert templates
    found |= {
        f"templates/{path.relative_to(TEMPLATES)}": names
        for path in templates
        if (names := other_apps_url_names_in_template(path.read_text()))
    }

    assert found == {}
