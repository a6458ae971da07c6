"""Setting boundaries: one redrawn on the map, or a GeoJSON file of many (all-or-nothing, like the Excel import).

Every new boundary is checked before anything is written: a valid WGS-84 (Multi)Polygon (``geometry.parse``),
inside its parent's boundary when the parent has one, not leaving a child's boundary outside it, and not
overlapping a sibling's by more than a small share of the smaller area (neighbours share edges; digitised
edges never match exactly, hence the shares). In an import the file's own boundaries count: a file may bring
a grid together with its micro-grids. A shape equal to the stored one changes nothing, so a re-import of an
export writes nothing. Writes check ``geo.manage`` and scope, run in one transaction and leave an audit
record per changed boundary (and one for the file).
"""

import hashlib
import io
import json
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_denied, audit_entry
from gridgov.errors import Invalid, PermissionDenied, refusal
from gridgov.geo import geometry, selectors
from gridgov.geo.geometry import CRS_CHOICES, WGS84, GeometryError
from gridgov.geo.models import Boundary
from gridgov.orgs import tree
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import can, grant_for, may_somewhere, require

OUTSIDE_SHARE = 0.01  # of a boundary's area that may stick out of its parent's (digitising noise)
OVERLAP_SHARE = 0.01  # of the smaller area that two siblings may share
MAX_FEATURES = 100_000
MAX_LISTED_ERRORS = 1000
CHUNK = 500


@dataclass
class FeatureError:
    feature: int | None  # its position in the file, from 1; None: the file as a whole
    code: str  # the node code the feature names, if any
    message: str
    denied: bool = False  # outside the actor's area, as opposed to a data mistake


@dataclass
class ImportResult:
    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[FeatureError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Planned:
    node: Node
    shape: shapely.Geometry
    feature: int | None = None


# ---------------------------------------------------------------- one boundary


def boundary_set(*, actor, node: Node, geometry_in, crs: str = WGS84) -> tuple[Boundary, bool]:
    """Set (or redraw) ``node``'s boundary from a GeoJSON geometry; (the boundary, whether it changed)."""
    grant = require(actor, "geo.manage", node)
    _check_crs(crs)
    try:
        shape = geometry.parse(geometry_in, crs=crs)
    except GeometryError as error:
        raise Invalid(error.message, code="invalid_geometry") from None
    planned = [Planned(node, shape)]
    problems = placement_problems(planned)
    if problems:
        raise refusal("boundary_misplaced", " ".join(problems[node.pk]))
    with transaction.atomic():
        boundaries, changed = _write(actor=actor, role=grant.role, planned=planned, reason="")
    return boundaries[node.pk], bool(changed)


def _check_crs(crs: str) -> None:
    if crs not in CRS_CHOICES:
        raise Invalid(_("Unknown coordinate system “%(crs)s”: use wgs84 or gcj02.") % {"crs": str(crs)[:20]},
                      code="invalid_geometry")


# ---------------------------------------------------------------- a file of boundaries


def boundaries_import(*, actor, file=None, collection=None, crs: str = WGS84) -> ImportResult:
    """Set the boundaries of a GeoJSON FeatureCollection (an uploaded ``file``, or the parsed ``collection``)
    whose features name their node in ``properties.code``. Nothing is written unless every feature passes."""
    if not may_somewhere(actor, "geo.manage"):
        if actor is not None:
            audit_denied(actor=actor, action="geo.import")
        raise PermissionDenied(_("You may not import boundaries: no role of yours allows it."))
    _check_crs(crs)
    result = ImportResult()
    if file is not None:
        collection = _read(file, result)
        if collection is None:
            return result
    features = _features_of(collection, result)
    if features is None:
        return result
    result.features = len(features)
    planned = _plan(actor, features, crs, result)
    if not result.errors:
        for node_id, messages in placement_problems(planned).items():
            entry = next(entry for entry in planned if entry.node.pk == node_id)
            result.errors.extend(FeatureError(entry.feature, entry.node.code, message) for message in messages)
    if result.errors:
        return _refused(actor, result)
    anchor = min((entry.node for entry in planned), key=lambda node: (node.depth, node.path), default=None)
    try:
        with transaction.atomic():
            boundaries, changed = _write(actor=actor, role="", planned=planned, reason=_("GeoJSON import"))
            result.created = sum(1 for entry in changed if entry[1] is None)
            result.updated = len(changed) - result.created
            result.unchanged = len(planned) - len(changed)
            if changed:
                grant = grant_for(actor, "geo.manage", anchor)
                AuditRecord.objects.bulk_create([audit_entry(
                    actor=actor, role=grant.role, action="geo.import", node=anchor,
                    after={"features": result.features, "created": result.created, "updated": result.updated,
                           "unchanged": result.unchanged})])
    except IntegrityError:
        # Someone set one of these boundaries between the check and the write.
        result.created = result.updated = result.unchanged = 0
        result.errors.append(FeatureError(None, "", _("Some of these boundaries were changed by someone else "
                                                      "meanwhile; nothing was imported. Import the file again.")))
    return result


def _read(file, result: ImportResult):
    """The parsed JSON of an uploaded file, refused unread above ``IMPORT_MAX_BYTES``; None after an error."""
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        size = file.seek(0, io.SEEK_END) - position
        file.seek(position)
    if size > settings.IMPORT_MAX_BYTES:
        result.errors.append(FeatureError(None, "", _("The file is %(size)s; files above %(limit)s are refused. "
                                                      "Split it, e.g. one file per community.")
                                          % {"size": filesizeformat(size),
                                             "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}))
        return None
    if size == 0:
        result.errors.append(FeatureError(None, "", _("The file is empty.")))
        return None
    content = file.read()
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        return json.loads(text)
    except UnicodeDecodeError:
        message = _("The file is not UTF-8 text. GeoJSON files are UTF-8; export it again from your GIS.")
    except json.JSONDecodeError as error:
        message = _("The file is not valid JSON (line %(line)d, column %(column)d). Export it again as GeoJSON.") % {
            "line": error.lineno, "column": error.colno}
    except RecursionError:
        message = _("The file is nested too deeply to be GeoJSON.")
    result.errors.append(FeatureError(None, "", message))
    return None


def _features_of(collection, result: ImportResult):
    """The feature list of a FeatureCollection; None (and an error) for anything else."""
    def fail(message):
        result.errors.append(FeatureError(None, "", message))

    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return fail(_("The file is not a GeoJSON FeatureCollection (its \"type\" must be \"FeatureCollection\")."))
    if problem := geometry.crs_problem(collection.get("crs")):
        return fail(problem)
    features = collection.get("features")
    if not isinstance(features, list):
        return fail(_("The FeatureCollection has no list of features."))
    if not features:
        return fail(_("The FeatureCollection has no features."))
    if len(features) > MAX_FEATURES:
        return fail(_("The file has %(count)d features; at most %(max)d are imported at once.")
                    % {"count": len(features), "max": MAX_FEATURES})
    return features


def _plan(actor, features: list, crs: str, result: ImportResult) -> list[Planned]:
    """Check every feature on its own: its code (known, in the actor's area, once) and its geometry."""
    codes = [_code_of(feature) for feature in features]
    nodes = {}
    wanted = sorted({code for code in codes if code})
    for start in range(0, len(wanted), CHUNK):
        nodes.update({node.code: node for node in Node.objects.filter(code__in=wanted[start:start + CHUNK])})
    seen: dict[str, int] = {}
    planned = []
    for number, (feature, code) in enumerate(zip(features, codes, strict=True), 1):
        def fail(message, denied=False):
            result.errors.append(FeatureError(number, code or "", message, denied))  # noqa: B023

        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            fail(_("This is not a GeoJSON Feature."))
            continue
        if not code:
            fail(_("The feature has no properties.code naming its grid or organisation."))
            continue
        node = nodes.get(code)
        if node is None or not can(actor, "geo.manage", node):
            fail(_("No node with the code “%(code)s” in your area.") % {"code": code[:40]}, denied=node is not None)
            continue
        if code in seen:
            fail(_("The code “%(code)s” appears again (first in feature %(first)d).")
                 % {"code": code, "first": seen[code]})
            continue
        seen[code] = number
        try:
            shape = geometry.parse(feature.get("geometry"), crs=crs)
        except GeometryError as error:
            fail(error.message)
            continue
        planned.append(Planned(node, shape, number))
    return planned


def _code_of(feature) -> str:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    code = properties.get("code") if isinstance(properties, dict) else None
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    return code.strip()[:100] if isinstance(code, str) else ""


def _refused(actor, result: ImportResult) -> ImportResult:
    result.errors.sort(key=lambda error: error.feature or 0)
    refused = [error for error in result.errors if error.denied]
    if refused:
        # Oversight sees attempts to import outside one's area; plain data mistakes are not audited.
        audit_denied(actor=actor, action="geo.import",
                     reason=f"features {', '.join(str(error.feature) for error in refused[:20])} outside the area")
    if len(result.errors) > MAX_LISTED_ERRORS:
        more = len(result.errors) - MAX_LISTED_ERRORS
        result.errors = result.errors[:MAX_LISTED_ERRORS]
        result.errors.append(FeatureError(None, "", _("… and %(count)d more problems.") % {"count": more}))
    return result


# ---------------------------------------------------------------- where a boundary may lie


def placement_problems(planned: list[Planned]) -> dict[int, list[str]]:
    """``{node id: messages}`` for the planned boundaries that stick out of their parent's, leave a child's
    outside, or overlap a sibling's; the other planned boundaries count as already set."""
    if not planned:
        return {}
    mine = {entry.node.path: entry for entry in planned}
    west, south, east, north = shapely.total_bounds(np.array([entry.shape for entry in planned]))
    stored = {each.path: each for each in selectors.located(selectors.boundaries_in_box(west, south, east, north))}
    parents = {tree.parent_path(path) for path in mine} - stored.keys() - mine.keys()
    stored.update(_located_by_path(parents))
    stored.update(_located_children(mine))
    shape_at = {path: each.shape for path, each in stored.items()} | {path: e.shape for path, e in mine.items()}
    label_at = {path: each.label for path, each in stored.items()} | {path: _label(e.node) for path, e in mine.items()}
    problems: dict[int, list[str]] = {}

    def add(path, message):
        problems.setdefault(mine[path].node.pk, []).append(message)

    # Inside the parent; children (already set) inside this one.
    pairs = [(path, tree.parent_path(path)) for path in mine if tree.parent_path(path) in shape_at]
    pairs += [(path, tree.parent_path(path)) for path in shape_at
              if path not in mine and tree.parent_path(path) in mine]
    for (child, parent), share in zip(pairs, _outside_shares(pairs, shape_at), strict=True):
        if share <= OUTSIDE_SHARE:
            continue
        if child in mine:
            add(child, _("%(node)s lies %(share)s outside %(parent)s; a boundary must lie inside its parent's.")
                % {"node": label_at[child], "share": _percent(share), "parent": label_at[parent]})
        else:
            add(parent, _("%(child)s would lie %(share)s outside %(node)s; redraw it too, or import both together.")
                % {"child": label_at[child], "share": _percent(share), "node": label_at[parent]})

    # No overlap with a sibling.
    paths = list(shape_at)
    shapes = np.array([shape_at[path] for path in paths])
    planned_paths = list(mine)
    left, right = shapely.STRtree(shapes).query(np.array([shape_at[path] for path in planned_paths]),
                                                 predicate="intersects")
    candidates = [(planned_paths[i], paths[j]) for i, j in zip(left, right, strict=True)
                  if planned_paths[i] != paths[j] and tree.parent_path(planned_paths[i]) == tree.parent_path(paths[j])
                  and not (paths[j] in mine and paths[j] < planned_paths[i])]  # a pair of planned ones once
    if candidates:
        first = np.array([shape_at[a] for a, _b in candidates])
        second = np.array([shape_at[b] for _a, b in candidates])
        shared = shapely.area(shapely.intersection(first, second))
        smaller = np.minimum(shapely.area(first), shapely.area(second))
        for (path, other), share in zip(candidates, shared / smaller, strict=True):
            if share > OVERLAP_SHARE:
                add(path, _("%(node)s overlaps %(other)s by %(share)s of the smaller area; neighbouring boundaries "
                            "may share edges but not land.")
                    % {"node": label_at[path], "other": label_at[other], "share": _percent(share)})
    return problems


def _outside_shares(pairs, shape_at) -> np.ndarray:
    if not pairs:
        return np.array([])
    children = np.array([shape_at[child] for child, _parent in pairs])
    parents = np.array([shape_at[parent] for _child, parent in pairs])
    return shapely.area(shapely.difference(children, parents)) / shapely.area(children)


def _located_by_path(paths) -> dict:
    paths = sorted(paths)
    found = {}
    for start in range(0, len(paths), CHUNK):
        found.update({each.path: each for each in selectors.located(
            Boundary.objects.filter(node__path__in=paths[start:start + CHUNK]))})
    return found


def _located_children(mine: dict) -> dict:
    """The stored boundaries of the children of the planned nodes (a child moved far away is not nearby)."""
    found = {}
    by_depth: dict[int, list[str]] = {}
    for path, entry in mine.items():
        by_depth.setdefault(entry.node.depth, []).append(path)
    for depth, paths in by_depth.items():
        for start in range(0, len(paths), CHUNK // 5):  # each path is one LIKE in the query
            boundaries = Boundary.objects.filter(tree.under(paths[start:start + CHUNK // 5], "node__path"),
                                                 node__depth=depth + 1)
            found.update({each.path: each for each in selectors.located(boundaries)})
    return found


def _label(node: Node) -> str:
    return f"{node.name}（{node.code}）"


def _percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.1 else f"{share:.1%}"


# ---------------------------------------------------------------- writing


def _summary(stored: dict, boundary: Boundary) -> dict:
    digest = hashlib.sha256(json.dumps(stored, separators=(",", ":")).encode()).hexdigest()[:16]
    return {"area_m2": round(boundary.area_m2), "vertices": boundary.vertices, "digest": digest,
            "bbox": [boundary.min_lon, boundary.min_lat, boundary.max_lon, boundary.max_lat]}


def _write(*, actor, role: str, planned: list[Planned], reason: str):
    """Store the planned boundaries that differ from the stored ones, with an audit record each.

    Returns ``({node id: boundary}, [(boundary, before or None) for each changed one]``.
    """
    now = timezone.now()
    ids = [entry.node.pk for entry in planned]
    existing = {}
    for start in range(0, len(ids), CHUNK):
        existing.update({boundary.node_id: boundary for boundary in
                         Boundary.objects.select_for_update().filter(node_id__in=ids[start:start + CHUNK])})
    person = actor if isinstance(actor, Person) else None
    boundaries, changed, audits = {}, [], []
    for entry in planned:
        stored = geometry.as_stored(entry.shape)
        boundary = existing.get(entry.node.pk)
        if boundary is not None and boundary.geometry == stored:
            boundaries[entry.node.pk] = boundary
            continue
        before = _summary(boundary.geometry, boundary) if boundary is not None else None
        west, south, east, north = entry.shape.bounds
        boundary = boundary or Boundary(node=entry.node)
        boundary.node = entry.node
        boundary.geometry = stored
        boundary.min_lon, boundary.min_lat, boundary.max_lon, boundary.max_lat = west, south, east, north
        boundary.area_m2 = geometry.area_m2(entry.shape)
        boundary.vertices = geometry.vertex_count(entry.shape)
        boundary.set_by, boundary.set_by_name, boundary.set_at = person, getattr(actor, "name", "")[:50], now
        boundaries[entry.node.pk] = boundary
        changed.append((boundary, before))
        grant_role = role or grant_for(actor, "geo.manage", entry.node).role
        audits.append(audit_entry(actor=actor, role=grant_role, action="geo.boundary_set", target=boundary,
                                  node=entry.node, before=before, after=_summary(stored, boundary), reason=reason))
    Boundary.objects.bulk_create([boundary for boundary, before in changed if before is None], batch_size=CHUNK)
    Boundary.objects.bulk_update([boundary for boundary, before in changed if before is not None], batch_size=CHUNK,
                                 fields=["geometry", "min_lon", "min_lat", "max_lon", "max_lat", "area_m2",
                                         "vertices", "set_by", "set_by_name", "set_at"])
    AuditRecord.objects.bulk_create(audits, batch_size=CHUNK)
    return boundaries, changed
