"""How much ground one account may mark searched (pure: shapely geometries in metres of a local projection).

A marked area adds coverage, and coverage empties the suggestions: one mistaken or hostile polygon must not wipe out
a search. So an area must lie within the search's region; an officer's within their team's assignments (with
``ASSIGNMENT_MARGIN_M`` of slack for GPS and drawing), or, without an assignment, be at most
``OFFICER_FREE_AREA_M2`` -- in all, with what that officer has already marked on the search and not had retracted:
eight 19 ha areas are not one; a dispatcher's larger than ``CONFIRM_AREA_M2`` must be confirmed (``confirm_large``).
"""
from __future__ import annotations

from .errors import ValidationError

#: Slack around an assignment within which an officer's marked area may reach (m): GPS error and a quick drawing.
ASSIGNMENT_MARGIN_M = 50.0
#: The largest area (m², 20 ha) an officer with no assignment may mark on a search, all their areas together: a few
#: streets, a park.
OFFICER_FREE_AREA_M2 = 200_000.0
#: A dispatcher marking more than this (m², 1 km²) says so with ``confirm_large: true``.
CONFIRM_AREA_M2 = 1_000_000.0
#: Slivers smaller than this (m²) outside a limit are drawing noise, not ground.
_SLIVER_M2 = 1.0


def _size(m2: float) -> str:
    return f"{m2 / 1e6:.2f} km²" if m2 >= 1e6 else f"{m2 / 1e4:.1f} ha"


def check_searched_area(area, region, region_text: str, is_dispatcher: bool, assignments=None,
                        confirm_large: bool = False, marked_before_m2: float = 0.0) -> None:
    """Refuse a marked area (shapely, metres) that one account may not mark.

    ``region``: the search's region (shapely, metres), described by ``region_text`` in the message;
    ``assignments``: the union of the officer's teams' assignment areas, or None when they have none;
    ``marked_before_m2``: what that officer has already marked on the search (not retracted), in m², counted with
    this area against ``OFFICER_FREE_AREA_M2`` when they have no assignment.
    Raises ``ValidationError`` naming ``geometry`` (beyond the region or the assignment, too large without one,
    alone or with what the officer marked before) or
    ``confirm_large`` (a dispatcher's large area not confirmed), with the size in the message.
    """
    size = area.area
    if area.difference(region).area > _SLIVER_M2:
        raise ValidationError({"geometry": f"reaches beyond the search's region ({region_text}): nothing was marked"})
    if is_dispatcher:
        if size > CONFIRM_AREA_M2 and not confirm_large:
            raise ValidationError({"confirm_large": f"the area is {_size(size)}, more than {_size(CONFIRM_AREA_M2)}: "
                                                    f"send confirm_large: true to mark it searched"})
        return
    if assignments is not None and not assignments.is_empty:
        outside = area.difference(assignments.buffer(ASSIGNMENT_MARGIN_M)).area
        if outside > _SLIVER_M2:
            raise ValidationError({"geometry": f"{_size(outside)} of it lies outside your team's assignment (more than "
                                               f"{ASSIGNMENT_MARGIN_M:.0f} m beyond it): mark only what you searched "
                                               f"there, or ask a dispatcher"})
        return
    if size > OFFICER_FREE_AREA_M2:
        raise ValidationError({"geometry": f"the area is {_size(size)}: without an assignment an officer may mark at "
                                           f"most {_size(OFFICER_FREE_AREA_M2)}; ask a dispatcher"})
    if marked_before_m2 + size > OFFICER_FREE_AREA_M2:
        raise ValidationError({"geometry": f"you have already marked {_size(marked_before_m2)} on this search without "
                                           f"an assignment; with this {_size(size)} it would be "
                                           f"{_size(marked_before_m2 + size)}, more than the "
                                           f"{_size(OFFICER_FREE_AREA_M2)} an officer may mark in all: a dispatcher "
                                           f"marks it (or gives your team an assignment)"})
