"""The portal's settings with what only slows tests taken out.

PBKDF2 costs almost a second per password on small machines, and every test
user has one: tests hash with MD5. The production hasher is left as it is and
checked once (``tests/test_project.py``).
"""

from b2bportal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests log people in with ``force_login`` and ``Client.login``, which django-axes
# cannot see the address of; the lockout tests switch it on for themselves.
AXES_ENABLED = False

# Pages render with plain static URLs whatever the .env says (no collected manifest here).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests log site admins in with ``force_login``; the two-factor tests switch this on.
TWO_FACTOR_REQUIRED_FOR_STAFF = False
