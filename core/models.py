from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A form's one-time key, claimed by the first POST that carries it.

    Every form that creates something renders a fresh key; the service claims it
    in the transaction that creates the object. The primary key is the
    constraint: a second POST with the same key (a double click, a resent form)
    waits for the first to commit, finds the key taken, and is sent to what the
    first one made (``result``) instead of making it again.
    """

    key = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result = models.CharField(_("result"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.key} → {self.result or '…'}"
