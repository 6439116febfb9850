"""The demo search: an 80-year-old man with dementia walked out of a residential compound in Changyang, Fangshan
district, Beijing on a -3 °C evening, about an hour before the demo is loaded (at any hour), so a newcomer finds the
evening under way: two patrol officers' tracks, a witness's clue, a camera being reviewed, the compound search in
progress. Loading it twice changes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ..adapters.models import Camera, Search, User
from . import field, searches, segment_edits, teams, users, video
from .context import Actor, Services

BEIJING = timezone(timedelta(hours=8))
PASSWORD = "demo-pass-2026"
LKP = (116.1985, 39.7712)  # gate of a residential compound in Changyang town (lon, lat)

ACCOUNTS = [
    ("admin", "Admin 管理员", "admin", None),
    ("dispatch", "Wang Li 王立 (dispatcher)", "dispatcher", "Changyang police station"),
    ("video1", "Zhao Min 赵敏", "officer", "Video review"),
    ("video2", "Sun Hao 孙浩", "officer", "Video review"),
    ("patrol1", "Li Qiang 李强", "officer", "Patrol"),
    ("patrol2", "Chen Jie 陈杰", "officer", "Patrol"),
    ("patrol3", "Liu Yang 刘洋", "officer", "Patrol"),
]


#: How long before the demo is loaded the person went missing (the evening is about an hour old).
MISSING_FOR = timedelta(minutes=62)


def _missing_at(now: datetime) -> datetime:
    """About an hour before ``now``, on a five-minute mark of Beijing time (as a family would say it)."""
    local = (now - MISSING_FOR).astimezone(BEIJING).replace(second=0, microsecond=0)
    return local - timedelta(minutes=local.minute % 5)


def load(svc: Services) -> dict:
    """Create the demo accounts and search if missing; return what ``describe`` prints."""
    with svc.reading() as s:
        existing = s.execute(select(Search.id).where(Search.title == "DEMO 张桂林 Zhang Guilin")).scalar()
        ids = {u.username: u.id for u in s.execute(select(User)).scalars()}
    for username, name, role, unit in ACCOUNTS:
        if username not in ids:
            phone = f"+86 138 0000 {len(ids) + 1:04d}" if role == "officer" else None
            ids[username] = users.create_user(svc, None, {"username": username, "display_name": name, "role": role,
                                                          "password": PASSWORD, "unit": unit, "phone": phone})["id"]
    _cameras(svc, ids)
    if existing is None:
        existing = _open(svc, ids)
    return {"search_id": existing, "accounts": [(a[0], a[2]) for a in ACCOUNTS], "password": PASSWORD}


def _open(svc: Services, ids: dict[str, int]) -> int:
    d = Actor(ids["dispatch"], "dispatcher", "demo")
    lkp_time = _missing_at(svc.now())
    search = searches.open_search(svc, d, {
        "title": "DEMO 张桂林 Zhang Guilin",
        "subject": {"name": "张桂林 Zhang Guilin", "age": 80, "sex": "male", "category": "dementia",
                    "description": "1.70 m, thin, grey hair, walks slowly with a slight stoop; speaks only the "
                                   "local dialect; may not answer to his name.",
                    "clothing": "Dark blue padded jacket, grey trousers, black cloth shoes, no hat.",
                    "medical": "Alzheimer's disease; hypertension (blood-pressure tablets, see the medication time).",
                    "medications": [{"name": "Amlodipine (blood pressure)",
                                     "due": _due_local(lkp_time + timedelta(hours=2, minutes=30))}]},
        "lkp": {"type": "Point", "coordinates": list(LKP)},
        "lkp_time": lkp_time.isoformat(),
        "lkp_address": "North gate, residential compound, Changyang town, Fangshan district, Beijing",
        "terrain": "urban",
        "risk": "high",
        "risk_reasons": ["age", "dementia_or_illness", "weather", "nightfall", "medication"],
        "notes": "-3 °C tonight. Family searched the flat and the stairwells before calling. "
                 "He used to work at the Changyang farm market.",
    })
    sid = search["id"]
    for name in ("video1", "video2", "patrol1", "patrol2", "patrol3"):
        searches.add_member(svc, d, sid, ids[name])
    video = teams.create_team(svc, d, sid, {"name": "Video review 视频组", "kind": "video_review", "callsign": "V1",
                                            "leader_id": ids["video1"], "member_ids": [ids["video2"]]})
    patrol = teams.create_team(svc, d, sid, {"name": "Patrol 巡逻组", "kind": "vehicle_patrol", "callsign": "P1",
                                             "leader_id": ids["patrol1"],
                                             "member_ids": [ids["patrol2"], ids["patrol3"]]})
    lon, lat = LKP
    teams.create_assignment(svc, d, sid, {
        "title": "Compound: garages, bike sheds, corners", "kind": "area", "team_id": patrol["id"],
        "geometry": {"type": "Polygon", "coordinates": [[
            [lon - 0.0030, lat - 0.0020], [lon + 0.0030, lat - 0.0020], [lon + 0.0030, lat + 0.0020],
            [lon - 0.0030, lat + 0.0020], [lon - 0.0030, lat - 0.0020]]]},
        "instructions": "Every garage, stairwell, bike shed and the boiler room. Record what could NOT be opened."})
    teams.create_assignment(svc, d, sid, {
        "title": "Road east towards the farm market", "kind": "route", "team_id": patrol["id"],
        "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.010, lat + 0.001],
                                                           [lon + 0.021, lat + 0.002]]},
        "instructions": "Drive slowly with the window down; check bus stops and the market entrance."})
    teams.create_assignment(svc, d, sid, {
        "title": "Cameras at the gates and the main road", "kind": "places", "team_id": video["id"],
        "geometry": {"type": "MultiPoint", "coordinates": [[lon, lat + 0.0004], [lon + 0.0032, lat - 0.0012],
                                                            [lon - 0.0025, lat + 0.0021]]},
        "places": ["North gate camera", "Supermarket on the main road", "Bus stop, west side"],
        "instructions": "Review from 17:20: which way did he turn at the gate?"})
    segment_edits.generate_segments(svc, d, sid, {"shape": "square", "cell_m": 600})
    _evening(svc, ids, sid, lkp_time)
    return sid


def _due_local(at: datetime) -> str:
    """A medication time as the profile keeps it: "HH:MM" on the station's clock."""
    return at.astimezone(BEIJING).strftime("%H:%M")


def _walk(start: datetime, end: datetime, path: list[tuple[float, float]], every_s: int = 30) -> list[dict]:
    """Fixes every ``every_s`` seconds from ``start`` to ``end`` along ``path`` ((lon, lat) corners), evenly."""
    n = max(2, int((end - start).total_seconds() // every_s))
    legs = len(path) - 1
    out = []
    for i in range(n):
        f = i / (n - 1) * legs
        k = min(int(f), legs - 1)
        u = f - k
        lon = path[k][0] + (path[k + 1][0] - path[k][0]) * u
        lat = path[k][1] + (path[k + 1][1] - path[k][1]) * u
        t = start + (end - start) * i / (n - 1)
        out.append({"t": t.astimezone(timezone.utc).isoformat(), "lon": round(lon, 6), "lat": round(lat, 6),
                    "acc": 8})
    return out


def _evening(svc: Services, ids: dict[str, int], sid: int, lkp_time: datetime) -> None:
    """The evening so far: the compound search under way with two officers' tracks, a witness's clue on the road
    east, the north gate's camera being reviewed."""
    now = svc.now()
    lon, lat = LKP
    d = Actor(ids["dispatch"], "dispatcher", "demo")
    p1 = Actor(ids["patrol1"], "officer", "demo-phone-1")
    p2 = Actor(ids["patrol2"], "officer", "demo-phone-2")
    state = searches.get_state(svc, d, sid)
    compound = next(a for a in state["assignments"] if a["kind"] == "area")
    teams.change_assignment_status(svc, p1, sid, compound["id"], {"status": "in_progress"})
    ring = [(lon - 0.0028, lat - 0.0018), (lon + 0.0028, lat - 0.0018), (lon + 0.0028, lat + 0.0018),
            (lon - 0.0028, lat + 0.0018), (lon - 0.0028, lat - 0.0005), (lon + 0.0020, lat - 0.0005)]
    field.add_track_batch(svc, p1, sid, {"client_id": "demo-p1-1", "device": "demo-phone-1",
                                         "points": _walk(now - timedelta(minutes=38), now - timedelta(minutes=1), ring)})
    road = [(lon, lat), (lon + 0.006, lat + 0.0006), (lon + 0.012, lat + 0.0012)]
    field.add_track_batch(svc, p2, sid, {"client_id": "demo-p2-1", "device": "demo-phone-2",
                                         "points": _walk(now - timedelta(minutes=30), now - timedelta(minutes=2), road)})
    field.report_clue(svc, p2, sid, {
        "kind": "sighting", "time": (now - timedelta(minutes=24)).isoformat(), "direction": "E",
        "location": {"type": "Point", "coordinates": [round(lon + 0.0065, 6), round(lat + 0.0007, 6)]},
        "text": "Fruit seller: an old man in a dark blue padded jacket walked past slowly, heading east, "
                "about 25 minutes ago.", "client_id": "demo-clue-1"})
    with svc.reading() as s:
        gate = s.execute(select(Camera.id).where(Camera.code == "C1")).scalar()
    if gate is not None:
        video.create_task(svc, d, sid, {"camera_id": gate, "start": (lkp_time - timedelta(minutes=10)).isoformat(),
                                        "end": (lkp_time + timedelta(minutes=30)).isoformat(),
                                        "reviewer_id": ids["video1"], "footage": "received", "status": "in_progress",
                                        "notes": "Which way did he turn at the gate?"})


#: The station's camera registry around the compound: (code, name, metres east, metres north, kind, view bearing,
#: field of view, range m, retention days, recorder clock offset s, covers the only way out, owner).
CAMERAS = [
    ("C1", "North gate 北门", 0, 45, "residential", 0, 90, 40, 30, 185, True, "Compound property office 物业"),
    ("C2", "South gate 南门", 10, -230, "residential", 180, 90, 40, 30, 185, True, "Compound property office 物业"),
    ("C3", "Supermarket door 超市门口", 270, -130, "shop", 300, 100, 30, 7, -62, False, "Wumart 物美"),
    ("C4", "Bus stop, west 公交站（西）", -215, 235, "bus", 90, 120, 35, 15, 0, False, "Bus company 公交公司"),
    ("C5", "Jingliang Rd / Changyang Rd 京良路长阳路口", 640, 180, "traffic", 90, 70, 80, 90, 0, False,
     "Traffic police 交警"),
    ("C6", "Jingliang Rd east 京良路东段", 1350, 260, "public_security", 270, 70, 60, 90, 0, False,
     "Public security 天网"),
    ("C7", "Farm market gate 农贸市场大门", 1790, 210, "shop", 200, 90, 35, 10, 340, False, "Farm market 农贸市场"),
    ("C8", "Park entrance 公园入口", -520, -610, "public_security", 45, 90, 50, 90, 0, False, "Public security 天网"),
    ("C9", "Petrol station 加油站", 900, -560, "shop", 0, 120, 40, 3, 25, False, "Sinopec 中石化"),
]


def _cameras(svc: Services, ids: dict[str, int]) -> None:
    """The demo camera registry, added once (by code)."""
    with svc.reading() as s:
        have = set(s.execute(select(Camera.code)).scalars())
    d = Actor(ids["dispatch"], "dispatcher", "demo")
    lon, lat = LKP
    for code, name, east, north, kind, bearing, fov, rng, keep, offset, exit_, owner in CAMERAS:
        if code in have:
            continue
        video.create_camera(svc, d, {"code": code, "name": name, "kind": kind, "owner": owner,
                                     "location": [lon + east / 85_600, lat + north / 111_000],
                                     "direction_deg": bearing, "fov_deg": fov, "range_m": rng,
                                     "retention_days": keep, "clock_offset_s": offset, "covers_exit": exit_})


def describe(info: dict) -> str:
    lines = [f"Demo search {info['search_id']} loaded. Logins (password for all: {info['password']}):"]
    lines += [f"  {name:<10} {role}" for name, role in info["accounts"]]
    return "\n".join(lines)
