"""GPS fixes as evidence of searched ground: which fixes count, where a track breaks, and the line it counts.

Coverage W·L/A (docs/science.md §2) must count ground actually passed, not GPS error (docs/science.md §7). The
rules, all in metres and seconds, per device track in time order:

1. **Accuracy.** A fix's ``acc`` is the radius of 95 % confidence (W3C Geolocation ``coords.accuracy``). A fix whose
   accuracy is worse than ``ACCURACY_FACTOR`` (2) × the sweep width W of its mode counts for nothing as searched
   ground: it still shows the officer's position (marked coarse) but is never a vertex of a counted line. Why 2 × W:
   for a circular normal error the 95 % radius is 2.45 σ, so acc ≤ 2 W keeps the error's σ ≤ 0.82 W, i.e. the line
   counted lies, most of the time, within one sweep width of the line walked; beyond that the fix says nothing about
   which strip was swept. Foot (W 20 m) takes fixes up to 40 m, vehicle (30 m) 60 m, door to door (10 m) 20 m. A
   fix with no stated accuracy (a handheld GPS's file) is taken as ``UNKNOWN_ACCURACY_M`` (10 m, typical consumer
   GNSS in the open).
2. **Standing still and jitter.** Movement inside the GPS error is not distance walked. A fix becomes the next vertex
   of the counted line only when it lies further from the previous vertex than the two fixes' 95 % radii added,
   each taken as at least ``STILL_ERROR_FLOOR_M`` (12 m): phones claim 3-5 m in built-up areas while a person
   standing still drifts 10-20 m (multipath), so a claimed accuracy below that cannot tell standing from walking.
   The fixes between are where the person stood and add no length: 300 fixes within 12 m of one point add nothing,
   whatever accuracy they claim. A walk is counted with a vertex every 24 m or so (corners are cut a little, and
   the last few metres of a piece wait for the next vertex, so coverage errs low, never high).
3. **Breaks.** Two consecutive counted fixes are never joined, and the track starts a new piece, when the phone
   started a new tracking run, when they are more than ``gap_s`` apart in time or ``gap_m`` in distance, or when
   the jump between them, less both fixes' error, is faster than the mode allows (``MAX_SPEED_MS``: on foot 7 m/s,
   a sprint; in a vehicle 40 m/s). A lone fix between two breaks counts nothing.
4. **Order.** Everything above is a function of the device's fixes sorted by time (ties by position), so the same
   fixes give the same coverage whatever order their batches arrived in. ``follow`` continues from a
   ``TrackState`` (the last counted fix, the last vertex and the start of their piece), so a batch that comes after
   everything stored needs nothing else; a batch older than what is stored is handled by recounting whole pieces
   (the service's job).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from shapely.geometry import LineString

ACCURACY_FACTOR = 2.0
UNKNOWN_ACCURACY_M = 10.0
STILL_ERROR_FLOOR_M = 12.0
MIN_STEP_M = 2.0
MAX_SPEED_MS = {"foot": 7.0, "vehicle": 40.0, "door_to_door": 7.0}


@dataclass(frozen=True)
class TrackFix:
    """One fix of one device in local metres: ``t`` in seconds (any epoch), ``acc`` the 95 % radius (m) or None."""

    x: float
    y: float
    t: float
    acc: float | None = None
    run: int = 0


@dataclass(frozen=True)
class TrackRules:
    """How a track of one sweep mode is counted (metres, seconds, m/s)."""

    sweep_width_m: float
    gap_s: float = 120.0
    gap_m: float = 300.0
    max_speed_ms: float = 7.0
    accuracy_factor: float = ACCURACY_FACTOR

    @property
    def max_accuracy_m(self) -> float:
        """The worst 95 % accuracy (m) a fix may have and still count as searched ground."""
        return self.accuracy_factor * self.sweep_width_m


@dataclass(frozen=True)
class TrackState:
    """Where a device's counted track stands: its last counted fix, the last vertex of the counted line, and the
    start time of the piece they are in (None: nothing counted yet)."""

    last: TrackFix | None = None
    vertex: TrackFix | None = None
    piece: float | None = None


@dataclass(frozen=True)
class Followed:
    """The result of following fixes: the counted lines (each ≥ 2 vertices), per input fix its piece start time
    (None: it counts for nothing) and whether it is a vertex, and the state after the last fix."""

    lines: list = field(default_factory=list)
    pieces: list = field(default_factory=list)
    vertices: list = field(default_factory=list)
    state: TrackState = TrackState()


def accuracy_of(fix: TrackFix) -> float:
    """The fix's 95 % radius (m), ``UNKNOWN_ACCURACY_M`` when it did not say."""
    return UNKNOWN_ACCURACY_M if fix.acc is None else max(0.0, fix.acc)


def counts(fix: TrackFix, rules: TrackRules) -> bool:
    """True when the fix is accurate enough for its mode to count as searched ground (rule 1)."""
    return accuracy_of(fix) <= rules.max_accuracy_m


def breaks(prev: TrackFix, fix: TrackFix, rules: TrackRules) -> bool:
    """True when two consecutive counted fixes must not be joined (rule 3)."""
    dt = fix.t - prev.t
    if fix.run != prev.run or dt > rules.gap_s or dt < 0:
        return True
    d = math.hypot(fix.x - prev.x, fix.y - prev.y)
    if d > rules.gap_m:
        return True
    beyond_error = d - accuracy_of(prev) - accuracy_of(fix)
    return beyond_error > rules.max_speed_ms * max(dt, 1.0)


def moved(vertex: TrackFix, fix: TrackFix) -> bool:
    """True when ``fix`` lies beyond the combined GPS error of ``vertex`` and itself, each error taken as at least
    ``STILL_ERROR_FLOOR_M`` (rule 2)."""
    need = max(MIN_STEP_M, max(accuracy_of(vertex), STILL_ERROR_FLOOR_M) + max(accuracy_of(fix), STILL_ERROR_FLOOR_M))
    return math.hypot(fix.x - vertex.x, fix.y - vertex.y) > need


def order_key(fix: TrackFix) -> tuple:
    """The order of a device's fixes: by time, ties by position (so arrival order never matters)."""
    return (fix.t, fix.x, fix.y, fix.run)


def follow(fixes: Sequence[TrackFix], rules: TrackRules, state: TrackState = TrackState()) -> Followed:
    """Follow a device's fixes (sorted with ``order_key``, all later than ``state.last``) from ``state``.

    Returns the counted lines (LineStrings in metres, starting at the state's vertex when the first fix continues its
    piece), each fix's piece start and vertex flag, and the new state. Pure; raises nothing.
    """
    lines: list[LineString] = []
    pieces: list[float | None] = []
    vertices: list[bool] = []
    last, vertex, piece = state.last, state.vertex, state.piece
    run: list[tuple[float, float]] = [(vertex.x, vertex.y)] if vertex is not None else []
    for f in fixes:
        if not counts(f, rules):
            pieces.append(None)
            vertices.append(False)
            continue
        if last is None or breaks(last, f, rules):
            if len(run) >= 2:
                lines.append(LineString(run))
            piece, vertex, run = f.t, f, [(f.x, f.y)]
            pieces.append(piece)
            vertices.append(True)
        elif moved(vertex, f):
            vertex = f
            run.append((f.x, f.y))
            pieces.append(piece)
            vertices.append(True)
        else:
            pieces.append(piece)
            vertices.append(False)
        last = f
    if len(run) >= 2:
        lines.append(LineString(run))
    return Followed(lines, pieces, vertices, TrackState(last, vertex, piece))


def counted_length(fixes: Sequence[TrackFix], rules: TrackRules) -> float:
    """Total counted length (m) of a whole device track, in any order (it is sorted here)."""
    return sum(line.length for line in follow(sorted(fixes, key=order_key), rules).lines)


def filtered(fixes: Sequence[TrackFix], rules: TrackRules) -> list[TrackFix]:
    """The fixes that count, as a track of their own: coarse fixes dropped, each kept fix's ``run`` replaced by the
    number of its piece (so breaks stay breaks). Following it gives the same lines as following ``fixes``, and
    filtering it again gives it back."""
    ordered = sorted(fixes, key=order_key)
    out, numbers = [], {}
    for f, piece in zip(ordered, follow(ordered, rules).pieces):
        if piece is not None:
            out.append(TrackFix(f.x, f.y, f.t, f.acc, numbers.setdefault(piece, len(numbers))))
    return out
