"""GCJ-02 ("火星坐标", the offset datum of 高德, 腾讯 and other Chinese basemaps) to and from WGS-84.

GCJ-02 is WGS-84 shifted by a published, deliberately irregular function of position (about 100–700 m
inside China, nothing outside it; about 600 m around 云和). ``from_wgs84`` is that function (the widely reproduced formula on the
Krasovsky 1940 ellipsoid); it has no closed inverse, so ``to_wgs84`` inverts it by fixed-point iteration
(guess the WGS-84 point, shift it forward, correct by the miss), which converges to well under a centimetre
in a few steps. The one-step inverse many libraries use (``gcj - (shift(gcj) - gcj)``) is off by up to
about 2 m. 百度 (BD-09) adds a second offset on top of GCJ-02 and is not accepted.

Both work on numpy arrays (every vertex of a file at once) as well as on plain numbers.
"""

import numpy as np

SEMI_MAJOR_AXIS = 6378245.0  # Krasovsky 1940
ECCENTRICITY_SQUARED = 0.00669342162296594323
ITERATIONS = 10
CONVERGED = 1e-10  # degrees, about 0.01 mm


def _outside_china(lon, lat):
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _shift(lon, lat):
    """The GCJ-02 offset (degrees of longitude, degrees of latitude) at a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
             + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
             + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    d_lon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
             + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
             + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radians = lat / 180.0 * np.pi
    magic = 1 - ECCENTRICITY_SQUARED * np.sin(radians) ** 2
    d_lat = (d_lat * 180.0) / ((SEMI_MAJOR_AXIS * (1 - ECCENTRICITY_SQUARED)) / (magic * np.sqrt(magic)) * np.pi)
    d_lon = (d_lon * 180.0) / (SEMI_MAJOR_AXIS / np.sqrt(magic) * np.cos(radians) * np.pi)
    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def from_wgs84(lon, lat):
    """WGS-84 → GCJ-02."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    d_lon, d_lat = _shift(lon, lat)
    return lon + d_lon, lat + d_lat


def to_wgs84(lon, lat):
    """GCJ-02 → WGS-84, to well under a centimetre inside China (unchanged outside it)."""
    gcj_lon, gcj_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wgs_lon, wgs_lat = gcj_lon.copy(), gcj_lat.copy()
    for _step in range(ITERATIONS):
        shifted_lon, shifted_lat = from_wgs84(wgs_lon, wgs_lat)
        miss_lon, miss_lat = shifted_lon - gcj_lon, shifted_lat - gcj_lat
        wgs_lon, wgs_lat = wgs_lon - miss_lon, wgs_lat - miss_lat
        if np.all(np.abs(miss_lon) < CONVERGED) and np.all(np.abs(miss_lat) < CONVERGED):
            break
    return wgs_lon, wgs_lat


def coordinates_to_wgs84(coordinates: np.ndarray) -> np.ndarray:
    """An (n, 2) array of GCJ-02 lon/lat → the same points in WGS-84 (for ``shapely.transform``)."""
    lon, lat = to_wgs84(coordinates[:, 0], coordinates[:, 1])
    return np.column_stack([lon, lat])
