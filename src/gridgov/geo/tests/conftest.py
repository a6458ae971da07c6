"""The test street of ``gridgov.testing.factories`` with rectangles for boundaries, around 28.1 N, 119.6 E.

    street S01   119.50–119.70 × 28.00–28.20
    C01 (west)   119.50–119.60              V01 (east) 119.60–119.70 = grid G03
    G01 (south)  28.00–28.10: M01 119.50–119.55, M02 119.55–119.60
    G02 (north)  28.10–28.20: M03 = G02
"""

import pytest

from gridgov.geo import services
from gridgov.orgs.permissions import SYSTEM

BOXES = {
    "S01": (119.50, 28.00, 119.70, 28.20),
    "C01": (119.50, 28.00, 119.60, 28.20),
    "V01": (119.60, 28.00, 119.70, 28.20),
    "G01": (119.50, 28.00, 119.60, 28.10),
    "G02": (119.50, 28.10, 119.60, 28.20),
    "G03": (119.60, 28.00, 119.70, 28.20),
    "M01": (119.50, 28.00, 119.55, 28.10),
    "M02": (119.55, 28.00, 119.60, 28.10),
    "M03": (119.50, 28.10, 119.60, 28.20),
}


def square(west, south, east, north) -> dict:
    """A GeoJSON Polygon of a lon/lat rectangle (counter-clockwise, closed)."""
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def feature(code: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def drawn_collection(codes=BOXES) -> dict:
    return collection(*(feature(code, square(*BOXES[code])) for code in codes))


@pytest.fixture
def drawn(street):
    """The test street with every node's rectangle set (as the system)."""
    result = services.boundaries_import(actor=SYSTEM, collection=drawn_collection())
    assert result.ok, result.errors
    return street
