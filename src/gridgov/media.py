"""Uploaded photos: what every photo row keeps, and serving them privately (the caller has checked the
viewer may see the item)."""

from django.db import models
from django.http import FileResponse, Http404


class Photo(models.Model):
    """A re-encoded JPEG (``tasks.evidence.process_photo``) with its size; each concrete model adds its
    ``image`` field (with its own upload folder) and what it belongs to."""

    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


def private_jpeg(image) -> FileResponse:
    """The re-encoded JPEG behind ``image`` (an ImageField file), never cached by shared proxies."""
    try:
        response = FileResponse(image.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
