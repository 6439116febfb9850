"""The demo search: an 80-year-old man with dementia walked out of a residential compound in Changyang, Fangshan
district, Beijing at 17:30 on a -3 °C evening. Loading it twice changes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ..adapters.models import Camera, Search, User
from . import searches, segment_edits, teams, users, video
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


def _last_1730(now: datetime) -> datetime:
    local = now.astimezone(BEIJING)
    at = local.replace(hour=17, minute=30, second=0, microsecond=0)
    if at > local:
        at -= timedelta(days=1)
    return at


def load(svc: Services) -> dict:
    """Create the demo accounts and search if missing; return what ``describe`` prints."""
    with svc.reading() as s:
        existing = s.execute(select(Search.id).where(Search.title == "DEMO 张桂林 Zhang Guilin")).scalar()
        ids = {u.username: u.id for u in s.execute(select(User)).scalars()}
    for username, name, role, unit in ACCOUNTS:
        if username not in ids:
            ids[username] = users.create_user(svc, None, {"username": username, "display_name": name, "role": role,
                                                          "password": PASSWORD, "unit": unit})["id"]
    if existing is None:
        existing = _open(svc, ids)
    _cameras(svc, ids)
    return {"search_id": existing, "accounts": [(a[0], a[2]) for a in ACCOUNTS], "password": PASSWORD}


def _open(svc: Services, ids: dict[str, int]) -> int:
    d = Actor(ids["dispatch"], "dispatcher", "demo")
    lkp_time = _last_1730(svc.now())
    search = searches.open_search(svc, d, {
        "title": "DEMO 张桂林 Zhang Guilin",
        "subject": {"name": "张桂林 Zhang Guilin", "age": 80, "sex": "male", "category": "dementia",
                    "description": "1.70 m, thin, grey hair, walks slowly with a slight stoop; speaks only the "
                                   "local dialect; may not answer to his name.",
                    "clothing": "Dark blue padded jacket, grey trousers, black cloth shoes, no hat.",
                    "medical": "Alzheimer's disease; hypertension, takes medication at 20:00."},
        "lkp": {"type": "Point", "coordinates": list(LKP)},
        "lkp_time": lkp_time.isoformat(),
        "lkp_address": "North gate, residential compound, Changyang town, Fangshan district, Beijing",
        "terrain": "urban",
        "risk": "high",
        "risk_reasons": ["age", "dementia_or_illness", "weather", "nightfall", "medication"],
        "notes": "-3 °C and getting dark. Family searched the flat and the stairwells before calling. "
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
    segment_edits.generate_segments(svc, d, sid, {"shape": "square", "cell_m": 800})
    return sid


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
