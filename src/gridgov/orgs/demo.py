"""The demo street: 浮云街道 of 云和县 at the size seed document 003 gives (lines 54-75).

Shape (SPEC §1): 云和县 → 浮云街道 → 4 communities, 4 villages, 4 economic cooperatives →
47 grids → 479 micro-grids. Cooperatives are the collective-asset bodies of the four urban communities
(former villages); they hold a cadre but no grids.

The 526 grid workers are one 四级网格员 per micro-grid (479) plus one full-time 专职网格员 per grid (47).
Every grid also has a 网格长 (grid leader, a separate person). Each community/village has three cadres and
one party-committee auditor; each cooperative one cadre; the street four cadres and a supervisor; the
district a platform admin. Residents live in households of one to three people sharing an address, three
to five households per micro-grid (about 4,000 residents); one per community/village can log in.

Generation (``plan_street``) is pure and draws only from the ``random.Random`` it is given, so a seed
always yields the same street; writing (``write_street``) is a handful of ``bulk_create`` calls with the
treebeard paths computed here, which keeps the whole street at about two seconds on SQLite.
"""

import functools
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import translation

from gridgov.orgs import names
from gridgov.orgs.models import Node, NodeKind, Person, Role, RoleAssignment
from gridgov.orgs.pinyin import initials_of

DISTRICT_CODE = "YH"
STREET_CODE = "FY"

# (kind, code suffix, name, grids, micro-grids). Grids: 28 + 19 = 47; micro-grids: 314 + 165 = 479.
UNITS = [
    (NodeKind.COMMUNITY, "DM", "东门社区", 8, 88),
    (NodeKind.COMMUNITY, "ZS", "中山社区", 7, 80),
    (NodeKind.COMMUNITY, "JF", "解放社区", 7, 76),
    (NodeKind.COMMUNITY, "CB", "城北社区", 6, 70),
    (NodeKind.VILLAGE, "BY", "白岩村", 5, 45),
    (NodeKind.VILLAGE, "XY", "下洋村", 5, 42),
    (NodeKind.VILLAGE, "HY", "黄源村", 5, 40),
    (NodeKind.VILLAGE, "GX", "贵溪村", 4, 38),
    (NodeKind.COOPERATIVE, "JJ-DM", "东门股份经济合作社", 0, 0),
    (NodeKind.COOPERATIVE, "JJ-ZS", "中山股份经济合作社", 0, 0),
    (NodeKind.COOPERATIVE, "JJ-JF", "解放股份经济合作社", 0, 0),
    (NodeKind.COOPERATIVE, "JJ-CB", "城北股份经济合作社", 0, 0),
]
STREET_CADRES = 4
CADRES_PER_UNIT = 3
MERCHANT_STAFF = {"DM": 2, "ZS": 2, "JF": 1, "CB": 1}

# The role names as the seed documents use them (SPEC "Who uses it").
ROLE_CHINESE = {
    Role.PLATFORM_ADMIN: "平台管理员",
    Role.STREET_CADRE: "街道干部",
    Role.COMMUNITY_CADRE: "社区(村)干部",
    Role.PARTY_AUDITOR: "社区党委审核",
    Role.GRID_LEADER: "网格长",
    Role.GRID_WORKER: "网格员",
    Role.RESIDENT: "居民",
    Role.MERCHANT_STAFF: "合作商户店员",
    Role.SUPERVISOR: "纪检监察",
}

# The one account per role that ``gridgov demo`` prints, keyed by the account it replaces.
MEMORABLE = {
    "admin": "admin",
    "street-cadre1": "street",
    "dm-cadre1": "dongmen",
    "dm-auditor": "auditor",
    "dm-g01-leader": "leader",
    "dm-g01-m01": "worker",
    "dm-resident": "resident",
    "dm-merchant1": "merchant",
    "street-supervisor": "supervisor",
}


@dataclass
class NodeSpec:
    code: str
    kind: str
    name: str
    parent: str | None


@dataclass
class PersonSpec:
    name: str
    phone: str
    address: str
    roles: list[tuple[str, str]]  # (node code, role)
    username: str = ""


@dataclass
class StreetPlan:
    nodes: list[NodeSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)


def role_label(role: str) -> str:
    """平台管理员 / Platform admin: the Chinese name beside the English one."""
    with translation.override("en"):
        return f"{ROLE_CHINESE[role]} / {Role(role).label}"


def seed(*, rng: random.Random, out) -> None:
    """The orgs part of the demo: the tree, everyone in it, and their logins."""
    plan = plan_street(rng)
    write_street(plan, password_hash=out.password_hash)
    nodes = {spec.code: spec for spec in plan.nodes}
    printed = [person for person in plan.people if person.username in MEMORABLE.values()]
    for person in sorted(printed, key=lambda person: Role.values.index(person.roles[0][1])):
        code, role = person.roles[0]
        where = nodes[code].name
        if nodes[code].kind == NodeKind.MICRO_GRID:
            where = f"{nodes[nodes[code].parent].name} {where}"
        out.login(role_label(role), person.username, note=f"{where} · {person.name}")


def plan_street(rng: random.Random) -> StreetPlan:
    """The whole street as plain data: nodes, then people with their roles and logins."""
    return _Planner(rng).plan()


class _Planner:
    """Draws the street from one generator, unit by unit, in a fixed order (so a seed always repeats)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.phones = names.PhoneBook(rng)
        self.taken_hamlets: set[str] = set()
        self.roads = list(names.ROADS)
        rng.shuffle(self.roads)
        self.homes: dict[str, list] = {}  # unit code → one address maker per micro-grid
        self.result = StreetPlan()

    def plan(self) -> StreetPlan:
        self.node(DISTRICT_CODE, NodeKind.DISTRICT, "云和县", None)
        self.node(STREET_CODE, NodeKind.STREET, "浮云街道", DISTRICT_CODE)
        for kind, suffix, name, grids, micro_grids in UNITS:
            self.unit(kind, f"{STREET_CODE}-{suffix}", name, grids, micro_grids)
        self.street_staff()
        for kind, suffix, *_sizes in UNITS:
            self.unit_staff(kind, f"{STREET_CODE}-{suffix}", suffix)
        return self.result

    def node(self, code: str, kind: str, name: str, parent: str | None) -> None:
        self.result.nodes.append(NodeSpec(code, kind, name, parent))

    def person(self, role: str, node_code: str, username: str, address: str) -> None:
        self.result.people.append(PersonSpec(
            name=names.person_name(self.rng), phone=self.phones.number(), address=address,
            roles=[(node_code, role)], username=MEMORABLE.get(username, username),
        ))

    def unit(self, kind: str, unit: str, unit_name: str, grid_count: int, micro_count: int) -> None:
        """A community or village with its grids and micro-grids spread evenly; a cooperative alone."""
        self.node(unit, kind, unit_name, STREET_CODE)
        self.homes[unit] = []
        if not grid_count:
            return
        if kind == NodeKind.COMMUNITY:
            # Five roads per community, lanes numbered odd along them: 人民路1弄, 人民路3弄, …
            roads, self.roads = self.roads[:5], self.roads[5:] + self.roads[:5]
            homes = [
                (f"{road}{lane}弄", functools.partial(names.flat_address, self.rng, road=road, lane=lane))
                for index in range(micro_count)
                for road, lane in [(roads[index % 5], 2 * (index // 5) + 1)]
            ]
        else:
            homes = [
                (hamlet, functools.partial(names.village_address, self.rng, village=unit_name, hamlet=hamlet))
                for hamlet in names.hamlet_names(self.rng, micro_count, taken=self.taken_hamlets)
            ]
        per_grid, extra = divmod(micro_count, grid_count)
        for number in range(1, grid_count + 1):
            size = per_grid + (1 if number <= extra else 0)
            grid_homes, homes = homes[:size], homes[size:]
            self.grid(unit, unit_name, number, grid_homes)

    def grid(self, unit: str, unit_name: str, number: int, homes: list) -> None:
        grid = f"{unit}-G{number:02d}"
        self.node(grid, NodeKind.GRID, f"{unit_name}第{names.chinese_number(number)}网格", unit)
        for index, (place, home) in enumerate(homes, 1):
            micro = f"{grid}-M{index:02d}"
            self.node(micro, NodeKind.MICRO_GRID, f"{place}微网格", grid)
            self.person(Role.GRID_WORKER, micro, _login(micro), home())
            residents = _households(self.rng, self.phones, micro, home)
            if not self.homes[unit] and index == 1:  # the unit's first resident may log in
                residents[0].username = MEMORABLE.get(f"{_login(unit)}-resident", f"{_login(unit)}-resident")
            self.result.people.extend(residents)
        makers = [home for _place, home in homes]
        self.person(Role.GRID_LEADER, grid, f"{_login(grid)}-leader", self.rng.choice(makers)())
        self.person(Role.GRID_WORKER, grid, _login(grid), self.rng.choice(makers)())
        self.homes[unit].extend(makers)

    def street_staff(self) -> None:
        town = [home for homes in self.homes.values() for home in homes]
        self.person(Role.PLATFORM_ADMIN, DISTRICT_CODE, "admin", self.rng.choice(town)())
        for number in range(1, STREET_CADRES + 1):
            self.person(Role.STREET_CADRE, STREET_CODE, f"street-cadre{number}", self.rng.choice(town)())
        self.person(Role.SUPERVISOR, STREET_CODE, "street-supervisor", self.rng.choice(town)())

    def unit_staff(self, kind: str, unit: str, suffix: str) -> None:
        """Cadres and an auditor; a cooperative has one cadre, who lives in the community it belongs to."""
        homes = self.homes[unit] or self.homes[f"{STREET_CODE}-{suffix.removeprefix('JJ-')}"]
        login = _login(unit)
        cooperative = kind == NodeKind.COOPERATIVE
        for number in range(1, (1 if cooperative else CADRES_PER_UNIT) + 1):
            self.person(Role.COMMUNITY_CADRE, unit, f"{login}-cadre{number}", self.rng.choice(homes)())
        if not cooperative:
            self.person(Role.PARTY_AUDITOR, unit, f"{login}-auditor", self.rng.choice(homes)())
        for number in range(1, MERCHANT_STAFF.get(suffix, 0) + 1):
            self.person(Role.MERCHANT_STAFF, unit, f"{login}-merchant{number}", self.rng.choice(homes)())


def _households(rng: random.Random, phones: names.PhoneBook, micro: str, home) -> list[PersonSpec]:
    """Three to five households in a micro-grid; members share the address, children the family name."""
    residents = []
    for _household in range(rng.randint(3, 5)):
        address = home()
        surname = rng.choice(names.SURNAMES)
        size = rng.choices([1, 2, 3], weights=[25, 45, 30])[0]
        for member in range(size):
            name = names.person_name(rng, surname=None if member == 1 else surname)
            phone = phones.number() if rng.random() < 0.9 else ""
            residents.append(PersonSpec(name, phone, address, [(micro, Role.RESIDENT)]))
    return residents


ADMIN_LOGIN = "admin"


def _login(code: str) -> str:
    """FY-DM-G03-M07 → dm-g03-m07: the street prefix is the same for everyone."""
    return code.removeprefix(f"{STREET_CODE}-").lower()


def write_street(plan: StreetPlan, *, password_hash: str) -> None:
    """Insert the plan with bulk inserts; tree paths, depths and child counts are computed here."""
    Node.objects.bulk_create(_tree_rows(plan.nodes))
    node_ids = dict(Node.objects.filter(code__in=[spec.code for spec in plan.nodes]).values_list("code", "pk"))

    User = get_user_model()
    logins = [spec.username for spec in plan.people if spec.username]
    # The platform admin also runs the Django admin (staff); their writes there still go through the services.
    User.objects.bulk_create(
        User(username=username, password=password_hash, is_staff=username == ADMIN_LOGIN,
             is_superuser=username == ADMIN_LOGIN)
        for username in logins
    )
    user_ids = dict(User.objects.filter(username__in=logins).values_list("username", "pk"))

    initials = functools.cache(initials_of)  # names repeat; pypinyin is the slowest step here
    people = Person.objects.bulk_create(
        Person(
            user_id=user_ids.get(spec.username), name=spec.name, name_initials=initials(spec.name),
            phone=spec.phone, address=spec.address,
        )
        for spec in plan.people
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(person_id=person.pk, node_id=node_ids[code], role=role)
        for person, spec in zip(people, plan.people, strict=True)
        for code, role in spec.roles
    )


def _tree_rows(specs: list[NodeSpec]) -> list[Node]:
    """Unsaved nodes with treebeard's materialised paths: siblings numbered in code order (node_order_by)."""
    children = defaultdict(list)
    for spec in specs:
        children[spec.parent].append(spec)
    last_root = Node.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    first_step = Node._str2int(last_root) + 1 if last_root else 1
    pending = [(spec, "", 1, step) for step, spec in enumerate(sorted(children[None], key=_code), first_step)]
    rows = []
    while pending:
        spec, parent_path, depth, step = pending.pop()
        path = Node._get_path(parent_path, depth, step)
        kids = sorted(children[spec.code], key=_code)
        rows.append(Node(
            kind=spec.kind, code=spec.code, name=spec.name, name_initials=initials_of(spec.name),
            path=path, depth=depth, numchild=len(kids),
        ))
        pending.extend((kid, path, depth + 1, step) for step, kid in enumerate(kids, 1))
    return rows


def _code(spec: NodeSpec) -> str:
    return spec.code
