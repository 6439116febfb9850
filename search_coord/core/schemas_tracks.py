"""The usual well-formed GPS fix of a track batch, checked without ``Form``'s bookkeeping.

Every fix of every phone passes here (about five a second each), and nearly all are well formed: ``quick_fix`` keeps
exactly what ``schemas.clean_track_batch``'s full check keeps, the same dict, and answers None for anything else
(a missing or empty field, a wrong type, out of range, (0, 0), a time refused), so that the full check decides and
says why.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .fields import Form, parse_time

_KEYS = frozenset(("t", "lon", "lat", "acc", "run"))
_NUMBER = (int, float)     # JSON numbers; bool is its own type here, so it is not taken
_RUN_MAX = 2**31 - 1


def quick_fix(p, now: datetime, missing_since: datetime, shift: timedelta) -> tuple[dict, None] | None:
    """``(fix, None)`` for a plain good fix ``{"t", "lon", "lat", "acc"?, "run"?}`` (``t`` corrected by ``shift``,
    degrees and metres as floats), else None."""
    if type(p) is not dict or not p.keys() <= _KEYS:
        return None
    lon, lat, acc, run = p.get("lon"), p.get("lat"), p.get("acc", 0.0), p.get("run", 0)
    if type(lon) not in _NUMBER or type(lat) not in _NUMBER or type(acc) not in _NUMBER or type(run) is not int:
        return None
    # Range checks also refuse NaN and infinities (every comparison with NaN is false).
    if not (-180 <= lon <= 180 and -90 <= lat <= 90 and 0 <= acc <= 100000 and 0 <= run <= _RUN_MAX):
        return None
    if abs(lon) < 1e-3 and abs(lat) < 1e-3:
        return None
    try:
        t = parse_time(p.get("t")) - shift
    except ValueError:
        return None
    if t > now + Form.CLOCK_SKEW or t < missing_since:
        return None
    fix = {"lon": float(lon), "lat": float(lat)}
    if "acc" in p:
        fix["acc"] = float(acc)
    if "run" in p:
        fix["run"] = run
    fix["t"] = t
    fix.setdefault("run", 0)
    return fix, None
