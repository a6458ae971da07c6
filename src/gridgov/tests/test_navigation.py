from django.urls import reverse

from gridgov.navigation import MENU, menu_for


def urls(person, path="/"):
    return [link.url for link in menu_for(person, path)]


def test_every_menu_entry_points_at_a_real_page():
    for entry in MENU:
        assert reverse(entry.url_name)


def test_resident_sees_reporting_and_points_but_not_cadre_work(street):
    seen = urls(street.resident)
    assert reverse("reports:new") in seen and reverse("ledger:mine") in seen
    assert reverse("ledger:award") not in seen and reverse("tasks:published") not in seen


def test_community_cadre_sees_publishing_evaluation_and_awards(street):
    seen = urls(street.community_cadre)
    for name in ["tasks:published", "tasks:evaluation_queue", "ledger:award", "excel_import", "tree"]:
        assert reverse(name) in seen
    assert reverse("tasks:audit_queue") not in seen


def test_the_longest_matching_entry_is_marked_current(street):
    current = [link.url for link in menu_for(street.worker_a, reverse("ledger:ranking")) if link.current]
    assert current == [reverse("ledger:ranking")]


def test_page_header_shows_the_menu(street, client):
    client.force_login(street.auditor.user)
    page = client.get("/").content.decode()
    assert f'href="{reverse("tasks:audit_queue")}"' in page
