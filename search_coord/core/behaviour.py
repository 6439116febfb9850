"""Lost-person categories and terrains (names used across the tool).

Distance rings per category and terrain are added by the "where to look" work; the names here are the stable ones.
"""
from __future__ import annotations

from .errors import UnknownCategoryError

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
