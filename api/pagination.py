"""How the API's lists are paged: by cursor, newest first (or by SKU, by name).

A page is ``{"next", "previous", "results"}``; ``next`` and ``previous`` are the
links to follow, or null at either end.
"""

from django.conf import settings
from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = settings.PAGE_SIZE  # as the pages: 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        # all three are in every page (``next`` and ``previous`` may be null)
        envelope["required"] = ["next", "previous", "results"]
        links = envelope["properties"]
        links["next"]["description"] = "The next page, or null on the last."
        links["next"]["example"] = "https://portal.example.com/api/v1/orders/?cursor=cD0y"
        links["previous"]["description"] = "The page before, or null on the first."
        links["previous"]["example"] = None
        return envelope


class BySku(NewestFirst):
    ordering = ("sku",)


class ByName(NewestFirst):
    ordering = ("full_name", "id")
