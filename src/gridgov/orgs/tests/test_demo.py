"""The orgs part of the demo street 浮云街道: figures from seed 003, a sound tree, believable and
repeatable data.

Only the orgs seeder runs here, once for the module (inside a transaction rolled back at the end), with
the real password hasher and the generator ``gridgov demo`` gives it. The whole demo, every app's seeder
included, is run through the command in ``gridgov/tests/test_commands.py``; how long seeding takes is
measured by ``bench/demo.py``, not by a test.
"""

import hashlib
import random
import re
from types import SimpleNamespace

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from gridgov import demo
from gridgov.audit.models import AuditRecord
from gridgov.orgs import demo as orgs_demo
from gridgov.orgs.models import CHILD_KINDS, PHONE_PATTERN, Node, NodeKind, Person, Role, RoleAssignment

CHINESE = re.compile(r"^[\u4e00-\u9fff]+$")
PLACE = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff0-9]*[\u4e00-\u9fff]$")  # 人民路12弄微网格

# pytest-django runs database tests first: marking every test keeps each module's one seeding.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = demo.DemoOutput()
        orgs_demo.seed(rng=orgs_rng(), out=out)
        yield SimpleNamespace(out=out)
        transaction.set_rollback(True)


def orgs_rng() -> random.Random:
    """The generator ``gridgov.demo.seed_demo`` hands the orgs seeder."""
    return random.Random(f"{demo.DEMO_SEED}:gridgov.orgs.demo.seed")


def plan_fingerprint(plan: orgs_demo.StreetPlan) -> str:
    nodes = sorted((n.code, str(n.kind), n.name, n.parent or "") for n in plan.nodes)
    people = sorted(
        (p.name, p.phone, p.address, p.username, tuple(sorted((code, str(role)) for code, role in p.roles)))
        for p in plan.people
    )
    return hashlib.sha256(repr((nodes, people)).encode()).hexdigest()


def database_fingerprint() -> str:
    code_at = dict(Node.objects.values_list("path", "code"))
    nodes = sorted(
        (code, kind, name, code_at.get(path[: -Node.steplen], ""))
        for path, code, kind, name in Node.objects.values_list("path", "code", "kind", "name")
    )
    roles: dict[int, list] = {}
    for person_id, code, role in RoleAssignment.objects.values_list("person_id", "node__code", "role"):
        roles.setdefault(person_id, []).append((code, role))
    people = sorted(
        (name, phone, address, username or "", tuple(sorted(roles.get(pk, []))))
        for pk, name, phone, address, username in Person.objects.values_list(
            "pk", "name", "phone", "address", "user__username"
        )
    )
    return hashlib.sha256(repr((nodes, people)).encode()).hexdigest()


def test_demo_street_has_the_figures_of_seed_003(seeded):
    street = Node.objects.get(code=orgs_demo.STREET_CODE)
    below_street = Node.objects.filter(path__startswith=street.path)
    assert street.name == "浮云街道"
    assert below_street.filter(kind=NodeKind.COMMUNITY, depth=street.depth + 1).count() == 4
    assert below_street.filter(kind=NodeKind.VILLAGE, depth=street.depth + 1).count() == 4
    assert below_street.filter(kind=NodeKind.COOPERATIVE, depth=street.depth + 1).count() == 4
    assert below_street.filter(kind=NodeKind.MICRO_GRID).count() == 479
    workers = Person.objects.filter(roles__role=Role.GRID_WORKER, roles__node__path__startswith=street.path)
    assert workers.distinct().count() == 526
    assert Node.objects.get(code="FY-DM").name == "东门社区"


def test_demo_street_has_every_role_and_thousands_of_residents(seeded):
    per_role = dict(RoleAssignment.objects.values_list("role").annotate(n=Count("pk")).order_by())
    assert set(per_role) == set(Role.values)
    assert per_role[Role.GRID_LEADER] == Node.objects.filter(kind=NodeKind.GRID).count()
    assert per_role[Role.PARTY_AUDITOR] == 8
    assert per_role[Role.SUPERVISOR] == 1
    assert 2000 < per_role[Role.RESIDENT] < 6000


def test_demo_tree_has_no_structural_problems(seeded):
    assert Node.objects.find_problems() == ([], [], [], [], [])
    kind_at = dict(Node.objects.values_list("path", "kind"))
    for path, kind in kind_at.items():
        parent_kind = kind_at.get(path[: -Node.steplen]) if len(path) > Node.steplen else None
        assert kind in CHILD_KINDS[parent_kind], (path, kind, parent_kind)


def test_demo_node_codes_spell_their_place_in_the_tree(seeded):
    code_at = dict(Node.objects.values_list("path", "code"))
    for path, code in code_at.items():
        parent_code = code_at.get(path[: -Node.steplen])
        if parent_code and parent_code not in {orgs_demo.DISTRICT_CODE, orgs_demo.STREET_CODE}:
            assert re.fullmatch(re.escape(parent_code) + r"-[GM]\d{2}", code), (code, parent_code)
    assert Node.objects.filter(code="FY-DM-G03-M07", kind=NodeKind.MICRO_GRID).exists()


def test_demo_names_and_places_are_chinese(seeded):
    names = list(Person.objects.values_list("name", flat=True))
    assert all(CHINESE.match(name) and 2 <= len(name) <= 3 for name in names)
    assert len(set(names)) > len(names) // 2
    assert all(PLACE.match(name) for name in Node.objects.values_list("name", flat=True))
    assert not Node.objects.filter(name_initials="").exists()
    assert not Person.objects.filter(name_initials="").exists()
    addresses = list(Person.objects.filter(roles__role=Role.RESIDENT).values_list("address", flat=True))
    assert all(re.search(r"(弄\d+幢\d单元\d+室|村.+\d+号)$", address) for address in addresses)


def test_demo_households_share_an_address(seeded):
    shared = (
        Person.objects.filter(roles__role=Role.RESIDENT).values("address").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert shared.count() > 500


def test_demo_phones_are_unique_mainland_mobiles(seeded):
    phones = [phone for phone in Person.objects.values_list("phone", flat=True) if phone]
    assert len(phones) > 3000
    assert len(set(phones)) == len(phones)
    assert all(PHONE_PATTERN.match(phone) for phone in phones)


def test_demo_staff_log_in_with_the_demo_password_and_most_residents_have_no_login(seeded, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    User = get_user_model()
    assert User.objects.get(username="worker").check_password(demo.DEMO_PASSWORD)
    assert User.objects.values("password").distinct().count() == 1  # one hash, shared by every demo login
    staff = Person.objects.exclude(roles__role=Role.RESIDENT)
    assert not staff.filter(user=None).exists()
    residents = Person.objects.filter(roles__role=Role.RESIDENT)
    assert 0 < residents.exclude(user=None).count() <= 10


def test_demo_prints_one_memorable_login_per_role(seeded):
    printed = [login for login in seeded.out.logins if login.username in orgs_demo.MEMORABLE.values()]
    assert len(printed) == len(orgs_demo.MEMORABLE) == len(Role.values)
    assert len({login.role for login in printed}) == len(Role.values)


def test_orgs_seeder_writes_no_audit_record_per_row(seeded):
    assert not AuditRecord.objects.filter(action__regex=r"^(node|person|role)\.").exists()


def test_same_seed_plans_the_same_street_and_another_seed_does_not():
    first = plan_fingerprint(orgs_demo.plan_street(random.Random("same")))
    again = plan_fingerprint(orgs_demo.plan_street(random.Random("same")))
    other = plan_fingerprint(orgs_demo.plan_street(random.Random("other")))
    assert first == again
    assert first != other


def test_demo_database_holds_exactly_the_planned_street(seeded):
    planned = orgs_demo.plan_street(orgs_rng())
    assert database_fingerprint() == plan_fingerprint(planned)
