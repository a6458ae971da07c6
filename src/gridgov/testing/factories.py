"""Small factories for tests: a street with two communities, each with grids and micro-grids."""

import itertools

from gridgov.orgs import services
from gridgov.orgs.models import Node, NodeKind, Person, Role
from gridgov.orgs.permissions import SYSTEM

_counter = itertools.count(1)


def node(parent: Node | None, kind: str, name: str | None = None, code: str | None = None) -> Node:
    number = next(_counter)
    return services.node_create(
        actor=SYSTEM, parent=parent, kind=kind, code=code or f"T{number:05d}", name=name or f"测试{kind}{number}"
    )


def person(name: str = "张三", *, node: Node | None = None, role: str = "", username: str = "", phone: str = "") -> Person:
    return services.person_create(
        actor=SYSTEM, name=name, node=node, role=role, username=username, password="pass-for-tests-1" if username else "",
        phone=phone,
    )


class Street:
    """District → 浮云街道 → 东门社区 (grids A, B, micro-grids A1, A2, B1) and 白岩村 (grid C)."""

    def __init__(self):
        self.district = node(None, NodeKind.DISTRICT, "云和县", "D01")
        self.street = node(self.district, NodeKind.STREET, "浮云街道", "S01")
        self.community = node(self.street, NodeKind.COMMUNITY, "东门社区", "C01")
        self.village = node(self.street, NodeKind.VILLAGE, "白岩村", "V01")
        self.grid_a = node(self.community, NodeKind.GRID, "东门第一网格", "G01")
        self.grid_b = node(self.community, NodeKind.GRID, "东门第二网格", "G02")
        self.grid_c = node(self.village, NodeKind.GRID, "白岩第一网格", "G03")
        self.micro_a1 = node(self.grid_a, NodeKind.MICRO_GRID, "东门一网格微网格1", "M01")
        self.micro_a2 = node(self.grid_a, NodeKind.MICRO_GRID, "东门一网格微网格2", "M02")
        self.micro_b1 = node(self.grid_b, NodeKind.MICRO_GRID, "东门二网格微网格1", "M03")
        self.admin = person("管理员", node=self.district, role=Role.PLATFORM_ADMIN, username="admin")
        self.street_cadre = person("王街道", node=self.street, role=Role.STREET_CADRE, username="street")
        self.community_cadre = person("李社区", node=self.community, role=Role.COMMUNITY_CADRE, username="community")
        self.village_cadre = person("赵村干", node=self.village, role=Role.COMMUNITY_CADRE, username="village")
        self.auditor = person("陈党委", node=self.community, role=Role.PARTY_AUDITOR, username="auditor")
        self.worker_a = person("刘网格", node=self.grid_a, role=Role.GRID_WORKER, username="worker_a")
        self.worker_b = person("孙网格", node=self.grid_b, role=Role.GRID_WORKER, username="worker_b")
        self.resident = person("周居民", node=self.micro_a1, role=Role.RESIDENT, username="resident")
        self.supervisor = person("吴监察", node=self.street, role=Role.SUPERVISOR, username="supervisor")
