"""An evening to print and export (issue 13's tests): a search for 张桂林 with segments, two teams with call signs
and members, their assignments, two officers' tracks, a clue, a searched area, a broadcast and its
acknowledgement. ``call(method, path, body=None) -> parsed JSON`` is any logged-in client (the test client wrapped
by ``flask_call``, or browser_helpers.api_client)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

SUBJECT_ZH = "张桂林"
CALLSIGNS = ("Bravo-1", "Charlie-2")
CST = timezone(timedelta(hours=8))


def flask_call(client):
    """``call`` over a tests.support.ApiClient: refuses any answer that is not 2xx."""
    def call(method, path, body=None):
        r = {"GET": client.get, "POST": client.post, "PATCH": client.patch}[method](path, json=body) \
            if method != "GET" else client.get(path)
        assert 200 <= r.status_code < 300, (method, path, r.status_code, r.get_data(as_text=True)[:500])
        return r.get_json()
    return call


def track(t0: datetime, lon: float, lat: float, n: int, step_s: float = 5, d_lon: float = 0.00003,
          d_lat: float = 0.0) -> list[dict]:
    return [{"t": (t0 + timedelta(seconds=step_s * i)).isoformat(), "lon": lon + d_lon * i, "lat": lat + d_lat * i,
             "acc": 6} for i in range(n)]


def evening(disp, officers: dict, lkp=(116.1985, 39.7712), lkp_time: datetime | None = None) -> dict:
    """Build the evening; ``officers`` {name: (call, user id)}, two of them. Returns ids and the times used."""
    lkp_time = lkp_time or datetime(2026, 11, 28, 17, 30, tzinfo=CST)
    sid = disp("POST", "/api/v1/searches", {
        "title": "Changyang 11-28",
        "subject": {"name": SUBJECT_ZH, "age": 80, "sex": "male", "category": "dementia",
                    "description": "thin, grey hair / 瘦，白发", "clothing": "dark blue padded jacket / 深蓝色棉袄",
                    "medical": "needs heart medicine / 需要心脏药"},
        "lkp": {"type": "Point", "coordinates": list(lkp)}, "lkp_time": lkp_time.isoformat(), "risk": "high",
        "lkp_address": "Changyang bus station", "lkp_time_confirmed": True})["id"]
    (n1, (call1, uid1)), (n2, (call2, uid2)) = list(officers.items())[:2]
    for uid in (uid1, uid2):
        disp("POST", f"/api/v1/searches/{sid}/members", {"user_id": uid})
    disp("POST", f"/api/v1/searches/{sid}/segments/grid", {"shape": "square", "cell_m": 1500})
    d = 0.002
    area = {"type": "Polygon", "coordinates": [[[lkp[0] - d, lkp[1] - d], [lkp[0] + d, lkp[1] - d],
                                                [lkp[0] + d, lkp[1] + d], [lkp[0] - d, lkp[1] + d],
                                                [lkp[0] - d, lkp[1] - d]]]}
    route = {"type": "LineString", "coordinates": [[lkp[0], lkp[1]], [lkp[0] + 0.004, lkp[1] + 0.002]]}
    teams, assignments = [], []
    for cs, uid, name, geom, kind in ((CALLSIGNS[0], uid1, "Foot A", area, "area"),
                                      (CALLSIGNS[1], uid2, "Car B", route, "route")):
        team = disp("POST", f"/api/v1/searches/{sid}/teams", {"name": name, "kind": "foot_patrol", "callsign": cs,
                                                               "leader_id": uid, "member_ids": [uid]})
        teams.append(team["id"])
        assignments.append(disp("POST", f"/api/v1/searches/{sid}/assignments", {
            "title": f"{name}: {'garages' if kind == 'area' else 'river road'}", "kind": kind,
            "team_id": team["id"], "geometry": geom,
            "instructions": "Check every open door; call back every 30 min / 每30分钟回报"})["id"])
    t0 = lkp_time + timedelta(minutes=40)
    call1("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": "paper-trk-1",
                                                     "points": track(t0, lkp[0], lkp[1], 60)})
    call2("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": "paper-trk-2",
                                                     "points": track(t0, lkp[0], lkp[1] + 0.001, 40, d_lat=0.00002)})
    t1 = t0 + timedelta(minutes=30)
    call1("POST", f"/api/v1/searches/{sid}/tracks", {"client_id": "paper-trk-3",
                                                     "points": track(t1, lkp[0] + 0.002, lkp[1], 30)})
    call1("POST", f"/api/v1/searches/{sid}/clues", {"kind": "clue", "time": (t0 + timedelta(minutes=5)).isoformat(),
                                                    "location": [lkp[0] + 0.001, lkp[1] + 0.0005],
                                                    "text": "a walking stick by the gate / 门口的拐杖"})
    call1("POST", f"/api/v1/searches/{sid}/searched-areas", {"geometry": area, "pod": 0.6,
                                                             "team_id": teams[0], "notes": "garages done"})
    b = disp("POST", f"/api/v1/searches/{sid}/broadcasts", {"kind": "description", "text": "He may be confused"})
    call1("POST", f"/api/v1/searches/{sid}/broadcasts/{b['id']}/ack")
    return {"sid": sid, "teams": teams, "assignments": assignments, "t0": t0, "t1": t1, "lkp_time": lkp_time,
            "names": (n1, n2), "users": (uid1, uid2)}
