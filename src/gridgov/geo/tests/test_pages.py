"""The cadres' boundaries page, the command line and the stats."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from gridgov.demo import collect_stats
from gridgov.geo.management.commands.geo import Command
from gridgov.geo.models import Boundary
from gridgov.geo.tests.conftest import drawn_collection


def logged_in(client, person):
    client.force_login(person.user)
    return client


def geojson_file(data, name="边界.geojson"):
    file = io.BytesIO(json.dumps(data).encode())
    file.name = name
    return file


def test_a_cadre_imports_a_file_on_the_page_and_sees_the_counts(client, street):
    client = logged_in(client, street.street_cadre)
    assert client.get(reverse("geo:boundaries")).status_code == 200
    response = client.post(reverse("geo:boundaries"), {"file": geojson_file(drawn_collection()), "crs": "wgs84"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("geo:boundaries")
    assert "9" in str(list(response.context["messages"])[0])
    assert Boundary.objects.count() == 9


def test_a_bad_file_lists_each_feature_and_imports_nothing(client, street):
    data = drawn_collection()
    data["features"][2]["geometry"] = {"type": "Point", "coordinates": [119.5, 28.0]}
    response = logged_in(client, street.street_cadre).post(reverse("geo:boundaries"),
                                                           {"file": geojson_file(data), "crs": "wgs84"})
    assert response.status_code == 200
    assert [(error.feature, error.code) for error in response.context["result"].errors] == [(3, "V01")]
    assert "V01" in response.content.decode()
    assert not Boundary.objects.exists()


def test_an_upload_over_the_limit_is_refused_unread(client, street, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = logged_in(client, street.street_cadre).post(
        reverse("geo:boundaries"), {"file": geojson_file({"x": "y" * 70_000}), "crs": "wgs84"})
    assert response.status_code == 413


def test_a_grid_worker_has_no_boundaries_page(client, street):
    assert logged_in(client, street.worker_a).get(reverse("geo:boundaries")).status_code == 403


def test_the_export_downloads_geojson_of_the_cadres_area(client, drawn):
    client = logged_in(client, drawn.community_cadre)
    response = client.get(reverse("geo:export"), {"node": "C01"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert len(json.loads(response.content)["features"]) == 6
    assert client.get(reverse("geo:export"), {"node": "V01"}).status_code == 404


def test_the_commands_import_and_export(drawn, tmp_path):
    path = tmp_path / "fy.geojson"
    call_command("geo", "export", "S01", "--output", str(path), stderr=io.StringIO())
    out = io.StringIO()
    call_command("geo", "import", str(path), stdout=out)
    assert "未变 9" in out.getvalue()


def test_the_commands_help_is_in_chinese():
    help_text = Command().create_parser("gridgov", "geo").format_help()
    assert "导入" in help_text and "--crs" in help_text


def test_stats_count_the_boundaries(drawn):
    assert collect_stats()["boundaries"] == 9


@pytest.mark.parametrize("code", ["S01", "NOPE"])
def test_the_export_command_names_an_unknown_code(db, code):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("geo", "export", code)
