from rest_framework.test import APIClient

from api.services import api_token_create


def token_client(user, *, name: str = "ERP") -> APIClient:
    """An API client sending a fresh personal token of ``user``."""
    _token, key = api_token_create(user=user, name=name, days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client
