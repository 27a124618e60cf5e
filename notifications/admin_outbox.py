"""The outbox's page in Django admin: what is stuck in every channel, and why.

One page for every channel the site admin may see: rows that failed, and rows
that failed an attempt and wait for the next, each with its last error, its
attempts and when it is tried again. Selected rows are sent again now through
the engine's ``outbox_resend`` (the channel's change permission, as the
channel's own admin action asks).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .selectors import outbox_stuck
from .services import Channel, channel_named, channels, outbox_resend

OUTBOX_CHANGE_LIST = "notifications/admin/outbox_change_list.html"
SHOWN = 100  # rows of each channel on the page, most recent first


def _permission(channel: Channel, action: str) -> str:
    meta = channel.model._meta
    return f"{meta.app_label}.{action}_{meta.model_name}"


class RowsField(forms.MultipleChoiceField):
    """Rows as ``<channel>:<id>``, of the channels the person may send again."""

    def __init__(self, *, allowed: set[str], **kwargs):
        super().__init__(**kwargs)
        self.allowed = allowed

    def valid_value(self, value: str) -> bool:
        channel, _, pk = value.partition(":")
        return channel in self.allowed and pk.isascii() and pk.isdigit() and len(pk) <= 18


class ResendForm(forms.Form):
    def __init__(self, *args, allowed: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rows"] = RowsField(
            allowed=allowed,
            error_messages={"required": _("Select the rows to send again.")},
        )

    def by_channel(self) -> dict[str, list[int]]:
        chosen: dict[str, list[int]] = {}
        for value in self.cleaned_data["rows"]:
            channel, _, pk = value.partition(":")
            chosen.setdefault(channel, []).append(int(pk))
        return chosen


def outbox_stuck_view(site: admin.AdminSite) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        shown = [c for c in channels() if request.user.has_perm(_permission(c, "view"))]
        if not shown:
            raise PermissionDenied
        may_resend = {c.name for c in shown if request.user.has_perm(_permission(c, "change"))}
        posted = request.method == "POST"
        form = ResendForm(request.POST if posted else None, allowed=may_resend)
        if posted:
            if not may_resend:
                raise PermissionDenied
            if form.is_valid():
                count = sum(
                    outbox_resend(channel=channel_named(name), row_ids=ids)
                    for name, ids in form.by_channel().items()
                )
                messages.success(
                    request,
                    ngettext("%(n)d row queued again.", "%(n)d rows queued again.", count)
                    % {"n": count},
                )
                return redirect(request.path)
        sections = []
        for channel in shown:
            meta = channel.model._meta
            rows = outbox_stuck(channel=channel, limit=SHOWN)
            sections.append(
                {
                    "channel": channel,
                    "title": meta.verbose_name_plural,
                    "may_resend": channel.name in may_resend,
                    "more": len(rows) == SHOWN,
                    "rows": [
                        {
                            "row": row,
                            "value": f"{channel.name}:{row.pk}",
                            "what": channel.describe(row),
                            "url": reverse(
                                f"{site.name}:{meta.app_label}_{meta.model_name}_change",
                                args=[row.pk],
                            ),
                        }
                        for row in rows
                    ],
                }
            )
        context = {
            **site.each_context(request),
            "title": _("Outbox: what is stuck"),
            "sections": sections,
            "form": form,
            "may_resend": bool(may_resend),
            "shown": SHOWN,
        }
        return TemplateResponse(request, "notifications/admin/outbox_stuck.html", context)

    return view
