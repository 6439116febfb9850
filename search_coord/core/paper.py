"""Paper and files, pure: file names that carry the search's name and time, and a vector map of the search's own
geometry as SVG (metres on the search's local projection, north up, with a scale bar and a north arrow).

Every text that reaches the SVG is escaped here (it is inserted into pages as markup)."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_UTF8 = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def file_names(search_name: str, local_time: datetime, scope: str, ext: str) -> tuple[str, str]:
    """``(ascii, utf8)`` names of a file of the search, e.g. ("search-12-zhang-guilin_team-a_2026-11-28_2130.gpx",
    "搜索-张桂林_team-a_2026-11-28_2130.gpx"): the search's name, the scope (whole search, a team, an officer) and the
    time (on the station's clock) it was made. The ASCII one keeps letters, digits, '.', '_' and '-' only (accents
    folded), the UTF-8 one drops only what no file system takes."""
    when = local_time.strftime("%Y-%m-%d_%H%M")
    parts = [search_name, scope] if scope else [search_name]
    utf8 = "_".join(_UNSAFE_UTF8.sub("-", p).strip(" .-") for p in parts if p) + f"_{when}.{ext}"
    folded = unicodedata.normalize("NFKD", "_".join(p for p in parts if p)).encode("ascii", "ignore").decode()
    ascii_name = _UNSAFE.sub("-", folded).strip("-._")[:80] or "search"
    return f"{ascii_name}_{when}.{ext}", utf8[:180]


def content_disposition(ascii_name: str, utf8_name: str, inline: bool = False) -> str:
    """A Content-Disposition header with a plain ASCII ``filename`` and the UTF-8 name as ``filename*`` (RFC 6266,
    RFC 5987 encoding), which every current browser prefers."""
    kind = "inline" if inline else "attachment"
    safe = ascii_name.replace('"', "").replace("\\", "")
    return f"{kind}; filename=\"{safe}\"; filename*=UTF-8''{quote(utf8_name, safe='')}"


# --- the vector map -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """One thing to draw: a shapely geometry in metres (x east, y north), its CSS class (print.css styles it), an
    optional label (user text: escaped) and a colour for its stroke (a track's team colour, "#rrggbb") or None (a
    presentation attribute, not a style: the pages' CSP allows no inline styles)."""

    geom: BaseGeometry
    cls: str
    label: str | None = None
    colour: str | None = None


_NICE = (1, 2, 5)


def nice_length(target_m: float) -> float:
    """The largest 1, 2 or 5 x 10^n metres not above ``target_m`` (a scale bar's length)."""
    if target_m <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(target_m))
    return max(n * power for n in _NICE if n * power <= target_m)


def _path(geom: BaseGeometry) -> str:
    """SVG path data of lines and polygons (y flipped: SVG's y points down)."""
    out = []
    if isinstance(geom, (Polygon,)):
        for ring in (geom.exterior, *geom.interiors):
            out.append("M" + "L".join(f"{x:.1f},{-y:.1f}" for x, y in ring.coords) + "Z")
    elif isinstance(geom, LineString):
        out.append("M" + "L".join(f"{x:.1f},{-y:.1f}" for x, y in geom.coords))
    elif isinstance(geom, (MultiPolygon, MultiLineString)) or hasattr(geom, "geoms"):
        out.extend(_path(g) for g in geom.geoms if not isinstance(g, (Point, MultiPoint)))
    return "".join(out)


def _points(geom: BaseGeometry) -> list[tuple[float, float]]:
    if isinstance(geom, Point):
        return [(geom.x, geom.y)]
    if hasattr(geom, "geoms"):
        return [xy for g in geom.geoms for xy in _points(g)]
    return []


def _label_at(geom: BaseGeometry, frame: tuple, font: float) -> tuple[float, float]:
    """Where a label goes: beside a point, at a line's end, inside an area's top-left corner (off the last known
    point, which is usually near its middle) when that is on the map, else at a point inside it."""
    pts = _points(geom)
    if pts:
        return pts[0]
    if isinstance(geom, (LineString, MultiLineString)):
        last = geom if isinstance(geom, LineString) else geom.geoms[-1]
        return last.coords[-1]
    minx, _miny, _maxx, maxy = geom.bounds
    corner = (minx + font * 0.4, maxy - font * 1.4)
    if frame[0] <= corner[0] <= frame[2] and frame[1] <= corner[1] <= frame[3]:
        return corner
    p = geom.representative_point()
    return p.x, p.y


def svg_map(layers: list[Layer], width_mm: float, height_mm: float, focus: BaseGeometry | None = None,
            pad_ratio: float = 0.08, min_span_m: float = 200.0, title: str = "") -> str:
    """An SVG map (``width_mm`` x ``height_mm``) of ``layers``, framed on ``focus`` (or on every layer), at least
    ``min_span_m`` across, with a scale bar (its length in m or km) and a north arrow. Points are drawn as circles
    with their label; lines and polygons as paths; strokes keep their width whatever the scale."""
    frame = focus if focus is not None and not focus.is_empty else None
    if frame is None:
        geoms = [lay.geom for lay in layers if not lay.geom.is_empty]
        bounds = [g.bounds for g in geoms] or [(-min_span_m / 2, -min_span_m / 2, min_span_m / 2, min_span_m / 2)]
        minx, miny = min(b[0] for b in bounds), min(b[1] for b in bounds)
        maxx, maxy = max(b[2] for b in bounds), max(b[3] for b in bounds)
    else:
        minx, miny, maxx, maxy = frame.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span_x, span_y = max(maxx - minx, min_span_m), max(maxy - miny, min_span_m)
    span_x, span_y = span_x * (1 + 2 * pad_ratio), span_y * (1 + 2 * pad_ratio)
    aspect = width_mm / height_mm
    if span_x / span_y < aspect:
        span_x = span_y * aspect
    else:
        span_y = span_x / aspect
    x0, y0 = cx - span_x / 2, -(cy + span_y / 2)
    m_per_mm = span_x / width_mm
    font = 3.2 * m_per_mm            # 3.2 mm text
    dot = 1.4 * m_per_mm
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="paper-map" width="{width_mm}mm" height="{height_mm}mm" '
             f'viewBox="{x0:.1f} {y0:.1f} {span_x:.1f} {span_y:.1f}" role="img" aria-label={quoteattr(title)}>',
             f'<rect class="pm-bg" x="{x0:.1f}" y="{y0:.1f}" width="{span_x:.1f}" height="{span_y:.1f}"/>']
    for lay in layers:
        if lay.geom.is_empty:
            continue
        style = f' stroke="{lay.colour}"' if lay.colour and re.fullmatch(r"#[0-9a-fA-F]{6}", lay.colour) else ""
        d = _path(lay.geom)
        if d:
            parts.append(f'<path class="{escape(lay.cls)}" d="{d}" vector-effect="non-scaling-stroke"{style}/>')
        for x, y in _points(lay.geom):
            parts.append(f'<circle class="{escape(lay.cls)}" cx="{x:.1f}" cy="{-y:.1f}" r="{dot:.1f}"/>')
        if lay.label:
            lx, ly = _label_at(lay.geom, (x0, -y0 - span_y, x0 + span_x, -y0), font)
            parts.append(f'<text class="pm-label {escape(lay.cls)}-label" x="{lx + dot * 1.5:.1f}" y="{-ly:.1f}" '
                         f'font-size="{font:.1f}">{escape(lay.label)}</text>')
    parts.append(_scale_bar(x0, y0, span_x, span_y, m_per_mm, font))
    parts.append(_north_arrow(x0, y0, span_x, m_per_mm, font))
    parts.append("</svg>")
    return "".join(parts)


def _scale_bar(x0, y0, span_x, span_y, m_per_mm, font) -> str:
    length = nice_length(span_x / 4)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bx, by = x0 + 6 * m_per_mm, y0 + span_y - 6 * m_per_mm
    h = 1.5 * m_per_mm
    return (f'<g class="pm-scale"><rect class="pm-scale-bg" x="{bx - 2 * m_per_mm:.1f}" y="{by - 8 * m_per_mm:.1f}" '
            f'width="{length + 4 * m_per_mm + font * 4:.1f}" height="{11 * m_per_mm:.1f}"/>'
            f'<rect class="pm-scale-a" x="{bx:.1f}" y="{by - h:.1f}" width="{length / 2:.1f}" height="{h:.1f}"/>'
            f'<rect class="pm-scale-b" x="{bx + length / 2:.1f}" y="{by - h:.1f}" width="{length / 2:.1f}" '
            f'height="{h:.1f}"/>'
            f'<text x="{bx:.1f}" y="{by - h - 1.2 * m_per_mm:.1f}" font-size="{font:.1f}">0</text>'
            f'<text x="{bx + length:.1f}" y="{by - h - 1.2 * m_per_mm:.1f}" font-size="{font:.1f}">{label}</text></g>')


def _north_arrow(x0, y0, span_x, m_per_mm, font) -> str:
    ax, ay = x0 + span_x - 10 * m_per_mm, y0 + 6 * m_per_mm
    w, h = 3 * m_per_mm, 9 * m_per_mm
    return (f'<g class="pm-north"><path d="M{ax:.1f},{ay:.1f}L{ax + w:.1f},{ay + h:.1f}L{ax:.1f},{ay + h * 0.7:.1f}Z"/>'
            f'<path class="pm-north-b" d="M{ax:.1f},{ay:.1f}L{ax - w:.1f},{ay + h:.1f}L{ax:.1f},{ay + h * 0.7:.1f}Z"/>'
            f'<text x="{ax:.1f}" y="{ay + h + font * 1.1:.1f}" font-size="{font:.1f}" text-anchor="middle">N</text></g>')
