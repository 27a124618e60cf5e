"""Requests per token (scope "token") and, for the portal's own pages, per person
(scope "session"); rates in settings (API_TOKEN_RATE, API_SESSION_RATE)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def allow_request(self, request, view):
        # The scope depends on how the request authenticated: read it per request.
        self.scope = "token" if isinstance(request.auth, ApiToken) else "session"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        # read live, so a changed setting (a test's) holds without a restart
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
