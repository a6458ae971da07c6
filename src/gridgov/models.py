"""What the project package itself stores: the one-time keys of POSTs (``gridgov.submissions``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A POST's one-time key and its first answer: a form's ``form_token`` (pages) or an ``Idempotency-Key``
    header (API), per sender. The unique constraint lets exactly one of two identical POSTs through; the other
    gets the first one's answer."""

    owner = models.CharField(_("sender"), max_length=80)  # "user:<id>", or "token:<digest prefix>" for the API
    key = models.CharField(_("key"), max_length=64)
    path = models.CharField(_("path"), max_length=255)
    fingerprint = models.CharField(_("request digest"), max_length=64, blank=True)  # API: the body's SHA-256
    status = models.PositiveSmallIntegerField(_("first answer's status"), null=True, blank=True)
    location = models.CharField(_("first answer's redirect"), max_length=1000, blank=True)
    body = models.TextField(_("first answer's body"), blank=True)  # API: the JSON answered the first time
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="gridgov_submission_once")]

    def __str__(self) -> str:
        return f"{self.owner} {self.path} {self.key}"
