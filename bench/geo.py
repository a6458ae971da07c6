"""Benchmark of the map's geography (not a test): a county of 10 streets like the demo one (≈ 4,800 micro-grids).

    python bench/geo.py                 # SQLite, in a throwaway data directory
    GRIDGOV_DATABASE_URL=postgres://gridgov:gridgov@127.0.0.1:5432/gridgov python bench/geo.py
                                        # PostgreSQL (a throwaway <name>_bench_<pid> database beside the named one)
    python bench/geo.py --streets 2     # smaller

The tree (district → streets → communities and villages → grids → micro-grids, the demo street's shape
repeated) is inserted with one bulk insert; each street's boundaries are drawn by the demo generator
around its own centre (streets 12 km apart), the district gets the outline around them all, and the whole
county is written by one ``boundaries_import`` (every check included; timed). Then it prints, best of 3:

- ``features`` of the county and of one street at each depth, with the default tolerance (the whole node in
  view) and at a few web-map zoom levels: milliseconds and output size (goal: street < 300 ms, county < 1 s,
  a county's output under 1 MB at its coarsest useful level);
- the same through ``GET /api/v1/geo/{code}?depth=N`` with ``Accept-Encoding: gzip`` (the server time a map
  waits for, and the bytes it receives);
- ``node_at`` for random points of the county (milliseconds per call).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import throwaway_database  # noqa: E402

SPACING_KM = 12.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streets", type=int, default=10)
    options = parser.parse_args()
    where, clean_up = throwaway_database("gg-bench-geo-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    try:
        run(options.streets, where)
    finally:
        clean_up()


def run(streets: int, where: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(f"{where}; {streets} streets")
    county = load(streets)
    measure(county)


def load(streets: int):
    import math

    import shapely
    from django.db import connection

    from gridgov.geo import demo as geo_demo
    from gridgov.geo import geometry, services
    from gridgov.orgs import demo as orgs_demo
    from gridgov.orgs.models import Node, NodeKind
    from gridgov.orgs.permissions import SYSTEM

    specs = [orgs_demo.NodeSpec("CTY", NodeKind.DISTRICT, "云和县", None)]
    for number in range(1, streets + 1):
        street = f"S{number:02d}"
        specs.append(orgs_demo.NodeSpec(street, NodeKind.STREET, f"第{number}街道", "CTY"))
        for kind, suffix, name, grids, micro_grids in orgs_demo.UNITS:
            if not grids:
                continue
            unit = f"{street}-{suffix}"
            specs.append(orgs_demo.NodeSpec(unit, kind, name, street))
            per_grid, extra = divmod(micro_grids, grids)
            for grid_number in range(1, grids + 1):
                grid = f"{unit}-G{grid_number:02d}"
                specs.append(orgs_demo.NodeSpec(grid, NodeKind.GRID, f"{name}第{grid_number}网格", unit))
                for micro in range(1, per_grid + (grid_number <= extra) + 1):
                    specs.append(orgs_demo.NodeSpec(f"{grid}-M{micro:02d}", NodeKind.MICRO_GRID,
                                                    f"{name}{grid_number}-{micro}微网格", grid))
    started = time.perf_counter()
    Node.objects.bulk_create(orgs_demo._tree_rows(specs), batch_size=2000)
    kinds = {kind: sum(spec.kind == kind for spec in specs) for kind in (NodeKind.GRID, NodeKind.MICRO_GRID)}
    print(f"tree: {len(specs)} nodes ({kinds[NodeKind.GRID]} grids, {kinds[NodeKind.MICRO_GRID]} micro-grids) "
          f"in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    rng = random.Random("bench:geo")
    columns = math.ceil(math.sqrt(streets))
    features, outlines = [], []
    for index, street in enumerate(Node.objects.filter(kind=NodeKind.STREET).order_by("code")):
        east, north = (index % columns) * SPACING_KM, (index // columns) * SPACING_KM
        centre = (geo_demo.CENTRE[0] + east / (geo_demo.KM_PER_DEGREE * math.cos(math.radians(28.1))),
                  geo_demo.CENTRE[1] + north / geo_demo.KM_PER_DEGREE)
        collection = geo_demo.street_collection(street, rng, centre=centre)
        features += collection["features"]
        outlines.append(shapely.geometry.shape(collection["features"][0]["geometry"]))
    county = shapely.union_all(outlines).convex_hull.buffer(0.01)
    features.insert(0, {"type": "Feature", "properties": {"code": "CTY"}, "geometry": geometry.as_stored(county)})
    print(f"boundaries drawn: {len(features)} in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    result = services.boundaries_import(actor=SYSTEM, collection={"type": "FeatureCollection", "features": features})
    assert result.ok, result.errors[:5]
    print(f"boundaries_import (every check): {result.created} created in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Node.objects.get(code="CTY")


def best(function, repeat=3):
    times, value = [], None
    for _attempt in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return min(times), value


def measure(county) -> None:
    import shapely
    from django.test import Client

    from gridgov.geo import selectors
    from gridgov.geo.models import Boundary
    from gridgov.orgs import services as orgs_services
    from gridgov.orgs.models import Node, NodeKind, Role

    street = Node.objects.filter(kind=NodeKind.STREET).order_by("code").first()
    admin = orgs_services.person_create(actor=orgs_services.SYSTEM, name="基准", node=county,
                                        role=Role.PLATFORM_ADMIN, username="bench", password="bench-password-1")
    _token, secret = orgs_services.api_token_create(actor=admin, label="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_ENCODING="gzip")

    print("\nfeatures (default tolerance: the whole node in view), best of 3")
    print(f"  {'node':<8} {'depth':>5} {'features':>8} {'ms':>8} {'KB':>8} {'API ms':>8} {'gzip KB':>8}")
    for node, depths in ((street, range(4)), (county, range(5))):
        for depth in depths:
            seconds, text = best(lambda node=node, depth=depth: selectors.features(node=node, depth=depth))
            api_seconds, response = best(lambda node=node, depth=depth: client.get(f"/api/v1/geo/{node.code}",
                                                                                 {"depth": depth}))
            assert response.status_code == 200, response.content[:300]
            count = text.count('"type":"Feature"')
            print(f"  {node.code:<8} {depth:>5} {count:>8} {seconds * 1000:>8.0f} "
                  f"{len(text.encode()) / 1024:>8.0f} {api_seconds * 1000:>8.0f} {len(response.content) / 1024:>8.0f}")
    print("\nfeatures of the county at web-map zoom levels (depth 4), best of 3")
    for zoom in (10, 12, 14, 16):
        seconds, text = best(lambda zoom=zoom: selectors.features(node=county, depth=4, zoom=zoom))
        print(f"  zoom {zoom:>2}: {seconds * 1000:6.0f} ms {len(text.encode()) / 1024:8.0f} KB")

    west, south, east, north = shapely.total_bounds(
        [shapely.box(*row) for row in Boundary.objects.filter(node=county).values_list(
            "min_lon", "min_lat", "max_lon", "max_lat")])
    rng = random.Random(1)
    points = [(rng.uniform(west, east), rng.uniform(south, north)) for _index in range(300)]
    times, found = [], 0
    for lon, lat in points:
        started = time.perf_counter()
        node = selectors.node_at(lon=lon, lat=lat)
        times.append(time.perf_counter() - started)
        found += node is not None and node.kind == NodeKind.MICRO_GRID
    print(f"\nnode_at: {len(points)} random points of the county, median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms; {found} landed in a micro-grid")


if __name__ == "__main__":
    main()
