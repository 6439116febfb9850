"""Benchmark of accuracy: the local projection's distances and the areas against geopy / pyproj geodesics,
out to 20 km from the centre, at several latitudes.

    python bench/geodesy.py
"""
from __future__ import annotations

import math

from geopy.distance import geodesic
from shapely.geometry import Point, mapping

from search_coord.core.geometry import WGS84, LocalProjection, area_m2


def main() -> None:
    worst_d = worst_a = 0.0
    for lat, lon in ((39.7712, 116.1985), (51.5, -0.12), (60.0, 10.0), (-33.9, 151.2), (1.3, 103.8)):
        proj = LocalProjection(lat, lon)
        for dist in (50, 500, 2_000, 5_000, 10_000, 20_000):
            for bearing in range(0, 360, 15):
                dest = geodesic(meters=dist).destination((lat, lon), bearing)
                x, y = proj.to_xy(dest.longitude, dest.latitude)
                worst_d = max(worst_d, abs(math.hypot(x, y) - dist) / dist)
        for radius in (200, 2_000, 20_000):
            disc = proj.unproject(Point(0, 0).buffer(radius, quad_segs=64))
            planar = Point(0, 0).buffer(radius, quad_segs=64).area
            geo_area = abs(WGS84.geometry_area_perimeter(disc)[0])
            worst_a = max(worst_a, abs(planar - geo_area) / geo_area, abs(area_m2(mapping(disc)) - geo_area) / geo_area)
    print("local AEQD projection vs geopy.distance.geodesic, 5 centres, 50 m to 20 km, 24 bearings:")
    print(f"  worst relative distance error {worst_d:.2e}  (goal < 1e-3)")
    print(f"  worst relative area error (planar area in the projection vs pyproj geodesic area) {worst_a:.2e}"
          "  (goal < 1e-3)")


if __name__ == "__main__":
    main()
