"""Lost-person behaviour: categories, terrains, distance rings (ISRID / Koester) and walking speeds.

Ring values are the 25 / 50 / 75 / 95 % straight-line distances from the initial planning point, in miles as
tabulated in docs/science.md §1.1 (Koester, *Lost Person Behavior*, 2008, via IGT4SAR), converted to metres.
They rest on one code lineage and should be checked against the book (docs/science.md §6).

Fallbacks where a category has no row for a terrain, applied in this order and reported by ``ring_source``:
1. a dry ecoregion without data uses the temperate row of the same relief (flat / mountainous);
2. a relief without data uses the other relief of the same ecoregion (temperate flat <-> temperate mountainous);
3. urban without data uses the category's IGT4SAR urban fallback where docs/science.md gives one (hiker), else
   temperate flat;
4. ``child_13_15`` (no rows in the sources) uses ``child_10_12``; ``other`` uses, ring by ring, the median over
   every category that has data for that terrain.
"""
from __future__ import annotations

import statistics
from math import isfinite

from .errors import UnknownCategoryError

MILE_M = 1609.344

_CATEGORIES = (
    "dementia",
    "child_1_3",
    "child_4_6",
    "child_7_9",
    "child_10_12",
    "child_13_15",
    "despondent",
    "autistic",
    "hiker",
    "other",
)

_TERRAINS = ("urban", "temperate_flat", "temperate_mountainous", "dry_flat", "dry_mountainous")

#: Age bands of the child categories, inclusive, in years.
CHILD_AGE_BANDS = {
    "child_1_3": (1, 3),
    "child_4_6": (4, 6),
    "child_7_9": (7, 9),
    "child_10_12": (10, 12),
    "child_13_15": (13, 15),
}


def categories() -> tuple[str, ...]:
    """The accepted subject category names."""
    return _CATEGORIES


def terrains() -> tuple[str, ...]:
    """The accepted terrain / ecoregion names."""
    return _TERRAINS


def check_category(category: str) -> str:
    """Return ``category`` or raise ``UnknownCategoryError``."""
    if category not in _CATEGORIES:
        raise UnknownCategoryError(f"unknown category {category!r}; accepted: {', '.join(_CATEGORIES)}")
    return category


def category_for_child_age(age: int) -> str | None:
    """The child category whose age band holds ``age`` (years), or None."""
    for name, (lo, hi) in CHILD_AGE_BANDS.items():
        if lo <= age <= hi:
            return name
    return None


_U, _TF, _TM, _DF, _DM = _TERRAINS

#: Rows as given in the sources, in miles (25 %, 50 %, 75 %, 95 %).
_RINGS_MI: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "dementia": {_U: (0.2, 0.7, 2.0, 7.8), _TF: (0.2, 0.6, 1.5, 7.9), _TM: (0.2, 0.5, 1.2, 5.1),
                 _DF: (0.3, 1.0, 2.2, 7.3), _DM: (0.6, 1.2, 1.9, 3.8)},
    "child_1_3": {_U: (0.1, 0.3, 0.5, 0.7), _TF: (0.1, 0.2, 0.6, 2.0), _TM: (0.1, 0.2, 0.6, 2.0),
                  _DF: (0.4, 0.8, 2.4, 5.6), _DM: (0.4, 0.8, 2.4, 5.6)},
    "child_4_6": {_U: (0.06, 0.3, 0.6, 2.1), _TF: (0.1, 0.4, 0.9, 4.1), _TM: (0.1, 0.5, 0.9, 2.3),
                  _DF: (0.4, 1.2, 2.0, 5.1), _DM: (0.4, 1.2, 2.0, 5.1)},
    "child_7_9": {_U: (0.1, 0.3, 0.9, 3.2), _TF: (0.1, 0.5, 1.3, 5.0), _TM: (0.5, 1.0, 2.0, 7.0),
                  _DF: (0.3, 0.8, 2.0, 4.5), _DM: (0.3, 0.8, 2.0, 4.5)},
    "child_10_12": {_U: (0.2, 0.9, 1.8, 3.6), _TF: (0.3, 1.0, 3.0, 6.2), _TM: (0.5, 1.0, 2.0, 5.6),
                    _DF: (0.5, 1.3, 4.5, 10.0), _DM: (0.5, 1.3, 4.5, 10.0)},
    "despondent": {_U: (0.06, 0.3, 0.9, 8.1), _TF: (0.2, 0.5, 1.4, 10.7), _TM: (0.2, 0.7, 2.0, 13.3)},
    "autistic": {_U: (0.2, 0.6, 2.4, 5.0), _TF: (0.4, 1.0, 2.3, 9.5), _TM: (0.4, 1.0, 2.3, 9.5),
                 _DF: (0.4, 1.0, 2.3, 9.5), _DM: (0.4, 1.0, 2.3, 9.5)},
    "hiker": {_TF: (0.4, 1.1, 2.0, 6.1), _TM: (0.7, 1.9, 3.6, 11.3)},
}
#: Urban rows the sources give only as a fallback (IGT4SAR), not as a statistic.
_URBAN_FALLBACK_MI = {"hiker": (0.4, 1.1, 2.0, 6.1)}
_SAME_RELIEF = {_DF: _TF, _DM: _TM}
_OTHER_RELIEF = {_TF: _TM, _TM: _TF}


def _row(category: str, terrain: str) -> tuple[tuple[float, ...], str]:
    if category == "child_13_15":
        row, src = _row("child_10_12", terrain)
        return row, f"child_10_12/{src.split('/', 1)[1]} (no data for child_13_15)"
    if category == "other":
        rows = [_row(c, terrain)[0] for c in _RINGS_MI]
        return tuple(statistics.median(r[i] for r in rows) for i in range(4)), f"median of all categories/{terrain}"
    table = _RINGS_MI[category]
    if terrain == _U and _U not in table and category in _URBAN_FALLBACK_MI:
        return _URBAN_FALLBACK_MI[category], f"{category}/urban (IGT4SAR fallback, not a statistic)"
    for t in (terrain, _SAME_RELIEF.get(terrain), _OTHER_RELIEF.get(_SAME_RELIEF.get(terrain, terrain)), _TF):
        if t and t in table:
            return table[t], f"{category}/{t}"
    raise UnknownCategoryError(f"no ring data for {category}")  # pragma: no cover - every category has _TF


def _check(category: str, terrain: str) -> None:
    check_category(category)
    if terrain not in _TERRAINS:
        raise UnknownCategoryError(f"unknown terrain {terrain!r}; accepted: {', '.join(_TERRAINS)}")


def distance_rings(category: str, terrain: str) -> tuple[float, float, float, float]:
    """The 25 / 50 / 75 / 95 % distance-from-IPP ring radii, in metres, for a category and terrain."""
    _check(category, terrain)
    row, _ = _row(category, terrain)
    return tuple(round(mi * MILE_M, 1) for mi in row)


def ring_source(category: str, terrain: str) -> str:
    """Which table row ``distance_rings`` used (``category/terrain``), with the fallback spelled out."""
    _check(category, terrain)
    return _row(category, terrain)[1]


#: Default walking speeds in m/s (docs/science.md §3): a sustained pace and the fastest plausible pace.
WALKING_SPEED_MS = {
    "dementia": (0.95, 1.3),       # Wittwer 2010 (AD 0.95-1.04 m/s); Bohannon 2011 women 80-99 0.943 m/s
    "child_1_3": (0.6, 1.1),       # slower than pre-schoolers' 0.88 +/- 0.2 m/s
    "child_4_6": (0.88, 1.3),      # pre-schoolers 0.88 +/- 0.2 m/s
    "child_7_9": (1.1, 1.6),
    "child_10_12": (1.2, 1.8),
    "child_13_15": (1.3, 2.0),
    "despondent": (1.3, 1.8),      # adult pedestrians 1.32 m/s (Andrews)
    "autistic": (1.2, 2.0),
    "hiker": (1.4, 1.8),           # Tobler on the flat, 5.04 km/h
    "other": (1.3, 1.8),
}


def walking_speed(category: str) -> tuple[float, float]:
    """(sustained, fastest plausible) walking speed in m/s for a category."""
    check_category(category)
    return WALKING_SPEED_MS[category]


def reach_m(elapsed_s: float, speed_ms: float) -> float:
    """How far (m) someone walking at ``speed_ms`` can be after ``elapsed_s`` seconds: an upper bound, never < 0."""
    for name, v in (("elapsed time", elapsed_s), ("speed", speed_ms)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not isfinite(v):
            raise ValueError(f"{name} must be a number")
    if speed_ms < 0:
        raise ValueError("speed must be >= 0")
    return max(0.0, float(elapsed_s)) * float(speed_ms)


#: Reach stops growing at the rest-of-world ring, 1.5 x the category's 95 % distance (docs/science.md §1, the
#: IGT4SAR-Pro convention; §7): speed x time is only an upper bound (§3), and beyond that ring the ring model gives no more
#: probability. A person with dementia in a city is not 49 km away after 14 hours; they are within 18.8 km (1.5 x
#: 12.55 km) or they are somewhere the statistics do not describe, which the dispatcher decides by widening it.
ROW_RING_FACTOR = 1.5


def reach_cap_m(rings: tuple[float, ...]) -> float:
    """How far reach may grow (m) for distance rings (25/50/75/95 % radii, m): the rest-of-world ring."""
    return ROW_RING_FACTOR * float(rings[-1])

