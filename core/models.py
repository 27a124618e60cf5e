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


class Tally(models.Model):
    """One change to a running count (and the amount it stands for), by name.

    A count that a page shows on every visit ("12 orders worth $48,300 wait for
    you") is kept by the services that change it instead of being counted per
    view. Each change is a new row, never an update: two transactions that move
    the same count never wait for each other, whatever locks they hold, so a
    tally adds no lock to the lock order. Reading sums the name's rows through
    ``tally_name_idx``; ``core.tallies.tally_fold`` (a periodic task) folds each
    name's rows into one, so a read costs a few rows whatever the table holds.
    """

    name = models.CharField(max_length=100)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # False: a change not yet folded into the name's one row
    folded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        indexes = [
            models.Index(fields=["name"], include=["count", "amount"], name="tally_name_idx"),
            models.Index(fields=["name"], condition=models.Q(folded=False), name="tally_new_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.count:+d}, {self.amount:+}"
