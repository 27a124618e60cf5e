"""Use cases of personal API tokens: make one (its key shown once), revoke it, and
find the token a request's key names."""

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import User
from core.domain import InvalidInput, NotAllowed
from core.locks import lock, lock_first
from core.submissions import submission_claim, submission_done

from .models import KEY_PREFIX, PREFIX_LENGTH, ApiToken

MAX_TOKENS = 20
MAX_DAYS = 366
# ``last_used_at`` is written at most this often per token: not one write per request.
LAST_USED_EVERY = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, days: int | None, submission_key: UUID | None = None
) -> tuple[ApiToken, str]:
    """Make a named token for ``user``; returns it and its key (shown this once only).

    Rule: an active person, a name of 1..100 characters unique among their working
    tokens, at most 20 working tokens, an expiry of 1..366 days (None: never). One
    token per submitted form (``core.submissions``).
    """
    submission_claim(key=submission_key, user=user)
    lock(User.objects.filter(pk=user.pk).values_list("pk", flat=True))  # one maker at a time
    if not user.is_active:
        raise NotAllowed(_("Only active people make API tokens."))
    name = " ".join((name or "").split())
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = [_("Give the token a name of 1 to 100 characters.")]
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("A token works 1 to %(max)d days.") % {"max": MAX_DAYS}]
    now = timezone.now()
    working = api_tokens_working(user=user, now=now)
    if name and working.filter(name=name).exists():
        errors["name"] = [_("You have a working token of that name already.")]
    if errors:
        raise InvalidInput(_("The token could not be made."), errors=errors)
    if working.count() >= MAX_TOKENS:
        raise InvalidInput(
            _("You have %(max)d working tokens; revoke one first.") % {"max": MAX_TOKENS}
        )
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=key_hash(key),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    submission_done(key=submission_key, result=str(token.pk))
    return token, key


def api_tokens_working(*, user: User, now=None):
    now = now or timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now)


@transaction.atomic
def api_token_revoke(*, token_id: int, actor: User) -> ApiToken:
    """Revoke a token: it stops working at once, and stays listed.

    Rule: its owner, or staff allowed to change tokens in Django admin; revoking
    twice changes nothing.
    """
    token = lock_first(ApiToken.objects.filter(pk=token_id))
    if token is None or (
        token.user_id != actor.pk and not (actor.is_staff and actor.has_perm("api.change_apitoken"))
    ):
        raise NotAllowed(_("This is not your token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The working token of this key, with its person; None for any other key.

    Rule: not revoked, not expired, its person active. Notes when it was used,
    at most once a minute.
    """
    if not isinstance(key, str) or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    now = timezone.now()
    if token is None or not token.works_at(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
