"""Officers' tracks as maps load them: simplified for the snapshot a map opens with, and one officer's full
detail a page at a time (the map asks for it when the dispatcher zooms in or picks a track)."""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import String, and_, or_, select, type_coerce

from ..adapters.models import Search, TrackPoint
from ..core.errors import ValidationError
from ..core.fields import MAX_SAFE_INT
from ..core.geometry import LocalProjection
from ..core.simplify import DISPLAY_TOLERANCE_M, display_indices
from .access import load_search
from .context import Actor, Services
from .events import iso
from .tracks import track_key

#: Most fixes one page of an officer's full track holds (a 5 s phone makes 720 an hour).
MAX_PAGE = 20000
_EPOCH = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)


def _centre(search: Search, lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """(lat, lon) the local projection is centred on: the LKP, else the first fix."""
    lkp = search.lkp or {}
    coords = lkp.get("coordinates") if isinstance(lkp, dict) else None
    if coords:
        return float(coords[1]), float(coords[0])
    return float(lat[0]), float(lon[0])


def _times(ts) -> np.ndarray:
    """Stored times (text 'YYYY-MM-DD HH:MM:SS.ffffff' or naive UTC datetimes) as datetime64[us]."""
    if isinstance(ts[0], str):
        return np.array(ts, dtype="datetime64[us]")
    return np.array([(t - _EPOCH) // _US for t in ts], dtype=np.int64).astype("datetime64[us]")


def display_tracks(session, search: Search, tolerance_m: float = DISPLAY_TOLERANCE_M) -> tuple[dict, dict]:
    """Every officer's stored (not retracted) fixes on ``search``, simplified for display, read in ``session``.

    Returns ``(tracks, detail)``: tracks ``{uid: [[lon, lat, time, key, acc], ...]}`` with only the fixes
    core.simplify.display_indices keeps at ``tolerance_m`` metres (lon/lat rounded to 1e-7 degrees, 1 cm), and
    detail ``{uid: {"fixes": stored, "sent": kept, "tolerance_m": tolerance_m}}`` so a map knows whose track it has
    in full (sent == fixes) and whose it may fetch (``track_fixes``). 144,000 fixes in about a second: the rows
    are read by the core (no ORM rows), worked on as columns, and only the kept fixes become JSON values."""
    # the time as stored (SQLite: text, parsed below by numpy at once; PostgreSQL's driver gives datetimes)
    q = (select(TrackPoint.user_id, type_coerce(TrackPoint.t, String), TrackPoint.lon, TrackPoint.lat,
                TrackPoint.device, TrackPoint.piece, TrackPoint.acc)
         .where(TrackPoint.search_id == search.id, TrackPoint.retracted_at.is_(None))
         .order_by(TrackPoint.user_id, TrackPoint.t))
    rows = session.connection().execute(q).all()
    tracks: dict[str, list] = {}
    detail: dict[str, dict] = {}
    if not rows:
        return tracks, detail
    uids, ts, lons, lats, devices, pieces, accs = zip(*rows)
    lon = np.array(lons, dtype=float)
    lat = np.array(lats, dtype=float)
    x, y = LocalProjection(*_centre(search, lon, lat)).to_xy(lon, lat)
    when = _times(ts)
    t_s = (when - np.datetime64(0, "us")).astype(np.int64) / 1e6
    codes: dict = {}
    keys = [None if piece is None else codes.setdefault((device, piece), len(codes))
            for device, piece in zip(devices, pieces)]
    uid_arr = np.array(uids, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, uid_arr[1:] != uid_arr[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    kept = np.concatenate([display_indices(x[a:b], y[a:b], t_s[a:b], keys[a:b], tolerance_m) + a
                           for a, b in zip(starts.tolist(), ends.tolist())])
    k_lon = np.round(lon[kept], 7).tolist()
    k_lat = np.round(lat[kept], 7).tolist()
    k_t = [s + "Z" for s in np.datetime_as_string(when[kept], unit="ms").tolist()]
    pos = 0
    for a, b in zip(starts.tolist(), ends.tolist()):
        n = int(np.searchsorted(kept, b) - pos)
        tracks[str(uids[a])] = [[k_lon[j], k_lat[j], k_t[j], track_key(devices[i], pieces[i]), accs[i]]
                                for j, i in zip(range(pos, pos + n), kept[pos:pos + n].tolist())]
        detail[str(uids[a])] = {"fixes": b - a, "sent": n, "tolerance_m": tolerance_m}
        pos += n
    return tracks, detail


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
