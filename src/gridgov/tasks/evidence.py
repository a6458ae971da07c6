"""Evidence photos: checked, resized, re-encoded as JPEG, and stripped of EXIF unless location is required.

A phone photo carries the worker's GPS position in its EXIF; we keep it only when the task asks for a
location (the cadre then wants it as proof), and drop every other tag always.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_SUBMISSION = 9
MAX_SIDE = 1600
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def process_photo(upload, *, keep_location: bool) -> tuple[ContentFile, int, int]:
    """Return (JPEG file, width, height) or raise ValidationError with a message for the worker."""
    name = getattr(upload, "name", "") or "photo"
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
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
            raise ValidationError(
                _("%(name)s is a %(format)s file; send a JPEG, PNG or WebP photo.") % {"name": name, "format": image_format},
                code="photo_type",
            )
        if width * height > MAX_PIXELS:
            raise ValidationError(_("%(name)s has too many pixels.") % {"name": name}, code="photo_too_large")
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
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("%(name)s is not a readable image.") % {"name": name}, code="photo_type") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), image.width, image.height
