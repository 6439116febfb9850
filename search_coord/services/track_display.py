"""Officers' tracks as maps load them: simplified for the snapshot a map opens with, and one officer's full
detail a page at a time (the map asks for it when the dispatcher zooms in or picks a track).

The snapshot is kept per officer between requests (``display_tracks``): a map opened at hour four must not wait
while 144,000 stored fixes are read and simplified again. What is kept is checked against the database in the
reading transaction itself, by each officer's count of live fixes, newest row id and a checksum of their pieces
(one aggregate query): unchanged, it is sent as it is; grown only by fixes later than everything kept, just those
are read (by row id) and simplified on from the end of each line; anything else (a retraction, a late batch, fixes
rekeyed by one, a batch committed out of id order on PostgreSQL) and that officer is read and simplified again.
So every process of a deployment answers from the database's state, whatever it kept from before."""
from __future__ import annotations

import gc
import threading
import weakref
from collections import Counter, OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import String, and_, bindparam, func, or_, select, type_coerce

from ..adapters.models import Search, TrackPoint
from ..core.errors import ValidationError
from ..core.fields import MAX_SAFE_INT
from ..core.geometry import LocalProjection
from ..core.simplify import DISPLAY_TOLERANCE_M, display_indices, line_indices
from .access import load_search
from .context import Actor, Services
from .events import iso
from .tracks import track_key

#: Most fixes one page of an officer's full track holds (a 5 s phone makes 720 an hour).
MAX_PAGE = 20000
_EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)
#: Searches whose snapshot is kept per database engine (the least recently read goes first).
KEPT_SEARCHES = 8
_CHECK_MOD = 1_000_000_007
_TP = TrackPoint.__table__
_LIVE = (_TP.c.search_id == bindparam("sid"), _TP.c.retracted_at.is_(None))
# per officer: live fixes, newest row id, sum of (piece mod a prime) (-1 for a coarse fix): what the kept lines are
# checked by (pieces change when an older batch rekeys stored fixes)
_PRINTS = (select(_TP.c.user_id, func.count(), func.max(_TP.c.id),
                  func.sum(func.coalesce(_TP.c.piece, -1) % _CHECK_MOD))
           .where(*_LIVE).group_by(_TP.c.user_id))
# the time as stored (SQLite: text, parsed by numpy at once; PostgreSQL's driver gives datetimes)
_COLS = (_TP.c.user_id, _TP.c.id, type_coerce(_TP.c.t, String), _TP.c.lon, _TP.c.lat, _TP.c.device,
         func.coalesce(_TP.c.piece, -1), _TP.c.acc)
_ALL = select(*_COLS).where(*_LIVE).order_by(_TP.c.user_id, _TP.c.t)
_OF_USERS = select(*_COLS).where(*_LIVE, _TP.c.user_id.in_(bindparam("uids", expanding=True))).order_by(
    _TP.c.user_id, _TP.c.t)
# rows stored since the kept lines were read: by row id (``search_id + 0`` keeps SQLite off the search's index, which
# would walk every fix of the search, and on the primary key's range)
_NEWER = (select(*_COLS).where(_TP.c.id > bindparam("after"), (_TP.c.search_id + 0) == bindparam("sid"),
                               _TP.c.retracted_at.is_(None))
          .order_by(_TP.c.user_id, _TP.c.t))


@lru_cache(maxsize=4)
def _compiled_all(dialect):
    """_ALL compiled for the dialect of a connection (one per engine)."""
    return _ALL.compile(dialect=dialect)


@contextmanager
def _gc_paused():
    """Python's cycle collector held off while a snapshot is made: reading and taking apart 144,000 rows makes
    millions of objects (no cycles), and the collections they set off (each walking every object alive) were ~40 %
    of a cold 4-hour read. Freed by reference counting meanwhile as always; switched back on only if it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _all_rows(conn, sid: int) -> list:
    """Every live row of search ``sid`` (_ALL) as plain tuples. On SQLite straight from the driver's cursor, in the
    reading transaction: made into SQLAlchemy rows and taken apart again, the 144,000 rows of a 4-hour search cost
    a third of the cold read. Elsewhere through SQLAlchemy."""
    if conn.dialect.name != "sqlite":
        return conn.execute(_ALL, {"sid": sid}).all()
    compiled = _compiled_all(conn.dialect)
    values = compiled.construct_params({"sid": sid})
    cur = conn.connection.cursor()
    try:
        cur.execute(str(compiled), tuple(values[name] for name in compiled.positiontup))
        return cur.fetchall()
    finally:
        cur.close()


@dataclass(frozen=True)
class _Line:
    """One officer's snapshot as kept: ``fixes`` as sent (``[lon, lat, time, key, acc]``, never changed once made),
    the stored state they were made from (``count``, ``max_id``, ``check``: as _PRINTS gives them), the time of
    the newest fix (s) and ``ends``: {key: (x, y, t)} the newest fix of each key (a line's end: always sent)."""
    count: int
    max_id: int
    check: int
    last_t: float
    fixes: list
    ends: dict


#: Officers' lines served since the process started, by how: "kept" as they were, "topped_up" with newer fixes,
#: "made" from all their fixes (for benchmarks and tests; counts only).
KEPT_STATS: Counter = Counter()
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # engine -> OrderedDict {slot: {uid: _Line}}
_LOCK = threading.Lock()


def forget_kept() -> None:
    """Drop every kept snapshot of this process (the next read makes them again from the stored fixes)."""
    with _LOCK:
        _KEPT.clear()


def _lkp_centre(search: Search) -> tuple[float, float] | None:
    lkp = search.lkp or {}
    coords = lkp.get("coordinates") if isinstance(lkp, dict) else None
    return (float(coords[1]), float(coords[0])) if coords else None


def _times(ts) -> np.ndarray:
    """Stored times (text 'YYYY-MM-DD HH:MM:SS.ffffff' or naive UTC datetimes) as datetime64[us]."""
    if isinstance(ts[0], str):
        return np.array(ts, dtype="datetime64[us]")
    return np.array([(t - _EPOCH) // _US for t in ts], dtype=np.int64).astype("datetime64[us]")


def _columns(rows, proj: LocalProjection | None):
    """Rows of _COLS as columns: (uids, ids, x, y (m), t_s (s), times (datetime64), lon, lat, devices, pieces,
    accs); ``proj`` None: centred on the first row."""
    uids, ids, ts, lons, lats, devices, pieces, accs = zip(*rows)
    lon = np.array(lons, dtype=float)
    lat = np.array(lats, dtype=float)
    proj = proj or LocalProjection(float(lat[0]), float(lon[0]))
    x, y = proj.to_xy(lon, lat)
    when = _times(ts)
    t_s = (when - np.datetime64(0, "us")).astype(np.int64) / 1e6
    return uids, ids, np.asarray(x), np.asarray(y), t_s, when, lon, lat, devices, pieces, accs


def _sent(cols, idx: list[int]) -> list[list]:
    """The kept rows ``idx`` as the snapshot sends them: lon/lat rounded to 1e-7 degrees (1 cm), time in ms."""
    _, _, _, _, _, when, lon, lat, devices, pieces, accs = cols
    k_lon = np.round(lon[idx], 7).tolist()
    k_lat = np.round(lat[idx], 7).tolist()
    k_t = [s + "Z" for s in np.datetime_as_string(when[idx], unit="ms").tolist()]
    keys: dict = {}
    return [[k_lon[j], k_lat[j], k_t[j], keys.get((devices[i], pieces[i])) or keys.setdefault(
        (devices[i], pieces[i]), _key(devices[i], pieces[i])), accs[i]] for j, i in enumerate(idx)]


def _key(device: str, piece: int) -> str | None:
    return track_key(device, None if piece < 0 else piece)


def _check(pieces) -> int:
    return sum(-1 if p < 0 else p % _CHECK_MOD for p in pieces)


def _codes(uids, devices, pieces) -> np.ndarray:
    """An integer per (officer, device, piece) (-1: a coarse fix), for rows ordered by officer and time (runs)."""
    uid = np.array(uids, dtype=np.int64)
    piece = np.array(pieces, dtype=np.int64)
    dev = np.array(devices, dtype=object)
    change = np.r_[True, (uid[1:] != uid[:-1]) | (piece[1:] != piece[:-1]) | (dev[1:] != dev[:-1])]
    of: dict = {}
    run_codes = np.array([of.setdefault((uids[i], devices[i], pieces[i]), len(of))
                          for i in np.flatnonzero(change).tolist()], dtype=np.int64)
    codes = run_codes[np.cumsum(change) - 1]
    codes[piece < 0] = -1
    return codes


def _build(rows, prints: dict, proj: LocalProjection | None, tolerance_m: float) -> dict[int, _Line]:
    """Officers' lines made from all their live rows (ordered by officer, time), simplified in one go."""
    if not rows:
        return {}
    cols = _columns(rows, proj)
    uids, _, x, y, t_s = cols[:5]
    uid_arr = np.array(uids, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, uid_arr[1:] != uid_arr[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    kept_arr = np.union1d(line_indices(x, y, t_s, _codes(uids, cols[8], cols[9]), tolerance_m), ends - 1)
    upto = np.searchsorted(kept_arr, ends).tolist()
    kept = kept_arr.tolist()
    sent = _sent(cols, kept)
    out = {}
    pos = 0
    for a, b, k in zip(starts.tolist(), ends.tolist(), upto):
        n = k - pos
        mine = kept[pos:pos + n]
        line_ends = {}
        for i, fix in zip(mine, sent[pos:pos + n]):
            if fix[3] is not None:
                line_ends[fix[3]] = (float(x[i]), float(y[i]), float(t_s[i]))
        count, max_id, check = prints[uids[a]]
        out[uids[a]] = _Line(count, max_id, check, float(t_s[b - 1]), sent[pos:pos + n], line_ends)
        pos += n
    return out


def _topped_up(line: _Line, rows: list, stored: tuple, proj: LocalProjection, tolerance_m: float) -> _Line | None:
    """``line`` continued with ``rows`` (one officer's rows stored since it was made, in time order), or None when
    they are not all that changed (the count, newest id or checksum disagree) or not all later than it."""
    count, max_id, check = stored
    if (not rows or line.count + len(rows) != count or max(r[1] for r in rows) != max_id
            or line.check + _check(r[6] for r in rows) != check):
        return None
    cols = _columns(rows, proj)
    x, y, t_s = cols[2], cols[3], cols[4]
    if float(t_s.min()) <= line.last_t:
        return None
    # each line simplified on from its end (kept), so the junction is a vertex and every fix stays within tolerance
    anchors = sorted(line.ends.items(), key=lambda item: item[1][2])
    keys = [k for k, _ in anchors] + [_key(d, p) for d, p in zip(cols[8], cols[9])]
    idx = display_indices([a[0] for _, a in anchors] + x.tolist(), [a[1] for _, a in anchors] + y.tolist(),
                          [a[2] for _, a in anchors] + t_s.tolist(), keys, tolerance_m)
    mine = (idx[idx >= len(anchors)] - len(anchors)).tolist()
    sent = _sent(cols, mine)
    line_ends = dict(line.ends)
    for i, fix in zip(mine, sent):
        if fix[3] is not None:
            line_ends[fix[3]] = (float(x[i]), float(y[i]), float(t_s[i]))
    # a coarse newest fix was sent only for being the newest
    before = line.fixes[:-1] if line.fixes and line.fixes[-1][3] is None else line.fixes
    return _Line(count, max_id, check, float(t_s.max()), before + sent, line_ends)


def display_tracks(session, search: Search, tolerance_m: float = DISPLAY_TOLERANCE_M) -> tuple[dict, dict]:
    """Every officer's stored (not retracted) fixes on ``search``, simplified for display, read in ``session``.

    Returns ``(tracks, detail)``: tracks ``{uid: [[lon, lat, time, key, acc], ...]}`` with only the fixes
    core.simplify.display_indices keeps at ``tolerance_m`` metres (lon/lat rounded to 1e-7 degrees, 1 cm), and
    detail ``{uid: {"fixes": stored, "sent": kept, "tolerance_m": tolerance_m}}`` so a map knows whose track it has
    in full (sent == fixes) and whose it may fetch (``track_fixes``). Lines kept from an earlier call are checked
    against the stored state in ``session``'s transaction and reused or continued (see the module's docstring);
    the lists returned are shared with what is kept: callers must not change them."""
    prints = {uid: (int(n), int(top), int(check))
              for uid, n, top, check in session.connection().execute(_PRINTS, {"sid": search.id})}
    if not prints:
        return {}, {}
    centre = _lkp_centre(search)
    with _gc_paused():
        if centre is None:   # no LKP to centre the projection on: nothing kept
            lines = _build(_all_rows(session.connection(), search.id), prints, None, tolerance_m)
        else:
            lines = _kept_or_made(session, search.id, prints, LocalProjection(*centre),
                                  (search.id, tolerance_m, centre), tolerance_m)
    uids = sorted(prints)
    return ({str(u): list(lines[u].fixes) for u in uids},
            {str(u): {"fixes": lines[u].count, "sent": len(lines[u].fixes), "tolerance_m": tolerance_m} for u in uids})


def _kept_or_made(session, sid: int, prints: dict, proj: LocalProjection, slot: tuple, tolerance_m: float) -> dict:
    engine = session.get_bind()
    with _LOCK:
        kept = _KEPT.setdefault(engine, OrderedDict()).get(slot, {})
    lines = {u: line for u, line in kept.items() if prints.get(u) == (line.count, line.max_id, line.check)}
    same = len(lines)
    KEPT_STATS["kept"] += same
    grown = [u for u, line in kept.items() if u in prints and u not in lines]
    if grown:
        newer: dict[int, list] = {}
        for row in session.connection().execute(_NEWER, {"sid": sid, "after": min(kept[u].max_id for u in grown)}):
            line = kept.get(row[0])
            if line is not None and row[1] > line.max_id:
                newer.setdefault(row[0], []).append(row)
        for u in grown:
            line = _topped_up(kept[u], newer.get(u, []), prints[u], proj, tolerance_m)
            if line is not None:
                lines[u] = line
    missing = [u for u in prints if u not in lines]
    KEPT_STATS["topped_up"] += len(lines) - same
    KEPT_STATS["made"] += len(missing)
    if missing:
        conn = session.connection()
        rows = (_all_rows(conn, sid) if len(missing) == len(prints)
                else conn.execute(_OF_USERS, {"sid": sid, "uids": missing}).all())
        lines.update(_build(rows, prints, proj, tolerance_m))
    with _LOCK:
        searches = _KEPT.setdefault(engine, OrderedDict())
        searches[slot] = lines
        searches.move_to_end(slot)
        while len(searches) > KEPT_SEARCHES:
            searches.popitem(last=False)
    return lines


def _parse_cursor(after: str | None) -> tuple[datetime, int] | None:
    if after is None or after == "":
        return None
    parts = str(after).split("-")
    try:
        if len(parts) != 2:
            raise ValueError
        t_us, row_id = int(parts[0]), int(parts[1])
        if not (0 <= t_us <= MAX_SAFE_INT and 0 <= row_id <= MAX_SAFE_INT):
            raise ValueError
    except ValueError:
        raise ValidationError({"after": "must be the 'next' cursor of the previous page"}) from None
    return _EPOCH + timedelta(microseconds=t_us), row_id


def track_fixes(svc: Services, actor: Actor, search_id: int, user_id: int, after: str | None = None,
                limit: int = 10000) -> dict:
    """One officer's stored (not retracted) fixes in full, in time order, a page at a time.

    Returns ``{"user_id", "fixes": [[lon, lat, time, key, acc], ...], "next": cursor or None, "last_seq"}``: pass
    ``next`` back as ``after`` for the following page; ``last_seq`` is the search's event number the page was read
    at (a map merges the page once it has applied that far). Raises NotFound/Forbidden as reading the search does,
    ValidationError on a bad cursor or a limit outside 1..MAX_PAGE."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError({"limit": f"must be between 1 and {MAX_PAGE}"})
    cursor = _parse_cursor(after)
    with svc.reading() as s:
        search = load_search(s, search_id, actor)
        q = (select(TrackPoint.id, TrackPoint.t, TrackPoint.lon, TrackPoint.lat, TrackPoint.device, TrackPoint.piece,
                    TrackPoint.acc)
             .where(TrackPoint.search_id == search_id, TrackPoint.user_id == user_id,
                    TrackPoint.retracted_at.is_(None)))
        if cursor is not None:
            q = q.where(or_(TrackPoint.t > cursor[0], and_(TrackPoint.t == cursor[0], TrackPoint.id > cursor[1])))
        rows = s.execute(q.order_by(TrackPoint.t, TrackPoint.id).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = None
        if more:
            row_id, t = rows[-1][0], rows[-1][1]
            nxt = f"{(t - _EPOCH) // _US}-{row_id}"
        return {"user_id": user_id,
                "fixes": [[lon, lat, iso(t), track_key(device, piece), acc]
                          for _, t, lon, lat, device, piece, acc in rows],
                "next": nxt, "last_seq": search.last_seq}
