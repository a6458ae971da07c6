"""Redrawing one boundary from the map page: saved through the geo service (permission, scope, checks, audit),
and refused with the reason and the drawing kept (``redraw=<code>`` sends the map back to it)."""

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.geo.models import Boundary
from gridgov.geo.tests.conftest import BOXES, square

MAP = "/map/?node=G01"


def redraw(client, person, code: str, geometry, next_address: str = MAP):
    client.force_login(person.user)
    text = geometry if isinstance(geometry, str) else json.dumps(geometry)
    return client.post(reverse("geo:redraw"), {"node": code, "geometry": text, "next": next_address})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def smaller_m01() -> dict:
    west, south, east, north = BOXES["M01"]
    return square(west + 0.005, south + 0.005, east - 0.005, north - 0.005)


def test_a_community_cadre_redraws_a_micro_grid_from_the_map_and_it_is_audited(client, drawn):
    before = Boundary.objects.get(node=drawn.micro_a1)
    response = redraw(client, drawn.community_cadre, "M01", smaller_m01())
    assert response.status_code == 302 and response["Location"] == MAP
    after = Boundary.objects.get(node=drawn.micro_a1)
    assert after.area_m2 < before.area_m2 and after.set_by == drawn.community_cadre
    assert AuditRecord.objects.filter(action="geo.boundary_set", actor_id=drawn.community_cadre.pk,
                                      object_id=str(drawn.micro_a1.pk)).count() == 1
    assert any("已保存" in message for message in messages_of(response))


def test_a_cadre_outside_the_area_is_refused_and_the_drawing_is_kept(client, drawn):
    before = Boundary.objects.get(node=drawn.grid_c).geometry
    west, south, east, north = BOXES["G03"]
    response = redraw(client, drawn.community_cadre, "G03", square(west, south, east - 0.01, north))
    assert response.status_code == 302 and response["Location"] == MAP + "&redraw=G03"
    assert Boundary.objects.get(node=drawn.grid_c).geometry == before
    assert messages_of(response)  # the reason, shown on the map


def test_a_supervisor_may_see_the_map_but_not_redraw_and_the_attempt_is_audited(client, drawn):
    before = Boundary.objects.get(node=drawn.micro_a1).geometry
    response = redraw(client, drawn.supervisor, "M01", smaller_m01())
    assert response["Location"].endswith("redraw=M01")
    assert Boundary.objects.get(node=drawn.micro_a1).geometry == before
    assert AuditRecord.objects.filter(actor_id=drawn.supervisor.pk, action="geo.manage", outcome="denied").exists()


@pytest.mark.parametrize("geometry, reason", [
    ("not json", "无法读取"),
    ({"type": "Polygon", "coordinates": [[[119.51, 28.01], [119.52, 28.01], [119.51, 28.01]]]}, "至少"),
    ({"type": "Polygon", "coordinates": [[[119.51, 28.01], [119.54, 28.09], [119.54, 28.01], [119.51, 28.09],
                                          [119.51, 28.01]]]}, "自相交"),
    (square(119.40, 28.00, 119.55, 28.10), "之外"),
])
def test_a_bad_drawing_is_refused_with_its_reason(client, drawn, geometry, reason):
    before = Boundary.objects.get(node=drawn.micro_a1).geometry
    response = redraw(client, drawn.community_cadre, "M01", geometry)
    assert response["Location"].endswith("redraw=M01")
    assert Boundary.objects.get(node=drawn.micro_a1).geometry == before
    assert any(reason in message for message in messages_of(response)), messages_of(response)


def test_the_redraw_goes_back_only_to_this_site(client, drawn):
    response = redraw(client, drawn.community_cadre, "M01", smaller_m01(), next_address="https://evil.example/")
    assert response["Location"] == reverse("geo:boundaries")


def test_the_map_offers_redrawing_only_to_those_who_may_manage_boundaries(client, drawn):
    client.force_login(drawn.community_cadre.user)
    assert 'id="map-redraw"' in client.get(MAP).content.decode()
    client.force_login(drawn.supervisor.user)
    page = client.get("/map/").content.decode()
    assert "地图" in page and 'id="map-redraw"' not in page
