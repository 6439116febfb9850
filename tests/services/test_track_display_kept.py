"""The maps' snapshot kept between reads (services/track_display.py): continued with later fixes, made again after a
retraction, a late batch that rekeys stored fixes or a change of the search's centre, and always what the stored
fixes give (within 2 m of every line, every line's ends, the newest fix), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import shapely
from support import LKP, search_payload

from search_coord.core.geometry import LocalProjection
from search_coord.core.simplify import TRACK_GAP_S
from search_coord.services import field, retractions, searches, track_display

START = datetime(2026, 11, 28, 9, 30, 5, tzinfo=timezone.utc)   # just after the LKP time; the clock is 30 min on


@pytest.fixture
def world(svc, people):
    disp, off1 = people["disp"], people["off1"]
    sid = searches.open_search(svc, disp, search_payload())["id"]
    searches.add_member(svc, disp, sid, off1.user_id)
    track_display.forget_kept()
    return svc, sid, disp, off1


def _send(svc, off1, sid, client_id, first, n, every_s=5, acc=5.0, device="ph1"):
    """``n`` fixes from fix number ``first`` of a winding walk (about 8 m a fix), one every ``every_s`` seconds."""
    client_id = f"kept-id-{client_id}"
    proj = LocalProjection(LKP[1], LKP[0])
    pts = []
    for i in range(first, first + n):
        x, y = 8.0 * i, 30.0 * np.sin(i / 4.0)
        lon, lat = proj.to_lonlat(x, y)
        pts.append({"t": (START + timedelta(seconds=every_s * i)).isoformat(), "lon": lon, "lat": lat, "acc": acc})
    out = field.add_track_batch(svc, off1, sid, {"client_id": client_id, "device": device, "points": pts})
    assert out["accepted"] == n, out
    return out


def _display(svc, disp, sid):
    return searches.get_state(svc, disp, sid, tracks="display")


def _made_again(svc, disp, sid):
    track_display.forget_kept()
    return _display(svc, disp, sid)


def _assert_true_to_the_stored(shown, full, uid):
    """The snapshot's fixes are stored fixes (same time and key), every line's ends and the newest fix are in it, no
    two of a line more than TRACK_GAP_S apart, and every stored fix lies within 2 m of its line as drawn."""
    fixes, sent = full["tracks"][uid], shown["tracks"][uid]
    assert shown["tracks_detail"][uid] == {"fixes": len(fixes), "sent": len(sent), "tolerance_m": 2.0}
    by_time = {p[2]: p for p in fixes}
    for p in sent:
        assert by_time[p[2]][3] == p[3]
    assert sent[-1][2] == fixes[-1][2]
    proj = LocalProjection(LKP[1], LKP[0])

    def lines(pts):
        out, cur = [], []
        for p in pts:
            t = datetime.fromisoformat(p[2].replace("Z", "+00:00")).timestamp()
            if cur and (cur[-1][3] != p[3] or t - cur[-1][5] > TRACK_GAP_S):
                out.append(cur)
                cur = []
            cur.append([*p, t])
        return out + [cur] if cur else out

    drawn = [ln for ln in lines([p for p in sent if p[3] is not None])]
    stored = [ln for ln in lines([p for p in fixes if p[3] is not None])]
    assert len(drawn) == len(stored)
    for d, s in zip(drawn, stored):
        assert (d[0][2], d[-1][2], d[0][3]) == (s[0][2], s[-1][2], s[0][3])
        dxy = np.column_stack(proj.to_xy([p[0] for p in d], [p[1] for p in d]))
        sxy = np.column_stack(proj.to_xy([p[0] for p in s], [p[1] for p in s]))
        line = shapely.LineString(dxy) if len(d) > 1 else shapely.Point(dxy[0])
        assert shapely.distance(line, shapely.points(sxy)).max() < 2.05


def test_later_fixes_continue_the_kept_snapshot(world):
    svc, sid, disp, off1 = world
    uid = str(off1.user_id)
    _send(svc, off1, sid, "b0", 0, 60)
    first = _display(svc, disp, sid)
    assert first["tracks"][uid] == _made_again(svc, disp, sid)["tracks"][uid]
    before = dict(track_display.KEPT_STATS)
    assert _display(svc, disp, sid)["tracks"][uid] == first["tracks"][uid]   # nothing new: as kept
    assert track_display.KEPT_STATS["kept"] == before.get("kept", 0) + 1
    for k in range(1, 5):
        _send(svc, off1, sid, f"b{k}", 60 * k, 60)
        shown = _display(svc, disp, sid)
        _assert_true_to_the_stored(shown, searches.get_state(svc, disp, sid), uid)
        assert shown["last_seq"] == searches.get_state(svc, disp, sid)["last_seq"]
    assert track_display.KEPT_STATS["topped_up"] == before.get("topped_up", 0) + 4
    assert track_display.KEPT_STATS["made"] == before.get("made", 0)
    # a coarse newest fix is sent (it is where the officer is shown) and dropped once a later fix comes
    _send(svc, off1, sid, "coarse", 300, 1, acc=500.0)
    shown = _display(svc, disp, sid)
    assert shown["tracks"][uid][-1][3] is None
    _send(svc, off1, sid, "after-coarse", 301, 5)
    shown = _display(svc, disp, sid)
    assert all(p[3] is not None for p in shown["tracks"][uid])
    _assert_true_to_the_stored(shown, searches.get_state(svc, disp, sid), uid)


def test_a_retraction_or_a_late_batch_makes_the_officer_again(world):
    svc, sid, disp, off1 = world
    uid = str(off1.user_id)
    _send(svc, off1, sid, "early", 0, 40)
    _send(svc, off1, sid, "late-part", 100, 40)   # 5 minutes of silence: a piece of its own
    shown = _display(svc, disp, sid)
    assert len({p[3] for p in shown["tracks"][uid]}) == 2
    # the silence filled by a batch sent late: the later piece is joined to the first (its fixes rekeyed)
    out = _send(svc, off1, sid, "filled", 40, 60)
    full = searches.get_state(svc, disp, sid)
    assert len({p[3] for p in full["tracks"][uid]}) == 1
    made = track_display.KEPT_STATS["made"]
    shown = _display(svc, disp, sid)
    assert track_display.KEPT_STATS["made"] == made + 1
    assert shown["tracks"][uid] == _made_again(svc, disp, sid)["tracks"][uid]
    _assert_true_to_the_stored(shown, full, uid)
    # one batch retracted: gone from the kept snapshot too
    retractions.retract_track(svc, disp, sid, {"reason": "sent twice", "event_seq": out["seq"]})
    shown = _display(svc, disp, sid)
    full = searches.get_state(svc, disp, sid)
    assert shown["tracks_detail"][uid]["fixes"] == 80 == len(full["tracks"][uid])
    assert shown["tracks"][uid] == _made_again(svc, disp, sid)["tracks"][uid]
    _assert_true_to_the_stored(shown, full, uid)
    # every fix retracted: the officer leaves the snapshot
    retractions.retract_track(svc, disp, sid, {"reason": "wrong phone", "user_id": off1.user_id,
                                               "from": START.isoformat(),
                                               "to": (START + timedelta(minutes=20)).isoformat()})
    assert uid not in _display(svc, disp, sid)["tracks"]


def test_two_officers_one_grows_one_is_kept(world, people):
    svc, sid, disp, off1 = world
    off2 = people["off2"]
    searches.add_member(svc, disp, sid, off2.user_id)
    _send(svc, off1, sid, "a", 0, 50)
    _send(svc, off2, sid, "b", 0, 50, device="ph2")
    _display(svc, disp, sid)
    before = dict(track_display.KEPT_STATS)
    _send(svc, off2, sid, "b2", 50, 30, device="ph2")
    shown = _display(svc, disp, sid)
    assert track_display.KEPT_STATS["kept"] == before["kept"] + 1
    assert track_display.KEPT_STATS["topped_up"] == before.get("topped_up", 0) + 1
    full = searches.get_state(svc, disp, sid)
    for u in (off1, off2):
        _assert_true_to_the_stored(shown, full, str(u.user_id))


def test_snapshot_made_with_the_cycle_collector_held_off_and_on_again_after(world, monkeypatch):
    """Making a snapshot from every stored fix runs with Python's cycle collector off (its collections over the
    millions of objects of a 4-hour read were ~40 % of it), and it is on again afterwards, also after an error."""
    import gc

    svc, sid, disp, off1 = world
    _send(svc, off1, sid, "gc", 0, 30)
    seen = []
    build = track_display._build

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(track_display, "_build", spy)
    assert gc.isenabled()
    shown = _made_again(svc, disp, sid)
    assert seen == [False] and gc.isenabled() and shown["tracks_detail"][str(off1.user_id)]["fixes"] == 30

    def broken(*args, **kwargs):
        raise RuntimeError("read failed")

    monkeypatch.setattr(track_display, "_build", broken)
    with pytest.raises(RuntimeError):
        _made_again(svc, disp, sid)
    assert gc.isenabled()
