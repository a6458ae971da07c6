"""Serving uploaded photos privately: the caller has checked the viewer may see the item."""

from django.http import FileResponse, Http404


def private_jpeg(image) -> FileResponse:
    """The re-encoded JPEG behind ``image`` (an ImageField file), never cached by shared proxies."""
    try:
        response = FileResponse(image.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
