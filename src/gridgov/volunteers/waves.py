"""Telling a published need to the volunteers near it, nearest first, in waves until enough claim it.

Wave 1 goes to the active volunteers registered at the need's own node and below (its micro-grid), and to
those linked (联户, the households app) to a household there wherever they are registered; wave 2 to those
of the node above (the grid, and its linked households), then the community, then the street, each wave
skipping who was told already (``Told``). A level with nobody eligible is passed over at once, so the first wave always reaches
someone when anyone is eligible. Eligible: an active volunteer with the category's skill (if it names one),
not the requester. Within a wave, volunteers with a known location nearer the need come first. The next wave
is due ``wave_minutes`` later; the deadline watch (every 20 s) sends it while the need still wants helpers.
"""

import math
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from gridgov.households.selectors import members_linked_under
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.tree import ancestor_paths
from gridgov.volunteers import inbox
from gridgov.volunteers.models import Need, NeedState, Told, Volunteer

TOP_KINDS = {NodeKind.STREET, NodeKind.DISTRICT}  # waves stop at the street


def levels(node: Node) -> list[Node]:
    """The need's node and the nodes above it up to its street, deepest first."""
    above = list(Node.objects.filter(path__in=ancestor_paths(node.path)).order_by("-depth"))
    chosen = []
    for each in above:
        chosen.append(each)
        if each.kind in TOP_KINDS:
            break
    return chosen


def eligible(need: Need, level: Node):
    """Active volunteers at or under ``level``, or linked to a household there, who may serve ``need`` and were
    not told of it yet. One query (the links are a subquery)."""
    told = Told.objects.filter(need=need, person_id=OuterRef("person_id"))
    covering = Q(node__path__startswith=level.path) | Q(person_id__in=members_linked_under(level))
    found = (Volunteer.objects.filter(covering, is_active=True, person__is_active=True)
             .exclude(person_id=need.requester_id).filter(~Exists(told)))
    skill = need.category.skill
    if skill:
        found = found.filter(skills__icontains=skill)
    rows = found.values_list("person_id", "skills", "latitude", "longitude")
    return [(person_id, lat, lon) for person_id, skills, lat, lon in rows
            if not skill or skill in [part.strip() for part in skills.split(",")]]


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle metres between two points (haversine)."""
    lat1, lon1, lat2, lon2 = (math.radians(float(value)) for value in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


def nearest_first(need: Need, rows) -> list[int]:
    def key(row):
        person_id, lat, lon = row
        if need.latitude is None or lat is None:
            return (1, 0.0, person_id)
        return (0, distance_m(need.latitude, need.longitude, lat, lon), person_id)

    return [row[0] for row in sorted(rows, key=key)]


def send_wave(need: Need, *, now) -> int:
    """Send the need's next wave (inside the caller's transaction); how many people were told."""
    chain = levels(need.node)
    told = 0
    while need.wave < len(chain) and not told:
        level = chain[need.wave]
        need.wave += 1
        people = nearest_first(need, eligible(need, level))
        if people:
            Told.objects.bulk_create([Told(need=need, person_id=pk, wave=need.wave) for pk in people],
                                     ignore_conflicts=True, batch_size=2000)
            told = inbox.tell(need, "nearby", people, now=now)
    more = need.wave < len(chain) and need.state == NeedState.PUBLISHED
    need.next_wave_at = now + timedelta(minutes=need.category.wave_minutes) if more else None
    Need.objects.filter(pk=need.pk).update(wave=need.wave, next_wave_at=need.next_wave_at)
    return told


def send_due_waves(*, now) -> int:
    """The follow-up of the deadline watch: the next wave of every published need still short of helpers whose
    wave is due. Each need in its own transaction with its row locked, so two scans never send one wave twice."""
    sent = 0
    due = list(Need.objects.filter(next_wave_at__lte=now, state=NeedState.PUBLISHED).order_by("next_wave_at")
               .values_list("pk", flat=True)[:500])
    for pk in due:
        with transaction.atomic():
            need = (Need.objects.select_for_update().select_related("category", "node")
                    .filter(pk=pk, next_wave_at__lte=now, state=NeedState.PUBLISHED).first())
            if need is not None:
                send_wave(need, now=now)
                sent += 1
    return sent
