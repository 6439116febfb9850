"""Reading a street layer's source: an OpenStreetMap extract (.osm.pbf / .osm XML, with pyosmium) or road
centrelines as GeoJSON (a station's GIS). Both give the same rows: ways ``{way_id, nodes, coords, highway, walk,
drive, name, name_zh, name_en}`` (coords [[lon, lat]], node ids shared where ways meet) and addresses
``{lon, lat, street, housenumber, unit, building}``."""
from __future__ import annotations

import json

import osmium

from ...core.errors import GeometryError, ValidationError
from ...core.geometry import check_lonlat
from ...core.streets.network import classify, node_key

_ZH = ("name:zh", "name:zh-Hans", "name:zh-CN", "name:zh_pinyin")
#: The most ways one layer may hold (a large city district is 50-150 thousand).
MAX_WAYS = 400_000


def sniff(data: bytes, filename: str | None = None) -> str:
    """'pbf', 'osm' (XML) or 'geojson' from the first bytes (and the file name as a tie-breaker)."""
    head = data[:64].lstrip()
    if head.startswith(b"<"):
        return "osm"
    if head.startswith(b"{"):
        return "geojson"
    if b"OSMHeader" in data[:64]:
        return "pbf"
    name = (filename or "").lower()
    if name.endswith(".pbf"):
        return "pbf"
    raise ValidationError({"file": "not an OpenStreetMap extract (.osm.pbf, .osm) or a GeoJSON of road centrelines"})


def _names(tags) -> dict:
    zh = next((tags.get(k) for k in _ZH if tags.get(k)), None)
    return {"name": _clip(tags.get("name") or zh or tags.get("name:en")), "name_zh": _clip(zh),
            "name_en": _clip(tags.get("name:en"))}


def _clip(text, n: int = 200):
    return text.strip()[:n] if isinstance(text, str) and text.strip() else None


def read_osm(data: bytes | str, fmt: str = "pbf") -> tuple[list[dict], list[dict]]:
    """Ways and addresses of an OSM extract (bytes of a .pbf / .osm file, or a path). ValidationError when the
    file cannot be read."""
    source = data if isinstance(data, str) else osmium.io.FileBuffer(data, fmt)
    ways, addresses = [], []
    try:
        fp = (osmium.FileProcessor(source).with_locations()
              .with_filter(osmium.filter.KeyFilter("highway", "addr:housenumber")))
        for obj in fp:
            tags = obj.tags
            if obj.is_node():
                if "addr:housenumber" in tags:
                    addresses.append(_address(tags, obj.location.lon, obj.location.lat, False))
                continue
            if not obj.is_way():
                continue
            if "addr:housenumber" in tags and "highway" not in tags:
                pts = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if pts:
                    addresses.append(_address(tags, sum(p[0] for p in pts) / len(pts),
                                              sum(p[1] for p in pts) / len(pts), "building" in tags))
                continue
            kind = classify(tags)
            if kind is None:
                continue
            # fixed-point coordinates (1e-7°, OSM's own precision: x / 1e7 is the rounded degree), read once each
            refs = [(n.ref, n.x, n.y) for n in obj.nodes]
            nodes = [r for r, x, y in refs if _valid(x, y)]
            if len(nodes) < 2:
                continue
            coords = [[x / 1e7, y / 1e7] for _r, x, y in refs if _valid(x, y)]
            ways.append({"way_id": obj.id, "nodes": nodes, "coords": coords, "highway": tags.get("highway"),
                         "walk": kind[0], "drive": kind[1], **_names(tags)})
            if len(ways) > MAX_WAYS:
                raise ValidationError({"file": f"more than {MAX_WAYS} streets: load a smaller extract"})
    except RuntimeError as exc:
        raise ValidationError({"file": f"the OpenStreetMap file cannot be read ({exc})"}) from None
    return ways, addresses


def _valid(x: int, y: int) -> bool:
    """osmium's Location.valid() on fixed-point coordinates (an unknown location is outside these bounds)."""
    return -1_800_000_000 <= x <= 1_800_000_000 and -900_000_000 <= y <= 900_000_000


def _address(tags, lon: float, lat: float, building: bool) -> dict:
    return {"lon": round(lon, 7), "lat": round(lat, 7), "street": _clip(tags.get("addr:street")),
            "housenumber": _clip(tags.get("addr:housenumber"), 40),
            "unit": _clip(tags.get("name") or tags.get("addr:unit") or tags.get("addr:flats")), "building": building}


def read_geojson(data: bytes) -> list[dict]:
    """Ways from a GeoJSON FeatureCollection of LineString / MultiLineString road centrelines. Properties are read
    as OSM tags where they are (``highway``, ``name``, ``name:zh``, ``name:en``, ``foot``, ``access``...); a line
    without ``highway`` is taken as a road both walked and driven. Lines meet where they share a vertex.
    ValidationError naming the first bad feature."""
    try:
        doc = json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError({"file": f"not JSON ({exc})"}) from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise ValidationError({"file": "a GeoJSON FeatureCollection of road centrelines is needed"})
    ways = []
    for i, f in enumerate(features):
        geom = (f or {}).get("geometry") if isinstance(f, dict) else None
        props = f.get("properties") or {} if isinstance(f, dict) else {}
        if not isinstance(geom, dict) or geom.get("type") not in ("LineString", "MultiLineString"):
            continue
        tags = {str(k): str(v) for k, v in props.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
        tags.setdefault("highway", "road")
        kind = classify(tags)
        if kind is None:
            continue
        parts = geom.get("coordinates") if geom["type"] == "MultiLineString" else [geom.get("coordinates")]
        for part in parts or []:
            coords = []
            try:
                for c in part:
                    lon, lat = float(c[0]), float(c[1])
                    check_lonlat(lon, lat)
                    coords.append([round(lon, 7), round(lat, 7)])
            except (TypeError, ValueError, IndexError, GeometryError):
                raise ValidationError({"file": f"feature {i}: coordinates must be [lon, lat] in degrees"}) from None
            if len(coords) >= 2:
                ways.append({"way_id": len(ways) + 1, "nodes": [node_key(*c) for c in coords], "coords": coords,
                             "highway": tags["highway"][:40], "walk": kind[0], "drive": kind[1], **_names(tags)})
    if len(ways) > MAX_WAYS:
        raise ValidationError({"file": f"more than {MAX_WAYS} lines: load a smaller area"})
    return ways
