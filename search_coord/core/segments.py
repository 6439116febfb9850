"""Splitting a search area into segments (metres, in the search's local projection) and naming them for the radio."""
from __future__ import annotations

import math
import string
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, Polygon, box
from shapely.prepared import prep

from .errors import GeometryError

#: Smallest and largest automatic cell sizes (m): below 25 m nobody can keep to the cell; above 5 km it is no segment.
MIN_CELL_M = 25.0
MAX_CELL_M = 5000.0
#: Cells whose clipped part is smaller than this share of a full cell are merged into nothing (dropped slivers).
SLIVER_SHARE = 0.05
MAX_SEGMENTS = 2000


@dataclass(frozen=True)
class Cell:
    """A segment shape in metres with its radio name (row letters from the north, column numbers from the west)."""

    name: str
    polygon: Polygon


def row_label(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, ..."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


def _check_cell(cell_m) -> float:
    if isinstance(cell_m, bool) or not isinstance(cell_m, (int, float)) or not math.isfinite(cell_m) \
            or not MIN_CELL_M <= cell_m <= MAX_CELL_M:
        raise GeometryError(f"cell size must be between {MIN_CELL_M:g} and {MAX_CELL_M:g} m")
    return float(cell_m)


#: How many cells a grid proposed at opening aims at: enough to tell the likely blocks apart, few enough to read.
PROPOSED_CELLS = 150


def proposed_cell_m(area_m2: float, cells: int = PROPOSED_CELLS) -> float:
    """The cell side (m) that splits ``area_m2`` into about ``cells`` squares, rounded to 50 m and kept between
    100 m (a block a foot team clears in well under an hour) and 1 km (a patrol car's hour in a town)."""
    if not math.isfinite(area_m2) or area_m2 <= 0:
        raise GeometryError("the area to split is empty")
    side = math.sqrt(area_m2 / cells)
    return float(min(1000.0, max(100.0, 50.0 * round(side / 50.0))))


def grid(area, cell_m: float, shape: str = "square") -> list[Cell]:
    """Cover ``area`` (a shapely polygon in metres) with square cells of side ``cell_m`` or flat-topped hexagons of
    width ``cell_m``, clipped to it; slivers under 5 % of a cell are dropped. Named A1, A2, ... row by row."""
    size = _check_cell(cell_m)
    if shape not in ("square", "hex"):
        raise GeometryError("shape must be 'square' or 'hex'")
    if area.is_empty or area.area <= 0:
        raise GeometryError("the area to split is empty")
    minx, miny, maxx, maxy = area.bounds
    if shape == "square":
        cols = math.ceil((maxx - minx) / size)
        rows = math.ceil((maxy - miny) / size)
        full = size * size
        raw = [((r, c), box(minx + c * size, maxy - (r + 1) * size, minx + (c + 1) * size, maxy - r * size))
               for r in range(rows) for c in range(cols)]
    else:
        radius = size / 2.0
        dx, dy = 1.5 * radius, math.sqrt(3) * radius
        full = 1.5 * math.sqrt(3) * radius * radius
        cols = math.ceil((maxx - minx) / dx) + 2
        rows = math.ceil((maxy - miny) / dy) + 2
        raw = []
        for c in range(cols):
            cx = minx + c * dx
            for r in range(rows):
                cy = maxy - r * dy - (dy / 2 if c % 2 else 0)
                hexagon = Polygon([(cx + radius * math.cos(math.radians(a)), cy + radius * math.sin(math.radians(a)))
                                   for a in range(0, 360, 60)])
                raw.append(((r, c), hexagon))
    if len(raw) > MAX_SEGMENTS * 4:
        raise GeometryError(f"cells of {size:g} m would make too many segments; choose a larger size")
    prepared = prep(area)
    kept = []
    for (r, c), cell in raw:
        if not prepared.intersects(cell):
            continue
        part = cell if prepared.contains(cell) else cell.intersection(area)
        if part.area < SLIVER_SHARE * full:
            continue
        kept.append(((r, c), _polygonal(part)))
    if len(kept) > MAX_SEGMENTS:
        raise GeometryError(f"{len(kept)} segments is more than {MAX_SEGMENTS}; choose a larger cell size")
    rows_used = sorted({rc[0] for rc, _ in kept})
    label = {r: row_label(i) for i, r in enumerate(rows_used)}
    out, counters = [], {}
    for (r, c), poly in sorted(kept, key=lambda item: (item[0][0], item[0][1])):
        counters[r] = counters.get(r, 0) + 1
        out.append(Cell(f"{label[r]}{counters[r]}", poly))
    return out


def _polygonal(geom):
    """Keep only the polygonal parts of an intersection (drop stray lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def corridor(line: LineString, width_m: float):
    """A route buffered to a corridor ``width_m`` wide (``width_m / 2`` each side), in metres."""
    if isinstance(width_m, bool) or not isinstance(width_m, (int, float)) or not 2 <= width_m <= 2000:
        raise GeometryError("corridor width must be between 2 and 2000 m")
    return line.buffer(width_m / 2.0, quad_segs=8, cap_style="round")


def next_free_name(existing: set[str], prefix: str = "D") -> str:
    """A name for a drawn segment that does not clash: D1, D2, ..."""
    i = 1
    while f"{prefix}{i}" in existing:
        i += 1
    return f"{prefix}{i}"
