"""Several app servers share uploads through an S3-compatible store (GRIDGOV_MEDIA_S3_BUCKET, docs/deployment.md):
a resident's photo goes into the bucket, not the server's disk, and is served back through the permission check."""

import boto3
import pytest
from moto import mock_aws

from gridgov.reports.models import Report
from gridgov.reports.tests.conftest import jpeg

BUCKET = "gridgov-media"


@pytest.fixture
def s3_media(settings, monkeypatch, tmp_path):
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
        settings.STORAGES = {**settings.STORAGES, "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "file_overwrite": False, "default_acl": "private"}}}
        client = boto3.client("s3")
        client.media_root = settings.MEDIA_ROOT
        yield client


def test_a_photo_is_stored_in_the_bucket_and_served_only_through_the_app(street, client, environment, s3_media):
    client.force_login(street.resident.user)
    client.post("/reports/new/", {"category": environment.pk, "node": street.micro_a1.pk, "text": "路灯坏了",
                                  "address": "东门路", "photos": [jpeg()]})
    photo = Report.objects.get().photos.get()
    stored = [item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert stored == [photo.image.name]
    assert s3_media.get_object(Bucket=BUCKET, Key=photo.image.name)["Body"].read()[:2] == b"\xff\xd8"
    assert not s3_media.media_root.exists()  # nothing on this server's disk
    served = client.get(f"/reports/photos/{photo.pk}/")
    assert served.status_code == 200 and b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(street.village_cadre.user)  # another village's cadre: not theirs to see
    assert client.get(f"/reports/photos/{photo.pk}/").status_code in (403, 404)
