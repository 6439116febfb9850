"""Tracks as searched ground: storing a device's fixes with where each stands in its counted track, the coverage
they add, and counting whole tracks again (core/tracks.py has the rules). Every source of fixes (phones' batches,
imported GPX/KML files) goes through ``record_fixes``; the full recompute goes through ``track_coverage``."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, literal, null, or_, select, union_all, update

from ..adapters.models import Search, Segment, Team, TeamMember, TrackPoint
from ..adapters.precompiled import Precompiled
from ..core import effort, tracks
from . import basis
from .events import iso, naive_utc

#: Fixes further than this from every known point of the subject (or twice the 95 % ring, if larger) are no
#: evidence for this search: refused per fix (a phone still sharing on the way from the station, a bad fix).
REGION_FLOOR_M = 10_000.0
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch(dt: datetime) -> float:
    """Seconds since the epoch of a stored naive-UTC or an aware datetime (never the machine's local zone)."""
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()


def rules_for(search: Search, mode: str, settings: dict | None = None) -> tracks.TrackRules:
    """How the search counts a track of ``mode`` (its sweep width and gaps; the mode's top speed)."""
    settings = settings or basis.settings_of(search)
    return tracks.TrackRules(sweep_width_m=settings["sweep_width_m"][mode], gap_s=settings["gap_s"],
                             gap_m=settings["gap_m"], max_speed_ms=tracks.MAX_SPEED_MS.get(mode, 7.0))


def region_limit_m(search: Search) -> float:
    """How far (m) from a known point of the subject a fix may be and still be evidence for this search."""
    return max(REGION_FLOOR_M, 2.0 * basis.rings_of(search)[-1])


def _known_points(search: Search) -> list[list[float]]:
    """[lon, lat] of every known point of the subject (the LKP and those it replaced)."""
    return [h["lkp"]["coordinates"][:2] for h in (search.lkp_history or [])] + [search.lkp["coordinates"][:2]]


# The statements of the path every batch takes, built once with bound parameters on the tables (plain Core: building
# a statement, or the ORM's handling of one, costs more than running it on SQLite; a phone sends every second).
_TP, _TEAM, _TM, _SEG = TrackPoint.__table__, Team.__table__, TeamMember.__table__, Segment.__table__
_MODE = (select(_TEAM.c.kind).outerjoin(_TM, _TM.c.team_id == _TEAM.c.id)
         .where(_TEAM.c.search_id == bindparam("sid"), _TEAM.c.disbanded.is_(False),
                # the kinds as fixed comparisons, not ``in_`` (an expanding parameter, rendered again on every run)
                or_(*(_TEAM.c.kind == kind for kind in effort.TEAM_KIND_MODE)),
                (_TM.c.user_id == bindparam("uid")) | (_TEAM.c.leader_id == bindparam("uid")))
         .order_by(_TEAM.c.id).limit(1).scalar_subquery())
_MODE_ONLY = select(_MODE)
_BASE = (_TP.c.search_id == bindparam("sid"), _TP.c.user_id == bindparam("uid"), _TP.c.device == bindparam("dev"),
         _TP.c.retracted_at.is_(None))   # a retracted fix (services/retractions.py) counts for nothing
_COLS = (_TP.c.id, _TP.c.lon, _TP.c.lat, _TP.c.t.label("at"), _TP.c.acc, _TP.c.run, _TP.c.piece, _TP.c.vertex)
_NEWEST = _TP.c.t.desc()
_LAST_PIECE = select(_TP.c.piece).where(*_BASE, _TP.c.piece.is_not(None)).order_by(_NEWEST).limit(1)


def _arm(kind: int, *where, mode=None):
    """One row of ``DEVICE_STATE``: the device's newest fix meeting ``where`` (each arm limited on its own)."""
    inner = (select(literal(kind).label("kind"), *_COLS, (mode if mode is not None else null()).label("mode"))
             .where(*_BASE, *where).order_by(_NEWEST).limit(1).subquery())
    return select(*inner.c)


#: Where a device's track stands, in one round trip: its last fix with the team's mode (kind 0), its last counted
#: fix (1) and the last vertex of that fix's piece (2); no row at all for a device with nothing stored. Parameters
#: ``sid``, ``uid``, ``dev``; columns ``kind``, ``id``, ``lon``, ``lat``, ``at``, ``acc``, ``run``, ``piece``,
#: ``vertex``, ``mode`` (a phone's batch reads it with its checks: ``services/field.py``).
DEVICE_STATE = union_all(_arm(0, mode=_MODE), _arm(1, _TP.c.piece.is_not(None)),
                   _arm(2, _TP.c.vertex == True, _TP.c.piece == _LAST_PIECE.scalar_subquery()))  # noqa: E712
# (``vertex = 1`` / ``= true`` as written, so that the planners match it to ix_track_points_vertices' condition)
# a phone's batch each second writes with these: run on the driver (``adapters/precompiled.py``)
_INSERT = Precompiled(_TP.insert(), columns=("search_id", "user_id", "device", "t", "lon", "lat", "acc", "run",
                                             "event_seq", "piece", "vertex"))
_ADD_COVERAGE = Precompiled(_SEG.update().where(_SEG.c.id == bindparam("seg_id"))
                            .values(coverage=_SEG.c.coverage + bindparam("added")).returning(_SEG.c.coverage))


def _fix(x, y, row_t, acc, run) -> tracks.TrackFix:
    return tracks.TrackFix(float(x), float(y), epoch(row_t), acc, run or 0)


def _us(t: float | None) -> int | None:
    """A piece's start (s since the epoch) as the whole microseconds it is stored as (exact: times are µs)."""
    return None if t is None else int(round(t * 1_000_000))


def _at(us: int) -> datetime:
    """The time a stored piece start (µs since the epoch) names, exactly."""
    return EPOCH + timedelta(microseconds=us)


@dataclass
class Planned:
    """One device's fixes followed from its stored state, nothing written yet (``plan_fixes``; ``write_planned``)."""

    rows: list = field(default_factory=list)       # track_points rows to insert
    changed: list = field(default_factory=list)    # (row id, piece µs, vertex, at, old piece) of stored fixes
    added: dict = field(default_factory=dict)      # {segment id: coverage added (may be < 0 after a recount)}
    rejected: list = field(default_factory=list)
    shown: list = field(default_factory=list)
    rekeyed: list = field(default_factory=list)


def record_fixes(session, search: Search, user_id: int, device: str, fixes: list[dict], event_seq: int) -> dict:
    """Store one device's fixes (inside the caller's transaction) and add the coverage they make.

    ``fixes``: ``[{"t": aware UTC datetime, "lon", "lat", "acc": m (95 %) or None, "run": int, "index"?}]``.
    Fixes far outside the search's region are refused (``rejected``: ``[{"index", "reason"}]``), fixes this device
    already sent (same time) are stored once. A batch later than everything stored continues the track from its
    stored state (one indexed look-up); an older one recounts the pieces it touches, so coverage never depends
    on arrival order. Returns ``{"stored", "rejected", "coverage": {segment id: new cumulative coverage},
    "shown": [[lon, lat, iso time, acc, track key or None], ...]}`` (``shown`` simplified for display; a key of
    None marks a fix too coarse to be joined into a line) and ``rekeyed``: ``[[iso time, key], ...]`` for fixes
    stored before whose key an older batch changed (the maps update them).
    """
    plan = plan_fixes(session, search, user_id, device, fixes)
    return {"stored": len(plan.rows), "rejected": plan.rejected,
            "coverage": write_planned(session, [plan], [event_seq])[0],
            "shown": plan.shown, "rekeyed": plan.rekeyed}


def plan_fixes(session, search: Search, user_id: int, device: str, fixes: list[dict],
               state: dict | None = None) -> Planned:
    """``record_fixes`` up to its writes (reads only): what to store and the coverage it adds, from the device's
    track as stored now (so a plan is stale once another transaction has stored fixes of the device: plan again).
    Plans of different devices are independent, so a group's plans are written together by ``write_planned``.
    ``state``: ``DEVICE_STATE``'s rows by kind, when the caller read them in this transaction (else read here)."""
    proj, index, areas = basis.segment_index(session, search)   # cached per model version: one projection a search
    limit = region_limit_m(search)
    keys = {"sid": search.id, "uid": user_id, "dev": device}
    # the statements built once run on the session's connection: the ORM's handling of a Core statement costs more
    # than running it (nothing the ORM holds is read here: callers have flushed, or hold no track rows)
    conn = session.connection()
    found = state if state is not None else {row.kind: row for row in conn.execute(DEVICE_STATE, keys)}
    # the known points, the fixes and the stored state projected in one call (each call has a fixed cost)
    counted = found.get(1)
    stored = [counted, found.get(2) or counted] if counted is not None else []
    known_ll = _known_points(search)
    all_x, all_y = proj.to_xy([p[0] for p in known_ll] + [f["lon"] for f in fixes] + [r.lon for r in stored],
                              [p[1] for p in known_ll] + [f["lat"] for f in fixes] + [r.lat for r in stored])
    all_x, all_y = list(all_x), list(all_y)
    n_known, n_fixes = len(known_ll), len(fixes)
    known = list(zip(all_x[:n_known], all_y[:n_known]))
    xs, ys = all_x[n_known:n_known + n_fixes], all_y[n_known:n_known + n_fixes]
    stored_xy = list(zip(all_x[n_known + n_fixes:], all_y[n_known + n_fixes:]))
    kept, rejected = [], []
    for i, (f, x, y) in enumerate(zip(fixes, xs, ys)):
        d = min(math.hypot(x - kx, y - ky) for kx, ky in known)
        if not math.isfinite(d) or d > limit:
            rejected.append({"index": f.get("index", i), "reason": f"is {d / 1000:.1f} km from the last known point, "
                             f"outside the search's region ({limit / 1000:.0f} km)"})
        else:
            kept.append((f, tracks.TrackFix(float(x), float(y), epoch(f["t"]), f.get("acc"), f.get("run", 0))))
    if not kept:
        return Planned(rejected=rejected)
    kept.sort(key=lambda pair: tracks.order_key(pair[1]))
    last = found.get(0)
    mode = effort.mode_for_team_kind(last.mode if last is not None else conn.execute(_MODE_ONLY, keys).scalar())
    rules = rules_for(search, mode)
    first_t = kept[0][1].t
    if last is None or epoch(last.at) < first_t:
        state = _state_before(stored, stored_xy)
        followed = tracks.follow([tf for _, tf in kept], rules, state)
        lines_old, lines_new, changed = [], followed.lines, []
    else:
        kept, lines_old, lines_new, followed, changed = _recount(session, proj, keys, kept, rules)
    rows = [{"search_id": search.id, "user_id": user_id, "device": device, "t": naive_utc(f["t"]), "lon": f["lon"],
             "lat": f["lat"], "acc": f.get("acc"), "run": f.get("run", 0), "event_seq": None,
             "piece": _us(piece), "vertex": vertex}
            for (f, _), piece, vertex in zip(kept, followed.pieces[-len(kept):] if kept else [],
                                             followed.vertices[-len(kept):] if kept else [])]
    # fixes the maps already have whose piece changed (an older batch joined or split them): their new keys
    rekeyed = [[iso(at), track_key(device, piece)] for _, piece, _, at, old in changed if piece != old]
    added = _coverage_of(index, areas, lines_new, rules)
    for k, c in _coverage_of(index, areas, lines_old, rules).items():
        added[k] = added.get(k, 0.0) - c
    shown_rows = [(r["lon"], r["lat"], r["t"], r["acc"], track_key(device, r["piece"])) for r in rows]
    return Planned(rows, changed, added, rejected, display(shown_rows, [(tf.x, tf.y) for _, tf in kept]), rekeyed)


def write_planned(session, plans: list[Planned], seqs: list[int]) -> list[dict[int, float]]:
    """Write plans of different devices (inside the caller's transaction), each fix stored with its plan's event
    sequence number (``seqs``, in the same order): every fix in one INSERT, the recounted
    fixes' new pieces, and the coverage of each segment raised once by what all the plans add. Returns each plan's
    ``{segment id: cumulative coverage}`` as if the plans had been written one after the other in this order (the
    last plan's figure is the stored one)."""
    rows = []
    for plan, seq in zip(plans, seqs):
        for row in plan.rows:
            row["event_seq"] = seq
        rows += plan.rows
    if rows:
        _INSERT.run_many(session, rows)
    for plan in plans:
        for row_id, piece, vertex, _, _ in plan.changed:
            session.execute(update(TrackPoint).where(TrackPoint.id == row_id).values(piece=piece, vertex=vertex))
    totals: dict[int, float] = {}
    for plan in plans:
        for seg_id, c in plan.added.items():
            if c != 0:
                totals[seg_id] = totals.get(seg_id, 0.0) + c
    stored = {seg_id: _ADD_COVERAGE.one_value(session, {"seg_id": seg_id, "added": c})
              for seg_id, c in sorted(totals.items())}   # one atomic increment a segment (even when the parts cancel)
    out = []
    for plan in plans:   # what the plans after this one add, taken off the stored figure
        out.append({seg_id: stored[seg_id] for seg_id, c in sorted(plan.added.items()) if c != 0})
    later: dict[int, float] = {}
    for plan, coverage in zip(reversed(plans), reversed(out)):
        for seg_id in coverage:
            coverage[seg_id] -= later.get(seg_id, 0.0)
        for seg_id, c in plan.added.items():
            if c != 0:
                later[seg_id] = later.get(seg_id, 0.0) + c
    return out


def track_key(device: str, piece: int | None) -> str | None:
    """The key a map joins fixes by: one device's piece of counted track (None: a coarse fix, never joined)."""
    return None if piece is None else f"{device}:{piece}"


def _state_before(stored: list, stored_xy: list[tuple[float, float]]) -> tracks.TrackState:
    """The stored state of a device's counted track after its last stored fix (for a batch that comes after it),
    from ``[its last counted fix, the last vertex of that fix's piece]`` (``DEVICE_STATE``'s rows; the fix again
    when its piece has no vertex stored; [] when nothing is counted) and their projections (x, y in metres)."""
    if not stored:
        return tracks.TrackState()
    (counted, vertex), ((cx, cy), (vx, vy)) = stored, stored_xy
    return tracks.TrackState(_fix(cx, cy, counted.at, counted.acc, counted.run),
                             _fix(vx, vy, vertex.at, vertex.acc, vertex.run), counted.piece / 1_000_000)


def _recount(session, proj, keys: dict, kept, rules):
    """A batch older than what is stored: recount the whole pieces it touches, before and after it is added."""
    base = (TrackPoint.search_id == keys["sid"], TrackPoint.user_id == keys["uid"], TrackPoint.device == keys["dev"],
            TrackPoint.retracted_at.is_(None))
    cols = _COLS
    t0, t1 = kept[0][0]["t"], kept[-1][0]["t"]
    before = session.execute(select(TrackPoint.piece).where(*base, TrackPoint.piece.is_not(None),
                                                            TrackPoint.t < naive_utc(t0))
                             .order_by(TrackPoint.t.desc()).limit(1)).scalar()
    after = session.execute(select(TrackPoint.piece).where(*base, TrackPoint.piece.is_not(None),
                                                           TrackPoint.t > naive_utc(t1))
                            .order_by(TrackPoint.t).limit(1)).scalar()
    start = _at(before) if before is not None else t0
    end = t1
    if after is not None:
        end = max(t1, session.execute(select(TrackPoint.t).where(*base, TrackPoint.piece == after)
                                      .order_by(TrackPoint.t.desc()).limit(1)).scalar().replace(tzinfo=timezone.utc))
    stored = session.execute(select(*cols).where(*base, TrackPoint.t >= naive_utc(start),
                                                 TrackPoint.t <= naive_utc(end))
                             .order_by(TrackPoint.t)).all()
    if stored:
        sx, sy = proj.to_xy([r.lon for r in stored], [r.lat for r in stored])
    else:
        sx, sy = [], []
    old = [(r, _fix(x, y, r.at, r.acc, r.run)) for r, x, y in zip(stored, sx, sy)]
    seen = {round(tf.t, 3) for _, tf in old}
    kept = [(f, tf) for f, tf in kept if round(tf.t, 3) not in seen]   # sent before: stored once
    old.sort(key=lambda pair: tracks.order_key(pair[1]))
    followed_old = tracks.follow([tf for _, tf in old], rules)
    merged = sorted([(None, tf, r) for r, tf in old] + [(f, tf, None) for f, tf in kept],
                    key=lambda item: tracks.order_key(item[1]))
    followed = tracks.follow([tf for _, tf, _ in merged], rules)
    changed = []
    new_pieces, new_vertices = [], []
    for (f, _, row), piece, vertex in zip(merged, followed.pieces, followed.vertices):
        if row is not None:
            if (row.piece, bool(row.vertex)) != (_us(piece), vertex):
                changed.append((row.id, _us(piece), vertex, row.at, row.piece))
        else:
            new_pieces.append(piece)
            new_vertices.append(vertex)
    ordered_new = [(f, tf) for f, tf, row in merged if row is None]
    result = tracks.Followed(followed.lines, new_pieces, new_vertices, followed.state)
    return ordered_new, followed_old.lines, followed.lines, result, changed


def _coverage_of(index, areas, lines, rules: tracks.TrackRules) -> dict[int, float]:
    if not lines or not areas:
        return {}
    return effort.coverage_from_lengths(index.lengths_inside(lines), areas, rules.sweep_width_m)


def add_coverage(session, added: dict[int, float]) -> dict[int, float]:
    """Add coverage to segments by atomic increments (inside the caller's transaction); their new coverage."""
    out = {}
    for seg_id, c in sorted(added.items()):
        if c == 0:
            continue
        out[seg_id] = _ADD_COVERAGE.one_value(session, {"seg_id": seg_id, "added": c})
    return out


def display(rows: list[tuple], xy: list[tuple[float, float]], tolerance_m: float = 2.0) -> list[list]:
    """``[lon, lat, t, acc, key]`` rows worth drawing: Douglas-Peucker within each key (small batches whole).
    ``rows``: ``(lon, lat, time, acc, key)``; ``xy``: the same fixes projected (metres, the search's projection)."""
    out = rows
    if len(rows) >= 10:
        keep = effort.simplify_indices(xy, [r[4] for r in rows], tolerance_m)
        out = [rows[i] for i in keep]
    return [[r[0], r[1], iso(r[2]), r[3], r[4]] for r in out]


def track_coverage(session, search: Search, proj, index, areas, settings: dict) -> tuple[dict[int, float], int]:
    """Coverage of every stored track of the search counted from scratch (one device track at a time, by the
    rules of its user's current mode). Returns ({segment id: coverage}, number of fixes)."""
    lines, count = device_lines(session, search, proj, settings)
    coverage: dict[int, float] = {}
    for track_lines, width in lines.values():
        for k, c in effort.coverage_from_lengths(index.lengths_inside(track_lines), areas, width).items():
            coverage[k] = coverage.get(k, 0.0) + c
    return coverage, count


def device_lines(session, search: Search, proj, settings: dict) -> tuple[dict[tuple, tuple[list, float]], int]:
    """The counted lines (metres) of each (user, device) track of the search with the sweep width of its mode:
    ``({(user id, device): ([LineString], W)}, number of fixes)``."""
    rows = session.execute(select(TrackPoint.user_id, TrackPoint.device, TrackPoint.lon, TrackPoint.lat,
                                  TrackPoint.t, TrackPoint.acc, TrackPoint.run)
                           .where(TrackPoint.search_id == search.id, TrackPoint.retracted_at.is_(None))
                           .order_by(TrackPoint.user_id, TrackPoint.device, TrackPoint.t)).all()
    by_track: dict[tuple, list] = {}
    for uid, device, lon, lat, t, acc, run in rows:
        by_track.setdefault((uid, device), []).append((lon, lat, t, acc, run))
    out = {}
    modes: dict[int, str] = {}
    for (uid, device), pts in by_track.items():
        mode = modes.setdefault(uid, basis.user_mode(session, search.id, uid))
        rules = rules_for(search, mode, settings)
        xs, ys = proj.to_xy([p[0] for p in pts], [p[1] for p in pts])
        fixes = sorted((_fix(x, y, p[2], p[3], p[4]) for x, y, p in zip(xs, ys, pts)), key=tracks.order_key)
        out[(uid, device)] = (tracks.follow(fixes, rules).lines, rules.sweep_width_m)
    return out, len(rows)
