"""Street names on paper: the ways of the active street layers (issue 14's ``StreetLayer``) that fall on a paper
map, as thin lines with one label per named street (its longest stretch on the map), in metres."""
from __future__ import annotations

from shapely.geometry import LineString, box
from sqlalchemy import select

from ..adapters.street_models import StreetLayer, StreetWay
from ..core import paper

#: The most ways drawn on one map (a dense centre at a small scale would only blacken the sheet).
MAX_WAYS = 3000


def street_layers(s, proj, frame_m, lang: str = "zh-CN") -> list[paper.Layer]:
    """The streets inside ``frame_m`` (a shapely geometry in metres on ``proj``) from every active street layer
    whose extent meets it: lines (class ``pm-street``) and, per street name, one label at the midpoint of its
    longest stretch on the map (``pm-street-name``), the name in ``lang`` when the layer has it. [] when no layer
    covers the map."""
    minx, miny, maxx, maxy = frame_m.bounds
    lons, lats = proj.to_lonlat([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
    w, e, so, n = min(lons), max(lons), min(lats), max(lats)
    layers = s.execute(select(StreetLayer.id).where(StreetLayer.active.is_(True), StreetLayer.min_lon <= e,
                                                    StreetLayer.max_lon >= w, StreetLayer.min_lat <= n,
                                                    StreetLayer.max_lat >= so)).scalars().all()
    if not layers:
        return []
    lines, best = [], {}
    for coords, name, name_zh, name_en in s.execute(
            select(StreetWay.coords, StreetWay.name, StreetWay.name_zh, StreetWay.name_en)
            .where(StreetWay.layer_id.in_(layers))).all():
        if len(coords) < 2:
            continue
        way_lons, way_lats = [c[0] for c in coords], [c[1] for c in coords]
        if min(way_lons) > e or max(way_lons) < w or min(way_lats) > n or max(way_lats) < so:
            continue   # its extent misses the map (a long straight way may cross it with no vertex on it)
        xs, ys = proj.to_xy(way_lons, way_lats)
        line = LineString(list(zip(xs, ys))).intersection(box(minx, miny, maxx, maxy))
        if line.is_empty:
            continue
        lines.append(paper.Layer(line, "pm-street"))
        label = (name_zh if lang == "zh-CN" else name_en) or name
        if label and line.length > best.get(label, (0, None))[0]:
            best[label] = (line.length, line)
        if len(lines) >= MAX_WAYS:
            break
    names = [paper.Layer(line.interpolate(0.5, normalized=True), "pm-street-name", label)
             for label, (_length, line) in best.items()]
    return lines + names
