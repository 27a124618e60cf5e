"""The portal's URLs as ``make bench`` serves them, with BENCHMARK on.

``b2bportal.urls`` reads the setting once, at import: tests that measure
against the baseline use this URLconf (``@pytest.mark.urls``) instead.
"""

from django.urls import include, path

from b2bportal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [*portal_urlpatterns, path("_baseline/", include("benchmark.urls"))]
