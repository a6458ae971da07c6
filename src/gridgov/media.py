"""Uploaded photos: checked, resized and re-encoded as JPEG (``process_photo``), what every photo row keeps
(``Photo``), and serving them privately (the caller has checked the viewer may see the item).

A phone photo carries the taker's GPS position in its EXIF; it is kept only when the caller asks (a task
that requires a location: the cadre then wants it as proof), and every other tag is always dropped.
"""

import io
import uuid

from django import forms
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.errors import Invalid

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def process_photo(upload, *, keep_location: bool) -> tuple[ContentFile, int, int]:
    """Return (JPEG file, width, height) or raise Invalid with a message for the worker."""
    name = getattr(upload, "name", "") or "photo"
    if upload.size > MAX_PHOTO_BYTES:
        raise Invalid(
            _("%(name)s is too large (%(size)d MB); at most %(max)d MB per photo.")
            % {"name": name, "size": upload.size // (1024 * 1024), "max": MAX_PHOTO_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
        if image_format not in ACCEPTED_FORMATS:
            raise Invalid(
                _("%(name)s is a %(format)s file; send a JPEG, PNG or WebP photo.") % {"name": name, "format": image_format},
                code="photo_type",
            )
        if width * height > MAX_PIXELS:
            raise Invalid(_("%(name)s has too many pixels.") % {"name": name}, code="photo_too_large")
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            exif = image.getexif()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if image.mode != "RGB":
                image = image.convert("RGB")
            out = io.BytesIO()
            options = {"format": "JPEG", "quality": 85, "optimize": True}
            if keep_location and exif.get_ifd(GPS_IFD):
                kept = Image.Exif()
                kept[GPS_IFD] = exif.get_ifd(GPS_IFD)
                options["exif"] = kept.tobytes()
            image.save(out, **options)
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(_("%(name)s is not a readable image.") % {"name": name}, code="photo_type") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), image.width, image.height


class Photo(models.Model):
    """A re-encoded JPEG (``process_photo``) with its size; each concrete model adds its
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input (the phone's camera first); at most ``limit`` of them, if given."""

    def __init__(self, *args, limit: int | None = None, **kwargs):
        self.limit = limit
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in data if item] if isinstance(data, (list, tuple)) else ([data] if data else [])
        if self.limit is not None and len(files) > self.limit:
            raise forms.ValidationError(_("At most %(max)d photos.") % {"max": self.limit})
        return [super(PhotosField, self).clean(item, initial) for item in files]
