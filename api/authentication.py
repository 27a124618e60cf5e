"""``Authorization: Bearer <key>``: a personal token, acting as its person."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .services import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the session may still say who it is
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Bearer <key>."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This key does not work.")) from None
        token = api_token_authenticate(key=key)
        if token is None:
            # the same answer for a wrong, expired or revoked key and an inactive person
            raise exceptions.AuthenticationFailed(_("This key does not work."))
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
