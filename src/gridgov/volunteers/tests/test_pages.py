"""The pages: the square, posting a need, a need's page through claim, check-in, check-out and confirmation,
my hours, the cadres' lists, and a call-out with its live count."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from gridgov.volunteers import callouts
from gridgov.volunteers.models import CalloutAnswer, Claim, ClaimState, Need, NeedState

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_a_resident_posts_a_need_from_the_phone_form_and_a_volunteer_sees_it_on_the_square(client, street, crew):
    login(client, "resident")
    form = client.get(reverse("volunteers:new")).content.decode()
    assert "微心愿" in form and 'id="post-need"' in form
    starts = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("volunteers:new"), {
        "category": crew.wish.pk, "title": "帮忙搬家具", "node": street.micro_a1.pk, "place": "东门路3号",
        "starts_at": starts, "helpers": 2, "requester_kind": "resident", "form_token": "tap1"})
    need = Need.objects.get()
    assert response.status_code == 302 and need.state == NeedState.PUBLISHED
    login(client, "v_a1")
    square = client.get(reverse("volunteers:square")).content.decode()
    assert "帮忙搬家具" in square


def test_a_need_in_the_past_is_refused_on_the_form_with_the_input_kept(client, street, crew):
    login(client, "resident")
    response = client.post(reverse("volunteers:new"), {
        "category": crew.wish.pk, "title": "过去的事", "node": street.micro_a1.pk, "place": "东门路3号",
        "starts_at": "2020-01-01T08:00", "helpers": 1, "requester_kind": "resident", "form_token": "tap2"})
    assert response.status_code == 200 and "过去的事" in response.content.decode()
    assert not Need.objects.exists()


def test_claim_check_in_check_out_and_confirm_through_the_pages(client, street, crew, post):
    need = post(starts_at=timezone.now() + timedelta(minutes=10), now=timezone.now())
    login(client, "v_a1")
    page = client.get(reverse("volunteers:need", args=[need.pk])).content.decode()
    assert 'id="claim"' in page
    client.post(reverse("volunteers:claim", args=[need.pk]), {"form_token": "c1"})
    claim = Claim.objects.get(need=need)
    client.post(reverse("volunteers:check_in", args=[need.pk]),
                {"latitude": "28.1", "longitude": "119.5", "form_token": "c2"})
    claim.refresh_from_db()
    assert claim.state == ClaimState.CHECKED_IN
    Claim.objects.filter(pk=claim.pk).update(checked_in_at=timezone.now() - timedelta(minutes=45))
    client.post(reverse("volunteers:check_out", args=[need.pk]),
                {"latitude": "28.1", "longitude": "119.5", "form_token": "c3"})
    need.refresh_from_db()
    assert need.state == NeedState.SERVED
    login(client, "resident")
    client.post(reverse("volunteers:confirm", args=[need.pk]), {"rating": "5", "form_token": "c4"})
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED
    login(client, "v_a1")
    hours = client.get(reverse("volunteers:hours")).content.decode()
    assert 'id="hours-this-year">0.8' in hours


def test_a_check_in_without_location_is_refused_with_a_message(client, street, crew, post):
    need = post(starts_at=timezone.now() + timedelta(minutes=10), now=timezone.now())
    login(client, "v_a1")
    client.post(reverse("volunteers:claim", args=[need.pk]), {"form_token": "d1"})
    response = client.post(reverse("volunteers:check_in", args=[need.pk]), {"form_token": "d2"}, follow=True)
    assert "位置" in response.content.decode()
    assert Claim.objects.get(need=need).state == ClaimState.CLAIMED


def test_a_need_outside_ones_street_is_not_shown(client, street, crew, post):
    need = post(starts_at=timezone.now() + timedelta(minutes=10), now=timezone.now())
    login(client, "worker_b")
    assert client.get(reverse("volunteers:need", args=[need.pk])).status_code == 404


def test_cadre_pages_list_needs_and_the_members_short_of_the_rule(client, street, crew, post):
    post(starts_at=timezone.now() + timedelta(minutes=10), now=timezone.now())
    login(client, "community")
    needs = client.get(reverse("volunteers:needs")).content.decode()
    assert "帮忙买药" in needs
    shortfall = client.get(reverse("volunteers:shortfall")).content.decode()
    assert 'id="short-count">2<' in shortfall and "志愿者甲" in shortfall


def test_a_call_out_page_shows_the_live_count_and_takes_one_answer(client, street, crew):
    login(client, "community")
    response = client.post(reverse("volunteers:callout_new"), {
        "node": street.community.pk, "kind": "flood", "title": "河水上涨", "target": 2,
        "assembly_point": "社区广场", "form_token": "e1"})
    assert response.status_code == 302
    callout = callouts.Callout.objects.get()
    login(client, "v_a1")
    client.post(reverse("volunteers:callout_answer", args=[callout.pk]), {"answer": "coming", "form_token": "e2"})
    client.post(reverse("volunteers:callout_answer", args=[callout.pk]), {"answer": "cannot", "form_token": "e3"})
    assert CalloutAnswer.objects.get().answer == "coming"
    login(client, "community")
    live = client.get(reverse("volunteers:callout_count", args=[callout.pk])).content.decode()
    assert 'id="coming-count">1<' in live and "hx-trigger" in live
    assert 'id="unlocated-list"' not in live and "志愿者甲" in live  # located where they registered


def test_without_any_boundary_or_location_the_call_out_page_says_so_instead_of_a_map(client, street, crew):
    callout = callouts.callout_raise(actor=street.community_cadre, node=street.community, kind="fire",
                                     title="仓库起火", target=2, assembly_point="路口")
    callouts.callout_answer(actor=crew.a2, callout=callout, answer="coming")  # registered without a location
    login(client, "community")
    page = client.get(reverse("volunteers:callout", args=[callout.pk])).content.decode()
    assert 'id="callout-map-empty">' in page and 'id="callout-map" class="callout-map" role="application" ' \
        'aria-label="' in page and "hidden></div>" in page
    assert 'id="unlocated-list"' in page and "志愿者丙" in page


def test_the_call_out_map_data_is_refreshed_with_names_for_the_cadre_only(client, street, crew, drawn):
    callout = callouts.callout_raise(actor=street.community_cadre, node=street.community, kind="flood",
                                     title="河水上涨", target=2, assembly_point="社区广场", latitude="28.05",
                                     longitude="119.52")
    callouts.callout_answer(actor=crew.a1, callout=callout, answer="coming")
    login(client, "community")
    page = client.get(reverse("volunteers:callout", args=[callout.pk])).content.decode()
    assert 'id="callout-map-empty" hidden>' in page and "callout_map.js" in page and "js_lib_leaflet" in page
    data = client.get(reverse("volunteers:callout_map", args=[callout.pk])).json()
    assert [each["name"] for each in data["people"]] == ["志愿者甲"] and data["boundaries"] is None
    assert client.get(reverse("volunteers:callout_map", args=[callout.pk]) + "?boundaries=1").json()["boundaries"]
    login(client, "v_a2")
    data = client.get(reverse("volunteers:callout_map", args=[callout.pk])).json()
    assert data["people"] == [] and data["coming"] == 1 and data["assembly"]["name"] == "社区广场"
    login(client, "v_c")  # the village's volunteer: another area
    assert client.get(reverse("volunteers:callout_map", args=[callout.pk])).status_code == 404
