"""The ring model's probability placed on the reachable street network: a POA for each block.

Assumptions (docs/streets.md, with their sources in docs/science.md / SCIENCE.md):
1. The ring model (``core/rings.py``: 25/25/25/20 % in the annuli of the category's 25/50/75/95 % distances, 5 %
   out to 1.5 × the 95 % distance; straight-line distance from the LKP) says how far; with a known heading each
   annulus is tilted by the same cardioid ``1 + κ·cos Δθ`` over 16 sectors. Where the annulus is cut by the reach
   disc, the mass beyond it is dropped and the rest renormalised (as ``rings.annuli``, by area).
2. Of the mass of each annulus, a share ``ON_STREET_SHARE`` lies on (or within a few metres of) the
   streets: Koester's dementia profile finds 50 % within ≈30 m of a road, Grampian finds 59 % of women with
   dementia walking in a street, the UK study 82 of 279 on a "travel aid" (road or path) — 0.5 is the round figure
   between them. The rest is the off-street remainder (gardens, buildings, parks: the grid segments' business).
3. Inside an annulus, the on-street mass is spread evenly along the *reachable* walkable network lying in it (no
   evidence favours one street over another at the same distance), weighted by the heading's cardioid when there
   is one. An annulus with no reachable street keeps its on-street share unplaced (reported, in the remainder).
So POA(block) = Σ_k s · m_k · L_w(block ∩ reach ∩ annulus k) / L_w(reach ∩ annulus k), L_w the (tilt-weighted)
length, measured on points every ``STEP_M`` metres along the reached lines.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import shapely

from ..rings import RING_MASS, OUTER_FACTOR, effective_reach

ON_STREET_SHARE = 0.5
STEP_M = 5.0


@dataclass(frozen=True)
class StreetPoa:
    """``poa``: {block index: POA}; ``on_street``: their sum; ``unplaced``: the on-street share of annuli with no
    reachable street; ``off_street``: 1 − on_street (what the grid segments and ROW hold)."""

    poa: Mapping[int, float]
    on_street: float
    unplaced: float
    off_street: float


def _ring_mass(rings: Sequence[float], reach_m: float | None) -> np.ndarray:
    """Mass of each of the five annuli, clipped by the reach disc (the share of its area inside) and renormalised."""
    r = [0.0, *map(float, rings), float(rings[3]) * OUTER_FACTOR]
    reach = effective_reach(reach_m)
    out = np.array([mass * (1.0 if reach >= r[k + 1] else max(0.0, (reach ** 2 - r[k] ** 2) / (r[k + 1] ** 2 - r[k] ** 2)))
                    for k, mass in enumerate(RING_MASS)])
    total = out.sum()
    return out / total if total > 0 else out


def street_poa(pieces: Sequence[tuple[int, object]], origin: tuple[float, float], rings: Sequence[float],
               reach_m: float | None = None, heading_deg: float | None = None, kappa: float = 0.0,
               on_street_share: float = ON_STREET_SHARE) -> StreetPoa:
    """POA of each block from its reached stretches.

    ``pieces``: ``[(block index, shapely LineString in metres)]`` (the reached network, ``reach.isochrone``);
    ``origin``: the LKP (x, y m); ``rings``: the four ring radii (m); ``reach_m``: the reach disc's radius (m);
    ``heading_deg``/``kappa``: the tilt of ``rings.annuli``. Returns a ``StreetPoa`` (the block POAs sum to
    ``on_street``, at most ``on_street_share``)."""
    if not 0 <= on_street_share <= 1:
        raise ValueError("on_street_share must be between 0 and 1")
    mass = _ring_mass(rings, reach_m)
    r = np.array([0.0, *map(float, rings), float(rings[3]) * OUTER_FACTOR])
    owners, xs, ys, ws = [], [], [], []
    for block, line in pieces:
        length = line.length
        if length <= 0:
            continue
        n = max(1, int(math.ceil(length / STEP_M)))
        at = (np.arange(n) + 0.5) * (length / n)
        pts = shapely.get_coordinates(shapely.line_interpolate_point(line, at))
        owners.append(np.full(n, block))
        xs.append(pts[:, 0] - origin[0])
        ys.append(pts[:, 1] - origin[1])
        ws.append(np.full(n, length / n))
    if not owners:
        return StreetPoa({}, 0.0, on_street_share, 1.0)
    owner = np.concatenate(owners)
    dx, dy, w = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    if heading_deg is not None and kappa > 0:   # the cardioid of rings.annuli, per sample
        w = w * (1.0 + kappa * np.cos(np.radians(np.degrees(np.arctan2(dx, dy)) - heading_deg)))
    ring = np.searchsorted(r, np.hypot(dx, dy), side="right") - 1
    inside = ring < 5
    ring = np.where(inside, ring, 0)
    per_ring = np.bincount(ring[inside], weights=w[inside], minlength=5)
    density = np.divide(on_street_share * mass, per_ring, out=np.zeros_like(mass), where=per_ring > 0)
    sample_p = np.where(inside, density[ring] * w, 0.0)
    poa: dict[int, float] = {}
    for b, p in zip(owner.tolist(), sample_p.tolist()):
        if p:
            poa[b] = poa.get(b, 0.0) + p
    on = math.fsum(poa.values())
    unplaced = float(on_street_share * mass[per_ring <= 0].sum())
    return StreetPoa(poa, on, unplaced, 1.0 - on)
