"""Evidence photos: resized, re-encoded, GPS stripped unless the task needs a location, bad files refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.errors import DomainError
from gridgov.media import GPS_IFD, MAX_PHOTO_BYTES
from gridgov.tasks import services
from gridgov.tasks.models import Claim, ClaimState
from gridgov.tasks.tests.conftest import jpeg


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (28.0, 7.0, 0.0), 3: "E", 4: (119.0, 34.0, 0.0)}
    return exif.tobytes()


def stored_image(claim):
    photo = claim.photos.get()
    with photo.image.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return photo, image


def test_photo_is_resized_reencoded_and_stripped_of_gps(publish, street):
    task = publish(requires_photo=True)
    claim = services.task_claim(actor=street.worker_a, task=task)
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完成",
                                  photos=[jpeg("big.jpg", size=(3200, 2000), exif=gps_exif())])
    photo, image = stored_image(claim)
    assert image.format == "JPEG"
    assert max(image.size) == 1600
    assert (photo.width, photo.height) == image.size
    assert not image.getexif().get_ifd(GPS_IFD)
    assert 0x010F not in image.getexif()


def test_photo_keeps_gps_when_the_task_requires_location(publish, street):
    task = publish(requires_photo=True, requires_location=True)
    claim = services.task_claim(actor=street.worker_a, task=task)
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="河道巡查", latitude="28.116",
                                  longitude="119.567", photos=[jpeg(exif=gps_exif())])
    _photo, image = stored_image(claim)
    assert image.getexif().get_ifd(GPS_IFD)[1] == "N"
    assert 0x010F not in image.getexif()
    assert str(claim.latitude) == "28.116000"


@pytest.mark.parametrize("upload, code", [
    (SimpleUploadedFile("fake.jpg", b"%PDF-1.4 not an image at all", content_type="image/jpeg"), "photo_type"),
    (SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain"), "photo_type"),
])
def test_files_that_are_not_photos_are_refused(publish, street, upload, code):
    claim = services.task_claim(actor=street.worker_a, task=publish(requires_photo=True))
    with pytest.raises(DomainError) as refused:
        services.claim_submit(actor=street.worker_a, claim=claim, text="x", photos=[upload])
    assert refused.value.code == code
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.CLAIMED


def test_image_of_an_unaccepted_format_is_refused(publish, street):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    upload = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
    claim = services.task_claim(actor=street.worker_a, task=publish())
    with pytest.raises(DomainError) as refused:
        services.claim_submit(actor=street.worker_a, claim=claim, text="x", photos=[upload])
    assert "BMP" in str(refused.value.message)


def test_too_large_photo_is_refused(publish, street):
    upload = SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * MAX_PHOTO_BYTES, content_type="image/jpeg")
    claim = services.task_claim(actor=street.worker_a, task=publish())
    with pytest.raises(DomainError) as refused:
        services.claim_submit(actor=street.worker_a, claim=claim, text="x", photos=[upload])
    assert refused.value.code == "photo_too_large"
