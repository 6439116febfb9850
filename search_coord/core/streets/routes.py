"""Blocks grouped into a route of a chosen length for one team (foot or vehicle).

Greedy and explainable: start at the most probable block, then keep taking the most probable block that joins the
route's current end (shares a crossing with it), so the team drives or walks on without doubling back; when no
candidate joins, go to the nearest candidate's end (the connecting distance is reported as ``transit_m`` and not
counted as searched). Stop once the blocks' length reaches the target (the last block is taken whole: a team
never stops mid-block), or when the candidates run out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..errors import ValidationError
from .blocks import Block

MODES = ("foot", "vehicle")
#: A route's length (m) must lie in this range: one block at least, a night's driving at most.
MIN_ROUTE_M = 50.0
MAX_ROUTE_M = 200_000.0


@dataclass(frozen=True)
class Route:
    """The blocks in the order to search them (``reverse[i]``: block i is taken from its end to its start),
    their total length (m), and the distance (m) between blocks that do not join (``transit_m``)."""

    blocks: tuple[int, ...]
    reverse: tuple[bool, ...]
    length_m: float
    transit_m: float


def usable(block: Block, mode: str) -> bool:
    """Whether a team in ``mode`` can search this block (a vehicle needs a drivable one, a foot team a walkable one)."""
    if mode not in MODES:
        raise ValidationError({"mode": f"must be one of {', '.join(MODES)}"})
    return block.drive if mode == "vehicle" else block.walk


def plan_route(blocks: Sequence[Block], poa: Mapping[int, float], target_m: float, mode: str) -> Route:
    """A route over the candidate ``blocks`` (those the team's mode cannot use are left out) of about ``target_m``
    metres. ``poa``: {block index: POA} (missing: 0; ties broken by the block's index). Raises ValidationError
    for a length outside [MIN_ROUTE_M, MAX_ROUTE_M] or when no candidate suits the mode."""
    if not isinstance(target_m, (int, float)) or not MIN_ROUTE_M <= target_m <= MAX_ROUTE_M:
        raise ValidationError({"length_m": f"must be between {MIN_ROUTE_M:.0f} and {MAX_ROUTE_M:.0f} m"})
    left = {b.index: b for b in blocks if usable(b, mode)}
    if not left:
        raise ValidationError({"blocks": f"none of the selected blocks can be searched by a {mode} team"})

    def rank(b: Block) -> tuple:
        return (-poa.get(b.index, 0.0), b.index)

    by_node: dict[int, list[Block]] = {}
    for b in left.values():
        by_node.setdefault(b.u, []).append(b)
        by_node.setdefault(b.v, []).append(b)
    order, rev = [], []
    total = transit = 0.0
    current = min(left.values(), key=rank)
    reverse = False
    while True:
        del left[current.index]
        order.append(current.index)
        rev.append(reverse)
        total += current.length
        at_end = current.u if reverse else current.v
        if total >= target_m or not left:
            break
        joining = [b for b in by_node.get(at_end, []) if b.index in left]
        if joining:
            current = min(joining, key=rank)
            reverse = current.v == at_end and current.u != at_end
            continue
        end_xy = _end_xy(order[-1], rev[-1], blocks)
        best = min(left.values(), key=lambda b: (min(_d(end_xy, b.xy[0]), _d(end_xy, b.xy[-1])), b.index))
        d_start, d_end = _d(end_xy, best.xy[0]), _d(end_xy, best.xy[-1])
        transit += min(d_start, d_end)
        current, reverse = best, d_end < d_start
    return Route(tuple(order), tuple(rev), total, transit)


def _end_xy(index: int, reverse: bool, blocks: Sequence[Block]) -> tuple[float, float]:
    b = next(x for x in blocks if x.index == index)
    return b.xy[0] if reverse else b.xy[-1]


def _d(a, b) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
